#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's "Installing on a real host" section, run as written on a
# clean tree (the committed HEAD, exported with git archive) for every
# supported installed kernel, with two changes so that it never touches
# this machine: "make install" gets DESTDIR=, and depmod/modprobe become
# "depmod -b DESTDIR" and "modprobe --show-depends" there (nothing is
# loaded).  $(uname -r) stands for each kernel in turn.  A README line
# this script does not know fails the check, so the two cannot drift.
#
# Checks, one TAP result each: every command succeeds; plain make needs
# no kernel source (no build/ksrc, no selftests built); the installed
# module is built for that kernel (vermagic) and modules.dep finds it in
# extra/; vmpkramctl and the library are installed.
#
# usage: check-install.sh RESULT_FILE KREL...
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
result=${1:?usage: check-install.sh RESULT_FILE KREL...}
shift
passed=0 failed=0 skipped=0 n=0

# report STATUS NAME [DETAIL_FILE]: STATUS 77 is a skip, its reason the
# detail file's first line.
report() {
	n=$((n + 1))
	if [ "$1" -eq 77 ]; then
		skipped=$((skipped + 1))
		echo "ok $n - $2 # SKIP $(head -n 1 "$3")"
	elif [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && tail -n 30 "$3" | sed 's/^/#   /'
	fi
	return 0
}

work=$(mktemp -d /tmp/vmpkram-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
log=$work/log

# The commands of the section's first code block, comments dropped.
readme_commands() {
	awk '/^## Installing on a real host/ { sect = 1; next }
	     sect && /^## / { exit }
	     sect && /^```sh/ { block = 1; next }
	     block && /^```/ { exit }
	     block { sub(/[ \t]*#.*/, ""); if (length) print }' "$top/README.md"
}

# run_line REL SRC DEST LINE: one README line, adapted as described above.
run_line() {
	local rel=$1 src=$2 dest=$3 line=${4//\$(uname -r)/$1}
	case $line in
	"make deps")
		echo "it would install packages on this machine"
		return 77 ;;
	"make KDIR="*)
		(cd "$src" && eval "$line") ;;
	"sudo make install KDIR="*)
		(cd "$src" && eval "${line#sudo } DESTDIR=$dest") ;;
	"sudo depmod -a && sudo modprobe vmpkram")
		depmod -b "$dest" "$rel" &&
			modprobe -d "$dest" -S "$rel" --show-depends vmpkram ;;
	"vmpkramctl status")
		"$dest/usr/local/sbin/vmpkramctl" status ;;
	*)
		echo "check-install: README line not known here: $line"
		return 1 ;;
	esac
}

echo "TAP version 13"
mapfile -t lines < <(readme_commands)
[ "${#lines[@]}" -gt 0 ]
report $? "the README has an install section with commands"

for rel in "$@"; do
	src=$work/$rel/src dest=$work/$rel/dest
	mkdir -p "$src" "$dest"
	git -C "$top" archive HEAD | tar -x -C "$src"
	for line in "${lines[@]}"; do
		run_line "$rel" "$src" "$dest" "$line" >"$log" 2>&1
		report $? "$rel: $line" "$log"
	done
	[ ! -e "$src/build/ksrc" ] && [ ! -e "$src/build/selftests" ]
	report $? "$rel: make built no selftests and needed no kernel source"
	ko=$(ls "$dest/lib/modules/$rel/extra/"vmpkram.ko* 2>/dev/null | head -n 1)
	magic=$(modinfo -F vermagic "$ko" 2>&1)
	[ -n "$ko" ] && [ "${magic%% *}" = "$rel" ]
	report $? "$rel: the module in extra/ is built for $rel (vermagic: $magic)"
	grep -q '^extra/vmpkram.ko' "$dest/lib/modules/$rel/modules.dep" 2>/dev/null
	report $? "$rel: modules.dep lists extra/vmpkram.ko"
	[ -x "$dest/usr/local/sbin/vmpkramctl" ] &&
		[ -e "$dest/usr/local/lib/libvmpkram.so.1" ] &&
		[ -e "$dest/usr/local/include/vmpkram/libvmpkram.h" ] &&
		[ -e "$dest/usr/local/share/man/man8/vmpkramctl.8" ]
	report $? "$rel: vmpkramctl, the library, its header and the man pages installed"
	ver=$(cat "$src/VERSION")
	"$dest/usr/local/sbin/vmpkramctl" --version | grep -q "^vmpkramctl $ver " &&
		grep -q "^\.TH .*\"vmpkram $ver\"" "$dest/usr/local/share/man/man8/vmpkramctl.8" &&
		grep -q "^Version: $ver\$" "$dest/usr/local/lib/pkgconfig/libvmpkram.pc" &&
		[ "$(modinfo -F version "$ko")" = "$ver" ]
	report $? "$rel: module, vmpkramctl, libvmpkram.pc and man page are version $ver (file VERSION)"
done

echo "1..$n"
mkdir -p "$(dirname "$result")"
echo "passed=$passed failed=$failed skipped=$skipped" >"$result"
[ "$failed" -eq 0 ]
