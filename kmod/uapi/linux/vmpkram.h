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
 *  - commands marked "admin" need CAP_SYS_ADMIN, otherwise EPERM; the
 *    policy is checked first, so a malformed admin request from an
 *    unprivileged caller gets the policy's EINVAL or ERANGE instead;
 *  - resolving the family loads the module (MODULE_ALIAS_GENL_FAMILY).
 */
#ifndef _UAPI_LINUX_VMPKRAM_H
#define _UAPI_LINUX_VMPKRAM_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/const.h>

/*
 * Bumped when a call, a struct field or an attribute is added, or when a
 * documented behaviour changes.  3: VMPKRAM_PREFAULT_F_MEM_FD; a pid other
 * than the caller's own is EPERM, whatever the caller's capabilities.
 * 4: VMPKRAM_A_POOL_LAYOUT, VMPKRAM_CMD_POOL_CHECK, VMPKRAM_CMD_POOL_REPAIR.
 */
#define VMPKRAM_API_VERSION	4

#define VMPKRAM_DEVICE_NAME	"vmpkram"	/* /dev/vmpkram */

/* Upper bound on kernel workers, whatever the module parameter says. */
#define VMPKRAM_WORKERS_LIMIT	1024

/*
 * Feature bits reported by VMPKRAM_IOC_GET_API and VMPKRAM_A_FEATURES.
 * A bit is set only when the running module implements the feature.
 */
#define VMPKRAM_FEATURE_NETLINK		_BITULL(0) /* genl family + events */
#define VMPKRAM_FEATURE_PREFAULT	_BITULL(1) /* VMPKRAM_IOC_PREFAULT */
#define VMPKRAM_FEATURE_POOL		_BITULL(2) /* persistent pools */
#define VMPKRAM_FEATURE_VMPKRAMFS	_BITULL(3) /* the vmpkramfs filesystem */
/*
 * vmpkramfs mappings take 1 GiB entries: only where the kernel handles
 * huge device PUD entries in every path that changes a mapping
 * (Documentation/vmpkramfs.rst, "Mapping sizes"); without it they take
 * 2 MiB entries at most.
 */
#define VMPKRAM_FEATURE_MAP_1G		_BITULL(4)
/*
 * Every page-table walker of the kernel leaves vmpkramfs's 2 MiB entries
 * alone.  Without it (6.1), MADV_COLD and MADV_PAGEOUT over a 2 MiB entry
 * make the kernel log "bad pmd" and drop the entry (the data stays, the
 * next access faults it back); the module then flushes every CPU's TLB
 * before the blocks of a punch, a shrink or a delete can be reused
 * (Documentation/vmpkramfs.rst, "Mapping sizes").
 */
#define VMPKRAM_FEATURE_PMD_WALK	_BITULL(5)

/* ------------------------------------------------------------------ */
/* persistent pools and vmpkramfs: limits                              */
/* ------------------------------------------------------------------ */

/*
 * A pool is a physical range reserved at boot (memmap=SIZE$ADDR) and named
 * on the module's command line (vmpkram.pool=[NAME:]SIZE@ADDR[,...]) or
 * attached at run time (VMPKRAM_CMD_POOL_ATTACH).  Its memory is handed
 * out to vmpkramfs files in blocks of VMPKRAM_POOL_BLOCK_SIZE; the first
 * blocks hold the metadata (Documentation/pool-layout.rst).
 */
#define VMPKRAM_POOL_NAME_MAX	31		/* bytes, without the NUL */
#define VMPKRAM_POOL_BLOCK_SIZE	(2ULL << 20)	/* allocation unit, alignment */
#define VMPKRAM_POOL_MIN_SIZE	(4ULL << 20)	/* metadata + one data block */
#define VMPKRAM_POOL_MAX_SIZE	(4ULL << 40)	/* 4 TiB */
#define VMPKRAM_POOL_MAX_FILES	1024		/* files per pool */

#define VMPKRAMFS_NAME		"vmpkramfs"	/* mount -t vmpkramfs */
#define VMPKRAMFS_MAGIC		0x766d706bU	/* statfs f_type, "vmpk" */
#define VMPKRAMFS_NAME_MAX	255		/* bytes in a file name */

/*
 * vmpkramfs: mount -t vmpkramfs -o pool=NAME[,uid=U][,gid=G][,mode=OCTAL]
 * none DIR.  One flat directory of regular files whose names, sizes,
 * owners, modes, times and contents live in the pool and survive kexec.
 * The root directory's owner and mode come from the mount options
 * (default root:root 0755) and are not persisted.
 *
 * Namespace changes, attribute changes and every size change that takes
 * or returns blocks are committed to the pool before the call returns.
 * A size change inside a file's last block (small appends) and the times
 * write() sets are committed by the next such change, fsync(), syncfs(),
 * unmount, seal, or when the system starts to reboot or kexec.
 *
 * Files are always fully backed: growing a file (ftruncate, write past the
 * end, fallocate) takes whole blocks from the pool at once, so running out
 * of space is ENOSPC at that call, never a SIGBUS later.  The exception is
 * a hole punched with FALLOC_FL_PUNCH_HOLE: it reads zero (through
 * mappings too: a read fault maps the zero page and takes no block), but
 * writing it takes a block again, so a write fault on it is SIGBUS when
 * the pool is full or sealed, where write() is ENOSPC or EROFS.  Every
 * byte a file gets reads as zero until written: freed blocks are scrubbed
 * before reuse, and after any size change the bytes past the end of file
 * in its last block read zero, through mappings too.
 * O_DIRECT is accepted (there is no page cache); splice, sendfile and
 * copy_file_range() copy through read() and write().
 *
 * Errors, besides what any filesystem returns:
 *  mount:  EINVAL  no or bad pool= option, unknown option
 *          ENODEV  no pool of that name
 *          EUCLEAN the pool is UNFORMATTED or DAMAGED (see
 *                  VMPKRAM_A_POOL_STATE_REASON; format it first)
 *  ENOSPC       no free blocks for the size asked, or the file table is
 *               full (%VMPKRAM_POOL_MAX_FILES)
 *  EFBIG        a size beyond the pool's data size
 *  ENAMETOOLONG a name longer than %VMPKRAMFS_NAME_MAX
 *  EROFS        a metadata change (create, unlink, rename, chmod, chown,
 *               a size change, freeing or filling a punched hole) while the
 *               pool is sealed, or after the system started to kexec or
 *               reboot
 *  EPERM        mkdir, mknod, symlink, link: only regular files exist
 *  EINVAL       mmap without MAP_SHARED; rename flags other than
 *               RENAME_NOREPLACE
 *  EOPNOTSUPP   fallocate modes other than 0, FALLOC_FL_KEEP_SIZE inside
 *               the file and FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
 *  EIO          read() or write() of a poisoned page (known, or a machine
 *               check during the copy); what came before it is returned
 */

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
/* The target is the process of mem_fd, a descriptor of /proc/PID/mem (API 3) */
#define VMPKRAM_PREFAULT_F_MEM_FD	_BITUL(2)
#define VMPKRAM_PREFAULT_F_ALL	(VMPKRAM_PREFAULT_F_READ | \
				 VMPKRAM_PREFAULT_F_ZERO | \
				 VMPKRAM_PREFAULT_F_MEM_FD)

/**
 * struct vmpkram_prefault - VMPKRAM_IOC_PREFAULT argument
 * @size: in, sizeof(struct vmpkram_prefault) as the caller knows it
 * @flags: in, VMPKRAM_PREFAULT_F_*; READ and ZERO exclude each other
 * @addr: in, start of the range, page aligned
 * @len: in, length of the range, page aligned, not 0
 * @pid: in, 0 or the caller's own thread group id: the caller's memory.
 *       With VMPKRAM_PREFAULT_F_MEM_FD, 0 or the thread group id of the
 *       process mem_fd belongs to (a check, and what job dumps and
 *       events show as its target; 0 shows 0 there).  Another pid
 *       without F_MEM_FD is EPERM (see below).
 * @threads: in, workers for this call including the calling thread:
 *           0 = the module's max_workers; larger values are capped at
 *           max_workers; above VMPKRAM_WORKERS_LIMIT is EINVAL.  Kernel
 *           workers run outside the caller's CPU cgroup, so a caller
 *           without CAP_SYS_RESOURCE gets 1: all the work is done in
 *           its own thread.
 *           out, the workers the job used (never more than the range
 *           has chunks); written back on failure too
 * @done: out, bytes populated (and zeroed) by this call; written back
 *        on failure too.  Chunks are processed in parallel, so after a
 *        failure the populated bytes need not be a prefix of the range.
 * @job_id: out, the job's id in netlink job dumps and events
 * @mem_fd: in, with VMPKRAM_PREFAULT_F_MEM_FD a descriptor of
 *          /proc/PID/mem (or /proc/PID/task/TID/mem) of the process to
 *          act on, open for writing (for reading with F_READ); must be 0
 *          without the flag (it was __reserved before API 3)
 *
 * Populates the page tables of [addr, addr + len) like
 * madvise(MADV_POPULATE_WRITE) (MADV_POPULATE_READ with
 * VMPKRAM_PREFAULT_F_READ), spreading the range over kernel workers that
 * take chunks from a shared cursor.  Chunks never split a huge page of
 * the mapping (THP 2 MiB, hugetlb 2 MiB or 1 GiB).  Contents are never
 * changed, except with VMPKRAM_PREFAULT_F_ZERO: afterwards every byte of
 * the range reads as zero, in any mapping a write populate accepts.
 * Zeroing writes the way process_vm_writev() does: each page is pinned
 * (FOLL_PIN) while it is cleared and marked dirty when it is released, so
 * on a shared mapping of a file on a disk filesystem the zeroes reach the
 * file at its next writeback, exactly as if the process had written them.
 *
 * Memory the call allocates (page tables, the job) is charged to the
 * caller's memory cgroup, pages faulted in to the target's, whichever
 * thread does the work.
 *
 * Another process: its /proc/PID/mem, opened by the caller (or by anyone
 * who hands the descriptor over), is the permission.  Opening it runs the
 * kernel's own check, ptrace_may_access(PTRACE_MODE_ATTACH): the uid and
 * dumpable rules, CAP_SYS_PTRACE in the target's user namespace, and the
 * LSMs (Yama's kernel.yama.ptrace_scope, SELinux, AppArmor), which the
 * module cannot call itself (neither ptrace_may_access() nor mm_access()
 * is exported to modules).  It is the check process_vm_writev() makes
 * with the opener's credentials at open time, except that it compares the
 * fs uid/gid and the effective capabilities (PTRACE_MODE_FSCREDS) where
 * process_vm_writev() compares the real ones; they differ only for a
 * caller whose fs or effective ids differ from its real ones.  The call
 * then does nothing that pread()/pwrite() on the same descriptor could
 * not (those even write read-only mappings, FOLL_FORCE; this never
 * does).  A process that exec'd since the open is gone: ESRCH.  A bare
 * pid is not enough: up to API 2 a pid with CAP_SYS_PTRACE was, which
 * bypassed the LSMs and refused a container's root its own processes.
 *
 * The mmap lock of the target is taken for read, one chunk at a time, so
 * munmap() and mprotect() are never starved; a concurrent munmap makes
 * the call fail with ENOMEM, never crash.  Progress is announced on the
 * netlink "events" group (VMPKRAM_CMD_JOB_NTF).
 *
 * Errors (besides the common contract), as madvise(MADV_POPULATE_*)
 * reports the same situations:
 *  EINVAL     addr or len not page aligned, len 0, READ|ZERO, threads
 *             above VMPKRAM_WORKERS_LIMIT, mem_fd not 0 without
 *             F_MEM_FD; or a mapping in the range is
 *             incompatible (VM_IO, VM_PFNMAP) or lacks the permission
 *             (PROT_NONE; not writable for a write/zero populate)
 *  EOVERFLOW  addr + len wraps around
 *  ENOMEM     part of the range is not mapped, or out of memory
 *  EFAULT     a fault would raise SIGBUS or SIGSEGV (e.g. beyond the end
 *             of a file, an exhausted hugetlb pool)
 *  EHWPOISON  a page in the range is poisoned
 *  EINTR      the caller got a fatal signal; the call returns at once,
 *             workers stop at their next chunk (one stuck in a fault,
 *             e.g. a userfaultfd nobody answers, stays until the fault
 *             is resolved, holding the module in use)
 *  ESRCH      the target exited (or exec'd) before or during the call;
 *             with F_MEM_FD, pid is not the process of mem_fd
 *  EPERM      pid names another process without F_MEM_FD (API 3: always;
 *             API 2 allowed it with CAP_SYS_PTRACE)
 *  EBADF      F_MEM_FD and mem_fd is not an open descriptor of a
 *             /proc/PID/mem, or not open for writing (reading for F_READ)
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
	__s32 mem_fd;
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
 *	%VMPKRAM_A_NR_POOLS, %VMPKRAM_A_NR_JOBS, %VMPKRAM_A_FAULTS_PTE,
 *	%VMPKRAM_A_FAULTS_PMD, %VMPKRAM_A_FAULTS_PUD.
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
 *
 * Pool commands are all admin: they name physical addresses.  A pool is
 * named by %VMPKRAM_A_POOL_NAME; commands that take an optional name act
 * on every pool when it is absent.  Pool replies and events carry the
 * pool attributes (%VMPKRAM_A_POOL_*).  Errors, besides the common ones:
 *  ENODEV      no pool of that name
 *  EEXIST      attach: a pool of that name exists
 *  EAGAIN      detach: pages of the pool are still held by a
 *              get_user_pages() user (O_DIRECT in flight, a pipe holding
 *              vmsplice'd pages); retry when they are released
 *  EBUSY       attach: the range overlaps another pool or is claimed by
 *              another driver; format, detach: the pool is mounted
 *  EINVAL      attach: name, size or address invalid (not a multiple of
 *              %VMPKRAM_POOL_BLOCK_SIZE, outside MIN..MAX_SIZE)
 *  EADDRNOTAVAIL attach: the range overlaps System RAM or is not entirely
 *              reserved (memmap=SIZE$ADDR missing on the command line)
 *  EUCLEAN     seal or unseal of a pool whose metadata is not usable
 *              (state UNFORMATTED or DAMAGED); format it first; repair
 *              of a pool that cannot be repaired (POOL_CHECK says why)
 *  EPERM       attach, format: a range that vmpkram.pool= did not name
 *              when the module was loaded is raw physical memory, as
 *              /dev/mem is: it needs CAP_SYS_RAWIO too, and is refused
 *              under kernel lockdown (LOCKDOWN_DEV_MEM)
 *  EBUSY       also repair: the pool is mounted
 *  EROFS       format, seal, unseal, repair: the system has started to
 *              reboot or kexec
 *  ENOMEM      out of memory
 *
 * @VMPKRAM_CMD_POOL_GET: admin, doit and dump.  doit: the pool named by
 *	the required %VMPKRAM_A_POOL_NAME; dump: every pool.
 * @VMPKRAM_CMD_POOL_ATTACH: admin, doit.  %VMPKRAM_A_POOL_NAME,
 *	%VMPKRAM_A_POOL_BASE and %VMPKRAM_A_POOL_SIZE required.  Checks and
 *	claims the range and adopts valid metadata found there, like a pool
 *	given on the command line.  A pool whose metadata is missing or
 *	unusable is still attached, in state UNFORMATTED or DAMAGED with the
 *	reason, and is never formatted implicitly.  Replies with the pool.
 * @VMPKRAM_CMD_POOL_DETACH: admin, doit.  %VMPKRAM_A_POOL_NAME required.
 *	Stops background scrubbing, commits the metadata (marked clean if
 *	no free block was left to scrub, so the next owner need not scrub
 *	again) and releases the range.  The memory keeps its contents.
 * @VMPKRAM_CMD_POOL_FORMAT: admin, doit.  %VMPKRAM_A_POOL_NAME required.
 *	Writes fresh, empty metadata with a new UUID; every data block is
 *	scrubbed (zeroed) in the background before it is handed out.
 *	Destroys every file of the pool.  Replies with the pool.
 * @VMPKRAM_CMD_POOL_SEAL: admin, doit.  %VMPKRAM_A_POOL_NAME optional.
 *	Prepares for kexec: waits for scrubbing (not for blocks whose pages
 *	are still pinned: then the pool is not recorded clean and the next
 *	kernel scrubs its free space again), records the seal time, and
 *	refuses further metadata changes (EROFS) until unsealed.  File
 *	contents stay writable.  Replies with
 *	%VMPKRAM_A_POOL_CMDLINE: the kernel command-line parameters the next
 *	kernel needs for the pools (all attached pools when no name is given,
 *	whatever their state, so that none is handed to the next kernel as
 *	free RAM).  A request that fails (a pool that cannot be sealed,
 *	EINTR, the reply not sent) unseals the pools it sealed.
 * @VMPKRAM_CMD_POOL_UNSEAL: admin, doit.  %VMPKRAM_A_POOL_NAME optional.
 *	Allows metadata changes again.  Unsealing a pool that is not sealed
 *	is not an error.
 * @VMPKRAM_CMD_POOL_NTF: notification only, on the "events" group: the
 *	pool attributes except %VMPKRAM_A_POOL_BASE (any user may listen,
 *	and physical addresses are for admins: in
 *	%VMPKRAM_A_POOL_STATE_REASON every "0x..." number reads "[address]"),
 *	and %VMPKRAM_A_POOL_EVENT.
 * @VMPKRAM_CMD_GET_FILES: admin, dump only.  %VMPKRAM_A_POOL_NAME
 *	required.  One message per file with the file attributes
 *	(%VMPKRAM_A_FILE_*) and a %VMPKRAM_A_FILE_EXTENTS nest; a file with
 *	more extents than fit in one message continues in the next messages,
 *	which repeat its name and inode number.  Files deleted but still open
 *	are listed with %VMPKRAM_FILE_F_ORPHAN and no name.  When files
 *	change while a dump is in progress, the messages built after the
 *	change carry NLM_F_DUMP_INTR (dump again for a consistent list); a
 *	file that shrank or was deleted meanwhile is not continued, a file
 *	that took its place is sent from its start, and the dump still ends.
 * @VMPKRAM_CMD_POOL_CHECK: admin, doit.  %VMPKRAM_A_POOL_NAME required.
 *	Reads both metadata slots of the pool, whatever its state, and
 *	replies with %VMPKRAM_A_POOL_NAME, %VMPKRAM_A_POOL_STATE, one
 *	%VMPKRAM_A_CHECK_SLOT per slot (each check and its result) and
 *	what a repair would do: %VMPKRAM_A_REPAIR_ACTION,
 *	%VMPKRAM_A_REPAIR_SLOT, %VMPKRAM_A_REPAIR_TEXT,
 *	%VMPKRAM_A_REPAIR_KEPT, %VMPKRAM_A_REPAIR_DROPPED and the dropped
 *	files (%VMPKRAM_A_REPAIR_FILE).  Writes nothing to the pool; holds
 *	the pool's lock while it reads (file operations wait).
 * @VMPKRAM_CMD_POOL_REPAIR: admin, doit.  %VMPKRAM_A_POOL_NAME required.
 *	Repairs a DAMAGED pool as %VMPKRAM_CMD_POOL_CHECK plans it and
 *	replies with the same attributes, for what was done: adopts the
 *	newest slot that passes every check and rewrites the other from it,
 *	or, when none does, keeps the files whose entries and blocks are
 *	consistent and drops the rest (each named in the kernel log).  Both
 *	slots are rewritten, the one not started from first; the pool is
 *	then READY and its free blocks are scrubbed again; a
 *	%VMPKRAM_POOL_EV_REPAIRED event follows.  A pool that is not
 *	DAMAGED is left alone (action NONE, success).  EUCLEAN when the
 *	pool cannot be repaired: no vmpkram metadata, metadata of another
 *	address or size, a layout this module does not write, the slots of
 *	two pools, no usable superblock.  Never done implicitly.
 */
enum vmpkram_cmd {
	VMPKRAM_CMD_UNSPEC,
	VMPKRAM_CMD_GET_STATUS,
	VMPKRAM_CMD_SET_PARAMS,
	VMPKRAM_CMD_STATUS_NTF,
	VMPKRAM_CMD_GET_JOBS,
	VMPKRAM_CMD_JOB_NTF,
	VMPKRAM_CMD_POOL_GET,
	VMPKRAM_CMD_POOL_ATTACH,
	VMPKRAM_CMD_POOL_DETACH,
	VMPKRAM_CMD_POOL_FORMAT,
	VMPKRAM_CMD_POOL_SEAL,
	VMPKRAM_CMD_POOL_UNSEAL,
	VMPKRAM_CMD_POOL_NTF,
	VMPKRAM_CMD_GET_FILES,
	VMPKRAM_CMD_POOL_CHECK,
	VMPKRAM_CMD_POOL_REPAIR,

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
 * @VMPKRAM_A_POOL_NAME: string, 1..%VMPKRAM_POOL_NAME_MAX bytes of
 *	[A-Za-z0-9_-]
 * @VMPKRAM_A_POOL_BASE: u64, physical start address
 * @VMPKRAM_A_POOL_SIZE: u64, bytes
 * @VMPKRAM_A_POOL_STATE: u32, enum vmpkram_pool_state
 * @VMPKRAM_A_POOL_STATE_REASON: string, why the pool is UNFORMATTED or
 *	DAMAGED, and what to do; absent otherwise.  Physical addresses in it
 *	are hexadecimal "0x..." numbers, masked in events
 * @VMPKRAM_A_POOL_UUID: binary, 16 bytes, set when formatted
 * @VMPKRAM_A_POOL_GENERATION: u64, metadata generation: every committed
 *	metadata update, including adoption by a new kernel, advances it
 * @VMPKRAM_A_POOL_CLEAN: u32, 1 if the last kernel sealed or detached the
 *	pool cleanly before this kernel adopted it
 * @VMPKRAM_A_POOL_SEAL_TIME: u64, CLOCK_REALTIME ns of the last seal, 0
 *	if never sealed
 * @VMPKRAM_A_POOL_BLOCK_SIZE: u32, allocation unit in bytes
 * @VMPKRAM_A_POOL_DATA_SIZE: u64, bytes available to files (the pool
 *	minus its metadata)
 * @VMPKRAM_A_POOL_USED: u64, bytes held by files (deleted-but-open too)
 * @VMPKRAM_A_POOL_FREE: u64, bytes not held by files (scrubbed or not)
 * @VMPKRAM_A_POOL_SCRUB_PENDING: u64, free bytes still to be zeroed
 * @VMPKRAM_A_POOL_LARGEST_FREE: u64, largest run of free blocks in bytes
 * @VMPKRAM_A_POOL_NR_FILES: u32, files (deleted-but-open too)
 * @VMPKRAM_A_POOL_MAX_FILES: u32, %VMPKRAM_POOL_MAX_FILES
 * @VMPKRAM_A_POOL_MOUNTED: u32, 1 while a vmpkramfs is mounted on it
 * @VMPKRAM_A_POOL_CMDLINE: string, kernel command-line parameters (seal
 *	replies)
 * @VMPKRAM_A_POOL_EVENT: u32, enum vmpkram_pool_event (events)
 * @VMPKRAM_A_FILE_NAME: string, file name in the vmpkramfs root
 * @VMPKRAM_A_FILE_INO: u64, inode number (stable across kexec)
 * @VMPKRAM_A_FILE_SIZE: u64, bytes
 * @VMPKRAM_A_FILE_MODE: u32, st_mode
 * @VMPKRAM_A_FILE_UID: u32, owner in the initial user namespace
 * @VMPKRAM_A_FILE_GID: u32, group in the initial user namespace
 * @VMPKRAM_A_FILE_MTIME_NS: u64, CLOCK_REALTIME ns of the last change
 * @VMPKRAM_A_FILE_FLAGS: u32, VMPKRAM_FILE_F_*
 * @VMPKRAM_A_FILE_EXTENTS: nest of %VMPKRAM_A_EXTENT entries, in file
 *	offset order
 * @VMPKRAM_A_EXTENT: nest of %VMPKRAM_A_EXTENT_* for one physically
 *	contiguous extent
 * @VMPKRAM_A_EXTENT_OFFSET: u64, file offset of the extent
 * @VMPKRAM_A_EXTENT_PHYS: u64, physical address
 * @VMPKRAM_A_EXTENT_LEN: u64, bytes (a multiple of the block size)
 * @VMPKRAM_A_FAULTS_PTE: u64, 4 KiB entries faulted into vmpkramfs
 *	mappings since the module was loaded (in status)
 * @VMPKRAM_A_FAULTS_PMD: u64, 2 MiB entries, likewise
 * @VMPKRAM_A_FAULTS_PUD: u64, 1 GiB entries, likewise
 * @VMPKRAM_A_POOL_BAD: u64, bytes of blocks withdrawn for good after a
 *	memory failure (counted in %VMPKRAM_A_POOL_USED, never free again)
 * @VMPKRAM_A_POOL_LAYOUT: u32, the layout version of the pool's metadata
 *	(Documentation/pool-layout.rst), when it is READY or SEALED
 * @VMPKRAM_A_CHECK_SLOT: nest, one per metadata slot in check and repair
 *	replies: %VMPKRAM_A_SLOT_INDEX, %VMPKRAM_A_SLOT_STATUS,
 *	%VMPKRAM_A_SLOT_GENERATION, %VMPKRAM_A_SLOT_COMMIT_SEQ,
 *	%VMPKRAM_A_SLOT_LAYOUT and one %VMPKRAM_A_SLOT_CHECK per check
 * @VMPKRAM_A_SLOT_INDEX: u32, 0 or 1
 * @VMPKRAM_A_SLOT_STATUS: u32, enum vmpkram_slot_status
 * @VMPKRAM_A_SLOT_GENERATION: u64, the generation its superblock names
 *	(as read, checked or not)
 * @VMPKRAM_A_SLOT_COMMIT_SEQ: u64, its commit sequence (generation << 1,
 *	bit 0 set once the commit was complete), as read
 * @VMPKRAM_A_SLOT_LAYOUT: u32, the layout version its superblock names,
 *	as read
 * @VMPKRAM_A_SLOT_CHECK: nest, one check of the slot, in the order they
 *	run: %VMPKRAM_A_CHECK_NAME, %VMPKRAM_A_CHECK_RESULT and, for a failed
 *	check, %VMPKRAM_A_CHECK_DETAIL
 * @VMPKRAM_A_CHECK_NAME: string, e.g. "superblock checksum", "file table"
 *	(the list is in Documentation/pool-layout.rst)
 * @VMPKRAM_A_CHECK_RESULT: u32, enum vmpkram_check_result
 * @VMPKRAM_A_CHECK_DETAIL: string, what failed
 * @VMPKRAM_A_REPAIR_ACTION: u32, enum vmpkram_repair_action: what a repair
 *	would do (check) or did (repair)
 * @VMPKRAM_A_REPAIR_SLOT: u32, the slot a repair starts from (adopt and
 *	salvage)
 * @VMPKRAM_A_REPAIR_TEXT: string, the plan or why there is none
 * @VMPKRAM_A_REPAIR_KEPT: u32, files a repair keeps
 * @VMPKRAM_A_REPAIR_DROPPED: u32, files a repair drops
 * @VMPKRAM_A_REPAIR_FILE: nest, one dropped file: %VMPKRAM_A_FILE_NAME
 *	(absent when the name itself is damaged), %VMPKRAM_A_FILE_INO and
 *	%VMPKRAM_A_REPAIR_REASON; at most 32 are listed
 * @VMPKRAM_A_REPAIR_REASON: string, why the file is dropped
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
	VMPKRAM_A_POOL_NAME,
	VMPKRAM_A_POOL_BASE,
	VMPKRAM_A_POOL_SIZE,
	VMPKRAM_A_POOL_STATE,
	VMPKRAM_A_POOL_STATE_REASON,
	VMPKRAM_A_POOL_UUID,
	VMPKRAM_A_POOL_GENERATION,
	VMPKRAM_A_POOL_CLEAN,
	VMPKRAM_A_POOL_SEAL_TIME,
	VMPKRAM_A_POOL_BLOCK_SIZE,
	VMPKRAM_A_POOL_DATA_SIZE,
	VMPKRAM_A_POOL_USED,
	VMPKRAM_A_POOL_FREE,
	VMPKRAM_A_POOL_SCRUB_PENDING,
	VMPKRAM_A_POOL_LARGEST_FREE,
	VMPKRAM_A_POOL_NR_FILES,
	VMPKRAM_A_POOL_MAX_FILES,
	VMPKRAM_A_POOL_MOUNTED,
	VMPKRAM_A_POOL_CMDLINE,
	VMPKRAM_A_POOL_EVENT,
	VMPKRAM_A_FILE_NAME,
	VMPKRAM_A_FILE_INO,
	VMPKRAM_A_FILE_SIZE,
	VMPKRAM_A_FILE_MODE,
	VMPKRAM_A_FILE_UID,
	VMPKRAM_A_FILE_GID,
	VMPKRAM_A_FILE_MTIME_NS,
	VMPKRAM_A_FILE_FLAGS,
	VMPKRAM_A_FILE_EXTENTS,
	VMPKRAM_A_EXTENT,
	VMPKRAM_A_EXTENT_OFFSET,
	VMPKRAM_A_EXTENT_PHYS,
	VMPKRAM_A_EXTENT_LEN,
	VMPKRAM_A_FAULTS_PTE,
	VMPKRAM_A_FAULTS_PMD,
	VMPKRAM_A_FAULTS_PUD,
	VMPKRAM_A_POOL_BAD,
	VMPKRAM_A_POOL_LAYOUT,
	VMPKRAM_A_CHECK_SLOT,
	VMPKRAM_A_SLOT_INDEX,
	VMPKRAM_A_SLOT_STATUS,
	VMPKRAM_A_SLOT_GENERATION,
	VMPKRAM_A_SLOT_COMMIT_SEQ,
	VMPKRAM_A_SLOT_LAYOUT,
	VMPKRAM_A_SLOT_CHECK,
	VMPKRAM_A_CHECK_NAME,
	VMPKRAM_A_CHECK_RESULT,
	VMPKRAM_A_CHECK_DETAIL,
	VMPKRAM_A_REPAIR_ACTION,
	VMPKRAM_A_REPAIR_SLOT,
	VMPKRAM_A_REPAIR_TEXT,
	VMPKRAM_A_REPAIR_KEPT,
	VMPKRAM_A_REPAIR_DROPPED,
	VMPKRAM_A_REPAIR_FILE,
	VMPKRAM_A_REPAIR_REASON,

	__VMPKRAM_A_MAX,
	VMPKRAM_A_MAX = __VMPKRAM_A_MAX - 1
};

/**
 * enum vmpkram_job_type - what a job does (%VMPKRAM_A_JOB_TYPE)
 * @VMPKRAM_JOB_PREFAULT_WRITE: VMPKRAM_IOC_PREFAULT, for write
 * @VMPKRAM_JOB_PREFAULT_READ: VMPKRAM_IOC_PREFAULT with F_READ
 * @VMPKRAM_JOB_ZERO: VMPKRAM_IOC_PREFAULT with F_ZERO
 * @VMPKRAM_JOB_SCRUB: a vmpkramfs allocation zeroing freed pool blocks
 *	(the range is in bytes of the blocks it zeroes, from 0; the target
 *	is the caller, whose file grows)
 */
enum vmpkram_job_type {
	VMPKRAM_JOB_PREFAULT_WRITE = 1,
	VMPKRAM_JOB_PREFAULT_READ,
	VMPKRAM_JOB_ZERO,
	VMPKRAM_JOB_SCRUB,
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

/**
 * enum vmpkram_pool_state - %VMPKRAM_A_POOL_STATE
 * @VMPKRAM_POOL_UNFORMATTED: no vmpkram metadata in the range (never
 *	formatted, or wiped); waits for VMPKRAM_CMD_POOL_FORMAT
 * @VMPKRAM_POOL_DAMAGED: metadata found but not usable: a checksum or
 *	consistency check failed, a foreign layout, or it describes another
 *	geometry than the one configured (%VMPKRAM_A_POOL_STATE_REASON says
 *	which); never formatted implicitly, nothing in the range is written
 * @VMPKRAM_POOL_READY: metadata valid, files can be created and mounted
 * @VMPKRAM_POOL_SEALED: prepared for kexec; metadata changes give EROFS
 */
enum vmpkram_pool_state {
	VMPKRAM_POOL_UNFORMATTED = 1,
	VMPKRAM_POOL_DAMAGED,
	VMPKRAM_POOL_READY,
	VMPKRAM_POOL_SEALED,
};

/**
 * enum vmpkram_pool_event - %VMPKRAM_A_POOL_EVENT
 * @VMPKRAM_POOL_EV_ATTACHED: a pool was attached (command line or netlink)
 * @VMPKRAM_POOL_EV_DETACHED: a pool was detached
 * @VMPKRAM_POOL_EV_FORMATTED: a pool was formatted
 * @VMPKRAM_POOL_EV_SEALED: a pool was sealed
 * @VMPKRAM_POOL_EV_UNSEALED: a pool was unsealed
 * @VMPKRAM_POOL_EV_REPAIRED: a damaged pool was repaired
 *	(%VMPKRAM_CMD_POOL_REPAIR)
 */
enum vmpkram_pool_event {
	VMPKRAM_POOL_EV_ATTACHED = 1,
	VMPKRAM_POOL_EV_DETACHED,
	VMPKRAM_POOL_EV_FORMATTED,
	VMPKRAM_POOL_EV_SEALED,
	VMPKRAM_POOL_EV_UNSEALED,
	VMPKRAM_POOL_EV_REPAIRED,
};

/**
 * enum vmpkram_slot_status - %VMPKRAM_A_SLOT_STATUS
 * @VMPKRAM_SLOT_BLANK: all zero, never written
 * @VMPKRAM_SLOT_FOREIGN: no vmpkram magic, not blank
 * @VMPKRAM_SLOT_DAMAGED: vmpkram metadata that fails a check
 * @VMPKRAM_SLOT_INTERRUPTED: a commit of the generation after the other
 *	slot's was interrupted here; the other slot holds the one before
 * @VMPKRAM_SLOT_COMPLETE: every check passed
 */
enum vmpkram_slot_status {
	VMPKRAM_SLOT_BLANK = 1,
	VMPKRAM_SLOT_FOREIGN,
	VMPKRAM_SLOT_DAMAGED,
	VMPKRAM_SLOT_INTERRUPTED,
	VMPKRAM_SLOT_COMPLETE,
};

/**
 * enum vmpkram_check_result - %VMPKRAM_A_CHECK_RESULT
 * @VMPKRAM_CHECK_OK: passed
 * @VMPKRAM_CHECK_FAILED: failed (%VMPKRAM_A_CHECK_DETAIL says how)
 * @VMPKRAM_CHECK_NOT_RUN: an earlier check of the slot failed
 */
enum vmpkram_check_result {
	VMPKRAM_CHECK_OK = 1,
	VMPKRAM_CHECK_FAILED,
	VMPKRAM_CHECK_NOT_RUN,
};

/**
 * enum vmpkram_repair_action - %VMPKRAM_A_REPAIR_ACTION
 * @VMPKRAM_REPAIR_NONE: nothing to repair (the pool is not DAMAGED)
 * @VMPKRAM_REPAIR_ADOPT: adopt the newest complete and consistent slot
 *	and rewrite the other from it
 * @VMPKRAM_REPAIR_SALVAGE: no slot is usable: keep the files whose
 *	entries and blocks are consistent, drop the rest, rewrite both slots
 * @VMPKRAM_REPAIR_REFUSED: nothing a repair may start from (no metadata,
 *	another geometry, a newer layout, two pools' slots, no usable
 *	superblock); %VMPKRAM_A_REPAIR_TEXT says why
 */
enum vmpkram_repair_action {
	VMPKRAM_REPAIR_NONE = 1,
	VMPKRAM_REPAIR_ADOPT,
	VMPKRAM_REPAIR_SALVAGE,
	VMPKRAM_REPAIR_REFUSED,
};

/* %VMPKRAM_A_FILE_FLAGS */
#define VMPKRAM_FILE_F_ORPHAN	_BITUL(0) /* deleted, still open or mapped */
/* A memory failure hit its data: see Documentation/vmpkramfs.rst. */
#define VMPKRAM_FILE_F_POISONED	_BITUL(1)

#endif /* _UAPI_LINUX_VMPKRAM_H */
