/*
 * fuzz_config.c: libFuzzer harness for site.ini through config_load().
 * config_load() reads a file, so the input goes into a memfd and is read
 * back through /proc/self/fd.
 */
#include <sys/mman.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faqgen.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	 fd = -1;
static char	 path[64];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 cfg;
	struct diags	 d = { NULL, 0, 0 };

	if (fd == -1) {
		if ((fd = memfd_create("site.ini", 0)) == -1)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	memset(&cfg, 0, sizeof(cfg));
	if (config_load(&cfg, path, 0, &d) == 0) {
		/* What the rest of the build relies on after a success. */
		if (cfg.base_url == NULL || cfg.content_dir == NULL ||
		    cfg.layouts_dir == NULL || cfg.output_dir == NULL ||
		    cfg.title == NULL ||
		    cfg.base_url[strlen(cfg.base_url) - 1] != '/')
			__builtin_trap();
	} else if (d.n == 0)
		__builtin_trap();	/* a failure always says why */
	config_free(&cfg);
	diag_free(&d);
	return 0;
}
