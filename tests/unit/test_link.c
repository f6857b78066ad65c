/*
 * test_link.c: prev/next and related questions of small sites built in
 * memory: what is listed, what never is, and the same lists whatever the
 * number of threads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faqgen.h"
#include "harness.h"

#define MAXQ	400

static struct page	 cat[16], q[MAXQ];
static struct page	*cats[16], *questions[MAXQ], *pages[16 + MAXQ];
static struct page	*cat_questions[16][MAXQ];
static struct site	 site;

/* A site of nc categories; question k is in category cat_of[k]. */
static void
make_site(size_t nc, size_t nq, const size_t *cat_of, const char **title,
    const char **text)
{
	static char	 dirs[16][8], outs[MAXQ][32];
	size_t		 c, k;

	memset(cat, 0, sizeof(cat));
	memset(q, 0, sizeof(q));
	memset(&site, 0, sizeof(site));
	for (c = 0; c < nc; c++) {
		snprintf(dirs[c], sizeof(dirs[c]), "c%zu", c);
		cat[c].kind = PAGE_CATEGORY;
		cat[c].fm.title = dirs[c];
		cat[c].category_dir = dirs[c];
		cat[c].slug = (char *)"";
		cat[c].file = dirs[c];
		snprintf(outs[c], sizeof(outs[c]), "c%zu/index.html", c);
		cat[c].out = outs[c];
		cat[c].questions = cat_questions[c];
		cats[c] = &cat[c];
		pages[site.npages++] = &cat[c];
	}
	for (k = 0; k < nq; k++) {
		c = cat_of[k];
		q[k].kind = PAGE_QUESTION;
		q[k].fm.title = (char *)title[k];
		q[k].text = (char *)text[k];
		q[k].text_len = strlen(q[k].text);
		q[k].category = &cat[c];
		q[k].category_dir = dirs[c];
		q[k].slug = (char *)"q";
		q[k].file = (char *)title[k];
		q[k].out = (char *)title[k];
		cat[c].questions[cat[c].nquestions++] = &q[k];
	}
	/* Site order: category by category, as load.c lays it out. */
	for (c = 0; c < nc; c++)
		for (k = 0; k < cat[c].nquestions; k++) {
			questions[site.nquestions++] = cat[c].questions[k];
			pages[site.npages++] = cat[c].questions[k];
		}
	site.categories = cats;
	site.ncategories = nc;
	site.questions = questions;
	site.pages = pages;
	site.cfg.related = 5;
	site.cfg.jobs = 1;
}

static void
free_related(void)
{
	size_t	 k;

	for (k = 0; k < site.nquestions; k++) {
		free(site.questions[k]->related);
		site.questions[k]->related = NULL;
		site.questions[k]->nrelated = 0;
	}
}

static int
lists(const struct page *p, const struct page *r)
{
	size_t	 k;

	for (k = 0; k < p->nrelated; k++)
		if (p->related[k] == r)
			return 1;
	return 0;
}

/* Nothing lists itself, twice, or more than asked. */
static void
check_sane(void)
{
	size_t	 i, k, m;
	int	 ok = 1;

	for (i = 0; i < site.nquestions; i++) {
		const struct page *p = site.questions[i];
		if (p->nrelated > (size_t)site.cfg.related)
			ok = 0;
		for (k = 0; k < p->nrelated; k++) {
			if (p->related[k] == p)
				ok = 0;
			for (m = 0; m < k; m++)
				if (p->related[m] == p->related[k])
					ok = 0;
		}
	}
	CHECK(ok);
}

static const size_t small_cat[] = { 0, 0, 0, 1, 1, 1, 1 };
static const char *small_title[] = {
	"已扣款但系统仍显示未缴费怎么办？",
	"网上缴费后如何开具纸质票据？",
	"缴费失败如何退款？",
	"纸质证书遗失怎么办？",
	"电子证书在哪里下载？",
	"证书信息变更如何办理？",
	"天气预报",
};
static const char *small_text[] = {
	"缴费扣款后系统会在24小时内对账，未缴费状态会自动更新。",
	"缴费成功后可在系统中开具电子票据，纸质票据请到窗口领取。",
	"缴费失败的，扣款会原路退回，退款一般在七个工作日内到账。",
	"纸质证书遗失的，可以申请补办电子证书，纸质证书不再补发。",
	"电子证书可在证书查询系统下载，与纸质证书具有同等效力。",
	"证书信息有误的，请携带身份证明到窗口申请变更证书信息。",
	"晴转多云。",
};

static void
test_small(void)
{
	CHECK(link_site(&site) == 0);
	check_sane();
	/* prev/next within a category */
	CHECK(q[0].prev == NULL && q[0].next == &q[1]);
	CHECK(q[2].next == NULL && q[3].prev == NULL);
	/* The best match shares the category and the focus words. */
	CHECK(lists(&q[0], &q[2]));
	CHECK(q[2].nrelated > 0 && q[2].related[0]->category == &cat[0]);
	CHECK(lists(&q[2], &q[0]));
	CHECK(q[3].nrelated > 0 && q[3].related[0]->category == &cat[1]);
	CHECK(lists(&q[3], &q[4]));
	CHECK(lists(&q[4], &q[3]));
	/* A question that shares no word has no list and is in none. */
	CHECK(q[6].nrelated == 0);
	{
		size_t	 k;
		int	 found = 0;

		for (k = 0; k < 6; k++)
			found |= lists(&q[k], &q[6]);
		CHECK(!found);
	}
	free_related();

	site.cfg.related = 1;
	CHECK(link_site(&site) == 0);
	check_sane();
	CHECK(q[2].nrelated == 1 && q[2].related[0] == &q[0]);
	free_related();

	site.cfg.related = 0;
	CHECK(link_site(&site) == 0);
	CHECK(q[0].nrelated == 0 && q[0].related == NULL);
	site.cfg.related = 5;
}

/*
 * A larger site, made up: each category has four topic words, each
 * question three focus words (one of its category's), its answer
 * repeats them among common words.  Enough questions for several blocks, so
 * several threads share the work.
 */
static const char *words[] = {
	"报名", "缴费", "考试", "成绩", "证书", "核查", "退款", "票据",
	"准考", "复核", "学历", "学位", "专业", "年限", "系统", "密码",
	"照片", "审核", "补办", "遗失", "邮寄", "变更", "电子", "纸质",
	"违纪", "考场", "科目", "免试", "滚动", "有效", "公示", "承诺",
	"培训", "窗口", "网上", "流程", "材料", "期限", "费用", "发票",
};
#define NWORDS	(sizeof(words) / sizeof(words[0]))
static const char *common[] = {
	"应当", "需要", "可以", "按照", "办理", "相关", "规定", "进行",
	"通过", "提供", "部门", "情况", "要求", "及时", "如果", "根据",
};
#define NCOMMON	(sizeof(common) / sizeof(common[0]))
#define BIG	300

static char	*big_title[BIG], *big_text[BIG];
static size_t	 big_cat[BIG];

static uint32_t
rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

static void
make_big(void)
{
	struct buf	 b = { NULL, 0, 0 };
	uint32_t	 s = 7;
	size_t		 k, j, focus[3];

	for (k = 0; k < BIG; k++) {
		big_cat[k] = k / 30;
		focus[0] = (big_cat[k] * 4 + rnd(&s) % 4) % NWORDS;
		focus[1] = rnd(&s) % NWORDS;
		focus[2] = rnd(&s) % NWORDS;
		buf_truncate(&b, 0);
		buf_printf(&b, "%s%s%s怎么办？", words[focus[0]],
		    words[focus[1]], words[focus[2]]);
		big_title[k] = xstrdup(b.data);
		buf_truncate(&b, 0);
		for (j = 0; j < 40; j++) {
			if (j % 5 == 0)
				buf_puts(&b, words[focus[j / 5 % 3]]);
			else if (j % 3 == 0)
				buf_puts(&b, words[(big_cat[k] * 4 +
				    rnd(&s) % 4) % NWORDS]);
			else
				buf_puts(&b, common[rnd(&s) % NCOMMON]);
			buf_puts(&b, j % 7 == 6 ? "。" : "，");
		}
		big_text[k] = xstrdup(b.data);
	}
	buf_free(&b);
	make_site(10, BIG, big_cat, (const char **)big_title,
	    (const char **)big_text);
}

/* The same lists for 1, 2 and 3 threads. */
static void
test_jobs(void)
{
	static struct page *got[BIG][8];
	static size_t	 ngot[BIG];
	size_t		 k, m, same = 0, incat = 0, total = 0;
	int		 jobs;

	make_big();
	CHECK(link_site(&site) == 0);
	check_sane();
	for (k = 0; k < BIG; k++) {
		ngot[k] = q[k].nrelated;
		for (m = 0; m < q[k].nrelated; m++) {
			got[k][m] = q[k].related[m];
			incat += q[k].related[m]->category == q[k].category;
			total++;
		}
	}
	free_related();
	/* Most related questions share the category (its topic words). */
	CHECK(total > BIG * 4);
	CHECK(incat * 2 > total);
	for (jobs = 2; jobs <= 3; jobs++) {
		site.cfg.jobs = jobs;
		CHECK(link_site(&site) == 0);
		same = 0;
		for (k = 0; k < BIG; k++)
			same += q[k].nrelated == ngot[k] &&
			    memcmp(q[k].related, got[k], ngot[k] *
			    sizeof(struct page *)) == 0;
		CHECK(same == BIG);
		free_related();
	}
	for (k = 0; k < BIG; k++) {
		free(big_title[k]);
		free(big_text[k]);
	}
}

int
main(void)
{
	make_site(2, 7, small_cat, small_title, small_text);
	TEST(test_small);
	TEST(test_jobs);
	return harness_done();
}
