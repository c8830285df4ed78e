#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The release of the kernel whose build tree is KDIR: the name the module
# is built under (build/kmod/<release>) and installed for
# (/lib/modules/<release>/extra).
#
# Debian's 6.1 headers say "6.1.x" in include/config/kernel.release while
# uname -r says "6.1.0-N-amd64": a headers package is named after the
# headers package instead.  Other trees (the debug kernel's O= tree, a
# kernel built by hand) are named by their kernel.release.
#
# usage: krelease.sh KDIR
set -euo pipefail

kdir=${1:?usage: krelease.sh KDIR}
if [ ! -e "$kdir/Makefile" ]; then
	echo "krelease: no kernel build tree at $kdir (install the kernel's headers, or run make deps)" >&2
	exit 1
fi
rel=$(basename "$(readlink -f "$kdir")")
case $rel in
linux-headers-*)
	echo "${rel#linux-headers-}" ;;
*)
	cat "$kdir/include/config/kernel.release" 2>/dev/null || {
		echo "krelease: $kdir has no include/config/kernel.release (not built?)" >&2
		exit 1
	} ;;
esac
