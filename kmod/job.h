/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parallel job engine: a range cut into chunks that the calling thread
 * and up to threads - 1 pooled kernel workers take from a shared cursor.
 */
#ifndef _VMPKRAM_JOB_H
#define _VMPKRAM_JOB_H

#include <linux/completion.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/types.h>

struct mem_cgroup;
struct vmpkram_job;
struct vmpkram_job_worker;
struct sk_buff;

/*
 * Process [start, end) of the job.  Adds what it completed to *done even
 * when it fails; returns 0 or a negative errno, which stops the job.
 * @caller is true in the submitting thread, where signals can be checked.
 */
typedef int (*vmpkram_chunk_fn)(struct vmpkram_job *job, unsigned long start,
				unsigned long end, bool caller, u64 *done);

struct vmpkram_job {
	/* Set by the submitter before vmpkram_job_run(). */
	u32 type;			/* enum vmpkram_job_type */
	unsigned long start, end;	/* the range, end exclusive */
	unsigned long chunk;		/* power of two, >= PAGE_SIZE */
	unsigned int threads;		/* the caller included, >= 1 */
	pid_t caller_pid, target_pid;
	vmpkram_chunk_fn chunk_fn;
	/*
	 * Frees the job.  A job that has one may outlive vmpkram_job_run():
	 * a caller killed while workers are still in a chunk returns at
	 * once, and the last worker to let go calls it.  Without one, the
	 * caller waits for the workers' chunks and owns the job afterwards;
	 * only jobs whose chunks never wait for userspace may do that.
	 */
	void (*release)(struct vmpkram_job *job);

	/* Owned by the engine. */
	u32 id;
	u32 state;			/* enum vmpkram_job_state */
	atomic_long_t next_chunk;	/* index of the next chunk to take */
	atomic64_t done;		/* bytes done */
	int error;			/* first error, set once */
	bool stop;			/* no more chunks to be taken */
	refcount_t refs;		/* the caller and each worker */
	atomic_t workers_left;
	struct completion workers_done;
	struct vmpkram_job_worker *workers;
	struct mem_cgroup *memcg;	/* the caller's, charged by workers */
	ktime_t started;
	struct list_head node;		/* in the list of running jobs */
};

/* What a job did, as vmpkram_job_run() found it on return. */
struct vmpkram_job_report {
	u64 done;			/* bytes */
	u32 id;
	u32 threads;			/* the caller included */
};

int vmpkram_job_init(void);
void vmpkram_job_exit(void);

unsigned int vmpkram_job_max_threads(void);
int vmpkram_job_run(struct vmpkram_job *job, struct vmpkram_job_report *rep);

unsigned int vmpkram_nr_jobs(void);
int vmpkram_jobs_dump(struct sk_buff *skb, long *last_id,
		      int (*fill)(struct sk_buff *skb,
				  const struct vmpkram_job *job, void *arg),
		      void *arg);

#endif /* _VMPKRAM_JOB_H */
