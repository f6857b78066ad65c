#!/bin/sh
# An unreadable file (chmod 000) is a system error, exit 3.  Root reads
# it anyway, so as root the same open() failure comes from a file that
# is a symlink into a folder without search permission... which root
# also ignores: then only the build of a readable site is checked.
# git cannot hold this input, so the site is made here in a temporary
# folder and built with $FAQGEN (tests/lib-site.sh).
set -u
. tests/lib-site.sh
new_site
chmod 000 "$s/content/a/q.md"
if [ "$(id -u)" != 0 ]; then
	expect_fail "$s" 3 "SITE/content/a/q.md: cannot open: Permission denied"
else
	echo "root ignores permissions: checking that the site still builds"
	chmod 644 "$s/content/a/q.md"
	expect_ok "$s"
fi
