/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The manifest of a guest: NAME.manifest next to its RAM file, JSON.  It
 * records what resume needs to start the same QEMU with the same
 * arguments (binary, version, resolved arguments, machine type, RAM and
 * state files, migration method) and what status shows (state, process,
 * times, downtime).
 *
 * The file keeps the size it was created with: JSON, then spaces up to
 * that size.  Rewrites go in place (pwrite of the whole file, fsync), so
 * that they work while the pool is sealed for a kexec, when every size
 * change fails with EROFS.
 */
#ifndef _VMPKRAM_QEMU_MANIFEST_H_
#define _VMPKRAM_QEMU_MANIFEST_H_

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "qmp.h"
#include "util.h"

#define MANIFEST_FORMAT		"vmpkram-qemu-manifest"
#define MANIFEST_VERSION	1
#define MANIFEST_SUFFIX		".manifest"
#define STATE_SUFFIX		".state"
/* Manifests beyond this are not ours. */
#define MANIFEST_MAX_SIZE	(4u << 20)

/* Wall-clock (CLOCK_REALTIME) times in ns since the epoch; 0: not yet. */
struct manifest_times {
	uint64_t launched;		/* QEMU answered QMP after launch */
	uint64_t stop_sent;		/* the shim sent "stop" */
	uint64_t stopped;		/* QEMU's STOP event: vCPUs stopped */
	uint64_t saved;			/* device state written */
	uint64_t quit;			/* QEMU exited */
	uint64_t resume_started;	/* resume began starting QEMU */
	uint64_t loaded;		/* device state loaded */
	uint64_t cont_sent;		/* the shim sent "cont" */
	uint64_t resumed;		/* QEMU's RESUME event: vCPUs run */
	uint64_t cont_done;		/* "cont" answered */
};

struct manifest {
	char name[VQ_NAME_MAX + 1];
	char state[16];			/* "running" or "saved" */
	bool persistent;		/* RAM in a file that survives kexec */
	char dir[PATH_MAX];		/* where RAM, state, manifest are */
	char pool[64];			/* the pool of dir, "" if none */
	char qemu_bin[PATH_MAX];
	struct qmp_version version;	/* from QMP query-version */
	char method[24];		/* "x-ignore-shared", "cpr-reboot" */
	char machine_requested[64];
	char machine_type[64];
	char cpu[64];
	bool cpu_host;			/* allowed with --allow-cpu-host */
	uint64_t ram_size;		/* 0: RAM is not ours (no --mem) */
	char ram_file[VQ_NAME_MAX + 1];	/* in dir */
	char backend_id[64];
	char state_file[VQ_NAME_MAX + 16];	/* in dir */
	uint64_t state_capacity;	/* its size, fixed at launch */
	uint64_t state_size;		/* bytes of the last save */
	uint64_t state_hash;		/* FNV-1a 64 of those bytes */
	char agent_path[256];		/* guest agent socket, "" none */
	struct strv args;		/* resolved QEMU arguments */
	uint32_t prefault;		/* --prefault N, 0 none */
	bool was_running;		/* the guest ran when it was saved */
	int pid;			/* QEMU, valid with boot_id */
	uint64_t pid_start;		/* its start time (/proc/PID/stat) */
	char boot_id[40];		/* /proc/sys/kernel/random/boot_id */
	char kernel_saved[65];		/* uname -r at save */
	char kernel_resumed[65];	/* uname -r at the last resume */
	uint32_t resumes;
	struct manifest_times t;
	uint64_t capacity;		/* size of the manifest file */
};

void manifest_free(struct manifest *m);

/* Pretty JSON in *@text (malloc'd).  0 or -ENOMEM. */
int manifest_to_json(const struct manifest *m, char **text);

/*
 * Parses @text into @m (zeroed first).  0, or -EBADMSG with @err saying
 * what is wrong (not JSON, not a manifest, another format version, a
 * field missing or of the wrong type).
 */
int manifest_from_json(const char *text, struct manifest *m, char *err,
		       size_t errlen);

/*
 * Creates @path (O_EXCL, or replacing with @replace) sized for @m with
 * room to grow, writes @m and returns the open descriptor (O_RDWR), or
 * -errno; -EFBIG never happens for a new file.
 */
int manifest_create(const char *path, struct manifest *m, bool replace);

/* Rewrites @m in place in @fd; -EFBIG when it no longer fits. */
int manifest_write(int fd, const struct manifest *m);

/*
 * Opens @path O_RDWR (O_RDONLY with @readonly) and parses it.  Returns
 * the descriptor, or -errno (-EBADMSG with @err for a broken manifest).
 */
int manifest_open(const char *path, bool readonly, struct manifest *m,
		  char *err, size_t errlen);

/*
 * The last downtime: from QEMU's STOP to its RESUME event when both
 * stamps exist (what the guest's vCPUs saw), else from "stop" sent to
 * "cont" answered; *@upper is always the latter (0 when unknown).
 * Returns 0 when the guest has not been resumed since its last save.
 */
uint64_t manifest_downtime(const struct manifest *m, uint64_t *upper);

#endif /* _VMPKRAM_QEMU_MANIFEST_H_ */
