# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the pool tests of the test VM (pool_corrupt.sh,
# pool_badsetup.sh, kexec_pool.sh).  Source it after tap.sh:
#	. "$(dirname "$0")/tap.sh"
#	. "$(dirname "$0")/pool_lib.sh"

# pool_json NAME: the pool as "vmpkramctl --json pool status NAME" shows
# it, on one line; fails when the pool does not exist.
pool_json() {
	vmpkramctl --json pool status "$1" 2>/dev/null
}

# json_get KEY < JSON: member KEY of the pool in pool_json's JSON: a
# string as it is, a number, true, false or null; empty when absent.
json_get() {
	vmpkram_json "pools.0.$1" 2>/dev/null
}

# pool_get NAME KEY: one field of pool NAME (empty if there is none).
pool_get() {
	pool_json "$1" | json_get "$2"
}

# pool_state NAME: UNFORMATTED, DAMAGED, READY or SEALED (upper case),
# empty when there is no such pool.
pool_state() {
	pool_get "$1" state | tr '[:lower:]' '[:upper:]'
}

module_loaded() {
	[ -e /sys/module/vmpkram ]
}

# umount_pools: unmount every vmpkramfs.
umount_pools() {
	for m in $(awk '$3 == "vmpkramfs" { print $2 }' /proc/mounts); do
		umount "$m" || return 1
	done
}

# unload_module: unmount every vmpkramfs and remove the module.
unload_module() {
	umount_pools || return 1
	if module_loaded; then
		rmmod vmpkram || return 1
	fi
	! module_loaded
}

# kmsg_mark TEXT: put a marker line in the kernel log.
kmsg_mark() {
	echo "vmpkram-test: $*" >/dev/kmsg
}

# dmesg_since TEXT: the kernel log after the last marker TEXT (without
# the timestamps).
dmesg_since() {
	dmesg | sed 's/^\[[ 0-9.]*\] //' |
		awk -v m="vmpkram-test: $*" '$0 == m { buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", buf }'
}

# Kernel log lines that show a kernel bug (what run-vm also scans for).
TROUBLE='BUG:|WARNING:|Oops|Call Trace|Kernel panic|general protection fault|KASAN:|UBSAN:|KFENCE:|Bad rss-counter'

# kernel_trouble TEXT: the first such line after marker TEXT, or nothing.
kernel_trouble() {
	dmesg_since "$@" | grep -E "$TROUBLE" | head -n 1
}

# round_up_block BYTES: BYTES rounded up to the 2 MiB block.
round_up_block() {
	echo $(( ($1 + 2097151) / 2097152 * 2097152 ))
}
