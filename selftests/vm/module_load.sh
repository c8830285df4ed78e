#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module lifecycle in the test VM: repeated load/unload, parameter
# validation at load time, no vmpkramctl command but load loads it, the
# genetlink family alias, and unload refused while the device is open.
# Prints TAP.

CYCLES=${CYCLES:-20}
. "$(dirname "$0")/tap.sh"

loaded() { [ "$(cat /sys/module/vmpkram/initstate 2>/dev/null)" = live ]; }
unloaded() { [ ! -e /sys/module/vmpkram ] && [ ! -e /dev/vmpkram ]; }
status_json() { vmpkramctl --json status 2>/dev/null; }

echo "TAP version 13"
loaded && rmmod vmpkram
check "starts unloaded" unloaded

cycle_fail=0
i=0
while [ $i -lt "$CYCLES" ]; do
	i=$((i + 1))
	if ! modprobe vmpkram || ! loaded || ! dev_ready ||
	   ! status_json | json_is loaded true ||
	   ! rmmod vmpkram || ! unloaded; then
		cycle_fail=$i
		break
	fi
done
if [ $cycle_fail -eq 0 ]; then
	ok "$CYCLES load/unload cycles"
else
	not_ok "load/unload cycle $cycle_fail"
fi

for bad in 5000 1025 -1 abc 0x; do
	if modprobe vmpkram max_workers=$bad 2>/dev/null; then
		not_ok "max_workers=$bad refused"
		rmmod vmpkram
	elif ! dmesg | grep -q "vmpkram: max_workers=$bad is invalid"; then
		not_ok "max_workers=$bad refused with a message"
	else
		ok "max_workers=$bad refused with a message"
	fi
done
check "bad parameters leave nothing loaded" unloaded

check "max_workers=3 accepted" modprobe vmpkram max_workers=3
check "max_workers=3 in sysfs" \
	[ "$(cat /sys/module/vmpkram/parameters/max_workers)" = 3 ]
status_json >/tmp/status.json
check "max_workers=3 in status" json_is max_workers 3 </tmp/status.json
rmmod vmpkram

# The same through vmpkramctl (libkmod).
check "vmpkramctl load max_workers=3" vmpkramctl load max_workers=3
check "... sets the parameter" \
	[ "$(cat /sys/module/vmpkram/parameters/max_workers 2>/dev/null)" = 3 ]
# One version (the file VERSION) for the module and vmpkramctl.
check "the module's version is vmpkramctl's: $(cat /sys/module/vmpkram/version)" \
	[ "$(cat /sys/module/vmpkram/version)" = "$(vmpkramctl --version | cut -d ' ' -f 2)" ]
check "vmpkramctl load when loaded fails" sh -c '! vmpkramctl load 2>/dev/null'
check "vmpkramctl unload" sh -c 'vmpkramctl unload && [ ! -e /sys/module/vmpkram ]'
check "vmpkramctl unload when unloaded fails" sh -c '! vmpkramctl unload 2>/dev/null'
check "vmpkramctl load max_workers=5000 fails, nothing loaded" sh -c \
	'! vmpkramctl load max_workers=5000 2>/dev/null && [ ! -e /sys/module/vmpkram ]'
# The kernel would load with an unknown parameter, only warning about it.
check "vmpkramctl load max_worker=4 fails naming the parameters, nothing loaded" sh -c \
	'! vmpkramctl load max_worker=4 2>/tmp/load.err && [ ! -e /sys/module/vmpkram ] &&
	 grep -q "has no parameter max_worker (it has: max_workers, pool)" /tmp/load.err' ||
	sed 's/^/# /' /tmp/load.err

# Only vmpkramctl load loads the module: the others check sysfs first,
# since resolving the genetlink family would load it
# (MODULE_ALIAS_GENL_FAMILY) and attach the command line's pools.
check "status does not load the module" sh -c \
	'[ "$(vmpkramctl --json status | vmpkram_json loaded)" = false ] &&
	 [ ! -e /sys/module/vmpkram ]'
check "set does not load the module" sh -c \
	'! vmpkramctl set max-workers 0 2>/dev/null && [ ! -e /sys/module/vmpkram ]'
check "monitor does not load the module" sh -c \
	'! vmpkramctl monitor --timeout 1 2>/dev/null && [ ! -e /sys/module/vmpkram ]'
# The alias the kernel asks modprobe for when the family is resolved.
check "the genetlink family's alias loads the module" sh -c \
	'modprobe net-pf-16-proto-16-family-vmpkram && [ -e /sys/module/vmpkram ]'
dev_ready

exec 3</dev/vmpkram
check "unload refused while /dev/vmpkram is open" sh -c '! rmmod vmpkram 2>/dev/null'
exec 3<&-
check "unload after close" rmmod vmpkram
check "load again" modprobe vmpkram
dev_ready

tap_done
