#!/bin/sh
# Whole-site checks on the real FAQ in content/: built into a temporary
# folder, then validated step by step.  Each step prints one line; the
# script fails at the end if any step failed.
#   FAQGEN   the binary (default generator/faqgen)
#   SEED     the FAQ source text (fidelity test)
#   QUERIES  the development search queries
#   SCHEMA   the sitemaps.org schema
#   ONLY     an extended regex: run only the steps whose function matches
#            (e.g. ONLY='build_site|one_answer|spare'); for development
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
	if [ -n "${ONLY:-}" ] && ! echo "$1" | grep -Eq "$ONLY"; then
		return 0
	fi
	if "$@" >"$tmp/step.log" 2>&1; then
		echo "ok   $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name"
		sed 's/^/    /' "$tmp/step.log" | tail -40
		fail=$((fail + 1))
	fi
}

# Each file's inode, mtime and path, sorted: what a rebuild moved.
inodes() {
	find "$1" -type f -exec stat -c '%i %Y %n' {} + | sort
}

build_site() {
	$FAQGEN build --output "$site" --quiet
}

sitemap_valid() {
	[ -f "$SCHEMA" ] || { echo "no schema at $SCHEMA"; return 1; }
	xmllint --noout --schema "$SCHEMA" "$site/sitemap.xml"
}

links_resolve() {
	# 404.html is served at any depth, so its links start at the
	# base_url's path (/faq/ in site.ini); every other link is relative.
	tests/build/linkcheck "$site" /faq/
}

json_parses() {
	for f in $(find "$site" -name '*.json'); do
		python3 -m json.tool "$f" >/dev/null || { echo "$f"; return 1; }
	done
}

# The home page links every question page (the site is below all_limit),
# also after a category grows past the 20 a large site's home page shows.
home_lists_all() {
	h=$tmp/home
	mkdir -p "$h" && cp -r content layouts site.ini "$h/" || return 1
	for i in $(seq 1 21); do
		printf -- '---\ntitle: 新增问题%s？\nweight: %s\nlastmod: 2024-01-01\n---\n答案%s。\n' \
		    "$i" $((900 + i)) "$i" >"$h/content/baoming/extra-$i.md"
	done
	$FAQGEN build --config "$h/site.ini" --output "$h/out" --quiet || return 1
	n=0
	for f in "$h"/out/*/*.html; do
		rel=${f#"$h/out/"}
		case $rel in */index.html) continue ;; esac
		grep -q 'http-equiv="refresh"' "$f" && continue
		grep -q "href=\"$rel\"" "$h/out/index.html" ||
		    { echo "index.html does not link $rel"; return 1; }
		n=$((n + 1))
	done
	echo "$n questions linked"
	[ "$n" -ge 70 ]
}

# Above all_limit there is no all.html, and no page links to it: not the
# search box without JavaScript, nor (data-all) search.js's empty state.
no_all_above_limit() {
	h=$tmp/big
	mkdir -p "$h" && cp -r content layouts site.ini "$h/" || return 1
	sed -i 's/^\[build\]$/[build]\nall_limit = 10/' "$h/site.ini"
	grep -q '^all_limit = 10$' "$h/site.ini" || return 1
	$FAQGEN build --config "$h/site.ini" --output "$h/out" --quiet || return 1
	[ ! -e "$h/out/all.html" ] || { echo "all.html written"; return 1; }
	grep -rl -e 'all\.html' -e 'data-all' "$h/out" --include='*.html' |
	    head -3 | grep . && { echo "pages above link all.html"; return 1; }
	# Below the limit both are there, so the check above can fail.
	grep -q 'data-all' "$site/index.html" && grep -q 'all\.html' "$site/index.html"
}

# A link to a page's .html is checked on every build, also when its own
# page comes unchanged from the last build's state.
html_link_rechecked() {
	l=$tmp/htmllink
	mkdir -p "$l" && cp -r content layouts site.ini "$l/" || return 1
	t=$(ls "$l"/content/baoming/*.md | grep -v _index | head -1)
	t=${t##*/}
	printf -- '---\ntitle: 链接测试？\nweight: 999\nlastmod: 2024-01-01\n---\n见[另一页](%s)。\n' \
	    "${t%.md}.html" >"$l/content/baoming/zz-link.md"
	$FAQGEN build --config "$l/site.ini" --output "$l/out" --quiet ||
	    return 1
	rm "$l/content/baoming/$t"
	if $FAQGEN build --config "$l/site.ini" --output "$l/out" --quiet \
	    2>"$l/err"; then
		echo "built with a link to a removed page"; return 1
	fi
	grep "zz-link.md:6: broken link to ${t%.md}.html" "$l/err"
}

deterministic() {
	$FAQGEN build --output "$tmp/a" --quiet --jobs 1 &&
	$FAQGEN build --output "$tmp/b" --quiet --jobs 4 &&
	diff -r "$tmp/a" "$tmp/b" && diff -r "$tmp/a" "$site"
}

unchanged_rebuild() {
	# A second build of the same sources writes nothing: first through
	# the inputs' fingerprint kept beside the output, then, without it,
	# by comparing every file, which keeps each one's inode and mtime.
	inodes "$site" >"$tmp/before"
	out=$($FAQGEN build --output "$site" 2>&1) || return 1
	echo "$out"
	nfiles=$(find "$site" -type f | wc -l)
	echo "$out" | grep -q " $nfiles files, inputs unchanged since the last build: 0 added, 0 changed, $nfiles unchanged, 0 removed;" || return 1
	[ -f "$tmp/.public.inputs" ] || { echo "no $tmp/.public.inputs"; return 1; }
	rm "$tmp/.public.inputs"
	out=$($FAQGEN build --output "$site" 2>&1) || return 1
	echo "$out"
	inodes "$site" >"$tmp/after"
	cmp "$tmp/before" "$tmp/after" && echo "$out" | grep -q ' 0 added, 0 changed, [0-9]* unchanged, 0 removed'
}

damaged_output_repaired() {
	# Inputs unchanged but the output edited by hand (a page deleted,
	# another overwritten): the rebuild finds it and puts both back.
	$FAQGEN build --output "$tmp/dmg" --quiet || return 1
	rm "$tmp/dmg/baoming/baokao-shijian.html"
	echo junk >"$tmp/dmg/index.html"
	out=$($FAQGEN build --output "$tmp/dmg" 2>&1) || return 1
	echo "$out"
	# The deleted page comes back as added, the overwritten one changed.
	echo "$out" | grep -q ' files: 1 added, 1 changed, ' &&
	    diff -r "$site" "$tmp/dmg" >/dev/null || return 1
	# Files put in by hand, with the inputs unchanged again: the
	# folders' mtimes give them away, and the rebuild removes them as
	# a full build does (this build updates the spare).
	sleep 0.1
	echo stray >"$tmp/dmg/extra.html"
	echo stray >"$tmp/dmg/baoming/extra.txt"
	out=$($FAQGEN build --output "$tmp/dmg" 2>&1) || return 1
	echo "$out"
	echo "$out" | grep -q ' 0 added, 0 changed, [0-9]* unchanged, 2 removed' &&
	    diff -r "$site" "$tmp/dmg" >/dev/null || return 1
	# Whole again: the next rebuild stops early.
	out=$($FAQGEN build --output "$tmp/dmg" 2>&1) || return 1
	echo "$out" | grep -q 'inputs unchanged since the last build' || {
		echo "no early stop: $out"; return 1; }
	# A file put in and taken out again: one full look finds nothing
	# to do, writes nothing, and the build after it stops early again.
	sleep 0.1
	echo stray >"$tmp/dmg/kaoshi/x" && rm "$tmp/dmg/kaoshi/x"
	out=$($FAQGEN build --output "$tmp/dmg" 2>&1) || return 1
	echo "$out"
	echo "$out" | grep -v 'inputs unchanged' |
	    grep -q ' 0 added, 0 changed, [0-9]* unchanged, 0 removed' || return 1
	out=$($FAQGEN build --output "$tmp/dmg" 2>&1) || return 1
	echo "$out" | grep -q 'inputs unchanged since the last build' || {
		echo "no early stop after the full look: $out"; return 1; }
}

# edit_rebuild CONTENT OUT LINE: append LINE to one answer and rebuild;
# sets out (the summary), moved and pages (files and pages rewritten,
# listed in $tmp/moved).
edit_rebuild() {
	inodes "$2" >"$tmp/before"
	sleep 1
	printf '\n%s\n' "$3" >>"$1/kaoshi/kaodian.md"
	out=$($FAQGEN build --content "$1" --output "$2" 2>&1) || return 1
	echo "$out"
	inodes "$2" >"$tmp/after"
	comm -13 "$tmp/before" "$tmp/after" >"$tmp/moved"
	moved=$(wc -l <"$tmp/moved")
	pages=$(grep -c '\.html$' "$tmp/moved")
	return 0
}

one_answer_changed() {
	# Change one answer: its page is rewritten, most files keep their
	# inode and mtime, and the summary counts match what moved.
	cp -r content "$tmp/c1" &&
	$FAQGEN build --content "$tmp/c1" --output "$tmp/o1" --quiet || return 1
	edit_rebuild "$tmp/c1" "$tmp/o1" '补充说明：本条已更新。' || return 1
	echo "$moved of $(wc -l <"$tmp/after") files rewritten, $pages of them pages"
	grep '\.html$' "$tmp/moved"
	# The question, its category (JSON-LD holds the answer) and all.html;
	# on this small site the line may move the average answer length,
	# and then every search shard (see incremental_index).
	grep -q 'kaoshi/kaodian.html$' "$tmp/moved" &&
	[ "$pages" -le 4 ] &&
	echo "$out" | grep -q " 0 added, $moved changed,"
}

# More edits after the first: each build updates the spare (the previous
# output kept beside the new one) in place and swaps it in.  Whatever the
# spare held, the output must equal a fresh build of the same sources.
spare_rebuilds() {
	c=$tmp/c1 o=$tmp/o1
	same_as_fresh() {
		rm -rf "$tmp/fresh" "$tmp/.fresh."*
		$FAQGEN build --content "$c" --output "$tmp/fresh" --quiet &&
		diff -r "$tmp/fresh" "$o" >/dev/null || {
			echo "$1: differs from a fresh build"; return 1; }
	}
	[ -d "$tmp/.o1.spare" ] && [ -f "$tmp/.o1.spare.manifest" ] || {
		echo "no spare after the first rebuild"; return 1; }
	edit_rebuild "$c" "$o" '再次更新。' || return 1
	[ "$pages" -le 4 ] && echo "$out" | grep -q " 0 added, $moved changed," ||
	    { echo "second edit: $pages pages moved"; return 1; }
	same_as_fresh "second edit" || return 1
	# A new question, another edit, then the question removed: the
	# spare still has it then and must lose it.  A stray file put in
	# the spare by hand must not reach the output either.
	printf -- '---\ntitle: 临时问题？\nweight: 99\n---\n临时答案。\n' \
	    >"$c/kaoshi/zz-linshi.md"
	$FAQGEN build --content "$c" --output "$o" --quiet &&
	[ -f "$o/kaoshi/zz-linshi.html" ] && same_as_fresh "added" || return 1
	printf '\n第三次更新。\n' >>"$c/kaoshi/kaodian.md"
	$FAQGEN build --content "$c" --output "$o" --quiet &&
	same_as_fresh "third edit" || return 1
	rm "$c/kaoshi/zz-linshi.md"
	echo stray >"$tmp/.o1.spare/stray.html"
	out=$($FAQGEN build --content "$c" --output "$o" 2>&1) || return 1
	echo "$out"
	echo "$out" | grep -q ' [1-9][0-9]* removed;' &&
	[ ! -e "$o/kaoshi/zz-linshi.html" ] && [ ! -e "$o/stray.html" ] &&
	same_as_fresh "removed" || { echo "removed question kept"; return 1; }
	echo "4 more builds through the spare, each equal to a fresh build"
}

# The search index after an edit: the build keeps a state beside the
# output (.NAME.state.index), and the next build makes again only the
# shards of the tokens the changed question had or has, keeping the rest.
# Whatever path it takes (FAQGEN_TIMING names it), and whatever the state
# holds, the output must equal a fresh build's.
incremental_index() {
	c=$tmp/c2 o=$tmp/o2 st=$tmp/.o2.state.index
	cp -r content "$c" &&
	$FAQGEN build --content "$c" --output "$o" --quiet || return 1
	[ -s "$st" ] || { echo "no index state beside the output"; return 1; }
	# edit FILE SED PATH: edit one source, rebuild, and expect the index
	# line to match PATH and the output to equal a fresh build's.
	edit() {
		sed "$2" "$c/$1" >"$tmp/edited" && mv "$tmp/edited" "$c/$1" &&
		out=$(FAQGEN_TIMING=1 $FAQGEN build --content "$c" \
		    --output "$o" --quiet --jobs "${4:-2}" 2>&1) || {
			echo "$out"; return 1; }
		line=$(echo "$out" | grep '^faqgen: index:')
		echo "$1: $line"
		echo "$line" | grep -q "$3" || { echo "want: $3"; return 1; }
		rm -rf "$tmp/fresh2" "$tmp/.fresh2."*
		$FAQGEN build --content "$c" --output "$tmp/fresh2" --quiet &&
		diff -r "$tmp/fresh2" "$o" || {
			echo "$1: differs from a fresh build"; return 1; }
	}
	inc='incremental, 1 of [0-9]* questions changed'
	# The same number of characters in every field: the averages stay.
	edit kaoshi/kaodian.md 's/交通路线/饕餮路线/' "$inc" 1 &&	# a rare word
	edit kaoshi/kaodian.md 's/熟悉考点/了解考点/' "$inc" 4 &&	# a word gone
	edit chengji/fuhe.md 's/如何申请成绩复核/如何申请分数复核/' "$inc" &&
	edit chengji/gundong.md 's/^## （二）滚动考试项目/## （二）滚动考核项目/' \
	    "$inc" &&
	edit kaoshi/kaodian.md 's/饕餮路线/交通路线/' "$inc" || return 1
	# A long paragraph moves the average answer: every shard again.
	edit kaoshi/kaodian.md '$a\
补充说明：考生应当提前规划出行路线，预留充足时间，携带准考证和有效身份证件，按时到达考点参加考试，逾期不得入场。' \
	    'full (average field lengths moved)' || return 1
	# A state cut short, or one with a byte changed: never trusted.
	head -c 1000 "$st" >"$tmp/short" && mv "$tmp/short" "$st" &&
	edit chengji/fuhe.md 's/分数复核/成绩复核/' 'full (no state that fits' ||
	    return 1
	python3 -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek(100); b = f.read(1)
f.seek(100); f.write(bytes([b[0] ^ 0x55]))' "$st" &&
	edit chengji/fuhe.md 's/成绩复核/分数复核/' \
	    'full (state does not hold together)' || return 1
	edit chengji/fuhe.md 's/分数复核/成绩复核/' "$inc" || return 1
	# Shards gone from the output are made again from the state, one
	# form without its twin too.
	rm "$o"/search/s/*/1*.js "$o"/search/s/*/2*.json &&
	edit chengji/fuhe.md 's/成绩复核/分数复核/' "$inc"
}

# Emit keys each page by what it is made from (bench/README.md): a
# rebuild renders only the pages whose inputs changed and keeps the rest
# as they are.  Whatever was edited, the output must equal a fresh build.
kept_pages() {
	k=$tmp/k
	mkdir -p "$k" && cp -r content layouts site.ini "$k/" || return 1
	# kbuild WHAT: rebuild; sets rendered and total (emit's count).
	kbuild() {
		FAQGEN_TIMING=1 $FAQGEN build --config "$k/site.ini" \
		    --output "$k/out" --quiet 2>"$k/err" || {
			cat "$k/err"; return 1; }
		set -- "$1" $(sed -n 's/^faqgen: emit: \([0-9]*\) of \([0-9]*\) pages rendered$/\1 \2/p' "$k/err")
		[ $# = 3 ] || { echo "$1: no emit count"; cat "$k/err"; return 1; }
		rendered=$2 total=$3
		echo "$1: $rendered of $total pages rendered"
	}
	fresh() {
		rm -rf "$k/fresh" "$k/.fresh."*
		$FAQGEN build --config "$k/site.ini" --output "$k/fresh" \
		    --quiet && diff -r "$k/fresh" "$k/out" || {
			echo "$1: differs from a fresh build"; return 1; }
	}
	kbuild first && [ "$rendered" = "$total" ] || return 1
	# Nothing changed (the inputs' fingerprint forgotten): no page.
	rm -f "$k/.out.inputs"
	kbuild unchanged && [ "$rendered" = 0 ] && fresh unchanged ||
	    return 1
	# One answer: its page, all.html, and the pages whose related
	# questions moved; not the pages around it.
	printf '\n补充说明：本条已更新。\n' >>"$k/content/kaoshi/kaodian.md"
	kbuild answer && [ "$rendered" -ge 1 ] && [ "$rendered" -le 5 ] &&
	    fresh answer || return 1
	# The first paragraph is also the summary on its category's page
	# (and in that page's JSON-LD).
	sed -i '8s/^/新的开头。/' "$k/content/kaoshi/zhengjian.md"
	grep -q '^新的开头。考生' "$k/content/kaoshi/zhengjian.md" || {
		echo "zhengjian.md: line 8 is not the first paragraph"; return 1; }
	kbuild summary && [ "$rendered" -ge 3 ] && [ "$rendered" -le 6 ] &&
	    fresh summary || return 1
	# A title shows on other pages: prev/next, the side list, its
	# category, related lists, the home page.
	sed -i 's/^title: .*/title: 考点在哪里查询（已改）？/' \
	    "$k/content/kaoshi/kaodian.md"
	kbuild title && [ "$rendered" -gt 2 ] &&
	    [ "$rendered" -lt "$total" ] && fresh title || return 1
	# A template, a partial, site.ini: every page.
	sed -i 's#</main>#<p>页脚已改</p></main>#' "$k/layouts/base.html"
	grep -q '页脚已改' "$k/layouts/base.html" || {
		echo "base.html has no </main>"; return 1; }
	kbuild layout && [ "$rendered" = "$total" ] && fresh layout ||
	    return 1
	printf '<!-- 已改 -->\n' >>"$k/layouts/partials/nav.html"
	kbuild partial && [ "$rendered" = "$total" ] && fresh partial ||
	    return 1
	sed -i 's/^description = .*/description = 已改的描述/' "$k/site.ini"
	kbuild site.ini && [ "$rendered" = "$total" ] && fresh site.ini ||
	    return 1
	# An asset is copied, never shown through a template: no page.
	printf '/* 已改 */\n' >>"$k/layouts/assets/style.css"
	kbuild asset && [ "$rendered" = 0 ] && fresh asset
}

# page_state.c: a rebuild parses the front matter again only of the
# files that changed, and renders again only the pages whose Markdown, or
# a page their links point to, changed; whatever happened, the output and
# every message are a fresh build's.
kept_renderings() {
	r=$tmp/r
	mkdir -p "$r" && cp -r content layouts site.ini "$r/" || return 1
	# rbuild WHAT: rebuild; sets rendered and total (render's count) and
	# rc (the exit status); stderr without the timing in $r/msg.  The
	# inputs' fingerprint is forgotten, so every build reaches render.
	rbuild() {
		rm -f "$r/.out.inputs"
		FAQGEN_TIMING=1 $FAQGEN build --config "$r/site.ini" \
		    --output "$r/out" --quiet 2>"$r/err"
		rc=$?
		grep -v '^faqgen: \(timing\|load\|render\|emit\|index\): ' \
		    "$r/err" >"$r/msg"
		set -- "$1" $(sed -n 's/^faqgen: render: \([0-9]*\) of \([0-9]*\) pages rendered$/\1 \2/p' "$r/err") \
		    $(sed -n 's/^faqgen: load: \([0-9]*\) of [0-9]* front matters parsed$/\1/p' "$r/err")
		# A build that fails in load renders nothing.
		[ $# = 2 ] && [ "$rc" != 0 ] && set -- "$1" 0 0 "$2"
		[ $# = 4 ] || { echo "$1: no counts"; cat "$r/err"; return 1; }
		rendered=$2 total=$3 parsed=$4
		echo "$1: $parsed front matters parsed, $rendered of $total pages rendered, exit $rc"
	}
	rfresh() {
		rm -rf "$r/fresh" "$r/.fresh."*
		$FAQGEN build --config "$r/site.ini" --output "$r/fresh" \
		    --quiet 2>"$r/fmsg"
		frc=$?
		[ "$frc" = "$rc" ] && diff "$r/fmsg" "$r/msg" && { [ "$rc" != 0 ] ||
		    diff -r "$r/fresh" "$r/out"; } || {
			echo "$1: differs from a fresh build"; return 1; }
	}
	rbuild first && [ "$rc" = 0 ] && [ "$rendered" = "$total" ] &&
	    [ "$parsed" = "$total" ] || return 1
	# The state is appended to in place: the first build's bytes stay.
	st=$r/.out.state.pages
	cp "$st" "$r/state.first" || return 1
	printf '\n补充说明：本条已更新。\n' >>"$r/content/kaoshi/kaodian.md"
	rbuild answer && [ "$rc" = 0 ] && [ "$rendered" = 1 ] &&
	    [ "$parsed" = 1 ] && rfresh answer || return 1
	[ "$(stat -c %s "$st")" -gt "$(stat -c %s "$r/state.first")" ] &&
	    cmp -n "$(stat -c %s "$r/state.first")" "$st" "$r/state.first" || {
		echo "answer: the state was not appended to"; return 1; }
	# A title: that page's front matter, and the pages that show it.
	sed -i 's/^title: .*/title: 考点在哪里查询（已改）？/' \
	    "$r/content/kaoshi/kaodian.md" &&
	rbuild title && [ "$rc" = 0 ] && [ "$rendered" = 1 ] &&
	    [ "$parsed" = 1 ] && rfresh title || return 1
	# A front matter error: told as a fresh build tells it.
	sed -i 's/^lastmod: .*/lastmod: 2024-13-45/' \
	    "$r/content/kaoshi/kaodian.md" &&
	grep -q '^lastmod: 2024-13-45' "$r/content/kaoshi/kaodian.md" &&
	rbuild badfm && [ "$rc" = 1 ] && [ "$parsed" = 1 ] && cat "$r/msg" &&
	    grep -q 'kaoshi/kaodian.md:4: bad date' "$r/msg" &&
	    rfresh badfm || return 1
	sed -i 's/^lastmod: .*/lastmod: 2024-05-01/' \
	    "$r/content/kaoshi/kaodian.md" &&
	rbuild goodfm && [ "$rc" = 0 ] && [ "$parsed" = 1 ] &&
	    rfresh goodfm || return 1
	# A page others link to is gone: their sources did not change, yet
	# each broken link is reported with its file and line.
	cp "$st" "$r/state.before" &&
	mv "$r/content/kaoshi/bushi-chengnuo.md" "$r/bushi-chengnuo.md" &&
	rbuild gone && [ "$rc" = 1 ] && cat "$r/msg" &&
	    cmp "$st" "$r/state.before" &&
	    grep -q 'baoming/liucheng.md:8: .*broken link' "$r/msg" &&
	    grep -q 'baoming/xuanze-chengnuo.md:10: .*broken link' "$r/msg" &&
	    rfresh gone || return 1
	# Back as it was (the failed build left the state as it was):
	# nothing to render.
	mv "$r/bushi-chengnuo.md" "$r/content/kaoshi/bushi-chengnuo.md" &&
	rbuild back && [ "$rc" = 0 ] && [ "$rendered" = 0 ] &&
	    rfresh back || return 1
	# A damaged state costs renderings, never correctness.
	printf 'X' | dd of="$st" bs=1 seek=$(($(stat -c %s "$st") / 2)) \
	    conv=notrunc status=none &&
	rbuild damaged && [ "$rc" = 0 ] && [ "$rendered" -ge 1 ] &&
	    [ "$rendered" -lt "$total" ] && rfresh damaged || return 1
	head -c 1000 "$st" >"$st.cut" && mv "$st.cut" "$st" &&
	rbuild truncated && [ "$rc" = 0 ] && [ "$rendered" = "$total" ] &&
	    [ "$parsed" = "$total" ] && rfresh truncated || return 1
	# A setting that changes rendering: every page.
	sed -i 's/^unsafe_html = false/unsafe_html = true/' "$r/site.ini" &&
	grep -q '^unsafe_html = true' "$r/site.ini" &&
	rbuild unsafe && [ "$rc" = 0 ] && [ "$rendered" = "$total" ] &&
	    rfresh unsafe
}

# The seed and the queries are inputs, as the schema is: missing, the
# step fails rather than passing without a check.
fidelity() {
	[ -f "$SEED" ] || { echo "no seed at $SEED"; return 1; }
	python3 tests/fidelity.py "$SEED" "$site"
}

search_tokenizer() {
	node --test tests/search/
}

search_answers() {
	[ -f "$QUERIES" ] || { echo "no queries at $QUERIES"; return 1; }
	node tests/search/eval.js "$site" "$QUERIES"
}

# Layouts (issue 5): valid HTML, structured data, accessibility, speed.
# The hostile site puts "</script>" and "<!--" in titles and answers.
hostile_site() {
	h="$tmp/hostile"
	mkdir -p "$h/content/cat" &&
	printf -- '---\ntitle: 首页\n---\n介绍\n' >"$h/content/_index.md" &&
	printf -- '---\ntitle: "分类 </script>"\nweight: 1\n---\n分类介绍\n' \
	    >"$h/content/cat/_index.md" &&
	printf -- '---\ntitle: "问题 </script><script>alert(1)</script> <!-- 吗？"\nweight: 1\nlastmod: 2024-01-01\n---\n答案 `</script>` 与 </SCRIPT > 以及 <!-- 注释。\n\n| 项目 | 时间 |\n| --- | --- |\n| 报名 | 3月 |\n' \
	    >"$h/content/cat/q.md" &&
	$FAQGEN build --content "$h/content" --output "$h/public" --quiet
}

html_valid() {
	hostile_site || return 1
	find "$site" "$tmp/hostile/public" -name '*.html' >"$tmp/html.list"
	echo "$(wc -l <"$tmp/html.list") pages"
	java -jar node_modules/vnu-jar/build/dist/vnu.jar --errors-only \
	    $(cat "$tmp/html.list")
}

jsonld_valid() {
	node tests/jsonld.js "$site"
}

jsonld_escaped() {
	[ -d "$tmp/hostile/public" ] || hostile_site || return 1
	node tests/jsonld.js "$tmp/hostile/public" &&
	! grep -l '</script><script>alert' "$tmp/hostile/public/cat/q.html"
}

a11y() {
	node tests/a11y.js "$site" tests/screenshots
}

lighthouse() {
	CHROME_PATH=/usr/bin/chromium node tests/lighthouse.mjs "$site" 95
}

step "build content/" build_site
step "sitemap valid against sitemap.xsd" sitemap_valid
step "every internal link and fragment resolves" links_resolve
step "every JSON file parses" json_parses
step "the home page lists every question" home_lists_all
step "above all_limit no page links all.html" no_all_above_limit
step "a link to a page's .html is checked on every build" html_link_rechecked
step "byte-identical with 1 and 4 jobs" deterministic
step "rebuild with nothing changed writes nothing" unchanged_rebuild
step "a rebuild puts back output files deleted or edited by hand, removes strays" \
    damaged_output_repaired
step "a changed answer rewrites only the files that show it" one_answer_changed
step "more edits update the spare in place, as a fresh build would" \
    spare_rebuilds
step "an edit rebuilds only its search shards, as a fresh build would" \
    incremental_index
step "a rebuild renders only the pages whose inputs changed" kept_pages
step "a rebuild renders again only the Markdown that changed" \
    kept_renderings
step "every sentence of the source is on the site" fidelity
step "search tokenizer: JavaScript agrees with the C vectors" search_tokenizer
step "search answers the dev queries (http and file://)" search_answers
step "serve: pages, live reload, failed rebuilds, traversal refused" \
    env FAQGEN="$FAQGEN" sh tests/serve.sh
step "check --external --online against a local server" \
    env FAQGEN="$FAQGEN" sh tests/external.sh

step "HTML valid: Nu Html Checker, 0 errors" html_valid
step "JSON-LD parses: FAQPage, BreadcrumbList" jsonld_valid
step "JSON-LD escapes </script> and <!--" jsonld_escaped
step "axe-core: 0 violations (light, dark), screenshots" a11y
step "Lighthouse mobile >= 95 on home and a question" lighthouse
step "killed, failing and read-only builds leave the output whole" \
    env FAQGEN="$FAQGEN" FAULT_PAGES=300 FAULT_KILLS=20 FAULT_WRITES=20 \
    sh tests/faults.sh

echo "site: $pass passed, $fail failed"
[ "$fail" = 0 ]
