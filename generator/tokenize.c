/*
 * tokenize.c: the search tokenizer.  The index (index.c) and the query
 * (layouts/assets/search.js) must cut text the same way; both are checked
 * against tests/search/tokenize-vectors.json.
 *
 * Text is read one code point at a time and folded: full-width ASCII
 * (U+FF01..U+FF5E) to ASCII, the ideographic space to a space, Latin
 * capitals to small letters.  Then:
 *
 *  - a run of CJK characters gives, for each position, the character, the
 *    bigram starting there and the trigram starting there (the trigram says
 *    two bigrams are adjacent, which the ranking rewards);
 *  - a run of letters and digits is a word: "295px", "2024"; '-', '.' and
 *    '_' between two letters or digits join, so codes stay whole
 *    ("010-68607734", "e-cert", "1.5") and their parts follow as words of
 *    their own; a '-' before a digit that does not follow a letter or digit
 *    is a sign ("-1");
 *  - everything else separates and is dropped.
 *
 * A word keeps at most TOKEN_WORD_MAX code points.
 *
 * tokenize_keys() gives the same tokens with a number that names a CJK
 * token exactly (its kind and code points, see TOKEN_KEY_KIND), so the
 * index can count and compare them without reading their bytes.
 */
#include <stdint.h>
#include <string.h>

#include "faqgen.h"

#define TOKEN_WORD_MAX	32

enum cls {
	CLS_OTHER,
	CLS_WORD,
	CLS_CJK
};

#define KEY_BATCH	256	/* tokens a tokenize_key_fn call */

/* Where tokens go: tokenize_text()'s callback or tokenize_keys()'. */
struct sink {
	tokenize_fn	 fn;
	tokenize_key_fn	 key;		/* used when set */
	void		*arg;
	int		 trigrams;	/* give trigrams */
	struct token_key *batch;	/* KEY_BATCH, with key */
	size_t		 n;
};

static void
flush(struct sink *k)
{
	if (k->n > 0)
		k->key(k->arg, k->batch, k->n);
	k->n = 0;
}

static inline void
put(struct sink *k, uint64_t key, const char *s, size_t len,
    enum token_kind kind)
{
	struct token_key *t;

	if (k->key == NULL) {
		k->fn(k->arg, s, len, kind);
		return;
	}
	t = &k->batch[k->n++];
	t->key = key;
	t->s = s;
	t->len = (uint32_t)len;
	t->kind = kind;
	if (k->n == KEY_BATCH)
		flush(k);
}

struct word {
	char	 s[TOKEN_WORD_MAX * 4];
	size_t	 len;		/* bytes */
	size_t	 ncp;		/* code points */
	int	 sign;		/* starts with a '-' sign */
};

static int32_t
fold(int32_t cp)
{
	if (cp >= 0xff01 && cp <= 0xff5e)
		cp -= 0xfee0;
	else if (cp == 0x3000)
		return ' ';
	if (cp >= 'A' && cp <= 'Z')
		return cp + 32;
	if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7)
		return cp + 32;
	return cp;
}

static inline enum cls
classify(int32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ?
		    CLS_WORD : CLS_OTHER;
	if (cp >= 0x4e00 && cp <= 0x9fff)
		return CLS_CJK;
	if (cp < 0xc0)
		return CLS_OTHER;
	if (cp <= 0x24f)
		return cp == 0xd7 || cp == 0xf7 ? CLS_OTHER : CLS_WORD;
	if ((cp >= 0x3040 && cp <= 0x30ff) || cp == 0x3007 ||
	    (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
	    (cp >= 0xac00 && cp <= 0xd7af) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0x20000 && cp <= 0x2ffff))
		return CLS_CJK;
	return CLS_OTHER;
}

/*
 * Next folded code point, or -1 at the end; a bad byte reads as U+FFFD.
 * The common cases (ASCII, three-byte sequences: CJK) are decoded here.
 */
static inline int32_t
next_cp(const char **p, const char *end)
{
	const unsigned char *u = (const unsigned char *)*p;
	int32_t	 cp;

	if (*p >= end)
		return -1;
	if (u[0] < 0x80) {
		(*p)++;
		return u[0] >= 'A' && u[0] <= 'Z' ? u[0] + 32 : u[0];
	}
	if ((u[0] & 0xf0) == 0xe0 && end - *p >= 3 &&
	    (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80) {
		cp = (u[0] & 0x0f) << 12 | (u[1] & 0x3f) << 6 | (u[2] & 0x3f);
		if (cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff)) {
			*p += 3;
			return cp > 0x3000 && cp < 0xff01 ? cp : fold(cp);
		}
	}
	if ((cp = utf8_decode(p, end)) < 0) {
		(*p)++;
		return 0xfffd;
	}
	return fold(cp);
}

/*
 * Whether p starts a well-formed U+4E00..U+9FFF (three bytes, E4 B8 80 to
 * E9 BF BF): the common case, which needs neither folding nor the table.
 */
static inline int
is_ideograph(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return u[0] >= 0xe4 && u[0] <= 0xe9 && (u[1] & 0xc0) == 0x80 &&
	    (u[2] & 0xc0) == 0x80 && (u[0] != 0xe4 || u[1] >= 0xb8);
}

static void
word_add(struct word *w, int32_t cp)
{
	if (w->ncp == TOKEN_WORD_MAX)
		return;
	if (cp < 0x80)
		w->s[w->len++] = (char)cp;
	else
		w->len += utf8_encode((uint32_t)cp, w->s + w->len);
	w->ncp++;
}

static int
is_connector(char c)
{
	return c == '-' || c == '.' || c == '_';
}

static void
word_flush(struct word *w, struct sink *k)
{
	size_t	 i, start;
	int	 joined = 0;

	if (w->len == 0)
		return;
	/* A connector kept as the last code point of a cut word: drop it. */
	while (w->len > 0 && is_connector(w->s[w->len - 1]))
		w->len--;
	if (w->len > (size_t)w->sign)
		put(k, 0, w->s, w->len, TOKEN_WORD);
	for (i = w->sign; i < w->len; i++)
		if (is_connector(w->s[i]))
			joined = 1;
	if (joined) {
		start = w->sign;
		for (i = start; i <= w->len; i++) {
			if (i < w->len && !is_connector(w->s[i]))
				continue;
			if (i > start)
				put(k, 0, w->s + start, i - start,
				    TOKEN_WORD);
			start = i + 1;
		}
	}
	/* The word's bytes are about to be reused. */
	if (k->key != NULL)
		flush(k);
	w->len = w->ncp = 0;
	w->sign = 0;
}

/*
 * A CJK run: its last (up to) three characters, as byte ranges of the
 * text itself (CJK characters are not folded, and the characters of a run
 * follow each other in the text, so a bigram or trigram is a range too)
 * and as code points.  Tokens starting at a position are emitted once the
 * trigram starting there is known (or the run ends).
 */
struct run {
	const char	*at;		/* the first character held */
	size_t		 len[3];	/* the characters' lengths */
	uint64_t	 cp[3];		/* and code points */
	size_t		 n;		/* characters held */
};

static void
run_emit_first(struct run *r, struct sink *k)
{
	put(k, TOKEN_KEY(TOKEN_CHAR, r->cp[0], 0, 0), r->at, r->len[0],
	    TOKEN_CHAR);
	if (r->n >= 2)
		put(k, TOKEN_KEY(TOKEN_BIGRAM, r->cp[0], r->cp[1], 0), r->at,
		    r->len[0] + r->len[1], TOKEN_BIGRAM);
	if (r->n >= 3 && k->trigrams)
		put(k, TOKEN_KEY(TOKEN_TRIGRAM, r->cp[0], r->cp[1], r->cp[2]),
		    r->at, r->len[0] + r->len[1] + r->len[2], TOKEN_TRIGRAM);
	/* Shift the window by one character. */
	r->at += r->len[0];
	r->len[0] = r->len[1];
	r->len[1] = r->len[2];
	r->cp[0] = r->cp[1];
	r->cp[1] = r->cp[2];
	r->n--;
}

/*
 * The rest of a run of U+4E00..U+9FFF, for tokenize_keys(), with two
 * characters held: each next one completes the tokens of the first held,
 * which go straight into the batch, as run_emit_first() would put them.
 * Returns where the fast path stops.
 */
static const char *
run_keys(struct run *r, struct sink *k, const char *p, const char *end)
{
	const unsigned char *u;
	struct token_key *t;
	uint64_t	 cp;

	while (end - p >= 3 && is_ideograph(p) && k->n + 3 <= KEY_BATCH) {
		u = (const unsigned char *)p;
		cp = (uint64_t)((u[0] & 0x0f) << 12 | (u[1] & 0x3f) << 6 |
		    (u[2] & 0x3f));
		t = &k->batch[k->n];
		t[0].key = TOKEN_KEY(TOKEN_CHAR, r->cp[0], 0, 0);
		t[0].s = r->at;
		t[0].len = (uint32_t)r->len[0];
		t[0].kind = TOKEN_CHAR;
		t[1].key = TOKEN_KEY(TOKEN_BIGRAM, r->cp[0], r->cp[1], 0);
		t[1].s = r->at;
		t[1].len = (uint32_t)(r->len[0] + r->len[1]);
		t[1].kind = TOKEN_BIGRAM;
		k->n += 2;
		if (k->trigrams) {
			t[2].key = TOKEN_KEY(TOKEN_TRIGRAM, r->cp[0], r->cp[1],
			    cp);
			t[2].s = r->at;
			t[2].len = t[1].len + 3;
			t[2].kind = TOKEN_TRIGRAM;
			k->n++;
		}
		r->at += r->len[0];
		r->len[0] = r->len[1];
		r->len[1] = 3;
		r->cp[0] = r->cp[1];
		r->cp[1] = cp;
		p += 3;
	}
	return p;
}

static void
run_flush(struct run *r, struct sink *k)
{
	while (r->n > 0)
		run_emit_first(r, k);
}

/*
 * The tokenizer; with nchars set, a CJK character only adds one to
 * *nchars (no bigrams, no trigrams), for tokenize_length().
 */
static inline void
cut(const char *s, size_t len, struct sink *k, size_t *nchars)
{
	const char	*p = s, *end = s + len, *at, *peek;
	struct word	 w;
	struct run	 r;
	int32_t		 cp, nxt;
	enum cls	 c, prev = CLS_OTHER;

	w.len = w.ncp = 0;
	w.sign = 0;
	r.n = 0;
	r.at = NULL;
	while (p < end) {
		at = p;
		cp = next_cp(&p, end);
		c = classify(cp);
		if (c == CLS_CJK) {
			if (w.len > 0)
				word_flush(&w, k);
			prev = c;
			if (nchars != NULL) {
				(*nchars)++;
				/* The run's next ideographs, without the rest. */
				while (end - p >= 3 && is_ideograph(p)) {
					(*nchars)++;
					p += 3;
				}
				continue;
			}
			if (r.n == 0)
				r.at = at;
			r.cp[r.n] = (uint64_t)cp;
			r.len[r.n++] = (size_t)(p - at);
			if (r.n == 3)
				run_emit_first(&r, k);
			if (k->key != NULL && r.n == 2)
				p = run_keys(&r, k, p, end);
			continue;
		}
		if (r.n > 0)
			run_flush(&r, k);
		if (c == CLS_WORD)
			word_add(&w, cp);
		else if (cp == '-' || cp == '.' || cp == '_') {
			/* Joins or signs by what follows. */
			peek = p;
			nxt = next_cp(&peek, end);
			if (w.len > 0 && nxt >= 0 && classify(nxt) == CLS_WORD)
				word_add(&w, cp);
			else if (cp == '-' && w.len == 0 &&
			    prev != CLS_WORD && nxt >= '0' && nxt <= '9') {
				w.sign = 1;
				word_add(&w, cp);
			} else if (w.len > 0)
				word_flush(&w, k);
		} else if (w.len > 0)
			word_flush(&w, k);
		prev = c;
	}
	word_flush(&w, k);
	run_flush(&r, k);
	if (k->key != NULL)
		flush(k);
}

void
tokenize_text(const char *s, size_t len, tokenize_fn fn, void *arg)
{
	struct sink	 k = { fn, NULL, arg, 1, NULL, 0 };

	cut(s, len, &k, NULL);
}

void
tokenize_keys(const char *s, size_t len, int trigrams, tokenize_key_fn fn,
    void *arg)
{
	struct token_key batch[KEY_BATCH];
	struct sink	 k = { NULL, fn, arg, trigrams, batch, 0 };

	cut(s, len, &k, NULL);
}

static void
count_word(void *arg, const char *s, size_t len, enum token_kind kind)
{
	(void)s;
	(void)len;
	(void)kind;
	(*(size_t *)arg)++;
}

size_t
tokenize_length(const char *s, size_t len)
{
	size_t		 n = 0;
	struct sink	 k = { count_word, NULL, &n, 0, NULL, 0 };

	cut(s, len, &k, &n);
	return n;
}

uint32_t
tokenize_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t	 i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}
