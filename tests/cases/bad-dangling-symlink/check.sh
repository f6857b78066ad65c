#!/bin/sh
# A file removed while building, approximated: readdir() lists it, stat()
# finds nothing (a dangling symlink).  A system error, exit 3.
# git cannot hold this input, so the site is made here in a temporary
# folder and built with $FAQGEN (tests/lib-site.sh).
set -u
. tests/lib-site.sh
new_site
ln -s gone.md "$s/content/a/removed.md"
expect_fail "$s" 3 "SITE/content/a/removed.md: cannot stat: No such file or directory"
