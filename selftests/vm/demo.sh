#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo: show an operator what a loaded vmpkram looks like, then check
# the same facts so the demo itself cannot silently break.  Prints TAP.

. "$(dirname "$0")/tap.sh"

banner() { printf '\n==== %s ====\n' "$*"; }

banner "kernel $(uname -r), $(nproc) vCPUs"
banner "vmpkramctl status"
vmpkramctl status
banner "vmpkramctl --json status"
vmpkramctl --json status

banner "an admin changes the worker cap; a listener sees the event"
vmpkramctl monitor --count 1 --timeout 10 >/tmp/demo-events 2>&1 &
mon=$!
sleep 1
vmpkramctl set max-workers 1
wait $mon
cat /tmp/demo-events
vmpkramctl status | grep -i worker
vmpkramctl set max-workers 0

banner "prefault: allocate a 256 MiB guest-RAM file with kernel workers"
truncate -s 256M /tmp/vm1-ram
vmpkramctl prefault --file /tmp/vm1-ram
vmpkramctl prefault --file /tmp/vm1-ram --zero --threads 1
du -h /tmp/vm1-ram

banner "an unprivileged user may look but not change"
su -s /bin/sh vmpkuser -c 'vmpkramctl status >/dev/null && echo "status: allowed"; vmpkramctl set max-workers 2 || true'

echo
echo "TAP version 13"
check "status reports the module loaded" sh -c \
	'[ "$(vmpkramctl --json status | vmpkram_json loaded)" = true ]'
check "the event was delivered" grep -q . /tmp/demo-events
check "the guest-RAM file is fully allocated" \
	[ "$(du -k /tmp/vm1-ram | cut -f1)" -ge 262144 ]
check "unprivileged set is refused" sh -c '! su -s /bin/sh vmpkuser -c "vmpkramctl set max-workers 2" 2>/dev/null'
tap_done
