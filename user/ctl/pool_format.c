// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl pool format NAME [--yes]: the pool is read first, so that the
 * operator is told what the format destroys (asked before, at a terminal)
 * and destroyed.  Without a terminal to ask at, --yes is required.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "vmpkramctl.h"

static bool had_files(const struct vmpkram_pool *p)
{
	return p->state == VMPKRAM_POOL_READY ||
	       p->state == VMPKRAM_POOL_SEALED;
}

/* "3 files (10 MiB)", or "damaged metadata" */
static void destroyed_text(const struct vmpkram_pool *p, char *buf,
			   size_t size)
{
	char used[32];

	ctl_size_text(p->used, used, sizeof(used));
	if (had_files(p))
		snprintf(buf, size, "%u file%s (%s)", p->nr_files,
			 p->nr_files == 1 ? "" : "s", used);
	else
		snprintf(buf, size, "%s metadata", ctl_pool_state(p->state));
}

/* The question, with what the format would destroy. */
static void question(const struct vmpkram_pool *p, char *buf, size_t size)
{
	char what[64], pool_size[32];

	destroyed_text(p, what, sizeof(what));
	ctl_size_text(p->pool_size, pool_size, sizeof(pool_size));
	snprintf(buf, size, "Format pool %s (%s at 0x%" PRIx64 "), destroying %s?",
		 p->name, pool_size, p->base, what);
}

static void print_result(struct ctl *ctl, const struct vmpkram_pool *old,
			 const struct vmpkram_pool *new)
{
	struct json_object *obj;
	char what[64];

	if (ctl->json) {
		obj = json_object_new_object();
		json_object_object_add(obj, "pool", ctl_pool_json(new));
		json_object_object_add(obj, "previous", ctl_pool_json(old));
		ctl_json_print(obj);
		return;
	}
	destroyed_text(old, what, sizeof(what));
	printf("pool %s formatted: destroyed %s\n", new->name, what);
	ctl_pool_print(new);
}

static int format(struct ctl *ctl, const char *name, bool yes)
{
	struct vmpkram_pool old = { .size = sizeof(old) };
	struct vmpkram_pool new = { .size = sizeof(new) };
	char ask[192];
	int ret;

	ret = ctl_require_module(ctl, "pool format");
	if (ret)
		return ret;
	ret = vmpkram_pool_get(ctl->lib, name, &old);
	if (ret)
		return ctl_fail(ctl, "pool format", ret, NULL);
	question(&old, ask, sizeof(ask));
	ret = ctl_confirm(ctl, "pool format", yes, ask);
	if (ret >= 0)
		return ret;
	ret = vmpkram_pool_format(ctl->lib, name, &new);
	if (ret)
		return ctl_fail(ctl, "pool format", ret, NULL);
	print_result(ctl, &old, &new);
	return EXIT_SUCCESS;
}

CMD(pool_format)
{
	bool yes = ctl_opt(cmd, args, 'y');
	const char *name;
	int ret;

	ret = ctl_pool_args(ctl, cmd, args, true, &name);
	if (ret < 0)
		ret = ctl_need_yes(ctl, cmd, yes);
	if (ret >= 0)
		return ret;
	return format(ctl, name, yes);
}
