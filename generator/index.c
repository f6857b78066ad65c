/*
 * index.c: the search index, an inverted index over every question, cut
 * into files a browser loads only as a query needs them (read by
 * layouts/assets/search.js):
 *
 *   search/manifest.json  {"v":1,"n":questions,"shards":S,
 *                         "syn":[[term,...],...]}
 *   search/cats.json      [[category title, url],...], for the page
 *                         shown when nothing is found
 *   search/s/K.json       the tokens whose tokenize_hash() % S is K:
 *                         {"token":"df doc q gap q gap q ...",...}, the
 *                         numbers as base-32 digits, most significant
 *                         first, written with DIGITS: a digit of value v
 *                         is DIGITS[v] when it is the number's last and
 *                         DIGITS[v + 32] when more follow ("gap" is the
 *                         difference to the previous question number)
 *   search/d/N.json       question N (site order) as results show it:
 *                         {"t":title,"u":url,"c":category,"h":[[offset,
 *                         heading id],...],"x":plain answer}
 *   search/pages.json     every question's url, title, category and text,
 *                         for other tools (the search page never loads it)
 *
 * and beside every .json a .js calling faqgenSearch(kind, id, data), the
 * form a page opened from disk can load with a <script> tag.
 *
 * Tokens are those of tokenize.c, but trigrams only from the title,
 * keywords, tags and headings.  q is the question's BM25F term frequency
 * of the token times Q_SCALE (the manifest's "qs"): the sum over the fields (title, keywords and tags, headings, answer,
 * category) of the field's weight times the token's count there, divided
 * by the field's length relative to its average.  The browser adds the
 * IDF and the saturation.  A token found in more than POSTINGS_MAX
 * questions keeps only the POSTINGS_MAX with the highest q (its df stays
 * true): such a token carries little weight, and a query must stay small
 * at 100,000 questions.
 *
 * Shards are sized so a shard holds about SHARD_BYTES of postings.  Every
 * list is written in a fixed order, so the same site gives the same bytes.
 */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faqgen.h"

#define POSTINGS_MAX	1000
#define Q_SCALE		4
#define SHARD_BYTES	512
#define SHARDS_MAX	65536

enum field {
	FIELD_TITLE,
	FIELD_KEYWORDS,	/* keywords and tags */
	FIELD_HEADINGS,
	FIELD_BODY,
	FIELD_CATEGORY,
	FIELD__MAX
};

static const double field_weight[FIELD__MAX] = { 5.0, 3.0, 2.0, 1.0, 0.5 };
static const double field_b[FIELD__MAX] = { 0.5, 0.5, 0.6, 0.75, 0.3 };

struct posting {
	uint32_t	 doc;
	uint32_t	 q;
};

struct token {
	size_t		 off;		/* in the index's pool */
	size_t		 len;
	uint32_t	 hash;
	uint32_t	 df;
	struct posting	*p;		/* owned, in question order */
	size_t		 n, cap;
	/* The entry of the question being indexed. */
	uint32_t	 stamp;		/* question + 1 that owns slot */
	uint32_t	 slot;
};

struct entry {
	uint32_t	 tok;
	uint32_t	 tf[FIELD__MAX];
};

struct index {
	struct buf	 pool;		/* token bytes */
	struct token	*tok;		/* owned */
	size_t		 ntok, captok;
	uint32_t	*table;		/* token + 1 by hash, 0 when free */
	size_t		 tablesz;	/* a power of two */
	struct entry	*ent;		/* the current question's tokens */
	size_t		 nent, capent;
	uint32_t	 doc;
	enum field	 field;
	size_t		 flen[FIELD__MAX];	/* current question */
	double		 avg[FIELD__MAX];
};

static uint32_t
token_find(struct index *ix, const char *s, size_t len)
{
	uint32_t	 h = tokenize_hash(s, len), t;
	size_t		 i, j;
	struct token	*tk;

	for (i = h & (ix->tablesz - 1);; i = (i + 1) & (ix->tablesz - 1)) {
		if ((t = ix->table[i]) == 0)
			break;
		tk = &ix->tok[t - 1];
		if (tk->hash == h && tk->len == len &&
		    memcmp(ix->pool.data + tk->off, s, len) == 0)
			return t - 1;
	}
	if (ix->ntok == ix->captok) {
		ix->captok = ix->captok ? ix->captok * 3 / 2 : 1024;
		ix->tok = xreallocarray(ix->tok, ix->captok, sizeof(*ix->tok));
	}
	tk = &ix->tok[ix->ntok];
	memset(tk, 0, sizeof(*tk));
	tk->off = ix->pool.len;
	tk->len = len;
	tk->hash = h;
	buf_put(&ix->pool, s, len);
	ix->table[i] = (uint32_t)++ix->ntok;
	if (ix->ntok * 2 > ix->tablesz) {
		/* Grow the table and put every token back. */
		free(ix->table);
		ix->tablesz *= 2;
		ix->table = xcalloc(ix->tablesz, sizeof(*ix->table));
		for (t = 0; t < ix->ntok; t++) {
			j = ix->tok[t].hash & (ix->tablesz - 1);
			while (ix->table[j] != 0)
				j = (j + 1) & (ix->tablesz - 1);
			ix->table[j] = t + 1;
		}
	}
	return (uint32_t)ix->ntok - 1;
}

/* tokenize_fn: count a token of the current question's current field. */
static void
add_token(void *arg, const char *s, size_t len, enum token_kind kind)
{
	struct index	*ix = arg;
	struct token	*tk;
	struct entry	*e;
	uint32_t	 t;

	if (kind == TOKEN_CHAR || kind == TOKEN_WORD)
		ix->flen[ix->field]++;
	/*
	 * Adjacency counts where phrasing is deliberate: in the answer's
	 * running text, trigrams were measured to add more noise than
	 * signal (and would make up most of the index).
	 */
	if (kind == TOKEN_TRIGRAM && ix->field >= FIELD_BODY)
		return;
	t = token_find(ix, s, len);
	tk = &ix->tok[t];
	if (tk->stamp != ix->doc + 1) {
		if (ix->nent == ix->capent) {
			ix->capent = ix->capent ? ix->capent * 3 / 2 : 256;
			ix->ent = xreallocarray(ix->ent, ix->capent,
			    sizeof(*ix->ent));
		}
		tk->stamp = ix->doc + 1;
		tk->slot = (uint32_t)ix->nent;
		e = &ix->ent[ix->nent++];
		memset(e, 0, sizeof(*e));
		e->tok = t;
	}
	ix->ent[tk->slot].tf[ix->field]++;
}

/* tokenize_fn: only count the field's length. */
static void
count_token(void *arg, const char *s, size_t len, enum token_kind kind)
{
	struct index	*ix = arg;

	(void)s;
	(void)len;
	if (kind == TOKEN_CHAR || kind == TOKEN_WORD)
		ix->flen[ix->field]++;
}

static void
field(struct index *ix, enum field f, const char *s, tokenize_fn fn)
{
	ix->field = f;
	if (s != NULL)
		tokenize_text(s, strlen(s), fn, ix);
}

/* Run fn over every field of question p. */
static void
fields(struct index *ix, const struct page *p, tokenize_fn fn)
{
	size_t	 i;

	memset(ix->flen, 0, sizeof(ix->flen));
	field(ix, FIELD_TITLE, p->fm.title, fn);
	for (i = 0; i < p->fm.keywords.n; i++)
		field(ix, FIELD_KEYWORDS, p->fm.keywords.v[i], fn);
	for (i = 0; i < p->fm.tags.n; i++)
		field(ix, FIELD_KEYWORDS, p->fm.tags.v[i], fn);
	for (i = 0; i < p->nheadings; i++)
		field(ix, FIELD_HEADINGS, p->headings[i].text, fn);
	field(ix, FIELD_BODY, p->text, fn);
	if (p->category != NULL)
		field(ix, FIELD_CATEGORY, p->category->fm.title, fn);
}

static void
posting_add(struct token *tk, uint32_t doc, uint32_t q)
{
	if (tk->n == tk->cap) {
		tk->cap = tk->cap ? tk->cap * 3 / 2 + 1 : 2;
		tk->p = xreallocarray(tk->p, tk->cap, sizeof(*tk->p));
	}
	tk->p[tk->n].doc = doc;
	tk->p[tk->n].q = q;
	tk->n++;
}

/* Index question doc: its entries become postings. */
static void
index_question(struct index *ix, const struct page *p)
{
	size_t		 i, f;
	double		 q, norm;
	struct entry	*e;

	ix->nent = 0;
	fields(ix, p, add_token);
	for (i = 0; i < ix->nent; i++) {
		e = &ix->ent[i];
		q = 0;
		for (f = 0; f < FIELD__MAX; f++) {
			if (e->tf[f] == 0)
				continue;
			norm = 1 - field_b[f] + field_b[f] *
			    (double)ix->flen[f] / ix->avg[f];
			q += field_weight[f] * e->tf[f] / norm;
		}
		q = floor(q * Q_SCALE + 0.5);
		posting_add(&ix->tok[e->tok], ix->doc,
		    q < 1 ? 1 : q > 1e6 ? 1000000 : (uint32_t)q);
		ix->tok[e->tok].df++;
	}
}

static int
by_q(const void *a, const void *b)
{
	const struct posting *x = a, *y = b;

	if (x->q != y->q)
		return x->q < y->q ? 1 : -1;
	return x->doc < y->doc ? -1 : x->doc > y->doc;
}

static int
by_doc(const void *a, const void *b)
{
	const struct posting *x = a, *y = b;

	return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* Keep the POSTINGS_MAX best questions of a very common token. */
static void
prune(struct token *tk)
{
	if (tk->n <= POSTINGS_MAX)
		return;
	qsort(tk->p, tk->n, sizeof(*tk->p), by_q);
	tk->n = POSTINGS_MAX;
	qsort(tk->p, tk->n, sizeof(*tk->p), by_doc);
}

static void
json_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	if (s != NULL)
		esc_json(b, s, strlen(s));
	buf_putc(b, '"');
}

/* Write data as path.json and, wrapped for a <script> tag, as path.js. */
static int
emit(struct output *out, struct buf *js, const char *path, char kind,
    size_t id, const struct buf *json)
{
	char	*name;
	int	 rc;

	name = xasprintf("search/%s.json", path);
	rc = output_file(out, name, json->data, json->len);
	free(name);
	buf_truncate(js, 0);
	buf_printf(js, "faqgenSearch(\"%c\",%zu,", kind, id);
	buf_put(js, json->data, json->len);
	buf_puts(js, ");\n");
	name = xasprintf("search/%s.js", path);
	if (output_file(out, name, js->data, js->len) != 0)
		rc = -1;
	free(name);
	return rc;
}

/* Length of <s, len> in UTF-16 code units, as JavaScript counts. */
static size_t
utf16_len(const char *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
		if (((unsigned char)s[i] & 0xf8) == 0xf0)
			n++;
	}
	return n;
}

static int
write_docs(const struct site *site, struct output *out, struct buf *b,
    struct buf *js)
{
	const struct page *p;
	const char	*text, *at, *from;
	size_t		 i, h, off;
	char		 path[32];
	int		 rc = 0;

	for (i = 0; i < site->nquestions; i++) {
		p = site->questions[i];
		text = p->text != NULL ? p->text : "";
		buf_truncate(b, 0);
		buf_puts(b, "{\"t\":");
		json_str(b, p->fm.title);
		buf_puts(b, ",\"u\":");
		json_str(b, p->out);
		buf_puts(b, ",\"c\":");
		json_str(b, p->category ? p->category->fm.title : "");
		buf_puts(b, ",\"h\":[");
		/* Where each heading starts in the text, in UTF-16 units. */
		from = text;
		off = 0;
		for (h = 0; h < p->nheadings; h++) {
			if (p->headings[h].text[0] == '\0' ||
			    (at = strstr(from, p->headings[h].text)) == NULL)
				continue;
			off += utf16_len(from, (size_t)(at - from));
			buf_printf(b, "%s[%zu,", b->data[b->len - 1] == '[' ?
			    "" : ",", off);
			json_str(b, p->headings[h].id);
			buf_putc(b, ']');
			from = at + strlen(p->headings[h].text);
			off += utf16_len(at, (size_t)(from - at));
		}
		buf_puts(b, "],\"x\":");
		json_str(b, text);
		buf_puts(b, "}");
		snprintf(path, sizeof(path), "d/%zu", i);
		if (emit(out, js, path, 'd', i, b) != 0)
			rc = -1;
	}
	return rc;
}

static int
write_pages(const struct site *site, struct output *out, struct buf *b)
{
	const struct page *p;
	size_t		 i;

	buf_truncate(b, 0);
	buf_puts(b, "[\n");
	for (i = 0; i < site->nquestions; i++) {
		p = site->questions[i];
		buf_puts(b, "{\"url\":");
		json_str(b, p->out);
		buf_puts(b, ",\"title\":");
		json_str(b, p->fm.title);
		buf_puts(b, ",\"category\":");
		json_str(b, p->category ? p->category->fm.title : "");
		buf_puts(b, ",\"text\":");
		json_str(b, p->text);
		buf_puts(b, i + 1 < site->nquestions ? "},\n" : "}\n");
	}
	buf_puts(b, "]\n");
	return output_file(out, "search/pages.json", b->data, b->len);
}

/*
 * The synonyms file: one group of equivalent terms a line, separated by
 * white space; '#' starts a comment.  Written as a JSON list of lists.
 */
static void
put_synonyms(struct buf *b, const char *s, size_t len)
{
	const char	*end = s + len, *eol, *hash, *w;
	int		 ngroup = 0, nterm;
	size_t		 groupat;

	buf_putc(b, '[');
	while (s != NULL && s < end) {
		if ((eol = memchr(s, '\n', (size_t)(end - s))) == NULL)
			eol = end;
		if ((hash = memchr(s, '#', (size_t)(eol - s))) == NULL)
			hash = eol;
		groupat = b->len;
		buf_puts(b, ngroup ? ",[" : "[");
		nterm = 0;
		while (s < hash) {
			while (s < hash && strchr(" \t\r,", *s) != NULL)
				s++;
			for (w = s; s < hash && strchr(" \t\r,", *s) == NULL;)
				s++;
			if (s == w)
				continue;
			buf_puts(b, nterm++ ? ",\"" : "\"");
			esc_json(b, w, (size_t)(s - w));
			buf_putc(b, '"');
		}
		if (nterm >= 2) {
			buf_putc(b, ']');
			ngroup++;
		} else
			buf_truncate(b, groupat);
		s = eol + 1;
	}
	buf_putc(b, ']');
}

static int
write_manifest(const struct site *site, struct output *out, size_t nshards,
    struct buf *b, struct buf *js)
{
	size_t	 i;

	int	 rc;

	buf_truncate(b, 0);
	buf_printf(b, "{\"v\":1,\"n\":%zu,\"shards\":%zu,\"qs\":%d,"
	    "\"syn\":", site->nquestions, nshards, Q_SCALE);
	put_synonyms(b, site->synonyms, site->synonyms ? site->synonyms_len : 0);
	buf_puts(b, "}");
	rc = emit(out, js, "manifest", 'm', 0, b);

	/* The categories, for a search that finds nothing. */
	buf_truncate(b, 0);
	buf_putc(b, '[');
	for (i = 0; i < site->ncategories; i++) {
		buf_puts(b, i ? ",[" : "[");
		json_str(b, site->categories[i]->fm.title);
		buf_putc(b, ',');
		json_str(b, site->categories[i]->out);
		buf_putc(b, ']');
	}
	buf_putc(b, ']');
	if (emit(out, js, "cats", 'c', 0, b) != 0)
		rc = -1;
	return rc;
}

/* A number in the postings' base-32 digits (see the top of the file). */
static void
put_num(struct buf *b, uint32_t v)
{
	static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV"
	    "WXYZabcdefghijklmnopqrstuvwxyz-_";
	char	 d[7];
	size_t	 n = 0;

	do {
		d[n] = digits[(v & 31) + (n > 0 ? 32 : 0)];
		n++;
		v >>= 5;
	} while (v != 0);
	while (n > 0)
		buf_putc(b, d[--n]);
}

/* Sort a shard's tokens by their bytes. */
static int
by_token(const void *a, const void *b, void *arg)
{
	const struct index *ix = arg;
	const struct token *x = &ix->tok[*(const uint32_t *)a];
	const struct token *y = &ix->tok[*(const uint32_t *)b];
	int	 c;

	c = memcmp(ix->pool.data + x->off, ix->pool.data + y->off,
	    x->len < y->len ? x->len : y->len);
	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int
write_shards(struct index *ix, struct output *out, size_t nshards,
    struct buf *b, struct buf *js)
{
	uint32_t	*order, *start;
	size_t		 i, k, j;
	struct token	*tk;
	uint32_t	 prev;
	char		 path[32];
	int		 rc = 0;

	/* Tokens grouped by shard (a counting sort), then by bytes. */
	start = xcalloc(nshards + 1, sizeof(*start));
	for (i = 0; i < ix->ntok; i++)
		start[ix->tok[i].hash % nshards + 1]++;
	for (k = 0; k < nshards; k++)
		start[k + 1] += start[k];
	order = xcalloc(ix->ntok ? ix->ntok : 1, sizeof(*order));
	for (i = 0; i < ix->ntok; i++)
		order[start[ix->tok[i].hash % nshards]++] = (uint32_t)i;
	/* start[k] is now the end of shard k. */
	for (k = 0, i = 0; k < nshards; k++) {
		qsort_r(order + i, start[k] - i, sizeof(*order), by_token, ix);
		buf_truncate(b, 0);
		buf_putc(b, '{');
		for (; i < start[k]; i++) {
			tk = &ix->tok[order[i]];
			if (b->len > 1)
				buf_putc(b, ',');
			buf_putc(b, '"');
			esc_json(b, ix->pool.data + tk->off, tk->len);
			buf_puts(b, "\":\"");
			put_num(b, tk->df);
			for (j = 0, prev = 0; j < tk->n; j++) {
				put_num(b, tk->p[j].doc - prev);
				put_num(b, tk->p[j].q);
				prev = tk->p[j].doc;
			}
			buf_putc(b, '"');
		}
		buf_putc(b, '}');
		snprintf(path, sizeof(path), "s/%zu", k);
		if (emit(out, js, path, 's', k, b) != 0)
			rc = -1;
	}
	free(order);
	free(start);
	return rc;
}

int
index_write(const struct site *site, struct output *out)
{
	struct index	 ix;
	struct buf	 b = { 0 }, js = { 0 };
	size_t		 i, f, bytes, nshards;
	int		 rc = 0;

	memset(&ix, 0, sizeof(ix));
	ix.tablesz = 1024;
	ix.table = xcalloc(ix.tablesz, sizeof(*ix.table));

	/* Average field lengths first: the term frequencies need them. */
	for (i = 0; i < site->nquestions; i++) {
		fields(&ix, site->questions[i], count_token);
		for (f = 0; f < FIELD__MAX; f++)
			ix.avg[f] += ix.flen[f];
	}
	for (f = 0; f < FIELD__MAX; f++)
		ix.avg[f] = site->nquestions && ix.avg[f] > 0 ?
		    ix.avg[f] / site->nquestions : 1;

	for (i = 0; i < site->nquestions; i++) {
		ix.doc = (uint32_t)i;
		index_question(&ix, site->questions[i]);
	}

	/* About 3 bytes a posting, and the token's name. */
	bytes = 0;
	for (i = 0; i < ix.ntok; i++) {
		prune(&ix.tok[i]);
		bytes += ix.tok[i].len + 6 + ix.tok[i].n * 3;
	}
	for (nshards = 1; nshards < SHARDS_MAX &&
	    nshards * SHARD_BYTES < bytes; nshards *= 2)
		;

	if (write_shards(&ix, out, nshards, &b, &js) != 0 ||
	    write_docs(site, out, &b, &js) != 0 ||
	    write_manifest(site, out, nshards, &b, &js) != 0 ||
	    write_pages(site, out, &b) != 0)
		rc = -1;

	for (i = 0; i < ix.ntok; i++)
		free(ix.tok[i].p);
	free(ix.tok);
	free(ix.table);
	free(ix.ent);
	buf_free(&ix.pool);
	buf_free(&b);
	buf_free(&js);
	return rc;
}
