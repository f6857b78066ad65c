/*
 * index_state.c: the search index's state for the next build, and the
 * rebuild from it.  index.c makes the full index (its top comment gives
 * the whole picture); index.h holds the data model both files share.
 *
 * The state a build saves for the next one (output_state_stream(), name
 * "index"), all of it a cache that the next build checks and otherwise
 * ignores:
 *
 *   header   STATE_MAGIC, STATE_VERSION, NPART, the global hash
 *            (global_hash()), N, the quantized averages
 *   records  per batch of BATCH questions, per partition, a block: every
 *            posting of the batch's questions in the partition, before any
 *            cut, grouped by token (blockw_write()): per token, in order of
 *            first use, its number in the partition and its count of
 *            postings (varints), the bytes that follow (two, low first),
 *            then its postings in question order as two varints each:
 *            question - the previous one (the first: - the batch's first
 *            question), q
 *   tables   per question: question_hash(), field lengths;
 *            per block: offset, length, hash;
 *            per partition: its token count, then per token: key, df,
 *            size, length, bytes (a token's number is its place here);
 *            per shard: the key its file was written with
 *   trailer  where the tables start, shards, total size, batches, the
 *            tables' hash, STATE_END
 *
 * A block's hash is checked when it is read, the tables' when the state
 * is opened; every number read is checked against what it indexes.
 *
 * A rebuild from the state: only the changed questions are cut; the shards
 * of every token they had or have now are made again from the state's
 * records (the changed questions' replaced), every other shard and result
 * file is kept as the last build wrote it (output_keep()).
 */
#include <sys/mman.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faqgen.h"
#include "index.h"

#define STATE_MAGIC	"faqgenIX"
#define STATE_END	"IXstate."
#define STATE_VERSION	2
#define HEADER_SIZE	(8 + 4 + 4 + 8 + 8 + 8 * FIELD__MAX)
#define TRAILER_SIZE	(8 * 8 + 8)
#define QENTRY		(8 + 4 * FIELD__MAX)
#define BENTRY		(8 + 4 + 8)
#define BLOCK_SEED	0x626c6f636bu
#define CHANGED_MAX(n)	((n) / 100 + 1)	/* questions a rebuild takes */
#define COLLECT_MAX	(8u << 20)	/* postings a regeneration holds */
#define HELD_MAX	(24u << 20)	/* postings a rebuild holds at most */

/* A block of records. */
struct block {
	uint64_t	 off;		/* in the state */
	uint32_t	 len;
	uint64_t	 hash;
};

/* ------------------------------------------------------------ state blocks */

/*
 * The state's numbers: varints (7 bits a byte, low first) in the records,
 * host order in the tables (a state only serves builds on this machine).
 */
static inline uint8_t *
put_var(uint8_t *p, uint32_t v)
{
	/* Most are a question's next token, its number and q: 1 or 2 bytes. */
	if (v < 0x80) {
		*p = (uint8_t)v;
		return p + 1;
	}
	if (v < 0x4000) {
		p[0] = (uint8_t)(v | 0x80);
		p[1] = (uint8_t)(v >> 7);
		return p + 2;
	}
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* A varint at *pp, before end; sets *bad when it runs past end. */
static inline uint32_t
get_var(const uint8_t **pp, const uint8_t *end, int *bad)
{
	const uint8_t	*p = *pp;
	uint32_t	 v = 0;
	int		 sh;

	for (sh = 0; p < end && sh < 35; sh += 7) {
		v |= (uint32_t)(*p & 0x7f) << sh;
		if (*p++ < 0x80) {
			*pp = p;
			return v;
		}
	}
	*bad = 1;
	*pp = end;
	return 0;
}

/*
 * A block is made by blockw_count() for each posting, blockw_starts(),
 * blockw_place() for each posting again (those two are inline, in
 * index.h: the merge calls them for every posting), then blockw_write().
 */

/* Room for one more posting in w. */
static inline struct rec *
blockw_push(struct blockw *w)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 1024;
		w->r = xreallocarray(w->r, w->cap, sizeof(*w->r));
	}
	return &w->r[w->n++];
}

void
blockw_free(struct blockw *w)
{
	free(w->r);
	free(w->sorted);
	free(w->touched);
	free(w->cnt);
	memset(w, 0, sizeof(*w));
}

/* Every posting counted: where each token's go (a counting sort). */
void
blockw_starts(struct blockw *w)
{
	uint32_t	 c, pos = 0;
	size_t		 i;

	for (i = 0; i < w->nt; i++) {
		c = w->cnt[w->touched[i]];
		w->cnt[w->touched[i]] = pos;
		pos += c;
	}
	if (w->capsorted < w->nsorted) {
		w->capsorted = w->nsorted + w->nsorted / 2;
		free(w->sorted);
		w->sorted = xreallocarray(NULL, w->capsorted,
		    sizeof(*w->sorted));
	}
}

/*
 * The block into out, for a batch starting at question base: per token
 * (in order of first use) its number, its count, the bytes that follow
 * (two, low first: at most BATCH postings of at most 5 bytes) and its
 * postings as (question - the previous one or base, q), all varints.  A
 * reader skips a token it does not want in one step.  w is left empty.
 */
void
blockw_write(struct blockw *w, struct buf *out, uint32_t base)
{
	uint32_t	 t, pos, end, prev;
	size_t		 i, len;
	uint8_t		*o, *lenp;

	buf_truncate(out, 0);
	buf_grow(out, w->nsorted * 5 + w->nt * 10 + 1);
	o = (uint8_t *)out->data;
	for (i = 0, pos = 0; i < w->nt; i++, pos = end) {
		t = w->touched[i];
		end = w->cnt[t];
		w->cnt[t] = 0;
		o = put_var(o, t);
		o = put_var(o, end - pos);
		lenp = o;
		o += 2;
		for (prev = base; pos < end; pos++) {
			o = put_var(o, w->sorted[pos].doc - prev);
			o = put_var(o, w->sorted[pos].q);
			prev = w->sorted[pos].doc;
		}
		len = (size_t)(o - lenp - 2);
		lenp[0] = (uint8_t)len;
		lenp[1] = (uint8_t)(len >> 8);
	}
	out->len = (size_t)((char *)o - out->data);
	out->data[out->len] = '\0';
	w->nt = w->nsorted = 0;
}

/* ------------------------------------------------------------- the state */

/*
 * Everything but the questions' own text that the postings and result
 * files depend on: this program (program_hash()), and the questions in
 * site order (number, source, output path, category).
 */
static uint64_t
global_hash(const struct site *site)
{
	const uint64_t	 format[] = { STATE_VERSION, POSTINGS_MAX, Q_SCALE,
	    CHUNK, NPART, BATCH, SHARD_BYTES, SHARDS_FEW, SHARD_BYTES_MAX,
	    SHARDS_MAX, site->nquestions };
	const struct page *p;
	uint64_t	 h;
	size_t		 i;

	h = hash_str(program_hash(), "faqgen index " FAQGEN_VERSION);
	h = hash_bytes(format, sizeof(format), h);
	for (i = 0; i < site->nquestions; i++) {
		p = site->questions[i];
		h = hash_str(h, p->src);
		h = hash_str(h, p->out);
		h = hash_str(h, p->category != NULL ? p->category->src : NULL);
	}
	h = hash_bytes(site->synonyms != NULL ? site->synonyms : "",
	    site->synonyms != NULL ? site->synonyms_len : 0, h);
	return h;
}

static void
state_write(struct index *ix, const void *p, size_t len)
{
	output_stream_write(ix->state, p, len);
	ix->stoff += len;
}

/* The header, before the records. */
void
index_state_header(struct index *ix)
{
	struct buf	 b = { 0 };
	size_t		 f;

	buf_put(&b, STATE_MAGIC, 8);
	buf_put_u32(&b, STATE_VERSION);
	buf_put_u32(&b, NPART);
	buf_put_u64(&b, global_hash(ix->site));
	buf_put_u64(&b, ix->site->nquestions);
	for (f = 0; f < FIELD__MAX; f++)
		buf_put(&b, (const char *)&ix->avg[f], sizeof(double));
	state_write(ix, b.data, b.len);
	buf_free(&b);
}

/* pool_run job: the hash of the batch's block of partition p. */
static void
block_hash_job(void *arg, size_t p)
{
	struct index	*ix = arg;

	ix->blk[ix->nblk + p].hash = hash_bytes(ix->rec[p].data,
	    ix->rec[p].len, BLOCK_SEED);
}

/* The blocks of the batch just merged. */
void
index_state_batch(struct index *ix, int jobs)
{
	size_t		 p, first = ix->nblk;

	ix->blk = xreallocarray(ix->blk, ix->nblk + NPART, sizeof(*ix->blk));
	pool_run(NPART, jobs, block_hash_job, ix);
	for (p = 0; p < NPART; p++) {
		ix->blk[first + p].off = ix->stoff;
		ix->blk[first + p].len = (uint32_t)ix->rec[p].len;
		state_write(ix, ix->rec[p].data, ix->rec[p].len);
	}
	ix->nblk += NPART;
}

#define TPIECE	(1u << 20)	/* the tables are hashed a piece at a time */

/* The hash of the tables <p, len>, a TPIECE at a time. */
static uint64_t
tables_hash(const uint8_t *p, size_t len)
{
	uint64_t	 h = BLOCK_SEED;
	size_t		 off, n;

	for (off = 0; off < len; off += n) {
		n = len - off < TPIECE ? len - off : TPIECE;
		h = hash_bytes(p + off, n, h);
	}
	return h;
}

/*
 * The tables as they are written: a TPIECE at a time, each hashed in
 * turn (tables_hash()), so they are never held whole.
 */
struct tables {
	struct index	*ix;
	uint8_t		*piece;		/* owned, TPIECE */
	size_t		 n;
	uint64_t	 h;
};

static void
tables_put(struct tables *t, const void *data, size_t len)
{
	const uint8_t	*s = data;
	size_t		 k;

	while (len > 0) {
		k = TPIECE - t->n < len ? TPIECE - t->n : len;
		memcpy(t->piece + t->n, s, k);
		t->n += k;
		s += k;
		len -= k;
		if (t->n == TPIECE) {
			t->h = hash_bytes(t->piece, t->n, t->h);
			state_write(t->ix, t->piece, t->n);
			t->n = 0;
		}
	}
}

static void
tables_u32(struct tables *t, uint32_t v)
{
	tables_put(t, &v, sizeof(v));
}

static void
tables_u64(struct tables *t, uint64_t v)
{
	tables_put(t, &v, sizeof(v));
}

/* The tables and the trailer, after the records; closes the state. */
void
index_state_tables(struct index *ix)
{
	const struct site *site = ix->site;
	struct tables	 t = { ix, NULL, 0, BLOCK_SEED };
	struct token	*tk;
	struct buf	 b = { 0 };
	uint64_t	 at[4];
	size_t		 i, p, f;

	t.piece = xmalloc(TPIECE);
	at[0] = ix->stoff;
	for (i = 0; i < site->nquestions; i++) {
		tables_u64(&t, ix->qhash[i]);
		for (f = 0; f < FIELD__MAX; f++)
			tables_u32(&t, ix->flen[i][f]);
	}
	at[1] = ix->stoff + t.n;
	for (i = 0; i < ix->nblk; i++) {
		tables_u64(&t, ix->blk[i].off);
		tables_u32(&t, ix->blk[i].len);
		tables_u64(&t, ix->blk[i].hash);
	}
	at[2] = ix->stoff + t.n;
	for (p = 0; p < NPART; p++) {
		tables_u32(&t, (uint32_t)ix->part[p].ntok);
		for (i = 0; i < ix->part[p].ntok; i++) {
			tk = &ix->part[p].tok[i];
			tables_u64(&t, tk->key);
			tables_u32(&t, tk->df);
			tables_u32(&t, tk->size);
			tables_u32(&t, tk->len);
			tables_put(&t, ix->part[p].pool.data + tk->off,
			    tk->len);
		}
	}
	at[3] = ix->stoff + t.n;
	for (i = 0; i < ix->nshards; i++)
		tables_u64(&t, ix->skey[i]);
	if (t.n > 0) {
		t.h = hash_bytes(t.piece, t.n, t.h);
		state_write(ix, t.piece, t.n);
	}
	free(t.piece);
	for (i = 0; i < 4; i++)
		buf_put_u64(&b, at[i]);
	buf_put_u64(&b, ix->nshards);
	buf_put_u64(&b, ix->total);
	buf_put_u64(&b, (site->nquestions + BATCH - 1) / BATCH);
	buf_put_u64(&b, t.h);
	buf_put(&b, STATE_END, 8);
	state_write(ix, b.data, b.len);
	buf_free(&b);
	if (output_stream_close(ix->state) != 0)
		atomic_store(&ix->rc, -1);
	ix->state = NULL;
}

/*
 * Check the state <p, len> against this site: its format, the global
 * hash, the tables' hash and layout.  Returns 0 when it can serve.
 */
static int
prev_open(struct prev *pv, const void *data, size_t len,
    const struct site *site)
{
	const uint8_t	*p = data, *tr;
	uint64_t	 at[4], nshards, nbatch, n = site->nquestions;
	size_t		 i;

	memset(pv, 0, sizeof(*pv));
	if (p == NULL || len < HEADER_SIZE + TRAILER_SIZE ||
	    memcmp(p, STATE_MAGIC, 8) != 0 ||
	    memcmp(p + len - 8, STATE_END, 8) != 0 ||
	    get_u32(p + 8) != STATE_VERSION || get_u32(p + 12) != NPART ||
	    get_u64(p + 16) != global_hash(site) || get_u64(p + 24) != n)
		return -1;
	memcpy(pv->avg, p + 32, sizeof(pv->avg));
	tr = p + len - TRAILER_SIZE;
	for (i = 0; i < 4; i++)
		at[i] = get_u64(tr + 8 * i);
	nshards = get_u64(tr + 32);
	nbatch = get_u64(tr + 48);
	if (nbatch != (n + BATCH - 1) / BATCH || nshards == 0 ||
	    nshards > SHARDS_MAX || (nshards & (nshards - 1)) != 0 ||
	    at[0] < HEADER_SIZE || at[1] - at[0] != n * QENTRY ||
	    at[1] < at[0] || at[2] < at[1] || at[3] < at[2] ||
	    at[2] - at[1] != nbatch * NPART * BENTRY ||
	    at[3] + nshards * 8 != len - TRAILER_SIZE ||
	    tables_hash(p + at[0], (size_t)(at[3] - at[0] + nshards * 8)) !=
	    get_u64(tr + 56))
		return -1;
	pv->p = p;
	pv->len = len;
	pv->q = p + at[0];
	pv->b = p + at[1];
	pv->nbatch = nbatch;
	pv->t = p + at[2];
	pv->tend = p + at[3];
	pv->s = p + at[3];
	pv->nshards = nshards;
	pv->total = get_u64(tr + 40);
	/* The blocks lie one after the other, from the header on. */
	for (i = 0, at[0] = HEADER_SIZE; i < nbatch * NPART; i++) {
		if (get_u64(pv->b + i * BENTRY) != at[0])
			return -1;
		at[0] += get_u32(pv->b + i * BENTRY + 8);
	}
	return at[0] == (uint64_t)(pv->q - p) ? 0 : -1;
}

/* Block b * NPART + part of the previous state. */
static struct block
prev_block(const struct prev *pv, size_t i)
{
	struct block	 bl;

	bl.off = get_u64(pv->b + i * BENTRY);
	bl.len = get_u32(pv->b + i * BENTRY + 8);
	bl.hash = get_u64(pv->b + i * BENTRY + 12);
	return bl;
}

/* ---------------------------------------------------------------- rebuild */

/* pool_run job: question i's hash; its lengths from the state if equal. */
static void
rehash_job(void *arg, size_t i)
{
	struct index	*ix = arg;
	struct rebuild	*rb = ix->rb;
	const uint8_t	*e = rb->pv.q + i * QENTRY;
	size_t		 f;

	ix->qhash[i] = question_hash(ix->site->questions[i]);
	if (ix->qhash[i] == get_u64(e)) {
		for (f = 0; f < FIELD__MAX; f++)
			ix->flen[i][f] = get_u32(e + 8 + 4 * f);
	} else {
		count_question(ix->site->questions[i], ix->flen[i]);
		rb->changed[i] = 1;
	}
}

/* The state's tokens into the partitions, with their tables. */
static int
load_tokens(struct index *ix, struct rebuild *rb)
{
	const uint8_t	*t = rb->pv.t, *end = rb->pv.tend;
	struct part	*pt;
	struct token	*tk;
	uint64_t	 total = 0;
	uint32_t	 ntok, len;
	size_t		 p, i, j, mask;

	for (p = 0; p < NPART; p++) {
		pt = &ix->part[p];
		if (end - t < 4 || (ntok = get_u32(t)) >= 1u << PART_BITS)
			return -1;
		t += 4;
		pt->captok = ntok + 1024;
		pt->tok = xcalloc(pt->captok, sizeof(*pt->tok));
		for (pt->tablesz = 1024; pt->tablesz < 2 * pt->captok;)
			pt->tablesz *= 2;
		pt->table = xcalloc(pt->tablesz, sizeof(*pt->table));
		mask = pt->tablesz - 1;
		for (i = 0; i < ntok; i++) {
			if (end - t < 20 || (len = get_u32(t + 16)) >
			    (size_t)(end - t) - 20 || len > 1u << 16)
				return -1;
			tk = &pt->tok[i];
			tk->key = get_u64(t);
			tk->df = get_u32(t + 8);
			tk->size = get_u32(t + 12);
			tk->len = len;
			tk->off = (uint32_t)pt->pool.len;
			buf_put(&pt->pool, (const char *)t + 20, len);
			tk->hash = hash_key(tk->key);
			tk->fnv = tokenize_hash((const char *)t + 20, len);
			if (part_of(tk->hash) != p)
				return -1;
			total += tk->size;
			t += 20 + len;
			for (j = tk->hash & mask; pt->table[j] != 0;
			    j = (j + 1) & mask)
				;
			pt->table[j] = (uint32_t)i + 1;
		}
		pt->ntok = ntok;
		rb->part[p].ntok0 = ntok;
	}
	return t == end && total == rb->pv.total ? 0 : -1;
}

/*
 * The changed questions cut anew; their postings (struct rec) by
 * partition, each token found or added.
 */
static void
cut_changed(struct index *ix, struct rebuild *rb)
{
	struct cutter	*cu = &ix->cutter[0];
	struct postedv	*pv;
	struct rpart	*rp;
	struct token	*tk;
	struct rec	*r;
	size_t		 i, k, p, need = 1;

	for (i = 0; i < rb->nchanged; i++)
		need += 2 * fields_len(ix->site->questions[rb->chlist[i]]);
	cu->capbytes = need;
	cu->bytes = xmalloc(need);
	ix->batch0 = 0;
	for (i = 0; i < rb->nchanged; i++)
		cut_question(ix, cu, rb->chlist[i]);
	for (p = 0; p < NPART; p++) {
		pv = &cu->part[p];
		rp = &rb->part[p];
		for (k = 0; k < pv->n; k++) {
			tk = token_find(&ix->part[p], &pv->v[k]);
			if (tk - ix->part[p].tok >= (ptrdiff_t)rp->ntok0) {
				/* New to the site. */
				tk->fnv = tokenize_hash(ix->part[p].pool.data +
				    tk->off, tk->len);
			}
			if (rp->nnr == rp->capnr) {
				rp->capnr = rp->capnr ? rp->capnr * 2 : 64;
				rp->nr = xreallocarray(rp->nr, rp->capnr,
				    sizeof(*rp->nr));
			}
			r = &rp->nr[rp->nnr++];
			r->doc = pv->v[k].doc;
			r->tok = (uint32_t)(tk - ix->part[p].tok);
			r->q = pv->v[k].q;
		}
	}
}

/*
 * Open block i (batch i / NPART) of partition p: its bytes in [*s, *end)
 * and the questions it may name, [*base, *last).  -1 when it does not
 * hold together.
 */
static inline int
block_open(const struct index *ix, const struct rebuild *rb, size_t i,
    size_t p, const uint8_t **s, const uint8_t **end, uint32_t *base,
    uint32_t *last)
{
	struct block	 bl = prev_block(&rb->pv, i * NPART + p);

	if (bl.off + bl.len > rb->pv.len)
		return -1;
	*s = rb->pv.p + bl.off;
	*end = *s + bl.len;
	if (rb->verify && hash_bytes(*s, bl.len, BLOCK_SEED) != bl.hash)
		return -1;
	*base = (uint32_t)(i * BATCH);
	*last = *base + BATCH;
	if (*last > ix->site->nquestions)
		*last = (uint32_t)ix->site->nquestions;
	return 0;
}

/*
 * A token's entry in a block at *s: its number, its count of postings
 * and where they end (*e); *s is left at the first.  -1 when it does not
 * hold together.
 */
static inline int
token_open(const uint8_t **s, const uint8_t *end, uint32_t ntok0,
    uint32_t *tok, uint32_t *cnt, const uint8_t **e)
{
	int	 bad = 0;

	*tok = get_var(s, end, &bad);
	*cnt = get_var(s, end, &bad);
	if (bad || end - *s < 2 || *tok >= ntok0)
		return -1;
	*e = *s + 2 + ((*s)[0] | (uint32_t)(*s)[1] << 8);
	*s += 2;
	return *e > end ? -1 : 0;
}

/*
 * Decode block i (batch i / NPART) of partition p, calling fn for each
 * record; returns -1 when it does not hold together.
 */
static int
scan_block(struct index *ix, struct rebuild *rb, size_t i, size_t p,
    void (*fn)(struct rebuild *, struct rpart *, uint32_t, uint32_t,
    uint32_t))
{
	const uint8_t	*s, *end, *e;
	struct rpart	*rp = &rb->part[p];
	uint32_t	 base, last, doc, tok, q, cnt, k;
	int		 bad = 0;

	if (block_open(ix, rb, i, p, &s, &end, &base, &last) != 0)
		return -1;
	while (s < end) {
		if (token_open(&s, end, (uint32_t)rp->ntok0, &tok, &cnt,
		    &e) != 0)
			return -1;
		for (doc = base, k = 0; k < cnt; k++) {
			doc += get_var(&s, e, &bad);
			q = get_var(&s, e, &bad);
			if (bad || doc >= last)
				return -1;
			fn(rb, rp, doc, tok, q);
		}
		if (s != e)
			return -1;
	}
	return 0;
}

/* Record callback: a changed question's old posting marks its token. */
static void
old_posting(struct rebuild *rb, struct rpart *rp, uint32_t doc, uint32_t tok,
    uint32_t q)
{
	(void)q;
	if (rb->changed[doc])
		rp->hit[tok] = 1;
}

/*
 * The POSTINGS_MAX best of the postings v[0..n) (doc, q pairs in question
 * order): the highest q, the earlier question on a tie, as prune()
 * chooses.  Returns the cut: a later posting at or below it would never
 * be kept.
 */
static uint32_t
best_of(struct rpart *rp, uint32_t *v, size_t *np)
{
	uint32_t	 cut, above = 0, keep_eq;
	size_t		 i, j, n = *np;

	if (rp->capscratch < n) {
		rp->capscratch = n;
		rp->scratch = xreallocarray(rp->scratch, n,
		    sizeof(*rp->scratch));
	}
	for (i = 0; i < n; i++)
		rp->scratch[i] = v[2 * i + 1];
	cut = kth_largest(rp->scratch, n, POSTINGS_MAX - 1);
	for (i = 0; i < n; i++)
		if (v[2 * i + 1] > cut)
			above++;
	keep_eq = POSTINGS_MAX - above;
	for (i = 0, j = 0; i < n; i++) {
		if (v[2 * i + 1] > cut)
			;
		else if (v[2 * i + 1] == cut && keep_eq > 0)
			keep_eq--;
		else
			continue;
		v[2 * j] = v[2 * i];
		v[2 * j + 1] = v[2 * i + 1];
		j++;
	}
	*np = j;
	return cut;
}

/*
 * Token tk's list from the postings v[0..n) (doc, q pairs in question
 * order) of its df questions: the POSTINGS_MAX best.
 */
static void
final_list(struct rpart *rp, struct token *tk, uint32_t *v, size_t n,
    uint32_t df)
{
	uint32_t	 prev = 0;
	size_t		 i;
	char		*w;

	free(tk->p);
	tk->df = df;
	if (n > POSTINGS_MAX)
		(void)best_of(rp, v, &n);
	tk->n = (uint32_t)n;
	tk->p = xmalloc(n * 14 + 1);
	for (i = 0, w = tk->p; i < n; i++) {
		w = put_num(w, v[2 * i] - prev);
		w = put_num(w, v[2 * i + 1]);
		prev = v[2 * i];
	}
	tk->plen = (uint32_t)(w - tk->p);
	tk->size = df > 0 ? tk->len + 12 + tk->plen : 0;
}

/*
 * Block i of partition p: the postings of the tokens wanted, but the
 * changed questions', onto their lists.  This reads every block of the
 * state, so it skips a token not wanted in one step.
 */
static int
collect_block(struct index *ix, struct rebuild *rb, size_t i, size_t p)
{
	const uint8_t	*s, *end, *e;
	struct rpart	*rp = &rb->part[p];
	const uint8_t	*want = rp->want, *changed = rb->changed;
	uint32_t	 base, last, doc, tok, q, cnt, k;
	uint32_t	 ntok0 = (uint32_t)rp->ntok0, *l;
	size_t		 n;
	int		 bad = 0;

	if (block_open(ix, rb, i, p, &s, &end, &base, &last) != 0)
		return -1;
	while (s < end) {
		if (token_open(&s, end, ntok0, &tok, &cnt, &e) != 0)
			return -1;
		if (!want[tok]) {
			s = e;
			continue;
		}
		l = rp->list[tok];
		for (doc = base, k = 0; k < cnt; k++) {
			doc += get_var(&s, e, &bad);
			q = get_var(&s, e, &bad);
			if (bad || doc >= last)
				return -1;
			if (changed[doc])
				continue;
			rp->ndf[tok]++;
			/* As merge_job(): it has POSTINGS_MAX better. */
			if (q <= rp->qdrop[tok])
				continue;
			if (rp->nlist[tok] == rp->caplist[tok]) {
				if (rp->caplist[tok] < 4 * POSTINGS_MAX)
					return -1;	/* more than its df */
				n = rp->nlist[tok] / 2;
				rp->qdrop[tok] = best_of(rp, l, &n);
				rp->nlist[tok] = (uint32_t)(2 * n);
			}
			l[rp->nlist[tok]++] = doc;
			l[rp->nlist[tok]++] = q;
		}
		if (s != e)
			return -1;
	}
	return 0;
}

/* pool_run job: room for the lists partition p wants. */
static void
collect_start_job(void *arg, size_t p)
{
	struct index	*ix = arg;
	struct rpart	*rp = &ix->rb->part[p];
	struct part	*pt = &ix->part[p];
	size_t		 i;

	uint32_t	 df;

	for (i = 0; i < pt->ntok; i++)
		if (rp->want[i]) {
			/* Cut back to the best when twice the most kept. */
			df = pt->tok[i].df;
			rp->caplist[i] = 2 * (df < 2 * POSTINGS_MAX ? df + 1 :
			    2 * POSTINGS_MAX);
			rp->list[i] = xmalloc(rp->caplist[i] *
			    sizeof(uint32_t));
			rp->nlist[i] = rp->ndf[i] = rp->qdrop[i] = 0;
		}
}

/* pool_run job: partition p's postings in the round's batches. */
static void
collect_job(void *arg, size_t p)
{
	struct index	*ix = arg;
	struct rebuild	*rb = ix->rb;
	size_t		 i;

	for (i = rb->round0; i < rb->round1; i++)
		if (collect_block(ix, rb, i, p) != 0) {
			rb->bad = 1;
			return;
		}
}

/*
 * pool_run job: the changed questions' new postings into partition p's
 * lists, then each list cut to its final form.
 */
static void
collect_end_job(void *arg, size_t p)
{
	struct index	*ix = arg;
	struct rebuild	*rb = ix->rb;
	struct rpart	*rp = &rb->part[p];
	struct part	*pt = &ix->part[p];
	struct rec	*r;
	uint32_t	*l;
	size_t		 i, k;

	for (i = 0; i < pt->ntok; i++)
		if (rp->want[i] && rp->ndf[i] > pt->tok[i].df)
			rb->bad = 1;	/* more than its df */
	for (k = 0; k < rp->nnr; k++) {
		r = &rp->nr[k];
		if (!rp->want[r->tok])
			continue;
		rp->ndf[r->tok]++;
		/*
		 * Out of question order: one at the cut may still beat a
		 * later one kept at the cut.
		 */
		if (r->q < rp->qdrop[r->tok])
			continue;
		if (rp->nlist[r->tok] + 2 > rp->caplist[r->tok]) {
			rp->caplist[r->tok] += 64;
			rp->list[r->tok] = xreallocarray(rp->list[r->tok],
			    rp->caplist[r->tok], sizeof(uint32_t));
		}
		/* Into its place in question order. */
		l = rp->list[r->tok];
		i = rp->nlist[r->tok];
		while (i > 0 && l[i - 2] > r->doc) {
			l[i] = l[i - 2];
			l[i + 1] = l[i - 1];
			i -= 2;
		}
		l[i] = r->doc;
		l[i + 1] = r->q;
		rp->nlist[r->tok] += 2;
	}
	for (i = 0; i < pt->ntok; i++)
		if (rp->want[i]) {
			final_list(rp, &pt->tok[i], rp->list[i],
			    rp->nlist[i] / 2, rp->ndf[i]);
			free(rp->list[i]);
			rp->list[i] = NULL;
		}
}

/*
 * The state's pages up to off are read: give them back (the file stays
 * in the page cache), so the mapping never weighs on the build's memory
 * whole (160 MB at 100,000 questions).
 */
static void
release(struct prev *pv, uint64_t off)
{
	uintptr_t	 from, to, pg = (uintptr_t)sysconf(_SC_PAGESIZE);

	from = ((uintptr_t)pv->p + pv->released + pg - 1) & ~(pg - 1);
	to = ((uintptr_t)pv->p + off) & ~(pg - 1);
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_DONTNEED);
	if (off > pv->released)
		pv->released = off;
}

#define ROUND	8	/* batches read at once */

/* The lists of every token wanted, cut to their final form. */
static int
collect(struct index *ix, struct rebuild *rb, int jobs)
{
	struct rpart	*rp;
	struct part	*pt;
	struct block	 bl;
	size_t		 p, i;

	for (p = 0; p < NPART; p++) {
		rp = &rb->part[p];
		pt = &ix->part[p];
		rp->list = xcalloc(pt->ntok + 1, sizeof(*rp->list));
		rp->nlist = xcalloc(pt->ntok + 1, sizeof(*rp->nlist));
		rp->caplist = xcalloc(pt->ntok + 1, sizeof(*rp->caplist));
		rp->ndf = xcalloc(pt->ntok + 1, sizeof(*rp->ndf));
		rp->qdrop = xcalloc(pt->ntok + 1, sizeof(*rp->qdrop));
	}
	pool_run(NPART, jobs, collect_start_job, ix);
	rb->pv.released = 0;
	for (rb->round0 = 0; rb->round0 < rb->pv.nbatch && !rb->bad;
	    rb->round0 = rb->round1) {
		rb->round1 = rb->round0 + ROUND < rb->pv.nbatch ?
		    rb->round0 + ROUND : rb->pv.nbatch;
		pool_run(NPART, jobs, collect_job, ix);
		bl = prev_block(&rb->pv, rb->round1 * NPART - 1);
		release(&rb->pv, bl.off + bl.len);
	}
	if (!rb->bad)
		pool_run(NPART, jobs, collect_end_job, ix);
	for (p = 0; p < NPART; p++) {
		rp = &rb->part[p];
		for (i = 0; i < ix->part[p].ntok; i++)
			free(rp->list[i]);	/* left by an error */
		free(rp->list);
		free(rp->nlist);
		free(rp->caplist);
		free(rp->ndf);
		free(rp->qdrop);
		rp->list = NULL;
		rp->nlist = rp->caplist = rp->ndf = rp->qdrop = NULL;
	}
	return rb->bad ? -1 : 0;
}

/*
 * Keep shard k's files, unless it is to be written; a file gone or
 * edited marks the shard to be made again, for that form alone.
 */
static void
keep_shard(struct index *ix, size_t k)
{
	char		 name[48];
	int		 need;

	ix->forms[k] = FORMS;
	if (ix->rb->mark[k] != 0)
		return;
	index_name(name, sizeof(name), 's', k);
	if ((need = index_keep(ix->out, name, ix->skey[k])) < 0) {
		atomic_store(&ix->rc, -1);
		need = 0;
	}
	ix->forms[k] = (uint8_t)need;
	if (need != 0)
		ix->rb->mark[k] = 2;
}

/* pool_run job: keep_shard() for the shards of folder d. */
static void
keep_job(void *arg, size_t d)
{
	struct index	*ix = arg;
	size_t		 k;

	for (k = d * FOLDER; k < (d + 1) * FOLDER && k < ix->nshards; k++)
		keep_shard(ix, k);
}

/* Write the shards in todo[0..n), whose tokens' lists are made. */
static void
write_some(struct index *ix, size_t *todo, size_t n, int jobs)
{
	struct token	*tk;
	size_t		 i, j;

	ix->todo = todo;
	pool_run(n, jobs, shard_job, ix);
	ix->todo = NULL;
	for (i = 0; i < n; i++)
		for (j = ix->start[todo[i]]; j < ix->start[todo[i] + 1]; j++) {
			tk = TOKEN_OF(ix, ix->order[j]);
			free(tk->p);
			tk->p = NULL;
		}
}

/* Want the lists of the tokens of shard k (grouped); returns their df. */
static size_t
want_shard(struct index *ix, struct rebuild *rb, size_t k)
{
	uint32_t	 o;
	size_t		 j, n = 0;

	for (j = ix->start[k]; j < ix->start[k + 1]; j++) {
		o = ix->order[j];
		rb->part[o >> PART_BITS].want[o & ((1u << PART_BITS) - 1)] = 1;
		n += TOKEN_OF(ix, o)->df;
	}
	return n;
}

/*
 * The rebuild.  Returns 1 when it is done (a write error is in ix->rc),
 * 0 when the full build must run instead: nothing is written or kept
 * yet, and *why says why.
 */
int
index_state_rebuild(struct index *ix, struct rebuild *rb, const void *data,
    size_t len, int jobs, const char **why)
{
	const struct site *site = ix->site;
	struct rpart	*rp;
	struct part	*pt;
	struct token	*tk;
	size_t		 n = site->nquestions, i, f, p, k, ntodo, held;
	size_t		*todo;
	uint64_t	 before = 0, after = 0;
	double		 avg[FIELD__MAX] = { 0 };

	if (prev_open(&rb->pv, data, len, site) != 0) {
		*why = "no state that fits this site";
		return 0;
	}
	ix->rb = rb;
	rb->changed = xcalloc(n ? n : 1, 1);
	ix->qhash = xcalloc(n ? n : 1, sizeof(*ix->qhash));
	ix->flen = xcalloc(n ? n : 1, sizeof(*ix->flen));
	pool_run(n, jobs, rehash_job, ix);
	rb->chlist = xcalloc(CHANGED_MAX(n), sizeof(*rb->chlist));
	for (i = 0; i < n; i++) {
		for (f = 0; f < FIELD__MAX; f++)
			avg[f] += ix->flen[i][f];
		if (!rb->changed[i])
			continue;
		if (rb->nchanged == CHANGED_MAX(n)) {
			*why = "too many questions changed";
			return 0;
		}
		rb->chlist[rb->nchanged++] = (uint32_t)i;
	}
	for (f = 0; f < FIELD__MAX; f++)
		ix->avg[f] = quantize(n && avg[f] > 0 ? avg[f] / n : 1);
	if (memcmp(ix->avg, rb->pv.avg, sizeof(ix->avg)) != 0) {
		*why = "average field lengths moved";
		return 0;
	}
	if (load_tokens(ix, rb) != 0) {
		*why = "state does not hold together";
		return 0;
	}
	ix->changed = rb->changed;

	/* The tokens the changed questions had or have: their shards. */
	cut_changed(ix, rb);
	rb->verify = 1;
	for (p = 0; p < NPART; p++) {
		rb->part[p].want = xcalloc(ix->part[p].ntok + 1, 1);
		rb->part[p].hit = xcalloc(ix->part[p].ntok + 1, 1);
		for (k = 0; k < rb->part[p].nnr; k++)
			rb->part[p].hit[rb->part[p].nr[k].tok] = 1;
	}
	for (i = 0; i < rb->nchanged; i++) {
		if (i > 0 && rb->chlist[i] / BATCH == rb->chlist[i - 1] / BATCH)
			continue;
		for (p = 0; p < NPART; p++)
			if (scan_block(ix, rb, rb->chlist[i] / BATCH, p,
			    old_posting) != 0) {
				*why = "state does not hold together";
				return 0;
			}
	}
	rb->mark = xcalloc(rb->pv.nshards, 1);
	for (p = 0; p < NPART; p++)
		for (i = 0; i < ix->part[p].ntok; i++)
			if (rb->part[p].hit[i])
				rb->mark[ix->part[p].tok[i].fnv %
				    rb->pv.nshards] = 1;
	for (p = 0; p < NPART; p++)
		for (i = 0; i < ix->part[p].ntok; i++) {
			tk = &ix->part[p].tok[i];
			if (rb->mark[tk->fnv % rb->pv.nshards] &&
			    (tk->df > 0 || rb->part[p].hit[i])) {
				rb->part[p].want[i] = 1;
				before += tk->size;
				rb->held += tk->df < 2 * POSTINGS_MAX ?
				    tk->df : 2 * POSTINGS_MAX;
			}
		}
	/* Many edits touch most shards: a full build is cheaper then. */
	if (rb->held > HELD_MAX) {
		*why = "the edits touch too many postings";
		return 0;
	}
	if (collect(ix, rb, jobs) != 0) {
		*why = "state does not hold together";
		return 0;
	}
	for (p = 0; p < NPART; p++)
		for (i = 0; i < ix->part[p].ntok; i++)
			if (rb->part[p].want[i])
				after += ix->part[p].tok[i].size;
	ix->total = rb->pv.total - before + after;
	ix->nshards = rb->pv.nshards;
	if (shards_for(ix->total) != ix->nshards) {
		*why = "the shard count moved";
		return 0;
	}

	/* Past here nothing falls back: files are kept. */
	ix->skey = xcalloc(ix->nshards, sizeof(*ix->skey));
	for (k = 0; k < ix->nshards; k++)
		ix->skey[k] = get_u64(rb->pv.s + 8 * k);
	ix->forms = xcalloc(ix->nshards, sizeof(*ix->forms));
	pool_run(index_folders(ix->nshards), jobs, keep_job, ix);
	group_shards(ix);
	todo = xcalloc(ix->nshards, sizeof(*todo));
	for (k = ntodo = 0; k < ix->nshards; k++)
		if (rb->mark[k] == 1)
			todo[ntodo++] = k;
	write_some(ix, todo, ntodo, jobs);
	rb->written = ntodo;

	/* Shards gone from the live output or edited: from the records. */
	rb->verify = 0;
	for (k = 0; k < ix->nshards;) {
		for (p = 0; p < NPART; p++) {
			rp = &rb->part[p];
			pt = &ix->part[p];
			memset(rp->want, 0, pt->ntok + 1);
		}
		for (ntodo = held = 0; k < ix->nshards && held < COLLECT_MAX;
		    k++)
			if (rb->mark[k] == 2) {
				held += want_shard(ix, rb, k);
				todo[ntodo++] = k;
			}
		if (ntodo == 0)
			break;
		if (collect(ix, rb, jobs) != 0) {
			/* Checked whole above: cannot happen. */
			fprintf(stderr, "faqgen: index: build state changed "
			    "while it was read\n");
			atomic_store(&ix->rc, -1);
			break;
		}
		write_some(ix, todo, ntodo, jobs);
		rb->written += ntodo;
	}
	free(todo);
	ungroup_shards(ix);
	return 1;
}

/* Record callback: a posting of an unchanged question, kept. */
static void
kept_posting(struct rebuild *rb, struct rpart *rp, uint32_t doc, uint32_t tok,
    uint32_t q)
{
	struct rec	*r;

	(void)rp;
	if (rb->changed[doc])
		return;
	r = blockw_push(&rb->bw);
	r->doc = doc;
	r->tok = tok;
	r->q = q;
}

/* Re-encode block (b, p): the changed questions' postings replaced. */
static void
rewrite_block(struct index *ix, struct rebuild *rb, size_t b, size_t p,
    struct buf *out)
{
	struct rpart	*rp = &rb->part[p];
	struct blockw	*w = &rb->bw;
	struct rec	*r;
	uint32_t	 at[BATCH + 1], base = (uint32_t)(b * BATCH), x;
	size_t		 k;

	w->n = 0;
	/* Read whole once already: cannot fail. */
	(void)scan_block(ix, rb, b, p, kept_posting);
	for (k = 0; k < rp->nnr; k++)
		if (rp->nr[k].doc / BATCH == b)
			*blockw_push(w) = rp->nr[k];
	/*
	 * In question order (a counting sort), so each token's postings
	 * stay in question order when encode_block() groups them.
	 */
	memset(at, 0, sizeof(at));
	for (k = 0; k < w->n; k++)
		at[w->r[k].doc - base + 1]++;
	for (k = 0; k < BATCH; k++)
		at[k + 1] += at[k];
	r = xreallocarray(NULL, w->n + 1, sizeof(*r));
	for (k = 0; k < w->n; k++) {
		x = w->r[k].doc - base;
		r[at[x]++] = w->r[k];
	}
	for (k = 0; k < w->n; k++)
		blockw_count(w, r[k].tok);
	blockw_starts(w);
	for (k = 0; k < w->n; k++)
		blockw_place(w, r[k].tok, r[k].doc, r[k].q);
	free(r);
	blockw_write(w, out, base);
}

/* Copy the state's bytes [from, to) into the new one, a piece at a time. */
static void
copy_released(struct index *ix, struct prev *pv, uint64_t from, uint64_t to)
{
	uint64_t	 n;

	for (; from < to; from += n) {
		n = to - from < (16u << 20) ? to - from : 16u << 20;
		state_write(ix, pv->p + from, (size_t)n);
		release(pv, from + n);
	}
}

/*
 * The next build's state after a rebuild: the records of the batches
 * without a changed question copied as they are, the others made again.
 */
void
index_state_rewrite(struct index *ix, struct rebuild *rb)
{
	struct prev	*pv = &rb->pv;
	struct block	 first, last, bl;
	struct buf	 b = { 0 };
	uint8_t		*bch;
	size_t		 i, j, k, p;

	if ((ix->state = output_state_stream(ix->out, "index")) == NULL)
		return;
	bch = xcalloc(pv->nbatch + 1, 1);
	for (i = 0; i < rb->nchanged; i++)
		bch[rb->chlist[i] / BATCH] = 1;
	ix->blk = xcalloc(pv->nbatch * NPART + 1, sizeof(*ix->blk));
	state_write(ix, pv->p, HEADER_SIZE);
	pv->released = 0;
	for (i = 0; i < pv->nbatch;) {
		if (!bch[i]) {
			for (j = i; j < pv->nbatch && !bch[j]; j++)
				;
			first = prev_block(pv, i * NPART);
			last = prev_block(pv, j * NPART - 1);
			for (k = i * NPART; k < j * NPART; k++) {
				bl = prev_block(pv, k);
				bl.off = ix->stoff + (bl.off - first.off);
				ix->blk[ix->nblk++] = bl;
			}
			copy_released(ix, &rb->pv, first.off,
			    last.off + last.len);
			i = j;
			continue;
		}
		for (p = 0; p < NPART; p++) {
			rewrite_block(ix, rb, i, p, &b);
			bl.off = ix->stoff;
			bl.len = (uint32_t)b.len;
			bl.hash = hash_bytes(b.data, b.len, BLOCK_SEED);
			ix->blk[ix->nblk++] = bl;
			state_write(ix, b.data, b.len);
		}
		i++;
	}
	free(bch);
	buf_free(&b);
	index_state_tables(ix);
}

/* pthread: index_state_rewrite() beside write_docs(). */
void *
index_state_rewrite_thread(void *arg)
{
	struct rebuild	*rb = arg;

	index_state_rewrite(rb->ix, rb);
	return NULL;
}

void
index_state_rebuild_free(struct rebuild *rb)
{
	size_t	 p;

	for (p = 0; p < NPART; p++) {
		free(rb->part[p].want);
		free(rb->part[p].hit);
		free(rb->part[p].nr);
		free(rb->part[p].scratch);
	}
	free(rb->changed);
	free(rb->chlist);
	free(rb->mark);
	blockw_free(&rb->bw);
	memset(rb, 0, sizeof(*rb));
}
