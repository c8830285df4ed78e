// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Pool commands: POOL_GET (doit and dump), POOL_ATTACH, POOL_DETACH,
 * POOL_FORMAT, POOL_SEAL and POOL_UNSEAL.
 *
 * The module explains most refusals itself in an extended ACK, which
 * reaches vmpkram_last_error() untouched.  Only a bare errno (an older
 * module, or a check that sends no message) is replaced here by what it
 * means for a pool and what to do about it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "netlink.h"
#include "pool.h"
#include "private.h"
#include "status.h"

/* What the failed command did, for the messages below. */
struct pool_op {
	const char *what;	/* "format" */
	const char *name;	/* NULL: every pool */
	const char *busy;	/* what EBUSY means for this command */
};

static int pool_hint(struct vmpkram_ctx *ctx, int ret,
		     const struct pool_op *op)
{
	const char *name = op->name ? op->name : "(all)";

	if (ret >= 0 || strcmp(ctx->last_error, strerror(-ret)))
		return ret;
	switch (ret) {
	case -EPERM:
		return vmpkram_fail(ctx, ret,
			"pool %s: needs CAP_SYS_ADMIN (pools name physical addresses)",
			op->what);
	case -EOPNOTSUPP:
		return vmpkram_fail(ctx, ret,
			"pool %s: the loaded vmpkram module has no persistent pools (load a newer one)",
			op->what);
	case -ENODEV:
		return vmpkram_fail(ctx, ret,
			"pool %s: no pool named %s is attached (vmpkramctl pool status lists them)",
			op->what, name);
	case -EEXIST:
		return vmpkram_fail(ctx, ret,
			"pool %s: a pool named %s is already attached",
			op->what, name);
	case -EBUSY:
		return vmpkram_fail(ctx, ret, "pool %s %s: %s", op->what, name,
				    op->busy ? op->busy : "busy");
	case -EUCLEAN:
		return vmpkram_fail(ctx, ret,
			"pool %s %s: the pool is unformatted or damaged (vmpkramctl pool status says why; only vmpkramctl pool format makes it usable, erasing it)",
			op->what, name);
	case -EADDRNOTAVAIL:
		return vmpkram_fail(ctx, ret,
			"pool %s %s: the range is not entirely reserved memory: boot with memmap=SIZE$ADDR for it",
			op->what, name);
	default:
		return ret;
	}
}

/* A request for @cmd naming pool @name (none when NULL). */
static int pool_msg(struct vmpkram_ctx *ctx, uint8_t cmd,
		    const struct pool_op *op, struct nl_msg **msg)
{
	int ret;

	if (op->name && !vmpkram_pool_name_ok(op->name))
		return vmpkram_fail(ctx, -EINVAL,
			"pool %s: invalid pool name \"%s\" (1 to %d characters of A-Z a-z 0-9 _ -)",
			op->what, op->name, VMPKRAM_POOL_NAME_MAX);
	ret = vmpkram_nl_msg(ctx, cmd, msg);
	if (ret)
		return ret;
	if (op->name && nla_put_string(*msg, VMPKRAM_A_POOL_NAME, op->name)) {
		nlmsg_free(*msg);
		return vmpkram_fail(ctx, -EMSGSIZE,
				    "pool %s: cannot build the request",
				    op->what);
	}
	return 0;
}

struct pool_reply {
	uint8_t cmd;
	struct vmpkram_pool pool;	/* .size 0 until a reply came */
};

static int pool_reply(struct vmpkram_ctx *ctx, struct nl_msg *msg,
		      void *arg)
{
	struct pool_reply *r = arg;
	char why[128];
	int ret;

	ret = vmpkram_pool_from_msg(nlmsg_hdr(msg), r->cmd, &r->pool, why,
				    sizeof(why));
	if (ret)
		return vmpkram_fail(ctx, ret, "bad pool from the kernel: %s",
				    why);
	return 0;
}

/* Sends @msg and copies the pool of the reply to @pool (may be NULL). */
static int pool_request(struct vmpkram_ctx *ctx, struct nl_msg *msg,
			const struct pool_op *op, struct vmpkram_pool *pool)
{
	struct pool_reply r = { .cmd = genlmsg_hdr(nlmsg_hdr(msg))->cmd };
	int ret;

	/* A reply the caller does not want is not parsed either. */
	ret = vmpkram_nl_request(ctx, msg, pool ? pool_reply : NULL, &r);
	if (ret)
		return pool_hint(ctx, ret, op);
	if (!pool)
		return 0;
	if (!r.pool.size)
		return vmpkram_fail(ctx, -EBADMSG,
				    "pool %s: the kernel replied without the pool",
				    op->what);
	return vmpkram_pool_copy(&r.pool, pool);
}

static int check_size(struct vmpkram_ctx *ctx, const struct pool_op *op,
		      const struct vmpkram_pool *pool)
{
	if (pool && pool->size < VMPKRAM_POOL_SIZE_V1)
		return vmpkram_fail(ctx, -EINVAL,
				    "pool %s: struct vmpkram_pool size %u below %zu",
				    op->what, pool->size, VMPKRAM_POOL_SIZE_V1);
	return 0;
}

VMPKRAM_EXPORT int vmpkram_pool_get(struct vmpkram_ctx *ctx,
				    const char *name,
				    struct vmpkram_pool *pool)
{
	const struct pool_op op = { .what = "get", .name = name };
	struct nl_msg *msg;
	int ret;

	if (!name)
		return vmpkram_fail(ctx, -EINVAL, "pool get: no pool name");
	ret = check_size(ctx, &op, pool);
	if (!ret)
		ret = pool_msg(ctx, VMPKRAM_CMD_POOL_GET, &op, &msg);
	if (ret)
		return ret;
	return pool_request(ctx, msg, &op, pool);
}

struct pool_walk {
	int (*cb)(const struct vmpkram_pool *pool, void *arg);
	void *arg;
	int count;
};

static int list_reply(struct vmpkram_ctx *ctx, struct nl_msg *msg, void *arg)
{
	struct pool_walk *w = arg;
	struct vmpkram_pool pool;
	char why[128];
	int ret;

	ret = vmpkram_pool_from_msg(nlmsg_hdr(msg), VMPKRAM_CMD_POOL_GET,
				    &pool, why, sizeof(why));
	if (ret)
		return vmpkram_fail(ctx, ret, "bad pool from the kernel: %s",
				    why);
	w->count++;
	ret = w->cb ? w->cb(&pool, w->arg) : 0;
	if (ret < 0)
		return vmpkram_fail(ctx, ret, "pool callback failed: %s",
				    strerror(-ret));
	return 0;
}

VMPKRAM_EXPORT int vmpkram_pool_list(struct vmpkram_ctx *ctx,
				     int (*cb)(const struct vmpkram_pool *pool,
					       void *arg),
				     void *arg)
{
	const struct pool_op op = { .what = "list" };
	struct pool_walk w = { .cb = cb, .arg = arg };
	struct nl_msg *msg;
	int ret;

	ret = vmpkram_nl_dump_msg(ctx, VMPKRAM_CMD_POOL_GET, &msg);
	if (ret)
		return ret;
	ret = vmpkram_nl_request(ctx, msg, list_reply, &w);
	return ret ? pool_hint(ctx, ret, &op) : w.count;
}

VMPKRAM_EXPORT int vmpkram_pool_attach(struct vmpkram_ctx *ctx,
				       const char *name, uint64_t base,
				       uint64_t size,
				       struct vmpkram_pool *pool)
{
	const struct pool_op op = {
		.what = "attach", .name = name,
		.busy = "the range overlaps another pool or is claimed by another driver (see /proc/iomem)",
	};
	struct nl_msg *msg;
	int ret;

	if (!name)
		return vmpkram_fail(ctx, -EINVAL, "pool attach: no pool name");
	ret = check_size(ctx, &op, pool);
	if (!ret)
		ret = pool_msg(ctx, VMPKRAM_CMD_POOL_ATTACH, &op, &msg);
	if (ret)
		return ret;
	if (nla_put_u64(msg, VMPKRAM_A_POOL_BASE, base) ||
	    nla_put_u64(msg, VMPKRAM_A_POOL_SIZE, size)) {
		nlmsg_free(msg);
		return vmpkram_fail(ctx, -EMSGSIZE,
				    "pool attach: cannot build the request");
	}
	return pool_request(ctx, msg, &op, pool);
}

/* Commands with a required name and an optional pool in the reply. */
static int pool_named(struct vmpkram_ctx *ctx, uint8_t cmd,
		      const struct pool_op *op, struct vmpkram_pool *pool)
{
	struct nl_msg *msg;
	int ret;

	if (!op->name)
		return vmpkram_fail(ctx, -EINVAL, "pool %s: no pool name",
				    op->what);
	ret = check_size(ctx, op, pool);
	if (!ret)
		ret = pool_msg(ctx, cmd, op, &msg);
	if (ret)
		return ret;
	return pool_request(ctx, msg, op, pool);
}

VMPKRAM_EXPORT int vmpkram_pool_detach(struct vmpkram_ctx *ctx,
				       const char *name)
{
	const struct pool_op op = {
		.what = "detach", .name = name,
		.busy = "a vmpkramfs is mounted on it: unmount it first",
	};

	return pool_named(ctx, VMPKRAM_CMD_POOL_DETACH, &op, NULL);
}

VMPKRAM_EXPORT int vmpkram_pool_format(struct vmpkram_ctx *ctx,
				       const char *name,
				       struct vmpkram_pool *pool)
{
	const struct pool_op op = {
		.what = "format", .name = name,
		.busy = "a vmpkramfs is mounted on it: unmount it first",
	};

	return pool_named(ctx, VMPKRAM_CMD_POOL_FORMAT, &op, pool);
}

static int seal_reply(struct vmpkram_ctx *ctx, struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1], *a;
	char **cmdline = arg, why[128];
	const char *s;
	int ret, len;

	ret = vmpkram_genl_parse(nlmsg_hdr(msg), VMPKRAM_CMD_POOL_SEAL, tb,
				 why, sizeof(why));
	if (ret)
		return vmpkram_fail(ctx, ret, "bad seal reply from the kernel: %s",
				    why);
	a = tb[VMPKRAM_A_POOL_CMDLINE];
	if (!a)
		return 0;
	s = nla_data(a);
	len = nla_len(a);
	if (len < 1 || strnlen(s, len) != (size_t)len - 1)
		return vmpkram_fail(ctx, -EBADMSG,
				    "bad seal reply from the kernel: attribute %s is not a NUL-terminated string",
				    vmpkram_attr_name(VMPKRAM_A_POOL_CMDLINE));
	free(*cmdline);
	*cmdline = strdup(s);
	return *cmdline ? 0 : vmpkram_fail(ctx, -ENOMEM, "out of memory");
}

VMPKRAM_EXPORT int vmpkram_pool_seal(struct vmpkram_ctx *ctx,
				     const char *name, char **cmdline)
{
	const struct pool_op op = { .what = "seal", .name = name };
	char *params = NULL;
	struct nl_msg *msg;
	int ret;

	ret = pool_msg(ctx, VMPKRAM_CMD_POOL_SEAL, &op, &msg);
	if (ret)
		return ret;
	ret = pool_hint(ctx, vmpkram_nl_request(ctx, msg, seal_reply, &params),
			&op);
	if (!ret && !params)
		params = strdup("");
	if (!ret && !params)
		ret = vmpkram_fail(ctx, -ENOMEM, "out of memory");
	if (ret || !cmdline)
		free(params);
	else
		*cmdline = params;
	return ret;
}

VMPKRAM_EXPORT int vmpkram_pool_unseal(struct vmpkram_ctx *ctx,
				       const char *name)
{
	const struct pool_op op = { .what = "unseal", .name = name };
	struct nl_msg *msg;
	int ret;

	ret = pool_msg(ctx, VMPKRAM_CMD_POOL_UNSEAL, &op, &msg);
	if (ret)
		return ret;
	return pool_hint(ctx, vmpkram_nl_request(ctx, msg, NULL, NULL), &op);
}
