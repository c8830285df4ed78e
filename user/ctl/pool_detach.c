// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl pool detach NAME: quiet on success, like load and set.
 */
#include <errno.h>

#include "vmpkramctl.h"

CMD(pool_detach)
{
	struct json_object *obj;
	const char *name;
	int ret;

	ret = ctl_pool_args(ctl, cmd, args, true, &name);
	if (ret >= 0)
		return ret;
	ret = ctl_require_module(ctl, "pool detach");
	if (ret)
		return ret;
	ret = vmpkram_pool_detach(ctl->lib, name);
	if (ret)
		return ctl_fail(ctl, "pool detach", ret, NULL);
	if (ctl->json) {
		obj = json_object_new_object();
		json_object_object_add(obj, "name",
				       json_object_new_string(name));
		json_object_object_add(obj, "attached",
				       json_object_new_boolean(0));
		ctl_json_print(obj);
	}
	return EXIT_SUCCESS;
}
