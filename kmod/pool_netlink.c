// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink commands for pools and their files, and pool events.
 *
 * All pool commands are admin (they name physical addresses); the family
 * checks that in pre_doit, dumps check it in their start callback.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/error-injection.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "compat.h"
#include "nl.h"
#include "pool_meta.h"

const struct nla_policy vmpkram_pool_name_policy[VMPKRAM_A_MAX + 1] = {
	[VMPKRAM_A_POOL_NAME] = { .type = NLA_NUL_STRING,
				  .len = VMPKRAM_POOL_NAME_MAX },
};

const struct nla_policy vmpkram_pool_attach_policy[VMPKRAM_A_MAX + 1] = {
	[VMPKRAM_A_POOL_NAME] = { .type = NLA_NUL_STRING,
				  .len = VMPKRAM_POOL_NAME_MAX },
	[VMPKRAM_A_POOL_BASE] = { .type = NLA_U64 },
	[VMPKRAM_A_POOL_SIZE] = { .type = NLA_U64 },
};

/*
 * @reason with every hexadecimal number ("0x..."), the way reasons give
 * physical addresses, replaced by "[address]".
 */
static void mask_addresses(char *buf, size_t len, const char *reason)
{
	size_t used = 0;

	while (*reason && used + 1 < len) {
		if (reason[0] == '0' && (reason[1] == 'x' || reason[1] == 'X') &&
		    isxdigit(reason[2])) {
			used += scnprintf(buf + used, len - used, "[address]");
			for (reason += 2; isxdigit(*reason); reason++)
				;
			continue;
		}
		buf[used++] = *reason++;
	}
	buf[used] = '\0';
}

/*
 * Events leave physical addresses out: any user may listen.  The base
 * is not sent, and the state reason (which may name the address the
 * metadata was written for) goes with its addresses masked.
 */
static int fill_pool(struct sk_buff *skb, struct vmpkram_pool *pool,
		     bool with_addr)
{
	char reason[VMPKRAM_REASON_MAX + 32];
	const struct vmpkram_pool_sb *m = &pool->meta;
	bool usable = pool->state == VMPKRAM_POOL_READY ||
		      pool->state == VMPKRAM_POOL_SEALED;
	u64 bs = VMPKRAM_BLOCK_SIZE;
	u64 free = (u64)pool->nr_clean + pool->nr_dirty + pool->nr_scrubbing;

	lockdep_assert_held(&pool->lock);
	if (with_addr &&
	    nla_put_u64_64bit(skb, VMPKRAM_A_POOL_BASE, pool->base, VMPKRAM_A_PAD))
		return -EMSGSIZE;
	if (nla_put_string(skb, VMPKRAM_A_POOL_NAME, pool->name) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_POOL_SIZE, pool->size, VMPKRAM_A_PAD) ||
	    nla_put_u32(skb, VMPKRAM_A_POOL_STATE, pool->state) ||
	    nla_put_u32(skb, VMPKRAM_A_POOL_BLOCK_SIZE, VMPKRAM_BLOCK_SIZE) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_POOL_DATA_SIZE,
			      vmpkram_data_size(pool), VMPKRAM_A_PAD) ||
	    nla_put_u32(skb, VMPKRAM_A_POOL_MAX_FILES, VMPKRAM_POOL_MAX_FILES) ||
	    nla_put_u32(skb, VMPKRAM_A_POOL_MOUNTED, !!pool->sb))
		return -EMSGSIZE;
	if (!usable) {
		if (with_addr)
			strscpy(reason, pool->reason, sizeof(reason));
		else
			mask_addresses(reason, sizeof(reason), pool->reason);
		return nla_put_string(skb, VMPKRAM_A_POOL_STATE_REASON,
				      reason) ? -EMSGSIZE : 0;
	}
	if (nla_put(skb, VMPKRAM_A_POOL_UUID, sizeof(m->uuid), m->uuid) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_POOL_GENERATION,
			      le64_to_cpu(m->generation), VMPKRAM_A_PAD) ||
	    nla_put_u32(skb, VMPKRAM_A_POOL_CLEAN, pool->adopted_clean) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_POOL_SEAL_TIME,
			      le64_to_cpu(m->seal_time_ns), VMPKRAM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_POOL_USED,
			      vmpkram_data_size(pool) - free * bs, VMPKRAM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_POOL_FREE, free * bs, VMPKRAM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_POOL_SCRUB_PENDING,
			      ((u64)pool->nr_dirty + pool->nr_scrubbing) * bs,
			      VMPKRAM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_POOL_LARGEST_FREE,
			      (u64)vmpkram_largest_free(pool) * bs, VMPKRAM_A_PAD) ||
	    nla_put_u32(skb, VMPKRAM_A_POOL_NR_FILES, vmpkram_nr_files(pool)) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_POOL_BAD,
			      (u64)vmpkram_nr_withdrawn(pool) * bs, VMPKRAM_A_PAD) ||
	    nla_put_u32(skb, VMPKRAM_A_POOL_LAYOUT, pool->layout))
		return -EMSGSIZE;
	return 0;
}

/* A message of @cmd describing @pool; pool->lock taken here. */
static noinline struct sk_buff *vmpkram_pool_msg(struct vmpkram_pool *pool,
						 u8 cmd, u32 portid, u32 seq,
						 u32 event)
{
	struct sk_buff *skb;
	void *hdr;
	int ret;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return ERR_PTR(-ENOMEM);
	hdr = vmpkram_genlmsg_put(skb, portid, seq, 0, cmd);
	if (!hdr) {
		nlmsg_free(skb);
		return ERR_PTR(-EMSGSIZE);
	}
	mutex_lock(&pool->lock);
	ret = fill_pool(skb, pool, cmd != VMPKRAM_CMD_POOL_NTF);
	mutex_unlock(&pool->lock);
	if (!ret && event)
		ret = nla_put_u32(skb, VMPKRAM_A_POOL_EVENT, event);
	if (ret) {
		nlmsg_free(skb);
		return ERR_PTR(-EMSGSIZE);
	}
	genlmsg_end(skb, hdr);
	return skb;
}
ALLOW_ERROR_INJECTION(vmpkram_pool_msg, ERRNO);

void vmpkram_notify_pool(struct vmpkram_pool *pool, u32 event)
{
	struct sk_buff *skb;

	skb = vmpkram_pool_msg(pool, VMPKRAM_CMD_POOL_NTF, 0, 0, event);
	if (IS_ERR(skb)) {
		pr_warn_ratelimited("cannot build pool event: %ld\n", PTR_ERR(skb));
		return;
	}
	vmpkram_multicast(skb);
}

static int reply_pool(struct vmpkram_pool *pool, struct genl_info *info)
{
	struct sk_buff *skb;

	skb = vmpkram_pool_msg(pool, info->genlhdr->cmd, info->snd_portid,
			       info->snd_seq, 0);
	if (IS_ERR(skb))
		return PTR_ERR(skb);
	return genlmsg_reply(skb, info);
}

/* The pool named by the required VMPKRAM_A_POOL_NAME; pools lock held. */
static struct vmpkram_pool *named_pool(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[VMPKRAM_A_POOL_NAME];
	struct vmpkram_pool *pool;

	if (GENL_REQ_ATTR_CHECK(info, VMPKRAM_A_POOL_NAME))
		return ERR_PTR(-EINVAL);
	pool = vmpkram_pool_find(nla_data(attr));
	if (!pool) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no pool of that name");
		return ERR_PTR(-ENODEV);
	}
	return pool;
}

int vmpkram_nl_pool_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vmpkram_pool *pool;
	int ret;

	mutex_lock(&vmpkram_pools_lock);
	pool = named_pool(info);
	ret = IS_ERR(pool) ? PTR_ERR(pool) : reply_pool(pool, info);
	mutex_unlock(&vmpkram_pools_lock);
	return ret;
}

/* Dumps have no pre_doit: their admin check is here. */
int vmpkram_nl_admin_start(struct netlink_callback *cb)
{
	if (netlink_capable(cb->skb, CAP_SYS_ADMIN))
		return 0;
	NL_SET_ERR_MSG_MOD(cb->extack, "this command needs CAP_SYS_ADMIN");
	return -EPERM;
}

/* cb->args[0]: pools already dumped. */
int vmpkram_nl_pool_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vmpkram_pool *pool;
	unsigned long i = 0;
	void *hdr;
	int ret = 0;

	mutex_lock(&vmpkram_pools_lock);
	list_for_each_entry(pool, &vmpkram_pools, node) {
		if (i++ < cb->args[0])
			continue;
		hdr = vmpkram_genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, NLM_F_MULTI,
					  VMPKRAM_CMD_POOL_GET);
		if (!hdr)
			break;
		mutex_lock(&pool->lock);
		ret = fill_pool(skb, pool, true);
		mutex_unlock(&pool->lock);
		if (ret) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0]++;
	}
	mutex_unlock(&vmpkram_pools_lock);
	/* A pool that does not fit in an empty message is a bug: say so. */
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

int vmpkram_nl_pool_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct vmpkram_pool *pool;
	const char *name;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, VMPKRAM_A_POOL_NAME) ||
	    GENL_REQ_ATTR_CHECK(info, VMPKRAM_A_POOL_BASE) ||
	    GENL_REQ_ATTR_CHECK(info, VMPKRAM_A_POOL_SIZE))
		return -EINVAL;
	name = nla_data(info->attrs[VMPKRAM_A_POOL_NAME]);
	ret = vmpkram_pool_attach(name,
				  nla_get_u64(info->attrs[VMPKRAM_A_POOL_BASE]),
				  nla_get_u64(info->attrs[VMPKRAM_A_POOL_SIZE]),
				  skb, info->extack);
	if (ret)
		return ret;
	mutex_lock(&vmpkram_pools_lock);
	pool = vmpkram_pool_find(name);
	ret = pool ? reply_pool(pool, info) : 0;
	mutex_unlock(&vmpkram_pools_lock);
	return ret;
}

int vmpkram_nl_pool_detach(struct sk_buff *skb, struct genl_info *info)
{
	struct vmpkram_pool *pool;
	struct sk_buff *event;
	int ret;

	mutex_lock(&vmpkram_pools_lock);
	pool = named_pool(info);
	if (IS_ERR(pool)) {
		ret = PTR_ERR(pool);
		goto out;
	}
	event = vmpkram_pool_msg(pool, VMPKRAM_CMD_POOL_NTF, 0, 0,
				 VMPKRAM_POOL_EV_DETACHED);
	ret = vmpkram_pool_detach(pool, false);
	if (ret) {
		if (ret == -EBUSY)
			NL_SET_ERR_MSG_MOD(info->extack,
					   "pool is mounted: unmount its vmpkramfs first");
		else
			NL_SET_ERR_MSG_MOD(info->extack,
					   "pages of the pool are still pinned (O_DIRECT, pipes); retry later");
		if (!IS_ERR(event))
			nlmsg_free(event);
	} else if (!IS_ERR(event)) {
		vmpkram_multicast(event);
	}
out:
	mutex_unlock(&vmpkram_pools_lock);
	return ret;
}

int vmpkram_nl_pool_format(struct sk_buff *skb, struct genl_info *info)
{
	struct vmpkram_pool *pool;
	int ret;

	mutex_lock(&vmpkram_pools_lock);
	pool = named_pool(info);
	if (IS_ERR(pool)) {
		ret = PTR_ERR(pool);
		goto out;
	}
	ret = pool->named ? 0 : vmpkram_pool_raw_access(skb, info->extack);
	if (!ret)
		ret = vmpkram_pool_format(pool);
	if (ret == -EBUSY)
		NL_SET_ERR_MSG_MOD(info->extack,
				   "pool is mounted: unmount its vmpkramfs first");
	else if (ret == -EROFS)
		NL_SET_ERR_MSG_MOD(info->extack, "the system is going down");
	if (!ret) {
		vmpkram_notify_pool(pool, VMPKRAM_POOL_EV_FORMATTED);
		ret = reply_pool(pool, info);
	}
out:
	mutex_unlock(&vmpkram_pools_lock);
	return ret;
}

static void set_state_msg(struct netlink_ext_ack *extack, int ret)
{
	if (ret == -EUCLEAN)
		NL_SET_ERR_MSG_MOD(extack,
				   "pool metadata is not usable (see its state reason); format it first");
	else if (ret == -EROFS)
		NL_SET_ERR_MSG_MOD(extack, "the system is going down");
	else if (ret == -EINTR || ret == -ERESTARTSYS)
		NL_SET_ERR_MSG_MOD(extack, "interrupted while waiting for scrubbing");
}

/*
 * The parameters the next kernel needs: a memmap= per pool (it may be
 * repeated) and one vmpkram.pool= listing them all (a module parameter
 * given twice keeps only the last).  @only: one pool, or NULL for all.
 */
static void build_cmdline(char *buf, size_t len, struct vmpkram_pool *only)
{
	struct vmpkram_pool *pool;
	size_t used = 0;
	char sep = '=';

	buf[0] = '\0';
	if (list_empty(&vmpkram_pools))
		return;
	list_for_each_entry(pool, &vmpkram_pools, node)
		if (!only || pool == only)
			used += scnprintf(buf + used, len - used, "memmap=%lluM$%#llx ",
					  pool->size >> 20, (u64)pool->base);
	used += scnprintf(buf + used, len - used, "vmpkram.pool");
	list_for_each_entry(pool, &vmpkram_pools, node) {
		if (only && pool != only)
			continue;
		used += scnprintf(buf + used, len - used, "%c%s:%lluM@%#llx", sep,
				  pool->name, pool->size >> 20, (u64)pool->base);
		sep = ',';
	}
}

static noinline int vmpkram_seal_reply(struct genl_info *info,
				       const char *cmdline)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = vmpkram_genlmsg_put(skb, info->snd_portid, info->snd_seq, 0,
				  info->genlhdr->cmd);
	if (!hdr || nla_put_string(skb, VMPKRAM_A_POOL_CMDLINE, cmdline)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}
ALLOW_ERROR_INJECTION(vmpkram_seal_reply, ERRNO);

/* Caller holds vmpkram_pools_lock; see seal_undo(). */
static int seal_one(struct vmpkram_pool *pool)
{
	bool was_sealed = READ_ONCE(pool->state) == VMPKRAM_POOL_SEALED;
	int ret;

	ret = vmpkram_pool_seal(pool);
	if (!ret && !was_sealed) {
		pool->sealed_by_request = true;
		vmpkram_notify_pool(pool, VMPKRAM_POOL_EV_SEALED);
	}
	return ret;
}

/*
 * One pool, or all of them.  With all, pools that cannot be sealed (not
 * formatted, damaged) are skipped but still listed: the next kernel must
 * not take their memory as RAM.
 */
static int seal_pools(struct genl_info *info, char *cmdline, size_t len)
{
	struct vmpkram_pool *pool;
	int ret;

	if (info->attrs[VMPKRAM_A_POOL_NAME]) {
		pool = named_pool(info);
		if (IS_ERR(pool))
			return PTR_ERR(pool);
		ret = seal_one(pool);
		if (!ret)
			build_cmdline(cmdline, len, pool);
		return ret;
	}
	list_for_each_entry(pool, &vmpkram_pools, node) {
		ret = seal_one(pool);
		if (ret && ret != -EUCLEAN)
			return ret;
	}
	build_cmdline(cmdline, len, NULL);
	return 0;
}

/*
 * A failed request leaves no pool sealed that it sealed: a caller that
 * sees the error must not find its pools read-only without a command
 * line to kexec with.  Caller holds vmpkram_pools_lock.
 */
static void seal_undo(bool failed)
{
	struct vmpkram_pool *pool;

	list_for_each_entry(pool, &vmpkram_pools, node) {
		if (pool->sealed_by_request && failed &&
		    !vmpkram_pool_unseal(pool))
			vmpkram_notify_pool(pool, VMPKRAM_POOL_EV_UNSEALED);
		pool->sealed_by_request = false;
	}
}

int vmpkram_nl_pool_seal(struct sk_buff *skb, struct genl_info *info)
{
	char *cmdline;
	int ret;

	cmdline = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!cmdline)
		return -ENOMEM;
	mutex_lock(&vmpkram_pools_lock);
	ret = seal_pools(info, cmdline, PAGE_SIZE);
	set_state_msg(info->extack, ret);
	if (!ret) {
		ret = vmpkram_seal_reply(info, cmdline);
		if (ret)
			NL_SET_ERR_MSG_MOD(info->extack,
					   "cannot send the command line; the seal is undone");
	}
	seal_undo(ret != 0);
	mutex_unlock(&vmpkram_pools_lock);
	kfree(cmdline);
	return ret;
}

static int unseal_one(struct vmpkram_pool *pool, bool all)
{
	bool was_sealed = READ_ONCE(pool->state) == VMPKRAM_POOL_SEALED;
	int ret;

	ret = vmpkram_pool_unseal(pool);
	if (ret == -EUCLEAN && all)
		return 0;
	if (!ret && was_sealed)
		vmpkram_notify_pool(pool, VMPKRAM_POOL_EV_UNSEALED);
	return ret;
}

int vmpkram_nl_pool_unseal(struct sk_buff *skb, struct genl_info *info)
{
	struct vmpkram_pool *pool;
	int ret = 0;

	mutex_lock(&vmpkram_pools_lock);
	if (info->attrs[VMPKRAM_A_POOL_NAME]) {
		pool = named_pool(info);
		ret = IS_ERR(pool) ? PTR_ERR(pool) : unseal_one(pool, false);
	} else {
		list_for_each_entry(pool, &vmpkram_pools, node) {
			ret = unseal_one(pool, true);
			if (ret)
				break;
		}
	}
	mutex_unlock(&vmpkram_pools_lock);
	set_state_msg(info->extack, ret);
	return ret;
}

/* One check of a slot: checks before the one it reached passed. */
static int put_check(struct sk_buff *skb, const struct slot_check *c,
		     enum vmpkram_meta_check i)
{
	bool failed = i == c->reached && c->status != SLOT_COMPLETE;
	u32 result = i < c->reached ? VMPKRAM_CHECK_OK :
		     failed ? VMPKRAM_CHECK_FAILED : VMPKRAM_CHECK_NOT_RUN;
	struct nlattr *nest;

	nest = nla_nest_start(skb, VMPKRAM_A_SLOT_CHECK);
	if (!nest || nla_put_string(skb, VMPKRAM_A_CHECK_NAME,
				    vmpkram_meta_check_names[i]) ||
	    nla_put_u32(skb, VMPKRAM_A_CHECK_RESULT, result) ||
	    (failed && nla_put_string(skb, VMPKRAM_A_CHECK_DETAIL, c->why)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static u32 slot_status(const struct vmpkram_report *rep, unsigned int s)
{
	const struct slot_check *c = &rep->slot[s];

	if (rep->interrupted[s])
		return VMPKRAM_SLOT_INTERRUPTED;
	switch (c->status) {
	case SLOT_BLANK:
		return VMPKRAM_SLOT_BLANK;
	case SLOT_FOREIGN:
		return VMPKRAM_SLOT_FOREIGN;
	case SLOT_COMPLETE:
		return c->reached == NR_MC ? VMPKRAM_SLOT_COMPLETE :
					     VMPKRAM_SLOT_DAMAGED;
	default:
		return VMPKRAM_SLOT_DAMAGED;
	}
}

static int put_slot(struct sk_buff *skb, const struct vmpkram_report *rep,
		    unsigned int s)
{
	const struct slot_check *c = &rep->slot[s];
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, VMPKRAM_A_CHECK_SLOT);
	if (!nest || nla_put_u32(skb, VMPKRAM_A_SLOT_INDEX, s) ||
	    nla_put_u32(skb, VMPKRAM_A_SLOT_STATUS, slot_status(rep, s)) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_SLOT_GENERATION,
			      le64_to_cpu(c->sb.generation), VMPKRAM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_SLOT_COMMIT_SEQ, c->seq,
			      VMPKRAM_A_PAD) ||
	    nla_put_u32(skb, VMPKRAM_A_SLOT_LAYOUT,
			le32_to_cpu(c->sb.layout_version)))
		return -EMSGSIZE;
	for (i = 0; i < NR_MC; i++)
		if (put_check(skb, c, i))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* A dropped file; the list just ends where the message is full. */
static int put_dropped(struct sk_buff *skb, const struct vmpkram_report_file *d)
{
	struct nlattr *nest;
	char name[VMPKRAMFS_NAME_MAX + 1];

	memcpy(name, d->name, d->name_len);
	name[d->name_len] = '\0';
	nest = nla_nest_start(skb, VMPKRAM_A_REPAIR_FILE);
	if (!nest)
		return -EMSGSIZE;
	if ((d->name_len && nla_put_string(skb, VMPKRAM_A_FILE_NAME, name)) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_FILE_INO, d->ino, VMPKRAM_A_PAD) ||
	    nla_put_string(skb, VMPKRAM_A_REPAIR_REASON, d->why)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Room for both slots with every detail, and the dropped files. */
#define REPORT_MSG_SIZE	(8 * 1024)

static noinline int vmpkram_report_reply(struct genl_info *info,
					 struct vmpkram_pool *pool,
					 const struct vmpkram_report *rep)
{
	struct sk_buff *skb;
	unsigned int s, i;
	void *hdr;

	skb = genlmsg_new(REPORT_MSG_SIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = vmpkram_genlmsg_put(skb, info->snd_portid, info->snd_seq, 0,
				  info->genlhdr->cmd);
	if (!hdr || nla_put_string(skb, VMPKRAM_A_POOL_NAME, pool->name) ||
	    nla_put_u32(skb, VMPKRAM_A_POOL_STATE, rep->state))
		goto err;
	for (s = 0; s < 2; s++)
		if (put_slot(skb, rep, s))
			goto err;
	if (nla_put_u32(skb, VMPKRAM_A_REPAIR_ACTION, rep->action) ||
	    (rep->src >= 0 && nla_put_u32(skb, VMPKRAM_A_REPAIR_SLOT, rep->src)) ||
	    nla_put_string(skb, VMPKRAM_A_REPAIR_TEXT, rep->text) ||
	    nla_put_u32(skb, VMPKRAM_A_REPAIR_KEPT, rep->kept) ||
	    nla_put_u32(skb, VMPKRAM_A_REPAIR_DROPPED, rep->dropped))
		goto err;
	for (i = 0; i < rep->nr_files; i++)
		if (put_dropped(skb, &rep->files[i]))
			break;
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
err:
	nlmsg_free(skb);
	return -EMSGSIZE;
}
ALLOW_ERROR_INJECTION(vmpkram_report_reply, ERRNO);

/*
 * POOL_CHECK and POOL_REPAIR: the pool by name under vmpkram_pools_lock,
 * which keeps it attached; pool->lock is taken inside.
 */
static int check_or_repair(struct genl_info *info, bool repair)
{
	struct vmpkram_report *rep;
	struct vmpkram_pool *pool;
	int ret;

	rep = kvzalloc(sizeof(*rep), GFP_KERNEL);
	if (!rep)
		return -ENOMEM;
	mutex_lock(&vmpkram_pools_lock);
	pool = named_pool(info);
	if (IS_ERR(pool)) {
		ret = PTR_ERR(pool);
		goto out;
	}
	ret = repair ? vmpkram_pool_repair(pool, rep) :
		       vmpkram_pool_check(pool, rep);
	if (ret == -EBUSY)
		NL_SET_ERR_MSG_MOD(info->extack,
				   "pool is mounted: unmount its vmpkramfs first");
	else if (ret == -EROFS)
		NL_SET_ERR_MSG_MOD(info->extack, "the system is going down");
	else if (ret == -EUCLEAN && rep->state == VMPKRAM_POOL_UNFORMATTED)
		NL_SET_ERR_MSG_MOD(info->extack,
				   "the pool has no vmpkram metadata to repair: only a format makes it usable");
	else if (ret == -EUCLEAN)
		NL_SET_ERR_MSG_MOD(info->extack,
				   "the pool cannot be repaired: 'vmpkramctl pool check' says why");
	else if (ret == -ENOMEM)
		NL_SET_ERR_MSG_MOD(info->extack,
				   "out of memory for a copy of the pool's metadata");
	if (ret)
		goto out;
	if (repair && rep->action != VMPKRAM_REPAIR_NONE)
		vmpkram_notify_pool(pool, VMPKRAM_POOL_EV_REPAIRED);
	ret = vmpkram_report_reply(info, pool, rep);
	if (ret && repair)
		NL_SET_ERR_MSG_MOD(info->extack,
				   "the pool was repaired, but the report could not be sent");
	else if (ret)
		NL_SET_ERR_MSG_MOD(info->extack, "cannot send the report");
out:
	mutex_unlock(&vmpkram_pools_lock);
	kvfree(rep);
	return ret;
}

int vmpkram_nl_pool_check(struct sk_buff *skb, struct genl_info *info)
{
	return check_or_repair(info, false);
}

int vmpkram_nl_pool_repair(struct sk_buff *skb, struct genl_info *info)
{
	return check_or_repair(info, true);
}
