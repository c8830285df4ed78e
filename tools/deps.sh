#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, idempotently, everything vmpkram's build, tests and demo need
# from Debian's archive.  A second run on a set-up machine only checks
# dpkg's database and returns in a second or two.
#
# On Debian 12 it also adds the bookworm-backports source when apt has
# none: tools/qemu-10.sh takes QEMU 10.0 from there (unpacked into
# build/, the system's QEMU 7.2 stays).  Backports are never installed
# from implicitly: apt pins them below the release.
set -euo pipefail

PKGS=(
	build-essential bc bison flex libelf-dev libssl-dev dwarves pkg-config
	cpio xz-utils zstd kmod file
	linux-image-amd64 linux-headers-amd64 linux-source-6.12
	qemu-system-x86 busybox-static kexec-tools
	libnl-3-dev libnl-genl-3-dev libkmod-dev libjson-c-dev
	sparse valgrind
)

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$p"
	done
}

# The newest 6.12 flavour for which apt offers both the unsigned image and
# the matching headers (image and headers versions move independently).
newest_612() {
	local v
	for v in $(apt-cache pkgnames linux-image-6.12. |
		   sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12\)-amd64-unsigned$/\1/p' |
		   sort -t. -k3,3nr); do
		if apt-cache show "linux-headers-$v-amd64" >/dev/null 2>&1; then
			echo "$v"
			return 0
		fi
	done
	return 1
}

# Already have one 6.12 image with its headers?  Then nothing to choose.
installed_612() {
	dpkg-query -W -f='${Package} ${Status}\n' 'linux-headers-6.12.*-amd64' 2>/dev/null |
		awk '/install ok installed/ { sub("linux-headers-", "", $1); sub("-amd64$", "", $1); print $1 }' |
		while read -r v; do
			if [ -z "$(missing "linux-image-$v-amd64-unsigned")" ]; then
				echo "$v"
				break
			fi
		done
}

# has_backports: some apt source lists bookworm-backports.
has_backports() {
	grep -rqsE '^[^#]*bookworm-backports' /etc/apt/sources.list \
		/etc/apt/sources.list.d/
}

# add_backports: a deb822 source for bookworm-backports, on bookworm only.
# Prints "added" when it wrote one (apt must update its lists).
add_backports() {
	local codename
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	if [ "$codename" != bookworm ] || has_backports; then
		return 0
	fi
	as_root tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null <<-'EOF'
		Types: deb
		URIs: http://deb.debian.org/debian
		Suites: bookworm-backports
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	echo added
}

backports=$(add_backports)
need=$(missing "${PKGS[@]}")
v612=$(installed_612 || true)
if [ -z "$need" ] && [ -n "$v612" ] && [ -z "$backports" ]; then
	echo "deps: all installed (6.12 = $v612)"
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
[ -z "$backports" ] || echo "deps: added the bookworm-backports source (QEMU 10.0 for the tests)"
as_root apt-get update -qq
if [ -z "$need" ] && [ -n "$v612" ]; then
	echo "deps: all installed (6.12 = $v612)"
	exit 0
fi
if [ -z "$v612" ]; then
	v612=$(newest_612) || { echo "deps: apt offers no 6.12 image with headers" >&2; exit 1; }
	need="$need linux-image-$v612-amd64-unsigned linux-headers-$v612-amd64"
fi
echo "deps: installing$(echo " $need" | tr '\n' ' ')"
# shellcheck disable=SC2086
as_root apt-get install -y -qq --no-install-recommends $need
echo "deps: done (6.12 = $v612)"
