/*
 * fuzz_tokenize.c: libFuzzer harness for the search tokenizer.  Any
 * bytes: index.c feeds it rendered text, but it must not read out of
 * bounds on anything.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "faqgen.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct count {
	size_t	 n;
	size_t	 bytes;
};

static void
token(void *arg, const char *tok, size_t len, enum token_kind kind)
{
	struct count	*c = arg;
	char		 copy[512];

	/* Touch every byte, so ASan sees a token that is out of bounds. */
	if (len == 0 || len > sizeof(copy) || kind > TOKEN_TRIGRAM)
		__builtin_trap();
	memcpy(copy, tok, len);
	c->n++;
	c->bytes += len;
	(void)tokenize_hash(copy, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct count	 c = { 0, 0 };

	tokenize_text((const char *)data, size, token, &c);
	return 0;
}
