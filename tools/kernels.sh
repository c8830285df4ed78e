#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# List the installed Debian kernels vmpkram supports (6.1 and 6.12,
# "amd64" flavour) that have both an image and headers, one release
# string per line, oldest series first, newest build of each series.
#
# usage: kernels.sh            all supported kernels
#        kernels.sh 6.12       the release string for one series
#        kernels.sh 6.12.117+deb12-amd64   that release, if installed
set -euo pipefail

SERIES=(6.1 6.12)

installed() {
	local series=$1 rel
	for rel in $(ls -1 /usr/src 2>/dev/null |
		     sed -n "s/^linux-headers-\(${series//./\\.}\.[0-9].*-amd64\)$/\1/p" |
		     grep -Ev -- '-(cloud|rt)-amd64$' |
		     sort -V -r); do
		if [ -e "/boot/vmlinuz-$rel" ] && [ -e "/lib/modules/$rel/build/Makefile" ]; then
			echo "$rel"
			return 0
		fi
	done
	return 1
}

if [ $# -eq 0 ]; then
	for s in "${SERIES[@]}"; do
		installed "$s" || echo "kernels.sh: no $s kernel with headers installed (run make deps)" >&2
	done
	exit 0
fi

case $1 in
*-amd64)
	[ -e "/lib/modules/$1/build/Makefile" ] || { echo "kernels.sh: no headers for $1" >&2; exit 1; }
	echo "$1" ;;
*)
	installed "$1" || { echo "kernels.sh: no $1 kernel with headers installed (run make deps)" >&2; exit 1; } ;;
esac
