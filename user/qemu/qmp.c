// SPDX-License-Identifier: GPL-2.0-only
/*
 * QMP client.  QEMU sends one JSON object per message (separated by
 * CRLF, which a JSON parser treats as white space): the greeting, replies
 * ("return" or "error", with the id of the command) and events at any
 * moment.  A json-c tokener is fed whatever the socket gives, so a
 * message may arrive in any number of pieces and several messages in one
 * read.  Every wait polls against a deadline: a QEMU that stops answering
 * costs the caller its timeout, never a hang.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "qmp.h"

struct qmp {
	int fd;
	unsigned int flags;
	struct json_tokener *tok;
	size_t msg_bytes;		/* fed to the tokener since the last
					 * complete message */
	char buf[16384];		/* read but not yet parsed */
	size_t len, off;
	int dead;			/* sticky -ECONNRESET or -EBADMSG */
	uint64_t next_id;
	uint64_t last_id;		/* of the last command sent, */
	char last_cmd[64];		/* and its name */
	struct json_object *events[QMP_MAX_EVENTS];	/* a ring */
	unsigned int ev_head, ev_count;
	unsigned long ev_dropped;
	struct qmp_version version;
	char err[512];
	char err_class[64];
	FILE *trace;
	char trace_prefix[32];
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int deadline_left(int64_t deadline)
{
	int64_t left = deadline - now_ms();

	return left > 0 ? (int)left : 0;
}

static int64_t deadline_of(int timeout_ms)
{
	return now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
}

static int fail(struct qmp *q, int error, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct qmp *q, int error, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vsnprintf(q->err, sizeof(q->err), format, args);
	va_end(args);
	if (error == -ECONNRESET || error == -EBADMSG)
		q->dead = error;
	return error;
}

static void trace(struct qmp *q, const char *dir, const char *text)
{
	if (q->trace)
		fprintf(q->trace, "%s%s %s\n", q->trace_prefix, dir, text);
}

void qmp_set_trace(struct qmp *q, FILE *trace, const char *prefix)
{
	q->trace = trace;
	snprintf(q->trace_prefix, sizeof(q->trace_prefix), "%s",
		 prefix ? prefix : "");
}

const char *qmp_error(const struct qmp *q)
{
	return q->err;
}

const char *qmp_error_class(const struct qmp *q)
{
	return q->err_class;
}

const struct qmp_version *qmp_version(const struct qmp *q)
{
	return &q->version;
}

unsigned int qmp_events_queued(const struct qmp *q)
{
	return q->ev_count;
}

/* ------------------------------------------------------------ reading */

/*
 * @waiting names what we wait for ("the reply to 'stop'") and @timeout_ms
 * the wait's whole budget, for the messages.
 */
static int read_more(struct qmp *q, int64_t deadline, const char *waiting,
		     int timeout_ms)
{
	struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
	ssize_t n;
	int ret;

	for (;;) {
		ret = poll(&pfd, 1, deadline_left(deadline));
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return fail(q, -errno, "poll: %s", strerror(errno));
		if (!ret)
			return fail(q, -ETIMEDOUT, "no %s within %d ms",
				    waiting, timeout_ms);
		n = read(q->fd, q->buf, sizeof(q->buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return fail(q, -errno, "read: %s", strerror(errno));
		if (!n)
			return fail(q, -ECONNRESET, "the peer closed the connection%s while waiting for the %s",
				    q->msg_bytes ? " in the middle of a message" : "",
				    waiting);
		q->len = n;
		q->off = 0;
		return 0;
	}
}

/* The next complete message, an object. */
static int read_message(struct qmp *q, int64_t deadline, const char *waiting,
			int timeout_ms, struct json_object **out)
{
	enum json_tokener_error jerr;
	struct json_object *obj;
	size_t used;
	int ret;

	if (q->dead)
		return fail(q, q->dead, "the connection is unusable after an earlier error");
	for (;;) {
		if (q->off == q->len) {
			ret = read_more(q, deadline, waiting, timeout_ms);
			if (ret)
				return ret;
		}
		obj = json_tokener_parse_ex(q->tok, q->buf + q->off,
					    q->len - q->off);
		jerr = json_tokener_get_error(q->tok);
		used = json_tokener_get_parse_end(q->tok);
		q->off += used;
		q->msg_bytes += used;
		if (!obj && jerr != json_tokener_continue)
			return fail(q, -EBADMSG, "malformed JSON from the peer: %s",
				    json_tokener_error_desc(jerr));
		if (!obj && q->msg_bytes > QMP_MAX_MESSAGE)
			return fail(q, -EBADMSG, "message larger than %u bytes from the peer",
				    QMP_MAX_MESSAGE);
		if (!obj)
			continue;
		json_tokener_reset(q->tok);
		q->msg_bytes = 0;
		trace(q, "<-", json_object_to_json_string_ext(obj,
					JSON_C_TO_STRING_PLAIN));
		if (!json_object_is_type(obj, json_type_object)) {
			json_object_put(obj);
			return fail(q, -EBADMSG, "the peer sent a JSON value that is not an object");
		}
		*out = obj;
		return 0;
	}
}

static void queue_event(struct qmp *q, struct json_object *ev)
{
	unsigned int tail;

	if (q->ev_count == QMP_MAX_EVENTS) {
		json_object_put(q->events[q->ev_head]);
		q->ev_head = (q->ev_head + 1) % QMP_MAX_EVENTS;
		q->ev_count--;
		q->ev_dropped++;
	}
	tail = (q->ev_head + q->ev_count) % QMP_MAX_EVENTS;
	q->events[tail] = ev;
	q->ev_count++;
}

static const char *event_name(struct json_object *msg)
{
	struct json_object *name;

	if (!json_object_object_get_ex(msg, "event", &name) ||
	    !json_object_is_type(name, json_type_string))
		return NULL;
	return json_object_get_string(name);
}

/*
 * Is @msg the reply to @id?  A reply without an id counts: QEMU cannot
 * echo the id of a command it could not parse.
 */
static bool reply_to(struct json_object *msg, uint64_t id)
{
	struct json_object *mid;

	if (!json_object_object_get_ex(msg, "id", &mid))
		return true;
	return json_object_is_type(mid, json_type_int) &&
	       json_object_get_uint64(mid) == id;
}

static bool is_reply(struct json_object *msg)
{
	return json_object_object_get_ex(msg, "return", NULL) ||
	       json_object_object_get_ex(msg, "error", NULL);
}

static int reply_result(struct qmp *q, struct json_object *msg,
			struct json_object **ret)
{
	struct json_object *err, *cls, *desc, *val;

	if (json_object_object_get_ex(msg, "error", &err)) {
		json_object_object_get_ex(err, "class", &cls);
		json_object_object_get_ex(err, "desc", &desc);
		snprintf(q->err_class, sizeof(q->err_class), "%s",
			 cls ? json_object_get_string(cls) : "");
		snprintf(q->err, sizeof(q->err), "%s",
			 desc ? json_object_get_string(desc) : "error without description");
		return -EREMOTEIO;
	}
	json_object_object_get_ex(msg, "return", &val);
	if (ret)
		*ret = json_object_get(val);
	return 0;
}

int qmp_wait(struct qmp *q, uint64_t id, int timeout_ms,
	     struct json_object **ret)
{
	int64_t deadline = deadline_of(timeout_ms);
	struct json_object *msg;
	char waiting[128];
	int err;

	if (ret)
		*ret = NULL;
	q->err[0] = q->err_class[0] = '\0';
	if (id == q->last_id)
		snprintf(waiting, sizeof(waiting), "reply to '%s'", q->last_cmd);
	else
		snprintf(waiting, sizeof(waiting), "reply to command %llu",
			 (unsigned long long)id);
	for (;;) {
		err = read_message(q, deadline, waiting, timeout_ms, &msg);
		if (err)
			return err;
		if (event_name(msg)) {
			queue_event(q, msg);
			continue;
		}
		if (is_reply(msg) && reply_to(msg, id)) {
			err = reply_result(q, msg, ret);
			json_object_put(msg);
			return err;
		}
		/* A late reply to a command that timed out, or noise. */
		json_object_put(msg);
	}
}

static struct json_object *event_take(struct qmp *q, const char *name)
{
	struct json_object *ev;
	unsigned int i, j, at;

	for (i = 0; i < q->ev_count; i++) {
		at = (q->ev_head + i) % QMP_MAX_EVENTS;
		ev = q->events[at];
		if (name && strcmp(event_name(ev), name))
			continue;
		/* Close the gap: later events move one slot forward. */
		for (j = i; j + 1 < q->ev_count; j++)
			q->events[(q->ev_head + j) % QMP_MAX_EVENTS] =
				q->events[(q->ev_head + j + 1) % QMP_MAX_EVENTS];
		q->ev_count--;
		return ev;
	}
	return NULL;
}

int qmp_event(struct qmp *q, const char *name, int timeout_ms,
	      struct json_object **ev)
{
	int64_t deadline = deadline_of(timeout_ms);
	struct json_object *msg;
	char waiting[128];
	int err;

	*ev = event_take(q, name);
	if (*ev)
		return 0;
	q->err[0] = q->err_class[0] = '\0';
	snprintf(waiting, sizeof(waiting), "event%s%s", name ? " " : "",
		 name ? name : "");
	for (;;) {
		err = read_message(q, deadline, waiting, timeout_ms, &msg);
		if (err)
			return err;
		if (!event_name(msg)) {
			json_object_put(msg);
			continue;
		}
		if (!name || !strcmp(event_name(msg), name)) {
			*ev = msg;
			return 0;
		}
		queue_event(q, msg);
	}
}

/* ------------------------------------------------------------ writing */

static int write_all(struct qmp *q, const char *data, size_t len, int fd,
		     int64_t deadline)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct pollfd pfd = { .fd = q->fd, .events = POLLOUT };
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *cm;
	ssize_t n;

	while (len) {
		iov = (struct iovec){ .iov_base = (void *)data, .iov_len = len };
		mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1 };
		if (fd >= 0) {
			mh.msg_control = cbuf;
			mh.msg_controllen = sizeof(cbuf);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		}
		n = sendmsg(q->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (poll(&pfd, 1, deadline_left(deadline)) == 0)
				return fail(q, -ETIMEDOUT, "the peer does not read its socket");
			continue;
		}
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			return fail(q, -ECONNRESET, "the peer closed the connection");
		if (n < 0)
			return fail(q, -errno, "sendmsg: %s", strerror(errno));
		/* The descriptor went with the first bytes. */
		fd = -1;
		data += n;
		len -= n;
	}
	return 0;
}

int qmp_send(struct qmp *q, const char *cmd, struct json_object *args,
	     int fd, uint64_t *id)
{
	struct json_object *msg = json_object_new_object();
	const char *text;
	char *line;
	int ret;

	q->err[0] = q->err_class[0] = '\0';
	if (q->dead) {
		json_object_put(args);
		json_object_put(msg);
		return fail(q, q->dead, "the connection is unusable after an earlier error");
	}
	q->last_id = ++q->next_id;
	snprintf(q->last_cmd, sizeof(q->last_cmd), "%s", cmd);
	json_object_object_add(msg, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(msg, "arguments", args);
	json_object_object_add(msg, "id", json_object_new_uint64(q->last_id));
	text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	trace(q, "->", text);
	ret = asprintf(&line, "%s\r\n", text);
	json_object_put(msg);
	if (ret < 0)
		return fail(q, -ENOMEM, "out of memory");
	/* A command is small: sending it never waits for long. */
	ret = write_all(q, line, strlen(line), fd, deadline_of(5000));
	free(line);
	if (!ret && id)
		*id = q->last_id;
	return ret;
}

int qmp_execute(struct qmp *q, const char *cmd, struct json_object *args,
		int fd, int timeout_ms, struct json_object **ret)
{
	uint64_t id;
	int err;

	if (ret)
		*ret = NULL;
	err = qmp_send(q, cmd, args, fd, &id);
	if (err)
		return err;
	return qmp_wait(q, id, timeout_ms, ret);
}

/* -------------------------------------------------------- connection */

static int parse_greeting(struct qmp *q, struct json_object *msg)
{
	struct json_object *qmpo, *ver, *qemu, *v, *pkg;

	if (!json_object_object_get_ex(msg, "QMP", &qmpo) ||
	    !json_object_object_get_ex(qmpo, "version", &ver) ||
	    !json_object_object_get_ex(ver, "qemu", &qemu))
		return fail(q, -EBADMSG, "the peer's first message is not a QMP greeting");
	if (json_object_object_get_ex(qemu, "major", &v))
		q->version.major = json_object_get_int(v);
	if (json_object_object_get_ex(qemu, "minor", &v))
		q->version.minor = json_object_get_int(v);
	if (json_object_object_get_ex(qemu, "micro", &v))
		q->version.micro = json_object_get_int(v);
	if (json_object_object_get_ex(ver, "package", &pkg))
		snprintf(q->version.package, sizeof(q->version.package), "%s",
			 json_object_get_string(pkg));
	return 0;
}

static int handshake(struct qmp *q, int timeout_ms)
{
	struct json_object *msg;
	int ret;

	ret = read_message(q, deadline_of(timeout_ms), "QMP greeting",
			   timeout_ms, &msg);
	if (ret)
		return ret;
	ret = parse_greeting(q, msg);
	json_object_put(msg);
	if (ret)
		return ret;
	ret = qmp_execute(q, "qmp_capabilities", NULL, -1, timeout_ms, NULL);
	if (ret == -EREMOTEIO) {
		char desc[sizeof(q->err)];

		memcpy(desc, q->err, sizeof(desc));
		snprintf(q->err, sizeof(q->err),
			 "qmp_capabilities refused: %.400s", desc);
	}
	return ret;
}

int qmp_attach(int fd, unsigned int flags, int timeout_ms, struct qmp **out)
{
	struct qmp *q;
	int ret;

	*out = NULL;
	q = calloc(1, sizeof(*q));
	if (!q) {
		close(fd);
		return -ENOMEM;
	}
	q->fd = fd;
	q->flags = flags;
	q->tok = json_tokener_new();
	if (!q->tok) {
		qmp_close(q);
		return -ENOMEM;
	}
	if (getenv("VMPKRAM_QEMU_TRACE_QMP"))
		qmp_set_trace(q, stderr, "qmp ");
	if (!(flags & QMP_F_NO_GREETING)) {
		ret = handshake(q, timeout_ms);
		if (ret) {
			/* Keep the reason for the caller's message. */
			*out = q;
			return ret;
		}
	}
	*out = q;
	return 0;
}

int qmp_connect(const char *path, int timeout_ms, struct qmp **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ret;

	*out = NULL;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/*
	 * A listening QEMU accepts at once (the kernel completes the
	 * connection); one that is stopped leaves us in its backlog, where
	 * the greeting wait's timeout catches it.
	 */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return qmp_attach(fd, 0, timeout_ms, out);
}

void qmp_close(struct qmp *q)
{
	if (!q)
		return;
	while (q->ev_count) {
		json_object_put(q->events[q->ev_head]);
		q->ev_head = (q->ev_head + 1) % QMP_MAX_EVENTS;
		q->ev_count--;
	}
	if (q->tok)
		json_tokener_free(q->tok);
	close(q->fd);
	free(q);
}
