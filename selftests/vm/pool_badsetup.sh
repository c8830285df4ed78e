#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Bad vmpkram.pool= setups: the module is loaded (modprobe vmpkram
# pool=...) with one bad entry next to the good pool "small"
# (64M@0x60000000, reserved by the suite's memmap=): a range over System
# RAM, misaligned address or size, a size below the minimum, a range no
# memmap= reserved, a range only partly reserved, the same range twice,
# the same name twice, overlapping pools, an invalid name, a malformed
# entry.  Each time: the module loads, the kernel log has an error line
# for the bad entry that says what to fix, the bad entry claims nothing
# (/proc/iomem) and is not attached, and the good pool is READY and
# mountable.  Needs the "pool" suite's command line.  Prints TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/pool_lib.sh"

GOOD=small:64M@0x60000000
MNT=/tmp/pool_badsetup.mnt
n_case=0

echo "TAP version 13"
if ! grep -q 'memmap=64M\$0x60000000' /proc/cmdline; then
	echo "1..0 # SKIP needs memmap=64M\$0x60000000 (suite pool)"
	exit 4
fi
mkdir -p "$MNT"

# The good pool must hold valid metadata for "READY" to mean anything.
prepare() {
	unload_module && modprobe vmpkram pool=$GOOD || return 1
	if [ "$(pool_state small)" != READY ]; then
		vmpkramctl pool format small --yes >/dev/null || return 1
	fi
	[ "$(pool_state small)" = READY ] && unload_module
}
if ! prepare; then
	not_ok "setup: pool small formatted and the module unloaded"
	tap_done
	exit 1
fi

# claimed NAME: /proc/iomem shows a range claimed by pool NAME.
claimed() {
	grep -Eq " : (vmpkram pool )?$1\$" /proc/iomem
}

good_served() {
	[ "$(pool_state small)" = READY ] &&
		mount -t vmpkramfs -o pool=small none "$MNT" &&
		umount "$MNT"
}

# try NAME PARAM FIX_REGEX DESCRIPTION: load with pool=PARAM, in which
# entry NAME is bad and FIX_REGEX must match its error line.
try() {
	name=$1 param=$2 fix=$3 desc=$4
	n_case=$((n_case + 1))
	mark="pool_badsetup $n_case"
	if ! unload_module; then
		not_ok "$desc: module unloaded before the case"
		return
	fi
	kmsg_mark "$mark"
	if ! out=$(modprobe vmpkram "pool=$param" 2>&1); then
		not_ok "$desc: modprobe vmpkram pool=$param failed: $out"
		return
	fi
	got=$(cat /sys/module/vmpkram/parameters/pool 2>/dev/null)
	line=$(dmesg_since "$mark" | grep -E '^vmpkram: ' | grep -E "$fix" | head -n 1)
	why=
	[ "$got" = "$param" ] || why="$why; the module got pool=$got"
	[ -n "$line" ] || why="$why; no error line matching /$fix/ in: $(dmesg_since "$mark" | grep '^vmpkram' | tr '\n' '|')"
	if [ "$name" != small ] && pool_json "$name" | grep -q '"name"'; then
		why="$why; pool $name was attached"
	fi
	[ "$name" = small ] || ! claimed "$name" || why="$why; /proc/iomem shows $name claimed"
	trouble=$(kernel_trouble "$mark")
	[ -z "$trouble" ] || why="$why; kernel: $trouble"
	if [ -z "$why" ]; then
		ok "$desc: module loads, \"${line#vmpkram: }\""
	else
		not_ok "$desc${why}"
	fi
	if good_served; then
		ok "$desc: pool small still served (READY, mountable)"
	else
		not_ok "$desc: pool small not served: state '$(pool_state small)' $(pool_get small state_reason)"
		umount "$MNT" 2>/dev/null
	fi
}

try ram "ram:64M@0x80000000,$GOOD" \
	'pool ram: .*overlaps System RAM.*memmap=64M\$0x80000000' \
	"range in System RAM (0x80000000)"
try part "part:64M@0x62000000,$GOOD" \
	'pool part: .*(overlaps System RAM|not reserved)' \
	"range partly reserved (64M@0x62000000 runs past the memmap=)"
try high "high:64M@0x200000000,$GOOD" \
	'pool high: .*not reserved.*memmap=64M\$0x200000000' \
	"range without memmap= (0x200000000, above RAM)"
try mis "mis:64M@0x40100000,$GOOD" \
	'pool mis: .*2 MiB aligned.*multiples of 2M' \
	"misaligned address 0x40100000"
try odd "odd:3M@0x40000000,$GOOD" \
	'pool odd: .*2 MiB aligned.*multiples of 2M' \
	"misaligned size 3M"
try tiny "tiny:2M@0x40000000,$GOOD" \
	'pool tiny: size 2 MiB is outside' \
	"size 2M below the 4M minimum"
try again "$GOOD,again:64M@0x60000000" \
	'pool again: .*overlaps pool small.*own memmap=' \
	"the same range twice"
try cross "$GOOD,cross:64M@0x5e000000" \
	'pool cross: .*overlaps pool small' \
	"overlapping pools (0x5e000000 + 64M runs into small)"
try small "$GOOD,small:64M@0x40000000" \
	'pool small already exists.*own name' \
	"the same name twice"
if grep -Eq '^ *40000000-[0-9a-f]* : (vmpkram pool )?small$' /proc/iomem; then
	not_ok "the same name twice: the second range was claimed"
else
	ok "the same name twice: the second range was not claimed"
fi
try bad/name "bad/name:64M@0x40000000,$GOOD" \
	'pool name "bad/name" is invalid' \
	"invalid pool name 'bad/name'"
try pool0 "64M,$GOOD" \
	'vmpkram.pool entry 0 is malformed.*SIZE@ADDR' \
	"malformed entry '64M'"

# Only bad entries: the module still loads, with no pool.
unload_module
kmsg_mark "pool_badsetup only-bad"
if modprobe vmpkram pool=ram:64M@0x80000000 &&
   [ "$(vmpkramctl --json pool status 2>/dev/null | tr -d '\n' | grep -o '"name"' | wc -l)" -eq 0 ] &&
   [ -z "$(kernel_trouble "pool_badsetup only-bad")" ]; then
	ok "only a bad entry: module loads with no pool"
else
	not_ok "only a bad entry: module loads with no pool"
fi

# No name: the default name pool0.
unload_module
if modprobe vmpkram pool=64M@0x60000000 && [ "$(pool_state pool0)" = READY ]; then
	ok "an entry without a name is pool0"
else
	not_ok "an entry without a name is pool0 (state '$(pool_state pool0)')"
fi

# Back to the suite's pools for whatever runs next.
unload_module
check "module loads again with the command line's pools" modprobe vmpkram
tap_done
