# calf: calfd (the daemon) and calfctl (its control tool).
# Plain make; `make run` and `make check` first install missing build
# dependencies (scripts/deps.sh), everything else is ordinary.

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share
MANDIR    ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATADIR)/zsh/vendor-completions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d
DOCDIR    ?= $(DATADIR)/doc/calf
LIBDIR_SYSTEMD ?= $(PREFIX)/lib/systemd
USERUNITDIR ?= $(LIBDIR_SYSTEMD)/user
SYSTEMUNITDIR ?= $(LIBDIR_SYSTEMD)/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
APPDIR    ?= $(DATADIR)/applications
DESTDIR   ?=

CC        ?= cc
FUZZ_CC   ?= clang
PKG_CONFIG ?= pkg-config
PKGS      := libevent inih libsystemd json-c
VERSION   := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

CFLAGS    ?= -O2 -g
CFLAGS    += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
             -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla \
             -I. -DCALF_VERSION='"$(VERSION)"'
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

# FUZZ=1 builds with clang for libFuzzer (used by `make fuzz` and `check-fuzz`).
ifeq ($(FUZZ),1)
CC        := $(FUZZ_CC)
CFLAGS    += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS   += -fsanitize=address,undefined
endif

# SANITIZE=1 builds everything with ASan and UBSan (used by `make check-sanitize`).
ifeq ($(SANITIZE),1)
CFLAGS    += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS   += -fsanitize=address,undefined
endif

BUILD     ?= build
ALL_CFLAGS = $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS)

COMMON_SRC := $(wildcard common/*.c)
DAEMON_SRC := $(wildcard daemon/*.c)
CTL_SRC    := $(wildcard ctl/*.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)

COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/default_routine.o
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
CTL_OBJ    := $(CTL_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all run check deb check-deb check-install screenshots check-unit check-system check-sanitize check-zones bench bench-run deps install uninstall clean \
	fuzz fuzz-bins check-fuzz lint check-lint check-valgrind

all: $(BUILD)/calfd $(BUILD)/calfctl $(BUILD)/doc/routine.ini.5

$(BUILD)/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The default routine is compiled into calfd so it runs with no file at all.
$(BUILD)/gen/default_routine.c: config/routine.ini scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh default_routine_ini $< > $@

$(BUILD)/gen/default_routine.o: $(BUILD)/gen/default_routine.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/calfd: $(DAEMON_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/calfctl: $(CTL_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# routine.ini(5) is made from doc/routine.md, the one reference of the format.
$(BUILD)/doc/routine.ini.5: doc/routine.md scripts/md2man.py VERSION
	@mkdir -p $(dir $@)
	/usr/bin/python3 scripts/md2man.py routine.ini 5 \
	    "$$(date -u -d @$${SOURCE_DATE_EPOCH:-$$(date +%s)} +%Y-%m-%d)" \
	    $(VERSION) < doc/routine.md > $@.tmp && mv $@.tmp $@

# Unit tests link the shared code and, where they test daemon logic, the
# daemon's objects minus its main().
DAEMON_LIB_OBJ := $(filter-out $(BUILD)/daemon/calfd.o,$(DAEMON_OBJ))
$(BUILD)/tests/%: tests/unit/%.c $(COMMON_OBJ) $(DAEMON_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS) -lm

# Benchmarks print ratios against baselines measured in the same run:
# bench_sched links the scheduler; the other helpers are plain programs
# (a timerfd floor, a line stamper, one-shot and echo clients and server).
BENCH_HELPERS := $(filter-out $(BUILD)/bench/bench_sched, \
    $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/*.c)))

$(BUILD)/bench/bench_sched: tests/bench/bench_sched.c $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# Several minutes; prints one table and rewrites BENCHMARKS.md. Like run
# and check, it installs what is missing first (remind and cron included).
bench: deps
	$(MAKE) bench-run

bench-run: all $(BUILD)/bench/bench_sched $(BENCH_HELPERS)
	CALF_BUILD=$(abspath $(BUILD)) /usr/bin/python3 tests/bench/bench.py

deps:
	@sh scripts/deps.sh

# pkg-config's answers above were read before deps.sh could install the
# libraries, so the build runs in a fresh make that reads them again.
# The default routine by name, so a routine in ~/.config or /etc does not
# change what `make run` shows (it is the text calfd has built in).
run: deps
	$(MAKE) all
	$(BUILD)/calfd -c config/routine.ini

check: deps
	$(MAKE) all
	$(MAKE) check-lint
	$(MAKE) check-unit
	$(MAKE) check-fuzz
	$(MAKE) check-system
	$(MAKE) check-deb
	$(MAKE) check-sanitize

check-unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# The system tests mostly wait on timers, so they run in PYTEST_JOBS
# processes (pytest-xdist), a test file to a process; one process if
# xdist is missing. Every test must hold under that load anyway.
PYTEST_JOBS ?= 4
PYTEST_PAR = $(shell /usr/bin/python3 -c 'import xdist' 2>/dev/null && \
    [ "$(PYTEST_JOBS)" -gt 1 ] && echo "-n $(PYTEST_JOBS) --dist loadfile")

check-system: all
	CALF_BUILD=$(abspath $(BUILD)) /usr/bin/python3 -m pytest -q $(PYTEST_PAR) tests/system

# Every zone in tzdata against the Python rule; slow, so not part of check.
check-zones: all
	CALF_BUILD=$(abspath $(BUILD)) /usr/bin/python3 tests/zones/sweep.py

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
check-sanitize:
	$(MAKE) BUILD=build-san SANITIZE=1 all check-unit check-system

# --- the Debian package (debian/, tests/package/) ----------------------------
# `make deb` builds calf_VERSION_ARCH.deb from a copy of this tree in
# build/deb/ (dpkg-buildpackage writes beside the tree it builds, so not in
# this folder's parent), then runs lintian on it: errors and warnings not
# overridden in debian/ with a reason fail the build.
DEB_DIR := $(BUILD)/deb
DEB_ARCH = $(shell dpkg --print-architecture)
DEB_FILE = $(DEB_DIR)/calf_$(VERSION)_$(DEB_ARCH).deb

deb: deps
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/calf-$(VERSION)
	tar -c --exclude='./build*' --exclude=./.git --exclude=__pycache__ \
	    --exclude=.pytest_cache -f - . | tar -x -C $(DEB_DIR)/calf-$(VERSION)
	cd $(DEB_DIR)/calf-$(VERSION) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning --info $(DEB_FILE)
	@echo "built $(DEB_FILE)"

# In `make check` when the packaging tools are there (scripts/deps.sh
# installs them): the package, built without its own test run, unpacked and
# its layout checked (tests/package/).
check-deb:
	@if command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null \
	    && command -v lintian >/dev/null; then \
	    $(MAKE) --no-print-directory deb DEB_BUILD_OPTIONS=nocheck && \
	    CALF_DEB=$(abspath $(DEB_FILE)) /usr/bin/python3 -m pytest -q tests/package; \
	else echo "check-deb: debhelper or lintian is not installed; the package is not built"; fi

# The README's pictures, made again from the real programs under Xvfb.
screenshots: all
	sh scripts/screenshots.sh

# Root only, not part of check: installs the package on this machine with
# apt-get, uses it, purges it, and checks nothing is left behind.
check-install: deb
	sh tests/package/install-cycle.sh $(DEB_FILE)

# --- fuzzing (tests/fuzz/README.md) ----------------------------------------
FUZZ_TARGETS := routine request parsers
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build-fuzz
FUZZ_BINS     = $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

fuzz-bins: $(FUZZ_BINS)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(COMMON_OBJ) $(DAEMON_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm

# Each target for FUZZ_SECONDS, from its seed corpus; what it finds goes to
# build-fuzz/, crashes as build-fuzz/crashes/TARGET/ (copy them into
# tests/fuzz/crashes/TARGET/ once fixed, so check-fuzz keeps replaying them).
fuzz:
	@command -v $(FUZZ_CC) >/dev/null || { echo "fuzz: $(FUZZ_CC) is not installed"; exit 1; }
	$(MAKE) BUILD=$(FUZZ_BUILD) FUZZ=1 fuzz-bins
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_BUILD)/work/$$t $(FUZZ_BUILD)/crashes/$$t; \
	    echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	    $(FUZZ_BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
	        -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t/ $(FUZZ_BUILD)/work/$$t tests/fuzz/corpus/$$t; \
	done

# Every seed and every past crash once, as a regression test (no fuzzing).
check-fuzz:
	@if ! command -v $(FUZZ_CC) >/dev/null; then \
	    echo "check-fuzz: $(FUZZ_CC) is not installed; the fuzz corpora are not replayed"; exit 0; fi; \
	$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) FUZZ=1 fuzz-bins && \
	for t in $(FUZZ_TARGETS); do \
	    echo "== fuzz_$$t: replaying tests/fuzz/corpus/$$t tests/fuzz/crashes/$$t"; \
	    $(FUZZ_BUILD)/fuzz/fuzz_$$t -runs=0 tests/fuzz/corpus/$$t tests/fuzz/crashes/$$t 2>$(FUZZ_BUILD)/replay-$$t.log \
	        || { cat $(FUZZ_BUILD)/replay-$$t.log; exit 1; }; \
	done

# --- static analysis and memcheck -------------------------------------------
# cppcheck and clang-tidy with the settings checked in (.clang-tidy,
# tests/lint/); `check` runs it when both are installed.
lint:
	sh tests/lint/run.sh

check-lint:
	@if command -v cppcheck >/dev/null && command -v clang-tidy >/dev/null; then \
	    sh tests/lint/run.sh; \
	else echo "check-lint: cppcheck or clang-tidy is not installed; not linting"; fi

# calfd under valgrind memcheck through a scripted session: 0 errors and no
# definite leaks. About half a minute, so not part of `check`.
check-valgrind: all
	BUILD=$(BUILD) sh tests/valgrind/session.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(APPDIR)
	install -m 0755 $(BUILD)/calfd $(BUILD)/calfctl $(DESTDIR)$(BINDIR)/
	install -m 0644 ctl/calfctl.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(BUILD)/doc/routine.ini.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 daemon/calfd.8 $(DESTDIR)$(MANDIR)/man8/
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(FISHCOMPDIR)
	install -m 0644 ctl/completion/calfctl.bash \
	    $(DESTDIR)$(BASHCOMPDIR)/calfctl
	install -m 0644 ctl/completion/_calfctl $(DESTDIR)$(ZSHCOMPDIR)/_calfctl
	install -m 0644 ctl/completion/calfctl.fish \
	    $(DESTDIR)$(FISHCOMPDIR)/calfctl.fish
	install -m 0644 README.md doc/PROTOCOL.md \
	    doc/routine.md doc/daemon.md doc/statusbars.md \
	    doc/history.md $(DESTDIR)$(DOCDIR)/
	@# The built-in routine, to copy to ~/.config/calf/ and edit.
	install -d $(DESTDIR)$(DOCDIR)/examples
	install -m 0644 config/routine.ini $(DESTDIR)$(DOCDIR)/examples/
	install -d $(DESTDIR)$(USERUNITDIR) $(DESTDIR)$(SYSTEMUNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR)
	@# The units name the installed calfd, so they are made here, from
	@# the templates in systemd/, with this install's paths.
	set -e; for u in user/calfd.service user/calfd.socket \
	    system/calfd.service system/calfd.socket; do \
	  case $$u in user/*) d=$(USERUNITDIR);; *) d=$(SYSTEMUNITDIR);; esac; \
	  sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSUSERSDIR@|$(SYSUSERSDIR)|g' \
	    systemd/$$u.in > $(DESTDIR)$$d/$${u#*/}; \
	  chmod 0644 $(DESTDIR)$$d/$${u#*/}; \
	done
	install -m 0644 systemd/sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/calf.conf
	# Names calf's notifications (desktop-entry=calf); not in menus.
	install -m 0644 config/calf.desktop $(DESTDIR)$(APPDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/calfd $(DESTDIR)$(BINDIR)/calfctl
	rm -f $(DESTDIR)$(MANDIR)/man1/calfctl.1 $(DESTDIR)$(MANDIR)/man8/calfd.8 \
	    $(DESTDIR)$(MANDIR)/man5/routine.ini.5
	rm -f $(DESTDIR)$(BASHCOMPDIR)/calfctl $(DESTDIR)$(ZSHCOMPDIR)/_calfctl \
	    $(DESTDIR)$(FISHCOMPDIR)/calfctl.fish
	rm -f $(DESTDIR)$(APPDIR)/calf.desktop
	rm -rf $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(USERUNITDIR)/calfd.service \
	    $(DESTDIR)$(USERUNITDIR)/calfd.socket \
	    $(DESTDIR)$(SYSTEMUNITDIR)/calfd.service \
	    $(DESTDIR)$(SYSTEMUNITDIR)/calfd.socket \
	    $(DESTDIR)$(SYSUSERSDIR)/calf.conf

clean:
	rm -rf build build-san build-fuzz
