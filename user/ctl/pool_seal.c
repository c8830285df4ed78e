// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl pool seal [NAME]: stdout is exactly the parameters the next
 * kernel needs, so that a script can write ARGS=$(vmpkramctl pool seal).
 * They go through the kexec command-line composition, which merges one
 * vmpkram.pool= per pool into the single list the module takes.
 */
#include <errno.h>
#include <stdio.h>

#include "cmdline.h"
#include "vmpkramctl.h"

static void print_result(struct ctl *ctl, const char *name,
			 const char *cmdline)
{
	struct json_object *obj;

	if (!ctl->json) {
		printf("%s\n", cmdline);
		return;
	}
	obj = json_object_new_object();
	json_object_object_add(obj, "name",
			       name ? json_object_new_string(name) : NULL);
	json_object_object_add(obj, "sealed", json_object_new_boolean(1));
	json_object_object_add(obj, "cmdline",
			       json_object_new_string(cmdline));
	ctl_json_print(obj);
}

CMD(pool_seal)
{
	char *reply, *cmdline;
	const char *name;
	int ret;

	ret = ctl_pool_args(ctl, cmd, args, false, &name);
	if (ret >= 0)
		return ret;
	ret = ctl_require_module(ctl, "pool seal");
	if (ret)
		return ret;
	ctl_pool_wait_scrub(ctl, name);
	ret = vmpkram_pool_seal(ctl->lib, name, &reply);
	if (ret)
		return ctl_fail(ctl, "pool seal", ret, NULL);
	ret = cmdline_compose("", NULL, reply, NULL, &cmdline);
	free(reply);
	if (ret)
		return ctl_fail_plain(ctl, "pool seal", ret,
				      "the pools are sealed");
	print_result(ctl, name, cmdline);
	free(cmdline);
	return EXIT_SUCCESS;
}
