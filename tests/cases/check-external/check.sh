# check --external lists each external URL once, sorted, with the files
# that use it (in site order, each once); internal links and mailto: are
# not listed.  stdout is compared with stdout.expected.
set -eu
out=$1
case=$2
got=$(mktemp)
trap 'rm -f "$got"' EXIT
# shellcheck disable=SC2086
$FAQGEN check --external --config "$case/site.ini" \
    --layouts tests/layouts-min --quiet >"$got"
sed "s#$case/#CASE/#g" "$got" | diff -u "$case/stdout.expected" -
