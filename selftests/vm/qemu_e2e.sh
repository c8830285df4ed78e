#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# End to end: two guests, one under QEMU 7.2 and one under QEMU 10.0,
# their RAM in pool "vm", kept running across two kexecs of the test VM
# by vmpkram-qemu update and resume.  Suite "qemu" (see qemu_lib.sh).
#
# stage 0  (kernel A) launch g72 and g10 (256 MiB each, 128 MiB of it
#          patterned), wait for their heartbeats and a pattern check;
#          vmpkram-qemu update into the other kernel B, the jump done by
#          update itself (the rootfs packed by vm-kexec --prepare).
# stage 1  (kernel B) resume --all: each guest's heartbeat continues from
#          the last one before the stop, no second start line, uptime
#          without a jump, every pattern check ok, state "resumed";
#          resuming again is refused.  Then update --no-exec into B again
#          (the same kernel): guests saved, kernel loaded; the jump by
#          vmpkramctl kexec exec.
# stage 2  (kernel B) resume --all and the same checks; save both.
#
# Prints one "# downtime:" line per resume: guest, QEMU version, RAM,
# kernels, device state size and downtime as vmpkram-qemu measured it.
# Prints TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/pool_lib.sh"
. "$(dirname "$0")/qemu_lib.sh"

STAGE=${VMPKRAM_VM_STAGE:-0}
GUESTS="g72 g10"

save_tap() { echo "n=$n failed=$failed" >"$QE_DIR/tap"; }
load_tap() { [ ! -r "$QE_DIR/tap" ] || . "$QE_DIR/tap"; }

fatal() {
	not_ok "$*"
	tap_done
	exit 1
}

# update_into TARGET [--no-exec]: vmpkram-qemu update into TARGET with
# the packed rootfs; returns only when update did not jump.
update_into() {
	uname -r >"$QE_DIR/release"
	for g in $GUESTS; do
		qe_last_hb $g >"$QE_DIR/$g.before-update"
	done
	save_tap
	if [ "${2:-}" = --no-exec ]; then
		# The checks after update --no-exec come after the rootfs is
		# packed: the next stage starts numbering after them (any of
		# them failing ends the test before the jump).
		ng=$(echo $GUESTS | wc -w)
		echo "n=$((n + 3 + ng)) failed=$failed" >"$QE_DIR/tap"
	fi
	vm-kexec --prepare "$1" >"$QE_DIR/next" || fatal "vm-kexec --prepare $1"
	rel=$(sed -n 's/^release=//p' "$QE_DIR/next")
	kernel=$(sed -n 's/^kernel=//p' "$QE_DIR/next")
	initrd=$(sed -n 's/^initrd=//p' "$QE_DIR/next")
	cmdline=$(sed -n 's/^cmdline=//p' "$QE_DIR/next")
	if [ "${2:-}" = --no-exec ]; then
		out=$(vmpkram-qemu update --kernel "$kernel" --initrd "$initrd" \
			--command-line "$cmdline" --no-exec 2>&1)
		rc=$?
		echo "$out" | sed 's/^/# /'
		check "update --no-exec into $rel: exit status $rc" [ $rc -eq 0 ]
		check "update --no-exec left the kernel loaded" kexec_loaded
		for g in $GUESTS; do
			check "$g saved by update" [ "$(qe_state $g)" = saved ]
		done
		check "$rel sealed the pool" [ "$(pool_state $QE_POOL)" = SEALED ]
		[ "$failed" -eq 0 ] || fatal "update --no-exec did not leave things ready to jump"
		echo "# stage $STAGE on $(uname -r): vmpkramctl kexec exec into $rel"
		vm-kexec --marker "$rel" "$cmdline"
		vmpkramctl kexec exec
		fatal "vmpkramctl kexec exec returned"
	fi
	echo "# stage $STAGE on $(uname -r): vmpkram-qemu update into $rel"
	vm-kexec --marker "$rel" "$cmdline"
	vmpkram-qemu update --kernel "$kernel" --initrd "$initrd" --command-line "$cmdline"
	fatal "vmpkram-qemu update into $rel returned with status $?"
}

# resume_all: after a kexec; checks and downtime lines.
resume_all() {
	prev=$(cat "$QE_DIR/release")
	for g in $GUESTS; do
		last=$(qe_last_hb $g)
		echo "$last" >"$QE_DIR/$g.last"
		check "$g: console kept across the kexec, last heartbeat $last" [ "$last" -gt 0 ]
		check "$g saved before the jump" [ "$(qe_state $g)" = saved ]
		qe_console $g
	done
	out=$(vmpkram-qemu resume --all 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	check "vmpkram-qemu resume --all after $prev -> $(uname -r)" [ $rc -eq 0 ]
	for g in $GUESTS; do
		last=$(cat "$QE_DIR/$g.last")
		pass=$(qe_last_check $g)
		if ! qe_wait_hb $g $((last + 3 * QE_HZ)) 60; then
			not_ok "$g: heartbeats continue after the resume (last $(qe_last_hb $g), before $last)"
			qe_diag $g
			continue
		fi
		qe_wait_check $g $((pass + 1)) 60
		if why=$(qe_verify $g); then
			ok "$g: heartbeat $last before, $((last + 1)) after the resume; $why"
		else
			not_ok "$g: $why"
		fi
		check "$g: a pattern check after the resume passed" \
			[ "$(qe_last_check $g)" -gt "$pass" ]
		check "$g: state resumed" [ "$(qe_state $g)" = resumed ]
		line=$(echo "$out" | grep "^resumed $g:")
		ver=$(vmpkram-qemu status | awk -v n=$g '$1 == n { print $4 }')
		echo "# downtime: $g QEMU $ver RAM 256 MiB $prev -> $(uname -r):" \
			"${line#*: } (guest uptime gap $(qe_gap $g "$last") s)"
	done
}

stage0() {
	echo "TAP version 13"
	rm -rf "$QE_DIR"
	qe_setup >/tmp/qe-setup.out || fatal "setup: $(cat /tmp/qe-setup.out)"
	rm -f "$QE_MNT"/*
	for g in $GUESTS; do
		v=7.2
		[ $g = g72 ] || v=10
		out=$(qe_launch $g $v 256 128 2>&1)
		rc=$?
		echo "$out" | sed 's/^/# /'
		check "launch $g under QEMU $v" [ $rc -eq 0 ]
	done
	for g in $GUESTS; do
		check "$g: heartbeats" qe_wait_hb $g 10 180
		check "$g: first pattern check" qe_wait_check $g 1 60
		check "$g: state running" [ "$(qe_state $g)" = running ]
	done
	if [ "$failed" -ne 0 ]; then
		for g in $GUESTS; do
			qe_diag $g
		done
		fatal "the guests did not come up"
	fi
	update_into other
}

stage1() {
	load_tap
	qe_setup >/tmp/qe-setup.out || fatal "setup after kexec: $(cat /tmp/qe-setup.out)"
	check "kexec into another kernel: $(cat "$QE_DIR/release") -> $(uname -r)" \
		[ "$(uname -r)" != "$(cat "$QE_DIR/release")" ]
	resume_all
	out=$(vmpkram-qemu resume g72 2>&1)
	check "resuming g72 again is refused: $out" [ $? -ne 0 ]
	last=$(qe_last_hb g72)
	check "g72 still runs after the refused resume" qe_wait_hb g72 $((last + 2)) 30
	update_into same --no-exec
}

stage2() {
	load_tap
	echo "# update --no-exec and vmpkramctl kexec exec: passed (see the console above)"
	qe_setup >/tmp/qe-setup.out || fatal "setup after kexec: $(cat /tmp/qe-setup.out)"
	check "kexec into the same kernel: $(uname -r)" \
		[ "$(uname -r)" = "$(cat "$QE_DIR/release")" ]
	resume_all
	for g in $GUESTS; do
		out=$(vmpkram-qemu save $g 2>&1)
		check "save $g: $(echo "$out" | tail -n 1)" [ $? -eq 0 ]
	done
	tap_done
}

case $STAGE in
0) stage0 ;;
1) stage1 ;;
2) stage2 ;;
*) echo "not ok - unexpected stage $STAGE"; exit 1 ;;
esac
