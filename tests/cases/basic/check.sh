#!/bin/sh
# The basic site: links resolve, the sitemap is valid, JSON parses.
set -e
out=$1
tests/build/linkcheck "$out" /faq/
if [ -f "${SCHEMA:-../shared/schemas/sitemap.xsd}" ]; then
	xmllint --noout --schema "${SCHEMA:-../shared/schemas/sitemap.xsd}" "$out/sitemap.xml"
fi
for f in $(find "$out" -name '*.json'); do python3 -m json.tool "$f" >/dev/null; done
# The alias is a redirect page, in no listing and not in the sitemap.
grep -q 'http-equiv="refresh"' "$out/old/refund/index.html"
! grep -q 'old/refund' "$out/sitemap.xml" "$out/index.html" "$out/pay/index.html"
# Bare URL after full-width punctuation became a link; &amp; escaped.
grep -q '（<a href="http://example.gov.cn/id?a=1&amp;b=2"' "$out/exam/id-card.html"
# Raw HTML in the body is escaped.
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$out/pay/refund.html"
