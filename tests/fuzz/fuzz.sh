#!/bin/sh
# libFuzzer harnesses for every parser of untrusted text.
#   sh tests/fuzz/fuzz.sh build           build tests/build/fuzz/fuzz_*
#   sh tests/fuzz/fuzz.sh seed            fill the corpora from the test sites
#   sh tests/fuzz/fuzz.sh run [SECONDS] [TARGET...]
#                                         fuzz each target SECONDS (default
#                                         60), two at a time (2 cores)
# Targets: frontmatter template render tokenize config.  Crashes land in
# tests/build/fuzz/crash-TARGET-*; the log of each run in
# tests/build/fuzz/TARGET.log (its last "cov:" line is the coverage).
set -eu
CC=${FUZZ_CC:-clang}
B=tests/build/fuzz
PKGS="md4c libxml-2.0 yaml-0.1"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer
    -fsanitize=address,undefined -fno-sanitize-recover=all
    -Igenerator -I/usr/include/iniparser $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -liniparser -lm -pthread"
TARGETS="frontmatter template render tokenize config"
# The pipeline's in-memory stages and what they need; not the commands.
# (make fuzz-smoke links the harnesses against the same list, so a module
# missing here fails make test.)
MODULES="buf config diag escape frontmatter link load page_state pool
    publish render template tokenize util"

build() {
	mkdir -p "$B/obj"
	for m in $MODULES; do
		c=generator/$m.c
		o="$B/obj/$m.o"
		if [ ! -f "$o" ] || [ "$c" -nt "$o" ] ||
		    [ generator/faqgen.h -nt "$o" ]; then
			# shellcheck disable=SC2086
			$CC $CFLAGS -fsanitize=fuzzer-no-link -c -o "$o" "$c"
		fi
	done
	objs=$(for m in $MODULES; do printf '%s ' "$B/obj/$m.o"; done)
	for t in $TARGETS; do
		# shellcheck disable=SC2086
		$CC $CFLAGS -fsanitize=fuzzer -o "$B/fuzz_$t" \
		    "tests/fuzz/fuzz_$t.c" $objs $LIBS
	done
	echo "fuzz: built $(echo $TARGETS | wc -w) harnesses in $B/"
}

seed() {
	python3 tests/fuzz/seed.py "$B/corpus"
}

run() {
	secs=${1:-60}
	[ $# -gt 0 ] && shift
	list=${*:-$TARGETS}
	[ -d "$B/corpus" ] || seed
	running=0
	for t in $list; do
		mkdir -p "$B/corpus/$t"
		"$B/fuzz_$t" -max_total_time="$secs" -max_len=65536 \
		    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		    -artifact_prefix="$B/crash-$t-" "$B/corpus/$t" \
		    >"$B/$t.log" 2>&1 &
		running=$((running + 1))
		if [ "$running" -ge 2 ]; then
			wait
			running=0
		fi
	done
	wait
	for t in $list; do
		printf '%-12s %s\n' "$t" "$(summary "$t")"
	done
	if ls "$B"/crash-* >/dev/null 2>&1; then
		echo "fuzz: crashes found:"; ls "$B"/crash-*
		return 1
	fi
}

# executions, seconds and the last coverage figure of a run
summary() {
	log="$B/$1.log"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	secs=$(sed -n 's/^stat::.*//;s/.*Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1)
	corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -1)
	echo "execs ${execs:-?}, ${secs:-?} s, $cov, $ft, $corp"
}

case ${1:-} in
modules) echo $MODULES ;;
build) build ;;
seed) seed ;;
run) shift; build; run "$@" ;;
*) echo "usage: fuzz.sh build | seed | run [SECONDS] [TARGET...] | modules" >&2
   exit 2 ;;
esac
