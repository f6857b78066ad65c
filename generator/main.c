/*
 * main.c: the command line.  The build itself, as a table of contents
 * (config, load, render, link, index, emit, publish), is build_site() in
 * build.c.
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
"       faqgen check [options] [--external [--online]]\n"
"                                 run every check of build, write nothing\n"
"       faqgen serve [options] [--port N] [--bind ADDR]\n"
"                                 preview with live reload\n"
"       faqgen new CATEGORY/SLUG [--title TEXT]\n"
"                                 start a question file\n"
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
"exit status: 0 success, 1 content errors (check --external: a broken or\n"
"unreachable link), 2 usage, 3 system or I/O error\n";

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
"removed, output bytes and time.  When stderr is a terminal, a build\n"
"longer than a second shows a progress line.\n";

static const char help_check[] =
"faqgen check [--config FILE] [--content DIR] [--layouts DIR] [--drafts]\n"
"             [--external [--online]] [--jobs N]\n"
"\n"
"Runs every validation of build (front matter, Markdown, cross-references\n"
"and their #fragments, aliases, templates) and writes nothing.  Exits 1\n"
"when a problem was found, after reporting all of them as file:line.\n"
"\n"
"  --external  after a clean check, list on stdout every external URL\n"
"              of the answers, each followed by the files that use it.\n"
"  --online    also fetch each URL (HEAD, then GET when the server\n"
"              answers 405 or 501; 10 s timeout; up to --jobs, default 8,\n"
"              at once; redirects are not followed) and report them as\n"
"              broken (4xx, 5xx), redirected (3xx, with the target) and\n"
"              unreachable (no answer).  Exits 1 when any URL is broken\n"
"              or unreachable; redirects are reported only.\n";

static const char help_serve[] =
"faqgen serve [--config FILE] [--content DIR] [--layouts DIR] [--jobs N]\n"
"             [--drafts] [--quiet] [--port N] [--bind ADDR]\n"
"\n"
"Builds the site into a private temporary folder (never the output\n"
"folder) and serves it at http://ADDR:N/ (default 127.0.0.1:1313; port 0\n"
"picks a free one).  Watches the content and layouts folders and\n"
"site.ini; a burst of saves triggers one rebuild, and open pages reload\n"
"themselves.  A failed rebuild prints its errors here and shows them over\n"
"the page in the browser, while the last good build is still served.\n"
"Only files inside the built site are served.  Stop with Ctrl-C.\n";

static const char help_new[] =
"faqgen new CATEGORY/SLUG [--title TEXT] [--config FILE] [--content DIR]\n"
"\n"
"Writes content/CATEGORY/SLUG.md with its front matter filled in: the\n"
"title (default: the slug), a weight after the last question of the\n"
"category, lastmod today, empty tags and keywords.  The category must\n"
"exist; a slug is lower-case ASCII letters, digits and hyphens.  An\n"
"existing file is never overwritten.  Prints the path written.\n";

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
	else if (strcmp(cmd, "serve") == 0)
		fputs(help_serve, stdout);
	else if (strcmp(cmd, "new") == 0)
		fputs(help_new, stdout);
	else {
		fprintf(stderr, "faqgen: no help for unknown command %s\n",
		    cmd);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/*
 * A one-shot build's site, until the process exits (build()); volatile,
 * so the store that keeps it reachable is not dropped as never read.
 */
static struct site *volatile left;

/* build and check, with check --external after a clean check. */
static int
build(const struct options *opt)
{
	struct build_result	 res;
	int			 dry = strcmp(opt->command, "check") == 0;
	int			 rc;

	memset(&res, 0, sizeof(res));
	res.keep_site = 1;
	rc = build_site(opt, dry, &res);
	if (rc == EXIT_OK && opt->external)
		rc = external_report(res.site, opt->online, opt->jobs);
	/*
	 * The process ends here: the site is left to the exit, not freed
	 * page by page (0.36 s of a 100,000-question build).  Held in a
	 * static, it stays reachable, so leak checkers agree.
	 */
	left = res.site;
	res.site = NULL;
	build_result_free(&res);
	return rc;
}

/* Which options a command takes, by getopt code. */
static int
allowed(const char *cmd, int ch)
{
	switch (ch) {
	case 'x':
	case 'O':
		return strcmp(cmd, "check") == 0;
	case 'p':
	case 'b':
		return strcmp(cmd, "serve") == 0;
	case 't':
		return strcmp(cmd, "new") == 0;
	case 'o':
		return strcmp(cmd, "build") == 0 || strcmp(cmd, "check") == 0;
	default:
		return 1;
	}
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
		{ "external", no_argument, NULL, 'x' },
		{ "online", no_argument, NULL, 'O' },
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "title", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct options	 opt;
	const char	*arg = NULL;
	char		*end;
	long		 n;
	int		 ch, li;

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
	    strcmp(opt.command, "check") != 0 &&
	    strcmp(opt.command, "serve") != 0 &&
	    strcmp(opt.command, "new") != 0) {
		fprintf(stderr, "faqgen: unknown command %s\n", opt.command);
		return usage();
	}
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", longopts, &li)) != -1) {
		if (ch != '?' && !allowed(opt.command, ch)) {
			fprintf(stderr, "faqgen: %s does not take --%s\n",
			    opt.command, longopts[li].name);
			return usage();
		}
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
		case 'x':
			opt.external = 1;
			break;
		case 'O':
			opt.online = 1;
			break;
		case 'p':
			opt.port = optarg;
			break;
		case 'b':
			opt.bind = optarg;
			break;
		case 't':
			opt.title = optarg;
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
	if (strcmp(opt.command, "new") == 0 && optind < argc)
		arg = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "faqgen: unexpected argument %s\n",
		    argv[optind]);
		return usage();
	}
	if (opt.online && !opt.external) {
		fprintf(stderr, "faqgen: --online goes with --external\n");
		return usage();
	}
	if (strcmp(opt.command, "new") == 0) {
		if (arg == NULL) {
			fprintf(stderr, "faqgen: new needs CATEGORY/SLUG\n");
			return usage();
		}
		return new_question(&opt, arg);
	}
	if (strcmp(opt.command, "serve") == 0)
		return serve_run(&opt);
	return build(&opt);
}
