/*
 * escape.c: one escaping function per output context.  Every byte that
 * reaches HTML, an attribute, JSON or a URL goes through one of these.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "faqgen.h"

/*
 * Bytes that need a look: 1 for HTML (& < > " ' NUL), 2 for JSON (control
 * characters, " \ < > &, and 0xe2, which starts U+2028 and U+2029).
 * Runs of other bytes are copied whole.
 */
static const unsigned char special[256] = {
	3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	0, 0, 3, 0, 0, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0,	/* " & ' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 3, 0,	/* < > */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,	/* \ */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xe2 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
#define HTML_SPECIAL	1
#define JSON_SPECIAL	2

#define HIGH		0x8080808080808080ULL
#define ONES		0x0101010101010101ULL

/*
 * How many bytes from u on need no look for mask: the index of the first
 * that does, else len.  Eight bytes at a time where all eight are
 * non-ASCII (and, for JSON, none is 0xe2): Chinese text is mostly such
 * runs, and every special byte but 0xe2 is ASCII.
 */
static inline size_t
plain_span(const unsigned char *u, size_t len, unsigned char mask)
{
	uint64_t	 w, x;
	size_t		 i = 0, e;

	while (len - i >= 8) {
		memcpy(&w, u + i, 8);
		x = w ^ (0xe2 * ONES);	/* a zero byte where w has 0xe2 */
		if ((w & HIGH) == HIGH && (mask != JSON_SPECIAL ||
		    ((x - ONES) & ~x & HIGH) == 0)) {
			i += 8;
			continue;
		}
		for (e = i + 8; i < e; i++)
			if (special[u[i]] & mask)
				return i;
	}
	for (; i < len; i++)
		if (special[u[i]] & mask)
			break;
	return i;
}

/* Text and attribute values (always quoted with "). */
void
esc_html(struct buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t	 i = 0, start;
	const char *rep;

	buf_grow(b, len);
	for (;;) {
		start = i;
		i += plain_span(u + i, len - i, HTML_SPECIAL);
		buf_put(b, s + start, i - start);
		if (i == len)
			break;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: rep = "\xef\xbf\xbd"; break;	/* NUL */
		}
		buf_puts(b, rep);
		i++;
	}
}

/*
 * Inside a JSON string.  '<', '>' and '&' are escaped too, and so are
 * U+2028 and U+2029, so the result is also safe inside <script>.
 */
void
esc_json(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t		 i = 0, start;
	unsigned char	 c;
	char		 x[7];

	buf_grow(b, len);
	for (;;) {
		start = i;
		i += plain_span(u + i, len - i, JSON_SPECIAL);
		buf_put(b, s + start, i - start);
		if (i == len)
			break;
		c = u[i];
		if (c == 0xe2) {
			if (i + 2 < len && u[i + 1] == 0x80 &&
			    (u[i + 2] == 0xa8 || u[i + 2] == 0xa9)) {
				buf_puts(b, u[i + 2] == 0xa8 ?
				    "\\u2028" : "\\u2029");
				i += 3;
			} else
				buf_putc(b, (char)u[i++]);
			continue;
		}
		switch (c) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default:
			memcpy(x, "\\u00", 4);
			x[4] = hex[c >> 4];
			x[5] = hex[c & 15];
			buf_put(b, x, 6);
			break;
		}
		i++;
	}
}

/*
 * A URL for an href or src attribute: characters that are not allowed
 * in a URL are percent-encoded, '&' becomes "&amp;", so the result can go
 * between double quotes as it is.  Non-ASCII characters stay as they are
 * (valid in HTML5 URLs).
 */
void
esc_url(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		 i;
	unsigned char	 c;
	char		 pct[3];

	buf_grow(b, len);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '&') {
			buf_puts(b, "&amp;");
		} else if (c <= 0x20 || c == 0x7f || c == '"' || c == '\'' ||
		    c == '<' || c == '>' || c == '\\' || c == '`' ||
		    c == '{' || c == '}' || c == '|' || c == '^') {
			pct[0] = '%';
			pct[1] = hex[c >> 4];
			pct[2] = hex[c & 15];
			buf_put(b, pct, 3);
		} else
			buf_putc(b, (char)c);
	}
}

/*
 * A path as a URI path: every byte but letters, digits, "-._~/" as %XX,
 * so a non-ASCII name ("a/身份证.html") is a URI, as sitemaps.org asks,
 * not an IRI.
 */
void
esc_uri_path(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char	 c;
	size_t		 i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c) != NULL)
			buf_putc(b, (char)c);
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

/*
 * Browsers ignore ASCII whitespace and control characters inside a
 * scheme, so "java\tscript:" is javascript: too.
 */
int
url_is_unsafe(const char *s, size_t len)
{
	static const char *const bad[] = { "javascript", "vbscript", "data" };
	char	 scheme[16];
	size_t	 i, n = 0, k;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20)
			continue;
		if (c == ':')
			break;
		if (!isalnum(c) && c != '+' && c != '-' && c != '.')
			return 0;
		if (n + 1 >= sizeof(scheme))
			return 0;
		scheme[n++] = (char)tolower(c);
	}
	if (i == len)
		return 0;
	scheme[n] = '\0';
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		if (strcmp(scheme, bad[k]) == 0)
			return 1;
	return 0;
}
