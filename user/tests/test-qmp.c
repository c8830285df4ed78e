// SPDX-License-Identifier: GPL-2.0-only
/*
 * The QMP client against a fake QMP server: a thread on the other end of
 * a socketpair that plays one script per test (greeting, capabilities,
 * replies out of order, events, errors, silence, hang-ups, broken JSON,
 * descriptors received with SCM_RIGHTS).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "qmp.h"
#include "tap.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, \"package\": \"Debian 1:7.2+dfsg-7\"}, \"capabilities\": [\"oob\"]}}\r\n"

/* ------------------------------------------------------ the fake server */

struct server {
	int fd;
	void (*script)(struct server *s);
	struct json_tokener *tok;
	int passed_fd;			/* the last descriptor received */
	char note[256];			/* what the script saw, for checks */
	pthread_t thread;
};

static void srv_send(struct server *s, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;

	while (len) {
		n = write(s->fd, text, len);
		if (n <= 0)
			return;
		text += n;
		len -= n;
	}
}

/* Reads one command; keeps a received descriptor in s->passed_fd. */
static struct json_object *srv_recv(struct server *s)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct json_object *obj = NULL;
	struct cmsghdr *cm;
	struct msghdr mh;
	struct iovec iov;
	char c;
	ssize_t n;

	/* One byte at a time: no command is read past its end. */
	while (!obj) {
		iov = (struct iovec){ .iov_base = &c, .iov_len = 1 };
		mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = cbuf,
				      .msg_controllen = sizeof(cbuf) };
		n = recvmsg(s->fd, &mh, 0);
		if (n <= 0)
			return NULL;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_type == SCM_RIGHTS)
				memcpy(&s->passed_fd, CMSG_DATA(cm), sizeof(int));
		obj = json_tokener_parse_ex(s->tok, &c, 1);
	}
	json_tokener_reset(s->tok);
	return obj;
}

static uint64_t srv_id(struct json_object *cmd)
{
	struct json_object *id;

	json_object_object_get_ex(cmd, "id", &id);
	return json_object_get_uint64(id);
}

static const char *srv_name(struct json_object *cmd)
{
	struct json_object *name;

	json_object_object_get_ex(cmd, "execute", &name);
	return json_object_get_string(name);
}

/* Replies @ret (a JSON text) to the next command, with its id. */
static void srv_reply(struct server *s, const char *ret)
{
	struct json_object *cmd = srv_recv(s);
	char buf[512];

	if (!cmd)
		return;
	snprintf(buf, sizeof(buf), "{\"return\": %s, \"id\": %llu}\r\n", ret,
		 (unsigned long long)srv_id(cmd));
	json_object_put(cmd);
	srv_send(s, buf);
}

static void srv_handshake(struct server *s)
{
	srv_send(s, GREETING);
	srv_reply(s, "{}");
}

static void *server_main(void *arg)
{
	struct server *s = arg;

	s->script(s);
	return NULL;
}

/* The client's end of a fresh pair with @script running on the other. */
static int server_start(struct server *s, void (*script)(struct server *s))
{
	int sv[2];

	memset(s, 0, sizeof(*s));
	s->passed_fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	s->fd = sv[1];
	s->script = script;
	s->tok = json_tokener_new();
	pthread_create(&s->thread, NULL, server_main, s);
	return sv[0];
}

static void server_stop(struct server *s)
{
	pthread_join(s->thread, NULL);
	close(s->fd);
	json_tokener_free(s->tok);
	if (s->passed_fd >= 0)
		close(s->passed_fd);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Holds the server's end open until the client closed its own. */
static void srv_drain(struct server *s)
{
	char c;

	while (read(s->fd, &c, 1) > 0)
		;
}

/* ------------------------------------------------------------ greeting */

static void script_handshake(struct server *s)
{
	struct json_object *cmd;

	srv_send(s, GREETING);
	cmd = srv_recv(s);
	snprintf(s->note, sizeof(s->note), "%s", cmd ? srv_name(cmd) : "");
	if (cmd) {
		char buf[128];

		snprintf(buf, sizeof(buf), "{\"return\": {}, \"id\": %llu}\r\n",
			 (unsigned long long)srv_id(cmd));
		srv_send(s, buf);
		json_object_put(cmd);
	}
	srv_drain(s);
}

static void test_greeting(void)
{
	struct server s;
	struct qmp *q;
	int fd, ret;

	fd = server_start(&s, script_handshake);
	ret = qmp_attach(fd, 0, 2000, &q);
	tap_ok(ret == 0, "greeting and qmp_capabilities: attach succeeds (%d)", ret);
	tap_ok(q && qmp_version(q)->major == 7 && qmp_version(q)->minor == 2 &&
	       qmp_version(q)->micro == 22,
	       "the greeting's version is 7.2.22");
	tap_ok(q && !strcmp(qmp_version(q)->package, "Debian 1:7.2+dfsg-7"),
	       "the greeting's package is kept");
	qmp_close(q);
	server_stop(&s);
	tap_ok(!strcmp(s.note, "qmp_capabilities"),
	       "the first command is qmp_capabilities");
}

static void script_not_qmp(struct server *s)
{
	srv_send(s, "{\"hello\": \"world\"}\r\n");
	srv_drain(s);
}

static void script_caps_refused(struct server *s)
{
	struct json_object *cmd;
	char buf[256];

	srv_send(s, GREETING);
	cmd = srv_recv(s);
	snprintf(buf, sizeof(buf),
		 "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no capabilities today\"}, \"id\": %llu}\r\n",
		 cmd ? (unsigned long long)srv_id(cmd) : 0ULL);
	json_object_put(cmd);
	srv_send(s, buf);
	srv_drain(s);
}

static void script_silent(struct server *s)
{
	srv_drain(s);
}

static void test_handshake_failures(void)
{
	struct server s;
	struct qmp *q;
	double t0;
	int fd, ret;

	fd = server_start(&s, script_not_qmp);
	ret = qmp_attach(fd, 0, 2000, &q);
	tap_ok(ret == -EBADMSG && strstr(qmp_error(q), "greeting"),
	       "a first message that is not a greeting is -EBADMSG (%d: %s)",
	       ret, q ? qmp_error(q) : "");
	qmp_close(q);
	server_stop(&s);

	fd = server_start(&s, script_caps_refused);
	ret = qmp_attach(fd, 0, 2000, &q);
	tap_ok(ret == -EREMOTEIO && strstr(qmp_error(q), "no capabilities today") &&
	       !strcmp(qmp_error_class(q), "CommandNotFound"),
	       "a refused qmp_capabilities is -EREMOTEIO with the reason (%s)",
	       q ? qmp_error(q) : "");
	qmp_close(q);
	server_stop(&s);

	fd = server_start(&s, script_silent);
	t0 = now_s();
	ret = qmp_attach(fd, 0, 300, &q);
	tap_ok(ret == -ETIMEDOUT && now_s() - t0 >= 0.29 && now_s() - t0 < 2,
	       "no greeting: -ETIMEDOUT after the timeout (%.3f s)", now_s() - t0);
	tap_ok(q && strstr(qmp_error(q), "greeting"),
	       "the message says the greeting was awaited (%s)",
	       q ? qmp_error(q) : "");
	qmp_close(q);
	server_stop(&s);
}

/* ------------------------------------------------- replies and events */

static void script_interleaved(struct server *s)
{
	struct json_object *cmd;
	char buf[256];

	srv_handshake(s);
	cmd = srv_recv(s);
	srv_send(s, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}\r\n");
	/* A late reply to some earlier command: not ours. */
	srv_send(s, "{\"return\": {\"status\": \"wrong\"}, \"id\": 99999}\r\n");
	/* An event in pieces, then the reply and another event at once. */
	srv_send(s, "{\"event\": \"RES");
	usleep(20000);
	srv_send(s, "UME\", \"timestamp\": {\"seconds\": 3, \"microseconds\": 4}}");
	usleep(20000);
	snprintf(buf, sizeof(buf),
		 "\r\n{\"return\": {\"status\": \"running\", \"running\": true}, \"id\": %llu}\r\n{\"event\": \"SHUTDOWN\"}\r\n",
		 (unsigned long long)srv_id(cmd));
	json_object_put(cmd);
	srv_send(s, buf);
	srv_drain(s);
}

static const char *str_field(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return "";
	return json_object_get_string(v);
}

static void test_interleaved(void)
{
	struct json_object *ret = NULL, *ev = NULL;
	struct server s;
	struct qmp *q;
	int fd, err;

	fd = server_start(&s, script_interleaved);
	err = qmp_attach(fd, 0, 2000, &q);
	if (!tap_ok(err == 0, "attach for the interleaving test")) {
		qmp_close(q);
		server_stop(&s);
		return;
	}
	err = qmp_execute(q, "query-status", NULL, -1, 2000, &ret);
	tap_ok(err == 0 && !strcmp(str_field(ret, "status"), "running"),
	       "the reply with our id is returned, not the one with another id (%s)",
	       str_field(ret, "status"));
	json_object_put(ret);
	/* SHUTDOWN came in the same read as the reply: it may be queued. */
	tap_ok(qmp_events_queued(q) >= 2,
	       "events that arrived before the reply are queued (%u)",
	       qmp_events_queued(q));
	err = qmp_event(q, "RESUME", 0, &ev);
	tap_ok(err == 0 && !strcmp(str_field(ev, "event"), "RESUME"),
	       "an event split over two writes is whole, and found by name");
	json_object_put(ev);
	err = qmp_event(q, NULL, 0, &ev);
	tap_ok(err == 0 && !strcmp(str_field(ev, "event"), "STOP"),
	       "the other queued event stays in arrival order");
	json_object_put(ev);
	err = qmp_event(q, NULL, 1000, &ev);
	tap_ok(err == 0 && !strcmp(str_field(ev, "event"), "SHUTDOWN"),
	       "an event after the reply is read too");
	json_object_put(ev);
	err = qmp_event(q, NULL, 100, &ev);
	tap_ok(err == -ETIMEDOUT && !ev,
	       "no more events: -ETIMEDOUT (%d)", err);
	qmp_close(q);
	server_stop(&s);
}

static void script_errors(struct server *s)
{
	struct json_object *cmd;
	char buf[256];

	srv_handshake(s);
	cmd = srv_recv(s);
	snprintf(buf, sizeof(buf),
		 "{\"id\": %llu, \"error\": {\"class\": \"GenericError\", \"desc\": \"Migration is disabled when VirtFS export path '/' is mounted in the guest using mount_tag 'fs'\"}}\r\n",
		 (unsigned long long)srv_id(cmd));
	json_object_put(cmd);
	srv_send(s, buf);
	/* A parse error: QEMU cannot echo the id. */
	cmd = srv_recv(s);
	json_object_put(cmd);
	srv_send(s, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, invalid keyword 'x'\"}}\r\n");
	srv_reply(s, "{\"ok\": 1}");
	srv_drain(s);
}

static void test_errors(void)
{
	struct json_object *ret = NULL;
	struct server s;
	struct qmp *q;
	int fd, err;

	fd = server_start(&s, script_errors);
	err = qmp_attach(fd, 0, 2000, &q);
	if (!tap_ok(err == 0, "attach for the error test")) {
		qmp_close(q);
		server_stop(&s);
		return;
	}
	err = qmp_execute(q, "migrate", json_object_new_object(), -1, 2000, &ret);
	tap_ok(err == -EREMOTEIO && !ret &&
	       !strcmp(qmp_error_class(q), "GenericError") &&
	       strstr(qmp_error(q), "Migration is disabled"),
	       "an error reply is -EREMOTEIO with class and description (%s)",
	       qmp_error(q));
	err = qmp_execute(q, "x", NULL, -1, 2000, &ret);
	tap_ok(err == -EREMOTEIO && strstr(qmp_error(q), "parse error"),
	       "an error reply without an id answers the command awaited");
	err = qmp_execute(q, "query-ok", NULL, -1, 2000, &ret);
	tap_ok(err == 0 && ret && !qmp_error(q)[0],
	       "the connection goes on after error replies, the error is cleared");
	json_object_put(ret);
	qmp_close(q);
	server_stop(&s);
}

/* ---------------------------------------------------------- timeouts */

static void script_late(struct server *s)
{
	struct json_object *cmd, *cmd2;
	char buf[256];

	srv_handshake(s);
	cmd = srv_recv(s);
	/* Silent until the client asked again. */
	cmd2 = srv_recv(s);
	snprintf(buf, sizeof(buf),
		 "{\"return\": {\"which\": \"late\"}, \"id\": %llu}\r\n{\"return\": {\"which\": \"second\"}, \"id\": %llu}\r\n",
		 (unsigned long long)srv_id(cmd),
		 (unsigned long long)srv_id(cmd2));
	json_object_put(cmd);
	json_object_put(cmd2);
	srv_send(s, buf);
	srv_drain(s);
}

static void test_timeout(void)
{
	struct json_object *ret = NULL;
	struct server s;
	struct qmp *q;
	double t0;
	int fd, err;

	fd = server_start(&s, script_late);
	err = qmp_attach(fd, 0, 2000, &q);
	if (!tap_ok(err == 0, "attach for the timeout test")) {
		qmp_close(q);
		server_stop(&s);
		return;
	}
	t0 = now_s();
	err = qmp_execute(q, "stop", NULL, -1, 300, &ret);
	tap_ok(err == -ETIMEDOUT && now_s() - t0 >= 0.29 && now_s() - t0 < 2,
	       "a command without an answer is -ETIMEDOUT after its timeout (%.3f s)",
	       now_s() - t0);
	tap_ok(strstr(qmp_error(q), "'stop'") != NULL,
	       "the message names the command (%s)", qmp_error(q));
	err = qmp_execute(q, "query-status", NULL, -1, 2000, &ret);
	tap_ok(err == 0 && !strcmp(str_field(ret, "which"), "second"),
	       "the late reply to the timed-out command is dropped, the next one matched (%s)",
	       str_field(ret, "which"));
	json_object_put(ret);
	qmp_close(q);
	server_stop(&s);
}

/* ----------------------------------------------- hang-ups, broken JSON */

static void script_close(struct server *s)
{
	srv_handshake(s);
	json_object_put(srv_recv(s));
	shutdown(s->fd, SHUT_RDWR);
}

static void script_close_mid(struct server *s)
{
	srv_handshake(s);
	json_object_put(srv_recv(s));
	srv_send(s, "{\"return\": {\"status\": \"runn");
	shutdown(s->fd, SHUT_RDWR);
}

static void script_malformed(struct server *s)
{
	srv_handshake(s);
	json_object_put(srv_recv(s));
	srv_send(s, "{\"return\": {\"status\": ]}\r\n");
	srv_drain(s);
}

static void script_not_object(struct server *s)
{
	srv_handshake(s);
	json_object_put(srv_recv(s));
	srv_send(s, "[1, 2, 3]\r\n");
	srv_drain(s);
}

static void test_broken(void (*script)(struct server *s), int expect,
			const char *what, const char *msg)
{
	struct json_object *ret = NULL;
	struct server s;
	struct qmp *q;
	int fd, err;

	fd = server_start(&s, script);
	err = qmp_attach(fd, 0, 2000, &q);
	if (!tap_ok(err == 0, "attach for: %s", what)) {
		qmp_close(q);
		server_stop(&s);
		return;
	}
	err = qmp_execute(q, "query-status", NULL, -1, 2000, &ret);
	tap_ok(err == expect && !ret && strstr(qmp_error(q), msg),
	       "%s: %d (%s)", what, err, qmp_error(q));
	err = qmp_execute(q, "query-status", NULL, -1, 2000, &ret);
	tap_ok(err == expect, "%s: the next command fails the same way at once",
	       what);
	qmp_close(q);
	server_stop(&s);
}

/* Messages one byte per write, several messages per write. */
static void script_bytes(struct server *s)
{
	const char *msg = "{\"event\": \"STOP\"}\r\n";
	struct json_object *cmd;
	char buf[256];
	size_t i;

	srv_handshake(s);
	cmd = srv_recv(s);
	for (i = 0; msg[i]; i++) {
		srv_send(s, (char[]){ msg[i], 0 });
		usleep(1000);
	}
	snprintf(buf, sizeof(buf),
		 "{\"event\": \"A\"}{\"event\": \"B\"}\r\n{\"return\": {}, \"id\": %llu}",
		 (unsigned long long)srv_id(cmd));
	json_object_put(cmd);
	srv_send(s, buf);
	srv_drain(s);
}

static void test_bytes(void)
{
	struct json_object *ev;
	struct server s;
	struct qmp *q;
	int fd, err;

	fd = server_start(&s, script_bytes);
	err = qmp_attach(fd, 0, 2000, &q);
	if (!err)
		err = qmp_execute(q, "cont", NULL, -1, 2000, NULL);
	tap_ok(err == 0 && qmp_events_queued(q) == 3,
	       "a message written byte by byte and messages without separators are parsed (%d, %u events)",
	       err, q ? qmp_events_queued(q) : 0);
	if (q && !qmp_event(q, "B", 0, &ev)) {
		tap_ok(1, "the last of three queued events is found by name");
		json_object_put(ev);
	} else {
		tap_ok(0, "the last of three queued events is found by name");
	}
	qmp_close(q);
	server_stop(&s);
}

/* --------------------------------------------------------- fd passing */

static void script_fds(struct server *s)
{
	struct json_object *cmd;
	char buf[256];

	srv_handshake(s);
	cmd = srv_recv(s);
	/* Write through the descriptor we were given, then answer. */
	if (s->passed_fd >= 0 && write(s->passed_fd, "via-getfd", 9) == 9)
		snprintf(s->note, sizeof(s->note), "%s", srv_name(cmd));
	close(s->passed_fd);
	s->passed_fd = -1;
	snprintf(buf, sizeof(buf), "{\"return\": {}, \"id\": %llu}\r\n",
		 (unsigned long long)srv_id(cmd));
	json_object_put(cmd);
	srv_send(s, buf);

	cmd = srv_recv(s);
	if (s->passed_fd >= 0 && write(s->passed_fd, "via-add-fd", 10) == 10)
		strncat(s->note, ",", sizeof(s->note) - strlen(s->note) - 1);
	strncat(s->note, srv_name(cmd), sizeof(s->note) - strlen(s->note) - 1);
	snprintf(buf, sizeof(buf),
		 "{\"return\": {\"fdset-id\": 7, \"fd\": %d}, \"id\": %llu}\r\n",
		 s->passed_fd, (unsigned long long)srv_id(cmd));
	json_object_put(cmd);
	srv_send(s, buf);
	/* A command without a descriptor: none must arrive. */
	close(s->passed_fd);
	s->passed_fd = -1;
	srv_reply(s, "{}");
	if (s->passed_fd >= 0)
		strncat(s->note, ",unexpected-fd",
			sizeof(s->note) - strlen(s->note) - 1);
	srv_drain(s);
}

static void test_fd_passing(void)
{
	struct json_object *args, *ret = NULL, *v;
	char got[32] = "";
	struct server s;
	struct qmp *q;
	int fd, err, p[2];
	ssize_t n;

	if (pipe2(p, O_CLOEXEC))
		return (void)tap_ok(0, "pipe for the fd passing test");
	fd = server_start(&s, script_fds);
	err = qmp_attach(fd, 0, 2000, &q);
	args = json_object_new_object();
	json_object_object_add(args, "fdname", json_object_new_string("state"));
	if (!err)
		err = qmp_execute(q, "getfd", args, p[1], 2000, NULL);
	else
		json_object_put(args);
	n = read(p[0], got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	tap_ok(err == 0 && !strcmp(got, "via-getfd"),
	       "getfd: the descriptor reaches the server with the command (%s)",
	       got);

	args = json_object_new_object();
	json_object_object_add(args, "opaque", json_object_new_string("x"));
	err = q ? qmp_execute(q, "add-fd", args, p[1], 2000, &ret) : -1;
	n = read(p[0], got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	tap_ok(err == 0 && !strcmp(got, "via-add-fd") &&
	       json_object_object_get_ex(ret, "fdset-id", &v) &&
	       json_object_get_int(v) == 7,
	       "add-fd: the descriptor is passed and the fdset id returned (%s)",
	       got);
	json_object_put(ret);
	err = q ? qmp_execute(q, "query-fdsets", NULL, -1, 2000, NULL) : -1;
	qmp_close(q);
	server_stop(&s);
	tap_ok(err == 0 && !strcmp(s.note, "getfd,add-fd"),
	       "the server saw getfd and add-fd with descriptors, nothing with the next command (%s)",
	       s.note);
	close(p[0]);
	close(p[1]);
}

/* ------------------------------------------------------- guest agent */

static void script_agent(struct server *s)
{
	srv_reply(s, "4242");
	srv_drain(s);
}

static void test_agent(void)
{
	struct json_object *args = json_object_new_object(), *ret = NULL;
	struct server s;
	struct qmp *q;
	int fd, err;

	fd = server_start(&s, script_agent);
	err = qmp_attach(fd, QMP_F_NO_GREETING, 2000, &q);
	json_object_object_add(args, "id", json_object_new_int(4242));
	if (!err)
		err = qmp_execute(q, "guest-sync", args, -1, 2000, &ret);
	else
		json_object_put(args);
	tap_ok(err == 0 && json_object_get_int(ret) == 4242,
	       "a guest agent connection has no greeting; guest-sync answers");
	json_object_put(ret);
	qmp_close(q);
	server_stop(&s);
}

/* ------------------------------------------------- a real UNIX socket */

struct listener {
	int lfd;
	struct server s;
};

static void *accept_main(void *arg)
{
	struct listener *l = arg;

	l->s.fd = accept(l->lfd, NULL, NULL);
	if (l->s.fd >= 0)
		script_handshake(&l->s);
	return NULL;
}

static void test_connect(void)
{
	char dir[] = "/tmp/test-qmp.XXXXXX", path[64];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct listener l = { .lfd = -1 };
	struct qmp *q;
	int ret;

	if (!mkdtemp(dir))
		return (void)tap_ok(0, "mkdtemp");
	snprintf(path, sizeof(path), "%s/qmp", dir);
	ret = qmp_connect(path, 500, &q);
	tap_ok(ret == -ENOENT && !q, "connect to a missing socket: -ENOENT (%d)", ret);

	memset(&l.s, 0, sizeof(l.s));
	l.s.tok = json_tokener_new();
	l.s.passed_fd = -1;
	l.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (bind(l.lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(l.lfd, 1)) {
		tap_ok(0, "bind %s", path);
	} else {
		pthread_create(&l.s.thread, NULL, accept_main, &l);
		ret = qmp_connect(path, 2000, &q);
		tap_ok(ret == 0 && qmp_version(q)->major == 7,
		       "connect to a listening UNIX socket and negotiate (%d)", ret);
		qmp_close(q);
		pthread_join(l.s.thread, NULL);
		close(l.s.fd);
	}
	json_tokener_free(l.s.tok);
	close(l.lfd);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_greeting();
	test_handshake_failures();
	test_interleaved();
	test_errors();
	test_timeout();
	test_broken(script_close, -ECONNRESET, "the peer closes",
		    "closed the connection");
	test_broken(script_close_mid, -ECONNRESET,
		    "the peer closes in the middle of a reply",
		    "in the middle of a message");
	test_broken(script_malformed, -EBADMSG, "malformed JSON",
		    "malformed JSON");
	test_broken(script_not_object, -EBADMSG, "a message that is not an object",
		    "not an object");
	test_bytes();
	test_fd_passing();
	test_agent();
	test_connect();
	return tap_exit();
}
