/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels vmpkram builds for (Debian 6.1 and
 * 6.12), decided by compat-probe.sh from the headers at build time.
 * Keep every difference here so the rest of the module reads as code for
 * one kernel.
 */
#ifndef _VMPKRAM_COMPAT_H
#define _VMPKRAM_COMPAT_H

#include <net/genetlink.h>

#include "compat_probed.h"

/* The op struct genetlink hands to pre_doit/post_doit. */
#ifdef HAVE_GENL_SPLIT_OPS
#define vmpkram_genl_op genl_split_ops
#else
#define vmpkram_genl_op genl_ops
#endif

#endif /* _VMPKRAM_COMPAT_H */
