/*
 * test_config.c: site.ini into struct config.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faqgen.h"
#include "harness.h"

static char	 path[64];
static char	 errs[1024];

/* Write text to a new temporary site.ini; its name is in path. */
static void
write_ini(const char *text)
{
	int	 fd;

	snprintf(path, sizeof(path), "/tmp/faqgen-test-XXXXXX");
	fd = mkstemp(path);
	CHECK(fd != -1);
	if (fd == -1)
		return;
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	CHECK(close(fd) == 0);
}

/*
 * Load text as a site.ini; returns config_load's result, the errors
 * joined by '|' in errs with the temporary name replaced by "site.ini".
 */
static int
load(struct config *cfg, const char *text)
{
	struct diags	 d = { NULL, 0, 0 };
	size_t		 i, n;
	const char	*m;
	int		 rc;

	write_ini(text);
	n = strlen(path);
	memset(cfg, 0, sizeof(*cfg));
	rc = config_load(cfg, path, 0, &d);
	unlink(path);
	errs[0] = '\0';
	for (i = 0; i < d.n; i++) {
		if (i > 0)
			strncat(errs, "|", sizeof(errs) - strlen(errs) - 1);
		m = d.msg[i];
		if (strncmp(m, path, n) == 0) {
			strncat(errs, "site.ini", sizeof(errs) - strlen(errs) - 1);
			m += n;
		}
		strncat(errs, m, sizeof(errs) - strlen(errs) - 1);
	}
	CHECK((rc != 0) == (d.n > 0));
	diag_free(&d);
	return rc;
}

static void
check_defaults(const struct config *cfg)
{

	CHECK_STR(cfg->title, "FAQ");
	CHECK_STR(cfg->description, "");
	CHECK_STR(cfg->language, "zh-CN");
	CHECK_STR(cfg->author, "");
	CHECK_STR(cfg->content_dir, "content");
	CHECK_STR(cfg->layouts_dir, "layouts");
	CHECK_STR(cfg->output_dir, "public");
	CHECK(cfg->synonyms == NULL);
	CHECK(cfg->jobs == 0);
	CHECK(cfg->related == 5);
	CHECK(cfg->feed_entries == 20);
	CHECK(cfg->recent == 10);
	CHECK(cfg->unsafe_html == 0);
}

static void
test_absent(void)
{
	struct config	 cfg;
	struct diags	 d = { NULL, 0, 0 };
	const char	*missing = "/tmp/faqgen-no-such-dir/site.ini";

	/* Optional and absent: every default, no error. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.quiet = 1;
	CHECK(config_load(&cfg, missing, 1, &d) == 0);
	CHECK(d.n == 0);
	check_defaults(&cfg);
	CHECK_STR(cfg.path, missing);
	CHECK(cfg.base_url != NULL &&
	    cfg.base_url[strlen(cfg.base_url) - 1] == '/');
	CHECK(cfg.quiet == 1);		/* command-line fields are left alone */
	config_free(&cfg);
	CHECK(cfg.title == NULL && cfg.path == NULL);

	/* Required and absent: an error with the system's reason. */
	CHECK(config_load(&cfg, missing, 0, &d) == -1);
	CHECK(d.n == 1);
	if (d.n == 1)
		CHECK_STR(d.msg[0], "/tmp/faqgen-no-such-dir/site.ini: "
		    "cannot open: No such file or directory");
	check_defaults(&cfg);		/* still complete */
	config_free(&cfg);
	diag_free(&d);

	/* A folder is not a site.ini, optional or not. */
	CHECK(config_load(&cfg, "/tmp", 1, &d) == -1);
	CHECK(d.n == 1);
	if (d.n == 1)
		CHECK_STR(d.msg[0], "/tmp: cannot open: Is a directory");
	config_free(&cfg);
	diag_free(&d);
}

static void
test_full(void)
{
	struct config	 cfg;

	CHECK(load(&cfg,
	    "; the site\n"
	    "[site]\n"
	    "title = 广州考试院 FAQ\n"
	    "description = \"Questions; answers\"\n"
	    "base_url = https://faq.example.org/exam\n"
	    "language = en\n"
	    "author = Exam Office\n"
	    "recent = 3\n"
	    "\n"
	    "[build]\n"
	    "content = src\n"
	    "layouts = theme\n"
	    "output = out/site\n"
	    "jobs = 4\n"
	    "related = 0\n"
	    "[Markdown]\n"
	    "Unsafe_HTML = yes\n"
	    "[search]\n"
	    "synonyms = data/synonyms.txt\n"
	    "[feed]\n"
	    "entries = 50\n") == 0);
	CHECK_STR(errs, "");
	CHECK_STR(cfg.title, "广州考试院 FAQ");
	CHECK_STR(cfg.description, "Questions; answers");
	CHECK_STR(cfg.base_url, "https://faq.example.org/exam/");
	CHECK_STR(cfg.language, "en");
	CHECK_STR(cfg.author, "Exam Office");
	CHECK(cfg.recent == 3);
	CHECK_STR(cfg.content_dir, "src");
	CHECK_STR(cfg.layouts_dir, "theme");
	CHECK_STR(cfg.output_dir, "out/site");
	CHECK(cfg.jobs == 4);
	CHECK(cfg.related == 0);
	CHECK(cfg.unsafe_html == 1);
	CHECK_STR(cfg.synonyms, "data/synonyms.txt");
	CHECK(cfg.feed_entries == 50);
	config_free(&cfg);
}

static void
test_minimal(void)
{
	struct config	 cfg;

	/* Only base_url: everything else keeps its default. */
	CHECK(load(&cfg, "[site]\nbase_url = http://example.com/\n") == 0);
	CHECK_STR(errs, "");
	CHECK_STR(cfg.base_url, "http://example.com/");
	check_defaults(&cfg);
	config_free(&cfg);

	/* Empty values keep defaults; an empty synonyms means none. */
	CHECK(load(&cfg, "[site]\nbase_url = HTTPS://Example.com:8080\n"
	    "recent =\n[search]\nsynonyms =\n[markdown]\nunsafe_html = off\n")
	    == 0);
	CHECK_STR(cfg.base_url, "HTTPS://Example.com:8080/");
	check_defaults(&cfg);
	config_free(&cfg);
}

static void
test_errors(void)
{
	struct config	 cfg;

	CHECK(load(&cfg, "[site]\ntitle = x\n") == -1);
	CHECK_STR(errs, "site.ini: [site] base_url is required");
	config_free(&cfg);

#define BADURL "site.ini:2: [site] base_url must be an absolute http(s) URL"
	CHECK(load(&cfg, "[site]\nbase_url = example.com\n") == -1);
	CHECK_STR(errs, BADURL);
	CHECK_STR(cfg.base_url, "http://localhost/");	/* the default stays */
	config_free(&cfg);
	CHECK(load(&cfg, "[site]\nbase_url = /faq/\n") == -1);
	CHECK_STR(errs, BADURL);
	config_free(&cfg);
	CHECK(load(&cfg, "[site]\nbase_url = ftp://example.com/\n") == -1);
	CHECK_STR(errs, BADURL);
	config_free(&cfg);
	CHECK(load(&cfg, "[site]\nbase_url = https://\n") == -1);
	CHECK_STR(errs, BADURL);
	config_free(&cfg);
	CHECK(load(&cfg, "[site]\nbase_url = https:///path\n") == -1);
	CHECK_STR(errs, BADURL);
	config_free(&cfg);
	CHECK(load(&cfg, "[site]\nbase_url = \"https://a b.com/\"\n") == -1);
	CHECK_STR(errs, BADURL);
	config_free(&cfg);
	CHECK(load(&cfg, "[site]\nbase_url = https://a.com/?x=1\n") == -1);
	CHECK_STR(errs, BADURL);
	config_free(&cfg);

	CHECK(load(&cfg, "[site]\nbase_url = http://a/\nrecent = ten\n"
	    "[build]\njobs = -1\nrelated = 5x\n[feed]\nentries = 99999999999\n"
	    "[markdown]\nunsafe_html = maybe\n") == -1);
	CHECK_STR(errs,
	    "site.ini:3: [site] recent must be a non-negative integer, "
	    "not \"ten\"|"
	    "site.ini:5: [build] jobs must be a non-negative integer, "
	    "not \"-1\"|"
	    "site.ini:6: [build] related must be a non-negative integer, "
	    "not \"5x\"|"
	    "site.ini:10: [markdown] unsafe_html must be true or false, "
	    "not \"maybe\"|"
	    "site.ini:8: [feed] entries must be a non-negative integer, "
	    "not \"99999999999\"");
	CHECK(cfg.jobs == 0 && cfg.related == 5 && cfg.recent == 10);
	config_free(&cfg);

	CHECK(load(&cfg, "[site]\nbase_url = http://a/\n[build]\noutput =\n")
	    == -1);
	CHECK_STR(errs, "site.ini:4: [build] output must not be empty");
	CHECK_STR(cfg.output_dir, "public");
	config_free(&cfg);

	/*
	 * The line of a value is the last one that sets it (iniparser
	 * keeps the last), found whatever the case and spacing of the
	 * section and key; the same key in another section is not it.
	 */
	CHECK(load(&cfg, "[site]\nbase_url = http://a/\n[feed]\njobs = 1\n"
	    "[ Build ]\n  JOBS=2\r\n\tjobs = x\n") == -1);
	CHECK_STR(errs, "site.ini:4: unknown key jobs in [feed]: README.md "
	    "lists the keys site.ini may set|"
	    "site.ini:7: [build] jobs must be a non-negative integer, "
	    "not \"x\"");
	config_free(&cfg);

	/* Typos are errors, not silently ignored: keys, sections, keys
	 * before any section. */
	CHECK(load(&cfg, "stray = 1\n[site]\nbase_url = http://a/\n"
	    "titel = T\n[biuld]\noutput = x\n[build]\nall_limt = 9\n") == -1);
	CHECK_STR(errs, "site.ini:1: key stray is outside any section|"
	    "site.ini:4: unknown key titel in [site]: README.md lists the "
	    "keys site.ini may set|"
	    "site.ini:5: unknown section [biuld]: README.md lists the "
	    "sections site.ini may have|"
	    "site.ini:8: unknown key all_limt in [build]: README.md lists "
	    "the keys site.ini may set");
	CHECK_STR(cfg.output_dir, "public");
	config_free(&cfg);

	/* Syntax errors come with their line, every one of them. */
	CHECK(load(&cfg, "[site]\nbase_url = http://a/\nthis is not ini\n"
	    "title = ok\nnor this\n") == -1);
	CHECK_STR(errs, "site.ini:3: syntax error: this is not ini|"
	    "site.ini:5: syntax error: nor this");
	check_defaults(&cfg);
	config_free(&cfg);
}

int
main(void)
{
	TEST(test_absent);
	TEST(test_full);
	TEST(test_minimal);
	TEST(test_errors);
	return harness_done();
}
