#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Damaged pool metadata is refused, never repaired or formatted
# implicitly; "pool check" reads it without writing, "pool repair" repairs
# what it can and refuses the rest.
#
# Pool "small" (64M@0x60000000, suite pool) is formatted and given a few
# patterned files, and the module is unloaded.  The whole pool, metadata
# and data, is copied (metadata rebased) to eight 64 MiB ranges inside
# pool "test"'s memmap= range, which this test uses as scratch space
# (pool test is formatted again at the end, empty).  Then, in batches of
# eight, with the module unloaded: each copy's metadata is restored and
# damaged through /dev/mem by one case of vmpkram_pool_corrupt
# (superblock, file table and block map of the current and the other
# slot: bit flips, out-of-range lengths, wrong geometry, foreign magic,
# wiped slots, interrupted commits) or by a seeded random bit flip, and
# the module is loaded with the eight copies as pools.  For each one:
#   - the state: DAMAGED with a reason (UNFORMATTED for wiped magic),
#     the reason also in the kernel log; mounting fails with EUCLEAN;
#   - "pool check" plans the repair the case expects (adopt the current
#     or the other slot, salvage, refuse, nothing);
#   - after unloading, its metadata bytes are exactly the damaged ones
#     (nothing repaired or formatted, not even by the check) and its data
#     blocks hash as before (nothing scrubbed or overwritten);
#   - no kernel oops or warning.
# Then the batch is loaded again and each pool repaired ("pool repair
# --yes"): refused ones stay as they are (checked through /dev/mem after
# unloading, as above), the others become READY with the file set the
# plan names (the current or the other slot's, or what a salvage keeps),
# their files' contents intact, both slots complete; loaded a third time
# they are adopted with the same files.
# Interrupted commits must be rolled back: READY with the file set of
# the previous generation (the done bit alone cleared on a complete slot
# is harmless: READY).  Then pool "small" itself: a pool= size or address
# that disagrees with its metadata is refused the same way (a relocated,
# rebased copy at its own size is the positive control), and at the end
# its metadata adopts fine with every file intact.  Last, a layout 1 pool
# (pool small's metadata rewritten as a version 1 module writes it) is
# adopted with its files and stays layout 1 through commits and a reload.
#
# The seed is printed; POOL_CORRUPT_SEED=N replays it.
# POOL_CORRUPT_RANDOM=N random bit flips (default 8);
# POOL_CORRUPT_CASES="NAME..." only those cases (see
# "vmpkram_pool_corrupt cases").  Prints TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/pool_lib.sh"

BASE=0x60000000
PARAM=small:64M@0x60000000
SCRATCH=0x40000000		# pool test's memmap= range
COPY_SIZE=0x4000000		# 64 MiB, the size of pool small
COPIES=8
W=/tmp/pool_corrupt
MNT=$W/mnt
T=vmpkram_pool_corrupt
P=vmpkram_pool_pattern
SEED=${POOL_CORRUPT_SEED:-$(( $(date +%s) % 1000000 ))}
NRANDOM=${POOL_CORRUPT_RANDOM:-8}

echo "TAP version 13"
if ! grep -q 'memmap=64M\$0x60000000' /proc/cmdline ||
   ! grep -q 'memmap=512M\$0x40000000' /proc/cmdline; then
	echo "1..0 # SKIP needs the memmap= of suite pool"
	exit 4
fi
echo "# seed $SEED (POOL_CORRUPT_SEED=$SEED replays it)"
rm -rf "$W"
mkdir -p "$MNT"

# name size seed how: the files of the pool, their sizes and patterns.
cat >"$W/files" <<EOF
guest 4194304 $((SEED + 1)) mmap
state 1 $((SEED + 2)) write
odd 3145733 $((SEED + 3)) write
owned 5242880 $((SEED + 4)) write
renamed 1048576 $((SEED + 5)) write
empty 0 $((SEED + 6)) write
EOF

populate() {
	while read -r name size seed how; do
		$P fill "--$how" "$MNT/$name" "$size" "$seed" || return 1
	done <"$W/files"
	chmod 600 "$MNT/owned" && chown 1000:1000 "$MNT/owned" &&
		mv "$MNT/renamed" "$MNT/before-rename" &&
		mv "$MNT/before-rename" "$MNT/renamed"
}

verify_files() {
	[ "$(ls "$MNT" | sort | tr '\n' ' ')" = "$(awk '{ print $1 }' "$W/files" | sort | tr '\n' ' ')" ] ||
		return 1
	while read -r name size seed how; do
		$P verify --read "$MNT/$name" "$size" "$seed" || return 1
	done <"$W/files"
	[ "$(stat -c '%a %u %g' "$MNT/owned")" = "600 1000 1000" ]
}

# copy_base K: where copy K of pool small lives.
copy_base() {
	printf '0x%x' $((SCRATCH + $1 * COPY_SIZE))
}

setup() {
	unload_module && modprobe vmpkram "pool=$PARAM" &&
		vmpkramctl pool format small --yes >/dev/null &&
		mount -t vmpkramfs -o pool=small none "$MNT" && populate &&
		umount "$MNT" && unload_module || return 1
	$T save $BASE "$W/orig.meta" && $T info $BASE >"$W/info" &&
		$T files $BASE cur >"$W/files.cur" &&
		$T files $BASE old >"$W/files.old" || return 1
	read -r META_LEN DATA_LEN <<-EOF
		$($T geometry $BASE)
	EOF
	GEN=$(sed -n 's/.*generation \([0-9]*\),.*(current)$/\1/p' "$W/info")
	CUR_SLOT=$(sed -n 's/^slot \([01]\): .*(current)$/\1/p' "$W/info")
	DATA_HASH=$($T hash $((BASE + META_LEN)) "$DATA_LEN")
	sed -n 's/^slot/# slot/p' "$W/info"
	[ -n "$GEN" ] && [ -n "$CUR_SLOT" ] && [ -n "$DATA_HASH" ] || return 1
	k=0
	while [ $k -lt $COPIES ]; do
		at=$(copy_base $k)
		$T copy $BASE "$at" $COPY_SIZE rebase &&
			$T save "$at" "$W/copy$k.meta" &&
			[ "$($T hash $((at + META_LEN)) "$DATA_LEN")" = "$DATA_HASH" ] ||
			return 1
		k=$((k + 1))
	done
}

if ! setup; then
	not_ok "setup: pool small formatted, files written, module unloaded, $COPIES copies made"
	tap_done
	exit 1
fi
ok "setup: $(wc -l <"$W/files") files in pool small (generation $GEN), $COPIES copies of it at $SCRATCH"

# same_files FILE: the mounted pool holds exactly the names in FILE.
same_files() {
	[ "$(ls "$MNT" | sort)" = "$(cat "$1")" ]
}

# judge_pool NAME EXPECT JSON LOG: with the module loaded, adds to $why
# what pool NAME does not do as EXPECT says (damaged, unformatted,
# refused, ready cur|old|any), and sets $seen and $state.
judge_pool() {
	state=$(echo "$3" | json_get state | tr '[:lower:]' '[:upper:]')
	reason=$(echo "$3" | json_get state_reason)
	seen="${state:-no pool $1}${reason:+ ($reason)}"
	case $2 in
	damaged) [ "$state" = DAMAGED ] || { why="$why; expected DAMAGED"; return; } ;;
	unformatted) [ "$state" = UNFORMATTED ] || { why="$why; expected UNFORMATTED"; return; } ;;
	refused)
		case $state in
		DAMAGED|UNFORMATTED) ;;
		*) why="$why; expected DAMAGED or UNFORMATTED"; return ;;
		esac ;;
	ready*)
		if [ "$state" != READY ]; then
			why="$why; expected READY"
			return
		fi
		if ! mount -t vmpkramfs -o pool="$1" none "$MNT"; then
			why="$why; mount failed"
			return
		fi
		case $2 in
		"ready cur") same_files "$W/files.cur" || why="$why; files are not the current slot's: $(ls "$MNT" | tr '\n' ' ')" ;;
		"ready old") same_files "$W/files.old" || why="$why; files are not the previous slot's: $(ls "$MNT" | tr '\n' ' ')" ;;
		*) same_files "$W/files.cur" || same_files "$W/files.old" ||
			why="$why; files are neither slot's: $(ls "$MNT" | tr '\n' ' ')" ;;
		esac
		umount "$MNT"
		return ;;
	esac
	[ -n "$reason" ] || why="$why; no reason given"
	echo "$4" | grep -F "pool $1: " | grep -qF "$reason" ||
		why="$why; the reason is not in the kernel log"
	res=$($T mount "$1" "$MNT")
	[ "$res" = "errno EUCLEAN" ] || why="$why; mount: $res, expected EUCLEAN"
	[ "$res" != mounted ] || umount "$MNT"
}

# plan_of NAME: "STATE ACTION [SLOT] complete N" of pool NAME, as the
# module's POOL_CHECK says (after a batch's "$T check", from its output).
plan_of() {
	if [ -s "$W/check.out" ]; then
		sed -n "s/^$1 //p" "$W/check.out"
	else
		$T check "$1" | sed "s/^$1 //"
	fi
}

# want_plan EXPECT: the "ACTION [SLOT]" pool check must say for EXPECT.
want_plan() {
	case $1 in
	"adopt cur") echo "adopt $CUR_SLOT" ;;
	"adopt old") echo "adopt $((1 - CUR_SLOT))" ;;
	salvage) echo "salvage $CUR_SLOT" ;;
	*) echo "$1" ;;
	esac
}

# judge_check NAME EXPECT: "pool check NAME" plans EXPECT (none, refused,
# adopt cur|old, salvage, any); adds to $why otherwise.
judge_check() {
	plan=$(plan_of "$1")
	got=$(echo "$plan" | sed 's/^[A-Z]* //; s/ complete [0-9]*$//')
	case $2 in
	any) [ -n "$got" ] && [ "${plan#* errno}" = "$plan" ] ||
		why="$why; pool check: $plan" ;;
	*) [ "$got" = "$(want_plan "$2")" ] ||
		why="$why; pool check plans '$plan', expected '$2'" ;;
	esac
}

# verify_kept NAMES: the mounted pool holds exactly NAMES (sorted, one a
# line), and each of them that setup wrote has its contents.
verify_kept() {
	[ "$(ls "$MNT" | sort)" = "$1" ] || {
		echo "files $(ls "$MNT" | tr '\n' ' '), expected $(echo "$1" | tr '\n' ' ')"
		return 1
	}
	while read -r name size seed how; do
		[ -e "$MNT/$name" ] || continue
		$P verify --read "$MNT/$name" "$size" "$seed" >/dev/null ||
			{ echo "$name: contents differ"; return 1; }
	done <"$W/files"
}

# kept_names K: the file names pool cK must have after its repair.
kept_names() {
	case $(sed -n 6p "$W/batch.$1") in
	"adopt cur"|none) cat "$W/files.cur" ;;
	"adopt old") cat "$W/files.old" ;;
	salvage) sed -n 7p "$W/batch.$1" | tr ' ' '\n' | sed '/^$/d' ;;
	esac
}

# judge_repair K: repairs pool cK with "vmpkramctl pool repair --yes";
# adds to $why what is not as planned.
judge_repair() {
	expect=$(sed -n 6p "$W/batch.$1")
	before=$(plan_of "c$1" | cut -d' ' -f1)
	out=$(vmpkramctl pool repair "c$1" --yes 2>&1)
	rc=$?
	after=$(plan_of "c$1")
	seen="$before -> ${after%% *}"
	case $expect in
	refused)
		[ $rc -eq 1 ] && [ "${after%% *}" = "$before" ] ||
			why="$why; expected a refusal (status $rc): $out"
		# The module refuses on its own too, and says so.
		raw=$($T repair "c$1")
		case $raw in
		"errno EUCLEAN: "?*) ;;
		*) why="$why; POOL_REPAIR without the CLI: $raw" ;;
		esac
		return ;;
	none)
		[ $rc -eq 0 ] && [ "${after%% *}" = READY ] ||
			why="$why; expected nothing to do (status $rc): $out"
		return ;;
	esac
	if [ $rc -ne 0 ] || [ "$after" != "READY none complete 2" ]; then
		why="$why; status $rc, then '$after': $out"
		return
	fi
	if ! mount -t vmpkramfs -o pool="c$1" none "$MNT"; then
		why="$why; mount failed"
		return
	fi
	res=$(verify_kept "$(kept_names "$1")") || why="$why; $res"
	ls "$MNT" | sort >"$W/repaired.$1"
	umount "$MNT"
}

# not_forced K: "pool repair cK" without --yes and without a terminal
# is refused and changes nothing.
not_forced() {
	vmpkramctl pool repair "c$1" </dev/null >/dev/null 2>&1
	[ $? -eq 1 ] && [ "$(pool_state "c$1")" = "$(cat "$W/state.$1")" ]
}

repair_batch() {
	rparam=$1
	rranges=$2
	mark="pool_corrupt repair $nbatch"
	kmsg_mark "$mark"
	if ! out=$(modprobe vmpkram "pool=$rparam" 2>&1); then
		not_ok "repair batch $nbatch: modprobe: $out"
		return
	fi
	if [ -z "${FORCED_DONE:-}" ]; then
		FORCED_DONE=1
		check "repair: refused without --yes when not interactive, nothing changed" not_forced 0
	fi
	k=0
	while [ $k -lt $batch_n ]; do
		why=
		judge_repair $k
		echo "$why" >"$W/why.$k"
		echo "$seen" >"$W/seen.$k"
		k=$((k + 1))
	done
	unload_module || not_ok "repair batch $nbatch: module unload failed"
	# shellcheck disable=SC2086 # the ranges and hashes are words
	set -- $($T hash $rranges)
	k=0
	while [ $k -lt $batch_n ]; do
		if [ "$(sed -n 6p "$W/batch.$k")" = refused ]; then
			[ "$1" = "$(sed -n 4p "$W/batch.$k")" ] ||
				echo "; the refused repair changed the metadata" >>"$W/why.$k"
			[ "$2" = "$DATA_HASH" ] ||
				echo "; the refused repair changed the data blocks" >>"$W/why.$k"
		fi
		shift 2
		k=$((k + 1))
	done
	if ! out=$(modprobe vmpkram "pool=$rparam" 2>&1); then
		not_ok "repair batch $nbatch: modprobe after the repairs: $out"
	else
		k=0
		while [ $k -lt $batch_n ]; do
			if [ -e "$W/repaired.$k" ]; then
				if [ "$(pool_state c$k)" != READY ]; then
					echo "; not ready after a reload: $(pool_get c$k state_reason)" >>"$W/why.$k"
				elif ! mount -t vmpkramfs -o pool="c$k" none "$MNT"; then
					echo "; no mount after a reload" >>"$W/why.$k"
				else
					[ "$(ls "$MNT" | sort)" = "$(cat "$W/repaired.$k")" ] ||
						echo "; other files after a reload" >>"$W/why.$k"
					umount "$MNT"
				fi
			fi
			k=$((k + 1))
		done
		unload_module || not_ok "repair batch $nbatch: module unload failed"
	fi
	k=0
	while [ $k -lt $batch_n ]; do
		label=$(sed -n 1p "$W/batch.$k")
		why=$(tr -d '\n' <"$W/why.$k")
		rm -f "$W/repaired.$k"
		if [ -z "$why" ]; then
			ok "repair $label: $(sed -n 6p "$W/batch.$k"): $(cat "$W/seen.$k")"
		else
			not_ok "repair $label: $(sed -n 6p "$W/batch.$k"): $(cat "$W/seen.$k")$why"
		fi
		k=$((k + 1))
	done
	trouble=$(kernel_trouble "$mark")
	check "repair batch $nbatch: no kernel trouble${trouble:+: $trouble}" [ -z "$trouble" ]
}

# Batch of cases: for copy K, case name, seed, expectation, metadata
# hash after the damage, description, repair plan and (salvage) the files
# kept in $W/batch.K.
batch_n=0
nbatch=0

add_case() {	# add_case NAME SEED
	k=$batch_n
	if ! out=$($T apply "$(copy_base $k)" "$1" "$2" "$W/copy$k.meta"); then
		not_ok "$1: could not apply the case (seed $2)"
		return
	fi
	desc=$(echo "$out" | sed -n 's/^case: [^:]*: //p')
	echo "# $1 (seed $2, pool c$k): $desc"
	{
		echo "$1"
		echo "$2"
		echo "$out" | sed -n 's/^expect: //p'
		echo "$out" | sed -n 's/^hash: //p'
		echo "$desc"
		echo "$out" | sed -n 's/^repair: //p'
		echo "$out" | sed -n 's/^keep: //p'
	} >"$W/batch.$k"
	batch_n=$((batch_n + 1))
	[ $batch_n -lt $COPIES ] || run_batch
}

# run_batch: load the module with the damaged copies as pools c0, c1...
# and judge each.
run_batch() {
	[ $batch_n -gt 0 ] || return 0
	nbatch=$((nbatch + 1))
	mark="pool_corrupt batch $nbatch"
	param='' ranges=''
	k=0
	while [ $k -lt $batch_n ]; do
		at=$(copy_base $k)
		param="$param${param:+,}c$k:64M@$at"
		ranges="$ranges $at $META_LEN $((at + META_LEN)) $DATA_LEN"
		k=$((k + 1))
	done
	kmsg_mark "$mark"
	if ! out=$(modprobe vmpkram "pool=$param" 2>&1); then
		not_ok "batch $nbatch: modprobe vmpkram pool=$param: $out"
		batch_n=0
		return
	fi
	log=$(dmesg_since "$mark")
	pools=$(k=0; while [ $k -lt $batch_n ]; do echo "c$k"; k=$((k + 1)); done)
	# shellcheck disable=SC2086 # pool names are words
	$T check $pools >"$W/check.out"
	k=0
	while [ $k -lt $batch_n ]; do
		why=
		judge_pool c$k "$(sed -n 3p "$W/batch.$k")" "$(pool_json c$k)" "$log"
		judge_check c$k "$(sed -n 6p "$W/batch.$k")"
		echo "$state" >"$W/state.$k"
		echo "$seen" >"$W/seen.$k"
		echo "$why" >"$W/why.$k"
		k=$((k + 1))
	done
	unload_module || not_ok "batch $nbatch: module unload failed"
	log=$(dmesg_since "$mark")
	# shellcheck disable=SC2046,SC2086 # the ranges and hashes are words
	set -- $($T hash $ranges)
	k=0
	while [ $k -lt $batch_n ]; do
		label=$(sed -n 1p "$W/batch.$k")
		why=$(cat "$W/why.$k")
		[ "$(cat "$W/state.$k")" = READY ] || [ "$1" = "$(sed -n 4p "$W/batch.$k")" ] ||
			why="$why; the metadata changed"
		[ "$2" = "$DATA_HASH" ] || why="$why; the data blocks changed"
		shift 2
		if [ -z "$why" ]; then
			ok "$label: $(cat "$W/seen.$k")"
		else
			not_ok "$label: $(cat "$W/seen.$k")$why"
			echo "#   $(sed -n 5p "$W/batch.$k")"
		fi
		k=$((k + 1))
	done
	trouble=$(echo "$log" | grep -E "$TROUBLE" | head -n 1)
	check "batch $nbatch: no kernel trouble${trouble:+: $trouble}" [ -z "$trouble" ]
	rm -f "$W/check.out"
	[ -z "${REPAIRING:-}" ] || repair_batch "$param" "$ranges"
	batch_n=0
}

i=0
for c in ${POOL_CORRUPT_CASES:-$($T cases | grep -vx random)}; do
	i=$((i + 1))
	add_case "$c" $((SEED + i))
done
if [ -z "${POOL_CORRUPT_CASES:-}" ]; then
	i=0
	while [ $i -lt "$NRANDOM" ]; do
		i=$((i + 1))
		add_case random $((SEED + 1000 + i))
	done
fi
run_batch

# Then a few of them again, repaired: adopting either slot, refusals of
# each kind, salvages.  POOL_CORRUPT_REPAIR="NAME..." picks others.
REPAIRING=1
for c in ${POOL_CORRUPT_REPAIR:-old-ft-name-len-300 cur-bm-lost-block \
	 cur-sb-layout-version old-sb-uuid wipe-all-metadata both-ft-name-slash \
	 both-bm-bitflip interrupted-fallback-damaged}; do
	i=$((i + 1))
	add_case "$c" $((SEED + 2000 + i))
done
run_batch
REPAIRING=

# single_case LABEL EXPECT PARAM META_AT: pool=PARAM alone, on good
# metadata at META_AT that must not change unless it is adopted.
single_case() {
	name=${3%%:*}
	why=
	mark="pool_corrupt $1"
	read -r meta_hash data_hash <<-EOF
		$($T hash "$4" "$META_LEN" $(($4 + META_LEN)) "$DATA_LEN" | tr '\n' ' ')
	EOF
	kmsg_mark "$mark"
	if ! out=$(modprobe vmpkram "pool=$3" 2>&1); then
		not_ok "$1: modprobe vmpkram pool=$3: $out"
		return
	fi
	judge_pool "$name" "$2" "$(pool_json "$name")" "$(dmesg_since "$mark")"
	# Another geometry is a configuration error: no repair touches it.
	if [ "$2" = damaged ]; then
		raw=$($T repair "$name")
		case $raw in
		"errno EUCLEAN: "?*) ;;
		*) why="$why; POOL_REPAIR: $raw" ;;
		esac
	fi
	unload_module || why="$why; module unload failed"
	# shellcheck disable=SC2046 # two hashes
	set -- "$1" "$2" "$3" "$4" $($T hash "$4" "$META_LEN" $(($4 + META_LEN)) "$DATA_LEN")
	[ "$state" = READY ] || [ "$5" = "$meta_hash" ] || why="$why; the metadata changed"
	[ "$6" = "$data_hash" ] || why="$why; the data blocks changed"
	trouble=$(kernel_trouble "$mark")
	[ -z "$trouble" ] || why="$why; kernel: $trouble"
	if [ -z "$why" ]; then ok "$1: $seen"; else not_ok "$1: $seen$why"; fi
}

# A pool= that disagrees with pool small's good metadata: a smaller size,
# another address (its metadata copied as is to the scratch range), a
# larger size (the copy rebased there); the rebased copy at its own size
# is adopted (so the others were refused for the mismatch alone).  A
# repair refuses them all and writes nothing.
$T restore $BASE "$W/orig.meta"
single_case "pool= size smaller than the metadata's" damaged small:32M@$BASE $BASE
ALT=$(copy_base 0)
if $T copy $BASE "$ALT" $COPY_SIZE; then
	single_case "pool= address other than the metadata's" damaged moved:64M@$ALT "$ALT"
	$T copy $BASE "$ALT" "$META_LEN" rebase
	single_case "pool= size larger than the metadata's" damaged moved:128M@$ALT "$ALT"
	single_case "relocated metadata at its own size (control)" "ready cur" moved:64M@$ALT "$ALT"
else
	not_ok "copy pool small's metadata to $ALT"
fi

# Sparse files cost kernel memory by the blocks they hold, not by their
# span: pool test formatted, then every free entry of its file table made
# a sparse file spanning its whole data area and holding nothing.  The
# kernel memory the module keeps after loading it (Slab + VmallocUsed)
# must be about that of the empty pool; a block list by span was 4 bytes
# per block of every file, 1 MiB here (multi-GiB on a 4 TiB pool).
kmem() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '/^(Slab|VmallocUsed):/ { t += $2 } END { print t }' /proc/meminfo
}
# load_cost: KiB the module holds after loading with pool test alone.
load_cost() {
	before=$(kmem)
	modprobe vmpkram pool=test:512M@$SCRATCH || return 1
	echo $(($(kmem) - before))
}
sparse_cost() {
	unload_module && modprobe vmpkram pool=test:512M@$SCRATCH &&
		vmpkramctl pool format test --yes >/dev/null && unload_module ||
		return 1
	plain=$(load_cost) && [ "$(pool_state test)" = READY ] &&
		unload_module || return 1
	nsparse=$($T sparse $SCRATCH) || return 1
	sparse=$(load_cost) || return 1
	[ "$(pool_state test)" = READY ] &&
		[ "$(pool_get test nr_files)" = "$nsparse" ] &&
		mount -t vmpkramfs -o pool=test none "$MNT" || return 1
	st=$(stat -c '%s %b' "$MNT/sparse-0000")
	files=$(ls "$MNT" | wc -l)
	umount "$MNT" && unload_module || return 1
	echo "# $nsparse sparse files ($st: bytes, blocks): the module holds $sparse KiB, $plain KiB for the empty pool"
	[ "$files" = "$nsparse" ] && [ "${st#* }" = 0 ] &&
		[ $((sparse - plain)) -lt 512 ]
}
mark="pool_corrupt sparse"
kmsg_mark "$mark"
check "sparse files spanning pool test cost no kernel memory by their span" sparse_cost
trouble=$(kernel_trouble "$mark")
check "no kernel trouble with the sparse files${trouble:+: $trouble}" [ -z "$trouble" ]

# Pool small's own metadata is adopted with every file intact; pool test
# (its range was scratch space) is formatted again.
mark="pool_corrupt final"
kmsg_mark "$mark"
if modprobe vmpkram && [ "$(pool_state small)" = READY ] &&
   [ "$(pool_get small generation)" -gt "$GEN" ] &&
   mount -t vmpkramfs -o pool=small none "$MNT"; then
	check "pool small adopted (generation $GEN -> $(pool_get small generation)), every file intact" verify_files
	umount "$MNT"
else
	not_ok "pool small adopted: state '$(pool_state small)' $(pool_get small state_reason)"
fi
format_test() {
	vmpkramctl pool format test --yes >/dev/null &&
		[ "$(pool_state test)" = READY ]
}
check "pool test formatted again" format_test
trouble=$(kernel_trouble "$mark")
check "no kernel trouble at the final load${trouble:+: $trouble}" [ -z "$trouble" ]

# layout_is N: both of pool small's slots complete, in layout N.
layout_is() {
	[ "$($T layout $BASE | grep -c "^slot [01]: complete layout $1$")" = 2 ]
}

# A layout 1 pool (pool small's metadata as a version 1 module writes
# it) is adopted with its files, commits stay layout 1, and it is
# adopted again after a reload.  Then pool small gets its layout 2
# metadata back.
layout1_pool() {
	unload_module && $T save $BASE "$W/v2.meta" && $T downgrade $BASE &&
		layout_is 1 || { echo "downgrade"; return 1; }
	modprobe vmpkram && [ "$(pool_state small)" = READY ] &&
		[ "$(pool_get small layout)" = 1 ] &&
		mount -t vmpkramfs -o pool=small none "$MNT" || { echo "adoption"; return 1; }
	verify_files >/dev/null || { umount "$MNT"; echo "files"; return 1; }
	touch "$MNT/layout1" && chmod 640 "$MNT/layout1" && umount "$MNT" &&
		unload_module && layout_is 1 || { echo "commits"; return 1; }
	modprobe vmpkram && [ "$(pool_get small layout)" = 1 ] &&
		mount -t vmpkramfs -o pool=small none "$MNT" &&
		[ "$(stat -c %a "$MNT/layout1")" = 640 ] && rm "$MNT/layout1" &&
		umount "$MNT" || { echo "reload"; return 1; }
	unload_module && $T restore $BASE "$W/v2.meta" && modprobe vmpkram &&
		[ "$(pool_get small layout)" = 2 ] || { echo "restore"; return 1; }
}
mark="pool_corrupt layout 1"
kmsg_mark "$mark"
res=$(layout1_pool 2>&1)
check "layout 1 pool adopted, written in layout 1, adopted again${res:+: $res}" [ -z "$res" ]
trouble=$(kernel_trouble "$mark")
check "no kernel trouble with a layout 1 pool${trouble:+: $trouble}" [ -z "$trouble" ]
echo "# seed $SEED (POOL_CORRUPT_SEED=$SEED replays it)"
tap_done
