#!/bin/sh
# A UTF-8 BOM and CRLF line ends are accepted: the title has no BOM, no
# output has a CR, and the heading is one.
set -e
out=$1
grep -q '<title>BOM and CRLF' "$out/a/q.html"
! grep -rl "$(printf '\r')" "$out"
! grep -rl "$(printf '\357\273\277')" "$out"
grep -q '<h2 id="part">Part</h2>' "$out/a/q.html"
