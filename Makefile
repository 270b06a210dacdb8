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
DEPS_TEST = $(DEPS_RUN) clang libclang-rt-14-dev tmux python3 cppcheck clang-tidy \
            bind9-dnsutils openssl postfix nsd postgrey iproute2 util-linux

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
FAKES     = $(FAKE_SRC:tests/fakes/%.c=$(BUILD)/fakes/%)

.PHONY: all run test test-build check deps deps-test bench fuzz install clean reply-model

all: $(BUILD)/mailvet $(FAKES)

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
	  nopolicy=; \
	  case " $$missing " in *" postfix "*) \
	    echo "postfix postfix/main_mailer_type select No configuration" | $$SUDO debconf-set-selections; \
	    if [ ! -e /usr/sbin/policy-rc.d ]; then \
	      printf '#!/bin/sh\nexit 101\n' | $$SUDO tee /usr/sbin/policy-rc.d >/dev/null; \
	      $$SUDO chmod 755 /usr/sbin/policy-rc.d; nopolicy=1; fi ;; \
	  esac; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing \
	    >/dev/null; rc=$$?; \
	  [ -z "$$nopolicy" ] || $$SUDO rm -f /usr/sbin/policy-rc.d; \
	  [ $$rc = 0 ] || { echo "apt-get install failed"; exit 1; }; \
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
# demo.c compiles the demo network's zone and script in (.incbin)
$(BUILD)/obj/src/demo.o $(BUILD)/san/src/demo.o: assets/demo.zone assets/demo.smtp

$(BUILD)/mailvet: $(OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(PKG_LIBS) -lm

$(BUILD)/san/mailvet: $(OBJ:$(BUILD)/obj/%=$(BUILD)/san/%)
	@echo "  LD-SAN  $@"
	$(Q)$(CLANG) $(SAN_FLAGS) $^ -o $@ $(PKG_LIBS) -lm

# ---- tests --------------------------------------------------------------------
$(BUILD)/unit: $(UNIT_SRC:%.c=$(BUILD)/obj/%.o) $(LIB_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(PKG_LIBS) -lm

$(BUILD)/san/unit: $(UNIT_SRC:%.c=$(BUILD)/san/%.o) $(SAN_LIB_OBJ)
	@echo "  LD-SAN  $@"
	$(Q)$(CLANG) $(SAN_FLAGS) $^ -o $@ $(PKG_LIBS) -lm

$(BUILD)/fakes/%: tests/fakes/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  CC-LD   $@"
	$(Q)$(CC) $(ALL_CFLAGS) $< $(LIB_OBJ) -o $@ $(PKG_LIBS) -lm


FUZZERS = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

test-build: $(BUILD)/mailvet $(BUILD)/unit $(BUILD)/san/mailvet $(BUILD)/san/unit $(FAKES) \
            $(FUZZERS)

test: deps-test
	@$(MAKE) --no-print-directory test-build
	@BUILD=$(BUILD) tests/run.sh

check: deps-test
	@tests/check/run.sh

# ---- benchmarks and fuzzing -------------------------------------------------------
$(BUILD)/bench/%: tests/bench/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  BENCH   $<"
	$(Q)$(CC) $(ALL_CFLAGS) -O2 $< $(LIB_OBJ) -o $@ $(PKG_LIBS) -lm -lutil

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/mailvet $(FAKES) $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
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
	$(BUILD)/mailvet --demo samples/contacts.csv

install: $(BUILD)/mailvet $(FAKES)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mailvet
	install -m 755 $(BUILD)/mailvet $(DESTDIR)$(PREFIX)/bin/mailvet
	cp -R assets/. $(DESTDIR)$(PREFIX)/share/mailvet/

clean:
	rm -rf $(BUILD)

# ---- generated: the reply rules (assets/reply-rules.tsv) as a C table ----------------
src/reply_rules.inc: assets/reply-rules.tsv src/gen/reply-rules.awk
	awk -f src/gen/reply-rules.awk assets/reply-rules.tsv > $@.tmp && mv $@.tmp $@
$(BUILD)/obj/src/reply.o $(BUILD)/san/src/reply.o $(FUZZERS): src/reply_rules.inc
# The words model (include/mailvet/reply_model.h), counted from the labelled corpus:
# regenerated by hand (`make reply-model`: the generator reads replies with the
# library, built without the table); `make check` fails when the table is stale.
$(BUILD)/gen/reply-model: src/gen/reply-model.c src/gen/corpus.h src/reply_model.c $(filter-out %/reply_model.o,$(LIB_OBJ))
	@mkdir -p $(dir $@)
	@echo "  CC-LD   $@"
	$(Q)$(CC) $(ALL_CFLAGS) -DREPLY_MODEL_NONE $< src/reply_model.c \
		$(filter-out %/reply_model.o,$(LIB_OBJ)) -o $@ $(PKG_LIBS) -lm
reply-model: $(BUILD)/gen/reply-model
	$(BUILD)/gen/reply-model tests/data/replies.tsv > src/reply_model.inc.tmp && mv src/reply_model.inc.tmp src/reply_model.inc
$(BUILD)/obj/src/reply_model.o $(BUILD)/san/src/reply_model.o $(FUZZERS): src/reply_model.inc
src/providers.inc: assets/providers.tsv src/gen/providers.awk
	awk -f src/gen/providers.awk assets/providers.tsv > $@.tmp && mv $@.tmp $@
$(BUILD)/obj/src/bounces.o $(BUILD)/san/src/bounces.o $(FUZZERS): src/providers.inc
