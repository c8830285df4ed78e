/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvmpkram internals shared between the library's files (and the host
 * unit tests, which link the static archive).
 */
#ifndef _LIBVMPKRAM_PRIVATE_H_
#define _LIBVMPKRAM_PRIVATE_H_

#include <stdio.h>
#include <syslog.h>

#include "libvmpkram.h"

#define VMPKRAM_EXPORT __attribute__((visibility("default")))

struct nl_sock;
struct vmpkram_events;

struct vmpkram_ctx {
	int refcount;
	vmpkram_log_fn log_fn;
	int log_priority;
	void *userdata;
	char last_error[512];
	int dev_fd;			/* /dev/vmpkram, -1 until first ioctl */
	struct nl_sock *nl;		/* request socket, NULL until needed */
	int family;			/* "vmpkram" family id on @nl */
	struct vmpkram_events *ev;	/* NULL until subscribed */
};

/* log.c */
void vmpkram_log(struct vmpkram_ctx *ctx, int priority, const char *fn,
		 const char *format, ...)
	__attribute__((format(printf, 4, 5)));
void vmpkram_log_init(struct vmpkram_ctx *ctx);

#define vmpkram_log_cond(ctx, prio, ...)				\
	do {								\
		if ((ctx)->log_priority >= (prio))			\
			vmpkram_log(ctx, prio, __func__, __VA_ARGS__);	\
	} while (0)

#define dbg(ctx, ...)	vmpkram_log_cond(ctx, LOG_DEBUG, __VA_ARGS__)
#define info(ctx, ...)	vmpkram_log_cond(ctx, LOG_INFO, __VA_ARGS__)
#define err(ctx, ...)	vmpkram_log_cond(ctx, LOG_ERR, __VA_ARGS__)

/*
 * Record @error (a negative errno) with its explanation as the context's
 * last error and return it, so failure paths read
 * "return vmpkram_fail(ctx, -ENOENT, ...)".
 */
int vmpkram_fail(struct vmpkram_ctx *ctx, int error, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* Teardown helpers, each safe to call when its resource was never set up */
void vmpkram_dev_close(struct vmpkram_ctx *ctx);	/* ioctl.c */
void vmpkram_nl_close(struct vmpkram_ctx *ctx);		/* netlink.c */
void vmpkram_events_close(struct vmpkram_ctx *ctx);	/* events.c */

/* module.c: 1 if the initstate file at @path says "live", else 0/-errno */
int vmpkram_initstate_live(const char *path);

/*
 * module.c: the mount points of vmpkramfs in @mounts (a /proc/mounts),
 * comma-separated in @buf (cut to fit).  Returns how many there are.
 */
int vmpkram_fs_mounts(FILE *mounts, char *buf, size_t size);

/*
 * module.c: whether every parameter of @options ("name=value ...", values
 * possibly in double quotes, NULL or "" for none) is one of the @n names
 * in @known, '-' and '_' alike as the kernel compares them.  0, or
 * -EINVAL with the first unknown name in @bad.
 */
int vmpkram_params_check(const char *options, const char *const *known,
			 size_t n, char *bad, size_t bad_size);

#endif /* _LIBVMPKRAM_PRIVATE_H_ */
