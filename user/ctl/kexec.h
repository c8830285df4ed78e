/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What vmpkramctl kexec load, exec and unload share: the pools around a
 * kexec, and the record kexec load leaves for exec.
 *
 * The rule of the three commands: a kexec that cannot see the pools does
 * not go on as if there were none.  Any failure to tell whether the
 * module is loaded, to read its status or to list its pools stops the
 * command before anything changes (load, exec) or is reported after the
 * part that was done (unload).
 */
#ifndef _VMPKRAMCTL_KEXEC_H_
#define _VMPKRAMCTL_KEXEC_H_

#include <stdbool.h>
#include <stdint.h>

#include "kexec_sys.h"
#include "vmpkramctl.h"

/* What a kexec_file_load() failure with @error means, and what to do. */
const char *kexec_load_hint(int error);

/* A pool as the next kernel's command line names it. */
struct kexec_pool {
	char name[VMPKRAM_POOL_NAME_MAX + 1];
	uint64_t base;
	uint64_t size;
	bool sealed_here;	/* READY before kexec load sealed it */
};

struct kexec_pools {
	struct kexec_pool *pool;
	size_t n;
};

/*
 * The pools attached now in @pools: none when the module is not loaded
 * or has no pools.  0, or the exit status after reporting the failure as
 * "@what: ..." with @hint.
 */
int kexec_pools_get(struct ctl *ctl, const char *what, const char *hint,
		    struct kexec_pools *pools);
void kexec_pools_free(struct kexec_pools *pools);

/*
 * 0 when @now holds the same pools (name, base, size) as @then, else 1
 * with the first difference in @why.
 */
int kexec_pools_diff(const struct kexec_pools *then,
		     const struct kexec_pools *now, char *why, size_t size);

/*
 * Seals every pool (@pools is what kexec_pools_get() found; nothing to do
 * when it is empty), the parameters for the next kernel in *@cmdline
 * (NULL: not wanted).  On failure the pools sealed here (sealed_here)
 * are unsealed again.  0, or the exit status after reporting the failure
 * as "@what: pool seal: ..." with @hint.
 */
int kexec_seal(struct ctl *ctl, const char *what, const char *hint,
	       const struct kexec_pools *pools, char **cmdline);

/* Unseals the pools sealed here; each failure is reported with the fix. */
int kexec_unseal_sealed_here(struct ctl *ctl, const struct kexec_pools *pools);

/*
 * The record kexec load writes (kexec_state_dir()/kexec.json) so that
 * kexec exec can tell whether the loaded command line still names every
 * attached pool.  A record of another boot is no record.
 */
struct kexec_state {
	char *kernel;
	char *release;
	char *initrd;		/* NULL: none */
	char *cmdline;
	struct kexec_pools pools;	/* attached when it was loaded */
};

const char *kexec_state_path(void);
/* 0 or -errno. */
int kexec_state_save(const struct kexec_state *st);
/* 1 with @st filled, 0 when there is no record of this boot, -errno. */
int kexec_state_load(struct kexec_state *st);
/* 0 (also when there is none) or -errno. */
int kexec_state_remove(void);
void kexec_state_free(struct kexec_state *st);

#endif /* _VMPKRAMCTL_KEXEC_H_ */
