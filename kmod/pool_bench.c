// SPDX-License-Identifier: GPL-2.0
/*
 * The cost of a metadata commit against pool size, for tools/bench
 * (Documentation/benchmarks.rst), through debugfs:
 *
 *   echo "4T fill-hole 20" > /sys/kernel/debug/vmpkram/commit_bench
 *   cat /sys/kernel/debug/vmpkram/commit_bench
 *   4398046511104 fill-hole 20
 *   <20 times in ns>
 *
 * A test VM cannot reserve a pool of a terabyte, but what a commit costs
 * depends only on the metadata, which a pool of any size keeps in its
 * first blocks: an emulated pool has the metadata blocks of the size
 * asked for, in vmalloc memory, and no data blocks.  It is formatted,
 * gets one file and all its free blocks count as scrubbed; then each run
 * is one change through the same functions the VFS calls, and the commit
 * that writes it:
 *
 *   attr       a chmod: one file table entry
 *   fill-hole  a write fault on a punched hole (vmpkram_file_fill_hole(),
 *              the hole punched again between runs): one block map entry
 *   full       every part of the metadata marked changed, and the
 *              commit: what format and the first commit after an
 *              adoption write
 *
 * Nothing here touches a data block: the scrubber is stopped
 * (pool->stopping) and every allocation finds scrubbed blocks.  The
 * emulated pool is not on the list of pools, so nothing else sees it.
 * Root only (debugfs); the size is bounded by VMPKRAM_POOL_MAX_SIZE, so
 * an emulated pool takes at most about 60 MiB while it runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "pool_meta.h"

#define BENCH_MAX_RUNS		1000
#define BENCH_FILE_BLOCKS	16U
#define BENCH_CMD_MAX		64

enum bench_op { OP_ATTR, OP_FILL_HOLE, OP_FULL, NR_OPS };

static const char *const op_names[NR_OPS] = { "attr", "fill-hole", "full" };

static struct dentry *bench_dir;
static DEFINE_MUTEX(bench_lock);	/* one run at a time, and the result */
static char *bench_result;		/* what a read returns */

static void emul_free(struct vmpkram_pool *pool)
{
	vmpkram_alloc_free(pool);
	vmpkram_meta_free(pool);
	vfree(pool->virt);
	kfree(pool);
}

/* A formatted pool of @size whose only memory is its metadata blocks. */
static struct vmpkram_pool *emul_new(u64 size)
{
	struct vmpkram_pool *pool;
	int ret;

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	strscpy(pool->name, "commit-bench", sizeof(pool->name));
	pool->size = size;
	mutex_init(&pool->lock);
	xa_init(&pool->poison);
	ret = vmpkram_meta_alloc(pool);
	if (!ret)
		ret = vmpkram_alloc_init(pool);
	if (!ret) {
		pool->virt = vzalloc((size_t)pool->meta_blocks << VMPKRAM_BLOCK_SHIFT);
		if (!pool->virt)
			ret = -ENOMEM;
	}
	if (ret) {
		emul_free(pool);
		return ERR_PTR(ret);
	}
	pool->stopping = true;		/* no scrubbing: there are no data blocks */
	mutex_lock(&pool->lock);
	vmpkram_meta_format(pool);
	vmpkram_alloc_reset(pool, true);
	mutex_unlock(&pool->lock);
	return pool;
}

/* One file of a few blocks, committed.  Caller holds pool->lock. */
static int emul_file(struct vmpkram_pool *pool, u32 *slot)
{
	u32 blocks = min(BENCH_FILE_BLOCKS,
			 (pool->nr_blocks - pool->meta_blocks) / 2);
	int ret;

	ret = vmpkram_file_create(pool, "bench", 5, S_IFREG | 0600, 0, 0, slot);
	if (!ret)
		ret = vmpkram_file_resize(pool, *slot,
					  (u64)blocks << VMPKRAM_BLOCK_SHIFT);
	if (!ret)
		vmpkram_meta_commit(pool);
	return ret;
}

/* One run of @op; returns its time in ns, or -errno.  pool->lock held. */
static s64 emul_run(struct vmpkram_pool *pool, enum bench_op op, u32 slot,
		    unsigned int run)
{
	u64 t0;
	u32 b;
	int ret;

	switch (op) {
	case OP_ATTR:
		t0 = ktime_get_ns();
		vmpkram_file_set_attr(pool, slot, S_IFREG | (run & 1 ? 0644 : 0600),
				      0, 0);
		vmpkram_meta_commit(pool);
		return ktime_get_ns() - t0;
	case OP_FILL_HOLE:
		b = vmpkram_file_block(pool, slot, 0);
		if (vmpkram_file_punch(pool, slot, 0, 1))
			vmpkram_meta_commit(pool);
		/* What the scrubber does, without memory to zero. */
		if (b != VMPKRAM_HOLE && test_and_clear_bit(b, pool->dirty)) {
			pool->nr_dirty--;
			vmpkram_block_zeroed(pool, b);
		}
		t0 = ktime_get_ns();
		ret = vmpkram_file_fill_hole(pool, slot, 0);
		if (ret <= 0)
			return ret ?: -EIO;
		return ktime_get_ns() - t0;
	default:
		t0 = ktime_get_ns();
		vmpkram_meta_changed_all(pool);
		vmpkram_meta_commit(pool);
		return ktime_get_ns() - t0;
	}
}

static int bench_run(u64 size, enum bench_op op, unsigned int runs)
{
	struct vmpkram_pool *pool;
	size_t len, used;
	unsigned int i;
	char *out;
	s64 t = 0;
	u32 slot;

	/* "NNN " per run and the header line. */
	len = 64 + (size_t)runs * 22;
	out = kmalloc(len, GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	used = scnprintf(out, len, "%llu %s %u\n", size, op_names[op], runs);

	pool = emul_new(size);
	if (IS_ERR(pool)) {
		kfree(out);
		return PTR_ERR(pool);
	}
	mutex_lock(&pool->lock);
	t = emul_file(pool, &slot);
	for (i = 0; !t && i < runs; i++) {
		t = emul_run(pool, op, slot, i);
		if (t < 0)
			break;
		used += scnprintf(out + used, len - used, "%s%lld",
				  i ? " " : "", t);
		t = fatal_signal_pending(current) ? -EINTR : 0;
		cond_resched();
	}
	mutex_unlock(&pool->lock);
	emul_free(pool);
	if (t < 0) {
		kfree(out);
		return t;
	}
	scnprintf(out + used, len - used, "\n");
	kfree(bench_result);
	bench_result = out;
	return 0;
}

/* "SIZE OP RUNS": SIZE as in vmpkram.pool= (4T, 64M), OP attr|fill-hole|full. */
static ssize_t bench_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	char buf[BENCH_CMD_MAX], *cur = buf, *size_s, *op_s, *runs_s, *end;
	unsigned int runs;
	u64 size;
	int op, ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	size_s = strsep(&cur, " ");
	op_s = strsep(&cur, " ");
	runs_s = strim(cur ?: "");
	if (!size_s || !op_s || kstrtouint(runs_s, 10, &runs) ||
	    !runs || runs > BENCH_MAX_RUNS)
		return -EINVAL;
	size = memparse(size_s, &end);
	if (*end || size < VMPKRAM_POOL_MIN_SIZE || size > VMPKRAM_POOL_MAX_SIZE ||
	    !IS_ALIGNED(size, VMPKRAM_BLOCK_SIZE))
		return -EINVAL;
	op = match_string(op_names, NR_OPS, op_s);
	if (op < 0)
		return -EINVAL;

	ret = mutex_lock_killable(&bench_lock);
	if (ret)
		return ret;
	ret = bench_run(size, op, runs);
	mutex_unlock(&bench_lock);
	return ret ?: count;
}

static ssize_t bench_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	ssize_t ret;

	ret = mutex_lock_killable(&bench_lock);
	if (ret)
		return ret;
	ret = simple_read_from_buffer(ubuf, count, ppos, bench_result ?: "",
				      bench_result ? strlen(bench_result) : 0);
	mutex_unlock(&bench_lock);
	return ret;
}

static const struct file_operations bench_fops = {
	.owner = THIS_MODULE,
	.read = bench_read,
	.write = bench_write,
	.llseek = default_llseek,
};

/* Nothing depends on it: without debugfs there is just no benchmark. */
void vmpkram_bench_init(void)
{
	bench_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("commit_bench", 0600, bench_dir, NULL, &bench_fops);
}

void vmpkram_bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
	kfree(bench_result);
	bench_result = NULL;
}
