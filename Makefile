# gatehouse build. `make` builds build/gatehouse; `make check` installs the Debian
# dependencies and runs every test (unit, conformance, end to end, sanitizer build, fuzz
# smoke); `make sandbox` starts the sandbox on ./var. See README.md.

CC ?= cc
BUILD ?= build
PKGS := libmicrohttpd jansson yaml-0.1 sqlite3 openssl libcurl libpq
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPT ?= -O2
CFLAGS_BASE := -std=c17 -Wall -Wextra -Werror -Wno-unused-parameter -g $(OPT) \
	-D_GNU_SOURCE -Isrc -Itests/unit $(PKG_CFLAGS)
ifeq ($(SAN),1)
CFLAGS_BASE += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDSAN := -fsanitize=address,undefined
endif
CFLAGS += $(CFLAGS_BASE)
LDLIBS := $(PKG_LIBS) -lpthread -lm

LIB_SRC := $(shell find src -name '*.c' ! -path 'src/cmd/*' | sort)
CMD_SRC := $(shell find src/cmd -name '*.c' | sort)
UNIT_SRC := $(shell find tests/unit -name '*.c' | sort)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ := $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)

.PHONY: all deps check test test-fast asan fuzz fuzz-smoke bench sandbox clean

all: $(BUILD)/gatehouse $(BUILD)/unit_tests

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libgatehouse.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/gatehouse: $(CMD_OBJ) $(BUILD)/libgatehouse.a
	$(CC) $(LDSAN) -o $@ $(CMD_OBJ) $(BUILD)/libgatehouse.a $(LDLIBS)

$(BUILD)/unit_tests: $(UNIT_OBJ) $(BUILD)/libgatehouse.a
	$(CC) $(LDSAN) -o $@ $(UNIT_OBJ) $(BUILD)/libgatehouse.a $(LDLIBS)

deps:
	bash scripts/install-deps.sh

# The whole suite: normal build, then the ASan+UBSan build, then the fuzz smoke runs.
check: deps
	bash scripts/run-tests.sh

# Just the normal build's suite (no sanitizer pass, no fuzzing): for the edit loop.
test: all
	GH_SUITES="unit e2e" bash scripts/run-tests.sh

asan:
	$(MAKE) BUILD=build-asan SAN=1 OPT=-O1 all

FUZZ_SRC := $(wildcard fuzz/*_fuzz.c)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)
FUZZ_CFLAGS := -std=c17 -g -O1 -D_GNU_SOURCE -Isrc $(PKG_CFLAGS) -fsanitize=address,undefined \
	-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined
FUZZ_OBJ := $(LIB_SRC:%.c=build-fuzz/obj/%.o)
fuzz: $(FUZZ_BIN)
# The library is compiled once for every target (with coverage instrumentation).
build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
build-fuzz/libgatehouse-fuzz.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^
build-fuzz/%_fuzz: fuzz/%_fuzz.c build-fuzz/libgatehouse-fuzz.a
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< build-fuzz/libgatehouse-fuzz.a $(LDLIBS)

# The benchmarks (bench/run.sh builds the ones it runs).
$(BUILD)/bench_%: bench/bench_%.c $(BUILD)/libgatehouse.a
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libgatehouse.a $(LDLIBS)

bench: all
	bash bench/run.sh

sandbox: deps all
	./$(BUILD)/gatehouse serve --state-dir ./var

clean:
	rm -rf build build-asan build-fuzz

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(wildcard build-fuzz/obj/src/*/*.d build-fuzz/obj/src/*/*/*.d)
