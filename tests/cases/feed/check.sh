# feed.xml: well-formed Atom with the required elements, the newest
# questions by lastmod (3 of them, as [feed] entries says), no drafts;
# the home page of the default layouts lists them under 最近更新 and
# each question page shows its lastmod; with no dated question, the home
# page has no 最近更新 at all.
set -eu
out=$1
case=$2
xmllint --noout "$out/feed.xml"
python3 - "$out/feed.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
feed = ET.parse(sys.argv[1]).getroot()
assert feed.tag == A + "feed", feed.tag
def text(el, name):
    e = el.find(A + name)
    assert e is not None and (e.text or "").strip(), "missing " + name
    return e.text
assert text(feed, "id") == "https://example.org/faq/"
assert text(feed, "title") == "Feed FAQ"
assert feed.find(A + "author/" + A + "name").text == "考试院"
self = [l for l in feed.findall(A + "link") if l.get("rel") == "self"]
assert self and self[0].get("href") == "https://example.org/faq/feed.xml"
entries = feed.findall(A + "entry")
got = []
for e in entries:
    link = e.find(A + "link")
    assert link is not None and link.get("href", "").startswith(
        "https://example.org/faq/"), "entry link"
    assert text(e, "id") == link.get("href")
    got.append((text(e, "title"), text(e, "updated")))
want = [("最新的问题 <&>", "2024-09-30T00:00:00Z"),
        ("第二新", "2024-06-01T00:00:00Z"),
        ("中间的问题", "2024-03-15T00:00:00Z")]
assert got == want, got
assert text(feed, "updated") == "2024-09-30T00:00:00Z"
PY
# The default layouts: 最近更新 on the home page, lastmod on questions.
full=$(mktemp -d)
trap 'rm -rf "$full"' EXIT
# shellcheck disable=SC2086
$FAQGEN build --config "$case/site.ini" --layouts layouts \
    --output "$full/out" --quiet
python3 - "$full/out" <<'PY'
import sys
from html.parser import HTMLParser

class Page(HTMLParser):
    """Text of each <h2>, links after the 最近更新 heading, <time>s."""
    def __init__(self):
        super().__init__()
        self.stack, self.h2, self.times = [], "", []
        self.recent, self.in_recent, self.link = [], False, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h2":
            self.h2 = ""
            self.in_recent = False
        if tag == "time":
            self.times.append(a.get("datetime"))
        if tag == "a" and self.in_recent:
            self.link = [a.get("href"), ""]
        self.stack.append(tag)
    def handle_endtag(self, tag):
        if tag == "h2" and self.h2.strip() == "最近更新":
            self.in_recent = True
        if tag == "a" and self.link is not None:
            self.recent.append(tuple(self.link))
            self.link = None
        if tag in ("ol", "ul") and self.in_recent and self.recent:
            self.in_recent = False
        if self.stack:
            self.stack.pop()
    def handle_data(self, d):
        if self.stack and self.stack[-1] == "h2":
            self.h2 += d
        if self.link is not None:
            self.link[1] += d

out = sys.argv[1]
home = Page()
home.feed(open(out + "/index.html", encoding="utf-8").read())
# recent = 5, but only four questions have a lastmod: the undated one is
# not "recently updated" and gets no empty <time>.
want = [("exam/newest.html", "最新的问题 <&>"), ("pay/second.html", "第二新"),
        ("pay/middle.html", "中间的问题"), ("exam/oldest.html", "最旧的问题")]
assert home.recent == want, home.recent
assert all(home.times), home.times
u = Page()
u.feed(open(out + "/pay/undated.html", encoding="utf-8").read())
assert u.times == [], u.times
for path, date in [("exam/newest.html", "2024-09-30"),
                   ("exam/oldest.html", "2023-01-05"),
                   ("pay/middle.html", "2024-03-15"),
                   ("pay/second.html", "2024-06-01")]:
    p = Page()
    p.feed(open(out + "/" + path, encoding="utf-8").read())
    assert date in p.times, (path, p.times)
PY
# No question with a lastmod: no 最近更新 section, no empty <time>.
. tests/lib-site.sh
mksite "$full/nodate"
LAYOUTS=layouts site_build "$full/nodate"
[ "$rc" = 0 ] || { cat "$full/nodate/stderr"; exit 1; }
! grep -q -e 'recent-h' -e 'datetime=""' "$full/nodate/out/index.html"
