/*
 * Unit tests: escaping, URL and path building, UTF-8, hashes and the
 * program's identity (util.c, escape.c).
 */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faqgen.h"
#include "harness.h"

static void
check_rel(const char *from, const char *to, const char *want)
{
	char	*got = path_relative(from, to);

	CHECK_STR(got, want);
	free(got);
}

static void
check_res(const char *base, const char *rel, const char *want)
{
	char	*got = path_resolve(base, rel);

	if (want == NULL)
		CHECK(got == NULL);
	else
		CHECK_STR(got, want);
	free(got);
}

static void
paths(void)
{
	check_rel("a/b.html", "a/c.html", "c.html");
	check_rel("a/b.html", "c/d.html", "../c/d.html");
	check_rel("index.html", "c/d.html", "c/d.html");
	check_rel("c/d.html", "index.html", "../index.html");
	check_rel("ab/x.html", "a/y.html", "../a/y.html");
	check_res("exam/id.md", "../pay/refund.md", "pay/refund.md");
	check_res("exam/id.md", "other.md", "exam/other.md");
	check_res("exam/id.md", "./x/../y.md", "exam/y.md");
	check_res("exam/id.md", "../../etc/passwd.md", NULL);
	check_res("exam/id.md", "/abs.md", NULL);
	check_res("_index.md", "exam/a.md", "exam/a.md");
}

static void
escapes(void)
{
	struct buf	 b = { NULL, 0, 0 };

	esc_html(&b, "<a href=\"x\">'&'</a>", 19);
	CHECK_STR(b.data, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
	buf_truncate(&b, 0);
	esc_json(&b, "</script>\"\\\n\x01\xe2\x80\xa8", 16);
	CHECK_STR(b.data, "\\u003c/script\\u003e\\\"\\\\\\n\\u0001\\u2028");
	buf_truncate(&b, 0);
	esc_url(&b, "http://x.cn/a b?q=1&r=\"<>\"", 26);
	CHECK_STR(b.data, "http://x.cn/a%20b?q=1&amp;r=%22%3C%3E%22");
	buf_truncate(&b, 0);
	esc_url(&b, "../a/报考.html#一", strlen("../a/报考.html#一"));
	CHECK_STR(b.data, "../a/报考.html#一");
	/* A URI path: all but letters, digits and -._~/ as %XX, UTF-8. */
	buf_truncate(&b, 0);
	esc_uri_path(&b, "a_b/报考-1.~x y%&", strlen("a_b/报考-1.~x y%&"));
	CHECK_STR(b.data, "a_b/%E6%8A%A5%E8%80%83-1.~x%20y%25%26");
	buf_free(&b);
	CHECK(url_is_unsafe("javascript:alert(1)", 19));
	CHECK(url_is_unsafe(" JavaScript:alert(1)", 20));
	CHECK(url_is_unsafe("java\tscript:x", 13));
	CHECK(url_is_unsafe("vbscript:x", 10));
	CHECK(url_is_unsafe("data:text/html,x", 16));
	CHECK(!url_is_unsafe("https://x.cn/javascript:", 24));
	CHECK(!url_is_unsafe("../a/b.md", 9));
	CHECK(!url_is_unsafe("mailto:a@b.cn", 13));
}

/* The escapes one byte at a time: what esc_html() and esc_json() must give. */
static void
ref_escape(struct buf *b, const unsigned char *s, size_t len, int json)
{
	char	 x[8];
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (!json) {
			if (s[i] == '&')
				buf_puts(b, "&amp;");
			else if (s[i] == '<')
				buf_puts(b, "&lt;");
			else if (s[i] == '>')
				buf_puts(b, "&gt;");
			else if (s[i] == '"')
				buf_puts(b, "&quot;");
			else if (s[i] == '\'')
				buf_puts(b, "&#39;");
			else if (s[i] == 0)
				buf_puts(b, "\xef\xbf\xbd");
			else
				buf_putc(b, (char)s[i]);
			continue;
		}
		if (s[i] == 0xe2 && i + 2 < len && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
			buf_puts(b, s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
			i += 2;
		} else if (s[i] == '"')
			buf_puts(b, "\\\"");
		else if (s[i] == '\\')
			buf_puts(b, "\\\\");
		else if (s[i] == '\n')
			buf_puts(b, "\\n");
		else if (s[i] == '\r')
			buf_puts(b, "\\r");
		else if (s[i] == '\t')
			buf_puts(b, "\\t");
		else if (s[i] < 0x20 || s[i] == '<' || s[i] == '>' ||
		    s[i] == '&') {
			snprintf(x, sizeof(x), "\\u%04x", s[i]);
			buf_puts(b, x);
		} else
			buf_putc(b, (char)s[i]);
	}
}

/*
 * The escapes skip eight non-ASCII bytes at a time: texts of Chinese,
 * U+2028, U+2029, other E2 characters and every special byte, mixed at
 * every offset and length, escape as one byte at a time does.
 */
static void
escapes_mixed(void)
{
	static const char *const piece[] = { "报考", "，", "\xe2\x80\xa8",
	    "\xe2\x80\xa9", "\xe2\x80\x9c", "\xe2\x80", "<", ">", "&", "\"",
	    "'", "\\", "\n", "\t", "\x01", "a", "http://x.cn", "\xe2" };
	struct buf	 in = { NULL, 0, 0 }, got = { NULL, 0, 0 };
	struct buf	 want = { NULL, 0, 0 };
	uint32_t	 r = 1;
	size_t		 t, k, n, bad = 0;
	int		 json;

	for (t = 0; t < 4000; t++) {
		buf_truncate(&in, 0);
		n = t % 23;
		for (k = 0; k < n; k++) {
			r = r * 1103515245u + 12345u;
			buf_puts(&in, piece[(r >> 16) % (sizeof(piece) /
			    sizeof(piece[0]))]);
		}
		if (t % 7 == 0)
			buf_put(&in, "\0z", 2);
		for (json = 0; json < 2; json++) {
			buf_truncate(&got, 0);
			buf_truncate(&want, 0);
			if (json)
				esc_json(&got, in.data, in.len);
			else
				esc_html(&got, in.data, in.len);
			ref_escape(&want, (const unsigned char *)in.data,
			    in.len, json);
			if (got.len != want.len ||
			    memcmp(got.data, want.data, got.len) != 0)
				bad++;
		}
	}
	CHECK(bad == 0);
	buf_free(&in);
	buf_free(&got);
	buf_free(&want);
}

static void
utf8(void)
{
	const char	*s = "a\xe4\xb8\x80", *p = s;
	char		 out[4];

	CHECK(utf8_check("ok 中文", strlen("ok 中文")) == 0);
	CHECK(utf8_check("a\xff", 2) == 2);
	CHECK(utf8_check("a\xc0\xaf", 3) == 2);	/* overlong */
	CHECK(utf8_check("\xed\xa0\x80", 3) == 1);	/* surrogate */
	CHECK(utf8_check("a\0b", 3) == 2);
	CHECK(utf8_check("\xe4\xb8", 2) == 1);		/* truncated */
	CHECK(utf8_decode(&p, s + 4) == 'a');
	CHECK(utf8_decode(&p, s + 4) == 0x4e00);
	CHECK(utf8_encode(0x4e00, out) == 3 && memcmp(out, "\xe4\xb8\x80", 3) == 0);
	CHECK(line_of("a\nb\nc", 5, 0) == 1);
	CHECK(line_of("a\nb\nc", 5, 4) == 3);
}

static void
buffers(void)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*p;
	size_t		 len, i;

	for (i = 0; i < 10000; i++)
		buf_putc(&b, 'x');
	CHECK(b.len == 10000 && b.cap > 10000 && b.data[10000] == '\0');
	buf_printf(&b, "%d", 42);
	CHECK(b.len == 10002);
	p = buf_detach(&b, &len);
	CHECK(len == 10002 && b.data == NULL && b.len == 0);
	free(p);

	buf_put_dec(&b, 0);
	buf_putc(&b, ' ');
	buf_put_dec(&b, 1234567890);
	buf_putc(&b, ' ');
	buf_put_dec(&b, UINT64_MAX);
	CHECK_STR(b.data, "0 1234567890 18446744073709551615");
	buf_free(&b);
}

/* Every byte counts, in every lane and in the tail, and so does h. */
static void
hashes(void)
{
	char		 a[203], b[203];
	uint64_t	 h, seen[203];
	size_t		 i, j, len, dup = 0;

	for (i = 0; i < sizeof(a); i++)
		a[i] = (char)(i * 31 + 7);
	for (len = 0; len < sizeof(a); len += 67) {
		CHECK(hash_bytes(a, len, 0) == hash_bytes(a, len, 0));
		CHECK(hash_bytes(a, len, 0) != hash_bytes(a, len, 1));
		CHECK(len == 0 || hash_bytes(a, len, 0) !=
		    hash_bytes(a, len - 1, 0));
	}
	h = hash_bytes(a, sizeof(a), 0);
	for (i = 0; i < sizeof(a); i++) {
		memcpy(b, a, sizeof(a));
		b[i] ^= 1;
		seen[i] = hash_bytes(b, sizeof(b), 0);
		CHECK(seen[i] != h);
	}
	for (i = 0; i < sizeof(a); i++)
		for (j = i + 1; j < sizeof(a); j++)
			dup += seen[i] == seen[j];
	CHECK(dup == 0);
	/* Two 8-byte blocks swapped between lanes. */
	memcpy(b, a, sizeof(a));
	memcpy(b, a + 8, 8);
	memcpy(b + 8, a, 8);
	CHECK(hash_bytes(b, sizeof(b), 0) != h);
}

/*
 * A fabricated loaded object for program_object_hash(): its notes in one
 * PT_NOTE segment aligned to align, at offset 0 from its load address.
 */
struct fake_object {
	unsigned char	 notes[256] __attribute__((aligned(8)));
	size_t		 len;		/* bytes used in notes */
	ElfW(Phdr)	 ph;
	struct dl_phdr_info info;
};

static void
fake_init(struct fake_object *o, const char *name, size_t align)
{
	memset(o, 0, sizeof(*o));
	o->ph.p_type = PT_NOTE;
	o->ph.p_align = align;
	o->info.dlpi_addr = (ElfW(Addr))o->notes;
	o->info.dlpi_name = name;
	o->info.dlpi_phdr = &o->ph;
	o->info.dlpi_phnum = 1;
}

/* Append a note, its name and descriptor padded to the segment's align. */
static void
fake_note(struct fake_object *o, uint32_t type, const char *name,
    const void *desc, uint32_t desclen)
{
	ElfW(Nhdr)	 n;
	size_t		 a = o->ph.p_align;

	n.n_namesz = (uint32_t)strlen(name) + 1;
	n.n_descsz = desclen;
	n.n_type = type;
	memcpy(o->notes + o->len, &n, sizeof(n));
	o->len += sizeof(n);
	memcpy(o->notes + o->len, name, n.n_namesz);
	o->len += (n.n_namesz + a - 1) / a * a;
	memcpy(o->notes + o->len, desc, desclen);
	o->len += (desclen + a - 1) / a * a;
	o->ph.p_filesz = o->ph.p_memsz = o->len;
}

static void
fake_write(const char *path, const char *s)
{
	FILE	*f = fopen(path, "w");

	CHECK(f != NULL && fputs(s, f) >= 0);
	CHECK(f != NULL && fclose(f) == 0);
}

/* libc's dl_phdr_info as loaded in this process, in *out. */
static int
find_libc(struct dl_phdr_info *info, size_t size, void *out)
{
	(void)size;
	if (strstr(info->dlpi_name, "/libc.so") == NULL)
		return 0;
	memcpy(out, info, sizeof(*info));
	return 1;
}

/*
 * program_hash() covers each shared library by its build-id (else its
 * file's bytes, else its name): the same object always hashes the same,
 * another build of it does not.
 */
static void
program_objects(void)
{
	static const unsigned char prop[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9,
	    10, 11, 12 };
	unsigned char	 id[20];
	struct fake_object o;
	struct dl_phdr_info libc;
	char		 path[] = "/tmp/faqgen-test-util.XXXXXX";
	uint64_t	 h, h2;
	size_t		 i;
	int		 fd;

	CHECK(program_hash() == program_hash());
	CHECK(program_hash() != 0);
	for (i = 0; i < sizeof(id); i++)
		id[i] = (unsigned char)(i * 37 + 11);

	/* A build-id after another GNU note: the build-id is the identity. */
	fake_init(&o, "/nonexistent/libfake.so.1", 4);
	fake_note(&o, NT_GNU_PROPERTY_TYPE_0, "GNU", prop, 8);
	fake_note(&o, NT_GNU_BUILD_ID, "GNU", id, sizeof(id));
	h = program_object_hash(&o.info, 0);
	CHECK(program_object_hash(&o.info, 0) == h);
	CHECK(program_object_hash(&o.info, 1) != h);
	o.info.dlpi_name = "/elsewhere/libfake.so.1";
	CHECK(program_object_hash(&o.info, 0) == h);
	/* The same build-id in a segment of 8-byte aligned notes. */
	fake_init(&o, "/nonexistent/libfake.so.1", 8);
	fake_note(&o, NT_GNU_PROPERTY_TYPE_0, "GNU", prop, 12);
	fake_note(&o, NT_GNU_BUILD_ID, "GNU", id, sizeof(id));
	CHECK(program_object_hash(&o.info, 0) == h);
	/* Another build of the library: every byte of its id counts. */
	for (i = 0; i < sizeof(id); i++) {
		fake_init(&o, "/nonexistent/libfake.so.1", 4);
		id[i] ^= 0x40;
		fake_note(&o, NT_GNU_BUILD_ID, "GNU", id, sizeof(id));
		id[i] ^= 0x40;
		CHECK(program_object_hash(&o.info, 0) != h);
	}

	/* No build-id (another owner's note, a cut segment): the name. */
	fake_init(&o, "/nonexistent/libfake.so.1", 4);
	fake_note(&o, NT_GNU_BUILD_ID, "XYZ", id, sizeof(id));
	h2 = program_object_hash(&o.info, 0);
	CHECK(h2 != h);
	fake_init(&o, "/nonexistent/libfake.so.1", 4);
	fake_note(&o, NT_GNU_BUILD_ID, "GNU", id, sizeof(id));
	o.ph.p_filesz -= 1;
	CHECK(program_object_hash(&o.info, 0) == h2);
	o.ph.p_filesz = 5;
	CHECK(program_object_hash(&o.info, 0) == h2);
	o.info.dlpi_name = "/nonexistent/libfake.so.2";
	CHECK(program_object_hash(&o.info, 0) != h2);

	/* No build-id and a file: its bytes, wherever it is. */
	fd = mkstemp(path);
	CHECK(fd != -1);
	if (fd != -1)
		close(fd);
	fake_write(path, "libfake, first build");
	fake_init(&o, path, 4);
	h = program_object_hash(&o.info, 0);
	CHECK(h != h2 && program_object_hash(&o.info, 0) == h);
	fake_write(path, "libfake, second build");
	CHECK(program_object_hash(&o.info, 0) != h);
	fake_write(path, "libfake, first build");
	CHECK(program_object_hash(&o.info, 0) == h);
	unlink(path);

	/* libc as loaded here: its build-id, read from memory, not its file. */
	memset(&libc, 0, sizeof(libc));
	CHECK(dl_iterate_phdr(find_libc, &libc) == 1);
	if (libc.dlpi_name != NULL) {
		h = program_object_hash(&libc, 0);
		libc.dlpi_name = "/nonexistent/libc.so.6";
		CHECK(program_object_hash(&libc, 0) == h);
	}
}

int
main(void)
{
	TEST(hashes);
	TEST(program_objects);
	TEST(paths);
	TEST(escapes);
	TEST(escapes_mixed);
	TEST(utf8);
	TEST(buffers);
	return harness_done();
}
