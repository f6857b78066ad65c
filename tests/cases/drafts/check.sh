#!/bin/sh
# --drafts includes questions marked draft: true; without it they are
# left out of every page, the sitemap and the search data.
set -e
out=$1
case=$2
[ -f "$out/a/wip.html" ]
grep -q '草稿问题' "$out/a/index.html"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$FAQGEN build --config "$case/site.ini" --layouts tests/layouts-min --output "$tmp/out" --quiet
[ ! -e "$tmp/out/a/wip.html" ]
[ -f "$tmp/out/a/pub.html" ]
! grep -rq '草稿问题' "$tmp/out"
