/*
 * external.c: faqgen check --external [--online].  Lists every external
 * URL the answers link to, each with the files that use it, and with
 * --online asks each server about it through libcurl's multi interface:
 * HEAD first, GET when the server does not do HEAD (405, 501), redirects
 * not followed, a bounded number of transfers at once.  The only file
 * that includes libcurl.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "faqgen.h"

#define DEFAULT_JOBS	8
#define CONNECT_TIMEOUT	5L	/* seconds */
#define TOTAL_TIMEOUT	10L	/* seconds, per request */
#define BODY_MAX	65536	/* a GET reads no more than this */

enum verdict {
	URL_OK,
	URL_REDIRECTED,
	URL_BROKEN,
	URL_UNREACHABLE
};

struct use {
	const char	*url;		/* borrowed from the page */
	const char	*file;		/* borrowed */
	size_t		 order;		/* page position, for stable output */
};

struct link {
	const char	*url;		/* as written, borrowed */
	char		*fetch;		/* what is fetched, owned */
	struct use	*uses;		/* borrowed slice of the use table */
	size_t		 nuses;
	enum verdict	 verdict;
	long		 status;	/* HTTP status, 0 when none */
	char		*detail;	/* redirect target or error, owned */
	int		 tried_get;
	size_t		 body;		/* bytes of body read */
	char		 err[CURL_ERROR_SIZE];
};

static int
cmp_use(const void *a, const void *b)
{
	const struct use *x = a, *y = b;
	int		 c;

	if ((c = strcmp(x->url, y->url)) != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	struct link	*l = arg;

	(void)p;
	l->body += size * n;
	/* Enough to know the status: stop reading (a write error). */
	return l->body > BODY_MAX ? 0 : size * n;
}

static CURL *
easy_for(struct link *l, int get)
{
	CURL	*e;

	if ((e = curl_easy_init()) == NULL)
		return NULL;
	curl_easy_setopt(e, CURLOPT_URL, l->fetch);
	curl_easy_setopt(e, CURLOPT_PRIVATE, l);
	curl_easy_setopt(e, CURLOPT_NOBODY, get ? 0L : 1L);
	if (get)
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, TOTAL_TIMEOUT);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT,
	    "faqgen/" FAQGEN_VERSION " (link check)");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, l);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, l->err);
	l->err[0] = '\0';
	l->body = 0;
	return e;
}

/*
 * Judge a finished transfer; returns 1 when it should be retried as GET:
 * a HEAD answered with an error status (servers that refuse or mishandle
 * HEAD say 405, 501, but also 403, 404, 400 ...).
 */
static int
judge(struct link *l, CURL *e, CURLcode res)
{
	char	*loc = NULL;
	long	 status = 0;

	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (res != CURLE_OK && !(res == CURLE_WRITE_ERROR && status > 0)) {
		l->verdict = URL_UNREACHABLE;
		l->detail = xstrdup(l->err[0] ? l->err :
		    curl_easy_strerror(res));
		return 0;
	}
	if (!l->tried_get && status >= 400) {
		l->tried_get = 1;
		return 1;
	}
	l->status = status;
	if (status >= 200 && status < 300)
		l->verdict = URL_OK;
	else if (status >= 300 && status < 400) {
		l->verdict = URL_REDIRECTED;
		curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &loc);
		l->detail = xstrdup(loc ? loc : "(no Location)");
	} else
		l->verdict = URL_BROKEN;
	return 0;
}

/* Fetch every link, at most jobs at once; returns -1 when curl fails. */
static int
fetch_all(struct link *links, size_t n, int jobs)
{
	CURLM		*m;
	CURLMsg		*msg;
	CURL		*e;
	struct link	*l;
	size_t		 next = 0, active = 0;
	int		 running, left, retry;

	if ((m = curl_multi_init()) == NULL)
		return -1;
	while (next < n || active > 0) {
		while (next < n && active < (size_t)jobs) {
			if ((e = easy_for(&links[next], 0)) == NULL) {
				curl_multi_cleanup(m);
				return -1;
			}
			curl_multi_add_handle(m, e);
			next++;
			active++;
		}
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			e = msg->easy_handle;
			curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&l);
			retry = judge(l, e, msg->data.result);
			curl_multi_remove_handle(m, e);
			curl_easy_cleanup(e);
			active--;
			if (retry && (e = easy_for(l, 1)) != NULL) {
				curl_multi_add_handle(m, e);
				active++;
			}
		}
		if (active > 0)
			curl_multi_poll(m, NULL, 0, 200, NULL);
	}
	curl_multi_cleanup(m);
	return 0;
}

static void
print_uses(const struct link *l, const char *indent)
{
	size_t	 i;

	for (i = 0; i < l->nuses; i++)
		if (i == 0 || strcmp(l->uses[i].file, l->uses[i - 1].file) != 0)
			printf("%s%s\n", indent, l->uses[i].file);
}

static size_t
print_class(const struct link *links, size_t n, enum verdict v,
    const char *name)
{
	size_t	 i, count = 0;

	for (i = 0; i < n; i++)
		count += links[i].verdict == v;
	if (count == 0)
		return 0;
	printf("%s: %zu\n", name, count);
	for (i = 0; i < n; i++) {
		const struct link *l = &links[i];
		if (l->verdict != v)
			continue;
		if (v == URL_REDIRECTED)
			printf("\t%ld %s -> %s\n", l->status, l->url,
			    l->detail);
		else if (v == URL_BROKEN)
			printf("\t%ld %s\n", l->status, l->url);
		else
			printf("\t%s (%s)\n", l->url, l->detail);
		print_uses(l, "\t\t");
	}
	return count;
}

int
external_report(const struct site *site, int online, int jobs)
{
	struct use	*uses = NULL;
	struct link	*links = NULL;
	size_t		 nuses = 0, nlinks = 0, i, k, start;
	size_t		 bad = 0, moved = 0;
	const struct page *p;
	int		 rc = EXIT_OK;

	for (i = 0; i < site->npages; i++)
		nuses += site->pages[i]->external.n;
	uses = xcalloc(nuses ? nuses : 1, sizeof(*uses));
	nuses = 0;
	for (i = 0; i < site->npages; i++) {
		p = site->pages[i];
		for (k = 0; k < p->external.n; k++) {
			uses[nuses].url = p->external.v[k];
			uses[nuses].file = p->file;
			uses[nuses].order = i;
			nuses++;
		}
	}
	qsort(uses, nuses, sizeof(*uses), cmp_use);
	links = xcalloc(nuses ? nuses : 1, sizeof(*links));
	for (start = 0, i = 1; i <= nuses; i++) {
		if (i < nuses && strcmp(uses[i].url, uses[start].url) == 0)
			continue;
		links[nlinks].url = uses[start].url;
		links[nlinks].fetch = strncmp(uses[start].url, "//", 2) == 0 ?
		    xasprintf("https:%s", uses[start].url) :
		    xstrdup(uses[start].url);
		links[nlinks].uses = uses + start;
		links[nlinks].nuses = i - start;
		nlinks++;
		start = i;
	}

	if (!online) {
		for (i = 0; i < nlinks; i++) {
			printf("%s\n", links[i].url);
			print_uses(&links[i], "\t");
		}
		fprintf(stderr, "faqgen: %zu external URLs in %zu links\n",
		    nlinks, nuses);
		goto out;
	}

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    fetch_all(links, nlinks, jobs > 0 ? jobs : DEFAULT_JOBS) != 0) {
		fprintf(stderr, "faqgen: cannot start libcurl\n");
		curl_global_cleanup();
		rc = EXIT_SYSTEM;
		goto out;
	}
	curl_global_cleanup();
	bad += print_class(links, nlinks, URL_BROKEN, "broken");
	moved = print_class(links, nlinks, URL_REDIRECTED, "redirected");
	bad += print_class(links, nlinks, URL_UNREACHABLE, "unreachable");
	fprintf(stderr, "faqgen: %zu external URLs: %zu ok, %zu redirected, "
	    "%zu broken or unreachable\n", nlinks, nlinks - bad - moved,
	    moved, bad);
	if (bad > 0)
		rc = EXIT_CONTENT;
out:
	for (i = 0; i < nlinks; i++) {
		free(links[i].fetch);
		free(links[i].detail);
	}
	free(links);
	free(uses);
	return rc;
}
