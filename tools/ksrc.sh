#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract the few files vmpkram needs from Debian's linux-source-6.12
# tarball (kselftest harness headers, checkpatch.pl and its data) into
# build/ksrc, once per tarball.  They are never committed.
#
# usage: ksrc.sh    prints the extraction directory
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tarball=/usr/src/linux-source-6.12.tar.xz
out=$top/build/ksrc
stamp=$out/.stamp

if [ ! -e "$tarball" ]; then
	echo "ksrc: $tarball missing (run make deps)" >&2
	exit 1
fi
if [ ! -e "$stamp" ] || [ "$tarball" -nt "$stamp" ]; then
	rm -rf "$out"
	mkdir -p "$out"
	tar -xJf "$tarball" -C "$out" --strip-components=1 \
		linux-source-6.12/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.12/tools/testing/selftests/kselftest.h \
		linux-source-6.12/scripts/checkpatch.pl \
		linux-source-6.12/scripts/spelling.txt \
		linux-source-6.12/scripts/const_structs.checkpatch
	touch "$stamp"
fi
echo "$out"
