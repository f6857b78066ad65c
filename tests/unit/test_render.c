/* Unit tests: the Markdown renderer and cross-reference resolution. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faqgen.h"
#include "harness.h"
#include "mkpage.h"

static struct site site;

static struct page *
build(const char *body)
{
	size_t	 i;

	memset(&site, 0, sizeof(site));
	site.cfg.content_dir = xstrdup("content");
	site.pages = xcalloc(3, sizeof(struct page *));
	site.pages[0] = mkpage(PAGE_QUESTION, "exam/id.md", "exam/id.html",
	    body);
	site.pages[1] = mkpage(PAGE_QUESTION, "pay/refund.md",
	    "pay/refund.html", "");
	site.pages[2] = mkpage(PAGE_CATEGORY, "pay/_index.md",
	    "pay/index.html", "");
	site.npages = 3;
	site_index(&site);
	for (i = 0; i < site.npages; i++)
		render_page(&site, site.pages[i]);
	return site.pages[0];
}

static void
done(void)
{
	size_t	 i;

	for (i = 0; i < site.npages; i++)
		site_page_free(site.pages[i]);
	free(site.pages);
	free(site.by_src);
	free(site.cfg.content_dir);
}

static int
has(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

static void
autolinks(void)
{
	struct page *p = build("见网站（http://a.gov.cn/x/）和：https://b.cn/y.html。\n");

	CHECK(has(p->html.data, "（<a href=\"http://a.gov.cn/x/\" rel=\"external noopener\">http://a.gov.cn/x/</a>）"));
	CHECK(has(p->html.data, "：<a href=\"https://b.cn/y.html\""));
	CHECK(has(p->html.data, "y.html</a>。"));
	CHECK(p->diags.n == 0);
	done();
	p = build("<https://c.cn/> and https://d.cn/ and [e](https://e.cn/)\n");
	/* md4c's own links are not linked twice. */
	CHECK(!has(p->html.data, "<a href=\"https://c.cn/\" rel=\"external noopener\"><a"));
	CHECK(has(p->html.data, "<a href=\"https://d.cn/\""));
	done();
	p = build("邮箱：ks@gz.gov.cn。`http://code.cn/` 不链接\n");
	CHECK(has(p->html.data, "<a href=\"mailto:ks@gz.gov.cn\">ks@gz.gov.cn</a>。"));
	CHECK(has(p->html.data, "<code>http://code.cn/</code>"));
	done();
}

/*
 * Links and addresses after Chinese text of every length: the scan skips
 * eight non-ASCII bytes at a time, and must stop short of each.
 */
static void
autolinks_after_chinese(void)
{
	struct buf	 md = { NULL, 0, 0 };
	struct page	*p;
	size_t		 n, k, bad = 0;

	for (n = 0; n < 12; n++) {
		buf_truncate(&md, 0);
		for (k = 0; k < n; k++)
			buf_puts(&md, k % 3 == 2 ? "，" : "报考");
		buf_puts(&md, "http://a.cn/x 和");
		for (k = 0; k < n; k++)
			buf_puts(&md, "证");
		buf_puts(&md, "ks@gz.cn。\n");
		p = build(md.data);
		if (!has(p->html.data, "<a href=\"http://a.cn/x\" "
		    "rel=\"external noopener\">http://a.cn/x</a> 和") ||
		    !has(p->html.data, "<a href=\"mailto:ks@gz.cn\">"
		    "ks@gz.cn</a>。"))
			bad++;
		done();
	}
	CHECK(bad == 0);
	buf_free(&md);
}

static void
headings(void)
{
	struct page *p = build("## （一）报考时间\n\n## Step One!\n\n## （一）报考时间\n\n## ？？\n");

	CHECK(p->nheadings == 4);
	if (p->nheadings == 4) {
		CHECK_STR(p->headings[0].id, "一报考时间");
		CHECK_STR(p->headings[1].id, "step-one");
		CHECK_STR(p->headings[2].id, "一报考时间-1");
		CHECK_STR(p->headings[3].id, "section");
		CHECK_STR(p->headings[0].text, "（一）报考时间");
	}
	CHECK(has(p->html.data, "<h2 id=\"一报考时间\">（一）报考时间</h2>"));
	done();
}

/*
 * Every id="..." the layouts under dir write as it stands: a heading of
 * that text gets another id.  Returns the ids seen.
 */
static size_t
layout_ids_in(const char *dir)
{
	struct dirent	*de;
	struct page	*p;
	DIR		*d;
	char		*path, *s, *at, *end, *id, *body;
	size_t		 n = 0, len;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 5, ".html") != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		s = harness_slurp(path, NULL);
		free(path);
		for (at = s; at != NULL && (at = strstr(at, " id=\"")) != NULL;
		    at = end) {
			at += 5;
			if ((end = strchr(at, '"')) == NULL)
				break;
			if (memchr(at, '{', (size_t)(end - at)) != NULL)
				continue;
			id = xstrndup(at, (size_t)(end - at));
			body = xasprintf("## %s\n", id);
			p = build(body);
			CHECK(p->nheadings == 1 &&
			    strcmp(p->headings[0].id, id) != 0);
			if (p->nheadings == 1 && strcmp(p->headings[0].id, id) == 0)
				fprintf(stderr, "heading takes %s/%s's id %s\n",
				    dir, de->d_name, id);
			done();
			free(body);
			free(id);
			n++;
		}
		free(s);
	}
	closedir(d);
	return n;
}

static void
layout_ids(void)
{
	size_t	 n;
	struct page *p;

	n = layout_ids_in("layouts") + layout_ids_in("layouts/partials");
	CHECK(n >= 8);
	/* And the next one: main-1, then main-2. */
	p = build("## main\n\n## main\n");
	CHECK(p->nheadings == 2 && strcmp(p->headings[0].id, "main-1") == 0 &&
	    strcmp(p->headings[1].id, "main-2") == 0);
	done();
}

static void
xrefs(void)
{
	struct page *p = build("para\n\n[a](../pay/refund.md#x) [b](../pay/_index.md)\n\n[c](missing.md)\n\n[d](../../etc/passwd.md) [e](javascript:alert(1))\n");

	CHECK(has(p->html.data, "href=\"../pay/refund.html#x\""));
	CHECK(has(p->html.data, "href=\"../pay/index.html\""));
	CHECK(p->nxrefs == 2);
	CHECK(p->diags.n == 3);
	if (p->diags.n == 3) {
		CHECK_STR(p->diags.msg[0], "content/exam/id.md:9: broken link to missing.md");
		CHECK_STR(p->diags.msg[1], "content/exam/id.md:11: link leaves content/: ../../etc/passwd.md");
		CHECK(has(p->diags.msg[2], "content/exam/id.md:11: refused link target javascript:"));
	}
	CHECK(!has(p->html.data, "javascript:"));
	done();
}

static void
text_and_summary(void)
{
	struct page *p = build("## 标题\n\n第一段**加粗**文字。\n\n第二段 &amp; 更多。\n\n<b>raw</b>\n");

	CHECK_STR(p->summary, "第一段加粗文字。");
	CHECK(has(p->text, "标题\n第一段加粗文字。\n第二段 & 更多。"));
	CHECK(has(p->html.data, "&lt;b&gt;raw&lt;/b&gt;"));
	done();
}

int
main(void)
{
	TEST(autolinks);
	TEST(autolinks_after_chinese);
	TEST(headings);
	TEST(layout_ids);
	TEST(xrefs);
	TEST(text_and_summary);
	return harness_done();
}
