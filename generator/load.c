/*
 * load.c: read content/ and layouts/ into struct site.  The only stage
 * that reads files.  Every problem is reported; nothing stops at the first.
 *
 * content/_index.md              the home page
 * content/<category>/_index.md   a category
 * content/<category>/<slug>.md   a question
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "faqgen.h"

#define MAX_FILE_SIZE	(256u * 1024 * 1024)
#define MAX_LAYOUT_DEPTH 8

/*
 * Where one file's problems go.  Files are read on several threads, each
 * into its own sink; the sinks are merged in name order afterwards, so
 * the messages come out in the same order whatever the thread count.
 */
struct sink {
	struct diags	 d;
	int		 io_error;
	const struct page_state *state;	/* the last build's, or NULL */
	size_t		 parsed;	/* front matters not taken from it */
};

/* Move a sink's problems to the site's. */
static void
sink_flush(struct site *site, struct sink *sk)
{
	diag_move(&site->diags, &sk->d);
	site->io_error |= sk->io_error;
	sk->io_error = 0;
}

/* The strings up to NULL, end to end: paths, without printf. */
static char * __attribute__((sentinel))
concat(const char *first, ...)
{
	va_list		 ap;
	const char	*part;
	char		*s, *at;
	size_t		 len = 0;

	va_start(ap, first);
	for (part = first; part != NULL; part = va_arg(ap, const char *))
		len += strlen(part);
	va_end(ap);
	at = s = xmalloc(len + 1);
	va_start(ap, first);
	for (part = first; part != NULL; part = va_arg(ap, const char *)) {
		len = strlen(part);
		memcpy(at, part, len);
		at += len;
	}
	va_end(ap);
	*at = '\0';
	return s;
}

/*
 * Read a whole regular file.  Returns NULL and reports the reason,
 * naming the file as `shown`.
 */
static char *
read_file(struct sink *sk, const char *path, const char *shown,
    size_t *lenp)
{
	struct stat	 st;
	struct buf	 b = { NULL, 0, 0 };
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		diag_add(&sk->d, shown, 0, "cannot open: %s",
		    strerror(errno));
		sk->io_error = 1;
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		diag_add(&sk->d, shown, 0, "cannot stat: %s",
		    strerror(errno));
		sk->io_error = 1;
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_add(&sk->d, shown, 0, "not a regular file");
		close(fd);
		return NULL;
	}
	if ((uint64_t)st.st_size > MAX_FILE_SIZE) {
		diag_add(&sk->d, shown, 0,
		    "file is larger than %u MB", MAX_FILE_SIZE >> 20);
		close(fd);
		return NULL;
	}
	/* The file and a byte more, to see its end without growing. */
	buf_grow(&b, (size_t)st.st_size + 1);
	for (;;) {
		if (b.cap - b.len - 1 == 0)
			buf_grow(&b, 65536);	/* it grew since fstat() */
		n = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			diag_add(&sk->d, shown, 0, "cannot read: %s",
			    strerror(errno));
			sk->io_error = 1;
			close(fd);
			buf_free(&b);
			return NULL;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		if (b.len > MAX_FILE_SIZE) {
			diag_add(&sk->d, shown, 0,
			    "file is larger than %u MB", MAX_FILE_SIZE >> 20);
			close(fd);
			buf_free(&b);
			return NULL;
		}
	}
	b.data[b.len] = '\0';
	close(fd);
	return buf_detach(&b, lenp);
}

/* Drop a BOM and turn CRLF (and lone CR) into LF, in place. */
static size_t
normalise(char *s, size_t len)
{
	size_t	 i, j = 0;

	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		memmove(s, s + 3, len - 3);
		len -= 3;
	}
	if (memchr(s, '\r', len) == NULL) {
		s[len] = '\0';
		return len;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '\r') {
			s[j++] = '\n';
			if (i + 1 < len && s[i + 1] == '\n')
				i++;
		} else
			s[j++] = s[i];
	}
	s[j] = '\0';
	return j;
}

/* Is the line at s (up to end) exactly "---" (trailing blanks allowed)? */
static int
is_fence(const char *s, const char *end, const char **next)
{
	const char	*p = s;

	if (end - s < 3 || memcmp(s, "---", 3) != 0)
		return 0;
	for (p = s + 3; p < end && (*p == ' ' || *p == '\t'); p++)
		continue;
	if (p < end && *p != '\n')
		return 0;
	*next = p < end ? p + 1 : p;
	return 1;
}

/*
 * Parse one Markdown source: front matter, then body.  shown is the
 * file's name in messages, "content/<src>", taken over.
 * Returns NULL when the file has errors (reported).
 */
static struct page *
load_page(struct sink *sk, enum page_kind kind, const char *path,
    const char *src, const char *category_dir, const char *slug,
    char *shown)
{
	struct page	*p;
	struct frontmatter fmk;
	char		*data;
	const char	*s, *end, *fm, *fm_end = NULL, *body, *next;
	size_t		 len, line = 2;
	uint64_t	 hash;
	size_t		 ndiags = sk->d.n;
	int		 ok, known;

	if ((data = read_file(sk, path, shown, &len)) == NULL) {
		free(shown);
		return NULL;
	}
	/*
	 * The same bytes as a file the last build loaded without a problem:
	 * its front matter as parsed then, and no need to check them again.
	 */
	hash = hash_bytes(data, len, 0);
	known = page_state_frontmatter(sk->state, src, hash, &fmk);
	if (!known && text_check(&sk->d, shown, data, len) == -1) {
		free(data);
		free(shown);
		return NULL;
	}
	len = normalise(data, len);
	s = data;
	end = data + len;
	if (len == 0) {
		diag_add(&sk->d, shown, 1, "empty file, expected "
		    "front matter between lines of ---");
		goto fail;
	}
	if (!is_fence(s, end, &fm)) {
		diag_add(&sk->d, shown, 1, "missing front matter: "
		    "the file must start with a line of ---");
		goto fail;
	}
	for (next = fm; next < end; line++) {
		const char *eol = memchr(next, '\n', (size_t)(end - next));
		const char *after;

		if (is_fence(next, end, &after)) {
			fm_end = next;
			body = after;
			break;
		}
		next = eol ? eol + 1 : end;
	}
	if (fm_end == NULL) {
		diag_add(&sk->d, shown, 1,
		    "front matter is never closed: no line of --- after it");
		goto fail;
	}

	p = xcalloc(1, sizeof(*p));
	p->src_hash = hash;
	p->kind = kind;
	p->src = xstrdup(src);
	p->file = shown;
	p->category_dir = xstrdup(category_dir);
	p->slug = xstrdup(slug);
	if (known) {
		p->fm = fmk;
		known = 0;	/* p has it now */
		ok = 1;
	} else {
		ok = frontmatter_parse(&p->fm, fm, (size_t)(fm_end - fm),
		    shown, 2, &sk->d) == 0;
		sk->parsed++;
	}
	p->keep = ok && sk->d.n == ndiags;
	p->body_line = line + 1;
	p->body_len = (size_t)(end - body);
	/* The body where the file was read, without what it no longer needs. */
	memmove(data, body, p->body_len);
	data[p->body_len] = '\0';
	p->body = xrealloc(data, p->body_len + 1);
	if (kind == PAGE_HOME)
		p->out = xstrdup("index.html");
	else if (kind == PAGE_CATEGORY)
		p->out = concat(category_dir, "/index.html", NULL);
	else
		p->out = concat(category_dir, "/", slug, ".html", NULL);
	if (!ok) {
		p->fm.draft = 0;
		/* Keep it so later checks still run; the build fails anyway. */
	}
	return p;
fail:
	if (known)
		frontmatter_free(&fmk);
	free(data);
	free(shown);
	return NULL;
}

/* A slug becomes a file name and a URL: refuse what breaks either. */
static int
check_name(struct diags *d, const char *shown, const char *name)
{
	const unsigned char *p;

	if (name[0] == '.' || name[0] == '\0') {
		diag_add(d, shown, 0, "name must not start "
		    "with '.'");
		return -1;
	}
	/* It goes into the sitemap, the search data, every link to it. */
	if (utf8_check(name, strlen(name)) != 0) {
		diag_add(d, shown, 0, "file name is not valid UTF-8");
		return -1;
	}
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p < 0x80 && !isalnum(*p) && *p != '-' && *p != '_' &&
		    *p != '.') {
			if (*p < 0x20 || *p == 0x7f)
				diag_add(d, shown, 0, "file name has control "
				    "character U+%04X", *p);
			else if (*p == ' ')
				diag_add(d, shown, 0, "file name "
				    "has a space: use '-' or '_'");
			else
				diag_add(d, shown, 0, "file name "
				    "has '%c': use letters, digits, '-' or '_'",
				    *p);
			return -1;
		}
	}
	return 0;
}

struct dirname {
	char		*name;	/* owned */
	unsigned char	 type;	/* d_type: DT_REG, DT_DIR, DT_UNKNOWN... */
};

static int
cmp_dirname(const void *a, const void *b)
{
	return strcmp(((const struct dirname *)a)->name,
	    ((const struct dirname *)b)->name);
}

/*
 * Sorted names in a folder, without "." and "..", and when types is not
 * NULL what readdir() says each is (DT_REG spares a stat()).
 */
static char **
list_dir(struct sink *sk, const char *path, const char *shown, size_t *np,
    unsigned char **types)
{
	DIR		*d;
	struct dirent	*de;
	struct dirname	*e = NULL;
	char		**v;
	size_t		  n = 0, cap = 0, i;

	*np = 0;
	if (types != NULL)
		*types = NULL;
	if ((d = opendir(path)) == NULL) {
		diag_add(&sk->d, shown, 0, "cannot open folder: %s",
		    strerror(errno));
		sk->io_error = 1;
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			e = xreallocarray(e, cap, sizeof(*e));
		}
		e[n].name = xstrdup(de->d_name);
		e[n].type = de->d_type;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(e, n, sizeof(*e), cmp_dirname);
	v = xreallocarray(NULL, n ? n : 1, sizeof(char *));
	for (i = 0; i < n; i++)
		v[i] = e[i].name;
	if (types != NULL) {
		*types = xreallocarray(NULL, n ? n : 1, 1);
		for (i = 0; i < n; i++)
			(*types)[i] = e[i].type;
	}
	free(e);
	*np = n;
	return v;
}

static void
free_names(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t	 a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Weight, then slug (or folder). */
static int
cmp_page(const void *a, const void *b)
{
	const struct page *pa = *(struct page *const *)a;
	const struct page *pb = *(struct page *const *)b;

	if (pa->fm.weight != pb->fm.weight)
		return pa->fm.weight < pb->fm.weight ? -1 : 1;
	if (pa->kind == PAGE_CATEGORY)
		return strcmp(pa->category_dir, pb->category_dir);
	return strcmp(pa->slug, pb->slug);
}

/*
 * A symlink at path whose target lies outside root (the real path of
 * content/ or layouts/): reported, and 1, so that a build never
 * publishes a file from elsewhere on the machine (nor serve serves one).
 * A link that stays inside is followed; a dangling one is left to the
 * stat() that follows, which reports it.
 */
static int
leaves(struct diags *d, const char *root, const char *path)
{
	struct stat	 st;
	char		*real;
	size_t		 n;
	int		 out;

	if (root == NULL || lstat(path, &st) == -1 || !S_ISLNK(st.st_mode) ||
	    (real = realpath(path, NULL)) == NULL)
		return 0;
	n = strlen(root);
	out = strncmp(real, root, n) != 0 || (real[n] != '/' && real[n] != '\0');
	if (out)
		diag_add(d, path, 0, "symlink to %s, outside %s: nothing "
		    "outside the site is published; copy the file in", real,
		    root);
	free(real);
	return out;
}

/* One file of a category folder, read on the thread pool. */
struct file {
	const struct config *cfg;
	const char	*root;		/* content/'s real path, or NULL */
	char		*path;		/* owned */
	char		*src;		/* owned */
	const char	*category;	/* borrowed */
	const char	*name;		/* borrowed: the file's name */
	char		*slug;		/* owned; NULL: not a page */
	unsigned char	 type;		/* readdir()'s d_type */
	int		 kind;		/* PAGE_*, or -1: skip */
	struct page	*page;		/* the result, or NULL */
	struct sink	 sk;
};

/* What the file is, then the page itself. */
static void
load_file(void *arg, size_t i)
{
	struct file	*f = (struct file *)arg + i;
	struct stat	 st;
	char		*shown;

	f->kind = -1;
	shown = concat(f->cfg->content_dir, "/", f->src, NULL);
	if (f->type == DT_REG)
		st.st_mode = S_IFREG;	/* as stat() would say: not a link */
	else if (leaves(&f->sk.d, f->root, f->path))
		st.st_mode = 0;
	else if (stat(f->path, &st) == -1) {
		diag_add(&f->sk.d, shown, 0, "cannot stat: %s",
		    strerror(errno));
		f->sk.io_error = 1;
		st.st_mode = 0;		/* nothing more to say */
	}
	if (st.st_mode == 0)
		;
	else if (S_ISDIR(st.st_mode)) {
		diag_add(&f->sk.d, shown, 0, "nested folder: "
		    "questions go in content/<category>/<slug>.md");
	} else if (!ends_with(f->name, ".md")) {
		/* Other files (images, notes) are not pages. */
	} else if (!S_ISREG(st.st_mode)) {
		diag_add(&f->sk.d, shown, 0, "not a regular file");
	} else if (strcmp(f->name, "_index.md") == 0) {
		f->kind = PAGE_CATEGORY;
		f->slug = xstrdup("");
	} else {
		f->slug = xstrndup(f->name, strlen(f->name) - 3);
		if (check_name(&f->sk.d, shown, f->slug) == 0)
			f->kind = PAGE_QUESTION;
	}
	if (f->slug != NULL && f->kind >= 0)
		f->page = load_page(&f->sk, (enum page_kind)f->kind,
		    f->path, f->src, f->category, f->slug, shown);
	else
		free(shown);
}

/*
 * An entry of content/ in name order: a category folder with its files,
 * or anything else, with the messages it gave, shown in this order.
 */
struct top {
	char		*name;		/* owned */
	char		*path;		/* owned */
	struct sink	 sk;
	int		 is_cat;
	char		**names;	/* a category's files, owned */
	unsigned char	*types;		/* and their d_type, owned */
	size_t		 first, n;	/* its files in the shared table */
};

static int
cmp_slug_case(const void *a, const void *b)
{
	const struct page *pa = *(struct page *const *)a;
	const struct page *pb = *(struct page *const *)b;
	int		 c = strcasecmp(pa->slug, pb->slug);

	/* Ties in file-name order, so the first is the one named. */
	return c != 0 ? c : strcmp(pa->slug, pb->slug);
}

/* Two slugs equal but for case collide on case-blind hosts. */
static void
check_case(struct site *site, struct page **qs, size_t nq)
{
	struct page	**v;
	size_t		  i, first = 0;

	if (nq < 2)
		return;
	v = xreallocarray(NULL, nq, sizeof(*v));
	memcpy(v, qs, nq * sizeof(*v));
	qsort(v, nq, sizeof(*v), cmp_slug_case);
	for (i = 1; i < nq; i++) {
		if (strcasecmp(v[first]->slug, v[i]->slug) != 0) {
			first = i;
			continue;
		}
		diag_add(&site->diags, v[i]->file, 0,
		    "same slug as %s but for case", v[first]->file);
	}
	free(v);
}

/* A category from its files, once they are loaded. */
static struct page *
finish_category(struct site *site, const char *name, struct file *files,
    size_t n)
{
	struct page	*cat = NULL, **qs = NULL;
	struct file	*f;
	size_t		 i, nq = 0;

	for (i = 0; i < n; i++) {
		f = &files[i];
		diag_move(&site->diags, &f->sk.d);
		site->io_error |= f->sk.io_error;
		site->nparsed += f->sk.parsed;
		if (f->page == NULL)
			;
		else if (f->kind == PAGE_CATEGORY)
			cat = f->page;
		else if (f->page->fm.draft && !site->cfg.drafts)
			site_page_free(f->page);
		else {
			if ((nq & (nq - 1)) == 0)
				qs = xreallocarray(qs, nq ? nq * 2 : 1,
				    sizeof(*qs));
			qs[nq++] = f->page;
		}
		free(f->path);
		free(f->src);
		free(f->slug);
	}
	check_case(site, qs, nq);

	if (cat == NULL) {
		/* A folder without _index.md is still a category. */
		cat = xcalloc(1, sizeof(*cat));
		cat->kind = PAGE_CATEGORY;
		cat->src = xasprintf("%s/_index.md", name);
		cat->file = xasprintf("%s/%s", site->cfg.content_dir, cat->src);
		cat->category_dir = xstrdup(name);
		cat->slug = xstrdup("");
		cat->out = xasprintf("%s/index.html", name);
		cat->fm.title = xstrdup(name);
		cat->body = xstrdup("");
		cat->body_line = 1;
	}
	if (nq > 0)
		qsort(qs, nq, sizeof(*qs), cmp_page);
	cat->questions = qs;
	cat->nquestions = nq;
	return cat;
}

/* Read every file under layouts/ (templates, partials, assets). */
static void
load_layouts(struct site *site, const char *root, const char *dir,
    const char *prefix, int depth)
{
	char		**names, *path, *name;
	size_t		  n, i, len;
	struct stat	  st;
	struct layout_file *lf;
	struct sink	  sk = { { NULL, 0, 0 }, 0, NULL, 0 };
	char		 *data;

	if (depth > MAX_LAYOUT_DEPTH) {
		diag_add(&site->diags, dir, 0, "layouts nested too deep");
		return;
	}
	names = list_dir(&sk, dir, dir, &n, NULL);
	sink_flush(site, &sk);
	for (i = 0; i < n; i++) {
		if (names[i][0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, names[i]);
		name = prefix[0] ? xasprintf("%s/%s", prefix, names[i]) :
		    xstrdup(names[i]);
		if (leaves(&site->diags, root, path))
			;
		else if (stat(path, &st) == -1) {
			diag_add(&site->diags, path, 0, "cannot stat: %s",
			    strerror(errno));
			site->io_error = 1;
		} else if (S_ISDIR(st.st_mode))
			load_layouts(site, root, path, name, depth + 1);
		else if (strcmp(name, "README.md") == 0)
			;
		else if ((data = read_file(&sk, path, path, &len)) == NULL)
			;
		else if (strncmp(name, "assets/", 7) != 0 &&
		    text_check(&site->diags, path, data, len) == -1)
			free(data);	/* templates are text; assets any bytes */
		else {
			site->layouts = xreallocarray(site->layouts,
			    site->nlayouts + 1, sizeof(*site->layouts));
			lf = &site->layouts[site->nlayouts++];
			lf->name = name;
			lf->data = data;
			lf->len = len;
			name = NULL;
		}
		sink_flush(site, &sk);
		free(name);
		free(path);
	}
	free_names(names, n);
}

int
load_site(struct site *site)
{
	const struct config *cfg = &site->cfg;
	struct page	**cats = NULL, *cat;
	struct top	 *tops, *t;
	struct file	 *files, *f;
	char		**names, *path;
	size_t		  n, i, j, ncat = 0, nfiles = 0, nq;
	struct stat	  st;
	struct sink	  sk = { { NULL, 0, 0 }, 0, NULL, 0 };
	char		 *root, *lroot;

	if (stat(cfg->content_dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		diag_add(&site->diags, cfg->content_dir, 0,
		    "cannot open content folder: %s",
		    errno ? strerror(errno) : "not a folder");
		site->io_error = 1;
		return -1;
	}
	if (stat(cfg->layouts_dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		diag_add(&site->diags, cfg->layouts_dir, 0,
		    "cannot open layouts folder: %s",
		    errno ? strerror(errno) : "not a folder");
		site->io_error = 1;
		return -1;
	}

	/*
	 * Every file of every category is read on the thread pool at once;
	 * messages are shown in content/'s name order all the same.
	 */
	names = list_dir(&sk, cfg->content_dir, cfg->content_dir, &n, NULL);
	sink_flush(site, &sk);
	root = realpath(cfg->content_dir, NULL);
	tops = xcalloc(n ? n : 1, sizeof(*tops));
	for (i = 0; i < n; i++) {
		t = &tops[i];
		t->sk.state = site->state;
		t->name = names[i];
		t->path = path = concat(cfg->content_dir, "/", names[i], NULL);
		if (names[i][0] == '.') {
			/* Editor and VCS files. */
		} else if (leaves(&t->sk.d, root, path)) {
			/* reported */
		} else if (stat(path, &st) == -1) {
			diag_add(&t->sk.d, path, 0, "cannot stat: %s",
			    strerror(errno));
			t->sk.io_error = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (check_name(&t->sk.d, path, names[i]) == 0) {
				t->is_cat = 1;
				t->names = list_dir(&t->sk, path, path, &t->n,
				    &t->types);
				t->first = nfiles;
				nfiles += t->n;
			}
		} else if (strcmp(names[i], "_index.md") == 0) {
			site->home = load_page(&t->sk, PAGE_HOME, path,
			    names[i], "", "", concat(cfg->content_dir, "/",
			    names[i], NULL));
		} else if (ends_with(names[i], ".md")) {
			diag_add(&t->sk.d, path, 0, "question outside "
			    "a category: move it to content/<category>/");
		}
	}
	files = xcalloc(nfiles ? nfiles : 1, sizeof(*files));
	for (i = 0; i < n; i++) {
		t = &tops[i];
		for (j = 0; t->is_cat && j < t->n; j++) {
			f = &files[t->first + j];
			f->cfg = cfg;
			f->root = root;
			f->sk.state = site->state;
			f->name = t->names[j];
			f->path = concat(t->path, "/", t->names[j], NULL);
			f->src = concat(t->name, "/", t->names[j], NULL);
			f->type = t->types[j];
			f->category = t->name;
		}
	}
	pool_run(nfiles, cfg->jobs, load_file, files);
	for (i = 0; i < n; i++) {
		t = &tops[i];
		diag_move(&site->diags, &t->sk.d);
		site->nparsed += t->sk.parsed;
		site->io_error |= t->sk.io_error;
		if (t->is_cat) {
			if ((ncat & (ncat - 1)) == 0)
				cats = xreallocarray(cats, ncat ? ncat * 2 : 1,
				    sizeof(*cats));
			cats[ncat++] = finish_category(site, t->name,
			    files + t->first, t->n);
			free_names(t->names, t->n);
			free(t->types);
		}
		free(t->path);
	}
	free(files);
	free(tops);
	free(root);
	free_names(names, n);

	if (site->home == NULL) {
		site->home = xcalloc(1, sizeof(*site->home));
		site->home->kind = PAGE_HOME;
		site->home->src = xstrdup("_index.md");
		site->home->file = xasprintf("%s/_index.md", cfg->content_dir);
		site->home->category_dir = xstrdup("");
		site->home->slug = xstrdup("");
		site->home->out = xstrdup("index.html");
		site->home->fm.title = xstrdup(cfg->title);
		site->home->body = xstrdup("");
		site->home->body_line = 1;
	}

	/* Site order: home, then each category followed by its questions. */
	if (ncat > 0)
		qsort(cats, ncat, sizeof(*cats), cmp_page);
	/* Folders equal but for case collide on case-blind hosts too. */
	for (i = 0; i < ncat; i++)
		for (j = i + 1; j < ncat; j++)
			if (strcasecmp(cats[i]->category_dir,
			    cats[j]->category_dir) == 0)
				diag_add(&site->diags, cats[j]->file, 0,
				    "same category folder as %s but for "
				    "case", cats[i]->file);
	for (i = 0, nq = 0; i < ncat; i++)
		nq += cats[i]->nquestions;
	site->pages = xreallocarray(NULL, 1 + ncat + nq,
	    sizeof(struct page *));
	site->questions = xreallocarray(NULL, nq ? nq : 1,
	    sizeof(struct page *));
	site->pages[site->npages++] = site->home;
	for (i = 0; i < ncat; i++) {
		cat = cats[i];
		site->pages[site->npages++] = cat;
		for (j = 0; j < cat->nquestions; j++) {
			cat->questions[j]->category = cat;
			site->pages[site->npages++] = cat->questions[j];
			site->questions[site->nquestions++] =
			    cat->questions[j];
		}
	}
	site->categories = cats;
	site->ncategories = ncat;
	for (i = 0; i < site->npages; i++)
		site->pages[i]->order = i;

	lroot = realpath(cfg->layouts_dir, NULL);
	load_layouts(site, lroot, cfg->layouts_dir, "", 0);
	free(lroot);
	if (cfg->synonyms != NULL && cfg->synonyms[0] != '\0') {
		site->synonyms = read_file(&sk, cfg->synonyms, cfg->synonyms,
		    &site->synonyms_len);
		if (site->synonyms != NULL &&
		    text_check(&sk.d, cfg->synonyms, site->synonyms,
		    site->synonyms_len) == -1) {
			free(site->synonyms);
			site->synonyms = NULL;
		}
		sink_flush(site, &sk);
	}
	return site->diags.n == 0 ? 0 : -1;
}

static int
cmp_src(const void *key, const void *elem)
{
	return strcmp(key, (*(struct page *const *)elem)->src);
}

struct page *
site_find(const struct site *site, const char *src)
{
	size_t	 i;
	struct page **p;

	/* The index is built lazily by link.c; fall back to a scan. */
	if (site->by_src != NULL) {
		p = bsearch(src, site->by_src, site->npages,
		    sizeof(struct page *), cmp_src);
		return p ? *p : NULL;
	}
	for (i = 0; i < site->npages; i++)
		if (strcmp(site->pages[i]->src, src) == 0)
			return site->pages[i];
	return NULL;
}

static int
cmp_by_src(const void *a, const void *b)
{
	return strcmp((*(struct page *const *)a)->src,
	    (*(struct page *const *)b)->src);
}

void
site_index(struct site *site)
{
	free(site->by_src);
	site->by_src = xreallocarray(NULL, site->npages,
	    sizeof(struct page *));
	memcpy(site->by_src, site->pages, site->npages *
	    sizeof(struct page *));
	qsort(site->by_src, site->npages, sizeof(struct page *), cmp_by_src);
}

const struct layout_file *
site_layout(const struct site *site, const char *name)
{
	size_t	 i;

	for (i = 0; i < site->nlayouts; i++)
		if (strcmp(site->layouts[i].name, name) == 0)
			return &site->layouts[i];
	return NULL;
}

void
site_page_free(struct page *p)
{
	if (p == NULL)
		return;
	free(p->src);
	free(p->file);
	free(p->category_dir);
	free(p->slug);
	free(p->out);
	frontmatter_free(&p->fm);
	free(p->body);
	render_free(p);
	diag_free(&p->diags);
	free(p->questions);
	free(p->related);
	strlist_free(&p->alias_out);
	free(p->url_up);
	free(p->anchor);
	free(p);
}

void
site_free(struct site *site)
{
	size_t	 i;

	for (i = 0; i < site->npages; i++)
		site_page_free(site->pages[i]);
	free(site->pages);
	free(site->categories);
	free(site->questions);
	free(site->by_src);
	for (i = 0; i < site->nlayouts; i++) {
		free(site->layouts[i].name);
		free(site->layouts[i].data);
	}
	free(site->layouts);
	free(site->synonyms);
	diag_free(&site->diags);
	config_free(&site->cfg);
}
