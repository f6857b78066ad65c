#!/bin/sh
# A question file whose name is not valid UTF-8, or holds a tab: the name
# goes into the sitemap, the search data and every link to the page, so
# it is refused (the tab named, not printed).  Content errors, exit 1.
# The names are made here (tests/lib-site.sh), not kept in git.
set -u
. tests/lib-site.sh
new_site
bad=$(printf 'bad\377name')
tab=$(printf 'a\tb')
printf -- '---\ntitle: B\n---\nb\n' >"$s/content/a/$bad.md"
printf -- '---\ntitle: T\n---\nt\n' >"$s/content/a/$tab.md"
expect_fail "$s" 1 "SITE/content/a/$tab.md: file name has control character U+0009
SITE/content/a/$bad.md: file name is not valid UTF-8"
