#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmpkramctl against the real pools: pool status (text and JSON), status
# with its pool lines and fault counters, format (refused while mounted),
# ls --extents of files made in a mounted vmpkramfs, seal (EROFS on
# create, the command line for the next kernel, events) and unseal,
# detach and attach at run time (metadata adopted, files intact) with
# the attach refusals, pool check and repair of a ready pool (nothing to
# do), what an unprivileged user is told, and kexec load:
# refused for a missing kernel and for a release without module (until
# --force), a failed load that leaves the pools unsealed, then load and
# unload of the running kernel.
# Never kexec exec.  Needs the "pool" suite's command line (pools "test"
# 512M@0x40000000 and "small" 64M@0x60000000).  Prints TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/pool_lib.sh"

MNT=/tmp/pool_cli.mnt
OUT=/tmp/pool_cli.out
ERR=/tmp/pool_cli.err
SMALL=64M@0x60000000

echo "TAP version 13"
if ! grep -q 'vmpkram.pool=.*small:64M@0x60000000' /proc/cmdline; then
	echo "1..0 # SKIP needs the pool suite's vmpkram.pool= and memmap="
	exit 4
fi
mkdir -p "$MNT"
trap 'umount "$MNT" 2>/dev/null; vmpkramctl pool unseal >/dev/null 2>&1' EXIT

# run CMD...: runs vmpkramctl, output in $OUT and $ERR, status in $rc.
run() {
	vmpkramctl "$@" >"$OUT" 2>"$ERR"
	rc=$?
}

# fails STATUS TEXT CMD...: exit status STATUS and TEXT on stderr.
fails() {
	want=$1 text=$2
	shift 2
	run "$@"
	[ "$rc" -eq "$want" ] && grep -q -- "$text" "$ERR"
}

state_is() {	# state_is POOL STATE
	[ "$(pool_state "$1")" = "$2" ]
}

# ------------------------------------------------------------- status

check "pool status lists both pools" sh -c \
	"vmpkramctl pool status >$OUT && grep -q '^pool test: ' $OUT &&
	 grep -q '^pool small: ' $OUT && grep -q 'base: 0x60000000' $OUT &&
	 grep -q 'size: 64 MiB' $OUT"
vmpkramctl --json pool status test >"$OUT"
check "--json pool status test: name" json_is pools.0.name test <"$OUT"
check "... base 0x40000000" json_is pools.0.base 1073741824 <"$OUT"
check "... size 512 MiB" json_is pools.0.size 536870912 <"$OUT"
check "... one pool" json_is pools.# 1 <"$OUT"
check "pool status of an unknown pool fails naming it" \
	fails 1 "no pool" pool status nosuchpool
check "status shows a line per pool" sh -c \
	"vmpkramctl status >$OUT && grep -q 'pools: 2' $OUT &&
	 grep -q '    small: ' $OUT"
vmpkramctl --json status >/tmp/pool_cli.status
check "--json status lists the pools" \
	json_is pools.name=small.size 67108864 </tmp/pool_cli.status
check "status shows the fault counters" sh -c \
	"vmpkramctl status >$OUT &&
	 grep -Eq '^  faults: [0-9]+ of 4 KiB, [0-9]+ of 2 MiB, [0-9]+ of 1 GiB( \\(no 1 GiB entries with this kernel\\))?\$' $OUT"
# The kernel decides (compat-probe.sh): the feature and the note agree.
check "status says whether this kernel takes 1 GiB entries" sh -c \
	"vmpkramctl status >$OUT &&
	 if grep -q 'features: .*map-1g' $OUT; then ! grep -q 'no 1 GiB' $OUT;
	 else grep -q 'no 1 GiB entries with this kernel' $OUT; fi"
check "--json status has the fault counters" sh -c \
	"[ \$(vmpkram_json faults.pte faults.pmd faults.pud </tmp/pool_cli.status |
	      grep -Ecx '[0-9]+') -eq 3 ]"
check "an unprivileged user is told about CAP_SYS_ADMIN" sh -c \
	"! su -s /bin/sh vmpkuser -c 'vmpkramctl pool status' 2>$ERR &&
	 grep -q CAP_SYS_ADMIN $ERR"
su -s /bin/sh vmpkuser -c 'vmpkramctl --json status' >"$OUT"
check "--json status as an unprivileged user: pools null" json_is pools null <"$OUT"
check "... jobs null" json_is jobs null <"$OUT"
check "... the pool count all the same" json_is nr_pools 2 <"$OUT"

# ------------------------------------------------- check and repair

check "pool check test: each check of both slots, nothing to repair" sh -c \
	"vmpkramctl pool check test >$OUT &&
	 [ \$(grep -c '^slot [01]: complete, generation' $OUT) = 2 ] &&
	 [ \$(grep -Ec '^  .* ok\$' $OUT) = 22 ] &&
	 grep -q '^repair: nothing to repair: the pool is ready' $OUT"
# Values, not text: the JSON is indented only on a terminal.
check_json() {
	local s i

	vmpkramctl --json pool check test >"$OUT" &&
		json_is repair.action none <"$OUT" &&
		json_is repair.slot null <"$OUT" || return 1
	for s in 0 1; do
		json_is "slots.$s.status" complete <"$OUT" &&
			json_is "slots.$s.checks.#" 11 <"$OUT" || return 1
		for i in 0 1 2 3 4 5 6 7 8 9 10; do
			json_is "slots.$s.checks.$i.result" ok <"$OUT" || return 1
		done
	done
}
check "--json pool check test: two complete slots, action none" check_json
check "pool check needs a pool name" fails 2 "no pool name" pool check
check "pool check of an unknown pool fails naming it" \
	fails 1 "no pool" pool check nosuchpool
repair_noop() {
	gen=$(pool_get test generation)
	vmpkramctl pool repair test </dev/null >"$OUT" &&
		grep -q 'nothing to repair' "$OUT" &&
		[ "$(pool_get test generation)" = "$gen" ]
}
check "pool repair of a ready pool: nothing to repair, nothing written" repair_noop
check "an unprivileged pool check is told about CAP_SYS_ADMIN" sh -c \
	"! su -s /bin/sh vmpkuser -c 'vmpkramctl pool check test' 2>$ERR &&
	 grep -q CAP_SYS_ADMIN $ERR"

# ------------------------------------------------------------- format

run pool format small
check "format without --yes and nobody to ask is refused" sh -c \
	"[ $rc -eq 2 ] && grep -q 'pass --yes' $ERR"
check "... nothing changed" state_is small UNFORMATTED
run --json pool format small
check "--json format without --yes is refused too" \
	[ "$rc" -eq 2 ]
run pool format small --yes
check "format small --yes" [ "$rc" -eq 0 ]
check "... says what it destroyed" grep -q "^pool small formatted: destroyed" "$OUT"
check "... the pool is ready" state_is small READY
pool_json small >"$OUT"
check "... with a UUID" json_match pools.0.uuid '^[0-9a-f]{8}-[0-9a-f]{4}-' <"$OUT"
gen0=$(pool_get small generation)

check "mount small" mount -t vmpkramfs -o pool=small none "$MNT"
check "mountinfo names the pool (pool=small), default owner and mode not shown" \
	grep -q " $MNT .* - vmpkramfs none rw,pool=small\$" /proc/self/mountinfo
dd if=/dev/urandom of="$MNT/ram" bs=1M count=5 2>/dev/null
printf 'device state' >"$MNT/state"
chmod 600 "$MNT/state"
chown 1000:1000 "$MNT/ram"
md5sum "$MNT/ram" "$MNT/state" | sed 's/ .*//' >/tmp/pool_cli.sums

check "format refused while mounted (EBUSY, says unmount)" \
	fails 1 "unmount" pool format small --yes
check "detach refused while mounted" fails 1 "unmount" pool detach small
check "unload refused while mounted, naming the mount" \
	fails 1 "vmpkramfs is mounted on $MNT (unmount it" unload
check "... the module stays" module_loaded

# ----------------------------------------------------------------- ls

run ls small --extents
check "ls small lists the files" sh -c \
	"[ $rc -eq 0 ] && grep -q '^pool small: 2 files' $OUT &&
	 grep -Eq ' -rw-------  *root  *root  *12 .* state\$' $OUT &&
	 grep -Eq ' vmpkuser  *vmpkuser  *5242880 .* ram\$' $OUT"
check "ls --extents: the first extents lie in the pool's range" sh -c \
	"grep -Eq 'offset 0x0: [0-9]+ MiB at 0x6[0-3][0-9a-f]{6}\$' $OUT"
vmpkramctl --json ls small --extents >"$OUT"
check "--json ls: the first extent at offset 0" \
	json_is pools.0.files.name=ram.extents.0.offset 0 <"$OUT"
check "... in the pool (0x60000000..0x64000000)" sh -c \
	"phys=\$(vmpkram_json pools.0.files.name=ram.extents.0.phys <$OUT) &&
	 [ \$phys -ge 1610612736 ] && [ \$phys -lt 1677721600 ]"
check "... with a length" json_match pools.0.files.name=ram.extents.0.len '^[1-9][0-9]*$' <"$OUT"
check "... and the mode as text" json_is pools.0.files.name=state.mode_text -rw------- <"$OUT"
check "ls of every pool includes test" sh -c \
	"vmpkramctl ls >$OUT && grep -q '^pool test: ' $OUT"

# --------------------------------------------------------- seal, events

vmpkramctl --json monitor --count 2 --timeout 30 >/tmp/pool_cli.events &
mon=$!
sleep 1
run pool seal small
check "seal small prints its parameters" \
	[ "$rc" -eq 0 -a "$(cat "$OUT")" = 'memmap=64M$0x60000000 vmpkram.pool=small:64M@0x60000000' ]
check "... the pool is sealed" state_is small SEALED
check "... creating a file fails with EROFS" sh -c \
	"! touch $MNT/new 2>$ERR && grep -qi 'read-only' $ERR"
check "... file contents stay writable" sh -c \
	"printf x | dd of=$MNT/state bs=1 seek=0 conv=notrunc 2>/dev/null"
printf 'd' | dd of="$MNT/state" bs=1 seek=0 conv=notrunc 2>/dev/null
check "unseal small" vmpkramctl pool unseal small
check "... creating a file works again" touch "$MNT/new"
rm -f "$MNT/new"
wait $mon
sed -n 1p /tmp/pool_cli.events >/tmp/pool_cli.events.1
sed -n 2p /tmp/pool_cli.events >/tmp/pool_cli.events.2
check "monitor saw the seal and the unseal, one object a line" sh -c \
	"[ \"\$(vmpkram_json pool_event </tmp/pool_cli.events.1)\" = sealed ] &&
	 [ \"\$(vmpkram_json pool_event </tmp/pool_cli.events.2)\" = unsealed ]" ||
	sed 's/^/# /' /tmp/pool_cli.events

run pool seal
check "seal of every pool: one vmpkram.pool= naming both" sh -c \
	"[ $rc -eq 0 ] && [ \$(grep -o 'vmpkram.pool=' $OUT | wc -l) -eq 1 ] &&
	 grep -q 'test:512M@0x40000000' $OUT && grep -q 'small:64M@0x60000000' $OUT &&
	 grep -qF 'memmap=512M\$0x40000000' $OUT"
vmpkramctl --json pool unseal >"$OUT"
check "--json unseal of every pool" json_is sealed false <"$OUT"
check "... small is ready again" state_is small READY

# ------------------------------------------------------- detach, attach

umount "$MNT"
check "detach small" vmpkramctl pool detach small
check "... it is gone" fails 1 "no pool" pool status small
check "... status counts one pool" sh -c \
	"vmpkramctl status | grep -q 'pools: 1'"
run pool attach small "$SMALL"
check "attach small again" [ "$rc" -eq 0 ]
check "... its metadata is adopted: ready, clean" sh -c \
	"grep -q '^pool small: ready' $OUT && grep -q 'clean: yes' $OUT"
check "... the generation advanced" \
	[ "$(pool_get small generation)" -gt "$gen0" ]
check "... the files are intact" sh -c \
	"mount -t vmpkramfs -o pool=small none $MNT &&
	 md5sum $MNT/ram $MNT/state | sed 's/ .*//' | cmp -s - /tmp/pool_cli.sums"
umount "$MNT"
check "attach of an attached pool: EEXIST" \
	fails 1 "exists" pool attach small "$SMALL"
check "attach over another pool: EBUSY, says why" \
	fails 1 "range overlaps another pool" pool attach other "$SMALL"
check "... on one line" [ "$(wc -l <"$ERR")" -eq 1 ]
vmpkramctl --json pool attach other "$SMALL" >"$OUT"
check "... with --json: errno EBUSY" json_is error.errno 16 <"$OUT"
check "attach of System RAM: says memmap=" \
	fails 1 "memmap=" pool attach ram 64M@0x80000000
check "attach of a misaligned range is a usage error" \
	fails 2 "multiples of 2M" pool attach x 64M@0x60100000

# -------------------------------------------------------------- kexec

rel=$(uname -r)
image=/boot/vmlinuz-$rel

check "kexec load of a missing kernel" \
	fails 1 "No such file" kexec load --kernel /boot/vmlinuz-none

# A copy of the image claiming release 9.x, which has no module here.
cp "$image" /tmp/vmlinuz-other
ver=$(od -An -tu2 -j526 -N2 /tmp/vmlinuz-other | tr -d ' ')
printf 9 | dd of=/tmp/vmlinuz-other bs=1 seek=$((ver + 512)) conv=notrunc 2>/dev/null
other=9${rel#?}
check "kexec load of a release without module is refused" \
	fails 1 "kexec load: kernel $other: no /lib/modules/$other for kernel $other" \
	kexec load --kernel /tmp/vmlinuz-other
check "... saying how to install it" grep -q "make dkms-install" "$ERR"
check "... nothing sealed" state_is small READY
check "... nothing loaded" [ "$(cat /sys/kernel/kexec_loaded)" = 0 ]

# A truncated image passes the header checks; the kernel refuses it after
# the seal, which must be undone.
sects=$(od -An -tu1 -j497 -N1 "$image" | tr -d ' ')
head -c $(((sects + 1) * 512 - 64)) "$image" >/tmp/vmlinuz-cut
check "a kexec load the kernel refuses fails with its errno" \
	fails 1 "kexec_file_load /tmp/vmlinuz-cut: Exec format error" \
	kexec load --kernel /tmp/vmlinuz-cut
check "... and unseals the pools again" state_is small READY
rm -f /tmp/vmlinuz-cut

run --json kexec load --kernel "$image"
vmpkram_json cmdline <"$OUT" >"$OUT.1"
check "kexec load of the running kernel" [ "$rc" -eq 0 ]
check "... it is loaded" [ "$(cat /sys/kernel/kexec_loaded)" = 1 ]
check "... the pools are sealed" state_is small SEALED
check "... --json: sealed" json_is sealed true <"$OUT"
check "... the command line keeps the pools" sh -c \
	"grep -qF 'memmap=512M\$0x40000000' $OUT.1 &&
	 grep -qF 'memmap=64M\$0x60000000' $OUT.1 &&
	 [ \$(grep -o 'vmpkram.pool=' $OUT.1 | wc -l) -eq 1 ] &&
	 grep -q 'small:64M@0x60000000' $OUT.1 && ! grep -q BOOT_IMAGE $OUT.1"
check "... and names the module" \
	json_is module "/lib/modules/$rel/extra/vmpkram.ko" <"$OUT"
check "... and the pools it carries" json_is pools '["test","small"]' <"$OUT"
check "... recorded for kexec exec" [ -s /run/vmpkramctl/kexec.json ]

# A pool detached (or attached) after the load is not what the loaded
# command line says: exec must refuse before it boots anything.
check "detach small after the load" vmpkramctl pool detach small
check "kexec exec refuses: small was detached after the load" \
	fails 1 "pool small was detached after kexec load" kexec exec
check "attach small again" sh -c "vmpkramctl pool attach small $SMALL >/dev/null"
mv /run/vmpkramctl/kexec.json /tmp/kexec.json
check "kexec exec refuses a kernel it has no record of while pools are attached" \
	fails 1 "not loaded by vmpkramctl kexec load" kexec exec
mv /tmp/kexec.json /run/vmpkramctl/kexec.json

check "kexec unload" vmpkramctl kexec unload
check "... nothing is loaded" [ "$(cat /sys/kernel/kexec_loaded)" = 0 ]
check "... the record is gone" [ ! -e /run/vmpkramctl/kexec.json ]
check "... the pools are unsealed" state_is test READY

run kexec load --kernel /tmp/vmlinuz-other --force --append vmpkram_cli=1
check "kexec load --force of a release without module" [ "$rc" -eq 0 ]
check "... warns about the module" grep -q "warning: .*make dkms-install" "$ERR"
check "... appends --append" grep -q "command line: .*vmpkram_cli=1\$" "$OUT"
vmpkramctl kexec unload
rm -f /tmp/vmlinuz-other

if [ "$(cat /sys/kernel/kexec_loaded)" = 0 ]; then
	check "kexec exec without a loaded kernel is refused" \
		fails 1 "no kernel is loaded" kexec exec
else
	not_ok "kexec exec without a loaded kernel is refused (a kernel is loaded)"
fi

tap_done
