/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmpkram internal declarations shared by the module's files.
 */
#ifndef _VMPKRAM_H
#define _VMPKRAM_H

#include <linux/atomic.h>
#include <linux/types.h>

#include "uapi/linux/vmpkram.h"

/* fs_file.c: whether vmpkramfs maps 1 GiB entries on this kernel (compat.h) */
extern const bool vmpkram_map_1g;
/* pool_alloc.c: whether the kernel's walkers keep 2 MiB entries (compat.h) */
extern const bool vmpkram_pmd_walk_safe;

/* What this build implements; reported by GET_API and GET_STATUS. */
#define VMPKRAM_FEATURES	(VMPKRAM_FEATURE_NETLINK | VMPKRAM_FEATURE_PREFAULT | \
				 VMPKRAM_FEATURE_POOL | VMPKRAM_FEATURE_VMPKRAMFS | \
				 (vmpkram_map_1g ? VMPKRAM_FEATURE_MAP_1G : 0) | \
				 (vmpkram_pmd_walk_safe ? VMPKRAM_FEATURE_PMD_WALK : 0))

struct vmpkram_job;

/* config.c: run-time parameters */
unsigned int vmpkram_max_workers(void);
void vmpkram_set_max_workers(unsigned int workers);

/* fs_file.c: faults on vmpkramfs mappings, by size */
enum { VMPKRAM_FAULT_PTE, VMPKRAM_FAULT_PMD, VMPKRAM_FAULT_PUD, VMPKRAM_FAULT_SIZES };
extern atomic64_t vmpkram_faults[VMPKRAM_FAULT_SIZES];

/* pool.c */
unsigned int vmpkram_nr_pools(void);

/* prefault.c: VMPKRAM_IOC_PREFAULT */
int vmpkram_prefault_init(void);
int vmpkram_ioctl_prefault(void *arg);

/* chardev.c: /dev/vmpkram */
int vmpkram_chardev_init(void);
void vmpkram_chardev_exit(void);

/* netlink.c: generic netlink family */
int vmpkram_netlink_init(void);
void vmpkram_netlink_exit(void);
void vmpkram_notify_job(const struct vmpkram_job *job);

#endif /* _VMPKRAM_H */
