// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl as a subprocess, for the kexec steps of update.  Only its
 * documented interface is used (vmpkramctl(8)): "--json" output on stdout
 * (an object; on failure {"error": {"message": ...}}), exit status 0 for
 * success.  Its stderr is kept for the message when stdout says nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vq.h"

int ctl_path(char *buf, size_t size)
{
	const char *env = getenv("VMPKRAMCTL");
	char self[PATH_MAX], *slash;
	ssize_t n;

	if (env && env[0]) {
		snprintf(buf, size, "%s", env);
		return access(buf, X_OK) ? -errno : 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, size, "%s/vmpkramctl", self);
			if (!access(buf, X_OK))
				return 0;
		}
	}
	return qemu_binary("vmpkramctl", buf, size);
}

struct obuf {
	char *s;
	size_t len, cap;
};

static void obuf_add(struct obuf *b, const char *data, size_t n)
{
	char *tmp;

	if (b->len + n + 1 > b->cap) {
		tmp = realloc(b->s, b->len + n + 4096);
		if (!tmp)
			return;
		b->s = tmp;
		b->cap = b->len + n + 4096;
	}
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Both pipes, until both end. */
static void collect(int out, int err, struct obuf *o, struct obuf *e)
{
	struct pollfd pfd[2] = {
		{ .fd = out, .events = POLLIN }, { .fd = err, .events = POLLIN },
	};
	struct obuf *b[2] = { o, e };
	char buf[4096];
	ssize_t n;
	int i, open = 2;

	while (open && poll(pfd, 2, -1) > 0) {
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			n = read(pfd[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				pfd[i].fd = -1;
				open--;
			} else {
				obuf_add(b[i], buf, n);
			}
		}
	}
}

/* The message of a failed run: JSON error.message, else stderr. */
static void failure_text(const char *out, const char *err, int status,
			 char *msg, size_t size)
{
	struct json_object *obj = json_tokener_parse(out ? out : "");
	struct json_object *e, *m;
	size_t len;

	if (obj && json_object_object_get_ex(obj, "error", &e) &&
	    json_object_object_get_ex(e, "message", &m)) {
		snprintf(msg, size, "%s", json_object_get_string(m));
	} else if (err && err[0]) {
		snprintf(msg, size, "%s", err);
		len = strlen(msg);
		while (len && msg[len - 1] == '\n')
			msg[--len] = '\0';
	} else {
		snprintf(msg, size, "exit status %d", status);
	}
	json_object_put(obj);
}

int ctl_run(struct vq *vq, const char *const args[], struct json_object **out,
	    char *err, size_t errlen)
{
	struct obuf o = { 0 }, e = { 0 };
	char path[PATH_MAX];
	const char *argv[16];
	int po[2], pe[2], status = 0, i, ret;
	pid_t pid;

	(void)vq;
	if (out)
		*out = NULL;
	ret = ctl_path(path, sizeof(path));
	if (ret) {
		snprintf(err, errlen,
			 "vmpkramctl not found (next to " PROG ", on PATH, or $VMPKRAMCTL): %s",
			 strerror(-ret));
		return ret;
	}
	argv[0] = path;
	argv[1] = "--json";
	for (i = 0; args[i] && i < 13; i++)
		argv[i + 2] = args[i];
	argv[i + 2] = NULL;
	if (pipe2(po, O_CLOEXEC))
		return -errno;
	if (pipe2(pe, O_CLOEXEC)) {
		ret = -errno;
		close(po[0]);
		close(po[1]);
		return ret;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	if (pid < 0) {
		ret = -errno;
		close(po[0]);
		close(pe[0]);
		return ret;
	}
	collect(po[0], pe[0], &o, &e);
	close(po[0]);
	close(pe[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && !WEXITSTATUS(status)) {
		if (out)
			*out = json_tokener_parse(o.s ? o.s : "");
		ret = 0;
	} else {
		failure_text(o.s, e.s, WIFEXITED(status) ?
			     WEXITSTATUS(status) : 128 + WTERMSIG(status),
			     err, errlen);
		ret = -EIO;
	}
	free(o.s);
	free(e.s);
	return ret;
}
