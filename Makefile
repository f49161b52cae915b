# cbd — contact-center callback suite.
#
# One hand-written Makefile. Objects go to $(BUILD) (default build/), so a
# sanitizer build (build/asan, `make asan`) and the libFuzzer build
# (build/fuzz, `make fuzz`) live beside the normal one without mixing.
#
#   make            build cbd, cb-agent, cb-supervisor
#   make check      install missing packages, build everything, run every
#                   test (normal build, ASan+UBSan build, fuzz smoke) in one
#                   prove run
#   make asan       the whole suite built and run with ASan + UBSan
#   make fuzz       every fuzz target for FUZZ_SECONDS each
#   make install    binaries, man pages, the systemd unit and sysusers.d file
#                   of cbd under $(DESTDIR)$(PREFIX)
#   make demo       the demo (see README.md)

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
# the systemd unit and the sysusers.d file of cbd
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
BUILD   ?= build
SAN     ?=
CC      ?= cc
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
PROVE_JOBS ?= 2

VERSION := 0.1.0

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wwrite-strings -Werror
CFLAGS ?= -O2 -g
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
endif

PKGS_COMMON := libcjson
PKGS_CBD    := libmicrohttpd sqlite3 libcjson libsodium
PKGS_TUI    := libcurl ncursesw libcjson libnotify

pkg_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pkg_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)

BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -DCB_VERSION='"$(VERSION)"' -pthread \
               $(WARN) -Icommon -MMD -MP
ALL_CFLAGS   = $(BASE_CFLAGS) $(CFLAGS) $(SANFLAGS)
ALL_LDFLAGS  = $(LDFLAGS) $(SANFLAGS) -pthread

COMMON_SRC := $(sort $(wildcard common/*.c))
# What only the consoles share (libcurl, ncursesw): a library of its own, so
# cbd and the fuzz targets need neither.
CLIENT_SRC := $(sort $(wildcard common/client/*.c))
CBD_SRC    := $(sort $(wildcard cbd/*.c))
AGENT_SRC  := $(sort $(wildcard agent-tui/*.c))
SUPER_SRC  := $(sort $(wildcard supervisor-tui/*.c))
SIM_SRC    := $(sort $(wildcard sim/*.c))
TESTLIB_SRC := $(sort $(wildcard tests/lib/*.c))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
# Script tests: every tests/<kind>/*.t is run through a wrapper generated in
# $(BUILD) that names the binaries of that build (CB_BUILD).
SCRIPT_TESTS := $(sort $(wildcard tests/api/*.t tests/e2e/*.t tests/reliability/*.t \
                                  tests/unit/*.t))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

COMMON_OBJ := $(call obj,$(COMMON_SRC))
CBD_OBJ    := $(call obj,$(CBD_SRC))
CLIENT_OBJ := $(call obj,$(CLIENT_SRC))
AGENT_OBJ  := $(call obj,$(AGENT_SRC))
SUPER_OBJ  := $(call obj,$(SUPER_SRC))
SIM_OBJ    := $(call obj,$(SIM_SRC))
TESTLIB_OBJ := $(call obj,$(TESTLIB_SRC))
LIBCOMMON  := $(BUILD)/libcbcommon.a
LIBCLIENT  := $(BUILD)/libcbclient.a

PROGRAMS   := $(BUILD)/cbd $(BUILD)/cb-agent $(BUILD)/cb-supervisor $(BUILD)/cbd-sim
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
SCRIPT_WRAPPERS := $(patsubst tests/%,$(BUILD)/tests/%,$(SCRIPT_TESTS))
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
MANPAGES   := $(sort $(wildcard man/*.[1-8]))

.PHONY: all tests test check asan fuzz fuzz-build deps deps-test install \
        uninstall clean demo lint-man bench
.DEFAULT_GOAL := all

all: $(PROGRAMS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(CBD_OBJ):   EXTRA_CFLAGS = $(call pkg_cflags,$(PKGS_CBD))
$(AGENT_OBJ) $(SUPER_OBJ) $(SIM_OBJ) $(CLIENT_OBJ): EXTRA_CFLAGS = $(call pkg_cflags,$(PKGS_TUI)) -Icommon/client
$(COMMON_OBJ) $(TESTLIB_OBJ): EXTRA_CFLAGS = $(call pkg_cflags,$(PKGS_COMMON))

$(LIBCOMMON): $(COMMON_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(LIBCLIENT): $(CLIENT_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/cbd: $(CBD_OBJ) $(LIBCOMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkg_libs,$(PKGS_CBD)) -lm

$(BUILD)/cb-agent: $(AGENT_OBJ) $(LIBCLIENT) $(LIBCOMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkg_libs,$(PKGS_TUI)) -lm

$(BUILD)/cb-supervisor: $(SUPER_OBJ) $(LIBCLIENT) $(LIBCOMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkg_libs,$(PKGS_TUI)) -lm

# cbd-sim needs only libcurl and cJSON of the consoles' libraries.
$(BUILD)/cbd-sim: $(SIM_OBJ) $(LIBCLIENT) $(LIBCOMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkg_libs,libcurl libcjson) -lm

# Unit tests: one C file each, linked with the common library and TAP helpers.
$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(TESTLIB_OBJ) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkg_libs,$(PKGS_COMMON)) -lm

$(call obj,$(UNIT_SRC)): EXTRA_CFLAGS = $(call pkg_cflags,$(PKGS_COMMON)) -Itests/lib

$(BUILD)/tests/%.t: tests/%.t
	@mkdir -p $(@D)
	printf '#!/bin/sh\nCB_BUILD=%s; export CB_BUILD\nexec %s "$$@"\n' \
	    '$(abspath $(BUILD))' '$(abspath $<)' > $@
	chmod +x $@

tests: $(PROGRAMS) $(UNIT_BINS) $(SCRIPT_WRAPPERS)

# Run the suite of this one build.
test: tests
	prove --exec '' -j$(PROVE_JOBS) $(UNIT_BINS) $(SCRIPT_WRAPPERS)

asan:
	$(MAKE) BUILD=build/asan SAN=1 test

# --- libFuzzer targets: common sources rebuilt with clang and sanitizers ---
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Icommon \
              $(call pkg_cflags,$(PKGS_COMMON)) \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
build/fuzz/%: tests/fuzz/%.c $(COMMON_SRC) $(wildcard common/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(COMMON_SRC) \
	    $(call pkg_libs,$(PKGS_COMMON)) -lm -pthread

# fuzz_api runs the whole server in-process, so it links cbd's sources too.
CBD_LIB_SRC := $(filter-out cbd/main.c,$(CBD_SRC))
build/fuzz/fuzz_api: tests/fuzz/fuzz_api.c $(COMMON_SRC) $(CBD_LIB_SRC) $(wildcard common/*.h cbd/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Icbd $(call pkg_cflags,$(PKGS_CBD)) -o $@ $< $(COMMON_SRC) \
	    $(CBD_LIB_SRC) $(call pkg_libs,$(PKGS_CBD)) -lm -pthread

fuzz-build: $(FUZZ_BINS)

fuzz: deps-test fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_BINS)

# --- the whole suite, as CI and the README run it -------------------------
check: deps-test
	$(MAKE) tests
	$(MAKE) BUILD=build/asan SAN=1 tests
	$(MAKE) fuzz-build
	$(MAKE) lint-man
	prove --exec '' -j$(PROVE_JOBS) \
	    $(UNIT_BINS) $(SCRIPT_WRAPPERS) \
	    $(patsubst $(BUILD)/%,build/asan/%,$(UNIT_BINS) $(SCRIPT_WRAPPERS)) \
	    tests/fuzz/smoke.t

lint-man:
	@for m in $(MANPAGES); do \
	    out=$$(mandoc -T lint -W warning $$m 2>&1); \
	    if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; \
	done; echo "man pages: mandoc -T lint clean"

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

demo:
	@scripts/deps.sh demo
	@scripts/demo.sh

bench: deps
	$(MAKE) all
	@scripts/deps.sh bench
	tests/bench/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/
	for m in $(MANPAGES); do \
	    s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; \
	done
	sed 's|@BINDIR@|$(BINDIR)|g' dist/cbd.service.in > $(DESTDIR)$(UNITDIR)/cbd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/cbd.service
	install -m 644 dist/cbd.sysusers $(DESTDIR)$(SYSUSERSDIR)/cbd.conf

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGRAMS)))
	rm -f $(DESTDIR)$(UNITDIR)/cbd.service $(DESTDIR)$(SYSUSERSDIR)/cbd.conf
	for m in $(MANPAGES); do \
	    s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$m); \
	done

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
