#!/usr/bin/env python3
"""Check a built site for hostile content that got through unescaped.

usage: hostile.py LAYOUTS OUT [NEEDLE...]

Every output is parsed, not grepped:
  - HTML (html.parser): no <script> element but the layouts' own
    (src="...assets/..." or type="application/ld+json"), no on*
    attribute but those written literally in LAYOUTS, no href/src/action
    with a javascript:, vbscript: or data: scheme (as browsers read it:
    blanks and controls dropped, any case); each JSON-LD block parses.
  - JSON (search/*.json) parses; the .js forms parse once their
    faqgenSearch(...) wrapper is taken off; neither holds a raw U+2028,
    U+2029 or "</script".
  - XML (sitemap, feed) parses, with no element or attribute from the
    XHTML namespace and no on* attribute.
  - No output holds a NUL byte or a C0 control other than tab and line
    ends.
Each NEEDLE (a hostile string from the sources) must come back as text,
unchanged, somewhere in the parsed HTML: escaped, not mangled or dropped.
"""
import glob
import html.parser
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

errors = []


def bad(path, msg):
    errors.append('%s: %s' % (path, msg))


def unsafe_scheme(url):
    s = ''.join(ch for ch in url if ord(ch) > 0x20).lower()
    m = re.match(r'([a-z][a-z0-9+.-]*):', s)
    return m is not None and m.group(1) in ('javascript', 'vbscript', 'data')


def layout_handlers(layouts):
    """on*="..." attributes the layouts write themselves."""
    ok = set()
    for path in glob.glob(os.path.join(layouts, '**', '*.html'),
                          recursive=True):
        with open(path, encoding='utf-8') as f:
            for m in re.finditer(r'\s(on[a-z]+)="([^"{}]*)"', f.read()):
                ok.add((m.group(1), m.group(2)))
    return ok


class Page(html.parser.HTMLParser):
    def __init__(self, path, handlers):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.handlers = handlers
        self.script = None      # type of the open <script>, if any
        self.text = []
        self.jsonld = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k, v in attrs:
            if k.startswith('on') and (k, v) not in self.handlers:
                bad(self.path, 'event handler attribute %s=%r on <%s>'
                    % (k, v, tag))
            if k in ('href', 'src', 'action', 'formaction', 'xlink:href',
                     'poster', 'srcset') and v and unsafe_scheme(v):
                bad(self.path, '%s=%r on <%s>' % (k, v, tag))
        if tag == 'script':
            src = a.get('src') or ''
            typ = a.get('type') or ''
            if typ == 'application/ld+json' and not src:
                self.script = 'ld'
                self.jsonld.append('')
            elif src and 'assets/' in src and typ in ('', 'module'):
                self.script = 'src'
            else:
                bad(self.path, 'unexpected <script %r>' % (attrs,))
                self.script = 'bad'
        elif tag in ('iframe', 'object', 'embed', 'svg', 'math', 'base'):
            bad(self.path, 'unexpected <%s>' % tag)

    def handle_endtag(self, tag):
        if tag == 'script':
            self.script = None

    def handle_data(self, data):
        if self.script == 'ld':
            self.jsonld[-1] += data
        elif self.script is None:
            self.text.append(data)

    def handle_comment(self, data):
        if 'script' in data.lower():
            bad(self.path, 'script in a comment')


def check_html(path, handlers, texts):
    with open(path, encoding='utf-8') as f:
        src = f.read()
    p = Page(path, handlers)
    p.feed(src)
    p.close()
    for block in p.jsonld:
        try:
            doc = json.loads(block)
        except ValueError as e:
            bad(path, 'JSON-LD does not parse: %s' % e)
            continue
        texts.append(json.dumps(doc, ensure_ascii=False))
        strings(doc, texts)
    texts.append(''.join(p.text))


def strings(v, out):
    if isinstance(v, str):
        out.append(v)
    elif isinstance(v, list):
        for x in v:
            strings(x, out)
    elif isinstance(v, dict):
        for k, x in v.items():
            strings(x, out)


def check_script_text(path, data):
    for ch, name in (('\u2028', 'U+2028'), ('\u2029', 'U+2029')):
        if ch in data:
            bad(path, 'raw %s' % name)
    if '</script' in data.lower() or '<!--' in data:
        bad(path, 'raw </script or <!--')


def check_json(path, texts):
    with open(path, encoding='utf-8') as f:
        data = f.read()
    check_script_text(path, data)
    if path.endswith('.js'):
        m = re.match(r'^\s*[A-Za-z_$][\w$.]*\((.*)\)\s*;?\s*$', data,
                     re.S)
        if not m:
            return
        # The arguments: a JSON array once wrapped in brackets.
        data = '[' + m.group(1) + ']'
    try:
        strings(json.loads(data), texts)
    except ValueError as e:
        bad(path, 'does not parse: %s' % e)


def check_xml(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        bad(path, 'does not parse: %s' % e)
        return
    for el in root.iter():
        if el.tag.startswith('{http://www.w3.org/1999/xhtml}'):
            bad(path, 'XHTML element %s' % el.tag)
        for k in el.attrib:
            if k.lower().startswith('on'):
                bad(path, 'attribute %s' % k)
        if el.tag.endswith('}link') and unsafe_scheme(
                el.attrib.get('href', '')):
            bad(path, 'link href %s' % el.attrib['href'])


def main():
    layouts, out = sys.argv[1], sys.argv[2]
    needles = sys.argv[3:]
    handlers = layout_handlers(layouts)
    texts = []
    nfiles = 0
    for dirpath, _, files in os.walk(out):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            nfiles += 1
            with open(path, 'rb') as f:
                raw = f.read()
            if re.search(rb'[\x00-\x08\x0b\x0c\x0e-\x1f]', raw):
                bad(path, 'NUL or control character')
            if name.endswith('.html'):
                check_html(path, handlers, texts)
            elif name.endswith('.json') or (name.endswith('.js') and
                                            '/search' in dirpath):
                check_json(path, texts)
            elif name.endswith('.xml'):
                check_xml(path)
    alltext = '\n'.join(texts)
    for n in needles:
        if n not in alltext:
            bad(out, 'hostile text %r not found unchanged' % n)
    for e in errors:
        print(e)
    print('hostile: %d files, %d problems' % (nfiles, len(errors)))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
