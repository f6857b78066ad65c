/*
 * config.c: site.ini into struct config, through iniparser.  The only
 * file that includes iniparser.
 *
 *   [site]      title, description, base_url (required), language,
 *               author, recent
 *   [build]     content, layouts, output, jobs, related
 *   [markdown]  unsafe_html
 *   [search]    synonyms
 *   [feed]      entries
 *
 * Every field gets its default first, so a config is complete even when
 * site.ini is absent (and optional) or has errors, and config_free frees
 * it in every case.  config_load overwrites the fields without freeing
 * them and leaves drafts and quiet (command-line only) alone.  An unknown
 * key or section is an error (a typo would otherwise do nothing), and
 * every message about a value names its line.  Without site.ini base_url
 * is DEFAULT_BASE_URL.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <iniparser.h>

#include "faqgen.h"

#define DEFAULT_BASE_URL	"http://localhost/"

/*
 * iniparser reports syntax errors through one process-wide callback with
 * no argument of ours, so while config_load runs (once, before any
 * thread starts) these say where its messages go.
 */
static struct diags	*ini_diags;	/* borrowed, NULL outside config_load */
static const char	*ini_file;	/* borrowed */
static const char	*ini_text;	/* the file's bytes, NUL-ended */

/* Every key site.ini may set, as iniparser names them. */
static const char *const known_keys[] = {
	"site:title", "site:description", "site:base_url", "site:language",
	"site:author", "site:recent",
	"build:content", "build:layouts", "build:output", "build:jobs",
	"build:related", "build:all_limit",
	"markdown:unsafe_html", "search:synonyms", "feed:entries", NULL
};

/* Does the text [s, s + n), trimmed, equal name, case aside? */
static int
trimmed_is(const char *s, size_t n, const char *name, size_t len)
{
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		n--;
	return n == len && strncasecmp(s, name, len) == 0;
}

/*
 * The line of site.ini that sets key ("section:name", or "name" before
 * any section), for messages: the last one, as iniparser keeps the last
 * value; with name NULL, the section's header.  0 when not found (a
 * continued line, say): the message then names the file alone.
 */
static size_t
ini_line(const char *sec, size_t slen, const char *name)
{
	const char	*p, *eol, *c;
	size_t		 line = 0, found = 0;
	int		 in = slen == 0;

	if (ini_text == NULL)
		return 0;
	for (p = ini_text; *p != '\0'; p = *eol != '\0' ? eol + 1 : eol) {
		line++;
		if ((eol = strchr(p, '\n')) == NULL)
			eol = p + strlen(p);
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p < eol && *p == '[') {
			c = memchr(p, ']', (size_t)(eol - p));
			in = c != NULL && slen > 0 && trimmed_is(p + 1,
			    (size_t)(c - p - 1), sec, slen);
			if (in && name == NULL)
				found = line;
		} else if (in && name != NULL &&
		    (c = memchr(p, '=', (size_t)(eol - p))) != NULL &&
		    trimmed_is(p, (size_t)(c - p), name, strlen(name)))
			found = line;
	}
	return found;
}

static size_t
key_line(const char *key)
{
	const char	*colon = strchr(key, ':');

	return colon == NULL ? ini_line("", 0, key) :
	    ini_line(key, (size_t)(colon - key), colon + 1);
}

static int
ini_error(const char *fmt, ...)
{
	static const char syntax[] = "iniparser: syntax error in %s (%d):";
	static const char toolong[] = "iniparser: input line too long in %s (%d)";
	static const char prefix[] = "iniparser: ";
	va_list		 ap;
	char		 msg[512];
	const char	*text;
	size_t		 len;
	int		 line;

	va_start(ap, fmt);
	if (ini_diags == NULL) {
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		return 0;
	}
	/* The messages iniparser 4.1 has, with their line numbers. */
	if (strncmp(fmt, syntax, sizeof(syntax) - 1) == 0) {
		(void)va_arg(ap, const char *);
		line = va_arg(ap, int);
		text = va_arg(ap, const char *);
		diag_add(ini_diags, ini_file, line > 0 ? (size_t)line : 0,
		    "syntax error: %s", text);
	} else if (strncmp(fmt, toolong, sizeof(toolong) - 1) == 0) {
		(void)va_arg(ap, const char *);
		line = va_arg(ap, int);
		diag_add(ini_diags, ini_file, line > 0 ? (size_t)line : 0,
		    "line too long");
	} else {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		len = strlen(msg);
		while (len > 0 && msg[len - 1] == '\n')
			msg[--len] = '\0';
		text = msg;
		if (strncmp(text, prefix, sizeof(prefix) - 1) == 0)
			text += sizeof(prefix) - 1;
		diag_add(ini_diags, ini_file, 0, "%s", text);
	}
	va_end(ap);
	return 0;
}

static void
set_str(char **field, const char *val)
{

	free(*field);
	*field = val != NULL ? xstrdup(val) : NULL;
}

/* Every field config.c owns; what was there before is overwritten. */
static void
defaults(struct config *cfg, const char *file)
{

	cfg->path = xstrdup(file);
	cfg->title = xstrdup("FAQ");
	cfg->description = xstrdup("");
	cfg->base_url = xstrdup(DEFAULT_BASE_URL);
	cfg->language = xstrdup("zh-CN");
	cfg->author = xstrdup("");
	cfg->content_dir = xstrdup("content");
	cfg->layouts_dir = xstrdup("layouts");
	cfg->output_dir = xstrdup("public");
	cfg->synonyms = NULL;
	cfg->jobs = 0;
	cfg->related = 5;
	cfg->all_limit = 5000;
	cfg->feed_entries = 20;
	cfg->recent = 10;
	cfg->unsafe_html = 0;
}

/* A string key; absent keys keep the default. */
static void
get_str(dictionary *ini, const char *key, char **field)
{
	const char	*v;

	if ((v = iniparser_getstring(ini, key, NULL)) != NULL)
		set_str(field, v);
}

/* A folder: absent keeps the default, empty is an error. */
static int
get_dir(dictionary *ini, const char *file, const char *key, char **field,
    struct diags *d)
{
	const char	*v;

	if ((v = iniparser_getstring(ini, key, NULL)) == NULL)
		return 0;
	if (*v == '\0') {
		diag_add(d, file, key_line(key), "[%.*s] %s must not be empty",
		    (int)(strchr(key, ':') - key), key, strchr(key, ':') + 1);
		return -1;
	}
	set_str(field, v);
	return 0;
}

/* A non-negative integer; absent or empty keeps the default. */
static int
get_count(dictionary *ini, const char *file, const char *key, int *field,
    struct diags *d)
{
	const char	*v;
	char		*end;
	long		 n;

	if ((v = iniparser_getstring(ini, key, NULL)) == NULL || *v == '\0')
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0' || errno == ERANGE || n < 0 ||
	    n > INT_MAX || !(*v >= '0' && *v <= '9')) {
		diag_add(d, file, key_line(key),
		    "[%.*s] %s must be a non-negative integer, not \"%s\"",
		    (int)(strchr(key, ':') - key), key, strchr(key, ':') + 1,
		    v);
		return -1;
	}
	*field = (int)n;
	return 0;
}

static int
get_bool(dictionary *ini, const char *file, const char *key, int *field,
    struct diags *d)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	const char	*v;
	size_t		 i;

	if ((v = iniparser_getstring(ini, key, NULL)) == NULL || *v == '\0')
		return 0;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*field = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*field = 0;
			return 0;
		}
	}
	diag_add(d, file, key_line(key),
	    "[%.*s] %s must be true or false, not \"%s\"",
	    (int)(strchr(key, ':') - key), key, strchr(key, ':') + 1, v);
	return -1;
}

/*
 * A section or key site.ini has that no code reads: a typo ("all_limt",
 * "[biuld]"), which would otherwise be ignored without a word.
 */
static int
unknown_keys(const dictionary *ini, const char *file, struct diags *d)
{
	static const char *const sections[] = { "site", "build", "markdown",
	    "search", "feed", NULL };
	const char	*key, *colon;
	ssize_t		 i;
	size_t		 j;
	int		 rc = 0;

	/* In the order of the file: iniparser appends. */
	for (i = 0; i < ini->size; i++) {
		if ((key = ini->key[i]) == NULL)
			continue;
		if ((colon = strchr(key, ':')) == key)
			/* iniparser keeps a key before any section as ":k". */
			diag_add(d, file, ini_line("", 0, key + 1), "key %s "
			    "is outside any section", key + 1);
		else if (colon != NULL) {
			for (j = 0; known_keys[j] != NULL; j++)
				if (strcmp(key, known_keys[j]) == 0)
					break;
			if (known_keys[j] != NULL)
				continue;
			/* An unknown section's keys: its header says it. */
			for (j = 0; sections[j] != NULL; j++)
				if (strlen(sections[j]) ==
				    (size_t)(colon - key) && strncmp(key,
				    sections[j], (size_t)(colon - key)) == 0)
					break;
			if (sections[j] == NULL)
				continue;
			diag_add(d, file, key_line(key), "unknown key %s in "
			    "[%.*s]: README.md lists the keys site.ini may "
			    "set", colon + 1, (int)(colon - key), key);
		} else {
			/* No ':': iniparser's entry for a section. */
			for (j = 0; sections[j] != NULL; j++)
				if (strcmp(key, sections[j]) == 0)
					break;
			if (sections[j] != NULL)
				continue;
			diag_add(d, file, ini_line(key, strlen(key), NULL),
			    "unknown section [%s]: README.md lists the "
			    "sections site.ini may have", key);
		}
		rc = -1;
	}
	return rc;
}

/*
 * An absolute http(s) URL with a host, nothing that needs escaping, and
 * no query or fragment (page paths are appended to it).
 */
static int
valid_base_url(const char *u)
{
	const char	*p;

	if (strncasecmp(u, "http://", 7) == 0)
		p = u + 7;
	else if (strncasecmp(u, "https://", 8) == 0)
		p = u + 8;
	else
		return 0;
	if (*p == '\0' || *p == '/' || *p == ':')
		return 0;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f ||
		    strchr("\"<>\\^`{|}?#", *p) != NULL)
			return 0;
	return 1;
}

int
config_load(struct config *cfg, const char *file, int optional,
    struct diags *d)
{
	dictionary	*ini;
	struct stat	 st;
	FILE		*f;
	const char	*url;
	size_t		 nerr = d->n, n;
	struct buf	 raw = { NULL, 0, 0 };
	char		 chunk[4096];
	int		 rc = 0, bad;

	defaults(cfg, file);

	/* Before opening: a FIFO would block, a device never end. */
	if (stat(file, &st) == -1) {
		if (optional && errno == ENOENT)
			return 0;
		diag_add(d, file, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		diag_add(d, file, 0, "cannot open: %s", strerror(EISDIR));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_add(d, file, 0, "not a regular file");
		return -1;
	}
	if ((f = fopen(file, "r")) == NULL) {
		diag_add(d, file, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	/* Its values go into every page and the feed: text, as content is. */
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_put(&raw, chunk, n);
	bad = ferror(f) != 0;
	fclose(f);
	if (bad) {
		diag_add(d, file, 0, "cannot read");
		buf_free(&raw);
		return -1;
	}
	bad = text_check(d, file, raw.data ? raw.data : "", raw.len) == -1;
	if (bad) {
		buf_free(&raw);
		return -1;
	}
	buf_putc(&raw, '\0');

	ini_diags = d;
	ini_file = file;
	iniparser_set_error_callback(ini_error);
	ini = iniparser_load(file);
	iniparser_set_error_callback(NULL);
	ini_diags = NULL;
	ini_file = NULL;
	if (ini == NULL) {
		if (d->n == nerr)
			diag_add(d, file, 0, "cannot read");
		buf_free(&raw);
		return -1;
	}
	ini_text = raw.data;
	rc |= unknown_keys(ini, file, d);

	get_str(ini, "site:title", &cfg->title);
	get_str(ini, "site:description", &cfg->description);
	get_str(ini, "site:language", &cfg->language);
	get_str(ini, "site:author", &cfg->author);
	rc |= get_count(ini, file, "site:recent", &cfg->recent, d);

	url = iniparser_getstring(ini, "site:base_url", NULL);
	if (url == NULL || *url == '\0') {
		diag_add(d, file, 0, "[site] base_url is required");
		rc = -1;
	} else if (!valid_base_url(url)) {
		diag_add(d, file, key_line("site:base_url"),
		    "[site] base_url must be an absolute http(s) URL");
		rc = -1;
	} else {
		free(cfg->base_url);
		cfg->base_url = url[strlen(url) - 1] == '/' ?
		    xstrdup(url) : xasprintf("%s/", url);
	}

	rc |= get_dir(ini, file, "build:content", &cfg->content_dir, d);
	rc |= get_dir(ini, file, "build:layouts", &cfg->layouts_dir, d);
	rc |= get_dir(ini, file, "build:output", &cfg->output_dir, d);
	rc |= get_count(ini, file, "build:jobs", &cfg->jobs, d);
	rc |= get_count(ini, file, "build:related", &cfg->related, d);
	rc |= get_count(ini, file, "build:all_limit", &cfg->all_limit, d);
	rc |= get_bool(ini, file, "markdown:unsafe_html", &cfg->unsafe_html, d);
	get_str(ini, "search:synonyms", &cfg->synonyms);
	if (cfg->synonyms != NULL && cfg->synonyms[0] == '\0')
		set_str(&cfg->synonyms, NULL);
	rc |= get_count(ini, file, "feed:entries", &cfg->feed_entries, d);

	ini_text = NULL;
	buf_free(&raw);
	iniparser_freedict(ini);
	return rc != 0 || d->n != nerr ? -1 : 0;
}

void
config_free(struct config *cfg)
{

	free(cfg->path);
	free(cfg->title);
	free(cfg->description);
	free(cfg->base_url);
	free(cfg->language);
	free(cfg->author);
	free(cfg->content_dir);
	free(cfg->layouts_dir);
	free(cfg->output_dir);
	free(cfg->synonyms);
	cfg->path = cfg->title = cfg->description = cfg->base_url = NULL;
	cfg->language = cfg->author = cfg->content_dir = NULL;
	cfg->layouts_dir = cfg->output_dir = cfg->synonyms = NULL;
}
