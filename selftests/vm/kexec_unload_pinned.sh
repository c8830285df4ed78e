#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmpkramctl kexec exec while rmmod waits for pinned pool pages: the
# unload waits (it cannot free struct pages under a pin), and the kexec
# must not wait behind it.  The reboot notifier takes the pools lock,
# which the waiting unload used to hold: the kexec hung for good.
# Needs the "pool-kexec" suite's pool "test".
#
# stage 0  a file of pool "test" with known contents; a helper pins its
#          first page through a pipe (vmsplice); unmount; rmmod in the
#          background, until the kernel log says it waits for the pin;
#          then vm-kexec --ctl same (vmpkramctl kexec load and exec).  A
#          watchdog reports the kexec as hung after 20 s, and kills
#          rmmod so that it goes on (the kill would hide the hang).
# stage 1  the new kernel came up: pool "test" attached and usable, the
#          file intact.
#
# Prints TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/pool_lib.sh"

POOL=test
DIR=/var/lib/kexec-unload-pinned	# rootfs: survives vm-kexec
MNT=/run/kexec-unload-pinned
STAGE=${VMPKRAM_VM_STAGE:-0}

fatal() {
	not_ok "$*"
	tap_done
	exit 1
}

stage0() {
	rm -rf "$DIR"
	mkdir -p "$DIR" "$MNT"
	module_loaded || fatal "module not loaded"
	case $(pool_state $POOL) in
	SEALED) vmpkramctl pool unseal $POOL || fatal "unseal $POOL" ;;
	READY) ;;
	*) vmpkramctl pool format $POOL || fatal "format $POOL" ;;
	esac
	mount -t vmpkramfs -o pool=$POOL none "$MNT" || fatal "mount"
	rm -f "$MNT/pinned"
	dd if=/dev/urandom of="$MNT/pinned" bs=1M count=4 2>/dev/null ||
		fatal "write the file"
	sync
	md5sum <"$MNT/pinned" >"$DIR/sum"
	vmpkram_map_helper "pin:$MNT/pinned" >"$DIR/pinner" &
	tries=0
	while [ ! -s "$DIR/pinner" ] && [ $tries -lt 50 ]; do
		sleep 0.1
		tries=$((tries + 1))
	done
	[ -s "$DIR/pinner" ] || fatal "the pinner did not start"
	ok "a page of pool $POOL is pinned by a pipe"
	umount "$MNT" || fatal "umount"

	kmsg_mark unload-pinned
	rmmod vmpkram &
	rmmod_pid=$!
	tries=0
	until dmesg_since unload-pinned | grep -q "waiting for pinned pages"; do
		[ $tries -lt 100 ] || fatal "rmmod does not wait for the pin"
		sleep 0.1
		tries=$((tries + 1))
	done
	check "rmmod waits for the pinned page" \
		[ "$(cat /sys/module/vmpkram/initstate 2>/dev/null)" = going ]
	echo "n=$((n + 1)) failed=$failed" >"$DIR/tap"
	# A kexec takes a second or two.  One that waits for rmmod would
	# wait for good: say so, and let it go by killing rmmod (which then
	# leaves the pool claimed), so that the run goes on.
	(
		sleep 20
		echo "not ok $((n + 1)) - the kexec still waits after 20 s: the reboot notifier waits for rmmod"
		kill -KILL $rmmod_pid
	) &
	exec vm-kexec --ctl same
}

stage1() {
	[ -r "$DIR/tap" ] && . "$DIR/tap"
	echo "ok $n - the kexec went through while rmmod waited"
	check "module loaded in the new kernel" module_loaded
	state=$(pool_state $POOL)
	check "pool $POOL attached and usable ($state)" \
		[ "$state" = READY ] || [ "$state" = SEALED ]
	mkdir -p "$MNT"
	if mount -t vmpkramfs -o pool=$POOL none "$MNT"; then
		check "the file is intact" sh -c \
			"md5sum <'$MNT/pinned' | cmp -s - '$DIR/sum'"
		rm -f "$MNT/pinned"
		umount "$MNT"
	else
		not_ok "mount pool $POOL"
	fi
	rm -rf "$DIR"
	tap_done
}

echo "TAP version 13"
case $STAGE in
0) stage0 ;;
1) stage1 ;;
*) echo "not ok - unexpected stage $STAGE"; exit 1 ;;
esac
