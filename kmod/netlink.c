// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "vmpkram": control, inspection and events.
 *
 * Each command has its own strict policy, so an attribute a command does
 * not take is an error (with an extended-ACK message) rather than silently
 * ignored.  Admin commands are flagged VMPKRAM_NL_ADMIN and checked for
 * CAP_SYS_ADMIN in pre_doit: genetlink's own GENL_ADMIN_PERM only checks
 * CAP_NET_ADMIN, which says nothing about the right to change how host
 * memory is managed.
 *
 * The family is parallel_ops: genetlink calls its handlers without the
 * global genl_mutex.  Seal waits for the scrubber, attach adds struct
 * pages for up to 4 TiB, detach commits metadata; under genl_mutex each
 * would stall every other family that is not parallel (nl80211, team,
 * the controller that resolves family names) for as long.  The handlers
 * need no such lock: the pool commands serialize on vmpkram_pools_lock and
 * pool->lock, the job dump on the jobs spinlock, parameters are single
 * words, and every message (extended ACK included) is per request.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/module.h>
#include <net/genetlink.h>

#include "compat.h"
#include "job.h"
#include "nl.h"
#include "vmpkram.h"

/* genl_ops.internal_flags */
#define VMPKRAM_NL_ADMIN	BIT(0)	/* needs CAP_SYS_ADMIN */

enum vmpkram_mcgrp {
	VMPKRAM_MCGRP_EVENTS,
};

static const struct genl_multicast_group vmpkram_mcgrps[] = {
	[VMPKRAM_MCGRP_EVENTS] = { .name = VMPKRAM_GENL_MCGRP_EVENTS },
};

/*
 * For commands that take no attributes.  Every entry is NLA_UNSPEC, which
 * strict validation rejects as "Unsupported attribute"; maxattr must be
 * non-zero for genetlink to validate at all.
 */
static const struct nla_policy vmpkram_noattr_policy[VMPKRAM_A_MAX + 1] = {};

static const struct nla_policy vmpkram_set_params_policy[VMPKRAM_A_MAX + 1] = {
	/* 0 = back to the default, one worker per online CPU */
	[VMPKRAM_A_MAX_WORKERS] = NLA_POLICY_MAX(NLA_U32, VMPKRAM_WORKERS_LIMIT),
};

static struct genl_family vmpkram_genl_family;

void *vmpkram_genlmsg_put(struct sk_buff *skb, u32 portid, u32 seq, int flags,
			  u8 cmd)
{
	return genlmsg_put(skb, portid, seq, &vmpkram_genl_family, flags, cmd);
}

/* Sends @skb to the events group; -ESRCH only means nobody listens. */
void vmpkram_multicast(struct sk_buff *skb)
{
	genlmsg_multicast(&vmpkram_genl_family, skb, 0, VMPKRAM_MCGRP_EVENTS,
			  GFP_KERNEL);
}

static int vmpkram_fill_status(struct sk_buff *skb)
{
	if (nla_put_u32(skb, VMPKRAM_A_API_VERSION, VMPKRAM_API_VERSION) ||
	    nla_put_string(skb, VMPKRAM_A_MODULE_VERSION,
			   VMPKRAM_MODULE_VERSION) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_FEATURES, VMPKRAM_FEATURES,
			      VMPKRAM_A_PAD) ||
	    nla_put_u32(skb, VMPKRAM_A_MAX_WORKERS, vmpkram_max_workers()) ||
	    nla_put_u32(skb, VMPKRAM_A_WORKERS_LIMIT, VMPKRAM_WORKERS_LIMIT) ||
	    nla_put_u32(skb, VMPKRAM_A_NR_POOLS, vmpkram_nr_pools()) ||
	    nla_put_u32(skb, VMPKRAM_A_NR_JOBS, vmpkram_nr_jobs()) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_FAULTS_PTE,
			      atomic64_read(&vmpkram_faults[VMPKRAM_FAULT_PTE]),
			      VMPKRAM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_FAULTS_PMD,
			      atomic64_read(&vmpkram_faults[VMPKRAM_FAULT_PMD]),
			      VMPKRAM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_FAULTS_PUD,
			      atomic64_read(&vmpkram_faults[VMPKRAM_FAULT_PUD]),
			      VMPKRAM_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int vmpkram_fill_job(struct sk_buff *skb, const struct vmpkram_job *job,
			    bool with_addr)
{
	u64 elapsed = ktime_to_ns(ktime_sub(ktime_get(), job->started));

	if (nla_put_u32(skb, VMPKRAM_A_JOB_ID, job->id) ||
	    nla_put_u32(skb, VMPKRAM_A_JOB_TYPE, job->type) ||
	    nla_put_u32(skb, VMPKRAM_A_JOB_STATE, job->state) ||
	    nla_put_u32(skb, VMPKRAM_A_JOB_CALLER_PID, job->caller_pid) ||
	    nla_put_u32(skb, VMPKRAM_A_JOB_TARGET_PID, job->target_pid) ||
	    nla_put_u32(skb, VMPKRAM_A_JOB_THREADS, job->threads) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_JOB_LEN, job->end - job->start,
			      VMPKRAM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_JOB_DONE,
			      atomic64_read(&job->done), VMPKRAM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_JOB_ELAPSED_NS, elapsed,
			      VMPKRAM_A_PAD))
		return -EMSGSIZE;
	if (with_addr && nla_put_u64_64bit(skb, VMPKRAM_A_JOB_ADDR, job->start,
					   VMPKRAM_A_PAD))
		return -EMSGSIZE;
	if (job->state == VMPKRAM_JOB_FAILED &&
	    nla_put_u32(skb, VMPKRAM_A_JOB_ERROR, -job->error))
		return -EMSGSIZE;
	return 0;
}

/* A complete status message for @cmd, addressed by @portid/@seq. */
static struct sk_buff *vmpkram_status_msg(u8 cmd, u32 portid, u32 seq)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return ERR_PTR(-ENOMEM);

	hdr = genlmsg_put(skb, portid, seq, &vmpkram_genl_family, 0, cmd);
	if (!hdr)
		goto err_size;
	if (vmpkram_fill_status(skb))
		goto err_size;
	genlmsg_end(skb, hdr);
	return skb;

err_size:
	nlmsg_free(skb);
	return ERR_PTR(-EMSGSIZE);
}

static void vmpkram_notify_status(void)
{
	struct sk_buff *skb;

	skb = vmpkram_status_msg(VMPKRAM_CMD_STATUS_NTF, 0, 0);
	if (IS_ERR(skb)) {
		pr_warn_ratelimited("cannot build status event: %ld\n",
				    PTR_ERR(skb));
		return;
	}
	vmpkram_multicast(skb);
}

/*
 * Job events leave the address out: any user may listen, and the layout
 * of another process's memory is not theirs to learn.
 */
void vmpkram_notify_job(const struct vmpkram_job *job)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &vmpkram_genl_family, 0,
			  VMPKRAM_CMD_JOB_NTF);
	if (!hdr || vmpkram_fill_job(skb, job, false)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	vmpkram_multicast(skb);
}

static int vmpkram_dump_one_job(struct sk_buff *skb,
				const struct vmpkram_job *job, void *arg)
{
	struct netlink_callback *cb = arg;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vmpkram_genl_family, NLM_F_MULTI,
			  VMPKRAM_CMD_GET_JOBS);
	if (!hdr)
		return -EMSGSIZE;
	if (vmpkram_fill_job(skb, job, true)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int vmpkram_nl_get_jobs(struct sk_buff *skb, struct netlink_callback *cb)
{
	int ret;

	/* cb->args[0]: id of the last job dumped. */
	ret = vmpkram_jobs_dump(skb, &cb->args[0], vmpkram_dump_one_job, cb);
	return ret ?: skb->len;
}

static int vmpkram_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;

	msg = vmpkram_status_msg(VMPKRAM_CMD_GET_STATUS, info->snd_portid,
				 info->snd_seq);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	return genlmsg_reply(msg, info);
}

static int vmpkram_nl_set_params(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, VMPKRAM_A_MAX_WORKERS))
		return -EINVAL;

	vmpkram_set_max_workers(nla_get_u32(info->attrs[VMPKRAM_A_MAX_WORKERS]));
	vmpkram_notify_status();
	return 0;
}

/* Runs after policy validation, before every doit. */
static int vmpkram_nl_pre_doit(const struct vmpkram_genl_op *ops,
			       struct sk_buff *skb, struct genl_info *info)
{
	if ((ops->internal_flags & VMPKRAM_NL_ADMIN) &&
	    !netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "this command needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	return 0;
}

static const struct genl_ops vmpkram_genl_ops[] = {
	{
		.cmd = VMPKRAM_CMD_GET_STATUS,
		.doit = vmpkram_nl_get_status,
		.policy = vmpkram_noattr_policy,
		.maxattr = VMPKRAM_A_MAX,
	},
	{
		.cmd = VMPKRAM_CMD_SET_PARAMS,
		.internal_flags = VMPKRAM_NL_ADMIN,
		.doit = vmpkram_nl_set_params,
		.policy = vmpkram_set_params_policy,
		.maxattr = VMPKRAM_A_MAX,
	},
	{
		.cmd = VMPKRAM_CMD_GET_JOBS,
		.start = vmpkram_nl_admin_start,
		.dumpit = vmpkram_nl_get_jobs,
		.policy = vmpkram_noattr_policy,
		.maxattr = VMPKRAM_A_MAX,
	},
	{
		.cmd = VMPKRAM_CMD_POOL_GET,
		.internal_flags = VMPKRAM_NL_ADMIN,
		.doit = vmpkram_nl_pool_get,
		.start = vmpkram_nl_admin_start,
		.dumpit = vmpkram_nl_pool_dump,
		.policy = vmpkram_pool_name_policy,
		.maxattr = VMPKRAM_A_MAX,
	},
	{
		.cmd = VMPKRAM_CMD_POOL_ATTACH,
		.internal_flags = VMPKRAM_NL_ADMIN,
		.doit = vmpkram_nl_pool_attach,
		.policy = vmpkram_pool_attach_policy,
		.maxattr = VMPKRAM_A_MAX,
	},
	{
		.cmd = VMPKRAM_CMD_POOL_DETACH,
		.internal_flags = VMPKRAM_NL_ADMIN,
		.doit = vmpkram_nl_pool_detach,
		.policy = vmpkram_pool_name_policy,
		.maxattr = VMPKRAM_A_MAX,
	},
	{
		.cmd = VMPKRAM_CMD_POOL_FORMAT,
		.internal_flags = VMPKRAM_NL_ADMIN,
		.doit = vmpkram_nl_pool_format,
		.policy = vmpkram_pool_name_policy,
		.maxattr = VMPKRAM_A_MAX,
	},
	{
		.cmd = VMPKRAM_CMD_POOL_SEAL,
		.internal_flags = VMPKRAM_NL_ADMIN,
		.doit = vmpkram_nl_pool_seal,
		.policy = vmpkram_pool_name_policy,
		.maxattr = VMPKRAM_A_MAX,
	},
	{
		.cmd = VMPKRAM_CMD_POOL_UNSEAL,
		.internal_flags = VMPKRAM_NL_ADMIN,
		.doit = vmpkram_nl_pool_unseal,
		.policy = vmpkram_pool_name_policy,
		.maxattr = VMPKRAM_A_MAX,
	},
	{
		.cmd = VMPKRAM_CMD_POOL_CHECK,
		.internal_flags = VMPKRAM_NL_ADMIN,
		.doit = vmpkram_nl_pool_check,
		.policy = vmpkram_pool_name_policy,
		.maxattr = VMPKRAM_A_MAX,
	},
	{
		.cmd = VMPKRAM_CMD_POOL_REPAIR,
		.internal_flags = VMPKRAM_NL_ADMIN,
		.doit = vmpkram_nl_pool_repair,
		.policy = vmpkram_pool_name_policy,
		.maxattr = VMPKRAM_A_MAX,
	},
	{
		.cmd = VMPKRAM_CMD_GET_FILES,
		.start = vmpkram_nl_admin_start,
		.dumpit = vmpkram_nl_files_dump,
		.policy = vmpkram_pool_name_policy,
		.maxattr = VMPKRAM_A_MAX,
	},
};

static struct genl_family vmpkram_genl_family __ro_after_init = {
	.name = VMPKRAM_GENL_NAME,
	.version = VMPKRAM_GENL_VERSION,
	.module = THIS_MODULE,
	.parallel_ops = true,	/* see the comment at the top */
	.pre_doit = vmpkram_nl_pre_doit,
	.ops = vmpkram_genl_ops,
	.n_ops = ARRAY_SIZE(vmpkram_genl_ops),
	.mcgrps = vmpkram_mcgrps,
	.n_mcgrps = ARRAY_SIZE(vmpkram_mcgrps),
};

int vmpkram_netlink_init(void)
{
	int ret;

	ret = genl_register_family(&vmpkram_genl_family);
	if (ret)
		pr_err("cannot register generic netlink family %s: %d\n",
		       VMPKRAM_GENL_NAME, ret);
	return ret;
}

void vmpkram_netlink_exit(void)
{
	genl_unregister_family(&vmpkram_genl_family);
}
