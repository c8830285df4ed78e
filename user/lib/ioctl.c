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
	if ((req->flags & VMPKRAM_PREFAULT_F_READ) &&
	    (req->flags & VMPKRAM_PREFAULT_F_ZERO))
		return "read-only and zeroing exclude each other";
	if (req->flags & ~VMPKRAM_PREFAULT_F_ALL)
		return "unknown flags (a module older than this library?)";
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
		return "no such process, or it exited (or exec'd) during the call";
	case -EPERM:
		return "not allowed to act on that process: it takes what ptrace needs (the same user and a dumpable process, or CAP_SYS_PTRACE over it, and what kernel.yama.ptrace_scope and the LSMs allow)";
	case -EBADF:
		return "mem_fd is not a /proc/PID/mem descriptor open for writing (reading with F_READ)";
	case -EOVERFLOW:
		return "the range wraps around the end of the address space";
	case -ENOTTY:
		return "the loaded module has no VMPKRAM_IOC_PREFAULT (too old?)";
	default:
		return strerror(-error);
	}
}

static int prefault_fail(struct vmpkram_ctx *ctx,
			 const struct vmpkram_prefault *req, int error,
			 const char *reason)
{
	char where[32] = "";

	if (req->pid)
		snprintf(where, sizeof(where), " of pid %u", req->pid);
	return vmpkram_fail(ctx, error, "prefault 0x%llx-0x%llx%s: %s",
			    (unsigned long long)req->addr,
			    (unsigned long long)(req->addr + req->len), where,
			    reason ? reason : prefault_reason(req, error));
}

/*
 * Another process is reached through its /proc/PID/mem: opening it is the
 * kernel's ptrace check, which the module itself cannot make (API 3).
 * Returns the descriptor, -1 when none is needed (the caller itself, a
 * descriptor given by the caller, a module before API 3, which takes a
 * bare pid with CAP_SYS_PTRACE), or a negative errno.
 */
static int prefault_mem_fd(struct vmpkram_ctx *ctx,
			   const struct vmpkram_prefault *req)
{
	struct vmpkram_api api;
	char path[64];
	int fd, ret;

	if (!req->pid || req->pid == (uint32_t)getpid() ||
	    (req->flags & VMPKRAM_PREFAULT_F_MEM_FD))
		return -1;
	ret = vmpkram_get_api(ctx, &api);
	if (ret)
		return ret;
	if (api.api_version < 3)
		return -1;
	snprintf(path, sizeof(path), "/proc/%u/mem", req->pid);
	fd = open(path, O_CLOEXEC | (req->flags & VMPKRAM_PREFAULT_F_READ ?
				     O_RDONLY : O_WRONLY));
	if (fd >= 0)
		return fd;
	ret = -errno;
	if (ret == -ENOENT || ret == -ESRCH)
		return prefault_fail(ctx, req, -ESRCH,
				     "no such process (in this /proc)");
	if (ret == -EACCES || ret == -EPERM)
		return prefault_fail(ctx, req, -EPERM,
				     "the kernel refused to open its /proc/PID/mem for us, which takes what ptrace needs: the same user and a dumpable process, or CAP_SYS_PTRACE over it, and what kernel.yama.ptrace_scope and the LSMs allow");
	return vmpkram_fail(ctx, ret, "prefault of pid %u: cannot open %s: %s",
			    req->pid, path, strerror(-ret));
}

/*
 * The kernel writes done and job_id back on failure too, so the caller
 * learns how far it got whatever the outcome.  The request comes back
 * with the caller's flags and mem_fd, whatever was used underneath.
 */
VMPKRAM_EXPORT int vmpkram_prefault(struct vmpkram_ctx *ctx,
				    struct vmpkram_prefault *req)
{
	uint32_t flags = req->flags;
	int32_t mem_fd = req->mem_fd;
	int ret, fd;

	ret = dev_open(ctx);
	if (ret)
		return ret;
	fd = prefault_mem_fd(ctx, req);
	if (fd < -1)
		return fd;
	if (fd >= 0) {
		req->flags |= VMPKRAM_PREFAULT_F_MEM_FD;
		req->mem_fd = fd;
	}

	req->size = sizeof(*req);
	ret = ioctl(ctx->dev_fd, VMPKRAM_IOC_PREFAULT, req) < 0 ? -errno : 0;
	if (fd >= 0)
		close(fd);
	req->flags = flags;
	req->mem_fd = mem_fd;
	if (ret)
		return prefault_fail(ctx, req, ret, NULL);
	return 0;
}
