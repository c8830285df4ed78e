// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /dev/vmpkram ioctls.  The device is opened on first use and kept open
 * for the context's lifetime.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

/* EINVAL covers both argument mistakes and mappings that cannot be populated. */
static const char *prefault_einval(const struct vmpkram_prefault *req)
{
	long page = sysconf(_SC_PAGESIZE);

	if (!req->len)
		return "the length is 0";
	if ((req->addr | req->len) & (page - 1))
		return "start and length must be page aligned";
	if ((req->flags & VMPKRAM_PREFAULT_F_ALL) == VMPKRAM_PREFAULT_F_ALL)
		return "read-only and zeroing exclude each other";
	if (req->flags & ~VMPKRAM_PREFAULT_F_ALL)
		return "unknown flags";
	if (req->threads > VMPKRAM_WORKERS_LIMIT)
		return "more threads than VMPKRAM_WORKERS_LIMIT";
	if (req->flags & VMPKRAM_PREFAULT_F_READ)
		return "a mapping in the range cannot be populated (VM_IO or VM_PFNMAP) or is PROT_NONE";
	return "a mapping in the range cannot be populated (VM_IO or VM_PFNMAP) or is not writable";
}

static const char *prefault_reason(const struct vmpkram_prefault *req,
				   int error)
{
	switch (error) {
	case -EINVAL:
		return prefault_einval(req);
	case -ENOMEM:
		return "part of the range is not mapped, or out of memory";
	case -EFAULT:
		return "a page would raise SIGBUS (hugetlb pool exhausted? file too short?)";
	case -EHWPOISON:
		return "a page in the range is poisoned (hardware memory error)";
	case -EINTR:
		return "interrupted by a fatal signal";
	case -ESRCH:
		return "no such process, or it exited during the call";
	case -EPERM:
		return "needs CAP_SYS_PTRACE to act on another process";
	case -EOVERFLOW:
		return "the range wraps around the end of the address space";
	case -ENOTTY:
		return "the loaded module has no VMPKRAM_IOC_PREFAULT (too old?)";
	default:
		return strerror(-error);
	}
}

/*
 * The kernel writes done and job_id back on failure too, so the caller
 * learns how far it got whatever the outcome.
 */
VMPKRAM_EXPORT int vmpkram_prefault(struct vmpkram_ctx *ctx,
				    struct vmpkram_prefault *req)
{
	char where[32] = "";
	int ret;

	ret = dev_open(ctx);
	if (ret)
		return ret;

	req->size = sizeof(*req);
	if (ioctl(ctx->dev_fd, VMPKRAM_IOC_PREFAULT, req) < 0) {
		ret = -errno;
		if (req->pid)
			snprintf(where, sizeof(where), " of pid %u", req->pid);
		return vmpkram_fail(ctx, ret, "prefault 0x%llx-0x%llx%s: %s",
				    (unsigned long long)req->addr,
				    (unsigned long long)(req->addr + req->len),
				    where, prefault_reason(req, ret));
	}
	return 0;
}
