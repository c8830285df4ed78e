#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Memory failures that race the life of a pool, through
# /sys/devices/system/memory/hard_offline_page (memory_failure() on a
# physical address, as a machine check would report it):
#
#  1. while pool "test" is detached and attached again and again, two
#     loops report a page of its last block failed: the handler must
#     never see the pool half built (no metadata yet) or half torn down
#     (metadata freed before its struct pages); KASAN on the debug
#     kernel, an oops on any kernel;
#  2. an unload killed while a pipe pins a page of pool "test" leaves the
#     pool's struct pages behind: a memory failure there afterwards must
#     not call into the module that is gone (an oops, before).
#
# Leaves pool "test"'s range claimed until reboot (as a killed unload
# does) and the module loaded with pool "small" only: run it last in the
# suite "pool", before pool_lockdown.sh.  Prints TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/pool_lib.sh"

TEST_BASE=0x40000000
TEST_SIZE=0x20000000
SECONDS_RACE=${POOL_FAILURE_SECONDS:-20}
W=/tmp/pool_failure
MNT=$W/mnt
HWP=/sys/devices/system/memory/hard_offline_page
# A page in the last block of pool test: free (the tests left it empty).
PAGE=$((TEST_BASE + TEST_SIZE - 0x1000))

echo "TAP version 13"
if ! grep -q 'memmap=512M\$0x40000000' /proc/cmdline; then
	echo "1..0 # SKIP needs the memmap= of suite pool"
	exit 4
fi
if [ ! -w $HWP ]; then
	echo "1..0 # SKIP no $HWP (CONFIG_MEMORY_FAILURE)"
	exit 4
fi
rm -rf "$W"
mkdir -p "$MNT"

# Failure reports are logged at KERN_ERR, one a report: keep them off
# the serial console while the loops run.
PRINTK=$(cut -f1 /proc/sys/kernel/printk)
quiet_console() { echo 1 >/proc/sys/kernel/printk; }
loud_console() { echo "$PRINTK" >/proc/sys/kernel/printk; }

# hammer FLAG: report $PAGE failed until FLAG exists.
hammer() {
	while [ ! -e "$1" ]; do
		echo $PAGE >$HWP 2>/dev/null
	done
}

# The module as the command line loads it: pools test and small.
setup() {
	unload_module && modprobe vmpkram || return 1
	[ "$(pool_state test)" = READY ] ||
		vmpkramctl pool format test --yes >/dev/null
}
if ! setup; then
	not_ok "setup: module loaded, pool test READY"
	tap_done
	exit 1
fi

# 1. attach and detach under failure reports.
mark="pool_failure race"
kmsg_mark "$mark"
quiet_console
hammer "$W/stop" &
h1=$!
hammer "$W/stop" &
h2=$!
end=$(($(date +%s) + SECONDS_RACE))
cycles=0
why=
while [ "$(date +%s)" -lt $end ]; do
	if ! out=$(vmpkramctl pool detach test 2>&1); then
		why="detach: $out"
		break
	fi
	if ! out=$(vmpkramctl pool attach test 512M@$TEST_BASE 2>&1); then
		why="attach: $out"
		break
	fi
	cycles=$((cycles + 1))
done
touch "$W/stop"
wait $h1 $h2
loud_console
[ "$(pool_state test)" = READY ] || why="$why; pool test is $(pool_state test)"
trouble=$(kernel_trouble "$mark")
[ -z "$trouble" ] || why="$why; kernel: $trouble"
reports=$(dmesg_since "$mark" | grep -c "pool test: memory failure at")
if [ -z "$why" ]; then
	ok "$cycles detach/attach cycles of pool test under failure reports ($reports handled by the pool)"
else
	not_ok "$cycles detach/attach cycles of pool test under failure reports: $why"
fi
check "the page's block is withdrawn" [ "$(pool_get test bad)" -ge 2097152 ]

# 2. a killed unload, then a failure in what it left behind.
mark="pool_failure killed unload"
kmsg_mark "$mark"
pin_killed_unload() {
	mount -t vmpkramfs -o pool=test none "$MNT" &&
		dd if=/dev/zero of="$MNT/pinned" bs=1M count=2 2>/dev/null ||
		return 1
	vmpkram_map_helper "pin:$MNT/pinned" >"$W/pin" &
	pin=$!
	n_try=0
	while [ ! -s "$W/pin" ] && [ $n_try -lt 100 ]; do
		sleep 0.1
		n_try=$((n_try + 1))
	done
	[ -s "$W/pin" ] && umount "$MNT" || return 1
	rmmod vmpkram &
	rm_pid=$!
	n_try=0
	until dmesg_since "$mark" | grep -q "pool test: waiting for pinned pages"; do
		[ $n_try -lt 100 ] || return 1
		sleep 0.1
		n_try=$((n_try + 1))
	done
	kill -9 $rm_pid
	wait $rm_pid
	n_try=0
	while module_loaded && [ $n_try -lt 100 ]; do
		sleep 0.1
		n_try=$((n_try + 1))
	done
	! module_loaded
}
if pin_killed_unload; then
	ok "unload killed while a pipe pins a page of pool test: module gone"
else
	not_ok "unload killed while a pipe pins a page of pool test"
fi
check "the pool's range stays claimed" grep -q " : vmpkram pool test\$" /proc/iomem
# The generic handler refuses a page it cannot resolve: an error, no oops.
echo $PAGE >$HWP 2>/dev/null
kill "$pin" 2>/dev/null
wait "$pin"
trouble=$(kernel_trouble "$mark")
check "a memory failure in the pool left behind is not ours any more${trouble:+: $trouble}" [ -z "$trouble" ]

# The module comes back with the pools that are still there to take.
load_small() {
	modprobe vmpkram pool=small:64M@0x60000000 &&
		[ "$(pool_state small)" = READY ] && [ -z "$(pool_state test)" ]
}
check "the module loads again, pool small READY" load_small
tap_done
