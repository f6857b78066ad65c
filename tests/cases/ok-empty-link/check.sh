#!/bin/sh
# Found by tests/fuzz/fuzz_render: [x]() read address 1 (render.c took it
# for a #fragment).  It builds now.
set -e
grep -q '<a href="">x</a>' "$1/a/q.html"
