/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where the pools are mounted: vmpkramfs lines of /proc/self/mountinfo,
 * whose super options start with pool=NAME (pure parsing, unit tested).
 */
#ifndef _VMPKRAM_QEMU_MOUNTS_H_
#define _VMPKRAM_QEMU_MOUNTS_H_

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

struct pool_mount {
	char dir[PATH_MAX];
	char pool[64];			/* "" when the module does not say */
};

/*
 * The vmpkramfs mounts listed in @f (a mountinfo), the first mount of
 * each pool only, in *@out (malloc'd, NULL when none) and *@n.
 * 0, -ENOMEM, or -EINVAL for a line that is not mountinfo.
 */
int mounts_parse(FILE *f, struct pool_mount **out, size_t *n);

/*
 * The directory of pool @pool (NULL: the only pool mounted) among @m.
 * 0 with *@dir, else -ENOENT (not mounted) or -EMLINK (several pools
 * mounted and none named), with @why saying so.
 */
int mounts_pick(const struct pool_mount *m, size_t n, const char *pool,
		const struct pool_mount **pick, const char **why);

#endif /* _VMPKRAM_QEMU_MOUNTS_H_ */
