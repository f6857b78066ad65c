/*
 * test_index.c: the search index of a small site built in memory, written
 * through publish.c into a temporary folder and read back.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faqgen.h"
#include "harness.h"

static char	*kw_pay[] = { (char *)"交费", (char *)"付款" };
static char	*tag_pay[] = { (char *)"缴费" };
static struct heading heads[] = {
	{ 2, (char *)"ban-li", (char *)"办理方式" },
	{ 2, (char *)"zhu-yi", (char *)"注意事项" },
};
static const char synonyms[] =
    "# comment line\n"
    "缴费 交费 付款   # trailing comment\n"
    "\n"
    "lonely\n"
    "遗失,丢失\t掉了\n";

static struct page cat_pay, cat_cert, q_paid, q_lost, q_code;
static struct page *cats[] = { &cat_pay, &cat_cert };
static struct page *questions[] = { &q_paid, &q_lost, &q_code };
static struct site site;

static void
make_site(void)
{
	cat_pay.kind = cat_cert.kind = PAGE_CATEGORY;
	cat_pay.fm.title = (char *)"缴费";
	cat_pay.out = (char *)"jiaofei/index.html";
	cat_cert.fm.title = (char *)"证书";
	cat_cert.out = (char *)"zhengshu/index.html";

	q_paid.kind = PAGE_QUESTION;
	q_paid.fm.title = (char *)"已扣款但系统仍显示未缴费怎么办？";
	q_paid.fm.keywords.v = kw_pay;
	q_paid.fm.keywords.n = 2;
	q_paid.fm.tags.v = tag_pay;
	q_paid.fm.tags.n = 1;
	q_paid.text = (char *)"系统会在24小时内审核对账。\n";
	q_paid.out = (char *)"jiaofei/yi-koukuan.html";
	q_paid.category = &cat_pay;

	q_lost.kind = PAGE_QUESTION;
	q_lost.fm.title = (char *)"纸质证书遗失怎么办？";
	/* "𠀀" counts two UTF-16 units: the heading offsets must know. */
	q_lost.text = (char *)"𠀀已制发的纸质证书遗失，不再办理补发。\n"
	    "办理方式\n请登录系统申请<补办>。\n注意事项\n缴费 \"后\" 办理。\n";
	q_lost.headings = heads;
	q_lost.nheadings = 2;
	q_lost.out = (char *)"zhengshu/buban.html";
	q_lost.category = &cat_cert;

	q_code.kind = PAGE_QUESTION;
	q_code.fm.title = (char *)"成绩显示-2是什么意思？";
	q_code.text = (char *)"“-2”代表违纪。电话010-68607734。";
	q_code.out = (char *)"zhengshu/fuhao.html";
	q_code.category = &cat_cert;

	site.categories = cats;
	site.ncategories = 2;
	site.questions = questions;
	site.nquestions = 3;
	site.synonyms = (char *)synonyms;
	site.synonyms_len = sizeof(synonyms) - 1;
}

static char	 tmp[] = "/tmp/faqgen-test-index-XXXXXX";

static char *
slurp(const char *dir, const char *rel, size_t *lenp)
{
	char	*path, *s;

	path = xasprintf("%s/%s/%s", tmp, dir, rel);
	s = harness_slurp(path, lenp);
	free(path);
	return s;
}

/*
 * An index file, search/rel.js: faqgenSearch("kind",id,JSON);\n.  Returns
 * the JSON, or NULL when the file is missing or not of that form.
 */
static char *
slurp_js(const char *dir, const char *rel, char kind, size_t id)
{
	char	*s, *head, *path;
	size_t	 len, hl;

	path = xasprintf("search/%s.js", rel);
	s = slurp(dir, path, &len);
	free(path);
	if (s == NULL)
		return NULL;
	head = xasprintf("faqgenSearch(\"%c\",%zu,", kind, id);
	hl = strlen(head);
	if (len < hl + 3 || strncmp(s, head, hl) != 0 ||
	    strcmp(s + len - 3, ");\n") != 0) {
		free(head);
		free(s);
		return NULL;
	}
	free(head);
	s[len - 3] = '\0';
	memmove(s, s + hl, len - 3 - hl + 1);
	return s;
}

static int
build(const char *dir)
{
	struct diags	 d = { 0 };
	struct output	*out;
	struct publish_stats st;
	char		*path;
	int		 rc;

	path = xasprintf("%s/%s", tmp, dir);
	out = output_open(path, 0, &d);
	free(path);
	if (out == NULL) {
		diag_free(&d);
		return -1;
	}
	rc = index_write(&site, out);
	if (rc == 0)
		rc = output_commit(out, &st);
	else
		output_abort(out);
	diag_print(&d);
	diag_free(&d);
	return rc;
}

static size_t nshards;

static void
test_manifest(void)
{
	char	*m;

	m = slurp_js("a", "manifest", 'm', 0);
	CHECK(m != NULL);
	if (m == NULL)
		return;
	CHECK(strncmp(m, "{\"v\":3,\"n\":3,\"shards\":", 22) == 0);
	nshards = strtoul(m + 22, NULL, 10);
	CHECK(strstr(m, ",\"qs\":4,\"dc\":4,") != NULL);
	CHECK(nshards >= 1 && (nshards & (nshards - 1)) == 0);
	CHECK(strstr(m, "\"cats\"") == NULL);
	/* Comments and one-word lines dropped; commas and tabs separate. */
	CHECK(strstr(m, "\"syn\":[[\"缴费\",\"交费\",\"付款\"],"
	    "[\"遗失\",\"丢失\",\"掉了\"]]}") != NULL);
	free(m);
	m = slurp_js("a", "cats", 'c', 0);
	CHECK_STR(m, "[[\"缴费\",\"jiaofei/index.html\"],"
	    "[\"证书\",\"zhengshu/index.html\"]]");
	free(m);
	/* One form of each file: the .js a <script> tag loads. */
	CHECK(slurp("a", "search/manifest.json", NULL) == NULL);
	CHECK(slurp("a", "search/cats.json", NULL) == NULL);
}

/*
 * The posting list of tok, as written in its shard, decoded from base-32
 * digits to "df,doc,q,gap,q..." in decimal; NULL when tok is not there.
 */
static char *
postings(const char *tok)
{
	static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV"
	    "WXYZabcdefghijklmnopqrstuvwxyz-_";
	char		 rel[64], *s, *at, *want, *r = NULL;
	struct buf	 b = { 0 };
	unsigned long	 v = 0;
	size_t		 d;

	snprintf(rel, sizeof(rel), "s/%u",
	    (unsigned)(tokenize_hash(tok, strlen(tok)) % nshards));
	if ((s = slurp_js("a", rel, 's', strtoul(rel + 2, NULL, 10))) == NULL)
		return NULL;
	want = xasprintf("\"%s\":\"", tok);
	if ((at = strstr(s, want)) != NULL) {
		for (at += strlen(want); *at != '"' && *at != '\0'; at++) {
			d = (size_t)(strchr(digits, *at) - digits);
			v = v * 32 + (d & 31);
			if (d < 32) {
				buf_printf(&b, "%s%lu", b.len ? "," : "", v);
				v = 0;
			}
		}
		buf_puts(&b, "");
		r = buf_detach(&b, NULL);
	}
	free(want);
	free(s);
	return r;
}

static void
test_postings(void)
{
	char		*p;
	unsigned	 df, d0, q0, gap, q1;

	/* 缴费: title and tag of question 0, body of question 2 ... */
	p = postings("缴费");
	CHECK(p != NULL);
	if (p != NULL) {
		CHECK(sscanf(p, "%u,%u,%u,%u,%u", &df, &d0, &q0, &gap, &q1)
		    == 5);
		CHECK(df == 2 && d0 == 0 && gap == 1);
		/* The title and tag outweigh one mention in the answer. */
		CHECK(q0 > q1);
	}
	free(p);
	p = postings("遗失");
	CHECK(p != NULL && strncmp(p, "1,1,", 4) == 0);
	free(p);
	/* Codes stay whole; Latin and numbers; trigrams for adjacency. */
	p = postings("010-68607734");
	CHECK(p != NULL && strncmp(p, "1,2,", 4) == 0);
	free(p);
	p = postings("-2");
	CHECK(p != NULL && strncmp(p, "1,2,", 4) == 0);
	free(p);
	p = postings("纸质证");
	CHECK(p != NULL && strncmp(p, "1,1,", 4) == 0);
	free(p);
	/* ... but not from the answer's running text. */
	CHECK(postings("已制发") == NULL);
	/* Category titles are a field: 证书 reaches question 2 too. */
	p = postings("证书");
	CHECK(p != NULL && strncmp(p, "2,1,", 4) == 0);
	free(p);
	CHECK(postings("不存在") == NULL);
}

/* Result files: the three questions in one chunk, d/0, a list. */
static void
test_docs(void)
{
	char	*d, *q1, *q2;

	d = slurp_js("a", "d/0", 'd', 0);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	CHECK(strncmp(d, "[{\"t\":\"已扣款", 11) == 0);
	CHECK(strcmp(d + strlen(d) - 2, "}]") == 0);
	/* Question 0 has no headings. */
	CHECK(strstr(d, "\"h\":[]") != NULL && strstr(d, "\"h\":[]") <
	    strstr(d, "},{\"t\":"));
	q1 = strstr(d, "},{\"t\":\"纸质证书遗失怎么办？\"");
	q2 = strstr(d, "},{\"t\":\"成绩显示-2是什么意思？\"");
	CHECK(q1 != NULL && q2 != NULL && q1 < q2);
	if (q1 != NULL && q2 != NULL) {
		*q2 = '\0';
		CHECK(strstr(q1, "\"u\":\"zhengshu/buban.html\"") != NULL);
		CHECK(strstr(q1, "\"c\":\"证书\"") != NULL);
		/* 2 + 18 units and a newline before the first heading, 18
		   more before the second. */
		CHECK(strstr(q1, "\"h\":[[21,\"ban-li\"],[39,\"zhu-yi\"]]")
		    != NULL);
		/* Escaped for JSON and for <script>. */
		CHECK(strstr(q1, "\\u003c补办\\u003e") != NULL);
		CHECK(strstr(q1, "\\\"后\\\"") != NULL);
	}
	free(d);
	/* Nothing a <script> or an HTML parser would stop at. */
	d = slurp("a", "search/d/0.js", NULL);
	CHECK(d != NULL && strstr(d, "<") == NULL);
	free(d);
	CHECK(slurp("a", "search/d/0.json", NULL) == NULL);
	CHECK(slurp("a", "search/d/1.js", NULL) == NULL);
}

static void
test_pages(void)
{
	char	*p;

	p = slurp("a", "search/pages.json", NULL);
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK(strncmp(p, "[\n{\"url\":\"jiaofei/yi-koukuan.html\",\"title\":"
	    "\"已扣款但系统仍显示未缴费怎么办？\",\"category\":\"缴费\","
	    "\"text\":\"系统会在24小时内审核对账。\\n\"},\n", 50) == 0);
	CHECK(strstr(p, "\"url\":\"zhengshu/fuhao.html\"") != NULL);
	CHECK(strcmp(p + strlen(p) - 3, "}\n]") == 0 ||
	    strcmp(p + strlen(p) - 4, "}\n]\n") == 0);
	free(p);
}

/* The index files of two builds: the same bytes in each. */
static int
same_index(const char *da, const char *db)
{
	char	 rel[64], *a, *b;
	size_t	 i, la, lb, same = 0, n = 0;

	for (i = 0; i < nshards + 4; i++) {
		if (i < nshards)
			snprintf(rel, sizeof(rel), "search/s/%zu.js", i);
		else
			snprintf(rel, sizeof(rel), "search/%s",
			    i == nshards ? "d/0.js" : i == nshards + 1 ?
			    "manifest.js" : i == nshards + 2 ? "cats.js" :
			    "pages.json");
		a = slurp(da, rel, &la);
		b = slurp(db, rel, &lb);
		n++;
		if (a != NULL && b != NULL && la == lb &&
		    memcmp(a, b, la) == 0)
			same++;
		free(a);
		free(b);
	}
	return same == n;
}

/* The same site twice: the same bytes in every file. */
static void
test_deterministic(void)
{
	CHECK(build("b") == 0);
	CHECK(same_index("a", "b"));
}

/*
 * build() with FAQGEN_TIMING set: 1 when the index said it rebuilt
 * incrementally, 0 when it built in full, -1 when the build failed.
 */
static int
build_timed(const char *dir)
{
	char	*log, *s;
	int	 fd, saved, rc;

	log = xasprintf("%s/timing.log", tmp);
	fflush(stderr);
	saved = dup(2);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1) {
		dup2(fd, 2);
		close(fd);
	}
	setenv("FAQGEN_TIMING", "1", 1);
	rc = build(dir);
	unsetenv("FAQGEN_TIMING");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	free(log);
	s = slurp(".", "timing.log", NULL);
	if (rc == 0)
		rc = s != NULL && strstr(s, "index: incremental,") != NULL;
	else
		rc = -1;
	free(s);
	return rc;
}

/*
 * A build keeps a state beside the output; the next, with one answer
 * changed, rebuilds from it only what the edit touches, and its files
 * are a fresh build's.  A change that moves the average field lengths
 * builds in full, with the same result.
 */
static void
test_rebuild(void)
{
	char	*text = q_lost.text, *title = q_code.fm.title, *st;

	CHECK(build("r") == 0);
	st = xasprintf("%s/.r.state.index", tmp);
	CHECK(access(st, R_OK) == 0);
	free(st);
	/* The same length in every field: the averages stay. */
	q_lost.text = (char *)"𠀀已制发的纸质证书遗失，不再办理补领。\n"
	    "办理方式\n请登录系统申请<补办>。\n注意事项\n缴费 \"后\" 办理。\n";
	CHECK(build_timed("r") == 1);
	CHECK(build("r1") == 0);
	CHECK(same_index("r", "r1"));
	q_code.fm.title = (char *)"成绩显示-2或者-4是什么意思呢？";
	CHECK(build_timed("r") == 0);
	CHECK(build("r2") == 0);
	CHECK(same_index("r", "r2"));
	q_lost.text = text;
	q_code.fm.title = title;
}

static void
test_empty(void)
{
	struct site	 saved = site;

	site.nquestions = 0;
	site.synonyms = NULL;
	site.synonyms_len = 0;
	CHECK(build("c") == 0);
	site = saved;
	{
		char *m = slurp_js("c", "manifest", 'm', 0);

		CHECK(m != NULL && strstr(m, "\"n\":0") != NULL &&
		    strstr(m, "\"syn\":[]") != NULL);
		free(m);
	}
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

int
main(void)
{
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	make_site();
	CHECK(build("a") == 0);
	TEST(test_manifest);
	TEST(test_postings);
	TEST(test_docs);
	TEST(test_pages);
	TEST(test_deterministic);
	TEST(test_rebuild);
	TEST(test_empty);
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return harness_done();
}
