// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl set max-workers N: the value is parsed strictly and range
 * checked before the kernel is contacted, and a module that is not loaded
 * is not loaded by it.
 */
#include <errno.h>
#include <string.h>

#include "parse.h"
#include "vmpkramctl.h"

static int set_max_workers(struct ctl *ctl, const struct ctl_cmd *cmd,
			   const char *arg)
{
	struct json_object *obj;
	uint32_t n;
	int ret;

	/* 0 asks for the default, one worker per online CPU. */
	ret = parse_u32(arg, 0, VMPKRAM_WORKERS_LIMIT, &n);
	if (ret)
		return ctl_usage_error(ctl, cmd,
				       "max-workers: '%s' is %s (expected 0..%u)",
				       arg, ret == -ERANGE ? "out of range" :
				       "not a decimal number",
				       VMPKRAM_WORKERS_LIMIT);
	ret = ctl_require_module(ctl, "set max-workers");
	if (ret)
		return ret;
	ret = vmpkram_set_max_workers(ctl->lib, n);
	if (ret)
		return ctl_fail(ctl, "set max-workers", ret, NULL);
	if (ctl->json) {
		obj = json_object_new_object();
		json_object_object_add(obj, "max_workers",
				       json_object_new_int64(n));
		ctl_json_print(obj);
	}
	return EXIT_SUCCESS;
}

CMD(set)
{
	if (!args->argc)
		return ctl_usage_error(ctl, cmd, "no parameter given");
	if (strcmp(args->argv[0], "max-workers"))
		return ctl_usage_error(ctl, cmd, "unknown parameter '%s'",
				       args->argv[0]);
	if (args->argc != 2)
		return ctl_usage_error(ctl, cmd, "max-workers takes one value");
	return set_max_workers(ctl, cmd, args->argv[1]);
}
