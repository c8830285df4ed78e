/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels vmpkram builds for (Debian 6.1 and
 * 6.12), decided by compat-probe.sh from the headers at build time.
 * Keep every difference here so the rest of the module reads as code for
 * one kernel.
 */
#ifndef _VMPKRAM_COMPAT_H
#define _VMPKRAM_COMPAT_H

#include <linux/mm.h>
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

#endif /* _VMPKRAM_COMPAT_H */
