# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the QEMU end-to-end tests of the test VM (qemu_e2e.sh,
# qemu_fail.sh, demo.sh, the downtime benchmark).  Source it after tap.sh
# and pool_lib.sh.  Needs a suite with "# host-root" and "# modules kvm
# kvm_amd" and a pool "vm" on the command line.
#
# The guests (L2) run Debian's kernel (the test VM's own, as the
# uncompressed vmlinux run-vm extracted, booted through PVH) with the
# heartbeat initramfs of tools/guest (make guest), under QEMU 7.2 (the
# host's /usr/bin/qemu-system-x86_64) or 10.0 (build/qemu-10, make
# qemu-10), both run on the host root through host-root, with KVM on the
# test VM's emulated SVM, or TCG when there is no /dev/kvm (said once).
# vmpkram-qemu itself runs in the test VM.
#
# Each guest's serial console goes through a FIFO into NAME.console in the
# pool (vmpkram_conlog): the log survives the kexec and shows the last
# heartbeat before the stop.

QE_DIR=/var/lib/qemu-e2e	# rootfs: survives vm-kexec
QE_RUN=/run/qemu-e2e		# the console FIFOs
QE_MNT=/run/vmpkram		# pool "vm"
QE_POOL=${QE_POOL:-vm}		# the pool (the benchmark uses "bench")
QE_TOP=${VMPKRAM_HOST_TOP:-}
QE_HZ=5				# heartbeats a second (HB_HZ)

# qe_setup: the host root, the QEMU wrappers, the pool mounted (formatted
# when it is not READY), the L2 kernel and accelerator (QE_KERNEL,
# QE_ACCEL: call it in the test's shell, not in a subshell).  Fails with
# a message on stdout (for not_ok) when something is missing.
qe_setup() {
	if [ -z "$QE_TOP" ]; then
		echo "no VMPKRAM_HOST_TOP: the suite needs '# host-root'"
		return 1
	fi
	host-root --mount >/dev/null 2>&1 || { host-root --check 2>&1; return 1; }
	if [ ! -e "/host$QE_TOP/build/guest/initramfs.cpio" ]; then
		echo "no $QE_TOP/build/guest/initramfs.cpio on the host: run make guest"
		return 1
	fi
	command -v vmpkram-qemu >/dev/null || { echo "vmpkram-qemu is not in the initramfs"; return 1; }
	mkdir -p "$QE_DIR/bin" "$QE_RUN" "$QE_MNT"
	printf '#!/bin/sh\nexec host-root /usr/bin/qemu-system-x86_64 "$@"\n' >"$QE_DIR/bin/qemu-7.2"
	printf '#!/bin/sh\nexec host-root %s/build/qemu-10/bin/qemu-system-x86_64 "$@"\n' \
		"$QE_TOP" >"$QE_DIR/bin/qemu-10"
	chmod 755 "$QE_DIR/bin/qemu-7.2" "$QE_DIR/bin/qemu-10"
	if [ "$(pool_state $QE_POOL)" != READY ] && [ "$(pool_state $QE_POOL)" != SEALED ]; then
		vmpkramctl pool format $QE_POOL --yes >/dev/null || { echo "cannot format pool $QE_POOL"; return 1; }
	fi
	if ! grep -q " $QE_MNT vmpkramfs " /proc/mounts; then
		mount -t vmpkramfs -o pool=$QE_POOL none "$QE_MNT" || { echo "cannot mount pool $QE_POOL"; return 1; }
	fi
	if [ -c /dev/kvm ]; then
		QE_ACCEL=kvm
	else
		QE_ACCEL=tcg
		echo "# L2 guests run under TCG: no /dev/kvm (kvm_amd did not load)" >&2
	fi
	# The L2 kernel: fixed at the first launch, kept across kexec.
	if [ ! -s "$QE_DIR/kernel" ]; then
		k=$QE_TOP/build/vm/$(uname -r)/vmlinux
		[ -e "/host$k" ] || k=/boot/vmlinuz-$(uname -r)
		echo "$k" >"$QE_DIR/kernel"
	fi
	QE_KERNEL=$(cat "$QE_DIR/kernel")
}

# qe_console NAME: the FIFOs of NAME's serial port and the logger that
# writes it into the pool (started again after a kexec).
qe_console() {
	for e in in out; do
		[ -p "$QE_RUN/$1.$e" ] || mkfifo "$QE_RUN/$1.$e"
	done
	# Not on the test's output: the runner's tee would wait for it.
	vmpkram_conlog "$QE_RUN/$1.out" "$QE_MNT/$1.console" </dev/null \
		>/dev/null 2>>"$QE_DIR/conlog.err" &
	echo $! >"$QE_RUN/$1.conlog"
}

# qe_console_stop NAME: the logger of a guest whose QEMU never started.
qe_console_stop() {
	qe_cp=$(cat "$QE_RUN/$1.conlog" 2>/dev/null)
	rm -f "$QE_RUN/$1.conlog"
	[ -n "$qe_cp" ] || return 0
	kill "$qe_cp" 2>/dev/null
	# Gone, or a zombie (its parent, the launching subshell, is gone).
	while [ -d "/proc/$qe_cp" ] && [ "$(awk '{ print $3 }' "/proc/$qe_cp/stat" 2>/dev/null)" != Z ]; do
		sleep 0.1
	done
}

# qe_launch NAME 7.2|10 RAM_MIB PATTERN_MIB [LAUNCH-OPTION...] [-- QEMU-ARG...]:
# a heartbeat guest under vmpkram-qemu, its RAM in the pool; QEMU-ARGs
# go after the guest's own.
qe_launch() {
	name=$1 ver=$2 mib=$3 hb=$4
	shift 4
	opts=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts="$opts $1"
		shift
	done
	[ $# -eq 0 ] || shift
	if [ "$ver" = 10 ] && [ ! -e "/host$QE_TOP/build/qemu-10/bin/qemu-system-x86_64" ]; then
		echo "no QEMU 10 in $QE_TOP/build/qemu-10 on the host: run make qemu-10"
		return 1
	fi
	seed=$((0x$(echo "$name" | md5sum | cut -c1-6)))
	qe_console "$name"
	# shellcheck disable=SC2086 # the launch options, words without spaces
	vmpkram-qemu launch "$name" --mem "${mib}M" --qemu "$QE_DIR/bin/qemu-$ver" $opts -- \
		-machine q35 -accel "$QE_ACCEL" -cpu qemu64 -smp 1 -nodefaults -display none \
		-kernel "$QE_KERNEL" -initrd "$QE_TOP/build/guest/initramfs.cpio" \
		-append "console=ttyS0 quiet panic=-1 HB_SEED=$seed HB_MIB=$hb HB_HZ=$QE_HZ" \
		-chardev "pipe,id=con0,path=$QE_RUN/$name" -serial chardev:con0 "$@"
}

# qe_log NAME: the guest's console so far, whole lines only: the guest
# may be writing the last one ("hb 201 up 40" of "hb 201 up 40.410").
qe_log() {
	qe_d=$(tr -d '\0' <"$QE_MNT/$1.console" 2>/dev/null; echo x)
	qe_d=${qe_d%x}
	printf '%s' "${qe_d%"${qe_d##*
}"}"
}

# qe_last_hb NAME: the last heartbeat counter on the console (0: none).
qe_last_hb() {
	qe_log "$1" | awk '/^hb [0-9]+ up / { n = $2 } END { print n + 0 }'
}

# qe_wait_hb NAME COUNT SEC: wait until the guest printed heartbeat COUNT.
qe_wait_hb() {
	qe_w=0
	while [ "$(qe_last_hb "$1")" -lt "$2" ]; do
		[ $qe_w -lt $(($3 * 2)) ] || return 1
		sleep 0.5
		qe_w=$((qe_w + 1))
	done
}

# qe_wait_check NAME PASS SEC: wait until the guest printed check PASS.
qe_wait_check() {
	qe_w=0
	while ! qe_log "$1" | grep -q "^check $2 "; do
		[ $qe_w -lt $(($3 * 2)) ] || return 1
		sleep 0.5
		qe_w=$((qe_w + 1))
	done
}

# qe_last_check NAME: the number of the last pattern check (0: none).
qe_last_check() {
	qe_log "$1" | awk '/^check [0-9]+ / { n = $2 } END { print n + 0 }'
}

# qe_verify NAME: the whole console of the guest tells one life: one
# start line, heartbeats 1, 2, 3, ... without a gap or a restart, the
# uptime always growing (no jump over MAXGAP seconds, default 5), every
# pattern check ok.  Prints what is wrong.
qe_verify() {
	qe_log "$1" | awk -v maxgap="${2:-5}" '
		/^heartbeat: start/ { starts++ }
		/^hb [0-9]+ up / {
			if (n && $2 != n + 1) { printf "heartbeat %d after %d; ", $2, n; bad++ }
			if (n && ($4 <= up || $4 - up > maxgap)) {
				printf "uptime %s after %s; ", $4, up; bad++
			}
			n = $2; up = $4
		}
		/^check [0-9]+ / { if ($3 == "ok") oks++; else { printf "%s; ", $0; bad++ } }
		END {
			if (starts != 1) { printf "%d start lines; ", starts; bad++ }
			if (!n) { printf "no heartbeat; "; bad++ }
			if (!oks) { printf "no pattern check; "; bad++ }
			if (bad) { print ""; exit 1 }
			printf "one life: heartbeats 1-%d, uptime %s s, %d pattern checks ok\n", n, up, oks
		}'
}

# qe_gap NAME COUNT: uptime of heartbeat COUNT+1 minus that of COUNT.
qe_gap() {
	qe_log "$1" | awk -v c="$2" '
		/^hb [0-9]+ up / { if ($2 == c) a = $4; if ($2 == c + 1) b = $4 }
		END { if (a && b) printf "%.3f\n", b - a; else print "?" }'
}

# qe_pid NAME: the pid of the guest's QEMU (vmpkram-qemu's pid file).
qe_pid() {
	cat "/run/vmpkram-qemu/$1/pid" 2>/dev/null
}

# qe_state NAME: the guest's state as vmpkram-qemu status shows it.
qe_state() {
	vmpkram-qemu status 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'
}

# qe_diag NAME: what tells why a guest stalled, as TAP comments: its
# state, the end of its console and of its QEMU's log, what its QEMU's
# threads are doing, and the test VM's load and KVM messages.
qe_diag() {
	qe_p=$(qe_pid "$1")
	echo "# diag $1: state $(qe_state "$1"), last heartbeat $(qe_last_hb "$1"), QEMU pid ${qe_p:-none}"
	qe_log "$1" | tail -n 8 | sed "s/^/# diag $1 console: /"
	tail -n 8 "/run/vmpkram-qemu/$1/log" 2>/dev/null | sed "s/^/# diag $1 qemu log: /"
	if [ -n "$qe_p" ] && [ -d "/proc/$qe_p" ]; then
		for t in /proc/"$qe_p"/task/*; do
			echo "# diag $1 thread ${t##*/}: $(cut -d' ' -f3 "$t/stat" 2>/dev/null)" \
				"$(cat "$t/comm" 2>/dev/null) in $(cat "$t/wchan" 2>/dev/null)"
		done
	fi
	echo "# diag $1 qmp status: $(vmpkram-qemu --timeout 5 qmp "$1" query-status 2>&1 | tr -d ' \n')"
	# Where the guest's CPU is: firmware, early boot, idle or a loop.
	vmpkram-qemu --timeout 5 qmp "$1" human-monitor-command \
		'{"command-line": "info registers"}' 2>&1 | sed 's/\\r\\n/\n/g; s/\\n/\n/g' |
		grep -E "RIP|RSP|CR0|CR3|EFL" | head -n 4 | sed "s/^/# diag $1 regs: /"
	echo "# diag: load $(cat /proc/loadavg)"
	dmesg 2>/dev/null | grep -i "kvm\|svm\|soft lockup\|hung" | tail -n 8 | sed 's/^/# diag dmesg: /'
}

kexec_loaded() {
	[ "$(cat /sys/kernel/kexec_loaded)" = 1 ]
}
