# faqgen new, in a temporary copy of this site: the front matter (title
# quoted, weight after the last question of the category, drafts
# included, lastmod today, empty tags and keywords), a file that builds;
# never overwrites; unknown categories list the known ones; bad slugs and
# bad arguments are usage errors that write nothing.
set -u
case=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() {
	echo "FAIL: $*"
	fail=1
}
cp -R "$case/content" "$case/site.ini" "$tmp/"
ini="$tmp/site.ini"
c="$tmp/content"
today=$(date +%Y-%m-%d)
# run EXIT ARGS...: faqgen with --config, expecting EXIT.
run() {
	want=$1
	shift
	# shellcheck disable=SC2086
	$FAQGEN new "$@" --config "$ini" --layouts tests/layouts-min \
	    >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] ||
	    bad "new $*: exit $got, want $want: $(cat "$tmp/err")"
}
snapshot() {
	(cd "$c" && find . -type f | sort | xargs md5sum)
}

run 0 exam/new-rule --title '新规定："考试" \ 时间'
[ "$(cat "$tmp/out")" = "$c/exam/new-rule.md" ] ||
    bad "stdout: $(cat "$tmp/out")"
printf -- '---\ntitle: "新规定：\\"考试\\" \\\\ 时间"\nweight: 8\nlastmod: %s\ntags: []\nkeywords: []\n---\n\n' \
    "$today" >"$tmp/want"
cmp -s "$tmp/want" "$c/exam/new-rule.md" ||
    bad "new-rule.md: $(diff "$tmp/want" "$c/exam/new-rule.md")"

run 0 empty/first-one
grep -q '^weight: 1$' "$c/empty/first-one.md" || bad "weight in an empty category"
grep -q '^title: "first-one"$' "$c/empty/first-one.md" || bad "default title"
run 0 content/pay/second.md
[ -f "$c/pay/second.md" ] || bad "content/CATEGORY/SLUG.md form"
grep -q '^weight: 3$' "$c/pay/second.md" || bad "weight after 2"

# The new files build, with their titles.
# shellcheck disable=SC2086
$FAQGEN build --config "$ini" --layouts tests/layouts-min \
    --output "$tmp/public" --quiet || bad "new files do not build"
grep -q '新规定' "$tmp/public/exam/new-rule.html" || bad "title not built"

# Never overwrite.
echo "edited" >>"$c/exam/new-rule.md"
before=$(snapshot)
run 1 exam/new-rule --title other
grep -q 'new-rule.md: already exists, not overwritten' "$tmp/err" ||
    bad "overwrite message: $(cat "$tmp/err")"
run 1 foo/bar
grep -q 'unknown category foo; the known categories are: exam pay empty' \
    "$tmp/err" || bad "unknown category message: $(cat "$tmp/err")"
for arg in exam/Bad_Slug exam/-x exam/x- exam/index exam/ 'exam/中文' \
    exam a/b/c /x; do
	run 2 "$arg"
	[ -s "$tmp/err" ] || bad "no message for $arg"
done
grep -q 'bad slug' "$tmp/err" && bad "a/b/c named a bad slug"
run 2 exam/Bad_Slug
grep -q 'bad slug "Bad_Slug": it may hold only lower-case letters a-z, digits and hyphens' \
    "$tmp/err" || bad "bad slug message: $(cat "$tmp/err")"
run 2 exam/ok --output x
run 2 exam/ok --title ''
[ "$(snapshot)" = "$before" ] || bad "a refused new changed content/"
exit "$fail"
