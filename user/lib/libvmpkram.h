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
 * it; the library fills what it knows and zeroes the rest, and never
 * writes past .size.  Members are only ever appended (see ABI in
 * libvmpkram(3)).
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
	/*
	 * since LIBVMPKRAM_3: page table entries faulted into vmpkramfs
	 * mappings since the module was loaded, by size; 0 from modules
	 * that do not report them
	 */
	uint64_t faults_pte;		/* 4 KiB */
	uint64_t faults_pmd;		/* 2 MiB */
	uint64_t faults_pud;		/* 1 GiB */
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

/*
 * Does the module for kernel @release exist (since LIBVMPKRAM_3)?  Looks
 * "vmpkram" up with libkmod in /lib/modules/@release (modules.dep, so
 * DKMS's updates/dkms and "make install"'s extra both count).  Returns 1
 * with its path in *@path (malloc'd; @path may be NULL), 0 when there is
 * none (the reason, with the fix, in vmpkram_last_error()), or -errno.
 */
int vmpkram_module_find(struct vmpkram_ctx *ctx, const char *release,
			char **path);

/*
 * A persistent pool (since LIBVMPKRAM_3), from VMPKRAM_CMD_POOL_GET and
 * the replies and events that carry the pool attributes.  Size-first:
 * vmpkram_pool_get() fills what the caller's .size covers; callbacks and
 * events get it completely filled, .size included.  Attributes the module
 * did not send (a pool that is not formatted has no UUID or files) are 0.
 */
struct vmpkram_pool {
	uint32_t size;
	uint32_t state;			/* enum vmpkram_pool_state */
	char name[VMPKRAM_POOL_NAME_MAX + 1];
	uint64_t base;			/* physical start address; 0 in
					 * events, which any user may read */
	uint64_t pool_size;		/* bytes */
	uint8_t uuid[16];		/* all zero until formatted */
	uint64_t generation;		/* advanced by every metadata commit */
	uint64_t seal_time_ns;		/* CLOCK_REALTIME, 0: never sealed */
	uint64_t data_size;		/* bytes available to files */
	uint64_t used;			/* bytes held by files */
	uint64_t free;			/* bytes not held by files */
	uint64_t scrub_pending;		/* free bytes still to be zeroed */
	uint64_t largest_free;		/* largest free run, bytes */
	uint32_t block_size;		/* allocation unit, bytes */
	uint32_t nr_files;		/* deleted-but-open ones included */
	uint32_t max_files;
	uint32_t clean;			/* 1: the last kernel sealed or
					 * detached it cleanly */
	uint32_t mounted;		/* 1: a vmpkramfs is mounted on it */
	uint32_t __pad;
	/* why it is UNFORMATTED or DAMAGED and what to do; "" otherwise;
	 * a longer text from the module is cut to fit */
	char state_reason[256];
	/* bytes withdrawn for good after memory failures, counted in
	 * @used (0 from a module that does not report them); appended
	 * after LIBVMPKRAM_3 was released: an older program's struct ends
	 * before it */
	uint64_t bad;
	/* layout version of the pool's metadata when it is ready or
	 * sealed (LIBVMPKRAM_4; 0 from a module that does not report it) */
	uint32_t layout;
	uint32_t __pad2;
};

/*
 * Pool commands (since LIBVMPKRAM_3) all need CAP_SYS_ADMIN, since pools
 * name physical addresses.  @name is 1..VMPKRAM_POOL_NAME_MAX characters
 * of [A-Za-z0-9_-]; where it may be NULL the call acts on every pool.
 * Replies are validated like the status: a pool that cannot be fully
 * validated is an error (-EBADMSG, -ENODATA, -ERANGE), never a guess.
 */

/*
 * Calls @cb for every attached pool.  Returns the number of pools, or
 * -errno; a negative return of @cb stops the walk and is returned.
 */
int vmpkram_pool_list(struct vmpkram_ctx *ctx,
		      int (*cb)(const struct vmpkram_pool *pool, void *arg),
		      void *arg);

/* The pool @name in @pool (set pool->size); -ENODEV when there is none. */
int vmpkram_pool_get(struct vmpkram_ctx *ctx, const char *name,
		     struct vmpkram_pool *pool);

/*
 * Attaches the reserved range [@base, @base + @size) as pool @name and
 * adopts the metadata found there; a range without usable metadata is
 * attached UNFORMATTED or DAMAGED, never formatted.  The new pool goes to
 * @pool when not NULL (set pool->size).
 */
int vmpkram_pool_attach(struct vmpkram_ctx *ctx, const char *name,
			uint64_t base, uint64_t size,
			struct vmpkram_pool *pool);

/* Records a clean shutdown and releases the range; memory is kept. */
int vmpkram_pool_detach(struct vmpkram_ctx *ctx, const char *name);

/*
 * Writes fresh, empty metadata with a new UUID: every file of the pool is
 * gone.  -EBUSY while it is mounted.  The result goes to @pool when not
 * NULL (set pool->size).
 */
int vmpkram_pool_format(struct vmpkram_ctx *ctx, const char *name,
			struct vmpkram_pool *pool);

/*
 * Prepares pool @name (NULL: every pool) for kexec: waits for scrubbing,
 * marks the metadata clean and refuses metadata changes (EROFS) until
 * unsealed.  *@cmdline (when @cmdline is not NULL) gets the kernel
 * command-line parameters the next kernel needs for the pools, malloc'd,
 * "" when the module sent none.
 */
int vmpkram_pool_seal(struct vmpkram_ctx *ctx, const char *name,
		      char **cmdline);

/* Allows metadata changes again; a pool that is not sealed is fine. */
int vmpkram_pool_unseal(struct vmpkram_ctx *ctx, const char *name);

/* One check of a metadata slot (LIBVMPKRAM_4). */
struct vmpkram_check {
	char name[48];			/* "superblock checksum", ... */
	uint32_t result;		/* enum vmpkram_check_result */
	char detail[256];		/* what failed; "" otherwise */
};

#define VMPKRAM_CHECKS_MAX	16

/* One metadata slot as pool check found it (LIBVMPKRAM_4). */
struct vmpkram_slot_report {
	uint32_t index;			/* 0 or 1 */
	uint32_t status;		/* enum vmpkram_slot_status */
	uint64_t generation;		/* as read, checked or not */
	uint64_t commit_seq;		/* as read */
	uint32_t layout;		/* layout version as read */
	uint32_t nr_checks;		/* entries of @checks, in order */
	struct vmpkram_check checks[VMPKRAM_CHECKS_MAX];
};

/* A file a repair drops (LIBVMPKRAM_4). */
struct vmpkram_dropped_file {
	uint64_t ino;
	char name[VMPKRAMFS_NAME_MAX + 1];	/* "" when it is damaged */
	char reason[128];
};

#define VMPKRAM_DROPPED_MAX	32

/*
 * What vmpkram_pool_check() found and what a repair would do, or what
 * vmpkram_pool_repair() did (LIBVMPKRAM_4).  Size-first: set .size.
 */
struct vmpkram_pool_report {
	uint32_t size;
	uint32_t state;			/* enum vmpkram_pool_state (after a
					 * repair, for a repair) */
	char name[VMPKRAM_POOL_NAME_MAX + 1];
	struct vmpkram_slot_report slots[2];
	uint32_t action;		/* enum vmpkram_repair_action */
	int32_t slot;			/* the slot a repair starts from, -1 */
	uint32_t kept;			/* files a repair keeps */
	uint32_t dropped;		/* files it drops */
	uint32_t nr_files;		/* dropped files listed in @files */
	uint32_t __pad;
	char text[512];			/* the plan, or why there is none */
	struct vmpkram_dropped_file files[VMPKRAM_DROPPED_MAX];
};

/*
 * Checks both metadata slots of pool @name, check by check, and says
 * what a repair would do; writes nothing to the pool.  Any state.
 */
int vmpkram_pool_check(struct vmpkram_ctx *ctx, const char *name,
		       struct vmpkram_pool_report *report);

/*
 * Repairs a DAMAGED pool as vmpkram_pool_check() describes it: adopts the
 * newest complete and consistent slot and rewrites the other from it,
 * or, when neither is usable, keeps the files whose entries and blocks
 * are consistent and drops the rest.  @report (may be NULL) gets what was
 * done.  0 also when there was nothing to repair (action NONE);
 * -EUCLEAN when the pool cannot be repaired (action REFUSED in the
 * check), -EBUSY mounted.
 */
int vmpkram_pool_repair(struct vmpkram_ctx *ctx, const char *name,
			struct vmpkram_pool_report *report);

/* One physically contiguous piece of a file. */
struct vmpkram_extent {
	uint64_t offset;		/* file offset */
	uint64_t phys;			/* physical address */
	uint64_t len;			/* bytes */
};

/*
 * A file of a pool (since LIBVMPKRAM_3), with all of its extents even
 * when the module sent them in several messages.  Filled completely by
 * the library, .size included; @extents is valid during the callback
 * only.
 */
struct vmpkram_file {
	uint32_t size;
	uint32_t mode;			/* st_mode */
	uint64_t ino;			/* stable across kexec */
	uint64_t file_size;		/* bytes */
	uint64_t mtime_ns;		/* CLOCK_REALTIME */
	uint32_t uid;			/* in the initial user namespace */
	uint32_t gid;
	uint32_t flags;			/* VMPKRAM_FILE_F_* */
	uint32_t nr_extents;
	const struct vmpkram_extent *extents;	/* in file offset order */
	char name[VMPKRAMFS_NAME_MAX + 1];	/* "" when F_ORPHAN */
};

/*
 * Calls @cb for every file of pool @pool, deleted-but-open ones included
 * (VMPKRAM_FILE_F_ORPHAN, no name).  Returns the number of files, or
 * -errno; a negative return of @cb stops the walk and is returned.
 */
int vmpkram_pool_files(struct vmpkram_ctx *ctx, const char *pool,
		       int (*cb)(const struct vmpkram_file *file, void *arg),
		       void *arg);

/* Events from the "events" multicast group */
enum vmpkram_event_type {
	VMPKRAM_EVENT_STATUS = 1,	/* parameters changed, new status */
	VMPKRAM_EVENT_JOB,		/* a job started, progressed or ended */
	VMPKRAM_EVENT_POOL,		/* a pool changed (LIBVMPKRAM_3) */
};

/* What happened to a pool, and the pool as it is afterwards. */
struct vmpkram_pool_ntf {
	uint32_t event;			/* enum vmpkram_pool_event */
	uint32_t __pad;
	struct vmpkram_pool pool;
};

/*
 * Job events reach only callers built against LIBVMPKRAM_2 or later, pool
 * events only those built against LIBVMPKRAM_3 or later (the .size of
 * their struct vmpkram_event tells); older callers never see the types
 * they do not know.  The struct of the event is cut to the caller's
 * struct vmpkram_event: its .size says how much of it arrived.
 */
struct vmpkram_event {
	uint32_t size;
	uint32_t type;			/* enum vmpkram_event_type */
	union {
		struct vmpkram_status status;	/* VMPKRAM_EVENT_STATUS */
		struct vmpkram_job job;		/* VMPKRAM_EVENT_JOB */
		struct vmpkram_pool_ntf pool;	/* VMPKRAM_EVENT_POOL */
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
