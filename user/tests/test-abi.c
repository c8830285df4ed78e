// SPDX-License-Identifier: GPL-2.0-only
/*
 * The library's binary interface against the structs as each version
 * released them (copied below from those headers: never edit a copy,
 * add one for a new release).  Every member a release had is where it
 * was; the frozen first-version sizes (abi.h) are the released ones; a
 * program built against a release still gets the events it knows, cut to
 * its struct, and its size-first structs are accepted and never written
 * past.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "abi.h"
#include "crafted.h"
#include "events.h"
#include "pool.h"
#include "status.h"
#include "tap.h"

/* ---------------------------------------- the releases, as they were */

/* LIBVMPKRAM_1 */
struct status_1 {
	uint32_t size;
	uint32_t api_version;
	uint64_t features;
	uint32_t max_workers;
	uint32_t workers_limit;
	uint32_t nr_pools;
	uint32_t __pad;
	char module_version[64];
};

struct event_1 {
	uint32_t size;
	uint32_t type;
	struct status_1 status;
};

/* LIBVMPKRAM_2 */
struct status_2 {
	uint32_t size;
	uint32_t api_version;
	uint64_t features;
	uint32_t max_workers;
	uint32_t workers_limit;
	uint32_t nr_pools;
	uint32_t __pad;
	char module_version[64];
	uint32_t nr_jobs;
	uint32_t __pad2;
};

struct job_2 {
	uint32_t size;
	uint32_t id;
	uint32_t type;
	uint32_t state;
	uint32_t caller_pid;
	uint32_t target_pid;
	uint32_t threads;
	uint32_t error;
	uint64_t addr;
	uint64_t len;
	uint64_t done;
	uint64_t elapsed_ns;
};

struct event_2 {
	uint32_t size;
	uint32_t type;
	union {
		struct status_2 status;
		struct job_2 job;
	};
};

/* LIBVMPKRAM_3 */
struct pool_3 {
	uint32_t size;
	uint32_t state;
	char name[31 + 1];
	uint64_t base;
	uint64_t pool_size;
	uint8_t uuid[16];
	uint64_t generation;
	uint64_t seal_time_ns;
	uint64_t data_size;
	uint64_t used;
	uint64_t free;
	uint64_t scrub_pending;
	uint64_t largest_free;
	uint32_t block_size;
	uint32_t nr_files;
	uint32_t max_files;
	uint32_t clean;
	uint32_t mounted;
	uint32_t __pad;
	char state_reason[256];
};

struct pool_ntf_3 {
	uint32_t event;
	uint32_t __pad;
	struct pool_3 pool;
};

struct extent_3 {
	uint64_t offset;
	uint64_t phys;
	uint64_t len;
};

struct file_3 {
	uint32_t size;
	uint32_t mode;
	uint64_t ino;
	uint64_t file_size;
	uint64_t mtime_ns;
	uint32_t uid;
	uint32_t gid;
	uint32_t flags;
	uint32_t nr_extents;
	const struct extent_3 *extents;
	char name[255 + 1];
};

struct event_3 {
	uint32_t size;
	uint32_t type;
	union {
		struct status_2 status;
		struct job_2 job;
		struct pool_ntf_3 pool;
	};
};

/* --------------------------------------------------------- layouts */

#define MEMBER_SIZE(type, m)	sizeof(((type *)0)->m)
#define SAME(old, new, m)						\
	(offsetof(old, m) == offsetof(new, m) &&			\
	 MEMBER_SIZE(old, m) == MEMBER_SIZE(new, m))

static void test_layouts(void)
{
	tap_ok(SAME(struct status_2, struct vmpkram_status, size) &&
	       SAME(struct status_2, struct vmpkram_status, api_version) &&
	       SAME(struct status_2, struct vmpkram_status, features) &&
	       SAME(struct status_2, struct vmpkram_status, max_workers) &&
	       SAME(struct status_2, struct vmpkram_status, workers_limit) &&
	       SAME(struct status_2, struct vmpkram_status, nr_pools) &&
	       SAME(struct status_2, struct vmpkram_status, module_version) &&
	       SAME(struct status_2, struct vmpkram_status, nr_jobs),
	       "struct vmpkram_status: every released member where it was");
	tap_ok(SAME(struct job_2, struct vmpkram_job, size) &&
	       SAME(struct job_2, struct vmpkram_job, id) &&
	       SAME(struct job_2, struct vmpkram_job, type) &&
	       SAME(struct job_2, struct vmpkram_job, state) &&
	       SAME(struct job_2, struct vmpkram_job, caller_pid) &&
	       SAME(struct job_2, struct vmpkram_job, target_pid) &&
	       SAME(struct job_2, struct vmpkram_job, threads) &&
	       SAME(struct job_2, struct vmpkram_job, error) &&
	       SAME(struct job_2, struct vmpkram_job, addr) &&
	       SAME(struct job_2, struct vmpkram_job, len) &&
	       SAME(struct job_2, struct vmpkram_job, done) &&
	       SAME(struct job_2, struct vmpkram_job, elapsed_ns),
	       "struct vmpkram_job: every released member where it was");
	tap_ok(SAME(struct pool_3, struct vmpkram_pool, size) &&
	       SAME(struct pool_3, struct vmpkram_pool, state) &&
	       SAME(struct pool_3, struct vmpkram_pool, name) &&
	       SAME(struct pool_3, struct vmpkram_pool, base) &&
	       SAME(struct pool_3, struct vmpkram_pool, pool_size) &&
	       SAME(struct pool_3, struct vmpkram_pool, uuid) &&
	       SAME(struct pool_3, struct vmpkram_pool, generation) &&
	       SAME(struct pool_3, struct vmpkram_pool, seal_time_ns) &&
	       SAME(struct pool_3, struct vmpkram_pool, data_size) &&
	       SAME(struct pool_3, struct vmpkram_pool, used) &&
	       SAME(struct pool_3, struct vmpkram_pool, free) &&
	       SAME(struct pool_3, struct vmpkram_pool, scrub_pending) &&
	       SAME(struct pool_3, struct vmpkram_pool, largest_free) &&
	       SAME(struct pool_3, struct vmpkram_pool, block_size) &&
	       SAME(struct pool_3, struct vmpkram_pool, nr_files) &&
	       SAME(struct pool_3, struct vmpkram_pool, max_files) &&
	       SAME(struct pool_3, struct vmpkram_pool, clean) &&
	       SAME(struct pool_3, struct vmpkram_pool, mounted) &&
	       SAME(struct pool_3, struct vmpkram_pool, state_reason),
	       "struct vmpkram_pool: every released member where it was");
	tap_ok(SAME(struct pool_ntf_3, struct vmpkram_pool_ntf, event) &&
	       SAME(struct pool_ntf_3, struct vmpkram_pool_ntf, pool.size),
	       "struct vmpkram_pool_ntf: every released member where it was");
	tap_ok(SAME(struct file_3, struct vmpkram_file, size) &&
	       SAME(struct file_3, struct vmpkram_file, mode) &&
	       SAME(struct file_3, struct vmpkram_file, ino) &&
	       SAME(struct file_3, struct vmpkram_file, file_size) &&
	       SAME(struct file_3, struct vmpkram_file, mtime_ns) &&
	       SAME(struct file_3, struct vmpkram_file, uid) &&
	       SAME(struct file_3, struct vmpkram_file, gid) &&
	       SAME(struct file_3, struct vmpkram_file, flags) &&
	       SAME(struct file_3, struct vmpkram_file, nr_extents) &&
	       SAME(struct file_3, struct vmpkram_file, extents) &&
	       SAME(struct file_3, struct vmpkram_file, name) &&
	       sizeof(struct extent_3) == sizeof(struct vmpkram_extent),
	       "struct vmpkram_file and vmpkram_extent: every released member where it was");
	tap_ok(SAME(struct event_3, struct vmpkram_event, size) &&
	       SAME(struct event_3, struct vmpkram_event, type) &&
	       offsetof(struct event_3, status) ==
	       offsetof(struct vmpkram_event, status) &&
	       offsetof(struct event_3, job) ==
	       offsetof(struct vmpkram_event, job) &&
	       offsetof(struct event_3, pool) ==
	       offsetof(struct vmpkram_event, pool) &&
	       offsetof(struct event_1, status) ==
	       offsetof(struct vmpkram_event, status),
	       "struct vmpkram_event: every released member where it was");
}

/* The frozen sizes are the released ones, and every release's struct
 * is big enough for the event types it knows. */
static void test_sizes(void)
{
	tap_ok(VMPKRAM_STATUS_SIZE_V1 ==
	       offsetofend(struct status_1, module_version) &&
	       VMPKRAM_STATUS_SIZE_V2 == offsetofend(struct status_2, __pad2),
	       "status: first sizes %zu (LIBVMPKRAM_1), %zu (LIBVMPKRAM_2)",
	       VMPKRAM_STATUS_SIZE_V1, VMPKRAM_STATUS_SIZE_V2);
	tap_ok(VMPKRAM_JOB_SIZE_V1 == offsetofend(struct job_2, elapsed_ns),
	       "job: first size %zu (LIBVMPKRAM_2)", VMPKRAM_JOB_SIZE_V1);
	tap_ok(VMPKRAM_POOL_SIZE_V1 == offsetofend(struct pool_3, state_reason),
	       "pool: first size %zu (LIBVMPKRAM_3)", VMPKRAM_POOL_SIZE_V1);
	tap_ok(VMPKRAM_EVENT_SIZE_V1 <= sizeof(struct event_1) &&
	       VMPKRAM_EVENT_SIZE_V2 <= sizeof(struct event_2) &&
	       VMPKRAM_EVENT_SIZE_V3 <= sizeof(struct event_3),
	       "event: first sizes %zu, %zu, %zu fit the released structs",
	       VMPKRAM_EVENT_SIZE_V1, VMPKRAM_EVENT_SIZE_V2,
	       VMPKRAM_EVENT_SIZE_V3);
	tap_ok(VMPKRAM_EVENT_SIZE_JOB <= sizeof(struct event_2) &&
	       VMPKRAM_EVENT_SIZE_JOB > sizeof(struct event_1),
	       "a LIBVMPKRAM_2 event (%zu bytes) takes job events, a LIBVMPKRAM_1 one does not",
	       sizeof(struct event_2));
	tap_ok(VMPKRAM_EVENT_SIZE_POOL <= sizeof(struct event_3) &&
	       VMPKRAM_EVENT_SIZE_POOL > sizeof(struct event_2),
	       "a LIBVMPKRAM_3 event (%zu bytes) takes pool events, a LIBVMPKRAM_2 one does not",
	       sizeof(struct event_3));
}

/* ------------------------------------------------------------ copies */

#define GUARD	0x5a

/* A caller's struct of @size bytes at the start of @buf, guard after. */
static void *caller(void *buf, size_t buf_size, size_t size)
{
	memset(buf, GUARD, buf_size);
	memset(buf, 0, size);
	*(uint32_t *)buf = size;
	return buf;
}

static int guard_intact(const void *buf, size_t from, size_t to)
{
	const unsigned char *b = buf;

	for (; from < to; from++)
		if (b[from] != GUARD)
			return 0;
	return 1;
}

static void test_pool_copy(void)
{
	struct vmpkram_pool src = {
		.size = sizeof(src), .generation = 9, .bad = 2 << 20,
	};
	unsigned char buf[sizeof(struct vmpkram_pool) + 64];
	struct pool_3 *old = caller(buf, sizeof(buf), sizeof(struct pool_3));

	strcpy(src.state_reason, "why");
	tap_ok(vmpkram_pool_copy(&src, (struct vmpkram_pool *)old) == 0 &&
	       old->size == sizeof(struct pool_3) && old->generation == 9 &&
	       !strcmp(old->state_reason, "why"),
	       "a LIBVMPKRAM_3 struct vmpkram_pool (%zu bytes) is filled",
	       sizeof(struct pool_3));
	tap_ok(guard_intact(buf, sizeof(struct pool_3), sizeof(buf)),
	       "... and nothing written past it");
}

/* ------------------------------------------------------------ events */

#define FAMILY_ID	FAMILY

static const char pname[] = "test";
static const uint64_t psize = 512 << 20, bad = 2 << 20, gen = 4;
static const uint32_t ready = VMPKRAM_POOL_READY, sealed = VMPKRAM_POOL_EV_SEALED;
static const uint32_t api = 2, workers = 2, limit = 1024, zero32 = 0;
static const uint64_t features = 15, zero64 = 0;
static const char version[] = "0.2.0";
static const uint32_t jid = 3, jtype = VMPKRAM_JOB_PREFAULT_WRITE;
static const uint32_t jstate = VMPKRAM_JOB_RUNNING, pid = 10, threads = 2;
static const uint64_t jlen = 1 << 20, jdone = 4096, elapsed = 5;

static const struct attr pool_ntf[] = {
	{ VMPKRAM_A_POOL_EVENT, &sealed, 4 },
	{ VMPKRAM_A_POOL_NAME, pname, sizeof(pname) },
	{ VMPKRAM_A_POOL_SIZE, &psize, 8 },
	{ VMPKRAM_A_POOL_STATE, &ready, 4 },
	{ VMPKRAM_A_POOL_GENERATION, &gen, 8 },
	{ VMPKRAM_A_POOL_USED, &bad, 8 },
	{ VMPKRAM_A_POOL_BAD, &bad, 8 },
};

static const struct attr status_ntf[] = {
	{ VMPKRAM_A_API_VERSION, &api, 4 },
	{ VMPKRAM_A_MODULE_VERSION, version, sizeof(version) },
	{ VMPKRAM_A_FEATURES, &features, 8 },
	{ VMPKRAM_A_MAX_WORKERS, &workers, 4 },
	{ VMPKRAM_A_WORKERS_LIMIT, &limit, 4 },
	{ VMPKRAM_A_NR_POOLS, &zero32, 4 },
	{ VMPKRAM_A_NR_JOBS, &zero32, 4 },
	{ VMPKRAM_A_FAULTS_PTE, &zero64, 8 },
	{ VMPKRAM_A_FAULTS_PMD, &zero64, 8 },
	{ VMPKRAM_A_FAULTS_PUD, &features, 8 },
};

static const struct attr job_ntf[] = {
	{ VMPKRAM_A_JOB_ID, &jid, 4 },
	{ VMPKRAM_A_JOB_TYPE, &jtype, 4 },
	{ VMPKRAM_A_JOB_STATE, &jstate, 4 },
	{ VMPKRAM_A_JOB_CALLER_PID, &pid, 4 },
	{ VMPKRAM_A_JOB_TARGET_PID, &pid, 4 },
	{ VMPKRAM_A_JOB_THREADS, &threads, 4 },
	{ VMPKRAM_A_JOB_LEN, &jlen, 8 },
	{ VMPKRAM_A_JOB_DONE, &jdone, 8 },
	{ VMPKRAM_A_JOB_ELAPSED_NS, &elapsed, 8 },
};

#define N(a)	((int)(sizeof(a) / sizeof((a)[0])))

/*
 * The event @cmd with @attrs into a caller's struct vmpkram_event of
 * @size bytes inside @buf (guard bytes after it): what event_from_msg
 * returns, -1000 when the message could not be built.
 */
static int deliver(struct vmpkram_ctx *ctx, unsigned int cmd,
		   const struct attr *attrs, int n, void *buf,
		   size_t buf_size, size_t size)
{
	struct nl_msg *msg = crafted_msg(cmd, attrs, n, -1, NULL, 0);
	int ret;

	if (!msg)
		return -1000;
	caller(buf, buf_size, size);
	ret = vmpkram_event_from_msg(ctx, FAMILY_ID, nlmsg_hdr(msg), buf);
	nlmsg_free(msg);
	return ret;
}

static void test_events(struct vmpkram_ctx *ctx)
{
	unsigned char buf[sizeof(struct vmpkram_event) + 64];
	struct vmpkram_event *cur = (struct vmpkram_event *)buf;
	struct event_3 *e3 = (struct event_3 *)buf;
	struct event_2 *e2 = (struct event_2 *)buf;
	struct event_1 *e1 = (struct event_1 *)buf;
	int ret;

	ret = deliver(ctx, VMPKRAM_CMD_POOL_NTF, pool_ntf, N(pool_ntf), buf,
		      sizeof(buf), sizeof(*e3));
	tap_ok(ret == 1 && e3->type == VMPKRAM_EVENT_POOL &&
	       e3->pool.event == VMPKRAM_POOL_EV_SEALED &&
	       !strcmp(e3->pool.pool.name, "test") &&
	       e3->pool.pool.generation == gen &&
	       e3->pool.pool.size == sizeof(struct pool_3),
	       "a LIBVMPKRAM_3 caller gets pool events (returned %d)", ret);
	tap_ok(guard_intact(buf, sizeof(*e3), sizeof(buf)),
	       "... nothing written past its %zu bytes", sizeof(*e3));

	ret = deliver(ctx, VMPKRAM_CMD_POOL_NTF, pool_ntf, N(pool_ntf), buf,
		      sizeof(buf), sizeof(*cur));
	tap_ok(ret == 1 && cur->pool.pool.size == sizeof(cur->pool.pool) &&
	       cur->pool.pool.bad == bad,
	       "a current caller gets pool events with bad");

	ret = deliver(ctx, VMPKRAM_CMD_POOL_NTF, pool_ntf, N(pool_ntf), buf,
		      sizeof(buf), sizeof(*e2));
	tap_ok(ret == 0 && guard_intact(buf, sizeof(*e2), sizeof(buf)),
	       "a LIBVMPKRAM_2 caller does not get pool events");

	ret = deliver(ctx, VMPKRAM_CMD_JOB_NTF, job_ntf, N(job_ntf), buf,
		      sizeof(buf), sizeof(*e2));
	tap_ok(ret == 1 && e2->type == VMPKRAM_EVENT_JOB && e2->job.id == jid &&
	       e2->job.size == sizeof(struct job_2) &&
	       guard_intact(buf, sizeof(*e2), sizeof(buf)),
	       "a LIBVMPKRAM_2 caller gets job events, nothing written past them");

	ret = deliver(ctx, VMPKRAM_CMD_JOB_NTF, job_ntf, N(job_ntf), buf,
		      sizeof(buf), sizeof(*e1));
	tap_ok(ret == 0, "a LIBVMPKRAM_1 caller does not get job events");

	ret = deliver(ctx, VMPKRAM_CMD_STATUS_NTF, status_ntf, N(status_ntf),
		      buf, sizeof(buf), sizeof(*e1));
	tap_ok(ret == 1 && e1->type == VMPKRAM_EVENT_STATUS &&
	       e1->status.size == sizeof(struct status_1) &&
	       e1->status.max_workers == workers &&
	       !strcmp(e1->status.module_version, version) &&
	       guard_intact(buf, sizeof(*e1), sizeof(buf)),
	       "a LIBVMPKRAM_1 caller gets status events cut to its struct");

	ret = deliver(ctx, VMPKRAM_CMD_STATUS_NTF, status_ntf, N(status_ntf),
		      buf, sizeof(buf), VMPKRAM_EVENT_SIZE_V1 - 1);
	tap_ok(ret == -EINVAL,
	       "an event struct below the first version is -EINVAL (%d)", ret);
}

int main(void)
{
	struct vmpkram_ctx *ctx;

	test_layouts();
	test_sizes();
	test_pool_copy();
	if (!tap_ok(vmpkram_new(&ctx) == 0, "vmpkram_new"))
		return tap_exit();
	test_events(ctx);
	vmpkram_unref(ctx);
	return tap_exit();
}
