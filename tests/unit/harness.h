/*
 * harness.h: a tiny unit-test harness.  Each test file includes it, calls
 * CHECK / CHECK_STR in functions run by TEST(), and ends main() with
 * `return harness_done();`, whose last line is "N passed, N failed".
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_passed, harness_failed;

#define CHECK(cond) do { \
	if (cond) harness_passed++; \
	else { harness_failed++; \
	    fprintf(stderr, "%s:%d: check failed: %s\n", \
	    __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0) \
		harness_passed++; \
	else { harness_failed++; \
	    fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", \
	    __FILE__, __LINE__, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } \
} while (0)

#define TEST(fn) do { fn(); } while (0)

/*
 * The whole file at path, NUL-ended (its length in *len when len is not
 * NULL), or NULL when it cannot be read.  The caller frees it.
 */
static __attribute__((unused)) char *
harness_slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*s;
	long	 n;
	size_t	 got;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (s = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	got = fread(s, 1, (size_t)n, f);
	s[got] = '\0';
	fclose(f);
	if (len != NULL)
		*len = got;
	return s;
}

/* Remove a test's temporary folder and all in it; 0 on success. */
static __attribute__((unused)) int
harness_rmtree(const char *dir)
{
	char	 cmd[4096];

	if (strchr(dir, '\'') != NULL ||
	    (size_t)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) >=
	    sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

static int
harness_done(void)
{
	printf("%d passed, %d failed\n", harness_passed, harness_failed);
	return harness_failed ? 1 : 0;
}

#endif
