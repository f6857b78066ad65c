#!/bin/sh
# site.ini that is a FIFO (opening it would block) or a symlink to
# /dev/zero (reading it would never end): refused without reading it.
# git cannot hold this input, so the sites are made here in a temporary
# folder and built with $FAQGEN (tests/lib-site.sh), under a timeout.
set -u
. tests/lib-site.sh
FAQGEN="timeout 20 $FAQGEN"
new_site
rm "$s/site.ini"
mkfifo "$s/site.ini"
expect_fail "$s" 1 "SITE/site.ini: not a regular file" || exit 1
z=$tmp/z
mksite "$z"
rm "$z/site.ini"
ln -s /dev/zero "$z/site.ini"
expect_fail "$z" 1 "SITE/site.ini: not a regular file"
