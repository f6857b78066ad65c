#!/bin/sh
# A device in content/ (a symlink to /dev/null, and to /dev/zero, which
# never ends) is refused without reading it.
# git cannot hold this input, so the site is made here in a temporary
# folder and built with $FAQGEN (tests/lib-site.sh).
set -u
. tests/lib-site.sh
new_site
ln -s /dev/null "$s/content/a/null.md"
ln -s /dev/zero "$s/content/a/zero.md"
expect_fail "$s" 1 "SITE/content/a/null.md: not a regular file
SITE/content/a/zero.md: not a regular file"
