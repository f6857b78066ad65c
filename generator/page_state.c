/*
 * page_state.c: what the last build made of each source file, saved
 * beside the output for the next one (a build state, see output_state()):
 * its front matter as load.c parsed it and its rendering as render.c
 * made it.  A rebuild then parses and renders again only the pages whose
 * source changed.
 *
 * A page's front matter depends on its file and the program; its
 * rendering on its file (body and first line), its own output path, the
 * program (md4c included, see program_hash()) and unsafe_html, and, for
 * each cross-reference to another .md file, on that page existing and on
 * its output path; a page with a link to another file the site writes
 * (render.c published()) is never saved.  A page's records are found by a
 * key of the program,
 * the settings, the page's source path and the hash of its file; the
 * rendering is taken only when its own output path and every target's
 * output path are as recorded, and each record only when its bytes hash
 * as they did.  A page whose loading or rendering reported a problem is
 * never saved, so every message is given again.
 *
 * The file, in the byte order of the machine:
 *
 *   "faqgenPS" version:u32 0:u32 seed:u64
 *   records, renderings and front matters (below), then
 *   table, per page: key:u64 rendering:u64 front-matter:u64 (offsets)
 *   pages:u64 table-offset:u64 dead:u64 "PSstate."
 *
 * A full save writes every page's rendering, then every front matter (so
 * loading reads a few MB of the state, not all of it), the table and the
 * trailer.  A rebuild that took most pages from the state appends to it
 * in place instead (output_state_append()): the records of the pages made
 * again, a new table pointing at those and at the old records still
 * valid, and a new trailer; dead counts the bytes no table reaches any
 * more (old tables and trailers, records replaced or gone).  So a rebuild
 * after one edit writes a few MB, not the whole state again.  Once dead
 * would pass a quarter of the file, the state is saved whole again.  A
 * reader takes the last trailer; an append cut short leaves no trailer at
 * the end, and the whole state is ignored.
 *
 * The records:
 *
 *   rendering: hash:u64 length:u32 then length bytes of
 *     str src, str out, str html, str text, u8 has-summary [str summary],
 *     u32 headings {u32 level, str id, str text},
 *     u32 xrefs {u64 line, str href, str target src, str target out,
 *                u8 has-fragment [str fragment]},
 *     u32 external {str}
 *   front matter: hash:u64 length:u32 then length bytes of
 *     str src, u8 has-title [str title], u8 has-description
 *     [str description], u8 has-lastmod [str lastmod], u32 weight,
 *     u8 draft, u32 tags {str}, u32 keywords {str}, u32 aliases {str},
 *     u32 aliases' line
 *
 *   where str is u32 length, the bytes and a NUL, and hash is of the
 *   length bytes, seeded with the page's key.
 *
 * Anything that does not hold together (bounds, hashes, the trailer) makes
 * the page, or every page, be parsed and rendered afresh.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faqgen.h"

#define PS_MAGIC	"faqgenPS"
#define PS_END		"PSstate."
#define PS_VERSION	4u
#define PS_HEADER	(8 + 4 + 4 + 8)
#define PS_TRAILER	(8 + 8 + 8 + 8)
#define PS_ENTRY	(8 + 8 + 8)

/* Of used[]: what this build took from the page's records. */
#define USED_RENDERING	1u
#define USED_FRONTMATTER 2u

struct page_state {
	const uint8_t	*map;		/* the last build's state, or NULL */
	size_t		 len;
	uint64_t	 seed;
	uint64_t	*key;		/* open addressing: key, offsets */
	uint64_t	*off;		/* of the rendering; 0: a free slot */
	uint64_t	*fmoff;		/* of the front matter */
	uint8_t		*used;		/* USED_*: set by one page's thread */
	size_t		 mask;		/* table size - 1; 0: no table */
	const uint8_t	*table;		/* in map: PS_ENTRY per page */
	uint64_t	*low;		/* lowest rendering from the k-th on */
	size_t		 n;		/* pages */
	uint64_t	 dead;		/* bytes no record of table's */
	size_t		 released;	/* bytes of map given back */
};

/* Everything but the page's own file that its rendering depends on. */
static uint64_t
seed_of(const struct config *cfg)
{
	uint64_t	 h = program_hash();
	uint32_t	 v = PS_VERSION;
	uint8_t		 unsafe = cfg->unsafe_html != 0;

	h = hash_bytes(PS_MAGIC, 8, h);
	h = hash_bytes(&v, sizeof(v), h);
	return hash_bytes(&unsafe, 1, h);
}

static uint64_t
key_of(uint64_t seed, const char *src, uint64_t src_hash)
{
	uint64_t	 h;

	h = hash_bytes(src, strlen(src) + 1, seed);
	return hash_bytes(&src_hash, sizeof(src_hash), h);
}

/* Find the table of the mapped state; 0 when it does not hold together. */
static int
open_table(struct page_state *ps)
{
	const uint8_t	*p = ps->map, *end = ps->map + ps->len, *t;
	uint64_t	 n, toff, k, o, f;
	uint32_t	 v;
	size_t		 i, j, size;

	if (ps->len < PS_HEADER + PS_TRAILER ||
	    memcmp(p, PS_MAGIC, 8) != 0 ||
	    memcmp(end - 8, PS_END, 8) != 0)
		return 0;
	v = get_u32(p + 8);
	if (v != PS_VERSION || get_u64(p + 16) != ps->seed)
		return 0;
	n = get_u64(end - PS_TRAILER);
	toff = get_u64(end - PS_TRAILER + 8);
	ps->dead = get_u64(end - PS_TRAILER + 16);
	if (toff < PS_HEADER || toff > ps->len - PS_TRAILER ||
	    n > (ps->len - PS_TRAILER - toff) / PS_ENTRY ||
	    n * PS_ENTRY != ps->len - PS_TRAILER - toff ||
	    ps->dead > toff)
		return 0;
	for (size = 16; size < 2 * n; size *= 2)
		;
	ps->table = p + toff;
	ps->n = (size_t)n;
	ps->key = xcalloc(size, sizeof(*ps->key));
	ps->off = xcalloc(size, sizeof(*ps->off));
	ps->fmoff = xcalloc(size, sizeof(*ps->fmoff));
	ps->used = xcalloc(size, sizeof(*ps->used));
	ps->low = xcalloc(n + 1, sizeof(*ps->low));
	ps->mask = size - 1;
	for (i = 0, t = p + toff; i < n; i++, t += PS_ENTRY) {
		k = get_u64(t);
		o = get_u64(t + 8);
		f = get_u64(t + 16);
		/* 0 marks a free slot: no record starts in the header. */
		if (o < PS_HEADER || o > toff || toff - o < 12 ||
		    f < PS_HEADER || f > toff || toff - f < 12)
			return 0;
		for (j = k & ps->mask; ps->off[j] != 0; j = (j + 1) & ps->mask)
			;
		ps->key[j] = k;
		ps->off[j] = o;
		ps->fmoff[j] = f;
	}
	/* After an append the renderings are no longer in table order. */
	ps->low[n] = toff;
	for (i = n; i-- > 0; ) {
		o = get_u64(p + toff + i * PS_ENTRY + 8);
		ps->low[i] = o < ps->low[i + 1] ? o : ps->low[i + 1];
	}
	return 1;
}

struct page_state *
page_state_open(const struct config *cfg, struct output *out)
{
	struct page_state *ps;
	const void	*map;
	size_t		 len;

	ps = xcalloc(1, sizeof(*ps));
	ps->seed = seed_of(cfg);
	if (out == NULL || (map = output_state(out, "pages", &len)) == NULL)
		return ps;
	ps->map = map;
	ps->len = len;
	if (!open_table(ps)) {
		free(ps->key);
		free(ps->off);
		free(ps->fmoff);
		free(ps->used);
		free(ps->low);
		ps->key = ps->off = ps->fmoff = ps->low = NULL;
		ps->used = NULL;
		ps->mask = 0;
	}
	return ps;
}

/* A reader of one record's bytes. */
struct rd {
	const uint8_t	*p, *end;
	int		 bad;
};

static uint32_t
rd_u32(struct rd *r)
{
	uint32_t	 v;

	if (r->bad || r->end - r->p < 4) {
		r->bad = 1;
		return 0;
	}
	v = get_u32(r->p);
	r->p += 4;
	return v;
}

static uint64_t
rd_u64(struct rd *r)
{
	uint64_t	 v;

	if (r->bad || r->end - r->p < 8) {
		r->bad = 1;
		return 0;
	}
	v = get_u64(r->p);
	r->p += 8;
	return v;
}

static uint8_t
rd_u8(struct rd *r)
{
	if (r->bad || r->p >= r->end) {
		r->bad = 1;
		return 0;
	}
	return *r->p++;
}

/* A string in place (NUL-ended in the state), or NULL when cut short. */
static const char *
rd_str(struct rd *r, size_t *len)
{
	const char	*s;
	uint32_t	 n = rd_u32(r);

	if (r->bad || (size_t)(r->end - r->p) < (size_t)n + 1 ||
	    r->p[n] != '\0') {
		r->bad = 1;
		return NULL;
	}
	s = (const char *)r->p;
	r->p += n + 1;
	if (len != NULL)
		*len = n;
	return s;
}

static char *
rd_dup(struct rd *r)
{
	const char	*s;
	size_t		 n;

	if ((s = rd_str(r, &n)) == NULL)
		return NULL;
	return xstrndup(s, n);
}

static int
rd_strlist(struct rd *r, struct strlist *l)
{
	const char	*s;
	size_t		 n, i, len;

	n = rd_u32(r);
	if (r->bad || n > (size_t)(r->end - r->p) / 5)
		return 0;
	for (i = 0; i < n; i++) {
		if ((s = rd_str(r, &len)) == NULL)
			return 0;
		strlist_add(l, s, len);
	}
	return 1;
}

/* An optional string: NULL when absent; *ok cleared when cut short. */
static char *
rd_opt(struct rd *r, int *ok)
{
	char	*s;

	if (!rd_u8(r))
		return NULL;
	if ((s = rd_dup(r)) == NULL)
		*ok = 0;
	return s;
}

/* Parse a record's body into x; 0 when it is not this page's or is bad. */
static int
parse(const struct site *site, struct page *pg, struct rd *r,
    struct page *x)
{
	const char	*s, *tsrc, *tout;
	struct page	*target;
	struct xref	*xr;
	size_t		 n, i, len;

	if ((s = rd_str(r, NULL)) == NULL || strcmp(s, pg->src) != 0 ||
	    (s = rd_str(r, NULL)) == NULL || strcmp(s, pg->out) != 0)
		return 0;
	if ((s = rd_str(r, &len)) == NULL)
		return 0;
	/* As render() leaves it: no slack. */
	x->html.data = xmalloc(len + 1);
	memcpy(x->html.data, s, len + 1);
	x->html.len = len;
	x->html.cap = len + 1;
	if ((s = rd_str(r, &len)) == NULL)
		return 0;
	x->text = xstrndup(s, len);
	x->text_len = len;
	if (rd_u8(r) && (x->summary = rd_dup(r)) == NULL)
		return 0;
	n = rd_u32(r);
	if (r->bad || n > (size_t)(r->end - r->p) / 12)
		return 0;
	x->headings = n ? xcalloc(n, sizeof(*x->headings)) : NULL;
	for (i = 0; i < n; i++, x->nheadings++) {
		x->headings[i].level = (int)rd_u32(r);
		if ((x->headings[i].id = rd_dup(r)) == NULL ||
		    (x->headings[i].text = rd_dup(r)) == NULL)
			return 0;
	}
	n = rd_u32(r);
	if (r->bad || n > (size_t)(r->end - r->p) / 24)
		return 0;
	x->xrefs = n ? xcalloc(n, sizeof(*x->xrefs)) : NULL;
	for (i = 0; i < n; i++) {
		xr = &x->xrefs[x->nxrefs++];
		xr->line = (size_t)rd_u64(r);
		if ((xr->href = rd_dup(r)) == NULL ||
		    (tsrc = rd_str(r, NULL)) == NULL ||
		    (tout = rd_str(r, NULL)) == NULL)
			return 0;
		/* The target must still be there, at the same output path. */
		target = strcmp(tsrc, pg->src) == 0 ? pg :
		    site_find(site, tsrc);
		if (target == NULL || strcmp(target->out, tout) != 0)
			return 0;
		xr->target = target;
		if (rd_u8(r) && (xr->fragment = rd_dup(r)) == NULL)
			return 0;
	}
	return rd_strlist(r, &x->external) && !r->bad && r->p == r->end;
}

/* The slot of the page with this key, or (size_t)-1. */
static size_t
find(const struct page_state *ps, uint64_t key)
{
	size_t	 j;

	if (ps == NULL || ps->mask == 0)
		return (size_t)-1;
	for (j = key & ps->mask; ps->off[j] != 0; j = (j + 1) & ps->mask)
		if (ps->key[j] == key)
			return j;
	return (size_t)-1;
}

/*
 * The record at off (its hash field): 0 unless it lies before the table
 * (open_table() saw its first 12 bytes do) and its bytes hash as they
 * did; r then reads its body.
 */
static int
record(const struct page_state *ps, uint64_t off, uint64_t key, struct rd *r)
{
	const uint8_t	*p = ps->map + off;
	uint64_t	 toff = (uint64_t)(ps->table - ps->map);
	uint32_t	 len = get_u32(p + 8);

	if (len > toff - off - 12 || hash_bytes(p + 12, len, key) != get_u64(p))
		return 0;
	r->p = p + 12;
	r->end = p + 12 + len;
	r->bad = 0;
	return 1;
}

int
page_state_frontmatter(const struct page_state *ps, const char *src,
    uint64_t src_hash, struct frontmatter *fm)
{
	struct frontmatter x;
	struct rd	 r;
	const char	*s;
	uint64_t	 key;
	size_t		 j;
	int		 ok = 1;

	if (ps == NULL || ps->mask == 0)
		return 0;
	key = key_of(ps->seed, src, src_hash);
	if ((j = find(ps, key)) == (size_t)-1 ||
	    !record(ps, ps->fmoff[j], key, &r) ||
	    (s = rd_str(&r, NULL)) == NULL || strcmp(s, src) != 0)
		return 0;
	memset(&x, 0, sizeof(x));
	x.title = rd_opt(&r, &ok);
	x.description = rd_opt(&r, &ok);
	x.lastmod = rd_opt(&r, &ok);
	x.weight = (int)(int32_t)rd_u32(&r);
	x.draft = rd_u8(&r);
	if (!ok || !rd_strlist(&r, &x.tags) || !rd_strlist(&r, &x.keywords) ||
	    !rd_strlist(&r, &x.aliases) ||
	    (x.aliases_line = rd_u32(&r), r.bad) || r.p != r.end) {
		frontmatter_free(&x);
		return 0;
	}
	*fm = x;
	ps->used[j] |= USED_FRONTMATTER;
	return 1;
}

int
page_state_restore(const struct page_state *ps, const struct site *site,
    struct page *pg)
{
	struct page	 x;
	struct rd	 r;
	uint64_t	 key;
	size_t		 j;

	if (ps == NULL || ps->mask == 0)
		return 0;
	key = key_of(ps->seed, pg->src, pg->src_hash);
	if ((j = find(ps, key)) == (size_t)-1 ||
	    !record(ps, ps->off[j], key, &r))
		return 0;
	/* Read into a scratch page, then moved over whole. */
	memset(&x, 0, sizeof(x));
	if (!parse(site, pg, &r, &x)) {
		render_free(&x);
		return 0;
	}
	pg->html = x.html;
	pg->text = x.text;
	pg->text_len = x.text_len;
	pg->summary = x.summary;
	pg->headings = x.headings;
	pg->nheadings = x.nheadings;
	pg->xrefs = x.xrefs;
	pg->nxrefs = x.nxrefs;
	pg->external = x.external;
	ps->used[j] |= USED_RENDERING;
	return 1;
}

void
page_state_release(struct page_state *ps, size_t upto)
{
	size_t	 page = (size_t)sysconf(_SC_PAGESIZE), end;

	/*
	 * The table is in the last build's site order, mostly this one's:
	 * once the pages before upto are rendered, give back the mapped
	 * pages before the lowest rendering of the upto-th page on, and
	 * after the last one, everything before the table.  One read again
	 * comes back from the file.
	 */
	if (ps->mask == 0 || upto == 0)
		return;
	end = (size_t)ps->low[upto < ps->n ? upto : ps->n];
	end -= end % page;
	if (end > ps->released) {
		madvise((void *)(uintptr_t)(ps->map + ps->released),
		    end - ps->released, MADV_DONTNEED);
		ps->released = end;
	}
}

static void
put_str(struct buf *b, const char *s, size_t len)
{
	buf_put_u32(b, (uint32_t)len);
	buf_put(b, s, len);
	buf_putc(b, '\0');
}

static void
put_cstr(struct buf *b, const char *s)
{
	put_str(b, s, strlen(s));
}

/* Start a record at the end of b; returns where it starts. */
static size_t
record_open(struct buf *b)
{
	size_t	 start = b->len;

	buf_put_u64(b, 0);
	buf_put_u32(b, 0);
	return start;
}

/* The record started at start is whole: its length and hash. */
static void
record_close(struct buf *b, size_t start, uint64_t key)
{
	uint32_t	 len = (uint32_t)(b->len - start - 12);
	uint64_t	 h = hash_bytes(b->data + start + 12, len, key);

	memcpy(b->data + start, &h, sizeof(h));
	memcpy(b->data + start + 8, &len, sizeof(len));
}

static void
put_opt(struct buf *b, const char *s)
{
	buf_putc(b, s != NULL);
	if (s != NULL)
		put_cstr(b, s);
}

static void
put_strlist(struct buf *b, const struct strlist *l)
{
	size_t	 i;

	buf_put_u32(b, (uint32_t)l->n);
	for (i = 0; i < l->n; i++)
		put_cstr(b, l->v[i]);
}

/* The rendering of page pg into b. */
static void
put_rendering(struct buf *b, uint64_t key, const struct page *pg)
{
	const struct xref *xr;
	size_t		 start = record_open(b), i;

	put_cstr(b, pg->src);
	put_cstr(b, pg->out);
	put_str(b, pg->html.data != NULL ? pg->html.data : "", pg->html.len);
	put_str(b, pg->text != NULL ? pg->text : "", pg->text_len);
	put_opt(b, pg->summary);
	buf_put_u32(b, (uint32_t)pg->nheadings);
	for (i = 0; i < pg->nheadings; i++) {
		buf_put_u32(b, (uint32_t)pg->headings[i].level);
		put_cstr(b, pg->headings[i].id);
		put_cstr(b, pg->headings[i].text);
	}
	buf_put_u32(b, (uint32_t)pg->nxrefs);
	for (i = 0; i < pg->nxrefs; i++) {
		xr = &pg->xrefs[i];
		buf_put_u64(b, (uint64_t)xr->line);
		put_cstr(b, xr->href);
		put_cstr(b, xr->target->src);
		put_cstr(b, xr->target->out);
		put_opt(b, xr->fragment);
	}
	put_strlist(b, &pg->external);
	record_close(b, start, key);
}

/* The front matter of page pg into b. */
static void
put_frontmatter(struct buf *b, uint64_t key, const struct page *pg)
{
	size_t	 start = record_open(b);

	put_cstr(b, pg->src);
	put_opt(b, pg->fm.title);
	put_opt(b, pg->fm.description);
	put_opt(b, pg->fm.lastmod);
	buf_put_u32(b, (uint32_t)(int32_t)pg->fm.weight);
	buf_putc(b, pg->fm.draft != 0);
	put_strlist(b, &pg->fm.tags);
	put_strlist(b, &pg->fm.keywords);
	put_strlist(b, &pg->fm.aliases);
	buf_put_u32(b, (uint32_t)pg->fm.aliases_line);
	record_close(b, start, key);
}

#define FLUSH_AT	(1u << 20)

/* Write b out once it holds FLUSH_AT bytes, or all of it; *off counts. */
static void
flush(struct ostream *s, struct buf *b, uint64_t *off, int all)
{
	if (b->len < FLUSH_AT && !all)
		return;
	output_stream_write(s, b->data, b->len);
	*off += b->len;
	b->len = 0;
}

/*
 * Whether page pg is saved: kept, rendered, every xref resolved, and no
 * link checked against other files the site writes.
 */
static int
saved(const struct page *pg)
{
	size_t	 k;

	if (!pg->keep || pg->html.data == NULL || pg->site_links)
		return 0;
	for (k = 0; k < pg->nxrefs; k++)
		if (pg->xrefs[k].target == NULL)
			return 0;
	return 1;
}

/* The bytes of the old record at off, as far as they can be told. */
static uint64_t
record_bytes(const struct page_state *ps, uint64_t off)
{
	uint64_t	 toff = (uint64_t)(ps->table - ps->map);
	uint32_t	 len = get_u32(ps->map + off + 8);

	return len > toff - off - 12 ? toff - off : 12 + (uint64_t)len;
}

/*
 * Which old records the new table can point at, in roff and foff (0: write
 * it), for each page saved (save[i]); returns the bytes of the state no
 * table would reach after an append.
 */
static uint64_t
plan_append(const struct page_state *ps, const struct site *site,
    const uint8_t *save, const uint64_t *key, uint64_t *roff, uint64_t *foff)
{
	uint8_t		*ref;
	uint64_t	 dead;
	size_t		 i, j;

	ref = xcalloc(ps->mask + 1, 1);
	for (i = 0; i < site->npages; i++) {
		if (!save[i] || (j = find(ps, key[i])) == (size_t)-1)
			continue;
		if (ps->used[j] & USED_RENDERING) {
			roff[i] = ps->off[j];
			ref[j] |= USED_RENDERING;
		}
		if (ps->used[j] & USED_FRONTMATTER) {
			foff[i] = ps->fmoff[j];
			ref[j] |= USED_FRONTMATTER;
		}
	}
	/* The old table and trailer, and every record left behind. */
	dead = ps->dead + (uint64_t)(ps->len - (size_t)(ps->table - ps->map));
	for (j = 0; j <= ps->mask; j++) {
		if (ps->off[j] == 0)
			continue;
		if (!(ref[j] & USED_RENDERING))
			dead += record_bytes(ps, ps->off[j]);
		if (!(ref[j] & USED_FRONTMATTER))
			dead += record_bytes(ps, ps->fmoff[j]);
	}
	free(ref);
	return dead;
}

/* Whether the table planned is the last build's: nothing to write. */
static int
same_table(const struct page_state *ps, size_t npages, const uint8_t *save,
    const uint64_t *key, const uint64_t *roff, const uint64_t *foff)
{
	const uint8_t	*t = ps->table;
	size_t		 i, k = 0;

	for (i = 0; i < npages; i++) {
		if (!save[i])
			continue;
		if (k == ps->n || roff[i] == 0 || foff[i] == 0 ||
		    get_u64(t) != key[i] || get_u64(t + 8) != roff[i] ||
		    get_u64(t + 16) != foff[i])
			return 0;
		k++;
		t += PS_ENTRY;
	}
	return k == ps->n;
}

/*
 * Everything is streamed a MB at a time, the renderings then the front
 * matters, with the offsets of each in two arrays: this runs beside link,
 * and memory held here would add to the build's peak.  Appended to the
 * last build's state when most of its records stay (kept as it is when
 * its table is this build's), else saved whole.
 */
int
page_state_save(const struct page_state *ps, const struct site *site,
    struct output *out)
{
	struct ostream	*s = NULL;
	struct buf	 b;
	const struct page *pg;
	uint64_t	*roff, *foff, *key, off = 0, dead = 0;
	uint8_t		*save;
	uint32_t	 v = PS_VERSION, zero = 0;
	size_t		 i, n, npages = site->npages, alloc;
	int		 ok;

	alloc = npages ? npages : 1;
	roff = xcalloc(alloc, sizeof(*roff));
	foff = xcalloc(alloc, sizeof(*foff));
	key = xcalloc(alloc, sizeof(*key));
	save = xcalloc(alloc, 1);
	for (i = n = 0; i < npages; i++) {
		pg = site->pages[i];
		if ((save[i] = saved(pg)) != 0) {
			key[i] = key_of(ps->seed, pg->src, pg->src_hash);
			n++;
		}
	}
	if (ps->mask != 0 && n > 0) {
		dead = plan_append(ps, site, save, key, roff, foff);
		/* Every record kept where it was: nothing to write. */
		if (same_table(ps, npages, save, key, roff, foff) &&
		    (s = output_state_append(out, "pages", ps->len)) != NULL) {
			free(roff);
			free(foff);
			free(key);
			free(save);
			return output_stream_close(s);
		}
		/* At most a quarter of the file left behind. */
		if (dead <= ps->len / 4 &&
		    (s = output_state_append(out, "pages", ps->len)) != NULL)
			off = ps->len;
	}
	if (s == NULL) {
		memset(roff, 0, alloc * sizeof(*roff));
		memset(foff, 0, alloc * sizeof(*foff));
		dead = 0;
		if ((s = output_state_stream(out, "pages")) == NULL) {
			free(roff);
			free(foff);
			free(key);
			free(save);
			return 0;
		}
	}
	memset(&b, 0, sizeof(b));
	if (off == 0) {
		buf_put(&b, PS_MAGIC, 8);
		buf_put_u32(&b, v);
		buf_put_u32(&b, zero);
		buf_put_u64(&b, ps->seed);
	}
	/* The records not kept: renderings, then front matters. */
	for (i = 0; i < npages; i++) {
		if (!save[i] || roff[i] != 0)
			continue;
		roff[i] = off + b.len;
		put_rendering(&b, key[i], site->pages[i]);
		flush(s, &b, &off, 0);
	}
	for (i = 0; i < npages; i++) {
		if (!save[i] || foff[i] != 0)
			continue;
		foff[i] = off + b.len;
		put_frontmatter(&b, key[i], site->pages[i]);
		flush(s, &b, &off, 0);
	}
	/* The table: key and both offsets of every page saved. */
	flush(s, &b, &off, 1);
	for (i = 0; i < npages; i++) {
		if (!save[i])
			continue;
		buf_put_u64(&b, key[i]);
		buf_put_u64(&b, roff[i]);
		buf_put_u64(&b, foff[i]);
		if (b.len >= FLUSH_AT) {
			output_stream_write(s, b.data, b.len);
			b.len = 0;
		}
	}
	buf_put_u64(&b, n);
	buf_put_u64(&b, off);
	buf_put_u64(&b, dead);
	buf_put(&b, PS_END, 8);
	output_stream_write(s, b.data, b.len);
	ok = output_stream_close(s);
	buf_free(&b);
	free(roff);
	free(foff);
	free(key);
	free(save);
	return ok;
}

void
page_state_free(struct page_state *ps)
{
	if (ps == NULL)
		return;
	free(ps->key);
	free(ps->off);
	free(ps->fmoff);
	free(ps->used);
	free(ps->low);
	free(ps);
}
