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
 * VMPKRAM_IOC_PREFAULT (since LIBVMPKRAM_2).  Sets req->size; the caller
 * fills the rest and gets req->done and req->job_id back, req->done also
 * on failure.  Blocks until the whole range is done.
 */
int vmpkram_prefault(struct vmpkram_ctx *ctx, struct vmpkram_prefault *req);

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
	/* since LIBVMPKRAM_2; 0 from modules that do not report it */
	uint32_t nr_jobs;		/* jobs running now */
	uint32_t __pad2;
};

int vmpkram_get_status(struct vmpkram_ctx *ctx, struct vmpkram_status *st);
int vmpkram_set_max_workers(struct vmpkram_ctx *ctx, uint32_t n);

/*
 * A job of the module's engine (since LIBVMPKRAM_2), from a GET_JOBS dump
 * or a JOB_NTF event.  The library fills it completely, .size included.
 */
struct vmpkram_job {
	uint32_t size;
	uint32_t id;
	uint32_t type;			/* enum vmpkram_job_type */
	uint32_t state;			/* enum vmpkram_job_state */
	uint32_t caller_pid;
	uint32_t target_pid;
	uint32_t threads;
	uint32_t error;			/* positive errno of a FAILED job */
	uint64_t addr;			/* 0 in events: not sent there */
	uint64_t len;
	uint64_t done;
	uint64_t elapsed_ns;
};

/*
 * Calls @cb for every running job (needs CAP_SYS_ADMIN).  Returns the
 * number of jobs, or -errno; a negative return of @cb stops the walk and
 * is returned.
 */
int vmpkram_get_jobs(struct vmpkram_ctx *ctx,
		     int (*cb)(const struct vmpkram_job *job, void *arg),
		     void *arg);

/* Events from the "events" multicast group */
enum vmpkram_event_type {
	VMPKRAM_EVENT_STATUS = 1,	/* parameters changed, new status */
	VMPKRAM_EVENT_JOB,		/* a job started, progressed or ended */
};

/*
 * Job events reach only callers whose .size covers @job (built against
 * LIBVMPKRAM_2 or later); older callers keep seeing status events only.
 */
struct vmpkram_event {
	uint32_t size;
	uint32_t type;			/* enum vmpkram_event_type */
	union {
		struct vmpkram_status status;	/* VMPKRAM_EVENT_STATUS */
		struct vmpkram_job job;		/* VMPKRAM_EVENT_JOB */
	};
};

int vmpkram_events_subscribe(struct vmpkram_ctx *ctx);
int vmpkram_events_fd(struct vmpkram_ctx *ctx);
int vmpkram_events_next(struct vmpkram_ctx *ctx, struct vmpkram_event *ev,
			int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* _LIBVMPKRAM_H_ */
