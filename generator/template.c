/*
 * template.c: a small logic-less template engine, a Mustache subset.
 *
 *   {{name}}          the value of name, HTML-escaped
 *   {{{name}}}        the value, raw ({{& name}} too)
 *   {{#name}}...{{/name}}
 *                     a list: the body once per item, with the item as
 *                     the innermost context; a true bool or a non-empty
 *                     string: the body once; otherwise nothing
 *   {{^name}}...{{/name}}
 *                     the body only when {{#name}} would show nothing
 *   {{> partial}}     another template, found through a callback
 *   {{! comment}}     nothing
 *
 * Names resolve from the innermost context outward; "." only looks in the
 * innermost one, so a list of plain strings is a list of objects each
 * holding the key ".".  A section, inverted, closing, partial or comment
 * tag alone on its line (whitespace aside) takes its line with it.
 *
 * template_parse() turns the source into a flat array of nodes once; a
 * section node knows where its body ends, so rendering is a walk over
 * that array with no parsing and no allocation besides the output.  A
 * parsed template is never modified, so any number of threads may render
 * it at once.
 */
#include <stdlib.h>
#include <string.h>

#include "faqgen.h"

#define PARTIAL_DEPTH	16	/* partials nested deeper render nothing */

enum tval_type {
	TVAL_STR,
	TVAL_BOOL,
	TVAL_LIST
};

/*
 * A key or tag name as lookups compare it: hash, length and its first 16
 * bytes (zero-padded) as two words, so names of up to 16 bytes, nearly
 * all, compare exactly without a byte loop.
 */
struct name {
	uint64_t	 w[2];
	uint32_t	 h;		/* keyhash() */
	uint32_t	 len;
};

/*
 * A value.  A list keeps the objects it ever held: they are emptied, not
 * freed, when the list is cleared or the root reset, so a tree built
 * again for the next page reuses its memory.
 */
struct tval {
	const char	*key;		/* borrowed; kept when emptied */
	struct name	 name;		/* of key, kept with it */
	enum tval_type	 type;
	int		 safe;		/* TVAL_STR: already HTML-escaped */
	const char	*str;		/* TVAL_STR: borrowed or == own */
	size_t		 len;		/* TVAL_STR: strlen(str) */
	uint64_t	 vh;		/* TVAL_STR: hash_bytes(str, len, 0) as
					   the caller gave it; 0: not given */
	char		*own;		/* TVAL_STR: owned copy, may be NULL */
	int		 b;		/* TVAL_BOOL */
	struct tobj	**items;	/* owned; [0, nitems) in use */
	size_t		 nitems;
	size_t		 nalloc;	/* objects allocated, all empty past nitems */
	size_t		 capitems;
};

#define TOBJ_SLOTS	128	/* hash index of an object's first keys */

struct tobj {
	struct tval	*v;		/* owned; [0, n) in use, [n, cap) zeroed
					   or kept for their lists */
	size_t		 n;
	size_t		 cap;
	/*
	 * Open addressing on the key hash: 1 + index into v, 0 empty.  Only
	 * while n stays below TOBJ_SLOTS / 2 + 1; then lookups scan v.
	 */
	unsigned char	 slot[TOBJ_SLOTS];
};

enum node_type {
	NODE_TEXT,		/* src[off, off + len) */
	NODE_VAR,		/* {{name}} */
	NODE_RAW,		/* {{{name}}} or {{&name}} */
	NODE_SECTION,		/* {{#name}}: body is (i, end) */
	NODE_INVERTED,		/* {{^name}}: body is (i, end) */
	NODE_PARTIAL		/* {{>name}} */
};

struct node {
	enum node_type	 type;
	size_t		 line;		/* of the tag, for errors */
	size_t		 off;		/* NODE_TEXT */
	size_t		 len;		/* NODE_TEXT */
	char		*name;		/* tags: owned */
	struct name	 nm;		/* of name: variables and sections */
	size_t		 end;		/* sections: index past the body */
};

struct template {
	char		*name;		/* file shown in errors, owned */
	char		*src;		/* copy of the source, owned */
	struct node	*nodes;		/* owned */
	size_t		 nnodes;
	size_t		 cap;
};

/* A context stack lives on the C stack, innermost first. */
struct ctx {
	const struct tobj	*obj;	/* borrowed */
	const struct ctx	*up;	/* borrowed, NULL at the root */
};

/* ------------------------------------------------------------ values */

/*
 * Keys are compared by this hash first, then by length and first words
 * (struct name), so a lookup costs a few integer compares.
 */
static uint32_t
keyhash_len(const char *s, size_t len)
{
	size_t		 n;
	uint64_t	 h = len, w;

	do {
		n = len < 8 ? len : 8;
		w = 0;
		memcpy(&w, s, n);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		s += n;
		len -= n;
	} while (len > 0);
	return (uint32_t)(h ^ (h >> 29));
}

static void
name_of(struct name *nm, const char *s, size_t len)
{

	memset(nm->w, 0, sizeof(nm->w));
	memcpy(nm->w, s, len < sizeof(nm->w) ? len : sizeof(nm->w));
	nm->h = keyhash_len(s, len);
	nm->len = (uint32_t)len;
}

struct tobj *
tobj_new(void)
{

	return xcalloc(1, sizeof(struct tobj));
}

/* Empty v's value; a list's objects are emptied and kept for reuse. */
static inline __attribute__((always_inline)) void
tval_clear(struct tval *v)
{
	size_t	 i;

	for (i = 0; i < v->nitems; i++)
		tobj_reset(v->items[i]);
	v->nitems = 0;
	if (v->own != NULL) {
		free(v->own);
		v->own = NULL;
	}
	v->str = NULL;
	v->vh = 0;
	v->len = 0;
	v->safe = 0;
	v->b = 0;
}

void
tobj_reset(struct tobj *o)
{
	size_t	 i;

	if (o->n == 0)
		return;
	for (i = 0; i < o->n; i++)
		tval_clear(&o->v[i]);
	o->n = 0;
	memset(o->slot, 0, sizeof(o->slot));
}

void
tobj_free(struct tobj *o)
{
	size_t	 i, j;

	if (o == NULL)
		return;
	for (i = 0; i < o->cap; i++) {
		free(o->v[i].own);
		for (j = 0; j < o->v[i].nalloc; j++)
			tobj_free(o->v[i].items[j]);
		free(o->v[i].items);
	}
	free(o->v);
	free(o);
}

static inline int
key_is(const struct tval *v, const char *key, const struct name *nm)
{

	return v->name.h == nm->h && v->name.len == nm->len &&
	    v->name.w[0] == nm->w[0] && v->name.w[1] == nm->w[1] &&
	    (nm->len <= sizeof(nm->w) || v->key == key ||
	    memcmp(v->key + sizeof(nm->w), key + sizeof(nm->w),
	    nm->len - sizeof(nm->w)) == 0);
}

/* Find key (named nm) in o, without walking outward. */
static inline __attribute__((always_inline)) const struct tval *
tobj_find(const struct tobj *o, const char *key, const struct name *nm)
{
	size_t	 i, k;

	if (o->n <= TOBJ_SLOTS / 2) {
		for (k = nm->h % TOBJ_SLOTS; o->slot[k] != 0;
		    k = (k + 1) % TOBJ_SLOTS)
			if (key_is(&o->v[o->slot[k] - 1], key, nm))
				return &o->v[o->slot[k] - 1];
		return NULL;
	}
	for (i = 0; i < o->n; i++)
		if (key_is(&o->v[i], key, nm))
			return &o->v[i];
	return NULL;
}

/* The slot for key: emptied when it exists, else a new one. */
static inline __attribute__((always_inline)) struct tval *
slot(struct tobj *o, const char *key, enum tval_type type)
{
	struct tval	*v;
	struct name	 nm;
	size_t		 old;

	/*
	 * A tree built again for the next page mostly sets the same keys in
	 * the same order: the emptied value in the next place often holds
	 * this very key already, with its hash.
	 */
	if (o->n < o->cap && o->v[o->n].key == key)
		nm = o->v[o->n].name;
	else
		name_of(&nm, key, strlen(key));

	if ((v = (struct tval *)tobj_find(o, key, &nm)) != NULL) {
		tval_clear(v);
		v->type = type;
		return v;
	}
	if (o->n == o->cap) {
		old = o->cap;
		o->cap = o->cap ? o->cap + o->cap / 2 : 8;
		o->v = xreallocarray(o->v, o->cap, sizeof(*o->v));
		memset(o->v + old, 0, (o->cap - old) * sizeof(*o->v));
	}
	/* A slot past n is empty but may keep a list's objects. */
	if (o->n < TOBJ_SLOTS / 2) {
		size_t k;

		for (k = nm.h % TOBJ_SLOTS; o->slot[k] != 0;
		    k = (k + 1) % TOBJ_SLOTS)
			continue;
		o->slot[k] = (unsigned char)(o->n + 1);
	}
	v = &o->v[o->n++];
	v->key = key;
	v->name = nm;
	v->type = type;
	return v;
}

void
tobj_str(struct tobj *o, const char *key, const char *val)
{
	struct tval	*v;

	v = slot(o, key, TVAL_STR);
	v->str = val;
	v->len = val != NULL ? strlen(val) : 0;
}

void
tobj_safe(struct tobj *o, const char *key, const char *val, size_t len)
{
	struct tval	*v;

	v = slot(o, key, TVAL_STR);
	v->str = val;
	v->len = len;
	v->safe = 1;
}

void
tobj_safe_hashed(struct tobj *o, const char *key, const char *val,
    size_t len, uint64_t vh)
{
	struct tval	*v;

	v = slot(o, key, TVAL_STR);
	v->str = val;
	v->len = len;
	v->safe = 1;
	v->vh = vh;
}

void
tobj_own(struct tobj *o, const char *key, char *val)
{
	struct tval	*v;

	v = slot(o, key, TVAL_STR);
	v->str = v->own = val;
	v->len = val != NULL ? strlen(val) : 0;
}

void
tobj_bool(struct tobj *o, const char *key, int val)
{

	slot(o, key, TVAL_BOOL)->b = val != 0;
}

struct tobj *
tobj_push(struct tobj *o, const char *key)
{
	struct tval	*v;
	struct name	 nm;

	/* The list pushed to last is most often the one pushed to now. */
	if (o->n > 0 && o->v[o->n - 1].key == key &&
	    o->v[o->n - 1].type == TVAL_LIST)
		v = &o->v[o->n - 1];
	else {
		name_of(&nm, key, strlen(key));
		v = (struct tval *)tobj_find(o, key, &nm);
		if (v == NULL || v->type != TVAL_LIST)
			v = slot(o, key, TVAL_LIST);
	}
	if (v->nitems < v->nalloc)
		return v->items[v->nitems++];
	if (v->nalloc == v->capitems) {
		v->capitems = v->capitems ? v->capitems + v->capitems / 2 : 4;
		v->items = xreallocarray(v->items, v->capitems,
		    sizeof(*v->items));
	}
	v->items[v->nalloc++] = tobj_new();
	return v->items[v->nitems++];
}

static inline uint64_t
mix(uint64_t h, uint64_t w)
{

	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* <s, len> into h, len being mixed in already: short strings inline. */
static inline uint64_t
mix_str(uint64_t h, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint64_t	 a = 0, b = 0;
	uint32_t	 x, y;

	if (len > 16)
		return hash_bytes(s, len, h);
	/* Two words that overlap cover every byte; len tells them apart. */
	if (len > 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + len - 8, 8);
	} else if (len >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, s + len - 4, 4);
		a = x;
		b = y;
	} else if (len > 0)
		a = u[0] | (uint32_t)u[len / 2] << 8 | (uint32_t)u[len - 1] << 16;
	return mix(mix(h, a), b);
}

/*
 * Each object starts with its count of values and each value says its
 * key, its type and its length, so no two trees share an encoding.
 */
uint64_t
tobj_hash(const struct tobj *o, uint64_t h)
{
	const struct tval	*v;
	size_t			 i, j, len;

	h = mix(h, o->n);
	for (i = 0; i < o->n; i++) {
		v = &o->v[i];
		/* A key is known by its hash and length. */
		h = mix(h, (uint64_t)v->name.h << 32 | v->name.len);
		switch (v->type) {
		case TVAL_STR:
			/* NULL and "" show the same: nothing. */
			len = v->str != NULL ? v->len : 0;
			h = mix(h, (uint64_t)len << 8 | (v->vh != 0) << 3 |
			    TVAL_STR << 1 | (v->safe != 0));
			/* A value shown on many pages comes hashed. */
			h = v->vh != 0 ? mix(h, v->vh) : mix_str(h, v->str, len);
			break;
		case TVAL_BOOL:
			h = mix(h, TVAL_BOOL << 1 | (v->b != 0));
			break;
		case TVAL_LIST:
			h = mix(h, (uint64_t)v->nitems << 8 | TVAL_LIST << 1);
			for (j = 0; j < v->nitems; j++)
				h = tobj_hash(v->items[j], h);
			break;
		}
	}
	return h;
}

/* ----------------------------------------------------------- parsing */

static struct node *
node_add(struct template *t, enum node_type type, size_t line)
{
	struct node	*n;

	if (t->nnodes == t->cap) {
		t->cap = t->cap ? t->cap + t->cap / 2 : 32;
		t->nodes = xreallocarray(t->nodes, t->cap, sizeof(*t->nodes));
	}
	n = &t->nodes[t->nnodes++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->line = line;
	return n;
}

static void
text_add(struct template *t, size_t off, size_t len)
{
	struct node	*n;

	if (len == 0)
		return;
	/* Merge with the text before when a comment sat in between. */
	if (t->nnodes > 0) {
		n = &t->nodes[t->nnodes - 1];
		if (n->type == NODE_TEXT && n->off + n->len == off) {
			n->len += len;
			return;
		}
	}
	n = node_add(t, NODE_TEXT, 0);
	n->off = off;
	n->len = len;
}

static int
is_blank(char c)
{

	return c == ' ' || c == '\t';
}

/*
 * Names have no blanks or braces; one that does is most likely a tag
 * missing its closing braces, running into the next tag.
 */
static int
valid_name(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (strchr(" \t\r\n{}", s[i]) != NULL)
			return 0;
	return 1;
}

/* Count the newlines in s[from, to). */
static size_t
newlines(const char *s, size_t from, size_t to)
{
	size_t	 n = 0;

	for (; from < to; from++)
		if (s[from] == '\n')
			n++;
	return n;
}

struct template *
template_parse(const char *name, const char *s, size_t len,
    struct diags *d)
{
	struct template	*t;
	struct node	*n;
	size_t		*open = NULL;	/* node indices of open sections */
	size_t		 nopen = 0, capopen = 0;
	size_t		 pos = 0, text = 0, line = 1, lpos = 0;
	size_t		 tag, inner, innerend, end, ls, after, i;
	size_t		 last_tag_end = 0, nerr = d->n;
	int		 triple, standalone;
	char		 sigil;
	const char	*p, *q;

	t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	t->src = xmalloc(len + 1);
	memcpy(t->src, s, len);
	t->src[len] = '\0';
	s = t->src;

	while (pos < len) {
		p = memmem(s + pos, len - pos, "{{", 2);
		if (p == NULL)
			break;
		tag = p - s;
		line += newlines(s, lpos, tag);
		lpos = tag;

		triple = tag + 2 < len && s[tag + 2] == '{';
		inner = tag + (triple ? 3 : 2);
		q = memmem(s + inner, len - inner,
		    triple ? "}}}" : "}}", triple ? 3 : 2);
		if (q == NULL) {
			diag_add(d, name, line, "unclosed tag");
			break;
		}
		innerend = q - s;
		end = innerend + (triple ? 3 : 2);

		/* The sigil, then the name with blanks trimmed. */
		while (inner < innerend && (is_blank(s[inner]) ||
		    s[inner] == '\n' || s[inner] == '\r'))
			inner++;
		sigil = 0;
		if (!triple && inner < innerend &&
		    strchr("#^/>!&", s[inner]) != NULL)
			sigil = s[inner++];
		if (sigil != '!') {
			while (inner < innerend && (is_blank(s[inner]) ||
			    s[inner] == '\n' || s[inner] == '\r'))
				inner++;
			while (innerend > inner && (is_blank(s[innerend - 1]) ||
			    s[innerend - 1] == '\n' || s[innerend - 1] == '\r'))
				innerend--;
		}

		/*
		 * Standalone: a tag other than a variable alone on its
		 * line.  Then the blanks before it and the rest of the line
		 * after it, newline included, are dropped.
		 */
		for (ls = tag; ls > 0 && s[ls - 1] != '\n'; ls--)
			continue;
		standalone = sigil != 0 && sigil != '&' &&
		    last_tag_end <= ls;
		for (i = ls; standalone && i < tag; i++)
			if (!is_blank(s[i]))
				standalone = 0;
		after = end;
		while (after < len && is_blank(s[after]))
			after++;
		if (after < len && s[after] == '\r' &&
		    after + 1 < len && s[after + 1] == '\n')
			after++;
		if (after < len && s[after] != '\n')
			standalone = 0;
		else if (after < len)
			after++;

		text_add(t, text, (standalone ? ls : tag) - text);
		pos = text = standalone ? after : end;
		last_tag_end = end;

		if (sigil == '!')
			continue;
		if (inner == innerend) {
			diag_add(d, name, line, "empty tag");
			continue;
		}
		if (!valid_name(s + inner, innerend - inner)) {
			/* "{{a} ... {{b}}" is an unclosed tag. */
			if (memmem(s + inner, innerend - inner, "{{", 2)) {
				diag_add(d, name, line, "unclosed tag");
				continue;
			}
			for (i = inner; i < innerend && i - inner < 40 &&
			    s[i] != '\n'; i++)
				continue;
			diag_add(d, name, line, "bad tag name \"%.*s\"",
			    (int)(i - inner), s + inner);
			continue;
		}
		switch (sigil) {
		case '#':
		case '^':
			n = node_add(t, sigil == '#' ? NODE_SECTION :
			    NODE_INVERTED, line);
			n->name = xstrndup(s + inner, innerend - inner);
			name_of(&n->nm, n->name, strlen(n->name));
			if (nopen == capopen) {
				capopen = capopen ? capopen * 2 : 8;
				open = xreallocarray(open, capopen,
				    sizeof(*open));
			}
			open[nopen++] = t->nnodes - 1;
			break;
		case '/':
			if (nopen == 0) {
				diag_add(d, name, line, "unexpected {{/%.*s}}",
				    (int)(innerend - inner), s + inner);
				break;
			}
			/* A mismatch still closes the innermost section. */
			n = &t->nodes[open[--nopen]];
			if (strlen(n->name) != innerend - inner ||
			    memcmp(n->name, s + inner, innerend - inner) != 0)
				diag_add(d, name, line,
				    "mismatched {{/%.*s}}, expected {{/%s}}",
				    (int)(innerend - inner), s + inner,
				    n->name);
			n->end = t->nnodes;
			break;
		case '>':
			n = node_add(t, NODE_PARTIAL, line);
			n->name = xstrndup(s + inner, innerend - inner);
			break;
		default:
			n = node_add(t, triple || sigil == '&' ? NODE_RAW :
			    NODE_VAR, line);
			n->name = xstrndup(s + inner, innerend - inner);
			name_of(&n->nm, n->name, strlen(n->name));
			break;
		}
	}
	if (d->n == nerr)
		text_add(t, text, len - text);
	for (i = 0; i < nopen; i++) {
		n = &t->nodes[open[i]];
		diag_add(d, name, n->line, "unclosed section \"%s\"", n->name);
	}
	free(open);
	if (d->n != nerr) {
		template_free(t);
		return NULL;
	}
	return t;
}

/* A template met by the search of template_check_partials(). */
struct reach {
	const struct template	*t;
	const char		*name;	/* the partial tag that led here */
	size_t			 line;	/* its line */
	size_t			 from;	/* index of the one it is in */
};

int
template_check_partials(const struct template *t, template_partial_fn fn,
    void *arg, struct diags *d)
{
	struct reach	*q = NULL;
	const struct template *p;
	struct buf	 b = { NULL, 0, 0 };
	const char	*chain[PARTIAL_DEPTH];
	size_t		 i, k, n = 0, cap = 0, head, nc, line;
	int		 rc = 0, first;

	for (i = 0; i < t->nnodes; i++) {
		if (t->nodes[i].type != NODE_PARTIAL)
			continue;
		if (fn(arg, t->nodes[i].name) == NULL) {
			diag_add(d, t->name, t->nodes[i].line,
			    "unknown partial \"%s\"", t->nodes[i].name);
			rc = -1;
		}
	}
	/*
	 * A partial that includes itself, directly or through others,
	 * would render PARTIAL_DEPTH copies.  Breadth first from t, each
	 * template met once (linear, however the partials fan out): t met
	 * again closes the shortest cycle through it.  Reported once, by
	 * the template of the cycle whose file name sorts first.
	 */
	q = xreallocarray(NULL, cap = 8, sizeof(*q));
	q[n].t = t;
	q[n].name = NULL;
	q[n].line = 0;
	q[n++].from = 0;
	for (head = 0; head < n; head++)
		for (i = 0; i < q[head].t->nnodes; i++) {
			if (q[head].t->nodes[i].type != NODE_PARTIAL ||
			    (p = fn(arg, q[head].t->nodes[i].name)) == NULL)
				continue;
			if (p == t) {
				/* The chain back to t's own tag. */
				nc = 0;
				chain[nc++] = q[head].t->nodes[i].name;
				line = q[head].t->nodes[i].line;
				first = 1;
				for (k = head; k != 0; k = q[k].from) {
					if (strcmp(q[k].t->name, t->name) < 0)
						first = 0;
					if (nc < PARTIAL_DEPTH)
						chain[nc++] = q[k].name;
					line = q[k].line;
				}
				if (first) {
					while (nc-- > 0)
						buf_printf(&b, "{{>%s}}%s",
						    chain[nc], nc ? " then " :
						    "");
					diag_add(d, t->name, line, "partials "
					    "include themselves: %s leads "
					    "back here", b.data);
					buf_free(&b);
				}
				free(q);
				return -1;
			}
			for (k = 0; k < n && q[k].t != p; k++)
				continue;
			if (k < n)
				continue;
			if (n == cap)
				q = xreallocarray(q, cap *= 2, sizeof(*q));
			q[n].t = p;
			q[n].name = q[head].t->nodes[i].name;
			q[n].line = q[head].t->nodes[i].line;
			q[n++].from = head;
		}
	free(q);
	return rc;
}

void
template_free(struct template *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nnodes; i++)
		free(t->nodes[i].name);
	free(t->nodes);
	free(t->src);
	free(t->name);
	free(t);
}

/* --------------------------------------------------------- rendering */

static const struct tval *
lookup(const struct ctx *c, const struct node *n)
{
	const struct tval	*v;

	if (n->name[0] == '.' && n->name[1] == '\0')
		return c != NULL ? tobj_find(c->obj, n->name, &n->nm) : NULL;
	for (; c != NULL; c = c->up)
		if ((v = tobj_find(c->obj, n->name, &n->nm)) != NULL)
			return v;
	return NULL;
}

/* Does {{#key}} show its body? */
static int
truthy(const struct tval *v)
{

	if (v == NULL)
		return 0;
	switch (v->type) {
	case TVAL_STR:
		return v->str != NULL && v->len > 0;
	case TVAL_BOOL:
		return v->b;
	case TVAL_LIST:
		return v->nitems > 0;
	}
	return 0;
}

/* buf_put() without the call while the bytes fit. */
static inline void
put(struct buf *b, const char *s, size_t len)
{

	if (b->cap > b->len + len) {
		memcpy(b->data + b->len, s, len);
		b->len += len;
		b->data[b->len] = '\0';
	} else
		buf_put(b, s, len);
}

struct render {
	template_partial_fn	 fn;
	void			*arg;
	struct buf		*out;
};

static void
render(const struct render *r, const struct template *t, size_t from,
    size_t to, const struct ctx *c, int depth)
{
	const struct node	*n;
	const struct tval	*v;
	const struct template	*pt;
	struct ctx		 item;
	size_t			 i, j;

	for (i = from; i < to; i++) {
		n = &t->nodes[i];
		switch (n->type) {
		case NODE_TEXT:
			put(r->out, t->src + n->off, n->len);
			break;
		case NODE_VAR:
		case NODE_RAW:
			v = lookup(c, n);
			if (v == NULL || v->type != TVAL_STR || v->str == NULL)
				break;
			if (n->type == NODE_VAR && !v->safe)
				esc_html(r->out, v->str, v->len);
			else
				put(r->out, v->str, v->len);
			break;
		case NODE_SECTION:
			v = lookup(c, n);
			if (v != NULL && v->type == TVAL_LIST) {
				item.up = c;
				for (j = 0; j < v->nitems; j++) {
					item.obj = v->items[j];
					render(r, t, i + 1, n->end, &item,
					    depth);
				}
			} else if (truthy(v))
				render(r, t, i + 1, n->end, c, depth);
			i = n->end - 1;
			break;
		case NODE_INVERTED:
			if (!truthy(lookup(c, n)))
				render(r, t, i + 1, n->end, c, depth);
			i = n->end - 1;
			break;
		case NODE_PARTIAL:
			if (depth >= PARTIAL_DEPTH || r->fn == NULL)
				break;
			if ((pt = r->fn(r->arg, n->name)) != NULL)
				render(r, pt, 0, pt->nnodes, c, depth + 1);
			break;
		}
	}
}

void
template_render(const struct template *t, const struct tobj *o,
    template_partial_fn fn, void *arg, struct buf *out)
{
	struct render	 r;
	struct ctx	 root;

	r.fn = fn;
	r.arg = arg;
	r.out = out;
	root.obj = o;
	root.up = NULL;
	render(&r, t, 0, t->nnodes, o != NULL ? &root : NULL, 0);
}
