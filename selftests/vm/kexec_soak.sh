#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Kexec soak: ten kexec cycles in a row in one run, alternating between
# the installed kernels (6.12 -> 6.1 -> 6.12 ...), each boot verifying
# every byte of every file of pool "test" written before it.  Needs the
# "kexec-soak" suite's command line (memmap= and vmpkram.pool= for
# test:512M@0x40000000 and small:64M@0x60000000).
#
# stage 0    format pool "test", mount it and create: "guest-ram", 64 MiB
#            filled through a MAP_SHARED mapping; "state", 300000 bytes
#            written with write(); "odd", 1234567 bytes; "owned" (chmod
#            640, chown 1000:1000); "empty"; "tiny", 1 byte; "block",
#            2 MiB + 1; "t0"; "doomed", deleted again (its space must be
#            freed).  Kexec without seal into the other kernel.
# stage K    (1..CYCLES-1) verify (below), then change things:
#            - rewrite a region of guest-ram (odd offset and length,
#              crossing blocks) through a mapping with a new seed
#            - state: odd K rewrite a region with write(), even K
#              truncate it to a new size (growing reads as zeros)
#            - create "sK" (K MiB and a bit; mapping on even K, write()
#              on odd K), chmod/chown it, chmod state
#            - rename the previous stage's file (and on odd K "odd*"),
#              checking the inode number stays
#            - delete "t(K-1)" and check its blocks are freed; create "tK"
#            - even K: a process keeps guest-ram mapped across the kexec;
#              K = 4, 8: an orphan (deleted, still open) crosses it too
#            odd K: seal (metadata changes then fail with EROFS) and
#            kexec with vmpkramctl (vm-kexec --ctl other); even K: no
#            seal, plain kexec -s (vm-kexec other).
# stage N    (N = CYCLES, 10) the final verification; a new file over all
#            the free space reads as zeros; summary.
#
# verify: the release changed, vmpkram loaded, pool "test" adopted READY,
# generation advanced, clean exactly after a sealed kexec, used bytes,
# nr_files and statfs match the recorded files (deleted files' and
# orphans' blocks free), pool "small" still UNFORMATTED, the mount holds
# exactly the recorded names, and for each file size, mode, owner, mtime,
# inode number and every byte: read() for all files, and the mapping too
# for guest-ram.  Files are never copied: each one is a list of regions
# "OFFSET LENGTH SEED" of the positional pattern of vmpkram_pool_pattern
# (seed 0 = zeros), verified region by region.
#
# KEXEC_SOAK_SEED=N replays the patterns; KEXEC_SOAK_CYCLES=N (default
# 10) sets the number of kexecs.  Prints TAP, continued across the boots.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/pool_lib.sh"

POOL='test'
DIR=/var/lib/kexec-soak		# rootfs: survives vm-kexec
SEG=$DIR/seg			# one file per pool file: its regions
MNT=/run/kexec-soak		# remounted after every boot
P=vmpkram_pool_pattern
BLOCK=2097152
MIB=1048576
STAGE=${VMPKRAM_VM_STAGE:-0}

# ------------------------------------------------------------ bookkeeping

# TAP numbering and failures (tap.sh's n and failed) continue across the
# stages, and so do the totals.
# shellcheck disable=SC2154
save_state() {
	cat >"$DIR/tap" <<-EOF
		n=$n
		failed=$failed
		BYTES=$BYTES
		CHAIN='$CHAIN'
		SEALED=$SEALED
		UNSEALED=$UNSEALED
	EOF
}
load_state() {
	BYTES=0 CHAIN='' SEALED=0 UNSEALED=0
	# shellcheck source=/dev/null
	[ ! -r "$DIR/tap" ] || . "$DIR/tap"
}

# fatal MESSAGE: a failure that makes the later stages pointless.
fatal() {
	not_ok "$*"
	echo "# vmpkram kernel messages:"
	dmesg | grep -E 'vmpkram(fs)?:' | tail -n 20 | sed 's/^/#   /'
	tap_done
	exit 1
}

# seg_size NAME: the size the regions of NAME add up to.
seg_size() {
	awk '{ e = $1 + $2; if (e > m) m = e } END { print m + 0 }' "$SEG/$1"
}

# seg_write NAME OFF LEN SEED: bytes [OFF, OFF + LEN) now have SEED.
seg_write() {
	awk -v a="$2" -v b=$(($2 + $3)) -v s="$4" '
		{
			st = $1; e = $1 + $2
			if (e <= a || st >= b) { print; next }
			if (st < a) print st, a - st, $3
			if (e > b) print b, e - b, $3
		}
		END { if (b > a) print a, b - a, s }' "$SEG/$1" |
		sort -n >"$SEG/$1.new"
	mv "$SEG/$1.new" "$SEG/$1"
}

# seg_truncate NAME SIZE: cut or extend (with zeros) to SIZE bytes.
seg_truncate() {
	old=$(seg_size "$1")
	awk -v n="$2" '$1 < n { print $1, ($1 + $2 > n ? n - $1 : $2), $3 }' \
		"$SEG/$1" >"$SEG/$1.new"
	[ "$2" -le "$old" ] || echo "$old $(($2 - old)) 0" >>"$SEG/$1.new"
	mv "$SEG/$1.new" "$SEG/$1"
}

# seg_ok NAME SIZE: the regions of NAME tile [0, SIZE) exactly.
seg_ok() {
	awk -v n="$2" 'BEGIN { at = 0 }
		{ if ($1 != at || $2 <= 0) exit 1; at += $2 }
		END { exit at != n }' "$SEG/$1"
}

# create NAME SIZE SEED mmap|write: a new file of the pattern.
create() {
	$P fill "--$4" "$MNT/$1" "$2" "$3" ||
		fatal "stage $STAGE: creating $1 ($2 bytes, $4)"
	: >"$SEG/$1"
	[ "$2" -eq 0 ] || echo "0 $2 $3" >"$SEG/$1"
}

# rewrite NAME OFF LEN SEED mmap|write: a region of an existing file.
rewrite() {
	if $P fill "--$5" "$MNT/$1" "$(seg_size "$1")" "$4" "$2" "$3"; then
		ok "stage $STAGE: $1: rewrote bytes $2..$(($2 + $3 - 1)) (seed $4) through $5"
	else
		fatal "stage $STAGE: $1: rewriting bytes $2..$(($2 + $3 - 1)) through $5"
	fi
	seg_write "$1" "$2" "$3" "$4"
}

# resize NAME SIZE: truncate(1) to SIZE; a grown tail reads as zeros.
resize() {
	old=$(seg_size "$1")
	truncate -s "$2" "$MNT/$1" || fatal "stage $STAGE: truncate $1 to $2"
	seg_truncate "$1" "$2"
	ok "stage $STAGE: $1: truncated from $old to $2 bytes"
}

# rename OLD NEW: the inode number stays.
rename() {
	ino=$(stat -c %i "$MNT/$1")
	mv "$MNT/$1" "$MNT/$2" || fatal "stage $STAGE: rename $1 -> $2"
	mv "$SEG/$1" "$SEG/$2"
	check "stage $STAGE: renamed $1 -> $2, inode $ino kept" \
		[ "$(stat -c %i "$MNT/$2")" = "$ino" -a ! -e "$MNT/$1" ]
}

# statfs_free: free bytes of the mount.
statfs_free() {
	stat -f -c '%f %S' "$MNT" | awk '{ print $1 * $2 }'
}

# delete NAME: its blocks are freed at once (used and statfs).
delete() {
	size=$(seg_size "$1")
	blocks=$(round_up_block "$size")
	used0=$(pool_get $POOL used)
	free0=$(statfs_free)
	rm "$MNT/$1" || fatal "stage $STAGE: rm $1"
	rm "$SEG/$1"
	used1=$(pool_get $POOL used)
	free1=$(statfs_free)
	check "stage $STAGE: deleting $1 ($size bytes) frees its $blocks bytes of blocks (used $used0 -> $used1, statfs free $free0 -> $free1)" \
		[ $((used0 - used1)) -eq "$blocks" -a $((free1 - free0)) -eq "$blocks" ]
}

# The bytes the recorded files hold: whole blocks.
expected_used() {
	used=0
	while read -r name size rest; do
		used=$((used + $(round_up_block "$size")))
	done <"$DIR/manifest"
	echo $used
}

# Snapshot of what the next boot must find: one line per file
# "NAME SIZE MODE UID GID MTIME INO", the pool's generation and release.
record() {
	: >"$DIR/manifest"
	for f in "$SEG"/*; do
		[ -e "$f" ] || continue
		name=${f##*/}
		st=$(stat -c '%s %a %u %g %Y %i' "$MNT/$name") ||
			fatal "stage $STAGE: stat $name"
		size=${st%% *}
		seg_ok "$name" "$size" ||
			fatal "stage $STAGE: $name has $size bytes, the soak's bookkeeping says $(seg_size "$name")"
		echo "$name $st" >>"$DIR/manifest"
	done
	sort -o "$DIR/manifest" "$DIR/manifest"
	used=$(pool_get $POOL used)
	want=$(expected_used)
	check "stage $STAGE: $(wc -l <"$DIR/manifest") files, used bytes $used = their blocks $want" \
		[ "$used" = "$want" ]
	pool_get $POOL generation >"$DIR/generation"
	uname -r >"$DIR/release"
}

# ------------------------------------------------------------ checks

is_true() {
	case $1 in
	1|true) return 0 ;;
	*) return 1 ;;
	esac
}

is_false() {
	case $1 in
	0|false) return 0 ;;
	*) return 1 ;;
	esac
}

# statfs_ok BYTES: statfs of the mount shows 2 MiB blocks, BYTES used.
statfs_ok() {
	read -r bsize blocks bfree <<-EOF
		$(stat -f -c '%S %b %f' "$MNT")
	EOF
	[ "$bsize" = $BLOCK ] && [ $(( (blocks - bfree) * bsize )) = "$1" ]
}

# erofs CMD...: CMD fails with "Read-only file system".
erofs() {
	out=$("$@" 2>&1) && return 1
	echo "$out" | grep -q 'Read-only file system'
}

# check_file NAME SIZE MODE UID GID MTIME INO: attributes, then every
# region with read() (and the mapping for guest-ram).
check_file() {
	got=$(stat -c '%s %a %u %g %Y %i' "$MNT/$1" 2>&1)
	if [ "$got" != "$2 $3 $4 $5 $6 $7" ]; then
		not_ok "$what: $1: size mode uid gid mtime ino are '$got', expected '$2 $3 $4 $5 $6 $7'"
		return
	fi
	how='read'
	[ "$1" != guest-ram ] || how='read mmap'
	nseg=0
	while read -r off len seed; do
		nseg=$((nseg + 1))
		for h in $how; do
			if ! out=$($P verify "--$h" "$MNT/$1" "$2" "$seed" "$off" "$len" 2>&1); then
				not_ok "$what: $1: bytes $off..$((off + len - 1)) (seed $seed, $h): $out"
				return
			fi
			BYTES=$((BYTES + len))
			STAGE_BYTES=$((STAGE_BYTES + len))
		done
	done <"$SEG/$1"
	[ "$2" -ne 0 ] || $P verify --read "$MNT/$1" 0 0 || {
		not_ok "$what: $1: empty file reads as empty"
		return
	}
	ok "$what: $1: $2 bytes in $nseg region(s), mode $3, owner $4:$5, mtime, inode, every byte ($(echo "$how" | sed 's/ / and /'))"
}

# verify WHAT CLEAN: the pool as the previous boot left it.
verify() {
	what=$1 want_clean=$2
	STAGE_BYTES=0
	t0=$(date +%s)
	check "$what: vmpkram loaded" module_loaded
	json=$(pool_json $POOL)
	state=$(echo "$json" | json_get state | tr '[:lower:]' '[:upper:]')
	if [ "$state" != READY ]; then
		fatal "$what: pool $POOL is '$state', expected READY: $(echo "$json" | json_get state_reason)"
	fi
	ok "$what: pool $POOL adopted, READY"
	gen=$(echo "$json" | json_get generation)
	before=$(cat "$DIR/generation")
	check "$what: generation advanced ($before -> $gen)" [ "$gen" -gt "$before" ]
	clean=$(echo "$json" | json_get clean)
	if [ "$want_clean" = 1 ]; then
		check "$what: sealed by the previous kernel: clean" is_true "$clean"
	else
		check "$what: not sealed by the previous kernel: not clean" is_false "$clean"
	fi
	used=$(echo "$json" | json_get used)
	want=$(expected_used)
	check "$what: used bytes $used = the recorded files' blocks $want" [ "$used" = "$want" ]
	small=$(pool_state small)
	check "$what: pool small (never formatted) still attached: $small" \
		[ "$small" = UNFORMATTED ]
	files=$(echo "$json" | json_get nr_files)
	nfiles=$(wc -l <"$DIR/manifest")
	check "$what: $nfiles files in the pool (status: $files)" [ "$files" = "$nfiles" ]

	mkdir -p "$MNT"
	mount -t vmpkramfs -o pool=$POOL none "$MNT" || fatal "$what: mount pool $POOL"
	check "$what: statfs: 2 MiB blocks, $want bytes used ($(stat -f -c '%S %b %f' "$MNT"))" \
		statfs_ok "$want"
	names=$(ls "$MNT" | sort | tr '\n' ' ')
	check "$what: the names are the recorded ones: $names" \
		[ "$names" = "$(awk '{ print $1 }' "$DIR/manifest" | sort | tr '\n' ' ')" ]
	while read -r line; do
		# shellcheck disable=SC2086 # the manifest's fields
		check_file $line
	done <"$DIR/manifest"
	echo "# $what: $STAGE_BYTES bytes of $nfiles files verified in $(($(date +%s) - t0)) s"
}

# seal_and_check: seal, then metadata changes must fail, contents not.
seal_and_check() {
	check "stage $STAGE: vmpkramctl pool seal $POOL" \
		sh -c "vmpkramctl pool seal $POOL >/dev/null"
	check "stage $STAGE: pool $POOL SEALED" [ "$(pool_state $POOL)" = SEALED ]
	check "stage $STAGE: sealed: creating a file fails with EROFS" \
		erofs touch "$MNT/after-seal"
	check "stage $STAGE: sealed: chmod fails with EROFS" erofs chmod 600 "$MNT/state"
	check "stage $STAGE: sealed: rename fails with EROFS" erofs mv "$MNT/state" "$MNT/state2"
	check "stage $STAGE: sealed: deleting fails with EROFS" erofs rm "$MNT/tiny"
	check "stage $STAGE: sealed: truncate fails with EROFS" erofs truncate -s 0 "$MNT/tiny"
}

# kexec_next: seal on odd stages (vmpkramctl kexec), not on even ones
# (kexec -s); always into the other kernel.
kexec_next() {
	if [ $((STAGE % 2)) -eq 1 ]; then
		seal_and_check
		SEALED=$((SEALED + 1))
		how='--ctl'
		desc='sealed, vmpkramctl kexec'
	else
		UNSEALED=$((UNSEALED + 1))
		how=
		desc='not sealed, kexec -s'
	fi
	echo "# stage $STAGE on $(uname -r) done after $(($(date +%s) - $(cat "$DIR/stage-start"))) s: $desc into the other kernel (cycle $((STAGE + 1)) of $CYCLES)"
	date +%s >"$DIR/kexec-start"
	save_state
	# shellcheck disable=SC2086 # no option when empty
	exec vm-kexec $how other
}

# ------------------------------------------------------------ stages

stage0() {
	echo "TAP version 13"
	if ! grep -q 'vmpkram.pool=[^ ]*test:512M@0x40000000' /proc/cmdline ||
	   ! grep -q 'vmpkram.pool=[^ ]*small:64M@0x60000000' /proc/cmdline; then
		echo "1..0 # SKIP needs vmpkram.pool=test:512M@0x40000000,small:64M@0x60000000 (suite kexec-soak)"
		exit 4
	fi
	rm -rf "$DIR"
	mkdir -p "$DIR" "$SEG" "$MNT"
	load_state
	date +%s >"$DIR/start"
	date +%s >"$DIR/stage-start"
	SEED=${KEXEC_SOAK_SEED:-$(( $(date +%s) % 1000000 ))}
	echo "$SEED" >"$DIR/seed"
	echo "$CYCLES" >"$DIR/cycles"
	echo "# seed $SEED (KEXEC_SOAK_SEED=$SEED replays it), $CYCLES kexec cycles"
	set -- /boot/vmlinuz-*
	[ $# -ge 2 ] || echo "# only one kernel installed: every kexec is into the same one"
	CHAIN=$(uname -r)

	state=$(pool_state $POOL)
	if [ "$state" != READY ]; then
		vmpkramctl pool format $POOL --yes >/dev/null
		check "pool $POOL was $state: formatted" [ "$(pool_state $POOL)" = READY ]
	fi
	check "pool small is UNFORMATTED" [ "$(pool_state small)" = UNFORMATTED ]
	mount -t vmpkramfs -o pool=$POOL none "$MNT" || fatal "mount pool $POOL"
	rm -f "$MNT"/*

	create guest-ram $((64 * MIB)) $((SEED + 1)) mmap
	create state 300000 $((SEED + 2)) write
	create odd 1234567 $((SEED + 3)) write
	create owned $MIB $((SEED + 4)) write
	chmod 640 "$MNT/owned" && chown 1000:1000 "$MNT/owned" || fatal "chmod/chown owned"
	create empty 0 0 write
	chmod 600 "$MNT/empty"
	create tiny 1 $((SEED + 5)) write
	create block $((BLOCK + 1)) $((SEED + 6)) mmap
	create t0 $((3 * MIB + 5)) $((SEED + 7)) write
	create doomed $((10 * MIB)) $((SEED + 8)) mmap
	delete doomed
	record
	kexec_next
}

# change K: what stage K (1..CYCLES-1) writes.
change() {
	k=$1
	R=$((SEED + 1000 * k))

	# Guest RAM changes under a running guest: a region at an odd offset.
	len=$(( (1 + k % 4) * MIB + 4097 * k ))
	off=$(( (k * 7340033) % (64 * MIB - len) ))
	rewrite guest-ram "$off" "$len" $((R + 1)) mmap

	# Device state: rewritten in place or resized.
	if [ $((k % 2)) -eq 1 ]; then
		size=$(seg_size state)
		len=$((100000 + k))
		off=$(( (k * 12345) % (size - len) ))
		rewrite state "$off" "$len" $((R + 2)) write
	else
		resize state $((200000 + (k * 91331) % 400000))
	fi
	chmod $((600 + (k % 5) * 10)) "$MNT/state" || fatal "chmod state"

	# A new file, its attributes.
	if [ $((k % 2)) -eq 0 ]; then how='mmap'; else how='write'; fi
	create "s$k" $((k * MIB + k * 333 + 1)) $((R + 3)) $how
	case $((k % 3)) in
	0) mode=600 ;;
	1) mode=640 ;;
	*) mode=444 ;;
	esac
	chmod $mode "$MNT/s$k" && chown "$k:$((k * 2))" "$MNT/s$k" ||
		fatal "chmod/chown s$k"

	# Renames.
	[ $k -lt 2 ] || rename "s$((k - 1))" "s$((k - 1)).r"
	if [ $((k % 2)) -eq 1 ]; then
		for f in "$SEG"/odd*; do
			rename "${f##*/}" "odd.$k"
		done
	fi

	# A delete (the space is freed) and a replacement.
	delete "t$((k - 1))"
	create "t$k" $(( (k * 1000003) % (6 * MIB) + 1 )) $((R + 4)) write

	record

	if [ $((k % 2)) -eq 0 ]; then
		if [ $((k % 4)) -eq 0 ]; then
			# An orphan: deleted while a process holds it open.
			$P fill --write "$MNT/orphan" 6M $((R + 5)) || fatal "orphan"
			# Opened here, before the fork: "sleep <file &" opens it in the
			# child, which the rm may beat.
			exec 7<"$MNT/orphan"
			sleep 100000 <&7 &
			exec 7<&-
			rm "$MNT/orphan"
			used=$(pool_get $POOL used)
			check "stage $k: the open deleted file keeps its 6 MiB ($used bytes used)" \
				[ "$used" = $(( $(expected_used) + 6 * MIB )) ]
		fi
		# Like QEMU, a process has guest RAM mapped across the kexec.
		vmpkram_map_helper "$MNT/guest-ram" >/dev/null &
	fi
}

stage_k() {
	load_state
	SEED=$(cat "$DIR/seed")
	date +%s >"$DIR/stage-start"
	prev=$(cat "$DIR/release")
	cur=$(uname -r)
	CHAIN="$CHAIN -> $cur"
	echo "# stage $STAGE on $cur: booted $(($(date +%s) - $(cat "$DIR/kexec-start"))) s after the kexec"
	set -- /boot/vmlinuz-*
	if [ $# -lt 2 ]; then
		skip "stage $STAGE: release changed" "only one kernel installed"
	else
		check "stage $STAGE: release changed: $prev -> $cur" [ "$prev" != "$cur" ]
	fi
	if [ $(((STAGE - 1) % 2)) -eq 1 ]; then
		verify "stage $STAGE (after sealed kexec $STAGE, $prev -> $cur)" 1
	else
		verify "stage $STAGE (after unsealed kexec $STAGE, $prev -> $cur)" 0
	fi
	if [ "$STAGE" -lt "$CYCLES" ]; then
		change "$STAGE"
		kexec_next
	fi
	final
}

final() {
	# Every free block reads as zeros in a new file (freed blocks were
	# scrubbed before reuse).
	free=$(pool_get $POOL free)
	if truncate -s "$free" "$MNT/fresh"; then
		check "a new file over all $free free bytes reads as zeros" \
			$P verify --read "$MNT/fresh" "$free" 0
	else
		not_ok "truncate a new file to the $free free bytes"
	fi
	rm -f "$MNT/fresh"
	umount "$MNT"
	nfiles=$(wc -l <"$DIR/manifest")
	secs=$(($(date +%s) - $(cat "$DIR/start")))
	check "$CYCLES kexec cycles in a row ($SEALED sealed, $UNSEALED not), every byte of every file verified after each" \
		[ "$STAGE" -eq "$CYCLES" -a $((SEALED + UNSEALED)) -eq "$CYCLES" ]
	echo "# soak: $CYCLES kexec cycles ($SEALED sealed, $UNSEALED unsealed): $CHAIN"
	echo "# soak: $nfiles files at the end, $BYTES bytes ($((BYTES / MIB)) MiB) verified in total, $secs s"
	tap_done
}

CYCLES=${KEXEC_SOAK_CYCLES:-10}
[ "$STAGE" -eq 0 ] || CYCLES=$(cat "$DIR/cycles")
case $STAGE in
0) stage0 ;;
*)
	if [ "$STAGE" -gt "$CYCLES" ]; then
		echo "not ok - unexpected stage $STAGE (after $CYCLES cycles)"
		exit 1
	fi
	stage_k
	;;
esac
