#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Demo of a kexec scenario in the test VM.  Stage 0 writes a file with
# random content, the running release, the memmap= arguments and the
# reserved ranges they made into the rootfs, then kexecs into the other
# installed kernel (vm-kexec other).  Stage 1 (same suite line, new
# kernel) checks that the file survived, that the release changed, that
# memmap= was carried over and reserved the same range again, and that
# the module was loaded again.  Prints TAP.
#
# On the debug kernel the kexec also passes identify_cpu_delay_ms=100
# (tools/debug-kernel/patches/0003): the new kernel's boot CPU then waits
# 100 ms with its capability words cleared and interrupts on.  A kexec'ed
# bzImage runs 5-level paging where the CPU has LA57, and there, unless
# identify_cpu() keeps LA57 set (patch 0002), the timer interrupts of that
# window get "BUG: KASAN: wild-memory-access" reports: stage 1 checks that
# the wait happened and that no KASAN report came.

DIR=/var/lib/kexec-smoke
. "$(dirname "$0")/tap.sh"

memmap_args() {
	tr ' ' '\n' </proc/cmdline | grep '^memmap='
}

# The /proc/iomem lines of the ranges memmap=SIZE$ADDR reserved.
memmap_ranges() {
	for m in $(memmap_args); do
		addr=${m#*\$}
		addr=${addr#0x}
		grep -i "^0*$addr-" /proc/iomem
	done
}

same_ranges() {
	grep -q Reserved "$DIR/ranges" &&
		[ "$(memmap_ranges)" = "$(cat "$DIR/ranges")" ]
}

stage0() {
	echo "TAP version 13"
	mkdir -p "$DIR"
	head -c 4096 /dev/urandom >"$DIR/data"
	sha256sum "$DIR/data" >"$DIR/data.sha256"
	uname -r >"$DIR/release"
	memmap_args >"$DIR/memmap"
	memmap_ranges >"$DIR/ranges"
	echo "# stage 0 on $(uname -r), kexec into the other kernel"
	if is_debug; then
		exec vm-kexec other identify_cpu_delay_ms=100
	fi
	exec vm-kexec other
}

is_debug() {
	case $(uname -r) in
	*-vmpkram-debug) return 0 ;;
	esac
	return 1
}

# The debug kernel's identify_cpu() window (see the top of this file).
check_identify_window() {
	check "identify_cpu_delay_ms=100: the boot CPU waited in the window" \
		sh -c "dmesg | grep -q 'identify_cpu_delay_ms=100: boot CPU waits'"
	if grep -qw la57 /proc/cpuinfo; then
		check "5-level paging after kexec: no KASAN report" \
			sh -c "! dmesg | grep -q 'BUG: KASAN'"
	else
		skip "no KASAN report with 5-level paging" \
			"4-level paging after kexec (CPU without LA57): no window"
	fi
}

stage1() {
	before=$(cat "$DIR/release" 2>/dev/null)
	now=$(uname -r)
	set -- /boot/vmlinuz-*
	if is_debug; then echo "1..8"; else echo "1..6"; fi
	check "random file survived kexec" sha256sum -c -s "$DIR/data.sha256"
	if [ $# -lt 2 ]; then
		skip "release changed" "only one kernel installed"
	else
		check "release changed: $before -> $now" \
			[ -n "$before" -a "$before" != "$now" ]
	fi
	if [ -s "$DIR/memmap" ]; then
		check "memmap= carried over: $(cat "$DIR/memmap")" \
			[ "$(memmap_args)" = "$(cat "$DIR/memmap")" ]
		check "same range reserved again: $(head -n 1 "$DIR/ranges")" \
			same_ranges
	else
		skip "memmap= carried over" "no memmap= on the command line"
		skip "same range reserved again" "no memmap= on the command line"
	fi
	check "vmpkram loaded again" [ -d /sys/module/vmpkram ]
	check "boot counter is 1" [ "$VMPKRAM_VM_BOOT" = 1 ]
	! is_debug || check_identify_window
	[ $failed -eq 0 ]
}

case ${VMPKRAM_VM_STAGE:-0} in
0) stage0 ;;
1) stage1 ;;
*) echo "not ok - unexpected stage $VMPKRAM_VM_STAGE"; exit 1 ;;
esac
