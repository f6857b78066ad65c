#!/bin/sh
# Output folders a build would lose data in are refused, and nothing is
# touched: the content folder itself, the project folder (it holds the
# sources), a folder inside content/, and an existing folder holding files
# faqgen did not make (a build swaps the output away and later recycles
# it).  An empty folder is fine.  (tests/lib-site.sh)
set -u
. tests/lib-site.sh
new_site
before=$(cd "$s" && find . | sort | cksum)
for o in "$s/content" "$s" "$s/content/a"; do
	# shellcheck disable=SC2086
	if $FAQGEN build --config "$s/site.ini" --layouts "$LAYOUTS" \
	    --output "$o" --quiet 2>"$tmp/err"; then
		echo "built into $o"; exit 1
	fi
	grep -q 'refusing to build into' "$tmp/err" ||
	    { cat "$tmp/err"; exit 1; }
done
[ "$(cd "$s" && find . | sort | cksum)" = "$before" ] ||
    { echo "the site changed"; exit 1; }
mkdir "$tmp/docs" "$tmp/empty"
echo notes >"$tmp/docs/notes.txt"
# shellcheck disable=SC2086
if $FAQGEN build --config "$s/site.ini" --layouts "$LAYOUTS" \
    --output "$tmp/docs" --quiet 2>"$tmp/err"; then
	echo "built into a folder of other files"; exit 1
fi
grep -q 'output folder holds files faqgen did not make' "$tmp/err" &&
    [ "$(ls -A "$tmp/docs")" = notes.txt ] && [ ! -e "$tmp/.docs.spare" ] ||
    { cat "$tmp/err"; ls -A "$tmp"; exit 1; }
# shellcheck disable=SC2086
$FAQGEN build --config "$s/site.ini" --layouts "$LAYOUTS" \
    --output "$tmp/empty" --quiet && [ -f "$tmp/empty/index.html" ]
