/*
 * test_template.c: the Mustache-subset template engine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faqgen.h"
#include "harness.h"

/* Partials for the tests: a small table of parsed templates. */
struct partials {
	const char		*name[8];
	struct template		*t[8];
	size_t			 n;
	int			 calls;
};

static const struct template *
find_partial(void *arg, const char *name)
{
	struct partials	*p = arg;
	size_t		 i;

	p->calls++;
	for (i = 0; i < p->n; i++)
		if (strcmp(p->name[i], name) == 0)
			return p->t[i];
	return NULL;
}

static void
partial_add(struct partials *p, const char *name, const char *src)
{
	struct diags	 d = { NULL, 0, 0 };

	p->name[p->n] = name;
	p->t[p->n] = template_parse(name, src, strlen(src), &d);
	CHECK(p->t[p->n] != NULL && d.n == 0);
	p->n++;
	diag_free(&d);
}

static void
partials_free(struct partials *p)
{
	size_t	 i;

	for (i = 0; i < p->n; i++)
		template_free(p->t[i]);
}

/*
 * Parse src as "layouts/test.html" and render it with o; returns the
 * output (static, overwritten by the next call) or "PARSE ERROR".
 */
static char	*last;

static const char *
render(const char *src, const struct tobj *o, struct partials *p)
{
	struct diags	 d = { NULL, 0, 0 };
	struct template	*t;
	struct buf	 out = { NULL, 0, 0 };

	free(last);
	last = NULL;
	t = template_parse("layouts/test.html", src, strlen(src), &d);
	if (t == NULL) {
		diag_free(&d);
		return "PARSE ERROR";
	}
	template_render(t, o, p ? find_partial : NULL, p, &out);
	template_free(t);
	diag_free(&d);
	buf_putc(&out, '\0');
	last = buf_detach(&out, NULL);
	return last;
}

/*
 * Parse src and return its diagnostics joined by '|' (static,
 * overwritten by the next call), or "OK" when it parsed.
 */
static char	*lasterr;

static const char *
errors(const char *src)
{
	struct diags	 d = { NULL, 0, 0 };
	struct template	*t;
	struct buf	 b = { NULL, 0, 0 };
	size_t		 i;

	free(lasterr);
	lasterr = NULL;
	t = template_parse("layouts/question.html", src, strlen(src), &d);
	if (t != NULL) {
		CHECK(d.n == 0);
		template_free(t);
		diag_free(&d);
		return "OK";
	}
	CHECK(d.n > 0);
	for (i = 0; i < d.n; i++) {
		if (i > 0)
			buf_putc(&b, '|');
		buf_puts(&b, d.msg[i]);
	}
	diag_free(&d);
	buf_putc(&b, '\0');
	lasterr = buf_detach(&b, NULL);
	return lasterr;
}

static void
test_variables(void)
{
	struct tobj	*o = tobj_new();

	tobj_str(o, "title", "Q & A <b>\"x\"</b>");
	tobj_own(o, "owned", xstrdup("mine"));
	CHECK_STR(render("plain text", o, NULL), "plain text");
	CHECK_STR(render("", o, NULL), "");
	CHECK_STR(render("<h1>{{title}}</h1>", o, NULL),
	    "<h1>Q &amp; A &lt;b&gt;&quot;x&quot;&lt;/b&gt;</h1>");
	CHECK_STR(render("{{{title}}}", o, NULL), "Q & A <b>\"x\"</b>");
	CHECK_STR(render("{{& title}}", o, NULL), "Q & A <b>\"x\"</b>");
	CHECK_STR(render("[{{ title }}]", o, NULL),
	    "[Q &amp; A &lt;b&gt;&quot;x&quot;&lt;/b&gt;]");
	CHECK_STR(render("[{{{ title }}}]", o, NULL), "[Q & A <b>\"x\"</b>]");
	CHECK_STR(render("{{owned}}{{missing}}.", o, NULL), "mine.");
	/* A key set twice keeps the last value (and frees the owned one). */
	tobj_own(o, "owned", xstrdup("again"));
	tobj_str(o, "owned", "borrowed");
	CHECK_STR(render("{{owned}}", o, NULL), "borrowed");
	/* Lone braces are text. */
	CHECK_STR(render("a { b } c }} d", o, NULL), "a { b } c }} d");
	/* UTF-8 passes through untouched. */
	tobj_str(o, "zh", "护照办理");
	CHECK_STR(render("{{zh}}", o, NULL), "护照办理");
	CHECK_STR(render("{{title}}", NULL, NULL), "");
	tobj_free(o);
}

static void
test_sections(void)
{
	struct tobj	*o = tobj_new(), *q;

	tobj_str(o, "site", "FAQ");
	tobj_str(o, "empty", "");
	tobj_bool(o, "yes", 1);
	tobj_bool(o, "no", 0);
	q = tobj_push(o, "questions");
	tobj_str(q, "title", "First");
	q = tobj_push(o, "questions");
	tobj_str(q, "title", "Second");
	tobj_str(q, "site", "inner");
	tobj_push(o, "nothing");	/* list of one empty object */

	CHECK_STR(render("{{#questions}}<li>{{title}}</li>{{/questions}}",
	    o, NULL), "<li>First</li><li>Second</li>");
	/* Names resolve innermost first, then outward. */
	CHECK_STR(render("{{#questions}}{{site}},{{/questions}}", o, NULL),
	    "FAQ,inner,");
	CHECK_STR(render("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}", o, NULL), "Y");
	CHECK_STR(render("{{#site}}[{{site}}]{{/site}}", o, NULL), "[FAQ]");
	CHECK_STR(render("{{#empty}}E{{/empty}}{{#missing}}M{{/missing}}",
	    o, NULL), "");
	CHECK_STR(render("{{#nothing}}once{{/nothing}}", o, NULL), "once");
	/* Inverted sections. */
	CHECK_STR(render("{{^questions}}none{{/questions}}", o, NULL), "");
	CHECK_STR(render("{{^missing}}none{{/missing}}", o, NULL), "none");
	CHECK_STR(render("{{^no}}N{{/no}}{{^yes}}Y{{/yes}}", o, NULL), "N");
	CHECK_STR(render("{{^empty}}E{{/empty}}", o, NULL), "E");
	/* Whitespace inside section tags. */
	CHECK_STR(render("{{# yes }}y{{/ yes }}{{^ no }}n{{/ no }}", o,
	    NULL), "yn");
	/* A list set to a string and back. */
	tobj_str(o, "nothing", "now a string");
	CHECK_STR(render("{{#nothing}}{{nothing}}{{/nothing}}", o, NULL),
	    "now a string");
	tobj_free(o);
}

static void
test_nesting(void)
{
	struct tobj	*o = tobj_new(), *c, *q;

	tobj_str(o, "site", "S");
	c = tobj_push(o, "categories");
	tobj_str(c, "name", "exam");
	q = tobj_push(c, "questions");
	tobj_str(q, "title", "a");
	q = tobj_push(c, "questions");
	tobj_str(q, "title", "b");
	tobj_bool(q, "last", 1);
	c = tobj_push(o, "categories");
	tobj_str(c, "name", "pay");
	q = tobj_push(c, "tags");
	tobj_str(q, ".", "t1");
	q = tobj_push(c, "tags");
	tobj_str(q, ".", "t2");

	CHECK_STR(render("{{#categories}}{{name}}:"
	    "{{#questions}}{{site}}/{{name}}/{{title}}{{^last}},{{/last}}"
	    "{{/questions}}"
	    "{{^questions}}-{{/questions}};{{/categories}}", o, NULL),
	    "exam:S/exam/a,S/exam/b;pay:-;");
	/* "." is the current item only, never an outer one. */
	CHECK_STR(render("{{#categories}}{{#tags}}<{{.}}>{{/tags}}"
	    "{{/categories}}", o, NULL), "<t1><t2>");
	CHECK_STR(render("{{#categories}}[{{.}}]{{/categories}}", o, NULL),
	    "[][]");
	/* The same name nested in itself. */
	CHECK_STR(render("{{#categories}}{{#categories}}x{{/categories}}"
	    "{{/categories}}", o, NULL), "xxxx");
	tobj_free(o);
}

static void
test_comments(void)
{
	struct tobj	*o = tobj_new();

	tobj_str(o, "a", "A");
	CHECK_STR(render("x{{! a comment }}y", o, NULL), "xy");
	CHECK_STR(render("x{{!}}y", o, NULL), "xy");
	CHECK_STR(render("x{{! spans\nlines }}y{{a}}", o, NULL),
	    "xyA");
	tobj_free(o);
}

static void
test_standalone(void)
{
	struct tobj	*o = tobj_new(), *q;

	q = tobj_push(o, "list");
	tobj_str(q, "v", "1");
	q = tobj_push(o, "list");
	tobj_str(q, "v", "2");
	tobj_bool(o, "yes", 1);

	CHECK_STR(render("<ul>\n  {{#list}}\n  <li>{{v}}</li>\n"
	    "  {{/list}}\n</ul>\n", o, NULL),
	    "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
	CHECK_STR(render("a\n{{! note }}\nb\n", o, NULL), "a\nb\n");
	CHECK_STR(render("a\n\t{{^yes}}\nno\n{{/yes}}\t \nb", o, NULL),
	    "a\nb");
	/* At the very start and the very end, without a newline. */
	CHECK_STR(render("{{#yes}}\nin\n{{/yes}}", o, NULL), "in\n");
	/* CRLF line ends go with the tag. */
	CHECK_STR(render("a\r\n{{#yes}}\r\nb\r\n{{/yes}}\r\n", o, NULL),
	    "a\r\nb\r\n");
	/* Not standalone: text or another tag on the same line. */
	CHECK_STR(render("a {{#yes}}\nb\n{{/yes}} c\n", o, NULL),
	    "a \nb\n c\n");
	CHECK_STR(render("{{#yes}}{{/yes}}\nx", o, NULL), "\nx");
	CHECK_STR(render("{{#list}}{{v}}{{/list}}\nx", o, NULL), "12\nx");
	/* Variables are never standalone. */
	CHECK_STR(render("  {{v}}\nx", o, NULL), "  \nx");
	tobj_free(o);
}

static void
test_partials(void)
{
	struct partials	 p;
	struct tobj	*o = tobj_new(), *q;
	struct diags	 d = { NULL, 0, 0 };
	struct template	*t;
	const char	*src;

	memset(&p, 0, sizeof(p));
	partial_add(&p, "partials/header", "<h1>{{title}}</h1>\n");
	partial_add(&p, "partials/item", "<li>{{title}}</li>");
	partial_add(&p, "loop", "[{{> loop}}]");
	tobj_str(o, "title", "T&");
	q = tobj_push(o, "qs");
	tobj_str(q, "title", "q1");

	CHECK_STR(render("{{> partials/header}}<p>", o, &p),
	    "<h1>T&amp;</h1>\n<p>");
	CHECK_STR(render("{{>partials/header}}", o, &p), "<h1>T&amp;</h1>\n");
	/* The partial sees the caller's context stack. */
	CHECK_STR(render("{{#qs}}{{> partials/item}}{{/qs}}", o, &p),
	    "<li>q1</li>");
	/* A standalone partial takes its line with it. */
	CHECK_STR(render("<body>\n  {{> partials/header}}\n</body>", o, &p),
	    "<body>\n<h1>T&amp;</h1>\n</body>");
	/* An unknown partial renders nothing. */
	CHECK_STR(render("a{{> nope}}b", o, &p), "ab");
	/* Recursion stops at a fixed depth instead of overflowing. */
	p.calls = 0;
	render("{{> loop}}", o, &p);
	CHECK(p.calls > 1 && p.calls <= 64);
	CHECK(last != NULL && last[0] == '[' && strchr(last, ']') != NULL);
	CHECK(last != NULL && strlen(last) == 2 * (size_t)p.calls);

	/* template_check_partials reports each unknown one with its line. */
	src = "{{> partials/header}}\n\n{{#qs}}\n{{> partials/footer}}\n"
	    "{{/qs}}{{> nope}}\n";
	t = template_parse("layouts/question.html", src, strlen(src), &d);
	CHECK(t != NULL);
	if (t != NULL) {
		CHECK(template_check_partials(t, find_partial, &p, &d) == -1);
		CHECK(d.n == 2);
		if (d.n == 2) {
			CHECK_STR(d.msg[0], "layouts/question.html:4: "
			    "unknown partial \"partials/footer\"");
			CHECK_STR(d.msg[1], "layouts/question.html:5: "
			    "unknown partial \"nope\"");
		}
		template_free(t);
	}
	diag_free(&d);
	src = "{{> partials/item}}";
	t = template_parse("layouts/x.html", src, strlen(src), &d);
	CHECK(t != NULL && template_check_partials(t, find_partial, &p, &d)
	    == 0 && d.n == 0);
	template_free(t);
	diag_free(&d);

	/*
	 * A partial that includes itself, directly or through others, is
	 * an error, reported once (by the cycle's first file name) with
	 * the chain; a template that only uses such a partial is not part
	 * of the cycle and says nothing.
	 */
	partial_add(&p, "b", "x\n{{> c}}");
	partial_add(&p, "c", "{{> d}}");
	partial_add(&p, "d", "{{> b}}");
	partial_add(&p, "user", "{{> b}}{{> partials/item}}");
	{
		size_t	 i, bad = 0;

		for (i = 0; i < p.n; i++)
			if (template_check_partials(p.t[i], find_partial, &p,
			    &d) != 0)
				bad++;
		/* loop, b, c, d: each is in a cycle; user is not. */
		CHECK(bad == 4);
		CHECK(d.n == 2);
		if (d.n == 2) {
			CHECK_STR(d.msg[0], "loop:1: partials include "
			    "themselves: {{>loop}} leads back here");
			CHECK_STR(d.msg[1], "b:2: partials include themselves: "
			    "{{>c}} then {{>d}} then {{>b}} leads back here");
		}
		diag_free(&d);
	}

	partials_free(&p);
	tobj_free(o);
}

static void
test_errors(void)
{
	CHECK_STR(errors("{{#a}}{{/a}}"), "OK");
	CHECK_STR(errors("line 1\nline 2 {{#list}}\n\nx\n"),
	    "layouts/question.html:2: unclosed section \"list\"");
	CHECK_STR(errors("{{#a}}\n{{^b}}\n{{/a}}\n{{/b}}"),
	    "layouts/question.html:3: mismatched {{/a}}, expected {{/b}}|"
	    "layouts/question.html:4: mismatched {{/b}}, expected {{/a}}");
	CHECK_STR(errors("\n\n{{/x}}"),
	    "layouts/question.html:3: unexpected {{/x}}");
	CHECK_STR(errors("a\nb {{title\nc"),
	    "layouts/question.html:2: unclosed tag");
	CHECK_STR(errors("a\nb {{{title}}\nc"),
	    "layouts/question.html:2: unclosed tag");
	CHECK_STR(errors("x\n{{ }}"), "layouts/question.html:2: empty tag");
	CHECK_STR(errors("{{#}}"), "layouts/question.html:1: empty tag");
	CHECK_STR(errors("{{}}"), "layouts/question.html:1: empty tag");
	CHECK_STR(errors("{{> }}"), "layouts/question.html:1: empty tag");
	CHECK_STR(errors("<title>{{title}</title>\n<h1>{{title}}</h1>"),
	    "layouts/question.html:1: unclosed tag");
	CHECK_STR(errors("\n{{first name}}"),
	    "layouts/question.html:2: bad tag name \"first name\"");
	CHECK_STR(errors("{{#a b}}{{/a b}}"),
	    "layouts/question.html:1: bad tag name \"a b\"|"
	    "layouts/question.html:1: bad tag name \"a b\"");
	CHECK_STR(errors("{{> a\nb}}"),
	    "layouts/question.html:1: bad tag name \"a\"");
	/* Every error of a file, not just the first. */
	CHECK_STR(errors("{{}}\n{{#a}}\n{{#b}}\n{{/b}}\n"),
	    "layouts/question.html:1: empty tag|"
	    "layouts/question.html:2: unclosed section \"a\"");
	/* Lines after a multi-line comment are still counted. */
	CHECK_STR(errors("{{!\n\n}}\n{{/z}}"),
	    "layouts/question.html:4: unexpected {{/z}}");
}

/* A larger render, twice, so a reused buffer appends rather than mixes. */
static void
test_reuse(void)
{
	struct diags	 d = { NULL, 0, 0 };
	struct template	*t;
	struct tobj	*o = tobj_new(), *q;
	struct buf	 out = { NULL, 0, 0 };
	char		 key[16];
	size_t		 i;
	const char	*src = "{{#q}}{{n}};{{/q}}";

	for (i = 0; i < 1000; i++) {
		q = tobj_push(o, "q");
		snprintf(key, sizeof(key), "%zu", i);
		tobj_own(q, "n", xstrdup(key));
	}
	t = template_parse("t", src, strlen(src), &d);
	CHECK(t != NULL);
	if (t != NULL) {
		template_render(t, o, NULL, NULL, &out);
		CHECK(out.len == 3890);
		CHECK(out.len > 6 && memcmp(out.data, "0;1;2;", 6) == 0);
		buf_truncate(&out, 0);
		template_render(t, o, NULL, NULL, &out);
		CHECK(out.len == 3890);
		CHECK(out.len > 4 &&
		    memcmp(out.data + out.len - 4, "999;", 4) == 0);
	}
	template_free(t);
	buf_free(&out);
	tobj_free(o);
	diag_free(&d);
}

/* tobj_safe(): escaped once by the caller, shown as it is. */
static void
test_safe(void)
{
	struct tobj	*o = tobj_new();

	tobj_safe(o, "t", "a &amp; b<br>", 9);	/* the first 9 bytes only */
	CHECK_STR(render("[{{t}}|{{{t}}}]", o, NULL), "[a &amp; b|a &amp; b]");
	CHECK_STR(render("{{#t}}y{{/t}}{{^t}}n{{/t}}", o, NULL), "y");
	tobj_safe(o, "e", "", 0);
	CHECK_STR(render("{{#e}}y{{/e}}{{^e}}n{{/e}}", o, NULL), "n");
	/* Set again as a plain string: escaped again. */
	tobj_str(o, "t", "a & b");
	CHECK_STR(render("{{t}}", o, NULL), "a &amp; b");
	tobj_free(o);
}

/*
 * tobj_reset(): the next page sees nothing of the last; a tree built in
 * the same order reuses the objects of its lists.
 */
static void
test_reset(void)
{
	struct tobj	*o = tobj_new(), *q, *first;

	tobj_str(o, "title", "one");
	tobj_own(o, "owned", xstrdup("mine"));
	first = q = tobj_push(o, "qs");
	tobj_str(q, "t", "a");
	tobj_push(tobj_push(o, "qs"), "inner");
	CHECK_STR(render("{{title}}{{owned}}:{{#qs}}[{{t}}]{{/qs}}", o, NULL),
	    "onemine:[a][]");
	tobj_reset(o);
	CHECK_STR(render("{{title}}{{owned}}:{{#qs}}[{{t}}]{{/qs}}", o, NULL),
	    ":");
	/* Keys set in the same order get the same slots back. */
	tobj_str(o, "title", "");
	tobj_str(o, "owned", "two");
	q = tobj_push(o, "qs");
	CHECK(q == first);
	CHECK_STR(render("{{owned}}:{{#qs}}[{{t}}]{{#inner}}i{{/inner}}"
	    "{{/qs}}", o, NULL), "two:[]");
	/* A key that was a list, now a string, and a list again. */
	tobj_str(o, "qs", "s");
	CHECK_STR(render("{{qs}}", o, NULL), "s");
	q = tobj_push(o, "qs");
	tobj_str(q, "t", "b");
	CHECK_STR(render("{{#qs}}[{{t}}]{{/qs}}", o, NULL), "[b]");
	tobj_reset(o);
	tobj_reset(o);
	CHECK_STR(render("{{#qs}}x{{/qs}}{{qs}}", o, NULL), "");
	tobj_free(o);
}

/* More keys than the hash index holds: found all the same. */
static void
test_many_keys(void)
{
	struct tobj	*o = tobj_new();
	char		 keys[100][8], src[64];
	size_t		 i;

	for (i = 0; i < 100; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
		tobj_str(o, keys[i], keys[i]);
	}
	CHECK_STR(render("{{k0}},{{k31}},{{k32}},{{k33}},{{k99}},{{k100}}.",
	    o, NULL), "k0,k31,k32,k33,k99,.");
	tobj_str(o, "k5", "five");
	tobj_str(o, "k77", "seventy-seven");
	for (i = 0; i < 100; i += 9) {
		snprintf(src, sizeof(src), "{{%s}}", keys[i]);
		CHECK_STR(render(src, o, NULL), i == 77 ? "seventy-seven" :
		    keys[i]);
	}
	CHECK_STR(render("{{k5}}{{k77}}", o, NULL), "fiveseventy-seven");
	tobj_reset(o);
	CHECK_STR(render("{{k0}}{{k99}}", o, NULL), "");
	tobj_str(o, "k99", "again");
	CHECK_STR(render("{{k0}}{{k99}}", o, NULL), "again");
	tobj_free(o);
}

/* A tree's hash: same content, same hash; any difference, another. */
static uint64_t
hash_of(void (*fill)(struct tobj *, int), int variant)
{
	struct tobj	*o = tobj_new();
	uint64_t	 h;

	fill(o, variant);
	h = tobj_hash(o, 42);
	tobj_free(o);
	return h;
}

static void
fill_page(struct tobj *o, int variant)
{
	struct tobj	*c, *q;
	char		 own[8];

	tobj_str(o, "title", variant == 1 ? "问题乙" : "问题甲");
	tobj_safe(o, "body", "<p>a</p>", variant == 2 ? 7 : 8);
	tobj_bool(o, "long", variant == 3);
	c = tobj_push(o, "categories");
	tobj_str(c, "title", "A");
	q = tobj_push(c, "questions");
	tobj_str(q, "title", variant == 4 ? "x" : "q1");
	tobj_bool(q, "current", variant == 5);
	if (variant == 6)
		tobj_push(c, "questions");
	if (variant != 7) {
		c = tobj_push(o, "categories");
		tobj_str(c, "title", "B");
	}
	/* The same string set escaped or not shows differently. */
	if (variant == 8)
		tobj_safe(o, "tag", "&amp;", 5);
	else
		tobj_str(o, "tag", "&amp;");
	/* An owned copy hashes as its bytes, not its address. */
	snprintf(own, sizeof(own), "%s", variant == 9 ? "own2" : "own");
	tobj_own(o, "own", strdup(own));
	if (variant == 10)
		tobj_str(o, "extra", "");
}

/* Items moved between lists: same strings, other shapes. */
static void
fill_shape(struct tobj *o, int variant)
{
	struct tobj	*a;

	a = tobj_push(o, "l");
	tobj_str(a, "k", "1");
	if (variant == 0)
		tobj_str(a, "k2", "2");
	else {
		a = tobj_push(o, "l");
		tobj_str(a, "k2", "2");
	}
}

static void
test_hash(void)
{
	struct tobj	*o;
	uint64_t	 h0;
	int		 i, j;
	uint64_t	 all[11];

	h0 = hash_of(fill_page, 0);
	CHECK(h0 == hash_of(fill_page, 0));
	for (i = 0; i <= 10; i++)
		all[i] = hash_of(fill_page, i);
	for (i = 0; i <= 10; i++)
		for (j = i + 1; j <= 10; j++)
			CHECK(all[i] != all[j]);
	CHECK(hash_of(fill_shape, 0) != hash_of(fill_shape, 1));

	/* Another seed, another hash; a reset tree built again, the same. */
	o = tobj_new();
	fill_page(o, 0);
	CHECK(tobj_hash(o, 43) != h0);
	tobj_reset(o);
	fill_page(o, 0);
	CHECK(tobj_hash(o, 42) == h0);
	/* A value set again replaces the old one, as the output would. */
	tobj_str(o, "title", "问题乙");
	tobj_str(o, "title", "问题甲");
	CHECK(tobj_hash(o, 42) == h0);
	tobj_reset(o);
	CHECK(tobj_hash(o, 42) != h0);
	tobj_free(o);
}

int
main(void)
{
	TEST(test_variables);
	TEST(test_sections);
	TEST(test_nesting);
	TEST(test_comments);
	TEST(test_standalone);
	TEST(test_partials);
	TEST(test_errors);
	TEST(test_reuse);
	TEST(test_safe);
	TEST(test_reset);
	TEST(test_many_keys);
	TEST(test_hash);
	free(last);
	free(lasterr);
	return harness_done();
}
