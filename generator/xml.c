/*
 * xml.c: the sitemap (sitemaps.org) and the Atom feed (RFC 4287), written
 * with libxml2's xmlTextWriter, which escapes every text and attribute.
 * The only file that includes libxml2.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "faqgen.h"

#define SITEMAP_MAX	50000	/* URLs per sitemap file, by the protocol */
#define SITEMAP_NS	"http://www.sitemaps.org/schemas/sitemap/0.9"

/* The newest lastmod of a page: its own, or its questions'. */
static const char *
newest(const struct site *site, const struct page *p)
{
	const char	*best = p->fm.lastmod;
	struct page	**v;
	size_t		  i, n;

	if (p->kind == PAGE_CATEGORY)
		for (i = 0; i < p->nquestions; i++) {
			const char *l = p->questions[i]->fm.lastmod;
			if (l != NULL && (best == NULL || strcmp(l, best) > 0))
				best = l;
		}
	else if (p->kind == PAGE_HOME) {
		v = emit_recent(site, 1, &n);
		if (n > 0 && v[0]->fm.lastmod != NULL &&
		    (best == NULL || strcmp(v[0]->fm.lastmod, best) > 0))
			best = v[0]->fm.lastmod;
		free(v);
	}
	return best;
}

static xmlTextWriterPtr
writer_new(xmlBufferPtr *bp)
{
	xmlTextWriterPtr w;

	if ((*bp = xmlBufferCreate()) == NULL)
		return NULL;
	if ((w = xmlNewTextWriterMemory(*bp, 0)) == NULL) {
		xmlBufferFree(*bp);
		return NULL;
	}
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
	return w;
}

/* Finish the document and hand it to the output. */
static int
writer_done(xmlTextWriterPtr w, xmlBufferPtr b, struct output *out,
    const char *name, uint64_t key)
{
	int	 rc;

	rc = xmlTextWriterEndDocument(w) < 0 ? -1 : 0;
	xmlFreeTextWriter(w);
	if (rc == 0)
		rc = output_file_key(out, name, key,
		    (const char *)xmlBufferContent(b),
		    (size_t)xmlBufferLength(b));
	xmlBufferFree(b);
	return rc;
}

static int
url_entry(xmlTextWriterPtr w, const char *loc, const char *lastmod)
{
	int	 rc = 0;

	rc |= xmlTextWriterStartElement(w, BAD_CAST "url") < 0;
	rc |= xmlTextWriterWriteElement(w, BAD_CAST "loc", BAD_CAST loc) < 0;
	if (lastmod != NULL)
		rc |= xmlTextWriterWriteElement(w, BAD_CAST "lastmod",
		    BAD_CAST lastmod) < 0;
	rc |= xmlTextWriterEndElement(w) < 0;
	return rc ? -1 : 0;
}

/*
 * What a <urlset> of pages [from, to) is made from: this program and its
 * libxml2, the base URL, and each page's output path and lastmod.
 */
static uint64_t
urlset_key(const struct site *site, size_t from, size_t to)
{
	const char	*s;
	uint64_t	 h;
	size_t		 i;

	/* The program's hash covers libxml2, linked dynamically, too. */
	h = hash_bytes(site->cfg.base_url, strlen(site->cfg.base_url) + 1,
	    program_hash());
	for (i = from; i < to; i++) {
		s = site->pages[i]->out;
		h = hash_bytes(s, strlen(s) + 1, h);
		s = newest(site, site->pages[i]);
		h = s != NULL ? hash_bytes(s, strlen(s) + 1, h) :
		    hash_bytes("", 0, h);
	}
	return h == 0 ? 1 : h;
}

/*
 * Pages [from, to) of the site as one <urlset>, unless the last build
 * wrote the same from the same pages.
 */
static int
urlset(const struct site *site, struct output *out, const char *name,
    size_t from, size_t to)
{
	xmlTextWriterPtr w;
	xmlBufferPtr	 b;
	char		*loc;
	size_t		 i;
	uint64_t	 key = urlset_key(site, from, to);
	int		 rc = 0;

	if ((rc = output_keep(out, name, key)) != 0)
		return rc == 1 ? 0 : -1;
	if ((w = writer_new(&b)) == NULL)
		return -1;
	rc |= xmlTextWriterStartElementNS(w, NULL, BAD_CAST "urlset",
	    BAD_CAST SITEMAP_NS) < 0;
	for (i = from; i < to && rc == 0; i++) {
		loc = emit_url(site, site->pages[i]->out);
		rc |= url_entry(w, loc, newest(site, site->pages[i]));
		free(loc);
	}
	rc |= xmlTextWriterEndElement(w) < 0;
	if (rc != 0) {
		xmlFreeTextWriter(w);
		xmlBufferFree(b);
		return -1;
	}
	return writer_done(w, b, out, name, key);
}

int
xml_sitemap(const struct site *site, struct output *out)
{
	xmlTextWriterPtr w;
	xmlBufferPtr	 b;
	char		*name, *loc;
	size_t		 parts, i, n = site->npages;
	int		 rc = 0;

	if (n <= SITEMAP_MAX)
		return urlset(site, out, "sitemap.xml", 0, n);

	/* Above 50,000 URLs: an index of parts. */
	parts = (n + SITEMAP_MAX - 1) / SITEMAP_MAX;
	for (i = 0; i < parts && rc == 0; i++) {
		name = xasprintf("sitemap-%zu.xml", i + 1);
		rc = urlset(site, out, name, i * SITEMAP_MAX,
		    (i + 1) * SITEMAP_MAX < n ? (i + 1) * SITEMAP_MAX : n);
		free(name);
	}
	if (rc != 0 || (w = writer_new(&b)) == NULL)
		return -1;
	rc |= xmlTextWriterStartElementNS(w, NULL, BAD_CAST "sitemapindex",
	    BAD_CAST SITEMAP_NS) < 0;
	for (i = 0; i < parts; i++) {
		loc = xasprintf("%ssitemap-%zu.xml", site->cfg.base_url, i + 1);
		rc |= xmlTextWriterStartElement(w, BAD_CAST "sitemap") < 0;
		rc |= xmlTextWriterWriteElement(w, BAD_CAST "loc",
		    BAD_CAST loc) < 0;
		rc |= xmlTextWriterEndElement(w) < 0;
		free(loc);
	}
	rc |= xmlTextWriterEndElement(w) < 0;
	if (rc != 0) {
		xmlFreeTextWriter(w);
		xmlBufferFree(b);
		return -1;
	}
	return writer_done(w, b, out, "sitemap.xml", 0);
}

static char *
atom_date(const char *lastmod)
{
	return xasprintf("%sT00:00:00Z", lastmod ? lastmod : "1970-01-01");
}

static int
atom_link(xmlTextWriterPtr w, const char *rel, const char *href,
    const char *type)
{
	int	 rc = 0;

	rc |= xmlTextWriterStartElement(w, BAD_CAST "link") < 0;
	if (rel != NULL)
		rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "rel",
		    BAD_CAST rel) < 0;
	if (type != NULL)
		rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "type",
		    BAD_CAST type) < 0;
	rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "href",
	    BAD_CAST href) < 0;
	rc |= xmlTextWriterEndElement(w) < 0;
	return rc ? -1 : 0;
}

/* The most recently updated questions, newest first. */
int
xml_feed(const struct site *site, struct output *out)
{
	xmlTextWriterPtr w;
	xmlBufferPtr	 b;
	struct page	**recent, *p;
	char		*s;
	size_t		 n, i;
	int		 rc = 0;

	recent = emit_recent(site, (size_t)site->cfg.feed_entries, &n);
	if ((w = writer_new(&b)) == NULL) {
		free(recent);
		return -1;
	}
	rc |= xmlTextWriterStartElementNS(w, NULL, BAD_CAST "feed",
	    BAD_CAST "http://www.w3.org/2005/Atom") < 0;
	rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "xml:lang",
	    BAD_CAST site->cfg.language) < 0;
	rc |= xmlTextWriterWriteElement(w, BAD_CAST "id",
	    BAD_CAST site->cfg.base_url) < 0;
	rc |= xmlTextWriterWriteElement(w, BAD_CAST "title",
	    BAD_CAST site->cfg.title) < 0;
	if (site->cfg.description[0] != '\0')
		rc |= xmlTextWriterWriteElement(w, BAD_CAST "subtitle",
		    BAD_CAST site->cfg.description) < 0;
	s = atom_date(n > 0 ? recent[0]->fm.lastmod : NULL);
	rc |= xmlTextWriterWriteElement(w, BAD_CAST "updated", BAD_CAST s) < 0;
	free(s);
	s = xasprintf("%sfeed.xml", site->cfg.base_url);
	rc |= atom_link(w, "self", s, "application/atom+xml");
	free(s);
	rc |= atom_link(w, "alternate", site->cfg.base_url, "text/html");
	rc |= xmlTextWriterStartElement(w, BAD_CAST "author") < 0;
	rc |= xmlTextWriterWriteElement(w, BAD_CAST "name",
	    BAD_CAST (site->cfg.author[0] ? site->cfg.author :
	    site->cfg.title)) < 0;
	rc |= xmlTextWriterEndElement(w) < 0;
	for (i = 0; i < n && rc == 0; i++) {
		p = recent[i];
		rc |= xmlTextWriterStartElement(w, BAD_CAST "entry") < 0;
		s = emit_url(site, p->out);
		rc |= xmlTextWriterWriteElement(w, BAD_CAST "id",
		    BAD_CAST s) < 0;
		rc |= atom_link(w, "alternate", s, "text/html");
		free(s);
		rc |= xmlTextWriterWriteElement(w, BAD_CAST "title",
		    BAD_CAST p->fm.title) < 0;
		s = atom_date(p->fm.lastmod);
		rc |= xmlTextWriterWriteElement(w, BAD_CAST "updated",
		    BAD_CAST s) < 0;
		free(s);
		rc |= xmlTextWriterStartElement(w, BAD_CAST "category") < 0;
		rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "term",
		    BAD_CAST p->category->fm.title) < 0;
		rc |= xmlTextWriterEndElement(w) < 0;
		rc |= xmlTextWriterWriteElement(w, BAD_CAST "summary",
		    BAD_CAST (p->summary ? p->summary : p->text)) < 0;
		rc |= xmlTextWriterEndElement(w) < 0;
	}
	rc |= xmlTextWriterEndElement(w) < 0;
	free(recent);
	if (rc != 0) {
		xmlFreeTextWriter(w);
		xmlBufferFree(b);
		return -1;
	}
	return writer_done(w, b, out, "feed.xml", 0);
}
