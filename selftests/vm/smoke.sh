#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Smoke test of the test VM: the module loaded at boot, /dev/vmpkram
# appeared and vmpkramctl runs (all its shared libraries are in the
# initramfs).  Prints TAP.

. "$(dirname "$0")/tap.sh"

echo "TAP version 13"
echo "1..4"
check "/sys/module/vmpkram present" [ -d /sys/module/vmpkram ]
check "module is live" [ "$(cat /sys/module/vmpkram/initstate 2>/dev/null)" = live ]
check "/dev/vmpkram is a character device" dev_ready
check "vmpkramctl runs" sh -c 'vmpkramctl --version >/dev/null'
[ $failed -eq 0 ]
