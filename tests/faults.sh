#!/bin/sh
# Faults: a build killed at random moments, or whose writes fail, leaves
# the previous output byte-identical (compared as a checksum listing) and
# the next build cleans up; a read-only output folder, a full disk, a
# missing layouts/ or site.ini are clear errors.  Each step prints one line.
#   FAQGEN         the binary (default generator/faqgen)
#   FAULT_PAGES    questions in the synthetic site killed (default 1000)
#   FAULT_KILLS    SIGKILL trials (default 50)
#   FAULT_WRITES   failing-write trials (default 40)
#   FAULT_SEED     seed of the random delays and call numbers (default: time)
# The synthetic sites come from bench/gen-corpus.c; failing writes from the
# LD_PRELOAD shim tests/faults/failio.c; the tmpfs steps need root (mount)
# and are skipped without it.
set -u
FAQGEN=${FAQGEN:-generator/faqgen}
PAGES=${FAULT_PAGES:-1000}
KILLS=${FAULT_KILLS:-50}
WRITES=${FAULT_WRITES:-40}
SEED=${FAULT_SEED:-$(date +%s)}
CC=${CC:-cc}
export TZ=UTC LC_ALL=C.UTF-8
tmp=$(mktemp -d "${TMPDIR:-/tmp}/faqgen-faults.XXXXXX")
mounts=""
cleanup() {
	for m in $mounts; do umount "$m" 2>/dev/null; done
	chmod -R u+w "$tmp" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
pass=0
fail=0
ini=bench/site.ini
echo "faults: seed $SEED"

step() {
	name=$1
	shift
	if "$@" >"$tmp/step.log" 2>&1; then
		echo "ok   $name$(tail -1 "$tmp/step.log" | sed -n 's/^=> / (/p' | sed 's/$/)/;s/^ ($//')"
		pass=$((pass + 1))
	else
		echo "FAIL $name"
		sed 's/^/    /' "$tmp/step.log" | tail -30
		fail=$((fail + 1))
	fi
}

# A checksum of every file, by path: equal listings, byte-identical trees.
listing() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r md5sum) \
	    2>/dev/null
}

# Random integer in [0, $1) for draw number $2, from the seed.
rand() {
	awk -v s="$SEED" -v k="$2" -v m="$1" \
	    'BEGIN { srand(s + k * 7919); print int(rand() * m) }'
}

build() {	# build CONTENT OUT [more options]
	c=$1 o=$2
	shift 2
	# shellcheck disable=SC2086
	$FAQGEN build --config "$ini" --content "$c" --output "$o" --quiet "$@"
}

# A build of CONTENT into OUT, SIGKILLed after DELAY ms; the output's
# listing is then in $tmp/L.now.
killed_build() {	# killed_build CONTENT OUT DELAY
	# Not through build(): $! must be faqgen itself.
	# shellcheck disable=SC2086
	$FAQGEN build --config "$ini" --content "$1" --output "$2" \
	    --quiet 2>/dev/null &
	pid=$!
	sleep "$(awk -v d="$3" 'BEGIN { printf "%.3f", d / 1000 }')"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	listing "$2" >"$tmp/L.now"
}

# After killed_build: $tmp/L.now must be the listing $tmp/L.$cur (counted
# in kept) or $tmp/L.NEXT, which becomes cur (counted in done).
settle() {	# settle NEXT TRIAL DELAY
	if cmp -s "$tmp/L.now" "$tmp/L.$cur"; then
		kept=$((kept + 1))
	elif cmp -s "$tmp/L.now" "$tmp/L.$1"; then
		done=$((done + 1))
		cur=$1
	else
		echo "trial $2: killed after $3 ms: output is neither"
		diff "$tmp/L.$cur" "$tmp/L.now" | head -5
		return 1
	fi
}

setup() {
	$CC -O2 -o "$tmp/gen-corpus" bench/gen-corpus.c &&
	$CC -O2 -shared -fPIC -o "$tmp/failio.so" tests/faults/failio.c -ldl &&
	"$tmp/gen-corpus" -s 1 -w bench/words.txt "$PAGES" "$tmp/A" &&
	"$tmp/gen-corpus" -s 2 -w bench/words.txt "$PAGES" "$tmp/B" &&
	"$tmp/gen-corpus" -s 3 -w bench/words.txt 150 "$tmp/a" &&
	"$tmp/gen-corpus" -s 4 -w bench/words.txt 150 "$tmp/b" &&
	cp -r "$tmp/a" "$tmp/c" &&
	f=$(find "$tmp/c" -name 'q-*.md' | sort | head -1) &&
	printf '\nOne more sentence.\n' >>"$f"
}

# SIGKILL at a random moment of a build that replaces A's output by B's
# (or back): the output is always one whole listing, never a mixture; a
# killed build's staging folder is removed by the next build.
kill_trials() {
	build "$tmp/B" "$tmp/refB" || return 1
	listing "$tmp/refB" >"$tmp/L.B"
	rm -rf "$tmp/refB"
	t0=$(date +%s%N)
	build "$tmp/A" "$tmp/out" || return 1
	ms=$((($(date +%s%N) - t0) / 1000000))
	listing "$tmp/out" >"$tmp/L.A"
	echo "full build of $PAGES questions: $ms ms, $(wc -l <"$tmp/L.A") files"
	cur=A kept=0 done=0 stale=0 i=0
	while [ "$i" -lt "$KILLS" ]; do
		i=$((i + 1))
		if [ "$cur" = A ]; then next=B; else next=A; fi
		delay=$(rand $((ms * 13 / 10 + 1)) "$i")
		killed_build "$tmp/$next" "$tmp/out" "$delay"
		settle "$next" "$i" "$delay" || return 1
		[ -d "$tmp/.out.staging" ] && stale=$((stale + 1))
	done
	# The next build finishes, cleans up, and gives the other listing.
	if [ "$cur" = A ]; then next=B; else next=A; fi
	build "$tmp/$next" "$tmp/out" || return 1
	listing "$tmp/out" | cmp -s - "$tmp/L.$next" || {
		echo "the build after the kills differs"; return 1; }
	if ls -a "$tmp" | grep -q -e '^\.out\.staging' -e '^\.out\.old'; then
		echo "left behind:"; ls -a "$tmp"; return 1
	fi
	# The old output stays as the spare the next build updates in
	# place: whole, with its manifest, exactly the listing before.
	[ -f "$tmp/.out.spare.manifest" ] && listing "$tmp/.out.spare" |
	    cmp -s - "$tmp/L.$cur" || {
		echo "the spare is not the previous output"; return 1; }
	echo "=> $KILLS kills: $kept before the swap, $done after, $stale left a staging folder, all cleaned up"
}

# SIGKILL at a random moment of a rebuild after one answer changed, which
# appends to the page state in place: the output is always one whole
# listing, and whatever state a kill left, the next build's output is a
# fresh build's; the build after that takes every other page from the
# state again.
kill_edits() {	# (ver, not c: build() sets c)
	rm -rf "$tmp/E" && cp -r "$tmp/A" "$tmp/E" || return 1
	f=$(find "$tmp/E" -name 'q-*.md' | sort | sed -n 2p)
	cp "$f" "$tmp/E.0" && cp "$f" "$tmp/E.1" &&
	    printf '\n补充说明：本条答复已修订。\n' >>"$tmp/E.1" || return 1
	for v in 0 1; do
		cp "$tmp/E.$v" "$f" && build "$tmp/E" "$tmp/refE" || return 1
		listing "$tmp/refE" >"$tmp/L.E$v"
		rm -rf "$tmp/refE" "$tmp"/.refE.*
	done
	cmp -s "$tmp/L.E0" "$tmp/L.E1" && { echo "the edit shows nowhere"; return 1; }
	cp "$tmp/E.0" "$f" && build "$tmp/E" "$tmp/eo" || return 1
	cp "$tmp/E.1" "$f" || return 1
	t0=$(date +%s%N)
	build "$tmp/E" "$tmp/eo" || return 1
	ms=$((($(date +%s%N) - t0) / 1000000))
	cur=E1 ver=1 kept=0 done=0 i=0
	while [ "$i" -lt "$KILLS" ]; do
		i=$((i + 1))
		ver=$((1 - ver))
		cp "$tmp/E.$ver" "$f" || return 1
		delay=$(rand $((ms * 13 / 10 + 1)) "$((i + 1000))")
		killed_build "$tmp/E" "$tmp/eo" "$delay"
		settle "E$ver" "$i" "$delay" || return 1
	done
	# The build after the kills finishes as a fresh build would.
	rm -f "$tmp/.eo.inputs"
	build "$tmp/E" "$tmp/eo" || return 1
	listing "$tmp/eo" | cmp -s - "$tmp/L.E$ver" || {
		echo "the build after the kills differs from a fresh one"
		return 1; }
	# And the state serves again: one edit, one page rendered.
	ver=$((1 - ver))
	cp "$tmp/E.$ver" "$f" || return 1
	rendered=$(FAQGEN_TIMING=1 build "$tmp/E" "$tmp/eo" 2>&1 |
	    sed -n 's/^faqgen: render: \([0-9]*\) of .*/\1/p')
	listing "$tmp/eo" | cmp -s - "$tmp/L.E$ver" || {
		echo "the edit after differs from a fresh build"; return 1; }
	[ "$rendered" = 1 ] || {
		echo "the edit after rendered ${rendered:-?} pages, want 1"
		return 1; }
	echo "=> $KILLS kills of a $ms ms rebuild: $kept before the swap, $done after; then as a fresh build, and one page rendered for the next edit"
}

# failio.so: the first N file-system calls succeed, then every one fails.
# Replacing a's output by b's (all files change) and by c's (one changes,
# the rest are hard-linked): exit 3, a clear message, output unchanged,
# no staging folder left.
faulty() {	# faulty CONTENT N ERRNO OPS; the calls made in $tmp/w.calls
	FAULT_AFTER=$2 FAULT_ERRNO=$3 FAULT_OPS=$4 FAULT_COUNT=1 \
	    LD_PRELOAD="$tmp/failio.so" build "$1" "$tmp/w" \
	    2>"$tmp/w.err" </dev/null
	_rc=$?
	sed -n 's/^failio: \([0-9]*\) calls/\1/p' "$tmp/w.err" >"$tmp/w.calls"
	sed -i '/^failio: [0-9]* calls$/d' "$tmp/w.err"
	return $_rc
}

write_trials() {
	for v in b c; do
		build "$tmp/$v" "$tmp/ref" || return 1
		listing "$tmp/ref" >"$tmp/L.$v"
		rm -rf "$tmp/ref" "$tmp/.ref.inputs"
	done
	build "$tmp/a" "$tmp/w" || return 1
	listing "$tmp/w" >"$tmp/L.a"
	ops=write,open,mkdir,link,rename
	# A one-answer build (c) over a's output takes the spare tree and
	# makes far fewer calls than the probe over a copy (a full build):
	# after the first, N is drawn below the calls such a build made.
	i=0 benign=0 missed=0 failed=0 c_calls=
	while [ "$i" -lt "$WRITES" ]; do
		i=$((i + 1))
		case $((i % 4)) in
		0) src=c errno=EIO ;;
		1) src=b errno=ENOSPC ;;
		2) src=c errno=ENOSPC ;;
		3) src=b errno=EDQUOT ;;
		esac
		total=$(FAULT_COUNT=1 FAULT_OPS=$ops LD_PRELOAD="$tmp/failio.so" \
		    $FAQGEN check --config "$ini" --content "$tmp/$src" \
		    --quiet 2>&1 >/dev/null | sed -n 's/^failio: \([0-9]*\) calls/\1/p')
		[ "$i" = 1 ] && echo "check writes nothing: $total counted calls"
		[ "${total:-1}" = 0 ] || { echo "check made $total calls"; return 1; }
		# Count the calls of the same build over a copy of a's
		# output; any N below the count fails something.
		rm -rf "$tmp/probe" "$tmp/.probe.inputs"
		cp -a "$tmp/w" "$tmp/probe"
		[ -e "$tmp/.w.inputs" ] && cp -a "$tmp/.w.inputs" "$tmp/.probe.inputs"
		total=$(FAULT_COUNT=1 FAULT_OPS=$ops LD_PRELOAD="$tmp/failio.so" \
		    build "$tmp/$src" "$tmp/probe" 2>&1 | sed -n 's/^failio: \([0-9]*\) calls/\1/p')
		rm -rf "$tmp/probe" "$tmp/.probe.inputs"
		[ "$src" = c ] && [ -n "$c_calls" ] && total=$c_calls
		n=$(rand "$total" "$i")
		faulty "$tmp/$src" "$n" "$errno" "$ops"
		rc=$?
		calls=$(cat "$tmp/w.calls")
		[ "$src" = c ] && c_calls=$calls
		if [ "$rc" = 0 ] && listing "$tmp/w" | cmp -s - "$tmp/L.$src"
		then
			# No call failed (the build made no more than N), or
			# one after the swap, on a best-effort state file:
			# the new output is whole.  Back to a's.
			if [ "${calls:-0}" -le "$n" ]; then
				missed=$((missed + 1))
			else
				benign=$((benign + 1))
			fi
			build "$tmp/a" "$tmp/w" || return 1
			continue
		fi
		failed=$((failed + 1))
		if [ "$rc" != 3 ]; then
			echo "trial $i ($src, fail after $n of $total, $errno): exit $rc, want 3"
			cat "$tmp/w.err"
			return 1
		fi
		if ! grep -q -e 'No space left on device' -e 'Input/output error' \
		    -e 'Disk quota exceeded' "$tmp/w.err" ||
		    ! grep -q '^[^ ]*/[^ ]*: ' "$tmp/w.err"; then
			echo "trial $i: unclear message:"; cat "$tmp/w.err"; return 1
		fi
		listing "$tmp/w" | cmp -s - "$tmp/L.a" || {
			echo "trial $i ($src, fail after $n): output changed"
			return 1; }
		if ls -a "$tmp" | grep -q -e '^\.w\.staging' -e '^\.w\.old'; then
			echo "trial $i: staging left behind"; return 1
		fi
	done
	# The swap itself fails.
	faulty "$tmp/b" 0 EIO rename
	[ $? = 3 ] && listing "$tmp/w" | cmp -s - "$tmp/L.a" || {
		echo "failed rename:"; cat "$tmp/w.err"; return 1; }
	# Writes fail and so does the clean-up: staging stays, the next
	# build removes it.
	faulty "$tmp/b" 50 ENOSPC write,unlink
	[ $? = 3 ] && listing "$tmp/w" | cmp -s - "$tmp/L.a" || {
		echo "failed clean-up:"; cat "$tmp/w.err"; return 1; }
	left=$(ls -a "$tmp" | grep -c '^\.w\.staging')
	build "$tmp/b" "$tmp/w" || return 1
	if ls -a "$tmp" | grep -q -e '^\.w\.staging' -e '^\.w\.old'; then
		echo "stale staging not cleaned up"; return 1
	fi
	# Most trials must fail the build, or the step proves little.
	[ $((failed * 2)) -ge "$WRITES" ] || {
		echo "only $failed of $WRITES trials failed the build"; return 1; }
	echo "=> $WRITES failing-write trials: $failed failed the build (exit 3, output unchanged), $benign failed a call after the swap (harmless), $missed made no more calls than N; plus a failed swap and a failed clean-up ($left staging left, then cleaned)"
}

# Each rename of a build failing in turn (the swap, the manifest put in
# place after it, the states): whatever one failure leaves, the output is
# a whole listing and the next build takes it over, never refusing it as
# a folder faqgen did not make.  A kill between the swap and the last
# rename leaves the same as its failure, but a kill lands there by luck.
rename_trials() {
	rm -rf "$tmp/r" "$tmp"/.r.*
	build "$tmp/a" "$tmp/r" || return 1
	listing "$tmp/r" >"$tmp/L.a"
	FAULT_COUNT=1 FAULT_OPS=rename LD_PRELOAD="$tmp/failio.so" \
	    build "$tmp/b" "$tmp/probe" 2>"$tmp/r.err"
	total=$(sed -n 's/^failio: \([0-9]*\) calls/\1/p' "$tmp/r.err")
	listing "$tmp/probe" >"$tmp/L.b"
	rm -rf "$tmp/probe" "$tmp"/.probe.*
	[ "${total:-0}" -ge 3 ] || { echo "only ${total:-0} renames"; return 1; }
	cur=a n=0 failed=0
	while [ "$n" -lt "$total" ]; do
		if [ "$cur" = a ]; then next=b; else next=a; fi
		FAULT_AFTER=$n FAULT_OPS=rename LD_PRELOAD="$tmp/failio.so" \
		    build "$tmp/$next" "$tmp/r" 2>"$tmp/r.err" </dev/null
		rc=$?
		listing "$tmp/r" >"$tmp/L.now"
		if cmp -s "$tmp/L.now" "$tmp/L.$next"; then
			cur=$next
		elif [ "$rc" = 0 ] || ! cmp -s "$tmp/L.now" "$tmp/L.$cur"; then
			echo "rename $n failing: exit $rc, output is neither"
			cat "$tmp/r.err"; return 1
		else
			failed=$((failed + 1))
		fi
		# The next build goes on from whatever was left.
		if [ "$cur" = a ]; then next=b; else next=a; fi
		build "$tmp/$next" "$tmp/r" || {
			echo "the build after rename $n failed"; return 1; }
		listing "$tmp/r" | cmp -s - "$tmp/L.$next" || {
			echo "the build after rename $n differs"; return 1; }
		cur=$next
		n=$((n + 1))
	done
	echo "=> $total renames failed in turn: $failed failed the build, $((total - failed)) came after the swap; every next build went on"
}

can_mount() {
	[ "$(id -u)" = 0 ] || return 1
	mkdir -p "$tmp/m" && mount -t tmpfs -o size=64k tmpfs "$tmp/m" \
	    2>/dev/null || return 1
	umount "$tmp/m"
}

# A full disk: a small tmpfs holds a's output but not b's as well.
full_disk() {
	if ! can_mount; then
		echo "=> skipped: needs root and mount"
		return 0
	fi
	mkdir -p "$tmp/full"
	build "$tmp/a" "$tmp/probe" || return 1
	kb=$(du -sk "$tmp/probe" | cut -f1)
	rm -rf "$tmp/probe"
	mount -t tmpfs -o size=$((kb * 3 / 2))k tmpfs "$tmp/full" || return 1
	mounts="$tmp/full $mounts"
	build "$tmp/a" "$tmp/full/public" || return 1
	listing "$tmp/full/public" >"$tmp/L.full"
	build "$tmp/b" "$tmp/full/public" 2>"$tmp/full.err"
	rc=$?
	head -3 "$tmp/full.err"
	[ "$rc" = 3 ] || { echo "exit $rc, want 3"; return 1; }
	grep -q 'No space left on device' "$tmp/full.err" || return 1
	listing "$tmp/full/public" | cmp -s - "$tmp/L.full" || return 1
	[ "$(ls -a "$tmp/full" | grep -c -e '^\.public\.staging' \
	    -e '^\.public\.old')" = 0 ] || return 1
	umount "$tmp/full"
	mounts=""
	echo "=> ${kb} KB site on a $((kb * 3 / 2)) KB tmpfs"
}

# A read-only output folder: a read-only tmpfs (root), else chmod.
read_only() {
	mkdir -p "$tmp/ro"
	if can_mount; then
		mount -t tmpfs -o size=16m tmpfs "$tmp/ro" || return 1
		mounts="$tmp/ro $mounts"
		build "$tmp/a" "$tmp/ro/public" || return 1
		mount -o remount,ro "$tmp/ro" || return 1
		how="read-only tmpfs"
	else
		build "$tmp/a" "$tmp/ro/public" || return 1
		chmod a-w "$tmp/ro" "$tmp/ro/public"
		how="chmod a-w"
	fi
	listing "$tmp/ro/public" >"$tmp/L.ro"
	build "$tmp/b" "$tmp/ro/public" 2>"$tmp/ro.err"
	rc=$?
	cat "$tmp/ro.err"
	[ "$rc" = 3 ] || { echo "exit $rc, want 3"; return 1; }
	grep -q -e 'Read-only file system' -e 'Permission denied' \
	    "$tmp/ro.err" || return 1
	listing "$tmp/ro/public" | cmp -s - "$tmp/L.ro" || return 1
	echo "=> $how"
}

missing_layouts() {
	build "$tmp/a" "$tmp/nl" --layouts "$tmp/no-layouts" 2>"$tmp/nl.err"
	rc=$?
	cat "$tmp/nl.err"
	[ "$rc" = 3 ] && [ ! -e "$tmp/nl" ] &&
	    grep -q "no-layouts: cannot open layouts folder: No such file" \
	    "$tmp/nl.err"
}

missing_ini() {
	# shellcheck disable=SC2086
	$FAQGEN build --config "$tmp/no-site.ini" --content "$tmp/a" \
	    --output "$tmp/ni" 2>"$tmp/ni.err"
	rc=$?
	cat "$tmp/ni.err"
	[ "$rc" != 0 ] && [ "$rc" != 2 ] && [ ! -e "$tmp/ni" ] &&
	    grep -q "no-site.ini: cannot open: No such file" "$tmp/ni.err"
}

step "set up synthetic sites and the failio shim" setup
step "SIGKILL at random moments leaves the output whole" kill_trials
step "SIGKILL during one-answer rebuilds (page state appended)" kill_edits
step "failing writes: exit 3, output unchanged" write_trials
step "each rename failing in turn: the next build goes on" rename_trials
step "full disk (small tmpfs): exit 3, output unchanged" full_disk
step "read-only output folder: exit 3, output unchanged" read_only
step "missing layouts/ is a clear error" missing_layouts
step "missing site.ini given with --config is a clear error" missing_ini

echo "faults: $pass passed, $fail failed"
[ "$fail" = 0 ]
