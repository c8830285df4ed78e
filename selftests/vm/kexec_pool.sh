#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Files of pool "test" survive kexec: sealed into the same kernel, sealed
# into the other installed kernel (6.1 -> 6.12 or 6.12 -> 6.1), then
# without seal.  Needs the "pool-kexec" suite's command line (memmap= and
# vmpkram.pool= for test:512M@0x40000000).
#
# stage 0  format the pool if it is not READY (empty it if it is), mount
#          it and create: "guest-ram", 64 MiB filled with a seeded pattern
#          through a MAP_SHARED mapping; "state", written with write();
#          "odd", 1234567 bytes; "renamed" (created under another name);
#          "owned" (chmod 640, chown 1000:1000); "empty"; "doomed",
#          deleted again (its space must be free).  Record every name,
#          size, mode, owner, mtime, inode number and pattern seed, and the
#          pool's generation, in the rootfs; seal (metadata changes then
#          fail with EROFS); kexec with vmpkramctl into the same kernel.
# stage 1  verify (below); change things (guest RAM rewritten through the
#          mapping, state resized, a chmod, a chown, a rename, a delete, a
#          new file); kexec with vmpkramctl (which seals) into the other
#          kernel.
# stage 2  verify; create a file and delete it while a process keeps it
#          open (an orphan), keep guest-ram mapped by a process, then kexec
#          into the same kernel with kexec -s: no seal.
# stage 3  verify: the unsealed pool is adopted consistently (not clean),
#          everything intact, the orphan's blocks freed; a new file on
#          that space reads as zeros.
#
# verify: module loaded, pool READY, generation above the recorded one,
# clean as expected, used bytes and statfs match the recorded files (the
# deleted file's space free), the mount holds exactly the recorded names,
# and for each file size, mode, owner, mtime, inode number and every byte
# (read(), and the mapping for guest-ram) check out.
#
# KEXEC_POOL_SEED=N replays the patterns.  Prints TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/pool_lib.sh"

POOL='test'
DIR=/var/lib/kexec-pool		# rootfs: survives vm-kexec
MNT=/run/kexec-pool		# remounted after every boot
P=vmpkram_pool_pattern
BLOCK=2097152
STAGE=${VMPKRAM_VM_STAGE:-0}

# ------------------------------------------------------------ bookkeeping

# TAP numbering and failures (tap.sh's n and failed) continue across the
# stages.
# shellcheck disable=SC2154
save_tap() { echo "n=$n failed=$failed" >"$DIR/tap"; }
load_tap() { [ ! -r "$DIR/tap" ] || . "$DIR/tap"; }

# fatal MESSAGE: a failure that makes the later stages pointless.
fatal() {
	not_ok "$*"
	tap_done
	exit 1
}

# seed NAME SEED: the pattern seed of a file (recorded before it is
# written).
seed() {
	sed -i "/^$1 /d" "$DIR/seeds" 2>/dev/null
	echo "$1 $2" >>"$DIR/seeds"
}

forget() {
	sed -i "/^$1 /d" "$DIR/seeds"
}

# fill NAME SIZE SEED [mmap|write]: create or rewrite a patterned file.
fill() {
	seed "$1" "$3"
	$P fill "--${4:-write}" "$MNT/$1" "$2" "$3" ||
		fatal "stage $STAGE: writing $1 ($2 bytes)"
}

# Snapshot of what the next boot must find: one line per file
# "NAME SIZE MODE UID GID MTIME INO SEED", the pool's generation and
# used bytes.
record() {
	: >"$DIR/manifest"
	while read -r name s; do
		echo "$name $(stat -c '%s %a %u %g %Y %i' "$MNT/$name") $s" >>"$DIR/manifest"
	done <"$DIR/seeds"
	sort -o "$DIR/manifest" "$DIR/manifest"
	pool_get $POOL generation >"$DIR/generation"
	uname -r >"$DIR/release"
}

# The bytes the recorded files hold: whole blocks.
expected_used() {
	used=0
	while read -r name size rest; do
		used=$((used + $(round_up_block "$size")))
	done <"$DIR/manifest"
	echo $used
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

check_file() {	# check_file NAME SIZE MODE UID GID MTIME INO SEED
	got=$(stat -c '%s %a %u %g %Y %i' "$MNT/$1" 2>&1)
	if [ "$got" != "$2 $3 $4 $5 $6 $7" ]; then
		not_ok "$1: size mode uid gid mtime ino are '$got', expected '$2 $3 $4 $5 $6 $7'"
		return
	fi
	if [ "$1" = guest-ram ] && ! out=$($P verify --mmap "$MNT/$1" "$2" "$8" 2>&1); then
		not_ok "$1: every byte through the mapping: $out"
		return
	fi
	if out=$($P verify --read "$MNT/$1" "$2" "$8" 2>&1); then
		ok "$1: $2 bytes, mode $3, owner $4:$5, mtime, inode and every byte"
	else
		not_ok "$1: every byte: $out"
	fi
}

# verify WHAT CLEAN: the pool as the previous boot left it.
verify() {
	what=$1 want_clean=$2
	check "$what: vmpkram loaded on $(uname -r)" module_loaded
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
		check "$what: the previous kernel left the pool clean" is_true "$clean"
	else
		check "$what: the pool is known not to be clean" is_false "$clean"
	fi
	used=$(echo "$json" | json_get used)
	want=$(expected_used)
	check "$what: used bytes $used = the recorded files' blocks $want" [ "$used" = "$want" ]
	if grep -q 'memmap=64M\$0x60000000' /proc/cmdline; then
		small=$(pool_state small)
		check "$what: pool small (never formatted, so never sealed) still attached: $small" \
			[ "$small" = UNFORMATTED ]
	fi
	files=$(echo "$json" | json_get nr_files)
	check "$what: $(wc -l <"$DIR/manifest") files in the pool (status: $files)" \
		[ "$files" = "$(wc -l <"$DIR/manifest")" ]

	mkdir -p "$MNT"
	mount -t vmpkramfs -o pool=$POOL none "$MNT" || fatal "$what: mount pool $POOL"
	check "$what: statfs: 2 MiB blocks, $want bytes used ($(stat -f -c '%S %b %f' "$MNT"))" \
		statfs_ok "$want"
	names=$(ls "$MNT" | tr '\n' ' ')
	check "$what: the names are the recorded ones: $names" \
		[ "$names" = "$(awk '{ print $1 }' "$DIR/manifest" | tr '\n' ' ')" ]
	while read -r line; do
		# shellcheck disable=SC2086 # the manifest's fields
		check_file $line
	done <"$DIR/manifest"
}

# seal_and_check: seal, then metadata changes must fail, contents not.
seal_and_check() {
	check "vmpkramctl pool seal $POOL" sh -c "vmpkramctl pool seal $POOL >/dev/null"
	check "pool $POOL SEALED" [ "$(pool_state $POOL)" = SEALED ]
	check "sealed: creating a file fails with EROFS" erofs touch "$MNT/after-seal"
	check "sealed: chmod fails with EROFS" erofs chmod 600 "$MNT/state"
	check "sealed: deleting fails with EROFS" erofs rm "$MNT/state"
}

# ------------------------------------------------------------ stages

stage0() {
	echo "TAP version 13"
	if ! grep -q 'vmpkram.pool=[^ ]*test:512M@0x40000000' /proc/cmdline; then
		echo "1..0 # SKIP needs vmpkram.pool=test:512M@0x40000000 (suite pool-kexec)"
		exit 4
	fi
	rm -rf "$DIR"
	mkdir -p "$DIR" "$MNT"
	: >"$DIR/seeds"
	SEED=${KEXEC_POOL_SEED:-$(( $(date +%s) % 1000000 ))}
	echo "$SEED" >"$DIR/seed"
	echo "# seed $SEED (KEXEC_POOL_SEED=$SEED replays it)"

	state=$(pool_state $POOL)
	if [ "$state" != READY ]; then
		vmpkramctl pool format $POOL --yes >/dev/null
		check "pool $POOL was $state: formatted" [ "$(pool_state $POOL)" = READY ]
	fi
	mount -t vmpkramfs -o pool=$POOL none "$MNT" || fatal "mount pool $POOL"
	rm -f "$MNT"/*

	fill guest-ram 64M $((SEED + 1)) mmap
	fill state 300000 $((SEED + 2))
	fill odd 1234567 $((SEED + 3))
	fill to-rename 3M $((SEED + 4))
	mv "$MNT/to-rename" "$MNT/renamed" || fatal "rename"
	forget to-rename
	seed renamed $((SEED + 4))
	fill owned 1M $((SEED + 5))
	chmod 640 "$MNT/owned" && chown 1000:1000 "$MNT/owned" || fatal "chmod/chown"
	fill empty 0 $((SEED + 6))
	chmod 600 "$MNT/empty"
	fill doomed 10M $((SEED + 7))
	used_with=$(pool_get $POOL used)
	rm "$MNT/doomed" || fatal "rm doomed"
	forget doomed
	used_without=$(pool_get $POOL used)
	check "deleting a 10 MiB file frees its 5 blocks ($used_with -> $used_without)" \
		[ $((used_with - used_without)) -eq 10485760 ]
	record
	check "used bytes are the files' blocks" [ "$(pool_get $POOL used)" = "$(expected_used)" ]
	seal_and_check
	echo "# stage 0 on $(uname -r): sealed, vmpkramctl kexec into the same kernel"
	save_tap
	exec vm-kexec --ctl same
}

stage1() {
	load_tap
	SEED=$(cat "$DIR/seed")
	verify "sealed kexec into the same kernel" 1
	check "kexec into the same kernel: release $(uname -r)" [ "$(uname -r)" = "$(cat "$DIR/release")" ]

	# A running guest changes its RAM; the host changes files.
	fill guest-ram 64M $((SEED + 11)) mmap
	fill state 500000 $((SEED + 12))
	chmod 600 "$MNT/renamed" && chown 0:1000 "$MNT/owned" || fatal "chmod/chown"
	mv "$MNT/odd" "$MNT/odd-renamed" || fatal "rename"
	forget odd
	seed odd-renamed $((SEED + 3))
	rm "$MNT/empty" || fatal "rm empty"
	forget empty
	fill stage1 2097153 $((SEED + 13))
	record
	echo "# stage 1 on $(uname -r): vmpkramctl kexec (seals) into the other kernel"
	save_tap
	exec vm-kexec --ctl other
}

stage2() {
	load_tap
	SEED=$(cat "$DIR/seed")
	prev=$(cat "$DIR/release")
	verify "sealed kexec from $prev" 1
	set -- /boot/vmlinuz-*
	if [ $# -lt 2 ]; then
		skip "release changed" "only one kernel installed"
	else
		check "release changed: $prev -> $(uname -r)" [ "$prev" != "$(uname -r)" ]
	fi

	fill stage2 4M $((SEED + 21))
	chmod 444 "$MNT/stage2"
	# An orphan: deleted while a process holds it open.
	fill orphan 6M $((SEED + 22))
	# Opened here, before the fork: "sleep <file &" opens it in the
	# child, which the rm may beat.
	exec 7<"$MNT/orphan"
	sleep 100000 <&7 &
	exec 7<&-
	rm "$MNT/orphan"
	forget orphan
	record
	used=$(pool_get $POOL used)
	check "the open deleted file keeps its 6 MiB ($used bytes used)" \
		[ "$used" = $(( $(expected_used) + 6291456 )) ]
	# Like QEMU, a process has guest RAM mapped across the kexec.
	vmpkram_map_helper "$MNT/guest-ram" >/dev/null &
	echo "# stage 2 on $(uname -r): kexec -s into the same kernel without seal"
	save_tap
	exec vm-kexec same
}

stage3() {
	load_tap
	verify "kexec without seal" 0
	# The orphan's blocks were freed (verify counted them out) and, as
	# every free block of a pool adopted unclean, scrubbed before a new
	# file gets them: a file over all the free space reads as zeros.
	free=$(pool_get $POOL free)
	if truncate -s "$free" "$MNT/fresh"; then
		check "a new file over all $free free bytes reads as zeros" \
			$P verify --read "$MNT/fresh" "$free" 0
	else
		not_ok "truncate a new file to the $free free bytes"
	fi
	rm -f "$MNT/fresh"
	umount "$MNT"
	tap_done
}

case $STAGE in
0) stage0 ;;
1) stage1 ;;
2) stage2 ;;
3) stage3 ;;
*) echo "not ok - unexpected stage $STAGE"; exit 1 ;;
esac
