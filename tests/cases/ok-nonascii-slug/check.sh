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
