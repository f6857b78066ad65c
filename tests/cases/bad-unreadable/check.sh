#!/bin/sh
# An unreadable file (chmod 000) is a system error, exit 3.  Root reads
# it anyway, so as root the build runs as nobody (setpriv), for whom the
# site is readable and writable but that one file is not.  git cannot
# hold this input, so the site is made here in a temporary folder and
# built with $FAQGEN (tests/lib-site.sh).
set -u
. tests/lib-site.sh
new_site
chmod 000 "$s/content/a/q.md"
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || { echo "root without setpriv"; exit 1; }
	chmod 755 "$tmp"
	chown -R 65534:65534 "$s"
	FAQGEN="setpriv --reuid=65534 --regid=65534 --clear-groups $FAQGEN"
	# The check means something only if nobody really cannot read it.
	if setpriv --reuid=65534 --regid=65534 --clear-groups \
	    cat "$s/content/a/q.md" >/dev/null 2>&1; then
		echo "nobody can read a chmod 000 file"; exit 1
	fi
fi
expect_fail "$s" 3 "SITE/content/a/q.md: cannot open: Permission denied"
