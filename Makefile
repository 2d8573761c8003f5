# boxlaunch - build, test and install.
#
#   make              build build/boxlaunch (and the static stub init it embeds)
#   make check        format check, unit tests (cmocka), fuzz corpus replay (ASan+UBSan),
#                     unit-file verification and integration tests (bats, as root);
#                     ends with "N passed, N failed, N skipped"
#   make install      PREFIX=/usr/local DESTDIR=
#   make format       reformat the C sources with clang-format
#   make fuzz         run the libFuzzer target for FUZZ_SECONDS (default 60)
#   make bench        the side-by-side start-up benchmark (tests/bench/)

PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
DATADIR     ?= $(PREFIX)/share/boxlaunch
SYSCONFDIR  ?= /etc
UNITDIR     ?= /etc/systemd/system

CC          ?= cc
CLANG       ?= clang
CLANG_FORMAT ?= clang-format
# The stub init is tiny with musl; glibc's static build works too, at ~700 KiB.
STUB_CC     ?= $(shell command -v musl-gcc 2>/dev/null || echo $(CC))
PKG_CONFIG  ?= pkg-config

BUILD       := build
PKGS        := mount libseccomp libcap libapparmor json-c libnl-3.0
CPPFLAGS    += -D_GNU_SOURCE -Ilauncher -DBOXLAUNCH_VERSION=\"$(VERSION)\" \
               -DBOXLAUNCH_SYSCONFDIR=\"$(SYSCONFDIR)\" -DBOXLAUNCH_DATADIR=\"$(DATADIR)\"
CFLAGS      ?= -O2 -g
CFLAGS      += -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter \
               -Werror=implicit-function-declaration -fno-strict-aliasing -MMD -MP \
               $(shell $(PKG_CONFIG) --cflags $(PKGS))
# boxlaunch is linked as a static PIE by default (iniparser, libseccomp, libcap, libapparmor
# and glibc): it is started once per box, and a dynamic link costs every start the mapping and
# relocation of each shared object (about 0.2 ms apiece here), while the supervisor, which stays
# for the box's lifetime, would keep most of the shared libc resident (its page cache comes in
# large folios): 2.2 MiB peak RSS dynamic against 1.4 MiB static. Still a PIE, so ASLR stays.
# STATIC_DEPS=0 links everything dynamically (distribution packages, which want library
# security updates to apply without a rebuild). libmount is loaded with dlopen when a mount's
# Options= is parsed (launcher/util/mountopts.c), which needs the glibc the binary was built against:
# ld says so in a warning that is expected here and filtered from the link's output. NSS
# modules are never loaded into the static binary (User=pick asks getent(1)).
STATIC_DEPS ?= 1
# Tests link the shared libraries: libapparmor.a exports a global print_error() that would
# preempt cmocka's.
TEST_LDLIBS := -liniparser -lseccomp -lcap -lapparmor -ljson-c -lnl-3
# Networking (launcher/net/): libnl-3's core is linked (Debian ships libnl-3.a), for rtnetlink
# and for the nf_tables batches of the boxes' firewalls (libnftables and libnftnl need libmnl,
# of which Debian ships no .a, and loading them with dlopen cost 2-5 ms a box).
# The build id keys the seccomp cache (launch/seccomp.c): asked for, not left to the toolchain.
LDFLAGS     += -Wl,--build-id=sha1
ifeq ($(STATIC_DEPS),1)
LDFLAGS     += -static-pie
LDLIBS      += $(TEST_LDLIBS)
LINK_FILTER := 2>$@.err; r=$$?; grep -v 'requires at runtime the shared libraries\|in function .\(load\|nl_addr_info\|nl_ip_proto2str\|nl_str2ip_proto\).:$$' \
               $@.err >&2; rm -f $@.err; exit $$r
else
LDLIBS      += $(TEST_LDLIBS)
endif
VERSION     := 0.1.0
# On x86-64 the program starts in boxlaunch_entry (launcher/util/image.c), which maps the image
# ahead before glibc's start runs (image.h, image_prefault_early()).
comma       := ,
ENTRY       := $(if $(filter x86_64-%,$(shell $(CC) -dumpmachine)),-Wl$(comma)-e$(comma)boxlaunch_entry)

# One folder per layer (README "Layout"); the stub init is a program of its own.
STUB_SRC    := launcher/supervisor/stubinit.c launcher/supervisor/stubsup.c
SRCS        := $(filter-out $(STUB_SRC),$(shell find launcher -name '*.c' | sort))
OBJS        := $(SRCS:launcher/%.c=$(BUILD)/obj/%.o)
LIB_OBJS    := $(filter-out $(BUILD)/obj/cli/main.o,$(OBJS))
UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FMT_FILES   := $(shell find launcher tests/unit tests/fuzz -name '*.[ch]' | sort)
FUZZ_SECONDS ?= 60

.PHONY: all check unit integration fuzz fuzz-replay format format-check install uninstall \
        clean bench

all: $(BUILD)/boxlaunch $(BUILD)/boxlaunch-runc

$(BUILD):
	@mkdir -p $(BUILD) $(BUILD)/tests $(BUILD)/fuzz

# The stub init runs as PID 1 inside boxes. It is linked statically and embedded in boxlaunch,
# which runs it from a sealed memfd: the box can neither see nor overwrite the host binary.
# A static PIE (no interpreter): the kernel maps it at a random address in the mmap area, next
# to the vDSO, so PID 1 needs one page-table branch less than at the fixed 0x400000 (12 KiB per
# box, README "Performance"). musl-gcc's specs know only -static: its libc.a and rcrt1.o (the
# start file that relocates the image) are named here; any other compiler takes -static-pie.
STUB_MUSL   := $(patsubst %/musl-gcc.specs,%,$(shell sed -n 's/.*-specs "\([^"]*\)".*/\1/p' \
               $(STUB_CC) 2>/dev/null))
ifneq ($(wildcard $(STUB_MUSL)/rcrt1.o),)
STUB_LINK   := -nostdlib $(STUB_MUSL)/rcrt1.o $(STUB_MUSL)/crti.o \
               $(shell $(STUB_CC) -print-file-name=crtbeginS.o)
STUB_LIBS   := $(STUB_MUSL)/libc.a $(shell $(STUB_CC) -print-libgcc-file-name) \
               $(shell $(STUB_CC) -print-file-name=crtendS.o) $(STUB_MUSL)/crtn.o
endif
# The Makefile is a prerequisite: the stub's link flags are here (a change left a stale image).
$(BUILD)/stubinit: $(STUB_SRC) launcher/supervisor/stubsup.h Makefile | $(BUILD)
	$(STUB_CC) -D_GNU_SOURCE -std=gnu11 -Os -Wall -Wextra -fPIE -static-pie -Ilauncher \
		-Wl,--no-dynamic-linker $(STUB_LINK) -o $@ $(STUB_SRC) -Wl,--gc-sections $(STUB_LIBS)
	strip $@

$(BUILD)/stubinit_blob.o: $(BUILD)/stubinit launcher/supervisor/stubinit_blob.S
	$(CC) -c -DSTUBINIT_PATH=\"$(BUILD)/stubinit\" -o $@ launcher/supervisor/stubinit_blob.S

$(BUILD)/obj/%.o: launcher/%.c | $(BUILD)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/boxlaunch: $(OBJS) $(BUILD)/stubinit_blob.o
	$(CC) $(LDFLAGS) $(ENTRY) -o $@ $^ $(LDLIBS) $(LINK_FILTER)

# The OCI runtime (runc's command line) is the same binary, chosen by its name: a hard link,
# so that a caller resolving symbolic links (readlink -f) still calls it by that name.
$(BUILD)/boxlaunch-runc: $(BUILD)/boxlaunch
	ln -f $< $@

# Interleaved A/B of two builds (tests/bench/abrun.c): make build/abrun.
$(BUILD)/abrun: tests/bench/abrun.c | $(BUILD)
	$(CC) -O2 -Wall -Wextra -o $@ $< -lm

# What the network layer costs per box (root, scratch namespaces): make build/netcost.
$(BUILD)/netcost: tests/bench/netcost.c $(LIB_OBJS) $(BUILD)/stubinit_blob.o | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lm $(LINK_FILTER)

# --- tests -----------------------------------------------------------------------------------
$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) $(BUILD)/stubinit_blob.o | $(BUILD)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) -o $@ $^ $(TEST_LDLIBS) -lcmocka

unit: $(UNIT_BINS)

# docs/oci-fields.md is generated from the OCI field table (test_oci_spec checks it is current).
$(BUILD)/gen_oci_fields: tests/unit/gen_oci_fields.c $(BUILD)/obj/frontend/oci/fields.o | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^

docs/oci-fields.md: $(BUILD)/gen_oci_fields
	$(BUILD)/gen_oci_fields > $@

# The fuzz target: libFuzzer + ASan + UBSan over the .box front-end.
FUZZ_LIB_SRCS := $(filter-out launcher/cli/main.c,$(SRCS))
$(BUILD)/fuzz/fuzz_box: tests/fuzz/fuzz_box.c $(FUZZ_LIB_SRCS) $(BUILD)/stubinit_blob.o | $(BUILD)
	$(CLANG) $(CPPFLAGS) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined $(shell $(PKG_CONFIG) --cflags $(PKGS)) \
		-o $@ $^ $(TEST_LDLIBS)

fuzz: $(BUILD)/fuzz/fuzz_box
	mkdir -p $(BUILD)/fuzz/corpus
	$(BUILD)/fuzz/fuzz_box -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/box.dict \
		$(BUILD)/fuzz/corpus tests/fuzz/corpus

check: all unit $(BUILD)/fuzz/fuzz_box
	@BUILD=$(BUILD) tests/run-all.sh

integration: all
	BOXLAUNCH=$(CURDIR)/$(BUILD)/boxlaunch bats tests/integration

format:
	$(CLANG_FORMAT) -i $(FMT_FILES)

format-check:
	@$(CLANG_FORMAT) --dry-run --Werror $(FMT_FILES)

bench: all $(BUILD)/netcost
	tests/bench/run.sh

# --- install ---------------------------------------------------------------------------------
install: all
	install -D -m 0755 $(BUILD)/boxlaunch $(DESTDIR)$(BINDIR)/boxlaunch
	ln -f $(DESTDIR)$(BINDIR)/boxlaunch $(DESTDIR)$(BINDIR)/boxlaunch-runc
	install -D -m 0644 docs/boxlaunch.1 $(DESTDIR)$(MANDIR)/man1/boxlaunch.1
	install -D -m 0644 docs/boxlaunch.box.5 $(DESTDIR)$(MANDIR)/man5/boxlaunch.box.5
	install -d $(DESTDIR)$(DATADIR)/examples $(DESTDIR)$(SYSCONFDIR)/boxlaunch
	install -m 0644 examples/*.box $(DESTDIR)$(DATADIR)/examples/
	install -m 0755 examples/*.sh $(DESTDIR)$(DATADIR)/examples/
	# The units name the binary where this install puts it.
	for u in units/*; do \
		install -d $(DESTDIR)$(UNITDIR); \
		sed 's|/usr/local/bin/boxlaunch|$(BINDIR)/boxlaunch|g' $$u >$(DESTDIR)$(UNITDIR)/$$(basename $$u); \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename $$u); \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/boxlaunch $(DESTDIR)$(BINDIR)/boxlaunch-runc $(DESTDIR)$(MANDIR)/man1/boxlaunch.1 \
		$(DESTDIR)$(MANDIR)/man5/boxlaunch.box.5
	rm -rf $(DESTDIR)$(DATADIR)
	for u in units/*; do rm -f $(DESTDIR)$(UNITDIR)/$$(basename $$u); done

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d)
