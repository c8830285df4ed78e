/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Status attributes -> struct vmpkram_status, shared by the GET_STATUS
 * reply and the STATUS_NTF event, and unit tested on the host.
 */
#ifndef _LIBVMPKRAM_STATUS_H_
#define _LIBVMPKRAM_STATUS_H_

#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "libvmpkram.h"

struct nlattr;
struct nlmsghdr;

/*
 * Helpers of the strict attribute parsers (status.c, jobs.c).  Each
 * returns 0 or the error, and on error writes the reason naming the
 * attribute to @why (when not NULL).
 */
int vmpkram_why(int error, char *why, size_t why_size, const char *format,
		...) __attribute__((format(printf, 4, 5)));
/* Present and exactly @len bytes long (any length when @len < 0). */
int vmpkram_attr_check(struct nlattr **tb, int type, int len, char *why,
		       size_t why_size);
int vmpkram_attr_u32(struct nlattr **tb, int type, uint32_t min,
		     uint32_t max, uint32_t *val, char *why, size_t why_size);
int vmpkram_attr_u64(struct nlattr **tb, int type, uint64_t min,
		     uint64_t max, uint64_t *val, char *why, size_t why_size);
/*
 * A NUL-terminated string of 1..@size - 1 characters, copied to @buf:
 * -EBADMSG when not terminated or with an embedded NUL, -ERANGE when
 * empty or too long.
 */
int vmpkram_attr_string(struct nlattr **tb, int type, char *buf,
			size_t size, char *why, size_t why_size);
/* The attributes of a generic netlink message for @cmd, in @tb. */
int vmpkram_genl_parse(struct nlmsghdr *nlh, unsigned int cmd,
		       struct nlattr **tb, char *why, size_t why_size);

/*
 * Fills @st (all of it, size included) from @tb, indexed by attribute type
 * up to VMPKRAM_A_MAX.  Every attribute must be present with its exact
 * length, except VMPKRAM_A_NR_JOBS, which modules before the prefault
 * engine do not send, and the three VMPKRAM_A_FAULTS_*, which modules
 * before huge mappings do not send (all three or none; then 0); values
 * must be in range and the module version a NUL-terminated, non-empty
 * string that fits.  Returns 0, -ENODATA (missing), -EBADMSG
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
 * Copies @src to the caller's size-first @dst: what both know (so never
 * past dst->size), zeroes past what the library knows.  -EINVAL when
 * dst->size is below the first version.
 */
int vmpkram_status_copy(const struct vmpkram_status *src,
			struct vmpkram_status *dst);

#endif /* _LIBVMPKRAM_STATUS_H_ */
