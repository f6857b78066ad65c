#!/bin/sh
# faqgen serve end to end: starts the server on a free port (--port 0)
# with a temporary copy of tests/cases/basic, then checks over HTTP:
# pages and MIME types, folder URLs, 404.html with status 404, the reload
# script only in served HTML (never in the built files), a rebuild after
# an edit (content/, a new subfolder, site.ini, a template and an asset
# of layouts/), one rebuild for a burst
# of saves, a broken edit that leaves the last good page served with the
# error in the terminal and on the event stream, traversal attempts
# (../, %2e%2e, a symlink out of the site) refused, a rebuild that keeps
# the files the edit did not change, a clean stop on
# SIGINT that removes the private build folder, which holds only the
# build served and the states beside it; then a site whose first
# build fails (503 and the error until fixed) stopped by SIGTERM.  Leaves
# no process behind.
set -u
FAQGEN=${FAQGEN:-generator/faqgen}
export TZ=UTC LC_ALL=C.UTF-8
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
tmp=$(mktemp -d "${TMPDIR:-/tmp}/faqgen-serve-test.XXXXXX")
pid=
sse=
cleanup() {
	[ -n "$sse" ] && kill "$sse" 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail=0
bad() {
	echo "FAIL serve: $*"
	fail=1
}
# wait_for SECONDS COMMAND...: retry every 0.1 s.
wait_for() {
	_tries=$(($1 * 10))
	shift
	while [ "$_tries" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_tries=$((_tries - 1))
	done
	return 1
}
get() {
	curl -s --max-time 5 --path-as-is "$base$1"
}
status() {
	curl -s --max-time 5 --path-as-is -o /dev/null -w '%{http_code}' \
	    "$base$1"
}
ctype() {
	curl -s --max-time 5 -o /dev/null -w '%{content_type}' "$base$1"
}
page_has() {
	get "$1" | grep -q "$2"
}
rebuilds() {
	grep -c 'changed, rebuilding' "$tmp/err"
}

site="$tmp/site"
mkdir -p "$site"
cp -R tests/cases/basic/content tests/cases/basic/site.ini "$site/"
cp -R tests/layouts-min "$site/layouts"
mkdir -p "$site/layouts/assets"
printf 'body { color: #222; }\n' >"$site/layouts/assets/style.css"
printf 'console.log(1);\n' >"$site/layouts/assets/app.js"
printf 'SECRET-OUTSIDE\n' >"$tmp/outside.txt"

# shellcheck disable=SC2086
$FAQGEN serve --config "$site/site.ini" --port 0 --jobs 2 \
    >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for 10 grep -q 'serving http://' "$tmp/err" ||
    { cat "$tmp/err"; bad "server did not start"; exit 1; }
base=$(sed -n 's#^faqgen: serving \(http://[^ ]*\)/ .*#\1#p' "$tmp/err")
case $base in
http://127.0.0.1:*) ;;
*) bad "not bound to loopback by default: $base" ;;
esac
built=$(sed -n 's#.* written to \(.*\)/site/ in .*#\1#p' "$tmp/err")
[ -d "$built/site" ] || bad "no private build folder in: $(cat "$tmp/err")"
case $built in
"$site"*) bad "builds inside the site: $built" ;;
esac
[ -e "$site/public" ] && bad "serve wrote public/"

# Pages, MIME types, folders, 404.
[ "$(status /)" = 200 ] || bad "/ status $(status /)"
page_has / '<h1>Test FAQ</h1>' || bad "/ is not the home page"
page_has /exam/ '准考证' || bad "/exam/ does not serve exam/index.html"
[ "$(status /exam)" = 301 ] || bad "/exam does not redirect to /exam/"
[ "$(ctype /index.html)" = "text/html; charset=utf-8" ] ||
    bad "html type $(ctype /index.html)"
[ "$(ctype /assets/style.css)" = "text/css; charset=utf-8" ] ||
    bad "css type $(ctype /assets/style.css)"
[ "$(ctype /assets/app.js)" = "text/javascript; charset=utf-8" ] ||
    bad "js type $(ctype /assets/app.js)"
[ "$(ctype /sitemap.xml)" = "application/xml; charset=utf-8" ] ||
    bad "xml type $(ctype /sitemap.xml)"
[ "$(ctype /feed.xml)" = "application/atom+xml; charset=utf-8" ] ||
    bad "feed type $(ctype /feed.xml)"
[ "$(ctype /robots.txt)" = "text/plain; charset=utf-8" ] ||
    bad "txt type $(ctype /robots.txt)"
get /assets/style.css | cmp -s - "$site/layouts/assets/style.css" ||
    bad "css bytes differ"
[ "$(status /nope.html)" = 404 ] || bad "missing page status $(status /nope.html)"
page_has /nope.html '返回首页' || bad "404 does not serve 404.html"
# 404.html links under base_url's path (/faq/): served from the site too.
home=$(get /nope.html | sed -n 's#.*<a href="\([^"]*\)">返回首页</a>.*#\1#p' | head -1)
case $home in
/faq/*) [ "$(status "$home")" = 200 ] && [ "$(status /faq/exam/admit.html)" = 200 ] ||
	bad "404.html's $home not served under the base path" ;;
*) bad "404.html's home link not under the base path: '$home'" ;;
esac
[ "$(status /faqx/exam/admit.html)" = 404 ] || bad "a path like the base path served"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/")" = 405 ] ||
    bad "POST not refused"

# The reload script: in served HTML only.
page_has /exam/admit.html '/__faqgen/reload.js' ||
    bad "no reload script in served HTML"
get /assets/app.js | grep -q __faqgen && bad "script injected into js"
[ "$(ctype /__faqgen/reload.js)" = "text/javascript; charset=utf-8" ] ||
    bad "reload.js type"
grep -rl __faqgen "$built" && bad "reload script written to the build"

# Traversal: never site.ini or a file outside the build.
for u in /../site.ini /%2e%2e/site.ini /exam/%2e%2e/%2e%2e/site.ini \
    /%2E%2E/%2E%2E/etc/passwd /./index.html /..%2fsite.ini \
    /exam/..%2f..%2fsite.ini; do
	s=$(status "$u")
	case $s in
	403|404|400) ;;
	*) bad "$u answered $s" ;;
	esac
	get "$u" | grep -q -e 'base_url' -e 'root:' && bad "$u leaked a file"
done
ln -s "$tmp/outside.txt" "$built/site/leak.txt"
ln -s "$tmp" "$built/site/up"
for u in /leak.txt /up/outside.txt; do
	s=$(status "$u")
	[ "$s" = 403 ] || bad "symlink out $u answered $s"
	get "$u" | grep -q SECRET-OUTSIDE && bad "$u leaked outside.txt"
done

# Live reload: an event stream, then an edit.
curl -sN --max-time 40 "$base/__faqgen/events" >"$tmp/sse" 2>/dev/null &
sse=$!
wait_for 5 grep -q 'retry:' "$tmp/sse" || bad "no event stream"
sed -i 's/考前一周/考前两周/' "$site/content/exam/admit.md"
wait_for 5 page_has /exam/admit.html '考前两周' || bad "edit not rebuilt"
wait_for 5 grep -q '^event: reload' "$tmp/sse" || bad "no reload event"
# The rebuild redid only what the edit changed: most files were kept, and
# the edited page alone of the question pages was rendered again.
last=$(grep ' written to ' "$tmp/err" | tail -1)
kept=$(echo "$last" | sed -n 's/.* \([0-9][0-9]*\) unchanged.*/\1/p')
[ "${kept:-0}" -gt 0 ] || bad "the rebuild after an edit kept no file: $last"

# A burst of saves is one rebuild.
before=$(rebuilds)
for i in 1 2 3 4 5; do
	sed -i "s/不予退费。.*/不予退费。第${i}版。/" \
	    "$site/content/pay/refund.md"
	sleep 0.02
done
wait_for 5 page_has /pay/refund.html '第5版' || bad "burst not rebuilt"
sleep 0.4
[ "$(rebuilds)" = $((before + 1)) ] ||
    bad "a burst of 5 saves made $(($(rebuilds) - before)) rebuilds"

# A new subfolder is watched too.
mkdir "$site/content/more"
printf -- '---\ntitle: 更多\nweight: 9\n---\n' >"$site/content/more/_index.md"
printf -- '---\ntitle: 新问题\nweight: 1\nlastmod: 2024-05-01\n---\n初版。\n' \
    >"$site/content/more/new.md"
wait_for 5 page_has /more/new.html '初版' || bad "new folder not built"
sleep 0.3
sed -i 's/初版/二版/' "$site/content/more/new.md"
wait_for 5 page_has /more/new.html '二版' || bad "edit in a new folder not seen"

# site.ini is watched.
sed -i 's/^title = Test FAQ/title = Renamed FAQ/' "$site/site.ini"
wait_for 5 page_has / 'Renamed FAQ' || bad "site.ini change not rebuilt"

# layouts/ is watched: a template and an asset.
printf '<p>LAYOUT-EDIT</p>\n' >>"$site/layouts/question.html"
wait_for 5 page_has /exam/admit.html 'LAYOUT-EDIT' ||
    bad "layout edit not rebuilt"
printf 'body { color: #333; }\n' >"$site/layouts/assets/style.css"
wait_for 5 sh -c "curl -s --max-time 5 '$base/assets/style.css' | grep -q '#333'" ||
    bad "asset edit not rebuilt"

# A broken edit: the old page stays, the error goes to both places.
printf -- '---\ntitle: [oops\n---\n' >"$site/content/exam/admit.md"
wait_for 5 grep -q 'rebuild failed; still serving' "$tmp/err" ||
    bad "no failure in the terminal"
grep -q 'content/exam/admit.md:[0-9]*: ' "$tmp/err" ||
    bad "no file:line error in the terminal"
wait_for 5 grep -q '^event: builderror' "$tmp/sse" || bad "no builderror event"
grep -q '^data: .*content/exam/admit.md:[0-9]*: ' "$tmp/sse" ||
    bad "error text not on the event stream"
[ "$(status /exam/admit.html)" = 200 ] || bad "old page not served"
page_has /exam/admit.html '考前两周' || bad "old page content lost"
# A new stream hears about the failure at once.
curl -sN --max-time 1 "$base/__faqgen/events" 2>/dev/null |
    grep -q '^event: builderror' || bad "new stream not told of the error"
# Fixed again: reload.
reloads=$(grep -c '^event: reload' "$tmp/sse")
printf -- '---\ntitle: 准考证怎么打印？\nweight: 1\nlastmod: 2024-04-01\n---\n修好了。\n' \
    >"$site/content/exam/admit.md"
wait_for 5 page_has /exam/admit.html '修好了' || bad "fix not rebuilt"
wait_for 5 sh -c "[ \$(grep -c '^event: reload' '$tmp/sse') -gt $reloads ]" ||
    bad "no reload after the fix"
# Of the builds so far, good and failed, only the one served is left, with
# what it keeps beside it (.N.manifest, .N.state.pages ...).
gens=$(ls -A "$built" | sed 's/^\.//; s/\..*//' | sort -u | wc -l)
[ "$gens" = 1 ] && [ "$(ls -A "$built" | wc -l)" -gt 1 ] ||
    bad "other builds left in the private folder: $(ls -A "$built" | tr '\n' ' ')"

# Stop: SIGINT ends it promptly, with status 0, folder removed.
kill -INT "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$pid" 2>/dev/null; then
	bad "still running 5 s after SIGINT"
else
	wait "$pid"
	rc=$?
	pid=
	[ "$rc" = 0 ] || bad "exit status $rc after SIGINT"
fi
[ -e "$built" ] && bad "private build folder left behind: $built"
wait "$sse" 2>/dev/null
sse=

# A site that does not build yet: 503 and the error, until it is fixed;
# SIGTERM stops it too.
printf -- '---\ntitle: [oops\n---\n' >"$site/content/exam/admit.md"
# shellcheck disable=SC2086
$FAQGEN serve --config "$site/site.ini" --port 0 >"$tmp/out2" 2>"$tmp/err2" &
pid=$!
wait_for 10 grep -q 'serving http://' "$tmp/err2" || bad "server did not start"
base=$(sed -n 's#^faqgen: serving \(http://[^ ]*\)/ .*#\1#p' "$tmp/err2")
grep -q 'build failed; serving an error page' "$tmp/err2" ||
    bad "first failure not in the terminal"
[ "$(status /)" = 503 ] || bad "no good build: / answered $(status /)"
page_has / '/__faqgen/reload.js' || bad "error page cannot reload"
curl -sN --max-time 1 "$base/__faqgen/events" 2>/dev/null |
    grep -q '^data: .*content/exam/admit.md:' || bad "first error not streamed"
printf -- '---\ntitle: 好了\nweight: 1\nlastmod: 2024-04-01\n---\n好了。\n' \
    >"$site/content/exam/admit.md"
wait_for 5 page_has /exam/admit.html '好了' || bad "fixed site not served"
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" = 0 ] || bad "exit status $rc after SIGTERM"

[ "$fail" = 0 ] && echo "serve: ok"
exit "$fail"
