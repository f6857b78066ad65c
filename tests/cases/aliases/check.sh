# Aliases: each old path gets a redirect page (meta refresh, canonical
# link, a visible link) whose targets resolve to the moved page; no other
# page, the sitemap, the feed or the search data names an alias.  Checked
# with the test layouts and again with the default layouts.
set -eu
out=$1
case=$2
full=$(mktemp -d)
trap 'rm -rf "$full"' EXIT
# shellcheck disable=SC2086
$FAQGEN build --config "$case/site.ini" --layouts layouts \
    --output "$full/out" --quiet
for site in "$out" "$full/out"; do
python3 - "$site" <<'PY'
import json, os, posixpath, sys
from html.parser import HTMLParser
import xml.etree.ElementTree as ET

out = sys.argv[1]
base = "https://example.org/faq/"
aliases = {"old/refund/index.html": "pay/refund.html",
           "legacy/pay/refund.html": "pay/refund.html",
           "tuifei/index.html": "pay/refund.html",
           "退费/index.html": "pay/refund.html",
           "exam/print-admit.html": "exam/admit.html",
           "kaoshi/index.html": "exam/index.html"}

class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.canonical, self.refresh = [], None, None
        self.robots = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href")
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.refresh = a.get("content")

def parse(path):
    p = Links()
    p.feed(open(os.path.join(out, path), encoding="utf-8").read())
    return p

def resolve(page, href):
    href = href.split("#")[0]
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), href))

for alias, target in aliases.items():
    assert os.path.isfile(os.path.join(out, alias)), "no page at " + alias
    p = parse(alias)
    assert p.canonical in (base + target,
        base + target[:-len("index.html")]), (alias, p.canonical)
    assert p.refresh is not None, alias + ": no meta refresh"
    delay, _, url = p.refresh.partition(";")
    assert delay.strip() == "0", p.refresh
    url = url.strip()
    assert url.lower().startswith("url="), p.refresh
    assert resolve(alias, url[4:]) == target, (alias, url)
    assert any(resolve(alias, h) == target for h in p.hrefs), \
        alias + ": no visible link to " + target

# No listing names an alias.
for root, dirs, files in os.walk(out):
    for f in files:
        path = os.path.relpath(os.path.join(root, f), out)
        if not f.endswith(".html") or path in aliases:
            continue
        for h in parse(path).hrefs:
            if "://" in h or h.startswith("#"):
                continue
            assert resolve(path, h) not in aliases, (path, h)
S = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
locs = [l.text for l in ET.parse(os.path.join(out, "sitemap.xml")).iter(S + "loc")]
assert base + "pay/refund.html" in locs, locs
for alias in aliases:
    assert base + alias not in locs and \
        base + alias.replace("index.html", "") not in locs, alias
A = "{http://www.w3.org/2005/Atom}"
feed = ET.parse(os.path.join(out, "feed.xml")).getroot()
for link in feed.iter(A + "link"):
    assert link.get("href")[len(base):] not in aliases, link.get("href")
pages = json.load(open(os.path.join(out, "search", "pages.json"), encoding="utf-8"))
text = json.dumps(pages, ensure_ascii=False)
for alias in aliases:
    assert alias not in text, "search data names " + alias
PY
done

# An alias error names the line of its aliases key, also when the page's
# front matter comes from the last build's state: a new question takes
# the path of admit.md's alias, and only the new file is parsed again.
cp -r "$case" "$full/src"
# shellcheck disable=SC2086
$FAQGEN build --config "$full/src/site.ini" --layouts tests/layouts-min \
    --output "$full/r" --quiet
printf -- '---\ntitle: X\n---\nx\n' >"$full/src/content/exam/print-admit.md"
# shellcheck disable=SC2086
if FAQGEN_TIMING=1 $FAQGEN build --config "$full/src/site.ini" \
    --layouts tests/layouts-min --output "$full/r" 2>"$full/err"; then
	echo "a page on an alias's path built"
	exit 1
fi
grep -q 'load: 1 of 6 front matters parsed' "$full/err" &&
    grep -q '/content/exam/admit.md:5: alias /exam/print-admit.html collides with exam/print-admit.html' "$full/err" || {
	echo "alias error without its line:"
	cat "$full/err"
	exit 1
}
