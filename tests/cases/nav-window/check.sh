#!/bin/sh
# Beside a question of a long category, the real layouts list the 10
# questions around it (by file name: same folder) and a link to the whole
# category; pages of a short category list every question.
set -e
case=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/s/content/a"
cp "$case/site.ini" "$tmp/s/"
cp "$case/content/a/_index.md" "$tmp/s/content/a/"
i=1
while [ $i -le 45 ]; do
	n=$(printf '%02d' $i)
	printf -- '---\ntitle: 问题%s\nweight: %d\n---\n回答%s。\n' "$n" $i "$n" \
	    >"$tmp/s/content/a/q$n.md"
	i=$((i + 1))
done
$FAQGEN build --config "$tmp/s/site.ini" --layouts layouts --output "$tmp/out" --quiet
side() { sed -n '/<ul class="side-q">/,/<\/ul>/p' "$1"; }
side "$tmp/out/a/q40.html" >"$tmp/q40"
[ "$(grep -c 'href="q[0-9]*.html"' "$tmp/q40")" -eq 10 ]
grep -q 'aria-current="page">问题40<' "$tmp/q40"
grep -q '>问题35<' "$tmp/q40" && grep -q '>问题44<' "$tmp/q40"
! grep -q '>问题34<' "$tmp/q40" && ! grep -q '>问题45<' "$tmp/q40"
grep -q 'href="index.html">全部 45 个问题' "$tmp/q40"
side "$tmp/out/a/q45.html" >"$tmp/q45"
grep -q '>问题36<' "$tmp/q45" && grep -q 'aria-current="page">问题45<' "$tmp/q45" && ! grep -q '>问题35<' "$tmp/q45"
side "$tmp/out/a/q01.html" >"$tmp/q01"
grep -q '>问题01<' "$tmp/q01" && grep -q '>问题10<' "$tmp/q01" && ! grep -q '>问题11<' "$tmp/q01"
tests/build/linkcheck "$tmp/out" /
