// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The library context: a refcounted handle that owns the lazily opened
 * device fd and netlink sockets, the log settings and the last error.
 */
#include <errno.h>
#include <stdlib.h>

#include "private.h"

VMPKRAM_EXPORT int vmpkram_new(struct vmpkram_ctx **ctx)
{
	struct vmpkram_ctx *c;

	if (!ctx)
		return -EINVAL;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;

	c->refcount = 1;
	c->dev_fd = -1;
	vmpkram_log_init(c);
	info(c, "context %p created\n", (void *)c);
	*ctx = c;
	return 0;
}

VMPKRAM_EXPORT struct vmpkram_ctx *vmpkram_ref(struct vmpkram_ctx *ctx)
{
	if (ctx)
		ctx->refcount++;
	return ctx;
}

VMPKRAM_EXPORT struct vmpkram_ctx *vmpkram_unref(struct vmpkram_ctx *ctx)
{
	if (!ctx || --ctx->refcount > 0)
		return ctx;

	vmpkram_events_close(ctx);
	vmpkram_nl_close(ctx);
	vmpkram_dev_close(ctx);
	info(ctx, "context %p released\n", (void *)ctx);
	free(ctx);
	return NULL;
}

VMPKRAM_EXPORT void vmpkram_set_userdata(struct vmpkram_ctx *ctx,
					 void *userdata)
{
	ctx->userdata = userdata;
}

VMPKRAM_EXPORT void *vmpkram_get_userdata(const struct vmpkram_ctx *ctx)
{
	return ctx->userdata;
}
