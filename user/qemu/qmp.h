/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small QMP client: one connection to a QEMU monitor (or a guest agent),
 * commands with ids, events queued while a reply is awaited, a timeout on
 * every wait, and file descriptors passed with SCM_RIGHTS (for getfd and
 * add-fd).  One connection is used by one thread at a time; connections
 * share nothing, so threads may each have their own.
 *
 * Every call returns 0 or a negative errno:
 *   -ETIMEDOUT   the peer did not answer in time (the connection stays
 *                usable: a late reply is recognised by its id and dropped)
 *   -ECONNRESET  the peer closed the connection (for good)
 *   -EBADMSG     the peer sent something that is not QMP: malformed JSON,
 *                a value that is not an object, a message too large (the
 *                connection is unusable afterwards)
 *   -EREMOTEIO   QEMU answered with an error: qmp_error() has its class
 *                and description
 *   others       from the system calls
 * qmp_error() describes the last failure in words.
 */
#ifndef _VMPKRAM_QMP_H_
#define _VMPKRAM_QMP_H_

#include <stdint.h>
#include <stdio.h>

#include <json.h>

struct qmp;

struct qmp_version {
	int major, minor, micro;
	char package[128];		/* "Debian 1:7.2+dfsg-7", or "" */
};

/* qmp_attach() flags */
#define QMP_F_NO_GREETING	(1u << 0)	/* a guest agent: no greeting,
						 * no qmp_capabilities */

/* The largest message accepted (query-qmp-schema is a few hundred KB). */
#define QMP_MAX_MESSAGE		(64u << 20)
/* Events kept while nobody reads them; older ones are dropped. */
#define QMP_MAX_EVENTS		1024

/*
 * Connects to the UNIX socket @path, reads the greeting and negotiates
 * capabilities (qmp_capabilities), each wait bounded by @timeout_ms.
 * -ENOENT or -ECONNREFUSED when nobody listens there (yet).
 */
int qmp_connect(const char *path, int timeout_ms, struct qmp **out);

/*
 * The same on a connected stream socket @fd, which the connection owns
 * from then on.  When the handshake fails, *@out is still set so that
 * qmp_error() can say why: qmp_close() it (which closes @fd) in every
 * case.  qmp_connect() does the same once it is connected.
 */
int qmp_attach(int fd, unsigned int flags, int timeout_ms, struct qmp **out);

void qmp_close(struct qmp *q);

/* The version from the greeting (zeroes for a guest agent). */
const struct qmp_version *qmp_version(const struct qmp *q);

/* What the last failing call ran into, in words; "" after success. */
const char *qmp_error(const struct qmp *q);

/* The error class of the last -EREMOTEIO ("GenericError", ...), or "". */
const char *qmp_error_class(const struct qmp *q);

/* Every message sent and received goes to @trace when not NULL. */
void qmp_set_trace(struct qmp *q, FILE *trace, const char *prefix);

/*
 * Sends command @cmd with @args (NULL for none; the reference is taken
 * over in every case) and, when @fd >= 0, that descriptor with it
 * (SCM_RIGHTS, as getfd and add-fd expect).  Its id goes to *@id.
 */
int qmp_send(struct qmp *q, const char *cmd, struct json_object *args,
	     int fd, uint64_t *id);

/*
 * Waits for the reply to @id, queueing the events that arrive meanwhile.
 * The reply's "return" value goes to *@ret when @ret is not NULL (a new
 * reference, for the caller to put).  Replies to other ids (late answers
 * to commands that timed out) are dropped.
 */
int qmp_wait(struct qmp *q, uint64_t id, int timeout_ms,
	     struct json_object **ret);

/* qmp_send() and qmp_wait() together. */
int qmp_execute(struct qmp *q, const char *cmd, struct json_object *args,
		int fd, int timeout_ms, struct json_object **ret);

/*
 * The next event named @name (any event when NULL), from the queue or
 * arriving within @timeout_ms (0: only what is queued or readable now).
 * The whole event object goes to *@ev (a reference for the caller).
 * Events of other names stay queued.
 */
int qmp_event(struct qmp *q, const char *name, int timeout_ms,
	      struct json_object **ev);

/* Events waiting in the queue. */
unsigned int qmp_events_queued(const struct qmp *q);

#endif /* _VMPKRAM_QMP_H_ */
