/*
 * floor: the least work any generator must do for a content folder, as a
 * yardstick for the benchmark.
 *
 *	floor CONTENT OUTPUT
 *
 * Single-threaded: for every CONTENT/<category>/<slug>.md (and the
 * _index.md files), read the file, skip its YAML front matter, render the
 * body with md4c-html (tables, strikethrough, bare-URL autolinks) and write
 * the HTML to OUTPUT/<category>/<slug>.html.  Nothing else: no templates,
 * no link resolution, no index.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <md4c-html.h>

#define PARSER_FLAGS	(MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | \
			 MD_FLAG_PERMISSIVEURLAUTOLINKS)

struct buf {
	char	*s;
	size_t	 len, cap;
};

static size_t	 files, bytes_out;

static void
die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 3 / 2 + 4096;
		if ((b->s = realloc(b->s, b->cap)) == NULL)
			die("realloc");
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
}

static void
output(const MD_CHAR *s, MD_SIZE n, void *arg)
{
	put(arg, s, n);
}

static void
read_file(const char *path, struct buf *b)
{
	ssize_t	 n;
	int	 fd;

	b->len = 0;
	if ((fd = open(path, O_RDONLY)) == -1)
		die(path);
	for (;;) {
		if (b->cap - b->len < 65536) {
			b->cap = b->cap * 3 / 2 + 65536;
			if ((b->s = realloc(b->s, b->cap)) == NULL)
				die("realloc");
		}
		if ((n = read(fd, b->s + b->len, b->cap - b->len)) == -1)
			die(path);
		if (n == 0)
			break;
		b->len += (size_t)n;
	}
	close(fd);
}

static void
write_file(const char *path, const struct buf *b)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666)) == -1)
		die(path);
	if (write(fd, b->s, b->len) != (ssize_t)b->len)
		die(path);
	if (close(fd) == -1)
		die(path);
}

/* Offset of the body: past the front matter between lines of "---". */
static size_t
body_start(const char *s, size_t len)
{
	const char *p;

	if (len < 4 || memcmp(s, "---\n", 4) != 0)
		return 0;
	for (p = s + 3; (p = memchr(p, '\n', len - (size_t)(p - s))) != NULL;
	    p++)
		if ((size_t)(s + len - p) >= 4 && memcmp(p, "\n---", 4) == 0 &&
		    (p + 4 == s + len || p[4] == '\n'))
			return (size_t)(p + 4 - s) + (p + 4 < s + len);
	return 0;
}

static void
render(const char *src, const char *dst, struct buf *in, struct buf *out)
{
	size_t body;

	read_file(src, in);
	body = body_start(in->s, in->len);
	out->len = 0;
	if (md_html(in->s + body, (MD_SIZE)(in->len - body), output, out,
	    PARSER_FLAGS, 0) != 0) {
		fprintf(stderr, "floor: %s: md4c failed\n", src);
		exit(1);
	}
	write_file(dst, out);
	files++;
	bytes_out += out->len;
}

/* Render every .md file of folder src into folder dst, one level down. */
static void
walk(const char *src, const char *dst, int depth, struct buf *in,
    struct buf *out)
{
	DIR		*d;
	struct dirent	*e;
	struct stat	 st;
	char		*s, *t;
	size_t		 n;

	if (mkdir(dst, 0777) == -1 && errno != EEXIST)
		die(dst);
	if ((d = opendir(src)) == NULL)
		die(src);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (asprintf(&s, "%s/%s", src, e->d_name) == -1)
			die("asprintf");
		n = strlen(e->d_name);
		if (n > 3 && strcmp(e->d_name + n - 3, ".md") == 0) {
			if (asprintf(&t, "%s/%.*s.html", dst, (int)(n - 3),
			    e->d_name) == -1)
				die("asprintf");
			render(s, t, in, out);
			free(t);
		} else if (depth == 0 && stat(s, &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			if (asprintf(&t, "%s/%s", dst, e->d_name) == -1)
				die("asprintf");
			walk(s, t, depth + 1, in, out);
			free(t);
		}
		free(s);
	}
	closedir(d);
}

int
main(int argc, char *argv[])
{
	struct buf	 in = { 0 }, out = { 0 };

	if (argc != 3) {
		fprintf(stderr, "usage: floor CONTENT OUTPUT\n");
		return 2;
	}
	walk(argv[1], argv[2], 0, &in, &out);
	free(in.s);
	free(out.s);
	fprintf(stderr, "floor: %zu files, %zu bytes\n", files, bytes_out);
	return 0;
}
