/*
 * fuzz_render.c: libFuzzer harness for the Markdown renderer with link
 * resolution.  A small site lives in memory: the home page, category "a"
 * with questions x and y, category "b" with question z.  The input is the
 * answer of a/x.md, so "y.md", "../b/z.md#fees" and "../../etc/passwd.md"
 * all resolve (or fail) as in a real build; then link_site() checks the
 * fragments and computes related questions, and render_all_body() renders
 * the all.html form.
 *
 * The first input byte picks options: bit 0 sets [markdown] unsafe_html.
 * The rest must be valid UTF-8 without NUL (load.c refuses other input).
 * Without unsafe_html the HTML may only hold the tags render.c writes and
 * no link with a refused scheme: anything else is a crash.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "faqgen.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const tags[] = {
	"a", "p", "em", "strong", "del", "code", "pre", "ul", "ol", "li",
	"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr", "br", "img",
	"table", "thead", "tbody", "tr", "th", "td", "div"
};

static struct page *
page_new(struct site *site, enum page_kind kind, const char *cat,
    const char *slug, const char *body)
{
	struct page	*p = xcalloc(1, sizeof(*p));

	p->kind = kind;
	p->category_dir = xstrdup(cat);
	p->slug = xstrdup(slug);
	if (kind == PAGE_HOME) {
		p->src = xstrdup("_index.md");
		p->out = xstrdup("index.html");
	} else if (kind == PAGE_CATEGORY) {
		p->src = xasprintf("%s/_index.md", cat);
		p->out = xasprintf("%s/index.html", cat);
	} else {
		p->src = xasprintf("%s/%s.md", cat, slug);
		p->out = xasprintf("%s/%s.html", cat, slug);
	}
	p->file = xasprintf("content/%s", p->src);
	p->fm.title = xasprintf("title of %s", p->src);
	p->body = xstrdup(body);
	p->body_len = strlen(body);
	p->body_line = 5;
	p->order = site->npages;
	site->pages = xreallocarray(site->pages, site->npages + 1,
	    sizeof(*site->pages));
	site->pages[site->npages++] = p;
	return p;
}

static void
add_question(struct site *site, struct page *cat, struct page *q)
{
	q->category = cat;
	cat->questions = xreallocarray(cat->questions, cat->nquestions + 1,
	    sizeof(*cat->questions));
	cat->questions[cat->nquestions++] = q;
	site->questions = xreallocarray(site->questions, site->nquestions + 1,
	    sizeof(*site->questions));
	site->questions[site->nquestions++] = q;
}

static void
site_build(struct site *site, const char *body, size_t len, int unsafe)
{
	struct page	*a, *b, *x;

	memset(site, 0, sizeof(*site));
	site->cfg.title = xstrdup("FAQ");
	site->cfg.content_dir = xstrdup("content");
	site->cfg.base_url = xstrdup("https://example.org/faq/");
	site->cfg.related = 5;
	site->cfg.jobs = 1;
	site->cfg.unsafe_html = unsafe;
	site->home = page_new(site, PAGE_HOME, "", "", "Intro, see "
	    "[a](a/_index.md).\n");
	a = page_new(site, PAGE_CATEGORY, "a", "", "# Category a\n");
	x = page_new(site, PAGE_QUESTION, "a", "x", "");
	free(x->body);
	x->body = xstrndup(body, len);
	x->body_len = len;
	add_question(site, a, x);
	add_question(site, a, page_new(site, PAGE_QUESTION, "a", "y",
	    "# Why\n\n## 费用\n\nSee [x](x.md#top) and 费用说明。\n"));
	b = page_new(site, PAGE_CATEGORY, "b", "", "");
	add_question(site, b, page_new(site, PAGE_QUESTION, "b", "z",
	    "## fees\n\n报名费用 fees http://example.org/\n"));
	site->categories = xcalloc(2, sizeof(*site->categories));
	site->categories[0] = a;
	site->categories[1] = b;
	site->ncategories = 2;
	site_index(site);
}

/* Without unsafe_html, only render.c's own tags and safe links. */
static void
check_html(const char *h, size_t len)
{
	const char	*p, *end = h + len, *q;
	size_t		 i, n;
	int		 known;

	for (p = h; (p = memchr(p, '<', (size_t)(end - p))) != NULL; p++) {
		q = p + 1;
		if (q < end && *q == '/')
			q++;
		for (n = 0; q + n < end && isalnum((unsigned char)q[n]); n++)
			continue;
		known = 0;
		for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
			if (strlen(tags[i]) == n &&
			    strncasecmp(tags[i], q, n) == 0)
				known = 1;
		if (!known)
			__builtin_trap();
	}
	for (p = h; (p = memmem(p, (size_t)(end - p), "href=\"", 6)) != NULL;
	    p += 6)
		if (url_is_unsafe(p + 6, (size_t)(end - p - 6)))
			__builtin_trap();
	for (p = h; (p = memmem(p, (size_t)(end - p), "src=\"", 5)) != NULL;
	    p += 5)
		if (url_is_unsafe(p + 5, (size_t)(end - p - 5)))
			__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct site	 site;
	struct page	*x;
	char		*all;
	size_t		 i;
	int		 unsafe;

	if (size < 1)
		return 0;
	unsafe = data[0] & 1;
	data++;
	size--;
	if (utf8_check((const char *)data, size) != 0)
		return 0;
	site_build(&site, (const char *)data, size, unsafe);
	x = site.pages[2];
	for (i = 0; i < site.npages; i++)
		render_page(&site, site.pages[i]);
	link_site(&site);
	all = render_all_body(&site, x);
	if (!unsafe) {
		check_html(x->html.data, x->html.len);
		check_html(all, strlen(all));
	}
	if (strlen(x->html.data) != x->html.len)
		__builtin_trap();	/* a NUL got through */
	for (i = 0; i < x->nheadings; i++)
		if (x->headings[i].id[0] == '\0')
			__builtin_trap();
	free(all);
	site_free(&site);
	return 0;
}
