/*
 * smoke.c: a main() for a fuzz harness without libFuzzer, so make test
 * builds every harness with the compiler at hand, against the modules
 * tests/fuzz/fuzz.sh lists, and runs it once on each file named.
 *
 *	fuzz_TARGET FILE...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char *argv[])
{
	FILE	*f;
	char	*data = NULL;
	size_t	 len, cap = 0;
	int	 i, c;

	for (i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return 1;
		}
		for (len = 0; (c = getc(f)) != EOF; data[len++] = (char)c)
			if (len == cap && (data = realloc(data,
			    cap = cap * 2 + 4096)) == NULL)
				return 1;
		fclose(f);
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	}
	free(data);
	printf("%s: %d inputs\n", argv[0], argc - 1);
	return 0;
}
