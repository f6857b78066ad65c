/*
 * build.c: the build as a table of contents: config, load, render, link,
 * index, emit, publish.  build_site() runs it for build, check and serve;
 * main.c only reads the command line.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "faqgen.h"

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Peak resident memory so far, from /proc/self/status (Linux). */
static long
peak_mb(void)
{
	char	 line[128];
	long	 kb = 0;
	FILE	*f;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb / 1024;
}

/* The process's CPU time so far, every thread: user, and system in *sys. */
static double
cpu_seconds(double *sys)
{
	struct rusage	 ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return *sys = 0;
	*sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
}

/*
 * With FAQGEN_TIMING set, each stage's wall time, its CPU time (user and
 * system, every thread) and the peak memory so far go to stderr; the
 * benchmark uses it to show where a build's time goes.
 */
static void
lap(const char *stage, double *t)
{
	static double	 user0, sys0;
	double		 t1, user, sys;

	if (getenv("FAQGEN_TIMING") == NULL)
		return;
	t1 = now();
	user = cpu_seconds(&sys);
	fprintf(stderr, "faqgen: timing: %-8s %7.3f s, user %6.3f s, "
	    "sys %6.3f s, peak %ld MB\n", stage, t1 - *t, user - user0,
	    sys - sys0, peak_mb());
	user0 = user;
	sys0 = sys;
	*t = t1;
}

/*
 * Everything the output depends on: this program, the configuration, and
 * every source, layout and synonyms file, in site order.
 */
static uint64_t
fingerprint(const struct site *site)
{
	const struct config *c = &site->cfg;
	const char	*strs[] = { c->title, c->description, c->base_url,
	    c->language, c->author };
	int		 nums[] = { c->related, c->feed_entries, c->recent,
	    c->unsafe_html, c->all_limit, c->drafts };
	uint64_t	 h;
	size_t		 i;

	h = program_hash();
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		h = hash_bytes(strs[i] ? strs[i] : "", strs[i] ?
		    strlen(strs[i]) + 1 : 0, h);
	h = hash_bytes(nums, sizeof(nums), h);
	for (i = 0; i < site->npages; i++) {
		h = hash_bytes(site->pages[i]->src,
		    strlen(site->pages[i]->src) + 1, h);
		h = hash_bytes(&site->pages[i]->src_hash, sizeof(uint64_t), h);
	}
	for (i = 0; i < site->nlayouts; i++) {
		h = hash_bytes(site->layouts[i].name,
		    strlen(site->layouts[i].name) + 1, h);
		h = hash_bytes(site->layouts[i].data, site->layouts[i].len, h);
	}
	if (site->synonyms != NULL)
		h = hash_bytes(site->synonyms, site->synonyms_len, h);
	return h == 0 ? 1 : h;
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

#define RENDER_RUN	4096	/* pages rendered before memory is given back */

struct render_ctx {
	struct site	*site;
	struct progress	*progress;
	struct page_state *state;	/* the last build's pages */
	size_t		 from;		/* the first page of the run */
	atomic_size_t	 rendered;	/* pages not taken from the state */
	int		 drop_body;	/* no all.html: Markdown unused later */
};

struct saver {
	struct page_state *state;
	const struct site *site;
	struct output	*out;		/* NULL: a dry run, nothing saved */
	int		 rc;
};

static void *
save_pages(void *arg)
{
	struct saver	*s = arg;

	if (s->out != NULL)
		s->rc = page_state_save(s->state, s->site, s->out);
	return NULL;
}

/* The sitemap and the feed, on a thread beside the index. */
struct xmljob {
	const struct site *site;
	struct output	*out;
	int		 rc;
};

static void *
write_xml(void *arg)
{
	struct xmljob	*x = arg;

	if ((x->rc = xml_sitemap(x->site, x->out)) == 0)
		x->rc = xml_feed(x->site, x->out);
	return NULL;
}

static void
render_one(void *arg, size_t i)
{
	struct render_ctx *ctx = arg;
	struct page	*p = ctx->site->pages[ctx->from + i];

	if (!page_state_restore(ctx->state, ctx->site, p)) {
		render_page(ctx->site, p);
		atomic_fetch_add(&ctx->rendered, 1);
	}
	if (p->diags.n != 0)
		p->keep = 0;
	if (ctx->drop_body) {
		/* Keeps peak memory near the output, not output + input. */
		free(p->body);
		p->body = NULL;
		p->body_len = 0;
	}
	progress_tick(ctx->progress);
}

/* Print messages, keeping a copy for the caller (serve's overlay). */
static void
show(struct build_result *res, const struct diags *d)
{
	size_t	 i;

	diag_print(d);
	for (i = 0; i < d->n; i++)
		diag_add(&res->errors, NULL, 0, "%s", d->msg[i]);
}

static size_t
count_errors(const struct site *site)
{
	size_t	 i, n = site->diags.n;

	for (i = 0; i < site->npages; i++)
		n += site->pages[i]->diags.n;
	return n;
}

/* Print every page's errors in site order. */
static void
report(struct build_result *res, struct site *site)
{
	size_t	 i;

	show(res, &site->diags);
	for (i = 0; i < site->npages; i++)
		show(res, &site->pages[i]->diags);
}

/*
 * A run stopped on content errors: those, then the templates' (checked
 * when templates is set, i.e. the layouts were read whole), so one run
 * reports every error it can.
 */
static void
report_all(struct build_result *res, struct site *site, int templates)
{
	struct diags	 td = { NULL, 0, 0 };

	report(res, site);
	if (templates)
		(void)emit_check(site, &td);
	show(res, &td);
	diag_free(&td);
}

/*
 * The real path of path, or of its folder joined with its last name when
 * it does not exist yet; NULL when neither resolves.
 */
static char *
real_or_new(const char *path)
{
	const char	*slash;
	char		*dir, *r, *s;

	if ((r = realpath(path, NULL)) != NULL)
		return r;
	slash = strrchr(path, '/');
	dir = slash ? xstrndup(path, (size_t)(slash - path) + 1) :
	    xstrdup(".");
	r = realpath(dir, NULL);
	free(dir);
	if (r == NULL)
		return NULL;
	s = xasprintf("%s/%s", strcmp(r, "/") == 0 ? "" : r,
	    slash ? slash + 1 : path);
	free(r);
	return s;
}

/* Is a the folder b or inside it? */
static int
within(const char *a, const char *b)
{
	size_t	 n = strlen(b);

	return strcmp(b, "/") == 0 || (strncmp(a, b, n) == 0 &&
	    (a[n] == '\0' || a[n] == '/'));
}

/*
 * The output is swapped out and replaced whole by each build: it must
 * not be the folder of the sources or hold them (content/, layouts/,
 * site.ini's folder), nor lie inside content/ or layouts/.  1 when it
 * does (reported).
 */
static int
output_clash(const char *ini, const struct config *cfg, struct diags *d)
{
	char		*out, *src, *inidir;
	size_t		 i;
	int		 bad = 0;

	if ((out = real_or_new(cfg->output_dir)) == NULL)
		return 0;	/* output_open() says why */
	inidir = realpath(ini, NULL);
	if (inidir != NULL)
		inidir[strrchr(inidir, '/') - inidir] = '\0';
	for (i = 0; i < 3 && !bad; i++) {
		src = i == 0 ? realpath(cfg->content_dir, NULL) :
		    i == 1 ? realpath(cfg->layouts_dir, NULL) :
		    inidir != NULL ? xstrdup(*inidir ? inidir : "/") : NULL;
		if (src == NULL)
			continue;
		if (within(src, out)) {
			diag_add(d, cfg->output_dir, 0, "refusing to build "
			    "into a folder that holds the sources (%s): each "
			    "build replaces the output whole", src);
			bad = 1;
		} else if (i < 2 && within(out, src)) {
			diag_add(d, cfg->output_dir, 0, "refusing to build "
			    "into the sources (%s)", src);
			bad = 1;
		}
		free(src);
	}
	free(inidir);
	free(out);
	return bad;
}

int
build_config(const struct options *opt, struct config *cfg,
    struct diags *d)
{
	const char	*file = opt->config ? opt->config : "site.ini";
	long		 ncpu;

	/* A missing or unreadable site.ini is a system error, like layouts/. */
	if (access(file, R_OK) == -1) {
		diag_add(d, file, 0, "cannot open: %s", strerror(errno));
		return EXIT_SYSTEM;
	}
	if (config_load(cfg, file, 0, d) != 0)
		return EXIT_CONTENT;
	if (opt->config != NULL) {
		relative_to(&cfg->content_dir, opt->config);
		relative_to(&cfg->layouts_dir, opt->config);
		relative_to(&cfg->output_dir, opt->config);
		relative_to(&cfg->synonyms, opt->config);
	}
	if (opt->content)
		set(&cfg->content_dir, opt->content);
	if (opt->layouts)
		set(&cfg->layouts_dir, opt->layouts);
	if (opt->output)
		set(&cfg->output_dir, opt->output);
	if (opt->jobs >= 0)
		cfg->jobs = opt->jobs;
	if (cfg->jobs <= 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		cfg->jobs = ncpu > 0 ? (int)ncpu : 1;
	}
	cfg->drafts = opt->drafts;
	cfg->quiet = opt->quiet;
	return output_clash(file, cfg, d) ? EXIT_CONTENT : EXIT_OK;
}

/* The end of a build: hand the site over or free it. */
static int
finish(struct build_result *res, struct site *site, struct progress *pr,
    int rc)
{
	progress_end(pr);
	if (site->cfg.content_dir != NULL)
		res->content_dir = xstrdup(site->cfg.content_dir);
	if (site->cfg.layouts_dir != NULL)
		res->layouts_dir = xstrdup(site->cfg.layouts_dir);
	if (site->cfg.base_url != NULL)
		res->base_url = xstrdup(site->cfg.base_url);
	res->npages = site->npages;
	if (rc == EXIT_OK && res->keep_site) {
		res->site = xmalloc(sizeof(*site));
		*res->site = *site;
	} else
		site_free(site);
	return rc;
}

/*
 * The build as a table of contents: config, load, render, link, index,
 * emit, publish.  Every message goes to stderr and into res->errors.
 */
int
build_site(const struct options *opt, int dry, struct build_result *res)
{
	struct site		 site;
	struct output		*out;
	struct render_ctx	 ctx;
	struct progress		*pr;
	struct diags		 d = { NULL, 0, 0 };	/* config, output */
	struct diags		 td = { NULL, 0, 0 };	/* templates */
	double			 t0 = now(), t;
	size_t			 files = 0;
	struct saver		 saver;
	struct xmljob		 xml;
	struct page_state	*state;
	pthread_t		 th;
	size_t			 n;
	int			 rc, threaded;

	memset(&site, 0, sizeof(site));
	res->site = NULL;

	/* config */
	if ((rc = build_config(opt, &site.cfg, &d)) != EXIT_OK) {
		show(res, &d);
		diag_free(&d);
		config_free(&site.cfg);
		return rc;
	}
	pr = progress_start(!site.cfg.quiet && isatty(STDERR_FILENO));
	/*
	 * One malloc arena a job: a thread beside the pool (the page state's
	 * writer) would otherwise get an arena of its own, and the stages
	 * after it spread over one more arena's leftovers (+40 MB of peak
	 * at 100k questions).
	 */
	mallopt(M_ARENA_MAX, site.cfg.jobs > 0 ? site.cfg.jobs : 1);

	/*
	 * The output, opened first: what its last build made of each page
	 * spares loading and rendering the pages that did not change.
	 */
	progress_stage(pr, "loading", 0);
	t = now();
	if ((out = output_open(site.cfg.output_dir, dry, &d)) == NULL) {
		progress_clear(pr);
		show(res, &d);
		diag_free(&d);
		return finish(res, &site, pr, EXIT_SYSTEM);
	}
	state = page_state_open(&site.cfg, dry ? NULL : out);
	lap("open", &t);

	/* load: every page and layout, before anything is rendered */
	site.state = state;
	rc = load_site(&site);
	site.state = NULL;
	if (getenv("FAQGEN_TIMING") != NULL)
		fprintf(stderr, "faqgen: load: %zu of %zu front matters "
		    "parsed\n", site.nparsed, site.npages);
	if (rc != 0) {
		page_state_free(state);
		output_abort(out);
		progress_clear(pr);
		report_all(res, &site, !site.io_error);
		return finish(res, &site, pr,
		    site.io_error ? EXIT_SYSTEM : EXIT_CONTENT);
	}
	site_index(&site);
	lap("load", &t);

	/*
	 * Same inputs as the output's last build, and its files as that
	 * build left them (none deleted or edited by hand): done.
	 */
	output_set_inputs(out, dry ? 0 : fingerprint(&site));
	if (!dry && output_last_inputs(out) == fingerprint(&site) &&
	    output_live_intact(out)) {
		output_live_files(out, &files);
		page_state_free(state);
		output_abort(out);
		progress_clear(pr);
		if (!site.cfg.quiet)
			fprintf(stderr, "faqgen: %zu pages, %zu files, inputs "
			    "unchanged since the last build: 0 added, 0 "
			    "changed, %zu unchanged, 0 removed; 0.0 MB written "
			    "to %s/ in %.2f s\n", site.npages, files, files,
			    site.cfg.output_dir, now() - t0);
		diag_free(&d);
		return finish(res, &site, pr, EXIT_OK);
	}

	/* render, then link: both report every problem they find */
	progress_stage(pr, "rendering", site.npages);
	ctx.site = &site;
	ctx.progress = pr;
	/* Only all.html renders answers again. */
	ctx.drop_body = site.nquestions > (size_t)site.cfg.all_limit;
	ctx.state = state;
	atomic_init(&ctx.rendered, 0);
	for (ctx.from = 0; ctx.from < site.npages; ctx.from += RENDER_RUN) {
		n = site.npages - ctx.from < RENDER_RUN ?
		    site.npages - ctx.from : RENDER_RUN;
		pool_run(n, site.cfg.jobs, render_one, &ctx);
		page_state_release(ctx.state, ctx.from + n);
	}
	if (getenv("FAQGEN_TIMING") != NULL)
		fprintf(stderr, "faqgen: render: %zu of %zu pages rendered\n",
		    atomic_load(&ctx.rendered), site.npages);
	lap("render", &t);
	/*
	 * The pages are saved for the next build while link reads them (it
	 * writes nothing that is saved, and touches no output).
	 */
	saver.state = ctx.state;
	saver.site = &site;
	saver.out = dry ? NULL : out;
	saver.rc = 0;
	threaded = pthread_create(&th, NULL, save_pages, &saver) == 0;
	if (!threaded)
		save_pages(&saver);
	progress_stage(pr, "linking", 0);
	link_site(&site);
	if (threaded)
		pthread_join(th, NULL);
	page_state_free(state);
	lap("link", &t);
	if (saver.rc != 0) {
		output_abort(out);
		progress_clear(pr);
		show(res, &d);
		diag_free(&d);
		return finish(res, &site, pr, EXIT_SYSTEM);
	}
	if (count_errors(&site) > 0) {
		output_abort(out);
		progress_clear(pr);
		report_all(res, &site, 1);
		return finish(res, &site, pr, EXIT_CONTENT);
	}

	/* index, emit and publish through the output */
	progress_stage(pr, "writing", 0);
	if ((rc = emit_site(&site, out, &td)) == 0)
		lap("emit", &t);
	/* Emit freed every page's HTML: give it back before the index. */
	malloc_trim(0);
	if (rc == 0) {
		/*
		 * The sitemap and the feed (one thread's work) are written
		 * while the index runs: its serial parts leave a core idle.
		 */
		xml.site = &site;
		xml.out = out;
		xml.rc = 0;
		threaded = pthread_create(&th, NULL, write_xml, &xml) == 0;
		if (!threaded)
			write_xml(&xml);
		rc = index_write(&site, out);
		if (threaded)
			pthread_join(th, NULL);
		if (rc == 0 && (rc = xml.rc) == 0)
			lap("index", &t);	/* with the sitemap and feed */
	}
	if (rc != 0) {
		/* Template errors are the editor's; the rest is I/O. */
		rc = td.n > 0 ? EXIT_CONTENT : EXIT_SYSTEM;
		output_abort(out);
		progress_clear(pr);
		show(res, &td);
		show(res, &d);
		diag_free(&td);
		diag_free(&d);
		return finish(res, &site, pr, rc);
	}
	rc = output_commit(out, &res->st);
	lap("publish", &t);
	progress_clear(pr);
	if (rc != 0) {
		show(res, &d);
		diag_free(&d);
		return finish(res, &site, pr, EXIT_SYSTEM);
	}
	if (!site.cfg.quiet) {
		if (dry)
			fprintf(stderr, "faqgen: %zu pages checked, no "
			    "problems, %.2f s\n", site.npages, now() - t0);
		else
			fprintf(stderr, "faqgen: %zu pages, %zu files: %zu "
			    "added, %zu changed, %zu unchanged, %zu removed; "
			    "%.1f MB written to %s/ in %.2f s\n",
			    site.npages, res->st.added + res->st.changed +
			    res->st.unchanged, res->st.added, res->st.changed,
			    res->st.unchanged, res->st.removed,
			    (double)res->st.written / 1e6, site.cfg.output_dir,
			    now() - t0);
	}
	diag_free(&d);
	return finish(res, &site, pr, EXIT_OK);
}

void
build_result_free(struct build_result *res)
{
	if (res->site != NULL) {
		site_free(res->site);
		free(res->site);
	}
	diag_free(&res->errors);
	free(res->content_dir);
	free(res->layouts_dir);
	free(res->base_url);
	memset(res, 0, sizeof(*res));
}
