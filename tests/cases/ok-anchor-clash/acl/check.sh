#!/bin/sh
# Names and headings that made the same id in all.html under the old
# "q-CAT-SLUG-HEADING" ids (category a-r's question h and a/r's heading h;
# category a-h and category a's heading), headings named like layout ids
# (top, main, search list 1), and cross-references to them: no id twice
# in any file, every fragment resolves, in all.html too.  With the
# minimal layouts (the runner's build) and the real ones (built here).
set -u
. tests/lib-site.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/faqgen-case.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -r "$2/site.ini" "$2/content" "$tmp/"
LAYOUTS=layouts expect_ok "$tmp" || exit 1
rc=0
for out in "$1" "$tmp/out"; do
	tests/build/linkcheck "$out" / || rc=1
done
out=$tmp/out
# The page's own ids: "top" and "main" are the layout's, so the headings
# get top-1 and main-1; all.html holds the same ids under the question's.
grep -q '<h2 id="top-1">' "$out/a/r.html" || rc=1
grep -q 'href="#top-1"' "$out/a/r.html" || rc=1
grep -q 'href="r.html#top-1"' "$out/a/r-h.html" || rc=1
grep -q 'id="q/a/r/top-1"' "$out/all.html" || rc=1
grep -q 'href="#q/a/r/top-1"' "$out/all.html" || rc=1
grep -q 'href="#q/a/r-h/h"' "$out/all.html" || rc=1
exit $rc
