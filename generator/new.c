/*
 * new.c: faqgen new CATEGORY/SLUG: start a question file with its front
 * matter filled in.  The site is loaded as a build loads it (drafts
 * included) to learn the categories and the last weight; the file is
 * written beside its target and linked into place, so an existing file
 * is never overwritten, not even by a race.  The only place the current
 * date is used.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "faqgen.h"

#define SLUG_MAX	80

/* Lower-case ASCII letters, digits and inner hyphens. */
static const char *
slug_problem(const char *s)
{
	size_t	 len = strlen(s), i;

	if (len == 0)
		return "is empty";
	if (len > SLUG_MAX)
		return "is longer than 80 characters";
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return "may hold only lower-case letters a-z, digits "
			    "and hyphens";
	if (s[0] == '-' || s[len - 1] == '-')
		return "may not start or end with a hyphen";
	if (strcmp(s, "index") == 0)
		return "index is reserved for the category page";
	return NULL;
}

/* Remove "prefix/" from the start of s; returns 1 when it was there. */
static int
strip_prefix(char *s, const char *prefix)
{
	size_t	 len = strlen(prefix);

	if (len == 0 || strncmp(s, prefix, len) != 0 || s[len] != '/')
		return 0;
	memmove(s, s + len + 1, strlen(s + len + 1) + 1);
	return 1;
}

/* A YAML double-quoted scalar. */
static void
yaml_quote(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, *s);
		} else if (*s == '\n')
			buf_puts(b, "\\n");
		else if (*s == '\t')
			buf_puts(b, "\\t");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			buf_printf(b, "\\x%02x", (unsigned char)*s);
		else
			buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

static int
write_new(const char *dst, const char *data, size_t len)
{
	char	*tmp;
	ssize_t	 n;
	size_t	 off = 0;
	int	 fd, rc = EXIT_OK;

	tmp = xasprintf("%s.%ld.tmp", dst, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1) {
		fprintf(stderr, "%s: cannot create: %s\n", tmp,
		    strerror(errno));
		free(tmp);
		return EXIT_SYSTEM;
	}
	while (off < len) {
		if ((n = write(fd, data + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)n;
	}
	if (off < len || close(fd) == -1) {
		fprintf(stderr, "%s: cannot write: %s\n", tmp,
		    strerror(errno));
		rc = EXIT_SYSTEM;
	} else if (link(tmp, dst) == -1) {
		if (errno == EEXIST) {
			fprintf(stderr, "%s: already exists, not "
			    "overwritten\n", dst);
			rc = EXIT_CONTENT;
		} else {
			fprintf(stderr, "%s: cannot create: %s\n", dst,
			    strerror(errno));
			rc = EXIT_SYSTEM;
		}
	}
	unlink(tmp);
	free(tmp);
	return rc;
}

int
new_question(const struct options *opt, const char *path)
{
	struct site	 site;
	struct diags	 d = { NULL, 0, 0 };
	struct page	*cat = NULL, *q;
	struct buf	 b = { NULL, 0, 0 };
	const char	*slash, *why, *base;
	char		*arg, *category, *slug, *dst, date[16];
	size_t		 len, i;
	int		 rc, weight = 0;
	time_t		 t;
	struct tm	 tm;

	memset(&site, 0, sizeof(site));
	if ((rc = build_config(opt, &site.cfg, &d)) != EXIT_OK) {
		diag_print(&d);
		diag_free(&d);
		config_free(&site.cfg);
		return rc;
	}

	/* "exam/new-rule", "exam/new-rule.md", "content/exam/new-rule.md" */
	arg = xstrdup(path);
	base = strrchr(site.cfg.content_dir, '/');
	base = base ? base + 1 : site.cfg.content_dir;
	if (!strip_prefix(arg, site.cfg.content_dir))
		strip_prefix(arg, base);
	len = strlen(arg);
	if (len > 3 && strcmp(arg + len - 3, ".md") == 0)
		arg[len - 3] = '\0';
	if ((slash = strchr(arg, '/')) == NULL || slash == arg ||
	    strchr(slash + 1, '/') != NULL) {
		fprintf(stderr, "faqgen: new takes CATEGORY/SLUG, e.g. "
		    "exam/new-rule, not %s\n", path);
		free(arg);
		config_free(&site.cfg);
		return EXIT_USAGE;
	}
	category = xstrndup(arg, (size_t)(slash - arg));
	slug = xstrdup(slash + 1);
	free(arg);
	if ((why = slug_problem(slug)) != NULL) {
		fprintf(stderr, "faqgen: bad slug \"%s\": it %s\n", slug, why);
		rc = EXIT_USAGE;
		goto out;
	}
	if (opt->title != NULL && (opt->title[0] == '\0' ||
	    utf8_check(opt->title, strlen(opt->title)) != 0)) {
		fprintf(stderr, "faqgen: --title must be non-empty UTF-8\n");
		rc = EXIT_USAGE;
		goto out;
	}

	/* The site as a build sees it, drafts included. */
	site.cfg.drafts = 1;
	site.cfg.quiet = 1;
	if (load_site(&site) != 0) {
		diag_print(&site.diags);
		for (i = 0; i < site.npages; i++)
			diag_print(&site.pages[i]->diags);
		fprintf(stderr, "faqgen: fix these errors before adding a "
		    "question\n");
		rc = site.io_error ? EXIT_SYSTEM : EXIT_CONTENT;
		goto out;
	}
	for (i = 0; i < site.ncategories; i++)
		if (strcmp(site.categories[i]->category_dir, category) == 0)
			cat = site.categories[i];
	if (cat == NULL) {
		fprintf(stderr, "faqgen: unknown category %s; the known "
		    "categories are:", category);
		for (i = 0; i < site.ncategories; i++)
			fprintf(stderr, " %s",
			    site.categories[i]->category_dir);
		fprintf(stderr, "%s\n", site.ncategories ? "" : " none");
		rc = EXIT_CONTENT;
		goto out;
	}
	for (i = 0; i < cat->nquestions; i++) {
		q = cat->questions[i];
		if (strcasecmp(q->slug, slug) == 0) {
			fprintf(stderr, "%s: already exists, not "
			    "overwritten\n", q->file);
			rc = EXIT_CONTENT;
			goto out;
		}
		if (i == 0 || q->fm.weight > weight)
			weight = q->fm.weight;
	}
	if (cat->nquestions > 0)
		weight++;
	else
		weight = 1;

	t = time(NULL);
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	buf_puts(&b, "---\ntitle: ");
	yaml_quote(&b, opt->title ? opt->title : slug);
	buf_printf(&b, "\nweight: %d\nlastmod: %s\ntags: []\nkeywords: []\n"
	    "---\n\n", weight, date);
	dst = xasprintf("%s/%s/%s.md", site.cfg.content_dir, category, slug);
	rc = write_new(dst, b.data, b.len);
	if (rc == EXIT_OK)
		printf("%s\n", dst);
	free(dst);
out:
	buf_free(&b);
	free(category);
	free(slug);
	site_free(&site);
	return rc;
}
