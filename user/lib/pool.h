/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pool attributes -> struct vmpkram_pool, shared by the pool replies,
 * the POOL_GET dump and the POOL_NTF event, and unit tested on the host.
 */
#ifndef _LIBVMPKRAM_POOL_H_
#define _LIBVMPKRAM_POOL_H_

#include <stddef.h>

#include "abi.h"
#include "libvmpkram.h"

struct nlattr;
struct nlmsghdr;

/* 1 when @name is 1..VMPKRAM_POOL_NAME_MAX characters of [A-Za-z0-9_-]. */
int vmpkram_pool_name_ok(const char *name);

/*
 * Fills @pool (all of it, size included) from @tb of a message for @cmd.
 * Required: the name (valid as above), the base and size (multiples of
 * VMPKRAM_POOL_BLOCK_SIZE, size in MIN..MAX_SIZE, no wrap) and the state;
 * but a VMPKRAM_CMD_POOL_NTF event must not carry the base (any user may
 * read events; it would tell them physical addresses): base 0 there.
 * Everything else is optional (0 when absent; a module sends no UUID for
 * a pool it never formatted) but checked when present: exact lengths,
 * clean and mounted 0 or 1, the block size a power of two, the data size
 * within the pool, used and free within the data size, scrub-pending and
 * largest-free within free, the files within max-files.  The reason is cut
 * to fit.  Returns 0, -ENODATA, -EBADMSG or -ERANGE, with the reason
 * naming the attribute in @why when not NULL.
 */
int vmpkram_pool_from_attrs(struct nlattr **tb, unsigned int cmd,
			    struct vmpkram_pool *pool, char *why,
			    size_t why_size);

/*
 * The same from a whole generic netlink message carrying @cmd, or
 * VMPKRAM_CMD_POOL_GET (a module may answer any pool command with the
 * pool as POOL_GET would show it).
 */
int vmpkram_pool_from_msg(struct nlmsghdr *nlh, unsigned int cmd,
			  struct vmpkram_pool *pool, char *why,
			  size_t why_size);

/*
 * A POOL_NTF message: %VMPKRAM_A_POOL_EVENT (required, a known event) and
 * the pool as above, without its base.  Returns as
 * vmpkram_pool_from_attrs().
 */
int vmpkram_pool_ntf_from_msg(struct nlmsghdr *nlh,
			      struct vmpkram_pool_ntf *ntf, char *why,
			      size_t why_size);

/*
 * Copies @src to the caller's size-first @dst like
 * vmpkram_status_copy(); -EINVAL when dst->size is below the first
 * version.
 */
int vmpkram_pool_copy(const struct vmpkram_pool *src,
		      struct vmpkram_pool *dst);

/*
 * A POOL_CHECK or POOL_REPAIR reply (@cmd) into @rep (all of it, size
 * included): the name and state, both slots with their checks, the
 * action and its slot, the counts, the text and the dropped files.
 * Strings are cut to fit; numbers are checked against their enums and
 * each other.  Returns as vmpkram_pool_from_attrs().
 */
int vmpkram_report_from_msg(struct nlmsghdr *nlh, unsigned int cmd,
			    struct vmpkram_pool_report *rep, char *why,
			    size_t why_size);

#endif /* _LIBVMPKRAM_POOL_H_ */
