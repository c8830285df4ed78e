// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl pool status [NAME]: every pool, or one, in full.
 */
#include <stdio.h>

#include "vmpkramctl.h"

static void print_json(const struct ctl_pools *pools)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < pools->n; i++)
		json_object_array_add(arr, ctl_pool_json(&pools->pool[i]));
	json_object_object_add(obj, "pools", arr);
	ctl_json_print(obj);
}

static void print_text(const struct ctl_pools *pools)
{
	size_t i;

	if (!pools->n)
		printf("no pools attached (boot with memmap=SIZE$ADDR vmpkram.pool=NAME:SIZE@ADDR, or use " PROG " pool attach)\n");
	for (i = 0; i < pools->n; i++) {
		if (i)
			printf("\n");
		ctl_pool_print(&pools->pool[i]);
	}
}

CMD(pool_status)
{
	struct ctl_pools pools;
	const char *name;
	int ret;

	ret = ctl_pool_args(ctl, cmd, args, false, &name);
	if (ret >= 0)
		return ret;
	ret = ctl_require_module(ctl, "pool status");
	if (!ret)
		ret = ctl_pools_get(ctl, "pool status", NULL, name, &pools);
	if (ret)
		return ret;
	if (ctl->json)
		print_json(&pools);
	else
		print_text(&pools);
	ctl_pools_free(&pools);
	return EXIT_SUCCESS;
}
