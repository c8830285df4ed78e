#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo: a guest keeps running while the host kernel is replaced.
# In the test VM (the "host"), a Linux guest under QEMU with its RAM in a
# vmpkramfs file prints a heartbeat; vmpkram-qemu update saves its device
# state and kexecs the test VM into the other kernel; vmpkram-qemu resume
# brings the guest back; its heartbeat goes on from where it stopped.
# Then the demo checks its own claims (TAP), so it cannot silently break.
# Suite "demo" (host-root, nested KVM, pool "vm"; see qemu_lib.sh).

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/pool_lib.sh"
. "$(dirname "$0")/qemu_lib.sh"

STAGE=${VMPKRAM_VM_STAGE:-0}
G=vm1

say() { printf '\n==== %s\n' "$*"; }
indent() { sed 's/^/    /'; }
# Line by line, unbuffered: what update says before the kexec is shown.
indent_now() { while IFS= read -r l; do echo "    $l"; done; }

fatal() {
	not_ok "$*"
	tap_done
	exit 1
}

stage0() {
	rm -rf "$QE_DIR"
	say "host kernel $(uname -r); 1 GiB of RAM reserved at boot for guest memory:"
	grep -o 'memmap=[^ ]*\|vmpkram.pool=[^ ]*' /proc/cmdline | tr '\n' ' ' | indent
	echo
	qe_setup >/tmp/qe-setup.out || fatal "setup: $(cat /tmp/qe-setup.out)"
	rm -f "$QE_MNT"/*
	vmpkramctl pool status $QE_POOL | grep -E 'pool|size|space|files' | indent

	say "launch a guest with 256 MiB of RAM in the pool (QEMU 7.2, KVM)"
	echo "    vmpkram-qemu launch $G --mem 256M --qemu qemu-7.2 -- -machine q35 ... -kernel vmlinux-$(uname -r) ..."
	qe_launch $G 7.2 256 128 2>&1 | indent
	qe_wait_hb $G 15 180 || fatal "the guest printed no heartbeat"
	qe_wait_check $G 1 60
	say "the guest runs: it fills 128 MiB with a pattern, counts heartbeats in RAM and checks the pattern"
	qe_log $G | grep -E '^(heartbeat|check)' | head -n 3 | indent
	qe_log $G | tail -n 3 | indent

	# Before --prepare, which packs the root file system for the next boot.
	uname -r >"$QE_DIR/release"
	next=$(vm-kexec --prepare other) || fatal "vm-kexec --prepare"
	rel=$(echo "$next" | sed -n 's/^release=//p')
	say "update the host kernel: $(uname -r) -> $rel"
	echo "    vmpkram-qemu update --kernel /boot/vmlinuz-$rel --initrd ... --command-line ..."
	vm-kexec --marker "$rel" "$(echo "$next" | sed -n 's/^cmdline=//p')" >/dev/null
	vmpkram-qemu update --kernel "$(echo "$next" | sed -n 's/^kernel=//p')" \
		--initrd "$(echo "$next" | sed -n 's/^initrd=//p')" \
		--command-line "$(echo "$next" | sed -n 's/^cmdline=//p')" 2>&1 |
		indent_now
	fatal "vmpkram-qemu update returned"
}

stage1() {
	prev=$(cat "$QE_DIR/release")
	say "booted $(uname -r) by kexec from $prev; the pool was found intact:"
	qe_setup >/tmp/qe-setup.out || fatal "setup after kexec: $(cat /tmp/qe-setup.out)"
	vmpkramctl pool status $QE_POOL | grep -E 'pool|files|clean' | indent
	vmpkram-qemu status 2>&1 | indent
	last=$(qe_last_hb $G)
	pass=$(qe_last_check $G)

	say "resume the guest"
	echo "    vmpkram-qemu resume --all"
	qe_console $G
	out=$(vmpkram-qemu resume --all 2>&1)
	rc=$?
	echo "$out" | indent
	qe_wait_hb $G $((last + 3 * QE_HZ)) 60
	qe_wait_check $G $((pass + 1)) 60

	say "the guest's console around the kexec: the heartbeat goes on, its uptime too"
	qe_log $G | grep -E '^(hb|check)' | grep -B 2 -A 3 "^hb $last " | indent
	downtime=$(echo "$out" | sed -n "s/^resumed $G: downtime \([^,]*\),.*/\1/p")
	say "guest $G kept running across $prev -> $(uname -r): heartbeat $last -> $((last + 1)), downtime ${downtime:-?}"

	echo
	echo "TAP version 13"
	check "the host kernel changed: $prev -> $(uname -r)" [ "$(uname -r)" != "$prev" ]
	check "vmpkram-qemu resume succeeded" [ $rc -eq 0 ]
	check "the heartbeat went on after $last" [ "$(qe_last_hb $G)" -gt $((last + QE_HZ)) ]
	if why=$(qe_verify $G); then ok "no reboot, no lost beat: $why"; else not_ok "$why"; fi
	check "a pattern check after the resume passed" [ "$(qe_last_check $G)" -gt "$pass" ]
	check "the downtime was measured: ${downtime:-none}" [ -n "$downtime" ]
	vmpkram-qemu save $G >/dev/null 2>&1
	tap_done
}

case $STAGE in
0) stage0 ;;
1) stage1 ;;
*) echo "not ok - unexpected stage $STAGE"; exit 1 ;;
esac
