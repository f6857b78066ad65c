/*
 * fuzz_frontmatter.c: libFuzzer harness for frontmatter_parse().  The
 * input is the YAML between the two lines of ---, as load.c hands it
 * over: valid UTF-8 without NUL bytes (load.c refuses anything else).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "faqgen.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frontmatter	 fm;
	struct diags		 d = { NULL, 0, 0 };
	const char		*s = (const char *)data;
	size_t			 i;

	if (utf8_check(s, size) != 0)
		return 0;
	memset(&fm, 0, sizeof(fm));
	if (frontmatter_parse(&fm, s, size, "content/a/x.md", 2, &d) == 0) {
		/* What load.c and emit.c rely on after a success. */
		if (d.n != 0)
			__builtin_trap();
		if (fm.lastmod != NULL && strlen(fm.lastmod) != 10)
			__builtin_trap();
		for (i = 0; i < fm.tags.n; i++)
			(void)strlen(fm.tags.v[i]);
	} else if (d.n == 0)
		__builtin_trap();	/* a failure always says why */
	frontmatter_free(&fm);
	diag_free(&d);
	return 0;
}
