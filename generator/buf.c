/*
 * buf.c: the growable buffer all output goes through.
 * Ownership: a struct buf owns its data until buf_detach() hands it over.
 */
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faqgen.h"

void
buf_grow(struct buf *b, size_t extra)
{
	size_t	 need, cap;

	if (extra > SIZE_MAX - b->len - 1)
		errx(EXIT_SYSTEM, "buffer overflow");
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap < need) {
		if (cap > SIZE_MAX / 3 * 2) {
			cap = need;
			break;
		}
		cap += cap / 2;
	}
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
	/* Keep the promise of faqgen.h: NUL-terminated once allocated. */
	b->data[b->len] = '\0';
}

void
buf_put_dec(struct buf *b, uint64_t v)
{
	char	 d[20];
	size_t	 n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	buf_grow(b, n);
	while (n > 0)
		b->data[b->len++] = d[--n];
	b->data[b->len] = '\0';
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		errx(EXIT_SYSTEM, "vsnprintf");
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char	*p;

	if (b->data == NULL)
		buf_grow(b, 0);
	p = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_put_u32(struct buf *b, uint32_t v)
{
	buf_put(b, (const char *)&v, sizeof(v));
}

void
buf_put_u64(struct buf *b, uint64_t v)
{
	buf_put(b, (const char *)&v, sizeof(v));
}

uint32_t
get_u32(const void *p)
{
	uint32_t	 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

uint64_t
get_u64(const void *p)
{
	uint64_t	 v;

	memcpy(&v, p, sizeof(v));
	return v;
}
