// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl status: never loads the module.  The generic netlink family
 * would autoload it when resolved, so the sysfs state is checked first.
 */
#include <stdio.h>

#include "vmpkramctl.h"

static void print_text(const struct vmpkram_status *st)
{
	char features[256];

	ctl_features_text(st->features, features, sizeof(features));
	printf("module: vmpkram\n"
	       "  state: loaded\n"
	       "  version: %s\n"
	       "  api version: %u\n"
	       "  features: %s\n"
	       "  max workers: %u\n"
	       "  workers limit: %u\n",
	       st->module_version, st->api_version, features,
	       st->max_workers, st->workers_limit);
	if (st->nr_pools)
		printf("  pools: %u\n", st->nr_pools);
	else
		printf("  pools: none\n");
}

static void print_not_loaded(struct ctl *ctl)
{
	struct json_object *obj;

	if (!ctl->json) {
		printf("module: vmpkram\n  state: not loaded\n");
		return;
	}
	obj = json_object_new_object();
	json_object_object_add(obj, "loaded", json_object_new_boolean(0));
	ctl_json_print(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
}

int cmd_status(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	       char **argv)
{
	struct vmpkram_status st = { .size = sizeof(st) };
	struct json_object *obj;
	int ret;

	ret = ctl_no_args(ctl, cmd, argc, argv);
	if (ret >= 0)
		return ret;
	ret = ctl_lib(ctl);
	if (ret)
		return ret;

	ret = vmpkram_module_is_loaded(ctl->lib);
	if (ret < 0)
		return ctl_fail(ctl, "status", ret, NULL);
	if (!ret) {
		print_not_loaded(ctl);
		return EXIT_SUCCESS;
	}

	ret = vmpkram_get_status(ctl->lib, &st);
	if (ret)
		return ctl_fail(ctl, "status", ret, NULL);

	if (!ctl->json) {
		print_text(&st);
		return EXIT_SUCCESS;
	}
	obj = ctl_status_json(&st);
	json_object_object_add(obj, "loaded", json_object_new_boolean(1));
	ctl_json_print(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
	return EXIT_SUCCESS;
}
