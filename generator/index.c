/*
 * index.c: the search index, an inverted index over every question, cut
 * into files a browser loads only as a query needs them (read by
 * layouts/assets/search.js).  Each index file is JavaScript,
 * faqgenSearch("kind",id,JSON);, which a <script> tag loads over http and
 * from disk (file://) alike:
 *
 *   search/manifest.js    {"v":3,"n":questions,"shards":S,"qs":Q_SCALE,
 *                         "dc":CHUNK,"syn":[[term,...],...]}
 *   search/cats.js        [[category title, url],...], for the page
 *                         shown when nothing is found
 *   search/s/K.js         the tokens whose tokenize_hash() % S is K:
 *                         {"token":"df doc q gap q gap q ...",...}, the
 *                         numbers as base-32 digits, most significant
 *                         first, written with DIGITS: a digit of value v
 *                         is DIGITS[v] when it is the number's last and
 *                         DIGITS[v + 32] when more follow ("gap" is the
 *                         difference to the previous question number)
 *   search/d/K.js         questions K * CHUNK to K * CHUNK + CHUNK - 1 (site
 *                         order) as results show them, a list of
 *                         {"t":title,"u":url,"c":category,"h":[[offset,
 *                         heading id],...],"x":plain answer}
 *
 * and search/pages.json, plain JSON: every question's url, title, category
 * and text, for other tools (the search page never loads it).
 *
 * Tokens are those of tokenize.c, but trigrams only from the title,
 * keywords, tags and headings.  q is the question's BM25F term frequency
 * of the token times Q_SCALE (the manifest's "qs"): the sum over the
 * fields (title, keywords and tags, headings, answer, category) of the
 * field's weight times the token's count there, divided by the field's
 * length relative to its average (to three significant digits, so that an
 * edit to one question almost never moves another's q).  The browser adds
 * the IDF and the saturation.  A token found in more than POSTINGS_MAX questions keeps only
 * the POSTINGS_MAX with the highest q (ties: the earlier question; its df
 * stays true): such a token carries little weight, and a query must stay
 * small at 100,000 questions.
 *
 * The work, linear in the content and spread over the thread pool:
 *
 *  1. every question's field lengths (for the averages) and a hash of
 *     everything of it the index reads (question_hash());
 *  2. batches of BATCH questions: each question is cut into its distinct
 *     tokens with their q (in parallel; a CJK token is a 64-bit key,
 *     TOKEN_KEY(), hashed and compared as a number), then the tokens go
 *     into NPART partitions by hash, each its own hash table, merged in
 *     question order (in parallel over the partitions).  A posting list
 *     is held as its shard will show it (gap and q in base-32 digits, about
 *     3 bytes a posting), so writing it is a copy.  A list that reaches
 *     twice POSTINGS_MAX is cut back to the POSTINGS_MAX best at once, and
 *     a later posting that could not beat the cut is only counted in df;
 *  3. shards (a counting sort by shard, tokens sorted by their bytes),
 *     result chunks, then pages.json: pieces made in parallel a batch at a
 *     time and streamed out in order (output_stream()).
 *
 * The build also saves a state for the next one (output_state_stream(),
 * see "the state" below): every posting before any cut, as compact
 * records per batch and partition, each question's hash and field
 * lengths, the token table and each shard's key.  The next build checks
 * it and, when it fits (same program and question list, same quantized
 * averages) and at most 1% of the questions changed, rebuilds (see
 * rebuild()): it cuts only the changed questions, makes again from the
 * records every shard holding a token they had or have, and keeps every
 * other shard and result chunk as the last build wrote it (output_keep();
 * a kept file found missing or edited is made again too).  A shard's bytes
 * depend only on its tokens' own postings, so the output is byte for byte
 * a fresh build's; anything that does not fit (a state missing, cut
 * short or corrupt, moved averages, another shard count) falls back to
 * the full build before a file is kept.  At 100,000 questions the state
 * is about 230 MB.
 *
 * Shards are sized so a shard holds about SHARD_BYTES of postings on a small
 * site and up to SHARD_BYTES_MAX on a large one (see write_shards()); a
 * result file holds CHUNK questions, few because a question's text is most
 * of its entry and the ten results shown may each be in another file.
 * Nothing depends on the order the threads run in, so the same site gives
 * the same bytes whatever the job count.
 */
#include <sys/mman.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faqgen.h"

#define POSTINGS_MAX	1000
#define Q_SCALE		4
#define SHARD_BYTES	512
#define SHARDS_FEW	2048
#define SHARD_BYTES_MAX	3072
#define SHARDS_MAX	65536
#define CHUNK		4	/* questions a result file */
#define GROUP		64	/* result files a job writes */
#define BATCH		1024	/* questions cut before a merge */
#define CUTTERS		32	/* runs of questions a batch is cut in */
#define NPART		64	/* token partitions, by hash */
#define BODY_TF		16	/* q of answer-only tokens by table below */
#define PART_BITS	26	/* token number bits in a shard list */

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

static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV"
    "WXYZabcdefghijklmnopqrstuvwxyz-_";

/* A token of the whole site, in its partition. */
struct token {
	uint64_t	 key;		/* TOKEN_KEY(), or a word's hash */
	uint32_t	 off;		/* bytes in the partition's pool */
	uint32_t	 len;
	uint32_t	 hash;		/* of the key (the partition's table) */
	uint32_t	 fnv;		/* tokenize_hash(): picks the shard */
	uint32_t	 size;		/* in its shard, about; 0 when df is 0 */
	uint32_t	 df;
	uint32_t	 n;		/* postings held */
	uint32_t	 last;		/* question of the last one */
	uint32_t	 qdrop;		/* a q at or below it no longer makes the list */
	char		*p;		/* owned: the postings as written */
	uint32_t	 plen, pcap;
};

struct part {
	struct buf	 pool;		/* token bytes */
	struct token	*tok;		/* owned */
	size_t		 ntok, captok;
	uint32_t	*table;		/* token + 1 by hash, 0 when free */
	size_t		 tablesz;	/* a power of two */
	uint32_t	*doc, *q, *qs;	/* 2 * POSTINGS_MAX each, for prune() */
	char		*text;		/* 2 * POSTINGS_MAX * 14, for prune() */
	size_t		 bytes;		/* postings' size estimate */
};

/* A distinct token of one question. */
struct qtok {
	uint64_t	 key;
	const char	*s;		/* in the text, or the cutter's bytes */
	uint32_t	 hash;
	uint32_t	 len;
	uint32_t	 q;		/* once counted */
	uint16_t	 tf[FIELD__MAX];
};

/* A question's token as the merge takes it. */
struct posted {
	uint64_t	 key;
	const char	*s;		/* in the text, or the cutter's bytes */
	uint32_t	 hash;		/* merged: its token number, for the state */
	uint32_t	 len;
	uint32_t	 q;
	uint32_t	 doc;
};

/* The posted tokens of one partition, in question order. */
struct postedv {
	struct posted	*v;		/* owned */
	size_t		 n, cap;
};

/*
 * What cuts a run of a batch's questions one after the other: its table
 * stays in the cache from one question to the next, and what it posts
 * for each partition lies in one array the merge reads straight through.
 */
struct cutter {
	struct qtok	*t;		/* the question's distinct tokens */
	size_t		 n, cap;
	uint32_t	*table;		/* t + 1 by hash */
	size_t		 tablesz;
	enum field	 field;		/* being cut */
	char		*bytes;		/* words as folded, never moved */
	size_t		 nbytes, capbytes;
	struct postedv	 part[NPART];
};

/* A posting as the state records it. */
struct rec {
	uint32_t	 doc;		/* question */
	uint32_t	 tok;		/* token number in its partition */
	uint32_t	 q;
};

/* A question and q. */
struct pair {
	uint32_t	 doc, q;
};

/*
 * A block of the state being made: a batch's postings in a partition,
 * grouped by token (blockw_count(), blockw_starts(), blockw_place(),
 * blockw_write()).
 */
struct blockw {
	struct rec	*r;		/* owned: rewrite_block()'s postings */
	size_t		 n, cap;
	struct pair	*sorted;	/* owned: grouped by token */
	size_t		 nsorted, capsorted;
	uint32_t	*touched;	/* owned: tokens, in order of first use */
	size_t		 nt, captouched;
	uint32_t	*cnt;		/* owned: per token, 0 between blocks */
	size_t		 capcnt;
};

struct index {
	const struct site *site;
	struct output	*out;
	uint32_t	(*flen)[FIELD__MAX];	/* per question */
	double		 avg[FIELD__MAX];
	struct cutter	 cutter[CUTTERS];
	size_t		 batch0;	/* first question of the batch */
	size_t		 nbatch;
	struct part	 part[NPART];
	size_t		 nshards;
	uint32_t	*order;		/* tokens by shard: part << PART_BITS | token */
	uint32_t	*start;		/* nshards + 1 */
	size_t		*todo;		/* shards to write; NULL: all */
	uint64_t	*skey;		/* per shard: its file's key */
	uint64_t	 total;		/* every token's size */
	atomic_int	 rc;		/* -1 once a write failed */
	uint64_t	*qhash;		/* per question: question_hash() */
	struct ostream	*state;		/* the next build's; NULL: none */
	uint64_t	 stoff;		/* bytes written to it */
	struct buf	 rec[NPART];	/* a batch's records, per partition */
	struct blockw	 bw[NPART];
	struct block	*blk;		/* batch * NPART + partition */
	size_t		 nblk;
	const uint8_t	*changed;	/* rebuild: per question, 1: changed */
	struct rebuild	*rb;		/* rebuild: what it needs */
	struct buf	*pieces;	/* pages.json: a batch of groups' */
	size_t		 piece0;	/* the batch's first group */
};

/* Equal token bytes: tokens are short, a call to memcmp() costs more. */
static inline int
same(const char *a, const char *b, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/*
 * The table hash of a key: its top bits pick the partition, its low bits
 * the slot.  Every bit of the key must reach both: a CJK character's key
 * differs in bits 36 to 53 only (MurmurHash3's finalizer).
 */
static inline uint32_t
hash_key(uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdu;
	key ^= key >> 33;
	key *= 0xc4ceb9fe1a85ec53u;
	key ^= key >> 33;
	return (uint32_t)key;
}

static uint32_t
part_of(uint32_t hash)
{
	return hash >> 26;	/* NPART == 64: the top bits */
}

/*
 * A number in the postings' base-32 digits (see the top of the file) at
 * p, which has room for 7; returns the end.
 */
static inline char *
put_num(char *p, uint32_t v)
{
	char	*e;

	if (v < 32) {
		*p = digits[v];
		return p + 1;
	}
	if (v < 1024) {
		p[0] = digits[32 + (v >> 5)];
		p[1] = digits[v & 31];
		return p + 2;
	}
	e = p + (v < 1u << 15 ? 3 : v < 1u << 20 ? 4 : v < 1u << 25 ? 5 :
	    v < 1u << 30 ? 6 : 7);
	p = e;
	*--p = digits[v & 31];
	while ((v >>= 5) != 0)
		*--p = digits[32 + (v & 31)];
	return e;
}

/* The value of one of the digits. */
static inline uint32_t
digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (uint32_t)(c - '0');
	if (c >= 'A' && c <= 'Z')
		return (uint32_t)(c - 'A' + 10);
	if (c >= 'a' && c <= 'z')
		return (uint32_t)(c - 'a' + 36);
	return c == '-' ? 62 : 63;
}

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

static void
blockw_free(struct blockw *w)
{
	free(w->r);
	free(w->sorted);
	free(w->touched);
	free(w->cnt);
	memset(w, 0, sizeof(*w));
}

/* One more posting of token tok in the block. */
static inline void
blockw_count(struct blockw *w, uint32_t tok)
{
	size_t	 n;

	if (tok >= w->capcnt) {
		n = (tok + 1) * 2;
		w->cnt = xreallocarray(w->cnt, n, sizeof(*w->cnt));
		memset(w->cnt + w->capcnt, 0,
		    (n - w->capcnt) * sizeof(*w->cnt));
		w->capcnt = n;
	}
	if (w->cnt[tok]++ == 0) {
		if (w->nt == w->captouched) {
			w->captouched = w->captouched ? w->captouched * 2 :
			    1024;
			w->touched = xreallocarray(w->touched, w->captouched,
			    sizeof(*w->touched));
		}
		w->touched[w->nt++] = tok;
	}
	w->nsorted++;
}

/* Every posting counted: where each token's go (a counting sort). */
static void
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

/* A posting into its place: in the order counted, per token. */
static inline void
blockw_place(struct blockw *w, uint32_t tok, uint32_t doc, uint32_t q)
{
	struct pair	*pr = &w->sorted[w->cnt[tok]++];

	pr->doc = doc;
	pr->q = q;
}

/*
 * The block into out, for a batch starting at question base: per token
 * (in order of first use) its number, its count, the bytes that follow
 * (two, low first: at most BATCH postings of at most 5 bytes) and its
 * postings as (question - the previous one or base, q), all varints.  A
 * reader skips a token it does not want in one step.  w is left empty.
 */
static void
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

/* ------------------------------------------------------ cutting questions */

/* Make room for twice the tokens in the cutter's table. */
static void
grow_table(struct cutter *sl)
{
	size_t	 i, j, mask;

	free(sl->table);
	sl->tablesz *= 2;
	sl->table = xcalloc(sl->tablesz, sizeof(*sl->table));
	mask = sl->tablesz - 1;
	for (j = 0; j < sl->n; j++) {
		for (i = sl->t[j].hash & mask; sl->table[i] != 0;
		    i = (i + 1) & mask)
			;
		sl->table[i] = (uint32_t)j + 1;
	}
}

/* Count a token of the question's current field. */
static inline void
add_token(struct cutter *sl, const struct token_key *k)
{
	struct qtok	*t;
	uint64_t	 key = k->key, wh;
	uint32_t	 h, j;
	size_t		 i, mask;

	if (k->kind == TOKEN_WORD) {
		/* FNV-1a, 64 bits, its top two bits clear: TOKEN_WORD. */
		wh = 14695981039346656037u;
		for (i = 0; i < k->len; i++)
			wh = (wh ^ (unsigned char)k->s[i]) * 1099511628211u;
		key = wh >> 2;
	}
	h = hash_key(key);
	mask = sl->tablesz - 1;
	for (i = h & mask; (j = sl->table[i]) != 0; i = (i + 1) & mask) {
		t = &sl->t[j - 1];
		if (t->key == key && (k->kind != TOKEN_WORD ||
		    (t->len == k->len && same(t->s, k->s, k->len)))) {
			if (t->tf[sl->field] < UINT16_MAX)
				t->tf[sl->field]++;
			return;
		}
	}
	if (sl->n == sl->cap) {
		sl->cap = sl->cap ? sl->cap * 2 : 256;
		sl->t = xreallocarray(sl->t, sl->cap, sizeof(*sl->t));
	}
	t = &sl->t[sl->n];
	memset(t, 0, sizeof(*t));
	t->key = key;
	t->hash = h;
	t->len = k->len;
	t->tf[sl->field] = 1;
	if (k->kind == TOKEN_WORD) {
		/* Folded: a copy, in room set aside for the question. */
		memcpy(sl->bytes + sl->nbytes, k->s, k->len);
		t->s = sl->bytes + sl->nbytes;
		sl->nbytes += k->len;
	} else
		t->s = k->s;	/* CJK is never folded: the text itself */
	sl->table[i] = (uint32_t)++sl->n;
	if (sl->n * 2 > sl->tablesz)
		grow_table(sl);
}

/* tokenize_key_fn: count tokens of the question's current field. */
static void
add_tokens(void *arg, const struct token_key *k, size_t n)
{
	struct cutter	*sl = arg;
	size_t		 i;

	for (i = 0; i < n; i++)
		add_token(sl, &k[i]);
}

/*
 * Empty the cutter's table for the next question: only the entries in use,
 * the last first, so each is found along the probes it was placed by.
 */
static void
clear_table(struct cutter *sl)
{
	size_t	 i, k, mask = sl->tablesz - 1;

	for (k = sl->n; k-- > 0;) {
		for (i = sl->t[k].hash & mask; sl->table[i] != k + 1;
		    i = (i + 1) & mask)
			;
		sl->table[i] = 0;
	}
}

/*
 * Cut one field.  Adjacency counts where phrasing is deliberate: in the
 * answer's running text, trigrams were measured to add more noise than
 * signal (and would make up most of the index).
 */
static void
field(struct cutter *sl, enum field f, const char *s)
{
	if (s == NULL)
		return;
	sl->field = f;
	tokenize_keys(s, strlen(s), f < FIELD_BODY, add_tokens, sl);
}

/* Cut every field of question p into sl. */
static void
fields(const struct page *p, struct cutter *sl)
{
	size_t	 i;

	field(sl, FIELD_TITLE, p->fm.title);
	for (i = 0; i < p->fm.keywords.n; i++)
		field(sl, FIELD_KEYWORDS, p->fm.keywords.v[i]);
	for (i = 0; i < p->fm.tags.n; i++)
		field(sl, FIELD_KEYWORDS, p->fm.tags.v[i]);
	for (i = 0; i < p->nheadings; i++)
		field(sl, FIELD_HEADINGS, p->headings[i].text);
	field(sl, FIELD_BODY, p->text);
	if (p->category != NULL)
		field(sl, FIELD_CATEGORY, p->category->fm.title);
}

/* The bytes of every field of question p. */
static size_t
fields_len(const struct page *p)
{
	size_t	 i, n = 0;

	n += p->fm.title != NULL ? strlen(p->fm.title) : 0;
	for (i = 0; i < p->fm.keywords.n; i++)
		n += strlen(p->fm.keywords.v[i]);
	for (i = 0; i < p->fm.tags.n; i++)
		n += strlen(p->fm.tags.v[i]);
	for (i = 0; i < p->nheadings; i++)
		n += strlen(p->headings[i].text);
	n += p->text != NULL ? strlen(p->text) : 0;
	if (p->category != NULL && p->category->fm.title != NULL)
		n += strlen(p->category->fm.title);
	return n;
}

static uint32_t
length(const char *s)
{
	return s != NULL ? (uint32_t)tokenize_length(s, strlen(s)) : 0;
}

/* Question p's field lengths, as add_token() counts them. */
static void
count_question(const struct page *p, uint32_t *flen)
{
	size_t		 k;

	flen[FIELD_TITLE] = length(p->fm.title);
	flen[FIELD_KEYWORDS] = 0;
	for (k = 0; k < p->fm.keywords.n; k++)
		flen[FIELD_KEYWORDS] += length(p->fm.keywords.v[k]);
	for (k = 0; k < p->fm.tags.n; k++)
		flen[FIELD_KEYWORDS] += length(p->fm.tags.v[k]);
	flen[FIELD_HEADINGS] = 0;
	for (k = 0; k < p->nheadings; k++)
		flen[FIELD_HEADINGS] += length(p->headings[k].text);
	flen[FIELD_BODY] = length(p->text);
	flen[FIELD_CATEGORY] = p->category != NULL ?
	    length(p->category->fm.title) : 0;
}

static uint64_t
hash_str(uint64_t h, const char *s)
{
	uint64_t	 n = s != NULL ? strlen(s) + 1 : 0;

	h = hash_bytes(&n, sizeof(n), h);
	return s != NULL ? hash_bytes(s, n - 1, h) : h;
}

/*
 * Everything of question p the index reads (fields(), put_doc(),
 * put_page()): equal hashes, equal postings and entries.
 */
static uint64_t
question_hash(const struct page *p)
{
	uint64_t	 h = 0x7175657374696f6e, n;
	size_t		 i;

	h = hash_str(h, p->fm.title);
	h = hash_str(h, p->out);
	n = p->fm.keywords.n;
	h = hash_bytes(&n, sizeof(n), h);
	for (i = 0; i < p->fm.keywords.n; i++)
		h = hash_str(h, p->fm.keywords.v[i]);
	n = p->fm.tags.n;
	h = hash_bytes(&n, sizeof(n), h);
	for (i = 0; i < p->fm.tags.n; i++)
		h = hash_str(h, p->fm.tags.v[i]);
	n = p->nheadings;
	h = hash_bytes(&n, sizeof(n), h);
	for (i = 0; i < p->nheadings; i++) {
		h = hash_str(h, p->headings[i].text);
		h = hash_str(h, p->headings[i].id);
	}
	h = hash_str(h, p->text);
	return hash_str(h, p->category != NULL ? p->category->fm.title : NULL);
}

/* pool_run job: question i's field lengths and hash. */
static void
count_job(void *arg, size_t i)
{
	struct index	*ix = arg;

	count_question(ix->site->questions[i], ix->flen[i]);
	ix->qhash[i] = question_hash(ix->site->questions[i]);
}

/*
 * An average field length to three significant digits: an edit to one
 * question almost never moves it, so it moves no other question's q.
 */
static double
quantize(double avg)
{
	double	 scale;

	if (!(avg > 0))
		return 1;
	scale = pow(10, floor(log10(avg)) - 2);
	return floor(avg / scale + 0.5) * scale;
}

/* q of a token: its term frequency in each field weighted. */
static uint32_t
qof(const double *wf, const uint16_t *tf)
{
	double	 q = 0;
	size_t	 f;

	for (f = 0; f < FIELD__MAX; f++)
		q += wf[f] * tf[f];
	q = floor(q * Q_SCALE + 0.5);
	return q < 1 ? 1 : q > 1e6 ? 1000000 : (uint32_t)q;
}

/* Cut question batch0 + i: post its tokens with their q. */
static void
cut_question(struct index *ix, struct cutter *cu, size_t i)
{
	const struct page *p = ix->site->questions[ix->batch0 + i];
	struct qtok	*t;
	struct postedv	*pv;
	struct posted	*o;
	double		 norm, wf[FIELD__MAX];
	size_t		 k, f;
	uint32_t	 body[BODY_TF];
	uint16_t	 tf[FIELD__MAX] = { 0 };

	cu->n = 0;
	if (cu->table == NULL) {
		cu->tablesz = 2048;
		cu->table = xcalloc(cu->tablesz, sizeof(*cu->table));
	}
	fields(p, cu);

	/* q, then each token posted to its partition. */
	for (f = 0; f < FIELD__MAX; f++) {
		norm = 1 - field_b[f] + field_b[f] *
		    (double)ix->flen[ix->batch0 + i][f] / ix->avg[f];
		wf[f] = field_weight[f] / norm;
	}
	/* Most tokens are in the answer alone, a few times: q by table. */
	for (f = 0; f < BODY_TF; f++) {
		tf[FIELD_BODY] = (uint16_t)f;
		body[f] = qof(wf, tf);
	}
	for (k = 0; k < cu->n; k++) {
		t = &cu->t[k];
		if ((t->tf[FIELD_TITLE] | t->tf[FIELD_KEYWORDS] |
		    t->tf[FIELD_HEADINGS] | t->tf[FIELD_CATEGORY]) == 0 &&
		    t->tf[FIELD_BODY] < BODY_TF)
			t->q = body[t->tf[FIELD_BODY]];
		else
			t->q = qof(wf, t->tf);
		pv = &cu->part[part_of(t->hash)];
		if (pv->n == pv->cap) {
			pv->cap = pv->cap ? pv->cap * 2 : 1024;
			pv->v = xreallocarray(pv->v, pv->cap, sizeof(*pv->v));
		}
		o = &pv->v[pv->n++];
		o->key = t->key;
		o->s = t->s;
		o->hash = t->hash;
		o->len = t->len;
		o->q = t->q;
		o->doc = (uint32_t)(ix->batch0 + i);
	}
	clear_table(cu);
}

/*
 * pool_run job: cut the c-th run of the batch's questions.  Words are at
 * most twice the text (a joined word and its parts): room for the run's
 * is set aside first, so word copies never move and tokens may point at
 * them until the merge.
 */
static void
cut_job(void *arg, size_t c)
{
	struct index	*ix = arg;
	struct cutter	*cu = &ix->cutter[c];
	size_t		 i, first, last, need = 1, per;

	per = (ix->nbatch + CUTTERS - 1) / CUTTERS;
	first = c * per < ix->nbatch ? c * per : ix->nbatch;
	last = first + per < ix->nbatch ? first + per : ix->nbatch;
	for (i = first; i < last; i++)
		need += 2 * fields_len(ix->site->questions[ix->batch0 + i]);
	if (cu->capbytes < need) {
		free(cu->bytes);
		cu->capbytes = need + need / 2;
		cu->bytes = xmalloc(cu->capbytes);
	}
	cu->nbytes = 0;
	for (i = 0; i < NPART; i++)
		cu->part[i].n = 0;
	for (i = first; i < last; i++)
		cut_question(ix, cu, i);
}

/* ---------------------------------------------------------------- merging */

/* The k-th (from 0) of v[0..n) sorted high to low; v is reordered. */
static uint32_t
kth_largest(uint32_t *v, size_t n, size_t k)
{
	size_t		 lo = 0, hi = n, lt, gt, i;
	uint32_t	 pivot, x;

	for (;;) {
		pivot = v[lo + (hi - lo) / 2];
		/* [lo, lt) > pivot, [lt, gt) == pivot, [gt, hi) < pivot */
		lt = i = lo;
		gt = hi;
		while (i < gt) {
			if (v[i] > pivot) {
				x = v[lt];
				v[lt++] = v[i];
				v[i++] = x;
			} else if (v[i] < pivot) {
				x = v[--gt];
				v[gt] = v[i];
				v[i] = x;
			} else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return pivot;
	}
}

/*
 * Keep the POSTINGS_MAX best postings of tk: the highest q, the earlier
 * question on a tie.  The list stays in question order, written again
 * with the gaps between the postings kept.
 */
static void
prune(struct part *pt, struct token *tk)
{
	uint32_t	 cut, above = 0, keep_eq, v, d, prev;
	size_t		 i, j, n;
	char		*w;

	if (tk->n <= POSTINGS_MAX)
		return;
	/* Decode: gap, q, gap, q ... */
	for (i = 0, n = 0, v = 0, d = 0, prev = 0; i < tk->plen; i++) {
		v = v * 32 + (digit_value(tk->p[i]) & 31);
		if (digit_value(tk->p[i]) >= 32)
			continue;
		if (d++ % 2 == 0)
			pt->doc[n] = prev += v;
		else {
			pt->q[n] = pt->qs[n] = v;
			n++;
		}
		v = 0;
	}
	cut = kth_largest(pt->qs, n, POSTINGS_MAX - 1);
	for (i = 0; i < n; i++)
		if (pt->q[i] > cut)
			above++;
	keep_eq = POSTINGS_MAX - above;
	w = pt->text;
	for (i = 0, j = 0, prev = 0; i < n; i++) {
		if (pt->q[i] > cut)
			;
		else if (pt->q[i] == cut && keep_eq > 0)
			keep_eq--;
		else
			continue;
		w = put_num(w, pt->doc[i] - prev);
		w = put_num(w, pt->q[i]);
		prev = pt->doc[i];
		j++;
	}
	tk->plen = (uint32_t)(w - pt->text);
	memcpy(tk->p, pt->text, tk->plen);
	tk->n = (uint32_t)j;
	tk->last = prev;
	/*
	 * POSTINGS_MAX postings at cut or above, each of an earlier
	 * question: a later posting with q <= cut has that many better and
	 * will never be kept.
	 */
	tk->qdrop = cut;
}

/* Inlined: the merge calls it for every posting. */
static inline __attribute__((always_inline)) struct token *
token_find(struct part *pt, const struct posted *t)
{
	struct token	*tk;
	uint32_t	 k;
	size_t		 i, j, mask = pt->tablesz - 1;

	for (i = t->hash & mask; (k = pt->table[i]) != 0; i = (i + 1) & mask) {
		tk = &pt->tok[k - 1];
		if (tk->key == t->key &&
		    (TOKEN_KEY_KIND(t->key) != TOKEN_WORD ||
		    (tk->len == t->len &&
		    same(pt->pool.data + tk->off, t->s, t->len))))
			return tk;
	}
	if (pt->ntok == pt->captok) {
		pt->captok = pt->captok ? pt->captok * 2 : 1024;
		pt->tok = xreallocarray(pt->tok, pt->captok, sizeof(*pt->tok));
	}
	tk = &pt->tok[pt->ntok];
	memset(tk, 0, sizeof(*tk));
	tk->key = t->key;
	tk->off = (uint32_t)pt->pool.len;
	tk->len = t->len;
	tk->hash = t->hash;
	buf_put(&pt->pool, t->s, t->len);
	pt->table[i] = (uint32_t)++pt->ntok;
	if (pt->ntok * 2 > pt->tablesz) {
		free(pt->table);
		pt->tablesz *= 2;
		pt->table = xcalloc(pt->tablesz, sizeof(*pt->table));
		mask = pt->tablesz - 1;
		for (k = 0; k < pt->ntok; k++) {
			for (j = pt->tok[k].hash & mask; pt->table[j] != 0;
			    j = (j + 1) & mask)
				;
			pt->table[j] = k + 1;
		}
		tk = &pt->tok[pt->ntok - 1];
	}
	return tk;
}

/* pool_run job: the batch's tokens of partition p, in question order. */
static void
merge_job(void *arg, size_t p)
{
	struct index	*ix = arg;
	struct part	*pt = &ix->part[p];
	struct postedv	*pv;
	struct posted	*t;
	struct token	*tk;
	struct blockw	*bw = ix->state != NULL ? &ix->bw[p] : NULL;
	size_t		 c, k;
	char		*w;

	for (c = 0; c < CUTTERS; c++) {
		pv = &ix->cutter[c].part[p];
		for (k = 0; k < pv->n; k++) {
			t = &pv->v[k];
			tk = token_find(pt, t);
			if (bw != NULL) {
				/* Its hash is of no more use: its number. */
				t->hash = (uint32_t)(tk - pt->tok);
				blockw_count(bw, t->hash);
			}
			tk->df++;
			if (t->q <= tk->qdrop)
				continue;
			/* Two numbers of at most 7 digits. */
			if (tk->pcap - tk->plen < 14) {
				tk->pcap = tk->pcap ? tk->pcap * 2 : 16;
				tk->p = xrealloc(tk->p, tk->pcap);
			}
			w = put_num(tk->p + tk->plen, t->doc - tk->last);
			w = put_num(w, t->q);
			tk->plen = (uint32_t)(w - tk->p);
			tk->last = t->doc;
			if (++tk->n == 2 * POSTINGS_MAX)
				prune(pt, tk);
		}
	}
	if (bw == NULL)
		return;
	/* The batch's block for the state. */
	blockw_starts(bw);
	for (c = 0; c < CUTTERS; c++) {
		pv = &ix->cutter[c].part[p];
		for (k = 0; k < pv->n; k++)
			blockw_place(bw, pv->v[k].hash, pv->v[k].doc,
			    pv->v[k].q);
	}
	blockw_write(bw, &ix->rec[p], (uint32_t)ix->batch0);
}

/*
 * pool_run job: the final cut of partition p's lists, their size, and
 * each token's shard hash.
 */
static void
finish_job(void *arg, size_t p)
{
	struct index	*ix = arg;
	struct part	*pt = &ix->part[p];
	struct token	*tk;
	size_t		 i;

	pt->bytes = 0;
	for (i = 0; i < pt->ntok; i++) {
		tk = &pt->tok[i];
		prune(pt, tk);
		/* The token's name, df and quotes, and its postings. */
		tk->size = tk->len + 12 + tk->plen;
		pt->bytes += tk->size;
		tk->fnv = tokenize_hash(pt->pool.data + tk->off, tk->len);
	}
}

/* ---------------------------------------------------------------- writing */

/*
 * The wrapper of a .js file, faqgenSearch("kind",id,, at the start of b:
 * the JSON follows it.
 */
static void
js_open(struct buf *b, char kind, size_t id)
{
	buf_truncate(b, 0);
	buf_puts(b, "faqgenSearch(\"");
	buf_putc(b, kind);
	buf_puts(b, "\",");
	buf_put_dec(b, id);
	buf_putc(b, ',');
}

/* Close the wrapper around the JSON in b and write it as search/path.js. */
static int
emit(struct output *out, struct buf *b, const char *path)
{
	char	 name[64];

	buf_puts(b, ");\n");
	snprintf(name, sizeof(name), "search/%s.js", path);
	return output_file(out, name, b->data, b->len);
}

static void
json_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	if (s != NULL)
		esc_json(b, s, strlen(s));
	buf_putc(b, '"');
}

#define TOKEN_OF(ix, o) \
	(&(ix)->part[(o) >> PART_BITS].tok[(o) & ((1u << PART_BITS) - 1)])

/*
 * qsort_r: tokens in a shard by their bytes (then key), an order any
 * build repeats, whatever the order it met them in.
 */
static int
token_cmp(const void *a, const void *b, void *arg)
{
	const struct index *ix = arg;
	uint32_t	 oa = *(const uint32_t *)a, ob = *(const uint32_t *)b;
	const struct token *ta = TOKEN_OF(ix, oa), *tb = TOKEN_OF(ix, ob);
	size_t		 n = ta->len < tb->len ? ta->len : tb->len;
	int		 c;

	c = memcmp(ix->part[oa >> PART_BITS].pool.data + ta->off,
	    ix->part[ob >> PART_BITS].pool.data + tb->off, n);
	if (c != 0)
		return c;
	if (ta->len != tb->len)
		return ta->len < tb->len ? -1 : 1;
	return ta->key < tb->key ? -1 : ta->key > tb->key;
}

/* pool_run job: shard j (or todo[j]), its key kept for the state. */
static void
shard_job(void *arg, size_t j)
{
	struct index	*ix = arg;
	struct buf	 b = { 0 };
	struct token	*tk;
	struct part	*pt;
	uint32_t	 o, *ord;
	size_t		 i, m, n, k = ix->todo != NULL ? ix->todo[j] : j;
	char		*w, path[40];

	n = ix->start[k + 1] - ix->start[k];
	ord = ix->order + ix->start[k];
	if (n > 32)
		qsort_r(ord, n, sizeof(*ord), token_cmp, ix);
	else
		/* Most shards hold a few tokens: insertion sort. */
		for (i = 1; i < n; i++) {
			o = ord[i];
			for (m = i; m > 0 && token_cmp(&ord[m - 1], &o, ix) > 0;
			    m--)
				ord[m] = ord[m - 1];
			ord[m] = o;
		}
	js_open(&b, 's', k);
	buf_putc(&b, '{');
	for (i = ix->start[k]; i < ix->start[k + 1]; i++) {
		o = ix->order[i];
		pt = &ix->part[o >> PART_BITS];
		tk = &pt->tok[o & ((1u << PART_BITS) - 1)];
		if (i > ix->start[k])
			buf_putc(&b, ',');
		buf_putc(&b, '"');
		esc_json(&b, pt->pool.data + tk->off, tk->len);
		buf_puts(&b, "\":\"");
		buf_grow(&b, 7 + (size_t)tk->plen + 1);
		w = put_num(b.data + b.len, tk->df);
		memcpy(w, tk->p, tk->plen);
		w += tk->plen;
		*w++ = '"';
		b.len = (size_t)(w - b.data);
		b.data[b.len] = '\0';
	}
	buf_puts(&b, "});\n");
	/* The bytes are the key: a rebuild that keeps them keeps the file. */
	ix->skey[k] = hash_bytes(b.data, b.len, 0x73686172) | 1;
	snprintf(path, sizeof(path), "search/s/%zu.js", k);
	if (output_file_key(ix->out, path, ix->skey[k], b.data, b.len) != 0)
		atomic_store(&ix->rc, -1);
	buf_free(&b);
}

/*
 * How many shards for postings of about bytes: SHARD_BYTES a shard while
 * that makes at most SHARDS_FEW of them (a small site: a query loads
 * little), then up to SHARD_BYTES_MAX a shard, as many as that takes: a
 * query loads some 25 shards, which must stay well under 200 KB at
 * 100,000 questions.
 */
static size_t
shards_for(uint64_t bytes)
{
	size_t	 nshards;

	for (nshards = 1; nshards < SHARDS_FEW &&
	    nshards * SHARD_BYTES < bytes; nshards *= 2)
		;
	while (nshards < SHARDS_MAX && nshards * SHARD_BYTES_MAX < bytes)
		nshards *= 2;
	return nshards;
}

/*
 * Every token that has a question grouped by shard (a counting sort):
 * order[start[k]] to order[start[k + 1] - 1] are shard k's.
 */
static void
group_shards(struct index *ix)
{
	struct token	*tk;
	size_t		 p, i, k, ntok = 0, nshards = ix->nshards;
	uint32_t	*start, *order;

	for (p = 0; p < NPART; p++)
		ntok += ix->part[p].ntok;
	start = xcalloc(nshards + 1, sizeof(*start));
	order = xcalloc(ntok ? ntok : 1, sizeof(*order));
	for (p = 0; p < NPART; p++)
		for (i = 0; i < ix->part[p].ntok; i++)
			if (ix->part[p].tok[i].df > 0)
				start[ix->part[p].tok[i].fnv % nshards + 1]++;
	for (k = 0; k < nshards; k++)
		start[k + 1] += start[k];
	for (p = 0; p < NPART; p++)
		for (i = 0; i < ix->part[p].ntok; i++) {
			tk = &ix->part[p].tok[i];
			if (tk->df > 0)
				order[start[tk->fnv % nshards]++] =
				    (uint32_t)(p << PART_BITS | i);
		}
	/* start[k] is now the end of shard k. */
	memmove(start + 1, start, nshards * sizeof(*start));
	start[0] = 0;
	ix->start = start;
	ix->order = order;
}

static void
ungroup_shards(struct index *ix)
{
	free(ix->order);
	free(ix->start);
	ix->order = ix->start = NULL;
}

static void
write_shards(struct index *ix, int jobs)
{
	size_t		 p;

	ix->total = 0;
	for (p = 0; p < NPART; p++)
		ix->total += ix->part[p].bytes;
	ix->nshards = shards_for(ix->total);
	ix->skey = xcalloc(ix->nshards, sizeof(*ix->skey));
	group_shards(ix);
	pool_run(ix->nshards, jobs, shard_job, ix);
	ungroup_shards(ix);
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

/* One question as a result shows it. */
static void
put_doc(struct buf *b, const struct page *p, const char *text,
    const struct buf *etext)
{
	const char	*at, *from;
	size_t		 h, off;
	int		 first = 1;

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
		buf_puts(b, first ? "[" : ",[");
		first = 0;
		buf_put_dec(b, off);
		buf_putc(b, ',');
		json_str(b, p->headings[h].id);
		buf_putc(b, ']');
		from = at + strlen(p->headings[h].text);
		off += utf16_len(at, (size_t)(from - at));
	}
	buf_puts(b, "],\"x\":\"");
	buf_put(b, etext->data, etext->len);
	buf_puts(b, "\"}");
}

/* Question p's entry in pages.json, its escaped answer in etext. */
static void
put_page(struct buf *b, const struct page *p, const struct buf *etext,
    int last)
{
	buf_puts(b, "{\"url\":");
	json_str(b, p->out);
	buf_puts(b, ",\"title\":");
	json_str(b, p->fm.title);
	buf_puts(b, ",\"category\":");
	json_str(b, p->category ? p->category->fm.title : "");
	buf_puts(b, ",\"text\":\"");
	buf_put(b, etext->data, etext->len);
	buf_puts(b, last ? "\"}\n" : "\"},\n");
}

/* The answer of p escaped for JSON into e. */
static const char *
escaped_text(struct buf *e, const struct page *p)
{
	const char	*text = p->text != NULL ? p->text : "";

	buf_truncate(e, 0);
	esc_json(e, text, strlen(text));
	return text;
}

/* pool_run job: result chunks g * GROUP to g * GROUP + GROUP - 1. */
static void
docs_job(void *arg, size_t g)
{
	struct index	*ix = arg;
	const struct site *site = ix->site;
	const struct page *p;
	struct buf	 b = { 0 }, e = { 0 };
	const char	*text;
	size_t		 c, i, first, last;
	uint64_t	 key;
	int		 changed, rc;
	char		 path[40];

	for (c = g * GROUP; c < (g + 1) * GROUP; c++) {
		first = c * CHUNK;
		if (first >= site->nquestions)
			break;
		last = first + CHUNK;
		if (last > site->nquestions)
			last = site->nquestions;
		/*
		 * The key: this program and its questions' hashes, which say
		 * all it shows.
		 */
		key = hash_bytes(&c, sizeof(c), program_hash());
		key = hash_bytes(ix->qhash + first,
		    (last - first) * sizeof(*ix->qhash), key) | 1;
		snprintf(path, sizeof(path), "search/d/%zu.js", c);
		for (changed = 0, i = first; ix->changed != NULL && i < last;
		    i++)
			changed |= ix->changed[i];
		if (ix->changed != NULL && !changed &&
		    (rc = output_keep(ix->out, path, key)) != 0) {
			if (rc < 0)
				atomic_store(&ix->rc, -1);
			continue;
		}
		js_open(&b, 'd', c);
		buf_putc(&b, '[');
		for (i = first; i < last; i++) {
			p = site->questions[i];
			text = escaped_text(&e, p);
			if (i > first)
				buf_putc(&b, ',');
			put_doc(&b, p, text, &e);
		}
		buf_puts(&b, "]);\n");
		if (output_file_key(ix->out, path, key, b.data, b.len) != 0)
			atomic_store(&ix->rc, -1);
	}
	buf_free(&b);
	buf_free(&e);
}

/*
 * pool_run job: the piece of pages.json of group piece0 + k (the answers
 * escaped again: cheaper than keeping them all).
 */
static void
pages_job(void *arg, size_t k)
{
	struct index	*ix = arg;
	const struct site *site = ix->site;
	struct buf	 e = { 0 }, *pg = &ix->pieces[k];
	size_t		 i, g = ix->piece0 + k, end;

	end = (g + 1) * GROUP * CHUNK;
	if (end > site->nquestions)
		end = site->nquestions;
	buf_truncate(pg, 0);
	for (i = g * GROUP * CHUNK; i < end; i++) {
		(void)escaped_text(&e, site->questions[i]);
		put_page(pg, site->questions[i], &e,
		    i + 1 == site->nquestions);
	}
	buf_free(&e);
}

#define PIECES	16	/* groups of pages.json held at once */

/*
 * The result chunks, then pages.json: PIECES groups at a time made in
 * parallel, then streamed out in order, so the whole file (186 MB at
 * 100k questions) is never in memory.
 */
static void
write_docs(struct index *ix, int jobs)
{
	struct ostream	*s;
	size_t		 nchunks, ngroups, k, n;

	nchunks = (ix->site->nquestions + CHUNK - 1) / CHUNK;
	ngroups = (nchunks + GROUP - 1) / GROUP;
	pool_run(ngroups, jobs, docs_job, ix);

	if ((s = output_stream(ix->out, "search/pages.json")) == NULL) {
		atomic_store(&ix->rc, -1);
		return;
	}
	ix->pieces = xcalloc(PIECES, sizeof(*ix->pieces));
	output_stream_write(s, "[\n", 2);
	for (ix->piece0 = 0; ix->piece0 < ngroups; ix->piece0 += n) {
		n = ngroups - ix->piece0 < PIECES ? ngroups - ix->piece0 :
		    PIECES;
		pool_run(n, jobs, pages_job, ix);
		for (k = 0; k < n; k++)
			output_stream_write(s, ix->pieces[k].data,
			    ix->pieces[k].len);
	}
	output_stream_write(s, "]\n", 2);
	for (k = 0; k < PIECES; k++)
		buf_free(&ix->pieces[k]);
	free(ix->pieces);
	ix->pieces = NULL;
	if (output_stream_close(s) != 0)
		atomic_store(&ix->rc, -1);
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

static void
write_manifest(struct index *ix)
{
	const struct site *site = ix->site;
	struct buf	 b = { 0 };
	size_t		 i;

	js_open(&b, 'm', 0);
	buf_printf(&b, "{\"v\":3,\"n\":%zu,\"shards\":%zu,\"qs\":%d,"
	    "\"dc\":%d,\"syn\":", site->nquestions, ix->nshards, Q_SCALE,
	    CHUNK);
	put_synonyms(&b, site->synonyms,
	    site->synonyms ? site->synonyms_len : 0);
	buf_puts(&b, "}");
	if (emit(ix->out, &b, "manifest") != 0)
		atomic_store(&ix->rc, -1);

	/* The categories, for a search that finds nothing. */
	js_open(&b, 'c', 0);
	buf_putc(&b, '[');
	for (i = 0; i < site->ncategories; i++) {
		buf_puts(&b, i ? ",[" : "[");
		json_str(&b, site->categories[i]->fm.title);
		buf_putc(&b, ',');
		json_str(&b, site->categories[i]->out);
		buf_putc(&b, ']');
	}
	buf_putc(&b, ']');
	if (emit(ix->out, &b, "cats") != 0)
		atomic_store(&ix->rc, -1);
	buf_free(&b);
}

/* ------------------------------------------------------------- the state */

/*
 * The state a build saves for the next one (output_state_stream(), name
 * "index"), all of it a cache that the next build checks and otherwise
 * ignores:
 *
 *   header   STATE_MAGIC, STATE_VERSION, NPART, the global hash
 *            (global_hash()), N, the quantized averages
 *   records  per batch of BATCH questions, per partition, a block: every
 *            posting of the batch's questions in the partition, before any
 *            cut, in question order, as three varints: question - the
 *            previous one (the first: - the batch's first question), token
 *            number in the partition, q
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
 */
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

/* The state of the build that made the live output, checked. */
struct prev {
	const uint8_t	*p;		/* mapped by publish.c */
	size_t		 len;
	double		 avg[FIELD__MAX];
	const uint8_t	*q;		/* per question: QENTRY */
	const uint8_t	*b;		/* per block: BENTRY */
	size_t		 nbatch;
	const uint8_t	*t, *tend;	/* tokens */
	const uint8_t	*s;		/* per shard: its key */
	size_t		 nshards;
	uint64_t	 total;
	uint64_t	 released;	/* pages given back below this */
};

static void
put_u32(struct buf *b, uint32_t v)
{
	buf_put(b, (const char *)&v, sizeof(v));
}

static void
put_u64(struct buf *b, uint64_t v)
{
	buf_put(b, (const char *)&v, sizeof(v));
}

static uint32_t
get_u32(const uint8_t *p)
{
	uint32_t	 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t
get_u64(const uint8_t *p)
{
	uint64_t	 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

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
static void
state_header(struct index *ix)
{
	struct buf	 b = { 0 };
	size_t		 f;

	buf_put(&b, STATE_MAGIC, 8);
	put_u32(&b, STATE_VERSION);
	put_u32(&b, NPART);
	put_u64(&b, global_hash(ix->site));
	put_u64(&b, ix->site->nquestions);
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
static void
state_batch(struct index *ix, int jobs)
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
static void
state_tables(struct index *ix)
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
		put_u64(&b, at[i]);
	put_u64(&b, ix->nshards);
	put_u64(&b, ix->total);
	put_u64(&b, (site->nquestions + BATCH - 1) / BATCH);
	put_u64(&b, t.h);
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

/*
 * A rebuild from the state: only the changed questions are cut; the shards
 * of every token they had or have now are made again from the state's
 * records (the changed questions' replaced), every other shard and result
 * file is kept as the last build wrote it (output_keep()).
 */

/* Per partition. */
struct rpart {
	size_t		 ntok0;		/* tokens in the state */
	uint8_t		*want;		/* per token: collect its list */
	uint8_t		*hit;		/* per token: a changed question's */
	uint32_t	**list;		/* per token: doc, q, doc, q ... */
	uint32_t	*nlist, *caplist;
	uint32_t	*ndf;		/* per token: its questions counted */
	uint32_t	*qdrop;		/* per token: as struct token's */
	struct rec	*nr;		/* in question order */
	size_t		 nnr, capnr;
	uint32_t	*scratch;
	size_t		 capscratch;
};

struct rebuild {
	struct prev	 pv;
	struct rpart	 part[NPART];
	uint8_t		*changed;	/* per question */
	uint32_t	*chlist;	/* the changed questions, in order */
	size_t		 nchanged;
	uint8_t		*mark;		/* per shard: 1 write, 2 regenerate */
	int		 verify;	/* check each block's hash */
	size_t		 round0, round1;	/* batches collect() reads */
	struct blockw	 bw;		/* rewrite_block()'s */
	struct index	*ix;		/* for rewrite_thread() */
	size_t		 written;	/* shards */
	size_t		 held;		/* postings of the tokens it makes */
	atomic_int	 bad;		/* the state does not hold together */
};

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
 * whole (230 MB at 100,000 questions).
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

/* pool_run job: keep shard k, unless it is to be written; else mark it. */
static void
keep_job(void *arg, size_t k)
{
	struct index	*ix = arg;
	char		 path[40];
	int		 rc;

	if (ix->rb->mark[k] != 0)
		return;
	snprintf(path, sizeof(path), "search/s/%zu.js", k);
	if ((rc = output_keep(ix->out, path, ix->skey[k])) == 0)
		ix->rb->mark[k] = 2;	/* gone or edited: made again */
	else if (rc < 0)
		atomic_store(&ix->rc, -1);
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
static int
rebuild(struct index *ix, struct rebuild *rb, const void *data, size_t len,
    int jobs, const char **why)
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
	pool_run(ix->nshards, jobs, keep_job, ix);
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
static void
state_rewrite(struct index *ix, struct rebuild *rb)
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
	state_tables(ix);
}

/* pthread: state_rewrite() beside write_docs(). */
static void *
rewrite_thread(void *arg)
{
	struct rebuild	*rb = arg;

	state_rewrite(rb->ix, rb);
	return NULL;
}

static void
rebuild_free(struct rebuild *rb)
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

/* ------------------------------------------------------------------ main */

static void
free_cutters(struct index *ix)
{
	size_t	 i, f;

	for (i = 0; i < CUTTERS; i++) {
		free(ix->cutter[i].t);
		free(ix->cutter[i].table);
		free(ix->cutter[i].bytes);
		for (f = 0; f < NPART; f++)
			free(ix->cutter[i].part[f].v);
		memset(&ix->cutter[i], 0, sizeof(ix->cutter[i]));
	}
}

/* Every question cut and merged; the state's header and records saved. */
static void
build(struct index *ix, int jobs)
{
	const struct site *site = ix->site;
	size_t		 i, f, n = site->nquestions;

	/* Average field lengths first: the term frequencies need them. */
	ix->flen = xcalloc(n ? n : 1, sizeof(*ix->flen));
	ix->qhash = xcalloc(n ? n : 1, sizeof(*ix->qhash));
	pool_run(n, jobs, count_job, ix);
	for (i = 0; i < n; i++)
		for (f = 0; f < FIELD__MAX; f++)
			ix->avg[f] += ix->flen[i][f];
	for (f = 0; f < FIELD__MAX; f++)
		ix->avg[f] = quantize(n && ix->avg[f] > 0 ? ix->avg[f] / n : 1);
	if (ix->state != NULL)
		state_header(ix);

	for (i = 0; i < NPART; i++) {
		ix->part[i].tablesz = 1024;
		ix->part[i].table = xcalloc(ix->part[i].tablesz,
		    sizeof(*ix->part[i].table));
		ix->part[i].doc = xcalloc(2 * POSTINGS_MAX, sizeof(uint32_t));
		ix->part[i].q = xcalloc(2 * POSTINGS_MAX, sizeof(uint32_t));
		ix->part[i].qs = xcalloc(2 * POSTINGS_MAX, sizeof(uint32_t));
		ix->part[i].text = xmalloc(2 * POSTINGS_MAX * 14);
	}
	for (ix->batch0 = 0; ix->batch0 < n; ix->batch0 += BATCH) {
		ix->nbatch = n - ix->batch0 < BATCH ? n - ix->batch0 : BATCH;
		pool_run(CUTTERS, jobs, cut_job, ix);
		pool_run(NPART, jobs, merge_job, ix);
		if (ix->state != NULL)
			state_batch(ix, jobs);
	}
	free_cutters(ix);
	for (i = 0; i < NPART; i++) {
		buf_free(&ix->rec[i]);
		blockw_free(&ix->bw[i]);
	}
	pool_run(NPART, jobs, finish_job, ix);
}

static void
free_parts(struct index *ix)
{
	struct part	*pt;
	size_t		 p, i;

	for (p = 0; p < NPART; p++) {
		pt = &ix->part[p];
		for (i = 0; i < pt->ntok; i++)
			free(pt->tok[i].p);
		free(pt->tok);
		free(pt->table);
		free(pt->doc);
		free(pt->q);
		free(pt->qs);
		free(pt->text);
		buf_free(&pt->pool);
		memset(pt, 0, sizeof(*pt));
	}
}

/* Everything but the site and the output, for a fresh start. */
static void
index_reset(struct index *ix)
{
	const struct site *site = ix->site;
	struct output	*out = ix->out;

	free_cutters(ix);
	free_parts(ix);
	free(ix->flen);
	free(ix->qhash);
	free(ix->blk);
	free(ix->skey);
	memset(ix, 0, sizeof(*ix));
	ix->site = site;
	ix->out = out;
}

/*
 * The index: from the last build's state when it fits and few questions
 * changed (rebuild()), else every question cut and merged (build()).
 */
int
index_write(const struct site *site, struct output *out)
{
	struct index	 ix;
	struct rebuild	 rb;
	const void	*data;
	const char	*why = "no state";
	pthread_t	 th;
	size_t		 len;
	int		 jobs = site->cfg.jobs > 0 ? site->cfg.jobs : 1, done = 0;
	int		 rc, threaded;

	memset(&ix, 0, sizeof(ix));
	memset(&rb, 0, sizeof(rb));
	ix.site = site;
	ix.out = out;
	if ((data = output_state(out, "index", &len)) != NULL &&
	    (done = rebuild(&ix, &rb, data, len, jobs, &why)) == 0) {
		rebuild_free(&rb);
		index_reset(&ix);
	}
	if (getenv("FAQGEN_TIMING") != NULL) {
		if (done)
			fprintf(stderr, "faqgen: index: incremental, %zu of %zu "
			    "questions changed, %zu of %zu shards written "
			    "(%zu postings)\n", rb.nchanged, site->nquestions,
			    rb.written, ix.nshards, rb.held);
		else
			fprintf(stderr, "faqgen: index: full (%s)\n", why);
	}
	if (!done) {
		ix.state = output_state_stream(out, "index");
		build(&ix, jobs);
		write_shards(&ix, jobs);
		if (ix.state != NULL)
			state_tables(&ix);
		/* The postings are written: free them before the answers. */
		free_parts(&ix);
		write_docs(&ix, jobs);
	} else {
		/*
		 * The next state is mostly a copy of the last one: written
		 * on a thread of its own while the answers are escaped.
		 */
		rb.ix = &ix;
		threaded = pthread_create(&th, NULL, rewrite_thread, &rb) == 0;
		if (!threaded)
			state_rewrite(&ix, &rb);
		write_docs(&ix, jobs);
		if (threaded)
			pthread_join(th, NULL);
	}
	write_manifest(&ix);
	rc = atomic_load(&ix.rc);
	rebuild_free(&rb);
	index_reset(&ix);
	return rc;
}
