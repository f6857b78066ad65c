/*
 * main.c: the command line, and the build as a table of contents:
 * config, load, render, link, index, emit, publish.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "faqgen.h"

static const char usage_text[] =
"usage: faqgen build [options]    build the site into the output folder\n"
"       faqgen check [options]    run every check of build, write nothing\n"
"       faqgen help [command]     show help for a command\n"
"       faqgen --help | --version\n"
"\n"
"options:\n"
"  --config FILE    site configuration (default: site.ini)\n"
"  --content DIR    content folder (default from site.ini: content)\n"
"  --layouts DIR    layouts folder (default from site.ini: layouts)\n"
"  --output DIR     output folder (default from site.ini: public)\n"
"  --jobs N         threads (default: number of cores)\n"
"  --drafts         include questions marked draft: true\n"
"  --quiet          no summary line\n"
"\n"
"exit status: 0 success, 1 content errors, 2 usage, 3 system or I/O error\n";

static const char help_build[] =
"faqgen build [--config FILE] [--content DIR] [--layouts DIR]\n"
"             [--output DIR] [--jobs N] [--drafts] [--quiet]\n"
"\n"
"Reads site.ini, content/ and layouts/, checks every page and\n"
"cross-reference, and writes the site into a staging folder beside the\n"
"output, which replaces the output only when everything succeeded.\n"
"Files whose bytes did not change are left untouched.  Paths in site.ini\n"
"are relative to its folder; paths given as options to the working\n"
"folder.  Prints one summary line: pages added, changed, unchanged,\n"
"removed, output bytes and time.\n";

static const char help_check[] =
"faqgen check [--config FILE] [--content DIR] [--layouts DIR] [--drafts]\n"
"\n"
"Runs every validation of build (front matter, Markdown, cross-references\n"
"and their #fragments, aliases, templates) and writes nothing.  Exits 1\n"
"when a problem was found, after reporting all of them as file:line.\n";

struct options {
	const char	*command;
	const char	*config;
	const char	*content;
	const char	*layouts;
	const char	*output;
	int		 jobs;		/* -1 = not given */
	int		 drafts;
	int		 quiet;
};

static int
usage(void)
{
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

static int
help(const char *cmd)
{
	if (cmd == NULL)
		fputs(usage_text, stdout);
	else if (strcmp(cmd, "build") == 0)
		fputs(help_build, stdout);
	else if (strcmp(cmd, "check") == 0)
		fputs(help_check, stdout);
	else {
		fprintf(stderr, "faqgen: no help for unknown command %s\n",
		    cmd);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A path from site.ini is relative to the folder site.ini is in. */
static void
relative_to(char **path, const char *ini)
{
	const char	*slash = strrchr(ini, '/');
	char		*p;

	if (*path == NULL || (*path)[0] == '/' || slash == NULL)
		return;
	p = xasprintf("%.*s/%s", (int)(slash - ini), ini, *path);
	free(*path);
	*path = p;
}

static void
set(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static void
render_one(void *arg, size_t i)
{
	struct site	*site = arg;

	render_page(site, site->pages[i]);
}

/* Print every page's errors in site order; returns how many. */
static size_t
report(struct site *site)
{
	size_t	 i, n = site->diags.n;

	diag_print(&site->diags);
	for (i = 0; i < site->npages; i++) {
		diag_print(&site->pages[i]->diags);
		n += site->pages[i]->diags.n;
	}
	return n;
}

static int
build(const struct options *opt)
{
	struct site		 site;
	struct output		*out;
	struct publish_stats	 st;
	struct diags		 d = { NULL, 0, 0 };
	int			 dry = strcmp(opt->command, "check") == 0;
	int			 optional_ini = opt->config == NULL;
	double			 t0 = now();
	long			 ncpu;

	memset(&site, 0, sizeof(site));

	/* config */
	if (config_load(&site.cfg, opt->config ? opt->config : "site.ini",
	    optional_ini, &d) != 0) {
		diag_print(&d);
		diag_free(&d);
		config_free(&site.cfg);
		return EXIT_CONTENT;
	}
	if (opt->config != NULL) {
		relative_to(&site.cfg.content_dir, opt->config);
		relative_to(&site.cfg.layouts_dir, opt->config);
		relative_to(&site.cfg.output_dir, opt->config);
		relative_to(&site.cfg.synonyms, opt->config);
	}
	if (opt->content)
		set(&site.cfg.content_dir, opt->content);
	if (opt->layouts)
		set(&site.cfg.layouts_dir, opt->layouts);
	if (opt->output)
		set(&site.cfg.output_dir, opt->output);
	if (opt->jobs >= 0)
		site.cfg.jobs = opt->jobs;
	if (site.cfg.jobs <= 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		site.cfg.jobs = ncpu > 0 ? (int)ncpu : 1;
	}
	site.cfg.drafts = opt->drafts;
	site.cfg.quiet = opt->quiet;

	/* load: every page and layout, before anything is rendered */
	if (load_site(&site) != 0) {
		int rc = site.io_error ? EXIT_SYSTEM : EXIT_CONTENT;
		report(&site);
		site_free(&site);
		return rc;
	}
	site_index(&site);

	/* render, then link: both report every problem they find */
	pool_run(site.npages, site.cfg.jobs, render_one, &site);
	link_site(&site);
	if (report(&site) > 0) {
		site_free(&site);
		return EXIT_CONTENT;
	}

	/* index, emit and publish through one output */
	if ((out = output_open(site.cfg.output_dir, dry, &d)) == NULL) {
		diag_print(&d);
		diag_free(&d);
		site_free(&site);
		return EXIT_SYSTEM;
	}
	if (emit_site(&site, out) != 0 || index_write(&site, out) != 0 ||
	    xml_sitemap(&site, out) != 0 || xml_feed(&site, out) != 0) {
		/* Output errors land in d; template errors are printed. */
		int rc = d.n > 0 ? EXIT_SYSTEM : EXIT_CONTENT;
		output_abort(out);
		diag_print(&d);
		diag_free(&d);
		site_free(&site);
		return rc;
	}
	if (output_commit(out, &st) != 0) {
		diag_print(&d);
		diag_free(&d);
		site_free(&site);
		return EXIT_SYSTEM;
	}
	if (!site.cfg.quiet) {
		if (dry)
			fprintf(stderr, "faqgen: %zu pages checked, no "
			    "problems, %.2f s\n", site.npages, now() - t0);
		else
			fprintf(stderr, "faqgen: %zu pages, %zu files: %zu "
			    "added, %zu changed, %zu unchanged, %zu removed; "
			    "%.1f MB written to %s/ in %.2f s\n",
			    site.npages, st.added + st.changed + st.unchanged,
			    st.added, st.changed, st.unchanged, st.removed,
			    (double)st.bytes / 1e6, site.cfg.output_dir,
			    now() - t0);
	}
	diag_free(&d);
	site_free(&site);
	return EXIT_OK;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "content", required_argument, NULL, 'C' },
		{ "layouts", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "drafts", no_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct options	 opt;
	char		*end;
	long		 n;
	int		 ch;

	memset(&opt, 0, sizeof(opt));
	opt.jobs = -1;
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return help(NULL);
	if (strcmp(argv[1], "--version") == 0) {
		printf("faqgen %s\n", FAQGEN_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0)
		return help(argc > 2 ? argv[2] : NULL);
	opt.command = argv[1];
	if (strcmp(opt.command, "build") != 0 &&
	    strcmp(opt.command, "check") != 0) {
		fprintf(stderr, "faqgen: unknown command %s\n", opt.command);
		return usage();
	}
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			opt.config = optarg;
			break;
		case 'C':
			opt.content = optarg;
			break;
		case 'l':
			opt.layouts = optarg;
			break;
		case 'o':
			opt.output = optarg;
			break;
		case 'j':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || *end != '\0' || n < 1 || n > 256) {
				fprintf(stderr, "faqgen: --jobs takes a "
				    "number from 1 to 256\n");
				return EXIT_USAGE;
			}
			opt.jobs = (int)n;
			break;
		case 'd':
			opt.drafts = 1;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case 'h':
			return help(opt.command);
		case 'V':
			printf("faqgen %s\n", FAQGEN_VERSION);
			return EXIT_OK;
		default:
			return usage();
		}
	}
	if (optind < argc) {
		fprintf(stderr, "faqgen: unexpected argument %s\n",
		    argv[optind]);
		return usage();
	}
	return build(&opt);
}
