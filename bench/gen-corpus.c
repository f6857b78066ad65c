/*
 * gen-corpus: write a synthetic Chinese FAQ of N questions in faqgen's
 * content layout, for the benchmark.
 *
 *	gen-corpus [-s seed] [-w words.txt] N OUTDIR
 *
 * OUTDIR/_index.md is the home page, OUTDIR/cat-NNN/_index.md a category of
 * about 100 questions, OUTDIR/cat-NNN/q-NNNNNN.md a question with YAML front
 * matter (title, weight, lastmod, tags, keywords) and a Markdown answer of
 * 100 to 1500 Chinese characters: paragraphs, numbered lists, ## headings,
 * GitHub tables, bare URLs, phone numbers and 0 to 3 cross-references to
 * other questions.
 *
 * Deterministic: each question draws from its own PRNG stream, seeded from
 * the seed and its number, so the same arguments give the same bytes and
 * question k is the same whatever N is (except for links to questions
 * beyond N).  The words come from words.txt (made by mkwords.py): each
 * category has its own topic words and each question its own focus words,
 * so that text similarity finds related questions.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PER_CATEGORY	100
#define TOPIC_WORDS	40
#define FOCUS_WORDS	3

struct rng {
	uint64_t s;
};

struct word {
	char	*w;
	double	 cum;		/* cumulative weight up to and with this word */
	int	 topic;		/* may serve as a category topic word */
};

struct words {
	struct word	*v;
	size_t		 n;
	size_t		*topic;	/* indexes of topic words */
	size_t		 ntopic;
	double		 total;
};

struct category {
	size_t	 topic[TOPIC_WORDS];
	char	*title;
};

struct corpus {
	struct words	 words;
	uint64_t	 seed;
	size_t		 n;		/* questions */
	size_t		 ncat;
	struct category	*cat;
	char		**title;	/* of each question */
	int		 catw, qw;	/* digits in slugs */
	const char	*out;
};

/* A growable string. */
struct str {
	char	*s;
	size_t	 len, cap;
};

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL) {
		perror("gen-corpus");
		exit(1);
	}
	return p;
}

static void
sput(struct str *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 3 / 2 + 64;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
sputs(struct str *b, const char *s)
{
	sput(b, s, strlen(s));
}

static void
sprint(struct str *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sprint(struct str *b, const char *fmt, ...)
{
	char	 tmp[512];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		fprintf(stderr, "gen-corpus: line too long\n");
		exit(1);
	}
	sput(b, tmp, (size_t)n);
}

/* splitmix64: small, fast, and good enough for test data. */
static uint64_t
next(struct rng *r)
{
	uint64_t z;

	z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
rng_init(struct rng *r, uint64_t seed, uint64_t stream)
{
	r->s = seed * 0x2545f4914f6cdd1dULL + stream * 0x9e3779b97f4a7c15ULL;
	next(r);
}

/* Uniform in [0, n). */
static size_t
below(struct rng *r, size_t n)
{
	return (size_t)(next(r) % n);
}

static double
unit(struct rng *r)
{
	return (double)(next(r) >> 11) / 9007199254740992.0;
}

/* Uniform in [lo, hi]. */
static int
between(struct rng *r, int lo, int hi)
{
	return lo + (int)below(r, (size_t)(hi - lo + 1));
}

static int
chance(struct rng *r, double p)
{
	return unit(r) < p;
}

static void
words_load(struct words *ws, const char *file)
{
	FILE	*f;
	char	 line[256], *tab, *tab2;
	double	 weight;

	if ((f = fopen(file, "r")) == NULL) {
		fprintf(stderr, "gen-corpus: %s: %s\n", file, strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((tab = strchr(line, '\t')) == NULL ||
		    (tab2 = strchr(tab + 1, '\t')) == NULL)
			continue;
		*tab = '\0';
		weight = strtod(tab + 1, NULL);
		/* Flatten the head of the distribution a little. */
		if (weight > 50000)
			weight = 50000 + (weight - 50000) / 4;
		ws->v = xrealloc(ws->v, (ws->n + 1) * sizeof(*ws->v));
		ws->v[ws->n].w = strdup(line);
		ws->total += weight;
		ws->v[ws->n].cum = ws->total;
		ws->v[ws->n].topic = tab2[1] == 's' && strlen(line) >= 6;
		if (ws->v[ws->n].topic) {
			ws->topic = xrealloc(ws->topic,
			    (ws->ntopic + 1) * sizeof(*ws->topic));
			ws->topic[ws->ntopic++] = ws->n;
		}
		ws->n++;
	}
	fclose(f);
	if (ws->ntopic < TOPIC_WORDS) {
		fprintf(stderr, "gen-corpus: %s: too few words\n", file);
		exit(1);
	}
}

/* A word drawn by frequency. */
static const char *
common_word(const struct corpus *c, struct rng *r)
{
	double	 x;
	size_t	 lo, hi, mid;

	x = unit(r) * c->words.total;
	lo = 0;
	hi = c->words.n - 1;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (c->words.v[mid].cum <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return c->words.v[lo].w;
}

static const char *
topic_word(const struct corpus *c, size_t cat, struct rng *r)
{
	/* The first topic words of a category are its most frequent. */
	size_t i = below(r, TOPIC_WORDS);

	if (chance(r, 0.5))
		i = i / 4;
	return c->words.v[c->cat[cat].topic[i]].w;
}

/* Focus words of question q: drawn from its own stream, always the same. */
static const char *
focus_word(const struct corpus *c, size_t q, size_t k)
{
	struct rng r;

	rng_init(&r, c->seed ^ 0xf0c5, q * FOCUS_WORDS + k);
	if (k == 0)
		return topic_word(c, q / PER_CATEGORY, &r);
	return c->words.v[c->words.topic[below(&r, c->words.ntopic)]].w;
}

static const char *
body_word(const struct corpus *c, size_t q, struct rng *r)
{
	double x = unit(r);

	if (x < 0.08)
		return focus_word(c, q, below(r, FOCUS_WORDS));
	if (x < 0.35)
		return topic_word(c, q / PER_CATEGORY, r);
	return common_word(c, r);
}

/* Short words that glue the content words into something like prose. */
static const char *const glue[] = {
	"的", "的", "的", "和", "在", "可以", "需要", "应当", "按照", "进行",
	"是", "并", "对", "由", "向", "将", "已", "不", "或", "及", "为"
};

static void
sentence(struct str *b, const struct corpus *c, size_t q, struct rng *r)
{
	int	 n, i, run;

	n = between(r, 5, 16);
	run = between(r, 3, 7);
	for (i = 0; i < n; i++) {
		sputs(b, body_word(c, q, r));
		if (i + 1 < n && run > 1 && chance(r, 0.35))
			sputs(b, glue[below(r, sizeof(glue) / sizeof(glue[0]))]);
		if (i + 1 < n && --run == 0) {
			sputs(b, chance(r, 0.1) ? "；" : "，");
			run = between(r, 3, 7);
		}
	}
	sputs(b, chance(r, 0.05) ? "！" : "。");
}

static const char *const title_forms[] = {
	"如何%s%s？",
	"%s%s需要哪些材料？",
	"%s的%s在哪里可以查询？",
	"%s%s是否可以%s？",
	"办理%s%s需要多长时间？",
	"%s%s%s怎么办？",
	"%s后多久可以%s？",
	"%s%s有什么条件？",
	"为什么%s%s没有通过%s？",
	"%s和%s有什么区别？",
};

static char *
make_title(const struct corpus *c, size_t q)
{
	struct rng	 r;
	struct str	 b = { 0 };
	const char	*form, *w[3];
	int		 i;

	rng_init(&r, c->seed ^ 0x717e, q);
	form = title_forms[below(&r, sizeof(title_forms) /
	    sizeof(title_forms[0]))];
	w[0] = focus_word(c, q, 0);
	w[1] = focus_word(c, q, 1);
	w[2] = chance(&r, 0.5) ? focus_word(c, q, 2) :
	    topic_word(c, q / PER_CATEGORY, &r);
	/* Expand the %s by hand: the form is a constant of ours. */
	for (i = 0; *form != '\0'; form++) {
		if (form[0] == '%' && form[1] == 's') {
			sputs(&b, w[i++]);
			form++;
		} else
			sput(&b, form, 1);
	}
	return b.s;
}

static void
date(struct str *b, struct rng *r)
{
	/* Days since 2019-01-01, to a civil date. */
	static const int mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int	 d, y, m, len;

	d = (int)below(r, 6 * 365);
	for (y = 2019;; y++) {
		len = (y % 4 == 0) ? 366 : 365;
		if (d < len)
			break;
		d -= len;
	}
	for (m = 0;; m++) {
		len = mdays[m] + (m == 1 && y % 4 == 0);
		if (d < len)
			break;
		d -= len;
	}
	sprint(b, "%04d-%02d-%02d", y, m + 1, d + 1);
}

/* snprintf that refuses to truncate. */
static void
fmt(char *s, size_t size, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

static void
fmt(char *s, size_t size, const char *f, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, f);
	n = vsnprintf(s, size, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "gen-corpus: path too long\n");
		exit(1);
	}
}

static void
slug(char *s, size_t size, const struct corpus *c, size_t q)
{
	fmt(s, size, "cat-%0*zu/q-%0*zu", c->catw, q / PER_CATEGORY,
	    c->qw, q);
}

static void
write_file(const char *path, const struct str *b)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL ||
	    fwrite(b->s, 1, b->len, f) != b->len || fclose(f) != 0) {
		fprintf(stderr, "gen-corpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void
list(struct str *b, const struct corpus *c, size_t q, struct rng *r)
{
	int i, n = between(r, 2, 6);

	for (i = 1; i <= n; i++) {
		sprint(b, "%d. ", i);
		sentence(b, c, q, r);
		if (chance(r, 0.3))
			sentence(b, c, q, r);
		sputs(b, "\n");
	}
	sputs(b, "\n");
}

static void
table(struct str *b, const struct corpus *c, size_t q, struct rng *r)
{
	int i, rows = between(r, 2, 5);

	sprint(b, "| %s | %s | %s |\n| --- | --- | --- |\n",
	    topic_word(c, q / PER_CATEGORY, r), body_word(c, q, r), "收费标准");
	for (i = 0; i < rows; i++)
		sprint(b, "| %s%s | %s | %d元 |\n", body_word(c, q, r),
		    body_word(c, q, r), topic_word(c, q / PER_CATEGORY, r),
		    between(r, 0, 40) * 5);
	sputs(b, "\n");
}

static void
url(struct str *b, struct rng *r)
{
	static const char *const hosts[] = {
		"www.example.gov.cn", "rsj.example.gov.cn",
		"zwfw.example.gov.cn", "ybj.example.gov.cn"
	};
	static const char *const dirs[] = {
		"ywzt", "bsfw", "zcfg", "tzgg", "wsbs", "xxgk", "ksxx"
	};

	sprint(b, "https://%s/%s/%s/%zu.html", hosts[below(r, 4)],
	    dirs[below(r, 7)], dirs[below(r, 7)], below(r, 100000));
}

/* Chinese characters in <s, len>: the lead bytes of 3-byte sequences. */
static int
han(const char *s, size_t len)
{
	size_t	 i;
	int	 n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xf0) == 0xe0)
			n++;
	return n;
}

static void
question(const struct corpus *c, size_t q, struct str *b)
{
	struct rng	 r;
	char		 path[512], target[64];
	size_t		 cat = q / PER_CATEGORY, t, body;
	int		 want, have, i, n, xrefs, heads = 0, tables = 0;
	double		 u;

	rng_init(&r, c->seed, q);
	b->len = 0;
	sputs(b, "---\ntitle: \"");
	sputs(b, c->title[q]);
	sprint(b, "\"\nweight: %zu\nlastmod: ", q % PER_CATEGORY + 1);
	date(b, &r);
	sputs(b, "\ntags: [");
	n = between(&r, 1, 3);
	for (i = 0; i < n; i++)
		sprint(b, "%s\"%s\"", i ? ", " : "",
		    c->words.v[c->words.topic[below(&r, 60)]].w);
	sprint(b, "]\nkeywords: [\"%s\", \"%s\", \"%s\"]\n---\n\n",
	    focus_word(c, q, 0), focus_word(c, q, 1), focus_word(c, q, 2));

	/* 100 to 1500 characters, most of them short. */
	u = unit(&r);
	want = 100 + (int)(1400 * u * u * u);
	xrefs = (int)below(&r, 4);
	if (c->n == 1)
		xrefs = 0;
	body = b->len;
	sentence(b, c, q, &r);
	if (chance(&r, 0.5))
		sentence(b, c, q, &r);
	sputs(b, "\n\n");
	for (;;) {
		have = han(b->s + body, b->len - body);
		if (have >= want && xrefs == 0)
			break;
		u = unit(&r);
		if (have >= want)
			u = 0.55;	/* the cross-references still owed */
		if (u < 0.12 && heads < 3) {
			sprint(b, "## %s%s\n\n", topic_word(c, cat, &r),
			    body_word(c, q, &r));
			heads++;
		} else if (u < 0.30) {
			list(b, c, q, &r);
		} else if (u < 0.35 && tables == 0) {
			table(b, c, q, &r);
			tables++;
		} else if (u < 0.45) {
			sentence(b, c, q, &r);
			if (chance(&r, 0.5)) {
				sputs(b, "详情请访问： ");
				url(b, &r);
				sputs(b, "\n\n");
			} else {
				sputs(b, "可以登录网站（");
				url(b, &r);
				sputs(b, "）查询。\n\n");
			}
		} else if (u < 0.52) {
			sentence(b, c, q, &r);
			if (chance(&r, 0.5))
				sprint(b, "咨询电话：020-%08zu。\n\n",
				    10000000 + below(&r, 90000000));
			else
				sputs(b, "也可以拨打12345政务服务热线咨询。\n\n");
		} else if (u < 0.62 && xrefs > 0) {
			/* A cross-reference, mostly within the category. */
			do {
				if (chance(&r, 0.6)) {
					t = cat * PER_CATEGORY +
					    below(&r, PER_CATEGORY);
					if (t >= c->n)
						t = below(&r, c->n);
				} else
					t = below(&r, c->n);
			} while (t == q);
			slug(target, sizeof(target), c, t);
			sentence(b, c, q, &r);
			sputs(b, "具体可参考[");
			sputs(b, c->title[t]);
			sprint(b, "](../%s.md)。\n\n", target);
			xrefs--;
		} else {
			n = between(&r, 1, 4);
			for (i = 0; i < n; i++)
				sentence(b, c, q, &r);
			sputs(b, "\n\n");
		}
	}
	b->len--;	/* one newline at the end */
	b->s[b->len] = '\0';

	slug(target, sizeof(target), c, q);
	fmt(path, sizeof(path), "%s/%s.md", c->out, target);
	write_file(path, b);
}

static void
make_dir(const char *path)
{
	if (mkdir(path, 0777) == -1 && errno != EEXIST) {
		fprintf(stderr, "gen-corpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void
category(const struct corpus *c, size_t k, struct str *b)
{
	struct rng	 r;
	char		 path[512];
	int		 i;

	rng_init(&r, c->seed ^ 0xca7, k);
	b->len = 0;
	sprint(b, "---\ntitle: \"%s\"\nweight: %zu\ndescription: \"",
	    c->cat[k].title, k + 1);
	for (i = 0; i < 2; i++)
		sputs(b, topic_word(c, k, &r));
	sputs(b, "相关问题解答。\"\n---\n\n");
	for (i = between(&r, 1, 3); i > 0; i--)
		sentence(b, c, k * PER_CATEGORY, &r);
	sputs(b, "\n");
	fmt(path, sizeof(path), "%s/cat-%0*zu", c->out, c->catw, k);
	make_dir(path);
	fmt(path, sizeof(path), "%s/cat-%0*zu/_index.md", c->out,
	    c->catw, k);
	write_file(path, b);
}

static int
digits(size_t n)
{
	int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

int
main(int argc, char *argv[])
{
	struct corpus	 c;
	struct rng	 r;
	struct str	 b = { 0 };
	const char	*wordfile = "bench/words.txt";
	char		 path[512], *end;
	size_t		 i, k, j, t;
	int		 ch;

	memset(&c, 0, sizeof(c));
	c.seed = 20240601;
	while ((ch = getopt(argc, argv, "s:w:")) != -1) {
		switch (ch) {
		case 's':
			c.seed = strtoull(optarg, NULL, 10);
			break;
		case 'w':
			wordfile = optarg;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		goto usage;
	c.n = strtoul(argv[0], &end, 10);
	if (*end != '\0' || c.n == 0)
		goto usage;
	c.out = argv[1];
	c.ncat = (c.n + PER_CATEGORY - 1) / PER_CATEGORY;
	c.catw = digits(c.ncat - 1) < 3 ? 3 : digits(c.ncat - 1);
	c.qw = digits(c.n - 1) < 6 ? 6 : digits(c.n - 1);
	words_load(&c.words, wordfile);

	/* Each category gets distinct topic words of its own. */
	c.cat = calloc(c.ncat, sizeof(*c.cat));
	c.title = calloc(c.n, sizeof(*c.title));
	if (c.cat == NULL || c.title == NULL) {
		perror("gen-corpus");
		return 1;
	}
	for (k = 0; k < c.ncat; k++) {
		rng_init(&r, c.seed ^ 0x70b1c, k);
		for (j = 0; j < TOPIC_WORDS; j++) {
again:
			t = c.words.topic[below(&r, c.words.ntopic)];
			for (i = 0; i < j; i++)
				if (c.cat[k].topic[i] == t)
					goto again;
			c.cat[k].topic[j] = t;
		}
		b.len = 0;
		sprint(&b, "%s%s", c.words.v[c.cat[k].topic[0]].w,
		    c.words.v[c.cat[k].topic[1]].w);
		c.cat[k].title = strdup(b.s);
	}
	for (i = 0; i < c.n; i++)
		c.title[i] = make_title(&c, i);

	make_dir(c.out);
	b.len = 0;
	sprint(&b, "---\ntitle: \"政务服务常见问题\"\ndescription: "
	    "\"%zu个常见问题的解答\"\n---\n\n", c.n);
	sputs(&b, "本站收集了办事群众经常咨询的问题及解答，按类别整理。\n");
	fmt(path, sizeof(path), "%s/_index.md", c.out);
	write_file(path, &b);
	for (k = 0; k < c.ncat; k++)
		category(&c, k, &b);
	for (i = 0; i < c.n; i++)
		question(&c, i, &b);

	for (i = 0; i < c.n; i++)
		free(c.title[i]);
	for (k = 0; k < c.ncat; k++)
		free(c.cat[k].title);
	for (i = 0; i < c.words.n; i++)
		free(c.words.v[i].w);
	free(c.title);
	free(c.cat);
	free(c.words.v);
	free(c.words.topic);
	free(b.s);
	return 0;
usage:
	fprintf(stderr, "usage: gen-corpus [-s seed] [-w words.txt] N OUTDIR\n");
	return 2;
}
