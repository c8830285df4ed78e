#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmpkram-qemu's failure paths, in one boot of suite "qemu" (see
# qemu_lib.sh):
#
# - launch refuses conflicting arguments (-m other than --mem, -cpu host,
#   an option the shim owns) and a pool too small for the state file,
#   leaving nothing behind;
# - update while one guest's QEMU does not answer QMP (SIGSTOP), before
#   update starts (refused before any guest stops) and at its first QMP
#   stop (rolled back): both guests run on, nothing of their life lost,
#   the kernel unloaded, the pool unsealed;
# - a damaged state file (foreign header, truncated) is refused by resume
#   with RAM, state and manifest left as they are; with the state put
#   back, resume works and the guest continues;
# - resuming a running guest twice is refused;
# - launch --prefault: a guest with anonymous RAM starts paused, its RAM
#   is populated by the module's workers, then it runs.
#
# Prints TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/pool_lib.sh"
. "$(dirname "$0")/qemu_lib.sh"

fatal() {
	not_ok "$*"
	tap_done
	exit 1
}

# leftovers NAME: the files of guest NAME in the pool (its run directory
# may stay: it has QEMU's log the error message points to).
leftovers() {
	ls -d "$QE_MNT/$1" "$QE_MNT/$1".* 2>/dev/null |
		grep -v '\.console$' | tr '\n' ' '
}

# refused WHAT NAME LAUNCH-ARGS...: qe_launch fails, nothing left.
refused() {
	what=$1 name=$2
	shift 2
	out=$(qe_launch "$name" 7.2 "$@" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	check "launch with $what refused (status $rc)" [ $rc -ne 0 ]
	check "launch with $what left nothing in the pool: $(leftovers "$name")" \
		[ -z "$(leftovers "$name")" ]
	qe_console_stop "$name"
	rm -f "$QE_MNT/$name.console"
}

echo "TAP version 13"
rm -rf "$QE_DIR"
qe_setup >/tmp/qe-setup.out || fatal "setup: $(cat /tmp/qe-setup.out)"
rm -f "$QE_MNT"/*

# --------------------------------------------------- launch refusals
used=$(pool_get $QE_POOL used)
# (each with a valid guest otherwise)
refused "-m 512M for --mem 256M" bad1 256 64 -- -m 512M
refused "-cpu host" bad2 256 64 -- -cpu host
refused "-incoming (the shim's)" bad3 256 64 -- -incoming defer
refused "a 600 MiB state file in a 1 GiB pool next to 512 MiB of RAM" \
	bad4 512 64 --state-size 600M
check "the refused launches freed their pool space ($(pool_get $QE_POOL used) bytes used, $used before)" \
	[ "$(pool_get $QE_POOL used)" = "$used" ]

# --------------------------------------------------- two guests
for g in f72:7.2 f10:10; do
	out=$(qe_launch ${g%:*} ${g#*:} 256 96 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	check "launch ${g%:*} under QEMU ${g#*:}" [ $rc -eq 0 ]
done
for g in f72 f10; do
	check "$g: heartbeats" qe_wait_hb $g 10 180
done
if [ "$failed" -ne 0 ]; then
	qe_diag f72
	qe_diag f10
fi
[ "$failed" -eq 0 ] || fatal "the guests did not come up"

# ------------------------------------- update while QMP does not answer
# rolled_back WHAT LAST72 LAST10: both guests run on, one life each.
rolled_back() {
	check "$1: the kernel is unloaded" [ "$(cat /sys/kernel/kexec_loaded)" = 0 ]
	check "$1: the pool is unsealed: $(pool_state $QE_POOL)" [ "$(pool_state $QE_POOL)" = READY ]
	for g in f72:$2 f10:$3; do
		name=${g%:*} last=${g#*:}
		check "$1: $name runs on" qe_wait_hb $name $((last + 3 * QE_HZ)) 60
		check "$1: $name state running" [ "$(qe_state $name)" = running ]
		# SIGSTOP does not stop the guest's clock as QMP stop does.
		if why=$(qe_verify $name 60); then ok "$1: $name: $why"; else not_ok "$1: $name: $why"; fi
	done
}

# f10's QEMU stopped before update starts: update finds out while it
# prepares the guests, before it stops any or loads the kernel.
pid=$(qe_pid f10)
kill -STOP "$pid"
out=$(vmpkram-qemu --timeout 5 update --kernel "/boot/vmlinuz-$(uname -r)" \
	--command-line "$(cat /proc/cmdline)" --no-exec 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
kill -CONT "$pid"
check "update with f10's QEMU stopped beforehand fails (status $rc)" [ $rc -ne 0 ]
names_f10() { echo "$out" | grep -q f10; }
check "the message names f10" names_f10
rolled_back "QEMU stopped before update" "$(qe_last_hb f72)" "$(qe_last_hb f10)"

# f10's QEMU stopped while update stops the guests (at the first QMP stop
# it sends, seen in its QMP trace): the rollback, exit status 3 or 4.
l72=$(qe_last_hb f72) l10=$(qe_last_hb f10)
{
	VMPKRAM_QEMU_TRACE_QMP=1 vmpkram-qemu --timeout 5 update \
		--kernel "/boot/vmlinuz-$(uname -r)" \
		--command-line "$(cat /proc/cmdline)" --no-exec
	echo $? >/tmp/update.rc
} 2>&1 | awk -v pid="$pid" '
	/^qmp -> .*"stop"/ && !done { system("kill -STOP " pid); done = 1 }
	!/^qmp / { print "# " $0 }'
rc=$(cat /tmp/update.rc)
kill -CONT "$pid"
check "update with f10's QEMU stopped during the save rolls back (status $rc: 3 or 4)" \
	[ "$rc" -eq 3 -o "$rc" -eq 4 ]
rolled_back "QEMU stopped during update" "$l72" "$l10"

# ------------------------------------------------- damaged state file
out=$(vmpkram-qemu save f72 2>&1)
check "save f72: $(echo "$out" | tail -n 1)" [ $? -eq 0 ]
check "f72: state saved" [ "$(qe_state f72)" = saved ]
cp "$QE_MNT/f72.state" /tmp/f72.state.good
cp "$QE_MNT/f72.manifest" /tmp/f72.manifest.before
ramsum=$(md5sum <"$QE_MNT/f72" | cut -d' ' -f1)
damage_test() {	# damage_test WHAT: after the damage was done
	cp "$QE_MNT/f72.state" /tmp/f72.state.damaged
	out=$(vmpkram-qemu resume f72 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	check "resume with $1 refused (status $rc)" [ $rc -ne 0 ]
	check "$1: the state file is as it was" cmp -s "$QE_MNT/f72.state" /tmp/f72.state.damaged
	check "$1: the manifest is as it was" cmp -s "$QE_MNT/f72.manifest" /tmp/f72.manifest.before
	check "$1: no QEMU runs for f72" [ "$(qe_state f72)" = saved ]
	cp /tmp/f72.state.good "$QE_MNT/f72.state"
}
printf 'XXXX' | dd of="$QE_MNT/f72.state" bs=1 conv=notrunc 2>/dev/null
damage_test "a foreign header"
truncate -s 100000 "$QE_MNT/f72.state"
damage_test "a truncated state file"
check "the RAM file is as it was" [ "$(md5sum <"$QE_MNT/f72" | cut -d' ' -f1)" = "$ramsum" ]
check "the state file is back" cmp -s "$QE_MNT/f72.state" /tmp/f72.state.good
last=$(qe_last_hb f72)
qe_console f72
out=$(vmpkram-qemu resume f72 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check "resume f72 with the state put back" [ $rc -eq 0 ]
check "f72 continues after heartbeat $last" qe_wait_hb f72 $((last + 3 * QE_HZ)) 60
if why=$(qe_verify f72); then ok "f72: $why"; else not_ok "f72: $why"; fi

# ------------------------------------------------------ resume twice
out=$(vmpkram-qemu resume f72 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check "resuming the running f72 again is refused (status $rc)" [ $rc -ne 0 ]
last=$(qe_last_hb f72)
check "f72 still runs" qe_wait_hb f72 $((last + 2)) 30
check "f72: state resumed" [ "$(qe_state f72)" = resumed ]

for g in f72 f10; do
	out=$(vmpkram-qemu save $g 2>&1)
	check "save $g: $(echo "$out" | tail -n 1)" [ $? -eq 0 ]
done

# ------------------------------------------ launch --prefault (anonymous)
# The drop-in for -mem-prealloc: RAM that is not in a pool, populated by
# VMPKRAM_IOC_PREFAULT in QEMU's address space before the guest runs.
# Alone: f72 and f10 are saved first, so that it boots as fast as they
# did.  Its kernel is not quiet: a boot that stalls shows where.
qe_console pf
out=$(vmpkram-qemu --json launch pf --prefault 2 --qemu "$QE_DIR/bin/qemu-7.2" -- \
	-machine q35 -accel "$QE_ACCEL" -cpu qemu64 -smp 1 -nodefaults \
	-display none -m 128M \
	-kernel "$QE_KERNEL" -initrd "$QE_TOP/build/guest/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 HB_MIB=16 HB_HZ=$QE_HZ" \
	-chardev "pipe,id=con0,path=$QE_RUN/pf" -serial chardev:con0 2>/tmp/pf.err)
rc=$?
sed 's/^/# /' /tmp/pf.err
echo "$out" | sed 's/^/# /'
check "launch --prefault 2 with 128 MiB of anonymous RAM (status $rc)" [ $rc -eq 0 ]
pf_bytes=$(echo "$out" | vmpkram_json prefault.bytes 2>/dev/null)
check "the prefault covered the guest's RAM: ${pf_bytes:-nothing} bytes" \
	[ "${pf_bytes:-0}" -ge $((128 << 20)) ]
pf_pid=$(qe_pid pf)
pf_rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pf_pid/status" 2>/dev/null)
check "QEMU's resident memory holds the RAM: ${pf_rss:-?} KiB" \
	[ "${pf_rss:-0}" -ge $((128 << 10)) ]
if qe_wait_hb pf 3 180; then
	ok "pf: heartbeats after the prefault"
else
	not_ok "pf: heartbeats after the prefault"
	qe_diag pf
fi
vmpkram-qemu qmp pf quit >/dev/null 2>&1
n_try=0
while [ -d "/proc/$pf_pid" ] && [ $n_try -lt 100 ]; do
	sleep 0.1
	n_try=$((n_try + 1))
done
check "pf: QEMU quit" [ ! -d "/proc/$pf_pid" ]
rm -rf /run/vmpkram-qemu/pf
qe_console_stop pf

rm -f "$QE_MNT"/*
tap_done
