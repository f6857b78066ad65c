/*
 * publish.c: the only stage that writes files.
 *
 * A build never writes into the live output.  It fills a second tree
 * beside it and swaps the two with one renameat2(RENAME_EXCHANGE) only
 * when everything succeeded, so a failed or killed build leaves the
 * previous output as it was.
 *
 * A manifest beside each tree (".public.manifest") lists every file with
 * the hash and size of its bytes and the inode, size and mtime it had when
 * written.  With it, a file is known unchanged without reading the old
 * one: same hash and size, and a stat() shows the old file untouched since.
 * An unchanged file is hard-linked, so it keeps its inode and mtime and
 * rsync or an object-store sync skips it.  When nothing was added, changed
 * or removed, nothing at all is written.
 *
 * After a swap the old tree is kept as the spare (".public.spare", with
 * its manifest).  The next build updates the spare in place: it links in
 * what is unchanged (most of it already is the same inode), writes what
 * changed, removes what is gone, and swaps again.  So a rebuild after one
 * edit costs file operations for the files that changed, not for the
 * whole site.  The spare's manifest is removed before the first change to
 * it; a spare without one is thrown away and the next build starts a new
 * tree (".public.staging") from scratch, hard-linking what is unchanged.
 *
 * A folder with no manifest beside it is not taken as output unless it is
 * empty: swapping it out would lose files no build made.  So the manifest
 * of a new tree is written before the swap (".public.manifest.next") and
 * renamed into place after it.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faqgen.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

#define MANIFEST_MAGIC	"faqgen manifest 2\n"
#define STATES_MAX	8	/* build states a build may read or save */

/* One output file as a manifest records it. */
struct entry {
	char		*path;		/* owned */
	uint64_t	 hash;		/* of the bytes, hash_bytes() */
	uint64_t	 size;
	uint64_t	 ino;		/* as written or linked */
	int64_t		 mtime;		/* ns */
	uint64_t	 key;		/* what the bytes were made from; 0: none */
	int		 same;		/* this build: unchanged */
};

struct manifest {
	struct entry	*e;		/* owned, sorted by path */
	size_t		 n;
	size_t		 cap;
};

/*
 * A build state (".public.state.NAME"): the one the build that made the
 * live output saved, mapped, and this build's, written to a temporary
 * file renamed in at commit, or appended to the saved one in place (a
 * cache's, output_state_append()) and cut back to it unless committed.
 */
struct state {
	char		*name;		/* owned */
	char		*file;		/* ".public.state.NAME", owned */
	void		*map;		/* the saved bytes; NULL: none */
	size_t		 len;
	uint64_t	 dev, ino;	/* of the file mapped */
	int		 saved;		/* this build's is in file + ".new" */
	int		 appended;	/* this build's is in file past len */
};

enum mode {
	MODE_FRESH,	/* fill an empty staging tree */
	MODE_SPARE	/* update the spare tree in place */
};

struct output {
	char		*dir;		/* the output folder, owned */
	char		*staging;	/* owned */
	char		*trash;		/* where an old tree goes, owned */
	char		*state;		/* inputs' fingerprint file, owned */
	char		*mfile;		/* the live tree's manifest, owned */
	char		*mnext;		/* a new tree's, until its swap, owned */
	char		*spare;		/* the spare tree, owned */
	char		*sfile;		/* the spare's manifest, owned */
	char		*work;		/* staging or spare: borrowed */
	enum mode	 mode;
	struct manifest	*live;		/* the live tree's; NULL: unknown */
	int64_t		 live_mtime;	/* its manifest's mtime (ns) */
	struct manifest	*old;		/* the spare's; MODE_SPARE only */
	int		 no_live;	/* no output folder: nothing to compare */
	uint64_t	 last_inputs;	/* read from state; 0: unknown */
	uint64_t	 inputs;	/* to write at commit; 0: none */
	int		 dry_run;
	int		 failed;
	struct diags	*diags;		/* borrowed */
	pthread_mutex_t	 lock;		/* guards the fields below */
	int		 dirty;		/* the spare's manifest is gone */
	struct manifest	 out;		/* every output file of this build */
	struct state	 states[STATES_MAX];
	size_t		 nstates;	/* not guarded: one thread */
	char		**same;		/* paths to link at commit (fresh) */
	size_t		 nsame, capsame;
	size_t		 unchanged, added, changed;
	uint64_t	 bytes;		/* all output */
	uint64_t	 written;	/* of which added or changed */
};

static void	 state_cut_back(struct state *);

static void
fail(struct output *o, const char *path, const char *what)
{
	int	 e = errno;

	pthread_mutex_lock(&o->lock);
	diag_add(o->diags, path, 0, "%s: %s", what, strerror(e));
	o->failed = 1;
	pthread_mutex_unlock(&o->lock);
}

static void
push(char ***v, size_t *n, size_t *cap, const char *s)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*v = xreallocarray(*v, *cap, sizeof(char *));
	}
	(*v)[(*n)++] = xstrdup(s);
}

/* e into m, which takes its path. */
static void
manifest_take(struct manifest *m, const struct entry *e)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->e = xreallocarray(m->e, m->cap, sizeof(*m->e));
	}
	m->e[m->n++] = *e;
}

/* e into m, with a copy of its path. */
static void
manifest_add(struct manifest *m, const struct entry *e)
{
	struct entry	 c = *e;

	c.path = xstrdup(e->path);
	manifest_take(m, &c);
}

static void
manifest_free(struct manifest *m)
{
	size_t	 i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		free(m->e[i].path);
	free(m->e);
	m->e = NULL;
	m->n = m->cap = 0;
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path,
	    ((const struct entry *)b)->path);
}

static const struct entry *
manifest_find(const struct manifest *m, const char *path)
{
	struct entry	 key;

	if (m == NULL || m->n == 0)
		return NULL;
	key.path = (char *)path;
	return bsearch(&key, m->e, m->n, sizeof(*m->e), cmp_entry);
}

static int64_t
mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/*
 * The number at p, in base 10 or 16 (lower case), as manifest_write()
 * puts it: no sign, at least one digit.  NULL when there is none or it
 * overflows 64 bits.  Stricter than strtoull(), which also took spaces,
 * signs and upper case; no faster by profile: the digits of two manifests
 * of 216,000 lines stay 9-10% of a rebuild with nothing changed at
 * 100,000 questions, whichever reads them.
 */
static const char *
get_num(const char *p, unsigned base, uint64_t *v)
{
	const char	*start = p;
	uint64_t	 n = 0;
	unsigned	 d;

	for (;; p++) {
		if ((unsigned char)(*p - '0') < 10)
			d = (unsigned)(*p - '0');
		else if (base == 16 && (unsigned char)(*p - 'a') < 6)
			d = (unsigned)(*p - 'a') + 10;
		else
			break;
		if (__builtin_mul_overflow(n, (uint64_t)base, &n) ||
		    __builtin_add_overflow(n, (uint64_t)d, &n))
			return NULL;
	}
	*v = n;
	return p > start ? p : NULL;
}

/*
 * Read a manifest; NULL when it is missing or not exactly what
 * manifest_write() wrote (then nothing in it is trusted).
 */
static struct manifest *
manifest_read(const char *file)
{
	struct manifest	*m;
	struct entry	 e;
	struct stat	 st;
	char		*data, *p, *end, *nl;
	const char	*q;
	uint64_t	 v = 0;
	int		 fd, ok = 1, neg;
	size_t		 mlen = sizeof(MANIFEST_MAGIC) - 1;
	ssize_t		 r;
	size_t		 got = 0;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size < mlen) {
		close(fd);
		return NULL;
	}
	data = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size &&
	    (r = read(fd, data + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	if (got != (size_t)st.st_size || memcmp(data, MANIFEST_MAGIC, mlen)) {
		free(data);
		return NULL;
	}
	data[got] = '\0';
	m = xcalloc(1, sizeof(*m));
	end = data + got;
	for (p = data + mlen; ok && p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			ok = 0;
			break;
		}
		*nl = '\0';
		q = p;
		ok = (q = get_num(q, 16, &e.hash)) != NULL && *q == ' ' &&
		    (q = get_num(q + 1, 10, &v)) != NULL && *q == ' ';
		e.size = v;
		ok = ok && (q = get_num(q + 1, 10, &e.ino)) != NULL &&
		    *q == ' ';
		neg = ok && q[1] == '-';
		ok = ok && (q = get_num(q + 1 + neg, 10, &v)) != NULL &&
		    *q == ' ' && v <= (uint64_t)INT64_MAX;
		e.mtime = neg ? -(int64_t)v : (int64_t)v;
		ok = ok && (q = get_num(q + 1, 16, &e.key)) != NULL &&
		    *q == ' ' && q[1] != '\0';
		if (!ok)
			break;
		e.path = (char *)q + 1;
		if (m->n > 0 && strcmp(m->e[m->n - 1].path, e.path) >= 0)
			ok = 0;	/* not sorted, or twice */
		else
			manifest_add(m, &e);
	}
	free(data);
	if (!ok) {
		manifest_free(m);
		free(m);
		return NULL;
	}
	return m;
}

static int	write_all(int, const char *, size_t);

/* v in hex at p (16 digits with leading zeros, or 0: as many as needed). */
static size_t
put_hex(char *p, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	char	 d[16];
	size_t	 n = 0, k = 0;

	do {
		d[n++] = hex[v & 15];
		v >>= 4;
	} while (v != 0 || n < (size_t)digits);
	while (n > 0)
		p[k++] = d[--n];
	return k;
}

/* One manifest line, as manifest_read() reads it (no printf: 150,000 a build). */
static void
put_entry(struct buf *b, const struct entry *e)
{
	char	 h[16];

	buf_put(b, h, put_hex(h, e->hash, 16));
	buf_putc(b, ' ');
	buf_put_dec(b, e->size);
	buf_putc(b, ' ');
	buf_put_dec(b, e->ino);
	buf_putc(b, ' ');
	if (e->mtime < 0) {
		buf_putc(b, '-');
		buf_put_dec(b, (uint64_t)0 - (uint64_t)e->mtime);
	} else
		buf_put_dec(b, (uint64_t)e->mtime);
	buf_putc(b, ' ');
	buf_put(b, h, put_hex(h, e->key, 0));
	buf_putc(b, ' ');
	buf_puts(b, e->path);
	buf_putc(b, '\n');
}

/* Write m (sorted) to file through a temporary file and a rename. */
static int
manifest_write(const struct manifest *m, const char *file)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*tmp;
	size_t		 i;
	int		 fd, ok;

	buf_puts(&b, MANIFEST_MAGIC);
	for (i = 0; i < m->n; i++) {
		/* A path the format cannot hold: no manifest at all. */
		if (strchr(m->e[i].path, '\n') != NULL) {
			buf_free(&b);
			unlink(file);
			return -1;
		}
		put_entry(&b, &m->e[i]);
	}
	tmp = xasprintf("%s.tmp", file);
	ok = (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) != -1;
	ok = ok && write_all(fd, b.data, b.len) == 0;
	ok = fd != -1 && close(fd) == 0 && ok;
	buf_free(&b);
	if (!ok || rename(tmp, file) == -1) {
		unlink(tmp);
		unlink(file);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) == -1 && errno != ENOENT ? -1 : 0;
	return unlink(path) == -1 && errno != ENOENT ? -1 : 0;
}

/* rm -rf; returns 0 when the tree is gone. */
static int
remove_tree(const char *path)
{
	struct stat	 st;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	return nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
}

/* mkdir -p for the folders of `path` (a file). */
static int
make_parents(const char *path)
{
	char	 tmp[PATH_MAX], *p;
	size_t	 len = strlen(path);

	if (len >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, path, len + 1);
	for (p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}


/* The fingerprint in a state file: 16 hex digits; 0 when unreadable. */
static uint64_t
read_state(const char *path)
{
	char		 buf[32];
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n != 17 || buf[16] != '\n')
		return 0;
	buf[16] = '\0';
	return strtoull(buf, NULL, 16);
}

/* Write the state file through a temporary file and a rename. */
static void
write_state(const struct output *o)
{
	char	*tmp, line[32];
	int	 fd, ok;

	if (o->inputs == 0)
		return;
	tmp = xasprintf("%s.tmp", o->state);
	snprintf(line, sizeof(line), "%016llx\n", (unsigned long long)o->inputs);
	ok = (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) != -1;
	ok = ok && write_all(fd, line, 17) == 0;
	ok = fd != -1 && close(fd) == 0 && ok;
	/* A lost state file only costs the next build its short cut. */
	if (!ok || rename(tmp, o->state) == -1)
		unlink(tmp);
	free(tmp);
}

uint64_t
output_last_inputs(const struct output *o)
{
	return o->last_inputs;
}

int
output_live_files(const struct output *o, size_t *n)
{
	if (o->live == NULL)
		return 0;
	*n = o->live->n;
	return 1;
}

void
output_set_inputs(struct output *o, uint64_t inputs)
{
	o->inputs = inputs;
}


/*
 * Choose the tree to fill: the spare when both manifests can be trusted,
 * else a new staging folder.  Whatever a killed build left is removed.
 */
static int
open_tree(struct output *o, int have_dir)
{
	struct stat	 st;

	if (remove_tree(o->staging) == -1 || remove_tree(o->trash) == -1) {
		diag_add(o->diags, o->staging, 0, "cannot remove stale staging "
		    "folder: %s", strerror(errno));
		return -1;
	}
	if (have_dir && (o->live = manifest_read(o->mfile)) != NULL &&
	    stat(o->mfile, &st) == 0)
		o->live_mtime = mtime_ns(&st);
	if (o->live != NULL && lstat(o->spare, &st) == 0 &&
	    S_ISDIR(st.st_mode) && (o->old = manifest_read(o->sfile)) != NULL) {
		o->mode = MODE_SPARE;
		o->work = o->spare;
		return 0;
	}
	/* A spare without a trusted manifest may hold anything. */
	if ((unlink(o->sfile) == -1 && errno != ENOENT) ||
	    remove_tree(o->spare) == -1) {
		diag_add(o->diags, o->spare, 0, "cannot remove stale spare "
		    "folder: %s", strerror(errno));
		return -1;
	}
	if (mkdir(o->staging, 0755) == -1) {
		diag_add(o->diags, o->staging, 0, "cannot create staging "
		    "folder: %s", strerror(errno));
		return -1;
	}
	o->mode = MODE_FRESH;
	o->work = o->staging;
	return 0;
}

static void
output_free(struct output *o)
{
	char	*tmp;
	size_t	 i;

	for (i = 0; i < o->nstates; i++) {
		if (o->states[i].map != NULL)
			munmap(o->states[i].map, o->states[i].len);
		if (o->states[i].appended)
			/* Not committed: back to the last build's bytes. */
			state_cut_back(&o->states[i]);
		if (o->states[i].saved) {
			/* Not committed: this build's state is no one's. */
			tmp = xasprintf("%s.new", o->states[i].file);
			unlink(tmp);
			free(tmp);
		}
		free(o->states[i].name);
		free(o->states[i].file);
	}
	manifest_free(&o->out);
	manifest_free(o->live);
	free(o->live);
	manifest_free(o->old);
	free(o->old);
	for (i = 0; i < o->nsame; i++)
		free(o->same[i]);
	free(o->same);
	free(o->dir);
	free(o->staging);
	free(o->trash);
	free(o->state);
	free(o->mfile);
	free(o->mnext);
	free(o->spare);
	free(o->sfile);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

/*
 * Did a build make the live output?  Its manifest, or the one a build
 * killed just after its swap left as ".next", is beside it.  A stale
 * ".next" (a build killed before its swap) only ever marks a folder a
 * build made too.
 */
static int
made_here(const struct output *o)
{
	return access(o->mfile, F_OK) == 0 || access(o->mnext, F_OK) == 0;
}

/* Does folder dir hold nothing (or not open)? */
static int
empty_dir(const char *dir)
{
	struct dirent	*de;
	DIR		*dp;
	int		 empty = 1;

	if ((dp = opendir(dir)) == NULL)
		return 1;
	while (empty && (de = readdir(dp)) != NULL)
		empty = strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0;
	closedir(dp);
	return empty;
}

struct output *
output_open(const char *dir, int dry_run, struct diags *d)
{
	struct output	*o;
	struct stat	 st;
	const char	*slash, *base;
	char		*parent;
	size_t		 len = strlen(dir);
	int		 have_dir = 0;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	o = xcalloc(1, sizeof(*o));
	o->dir = xstrndup(dir, len);
	o->dry_run = dry_run;
	o->diags = d;
	pthread_mutex_init(&o->lock, NULL);
	if (dry_run)
		return o;

	if (strcmp(o->dir, "/") == 0 || strcmp(o->dir, ".") == 0 ||
	    strcmp(o->dir, "..") == 0 || o->dir[0] == '\0') {
		diag_add(d, dir, 0, "refusing to use this folder as output");
		goto fail;
	}
	slash = strrchr(o->dir, '/');
	base = slash ? slash + 1 : o->dir;
	parent = slash ? xstrndup(o->dir, (size_t)(slash - o->dir) + 1) :
	    xstrdup("");
	o->staging = xasprintf("%s.%s.staging", parent, base);
	o->trash = xasprintf("%s.%s.old", parent, base);
	o->state = xasprintf("%s.%s.inputs", parent, base);
	o->mfile = xasprintf("%s.%s.manifest", parent, base);
	o->mnext = xasprintf("%s.next", o->mfile);
	o->spare = xasprintf("%s.%s.spare", parent, base);
	o->sfile = xasprintf("%s.%s.spare.manifest", parent, base);
	free(parent);

	if (lstat(o->dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			diag_add(d, o->dir, 0,
			    "output exists and is not a folder");
			goto fail;
		}
		/*
		 * A build swaps the folder out and, later, recycles it:
		 * files it did not make (no manifest lists them) would be
		 * lost.
		 */
		if (!made_here(o) && !empty_dir(o->dir)) {
			diag_add(d, o->dir, 0, "output folder holds files "
			    "faqgen did not make (no %s): move them away or "
			    "choose another folder", o->mfile);
			goto fail;
		}
		o->last_inputs = read_state(o->state);
		have_dir = 1;
	} else
		o->no_live = 1;
	if (open_tree(o, have_dir) == -1)
		goto fail;
	if (access(o->work, W_OK) == -1 ||
	    (have_dir && access(o->dir, W_OK) == -1)) {
		diag_add(d, o->dir, 0, "cannot write: %s", strerror(errno));
		if (o->mode == MODE_FRESH)
			rmdir(o->staging);
		goto fail;
	}
	return o;
fail:
	output_free(o);
	return NULL;
}

/*
 * New bytes: in memory, or already written to a file in the work tree
 * (a stream).
 */
struct bytes {
	const char	*data;		/* NULL: in tmp */
	size_t		 len;
	const char	*tmp;		/* NULL too: output_keep(), no bytes */
};

/* No bytes: the live file is kept only if it is still the same. */
#define KEEP_ONLY(b)	((b)->data == NULL && (b)->tmp == NULL)

/*
 * Does the old output already hold exactly these bytes at path?  Without a
 * manifest the only way to know is to read it.  *st gets its stat.
 */
static int
same_as_old(const char *path, const struct bytes *b, struct stat *st)
{
	const char	*data = b->data;
	void		*m, *t = MAP_FAILED;
	size_t		 len = b->len;
	int		 fd, same = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	if ((size_t)st->st_size != len) {
		close(fd);
		return 0;
	}
	if (len == 0) {
		close(fd);
		return 1;
	}
	m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return 0;
	if (data == NULL && (fd = open(b->tmp, O_RDONLY | O_CLOEXEC)) != -1) {
		t = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		data = t == MAP_FAILED ? NULL : t;
	}
	same = data != NULL && memcmp(m, data, len) == 0;
	munmap(m, len);
	if (t != MAP_FAILED)
		munmap(t, len);
	return same;
}

/* Is the file at path still the one entry e describes? */
static int
still(const char *path, const struct entry *e, struct stat *st)
{
	return lstat(path, st) == 0 && S_ISREG(st->st_mode) &&
	    (uint64_t)st->st_ino == e->ino &&
	    (uint64_t)st->st_size == e->size && mtime_ns(st) == e->mtime;
}

/*
 * Was a file added to or removed from a folder of the live tree since its
 * manifest was written?  A folder's mtime moves with its entries, and
 * every build writes the manifest after its last change to the tree (or
 * touches it when it found the tree whole), so a later folder mtime means
 * a hand was there.  One lstat() a folder: the manifest is sorted, so a
 * folder's files are together; its parents are checked with it.
 */
static int
live_dirs_newer(const struct output *o)
{
	struct buf	 path = { NULL, 0, 0 };
	struct stat	 st;
	const char	*p, *slash, *prev = "";
	size_t		 i, dlen, plen = 0;
	int		 newer = o->live == NULL;

	buf_puts(&path, o->dir);
	dlen = path.len;
	newer = newer || lstat(path.data, &st) == -1 ||
	    mtime_ns(&st) > o->live_mtime;
	for (i = 0; !newer && i < o->live->n; i++) {
		p = o->live->e[i].path;
		if ((slash = strrchr(p, '/')) == NULL)
			continue;
		if ((size_t)(slash - p) == plen && strncmp(p, prev, plen) == 0)
			continue;
		prev = p;
		plen = (size_t)(slash - p);
		/* The folder, then each parent up to the top. */
		for (; slash != NULL && !newer; slash = memrchr(p, '/',
		    (size_t)(slash - p))) {
			buf_truncate(&path, dlen);
			buf_putc(&path, '/');
			buf_put(&path, p, (size_t)(slash - p));
			newer = lstat(path.data, &st) == -1 ||
			    mtime_ns(&st) > o->live_mtime;
		}
	}
	buf_free(&path);
	return newer;
}

int
output_live_intact(const struct output *o)
{
	struct buf	 path = { NULL, 0, 0 };
	struct stat	 st;
	size_t		 i, dlen;
	int		 ok = o->live != NULL;

	buf_puts(&path, o->dir);
	buf_putc(&path, '/');
	dlen = path.len;
	for (i = 0; ok && i < o->live->n; i++) {
		buf_truncate(&path, dlen);
		buf_puts(&path, o->live->e[i].path);
		ok = still(path.data, &o->live->e[i], &st);
	}
	buf_free(&path);
	return ok && !live_dirs_newer(o);
}

static int
write_all(int fd, const char *data, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
safe_path(const char *path)
{
	const char	*p;

	if (path[0] == '/' || path[0] == '\0')
		return 0;
	for (p = path; p != NULL; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			return 0;
		if (p[0] == '.' && (p[1] == '/' || p[1] == '\0'))
			return 0;
	}
	return 1;
}

/* The spare is about to change: its manifest no longer describes it. */
static int
mark_dirty(struct output *o)
{
	int	 rc = 0;

	pthread_mutex_lock(&o->lock);
	if (!o->dirty) {
		if (unlink(o->sfile) == -1 && errno != ENOENT) {
			diag_add(o->diags, o->sfile, 0, "cannot remove: %s",
			    strerror(errno));
			o->failed = 1;
			rc = -1;
		} else
			o->dirty = 1;
	}
	pthread_mutex_unlock(&o->lock);
	return rc;
}

/*
 * Create dst with these bytes (a stream's file is renamed there); e gets
 * the inode and mtime it was written with.
 */
static int
create_file(struct output *o, const char *dst, const struct bytes *b,
    struct entry *e)
{
	struct stat	 sb, *st = &sb;
	int		 fd;

	if (b->data == NULL) {
		if (rename(b->tmp, dst) == -1 && (errno != ENOENT ||
		    make_parents(dst) == -1 || rename(b->tmp, dst) == -1)) {
			fail(o, dst, "cannot rename");
			return -1;
		}
		if (lstat(dst, st) == -1) {
			fail(o, dst, "cannot stat");
			return -1;
		}
		e->ino = (uint64_t)st->st_ino;
		e->mtime = mtime_ns(st);
		return 0;
	}
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1 && errno == ENOENT && make_parents(dst) == 0)
		fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1) {
		fail(o, dst, "cannot create");
		return -1;
	}
	if (write_all(fd, b->data, b->len) == -1 || fstat(fd, st) == -1) {
		fail(o, dst, "cannot write");
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		fail(o, dst, "cannot write");
		return -1;
	}
	e->ino = (uint64_t)st->st_ino;
	e->mtime = mtime_ns(st);
	return 0;
}

/* Make dst another name of the live file src (replacing dst). */
static int
link_file(struct output *o, const char *src, const char *dst)
{
	if (unlink(dst) == -1 && errno != ENOENT) {
		fail(o, dst, "cannot remove");
		return -1;
	}
	if (link(src, dst) == -1 && (errno != ENOENT ||
	    make_parents(dst) == -1 || link(src, dst) == -1)) {
		fail(o, dst, "cannot link");
		return -1;
	}
	return 0;
}

enum fate { SAME, ADDED, CHANGED };

/*
 * Into the spare: the live file when the bytes did not change, else the
 * spare's own file when it already holds them, else the new bytes.
 */
static int
to_spare(struct output *o, const char *path, const char *live,
    const char *dst, const struct bytes *b, struct entry *e, enum fate *fate)
{
	size_t		 len = b->len;
	const struct entry *le, *se;
	struct stat	 st, sst;

	le = manifest_find(o->live, path);
	se = manifest_find(o->old, path);
	if (le != NULL && le->hash == e->hash && le->size == len &&
	    still(live, le, &st)) {
		*fate = SAME;
		e->ino = le->ino;
		e->mtime = le->mtime;
		if (se != NULL && se->ino == le->ino &&
		    lstat(dst, &sst) == 0 && sst.st_ino == st.st_ino)
			return 0;
		if (mark_dirty(o) == -1)
			return -1;
		return link_file(o, live, dst);
	}
	if (KEEP_ONLY(b))
		return 1;
	/* Listed but gone (deleted by hand): put back, so added. */
	*fate = le != NULL && lstat(live, &st) == 0 ? CHANGED : ADDED;
	if (se != NULL && se->hash == e->hash && se->size == len &&
	    (le == NULL || se->ino != le->ino) && still(dst, se, &sst)) {
		e->ino = se->ino;
		e->mtime = se->mtime;
		return 0;
	}
	if (mark_dirty(o) == -1)
		return -1;
	if (unlink(dst) == -1 && errno != ENOENT) {
		fail(o, dst, "cannot remove");
		return -1;
	}
	return create_file(o, dst, b, e);
}

/* Into a new staging tree: new bytes are written, the same are linked. */
static int
to_staging(struct output *o, const char *path, const char *live,
    const char *dst, const struct bytes *b, struct entry *e, enum fate *fate)
{
	size_t		 len = b->len;
	const struct entry *le;
	struct stat	 st;
	int		 cmp;

	le = manifest_find(o->live, path);
	if (o->live != NULL)
		cmp = le == NULL ? -1 : le->hash == e->hash &&
		    le->size == len && still(live, le, &st);
	else if (o->no_live)
		cmp = -1;	/* a first build: no file to look for */
	else
		cmp = same_as_old(live, b, &st);
	if (cmp == 1) {
		*fate = SAME;
		e->ino = (uint64_t)st.st_ino;
		e->mtime = mtime_ns(&st);
		pthread_mutex_lock(&o->lock);
		push(&o->same, &o->nsame, &o->capsame, path);
		pthread_mutex_unlock(&o->lock);
		return 0;
	}
	if (KEEP_ONLY(b))
		return 1;
	/* No manifest entry: the file may still exist in the old tree. */
	if (cmp == -1 && le == NULL && o->live != NULL)
		cmp = lstat(live, &st) == 0 ? 0 : -1;
	/* Listed but gone (deleted by hand): put back, so added. */
	if (cmp == 0 && le != NULL && lstat(live, &st) == -1)
		cmp = -1;
	*fate = cmp == 0 ? CHANGED : ADDED;
	return create_file(o, dst, b, e);
}

static int
check_path(struct output *o, const char *path)
{
	if (safe_path(path))
		return 0;
	pthread_mutex_lock(&o->lock);
	diag_add(o->diags, path, 0, "output path leaves the site");
	o->failed = 1;
	pthread_mutex_unlock(&o->lock);
	return -1;
}

/* dir/path into buf; -1 (reported) when it does not fit. */
static int
join(struct output *o, char *buf, const char *dir, const char *path)
{
	if ((size_t)snprintf(buf, PATH_MAX, "%s/%s", dir, path) < PATH_MAX)
		return 0;
	errno = ENAMETOOLONG;
	fail(o, path, "cannot write");
	return -1;
}

/*
 * Put the bytes of e->path in the work tree and count them.  Without
 * bytes (KEEP_ONLY) returns 1, having done nothing, unless the live file
 * is still the one e describes.
 */
static int
place(struct output *o, struct entry *e, const struct bytes *b)
{
	struct entry	 c;
	enum fate	 fate = ADDED;
	char		 live[PATH_MAX], dst[PATH_MAX];
	int		 rc = 0;

	if (!o->dry_run) {
		if (join(o, live, o->dir, e->path) == -1 ||
		    join(o, dst, o->work, e->path) == -1)
			return -1;
		if (o->mode == MODE_SPARE)
			rc = to_spare(o, e->path, live, dst, b, e, &fate);
		else
			rc = to_staging(o, e->path, live, dst, b, e, &fate);
		if (rc != 0)
			return rc;
	}
	e->same = fate == SAME;
	/* The path copied before the lock: malloc() may wait too. */
	c = *e;
	c.path = xstrdup(e->path);
	pthread_mutex_lock(&o->lock);
	manifest_take(&o->out, &c);
	o->bytes += b->len;
	if (o->dry_run)
		;
	else if (fate == SAME)
		o->unchanged++;
	else {
		if (fate == ADDED)
			o->added++;
		else
			o->changed++;
		o->written += b->len;
	}
	pthread_mutex_unlock(&o->lock);
	return 0;
}

int
output_file(struct output *o, const char *path, const char *data, size_t len)
{
	return output_file_key(o, path, 0, data, len);
}

int
output_file_key(struct output *o, const char *path, uint64_t key,
    const char *data, size_t len)
{
	struct entry	 e;
	struct bytes	 b = { data, len, NULL };

	if (check_path(o, path) == -1)
		return -1;
	memset(&e, 0, sizeof(e));
	e.path = (char *)path;
	e.size = len;
	e.key = key;
	if (!o->dry_run)
		e.hash = hash_bytes(data, len, 0);
	return place(o, &e, &b);
}

/*
 * The live file, untouched since the last build wrote it from the same
 * key, is this build's too: placed like unchanged bytes (linked into a
 * staging tree, or already in the spare), without the bytes.
 */
int
output_keep(struct output *o, const char *path, uint64_t key)
{
	const struct entry *le;
	struct entry	 e;
	struct bytes	 b = { NULL, 0, NULL };
	int		 rc;

	if (o->dry_run || key == 0 || check_path(o, path) == -1 ||
	    (le = manifest_find(o->live, path)) == NULL || le->key != key)
		return 0;
	e = *le;
	e.path = (char *)path;
	b.len = le->size;
	rc = place(o, &e, &b);
	return rc == 0 ? 1 : rc == 1 ? 0 : -1;
}

/*
 * A file too big to hold in memory whole is written piece by piece into
 * the work tree, hashed as it goes (the hash chains over the pieces), and
 * placed like any other at output_stream_close().
 */
struct ostream {
	struct output	*o;
	struct state	*state;		/* a build state, not an output file */
	char		*path;		/* owned */
	char		*tmp;		/* owned; NULL: dry run */
	int		 fd;
	int		 failed;
	int		 append;	/* to state's file, from its len */
	uint64_t	 hash;
	size_t		 len;
};

struct ostream *
output_stream(struct output *o, const char *path)
{
	struct ostream	*s;

	if (check_path(o, path) == -1)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->o = o;
	s->path = xstrdup(path);
	s->fd = -1;
	if (o->dry_run)
		return s;
	s->tmp = xasprintf("%s/%s.faqgen-part", o->work, path);
	s->fd = open(s->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (s->fd == -1 && errno == ENOENT && make_parents(s->tmp) == 0)
		s->fd = open(s->tmp, O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC, 0644);
	if (s->fd == -1) {
		fail(o, s->tmp, "cannot create");
		s->failed = 1;
	}
	return s;
}

void
output_stream_write(struct ostream *s, const char *data, size_t len)
{
	if (s->failed)
		return;
	/* A file's hash goes in the manifest; a state's nowhere. */
	if (s->state == NULL)
		s->hash = hash_bytes(data, len, s->hash);
	s->len += len;
	if (s->fd != -1 && write_all(s->fd, data, len) == -1) {
		fail(s->o, s->tmp, "cannot write");
		s->failed = 1;
	}
}

int
output_stream_close(struct ostream *s)
{
	struct entry	 e;
	struct bytes	 b = { NULL, s->len, s->tmp };
	int		 rc = -1;

	if (s->fd != -1 && close(s->fd) == -1 && !s->failed) {
		fail(s->o, s->tmp, "cannot write");
		s->failed = 1;
	}
	if (s->state != NULL && s->append) {
		/* Kept at commit; cut back now if it failed. */
		s->state->appended = 1;
		rc = s->failed ? -1 : 0;
		if (s->failed)
			state_cut_back(s->state);
	} else if (s->state != NULL) {
		/* Renamed in at commit; unlinked now if it failed. */
		s->state->saved = !s->failed;
		rc = s->failed ? -1 : 0;
		if (s->failed)
			unlink(s->tmp);
	} else if (!s->failed) {
		memset(&e, 0, sizeof(e));
		e.path = s->path;
		e.size = s->len;
		e.hash = s->hash;
		rc = place(s->o, &e, &b);
	}
	/* Renamed into place, or not needed: the same bytes are there. */
	if (s->state == NULL && s->tmp != NULL && unlink(s->tmp) == -1 &&
	    errno != ENOENT)
		rc = -1;
	free(s->tmp);
	free(s->path);
	free(s);
	return rc;
}

/* ------------------------------------------------------------ build states */

/* The state called name, registered on first use; NULL: too many. */
static struct state *
state_get(struct output *o, const char *name)
{
	struct state	*st;
	const char	*slash = strrchr(o->dir, '/');
	size_t		 i;

	for (i = 0; i < o->nstates; i++)
		if (strcmp(o->states[i].name, name) == 0)
			return &o->states[i];
	if (o->nstates == STATES_MAX || strchr(name, '/') != NULL)
		return NULL;
	st = &o->states[o->nstates++];
	st->name = xstrdup(name);
	st->file = xasprintf("%.*s.%s.state.%s",
	    slash ? (int)(slash - o->dir + 1) : 0, o->dir,
	    slash ? slash + 1 : o->dir, name);
	return st;
}

const void *
output_state(struct output *o, const char *name, size_t *len)
{
	struct state	*st;
	struct stat	 sb;
	void		*m;
	int		 fd;

	*len = 0;
	if (o->dry_run || (st = state_get(o, name)) == NULL)
		return NULL;
	if (st->map != NULL) {
		*len = st->len;
		return st->map;
	}
	if ((fd = open(st->file, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
		close(fd);
		return NULL;
	}
	m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return NULL;
	st->map = m;
	st->len = (size_t)sb.st_size;
	st->dev = (uint64_t)sb.st_dev;
	st->ino = (uint64_t)sb.st_ino;
	*len = st->len;
	return m;
}

struct ostream *
output_state_stream(struct output *o, const char *name)
{
	struct ostream	*s;
	struct state	*st;

	if (o->dry_run || (st = state_get(o, name)) == NULL)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->o = o;
	s->state = st;
	s->tmp = xasprintf("%s.new", st->file);
	s->fd = open(s->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (s->fd == -1) {
		fail(o, s->tmp, "cannot create");
		s->failed = 1;
	}
	return s;
}

struct ostream *
output_state_append(struct output *o, const char *name, size_t at)
{
	struct ostream	*s;
	struct state	*st;
	struct stat	 sb;
	int		 fd;

	if (o->dry_run || (st = state_get(o, name)) == NULL ||
	    st->map == NULL || st->len != at || st->appended || st->saved)
		return NULL;
	/* The very file mapped, as it was: else the caller writes anew. */
	if ((fd = open(st->file, O_WRONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_dev != st->dev || (uint64_t)sb.st_ino != st->ino ||
	    (uint64_t)sb.st_size != (uint64_t)at ||
	    lseek(fd, (off_t)at, SEEK_SET) == -1) {
		close(fd);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->o = o;
	s->state = st;
	s->tmp = xstrdup(st->file);
	s->fd = fd;
	s->append = 1;
	return s;
}

/* Back to the bytes the last build saved; a failure costs the state. */
static void
state_cut_back(struct state *st)
{
	if (truncate(st->file, (off_t)st->len) == -1)
		unlink(st->file);
	st->appended = 0;
}

/*
 * Before the swap: no state may outlive the output it describes (the same
 * rule as the manifest's).  Every state this build read or saved goes, but
 * one appended to in place: a cache, it describes no output.
 */
static int
states_remove(struct output *o)
{
	size_t	 i;

	for (i = 0; i < o->nstates; i++)
		if (!o->states[i].appended &&
		    unlink(o->states[i].file) == -1 && errno != ENOENT) {
			diag_add(o->diags, o->states[i].file, 0,
			    "cannot remove: %s", strerror(errno));
			return -1;
		}
	return 0;
}

/* After it: this build's states describe the live output now. */
static void
states_install(struct output *o)
{
	char	*tmp;
	size_t	 i;

	for (i = 0; i < o->nstates; i++) {
		/* Appended to in place: there already. */
		o->states[i].appended = 0;
		if (!o->states[i].saved)
			continue;
		tmp = xasprintf("%s.new", o->states[i].file);
		/* A lost state only costs the next build its short cut. */
		if (rename(tmp, o->states[i].file) == -1)
			unlink(tmp);
		free(tmp);
		o->states[i].saved = 0;
	}
}

/* Copy when a hard link is not possible (another file system). */
static int
copy_file(const char *from, const char *to)
{
	char	 buf[65536];
	ssize_t	 n;
	int	 in, out, rc = 0;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write_all(out, buf, (size_t)n) == -1) {
			rc = -1;
			break;
		}
	if (n == -1)
		rc = -1;
	close(in);
	if (close(out) == -1)
		rc = -1;
	return rc;
}

/* Two outputs at one path would make the site depend on thread timing. */
static int
check_duplicates(struct output *o)
{
	size_t	 i;
	int	 dup = 0;

	/* None yet is NULL, which qsort() may not be given. */
	if (o->out.n > 1)
		qsort(o->out.e, o->out.n, sizeof(*o->out.e), cmp_entry);
	for (i = 1; i < o->out.n; i++)
		if (strcmp(o->out.e[i - 1].path, o->out.e[i].path) == 0) {
			diag_add(o->diags, o->out.e[i].path, 0,
			    "two outputs at the same path");
			dup = 1;
		}
	return dup ? -1 : 0;
}

typedef int (*extra_fn)(struct output *, const char *full, void *arg);

/*
 * Call fn for every file under the folder path->data that the new build
 * does not have (o->out sorted), its path inside the output starting at
 * path->data + rel; with prune, remove the folders left empty (not the
 * top one).  One buffer holds every path: a tree of 216,000 files was two
 * allocations a file.  Returns -1 when a folder cannot be read or fn fails.
 */
static int
walk_dir(struct output *o, struct buf *path, size_t rel, extra_fn fn,
    void *arg, int prune)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 len = path->len;
	int		 rc = 0;

	if ((d = opendir(path->data)) == NULL) {
		diag_add(o->diags, path->data, 0, "cannot read: %s",
		    strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		buf_putc(path, '/');
		buf_puts(path, de->d_name);
		if (de->d_type == DT_DIR)
			rc = walk_dir(o, path, rel, fn, arg, prune);
		else if (manifest_find(&o->out, path->data + rel) == NULL)
			rc = fn(o, path->data, arg);
		buf_truncate(path, len);
	}
	closedir(d);
	if (rc == 0 && prune && len > rel && rmdir(path->data) == 0)
		rc = mark_dirty(o);
	return rc;
}

static int
walk_extra(struct output *o, const char *root, extra_fn fn, void *arg,
    int prune)
{
	struct buf	 path = { NULL, 0, 0 };
	int		 rc;

	buf_puts(&path, root);
	rc = walk_dir(o, &path, path.len + 1, fn, arg, prune);
	buf_free(&path);
	return rc;
}

static int
count_one(struct output *o, const char *full, void *arg)
{
	(void)o;
	(void)full;
	(*(size_t *)arg)++;
	return 0;
}

/*
 * A file of the live tree that the new build lacks and the live manifest
 * does not list (those trim_spare() counted): put there by hand.
 */
static int
count_stray(struct output *o, const char *full, void *arg)
{
	struct publish_stats *st = arg;

	if (manifest_find(o->live, full + strlen(o->dir) + 1) == NULL)
		st->removed++;
	return 0;
}

/* Out of the spare: it must end up holding exactly the new site. */
static int
remove_one(struct output *o, const char *full, void *arg)
{
	(void)arg;
	if (mark_dirty(o) == -1)
		return -1;
	if (unlink(full) == -1 && errno != ENOENT) {
		diag_add(o->diags, full, 0, "cannot remove: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The spare holds the new site once trimmed of what it had before; count
 * what the live tree has that the new build does not (by its manifest).
 */
static int
trim_spare(struct output *o, size_t *removed)
{
	const struct manifest *l = o->live, *n = &o->out;
	size_t	 i = 0, j = 0;
	int	 c;

	/* Both sorted by path: one walk through the two. */
	while (i < l->n)
		if (j == n->n || (c = strcmp(l->e[i].path, n->e[j].path)) < 0) {
			(*removed)++;
			i++;
		} else if (c == 0) {
			i++;
			j++;
		} else
			j++;
	return walk_extra(o, o->spare, remove_one, NULL, 1);
}

/* Hard-link the unchanged files from the live tree into staging. */
static int
link_same(struct output *o)
{
	char	*from, *to;
	size_t	 i;

	for (i = 0; i < o->nsame; i++) {
		from = xasprintf("%s/%s", o->dir, o->same[i]);
		to = xasprintf("%s/%s", o->staging, o->same[i]);
		if (link(from, to) == -1 && (errno != ENOENT ||
		    make_parents(to) == -1 || link(from, to) == -1) &&
		    copy_file(from, to) == -1) {
			diag_add(o->diags, to, 0, "cannot link: %s",
			    strerror(errno));
			free(from);
			free(to);
			return -1;
		}
		free(from);
		free(to);
	}
	return 0;
}

/*
 * The old live tree, now at `at`, becomes the spare.  Its manifest is the
 * old live one, moved aside before the swap (aside); without that, the
 * files this build found unchanged are all that is known of it, and
 * enough: the next build links or writes every other file anyway, and
 * removes what it does not have.
 */
static void
keep_spare(struct output *o, const char *at, const char *aside)
{
	struct manifest	 known = { NULL, 0, 0 };
	size_t		 i;
	int		 ok;

	ok = at == o->spare || rename(at, o->spare) == 0;
	if (ok && o->live != NULL)
		ok = rename(aside, o->sfile) == 0;
	else if (ok) {
		for (i = 0; i < o->out.n; i++)
			if (o->out.e[i].same)
				manifest_add(&known, &o->out.e[i]);
		ok = manifest_write(&known, o->sfile) == 0;
	}
	manifest_free(&known);
	if (ok)
		return;
	unlink(o->sfile);
	if (remove_tree(at) == -1 || (at != o->spare &&
	    remove_tree(o->spare) == -1))
		diag_add(o->diags, at, 0, "cannot remove the old output: %s",
		    strerror(errno));
}

/*
 * Swap o->work in for the live tree; the old one is kept as the spare.
 * The new manifest is written first, as "NAME.manifest.next", and
 * renamed into place after the swap: a kill at any moment leaves one of
 * the two beside the live tree, so the next build knows it made it.
 */
static int
swap_in(struct output *o, int have_old)
{
	char	*aside = xasprintf("%s.next", o->sfile);
	int	 rc = -1;

	if (manifest_write(&o->out, o->mnext) == -1) {
		diag_add(o->diags, o->mnext, 0, "cannot write: %s",
		    strerror(errno));
		goto out;
	}
	/*
	 * The old fingerprint and manifest must not outlive the old
	 * output: gone before the swap, the new ones put in after it.
	 * The old manifest goes aside, to be the spare's.
	 */
	if ((unlink(o->state) == -1 && errno != ENOENT) ||
	    ((o->live != NULL ? rename(o->mfile, aside) :
	    unlink(o->mfile)) == -1 && errno != ENOENT)) {
		diag_add(o->diags, o->mfile, 0, "cannot move aside: %s",
		    strerror(errno));
		goto out;
	}
	if (states_remove(o) == -1)
		goto out;
	if (!have_old) {
		if (rename(o->work, o->dir) == -1) {
			diag_add(o->diags, o->dir, 0, "cannot rename: %s",
			    strerror(errno));
			goto out;
		}
	} else if (renameat2(AT_FDCWD, o->work, AT_FDCWD, o->dir,
	    RENAME_EXCHANGE) == 0) {
		/* The old tree now sits where the new one was built. */
		keep_spare(o, o->work, aside);
	} else if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
		/* No atomic exchange here: two renames. */
		if (rename(o->dir, o->trash) == -1 ||
		    rename(o->work, o->dir) == -1) {
			diag_add(o->diags, o->dir, 0, "cannot rename: %s",
			    strerror(errno));
			goto out;
		}
		keep_spare(o, o->trash, aside);
	} else {
		diag_add(o->diags, o->dir, 0, "cannot swap in the new "
		    "output: %s", strerror(errno));
		goto out;
	}
	/*
	 * A manifest left as ".next" only costs the next build its short
	 * cuts; it still marks the output as this tool's.
	 */
	rename(o->mnext, o->mfile);
	write_state(o);
	states_install(o);
	rc = 0;
out:
	/*
	 * Still there when it was not needed; when the swap failed, the
	 * live tree is the old one and its manifest goes back.
	 */
	if (rc == -1)
		rename(aside, o->mfile);
	unlink(aside);
	free(aside);
	return rc;
}

/* Were the same bytes made from other keys this time? */
static int
keys_moved(const struct output *o)
{
	const struct entry *le;
	size_t		 i;

	for (i = 0; i < o->out.n; i++)
		if ((le = manifest_find(o->live, o->out.e[i].path)) == NULL ||
		    le->key != o->out.e[i].key)
			return 1;
	return 0;
}

int
output_commit(struct output *o, struct publish_stats *st)
{
	struct stat	 sb;
	int		 have_old, dirs_newer;

	memset(st, 0, sizeof(*st));
	if (o->failed || check_duplicates(o) != 0) {
		output_abort(o);
		return -1;
	}
	st->added = o->added;
	st->changed = o->changed;
	st->unchanged = o->unchanged;
	st->bytes = o->bytes;
	st->written = o->written;
	if (o->dry_run) {
		output_free(o);
		return 0;
	}
	have_old = lstat(o->dir, &sb) == 0;
	/* Files put in the live tree by hand show in its folders' mtimes. */
	dirs_newer = have_old && live_dirs_newer(o);
	if (o->mode == MODE_SPARE) {
		/* The manifest's count, and what no manifest lists. */
		if (trim_spare(o, &st->removed) == -1 || (dirs_newer &&
		    walk_extra(o, o->dir, count_stray, st, 0) == -1)) {
			output_abort(o);
			return -1;
		}
	} else if (have_old && walk_extra(o, o->dir, count_one,
	    &st->removed, 0) == -1) {
		output_abort(o);
		return -1;
	}
	if (have_old && o->added == 0 && o->changed == 0 && st->removed == 0) {
		/* Nothing changed: leave the output as it is. */
		if (dirs_newer)
			/* Found whole: later builds need not look again. */
			utimensat(AT_FDCWD, o->mfile, NULL, 0);
		if (o->mode == MODE_FRESH)
			remove_tree(o->staging);
		else if (o->dirty)
			/* The spare now holds what the live tree holds. */
			manifest_write(&o->out, o->sfile);
		if (o->live == NULL || keys_moved(o))
			manifest_write(&o->out, o->mfile);
		if (o->live == NULL)
			/* In place: a ".next" left by a killed build goes. */
			unlink(o->mnext);
		if (o->last_inputs != o->inputs)
			write_state(o);
		/* The live output stays: the states describe it. */
		if (states_remove(o) == 0)
			states_install(o);
		output_free(o);
		return 0;
	}
	if (o->mode == MODE_FRESH && link_same(o) == -1) {
		output_abort(o);
		return -1;
	}
	if (swap_in(o, have_old) == -1) {
		output_abort(o);
		return -1;
	}
	output_free(o);
	return 0;
}

/*
 * Remove output folder dir and everything a build keeps beside it
 * (.NAME.inputs, .NAME.manifest, .NAME.state.*, .NAME.spare ...); 0 when
 * all is gone.
 */
int
output_remove(const char *dir)
{
	const char	*slash = strrchr(dir, '/'), *base;
	char		*parent, *prefix, *path;
	struct dirent	*de;
	DIR		*dp;
	size_t		 plen;
	int		 rc;

	base = slash ? slash + 1 : dir;
	parent = slash ? xstrndup(dir, (size_t)(slash - dir) + 1) :
	    xstrdup("");
	prefix = xasprintf(".%s.", base);
	plen = strlen(prefix);
	rc = remove_tree(dir);
	if ((dp = opendir(parent[0] != '\0' ? parent : ".")) == NULL)
		rc = -1;
	while (dp != NULL && (de = readdir(dp)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		path = xasprintf("%s%s", parent, de->d_name);
		if (remove_tree(path) != 0)
			rc = -1;
		free(path);
	}
	if (dp != NULL)
		closedir(dp);
	free(prefix);
	free(parent);
	return rc;
}

void
output_abort(struct output *o)
{
	if (o == NULL)
		return;
	if (!o->dry_run && o->mode == MODE_FRESH && o->staging != NULL)
		remove_tree(o->staging);
	/* A spare changed half-way is of no use any more. */
	if (!o->dry_run && o->mode == MODE_SPARE && o->dirty)
		remove_tree(o->spare);
	output_free(o);
}
