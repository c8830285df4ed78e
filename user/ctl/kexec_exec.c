// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl kexec exec: the point of no return.  Everything that can be
 * checked is checked first: a kernel is loaded, the pools attached now
 * are the ones kexec load recorded (a pool attached since is not on the
 * loaded command line: the next kernel would take its memory as free
 * RAM), and every pool is sealed again, because a pool unsealed since
 * kexec load must not reach the next kernel with metadata in flux.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>

#include "kexec.h"

#define KEXEC_LOADED	"/sys/kernel/kexec_loaded"

static int check_loaded(struct ctl *ctl)
{
	int ret = kexec_read_flag(KEXEC_LOADED);

	if (ret < 0)
		return ctl_fail_plain(ctl, "kexec exec: " KEXEC_LOADED, ret,
				      "nothing was booted");
	if (!ret)
		return ctl_fail_why(ctl, "kexec exec", -ENOENT,
				    "no kernel is loaded: run " PROG " kexec load first");
	return 0;
}

/* The pools now against kexec load's record; 0 or the exit status. */
static int check_pools(struct ctl *ctl, const struct kexec_state *st,
		       bool recorded, const struct kexec_pools *now)
{
	char why[256], hint[512];

	if (!recorded && !now->n)
		return 0;
	if (!recorded) {
		snprintf(hint, sizeof(hint),
			 "the loaded kernel was not loaded by " PROG " kexec load in this boot (no record in %s), so its command line may not name the %zu attached pool%s: run " PROG " kexec load",
			 kexec_state_path(), now->n, now->n == 1 ? "" : "s");
		return ctl_fail_why(ctl, "kexec exec", -ESTALE, hint);
	}
	if (!kexec_pools_diff(&st->pools, now, why, sizeof(why)))
		return 0;
	snprintf(hint, sizeof(hint),
		 "%s, so the loaded command line does not match the pools: run " PROG " kexec load again",
		 why);
	return ctl_fail_why(ctl, "kexec exec", -ESTALE, hint);
}

static void print_booting(struct ctl *ctl, const struct kexec_state *st,
			  bool recorded)
{
	struct json_object *obj;

	if (!ctl->json) {
		fprintf(stderr, PROG ": booting the loaded kernel%s%s\n",
			recorded ? " " : "", recorded ? st->release : "");
		return;
	}
	obj = json_object_new_object();
	json_object_object_add(obj, "booting", json_object_new_boolean(1));
	json_object_object_add(obj, "release", recorded ?
			       json_object_new_string(st->release) : NULL);
	ctl_json_print(obj);
}

static int exec(struct ctl *ctl)
{
	struct kexec_pools now = { 0 };
	struct kexec_state st;
	char what[600];
	int ret, recorded;

	recorded = kexec_state_load(&st);
	if (recorded < 0) {
		snprintf(what, sizeof(what), "kexec exec: reading %s",
			 kexec_state_path());
		return ctl_fail_plain(ctl, what, recorded,
				      "nothing was booted; run " PROG " kexec load again");
	}
	ret = kexec_pools_get(ctl, "kexec exec", "nothing was booted",
			      &now);
	if (!ret)
		ret = check_pools(ctl, &st, recorded, &now);
	if (!ret)
		ret = kexec_seal(ctl, "kexec exec", "nothing was booted", &now,
				 NULL);
	if (!ret) {
		print_booting(ctl, &st, recorded);
		ret = ctl_fail_plain(ctl, "kexec exec: reboot", kexec_reboot(),
				     "the pools stay sealed: " PROG " kexec unload undoes the load");
	}
	kexec_pools_free(&now);
	kexec_state_free(&st);
	return ret;
}

CMD(kexec_exec)
{
	int ret;

	(void)cmd;
	(void)args;
	ret = check_loaded(ctl);
	if (!ret && !kexec_has_cap(CAP_SYS_BOOT))
		ret = ctl_fail_why(ctl, "kexec exec", -EPERM,
				   "needs CAP_SYS_BOOT: run it as root");
	return ret ? ret : exec(ctl);
}
