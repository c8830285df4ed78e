// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl pool attach NAME SIZE@ADDR: the range is checked here as the
 * module would check it (alignment, limits), so a typo is a usage error
 * and the kernel is only asked about what only it knows (reservation,
 * overlaps, metadata).
 */
#include <errno.h>
#include <stdio.h>

#include "parse.h"
#include "vmpkramctl.h"

static void print_result(struct ctl *ctl, const struct vmpkram_pool *p)
{
	struct json_object *obj;

	if (ctl->json) {
		obj = json_object_new_object();
		json_object_object_add(obj, "pool", ctl_pool_json(p));
		ctl_json_print(obj);
		return;
	}
	ctl_pool_print(p);
	if (p->state == VMPKRAM_POOL_UNFORMATTED ||
	    p->state == VMPKRAM_POOL_DAMAGED)
		printf("To use it, erase it with: " PROG " pool format %s\n",
		       p->name);
}

CMD(pool_attach)
{
	struct vmpkram_pool pool = { .size = sizeof(pool) };
	uint64_t size, base;
	const char *name, *why;
	int ret;

	if (args->argc != 2)
		return ctl_usage_error(ctl, cmd, "expected NAME and SIZE@ADDR");
	name = args->argv[0];
	ret = ctl_pool_name_arg(ctl, cmd, name);
	if (ret >= 0)
		return ret;
	if (parse_pool_range(args->argv[1], &size, &base, &why))
		return ctl_usage_error(ctl, cmd, "'%s': %s", args->argv[1],
				       why);

	ret = ctl_require_module(ctl, "pool attach");
	if (ret)
		return ret;
	ret = vmpkram_pool_attach(ctl->lib, name, base, size, &pool);
	if (ret)
		return ctl_fail(ctl, "pool attach", ret,
				ret == -EPERM ? "needs CAP_SYS_ADMIN; a range "
				"vmpkram.pool= did not name also CAP_SYS_RAWIO "
				"and no kernel lockdown" : NULL);
	print_result(ctl, &pool);
	return EXIT_SUCCESS;
}
