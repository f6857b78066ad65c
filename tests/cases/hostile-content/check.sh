#!/bin/sh
# Hostile titles, descriptions, keywords, tags and bodies come out escaped
# or neutralised in every output: the minimal layouts (the runner's build)
# and the real layouts/ (built here).  tests/hostile.py parses each file;
# the needles are hostile strings that must come back unchanged as text.
set -u
. tests/lib-site.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/faqgen-case.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
case_dir=$2
cp -r "$case_dir/site.ini" "$case_dir/content" "$tmp/"
LAYOUTS=layouts expect_ok "$tmp" || exit 1
set -- "$1" "$tmp/out"
rc=0
for out in "$@"; do
	python3 tests/hostile.py layouts "$out" \
	    "$(printf '"><script>alert(\047q\047)</script> & </script> \342\200\250 \342\200\251 end')" \
	    "<script>alert(7)</script>" "<img src=x onerror=alert(8)>" \
	    "<b onclick=alert(6)>tag</b>" "<script>alert(13)</script>" \
	    "Site </title><script>alert(\"site\")</script>" || rc=1
	# Hostile headings and names break no link and repeat no id.
	tests/build/linkcheck "$out" /faq/ >"$tmp/links" || {
		cat "$tmp/links"; rc=1; }
	for f in "$out/sitemap.xml" "$out/feed.xml"; do
		[ -f "$f" ] && { xmllint --noout "$f" || rc=1; }
	done
	# Raw HTML is escaped: no <script or <img tag from the body.
	grep -q '&lt;script&gt;alert(7)&lt;/script&gt;' "$out/a/q.html" || rc=1
	# The refused schemes never became links.
	! grep -q 'href="javascript' "$out/a/q.html" || rc=1
	# NUL entity became U+FFFD.
	grep -q "$(printf '\357\277\275')" "$out/a/q.html" || rc=1
done
exit $rc
