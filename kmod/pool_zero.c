// SPDX-License-Identifier: GPL-2.0
/*
 * Zeroing for an allocation that found too few scrubbed blocks: it claims
 * dirty blocks and zeroes them through the job engine, the calling thread
 * and up to max_workers - 1 pooled workers at once, each taking one 2 MiB
 * block at a time.  The background scrubber goes on next to it (one
 * worker per pool, so that it never competes with running guests for more
 * than one CPU); each block is claimed by one of them only.
 *
 * The job is listed by GET_JOBS as VMPKRAM_JOB_SCRUB while it runs.  A
 * fatal signal stops it: blocks it did not zero go back to the dirty set.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "job.h"
#include "pool.h"
#include "vmpkram.h"

/* Blocks one job zeroes at most (1 GiB): bounds what it allocates. */
#define ZERO_JOB_BLOCKS	512

struct zero_job {
	struct vmpkram_job job;
	struct vmpkram_pool *pool;
	u32 nr;
	u32 *blocks;		/* the claimed blocks */
	unsigned long *zeroed;	/* which of them were zeroed */
};

static int zero_chunk(struct vmpkram_job *job, unsigned long start,
		      unsigned long end, bool caller, u64 *done)
{
	struct zero_job *zj = container_of(job, struct zero_job, job);
	unsigned long i;

	for (i = start >> VMPKRAM_BLOCK_SHIFT; i < end >> VMPKRAM_BLOCK_SHIFT; i++) {
		vmpkram_block_zero(zj->pool, zj->blocks[i]);
		set_bit(i, zj->zeroed);
		*done += VMPKRAM_BLOCK_SIZE;
		cond_resched();
	}
	return 0;
}

/* Claims up to @want idle dirty blocks into @zj.  Caller holds pool->lock. */
static void claim_dirty(struct zero_job *zj, u32 want)
{
	struct vmpkram_pool *pool = zj->pool;
	u32 b;

	zj->nr = 0;
	for_each_set_bit(b, pool->dirty, pool->nr_blocks) {
		if (zj->nr == want)
			break;
		if (vmpkram_block_busy(pool, b))
			continue;
		clear_bit(b, pool->dirty);
		zj->blocks[zj->nr++] = b;
	}
	pool->nr_dirty -= zj->nr;
	pool->nr_scrubbing += zj->nr;
}

/* Zeroed blocks become clean, the others dirty again.  pool->lock held. */
static void settle_claimed(struct zero_job *zj)
{
	struct vmpkram_pool *pool = zj->pool;
	u32 i, b;

	for (i = 0; i < zj->nr; i++) {
		b = zj->blocks[i];
		if (test_bit(i, zj->zeroed) || test_bit(b, pool->bad)) {
			vmpkram_block_zeroed(pool, b);
		} else {
			set_bit(b, pool->dirty);
			pool->nr_dirty++;
		}
	}
	pool->nr_scrubbing -= zj->nr;
	wake_up_all(&pool->scrub_wait);
}

/*
 * Zeroes up to @want dirty blocks that nobody holds, in parallel.  Returns
 * the number of blocks it claimed (0: none is idle), -ENOMEM when there is
 * no memory for the job, or -EINTR when a fatal signal stopped it.  Caller holds
 * pool->lock; it is dropped while zeroing and held again on return.
 */
int vmpkram_zero_dirty(struct vmpkram_pool *pool, u32 want)
{
	struct vmpkram_job_report rep;
	struct zero_job *zj;
	int ret;

	want = min_t(u32, want, ZERO_JOB_BLOCKS);
	zj = kzalloc(sizeof(*zj), GFP_KERNEL);
	if (!zj)
		return -ENOMEM;
	zj->pool = pool;
	zj->blocks = kcalloc(want, sizeof(u32), GFP_KERNEL);
	zj->zeroed = bitmap_zalloc(want, GFP_KERNEL);
	if (!zj->blocks || !zj->zeroed) {
		ret = -ENOMEM;
		goto out;
	}
	claim_dirty(zj, want);
	if (!zj->nr) {
		ret = 0;
		goto out;
	}
	mutex_unlock(&pool->lock);

	zj->job.type = VMPKRAM_JOB_SCRUB;
	zj->job.start = 0;
	zj->job.end = (unsigned long)zj->nr << VMPKRAM_BLOCK_SHIFT;
	zj->job.chunk = VMPKRAM_BLOCK_SIZE;
	zj->job.threads = min(vmpkram_max_workers(), zj->nr);
	/* On behalf of the caller, whose file grows. */
	zj->job.caller_pid = task_tgid_vnr(current);
	zj->job.target_pid = zj->job.caller_pid;
	zj->job.chunk_fn = zero_chunk;
	/* No release: a killed caller waits for the workers' blocks. */
	ret = vmpkram_job_run(&zj->job, &rep);

	mutex_lock(&pool->lock);
	settle_claimed(zj);
	if (!ret)
		ret = zj->nr;
out:
	bitmap_free(zj->zeroed);
	kfree(zj->blocks);
	kfree(zj);
	return ret;
}
