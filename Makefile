# mirrorprov — plain Makefile with pkg-config.
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
V ?= 0
Q := $(if $(filter 1,$(V)),,@)
# One version: debian/changelog's (the package passes the same).
VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
SYSTEMD_UNITDIR ?= $(PREFIX)/lib/systemd/system
BASH_COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions

PKGS := libudev blkid fdisk mount smartcols json-c libconfig
# libcurl and libcrypto are dlopen()ed on first use (backend/dl.c): linked,
# they would add ~30 libraries and ~10 ms to the start of every verb.
DL_PKGS := libcurl libcrypto
# pkg-config runs on first use, not when the Makefile is read: on a fresh
# machine `make demo` reads it before `deps` has installed the -dev packages.
# The pkg-check prerequisite of every object stops the build first, naming
# what is missing.
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(DL_PKGS)))$(PKG_CFLAGS)
PKG_LIBS = $(eval PKG_LIBS := $(shell pkg-config --libs $(PKGS)) -lbz2 -lpthread -ldl)$(PKG_LIBS)

WERROR ?= -Werror
WARN := -Wall -Wextra $(WERROR) -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) -I. $(PKG_CFLAGS) \
	-DMIRRORPROV_VERSION='"$(VERSION)"' -DMIRRORPROV_DATADIR='"$(PREFIX)/share/mirrorprov"' -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(EXTRA_LDFLAGS)
ALL_CFLAGS += -DMIRRORPROV_BINARY='"$(PREFIX)/sbin/mirrorprov"'

LAYERS := lib block raid fs sync backend app
LIB_SRCS := $(foreach d,$(LAYERS),$(wildcard $(d)/*.c))
CLI_SRCS := $(filter-out cli/main.c,$(wildcard cli/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

# libFuzzer targets (tests/fuzz/fuzz_*.c), built by clang into build-fuzz/ with
# the fuzzer, ASan and UBSan runtimes; `make check` runs each for FUZZ_CHECK_SECONDS.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 20
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

# What clang's Recommends bring and deps' --no-install-recommends leaves out:
# the fuzzer and sanitizer runtimes, and llvm-symbolizer (without it the
# fuzzers' reports are unsymbolized and the LSan suppressions cannot match).
FUZZ_DEB_PKGS := libclang-rt-14-dev llvm
DEB_PKGS := build-essential pkg-config libudev-dev libblkid-dev libfdisk-dev libmount-dev \
	libsmartcols-dev libjson-c-dev libconfig-dev libcurl4-openssl-dev libbz2-dev xfslibs-dev \
	libcmocka-dev umockdev xfsprogs util-linux fdisk rsync nginx ansible-core groff-base python3 \
	openssl libssl-dev systemd udev ftpsync clang valgrind curl time zsh universal-ctags \
	prometheus chromium tidy dpkg-dev debhelper bash-completion $(FUZZ_DEB_PKGS)

.PHONY: all deps pkg-check check check-fresh demo bench install clean fuzz fuzzers fuzz-build deb man-profiles

all: $(BUILD)/mirrorprov

$(BUILD)/mirrorprov: $(BUILD)/cli/main.o $(CLI_OBJS) $(LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/%.o: %.c | pkg-check
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(CLI_OBJS) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c %.o,$^) $(ALL_LDFLAGS) $(PKG_LIBS) -lcmocka

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(CLI_OBJS) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $(filter %.c %.o,$^) $(ALL_LDFLAGS) $(PKG_LIBS)

fuzzers: $(FUZZ_BINS)

# -Werror stays with the gcc builds: a clang-only warning must not stop the fuzzers.
fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) EXTRA_CFLAGS='-fsanitize=fuzzer-no-link $(FUZZ_SANITIZE) -Wno-error' \
		EXTRA_LDFLAGS='$(FUZZ_SANITIZE)' fuzzers

pkg-check:
	@command -v pkg-config >/dev/null || { echo "make: pkg-config is not installed: run 'make deps' (as root)" >&2; exit 1; }
	@pkg-config --print-errors --exists $(PKGS) $(DL_PKGS) || \
		{ echo "make: the -dev packages above are missing: run 'make deps' (as root)" >&2; exit 1; }

# Installs what the build, the tests and the runtime need; quiet when all is present.
deps:
	@missing=$$(dpkg-query -W -f='$${Package} $${Status}\n' $(DEB_PKGS) 2>/dev/null | \
		awk '$$NF!="installed"{print $$1}'; \
		for p in $(DEB_PKGS); do dpkg-query -W $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$(echo $$missing | tr '\n' ' ')"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

units: $(UNIT_BINS)

# Targets that install deps build in a second make, after the packages are there
# (a -j build would otherwise compile next to a running apt-get).
check: deps
	$(MAKE) all units
	$(MAKE) BUILD=build-asan EXTRA_CFLAGS='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		EXTRA_LDFLAGS='-fsanitize=address,undefined' all units
	$(MAKE) fuzz-build
	FUZZ_SECONDS=$(FUZZ_CHECK_SECONDS) FUZZ_SEED=$${FUZZ_SEED:-1} tests/run.sh

fuzz: deps
	$(MAKE) fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_KEEP=1 tests/fuzz/run.sh

demo: deps
	$(MAKE) all
	tests/demo.sh

bench: deps
	$(MAKE) all $(BUILD)/bench/checkin_payload $(BUILD)/bench/blank_scan $(BUILD)/bench/flplan_bench
	bench/run.sh

# A fresh Debian 12 root (debootstrap): `make demo`, `make check`, the package.
check-fresh:
	tests/fresh-machine.sh

# bench drivers: a main in bench/ linked with the library layers
$(BUILD)/bench/%: bench/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c %.o,$^) $(ALL_LDFLAGS) $(PKG_LIBS)

install: all
	install -D -m 0755 $(BUILD)/mirrorprov $(DESTDIR)$(PREFIX)/sbin/mirrorprov
	install -D -m 0644 man/mirrorprov.8 $(DESTDIR)$(PREFIX)/share/man/man8/mirrorprov.8
	install -D -m 0644 man/mirrorprov.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/mirrorprov.conf.5
	install -D -m 0644 man/mirrorprov-profiles.7 $(DESTDIR)$(PREFIX)/share/man/man7/mirrorprov-profiles.7
	install -D -m 0644 examples/host.conf $(DESTDIR)$(PREFIX)/share/doc/mirrorprov/examples/host.conf
	install -d $(DESTDIR)$(PREFIX)/share/mirrorprov/profiles
	install -m 0644 profiles/*.conf $(DESTDIR)$(PREFIX)/share/mirrorprov/profiles/
	install -d $(DESTDIR)$(PREFIX)/share/mirrorprov/ansible/library
	cp -r contrib/ansible/roles contrib/ansible/site.yml contrib/ansible/inventory.yml \
		contrib/ansible/ansible.cfg $(DESTDIR)$(PREFIX)/share/mirrorprov/ansible/
	ln -sfr $(DESTDIR)$(PREFIX)/sbin/mirrorprov $(DESTDIR)$(PREFIX)/share/mirrorprov/ansible/library/mirrorprov_onboard
	install -D -m 0644 contrib/bash-completion/mirrorprov $(DESTDIR)$(BASH_COMPLETIONDIR)/mirrorprov
	install -d $(DESTDIR)$(SYSTEMD_UNITDIR)
	for u in contrib/systemd/*; do \
		sed 's|@SBINDIR@|$(PREFIX)/sbin|g' "$$u" >"$(DESTDIR)$(SYSTEMD_UNITDIR)/$${u##*/}" && \
		chmod 0644 "$(DESTDIR)$(SYSTEMD_UNITDIR)/$${u##*/}" || exit 1; \
	done

# The Debian package, built in a copy of the tree (dpkg-buildpackage writes
# into the parent directory): build/mirrorprov_VERSION_ARCH.deb, then lintian.
deb: deps
	rm -rf $(BUILD)/deb $(BUILD)/mirrorprov_*.deb && mkdir -p $(BUILD)/deb/src
	tar -cf - --exclude-vcs --exclude='./build*' . | tar -C $(BUILD)/deb/src -xf -
	cd $(BUILD)/deb/src && dpkg-buildpackage -us -uc -b
	mv $(BUILD)/deb/mirrorprov_*.deb $(BUILD)/ && rm -rf $(BUILD)/deb/src
	@ls $(BUILD)/mirrorprov_*.deb
	@if command -v lintian >/dev/null; then echo "lintian:"; lintian -I --pedantic $(BUILD)/mirrorprov_*.deb; fi

# The rules table of mirrorprov-profiles(7) from the shipped profiles (tests/cli/manpage.sh checks it).
man-profiles: $(BUILD)/mirrorprov
	MIRRORPROV_PROFILE_DIR=profiles python3 man/profiles-table.py $(BUILD)/mirrorprov man/mirrorprov-profiles.7

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -path '$(BUILD)/deb' -prune -o -name '*.d' -print 2>/dev/null)
