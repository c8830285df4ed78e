// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkramfs file contents: read/write, size changes, fsync and shared
 * mappings of pool memory.
 *
 * There is no page cache: reads and writes copy straight from and to the
 * pool, and mappings insert the pool's page frames (VM_PFNMAP).  A size
 * change holds the mapping's invalidate_lock, so no fault can map a block
 * that is being freed, and shrinking unmaps the tail before the blocks go
 * back to the pool.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/falloc.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/uio.h>

#include "compat.h"
#include "fs.h"

static void *file_addr(struct inode *inode, loff_t pos)
{
	struct vmpkram_pool *pool = VMPKRAM_POOL(inode);
	u32 b = pool->fblocks[VMPKRAM_I(inode)->slot][pos >> VMPKRAM_BLOCK_SHIFT];

	return vmpkram_block_addr(pool, b) + (pos & (VMPKRAM_BLOCK_SIZE - 1));
}

/* Bytes from @pos to the end of its block, at most @max. */
static size_t block_chunk(loff_t pos, size_t max)
{
	return min_t(size_t, max, VMPKRAM_BLOCK_SIZE - (pos & (VMPKRAM_BLOCK_SIZE - 1)));
}

/* st_blocks (512-byte units) of file table entry @slot. */
static blkcnt_t blocks_of(struct vmpkram_pool *pool, u32 slot)
{
	return (blkcnt_t)le32_to_cpu(pool->files[slot].nr_blocks) <<
	       (VMPKRAM_BLOCK_SHIFT - 9);
}

/* Caller holds the inode lock. */
int vmpkram_setsize(struct inode *inode, loff_t size)
{
	struct address_space *mapping = inode->i_mapping;
	struct vmpkram_pool *pool = VMPKRAM_POOL(inode);
	u32 slot = VMPKRAM_I(inode)->slot;
	int ret;

	filemap_invalidate_lock(mapping);
	mutex_lock(&pool->lock);
	ret = vmpkram_pool_writable(pool);
	if (!ret && size < i_size_read(inode))
		unmap_mapping_range(mapping, round_up(size, PAGE_SIZE), 0, 1);
	if (!ret)
		ret = vmpkram_file_resize(pool, slot, size);
	if (!ret) {
		i_size_write(inode, size);
		vmpkram_inode_set_mtime(inode, inode_set_ctime_current(inode));
		vmpkram_sync_times(inode);
		/*
		 * Blocks changing hands are committed now; a size change inside
		 * the last block (small appends to a state file) waits for the
		 * next commit, fsync, seal or the reboot notifier.
		 */
		if (inode->i_blocks != blocks_of(pool, slot)) {
			inode->i_blocks = blocks_of(pool, slot);
			vmpkram_meta_commit(pool);
		}
	}
	mutex_unlock(&pool->lock);
	filemap_invalidate_unlock(mapping);
	return ret;
}

static ssize_t vmpkram_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	loff_t pos = iocb->ki_pos, size;
	ssize_t done = 0;
	size_t n, copied;

	inode_lock_shared(inode);
	size = i_size_read(inode);
	while (iov_iter_count(to) && pos < size) {
		n = block_chunk(pos, min_t(u64, iov_iter_count(to), size - pos));
		copied = copy_to_iter(file_addr(inode, pos), n, to);
		pos += copied;
		done += copied;
		if (copied < n) {
			if (!done)
				done = -EFAULT;
			break;
		}
		cond_resched();
	}
	inode_unlock_shared(inode);
	if (done > 0)
		iocb->ki_pos = pos;
	file_accessed(iocb->ki_filp);
	return done;
}

static size_t copy_in(struct inode *inode, loff_t pos, struct iov_iter *from)
{
	size_t n, copied, done = 0;

	while (iov_iter_count(from)) {
		n = block_chunk(pos, iov_iter_count(from));
		copied = copy_from_iter(file_addr(inode, pos), n, from);
		pos += copied;
		done += copied;
		if (copied < n)
			break;
		cond_resched();
	}
	return done;
}

static void touch(struct inode *inode)
{
	struct vmpkram_pool *pool = VMPKRAM_POOL(inode);

	vmpkram_inode_set_mtime(inode, inode_set_ctime_current(inode));
	mutex_lock(&pool->lock);
	vmpkram_sync_times(inode);
	mutex_unlock(&pool->lock);
}

static ssize_t vmpkram_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	loff_t pos, end, old;
	ssize_t ret;
	size_t done;

	inode_lock(inode);
	ret = generic_write_checks(iocb, from);
	if (ret <= 0)
		goto out;
	ret = file_remove_privs(iocb->ki_filp);
	if (ret)
		goto out;

	pos = iocb->ki_pos;
	end = pos + iov_iter_count(from);
	old = i_size_read(inode);
	if (end > old) {
		ret = vmpkram_setsize(inode, end);
		if (ret)
			goto out;
	}
	done = copy_in(inode, pos, from);
	/* A fault in the user buffer: keep only what was written. */
	if (pos + done < end && end > old)
		vmpkram_setsize(inode, max_t(loff_t, old, pos + done));
	if (!done) {
		ret = -EFAULT;
		goto out;
	}
	iocb->ki_pos = pos + done;
	touch(inode);
	ret = done;
out:
	inode_unlock(inode);
	return ret;
}

static int vmpkram_fsync(struct file *file, loff_t start, loff_t end,
			 int datasync)
{
	struct vmpkram_pool *pool = VMPKRAM_POOL(file_inode(file));

	/* Contents are in the pool already; only metadata may lag. */
	mutex_lock(&pool->lock);
	if (pool->dirty_shadow && !vmpkram_pool_writable(pool))
		vmpkram_meta_commit(pool);
	mutex_unlock(&pool->lock);
	return 0;
}

/*
 * Files are always fully backed, so allocating means growing.  Space past
 * the end of file cannot be reserved (KEEP_SIZE beyond EOF) and holes
 * cannot be punched yet.
 */
static long vmpkram_fallocate(struct file *file, int mode, loff_t offset,
			      loff_t len)
{
	struct inode *inode = file_inode(file);
	loff_t end;
	long ret = 0;

	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	if (check_add_overflow(offset, len, &end))
		return -EFBIG;

	inode_lock(inode);
	ret = inode_newsize_ok(inode, end);
	if (!ret && end > i_size_read(inode))
		ret = mode ? -EOPNOTSUPP : vmpkram_setsize(inode, end);
	inode_unlock(inode);
	return ret;
}

static vm_fault_t vmpkram_fault(struct vm_fault *vmf)
{
	struct inode *inode = file_inode(vmf->vma->vm_file);
	struct vmpkram_pool *pool = VMPKRAM_POOL(inode);
	loff_t pos = (loff_t)vmf->pgoff << PAGE_SHIFT;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	u32 b;

	filemap_invalidate_lock_shared(inode->i_mapping);
	if (pos < i_size_read(inode)) {
		b = pool->fblocks[VMPKRAM_I(inode)->slot][pos >> VMPKRAM_BLOCK_SHIFT];
		ret = vmf_insert_pfn(vmf->vma, vmf->address,
				     PHYS_PFN(vmpkram_block_phys(pool, b) +
					      (pos & (VMPKRAM_BLOCK_SIZE - 1))));
	}
	filemap_invalidate_unlock_shared(inode->i_mapping);
	return ret;
}

static const struct vm_operations_struct vmpkram_vm_ops = {
	.fault = vmpkram_fault,
};

/*
 * Only shared mappings: a private copy-on-write mapping of pool memory has
 * no use for guest RAM, and VM_PFNMAP cannot back it.
 */
static int vmpkram_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	file_accessed(file);
	vmpkram_vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &vmpkram_vm_ops;
	return 0;
}

const struct file_operations vmpkram_file_fops = {
	.open = generic_file_open,
	.llseek = generic_file_llseek,
	.read_iter = vmpkram_read_iter,
	.write_iter = vmpkram_write_iter,
	.mmap = vmpkram_mmap,
	.fsync = vmpkram_fsync,
	.fallocate = vmpkram_fallocate,
};
