#!/bin/sh
# End-to-end cases: tests/cases/<case>/ holds a small site aimed at one
# feature or one bad input:
#   site.ini     the configuration (content/ beside it)
#   layouts/     optional: files laid over tests/layouts-min/ (the stable
#                layouts for golden files), shown as CASE/layouts/
#   args         optional: command and options instead of "build"
#   exit         optional: expected exit status (default 0)
#   stderr       optional: expected stderr, paths shown as CASE/ and OUT/
#   expected/    optional: golden files, each compared byte for byte
#   check.sh     optional: more assertions, run as `sh check.sh OUT CASE`
# A failing case must leave no output folder behind.
# FAQGEN names the binary (may be "valgrind ... generator/faqgen").
# `sh tests/e2e.sh --update` rewrites stderr and expected/ from the results.
set -u
FAQGEN=${FAQGEN:-generator/faqgen}
update=0
[ "${1:-}" = "--update" ] && update=1 && shift
only=${1:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/faqgen-e2e.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

bad() {
	echo "FAIL $name: $*"
	fail=$((fail + 1))
	ok=0
}

for dir in tests/cases/*/; do
	dir=${dir%/}
	name=${dir##*/}
	[ -n "$only" ] && [ "$only" != "$name" ] && continue
	ok=1
	out="$tmp/$name/out"
	mkdir -p "$tmp/$name"
	args=build
	[ -f "$dir/args" ] && args=$(cat "$dir/args")
	layouts=tests/layouts-min
	if [ -d "$dir/layouts" ]; then
		layouts="$tmp/$name/layouts"
		cp -r tests/layouts-min "$layouts"
		cp -r "$dir/layouts/." "$layouts/"
	fi
	want_exit=0
	[ -f "$dir/exit" ] && want_exit=$(cat "$dir/exit")
	# shellcheck disable=SC2086
	TZ=UTC LC_ALL=C.UTF-8 $FAQGEN $args --config "$dir/site.ini" \
	    --layouts "$layouts" --output "$out" --quiet \
	    >"$tmp/$name/stdout" 2>"$tmp/$name/stderr.raw" </dev/null
	got_exit=$?
	sed -e "s#$dir/#CASE/#g" -e "s#$tmp/$name/layouts/#CASE/layouts/#g" \
	    -e "s#$tmp/$name/#OUT/#g" -e "s#$layouts/#LAYOUTS/#g" \
	    "$tmp/$name/stderr.raw" >"$tmp/$name/stderr"
	if [ "$got_exit" != "$want_exit" ]; then
		bad "exit $got_exit, want $want_exit"
		sed 's/^/    /' "$tmp/$name/stderr" | head -20
	fi
	if grep -q -e 'AddressSanitizer' -e 'runtime error:' -e 'LeakSanitizer' \
	    -e '==[0-9]*== ' "$tmp/$name/stderr.raw"; then
		bad "sanitizer or valgrind report"
		head -30 "$tmp/$name/stderr.raw"
	fi
	if [ "$update" = 1 ] && [ "$want_exit" != 0 ]; then
		cp "$tmp/$name/stderr" "$dir/stderr"
	elif [ -f "$dir/stderr" ] && ! cmp -s "$dir/stderr" "$tmp/$name/stderr"; then
		bad "stderr differs"
		diff -u "$dir/stderr" "$tmp/$name/stderr" | head -20
	fi
	if [ "$want_exit" != 0 ] && { [ -e "$out" ] || \
	    ls -a "$tmp/$name" | grep -q staging; }; then
		bad "a failed build left output behind"
	fi
	if [ -d "$dir/expected" ]; then
		if [ "$update" = 1 ]; then
			(cd "$dir/expected" && find . -type f) | while read -r f; do
				cp "$out/$f" "$dir/expected/$f" 2>/dev/null
			done
		else
			for f in $(cd "$dir/expected" && find . -type f | sort); do
				if ! cmp -s "$dir/expected/$f" "$out/$f"; then
					bad "$f differs from expected"
					diff -u "$dir/expected/$f" "$out/$f" 2>&1 | head -20
				fi
			done
		fi
	fi
	if [ -f "$dir/check.sh" ]; then
		if ! FAQGEN="$FAQGEN" sh "$dir/check.sh" "$out" "$dir" \
		    >"$tmp/$name/check.log" 2>&1; then
			bad "check.sh failed"
			sed 's/^/    /' "$tmp/$name/check.log" | tail -20
		fi
	fi
	[ "$ok" = 1 ] && pass=$((pass + 1))
done
echo "e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]
