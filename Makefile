# SPDX-License-Identifier: GPL-2.0
#
# vmpkram top-level Makefile.
#
#   make                 module for one kernel (KDIR=, default: newest
#                        installed Debian headers) and all userspace
#   make modules-all     the module for every supported installed kernel
#   make check           install deps, build everything, run host tests,
#                        static checks and the VM suites on 6.1 and 6.12
#   make demo            install deps, boot the test VM, show vmpkramctl
#   make vm              interactive shell in the test VM (KVER=6.1|6.12)
#   make bench           benchmarks in the test VM: table, and
#                        build/bench/results.json (BENCH_ARGS= for options)
#   make deps            install build/test dependencies (idempotent)
#   make install         install module (for KDIR) and userspace
#   make dkms-install    register the module source with DKMS
#
# Everything built lands in build/.

SHELL := /bin/bash
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(TOP)/build
RESULTS := $(BUILD)/results
VERSION := 0.2.0

# KVER picks a kernel by series (6.1, 6.12) or full release string.
KVER ?= 6.12
KREL = $(shell $(TOP)/tools/kernels.sh $(KVER))
KDIR ?= /lib/modules/$(KREL)/build
ALL_KRELS = $(shell $(TOP)/tools/kernels.sh)

# The VM suites make check runs on every kernel.
VM_SUITES ?= core kexec-smoke pool pool-kexec


.PHONY: all deps module modules-all user selftests check check-host \
	check-static check-vm demo vm bench install dkms-install clean

all: module user selftests

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

# ----------------------------------------------------------------- tests

check: deps
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory modules-all user selftests
	@rc=0; \
	$(MAKE) --no-print-directory check-static || rc=1; \
	$(MAKE) --no-print-directory check-host || rc=1; \
	$(MAKE) --no-print-directory check-vm || rc=1; \
	$(TOP)/tools/summarize.sh $(RESULTS) || rc=1; \
	exit $$rc

check-host:
	@$(MAKE) --no-print-directory -C user check O=$(BUILD)/user \
		RESULTS=$(RESULTS)

check-static:
	@$(TOP)/tools/check-static.sh $(RESULTS)/static.result $(ALL_KRELS)

check-vm:
	@rc=0; for k in $(ALL_KRELS); do for s in $(VM_SUITES); do \
		$(TOP)/tools/vm/run-vm --kernel $$k --suite $$s --mem 4G \
			--result $(RESULTS)/vm-$$k-$$s.result || rc=1; \
	done; done; exit $$rc

demo: deps
	@$(MAKE) --no-print-directory modules-all user selftests
	@$(TOP)/tools/vm/run-vm --kernel $(KVER) --suite demo \
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

install: module user
	$(MAKE) -C $(KDIR) M=$(BUILD)/kmod/$(KREL) INSTALL_MOD_DIR=extra \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) \
		modules_install
	$(MAKE) -C user O=$(BUILD)/user install PREFIX=$(PREFIX) \
		DESTDIR=$(DESTDIR)

dkms-install:
	@command -v dkms >/dev/null || apt-get install -y --no-install-recommends dkms
	install -d $(DKMS_SRC)/kmod/uapi/linux
	install -m 644 Kbuild $(DKMS_SRC)/
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
