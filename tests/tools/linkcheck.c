/*
 * linkcheck: parse every HTML file of a built site with libxml2's HTML
 * parser and check that every internal link (a, link, script, img, form)
 * names an existing file, and every #fragment an existing id in it; and
 * that no id appears twice in a file.
 * Links must be relative and name a file, so the site works under any
 * path prefix and from disk; a root-relative link is allowed only on
 * 404.html, under the given base path.
 *
 * usage: linkcheck SITE [BASEPATH]
 * Prints each problem as FILE: message; ends with "N links, N broken".
 */
#include <sys/stat.h>

#include <ctype.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

struct doc {
	char	*path;		/* relative to the site */
	char	**ids;
	size_t	 nids;
	char	**links;	/* raw href values */
	size_t	 nlinks;
};

static struct doc *docs;
static size_t ndocs;
static const char *root;
static size_t rootlen;

static void
push(char ***v, size_t *n, const char *s)
{
	*v = realloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = strdup(s);
}

static void
walk_nodes(xmlNode *n, struct doc *d)
{
	static const char *const attrs[][2] = {
		{ "a", "href" }, { "link", "href" }, { "script", "src" },
		{ "img", "src" }, { "form", "action" }, { "area", "href" },
	};
	xmlChar	*v;
	size_t	 i;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if ((v = xmlGetProp(n, BAD_CAST "id")) != NULL) {
			push(&d->ids, &d->nids, (char *)v);
			xmlFree(v);
		}
		for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
			if (strcasecmp((const char *)n->name, attrs[i][0]))
				continue;
			if ((v = xmlGetProp(n, BAD_CAST attrs[i][1])) != NULL) {
				push(&d->links, &d->nlinks, (char *)v);
				xmlFree(v);
			}
		}
		walk_nodes(n->children, d);
	}
}

static int
visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	htmlDocPtr	 h;
	struct doc	*d;
	size_t		 len = strlen(path);

	(void)st;
	(void)ftw;
	if (flag != FTW_F || len < 5 || strcmp(path + len - 5, ".html"))
		return 0;
	h = htmlReadFile(path, "UTF-8", HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (h == NULL) {
		printf("%s: cannot parse\n", path);
		return 0;
	}
	docs = realloc(docs, (ndocs + 1) * sizeof(*docs));
	d = &docs[ndocs++];
	memset(d, 0, sizeof(*d));
	d->path = strdup(path + rootlen + 1);
	walk_nodes(xmlDocGetRootElement(h), d);
	xmlFreeDoc(h);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct doc *
find_doc(const char *path)
{
	size_t	 i;

	for (i = 0; i < ndocs; i++)
		if (strcmp(docs[i].path, path) == 0)
			return &docs[i];
	return NULL;
}

/* Percent-decode in place. */
static void
decode(char *s)
{
	char	*o = s;
	int	 hi, lo;

	for (; *s != '\0'; s++) {
		if (s[0] == '%' && isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2])) {
			hi = isdigit((unsigned char)s[1]) ? s[1] - '0' :
			    tolower((unsigned char)s[1]) - 'a' + 10;
			lo = isdigit((unsigned char)s[2]) ? s[2] - '0' :
			    tolower((unsigned char)s[2]) - 'a' + 10;
			*o++ = (char)(hi * 16 + lo);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

/* Join the folder of `from` and `rel`; NULL when it climbs out. */
static char *
resolve(const char *from, const char *rel)
{
	char	 buf[PATH_MAX * 2], *parts[512], *tok, *save, out[PATH_MAX];
	size_t	 n = 0, i;
	const char *slash = strrchr(from, '/');

	snprintf(buf, sizeof(buf), "%.*s%s", slash ? (int)(slash - from + 1) : 0,
	    from, rel);
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/",
	    &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (n == 0)
				return NULL;
			n--;
			continue;
		}
		if (n < 512)
			parts[n++] = tok;
	}
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(out, "/");
		strncat(out, parts[i], sizeof(out) - strlen(out) - 1);
	}
	return strdup(out);
}

int
main(int argc, char *argv[])
{
	const char	*base = argc > 2 ? argv[2] : NULL;
	size_t		 i, k, nlinks = 0, broken = 0;
	char		*href, *frag, *q, *target;
	struct doc	*d, *t;
	struct stat	 st;
	char		 full[PATH_MAX * 2];
	int		 found;

	if (argc < 2) {
		fprintf(stderr, "usage: linkcheck SITE [BASEPATH]\n");
		return 2;
	}
	root = argv[1];
	rootlen = strlen(root);
	while (rootlen > 1 && root[rootlen - 1] == '/')
		rootlen--;
	if (nftw(root, visit, 16, FTW_PHYS) == -1) {
		perror(root);
		return 2;
	}
	for (i = 0; i < ndocs; i++)
		qsort(docs[i].ids, docs[i].nids, sizeof(char *), cmp_str);
	for (i = 0; i < ndocs; i++) {
		d = &docs[i];
		for (k = 1; k < d->nids; k++)
			if (strcmp(d->ids[k - 1], d->ids[k]) == 0 &&
			    (k < 2 || strcmp(d->ids[k - 2], d->ids[k]) != 0)) {
				printf("%s: id \"%s\" appears more than once\n",
				    d->path, d->ids[k]);
				broken++;
			}
		for (k = 0; k < d->nlinks; k++) {
			href = strdup(d->links[k]);
			if (strncmp(href, "http:", 5) == 0 ||
			    strncmp(href, "https:", 6) == 0 ||
			    strncmp(href, "mailto:", 7) == 0 ||
			    strncmp(href, "tel:", 4) == 0 ||
			    strncmp(href, "//", 2) == 0) {
				free(href);
				continue;
			}
			nlinks++;
			if ((frag = strchr(href, '#')) != NULL)
				*frag++ = '\0';
			if ((q = strchr(href, '?')) != NULL)
				*q = '\0';
			decode(href);
			if (href[0] == '/') {
				size_t bl = base ? strlen(base) : 0;
				if (strcmp(d->path, "404.html") != 0 ||
				    base == NULL || strncmp(href, base, bl)) {
					printf("%s: root-relative link %s\n",
					    d->path, d->links[k]);
					broken++;
					free(href);
					continue;
				}
				memmove(href, href + bl, strlen(href + bl) + 1);
				target = resolve("", href);
			} else if (href[0] == '\0')
				target = strdup(d->path);
			else
				target = resolve(d->path, href);
			if (target == NULL) {
				printf("%s: link leaves the site: %s\n",
				    d->path, d->links[k]);
				broken++;
				free(href);
				continue;
			}
			snprintf(full, sizeof(full), "%.*s/%s", (int)rootlen,
			    root, target);
			if (stat(full, &st) == -1) {
				printf("%s: broken link %s\n", d->path,
				    d->links[k]);
				broken++;
			} else if (S_ISDIR(st.st_mode)) {
				printf("%s: link names a folder, not a file: "
				    "%s\n", d->path, d->links[k]);
				broken++;
			} else if (frag != NULL && frag[0] != '\0') {
				decode(frag);
				t = find_doc(target);
				found = t != NULL && bsearch(&frag, t->ids,
				    t->nids, sizeof(char *), cmp_str) != NULL;
				if (!found) {
					printf("%s: no id \"%s\" in %s\n",
					    d->path, frag, target);
					broken++;
				}
			}
			free(target);
			free(href);
		}
	}
	printf("%zu files, %zu links, %zu broken\n", ndocs, nlinks, broken);
	return broken ? 1 : 0;
}
