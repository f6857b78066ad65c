#!/bin/sh
# The program's identity covers its shared libraries (program_hash()):
# a rebuild with the same sources but another library loaded, or another
# build of one, does not take the "inputs unchanged" shortcut and renders
# every page again; the same library again does take it.  The library is
# a tiny one built here and loaded with LD_PRELOAD: first with a build-id,
# then another build of it, then two without one (hashed by their bytes).
set -u
case=$2
t=$(mktemp -d "${TMPDIR:-/tmp}/faqgen-libs.XXXXXX")
trap 'rm -rf "$t"' EXIT
export TZ=UTC LC_ALL=C.UTF-8
# An LD_PRELOAD comes before the ASan runtime in the list of libraries.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
# lib ANSWER BUILD-ID: build $t/libextra.so returning ANSWER, with
# -Wl,--build-id=BUILD-ID (sha1, or none).
lib() {
	printf 'int faqgen_extra(void);\nint faqgen_extra(void) { return %s; }\n' \
	    "$1" >"$t/extra.c"
	${CC:-cc} -shared -fPIC "-Wl,--build-id=$2" -o "$t/libextra.so" \
	    "$t/extra.c" || exit 1
}
# rebuild WHAT shortcut|all [PRELOAD]: rebuild into $t/out and expect the
# inputs-unchanged shortcut, or every front matter parsed and every page
# rendered again (nothing taken from the last build's page state).
rebuild() {
	# shellcheck disable=SC2086
	LD_PRELOAD=${3:-} FAQGEN_TIMING=1 $FAQGEN build \
	    --config "$case/site.ini" --layouts tests/layouts-min \
	    --output "$t/out" 2>"$t/err" || { cat "$t/err"; exit 1; }
	if grep -q 'inputs unchanged since the last build' "$t/err"; then
		got=shortcut
	elif grep -q '^faqgen: load: \([0-9]*\) of \1 front matters parsed$' \
	    "$t/err" &&
	    grep -q '^faqgen: emit: \([0-9]*\) of \1 pages rendered$' "$t/err"
	then
		got=all
	else
		got=other
	fi
	echo "$1: $got"
	[ "$got" = "$2" ] || { echo "$1: want $2"; cat "$t/err"; exit 1; }
}
rebuild first all
rebuild again shortcut
lib 1 sha1
readelf -n "$t/libextra.so" | grep -q 'Build ID' ||
    { echo "no build-id in libextra.so"; exit 1; }
rebuild "a library more" all "$t/libextra.so"
rebuild "the same library" shortcut "$t/libextra.so"
lib 2 sha1
rebuild "another build of it" all "$t/libextra.so"
rebuild "the same build" shortcut "$t/libextra.so"
lib 3 none
readelf -n "$t/libextra.so" | grep -q 'Build ID' &&
    { echo "a build-id in libextra.so"; exit 1; }
rebuild "no build-id" all "$t/libextra.so"
rebuild "the same bytes" shortcut "$t/libextra.so"
lib 4 none
rebuild "other bytes" all "$t/libextra.so"
rebuild "no library more" all
rebuild "as at first" shortcut
