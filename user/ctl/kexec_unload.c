// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl kexec unload: undoes kexec load, the pools' seal included,
 * so that the system is back to normal operation.
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/kexec.h>

#include "kexec_sys.h"

int cmd_kexec_unload(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		     char **argv)
{
	struct json_object *obj;
	int ret;

	ret = ctl_no_args(ctl, cmd, argc, argv);
	if (ret >= 0)
		return ret;
	if (!kexec_has_cap(CAP_SYS_BOOT))
		return ctl_fail_plain(ctl, "kexec unload", -EPERM,
				      "needs CAP_SYS_BOOT: run it as root");
	ret = kexec_file_load_fd(-1, -1, NULL, KEXEC_FILE_UNLOAD);
	if (ret)
		return ctl_fail_plain(ctl, "kexec unload", ret,
				      kexec_load_hint(ret));
	if (kexec_have_pools(ctl)) {
		ret = vmpkram_pool_unseal(ctl->lib, NULL);
		if (ret)
			return ctl_fail(ctl, "kexec unload: pool unseal", ret,
					"the kernel was unloaded; run " PROG " pool unseal");
	}
	if (ctl->json) {
		obj = json_object_new_object();
		json_object_object_add(obj, "loaded",
				       json_object_new_boolean(0));
		ctl_json_print(obj, JSON_C_TO_STRING_PLAIN);
	}
	return EXIT_SUCCESS;
}
