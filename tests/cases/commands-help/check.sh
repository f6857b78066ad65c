# help for the editing commands, and their usage errors (exit 2).
set -u
case=$2
fail=0
bad() {
	echo "FAIL: $*"
	fail=1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# expect EXIT TEXT ARGS...: exit status and a line of output.
expect() {
	want=$1
	text=$2
	shift 2
	# shellcheck disable=SC2086
	$FAQGEN "$@" >"$tmp/out" 2>&1 </dev/null
	got=$?
	[ "$got" = "$want" ] || bad "faqgen $*: exit $got, want $want"
	grep -qF -- "$text" "$tmp/out" ||
	    bad "faqgen $*: no \"$text\" in: $(head -3 "$tmp/out")"
}
expect 0 'faqgen serve [--config FILE]' help serve
expect 0 '--port' help serve
expect 0 'faqgen new CATEGORY/SLUG [--title TEXT]' help new
expect 0 '--external' help check
expect 0 '--online' help check
expect 0 'faqgen serve [options] [--port N] [--bind ADDR]' --help
expect 0 'faqgen new CATEGORY/SLUG' --help
expect 0 'faqgen serve [--config FILE]' serve --help
expect 2 'no help for unknown command' help bogus
expect 2 'serve does not take --online' serve --online
expect 2 'serve does not take --output' serve --output x
expect 2 'build does not take --title' build --title x
expect 2 'check does not take --port' check --port 1
expect 2 '--online goes with --external' check --online
expect 2 '--port takes a number' serve --port 99999 --config "$case/site.ini"
expect 2 '--port takes a number' serve --port x1 --config "$case/site.ini"
expect 2 '--bind takes an IPv4 or IPv6 address' serve --bind example.org \
    --config "$case/site.ini"
expect 2 'new needs CATEGORY/SLUG' new
expect 2 'unexpected argument' new a/b c/d
exit "$fail"
