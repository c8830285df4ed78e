// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /dev/vmpkram ioctls.  The device is opened on first use and kept open
 * for the context's lifetime.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "private.h"

#define DEV_PATH	"/dev/" VMPKRAM_DEVICE_NAME

static int dev_open(struct vmpkram_ctx *ctx)
{
	int fd;

	if (ctx->dev_fd >= 0)
		return 0;

	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int ret = -errno;

		if (ret == -ENOENT || ret == -ENXIO || ret == -ENODEV)
			return vmpkram_fail(ctx, ret,
				"cannot open %s: %s (is the vmpkram module loaded? try vmpkramctl load)",
				DEV_PATH, strerror(-ret));
		return vmpkram_fail(ctx, ret, "cannot open %s: %s", DEV_PATH,
				    strerror(-ret));
	}
	ctx->dev_fd = fd;
	return 0;
}

void vmpkram_dev_close(struct vmpkram_ctx *ctx)
{
	if (ctx->dev_fd < 0)
		return;
	close(ctx->dev_fd);
	ctx->dev_fd = -1;
}

VMPKRAM_EXPORT int vmpkram_get_api(struct vmpkram_ctx *ctx,
				   struct vmpkram_api *api)
{
	int ret;

	ret = dev_open(ctx);
	if (ret)
		return ret;

	memset(api, 0, sizeof(*api));
	api->size = sizeof(*api);
	if (ioctl(ctx->dev_fd, VMPKRAM_IOC_GET_API, api) < 0) {
		ret = -errno;
		return vmpkram_fail(ctx, ret, "VMPKRAM_IOC_GET_API: %s",
				    strerror(-ret));
	}
	return 0;
}
