/*
 * Unit tests: the sitemap splits into an index with parts above 50,000
 * URLs, and the feed lists the newest questions first (xml.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faqgen.h"
#include "harness.h"

static size_t
count(const char *hay, const char *needle)
{
	size_t	 n = 0;

	while (hay != NULL && (hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

/* A site of n questions in one category, in memory. */
static void
make_site(struct site *site, size_t n)
{
	struct page	*p;
	size_t		 i;

	memset(site, 0, sizeof(*site));
	site->cfg.base_url = xstrdup("https://example.org/faq/");
	site->cfg.title = xstrdup("T & <T>");
	site->cfg.description = xstrdup("");
	site->cfg.author = xstrdup("");
	site->cfg.language = xstrdup("zh-CN");
	site->cfg.feed_entries = 3;
	site->npages = n + 2;
	site->pages = xcalloc(site->npages, sizeof(struct page *));
	site->questions = xcalloc(n, sizeof(struct page *));
	for (i = 0; i < site->npages; i++) {
		p = site->pages[i] = xcalloc(1, sizeof(struct page));
		p->order = i;
		if (i == 0) {
			p->kind = PAGE_HOME;
			p->out = xstrdup("index.html");
		} else if (i == 1) {
			p->kind = PAGE_CATEGORY;
			p->out = xstrdup("c/index.html");
			p->fm.title = xstrdup("Cat");
		} else {
			p->kind = PAGE_QUESTION;
			p->out = xasprintf("c/q%zu.html", i);
			p->fm.title = xasprintf("Q%zu <&>", i);
			p->fm.lastmod = xasprintf("2024-01-%02zu", 1 + i % 28);
			p->category = site->pages[1];
			p->text = xstrdup("answer");
			p->text_len = strlen(p->text);
			site->questions[site->nquestions++] = p;
		}
	}
	site->pages[1]->questions = site->questions;
	site->pages[1]->nquestions = n;
}

static void
free_site(struct site *site)
{
	size_t	 i;

	for (i = 0; i < site->npages; i++) {
		free(site->pages[i]->out);
		free(site->pages[i]->fm.title);
		free(site->pages[i]->fm.lastmod);
		free(site->pages[i]->text);
		free(site->pages[i]);
	}
	free(site->pages);
	free(site->questions);
	free(site->cfg.base_url);
	free(site->cfg.title);
	free(site->cfg.description);
	free(site->cfg.author);
	free(site->cfg.language);
}

static void
sitemap_parts(void)
{
	struct site		 site;
	struct diags		 d = { NULL, 0, 0 };
	struct publish_stats	 st;
	struct output		*out;
	char			 dir[] = "/tmp/faqgen-xml.XXXXXX", *path, *s;

	CHECK(mkdtemp(dir) != NULL);
	path = xasprintf("%s/out", dir);
	make_site(&site, 120000);
	out = output_open(path, 0, &d);
	CHECK(out != NULL);
	CHECK(xml_sitemap(&site, out) == 0);
	CHECK(xml_feed(&site, out) == 0);
	CHECK(output_commit(out, &st) == 0);
	free(path);

	path = xasprintf("%s/out/sitemap.xml", dir);
	s = harness_slurp(path, NULL);
	CHECK(s != NULL && strstr(s, "<sitemapindex") != NULL);
	CHECK(count(s, "<sitemap>") == 3);
	CHECK(s != NULL && strstr(s, "<loc>https://example.org/faq/sitemap-3.xml</loc>") != NULL);
	free(s);
	free(path);
	path = xasprintf("%s/out/sitemap-1.xml", dir);
	s = harness_slurp(path, NULL);
	CHECK(count(s, "<url>") == 50000);
	CHECK(s != NULL && strstr(s, "<loc>https://example.org/faq/</loc>") != NULL);
	free(s);
	free(path);
	path = xasprintf("%s/out/sitemap-3.xml", dir);
	s = harness_slurp(path, NULL);
	CHECK(count(s, "<url>") == 120002 - 100000);
	free(s);
	free(path);

	path = xasprintf("%s/out/feed.xml", dir);
	s = harness_slurp(path, NULL);
	CHECK(count(s, "<entry>") == 3);
	/* Newest first: lastmod 2024-01-28 comes first, escaped title. */
	CHECK(s != NULL && strstr(s, "<updated>2024-01-28T00:00:00Z</updated>") != NULL);
	CHECK(s != NULL && strstr(s, "&lt;&amp;&gt;</title>") != NULL);
	CHECK(s != NULL && strstr(s, "<title>T &amp; &lt;T&gt;</title>") != NULL);
	free(s);
	free(path);

	/*
	 * Again, with an older lastmod in part 3: it alone is written; the
	 * other parts are kept by their key, which the manifest records.
	 */
	free(site.pages[110000]->fm.lastmod);
	site.pages[110000]->fm.lastmod = xstrdup("2023-05-05");
	path = xasprintf("%s/out", dir);
	out = output_open(path, 0, &d);
	CHECK(out != NULL);
	CHECK(xml_sitemap(&site, out) == 0);
	CHECK(xml_feed(&site, out) == 0);
	CHECK(output_commit(out, &st) == 0);
	CHECK(st.changed == 1 && st.unchanged == 4 && st.added == 0);
	free(path);
	path = xasprintf("%s/out/sitemap-3.xml", dir);
	s = harness_slurp(path, NULL);
	CHECK(s != NULL && strstr(s, "<lastmod>2023-05-05</lastmod>") != NULL);
	free(s);
	free(path);
	path = xasprintf("%s/.out.manifest", dir);
	s = harness_slurp(path, NULL);
	/* "hash size ino mtime key path": a key other than 0. */
	CHECK(s != NULL && strstr(s, " 0 sitemap-1.xml\n") == NULL &&
	    strstr(s, " sitemap-1.xml\n") != NULL);
	CHECK(s != NULL && strstr(s, " 0 feed.xml\n") != NULL);
	free(s);
	free(path);

	CHECK(harness_rmtree(dir) == 0);
	free_site(&site);
	diag_free(&d);
}

static void
sitemap_small(void)
{
	struct site		 site;
	struct diags		 d = { NULL, 0, 0 };
	struct publish_stats	 st;
	struct output		*out;
	char			 dir[] = "/tmp/faqgen-xml.XXXXXX", *path, *s;

	CHECK(mkdtemp(dir) != NULL);
	path = xasprintf("%s/out", dir);
	make_site(&site, 10);
	out = output_open(path, 0, &d);
	CHECK(xml_sitemap(&site, out) == 0);
	CHECK(output_commit(out, &st) == 0);
	free(path);
	path = xasprintf("%s/out/sitemap.xml", dir);
	s = harness_slurp(path, NULL);
	CHECK(s != NULL && strstr(s, "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">") != NULL);
	CHECK(count(s, "<url>") == 12);
	/* The category's lastmod is its newest question's. */
	CHECK(s != NULL && strstr(s, "<loc>https://example.org/faq/c/</loc>\n    <lastmod>2024-01-12</lastmod>") != NULL);
	free(s);
	free(path);
	CHECK(harness_rmtree(dir) == 0);
	free_site(&site);
	diag_free(&d);
}

int
main(void)
{
	TEST(sitemap_parts);
	TEST(sitemap_small);
	return harness_done();
}
