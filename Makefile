# mailvet — build, set-up, tests. `make run` and `make test` do everything
# on a fresh Debian 12 machine, installing missing packages first.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BUILD    ?= build
CC       ?= cc
CLANG    ?= clang
Q        ?= @

# Debian packages: to build and run; and for the tests on top.
DEPS_RUN  = make gcc pkg-config libncurses-dev libcsv-dev libc-ares-dev \
            libssl-dev libidn2-dev libsqlite3-dev
DEPS_TEST = $(DEPS_RUN) clang libclang-rt-14-dev tmux python3

PKGS      = ncursesw libcares openssl libidn2 sqlite3
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -pthread

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
             -DMAILVET_VERSION='"$(VERSION)"' -Iinclude $(WARN) $(CFLAGS) $(PKG_CFLAGS)
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined -O1 -g

SRC       = $(wildcard src/*.c src/ui/*.c)
LIB_SRC   = $(filter-out src/main.c,$(SRC))
UNIT_SRC  = $(wildcard tests/unit/*.c)
FAKE_SRC  = $(wildcard tests/fakes/*.c)
BENCH_SRC = $(wildcard tests/bench/*.c)
FUZZ_SRC  = $(wildcard tests/fuzz/fuzz_*.c)
HDRS      = $(wildcard include/mailvet/*.h tests/unit/*.h)
# Lists compiled into the binary by src/lists.c (.incbin).
ASSETS    = $(wildcard assets/*.txt)

OBJ       = $(SRC:%.c=$(BUILD)/obj/%.o)
LIB_OBJ   = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
SAN_LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/san/%.o)

.PHONY: all run test test-build check-deps deps deps-test bench fuzz install \
        clean unit e2e

all: $(BUILD)/mailvet

# ---- packages -------------------------------------------------------------
# Installs only what is missing; sudo when not root; silent when complete.
define install_missing
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
	  echo "note: not a Debian system; install these yourself: $(1)"; exit 0; fi; \
	missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing \
	    >/dev/null || { echo "apt-get install failed"; exit 1; }; \
	fi
endef

deps:
	$(call install_missing,$(DEPS_RUN))

deps-test:
	$(call install_missing,$(DEPS_TEST))

# ---- the program ------------------------------------------------------------
$(BUILD)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/san/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC-SAN  $<"
	$(Q)$(CLANG) $(ALL_CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(BUILD)/obj/src/lists.o $(BUILD)/san/src/lists.o: $(ASSETS)

$(BUILD)/mailvet: $(OBJ)
	$(CC) $(CFLAGS) $^ -o $@ $(PKG_LIBS) -lm

$(BUILD)/san/mailvet: $(OBJ:$(BUILD)/obj/%=$(BUILD)/san/%)
	$(CLANG) $(SAN_FLAGS) $^ -o $@ $(PKG_LIBS) -lm

# ---- tests --------------------------------------------------------------------
$(BUILD)/unit: $(UNIT_SRC:%.c=$(BUILD)/obj/%.o) $(LIB_OBJ)
	$(CC) $(CFLAGS) $^ -o $@ $(PKG_LIBS) -lm

$(BUILD)/san/unit: $(UNIT_SRC:%.c=$(BUILD)/san/%.o) $(SAN_LIB_OBJ)
	$(CLANG) $(SAN_FLAGS) $^ -o $@ $(PKG_LIBS) -lm

$(BUILD)/fakes/%: tests/fakes/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< $(LIB_OBJ) -o $@ $(PKG_LIBS) -lm

FAKES = $(FAKE_SRC:tests/fakes/%.c=$(BUILD)/fakes/%)

FUZZERS = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

test-build: $(BUILD)/mailvet $(BUILD)/unit $(BUILD)/san/mailvet $(BUILD)/san/unit $(FAKES) \
            $(FUZZERS)

test: deps-test
	@$(MAKE) --no-print-directory test-build
	@BUILD=$(BUILD) tests/run.sh

# ---- benchmarks and fuzzing -------------------------------------------------------
$(BUILD)/bench/%: tests/bench/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O2 $< $(LIB_OBJ) -o $@ $(PKG_LIBS) -lm

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/mailvet $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
	@BUILD=$(BUILD) tests/bench/run.sh

FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined -O1 -g
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(HDRS) $(ASSETS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $<"
	$(Q)$(CLANG) $(ALL_CFLAGS) $(FUZZ_FLAGS) $< $(LIB_SRC) -o $@ $(PKG_LIBS) -lm

FUZZ_SECONDS ?= 60
fuzz: deps-test
	@$(MAKE) --no-print-directory $(FUZZERS)
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

# ---- use -------------------------------------------------------------------------
run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/mailvet samples/contacts.csv

install: $(BUILD)/mailvet
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mailvet
	install -m 755 $(BUILD)/mailvet $(DESTDIR)$(PREFIX)/bin/mailvet
	cp -R assets/. $(DESTDIR)$(PREFIX)/share/mailvet/

clean:
	rm -rf $(BUILD)
