// SPDX-License-Identifier: GPL-2.0-only
/*
 * The QEMU guest agent after a resume: the guest's clock stood still
 * while it was saved, so it is set to the host's (guest-set-time).  The
 * agent speaks QMP without a greeting; guest-sync with a fresh id first
 * skips anything left in the channel from before.  A guest without a
 * running agent costs a warning and the timeout (at most 10 s), never a
 * failure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vq.h"

static int agent_connect(const char *path, int timeout_ms, struct qmp **q)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return qmp_attach(fd, QMP_F_NO_GREETING, timeout_ms, q);
}

void qga_set_time(struct vq *vq, struct guest *g)
{
	int timeout = vq->timeout_ms < 10000 ? vq->timeout_ms : 10000;
	uint64_t deadline = monotonic_ns() + timeout * 1000000ULL, cmd = 0;
	int64_t id = (int64_t)(realtime_ns() & 0x7fffffff);
	struct json_object *args, *ret = NULL;
	struct qmp *q = NULL;
	int err;

	err = agent_connect(g->m.agent_path, timeout, &q);
	if (!err) {
		args = json_object_new_object();
		json_object_object_add(args, "id", json_object_new_int64(id));
		err = qmp_send(q, "guest-sync", args, -1, &cmd);
	}
	/* Answers left from an earlier client come first: skip them. */
	while (!err) {
		err = qmp_wait(q, cmd, timeout, &ret);
		if (!err && json_object_get_int64(ret) == id)
			break;
		json_object_put(ret);
		ret = NULL;
		if (!err && monotonic_ns() > deadline)
			err = -ETIMEDOUT;
	}
	json_object_put(ret);
	if (!err) {
		args = json_object_new_object();
		json_object_object_add(args, "time",
				       json_object_new_int64(realtime_ns()));
		err = qmp_execute(q, "guest-set-time", args, -1, timeout, NULL);
	}
	if (err)
		vq_warn(vq, "guest %s: setting its clock through the guest agent (%s): %s",
			g->m.name, g->m.agent_path,
			q && qmp_error(q)[0] ? qmp_error(q) : strerror(-err));
	qmp_close(q);
}
