/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmpkram user API: the one header shared by the kernel module, libvmpkram,
 * vmpkramctl and the selftests.
 *
 * Two channels:
 *
 *  - /dev/vmpkram, a misc character device, for calls that act on the
 *    caller's own address space (ioctls below);
 *  - the generic netlink family "vmpkram" for control, inspection and
 *    multicast events (commands and attributes below).
 *
 * Ioctl structure rules (the iommufd model):
 *
 *  - every argument struct starts with "__u32 size", the size of the struct
 *    as the caller knows it.  The kernel accepts any size from the first
 *    version of the struct up to a page; a caller built against an older
 *    header keeps working, one built against a newer header works as long
 *    as it leaves the fields this kernel does not know as zero;
 *  - all fields are fixed-width and naturally aligned, no implicit padding;
 *  - unknown bits in "flags" and non-zero "__reserved" fields are rejected;
 *  - output is written back up to min(size, kernel's size) bytes.
 *
 * Errno contract, common to every ioctl (per-call additions are listed at
 * each call):
 *
 *  ENOTTY      unknown ioctl command number
 *  EFAULT      the argument pointer (or a pointer inside it) is not
 *              accessible
 *  EINVAL      size below the first version of the struct, an unknown flag,
 *              a non-zero reserved field, or a field out of its range
 *  E2BIG       size larger than the kernel's struct and a byte past the
 *              kernel's struct is non-zero (a newer feature was asked for);
 *              also size above one page
 *  EOPNOTSUPP  a well-formed value this kernel does not support
 *  EOVERFLOW   arithmetic on the given values overflows
 *
 * Generic netlink contract:
 *
 *  - every command has its own strict policy: unknown attributes and
 *    attributes of the wrong type or length are rejected with EINVAL,
 *    values outside their range with ERANGE, each with an extended-ACK
 *    message and the offset of the offending attribute;
 *  - a non-zero "reserved" field in the genetlink header is EINVAL;
 *  - unknown commands (and notification-only ones) are EOPNOTSUPP;
 *  - a missing required attribute is rejected with EINVAL and an
 *    extended-ACK "missing attribute" report;
 *  - commands marked "admin" need CAP_SYS_ADMIN, otherwise EPERM;
 *  - resolving the family loads the module (MODULE_ALIAS_GENL_FAMILY).
 */
#ifndef _UAPI_LINUX_VMPKRAM_H
#define _UAPI_LINUX_VMPKRAM_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/const.h>

/* Bumped when a call, a struct field or an attribute is added. */
#define VMPKRAM_API_VERSION	1

#define VMPKRAM_DEVICE_NAME	"vmpkram"	/* /dev/vmpkram */

/* Upper bound on kernel workers, whatever the module parameter says. */
#define VMPKRAM_WORKERS_LIMIT	1024

/*
 * Feature bits reported by VMPKRAM_IOC_GET_API and VMPKRAM_A_FEATURES.
 * A bit is set only when the running module implements the feature.
 */
#define VMPKRAM_FEATURE_NETLINK		_BITULL(0) /* genl family + events */
#define VMPKRAM_FEATURE_PREFAULT	_BITULL(1) /* VMPKRAM_IOC_PREFAULT */

/* ------------------------------------------------------------------ */
/* ioctls on /dev/vmpkram                                              */
/* ------------------------------------------------------------------ */

/*
 * 0xBA is not claimed in Documentation/userspace-api/ioctl/ioctl-number.rst.
 * The struct size is not encoded in the command number: it travels in the
 * struct's size field, so the command stays the same as the struct grows.
 */
#define VMPKRAM_IOC_MAGIC	0xBA

/**
 * struct vmpkram_api - VMPKRAM_IOC_GET_API argument
 * @size: in, sizeof(struct vmpkram_api) as the caller knows it
 * @flags: in, must be 0
 * @api_version: out, VMPKRAM_API_VERSION of the running module
 * @__reserved: in, must be 0
 * @features: out, VMPKRAM_FEATURE_* bits
 * @max_workers: out, how many kernel workers one job may use (the
 *               vmpkram.max_workers module parameter, or its default,
 *               the number of online CPUs; at most VMPKRAM_WORKERS_LIMIT)
 * @workers_limit: out, VMPKRAM_WORKERS_LIMIT as the module was built
 *
 * Tells a caller what the running module speaks before it uses anything
 * else.  Output fields are ignored on input.
 *
 * Errors: the common contract above, nothing else.
 */
struct vmpkram_api {
	__u32 size;
	__u32 flags;
	__u32 api_version;
	__u32 __reserved;
	__aligned_u64 features;
	__u32 max_workers;
	__u32 workers_limit;
};

#define VMPKRAM_IOC_GET_API	_IO(VMPKRAM_IOC_MAGIC, 0x00)

/* struct vmpkram_prefault.flags */
#define VMPKRAM_PREFAULT_F_READ	_BITUL(0) /* populate for read only */
#define VMPKRAM_PREFAULT_F_ZERO	_BITUL(1) /* populate for write and zero */
#define VMPKRAM_PREFAULT_F_ALL	(VMPKRAM_PREFAULT_F_READ | \
				 VMPKRAM_PREFAULT_F_ZERO)

/**
 * struct vmpkram_prefault - VMPKRAM_IOC_PREFAULT argument
 * @size: in, sizeof(struct vmpkram_prefault) as the caller knows it
 * @flags: in, VMPKRAM_PREFAULT_F_*; READ and ZERO exclude each other
 * @addr: in, start of the range, page aligned
 * @len: in, length of the range, page aligned, not 0
 * @pid: in, process whose memory to populate, 0 for the caller's own.
 *       A pid other than 0 or the caller's own needs CAP_SYS_PTRACE.
 * @threads: in, workers for this call including the calling thread:
 *           0 = the module's max_workers; larger values are capped at
 *           max_workers; above VMPKRAM_WORKERS_LIMIT is EINVAL.
 *           out, the workers the job used (never more than the range
 *           has chunks); written back on failure too
 * @done: out, bytes populated (and zeroed) by this call; written back
 *        on failure too.  Chunks are processed in parallel, so after a
 *        failure the populated bytes need not be a prefix of the range.
 * @job_id: out, the job's id in netlink job dumps and events
 * @__reserved: in, must be 0
 *
 * Populates the page tables of [addr, addr + len) like
 * madvise(MADV_POPULATE_WRITE) (MADV_POPULATE_READ with
 * VMPKRAM_PREFAULT_F_READ), spreading the range over kernel workers that
 * take chunks from a shared cursor.  Chunks never split a huge page of
 * the mapping (THP 2 MiB, hugetlb 2 MiB or 1 GiB).  Contents are never
 * changed, except with VMPKRAM_PREFAULT_F_ZERO: afterwards every byte of
 * the range reads as zero (anonymous, shmem/memfd and hugetlbfs memory).
 *
 * The mmap lock of the target is taken for read, one chunk at a time, so
 * munmap() and mprotect() are never starved; a concurrent munmap makes
 * the call fail with ENOMEM, never crash.  Progress is announced on the
 * netlink "events" group (VMPKRAM_CMD_JOB_NTF).
 *
 * Errors (besides the common contract), as madvise(MADV_POPULATE_*)
 * reports the same situations:
 *  EINVAL     addr or len not page aligned, len 0, READ|ZERO, threads
 *             above VMPKRAM_WORKERS_LIMIT; or a mapping in the range is
 *             incompatible (VM_IO, VM_PFNMAP) or lacks the permission
 *             (PROT_NONE; not writable for a write/zero populate)
 *  EOVERFLOW  addr + len wraps around
 *  ENOMEM     part of the range is not mapped, or out of memory
 *  EFAULT     a fault would raise SIGBUS or SIGSEGV (e.g. beyond the end
 *             of a file, an exhausted hugetlb pool)
 *  EHWPOISON  a page in the range is poisoned
 *  EINTR      the caller got a fatal signal; workers stop at their next
 *             chunk and the call returns promptly
 *  ESRCH      pid names no process, or it exited during the call
 *  EPERM      pid names another process and the caller lacks
 *             CAP_SYS_PTRACE
 */
struct vmpkram_prefault {
	__u32 size;
	__u32 flags;
	__aligned_u64 addr;
	__aligned_u64 len;
	__u32 pid;
	__u32 threads;
	__aligned_u64 done;
	__u32 job_id;
	__u32 __reserved;
};

#define VMPKRAM_IOC_PREFAULT	_IO(VMPKRAM_IOC_MAGIC, 0x01)

/* ------------------------------------------------------------------ */
/* generic netlink family "vmpkram"                                    */
/* ------------------------------------------------------------------ */

#define VMPKRAM_GENL_NAME		"vmpkram"
#define VMPKRAM_GENL_VERSION		1
#define VMPKRAM_GENL_MCGRP_EVENTS	"events"

/**
 * enum vmpkram_cmd - generic netlink commands
 * @VMPKRAM_CMD_GET_STATUS: unprivileged, doit.  No request attributes.
 *	Replies with the status attributes: %VMPKRAM_A_API_VERSION,
 *	%VMPKRAM_A_MODULE_VERSION, %VMPKRAM_A_FEATURES,
 *	%VMPKRAM_A_MAX_WORKERS, %VMPKRAM_A_WORKERS_LIMIT,
 *	%VMPKRAM_A_NR_POOLS, %VMPKRAM_A_NR_JOBS.
 * @VMPKRAM_CMD_SET_PARAMS: admin, doit.  Changes run-time parameters;
 *	each attribute is optional but at least one is required.
 *	%VMPKRAM_A_MAX_WORKERS (0..%VMPKRAM_WORKERS_LIMIT) sets the worker
 *	cap for jobs started afterwards; 0 restores the default, one
 *	worker per online CPU.  On success the new status is sent
 *	as %VMPKRAM_CMD_STATUS_NTF to the "events" group; the reply is empty.
 * @VMPKRAM_CMD_STATUS_NTF: notification only (sent by the kernel on the
 *	"events" multicast group; rejected as a request).  Carries the same
 *	attributes as the %VMPKRAM_CMD_GET_STATUS reply.
 * @VMPKRAM_CMD_GET_JOBS: admin, dump only.  One message per running job
 *	with the job attributes (%VMPKRAM_A_JOB_*).  Admin because a job
 *	names the address range of another process.
 * @VMPKRAM_CMD_JOB_NTF: notification only, on the "events" group: a job
 *	started (state RUNNING, done 0), made progress (about twice a second
 *	while it runs) or ended (DONE, FAILED or CANCELLED, with the errno).
 *	Carries the job attributes except %VMPKRAM_A_JOB_ADDR, so that
 *	unprivileged listeners learn nothing of another process's layout.
 */
enum vmpkram_cmd {
	VMPKRAM_CMD_UNSPEC,
	VMPKRAM_CMD_GET_STATUS,
	VMPKRAM_CMD_SET_PARAMS,
	VMPKRAM_CMD_STATUS_NTF,
	VMPKRAM_CMD_GET_JOBS,
	VMPKRAM_CMD_JOB_NTF,

	__VMPKRAM_CMD_MAX,
	VMPKRAM_CMD_MAX = __VMPKRAM_CMD_MAX - 1
};

/**
 * enum vmpkram_attr - generic netlink attributes
 * @VMPKRAM_A_API_VERSION: u32, VMPKRAM_API_VERSION of the module
 * @VMPKRAM_A_MODULE_VERSION: NUL-terminated string, the module's version
 * @VMPKRAM_A_FEATURES: u64, VMPKRAM_FEATURE_* bits
 * @VMPKRAM_A_MAX_WORKERS: u32, worker cap per job (see struct vmpkram_api);
 *	in replies and events the effective value, never 0
 * @VMPKRAM_A_WORKERS_LIMIT: u32, VMPKRAM_WORKERS_LIMIT
 * @VMPKRAM_A_NR_POOLS: u32, number of persistent pools attached
 * @VMPKRAM_A_PAD: padding for 64-bit attributes, never sent alone
 * @VMPKRAM_A_NR_JOBS: u32, jobs running now (in status)
 * @VMPKRAM_A_JOB_ID: u32, job id (also returned by the ioctl)
 * @VMPKRAM_A_JOB_TYPE: u32, enum vmpkram_job_type
 * @VMPKRAM_A_JOB_STATE: u32, enum vmpkram_job_state
 * @VMPKRAM_A_JOB_CALLER_PID: u32, thread group id of the caller
 * @VMPKRAM_A_JOB_TARGET_PID: u32, thread group id whose memory it acts on
 * @VMPKRAM_A_JOB_THREADS: u32, workers the job uses, the caller included
 * @VMPKRAM_A_JOB_ADDR: u64, start of the range (job dumps only)
 * @VMPKRAM_A_JOB_LEN: u64, length of the range in bytes
 * @VMPKRAM_A_JOB_DONE: u64, bytes done so far
 * @VMPKRAM_A_JOB_ERROR: u32, positive errno a FAILED job ended with
 * @VMPKRAM_A_JOB_ELAPSED_NS: u64, time since the job started
 */
enum vmpkram_attr {
	VMPKRAM_A_UNSPEC,
	VMPKRAM_A_API_VERSION,
	VMPKRAM_A_MODULE_VERSION,
	VMPKRAM_A_FEATURES,
	VMPKRAM_A_MAX_WORKERS,
	VMPKRAM_A_WORKERS_LIMIT,
	VMPKRAM_A_NR_POOLS,
	VMPKRAM_A_PAD,
	VMPKRAM_A_NR_JOBS,
	VMPKRAM_A_JOB_ID,
	VMPKRAM_A_JOB_TYPE,
	VMPKRAM_A_JOB_STATE,
	VMPKRAM_A_JOB_CALLER_PID,
	VMPKRAM_A_JOB_TARGET_PID,
	VMPKRAM_A_JOB_THREADS,
	VMPKRAM_A_JOB_ADDR,
	VMPKRAM_A_JOB_LEN,
	VMPKRAM_A_JOB_DONE,
	VMPKRAM_A_JOB_ERROR,
	VMPKRAM_A_JOB_ELAPSED_NS,

	__VMPKRAM_A_MAX,
	VMPKRAM_A_MAX = __VMPKRAM_A_MAX - 1
};

/**
 * enum vmpkram_job_type - what a job does (%VMPKRAM_A_JOB_TYPE)
 * @VMPKRAM_JOB_PREFAULT_WRITE: VMPKRAM_IOC_PREFAULT, for write
 * @VMPKRAM_JOB_PREFAULT_READ: VMPKRAM_IOC_PREFAULT with F_READ
 * @VMPKRAM_JOB_ZERO: VMPKRAM_IOC_PREFAULT with F_ZERO
 */
enum vmpkram_job_type {
	VMPKRAM_JOB_PREFAULT_WRITE = 1,
	VMPKRAM_JOB_PREFAULT_READ,
	VMPKRAM_JOB_ZERO,
};

/**
 * enum vmpkram_job_state - %VMPKRAM_A_JOB_STATE
 * @VMPKRAM_JOB_RUNNING: workers are on it
 * @VMPKRAM_JOB_DONE: every byte done
 * @VMPKRAM_JOB_FAILED: stopped on an error (%VMPKRAM_A_JOB_ERROR)
 * @VMPKRAM_JOB_CANCELLED: the caller got a fatal signal
 */
enum vmpkram_job_state {
	VMPKRAM_JOB_RUNNING = 1,
	VMPKRAM_JOB_DONE,
	VMPKRAM_JOB_FAILED,
	VMPKRAM_JOB_CANCELLED,
};

#endif /* _UAPI_LINUX_VMPKRAM_H */
