/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QEMU command lines: what vmpkram-qemu accepts, what it refuses, and the
 * argument list it resolves (pure functions, unit tested).
 *
 * A guest whose RAM lives in a file of its own (launch --mem) must come
 * back after a restart of QEMU with the same RAM blocks, sizes and machine
 * type, and nothing of its memory may live anywhere else.  So:
 *   - its RAM is one memory-backend-file, share=on, of the --mem size,
 *     the machine's memory-backend (added here, or the caller's own when
 *     it names the guest's RAM file with share=on and the same size);
 *   - no other memory backend, no -mem-path, no -mem-prealloc, no VFIO;
 *   - -m, when given, says the same size;
 *   - a machine alias (q35, pc) becomes the versioned type it stands for
 *     in this QEMU (pc-q35-7.2): the next QEMU of the same version gets
 *     the same machine even if its aliases moved;
 *   - -cpu host (or max) changes with the host kernel's KVM: refused
 *     unless allowed, then recorded with a warning.
 * Always refused, because the shim owns them: -incoming, -daemonize,
 * -pidfile, -loadvm, -preconfig; -readconfig (a file the checks cannot
 * see).
 */
#ifndef _VMPKRAM_QEMU_QARGS_H_
#define _VMPKRAM_QEMU_QARGS_H_

#include <stdbool.h>
#include <stdint.h>

#include "qmp.h"
#include "util.h"

#define QARGS_MAX_WARNINGS	8

struct qargs_in {
	char *const *argv;		/* the caller's QEMU arguments */
	int argc;
	uint64_t mem;			/* --mem; 0: RAM is the caller's own */
	const char *ram_path;		/* the guest's RAM file, with mem */
	const char *backend_id;		/* id for the backend added here */
	bool allow_cpu_host;
	const char *machine_help;	/* "QEMU -machine help", with mem */
};

struct qargs_out {
	struct strv args;		/* the resolved arguments */
	char machine_requested[64];	/* as given; "" for QEMU's default */
	char machine_type[64];		/* resolved (with mem) */
	char cpu[64];			/* -cpu model, "" for the default */
	bool cpu_host;			/* host or max */
	bool paused;			/* -S given */
	char backend_id[64];		/* the machine's RAM backend (with mem) */
	uint64_t m_size;		/* -m in bytes, 0 when not given */
	char agent_path[256];		/* guest agent socket QEMU listens on */
	char warnings[QARGS_MAX_WARNINGS][256];
	int nr_warnings;
	char error[512];
};

/*
 * Checks @in and fills @out.  0, -EINVAL with out->error saying what is
 * refused and why, or -ENOMEM.  qargs_free() @out in every case.
 */
int qargs_resolve(const struct qargs_in *in, struct qargs_out *out);
void qargs_free(struct qargs_out *out);

/*
 * The machine type @requested ("" or NULL: the default) stands for in
 * @help, the output of "QEMU -machine help": an alias becomes its
 * versioned type.  0, or -ENOENT when @help does not list it.
 */
int qemu_machine_resolve(const char *help, const char *requested,
			 char *type, size_t size);

/*
 * A size as QEMU's -m takes it: a number (a fraction allowed) with an
 * optional suffix K, M, G, T (binary, either case, an optional B); no
 * suffix means MiB.  0, -EINVAL or -ERANGE.
 */
int qemu_parse_size(const char *s, bool default_mib, uint64_t *out);

/*
 * The first line of "QEMU --version": "QEMU emulator version 7.2.22
 * (Debian 1:7.2+dfsg-7+deb12u18+b3)".  0 or -EINVAL.
 */
int qemu_parse_version(const char *text, struct qmp_version *v);

/* One key=value list as QEMU parses it (",," is a literal comma). */
struct qopts {
	int n;
	char *key[64];
	char *val[64];
};

/*
 * Splits @s; a first element without '=' gets @implied as its key (NULL:
 * such an element is refused).  0, -EINVAL or -ENOMEM; qopts_free() in
 * every case.
 */
int qopts_parse(const char *s, const char *implied, struct qopts *o);
const char *qopts_get(const struct qopts *o, const char *key);
void qopts_free(struct qopts *o);

/* on/off, yes/no, true/false, y/n: 1, 0, or -EINVAL. */
int qemu_bool(const char *s);

#endif /* _VMPKRAM_QEMU_QARGS_H_ */
