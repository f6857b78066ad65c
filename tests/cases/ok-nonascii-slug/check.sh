#!/bin/sh
# Non-ASCII slugs and folders build: files named as written, links
# resolve, and the sitemap is valid against the schema.
set -e
out=$1
test -f "$out/a/身份证.html"
test -f "$out/证件/照片.html"
grep -q 'href="身份证.html#有效期"' "$out/a/q.html"
tests/build/linkcheck "$out" / 2>/dev/null || python3 - "$out" <<'PY'
import sys, os, html.parser, urllib.parse
root = sys.argv[1]
class P(html.parser.HTMLParser):
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k == 'href' and v and '://' not in v and not v.startswith(('#', 'mailto:')):
                p = urllib.parse.unquote(v.split('#')[0])
                if p and not os.path.exists(os.path.join(os.path.dirname(self.f), p)):
                    sys.exit('%s: broken %s' % (self.f, v))
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith('.html'):
            p = P(); p.f = os.path.join(d, f); p.feed(open(p.f).read())
PY
if [ -f "${SCHEMA:-../shared/schemas/sitemap.xsd}" ]; then
	xmllint --noout --schema "${SCHEMA:-../shared/schemas/sitemap.xsd}" "$out/sitemap.xml"
fi
