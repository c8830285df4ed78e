#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the vmpkram debug kernel (KASAN, lockdep, kmemleak, fault
# injection) from Debian's linux-source-6.12:
#
#   build/debug-kernel/src       the source tarball, extracted once, with
#                                tools/debug-kernel/patches/*.patch applied
#   build/debug-kernel/obj       the O= build tree: bzImage, vmlinux, and
#                                what out-of-tree modules build against
#                                (tools/kbuild.sh build/debug-kernel/obj)
#   build/debug-kernel/release   its "uname -r" (...-vmpkram-debug)
#
# .config = "make tinyconfig" + tools/debug-kernel/config.fragment +
# olddefconfig; every option the fragment asks for must survive, or the
# build stops and lists the ones Kconfig dropped.  Cached: nothing is done
# while the fragment, the patches, the tarball and this script's RECIPE
# are unchanged
# (checksums in build/debug-kernel/stamp).  Installs the packages it needs
# (idempotent).  The full log of a build is build/debug-kernel/build.log.
#
# usage: build.sh [--force]
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FRAGMENT=$TOP/tools/debug-kernel/config.fragment
PATCHES=$TOP/tools/debug-kernel/patches
TARBALL=/usr/src/linux-source-6.12.tar.xz
OUT=$TOP/build/debug-kernel
SRC=$OUT/src
OBJ=$OUT/obj
STAMP=$OUT/stamp
LOG=$OUT/build.log
# Bump when the build steps below change in a way that needs a rebuild.
RECIPE=1

PKGS=(build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils
      zstd kmod patch linux-source-6.12)

say() { echo "debug-kernel: $*"; }
die() { echo "debug-kernel: $*" >&2; exit 1; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_deps() {
	local p need=()
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || need+=("$p")
	done
	[ ${#need[@]} -gt 0 ] || return 0
	say "installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	as_root apt-get update -qq
	as_root apt-get install -y -qq --no-install-recommends "${need[@]}"
}

# The cache key: what the result depends on.
key() {
	echo "recipe $RECIPE"
	echo "fragment $(sha256sum <"$FRAGMENT" | cut -d' ' -f1)"
	echo "tarball $(sha256sum <"$TARBALL" | cut -d' ' -f1)"
	echo "patches $(cat "$PATCHES"/*.patch 2>/dev/null | sha256sum | cut -d' ' -f1)"
}

kmake() {
	make -C "$SRC" O="$OBJ" LOCALVERSION= "$@"
}

# The tree keeps the tarball's timestamps, so that after a change of the
# patches only what they touch is rebuilt in $OBJ.
extract() {
	local sum p
	sum=$(key | grep -E '^(tarball|patches) ')
	if [ -e "$SRC/.tarball" ] && [ "$(cat "$SRC/.tarball")" = "$sum" ]; then
		return 0
	fi
	say "extracting $TARBALL"
	rm -rf "$SRC"
	mkdir -p "$SRC"
	tar -xJf "$TARBALL" -C "$SRC" --strip-components=1
	for p in "$PATCHES"/*.patch; do
		[ -e "$p" ] || continue
		say "applying ${p#"$TOP"/}"
		patch -s -p1 -d "$SRC" <"$p" || die "$p does not apply"
	done
	echo "$sum" >"$SRC/.tarball"
}

# check_config: every line of the fragment is in the final .config.
check_config() {
	local line sym val got dropped=()
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			sym=${line%%=*} val=${line#*=}
			got=$(grep -E "^($sym=|# $sym is not set)" "$OBJ/.config" || true)
			[ "$got" = "$sym=$val" ] ||
				dropped+=("$line (now: ${got:-absent})")
			;;
		'# CONFIG_'*' is not set')
			sym=${line#\# }
			sym=${sym%% *}
			got=$(grep -E "^$sym=" "$OBJ/.config" || true)
			[ -z "$got" ] || dropped+=("$line (now: $got)")
			;;
		esac
	done <"$FRAGMENT"
	if [ ${#dropped[@]} -gt 0 ]; then
		echo "debug-kernel: Kconfig did not keep these options of $FRAGMENT" >&2
		echo "(a dependency is missing; see $OBJ/.config):" >&2
		printf '  %s\n' "${dropped[@]}" >&2
		return 1
	fi
}

configure() {
	kmake -s tinyconfig
	# -m: merge only; olddefconfig then resolves the dependencies.
	(cd "$OBJ" && "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" \
		"$OBJ/.config" "$FRAGMENT") >>"$LOG"
	kmake -s olddefconfig
	check_config
}

main() {
	local force=0 start secs rel
	case ${1:-} in
	--force) force=1 ;;
	'') ;;
	*) die "usage: build.sh [--force]" ;;
	esac
	install_deps
	[ -e "$TARBALL" ] || die "$TARBALL missing"
	mkdir -p "$OUT"
	exec 9>"$OUT/.lock"
	flock 9

	if [ "$force" -eq 0 ] && [ -e "$STAMP" ] && [ -e "$OUT/release" ] &&
	   [ -e "$OBJ/arch/x86/boot/bzImage" ] && cmp -s "$STAMP" <(key); then
		say "$(cat "$OUT/release") is up to date ($OBJ)"
		return 0
	fi
	rm -f "$STAMP"
	start=$(date +%s)
	extract
	mkdir -p "$OBJ"
	: >"$LOG"
	say "configuring (tinyconfig + ${FRAGMENT#"$TOP"/})"
	configure
	say "building bzImage and modules_prepare with $(nproc) jobs (log: ${LOG#"$TOP"/})"
	# "modules" also writes Module.symvers for out-of-tree modules.
	if ! kmake -s -j"$(nproc)" bzImage modules modules_prepare >>"$LOG" 2>&1; then
		tail -n 40 "$LOG" >&2
		die "build failed (full log: $LOG)"
	fi
	rel=$(kmake -s kernelrelease)
	echo "$rel" >"$OUT/release"
	key >"$STAMP"
	secs=$(( $(date +%s) - start ))
	say "built $rel in $((secs / 60)) min $((secs % 60)) s"
}

main "$@"
