#!/bin/sh
# [markdown] unsafe_html = true: raw HTML passes as written.
set -e
grep -q "Raw <kbd>Ctrl</kbd> passes." "$1/a/q.html"
grep -q '<div class="note">block</div>' "$1/a/q.html"
