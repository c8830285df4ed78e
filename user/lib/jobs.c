// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * GET_JOBS and strict parsing of the job attributes, as for the status:
 * a job that cannot be fully validated is an error, not a guess.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "jobs.h"
#include "netlink.h"
#include "private.h"
#include "status.h"

/* Pids are positive ints in the kernel. */
#define PID_MAX	INT32_MAX

static int job_ids(struct nlattr **tb, struct vmpkram_job *j, char *why,
		   size_t why_size)
{
	int ret;

	ret = vmpkram_attr_u32(tb, VMPKRAM_A_JOB_ID, 0, UINT32_MAX, &j->id,
			       why, why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_JOB_TYPE,
				       VMPKRAM_JOB_PREFAULT_WRITE,
				       VMPKRAM_JOB_SCRUB, &j->type, why,
				       why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_JOB_STATE,
				       VMPKRAM_JOB_RUNNING,
				       VMPKRAM_JOB_CANCELLED, &j->state, why,
				       why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_JOB_CALLER_PID, 1, PID_MAX,
				       &j->caller_pid, why, why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_JOB_TARGET_PID, 1, PID_MAX,
				       &j->target_pid, why, why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_JOB_THREADS, 1,
				       VMPKRAM_WORKERS_LIMIT, &j->threads, why,
				       why_size);
	return ret;
}

static int job_range(struct nlattr **tb, unsigned int cmd,
		     struct vmpkram_job *j, char *why, size_t why_size)
{
	int ret;

	ret = vmpkram_attr_u64(tb, VMPKRAM_A_JOB_LEN, 1, UINT64_MAX, &j->len,
			       why, why_size);
	/* The length is read first: it bounds done and addr. */
	if (!ret)
		ret = vmpkram_attr_u64(tb, VMPKRAM_A_JOB_DONE, 0, j->len,
				       &j->done, why, why_size);
	if (!ret)
		ret = vmpkram_attr_u64(tb, VMPKRAM_A_JOB_ELAPSED_NS, 0,
				       UINT64_MAX, &j->elapsed_ns, why,
				       why_size);
	if (ret)
		return ret;
	if (cmd == VMPKRAM_CMD_JOB_NTF) {
		if (tb[VMPKRAM_A_JOB_ADDR])
			return vmpkram_why(-EBADMSG, why, why_size,
					   "attribute %s in a notification",
					   vmpkram_attr_name(VMPKRAM_A_JOB_ADDR));
		return 0;
	}
	/* addr + len - 1 is the last byte: it must not wrap. */
	return vmpkram_attr_u64(tb, VMPKRAM_A_JOB_ADDR, 0,
				UINT64_MAX - (j->len - 1), &j->addr, why,
				why_size);
}

static int job_error(struct nlattr **tb, struct vmpkram_job *j, char *why,
		     size_t why_size)
{
	const char *name = vmpkram_attr_name(VMPKRAM_A_JOB_ERROR);
	int ret = 0;

	if (tb[VMPKRAM_A_JOB_ERROR])
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_JOB_ERROR, 0,
				       VMPKRAM_JOB_ERRNO_MAX, &j->error, why,
				       why_size);
	if (ret)
		return ret;
	if (j->state == VMPKRAM_JOB_FAILED && !j->error)
		return vmpkram_why(-EBADMSG, why, why_size,
				   "failed job without attribute %s", name);
	if ((j->state == VMPKRAM_JOB_RUNNING || j->state == VMPKRAM_JOB_DONE) &&
	    j->error)
		return vmpkram_why(-EBADMSG, why, why_size,
				   "attribute %s %u in a job that did not fail",
				   name, j->error);
	return 0;
}

int vmpkram_job_from_attrs(struct nlattr **tb, unsigned int cmd,
			   struct vmpkram_job *job, char *why,
			   size_t why_size)
{
	struct vmpkram_job j = { .size = sizeof(j) };
	int ret;

	ret = job_ids(tb, &j, why, why_size);
	if (!ret)
		ret = job_range(tb, cmd, &j, why, why_size);
	if (!ret)
		ret = job_error(tb, &j, why, why_size);
	if (ret)
		return ret;
	*job = j;
	return 0;
}

int vmpkram_job_from_msg(struct nlmsghdr *nlh, unsigned int cmd,
			 struct vmpkram_job *job, char *why, size_t why_size)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	int ret;

	ret = vmpkram_genl_parse(nlh, cmd, tb, why, why_size);
	if (ret)
		return ret;
	return vmpkram_job_from_attrs(tb, cmd, job, why, why_size);
}

struct jobs_walk {
	int (*cb)(const struct vmpkram_job *job, void *arg);
	void *arg;
	int count;
};

static int jobs_reply(struct vmpkram_ctx *ctx, struct nl_msg *msg, void *arg)
{
	struct jobs_walk *w = arg;
	struct vmpkram_job job;
	char why[128];
	int ret;

	ret = vmpkram_job_from_msg(nlmsg_hdr(msg), VMPKRAM_CMD_GET_JOBS, &job,
				   why, sizeof(why));
	if (ret)
		return vmpkram_fail(ctx, ret, "bad job from the kernel: %s",
				    why);
	w->count++;
	ret = w->cb ? w->cb(&job, w->arg) : 0;
	if (ret < 0)
		return vmpkram_fail(ctx, ret, "job callback failed: %s",
				    strerror(-ret));
	return 0;
}

VMPKRAM_EXPORT int vmpkram_get_jobs(struct vmpkram_ctx *ctx,
				    int (*cb)(const struct vmpkram_job *job,
					      void *arg),
				    void *arg)
{
	struct jobs_walk w = { .cb = cb, .arg = arg };
	struct nl_msg *msg;
	int ret;

	ret = vmpkram_nl_dump_msg(ctx, VMPKRAM_CMD_GET_JOBS, &msg);
	if (ret)
		return ret;
	ret = vmpkram_nl_request(ctx, msg, jobs_reply, &w);
	if (ret == -EPERM)
		return vmpkram_fail(ctx, ret,
				    "listing jobs needs CAP_SYS_ADMIN (they name other processes' memory)");
	if (ret == -EOPNOTSUPP)
		return vmpkram_fail(ctx, ret,
				    "the module has no job engine (older than the prefault feature)");
	return ret ? ret : w.count;
}
