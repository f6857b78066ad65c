#!/usr/bin/env python3
"""Seed the fuzz corpora from the test sites, content/ and layouts/.

usage: seed.py CORPUS_DIR   (one folder per target is filled)
"""
import glob
import hashlib
import os
import sys


def put(corpus, target, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def split(md):
    """Front matter and body of a Markdown source."""
    lines = md.split(b'\n')
    if not lines or lines[0].strip() != b'---':
        return None, md
    for i in range(1, len(lines)):
        if lines[i].strip() == b'---':
            return (b'\n'.join(lines[1:i]) + b'\n',
                    b'\n'.join(lines[i + 1:]))
    return None, md


def main():
    corpus = sys.argv[1]
    mds = sorted(glob.glob('content/**/*.md', recursive=True) +
                 glob.glob('tests/cases/**/*.md', recursive=True))
    for path in mds:
        with open(path, 'rb') as f:
            md = f.read()
        fm, body = split(md)
        if fm is not None:
            put(corpus, 'frontmatter', fm)
        body = body[:65535]
        put(corpus, 'render', b'\0' + body)
        put(corpus, 'render', b'\1' + body)
        put(corpus, 'tokenize', body[:8192])
    layouts = sorted(glob.glob('layouts/**/*.html', recursive=True) +
                     glob.glob('tests/**/layouts*/**/*.html',
                               recursive=True))
    for path in layouts:
        with open(path, 'rb') as f:
            put(corpus, 'template', f.read())
    # a template with a partial after the NUL byte
    put(corpus, 'template', b'{{#questions}}{{> p}}{{/questions}}\0'
        b'<li>{{title}}{{^current}}!{{/current}}</li>\n')
    inis = sorted(glob.glob('site.ini') +
                  glob.glob('tests/cases/*/site.ini'))
    for path in inis:
        with open(path, 'rb') as f:
            put(corpus, 'config', f.read())
    for target in ('frontmatter', 'template', 'render', 'tokenize',
                   'config'):
        n = len(os.listdir(os.path.join(corpus, target)))
        print(f'seed: {target}: {n} inputs')


if __name__ == '__main__':
    main()
