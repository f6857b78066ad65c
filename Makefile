# faqgen: `make` installs what is missing, builds generator/faqgen and the
# site into public/; `make test` runs every test.

CC	?= cc
PKGS	 = md4c libxml-2.0 yaml-0.1 libcurl libmicrohttpd
WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wwrite-strings
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE $(WARN) -pthread -MMD -MP
CPPFLAGS = -Igenerator -I/usr/include/iniparser \
	   $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS	 = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -liniparser -lm -pthread
ifdef CI
CFLAGS	+= -Werror
endif

SRCS	 = $(wildcard generator/*.c)
OBJS	 = $(SRCS:.c=.o)
LIBOBJS	 = $(filter-out generator/main.o,$(OBJS))
UNITS	 = $(patsubst tests/unit/%.c,tests/build/%,$(wildcard tests/unit/test_*.c))
ASAN_DIR = generator/asan
ASAN_OBJS = $(patsubst generator/%.c,$(ASAN_DIR)/%.o,$(SRCS))
ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -O1 -g \
	     -Wno-format-truncation
ASAN_LIBOBJS = $(filter-out $(ASAN_DIR)/main.o,$(ASAN_OBJS))
ASAN_UNITS = $(patsubst tests/unit/%.c,tests/build/asan/%,$(wildcard tests/unit/test_*.c))
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	   UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

SEED	?= ../shared/seed/000_71fd8b6df9f16924.txt
QUERIES	?= ../shared/search/dev-queries.tsv
SCHEMA	?= ../shared/schemas/sitemap.xsd

# Debian packages: to build, and to run the tests.
BUILD_DEBS = gcc make pkg-config libmd4c-dev libxml2-dev libyaml-dev \
	     libcurl4-openssl-dev libmicrohttpd-dev \
	     libiniparser-dev
TEST_DEBS  = libxml2-utils valgrind chromium nodejs npm default-jre-headless \
	     python3 clang curl fonts-wqy-microhei

.PHONY: all deps test-deps site test unit unit-asan e2e test-asan test-valgrind \
	browser clean distclean bench fuzz fuzz-build fuzz-smoke

all: deps generator/faqgen site

# Install missing Debian packages (sudo when not root).
deps:
	@sh tests/install-debs.sh $(BUILD_DEBS)

test-deps: deps
	@sh tests/install-debs.sh $(TEST_DEBS)
	@if [ ! -d node_modules/playwright-core ] || \
	    [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		npm ci --no-audit --no-fund; fi

generator/faqgen: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $(OBJS) $(LDLIBS)

site: generator/faqgen
	generator/faqgen build

tests/build/%: tests/unit/%.c $(LIBOBJS) $(wildcard tests/unit/*.h)
	@mkdir -p tests/build
	$(CC) $(CFLAGS) $(CPPFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS)

$(ASAN_DIR)/%.o: generator/%.c
	@mkdir -p $(ASAN_DIR)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) $(CPPFLAGS) -c -o $@ $<

generator/faqgen-asan: $(ASAN_OBJS)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -o $@ $(ASAN_OBJS) $(LDLIBS)

unit: $(UNITS)
	@set -e; for t in $(UNITS); do echo "== $$t"; $$t; done

# The unit tests again, against the AddressSanitizer + UBSan objects.
tests/build/asan/%: tests/unit/%.c $(ASAN_LIBOBJS) $(wildcard tests/unit/*.h)
	@mkdir -p tests/build/asan
	$(CC) $(CFLAGS) $(ASAN_FLAGS) $(CPPFLAGS) -o $@ $< $(ASAN_LIBOBJS) $(LDLIBS)

unit-asan: $(ASAN_UNITS)
	@set -e; for t in $(ASAN_UNITS); do echo "== $$t"; $(ASAN_ENV) $$t; done

tests/build/linkcheck: tests/tools/linkcheck.c
	@mkdir -p tests/build
	$(CC) $(CFLAGS) $(CPPFLAGS) -o $@ $< $(LDLIBS)

e2e: generator/faqgen tests/build/linkcheck
	@FAQGEN=generator/faqgen SCHEMA=$(SCHEMA) sh tests/e2e.sh

# Everything a fresh clone needs to prove itself.
test: test-deps generator/faqgen tests/build/linkcheck unit fuzz-smoke e2e
	@FAQGEN=generator/faqgen SEED=$(SEED) QUERIES=$(QUERIES) \
	    SCHEMA=$(SCHEMA) sh tests/site.sh
	@$(MAKE) --no-print-directory test-asan

test-asan: generator/faqgen-asan tests/build/linkcheck unit-asan
	@FAQGEN=generator/faqgen-asan SCHEMA=$(SCHEMA) $(ASAN_ENV) \
	    sh tests/e2e.sh

test-valgrind: generator/faqgen tests/build/linkcheck
	@FAQGEN="valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 generator/faqgen" \
	    SCHEMA=$(SCHEMA) sh tests/e2e.sh

bench: generator/faqgen
	sh bench/run.sh

# libFuzzer harnesses (clang) for every parser of untrusted text;
# FUZZ_SECONDS per target, two at a time.  See tests/README.md.
FUZZ_SECONDS ?= 60
fuzz-build:
	@sh tests/fuzz/fuzz.sh build

fuzz:
	@sh tests/fuzz/fuzz.sh run $(FUZZ_SECONDS)

# Each harness built with $(CC) and a plain main() (tests/fuzz/smoke.c)
# against the modules fuzz.sh lists, and run on every test case's files:
# make test fails when fuzz.sh would no longer link, or a harness crashes.
FUZZ_MODULES = $(shell sh tests/fuzz/fuzz.sh modules)
FUZZ_SMOKE = $(patsubst tests/fuzz/%.c,tests/build/fuzz-smoke/%, \
	     $(wildcard tests/fuzz/fuzz_*.c))
tests/build/fuzz-smoke/%: tests/fuzz/%.c tests/fuzz/smoke.c \
    $(FUZZ_MODULES:%=generator/%.o)
	@mkdir -p tests/build/fuzz-smoke
	$(CC) $(CFLAGS) $(CPPFLAGS) -o $@ $< tests/fuzz/smoke.c \
	    $(FUZZ_MODULES:%=generator/%.o) $(LDLIBS)

fuzz-smoke: $(FUZZ_SMOKE)
	@set -e; for t in $(FUZZ_SMOKE); do \
	    find tests/cases -type f -print0 | sort -z | xargs -0 $$t; done

clean:
	rm -f generator/*.o generator/*.d generator/faqgen generator/faqgen-asan
	rm -rf $(ASAN_DIR) tests/build tests/out

distclean: clean
	rm -rf public .public.staging .public.old .public.spare node_modules
	rm -f .public.inputs .public.manifest .public.manifest.next \
	    .public.spare.manifest .public.state.*

%.o: %.c
	$(CC) $(CFLAGS) $(CPPFLAGS) -c -o $@ $<

-include $(OBJS:.o=.d) $(ASAN_OBJS:.o=.d)
