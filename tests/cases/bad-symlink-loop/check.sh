#!/bin/sh
# A symlink loop in content/: two files pointing at each other, and a folder
# pointing at its parent, are clear errors; the build does not spin.
# git cannot hold this input, so the site is made here in a temporary
# folder and built with $FAQGEN (tests/lib-site.sh).
set -u
. tests/lib-site.sh
new_site
ln -s y.md "$s/content/a/x.md"
ln -s x.md "$s/content/a/y.md"
expect_fail "$s" 3 "SITE/content/a/x.md: cannot stat: Too many levels of symbolic links
SITE/content/a/y.md: cannot stat: Too many levels of symbolic links" || exit 1
rm "$s/content/a/x.md" "$s/content/a/y.md"
ln -s .. "$s/content/a/up"
expect_fail "$s" 1 "SITE/content/a/up: nested folder: questions go in content/<category>/<slug>.md"
