/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Status attributes -> struct vmpkram_status, shared by the GET_STATUS
 * reply and the STATUS_NTF event, and unit tested on the host.
 */
#ifndef _LIBVMPKRAM_STATUS_H_
#define _LIBVMPKRAM_STATUS_H_

#include <stddef.h>

#include "libvmpkram.h"

struct nlattr;
struct nlmsghdr;

/* The first released struct vmpkram_status is the smallest accepted. */
#define VMPKRAM_STATUS_SIZE_V1	sizeof(struct vmpkram_status)

/*
 * Fills @st (all of it, size included) from @tb, indexed by attribute type
 * up to VMPKRAM_A_MAX.  Every attribute must be present with its exact
 * length; values must be in range and the module version a NUL-terminated,
 * non-empty string that fits.  Returns 0, -ENODATA (missing), -EBADMSG
 * (malformed) or -ERANGE (out of range); @why, when not NULL, gets the
 * reason naming the attribute.
 */
int vmpkram_status_from_attrs(struct nlattr **tb, struct vmpkram_status *st,
			      char *why, size_t why_size);

/* The same from a whole generic netlink message carrying @cmd. */
int vmpkram_status_from_msg(struct nlmsghdr *nlh, unsigned int cmd,
			    struct vmpkram_status *st, char *why,
			    size_t why_size);

/*
 * Copies @src to the caller's size-first @dst: what both know, zeroes past
 * what the library knows.  -EINVAL when dst->size is below the first
 * version.
 */
int vmpkram_status_copy(const struct vmpkram_status *src,
			struct vmpkram_status *dst);

#endif /* _LIBVMPKRAM_STATUS_H_ */
