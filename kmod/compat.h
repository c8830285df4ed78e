/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels vmpkram builds for (Debian 6.1 and
 * 6.12), decided by compat-probe.sh from the headers at build time.
 * Keep every difference here so the rest of the module reads as code for
 * one kernel.
 */
#ifndef _VMPKRAM_COMPAT_H
#define _VMPKRAM_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <net/genetlink.h>

#include "compat_probed.h"

/* The op struct genetlink hands to pre_doit/post_doit. */
#ifdef HAVE_GENL_SPLIT_OPS
#define vmpkram_genl_op genl_split_ops
#else
#define vmpkram_genl_op genl_ops
#endif

/* get_user_pages_remote() without the vmas argument 6.5 removed. */
static inline long vmpkram_gup_remote(struct mm_struct *mm,
				      unsigned long start, unsigned long nr,
				      unsigned int gup_flags,
				      struct page **pages, int *locked)
{
#ifdef HAVE_GUP_REMOTE_VMAS
	return get_user_pages_remote(mm, start, nr, gup_flags, pages, NULL,
				     locked);
#else
	return get_user_pages_remote(mm, start, nr, gup_flags, pages, locked);
#endif
}

/* pin_user_pages_remote() without the vmas argument 6.5 removed. */
static inline long vmpkram_pin_remote(struct mm_struct *mm,
				      unsigned long start, unsigned long nr,
				      unsigned int gup_flags,
				      struct page **pages, int *locked)
{
#ifdef HAVE_PIN_REMOTE_VMAS
	return pin_user_pages_remote(mm, start, nr, gup_flags, pages, NULL,
				     locked);
#else
	return pin_user_pages_remote(mm, start, nr, gup_flags, pages, locked);
#endif
}

/* Attributes of a dump request, parsed by genetlink with the op's policy. */
static inline struct nlattr **vmpkram_dump_attrs(struct netlink_callback *cb)
{
#ifdef HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* The first argument of inode operations: an idmap, or a user namespace. */
#ifdef HAVE_MNT_IDMAP
#define vmpkram_idmap mnt_idmap
#define vmpkram_nop_idmap (&nop_mnt_idmap)
#else
#define vmpkram_idmap user_namespace
#define vmpkram_nop_idmap (&init_user_ns)
#endif

static inline void vmpkram_vm_flags_set(struct vm_area_struct *vma,
					vm_flags_t flags)
{
#ifdef HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline struct timespec64 vmpkram_inode_mtime(const struct inode *inode)
{
#ifdef HAVE_INODE_MTIME_ACCESSORS
	return inode_get_mtime(inode);
#else
	return inode->i_mtime;
#endif
}

static inline void vmpkram_inode_set_mtime(struct inode *inode,
					   struct timespec64 ts)
{
#ifdef HAVE_INODE_MTIME_ACCESSORS
	inode_set_mtime_to_ts(inode, ts);
#else
	inode->i_mtime = ts;
#endif
}

static inline void vmpkram_inode_set_atime(struct inode *inode,
					   struct timespec64 ts)
{
#ifdef HAVE_INODE_MTIME_ACCESSORS
	inode_set_atime_to_ts(inode, ts);
#else
	inode->i_atime = ts;
#endif
}

/* huge_fault() gets an order from 6.6 on, an enum page_entry_size before. */
#ifdef HAVE_HUGE_FAULT_ORDER
#define VMPKRAM_HUGE_FAULT_ARG unsigned int
static inline unsigned int vmpkram_fault_order(unsigned int order)
{
	return order;
}
#else
#define VMPKRAM_HUGE_FAULT_ARG enum page_entry_size
static inline unsigned int vmpkram_fault_order(enum page_entry_size pe)
{
	return pe == PE_SIZE_PUD ? PUD_SHIFT - PAGE_SHIFT :
	       pe == PE_SIZE_PMD ? PMD_SHIFT - PAGE_SHIFT : 0;
}
#endif

static inline unsigned long vmpkram_mm_get_unmapped_area(struct file *file,
							 unsigned long addr,
							 unsigned long len,
							 unsigned long pgoff,
							 unsigned long flags)
{
#ifdef HAVE_MM_GET_UNMAPPED_AREA
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags);
#else
	return current->mm->get_unmapped_area(file, addr, len, pgoff, flags);
#endif
}

/*
 * Whether faults may install 1 GiB entries (device PUDs, as device-dax
 * does).  Only where the kernel handles them in every path that changes a
 * mapping: 6.1's change_pud_range() (mm/mprotect.c) has no case for a
 * huge PUD, so mprotect() over one finds a "bad pud" and clears it
 * without a TLB flush or an mmu-notifier call.  No type or macro of the
 * headers tells that apart; the function that mprotect() calls for a
 * huge PUD, change_huge_pud() (declared in <linux/huge_mm.h> by the
 * kernels that have the fix, 6.12 here), does, so that is what
 * compat-probe.sh looks for.
 * Without it the mapping takes 2 MiB entries at most, the fault counters
 * show no 1 GiB fault and GET_API lacks VMPKRAM_FEATURE_MAP_1G.
 */
#ifdef HAVE_CHANGE_HUGE_PUD
#define VMPKRAM_MAP_1G	true
#else
#define VMPKRAM_MAP_1G	false
#endif

/*
 * Whether every page-table walker of the kernel leaves a 2 MiB device
 * entry alone.  Before the walker rework of 6.5 (__pte_offset_map(),
 * which takes any leaf PMD for "no table"), 6.1's
 * madvise_cold_or_pageout_pte_range() (MADV_COLD, MADV_PAGEOUT) tests
 * pmd_trans_huge(), false for a device PMD on x86, then
 * pmd_trans_unstable(), which logs "bad pmd" and clears the entry with no
 * TLB flush and no mmu-notifier call.  A later unmap_mapping_range() then
 * finds nothing to flush, and a CPU may still reach the block through its
 * TLB after the block went to another file.  There the module flushes
 * every CPU's TLB once before blocks it frees can be reused
 * (vmpkram_flush_stale_tlbs(), called by free_blocks() in pool_alloc.c
 * and after a memory failure's unmap), and GET_API lacks
 * VMPKRAM_FEATURE_PMD_WALK.  Secondary MMUs (KVM, IOMMU SVA) need no
 * such thing: unmap_mapping_range() calls the mmu notifiers for the
 * whole range, entries or not.
 */
#ifdef HAVE_PTE_OFFSET_MAP_NOLOCK
#define VMPKRAM_PMD_WALK_SAFE	true
static inline void vmpkram_flush_stale_tlbs(void)
{
}
#else
#define VMPKRAM_PMD_WALK_SAFE	false
void vmpkram_flush_stale_tlbs(void);
#endif

/* splice_read for a file system without a page cache. */
#ifdef HAVE_COPY_SPLICE_READ
#define vmpkram_copy_splice_read copy_splice_read
#else
#define vmpkram_copy_splice_read generic_file_splice_read
#endif

#endif /* _VMPKRAM_COMPAT_H */
