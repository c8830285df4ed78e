// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl prefault: populate a range of another process (--range with
 * --pid), every writable mapping of a file in another process (--file with
 * --pid, e.g. a QEMU memory-backend file), or a whole file mapped here
 * (--file alone: allocates its pages before QEMU starts).
 *
 * Ranges are done one after the other, each by one VMPKRAM_IOC_PREFAULT.
 * When stderr is a terminal the ioctl runs in a thread and the main thread
 * draws a progress bar from the module's JOB_NTF events for our own jobs.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "vmpkramctl.h"

struct pf_range {
	uint64_t addr, len;
	uint64_t done;
	uint32_t job_id;
	uint32_t threads;		/* workers the job used */
	double seconds;
};

struct pf {
	struct ctl *ctl;
	const struct ctl_cmd *cmd;
	const char *range_arg, *file;
	uint32_t pid, threads, flags;
	struct pf_range *ranges;
	size_t nr_ranges;
	void *map;			/* --file alone: our own mapping */
	size_t map_len;
	/* progress, when stderr is a terminal */
	struct vmpkram_ctx *ev_lib;	/* events; ctl->lib is the ioctl's */
	uint64_t total, base;		/* all ranges; those finished */
	double start;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "512.0 MiB", "1.00 GiB" */
static void fmt_size(uint64_t bytes, char *buf, size_t size)
{
	if (bytes >= 1ULL << 30)
		snprintf(buf, size, "%.2f GiB", bytes / (double)(1ULL << 30));
	else
		snprintf(buf, size, "%.1f MiB", bytes / (double)(1ULL << 20));
}

static double gbps(uint64_t bytes, double seconds)
{
	return seconds > 0 ? bytes / seconds / 1e9 : 0;
}

static const char *mode_name(uint32_t flags)
{
	if (flags & VMPKRAM_PREFAULT_F_READ)
		return "read";
	if (flags & VMPKRAM_PREFAULT_F_ZERO)
		return "zero";
	return "write";
}

/* ------------------------------------------------------------ ranges */

static int add_range(struct pf *pf, uint64_t addr, uint64_t len)
{
	pf->ranges = calloc(1, sizeof(*pf->ranges));
	if (!pf->ranges)
		return ctl_fail_plain(pf->ctl, "prefault", -ENOMEM, NULL);
	pf->ranges[0] = (struct pf_range){ .addr = addr, .len = len };
	pf->nr_ranges = 1;
	return 0;
}

/* Every writable mapping of pf->file in pf->pid, by device and inode. */
static int ranges_from_maps(struct pf *pf)
{
	struct maps_range *r;
	char path[64], what[600];
	struct stat st;
	size_t i, n;
	FILE *f;
	int ret;

	snprintf(what, sizeof(what), "prefault %s", pf->file);
	if (stat(pf->file, &st))
		return ctl_fail_plain(pf->ctl, what, -errno, NULL);
	snprintf(path, sizeof(path), "/proc/%u/maps", pf->pid);
	f = fopen(path, "re");
	if (!f)
		return ctl_fail_plain(pf->ctl, path, -errno,
				      errno == ENOENT ? "no such process" : NULL);
	ret = maps_find_file(f, major(st.st_dev), minor(st.st_dev),
			     st.st_ino, &r, &n);
	fclose(f);
	if (ret)
		return ctl_fail_plain(pf->ctl, path, ret, NULL);
	if (!n) {
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 " in pid %u", pf->pid);
		return ctl_fail_why(pf->ctl, what, -ENOENT,
				    "the process has no writable mapping of this file");
	}
	pf->ranges = calloc(n, sizeof(*pf->ranges));
	if (!pf->ranges) {
		free(r);
		return ctl_fail_plain(pf->ctl, "prefault", -ENOMEM, NULL);
	}
	for (i = 0; i < n; i++)
		pf->ranges[i] = (struct pf_range){
			.addr = r[i].start, .len = r[i].end - r[i].start,
		};
	pf->nr_ranges = n;
	free(r);
	return 0;
}

/*
 * The whole file mapped MAP_SHARED here: populating our mapping allocates
 * the file's pages (tmpfs, hugetlbfs), which outlive the mapping.
 */
static int ranges_from_file(struct pf *pf)
{
	bool ro = pf->flags & VMPKRAM_PREFAULT_F_READ;
	long page = sysconf(_SC_PAGESIZE);
	char what[600];
	struct stat st;
	int fd, ret;

	snprintf(what, sizeof(what), "prefault %s", pf->file);
	fd = open(pf->file, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return ctl_fail_plain(pf->ctl, what, -errno, NULL);
	if (fstat(fd, &st)) {
		ret = ctl_fail_plain(pf->ctl, what, -errno, NULL);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
		ret = ctl_fail_why(pf->ctl, what, -EINVAL,
				   "not a regular file with a size: truncate -s SIZE it first");
		goto out;
	}
	pf->map_len = ((uint64_t)st.st_size + page - 1) & ~(uint64_t)(page - 1);
	pf->map = mmap(NULL, pf->map_len, PROT_READ | (ro ? 0 : PROT_WRITE),
		       MAP_SHARED, fd, 0);
	if (pf->map == MAP_FAILED) {
		pf->map = NULL;
		ret = ctl_fail_plain(pf->ctl, what, -errno, NULL);
		goto out;
	}
	ret = add_range(pf, (uintptr_t)pf->map, pf->map_len);
out:
	close(fd);
	return ret;
}

/* ---------------------------------------------------------- progress */

static void draw_bar(struct pf *pf, const struct vmpkram_job *job)
{
	uint64_t done = pf->base + (job ? job->done : 0);
	double t = now_s() - pf->start;
	char d[32], tot[32], text[96];

	fmt_size(done, d, sizeof(d));
	fmt_size(pf->total, tot, sizeof(tot));
	snprintf(text, sizeof(text), "%s / %s  %.2f GB/s", d, tot,
		 gbps(done, t));
	ctl_progress(NULL, pf->total ? (double)done / pf->total : 0, text);
}

/* Our own jobs' events; anything else (or a lost event) is skipped. */
static void follow_events(struct pf *pf, const struct pf_range *r)
{
	struct vmpkram_event ev = { .size = sizeof(ev) };

	while (vmpkram_events_next(pf->ev_lib, &ev, 0) > 0) {
		if (ev.type != VMPKRAM_EVENT_JOB ||
		    ev.job.caller_pid != (uint32_t)getpid() ||
		    ev.job.len != r->len)
			continue;
		draw_bar(pf, &ev.job);
	}
}

struct pf_call {
	struct pf *pf;
	struct vmpkram_prefault *req;
	int ret;
	int wake;		/* write end of the pipe the main thread polls */
};

static void *call_thread(void *arg)
{
	struct pf_call *c = arg;

	c->ret = vmpkram_prefault(c->pf->ctl->lib, c->req);
	if (write(c->wake, "", 1) < 0)
		c->ret = c->ret ?: -errno;
	return NULL;
}

/*
 * The ioctl in a thread while we follow events: ctl->lib belongs to the
 * thread until it is joined, pf->ev_lib to us.
 */
static int call_with_progress(struct pf *pf, const struct pf_range *r,
			      struct vmpkram_prefault *req)
{
	struct pf_call c = { .pf = pf, .req = req };
	struct pollfd pfd[2];
	pthread_t thread;
	int pipefd[2], ret;

	if (pipe2(pipefd, O_CLOEXEC))
		return vmpkram_prefault(pf->ctl->lib, req);
	c.wake = pipefd[1];
	ret = pthread_create(&thread, NULL, call_thread, &c);
	if (ret) {
		close(pipefd[0]);
		close(pipefd[1]);
		return vmpkram_prefault(pf->ctl->lib, req);
	}
	pfd[0] = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = vmpkram_events_fd(pf->ev_lib),
				  .events = POLLIN };
	draw_bar(pf, NULL);
	while (!(pfd[0].revents & POLLIN)) {
		/* The timeout keeps the rate moving between events. */
		if (poll(pfd, 2, 500) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLIN)
			follow_events(pf, r);
	}
	pthread_join(thread, NULL);
	close(pipefd[0]);
	close(pipefd[1]);
	return c.ret;
}

/* Progress only for a terminal, and only if events can be had. */
static void progress_init(struct pf *pf)
{
	size_t i;

	if (!isatty(STDERR_FILENO) || vmpkram_new(&pf->ev_lib))
		return;
	if (vmpkram_events_subscribe(pf->ev_lib)) {
		pf->ev_lib = vmpkram_unref(pf->ev_lib);
		return;
	}
	for (i = 0; i < pf->nr_ranges; i++)
		pf->total += pf->ranges[i].len;
	pf->start = now_s();
}

/* -------------------------------------------------------------- run */

static int run_range(struct pf *pf, struct pf_range *r)
{
	struct vmpkram_prefault req = {
		.flags = pf->flags, .addr = r->addr, .len = r->len,
		.pid = pf->pid, .threads = pf->threads,
	};
	char hint[96], d[32], l[32];
	double t0 = now_s();
	int ret;

	if (pf->ev_lib)
		ret = call_with_progress(pf, r, &req);
	else
		ret = vmpkram_prefault(pf->ctl->lib, &req);
	r->seconds = now_s() - t0;
	r->done = req.done;
	r->job_id = req.job_id;
	r->threads = req.threads;
	pf->base += r->len;
	if (pf->ev_lib)
		ctl_progress_clear();
	if (!ret)
		return 0;

	/* The library's message names the range and the process. */
	fmt_size(r->done, d, sizeof(d));
	fmt_size(r->len, l, sizeof(l));
	snprintf(hint, sizeof(hint), "%s of %s done", d, l);
	return ctl_fail(pf->ctl, "prefault", ret, hint);
}

/* The most workers any range's job used. */
static uint32_t threads_used(const struct pf *pf)
{
	uint32_t n = 0;
	size_t i;

	for (i = 0; i < pf->nr_ranges; i++)
		if (pf->ranges[i].threads > n)
			n = pf->ranges[i].threads;
	return n;
}

static void print_text(const struct pf *pf, uint64_t bytes, double seconds)
{
	const struct pf_range *r;
	char size[32];
	size_t i;

	for (i = 0; pf->nr_ranges > 1 && i < pf->nr_ranges; i++) {
		r = &pf->ranges[i];
		fmt_size(r->len, size, sizeof(size));
		printf("  0x%llx-0x%llx  %s  %.3f s  %.2f GB/s  job %u\n",
		       (unsigned long long)r->addr,
		       (unsigned long long)(r->addr + r->len), size,
		       r->seconds, gbps(r->len, r->seconds), r->job_id);
	}
	fmt_size(bytes, size, sizeof(size));
	printf("prefault (%s): %s in %.3f s, %.2f GB/s, threads: %u",
	       mode_name(pf->flags), size, seconds, gbps(bytes, seconds),
	       threads_used(pf));
	if (pf->nr_ranges == 1)
		printf(", job %u", pf->ranges[0].job_id);
	printf("\n");
}

static void print_json(const struct pf *pf, uint64_t bytes, double seconds)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	const struct pf_range *r;
	struct json_object *o;
	size_t i;

	for (i = 0; i < pf->nr_ranges; i++) {
		r = &pf->ranges[i];
		o = json_object_new_object();
		json_object_object_add(o, "addr", json_object_new_uint64(r->addr));
		json_object_object_add(o, "len", json_object_new_uint64(r->len));
		json_object_object_add(o, "done", json_object_new_uint64(r->done));
		json_object_object_add(o, "seconds",
				       json_object_new_double(r->seconds));
		json_object_object_add(o, "gbps", json_object_new_double(
					gbps(r->len, r->seconds)));
		json_object_object_add(o, "job_id",
				       json_object_new_int64(r->job_id));
		json_object_object_add(o, "threads",
				       json_object_new_int64(r->threads));
		json_object_array_add(arr, o);
	}
	json_object_object_add(obj, "mode",
			       json_object_new_string(mode_name(pf->flags)));
	json_object_object_add(obj, "pid", json_object_new_int64(pf->pid));
	json_object_object_add(obj, "threads",
			       json_object_new_int64(threads_used(pf)));
	/* Byte counts: len of what was asked, done of what was done. */
	json_object_object_add(obj, "len", json_object_new_uint64(bytes));
	json_object_object_add(obj, "done", json_object_new_uint64(bytes));
	json_object_object_add(obj, "seconds", json_object_new_double(seconds));
	json_object_object_add(obj, "gbps",
			       json_object_new_double(gbps(bytes, seconds)));
	if (pf->nr_ranges == 1)
		json_object_object_add(obj, "job_id", json_object_new_int64(
					pf->ranges[0].job_id));
	json_object_object_add(obj, "ranges", arr);
	ctl_json_print(obj);
}

static int run(struct pf *pf)
{
	uint64_t bytes = 0;
	double seconds = 0;
	size_t i;
	int ret;

	/* The file and the process first: they are the likelier mistakes. */
	if (pf->range_arg)
		ret = 0;	/* parsed with the options */
	else if (pf->pid)
		ret = ranges_from_maps(pf);
	else
		ret = ranges_from_file(pf);
	if (!ret)
		ret = ctl_require_module(pf->ctl, "prefault");
	if (ret)
		return ret;

	progress_init(pf);
	for (i = 0; i < pf->nr_ranges; i++) {
		ret = run_range(pf, &pf->ranges[i]);
		if (ret)
			return ret;
		bytes += pf->ranges[i].len;
		seconds += pf->ranges[i].seconds;
	}
	if (pf->ctl->json)
		print_json(pf, bytes, seconds);
	else
		print_text(pf, bytes, seconds);
	return EXIT_SUCCESS;
}

/* ----------------------------------------------------------- options */

static int get_options(struct pf *pf, const struct ctl_args *args)
{
	struct ctl *ctl = pf->ctl;
	const struct ctl_cmd *cmd = pf->cmd;
	const char *pid = ctl_opt(cmd, args, 'p');
	const char *threads = ctl_opt(cmd, args, 't');

	pf->range_arg = ctl_opt(cmd, args, 'r');
	pf->file = ctl_opt(cmd, args, 'f');
	if (pid && parse_u32(pid, 1, INT32_MAX, &pf->pid))
		return ctl_usage_error(ctl, cmd,
				       "--pid: '%s' is not a process id", pid);
	if (threads && parse_u32(threads, 0, VMPKRAM_WORKERS_LIMIT,
				 &pf->threads))
		return ctl_usage_error(ctl, cmd,
				       "--threads: '%s' is not a number from 0 to %u",
				       threads, VMPKRAM_WORKERS_LIMIT);
	if (ctl_opt(cmd, args, 'R'))
		pf->flags |= VMPKRAM_PREFAULT_F_READ;
	if (ctl_opt(cmd, args, 'Z'))
		pf->flags |= VMPKRAM_PREFAULT_F_ZERO;
	return -1;
}

/* Combinations that make no sense, before anything is opened. */
static int check_options(struct pf *pf)
{
	struct ctl *ctl = pf->ctl;
	const struct ctl_cmd *cmd = pf->cmd;
	uint64_t addr, len;
	const char *why;

	if (pf->flags == (VMPKRAM_PREFAULT_F_READ | VMPKRAM_PREFAULT_F_ZERO))
		return ctl_usage_error(ctl, cmd,
				       "--read and --zero exclude each other");
	if (!!pf->range_arg == !!pf->file)
		return ctl_usage_error(ctl, cmd,
				       "give either --range or --file");
	if (!pf->range_arg)
		return -1;
	if (!pf->pid)
		return ctl_usage_error(ctl, cmd,
				       "--range needs --pid: a range of " PROG "'s own memory means nothing");
	if (parse_range(pf->range_arg, sysconf(_SC_PAGESIZE), &addr, &len,
			&why))
		return ctl_usage_error(ctl, cmd, "--range '%s': %s",
				       pf->range_arg, why);
	return add_range(pf, addr, len) ?: -1;
}

CMD(prefault)
{
	struct pf pf = { .ctl = ctl, .cmd = cmd };
	int ret;

	ret = get_options(&pf, args);
	if (ret < 0)
		ret = check_options(&pf);
	if (ret < 0)
		ret = run(&pf);
	if (pf.map)
		munmap(pf.map, pf.map_len);
	vmpkram_unref(pf.ev_lib);
	free(pf.ranges);
	return ret;
}
