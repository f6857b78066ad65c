/*
 * test_fuzzfound.c: regression tests for what the fuzzers (tests/fuzz/)
 * and the bad-input cases found in the in-memory stages.  Crashes in the
 * renderer are end-to-end cases instead (tests/cases/ok-empty-link).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faqgen.h"
#include "harness.h"

struct toks {
	char	 s[16][16];
	int	 kind[16];
	int	 n;
};

static void
collect(void *arg, const char *tok, size_t len, enum token_kind kind)
{
	struct toks	*t = arg;

	if (t->n < 16 && len < sizeof(t->s[0])) {
		memcpy(t->s[t->n], tok, len);
		t->s[t->n][len] = '\0';
		t->kind[t->n++] = (int)kind;
	}
}

/*
 * fuzz_tokenize: a 3-byte CJK character followed by a 4-byte one
 * (U+8020 U+20820) shifted the window by the wrong length: memmove()
 * of (size_t)-1 bytes.
 */
static void
tokenize_mixed_width(void)
{
	struct toks	 t;

	memset(&t, 0, sizeof(t));
	tokenize_text("\xe8\x80\xa0\xf0\xa0\xa0\xa0", 7, collect, &t);
	CHECK(t.n == 3);
	CHECK_STR(t.s[0], "\xe8\x80\xa0");
	CHECK(t.kind[0] == TOKEN_CHAR);
	CHECK_STR(t.s[1], "\xe8\x80\xa0\xf0\xa0\xa0\xa0");
	CHECK(t.kind[1] == TOKEN_BIGRAM);
	CHECK_STR(t.s[2], "\xf0\xa0\xa0\xa0");

	/* 中𠮷中𠮷: 4 characters, 3 bigrams, 2 trigrams, all in the text. */
	memset(&t, 0, sizeof(t));
	tokenize_text("中𠮷中𠮷", strlen("中𠮷中𠮷"), collect, &t);
	CHECK(t.n == 9);
	CHECK_STR(t.s[2], "中𠮷中");
	CHECK(t.kind[2] == TOKEN_TRIGRAM);
	CHECK_STR(t.s[3], "𠮷");
	CHECK_STR(t.s[5], "𠮷中𠮷");
	CHECK_STR(t.s[8], "𠮷");
}

/* YAML escapes put control characters and NUL into strings: refused. */
static void
frontmatter_control(void)
{
	static const char *const bad[] = {
		"title: \"a\\0b\"\n",
		"title: \"bell \\a\"\n",
		"title: t\ntags: [\"\\e[31m\"]\n",
		"title: t\naliases: \"\\uFFFE\"\n",
		"title: t\ndescription: \"\\x7f\"\n",
	};
	struct frontmatter fm;
	struct diags	 d = { NULL, 0, 0 };
	const char	*src;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&fm, 0, sizeof(fm));
		CHECK(frontmatter_parse(&fm, bad[i], strlen(bad[i]),
		    "q.md", 2, &d) != 0);
		CHECK(d.n > 0 && strstr(d.msg[0], "control character"));
		frontmatter_free(&fm);
		diag_free(&d);
	}
	/* Tabs, newlines and U+2028 are text. */
	memset(&fm, 0, sizeof(fm));
	src = "title: \"a\\tb\\nc\\u2028\"\n";
	CHECK(frontmatter_parse(&fm, src, strlen(src), "q.md", 2, &d) == 0);
	CHECK_STR(fm.title, "a\tb\nc\xe2\x80\xa8");
	frontmatter_free(&fm);
	diag_free(&d);
}

/* buf_grow() on an empty buffer leaves an empty string, not garbage. */
static void
buf_empty_string(void)
{
	struct buf	 b = { NULL, 0, 0 };

	buf_grow(&b, 100);
	CHECK(b.data != NULL && b.data[0] == '\0');
	buf_free(&b);
}

/* url_is_unsafe(): what browsers take for a scheme. */
static void
unsafe_schemes(void)
{
	CHECK(url_is_unsafe("javascript:x", 12));
	CHECK(url_is_unsafe(" JaVa\tScRiPt:x", 14));
	CHECK(url_is_unsafe("vbscript:x", 10));
	CHECK(url_is_unsafe("DATA:text/html,x", 16));
	CHECK(!url_is_unsafe("https://x/?javascript:", 22));
	CHECK(!url_is_unsafe("java%09script:x", 15));
	CHECK(!url_is_unsafe("../a.md#javascript:x", 20));
}

int
main(void)
{
	TEST(tokenize_mixed_width);
	TEST(frontmatter_control);
	TEST(buf_empty_string);
	TEST(unsafe_schemes);
	return harness_done();
}
