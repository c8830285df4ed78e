/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Generic netlink plumbing: the request socket, the request/reply helper
 * and the extended-ACK parser (pure functions, unit tested on the host).
 */
#ifndef _LIBVMPKRAM_NETLINK_H_
#define _LIBVMPKRAM_NETLINK_H_

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

struct nl_msg;
struct nl_sock;
struct vmpkram_ctx;

/* What an NLMSG_ERROR message said, extended-ACK TLVs included. */
struct vmpkram_extack {
	int error;		/* nlmsgerr.error: 0 (ACK) or -errno */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" when absent */
	int has_offs;
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS: bad attr in request */
	int has_miss_type;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
};

/* 0, or -EBADMSG when @nlh is not a well-formed NLMSG_ERROR message */
int vmpkram_extack_parse(const struct nlmsghdr *nlh,
			 struct vmpkram_extack *ext);

/*
 * The human text for @ext: the kernel's message, the attribute the offset
 * points at in @req (the request that failed, may be NULL) and the missing
 * attribute.  Empty when the kernel sent none of them.
 */
void vmpkram_extack_format(const struct vmpkram_extack *ext,
			   const struct nlmsghdr *req, char *buf, size_t size);

/* "max-workers" etc., NULL for unknown attribute types */
const char *vmpkram_attr_name(unsigned int type);

/* libnl's -NLE_* code as a -errno */
int vmpkram_nl_errno(int nlerr);

/* Connects and resolves the family if needed; 0 or -errno. */
int vmpkram_nl_open(struct vmpkram_ctx *ctx);

/* A new request for @cmd on the resolved family in *@msg; 0 or -errno. */
int vmpkram_nl_msg(struct vmpkram_ctx *ctx, uint8_t cmd, struct nl_msg **msg);

/* The same for a dump request (vmpkram_nl_request() handles both). */
int vmpkram_nl_dump_msg(struct vmpkram_ctx *ctx, uint8_t cmd,
			struct nl_msg **msg);

/*
 * Sends @req (consumed) and waits for the kernel's ACK, NLMSG_DONE (dumps)
 * or error.  Replies before it go to @reply (which may be NULL for commands without one);
 * its negative return fails the request.
 */
typedef int (*vmpkram_nl_reply_fn)(struct vmpkram_ctx *ctx,
				   struct nl_msg *msg, void *arg);
int vmpkram_nl_request(struct vmpkram_ctx *ctx, struct nl_msg *req,
		       vmpkram_nl_reply_fn reply, void *arg);

/* Sets NETLINK_EXT_ACK and NETLINK_CAP_ACK where the kernel has them. */
void vmpkram_nl_sockopts(struct vmpkram_ctx *ctx, struct nl_sock *sk);

/* -errno with a hint when genl_ctrl_resolve*() failed with @nlerr */
int vmpkram_nl_resolve_error(struct vmpkram_ctx *ctx, int nlerr,
			     const char *what);

#endif /* _LIBVMPKRAM_NETLINK_H_ */
