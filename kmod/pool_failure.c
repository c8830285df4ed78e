// SPDX-License-Identifier: GPL-2.0
/*
 * Memory failure in a pool: the kernel's memory_failure() (a machine
 * check the platform reported, or MADV_HWPOISON) hands a poisoned pool
 * page to vmpkram_memory_failure() through the pgmap's ops, as it does
 * for fs-DAX and device-dax.
 *
 * What is done with it:
 *  - the page is remembered (pool->poison) and its 2 MiB block marked bad
 *    (pool->bad): huge faults on the block fall back to 4 KiB entries, a
 *    4 KiB fault on the page itself is VM_FAULT_HWPOISON (SIGBUS with
 *    BUS_MCEERR_AR and the page's address, which QEMU turns into a guest
 *    machine check), and read()/write() stop before it with EIO;
 *  - the block is unmapped from every mapping of its file (with the whole
 *    GiB around it where 1 GiB entries may map it), so the next access
 *    faults instead of touching the poisoned memory again;
 *  - the file is marked poisoned in the file table (VMPKRAM_PF_POISONED,
 *    committed when the pool is writable, reported by GET_FILES);
 *  - a bad block that is freed (truncate, unlink) or that was free is
 *    never handed out or scrubbed again: it is recorded as
 *    VMPKRAM_BM_BAD in the block map, which survives kexec.
 *
 * Not covered: which pages of a block were poisoned is known only to the
 * kernel that saw the error (after kexec a marked file reads normally
 * until the platform reports the page again); the processes that map a
 * page are not killed early ("action optional"), they get SIGBUS at their
 * next access; a poisoned metadata block is only reported.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/xarray.h>

#include "compat.h"
#include "fs.h"
#include "pool.h"

/* The page at @phys was reported poisoned (any kernel context). */
bool vmpkram_page_poisoned(struct vmpkram_pool *pool, phys_addr_t phys)
{
	u32 b = (phys - pool->base) >> VMPKRAM_BLOCK_SHIFT;

	if (!test_bit(b, pool->bad))
		return false;
	return xa_load(&pool->poison, PHYS_PFN(phys - pool->base));
}

/*
 * Bytes from @phys on, up to @len, before the first poisoned page: what
 * read() and write() may copy.
 */
size_t vmpkram_unpoisoned_bytes(struct vmpkram_pool *pool, phys_addr_t phys,
				size_t len)
{
	phys_addr_t p = ALIGN_DOWN(phys, PAGE_SIZE);

	if (!test_bit((phys - pool->base) >> VMPKRAM_BLOCK_SHIFT, pool->bad))
		return len;
	for (; p < phys + len; p += PAGE_SIZE)
		if (vmpkram_page_poisoned(pool, p))
			return p > phys ? p - phys : 0;
	return len;
}

/*
 * The mapped file owning @slot on the mounted vmpkramfs, with a reference,
 * or NULL.  Caller holds pool->lock and an active reference to @sb.
 */
static struct inode *slot_inode(struct super_block *sb, u32 slot)
{
	struct inode *inode, *found = NULL;

	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		if (S_ISREG(inode->i_mode) && VMPKRAM_I(inode)->slot == slot) {
			found = igrab(inode);
			break;
		}
	}
	spin_unlock(&sb->s_inode_list_lock);
	return found;
}

/* Blocks withdrawn for good (a bad block may still be a file's). */
u32 vmpkram_nr_withdrawn(struct vmpkram_pool *pool)
{
	u32 b, n = 0;

	for_each_set_bit(b, pool->bad, pool->nr_blocks)
		n += pool->bmap[b].owner == cpu_to_le32(VMPKRAM_BM_BAD);
	return n;
}

/* Takes block @b out of use for good.  Caller holds pool->lock. */
void vmpkram_block_withdraw(struct vmpkram_pool *pool, u32 b)
{
	pool->bmap[b].owner = cpu_to_le32(VMPKRAM_BM_BAD);
	pool->bmap[b].index = 0;
	vmpkram_block_changed(pool, b);
}

/*
 * Records the poisoned page @page of block @b, whose owner is @owner.
 * Caller holds pool->lock.
 */
static void record_poison(struct vmpkram_pool *pool, u32 b, u32 owner,
			  pgoff_t page)
{
	bool idle_free = false;

	/* Bit before entry: see vmpkram_page_poisoned(), which reads both. */
	set_bit(b, pool->bad);
	xa_store(&pool->poison, page, xa_mk_value(1), GFP_KERNEL);
	if (owner == VMPKRAM_BM_FREE) {
		if (test_and_clear_bit(b, pool->clean)) {
			pool->nr_clean--;
			idle_free = true;
		}
		if (test_and_clear_bit(b, pool->dirty)) {
			pool->nr_dirty--;
			idle_free = true;
		}
		/* Otherwise the scrubber has it and withdraws it when done. */
		if (idle_free)
			vmpkram_block_withdraw(pool, b);
	} else if (owner && owner <= VMPKRAM_POOL_MAX_FILES) {
		pool->files[owner - 1].flags |= cpu_to_le32(VMPKRAM_PF_POISONED);
		vmpkram_file_changed(pool, owner - 1);
	}
	vmpkram_meta_commit_pending(pool);
}

/* One poisoned page at @phys, inside the pool's data blocks. */
static void fail_page(struct vmpkram_pool *pool, phys_addr_t phys)
{
	u32 b = (phys - pool->base) >> VMPKRAM_BLOCK_SHIFT, owner;
	struct super_block *sb = NULL;
	struct inode *inode = NULL;
	loff_t pos = 0;

	mutex_lock(&pool->lock);
	owner = le32_to_cpu(pool->bmap[b].owner);
	record_poison(pool, b, owner, PHYS_PFN(phys - pool->base));
	/* A mapping holds the file, hence the mount: no active sb, no mapping. */
	if (owner && owner <= VMPKRAM_POOL_MAX_FILES && pool->sb &&
	    atomic_inc_not_zero(&pool->sb->s_active)) {
		sb = pool->sb;
		inode = slot_inode(sb, owner - 1);
		pos = (loff_t)le32_to_cpu(pool->bmap[b].index) << VMPKRAM_BLOCK_SHIFT;
	}
	mutex_unlock(&pool->lock);

	pr_err("pool %s: memory failure at %pa (block %u, %s): page withdrawn\n",
	       pool->name, &phys, b,
	       owner == VMPKRAM_BM_FREE ? "free" : "file data, file marked poisoned");
	if (inode) {
		/*
		 * Huge entries over the block go: the next access faults.  A
		 * 1 GiB entry goes whole, as memory_failure() unmaps
		 * device-dax's 1 GiB pages: cutting a block out of it would
		 * split it outside its mm's mmap lock (see unmap_range() in
		 * fs_file.c).
		 */
		if (vmpkram_map_1g)
			unmap_mapping_range(inode->i_mapping,
					    ALIGN_DOWN(pos, PUD_SIZE), PUD_SIZE, 1);
		else
			unmap_mapping_range(inode->i_mapping, pos,
					    VMPKRAM_BLOCK_SIZE, 1);
		/* A dropped 2 MiB entry may linger in a TLB (compat.h). */
		vmpkram_flush_stale_tlbs();
		iput(inode);
	}
	if (sb)
		deactivate_super(sb);
}

static int vmpkram_memory_failure(struct dev_pagemap *pgmap, unsigned long pfn,
				  unsigned long nr_pages, int mf_flags)
{
	struct vmpkram_pool *pool = container_of(pgmap, struct vmpkram_pgmap,
						 pgmap)->pool;
	phys_addr_t phys = PFN_PHYS(pfn), meta_end;
	unsigned long i;

	meta_end = vmpkram_block_phys(pool, pool->meta_blocks);
	for (i = 0; i < nr_pages; i++, phys += PAGE_SIZE) {
		if (phys < pool->base || phys - pool->base >= pool->size)
			return -ENXIO;
		if (phys < meta_end) {
			pr_err("pool %s: memory failure at %pa in its metadata: not recoverable; copy the files out, then detach and format the pool\n",
			       pool->name, &phys);
			return -EBUSY;
		}
		fail_page(pool, phys);
	}
	return 0;
}

const struct dev_pagemap_ops vmpkram_pgmap_ops = {
	.memory_failure = vmpkram_memory_failure,
};

/*
 * For a pool whose struct pages outlive the module (an unload killed
 * while pages were pinned): memory_failure() must not call into module
 * text that is about to be freed, nor write metadata that nobody reads.
 * Its handlers run under the kernel's mf_mutex, which unpoison_memory()
 * takes too: with the ops gone, taking and releasing it through a page
 * that is not poisoned (one of the pool struct's own) waits out any
 * handler that still saw them, and later ones take the generic path.
 */
void vmpkram_failure_disown(struct vmpkram_pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->nr_pgmaps; i++)
		WRITE_ONCE(pool->pgmaps[i].pgmap.ops, NULL);
	if (IS_ENABLED(CONFIG_MEMORY_FAILURE))
		unpoison_memory(page_to_pfn(virt_to_page(pool)));
}
