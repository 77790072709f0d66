# One non-recursive Makefile for the whole tree.
#
#   make                 build the server, the unit tests and the tools into build/
#   make run             install missing Debian packages, build, run in the foreground
#   make test            install, build, run every test (unit + integration)
#   make SANITIZE=address|undefined|thread   the same, in build-<sanitizer>/
#   make help            every target
#
# Objects live out of tree; headers are tracked with -MMD -MP; a change of
# compiler or flags rebuilds everything (the flags are written to $(BUILD)/flags).

comma := ,
# One job per core unless the command line says otherwise (make -j1 wins).
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
MAKEFLAGS += -j$(JOBS)
.SUFFIXES:
.DELETE_ON_ERROR:
.DEFAULT_GOAL := all

SANITIZE ?=
ifeq ($(SANITIZE),)
BUILD ?= build
else
BUILD ?= build-$(SANITIZE)
endif

CXX ?= g++
ifeq ($(origin CXX),default)
CXX := g++
endif
PKG_CONFIG ?= pkg-config
PYTHON ?= python3

# jemalloc is the default allocator; sanitizers bring their own.
ifeq ($(SANITIZE),)
JEMALLOC ?= 1
else
JEMALLOC ?= 0
endif

# libavformat (with libavcodec and libavutil): the DVR's MP4 muxer (worker/dvr/mp4_writer.cpp).
PKGS := libevent libevent_openssl openssl yaml-cpp libavformat libavcodec libavutil hiredis
ifeq ($(JEMALLOC),1)
PKGS += jemalloc
endif

OPT ?= -O2
DEBUG ?= -g
WARN := -Wall -Wextra -Werror -Wshadow -Wcast-align -Wformat=2 -Wno-missing-field-initializers
CPPFLAGS_ALL := -I. -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
CXXFLAGS_ALL := -std=c++20 $(OPT) $(DEBUG) -fno-omit-frame-pointer $(WARN) -pthread
LDLIBS_ALL := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lpthread

ifneq ($(SANITIZE),)
ifeq ($(SANITIZE),address)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
else ifeq ($(SANITIZE),undefined)
SANFLAGS := -fsanitize=undefined -fno-sanitize-recover=undefined
else ifeq ($(SANITIZE),thread)
SANFLAGS := -fsanitize=thread
else
$(error SANITIZE must be address, undefined or thread, not '$(SANITIZE)')
endif
CXXFLAGS_ALL += $(SANFLAGS) -O1
LDFLAGS_ALL += $(SANFLAGS)
endif

CXXFLAGS_ALL += $(CXXFLAGS)
LDFLAGS_ALL += $(LDFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# ---------------------------------------------------------------------------
# Sources, one list per layer (see each folder's README.md for who may call whom).

find_cpp = $(sort $(shell find $(1) -name '*.cpp' 2>/dev/null))

BASE_SRCS   := $(call find_cpp,base)
CONF_SRCS   := $(call find_cpp,conf)
PROTO_SRCS  := $(call find_cpp,proto)
SHM_SRCS    := $(call find_cpp,shm)
WORKER_SRCS := $(call find_cpp,worker)
MASTER_SRCS := $(filter-out master/main.cpp,$(call find_cpp,master))
GEN_SRCS    := $(BUILD)/gen/default_config.cpp

LIB_SRCS := $(BASE_SRCS) $(CONF_SRCS) $(PROTO_SRCS) $(SHM_SRCS) $(WORKER_SRCS) $(MASTER_SRCS)
# LIB_ONLY=dir1,dir2 restricts the library to some layers (for partial builds while
# other layers are being written).
ifneq ($(LIB_ONLY),)
LIB_SRCS := $(filter $(addsuffix /%,$(subst $(comma), ,$(LIB_ONLY))),$(LIB_SRCS))
endif
UNIT_SRCS := $(call find_cpp,t/unit)
# A tool's unit tests link the tool's file they test (t/unit/tools/X/f_test.cpp -> tools/X/f.cpp).
UNIT_TOOL_SRCS := $(wildcard $(patsubst t/unit/%_test.cpp,%.cpp,$(filter t/unit/tools/%,$(UNIT_SRCS))))

# Tools: each tools/<name>/ with .cpp files becomes $(BUILD)/<name>.
TOOL_DIRS := $(sort $(patsubst %/,%,$(dir $(shell find tools -mindepth 2 -name '*.cpp' 2>/dev/null))))
TOOL_NAMES := $(notdir $(TOOL_DIRS))
TOOL_BINS := $(addprefix $(BUILD)/,$(TOOL_NAMES))

obj = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(patsubst $(BUILD)/%,%,$(1)))

LIB_OBJS := $(call obj,$(LIB_SRCS)) $(BUILD)/obj/gen/default_config.o
SRS_BIN := $(BUILD)/srs
UNIT_BIN := $(BUILD)/unit-tests

ALL_FLAGS := $(CXX) $(CPPFLAGS_ALL) $(CXXFLAGS_ALL) $(LDFLAGS_ALL) $(LDLIBS_ALL)

# Test helpers that are not C++ programs of the tree: the slow-disk shim
# (LD_PRELOAD) of t/integration/test_slow_disk.py.
CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
TEST_LIBS := $(BUILD)/slowdisk.so

.PHONY: all
all: $(SRS_BIN) $(UNIT_BIN) $(TOOL_BINS) $(TEST_LIBS)

$(BUILD)/slowdisk.so: t/integration/slowdisk/slowdisk.c $(BUILD)/flags
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -shared -fPIC -O2 -Wall -Wextra -Werror -o $@ $< -ldl

$(BUILD)/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(ALL_FLAGS)' | cmp -s - $@ || echo '$(ALL_FLAGS)' > $@

.PHONY: FORCE
FORCE:

$(BUILD)/obj/%.o: %.cpp $(BUILD)/flags
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CXX     $<")
	$(Q)$(CXX) $(CPPFLAGS_ALL) $(EXTRA_DEFS) $(CXXFLAGS_ALL) -MMD -MP -c -o $@ $<

# Only the version file carries the build description (srs -V).
COMPILER_VERSION := $(shell $(CXX) --version 2>/dev/null | head -n1)
ifeq ($(JEMALLOC),1)
ALLOCATOR := jemalloc $(shell $(PKG_CONFIG) --modversion jemalloc 2>/dev/null)
else
ALLOCATOR := system
endif
$(BUILD)/obj/base/version.o: EXTRA_DEFS = -DSRS_BUILD_FLAGS='"$(CXXFLAGS_ALL)"' \
  -DSRS_COMPILER='"$(COMPILER_VERSION)"' -DSRS_ALLOCATOR='"$(ALLOCATOR)"' \
  -DSRS_YAML_CPP_VERSION='"$(shell $(PKG_CONFIG) --modversion yaml-cpp 2>/dev/null)"'

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.cpp $(BUILD)/flags
	@mkdir -p $(@D)
	$(Q)$(CXX) $(CPPFLAGS_ALL) $(CXXFLAGS_ALL) -c -o $@ $<

# The reference configuration is also the embedded default: one file, never stale.
$(BUILD)/gen/default_config.cpp: etc/srs.yaml
	@mkdir -p $(@D)
	$(Q){ echo '// Generated from etc/srs.yaml by the Makefile. Do not edit.'; \
	  echo 'namespace srs::conf { extern const char kDefaultConfigYaml[];'; \
	  echo 'const char kDefaultConfigYaml[] = R"srsyaml('; \
	  cat $<; echo ')srsyaml"; }'; } > $@

$(BUILD)/libsrs.a: $(LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(SRS_BIN): $(BUILD)/obj/master/main.o $(BUILD)/libsrs.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CXX) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(UNIT_BIN): $(call obj,$(UNIT_SRCS) $(UNIT_TOOL_SRCS)) $(BUILD)/libsrs.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CXX) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

define tool_rule
$(BUILD)/$(notdir $(1)): $(call obj,$(call find_cpp,$(1))) $(BUILD)/libsrs.a
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CXX) $$(LDFLAGS_ALL) -o $$@ $$^ $$(LDLIBS_ALL)
endef
$(foreach d,$(TOOL_DIRS),$(eval $(call tool_rule,$(d))))

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------------------
# Set-up, run, tests.

.PHONY: deps
deps:
	$(Q)tools/install-deps.sh

.PHONY: run
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory console-deps || echo "run: warning: the console's" \
	  "player libraries are missing (make console-deps needs npm): previews will say so" >&2
	exec $(SRS_BIN)

.PHONY: unit
unit: $(UNIT_BIN)
	$(Q)$(UNIT_BIN)

# The sanitizer and fuzz builds carry line tables only: their reports still
# name every function, file and line, and they compile in 0.6 of the time
# (measured: 6.4 s -> 3.7 s for one file under ASan).
SANITIZE_DEBUG ?= -g1

# When make started: t/run.py's closing lines give each phase's time.
TEST_STARTED := $(shell date +%s)

.PHONY: test
test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory SANITIZE=address DEBUG=$(SANITIZE_DEBUG) BUILD=build-address \
	  build-address/unit-tests
	$(Q)$(MAKE) --no-print-directory SANITIZE=thread DEBUG=$(SANITIZE_DEBUG) BUILD=build-thread \
	  build-thread/unit-tests
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)
	$(Q)$(MAKE) --no-print-directory browser-deps console-deps
	$(Q)$(PYTHON) t/run.py --build $(BUILD) --since $(TEST_STARTED)

# The browser check of test_dvr_mp4_browser.py: playwright-core, pinned by
# t/browser/package-lock.json, driving Debian's /usr/bin/chromium (npm ci
# runs no install scripts and downloads no browser).
.PHONY: browser-deps
browser-deps: t/browser/node_modules/.package-lock.json
t/browser/node_modules/.package-lock.json: t/browser/package.json t/browser/package-lock.json
	$(Q)cd t/browser && npm ci --ignore-scripts --no-audit --no-fund

# The web console's player libraries (console/README.md): hls.js and mpegts.js,
# pinned by console/package-lock.json, copied from the npm registry's dist
# files into console/vendor/, served from there and installed with the page.
# npm ci runs no install scripts; nothing is fetched when the server runs.
.PHONY: console-deps
console-deps: console/vendor/.stamp
console/vendor/.stamp: console/package.json console/package-lock.json
	$(Q)command -v npm >/dev/null || { echo "console-deps: npm is missing" \
	  "(make deps installs Debian's when there is none)" >&2; exit 1; }
	$(Q)cd console && npm ci --ignore-scripts --no-audit --no-fund
	$(Q)mkdir -p console/vendor
	$(Q)cp console/node_modules/hls.js/dist/hls.min.js console/vendor/hls.min.js
	$(Q)cp console/node_modules/hls.js/LICENSE console/vendor/hls.js.LICENSE
	$(Q)cp console/node_modules/mpegts.js/dist/mpegts.js console/vendor/mpegts.js
	$(Q)cp console/node_modules/mpegts.js/LICENSE console/vendor/mpegts.js.LICENSE
	$(Q)cp console/node_modules/mpegts.js/dist/mpegts.js.LICENSE.txt console/vendor/
	$(Q)touch $@

.PHONY: check-layers
check-layers:
	$(Q)$(PYTHON) t/check_layers.py

.PHONY: check-config
check-config: $(SRS_BIN)
	$(Q)$(SRS_BIN) -t -c etc/srs.yaml

# Fuzz targets: t/fuzz/<name>_fuzz.cpp, built with clang and libFuzzer.
FUZZ_BUILD := build-fuzz
FUZZ_CXX ?= clang++
FUZZ_SRCS := $(wildcard t/fuzz/*_fuzz.cpp)
FUZZ_BINS := $(patsubst t/fuzz/%_fuzz.cpp,$(FUZZ_BUILD)/%_fuzz,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 30
TEST_FUZZ_SECONDS ?= 10

.PHONY: fuzz-build fuzz
FUZZ_LIBS = $(shell $(PKG_CONFIG) --libs libevent libevent_openssl openssl yaml-cpp hiredis \
  libavformat libavcodec libavutil) -lpthread
fuzz-build:
	$(Q)$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CXX=$(FUZZ_CXX) JEMALLOC=0 DEBUG=$(SANITIZE_DEBUG) \
	  CXXFLAGS='-fsanitize=fuzzer-no-link,address,undefined' LDFLAGS='-fsanitize=address,undefined' \
	  $(FUZZ_BUILD)/libsrs.a
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BINS)
# Each target links against the library the recursive make above brought up to date.
$(FUZZ_BUILD)/%_fuzz: t/fuzz/%_fuzz.cpp $(FUZZ_BUILD)/libsrs.a
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CXX) -std=c++20 -O1 $(SANITIZE_DEBUG) -I. -fsanitize=fuzzer,address,undefined -o $@ $< \
	  $(FUZZ_BUILD)/libsrs.a $(FUZZ_LIBS)
fuzz: fuzz-build
	$(Q)t/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)
# The long campaign (not in `make test`): FUZZ_LONG_SECONDS per target, new
# coverage merged into t/fuzz/corpus, a Markdown table of the figures.
FUZZ_LONG_SECONDS ?= 600
.PHONY: fuzz-long
fuzz-long: fuzz-build
	$(Q)t/fuzz/run_long.sh $(FUZZ_BUILD) $(FUZZ_LONG_SECONDS)

.PHONY: bench
bench: all
	$(Q)$(PYTHON) tools/bench/run.py --build $(BUILD)

# The large loads (not in make bench, about 10 minutes): 10,000 RTMP and 5,000
# HTTP-FLV players of one stream, 1,000 publishers; SRS 5 too when SRS_PEER_BIN
# names its binary, and nginx-rtmp. Method and results: BENCH.md.
.PHONY: bench-scale
bench-scale: all
	$(Q)$(PYTHON) tools/bench/scale.py --build $(BUILD)

# The fault-tolerance soak (not in `make test`): SOAK_SECONDS of SIGKILLed
# workers and reloads under 300 players; one row per claim, non-zero on a failure.
SOAK_SECONDS ?= 600
.PHONY: soak
soak: $(SRS_BIN) $(BUILD)/srs-bench
	$(Q)SOAK_SECONDS=$(SOAK_SECONDS) $(PYTHON) tools/bench/soak.py --build $(BUILD)

# make install: the server (sbin), srs-ctl (bin), the man pages, the systemd
# unit (its paths rewritten for PREFIX and SYSCONFDIR), the web console (page
# and player libraries, share/srs/console) and the configuration (its
# console_dir rewritten), which is installed only when absent: an operator's
# file is never replaced.
# It installs what `make` built: it builds only when the server is missing,
# never again with other flags. DESTDIR stages the tree for a package.
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc/srs
MAN_PAGES := $(sort $(wildcard man/*.1 man/*.5 man/*.8))
UNIT_DIR = $(DESTDIR)$(PREFIX)/lib/systemd/system
CONSOLE_DIR = $(PREFIX)/share/srs/console
.PHONY: install uninstall
install: console-deps
	$(Q)test -x $(SRS_BIN) || $(MAKE) --no-print-directory $(SRS_BIN)
	$(Q)install -D -m 0755 $(SRS_BIN) $(DESTDIR)$(PREFIX)/sbin/srs
	$(Q)install -D -m 0755 tools/srs-ctl $(DESTDIR)$(PREFIX)/bin/srs-ctl
	$(Q)for m in $(MAN_PAGES); do \
	  install -D -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$${m##*/} || exit 1; done
	$(Q)install -d $(UNIT_DIR)
	$(Q)sed -e 's|/usr/local/sbin/srs|$(PREFIX)/sbin/srs|g' \
	  -e 's|/etc/srs/srs.yaml|$(SYSCONFDIR)/srs.yaml|g' etc/srs.service > $(UNIT_DIR)/srs.service
	$(Q)chmod 0644 $(UNIT_DIR)/srs.service
	$(Q)install -d $(DESTDIR)$(CONSOLE_DIR)/vendor
	$(Q)install -m 0644 console/*.html console/*.js console/*.css $(DESTDIR)$(CONSOLE_DIR)/
	$(Q)install -m 0644 console/vendor/*.js console/vendor/*LICENSE* $(DESTDIR)$(CONSOLE_DIR)/vendor/
	$(Q)if [ -e $(DESTDIR)$(SYSCONFDIR)/srs.yaml ]; then \
	  echo "install: kept the existing $(DESTDIR)$(SYSCONFDIR)/srs.yaml"; \
	else install -d $(DESTDIR)$(SYSCONFDIR) && \
	  sed -e 's|^\(  console_dir: \)\./console |\1$(CONSOLE_DIR) |' etc/srs.yaml \
	    > $(DESTDIR)$(SYSCONFDIR)/srs.yaml && chmod 0644 $(DESTDIR)$(SYSCONFDIR)/srs.yaml; fi

# Everything install put there except the configuration (the operator's).
uninstall:
	$(Q)rm -f $(DESTDIR)$(PREFIX)/sbin/srs $(DESTDIR)$(PREFIX)/bin/srs-ctl $(UNIT_DIR)/srs.service
	$(Q)rm -rf $(DESTDIR)$(CONSOLE_DIR)
	$(Q)for m in $(MAN_PAGES); do rm -f $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$${m##*/}; done
	$(Q)echo "uninstall: kept $(DESTDIR)$(SYSCONFDIR)/srs.yaml (remove it by hand if unwanted)"

.PHONY: format
format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

.PHONY: clean
clean:
	rm -rf build build-address build-undefined build-thread build-fuzz

.PHONY: help
help:
	@echo 'Targets:'
	@echo '  all (default)   server $(SRS_BIN), unit tests $(UNIT_BIN), tools: $(TOOL_NAMES)'
	@echo '  run             install missing packages, build, run in the foreground (embedded config)'
	@echo '  test            install, build (plain, ASan+UBSan, TSan), run unit and integration tests'
	@echo '  unit            build and run the unit tests only'
	@echo '  deps            install missing Debian packages (apt-get, sudo when not root)'
	@echo '  check-config    srs -t -c etc/srs.yaml'
	@echo '  browser-deps    npm ci in t/browser (playwright-core for Debian'"'"'s chromium; no browser download)'
	@echo '  console-deps    npm ci in console/, hls.js and mpegts.js into console/vendor (the web console)'
	@echo '  check-layers    the include rules between layers and worker rooms (t/check_layers.py)'
	@echo '  fuzz            build libFuzzer targets (clang) and run each FUZZ_SECONDS=$(FUZZ_SECONDS)'
	@echo '  fuzz-long       each target FUZZ_LONG_SECONDS=$(FUZZ_LONG_SECONDS), new coverage kept in t/fuzz/corpus'
	@echo '  bench           benchmarks against nginx-rtmp and the bare fan-out floor'
	@echo '  soak            SOAK_SECONDS=$(SOAK_SECONDS) of worker kills and reloads under load (BENCH.md)'
	@echo '  install         srs -> $(PREFIX)/sbin, srs-ctl -> $(PREFIX)/bin, man pages, systemd unit,'
	@echo '                  console -> $(PREFIX)/share/srs/console,'
	@echo '                  $(SYSCONFDIR)/srs.yaml when absent (PREFIX=$(PREFIX) DESTDIR= SYSCONFDIR=)'
	@echo '  uninstall       remove what install put there, except the configuration'
	@echo '  format          clang-format the tree'
	@echo '  clean           remove every build directory'
	@echo 'Variables: SANITIZE=address|undefined|thread  V=1  OPT=-O2  JEMALLOC=0|1  CXX=...  JOBS=$(JOBS) (make -j1: serial)'
	@echo 'Cross builds for ARM and MIPS boards: make -f GNUmakefile.cross help'
