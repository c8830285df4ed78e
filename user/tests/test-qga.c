// SPDX-License-Identifier: GPL-2.0-only
/*
 * Setting a resumed guest's clock through its guest agent, against a
 * fake agent on a UNIX socket: a stale answer left in the channel is
 * skipped, guest-set-time gets the host's time; an agent that does not
 * answer costs a warning and the timeout, nothing more.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tap.h"
#include "vq.h"

struct agent {
	int lfd, fd;
	bool silent;
	int64_t set_time;	/* what guest-set-time got */
	char order[128];	/* the commands seen */
	pthread_t thread;
};

static struct json_object *next_cmd(int fd, struct json_tokener *tok)
{
	struct json_object *obj = NULL;
	char c;

	while (!obj && read(fd, &c, 1) == 1)
		obj = json_tokener_parse_ex(tok, &c, 1);
	json_tokener_reset(tok);
	return obj;
}

static void *agent_main(void *arg)
{
	struct agent *a = arg;
	struct json_tokener *tok = json_tokener_new();
	struct json_object *cmd, *v, *args;
	char buf[256];

	a->fd = accept(a->lfd, NULL, NULL);
	while (a->fd >= 0 && (cmd = next_cmd(a->fd, tok))) {
		json_object_object_get_ex(cmd, "execute", &v);
		strncat(a->order, json_object_get_string(v),
			sizeof(a->order) - strlen(a->order) - 2);
		strcat(a->order, ",");
		if (!a->silent && !strcmp(json_object_get_string(v), "guest-sync")) {
			json_object_object_get_ex(cmd, "arguments", &args);
			json_object_object_get_ex(args, "id", &v);
			/* A stale answer first, without an id, as if left over. */
			snprintf(buf, sizeof(buf), "{\"return\": 17}\n{\"return\": %lld}\n",
				 (long long)json_object_get_int64(v));
			if (write(a->fd, buf, strlen(buf)) < 0)
				break;
		} else if (!a->silent) {
			json_object_object_get_ex(cmd, "arguments", &args);
			if (json_object_object_get_ex(args, "time", &v))
				a->set_time = json_object_get_int64(v);
			if (write(a->fd, "{\"return\": {}}\n", 15) < 0)
				break;
		}
		json_object_put(cmd);
	}
	json_tokener_free(tok);
	if (a->fd >= 0)
		close(a->fd);
	return NULL;
}

static void run(bool silent)
{
	char dir[] = "/tmp/test-qga.XXXXXX";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vq vq = { .timeout_ms = 500 };
	struct agent a = { .silent = silent, .fd = -1 };
	struct guest g;
	uint64_t t0;
	int64_t now;

	if (!mkdtemp(dir))
		return (void)tap_ok(0, "mkdtemp");
	guest_init(&g, &vq);
	strcpy(g.m.name, "vm1");
	snprintf(g.m.agent_path, sizeof(g.m.agent_path), "%s/qga", dir);
	memcpy(sa.sun_path, g.m.agent_path, strlen(g.m.agent_path) + 1);
	a.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(a.lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(a.lfd, 1)) {
		tap_ok(0, "bind %s", g.m.agent_path);
		return;
	}
	pthread_create(&a.thread, NULL, agent_main, &a);
	t0 = monotonic_ns();
	qga_set_time(&vq, &g);
	now = realtime_ns();
	shutdown(a.lfd, SHUT_RDWR);
	pthread_join(a.thread, NULL);
	close(a.lfd);
	unlink(g.m.agent_path);
	rmdir(dir);
	guest_close(&g);
	if (silent) {
		tap_ok(!strcmp(a.order, "guest-sync,") &&
		       monotonic_ns() - t0 < 3000000000ULL,
		       "a silent agent: only guest-sync sent, given up after the timeout (%s)",
		       a.order);
		return;
	}
	tap_ok(!strcmp(a.order, "guest-sync,guest-set-time,"),
	       "guest-sync, then guest-set-time (%s)", a.order);
	tap_ok(a.set_time > now - 5000000000LL && a.set_time <= now,
	       "the stale answer is skipped; the time set is the host's (%lld ns off)",
	       (long long)(now - a.set_time));
}

int main(void)
{
	run(false);
	run(true);
	return tap_exit();
}
