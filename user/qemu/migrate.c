// SPDX-License-Identifier: GPL-2.0-only
/*
 * Saving and loading a guest's device state, its RAM left in place.
 *
 * QEMU 7.2 (Debian 12): capability x-ignore-shared, so RAM blocks that
 * are shared files are not written.  QEMU 8.2 and later: also the
 * migration mode cpr-reboot (found in query-migrate-parameters).
 *
 * The stream goes through a pipe passed with getfd ("fd:" URI): the shim
 * copies it into the state file, which was sized at launch, with pwrite.
 * Neither "file:" URIs (QEMU opens them O_TRUNC, or ftruncate()s them to
 * the offset since 9.0) nor "fd:" with the file itself (deprecated in
 * 10.0) would do: a sealed pool refuses every size change with EROFS, and
 * it is sealed by then.  The copy also counts the bytes, hashes them for
 * resume's check, and refuses a stream larger than the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vq.h"

#define FD_NAME		"vmpkram-state"
#define QEVM_MAGIC	"QEVM"		/* QEMU_VM_FILE_MAGIC */

static int qmp_fail(struct guest *g, int ret, const char *what)
{
	snprintf(g->err, sizeof(g->err), "guest %s: %s: %s", g->m.name, what,
		 ret == -EREMOTEIO || g->q ? qmp_error(g->q) : strerror(-ret));
	return ret;
}

static int qexec(struct vq *vq, struct guest *g, const char *cmd,
		struct json_object *args, struct json_object **ret)
{
	int err = qmp_execute(g->q, cmd, args, -1, vq->timeout_ms, ret);

	return err ? qmp_fail(g, err, cmd) : 0;
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* QEMU's timestamp of event @name, already received, in ns; else 0. */
static uint64_t event_time(struct guest *g, const char *name)
{
	struct json_object *ev, *ts, *s, *us;
	uint64_t t = 0;

	if (qmp_event(g->q, name, 0, &ev))
		return 0;
	if (json_object_object_get_ex(ev, "timestamp", &ts) &&
	    json_object_object_get_ex(ts, "seconds", &s) &&
	    json_object_object_get_ex(ts, "microseconds", &us))
		t = json_object_get_uint64(s) * 1000000000ULL +
		    json_object_get_uint64(us) * 1000ULL;
	json_object_put(ev);
	return t;
}

/* ------------------------------------------------------------- setup */

int mig_detect(struct vq *vq, struct guest *g)
{
	struct json_object *caps = NULL, *params = NULL, *c;
	bool ignore_shared = false;
	size_t i;
	int ret;

	ret = qexec(vq, g, "query-migrate-capabilities", NULL, &caps);
	for (i = 0; !ret && i < json_object_array_length(caps); i++) {
		c = json_object_array_get_idx(caps, i);
		if (!strcmp(str_of(c, "capability"), "x-ignore-shared"))
			ignore_shared = true;
	}
	json_object_put(caps);
	if (!ret && !ignore_shared) {
		snprintf(g->err, sizeof(g->err),
			 "guest %s: this QEMU has no x-ignore-shared migration capability (QEMU 4.0 or later needed)",
			 g->m.name);
		return -EOPNOTSUPP;
	}
	if (!ret)
		ret = qexec(vq, g, "query-migrate-parameters", NULL, &params);
	if (!ret)
		snprintf(g->m.method, sizeof(g->m.method), "%s",
			 json_object_object_get_ex(params, "mode", NULL) ?
			 "cpr-reboot" : "x-ignore-shared");
	json_object_put(params);
	return ret;
}

static int set_capabilities(struct vq *vq, struct guest *g, bool on)
{
	struct json_object *args = json_object_new_object();
	struct json_object *caps = json_object_new_array();
	struct json_object *cap = json_object_new_object();
	int ret;

	json_object_object_add(cap, "capability",
			       json_object_new_string("x-ignore-shared"));
	json_object_object_add(cap, "state", json_object_new_boolean(on));
	json_object_array_add(caps, cap);
	json_object_object_add(args, "capabilities", caps);
	ret = qexec(vq, g, "migrate-set-capabilities", args, NULL);
	if (ret || strcmp(g->m.method, "cpr-reboot"))
		return ret;
	args = json_object_new_object();
	json_object_object_add(args, "mode", json_object_new_string(
				       on ? "cpr-reboot" : "normal"));
	return qexec(vq, g, "migrate-set-parameters", args, NULL);
}

/* Where a migration of this QEMU stands: "completed", "failed", ... */
static int migration_status(struct vq *vq, struct guest *g, char *status,
			    size_t size, char *desc, size_t dsize)
{
	struct json_object *info = NULL;
	int ret = qexec(vq, g, "query-migrate", NULL, &info);

	if (!ret) {
		snprintf(status, size, "%s", str_of(info, "status"));
		if (desc)
			snprintf(desc, dsize, "%s", str_of(info, "error-desc"));
	}
	json_object_put(info);
	return ret;
}

int mig_prepare(struct vq *vq, struct guest *g)
{
	struct json_object *st = NULL;
	char status[32] = "", mig[32] = "";
	int ret;

	ret = qexec(vq, g, "query-status", NULL, &st);
	if (!ret)
		snprintf(status, sizeof(status), "%s", str_of(st, "status"));
	json_object_put(st);
	if (ret)
		return ret;
	if (strcmp(status, "running") && strcmp(status, "paused") &&
	    strcmp(status, "prelaunch") && strcmp(status, "suspended")) {
		snprintf(g->err, sizeof(g->err),
			 "guest %s: QEMU is in state '%s', which cannot be saved",
			 g->m.name, status);
		return -EBUSY;
	}
	g->m.was_running = !strcmp(status, "running");
	ret = migration_status(vq, g, mig, sizeof(mig), NULL, 0);
	if (!ret && (!strcmp(mig, "setup") || !strcmp(mig, "active") ||
		     !strcmp(mig, "device") || !strcmp(mig, "cancelling"))) {
		snprintf(g->err, sizeof(g->err),
			 "guest %s: a migration is running (%s)", g->m.name, mig);
		return -EBUSY;
	}
	/* Before the stop: none of this is downtime. */
	return ret ?: set_capabilities(vq, g, true);
}

/* Passes the read or write end of a pipe to QEMU as FD_NAME. */
static int pass_fd(struct vq *vq, struct guest *g, int fd)
{
	struct json_object *args = json_object_new_object();
	int ret;

	json_object_object_add(args, "fdname", json_object_new_string(FD_NAME));
	ret = qmp_execute(g->q, "getfd", args, fd, vq->timeout_ms, NULL);
	return ret ? qmp_fail(g, ret, "getfd") : 0;
}

/*
 * Polls query-migrate until the migration ends; cancels it after the
 * timeout.  0 when completed.
 */
static int wait_migration(struct vq *vq, struct guest *g, const char *what)
{
	uint64_t deadline = monotonic_ns() + vq->timeout_ms * 1000000ULL;
	char status[32] = "", desc[512] = "";
	unsigned int delay = 1000;
	int ret;

	for (;;) {
		ret = migration_status(vq, g, status, sizeof(status), desc,
				       sizeof(desc));
		if (ret)
			return ret;
		if (!strcmp(status, "completed"))
			return 0;
		if (!strcmp(status, "failed") || !strcmp(status, "cancelled")) {
			snprintf(g->err, sizeof(g->err), "guest %s: %s %s%s%s",
				 g->m.name, what, status, desc[0] ? ": " : "",
				 desc);
			return -EIO;
		}
		if (monotonic_ns() > deadline) {
			qmp_execute(g->q, "migrate_cancel", NULL, -1,
				    vq->timeout_ms, NULL);
			snprintf(g->err, sizeof(g->err),
				 "guest %s: %s not done after %d s (status %s): cancelled",
				 g->m.name, what, vq->timeout_ms / 1000, status);
			return -ETIMEDOUT;
		}
		usleep(delay);
		if (delay < 20000)
			delay *= 2;
	}
}

/* ---------------------------------------------------------------- save */

/* Copies the stream from the pipe into the state file. */
struct pump {
	int pipe, file;
	uint64_t capacity;
	uint64_t bytes, hash;
	int err;			/* errno of a failed write */
	bool overflow;
	volatile bool stop;		/* give up (the migration failed) */
	/* Once QEMU says "completed": when to stop waiting for the end of
	 * the stream (QEMU closes its end right after, normally). */
	volatile uint64_t deadline;
	bool cut;			/* the stream did not end in time */
	char head[4];
};

static void *pump_main(void *arg)
{
	struct pump *p = arg;
	struct pollfd pfd = { .fd = p->pipe, .events = POLLIN };
	char buf[65536];
	size_t take;
	ssize_t n;

	while (!p->stop) {
		if (p->deadline && monotonic_ns() > p->deadline) {
			p->cut = true;
			break;
		}
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = read(p->pipe, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (p->bytes < sizeof(p->head))
			memcpy(p->head + p->bytes, buf,
			       (size_t)n < sizeof(p->head) - p->bytes ?
			       (size_t)n : sizeof(p->head) - p->bytes);
		/* Beyond the file: read on (so QEMU finishes), keep nothing. */
		take = p->bytes + n > p->capacity ? p->capacity - p->bytes :
		       (size_t)n;
		if (take < (size_t)n)
			p->overflow = true;
		if (take && !p->err &&
		    pwrite(p->file, buf, take, p->bytes) != (ssize_t)take)
			p->err = errno ? errno : EIO;
		p->hash = fnv1a64(p->hash, buf, take);
		p->bytes += take;
	}
	return NULL;
}

static int open_state(struct guest *g, int flags, struct stat *st)
{
	char path[PATH_MAX + VQ_NAME_MAX];
	int fd;

	guest_file(g, g->m.state_file, path, sizeof(path));
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0 || fstat(fd, st)) {
		snprintf(g->err, sizeof(g->err), "guest %s: state file %s: %s",
			 g->m.name, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	return fd;
}

static int stop(struct vq *vq, struct guest *g)
{
	int ret;

	g->m.t.stop_sent = realtime_ns();
	g->stop_sent = true;
	ret = qexec(vq, g, "stop", NULL, NULL);
	if (ret)
		return ret;
	g->stopped = true;
	g->m.t.stopped = event_time(g, "STOP") ?: realtime_ns();
	return 0;
}

static int check_pump(struct guest *g, const struct pump *p)
{
	if (p->cut)
		snprintf(g->err, sizeof(g->err),
			 "guest %s: QEMU reported the save completed but did not close the stream",
			 g->m.name);
	else if (p->err)
		snprintf(g->err, sizeof(g->err),
			 "guest %s: writing the state file: %s", g->m.name,
			 strerror(p->err));
	else if (p->overflow)
		snprintf(g->err, sizeof(g->err),
			 "guest %s: the device state is larger than its state file (%llu bytes): launch it with a larger --state-size",
			 g->m.name, (unsigned long long)p->capacity);
	else if (p->bytes < sizeof(p->head) || memcmp(p->head, QEVM_MAGIC, 4))
		snprintf(g->err, sizeof(g->err),
			 "guest %s: QEMU wrote no migration stream (%llu bytes)",
			 g->m.name, (unsigned long long)p->bytes);
	else
		return 0;
	return -EIO;
}

int mig_save(struct vq *vq, struct guest *g)
{
	struct pump p = { .hash = FNV64_INIT };
	struct json_object *args;
	pthread_t thread;
	struct stat st;
	int pfd[2], ret;

	p.file = open_state(g, O_RDWR, &st);
	if (p.file < 0)
		return p.file;
	p.capacity = st.st_size;
	if (pipe2(pfd, O_CLOEXEC)) {
		ret = -errno;
		close(p.file);
		return ret;
	}
	p.pipe = pfd[0];
	ret = stop(vq, g);
	if (!ret)
		ret = pass_fd(vq, g, pfd[1]);
	/* QEMU has its own copy: the pipe ends when QEMU closes it. */
	close(pfd[1]);
	if (!ret && pthread_create(&thread, NULL, pump_main, &p)) {
		snprintf(g->err, sizeof(g->err), "guest %s: no thread", g->m.name);
		ret = -EAGAIN;
	} else if (!ret) {
		args = json_object_new_object();
		json_object_object_add(args, "uri",
				       json_object_new_string("fd:" FD_NAME));
		ret = qexec(vq, g, "migrate", args, NULL);
		if (!ret)
			ret = wait_migration(vq, g, "saving the device state");
		if (ret)
			p.stop = true;
		else
			p.deadline = monotonic_ns() + vq->timeout_ms * 1000000ULL;
		pthread_join(thread, NULL);
		if (!ret)
			ret = check_pump(g, &p);
	}
	close(pfd[0]);
	if (!ret && fsync(p.file)) {
		ret = -errno;
		snprintf(g->err, sizeof(g->err), "guest %s: fsync of the state file: %s",
			 g->m.name, strerror(errno));
	}
	close(p.file);
	if (ret)
		return ret;
	g->m.state_size = p.bytes;
	g->m.state_hash = p.hash;
	g->m.t.saved = realtime_ns();
	g->saved = true;
	return 0;
}

int mig_cont(struct vq *vq, struct guest *g)
{
	char mig[32] = "";
	int ret;

	if (!g->stop_sent)
		return 0;
	/* A save still running must end before the guest can. */
	if (g->stopped &&
	    !migration_status(vq, g, mig, sizeof(mig), NULL, 0) &&
	    (!strcmp(mig, "active") || !strcmp(mig, "setup") ||
	     !strcmp(mig, "device")))
		qmp_execute(g->q, "migrate_cancel", NULL, -1, vq->timeout_ms,
			    NULL);
	/*
	 * Commands run in order: even when "stop" was never answered,
	 * "cont" after it undoes it once QEMU gets to them.
	 */
	ret = g->m.was_running ? qexec(vq, g, "cont", NULL, NULL) : 0;
	if (!ret) {
		g->stop_sent = g->stopped = false;
		/* Leave QEMU as it was; a failure here changes nothing. */
		set_capabilities(vq, g, false);
	}
	return ret;
}

/* How long the background 'cont' of spawn_cont_later() goes on asking. */
#define CONT_LATER_SECONDS	300

/* The child of spawn_cont_later(): 'cont' until QEMU answers; exit status. */
static int cont_later_child(struct vq *vq, struct guest *g)
{
	time_t end = time(NULL) + CONT_LATER_SECONDS;
	char path[PATH_MAX + 16];
	int ret;

	do {
		/* QEMU accepts this connection once the update's is closed. */
		g->q = NULL;
		ret = guest_connect(vq, g);
		if (!ret)
			ret = qmp_execute(g->q, "cont", NULL, -1, 2000, NULL);
		if (!ret) {
			set_capabilities(vq, g, false);
			printf("guest %s: QEMU answered 'cont'\n", g->m.name);
			return 0;
		}
		qmp_close(g->q);
		sleep(1);
	} while (time(NULL) < end);
	snprintf(path, sizeof(path), "%s/qmp", g->run);
	printf("guest %s: no answer to 'cont' on %s for %d s: given up\n",
	       g->m.name, path, CONT_LATER_SECONDS);
	return 1;
}

/*
 * A guest whose QEMU did not answer 'cont' in time may be stopped, with
 * 'stop' and 'cont' still unread in its QMP socket; QEMU drops what a
 * client sent once that client is gone, so when this process exits the
 * 'cont' may be lost with it and the guest left paused.  A detached child
 * asks again, on a new connection, until QEMU answers (at most
 * CONT_LATER_SECONDS), writing what happened to RUN/cont.log.  Returns
 * the child's pid, or a negative errno.
 */
static int spawn_cont_later(struct vq *vq, struct guest *g)
{
	char log[sizeof(g->run) + 16];
	pid_t pid;
	int fd;

	snprintf(log, sizeof(log), "%s/cont.log", g->run);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid)
		return pid;
	setsid();
	/* Not this process's QMP connections, manifests or locks. */
	syscall(SYS_close_range, 3, ~0U, 0);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
	    dup2(fd, STDERR_FILENO) < 0)
		_exit(1);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, STDIN_FILENO);
	vq->json = false;
	_exit(cont_later_child(vq, g));
}

void mig_cont_later(struct vq *vq, struct guest *g)
{
	int pid = spawn_cont_later(vq, g);

	if (pid < 0)
		vq_fail(vq, "guest %s (QEMU pid %d) did not answer 'cont', and no process could be started to ask again (%s): 'cont' it over QMP (%s/qmp) once QEMU answers",
			g->m.name, g->m.pid, strerror(-pid), g->run);
	else
		vq_fail(vq, "guest %s (QEMU pid %d) did not answer 'cont': process %d asks again until QEMU answers (up to 5 minutes; log %s/cont.log); check it with '" PROG " qmp %s query-status'",
			g->m.name, g->m.pid, pid, g->run, g->m.name);
}

void mig_unprepare(struct vq *vq, struct guest *g)
{
	if (g->q && !g->stop_sent)
		set_capabilities(vq, g, false);
}

int mig_quit(struct vq *vq, struct guest *g)
{
	int ret;

	ret = qmp_execute(g->q, "quit", NULL, -1, vq->timeout_ms, NULL);
	/* QEMU may close the socket before its answer is read. */
	if (ret && ret != -ECONNRESET)
		qmp_fail(g, ret, "quit");
	qmp_close(g->q);
	g->q = NULL;
	if (guest_alive(&g->m))
		ret = qemu_wait_gone(g->m.pid, vq->timeout_ms);
	else
		ret = 0;
	if (ret)
		snprintf(g->err, sizeof(g->err),
			 "guest %s: QEMU (pid %d) did not exit after quit%s",
			 g->m.name, g->m.pid,
			 ret == -ETIMEDOUT ? "; it was killed" : "");
	g->m.t.quit = realtime_ns();
	/* Killed after the save is fine: the state is on disk. */
	return ret == -ETIMEDOUT ? 0 : ret;
}

/* ---------------------------------------------------------------- load */

int mig_check_state(struct vq *vq, struct guest *g)
{
	uint64_t left, hash = FNV64_INIT;
	char buf[65536], head[4] = "";
	struct stat st;
	ssize_t n;
	int fd, ret = 0;

	(void)vq;
	if (!g->m.state_size) {
		snprintf(g->err, sizeof(g->err),
			 "guest %s: its manifest records no saved device state",
			 g->m.name);
		return -ENODATA;
	}
	fd = open_state(g, O_RDONLY, &st);
	if (fd < 0)
		return fd;
	if ((uint64_t)st.st_size < g->m.state_size) {
		snprintf(g->err, sizeof(g->err),
			 "guest %s: state file %s is truncated: %llu bytes, the save wrote %llu",
			 g->m.name, g->m.state_file,
			 (unsigned long long)st.st_size,
			 (unsigned long long)g->m.state_size);
		close(fd);
		return -EIO;
	}
	for (left = g->m.state_size; left && !ret; left -= n) {
		n = pread(fd, buf, left < sizeof(buf) ? left : sizeof(buf),
			  g->m.state_size - left);
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		if (left == g->m.state_size)
			memcpy(head, buf, n < 4 ? n : 4);
		hash = fnv1a64(hash, buf, n);
	}
	close(fd);
	if (ret)
		snprintf(g->err, sizeof(g->err), "guest %s: reading %s: %s",
			 g->m.name, g->m.state_file, strerror(-ret));
	else if (memcmp(head, QEVM_MAGIC, 4))
		snprintf(g->err, sizeof(g->err),
			 "guest %s: state file %s does not hold a QEMU migration stream (a foreign file?)",
			 g->m.name, g->m.state_file);
	else if (hash != g->m.state_hash)
		snprintf(g->err, sizeof(g->err),
			 "guest %s: state file %s is not the one its save wrote (checksum %016llx, manifest %016llx): foreign or damaged",
			 g->m.name, g->m.state_file, (unsigned long long)hash,
			 (unsigned long long)g->m.state_hash);
	else
		return 0;
	return ret ?: -EIO;
}

/* Feeds the saved stream into the pipe. */
struct feed {
	int pipe, file;
	uint64_t size;
	int err;
};

static void *feed_main(void *arg)
{
	struct feed *f = arg;
	uint64_t off = 0;
	char buf[65536];
	ssize_t n, w;

	while (off < f->size && !f->err) {
		n = pread(f->file, buf, f->size - off < sizeof(buf) ?
			  f->size - off : sizeof(buf), off);
		if (n <= 0) {
			f->err = n < 0 ? errno : EIO;
			break;
		}
		for (w = 0; w < n;) {
			ssize_t k = write(f->pipe, buf + w, n - w);

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				/* EPIPE: QEMU gave up; it says why. */
				f->err = errno;
				break;
			}
			w += k;
		}
		off += n;
	}
	close(f->pipe);
	return NULL;
}

int mig_load(struct vq *vq, struct guest *g)
{
	struct feed f = { .size = g->m.state_size };
	struct json_object *st = NULL, *args;
	pthread_t thread;
	struct stat sst;
	int pfd[2], ret;

	ret = qexec(vq, g, "query-status", NULL, &st);
	if (!ret && strcmp(str_of(st, "status"), "inmigrate")) {
		snprintf(g->err, sizeof(g->err),
			 "guest %s: QEMU is in state '%s', not waiting for incoming migration",
			 g->m.name, str_of(st, "status"));
		ret = -EPROTO;
	}
	json_object_put(st);
	if (!ret)
		ret = set_capabilities(vq, g, true);
	if (ret)
		return ret;
	f.file = open_state(g, O_RDONLY, &sst);
	if (f.file < 0)
		return f.file;
	if (pipe2(pfd, O_CLOEXEC)) {
		ret = -errno;
		close(f.file);
		return ret;
	}
	ret = pass_fd(vq, g, pfd[0]);
	close(pfd[0]);
	f.pipe = pfd[1];
	if (ret || pthread_create(&thread, NULL, feed_main, &f)) {
		close(pfd[1]);
		close(f.file);
		return ret ?: -EAGAIN;
	}
	args = json_object_new_object();
	json_object_object_add(args, "uri", json_object_new_string("fd:" FD_NAME));
	ret = qexec(vq, g, "migrate-incoming", args, NULL);
	if (!ret)
		ret = wait_migration(vq, g, "loading the device state");
	if (ret)
		/* Unblocks the feeder if QEMU stopped reading. */
		qemu_stop(vq, g);
	pthread_join(thread, NULL);
	close(f.file);
	if (!ret && f.err) {
		snprintf(g->err, sizeof(g->err),
			 "guest %s: feeding the state file: %s", g->m.name,
			 strerror(f.err));
		ret = -EIO;
	}
	if (!ret)
		g->m.t.loaded = realtime_ns();
	return ret;
}

int mig_resume(struct vq *vq, struct guest *g)
{
	int ret;

	g->m.t.cont_sent = g->m.t.resumed = g->m.t.cont_done = 0;
	if (g->m.was_running) {
		g->m.t.cont_sent = realtime_ns();
		ret = qexec(vq, g, "cont", NULL, NULL);
		if (ret)
			return ret;
		g->m.t.cont_done = realtime_ns();
		g->m.t.resumed = event_time(g, "RESUME");
	}
	/*
	 * After the cont, outside the downtime: no capability or mode is
	 * left behind for a later live migration, which x-ignore-shared
	 * would silently leave without RAM.
	 */
	set_capabilities(vq, g, false);
	return 0;
}
