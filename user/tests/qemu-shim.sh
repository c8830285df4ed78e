#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# vmpkram-qemu with a real QEMU on the host (TCG), each run of it under
# valgrind: launch and its refusals, save, resume (the guest continues,
# it does not boot again), resume refusals that leave everything as it
# was (twice, damaged, truncated, missing or foreign state, another QEMU
# version, an edited machine type), update against a fake vmpkramctl
# (saved and quit; a failed load; rollback after a failed save; a QEMU
# that stops answering QMP right after the kernel is loaded, which
# continues once it runs again; a failed jump), status and qmp.
#
# RAM files live in a plain directory (tmpfs), which survives a QEMU
# restart but not a kexec: update accepts such guests only because
# VMPKRAM_QEMU_ALLOW_VOLATILE is set here.  The guest is a 64 KiB
# firmware written below: it counts boots in RAM at 0x10004 and then
# increments a counter at 0x10000 in a register forever, so the RAM file
# shows whether the guest ran on from its saved CPU state (the counter
# goes on, the boot count stays 1) or started afresh.
#
# With QEMU 10 unpacked by tools/qemu-10.sh (build/qemu-10), one more
# save and resume goes through its cpr-reboot path.
#
# Usage: qemu-shim.sh BUILD_DIR VALGRIND [VALGRIND-OPTION...]
# Prints TAP lines without numbers (run-tests.sh numbers them).
set -u

build=$1
shift
valgrind=("$@")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
shim=$build/vmpkram-qemu
failures=0

ok() {	# ok PASS DESCRIPTION
	if [ "$1" = 0 ]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
		failures=$((failures + 1))
	fi
}

skip() {
	echo "ok - $1 # SKIP $2"
}

if ! command -v qemu-system-x86_64 >/dev/null; then
	skip "vmpkram-qemu with QEMU" "qemu-system-x86_64 is not installed (make deps)"
	exit 0
fi

base=/dev/shm
[ -d "$base" ] && [ -w "$base" ] || base=/tmp
T=$(mktemp -d "$base/test-qemu-shim.XXXXXX")
DIR=$T/pool
export VMPKRAM_QEMU_RUN_DIR=$T/run
export VMPKRAMCTL=$here/fake-vmpkramctl FAKE_CTL_DIR=$T/ctl
mkdir -p "$DIR" "$FAKE_CTL_DIR"
OUT=$T/out ERR=$T/err

cleanup() {
	local p
	for p in "$VMPKRAM_QEMU_RUN_DIR"/*/pid; do
		[ -e "$p" ] || continue
		kill -CONT "$(cat "$p")" 2>/dev/null
		kill -KILL "$(cat "$p")" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

# The firmware: cli; ds = 0x1000; inc word [4]; xor eax, eax;
# loop: inc eax; mov [0], eax; jmp loop.  Reset vector: jmp f000:0000.
BIOS=$T/counter.bin
{
	printf '\xfa\xb8\x00\x10\x8e\xd8\xff\x06\x04\x00\x66\x31\xc0\x66\x40\x66\xa3\x00\x00\xeb\xf8'
	head -c $((0xfff0 - 21)) /dev/zero
	printf '\xea\x00\x00\x00\xf0'
	head -c 11 /dev/zero
} >"$BIOS"
QARGS=(-machine q35,accel=tcg -display none -nodefaults -no-user-config -bios "$BIOS")

# vq ARGS...: vmpkram-qemu under valgrind; status in $rc, output in $OUT
# and $ERR.  Valgrind's own errors (exit 99) fail a test of their own.
vq() {
	"${valgrind[@]}" "$shim" "$@" >"$OUT" 2>"$ERR"
	rc=$?
	if [ "$rc" = 99 ]; then
		ok 1 "valgrind is clean in: vmpkram-qemu $*"
		sed 's/^/# /' "$ERR"
	fi
}

# expect STATUS TEXT DESCRIPTION: the last vq exited STATUS and said TEXT
# (on stdout or stderr).
expect() {
	local pass=1
	if [ "$rc" = "$1" ] && grep -qF -- "$2" "$OUT" "$ERR"; then
		pass=0
	else
		echo "# exit status $rc, expected $1; looked for: $2"
		sed 's/^/# out: /' "$OUT"
		sed 's/^/# err: /' "$ERR"
	fi
	ok $pass "$3"
}

counter() {	# counter NAME: the guest's counter
	od -An -tu4 -j 65536 -N4 "$DIR/$1" | tr -d ' '
}

boots() {	# boots NAME: how often the firmware started
	od -An -tu2 -j 65540 -N2 "$DIR/$1" | tr -d ' '
}

state_of() {	# state_of NAME: its state in status
	"$shim" status | awk -v n="$1" '$1 == n { print $2 }'
}

run_state() {	# run_state NAME: QEMU's run state
	"$shim" qmp "$1" query-status 2>/dev/null |
		sed -n 's/.*"status": "\([a-z-]*\)".*/\1/p'
}

# waits until the counter of NAME moved past $2
wait_counter() {
	local i
	for i in $(seq 300); do	# 30 s: TCG on a loaded host
		[ "$(counter "$1")" -gt "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# ------------------------------------------------------------- launch

vq launch bad --mem 64M --dir "$DIR" -- -object \
	memory-backend-file,id=m,mem-path="$DIR/bad",share=off,size=64M \
	-machine q35,memory-backend=m
expect 2 "without share=on" "launch refuses a RAM backend with share=off (exit 2)"
ok $([ ! -e "$DIR/bad" ] && [ ! -e "$DIR/bad.manifest" ]; echo $?) \
	"... and leaves no file behind"
vq launch bad --mem 64M --dir "$DIR" -- -m 128M
expect 2 "the sizes must match" "launch refuses -m that differs from --mem"
vq launch bad --mem 64M --dir "$DIR" -- -cpu host
expect 2 "--allow-cpu-host" "launch refuses -cpu host without --allow-cpu-host"
vq launch bad --mem 64M --dir "$DIR" -- -incoming defer
expect 2 "-incoming is refused" "launch refuses -incoming"
vq launch 'b a d' --mem 64M --dir "$DIR"
expect 2 "not a guest name" "launch refuses a name with spaces"
vq launch bad --mem 64M --dir "$DIR" -- -machine nosuch-machine
expect 2 "no machine type 'nosuch-machine'" "launch refuses an unknown machine type"
vq launch bad --mem 64M --dir "$DIR" --qemu /bin/false -- -machine q35
expect 1 "-machine help" "launch with a QEMU that fails is an error"

vq launch vm1 --mem 64M --dir "$DIR" --state-size 4M -- "${QARGS[@]}"
expect 0 "launched vm1" "launch vm1 (64 MiB of RAM in a file, TCG)"
ok $([ "$(stat -c %s "$DIR/vm1")" = 67108864 ] &&
     [ "$(stat -c %s "$DIR/vm1.state")" = 4194304 ]; echo $?) \
	"RAM and state files are created with their sizes"
ok $(grep -q '"type": "pc-q35-[0-9.]*"' "$DIR/vm1.manifest" &&
     grep -q '"requested": "q35"' "$DIR/vm1.manifest"; echo $?) \
	"the manifest records q35 resolved to its versioned machine type"
ok $(wait_counter vm1 0; echo $?) "the guest runs (its counter moves)"
vq launch vm1 --mem 64M --dir "$DIR" -- "${QARGS[@]}"
expect 1 "is running" "a second launch of a running guest is refused"
ok $([ "$(state_of vm1)" = running ]; echo $?) "status: vm1 running"

# -------------------------------------------------------- save, resume

vq save vm1
expect 0 "saved vm1" "save vm1"
ok $([ "$(state_of vm1)" = saved ] && [ "$(run_state vm1)" = "" ]; echo $?) \
	"status: vm1 saved, its QEMU gone"
c_saved=$(counter vm1)
sleep 0.2
ok $([ "$(counter vm1)" = "$c_saved" ]; echo $?) "the counter stands still while saved"
vq resume vm1
expect 0 "resumed vm1: downtime" "resume vm1 reports its downtime"
ok $(wait_counter vm1 "$c_saved"; echo $?) \
	"after resume the counter goes on from where it stood ($c_saved)"
ok $([ "$(boots vm1)" = 1 ]; echo $?) "the guest did not boot again"
ok $([ "$(state_of vm1)" = resumed ] && [ "$(run_state vm1)" = running ]; echo $?) \
	"status: vm1 resumed, QEMU running"
vq resume vm1
expect 1 "not saved: it is running" "resuming twice is refused"
vq --json status
ok $([ "$rc" = 0 ] && grep -q '"downtime_ns": [0-9]' "$OUT" &&
     grep -q '"state_size": [1-9]' "$OUT"; echo $?) \
	"status --json: downtime and device state size"

# --------------------------------------------- resume refusals, untouched

vq save vm1
expect 0 "saved vm1" "save vm1 again"
cp "$DIR/vm1.state" "$T/state.good"
cp "$DIR/vm1.manifest" "$T/manifest.good"
sum_ram=$(md5sum <"$DIR/vm1")

refused() {	# refused TEXT DESCRIPTION: resume fails, nothing changed
	vq resume vm1
	expect 1 "$1" "$2"
	ok $([ "$(state_of vm1)" = saved ] && [ "$(md5sum <"$DIR/vm1")" = "$sum_ram" ] &&
	     cmp -s "$DIR/vm1.manifest" "$T/manifest.good" &&
	     [ "$(run_state vm1)" = "" ]; echo $?) \
		"... RAM, manifest untouched, no QEMU left"
}

printf '\x00' | dd of="$DIR/vm1.state" bs=1 seek=5000 conv=notrunc 2>/dev/null
refused "foreign or damaged" "resume refuses a damaged state file"
cp "$T/state.good" "$DIR/vm1.state"
truncate -s 1000 "$DIR/vm1.state"
refused "is truncated" "resume refuses a truncated state file"
rm "$DIR/vm1.state"
refused "No such file" "resume refuses a missing state file"
head -c 4194304 /dev/urandom >"$DIR/vm1.state"
refused "not hold a QEMU migration stream" "resume refuses a foreign state file"
cp "$T/state.good" "$DIR/vm1.state"
ver=$(sed -n 's/.*"version": "\([0-9]*\.[0-9]*\.\)\([0-9]*\)".*/\1\2/p' "$DIR/vm1.manifest")
sed -i "s/\"version\": \"$ver\"/\"version\": \"${ver%.*}.99\"/" "$DIR/vm1.manifest"
cp "$DIR/vm1.manifest" "$T/manifest.good"
refused "the guest was saved by ${ver%.*}.99" "resume refuses another QEMU version"
cp "$T/manifest.good" "$DIR/vm1.manifest"
sed -i "s/\"version\": \"${ver%.*}.99\"/\"version\": \"$ver\"/" "$DIR/vm1.manifest"
machine=$(sed -n 's/.*"type": "\(pc-q35-[0-9.]*\)".*/\1/p' "$DIR/vm1.manifest")
sed -i "s/\"type\": \"$machine\"/\"type\": \"pc-q35-0.0\"/" "$DIR/vm1.manifest"
cp "$DIR/vm1.manifest" "$T/manifest.good"
refused "do not name its machine type pc-q35-0.0" "resume refuses a changed machine type"
sed -i "s/\"type\": \"pc-q35-0.0\"/\"type\": \"$machine\"/" "$DIR/vm1.manifest"
vq resume vm1
expect 0 "resumed vm1" "with the files restored, resume works"
ok $([ "$(boots vm1)" = 1 ]; echo $?) "... and the guest still never booted again"

# ------------------------------------------------------------- update

export VMPKRAM_QEMU_ALLOW_VOLATILE=1
vq launch vm2 --mem 32M --dir "$DIR" --state-size 4M -- "${QARGS[@]}"
expect 0 "launched vm2" "launch vm2"
wait_counter vm2 0

vq update --kernel /boot/vmlinuz-fake --append "x=1" --no-exec
expect 0 "2 guests saved" "update --no-exec saves both guests"
ok $(grep -qx -- '--json kexec load --kernel /boot/vmlinuz-fake --append x=1' "$FAKE_CTL_DIR/log"; echo $?) \
	"update ran 'vmpkramctl --json kexec load' with the kernel and --append"
ok $([ "$(state_of vm1)" = saved ] && [ "$(state_of vm2)" = saved ]; echo $?) \
	"both guests saved, their QEMUs gone"
c1=$(counter vm1) c2=$(counter vm2)
vq resume --all
expect 0 "resumed vm2" "resume --all brings both back"
ok $(wait_counter vm1 "$c1" && wait_counter vm2 "$c2" &&
     [ "$(boots vm1)" = 1 ] && [ "$(boots vm2)" = 1 ]; echo $?) \
	"both continue where they stood, neither booted again"

: >"$FAKE_CTL_DIR/log"
touch "$FAKE_CTL_DIR/fail-load"
vq update --kernel /boot/vmlinuz-fake
expect 1 "no guest was stopped" "a failed kexec load: update fails before any stop"
rm "$FAKE_CTL_DIR/fail-load"
ok $([ "$(run_state vm1)" = running ] && [ "$(run_state vm2)" = running ] &&
     ! grep -q unload "$FAKE_CTL_DIR/log"; echo $?) \
	"... both guests run, nothing to unload"

: >"$FAKE_CTL_DIR/log"
cp "$DIR/vm2.state" "$T/state2.good"
truncate -s 64K "$DIR/vm2.state"
vq update --kernel /boot/vmlinuz-fake
expect 3 "nothing was lost" "a save that fails (state file too small) rolls back: exit 3"
ok $(grep -q "larger than its state file" "$ERR" &&
     grep -qx -- '--json kexec unload' "$FAKE_CTL_DIR/log"; echo $?) \
	"... says why, and unloads the kernel"
ok $([ "$(run_state vm1)" = running ] && [ "$(run_state vm2)" = running ] &&
     [ "$(state_of vm1)" = resumed ] && [ "$(state_of vm2)" = resumed ]; echo $?) \
	"... both guests run again and are not marked saved"
cp "$T/state2.good" "$DIR/vm2.state"

: >"$FAKE_CTL_DIR/log"
cat "$VMPKRAM_QEMU_RUN_DIR/vm2/pid" >"$FAKE_CTL_DIR/stop-pid"
vq --timeout 2 update --kernel /boot/vmlinuz-fake
expect 4 "did not answer 'cont'" "QMP not answering during update: rollback, exit 4 names the guest"
rm "$FAKE_CTL_DIR/stop-pid"
ok $([ "$(run_state vm1)" = running ] &&
     grep -qx -- '--json kexec unload' "$FAKE_CTL_DIR/log"; echo $?) \
	"... the other guest runs again, the kernel is unloaded"
kill -CONT "$(cat "$VMPKRAM_QEMU_RUN_DIR/vm2/pid")"
sleep 0.3
c2=$(counter vm2)
ok $([ "$(run_state vm2)" = running ] && wait_counter vm2 "$c2" &&
     [ "$(state_of vm2)" = resumed ]; echo $?) \
	"... and the silent one continues once it runs again: no guest lost"

: >"$FAKE_CTL_DIR/log"
vq update --kernel /boot/vmlinuz-fake
expect 4 "kexec exec: fake" "a failed jump: exit 4, the guests are saved"
ok $(grep -qx -- '--json kexec exec' "$FAKE_CTL_DIR/log" &&
     [ "$(state_of vm1)" = saved ] && [ "$(state_of vm2)" = saved ]; echo $?) \
	"... after kexec exec was tried"
vq resume vm1 vm2
expect 0 "resumed vm1" "resume by name brings them back"
unset VMPKRAM_QEMU_ALLOW_VOLATILE
vq update --kernel /boot/vmlinuz-fake
expect 1 "would not survive the kexec" "update refuses guests whose RAM is not in a pool"

# ------------------------------------------------------- QEMU 10 (8.2+)

q10=$top/build/qemu-10/bin/qemu-system-x86_64
if [ -x "$q10" ]; then
	vq launch new --mem 32M --dir "$DIR" --state-size 4M --qemu "$q10" -- "${QARGS[@]}"
	expect 0 "save method: cpr-reboot" "QEMU 10: launch detects mode=cpr-reboot"
	wait_counter new 0
	vq save new
	expect 0 "saved new" "QEMU 10: save (cpr-reboot, x-ignore-shared, fd: through a pipe)"
	c=$(counter new)
	vq resume new
	expect 0 "resumed new" "QEMU 10: resume"
	ok $(wait_counter new "$c" && [ "$(boots new)" = 1 ]; echo $?) \
		"QEMU 10: the guest continues, no second boot"
	vq qmp new query-migrate-parameters
	ok $(grep -q '"mode": "normal"' "$OUT"; echo $?) \
		"QEMU 10: no cpr-reboot mode left set after resume"
else
	skip "QEMU 10 save and resume (cpr-reboot)" "no build/qemu-10 (tools/qemu-10.sh)"
fi

exit $((failures > 0))
