// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl pool unseal [NAME]: quiet on success, like load and set.
 */
#include <errno.h>

#include "vmpkramctl.h"

CMD(pool_unseal)
{
	struct json_object *obj;
	const char *name;
	int ret;

	ret = ctl_pool_args(ctl, cmd, args, false, &name);
	if (ret >= 0)
		return ret;
	ret = ctl_require_module(ctl, "pool unseal");
	if (ret)
		return ret;
	ret = vmpkram_pool_unseal(ctl->lib, name);
	if (ret)
		return ctl_fail(ctl, "pool unseal", ret, NULL);
	if (ctl->json) {
		obj = json_object_new_object();
		json_object_object_add(obj, "name",
				       name ? json_object_new_string(name) : NULL);
		json_object_object_add(obj, "sealed",
				       json_object_new_boolean(0));
		ctl_json_print(obj);
	}
	return EXIT_SUCCESS;
}
