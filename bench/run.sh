#!/bin/bash
# bench/run.sh [SIZE...]: the benchmark of issue 7 (make bench).
#
# For each size (default 1000 10000 100000 questions) it writes a synthetic
# Chinese FAQ (bench/gen-corpus.c) into a fresh folder and builds it with
# faqgen, with Hugo (a minimal site of equal function, bench/hugo-site/) and
# with the floor (bench/floor.c: read, md4c-html, write), interleaved, RUNS
# times each, and prints the medians of wall time, CPU time (user + system)
# and peak memory (max RSS), the ratios faqgen/Hugo and faqgen/floor, the
# write floor (bench/write-floor.c: faqgen's own output files written again
# on 2 threads with nothing computed, interleaved with the runs), the
# time, files and bytes written by a faqgen rebuild with nothing changed
# and after one answer changed, and the size of the search index.
#
# Every timed run writes into a new folder that does not exist yet, after a
# sync, with the content in the page cache.  Nothing is deleted until all
# sizes are done (deleting a large tree slows file creation for minutes).
#
# Environment:
#   RUNS=5            runs per tool and size
#   TOOLS="faqgen hugo floor"   which builders to time
#   HUGO_RELATED=1    Hugo also computes related questions (related.toml)
#   FAQGEN_FLAGS=     extra flags for faqgen build (e.g. --jobs 1)
#   KEEP=1            keep corpora and outputs under bench/corpus, bench/out
# `sh bench/run.sh` works too: the shell hands over to bash at once.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -eu

cd "$(dirname "$0")/.."
root=$PWD
RUNS=${RUNS:-5}
TOOLS=${TOOLS:-faqgen hugo floor}
KEEP=${KEEP:-0}
HUGO_RELATED=${HUGO_RELATED:-0}
FAQGEN_FLAGS=${FAQGEN_FLAGS:-}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)

say() { printf '%s\n' "$*"; }
warn() { printf 'bench: %s\n' "$*" >&2; }

# ------------------------------------------------------------ tools

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
need=()
command -v cc >/dev/null || need+=(gcc)
command -v pkg-config >/dev/null || need+=(pkg-config)
pkg-config --exists md4c-html 2>/dev/null || need+=(libmd4c-html0-dev)
[ -x /usr/bin/time ] || need+=(time)
case " $TOOLS " in
*" hugo "*) command -v hugo >/dev/null || need+=(hugo) ;;
esac
if [ ${#need[@]} -gt 0 ]; then
	say "bench: installing ${need[*]}"
	$sudo apt-get update -qq >/dev/null 2>&1 || true
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    "${need[@]}" >/dev/null 2>&1 || warn "could not install ${need[*]}"
fi

bin=bench/out/bin
mkdir -p "$bin"
CFLAGS="-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra"
cc $CFLAGS -o "$bin/gen-corpus" bench/gen-corpus.c
cc $CFLAGS -o "$bin/floor" bench/floor.c $(pkg-config --cflags --libs md4c-html)
cc $CFLAGS -o "$bin/probe" bench/probe.c
cc $CFLAGS -pthread -o "$bin/write-floor" bench/write-floor.c
# The search figures need it: a build failure stops the bench, rather
# than leaving those figures out without a word.
cc $CFLAGS -Igenerator -o "$bin/query-bytes" bench/query-bytes.c \
    generator/tokenize.c generator/util.c generator/buf.c generator/diag.c

tools=()
for t in $TOOLS; do
	case $t in
	faqgen)
		if [ ! -x generator/faqgen ] && [ -f Makefile ]; then
			make -s generator/faqgen >/dev/null 2>&1 || true
		fi
		if [ -x generator/faqgen ]; then
			tools+=(faqgen)
		else
			warn "generator/faqgen does not build yet: skipping faqgen"
		fi ;;
	hugo)
		if command -v hugo >/dev/null; then
			tools+=(hugo)
		else
			warn "hugo is not installed: skipping Hugo"
		fi ;;
	floor)
		tools+=(floor) ;;
	*)
		warn "unknown tool $t"; exit 2 ;;
	esac
done

hugo_config=config.toml
[ "$HUGO_RELATED" = 1 ] && hugo_config=config.toml,related.toml

# ------------------------------------------------------------ helpers

tag=$(date +%Y%m%d-%H%M%S).$$
corpora=()
outs=()
cleanup() {
	[ "$KEEP" = 1 ] && return
	# Only our own folders of this run.
	for d in "${corpora[@]}" "${outs[@]}"; do
		rm -rf "$d"
	done
	rm -f bench/hugo-site/.hugo_build.lock
}
trap cleanup EXIT
trap 'exit 130' INT TERM

median() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) print "nan";
		else if (NR % 2) print v[(NR + 1) / 2];
		else {
			m = (v[NR / 2] + v[NR / 2 + 1]) / 2;
			if (m == int(m)) print m; else printf "%.3f\n", m
		} }'
}

# run TOOL CONTENT OUT: one build; prints "wall cpu maxrss_kb".
run() {
	local tool=$1 content=$2 out=$3 tf=$4
	local -a cmd
	case $tool in
	faqgen) cmd=(generator/faqgen build --config bench/site.ini
	    --content "$content" --output "$out" --quiet $FAQGEN_FLAGS) ;;
	hugo) cmd=(hugo --quiet --source bench/hugo-site
	    --config "$hugo_config" --contentDir "$root/$content"
	    --destination "$root/$out") ;;
	floor) cmd=("$bin/floor" "$content" "$out") ;;
	esac
	if ! /usr/bin/time -f '%e %U %S %M %O' -o "$tf" "${cmd[@]}" \
	    >"$tf.log" 2>&1; then
		warn "$tool failed on $content:"
		tail -20 "$tf.log" >&2
		return 1
	fi
	# wall, cpu, peak KB, MB written (the blocks the run dirtied, the
	# build states beside the output included)
	awk '{ printf "%s %.2f %s %.0f\n", $1, $2 + $3, $4, $5 * 512 / 1e6 }' \
	    "$tf"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (b + 0 == 0 || a == "nan" || b == "nan") print "-";
		else printf "%.3f", a / b }'
}

# ------------------------------------------------------------ sizes

say "bench: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), $(uname -sr), $(date -u +%Y-%m-%d)"
say "bench: tools ${tools[*]}; $RUNS runs each, interleaved; medians"
for t in "${tools[@]}"; do
	case $t in
	hugo) say "bench: $(hugo version | cut -d' ' -f1-2)$([ "$HUGO_RELATED" = 1 ] && echo ', with related questions')" ;;
	faqgen) say "bench: $(generator/faqgen --version 2>&1 | head -1) $FAQGEN_FLAGS" ;;
	esac
done

for n in "${sizes[@]}"; do
	case $n in
	''|*[!0-9]*) warn "not a size: $n"; exit 2 ;;
	esac
	content=bench/corpus/$n.$tag
	outdir=bench/out/$n.$tag
	corpora+=("$content")
	outs+=("$outdir")
	mkdir -p bench/corpus "$outdir"
	"$bin/gen-corpus" -w bench/words.txt "$n" "$content"
	files=$(find "$content" -type f | wc -l)
	mb=$(du -sm "$content" | cut -f1)
	say ""
	say "== $n questions: $files files, $mb MB of Markdown"

	# Warm the page cache: the content and the programs.
	find "$content" -type f -print0 | xargs -0 cat >/dev/null
	for t in "${tools[@]}"; do
		case $t in
		hugo) cat "$(command -v hugo)" >/dev/null ;;
		faqgen) cat generator/faqgen >/dev/null ;;
		esac
	done

	# What creating a file costs now (bench/probe.c): it moves from hour
	# to hour on this disk, and every tool pays it per file.
	sync
	say "before the runs, $("$bin/probe" "$outdir/probe.before")"
	for i in $(seq 1 "$RUNS"); do
		for t in "${tools[@]}"; do
			out=$outdir/$t.$i
			sync
			if ! run "$t" "$content" "$out" "$outdir/$t.$i.time" \
			    >>"$outdir/$t.times"; then
				exit 1
			fi
		done
		# The write floor: faqgen's first output written again,
		# nothing computed (bench/write-floor.c), 2 threads.
		if [ -d "$outdir/faqgen.1" ]; then
			sync
			"$bin/write-floor" "$outdir/faqgen.1" \
			    "$outdir/write.$i" 2 >>"$outdir/write.times" ||
			    exit 1
		fi
	done

	sync
	say "after the runs, $("$bin/probe" "$outdir/probe.after")"
	printf '%-8s %9s %9s %12s %9s\n' tool 'wall s' 'cpu s' 'peak MB' files
	declare -A W C M
	for t in "${tools[@]}"; do
		W[$t]=$(cut -d' ' -f1 "$outdir/$t.times" | median)
		C[$t]=$(cut -d' ' -f2 "$outdir/$t.times" | median)
		M[$t]=$(cut -d' ' -f3 "$outdir/$t.times" | median |
		    awk '{ printf "%.1f", $1 / 1024 }')
		printf '%-8s %9s %9s %12s %9s\n' "$t" "${W[$t]}" "${C[$t]}" \
		    "${M[$t]}" "$(find "$outdir/$t.1" -type f | wc -l)"
	done
	for other in hugo floor; do
		if [ -n "${W[faqgen]:-}" ] && [ -n "${W[$other]:-}" ]; then
			say "faqgen/$other: wall $(ratio "${W[faqgen]}" "${W[$other]}"), cpu $(ratio "${C[faqgen]}" "${C[$other]}"), peak memory $(ratio "${M[faqgen]}" "${M[$other]}")"
		fi
	done
	if [ -s "$outdir/write.times" ]; then
		ww=$(sed 's/.*: \([0-9.]*\) s wall.*/\1/' "$outdir/write.times" |
		    median)
		wc=$(sed 's/.* wall, \([0-9.]*\) s cpu.*/\1/' \
		    "$outdir/write.times" | median)
		say "write floor (faqgen's files, nothing computed, 2 threads): wall $ww s, cpu $wc s; faqgen/write floor $(ratio "${W[faqgen]}" "$ww")${W[floor]:+, write floor/floor $(ratio "$ww" "${W[floor]}")}"
	fi

	if [ -n "${W[faqgen]:-}" ]; then
		# Rebuilds into the output of the last full build.
		out=$outdir/faqgen.$RUNS
		: >"$outdir/same.times"
		: >"$outdir/same.files"
		for i in $(seq 1 "$RUNS"); do
			touch "$outdir/stamp"
			sync
			run faqgen "$content" "$out" "$outdir/same.time" \
			    >>"$outdir/same.times" || exit 1
			find "$out" -type f -newer "$outdir/stamp" | wc -l \
			    >>"$outdir/same.files"
		done
		changed=$(find "$content" -name 'q-*.md' | sort |
		    sed -n "$(( (n + 1) / 2 ))p")
		: >"$outdir/one.times"
		: >"$outdir/one.files"
		for i in $(seq 1 "$RUNS"); do
			printf '\n补充说明：本条答复已第%d次修订。\n' "$i" >>"$changed"
			touch "$outdir/stamp"
			sync
			run faqgen "$content" "$out" "$outdir/one.time" \
			    >>"$outdir/one.times" || exit 1
			find "$out" -type f -newer "$outdir/stamp" | wc -l \
			    >>"$outdir/one.files"
		done
		sw=$(cut -d' ' -f1 "$outdir/same.times" | median)
		ow=$(cut -d' ' -f1 "$outdir/one.times" | median)
		say "faqgen rebuild, nothing changed: wall $sw s ($(ratio "$sw" "${W[faqgen]}") of a full build), cpu $(cut -d' ' -f2 "$outdir/same.times" | median) s, files written $(median <"$outdir/same.files"), $(cut -d' ' -f4 "$outdir/same.times" | median) MB written"
		say "faqgen rebuild, one answer changed (${changed#"$content"/}): wall $ow s ($(ratio "$ow" "${W[faqgen]}") of a full build), cpu $(cut -d' ' -f2 "$outdir/one.times" | median) s, files written $(median <"$outdir/one.files"), $(cut -d' ' -f4 "$outdir/one.times" | median) MB written (build states included); each run: $(cut -d' ' -f1 "$outdir/one.times" | tr '\n' ' ')s (the first after a full build links every file into a new tree; later ones update the spare)"
		search=$out/search
		if [ -f "$search/manifest.js" ]; then
			say "search index: $(du -sb "$search" | cut -f1) bytes in $(find "$search" -type f | wc -l) files"
			# 100 question titles of the corpus, as queries.
			find "$content" -name 'q-*.md' | sort |
			    awk -v s=$(( (n + 99) / 100 )) 'NR % s == 1' |
			    xargs sed -n 's/^title: "\(.*\)"$/\1/p' |
			    "$bin/query-bytes" "$search"
			dev=$root/../shared/search/dev-queries.tsv
			if [ -f "$dev" ]; then
				printf '(dev-queries.tsv) '
				"$bin/query-bytes" "$search" <"$dev"
			fi
			# What search.js loads, and how well it ranks
			# titles typed with one character wrong.
			if command -v node >/dev/null; then
				python3 "$root/bench/typo-queries.py" \
				    "$content" >"$outdir/typo.tsv"
				cut -f2 "$outdir/typo.tsv" >"$outdir/titles.tsv"
				for qs in "$outdir/titles.tsv" "$outdir/typo.tsv" \
				    ${dev:+"$dev"}; do
					[ -f "$qs" ] || continue
					printf '(%s) ' "${qs##*/}"
					node "$root/bench/search-bytes.js" \
					    "$out" "$qs" | sed -n 2p
				done
				node "$root/bench/search-titles.js" \
				    "$out" "$outdir/typo.tsv"
			fi
		else
			say "search index: TODO no $search/manifest.js: bytes per query not measured"
		fi
	fi
	unset W C M
done
