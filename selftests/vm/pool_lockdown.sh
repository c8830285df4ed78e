#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Under kernel lockdown (what Secure Boot turns on), /dev/mem is refused,
# and so is attaching or formatting a range vmpkram.pool= did not name:
# only the ranges the boot configuration names stay usable.  The test
# raises lockdown to "integrity" at run time, which cannot be undone and
# stops unsigned modules from loading: it must be the last test of its
# boot (suite "pool", after pool_failure.sh, which leaves the module
# loaded with pool "small" only).  Skipped where the kernel has no
# lockdown LSM (the debug kernel).  Prints TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/pool_lib.sh"

BASE=0x60000000
LOCKDOWN=/sys/kernel/security/lockdown
MNT=/tmp/pool_lockdown.mnt

echo "TAP version 13"
if ! grep -q 'memmap=64M\$0x60000000' /proc/cmdline; then
	echo "1..0 # SKIP needs the memmap= of suite pool"
	exit 4
fi
[ -e $LOCKDOWN ] || mount -t securityfs none /sys/kernel/security 2>/dev/null
if [ ! -e $LOCKDOWN ]; then
	echo "1..0 # SKIP no $LOCKDOWN: this kernel has no lockdown LSM"
	exit 4
fi
if ! grep -q '\[none\]' $LOCKDOWN; then
	echo "1..0 # SKIP already locked down: $(cat $LOCKDOWN)"
	exit 4
fi
mkdir -p "$MNT"

setup() {
	umount_pools || return 1
	module_loaded || modprobe vmpkram pool=small:64M@$BASE || return 1
	[ "$(pool_state small)" = READY ] ||
		vmpkramctl pool format small --yes >/dev/null
}
if ! setup; then
	not_ok "setup: module loaded, pool small READY"
	tap_done
	exit 1
fi

# attach_half: half of pool small's range as pool "half" (not named).
attach_half() {
	vmpkramctl pool detach small >/dev/null || return 1
	out=$(vmpkramctl pool attach half 32M@$BASE 2>&1)
	rc=$?
	out=$(echo "$out" | tr '\n' ' ')
	return $rc
}

# Before lockdown, the control: an admin (root, CAP_SYS_RAWIO) may.
if attach_half; then
	ok "without lockdown, half of small's range attaches as pool half ($(pool_state half))"
else
	not_ok "without lockdown, half of small's range attaches: $out"
fi
vmpkramctl pool detach half >/dev/null 2>&1
vmpkramctl pool attach small 64M@$BASE >/dev/null 2>&1

echo integrity >$LOCKDOWN
check "lockdown is integrity now" grep -q '\[integrity\]' $LOCKDOWN

if attach_half; then
	not_ok "under lockdown, a range vmpkram.pool= did not name is refused: attached ($(pool_state half))"
elif echo "$out" | grep -q "lockdown" && [ -z "$(pool_state half)" ]; then
	ok "under lockdown, a range vmpkram.pool= did not name is refused: $out"
else
	not_ok "under lockdown, a range vmpkram.pool= did not name is refused with a reason: $out"
fi
vmpkramctl pool detach half >/dev/null 2>&1
check "under lockdown, the range vmpkram.pool= named attaches" \
	vmpkramctl pool attach small 64M@$BASE
usable() {
	vmpkramctl pool format small --yes >/dev/null &&
		mount -t vmpkramfs -o pool=small none "$MNT" &&
		echo data >"$MNT/f" && umount "$MNT"
}
check "under lockdown, pool small formats, mounts and takes a file" usable
tap_done
