/*
 * query-bytes: how many bytes of the search index a browser loads for a
 * query, for the benchmark (bench/run.sh).
 *
 *	query-bytes SEARCHDIR < queries
 *
 * Reads one query a line (text before a TAB, so dev-queries.tsv works),
 * cuts it with the generator's own tokenizer (generator/tokenize.c, linked
 * in with util.c and buf.c) and adds up the index files the query needs, as index.c lays them
 * out: search/manifest.js, then the shard s/(K / 64)/K.js of every token
 * (K = tokenize_hash(token) % shards), each shard once.  Every token kind
 * counts (characters, bigrams, trigrams), so this is an upper bound if the
 * search page skips some.  The result entries (d/F/N.js) depend on the
 * ranking; their median size is printed so the reader can add them
 * (d/(N / 64)/N.js).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faqgen.h"

#define FOLDER	64	/* index files a folder (generator/index.h) */

struct query {
	const char	*dir;
	size_t		 nshards;
	unsigned char	*seen;		/* one flag per shard */
	size_t		 bytes;
	size_t		 shards;
};

static size_t
file_size(const char *dir, const char *name)
{
	struct stat	 st;
	char		 path[4096];
	int		 n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

static void
token(void *arg, const char *tok, size_t len, enum token_kind kind)
{
	struct query	*q = arg;
	char		 name[64];
	size_t		 k;

	(void)kind;
	k = tokenize_hash(tok, len) % q->nshards;
	if (q->seen[k])
		return;
	q->seen[k] = 1;
	q->shards++;
	snprintf(name, sizeof(name), "s/%zu/%zu.js", k / FOLDER, k);
	q->bytes += file_size(q->dir, name);
}

static int
cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Median size of the result entries d/F/N.js. */
static size_t
doc_median(const char *dir)
{
	char		 path[4096];
	DIR		*d;
	struct dirent	*e;
	size_t		*v = NULL, n = 0, cap = 0, m, f;
	size_t		 len;

	for (f = 0;; f++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/d/%zu", dir, f) >=
		    sizeof(path) || (d = opendir(path)) == NULL)
			break;
		while ((e = readdir(d)) != NULL) {
			len = strlen(e->d_name);
			if (len < 4 || strcmp(e->d_name + len - 3, ".js") != 0)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				v = xreallocarray(v, cap, sizeof(*v));
			}
			v[n++] = file_size(path, e->d_name);
		}
		closedir(d);
	}
	if (n == 0) {
		free(v);
		return 0;
	}
	qsort(v, n, sizeof(*v), cmp);
	m = v[n / 2];
	free(v);
	return m;
}

int
main(int argc, char *argv[])
{
	struct query	 q;
	FILE		*f;
	char		 path[4096], buf[65536], *line = NULL, *p;
	size_t		 cap = 0, manifest, n, *bytes = NULL, *shards = NULL;
	size_t		 nq = 0, capq = 0;
	ssize_t		 len;

	if (argc != 2) {
		fprintf(stderr, "usage: query-bytes SEARCHDIR < queries\n");
		return 2;
	}
	memset(&q, 0, sizeof(q));
	q.dir = argv[1];
	if ((size_t)snprintf(path, sizeof(path), "%s/manifest.js", q.dir) >=
	    sizeof(path) || (f = fopen(path, "r")) == NULL) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	manifest = file_size(q.dir, "manifest.js");
	if ((p = strstr(buf, "\"shards\":")) == NULL ||
	    (q.nshards = strtoul(p + 9, NULL, 10)) == 0) {
		fprintf(stderr, "%s: no shard count\n", path);
		return 1;
	}
	q.seen = xcalloc(q.nshards, 1);

	while ((len = getline(&line, &cap, stdin)) != -1) {
		if ((p = strchr(line, '\t')) != NULL)
			*p = '\0';
		else if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		memset(q.seen, 0, q.nshards);
		q.bytes = manifest;
		q.shards = 0;
		tokenize_text(line, strlen(line), token, &q);
		if (nq == capq) {
			capq = capq ? capq * 2 : 64;
			bytes = xreallocarray(bytes, capq, sizeof(*bytes));
			shards = xreallocarray(shards, capq, sizeof(*shards));
		}
		bytes[nq] = q.bytes;
		shards[nq] = q.shards;
		nq++;
	}
	free(line);
	if (nq == 0) {
		fprintf(stderr, "query-bytes: no queries\n");
		return 1;
	}
	qsort(bytes, nq, sizeof(*bytes), cmp);
	qsort(shards, nq, sizeof(*shards), cmp);
	printf("search query: %zu queries, %zu shards in the index; a query "
	    "loads the manifest (%zu B) and %zu shards (median; max %zu): "
	    "%zu B median, %zu B max; plus %zu B per result shown "
	    "(median d/F/N.js)\n", nq, q.nshards, manifest, shards[nq / 2],
	    shards[nq - 1], bytes[nq / 2], bytes[nq - 1], doc_median(q.dir));
	free(bytes);
	free(shards);
	free(q.seen);
	return 0;
}
