#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmpkramctl prefault against the real module: --pid with --range and
# with --file (a QEMU memory-backend-like file), --file alone (allocates
# a tmpfs file's pages), --zero, --json, job events in monitor, jobs in
# status, and clear failures.  Prints TAP.

. "$(dirname "$0")/tap.sh"

RAM=/tmp/guest-ram
out=/tmp/target.0
echo "TAP version 13"

targets=
# A leftover target would hold the console open: never leave one behind.
trap 'kill $targets 2>/dev/null' EXIT

# start_target WHAT: sets $TPID $TSTART $TEND from vmpkram_map_helper.
# Each target gets its own output file, so a stale one is never read.
start_target() {
	out=/tmp/target.$((${out##*.} + 1))
	vmpkram_map_helper "$1" >"$out" &
	targets="$targets $!"
	tries=0
	while [ ! -s "$out" ] && [ $tries -lt 50 ]; do
		sleep 0.1
		tries=$((tries + 1))
	done
	read -r TPID TSTART TEND <"$out"
}

# stop_target: 0 when the target saw every page of its mapping present.
stop_target() {
	kill -TERM "$TPID"
	wait "$TPID"
}

truncate -s 64M "$RAM"
start_target "$RAM"
check "--pid --file populates every mapping of the file" \
	vmpkramctl prefault --pid "$TPID" --file "$RAM"
check "target sees every page present" stop_target

start_target anon:32
check "--pid --range populates that range" \
	vmpkramctl prefault --pid "$TPID" --range "$TSTART-$TEND" --threads 2
check "target sees every page present" stop_target

start_target anon:16
vmpkramctl --json prefault --pid "$TPID" --range "$TSTART+16M" --zero >/tmp/pf.json
check "--json reports the bytes asked" json_is len 16777216 </tmp/pf.json
check "... and done" json_is done 16777216 </tmp/pf.json
check "... and the one range" json_is ranges.0.len 16777216 </tmp/pf.json
stop_target

rm -f "$RAM"
truncate -s 32M "$RAM"
check "--file alone allocates the file's pages" sh -c \
	"vmpkramctl prefault --file $RAM && [ \$(du -k $RAM | cut -f1) -ge 32768 ]"

vmpkramctl --json monitor --count 2 --timeout 20 >/tmp/events &
mon=$!
sleep 1
start_target anon:8
vmpkramctl prefault --pid "$TPID" --range "$TSTART+8M" >/dev/null
stop_target
wait $mon
check "monitor shows the job starting and ending" \
	[ "$(grep -c '"event":"job"' /tmp/events)" -ge 2 ]
sed -n 1p /tmp/events >/tmp/event.1
check "... without its address (any user may read events)" \
	json_is addr null </tmp/event.1

vmpkramctl --json status >/tmp/status.json
check "status counts no running job" json_is nr_jobs 0 </tmp/status.json
check "... and lists none" json_is jobs '[]' </tmp/status.json

start_target anon:1
check "unmapped range fails with exit 1" sh -c \
	"vmpkramctl prefault --pid $TPID --range 0x10000+4K 2>/tmp/err; [ \$? -eq 1 ]"
check "... saying what was wrong" grep -q "not mapped" /tmp/err
check "another process as nobody is refused" sh -c \
	"! su -s /bin/sh nobody -c 'vmpkramctl prefault --pid $TPID --range $TSTART+4K' 2>/tmp/err"
check "... naming CAP_SYS_PTRACE" grep -q CAP_SYS_PTRACE /tmp/err
kill -TERM "$TPID"
wait "$TPID"

# A user acts on its own process without any capability: the library
# opens /proc/PID/mem for it (ptrace_scope 0: any process of the user;
# vmpkram_ptrace_test covers the other scopes).
YAMA=/proc/sys/kernel/yama/ptrace_scope	# absent on the debug kernel
scope=
if [ -e $YAMA ]; then
	scope=$(cat $YAMA)
	echo 0 >$YAMA
fi
su -s /bin/sh vmpkuser -c 'vmpkram_map_helper anon:8' >/tmp/user-target &
utarget=$!
targets="$targets $utarget"
tries=0
while [ ! -s /tmp/user-target ] && [ $tries -lt 50 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
read -r UPID USTART UEND </tmp/user-target
check "a user prefaults its own process, no capability needed" \
	su -s /bin/sh vmpkuser -c "vmpkramctl prefault --pid $UPID --range $USTART-$UEND --zero"
check "... and root may too" \
	vmpkramctl prefault --pid "$UPID" --range "$USTART-$UEND"
check "another user may not" sh -c \
	"! su -s /bin/sh nobody -c 'vmpkramctl prefault --pid $UPID --range $USTART+4K' 2>/tmp/err"
check "... said as EPERM, not as a missing process" \
	grep -q "not allowed\|refused" /tmp/err
kill -TERM "$UPID" 2>/dev/null
wait "$utarget"
[ -z "$scope" ] || echo "$scope" >$YAMA

rm -f "$RAM"
tap_done
