// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkramfs file contents: read/write, size changes, fsync and shared
 * mappings of pool memory.
 *
 * There is no page cache: reads and writes copy straight from and to the
 * pool, and mappings insert the pool's ZONE_DEVICE pages as DAX entries.  A size
 * change holds the mapping's invalidate_lock, so no fault can map a block
 * that is being freed, and shrinking unmaps the tail before the blocks go
 * back to the pool.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/falloc.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/pfn_t.h>
#include <linux/uio.h>

#include "compat.h"
#include "fs.h"

/* The pool block at file offset @pos, or VMPKRAM_HOLE. */
static u32 file_block(struct inode *inode, loff_t pos)
{
	return vmpkram_file_block(VMPKRAM_POOL(inode), VMPKRAM_I(inode)->slot,
				  pos >> VMPKRAM_BLOCK_SHIFT);
}

/* Where file offset @pos is in the direct map; not for a hole. */
static void *file_addr(struct inode *inode, loff_t pos)
{
	struct vmpkram_pool *pool = VMPKRAM_POOL(inode);

	return vmpkram_block_addr(pool, file_block(inode, pos)) +
	       (pos & (VMPKRAM_BLOCK_SIZE - 1));
}

/*
 * Physical address of the @size bytes at file offset @pos, or 0 when they
 * are not one aligned, physically contiguous run (a 1 GiB fault over
 * blocks that are not adjacent).
 */
static phys_addr_t fault_phys(struct inode *inode, loff_t pos, size_t size)
{
	struct vmpkram_pool *pool = VMPKRAM_POOL(inode);
	u32 slot = VMPKRAM_I(inode)->slot;
	u32 i = pos >> VMPKRAM_BLOCK_SHIFT, n = size >> VMPKRAM_BLOCK_SHIFT, j;
	u32 first = vmpkram_file_block(pool, slot, i);
	phys_addr_t phys = vmpkram_block_phys(pool, first) +
			   (pos & (VMPKRAM_BLOCK_SIZE - 1));

	/* A hole: nothing to map (a huge fault falls back). */
	if (first == VMPKRAM_HOLE || !IS_ALIGNED(phys, size))
		return 0;
	for (j = 1; j < n; j++)
		if (vmpkram_file_block(pool, slot, i + j) != first + j)
			return 0;
	return phys;
}

/*
 * Whether a 1 GiB entry may map file offsets [@pos, @pos + 1 GiB), @pos
 * aligned: only over one aligned run of blocks inside the file (see
 * vmpkram_dax_fault()).  A run that is mapped so loses a block only by a
 * punch or a shrink, which unmap it first (under the invalidate lock,
 * which also keeps faults out), so a range that is not such a run now has
 * no 1 GiB entry.  Caller holds the invalidate lock.
 */
static bool may_map_1g(struct inode *inode, loff_t pos)
{
	return vmpkram_map_1g &&
	       pos + PUD_SIZE <= round_up(i_size_read(inode), PAGE_SIZE) &&
	       fault_phys(inode, pos, PUD_SIZE);
}

/*
 * Unmaps file offsets [@start, @end) from every mapping of @inode, to the
 * end of the file when @end is 0.  An unmap that cuts through a 1 GiB
 * entry would split it outside the mmap lock of the process that maps it,
 * which the kernel asserts (6.12 warns in zap_pud_range(), and with
 * panic_on_warn the host goes down): as memory_failure() does for
 * device-dax's 1 GiB pages, such an entry goes whole, and what stays
 * mapped faults back in.  Caller holds the invalidate lock.
 */
static void unmap_range(struct inode *inode, loff_t start, loff_t end)
{
	loff_t edge = ALIGN_DOWN(start, PUD_SIZE);

	if (edge != start && may_map_1g(inode, edge))
		start = edge;
	edge = ALIGN_DOWN(end, PUD_SIZE);
	if (edge != end && may_map_1g(inode, edge))
		end = edge + PUD_SIZE;
	unmap_mapping_range(inode->i_mapping, start, end ? end - start : 0, 1);
}

/*
 * Gives the hole at file offset @pos a zeroed block: 1 when it did, 0 when
 * there is no hole there (any more).  Mappings may show the hole as the
 * zero page (a read fault, see map_zero_page()): they are unmapped under
 * pool->lock, which map_zero_page() holds too, so no zero page is left
 * over the new block.  No 1 GiB entry maps a hole, so unmapping the block
 * splits none.
 */
static int fill_hole(struct inode *inode, loff_t pos)
{
	struct vmpkram_pool *pool = VMPKRAM_POOL(inode);
	int ret;

	if (file_block(inode, pos) != VMPKRAM_HOLE)
		return 0;
	mutex_lock(&pool->lock);
	ret = vmpkram_file_fill_hole(pool, VMPKRAM_I(inode)->slot,
				     pos >> VMPKRAM_BLOCK_SHIFT);
	if (ret > 0) {
		inode->i_blocks += VMPKRAM_BLOCK_SIZE >> 9;
		unmap_mapping_range(inode->i_mapping,
				    round_down(pos, VMPKRAM_BLOCK_SIZE),
				    VMPKRAM_BLOCK_SIZE, 1);
	}
	mutex_unlock(&pool->lock);
	return ret;
}

/* Bytes from @pos to the end of its block, at most @max. */
static size_t block_chunk(loff_t pos, size_t max)
{
	return min_t(size_t, max, VMPKRAM_BLOCK_SIZE - (pos & (VMPKRAM_BLOCK_SIZE - 1)));
}

/*
 * Bytes from @pos on, at most @max and not past its block, that read()
 * and write() may copy: none when @pos is in a poisoned page.
 */
static size_t io_chunk(struct inode *inode, loff_t pos, size_t max)
{
	struct vmpkram_pool *pool = VMPKRAM_POOL(inode);
	u32 b = file_block(inode, pos);
	phys_addr_t phys = vmpkram_block_phys(pool, b) + (pos & (VMPKRAM_BLOCK_SIZE - 1));

	if (b == VMPKRAM_HOLE)
		return block_chunk(pos, max);
	return vmpkram_unpoisoned_bytes(pool, phys, block_chunk(pos, max));
}

/* st_blocks (512-byte units) of file table entry @slot. */
static blkcnt_t blocks_of(struct vmpkram_pool *pool, u32 slot)
{
	return (blkcnt_t)vmpkram_file_allocated(pool, slot) <<
	       (VMPKRAM_BLOCK_SHIFT - 9);
}

/*
 * Zeroes [@start, @end) of the file where it has blocks (holes read zero
 * already), sparing poisoned pages.  Caller holds the inode lock and the
 * invalidate lock, so the blocks stay put.
 */
static void zero_range(struct inode *inode, loff_t start, loff_t end)
{
	size_t n;

	while (start < end) {
		n = io_chunk(inode, start, end - start);
		if (!n)			/* a poisoned page: reads fail anyway */
			n = min_t(loff_t, PAGE_SIZE - offset_in_page(start), end - start);
		else if (file_block(inode, start) != VMPKRAM_HOLE)
			memset(file_addr(inode, start), 0, n);
		start += n;
		cond_resched();
	}
}

/*
 * Bytes past the new end of file in its block read zero, through read()
 * after a regrow and through mappings of the last page now, as on every
 * Linux file system.  Past the old end of file's page nothing but zero
 * was ever written (see zero_tail() for what grows).
 */
static void zero_shrunk_tail(struct inode *inode, loff_t size, loff_t old)
{
	loff_t end = min(round_up(old, PAGE_SIZE),
			 round_up(size, VMPKRAM_BLOCK_SIZE));

	if (size < end)
		zero_range(inode, size, end);
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
	if (!ret && size < i_size_read(inode)) {
		unmap_range(inode, round_up(size, PAGE_SIZE), 0);
		zero_shrunk_tail(inode, size, i_size_read(inode));
	}
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

/*
 * Copies @n bytes of the file at @pos to @to.  Pool memory can hold
 * poison no kernel knows of yet (a page that went bad before a kexec):
 * the copy is machine-check safe, and a copy that stops short on the
 * pool side is -EIO (the machine check handler reports the page, see
 * pool_failure.c), one that stops on the caller's side -EFAULT.
 */
static ssize_t read_chunk(struct inode *inode, loff_t pos, size_t n,
			  struct iov_iter *to)
{
	void *src;
	size_t copied;
	char probe;

	if (file_block(inode, pos) == VMPKRAM_HOLE)
		return iov_iter_zero(n, to);
	src = file_addr(inode, pos);
	copied = _copy_mc_to_iter(src, n, to);
	if (copied)
		return copied;
	return copy_mc_to_kernel(&probe, src, 1) ? -EIO : -EFAULT;
}

static ssize_t vmpkram_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	loff_t pos = iocb->ki_pos, size;
	ssize_t done = 0, copied;
	size_t n;

	inode_lock_shared(inode);
	size = i_size_read(inode);
	while (iov_iter_count(to) && pos < size) {
		n = io_chunk(inode, pos, min_t(u64, iov_iter_count(to), size - pos));
		if (!n) {
			if (!done)
				done = -EIO;	/* a poisoned page */
			break;
		}
		copied = read_chunk(inode, pos, n, to);
		if (copied < 0) {
			if (!done)
				done = copied;
			break;
		}
		pos += copied;
		done += copied;
		if (copied < n)
			break;
		cond_resched();
	}
	inode_unlock_shared(inode);
	if (done > 0)
		iocb->ki_pos = pos;
	file_accessed(iocb->ki_filp);
	return done;
}

/* Sets *@err to what stopped it short: EFAULT, or EIO (a poisoned page). */
static size_t copy_in(struct inode *inode, loff_t pos, struct iov_iter *from,
		      int *err)
{
	size_t n, copied, done = 0;

	*err = -EFAULT;
	while (iov_iter_count(from)) {
		*err = fill_hole(inode, pos);
		if (*err < 0)
			break;
		*err = -EFAULT;
		n = io_chunk(inode, pos, iov_iter_count(from));
		if (!n) {
			*err = -EIO;
			break;
		}
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
	int err;

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
	done = copy_in(inode, pos, from, &err);
	/* Stopped short: keep only what was written. */
	if (pos + done < end && end > old)
		vmpkram_setsize(inode, max_t(loff_t, old, pos + done));
	if (!done) {
		ret = err;
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
	vmpkram_meta_commit_pending(pool);
	mutex_unlock(&pool->lock);
	return 0;
}

/*
 * FALLOC_FL_PUNCH_HOLE (QEMU's RAM discard): the whole blocks in the range
 * go back to the pool, to be scrubbed, and become holes; the partial
 * blocks at either end are zeroed in place.  Past EOF nothing happens.
 * Freeing blocks changes metadata (EROFS while sealed); zeroing alone
 * does not.  Caller holds the inode lock.
 */
static long punch_hole(struct inode *inode, loff_t start, loff_t end)
{
	struct address_space *mapping = inode->i_mapping;
	struct vmpkram_pool *pool = VMPKRAM_POOL(inode);
	loff_t size = i_size_read(inode);
	u32 first, last;
	long ret = 0;

	end = min(end, size);
	if (start >= end)
		return 0;
	first = DIV_ROUND_UP_ULL(start, VMPKRAM_BLOCK_SIZE);
	/* The last block is whole when the range reaches EOF. */
	last = (end == size ? round_up(end, VMPKRAM_BLOCK_SIZE) : end) >>
	       VMPKRAM_BLOCK_SHIFT;

	filemap_invalidate_lock(mapping);
	if (first < last) {
		mutex_lock(&pool->lock);
		ret = vmpkram_pool_writable(pool);
		if (!ret) {
			unmap_range(inode, (loff_t)first << VMPKRAM_BLOCK_SHIFT,
				    (loff_t)last << VMPKRAM_BLOCK_SHIFT);
			if (vmpkram_file_punch(pool, VMPKRAM_I(inode)->slot, first, last)) {
				inode->i_blocks = blocks_of(pool, VMPKRAM_I(inode)->slot);
				vmpkram_meta_commit(pool);
			}
		}
		mutex_unlock(&pool->lock);
	}
	if (!ret && first < last) {
		zero_range(inode, start, (loff_t)first << VMPKRAM_BLOCK_SHIFT);
		zero_range(inode, (loff_t)last << VMPKRAM_BLOCK_SHIFT, end);
	} else if (!ret) {
		zero_range(inode, start, end);	/* inside one block */
	}
	filemap_invalidate_unlock(mapping);
	if (!ret)
		touch(inode);
	return ret;
}

/* Gives the holes in [@start, @end) blocks.  Caller holds the inode lock. */
static long fill_holes(struct inode *inode, loff_t start, loff_t end)
{
	loff_t pos;
	int ret;

	end = min(end, i_size_read(inode));
	for (pos = ALIGN_DOWN(start, VMPKRAM_BLOCK_SIZE); pos < end;
	     pos += VMPKRAM_BLOCK_SIZE) {
		ret = fill_hole(inode, pos);
		if (ret < 0)
			return ret;
		cond_resched();
	}
	return 0;
}

/*
 * Files are fully backed but for punched holes: allocating means filling
 * holes and growing.  Space past the end of file cannot be reserved
 * (KEEP_SIZE beyond EOF).  The VFS lets PUNCH_HOLE in only with KEEP_SIZE.
 */
static long vmpkram_fallocate(struct file *file, int mode, loff_t offset,
			      loff_t len)
{
	struct inode *inode = file_inode(file);
	loff_t end;
	long ret = 0;

	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	if (check_add_overflow(offset, len, &end))
		return -EFBIG;

	inode_lock(inode);
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		ret = punch_hole(inode, offset, end);
		goto out;
	}
	ret = inode_newsize_ok(inode, end);
	if (!ret && mode && end > i_size_read(inode))
		ret = -EOPNOTSUPP;
	if (!ret)
		ret = fill_holes(inode, offset, end);
	if (!ret && end > i_size_read(inode))
		ret = vmpkram_setsize(inode, end);
out:
	inode_unlock(inode);
	return ret;
}

atomic64_t vmpkram_faults[VMPKRAM_FAULT_SIZES];
const bool vmpkram_map_1g = VMPKRAM_MAP_1G;

/*
 * A huge entry must not cover a block with a poisoned page (the good
 * pages around it are mapped one by one); a 4 KiB one must not map it.
 */
static bool poisoned(struct inode *inode, phys_addr_t phys, unsigned int order)
{
	struct vmpkram_pool *pool = VMPKRAM_POOL(inode);
	u32 b = (phys - pool->base) >> VMPKRAM_BLOCK_SHIFT;
	u32 n = max_t(u32, 1, (PAGE_SIZE << order) >> VMPKRAM_BLOCK_SHIFT);

	if (!order)
		return vmpkram_page_poisoned(pool, phys);
	return find_next_bit(pool->bad, b + n, b) < b + n;
}

/*
 * Pool blocks need no notice of the first write to them: huge entries are
 * mapped writable whenever the mapping is, whatever the access.  4 KiB
 * ones take the mapping's page protection, read-only because of
 * vmpkram_pfn_mkwrite() (6.12 does not export vmf_insert_mixed_mkwrite()):
 * the first write to one takes a second, cheap fault there.
 */
static vm_fault_t insert(struct vm_fault *vmf, unsigned int order, pfn_t pfn)
{
	bool write = vmf->vma->vm_flags & VM_WRITE;

	if (!order)
		return vmf_insert_mixed(vmf->vma, vmf->address, pfn);
	/*
	 * A page table under the huge entry: faults of a smaller size came
	 * first (a zero page over a hole since filled, a poisoned page).
	 * Inserting a writable entry over it would warn; map at their size.
	 */
	if (order == PMD_SHIFT - PAGE_SHIFT) {
		if (!pmd_none(READ_ONCE(*vmf->pmd)))
			return VM_FAULT_FALLBACK;
		return vmf_insert_pfn_pmd(vmf, pfn, write);
	}
	if (!pud_none(READ_ONCE(*vmf->pud)))
		return VM_FAULT_FALLBACK;
	return vmf_insert_pfn_pud(vmf, pfn, write);
}

/*
 * A read fault on a hole maps the shared zero page read-only, as DAX file
 * systems map holes: reading allocates nothing, so a reader (a migration,
 * a dump, a backup, or anyone with only read permission) neither undoes a
 * discard nor takes pool space.  A write to the page comes to
 * vmpkram_pfn_mkwrite().  pool->lock orders this against fill_hole(),
 * which unmaps such zero pages once the hole has a block.  4 KiB only:
 * the huge zero page (what fs/dax.c's dax_pmd_load_hole() maps) is not
 * exported to modules on either kernel, nor is the page-table deposit
 * that goes with it.
 */
static vm_fault_t map_zero_page(struct vm_fault *vmf, struct inode *inode,
				loff_t pos)
{
	struct vmpkram_pool *pool = VMPKRAM_POOL(inode);
	unsigned long pfn = my_zero_pfn(vmf->address);
	vm_fault_t ret = VM_FAULT_NOPAGE;	/* filled meanwhile: fault again */

	/* pfn_mkwrite makes the page protection read-only; make sure. */
	if (WARN_ON_ONCE(pte_write(pfn_pte(pfn, vmf->vma->vm_page_prot))))
		return VM_FAULT_SIGBUS;
	mutex_lock(&pool->lock);
	if (file_block(inode, pos) == VMPKRAM_HOLE)
		ret = vmf_insert_mixed(vmf->vma, vmf->address,
				       pfn_to_pfn_t(pfn));
	mutex_unlock(&pool->lock);
	return ret;
}

/*
 * The fault of the @order entry at file offset @pos, inside the file.
 * Over a hole, a read fault maps the zero page 4 KiB at a time and a
 * write fault fills the hole first (4 KiB and 2 MiB faults; a 1 GiB one
 * falls back to them).
 */
static vm_fault_t fault_in_file(struct vm_fault *vmf, struct inode *inode,
				loff_t pos, unsigned int order)
{
	vm_fault_t fallback = order ? VM_FAULT_FALLBACK : VM_FAULT_SIGBUS;
	size_t size = PAGE_SIZE << order;
	phys_addr_t phys;
	int err;

	if (file_block(inode, pos) == VMPKRAM_HOLE) {
		if (order > PMD_SHIFT - PAGE_SHIFT)
			return VM_FAULT_FALLBACK;
		if (!(vmf->flags & FAULT_FLAG_WRITE))
			return order ? VM_FAULT_FALLBACK :
				       map_zero_page(vmf, inode, pos);
		err = fill_hole(inode, pos);
		if (err == -EINTR || err == -ERESTARTSYS)
			return VM_FAULT_NOPAGE;		/* a fatal signal */
		if (err < 0)
			return VM_FAULT_SIGBUS;
	}

	phys = fault_phys(inode, pos, size);
	if (!phys)
		return fallback;
	if (poisoned(inode, phys, order))
		return order ? VM_FAULT_FALLBACK : VM_FAULT_HWPOISON;
	return insert(vmf, order, phys_to_pfn_t(phys, PFN_DEV | PFN_MAP));
}

/*
 * One fault of 4 KiB, 2 MiB or 1 GiB.  A huge fault the mapping cannot
 * take (not aligned, past the end of file, blocks not contiguous) falls
 * back to the next smaller size.
 */
static vm_fault_t vmpkram_dax_fault(struct vm_fault *vmf, unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct inode *inode = file_inode(vma->vm_file);
	size_t size = PAGE_SIZE << order;
	unsigned long addr = ALIGN_DOWN(vmf->address, size);
	loff_t pos = (loff_t)linear_page_index(vma, addr) << PAGE_SHIFT;
	vm_fault_t ret = order ? VM_FAULT_FALLBACK : VM_FAULT_SIGBUS;

	if (order && (addr < vma->vm_start || addr + size > vma->vm_end ||
		      !IS_ALIGNED(pos, size)))
		return VM_FAULT_FALLBACK;
	if (order == PUD_SHIFT - PAGE_SHIFT && !vmpkram_map_1g)
		return VM_FAULT_FALLBACK;

	filemap_invalidate_lock_shared(inode->i_mapping);
	if (pos + size <= round_up(i_size_read(inode), PAGE_SIZE))
		ret = fault_in_file(vmf, inode, pos, order);
	filemap_invalidate_unlock_shared(inode->i_mapping);
	if (ret == VM_FAULT_NOPAGE)
		atomic64_inc(&vmpkram_faults[order / (PMD_SHIFT - PAGE_SHIFT)]);
	return ret;
}

static vm_fault_t vmpkram_fault(struct vm_fault *vmf)
{
	return vmpkram_dax_fault(vmf, 0);
}

static vm_fault_t vmpkram_huge_fault(struct vm_fault *vmf,
				     VMPKRAM_HUGE_FAULT_ARG size)
{
	return vmpkram_dax_fault(vmf, vmpkram_fault_order(size));
}

/*
 * A write to a read-only 4 KiB entry.  A pool block just becomes writable;
 * the zero page over a hole is replaced by a block, or the write fails
 * with SIGBUS when the pool has none to give.
 */
static vm_fault_t vmpkram_pfn_mkwrite(struct vm_fault *vmf)
{
	if (!is_zero_pfn(pte_pfn(vmf->orig_pte)))
		return 0;
	return vmpkram_dax_fault(vmf, 0);
}

/*
 * A mapping copied within its own mm: mremap() moving it, or a split.
 * mremap()'s move_page_tables() does not know huge device PUDs (6.1 and
 * 6.12 alike: get_old_pud() takes one for a "bad pud" and clears it
 * without a TLB flush), so the range's 1 GiB entries go before it runs;
 * the mmap lock, held for write, keeps them from coming back, and at the
 * new address they fault in again.  A piece smaller than 1 GiB holds no
 * 1 GiB entry of its own.
 */
static void vmpkram_vm_open(struct vm_area_struct *vma)
{
	struct inode *inode = file_inode(vma->vm_file);
	loff_t start = (loff_t)vma->vm_pgoff << PAGE_SHIFT;

	if (!vmpkram_map_1g || vma->vm_mm != current->mm ||
	    vma->vm_end - vma->vm_start < PUD_SIZE)
		return;
	filemap_invalidate_lock_shared(inode->i_mapping);
	unmap_range(inode, start, start + vma->vm_end - vma->vm_start);
	filemap_invalidate_unlock_shared(inode->i_mapping);
}

static const struct vm_operations_struct vmpkram_vm_ops = {
	.open = vmpkram_vm_open,
	.fault = vmpkram_fault,
	.huge_fault = vmpkram_huge_fault,
	.pfn_mkwrite = vmpkram_pfn_mkwrite,
};

/*
 * Only shared mappings: a private copy-on-write mapping of pool memory has
 * no use for guest RAM.  Pool memory has struct pages and the inode is
 * DAX, as with device-dax: faults insert 2 MiB and 1 GiB entries, and
 * get_user_pages() (O_DIRECT, vhost, KVM) works on the mapping.
 */
static int vmpkram_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	file_accessed(file);
	vmpkram_vm_flags_set(vma, VM_HUGEPAGE | VM_DONTEXPAND);
	vma->vm_ops = &vmpkram_vm_ops;
	return 0;
}

/*
 * Places a mapping so that file offset and address agree modulo 1 GiB
 * (mappings of 1 GiB or more) or 2 MiB, so huge faults can be taken.
 */
static unsigned long vmpkram_file_get_unmapped_area(struct file *file,
						    unsigned long addr,
						    unsigned long len,
						    unsigned long pgoff,
						    unsigned long flags)
{
	unsigned long align = len >= PUD_SIZE ? PUD_SIZE : PMD_SIZE;
	unsigned long off = pgoff << PAGE_SHIFT, found;

	if (addr || (flags & MAP_FIXED) || len < PMD_SIZE ||
	    len + align < len)
		goto plain;
	found = vmpkram_mm_get_unmapped_area(file, 0, len + align, pgoff, flags);
	if (IS_ERR_VALUE(found))
		goto plain;
	return found + ((off - found) & (align - 1));
plain:
	return vmpkram_mm_get_unmapped_area(file, addr, len, pgoff, flags);
}

/*
 * There is no page cache to bypass: O_DIRECT opens are accepted, as on
 * DAX file systems, and its reads and writes take the paths above.
 */
const struct address_space_operations vmpkram_file_aops = {
	.direct_IO = noop_direct_IO,
};

/*
 * splice, sendfile and copy_file_range() (the VFS copies through a pipe
 * between two files of one file system) go through read_iter and
 * write_iter.
 */
const struct file_operations vmpkram_file_fops = {
	.open = generic_file_open,
	.llseek = generic_file_llseek,
	.read_iter = vmpkram_read_iter,
	.write_iter = vmpkram_write_iter,
	.splice_read = vmpkram_copy_splice_read,
	.splice_write = iter_file_splice_write,
	.mmap = vmpkram_mmap,
	.get_unmapped_area = vmpkram_file_get_unmapped_area,
	.fsync = vmpkram_fsync,
	.fallocate = vmpkram_fallocate,
};
