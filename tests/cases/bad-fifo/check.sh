#!/bin/sh
# A FIFO in content/ is refused without opening it (which would block).
# git cannot hold this input, so the site is made here in a temporary
# folder and built with $FAQGEN (tests/lib-site.sh).
set -u
. tests/lib-site.sh
new_site
mkfifo "$s/content/a/pipe.md"
expect_fail "$s" 1 "SITE/content/a/pipe.md: not a regular file"
