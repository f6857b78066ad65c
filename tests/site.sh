#!/bin/sh
# Whole-site checks on the real FAQ in content/: built into a temporary
# folder, then validated step by step.  Each step prints one line; the
# script fails at the end if any step failed.
#   FAQGEN   the binary (default generator/faqgen)
#   SEED     the FAQ source text (fidelity test; skipped when absent)
#   QUERIES  the development search queries (skipped when absent)
#   SCHEMA   the sitemaps.org schema
set -u
FAQGEN=${FAQGEN:-generator/faqgen}
SEED=${SEED:-../shared/seed/000_71fd8b6df9f16924.txt}
QUERIES=${QUERIES:-../shared/search/dev-queries.tsv}
SCHEMA=${SCHEMA:-../shared/schemas/sitemap.xsd}
export TZ=UTC LC_ALL=C.UTF-8
tmp=$(mktemp -d "${TMPDIR:-/tmp}/faqgen-site.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
site="$tmp/public"
pass=0
fail=0

step() {
	name=$1
	shift
	if "$@" >"$tmp/step.log" 2>&1; then
		echo "ok   $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name"
		sed 's/^/    /' "$tmp/step.log" | tail -40
		fail=$((fail + 1))
	fi
}

build_site() {
	$FAQGEN build --output "$site" --quiet
}

sitemap_valid() {
	[ -f "$SCHEMA" ] || { echo "no schema at $SCHEMA"; return 1; }
	xmllint --noout --schema "$SCHEMA" "$site/sitemap.xml"
}

links_resolve() {
	tests/build/linkcheck "$site"
}

json_parses() {
	for f in $(find "$site" -name '*.json'); do
		python3 -m json.tool "$f" >/dev/null || { echo "$f"; return 1; }
	done
}

deterministic() {
	$FAQGEN build --output "$tmp/a" --quiet --jobs 1 &&
	$FAQGEN build --output "$tmp/b" --quiet --jobs 4 &&
	diff -r "$tmp/a" "$tmp/b" && diff -r "$tmp/a" "$site"
}

unchanged_rebuild() {
	# A second build of the same sources writes nothing.
	find "$site" -type f -exec stat -c '%i %Y %n' {} + | sort >"$tmp/before"
	out=$($FAQGEN build --output "$site" 2>&1) || return 1
	echo "$out"
	find "$site" -type f -exec stat -c '%i %Y %n' {} + | sort >"$tmp/after"
	cmp "$tmp/before" "$tmp/after" && echo "$out" | grep -q ' 0 added, 0 changed,'
}

fidelity() {
	python3 tests/fidelity.py "$SEED" "$site"
}

step "build content/" build_site
step "sitemap valid against sitemap.xsd" sitemap_valid
step "every internal link and fragment resolves" links_resolve
step "every JSON file parses" json_parses
step "byte-identical with 1 and 4 jobs" deterministic
step "rebuild with nothing changed writes nothing" unchanged_rebuild
step "every sentence of the source is on the site" fidelity

echo "site: $pass passed, $fail failed"
[ "$fail" = 0 ]
