/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The on-pool metadata's internals (pool_meta.c: reading, checking,
 * adopting and committing it), for the parts of the module that work on
 * the metadata itself rather than on files: pool.h has the rest.
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

#endif /* _VMPKRAM_POOL_META_H */
