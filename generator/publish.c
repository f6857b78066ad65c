/*
 * publish.c: the only stage that writes files.
 *
 * A build writes into a staging folder beside the output (".public.staging"
 * for "public") and swaps it in with one rename only when everything
 * succeeded, so a failed or killed build leaves the previous output as it
 * was; the next build removes a stale staging folder first.
 *
 * A file whose bytes did not change is not written: at commit it is
 * hard-linked from the old output into the staging folder, so it keeps its
 * inode and mtime and rsync or an object-store sync skips it.  When nothing
 * was added, changed or removed, nothing at all is written.
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

struct output {
	char		*dir;		/* the output folder, owned */
	char		*staging;	/* owned */
	char		*trash;		/* where an old tree goes, owned */
	char		*state;		/* inputs' fingerprint file, owned */
	uint64_t	 last_inputs;	/* read from state; 0: unknown */
	uint64_t	 inputs;	/* to write at commit; 0: none */
	int		 dry_run;
	int		 failed;
	struct diags	*diags;		/* borrowed */
	pthread_mutex_t	 lock;		/* guards the fields below */
	char		**paths;	/* every output path, owned */
	size_t		 npaths, cappaths;
	char		**same;		/* paths whose bytes did not change */
	size_t		 nsame, capsame;
	size_t		 added, changed;
	uint64_t	 bytes;		/* all output */
	uint64_t	 written;	/* of which added or changed */
};

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

static int	write_all(int, const char *, size_t);

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

void
output_set_inputs(struct output *o, uint64_t inputs)
{
	o->inputs = inputs;
}

struct output *
output_open(const char *dir, int dry_run, struct diags *d)
{
	struct output	*o;
	struct stat	 st;
	const char	*slash, *base;
	char		*parent;
	size_t		 len = strlen(dir);

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
	free(parent);

	if (lstat(o->dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			diag_add(d, o->dir, 0,
			    "output exists and is not a folder");
			goto fail;
		}
		o->last_inputs = read_state(o->state);
	}
	/* What a killed build left behind. */
	if (remove_tree(o->staging) == -1 || remove_tree(o->trash) == -1) {
		diag_add(d, o->staging, 0, "cannot remove stale staging "
		    "folder: %s", strerror(errno));
		goto fail;
	}
	if (mkdir(o->staging, 0755) == -1) {
		diag_add(d, o->staging, 0, "cannot create staging folder: %s",
		    strerror(errno));
		goto fail;
	}
	if (access(o->staging, W_OK) == -1 ||
	    (lstat(o->dir, &st) == 0 && access(o->dir, W_OK) == -1)) {
		diag_add(d, o->dir, 0, "cannot write: %s", strerror(errno));
		rmdir(o->staging);
		goto fail;
	}
	return o;
fail:
	free(o->dir);
	free(o->staging);
	free(o->trash);
	free(o->state);
	pthread_mutex_destroy(&o->lock);
	free(o);
	return NULL;
}

/* Does the old output already hold exactly these bytes at path? */
static int
same_as_old(const char *path, const char *data, size_t len)
{
	struct stat	 st;
	void		*m;
	int		 fd, same = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	if ((size_t)st.st_size != len) {
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
	same = memcmp(m, data, len) == 0;
	munmap(m, len);
	return same;
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

int
output_file(struct output *o, const char *path, const char *data, size_t len)
{
	char	*old, *dst;
	int	 fd, cmp;

	if (!safe_path(path)) {
		pthread_mutex_lock(&o->lock);
		diag_add(o->diags, path, 0, "output path leaves the site");
		o->failed = 1;
		pthread_mutex_unlock(&o->lock);
		return -1;
	}
	if (o->dry_run) {
		pthread_mutex_lock(&o->lock);
		o->bytes += len;
		push(&o->paths, &o->npaths, &o->cappaths, path);
		pthread_mutex_unlock(&o->lock);
		return 0;
	}
	old = xasprintf("%s/%s", o->dir, path);
	cmp = same_as_old(old, data, len);
	free(old);
	if (cmp == 1) {
		pthread_mutex_lock(&o->lock);
		push(&o->paths, &o->npaths, &o->cappaths, path);
		push(&o->same, &o->nsame, &o->capsame, path);
		o->bytes += len;
		pthread_mutex_unlock(&o->lock);
		return 0;
	}
	dst = xasprintf("%s/%s", o->staging, path);
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1 && errno == ENOENT && make_parents(dst) == 0)
		fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1) {
		fail(o, dst, "cannot create");
		free(dst);
		return -1;
	}
	if (write_all(fd, data, len) == -1) {
		fail(o, dst, "cannot write");
		close(fd);
		free(dst);
		return -1;
	}
	if (close(fd) == -1) {
		fail(o, dst, "cannot write");
		free(dst);
		return -1;
	}
	free(dst);
	pthread_mutex_lock(&o->lock);
	push(&o->paths, &o->npaths, &o->cappaths, path);
	if (cmp == 0)
		o->changed++;
	else
		o->added++;
	o->bytes += len;
	o->written += len;
	pthread_mutex_unlock(&o->lock);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Count the files under dir/rel that the new build no longer has.
 * paths must be sorted.  Returns -1 when a folder cannot be read.
 */
static int
count_removed(const struct output *o, const char *rel, size_t *removed)
{
	DIR		*d;
	struct dirent	*de;
	char		*path, *sub;
	int		 rc = 0;

	path = rel[0] ? xasprintf("%s/%s", o->dir, rel) : xstrdup(o->dir);
	d = opendir(path);
	free(path);
	if (d == NULL)
		return -1;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		sub = rel[0] ? xasprintf("%s/%s", rel, de->d_name) :
		    xstrdup(de->d_name);
		if (de->d_type == DT_DIR)
			rc = count_removed(o, sub, removed);
		else if (bsearch(&sub, o->paths, o->npaths, sizeof(char *),
		    cmp_str) == NULL)
			(*removed)++;
		free(sub);
	}
	closedir(d);
	return rc;
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

static void
output_free(struct output *o)
{
	size_t	 i;

	for (i = 0; i < o->npaths; i++)
		free(o->paths[i]);
	free(o->paths);
	for (i = 0; i < o->nsame; i++)
		free(o->same[i]);
	free(o->same);
	free(o->dir);
	free(o->staging);
	free(o->trash);
	free(o->state);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

/* Two outputs at one path would make the site depend on thread timing. */
static int
check_duplicates(struct output *o)
{
	size_t	 i;
	int	 dup = 0;

	qsort(o->paths, o->npaths, sizeof(char *), cmp_str);
	for (i = 1; i < o->npaths; i++)
		if (strcmp(o->paths[i - 1], o->paths[i]) == 0) {
			diag_add(o->diags, o->paths[i], 0,
			    "two outputs at the same path");
			dup = 1;
		}
	return dup ? -1 : 0;
}

int
output_commit(struct output *o, struct publish_stats *st)
{
	struct stat	 sb;
	char		*from, *to;
	size_t		 i;
	int		 have_old;

	memset(st, 0, sizeof(*st));
	if (o->failed || check_duplicates(o) != 0) {
		output_abort(o);
		return -1;
	}
	st->added = o->added;
	st->changed = o->changed;
	st->unchanged = o->nsame;
	st->bytes = o->bytes;
	st->written = o->written;
	if (o->dry_run) {
		output_free(o);
		return 0;
	}
	have_old = lstat(o->dir, &sb) == 0;
	if (have_old && count_removed(o, "", &st->removed) == -1) {
		diag_add(o->diags, o->dir, 0, "cannot read: %s",
		    strerror(errno));
		output_abort(o);
		return -1;
	}
	if (have_old && o->added == 0 && o->changed == 0 && st->removed == 0) {
		/* Nothing changed: leave the output as it is. */
		remove_tree(o->staging);
		if (o->last_inputs != o->inputs)
			write_state(o);
		output_free(o);
		return 0;
	}

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
			output_abort(o);
			return -1;
		}
		free(from);
		free(to);
	}

	/*
	 * The old fingerprint must not outlive the old output: gone before
	 * the swap, the new one written after it.
	 */
	if (unlink(o->state) == -1 && errno != ENOENT) {
		diag_add(o->diags, o->state, 0, "cannot remove: %s",
		    strerror(errno));
		output_abort(o);
		return -1;
	}
	if (!have_old) {
		if (rename(o->staging, o->dir) == -1) {
			diag_add(o->diags, o->dir, 0, "cannot rename: %s",
			    strerror(errno));
			output_abort(o);
			return -1;
		}
	} else if (renameat2(AT_FDCWD, o->staging, AT_FDCWD, o->dir,
	    RENAME_EXCHANGE) == 0) {
		/* The old tree now sits at the staging path. */
		if (remove_tree(o->staging) == -1)
			diag_add(o->diags, o->staging, 0, "cannot remove the "
			    "old output: %s", strerror(errno));
	} else if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
		/* No atomic exchange here: two renames, old tree kept. */
		if (rename(o->dir, o->trash) == -1 ||
		    rename(o->staging, o->dir) == -1) {
			diag_add(o->diags, o->dir, 0, "cannot rename: %s",
			    strerror(errno));
			output_abort(o);
			return -1;
		}
		remove_tree(o->trash);
	} else {
		diag_add(o->diags, o->dir, 0, "cannot swap in the new "
		    "output: %s", strerror(errno));
		output_abort(o);
		return -1;
	}
	write_state(o);
	output_free(o);
	return 0;
}

void
output_abort(struct output *o)
{
	if (o == NULL)
		return;
	if (!o->dry_run && o->staging != NULL)
		remove_tree(o->staging);
	output_free(o);
}
