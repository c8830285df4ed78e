#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Smoke test of the test VM: the module loaded at boot, /dev/vmpkram
# appeared and vmpkramctl runs (all its shared libraries are in the
# initramfs).  Prints TAP.

n=0
failed=0

check() {	# check DESCRIPTION COMMAND...
	desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		failed=$((failed + 1))
	fi
}

# devtmpfs creates the node asynchronously after misc_register().
dev_ready() {
	i=0
	while [ ! -c /dev/vmpkram ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -c /dev/vmpkram ]
}

echo "TAP version 13"
echo "1..4"
check "/sys/module/vmpkram present" [ -d /sys/module/vmpkram ]
check "module is live" [ "$(cat /sys/module/vmpkram/initstate 2>/dev/null)" = live ]
check "/dev/vmpkram is a character device" dev_ready
check "vmpkramctl runs" sh -c 'vmpkramctl --version >/dev/null'
[ $failed -eq 0 ]
