/*
 * test_tokenize.c: the C tokenizer against the vectors that search.js is
 * also tested with (tests/search/tokenize-vectors.json), plus the hash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faqgen.h"
#include "harness.h"

#define VECTORS "tests/search/tokenize-vectors.json"

/* A tiny reader for the vectors file: objects of strings and string lists. */
struct reader {
	const char	*p, *end;
	int		 bad;
};

static void
skip_ws(struct reader *r)
{
	while (r->p < r->end && strchr(" \t\r\n,:", *r->p) != NULL)
		r->p++;
}

static unsigned
hex4(const char *p)
{
	unsigned v = 0;
	int	 i;

	for (i = 0; i < 4; i++)
		v = v * 16 + (unsigned)(p[i] <= '9' ? p[i] - '0' :
		    (p[i] | 0x20) - 'a' + 10);
	return v;
}

/* Reads a JSON string at r->p into b. */
static void
read_string(struct reader *r, struct buf *b)
{
	char	 u[4];
	unsigned cp, lo;

	buf_truncate(b, 0);
	skip_ws(r);
	if (r->p >= r->end || *r->p != '"') {
		r->bad = 1;
		return;
	}
	for (r->p++; r->p < r->end && *r->p != '"'; r->p++) {
		if (*r->p != '\\') {
			buf_putc(b, *r->p);
			continue;
		}
		r->p++;
		switch (*r->p) {
		case 'n': buf_putc(b, '\n'); break;
		case 't': buf_putc(b, '\t'); break;
		case 'u':
			cp = hex4(r->p + 1);
			r->p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && r->p[1] == '\\') {
				lo = hex4(r->p + 3);
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				r->p += 6;
			}
			buf_put(b, u, utf8_encode(cp, u));
			break;
		default: buf_putc(b, *r->p); break;
		}
	}
	r->p++;
}

struct got {
	struct buf	 all;	/* tokens joined by '|' */
	size_t		 n;
};

static void
collect(void *arg, const char *tok, size_t len, enum token_kind kind)
{
	struct got *g = arg;

	(void)kind;
	if (g->n++ > 0)
		buf_putc(&g->all, '|');
	buf_put(&g->all, tok, len);
}

/*
 * tokenize_keys() must give tokenize_text()'s tokens in the same order,
 * each CJK token with its kind and code points as its key.
 */
struct keyed {
	struct buf	 all;	/* as collect() writes them */
	size_t		 n, nlen, bad;
	int		 trigrams;
};

static void
collect_key1(struct keyed *g, uint64_t key, const char *tok, size_t len,
    enum token_kind kind)
{
	const char	*p = tok, *end = tok + len;
	uint64_t	 want = 0;
	int		 i;

	if (kind == TOKEN_TRIGRAM && !g->trigrams)
		g->bad++;
	if (kind != TOKEN_WORD) {
		for (i = 0; i < 3; i++)
			want |= (uint64_t)(p < end ? utf8_decode(&p, end) : 0)
			    << (36 - 18 * i);
		want |= (uint64_t)kind << 62;
	}
	if (key != want || TOKEN_KEY_KIND(key) != kind)
		g->bad++;
	if (kind == TOKEN_CHAR || kind == TOKEN_WORD)
		g->nlen++;
	if (g->n++ > 0)
		buf_putc(&g->all, '|');
	buf_put(&g->all, tok, len);
}

static void
collect_key(void *arg, const struct token_key *t, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		collect_key1(arg, t[i].key, t[i].s, t[i].len, t[i].kind);
}

static void
without_trigrams(void *arg, const char *tok, size_t len, enum token_kind kind)
{
	if (kind != TOKEN_TRIGRAM)
		collect(arg, tok, len, kind);
}

static void
test_vectors(void)
{
	struct reader	 r;
	struct buf	 key = { 0 }, input = { 0 }, want = { 0 }, tok = { 0 };
	struct got	 g, g2;
	struct keyed	 k;
	char		*data;
	size_t		 len, nvec = 0, nwant;

	if ((data = harness_slurp(VECTORS, &len)) == NULL)
		data = harness_slurp("../../" VECTORS, &len);
	CHECK(data != NULL);
	if (data == NULL)
		return;
	r.p = data;
	r.end = data + len;
	r.bad = 0;
	skip_ws(&r);
	CHECK(*r.p == '[');
	r.p++;
	for (;;) {
		skip_ws(&r);
		if (r.p >= r.end || *r.p == ']')
			break;
		if (*r.p != '{') {
			r.bad = 1;
			break;
		}
		r.p++;
		buf_truncate(&input, 0);
		buf_truncate(&want, 0);
		nwant = 0;
		for (;;) {
			skip_ws(&r);
			if (r.p >= r.end || r.bad)
				break;
			if (*r.p == '}') {
				r.p++;
				break;
			}
			read_string(&r, &key);
			skip_ws(&r);
			if (strcmp(key.data, "tokens") == 0 && *r.p == '[') {
				r.p++;
				for (;;) {
					skip_ws(&r);
					if (r.p >= r.end || *r.p == ']')
						break;
					read_string(&r, &tok);
					if (nwant++ > 0)
						buf_putc(&want, '|');
					buf_put(&want, tok.data, tok.len);
				}
				r.p++;
			} else if (strcmp(key.data, "input") == 0)
				read_string(&r, &input);
			else
				read_string(&r, &tok);
		}
		memset(&g, 0, sizeof(g));
		buf_puts(&g.all, "");
		buf_puts(&want, "");
		tokenize_text(input.data ? input.data : "", input.len,
		    collect, &g);
		CHECK_STR(g.all.data, want.data);
		CHECK(g.n == nwant);

		/* The same tokens with their keys; the length's count. */
		memset(&k, 0, sizeof(k));
		buf_puts(&k.all, "");
		k.trigrams = 1;
		tokenize_keys(input.data ? input.data : "", input.len, 1,
		    collect_key, &k);
		CHECK_STR(k.all.data, g.all.data);
		CHECK(k.bad == 0);
		CHECK(tokenize_length(input.data ? input.data : "",
		    input.len) == k.nlen);
		buf_free(&k.all);
		memset(&k, 0, sizeof(k));
		memset(&g2, 0, sizeof(g2));
		buf_puts(&k.all, "");
		buf_puts(&g2.all, "");
		tokenize_keys(input.data ? input.data : "", input.len, 0,
		    collect_key, &k);
		tokenize_text(input.data ? input.data : "", input.len,
		    without_trigrams, &g2);
		CHECK_STR(k.all.data, g2.all.data);
		CHECK(k.bad == 0);
		buf_free(&k.all);
		buf_free(&g2.all);
		buf_free(&g.all);
		nvec++;
	}
	CHECK(!r.bad);
	CHECK(nvec >= 20);
	buf_free(&key);
	buf_free(&input);
	buf_free(&want);
	buf_free(&tok);
	free(data);
}

static size_t nkind[4];

static void
count_kind(void *arg, const char *tok, size_t len, enum token_kind kind)
{
	(void)arg; (void)tok; (void)len;
	nkind[kind]++;
}

static void
test_kind_counts(void)
{
	const char *s = "准考证 ABC-1 考";

	memset(nkind, 0, sizeof(nkind));
	tokenize_text(s, strlen(s), count_kind, NULL);
	CHECK(nkind[TOKEN_CHAR] == 4);
	CHECK(nkind[TOKEN_BIGRAM] == 2);
	CHECK(nkind[TOKEN_TRIGRAM] == 1);
	CHECK(nkind[TOKEN_WORD] == 3);	/* abc-1, abc, 1 */
}

static void
test_bad_utf8(void)
{
	const char s[] = "\xff\xfe\xe8\x80";

	memset(nkind, 0, sizeof(nkind));
	tokenize_text(s, sizeof(s) - 1, count_kind, NULL);
	CHECK(nkind[0] + nkind[1] + nkind[2] + nkind[3] == 0);
}

static void
test_hash(void)
{
	/* FNV-1a reference values; search.js checks the same. */
	CHECK(tokenize_hash("", 0) == 2166136261u);
	CHECK(tokenize_hash("a", 1) == 0xe40c292cu);
	CHECK(tokenize_hash("foobar", 6) == 0xbf9cf968u);
	CHECK(tokenize_hash("缴费", strlen("缴费")) == 0x74b36b71u);
}

/* tokenize_length() on long runs: the fast path for U+4E00..U+9FFF. */
static void
test_length(void)
{
	static const char *const s[] = {
	    "一丁七万", "\xe4\xb7\xbf一", "丁-1", "中文abc中文", "鿿\xea\xb0\x80",
	    "中\xe4\xb8", "abc-def.g中", "中-2", "考试考试考试考试考试考试",
	};
	size_t	 i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		memset(nkind, 0, sizeof(nkind));
		tokenize_text(s[i], strlen(s[i]), count_kind, NULL);
		CHECK(tokenize_length(s[i], strlen(s[i])) ==
		    nkind[TOKEN_CHAR] + nkind[TOKEN_WORD]);
	}
}

/* Many batches of keys, words between them: the same tokens. */
static void
test_keys_long(void)
{
	struct buf	 text = { 0 };
	struct got	 g;
	struct keyed	 k;
	int		 i;

	for (i = 0; i < 200; i++)
		buf_puts(&text, i % 7 ? "报名考试" : "e-cert 1.5 考试x");
	memset(&g, 0, sizeof(g));
	memset(&k, 0, sizeof(k));
	buf_puts(&g.all, "");
	buf_puts(&k.all, "");
	k.trigrams = 1;
	tokenize_text(text.data, text.len, collect, &g);
	tokenize_keys(text.data, text.len, 1, collect_key, &k);
	CHECK(g.n > 1000);
	CHECK(k.n == g.n && k.bad == 0);
	CHECK(strcmp(k.all.data, g.all.data) == 0);
	buf_free(&g.all);
	buf_free(&k.all);
	buf_free(&text);
}

int
main(void)
{
	TEST(test_vectors);
	TEST(test_kind_counts);
	TEST(test_bad_utf8);
	TEST(test_hash);
	TEST(test_length);
	TEST(test_keys_long);
	return harness_done();
}
