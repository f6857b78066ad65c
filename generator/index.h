/*
 * index.h: the search index's data model, shared by index.c (the full
 * build: cutting, merging, writing the files) and index_state.c (the
 * state saved for the next build, and the rebuild from it).  Included by
 * those two files only (and by tests/unit/test_index.c, which tries the
 * posting lists' blocks); the rest of the program sees index_write() in
 * faqgen.h.
 *
 * Memory: a struct index owns everything it points to but the site and
 * the output; index_reset() in index.c frees it, index_state_rebuild_free() in
 * index_state.c a struct rebuild's.
 */
#ifndef INDEX_H
#define INDEX_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "faqgen.h"

#define POSTINGS_MAX	1000
#define Q_SCALE		4
#define SHARD_BYTES	512
#define SHARDS_FEW	2048
#define SHARD_BYTES_MAX	3072
#define SHARDS_MAX	65536
#define CHUNK		4	/* questions a result file */
#define FOLDER		64	/* index files of a kind a folder holds */
#define BATCH		1024	/* questions cut before a merge */
#define CUTTERS		32	/* runs of questions a batch is cut in */
#define NPART		64	/* token partitions, by hash */
#define BODY_TF		16	/* cut_question()'s table of answer-only q */
#define PART_BITS	26	/* token number bits in a shard list */
#define QCOUNT		1024	/* q counted one by one in prune() */

enum field {
	FIELD_TITLE,
	FIELD_KEYWORDS,	/* keywords and tags */
	FIELD_HEADINGS,
	FIELD_BODY,
	FIELD_CATEGORY,
	FIELD__MAX
};

/* The digits of the postings' numbers (put_num(); see the top of index.c). */
static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV"
    "WXYZabcdefghijklmnopqrstuvwxyz-_";

struct block;			/* index_state.c: a block of the state */

/* The two forms of every index file (index_put()). */
#define FORM_JSON	1	/* search/NAME.json: the JSON alone */
#define FORM_JS		2	/* search/NAME.js: faqgenSearch(...); */
#define FORMS		(FORM_JSON | FORM_JS)

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

/*
 * The full build's posting lists, for one partition.  A list grows from
 * LIST_MIN bytes to twice its size plus 8 (24, 56, 120 ...: size class
 * 0, 1, 2 ...).  Blocks of the first LIST_SLAB classes are cut from
 * chunks of LIST_CHUNK bytes, with no header and no lock (one thread
 * merges a partition at a time), and a block a list leaves goes to the
 * next list of its size; the longer lists (27,000 of 533,000 at 100,000
 * questions) are malloc()ed.  Small chunks fill the holes the earlier
 * stages left in the heap, as the small lists did: larger ones (4 KB,
 * and classes up to 2,040 bytes) came from fresh memory and raised the
 * peak by 30 MB at 100,000 questions.  A rebuild's lists (final_list() in
 * index_state.c) are all malloc()ed, and their part has no chunk.
 */
#define LIST_MIN	24
#define LIST_SLAB	5	/* classes from chunks: up to 504 bytes */
#define LIST_CHUNK	2048

struct lists {
	char		**chunk;	/* owned */
	size_t		 nchunk;
	char		*at;		/* free space in the last chunk */
	size_t		 left;
	char		*free[LIST_SLAB]; /* blocks let go, by class */
};

char	*list_alloc(struct lists *, uint32_t);
void	 list_free(struct lists *, char *, uint32_t);
void	 list_chunks_free(struct lists *);

struct part {
	struct buf	 pool;		/* token bytes */
	struct lists	 lists;		/* the full build's posting lists */
	struct token	*tok;		/* owned */
	size_t		 ntok, captok;
	uint32_t	*table;		/* token + 1 by hash, 0 when free */
	size_t		 tablesz;	/* a power of two */
	uint32_t	*doc, *q, *qs;	/* 2 * POSTINGS_MAX each, for prune() */
	char		*text;		/* 2 * POSTINGS_MAX * 14, for prune() */
	uint32_t	*qcount;	/* QCOUNT, for prune() */
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
	uint8_t		*forms;		/* per shard: FORMS still to write;
					   NULL: both */
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
	int		 jobs;		/* for docs_thread() */
	struct buf	*pieces;	/* pages.json: a batch of groups' */
	size_t		 piece0;	/* the batch's first group */
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

/* A rebuild's, per partition. */
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

/* What a rebuild needs (index_state_rebuild()). */
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
	struct index	*ix;		/* for index_state_rewrite_thread() */
	size_t		 written;	/* shards */
	size_t		 held;		/* postings of the tokens it makes */
	atomic_int	 bad;		/* the state does not hold together */
};

/*
 * Index file k of a kind ('s' shard, 'd' result chunk) is
 * search/KIND/FOLDER-NUMBER/k.json and .js: FOLDER files a folder, and a
 * job writes a folder's files, so that the threads create files in
 * folders of their own (creating a file locks its folder: two threads
 * creating files in one folder take turns, and spin while they wait)
 * and no folder grows to tens of thousands of files.  name is the path
 * under search/ without the extension.
 */
static inline void
index_name(char *name, size_t size, char kind, size_t k)
{
	snprintf(name, size, "%c/%zu/%zu", kind, k / FOLDER, k);
}

/* Folders of n index files of a kind: [k * FOLDER, k * FOLDER + FOLDER). */
static inline size_t
index_folders(size_t n)
{
	return (n + FOLDER - 1) / FOLDER;
}

#define TOKEN_OF(ix, o) \
	(&(ix)->part[(o) >> PART_BITS].tok[(o) & ((1u << PART_BITS) - 1)])

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

static inline uint32_t
part_of(uint32_t hash)
{
	return hash >> 26;	/* NPART == 64: the top bits */
}

/*
 * A number in the postings' base-32 digits (see the top of index.c) at
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

/*
 * h and string s of len bytes (its length, then its bytes; NULL differs
 * from "").
 */
static inline uint64_t
hash_strn(uint64_t h, const char *s, size_t len)
{
	uint64_t	 n = s != NULL ? len + 1 : 0;

	h = hash_bytes(&n, sizeof(n), h);
	return s != NULL ? hash_bytes(s, len, h) : h;
}

/* h and string s (its length, then its bytes; NULL differs from ""). */
static inline uint64_t
hash_str(uint64_t h, const char *s)
{
	return hash_strn(h, s, s != NULL ? strlen(s) : 0);
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

/* A posting into its place: in the order counted, per token. */
static inline void
blockw_place(struct blockw *w, uint32_t tok, uint32_t doc, uint32_t q)
{
	struct pair	*pr = &w->sorted[w->cnt[tok]++];

	pr->doc = doc;
	pr->q = q;
}

/* index.c: the full build, which the rebuild calls on. */
size_t		 fields_len(const struct page *);
void		 count_question(const struct page *, uint32_t *);
uint64_t	 question_hash(const struct page *);
double		 quantize(double);
void		 cut_question(struct index *, struct cutter *, size_t);
uint32_t	 kth_largest(uint32_t *, size_t, size_t);
struct token	*token_find(struct part *, const struct posted *);
void		 shard_job(void *, size_t);
void		 shards_job(void *, size_t);
int		 index_keep(struct output *, const char *, uint64_t);
size_t		 shards_for(uint64_t);
void		 group_shards(struct index *);
void		 ungroup_shards(struct index *);

/* index_state.c: the state's blocks, its writing and the rebuild. */
void		 blockw_free(struct blockw *);
void		 blockw_starts(struct blockw *);
void		 blockw_write(struct blockw *, struct buf *, uint32_t);
void		 index_state_header(struct index *);
void		 index_state_batch(struct index *, int);
void		 index_state_tables(struct index *);
int		 index_state_rebuild(struct index *, struct rebuild *, const void *,
		    size_t, int, const char **);
void		 index_state_rewrite(struct index *, struct rebuild *);
void		*index_state_rewrite_thread(void *);
void		 index_state_rebuild_free(struct rebuild *);

#endif /* INDEX_H */
