// SPDX-License-Identifier: GPL-2.0
/*
 * VMPKRAM_IOC_PREFAULT: populate (and optionally zero) a range of a
 * process's memory with the job engine.
 *
 * Each chunk takes the target's mmap lock for read, looks the VMAs up
 * afresh (a concurrent munmap or mprotect between chunks is seen, never
 * raced) and faults the pages in with get_user_pages_remote(), which also
 * works from the pooled workers since it names the mm explicitly.  Errors
 * follow madvise(MADV_POPULATE_*) for the same situations.
 *
 * Another process is named by a descriptor of its /proc/PID/mem.  Acting
 * on another process must be allowed exactly when process_vm_writev()
 * would be: ptrace_may_access(PTRACE_MODE_ATTACH) with the LSM hooks
 * (Yama, SELinux, AppArmor) and the dumpable and user-namespace rules.
 * Neither ptrace_may_access() nor mm_access() is exported to modules
 * (6.1, 6.12), and CAP_SYS_PTRACE is not that check: it bypasses the LSMs
 * and refuses a container's root its own processes.  Opening
 * /proc/PID/mem runs mm_access(PTRACE_MODE_ATTACH) for the opener and
 * keeps the mm in file->private_data, so the descriptor is proof that the
 * kernel's check passed, made by the kernel itself.  Its file is
 * recognised by its file_operations, taken at module load from a
 * /proc/self/mem of a procfs instance of our own (kern_mount), so no
 * mount a user controls can fake them.  A pidfd would not do: anyone may
 * open one for any visible process, it carries no permission at all.
 * A bare pid names only the caller itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/hugetlb.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/error-injection.h>

#include "compat.h"
#include "job.h"
#include "vmpkram.h"

/* Pages zeroed per get_user_pages call: the page array lives on the stack. */
#define VMPKRAM_ZERO_BATCH	64

struct vmpkram_prefault_job {
	struct vmpkram_job job;
	struct mm_struct *mm;		/* mmgrab()ed for the whole job */
	bool write;
	bool zero;
};

static struct vmpkram_prefault_job *to_prefault(struct vmpkram_job *job)
{
	return container_of(job, struct vmpkram_prefault_job, job);
}

/* madvise(MADV_POPULATE_*) says EINVAL for these. */
static int vmpkram_vma_check(struct vm_area_struct *vma, bool write)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return -EINVAL;
	if (!(vma->vm_flags & (write ? VM_WRITE : VM_READ)))
		return -EINVAL;
	return 0;
}

/* GUP's errors as madvise(MADV_POPULATE_*) reports them. */
static int vmpkram_gup_errno(long ret)
{
	switch (ret) {
	case -EINTR:
	case -EHWPOISON:
	case -EFAULT:		/* VM_FAULT_SIGBUS or VM_FAULT_SIGSEGV */
	case -ENOMEM:
		return ret;
	case -EINVAL:
	case -EOPNOTSUPP:	/* incompatible mapping */
		return -EINVAL;
	default:
		return -ENOMEM;
	}
}

/*
 * Zeroing writes page contents behind the page tables, as
 * process_vm_writev() does, and releases the pages the same way: pinned
 * (FOLL_PIN, so that the kernel knows a write through another mapping is
 * in flight) and marked dirty when unpinned.  Through a FOLL_GET
 * reference and without dirtying, writeback that cleaned a page between
 * the fault and the clear left the zeroes in memory only: after the page
 * was dropped, the file had its old contents back.
 */
static void vmpkram_zero_pages(struct page **pages, long nr,
			       unsigned long addr)
{
	long i;

	for (i = 0; i < nr; i++)
		clear_user_highpage(pages[i], addr + i * PAGE_SIZE);
	unpin_user_pages_dirty_lock(pages, nr, true);
}

/*
 * Faults in up to @nr pages at @start, within one VMA, zeroing them in
 * zero mode.  Returns pages done or a negative errno; *locked as for GUP.
 */
static long vmpkram_populate_span(struct vmpkram_prefault_job *pj,
				  unsigned long start, unsigned long nr,
				  int *locked)
{
	unsigned int gup_flags = FOLL_HWPOISON | (pj->write ? FOLL_WRITE : 0);
	struct page *pages[VMPKRAM_ZERO_BATCH];
	long got;

	if (!pj->zero)
		return vmpkram_gup_remote(pj->mm, start, nr, gup_flags, NULL,
					  locked);

	got = vmpkram_pin_remote(pj->mm, start,
				 min_t(unsigned long, nr, VMPKRAM_ZERO_BATCH),
				 gup_flags, pages, locked);
	if (got > 0)
		vmpkram_zero_pages(pages, got, start);
	return got;
}

static int vmpkram_lock_mm(struct mm_struct *mm, bool caller)
{
	if (caller)
		return mmap_read_lock_killable(mm);
	mmap_read_lock(mm);
	return 0;
}

static int vmpkram_prefault_locked(struct vmpkram_prefault_job *pj,
				   unsigned long start, unsigned long end,
				   bool caller, u64 *done, int *locked)
{
	struct vm_area_struct *vma;
	long got;
	int ret;

	while (start < end) {
		if (!*locked) {
			ret = vmpkram_lock_mm(pj->mm, caller);
			if (ret)
				return ret;
			*locked = 1;
		}
		vma = vma_lookup(pj->mm, start);
		if (!vma)
			return -ENOMEM;
		ret = vmpkram_vma_check(vma, pj->write);
		if (ret)
			return ret;

		got = vmpkram_populate_span(pj, start,
					    (min(end, vma->vm_end) - start) >> PAGE_SHIFT,
					    locked);
		if (got < 0)
			return vmpkram_gup_errno(got);
		if (!got)
			return -EFAULT;
		start += got << PAGE_SHIFT;
		*done += got << PAGE_SHIFT;
		if (caller && fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

static noinline int vmpkram_prefault_chunk(struct vmpkram_job *job,
					   unsigned long start,
					   unsigned long end, bool caller,
					   u64 *done)
{
	struct vmpkram_prefault_job *pj = to_prefault(job);
	int locked = 0;
	int ret;

	/* The target's exit ends the job rather than being delayed by it. */
	if (!mmget_not_zero(pj->mm))
		return -ESRCH;
	ret = vmpkram_prefault_locked(pj, start, end, caller, done, &locked);
	if (locked)
		mmap_read_unlock(pj->mm);
	mmput(pj->mm);
	return ret;
}
ALLOW_ERROR_INJECTION(vmpkram_prefault_chunk, ERRNO);

/*
 * Chunks must not split a huge page: use the largest page size mapped in
 * the range, at least 2 MiB so that THP-backed chunks are whole.
 */
static int vmpkram_chunk_size(struct mm_struct *mm, unsigned long start,
			      unsigned long end, unsigned long *chunk)
{
	struct vm_area_struct *vma;
	int ret;

	*chunk = SZ_2M;
	/* A target that exec'd or exited since its mem was opened. */
	if (!mmget_not_zero(mm))
		return -ESRCH;
	ret = mmap_read_lock_killable(mm);
	if (ret)
		goto out;
	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end))
		*chunk = max(*chunk, vma_kernel_pagesize(vma));
	mmap_read_unlock(mm);
out:
	mmput(mm);
	return ret;
}

/* The file_operations of /proc/PID/mem, read once at module load. */
static const struct file_operations *vmpkram_proc_mem_fops;

/*
 * Opens /proc/self/mem in a procfs instance of our own: whatever the
 * loading task's mount namespace holds at /proc, this is procfs.
 */
int vmpkram_prefault_init(void)
{
	struct file_system_type *proc = get_fs_type("proc");
	struct vfsmount *mnt;
	struct file *file;
	int ret = 0;

	if (!proc)
		return -ENODEV;
	mnt = kern_mount(proc);
	module_put(proc->owner);
	if (IS_ERR(mnt))
		return PTR_ERR(mnt);
	file = file_open_root_mnt(mnt, "self/mem", O_RDONLY, 0);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
	} else {
		if (file_inode(file)->i_sb->s_magic == PROC_SUPER_MAGIC)
			vmpkram_proc_mem_fops = file->f_op;
		else
			ret = -ENODEV;
		fput(file);
	}
	kern_unmount(mnt);
	if (ret)
		pr_err("cannot find /proc/PID/mem in a procfs of our own: %d\n",
		       ret);
	return ret;
}

/* The thread group id of @pid in the caller's namespace, if @mm is its. */
static int vmpkram_pid_has_mm(u32 pid, struct mm_struct *mm, pid_t *tgid)
{
	struct task_struct *task;
	struct mm_struct *tmm;
	struct pid *p;

	p = find_get_pid(pid);
	task = p ? get_pid_task(p, PIDTYPE_PID) : NULL;
	put_pid(p);
	if (!task)
		return -ESRCH;
	tmm = get_task_mm(task);
	*tgid = task_tgid_vnr(task);
	put_task_struct(task);
	if (tmm)
		mmput(tmm);
	return tmm == mm ? 0 : -ESRCH;
}

/*
 * The mm behind a /proc/PID/mem descriptor: the kernel checked, at open,
 * that its opener may ptrace-attach to the process.  The descriptor must
 * be open for what the call does (writing, or reading for F_READ), as
 * pwrite()/pread() on it would need.
 */
static int vmpkram_target_mem_fd(const struct vmpkram_prefault *req,
				 struct mm_struct **mmp, pid_t *tgid)
{
	fmode_t need = req->flags & VMPKRAM_PREFAULT_F_READ ? FMODE_READ :
							      FMODE_WRITE;
	struct mm_struct *mm;
	struct file *file;
	int ret;

	file = req->mem_fd < 0 ? NULL : fget(req->mem_fd);
	if (!file)
		return -EBADF;
	if (file->f_op != vmpkram_proc_mem_fops || !(file->f_mode & need)) {
		fput(file);
		return -EBADF;
	}
	/* NULL for a kernel thread (6.1; 6.12 refuses the open). */
	mm = file->private_data;
	if (mm)
		mmgrab(mm);
	fput(file);
	if (!mm)
		return -ESRCH;

	*tgid = mm == current->mm ? task_tgid_vnr(current) : 0;
	ret = req->pid ? vmpkram_pid_has_mm(req->pid, mm, tgid) : 0;
	if (ret) {
		mmdrop(mm);
		return ret;
	}
	*mmp = mm;
	return 0;
}

/* The target's mm, mmgrab()ed, after the permission check. */
static noinline int vmpkram_target_mm(const struct vmpkram_prefault *req,
				      struct mm_struct **mmp, pid_t *tgid)
{
	if (req->flags & VMPKRAM_PREFAULT_F_MEM_FD)
		return vmpkram_target_mem_fd(req, mmp, tgid);
	/* A pid names the caller only: no lookup, so no probing for pids. */
	if (req->pid && req->pid != task_tgid_vnr(current))
		return -EPERM;
	if (!current->mm)
		return -ESRCH;
	mmgrab(current->mm);
	*mmp = current->mm;
	*tgid = task_tgid_vnr(current);
	return 0;
}
ALLOW_ERROR_INJECTION(vmpkram_target_mm, ERRNO);

static int vmpkram_prefault_check(const struct vmpkram_prefault *req)
{
	const u32 rz = VMPKRAM_PREFAULT_F_READ | VMPKRAM_PREFAULT_F_ZERO;
	u64 end;

	if (req->flags & ~VMPKRAM_PREFAULT_F_ALL || (req->flags & rz) == rz)
		return -EINVAL;
	if (!(req->flags & VMPKRAM_PREFAULT_F_MEM_FD) && req->mem_fd)
		return -EINVAL;
	if (!req->len || !PAGE_ALIGNED(req->addr) || !PAGE_ALIGNED(req->len))
		return -EINVAL;
	if (req->threads > VMPKRAM_WORKERS_LIMIT)
		return -EINVAL;
	if (check_add_overflow(req->addr, req->len, &end) ||
	    end > ULONG_MAX || end > TASK_SIZE_MAX)
		return -EOVERFLOW;
	return 0;
}

static u32 vmpkram_prefault_type(u32 flags)
{
	if (flags & VMPKRAM_PREFAULT_F_ZERO)
		return VMPKRAM_JOB_ZERO;
	if (flags & VMPKRAM_PREFAULT_F_READ)
		return VMPKRAM_JOB_PREFAULT_READ;
	return VMPKRAM_JOB_PREFAULT_WRITE;
}

/*
 * No more workers than the module allows the caller, nor than there are
 * chunks.
 */
static unsigned int vmpkram_prefault_threads(u32 asked, struct vmpkram_job *job)
{
	unsigned long chunks = (job->end - 1) / job->chunk -
			       job->start / job->chunk + 1;
	unsigned int n = vmpkram_job_max_threads();

	if (asked)
		n = min(n, asked);
	return min_t(unsigned long, n, chunks);
}

/* The job's last reference is gone: a killed caller may be long gone. */
static void vmpkram_prefault_release(struct vmpkram_job *job)
{
	struct vmpkram_prefault_job *pj = to_prefault(job);

	mmdrop(pj->mm);
	kfree(pj);
}

int vmpkram_ioctl_prefault(void *arg)
{
	struct vmpkram_prefault *req = arg;
	struct vmpkram_job_report rep;
	struct vmpkram_prefault_job *pj;
	int ret;

	req->done = 0;
	req->job_id = 0;
	ret = vmpkram_prefault_check(req);
	if (ret)
		return ret;

	pj = kzalloc(sizeof(*pj), GFP_KERNEL_ACCOUNT);
	if (!pj)
		return -ENOMEM;
	ret = vmpkram_target_mm(req, &pj->mm, &pj->job.target_pid);
	if (ret)
		goto out_free;

	pj->zero = req->flags & VMPKRAM_PREFAULT_F_ZERO;
	pj->write = !(req->flags & VMPKRAM_PREFAULT_F_READ);
	pj->job.type = vmpkram_prefault_type(req->flags);
	pj->job.start = req->addr;
	pj->job.end = req->addr + req->len;
	pj->job.caller_pid = task_tgid_vnr(current);
	pj->job.chunk_fn = vmpkram_prefault_chunk;
	ret = vmpkram_chunk_size(pj->mm, pj->job.start, pj->job.end,
				 &pj->job.chunk);
	if (ret)
		goto out_mm;
	pj->job.threads = vmpkram_prefault_threads(req->threads, &pj->job);
	pj->job.release = vmpkram_prefault_release;

	/* pj is the job's from here on, and may outlive this call. */
	ret = vmpkram_job_run(&pj->job, &rep);
	req->done = rep.done;
	req->job_id = rep.id;
	req->threads = rep.threads;
	return ret;

out_mm:
	mmdrop(pj->mm);
out_free:
	kfree(pj);
	return ret;
}
