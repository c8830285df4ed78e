// SPDX-License-Identifier: GPL-2.0
/*
 * The "vmpkram" generic netlink contract (see the uAPI header): strict
 * per-command policies with extended-ACK messages, missing-attribute
 * reports, CAP_SYS_ADMIN for admin commands, status consistent with the
 * ioctl, and status events on the "events" multicast group.
 *
 * Messages are built by hand with libnl so that malformed ones can be sent.
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

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>

#include <linux/vmpkram.h>

#include "kselftest_harness.h"
#include "vmpkram_test.h"

/* What came back for one request. */
struct nl_result {
	int error;			/* 0 or a positive errno */
	char msg[256];			/* extended-ACK message */
	int miss_type;			/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
	int offs;			/* NLMSGERR_ATTR_OFFS, or -1 */
	struct nlattr *tb[VMPKRAM_A_MAX + 1];	/* reply attributes */
	struct nl_msg *reply;
};

static int parse_ack_tlvs(struct nlmsgerr *err, struct nl_result *res)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*err);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - NLMSG_HDRLEN;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)err + off),
		      nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL))
		return 0;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(res->msg, sizeof(res->msg), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		res->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	if (tb[NLMSGERR_ATTR_OFFS])
		res->offs = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	return 0;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nl_result *res = arg;

	res->error = -err->error;
	parse_ack_tlvs(err, res);
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nl_result *res = arg;

	nlmsg_get(msg);
	res->reply = msg;
	return genlmsg_parse(nlmsg_hdr(msg), 0, res->tb, VMPKRAM_A_MAX, NULL) ?
	       NL_STOP : NL_OK;
}

/* Notifications carry sequence number 0: accept them. */
static int no_seq_check(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

static struct nl_sock *connect_genl(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;

	if (!sk)
		return NULL;
	if (genl_connect(sk) ||
	    setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK,
		       &one, sizeof(one)) ||
	    setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK,
		       &one, sizeof(one))) {
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

static void result_clear(struct nl_result *res)
{
	if (res->reply)
		nlmsg_free(res->reply);
	memset(res, 0, sizeof(*res));
	res->miss_type = -1;
	res->offs = -1;
}

/* Send @msg (consumed) and collect the reply or the error into @res. */
static int transact(struct nl_sock *sk, struct nl_msg *msg,
		    struct nl_result *res)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	result_clear(res);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, res);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, res);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, res);
	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (ret >= 0)
		ret = nl_recvmsgs(sk, cb);
	/* An error ACK ends the receive loop with an error of its own. */
	if (res->error)
		ret = 0;
	nl_cb_put(cb);
	return ret < 0 ? ret : 0;
}

/* A request for @cmd with a given genl header "reserved" field. */
static struct nl_msg *request(int family, __u8 cmd, __u16 reserved)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	/* genlmsg_put() returns the user header, which we do not have. */
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 NLM_F_REQUEST | NLM_F_ACK, cmd, VMPKRAM_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	genlmsg_hdr(nlmsg_hdr(msg))->reserved = reserved;
	return msg;
}

FIXTURE(genl) {
	struct nl_sock *sk;
	int family;
	struct nl_result res;
};

FIXTURE_SETUP(genl)
{
	memset(&self->res, 0, sizeof(self->res));
	self->sk = connect_genl();
	ASSERT_NE(NULL, self->sk);
	self->family = genl_ctrl_resolve(self->sk, VMPKRAM_GENL_NAME);
	ASSERT_LT(0, self->family) TH_LOG("resolve %s: %s", VMPKRAM_GENL_NAME,
					  nl_geterror(self->family));
}

FIXTURE_TEARDOWN(genl)
{
	result_clear(&self->res);
	nl_socket_free(self->sk);
}

static struct nl_msg *set_params_u32(int family, __u32 workers)
{
	struct nl_msg *msg = request(family, VMPKRAM_CMD_SET_PARAMS, 0);

	if (msg && nla_put_u32(msg, VMPKRAM_A_MAX_WORKERS, workers)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
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
	struct nl_cache *cache;
	struct genl_family *fam;

	ASSERT_EQ(0, genl_ctrl_alloc_cache(self->sk, &cache));
	fam = genl_ctrl_search_by_name(cache, VMPKRAM_GENL_NAME);
	ASSERT_NE(NULL, fam);
	EXPECT_EQ(VMPKRAM_GENL_VERSION, genl_family_get_version(fam));
	genl_family_put(fam);
	nl_cache_free(cache);
	EXPECT_LT(0, genl_ctrl_resolve_grp(self->sk, VMPKRAM_GENL_NAME,
					   VMPKRAM_GENL_MCGRP_EVENTS));
}

TEST_F(genl, status_matches_ioctl)
{
	struct nlattr **tb = self->res.tb;
	struct vmpkram_api api = { .size = sizeof(api) };
	int fd;

	ASSERT_EQ(0, transact(self->sk, request(self->family,
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
	EXPECT_EQ(api.api_version, nla_get_u32(tb[VMPKRAM_A_API_VERSION]));
	EXPECT_EQ(api.features, nla_get_u64(tb[VMPKRAM_A_FEATURES]));
	EXPECT_EQ(api.max_workers, nla_get_u32(tb[VMPKRAM_A_MAX_WORKERS]));
	EXPECT_EQ(api.workers_limit, nla_get_u32(tb[VMPKRAM_A_WORKERS_LIMIT]));
	EXPECT_EQ(0, nla_get_u32(tb[VMPKRAM_A_NR_POOLS]));
	EXPECT_LT(0, strlen(nla_get_string(tb[VMPKRAM_A_MODULE_VERSION])));
}

/* An attribute type beyond the family's maxattr. */
TEST_F(genl, unknown_attribute_is_rejected)
{
	struct nl_msg *msg = request(self->family, VMPKRAM_CMD_GET_STATUS, 0);

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, VMPKRAM_A_MAX + 1, 1));
	ASSERT_EQ(0, transact(self->sk, msg, &self->res));
	EXPECT_EQ(EINVAL, self->res.error);
	EXPECT_LT(0, strlen(self->res.msg));
	EXPECT_LT(0, self->res.offs) TH_LOG("extack points at the attribute");
}

/* A known attribute the command does not take. */
TEST_F(genl, attribute_not_taken_is_rejected)
{
	struct nl_msg *msg = request(self->family, VMPKRAM_CMD_GET_STATUS, 0);

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, VMPKRAM_A_MAX_WORKERS, 1));
	ASSERT_EQ(0, transact(self->sk, msg, &self->res));
	EXPECT_EQ(EINVAL, self->res.error);
	EXPECT_LT(0, strlen(self->res.msg));
}

TEST_F(genl, missing_attribute_is_reported)
{
	ASSERT_EQ(0, transact(self->sk, request(self->family,
			VMPKRAM_CMD_SET_PARAMS, 0), &self->res));
	EXPECT_EQ(EINVAL, self->res.error);
	EXPECT_EQ(VMPKRAM_A_MAX_WORKERS, self->res.miss_type);
}

/* Range checks are the policy's: ERANGE, with the attribute's offset. */
TEST_F(genl, out_of_range_is_erange)
{
	ASSERT_EQ(0, transact(self->sk, set_params_u32(self->family,
			VMPKRAM_WORKERS_LIMIT + 1), &self->res));
	EXPECT_EQ(ERANGE, self->res.error);
	EXPECT_LT(0, strlen(self->res.msg));
	EXPECT_LT(0, self->res.offs);
	ASSERT_EQ(0, transact(self->sk, set_params_u32(self->family,
			UINT32_MAX), &self->res));
	EXPECT_EQ(ERANGE, self->res.error);
}

TEST_F(genl, wrong_length_is_rejected)
{
	struct nl_msg *msg = request(self->family, VMPKRAM_CMD_SET_PARAMS, 0);

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u8(msg, VMPKRAM_A_MAX_WORKERS, 1));
	ASSERT_EQ(0, transact(self->sk, msg, &self->res));
	EXPECT_EQ(EINVAL, self->res.error);
	EXPECT_LT(0, strlen(self->res.msg));

	msg = request(self->family, VMPKRAM_CMD_SET_PARAMS, 0);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u64(msg, VMPKRAM_A_MAX_WORKERS, 1));
	ASSERT_EQ(0, transact(self->sk, msg, &self->res));
	EXPECT_EQ(EINVAL, self->res.error);
}

TEST_F(genl, reserved_header_field_is_rejected)
{
	ASSERT_EQ(0, transact(self->sk, request(self->family,
			VMPKRAM_CMD_GET_STATUS, 1), &self->res));
	EXPECT_EQ(EINVAL, self->res.error);
}

TEST_F(genl, unknown_and_notification_commands_are_rejected)
{
	ASSERT_EQ(0, transact(self->sk, request(self->family,
			VMPKRAM_CMD_STATUS_NTF, 0), &self->res));
	EXPECT_EQ(EOPNOTSUPP, self->res.error);
	ASSERT_EQ(0, transact(self->sk, request(self->family,
			VMPKRAM_CMD_MAX + 1, 0), &self->res));
	EXPECT_EQ(EOPNOTSUPP, self->res.error);
	ASSERT_EQ(0, transact(self->sk, request(self->family,
			VMPKRAM_CMD_UNSPEC, 0), &self->res));
	EXPECT_EQ(EOPNOTSUPP, self->res.error);
}

static int family_id;

static int unprivileged_set_params(void)
{
	struct nl_result res = { 0 };
	struct nl_sock *sk = connect_genl();
	int ret;

	if (!sk)
		return ENOTCONN;
	ret = transact(sk, set_params_u32(family_id, 2), &res);
	if (!ret && res.error == EPERM && !strstr(res.msg, "CAP_SYS_ADMIN"))
		ret = EBADMSG;	/* refused, but without telling why */
	else if (!ret)
		ret = res.error;
	result_clear(&res);
	nl_socket_free(sk);
	return ret < 0 ? EIO : ret;
}

static int unprivileged_get_status(void)
{
	struct nl_result res = { 0 };
	struct nl_sock *sk = connect_genl();
	int ret;

	if (!sk)
		return ENOTCONN;
	ret = transact(sk, request(family_id, VMPKRAM_CMD_GET_STATUS, 0), &res);
	if (!ret)
		ret = res.error ? res.error : (res.reply ? 0 : ENODATA);
	result_clear(&res);
	nl_socket_free(sk);
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

static int events_socket(struct nl_sock **out)
{
	struct nl_sock *sk = connect_genl();
	int grp;

	if (!sk)
		return -ENOMEM;
	grp = genl_ctrl_resolve_grp(sk, VMPKRAM_GENL_NAME,
				    VMPKRAM_GENL_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(sk, grp)) {
		nl_socket_free(sk);
		return -EINVAL;
	}
	*out = sk;
	return 0;
}

/* Next STATUS_NTF's max_workers within @ms, or 0. */
static __u32 next_event_workers(struct nl_sock *sk, int ms)
{
	struct nl_result res = { 0 };
	struct pollfd pfd = { .fd = nl_socket_get_fd(sk), .events = POLLIN };
	struct nl_cb *cb;
	__u32 workers = 0;

	result_clear(&res);
	if (poll(&pfd, 1, ms) != 1)
		return 0;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return 0;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &res);
	if (nl_recvmsgs(sk, cb) >= 0 && res.reply &&
	    genlmsg_hdr(nlmsg_hdr(res.reply))->cmd == VMPKRAM_CMD_STATUS_NTF &&
	    res.tb[VMPKRAM_A_MAX_WORKERS])
		workers = nla_get_u32(res.tb[VMPKRAM_A_MAX_WORKERS]);
	nl_cb_put(cb);
	result_clear(&res);
	return workers;
}

TEST_F(genl, set_params_changes_status_and_notifies)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	__u32 want = cpus > 1 ? 1 : 2;
	struct nl_sock *ev;

	ASSERT_EQ(0, events_socket(&ev));

	ASSERT_EQ(0, transact(self->sk, set_params_u32(self->family, want),
			      &self->res));
	ASSERT_EQ(0, self->res.error) TH_LOG("%s", self->res.msg);
	EXPECT_EQ(want, ioctl_max_workers());
	EXPECT_EQ(want, next_event_workers(ev, 2000));

	/* 0 restores one worker per online CPU. */
	ASSERT_EQ(0, transact(self->sk, set_params_u32(self->family, 0),
			      &self->res));
	ASSERT_EQ(0, self->res.error) TH_LOG("%s", self->res.msg);
	EXPECT_EQ(cpus, ioctl_max_workers());
	EXPECT_EQ(cpus, next_event_workers(ev, 2000));
	nl_socket_free(ev);
}

TEST_F(genl, status_counts_jobs)
{
	ASSERT_EQ(0, transact(self->sk, request(self->family,
			VMPKRAM_CMD_GET_STATUS, 0), &self->res));
	ASSERT_NE(NULL, self->res.tb[VMPKRAM_A_NR_JOBS]);
	EXPECT_EQ(0, nla_get_u32(self->res.tb[VMPKRAM_A_NR_JOBS]));
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

static int on_job_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	struct job_seen *seen = arg;
	__u32 state;

	if (genlmsg_hdr(nlmsg_hdr(msg))->cmd != VMPKRAM_CMD_JOB_NTF ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, VMPKRAM_A_MAX, NULL) ||
	    !tb[VMPKRAM_A_JOB_ID] || !tb[VMPKRAM_A_JOB_STATE] ||
	    !tb[VMPKRAM_A_JOB_DONE] ||
	    nla_get_u32(tb[VMPKRAM_A_JOB_CALLER_PID]) != (__u32)getpid())
		return NL_OK;
	seen->id = nla_get_u32(tb[VMPKRAM_A_JOB_ID]);
	seen->with_addr += !!tb[VMPKRAM_A_JOB_ADDR];
	state = nla_get_u32(tb[VMPKRAM_A_JOB_STATE]);
	if (state != VMPKRAM_JOB_RUNNING) {
		seen->ended++;
		seen->end_state = state;
		seen->end_done = nla_get_u64(tb[VMPKRAM_A_JOB_DONE]);
	} else if (nla_get_u64(tb[VMPKRAM_A_JOB_DONE])) {
		seen->progress++;
	} else {
		seen->started++;
	}
	return NL_OK;
}

static void read_job_events(struct nl_sock *sk, struct job_seen *seen)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(sk), .events = POLLIN };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_job_event, seen);
	while (!seen->ended && poll(&pfd, 1, 5000) == 1)
		nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
}

TEST_F(genl, job_events_announce_start_progress_and_end)
{
	struct job_seen seen = { 0 };
	struct prefault_run run;
	struct nl_sock *ev;
	pthread_t th;

	ASSERT_EQ(0, events_socket(&ev));
	/* Long enough (seconds under TCG) for progress events. */
	ASSERT_EQ(0, prefault_run_init(&run, 1UL << 30, VMPKRAM_PREFAULT_F_ZERO));
	ASSERT_EQ(0, pthread_create(&th, NULL, prefault_thread, &run));
	read_job_events(ev, &seen);
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
	nl_socket_free(ev);
}

struct dump_seen {
	int jobs;
	__u64 addr, len;
	__u32 type;
};

static int on_job_dump(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	struct dump_seen *seen = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, VMPKRAM_A_MAX, NULL) ||
	    !tb[VMPKRAM_A_JOB_ADDR] || !tb[VMPKRAM_A_JOB_LEN] ||
	    !tb[VMPKRAM_A_JOB_TYPE])
		return NL_SKIP;
	seen->jobs++;
	seen->addr = nla_get_u64(tb[VMPKRAM_A_JOB_ADDR]);
	seen->len = nla_get_u64(tb[VMPKRAM_A_JOB_LEN]);
	seen->type = nla_get_u32(tb[VMPKRAM_A_JOB_TYPE]);
	return NL_OK;
}

/* Dumps the running jobs; returns 0 or a positive errno. */
static int dump_jobs(struct nl_sock *sk, int family, struct dump_seen *seen,
		     struct nl_result *res)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret = ENOMEM;

	result_clear(res);
	memset(seen, 0, sizeof(*seen));
	if (msg && cb && genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				     NLM_F_REQUEST | NLM_F_DUMP,
				     VMPKRAM_CMD_GET_JOBS,
				     VMPKRAM_GENL_VERSION)) {
		nl_cb_err(cb, NL_CB_CUSTOM, on_error, res);
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_job_dump, seen);
		ret = nl_send_auto(sk, msg) < 0 ? EIO : 0;
		if (!ret && nl_recvmsgs(sk, cb) < 0 && !res->error)
			ret = EIO;
		if (!ret)
			ret = res->error;
	}
	nlmsg_free(msg);
	nl_cb_put(cb);
	return ret;
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
		ASSERT_EQ(0, dump_jobs(self->sk, self->family, &seen,
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

	ASSERT_EQ(0, dump_jobs(self->sk, self->family, &seen, &self->res));
	EXPECT_EQ(0, seen.jobs) TH_LOG("the job ended");
	munmap(run.p, run.len);
}

static int unprivileged_dump_jobs(void)
{
	struct nl_result res = { 0 };
	struct dump_seen seen;
	struct nl_sock *sk = connect_genl();
	int ret;

	if (!sk)
		return ENOTCONN;
	ret = dump_jobs(sk, family_id, &seen, &res);
	/* 6.1 drops the extended ACK of a dump's start callback. */
	if (ret == EPERM && res.msg[0] && !strstr(res.msg, "CAP_SYS_ADMIN"))
		ret = EBADMSG;
	result_clear(&res);
	nl_socket_free(sk);
	return ret;
}

TEST_F(genl, unprivileged_jobs_dump_is_eperm)
{
	family_id = self->family;
	EXPECT_EQ(EPERM, run_unprivileged(unprivileged_dump_jobs));
}

TEST_HARNESS_MAIN
