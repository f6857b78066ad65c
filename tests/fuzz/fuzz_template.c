/*
 * fuzz_template.c: libFuzzer harness for template_parse() and
 * template_render().  The input up to the first NUL byte is a template;
 * the rest, when there is one, is the partial "p".  A parsed template is
 * rendered against values like emit.c's: strings (hostile ones too),
 * booleans, lists of objects and lists of strings as ".".
 *
 * A partial that includes partials itself is not handed out: layouts are
 * the site owner's own files, and {{>p}}{{>p}} nested 16 deep is an
 * exponential output by design, not a bug to find.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "faqgen.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct partials {
	const struct template	*p;
};

static const struct template *
find(void *arg, const char *name)
{
	const struct partials *ps = arg;

	return strcmp(name, "p") == 0 ? ps->p : NULL;
}

static const struct template *
any(void *arg, const char *name)
{
	(void)arg;
	(void)name;
	return NULL;
}

static struct tobj *
values(void)
{
	struct tobj	*o = tobj_new(), *it;
	int		 i;

	tobj_str(o, "title", "<script>alert(\"x\")</script> & 'q'");
	tobj_str(o, "body", "<p>raw</p>");
	tobj_str(o, "empty", "");
	tobj_own(o, "owned", xstrdup("owned\xe2\x80\xa8line"));
	tobj_bool(o, "yes", 1);
	tobj_bool(o, "no", 0);
	for (i = 0; i < 3; i++) {
		it = tobj_push(o, "questions");
		tobj_str(it, "title", i == 1 ? "second" : "\"quoted\"");
		tobj_str(it, "url", "a/x.html");
		tobj_bool(it, "current", i == 0);
		it = tobj_push(it, "tags");
		tobj_str(it, ".", "tag");
	}
	for (i = 0; i < 2; i++)
		tobj_str(tobj_push(o, "tags"), ".", "t<a>g");
	(void)tobj_push(o, "nothing");	/* a list with an empty object */
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags	 d = { NULL, 0, 0 };
	struct template	*t, *p = NULL;
	struct partials	 ps;
	struct tobj	*o;
	struct buf	 out = { NULL, 0, 0 };
	const char	*s = (const char *)data, *nul;
	size_t		 len = size;

	if ((nul = memchr(s, '\0', size)) != NULL) {
		len = (size_t)(nul - s);
		p = template_parse("layouts/partials/p.html", nul + 1,
		    size - len - 1, &d);
		if (p != NULL && template_check_partials(p, any, NULL,
		    &d) != 0) {
			/* See above: only leaf partials. */
			template_free(p);
			p = NULL;
		}
		diag_free(&d);
	}
	t = template_parse("layouts/base.html", s, len, &d);
	if (t != NULL) {
		ps.p = p;
		(void)template_check_partials(t, find, &ps, &d);
		o = values();
		template_render(t, o, find, &ps, &out);
		template_render(t, NULL, find, &ps, &out);
		tobj_free(o);
		template_free(t);
	} else if (d.n == 0)
		__builtin_trap();	/* a failure always says why */
	template_free(p);
	buf_free(&out);
	diag_free(&d);
	return 0;
}
