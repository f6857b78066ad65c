/*
 * emit.c: pages through the templates in layouts/, plus robots.txt and
 * the static assets.  Every page is rendered into memory and handed to
 * the output sink; pages are independent, so they are emitted on the
 * thread pool, in batches that each reuse one variable tree and a few
 * buffers (no allocation per page once a batch is warm).  What a page
 * shows of other pages (title, URL) is escaped once, before any page is
 * emitted, and set as safe values.  Variables are documented in
 * layouts/README.md.
 *
 * Each page's file is written with a key: a hash of its variable tree
 * (tobj_hash), its template's name and the build's global inputs (this
 * program, the settings emit reads, every template).  Equal keys mean
 * equal bytes, so when the live output holds the page under the same key
 * (output_keep) the page is not rendered at all: a rebuild after one edit
 * builds every page's variables but renders only the pages whose
 * variables changed.  What is costly to build and cheap to hash, a
 * page's JSON-LD (a question's whole answer), is keyed by its inputs and
 * built only when the page is rendered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faqgen.h"

#define DESCRIPTION_CHARS 80	/* code points of a meta description */
#define TOC_MIN		2	/* headings before an answer gets a TOC */
#define LONG_ANSWER	2500	/* bytes of answer text for back-to-top */
#define NAV_CATEGORIES	40	/* more, and pages list only their own */
#define NAV_QUESTIONS	10	/* questions beside a page, around it */
#define HOME_QUESTIONS	20	/* questions of a category on the home page */
#define BATCH		256	/* pages a worker takes at once */

/* The page templates; only these names may be missing. */
static const struct {
	const char	*name;
	int		 required;
} templates[] = {
	{ "base", 1 },
	{ "home", 1 },
	{ "category", 1 },
	{ "question", 1 },
	{ "404", 1 },
	{ "search", 0 },
	{ "all", 0 },
	{ "alias", 0 },
};
#define NTEMPLATES (sizeof(templates) / sizeof(templates[0]))

/* Every parsed .html under layouts/, by name, for {{> name}}. */
struct partials {
	struct template	**t;		/* owned, parallel to names */
	char		**names;	/* owned: "partials/header" */
	size_t		  n;
};

/* How other pages show a page, escaped once for HTML. */
struct shown {
	char		*title;		/* owned */
	size_t		 title_len;
	const char	*base;		/* file name in its folder, into out */
	size_t		 base_len;
	size_t		 out_len;
	size_t		 up_len;	/* of url_up */
	int		 url_safe;	/* out needs no escaping (load.c's names) */
	uint64_t	 title_h;	/* hash_bytes() of title, base, out, */
	uint64_t	 base_h;	/* url_up: for tobj_hash(), once */
	uint64_t	 out_h;
	uint64_t	 up_h;
	char		 count[24];	/* categories: number of questions */
};

struct emit {
	struct site	*site;
	struct output	*out;
	struct partials	 partials;
	const struct template *t[NTEMPLATES];	/* borrowed from partials */
	struct shown	*shown;		/* owned, by page order */
	char		*site_title;	/* [site] title, escaped, owned */
	char		*site_description; /* escaped, owned */
	char		*ld_home;	/* the home's BreadcrumbList item, owned */
	uint64_t	 seed;		/* hash of the global inputs */
	int		 has_all;	/* all.html is written */
	int		 small;		/* at most [build] all_limit questions:
					   pages show the others whole */
	int		 failed;
	size_t		 pages;		/* page files, atomic */
	size_t		 rendered;	/* of which rendered, not kept; atomic */
};

/* A worker's reusable state: one page at a time. */
struct view {
	struct tobj	*o;		/* the page's variables */
	struct buf	 content;	/* the page template's output */
	struct buf	 page;		/* base.html's output */
	struct buf	 ld;		/* JSON-LD */
	struct buf	 text;		/* canonical, page title, description */
	struct buf	 sums;		/* a category's summaries, \0 apart */
	struct buf	 scratch;	/* the description before escaping */
	size_t		*sumoff;	/* owned, offsets into sums */
	size_t		 capsum;
};

static const struct template *
find_partial(void *arg, const char *name)
{
	const struct partials *p = arg;
	size_t	 i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->names[i], name) == 0)
			return p->t[i];
	return NULL;
}

static const struct template *
tmpl_get(const struct emit *e, const char *name)
{
	size_t	 i;

	for (i = 0; i < NTEMPLATES; i++)
		if (strcmp(templates[i].name, name) == 0)
			return e->t[i];
	return NULL;
}

/* Parse every .html under layouts/ (not assets/) once. */
static int
parse_layouts(struct emit *e, struct diags *d)
{
	const struct site *site = e->site;
	struct partials	*partials = &e->partials;
	const struct layout_file *lf;
	struct template	*t;
	char		*shown, *name;
	size_t		 i, k, len;
	int		 errors = 0;

	for (i = 0; i < site->nlayouts; i++) {
		lf = &site->layouts[i];
		len = strlen(lf->name);
		if (strncmp(lf->name, "assets/", 7) == 0 || len < 5 ||
		    strcmp(lf->name + len - 5, ".html") != 0)
			continue;
		shown = xasprintf("%s/%s", site->cfg.layouts_dir, lf->name);
		t = template_parse(shown, lf->data, lf->len, d);
		free(shown);
		if (t == NULL) {
			/* Reported; an empty stand-in avoids "missing". */
			t = template_parse(lf->name, "", 0, d);
			errors++;
		}
		name = xstrndup(lf->name, len - 5);
		partials->t = xreallocarray(partials->t, partials->n + 1,
		    sizeof(*partials->t));
		partials->names = xreallocarray(partials->names,
		    partials->n + 1, sizeof(*partials->names));
		partials->t[partials->n] = t;
		partials->names[partials->n++] = name;
	}
	for (k = 0; k < NTEMPLATES; k++) {
		e->t[k] = find_partial(partials, templates[k].name);
		if (e->t[k] == NULL && templates[k].required) {
			diag_add(d, site->cfg.layouts_dir, 0,
			    "missing template %s.html", templates[k].name);
			errors++;
		}
	}
	for (i = 0; i < partials->n; i++)
		if (template_check_partials(partials->t[i], find_partial,
		    partials, d) != 0)
			errors++;
	return errors ? -1 : 0;
}

static void
free_layouts(struct emit *e)
{
	size_t	 i;

	for (i = 0; i < e->partials.n; i++) {
		template_free(e->partials.t[i]);
		free(e->partials.names[i]);
	}
	free(e->partials.t);
	free(e->partials.names);
	memset(&e->partials, 0, sizeof(e->partials));
}

/*
 * What emit_site() checks first (every template parsed, the required ones
 * there, every partial found), for a run that stops before it on content
 * errors, so those of the templates are reported with them.
 */
int
emit_check(const struct site *site, struct diags *d)
{
	struct emit	 e;
	int		 rc;

	memset(&e, 0, sizeof(e));
	e.site = (struct site *)site;
	rc = parse_layouts(&e, d);
	free_layouts(&e);
	return rc;
}

/*
 * The part of output file out that goes after base_url in its URL:
 * "index.html" pages are canonical as their folder.
 */
static size_t
url_path_len(const char *out)
{
	size_t	 len = strlen(out);

	if (strcmp(out, "index.html") == 0)
		return 0;
	if (len > 11 && strcmp(out + len - 11, "/index.html") == 0)
		return len - 10;
	return len;
}

/*
 * The absolute URL of an output file, its path percent-encoded.  Used for
 * canonical links, JSON-LD, the sitemap and feed.
 */
static void
put_url(struct buf *b, const struct site *site, const char *out)
{
	buf_puts(b, site->cfg.base_url);
	esc_uri_path(b, out, url_path_len(out));
}

/*
 * put_url() escaped for JSON ("...") or HTML: base_url through esc; the
 * encoded path holds nothing either escapes.
 */
static void
put_url_esc(struct buf *b, const struct site *site, const char *out,
    void (*esc)(struct buf *, const char *, size_t))
{
	esc(b, site->cfg.base_url, strlen(site->cfg.base_url));
	esc_uri_path(b, out, url_path_len(out));
}

char *
emit_url(const struct site *site, const char *out)
{
	struct buf	 b = { NULL, 0, 0 };

	put_url(&b, site, out);
	return buf_detach(&b, NULL);
}

/* Path from the base URL: "https://x.cn/faq/" -> "/faq/". */
const char *
base_path(const char *base_url)
{
	const char	*p;

	if ((p = strstr(base_url, "://")) == NULL)
		return "/";
	p = strchr(p + 3, '/');
	return p ? p : "/";
}

static char *
escaped(const char *s, size_t *len)
{
	struct buf	 b = { NULL, 0, 0 };

	esc_html(&b, s, strlen(s));
	if (b.data == NULL)
		buf_puts(&b, "");
	return buf_detach(&b, len);
}

/* The folder a page stands in: its category; NULL at the root. */
static const struct page *
folder(const struct page *p)
{

	return p->kind == PAGE_CATEGORY ? p : p->category;
}

/*
 * Set key to the URL of page `to` as seen from page `from` (NULL: a page
 * at the root) whose path to the site root is `root`.  Pages stand at the
 * root or one folder down, so the URL is borrowed from the page itself: a
 * page of the same folder by its file name, others through url_up or out.
 * Only 404.html's absolute root allocates.
 */
static void
url_set(const struct emit *e, struct tobj *o, const char *key,
    const struct page *from, const char *root, const struct page *to)
{
	const struct shown *s = &e->shown[to->order];
	const char	*u;
	size_t		 len;
	uint64_t	 h;

	if (from != NULL && folder(from) != NULL &&
	    folder(from) == folder(to)) {
		u = s->base;
		len = s->base_len;
		h = s->base_h;
	} else if (root[0] == '\0') {
		u = to->out;
		len = s->out_len;
		h = s->out_h;
	} else if (root[0] == '.' && strcmp(root, "../") == 0) {
		u = to->url_up;
		len = s->up_len;
		h = s->up_h;
	} else {
		tobj_own(o, key, xasprintf("%s%s", root, to->out));
		return;
	}
	if (s->url_safe)
		tobj_safe_hashed(o, key, u, len, h);
	else
		tobj_str(o, key, u);
}

static void
title_set(const struct emit *e, struct tobj *o, const char *key,
    const struct page *p)
{
	const struct shown *s = &e->shown[p->order];

	tobj_safe_hashed(o, key, s->title, s->title_len, s->title_h);
}

/*
 * First paragraph, cut to a meta description, appended to b.  The text
 * is valid UTF-8 (load.c checked it), so code points are counted by their
 * lead bytes.
 */
static void
describe(const struct page *p, const char *fallback, struct buf *b)
{
	const unsigned char *s, *q, *end;
	size_t		 n = 0, start = b->len, len, k;
	uint64_t	 w;
	char		*nl;

	if (p->fm.description != NULL && p->fm.description[0] != '\0') {
		buf_puts(b, p->fm.description);
		return;
	}
	s = (const unsigned char *)(p->summary != NULL ? p->summary :
	    (p->text != NULL && p->text[0] != '\0' ? p->text : fallback));
	if (s == NULL)
		return;
	len = strlen((const char *)s);
	end = s + len;
	/*
	 * Whole words while they cannot hold the cut: a byte starts a code
	 * point unless it is 10xxxxxx (bit 7 set, bit 6 clear).
	 */
	for (q = s; q + 8 <= end; q += 8) {
		memcpy(&w, q, 8);
		/* One bit a continuation byte, summed by a multiply. */
		w = (w & ~(w << 1) & 0x8080808080808080ULL) >> 7;
		k = 8 - (size_t)((w * 0x0101010101010101ULL) >> 56);
		if (n + k > DESCRIPTION_CHARS)
			break;
		n += k;
	}
	for (; q < end; q++)
		if ((*q & 0xc0) != 0x80 && n++ == DESCRIPTION_CHARS)
			break;
	buf_grow(b, (size_t)(q - s) + 3);
	memcpy(b->data + b->len, s, (size_t)(q - s));
	for (nl = b->data + b->len; (nl = memchr(nl, '\n',
	    (size_t)(b->data + b->len + (q - s) - nl))) != NULL; nl++)
		*nl = ' ';
	b->len += (size_t)(q - s);
	b->data[b->len] = '\0';
	while (b->len > start && b->data[b->len - 1] == ' ')
		buf_truncate(b, b->len - 1);
	if (q < end)
		buf_puts(b, "\xe2\x80\xa6");
}

static void
json_str(struct buf *b, const char *s, size_t len)
{
	buf_putc(b, '"');
	esc_json(b, s, len);
	buf_putc(b, '"');
}

/*
 * One schema.org Question; its answer is `text`, or the start of it, and
 * with_url, the URL of the question's own page.
 */
static void
jsonld_question(const struct site *site, struct buf *b,
    const struct page *q, const char *text, size_t len, int with_url)
{
	buf_puts(b, "{\"@type\":\"Question\",\"name\":");
	json_str(b, q->fm.title, strlen(q->fm.title));
	buf_puts(b, ",\"acceptedAnswer\":{\"@type\":\"Answer\",\"text\":");
	json_str(b, text, len);
	if (with_url) {
		buf_puts(b, ",\"url\":\"");
		put_url_esc(b, site, q->out, esc_json);
		buf_putc(b, '"');
	}
	buf_puts(b, "}}");
}

static void
jsonld_crumb(const struct site *site, struct buf *b, size_t pos,
    const struct page *p)
{
	buf_puts(b, pos == 2 ? ",{\"@type\":\"ListItem\",\"position\":2,"
	    "\"name\":" : ",{\"@type\":\"ListItem\",\"position\":3,"
	    "\"name\":");
	json_str(b, p->fm.title, strlen(p->fm.title));
	buf_puts(b, ",\"item\":\"");
	put_url_esc(b, site, p->out, esc_json);
	buf_puts(b, "\"}");
}

/*
 * The JSON-LD of a page: an FAQPage on question pages (the whole answer)
 * and category pages (each question with the URL of its own page and its
 * whole answer on a site of at most all_limit questions; above, the
 * summary the page shows, so a category of thousands stays a page, not
 * megabytes), a BreadcrumbList everywhere.
 */
static void
jsonld(const struct emit *e, struct view *v, const struct page *p)
{
	const struct site *site = e->site;
	const struct page *q;
	struct buf	*b = &v->ld;
	size_t		 i;

	if (p->kind == PAGE_QUESTION || (p->kind == PAGE_CATEGORY &&
	    p->nquestions > 0)) {
		buf_puts(b, "<script type=\"application/ld+json\">"
		    "{\"@context\":\"https://schema.org\",\"@type\":\"FAQPage\","
		    "\"mainEntity\":[");
		if (p->kind == PAGE_QUESTION)
			jsonld_question(site, b, p, p->text, p->text_len, 0);
		else
			for (i = 0; i < p->nquestions; i++) {
				q = p->questions[i];
				if (i > 0)
					buf_putc(b, ',');
				jsonld_question(site, b, q, e->small ? q->text :
				    v->sums.data + v->sumoff[i], e->small ?
				    q->text_len : v->sumoff[i + 1] -
				    v->sumoff[i] - 1, 1);
			}
		buf_puts(b, "]}</script>\n");
	}
	buf_puts(b, e->ld_home);
	if (p->category != NULL)
		jsonld_crumb(site, b, 2, p->category);
	if (p->kind != PAGE_HOME)
		jsonld_crumb(site, b, p->category != NULL ? 3 : 2, p);
	buf_puts(b, "]}</script>\n");
}

static uint64_t
hash_str(const char *s, uint64_t h)
{

	return hash_bytes(s, strlen(s) + 1, h);
}

/*
 * A hash of everything jsonld() reads for page p, which is cheaper than
 * building it: a question's answer text is hashed, not escaped, and so
 * are a category's summaries (in v->sums) or answers.  ld_home and small
 * come from settings the global key holds.
 */
static uint64_t
jsonld_key(const struct emit *e, const struct view *v, const struct page *p)
{
	uint64_t	 h = p->kind;
	size_t		 i;

	h = hash_str(p->fm.title, h);
	h = hash_str(p->out, h);
	if (p->category != NULL) {
		h = hash_str(p->category->fm.title, h);
		h = hash_str(p->category->out, h);
	}
	if (p->kind == PAGE_QUESTION)
		h = hash_bytes(p->text, p->text_len + 1, h);
	else if (p->kind == PAGE_CATEGORY) {
		h = hash_bytes(&p->nquestions, sizeof(p->nquestions), h);
		for (i = 0; i < p->nquestions; i++) {
			h = hash_str(p->questions[i]->fm.title, h);
			h = hash_str(p->questions[i]->out, h);
			if (e->small)
				h = hash_bytes(p->questions[i]->text,
				    p->questions[i]->text_len + 1, h);
		}
		h = hash_bytes(v->sums.data, v->sums.len, h);
	}
	return h;
}

/* A breadcrumb; its URL is set by the caller. */
static struct tobj *
crumb(struct tobj *o, const char *title, int last)
{
	struct tobj	*c = tobj_push(o, "breadcrumbs");

	tobj_str(c, "title", title);
	tobj_bool(c, "last", last);
	return c;
}

static struct tobj *
crumb_to(const struct emit *e, struct tobj *o, const struct page *from,
    const char *root, const struct page *to, int last)
{
	struct tobj	*c = tobj_push(o, "breadcrumbs");

	title_set(e, c, "title", to);
	url_set(e, c, "url", from, root, to);
	tobj_bool(c, "last", last);
	return c;
}

/*
 * Variables every page has.  canonical, the titles and the description
 * go into v->text: offsets first, pointers once it no longer grows.
 */
static void
common(const struct emit *e, struct view *v, const char *out,
    const char *root, const struct page *p, const char *title)
{
	struct tobj	*o = v->o;
	const struct config *cfg = &e->site->cfg;
	size_t		 canon, etitle, ptitle, desc, end;

	if (p != NULL)
		title = p->fm.title;
	buf_truncate(&v->text, 0);
	canon = v->text.len;
	put_url_esc(&v->text, e->site, out, esc_html);
	buf_putc(&v->text, '\0');
	etitle = v->text.len;
	if (p != NULL)
		buf_put(&v->text, e->shown[p->order].title,
		    e->shown[p->order].title_len);
	else
		esc_html(&v->text, title, strlen(title));
	ptitle = v->text.len;
	if (strcmp(title, cfg->title) != 0) {
		buf_puts(&v->text, " - ");
		buf_puts(&v->text, e->site_title);
	}
	buf_putc(&v->text, '\0');
	buf_truncate(&v->scratch, 0);
	if (p != NULL)
		describe(p, cfg->description, &v->scratch);
	else
		buf_puts(&v->scratch, cfg->description);
	desc = v->text.len;
	esc_html(&v->text, v->scratch.data ? v->scratch.data : "",
	    v->scratch.len);
	end = v->text.len;
	buf_putc(&v->text, '\0');

	/* Pointers only now: v->text no longer moves. */
	tobj_safe(o, "site_title", e->site_title, strlen(e->site_title));
	tobj_safe(o, "site_description", e->site_description,
	    strlen(e->site_description));
	tobj_str(o, "lang", cfg->language);
	tobj_str(o, "root", root);
	tobj_str(o, "url", out);
	tobj_safe(o, "canonical", v->text.data + canon, etitle - 1 - canon);
	tobj_str(o, "base_url", cfg->base_url);
	tobj_safe(o, "title", v->text.data + etitle, ptitle - etitle);
	tobj_safe(o, "page_title", v->text.data + etitle, desc - 1 - etitle);
	tobj_safe(o, "description", v->text.data + desc, end - desc);
	tobj_bool(o, "has_all", e->has_all);
}

enum list_mode {
	LIST_NAV,	/* beside a category or question page */
	LIST_HOME,	/* every category, the start of each */
	LIST_BARE,	/* every category, no questions */
	LIST_ALL	/* every category, every question with its answer */
};

/* One category of the list, with questions [from, to). */
static void
category_item(const struct emit *e, struct tobj *o, const struct page *cat,
    const struct page *page, const char *root, const struct page *current,
    size_t from, size_t to, int bodies)
{
	const struct shown *s = &e->shown[cat->order];
	struct tobj	*c, *q;
	const struct page *qp;
	size_t		 k;

	c = tobj_push(o, "categories");
	title_set(e, c, "title", cat);
	url_set(e, c, "url", page, root, cat);
	tobj_str(c, "description", cat->fm.description ?
	    cat->fm.description : "");
	tobj_safe(c, "count", s->count, strlen(s->count));
	tobj_str(c, "id", cat->anchor);
	tobj_bool(c, "current", current != NULL && (cat == current ||
	    cat == current->category));
	tobj_bool(c, "more", to - from < cat->nquestions);
	tobj_bool(c, "has_questions", to > from);
	for (k = from; k < to; k++) {
		qp = cat->questions[k];
		q = tobj_push(c, "questions");
		title_set(e, q, "title", qp);
		url_set(e, q, "url", page, root, qp);
		tobj_safe(q, "lastmod", qp->fm.lastmod ? qp->fm.lastmod : "",
		    qp->fm.lastmod ? strlen(qp->fm.lastmod) : 0);
		tobj_str(q, "id", qp->anchor);
		tobj_bool(q, "current", current == qp);
		if (bodies)
			tobj_own(q, "body", render_all_body(e->site, qp));
	}
}

/*
 * The category list.  Beside a category or question page: every category
 * while there are few of them, else only the page's own; a question page
 * also gets the NAV_QUESTIONS questions around it.  The home page shows
 * every question of each category on a site of at most all_limit
 * questions; above, the first HOME_QUESTIONS of each while there are few
 * categories.  So a page's size and the build's time stay linear in the
 * size of the site.
 */
static void
categories(const struct emit *e, struct tobj *o, const char *root,
    const struct page *page, enum list_mode mode)
{
	const struct site *site = e->site;
	const struct page *cat, *mine = NULL;
	size_t		 i, from, to, at;
	int		 few = site->ncategories <= NAV_CATEGORIES;

	if (mode == LIST_NAV)
		mine = folder(page);
	for (i = 0; i < site->ncategories; i++) {
		/* Only its own: no walk over every category for every page. */
		if (mode == LIST_NAV && !few) {
			if (mine == NULL || i > 0)
				break;
			cat = mine;
		} else
			cat = site->categories[i];
		from = to = 0;
		switch (mode) {
		case LIST_NAV:
			if (cat != mine || page->kind != PAGE_QUESTION)
				break;
			to = cat->nquestions;
			if (to <= NAV_QUESTIONS)
				break;
			at = page->order - cat->order - 1;
			from = at > NAV_QUESTIONS / 2 ?
			    at - NAV_QUESTIONS / 2 : 0;
			if (from + NAV_QUESTIONS > to)
				from = to - NAV_QUESTIONS;
			to = from + NAV_QUESTIONS;
			break;
		case LIST_HOME:
			if (e->small)
				to = cat->nquestions;
			else if (few)
				to = cat->nquestions < HOME_QUESTIONS ?
				    cat->nquestions : HOME_QUESTIONS;
			break;
		case LIST_BARE:
			break;
		case LIST_ALL:
			to = cat->nquestions;
			break;
		}
		category_item(e, o, cat, page, root,
		    mode == LIST_NAV ? page : NULL, from, to,
		    mode == LIST_ALL);
	}
	tobj_bool(o, "few_categories", few);
}

static int
cmp_recent(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a;
	const struct page *y = *(struct page *const *)b;
	const char *lx = x->fm.lastmod ? x->fm.lastmod : "";
	const char *ly = y->fm.lastmod ? y->fm.lastmod : "";
	int c;

	if ((c = strcmp(ly, lx)) != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Questions by lastmod, newest first; the caller frees the array.  Only
 * the first max are wanted: each question is put in place among the
 * newest so far, so a site of n questions costs about n compares, not a
 * sort of all n.
 */
struct page **
emit_recent(const struct site *site, size_t max, size_t *np)
{
	struct page	**v, *q;
	size_t		  n = 0, i, k;

	if (max > site->nquestions)
		max = site->nquestions;
	v = xcalloc(max > 0 ? max : 1, sizeof(*v));
	for (i = 0; max > 0 && i < site->nquestions; i++) {
		q = site->questions[i];
		if (n == max && cmp_recent(&q, &v[n - 1]) >= 0)
			continue;
		k = n < max ? n++ : n - 1;
		for (; k > 0 && cmp_recent(&q, &v[k - 1]) < 0; k--)
			v[k] = v[k - 1];
		v[k] = q;
	}
	*np = n;
	return v;
}

static const char *const levels[] = { "0", "1", "2", "3", "4", "5", "6" };

static void
question_vars(const struct emit *e, const struct page *p, struct tobj *o,
    const char *root)
{
	struct tobj	*t;
	size_t		 i;

	tobj_safe(o, "body", p->html.data ? p->html.data : "", p->html.len);
	title_set(e, o, "category_title", p->category);
	url_set(e, o, "category_url", p, root, p->category);
	tobj_safe(o, "lastmod", p->fm.lastmod ? p->fm.lastmod : "",
	    p->fm.lastmod ? strlen(p->fm.lastmod) : 0);
	for (i = 0; i < p->fm.tags.n; i++) {
		t = tobj_push(o, "tags");
		tobj_str(t, "name", p->fm.tags.v[i]);
	}
	if (p->nheadings >= TOC_MIN)
		for (i = 0; i < p->nheadings; i++) {
			t = tobj_push(o, "toc");
			tobj_str(t, "id", p->headings[i].id);
			tobj_str(t, "text", p->headings[i].text);
			tobj_str(t, "level", levels[p->headings[i].level >= 0 &&
			    p->headings[i].level <= 6 ?
			    p->headings[i].level : 0]);
		}
	if (p->prev != NULL) {
		t = tobj_push(o, "prev");
		title_set(e, t, "title", p->prev);
		url_set(e, t, "url", p, root, p->prev);
	}
	if (p->next != NULL) {
		t = tobj_push(o, "next");
		title_set(e, t, "title", p->next);
		url_set(e, t, "url", p, root, p->next);
	}
	for (i = 0; i < p->nrelated; i++) {
		t = tobj_push(o, "related");
		title_set(e, t, "title", p->related[i]);
		url_set(e, t, "url", p, root, p->related[i]);
	}
	tobj_bool(o, "long", p->text_len > LONG_ANSWER);
	tobj_bool(o, "has_toc", p->nheadings >= TOC_MIN);
	tobj_bool(o, "has_tags", p->fm.tags.n > 0);
	tobj_bool(o, "has_related", p->nrelated > 0);
	categories(e, o, root, p, LIST_NAV);
	crumb_to(e, o, p, root, e->site->home, 0);
	crumb_to(e, o, p, root, p->category, 0);
	crumb_to(e, o, p, root, p, 1);
}

/* A category's summaries into v->sums, once for the cards and JSON-LD. */
static void
summaries(struct view *v, const struct page *p)
{
	size_t	 i;

	if (p->nquestions + 1 > v->capsum) {
		v->capsum = p->nquestions + 1;
		v->sumoff = xreallocarray(v->sumoff, v->capsum,
		    sizeof(*v->sumoff));
	}
	buf_truncate(&v->sums, 0);
	for (i = 0; i < p->nquestions; i++) {
		v->sumoff[i] = v->sums.len;
		describe(p->questions[i], "", &v->sums);
		buf_putc(&v->sums, '\0');
	}
	v->sumoff[p->nquestions] = v->sums.len;
}

static void
page_vars(const struct emit *e, struct view *v, const struct page *p,
    const char *root)
{
	const struct site *site = e->site;
	struct tobj	*o = v->o, *t;
	struct page	**recent;
	size_t		 i, n;

	tobj_bool(o, "is_home", p->kind == PAGE_HOME);
	tobj_bool(o, "is_category", p->kind == PAGE_CATEGORY);
	tobj_bool(o, "is_question", p->kind == PAGE_QUESTION);
	switch (p->kind) {
	case PAGE_HOME:
		tobj_safe(o, "intro", p->html.data ? p->html.data : "",
		    p->html.len);
		categories(e, o, root, p, LIST_HOME);
		recent = emit_recent(site, (size_t)site->cfg.recent, &n);
		/* Newest first; a question with no lastmod has no date. */
		for (i = 0; i < n && recent[i]->fm.lastmod != NULL; i++) {
			t = tobj_push(o, "recent");
			title_set(e, t, "title", recent[i]);
			url_set(e, t, "url", p, root, recent[i]);
			tobj_str(t, "lastmod", recent[i]->fm.lastmod);
			title_set(e, t, "category_title", recent[i]->category);
		}
		tobj_bool(o, "has_recent", i > 0);
		free(recent);
		crumb_to(e, o, p, root, p, 1);
		break;
	case PAGE_CATEGORY:
		tobj_safe(o, "intro", p->html.data ? p->html.data : "",
		    p->html.len);
		for (i = 0; i < p->nquestions; i++) {
			t = tobj_push(o, "questions");
			title_set(e, t, "title", p->questions[i]);
			url_set(e, t, "url", p, root, p->questions[i]);
			tobj_str(t, "lastmod", p->questions[i]->fm.lastmod ?
			    p->questions[i]->fm.lastmod : "");
			tobj_str(t, "summary", v->sums.data + v->sumoff[i]);
		}
		categories(e, o, root, p, LIST_NAV);
		crumb_to(e, o, p, root, site->home, 0);
		crumb_to(e, o, p, root, p, 1);
		break;
	case PAGE_QUESTION:
		question_vars(e, p, o, root);
		break;
	}
}

/*
 * The key of the page file to be rendered from v->o with template tname,
 * with extra (a hash of anything else it shows, or 0) mixed in.  Never 0.
 */
static uint64_t
page_key(const struct emit *e, const struct view *v, const char *tname,
    uint64_t extra)
{
	uint64_t	 h;

	h = hash_bytes(tname, strlen(tname) + 1, e->seed);
	h = hash_bytes(&extra, sizeof(extra), h);
	h = tobj_hash(v->o, h);
	return h != 0 ? h : 1;
}

/*
 * Is the live output's file at out already the page of this key?  1: kept
 * (nothing more to do), 0: render it, -1: an I/O error (reported).
 */
static int
keep(struct emit *e, const char *out, uint64_t key)
{
	int	 rc;

	__atomic_add_fetch(&e->pages, 1, __ATOMIC_RELAXED);
	if ((rc = output_keep(e->out, out, key)) == 0)
		__atomic_add_fetch(&e->rendered, 1, __ATOMIC_RELAXED);
	return rc;
}

/* Render a page template inside base.html and hand it to the output. */
static int
finish(const struct emit *e, struct view *v, const char *tname,
    const char *out, uint64_t key)
{
	buf_truncate(&v->content, 0);
	buf_truncate(&v->page, 0);
	template_render(tmpl_get(e, tname), v->o, find_partial,
	    (void *)&e->partials, &v->content);
	tobj_safe(v->o, "content", v->content.data ? v->content.data : "",
	    v->content.len);
	template_render(tmpl_get(e, "base"), v->o, find_partial,
	    (void *)&e->partials, &v->page);
	return output_file_key(e->out, out, key, v->page.data ?
	    v->page.data : "", v->page.len);
}

static void
view_init(struct view *v)
{

	memset(v, 0, sizeof(*v));
	v->o = tobj_new();
}

static void
view_free(struct view *v)
{

	tobj_free(v->o);
	buf_free(&v->content);
	buf_free(&v->page);
	buf_free(&v->ld);
	buf_free(&v->text);
	buf_free(&v->sums);
	buf_free(&v->scratch);
	free(v->sumoff);
}

static void
emit_page(struct emit *e, struct view *v, struct page *p)
{
	const char	*root = strchr(p->out, '/') ? "../" : "";
	const char	*tname;
	uint64_t	 key, ld;
	int		 rc;

	tobj_reset(v->o);
	buf_truncate(&v->ld, 0);
	if (p->kind == PAGE_CATEGORY)
		summaries(v, p);
	common(e, v, p->out, root, p, NULL);
	page_vars(e, v, p, root);
	/* The JSON-LD (a question's whole answer) only if rendered. */
	ld = jsonld_key(e, v, p);
	tname = p->kind == PAGE_HOME ? "home" :
	    p->kind == PAGE_CATEGORY ? "category" : "question";
	key = page_key(e, v, tname, ld);
	if ((rc = keep(e, p->out, key)) == 0) {
		jsonld(e, v, p);
		tobj_safe(v->o, "jsonld", v->ld.data, v->ld.len);
		rc = finish(e, v, tname, p->out, key);
	} else if (rc == 1)
		rc = 0;
	if (rc != 0)
		e->failed = 1;
	/* Nothing after this needs the page's HTML: keep memory flat. */
	buf_free(&p->html);
}

static void
emit_batch(void *arg, size_t b)
{
	struct emit	*e = arg;
	struct view	 v;
	size_t		 i, end;

	view_init(&v);
	end = (b + 1) * BATCH;
	if (end > e->site->npages)
		end = e->site->npages;
	for (i = b * BATCH; i < end; i++)
		emit_page(e, &v, e->site->pages[i]);
	view_free(&v);
}

/* search.html, all.html and 404.html: site-wide pages. */
static int
emit_special(struct emit *e, const char *tname, const char *out,
    const char *title, const char *flag, const char *root)
{
	const struct site *site = e->site;
	struct view	 v;
	struct tobj	*c;
	uint64_t	 key;
	int		 rc;

	if (tmpl_get(e, tname) == NULL)
		return 0;
	view_init(&v);
	common(e, &v, out, root, NULL, title);
	tobj_bool(v.o, flag, 1);
	categories(e, v.o, root, NULL, strcmp(tname, "all") == 0 ?
	    LIST_ALL : LIST_BARE);
	c = crumb(v.o, site->cfg.title, 0);
	tobj_own(c, "url", xasprintf("%sindex.html", root));
	c = crumb(v.o, title, 1);
	tobj_own(c, "url", xasprintf("%s%s", root, out));
	tobj_str(v.o, "jsonld", "");
	key = page_key(e, &v, tname, 0);
	if ((rc = keep(e, out, key)) == 0)
		rc = finish(e, &v, tname, out, key);
	else if (rc == 1)
		rc = 0;
	view_free(&v);
	return rc;
}

/*
 * The home page's title: the first breadcrumb's name, shown and in the
 * BreadcrumbList (load.c gives a home without _index.md the site title).
 */
static const char *
home_title(const struct site *site)
{
	if (site->home != NULL && site->home->fm.title != NULL)
		return site->home->fm.title;
	return site->cfg.title != NULL ? site->cfg.title : "";
}

/*
 * The global inputs of every page: this program (program_hash(): its
 * executable and shared libraries, which change with any of their code),
 * the settings emit and the templates read, and every template (name and
 * bytes).  Assets are copied, never read by a template, so they are left
 * out: editing style.css keeps every page.
 */
static uint64_t
inputs_seed(const struct site *site)
{
	const struct config *c = &site->cfg;
	const struct layout_file *lf;
	const char	*strs[] = { c->title, c->description, c->base_url,
	    c->language };
	int		 nums[] = { c->related, c->recent, c->unsafe_html,
	    c->all_limit, c->drafts };
	uint64_t	 h;
	size_t		 i;

	h = hash_str(FAQGEN_VERSION, program_hash());
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		h = hash_str(strs[i] != NULL ? strs[i] : "", h);
	h = hash_bytes(nums, sizeof(nums), h);
	h = hash_str(home_title(site), h);	/* every BreadcrumbList's */
	for (i = 0; i < site->nlayouts; i++) {
		lf = &site->layouts[i];
		if (strncmp(lf->name, "assets/", 7) == 0)
			continue;
		h = hash_str(lf->name, h);
		h = hash_bytes(lf->data, lf->len, h);
	}
	return h;
}

/* For tobj_safe_hashed(), which takes 0 as "not hashed". */
static uint64_t
nonzero(uint64_t h)
{

	return h != 0 ? h : 1;
}

/* a b c d in one allocation: xasprintf() without the format. */
static char *
concat(const char *a, const char *b, const char *c, const char *d)
{
	size_t	 la = strlen(a), lb = strlen(b), lc = strlen(c),
		 ld = strlen(d);
	char	*r;

	r = xmalloc(la + lb + lc + ld + 1);
	memcpy(r, a, la);
	memcpy(r + la, b, lb);
	memcpy(r + la + lb, c, lc);
	memcpy(r + la + lb + lc, d, ld + 1);
	return r;
}

/* What every page shows of every other, escaped once. */
static void
prepare(struct emit *e)
{
	struct site	*site = e->site;
	struct shown	*s;
	struct page	*p;
	struct buf	 b = { NULL, 0, 0 };
	const char	*slash;
	char		*url;
	size_t		 i;

	e->shown = xcalloc(site->npages ? site->npages : 1,
	    sizeof(*e->shown));
	for (i = 0; i < site->npages; i++) {
		p = site->pages[i];
		s = &e->shown[p->order];
		if (p->url_up == NULL)
			p->url_up = concat("../", p->out, "", "");
		if (p->anchor == NULL)
			p->anchor = p->kind == PAGE_QUESTION ?
			    concat("q/", p->category_dir, "/", p->slug) :
			    concat("c/", p->category_dir, "", "");
		s->title = escaped(p->fm.title, &s->title_len);
		slash = strrchr(p->out, '/');
		s->base = slash != NULL ? slash + 1 : p->out;
		s->base_len = strlen(s->base);
		s->out_len = strlen(p->out);
		s->up_len = strlen(p->url_up);
		s->url_safe = strpbrk(p->out, "&<>\"'") == NULL;
		s->title_h = nonzero(hash_bytes(s->title, s->title_len, 0));
		s->base_h = nonzero(hash_bytes(s->base, s->base_len, 0));
		s->out_h = nonzero(hash_bytes(p->out, s->out_len, 0));
		s->up_h = nonzero(hash_bytes(p->url_up, s->up_len, 0));
		if (p->kind == PAGE_QUESTION)
			memcpy(s->count, "0", 2);
		else
			snprintf(s->count, sizeof(s->count), "%zu",
			    p->nquestions);
	}
	e->site_title = escaped(site->cfg.title, NULL);
	e->site_description = escaped(site->cfg.description, NULL);
	buf_puts(&b, "<script type=\"application/ld+json\">"
	    "{\"@context\":\"https://schema.org\",\"@type\":\"BreadcrumbList\","
	    "\"itemListElement\":[{\"@type\":\"ListItem\",\"position\":1,"
	    "\"name\":");
	/* The name the visible breadcrumbs give the home: its title. */
	json_str(&b, home_title(site), strlen(home_title(site)));
	buf_puts(&b, ",\"item\":");
	url = emit_url(site, "index.html");
	json_str(&b, url, strlen(url));
	free(url);
	buf_putc(&b, '}');
	e->ld_home = buf_detach(&b, NULL);
}

static void
unprepare(struct emit *e)
{
	size_t	 i;

	for (i = 0; i < e->site->npages; i++)
		free(e->shown[i].title);
	free(e->shown);
	free(e->site_title);
	free(e->site_description);
	free(e->ld_home);
}

/* Redirect pages for the old paths of moved pages. */
static int
emit_aliases(struct emit *e)
{
	const struct site *site = e->site;
	const struct template *t = tmpl_get(e, "alias");
	const struct page *p;
	struct tobj	*o;
	struct buf	 b = { NULL, 0, 0 }, root = { NULL, 0, 0 };
	size_t		 i, k;
	uint64_t	 key;
	const char	*s;
	int		 rc;

	for (i = 0; i < site->npages; i++) {
		p = site->pages[i];
		for (k = 0; k < p->alias_out.n; k++) {
			buf_truncate(&root, 0);
			buf_puts(&root, "");
			for (s = p->alias_out.v[k]; (s = strchr(s, '/')) !=
			    NULL; s++)
				buf_puts(&root, "../");
			o = tobj_new();
			tobj_str(o, "lang", site->cfg.language);
			tobj_str(o, "title", p->fm.title);
			tobj_own(o, "target", xasprintf("%s%s", root.data,
			    p->out));
			tobj_own(o, "target_canonical",
			    emit_url(site, p->out));
			key = tobj_hash(o, hash_str(t != NULL ? "alias" :
			    "alias (built in)", e->seed));
			key = key != 0 ? key : 1;
			buf_truncate(&b, 0);
			if ((rc = keep(e, p->alias_out.v[k], key)) != 0) {
				/* Kept, or an error. */
				tobj_free(o);
				if (rc == 1)
					continue;
				buf_free(&b);
				buf_free(&root);
				return -1;
			} else if (t != NULL)
				template_render(t, o, find_partial,
				    &e->partials, &b);
			else {
				/* No alias.html: a minimal redirect page. */
				const char *target = NULL;
				buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"");
				esc_html(&b, site->cfg.language,
				    strlen(site->cfg.language));
				buf_puts(&b, "\"><head><meta charset=\"utf-8\">"
				    "<title>");
				esc_html(&b, p->fm.title, strlen(p->fm.title));
				target = xasprintf("%s%s", root.data, p->out);
				buf_puts(&b, "</title><link rel=\"canonical\" "
				    "href=\"");
				{
					char *c = emit_url(site, p->out);
					esc_url(&b, c, strlen(c));
					free(c);
				}
				buf_puts(&b, "\"><meta http-equiv=\"refresh\" "
				    "content=\"0; url=");
				esc_url(&b, target, strlen(target));
				buf_puts(&b, "\"></head><body><p><a href=\"");
				esc_url(&b, target, strlen(target));
				buf_puts(&b, "\">");
				esc_html(&b, p->fm.title, strlen(p->fm.title));
				buf_puts(&b, "</a></p></body></html>\n");
				free((char *)target);
			}
			tobj_free(o);
			if (output_file_key(e->out, p->alias_out.v[k], key,
			    b.data, b.len) != 0) {
				buf_free(&b);
				buf_free(&root);
				return -1;
			}
		}
	}
	buf_free(&b);
	buf_free(&root);
	return 0;
}

int
emit_site(struct site *site, struct output *out, struct diags *d)
{
	struct emit	 e;
	const struct layout_file *lf;
	struct buf	 b = { NULL, 0, 0 };
	char		*path, *root404;
	size_t		 i;
	int		 rc = 0;

	memset(&e, 0, sizeof(e));
	e.site = site;
	e.out = out;
	if (parse_layouts(&e, d) != 0) {
		free_layouts(&e);
		return -1;
	}
	e.small = site->nquestions <= (size_t)site->cfg.all_limit;
	e.has_all = e.small && tmpl_get(&e, "all") != NULL;
	e.seed = inputs_seed(site);
	prepare(&e);
	pool_run((site->npages + BATCH - 1) / BATCH, site->cfg.jobs,
	    emit_batch, &e);
	if (e.failed)
		rc = -1;
	if (rc == 0)
		rc = emit_special(&e, "search", "search.html", "搜索",
		    "is_search", "");
	if (rc == 0 && e.has_all)
		rc = emit_special(&e, "all", "all.html", "全部问题",
		    "is_all", "");
	root404 = xstrdup(base_path(site->cfg.base_url));
	if (rc == 0)
		rc = emit_special(&e, "404", "404.html", "页面未找到",
		    "is_404", root404);
	free(root404);
	if (rc == 0)
		rc = emit_aliases(&e);
	/* How many pages a rebuild kept, beside build.c's timing lines. */
	if (rc == 0 && getenv("FAQGEN_TIMING") != NULL)
		fprintf(stderr, "faqgen: emit: %zu of %zu pages rendered\n",
		    e.rendered, e.pages);

	/* robots.txt names the sitemap. */
	buf_printf(&b, "User-agent: *\nAllow: /\n\nSitemap: %ssitemap.xml\n",
	    site->cfg.base_url);
	if (rc == 0)
		rc = output_file(out, "robots.txt", b.data, b.len);
	buf_free(&b);

	for (i = 0; rc == 0 && i < site->nlayouts; i++) {
		lf = &site->layouts[i];
		if (strncmp(lf->name, "assets/", 7) != 0)
			continue;
		path = xstrdup(lf->name);
		rc = output_file(out, path, lf->data, lf->len);
		free(path);
	}
	unprepare(&e);
	free_layouts(&e);
	return rc;
}
