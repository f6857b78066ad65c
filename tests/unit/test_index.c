/*
 * test_index.c: the search index of a small site built in memory, written
 * through publish.c into a temporary folder and read back.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faqgen.h"
#include "index.h"
#include "harness.h"

static char	*kw_pay[] = { (char *)"交费", (char *)"付款" };
static char	*tag_pay[] = { (char *)"缴费" };
static char	*kw_code[] = { (char *)"注意事项" };
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
	q_paid.text_len = strlen(q_paid.text);
	q_paid.out = (char *)"jiaofei/yi-koukuan.html";
	q_paid.category = &cat_pay;

	q_lost.kind = PAGE_QUESTION;
	q_lost.fm.title = (char *)"纸质证书遗失怎么办？";
	/* "𠀀" counts two UTF-16 units: the heading offsets must know. */
	q_lost.text = (char *)"𠀀已制发的纸质证书遗失，不再办理补发。\n"
	    "办理方式\n请登录系统申请<补办>。\n注意事项\n缴费 \"后\" 办理。\n";
	q_lost.text_len = strlen(q_lost.text);
	q_lost.headings = heads;
	q_lost.nheadings = 2;
	q_lost.out = (char *)"zhengshu/buban.html";
	q_lost.category = &cat_cert;

	q_code.kind = PAGE_QUESTION;
	q_code.fm.title = (char *)"成绩显示-2是什么意思？";
	q_code.text = (char *)"“-2”代表违纪。电话010-68607734。";
	q_code.text_len = strlen(q_code.text);
	q_code.fm.keywords.v = kw_code;
	q_code.fm.keywords.n = 1;
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

/* Remove dir/rel under the test's folder. */
static int
unlink_in(const char *dir, const char *rel)
{
	char	*path;
	int	 rc;

	path = xasprintf("%s/%s/%s", tmp, dir, rel);
	rc = unlink(path);
	free(path);
	return rc;
}

/*
 * The files in folder dir/rel, or -1 when it is not there; *names gets
 * whether every one is K.json or K.js with K / 64 == folder.
 */
static int
files_in(const char *dir, const char *rel, size_t folder, int *names)
{
	DIR		*d;
	struct dirent	*e;
	char		*path, *end;
	unsigned long	 k;
	int		 n = 0;

	path = xasprintf("%s/%s/%s", tmp, dir, rel);
	d = opendir(path);
	free(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		k = strtoul(e->d_name, &end, 10);
		if (end == e->d_name || k / 64 != folder ||
		    (strcmp(end, ".json") != 0 && strcmp(end, ".js") != 0))
			*names = 0;
	}
	closedir(d);
	return n;
}

/*
 * An index file in its two forms: search/rel.js,
 * faqgenSearch("kind",id,JSON);\n, and search/rel.json, JSON\n.  Returns
 * the JSON, or NULL when a form is missing, not of its shape, or holds
 * other JSON than its twin.
 */
static char *
slurp_js(const char *dir, const char *rel, char kind, size_t id)
{
	char	*s, *j, *head, *path;
	size_t	 len, jlen, hl;

	path = xasprintf("search/%s.js", rel);
	s = slurp(dir, path, &len);
	free(path);
	path = xasprintf("search/%s.json", rel);
	j = slurp(dir, path, &jlen);
	free(path);
	head = xasprintf("faqgenSearch(\"%c\",%zu,", kind, id);
	hl = strlen(head);
	if (s == NULL || j == NULL || len < hl + 3 ||
	    strncmp(s, head, hl) != 0 || strcmp(s + len - 3, ");\n") != 0 ||
	    jlen != len - 3 - hl + 1 || memcmp(j, s + hl, jlen - 1) != 0 ||
	    j[jlen - 1] != '\n') {
		free(head);
		free(s);
		free(j);
		return NULL;
	}
	free(head);
	free(s);
	j[jlen - 1] = '\0';
	return j;
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
	CHECK(strncmp(m, "{\"v\":4,\"n\":3,\"shards\":", 22) == 0);
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
	/* Both forms, the same JSON: slurp_js() checked them. */
}

/*
 * The posting list of tok in the index of folder dir, of shards shards, as
 * written in its shard, decoded from base-32 digits to "df,doc,q,gap,q..."
 * in decimal; NULL when tok is not there.
 */
static char *
postings_in(const char *dir, size_t shards, const char *tok)
{
	char		 rel[64], *s, *at, *want, *r = NULL;
	struct buf	 b = { 0 };
	unsigned long	 v = 0;
	size_t		 d, k;

	/* Shard K lies in folder K / 64 (index_name()). */
	k = tokenize_hash(tok, strlen(tok)) % shards;
	snprintf(rel, sizeof(rel), "s/%zu/%zu", k / 64, k);
	if ((s = slurp_js(dir, rel, 's', k)) == NULL)
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

/* The posting list of tok in the small site's index. */
static char *
postings(const char *tok)
{
	return postings_in("a", nshards, tok);
}

static void
test_postings(void)
{
	char		*p, *s1;
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
	/*
	 * 注意事项: a keyword of question 2, a heading of question 1 (so
	 * also in its answer's text, where it counts no more): the field
	 * order holds, the keyword outweighs the heading.
	 */
	p = postings("注意");
	CHECK(p != NULL);
	if (p != NULL) {
		CHECK(sscanf(p, "%u,%u,%u,%u,%u", &df, &d0, &q0, &gap, &q1)
		    == 5);
		CHECK(df == 2 && d0 == 1 && gap == 1);
		CHECK(q1 > q0);
	}
	free(p);
	/*
	 * 方式 (heading 办理方式 only) against 补发 (once in the running
	 * text) of the same question: the headings field weighs 2, the
	 * answer 1, so the heading is under twice the mention; counted in
	 * the answer as well it was three times (q 6 against 2).
	 */
	p = postings("方式");
	s1 = postings("补发");
	CHECK(p != NULL && s1 != NULL);
	if (p != NULL && s1 != NULL) {
		CHECK(sscanf(p, "1,1,%u", &q0) == 1 &&
		    sscanf(s1, "1,1,%u", &q1) == 1);
		CHECK(q0 > q1 && q0 < 2 * q1);
	}
	free(p);
	free(s1);
}

/* Result files: the three questions in one chunk, d/0, a list. */
static void
test_docs(void)
{
	char	*d, *q1, *q2;

	d = slurp_js("a", "d/0/0", 'd', 0);
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
	d = slurp("a", "search/d/0/0.js", NULL);
	CHECK(d != NULL && strstr(d, "<") == NULL);
	free(d);
	CHECK(slurp("a", "search/d/0/1.js", NULL) == NULL);
	CHECK(slurp("a", "search/d/0/1.json", NULL) == NULL);
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

	for (i = 0; i < 2 * nshards + 7; i++) {
		if (i < 2 * nshards)
			snprintf(rel, sizeof(rel), "search/s/%zu/%zu.js%s",
			    i / 2 / 64, i / 2, i % 2 ? "on" : "");
		else
			snprintf(rel, sizeof(rel), "search/%s",
			    (const char *[]){ "d/0/0.js", "d/0/0.json",
			    "manifest.js", "manifest.json", "cats.js",
			    "cats.json", "pages.json" }[i - 2 * nshards]);
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
	q_lost.text_len = strlen(q_lost.text);
	CHECK(build_timed("r") == 1);
	CHECK(build("r1") == 0);
	CHECK(same_index("r", "r1"));
	/*
	 * One form of a kept file gone from the output: made again alone
	 * (placing its kept twin twice would fail the build).
	 */
	CHECK(unlink_in("r", "search/s/0/0.json") == 0);
	CHECK(unlink_in("r", "search/d/0/0.js") == 0);
	CHECK(build_timed("r") == 1);
	CHECK(same_index("r", "r1"));
	q_code.fm.title = (char *)"成绩显示-2或者-4是什么意思呢？";
	CHECK(build_timed("r") == 0);
	CHECK(build("r2") == 0);
	CHECK(same_index("r", "r2"));
	q_lost.text = text;
	q_lost.text_len = strlen(q_lost.text);
	q_code.fm.title = title;
}

#define LONG	2600	/* questions: more than 2 * POSTINGS_MAX */

/*
 * Whether list (postings_in()'s) is that of a token found n[i] times in the
 * answer of question i (0: not at all) of LONG questions whose every
 * field is as long as every other's, so that q grows with n alone: df
 * the questions with n > 0, and the 1,000 best kept (the higher n, then
 * the earlier question), in question order, their q growing with n.
 */
static int
long_list_is(const char *list, const unsigned *n)
{
	unsigned	 count[6] = { 0 }, q[6] = { 0 }, cut, keep_eq;
	unsigned	 df = 0, doc = 0, v;
	size_t		 i;
	const char	*at = list;
	char		*end;

	if (list == NULL)
		return 0;
	for (i = 0; i < LONG; i++) {
		count[n[i]]++;
		df += n[i] > 0;
	}
	/* The cut: the n whose questions pass the 1,000th best. */
	for (cut = 5, keep_eq = 1000; count[cut] < keep_eq; cut--)
		keep_eq -= count[cut];
	if (strtoul(at, &end, 10) != df || *end != ',')
		return 0;
	at = end + 1;
	for (i = 0; i < LONG; i++) {
		if (n[i] < cut || n[i] == 0)
			continue;
		if (n[i] == cut) {
			if (keep_eq == 0)
				continue;
			keep_eq--;
		}
		/* The next posting must be question i's: gap, q. */
		if (*at == '\0')
			return 0;
		doc += (unsigned)strtoul(at, &end, 10);
		if (doc != i || *end != ',')
			return 0;
		v = (unsigned)strtoul(end + 1, &end, 10);
		if (*end != ',' && *end != '\0')
			return 0;
		at = *end == ',' ? end + 1 : end;
		if (q[n[i]] == 0)
			q[n[i]] = v;
		else if (q[n[i]] != v)
			return 0;
		doc = (unsigned)i;
	}
	for (i = 1; i < 5; i++)
		if (q[i] != 0 && q[i + 1] != 0 && q[i] >= q[i + 1])
			return 0;
	return *at == '\0';
}

/*
 * A site of LONG questions: 甲乙 one to five times in each answer, 丙丁
 * the rest of five, a word of each question's own and two words each in
 * every 97th and every 13th question.  The merge's lists of 甲, 甲乙, 丙丁
 * ... grow through every block size and are cut back to the POSTINGS_MAX
 * best; the many shorter lists that follow take the blocks they left.
 * Every list must come out whole.
 */
static void
test_long_lists(void)
{
	struct site	 saved = site;
	struct page	*pages, **qs, cat = { 0 };
	struct buf	 b = { 0 };
	unsigned	*n_jy, *n_bd;
	char		*m, *l, *want, word[16], rel[32];
	size_t		 i, k, shards;
	int		 names;

	pages = xcalloc(LONG, sizeof(*pages));
	qs = xcalloc(LONG, sizeof(*qs));
	n_jy = xcalloc(LONG, sizeof(*n_jy));
	n_bd = xcalloc(LONG, sizeof(*n_bd));
	cat.kind = PAGE_CATEGORY;
	cat.fm.title = (char *)"长列表";
	cat.out = (char *)"long/index.html";
	for (i = 0; i < LONG; i++) {
		n_jy[i] = (unsigned)(i * 7919 % 5) + 1;
		n_bd[i] = 5 - n_jy[i];
		b.len = 0;
		for (k = 0; k < 5; k++)
			buf_puts(&b, k < n_jy[i] ? "甲乙，" : "丙丁，");
		buf_printf(&b, "w%zu g%zu h%zu。", i, i % 97, i % 13);
		pages[i].kind = PAGE_QUESTION;
		pages[i].fm.title = xasprintf("问题%05zu", i);
		pages[i].text = xasprintf("%s", b.data);
		pages[i].text_len = strlen(pages[i].text);
		pages[i].out = xasprintf("long/q%05zu.html", i);
		pages[i].category = &cat;
		qs[i] = &pages[i];
	}
	buf_free(&b);
	site.categories = NULL;
	site.ncategories = 0;
	site.questions = qs;
	site.nquestions = LONG;
	CHECK(build("l") == 0);
	site = saved;

	m = slurp_js("l", "manifest", 'm', 0);
	CHECK(m != NULL && strncmp(m, "{\"v\":4,\"n\":2600,\"shards\":", 25)
	    == 0);
	shards = m != NULL ? strtoul(m + 25, NULL, 10) : 1;
	free(m);
	CHECK(shards >= 1 && (shards & (shards - 1)) == 0);
	/*
	 * Shards and result chunks lie 64 to a folder, search/s/K/64/K:
	 * 650 chunks of 4 in folders 0 to 10, the last holding 10.
	 */
	CHECK(shards > 64);
	for (k = 0, names = 1; k <= shards / 64; k++) {
		snprintf(rel, sizeof(rel), "search/s/%zu", k);
		CHECK(files_in("l", rel, k, &names) ==
		    (k < shards / 64 ? 128 : -1));
	}
	for (k = 0; k <= 11; k++) {
		snprintf(rel, sizeof(rel), "search/d/%zu", k);
		CHECK(files_in("l", rel, k, &names) ==
		    (k < 10 ? 128 : k == 10 ? 20 : -1));
	}
	CHECK(names);
	m = slurp_js("l", "d/10/649", 'd', 649);
	CHECK(m != NULL && strstr(m, "问题02599") != NULL);
	free(m);

	l = postings_in("l", shards, "甲乙");
	CHECK(long_list_is(l, n_jy));
	free(l);
	l = postings_in("l", shards, "甲");
	CHECK(long_list_is(l, n_jy));
	free(l);
	l = postings_in("l", shards, "丙丁");
	CHECK(long_list_is(l, n_bd));
	free(l);
	/* In every question's title: all 2,600 the same, the first kept. */
	for (i = 0; i < LONG; i++)
		n_bd[i] = 1;
	l = postings_in("l", shards, "问题");
	CHECK(long_list_is(l, n_bd));
	free(l);
	/*
	 * Lists that grow side by side, each through several block sizes
	 * to its whole length: 97 of about 27 postings, 13 of 200.
	 */
	for (k = 0; k < 97 + 13; k++) {
		for (i = 0; i < LONG; i++)
			n_bd[i] = k < 97 ? i % 97 == k : i % 13 == k - 97;
		snprintf(word, sizeof(word), k < 97 ? "g%zu" : "h%zu",
		    k < 97 ? k : k - 97);
		l = postings_in("l", shards, word);
		CHECK(long_list_is(l, n_bd));
		free(l);
	}
	/* The short lists of the words, early and late. */
	for (i = 0; i < LONG; i += 433) {
		snprintf(word, sizeof(word), "w%zu", i);
		l = postings_in("l", shards, word);
		want = xasprintf("1,%zu,", i);
		CHECK(l != NULL && strncmp(l, want, strlen(want)) == 0 &&
		    strchr(l + strlen(want), ',') == NULL);
		free(want);
		free(l);
	}
	for (i = 0; i < LONG; i++) {
		free(pages[i].fm.title);
		free(pages[i].text);
		free(pages[i].out);
	}
	free(pages);
	free(qs);
	free(n_jy);
	free(n_bd);
}

/*
 * The full build's posting-list blocks (list_alloc()): 200,000 random
 * takes and returns of every size, from the chunks and from malloc().
 * Each block is filled with bytes of its own and must still hold them
 * when it is returned: no two blocks in use overlap, wherever a block
 * came from (a new chunk, the rest of one, a block let go, a larger one
 * split).
 */
#define LIVE	3000

static void
test_list_blocks(void)
{
	struct lists	 l = { 0 };
	char		*b[LIVE];
	uint32_t	 cap[LIVE], tag[LIVE], rnd = 1, c;
	size_t		 n = 0, k, j, step, bad = 0, from_chunks = 0;

	for (step = 0; step < 200000; step++) {
		rnd = rnd * 1103515245u + 12345u;
		if (n < LIVE && (n == 0 || (rnd >> 16) % 5 < 3)) {
			/* Mostly small blocks, as the lists need them. */
			c = (rnd >> 8) % 16;
			c = c < 6 ? 0 : c < 9 ? 1 : c - 8;
			cap[n] = (32u << c) - 8;
			tag[n] = (uint32_t)step;
			b[n] = list_alloc(&l, cap[n]);
			from_chunks += c < LIST_SLAB;
			for (j = 0; j < cap[n]; j++)
				b[n][j] = (char)(tag[n] * 7 + j);
			n++;
			continue;
		}
		k = (rnd >> 4) % n;
		for (j = 0; j < cap[k]; j++)
			bad += b[k][j] != (char)(tag[k] * 7 + j);
		list_free(&l, b[k], cap[k]);
		n--;
		b[k] = b[n];
		cap[k] = cap[n];
		tag[k] = tag[n];
	}
	for (k = 0; k < n; k++) {
		for (j = 0; j < cap[k]; j++)
			bad += b[k][j] != (char)(tag[k] * 7 + j);
		list_free(&l, b[k], cap[k]);
	}
	CHECK(bad == 0);
	CHECK(from_chunks > 50000 && l.nchunk > 10);
	list_chunks_free(&l);
	CHECK(l.nchunk == 0 && l.chunk == NULL && l.free[0] == NULL);
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
	TEST(test_long_lists);
	TEST(test_list_blocks);
	TEST(test_empty);
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return harness_done();
}
