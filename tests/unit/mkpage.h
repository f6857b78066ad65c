/*
 * mkpage.h: a page as load.c leaves it (front matter title, body, output
 * path), for the tests that render pages.  Include after faqgen.h.
 */
#ifndef MKPAGE_H
#define MKPAGE_H

#include <stdlib.h>
#include <string.h>

static __attribute__((unused)) struct page *
mkpage(enum page_kind kind, const char *src, const char *out,
    const char *body)
{
	struct page	*p = xcalloc(1, sizeof(*p));

	p->kind = kind;
	p->src = xstrdup(src);
	p->file = xasprintf("content/%s", src);
	p->category_dir = xstrdup("exam");
	p->slug = xstrdup("");
	p->out = xstrdup(out);
	p->fm.title = xstrdup("T");
	p->body = xstrdup(body);
	p->body_len = strlen(body);
	p->body_line = 5;
	return p;
}

#endif
