#!/bin/sh
# faqgen check --external --online against a local server started here
# (tests/external-server.py): a 200, a 301, a 404, a 405-to-HEAD and a
# 403-to-HEAD page (each tried again with GET),
# a port nothing listens on and a server that never answers (reported when
# the request's time limit runs out).  Expects each reported in its class
# and exit status 1; then that --jobs 2 keeps at most 2 requests open.  Leaves no process behind.
set -u
FAQGEN=${FAQGEN:-generator/faqgen}
export TZ=UTC LC_ALL=C.UTF-8
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
tmp=$(mktemp -d "${TMPDIR:-/tmp}/faqgen-ext.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail=0
bad() {
	echo "FAIL external: $*"
	fail=1
}

python3 tests/external-server.py "$tmp/port" 2>"$tmp/server.log" &
pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
port=$(cat "$tmp/port" 2>/dev/null)
[ -n "$port" ] || { echo "FAIL external: server did not start"; exit 1; }
base="http://127.0.0.1:$port"

mkdir -p "$tmp/site/content/exam"
cp tests/cases/basic/site.ini "$tmp/site/"
printf -- '---\ntitle: 首页\n---\n' >"$tmp/site/content/_index.md"
printf -- '---\ntitle: 考试\nweight: 1\n---\n' \
    >"$tmp/site/content/exam/_index.md"
cat >"$tmp/site/content/exam/a.md" <<EOT
---
title: 链接甲
weight: 1
lastmod: 2024-01-01
---
好：$base/ok 搬走：$base/moved 没了：$base/gone
EOT
cat >"$tmp/site/content/exam/b.md" <<EOT
---
title: 链接乙
weight: 2
lastmod: 2024-01-02
---
不收 HEAD：$base/nohead ，拒绝 HEAD：$base/forbidhead ，连不上：http://127.0.0.1:1/x ，又一次 $base/gone ，不回答：$base/hang
EOT

start=$(date +%s)
$FAQGEN check --external --online --config "$tmp/site/site.ini" \
    --layouts tests/layouts-min --quiet >"$tmp/out" 2>"$tmp/err"
rc=$?
sed "s#$base#BASE#g; s#$tmp/site/#SITE/#g" "$tmp/out" >"$tmp/got"
[ "$rc" = 1 ] || bad "exit $rc, want 1"
[ $(($(date +%s) - start)) -le 15 ] || bad "took too long"
cat >"$tmp/want" <<'EOT'
broken: 1
	404 BASE/gone
		SITE/content/exam/a.md
		SITE/content/exam/b.md
redirected: 1
	301 BASE/moved -> BASE/ok
		SITE/content/exam/a.md
unreachable: 2
EOT
head -8 "$tmp/got" | diff -u "$tmp/want" - || bad "report differs"
grep -q '^	http://127.0.0.1:1/x (.*)$' "$tmp/got" ||
    bad "unreachable URL not reported"
grep -qi '^	BASE/hang (.*time.*)$' "$tmp/got" ||
    bad "a server that never answers not reported as timed out"
grep -q 'nohead' "$tmp/got" && bad "405-to-HEAD page not retried with GET"
grep -q '^GET /nohead$' "$tmp/server.log" || bad "no GET after the 405"
grep -q 'forbidhead' "$tmp/got" && bad "403-to-HEAD page not retried with GET"
grep -q '^GET /forbidhead$' "$tmp/server.log" || bad "no GET after the 403"
grep -q '^HEAD /ok$' "$tmp/server.log" || bad "no HEAD request"
grep -q '7 external URLs: 3 ok, 1 redirected, 3 broken or unreachable' \
    "$tmp/err" || bad "summary line: $(cat "$tmp/err")"

# All good: exit 0.
sed -i -e "s#$base/gone##; s#$base/moved##" "$tmp/site/content/exam/a.md"
sed -i -e "s#http://127.0.0.1:1/x##; s#$base/gone##; s#$base/hang##" \
    "$tmp/site/content/exam/b.md"
$FAQGEN check --external --online --config "$tmp/site/site.ini" \
    --layouts tests/layouts-min --quiet >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] || bad "clean links: exit $rc, want 0: $(cat "$tmp/out")"

# At most --jobs requests at once: 8 slow pages with --jobs 2.
for i in 1 2 3 4 5 6 7 8; do
	printf '慢：%s/slow/%s\n\n' "$base" "$i"
done >>"$tmp/site/content/exam/a.md"
$FAQGEN check --external --online --jobs 2 --config "$tmp/site/site.ini" \
    --layouts tests/layouts-min --quiet >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] || bad "slow links: exit $rc, want 0: $(cat "$tmp/out")"
most=$(curl -s --max-time 5 "$base/most")
[ "$most" = 2 ] || bad "--jobs 2: $most requests open at once, want 2"

[ "$fail" = 0 ] && echo "external: ok"
exit "$fail"
