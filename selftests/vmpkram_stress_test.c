// SPDX-License-Identifier: GPL-2.0
/*
 * Stress of the job engine, bounded in time (STRESS_SECONDS, default 10):
 * threads prefault random ranges in every mode while the ranges are
 * unmapped under them, children running large jobs are SIGKILLed at
 * random moments, an admin dumps the running jobs and changes the worker
 * cap, and module unload is attempted throughout (it must be refused
 * while the device is open).  Afterwards no job is left, the module's
 * reference count is back where it was, and the kernel log is checked by
 * the VM runner.  Uses libvmpkram for the netlink side.
 *
 * The seed is printed; STRESS_SEED=N replays a run's random choices.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/vmpkram.h>

#include "libvmpkram.h"
#include "kselftest_harness.h"
#include "vmpkram_test.h"

#define SZ_1M		(1UL << 20)
#define PREFAULTERS	4

struct stress {
	volatile bool stop;
	unsigned int seed;
	/* counts, for the log and the sanity checks */
	long prefaults, killed, dumps, jobs_seen, sets, unload_refusals;
	long bad_jobs, bad_errors, unload_succeeded;
	pthread_mutex_t lock;
};

static unsigned int rnd(unsigned int *state, unsigned int n)
{
	return rand_r(state) % n;
}

/* madvise(MADV_POPULATE_*)'s errors, plus ours, are all a caller sees. */
static bool expected_error(int err)
{
	return !err || err == ENOMEM || err == EINVAL || err == EFAULT ||
	       err == EINTR;
}

static void count(struct stress *s, long *what, long n)
{
	pthread_mutex_lock(&s->lock);
	*what += n;
	pthread_mutex_unlock(&s->lock);
}

/* Maps, prefaults in a random mode, and sometimes unmaps midway. */
static void *prefaulter(void *arg)
{
	static const __u32 modes[] = { 0, VMPKRAM_PREFAULT_F_READ,
				       VMPKRAM_PREFAULT_F_ZERO };
	struct stress *s = arg;
	unsigned int state = s->seed ^ (unsigned int)(uintptr_t)&state;
	int fd = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDWR | O_CLOEXEC);

	while (fd >= 0 && !s->stop) {
		size_t len = (1 + rnd(&state, 32)) * SZ_1M;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct vmpkram_prefault req = {
			.size = sizeof(req), .addr = (uintptr_t)p, .len = len,
			.flags = modes[rnd(&state, 3)],
			.threads = rnd(&state, 4),
		};
		int err;

		if (p == MAP_FAILED)
			break;
		if (rnd(&state, 4) == 0)	/* a hole in the middle */
			munmap(p + len / 2, SZ_1M);
		err = ioctl(fd, VMPKRAM_IOC_PREFAULT, &req) ? errno : 0;
		if (!expected_error(err) || req.done > len)
			count(s, &s->bad_errors, 1);
		munmap(p, len);
		count(s, &s->prefaults, 1);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* A child zeroing 256 MiB, killed after a random moment. */
static void *killer(void *arg)
{
	struct stress *s = arg;
	unsigned int state = s->seed * 7 + 1;

	while (!s->stop) {
		pid_t pid = fork();

		if (!pid) {
			size_t len = 256 * SZ_1M;
			char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			struct vmpkram_prefault req = {
				.size = sizeof(req), .addr = (uintptr_t)p,
				.len = len, .flags = VMPKRAM_PREFAULT_F_ZERO,
			};
			int fd = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDWR);

			_exit(fd < 0 || ioctl(fd, VMPKRAM_IOC_PREFAULT, &req));
		}
		if (pid < 0)
			break;
		usleep(rnd(&state, 200) * 1000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		count(s, &s->killed, 1);
	}
	return NULL;
}

static int check_job(const struct vmpkram_job *job, void *arg)
{
	struct stress *s = arg;

	count(s, &s->jobs_seen, 1);
	if (job->done > job->len || job->state != VMPKRAM_JOB_RUNNING ||
	    !job->threads || job->threads > VMPKRAM_WORKERS_LIMIT)
		count(s, &s->bad_jobs, 1);
	return 0;
}

/* Dumps jobs and moves the worker cap around. */
static void *admin(void *arg)
{
	struct stress *s = arg;
	unsigned int state = s->seed * 13 + 5;
	struct vmpkram_ctx *ctx;

	if (vmpkram_new(&ctx))
		return NULL;
	while (!s->stop) {
		if (vmpkram_get_jobs(ctx, check_job, s) < 0)
			count(s, &s->bad_jobs, 1);
		count(s, &s->dumps, 1);
		if (rnd(&state, 8) == 0) {
			if (vmpkram_set_max_workers(ctx, rnd(&state, 5)))
				count(s, &s->bad_jobs, 1);
			count(s, &s->sets, 1);
		}
		usleep(5 * 1000);
	}
	vmpkram_set_max_workers(ctx, 0);
	vmpkram_unref(ctx);
	return NULL;
}

/* Unload must be refused while we hold the device open. */
static void *unloader(void *arg)
{
	struct stress *s = arg;

	while (!s->stop) {
		if (syscall(SYS_delete_module, "vmpkram", O_NONBLOCK) == 0)
			count(s, &s->unload_succeeded, 1);
		else
			count(s, &s->unload_refusals, 1);
		usleep(50 * 1000);
	}
	return NULL;
}

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

static long read_refcnt(void)
{
	return read_long("/sys/module/vmpkram/refcnt");
}

TEST(job_engine_under_stress)
{
	struct stress s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t th[PREFAULTERS + 3];
	struct vmpkram_status st = { .size = sizeof(st) };
	struct vmpkram_ctx *ctx;
	long refs = read_refcnt(), seconds = env_long("STRESS_SECONDS", 10);
	int i, n = 0, dev;

	s.seed = env_long("STRESS_SEED", time(NULL));
	TH_LOG("seed %u (STRESS_SEED=%u replays it), %ld s", s.seed, s.seed,
	       seconds);
	ASSERT_LE(0, refs);
	dev = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);

	for (i = 0; i < PREFAULTERS; i++)
		ASSERT_EQ(0, pthread_create(&th[n++], NULL, prefaulter, &s));
	ASSERT_EQ(0, pthread_create(&th[n++], NULL, killer, &s));
	ASSERT_EQ(0, pthread_create(&th[n++], NULL, admin, &s));
	ASSERT_EQ(0, pthread_create(&th[n++], NULL, unloader, &s));
	sleep(seconds);
	s.stop = true;
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	close(dev);

	TH_LOG("%ld prefaults, %ld killed jobs, %ld dumps showing %ld jobs, "
	       "%ld cap changes, %ld unload refusals", s.prefaults, s.killed,
	       s.dumps, s.jobs_seen, s.sets, s.unload_refusals);
	EXPECT_LT(0, s.prefaults);
	EXPECT_LT(0, s.killed);
	EXPECT_LT(0, s.dumps);
	EXPECT_LT(0, s.unload_refusals);
	EXPECT_EQ(0, s.unload_succeeded);
	EXPECT_EQ(0, s.bad_errors) TH_LOG("an unexpected errno or done > len");
	EXPECT_EQ(0, s.bad_jobs) TH_LOG("a malformed job in a dump");

	ASSERT_EQ(0, vmpkram_new(&ctx));
	ASSERT_EQ(0, vmpkram_get_status(ctx, &st));
	EXPECT_EQ(0, st.nr_jobs) TH_LOG("jobs left behind");
	vmpkram_unref(ctx);
	EXPECT_EQ(refs, read_refcnt()) TH_LOG("module references left behind");
}

TEST_HARNESS_MAIN
