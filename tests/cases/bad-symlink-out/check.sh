#!/bin/sh
# Symlinks under content/ or layouts/ that lead out of them (to a file, to
# a folder) are refused, so that neither a build nor serve publishes a
# file from elsewhere on the machine; a content error, exit 1.  A symlink
# that stays inside is followed.  git cannot hold this input, so the site
# is made here (tests/lib-site.sh).
set -u
. tests/lib-site.sh
new_site
real=$(realpath "$tmp")
echo SECRET-OUTSIDE >"$tmp/outside.txt"
cp -r "$LAYOUTS" "$s/layouts"
LAYOUTS=$s/layouts
mkdir "$s/layouts/assets"
ln -s "$tmp/outside.txt" "$s/content/a/leak.md"
ln -s "$tmp/outside.txt" "$s/layouts/assets/leak.txt"
ln -s "$tmp" "$s/layouts/assets/up"
why="nothing outside the site is published; copy the file in"
expect_fail "$s" 1 "SITE/content/a/leak.md: symlink to $real/outside.txt, outside SITE/content: $why
SITE/layouts/assets/leak.txt: symlink to $real/outside.txt, outside SITE/layouts: $why
SITE/layouts/assets/up: symlink to $real, outside SITE/layouts: $why" || exit 1
# Links that stay inside: built, and what they point to published.
rm "$s/content/a/leak.md" "$s/layouts/assets/leak.txt" "$s/layouts/assets/up"
echo 'body { color: black }' >"$s/layouts/assets/site.css"
ln -s site.css "$s/layouts/assets/same.css"
ln -s ../a/q.md "$s/content/a/again.md"
expect_ok "$s" || exit 1
grep -q 'color: black' "$s/out/assets/same.css" &&
    grep -q 'Answer.' "$s/out/a/again.html" ||
    { echo "an inside symlink was not followed"; exit 1; }
grep -rq SECRET-OUTSIDE "$s/out" && { echo "outside file published"; exit 1; }
exit 0
