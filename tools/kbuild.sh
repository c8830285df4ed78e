#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build vmpkram.ko for the kernel whose build tree is KDIR, warning-free
# with W=1 (warnings are errors), into build/kmod/<release>/.
#
# Kbuild builds external modules in the source directory (M=), and one
# tree cannot hold objects for two kernels, so each kernel gets its own
# copy of the sources, the way DKMS does it.  Extra arguments go to make
# (e.g. C=2 for sparse).
#
# usage: kbuild.sh KDIR [make args...]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${1:?usage: kbuild.sh KDIR [make args...]}
shift

krel=$("$top/tools/krelease.sh" "$kdir")
out=$top/build/kmod/$krel

mkdir -p "$out/kmod/uapi/linux"
# -p keeps timestamps, so an unchanged source is not rebuilt.
cp -p "$top/Kbuild" "$top/VERSION" "$out/"
cp -p "$top"/kmod/*.c "$top"/kmod/*.h "$top"/kmod/*.sh "$out/kmod/"
cp -p "$top"/kmod/uapi/linux/*.h "$out/kmod/uapi/linux/"

echo "  KBUILD  vmpkram.ko for $krel"
make -s -C "$kdir" M="$out" W=1 KCFLAGS=-Werror "$@" modules
