#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# QEMU 10.0 from bookworm-backports next to Debian 12's own QEMU 7.2,
# without installing it: the packages are fetched with apt-get download,
# unpacked with dpkg-deb -x into build/qemu-10/root, and run through the
# wrapper build/qemu-10/bin/qemu-system-x86_64, which sets the library
# path, the module directory and the firmware directories (-L) to the
# unpacked tree.  Idempotent: once the wrapper works, a second run only
# checks its stamp.
#
# usage: qemu-10.sh [--force] [--print]
#
#   --force    fetch and unpack again
#   --print    print the wrapper's path (after making sure it exists)
#
# Unpacked: qemu-system-x86 (the binary), qemu-system-common (its
# loadable modules), qemu-system-data (option ROMs, pvh.bin, keymaps) and
# seabios 1.16.3 (bookworm's 1.16.2 is too old for QEMU 10), all of the
# backports version; ipxe-qemu comes from the system (bookworm's is what
# QEMU 10 asks for).  Every other dependency is a library; those the
# system lacks (QEMU 7.2 needs nearly the same) are fetched from the
# suite apt picks and unpacked into the same tree.  Needs the
# bookworm-backports source (tools/deps.sh adds it).
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=$TOP/build/qemu-10
ROOT=$DIR/root
WRAPPER=$DIR/bin/qemu-system-x86_64
STAMP=$DIR/stamp
# The QEMU packages taken from backports, all at QEMU's version.
QEMU_PKGS=(qemu-system-x86 qemu-system-common qemu-system-data)
FORCE=0 PRINT=0

die() {
	echo "qemu-10: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--force) FORCE=1 ;;
	--print) PRINT=1 ;;
	*) sed -n '3,/^set /s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" | sed '$d' >&2; exit 2 ;;
	esac
	shift
done

done_msg() {
	if [ "$PRINT" -eq 1 ]; then echo "$WRAPPER"; else echo "qemu-10: $1"; fi
}

if [ "$FORCE" -eq 0 ] && [ -e "$STAMP" ] && [ -x "$WRAPPER" ]; then
	done_msg "$(cat "$STAMP") in $DIR"
	exit 0
fi

# bpo_version PKG: the newest version of PKG in bookworm-backports.
bpo_version() {
	apt-cache madison "$1" 2>/dev/null |
		awk -F'|' '$3 ~ /bookworm-backports/ { gsub(/ /, "", $2); print $2; exit }'
}

ver=$(bpo_version qemu-system-x86)
if [ -z "$ver" ] && grep -rqsE '^[^#]*bookworm-backports' /etc/apt/sources.list \
	/etc/apt/sources.list.d/; then
	# The source is there, its list not (yet).
	apt-get update -qq >&2
	ver=$(bpo_version qemu-system-x86)
fi
if [ -z "$ver" ]; then
	die "apt knows no qemu-system-x86 in bookworm-backports: run tools/deps.sh (it adds the source) or apt-get update"
fi
case $ver in
1:10.*) ;;
*) die "bookworm-backports offers qemu-system-x86 $ver, expected 10.x" ;;
esac
seabios=$(bpo_version seabios)
[ -n "$seabios" ] || die "no seabios in bookworm-backports"

# The library packages the binaries need that are not installed, at the
# version apt would install.
missing_libs() {
	local p
	for p in "${QEMU_PKGS[@]}"; do
		apt-cache show "$p=$ver" | sed -n 's/^Depends: //p' | head -n 1
	done | tr ',' '\n' | sed 's/^ *//; s/[ (|].*//' | sort -u |
	while read -r p; do
		case $p in
		qemu-*|seabios|ipxe-qemu|'') continue ;;
		esac
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$p"
	done
}

dl=$DIR/debs
rm -rf "$dl" "$ROOT" "$DIR/bin" "$STAMP"
mkdir -p "$dl" "$ROOT" "$DIR/bin"
pkgs=()
for p in "${QEMU_PKGS[@]}"; do
	pkgs+=("$p=$ver")
done
pkgs+=("seabios=$seabios")
mapfile -t libs < <(missing_libs)
pkgs+=("${libs[@]}")
echo "qemu-10: fetching ${pkgs[*]}" >&2
# apt-get download writes into the current directory; as root it warns
# that _apt cannot write there (harmless).
(cd "$dl" && apt-get download -qq "${pkgs[@]}" 2>&1 | grep -v 'unsandboxed' >&2 || true)
for p in "${pkgs[@]}"; do
	compgen -G "$dl/${p%%=*}_*.deb" >/dev/null || die "apt-get download ${p} failed"
done
for f in "$dl"/*.deb; do
	dpkg-deb -x "$f" "$ROOT"
done

bin=$ROOT/usr/bin/qemu-system-x86_64
[ -x "$bin" ] || die "no usr/bin/qemu-system-x86_64 in the packages"
cat >"$WRAPPER" <<'EOF'
#!/bin/sh
# QEMU 10.0 of bookworm-backports, unpacked by tools/qemu-10.sh: its own
# libraries, modules and firmware first, the system's after.
d=$(dirname "$(dirname "$(readlink -f "$0")")")/root
LD_LIBRARY_PATH=$d/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
QEMU_MODULE_DIR=$d/usr/lib/x86_64-linux-gnu/qemu
export LD_LIBRARY_PATH QEMU_MODULE_DIR
exec "$d/usr/bin/qemu-system-x86_64" -L "$d/usr/share/qemu" -L "$d/usr/share/seabios" "$@"
EOF
chmod 755 "$WRAPPER"

if missing=$(LD_LIBRARY_PATH=$ROOT/usr/lib/x86_64-linux-gnu ldd "$bin" | grep 'not found'); then
	die "libraries still missing: $missing"
fi
got=$("$WRAPPER" --version | head -n 1)
case $got in
"QEMU emulator version 10."*) ;;
*) die "the wrapper runs '$got'" ;;
esac
rm -rf "$dl"
echo "$got" >"$STAMP"
done_msg "$got in $DIR"
