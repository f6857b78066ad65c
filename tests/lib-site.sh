# tests/lib-site.sh: helpers for a case's check.sh that builds a site of
# its own, for inputs git cannot hold or should not (symlinks, FIFOs,
# devices, a 50 MB answer).  Source it from check.sh:
#   . tests/lib-site.sh
#   new_site; ln -s ... "$s/content/a/x.md"; expect_fail "$s" 3 "SITE/..."
# Paths in the expected stderr are shown as SITE/.  FAQGEN may be
# "valgrind ... generator/faqgen", so it is used unquoted.
FAQGEN=${FAQGEN:-generator/faqgen}
LAYOUTS=${LAYOUTS:-tests/layouts-min}
export TZ=UTC LC_ALL=C.UTF-8

# A site with the home page and category a holding question q.
mksite() {
	mkdir -p "$1/content/a"
	printf '[site]\ntitle = T\nbase_url = https://example.org/\n' \
	    >"$1/site.ini"
	printf -- '---\ntitle: A\n---\n' >"$1/content/a/_index.md"
	printf -- '---\ntitle: Q\n---\nAnswer.\n' >"$1/content/a/q.md"
}

# A temporary folder ($tmp, removed on exit) with such a site in $s.
new_site() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/faqgen-case.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	s=$tmp/s
	mksite "$s"
}

# Build the site in $1 into $1/out; sets rc, leaves $1/stderr.
site_build() {
	# shellcheck disable=SC2086
	$FAQGEN build --config "$1/site.ini" --layouts "$LAYOUTS" \
	    --output "$1/out" --quiet >"$1/stdout" 2>"$1/stderr.raw" </dev/null
	rc=$?
	sed "s#$1/#SITE/#g" "$1/stderr.raw" >"$1/stderr"
	if grep -q -e 'AddressSanitizer' -e 'runtime error:' \
	    -e 'LeakSanitizer' -e '==[0-9]*== ' "$1/stderr.raw"; then
		echo "sanitizer or valgrind report:"
		head -30 "$1/stderr.raw"
		return 1
	fi
}

# expect_fail DIR EXIT STDERR: that exit status, exactly that stderr,
# and neither output nor staging folder written.
expect_fail() {
	site_build "$1" || return 1
	if [ "$rc" != "$2" ]; then
		echo "exit $rc, want $2"
		cat "$1/stderr"
		return 1
	fi
	printf '%s\n' "$3" >"$1/stderr.want"
	if ! cmp -s "$1/stderr.want" "$1/stderr"; then
		echo "stderr differs:"
		diff -u "$1/stderr.want" "$1/stderr"
		return 1
	fi
	if [ -e "$1/out" ] || ls -a "$1" | grep -q staging; then
		echo "a failed build left output behind"
		return 1
	fi
}

# expect_ok DIR: builds with exit 0 and nothing on stderr.
expect_ok() {
	site_build "$1" || return 1
	if [ "$rc" != 0 ] || [ -s "$1/stderr" ]; then
		echo "exit $rc, want 0"
		head -20 "$1/stderr"
		return 1
	fi
}
