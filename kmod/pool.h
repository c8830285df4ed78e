/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Persistent pools: a reserved physical range, its metadata (a shadow copy
 * in kernel memory that every commit writes to the pool), its block
 * allocator and scrubber.  Files of vmpkramfs live here; fs_*.c only
 * translate VFS calls into the operations below.
 */
#ifndef _VMPKRAM_POOL_H
#define _VMPKRAM_POOL_H

#include <linux/bits.h>
#include <linux/list.h>
#include <linux/memremap.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "pool_layout.h"
#include "vmpkram.h"

#define VMPKRAM_BLOCK_SHIFT	21
#define VMPKRAM_BLOCK_SIZE	BIT(VMPKRAM_BLOCK_SHIFT)
#define VMPKRAM_REASON_MAX	192

struct super_block;

/*
 * A part of a pool with its own struct pages: the 1 GiB-aligned middle of
 * the pool is made of 1 GiB compound pages, the rest of 2 MiB ones, so
 * that each huge entry maps exactly one compound page (get_user_pages()
 * takes the references of a whole entry on one folio).
 */
#define VMPKRAM_POOL_PGMAPS	3

struct vmpkram_pgmap {
	struct dev_pagemap pgmap;
	struct vmpkram_pool *pool;
};

/**
 * struct vmpkram_pool - one attached pool
 * @node: entry of vmpkram_pools, under vmpkram_pools_lock
 * @name: as given by vmpkram.pool= or POOL_ATTACH
 * @base: physical start
 * @size: bytes
 * @res: the claimed resource
 * @res_name: its name in /proc/iomem
 * @pgmaps: the range as ZONE_DEVICE memory: struct pages, so that
 *          get_user_pages() works on mappings of its files (see
 *          struct vmpkram_pgmap)
 * @nr_pgmaps: entries of @pgmaps in use
 * @virt: the range in the kernel's direct map
 * @sealed_by_request: sealed by the SEAL request in progress, which
 *                     unseals it again if it fails (vmpkram_pools_lock)
 * @named: the range is one vmpkram.pool= names; any other is raw
 *         physical memory (vmpkram_pool_raw_access())
 * @lock: serializes everything below and every commit
 * @state: enum vmpkram_pool_state
 * @reason: why UNFORMATTED or DAMAGED, with the fix; a physical address
 *          in it is written "0x...", which events mask (any user may
 *          listen to them)
 * @frozen: reboot or kexec started, metadata must not change any more
 * @adopted_clean: the previous owner sealed or detached cleanly
 * @sb: the mounted vmpkramfs, NULL when not mounted
 * @meta: shadow superblock; @meta.generation is the last committed one
 * @files: shadow file table (@meta.max_files entries)
 * @bmap: shadow block map (@nr_blocks entries)
 * @fblocks: per file table entry, the pool block of each file block it
 *           holds (file block -> xa_mk_value(pool block)); a hole has no
 *           entry, so a block list takes memory by the blocks held, never
 *           by the span of a sparse file; vmpkram_file_block() reads it
 * @dirty_shadow: the shadow differs from the last commit
 * @layout: the layout version commits write (1 or 2)
 * @ft_chunk: bytes per checksummed chunk of the file table (version 1:
 *            the whole table)
 * @bm_chunk: the same for the block map
 * @ft_chunks: chunks of the file table; the block map's follow them
 * @nr_chunks: chunks of both tables
 * @chunk_crc: checksum of each chunk of the shadow, as of its last change
 * @stale: chunks changed since @chunk_crc was computed for them
 *         (vmpkram_file_changed(), vmpkram_block_changed())
 * @unwritten: per slot, the chunks it does not hold as the shadow has them
 * @sb_page: the version 2 superblock page, built here by each commit
 * @nr_blocks: blocks in the pool
 * @meta_blocks: blocks holding metadata; data blocks follow
 * @clean: free blocks known to read as zero
 * @dirty: free blocks waiting to be scrubbed
 * @deferred: file table entries released while frozen or sealed, freed
 *            at unseal
 * @nr_clean: bits set in @clean
 * @nr_dirty: bits set in @dirty
 * @nr_scrubbing: blocks the scrubber is zeroing right now
 * @scrub_work: zeroes @dirty blocks and moves them to @clean
 * @scrub_wait: woken when scrubbed blocks become available
 * @bad: blocks with a poisoned page (pool_failure.c); a bad block that is
 *       not in a file is withdrawn (VMPKRAM_BM_BAD) and never reused
 * @poison: the poisoned pages (page index in the pool -> value 1)
 * @stopping: detach in progress, the scrubber must stop early
 */
struct vmpkram_pool {
	struct list_head node;
	char name[VMPKRAM_POOL_NAME_MAX + 1];
	phys_addr_t base;
	u64 size;
	struct resource *res;
	char res_name[VMPKRAM_POOL_NAME_MAX + 16];
	struct vmpkram_pgmap pgmaps[VMPKRAM_POOL_PGMAPS];
	unsigned int nr_pgmaps;
	void *virt;
	bool sealed_by_request;
	bool named;

	struct mutex lock;	/* the fields below, and every commit */
	enum vmpkram_pool_state state;
	char reason[VMPKRAM_REASON_MAX];
	bool frozen;
	bool adopted_clean;
	struct super_block *sb;

	struct vmpkram_pool_sb meta;
	struct vmpkram_pool_file *files;
	struct vmpkram_pool_bmap *bmap;
	struct xarray *fblocks;
	bool dirty_shadow;
	u32 nr_blocks;
	u32 meta_blocks;

	u32 layout;
	u32 ft_chunk;
	u32 bm_chunk;
	u32 ft_chunks;
	u32 nr_chunks;
	__le32 *chunk_crc;
	unsigned long *stale;
	unsigned long *unwritten[2];
	void *sb_page;

	unsigned long *clean;
	unsigned long *dirty;
	unsigned long *deferred;
	u32 nr_clean;
	u32 nr_dirty;
	u32 nr_scrubbing;
	struct delayed_work scrub_work;
	wait_queue_head_t scrub_wait;
	bool stopping;

	unsigned long *bad;
	struct xarray poison;
};

/* pool.c: the list of pools, attach and detach */
extern struct mutex vmpkram_pools_lock;
extern struct list_head vmpkram_pools;

int vmpkram_pools_init(void);
void vmpkram_pools_exit(void);
struct vmpkram_pool *vmpkram_pool_find(const char *name);
int vmpkram_pool_attach(const char *name, u64 base, u64 size,
			struct sk_buff *skb, struct netlink_ext_ack *extack);
int vmpkram_pool_raw_access(struct sk_buff *skb,
			    struct netlink_ext_ack *extack);
int vmpkram_pool_detach(struct vmpkram_pool *pool, bool wait_for_pins);
bool vmpkram_pool_name_valid(const char *name);
int vmpkram_pool_writable(struct vmpkram_pool *pool);
int vmpkram_pool_seal(struct vmpkram_pool *pool);
int vmpkram_pool_unseal(struct vmpkram_pool *pool);
int vmpkram_pool_format(struct vmpkram_pool *pool);

static inline void *vmpkram_block_addr(struct vmpkram_pool *pool, u32 block)
{
	return pool->virt + ((size_t)block << VMPKRAM_BLOCK_SHIFT);
}

static inline phys_addr_t vmpkram_block_phys(struct vmpkram_pool *pool,
					     u32 block)
{
	return pool->base + ((phys_addr_t)block << VMPKRAM_BLOCK_SHIFT);
}

/*
 * A block a get_user_pages() caller still holds (O_DIRECT in flight, a
 * vmsplice'd page in a pipe): its memory must not be reused yet.  Pool
 * pages are 2 MiB or 1 GiB compound pages whose idle reference count is
 * 1; in a 1 GiB one, a reference anywhere holds all its blocks.
 */
static inline bool vmpkram_block_busy(struct vmpkram_pool *pool, u32 block)
{
	struct page *page = pfn_to_page(PHYS_PFN(vmpkram_block_phys(pool, block)));

	return folio_ref_count(page_folio(page)) > 1;
}

static inline u64 vmpkram_data_size(struct vmpkram_pool *pool)
{
	return (u64)(pool->nr_blocks - pool->meta_blocks) << VMPKRAM_BLOCK_SHIFT;
}

/* A file block without memory (punched), in pool->fblocks[]. */
#define VMPKRAM_HOLE	U32_MAX

/*
 * A change to file table entry @slot of the shadow, for the next commit.
 * An entry may straddle two chunks.  Caller holds pool->lock.
 */
static inline void vmpkram_file_changed(struct vmpkram_pool *pool, u32 slot)
{
	size_t off = (size_t)slot * sizeof(struct vmpkram_pool_file);

	__set_bit(off / pool->ft_chunk, pool->stale);
	__set_bit((off + sizeof(struct vmpkram_pool_file) - 1) / pool->ft_chunk,
		  pool->stale);
	pool->dirty_shadow = true;
}

/* A change to block map entry @b of the shadow.  pool->lock held. */
static inline void vmpkram_block_changed(struct vmpkram_pool *pool, u32 b)
{
	size_t off = (size_t)b * sizeof(struct vmpkram_pool_bmap);

	__set_bit(pool->ft_chunks + off / pool->bm_chunk, pool->stale);
	pool->dirty_shadow = true;
}

/*
 * The pool block of block @i of file @slot, or VMPKRAM_HOLE.  Without
 * pool->lock too (the fault and read/write paths): a hole may be filled
 * meanwhile, the entry is read once.
 */
static inline u32 vmpkram_file_block(struct vmpkram_pool *pool, u32 slot,
				     u32 i)
{
	void *entry = xa_load(&pool->fblocks[slot], i);

	return entry ? xa_to_value(entry) : VMPKRAM_HOLE;
}

/* pool_meta.c: on-pool metadata */
int vmpkram_meta_alloc(struct vmpkram_pool *pool);
void vmpkram_meta_free(struct vmpkram_pool *pool);
int vmpkram_meta_adopt(struct vmpkram_pool *pool);
void vmpkram_meta_format(struct vmpkram_pool *pool);
void vmpkram_meta_commit(struct vmpkram_pool *pool);
void vmpkram_meta_commit_pending(struct vmpkram_pool *pool);

/* pool_alloc.c: blocks, scrubbing */
int vmpkram_alloc_init(struct vmpkram_pool *pool);
void vmpkram_alloc_free(struct vmpkram_pool *pool);
void vmpkram_alloc_reset(struct vmpkram_pool *pool, bool free_is_clean);
void vmpkram_scrub_kick(struct vmpkram_pool *pool);
int vmpkram_scrub_wait_idle(struct vmpkram_pool *pool);
void vmpkram_scrub_stop(struct vmpkram_pool *pool);
void vmpkram_scrub_resume(struct vmpkram_pool *pool);
u32 vmpkram_largest_free(struct vmpkram_pool *pool);
int vmpkram_file_resize(struct vmpkram_pool *pool, u32 slot, u64 size);
void vmpkram_file_free_blocks(struct vmpkram_pool *pool, u32 slot);
u32 vmpkram_file_allocated(struct vmpkram_pool *pool, u32 slot);
u32 vmpkram_blocks_held(struct vmpkram_pool *pool, u32 slot);
int vmpkram_reserve_blocks(struct vmpkram_pool *pool, u32 slot, u32 from,
			   u32 to);
bool vmpkram_file_punch(struct vmpkram_pool *pool, u32 slot, u32 first,
			u32 last);
int vmpkram_file_fill_hole(struct vmpkram_pool *pool, u32 slot, u32 i);

void vmpkram_block_zero(struct vmpkram_pool *pool, u32 b);
void vmpkram_block_zeroed(struct vmpkram_pool *pool, u32 b);

/* pool_zero.c: zeroing through the job engine */
int vmpkram_zero_dirty(struct vmpkram_pool *pool, u32 want);

/* pool_failure.c: poisoned pages */
extern const struct dev_pagemap_ops vmpkram_pgmap_ops;
bool vmpkram_page_poisoned(struct vmpkram_pool *pool, phys_addr_t phys);
size_t vmpkram_unpoisoned_bytes(struct vmpkram_pool *pool, phys_addr_t phys,
				size_t len);
void vmpkram_block_withdraw(struct vmpkram_pool *pool, u32 b);
u32 vmpkram_nr_withdrawn(struct vmpkram_pool *pool);
void vmpkram_failure_disown(struct vmpkram_pool *pool);

/* pool_file.c: file table operations, pool->lock held */
int vmpkram_file_create(struct vmpkram_pool *pool, const char *name,
			unsigned int len, umode_t mode, u32 uid, u32 gid,
			u32 *slot);
void vmpkram_file_unlink(struct vmpkram_pool *pool, u32 slot);
void vmpkram_file_release(struct vmpkram_pool *pool, u32 slot);
void vmpkram_file_rename(struct vmpkram_pool *pool, u32 slot,
			 const char *name, unsigned int len);
void vmpkram_file_set_attr(struct vmpkram_pool *pool, u32 slot,
			   umode_t mode, u32 uid, u32 gid);
void vmpkram_file_set_times(struct vmpkram_pool *pool, u32 slot,
			    s64 mtime_ns, s64 ctime_ns);
void vmpkram_release_deferred(struct vmpkram_pool *pool);
u32 vmpkram_nr_files(struct vmpkram_pool *pool);

/* pool_netlink.c: pool and file commands, events */
void vmpkram_notify_pool(struct vmpkram_pool *pool, u32 event);

/* pool_bench.c: commit cost against pool size, in debugfs */
void vmpkram_bench_init(void);
void vmpkram_bench_exit(void);

/* fs_super.c: the vmpkramfs filesystem type */
int vmpkram_fs_init(void);
void vmpkram_fs_exit(void);

#endif /* _VMPKRAM_POOL_H */
