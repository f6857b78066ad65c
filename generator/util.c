/*
 * util.c: allocation that cannot fail, UTF-8 checks, path arithmetic,
 * hashes and the program's identity.
 */
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <elf.h>
#include <err.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faqgen.h"

void *
xmalloc(size_t sz)
{
	void	*p;

	if ((p = malloc(sz == 0 ? 1 : sz)) == NULL)
		err(EXIT_SYSTEM, "malloc");
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, sz == 0 ? 1 : sz)) == NULL)
		err(EXIT_SYSTEM, "calloc");
	return p;
}

void *
xrealloc(void *p, size_t sz)
{
	if ((p = realloc(p, sz == 0 ? 1 : sz)) == NULL)
		err(EXIT_SYSTEM, "realloc");
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz)
		errx(EXIT_SYSTEM, "reallocarray: overflow");
	return xrealloc(p, n * sz);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t len)
{
	char	*p;

	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		errx(EXIT_SYSTEM, "vsnprintf");
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int32_t
utf8_decode(const char **sp, const char *end)
{
	const unsigned char *s = (const unsigned char *)*sp;
	uint32_t	 cp, min;
	size_t		 n, i;

	if ((const char *)s >= end)
		return -1;
	if (s[0] < 0x80) {
		*sp += 1;
		return s[0];
	} else if ((s[0] & 0xe0) == 0xc0) {
		n = 2; cp = s[0] & 0x1f; min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3; cp = s[0] & 0x0f; min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4; cp = s[0] & 0x07; min = 0x10000;
	} else
		return -1;
	if ((size_t)(end - (const char *)s) < n)
		return -1;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*sp += n;
	return (int32_t)cp;
}

size_t
utf8_check(const char *s, size_t len)
{
	const char	*p = s, *end = s + len;
	int32_t		 cp;

	while (p < end) {
		if ((unsigned char)*p < 0x80) {
			if (*p == '\0')
				return (size_t)(p - s) + 1;
			p++;
			continue;
		}
		if ((cp = utf8_decode(&p, end)) < 0)
			return (size_t)(p - s) + 1;
	}
	return 0;
}

size_t
utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * One pass over text that is almost always fine.  Non-zero when the text
 * has no invalid UTF-8, NUL, control character (but tab and line ends)
 * or U+FFFE/U+FFFF; text_check() then finds and names the problem.  It
 * may say no to good text (text_check() then finds nothing), never yes to
 * bad.  Eight bytes of printable ASCII at a time, three-byte sequences
 * (CJK) from one load, the rest through utf8_decode().
 */
static int
all_good(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;
	const char	*q;
	uint64_t	 x;
	uint32_t	 w;
	unsigned	 c;

	while (p < end) {
		/*
		 * A run of three-byte sequences led by E1..EC or EE: any
		 * continuation bytes make a good character there.
		 */
		while (end - p >= 4) {
			memcpy(&w, p, 4);	/* little-endian: lead first */
			if ((w & 0xc0c0f0) != 0x8080e0 ||
			    (0xa001 >> (w & 0xf)) & 1)	/* E0, ED, EF */
				break;
			p += 3;
		}
		if (p == end)
			break;
		c = *p;
		if (c >= 0x20 && c < 0x80 && end - p >= 8) {
			memcpy(&x, p, 8);
			/* No byte >= 0x80 and none below 0x20. */
			if (((x | ((x - 0x2020202020202020ULL) & ~x)) &
			    0x8080808080808080ULL) == 0) {
				p += 8;
				continue;
			}
		}
		if (c >= 0x20 && c < 0x80)
			p++;
		else if (c < 0x20) {
			if (c != '\t' && c != '\n' && c != '\r')
				return 0;
			p++;
		} else if (c >= 0xe1 && c <= 0xef && c != 0xed &&
		    end - p >= 3 && (p[1] & 0xc0) == 0x80 &&
		    (p[2] & 0xc0) == 0x80) {
			if (c == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
				return 0;
			p += 3;
		} else {
			q = (const char *)p;
			if (utf8_decode(&q, (const char *)end) < 0)
				return 0;
			p = (const unsigned char *)q;
		}
	}
	return 1;
}

int
text_check(struct diags *d, const char *shown, const char *s, size_t len)
{
	size_t	 bad, i, line = 1, col = 1;
	unsigned char c;

	if (all_good(s, len))
		return 0;
	if ((bad = utf8_check(s, len)) == 0) {
		/*
		 * Control characters (but tab and line ends) and U+FFFE,
		 * U+FFFF are valid UTF-8 and invalid in XML: the feed
		 * would not parse.
		 */
		for (i = 0; i < len && bad == 0; i++) {
			c = (unsigned char)s[i];
			if ((c < 0x20 && c != '\t' && c != '\n' &&
			    c != '\r') || (c == 0xef && i + 2 < len &&
			    (unsigned char)s[i + 1] == 0xbf &&
			    (unsigned char)s[i + 2] >= 0xbe))
				bad = i + 1;
		}
		if (bad == 0)
			return 0;
	}
	for (i = 0; i < bad - 1; i++) {
		if (s[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80)
			col++;
	}
	c = (unsigned char)s[bad - 1];
	if (c != '\0' && c < 0x20)
		diag_add(d, NULL, 0, "%s:%zu:%zu: control "
		    "character U+%04X", shown, line, col, c);
	else
		diag_add(d, NULL, 0, "%s:%zu:%zu: %s", shown,
		    line, col, c == '\0' ? "NUL byte" : c == 0xef ?
		    "noncharacter U+FFFE or U+FFFF" : "invalid UTF-8");
	return -1;
}

size_t
line_of(const char *s, size_t len, size_t off)
{
	size_t	 i, line = 1;

	if (off > len)
		off = len;
	for (i = 0; i < off; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

char *
path_relative(const char *from, const char *to)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*f = from, *t = to, *slash;
	size_t		 common = 0, i;

	/* Skip the folders both paths share. */
	for (i = 0; from[i] != '\0' && from[i] == to[i]; i++)
		if (from[i] == '/')
			common = i + 1;
	f = from + common;
	t = to + common;
	while ((slash = strchr(f, '/')) != NULL) {
		buf_puts(&b, "../");
		f = slash + 1;
	}
	buf_puts(&b, t);
	return buf_detach(&b, NULL);
}

char *
path_resolve(const char *base, const char *rel)
{
	char		**parts = NULL, *copy, *p, *tok, *res;
	size_t		  n = 0, i;
	const char	 *slash;
	struct buf	  b = { NULL, 0, 0 };

	if (rel[0] == '/')
		return NULL;
	if ((slash = strrchr(base, '/')) != NULL)
		buf_put(&b, base, (size_t)(slash - base) + 1);
	buf_puts(&b, rel);
	copy = buf_detach(&b, NULL);
	parts = xreallocarray(NULL, strlen(copy) + 1, sizeof(char *));
	for (p = copy; (tok = strsep(&p, "/")) != NULL; ) {
		if (tok[0] == '\0' || strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (n == 0) {
				free(parts);
				free(copy);
				return NULL;
			}
			n--;
			continue;
		}
		parts[n++] = tok;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&b, '/');
		buf_puts(&b, parts[i]);
	}
	if (b.data == NULL)
		buf_puts(&b, "");
	res = buf_detach(&b, NULL);
	free(parts);
	free(copy);
	return res;
}

/*
 * A fast 64-bit hash of <p, len> (not cryptographic): eight bytes at a
 * time (32 in four lanes for long inputs), multiply and fold.  Used to
 * tell whether a build's inputs or outputs changed.
 */
uint64_t
hash_bytes(const void *p, size_t len, uint64_t h)
{
	const unsigned char *s = p;
	uint64_t	 w;
	size_t		 i;

	h ^= 0x9e3779b97f4a7c15ULL ^ (uint64_t)len;
	i = 0;
	if (len >= 64) {
		/*
		 * Four independent lanes: every output file is hashed, and
		 * one chain of multiplies would leave the CPU waiting.
		 */
		uint64_t a = h, b = h ^ 0x243f6a8885a308d3ULL,
		    c = h ^ 0x13198a2e03707344ULL, d = h ^ 0xa4093822299f31d0ULL;
		uint64_t wa, wb, wc, wd;

		for (; i + 32 <= len; i += 32) {
			memcpy(&wa, s + i, 8);
			memcpy(&wb, s + i + 8, 8);
			memcpy(&wc, s + i + 16, 8);
			memcpy(&wd, s + i + 24, 8);
			a = (a ^ wa) * 0xff51afd7ed558ccdULL;
			b = (b ^ wb) * 0xff51afd7ed558ccdULL;
			c = (c ^ wc) * 0xff51afd7ed558ccdULL;
			d = (d ^ wd) * 0xff51afd7ed558ccdULL;
			a ^= a >> 32;
			b ^= b >> 32;
			c ^= c >> 32;
			d ^= d >> 32;
		}
		h = ((h ^ a) * 0xc4ceb9fe1a85ec53ULL) ^ (h >> 29);
		h = ((h ^ b) * 0xc4ceb9fe1a85ec53ULL) ^ (h >> 29);
		h = ((h ^ c) * 0xc4ceb9fe1a85ec53ULL) ^ (h >> 29);
		h = ((h ^ d) * 0xc4ceb9fe1a85ec53ULL) ^ (h >> 29);
	}
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	for (w = 0; i < len; i++)
		w = (w << 8) | s[i];
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

/*
 * The bytes of the file at path, chained through h; h unchanged when it
 * cannot be read.  *done says whether it was.
 */
static uint64_t
hash_file(const char *path, uint64_t h, int *done)
{
	struct stat	 st;
	void		*m = MAP_FAILED;
	int		 fd;

	*done = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return h;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
		    fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return h;
	h = hash_bytes(m, (size_t)st.st_size, h);
	munmap(m, (size_t)st.st_size);
	*done = 1;
	return h;
}

/* A note's name or descriptor length, padded to its segment's alignment. */
#define NOTE_PAD(len, align) (((size_t)(len) + (align) - 1) & ~((align) - 1))

/*
 * The GNU build-id of a loaded object, from its PT_NOTE segments (mapped
 * with it, so nothing is read from disk): a pointer into the object's
 * memory, its length in *len; NULL when it has none.
 */
static const unsigned char *
build_id(const struct dl_phdr_info *info, size_t *len)
{
	const ElfW(Phdr) *ph;
	ElfW(Nhdr)	 n;
	const unsigned char *base;
	size_t		 align, size, off, name, desc, i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		/* Notes are padded to 4 bytes, or to 8 in a segment so aligned. */
		align = ph->p_align == 8 ? 8 : 4;
		base = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
		size = ph->p_filesz;
		for (off = 0; size - off >= sizeof(n);
		    off = desc + NOTE_PAD(n.n_descsz, align)) {
			memcpy(&n, base + off, sizeof(n));
			name = off + sizeof(n);
			desc = name + NOTE_PAD(n.n_namesz, align);
			if (desc > size || n.n_descsz > size - desc)
				break;
			if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 &&
			    memcmp(base + name, "GNU", 4) == 0 && n.n_descsz > 0) {
				*len = n.n_descsz;
				return base + desc;
			}
			if (NOTE_PAD(n.n_descsz, align) > size - desc)
				break;
		}
	}
	return NULL;
}

uint64_t
program_object_hash(const struct dl_phdr_info *info, uint64_t h)
{
	const unsigned char *id;
	const char	*name = info->dlpi_name;
	size_t		 len;
	int		 done;

	if ((id = build_id(info, &len)) != NULL) {
		h = hash_bytes("build-id", 8, h);
		return hash_bytes(id, len, h);
	}
	h = hash_file(name, hash_bytes("file", 4, h), &done);
	if (done)
		return h;
	h = hash_bytes("name", 4, h);
	return hash_bytes(name, strlen(name) + 1, h);
}

/* Whether address a lies in one of a loaded object's PT_LOAD segments. */
static int
object_holds(const struct dl_phdr_info *info, uintptr_t a)
{
	const ElfW(Phdr) *ph;
	uintptr_t	 from;
	size_t		 i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		ph = &info->dlpi_phdr[i];
		from = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && a >= from && a - from < ph->p_memsz)
			return 1;
	}
	return 0;
}

/*
 * dl_iterate_phdr() callback: chain each shared object's identity into
 * *data, in load order.  Left out: the main program, which has no name
 * (its file is hashed whole), and the vDSO, which comes with the kernel,
 * not with faqgen or its libraries: a kernel update rebuilds nothing.
 */
static int
program_object(struct dl_phdr_info *info, size_t size, void *data)
{
	uint64_t	*h = data;
	uintptr_t	 vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);

	(void)size;
	if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0')
		return 0;
	if (vdso != 0 && object_holds(info, vdso))
		return 0;
	*h = program_object_hash(info, *h);
	return 0;
}

static uint64_t	 program;

/*
 * The executable's bytes, then every shared object loaded at the first
 * call, which a build makes before it loads or renders anything: the
 * libraries faqgen is linked with and any LD_PRELOAD, nothing opened
 * later (libcurl's resolver modules in check --online), so the same
 * binary with the same libraries gives the same hash in every run.
 */
static void
program_once(void)
{
	static const char self[] = FAQGEN_VERSION " " __DATE__ " " __TIME__;
	int		 done;

	program = hash_bytes(self, sizeof(self), 0);
	program = hash_file("/proc/self/exe", program, &done);
	dl_iterate_phdr(program_object, &program);
}

uint64_t
program_hash(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, program_once);
	return program;
}
