// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pools around a kexec: listed, sealed before the new kernel is
 * loaded (so that the command line it gets names every pool and no
 * metadata change can follow), unsealed again when loading fails.
 * Without the module there is nothing to seal: the pools of the command
 * line are carried over as they are.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kexec.h"

static int pools_of_module(struct ctl *ctl, const char *what,
			   const char *hint, struct kexec_pools *pools)
{
	struct ctl_pools list;
	size_t i;
	int ret;

	ret = ctl_pools_get(ctl, what, hint, NULL, &list);
	if (ret)
		return ret;
	pools->pool = calloc(list.n ? list.n : 1, sizeof(*pools->pool));
	if (!pools->pool) {
		ctl_pools_free(&list);
		return ctl_fail_plain(ctl, what, -ENOMEM, NULL);
	}
	for (i = 0; i < list.n; i++) {
		struct kexec_pool *p = &pools->pool[i];

		snprintf(p->name, sizeof(p->name), "%s", list.pool[i].name);
		p->base = list.pool[i].base;
		p->size = list.pool[i].pool_size;
		p->sealed_here = list.pool[i].state == VMPKRAM_POOL_READY;
	}
	pools->n = list.n;
	ctl_pools_free(&list);
	return 0;
}

int kexec_pools_get(struct ctl *ctl, const char *what, const char *hint,
		    struct kexec_pools *pools)
{
	struct vmpkram_status st = { .size = sizeof(st) };
	char ctx[160];
	int ret;

	memset(pools, 0, sizeof(*pools));
	ret = ctl_lib(ctl);
	if (ret)
		return ret;
	ret = vmpkram_module_is_loaded(ctl->lib);
	snprintf(ctx, sizeof(ctx), "%s: is the vmpkram module loaded", what);
	if (ret < 0)
		return ctl_fail(ctl, ctx, ret, hint);
	if (!ret)
		return 0;
	ret = vmpkram_get_status(ctl->lib, &st);
	snprintf(ctx, sizeof(ctx), "%s: module status", what);
	if (ret)
		return ctl_fail(ctl, ctx, ret, hint);
	if (!(st.features & VMPKRAM_FEATURE_POOL))
		return 0;
	return pools_of_module(ctl, what, hint, pools);
}

void kexec_pools_free(struct kexec_pools *pools)
{
	free(pools->pool);
	memset(pools, 0, sizeof(*pools));
}

static const struct kexec_pool *find(const struct kexec_pools *pools,
				     const char *name)
{
	size_t i;

	for (i = 0; i < pools->n; i++)
		if (!strcmp(pools->pool[i].name, name))
			return &pools->pool[i];
	return NULL;
}

int kexec_pools_diff(const struct kexec_pools *then,
		     const struct kexec_pools *now, char *why, size_t size)
{
	const struct kexec_pool *a, *b;
	size_t i;

	for (i = 0; i < now->n; i++) {
		b = &now->pool[i];
		a = find(then, b->name);
		if (!a) {
			snprintf(why, size, "pool %s was attached after kexec load",
				 b->name);
			return 1;
		}
		if (a->base != b->base || a->size != b->size) {
			snprintf(why, size,
				 "pool %s is now 0x%" PRIx64 " bytes at 0x%" PRIx64 ", not 0x%" PRIx64 " at 0x%" PRIx64 " as at kexec load",
				 b->name, b->size, b->base, a->size, a->base);
			return 1;
		}
	}
	for (i = 0; i < then->n; i++) {
		if (!find(now, then->pool[i].name)) {
			snprintf(why, size, "pool %s was detached after kexec load",
				 then->pool[i].name);
			return 1;
		}
	}
	return 0;
}

int kexec_unseal_sealed_here(struct ctl *ctl, const struct kexec_pools *pools)
{
	int ret, status = 0;
	size_t i;

	for (i = 0; i < pools->n; i++) {
		if (!pools->pool[i].sealed_here)
			continue;
		ret = vmpkram_pool_unseal(ctl->lib, pools->pool[i].name);
		if (!ret)
			continue;
		fprintf(stderr, PROG ": pool %s stays sealed: %s (run " PROG " pool unseal %s)\n",
			pools->pool[i].name, vmpkram_last_error(ctl->lib),
			pools->pool[i].name);
		status = EXIT_FAILURE;
	}
	return status;
}

int kexec_seal(struct ctl *ctl, const char *what, const char *hint,
	       const struct kexec_pools *pools, char **cmdline)
{
	char ctx[160];
	int ret;

	if (cmdline)
		*cmdline = NULL;
	if (!pools->n)
		return 0;
	ctl_pool_wait_scrub(ctl, NULL);
	ret = vmpkram_pool_seal(ctl->lib, NULL, cmdline);
	if (!ret)
		return 0;
	snprintf(ctx, sizeof(ctx), "%s: pool seal", what);
	ret = ctl_fail(ctl, ctx, ret, hint);
	/* Some pools may have been sealed before the one that failed. */
	kexec_unseal_sealed_here(ctl, pools);
	return ret;
}
