/*
 * frontmatter.c: the YAML front matter of a content file, through
 * libyaml's event API (its document API when the YAML has anchors or
 * aliases).  The only file that includes <yaml.h>.
 *
 * Known keys are checked for their type and reported with their file
 * line; unknown keys are ignored, so a Hugo content tree loads as-is.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "faqgen.h"

/*
 * What the checks need of a YAML node.  The same from libyaml's events
 * (the common case: no tree is built) and from its document tree (when
 * the YAML has anchors or aliases, which only the tree resolves).
 */
struct fmnode {
	yaml_node_type_t type;
	yaml_scalar_style_t style;	/* of a scalar */
	size_t		 line;		/* start_mark.line, 0-based */
	const char	*s;		/* a scalar's value, borrowed */
	size_t		 len;
	size_t		 first, n;	/* a sequence's items in fmdoc.item */
};

struct fmpair {
	struct fmnode	 k, v;
};

/* What happened after the first document. */
enum fmnext {
	FMNEXT_NONE,			/* the end of the stream */
	FMNEXT_DOC,			/* a second document, at next_line */
	FMNEXT_ERROR			/* an error, kept by the parser */
};

/* The front matter as the checks see it. */
struct fmdoc {
	int		 empty;		/* no document at all */
	struct fmnode	 root;
	struct fmpair	*pair;		/* the root mapping's, owned */
	size_t		 npair, cappair;
	struct fmnode	*item;		/* items of sequences, owned */
	size_t		 nitem, capitem;
	yaml_event_t	*ev;		/* scalar events the nodes point into */
	size_t		 nev, capev;
	enum fmnext	 next;
	size_t		 next_line;	/* the second document's root */
};

/* What one parse needs to report errors. */
struct fmctx {
	const struct fmdoc *doc;	/* borrowed */
	const char	*file;		/* borrowed */
	size_t		 line0;		/* file line of the first YAML line */
	struct diags	*d;		/* borrowed */
	int		 bad;		/* errors reported so far */
};

void
strlist_add(struct strlist *l, const char *s, size_t len)
{
	/*
	 * The capacity is implicit, the next power of two, so a list of
	 * 500,000 links (render.c) grows in linear time, not quadratic.
	 */
	if ((l->n & (l->n - 1)) == 0)
		l->v = xreallocarray(l->v, l->n ? l->n * 2 : 1, sizeof(*l->v));
	l->v[l->n++] = xstrndup(s, len);
}

void
strlist_free(struct strlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
frontmatter_free(struct frontmatter *fm)
{

	free(fm->title);
	free(fm->description);
	free(fm->lastmod);
	strlist_free(&fm->tags);
	strlist_free(&fm->keywords);
	strlist_free(&fm->aliases);
	memset(fm, 0, sizeof(*fm));
}

static size_t
node_line(const struct fmctx *c, const struct fmnode *n)
{

	return c->line0 + n->line;
}

static void
fmerr(struct fmctx *c, const struct fmnode *n, const char *fmt,
    const char *arg)
{

	diag_add(c->d, c->file, node_line(c, n), fmt, arg);
	c->bad++;
}

static const char *
scalar(const struct fmnode *n, size_t *len)
{

	*len = n->len;
	return n->s;
}

/* A plain scalar YAML reads as null: empty, "~" or "null". */
static int
is_null(const struct fmnode *n)
{
	size_t		 len;
	const char	*s;

	if (n->type != YAML_SCALAR_NODE ||
	    n->style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	s = scalar(n, &len);
	return len == 0 || (len == 1 && s[0] == '~') ||
	    (len == 4 && (memcmp(s, "null", 4) == 0 ||
	    memcmp(s, "Null", 4) == 0 || memcmp(s, "NULL", 4) == 0));
}

static int
is_blank_text(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * YAML escapes ("\0", "\a", "\e", "\uFFFF") put in a string what no
 * file may hold: a NUL would cut it short, the rest make the feed and the
 * sitemap invalid XML.  Refuse them.
 */
static int
clean_text(struct fmctx *c, const char *key, const struct fmnode *n)
{
	const unsigned char *s;
	size_t		 len, i;

	s = (const unsigned char *)scalar(n, &len);
	for (i = 0; i < len; i++)
		if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n') ||
		    s[i] == 0x7f || (s[i] == 0xef && i + 2 < len &&
		    s[i + 1] == 0xbf && s[i + 2] >= 0xbe)) {
			fmerr(c, n, "%s has a control character", key);
			return 0;
		}
	return 1;
}

/* A string key: any scalar; null leaves *out NULL. */
static void
get_string(struct fmctx *c, const char *key, const struct fmnode *n,
    char **out)
{
	const char	*s;
	size_t		 len;

	if (n->type != YAML_SCALAR_NODE) {
		fmerr(c, n, "%s must be a string", key);
		return;
	}
	if (is_null(n) || !clean_text(c, key, n))
		return;
	s = scalar(n, &len);
	*out = xstrndup(s, len);
}

/* An integer: a plain decimal scalar that fits an int. */
static void
get_int(struct fmctx *c, const char *key, const struct fmnode *n, int *out)
{
	const char	*s;
	char		*end, buf[32];
	size_t		 len;
	long		 v;

	if (n->type != YAML_SCALAR_NODE ||
	    n->style != YAML_PLAIN_SCALAR_STYLE) {
		fmerr(c, n, "%s must be an integer", key);
		return;
	}
	s = scalar(n, &len);
	if (len == 0 || len >= sizeof(buf)) {
		fmerr(c, n, "%s must be an integer", key);
		return;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!isdigit((unsigned char)buf[buf[0] == '-' || buf[0] == '+'])) {
		fmerr(c, n, "%s must be an integer", key);
		return;
	}
	errno = 0;
	v = strtol(buf, &end, 10);
	if (*end != '\0') {
		fmerr(c, n, "%s must be an integer", key);
		return;
	}
	if (errno == ERANGE || v < INT_MIN || v > INT_MAX) {
		fmerr(c, n, "%s is out of range", key);
		return;
	}
	*out = (int)v;
}

static void
get_bool(struct fmctx *c, const char *key, const struct fmnode *n, int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };
	const char	*s;
	size_t		 len, i;

	if (n->type == YAML_SCALAR_NODE &&
	    n->style == YAML_PLAIN_SCALAR_STYLE) {
		s = scalar(n, &len);
		for (i = 0; i < 3; i++) {
			if (len == strlen(yes[i]) && memcmp(s, yes[i], len) == 0) {
				*out = 1;
				return;
			}
			if (len == strlen(no[i]) && memcmp(s, no[i], len) == 0) {
				*out = 0;
				return;
			}
		}
	}
	fmerr(c, n, "%s must be true or false", key);
}

/* n decimal digits at s, or -1. */
static int
digits(const char *s, size_t n)
{
	int	 v = 0;

	for (; n > 0; n--, s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/*
 * Is <s, len> a date "YYYY-MM-DD" that exists, optionally followed by a
 * time "THH:MM[:SS[.frac]]" and a zone "Z" or "+HH:MM"?  YAML allows a
 * space for the 'T' and before the zone.
 */
static int
valid_date(const char *s, size_t len)
{
	static const int mdays[] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int	 y, m, dd, leap, h, mi, sec;
	size_t	 i;

	if (len < 10 || s[4] != '-' || s[7] != '-')
		return 0;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	dd = digits(s + 8, 2);
	if (y < 1 || m < 1 || m > 12 || dd < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (dd > mdays[m - 1] + (m == 2 && leap))
		return 0;
	if (len == 10)
		return 1;

	/* The time of a full timestamp. */
	if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || len < 16 ||
	    s[13] != ':')
		return 0;
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	if (h < 0 || h > 23 || mi < 0 || mi > 59)
		return 0;
	i = 16;
	if (i < len && s[i] == ':') {
		if (i + 3 > len || (sec = digits(s + i + 1, 2)) < 0 || sec > 60)
			return 0;
		i += 3;
		if (i < len && s[i] == '.') {
			for (i++; i < len && isdigit((unsigned char)s[i]); i++)
				continue;
			if (!isdigit((unsigned char)s[i - 1]))
				return 0;
		}
	}
	while (i < len && s[i] == ' ')
		i++;
	if (i == len)
		return 1;
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len)
		return 1;
	if (s[i] != '+' && s[i] != '-')
		return 0;
	i++;
	/* +HH, +HHMM or +HH:MM */
	if (i + 2 > len || (h = digits(s + i, 2)) < 0 || h > 23)
		return 0;
	i += 2;
	if (i == len)
		return 1;
	if (s[i] == ':')
		i++;
	return i + 2 == len && (mi = digits(s + i, 2)) >= 0 && mi <= 59;
}

static void
get_date(struct fmctx *c, const char *key, const struct fmnode *n, char **out)
{
	const char	*s;
	size_t		 len;

	if (n->type != YAML_SCALAR_NODE) {
		fmerr(c, n, "%s must be a date", key);
		return;
	}
	if (is_null(n))
		return;
	s = scalar(n, &len);
	if (!valid_date(s, len)) {
		diag_add(c->d, c->file, node_line(c, n),
		    "bad date \"%.*s\", expected YYYY-MM-DD",
		    (int)(len > 64 ? 64 : len), s);
		c->bad++;
		return;
	}
	*out = xstrndup(s, 10);
}

/* A list of strings; a single string is a list of one; null is empty. */
static void
get_list(struct fmctx *c, const char *key, const struct fmnode *n,
    struct strlist *out)
{
	const struct fmnode	*item;
	const char		*s;
	size_t			 len, i;

	if (n->type == YAML_SCALAR_NODE) {
		if (!is_null(n) && clean_text(c, key, n)) {
			s = scalar(n, &len);
			strlist_add(out, s, len);
		}
		return;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		fmerr(c, n, "%s must be a list of strings", key);
		return;
	}
	for (i = 0; i < n->n; i++) {
		item = &c->doc->item[n->first + i];
		if (item->type != YAML_SCALAR_NODE) {
			fmerr(c, item, "%s must be a list of strings", key);
			continue;
		}
		if (is_null(item) || !clean_text(c, key, item))
			continue;
		s = scalar(item, &len);
		strlist_add(out, s, len);
	}
}

enum fmkey {
	FM_TITLE,
	FM_DESCRIPTION,
	FM_WEIGHT,
	FM_LASTMOD,
	FM_DRAFT,
	FM_TAGS,
	FM_KEYWORDS,
	FM_ALIASES,
	FM__MAX
};

static const char *const keys[FM__MAX] = {
	"title", "description", "weight", "lastmod", "draft",
	"tags", "keywords", "aliases"
};

static void
mapping(struct fmctx *c, struct frontmatter *fm)
{
	const struct fmnode	*k, *v;
	const char		*s;
	size_t			 len, key, i, seen[FM__MAX];

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < c->doc->npair; i++) {
		k = &c->doc->pair[i].k;
		v = &c->doc->pair[i].v;
		if (k->type != YAML_SCALAR_NODE)
			continue;	/* not a key of ours */
		s = scalar(k, &len);
		for (key = 0; key < FM__MAX; key++)
			if (strlen(keys[key]) == len &&
			    memcmp(keys[key], s, len) == 0)
				break;
		if (key == FM__MAX)
			continue;	/* unknown keys are ignored */
		if (seen[key]) {
			diag_add(c->d, c->file, node_line(c, k),
			    "duplicate key \"%s\", first on line %zu",
			    keys[key], seen[key]);
			c->bad++;
			continue;
		}
		seen[key] = node_line(c, k);
		switch (key) {
		case FM_TITLE:
			get_string(c, keys[key], v, &fm->title);
			if (fm->title != NULL &&
			    is_blank_text(fm->title, strlen(fm->title))) {
				free(fm->title);
				fm->title = NULL;
			}
			if (fm->title == NULL && v->type == YAML_SCALAR_NODE) {
				diag_add(c->d, c->file, node_line(c, v),
				    "missing title");
				c->bad++;
			}
			break;
		case FM_DESCRIPTION:
			get_string(c, keys[key], v, &fm->description);
			break;
		case FM_WEIGHT:
			get_int(c, keys[key], v, &fm->weight);
			break;
		case FM_LASTMOD:
			get_date(c, keys[key], v, &fm->lastmod);
			break;
		case FM_DRAFT:
			get_bool(c, keys[key], v, &fm->draft);
			break;
		case FM_TAGS:
			get_list(c, keys[key], v, &fm->tags);
			break;
		case FM_KEYWORDS:
			get_list(c, keys[key], v, &fm->keywords);
			break;
		case FM_ALIASES:
			get_list(c, keys[key], v, &fm->aliases);
			fm->aliases_line = seen[key];
			break;
		}
	}
	if (!seen[FM_TITLE]) {
		diag_add(c->d, c->file, c->line0 > 1 ? c->line0 - 1 : 1,
		    "missing title");
		c->bad++;
	}
}

/* Report a libyaml error with the file line it happened on. */
static void
yaml_error(struct fmctx *c, const yaml_parser_t *p, const char *s,
    size_t len)
{
	size_t	 line;

	if (p->error == YAML_MEMORY_ERROR) {
		diag_add(c->d, c->file, c->line0, "out of memory");
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		/* The reader gives a byte offset rather than a mark. */
		line = c->line0 + line_of(s, len,
		    p->problem_offset < len ? p->problem_offset : len) - 1;
		diag_add(c->d, c->file, line, "%s",
		    p->problem != NULL ? p->problem : "unreadable YAML");
		return;
	}
	line = c->line0 + p->problem_mark.line;
	if (p->context != NULL)
		diag_add(c->d, c->file, line, "%s (%s on line %zu)",
		    p->problem != NULL ? p->problem : "bad YAML",
		    p->context, c->line0 + p->context_mark.line);
	else
		diag_add(c->d, c->file, line, "%s",
		    p->problem != NULL ? p->problem : "bad YAML");
}

static struct fmnode *
new_item(struct fmdoc *doc)
{
	if (doc->nitem == doc->capitem) {
		doc->capitem = doc->capitem ? doc->capitem * 2 : 16;
		doc->item = xreallocarray(doc->item, doc->capitem,
		    sizeof(*doc->item));
	}
	memset(&doc->item[doc->nitem], 0, sizeof(*doc->item));
	return &doc->item[doc->nitem++];
}

static struct fmpair *
new_pair(struct fmdoc *doc)
{
	if (doc->npair == doc->cappair) {
		doc->cappair = doc->cappair ? doc->cappair * 2 : 16;
		doc->pair = xreallocarray(doc->pair, doc->cappair,
		    sizeof(*doc->pair));
	}
	memset(&doc->pair[doc->npair], 0, sizeof(*doc->pair));
	return &doc->pair[doc->npair++];
}

static void
fmdoc_free(struct fmdoc *doc)
{
	size_t	 i;

	for (i = 0; i < doc->nev; i++)
		yaml_event_delete(&doc->ev[i]);
	free(doc->ev);
	free(doc->pair);
	free(doc->item);
	memset(doc, 0, sizeof(*doc));
}

/* ---- From events: libyaml's parser without its document tree. */

/* A parse that must start again with the document tree. */
#define EV_TREE	(-1)

/*
 * The next event: 1, 0 on a YAML error (in the parser), or EV_TREE at
 * an anchor or an alias: those the tree resolves (and checks).
 */
static int
next_event(yaml_parser_t *p, yaml_event_t *ev)
{
	if (!yaml_parser_parse(p, ev))
		return 0;
	if (ev->type == YAML_ALIAS_EVENT ||
	    (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.anchor) ||
	    (ev->type == YAML_SEQUENCE_START_EVENT &&
	    ev->data.sequence_start.anchor) ||
	    (ev->type == YAML_MAPPING_START_EVENT &&
	    ev->data.mapping_start.anchor)) {
		yaml_event_delete(ev);
		return EV_TREE;
	}
	return 1;
}

/* The rest of the collection ev started: its events, read and dropped. */
static int
skip_collection(yaml_parser_t *p)
{
	yaml_event_t	 ev;
	size_t		 depth = 1;
	int		 rc;

	while (depth > 0) {
		if ((rc = next_event(p, &ev)) != 1)
			return rc;
		if (ev.type == YAML_SEQUENCE_START_EVENT ||
		    ev.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (ev.type == YAML_SEQUENCE_END_EVENT ||
		    ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		yaml_event_delete(&ev);
	}
	return 1;
}

/*
 * The node whose first event is ev (taken over) into n.  A scalar keeps
 * its event for its value; a sequence's items go to doc->item when
 * items is set (those of a value of the root mapping), each as a node
 * whose own contents are skipped.
 */
static int
read_node(yaml_parser_t *p, struct fmdoc *doc, yaml_event_t *ev,
    struct fmnode *n, int items)
{
	yaml_event_t	 iev;
	struct fmnode	*it;
	int		 rc;

	memset(n, 0, sizeof(*n));
	n->line = ev->start_mark.line;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n->type = YAML_SCALAR_NODE;
		n->style = ev->data.scalar.style;
		n->s = (const char *)ev->data.scalar.value;
		n->len = ev->data.scalar.length;
		if (doc->nev == doc->capev) {
			doc->capev = doc->capev ? doc->capev * 2 : 16;
			doc->ev = xreallocarray(doc->ev, doc->capev,
			    sizeof(*doc->ev));
		}
		doc->ev[doc->nev++] = *ev;	/* the value stays put */
		return 1;
	case YAML_SEQUENCE_START_EVENT:
		n->type = YAML_SEQUENCE_NODE;
		yaml_event_delete(ev);
		if (!items)
			return skip_collection(p);
		n->first = doc->nitem;
		for (;;) {
			if ((rc = next_event(p, &iev)) != 1)
				return rc;
			if (iev.type == YAML_SEQUENCE_END_EVENT) {
				yaml_event_delete(&iev);
				return 1;
			}
			/* Items' own contents go nowhere: no new items. */
			it = new_item(doc);
			n->n++;
			if ((rc = read_node(p, doc, &iev, it, 0)) != 1)
				return rc;
		}
	case YAML_MAPPING_START_EVENT:
		n->type = YAML_MAPPING_NODE;
		yaml_event_delete(ev);
		return skip_collection(p);
	default:
		/* The parser gives nothing else where a node is due. */
		yaml_event_delete(ev);
		return 0;
	}
}

/*
 * The first document into doc, then what follows it, as yaml_parser_load()
 * would see them.  Returns 1, 0 on a YAML error in the first document
 * (in the parser), or EV_TREE.
 */
static int
read_events(yaml_parser_t *p, struct fmdoc *doc)
{
	yaml_event_t	 ev;
	struct fmpair	*pr;
	struct fmnode	 k, v;
	int		 rc;

	if ((rc = next_event(p, &ev)) != 1)		/* stream start */
		return rc;
	yaml_event_delete(&ev);
	if ((rc = next_event(p, &ev)) != 1)
		return rc;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		doc->empty = 1;
		return 1;
	}
	yaml_event_delete(&ev);				/* document start */
	if ((rc = next_event(p, &ev)) != 1)
		return rc;
	if (ev.type == YAML_MAPPING_START_EVENT) {
		doc->root.type = YAML_MAPPING_NODE;
		doc->root.line = ev.start_mark.line;
		yaml_event_delete(&ev);
		for (;;) {
			if ((rc = next_event(p, &ev)) != 1)
				return rc;
			if (ev.type == YAML_MAPPING_END_EVENT) {
				yaml_event_delete(&ev);
				break;
			}
			if ((rc = read_node(p, doc, &ev, &k, 0)) != 1 ||
			    (rc = next_event(p, &ev)) != 1 ||
			    (rc = read_node(p, doc, &ev, &v, 1)) != 1)
				return rc;
			pr = new_pair(doc);
			pr->k = k;
			pr->v = v;
		}
	} else if ((rc = read_node(p, doc, &ev, &doc->root, 0)) != 1)
		return rc;
	if ((rc = next_event(p, &ev)) != 1)		/* document end */
		return rc;
	yaml_event_delete(&ev);

	/* A second document is a mistake, reported after the checks. */
	doc->next = FMNEXT_ERROR;
	if ((rc = next_event(p, &ev)) != 1)
		return rc == EV_TREE ? rc : 1;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		doc->next = FMNEXT_NONE;
		return 1;
	}
	yaml_event_delete(&ev);				/* document start */
	if ((rc = next_event(p, &ev)) != 1)
		return rc == EV_TREE ? rc : 1;
	doc->next_line = ev.start_mark.line;
	if (ev.type == YAML_SEQUENCE_START_EVENT ||
	    ev.type == YAML_MAPPING_START_EVENT)
		rc = skip_collection(p);
	yaml_event_delete(&ev);
	if (rc != 1 || (rc = next_event(p, &ev)) != 1)	/* document end */
		return rc == EV_TREE ? rc : 1;
	yaml_event_delete(&ev);
	doc->next = FMNEXT_DOC;
	return 1;
}

/* ---- From the document tree, when anchors or aliases need it. */

static void
tree_node(yaml_document_t *t, struct fmdoc *doc, const yaml_node_t *yn,
    struct fmnode *n, int items)
{
	const yaml_node_item_t *it;
	const yaml_node_t *yi;

	memset(n, 0, sizeof(*n));
	n->type = yn->type;
	n->line = yn->start_mark.line;
	if (yn->type == YAML_SCALAR_NODE) {
		n->style = yn->data.scalar.style;
		n->s = (const char *)yn->data.scalar.value;
		n->len = yn->data.scalar.length;
	} else if (yn->type == YAML_SEQUENCE_NODE && items) {
		n->first = doc->nitem;
		for (it = yn->data.sequence.items.start;
		    it < yn->data.sequence.items.top; it++)
			if ((yi = yaml_document_get_node(t, *it)) != NULL) {
				tree_node(t, doc, yi, new_item(doc), 0);
				n->n++;
			}
	}
}

/*
 * The first document through yaml_parser_load() into doc (which points
 * into *t), then the next one.  Returns 1, or 0 on a YAML error in the
 * first document.
 */
static int
read_tree(yaml_parser_t *p, yaml_document_t *t, struct fmdoc *doc)
{
	yaml_document_t	 extra;
	const yaml_node_pair_t *pp;
	const yaml_node_t *root, *k, *v, *r2;
	struct fmpair	*pr;

	if (!yaml_parser_load(p, t))
		return 0;
	if ((root = yaml_document_get_root_node(t)) == NULL) {
		doc->empty = 1;
		return 1;
	}
	tree_node(t, doc, root, &doc->root, 0);
	if (root->type == YAML_MAPPING_NODE)
		for (pp = root->data.mapping.pairs.start;
		    pp < root->data.mapping.pairs.top; pp++) {
			k = yaml_document_get_node(t, pp->key);
			v = yaml_document_get_node(t, pp->value);
			if (k == NULL || v == NULL)
				continue;
			pr = new_pair(doc);
			tree_node(t, doc, k, &pr->k, 0);
			tree_node(t, doc, v, &pr->v, 1);
		}
	if (!yaml_parser_load(p, &extra))
		doc->next = FMNEXT_ERROR;
	else {
		if ((r2 = yaml_document_get_root_node(&extra)) != NULL) {
			doc->next = FMNEXT_DOC;
			doc->next_line = r2->start_mark.line;
		} else
			doc->next = FMNEXT_NONE;
		yaml_document_delete(&extra);
	}
	return 1;
}

static int
parser_start(yaml_parser_t *p, const char *s, size_t len)
{
	if (!yaml_parser_initialize(p))
		return 0;
	yaml_parser_set_encoding(p, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(p, (const unsigned char *)s, len);
	return 1;
}

int
frontmatter_parse(struct frontmatter *fm, const char *s, size_t len,
    const char *file, size_t line0, struct diags *d)
{
	yaml_parser_t	 parser;
	yaml_document_t	 tree;
	struct fmdoc	 doc;
	struct fmctx	 c;
	int		 rc, have_tree = 0;

	memset(fm, 0, sizeof(*fm));
	memset(&c, 0, sizeof(c));
	memset(&doc, 0, sizeof(doc));
	c.file = file;
	c.line0 = line0 > 0 ? line0 : 1;
	c.d = d;
	c.doc = &doc;

	if (!parser_start(&parser, s, len)) {
		diag_add(d, file, c.line0, "out of memory");
		return -1;
	}
	if ((rc = read_events(&parser, &doc)) == EV_TREE) {
		/* Anchors or aliases: start again, with the tree. */
		fmdoc_free(&doc);
		yaml_parser_delete(&parser);
		if (!parser_start(&parser, s, len)) {
			diag_add(d, file, c.line0, "out of memory");
			return -1;
		}
		rc = read_tree(&parser, &tree, &doc);
		have_tree = rc == 1;
	}
	if (rc != 1) {
		yaml_error(&c, &parser, s, len);
		fmdoc_free(&doc);
		yaml_parser_delete(&parser);
		return -1;
	}

	if (doc.empty) {
		/* An empty front matter has no title. */
		diag_add(d, file, c.line0 > 1 ? c.line0 - 1 : 1,
		    "missing title");
		c.bad++;
	} else if (doc.root.type != YAML_MAPPING_NODE) {
		diag_add(d, file, node_line(&c, &doc.root),
		    "front matter must be a mapping of keys to values");
		c.bad++;
	} else
		mapping(&c, fm);

	/* Front matter is one document; a second one is a mistake. */
	if (!doc.empty && c.bad == 0) {
		if (doc.next == FMNEXT_ERROR) {
			yaml_error(&c, &parser, s, len);
			c.bad++;
		} else if (doc.next == FMNEXT_DOC) {
			diag_add(d, file, c.line0 + doc.next_line,
			    "more than one YAML document");
			c.bad++;
		}
	}
	fmdoc_free(&doc);
	if (have_tree)
		yaml_document_delete(&tree);
	yaml_parser_delete(&parser);
	return c.bad ? -1 : 0;
}
