/*
 * emit.c: pages through the templates in layouts/, plus robots.txt and
 * the static assets.  Every page is rendered into memory and handed to
 * the output sink; pages are independent, so they are emitted on the
 * thread pool.  Variables are documented in layouts/README.md.
 */
#include <stdlib.h>
#include <string.h>

#include "faqgen.h"

#define DESCRIPTION_CHARS 120	/* code points of a meta description */
#define TOC_MIN		2	/* headings before an answer gets a TOC */
#define LONG_ANSWER	2500	/* bytes of answer text for back-to-top */
#define NAV_CATEGORIES	40	/* more, and pages list only their own */
#define NAV_QUESTIONS	30	/* questions beside a page, around it */

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

struct emit {
	struct site	*site;
	struct output	*out;
	struct partials	 partials;
	const struct template *t[NTEMPLATES];	/* borrowed from partials */
	int		 failed;
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
 * The absolute URL of an output file; "index.html" pages are canonical as
 * their folder.  Used for canonical links, JSON-LD, the sitemap and feed.
 */
char *
emit_url(const struct site *site, const char *out)
{
	size_t	 len = strlen(out);

	if (strcmp(out, "index.html") == 0)
		return xstrdup(site->cfg.base_url);
	if (len > 11 && strcmp(out + len - 11, "/index.html") == 0)
		return xasprintf("%s%.*s/", site->cfg.base_url,
		    (int)(len - 11), out);
	return xasprintf("%s%s", site->cfg.base_url, out);
}

/* Path from the base URL: "https://x.cn/faq/" -> "/faq/". */
static const char *
base_path(const char *base_url)
{
	const char	*p;

	if ((p = strstr(base_url, "://")) == NULL)
		return "/";
	p = strchr(p + 3, '/');
	return p ? p : "/";
}

/*
 * Set key to the URL of page `to` as seen from a page at `root`.  Pages
 * stand at the root or one folder down, so the URL is borrowed from the
 * page itself in both cases (out, or url_up filled by emit_site()); only
 * 404.html's absolute root allocates.
 */
static void
url_set(struct tobj *o, const char *key, const char *root,
    const struct page *to)
{
	if (root[0] == '\0')
		tobj_str(o, key, to->out);
	else if (strcmp(root, "../") == 0)
		tobj_str(o, key, to->url_up);
	else
		tobj_own(o, key, xasprintf("%s%s", root, to->out));
}

/* First paragraph, cut to a meta description. */
static char *
describe(const struct page *p, const char *fallback)
{
	const char	*s, *q, *end;
	struct buf	 b = { NULL, 0, 0 };
	size_t		 n = 0;

	if (p->fm.description != NULL && p->fm.description[0] != '\0')
		return xstrdup(p->fm.description);
	s = p->summary != NULL ? p->summary :
	    (p->text != NULL && p->text[0] != '\0' ? p->text : fallback);
	if (s == NULL)
		return xstrdup("");
	end = s + strlen(s);
	for (q = s; q < end && n < DESCRIPTION_CHARS; n++) {
		const char *c = q;
		if (utf8_decode(&q, end) < 0)
			q = c + 1;
		if (*c == '\n')
			buf_putc(&b, ' ');
		else
			buf_put(&b, c, (size_t)(q - c));
	}
	while (b.len > 0 && b.data[b.len - 1] == ' ')
		buf_truncate(&b, b.len - 1);
	if (q < end)
		buf_puts(&b, "\xe2\x80\xa6");
	if (b.data == NULL)
		buf_puts(&b, "");
	return buf_detach(&b, NULL);
}

static void
json_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	esc_json(b, s, strlen(s));
	buf_putc(b, '"');
}

/* One schema.org Question with its accepted answer. */
static void
jsonld_question(struct buf *b, const struct page *q)
{
	buf_puts(b, "{\"@type\":\"Question\",\"name\":");
	json_str(b, q->fm.title);
	buf_puts(b, ",\"acceptedAnswer\":{\"@type\":\"Answer\",\"text\":");
	json_str(b, q->text);
	buf_puts(b, "}}");
}

static void
jsonld(const struct site *site, const struct page *p, struct buf *b)
{
	char	*url;
	size_t	 i, pos = 1;

	if (p->kind == PAGE_QUESTION || (p->kind == PAGE_CATEGORY &&
	    p->nquestions > 0)) {
		buf_puts(b, "<script type=\"application/ld+json\">"
		    "{\"@context\":\"https://schema.org\",\"@type\":\"FAQPage\","
		    "\"mainEntity\":[");
		if (p->kind == PAGE_QUESTION)
			jsonld_question(b, p);
		else
			for (i = 0; i < p->nquestions; i++) {
				if (i > 0)
					buf_putc(b, ',');
				jsonld_question(b, p->questions[i]);
			}
		buf_puts(b, "]}</script>\n");
	}
	buf_puts(b, "<script type=\"application/ld+json\">"
	    "{\"@context\":\"https://schema.org\",\"@type\":\"BreadcrumbList\","
	    "\"itemListElement\":[");
	url = emit_url(site, "index.html");
	buf_printf(b, "{\"@type\":\"ListItem\",\"position\":%zu,\"name\":",
	    pos++);
	json_str(b, site->cfg.title);
	buf_puts(b, ",\"item\":");
	json_str(b, url);
	buf_putc(b, '}');
	free(url);
	if (p->category != NULL) {
		url = emit_url(site, p->category->out);
		buf_printf(b, ",{\"@type\":\"ListItem\",\"position\":%zu,"
		    "\"name\":", pos++);
		json_str(b, p->category->fm.title);
		buf_puts(b, ",\"item\":");
		json_str(b, url);
		buf_putc(b, '}');
		free(url);
	}
	if (p->kind != PAGE_HOME) {
		url = emit_url(site, p->out);
		buf_printf(b, ",{\"@type\":\"ListItem\",\"position\":%zu,"
		    "\"name\":", pos);
		json_str(b, p->fm.title);
		buf_puts(b, ",\"item\":");
		json_str(b, url);
		buf_putc(b, '}');
		free(url);
	}
	buf_puts(b, "]}</script>\n");
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

/* Variables every page has. */
static struct tobj *
common(const struct site *site, const char *out, const char *root,
    const char *title, char *description)
{
	struct tobj	*o = tobj_new();
	const struct config *cfg = &site->cfg;

	tobj_str(o, "site_title", cfg->title);
	tobj_str(o, "site_description", cfg->description);
	tobj_str(o, "lang", cfg->language);
	tobj_str(o, "root", root);
	tobj_str(o, "url", out);
	tobj_own(o, "canonical", emit_url(site, out));
	tobj_str(o, "base_url", cfg->base_url);
	tobj_str(o, "title", title);
	if (strcmp(title, cfg->title) == 0)
		tobj_str(o, "page_title", cfg->title);
	else
		tobj_own(o, "page_title", xasprintf("%s - %s", title,
		    cfg->title));
	tobj_own(o, "description", description);
	return o;
}

/*
 * The category list.  Site-wide pages (current == NULL) get every
 * category with its questions when with_questions is set; a category or
 * question page gets only its own category's questions, and the other
 * categories only while there are few of them, so a page's size and the
 * build's time stay linear in the size of the site.
 */
static void
categories(const struct site *site, struct tobj *o, const char *root,
    const struct page *current, int with_questions, int with_bodies)
{
	struct tobj	*c, *q;
	const struct page *cat, *qp, *mine;
	size_t		 i, k, from, to, at;
	int		 few = site->ncategories <= NAV_CATEGORIES;

	mine = current == NULL ? NULL : current->kind == PAGE_CATEGORY ?
	    current : current->category;
	for (i = 0; i < site->ncategories; i++) {
		cat = site->categories[i];
		if (current != NULL && !few && cat != mine)
			continue;
		c = tobj_push(o, "categories");
		tobj_str(c, "title", cat->fm.title);
		url_set(c, "url", root, cat);
		tobj_str(c, "description", cat->fm.description ?
		    cat->fm.description : "");
		tobj_own(c, "count", xasprintf("%zu", cat->nquestions));
		tobj_str(c, "id", cat->anchor);
		tobj_bool(c, "current", cat == mine);
		if (!with_questions || (current != NULL && cat != mine))
			continue;
		/* Beside a page, a long category shows a window around it. */
		from = 0;
		to = cat->nquestions;
		if (current != NULL && to > NAV_QUESTIONS) {
			at = current->kind == PAGE_QUESTION ?
			    current->order - cat->order - 1 : 0;
			from = at > NAV_QUESTIONS / 2 ? at - NAV_QUESTIONS / 2 : 0;
			if (from + NAV_QUESTIONS > to)
				from = to - NAV_QUESTIONS;
			to = from + NAV_QUESTIONS;
			tobj_bool(c, "more", 1);
		}
		for (k = from; k < to; k++) {
			qp = cat->questions[k];
			q = tobj_push(c, "questions");
			tobj_str(q, "title", qp->fm.title);
			url_set(q, "url", root, qp);
			tobj_str(q, "lastmod", qp->fm.lastmod ?
			    qp->fm.lastmod : "");
			tobj_str(q, "id", qp->anchor);
			tobj_bool(q, "current", current == qp);
			if (with_bodies)
				tobj_own(q, "body", render_all_body(site, qp));
		}
	}
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

/* Questions by lastmod, newest first; the caller frees the array. */
struct page **
emit_recent(const struct site *site, size_t max, size_t *np)
{
	struct page	**v;
	size_t		  n = site->nquestions;

	v = xcalloc(n, sizeof(*v));
	if (n > 0) {
		/* A site without questions has no array to copy. */
		memcpy(v, site->questions, n * sizeof(*v));
		qsort(v, n, sizeof(*v), cmp_recent);
	}
	*np = n < max ? n : max;
	return v;
}

static void
page_vars(struct emit *e, const struct page *p, struct tobj *o,
    const char *root)
{
	const struct site *site = e->site;
	struct tobj	*t;
	struct page	**recent;
	size_t		 i, n;

	tobj_bool(o, "is_home", p->kind == PAGE_HOME);
	tobj_bool(o, "is_category", p->kind == PAGE_CATEGORY);
	tobj_bool(o, "is_question", p->kind == PAGE_QUESTION);
	switch (p->kind) {
	case PAGE_HOME:
		tobj_str(o, "intro", p->html.data ? p->html.data : "");
		categories(site, o, root, NULL, 1, 0);
		recent = emit_recent(site, (size_t)site->cfg.recent, &n);
		for (i = 0; i < n; i++) {
			t = tobj_push(o, "recent");
			tobj_str(t, "title", recent[i]->fm.title);
			url_set(t, "url", root, recent[i]);
			tobj_str(t, "lastmod", recent[i]->fm.lastmod ?
			    recent[i]->fm.lastmod : "");
			tobj_str(t, "category_title",
			    recent[i]->category->fm.title);
		}
		free(recent);
		url_set(crumb(o, site->cfg.title, 1), "url", root, p);
		break;
	case PAGE_CATEGORY:
		tobj_str(o, "intro", p->html.data ? p->html.data : "");
		for (i = 0; i < p->nquestions; i++) {
			t = tobj_push(o, "questions");
			tobj_str(t, "title", p->questions[i]->fm.title);
			url_set(t, "url", root, p->questions[i]);
			tobj_str(t, "lastmod", p->questions[i]->fm.lastmod ?
			    p->questions[i]->fm.lastmod : "");
			tobj_own(t, "summary", describe(p->questions[i], ""));
		}
		categories(site, o, root, p, 1, 0);
		url_set(crumb(o, site->cfg.title, 0), "url", root, site->home);
		url_set(crumb(o, p->fm.title, 1), "url", root, p);
		break;
	case PAGE_QUESTION:
		tobj_str(o, "body", p->html.data ? p->html.data : "");
		tobj_str(o, "category_title", p->category->fm.title);
		url_set(o, "category_url", root, p->category);
		tobj_str(o, "lastmod", p->fm.lastmod ? p->fm.lastmod : "");
		for (i = 0; i < p->fm.tags.n; i++) {
			t = tobj_push(o, "tags");
			tobj_str(t, "name", p->fm.tags.v[i]);
		}
		if (p->nheadings >= TOC_MIN)
			for (i = 0; i < p->nheadings; i++) {
				t = tobj_push(o, "toc");
				tobj_str(t, "id", p->headings[i].id);
				tobj_str(t, "text", p->headings[i].text);
				tobj_own(t, "level", xasprintf("%d",
				    p->headings[i].level));
			}
		if (p->prev != NULL) {
			t = tobj_push(o, "prev");
			tobj_str(t, "title", p->prev->fm.title);
			url_set(t, "url", root, p->prev);
		}
		if (p->next != NULL) {
			t = tobj_push(o, "next");
			tobj_str(t, "title", p->next->fm.title);
			url_set(t, "url", root, p->next);
		}
		for (i = 0; i < p->nrelated; i++) {
			t = tobj_push(o, "related");
			tobj_str(t, "title", p->related[i]->fm.title);
			url_set(t, "url", root, p->related[i]);
		}
		tobj_bool(o, "long", strlen(p->text) > LONG_ANSWER);
		tobj_bool(o, "has_toc", p->nheadings >= TOC_MIN);
		tobj_bool(o, "has_tags", p->fm.tags.n > 0);
		tobj_bool(o, "has_related", p->nrelated > 0);
		categories(site, o, root, p, 1, 0);
		url_set(crumb(o, site->cfg.title, 0), "url", root, site->home);
		url_set(crumb(o, p->category->fm.title, 0), "url", root,
		    p->category);
		url_set(crumb(o, p->fm.title, 1), "url", root, p);
		break;
	}
}

/* Render a page template inside base.html and hand it to the output. */
static int
finish(struct emit *e, const char *tname, struct tobj *o, const char *out)
{
	struct buf	 content = { NULL, 0, 0 }, page = { NULL, 0, 0 };
	int		 rc;

	template_render(tmpl_get(e, tname), o, find_partial, &e->partials,
	    &content);
	tobj_str(o, "content", content.data ? content.data : "");
	buf_grow(&page, content.len + 8192);
	template_render(tmpl_get(e, "base"), o, find_partial, &e->partials,
	    &page);
	rc = output_file(e->out, out, page.data, page.len);
	buf_free(&content);
	buf_free(&page);
	return rc;
}

static void
emit_page(void *arg, size_t i)
{
	struct emit	*e = arg;
	struct page	*p = e->site->pages[i];
	const char	*root = strchr(p->out, '/') ? "../" : "";
	struct tobj	*o;
	struct buf	 ld = { NULL, 0, 0 };
	const char	*tname;

	o = common(e->site, p->out, root, p->fm.title,
	    describe(p, e->site->cfg.description));
	page_vars(e, p, o, root);
	jsonld(e->site, p, &ld);
	tobj_own(o, "jsonld", buf_detach(&ld, NULL));
	tname = p->kind == PAGE_HOME ? "home" :
	    p->kind == PAGE_CATEGORY ? "category" : "question";
	if (finish(e, tname, o, p->out) != 0)
		e->failed = 1;
	tobj_free(o);
	/* Nothing after this needs the page's HTML: keep memory flat. */
	buf_free(&p->html);
}

/* search.html, all.html and 404.html: site-wide pages. */
static int
emit_special(struct emit *e, const char *tname, const char *out,
    const char *title, const char *flag, const char *root)
{
	const struct site *site = e->site;
	struct tobj	*o;
	struct buf	 ld = { NULL, 0, 0 };
	int		 rc;

	if (tmpl_get(e, tname) == NULL)
		return 0;
	o = common(site, out, root, title, xstrdup(site->cfg.description));
	tobj_bool(o, flag, 1);
	categories(site, o, root, NULL, strcmp(tname, "all") == 0 ||
	    strcmp(tname, "404") == 0, strcmp(tname, "all") == 0);
	tobj_own(crumb(o, site->cfg.title, 0), "url",
	    xasprintf("%sindex.html", root));
	tobj_own(crumb(o, title, 1), "url", xasprintf("%s%s", root, out));
	buf_puts(&ld, "");
	tobj_own(o, "jsonld", buf_detach(&ld, NULL));
	rc = finish(e, tname, o, out);
	tobj_free(o);
	return rc;
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
	const char	*s;

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
			buf_truncate(&b, 0);
			if (t != NULL)
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
			if (output_file(e->out, p->alias_out.v[k], b.data,
			    b.len) != 0) {
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
	for (i = 0; i < site->npages; i++) {
		struct page *p = site->pages[i];
		if (p->url_up == NULL)
			p->url_up = xasprintf("../%s", p->out);
		if (p->anchor == NULL)
			p->anchor = p->kind == PAGE_QUESTION ?
			    xasprintf("q-%s-%s", p->category_dir, p->slug) :
			    xasprintf("c-%s", p->category_dir);
	}
	pool_run(site->npages, site->cfg.jobs, emit_page, &e);
	if (e.failed)
		rc = -1;
	if (rc == 0)
		rc = emit_special(&e, "search", "search.html", "搜索",
		    "is_search", "");
	if (rc == 0 && site->nquestions <= (size_t)site->cfg.all_limit)
		rc = emit_special(&e, "all", "all.html", "全部问题",
		    "is_all", "");
	root404 = xstrdup(base_path(site->cfg.base_url));
	if (rc == 0)
		rc = emit_special(&e, "404", "404.html", "页面未找到",
		    "is_404", root404);
	free(root404);
	if (rc == 0)
		rc = emit_aliases(&e);

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
	free_layouts(&e);
	return rc;
}
