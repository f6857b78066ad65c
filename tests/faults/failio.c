/*
 * failio.c: an LD_PRELOAD shim that makes file-system calls fail, to test
 * that a build which cannot write leaves the previous output as it was.
 *
 *   FAULT_OPS    comma-separated calls to count: write, open (with
 *                O_CREAT), mkdir, link, rename (rename and renameat2),
 *                unlink; default all
 *   FAULT_AFTER  the first N counted calls succeed, the later ones fail;
 *                unset or negative: none fails (count only)
 *   FAULT_ERRNO  errno of a failure: ENOSPC (default), EIO, EROFS, EDQUOT
 *   FAULT_COUNT  when set, the number of counted calls is written to
 *                stderr at exit as "failio: N calls"
 *
 * Writes to stdout and stderr (fd 1 and 2) are never counted, so the
 * program can still say what went wrong.  Counting is atomic: faqgen
 * writes from several threads.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long	 after = -1;
static long	 calls;
static int	 fail_errno = ENOSPC;
static char	 ops[128] = "write,open,mkdir,link,rename,unlink";

__attribute__((constructor)) static void
init(void)
{
	const char	*s;

	if ((s = getenv("FAULT_AFTER")) != NULL)
		after = strtol(s, NULL, 10);
	if ((s = getenv("FAULT_OPS")) != NULL && *s != '\0')
		snprintf(ops, sizeof(ops), "%s", s);
	if ((s = getenv("FAULT_ERRNO")) != NULL) {
		if (strcmp(s, "EIO") == 0)
			fail_errno = EIO;
		else if (strcmp(s, "EROFS") == 0)
			fail_errno = EROFS;
		else if (strcmp(s, "EDQUOT") == 0)
			fail_errno = EDQUOT;
	}
}

__attribute__((destructor)) static void
report(void)
{
	char	 msg[64];
	int	 n;

	if (getenv("FAULT_COUNT") == NULL)
		return;
	n = snprintf(msg, sizeof(msg), "failio: %ld calls\n",
	    __atomic_load_n(&calls, __ATOMIC_SEQ_CST));
	(void)syscall(SYS_write, 2, msg, (size_t)n);
}

/* Count a call to op; non-zero when it must fail. */
static int
fault(const char *op)
{
	const char	*p;
	size_t		 len = strlen(op);
	long		 n;

	for (p = ops; (p = strstr(p, op)) != NULL; p += len)
		if ((p == ops || p[-1] == ',') &&
		    (p[len] == ',' || p[len] == '\0'))
			break;
	if (p == NULL)
		return 0;
	n = __atomic_fetch_add(&calls, 1, __ATOMIC_SEQ_CST);
	if (after < 0 || n < after)
		return 0;
	errno = fail_errno;
	return 1;
}

#define REAL(name) \
	static __typeof__(name) *real; \
	if (real == NULL) \
		real = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

ssize_t
write(int fd, const void *buf, size_t len)
{
	REAL(write);
	if (fd > 2 && fault("write"))
		return -1;
	return real(fd, buf, len);
}

int
open(const char *path, int flags, ...)
{
	va_list	 ap;
	mode_t	 mode = 0;

	REAL(open);
	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
		if (fault("open"))
			return -1;
	}
	return real(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	va_list	 ap;
	mode_t	 mode = 0;

	REAL(open64);
	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
		if (fault("open"))
			return -1;
	}
	return real(path, flags, mode);
}

int
mkdir(const char *path, mode_t mode)
{
	REAL(mkdir);
	if (fault("mkdir"))
		return -1;
	return real(path, mode);
}

int
link(const char *from, const char *to)
{
	REAL(link);
	if (fault("link"))
		return -1;
	return real(from, to);
}

int
rename(const char *from, const char *to)
{
	REAL(rename);
	if (fault("rename"))
		return -1;
	return real(from, to);
}

int
renameat2(int fromfd, const char *from, int tofd, const char *to,
    unsigned int flags)
{
	REAL(renameat2);
	if (fault("rename"))
		return -1;
	return real(fromfd, from, tofd, to, flags);
}

int
unlink(const char *path)
{
	REAL(unlink);
	if (fault("unlink"))
		return -1;
	return real(path);
}
