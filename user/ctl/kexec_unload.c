// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl kexec unload: undoes kexec load, the pools' seal and the
 * record included, so that the system is back to normal operation.  Once
 * the kernel is unloaded the rest is done even when a step fails, and
 * every failure is reported (exit status 1) with what to do about it.
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/kexec.h>
#include <stdio.h>

#include "kexec.h"

#define UNLOADED	"the kernel was unloaded"

static int forget(struct ctl *ctl)
{
	char what[600];
	int ret;

	ret = kexec_state_remove();
	if (!ret)
		return 0;
	snprintf(what, sizeof(what), "kexec unload: removing %s",
		 kexec_state_path());
	return ctl_fail_plain(ctl, what, ret, UNLOADED "; remove the file by hand");
}

static int unseal(struct ctl *ctl)
{
	struct kexec_pools pools;
	int ret;

	ret = kexec_pools_get(ctl, "kexec unload",
			      UNLOADED "; the pools may stay sealed: run " PROG " pool unseal",
			      &pools);
	if (ret)
		return ret;
	if (pools.n)
		ret = vmpkram_pool_unseal(ctl->lib, NULL);
	kexec_pools_free(&pools);
	if (ret)
		return ctl_fail(ctl, "kexec unload: pool unseal", ret,
				UNLOADED "; run " PROG " pool unseal");
	return 0;
}

CMD(kexec_unload)
{
	struct json_object *obj;
	int ret, status;

	(void)cmd;
	(void)args;
	if (!kexec_has_cap(CAP_SYS_BOOT))
		return ctl_fail_why(ctl, "kexec unload", -EPERM,
				    "needs CAP_SYS_BOOT: run it as root");
	ret = kexec_file_load_fd(-1, -1, NULL, KEXEC_FILE_UNLOAD);
	if (ret)
		return ctl_fail_plain(ctl, "kexec unload", ret,
				      kexec_load_hint(ret));
	status = forget(ctl);
	ret = unseal(ctl);
	status = status ? status : ret;
	if (!status && ctl->json) {
		obj = json_object_new_object();
		json_object_object_add(obj, "loaded",
				       json_object_new_boolean(0));
		ctl_json_print(obj);
	}
	return status;
}
