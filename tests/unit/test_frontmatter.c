/*
 * test_frontmatter.c: YAML front matter to struct frontmatter.
 */
#include <stdlib.h>
#include <string.h>

#include "faqgen.h"
#include "harness.h"

#define FILE_	"content/exam/id.md"

/*
 * Parse yaml as the front matter of FILE_ starting on line 2 (after the
 * opening "---"); returns frontmatter_parse's result and leaves the
 * diagnostics joined by '|' in errs (static, overwritten each call).
 */
static char	errs[1024];

static int
parse(struct frontmatter *fm, const char *yaml)
{
	struct diags	 d = { NULL, 0, 0 };
	size_t		 i;
	int		 rc;

	rc = frontmatter_parse(fm, yaml, strlen(yaml), FILE_, 2, &d);
	errs[0] = '\0';
	for (i = 0; i < d.n; i++) {
		if (i > 0)
			strncat(errs, "|", sizeof(errs) - strlen(errs) - 1);
		strncat(errs, d.msg[i], sizeof(errs) - strlen(errs) - 1);
	}
	/* A failure always comes with a reason, a success never. */
	CHECK((rc != 0) == (d.n > 0));
	diag_free(&d);
	return rc;
}

/* Parse yaml expecting failure; returns the errors. */
static const char *
fail(const char *yaml)
{
	struct frontmatter	 fm;

	CHECK(parse(&fm, yaml) != 0);
	frontmatter_free(&fm);
	return errs;
}

static void
test_full(void)
{
	struct frontmatter	 fm;

	CHECK(parse(&fm,
	    "title: 如何办理身份证？\n"
	    "description: \"Where & how\"\n"
	    "weight: 20\n"
	    "lastmod: 2024-02-29\n"
	    "draft: true\n"
	    "tags: [证件, exam]\n"
	    "keywords:\n"
	    "  - id card\n"
	    "  - 'passport'\n"
	    "aliases: /old/id.html\n") == 0);
	CHECK_STR(errs, "");
	CHECK_STR(fm.title, "如何办理身份证？");
	CHECK_STR(fm.description, "Where & how");
	CHECK(fm.weight == 20);
	CHECK_STR(fm.lastmod, "2024-02-29");
	CHECK(fm.draft == 1);
	CHECK(fm.tags.n == 2);
	if (fm.tags.n == 2) {
		CHECK_STR(fm.tags.v[0], "证件");
		CHECK_STR(fm.tags.v[1], "exam");
	}
	CHECK(fm.keywords.n == 2);
	if (fm.keywords.n == 2) {
		CHECK_STR(fm.keywords.v[0], "id card");
		CHECK_STR(fm.keywords.v[1], "passport");
	}
	/* A single string is a list of one. */
	CHECK(fm.aliases.n == 1);
	if (fm.aliases.n == 1)
		CHECK_STR(fm.aliases.v[0], "/old/id.html");
	frontmatter_free(&fm);
	CHECK(fm.title == NULL && fm.tags.v == NULL && fm.tags.n == 0);
}

static void
test_defaults(void)
{
	struct frontmatter	 fm;

	/* Only the title; unknown keys, even odd ones, are ignored. */
	CHECK(parse(&fm, "title: Q\n"
	    "date: not a date at all\n"
	    "slug: [1, 2]\n"
	    "params: {a: {b: c}}\n"
	    "[complex, key]: 1\n"
	    "weight2: x\n") == 0);
	CHECK_STR(errs, "");
	CHECK_STR(fm.title, "Q");
	CHECK(fm.description == NULL && fm.lastmod == NULL);
	CHECK(fm.weight == 0 && fm.draft == 0);
	CHECK(fm.tags.n == 0 && fm.keywords.n == 0 && fm.aliases.n == 0);
	frontmatter_free(&fm);

	/* Null values mean "not given". */
	CHECK(parse(&fm, "title: Q\ndescription:\nlastmod: ~\ntags: null\n"
	    "keywords: []\n") == 0);
	CHECK(fm.description == NULL && fm.lastmod == NULL);
	CHECK(fm.tags.n == 0 && fm.keywords.n == 0);
	frontmatter_free(&fm);

	/* Quoted, numeric-looking and multi-line strings stay strings. */
	CHECK(parse(&fm, "title: '123'\ndescription: >\n  folded\n  text\n")
	    == 0);
	CHECK_STR(fm.title, "123");
	CHECK_STR(fm.description, "folded text\n");
	frontmatter_free(&fm);
	CHECK(parse(&fm, "title: 2024\n") == 0);
	CHECK_STR(fm.title, "2024");
	frontmatter_free(&fm);

	/* Weights: negative, signed, false drafts. */
	CHECK(parse(&fm, "title: t\nweight: -3\ndraft: false\n") == 0);
	CHECK(fm.weight == -3 && fm.draft == 0);
	frontmatter_free(&fm);
	CHECK(parse(&fm, "title: t\nweight: +7\ndraft: True\n") == 0);
	CHECK(fm.weight == 7 && fm.draft == 1);
	frontmatter_free(&fm);

	/* CRLF line ends and a document end marker. */
	CHECK(parse(&fm, "title: crlf\r\nweight: 2\r\n...\r\n") == 0);
	CHECK_STR(fm.title, "crlf");
	CHECK(fm.weight == 2);
	frontmatter_free(&fm);
}

static void
test_dates(void)
{
	struct frontmatter	 fm;

	CHECK(parse(&fm, "title: t\nlastmod: 2024-06-01T10:00:00+08:00\n")
	    == 0);
	CHECK_STR(fm.lastmod, "2024-06-01");
	frontmatter_free(&fm);
	CHECK(parse(&fm, "title: t\nlastmod: 2023-12-31T23:59:59Z\n") == 0);
	CHECK_STR(fm.lastmod, "2023-12-31");
	frontmatter_free(&fm);
	CHECK(parse(&fm, "title: t\nlastmod: \"2000-02-29 08:30\"\n") == 0);
	CHECK_STR(fm.lastmod, "2000-02-29");
	frontmatter_free(&fm);
	CHECK(parse(&fm, "title: t\nlastmod: 2024-01-15T08:00:00.123-05:00\n")
	    == 0);
	CHECK_STR(fm.lastmod, "2024-01-15");
	frontmatter_free(&fm);

	CHECK_STR(fail("title: t\nlastmod: 2024-02-30\n"), FILE_ ":3: "
	    "bad date \"2024-02-30\", expected YYYY-MM-DD");
	CHECK_STR(fail("title: t\nlastmod: 2023-02-29\n"), FILE_ ":3: "
	    "bad date \"2023-02-29\", expected YYYY-MM-DD");
	CHECK_STR(fail("title: t\nlastmod: 1900-02-29\n"), FILE_ ":3: "
	    "bad date \"1900-02-29\", expected YYYY-MM-DD");
	CHECK_STR(fail("title: t\nlastmod: 2024-04-31\n"), FILE_ ":3: "
	    "bad date \"2024-04-31\", expected YYYY-MM-DD");
	CHECK_STR(fail("title: t\nlastmod: 2024-13-01\n"), FILE_ ":3: "
	    "bad date \"2024-13-01\", expected YYYY-MM-DD");
	CHECK_STR(fail("title: t\n\nlastmod: 2024/06/01\n"), FILE_ ":4: "
	    "bad date \"2024/06/01\", expected YYYY-MM-DD");
	CHECK_STR(fail("title: t\nlastmod: 2024-6-1\n"), FILE_ ":3: "
	    "bad date \"2024-6-1\", expected YYYY-MM-DD");
	CHECK_STR(fail("title: t\nlastmod: 2024-06-01x\n"), FILE_ ":3: "
	    "bad date \"2024-06-01x\", expected YYYY-MM-DD");
	CHECK_STR(fail("title: t\nlastmod: 2024-06-01T25:00:00Z\n"),
	    FILE_ ":3: bad date \"2024-06-01T25:00:00Z\", "
	    "expected YYYY-MM-DD");
	CHECK_STR(fail("title: t\nlastmod: June 1\n"), FILE_ ":3: "
	    "bad date \"June 1\", expected YYYY-MM-DD");
	CHECK_STR(fail("title: t\nlastmod: [2024-06-01]\n"), FILE_ ":3: "
	    "lastmod must be a date");
}

static void
test_errors(void)
{
	/* The title. */
	CHECK_STR(fail("weight: 1\n"), FILE_ ":1: missing title");
	CHECK_STR(fail(""), FILE_ ":1: missing title");
	CHECK_STR(fail("# only a comment\n"), FILE_ ":1: missing title");
	CHECK_STR(fail("weight: 1\ntitle: \"\"\n"), FILE_ ":3: missing title");
	CHECK_STR(fail("weight: 1\ntitle:\n"), FILE_ ":3: missing title");
	CHECK_STR(fail("title: [a, b]\n"), FILE_ ":2: title must be a string");

	/* Types, each at the value's line. */
	CHECK_STR(fail("title: t\nweight: abc\n"),
	    FILE_ ":3: weight must be an integer");
	CHECK_STR(fail("title: t\nweight: \"5\"\n"),
	    FILE_ ":3: weight must be an integer");
	CHECK_STR(fail("title: t\nweight: 1.5\n"),
	    FILE_ ":3: weight must be an integer");
	CHECK_STR(fail("title: t\nweight:\n"),
	    FILE_ ":3: weight must be an integer");
	CHECK_STR(fail("title: t\nweight: 99999999999\n"),
	    FILE_ ":3: weight is out of range");
	CHECK_STR(fail("title: t\ndraft: yes please\n"),
	    FILE_ ":3: draft must be true or false");
	CHECK_STR(fail("title: t\ndescription: {a: b}\n"),
	    FILE_ ":3: description must be a string");
	CHECK_STR(fail("title: t\ntags: {a: b}\n"),
	    FILE_ ":3: tags must be a list of strings");
	CHECK_STR(fail("title: t\nkeywords:\n  - ok\n  - [nested]\n"),
	    FILE_ ":5: keywords must be a list of strings");
	CHECK_STR(fail("title: t\ntitle: u\n"),
	    FILE_ ":3: duplicate key \"title\", first on line 2");

	/* Every error of the file, in order. */
	CHECK_STR(fail("weight: x\ndraft: 2\nlastmod: 2024-02-30\n"),
	    FILE_ ":2: weight must be an integer|"
	    FILE_ ":3: draft must be true or false|"
	    FILE_ ":4: bad date \"2024-02-30\", expected YYYY-MM-DD|"
	    FILE_ ":1: missing title");

	/* Not a mapping. */
	CHECK_STR(fail("- a\n- b\n"),
	    FILE_ ":2: front matter must be a mapping of keys to values");
	CHECK_STR(fail("just text\n"),
	    FILE_ ":2: front matter must be a mapping of keys to values");

	/* YAML syntax errors carry libyaml's reason and the file line. */
	CHECK_STR(fail("title: t\nweight: 1\nbad: a: b\n"), FILE_ ":4: "
	    "mapping values are not allowed in this context");
	CHECK_STR(fail("title: t\ndescription: \"open\n"),
	    FILE_ ":4: found unexpected end of stream "
	    "(while scanning a quoted scalar on line 3)");
	CHECK_STR(fail("title: t\n tags: x\n"), FILE_ ":3: "
	    "mapping values are not allowed in this context");
	CHECK(strncmp(fail("title: *nowhere\n"), FILE_ ":2: ",
	    strlen(FILE_ ":2: ")) == 0);
	/* Invalid UTF-8 is found by libyaml's reader. */
	CHECK(strncmp(fail("title: t\ndescription: \xff\xfe\n"), FILE_ ":3: ",
	    strlen(FILE_ ":3: ")) == 0);
	CHECK(strstr(errs, "UTF-8") != NULL);
	/* Two documents. */
	CHECK_STR(fail("title: t\n---\ntitle: u\n"),
	    FILE_ ":4: more than one YAML document");
}

static void
test_lines(void)
{
	struct diags		 d = { NULL, 0, 0 };
	struct frontmatter	 fm;
	const char		*y = "title: t\n\n\nweight: w\n";

	/* line0 shifts every line: YAML starting on line 10. */
	CHECK(frontmatter_parse(&fm, y, strlen(y), "x.md", 10, &d) != 0);
	CHECK(d.n == 1);
	if (d.n == 1)
		CHECK_STR(d.msg[0], "x.md:13: weight must be an integer");
	frontmatter_free(&fm);
	diag_free(&d);

	/* Only len bytes are read, not up to a NUL. */
	y = "title: t\nweight: 1\nweight: 2\n";
	CHECK(frontmatter_parse(&fm, y, 18, "x.md", 2, &d) == 0);
	CHECK(d.n == 0 && fm.weight == 1);
	frontmatter_free(&fm);
	diag_free(&d);
}

/*
 * Anchors and aliases: the one case the front matter is parsed through
 * libyaml's document tree, which resolves and checks them.
 */
static void
test_aliases(void)
{
	struct frontmatter	 fm;

	CHECK(parse(&fm, "title: &t 标题\ndescription: *t\n"
	    "tags: &l [a, b]\nkeywords: *l\nweight: 2\n") == 0);
	CHECK_STR(fm.title, "标题");
	CHECK_STR(fm.description, "标题");
	CHECK(fm.tags.n == 2 && fm.keywords.n == 2 && fm.weight == 2);
	if (fm.keywords.n == 2)
		CHECK_STR(fm.keywords.v[1], "b");
	frontmatter_free(&fm);
	/* A value's line is its anchor's. */
	CHECK_STR(fail("title: T\nx: &w nine\n\nweight: *w\n"),
	    FILE_ ":3: weight must be an integer");
	CHECK_STR(fail("title: *nope\n"), FILE_ ":2: found undefined alias");
	CHECK_STR(fail("title: &a A\nweight: &a 3\n"), FILE_ ":3: second "
	    "occurrence (found duplicate anchor; first occurrence on line 2)");
	/* An alias in a second document: the tree reports it. */
	CHECK_STR(fail("title: T\n---\n*x\n"),
	    FILE_ ":4: found undefined alias");
	CHECK_STR(fail("title: T\n--- &a x\n"),
	    FILE_ ":3: more than one YAML document");
}

static void
test_strlist(void)
{
	struct strlist	 l = { NULL, 0 };
	size_t		 i;
	char		 want[16];

	for (i = 0; i < 100; i++) {
		snprintf(want, sizeof(want), "s%zuXYZ", i);
		strlist_add(&l, want, strlen(want) - 3);
	}
	CHECK(l.n == 100);
	CHECK_STR(l.v[0], "s0");
	CHECK_STR(l.v[99], "s99");
	strlist_free(&l);
	CHECK(l.n == 0 && l.v == NULL);
}

int
main(void)
{
	TEST(test_full);
	TEST(test_defaults);
	TEST(test_dates);
	TEST(test_errors);
	TEST(test_lines);
	TEST(test_aliases);
	TEST(test_strlist);
	return harness_done();
}
