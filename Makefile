# SPDX-License-Identifier: GPL-2.0
#
# vmpkram top-level Makefile.
#
#   make                 module for one kernel (KDIR=, default: newest
#                        installed Debian headers) and all userspace;
#                        the kernel's headers are enough
#   make modules-all     the module for every supported installed kernel
#   make check           install deps, build everything, run host tests,
#                        static checks and the VM suites on 6.1 and 6.12
#                        (VM_SUITES_ONCE, the kexec soak: once, from KVER)
#   make debug-kernel    build (once, cached) the 6.12 debug kernel: KASAN,
#                        lockdep, kmemleak, fault injection
#   make check-debug     the VM suites on the debug kernel (builds it first)
#   make demo            install deps, boot the test VM, run a guest in it
#                        across a kexec (vmpkram-qemu update, resume)
#   make vm              interactive shell in the test VM (KVER=6.1|6.12)
#   make bench           benchmarks in the test VM: table, and
#                        build/bench/results.json (BENCH_ARGS= for options)
#   make deps            install build/test dependencies (idempotent)
#   make guest           the end-to-end test guest: build/guest/heartbeat
#                        and build/guest/initramfs.cpio
#   make qemu-10         QEMU 10.0 of bookworm-backports unpacked into
#                        build/qemu-10 (tools/qemu-10.sh; cached)
#   make install         install module (for the kernel of KDIR) and
#                        userspace (DESTDIR=, PREFIX=)
#   make check-install   the README's install section on a fresh clone,
#                        for every supported kernel, into a DESTDIR
#   make dkms-install    register the module source with DKMS
#
# Everything built lands in build/.

SHELL := /bin/bash
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(TOP)/build
RESULTS := $(BUILD)/results
VERSION := $(shell cat $(TOP)/VERSION)

# KVER picks a kernel by series (6.1, 6.12) or full release string;
# KDIR, when given, names the kernel instead, and KREL is always the
# release of KDIR's kernel.
KVER ?= 6.12
KDIR ?= /lib/modules/$(shell $(TOP)/tools/kernels.sh $(KVER))/build
KREL = $(shell $(TOP)/tools/krelease.sh $(KDIR))
ALL_KRELS = $(shell $(TOP)/tools/kernels.sh)

# The VM suites make check runs on every kernel.
VM_SUITES ?= core kexec-smoke pool pool-huge pool-kexec fuzz qemu
# The fuzz suite's budget per kernel in make check (seconds of fuzzing; it
# reads VMPKRAM_FUZZ_SECONDS, which the kernel hands to the guest's init
# as environment).
CHECK_FUZZ_SECONDS ?= 30
# Suites it runs once, starting on $(KVER): they kexec between the
# kernels themselves.
VM_SUITES_ONCE ?= kexec-soak


# The debug kernel (tools/debug-kernel) and what make check-debug runs on
# it.  The kexec suites kexec it into itself (vm-kexec "other" falls back
# to the running kernel when it is the only one in the initramfs).
DEBUG_KDIR := $(BUILD)/debug-kernel/obj
DEBUG_RESULTS := $(BUILD)/results-debug
VM_SUITES_DEBUG ?= core pool pool-huge pool-kexec fuzz kexec-smoke errinject kexec-soak
# The fuzz suite's budget there.
DEBUG_FUZZ_SECONDS ?= 120

.PHONY: all deps module modules-all user selftests check check-host \
	check-static check-vm check-install demo vm bench install \
	dkms-install clean debug-kernel check-debug guest qemu-10

# The selftests need linux-source-6.12 (tools/ksrc.sh): not by default.
all: module user

deps:
	@$(TOP)/tools/deps.sh

# ---------------------------------------------------------------- module

module:
	@$(TOP)/tools/kbuild.sh $(KDIR)

modules-all:
	@set -e; for k in $(ALL_KRELS); do \
		$(TOP)/tools/kbuild.sh /lib/modules/$$k/build; done

# ------------------------------------------------------------- userspace

user:
	@$(MAKE) --no-print-directory -C user O=$(BUILD)/user

selftests: user
	@$(MAKE) --no-print-directory -C selftests O=$(BUILD)/selftests \
		USER_BUILD=$(BUILD)/user

# ------------------------------------------------- end-to-end test guest

# The guest of the QEMU end-to-end tests (L2 inside the test VM): a
# static workload and the initramfs it runs from, booted with one of
# Debian's kernels.
GUEST := $(BUILD)/guest

guest: $(GUEST)/initramfs.cpio

$(GUEST)/heartbeat: tools/guest/heartbeat.c
	@mkdir -p $(GUEST)
	$(CC) -O2 -g -Wall -Wextra -Werror -static -o $@ $<

$(GUEST)/initramfs.cpio: $(GUEST)/heartbeat tools/guest/init tools/guest/mkguest
	@$(TOP)/tools/guest/mkguest $(GUEST)/heartbeat $@

qemu-10:
	@$(TOP)/tools/qemu-10.sh

# ----------------------------------------------------------------- tests

check: deps
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory modules-all user selftests guest qemu-10
	@rc=0; \
	$(MAKE) --no-print-directory check-static || rc=1; \
	$(MAKE) --no-print-directory check-host || rc=1; \
	$(MAKE) --no-print-directory check-install || rc=1; \
	$(MAKE) --no-print-directory check-vm || rc=1; \
	$(TOP)/tools/summarize.sh $(RESULTS) || rc=1; \
	exit $$rc

check-host:
	@$(MAKE) --no-print-directory -C user check O=$(BUILD)/user \
		RESULTS=$(RESULTS)

check-static:
	@$(TOP)/tools/check-static.sh $(RESULTS)/static.result $(ALL_KRELS)

check-install:
	@$(TOP)/tools/check-install.sh $(RESULTS)/install.result $(ALL_KRELS)

check-vm:
	@rc=0; for k in $(ALL_KRELS); do for s in $(VM_SUITES); do \
		$(TOP)/tools/vm/run-vm --kernel $$k --suite $$s --mem 4G \
			--append VMPKRAM_FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS) \
			--result $(RESULTS)/vm-$$k-$$s.result || rc=1; \
	done; done; for s in $(VM_SUITES_ONCE); do \
		$(TOP)/tools/vm/run-vm --kernel $(KREL) --suite $$s --mem 4G \
			--result $(RESULTS)/vm-$(KREL)-$$s.result || rc=1; \
	done; exit $$rc

debug-kernel:
	@$(TOP)/tools/debug-kernel/build.sh

# Each suite that exists in selftests/vm/suites, one VM boot each.
check-debug: deps
	@rm -rf $(DEBUG_RESULTS); mkdir -p $(DEBUG_RESULTS)
	@$(MAKE) --no-print-directory debug-kernel
	@$(TOP)/tools/kbuild.sh $(DEBUG_KDIR)
	@$(MAKE) --no-print-directory user selftests
	@rc=0; rel=$$(cat $(BUILD)/debug-kernel/release); \
	for s in $(VM_SUITES_DEBUG); do \
		if [ ! -f $(TOP)/selftests/vm/suites/$$s ]; then \
			echo "check-debug: no suite $$s, skipped"; continue; fi; \
		$(TOP)/tools/vm/run-vm --kernel debug --suite $$s --mem 4G \
			--append VMPKRAM_FUZZ_SECONDS=$(DEBUG_FUZZ_SECONDS) \
			--result $(DEBUG_RESULTS)/vm-$$rel-$$s.result || rc=1; \
	done; \
	$(TOP)/tools/summarize.sh $(DEBUG_RESULTS) || rc=1; \
	exit $$rc

demo: deps
	@$(MAKE) --no-print-directory modules-all user selftests guest qemu-10
	@$(TOP)/tools/vm/run-vm --kernel $(KVER) --suite demo --mem 4G \
		--result $(BUILD)/demo.result

# Median of repeated runs, compared side by side in one VM boot.
bench: deps
	@$(MAKE) --no-print-directory modules-all user selftests
	@$(TOP)/tools/bench/run-bench --kernel $(KVER) $(if $(BENCH_ARGS),-- $(BENCH_ARGS))

vm: modules-all user selftests
	@$(TOP)/tools/vm/run-vm --kernel $(KVER) --interactive

# --------------------------------------------------------------- install

PREFIX ?= /usr/local
DKMS_SRC = $(DESTDIR)/usr/src/vmpkram-$(VERSION)

# The module built for KDIR's kernel goes to that kernel's extra/.
install: module user
	@test -n "$(KREL)"
	$(MAKE) -C $(KDIR) M=$(BUILD)/kmod/$(KREL) INSTALL_MOD_DIR=extra \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) \
		modules_install
	@# modules_install succeeds even when it found nothing to install.
	@ls $(DESTDIR)/lib/modules/$(KREL)/extra/vmpkram.ko* >/dev/null
	$(MAKE) -C user O=$(BUILD)/user install PREFIX=$(PREFIX) \
		DESTDIR=$(DESTDIR)

dkms-install:
	@command -v dkms >/dev/null || apt-get install -y --no-install-recommends dkms
	install -d $(DKMS_SRC)/kmod/uapi/linux
	install -m 644 Kbuild VERSION $(DKMS_SRC)/
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' dkms.conf \
		>$(DKMS_SRC)/dkms.conf
	install -m 644 $(wildcard kmod/*.c kmod/*.h) $(DKMS_SRC)/kmod/
	install -m 755 kmod/compat-probe.sh $(DKMS_SRC)/kmod/
	install -m 644 kmod/uapi/linux/vmpkram.h $(DKMS_SRC)/kmod/uapi/linux/
	@# Idempotent: a second run replaces the registered source tree.
	-dkms remove -m vmpkram -v $(VERSION) --all >/dev/null 2>&1
	dkms add -m vmpkram -v $(VERSION)
	@# Every installed kernel with headers now; AUTOINSTALL covers later ones.
	@for k in $$(ls /lib/modules); do \
		[ -e /lib/modules/$$k/build/Makefile ] || continue; \
		dkms install -m vmpkram -v $(VERSION) -k $$k || exit 1; \
	done

clean:
	rm -rf $(BUILD)
