// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * GET_STATUS and SET_PARAMS, and strict parsing of the status attributes.
 *
 * The kernel is trusted to be well behaved, but a status that cannot be
 * fully validated is reported as an error rather than shown half right:
 * a tool printing a made-up worker count is worse than one that fails.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "netlink.h"
#include "private.h"
#include "status.h"

int vmpkram_why(int error, char *why, size_t why_size, const char *format,
		...)
{
	va_list args;

	if (why && why_size) {
		va_start(args, format);
		vsnprintf(why, why_size, format, args);
		va_end(args);
	}
	return error;
}

int vmpkram_attr_check(struct nlattr **tb, int type, int len, char *why,
		       size_t why_size)
{
	const char *name = vmpkram_attr_name(type);

	if (!tb[type])
		return vmpkram_why(-ENODATA, why, why_size,
				   "attribute %s missing", name);
	if (len >= 0 && nla_len(tb[type]) != len)
		return vmpkram_why(-EBADMSG, why, why_size,
				   "attribute %s has length %d, expected %d",
				   name, nla_len(tb[type]), len);
	return 0;
}

int vmpkram_attr_u32(struct nlattr **tb, int type, uint32_t min,
		     uint32_t max, uint32_t *val, char *why, size_t why_size)
{
	int ret = vmpkram_attr_check(tb, type, sizeof(uint32_t), why,
				     why_size);

	if (ret)
		return ret;
	*val = nla_get_u32(tb[type]);
	if (*val < min || *val > max)
		return vmpkram_why(-ERANGE, why, why_size,
				   "attribute %s value %u outside %u..%u",
				   vmpkram_attr_name(type), *val, min, max);
	return 0;
}

int vmpkram_attr_u64(struct nlattr **tb, int type, uint64_t min,
		     uint64_t max, uint64_t *val, char *why, size_t why_size)
{
	int ret = vmpkram_attr_check(tb, type, sizeof(uint64_t), why,
				     why_size);

	if (ret)
		return ret;
	*val = nla_get_u64(tb[type]);
	if (*val < min || *val > max)
		return vmpkram_why(-ERANGE, why, why_size,
				   "attribute %s value %llu outside %llu..%llu",
				   vmpkram_attr_name(type),
				   (unsigned long long)*val,
				   (unsigned long long)min,
				   (unsigned long long)max);
	return 0;
}

int vmpkram_attr_string(struct nlattr **tb, int type, char *buf,
			size_t size, char *why, size_t why_size)
{
	const char *name = vmpkram_attr_name(type);
	const char *s;
	int ret, len;

	ret = vmpkram_attr_check(tb, type, -1, why, why_size);
	if (ret)
		return ret;
	s = nla_data(tb[type]);
	len = nla_len(tb[type]);
	if (len < 1 || s[len - 1] != '\0' || strnlen(s, len) != (size_t)len - 1)
		return vmpkram_why(-EBADMSG, why, why_size,
				   "attribute %s is not a NUL-terminated string",
				   name);
	if (len == 1 || (size_t)len > size)
		return vmpkram_why(-ERANGE, why, why_size,
				   "attribute %s has %d characters, expected 1..%zu",
				   name, len - 1, size - 1);
	memcpy(buf, s, len);
	return 0;
}

int vmpkram_status_from_attrs(struct nlattr **tb, struct vmpkram_status *st,
			      char *why, size_t why_size)
{
	struct vmpkram_status s = { .size = sizeof(s) };
	int ret;

	ret = vmpkram_attr_u32(tb, VMPKRAM_A_API_VERSION, 1, UINT32_MAX,
			       &s.api_version, why, why_size);
	if (!ret)
		ret = vmpkram_attr_string(tb, VMPKRAM_A_MODULE_VERSION,
					  s.module_version,
					  sizeof(s.module_version), why,
					  why_size);
	if (!ret)
		ret = vmpkram_attr_u64(tb, VMPKRAM_A_FEATURES, 0, UINT64_MAX,
				       &s.features, why, why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_WORKERS_LIMIT, 1,
				       UINT32_MAX, &s.workers_limit, why,
				       why_size);
	/* The limit is checked first: it bounds max_workers. */
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_MAX_WORKERS, 1,
				       s.workers_limit, &s.max_workers, why,
				       why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_NR_POOLS, 0, UINT32_MAX,
				       &s.nr_pools, why, why_size);
	/* Optional: modules before the prefault engine do not send it. */
	if (!ret && tb[VMPKRAM_A_NR_JOBS])
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_NR_JOBS, 0, UINT32_MAX,
				       &s.nr_jobs, why, why_size);
	/*
	 * Optional too, before huge mappings; but a module that sends one
	 * fault counter sends all three.
	 */
	if (!ret && (tb[VMPKRAM_A_FAULTS_PTE] || tb[VMPKRAM_A_FAULTS_PMD] ||
		     tb[VMPKRAM_A_FAULTS_PUD])) {
		ret = vmpkram_attr_u64(tb, VMPKRAM_A_FAULTS_PTE, 0, UINT64_MAX,
				       &s.faults_pte, why, why_size);
		if (!ret)
			ret = vmpkram_attr_u64(tb, VMPKRAM_A_FAULTS_PMD, 0,
					       UINT64_MAX, &s.faults_pmd, why,
					       why_size);
		if (!ret)
			ret = vmpkram_attr_u64(tb, VMPKRAM_A_FAULTS_PUD, 0,
					       UINT64_MAX, &s.faults_pud, why,
					       why_size);
	}
	if (ret)
		return ret;
	*st = s;
	return 0;
}

int vmpkram_genl_parse(struct nlmsghdr *nlh, unsigned int cmd,
		       struct nlattr **tb, char *why, size_t why_size)
{
	struct genlmsghdr *ghdr;

	if (!genlmsg_valid_hdr(nlh, 0))
		return vmpkram_why(-EBADMSG, why, why_size,
				   "truncated generic netlink message");
	ghdr = nlmsg_data(nlh);
	if (ghdr->cmd != cmd)
		return vmpkram_why(-EBADMSG, why, why_size,
				   "command %u where %u was expected",
				   ghdr->cmd, cmd);
	/* No policy: the callers check exact lengths. */
	if (genlmsg_parse(nlh, 0, tb, VMPKRAM_A_MAX, NULL) < 0)
		return vmpkram_why(-EBADMSG, why, why_size,
				   "malformed attributes");
	return 0;
}

int vmpkram_status_from_msg(struct nlmsghdr *nlh, unsigned int cmd,
			    struct vmpkram_status *st, char *why,
			    size_t why_size)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	int ret;

	ret = vmpkram_genl_parse(nlh, cmd, tb, why, why_size);
	if (ret)
		return ret;
	return vmpkram_status_from_attrs(tb, st, why, why_size);
}

int vmpkram_status_copy(const struct vmpkram_status *src,
			struct vmpkram_status *dst)
{
	return vmpkram_sized_copy(dst, src, sizeof(*src),
				  VMPKRAM_STATUS_SIZE_V1);
}

static int status_reply(struct vmpkram_ctx *ctx, struct nl_msg *msg,
			void *arg)
{
	char why[128];
	int ret;

	ret = vmpkram_status_from_msg(nlmsg_hdr(msg), VMPKRAM_CMD_GET_STATUS,
				      arg, why, sizeof(why));
	if (ret)
		return vmpkram_fail(ctx, ret, "bad status reply from the kernel: %s",
				    why);
	return 0;
}

VMPKRAM_EXPORT int vmpkram_get_status(struct vmpkram_ctx *ctx,
				      struct vmpkram_status *st)
{
	struct vmpkram_status s = { 0 };
	struct nl_msg *msg;
	int ret;

	if (st->size < VMPKRAM_STATUS_SIZE_V1)
		return vmpkram_fail(ctx, -EINVAL,
				    "struct vmpkram_status size %u below %zu",
				    st->size, VMPKRAM_STATUS_SIZE_V1);

	ret = vmpkram_nl_msg(ctx, VMPKRAM_CMD_GET_STATUS, &msg);
	if (ret)
		return ret;
	ret = vmpkram_nl_request(ctx, msg, status_reply, &s);
	if (ret)
		return ret;
	if (!s.size)
		return vmpkram_fail(ctx, -EBADMSG,
				    "the kernel acknowledged GET_STATUS without a status");
	return vmpkram_status_copy(&s, st);
}

/* @n is 1..workers_limit, or 0 for the default: one per online CPU. */
VMPKRAM_EXPORT int vmpkram_set_max_workers(struct vmpkram_ctx *ctx,
					   uint32_t n)
{
	struct nl_msg *msg;
	int ret;

	ret = vmpkram_nl_msg(ctx, VMPKRAM_CMD_SET_PARAMS, &msg);
	if (ret)
		return ret;
	if (nla_put_u32(msg, VMPKRAM_A_MAX_WORKERS, n) < 0) {
		nlmsg_free(msg);
		return vmpkram_fail(ctx, -EMSGSIZE,
				    "cannot build a SET_PARAMS request");
	}
	return vmpkram_nl_request(ctx, msg, NULL, NULL);
}
