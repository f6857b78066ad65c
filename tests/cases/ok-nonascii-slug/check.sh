#!/bin/sh
# Non-ASCII slugs and folders build: files named as written, links
# resolve, and the sitemap is valid against the schema.
set -e
out=$1
test -f "$out/a/身份证.html"
test -f "$out/证件/照片.html"
grep -q 'href="身份证.html#有效期"' "$out/a/q.html"
tests/build/linkcheck "$out" /
if [ -f "${SCHEMA:-../shared/schemas/sitemap.xsd}" ]; then
	xmllint --noout --schema "${SCHEMA:-../shared/schemas/sitemap.xsd}" "$out/sitemap.xml"
fi
# Absolute URLs (sitemap, canonical link) are URIs: the non-ASCII path
# percent-encoded as UTF-8, as sitemaps.org asks; the relative links
# above stay as written, which browsers and hosts accept.
grep -q '<loc>https://example.org/a/%E8%BA%AB%E4%BB%BD%E8%AF%81.html</loc>' "$out/sitemap.xml"
! grep '<loc>' "$out/sitemap.xml" | LC_ALL=C grep -q '[^ -~]'
grep -q 'rel="canonical" href="https://example.org/a/%E8%BA%AB%E4%BB%BD%E8%AF%81.html"' "$out/a/身份证.html"
