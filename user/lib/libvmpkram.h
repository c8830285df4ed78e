/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvmpkram: userspace access to the vmpkram kernel module.
 *
 * Every call returns 0 (or a positive count) on success and a negative
 * errno on failure; vmpkram_last_error() then tells the reason in words.
 * A context is not thread-safe: use one per thread.
 */
#ifndef _LIBVMPKRAM_H_
#define _LIBVMPKRAM_H_

#include <stdarg.h>
#include <stdint.h>
#include <linux/vmpkram.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vmpkram_ctx;

/* Context lifetime */
int vmpkram_new(struct vmpkram_ctx **ctx);
struct vmpkram_ctx *vmpkram_ref(struct vmpkram_ctx *ctx);
struct vmpkram_ctx *vmpkram_unref(struct vmpkram_ctx *ctx);

/* Logging: syslog priorities (LOG_ERR, LOG_INFO, LOG_DEBUG) */
typedef void (*vmpkram_log_fn)(struct vmpkram_ctx *ctx, int priority,
			       const char *fn, const char *format,
			       va_list args);
void vmpkram_set_log_fn(struct vmpkram_ctx *ctx, vmpkram_log_fn log_fn);
int vmpkram_get_log_priority(const struct vmpkram_ctx *ctx);
void vmpkram_set_log_priority(struct vmpkram_ctx *ctx, int priority);

void vmpkram_set_userdata(struct vmpkram_ctx *ctx, void *userdata);
void *vmpkram_get_userdata(const struct vmpkram_ctx *ctx);

const char *vmpkram_last_error(const struct vmpkram_ctx *ctx);

/* Module management (libkmod) */
int vmpkram_module_is_loaded(struct vmpkram_ctx *ctx);
int vmpkram_module_load(struct vmpkram_ctx *ctx, const char *options);
int vmpkram_module_unload(struct vmpkram_ctx *ctx);

/* /dev/vmpkram */
int vmpkram_get_api(struct vmpkram_ctx *ctx, struct vmpkram_api *api);

/*
 * Generic netlink.  Size-first structs: set .size to sizeof() as you know
 * it; the library fills what it knows and zeroes the rest.
 */
struct vmpkram_status {
	uint32_t size;
	uint32_t api_version;
	uint64_t features;		/* VMPKRAM_FEATURE_* */
	uint32_t max_workers;
	uint32_t workers_limit;
	uint32_t nr_pools;
	uint32_t __pad;
	char module_version[64];
};

int vmpkram_get_status(struct vmpkram_ctx *ctx, struct vmpkram_status *st);
int vmpkram_set_max_workers(struct vmpkram_ctx *ctx, uint32_t n);

/* Events from the "events" multicast group */
enum vmpkram_event_type {
	VMPKRAM_EVENT_STATUS = 1,	/* parameters changed, new status */
};

struct vmpkram_event {
	uint32_t size;
	uint32_t type;			/* enum vmpkram_event_type */
	struct vmpkram_status status;
};

int vmpkram_events_subscribe(struct vmpkram_ctx *ctx);
int vmpkram_events_fd(struct vmpkram_ctx *ctx);
int vmpkram_events_next(struct vmpkram_ctx *ctx, struct vmpkram_event *ev,
			int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* _LIBVMPKRAM_H_ */
