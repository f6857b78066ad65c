/*
 * diag.c: error messages, compiler style, collected per page or stage.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "faqgen.h"

void
diag_addv(struct diags *d, const char *file, size_t line, const char *fmt,
    va_list ap)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*msg;
	va_list		 ap2;
	int		 n;

	if (file != NULL && line > 0)
		buf_printf(&b, "%s:%zu: ", file, line);
	else if (file != NULL)
		buf_printf(&b, "%s: ", file);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n > 0) {
		buf_grow(&b, (size_t)n);
		vsnprintf(b.data + b.len, (size_t)n + 1, fmt, ap);
		b.len += (size_t)n;
	}
	msg = buf_detach(&b, NULL);
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 4;
		d->msg = xreallocarray(d->msg, d->cap, sizeof(char *));
	}
	d->msg[d->n++] = msg;
}

void
diag_add(struct diags *d, const char *file, size_t line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	diag_addv(d, file, line, fmt, ap);
	va_end(ap);
}

void
diag_move(struct diags *to, struct diags *from)
{
	size_t	 i;

	for (i = 0; i < from->n; i++) {
		if (to->n == to->cap) {
			to->cap = to->cap ? to->cap * 2 : 4;
			to->msg = xreallocarray(to->msg, to->cap,
			    sizeof(char *));
		}
		to->msg[to->n++] = from->msg[i];
	}
	free(from->msg);
	from->msg = NULL;
	from->n = from->cap = 0;
}

void
diag_print(const struct diags *d)
{
	size_t	 i;

	for (i = 0; i < d->n; i++)
		fprintf(stderr, "%s\n", d->msg[i]);
}

void
diag_free(struct diags *d)
{
	size_t	 i;

	for (i = 0; i < d->n; i++)
		free(d->msg[i]);
	free(d->msg);
	d->msg = NULL;
	d->n = d->cap = 0;
}
