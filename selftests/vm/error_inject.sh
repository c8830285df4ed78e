#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Error paths of vmpkram under fail_function (debug kernel only): every
# function of the module marked ALLOW_ERROR_INJECTION (the "[vmpkram]"
# entries of /sys/kernel/debug/error_injection/list) is made to fail once
# while an operation that reaches it runs (the table below).  Per row:
#
#   SETUP       brings the system to the state the operation starts from
#   (snapshot)  module refcount; state, used, free, file count and mount
#               of pools "test" and "small"; vmpkramfs mounts; the
#               pools' claims in /proc/iomem; the files (names and sizes)
#               of the mount point
#   OP, armed   fail_function: probability 100, interval 1, times 1,
#               verbose 1, retval -ENOMEM unless the row says otherwise;
#               "times" must have dropped to 0 (the function was hit)
#               EXPECT fail: OP fails, and the snapshot is unchanged (no
#               partial state); then OP, disarmed, succeeds
#               EXPECT ok: OP succeeds anyway (the failure is absorbed,
#               e.g. an event that is not sent)
#   UNDO        reverts the successful OP: the snapshot must be the one
#               taken after SETUP again (no leaked reference or block)
#   (checks)    no kernel trouble in dmesg since the row began; with
#               kmemleak, no new unreferenced object
#   TEARDOWN    back to the script's baseline
#
# An injection point without a row fails, as does a row whose function is
# no injection point (a stale table).  At the end the baseline (pools
# attached and unmounted, "small" formatted with two files) must hold.
#
# Needs the "errinject" suite's command line (pools "test"
# 512M@0x40000000 and "small" 64M@0x60000000).  Without fail_function
# (Debian's kernels) it skips.  ERRINJ_KMEMLEAK=0 leaves out the per-row
# kmemleak scans (about 10 s each); ERRINJ_ONLY=FUNCTION runs the rows of
# one function.  Prints TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/pool_lib.sh"

FF=/sys/kernel/debug/fail_function
LIST=/sys/kernel/debug/error_injection/list
KM=/sys/kernel/debug/kmemleak
MNT=/tmp/errinj.mnt
PF=/tmp/errinj.pf		# tmpfs file for the prefault rows
SMALL=64M@0x60000000
OUT=/tmp/errinj.out
KNOWN=/tmp/errinj.leaks		# kmemleak objects seen before
MOUNT_SMALL="mount -t vmpkramfs -o pool=small none $MNT"
export MNT PF SMALL MOUNT_SMALL

# ===================================================================
# The table: one or more rows per ALLOW_ERROR_INJECTION in kmod/.
#
#   row FUNCTION EXPECT SETUP OP UNDO TEARDOWN [RETVAL]
#
# Commands run with sh -c and see $MNT (mount point for pool "small",
# not mounted at the baseline), $MOUNT_SMALL (the mount command), $SMALL
# (SIZE@ADDR of "small") and $PF.  The baseline: both pools attached and
# READY, nothing mounted, "small" holds files "a" (1 MiB) and "b" (empty).
# ===================================================================
# shellcheck disable=SC2016 # the rows expand when they run
table() {
	# Pool attach: metadata and allocator setup.
	row vmpkram_meta_alloc fail \
		'vmpkramctl pool detach small' \
		'vmpkramctl pool attach small $SMALL' \
		'vmpkramctl pool detach small' \
		'vmpkramctl pool attach small $SMALL'
	row vmpkram_pool_map_pages fail \
		'vmpkramctl pool detach small' \
		'vmpkramctl pool attach small $SMALL' \
		'vmpkramctl pool detach small' \
		'vmpkramctl pool attach small $SMALL'
	# Adoption of a formatted pool with files: their block lists.
	row vmpkram_alloc_fblocks fail \
		'vmpkramctl pool detach small' \
		'vmpkramctl pool attach small $SMALL' \
		'vmpkramctl pool detach small' \
		'vmpkramctl pool attach small $SMALL'
	row vmpkram_alloc_init fail \
		'vmpkramctl pool detach small' \
		'vmpkramctl pool attach small $SMALL' \
		'vmpkramctl pool detach small' \
		'vmpkramctl pool attach small $SMALL'
	# Mount: a dentry for every file of the pool.
	row vmpkram_add_files fail \
		':' \
		'$MOUNT_SMALL' \
		'umount $MNT' \
		':'
	# vmpkramfs: create, and growth of a file.
	row vmpkram_file_create fail \
		'$MOUNT_SMALL' \
		'touch $MNT/new' \
		'rm $MNT/new' \
		'umount $MNT'
	row vmpkram_grow_blocks fail \
		'$MOUNT_SMALL && : >$MNT/grow' \
		'truncate -s 8M $MNT/grow' \
		'truncate -s 0 $MNT/grow' \
		'rm $MNT/grow && umount $MNT'
	# Netlink pool messages: a reply fails the request; a lost event
	# (the first message of an attach) must not fail the attach.
	row vmpkram_pool_msg fail \
		':' \
		'vmpkramctl pool status small' \
		':' \
		':'
	row vmpkram_pool_msg ok \
		'vmpkramctl pool detach small' \
		'vmpkramctl pool attach small $SMALL' \
		'vmpkramctl pool detach small' \
		'vmpkramctl pool attach small $SMALL'
	# Seal: the reply carrying the command line.  A seal whose caller
	# never got the command line is undone, for one pool and for all.
	row vmpkram_seal_reply fail \
		':' \
		'vmpkramctl pool seal small' \
		'vmpkramctl pool unseal small' \
		':'
	row vmpkram_seal_reply fail \
		':' \
		'vmpkramctl pool seal' \
		'vmpkramctl pool unseal' \
		':'
	# Prefault: the target's mm, and one chunk of the work.
	row vmpkram_target_mm fail \
		'truncate -s 16M $PF' \
		'vmpkramctl prefault --file $PF' \
		':' \
		'rm -f $PF'
	row vmpkram_prefault_chunk fail \
		'truncate -s 16M $PF' \
		'vmpkramctl prefault --file $PF --threads 2' \
		':' \
		'rm -f $PF'
	# The job's helper workers: without them the caller does it all.
	row vmpkram_job_workers ok \
		'truncate -s 16M $PF' \
		'vmpkramctl prefault --file $PF --threads 2' \
		':' \
		'rm -f $PF' \
		0
}
# ===================================================================

NROWS=0

# row FUNCTION EXPECT SETUP OP UNDO TEARDOWN [RETVAL]
row() {
	NROWS=$((NROWS + 1))
	eval "R${NROWS}_fn=\$1 R${NROWS}_expect=\$2 R${NROWS}_setup=\$3"
	eval "R${NROWS}_op=\$4 R${NROWS}_undo=\$5 R${NROWS}_teardown=\$6"
	eval "R${NROWS}_retval=\${7:--12}"
}

# get I FIELD: a field of row I.
get() {
	eval "echo \"\$R$1_$2\""
}

disarm() {
	echo >"$FF/inject" 2>/dev/null
}

# arm FUNCTION RETVAL: the next call of FUNCTION returns RETVAL.  The
# retval file takes an unsigned 64-bit number: -12 is written as 2^64-12.
arm() {
	echo 100 >"$FF/probability" &&
	echo 1 >"$FF/interval" &&
	echo 1 >"$FF/verbose" &&
	echo 0 >"$FF/space" &&
	echo 1 >"$FF/times" &&
	echo "$1" >"$FF/inject" &&
	printf '%u\n' "$2" >"$FF/$1/retval"
}

# The state an error path must not change (see the top).
snapshot() {
	echo "refcnt $(cat /sys/module/vmpkram/refcnt 2>/dev/null || echo unloaded)"
	for p in test small; do
		j=$(pool_json "$p")
		if [ -z "$j" ]; then
			echo "pool $p absent"
			continue
		fi
		printf 'pool %s' "$p"
		for k in state used free nr_files mounted; do
			printf ' %s=%s' "$k" "$(echo "$j" | json_get "$k")"
		done
		echo
	done
	echo "mounts: $(awk '$3 == "vmpkramfs" { print $2 }' /proc/mounts | tr '\n' ' ')"
	# A claim left behind would keep the range from being attached again.
	echo "iomem: $(grep 'vmpkram pool' /proc/iomem | tr -s ' \n' ' ')"
	if grep -q " $MNT vmpkramfs " /proc/mounts; then
		for f in "$MNT"/*; do
			[ ! -e "$f" ] || echo "file ${f##*/} $(stat -c %s "$f")"
		done
	fi
}

# same_state WHAT EXPECTED: the snapshot is EXPECTED; else the difference
# as comments.
same_state() {
	now=$(snapshot)
	[ "$now" = "$2" ] && return 0
	echo "# $1: state differs (- before, + now):"
	printf '%s\n' "$2" >/tmp/errinj.before
	printf '%s\n' "$now" >/tmp/errinj.now
	diff /tmp/errinj.before /tmp/errinj.now | grep '^[-+][^-+]' | sed 's/^/#   /'
	return 1
}

# leak_report: the kmemleak objects not seen before, with their reports,
# as comments; remembers them.  Empty without kmemleak.
leak_report() {
	[ -e "$KM" ] && [ "${ERRINJ_KMEMLEAK:-1}" != 0 ] || return 0
	sleep 6		# younger objects are never reported
	echo scan >"$KM"
	sleep 2
	echo scan >"$KM"
	cat "$KM" >/tmp/errinj.km
	awk '/^unreferenced object/ { print $3 }' /tmp/errinj.km | sort >/tmp/errinj.km.now
	grep -vxF -f "$KNOWN" /tmp/errinj.km.now >/tmp/errinj.km.new
	[ -s /tmp/errinj.km.new ] || return 0
	awk 'NR == FNR { new[$1] = 1; next }
	     /^unreferenced object/ { show = ($3 in new) }
	     show { print "# " $0 }' /tmp/errinj.km.new /tmp/errinj.km
	sort -u "$KNOWN" /tmp/errinj.km.now -o "$KNOWN"
}

# run WHAT CMD: sh -c CMD, output in $OUT; fails with the output as
# comments.
run() {
	sh -c "$2" >"$OUT" 2>&1 && return 0
	echo "# $1 failed: $2"
	sed 's/^/#   /' "$OUT"
	return 1
}

set_baseline() {
	mkdir -p "$MNT"
	umount_pools || return 1
	vmpkramctl pool unseal >/dev/null 2>&1
	if [ -z "$(pool_json small)" ]; then
		run "attach small" "vmpkramctl pool attach small $SMALL" || return 1
	fi
	run "format small" "vmpkramctl pool format small --yes" &&
	run "mount small" "$MOUNT_SMALL" &&
	run "files of small" "head -c 1048576 /dev/urandom >$MNT/a && : >$MNT/b" &&
	run "umount small" "umount $MNT"
}

# one_row I: row I (see the top); the teardown runs whatever happened.
one_row() {
	i=$1
	fn=$(get "$i" fn) op=$(get "$i" op)
	what="$fn: $op"
	kmsg_mark "error_inject row $i"
	if run "$what: setup" "$(get "$i" setup)"; then
		row_checks "$i"
	else
		not_ok "$what: setup"
	fi
	disarm
	run "$what: teardown" "$(get "$i" teardown)" || not_ok "$what: teardown"
}

# row_checks I: the checks of row I, after its setup.
row_checks() {
	expect=$(get "$1" expect)
	before=$(snapshot)

	if ! arm "$fn" "$(get "$1" retval)"; then
		not_ok "$what: arming fail_function"
		return
	fi
	sh -c "$op" >"$OUT" 2>&1
	rc=$?
	left=$(cat "$FF/times")
	disarm
	err=$(head -n 1 "$OUT")

	check "$what: reaches $fn" [ "$left" = 0 ]
	if [ "$expect" = fail ]; then
		if [ "$rc" -ne 0 ]; then
			ok "$what: fails cleanly (status $rc: $err)"
		else
			not_ok "$what: succeeded although $fn failed"
		fi
		check "$what: no partial state after the failure" \
			same_state "after the failure" "$before"
		check "$what: succeeds once disarmed" run "$what (disarmed)" "$op"
	else
		if [ "$rc" -eq 0 ]; then
			ok "$what: absorbs the failure of $fn"
		else
			not_ok "$what: fails (status $rc: $err); it should absorb the failure of $fn"
		fi
	fi
	if run "$what: undo" "$(get "$1" undo)"; then
		check "$what: undone, nothing leaked" same_state "after undo" "$before"
	else
		not_ok "$what: undo"
	fi
	trouble=$(kernel_trouble "error_inject row $1")
	check "$what: kernel log clean${trouble:+: $trouble}" [ -z "$trouble" ]
	if [ -e "$KM" ] && [ "${ERRINJ_KMEMLEAK:-1}" != 0 ]; then
		leaks=$(leak_report)
		[ -z "$leaks" ] || echo "$leaks"
		check "$what: no new kmemleak report" [ -z "$leaks" ]
	fi
}

main() {
	echo "TAP version 13"
	if [ ! -d "$FF" ]; then
		echo "1..0 # SKIP no $FF: the kernel lacks CONFIG_FAIL_FUNCTION (make check-debug runs this)"
		exit 4
	fi
	if ! grep -q "vmpkram.pool=.*small:$SMALL" /proc/cmdline; then
		echo "1..0 # SKIP needs the errinject suite's vmpkram.pool= and memmap="
		exit 4
	fi
	trap 'disarm; umount "$MNT" 2>/dev/null' EXIT
	disarm
	table

	points=$(awk '$2 == "[vmpkram]" { print $1 }' "$LIST" | sort -u)
	check "the module has injection points" [ -n "$points" ]
	for fn in $points; do
		have=0
		i=1
		while [ $i -le $NROWS ]; do
			[ "$(get $i fn)" = "$fn" ] && have=1
			i=$((i + 1))
		done
		[ $have -eq 1 ] || not_ok "$fn: injection point without a row in the table"
	done

	check "baseline: pool small formatted with two files" set_baseline
	baseline=$(snapshot)
	: >"$KNOWN"
	if [ -e "$KM" ]; then
		leak_report >/dev/null
		echo "# kmemleak: $(wc -l <"$KNOWN") objects reported before the first row"
	fi

	i=1
	while [ $i -le $NROWS ]; do
		fn=$(get $i fn)
		if [ -n "${ERRINJ_ONLY:-}" ] && [ "$fn" != "$ERRINJ_ONLY" ]; then
			:
		elif ! echo "$points" | grep -qxF "$fn"; then
			not_ok "$fn: in the table but not an injection point (stale row $i)"
		else
			one_row $i
		fi
		i=$((i + 1))
	done
	check "baseline holds at the end" same_state "at the end" "$baseline"
	tap_done
}

main
