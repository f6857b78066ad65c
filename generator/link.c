/*
 * link.c: what needs the whole site: cross-reference fragments, reserved
 * names and aliases, previous/next within a category, and related
 * questions by text similarity.
 *
 * Related questions: every question becomes a TF-IDF vector over its
 * character bigrams (Chinese) and words (Latin, digits), taken from the
 * title, keywords, tags, headings and the start of the answer.  Each
 * vector keeps its strongest terms; each term keeps its strongest
 * postings, so scoring one question touches a bounded number of others
 * and the whole pass stays linear in the number of questions.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "faqgen.h"

#define TERMS_PER_PAGE	24	/* strongest terms kept per question */
#define POSTINGS_KEPT	48	/* strongest questions kept per term */
#define BODY_CHARS	400	/* code points of the answer used */
#define CANDIDATES	2048	/* power of two, > TERMS * POSTINGS */

struct term {
	uint64_t	 key;
	float		 w;
	uint32_t	 id;
};

struct vec {
	struct term	*t;	/* owned */
	size_t		 n;
};

struct posting {
	uint32_t	 page;	/* index in site->questions */
	float		 w;
};

struct related_ctx {
	struct site	*site;
	struct vec	*vecs;
	struct posting	**post;	/* per term id, owned */
	uint32_t	*npost;
	float		*idf;
};

static int
is_han(uint32_t cp)
{
	return (cp >= 0x3400 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0x20000 && cp <= 0x2ffff);
}

struct collect {
	struct term	*t;
	size_t		 n, cap;
};

static void
put_key(struct collect *c, uint64_t key, float w)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->t = xreallocarray(c->t, c->cap, sizeof(*c->t));
	}
	c->t[c->n].key = key;
	c->t[c->n].w = w;
	c->t[c->n].id = 0;
	c->n++;
}

/* Add the terms of <s, len>, at most `limit` code points, weighted w. */
static void
collect_text(struct collect *c, const char *s, size_t len, size_t limit,
    float w)
{
	const char	*p = s, *end = s + len;
	int32_t		 cp, prev = -1;
	uint64_t	 word = 0;
	size_t		 wlen = 0, seen = 0;

	while (p < end && seen < limit) {
		if ((cp = utf8_decode(&p, end)) < 0) {
			p++;
			prev = -1;
			continue;
		}
		seen++;
		if (cp < 0x80 && isalnum(cp)) {
			word = (word ^ (uint64_t)tolower(cp)) *
			    0x100000001b3ULL;
			wlen++;
			prev = -1;
			continue;
		}
		if (wlen > 0) {
			put_key(c, word | (1ULL << 63), w);
			word = 0;
			wlen = 0;
		}
		if (is_han((uint32_t)cp)) {
			if (prev >= 0)
				put_key(c, ((uint64_t)prev << 21) |
				    (uint64_t)cp, w);
			prev = cp;
		} else
			prev = -1;
	}
	if (wlen > 0)
		put_key(c, word | (1ULL << 63), w);
}

static int
cmp_weight(const void *a, const void *b)
{
	const struct term *x = a, *y = b;

	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

/*
 * Sum the weights of equal keys in place, with a small open-addressing
 * table; the first occurrence keeps its place, so the order is stable.
 */
static void
merge_keys(struct collect *c)
{
	uint32_t	*slot;
	size_t		 cap, mask, h, k, n = 0;

	for (cap = 16; cap < c->n * 2; cap *= 2)
		continue;
	mask = cap - 1;
	slot = xcalloc(cap, sizeof(*slot));	/* index + 1; 0 = empty */
	for (k = 0; k < c->n; k++) {
		h = (size_t)((c->t[k].key * 0x9e3779b97f4a7c15ULL) >> 40) &
		    mask;
		while (slot[h] != 0 && c->t[slot[h] - 1].key != c->t[k].key)
			h = (h + 1) & mask;
		if (slot[h] != 0)
			c->t[slot[h] - 1].w += c->t[k].w;
		else {
			c->t[n] = c->t[k];
			slot[h] = (uint32_t)++n;
		}
	}
	c->n = n;
	free(slot);
}

/* Phase 1, per question: its terms with their frequencies. */
static void
vectorise(void *arg, size_t i)
{
	struct related_ctx *ctx = arg;
	const struct page *p = ctx->site->questions[i];
	struct collect	 c = { NULL, 0, 0 };
	size_t		 k;

	collect_text(&c, p->fm.title, strlen(p->fm.title), SIZE_MAX, 3.0f);
	for (k = 0; k < p->fm.keywords.n; k++)
		collect_text(&c, p->fm.keywords.v[k],
		    strlen(p->fm.keywords.v[k]), SIZE_MAX, 2.0f);
	for (k = 0; k < p->fm.tags.n; k++)
		collect_text(&c, p->fm.tags.v[k], strlen(p->fm.tags.v[k]),
		    SIZE_MAX, 2.0f);
	for (k = 0; k < p->nheadings; k++)
		collect_text(&c, p->headings[k].text,
		    strlen(p->headings[k].text), SIZE_MAX, 1.5f);
	collect_text(&c, p->text, strlen(p->text), BODY_CHARS, 1.0f);
	merge_keys(&c);
	/* Give back what the raw occurrences took. */
	ctx->vecs[i].t = c.n > 0 ? xreallocarray(c.t, c.n, sizeof(*c.t)) : c.t;
	ctx->vecs[i].n = c.n;
}

/* Phase 3, per question: TF-IDF, keep the strongest, normalise. */
static void
weigh(void *arg, size_t i)
{
	struct related_ctx *ctx = arg;
	struct vec	*v = &ctx->vecs[i];
	struct term	 top[TERMS_PER_PAGE], t;
	size_t		 k, n = 0, j;
	double		 norm = 0;

	/* The strongest terms, by insertion into a short sorted list. */
	for (k = 0; k < v->n; k++) {
		t = v->t[k];
		t.w = (1.0f + logf(t.w)) * ctx->idf[t.id];
		if (n == TERMS_PER_PAGE && cmp_weight(&t, &top[n - 1]) >= 0)
			continue;
		if (n < TERMS_PER_PAGE)
			n++;
		for (j = n - 1; j > 0 && cmp_weight(&t, &top[j - 1]) < 0; j--)
			top[j] = top[j - 1];
		top[j] = t;
	}
	memcpy(v->t, top, n * sizeof(*top));
	v->n = n;
	if (n > 0)
		v->t = xreallocarray(v->t, n, sizeof(*v->t));
	for (k = 0; k < v->n; k++)
		norm += (double)v->t[k].w * v->t[k].w;
	norm = sqrt(norm);
	for (k = 0; k < v->n && norm > 0; k++)
		v->t[k].w = (float)(v->t[k].w / norm);
}

struct cand {
	uint32_t	 page;	/* index + 1; 0 = empty */
	float		 score;
};

static int
cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->page < y->page ? -1 : x->page > y->page;
}

/* Phase 5, per question: score others through the postings. */
static void
score(void *arg, size_t i)
{
	struct related_ctx *ctx = arg;
	struct page	*p = ctx->site->questions[i], *q;
	const struct vec *v = &ctx->vecs[i];
	struct cand	 tab[CANDIDATES];
	size_t		 k, j, n = 0, max = (size_t)ctx->site->cfg.related;
	uint32_t	 h;

	memset(tab, 0, sizeof(tab));
	for (k = 0; k < v->n; k++) {
		const struct posting *ps = ctx->post[v->t[k].id];
		for (j = 0; j < ctx->npost[v->t[k].id]; j++) {
			if (ps[j].page == i)
				continue;
			h = (ps[j].page * 2654435761u) & (CANDIDATES - 1);
			while (tab[h].page != 0 && tab[h].page != ps[j].page + 1)
				h = (h + 1) & (CANDIDATES - 1);
			tab[h].page = ps[j].page + 1;
			tab[h].score += v->t[k].w * ps[j].w;
		}
	}
	for (k = 0; k < CANDIDATES; k++) {
		if (tab[k].page == 0)
			continue;
		q = ctx->site->questions[tab[k].page - 1];
		if (q->category == p->category)
			tab[k].score *= 1.2f;
		if (tab[k].score >= 0.05f)
			tab[n++] = tab[k];
	}
	qsort(tab, n, sizeof(*tab), cmp_cand);
	if (n > max)
		n = max;
	p->related = xcalloc(n, sizeof(struct page *));
	for (k = 0; k < n; k++)
		p->related[k] = ctx->site->questions[tab[k].page - 1];
	p->nrelated = n;
}

static int
cmp_posting(const void *a, const void *b)
{
	const struct posting *x = a, *y = b;

	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	return x->page < y->page ? -1 : x->page > y->page;
}

/* Open-addressing map from term key to term id. */
struct termmap {
	uint64_t	*keys;
	uint32_t	*ids;	/* id + 1; 0 = empty */
	size_t		 mask;
	uint32_t	 n;
};

static size_t
termmap_slot(const struct termmap *m, uint64_t key)
{
	size_t	 h = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & m->mask;

	while (m->ids[h] != 0 && m->keys[h] != key)
		h = (h + 1) & m->mask;
	return h;
}

/* Double the table; it stays at most half full. */
static void
termmap_grow(struct termmap *m)
{
	struct termmap	 old = *m;
	size_t		 i, h, cap = (old.mask + 1) * 2;

	m->keys = xcalloc(cap, sizeof(uint64_t));
	m->ids = xcalloc(cap, sizeof(uint32_t));
	m->mask = cap - 1;
	for (i = 0; i <= old.mask; i++)
		if (old.ids[i] != 0) {
			h = termmap_slot(m, old.keys[i]);
			m->keys[h] = old.keys[i];
			m->ids[h] = old.ids[i];
		}
	free(old.keys);
	free(old.ids);
}

static uint32_t
termmap_id(struct termmap *m, uint64_t key)
{
	size_t	 h;

	if (((size_t)m->n + 1) * 2 > m->mask + 1)
		termmap_grow(m);
	h = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & m->mask;
	while (m->ids[h] != 0) {
		if (m->keys[h] == key)
			return m->ids[h] - 1;
		h = (h + 1) & m->mask;
	}
	m->keys[h] = key;
	m->ids[h] = ++m->n;
	return m->n - 1;
}

static void
related_questions(struct site *site)
{
	struct related_ctx ctx;
	struct termmap	 map;
	size_t		 i, k;
	uint32_t	*df, nt;
	size_t		 nq = site->nquestions;

	if (nq == 0 || site->cfg.related <= 0)
		return;
	memset(&ctx, 0, sizeof(ctx));
	ctx.site = site;
	ctx.vecs = xcalloc(nq, sizeof(*ctx.vecs));
	pool_run(nq, site->cfg.jobs, vectorise, &ctx);

	/* Phase 2: term ids and document frequencies, in site order. */
	map.keys = xcalloc(1024, sizeof(uint64_t));
	map.ids = xcalloc(1024, sizeof(uint32_t));
	map.mask = 1023;
	map.n = 0;
	for (i = 0; i < nq; i++)
		for (k = 0; k < ctx.vecs[i].n; k++)
			ctx.vecs[i].t[k].id = termmap_id(&map, ctx.vecs[i].t[k].key);
	nt = map.n;
	df = xcalloc(nt + 1, sizeof(uint32_t));
	for (i = 0; i < nq; i++)
		for (k = 0; k < ctx.vecs[i].n; k++)
			df[ctx.vecs[i].t[k].id]++;
	ctx.idf = xcalloc(nt + 1, sizeof(float));
	for (k = 0; k < nt; k++)
		ctx.idf[k] = logf((float)(nq + 1) / (float)df[k]);
	free(map.keys);
	free(map.ids);

	pool_run(nq, site->cfg.jobs, weigh, &ctx);

	/* Phase 4: postings, each cut to its strongest questions. */
	ctx.npost = xcalloc(nt + 1, sizeof(uint32_t));
	ctx.post = xcalloc(nt + 1, sizeof(struct posting *));
	memset(df, 0, (nt + 1) * sizeof(uint32_t));
	for (i = 0; i < nq; i++)
		for (k = 0; k < ctx.vecs[i].n; k++)
			df[ctx.vecs[i].t[k].id]++;
	for (k = 0; k < nt; k++)
		if (df[k] > 0)
			ctx.post[k] = xcalloc(df[k], sizeof(struct posting));
	for (i = 0; i < nq; i++)
		for (k = 0; k < ctx.vecs[i].n; k++) {
			uint32_t id = ctx.vecs[i].t[k].id;
			ctx.post[id][ctx.npost[id]].page = (uint32_t)i;
			ctx.post[id][ctx.npost[id]].w = ctx.vecs[i].t[k].w;
			ctx.npost[id]++;
		}
	for (k = 0; k < nt; k++)
		if (ctx.npost[k] > POSTINGS_KEPT) {
			qsort(ctx.post[k], ctx.npost[k],
			    sizeof(struct posting), cmp_posting);
			ctx.npost[k] = POSTINGS_KEPT;
		}

	pool_run(nq, site->cfg.jobs, score, &ctx);

	for (k = 0; k < nt; k++)
		free(ctx.post[k]);
	free(ctx.post);
	free(ctx.npost);
	free(ctx.idf);
	free(df);
	for (i = 0; i < nq; i++)
		free(ctx.vecs[i].t);
	free(ctx.vecs);
}

static int
has_heading(const struct page *p, const char *id)
{
	size_t	 i;

	for (i = 0; i < p->nheadings; i++)
		if (strcmp(p->headings[i].id, id) == 0)
			return 1;
	return 0;
}

/*
 * An alias as written ("/old/path/", "old/x.html") as an output path
 * ("old/path/index.html"), or NULL when it leaves the site.
 */
char *
link_alias_path(const char *alias)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*norm, *res;
	const char	*last;
	size_t		 len;

	while (*alias == '/')
		alias++;
	buf_puts(&b, alias);
	norm = buf_detach(&b, NULL);
	res = path_resolve("", norm);
	free(norm);
	if (res == NULL || res[0] == '\0') {
		free(res);
		return NULL;
	}
	len = strlen(alias);
	last = strrchr(res, '/');
	last = last ? last + 1 : res;
	if (alias[len - 1] == '/' || strchr(last, '.') == NULL) {
		norm = xasprintf("%s/index.html", res);
		free(res);
		return norm;
	}
	return res;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Aliases must not collide with a page, a reserved file or each other. */
static void
check_aliases(struct site *site)
{
	char		**outs = NULL, *a, **hit;
	size_t		  n = 0, i, k;
	struct page	 *p;
	static const char *const reserved[] = { "index.html", "search.html",
	    "all.html", "404.html", "sitemap.xml", "robots.txt", "feed.xml" };

	outs = xreallocarray(NULL, site->npages + 8, sizeof(char *));
	for (i = 0; i < site->npages; i++)
		outs[n++] = site->pages[i]->out;
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		outs[n++] = (char *)reserved[i];
	qsort(outs, n, sizeof(char *), cmp_str);
	for (i = 0; i < site->npages; i++) {
		p = site->pages[i];
		for (k = 0; k < p->fm.aliases.n; k++) {
			if ((a = link_alias_path(p->fm.aliases.v[k])) == NULL) {
				diag_add(&p->diags, p->file, 0,
				    "alias %s leaves the site",
				    p->fm.aliases.v[k]);
				continue;
			}
			if (strncmp(a, "assets/", 7) == 0 ||
			    strncmp(a, "search/", 7) == 0)
				diag_add(&p->diags, p->file, 0,
				    "alias %s is inside a reserved folder",
				    p->fm.aliases.v[k]);
			else if ((hit = bsearch(&a, outs, n, sizeof(char *),
			    cmp_str)) != NULL)
				diag_add(&p->diags, p->file, 0,
				    "alias %s collides with %s",
				    p->fm.aliases.v[k], *hit);
			strlist_add(&p->alias_out, a, strlen(a));
			free(a);
		}
	}
	/* Aliases against each other, in site order for stable messages. */
	for (i = 0; i < site->npages; i++) {
		p = site->pages[i];
		for (k = 0; k < p->alias_out.n; k++) {
			size_t j, m;
			for (j = 0; j <= i; j++)
				for (m = 0; m < site->pages[j]->alias_out.n;
				    m++) {
					if (j == i && m >= k)
						break;
					if (strcmp(site->pages[j]->alias_out.v[m],
					    p->alias_out.v[k]) == 0)
						diag_add(&p->diags, p->file, 0,
						    "alias %s is also an alias "
						    "of %s", p->fm.aliases.v[k],
						    site->pages[j]->file);
				}
		}
	}
	free(outs);
}

int
link_site(struct site *site)
{
	struct page	*p, *cat;
	struct xref	*x;
	size_t		 i, k;
	int		 errors = 0;

	for (i = 0; i < site->ncategories; i++) {
		cat = site->categories[i];
		if (strcmp(cat->category_dir, "assets") == 0 ||
		    strcmp(cat->category_dir, "search") == 0)
			diag_add(&cat->diags, cat->file, 0, "category folder "
			    "name %s is reserved", cat->category_dir);
		for (k = 0; k < cat->nquestions; k++) {
			p = cat->questions[k];
			p->prev = k > 0 ? cat->questions[k - 1] : NULL;
			p->next = k + 1 < cat->nquestions ?
			    cat->questions[k + 1] : NULL;
			if (strcmp(p->slug, "index") == 0)
				diag_add(&p->diags, p->file, 0, "slug index "
				    "is reserved for the category page");
		}
	}
	for (i = 0; i < site->npages; i++) {
		p = site->pages[i];
		for (k = 0; k < p->nxrefs; k++) {
			x = &p->xrefs[k];
			if (x->target == NULL || x->fragment == NULL)
				continue;
			if (!has_heading(x->target, x->fragment))
				diag_add(&p->diags, p->file, x->line,
				    "broken link to %s: no heading with id "
				    "\"%s\"", x->href, x->fragment);
		}
	}
	check_aliases(site);
	for (i = 0; i < site->npages; i++)
		errors += site->pages[i]->diags.n != 0;
	if (errors == 0)
		related_questions(site);
	return errors ? -1 : 0;
}
