#!/bin/sh
# A device in content/ is refused without reading it: a device node (made
# with mknod where the tests run as root, as in CI) is not a regular file,
# and symlinks to /dev/null and /dev/zero (which never ends) lead out of
# content/.
# git cannot hold this input, so the site is made here in a temporary
# folder and built with $FAQGEN (tests/lib-site.sh).
set -u
. tests/lib-site.sh
new_site
why="outside SITE/content: nothing outside the site is published; copy the file in"
ln -s /dev/null "$s/content/a/null.md"
ln -s /dev/zero "$s/content/a/zero.md"
if mknod "$s/content/a/dev.md" c 1 5 2>/dev/null; then
	expect_fail "$s" 1 "SITE/content/a/dev.md: not a regular file
SITE/content/a/null.md: symlink to /dev/null, $why
SITE/content/a/zero.md: symlink to /dev/zero, $why"
else
	expect_fail "$s" 1 "SITE/content/a/null.md: symlink to /dev/null, $why
SITE/content/a/zero.md: symlink to /dev/zero, $why"
fi
