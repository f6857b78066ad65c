/*
 * serve.c: faqgen serve, the editor's preview.  The only file that
 * includes libmicrohttpd.
 *
 * The site is built into "site" inside a private temporary folder (never
 * the output folder) the way `faqgen build` builds public/: into a second
 * tree swapped in only when the build succeeds, so a failed rebuild leaves
 * the last good site served, and with the states, manifest and spare tree
 * beside it, so a rebuild after an edit redoes only what the edit changed.
 * The main thread waits on inotify (content/, layouts/ and site.ini,
 * recursively) and on SIGINT/SIGTERM; a burst of changes becomes one
 * rebuild once the files have been quiet for DEBOUNCE_MS.
 *
 * Open pages learn about rebuilds over server-sent events from
 * /__faqgen/events: "reload" after a good build, "builderror" with the
 * error text after a failed one, which /__faqgen/reload.js shows over the
 * page.  The script tag is added to HTML responses only; the built files
 * never contain it.
 *
 * Files are served only from inside the current build: a request path
 * with "." or ".." segments is refused (libmicrohttpd has already decoded
 * %2e%2e), and the real path of every file, symlinks resolved, must lie
 * under the real path of the build folder.
 */
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "faqgen.h"

#define DEFAULT_PORT	1313
#define DEBOUNCE_MS	150	/* quiet time that ends a burst of saves */
#define DEBOUNCE_MAX_MS	2000	/* rebuild anyway after this long */
#define PING_S		15	/* SSE keep-alive comment interval */
#define PREFIX		"/__faqgen/"

struct server {
	const struct options *opt;	/* borrowed */
	char		*tmpdir;	/* private build folder, owned */
	char		*out;		/* the output in it, owned */
	pthread_rwlock_t swap;		/* guards root and base */
	char		*root;		/* real path of out, owned; NULL
					   before the first good build */
	char		*base;		/* its base_url's path ("/faq/"), owned */
	pthread_mutex_t	 lock;		/* guards the fields below */
	pthread_cond_t	 changed;
	unsigned long	 seq;		/* bumped on every build outcome */
	char		*error;		/* last failed build's text, owned;
					   NULL after a good build */
	int		 stopping;
	/* watching */
	int		 ifd;		/* inotify */
	int		 ini_wd;	/* watch on site.ini's folder */
	char		*ini_name;	/* site.ini's file name, owned */
	char		*content_dir;	/* owned */
	char		*layouts_dir;	/* owned */
};

/* One /__faqgen/events stream. */
struct client {
	struct server	*srv;
	unsigned long	 seq;		/* outcome last sent */
	struct buf	 out;		/* bytes not yet handed to MHD */
	size_t		 off;
};

static const char reload_js[] =
"(function () {\n"
"\tvar es = new EventSource(\"/__faqgen/events\");\n"
"\tes.addEventListener(\"reload\", function () {\n"
"\t\tlocation.reload();\n"
"\t});\n"
"\tes.addEventListener(\"builderror\", function (e) {\n"
"\t\tvar d = document.getElementById(\"__faqgen_error\");\n"
"\t\tif (!d) {\n"
"\t\t\td = document.createElement(\"pre\");\n"
"\t\t\td.id = \"__faqgen_error\";\n"
"\t\t\td.setAttribute(\"role\", \"alert\");\n"
"\t\t\td.setAttribute(\"style\", \"position:fixed;inset:0;"
"z-index:2147483647;margin:0;padding:1.5em;overflow:auto;"
"background:rgba(40,0,0,.94);color:#ffe4e4;"
"font:14px/1.5 monospace;white-space:pre-wrap\");\n"
"\t\t\tdocument.body.appendChild(d);\n"
"\t\t}\n"
"\t\td.textContent = \"faqgen: the rebuild failed; this is the last \" +\n"
"\t\t    \"good build.\\n\\n\" + e.data;\n"
"\t});\n"
"})();\n";

static const char reload_tag[] =
    "<script src=\"/__faqgen/reload.js\"></script>\n";

static const char no_build_html[] =
"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
"<title>faqgen: no build yet</title></head>\n<body>\n"
"<p>faqgen: the site has not built yet; fix the errors shown in the "
"terminal and this page reloads itself.</p>\n</body></html>\n";

static const struct {
	const char	*ext;
	const char	*type;
} mime_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json; charset=utf-8" },
	{ "webmanifest", "application/manifest+json; charset=utf-8" },
	{ "xml", "application/xml; charset=utf-8" },
	{ "xsl", "application/xml; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "md", "text/plain; charset=utf-8" },
	{ "csv", "text/csv; charset=utf-8" },
	{ "svg", "image/svg+xml; charset=utf-8" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "avif", "image/avif" },
	{ "ico", "image/x-icon" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "pdf", "application/pdf" },
	{ "wasm", "application/wasm" },
	{ "gz", "application/gzip" },
};

static const char *
mime_type(const char *path)
{
	const char	*slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	size_t		 i;

	if (dot == NULL || (slash != NULL && dot < slash))
		return "application/octet-stream";
	if (strcmp(slash ? slash + 1 : path, "feed.xml") == 0)
		return "application/atom+xml; charset=utf-8";
	for (i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
		if (strcasecmp(dot + 1, mime_types[i].ext) == 0)
			return mime_types[i].type;
	return "application/octet-stream";
}

/* ------------------------------------------------------------- files */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

static void
remove_tree(const char *path)
{
	nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
}

/* ----------------------------------------------------------- responses */

static enum MHD_Result
send_response(struct MHD_Connection *c, unsigned status,
    struct MHD_Response *r, const char *type)
{
	enum MHD_Result	 ret;

	if (r == NULL)
		return MHD_NO;
	if (type != NULL)
		MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
send_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
	    MHD_RESPMEM_MUST_COPY);
	return send_response(c, status, r, "text/plain; charset=utf-8");
}

/* HTML with the reload script added before </body>, or at the end. */
static enum MHD_Result
send_html(struct MHD_Connection *c, unsigned status, const char *html,
    size_t len)
{
	struct MHD_Response *r;
	struct buf	 b = { NULL, 0, 0 };
	size_t		 at = len, i;
	char		*data;

	for (i = len; i >= 7; i--)
		if (strncasecmp(html + i - 7, "</body>", 7) == 0) {
			at = i - 7;
			break;
		}
	buf_put(&b, html, at);
	buf_puts(&b, reload_tag);
	buf_put(&b, html + at, len - at);
	data = buf_detach(&b, &len);
	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (r == NULL)
		free(data);
	return send_response(c, status, r, "text/html; charset=utf-8");
}

/* Read a whole open file; returns NULL on error.  Closes fd. */
static char *
slurp(int fd, size_t size, size_t *len)
{
	char	*data = xmalloc(size + 1);
	size_t	 off = 0;
	ssize_t	 n;

	while (off < size) {
		n = read(fd, data + off, size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	data[off] = '\0';
	*len = off;
	return data;
}

/*
 * Open root/rel when its real path lies inside root.  Returns the fd, or
 * -1 with errno: ENOENT (missing), EACCES (outside), EISDIR (a folder).
 */
static int
open_inside(const char *root, const char *rel, struct stat *st)
{
	struct buf	 path = { NULL, 0, 0 };
	char		 real[PATH_MAX];
	size_t		 rlen = strlen(root);
	int		 fd;

	buf_puts(&path, root);
	buf_putc(&path, '/');
	buf_puts(&path, rel);
	if (realpath(path.data, real) == NULL) {
		buf_free(&path);
		errno = ENOENT;
		return -1;
	}
	buf_free(&path);
	if (strncmp(real, root, rlen) != 0 ||
	    (real[rlen] != '/' && real[rlen] != '\0')) {
		errno = EACCES;
		return -1;
	}
	if ((fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	if (fstat(fd, st) == -1) {
		close(fd);
		return -1;
	}
	if (S_ISDIR(st->st_mode)) {
		close(fd);
		errno = EISDIR;
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		errno = EACCES;
		return -1;
	}
	return fd;
}

/* No "." or ".." segment, no empty segment but the last, no NUL. */
static int
path_ok(const char *url)
{
	const char	*p = url, *seg;
	size_t		 n;

	if (*p != '/')
		return 0;
	while (*p == '/') {
		seg = ++p;
		while (*p != '\0' && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if ((n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return 0;
		if (n == 0 && *p == '/')
			return 0;
		if (memchr(seg, '\\', n) != NULL)
			return 0;
	}
	return 1;
}

static enum MHD_Result
send_not_found(struct server *srv, struct MHD_Connection *c)
{
	const char	*root;
	struct stat	 st;
	enum MHD_Result	 ret;
	char		*data;
	size_t		 len;
	int		 fd;

	pthread_rwlock_rdlock(&srv->swap);
	root = srv->root;
	fd = root != NULL ? open_inside(root, "404.html", &st) : -1;
	pthread_rwlock_unlock(&srv->swap);
	if (fd == -1)
		return send_text(c, MHD_HTTP_NOT_FOUND, "404 not found\n");
	data = slurp(fd, (size_t)st.st_size, &len);
	ret = send_html(c, MHD_HTTP_NOT_FOUND, data, len);
	free(data);
	return ret;
}

static enum MHD_Result
send_file(struct server *srv, struct MHD_Connection *c, const char *url)
{
	struct MHD_Response *r;
	struct stat	 st;
	struct buf	 loc = { NULL, 0, 0 };
	enum MHD_Result	 ret;
	const char	*type, *root;
	char		*rel, *data;
	size_t		 len, plen;
	int		 fd, err;

	if (!path_ok(url))
		return send_text(c, MHD_HTTP_FORBIDDEN, "403 forbidden\n");
	len = strlen(url);
	rel = url[len - 1] == '/' ? xasprintf("%sindex.html", url + 1) :
	    xstrdup(url + 1);
	pthread_rwlock_rdlock(&srv->swap);
	if ((root = srv->root) == NULL) {
		pthread_rwlock_unlock(&srv->swap);
		free(rel);
		return send_html(c, MHD_HTTP_SERVICE_UNAVAILABLE,
		    no_build_html, strlen(no_build_html));
	}
	fd = open_inside(root, rel, &st);
	err = errno;
	/*
	 * Not in the site: the path under base_url's, which the pages that
	 * must be absolute (404.html) use, as the published site has it.
	 */
	plen = srv->base != NULL ? strlen(srv->base) : 0;
	if (fd == -1 && err == ENOENT && plen > 1 &&
	    strncmp(url, srv->base, plen) == 0) {
		free(rel);
		rel = url[len - 1] == '/' ? xasprintf("%sindex.html",
		    url + plen) : xstrdup(url + plen);
		fd = open_inside(root, rel, &st);
		err = errno;
	}
	pthread_rwlock_unlock(&srv->swap);
	if (fd == -1 && err == EISDIR) {
		/* A folder: its index.html, through a slash-ended URL. */
		buf_putc(&loc, '/');
		esc_url(&loc, url + 1, strlen(url + 1));
		buf_putc(&loc, '/');
		r = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
		if (r != NULL)
			MHD_add_response_header(r, "Location", loc.data);
		buf_free(&loc);
		free(rel);
		return send_response(c, MHD_HTTP_MOVED_PERMANENTLY, r, NULL);
	}
	if (fd == -1) {
		free(rel);
		if (err == EACCES)
			return send_text(c, MHD_HTTP_FORBIDDEN,
			    "403 forbidden\n");
		return send_not_found(srv, c);
	}
	type = mime_type(rel);
	free(rel);
	if (strncmp(type, "text/html", 9) == 0) {
		data = slurp(fd, (size_t)st.st_size, &len);
		ret = send_html(c, MHD_HTTP_OK, data, len);
		free(data);
		return ret;
	}
	/* MHD closes fd when done. */
	if ((r = MHD_create_response_from_fd((uint64_t)st.st_size, fd)) ==
	    NULL)
		close(fd);
	return send_response(c, MHD_HTTP_OK, r, type);
}

/* ----------------------------------------------------- server-sent events */

/* Queue the SSE message for the current outcome; lock held. */
static void
queue_event(struct client *cl)
{
	struct server	*srv = cl->srv;
	const char	*p, *nl;

	if (srv->error == NULL) {
		buf_printf(&cl->out, "event: reload\ndata: %lu\n\n",
		    srv->seq);
		return;
	}
	buf_puts(&cl->out, "event: builderror\n");
	for (p = srv->error; ; p = nl + 1) {
		nl = strchr(p, '\n');
		buf_puts(&cl->out, "data: ");
		buf_put(&cl->out, p, nl ? (size_t)(nl - p) : strlen(p));
		buf_putc(&cl->out, '\n');
		if (nl == NULL)
			break;
	}
	buf_putc(&cl->out, '\n');
}

static ssize_t
events_read(void *arg, uint64_t pos, char *out, size_t max)
{
	struct client	*cl = arg;
	struct server	*srv = cl->srv;
	struct timespec	 until;
	size_t		 n;

	(void)pos;
	pthread_mutex_lock(&srv->lock);
	while (cl->off == cl->out.len) {
		buf_truncate(&cl->out, 0);
		cl->off = 0;
		if (srv->stopping) {
			pthread_mutex_unlock(&srv->lock);
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (cl->seq != srv->seq) {
			cl->seq = srv->seq;
			queue_event(cl);
			break;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += PING_S;
		if (pthread_cond_timedwait(&srv->changed, &srv->lock,
		    &until) == ETIMEDOUT && cl->seq == srv->seq &&
		    !srv->stopping)
			buf_puts(&cl->out, ": ping\n\n");
	}
	pthread_mutex_unlock(&srv->lock);
	n = cl->out.len - cl->off;
	if (n > max)
		n = max;
	memcpy(out, cl->out.data + cl->off, n);
	cl->off += n;
	return (ssize_t)n;
}

static void
events_free(void *arg)
{
	struct client	*cl = arg;

	buf_free(&cl->out);
	free(cl);
}

static enum MHD_Result
send_events(struct server *srv, struct MHD_Connection *c)
{
	struct MHD_Response *r;
	struct client	*cl;

	cl = xcalloc(1, sizeof(*cl));
	cl->srv = srv;
	buf_puts(&cl->out, "retry: 1000\n\n");
	pthread_mutex_lock(&srv->lock);
	cl->seq = srv->seq;
	if (srv->error != NULL)
		queue_event(cl);
	pthread_mutex_unlock(&srv->lock);
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024,
	    events_read, cl, events_free);
	if (r == NULL) {
		events_free(cl);
		return MHD_NO;
	}
	return send_response(c, MHD_HTTP_OK, r,
	    "text/event-stream; charset=utf-8");
}

static enum MHD_Result
answer(void *arg, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **state)
{
	struct server	*srv = arg;
	struct MHD_Response *r;
	static int	 first;

	(void)version;
	(void)upload;
	if (*state == NULL) {
		/* Called again once the headers are in. */
		*state = &first;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		r = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
		if (r != NULL)
			MHD_add_response_header(r, "Allow", "GET, HEAD");
		return send_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, r, NULL);
	}
	if (strncmp(url, PREFIX, strlen(PREFIX)) == 0) {
		if (strcmp(url, PREFIX "events") == 0)
			return send_events(srv, c);
		if (strcmp(url, PREFIX "reload.js") == 0) {
			r = MHD_create_response_from_buffer(
			    sizeof(reload_js) - 1, (void *)reload_js,
			    MHD_RESPMEM_PERSISTENT);
			return send_response(c, MHD_HTTP_OK, r,
			    "text/javascript; charset=utf-8");
		}
		return send_not_found(srv, c);
	}
	return send_file(srv, c, url);
}

/* ---------------------------------------------------------------- builds */

/* Tell the event streams about a build's outcome (error NULL: good). */
static void
announce(struct server *srv, char *error)
{
	pthread_mutex_lock(&srv->lock);
	free(srv->error);
	srv->error = error;
	srv->seq++;
	pthread_cond_broadcast(&srv->changed);
	pthread_mutex_unlock(&srv->lock);
}

static void
set_dir(char **field, const char *value)
{
	if (value == NULL)
		return;
	free(*field);
	*field = xstrdup(value);
}

/*
 * Build into the private output folder, as `faqgen build` does: the build
 * goes into a second tree and is swapped in only when it succeeds, so a
 * request sees the last good build or the new one, never half of either,
 * and a failed build leaves the last good one served.  The states, the
 * manifest and the spare tree beside it make each rebuild after an edit
 * redo only what the edit changed, as a rebuild of public/ does.
 */
static void
rebuild(struct server *srv)
{
	struct options		 o = *srv->opt;
	struct build_result	 res;
	struct buf		 b = { NULL, 0, 0 };
	const char		*base;
	char			*real = NULL;
	size_t			 i, len;
	int			 rc;

	o.output = srv->out;
	memset(&res, 0, sizeof(res));
	rc = build_site(&o, 0, &res);
	set_dir(&srv->content_dir, res.content_dir);
	set_dir(&srv->layouts_dir, res.layouts_dir);
	if (rc == EXIT_OK && (srv->root != NULL ||
	    (real = realpath(srv->out, NULL)) != NULL)) {
		pthread_rwlock_wrlock(&srv->swap);
		if (srv->root == NULL)
			srv->root = real;
		/* "/faq" or "/faq/": "/faq/", so /faqx/ is not under it. */
		free(srv->base);
		base = res.base_url != NULL ? base_path(res.base_url) : "/";
		len = strlen(base);
		srv->base = len > 0 && base[len - 1] == '/' ? xstrdup(base) :
		    xasprintf("%s/", base);
		pthread_rwlock_unlock(&srv->swap);
		announce(srv, NULL);
	} else {
		for (i = 0; i < res.errors.n; i++)
			buf_printf(&b, "%s\n", res.errors.msg[i]);
		if (b.len == 0)
			buf_printf(&b, "the build failed with exit status "
			    "%d\n", rc);
		buf_truncate(&b, b.len - 1);
		fprintf(stderr, "faqgen: %s\n", srv->root ? "rebuild failed; "
		    "still serving the last good build" : "build failed; "
		    "serving an error page until it is fixed");
		announce(srv, buf_detach(&b, NULL));
	}
	build_result_free(&res);
}

/* ------------------------------------------------------------- watching */

#define WATCH_MASK	(IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | \
			 IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | \
			 IN_DELETE_SELF | IN_MOVE_SELF)

/* Watch dir and every folder below it; watching twice is harmless. */
static void
watch_tree(struct server *srv, const char *dir, int depth)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		*sub;

	if (depth > 32 || inotify_add_watch(srv->ifd, dir,
	    WATCH_MASK | IN_ONLYDIR) == -1)
		return;
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		sub = xasprintf("%s/%s", dir, de->d_name);
		if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			watch_tree(srv, sub, depth + 1);
		free(sub);
	}
	closedir(d);
}

static void
watch_all(struct server *srv)
{
	const char	*ini = srv->opt->config ? srv->opt->config : "site.ini";
	const char	*slash = strrchr(ini, '/');
	char		*dir;

	if (srv->content_dir != NULL)
		watch_tree(srv, srv->content_dir, 0);
	if (srv->layouts_dir != NULL)
		watch_tree(srv, srv->layouts_dir, 0);
	/* site.ini through its folder: editors save by renaming. */
	dir = slash ? xstrndup(ini, (size_t)(slash - ini) + 1) :
	    xstrdup(".");
	srv->ini_wd = inotify_add_watch(srv->ifd, dir,
	    IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE |
	    IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR);
	free(dir);
	free(srv->ini_name);
	srv->ini_name = xstrdup(slash ? slash + 1 : ini);
}

/* Editors' swap, backup and temporary files change nothing. */
static int
ignored_name(const char *name)
{
	size_t	 len = strlen(name);

	if (name[0] == '.' || (len > 0 && name[len - 1] == '~'))
		return 1;
	if (len > 4 && (strcmp(name + len - 4, ".swp") == 0 ||
	    strcmp(name + len - 4, ".tmp") == 0))
		return 1;
	return strcmp(name, "4913") == 0;
}

/*
 * Read the pending inotify events; returns 1 when one of them matters.
 * The last that does is named in changed.
 */
static int
read_events(struct server *srv, char *changed, size_t size)
{
	char		 buf[8192]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t		 n;
	char		*p;
	int		 hit = 0;

	while ((n = read(srv->ifd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				hit = 1;
				continue;
			}
			if (ev->mask & IN_IGNORED)
				continue;
			if (ev->len > 0 && ignored_name(ev->name))
				continue;
			if (ev->wd == srv->ini_wd && (ev->len == 0 ||
			    strcmp(ev->name, srv->ini_name) != 0))
				continue;
			/* The last name: sed and editors rename into place. */
			snprintf(changed, size, "%s", ev->len > 0 ?
			    ev->name : "a folder");
			hit = 1;
		}
	}
	return hit;
}

static long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for changes and signals; returns when a signal arrives. */
static void
watch_loop(struct server *srv, int sfd)
{
	struct pollfd		 pfd[2];
	struct signalfd_siginfo	 si;
	char			 changed[256] = "";
	long			 first = 0, last = 0, t;
	int			 dirty = 0, timeout;

	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = srv->ifd;
	pfd[1].events = POLLIN;
	for (;;) {
		timeout = -1;
		if (dirty) {
			t = now_ms();
			timeout = (int)(last + DEBOUNCE_MS - t);
			if (first + DEBOUNCE_MAX_MS - t < timeout)
				timeout = (int)(first + DEBOUNCE_MAX_MS - t);
			if (timeout < 0)
				timeout = 0;
		}
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR)
			return;
		if (pfd[0].revents & POLLIN) {
			if (read(sfd, &si, sizeof(si)) > 0)
				fprintf(stderr, "\nfaqgen: stopping\n");
			return;
		}
		if ((pfd[1].revents & POLLIN) &&
		    read_events(srv, changed, sizeof(changed))) {
			last = now_ms();
			if (!dirty)
				first = last;
			dirty = 1;
		}
		t = now_ms();
		if (dirty && (t - last >= DEBOUNCE_MS ||
		    t - first >= DEBOUNCE_MAX_MS)) {
			fprintf(stderr, "faqgen: %s changed, rebuilding\n",
			    changed);
			dirty = 0;
			changed[0] = '\0';
			/* New folders get watched before the build reads. */
			watch_all(srv);
			rebuild(srv);
			/* site.ini may have named other folders. */
			watch_all(srv);
		}
	}
}

/* --------------------------------------------------------------- serving */

static int
parse_addr(const struct options *opt, struct sockaddr_storage *ss,
    socklen_t *sslen, int *v6)
{
	struct sockaddr_in	*in = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)ss;
	const char		*bind = opt->bind ? opt->bind : "127.0.0.1";
	char			*end;
	long			 port = DEFAULT_PORT;

	if (opt->port != NULL) {
		errno = 0;
		port = strtol(opt->port, &end, 10);
		if (errno || *end != '\0' || opt->port[0] == '\0' ||
		    port < 0 || port > 65535) {
			fprintf(stderr, "faqgen: --port takes a number from "
			    "0 to 65535 (0: any free port)\n");
			return -1;
		}
	}
	if (strcmp(bind, "localhost") == 0)
		bind = "127.0.0.1";
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, bind, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		*sslen = sizeof(*in);
		*v6 = 0;
	} else if (inet_pton(AF_INET6, bind, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*sslen = sizeof(*in6);
		*v6 = 1;
	} else {
		fprintf(stderr, "faqgen: --bind takes an IPv4 or IPv6 "
		    "address, not %s\n", bind);
		return -1;
	}
	return 0;
}

static int
is_loopback(const struct sockaddr_storage *ss, int v6)
{
	if (v6)
		return IN6_IS_ADDR_LOOPBACK(
		    &((const struct sockaddr_in6 *)ss)->sin6_addr);
	return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >>
	    24) == 127;
}

int
serve_run(const struct options *opt)
{
	struct server		 srv;
	struct sockaddr_storage	 ss;
	struct MHD_Daemon	*d;
	const union MHD_DaemonInfo *info;
	socklen_t		 sslen;
	sigset_t		 mask;
	const char		*tmp;
	char			 host[INET6_ADDRSTRLEN];
	unsigned		 port;
	int			 v6, sfd;

	if (parse_addr(opt, &ss, &sslen, &v6) != 0)
		return EXIT_USAGE;
	memset(&srv, 0, sizeof(srv));
	srv.opt = opt;
	srv.ini_wd = -1;
	pthread_rwlock_init(&srv.swap, NULL);
	pthread_mutex_init(&srv.lock, NULL);
	pthread_cond_init(&srv.changed, NULL);

	/* Every thread started from here on leaves the signals to sfd. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((sfd = signalfd(-1, &mask, SFD_CLOEXEC)) == -1 ||
	    (srv.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		fprintf(stderr, "faqgen: cannot watch files: %s\n",
		    strerror(errno));
		if (sfd != -1)
			close(sfd);
		return EXIT_SYSTEM;
	}
	tmp = getenv("TMPDIR");
	srv.tmpdir = xasprintf("%s/faqgen-serve.XXXXXX",
	    tmp && tmp[0] ? tmp : "/tmp");
	if (mkdtemp(srv.tmpdir) == NULL) {
		fprintf(stderr, "faqgen: %s: cannot create: %s\n",
		    srv.tmpdir, strerror(errno));
		free(srv.tmpdir);
		close(sfd);
		close(srv.ifd);
		return EXIT_SYSTEM;
	}
	srv.out = xasprintf("%s/site", srv.tmpdir);

	rebuild(&srv);
	watch_all(&srv);

	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
	    (v6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL, answer, &srv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
	    MHD_OPTION_END);
	inet_ntop(v6 ? AF_INET6 : AF_INET, v6 ?
	    (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr :
	    (void *)&((struct sockaddr_in *)&ss)->sin_addr, host,
	    sizeof(host));
	if (d == NULL) {
		fprintf(stderr, "faqgen: cannot listen on %s port %u: %s\n",
		    host, ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port), strerror(errno));
		remove_tree(srv.tmpdir);
		free(srv.tmpdir);
		free(srv.out);
		free(srv.root);
		free(srv.base);
		free(srv.error);
		free(srv.ini_name);
		free(srv.content_dir);
		free(srv.layouts_dir);
		close(sfd);
		close(srv.ifd);
		return EXIT_SYSTEM;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	port = info ? info->port : 0;
	if (!is_loopback(&ss, v6))
		fprintf(stderr, "faqgen: warning: serving to the network on "
		    "%s, not only to this machine\n", host);
	fprintf(stderr, "faqgen: serving http://%s%s%s:%u/ (Ctrl-C to "
	    "stop)\n", v6 ? "[" : "", host, v6 ? "]" : "", port);

	watch_loop(&srv, sfd);

	/* Let the event streams end, then the server. */
	pthread_mutex_lock(&srv.lock);
	srv.stopping = 1;
	pthread_cond_broadcast(&srv.changed);
	pthread_mutex_unlock(&srv.lock);
	MHD_stop_daemon(d);
	remove_tree(srv.tmpdir);
	free(srv.tmpdir);
	free(srv.out);
	free(srv.root);
	free(srv.base);
	free(srv.error);
	free(srv.ini_name);
	free(srv.content_dir);
	free(srv.layouts_dir);
	close(sfd);
	close(srv.ifd);
	pthread_cond_destroy(&srv.changed);
	pthread_mutex_destroy(&srv.lock);
	pthread_rwlock_destroy(&srv.swap);
	return EXIT_OK;
}
