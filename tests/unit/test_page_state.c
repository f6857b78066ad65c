/*
 * test_page_state.c: front matter and renderings saved for the next
 * build (page_state.c), across real outputs in a temporary folder.  A
 * page's front matter or rendering is taken from the state only when
 * everything it depends on is unchanged, and then exactly as
 * frontmatter_parse() and render_page() would make it.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faqgen.h"
#include "harness.h"
#include "mkpage.h"

static char	 dir[] = "/tmp/faqgen-rstate.XXXXXX";
static char	*outdir;

#define BODY_A	"Intro https://example.gov.cn/a here.\n\n" \
		"## Where\n\nSee [refund](../pay/refund.md#how) and " \
		"[this](#where).\n"
#define BODY_B	"## How\n\nText of B.\n"

struct fixture {
	const char	*body_a;	/* of exam/id.md */
	const char	*out_b;		/* pay/refund.md's output */
	int		 with_b;	/* pay/refund.md exists */
	int		 unsafe;
};

/* A page of the fixture, with front matter and its file's hash. */
static struct page *
fxpage(enum page_kind kind, const char *src, const char *out,
    const char *body)
{
	struct page	*p = mkpage(kind, src, out, body);

	if (kind == PAGE_QUESTION) {
		p->fm.lastmod = xstrdup("2024-05-01");
		p->fm.weight = -3;
		strlist_add(&p->fm.tags, "报名", strlen("报名"));
		strlist_add(&p->fm.keywords, "k1", 2);
		strlist_add(&p->fm.keywords, "", 0);
		strlist_add(&p->fm.aliases, "/old/", 5);
		p->fm.aliases_line = 7;
	} else
		p->fm.description = xstrdup("描述");
	/* As load.c: a hash of the file, here of its body. */
	p->src_hash = hash_bytes(body, strlen(body), 0);
	return p;
}

static void
mksite(struct site *site, const struct fixture *fx)
{
	memset(site, 0, sizeof(*site));
	site->cfg.content_dir = xstrdup("content");
	site->cfg.unsafe_html = fx->unsafe;
	site->pages = xcalloc(3, sizeof(struct page *));
	site->pages[site->npages++] = fxpage(PAGE_QUESTION, "exam/id.md",
	    "exam/id.html", fx->body_a);
	if (fx->with_b)
		site->pages[site->npages++] = fxpage(PAGE_QUESTION,
		    "pay/refund.md", fx->out_b, BODY_B);
	site->pages[site->npages++] = fxpage(PAGE_CATEGORY, "pay/_index.md",
	    "pay/index.html", "Category *intro*.\n");
	site_index(site);
}

static void
freesite(struct site *site)
{
	size_t	 i;

	for (i = 0; i < site->npages; i++)
		site_page_free(site->pages[i]);
	free(site->pages);
	free(site->by_src);
	free(site->cfg.content_dir);
}

/* The rendering of two pages is the same, field by field. */
static void
same_rendering(const struct page *a, const struct page *b)
{
	size_t	 i;

	CHECK(a->html.len == b->html.len);
	CHECK_STR(a->html.data, b->html.data);
	CHECK(a->html.cap == a->html.len + 1);
	CHECK_STR(a->text, b->text);
	CHECK((a->summary == NULL) == (b->summary == NULL));
	if (a->summary != NULL && b->summary != NULL)
		CHECK_STR(a->summary, b->summary);
	CHECK(a->nheadings == b->nheadings);
	for (i = 0; i < a->nheadings && i < b->nheadings; i++) {
		CHECK(a->headings[i].level == b->headings[i].level);
		CHECK_STR(a->headings[i].id, b->headings[i].id);
		CHECK_STR(a->headings[i].text, b->headings[i].text);
	}
	CHECK(a->nxrefs == b->nxrefs);
	for (i = 0; i < a->nxrefs && i < b->nxrefs; i++) {
		CHECK(a->xrefs[i].line == b->xrefs[i].line);
		CHECK_STR(a->xrefs[i].href, b->xrefs[i].href);
		CHECK(a->xrefs[i].target != NULL && b->xrefs[i].target != NULL);
		if (a->xrefs[i].target != NULL && b->xrefs[i].target != NULL)
			CHECK_STR(a->xrefs[i].target->src,
			    b->xrefs[i].target->src);
		CHECK((a->xrefs[i].fragment == NULL) ==
		    (b->xrefs[i].fragment == NULL));
		if (a->xrefs[i].fragment && b->xrefs[i].fragment)
			CHECK_STR(a->xrefs[i].fragment, b->xrefs[i].fragment);
	}
	CHECK(a->external.n == b->external.n);
	for (i = 0; i < a->external.n && i < b->external.n; i++)
		CHECK_STR(a->external.v[i], b->external.v[i]);
}

static void
same_strlist(const struct strlist *a, const struct strlist *b)
{
	size_t	 i;

	CHECK(a->n == b->n);
	for (i = 0; i < a->n && i < b->n; i++)
		CHECK_STR(a->v[i], b->v[i]);
}

static void
same_opt(const char *a, const char *b)
{
	CHECK((a == NULL) == (b == NULL));
	if (a != NULL && b != NULL)
		CHECK_STR(a, b);
}

static void
same_frontmatter(const struct frontmatter *a, const struct frontmatter *b)
{
	same_opt(a->title, b->title);
	same_opt(a->description, b->description);
	same_opt(a->lastmod, b->lastmod);
	CHECK(a->weight == b->weight);
	CHECK(a->draft == b->draft);
	same_strlist(&a->tags, &b->tags);
	same_strlist(&a->keywords, &b->keywords);
	same_strlist(&a->aliases, &b->aliases);
	CHECK(a->aliases_line == b->aliases_line);
}

enum finish {
	NO_SAVE,	/* nothing saved, the build abandoned */
	SAVE,		/* the state saved, the build committed */
	SAVE_FAIL	/* the state saved, then the build abandoned */
};

#define TOOK_RENDERING	1u
#define TOOK_FRONTMATTER 2u

/*
 * One build of site into the output: each page's front matter looked up
 * and its rendering restored or made, checked against ref (the same site,
 * made afresh), then finished as how says.  took[i] gets TOOK_* for page
 * i.  With release_each the state's memory is given back page by page
 * (read again from the file), else once at the end.
 */
static void
run_build(struct site *site, struct site *ref, enum finish how,
    unsigned char *took, int release_each)
{
	struct frontmatter	 fm;
	struct diags		 d = { NULL, 0, 0 };
	struct publish_stats	 st;
	struct output		*o;
	struct page_state	*rs;
	size_t			 i;

	memset(took, 0, site->npages);
	o = output_open(outdir, 0, &d);
	CHECK(o != NULL);
	if (o == NULL)
		return;
	rs = page_state_open(&site->cfg, o);
	for (i = 0; i < site->npages; i++) {
		if (page_state_frontmatter(rs, site->pages[i]->src,
		    site->pages[i]->src_hash, &fm)) {
			took[i] |= TOOK_FRONTMATTER;
			same_frontmatter(&fm, &site->pages[i]->fm);
			frontmatter_free(&fm);
		}
		if (page_state_restore(rs, site, site->pages[i]))
			took[i] |= TOOK_RENDERING;
		else
			render_page(site, site->pages[i]);
		render_page(ref, ref->pages[i]);
		same_rendering(site->pages[i], ref->pages[i]);
		CHECK(site->pages[i]->diags.n == ref->pages[i]->diags.n);
		site->pages[i]->keep = site->pages[i]->diags.n == 0;
		if (release_each)
			page_state_release(rs, i + 1);
	}
	page_state_release(rs, site->npages);
	if (how != NO_SAVE)
		CHECK(page_state_save(rs, site, o) == 0);
	if (how == SAVE)
		CHECK(output_commit(o, &st) == 0);
	else
		output_abort(o);
	page_state_free(rs);
	CHECK(d.n == 0);
	diag_free(&d);
}

static unsigned	 fm_taken;	/* build()'s: front matters taken */

/*
 * One build of the fixture (run_build(), saved and committed with save).
 * Returns a bit per page of the fixture's order (a, b, category):
 * rendering taken from the state; fm_taken gets the same for the front
 * matters.
 */
static unsigned
build(const struct fixture *fx, int save)
{
	struct site	 site, ref;
	unsigned char	 took[3];
	unsigned	 taken = 0, bit;
	size_t		 i;

	mksite(&site, fx);
	mksite(&ref, fx);
	run_build(&site, &ref, save ? SAVE : NO_SAVE, took, 0);
	fm_taken = 0;
	for (i = 0; i < site.npages; i++) {
		bit = i == 0 ? 1 : fx->with_b && i == 1 ? 2 : 4;
		if (took[i] & TOOK_RENDERING)
			taken |= bit;
		if (took[i] & TOOK_FRONTMATTER)
			fm_taken |= bit;
	}
	freesite(&site);
	freesite(&ref);
	return taken;
}

static char *
state_path(void)
{
	return xasprintf("%s/.out.state.pages", dir);
}

/* Change the state file's byte at off (from its end when negative). */
static void
poke(long off)
{
	char	*p = state_path(), *s;
	size_t	 len;
	FILE	*f;

	s = harness_slurp(p, &len);
	CHECK(s != NULL && len > 100);
	if (s != NULL && len > 100) {
		s[off < 0 ? (long)len + off : off] ^= 0x20;
		f = fopen(p, "w");
		CHECK(f != NULL && fwrite(s, 1, len, f) == len &&
		    fclose(f) == 0);
	}
	free(s);
	free(p);
}

/* No state: the next build starts afresh. */
static void
forget(void)
{
	char	*p = state_path();

	unlink(p);
	free(p);
}

static void
truncate_state(void)
{
	char	*p = state_path(), *s;
	size_t	 len;
	FILE	*f;

	s = harness_slurp(p, &len);
	CHECK(s != NULL);
	if (s != NULL) {
		f = fopen(p, "w");
		CHECK(f != NULL && fwrite(s, 1, len / 2, f) == len / 2 &&
		    fclose(f) == 0);
	}
	free(s);
	free(p);
}

static void
restores(void)
{
	struct fixture	 fx = { BODY_A, "pay/refund.html", 1, 0 };
	struct fixture	 edited = fx, moved, gone, unsafe;

	edited.body_a = BODY_A "\nOne more line.\n";
	moved = gone = unsafe = edited;
	moved.out_b = "pay/refund/index.html";
	gone.with_b = 0;
	unsafe.unsafe = 1;

	CHECK(build(&fx, 1) == 0 && fm_taken == 0);	/* no state yet */
	CHECK(build(&fx, 1) == 7 && fm_taken == 7);	/* every page */
	CHECK(build(&fx, 1) == 7 && fm_taken == 7);	/* and again */
	/* Its source changed: that page only. */
	CHECK(build(&edited, 1) == 6 && fm_taken == 6);
	CHECK(build(&edited, 1) == 7 && fm_taken == 7);
	/*
	 * A page moved: it and the page that links to it are rendered
	 * again; their front matters do not depend on where they go.
	 */
	CHECK(build(&moved, 0) == 4 && fm_taken == 7);
	/* The target is gone: rendered again, so the broken link is told. */
	CHECK(build(&gone, 0) == 4 && fm_taken == 5);
	/* Another unsafe_html: nothing. */
	CHECK(build(&unsafe, 0) == 0 && fm_taken == 0);
	/* Nothing was saved by those: the state is as it was. */
	CHECK(build(&edited, 1) == 7 && fm_taken == 7);
}

static void
broken_not_saved(void)
{
	struct fixture	 fx = { BODY_A, "pay/refund.html", 0, 0 };
	struct fixture	 back = fx;

	back.with_b = 1;
	forget();
	/* exam/id.md's link is broken: nothing of it is saved ... */
	CHECK(build(&fx, 1) == 0);
	CHECK(build(&fx, 1) == 4 && fm_taken == 4);
	/* ... so when the target comes back, it is made again. */
	CHECK(build(&back, 1) == 4 && fm_taken == 4);
	CHECK(build(&back, 1) == 7 && fm_taken == 7);
}

static void
damaged(void)
{
	struct fixture	 fx = { BODY_A, "pay/refund.html", 1, 0 };

	forget();
	CHECK(build(&fx, 1) == 0);
	CHECK(build(&fx, 1) == 7);
	/*
	 * A byte of the first rendering (exam/id.md's): that rendering
	 * only; of the last front matter (the category's, before the
	 * table of 3 entries and the trailer: a byte of its description,
	 * 22 bytes before its end): that front matter only.  (A build that
	 * takes every record leaves the state as it is; one that made a
	 * record again saved it whole, three pages being too few to
	 * append to.)
	 */
	poke(40);
	CHECK(build(&fx, 1) == 6 && fm_taken == 7);
	CHECK(build(&fx, 1) == 7 && fm_taken == 7);
	poke(-(32 + 3 * 24 + 22));
	CHECK(build(&fx, 1) == 7 && fm_taken == 3);
	CHECK(build(&fx, 1) == 7 && fm_taken == 7);
	/* The trailer, the magic, a half file: nothing, and no crash. */
	poke(-3);
	CHECK(build(&fx, 1) == 0);
	poke(1);
	CHECK(build(&fx, 1) == 0);
	truncate_state();
	CHECK(build(&fx, 1) == 0);
	CHECK(build(&fx, 1) == 7);
}

/* ---------------------------------------------------------------- appends */

#define MANY	40	/* pages of the site appends() builds */

static unsigned	 many_rev[MANY];	/* each page's revision */

/* A site of MANY questions, page i at revision many_rev[i]. */
static void
mkmany(struct site *site)
{
	struct page	*p;
	char		*body, src[32], out[32];
	size_t		 i;

	memset(site, 0, sizeof(*site));
	site->cfg.content_dir = xstrdup("content");
	site->pages = xcalloc(MANY, sizeof(struct page *));
	for (i = 0; i < MANY; i++) {
		snprintf(src, sizeof(src), "exam/q%02zu.md", i);
		snprintf(out, sizeof(out), "exam/q%02zu.html", i);
		body = xasprintf("## 问题 %zu\n\n第 %zu 条答复，第 %u 版。"
		    "报名、缴费、准考证打印和考试成绩查询请见 "
		    "[上一条](q%02zu.md#问题-%zu)。\n", i, i, many_rev[i],
		    i ? i - 1 : MANY - 1, i ? i - 1 : MANY - 1);
		p = mkpage(PAGE_QUESTION, src, out, body);
		p->fm.lastmod = xstrdup("2024-05-01");
		p->src_hash = hash_bytes(body, strlen(body), 0);
		free(body);
		site->pages[site->npages++] = p;
	}
	site_index(site);
}

/*
 * One build of that site (run_build(), the state's memory given back page
 * by page), committed or, with fail, abandoned after the save.  Returns
 * the renderings taken from the state.
 */
static size_t
build_many(int fail)
{
	struct site	 site, ref;
	unsigned char	 took[MANY];
	size_t		 i, taken = 0;

	mkmany(&site);
	mkmany(&ref);
	run_build(&site, &ref, fail ? SAVE_FAIL : SAVE, took, 1);
	for (i = 0; i < site.npages; i++) {
		CHECK(site.pages[i]->diags.n == 0);
		if (took[i] & TOOK_RENDERING)
			taken++;
	}
	freesite(&site);
	freesite(&ref);
	return taken;
}

/* The state's bytes and inode, as a snapshot. */
struct snap {
	char	*data;
	size_t	 len;
	ino_t	 ino;
};

static void
snap(struct snap *sn)
{
	char		*p = state_path();
	struct stat	 sb;

	sn->data = harness_slurp(p, &sn->len);
	CHECK(sn->data != NULL && stat(p, &sb) == 0);
	sn->ino = sn->data != NULL ? sb.st_ino : 0;
	free(p);
}

/* The state now begins with snapshot a's bytes, in the same file. */
static int
grown_from(const struct snap *a, const struct snap *now)
{
	return a->data != NULL && now->data != NULL && now->ino == a->ino &&
	    now->len > a->len && memcmp(now->data, a->data, a->len) == 0;
}

static void
appends(void)
{
	struct snap	 full, a, b;
	size_t		 i, rewritten = 0, appended = 0;

	forget();
	memset(many_rev, 0, sizeof(many_rev));
	CHECK(build_many(0) == 0);
	snap(&full);
	/* Everything taken: the state is left as it is, not even touched. */
	CHECK(build_many(0) == MANY);
	snap(&a);
	CHECK(a.ino == full.ino && a.len == full.len &&
	    memcmp(a.data, full.data, a.len) == 0);
	free(a.data);
	/*
	 * One answer edited: that page alone is rendered again (the page
	 * linking to it is not: its target's output path did not move) and
	 * appended; the next build takes every page, the appended one too.
	 */
	many_rev[7]++;
	CHECK(build_many(0) == MANY - 1);
	snap(&a);
	CHECK(grown_from(&full, &a));
	/* The new records, a table of MANY entries and a trailer. */
	CHECK(a.len - full.len < full.len / 4);
	CHECK(build_many(0) == MANY);
	/*
	 * A build that fails after saving: the state is cut back to what
	 * the last committed build left, byte for byte.
	 */
	many_rev[8]++;
	CHECK(build_many(1) == MANY - 1);
	snap(&b);
	CHECK(b.ino == a.ino && b.len == a.len &&
	    memcmp(b.data, a.data, a.len) == 0);
	free(b.data);
	free(a.data);
	CHECK(build_many(0) == MANY - 1);
	/*
	 * Edit after edit: appended while what no table reaches stays under
	 * a quarter of the file, then saved whole again; never more than
	 * a third over the whole save's size, and every build after takes
	 * every page.
	 */
	for (i = 0; i < 3 * MANY; i++) {
		snap(&a);
		many_rev[(i * 7) % MANY]++;
		CHECK(build_many(0) == MANY - 1);
		snap(&b);
		if (grown_from(&a, &b))
			appended++;
		else if (b.ino != a.ino && b.len < a.len)
			rewritten++;
		CHECK(b.len < full.len + full.len / 3);
		free(a.data);
		CHECK(build_many(0) == MANY);
		snap(&a);
		CHECK(a.ino == b.ino && a.len == b.len &&
		    memcmp(a.data, b.data, a.len) == 0);
		free(a.data);
		free(b.data);
	}
	CHECK(appended > rewritten && rewritten >= 2);
	/* An append cut short (no trailer at its end): the state is ignored. */
	snap(&a);
	many_rev[0]++;
	CHECK(build_many(0) == MANY - 1);
	snap(&b);
	if (b.len > a.len) {
		char	*p = state_path();

		CHECK(truncate(p, (off_t)(b.len - 5)) == 0);
		free(p);
	}
	CHECK(build_many(0) == 0);
	CHECK(build_many(0) == MANY);
	free(a.data);
	free(b.data);
	free(full.data);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	outdir = xasprintf("%s/out", dir);
	TEST(restores);
	TEST(broken_not_saved);
	TEST(damaged);
	TEST(appends);
	CHECK(harness_rmtree(dir) == 0);
	free(outdir);
	return harness_done();
}
