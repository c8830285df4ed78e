// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pools around a kexec: sealed before the new kernel is loaded (so
 * that the command line it gets names every pool and no metadata change
 * can follow), unsealed again when loading fails or the kernel is
 * unloaded.  Without the module there is nothing to seal: the pools of
 * the command line are carried over as they are.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kexec_sys.h"

int kexec_have_pools(struct ctl *ctl)
{
	struct vmpkram_status st = { .size = sizeof(st) };
	int ret;

	ret = ctl_lib(ctl);
	if (!ret)
		ret = vmpkram_module_is_loaded(ctl->lib);
	if (ret <= 0)
		return 0;
	if (vmpkram_get_status(ctl->lib, &st))
		return 0;
	return (st.features & VMPKRAM_FEATURE_POOL) && st.nr_pools;
}

void kexec_seal_free(struct kexec_seal *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	free(s->cmdline);
	memset(s, 0, sizeof(*s));
}

/* The pools that are not sealed yet: the ones this seal changes. */
static int record(struct ctl *ctl, struct kexec_seal *s)
{
	struct ctl_pools pools;
	size_t i;
	int ret;

	ret = ctl_pools_get(ctl, "kexec load: pools", NULL, &pools);
	if (ret)
		return ret;
	s->names = calloc(pools.n + 1, sizeof(*s->names));
	ret = s->names ? 0 : -ENOMEM;
	for (i = 0; !ret && i < pools.n; i++) {
		if (pools.pool[i].state != VMPKRAM_POOL_READY)
			continue;
		s->names[s->n] = strdup(pools.pool[i].name);
		if (s->names[s->n])
			s->n++;
		else
			ret = -ENOMEM;
	}
	ctl_pools_free(&pools);
	return ret ? ctl_fail(ctl, "kexec load", ret, NULL) : 0;
}

int kexec_seal_pools(struct ctl *ctl, struct kexec_seal *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->pools = kexec_have_pools(ctl);
	if (!s->pools)
		return 0;
	ret = record(ctl, s);
	if (ret)
		return ret;
	ctl_pool_wait_scrub(ctl, NULL);
	ret = vmpkram_pool_seal(ctl->lib, NULL, &s->cmdline);
	if (!ret)
		return 0;
	ret = ctl_fail(ctl, "kexec load: pool seal", ret,
		       ret == -EPERM ? "needs CAP_SYS_ADMIN" : NULL);
	/* Some pools may have been sealed before the one that failed. */
	kexec_unseal_pools(ctl, s);
	return ret;
}

void kexec_unseal_pools(struct ctl *ctl, struct kexec_seal *s)
{
	size_t i;
	int ret;

	for (i = 0; i < s->n; i++) {
		ret = vmpkram_pool_unseal(ctl->lib, s->names[i]);
		if (ret)
			fprintf(stderr, PROG ": pool %s stays sealed: %s (run " PROG " pool unseal %s)\n",
				s->names[i], vmpkram_last_error(ctl->lib),
				s->names[i]);
	}
}
