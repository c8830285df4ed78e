/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * On-pool metadata layout, version 2 (Documentation/pool-layout.rst);
 * version 1, which this module still reads and writes, differs only in
 * how the tables are checksummed.
 *
 * This is an on-media format: it is read by the next kernel after kexec,
 * possibly a different kernel version running a different module build.
 * Everything is little endian, fixed width and explicitly padded.  Change
 * it only together with VMPKRAM_LAYOUT_VERSION and the document.
 *
 * The pool is cut in blocks of VMPKRAM_POOL_BLOCK_SIZE.  The first
 * sb.meta_blocks blocks hold two metadata slots, each a complete copy of
 * the metadata:
 *
 *   slot s at pool offset s * sb.slot_size:
 *     +0          struct vmpkram_pool_sb (4 KiB page, the superblock);
 *                 version 2: the chunk checksums at +ct_offset in it
 *     +ft_offset  file table: max_files x struct vmpkram_pool_file
 *     +bm_offset  block map: nr_blocks x struct vmpkram_pool_bmap
 *
 * Version 1 checksums each table whole (ft_crc, bm_crc).  Version 2 cuts
 * each table into chunks of chunk_size bytes and keeps one checksum per
 * chunk, so a commit rewrites only the chunks that changed.
 *
 * Generation g is written to slot g & 1, so the slot not being written
 * always holds the previous complete generation.  A commit is:
 *   1. commit_seq = g << 1            (8-byte store: "writing g")
 *   2. the parts of the file table and the block map that this slot does
 *      not hold yet, then the superblock (commit_seq excluded)
 *   3. commit_seq = g << 1 | 1        (8-byte store: "g complete")
 * A slot is complete when its superblock and both tables check out and
 * sb.generation == commit_seq >> 1.  A slot whose commit_seq has the
 * done bit clear and names the generation after the other slot's is an
 * interrupted commit: the other slot is adopted.  Anything else that does
 * not check out is damage, and the pool is refused: repaired or formatted
 * only when an admin asks for it.
 */
#ifndef _VMPKRAM_POOL_LAYOUT_H
#define _VMPKRAM_POOL_LAYOUT_H

#include <linux/types.h>

#define VMPKRAM_LAYOUT_MAGIC	"VMPKPOOL"	/* 8 bytes, no NUL */
#define VMPKRAM_LAYOUT_VERSION	2	/* what a format writes */
#define VMPKRAM_LAYOUT_V1	1	/* still read and written */

#define VMPKRAM_SB_SIZE		4096	/* the superblock's page in a slot */
#define VMPKRAM_SB_CRC_START	16	/* crc covers [16, sizeof(sb)) */

/* Version 2: the chunk checksum table in the superblock page. */
#define VMPKRAM_CT_OFFSET	512
#define VMPKRAM_CT_MAX		((VMPKRAM_SB_SIZE - VMPKRAM_CT_OFFSET) / 4)
#define VMPKRAM_CHUNK_MIN	4096

/* sb.flags; CLEAN: sealed or detached, nothing in flight, free blocks zero */
#define VMPKRAM_SB_F_CLEAN	0x1
#define VMPKRAM_SB_F_KNOWN	VMPKRAM_SB_F_CLEAN

/* commit_seq */
#define VMPKRAM_SEQ_DONE	0x1ULL

/**
 * struct vmpkram_pool_sb - superblock of one metadata slot
 * @commit_seq: generation << 1 | done bit; not covered by @crc
 * @crc: crc32c (seed ~0, final ~) of bytes [16, sizeof) of this struct
 * @__pad0: zero
 * @magic: VMPKRAM_LAYOUT_MAGIC
 * @layout_version: VMPKRAM_LAYOUT_VERSION
 * @sb_size: sizeof(struct vmpkram_pool_sb)
 * @slot: 0 or 1, the slot this copy was written to
 * @flags: VMPKRAM_SB_F_*
 * @uuid: pool identity, random at format
 * @generation: advanced by every commit; never 0
 * @pool_base: physical address the pool was formatted at
 * @pool_size: size the pool was formatted with
 * @block_size: VMPKRAM_POOL_BLOCK_SIZE
 * @nr_blocks: pool_size / block_size
 * @meta_blocks: blocks holding the two slots; data starts after them
 * @max_files: entries in the file table
 * @slot_size: bytes from one slot to the next (a multiple of 4 KiB)
 * @ft_offset: file table offset in the slot
 * @ft_size: max_files * file_entry_size
 * @ft_crc: version 1: crc32c of the file table; version 2: 0
 * @file_entry_size: sizeof(struct vmpkram_pool_file)
 * @bm_offset: block map offset in the slot
 * @bm_size: nr_blocks * sizeof(struct vmpkram_pool_bmap)
 * @bm_crc: version 1: crc32c of the block map; version 2: 0
 * @nr_files: used file table entries (orphans included)
 * @next_ino: inode number the next new file gets
 * @format_time_ns: CLOCK_REALTIME of the format
 * @seal_time_ns: CLOCK_REALTIME of the last seal, 0 if none
 * @commit_time_ns: CLOCK_REALTIME of this commit
 * @name: pool name at format time, NUL padded (informational)
 * @chunk_size: version 2: bytes per checksummed chunk of a table, the
 *              smallest power of two from VMPKRAM_CHUNK_MIN on for which
 *              the checksums of both tables fit in VMPKRAM_CT_MAX; 0 in 1
 * @nr_chunks: version 2: DIV_ROUND_UP(ft_size, chunk_size) +
 *             DIV_ROUND_UP(bm_size, chunk_size); 0 in version 1
 * @ct_offset: version 2: VMPKRAM_CT_OFFSET, where in the superblock page
 *             the nr_chunks __le32 checksums start (file table chunks,
 *             then block map chunks); 0 in version 1
 * @__reserved0: zero
 * @__reserved: zero
 */
struct vmpkram_pool_sb {
	__le64 commit_seq;
	__le32 crc;
	__le32 __pad0;
	__u8 magic[8];
	__le32 layout_version;
	__le32 sb_size;
	__le32 slot;
	__le32 flags;
	__u8 uuid[16];
	__le64 generation;
	__le64 pool_base;
	__le64 pool_size;
	__le32 block_size;
	__le32 nr_blocks;
	__le32 meta_blocks;
	__le32 max_files;
	__le64 slot_size;
	__le32 ft_offset;
	__le32 ft_size;
	__le32 ft_crc;
	__le32 file_entry_size;
	__le32 bm_offset;
	__le32 bm_size;
	__le32 bm_crc;
	__le32 nr_files;
	__le64 next_ino;
	__le64 format_time_ns;
	__le64 seal_time_ns;
	__le64 commit_time_ns;
	__u8 name[32];
	__le32 chunk_size;
	__le32 nr_chunks;
	__le32 ct_offset;
	__le32 __reserved0;
	__le64 __reserved[6];
};

/* vmpkram_pool_file.flags */
/* ORPHAN: unlinked while open; no name, the next kernel frees its blocks */
#define VMPKRAM_PF_USED		0x1	/* entry describes a file */
#define VMPKRAM_PF_ORPHAN	0x2
#define VMPKRAM_PF_POISONED	0x4	/* a memory failure hit its data */
#define VMPKRAM_PF_SPARSE	0x8	/* may have holes (punched blocks) */
#define VMPKRAM_PF_KNOWN	(VMPKRAM_PF_USED | VMPKRAM_PF_ORPHAN | \
				 VMPKRAM_PF_POISONED | VMPKRAM_PF_SPARSE)

/**
 * struct vmpkram_pool_file - one file table entry (320 bytes)
 * @flags: VMPKRAM_PF_*; 0 for a free entry, which is all zero
 * @mode: st_mode, S_IFREG | permission bits
 * @uid: owner, initial user namespace
 * @gid: group, initial user namespace
 * @ino: inode number, unique in the pool
 * @size: bytes
 * @mtime_ns: CLOCK_REALTIME of the last modification (s64)
 * @ctime_ns: CLOCK_REALTIME of the last change (s64)
 * @nr_blocks: blocks held, DIV_ROUND_UP(size, block_size)
 * @name_len: bytes of @name in use, 1..255 (0 for an orphan)
 * @__reserved0: zero
 * @__reserved: zero
 * @name: the name, not NUL terminated, zero padded; no '/' or NUL,
 *        not "." or ".."
 */
struct vmpkram_pool_file {
	__le32 flags;
	__le32 mode;
	__le32 uid;
	__le32 gid;
	__le64 ino;
	__le64 size;
	__le64 mtime_ns;
	__le64 ctime_ns;
	__le32 nr_blocks;
	__le16 name_len;
	__le16 __reserved0;
	__le64 __reserved;
	__u8 name[256];
};

/* vmpkram_pool_bmap.owner */
#define VMPKRAM_BM_FREE		0		/* free (zeroed unless !CLEAN) */
#define VMPKRAM_BM_META		0xffffffffU	/* a metadata block */
#define VMPKRAM_BM_BAD		0xfffffffeU	/* withdrawn: memory failure */
/* otherwise: file table index + 1 */

/**
 * struct vmpkram_pool_bmap - block map entry, one per pool block
 * @owner: VMPKRAM_BM_FREE, VMPKRAM_BM_META or file table index + 1
 * @index: for a file's block, its position in the file (block units);
 *         0 otherwise
 */
struct vmpkram_pool_bmap {
	__le32 owner;
	__le32 index;
};

#endif /* _VMPKRAM_POOL_LAYOUT_H */
