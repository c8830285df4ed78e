// SPDX-License-Identifier: GPL-2.0
/*
 * The "vmpkram" generic netlink contract (see the uAPI header): strict
 * per-command policies with extended-ACK messages, missing-attribute
 * reports, CAP_SYS_ADMIN for admin commands, status consistent with the
 * ioctl, and status events on the "events" multicast group.
 *
 * Messages are built by hand with the generic netlink helpers of
 * vmpkram_test.h, so that malformed ones can be sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vmpkram.h>

#include "kselftest_harness.h"
#include "vmpkram_test.h"

/* A request for @cmd with a given genl header "reserved" field. */
static struct tnl_msg *request(struct tnl_msg *m, int family, __u8 cmd,
			       __u16 reserved)
{
	tnl_msg_init(m, family, 0, cmd);
	tnl_genlhdr(m)->reserved = reserved;
	return m;
}

/* Sends @m and collects the reply or the error into @res. */
static int transact(struct tnl *nl, struct tnl_msg *m, struct tnl_result *res)
{
	return tnl_exec(nl, m, NULL, NULL, res);
}

FIXTURE(genl) {
	struct tnl nl;
	int family;
	struct tnl_msg m;
	struct tnl_result res;
};

FIXTURE_SETUP(genl)
{
	memset(&self->res, 0, sizeof(self->res));
	ASSERT_EQ(0, tnl_open(&self->nl)) TH_LOG("resolve %s: %s",
						  VMPKRAM_GENL_NAME,
						  strerror(errno));
	self->family = self->nl.family;
}

FIXTURE_TEARDOWN(genl)
{
	tnl_result_clear(&self->res);
	tnl_close(&self->nl);
}

static struct tnl_msg *set_params_u32(struct tnl_msg *m, int family,
				      __u32 workers)
{
	request(m, family, VMPKRAM_CMD_SET_PARAMS, 0);
	tnl_put_u32(m, VMPKRAM_A_MAX_WORKERS, workers);
	return m;
}

static __u32 ioctl_max_workers(void)
{
	struct vmpkram_api api = { .size = sizeof(api) };
	int fd = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (ioctl(fd, VMPKRAM_IOC_GET_API, &api))
		api.max_workers = 0;
	close(fd);
	return api.max_workers;
}

TEST_F(genl, family_version_and_group)
{
	EXPECT_EQ(VMPKRAM_GENL_VERSION, self->nl.version);
	EXPECT_LT(0, self->nl.events_group);
}

TEST_F(genl, status_matches_ioctl)
{
	struct nlattr **tb = self->res.tb;
	struct vmpkram_api api = { .size = sizeof(api) };
	int fd;

	ASSERT_EQ(0, transact(&self->nl, request(&self->m, self->family,
			VMPKRAM_CMD_GET_STATUS, 0), &self->res));
	ASSERT_EQ(0, self->res.error) TH_LOG("%s", self->res.msg);
	ASSERT_NE(NULL, self->res.reply);

	fd = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, VMPKRAM_IOC_GET_API, &api));
	close(fd);

	ASSERT_NE(NULL, tb[VMPKRAM_A_API_VERSION]);
	ASSERT_NE(NULL, tb[VMPKRAM_A_MODULE_VERSION]);
	ASSERT_NE(NULL, tb[VMPKRAM_A_FEATURES]);
	ASSERT_NE(NULL, tb[VMPKRAM_A_MAX_WORKERS]);
	ASSERT_NE(NULL, tb[VMPKRAM_A_WORKERS_LIMIT]);
	ASSERT_NE(NULL, tb[VMPKRAM_A_NR_POOLS]);
	EXPECT_EQ(api.api_version, tnl_u32(tb[VMPKRAM_A_API_VERSION]));
	EXPECT_EQ(api.features, tnl_u64(tb[VMPKRAM_A_FEATURES]));
	EXPECT_EQ(api.max_workers, tnl_u32(tb[VMPKRAM_A_MAX_WORKERS]));
	EXPECT_EQ(api.workers_limit, tnl_u32(tb[VMPKRAM_A_WORKERS_LIMIT]));
	EXPECT_EQ(0, tnl_u32(tb[VMPKRAM_A_NR_POOLS]));
	EXPECT_LT(0, strlen(tnl_str(tb[VMPKRAM_A_MODULE_VERSION])));
}

/* An attribute type beyond the family's maxattr. */
TEST_F(genl, unknown_attribute_is_rejected)
{
	request(&self->m, self->family, VMPKRAM_CMD_GET_STATUS, 0);
	tnl_put_u32(&self->m, VMPKRAM_A_MAX + 1, 1);
	ASSERT_EQ(0, transact(&self->nl, &self->m, &self->res));
	EXPECT_EQ(EINVAL, self->res.error);
	EXPECT_LT(0, strlen(self->res.msg));
	EXPECT_LT(0, self->res.offs) TH_LOG("extack points at the attribute");
}

/* A known attribute the command does not take. */
TEST_F(genl, attribute_not_taken_is_rejected)
{
	request(&self->m, self->family, VMPKRAM_CMD_GET_STATUS, 0);
	tnl_put_u32(&self->m, VMPKRAM_A_MAX_WORKERS, 1);
	ASSERT_EQ(0, transact(&self->nl, &self->m, &self->res));
	EXPECT_EQ(EINVAL, self->res.error);
	EXPECT_LT(0, strlen(self->res.msg));
}

TEST_F(genl, missing_attribute_is_reported)
{
	ASSERT_EQ(0, transact(&self->nl, request(&self->m, self->family,
			VMPKRAM_CMD_SET_PARAMS, 0), &self->res));
	EXPECT_EQ(EINVAL, self->res.error);
	EXPECT_EQ(VMPKRAM_A_MAX_WORKERS, self->res.miss_type);
}

/* Range checks are the policy's: ERANGE, with the attribute's offset. */
TEST_F(genl, out_of_range_is_erange)
{
	ASSERT_EQ(0, transact(&self->nl, set_params_u32(&self->m, self->family,
			VMPKRAM_WORKERS_LIMIT + 1), &self->res));
	EXPECT_EQ(ERANGE, self->res.error);
	EXPECT_LT(0, strlen(self->res.msg));
	EXPECT_LT(0, self->res.offs);
	ASSERT_EQ(0, transact(&self->nl, set_params_u32(&self->m, self->family,
			UINT32_MAX), &self->res));
	EXPECT_EQ(ERANGE, self->res.error);
}

TEST_F(genl, wrong_length_is_rejected)
{
	__u8 u8 = 1;
	__u64 u64 = 1;

	request(&self->m, self->family, VMPKRAM_CMD_SET_PARAMS, 0);
	tnl_put(&self->m, VMPKRAM_A_MAX_WORKERS, &u8, sizeof(u8));
	ASSERT_EQ(0, transact(&self->nl, &self->m, &self->res));
	EXPECT_EQ(EINVAL, self->res.error);
	EXPECT_LT(0, strlen(self->res.msg));

	request(&self->m, self->family, VMPKRAM_CMD_SET_PARAMS, 0);
	tnl_put(&self->m, VMPKRAM_A_MAX_WORKERS, &u64, sizeof(u64));
	ASSERT_EQ(0, transact(&self->nl, &self->m, &self->res));
	EXPECT_EQ(EINVAL, self->res.error);
}

TEST_F(genl, reserved_header_field_is_rejected)
{
	ASSERT_EQ(0, transact(&self->nl, request(&self->m, self->family,
			VMPKRAM_CMD_GET_STATUS, 1), &self->res));
	EXPECT_EQ(EINVAL, self->res.error);
}

TEST_F(genl, unknown_and_notification_commands_are_rejected)
{
	ASSERT_EQ(0, transact(&self->nl, request(&self->m, self->family,
			VMPKRAM_CMD_STATUS_NTF, 0), &self->res));
	EXPECT_EQ(EOPNOTSUPP, self->res.error);
	ASSERT_EQ(0, transact(&self->nl, request(&self->m, self->family,
			VMPKRAM_CMD_MAX + 1, 0), &self->res));
	EXPECT_EQ(EOPNOTSUPP, self->res.error);
	ASSERT_EQ(0, transact(&self->nl, request(&self->m, self->family,
			VMPKRAM_CMD_UNSPEC, 0), &self->res));
	EXPECT_EQ(EOPNOTSUPP, self->res.error);
}

static int family_id;

static int unprivileged_set_params(void)
{
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	struct tnl nl;
	int ret;

	if (tnl_open(&nl))
		return ENOTCONN;
	ret = transact(&nl, set_params_u32(&m, family_id, 2), &res);
	if (!ret && res.error == EPERM && !strstr(res.msg, "CAP_SYS_ADMIN"))
		ret = EBADMSG;	/* refused, but without telling why */
	else if (!ret)
		ret = res.error;
	tnl_result_clear(&res);
	tnl_close(&nl);
	return ret < 0 ? EIO : ret;
}

static int unprivileged_get_status(void)
{
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	struct tnl nl;
	int ret;

	if (tnl_open(&nl))
		return ENOTCONN;
	ret = transact(&nl, request(&m, family_id, VMPKRAM_CMD_GET_STATUS, 0),
		       &res);
	if (!ret)
		ret = res.error ? res.error : (res.reply ? 0 : ENODATA);
	tnl_result_clear(&res);
	tnl_close(&nl);
	return ret < 0 ? EIO : ret;
}

TEST_F(genl, unprivileged_admin_command_is_eperm)
{
	__u32 before = ioctl_max_workers();

	family_id = self->family;
	EXPECT_EQ(EPERM, run_unprivileged(unprivileged_set_params));
	EXPECT_EQ(before, ioctl_max_workers());
}

TEST_F(genl, unprivileged_status_is_allowed)
{
	family_id = self->family;
	EXPECT_EQ(0, run_unprivileged(unprivileged_get_status));
}

static int events_socket(struct tnl *ev)
{
	if (tnl_open(ev))
		return -ENOTCONN;
	if (tnl_subscribe(ev)) {
		tnl_close(ev);
		return -EINVAL;
	}
	return 0;
}

static bool take_workers(struct nlattr **tb, void *arg)
{
	if (!tb[VMPKRAM_A_MAX_WORKERS])
		return false;
	*(__u32 *)arg = tnl_u32(tb[VMPKRAM_A_MAX_WORKERS]);
	return true;
}

/* Next STATUS_NTF's max_workers within @ms, or 0. */
static __u32 next_event_workers(struct tnl *ev, int ms)
{
	__u32 workers = 0;

	tnl_wait_event(ev, VMPKRAM_CMD_STATUS_NTF, ms, take_workers, &workers);
	return workers;
}

TEST_F(genl, set_params_changes_status_and_notifies)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	__u32 want = cpus > 1 ? 1 : 2;
	struct tnl ev;

	ASSERT_EQ(0, events_socket(&ev));

	ASSERT_EQ(0, transact(&self->nl, set_params_u32(&self->m, self->family,
			want), &self->res));
	ASSERT_EQ(0, self->res.error) TH_LOG("%s", self->res.msg);
	EXPECT_EQ(want, ioctl_max_workers());
	EXPECT_EQ(want, next_event_workers(&ev, 2000));

	/* 0 restores one worker per online CPU. */
	ASSERT_EQ(0, transact(&self->nl, set_params_u32(&self->m, self->family,
			0), &self->res));
	ASSERT_EQ(0, self->res.error) TH_LOG("%s", self->res.msg);
	EXPECT_EQ(cpus, ioctl_max_workers());
	EXPECT_EQ(cpus, next_event_workers(&ev, 2000));
	tnl_close(&ev);
}

TEST_F(genl, status_counts_jobs)
{
	ASSERT_EQ(0, transact(&self->nl, request(&self->m, self->family,
			VMPKRAM_CMD_GET_STATUS, 0), &self->res));
	ASSERT_NE(NULL, self->res.tb[VMPKRAM_A_NR_JOBS]);
	EXPECT_EQ(0, tnl_u32(self->res.tb[VMPKRAM_A_NR_JOBS]));
}

struct prefault_run {
	size_t len;
	char *p;
	__u32 flags;
	__u32 job_id;
	int error;
};

static void *prefault_thread(void *arg)
{
	struct prefault_run *run = arg;
	struct vmpkram_prefault req = {
		.size = sizeof(req), .flags = run->flags,
		.addr = (uintptr_t)run->p, .len = run->len,
	};
	int fd = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDWR | O_CLOEXEC);

	run->error = fd < 0 || ioctl(fd, VMPKRAM_IOC_PREFAULT, &req) ? errno : 0;
	run->job_id = req.job_id;
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int prefault_run_init(struct prefault_run *run, size_t len, __u32 flags)
{
	memset(run, 0, sizeof(*run));
	run->len = len;
	run->flags = flags;
	run->p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return run->p == MAP_FAILED ? -1 : 0;
}

/* Reads events until the job ends; counts what it saw. */
struct job_seen {
	__u32 id;
	int started, progress, ended, with_addr;
	__u32 end_state;
	__u64 end_done;
};

/* A JOB_NTF of this process's job; true once the job ended. */
static bool on_job_event(struct nlattr **tb, void *arg)
{
	struct job_seen *seen = arg;
	__u32 state;

	if (!tb[VMPKRAM_A_JOB_ID] || !tb[VMPKRAM_A_JOB_STATE] ||
	    !tb[VMPKRAM_A_JOB_DONE] || !tb[VMPKRAM_A_JOB_CALLER_PID] ||
	    tnl_u32(tb[VMPKRAM_A_JOB_CALLER_PID]) != (__u32)getpid())
		return false;
	seen->id = tnl_u32(tb[VMPKRAM_A_JOB_ID]);
	seen->with_addr += !!tb[VMPKRAM_A_JOB_ADDR];
	state = tnl_u32(tb[VMPKRAM_A_JOB_STATE]);
	if (state != VMPKRAM_JOB_RUNNING) {
		seen->ended++;
		seen->end_state = state;
		seen->end_done = tnl_u64(tb[VMPKRAM_A_JOB_DONE]);
		return true;
	}
	if (tnl_u64(tb[VMPKRAM_A_JOB_DONE]))
		seen->progress++;
	else
		seen->started++;
	return false;
}

TEST_F(genl, job_events_announce_start_progress_and_end)
{
	struct job_seen seen = { 0 };
	struct prefault_run run;
	struct tnl ev;
	pthread_t th;

	ASSERT_EQ(0, events_socket(&ev));
	/* Long enough (seconds under TCG) for progress events. */
	ASSERT_EQ(0, prefault_run_init(&run, 1UL << 30, VMPKRAM_PREFAULT_F_ZERO));
	ASSERT_EQ(0, pthread_create(&th, NULL, prefault_thread, &run));
	tnl_wait_event(&ev, VMPKRAM_CMD_JOB_NTF, 5000, on_job_event, &seen);
	pthread_join(th, NULL);
	ASSERT_EQ(0, run.error);

	EXPECT_EQ(run.job_id, seen.id);
	EXPECT_EQ(1, seen.started);
	EXPECT_LE(1, seen.progress);
	EXPECT_EQ(1, seen.ended);
	EXPECT_EQ(VMPKRAM_JOB_DONE, seen.end_state);
	EXPECT_EQ(run.len, seen.end_done);
	EXPECT_EQ(0, seen.with_addr) TH_LOG("events must not carry addresses");
	munmap(run.p, run.len);
	tnl_close(&ev);
}

struct dump_seen {
	int jobs;
	__u64 addr, len;
	__u32 type;
};

static void on_job_dump(struct nlattr **tb, void *arg)
{
	struct dump_seen *seen = arg;

	if (!tb[VMPKRAM_A_JOB_ADDR] || !tb[VMPKRAM_A_JOB_LEN] ||
	    !tb[VMPKRAM_A_JOB_TYPE])
		return;
	seen->jobs++;
	seen->addr = tnl_u64(tb[VMPKRAM_A_JOB_ADDR]);
	seen->len = tnl_u64(tb[VMPKRAM_A_JOB_LEN]);
	seen->type = tnl_u32(tb[VMPKRAM_A_JOB_TYPE]);
}

/* Dumps the running jobs; returns 0 or a positive errno. */
static int dump_jobs(struct tnl *nl, int family, struct dump_seen *seen,
		     struct tnl_result *res)
{
	struct tnl_msg m;
	int ret;

	memset(seen, 0, sizeof(*seen));
	tnl_msg_init(&m, family, NLM_F_DUMP, VMPKRAM_CMD_GET_JOBS);
	ret = tnl_exec(nl, &m, on_job_dump, seen, res);
	return ret ? EIO : res->error;
}

TEST_F(genl, jobs_dump_shows_running_job)
{
	struct dump_seen seen;
	struct prefault_run run;
	pthread_t th;
	int i;

	ASSERT_EQ(0, prefault_run_init(&run, 1UL << 30, VMPKRAM_PREFAULT_F_ZERO));
	ASSERT_EQ(0, pthread_create(&th, NULL, prefault_thread, &run));
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, dump_jobs(&self->nl, self->family, &seen,
				       &self->res));
		if (seen.jobs)
			break;
		usleep(10 * 1000);
	}
	pthread_join(th, NULL);
	ASSERT_EQ(0, run.error);
	ASSERT_EQ(1, seen.jobs);
	EXPECT_EQ((uintptr_t)run.p, seen.addr);
	EXPECT_EQ(run.len, seen.len);
	EXPECT_EQ(VMPKRAM_JOB_ZERO, seen.type);

	ASSERT_EQ(0, dump_jobs(&self->nl, self->family, &seen, &self->res));
	EXPECT_EQ(0, seen.jobs) TH_LOG("the job ended");
	munmap(run.p, run.len);
}

static int unprivileged_dump_jobs(void)
{
	struct tnl_result res = { 0 };
	struct dump_seen seen;
	struct tnl nl;
	int ret;

	if (tnl_open(&nl))
		return ENOTCONN;
	ret = dump_jobs(&nl, family_id, &seen, &res);
	/* 6.1 drops the extended ACK of a dump's start callback. */
	if (ret == EPERM && res.msg[0] && !strstr(res.msg, "CAP_SYS_ADMIN"))
		ret = EBADMSG;
	tnl_result_clear(&res);
	tnl_close(&nl);
	return ret;
}

TEST_F(genl, unprivileged_jobs_dump_is_eperm)
{
	family_id = self->family;
	EXPECT_EQ(EPERM, run_unprivileged(unprivileged_dump_jobs));
}

TEST_HARNESS_MAIN
