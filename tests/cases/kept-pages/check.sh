#!/bin/sh
# Emit keeps a page whose input key did not change (bench/README.md):
# after each edit the rebuild renders only some pages, and its output
# equals a fresh build.  With the project's layouts (search.html,
# all.html) and aliases, whose redirect pages show the moved page's
# title: built in at first, then from an alias.html added to layouts/.
set -u
case=$2
t=$(mktemp -d "${TMPDIR:-/tmp}/faqgen-kept.XXXXXX")
trap 'rm -rf "$t"' EXIT
cp -r "$case/content" "$case/site.ini" "$t/" && cp -r layouts "$t/layouts" ||
    exit 1
export TZ=UTC LC_ALL=C.UTF-8
# rebuild WHAT MIN MAX: the number of pages rendered is in [MIN, MAX]
# ("all": every page) and the output equals a fresh build.
rebuild() {
	# shellcheck disable=SC2086
	FAQGEN_TIMING=1 $FAQGEN build --config "$t/site.ini" \
	    --layouts "$t/layouts" --output "$t/out" --quiet 2>"$t/err" || {
		cat "$t/err"; return 1; }
	set -- "$@" $(sed -n 's/^faqgen: emit: \([0-9]*\) of \([0-9]*\) pages rendered$/\1 \2/p' "$t/err")
	[ $# = 5 ] || { echo "$1: no emit count"; cat "$t/err"; return 1; }
	echo "$1: $4 of $5 pages rendered"
	[ "$2" = all ] && set -- "$1" "$5" "$5" "$4" "$5"
	[ "$4" -ge "$2" ] && [ "$4" -le "$3" ] || {
		echo "$1: want $2 to $3 pages rendered"; return 1; }
	rm -rf "$t/fresh" "$t/.fresh."*
	# shellcheck disable=SC2086
	$FAQGEN build --config "$t/site.ini" --layouts "$t/layouts" \
	    --output "$t/fresh" --quiet && diff -r "$t/fresh" "$t/out" || {
		echo "$1: differs from a fresh build"; return 1; }
}
rebuild first all all || exit 1
# The moved page's title: its page, its category, the home page,
# all.html and its three redirect pages; not the search page or 404.
sed -i 's/^title: .*/title: 缴费以后还能退费吗？/' "$t/content/pay/refund.md"
rebuild title 4 12 || exit 1
grep -q '缴费以后还能退费吗' "$t/out/tuifei/index.html" || {
	echo "the redirect page shows the old title"; exit 1; }
# An answer's end: its page and all.html.
printf '\n补充说明。\n' >>"$t/content/exam/admit.md"
rebuild answer 1 3 || exit 1
# A template for the redirect pages: every page (the templates changed).
printf '<!DOCTYPE html>\n<html lang="{{lang}}"><head><meta charset="utf-8"><title>{{title}}</title><link rel="canonical" href="{{target_canonical}}"><meta http-equiv="refresh" content="0; url={{target}}"></head><body><p><a href="{{target}}">{{title}}</a></p></body></html>\n' \
    >"$t/layouts/alias.html"
rebuild alias.html all all || exit 1
sed -i 's/^title: .*/title: 缴费后能退费吗？/' "$t/content/pay/refund.md"
rebuild "title again" 4 12 || exit 1
grep -q '缴费后能退费吗' "$t/out/old/refund/index.html" || {
	echo "the redirect page shows the old title"; exit 1; }
# Nothing changed (the inputs' fingerprint forgotten): no page.
rm -f "$t/.out.inputs"
rebuild unchanged 0 0
