// SPDX-License-Identifier: GPL-2.0-only
/*
 * POOL_CHECK and POOL_REPAIR reports with crafted messages: a report as
 * the module sends it, then each rule of the parser on its own (both
 * slots exactly once, enums in range, a failed check with its detail,
 * the slot of an adopt or a salvage, the dropped files against their
 * count), texts cut to fit, and the calls that fail before the kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "pool.h"
#include "private.h"
#include "crafted.h"
#include "tap.h"

#define NR_CHECKS	11

/* What to get wrong in the report. */
struct flaw {
	int slots;		/* slots to send: 1, 2 or 3 (slot 1 twice) */
	uint32_t status;	/* slot 0's status, 0: complete */
	int fail_no_detail;	/* a failed check without its detail */
	int no_slot;		/* ADOPT without REPAIR_SLOT */
	uint32_t dropped;	/* REPAIR_DROPPED */
	int files;		/* REPAIR_FILE nests */
	const char *text;	/* REPAIR_TEXT, NULL: a short one */
};

static int put_slot(struct nl_msg *msg, uint32_t index, uint32_t status,
		    int fail_no_detail)
{
	struct nlattr *slot, *check;
	uint64_t gen = 10 + index;
	uint32_t result;
	int i;

	slot = nla_nest_start(msg, VMPKRAM_A_CHECK_SLOT);
	if (!slot || nla_put_u32(msg, VMPKRAM_A_SLOT_INDEX, index) ||
	    nla_put_u32(msg, VMPKRAM_A_SLOT_STATUS, status) ||
	    nla_put_u64(msg, VMPKRAM_A_SLOT_GENERATION, gen) ||
	    nla_put_u64(msg, VMPKRAM_A_SLOT_COMMIT_SEQ, gen << 1 | 1) ||
	    nla_put_u32(msg, VMPKRAM_A_SLOT_LAYOUT, 2))
		return -1;
	for (i = 0; i < NR_CHECKS; i++) {
		result = status == VMPKRAM_SLOT_DAMAGED && i == 9 ?
			 VMPKRAM_CHECK_FAILED :
			 status == VMPKRAM_SLOT_DAMAGED && i > 9 ?
			 VMPKRAM_CHECK_NOT_RUN : VMPKRAM_CHECK_OK;
		check = nla_nest_start(msg, VMPKRAM_A_SLOT_CHECK);
		if (!check || nla_put_string(msg, VMPKRAM_A_CHECK_NAME,
					     i == 9 ? "file table" : "magic") ||
		    nla_put_u32(msg, VMPKRAM_A_CHECK_RESULT, result) ||
		    (result == VMPKRAM_CHECK_FAILED && !fail_no_detail &&
		     nla_put_string(msg, VMPKRAM_A_CHECK_DETAIL,
				    "file table entry 0: invalid name")))
			return -1;
		nla_nest_end(msg, check);
	}
	nla_nest_end(msg, slot);
	return 0;
}

static struct nl_msg *report_msg(unsigned int cmd, const struct flaw *f)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *file;
	int i;

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, FAMILY, 0, 0,
				 cmd, 1) ||
	    nla_put_string(msg, VMPKRAM_A_POOL_NAME, "small") ||
	    nla_put_u32(msg, VMPKRAM_A_POOL_STATE, VMPKRAM_POOL_DAMAGED) ||
	    put_slot(msg, 0, f->status ? f->status : VMPKRAM_SLOT_DAMAGED,
		     f->fail_no_detail) ||
	    (f->slots > 1 && put_slot(msg, 1, VMPKRAM_SLOT_COMPLETE, 0)) ||
	    (f->slots > 2 && put_slot(msg, 1, VMPKRAM_SLOT_COMPLETE, 0)) ||
	    nla_put_u32(msg, VMPKRAM_A_REPAIR_ACTION, VMPKRAM_REPAIR_SALVAGE) ||
	    (!f->no_slot && nla_put_u32(msg, VMPKRAM_A_REPAIR_SLOT, 1)) ||
	    nla_put_string(msg, VMPKRAM_A_REPAIR_TEXT,
			   f->text ? f->text : "rebuild from slot 1") ||
	    nla_put_u32(msg, VMPKRAM_A_REPAIR_KEPT, 5) ||
	    nla_put_u32(msg, VMPKRAM_A_REPAIR_DROPPED, f->dropped))
		goto fail;
	for (i = 0; i < f->files; i++) {
		file = nla_nest_start(msg, VMPKRAM_A_REPAIR_FILE);
		if (!file || (i == 0 &&
			      nla_put_string(msg, VMPKRAM_A_FILE_NAME, "guest")) ||
		    nla_put_u64(msg, VMPKRAM_A_FILE_INO, 2 + i) ||
		    nla_put_string(msg, VMPKRAM_A_REPAIR_REASON, "invalid name"))
			goto fail;
		nla_nest_end(msg, file);
	}
	return msg;
fail:
	nlmsg_free(msg);
	return NULL;
}

static int parse(const struct flaw *f, struct vmpkram_pool_report *r,
		 char *why, size_t why_size)
{
	struct nl_msg *msg = report_msg(VMPKRAM_CMD_POOL_CHECK, f);
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = vmpkram_report_from_msg(nlmsg_hdr(msg), VMPKRAM_CMD_POOL_CHECK,
				      r, why, why_size);
	nlmsg_free(msg);
	return ret;
}

static const struct flaw good = { .slots = 2, .dropped = 2, .files = 2 };

static void test_valid(struct vmpkram_pool_report *r)
{
	const struct vmpkram_slot_report *s0 = &r->slots[0], *s1 = &r->slots[1];
	char why[128] = "";
	int ret;

	ret = parse(&good, r, why, sizeof(why));
	tap_ok(ret == 0, "a salvage report parses (%s)", ret ? why : "ok");
	tap_ok(r->size == sizeof(*r) && !strcmp(r->name, "small") &&
	       r->state == VMPKRAM_POOL_DAMAGED &&
	       r->action == VMPKRAM_REPAIR_SALVAGE && r->slot == 1 &&
	       r->kept == 5 && r->dropped == 2 && r->nr_files == 2 &&
	       !strcmp(r->text, "rebuild from slot 1"),
	       "the plan: salvage from slot 1, 5 kept, 2 dropped");
	tap_ok(s0->index == 0 && s0->status == VMPKRAM_SLOT_DAMAGED &&
	       s0->generation == 10 && s0->commit_seq == 21 &&
	       s0->layout == 2 && s0->nr_checks == NR_CHECKS &&
	       s0->checks[9].result == VMPKRAM_CHECK_FAILED &&
	       !strcmp(s0->checks[9].name, "file table") &&
	       strstr(s0->checks[9].detail, "invalid name") &&
	       s0->checks[10].result == VMPKRAM_CHECK_NOT_RUN &&
	       s0->checks[0].result == VMPKRAM_CHECK_OK &&
	       !s0->checks[0].detail[0],
	       "slot 0: damaged, its checks in order with the failed one's detail");
	tap_ok(s1->index == 1 && s1->status == VMPKRAM_SLOT_COMPLETE &&
	       s1->generation == 11, "slot 1: complete");
	tap_ok(!strcmp(r->files[0].name, "guest") && r->files[0].ino == 2 &&
	       !strcmp(r->files[0].reason, "invalid name") &&
	       !r->files[1].name[0] && r->files[1].ino == 3,
	       "the dropped files, one without a name");
}

static void test_flaws(struct vmpkram_pool_report *r)
{
	char why[128], long_text[2000];
	struct flaw f;
	int ret;

	f = good;
	f.slots = 1;
	ret = parse(&f, r, why, sizeof(why));
	tap_ok(ret == -ENODATA && strstr(why, "slot 1"),
	       "a slot missing: %s", why);
	f.slots = 3;
	ret = parse(&f, r, why, sizeof(why));
	tap_ok(ret == -EBADMSG && strstr(why, "twice"),
	       "a slot twice: %s", why);
	f = good;
	f.status = 9;
	ret = parse(&f, r, why, sizeof(why));
	tap_ok(ret == -ERANGE, "an unknown slot status: %s", why);
	f = good;
	f.fail_no_detail = 1;
	ret = parse(&f, r, why, sizeof(why));
	tap_ok(ret == -ENODATA && strstr(why, "check-detail"),
	       "a failed check without its detail: %s", why);
	f = good;
	f.no_slot = 1;
	ret = parse(&f, r, why, sizeof(why));
	tap_ok(ret == -ENODATA && strstr(why, "repair-slot"),
	       "a salvage without its slot: %s", why);
	f = good;
	f.dropped = 1;
	ret = parse(&f, r, why, sizeof(why));
	tap_ok(ret == -EBADMSG && strstr(why, "dropped"),
	       "more files listed than dropped: %s", why);
	f = good;
	f.dropped = 1020;
	ret = parse(&f, r, why, sizeof(why));
	tap_ok(ret == -ERANGE, "kept and dropped above the file table: %s", why);
	f = good;
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	f.text = long_text;
	ret = parse(&f, r, why, sizeof(why));
	tap_ok(ret == 0 && strlen(r->text) == sizeof(r->text) - 1,
	       "a long text is cut to fit");
}

static void test_no_kernel(void)
{
	struct vmpkram_pool_report *small = calloc(1, sizeof(*small));
	struct vmpkram_ctx *ctx;

	if (!small || vmpkram_new(&ctx)) {
		free(small);
		tap_ok(0, "no kernel: vmpkram_new");
		return;
	}
	small->size = 8;
	tap_ok(vmpkram_pool_check(ctx, "bad name", small) == -EINVAL &&
	       strstr(vmpkram_last_error(ctx), "invalid pool name"),
	       "check with a bad name: %s", vmpkram_last_error(ctx));
	tap_ok(vmpkram_pool_check(ctx, "test", NULL) == -EINVAL,
	       "check without a report is -EINVAL");
	tap_ok(vmpkram_pool_check(ctx, "test", small) == -EINVAL &&
	       strstr(vmpkram_last_error(ctx), "size 8"),
	       "check into a too small report: %s", vmpkram_last_error(ctx));
	tap_ok(vmpkram_pool_repair(ctx, NULL, NULL) == -EINVAL &&
	       vmpkram_pool_repair(ctx, "a/b", NULL) == -EINVAL,
	       "repair checks the pool name");
	vmpkram_unref(ctx);
	free(small);
}

int main(void)
{
	struct vmpkram_pool_report *r = calloc(1, sizeof(*r));

	if (!tap_ok(r != NULL, "allocate a report"))
		return tap_exit();
	test_valid(r);
	test_flaws(r);
	test_no_kernel();
	free(r);
	return tap_exit();
}
