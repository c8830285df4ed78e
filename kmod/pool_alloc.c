// SPDX-License-Identifier: GPL-2.0
/*
 * Block allocation and scrubbing.
 *
 * A free block is either clean (known to read as zero) or dirty (it held
 * a file's data, or the previous kernel did not shut down cleanly).  Only
 * clean blocks are handed to files, so a new file never shows old data; a
 * background worker zeroes dirty blocks and wakes allocations that wait
 * for them.  Files are fully backed: a size change takes or returns every
 * block at once, so running out of space is ENOSPC at that call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/error-injection.h>

#include <asm/tlbflush.h>

#include "compat.h"
#include "pool.h"

/* Blocks one scrub pass takes from the dirty set before it drops the lock. */
#define SCRUB_BATCH	16

/*
 * The first run of dirty blocks from @from on that nobody holds; @n gets
 * its length.  Returns nr_blocks when every dirty block is busy.
 */
static u32 next_idle_run(struct vmpkram_pool *pool, u32 from, u32 *n)
{
	u32 first;

	for_each_set_bit_from(from, pool->dirty, pool->nr_blocks)
		if (!vmpkram_block_busy(pool, from))
			break;
	first = from;
	*n = 0;
	while (*n < SCRUB_BATCH && first + *n < pool->nr_blocks &&
	       test_bit(first + *n, pool->dirty) &&
	       !vmpkram_block_busy(pool, first + *n))
		(*n)++;
	return first;
}

/*
 * Claims the next run of idle dirty blocks from @*from on, zeroes it with
 * pool->lock dropped, and makes it clean.  Returns false when there was
 * nothing to claim.  Caller holds pool->lock; it is held again on return.
 * The background worker and allocations waiting for clean blocks run
 * this concurrently, each on its own runs.
 */
static bool scrub_one_run(struct vmpkram_pool *pool, u32 *from)
{
	u32 first, n, b;

	first = next_idle_run(pool, *from, &n);
	if (!n && *from) {
		/* Blocks freed behind the cursor: start over. */
		*from = 0;
		first = next_idle_run(pool, 0, &n);
	}
	if (!n)
		return false;
	bitmap_clear(pool->dirty, first, n);
	*from = first + n;
	pool->nr_dirty -= n;
	pool->nr_scrubbing += n;
	mutex_unlock(&pool->lock);

	for (b = first; b < first + n; b++) {
		vmpkram_block_zero(pool, b);
		cond_resched();
	}

	mutex_lock(&pool->lock);
	for (b = first; b < first + n; b++)
		vmpkram_block_zeroed(pool, b);
	pool->nr_scrubbing -= n;
	wake_up_all(&pool->scrub_wait);
	return true;
}

/* Zeroes block @b, unless it is poisoned: writing it could raise a machine check. */
void vmpkram_block_zero(struct vmpkram_pool *pool, u32 b)
{
	if (!test_bit(b, pool->bad))
		memset(vmpkram_block_addr(pool, b), 0, VMPKRAM_BLOCK_SIZE);
}

/* Block @b, zeroed by vmpkram_block_zero(), is clean; or withdrawn. */
void vmpkram_block_zeroed(struct vmpkram_pool *pool, u32 b)
{
	if (test_bit(b, pool->bad)) {
		vmpkram_block_withdraw(pool, b);
		return;
	}
	set_bit(b, pool->clean);
	pool->nr_clean++;
}

static void scrub_work(struct work_struct *work)
{
	struct vmpkram_pool *pool = container_of(to_delayed_work(work),
						 struct vmpkram_pool, scrub_work);
	u32 from = 0;

	mutex_lock(&pool->lock);
	while (!pool->stopping && pool->nr_dirty) {
		if (!scrub_one_run(pool, &from)) {
			/* Only pinned blocks left: look again in a second. */
			queue_delayed_work(system_unbound_wq, &pool->scrub_work, HZ);
			break;
		}
	}
	mutex_unlock(&pool->lock);
}

int vmpkram_alloc_init(struct vmpkram_pool *pool)
{
	pool->clean = bitmap_zalloc(pool->nr_blocks, GFP_KERNEL);
	pool->dirty = bitmap_zalloc(pool->nr_blocks, GFP_KERNEL);
	pool->deferred = bitmap_zalloc(VMPKRAM_POOL_MAX_FILES, GFP_KERNEL);
	pool->bad = bitmap_zalloc(pool->nr_blocks, GFP_KERNEL);
	INIT_DELAYED_WORK(&pool->scrub_work, scrub_work);
	init_waitqueue_head(&pool->scrub_wait);
	if (!pool->clean || !pool->dirty || !pool->deferred || !pool->bad)
		return -ENOMEM;
	return 0;
}
ALLOW_ERROR_INJECTION(vmpkram_alloc_init, ERRNO);

void vmpkram_alloc_free(struct vmpkram_pool *pool)
{
	bitmap_free(pool->bad);
	bitmap_free(pool->deferred);
	bitmap_free(pool->dirty);
	bitmap_free(pool->clean);
}

/*
 * Rebuilds the free sets from the shadow block map.  The scrubber must
 * not be running.  Caller holds pool->lock.
 */
void vmpkram_alloc_reset(struct vmpkram_pool *pool, bool free_is_clean)
{
	unsigned long *set = free_is_clean ? pool->clean : pool->dirty;
	u32 b, n = 0;

	bitmap_zero(pool->clean, pool->nr_blocks);
	bitmap_zero(pool->dirty, pool->nr_blocks);
	bitmap_zero(pool->deferred, VMPKRAM_POOL_MAX_FILES);
	for (b = pool->meta_blocks; b < pool->nr_blocks; b++) {
		if (pool->bmap[b].owner == cpu_to_le32(VMPKRAM_BM_FREE)) {
			set_bit(b, set);
			n++;
		} else if (pool->bmap[b].owner == cpu_to_le32(VMPKRAM_BM_BAD)) {
			set_bit(b, pool->bad);
		}
	}
	pool->nr_clean = free_is_clean ? n : 0;
	pool->nr_dirty = free_is_clean ? 0 : n;
	pool->nr_scrubbing = 0;
}

void vmpkram_scrub_kick(struct vmpkram_pool *pool)
{
	if (READ_ONCE(pool->nr_dirty) && !READ_ONCE(pool->stopping))
		mod_delayed_work(system_unbound_wq, &pool->scrub_work, 0);
}

/* Stops the scrubber at its next batch and waits for it. */
void vmpkram_scrub_stop(struct vmpkram_pool *pool)
{
	mutex_lock(&pool->lock);
	pool->stopping = true;
	mutex_unlock(&pool->lock);
	cancel_delayed_work_sync(&pool->scrub_work);
}

void vmpkram_scrub_resume(struct vmpkram_pool *pool)
{
	mutex_lock(&pool->lock);
	pool->stopping = false;
	mutex_unlock(&pool->lock);
	vmpkram_scrub_kick(pool);
}

static bool scrub_idle(struct vmpkram_pool *pool)
{
	return !READ_ONCE(pool->nr_dirty) && !READ_ONCE(pool->nr_scrubbing);
}

/*
 * Waits until every free block is clean, or until a second passes without
 * progress: what is left is pinned by get_user_pages() users and may stay
 * so for as long as they like.  Killable.
 */
int vmpkram_scrub_wait_idle(struct vmpkram_pool *pool)
{
	u32 before;
	long ret;

	do {
		before = READ_ONCE(pool->nr_dirty) + READ_ONCE(pool->nr_scrubbing);
		vmpkram_scrub_kick(pool);
		ret = wait_event_killable_timeout(pool->scrub_wait,
						  scrub_idle(pool), HZ);
		if (ret < 0)
			return ret;
	} while (!scrub_idle(pool) &&
		 READ_ONCE(pool->nr_dirty) + READ_ONCE(pool->nr_scrubbing) < before);
	return 0;
}

u32 vmpkram_largest_free(struct vmpkram_pool *pool)
{
	u32 b, run = 0, best = 0;

	for (b = pool->meta_blocks; b < pool->nr_blocks; b++) {
		if (pool->bmap[b].owner == cpu_to_le32(VMPKRAM_BM_FREE))
			best = max(best, ++run);
		else
			run = 0;
	}
	return best;
}

/*
 * Makes sure @n clean blocks exist: zeroes dirty blocks itself, in
 * parallel through the job engine (pool_zero.c) next to the background
 * worker, and waits (pool->lock dropped) for what others are zeroing or
 * what is still pinned.  The caller's inode lock keeps its
 * own file stable meanwhile.
 */
static int wait_for_clean(struct vmpkram_pool *pool, u32 n)
{
	bool waited_for_pins = false;
	u32 from = 0;
	long ret;

	while (pool->nr_clean < n) {
		if (pool->nr_clean + pool->nr_dirty + pool->nr_scrubbing < n)
			return -ENOSPC;
		vmpkram_scrub_kick(pool);
		ret = vmpkram_zero_dirty(pool, n - pool->nr_clean);
		/* Short of memory for a job: zero one run in this thread. */
		if (ret == -ENOMEM)
			ret = scrub_one_run(pool, &from);
		if (ret < 0)
			return ret;
		if (!ret) {
			/* Others are zeroing, or what is left is pinned. */
			if (!pool->nr_scrubbing && waited_for_pins)
				return -ENOSPC;
			waited_for_pins |= !pool->nr_scrubbing;
			mutex_unlock(&pool->lock);
			ret = wait_event_killable_timeout(pool->scrub_wait,
							  READ_ONCE(pool->nr_clean) >= n ||
							  !READ_ONCE(pool->nr_scrubbing), HZ);
			mutex_lock(&pool->lock);
			if (ret < 0)
				return ret;
		}
		if (fatal_signal_pending(current))
			return -EINTR;
		ret = vmpkram_pool_writable(pool);
		if (ret)
			return ret;
	}
	return 0;
}

/* A clean block, preferring the one after @prev for contiguous extents. */
static u32 take_clean(struct vmpkram_pool *pool, u32 prev)
{
	u32 b = prev + 1;

	if (prev == U32_MAX || b >= pool->nr_blocks || !test_bit(b, pool->clean))
		b = find_first_bit(pool->clean, pool->nr_blocks);
	clear_bit(b, pool->clean);
	pool->nr_clean--;
	return b;
}

/* Blocks per 1 GiB, the size of a PUD mapping. */
#define GIB_BLOCKS	(1U << (30 - VMPKRAM_BLOCK_SHIFT))

/*
 * The first block of a run of GIB_BLOCKS clean blocks starting at a
 * 1 GiB-aligned physical address, or U32_MAX.  Large files get such runs
 * where the pool has them, so their mappings can use 1 GiB entries.
 */
static u32 find_clean_gib(struct vmpkram_pool *pool)
{
	u32 b = (u32)((ALIGN(pool->base, SZ_1G) - pool->base) >> VMPKRAM_BLOCK_SHIFT);

	for (; b + GIB_BLOCKS <= pool->nr_blocks; b += GIB_BLOCKS)
		if (find_next_zero_bit(pool->clean, b + GIB_BLOCKS, b) >= b + GIB_BLOCKS)
			return b;
	return U32_MAX;
}

/*
 * Block @b becomes block @i of file @slot.  The entry of @i was reserved
 * (vmpkram_reserve_blocks()), so storing it allocates nothing and cannot
 * fail.  pool->lock held.
 */
static void give_block(struct vmpkram_pool *pool, u32 slot, u32 i, u32 b)
{
	pool->bmap[b].owner = cpu_to_le32(slot + 1);
	pool->bmap[b].index = cpu_to_le32(i);
	vmpkram_block_changed(pool, b);
	xa_store(&pool->fblocks[slot], i, xa_mk_value(b), GFP_NOWAIT);
}

/* Gives file blocks [@i, @n) clean blocks; 1 GiB runs where possible. */
static void take_blocks(struct vmpkram_pool *pool, u32 slot, u32 i, u32 n)
{
	u32 b, j;

	while (i < n) {
		b = U32_MAX;
		if (IS_ALIGNED(i, GIB_BLOCKS) && n - i >= GIB_BLOCKS)
			b = find_clean_gib(pool);
		if (b != U32_MAX) {
			bitmap_clear(pool->clean, b, GIB_BLOCKS);
			pool->nr_clean -= GIB_BLOCKS;
			for (j = 0; j < GIB_BLOCKS; j++, i++)
				give_block(pool, slot, i, b + j);
		} else {
			b = take_clean(pool, i ? vmpkram_file_block(pool, slot, i - 1) :
				       VMPKRAM_HOLE);
			give_block(pool, slot, i++, b);
		}
		if (!(i % GIB_BLOCKS))
			cond_resched();
	}
}

/*
 * Entries for file blocks [@from, @to) of @slot, reserved: the memory a
 * block list takes is allocated here, for the blocks a file holds (a hole
 * has no entry) and charged to the caller's memory cgroup.  On failure
 * nothing stays reserved.  pool->lock held.
 */
int vmpkram_reserve_blocks(struct vmpkram_pool *pool, u32 slot, u32 from,
			   u32 to)
{
	struct xarray *xa = &pool->fblocks[slot];
	u32 i;
	int ret;

	for (i = from; i < to; i++) {
		ret = xa_reserve(xa, i, GFP_KERNEL_ACCOUNT);
		if (ret) {
			while (i-- > from)
				xa_release(xa, i);
			return ret;
		}
		if (!(i % GIB_BLOCKS))
			cond_resched();
	}
	return 0;
}

static noinline int vmpkram_grow_blocks(struct vmpkram_pool *pool, u32 slot,
					u32 have, u32 need)
{
	int ret;

	ret = vmpkram_reserve_blocks(pool, slot, have, need);
	if (!ret)
		take_blocks(pool, slot, have, need);
	return ret;
}
ALLOW_ERROR_INJECTION(vmpkram_grow_blocks, ERRNO);

/* Pool block @b, which a file held, is free again.  pool->lock held. */
static void free_pool_block(struct vmpkram_pool *pool, u32 b)
{
	if (test_bit(b, pool->bad)) {
		vmpkram_block_withdraw(pool, b);
		return;
	}
	pool->bmap[b].owner = cpu_to_le32(VMPKRAM_BM_FREE);
	pool->bmap[b].index = 0;
	vmpkram_block_changed(pool, b);
	set_bit(b, pool->dirty);
	pool->nr_dirty++;
}

const bool vmpkram_pmd_walk_safe = VMPKRAM_PMD_WALK_SAFE;

#ifndef HAVE_PTE_OFFSET_MAP_NOLOCK
static void flush_local_tlb(void *unused)
{
#ifdef CONFIG_X86
	__flush_tlb_all();	/* flush_tlb_all() is not exported */
#else
	local_flush_tlb_all();
#endif
}

/*
 * On kernels whose walkers may have dropped a 2 MiB entry of ours without
 * a TLB flush (see compat.h), a CPU may still hold a translation to a
 * block that unmap_mapping_range() found nothing to flush for: every CPU
 * flushes its whole TLB, once per operation that frees blocks.
 */
void vmpkram_flush_stale_tlbs(void)
{
	on_each_cpu(flush_local_tlb, NULL, 1);
}
#endif

/*
 * Frees the blocks file @slot holds in [@first, @last), which become
 * holes, after flushing any TLB entry that could still reach them (see
 * vmpkram_flush_stale_tlbs()).  Returns how many.  pool->lock held.
 */
static u32 free_blocks(struct vmpkram_pool *pool, u32 slot, u32 first,
		       u32 last)
{
	struct xarray *xa = &pool->fblocks[slot];
	unsigned long i;
	u32 freed = 0;
	void *entry;

	if (first >= last)
		return 0;
	xa_for_each_range(xa, i, entry, first, last - 1) {
		xa_erase(xa, i);
		free_pool_block(pool, xa_to_value(entry));
		if (!(++freed % GIB_BLOCKS))
			cond_resched();
	}
	/* Before pool->lock lets anyone take them (see compat.h). */
	if (freed)
		vmpkram_flush_stale_tlbs();
	return freed;
}

static void shrink(struct vmpkram_pool *pool, u32 slot, u32 need, u32 have)
{
	free_blocks(pool, slot, need, have);
	vmpkram_scrub_kick(pool);
}

/*
 * Bytes past the old end of file in its last page may hold what a shared
 * mapping wrote beyond EOF: a file that grows reads zero there, up to the
 * new end of file and past it, so that after any size change nothing but
 * zero follows the end of file in its block (a shrink zeroes its tail,
 * see vmpkram_setsize()).  Poisoned pages are left alone (reads of them
 * fail; a store could raise another machine check).
 */
static void zero_tail(struct vmpkram_pool *pool, u32 slot, u64 old, u64 size)
{
	u64 end = min_t(u64, max_t(u64, size, round_up(old, PAGE_SIZE)),
			round_up(old, VMPKRAM_BLOCK_SIZE));
	phys_addr_t phys;
	size_t n;
	u32 b;

	if (end <= old)
		return;
	b = vmpkram_file_block(pool, slot, old >> VMPKRAM_BLOCK_SHIFT);
	if (b == VMPKRAM_HOLE)
		return;		/* reads zero, and gets a zeroed block */
	phys = vmpkram_block_phys(pool, b) + (old & (VMPKRAM_BLOCK_SIZE - 1));
	while (old < end) {
		n = vmpkram_unpoisoned_bytes(pool, phys, end - old);
		if (n)
			memset(pool->virt + (phys - pool->base), 0, n);
		else
			n = min_t(u64, PAGE_SIZE - offset_in_page(phys), end - old);
		old += n;
		phys += n;
	}
}

/*
 * A large allocation right after format or a big delete would take the
 * first blocks the scrubber finished and miss the 1 GiB runs it has not
 * reached yet: give it a few seconds to finish.  pool->lock is dropped
 * meanwhile, as in wait_for_clean().
 */
static void settle_for_gib(struct vmpkram_pool *pool)
{
	if (scrub_idle(pool))
		return;
	vmpkram_scrub_kick(pool);
	mutex_unlock(&pool->lock);
	wait_event_killable_timeout(pool->scrub_wait, scrub_idle(pool), 5 * HZ);
	mutex_lock(&pool->lock);
}

/* Caller holds pool->lock, which may be dropped to wait for scrubbing. */
int vmpkram_file_resize(struct vmpkram_pool *pool, u32 slot, u64 size)
{
	struct vmpkram_pool_file *f = &pool->files[slot];
	u32 have = le32_to_cpu(f->nr_blocks);
	u32 need = DIV_ROUND_UP_ULL(size, VMPKRAM_BLOCK_SIZE);
	u64 old = le64_to_cpu(f->size);
	int ret;

	if (size > vmpkram_data_size(pool))
		return -EFBIG;
	if (need - have >= GIB_BLOCKS && need > have)
		settle_for_gib(pool);
	if (need > have) {
		ret = wait_for_clean(pool, need - have);
		if (!ret)
			ret = vmpkram_grow_blocks(pool, slot, have, need);
		if (ret)
			return ret;
	}
	if (size > old)
		zero_tail(pool, slot, old, size);
	if (need < have)
		shrink(pool, slot, need, have);
	f->size = cpu_to_le64(size);
	f->nr_blocks = cpu_to_le32(need);
	vmpkram_file_changed(pool, slot);
	return 0;
}

/* Blocks file @slot holds: its span less its holes.  pool->lock held. */
u32 vmpkram_file_allocated(struct vmpkram_pool *pool, u32 slot)
{
	const struct vmpkram_pool_file *f = &pool->files[slot];

	if (!(le32_to_cpu(f->flags) & VMPKRAM_PF_SPARSE))
		return le32_to_cpu(f->nr_blocks);
	return vmpkram_blocks_held(pool, slot);
}

/* Entries in the block list of file @slot.  pool->lock held. */
u32 vmpkram_blocks_held(struct vmpkram_pool *pool, u32 slot)
{
	unsigned long i;
	void *entry;
	u32 n = 0;

	xa_for_each(&pool->fblocks[slot], i, entry)
		n++;
	return n;
}

/*
 * Frees blocks [@first, @last) of file @slot, which become holes: they
 * read zero and get a zeroed block again when written (see
 * vmpkram_file_fill_hole()).  Returns whether any block was freed.  The
 * caller unmapped the range and holds pool->lock.
 */
bool vmpkram_file_punch(struct vmpkram_pool *pool, u32 slot, u32 first,
			u32 last)
{
	if (!free_blocks(pool, slot, first, last))
		return false;
	pool->files[slot].flags |= cpu_to_le32(VMPKRAM_PF_SPARSE);
	vmpkram_file_changed(pool, slot);
	vmpkram_scrub_kick(pool);
	return true;
}

/*
 * Gives hole @i of file @slot a scrubbed block: returns 1, or 0 when it is
 * not a hole (or no longer), or a negative errno.  pool->lock held; it may
 * be dropped while waiting for scrubbing.
 */
int vmpkram_file_fill_hole(struct vmpkram_pool *pool, u32 slot, u32 i)
{
	u32 b;
	int ret;

	if (vmpkram_file_block(pool, slot, i) != VMPKRAM_HOLE)
		return 0;
	ret = vmpkram_pool_writable(pool);
	if (!ret)
		ret = wait_for_clean(pool, 1);
	if (ret)
		return ret;
	if (vmpkram_file_block(pool, slot, i) != VMPKRAM_HOLE)
		return 0;
	ret = vmpkram_reserve_blocks(pool, slot, i, i + 1);
	if (ret)
		return ret;
	b = take_clean(pool, i ? vmpkram_file_block(pool, slot, i - 1) :
		       VMPKRAM_HOLE);
	give_block(pool, slot, i, b);
	vmpkram_meta_commit(pool);
	return 1;
}

/* Returns every block of file table entry @slot.  Caller holds pool->lock. */
void vmpkram_file_free_blocks(struct vmpkram_pool *pool, u32 slot)
{
	struct vmpkram_pool_file *f = &pool->files[slot];

	shrink(pool, slot, 0, le32_to_cpu(f->nr_blocks));
	f->nr_blocks = 0;
	f->size = 0;
	vmpkram_file_changed(pool, slot);
}
