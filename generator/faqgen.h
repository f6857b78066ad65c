/*
 * faqgen.h: the data model of a build and the prototypes of its stages.
 *
 * The build is a one-way pipeline, one stage per file:
 *
 *   config.c   site.ini                      -> struct config
 *   load.c     content/ and layouts/         -> struct site (pages, layouts)
 *   render.c   Markdown body                 -> HTML, headings, links, text
 *   link.c     cross-references, related questions, prev/next
 *   index.c    search index (index_state.c: its state, the rebuild)
 *   emit.c     templates, sitemap, feeds     -> output files
 *   publish.c  staging folder, atomic swap, unchanged files untouched
 *
 * Only load.c reads files and only publish.c writes them; everything in
 * between works in memory.  Each third-party library is confined to one
 * file: iniparser to config.c, libyaml to frontmatter.c, md4c to render.c,
 * libxml2 to xml.c.
 *
 * Memory: every allocation is owned by exactly one struct and freed by its
 * *_free function at the end of the build, so the program runs clean under
 * valgrind.  Out of memory exits at once through the x* allocators.
 */
#ifndef FAQGEN_H
#define FAQGEN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FAQGEN_VERSION "0.1.0"

/* Exit statuses, as documented in faqgen.1. */
enum {
	EXIT_OK = 0,
	EXIT_CONTENT = 1,	/* content or template errors */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_SYSTEM = 3		/* system or I/O error */
};

/* ---------------------------------------------------------------- util.c */

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...)
	    __attribute__((format(printf, 1, 2)));

/*
 * Check that <s, len> is valid UTF-8 (no overlongs, no surrogates, no NUL).
 * Returns 0 when valid, else the byte offset + 1 of the first bad byte.
 */
size_t	 utf8_check(const char *s, size_t len);
/* Decode one code point at *s, advancing *s; returns -1 on a bad sequence. */
int32_t	 utf8_decode(const char **s, const char *end);
/* Encode cp into out (at least 4 bytes); returns the byte count. */
size_t	 utf8_encode(uint32_t cp, char *out);
/*
 * Text as an input must be: valid UTF-8 without NUL, control characters
 * (but tab and line ends) or U+FFFE/U+FFFF.  0 when it is; else -1, the
 * first problem reported to d as shown:line:col.
 */
struct diags;
int	 text_check(struct diags *, const char *shown, const char *s,
	    size_t len);

/* A fast 64-bit hash of <p, len>, chained through h. */
uint64_t hash_bytes(const void *, size_t, uint64_t h);
/*
 * A hash of this program: the bytes of the running executable and the
 * identity of every shared object loaded with it (md4c, libyaml,
 * iniparser, libxml2, libc, an LD_PRELOAD...), in load order, so any
 * change to the code or an upgraded library changes every key made from
 * it.  Computed once, at the first call; thread-safe.
 */
uint64_t program_hash(void);
struct dl_phdr_info;
/*
 * One loaded object's part of program_hash(), chained through h: its GNU
 * build-id, else the bytes of its file (dlpi_name), else that name.
 */
uint64_t program_object_hash(const struct dl_phdr_info *, uint64_t h);

/* Line number (1-based) of byte offset off in <s, len>. */
size_t	 line_of(const char *s, size_t len, size_t off);

/*
 * Relative path from the folder of output file `from` to output file `to`,
 * both relative to the site root, e.g. ("a/b.html", "c/d.html") ->
 * "../c/d.html".  Returns an allocated string.
 */
char	*path_relative(const char *from, const char *to);
/*
 * Join folder of `base` and relative `rel`, normalising "." and "..".
 * Returns NULL when the result would climb above the root.
 */
char	*path_resolve(const char *base, const char *rel);

/* ----------------------------------------------------------------- buf.c */

/* A growable byte buffer: grows 1.5x with overflow checks; always NUL-ended. */
struct buf {
	char	*data;		/* owned; NUL-terminated when cap > 0 */
	size_t	 len;
	size_t	 cap;
};

void	 buf_grow(struct buf *, size_t extra);

/*
 * Appending, inline: output is built of many short pieces, and a piece
 * that fits (nearly all) costs a compare and a copy.
 */
static inline void
buf_put(struct buf *b, const char *s, size_t len)
{
	if (len >= b->cap - b->len)
		buf_grow(b, len);
	if (len > 0)
		memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

static inline void
buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static inline void
buf_putc(struct buf *b, char c)
{
	if (b->cap - b->len < 2)
		buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/* v in decimal, without printf (for files of many numbers). */
void	 buf_put_dec(struct buf *, uint64_t);
/* Integers in the machine's byte order, for the build states. */
void	 buf_put_u32(struct buf *, uint32_t);
void	 buf_put_u64(struct buf *, uint64_t);
uint32_t get_u32(const void *);
uint64_t get_u64(const void *);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_truncate(struct buf *, size_t len);
/* Hand the bytes over to the caller, leaving the buffer empty. */
char	*buf_detach(struct buf *, size_t *len);
void	 buf_free(struct buf *);

/* Escaping, one function per output context (escape.c). */
void	 esc_html(struct buf *, const char *, size_t);	/* text and attributes */
void	 esc_json(struct buf *, const char *, size_t);	/* inside "..." ; also safe in <script> */
void	 esc_url(struct buf *, const char *, size_t);	/* percent-encode for href */
void	 esc_uri_path(struct buf *, const char *, size_t); /* a URI path */
/* Non-zero when a link target's scheme is one we refuse (javascript: ...). */
int	 url_is_unsafe(const char *, size_t);

/* ----------------------------------------------------------------- diag.c */

/*
 * Diagnostics, compiler style: "file:line: message".  Each page and stage
 * collects its own, so parallel stages stay deterministic; main.c prints
 * them in page order.
 */
struct diags {
	char	**msg;		/* owned list of owned messages */
	size_t	  n;
	size_t	  cap;
};

void	 diag_add(struct diags *, const char *file, size_t line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	 diag_addv(struct diags *, const char *file, size_t line,
	    const char *fmt, va_list);
void	 diag_move(struct diags *to, struct diags *from);
void	 diag_print(const struct diags *);
void	 diag_free(struct diags *);

/* --------------------------------------------------------------- config.c */

struct config {
	char	*path;		/* site.ini as given, owned */
	char	*title;		/* [site] title */
	char	*description;	/* [site] description */
	char	*base_url;	/* [site] base_url, with a trailing '/' */
	char	*language;	/* [site] language, e.g. "zh-CN" */
	char	*author;	/* [site] author (feed) */
	char	*content_dir;	/* [build] content, default "content" */
	char	*layouts_dir;	/* [build] layouts, default "layouts" */
	char	*output_dir;	/* [build] output, default "public" */
	char	*synonyms;	/* [search] synonyms file, may be NULL */
	int	 jobs;		/* [build] jobs, 0 = number of cores */
	int	 related;	/* [build] related questions per page, default 5 */
	int	 feed_entries;	/* [feed] entries, default 20 */
	int	 recent;	/* [site] recent updates on home, default 10 */
	int	 unsafe_html;	/* [markdown] unsafe_html: raw HTML passes */
	int	 all_limit;	/* [build] all_limit: largest site with all.html */
	int	 drafts;	/* --drafts */
	int	 quiet;		/* --quiet */
};

/* Fills cfg from file; missing file is an error unless optional. */
int	 config_load(struct config *, const char *file, int optional,
	    struct diags *);
void	 config_free(struct config *);

/* ---------------------------------------------------------- frontmatter.c */

struct strlist {
	char	**v;		/* owned list of owned strings */
	size_t	  n;
};

void	 strlist_add(struct strlist *, const char *, size_t);
void	 strlist_free(struct strlist *);

/* What the YAML front matter of one file says. */
struct frontmatter {
	char		*title;
	char		*description;
	char		*lastmod;	/* YYYY-MM-DD, checked */
	int		 weight;
	int		 draft;
	struct strlist	 tags;
	struct strlist	 keywords;
	struct strlist	 aliases;
	size_t		 aliases_line;	/* of the aliases key; 0: none */
};

/*
 * Parse the YAML in <s, len>, which starts on line `line0` of file `file`.
 * Reports every problem to d with its line; returns 0 on success.
 */
int	 frontmatter_parse(struct frontmatter *, const char *s, size_t len,
	    const char *file, size_t line0, struct diags *d);
void	 frontmatter_free(struct frontmatter *);

/* ----------------------------------------------------------------- load.c */

enum page_kind {
	PAGE_HOME,
	PAGE_CATEGORY,
	PAGE_QUESTION
};

struct heading {
	int	 level;		/* 1..6 */
	char	*id;		/* unique within the page, owned */
	char	*text;		/* plain text, owned */
};

/* A cross-reference: a link from one page's body to another .md file. */
struct xref {
	size_t		 line;		/* in the source file */
	char		*href;		/* as written, owned */
	struct page	*target;	/* borrowed; NULL when broken */
	char		*fragment;	/* without '#', owned, may be NULL */
};

struct page {
	enum page_kind	 kind;
	char		*src;		/* path under content/, "exam/id.md", owned */
	char		*file;		/* path as shown in errors, owned */
	char		*category_dir;	/* "exam"; "" for home, owned */
	char		*slug;		/* "id"; "" for home/category, owned */
	char		*out;		/* output path, "exam/id.html", owned */
	struct frontmatter fm;
	size_t		 body_line;	/* line of the body's first byte */
	uint64_t	 src_hash;	/* of the file as read */
	char		*body;		/* Markdown, owned */
	size_t		 body_len;

	/* render.c */
	struct buf	 html;		/* body HTML */
	char		*text;		/* body as plain text, owned */
	size_t		 text_len;	/* strlen(text) */
	char		*summary;	/* first paragraph as plain text, owned */
	struct heading	*headings;	/* owned */
	size_t		 nheadings;
	struct xref	*xrefs;		/* owned */
	size_t		 nxrefs;
	struct strlist	 external;	/* external URLs, as written, owned */
	struct diags	 diags;		/* this page's errors */
	int		 keep;		/* loaded and rendered without a
					   problem: saved for the next build
					   (page_state.c) */
	int		 site_links;	/* links to other files the site
					   writes (render.c published()):
					   checked anew, never saved */

	/* link.c: all borrowed */
	struct page	*category;	/* owning category; NULL for home */
	struct page	**questions;	/* a category's questions, owned array */
	size_t		 nquestions;
	struct page	*prev, *next;	/* within the category */
	struct page	**related;	/* owned array */
	size_t		 nrelated;
	struct strlist	 alias_out;	/* output paths of aliases */

	/* emit.c */
	char		*url_up;	/* "../" + out, owned */
	char		*anchor;	/* id inside all.html, owned */
	size_t		 order;		/* position in site order */
};

/* A file under layouts/: a template or a static asset. */
struct layout_file {
	char	*name;		/* path under layouts/, owned */
	char	*data;		/* owned */
	size_t	 len;
};

struct site {
	struct config	 cfg;
	struct page	**pages;	/* owned; home, then categories and
					   their questions in site order */
	size_t		 npages;
	struct page	*home;		/* borrowed */
	struct page	**categories;	/* owned array of borrowed */
	size_t		 ncategories;
	struct page	**questions;	/* owned array of borrowed, site order */
	size_t		 nquestions;
	struct layout_file *layouts;	/* owned */
	size_t		 nlayouts;
	char		*synonyms;	/* synonyms file contents, owned, may be NULL */
	size_t		 synonyms_len;
	struct diags	 diags;		/* site-level errors */
	int		 io_error;	/* an error was a system error */
	struct page	**by_src;	/* owned, pages sorted by src */
	const struct page_state *state;	/* the last build's pages, borrowed;
					   NULL: none */
	size_t		 nparsed;	/* front matters parsed, not taken
					   from state */
};

/* Walk content/ and read layouts/; returns 0 when no error was found. */
int	 load_site(struct site *);
struct page *site_find(const struct site *, const char *src);
/* Sort the page table for site_find(); call once loading is done. */
void	 site_index(struct site *);
void	 site_page_free(struct page *);
const struct layout_file *site_layout(const struct site *, const char *name);
void	 site_free(struct site *);

/* --------------------------------------------------------------- render.c */

/* Render one page's body; errors go to page->diags. */
void	 render_page(const struct site *, struct page *);
/* The answer as it stands inside all.html; the caller frees it. */
char	*render_all_body(const struct site *, const struct page *);
/* Free what render_page() made of a page (not its diagnostics). */
void	 render_free(struct page *);

/* ---------------------------------------------------------- page_state.c */

/*
 * What the last build made of each source file, for this one:
 * page_state_open() maps the last build's (out may be NULL: none).  With
 * the file's hash, page_state_frontmatter() gives its parsed front matter
 * and page_state_restore() a page its rendering, when everything they
 * depend on is unchanged (they return 1; thread-safe, one call a page);
 * else the caller parses or renders.  page_state_release() gives back the
 * memory of the renderings of pages before upto; page_state_save() writes,
 * as this build's state, every page whose keep is set, appending to the
 * last build's state what those two did not take from it when most of it
 * stays (0, or -1 on an error, reported through out).
 */
struct output;
struct page_state;
struct page_state *page_state_open(const struct config *, struct output *);
int	 page_state_frontmatter(const struct page_state *, const char *src,
	    uint64_t src_hash, struct frontmatter *);
int	 page_state_restore(const struct page_state *,
	    const struct site *, struct page *);
void	 page_state_release(struct page_state *, size_t upto);
int	 page_state_save(const struct page_state *, const struct site *,
	    struct output *);
void	 page_state_free(struct page_state *);

/* ----------------------------------------------------------------- link.c */

/* Check fragments, compute categories, prev/next and related questions. */
int	 link_site(struct site *);
/* Output path of an alias ("/old/x/" -> "old/x/index.html"), or NULL. */
char	*link_alias_path(const char *);
const char *link_alias_problem(const char *);
/* What emit writes beside the pages (all.html up to all_limit); NULL-ended. */
extern const char *const site_files[];

/* ------------------------------------------------------------- template.c */

/*
 * A logic-less template, a Mustache subset: {{name}} (escaped), {{{name}}}
 * (raw), {{#list}}...{{/list}}, {{^list}}...{{/list}}, {{> partial}},
 * {{! comment}}.  Dotted names are not supported; "." is the current item
 * only: a list of strings is a list of objects each setting key ".".
 * Parsed templates are read-only, so threads may render one at once.
 */
struct template;

/* A value a template can show: a string, or a list of objects. */
struct tval;
struct tobj;

struct tobj	*tobj_new(void);
void		 tobj_free(struct tobj *);
/*
 * Set key to a string; the object copies neither key nor value.  A key's
 * bytes must not change while the object lives, even once emptied (emit
 * passes string literals): a tree built again knows a key by its address.
 */
void		 tobj_str(struct tobj *, const char *key, const char *val);
/*
 * Set key to <val, len>, already escaped for HTML: {{key}} shows it as it
 * is.  Borrowed, like tobj_str's.
 */
void		 tobj_safe(struct tobj *, const char *key, const char *val,
		    size_t len);
/*
 * tobj_safe() for a value set on many pages, with vh = hash_bytes(val,
 * len, 0) computed once (not 0), which tobj_hash() then uses.
 */
void		 tobj_safe_hashed(struct tobj *, const char *key,
		    const char *val, size_t len, uint64_t vh);
/* Set key to an owned string (freed with the object). */
void		 tobj_own(struct tobj *, const char *key, char *val);
void		 tobj_bool(struct tobj *, const char *key, int val);
/* Append a new object to list `key` and return it (owned by parent). */
struct tobj	*tobj_push(struct tobj *, const char *key);
/*
 * Empty the object for the next page, keeping its memory: the objects of
 * its lists are emptied and handed out again by tobj_push().
 */
void		 tobj_reset(struct tobj *);
/*
 * A hash of everything o holds, chained through seed: every key, string
 * (and whether it is already escaped), flag and list, in the order set.
 * Equal trees hash alike, so a page rendered from a tree of the same hash
 * with the same templates has the same bytes.
 */
uint64_t	 tobj_hash(const struct tobj *, uint64_t seed);

struct template	*template_parse(const char *name, const char *s, size_t len,
		    struct diags *);
/* Lookup for partials: returns NULL when there is no such partial. */
typedef const struct template *(*template_partial_fn)(void *arg,
		    const char *name);
void		 template_render(const struct template *, const struct tobj *,
		    template_partial_fn, void *arg, struct buf *out);
void		 template_free(struct template *);
/* Report every {{> partial}} fn does not know; returns 0 when none. */
int		 template_check_partials(const struct template *,
		    template_partial_fn, void *arg, struct diags *);

/* ------------------------------------------------------------- tokenize.c */

/* What a search token is; search.js and tests/search/ use the same cuts. */
enum token_kind {
	TOKEN_WORD,	/* Latin word, number or code: "295px", "-1" */
	TOKEN_CHAR,	/* one CJK character */
	TOKEN_BIGRAM,	/* two adjacent CJK characters */
	TOKEN_TRIGRAM	/* three: two adjacent bigrams */
};

/* Called once per token; <tok, len> is only valid during the call. */
typedef void (*tokenize_fn)(void *arg, const char *tok, size_t len,
	    enum token_kind);
/* Cut <s, len> into search tokens, in text order. */
void	 tokenize_text(const char *s, size_t len, tokenize_fn, void *arg);

/*
 * A CJK token as a number: its kind in the top two bits and its code
 * points (all below 2^18) in 18 bits each, so equal keys are equal tokens.
 * A word's key is 0: only its bytes name it.
 */
#define TOKEN_KEY(kind, a, b, c) \
	((uint64_t)(kind) << 62 | (uint64_t)(a) << 36 | (uint64_t)(b) << 18 | \
	    (uint64_t)(c))
#define TOKEN_KEY_KIND(key)	((enum token_kind)((key) >> 62))
struct token_key {
	uint64_t	 key;		/* TOKEN_KEY(), or 0 for a word */
	const char	*s;		/* valid during the call only */
	uint32_t	 len;
	uint32_t	 kind;		/* enum token_kind */
};
/* Called with the tokens in batches, in text order. */
typedef void (*tokenize_key_fn)(void *arg, const struct token_key *,
	    size_t n);
/* tokenize_text() with each token's key; trigrams only when asked. */
void	 tokenize_keys(const char *s, size_t len, int trigrams,
	    tokenize_key_fn, void *arg);
/* How many TOKEN_CHAR and TOKEN_WORD tokens tokenize_text() would give. */
size_t	 tokenize_length(const char *s, size_t len);
/* FNV-1a of a token's bytes: picks its index shard (as search.js does). */
uint32_t tokenize_hash(const char *, size_t);

/* ---------------------------------------------------------------- index.c */

struct output;
/* Write the search index files through out. */
int	 index_write(const struct site *, struct output *);

/* ----------------------------------------------------------------- emit.c */

/*
 * Template errors go to the diags; output errors to the output's.  Each
 * page's HTML is freed once the page is written.
 */
int	 emit_site(struct site *, struct output *, struct diags *);
/* Only emit_site()'s template checks, into the diags. */
int	 emit_check(const struct site *, struct diags *);
/* Absolute URL of an output file ("a/index.html" -> base_url "a/"). */
char	*emit_url(const struct site *, const char *out);
/* Questions newest first by lastmod; *np of them count; caller frees. */
struct page **emit_recent(const struct site *, size_t max, size_t *np);
/* The path of a base URL: "https://x.cn/faq/" -> "/faq/". */
const char *base_path(const char *);

/* ------------------------------------------------------------------ xml.c */

/* The sitemap (or sitemap index with parts) and the Atom feed. */
int	 xml_sitemap(const struct site *, struct output *);
int	 xml_feed(const struct site *, struct output *);

/* -------------------------------------------------------------- publish.c */

struct publish_stats {
	size_t	 added;
	size_t	 changed;
	size_t	 unchanged;
	size_t	 removed;
	uint64_t bytes;		/* every output file */
	uint64_t written;	/* the files added or changed */
};

/*
 * The sink every stage writes through.  output_file() may be called from
 * several threads at once.  With dry_run nothing is written.
 */
struct output	*output_open(const char *dir, int dry_run, struct diags *);
int		 output_file(struct output *, const char *path,
		    const char *data, size_t len);
/*
 * output_file() that records key (nonzero: a hash of what the caller made
 * the bytes from) with the file in the manifest, for output_keep().
 */
int		 output_file_key(struct output *, const char *path,
		    uint64_t key, const char *data, size_t len);
/*
 * Keep the live output's file at path as this build's, when the build that
 * made the live output wrote it with this same nonzero key and it is
 * untouched since: returns 1, and the file counts as unchanged (its key is
 * recorded again).  Returns 0 when the caller must make the bytes (no such
 * file, another key, no manifest, dry run); -1 on an error (reported).
 * Thread-safe like output_file().
 */
int		 output_keep(struct output *, const char *path, uint64_t key);
/*
 * A build state: a file a stage saves for the next build, beside the
 * output (".public.state.NAME"), never inside it.  output_state() maps
 * the one saved by the build that made the live output, or returns NULL
 * (*len 0) when there is none or on a dry run; the bytes stay valid until
 * output_commit() or output_abort().  A state is a cache: its reader
 * checks it and computes afresh when it does not match.
 */
const void	*output_state(struct output *, const char *name, size_t *len);
/*
 * Save state NAME for the next build through the stream (write, close):
 * put in place with the new output at commit; the old one is removed
 * before the swap, so no state outlives the output it describes.  NULL on
 * a dry run.  Not shared between threads.
 */
struct ostream	*output_state_stream(struct output *, const char *name);
/*
 * Or, for a cache whose reader takes the last of what it finds, append to
 * the state output_state() mapped, from its end at (its length): kept in
 * place at commit, where the build's other states are swapped; cut back
 * to the last build's bytes when the build fails or is abandoned.  NULL
 * when there is no such state, on a dry run, or when the file is no longer
 * the one mapped, as it was: then save it whole with output_state_stream().
 */
struct ostream	*output_state_append(struct output *, const char *name,
		    size_t at);
/*
 * The same for a file written piece by piece; an error is reported and
 * output_stream_close() returns -1.  Not shared between threads.
 */
struct ostream	*output_stream(struct output *, const char *path);
void		 output_stream_write(struct ostream *, const char *,
		    size_t);
int		 output_stream_close(struct ostream *);
/*
 * The fingerprint of the inputs of the build that made the output (kept
 * beside it), or 0 when unknown or the output is gone.
 */
uint64_t	 output_last_inputs(const struct output *);
/* Files in the output as its build listed them; 0 when unknown. */
int		 output_live_files(const struct output *, size_t *);
/*
 * 1 when every file the output's manifest lists is still there as its
 * build left it (inode, size, mtime); 0 when one is not, or no manifest.
 */
int		 output_live_intact(const struct output *);
/* Record the inputs' fingerprint, written at commit. */
void		 output_set_inputs(struct output *, uint64_t);
/* Swap the staging folder in; returns 0 on success. */
int		 output_commit(struct output *, struct publish_stats *);
/* Throw the staging folder away (after an error). */
void		 output_abort(struct output *);
/* Remove an output folder and all a build keeps beside it. */
int		 output_remove(const char *);

/* --------------------------------------------------------------- pool.c */

/* Run fn(arg, i) for i in [0, n) on `jobs` threads; order of calls varies. */
void	 pool_run(size_t n, int jobs, void (*fn)(void *, size_t), void *arg);

/* ----------------------------------------------------------------- main.c */

/* The command line; NULL or -1 means "not given". */
struct options {
	const char	*command;	/* "build", "check", "serve", "new" */
	const char	*config;
	const char	*content;
	const char	*layouts;
	const char	*output;
	int		 jobs;		/* -1 = not given */
	int		 drafts;
	int		 quiet;
	int		 external;	/* check --external */
	int		 online;	/* check --external --online */
	const char	*port;		/* serve --port */
	const char	*bind;		/* serve --bind */
	const char	*title;		/* new --title */
};

/* What one build did, for serve's overlay and check --external. */
struct build_result {
	int		 keep_site;	/* in: hand the site over in site */
	struct site	*site;		/* out: owned by the caller if kept */
	struct diags	 errors;	/* out: copies of every message printed */
	struct publish_stats st;
	size_t		 npages;
	char		*content_dir;	/* out: as configured, owned */
	char		*layouts_dir;	/* out: owned */
	char		*base_url;	/* out: [site] base_url, owned */
};

/* site.ini as the options amend it; returns 0 or an exit status. */
int	 build_config(const struct options *, struct config *, struct diags *);
/* One build (dry: check only); returns the exit status. */
int	 build_site(const struct options *, int dry, struct build_result *);
void	 build_result_free(struct build_result *);

/* ------------------------------------------------------------- progress.c */

/*
 * A progress line on stderr for builds longer than a second, only when
 * stderr is a terminal: "faqgen: rendering 1200/10000", redrawn with \r.
 */
struct progress;

struct progress	*progress_start(int enabled);
/* Name the stage now running; total 0 when it has no count. */
void		 progress_stage(struct progress *, const char *, size_t total);
/* One more item of the stage done; safe from several threads. */
void		 progress_tick(struct progress *);
/* Clear the line and stop drawing, before other output. */
void		 progress_clear(struct progress *);
void		 progress_end(struct progress *);

/* ---------------------------------------------------------------- serve.c */

/* faqgen serve: build, serve over HTTP, rebuild on change, live reload. */
int	 serve_run(const struct options *);

/* ------------------------------------------------------------------ new.c */

/* faqgen new category/slug: write a question file; returns exit status. */
int	 new_question(const struct options *, const char *path);

/* ------------------------------------------------------------- external.c */

/* List external URLs with their pages; online: check them over HTTP. */
int	 external_report(const struct site *, int online, int jobs);

#endif /* !FAQGEN_H */
