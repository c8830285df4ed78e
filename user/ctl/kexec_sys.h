/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's kexec interfaces, and what vmpkramctl kexec does with the
 * pools around them.
 */
#ifndef _VMPKRAMCTL_KEXEC_SYS_H_
#define _VMPKRAMCTL_KEXEC_SYS_H_

#include <stdbool.h>
#include <stddef.h>

#include "vmpkramctl.h"

/*
 * kexec_file_load(2): @kfd the kernel, @ifd the initrd or -1, @cmdline
 * (may be NULL for an unload).  0 or -errno.
 */
int kexec_file_load_fd(int kfd, int ifd, const char *cmdline,
		       unsigned long flags);

/* What a kexec_file_load() failure with @error means, and what to do. */
const char *kexec_load_hint(int error);

/* 1 or 0 from a sysctl-like file holding a number, or -errno. */
int kexec_read_flag(const char *path);

/* Whether the calling process has capability @cap in its effective set. */
bool kexec_has_cap(int cap);

/* /proc/cmdline without its newline, malloc'd in *@out; 0 or -errno. */
int kexec_running_cmdline(char **out);

/*
 * What kexec load sealed, so that a failure undoes exactly that: pools
 * sealed before it stay sealed.
 */
struct kexec_seal {
	bool pools;		/* the module is loaded and has pools */
	char **names;		/* pools sealed here */
	size_t n;
	char *cmdline;		/* the seal reply's parameters */
};

/*
 * Seals every pool when the module is loaded and has pools (nothing to do
 * otherwise), recording which ones were not sealed yet.  0, or the exit
 * status after reporting the failure (then nothing stays sealed here).
 */
int kexec_seal_pools(struct ctl *ctl, struct kexec_seal *s);

/* Unseals the pools sealed here; failures are reported with the fix. */
void kexec_unseal_pools(struct ctl *ctl, struct kexec_seal *s);

void kexec_seal_free(struct kexec_seal *s);

/* 1 when the module is loaded with the pool feature and pools, else 0. */
int kexec_have_pools(struct ctl *ctl);

#endif /* _VMPKRAMCTL_KEXEC_SYS_H_ */
