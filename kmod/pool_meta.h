/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The on-pool metadata's internals (pool_meta.c: reading, checking,
 * adopting and committing it), for the code that works on the metadata
 * itself: the check and repair (pool_check.c), their netlink replies and
 * the commit benchmark.  pool.h has what the rest of the module needs.
 */
#ifndef _VMPKRAM_POOL_META_H
#define _VMPKRAM_POOL_META_H

#include "pool.h"

/*
 * The checks of one slot, in the order they run; the first that fails
 * ends them (the later ones are "not run").  VMPKRAM_CHECK_FILES and
 * VMPKRAM_CHECK_BLOCKS need the table contents (vmpkram_meta_load()).
 */
enum vmpkram_meta_check {
	MC_MAGIC,
	MC_SB_CRC,
	MC_VERSION,
	MC_ADDRESS,
	MC_GEOMETRY,
	MC_RESERVED,
	MC_GENERATION,
	MC_FT_CRC,
	MC_BM_CRC,
	MC_FILES,
	MC_BLOCKS,
	NR_MC
};

extern const char *const vmpkram_meta_check_names[NR_MC];

enum slot_status {
	SLOT_COMPLETE,	/* the superblock and both checksums check out */
	SLOT_BLANK,	/* no magic, nothing ever written */
	SLOT_FOREIGN,	/* no vmpkram magic, but not blank */
	SLOT_BAD,	/* ours, but does not check out */
};

/**
 * struct slot_check - what was found in one metadata slot
 * @status: enum slot_status
 * @reached: the checks before it passed; it failed unless @status is
 *           SLOT_COMPLETE (then it has not run yet, or it is NR_MC)
 * @seq: commit_seq as read
 * @sb: the superblock as read
 * @why: what failed, for the pool's state reason
 */
struct slot_check {
	enum slot_status status;
	enum vmpkram_meta_check reached;
	u64 seq;
	struct vmpkram_pool_sb sb;
	char why[VMPKRAM_REASON_MAX];
};

u32 vmpkram_meta_crc(const void *buf, size_t len);
void vmpkram_meta_check_slot(struct vmpkram_pool *pool, unsigned int slot,
			     struct slot_check *c);
bool vmpkram_meta_interrupted(const struct slot_check *c,
			      const struct slot_check *other);
int vmpkram_meta_load(struct vmpkram_pool *pool, unsigned int s,
		      const struct vmpkram_pool_sb *sb,
		      enum vmpkram_meta_check *failed);
void vmpkram_meta_set_layout(struct vmpkram_pool *pool, u32 version);
void *vmpkram_meta_chunk(struct vmpkram_pool *pool, u32 c, size_t *off,
			 size_t *len);
u32 vmpkram_meta_bad_chunks(struct vmpkram_pool *pool, unsigned int s,
			    const struct vmpkram_pool_sb *sb, unsigned long *bad);
void vmpkram_meta_took_over(struct vmpkram_pool *pool, unsigned int s);
void vmpkram_meta_changed_all(struct vmpkram_pool *pool);
void vmpkram_meta_free_orphans(struct vmpkram_pool *pool);
const char *vmpkram_meta_check_entry(struct vmpkram_pool *pool, u32 i);
bool vmpkram_meta_same_name(struct vmpkram_pool *pool, u32 i, u32 j);
void *vmpkram_meta_slot(struct vmpkram_pool *pool, unsigned int s);
void vmpkram_meta_unload(struct vmpkram_pool *pool);

/* pool_check.c: the read-only check and the explicit repair */
#define VMPKRAM_REPORT_FILES	32	/* dropped files listed */

/**
 * struct vmpkram_report_file - a file a repair drops
 * @entry: its file table entry
 * @ino: its inode number
 * @name_len: bytes of @name
 * @name: its name, not NUL terminated
 * @why: the reason
 */
struct vmpkram_report_file {
	u32 entry;
	u64 ino;
	u16 name_len;
	u8 name[VMPKRAMFS_NAME_MAX];
	const char *why;
};

/**
 * struct vmpkram_report - what pool check found and what repair does
 * @slot: both slots, each check (struct slot_check)
 * @interrupted: the slot holds an interrupted commit of the generation
 *               after the other slot's
 * @state: the pool's state (after the repair, for a repair)
 * @action: enum vmpkram_repair_action
 * @src: the slot the repair starts from, -1 for none
 * @kept: files a repair keeps
 * @dropped: files a repair drops (their blocks are freed)
 * @nr_files: entries of @files used (the first dropped ones)
 * @text: the plan, or why there is none, for people
 * @files: dropped files
 * @scratch: the metadata a repair installs (private to pool_check.c)
 * @repairing: a repair, not a check: dropped files go to the kernel log
 */
struct vmpkram_report {
	struct slot_check slot[2];
	bool interrupted[2];
	u32 state;
	u32 action;
	int src;
	u32 kept;
	u32 dropped;
	u32 nr_files;
	char text[2 * VMPKRAM_REASON_MAX];
	struct vmpkram_report_file files[VMPKRAM_REPORT_FILES];
	struct vmpkram_pool *scratch;
	bool repairing;
};

int vmpkram_pool_check(struct vmpkram_pool *pool, struct vmpkram_report *rep);
int vmpkram_pool_repair(struct vmpkram_pool *pool, struct vmpkram_report *rep);

#endif /* _VMPKRAM_POOL_META_H */
