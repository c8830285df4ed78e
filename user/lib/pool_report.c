// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * POOL_CHECK and POOL_REPAIR: the report on a pool's two metadata slots,
 * check by check, and on what a repair does.
 *
 * The report decides whether an operator rewrites a pool of guest RAM,
 * so it is parsed as strictly as the pool itself: every enum in range,
 * both slots exactly once, the counts consistent.  Texts from the module
 * are cut to fit rather than refused.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "netlink.h"
#include "pool.h"
#include "private.h"
#include "status.h"

/* An optional string attribute, cut to fit @size; "" when absent. */
static int opt_text(struct nlattr **tb, int type, char *buf, size_t size,
		    char *why, size_t why_size)
{
	const struct nlattr *a = tb[type];
	const char *s;
	int len;

	buf[0] = '\0';
	if (!a)
		return 0;
	s = nla_data(a);
	len = nla_len(a);
	if (len < 1 || strnlen(s, len) != (size_t)len - 1)
		return vmpkram_why(-EBADMSG, why, why_size,
				   "attribute %s is not a NUL-terminated string",
				   vmpkram_attr_name(type));
	snprintf(buf, size, "%s", s);
	return 0;
}

static int nested(struct nlattr *nest, int type, struct nlattr **tb,
		  char *why, size_t why_size)
{
	if (nla_type(nest) != type ||
	    nla_parse_nested(tb, VMPKRAM_A_MAX, nest, NULL) < 0)
		return vmpkram_why(-EBADMSG, why, why_size,
				   "malformed attribute %s",
				   vmpkram_attr_name(type));
	return 0;
}

static int check_parse(struct nlattr *nest, struct vmpkram_check *c,
		       char *why, size_t why_size)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	int ret;

	ret = nested(nest, VMPKRAM_A_SLOT_CHECK, tb, why, why_size);
	if (!ret)
		ret = vmpkram_attr_string(tb, VMPKRAM_A_CHECK_NAME, c->name,
					  sizeof(c->name), why, why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_CHECK_RESULT,
				       VMPKRAM_CHECK_OK, VMPKRAM_CHECK_NOT_RUN,
				       &c->result, why, why_size);
	if (!ret)
		ret = opt_text(tb, VMPKRAM_A_CHECK_DETAIL, c->detail,
			       sizeof(c->detail), why, why_size);
	if (!ret && c->result == VMPKRAM_CHECK_FAILED && !c->detail[0])
		return vmpkram_why(-ENODATA, why, why_size,
				   "failed check \"%s\" without attribute %s",
				   c->name,
				   vmpkram_attr_name(VMPKRAM_A_CHECK_DETAIL));
	return ret;
}

static int slot_parse(struct nlattr *nest, struct vmpkram_pool_report *rep,
		      unsigned int *seen, char *why, size_t why_size)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1], *a;
	struct vmpkram_slot_report *s;
	uint32_t index;
	int ret, rem;

	ret = nested(nest, VMPKRAM_A_CHECK_SLOT, tb, why, why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_SLOT_INDEX, 0, 1, &index,
				       why, why_size);
	if (ret)
		return ret;
	if (*seen & (1U << index))
		return vmpkram_why(-EBADMSG, why, why_size,
				   "slot %u reported twice", index);
	*seen |= 1U << index;
	s = &rep->slots[index];
	s->index = index;
	ret = vmpkram_attr_u32(tb, VMPKRAM_A_SLOT_STATUS, VMPKRAM_SLOT_BLANK,
			       VMPKRAM_SLOT_COMPLETE, &s->status, why, why_size);
	if (!ret)
		ret = vmpkram_attr_u64(tb, VMPKRAM_A_SLOT_GENERATION, 0,
				       UINT64_MAX, &s->generation, why,
				       why_size);
	if (!ret)
		ret = vmpkram_attr_u64(tb, VMPKRAM_A_SLOT_COMMIT_SEQ, 0,
				       UINT64_MAX, &s->commit_seq, why,
				       why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_SLOT_LAYOUT, 0, UINT32_MAX,
				       &s->layout, why, why_size);
	nla_for_each_nested(a, nest, rem) {
		if (ret || nla_type(a) != VMPKRAM_A_SLOT_CHECK)
			continue;
		if (s->nr_checks == VMPKRAM_CHECKS_MAX)
			return vmpkram_why(-EBADMSG, why, why_size,
					   "more than %d checks in slot %u",
					   VMPKRAM_CHECKS_MAX, index);
		ret = check_parse(a, &s->checks[s->nr_checks++], why,
				  why_size);
	}
	if (!ret && !s->nr_checks)
		return vmpkram_why(-ENODATA, why, why_size,
				   "slot %u without attribute %s", index,
				   vmpkram_attr_name(VMPKRAM_A_SLOT_CHECK));
	return ret;
}

static int file_parse(struct nlattr *nest, struct vmpkram_dropped_file *f,
		      char *why, size_t why_size)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	int ret;

	ret = nested(nest, VMPKRAM_A_REPAIR_FILE, tb, why, why_size);
	if (!ret)
		ret = vmpkram_attr_u64(tb, VMPKRAM_A_FILE_INO, 0, UINT64_MAX,
				       &f->ino, why, why_size);
	if (!ret)
		ret = opt_text(tb, VMPKRAM_A_FILE_NAME, f->name,
			       sizeof(f->name), why, why_size);
	if (!ret)
		ret = opt_text(tb, VMPKRAM_A_REPAIR_REASON, f->reason,
			       sizeof(f->reason), why, why_size);
	if (!ret && !f->reason[0])
		return vmpkram_why(-ENODATA, why, why_size,
				   "dropped file without attribute %s",
				   vmpkram_attr_name(VMPKRAM_A_REPAIR_REASON));
	return ret;
}

/* The action, its slot and the counts. */
static int plan_parse(struct nlattr **tb, struct vmpkram_pool_report *rep,
		      char *why, size_t why_size)
{
	uint32_t slot;
	int ret;

	ret = vmpkram_attr_u32(tb, VMPKRAM_A_REPAIR_ACTION, VMPKRAM_REPAIR_NONE,
			       VMPKRAM_REPAIR_REFUSED, &rep->action, why,
			       why_size);
	rep->slot = -1;
	if (!ret && (rep->action == VMPKRAM_REPAIR_ADOPT ||
		     rep->action == VMPKRAM_REPAIR_SALVAGE)) {
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_REPAIR_SLOT, 0, 1, &slot,
				       why, why_size);
		rep->slot = slot;
	}
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_REPAIR_KEPT, 0,
				       VMPKRAM_POOL_MAX_FILES, &rep->kept, why,
				       why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_REPAIR_DROPPED, 0,
				       VMPKRAM_POOL_MAX_FILES - rep->kept,
				       &rep->dropped, why, why_size);
	if (!ret)
		ret = opt_text(tb, VMPKRAM_A_REPAIR_TEXT, rep->text,
			       sizeof(rep->text), why, why_size);
	return ret;
}

int vmpkram_report_from_msg(struct nlmsghdr *nlh, unsigned int cmd,
			    struct vmpkram_pool_report *out, char *why,
			    size_t why_size)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1], *a;
	struct vmpkram_pool_report *rep;
	unsigned int seen = 0;
	int ret, rem;

	rep = calloc(1, sizeof(*rep));	/* about 26 KiB */
	if (!rep)
		return vmpkram_why(-ENOMEM, why, why_size, "out of memory");
	rep->size = sizeof(*rep);
	ret = vmpkram_genl_parse(nlh, cmd, tb, why, why_size);
	if (!ret)
		ret = vmpkram_attr_string(tb, VMPKRAM_A_POOL_NAME, rep->name,
					  sizeof(rep->name), why, why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_POOL_STATE,
				       VMPKRAM_POOL_UNFORMATTED,
				       VMPKRAM_POOL_SEALED, &rep->state, why,
				       why_size);
	if (!ret)
		ret = plan_parse(tb, rep, why, why_size);
	nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem) {
		if (ret)
			break;
		if (nla_type(a) == VMPKRAM_A_CHECK_SLOT) {
			ret = slot_parse(a, rep, &seen, why, why_size);
		} else if (nla_type(a) == VMPKRAM_A_REPAIR_FILE) {
			if (rep->nr_files == VMPKRAM_DROPPED_MAX ||
			    rep->nr_files == rep->dropped)
				ret = vmpkram_why(-EBADMSG, why, why_size,
						  "more dropped files listed than dropped");
			else
				ret = file_parse(a, &rep->files[rep->nr_files++],
						 why, why_size);
		}
	}
	if (!ret && seen != 3)
		ret = vmpkram_why(-ENODATA, why, why_size,
				  "slot %d not reported", seen & 1 ? 1 : 0);
	if (!ret)
		memcpy(out, rep, sizeof(*rep));
	free(rep);
	return ret;
}

struct report_reply {
	uint8_t cmd;
	struct vmpkram_pool_report *rep;
	int got;
};

static int report_reply(struct vmpkram_ctx *ctx, struct nl_msg *msg,
			void *arg)
{
	struct report_reply *r = arg;
	char why[128];
	int ret;

	ret = vmpkram_report_from_msg(nlmsg_hdr(msg), r->cmd, r->rep, why,
				      sizeof(why));
	if (ret)
		return vmpkram_fail(ctx, ret, "bad pool report from the kernel: %s",
				    why);
	r->got = 1;
	return 0;
}

static const char *report_hint(int error, bool repair)
{
	switch (error) {
	case -EPERM:
		return "needs CAP_SYS_ADMIN (pools name physical addresses)";
	case -EOPNOTSUPP:
		return "the loaded vmpkram module cannot check pools (load a newer one)";
	case -ENODEV:
		return "no pool of that name is attached (vmpkramctl pool status lists them)";
	case -EBUSY:
		return "a vmpkramfs is mounted on it: unmount it first";
	case -EUCLEAN:
		return repair ? "the pool cannot be repaired (vmpkramctl pool check says why)" :
				NULL;
	default:
		return NULL;
	}
}

static int report_request(struct vmpkram_ctx *ctx, uint8_t cmd,
			  const char *name, struct vmpkram_pool_report *out)
{
	const char *what = cmd == VMPKRAM_CMD_POOL_REPAIR ? "repair" : "check";
	struct report_reply r = { .cmd = cmd };
	const char *hint;
	struct nl_msg *msg;
	int ret;

	if (!name || !vmpkram_pool_name_ok(name))
		return vmpkram_fail(ctx, -EINVAL,
			"pool %s: invalid pool name \"%s\" (1 to %d characters of A-Z a-z 0-9 _ -)",
			what, name ? name : "(null)", VMPKRAM_POOL_NAME_MAX);
	if (out && out->size < VMPKRAM_POOL_REPORT_SIZE_V1)
		return vmpkram_fail(ctx, -EINVAL,
				    "pool %s: struct vmpkram_pool_report size %u below %zu",
				    what, out->size, VMPKRAM_POOL_REPORT_SIZE_V1);
	r.rep = malloc(sizeof(*r.rep));
	if (!r.rep)
		return vmpkram_fail(ctx, -ENOMEM, "out of memory");
	ret = vmpkram_nl_msg(ctx, cmd, &msg);
	if (!ret && nla_put_string(msg, VMPKRAM_A_POOL_NAME, name)) {
		nlmsg_free(msg);
		ret = vmpkram_fail(ctx, -EMSGSIZE,
				   "pool %s: cannot build the request", what);
	}
	if (ret)
		goto out;
	ret = vmpkram_nl_request(ctx, msg, report_reply, &r);
	hint = report_hint(ret, cmd == VMPKRAM_CMD_POOL_REPAIR);
	/* The module's own message stays; a bare errno gets a hint. */
	if (ret && hint && !strcmp(ctx->last_error, strerror(-ret)))
		ret = vmpkram_fail(ctx, ret, "pool %s %s: %s", what, name, hint);
	if (!ret && !r.got)
		ret = vmpkram_fail(ctx, -EBADMSG,
				   "pool %s: the kernel replied without the report",
				   what);
	if (!ret && out)
		vmpkram_sized_copy(out, r.rep, sizeof(*r.rep),
				   VMPKRAM_POOL_REPORT_SIZE_V1);
out:
	free(r.rep);
	return ret;
}

VMPKRAM_EXPORT int vmpkram_pool_check(struct vmpkram_ctx *ctx,
				      const char *name,
				      struct vmpkram_pool_report *report)
{
	if (!report)
		return vmpkram_fail(ctx, -EINVAL, "pool check: no report");
	return report_request(ctx, VMPKRAM_CMD_POOL_CHECK, name, report);
}

VMPKRAM_EXPORT int vmpkram_pool_repair(struct vmpkram_ctx *ctx,
				       const char *name,
				       struct vmpkram_pool_report *report)
{
	return report_request(ctx, VMPKRAM_CMD_POOL_REPAIR, name, report);
}
