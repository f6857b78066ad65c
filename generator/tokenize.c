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

static enum cls
classify(int32_t cp)
{
	if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
		return CLS_WORD;
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

/* Next folded code point, or -1 at the end; a bad byte reads as U+FFFD. */
static int32_t
next_cp(const char **p, const char *end)
{
	int32_t	 cp;

	if (*p >= end)
		return -1;
	if ((unsigned char)**p < 0x80)
		return fold((unsigned char)*(*p)++);
	if ((cp = utf8_decode(p, end)) < 0) {
		(*p)++;
		return 0xfffd;
	}
	return fold(cp);
}

static void
word_add(struct word *w, int32_t cp)
{
	if (w->ncp == TOKEN_WORD_MAX)
		return;
	w->len += utf8_encode((uint32_t)cp, w->s + w->len);
	w->ncp++;
}

static int
is_connector(char c)
{
	return c == '-' || c == '.' || c == '_';
}

static void
word_flush(struct word *w, tokenize_fn fn, void *arg)
{
	size_t	 i, start;
	int	 joined = 0;

	if (w->len == 0)
		return;
	/* A connector kept as the last code point of a cut word: drop it. */
	while (w->len > 0 && is_connector(w->s[w->len - 1]))
		w->len--;
	if (w->len > (size_t)w->sign)
		fn(arg, w->s, w->len, TOKEN_WORD);
	for (i = w->sign; i < w->len; i++)
		if (is_connector(w->s[i]))
			joined = 1;
	if (joined) {
		start = w->sign;
		for (i = start; i <= w->len; i++) {
			if (i < w->len && !is_connector(w->s[i]))
				continue;
			if (i > start)
				fn(arg, w->s + start, i - start, TOKEN_WORD);
			start = i + 1;
		}
	}
	w->len = w->ncp = 0;
	w->sign = 0;
}

/*
 * The CJK run keeps the byte offsets of its last three characters in a
 * copy of the text; tokens starting at a position are emitted once the
 * trigram starting there is known (or the run ends).
 */
struct run {
	char	 s[12];		/* up to three characters, UTF-8 */
	size_t	 off[3];	/* their starts in s */
	size_t	 len[3];
	size_t	 n;		/* characters held */
};

static void
run_emit_first(struct run *r, tokenize_fn fn, void *arg)
{
	size_t	 i, first = r->len[0];

	fn(arg, r->s, r->len[0], TOKEN_CHAR);
	if (r->n >= 2)
		fn(arg, r->s, r->len[0] + r->len[1], TOKEN_BIGRAM);
	if (r->n >= 3)
		fn(arg, r->s, r->len[0] + r->len[1] + r->len[2],
		    TOKEN_TRIGRAM);
	/* Shift the window by one character. */
	memmove(r->s, r->s + first, r->off[r->n - 1] + r->len[r->n - 1] -
	    first);
	/* By the first character's length: len[0] is overwritten below. */
	for (i = 1; i < r->n; i++) {
		r->len[i - 1] = r->len[i];
		r->off[i - 1] = r->off[i] - first;
	}
	r->n--;
}

static void
run_add(struct run *r, int32_t cp, tokenize_fn fn, void *arg)
{
	size_t	 at;

	at = r->n ? r->off[r->n - 1] + r->len[r->n - 1] : 0;
	r->off[r->n] = at;
	r->len[r->n] = utf8_encode((uint32_t)cp, r->s + at);
	r->n++;
	if (r->n == 3)
		run_emit_first(r, fn, arg);
}

static void
run_flush(struct run *r, tokenize_fn fn, void *arg)
{
	while (r->n > 0)
		run_emit_first(r, fn, arg);
}

void
tokenize_text(const char *s, size_t len, tokenize_fn fn, void *arg)
{
	const char	*p = s, *end = s + len;
	struct word	 w;
	struct run	 r;
	int32_t		 cp, nxt;
	enum cls	 c, prev = CLS_OTHER;

	memset(&w, 0, sizeof(w));
	memset(&r, 0, sizeof(r));
	cp = next_cp(&p, end);
	while (cp >= 0) {
		nxt = next_cp(&p, end);
		c = classify(cp);
		if (c == CLS_CJK) {
			word_flush(&w, fn, arg);
			run_add(&r, cp, fn, arg);
		} else {
			run_flush(&r, fn, arg);
			if (c == CLS_WORD)
				word_add(&w, cp);
			else if ((cp == '-' || cp == '.' || cp == '_') &&
			    w.len > 0 && nxt >= 0 &&
			    classify(nxt) == CLS_WORD) {
				word_add(&w, cp);
			} else if (cp == '-' && w.len == 0 &&
			    prev != CLS_WORD && nxt >= '0' && nxt <= '9') {
				w.sign = 1;
				word_add(&w, cp);
			} else
				word_flush(&w, fn, arg);
		}
		prev = c;
		cp = nxt;
	}
	word_flush(&w, fn, arg);
	run_flush(&r, fn, arg);
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
