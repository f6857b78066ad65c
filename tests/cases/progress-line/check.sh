# The progress line: on a terminal (script(1) gives one), once the build
# has run FAQGEN_PROGRESS_DELAY ms (0 here; a second by default), each
# stage is drawn with \r and the line is cleared before the summary; when
# stderr is not a terminal, no progress at all.
set -eu
case=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v script >/dev/null || { echo "no script(1), skipped"; exit 0; }
script -qec "FAQGEN_PROGRESS_DELAY=0 $FAQGEN build --config $case/site.ini \
    --layouts tests/layouts-min --output $tmp/out" "$tmp/tty" >/dev/null
esc=$(printf '\033')
cr=$(printf '\r')
grep -q "${cr}${esc}\[Kfaqgen: rendering [0-6]/6${cr}" "$tmp/tty" ||
    { cat -v "$tmp/tty"; echo "no rendering N/6 line"; exit 1; }
grep -q "${cr}${esc}\[Kfaqgen: 6 pages, " "$tmp/tty" ||
    { cat -v "$tmp/tty"; echo "line not cleared before the summary"; exit 1; }
# Not a terminal: nothing but the summary.
FAQGEN_PROGRESS_DELAY=0 $FAQGEN build --config "$case/site.ini" \
    --layouts tests/layouts-min --output "$tmp/out2" 2>"$tmp/err"
if grep -q -e "$cr" -e 'rendering' "$tmp/err"; then
	cat -v "$tmp/err"
	echo "progress drawn without a terminal"
	exit 1
fi
# On a terminal but quick: no line under the default one-second delay
# (valgrind is too slow for "quick").
case $FAQGEN in *valgrind*) exit 0 ;; esac
script -qec "$FAQGEN build --config $case/site.ini \
    --layouts tests/layouts-min --output $tmp/out3" "$tmp/tty2" >/dev/null
if grep -q 'rendering' "$tmp/tty2"; then
	echo "progress drawn for a build shorter than a second"
	exit 1
fi
