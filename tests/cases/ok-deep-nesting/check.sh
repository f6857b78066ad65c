#!/bin/sh
# Lists and quotes nested 10,000 deep build (md4c and render.c keep no
# recursion on the C stack) into well-formed HTML.
set -e
out=$1
grep -q 'quoted ten thousand deep' "$out/a/q.html"
grep -q 'listed ten thousand deep' "$out/a/q.html"
python3 - "$out/a/q.html" <<'PY'
import sys, html.parser
class P(html.parser.HTMLParser):
    depth = 0
    void = {'br', 'hr', 'img', 'meta', 'link', 'input'}
    def handle_starttag(self, t, a):
        if t not in self.void: self.depth += 1
    def handle_endtag(self, t):
        if t not in self.void: self.depth -= 1
p = P(); p.feed(open(sys.argv[1]).read()); p.close()
assert p.depth == 0, p.depth
PY
