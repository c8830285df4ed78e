// SPDX-License-Identifier: GPL-2.0-only
/*
 * launch --prefault N: QEMU was started paused (-S); its guest RAM is
 * found in the process's mappings and populated by the module's job
 * engine (VMPKRAM_IOC_PREFAULT with N workers) before the guest runs,
 * instead of -mem-prealloc's threads in QEMU.
 *
 * Which mappings are guest RAM: QEMU lists its memory backends and their
 * sizes (query-memdev); each backend is one writable mapping of exactly
 * that size in /proc/PID/maps: anonymous memory, a memfd, a hugetlbfs or
 * vmpkramfs file (deleted or not).  Code, stacks and the heap never
 * qualify.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvmpkram.h"
#include "parse.h"
#include "vq.h"

struct pf_range {
	uint64_t addr, len;
};

struct pf {
	struct vq *vq;
	struct guest *g;
	uint32_t threads;
	struct pf_range r[16];
	int n;
	uint64_t total, done_before;
	uint64_t start_ns;
	struct vmpkram_ctx *lib, *events;
};

/* The sizes of QEMU's memory backends. */
static int memdev_sizes(struct pf *pf, uint64_t *sizes, int max)
{
	struct json_object *list = NULL, *v;
	size_t i;
	int n = 0, ret;

	ret = qmp_execute(pf->g->q, "query-memdev", NULL, -1,
			  pf->vq->timeout_ms, &list);
	if (ret) {
		snprintf(pf->g->err, sizeof(pf->g->err), "guest %s: query-memdev: %s",
			 pf->g->m.name, qmp_error(pf->g->q));
		return ret;
	}
	for (i = 0; i < json_object_array_length(list) && n < max; i++)
		if (json_object_object_get_ex(json_object_array_get_idx(list, i),
					      "size", &v))
			sizes[n++] = json_object_get_uint64(v);
	json_object_put(list);
	return n;
}

/* Guest RAM can be anonymous, a memfd, or a file; not code or a stack. */
static bool ram_like(const struct maps_entry *e, const char *path)
{
	if (e->perms[0] != 'r' || e->perms[1] != 'w' || e->perms[2] == 'x')
		return false;
	return !path[0] || path[0] == '/';
}

static int find_ranges(struct pf *pf, const uint64_t *sizes, int nsizes)
{
	char path[64], line[4096];
	struct maps_entry e;
	int i, used, ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pf->g->m.pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && pf->n < 16) {
		if (parse_maps_line(line, &e))
			continue;
		used = 0;
		sscanf(line, "%*s %*s %*s %*s %*s %n", &used);
		line[strcspn(line, "\n")] = '\0';
		if (!ram_like(&e, used ? line + used : ""))
			continue;
		for (i = 0; i < nsizes; i++)
			if (e.end - e.start == sizes[i])
				break;
		if (i == nsizes)
			continue;
		pf->r[pf->n++] = (struct pf_range){ e.start, e.end - e.start };
		pf->total += e.end - e.start;
	}
	fclose(f);
	if (!pf->n) {
		snprintf(pf->g->err, sizeof(pf->g->err),
			 "guest %s: no mapping of QEMU (pid %d) has the size of a memory backend: cannot find its RAM",
			 pf->g->m.name, pf->g->m.pid);
		ret = -ENOENT;
	}
	return ret;
}

/* --------------------------------------------------------- progress */

struct call {
	struct pf *pf;
	struct vmpkram_prefault *req;
	int ret, wake;
};

static void *call_main(void *arg)
{
	struct call *c = arg;

	c->ret = vmpkram_prefault(c->pf->lib, c->req);
	if (write(c->wake, "", 1) < 0)
		c->ret = c->ret ?: -errno;
	return NULL;
}

static void draw(struct pf *pf, uint64_t done)
{
	double t = (monotonic_ns() - pf->start_ns) / 1e9;
	uint64_t all = pf->done_before + done;

	fprintf(stderr, "\r\033[Kprefault %s: %3.0f%%  %.2f GB/s", pf->g->m.name,
		pf->total ? 100.0 * all / pf->total : 0,
		t > 0 ? all / t / 1e9 : 0);
}

/* The ioctl in a thread; job events draw the progress meanwhile. */
static int call_with_progress(struct pf *pf, struct vmpkram_prefault *req)
{
	struct vmpkram_event ev = { .size = sizeof(ev) };
	struct call c = { .pf = pf, .req = req };
	struct pollfd pfd[2];
	pthread_t thread;
	int pipefd[2];

	if (!pf->events || pipe2(pipefd, O_CLOEXEC))
		return vmpkram_prefault(pf->lib, req);
	c.wake = pipefd[1];
	if (pthread_create(&thread, NULL, call_main, &c)) {
		close(pipefd[0]);
		close(pipefd[1]);
		return vmpkram_prefault(pf->lib, req);
	}
	pfd[0] = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = vmpkram_events_fd(pf->events),
				  .events = POLLIN };
	draw(pf, 0);
	while (!(pfd[0].revents & POLLIN)) {
		if (poll(pfd, 2, 500) < 0 && errno != EINTR)
			break;
		while ((pfd[1].revents & POLLIN) &&
		       vmpkram_events_next(pf->events, &ev, 0) > 0)
			if (ev.type == VMPKRAM_EVENT_JOB &&
			    ev.job.caller_pid == (uint32_t)getpid() &&
			    ev.job.len == req->len)
				draw(pf, ev.job.done);
	}
	pthread_join(thread, NULL);
	close(pipefd[0]);
	close(pipefd[1]);
	fprintf(stderr, "\r\033[K");
	return c.ret;
}

/* -------------------------------------------------------------- run */

static int populate(struct pf *pf, struct json_object *result)
{
	struct json_object *arr = json_object_new_array(), *o;
	struct vmpkram_prefault req;
	uint32_t used = 0;
	int i, ret = 0;

	pf->start_ns = monotonic_ns();
	for (i = 0; i < pf->n && !ret; i++) {
		req = (struct vmpkram_prefault){
			.addr = pf->r[i].addr, .len = pf->r[i].len,
			.pid = pf->g->m.pid, .threads = pf->threads,
		};
		ret = call_with_progress(pf, &req);
		if (ret)
			snprintf(pf->g->err, sizeof(pf->g->err),
				 "guest %s: prefault of 0x%llx+%llu in pid %d: %s (%s)",
				 pf->g->m.name, (unsigned long long)req.addr,
				 (unsigned long long)req.len, pf->g->m.pid,
				 strerror(-ret), vmpkram_last_error(pf->lib));
		pf->done_before += req.len;
		if (req.threads > used)
			used = req.threads;
		o = json_object_new_object();
		json_object_object_add(o, "addr", json_object_new_uint64(req.addr));
		json_object_object_add(o, "len", json_object_new_uint64(req.len));
		json_object_object_add(o, "job_id", json_object_new_int64(req.job_id));
		json_object_array_add(arr, o);
	}
	json_object_object_add(result, "bytes", json_object_new_uint64(pf->total));
	json_object_object_add(result, "seconds", json_object_new_double(
				       (monotonic_ns() - pf->start_ns) / 1e9));
	json_object_object_add(result, "threads", json_object_new_int64(used));
	json_object_object_add(result, "ranges", arr);
	return ret;
}

int vq_prefault(struct vq *vq, struct guest *g, uint64_t ram_size,
		uint32_t threads, struct json_object *result)
{
	struct pf pf = { .vq = vq, .g = g, .threads = threads };
	uint64_t sizes[16];
	char total[32];
	double secs;
	int n, ret;

	n = memdev_sizes(&pf, sizes, 16);
	if (n < 0)
		return n;
	if (!n && ram_size)
		sizes[n++] = ram_size;
	ret = find_ranges(&pf, sizes, n);
	if (ret)
		return ret;
	ret = vmpkram_new(&pf.lib);
	if (ret) {
		snprintf(g->err, sizeof(g->err), "guest %s: libvmpkram: %s",
			 g->m.name, strerror(-ret));
		return ret;
	}
	if (vq->progress && !vmpkram_new(&pf.events) &&
	    vmpkram_events_subscribe(pf.events))
		pf.events = vmpkram_unref(pf.events);
	ret = populate(&pf, result);
	secs = (monotonic_ns() - pf.start_ns) / 1e9;
	vmpkram_unref(pf.events);
	vmpkram_unref(pf.lib);
	if (ret)
		return ret;
	size_text(pf.total, total, sizeof(total));
	vq_say(vq, "prefault %s: %s in %d range%s, %.3f s, %.2f GB/s, %u worker%s",
	       g->m.name, total, pf.n, pf.n == 1 ? "" : "s", secs,
	       secs > 0 ? pf.total / secs / 1e9 : 0, threads,
	       threads == 1 ? "" : "s");
	return 0;
}
