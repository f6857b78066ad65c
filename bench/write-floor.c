/*
 * write-floor: what writing a site's files alone costs, as a lower bound
 * for the benchmark.
 *
 *	write-floor SITE DEST [JOBS]
 *
 * Reads every file under SITE (a faqgen output, say) into memory, untimed,
 * then creates DEST (which must not exist) with the same folders and files,
 * byte for byte, on JOBS threads (default 2): the folders first, then each
 * thread takes whole folders in turn, as faqgen's writing jobs do, and
 * writes each file with one open(), write() and close().  It prints the
 * wall time and the CPU time (user and system) of that part, and the files
 * and bytes written.  Nothing is computed: no generator can write the same
 * files faster on this disk, so a target below this figure cannot be met
 * by any amount of work on the computing.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

struct file {
	char	*name;		/* under the folder */
	char	*data;
	size_t	 len;
};

struct folder {
	char		*path;	/* under SITE and DEST; "" the top */
	struct file	*f;
	size_t		 n, cap;
};

static struct folder	*dirs;
static size_t		 ndirs, capdirs;
static const char	*dest;
static atomic_size_t	 next;

static void
die(const char *what)
{
	fprintf(stderr, "write-floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		die("realloc");
	return p;
}

static char *
join(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b);
	char	*s = xrealloc(NULL, la + lb + 2);

	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

static void
slurp(const char *path, struct file *f)
{
	struct stat	 st;
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1)
		die(path);
	f->len = (size_t)st.st_size;
	f->data = xrealloc(NULL, f->len ? f->len : 1);
	while (got < f->len) {
		if ((n = read(fd, f->data + got, f->len - got)) <= 0)
			die(path);
		got += (size_t)n;
	}
	close(fd);
}

/* Folder rel (under root) and every folder below it, depth first. */
static void
walk(const char *root, const char *rel)
{
	struct dirent	*de;
	struct folder	*d;
	DIR		*dp;
	char		*path, *sub, *p;
	size_t		 self;

	path = *rel ? join(root, rel) : strdup(root);
	if ((dp = opendir(path)) == NULL)
		die(path);
	if (ndirs == capdirs) {
		capdirs = capdirs ? capdirs * 2 : 256;
		dirs = xrealloc(dirs, capdirs * sizeof(*dirs));
	}
	self = ndirs++;
	memset(&dirs[self], 0, sizeof(dirs[self]));
	dirs[self].path = strdup(rel);
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		sub = *rel ? join(rel, de->d_name) : strdup(de->d_name);
		p = join(root, sub);
		if (de->d_type == DT_DIR) {
			walk(root, sub);
		} else {
			d = &dirs[self];
			if (d->n == d->cap) {
				d->cap = d->cap ? d->cap * 2 : 16;
				d->f = xrealloc(d->f, d->cap * sizeof(*d->f));
			}
			d->f[d->n].name = strdup(de->d_name);
			slurp(p, &d->f[d->n]);
			d->n++;
		}
		free(p);
		free(sub);
	}
	closedir(dp);
	free(path);
}

static void *
writer(void *arg)
{
	struct folder	*d;
	size_t		 k, i;
	char		*path;
	int		 fd, dfd;

	(void)arg;
	while ((k = atomic_fetch_add(&next, 1)) < ndirs) {
		d = &dirs[k];
		path = *d->path ? join(dest, d->path) : strdup(dest);
		if ((dfd = open(path, O_RDONLY | O_DIRECTORY)) == -1)
			die(path);
		for (i = 0; i < d->n; i++) {
			fd = openat(dfd, d->f[i].name,
			    O_WRONLY | O_CREAT | O_EXCL, 0644);
			if (fd == -1)
				die(d->f[i].name);
			if (d->f[i].len > 0 &&
			    write(fd, d->f[i].data, d->f[i].len) !=
			    (ssize_t)d->f[i].len)
				die(d->f[i].name);
			close(fd);
		}
		close(dfd);
		free(path);
	}
	return NULL;
}

int
main(int argc, char *argv[])
{
	pthread_t	*th;
	size_t		 i, j, files = 0, bytes = 0;
	double		 t0, c0, s0;
	char		*path;
	int		 jobs;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: write-floor SITE DEST [JOBS]\n");
		return 2;
	}
	dest = argv[2];
	jobs = argc > 3 ? atoi(argv[3]) : 2;
	if (jobs < 1)
		jobs = 1;
	walk(argv[1], "");
	for (i = 0; i < ndirs; i++)
		for (j = 0; j < dirs[i].n; j++) {
			files++;
			bytes += dirs[i].f[j].len;
		}
	th = xrealloc(NULL, (size_t)jobs * sizeof(*th));

	t0 = now();
	c0 = user_time(&s0) + s0;
	if (mkdir(dest, 0755) == -1)
		die(dest);
	for (i = 1; i < ndirs; i++) {
		path = join(dest, dirs[i].path);
		if (mkdir(path, 0755) == -1)
			die(path);
		free(path);
	}
	for (i = 0; i < (size_t)jobs; i++)
		if (pthread_create(&th[i], NULL, writer, NULL) != 0)
			die("pthread_create");
	for (i = 0; i < (size_t)jobs; i++)
		pthread_join(th[i], NULL);
	printf("write-floor: %zu files, %.1f MB in %zu folders, %d jobs: "
	    "%.2f s wall, %.2f s cpu\n", files, bytes / 1e6, ndirs, jobs,
	    now() - t0, user_time(&s0) + s0 - c0);
	return 0;
}
