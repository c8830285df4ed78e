// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl pool check NAME and pool repair NAME [--yes]: the two
 * metadata slots of a pool check by check, what a repair would do, and
 * the repair itself, which is never implicit: it shows the plan first
 * and asks (at a terminal) or needs --yes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "vmpkramctl.h"

static const char *slot_status(uint32_t status)
{
	switch (status) {
	case VMPKRAM_SLOT_BLANK:
		return "blank";
	case VMPKRAM_SLOT_FOREIGN:
		return "foreign";
	case VMPKRAM_SLOT_DAMAGED:
		return "damaged";
	case VMPKRAM_SLOT_INTERRUPTED:
		return "interrupted";
	case VMPKRAM_SLOT_COMPLETE:
		return "complete";
	default:
		return "unknown";
	}
}

static const char *check_result(uint32_t result)
{
	switch (result) {
	case VMPKRAM_CHECK_OK:
		return "ok";
	case VMPKRAM_CHECK_FAILED:
		return "failed";
	default:
		return "not run";
	}
}

static const char *repair_action(uint32_t action)
{
	switch (action) {
	case VMPKRAM_REPAIR_NONE:
		return "none";
	case VMPKRAM_REPAIR_ADOPT:
		return "adopt";
	case VMPKRAM_REPAIR_SALVAGE:
		return "salvage";
	case VMPKRAM_REPAIR_REFUSED:
		return "refused";
	default:
		return "unknown";
	}
}

static struct json_object *slot_json(const struct vmpkram_slot_report *s)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *checks = json_object_new_array(), *c;
	uint32_t i;

	json_object_object_add(obj, "index", json_object_new_int(s->index));
	json_object_object_add(obj, "status",
			       json_object_new_string(slot_status(s->status)));
	json_object_object_add(obj, "generation",
			       json_object_new_uint64(s->generation));
	json_object_object_add(obj, "commit_seq",
			       json_object_new_uint64(s->commit_seq));
	json_object_object_add(obj, "layout", json_object_new_int64(s->layout));
	for (i = 0; i < s->nr_checks; i++) {
		c = json_object_new_object();
		json_object_object_add(c, "name",
				       json_object_new_string(s->checks[i].name));
		json_object_object_add(c, "result", json_object_new_string(
			check_result(s->checks[i].result)));
		json_object_object_add(c, "detail", s->checks[i].detail[0] ?
				       json_object_new_string(s->checks[i].detail) :
				       NULL);
		json_object_array_add(checks, c);
	}
	json_object_object_add(obj, "checks", checks);
	return obj;
}

static struct json_object *report_json(const struct vmpkram_pool_report *r)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *slots = json_object_new_array();
	struct json_object *repair = json_object_new_object();
	struct json_object *files = json_object_new_array(), *f;
	uint32_t i;

	json_object_object_add(obj, "name", json_object_new_string(r->name));
	json_object_object_add(obj, "state",
			       json_object_new_string(ctl_pool_state(r->state)));
	for (i = 0; i < 2; i++)
		json_object_array_add(slots, slot_json(&r->slots[i]));
	json_object_object_add(obj, "slots", slots);
	json_object_object_add(repair, "action", json_object_new_string(
		repair_action(r->action)));
	json_object_object_add(repair, "slot", r->slot >= 0 ?
			       json_object_new_int(r->slot) : NULL);
	json_object_object_add(repair, "text", json_object_new_string(r->text));
	json_object_object_add(repair, "kept", json_object_new_int64(r->kept));
	json_object_object_add(repair, "dropped",
			       json_object_new_int64(r->dropped));
	for (i = 0; i < r->nr_files; i++) {
		f = json_object_new_object();
		json_object_object_add(f, "name", r->files[i].name[0] ?
				       json_object_new_string(r->files[i].name) :
				       NULL);
		json_object_object_add(f, "ino",
				       json_object_new_uint64(r->files[i].ino));
		json_object_object_add(f, "reason",
				       json_object_new_string(r->files[i].reason));
		json_object_array_add(files, f);
	}
	json_object_object_add(repair, "dropped_files", files);
	json_object_object_add(obj, "repair", repair);
	return obj;
}

static void print_slot(const struct vmpkram_slot_report *s)
{
	const struct vmpkram_check *c;
	uint32_t i;

	printf("slot %u: %s, generation %" PRIu64 " (commit sequence 0x%" PRIx64
	       "), layout %u\n", s->index, slot_status(s->status),
	       s->generation, s->commit_seq, s->layout);
	for (i = 0; i < s->nr_checks; i++) {
		c = &s->checks[i];
		printf("  %-26s %s%s%s\n", c->name, check_result(c->result),
		       c->detail[0] ? ": " : "", c->detail);
	}
}

static void print_files(const struct vmpkram_pool_report *r)
{
	const struct vmpkram_dropped_file *f;
	uint32_t i;

	for (i = 0; i < r->nr_files; i++) {
		f = &r->files[i];
		if (f->name[0])
			printf("  drops \"%s\" (inode %" PRIu64 "): %s\n",
			       f->name, f->ino, f->reason);
		else
			printf("  drops inode %" PRIu64 " (name damaged): %s\n",
			       f->ino, f->reason);
	}
	if (r->dropped > r->nr_files)
		printf("  and %u more (the kernel log lists every one a repair drops)\n",
		       r->dropped - r->nr_files);
}

static void print_report(const struct vmpkram_pool_report *r)
{
	printf("pool %s: %s\n", r->name, ctl_pool_state(r->state));
	print_slot(&r->slots[0]);
	print_slot(&r->slots[1]);
	printf("repair: %s\n", r->text);
	print_files(r);
}

static int check(struct ctl *ctl, const char *name,
		 struct vmpkram_pool_report *r, const char *what)
{
	int ret;

	ret = ctl_require_module(ctl, what);
	if (ret)
		return ret;
	ret = vmpkram_pool_check(ctl->lib, name, r);
	if (ret)
		return ctl_fail(ctl, what, ret,
				ret == -EPERM ? "needs CAP_SYS_ADMIN" : NULL);
	return 0;
}

CMD(pool_check)
{
	struct vmpkram_pool_report *r;
	const char *name;
	int ret;

	ret = ctl_pool_args(ctl, cmd, args, true, &name);
	if (ret >= 0)
		return ret;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ctl_fail_plain(ctl, "pool check", -ENOMEM, NULL);
	r->size = sizeof(*r);
	ret = check(ctl, name, r, "pool check");
	if (!ret && ctl->json)
		ctl_json_print(report_json(r));
	else if (!ret)
		print_report(r);
	free(r);
	return ret ? ret : EXIT_SUCCESS;
}

/*
 * A person at a terminal is asked; anyone else must say --yes.  Unlike
 * format, which refuses before it contacts anything (ctl_need_yes()), the
 * plan comes first: a pool that needs no repair, or that a repair refuses,
 * needs no --yes to be told so.  -1 to go on, else the exit status.
 */
static int confirm(struct ctl *ctl, const struct vmpkram_pool_report *r,
		   bool yes)
{
	char ask[sizeof(r->text) + 64];

	if (yes)
		return -1;
	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return ctl_fail_why(ctl, "pool repair", -ECANCELED,
				    "nobody to ask (standard input or standard error is not a terminal): pass --yes to repair; nothing changed");
	snprintf(ask, sizeof(ask), "Repair pool %s: %s?", r->name, r->text);
	return ctl_confirm(ctl, "pool repair", false, ask);
}

static int repair(struct ctl *ctl, const char *name, bool yes,
		  struct vmpkram_pool_report *r)
{
	int ret;

	ret = check(ctl, name, r, "pool repair");
	if (ret)
		return ret;
	if (r->action == VMPKRAM_REPAIR_REFUSED)
		return ctl_fail_why(ctl, "pool repair", -EUCLEAN, r->text);
	if (r->action != VMPKRAM_REPAIR_NONE) {
		if (!ctl->json)
			print_report(r);
		ret = confirm(ctl, r, yes);
		if (ret >= 0)
			return ret;
		ret = vmpkram_pool_repair(ctl->lib, name, r);
		if (ret)
			return ctl_fail(ctl, "pool repair", ret,
					ret == -EBUSY ? "unmount it first" : NULL);
	}
	if (ctl->json)
		ctl_json_print(report_json(r));
	else if (r->action == VMPKRAM_REPAIR_NONE)
		printf("pool %s: %s\n", r->name, r->text);
	else
		printf("pool %s repaired (now %s): %s\n", r->name,
		       ctl_pool_state(r->state), r->text);
	return EXIT_SUCCESS;
}

CMD(pool_repair)
{
	bool yes = ctl_opt(cmd, args, 'y');
	struct vmpkram_pool_report *r;
	const char *name;
	int ret;

	ret = ctl_pool_args(ctl, cmd, args, true, &name);
	if (ret >= 0)
		return ret;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ctl_fail_plain(ctl, "pool repair", -ENOMEM, NULL);
	r->size = sizeof(*r);
	ret = repair(ctl, name, yes, r);
	free(r);
	return ret;
}
