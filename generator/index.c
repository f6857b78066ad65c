/*
 * index.c: the search index, an inverted index over every question, cut
 * into files a browser loads only as a query needs them (read by
 * layouts/assets/search.js).  Each index file is written twice (see
 * index_put()): NAME.json, the JSON alone, which a page served over
 * http(s) fetches and other tools read, and NAME.js, JavaScript,
 * faqgenSearch("kind",id,JSON);, which a <script> tag loads from disk
 * (file://, where fetch() is blocked) too:
 *
 *   search/manifest       {"v":4,"n":questions,"shards":S,"qs":Q_SCALE,
 *                         "dc":CHUNK,"syn":[[term,...],...]}
 *   search/cats           [[category title, url],...], for the page
 *                         shown when nothing is found
 *   search/s/K            the tokens whose tokenize_hash() % S is K:
 *                         {"token":"df doc q gap q gap q ...",...}, the
 *                         numbers as base-32 digits, most significant
 *                         first, written with DIGITS: a digit of value v
 *                         is DIGITS[v] when it is the number's last and
 *                         DIGITS[v + 32] when more follow ("gap" is the
 *                         difference to the previous question number)
 *   search/d/K            questions K * CHUNK to K * CHUNK + CHUNK - 1 (site
 *                         order) as results show them, a list of
 *                         {"t":title,"u":url,"c":category,"h":[[offset,
 *                         heading id],...],"x":plain answer}
 *
 * and search/pages.json, plain JSON: every question's url, title, category
 * and text, for other tools (the search page never loads it).  Shards and
 * result chunks lie FOLDER to a folder: search/s/K is in fact
 * search/s/(K / FOLDER)/K (index_name()).
 *
 * Tokens are those of tokenize.c, but trigrams only from the title,
 * keywords, tags and headings.  q is the question's BM25F term frequency
 * of the token times Q_SCALE (the manifest's "qs"): the sum over the
 * fields (title, keywords and tags, headings, answer, category) of the
 * field's weight times the token's count there, divided by the field's
 * length relative to its average (to three significant digits, so that an
 * edit to one question almost never moves another's q).  The browser adds
 * the IDF and the saturation.  A token found in more than POSTINGS_MAX
 * questions keeps only the POSTINGS_MAX with the highest q (ties: the
 * earlier question; its df stays true): such a token carries little
 * weight, and a query must stay small at 100,000 questions.
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
 *     a folder of them a job;
 *  4. beside 2 and 3, on threads of their own (their files wait on the
 *     disk, the cutting keeps the cores busy meanwhile): result chunks,
 *     a folder a job, and pages.json, pieces made in parallel a batch at
 *     a time and streamed out in order (output_stream()).
 *
 * The build also saves a state for the next one (output_state_stream();
 * index_state.c lays it out and rebuilds from it, sharing the data model in
 * index.h): every posting before any cut, as compact records per batch and
 * partition, each question's hash and field lengths, the token table and
 * each shard's key.  The next build checks it and, when it fits (same program
 * and question list, same quantized averages) and at most 1% of the
 * questions changed, rebuilds (index_state_rebuild()): it cuts only the
 * changed questions, makes again from the records every shard holding a
 * token they had or have, and keeps every other shard and result chunk as
 * the last build wrote it (output_keep(); a kept file found missing or
 * edited is made again too).  A shard's bytes depend only on its tokens' own
 * postings, so the output is byte for byte a fresh build's; anything that
 * does not fit (a state missing, cut short or corrupt, moved averages,
 * another shard count) falls back to the full build before a file is
 * kept.  At 100,000 questions the state is about 160 MB.
 *
 * Shards are sized so a shard holds about SHARD_BYTES of postings on a small
 * site and up to SHARD_BYTES_MAX on a large one (see write_shards()); a
 * result file holds CHUNK questions, few because a question's text is most
 * of its entry and the ten results shown may each be in another file.
 * Nothing depends on the order the threads run in, so the same site gives
 * the same bytes whatever the job count.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faqgen.h"
#include "index.h"

#define AHEAD		8	/* postings the merge asks for ahead */

static const double field_weight[FIELD__MAX] = { 5.0, 3.0, 2.0, 1.0, 0.5 };
static const double field_b[FIELD__MAX] = { 0.5, 0.5, 0.6, 0.75, 0.3 };

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

/* Each of the digits' value (0 to 63: 32 and above when more follow). */
static const uint8_t digit_value[256] = {
	['0'] = 0, ['1'] = 1, ['2'] = 2, ['3'] = 3, ['4'] = 4, ['5'] = 5,
	['6'] = 6, ['7'] = 7, ['8'] = 8, ['9'] = 9, ['A'] = 10, ['B'] = 11,
	['C'] = 12, ['D'] = 13, ['E'] = 14, ['F'] = 15, ['G'] = 16,
	['H'] = 17, ['I'] = 18, ['J'] = 19, ['K'] = 20, ['L'] = 21,
	['M'] = 22, ['N'] = 23, ['O'] = 24, ['P'] = 25, ['Q'] = 26,
	['R'] = 27, ['S'] = 28, ['T'] = 29, ['U'] = 30, ['V'] = 31,
	['W'] = 32, ['X'] = 33, ['Y'] = 34, ['Z'] = 35, ['a'] = 36,
	['b'] = 37, ['c'] = 38, ['d'] = 39, ['e'] = 40, ['f'] = 41,
	['g'] = 42, ['h'] = 43, ['i'] = 44, ['j'] = 45, ['k'] = 46,
	['l'] = 47, ['m'] = 48, ['n'] = 49, ['o'] = 50, ['p'] = 51,
	['q'] = 52, ['r'] = 53, ['s'] = 54, ['t'] = 55, ['u'] = 56,
	['v'] = 57, ['w'] = 58, ['x'] = 59, ['y'] = 60, ['z'] = 61,
	['-'] = 62, ['_'] = 63
};

/* The number written by put_num() at *pp; moves *pp past it. */
static inline uint32_t
get_num(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	uint32_t	 v = 0, d;

	while ((d = digit_value[*p++]) >= 32)
		v = v * 32 + d - 32;
	*pp = p;
	return v * 32 + d;
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
field_len(struct cutter *sl, enum field f, const char *s, size_t len)
{
	if (s == NULL)
		return;
	sl->field = f;
	tokenize_keys(s, len, f < FIELD_BODY, add_tokens, sl);
}

static void
field(struct cutter *sl, enum field f, const char *s)
{
	field_len(sl, f, s, s != NULL ? strlen(s) : 0);
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
	field_len(sl, FIELD_BODY, p->text, p->text_len);
	if (p->category != NULL)
		field(sl, FIELD_CATEGORY, p->category->fm.title);
}

/* The bytes of every field of question p. */
size_t
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
	n += p->text != NULL ? p->text_len : 0;
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
void
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
	flen[FIELD_BODY] = p->text != NULL ?
	    (uint32_t)tokenize_length(p->text, p->text_len) : 0;
	/* Less its headings, as cut_question() counts them. */
	flen[FIELD_BODY] = flen[FIELD_BODY] > flen[FIELD_HEADINGS] ?
	    flen[FIELD_BODY] - flen[FIELD_HEADINGS] : 0;
	flen[FIELD_CATEGORY] = p->category != NULL ?
	    length(p->category->fm.title) : 0;
}

/*
 * Everything of question p the index reads (fields(), put_doc(),
 * put_page()): equal hashes, equal postings and entries.
 */
uint64_t
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
	h = hash_strn(h, p->text, p->text_len);
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
double
quantize(double avg)
{
	double	 scale;

	if (!(avg > 0))
		return 1;
	scale = pow(10, floor(log10(avg)) - 2);
	return floor(avg / scale + 0.5) * scale;
}

/*
 * q of a token: its term frequency in each field weighted, rounded (q is
 * not negative: the conversion truncates as floor() would, without the
 * call).
 */
static inline uint32_t
qof(const double *wf, const uint16_t *tf)
{
	double	 q = 0;
	size_t	 f;

	for (f = 0; f < FIELD__MAX; f++)
		q += wf[f] * tf[f];
	q = q * Q_SCALE + 0.5;
	return q < 1 ? 1 : q >= 1e6 + 1 ? 1000000 : (uint32_t)q;
}

/* Cut question batch0 + i: post its tokens with their q. */
void
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
	/*
	 * The answer's text holds its headings' text too: a heading's
	 * words count in the headings field alone, so a heading match
	 * weighs what the headings field gives, below a keyword's.
	 */
	if (p->nheadings > 0)
		for (k = 0; k < cu->n; k++) {
			t = &cu->t[k];
			t->tf[FIELD_BODY] = t->tf[FIELD_BODY] >
			    t->tf[FIELD_HEADINGS] ? t->tf[FIELD_BODY] -
			    t->tf[FIELD_HEADINGS] : 0;
		}

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
uint32_t
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
 * The q that the POSTINGS_MAX-th best of pt->q[0..n) has, and how many
 * are above it, from a count of each q (q is small: a few per field the
 * token is in); the rare list whose cut falls in the last bucket is cut
 * by kth_largest().
 */
static uint32_t
cut_of(struct part *pt, size_t n, uint32_t *above)
{
	uint32_t	*h = pt->qcount, top = 0, q, sum = 0, c;
	size_t		 i, m;

	memset(h, 0, QCOUNT * sizeof(*h));
	for (i = 0; i < n; i++) {
		q = pt->q[i] < QCOUNT - 1 ? pt->q[i] : QCOUNT - 1;
		h[q]++;
		top = q > top ? q : top;
	}
	for (c = top; sum + h[c] < POSTINGS_MAX; c--)
		sum += h[c];
	if (c < QCOUNT - 1) {
		*above = sum;
		return c;
	}
	for (i = 0, m = 0; i < n; i++)
		if (pt->q[i] >= QCOUNT - 1)
			pt->qs[m++] = pt->q[i];
	c = kth_largest(pt->qs, m, POSTINGS_MAX - 1);
	for (i = 0, sum = 0; i < m; i++)
		sum += pt->qs[i] > c;
	*above = sum;
	return c;
}

/*
 * Keep the POSTINGS_MAX best postings of tk: the highest q, the earlier
 * question on a tie.  The list stays in question order, written again
 * with the gaps between the postings kept.
 */
static void
prune(struct part *pt, struct token *tk)
{
	const unsigned char *r, *end;
	uint32_t	 cut, above, keep_eq, prev;
	size_t		 i, j, n;
	char		*w;

	if (tk->n <= POSTINGS_MAX)
		return;
	/* Decode: gap, q, gap, q ... */
	r = (const unsigned char *)tk->p;
	end = r + tk->plen;
	for (n = 0, prev = 0; r < end; n++) {
		pt->doc[n] = prev += get_num(&r);
		pt->q[n] = get_num(&r);
	}
	cut = cut_of(pt, n, &above);
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
inline __attribute__((always_inline)) struct token *
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

/* The size class of a list block of cap bytes. */
static inline unsigned
list_class(uint32_t cap)
{
	return (unsigned)__builtin_ctz((cap + 8) / (LIST_MIN + 8));
}

static inline uint32_t
class_size(unsigned c)
{
	return ((LIST_MIN + 8u) << c) - 8;
}

/*
 * A block of cap bytes for a list of l's.  With none of its class let go,
 * a larger one is split (a block is two of the class below and 8 bytes),
 * so the lists that grew early leave their blocks to the many short
 * lists that come later.
 */
char *
list_alloc(struct lists *l, uint32_t cap)
{
	unsigned	 c = list_class(cap), d;
	char		*b, *h;

	if (c >= LIST_SLAB)
		return xmalloc(cap);
	for (d = c; d < LIST_SLAB && l->free[d] == NULL; d++)
		continue;
	if (d < LIST_SLAB) {
		b = l->free[d];
		memcpy(&l->free[d], b, sizeof(b));
		while (d-- > c) {
			h = b + class_size(d);
			memcpy(h, &l->free[d], sizeof(h));
			l->free[d] = h;
		}
		return b;
	}
	if (l->left < cap) {
		/* The rest of the chunk, in blocks as large as fit. */
		for (d = LIST_SLAB; d-- > 0;)
			while (l->left >= class_size(d)) {
				memcpy(l->at, &l->free[d], sizeof(l->at));
				l->free[d] = l->at;
				l->at += class_size(d);
				l->left -= class_size(d);
			}
		l->chunk = xreallocarray(l->chunk, l->nchunk + 1,
		    sizeof(*l->chunk));
		l->chunk[l->nchunk++] = l->at = xmalloc(LIST_CHUNK);
		l->left = LIST_CHUNK;
	}
	b = l->at;
	l->at += cap;
	l->left -= cap;
	return b;
}

/* Block b of cap bytes, a list's of l's, is no longer used. */
void
list_free(struct lists *l, char *b, uint32_t cap)
{
	unsigned	 c = list_class(cap);

	if (c >= LIST_SLAB) {
		free(b);
		return;
	}
	memcpy(b, &l->free[c], sizeof(b));
	l->free[c] = b;
}

/* Free l's chunks: every block cut from them. */
void
list_chunks_free(struct lists *l)
{
	while (l->nchunk > 0)
		free(l->chunk[--l->nchunk]);
	free(l->chunk);
	memset(l, 0, sizeof(*l));
}

/*
 * A posting onto tk's list when there may not be room for the longest:
 * the list moves to the next block size (twice its own plus 8) only when
 * this one does not fit (most lists are a few postings of 2 to 4 bytes).
 */
static void
put_posting(struct part *pt, struct token *tk, uint32_t gap, uint32_t q)
{
	char	 tmp[14], *w, *b;
	size_t	 len;
	uint32_t cap;

	w = put_num(tmp, gap);
	w = put_num(w, q);
	len = (size_t)(w - tmp);
	if (tk->pcap - tk->plen < len) {
		cap = tk->pcap ? tk->pcap * 2 + 8 : LIST_MIN;
		b = list_alloc(&pt->lists, cap);
		if (tk->p != NULL) {
			memcpy(b, tk->p, tk->plen);
			list_free(&pt->lists, tk->p, tk->pcap);
		}
		tk->p = b;
		tk->pcap = cap;
	}
	memcpy(tk->p + tk->plen, tmp, len);
	tk->plen += (uint32_t)len;
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
	uint32_t	 j;
	char		*w;

	for (c = 0; c < CUTTERS; c++) {
		pv = &ix->cutter[c].part[p];
		for (k = 0; k < pv->n; k++) {
			t = &pv->v[k];
			/*
			 * The table and the tokens miss the cache (the other
			 * partitions went through it since this one's last
			 * batch): ask for the slot of a posting AHEAD * 2 on,
			 * and for the token in the slot AHEAD on.
			 */
			if (k + 2 * AHEAD < pv->n)
				__builtin_prefetch(&pt->table[t[2 * AHEAD].hash &
				    (pt->tablesz - 1)]);
			if (k + AHEAD < pv->n && (j = pt->table[t[AHEAD].hash &
			    (pt->tablesz - 1)]) != 0)
				__builtin_prefetch(&pt->tok[j - 1]);
			tk = token_find(pt, t);
			if (bw != NULL) {
				/* Its hash is of no more use: its number. */
				t->hash = (uint32_t)(tk - pt->tok);
				blockw_count(bw, t->hash);
			}
			tk->df++;
			if (t->q <= tk->qdrop)
				continue;
			/* Two numbers of at most 7 digits: room for 14. */
			if (tk->pcap - tk->plen >= 14) {
				w = put_num(tk->p + tk->plen, t->doc - tk->last);
				w = put_num(w, t->q);
				tk->plen = (uint32_t)(w - tk->p);
			} else
				put_posting(pt, tk, t->doc - tk->last, t->q);
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

/*
 * Write the index file whose wrapper (js_open()) is the first pre bytes
 * of b and whose JSON follows, in the forms asked for: search/name.json,
 * the JSON alone (what a hosted page fetches, and other tools read), and
 * search/name.js, the JSON wrapped (what a <script> tag loads, from disk
 * too).  Both under key (0: none).
 */
static int
index_put(struct output *out, struct buf *b, size_t pre, const char *name,
    uint64_t key, int forms)
{
	char	 path[64];
	int	 rc = 0;

	if (forms & FORM_JSON) {
		buf_putc(b, '\n');
		snprintf(path, sizeof(path), "search/%s.json", name);
		if (output_file_key(out, path, key, b->data + pre,
		    b->len - pre) != 0)
			rc = -1;
		buf_truncate(b, b->len - 1);
	}
	if (forms & FORM_JS) {
		buf_puts(b, ");\n");
		snprintf(path, sizeof(path), "search/%s.js", name);
		if (output_file_key(out, path, key, b->data, b->len) != 0)
			rc = -1;
	}
	return rc;
}

/*
 * Keep both forms of index file name as the last build wrote them under
 * key: the forms still to write (0: both kept), or -1 on an error.
 */
int
index_keep(struct output *out, const char *name, uint64_t key)
{
	char	 path[64];
	int	 rc, need = 0;

	snprintf(path, sizeof(path), "search/%s.json", name);
	if ((rc = output_keep(out, path, key)) < 0)
		return -1;
	need |= rc ? 0 : FORM_JSON;
	snprintf(path, sizeof(path), "search/%s.js", name);
	if ((rc = output_keep(out, path, key)) < 0)
		return -1;
	return need | (rc ? 0 : FORM_JS);
}

static void
json_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	if (s != NULL)
		esc_json(b, s, strlen(s));
	buf_putc(b, '"');
}

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
void
shard_job(void *arg, size_t j)
{
	struct index	*ix = arg;
	struct buf	 b = { 0 };
	struct token	*tk;
	struct part	*pt;
	uint32_t	 o, *ord;
	size_t		 i, m, n, pre, k = ix->todo != NULL ? ix->todo[j] : j;
	char		*w, name[48];

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
	pre = b.len;
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
	buf_putc(&b, '}');
	/* The bytes are the key: a rebuild that keeps them keeps the files. */
	ix->skey[k] = hash_bytes(b.data, b.len, 0x73686172) | 1;
	index_name(name, sizeof(name), 's', k);
	if (index_put(ix->out, &b, pre, name, ix->skey[k],
	    ix->forms != NULL ? ix->forms[k] : FORMS) != 0)
		atomic_store(&ix->rc, -1);
	buf_free(&b);
}

/* pool_run job: the shards of folder d, one after the other. */
void
shards_job(void *arg, size_t d)
{
	struct index	*ix = arg;
	size_t		 k;

	for (k = d * FOLDER; k < (d + 1) * FOLDER && k < ix->nshards; k++)
		shard_job(ix, k);
}

/*
 * How many shards for postings of about bytes: SHARD_BYTES a shard while
 * that makes at most SHARDS_FEW of them (a small site: a query loads
 * little), then up to SHARD_BYTES_MAX a shard, as many as that takes: a
 * query loads some 25 shards, which must stay well under 200 KB at
 * 100,000 questions.
 */
size_t
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
void
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

void
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
	pool_run(index_folders(ix->nshards), jobs, shards_job, ix);
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
	esc_json(e, text, p->text != NULL ? p->text_len : 0);
	return text;
}

/*
 * pool_run job: folder piece0 + k of result chunks (those a rebuild
 * cannot keep) and its piece of pages.json, each answer escaped once for
 * both.
 */
static void
docs_job(void *arg, size_t k)
{
	struct index	*ix = arg;
	const struct site *site = ix->site;
	const struct page *p;
	struct buf	 b = { 0 }, e = { 0 }, *pg = &ix->pieces[k];
	const char	*text;
	size_t		 g = ix->piece0 + k, c, i, first, last, pre = 0;
	uint64_t	 key;
	int		 changed, forms;
	char		 name[48];

	buf_truncate(pg, 0);
	for (c = g * FOLDER; c < (g + 1) * FOLDER; c++) {
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
		index_name(name, sizeof(name), 'd', c);
		for (changed = 0, i = first; ix->changed != NULL && i < last;
		    i++)
			changed |= ix->changed[i];
		forms = FORMS;
		if (ix->changed != NULL && !changed &&
		    (forms = index_keep(ix->out, name, key)) < 0) {
			atomic_store(&ix->rc, -1);
			forms = 0;
		}
		if (forms) {
			js_open(&b, 'd', c);
			pre = b.len;
			buf_putc(&b, '[');
		}
		for (i = first; i < last; i++) {
			p = site->questions[i];
			text = escaped_text(&e, p);
			if (forms) {
				if (i > first)
					buf_putc(&b, ',');
				put_doc(&b, p, text, &e);
			}
			put_page(pg, p, &e, i + 1 == site->nquestions);
		}
		if (!forms)
			continue;
		buf_putc(&b, ']');
		if (index_put(ix->out, &b, pre, name, key, forms) != 0)
			atomic_store(&ix->rc, -1);
	}
	buf_free(&b);
	buf_free(&e);
}

#define PIECES	16	/* groups of pages.json held at once */

/*
 * The result chunks and pages.json: PIECES groups at a time made in
 * parallel, their pieces of pages.json then streamed out in order, so
 * the whole file (186 MB at 100k questions) is never in memory.
 */
static void
write_docs(struct index *ix, int jobs)
{
	struct ostream	*s;
	size_t		 nchunks, ngroups, k, n;

	nchunks = (ix->site->nquestions + CHUNK - 1) / CHUNK;
	ngroups = index_folders(nchunks);
	if ((s = output_stream(ix->out, "search/pages.json")) == NULL) {
		atomic_store(&ix->rc, -1);
		return;
	}
	ix->pieces = xcalloc(PIECES, sizeof(*ix->pieces));
	output_stream_write(s, "[\n", 2);
	for (ix->piece0 = 0; ix->piece0 < ngroups; ix->piece0 += n) {
		n = ngroups - ix->piece0 < PIECES ? ngroups - ix->piece0 :
		    PIECES;
		pool_run(n, jobs, docs_job, ix);
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

/* pthread: write_docs() beside the postings. */
static void *
docs_thread(void *arg)
{
	struct index	*ix = arg;

	write_docs(ix, ix->jobs);
	return NULL;
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
	size_t		 i, pre;

	js_open(&b, 'm', 0);
	pre = b.len;
	buf_printf(&b, "{\"v\":4,\"n\":%zu,\"shards\":%zu,\"qs\":%d,"
	    "\"dc\":%d,\"syn\":", site->nquestions, ix->nshards, Q_SCALE,
	    CHUNK);
	put_synonyms(&b, site->synonyms,
	    site->synonyms ? site->synonyms_len : 0);
	buf_puts(&b, "}");
	if (index_put(ix->out, &b, pre, "manifest", 0, FORMS) != 0)
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
	if (index_put(ix->out, &b, pre, "cats", 0, FORMS) != 0)
		atomic_store(&ix->rc, -1);
	buf_free(&b);
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

/*
 * Every question's field lengths, their averages (the term frequencies
 * need them) and each question's hash.
 */
static void
measure(struct index *ix, int jobs)
{
	size_t		 i, f, n = ix->site->nquestions;

	ix->flen = xcalloc(n ? n : 1, sizeof(*ix->flen));
	ix->qhash = xcalloc(n ? n : 1, sizeof(*ix->qhash));
	pool_run(n, jobs, count_job, ix);
	for (i = 0; i < n; i++)
		for (f = 0; f < FIELD__MAX; f++)
			ix->avg[f] += ix->flen[i][f];
	for (f = 0; f < FIELD__MAX; f++)
		ix->avg[f] = quantize(n && ix->avg[f] > 0 ? ix->avg[f] / n : 1);
	if (ix->state != NULL)
		index_state_header(ix);
}

/* Every question cut and merged (after measure()), its records saved. */
static void
build(struct index *ix, int jobs)
{
	const struct site *site = ix->site;
	size_t		 i, n = site->nquestions;

	for (i = 0; i < NPART; i++) {
		ix->part[i].tablesz = 1024;
		ix->part[i].table = xcalloc(ix->part[i].tablesz,
		    sizeof(*ix->part[i].table));
		ix->part[i].doc = xcalloc(2 * POSTINGS_MAX, sizeof(uint32_t));
		ix->part[i].q = xcalloc(2 * POSTINGS_MAX, sizeof(uint32_t));
		ix->part[i].qs = xcalloc(2 * POSTINGS_MAX, sizeof(uint32_t));
		ix->part[i].text = xmalloc(2 * POSTINGS_MAX * 14);
		ix->part[i].qcount = xcalloc(QCOUNT, sizeof(uint32_t));
	}
	for (ix->batch0 = 0; ix->batch0 < n; ix->batch0 += BATCH) {
		ix->nbatch = n - ix->batch0 < BATCH ? n - ix->batch0 : BATCH;
		pool_run(CUTTERS, jobs, cut_job, ix);
		pool_run(NPART, jobs, merge_job, ix);
		if (ix->state != NULL)
			index_state_batch(ix, jobs);
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
		/* A full build's lists are in its chunks, but the longest. */
		for (i = 0; i < pt->ntok; i++)
			if (pt->lists.nchunk == 0 || (pt->tok[i].pcap > 0 &&
			    list_class(pt->tok[i].pcap) >= LIST_SLAB))
				free(pt->tok[i].p);
		list_chunks_free(&pt->lists);
		free(pt->tok);
		free(pt->table);
		free(pt->doc);
		free(pt->q);
		free(pt->qs);
		free(pt->text);
		free(pt->qcount);
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
	free(ix->forms);
	memset(ix, 0, sizeof(*ix));
	ix->site = site;
	ix->out = out;
}

/*
 * The index: from the last build's state when it fits and few questions
 * changed (index_state_rebuild()), else every question cut and merged
 * (build()).
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
	    (done = index_state_rebuild(&ix, &rb, data, len, jobs, &why)) == 0) {
		index_state_rebuild_free(&rb);
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
		measure(&ix, jobs);
		/*
		 * The result chunks and pages.json need the questions and
		 * their hashes only: written on threads of their own while
		 * the postings are cut, merged and written.  Creating their
		 * 2 * n / CHUNK files waits on the disk (a new file's inode
		 * is read in), and the cutting fills the cores meanwhile.
		 */
		ix.jobs = jobs;
		threaded = pthread_create(&th, NULL, docs_thread, &ix) == 0;
		build(&ix, jobs);
		write_shards(&ix, jobs);
		if (ix.state != NULL)
			index_state_tables(&ix);
		free_parts(&ix);
		if (threaded)
			pthread_join(th, NULL);
		else
			write_docs(&ix, jobs);
	} else {
		/*
		 * The next state is mostly a copy of the last one: written
		 * on a thread of its own while the answers are escaped.
		 */
		rb.ix = &ix;
		threaded = pthread_create(&th, NULL, index_state_rewrite_thread,
		    &rb) == 0;
		if (!threaded)
			index_state_rewrite(&ix, &rb);
		write_docs(&ix, jobs);
		if (threaded)
			pthread_join(th, NULL);
	}
	write_manifest(&ix);
	rc = atomic_load(&ix.rc);
	index_state_rebuild_free(&rb);
	index_reset(&ix);
	return rc;
}
