/*
 * render.c: Markdown to HTML on md4c's parser callbacks.  The only file
 * that includes md4c.  One pass gives the body HTML, the headings with
 * their ids, the cross-references (resolved against the page table), the
 * plain text and the first paragraph.
 *
 * md4c does not link bare URLs that follow full-width punctuation
 * ("（http://…）", "：http://…"), which this FAQ writes everywhere, so
 * normal text is gathered and linked here (linkify()).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <md4c.h>

#include "faqgen.h"

struct render {
	const struct site *site;
	struct page	*page;
	struct buf	*out;		/* where HTML goes now: html or hbuf */
	struct buf	 hbuf;		/* a heading's inner HTML */
	struct buf	 htext;		/* a heading's plain text */
	int		 hlevel;	/* inside a heading when > 0 */
	struct buf	 text;		/* page plain text */
	struct buf	 pending;	/* normal text not yet written */
	int		 in_link;	/* depth inside <a> */
	int		 in_image;	/* depth inside <img> (alt text) */
	int		 in_code;	/* inside code: no autolinks */
	size_t		 para_start;	/* text offset of the first paragraph */
	int		 para_depth;	/* first paragraph being captured */
	size_t		 nxrefs_cap;
	size_t		 nheadings_cap;
	const char	*id_prefix;	/* all.html: "q/exam/id/", else "" */
	size_t		 line_off;	/* body_line_at(): last offset seen */
	size_t		 line_no;	/* and its line */
	struct idset {
		struct identry {
			const char *id;	/* borrowed from page->headings */
			size_t	 next;	/* next "-N" suffix to try */
		} *v;		/* owned, open addressing */
		size_t	 n, cap;
	}		 ids;		/* heading ids given so far */
};

static void	flush_text(struct render *);

/*
 * Line (1-based) of body offset off.  Links come in text order, so this
 * counts on from the previous call: a long answer full of links stays
 * linear instead of rescanning the body from the top for each one.
 */
static size_t
body_line_at(struct render *r, size_t off)
{
	const struct page *pg = r->page;
	const char	*nl;

	if (off > pg->body_len)
		off = pg->body_len;
	if (off < r->line_off) {
		r->line_off = 0;
		r->line_no = 1;
	}
	while ((nl = memchr(pg->body + r->line_off, '\n',
	    off - r->line_off)) != NULL) {
		r->line_no++;
		r->line_off = (size_t)(nl - pg->body) + 1;
	}
	return r->line_no;
}

/* Line in the source file of a pointer into the body, else 0. */
static size_t
src_line(struct render *r, const char *p, const char *needle,
    size_t nlen)
{
	const struct page *pg = r->page;
	const char	*hit;

	if (p >= pg->body && p <= pg->body + pg->body_len)
		return pg->body_line - 1 +
		    body_line_at(r, (size_t)(p - pg->body));
	if (needle != NULL && nlen > 0 &&
	    (hit = memmem(pg->body, pg->body_len, needle, nlen)) != NULL)
		return pg->body_line - 1 +
		    body_line_at(r, (size_t)(hit - pg->body));
	return pg->body_line;
}

static void
text_add(struct render *r, const char *s, size_t len)
{
	buf_put(&r->text, s, len);
	if (r->hlevel > 0)
		buf_put(&r->htext, s, len);
}

/* Separate blocks in the plain text. */
static void
text_break(struct render *r)
{
	if (r->text.len > 0 && r->text.data[r->text.len - 1] != '\n')
		buf_putc(&r->text, '\n');
}

/* An md4c attribute (href, src, title) as a plain string. */
static void
attr_string(const MD_ATTRIBUTE *a, struct buf *b)
{
	unsigned	 i;
	MD_OFFSET	 off, end;

	for (i = 0; a->substr_offsets[i] < a->size; i++) {
		off = a->substr_offsets[i];
		end = a->substr_offsets[i + 1];
		if (a->substr_types[i] == MD_TEXT_NULLCHAR)
			buf_puts(b, "\xef\xbf\xbd");
		else if (a->substr_types[i] == MD_TEXT_ENTITY) {
			/* Only the entities URLs commonly carry. */
			if (end - off == 5 && memcmp(a->text + off, "&amp;",
			    5) == 0)
				buf_putc(b, '&');
			else
				buf_put(b, a->text + off, end - off);
		} else
			buf_put(b, a->text + off, end - off);
	}
}

static int
has_scheme(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (s[i] == ':')
			return i > 0;
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' &&
		    s[i] != '-' && s[i] != '.')
			return 0;
	}
	return 0;
}

static void
add_xref(struct render *r, size_t line, const char *href,
    struct page *target, const char *frag)
{
	struct page	*pg = r->page;
	struct xref	*x;

	if (pg->nxrefs == r->nxrefs_cap) {
		r->nxrefs_cap = r->nxrefs_cap ? r->nxrefs_cap * 2 : 4;
		pg->xrefs = xreallocarray(pg->xrefs, r->nxrefs_cap,
		    sizeof(*pg->xrefs));
	}
	x = &pg->xrefs[pg->nxrefs++];
	x->line = line;
	x->href = xstrdup(href);
	x->target = target;
	x->fragment = frag != NULL && frag[0] != '\0' ? xstrdup(frag) : NULL;
}

/* Where a page stands inside all.html. */
static void
all_anchor(struct buf *o, const struct page *target, const char *frag)
{
	if (target->kind == PAGE_HOME) {
		buf_puts(o, "index.html");
		return;
	}
	buf_putc(o, '#');
	if (target->kind == PAGE_CATEGORY) {
		buf_puts(o, "c/");
		esc_url(o, target->category_dir, strlen(target->category_dir));
		return;
	}
	buf_puts(o, "q/");
	esc_url(o, target->category_dir, strlen(target->category_dir));
	buf_putc(o, '/');
	esc_url(o, target->slug, strlen(target->slug));
	if (frag != NULL && frag[0] != '\0') {
		buf_putc(o, '/');
		esc_url(o, frag, strlen(frag));
	}
}

/*
 * Whether the site writes file p, a link's path resolved against
 * content/ (the output mirrors it): a page, a file every build writes, or
 * a layout asset.  Only .md files of content/ are published, and a folder
 * is no file (from disk, a folder link opens no index.html).
 */
static int
site_writes(const struct site *site, const char *p)
{
	const struct page *t;
	const char	*name;
	char		*src;
	size_t		 i, len = strlen(p);

	for (i = 0; site_files[i] != NULL; i++)
		if (strcmp(p, site_files[i]) == 0)
			return strcmp(p, "all.html") != 0 ||
			    site->nquestions <= (size_t)site->cfg.all_limit;
	if (strncmp(p, "search/", 7) == 0)
		return 1;
	if (strncmp(p, "assets/", 7) == 0)
		return site_layout(site, p) != NULL;
	if (len <= 5 || strcmp(p + len - 5, ".html") != 0)
		return 0;
	name = strrchr(p, '/');
	name = name != NULL ? name + 1 : p;
	src = strcmp(name, "index.html") == 0 ?
	    xasprintf("%.*s_index.md", (int)(name - p), p) :
	    xasprintf("%.*s.md", (int)(len - 5), p);
	t = site_find(site, src);
	free(src);
	return t != NULL && strcmp(t->out, p) == 0;
}

/*
 * A relative link or image source other than a page's .md: inside
 * content/ and to a file the site writes, else an error of the page.  A
 * link from the root (/x) is the author's.
 */
static int
published(struct render *r, const char *href, size_t line)
{
	struct page	*pg = r->page;
	char		*path, *resolved;
	int		 ok = 1;

	path = xstrndup(href, strcspn(href, "?#"));
	if (href[0] == '/' || path[0] == '\0') {
		free(path);
		return 1;
	}
	/* What the site writes may change with no edit of this page. */
	pg->site_links = 1;
	if ((resolved = path_resolve(pg->src, path)) == NULL) {
		diag_add(&pg->diags, pg->file, line, "link leaves %s/: %s",
		    r->site->cfg.content_dir, href);
		ok = 0;
	} else if (!site_writes(r->site, resolved)) {
		diag_add(&pg->diags, pg->file, line, "broken link to %s: the "
		    "site writes no such file (link to a page's .md file)",
		    href);
		ok = 0;
	}
	free(resolved);
	free(path);
	return ok;
}

/*
 * Write an <a href="..."> for a link target as written in the source.
 * Cross-references to .md files become relative links to the target's
 * output page; unsafe schemes are refused.
 */
static void
open_link(struct render *r, const char *href, size_t line, const char *title)
{
	struct page	*pg = r->page, *target;
	struct buf	 path = { NULL, 0, 0 };
	const char	*hash;
	char		*resolved, *rel;
	size_t		 hlen = strlen(href), plen;
	int		 external = 0;

	buf_puts(r->out, "<a href=\"");
	hash = strchr(href, '#');
	plen = hash ? (size_t)(hash - href) : hlen;
	if (url_is_unsafe(href, hlen)) {
		diag_add(&pg->diags, pg->file, line,
		    "refused link target %.*s: scheme not allowed",
		    (int)(plen > 40 ? 40 : plen), href);
		buf_puts(r->out, "#");
	} else if (has_scheme(href, hlen) || (hlen > 1 && href[0] == '/' &&
	    href[1] == '/')) {
		external = strncmp(href, "http", 4) == 0 || href[0] == '/';
		if (external)
			strlist_add(&pg->external, href, hlen);
		esc_url(r->out, href, hlen);
	} else if (plen == 0 && hash != NULL) {
		/* #fragment on this page, checked by link.c. */
		add_xref(r, line, href, pg, hash + 1);
		if (r->id_prefix[0] != '\0')
			all_anchor(r->out, pg, hash + 1);
		else
			esc_url(r->out, href, hlen);
	} else if (plen > 3 && memcmp(href + plen - 3, ".md", 3) == 0) {
		buf_put(&path, href, plen);
		resolved = path_resolve(pg->src, path.data);
		if (resolved == NULL) {
			diag_add(&pg->diags, pg->file, line,
			    "link leaves %s/: %s", r->site->cfg.content_dir,
			    href);
			buf_puts(r->out, "#");
		} else if ((target = site_find(r->site, resolved)) == NULL) {
			diag_add(&pg->diags, pg->file, line,
			    "broken link to %s", href);
			buf_puts(r->out, "#");
		} else {
			add_xref(r, line, href, target, hash ? hash + 1 : NULL);
			if (r->id_prefix[0] != '\0')
				all_anchor(r->out, target, hash ? hash + 1 :
				    NULL);
			else {
				rel = path_relative(pg->out, target->out);
				esc_url(r->out, rel, strlen(rel));
				if (hash != NULL)
					esc_url(r->out, hash, strlen(hash));
				free(rel);
			}
		}
		free(resolved);
		buf_free(&path);
	} else if (published(r, href, line))
		esc_url(r->out, href, hlen);
	else
		buf_puts(r->out, "#");
	buf_putc(r->out, '"');
	if (title != NULL && title[0] != '\0') {
		buf_puts(r->out, " title=\"");
		esc_html(r->out, title, strlen(title));
		buf_putc(r->out, '"');
	}
	if (external)
		buf_puts(r->out, " rel=\"external noopener\"");
	buf_putc(r->out, '>');
}

/* Length of a bare URL at s, or 0. */
static size_t
url_len(const char *s, size_t len)
{
	size_t	 n, paren = 0, i;

	if (len > 8 && strncasecmp(s, "https://", 8) == 0)
		n = 8;
	else if (len > 7 && strncasecmp(s, "http://", 7) == 0)
		n = 7;
	else if (len > 4 && strncasecmp(s, "www.", 4) == 0)
		n = 4;
	else
		return 0;
	while (n < len) {
		unsigned char c = (unsigned char)s[n];
		if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' ||
		    c == '"' || c == '`' || c == '{' || c == '}' || c == '|' ||
		    c == '\\' || c == '^')
			break;
		n++;
	}
	/* Trailing punctuation belongs to the sentence. */
	for (i = 0; i < n; i++)
		if (s[i] == '(')
			paren++;
	while (n > 0) {
		char c = s[n - 1];
		if (c == ')' && paren == 0) {
			n--;
			continue;
		}
		if (c == ')') {
			size_t open = 0, close = 0;
			for (i = 0; i < n; i++) {
				open += s[i] == '(';
				close += s[i] == ')';
			}
			if (close > open) {
				n--;
				continue;
			}
			break;
		}
		if (strchr(".,:;!?'*_~", c) != NULL) {
			n--;
			continue;
		}
		break;
	}
	/* "http://" alone is no link. */
	if ((n <= 8 && strncasecmp(s, "https://", n) == 0) ||
	    (n <= 7 && strncasecmp(s, "http://", n) == 0) || n <= 4)
		return 0;
	return n;
}

/* Length of an e-mail address starting at s (the local part), or 0. */
static size_t
email_len(const char *s, size_t len, size_t *at)
{
	size_t	 i = 0, dot = 0, j;

	while (i < len && (isalnum((unsigned char)s[i]) ||
	    strchr("._%+-", s[i]) != NULL))
		i++;
	if (i == 0 || i >= len || s[i] != '@')
		return 0;
	*at = i;
	for (j = i + 1; j < len && (isalnum((unsigned char)s[j]) ||
	    s[j] == '.' || s[j] == '-'); j++)
		if (s[j] == '.')
			dot = j;
	while (j > i + 1 && (s[j - 1] == '.' || s[j - 1] == '-'))
		j--;
	if (dot == 0 || dot >= j - 2 || dot == i + 1)
		return 0;
	return j;
}

/* isalnum() in the C locale, inline: this loop sees every byte. */
static inline int
alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
	    (c | 0x20) <= 'z');
}

/* Write text as HTML, turning bare URLs and e-mail addresses into links. */
static void
linkify(struct render *r, const char *s, size_t len)
{
	size_t	 i = 0, start = 0, n, at;
	char	*href;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		int word_start;
		uint64_t w;

		/* Eight non-ASCII bytes (Chinese text) start nothing. */
		if (c >= 0x80 && len - i >= 8) {
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) ==
			    0x8080808080808080ULL) {
				i += 8;
				continue;
			}
		}
		/* Only a letter or digit after a non-word starts a link. */
		if (c >= 0x80 || !alnum(c) ||
		    (i > 0 && alnum((unsigned char)s[i - 1]))) {
			i++;
			continue;
		}
		word_start = 1;
		n = 0;
		if ((c == 'h' || c == 'H' || c == 'w' || c == 'W') &&
		    word_start)
			n = url_len(s + i, len - i);
		if (n > 0) {
			esc_html(r->out, s + start, i - start);
			href = (c == 'w' || c == 'W') ?
			    xasprintf("http://%.*s", (int)n, s + i) :
			    xstrndup(s + i, n);
			strlist_add(&r->page->external, href, strlen(href));
			buf_puts(r->out, "<a href=\"");
			esc_url(r->out, href, strlen(href));
			buf_puts(r->out, "\" rel=\"external noopener\">");
			esc_html(r->out, s + i, n);
			buf_puts(r->out, "</a>");
			free(href);
			i += n;
			start = i;
			continue;
		}
		if (word_start && (n = email_len(s + i, len - i, &at)) > 0) {
			esc_html(r->out, s + start, i - start);
			buf_puts(r->out, "<a href=\"mailto:");
			esc_url(r->out, s + i, n);
			buf_puts(r->out, "\">");
			esc_html(r->out, s + i, n);
			buf_puts(r->out, "</a>");
			i += n;
			start = i;
			continue;
		}
		i++;
	}
	esc_html(r->out, s + start, len - start);
}

static void
flush_text(struct render *r)
{
	if (r->pending.len == 0)
		return;
	if (r->in_link || r->in_image || r->in_code)
		esc_html(r->out, r->pending.data, r->pending.len);
	else
		linkify(r, r->pending.data, r->pending.len);
	buf_truncate(&r->pending, 0);
}

static int
is_id_punct(uint32_t cp)
{
	return (cp >= 0x2000 && cp <= 0x206f) ||
	    (cp >= 0x3000 && cp <= 0x303f) ||
	    (cp >= 0xff00 && cp <= 0xff0f) ||
	    (cp >= 0xff1a && cp <= 0xff20) ||
	    (cp >= 0xff3b && cp <= 0xff40) ||
	    (cp >= 0xff5b && cp <= 0xff65) ||
	    cp == 0x00a0 || cp == 0xfeff;
}

/*
 * A heading's id: ASCII letters lowercased, letters, digits, '-' and '_'
 * kept, spaces to '-', other ASCII and CJK punctuation dropped, other
 * characters kept.  Unique within the page: "-1", "-2" on repeats.
 */
/* The entry of id in set; with add, a new one when missing. */
static struct identry *
idset_find(struct idset *set, const char *id, int add)
{
	struct identry	*old = set->v;
	size_t		 i, k, oldcap = set->cap;

	if (add && (set->n + 1) * 2 > set->cap) {
		set->cap = set->cap ? set->cap * 2 : 64;
		set->v = xcalloc(set->cap, sizeof(*set->v));
		set->n = 0;
		for (k = 0; k < oldcap; k++)
			if (old[k].id != NULL)
				*idset_find(set, old[k].id, 1) = old[k];
		free(old);
	}
	if (set->cap == 0)
		return NULL;
	for (i = tokenize_hash(id, strlen(id)) & (set->cap - 1);
	    set->v[i].id != NULL; i = (i + 1) & (set->cap - 1))
		if (strcmp(set->v[i].id, id) == 0)
			return &set->v[i];
	if (!add)
		return NULL;
	set->v[i].id = id;
	set->v[i].next = 1;
	set->n++;
	return &set->v[i];
}

/*
 * The id of a heading: its text as a slug, made unique on the page by
 * "-N".  all.html puts the question's prefix before this same id, so a
 * link to page#id finds it there too.
 */
static char *
heading_id(struct idset *set, const char *s, size_t len)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*p = s, *end = s + len, *q;
	int32_t		 cp;
	struct identry	*e;
	size_t		 base, k;

	while (p < end) {
		q = p;
		if ((cp = utf8_decode(&p, end)) < 0) {
			p = q + 1;
			continue;
		}
		if (cp < 0x80) {
			if (isalnum(cp))
				buf_putc(&b, (char)tolower(cp));
			else if (cp == '-' || cp == '_')
				buf_putc(&b, (char)cp);
			else if (cp == ' ' && b.len > 0 &&
			    b.data[b.len - 1] != '-')
				buf_putc(&b, '-');
		} else if (!is_id_punct((uint32_t)cp))
			buf_put(&b, q, (size_t)(p - q));
	}
	while (b.len > 0 && b.data[b.len - 1] == '-')
		buf_truncate(&b, b.len - 1);
	if (b.len == 0)
		buf_puts(&b, "section");
	base = b.len;
	/* Taken: try "-N" from where the last repeat of it stopped. */
	if ((e = idset_find(set, b.data, 0)) != NULL) {
		for (k = e->next;; k++) {
			buf_truncate(&b, base);
			buf_printf(&b, "-%zu", k);
			if (idset_find(set, b.data, 0) == NULL)
				break;
		}
		e->next = k + 1;
	}
	return buf_detach(&b, NULL);
}

static void
heading_end(struct render *r)
{
	struct page	*pg = r->page;
	struct heading	*h;
	char		*id, *full;

	id = heading_id(&r->ids, r->htext.data ? r->htext.data : "",
	    r->htext.len);
	if (r->id_prefix[0] != '\0') {
		full = xasprintf("%s%s", r->id_prefix, id);
		free(id);
		id = full;
	}
	if (pg->nheadings == r->nheadings_cap) {
		r->nheadings_cap = r->nheadings_cap ? r->nheadings_cap * 2 : 4;
		pg->headings = xreallocarray(pg->headings, r->nheadings_cap,
		    sizeof(*pg->headings));
	}
	h = &pg->headings[pg->nheadings++];
	h->level = r->hlevel;
	h->id = id;
	/* The set holds the page's own id: the part after the prefix. */
	(void)idset_find(&r->ids, id + strlen(r->id_prefix), 1);
	h->text = xstrndup(r->htext.data ? r->htext.data : "", r->htext.len);
	r->out = &pg->html;
	buf_printf(r->out, "<h%d id=\"", r->hlevel);
	esc_html(r->out, id, strlen(id));
	buf_puts(r->out, "\">");
	buf_put(r->out, r->hbuf.data ? r->hbuf.data : "", r->hbuf.len);
	buf_printf(r->out, "</h%d>\n", r->hlevel);
	buf_truncate(&r->hbuf, 0);
	buf_truncate(&r->htext, 0);
	r->hlevel = 0;
}

static const char *const align_style[] = {
	"", " style=\"text-align: left\"", " style=\"text-align: center\"",
	" style=\"text-align: right\""
};

static int
enter_block(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct render	*r = arg;
	struct buf	*o;

	flush_text(r);
	o = r->out;
	switch (type) {
	case MD_BLOCK_DOC:
		break;
	case MD_BLOCK_QUOTE:
		buf_puts(o, "<blockquote>\n");
		break;
	case MD_BLOCK_UL:
		buf_puts(o, "<ul>\n");
		break;
	case MD_BLOCK_OL: {
		const MD_BLOCK_OL_DETAIL *d = detail;
		if (d->start == 1)
			buf_puts(o, "<ol>\n");
		else
			buf_printf(o, "<ol start=\"%u\">\n", d->start);
		break;
	}
	case MD_BLOCK_LI:
		text_break(r);
		buf_puts(o, "<li>");
		break;
	case MD_BLOCK_HR:
		buf_puts(o, "<hr>\n");
		break;
	case MD_BLOCK_H:
		text_break(r);
		r->hlevel = (int)((const MD_BLOCK_H_DETAIL *)detail)->level;
		r->out = &r->hbuf;
		break;
	case MD_BLOCK_CODE: {
		const MD_BLOCK_CODE_DETAIL *d = detail;
		struct buf lang = { NULL, 0, 0 };
		text_break(r);
		buf_puts(o, "<pre><code");
		if (d->lang.size > 0) {
			attr_string(&d->lang, &lang);
			buf_puts(o, " class=\"language-");
			esc_html(o, lang.data, lang.len);
			buf_putc(o, '"');
			buf_free(&lang);
		}
		buf_putc(o, '>');
		r->in_code++;
		break;
	}
	case MD_BLOCK_HTML:
		break;
	case MD_BLOCK_P:
		text_break(r);
		if (r->page->summary == NULL && r->para_depth == 0 &&
		    r->hlevel == 0) {
			r->para_depth = 1;
			r->para_start = r->text.len;
		}
		buf_puts(o, "<p>");
		break;
	case MD_BLOCK_TABLE:
		text_break(r);
		/* tabindex: a table wider than the screen scrolls by keyboard too. */
		buf_puts(o, "<div class=\"table-wrap\" tabindex=\"0\"><table>\n");
		break;
	case MD_BLOCK_THEAD:
		buf_puts(o, "<thead>\n");
		break;
	case MD_BLOCK_TBODY:
		buf_puts(o, "<tbody>\n");
		break;
	case MD_BLOCK_TR:
		text_break(r);
		buf_puts(o, "<tr>");
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD: {
		const MD_BLOCK_TD_DETAIL *d = detail;
		buf_printf(o, "<%s%s>", type == MD_BLOCK_TH ? "th" : "td",
		    align_style[d->align]);
		if (r->text.len > 0 && r->text.data[r->text.len - 1] != '\n')
			buf_putc(&r->text, ' ');
		break;
	}
	}
	return 0;
}

static int
leave_block(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct render	*r = arg;
	struct buf	*o;

	(void)detail;
	flush_text(r);
	o = r->out;
	switch (type) {
	case MD_BLOCK_DOC:
		break;
	case MD_BLOCK_QUOTE:
		buf_puts(o, "</blockquote>\n");
		break;
	case MD_BLOCK_UL:
		buf_puts(o, "</ul>\n");
		break;
	case MD_BLOCK_OL:
		buf_puts(o, "</ol>\n");
		break;
	case MD_BLOCK_LI:
		buf_puts(o, "</li>\n");
		break;
	case MD_BLOCK_HR:
		break;
	case MD_BLOCK_H:
		heading_end(r);
		text_break(r);
		break;
	case MD_BLOCK_CODE:
		buf_puts(o, "</code></pre>\n");
		r->in_code--;
		text_break(r);
		break;
	case MD_BLOCK_HTML:
		break;
	case MD_BLOCK_P:
		buf_puts(o, "</p>\n");
		if (r->para_depth == 1) {
			r->para_depth = 0;
			if (r->text.len > r->para_start)
				r->page->summary = xstrndup(r->text.data +
				    r->para_start, r->text.len -
				    r->para_start);
		}
		text_break(r);
		break;
	case MD_BLOCK_TABLE:
		buf_puts(o, "</table></div>\n");
		break;
	case MD_BLOCK_THEAD:
		buf_puts(o, "</thead>\n");
		break;
	case MD_BLOCK_TBODY:
		buf_puts(o, "</tbody>\n");
		break;
	case MD_BLOCK_TR:
		buf_puts(o, "</tr>\n");
		break;
	case MD_BLOCK_TH:
		buf_puts(o, "</th>");
		break;
	case MD_BLOCK_TD:
		buf_puts(o, "</td>");
		break;
	}
	return 0;
}

static int
enter_span(MD_SPANTYPE type, void *detail, void *arg)
{
	struct render	*r = arg;
	struct buf	*o, href = { NULL, 0, 0 }, title = { NULL, 0, 0 };

	flush_text(r);
	o = r->out;
	if (r->in_image) {
		/* Inside alt text only text counts. */
		if (type == MD_SPAN_IMG)
			r->in_image++;
		return 0;
	}
	switch (type) {
	case MD_SPAN_EM:
		buf_puts(o, "<em>");
		break;
	case MD_SPAN_STRONG:
		buf_puts(o, "<strong>");
		break;
	case MD_SPAN_DEL:
		buf_puts(o, "<del>");
		break;
	case MD_SPAN_CODE:
		buf_puts(o, "<code>");
		r->in_code++;
		break;
	case MD_SPAN_A: {
		const MD_SPAN_A_DETAIL *d = detail;
		size_t line;
		attr_string(&d->href, &href);
		attr_string(&d->title, &title);
		line = src_line(r, d->href.text, href.data, href.len);
		open_link(r, href.data ? href.data : "", line, title.data);
		r->in_link++;
		break;
	}
	case MD_SPAN_IMG: {
		const MD_SPAN_IMG_DETAIL *d = detail;
		attr_string(&d->src, &href);
		buf_puts(o, "<img src=\"");
		if (href.data != NULL && url_is_unsafe(href.data, href.len))
			diag_add(&r->page->diags, r->page->file,
			    src_line(r, d->src.text, href.data, href.len),
			    "refused image source: scheme not allowed");
		else if (href.data != NULL && (has_scheme(href.data, href.len) ||
		    published(r, href.data, src_line(r, d->src.text, href.data,
		    href.len))))
			esc_url(o, href.data, href.len);
		buf_puts(o, "\" alt=\"");
		r->in_image = 1;
		break;
	}
	default:
		break;
	}
	buf_free(&href);
	buf_free(&title);
	return 0;
}

static int
leave_span(MD_SPANTYPE type, void *detail, void *arg)
{
	struct render	*r = arg;
	struct buf	*o;

	(void)detail;
	flush_text(r);
	o = r->out;
	if (r->in_image) {
		if (type == MD_SPAN_IMG && --r->in_image == 0)
			buf_puts(o, "\" loading=\"lazy\">");
		return 0;
	}
	switch (type) {
	case MD_SPAN_EM:
		buf_puts(o, "</em>");
		break;
	case MD_SPAN_STRONG:
		buf_puts(o, "</strong>");
		break;
	case MD_SPAN_DEL:
		buf_puts(o, "</del>");
		break;
	case MD_SPAN_CODE:
		buf_puts(o, "</code>");
		r->in_code--;
		break;
	case MD_SPAN_A:
		buf_puts(o, "</a>");
		r->in_link--;
		break;
	default:
		break;
	}
	return 0;
}

/* The few named entities worth decoding into plain text. */
static const struct {
	const char	*name;
	const char	*utf8;
} entities[] = {
	{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" },
	{ "&quot;", "\"" }, { "&apos;", "'" }, { "&nbsp;", "\xc2\xa0" },
	{ "&copy;", "\xc2\xa9" }, { "&mdash;", "\xe2\x80\x94" },
	{ "&ndash;", "\xe2\x80\x93" }, { "&hellip;", "\xe2\x80\xa6" },
	{ "&middot;", "\xc2\xb7" }, { "&times;", "\xc3\x97" },
};

static void
entity(struct render *r, const char *s, size_t len)
{
	char		 u[5], *end;
	unsigned long	 cp;
	size_t		 i, n;

	if (len > 3 && s[1] == '#') {
		if (s[2] == 'x' || s[2] == 'X')
			cp = strtoul(s + 3, &end, 16);
		else
			cp = strtoul(s + 2, &end, 10);
		if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			cp = 0xfffd;
		n = utf8_encode((uint32_t)cp, u);
		u[n] = '\0';
		buf_put(&r->pending, u, n);
		text_add(r, u, n);
		return;
	}
	for (i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
		if (strlen(entities[i].name) == len &&
		    memcmp(entities[i].name, s, len) == 0) {
			buf_puts(&r->pending, entities[i].utf8);
			text_add(r, entities[i].utf8,
			    strlen(entities[i].utf8));
			return;
		}
	/* Unknown: show it as written. */
	buf_put(&r->pending, s, len);
	text_add(r, s, len);
}

static int
text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE len, void *arg)
{
	struct render	*r = arg;

	switch (type) {
	case MD_TEXT_NORMAL:
	case MD_TEXT_CODE:
		buf_put(&r->pending, s, len);
		text_add(r, s, len);
		break;
	case MD_TEXT_NULLCHAR:
		buf_puts(&r->pending, "\xef\xbf\xbd");
		break;
	case MD_TEXT_BR:
		flush_text(r);
		if (r->in_image)
			buf_putc(r->out, ' ');
		else
			buf_puts(r->out, "<br>\n");
		text_add(r, "\n", 1);
		break;
	case MD_TEXT_SOFTBR:
		buf_putc(&r->pending, '\n');
		text_add(r, "\n", 1);
		break;
	case MD_TEXT_ENTITY:
		entity(r, s, len);
		break;
	case MD_TEXT_HTML:
		flush_text(r);
		if (r->site->cfg.unsafe_html && !r->in_image)
			buf_put(r->out, s, len);
		else
			esc_html(r->out, s, len);
		break;
	default:
		buf_put(&r->pending, s, len);
		text_add(r, s, len);
		break;
	}
	return 0;
}

/*
 * The ids the layouts give elements of a page (tests/site.sh checks that
 * layouts/ uses no other): a heading never takes one, so "## main" is
 * main-1, and a link to page.md#main is an error, not a jump to <main>.
 */
static const char *const layout_ids[] = {
	"main", "top", "toc-h", "related-h", "recent-h", "all-toc-h",
	"search-q", "search-list", "search-page-q", "search-page-list",
};

static void
render(const struct site *site, struct page *pg, const char *id_prefix)
{
	struct render	 r;
	MD_PARSER	 parser;
	unsigned	 flags;
	size_t		 i;

	memset(&r, 0, sizeof(r));
	r.site = site;
	r.page = pg;
	r.out = &pg->html;
	r.id_prefix = id_prefix;
	r.line_no = 1;
	for (i = 0; i < sizeof(layout_ids) / sizeof(layout_ids[0]); i++)
		(void)idset_find(&r.ids, layout_ids[i], 1);
	flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH |
	    MD_FLAG_PERMISSIVEURLAUTOLINKS | MD_FLAG_PERMISSIVEWWWAUTOLINKS |
	    MD_FLAG_PERMISSIVEEMAILAUTOLINKS;
	if (!site->cfg.unsafe_html)
		flags |= MD_FLAG_NOHTML;
	memset(&parser, 0, sizeof(parser));
	parser.abi_version = 0;
	parser.flags = flags;
	parser.enter_block = enter_block;
	parser.leave_block = leave_block;
	parser.enter_span = enter_span;
	parser.leave_span = leave_span;
	parser.text = text;
	buf_grow(&pg->html, pg->body_len + pg->body_len / 4);
	if (md_parse(pg->body, (MD_SIZE)pg->body_len, &parser, &r) != 0)
		diag_add(&pg->diags, pg->file, pg->body_line,
		    "cannot parse the Markdown");
	flush_text(&r);
	if (pg->html.data == NULL)
		buf_puts(&pg->html, "");
	if (r.text.data == NULL)
		buf_puts(&r.text, "");
	/* Held until emit and index: no growth slack kept. */
	pg->html.data = xrealloc(pg->html.data, pg->html.len + 1);
	pg->html.cap = pg->html.len + 1;
	pg->text = xrealloc(r.text.data, r.text.len + 1);
	pg->text_len = r.text.len;
	r.text.data = NULL;
	buf_free(&r.hbuf);
	buf_free(&r.htext);
	buf_free(&r.pending);
	free(r.ids.v);
}

void
render_page(const struct site *site, struct page *pg)
{
	render(site, pg, "");
}

/*
 * The answer as it stands inside all.html: heading ids prefixed with the
 * question's anchor, cross-references pointing inside the same file.
 * Renders a scratch copy, so the page itself is left as it was.
 */
char *
render_all_body(const struct site *site, const struct page *pg)
{
	struct page	 tmp;
	char		*prefix, *html;

	memset(&tmp, 0, sizeof(tmp));
	tmp.kind = pg->kind;
	tmp.src = pg->src;
	tmp.file = pg->file;
	tmp.category_dir = pg->category_dir;
	tmp.slug = pg->slug;
	tmp.out = pg->out;
	tmp.body = pg->body;
	tmp.body_len = pg->body_len;
	tmp.body_line = pg->body_line;
	prefix = xasprintf("q/%s/%s/", pg->category_dir, pg->slug);
	render(site, &tmp, prefix);
	free(prefix);
	html = buf_detach(&tmp.html, NULL);
	render_free(&tmp);
	diag_free(&tmp.diags);
	return html;
}

void
render_free(struct page *pg)
{
	size_t	 i;

	buf_free(&pg->html);
	free(pg->text);
	free(pg->summary);
	for (i = 0; i < pg->nheadings; i++) {
		free(pg->headings[i].id);
		free(pg->headings[i].text);
	}
	free(pg->headings);
	for (i = 0; i < pg->nxrefs; i++) {
		free(pg->xrefs[i].href);
		free(pg->xrefs[i].fragment);
	}
	free(pg->xrefs);
	strlist_free(&pg->external);
	pg->text = pg->summary = NULL;
	pg->text_len = 0;
	pg->site_links = 0;
	pg->headings = NULL;
	pg->nheadings = 0;
	pg->xrefs = NULL;
	pg->nxrefs = 0;
}
