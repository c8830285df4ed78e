// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Strict parsing of the pool attributes.  As for the status, a pool that
 * cannot be fully validated is an error: a tool that shows the wrong
 * address or a made-up free size for a pool of guest RAM is worse than
 * one that fails.  What a module leaves out (a pool that was never
 * formatted has no UUID or files) is 0, not an error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "netlink.h"
#include "pool.h"
#include "status.h"

int vmpkram_pool_name_ok(const char *name)
{
	size_t len = strnlen(name, VMPKRAM_POOL_NAME_MAX + 1), i;

	if (!len || len > VMPKRAM_POOL_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '-')
			return 0;
	return 1;
}

static int pool_name(struct nlattr **tb, struct vmpkram_pool *p, char *why,
		     size_t why_size)
{
	int ret = vmpkram_attr_string(tb, VMPKRAM_A_POOL_NAME, p->name,
				      sizeof(p->name), why, why_size);

	if (!ret && !vmpkram_pool_name_ok(p->name))
		return vmpkram_why(-EBADMSG, why, why_size,
				   "attribute %s \"%s\" has characters outside [A-Za-z0-9_-]",
				   vmpkram_attr_name(VMPKRAM_A_POOL_NAME),
				   p->name);
	return ret;
}

/* The base, which events must not carry: any user may listen. */
static int pool_base(struct nlattr **tb, unsigned int cmd,
		     struct vmpkram_pool *p, char *why, size_t why_size)
{
	if (cmd != VMPKRAM_CMD_POOL_NTF)
		return vmpkram_attr_u64(tb, VMPKRAM_A_POOL_BASE, 0,
					UINT64_MAX - (p->pool_size - 1),
					&p->base, why, why_size);
	if (tb[VMPKRAM_A_POOL_BASE])
		return vmpkram_why(-EBADMSG, why, why_size,
				   "attribute %s in a notification",
				   vmpkram_attr_name(VMPKRAM_A_POOL_BASE));
	return 0;
}

/* Required: where the pool is, how big, and in which state. */
static int pool_range(struct nlattr **tb, unsigned int cmd,
		      struct vmpkram_pool *p, char *why, size_t why_size)
{
	const uint64_t block = VMPKRAM_POOL_BLOCK_SIZE;
	int ret;

	ret = vmpkram_attr_u64(tb, VMPKRAM_A_POOL_SIZE, VMPKRAM_POOL_MIN_SIZE,
			       VMPKRAM_POOL_MAX_SIZE, &p->pool_size, why,
			       why_size);
	/* The size is read first: the base must leave room for it. */
	if (!ret)
		ret = pool_base(tb, cmd, p, why, why_size);
	if (!ret && ((p->base | p->pool_size) & (block - 1)))
		return vmpkram_why(-ERANGE, why, why_size,
				   "pool at 0x%llx of 0x%llx bytes is not aligned to %llu bytes",
				   (unsigned long long)p->base,
				   (unsigned long long)p->pool_size,
				   (unsigned long long)block);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_POOL_STATE,
				       VMPKRAM_POOL_UNFORMATTED,
				       VMPKRAM_POOL_SEALED, &p->state, why,
				       why_size);
	return ret;
}

static int opt_u64(struct nlattr **tb, int type, uint64_t max, uint64_t *val,
		   char *why, size_t why_size)
{
	if (!tb[type])
		return 0;
	return vmpkram_attr_u64(tb, type, 0, max, val, why, why_size);
}

static int opt_u32(struct nlattr **tb, int type, uint32_t max, uint32_t *val,
		   char *why, size_t why_size)
{
	if (!tb[type])
		return 0;
	return vmpkram_attr_u32(tb, type, 0, max, val, why, why_size);
}

/* Each bound is read before what it bounds. */
static int pool_space(struct nlattr **tb, struct vmpkram_pool *p, char *why,
		      size_t why_size)
{
	uint64_t data_max;
	int ret;

	ret = opt_u64(tb, VMPKRAM_A_POOL_DATA_SIZE, p->pool_size,
		      &p->data_size, why, why_size);
	data_max = tb[VMPKRAM_A_POOL_DATA_SIZE] ? p->data_size : p->pool_size;
	if (!ret)
		ret = opt_u64(tb, VMPKRAM_A_POOL_USED, data_max, &p->used, why,
			      why_size);
	if (!ret)
		ret = opt_u64(tb, VMPKRAM_A_POOL_FREE, data_max - p->used,
			      &p->free, why, why_size);
	if (!ret)
		ret = opt_u64(tb, VMPKRAM_A_POOL_SCRUB_PENDING, p->free,
			      &p->scrub_pending, why, why_size);
	if (!ret)
		ret = opt_u64(tb, VMPKRAM_A_POOL_LARGEST_FREE, p->free,
			      &p->largest_free, why, why_size);
	if (!ret)
		ret = opt_u64(tb, VMPKRAM_A_POOL_BAD, p->used, &p->bad, why,
			      why_size);
	if (!ret)
		ret = opt_u32(tb, VMPKRAM_A_POOL_BLOCK_SIZE, UINT32_MAX,
			      &p->block_size, why, why_size);
	if (!ret && (p->block_size & (p->block_size - 1)))
		return vmpkram_why(-ERANGE, why, why_size,
				   "attribute %s %u is not a power of two",
				   vmpkram_attr_name(VMPKRAM_A_POOL_BLOCK_SIZE),
				   p->block_size);
	return ret;
}

static int pool_meta(struct nlattr **tb, struct vmpkram_pool *p, char *why,
		     size_t why_size)
{
	int ret = 0;

	if (tb[VMPKRAM_A_POOL_UUID]) {
		ret = vmpkram_attr_check(tb, VMPKRAM_A_POOL_UUID,
					 sizeof(p->uuid), why, why_size);
		if (!ret)
			memcpy(p->uuid, nla_data(tb[VMPKRAM_A_POOL_UUID]),
			       sizeof(p->uuid));
	}
	if (!ret)
		ret = opt_u64(tb, VMPKRAM_A_POOL_GENERATION, UINT64_MAX,
			      &p->generation, why, why_size);
	if (!ret)
		ret = opt_u64(tb, VMPKRAM_A_POOL_SEAL_TIME, UINT64_MAX,
			      &p->seal_time_ns, why, why_size);
	if (!ret)
		ret = opt_u32(tb, VMPKRAM_A_POOL_CLEAN, 1, &p->clean, why,
			      why_size);
	if (!ret)
		ret = opt_u32(tb, VMPKRAM_A_POOL_MOUNTED, 1, &p->mounted, why,
			      why_size);
	if (!ret)
		ret = opt_u32(tb, VMPKRAM_A_POOL_MAX_FILES, UINT32_MAX,
			      &p->max_files, why, why_size);
	if (!ret)
		ret = opt_u32(tb, VMPKRAM_A_POOL_LAYOUT, UINT32_MAX, &p->layout,
			      why, why_size);
	if (!ret)
		ret = opt_u32(tb, VMPKRAM_A_POOL_NR_FILES,
			      tb[VMPKRAM_A_POOL_MAX_FILES] ? p->max_files :
							     UINT32_MAX,
			      &p->nr_files, why, why_size);
	return ret;
}

/* Human text for the operator: cut to fit rather than refused. */
static int pool_reason(struct nlattr **tb, struct vmpkram_pool *p, char *why,
		       size_t why_size)
{
	const struct nlattr *a = tb[VMPKRAM_A_POOL_STATE_REASON];
	const char *s;
	int len;

	if (!a)
		return 0;
	s = nla_data(a);
	len = nla_len(a);
	if (len < 1 || s[len - 1] != '\0' || strnlen(s, len) != (size_t)len - 1)
		return vmpkram_why(-EBADMSG, why, why_size,
				   "attribute %s is not a NUL-terminated string",
				   vmpkram_attr_name(VMPKRAM_A_POOL_STATE_REASON));
	snprintf(p->state_reason, sizeof(p->state_reason), "%s", s);
	return 0;
}

int vmpkram_pool_from_attrs(struct nlattr **tb, unsigned int cmd,
			    struct vmpkram_pool *pool, char *why,
			    size_t why_size)
{
	struct vmpkram_pool p = { .size = sizeof(p) };
	int ret;

	ret = pool_name(tb, &p, why, why_size);
	if (!ret)
		ret = pool_range(tb, cmd, &p, why, why_size);
	if (!ret)
		ret = pool_space(tb, &p, why, why_size);
	if (!ret)
		ret = pool_meta(tb, &p, why, why_size);
	if (!ret)
		ret = pool_reason(tb, &p, why, why_size);
	if (ret)
		return ret;
	*pool = p;
	return 0;
}

int vmpkram_pool_from_msg(struct nlmsghdr *nlh, unsigned int cmd,
			  struct vmpkram_pool *pool, char *why,
			  size_t why_size)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	unsigned int got = cmd;
	int ret;

	if (genlmsg_valid_hdr(nlh, 0))
		got = ((struct genlmsghdr *)nlmsg_data(nlh))->cmd;
	if (got == VMPKRAM_CMD_POOL_GET)
		cmd = got;
	ret = vmpkram_genl_parse(nlh, cmd, tb, why, why_size);
	if (ret)
		return ret;
	return vmpkram_pool_from_attrs(tb, cmd, pool, why, why_size);
}

int vmpkram_pool_ntf_from_msg(struct nlmsghdr *nlh,
			      struct vmpkram_pool_ntf *ntf, char *why,
			      size_t why_size)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	struct vmpkram_pool_ntf n = { 0 };
	int ret;

	ret = vmpkram_genl_parse(nlh, VMPKRAM_CMD_POOL_NTF, tb, why,
				 why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_POOL_EVENT,
				       VMPKRAM_POOL_EV_ATTACHED,
				       VMPKRAM_POOL_EV_REPAIRED, &n.event, why,
				       why_size);
	if (!ret)
		ret = vmpkram_pool_from_attrs(tb, VMPKRAM_CMD_POOL_NTF, &n.pool,
					      why, why_size);
	if (ret)
		return ret;
	*ntf = n;
	return 0;
}

int vmpkram_pool_copy(const struct vmpkram_pool *src,
		      struct vmpkram_pool *dst)
{
	return vmpkram_sized_copy(dst, src, sizeof(*src),
				  VMPKRAM_POOL_SIZE_V1);
}
