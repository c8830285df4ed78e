// SPDX-License-Identifier: GPL-2.0-only
/*
 * qmp_run: run QMP commands against one QEMU, in order, and time them
 * (the downtime benchmark's driver; static, shipped into the test VM).
 *
 *   qmp_run SOCKET STEP...
 *
 * STEP is a QMP command as JSON ({"execute": ...}), or
 *   migrated     poll query-migrate until "completed" (fails on "failed")
 *   status=S     poll query-status until the status is S
 *   time         print the monotonic time in seconds, "time T"
 * After each step one line: "STEP-NAME SECONDS" (the step's duration);
 * an error answer or a failed migration ends it with status 1, the
 * answer on stderr.  Waits at most QMP_RUN_TIMEOUT seconds (default 300)
 * for the socket and for any answer.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

static int fd = -1;
static char buf[1 << 20];
static size_t len;
static int timeout_s = 300;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "qmp_run: %s\n", what);
	exit(1);
}

/* The next message that is not an event. */
static struct json_object *reply(void)
{
	struct json_object *o;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char *nl;
	ssize_t n;

	for (;;) {
		while ((nl = memchr(buf, '\n', len))) {
			*nl = 0;
			o = json_tokener_parse(buf);
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len);
			if (!o)
				continue;
			if (!json_object_object_get_ex(o, "event", NULL))
				return o;
			json_object_put(o);
		}
		if (len == sizeof(buf))
			die("answer too long");
		if (poll(&p, 1, timeout_s * 1000) != 1)
			die("no answer from QEMU");
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n <= 0)
			die("QEMU closed the connection");
		len += n;
	}
}

/* Sends @cmd, returns its "return" (a reference the caller puts). */
static struct json_object *execute(const char *cmd)
{
	struct json_object *o, *r;

	if (write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) < 0)
		die("cannot write to QEMU");
	o = reply();
	if (!json_object_object_get_ex(o, "return", &r)) {
		fprintf(stderr, "qmp_run: %s -> %s\n", cmd,
			json_object_to_json_string(o));
		exit(1);
	}
	json_object_get(r);
	json_object_put(o);
	return r;
}

static const char *field(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static void poll_until(const char *query, const char *key, const char *want)
{
	struct json_object *r;
	double t0 = now();

	for (;;) {
		r = execute(query);
		if (!strcmp(field(r, key), want)) {
			json_object_put(r);
			return;
		}
		if (!strcmp(field(r, key), "failed")) {
			fprintf(stderr, "qmp_run: %s\n", json_object_to_json_string(r));
			exit(1);
		}
		json_object_put(r);
		if (now() - t0 > timeout_s)
			die("timed out");
		usleep(10000);
	}
}

static void connect_qmp(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	double t0 = now();

	if (strlen(path) >= sizeof(a.sun_path))
		die("socket path too long");
	strcpy(a.sun_path, path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			break;
		close(fd);
		if (now() - t0 > timeout_s)
			die("cannot connect to the QMP socket");
		usleep(20000);
	}
	json_object_put(reply());	/* the greeting */
	json_object_put(execute("{\"execute\": \"qmp_capabilities\"}"));
}

int main(int argc, char **argv)
{
	const char *t = getenv("QMP_RUN_TIMEOUT");
	double t0;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: qmp_run SOCKET STEP...\n");
		return 2;
	}
	if (t)
		timeout_s = atoi(t);
	setvbuf(stdout, NULL, _IOLBF, 0);
	connect_qmp(argv[1]);
	for (i = 2; i < argc; i++) {
		t0 = now();
		if (!strcmp(argv[i], "migrated"))
			poll_until("{\"execute\": \"query-migrate\"}", "status", "completed");
		else if (!strncmp(argv[i], "status=", 7))
			poll_until("{\"execute\": \"query-status\"}", "status", argv[i] + 7);
		else if (!strcmp(argv[i], "time")) {
			printf("time %.6f\n", t0);
			continue;
		} else
			json_object_put(execute(argv[i]));
		printf("%.40s %.6f\n", argv[i], now() - t0);
	}
	return 0;
}
