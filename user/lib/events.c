// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Events from the "events" multicast group.
 *
 * The subscription has its own socket, so that notifications never mix
 * with request replies.  Datagrams are read whole with recv() (libnl's
 * receive path would hide ENOBUFS, which here means events were lost) and
 * handed out one message per vmpkram_events_next() call.
 */
#include <errno.h>
#include <stddef.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "events.h"
#include "netlink.h"
#include "jobs.h"
#include "pool.h"
#include "private.h"
#include "status.h"

struct vmpkram_events {
	struct nl_sock *sk;
	int family;
	char *buf;		/* the last datagram received */
	size_t len;		/* its length */
	size_t pos;		/* offset of the next message to hand out */
};

void vmpkram_events_close(struct vmpkram_ctx *ctx)
{
	if (!ctx->ev)
		return;
	nl_socket_free(ctx->ev->sk);
	free(ctx->ev->buf);
	free(ctx->ev);
	ctx->ev = NULL;
}

static int events_connect(struct vmpkram_ctx *ctx, struct vmpkram_events *e)
{
	int ret, grp;

	e->sk = nl_socket_alloc();
	if (!e->sk)
		return vmpkram_fail(ctx, -ENOMEM,
				    "cannot allocate a netlink socket");
	ret = genl_connect(e->sk);
	if (ret < 0)
		return vmpkram_fail(ctx, vmpkram_nl_errno(ret),
				    "cannot open a generic netlink socket: %s",
				    nl_geterror(ret));
	vmpkram_nl_sockopts(ctx, e->sk);

	e->family = genl_ctrl_resolve(e->sk, VMPKRAM_GENL_NAME);
	if (e->family < 0)
		return vmpkram_nl_resolve_error(ctx, e->family,
					"family \"" VMPKRAM_GENL_NAME "\"");
	grp = genl_ctrl_resolve_grp(e->sk, VMPKRAM_GENL_NAME,
				    VMPKRAM_GENL_MCGRP_EVENTS);
	if (grp < 0)
		return vmpkram_nl_resolve_error(ctx, grp,
				"group \"" VMPKRAM_GENL_MCGRP_EVENTS "\"");
	ret = nl_socket_add_membership(e->sk, grp);
	if (ret < 0)
		return vmpkram_fail(ctx, vmpkram_nl_errno(ret),
				    "cannot join multicast group %s: %s",
				    VMPKRAM_GENL_MCGRP_EVENTS,
				    nl_geterror(ret));
	return 0;
}

VMPKRAM_EXPORT int vmpkram_events_subscribe(struct vmpkram_ctx *ctx)
{
	struct vmpkram_events *e;
	int ret;

	if (ctx->ev)
		return 0;

	e = calloc(1, sizeof(*e));
	if (!e)
		return vmpkram_fail(ctx, -ENOMEM, "out of memory");
	ctx->ev = e;
	ret = events_connect(ctx, e);
	if (ret)
		vmpkram_events_close(ctx);
	return ret;
}

static int not_subscribed(struct vmpkram_ctx *ctx)
{
	return vmpkram_fail(ctx, -ENOTCONN,
			    "not subscribed to events (call vmpkram_events_subscribe() first)");
}

VMPKRAM_EXPORT int vmpkram_events_fd(struct vmpkram_ctx *ctx)
{
	if (!ctx->ev)
		return not_subscribed(ctx);
	return nl_socket_get_fd(ctx->ev->sk);
}

/*
 * The event's struct into the caller's @ev, which may be an older, shorter
 * struct vmpkram_event: @src (@src_size bytes, size-first) goes to
 * @offset, cut to what fits; nothing is written past ev->size.
 */
static int event_fill(struct vmpkram_event *ev, uint32_t type, size_t offset,
		      const void *src, size_t src_size, size_t min)
{
	uint32_t size = ev->size;

	memset(ev, 0, size);
	ev->size = size;
	ev->type = type;
	return vmpkram_sized_copy_in(ev, size, offset, src, src_size, min) ?: 1;
}

static int status_event(struct vmpkram_ctx *ctx, struct nlmsghdr *nlh,
			struct vmpkram_event *ev)
{
	struct vmpkram_status st;
	char why[128];
	int ret;

	ret = vmpkram_status_from_msg(nlh, VMPKRAM_CMD_STATUS_NTF, &st, why,
				      sizeof(why));
	if (ret)
		return vmpkram_fail(ctx, ret,
				    "bad status event from the kernel: %s", why);
	return event_fill(ev, VMPKRAM_EVENT_STATUS,
			  offsetof(struct vmpkram_event, status), &st,
			  sizeof(st), VMPKRAM_STATUS_SIZE_V1);
}

static int job_event(struct vmpkram_ctx *ctx, struct nlmsghdr *nlh,
		     struct vmpkram_event *ev)
{
	struct vmpkram_job job;
	char why[128];
	int ret;

	/* A caller built before job events would not know the type. */
	if (ev->size < VMPKRAM_EVENT_SIZE_JOB) {
		dbg(ctx, "skipping a job event for an older caller\n");
		return 0;
	}
	ret = vmpkram_job_from_msg(nlh, VMPKRAM_CMD_JOB_NTF, &job, why,
				   sizeof(why));
	if (ret)
		return vmpkram_fail(ctx, ret,
				    "bad job event from the kernel: %s", why);
	return event_fill(ev, VMPKRAM_EVENT_JOB,
			  offsetof(struct vmpkram_event, job), &job,
			  sizeof(job), VMPKRAM_JOB_SIZE_V1);
}

static int pool_event(struct vmpkram_ctx *ctx, struct nlmsghdr *nlh,
		      struct vmpkram_event *ev)
{
	struct vmpkram_pool_ntf ntf;
	char why[128];
	int ret;

	/* A caller built before pool events would not know the type. */
	if (ev->size < VMPKRAM_EVENT_SIZE_POOL) {
		dbg(ctx, "skipping a pool event for an older caller\n");
		return 0;
	}
	ret = vmpkram_pool_ntf_from_msg(nlh, &ntf, why, sizeof(why));
	if (ret)
		return vmpkram_fail(ctx, ret,
				    "bad pool event from the kernel: %s", why);
	ret = event_fill(ev, VMPKRAM_EVENT_POOL,
			 offsetof(struct vmpkram_event, pool) +
			 offsetof(struct vmpkram_pool_ntf, pool),
			 &ntf.pool, sizeof(ntf.pool), VMPKRAM_POOL_SIZE_V1);
	ev->pool.event = ntf.event;
	return ret;
}

int vmpkram_event_from_msg(struct vmpkram_ctx *ctx, int family,
			   struct nlmsghdr *nlh, struct vmpkram_event *ev)
{
	unsigned int cmd;

	if (nlh->nlmsg_type != family) {
		dbg(ctx, "skipping message type %u\n", nlh->nlmsg_type);
		return 0;
	}
	/* A truncated header is reported by the status parser. */
	if (!genlmsg_valid_hdr(nlh, 0))
		return status_event(ctx, nlh, ev);
	cmd = ((struct genlmsghdr *)nlmsg_data(nlh))->cmd;
	switch (cmd) {
	case VMPKRAM_CMD_STATUS_NTF:
		return status_event(ctx, nlh, ev);
	case VMPKRAM_CMD_JOB_NTF:
		return job_event(ctx, nlh, ev);
	case VMPKRAM_CMD_POOL_NTF:
		return pool_event(ctx, nlh, ev);
	default:
		/* A newer module's event: not for this library version. */
		dbg(ctx, "skipping unknown event %u\n", cmd);
		return 0;
	}
}

/* The next message of the pending datagram, or NULL when used up. */
static struct nlmsghdr *next_msg(struct vmpkram_events *e)
{
	struct nlmsghdr *nlh;
	int rem;

	if (e->pos >= e->len)
		return NULL;
	nlh = (struct nlmsghdr *)(e->buf + e->pos);
	rem = e->len - e->pos;
	if (!NLMSG_OK(nlh, rem)) {
		e->pos = e->len;
		return NULL;
	}
	e->pos += NLMSG_ALIGN(nlh->nlmsg_len);
	return nlh;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when readable, 0 when @deadline (ms, -1: none) passed, or -errno. */
static int wait_readable(struct vmpkram_ctx *ctx, int fd, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int64_t left = -1;
	int ret;

	if (deadline >= 0) {
		left = deadline - now_ms();
		if (left < 0)
			left = 0;
	}
	ret = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
	if (ret < 0) {
		ret = -errno;
		return vmpkram_fail(ctx, ret, "waiting for events: %s",
				    strerror(-ret));
	}
	return ret > 0;
}

/* Reads one datagram from the kernel into e->buf; 0 or -errno. */
static int recv_datagram(struct vmpkram_ctx *ctx, struct vmpkram_events *e)
{
	int fd = nl_socket_get_fd(e->sk);
	struct sockaddr_nl addr;
	socklen_t alen = sizeof(addr);
	ssize_t n;
	char *buf;

	n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
	if (n >= 0) {
		buf = realloc(e->buf, n ? n : 1);
		if (!buf)
			return vmpkram_fail(ctx, -ENOMEM, "out of memory");
		e->buf = buf;
		n = recvfrom(fd, e->buf, n, MSG_DONTWAIT,
			     (struct sockaddr *)&addr, &alen);
	}
	if (n < 0) {
		if (errno == EAGAIN)	/* poll() woke us for nothing */
			return 0;
		if (errno == ENOBUFS)
			return vmpkram_fail(ctx, -ENOBUFS,
				"events were lost (receive queue overflow): read the status again to resynchronise");
		n = -errno;
		return vmpkram_fail(ctx, n, "receiving events: %s",
				    strerror(-n));
	}
	/* Only the kernel (port 0) sends vmpkram events. */
	if (alen != sizeof(addr) || addr.nl_pid != 0) {
		dbg(ctx, "dropping a datagram from port %u\n", addr.nl_pid);
		return 0;
	}
	e->len = n;
	e->pos = 0;
	return 0;
}

/*
 * Waits up to @timeout_ms (negative: forever, 0: do not block) for the
 * next event.  Returns 1 with @ev filled, 0 on timeout, or -errno; a bad
 * message is -EBADMSG and the next call goes on with the message after it.
 */
VMPKRAM_EXPORT int vmpkram_events_next(struct vmpkram_ctx *ctx,
				       struct vmpkram_event *ev,
				       int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	struct vmpkram_events *e = ctx->ev;
	struct nlmsghdr *nlh;
	int ret;

	if (!e)
		return not_subscribed(ctx);
	if (ev->size < VMPKRAM_EVENT_SIZE_V1)
		return vmpkram_fail(ctx, -EINVAL,
				    "struct vmpkram_event size %u below %zu",
				    ev->size, VMPKRAM_EVENT_SIZE_V1);

	for (;;) {
		while ((nlh = next_msg(e))) {
			ret = vmpkram_event_from_msg(ctx, e->family, nlh, ev);
			if (ret)
				return ret;
		}
		ret = wait_readable(ctx, nl_socket_get_fd(e->sk), deadline);
		if (ret <= 0)
			return ret;
		ret = recv_datagram(ctx, e);
		if (ret)
			return ret;
	}
}
