// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guests: their manifests (found in the runtime directory, the mounted
 * pools and --dir), locks, processes and QMP connections.
 *
 * A guest's manifest is locked (flock) by the command working on it, so
 * two commands never act on one guest at once; status reads without the
 * lock.  A QEMU process is recognised by the boot it ran in and its start
 * time, so a pid reused after a reboot or a kexec is never taken for it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "mounts.h"
#include "vq.h"

void guest_init(struct guest *g, struct vq *vq)
{
	memset(g, 0, sizeof(*g));
	g->vq = vq;
	g->fd = -1;
}

void guest_close(struct guest *g)
{
	qmp_close(g->q);
	g->q = NULL;
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	manifest_free(&g->m);
}

int guest_open(struct vq *vq, const char *path, bool readonly,
	       struct guest *g)
{
	char err[512];
	int fd;

	guest_init(g, vq);
	snprintf(g->path, sizeof(g->path), "%s", path);
	fd = manifest_open(path, readonly, &g->m, err, sizeof(err));
	if (fd == -EBADMSG) {
		snprintf(g->err, sizeof(g->err), "%s: not a usable manifest: %s",
			 path, err);
		return fd;
	}
	if (fd < 0) {
		snprintf(g->err, sizeof(g->err), "%s: %s", path, strerror(-fd));
		return fd;
	}
	g->fd = fd;
	pathf(g->run, sizeof(g->run), "%s/%s", vq->run_dir, g->m.name);
	if (!readonly && flock(fd, LOCK_EX | LOCK_NB)) {
		snprintf(g->err, sizeof(g->err),
			 "guest %s: another vmpkram-qemu is working on it (its manifest %s is locked)",
			 g->m.name, path);
		return -EBUSY;
	}
	return 0;
}

int guest_write(struct guest *g)
{
	int ret = manifest_write(g->fd, &g->m);

	if (ret)
		snprintf(g->err, sizeof(g->err), "guest %s: writing %s: %s%s",
			 g->m.name, g->path, strerror(-ret),
			 ret == -EFBIG ? " (the manifest outgrew its file)" : "");
	return ret;
}

void guest_file(const struct guest *g, const char *file, char *buf,
		size_t size)
{
	snprintf(buf, size, "%s/%s", g->m.dir, file);
}

static int mkdir_private(const char *dir)
{
	if (!mkdir(dir, 0700) || errno == EEXIST)
		return 0;
	return -errno;
}

int guest_run_dir(struct vq *vq, struct guest *g)
{
	int ret;

	/* RUN/NAME/qmp must fit sockaddr_un's sun_path. */
	if (pathf(g->run, sizeof(g->run) - 4, "%s/%s", vq->run_dir, g->m.name)) {
		snprintf(g->err, sizeof(g->err),
			 "runtime directory %s: too long for a UNIX socket path (--run-dir)",
			 vq->run_dir);
		return -ENAMETOOLONG;
	}
	ret = mkdir_private(vq->run_dir);
	if (!ret)
		ret = mkdir_private(g->run);
	if (ret)
		snprintf(g->err, sizeof(g->err), "runtime directory %s: %s",
			 g->run, strerror(-ret));
	return ret;
}

/* ----------------------------------------------------- finding guests */

static int mounted_pools(struct pool_mount **m, size_t *n)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int ret;

	*m = NULL;
	*n = 0;
	if (!f)
		return -errno;
	ret = mounts_parse(f, m, n);
	fclose(f);
	return ret;
}

int guest_find(struct vq *vq, const char *name, const char *dir,
	       char *path, size_t size)
{
	struct pool_mount *m;
	size_t i, n;

	snprintf(path, size, "%s/%s/manifest", vq->run_dir, name);
	if (!access(path, F_OK))
		return 0;
	if (dir) {
		snprintf(path, size, "%s/%s" MANIFEST_SUFFIX, dir, name);
		if (!access(path, F_OK))
			return 0;
	}
	if (mounted_pools(&m, &n))
		return -ENOENT;
	for (i = 0; i < n; i++) {
		snprintf(path, size, "%s/%s" MANIFEST_SUFFIX, m[i].dir, name);
		if (!access(path, F_OK))
			break;
	}
	free(m);
	return i < n ? 0 : -ENOENT;
}

/* Adds @path unless a name for the same file is there already. */
static int list_add(struct strv *paths, const char *path)
{
	char *real = realpath(path, NULL), *other;
	int i, ret = 0;

	if (!real)
		return 0;
	for (i = 0; i < paths->n; i++) {
		other = realpath(paths->v[i], NULL);
		if (other && !strcmp(other, real))
			ret = 1;
		free(other);
		if (ret)
			break;
	}
	if (!ret)
		ret = strv_push(paths, real);
	free(real);
	return ret < 0 ? ret : 0;
}

/* DIR/NAME.manifest for every guest name in @dir. */
static int list_dir(struct strv *paths, const char *dir)
{
	size_t len, slen = strlen(MANIFEST_SUFFIX);
	char path[PATH_MAX], name[VQ_NAME_MAX + 1];
	struct dirent *de;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d)
		return 0;
	while (!ret && (de = readdir(d))) {
		len = strlen(de->d_name);
		if (len <= slen || len - slen > VQ_NAME_MAX ||
		    strcmp(de->d_name + len - slen, MANIFEST_SUFFIX))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - slen),
			 de->d_name);
		if (!guest_name_ok(name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ret = list_add(paths, path);
	}
	closedir(d);
	return ret;
}

int guest_list(struct vq *vq, const char *dir, struct strv *paths)
{
	char path[PATH_MAX];
	struct pool_mount *m;
	struct dirent *de;
	size_t i, n;
	DIR *d;
	int ret = 0;

	d = opendir(vq->run_dir);
	while (d && !ret && (de = readdir(d))) {
		if (!guest_name_ok(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/manifest", vq->run_dir,
			 de->d_name);
		ret = list_add(paths, path);
	}
	if (d)
		closedir(d);
	if (!ret && dir)
		ret = list_dir(paths, dir);
	if (!ret && !mounted_pools(&m, &n)) {
		for (i = 0; !ret && i < n; i++)
			ret = list_dir(paths, m[i].dir);
		free(m);
	}
	return ret;
}

/* ---------------------------------------------------------- processes */

int boot_id(char *buf, size_t size)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	int ret = 0;

	buf[0] = '\0';
	if (!f)
		return -errno;
	if (!fgets(buf, size, f))
		ret = -EIO;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

void kernel_release(char *buf, size_t size)
{
	struct utsname u;

	snprintf(buf, size, "%s", uname(&u) ? "" : u.release);
}

/* Field 22 of /proc/PID/stat, after the command name in parentheses;
 * -ESRCH for no process or a zombie. */
static int proc_start(int pid, uint64_t *start)
{
	char path[64], buf[1024], *p, state;
	unsigned long long v;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c", &state) != 1)
		return -EIO;
	if (state == 'Z' || state == 'X')
		return -ESRCH;
	/* state is field 3; start time field 22 */
	for (i = 3, p += 2; i < 22 && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu", &v) != 1)
		return -EIO;
	*start = v;
	return 0;
}

int guest_set_process(struct manifest *m, int pid)
{
	int ret = proc_start(pid, &m->pid_start);

	if (ret)
		return ret;
	m->pid = pid;
	return boot_id(m->boot_id, sizeof(m->boot_id));
}

int guest_alive(const struct manifest *m)
{
	char id[40];
	uint64_t start;

	if (!m->pid || boot_id(id, sizeof(id)) || strcmp(id, m->boot_id))
		return 0;
	if (proc_start(m->pid, &start) || start != m->pid_start)
		return 0;
	return m->pid;
}

const char *guest_state(const struct manifest *m)
{
	if (!strcmp(m->state, "saved"))
		return "saved";
	if (!guest_alive(m))
		return "exited";
	return m->resumes ? "resumed" : "running";
}

int guest_connect(struct vq *vq, struct guest *g)
{
	char path[PATH_MAX + 8];
	int ret;

	snprintf(path, sizeof(path), "%s/qmp", g->run);
	ret = qmp_connect(path, vq->timeout_ms, &g->q);
	if (!ret)
		return 0;
	snprintf(g->err, sizeof(g->err), "guest %s: QMP %s: %s", g->m.name,
		 path, g->q ? qmp_error(g->q) : strerror(-ret));
	qmp_close(g->q);
	g->q = NULL;
	return ret;
}

void guests_parallel(struct guest **gs, int n, void *(*fn)(void *))
{
	pthread_t *t = calloc(n, sizeof(*t));
	bool *started = calloc(n, sizeof(*started));
	int i;

	for (i = 0; t && started && i < n; i++)
		started[i] = !pthread_create(&t[i], NULL, fn, gs[i]);
	for (i = 0; i < n; i++) {
		if (t && started && started[i])
			pthread_join(t[i], NULL);
		else
			fn(gs[i]);	/* no thread: one after the other */
	}
	free(t);
	free(started);
}
