#!/usr/bin/env python3
"""Prove that the built site carries the seed FAQ word for word.

usage: python3 tests/fidelity.py SEED_FILE BUILT_SITE_DIR

The seed is split into sentences: at line ends and after 。！？； (and their
ASCII forms).  Each sentence must appear in the visible text of the question
pages (the HTML files in each category folder of the built site, other than
index.html), compared with all whitespace removed.  The one liberty taken
with the source: a question heading loses its numbering ("一、", "（五）"),
because a page's title is the bare question.

A second check: the number of question pages equals the number of questions
in the seed, counted from the headings at line start: "一、" ... for the
questions and "（一）" ... for the sub-questions.  A "（一）" line holding a
full sentence (a "。") is an item of an answer, not a heading (question
十二 has two such items), and is not counted.

Standard library only.  Without the seed the test is skipped (exit 0).  The
last line is "N passed, N failed"; the exit status is 1 on any failure.
"""

import html.parser
import os
import re
import sys

NUM = "[一二三四五六七八九十百]+"
QUESTION_RE = re.compile("^(%s、)" % NUM)
SUBQUESTION_RE = re.compile("^(（%s）)" % NUM)
SENTENCE_END = "。！？；!?;"
WS_RE = re.compile(r"\s+")


def squeeze(s):
    """All whitespace removed (Python's \\s includes U+3000)."""
    return WS_RE.sub("", s)


def heading_numbering(line):
    """The numbering of a question heading line, or None."""
    m = QUESTION_RE.match(line)
    if m:
        return m.group(1)
    m = SUBQUESTION_RE.match(line)
    if m and "。" not in line:
        return m.group(1)
    return None


def read_seed(path):
    """Return (sentences in source order, unique; number of questions)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    sentences = []
    seen = set()
    questions = 0
    for raw in text.splitlines():
        line = raw.strip()
        num = heading_numbering(line)
        if num is not None:
            questions += 1
            line = line[len(num):]
        cur = ""
        for ch in line:
            cur += ch
            if ch in SENTENCE_END:
                sentences.append(cur)
                cur = ""
        sentences.append(cur)
    out = []
    for s in sentences:
        s = s.strip()
        if squeeze(s) == "" or s in seen:
            continue
        seen.add(s)
        out.append(s)
    return out, questions


class TextExtractor(html.parser.HTMLParser):
    """The visible text of a page: character data outside script/style."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip > 0:
            self.skip -= 1

    def handle_data(self, data):
        if self.skip == 0:
            self.parts.append(data)


def page_text(path):
    with open(path, encoding="utf-8") as f:
        p = TextExtractor()
        p.feed(f.read())
        p.close()
    return "".join(p.parts)


def question_pages(site):
    """HTML files of each category folder (one holding index.html)."""
    pages = []
    for d in sorted(os.listdir(site)):
        folder = os.path.join(site, d)
        if not os.path.isdir(folder):
            continue
        if not os.path.isfile(os.path.join(folder, "index.html")):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith(".html") and name != "index.html":
                pages.append(os.path.join(folder, name))
    return pages


def main(argv):
    if len(argv) != 3:
        print("usage: fidelity.py SEED_FILE BUILT_SITE_DIR",
            file=sys.stderr)
        return 2
    seed, site = argv[1], argv[2]
    if not os.path.isfile(seed):
        print("fidelity: %s: no seed file, test skipped" % seed)
        return 0
    if not os.path.isdir(site):
        print("fidelity: %s: no built site" % site, file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    sentences, nquestions = read_seed(seed)
    pages = question_pages(site)
    # NUL between pages: no sentence may match across two pages.
    corpus = "\0".join(squeeze(page_text(p)) for p in pages)

    passed = failed = 0
    for s in sentences:
        if squeeze(s) in corpus:
            passed += 1
        else:
            failed += 1
            print("FAIL: missing sentence: %s" % s)
    if len(pages) == nquestions:
        passed += 1
    else:
        failed += 1
        print("FAIL: %d question pages, but the seed has %d questions "
            "and sub-questions" % (len(pages), nquestions))
    print("%s: %d sentences, %d questions, %d question pages" %
        (os.path.basename(seed), len(sentences), nquestions, len(pages)))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
