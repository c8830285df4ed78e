/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fake libvmpkram (fake-lib.c) and a fake kexec system interface
 * (fake-sys.c) for running vmpkramctl's commands in the host tests
 * (test-ctl.c): pools, module state and events are plain data, every
 * call is counted and any call can be made to fail, and nothing is ever
 * loaded, sealed, unloaded or booted for real.
 */
#ifndef _VMPKRAM_TESTS_FAKE_H_
#define _VMPKRAM_TESTS_FAKE_H_

#include <stdbool.h>
#include <stddef.h>

#include "libvmpkram.h"

enum fake_fn {
	F_NEW, F_IS_LOADED, F_LOAD, F_UNLOAD, F_FIND, F_STATUS, F_SET_WORKERS,
	F_JOBS, F_POOL_LIST, F_POOL_GET, F_POOL_ATTACH, F_POOL_DETACH,
	F_POOL_FORMAT, F_POOL_SEAL, F_POOL_UNSEAL, F_POOL_FILES, F_EV_SUB,
	F_EV_FD, F_EV_NEXT, F_PREFAULT, F_API, F_POOL_CHECK, F_POOL_REPAIR,
	/* fake-sys.c */
	F_FILE_LOAD, F_READ_LOADED, F_BOOT_ID, F_REBOOT,
	F_NR
};

#define FAKE_POOLS	8
#define FAKE_EVENTS	16

struct fake_event {
	int ret;			/* what vmpkram_events_next() returns */
	char msg[128];			/* its last error when ret < 0 */
	struct vmpkram_event ev;	/* when ret is 1 */
};

struct fake {
	int calls[F_NR];
	int err[F_NR];			/* -errno for the call to return */
	int err_at[F_NR];		/* only the Nth call fails; 0: all */
	char msg[F_NR][160];		/* its last error; "": strerror */
	char last_error[512];

	/* the module */
	int loaded;
	uint64_t features;
	uint32_t max_workers;
	struct vmpkram_pool pool[FAKE_POOLS];
	size_t nr_pools;
	int seal_before_error;		/* pools sealed before F_POOL_SEAL fails */
	struct fake_event event[FAKE_EVENTS];
	size_t nr_events, next_event;

	/* the system (fake-sys.c) */
	bool cap;			/* every capability */
	int kexec_loaded;
	unsigned long file_load_flags;
	char file_load_cmdline[2048];
	char cmdline[1024];		/* /proc/cmdline */
	char boot_id[64];
	char state_dir[256];
};

extern struct fake fake;

/*
 * A loaded module with pools "test" (READY, 512M at 0x40000000) and
 * "small" (UNFORMATTED, 64M at 0x60000000), privileges, no kexec kernel,
 * the record directory @state_dir.
 */
void fake_reset(const char *state_dir);
struct vmpkram_pool *fake_add_pool(const char *name, uint64_t base,
				   uint64_t size, uint32_t state);
void fake_del_pool(const char *name);
struct vmpkram_pool *fake_pool(const char *name);
void fake_fail(enum fake_fn fn, int error, const char *msg);
/* The fake's accounting for a call: the injected error or 0. */
int fake_call(enum fake_fn fn);

#endif /* _VMPKRAM_TESTS_FAKE_H_ */
