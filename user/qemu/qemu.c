// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU processes: found on PATH, asked for its version and machines,
 * started in the background (its own session, output to a log file), and
 * waited for until QMP answers, exits, or the timeout passes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vq.h"

int qemu_binary(const char *bin, char *path, size_t size)
{
	const char *env = getenv("PATH"), *p, *end;
	char *real;

	if (strchr(bin, '/')) {
		real = realpath(bin, NULL);
		if (!real)
			return -errno;
		snprintf(path, size, "%s", real);
		free(real);
		return access(path, X_OK) ? -errno : 0;
	}
	for (p = env ? env : "/usr/bin:/bin"; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		snprintf(path, size, "%.*s/%s", (int)(end - p), p, bin);
		if (end > p && !access(path, X_OK))
			return 0;
	}
	return -ENOENT;
}

/* Closes every descriptor above 2 in a child about to exec. */
static void close_from_3(void)
{
	int fd, max = sysconf(_SC_OPEN_MAX);

	for (fd = 3; fd < max && fd < 65536; fd++)
		close(fd);
}

int qemu_capture(const char *bin, const char *const args[], int timeout_ms,
		 char **out)
{
	const char *argv[16];
	size_t len = 0, cap = 65536;
	int p[2], status, n, i, ret = 0;
	uint64_t deadline = monotonic_ns() + timeout_ms * 1000000ULL;
	struct pollfd pfd;
	char *buf, *tmp;
	pid_t pid;

	*out = NULL;
	argv[0] = bin;
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	if (pipe2(p, O_CLOEXEC)) {
		free(buf);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(p[0]);
		close(p[1]);
		free(buf);
		return ret;
	}
	if (!pid) {
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		close_from_3();
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	for (;;) {
		uint64_t now = monotonic_ns();

		if (now >= deadline ||
		    poll(&pfd, 1, (deadline - now) / 1000000 + 1) == 0) {
			ret = -ETIMEDOUT;
			kill(pid, SIGKILL);
			break;
		}
		if (len + 4096 > cap) {
			tmp = realloc(buf, cap * 2);
			if (!tmp) {
				ret = -ENOMEM;
				kill(pid, SIGKILL);
				break;
			}
			buf = tmp;
			cap *= 2;
		}
		n = read(p[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(p[0]);
	buf[len] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!ret && (!WIFEXITED(status) || WEXITSTATUS(status)))
		ret = -ECHILD;
	*out = buf;
	return ret;
}

/* The last lines of RUN/log, for a message about a QEMU that failed. */
static void log_tail(const struct guest *g, char *buf, size_t size)
{
	char path[PATH_MAX + 8], *p;
	ssize_t n;
	off_t end;
	int fd, lines = 0;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/log", g->run);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	end = lseek(fd, 0, SEEK_END);
	n = pread(fd, buf, size - 1, end > (off_t)size - 1 ? end - (off_t)size + 1 : 0);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	/* Keep the last five lines. */
	for (p = buf + (n > 0 ? n : 0); p > buf; p--)
		if (p[-1] == '\n' && ++lines == 5)
			break;
	memmove(buf, p, strlen(p) + 1);
}

static void start_failed(struct guest *g, const char *what)
{
	char tail[1024], path[PATH_MAX + 8];

	log_tail(g, tail, sizeof(tail) / 2);
	snprintf(path, sizeof(path), "%s/log", g->run);
	snprintf(g->err, sizeof(g->err), "guest %s: QEMU %s%s%s\n(log: %s)",
		 g->m.name, what, tail[0] ? "; it said:\n" : "", tail, path);
}

static pid_t spawn(struct guest *g, const char *bin, char *const args[],
		   const char *const extra[])
{
	char log[PATH_MAX + 8], qmp[PATH_MAX + 64], pidf[PATH_MAX + 8];
	char sock[PATH_MAX + 8];
	struct strv argv = { 0 };
	int fd, i, ret = 0;
	pid_t pid;

	snprintf(log, sizeof(log), "%s/log", g->run);
	snprintf(sock, sizeof(sock), "%s/qmp", g->run);
	snprintf(qmp, sizeof(qmp), "unix:%s,server=on,wait=off", sock);
	snprintf(pidf, sizeof(pidf), "%s/pid", g->run);
	ret = strv_push(&argv, bin);
	for (i = 0; !ret && args[i]; i++)
		ret = strv_push(&argv, args[i]);
	if (!ret)
		ret = strv_push(&argv, "-qmp") ?: strv_push(&argv, qmp) ?:
		      strv_push(&argv, "-pidfile") ?: strv_push(&argv, pidf);
	for (i = 0; !ret && extra && extra[i]; i++)
		ret = strv_push(&argv, extra[i]);
	fd = ret ? -1 : open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = ret ?: -errno;
		strv_free(&argv);
		return ret;
	}
	/* A stale socket would make QEMU fail to bind. */
	unlink(sock);
	dprintf(fd, "---- %s starting QEMU\n", PROG);
	pid = fork();
	if (pid == 0) {
		/* Its own session: a terminal's Ctrl-C or hangup is not its. */
		setsid();
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		i = open("/dev/null", O_RDONLY);
		if (i >= 0)
			dup2(i, STDIN_FILENO);
		close_from_3();
		signal(SIGPIPE, SIG_DFL);
		execv(bin, argv.v);
		dprintf(STDERR_FILENO, "%s: exec %s: %s\n", PROG, bin,
			strerror(errno));
		_exit(127);
	}
	ret = pid < 0 ? -errno : pid;
	close(fd);
	strv_free(&argv);
	return ret;
}

int qemu_start(struct vq *vq, struct guest *g, const char *bin,
	       char *const args[], const char *const extra[])
{
	uint64_t deadline = monotonic_ns() + vq->timeout_ms * 1000000ULL;
	char path[PATH_MAX + 8], what[128];
	int status, ret;
	pid_t pid;

	pid = spawn(g, bin, args, extra);
	if (pid < 0) {
		snprintf(g->err, sizeof(g->err), "guest %s: starting %s: %s",
			 g->m.name, bin, strerror(-pid));
		return pid;
	}
	g->pid = pid;
	snprintf(path, sizeof(path), "%s/qmp", g->run);
	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			g->pid = 0;
			if (WIFEXITED(status))
				snprintf(what, sizeof(what), "exited with status %d",
					 WEXITSTATUS(status));
			else
				snprintf(what, sizeof(what), "was killed by signal %d",
					 WTERMSIG(status));
			start_failed(g, what);
			return -ECHILD;
		}
		ret = qmp_connect(path, vq->timeout_ms, &g->q);
		if (!ret)
			return 0;
		if ((ret != -ENOENT && ret != -ECONNREFUSED) ||
		    monotonic_ns() > deadline) {
			snprintf(what, sizeof(what), "does not answer on QMP: %s",
				 g->q ? qmp_error(g->q) : strerror(-ret));
			qmp_close(g->q);
			g->q = NULL;
			qemu_stop(vq, g);
			start_failed(g, what);
			return ret == -ENOENT || ret == -ECONNREFUSED ?
			       -ETIMEDOUT : ret;
		}
		usleep(20000);
	}
}

/* Is @pid still a process (a zombie counts as gone)? */
static bool running(int pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	/* Our own child: reap it. */
	if (waitpid(pid, NULL, WNOHANG) == pid)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

int qemu_wait_gone(int pid, int timeout_ms)
{
	uint64_t deadline = monotonic_ns() + timeout_ms * 1000000ULL;

	while (running(pid)) {
		if (monotonic_ns() > deadline) {
			kill(pid, SIGKILL);
			usleep(100000);
			return running(pid) ? -EBUSY : -ETIMEDOUT;
		}
		usleep(10000);
	}
	return 0;
}

void qemu_stop(struct vq *vq, struct guest *g)
{
	int wait = vq->timeout_ms < 5000 ? vq->timeout_ms : 5000;

	if (g->q)
		qmp_execute(g->q, "quit", NULL, -1, wait, NULL);
	qmp_close(g->q);
	g->q = NULL;
	if (g->pid > 0)
		qemu_wait_gone(g->pid, wait);
	g->pid = 0;
}
