/*
 * link.c: what needs the whole site: cross-reference fragments, reserved
 * names and aliases, previous/next within a category, and related
 * questions by text similarity.
 *
 * Related questions.  A question is cut into terms: character bigrams
 * (Chinese) and words (Latin, digits) of its title, keywords, tags,
 * headings and the start of its answer, each field with its weight.  It
 * is then represented by its TERMS_PER_PAGE strongest terms by TF-IDF:
 * term ids with their weights, strongest first, the same few bytes for
 * any question.  The weights are those of the whole vector made of unit
 * length, so a score is the part of the full cosine that the kept terms
 * carry, and an edit that moves one term's document frequency barely
 * moves the others (a rebuild after one answer changed rewrites few
 * pages).  A term of a single question can match nothing: it counts in
 * the length but is not kept.  Four passes, each in parallel over blocks
 * of questions, with one scratch per thread and no lock:
 *
 *   1. document frequencies: each thread cuts the questions it takes,
 *      counts their terms in its own table, which numbers them as it
 *      meets them, and writes down each question's terms as those
 *      numbers (a few bytes a term, see put_terms()); the tables are
 *      then added, and a term's id is its rank by key, so nothing
 *      depends on which thread saw it first;
 *   2. vectors: each question's terms are read back and its strongest
 *      kept.  Nothing is cut again and no large table is probed: the
 *      ids and idfs this needs fit in the cache;
 *   3. postings: per term, the questions that kept it, cut to the
 *      POSTINGS_KEPT strongest, so the next pass stays linear;
 *   4. scores: the question's terms walk their postings into a dense
 *      per-thread accumulator; the best are kept, those of the same
 *      category weighing SAME_CATEGORY times more.
 *
 * Sums run in a fixed order (the question's terms, strongest first), so
 * the lists are the same for any --jobs.  Everything the pass allocates is freed
 * before it returns and handed back to the system (malloc_trim), so the
 * later stages do not run on top of it.
 */
#include <sys/mman.h>

#include <ctype.h>
#include <err.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "faqgen.h"

#define TERMS_PER_PAGE	24	/* strongest terms kept per question */
#define POSTINGS_KEPT	64	/* strongest questions kept per term */
#define BODY_CHARS	400	/* code points of the answer used */
#define BLOCK		64	/* questions a thread takes at once */
#define SAME_CATEGORY	1.2f	/* score factor for the question's category */
#define MIN_SCORE	0.05f	/* weaker candidates are not listed */
#define NO_ID		UINT32_MAX
#define LOG_TABLE	128	/* 1 + ln(tf) at hand for tf < LOG_TABLE / 2 */
#define CHUNK_SIZE	(1u << 20) /* bytes of the terms written down at once */

/*
 * A term of the question being cut: its key, its summed field weights in
 * halves (every field weight is a multiple of 0.5, so the sum is exact).
 */
struct occ {
	uint64_t	 key;	/* never 0 */
	uint32_t	 tf2;	/* 2 * term frequency */
	uint32_t	 num;	/* pass 1: the thread's number for it */
};

/*
 * Open addressing from term key to its count and id; key 0 is empty.  In
 * a thread's table the id is the thread's own number for the term; in
 * the table of the whole site it is the term's id or NO_ID.
 */
struct termslot {
	uint64_t	 key;
	uint32_t	 n;	/* questions with the term */
	uint32_t	 id;
};

struct termmap {
	struct termslot	*e;	/* owned; key and value in one cache line */
	size_t		 mask;
	size_t		 n;
};

/* Where a term of the question being cut is in occ. */
struct occslot {
	uint64_t	 key;
	uint32_t	 gen;	/* the slot is empty unless gen is the scratch's */
	uint32_t	 i;	/* index in occ */
};

/*
 * The distinct terms of the question being cut.  collect_text() takes and
 * gives it back by value, so its fields stay in registers while the
 * stores into occ and slot go on.
 */
struct cutting {
	struct occ	*occ;	/* in the order first met, owned */
	size_t		 n;
	struct occslot	*slot;	/* owned */
	size_t		 mask;
	uint32_t	 gen;	/* the question being cut */
};

/* What pass 2 needs of a term, by the number a thread gave it. */
struct termref {
	uint32_t	 id;	/* or NO_ID: in one question */
	float		 idf;
};

/* A piece of a thread's record of the questions' terms. */
struct chunk {
	uint8_t		*p;	/* table_alloc() */
	size_t		 size;
};

/* What one thread reuses from question to question. */
struct scratch {
	struct cutting	 c;
	struct termmap	 df;	/* pass 1: this thread's terms */
	struct termref	*ref;	/* then: by its number for a term, owned */
	size_t		 nref;
	struct chunk	*chunk;	/* pass 1: the terms of its questions, owned */
	size_t		 nchunk;
	uint8_t		*at, *end; /* free space in the last chunk */
	float		*acc;	/* pass 4: per question, 0 when untouched */
	uint32_t	*touched; /* questions with an acc, owned */
};

/* A term's question and its weight there. */
struct posting {
	uint32_t	 page;	/* index in site->questions */
	float		 w;
};

struct related {
	struct site	*site;	/* borrowed */
	size_t		 nq;
	int		 nthreads;
	struct scratch	*scratch; /* one per thread, owned */
	atomic_size_t	 next;	/* the next block of questions to take */
	void		(*fn)(struct related *, struct scratch *, size_t);
	const uint8_t	**rec;	/* per question, its terms (put_terms()) */
	uint8_t		*rec_thread; /* and the thread that numbered them */
	float		 idf_one; /* of a term in one question */
	float		 log_tf[LOG_TABLE]; /* 1 + ln(k / 2) */
	uint32_t	*vid;	/* question i's term ids at i*TERMS_PER_PAGE */
	float		*vw;	/* and their weights; both table_alloc() */
	uint8_t		*vn;	/* and how many, owned */
	const struct page **cat; /* per question, its category: owned array */
	size_t		*poff;	/* per id: its postings in post, owned */
	uint32_t	*pn;	/* per id: how many kept, owned */
	struct posting	*post;	/* owned, table_alloc() */
	size_t		 npost;
	size_t		 nterms;	/* terms with an id */
};

/*
 * A large zeroed table straight from the kernel, unmapped (so given back
 * at once) when freed: none of it stays in the heap for the later stages.
 */
static void *
table_alloc(size_t n, size_t size)
{
	void	*p;

	if (size != 0 && n > SIZE_MAX / size)
		errx(EXIT_SYSTEM, "mmap: table too large");
	if (n == 0)
		n = 1;
	p = mmap(NULL, n * size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		err(EXIT_SYSTEM, "mmap");
	return p;
}

static void
table_free(void *p, size_t n, size_t size)
{
	if (p != NULL)
		munmap(p, (n == 0 ? 1 : n) * size);
}

static size_t
key_hash(uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32);
}

static void
termmap_init(struct termmap *m, size_t cap)
{
	m->e = table_alloc(cap, sizeof(*m->e));
	m->mask = cap - 1;
	m->n = 0;
}

static void
termmap_free(struct termmap *m)
{
	table_free(m->e, m->mask + 1, sizeof(*m->e));
	memset(m, 0, sizeof(*m));
}

/* The slot of key: where it is, or the empty slot where it would go. */
static size_t
termmap_slot(const struct termmap *m, uint64_t key)
{
	size_t	 h = key_hash(key) & m->mask;

	while (m->e[h].key != 0 && m->e[h].key != key)
		h = (h + 1) & m->mask;
	return h;
}

/*
 * Ask for the slots of the question's terms before probing them: a large
 * table misses the cache on almost every term, and these misses overlap.
 */
static void
termmap_prefetch(const struct termmap *m, const struct occ *o, size_t n)
{
	size_t	 k;

	for (k = 0; k < n; k++)
		__builtin_prefetch(&m->e[key_hash(o[k].key) & m->mask]);
}

/* Room for `extra` more keys; the table stays at most half full. */
static void
termmap_reserve(struct termmap *m, size_t extra)
{
	struct termmap	 old;
	size_t		 i, cap;

	if ((m->n + extra) * 2 > m->mask + 1) {
		old = *m;
		for (cap = (old.mask + 1) * 2; (m->n + extra) * 2 > cap;
		    cap *= 2)
			continue;
		termmap_init(m, cap);
		for (i = 0; i <= old.mask; i++)
			if (old.e[i].key != 0)
				m->e[termmap_slot(m, old.e[i].key)] = old.e[i];
		m->n = old.n;
		termmap_free(&old);
	}
}

/* Grow the table of the question's terms to take `more` more. */
static __attribute__((noinline)) struct cutting
cutting_grow(struct cutting c, size_t more)
{
	size_t	 cap = c.mask ? (c.mask + 1) * 2 : 1024, k, h;

	while ((c.n + more + 1) * 2 > cap)
		cap *= 2;

	free(c.slot);
	c.slot = xcalloc(cap, sizeof(*c.slot));
	c.mask = cap - 1;
	c.occ = xreallocarray(c.occ, cap / 2, sizeof(*c.occ));
	for (k = 0; k < c.n; k++) {
		h = key_hash(c.occ[k].key) & c.mask;
		while (c.slot[h].gen == c.gen)
			h = (h + 1) & c.mask;
		c.slot[h].key = c.occ[k].key;
		c.slot[h].gen = c.gen;
		c.slot[h].i = (uint32_t)k;
	}
	return c;
}

/* Add a term occurrence; the table has room for one more term. */
static inline __attribute__((always_inline)) void
add_key(struct cutting *c, uint64_t key, uint32_t w2)
{
	size_t	 h;

	h = key_hash(key) & c->mask;
	while (c->slot[h].gen == c->gen) {
		if (c->slot[h].key == key) {
			c->occ[c->slot[h].i].tf2 += w2;
			return;
		}
		h = (h + 1) & c->mask;
	}
	c->slot[h].key = key;
	c->slot[h].gen = c->gen;
	c->slot[h].i = (uint32_t)c->n;
	c->occ[c->n].key = key;
	c->occ[c->n].tf2 = w2;
	c->n++;
}

/* Called for every term occurrence: inline, the growing out of line. */
static inline __attribute__((always_inline)) void
put_key(struct cutting *c, uint64_t key, uint32_t w2)
{
	if ((c->n + 1) * 2 > c->mask + 1)
		*c = cutting_grow(*c, 1);
	add_key(c, key, w2);
}

static int
is_han(uint32_t cp)
{
	return (cp >= 0x3400 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0x20000 && cp <= 0x2ffff);
}

static int
is_alnum(int32_t cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
	    (cp >= 'A' && cp <= 'Z');
}

/*
 * Add the terms of <s, len>, at most `limit` code points, weighted w2
 * halves.  A bigram's key is its two code points; a word's is its hash
 * with the top bit set.  Neither is ever 0.
 */
static struct cutting
collect_text(struct cutting sc, const char *s, size_t len, size_t limit,
    uint32_t w)
{
	const char	*p = s, *end = s + len;
	const unsigned char *c;
	int32_t		 cp, prev = -1;
	uint64_t	 word = 0;
	uint32_t	 u;
	size_t		 wlen = 0, seen = 0, stop, run;

	while (p < end && seen < limit) {
		c = (const unsigned char *)p;
		if (c[0] < 0x80) {
			cp = c[0];
			p++;
		} else if ((c[0] & 0xf0) == 0xe0 && end - p >= 3 &&
		    ((c[1] ^ 0x80) | (c[2] ^ 0x80)) < 0x40 &&
		    (cp = (c[0] & 0x0f) << 12 | (c[1] ^ 0x80) << 6 |
		    (c[2] ^ 0x80)) >= 0x800 && (cp & 0xf800) != 0xd800)
			p += 3;		/* most of the text: as utf8_decode() */
		else if ((cp = utf8_decode(&p, end)) < 0) {
			p++;
			prev = -1;
			continue;
		}
		seen++;
		if (is_alnum(cp)) {
			if (cp >= 'A' && cp <= 'Z')
				cp += 'a' - 'A';
			word = (word ^ (uint64_t)cp) * 0x100000001b3ULL;
			wlen++;
			prev = -1;
			continue;
		}
		if (wlen > 0) {
			put_key(&sc, word | (1ULL << 63), w);
			word = 0;
			wlen = 0;
		}
		if (is_han((uint32_t)cp)) {
			if (prev >= 0)
				put_key(&sc, ((uint64_t)prev << 21) |
				    (uint64_t)cp, w);
			prev = cp;
			/*
			 * The rest of a run of common ideographs, each a
			 * bigram with the one before: what the loop above
			 * would do for them, without its tests.  Each is
			 * read with one 32-bit load (so a byte must follow),
			 * and the table has room for the whole run.
			 */
			stop = end - p >= 4 ? (size_t)(end - p - 1) / 3 : 0;
			if (stop > limit - seen)
				stop = limit - seen;
			if ((sc.n + stop + 1) * 2 > sc.mask + 1)
				sc = cutting_grow(sc, stop);
			for (run = 0; run < stop; run++) {
				memcpy(&u, p, 4);	/* little-endian */
				cp = (int32_t)((u & 0x0f) << 12 |
				    (u & 0x3f00) >> 2 | (u & 0x3f0000) >> 16);
				if ((u & 0xc0c0f0) != 0x8080e0 ||
				    cp < 0x4e00 || cp > 0x9fff)
					break;
				p += 3;
				add_key(&sc, ((uint64_t)prev << 21) |
				    (uint64_t)cp, w);
				prev = cp;
			}
			seen += run;
		} else
			prev = -1;
	}
	if (wlen > 0)
		put_key(&sc, word | (1ULL << 63), w);
	return sc;
}

/* The distinct terms of question p into s->c.occ, with their frequencies. */
static void
cut(struct scratch *s, const struct page *p)
{
	size_t	 k;

	struct cutting	*c = &s->c;

	c->gen++;
	c->n = 0;
	/* Field weights in halves: title 3, keywords and tags 2, ... */
	*c = collect_text(*c, p->fm.title, strlen(p->fm.title), SIZE_MAX, 6);
	for (k = 0; k < p->fm.keywords.n; k++)
		*c = collect_text(*c, p->fm.keywords.v[k],
		    strlen(p->fm.keywords.v[k]), SIZE_MAX, 4);
	for (k = 0; k < p->fm.tags.n; k++)
		*c = collect_text(*c, p->fm.tags.v[k],
		    strlen(p->fm.tags.v[k]), SIZE_MAX, 4);
	for (k = 0; k < p->nheadings; k++)
		*c = collect_text(*c, p->headings[k].text,
		    strlen(p->headings[k].text), SIZE_MAX, 3);
	if (p->text != NULL)
		*c = collect_text(*c, p->text, p->text_len < BODY_CHARS * 4 ?
		    p->text_len : BODY_CHARS * 4, BODY_CHARS, 2);
}

/* A thread's loop: blocks of questions until none is left. */
static void
thread_main(void *arg, size_t t)
{
	struct related	*r = arg;
	struct scratch	*s = &r->scratch[t];
	size_t		 b, i, end;

	while ((b = atomic_fetch_add(&r->next, 1)) < (r->nq + BLOCK - 1) /
	    BLOCK) {
		end = (b + 1) * BLOCK < r->nq ? (b + 1) * BLOCK : r->nq;
		for (i = b * BLOCK; i < end; i++)
			r->fn(r, s, i);
	}
}

/* Run fn for every question, in parallel, each thread with its scratch. */
static void
run(struct related *r, void (*fn)(struct related *, struct scratch *,
    size_t))
{
	atomic_store(&r->next, 0);
	r->fn = fn;
	pool_run((size_t)r->nthreads, r->nthreads, thread_main, r);
}

/* Room for need more bytes in the thread's record: a new chunk. */
static void
chunk_new(struct scratch *s, size_t need)
{
	size_t	 size = need > CHUNK_SIZE ? need : CHUNK_SIZE;

	if ((s->nchunk & (s->nchunk - 1)) == 0)
		s->chunk = xreallocarray(s->chunk, s->nchunk ? s->nchunk * 2 :
		    1, sizeof(*s->chunk));
	s->chunk[s->nchunk].p = table_alloc(size, 1);
	s->chunk[s->nchunk].size = size;
	s->at = s->chunk[s->nchunk].p;
	s->end = s->at + size;
	s->nchunk++;
}

/*
 * Numbers of the record: three bytes, little-endian; from 0xffffff up,
 * 0xffffff and then four.  Written and read four bytes at a time, which
 * the slack at the end of every chunk allows.
 */
#define WIDE	0xffffffu

static inline uint8_t *
put3(uint8_t *o, uint32_t v)
{
	uint32_t	 x = v < WIDE ? v : WIDE;

	memcpy(o, &x, 4);
	if (v < WIDE)
		return o + 3;
	memcpy(o + 3, &v, 4);
	return o + 7;
}

static inline uint32_t
get3(const uint8_t **o)
{
	uint32_t	 x;

	memcpy(&x, *o, 4);
	x &= WIDE;
	*o += 3;
	if (x == WIDE) {
		memcpy(&x, *o, 4);
		*o += 4;
	}
	return x;
}

/*
 * Write down the question's terms, in the order first met, for pass 2:
 * their count, then per term (number << 1 | tf2 != 2) and tf2 when it is
 * not 2 (once in the answer: most terms).
 */
static void
put_terms(struct scratch *s)
{
	const struct occ *o = s->c.occ;
	uint8_t		*at;
	size_t		 k, n = s->c.n;

	at = s->at;
	at = put3(at, (uint32_t)n);
	for (k = 0; k < n; k++) {
		at = put3(at, o[k].num << 1 | (o[k].tf2 != 2));
		if (o[k].tf2 != 2)
			at = put3(at, o[k].tf2);
	}
	s->at = at;
}

/* Pass 1: count each distinct term of question i once; write them down. */
static void
count_terms(struct related *r, struct scratch *s, size_t i)
{
	struct termslot	*e;
	size_t		 k;

	cut(s, r->site->questions[i]);
	termmap_reserve(&s->df, s->c.n);
	termmap_prefetch(&s->df, s->c.occ, s->c.n);
	for (k = 0; k < s->c.n; k++) {
		e = &s->df.e[termmap_slot(&s->df, s->c.occ[k].key)];
		if (e->key == 0) {
			e->key = s->c.occ[k].key;
			e->id = (uint32_t)s->df.n++;
		}
		e->n++;
		s->c.occ[k].num = e->id;
	}
	/* Seven bytes a number at most, and the slack of a 4-byte store. */
	if ((size_t)(s->end - s->at) < 8 + s->c.n * 14)
		chunk_new(s, 8 + s->c.n * 14);
	r->rec_thread[i] = (uint8_t)(s - r->scratch);
	r->rec[i] = s->at;
	put_terms(s);
}

struct keyslot {
	uint64_t	 key;
	size_t		 slot;
};

/*
 * Sort by key (all distinct), a byte at a time from the lowest: eight
 * passes over the array, against qsort()'s twenty compares a key.  A
 * byte every key shares is skipped.
 */
static void
sort_keyslots(struct keyslot *ks, size_t n)
{
	struct keyslot	*tmp, *from = ks, *to, *t;
	size_t		 count[256], i, sum, c;
	unsigned	 shift;

	tmp = xreallocarray(NULL, n ? n : 1, sizeof(*tmp));
	to = tmp;
	for (shift = 0; shift < 64; shift += 8) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[from[i].key >> shift & 0xff]++;
		if (n == 0 || count[from[0].key >> shift & 0xff] == n)
			continue;
		for (c = 0, sum = 0; c < 256; c++) {
			i = count[c];
			count[c] = sum;
			sum += i;
		}
		for (i = 0; i < n; i++)
			to[count[from[i].key >> shift & 0xff]++] = from[i];
		t = from;
		from = to;
		to = t;
	}
	if (from != ks)
		memcpy(ks, from, n * sizeof(*ks));
	free(tmp);
}

/*
 * The threads' counts added up; each term found in two questions or more
 * gets an id, its rank by key, and its idf.  Each thread's numbers are
 * then mapped to ids (NO_ID for a term of one question), and every table
 * of keys is freed: pass 2 needs none.
 */
static void
number_terms(struct related *r)
{
	struct termmap	 all, *d;
	struct termslot	*e;
	struct keyslot	*ks;
	float		*idf;
	size_t		 i, h, n = 0, total = 0, cap;
	int		 t;

	for (t = 0; t < r->nthreads; t++)
		total += r->scratch[t].df.n;
	for (cap = 16; cap < total * 2; cap *= 2)
		continue;
	termmap_init(&all, cap);
	/* Sized for every key: the slots found here stay where they are. */
	for (t = 0; t < r->nthreads; t++) {
		d = &r->scratch[t].df;
		/* For now, the term's slot in all. */
		r->scratch[t].ref = xreallocarray(NULL, d->n + 1,
		    sizeof(*r->scratch[t].ref));
		for (i = 0; i <= d->mask; i++) {
			if (d->e[i].key == 0)
				continue;
			h = termmap_slot(&all, d->e[i].key);
			if (all.e[h].key == 0) {
				all.e[h].key = d->e[i].key;
				all.n++;
			}
			all.e[h].n += d->e[i].n;
			r->scratch[t].ref[d->e[i].id].id = (uint32_t)h;
		}
		r->scratch[t].nref = d->n;
		termmap_free(d);
	}
	ks = xreallocarray(NULL, all.n + 1, sizeof(*ks));
	for (h = 0; h <= all.mask; h++) {
		all.e[h].id = NO_ID;
		if (all.e[h].key != 0 && all.e[h].n >= 2) {
			ks[n].key = all.e[h].key;
			ks[n].slot = h;
			n++;
		}
	}
	sort_keyslots(ks, n);
	idf = xreallocarray(NULL, n + 1, sizeof(*idf));
	for (i = 0; i < n; i++) {
		e = &all.e[ks[i].slot];
		idf[i] = logf((float)(r->nq + 1) / (float)e->n);
		e->id = (uint32_t)i;
	}
	free(ks);
	r->idf_one = logf((float)(r->nq + 1));
	/* Id and idf side by side, in the order the thread met the terms. */
	for (t = 0; t < r->nthreads; t++) {
		struct termref *ref = r->scratch[t].ref;

		for (i = 0; i < r->scratch[t].nref; i++) {
			ref[i].id = all.e[ref[i].id].id;
			ref[i].idf = ref[i].id == NO_ID ? r->idf_one :
			    idf[ref[i].id];
		}
	}
	free(idf);
	termmap_free(&all);
	r->nterms = n;
	r->poff = xcalloc(n + 1, sizeof(*r->poff));
	r->pn = xcalloc(n + 1, sizeof(*r->pn));
}

/*
 * 1 + ln(tf), from tf in halves: the common ones come from a table
 * filled by the same logf().
 */
static float
log_tf(const struct related *r, uint32_t tf2)
{
	if (tf2 < LOG_TABLE)
		return r->log_tf[tf2];
	return 1.0f + logf((float)tf2 * 0.5f);
}

struct wterm {
	uint32_t	 id;
	float		 w;
};

/* Stronger first; equal weights by id, that is by key. */
static int
stronger(float wa, uint32_t a, float wb, uint32_t b)
{
	return wa > wb || (wa == wb && a < b);
}

/* Pass 2: question i's strongest terms by TF-IDF, of unit length. */
static void
weigh(struct related *r, struct scratch *s, size_t i)
{
	struct wterm	 top[TERMS_PER_PAGE], t;
	size_t		 k, j, n = 0;
	double		 norm = 0;
	const uint8_t	*o = r->rec[i];
	const struct termref *ref = r->scratch[r->rec_thread[i]].ref, *tr;
	uint32_t	 v, id, tf2;
	size_t		 nt;

	(void)s;
	nt = get3(&o);
	for (k = 0; k < nt; k++) {
		v = get3(&o);
		tf2 = v & 1 ? get3(&o) : 2;
		tr = &ref[v >> 1];
		id = tr->id;
		t.id = id;
		t.w = log_tf(r, tf2) * tr->idf;
		norm += (double)t.w * t.w;
		/* A term in every question of a huge site may round to 0. */
		if (id == NO_ID || !(t.w > 0))
			continue;
		if (n == TERMS_PER_PAGE &&
		    !stronger(t.w, t.id, top[n - 1].w, top[n - 1].id))
			continue;
		if (n < TERMS_PER_PAGE)
			n++;
		for (j = n - 1; j > 0 &&
		    stronger(t.w, t.id, top[j - 1].w, top[j - 1].id); j--)
			top[j] = top[j - 1];
		top[j] = t;
	}
	norm = sqrt(norm);
	for (k = 0; k < n; k++) {
		r->vid[i * TERMS_PER_PAGE + k] = top[k].id;
		r->vw[i * TERMS_PER_PAGE + k] = (float)(top[k].w / norm);
	}
	r->vn[i] = (uint8_t)n;
}

static int
posting_stronger(const struct posting *a, const struct posting *b)
{
	return stronger(a->w, a->page, b->w, b->page);
}

/* Move the `keep` strongest of p[0..n) to its front (quickselect). */
static void
keep_strongest(struct posting *p, size_t n, size_t keep)
{
	size_t		 lo = 0, hi = n - 1, i, j;
	struct posting	 pivot, tmp;

	while (lo < hi) {
		pivot = p[lo + (hi - lo) / 2];
		i = lo;
		j = hi;
		while (i <= j) {
			while (posting_stronger(&p[i], &pivot))
				i++;
			while (posting_stronger(&pivot, &p[j]))
				j--;
			if (i <= j) {
				tmp = p[i];
				p[i] = p[j];
				p[j] = tmp;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (keep <= j)
			hi = j;
		else if (keep >= i)
			lo = i;
		else
			break;
	}
}

/* Pass 3: per term, the questions that kept it, the strongest first. */
static void
post_terms(struct related *r)
{
	size_t		 i, k, id, nterms = r->nterms, total = 0, *fill;

	for (i = 0; i < r->nq; i++)
		for (k = 0; k < r->vn[i]; k++)
			r->pn[r->vid[i * TERMS_PER_PAGE + k]]++;
	for (id = 0; id < nterms; id++) {
		r->poff[id] = total;
		total += r->pn[id];
	}
	r->npost = total;
	r->post = table_alloc(total, sizeof(*r->post));
	fill = xreallocarray(NULL, nterms + 1, sizeof(*fill));
	memcpy(fill, r->poff, nterms * sizeof(*fill));
	for (i = 0; i < r->nq; i++)
		for (k = 0; k < r->vn[i]; k++) {
			id = r->vid[i * TERMS_PER_PAGE + k];
			r->post[fill[id]].page = (uint32_t)i;
			r->post[fill[id]].w = r->vw[i * TERMS_PER_PAGE + k];
			fill[id]++;
		}
	free(fill);
	for (id = 0; id < nterms; id++)
		if (r->pn[id] > POSTINGS_KEPT) {
			keep_strongest(r->post + r->poff[id], r->pn[id],
			    POSTINGS_KEPT);
			r->pn[id] = POSTINGS_KEPT;
		}
}

struct cand {
	uint32_t	 page;
	float		 score;
};

/* Insert c into the sorted list l of *n, at most max long. */
static void
cand_insert(struct cand *l, size_t *n, size_t max, struct cand c)
{
	size_t	 j;

	if (*n == max && !stronger(c.score, c.page, l[*n - 1].score,
	    l[*n - 1].page))
		return;
	if (*n < max)
		(*n)++;
	for (j = *n - 1; j > 0 && stronger(c.score, c.page, l[j - 1].score,
	    l[j - 1].page); j--)
		l[j] = l[j - 1];
	l[j] = c;
}

/* Pass 4: question i's related questions. */
static void
score(struct related *r, struct scratch *s, size_t i)
{
	struct page	*p = r->site->questions[i];
	struct cand	 best[TERMS_PER_PAGE], c;
	const struct posting *ps, *list[TERMS_PER_PAGE];
	uint32_t	 nlist[TERMS_PER_PAGE];
	size_t		 k, m, n, nt = 0, nb = 0, nv = r->vn[i];
	size_t		 max = (size_t)r->site->cfg.related;
	uint32_t	 id, j;
	float		 w;

	/*
	 * The postings are far apart in a large table: ask for the start
	 * of every list first, and for the rest of the next list while
	 * one is summed.
	 */
	for (k = 0; k < nv; k++) {
		id = r->vid[i * TERMS_PER_PAGE + k];
		list[k] = r->post + r->poff[id];
		nlist[k] = r->pn[id];
		__builtin_prefetch(list[k]);
	}
	for (k = 0; k < nv; k++) {
		w = r->vw[i * TERMS_PER_PAGE + k];
		ps = list[k];
		n = nlist[k];
		if (k + 1 < nv)
			for (m = 8; m < nlist[k + 1]; m += 8)
				__builtin_prefetch(list[k + 1] + m);
		for (m = 0; m < n; m++) {
			if ((j = ps[m].page) == i)
				continue;
			/*
			 * Weights are > 0: 0 is a question not yet met.
			 * Written always, kept when new: no branch to miss.
			 */
			s->touched[nt] = j;
			nt += s->acc[j] == 0;
			s->acc[j] += w * ps[m].w;
		}
	}
	if (max > TERMS_PER_PAGE)
		max = TERMS_PER_PAGE;
	for (k = 0; k < nt; k++) {
		c.page = s->touched[k];
		c.score = s->acc[c.page] * SAME_CATEGORY;
		/* Most fail even with the boost: no category to look up. */
		if (c.score < MIN_SCORE || (nb == max && !stronger(c.score,
		    c.page, best[nb - 1].score, best[nb - 1].page)))
			continue;
		if (r->cat[c.page] != r->cat[i])
			c.score = s->acc[c.page];
		if (c.score >= MIN_SCORE)
			cand_insert(best, &nb, max, c);
	}
	for (k = 0; k < nt; k++)
		s->acc[s->touched[k]] = 0;
	p->related = xcalloc(nb, sizeof(struct page *));
	for (k = 0; k < nb; k++)
		p->related[k] = r->site->questions[best[k].page];
	p->nrelated = nb;
}

static void
related_questions(struct site *site)
{
	struct related	 r;
	size_t		 nq = site->nquestions, t, nblocks;

	if (nq == 0 || site->cfg.related <= 0)
		return;
	memset(&r, 0, sizeof(r));
	r.site = site;
	r.nq = nq;
	for (t = 1; t < LOG_TABLE; t++)
		r.log_tf[t] = 1.0f + logf((float)t / 2.0f);
	nblocks = (nq + BLOCK - 1) / BLOCK;
	r.nthreads = site->cfg.jobs < 1 ? 1 : site->cfg.jobs;
	if ((size_t)r.nthreads > nblocks)
		r.nthreads = (int)nblocks;
	if (r.nthreads > UINT8_MAX)	/* rec_thread */
		r.nthreads = UINT8_MAX;
	r.scratch = xcalloc((size_t)r.nthreads, sizeof(*r.scratch));
	for (t = 0; t < (size_t)r.nthreads; t++)
		termmap_init(&r.scratch[t].df, 1024);
	r.rec = xreallocarray(NULL, nq, sizeof(*r.rec));
	r.rec_thread = xreallocarray(NULL, nq, sizeof(*r.rec_thread));

	run(&r, count_terms);
	number_terms(&r);

	r.vid = table_alloc(nq, TERMS_PER_PAGE * sizeof(*r.vid));
	r.vw = table_alloc(nq, TERMS_PER_PAGE * sizeof(*r.vw));
	r.vn = xcalloc(nq, sizeof(*r.vn));
	/* At hand, not behind a page pointer, for the candidates. */
	r.cat = xreallocarray(NULL, nq, sizeof(*r.cat));
	for (t = 0; t < nq; t++)
		r.cat[t] = site->questions[t]->category;
	run(&r, weigh);
	for (t = 0; t < (size_t)r.nthreads; t++) {
		struct scratch *s = &r.scratch[t];

		while (s->nchunk > 0) {
			s->nchunk--;
			table_free(s->chunk[s->nchunk].p,
			    s->chunk[s->nchunk].size, 1);
		}
		free(s->chunk);
		free(s->ref);
	}
	free(r.rec);
	free(r.rec_thread);

	post_terms(&r);
	for (t = 0; t < (size_t)r.nthreads; t++) {
		r.scratch[t].acc = table_alloc(nq, sizeof(float));
		/* One more: score() writes one past the questions it keeps. */
		r.scratch[t].touched = xreallocarray(NULL,
		    (nq < TERMS_PER_PAGE * POSTINGS_KEPT ? nq :
		    TERMS_PER_PAGE * POSTINGS_KEPT) + 1, sizeof(uint32_t));
	}
	run(&r, score);

	for (t = 0; t < (size_t)r.nthreads; t++) {
		free(r.scratch[t].c.occ);
		free(r.scratch[t].c.slot);
		table_free(r.scratch[t].acc, nq, sizeof(float));
		free(r.scratch[t].touched);
	}
	free(r.scratch);
	table_free(r.vid, nq, TERMS_PER_PAGE * sizeof(*r.vid));
	table_free(r.vw, nq, TERMS_PER_PAGE * sizeof(*r.vw));
	free(r.vn);
	free(r.cat);
	free(r.poff);
	free(r.pn);
	table_free(r.post, r.npost, sizeof(*r.post));
#ifdef __GLIBC__
	/* Give the pass's memory back to the system, not to the heap. */
	malloc_trim(0);
#endif
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

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * An alias with its %XX decoded into b (an old URL copied from a
 * browser); returns what is wrong with it as a path a static host
 * serves, or NULL.  A query or fragment never reaches a file, and no
 * escape may make '/', a control character or bytes that are not UTF-8.
 */
static const char *
alias_decode(const char *alias, struct buf *b)
{
	const char	*p;
	int		 hi, lo;

	for (p = alias; *p != '\0'; p++) {
		if (*p == '?')
			return "has '?': a query string never reaches a "
			    "static file";
		if (*p == '#')
			return "has '#': a fragment never reaches the host";
		if (*p == '\\')
			return "has '\\': use '/'";
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "has a control character";
		if (*p != '%') {
			buf_putc(b, *p);
			continue;
		}
		if ((hi = hexval(p[1])) < 0 || (lo = hexval(p[2])) < 0)
			return "has '%' not followed by two hex digits";
		if (hi * 16 + lo == '/' || hi * 16 + lo < 0x20 ||
		    hi * 16 + lo == 0x7f)
			return "has %XX for '/' or a control character";
		buf_putc(b, (char)(hi * 16 + lo));
		p += 2;
	}
	if (b->len > 0 && utf8_check(b->data, b->len) != 0)
		return "is not UTF-8 once its %XX are decoded";
	return NULL;
}

const char *
link_alias_problem(const char *alias)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*why;

	why = alias_decode(alias, &b);
	buf_free(&b);
	return why;
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
	/* Checked by link_alias_problem() first. */
	(void)alias_decode(alias, &b);
	buf_puts(&b, "");
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

/*
 * Alias (as written; a its output path) of page p against the sorted
 * files[0..n) the site writes: no folder of its path may be one of them
 * (pay/refund.html/index.html under pay/refund.html), nor may it be a
 * folder of one.
 */
static void
check_alias_folders(struct page *p, const char *alias, const char *a,
    char **files, size_t n)
{
	char		*dir, **hit;
	const char	*s;
	size_t		 lo = 0, hi = n, mid, len = strlen(a);
	int		 c;

	for (s = a; (s = strchr(s, '/')) != NULL; s++) {
		dir = xstrndup(a, (size_t)(s - a));
		if ((hit = bsearch(&dir, files, n, sizeof(char *),
		    cmp_str)) != NULL)
			diag_add(&p->diags, p->file, p->fm.aliases_line,
			    "alias %s needs a folder where the site writes %s",
			    alias, *hit);
		free(dir);
	}
	/* The first file not before "a/": under a, if any file is. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strncmp(files[mid], a, len)) == 0)
			c = strcmp(files[mid] + len, "/");
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && strncmp(files[lo], a, len) == 0 &&
	    files[lo][len] == '/')
		diag_add(&p->diags, p->file, p->fm.aliases_line,
		    "alias %s is a file where the site writes %s", alias,
		    files[lo]);
}

/*
 * The files emit writes beside the pages (all.html up to all_limit
 * questions): no alias may take one, a link may name one.
 */
const char *const site_files[] = { "index.html", "search.html", "all.html",
    "404.html", "sitemap.xml", "robots.txt", "feed.xml", NULL };

/* Aliases must not collide with a page, a reserved file or each other. */
static void
check_aliases(struct site *site)
{
	char		**outs = NULL, *a, **hit;
	const char	 *why;
	size_t		  n = 0, i, k;
	struct page	 *p;

	for (k = 0; site_files[k] != NULL; k++)
		continue;
	outs = xreallocarray(NULL, site->npages + k, sizeof(char *));
	for (i = 0; i < site->npages; i++)
		outs[n++] = site->pages[i]->out;
	for (i = 0; site_files[i] != NULL; i++)
		outs[n++] = (char *)site_files[i];
	qsort(outs, n, sizeof(char *), cmp_str);
	for (i = 0; i < site->npages; i++) {
		p = site->pages[i];
		for (k = 0; k < p->fm.aliases.n; k++) {
			if ((why = link_alias_problem(p->fm.aliases.v[k])) !=
			    NULL) {
				diag_add(&p->diags, p->file,
				    p->fm.aliases_line, "alias %s %s",
				    p->fm.aliases.v[k], why);
				continue;
			}
			if ((a = link_alias_path(p->fm.aliases.v[k])) == NULL) {
				diag_add(&p->diags, p->file,
				    p->fm.aliases_line,
				    "alias %s leaves the site",
				    p->fm.aliases.v[k]);
				continue;
			}
			if (strncmp(a, "assets/", 7) == 0 ||
			    strncmp(a, "search/", 7) == 0)
				diag_add(&p->diags, p->file,
				    p->fm.aliases_line,
				    "alias %s is inside a reserved folder",
				    p->fm.aliases.v[k]);
			else if ((hit = bsearch(&a, outs, n, sizeof(char *),
			    cmp_str)) != NULL)
				diag_add(&p->diags, p->file,
				    p->fm.aliases_line,
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
						diag_add(&p->diags, p->file,
						    p->fm.aliases_line,
						    "alias %s is also an alias "
						    "of %s", p->fm.aliases.v[k],
						    site->pages[j]->file);
				}
		}
	}
	/* Folders against files: every file the site writes, aliases too. */
	for (i = 0; i < site->npages; i++) {
		p = site->pages[i];
		if (p->alias_out.n == 0)
			continue;
		outs = xreallocarray(outs, n + p->alias_out.n,
		    sizeof(char *));
		for (k = 0; k < p->alias_out.n; k++)
			outs[n++] = p->alias_out.v[k];
	}
	qsort(outs, n, sizeof(char *), cmp_str);
	for (i = 0; i < site->npages; i++) {
		p = site->pages[i];
		for (k = 0; k < p->fm.aliases.n; k++) {
			if (link_alias_problem(p->fm.aliases.v[k]) != NULL ||
			    (a = link_alias_path(p->fm.aliases.v[k])) == NULL)
				continue;
			check_alias_folders(p, p->fm.aliases.v[k], a, outs, n);
			free(a);
		}
	}
	free(outs);
}

/*
 * A category folder the site needs for itself: assets/, search/, or the
 * name of a file it writes at the top (sitemap-N.xml too).
 */
static int
reserved_dir(const char *name)
{
	size_t	 i, len = strlen(name);

	if (strcmp(name, "assets") == 0 || strcmp(name, "search") == 0)
		return 1;
	for (i = 0; site_files[i] != NULL; i++)
		if (strcmp(name, site_files[i]) == 0)
			return 1;
	if (strncmp(name, "sitemap-", 8) != 0 || len < 13 ||
	    strcmp(name + len - 4, ".xml") != 0)
		return 0;
	for (i = 8; i < len - 4; i++)
		if (!isdigit((unsigned char)name[i]))
			return 0;
	return 1;
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
		if (reserved_dir(cat->category_dir))
			diag_add(&cat->diags, cat->file, 0, "category folder "
			    "name %s is reserved: the site writes its own %s "
			    "there; rename the folder", cat->category_dir,
			    cat->category_dir);
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
