/*
 * test_publish.c: what a stage can leave for the next build: files kept by
 * their input key (output_file_key, output_keep) and build states
 * (output_state, output_state_stream, output_state_append), across real
 * builds into a temporary folder.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faqgen.h"
#include "harness.h"

static char	 dir[] = "/tmp/faqgen-publish.XXXXXX";
static char	*outdir;

static struct output *
open_out(int dry, struct diags *d)
{
	struct output	*o = output_open(outdir, dry, d);

	CHECK(o != NULL);
	return o;
}

static ino_t
inode(const char *rel)
{
	struct stat	 st;
	char		*p = xasprintf("%s/%s", outdir, rel);
	ino_t		 ino = lstat(p, &st) == 0 ? st.st_ino : 0;

	free(p);
	return ino;
}

/* Save a state with these bytes. */
static void
save(struct output *o, const char *name, const char *bytes)
{
	struct ostream	*s = output_state_stream(o, name);

	CHECK(s != NULL);
	if (s == NULL)
		return;
	output_stream_write(s, bytes, strlen(bytes));
	CHECK(output_stream_close(s) == 0);
}

/* The state as the next build sees it, as a string ("" when none). */
static char *
state_of(const char *name)
{
	struct diags	 d = { NULL, 0, 0 };
	struct output	*o = open_out(0, &d);
	const char	*m;
	size_t		 len;
	char		*s;

	m = output_state(o, name, &len);
	s = m != NULL ? xstrndup(m, len) : xstrdup("");
	output_abort(o);
	diag_free(&d);
	return s;
}

/* The state as the next build sees it is want. */
static void
state_is(const char *name, const char *want)
{
	char	*s = state_of(name);

	CHECK_STR(s, want);
	free(s);
}

static void
keep_by_key(void)
{
	struct diags		 d = { NULL, 0, 0 };
	struct publish_stats	 st;
	struct output		*o;
	ino_t			 a, b;
	char			*p, *s;
	FILE			*f;

	/* First build: nothing to keep yet. */
	o = open_out(0, &d);
	CHECK(output_keep(o, "a.html", 11) == 0);
	CHECK(output_file_key(o, "a.html", 11, "A1", 2) == 0);
	CHECK(output_file_key(o, "b.html", 22, "B1", 2) == 0);
	CHECK(output_file(o, "c.html", "C1", 2) == 0);
	CHECK(output_commit(o, &st) == 0);
	CHECK(st.added == 3);
	a = inode("a.html");
	b = inode("b.html");

	/* Same key: kept, unchanged, same file; another key: not kept. */
	o = open_out(0, &d);
	CHECK(output_keep(o, "a.html", 11) == 1);
	CHECK(output_keep(o, "b.html", 23) == 0);
	CHECK(output_keep(o, "c.html", 0) == 0);	/* no key, never */
	CHECK(output_keep(o, "nope.html", 11) == 0);
	CHECK(output_file_key(o, "b.html", 23, "B2", 2) == 0);
	CHECK(output_file(o, "c.html", "C1", 2) == 0);
	CHECK(output_commit(o, &st) == 0);
	CHECK(st.unchanged == 2 && st.changed == 1 && st.added == 0);
	CHECK(inode("a.html") == a);
	CHECK(inode("b.html") != b);
	p = xasprintf("%s/a.html", outdir);
	s = harness_slurp(p, NULL);
	CHECK_STR(s, "A1");
	free(s);

	/* A kept file keeps its key: the build after keeps it again. */
	o = open_out(0, &d);
	CHECK(output_keep(o, "a.html", 11) == 1);
	CHECK(output_keep(o, "b.html", 23) == 1);
	CHECK(output_keep(o, "c.html", 0) == 0);
	CHECK(output_file(o, "c.html", "C1", 2) == 0);
	CHECK(output_commit(o, &st) == 0);
	CHECK(st.unchanged == 3 && st.changed == 0 && st.removed == 0);

	/* Changed by hand since: not kept, whatever the key says. */
	f = fopen(p, "w");
	CHECK(f != NULL && fputs("hand", f) >= 0 && fclose(f) == 0);
	o = open_out(0, &d);
	CHECK(output_keep(o, "a.html", 11) == 0);
	output_abort(o);

	/* A dry run never keeps. */
	o = open_out(1, &d);
	CHECK(output_keep(o, "b.html", 23) == 0);
	output_abort(o);
	free(p);
	CHECK(d.n == 0);
	diag_free(&d);
}

/* The live manifest's path, beside the output. */
static char *
manifest_path(void)
{
	return xasprintf("%s/.out.manifest", dir);
}

/* Replace the first "from" in the live manifest by "to". */
static void
edit_manifest(const char *from, const char *to)
{
	char	*p = manifest_path(), *s, *at;
	FILE	*f;

	s = harness_slurp(p, NULL);
	at = s != NULL ? strstr(s, from) : NULL;
	CHECK(at != NULL);
	if (at != NULL) {
		f = fopen(p, "w");
		CHECK(f != NULL &&
		    fwrite(s, 1, (size_t)(at - s), f) == (size_t)(at - s) &&
		    fputs(to, f) >= 0 && fputs(at + strlen(from), f) >= 0 &&
		    fclose(f) == 0);
	}
	free(s);
	free(p);
}

/*
 * The manifest read back: file count, keys of every hex digit, files in
 * folders removed and the folders with them (through the spare), and a
 * manifest not exactly as written trusted in nothing.
 */
static void
manifests(void)
{
	struct diags		 d = { NULL, 0, 0 };
	struct publish_stats	 st;
	struct output		*o;
	const uint64_t		 key = 0xfedcba9876543210u;
	size_t			 n = 0;
	char			*p;
	int			 i;

	CHECK(output_remove(outdir) == 0);
	/* Three builds: the third updates the spare the second left. */
	for (i = 0; i < 3; i++) {
		o = open_out(0, &d);
		CHECK(output_file_key(o, "a.html", key, "A", 1) == 0);
		CHECK(output_file(o, "d/x.html", i == 1 ? "X2" : "X", 1 + (i == 1)) == 0);
		CHECK(output_file(o, "d/e/y.html", "Y", 1) == 0);
		CHECK(output_commit(o, &st) == 0);
	}
	o = open_out(0, &d);
	CHECK(output_live_files(o, &n) == 1 && n == 3);
	CHECK(output_keep(o, "a.html", key) == 1);
	CHECK(output_keep(o, "a.html", key - 1) == 0);
	output_abort(o);

	/* Only a.html now: two removed, their folders gone. */
	for (i = 0; i < 2; i++) {
		o = open_out(0, &d);
		CHECK(output_file_key(o, "a.html", key, "A", 1) == 0);
		CHECK(output_commit(o, &st) == 0);
		CHECK(st.removed == (i == 0 ? 2u : 0u));
		CHECK(st.unchanged == 1);
		CHECK(inode("d/x.html") == 0 && inode("d/e/y.html") == 0);
		CHECK(inode("d") == 0);
	}
	o = open_out(0, &d);
	CHECK(output_live_files(o, &n) == 1 && n == 1);
	output_abort(o);

	/* Upper-case hex, as strtoull() took it: not what was written. */
	edit_manifest("fedcba98", "FEDCBA98");
	o = open_out(0, &d);
	CHECK(output_live_files(o, &n) == 0);
	CHECK(output_keep(o, "a.html", key) == 0);
	output_abort(o);

	/* A number past 64 bits: not trusted either. */
	o = open_out(0, &d);
	CHECK(output_file_key(o, "a.html", key, "A", 1) == 0);
	CHECK(output_commit(o, &st) == 0);
	o = open_out(0, &d);
	CHECK(output_live_files(o, &n) == 1 && n == 1);
	output_abort(o);
	edit_manifest("fedcba9876543210 ", "1fedcba9876543210 ");
	o = open_out(0, &d);
	CHECK(output_live_files(o, &n) == 0);
	output_abort(o);
	p = manifest_path();
	CHECK(access(p, F_OK) == 0);
	free(p);
	CHECK(d.n == 0);
	diag_free(&d);
}

static void
states(void)
{
	struct diags		 d = { NULL, 0, 0 };
	struct publish_stats	 st;
	struct output		*o;
	const void		*m;
	size_t			 len;
	char			*file;

	/* None yet; a dry run neither reads nor saves one. */
	state_is("index", "");
	o = open_out(1, &d);
	CHECK(output_state(o, "index", &len) == NULL && len == 0);
	CHECK(output_state_stream(o, "index") == NULL);
	output_abort(o);

	/* Saved with a build that changes the output (a.html and b.html go):
	 * there for the next. */
	o = open_out(0, &d);
	CHECK(output_file(o, "c.html", "C2", 2) == 0);
	save(o, "index", "one");
	CHECK(output_commit(o, &st) == 0);
	state_is("index", "one");
	file = xasprintf("%s/.out.state.index", dir);
	CHECK(access(file, F_OK) == 0);

	/* A build that fails leaves the old state, not its own. */
	o = open_out(0, &d);
	m = output_state(o, "index", &len);
	CHECK(m != NULL && len == 3 && memcmp(m, "one", 3) == 0);
	save(o, "index", "two");
	output_abort(o);
	state_is("index", "one");

	/* Nothing changed in the output: the new state still goes in. */
	o = open_out(0, &d);
	CHECK(output_file(o, "c.html", "C2", 2) == 0);
	save(o, "index", "three");
	CHECK(output_commit(o, &st) == 0);
	CHECK(st.added + st.changed + st.removed == 0);
	state_is("index", "three");

	/* Read but not saved again: it no longer describes the output. */
	o = open_out(0, &d);
	CHECK(output_state(o, "index", &len) != NULL);
	CHECK(output_file(o, "c.html", "C3", 2) == 0);
	CHECK(output_commit(o, &st) == 0);
	CHECK(access(file, F_OK) == -1);
	free(file);
	CHECK(d.n == 0);
	diag_free(&d);
}

/* Append these bytes to the state the build mapped; 0 when refused. */
static int
append(struct output *o, const char *name, const char *bytes)
{
	struct ostream	*s;
	size_t		 len;

	if (output_state(o, name, &len) == NULL ||
	    (s = output_state_append(o, name, len)) == NULL)
		return 0;
	output_stream_write(s, bytes, strlen(bytes));
	CHECK(output_stream_close(s) == 0);
	return 1;
}

static void
state_appends(void)
{
	struct diags		 d = { NULL, 0, 0 };
	struct publish_stats	 st;
	struct output		*o;
	size_t			 len;
	char			*file = xasprintf("%s/.out.state.pages", dir);
	FILE			*f;
	ino_t			 ino;
	struct stat		 sb;

	o = open_out(0, &d);
	/* No state yet, or not mapped: nothing to append to. */
	CHECK(output_state_append(o, "pages", 0) == NULL);
	CHECK(output_file(o, "p.html", "P1", 2) == 0);
	save(o, "pages", "base");
	CHECK(output_commit(o, &st) == 0);
	CHECK(stat(file, &sb) == 0);
	ino = sb.st_ino;

	/* Appended and committed, with the output changed: in place. */
	o = open_out(0, &d);
	CHECK(output_file(o, "p.html", "P2", 2) == 0);
	CHECK(append(o, "pages", "+one"));
	CHECK(output_commit(o, &st) == 0 && st.changed == 1);
	state_is("pages", "base+one");
	CHECK(stat(file, &sb) == 0 && sb.st_ino == ino);

	/* And with nothing changed in the output. */
	o = open_out(0, &d);
	CHECK(output_file(o, "p.html", "P2", 2) == 0);
	CHECK(append(o, "pages", "+two"));
	CHECK(output_commit(o, &st) == 0);
	CHECK(st.added + st.changed + st.removed == 0);
	state_is("pages", "base+one+two");

	/* A build that fails: cut back to the last build's bytes. */
	o = open_out(0, &d);
	CHECK(output_file(o, "p.html", "P3", 2) == 0);
	CHECK(append(o, "pages", "+lost"));
	output_abort(o);
	state_is("pages", "base+one+two");

	/* Only at the end of the file mapped. */
	o = open_out(0, &d);
	CHECK(output_state(o, "pages", &len) != NULL && len == 12);
	CHECK(output_state_append(o, "pages", len - 1) == NULL);
	/* Not once the file has grown or been replaced since. */
	f = fopen(file, "a");
	CHECK(f != NULL && fputs("x", f) >= 0 && fclose(f) == 0);
	CHECK(output_state_append(o, "pages", len) == NULL);
	CHECK(truncate(file, (off_t)len) == 0);
	/* Same bytes, another inode (the mapping holds the old one). */
	CHECK(unlink(file) == 0);
	f = fopen(file, "w");
	CHECK(f != NULL && fputs("base+one+two", f) >= 0 && fclose(f) == 0);
	CHECK(output_state_append(o, "pages", len) == NULL);
	/* Then it is saved whole, as ever. */
	save(o, "pages", "whole");
	CHECK(output_file(o, "p.html", "P4", 2) == 0);
	CHECK(output_commit(o, &st) == 0);
	state_is("pages", "whole");
	/* A dry run appends nothing. */
	o = open_out(1, &d);
	CHECK(output_state_append(o, "pages", 5) == NULL);
	output_abort(o);
	free(file);
	CHECK(d.n == 0);
	diag_free(&d);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	outdir = xasprintf("%s/out", dir);
	TEST(keep_by_key);
	TEST(manifests);
	TEST(states);
	TEST(state_appends);
	CHECK(harness_rmtree(dir) == 0);
	free(outdir);
	return harness_done();
}
