// SPDX-License-Identifier: GPL-2.0
/*
 * The parallel job engine.
 *
 * A job is a range cut into aligned chunks.  The submitting thread and up
 * to threads - 1 work items on an unbound workqueue take chunks from one
 * shared counter, so a slow chunk never holds up the others (no static
 * split where most workers idle while one finishes) and no thread is
 * created per call: the workqueue keeps its workers pooled.
 *
 * The submitter works too and is the one that watches for its own fatal
 * signal: it then stops the job, and every worker quits at its next
 * chunk.  A worker may be stuck in its chunk for as long as userspace
 * likes (a userfaultfd nobody answers, a FUSE read), and it cannot be
 * signalled; so a killed submitter does not wait for it when the job can
 * free itself (a release callback): the submitter and each worker hold a
 * reference, and the last one to let go unlists and frees the job.  A job
 * with workers holds a module reference until then, so rmmod refuses
 * rather than waits, and destroy_workqueue() at module exit waits for the
 * work functions themselves to return.
 *
 * Accounting: workers charge their allocations (page tables above all) to
 * the submitter's memory cgroup, as the submitter's own chunks do.  Their
 * CPU time is not the submitter's: kernel workers run outside its CPU
 * cgroup and scheduling limits, so only callers with CAP_SYS_RESOURCE
 * get them; anyone else does all the work in its own thread.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/error-injection.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "job.h"
#include "vmpkram.h"

/* How often a running job announces its progress. */
#define VMPKRAM_PROGRESS_INTERVAL	(HZ / 2)

struct vmpkram_job_worker {
	struct work_struct work;
	struct vmpkram_job *job;
};

static struct workqueue_struct *vmpkram_wq;

/* Running jobs, for dumps and the status count. */
static LIST_HEAD(vmpkram_jobs);
static DEFINE_SPINLOCK(vmpkram_jobs_lock);
static unsigned int vmpkram_jobs_count;
static u32 vmpkram_last_job_id;

/* Takes the next chunk; false when the range is exhausted or stopped. */
static bool vmpkram_job_next(struct vmpkram_job *job, unsigned long *start,
			     unsigned long *end)
{
	unsigned long base = ALIGN_DOWN(job->start, job->chunk);
	unsigned long idx, s;

	if (READ_ONCE(job->stop))
		return false;
	idx = atomic_long_inc_return(&job->next_chunk) - 1;
	/* The range fits in the address space, so this cannot wrap. */
	if (idx > (job->end - 1 - base) / job->chunk)
		return false;
	s = base + idx * job->chunk;
	*start = max(s, job->start);
	*end = min(s + job->chunk, job->end);
	return true;
}

/* Records the first error and stops the job. */
static void vmpkram_job_fail(struct vmpkram_job *job, int error)
{
	cmpxchg(&job->error, 0, error);
	WRITE_ONCE(job->stop, true);
}

static void vmpkram_job_chunks(struct vmpkram_job *job, bool caller,
			       unsigned long *next_report)
{
	unsigned long start, end;
	u64 done;
	int ret;

	while (vmpkram_job_next(job, &start, &end)) {
		done = 0;
		ret = job->chunk_fn(job, start, end, caller, &done);
		atomic64_add(done, &job->done);
		if (ret) {
			vmpkram_job_fail(job, ret);
			break;
		}
		if (caller && fatal_signal_pending(current)) {
			vmpkram_job_fail(job, -EINTR);
			break;
		}
		if (caller && time_after(jiffies, *next_report)) {
			vmpkram_notify_job(job);
			*next_report = jiffies + VMPKRAM_PROGRESS_INTERVAL;
		}
		cond_resched();
	}
}

static void vmpkram_job_unregister(struct vmpkram_job *job)
{
	spin_lock(&vmpkram_jobs_lock);
	list_del(&job->node);
	vmpkram_jobs_count--;
	spin_unlock(&vmpkram_jobs_lock);

	if (!job->error)
		job->state = VMPKRAM_JOB_DONE;
	else if (job->error == -EINTR)
		job->state = VMPKRAM_JOB_CANCELLED;
	else
		job->state = VMPKRAM_JOB_FAILED;
	vmpkram_notify_job(job);
}

/*
 * Drops a reference; the last one ends the job.  From a worker this is
 * its last touch of the module's data: the module reference goes last.
 */
static void vmpkram_job_put(struct vmpkram_job *job)
{
	bool module_ref = job->workers;

	if (!refcount_dec_and_test(&job->refs))
		return;
	vmpkram_job_unregister(job);
	mem_cgroup_put(job->memcg);
	kfree(job->workers);
	job->workers = NULL;
	if (job->release)
		job->release(job);
	if (module_ref)
		module_put(THIS_MODULE);
}

static void vmpkram_job_worker_fn(struct work_struct *work)
{
	struct vmpkram_job_worker *w =
		container_of(work, struct vmpkram_job_worker, work);
	struct vmpkram_job *job = w->job;
	struct mem_cgroup *old_memcg;
	unsigned long unused = 0;

	old_memcg = set_active_memcg(job->memcg);
	vmpkram_job_chunks(job, false, &unused);
	set_active_memcg(old_memcg);
	if (atomic_dec_and_test(&job->workers_left))
		complete(&job->workers_done);
	vmpkram_job_put(job);
}

/*
 * Waits for the workers, announcing progress meanwhile.  A fatal signal
 * stops the job; a job that can free itself is then left to its workers,
 * which quit at their next chunk, and the others are waited for, bounded
 * by one chunk each.
 */
static void vmpkram_job_wait(struct vmpkram_job *job)
{
	long ret;

	for (;;) {
		ret = wait_for_completion_killable_timeout(&job->workers_done,
							   VMPKRAM_PROGRESS_INTERVAL);
		if (ret > 0)
			return;
		if (ret < 0) {
			vmpkram_job_fail(job, -EINTR);
			if (!job->release)
				wait_for_completion(&job->workers_done);
			return;
		}
		vmpkram_notify_job(job);
	}
}

static void vmpkram_job_register(struct vmpkram_job *job)
{
	job->state = VMPKRAM_JOB_RUNNING;
	job->started = ktime_get();
	atomic_long_set(&job->next_chunk, 0);
	atomic64_set(&job->done, 0);
	job->error = 0;
	job->stop = false;

	/* Ids are taken under the lock so the list stays in id order. */
	spin_lock(&vmpkram_jobs_lock);
	job->id = ++vmpkram_last_job_id;
	list_add_tail(&job->node, &vmpkram_jobs);
	vmpkram_jobs_count++;
	spin_unlock(&vmpkram_jobs_lock);
	vmpkram_notify_job(job);
}

/* The helpers beyond the caller; NULL is no error (see below). */
static noinline struct vmpkram_job_worker *vmpkram_job_workers(unsigned int n)
{
	return kcalloc(n, sizeof(struct vmpkram_job_worker),
		       GFP_KERNEL_ACCOUNT);
}
ALLOW_ERROR_INJECTION(vmpkram_job_workers, NULL);

/*
 * The threads the calling task may have on one job, itself included.
 * Kernel workers are CPU time outside its cgroup: CAP_SYS_RESOURCE only.
 */
unsigned int vmpkram_job_max_threads(void)
{
	if (!ns_capable_noaudit(&init_user_ns, CAP_SYS_RESOURCE))
		return 1;
	return vmpkram_max_workers();
}

/*
 * Runs @job with job->threads workers, the caller included, and fills
 * @rep.  Returns 0 or the job's first error.  With job->release set the
 * caller must not touch @job afterwards: it is freed when its last worker
 * is done, which may be later when the caller was killed.
 */
int vmpkram_job_run(struct vmpkram_job *job, struct vmpkram_job_report *rep)
{
	unsigned long next_report = jiffies + VMPKRAM_PROGRESS_INTERVAL;
	unsigned int i, extra;
	int error;

	job->threads = clamp(job->threads, 1U, vmpkram_job_max_threads());
	extra = job->threads - 1;
	job->workers = NULL;
	if (extra) {
		job->workers = vmpkram_job_workers(extra);
		/* Fewer workers, not failure: the caller alone can do it. */
		if (!job->workers)
			extra = 0;
	}
	job->threads = extra + 1;
	/* Until the last worker is done, which may be after we return. */
	if (extra)
		__module_get(THIS_MODULE);
	job->memcg = get_mem_cgroup_from_mm(current->mm);

	vmpkram_job_register(job);
	refcount_set(&job->refs, extra + 1);
	atomic_set(&job->workers_left, extra);
	init_completion(&job->workers_done);
	if (!extra)
		complete(&job->workers_done);
	for (i = 0; i < extra; i++) {
		job->workers[i].job = job;
		INIT_WORK(&job->workers[i].work, vmpkram_job_worker_fn);
		queue_work(vmpkram_wq, &job->workers[i].work);
	}

	vmpkram_job_chunks(job, true, &next_report);
	vmpkram_job_wait(job);

	rep->done = atomic64_read(&job->done);
	rep->id = job->id;
	rep->threads = job->threads;
	error = READ_ONCE(job->error);
	vmpkram_job_put(job);
	return error;
}

unsigned int vmpkram_nr_jobs(void)
{
	return READ_ONCE(vmpkram_jobs_count);
}

/*
 * Calls @fill for the running jobs with an id above *last_id, in id
 * order, under the jobs lock (so @fill must not sleep), until it runs out
 * of room.  *last_id is the last job filled: a continuation resumes after
 * it, so jobs that end or start between two parts of a dump neither
 * shift nor repeat the others.
 */
int vmpkram_jobs_dump(struct sk_buff *skb, long *last_id,
		      int (*fill)(struct sk_buff *skb,
				  const struct vmpkram_job *job, void *arg),
		      void *arg)
{
	struct vmpkram_job *job;
	int ret = 0;

	spin_lock(&vmpkram_jobs_lock);
	list_for_each_entry(job, &vmpkram_jobs, node) {
		if (job->id <= *last_id)
			continue;
		ret = fill(skb, job, arg);
		if (ret)
			break;
		*last_id = job->id;
	}
	spin_unlock(&vmpkram_jobs_lock);
	return ret == -EMSGSIZE ? 0 : ret;
}

int vmpkram_job_init(void)
{
	/*
	 * Unbound: chunks run wherever a CPU is free, and the pool keeps
	 * idle workers around, so jobs do not create threads.
	 */
	vmpkram_wq = alloc_workqueue("vmpkram", WQ_UNBOUND, 0);
	if (!vmpkram_wq) {
		pr_err("cannot create the worker pool\n");
		return -ENOMEM;
	}
	return 0;
}

void vmpkram_job_exit(void)
{
	destroy_workqueue(vmpkram_wq);
}
