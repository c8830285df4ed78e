// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Generic netlink requests to the "vmpkram" family.
 *
 * The request socket is connected and the family resolved on first use.
 * Resolving the family makes the kernel load the module
 * (MODULE_ALIAS_GENL_FAMILY): callers that only want to look must check
 * vmpkram_module_is_loaded() first.
 *
 * libnl 3.7 does not decode extended ACKs, so the error callback parses
 * the NLMSG_ERROR TLVs itself with the definitions from linux/netlink.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "netlink.h"
#include "private.h"

static const char *const attr_names[VMPKRAM_A_MAX + 1] = {
	[VMPKRAM_A_API_VERSION]		= "api-version",
	[VMPKRAM_A_MODULE_VERSION]	= "module-version",
	[VMPKRAM_A_FEATURES]		= "features",
	[VMPKRAM_A_MAX_WORKERS]		= "max-workers",
	[VMPKRAM_A_WORKERS_LIMIT]	= "workers-limit",
	[VMPKRAM_A_NR_POOLS]		= "nr-pools",
	[VMPKRAM_A_PAD]			= "pad",
	[VMPKRAM_A_NR_JOBS]		= "nr-jobs",
	[VMPKRAM_A_JOB_ID]		= "job-id",
	[VMPKRAM_A_JOB_TYPE]		= "job-type",
	[VMPKRAM_A_JOB_STATE]		= "job-state",
	[VMPKRAM_A_JOB_CALLER_PID]	= "job-caller-pid",
	[VMPKRAM_A_JOB_TARGET_PID]	= "job-target-pid",
	[VMPKRAM_A_JOB_THREADS]		= "job-threads",
	[VMPKRAM_A_JOB_ADDR]		= "job-addr",
	[VMPKRAM_A_JOB_LEN]		= "job-len",
	[VMPKRAM_A_JOB_DONE]		= "job-done",
	[VMPKRAM_A_JOB_ERROR]		= "job-error",
	[VMPKRAM_A_JOB_ELAPSED_NS]	= "job-elapsed-ns",
	[VMPKRAM_A_POOL_NAME]		= "pool-name",
	[VMPKRAM_A_POOL_BASE]		= "pool-base",
	[VMPKRAM_A_POOL_SIZE]		= "pool-size",
	[VMPKRAM_A_POOL_STATE]		= "pool-state",
	[VMPKRAM_A_POOL_STATE_REASON]	= "pool-state-reason",
	[VMPKRAM_A_POOL_UUID]		= "pool-uuid",
	[VMPKRAM_A_POOL_GENERATION]	= "pool-generation",
	[VMPKRAM_A_POOL_CLEAN]		= "pool-clean",
	[VMPKRAM_A_POOL_SEAL_TIME]	= "pool-seal-time",
	[VMPKRAM_A_POOL_BLOCK_SIZE]	= "pool-block-size",
	[VMPKRAM_A_POOL_DATA_SIZE]	= "pool-data-size",
	[VMPKRAM_A_POOL_USED]		= "pool-used",
	[VMPKRAM_A_POOL_FREE]		= "pool-free",
	[VMPKRAM_A_POOL_SCRUB_PENDING]	= "pool-scrub-pending",
	[VMPKRAM_A_POOL_LARGEST_FREE]	= "pool-largest-free",
	[VMPKRAM_A_POOL_NR_FILES]	= "pool-nr-files",
	[VMPKRAM_A_POOL_MAX_FILES]	= "pool-max-files",
	[VMPKRAM_A_POOL_MOUNTED]	= "pool-mounted",
	[VMPKRAM_A_POOL_CMDLINE]	= "pool-cmdline",
	[VMPKRAM_A_POOL_EVENT]		= "pool-event",
	[VMPKRAM_A_POOL_BAD]		= "pool-bad",
	[VMPKRAM_A_FILE_NAME]		= "file-name",
	[VMPKRAM_A_FILE_INO]		= "file-ino",
	[VMPKRAM_A_FILE_SIZE]		= "file-size",
	[VMPKRAM_A_FILE_MODE]		= "file-mode",
	[VMPKRAM_A_FILE_UID]		= "file-uid",
	[VMPKRAM_A_FILE_GID]		= "file-gid",
	[VMPKRAM_A_FILE_MTIME_NS]	= "file-mtime-ns",
	[VMPKRAM_A_FILE_FLAGS]		= "file-flags",
	[VMPKRAM_A_FILE_EXTENTS]	= "file-extents",
	[VMPKRAM_A_EXTENT]		= "extent",
	[VMPKRAM_A_EXTENT_OFFSET]	= "extent-offset",
	[VMPKRAM_A_EXTENT_PHYS]		= "extent-phys",
	[VMPKRAM_A_EXTENT_LEN]		= "extent-len",
	[VMPKRAM_A_FAULTS_PTE]		= "faults-pte",
	[VMPKRAM_A_FAULTS_PMD]		= "faults-pmd",
	[VMPKRAM_A_FAULTS_PUD]		= "faults-pud",
	[VMPKRAM_A_POOL_LAYOUT]		= "pool-layout",
	[VMPKRAM_A_CHECK_SLOT]		= "check-slot",
	[VMPKRAM_A_SLOT_INDEX]		= "slot-index",
	[VMPKRAM_A_SLOT_STATUS]		= "slot-status",
	[VMPKRAM_A_SLOT_GENERATION]	= "slot-generation",
	[VMPKRAM_A_SLOT_COMMIT_SEQ]	= "slot-commit-seq",
	[VMPKRAM_A_SLOT_LAYOUT]		= "slot-layout",
	[VMPKRAM_A_SLOT_CHECK]		= "slot-check",
	[VMPKRAM_A_CHECK_NAME]		= "check-name",
	[VMPKRAM_A_CHECK_RESULT]	= "check-result",
	[VMPKRAM_A_CHECK_DETAIL]	= "check-detail",
	[VMPKRAM_A_REPAIR_ACTION]	= "repair-action",
	[VMPKRAM_A_REPAIR_SLOT]		= "repair-slot",
	[VMPKRAM_A_REPAIR_TEXT]		= "repair-text",
	[VMPKRAM_A_REPAIR_KEPT]		= "repair-kept",
	[VMPKRAM_A_REPAIR_DROPPED]	= "repair-dropped",
	[VMPKRAM_A_REPAIR_FILE]		= "repair-file",
	[VMPKRAM_A_REPAIR_REASON]	= "repair-reason",
};

const char *vmpkram_attr_name(unsigned int type)
{
	return type <= VMPKRAM_A_MAX ? attr_names[type] : NULL;
}

int vmpkram_nl_errno(int nlerr)
{
	static const int map[] = {
		[NLE_INTR]		= EINTR,
		[NLE_BAD_SOCK]		= EBADF,
		[NLE_AGAIN]		= EAGAIN,
		[NLE_NOMEM]		= ENOMEM,
		[NLE_EXIST]		= EEXIST,
		[NLE_INVAL]		= EINVAL,
		[NLE_RANGE]		= ERANGE,
		[NLE_MSGSIZE]		= EMSGSIZE,
		[NLE_OPNOTSUPP]		= EOPNOTSUPP,
		[NLE_AF_NOSUPPORT]	= EAFNOSUPPORT,
		[NLE_OBJ_NOTFOUND]	= ENOENT,
		[NLE_SEQ_MISMATCH]	= EPROTO,
		[NLE_MSG_OVERFLOW]	= EMSGSIZE,
		[NLE_MSG_TRUNC]		= EMSGSIZE,
		[NLE_MSG_TOOSHORT]	= EBADMSG,
		[NLE_BUSY]		= EBUSY,
		[NLE_PROTO_MISMATCH]	= EPROTONOSUPPORT,
		[NLE_NOACCESS]		= EACCES,
		[NLE_PERM]		= EPERM,
		[NLE_PARSE_ERR]		= EBADMSG,
		[NLE_NODEV]		= ENODEV,
		/* The set changed under a dump: ask again. */
		[NLE_DUMP_INTR]		= EAGAIN,
	};
	unsigned int code = nlerr < 0 ? -nlerr : nlerr;

	if (code < sizeof(map) / sizeof(map[0]) && map[code])
		return -map[code];
	return -EIO;
}

/* ---------------------------------------------------------- extack */

/*
 * The TLVs follow the nlmsgerr, which embeds the failed request's header
 * and, unless the kernel capped it (NETLINK_CAP_ACK), its payload.
 */
int vmpkram_extack_parse(const struct nlmsghdr *nlh,
			 struct vmpkram_extack *ext)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlmsgerr *e;
	size_t off, payload;

	memset(ext, 0, sizeof(*ext));
	if (nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return -EBADMSG;

	e = NLMSG_DATA(nlh);
	ext->error = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;

	payload = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return -EBADMSG;
		payload += e->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	off = NLMSG_HDRLEN + NLMSG_ALIGN(payload);
	if (off > nlh->nlmsg_len)
		return -EBADMSG;

	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, NULL) < 0)
		return -EBADMSG;

	/* Each TLV is used only when well formed; the errno stands alone. */
	if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0) {
		const char *s = nla_data(tb[NLMSGERR_ATTR_MSG]);
		size_t n = strnlen(s, nla_len(tb[NLMSGERR_ATTR_MSG]));

		if (n >= sizeof(ext->msg))
			n = sizeof(ext->msg) - 1;
		memcpy(ext->msg, s, n);
		ext->msg[n] = '\0';
	}
	if (tb[NLMSGERR_ATTR_OFFS] &&
	    nla_len(tb[NLMSGERR_ATTR_OFFS]) == sizeof(uint32_t)) {
		ext->has_offs = 1;
		ext->offs = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	}
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) == sizeof(uint32_t)) {
		ext->has_miss_type = 1;
		ext->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	}
	return 0;
}

/* The attribute of @req that starts at byte @offs, or NULL. */
static const struct nlattr *attr_at(const struct nlmsghdr *req, uint32_t offs)
{
	const struct nlattr *nla;
	size_t hdrlen = NLMSG_HDRLEN + GENL_HDRLEN;
	int rem;

	if (req->nlmsg_len < hdrlen)
		return NULL;
	nla = (const struct nlattr *)((const char *)req + hdrlen);
	rem = req->nlmsg_len - hdrlen;
	for (; nla_ok(nla, rem); nla = nla_next(nla, &rem))
		if ((const char *)nla - (const char *)req == (ptrdiff_t)offs)
			return nla;
	return NULL;
}

static void attr_describe(unsigned int type, char *buf, size_t size)
{
	const char *name = vmpkram_attr_name(type);

	if (name)
		snprintf(buf, size, "%s (%u)", name, type);
	else
		snprintf(buf, size, "%u", type);
}

void vmpkram_extack_format(const struct vmpkram_extack *ext,
			   const struct nlmsghdr *req, char *buf, size_t size)
{
	const struct nlattr *bad = NULL;
	char attr[48];
	size_t len;

	snprintf(buf, size, "%s", ext->msg);
	if (ext->has_offs && req)
		bad = attr_at(req, ext->offs);
	if (bad) {
		attr_describe(nla_type(bad), attr, sizeof(attr));
		len = strlen(buf);
		snprintf(buf + len, size - len, "%sattribute %s",
			 len ? ": " : "", attr);
	}
	if (ext->has_miss_type) {
		attr_describe(ext->miss_type, attr, sizeof(attr));
		len = strlen(buf);
		snprintf(buf + len, size - len, "%smissing attribute %s",
			 len ? ": " : "", attr);
	}
}

/* ----------------------------------------------------------- socket */

void vmpkram_nl_sockopts(struct vmpkram_ctx *ctx, struct nl_sock *sk)
{
	int fd = nl_socket_get_fd(sk), one = 1;

	/* Kernels without them still work, with plainer error messages. */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)))
		dbg(ctx, "NETLINK_EXT_ACK: %s\n", strerror(errno));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)))
		dbg(ctx, "NETLINK_CAP_ACK: %s\n", strerror(errno));
}

int vmpkram_nl_resolve_error(struct vmpkram_ctx *ctx, int nlerr,
			     const char *what)
{
	int ret = vmpkram_nl_errno(nlerr);

	if (ret == -ENOENT)
		return vmpkram_fail(ctx, ret,
			"generic netlink %s not found: the vmpkram module is not loaded and could not be autoloaded (try vmpkramctl load)",
			what);
	return vmpkram_fail(ctx, ret, "cannot resolve generic netlink %s: %s",
			    what, nl_geterror(nlerr));
}

int vmpkram_nl_open(struct vmpkram_ctx *ctx)
{
	struct nl_sock *sk;
	int ret;

	if (ctx->nl)
		return 0;

	sk = nl_socket_alloc();
	if (!sk)
		return vmpkram_fail(ctx, -ENOMEM,
				    "cannot allocate a netlink socket");
	ret = genl_connect(sk);
	if (ret < 0) {
		nl_socket_free(sk);
		return vmpkram_fail(ctx, vmpkram_nl_errno(ret),
				    "cannot open a generic netlink socket: %s",
				    nl_geterror(ret));
	}
	vmpkram_nl_sockopts(ctx, sk);

	ret = genl_ctrl_resolve(sk, VMPKRAM_GENL_NAME);
	if (ret < 0) {
		nl_socket_free(sk);
		return vmpkram_nl_resolve_error(ctx, ret,
					"family \"" VMPKRAM_GENL_NAME "\"");
	}
	ctx->nl = sk;
	ctx->family = ret;
	dbg(ctx, "family %s is %d\n", VMPKRAM_GENL_NAME, ret);
	return 0;
}

void vmpkram_nl_close(struct vmpkram_ctx *ctx)
{
	nl_socket_free(ctx->nl);
	ctx->nl = NULL;
}

int vmpkram_nl_msg(struct vmpkram_ctx *ctx, uint8_t cmd, struct nl_msg **msg)
{
	int ret;

	ret = vmpkram_nl_open(ctx);
	if (ret)
		return ret;

	*msg = nlmsg_alloc();
	if (!*msg)
		return vmpkram_fail(ctx, -ENOMEM,
				    "cannot allocate a netlink message");
	if (!genlmsg_put(*msg, NL_AUTO_PORT, NL_AUTO_SEQ, ctx->family, 0,
			 NLM_F_ACK, cmd, VMPKRAM_GENL_VERSION)) {
		nlmsg_free(*msg);
		return vmpkram_fail(ctx, -EMSGSIZE,
				    "cannot build a netlink message");
	}
	return 0;
}

/*
 * A dump request: no NLM_F_ACK, because a dump ends with NLMSG_DONE and
 * an ACK after it would be read as the reply to the next request.
 */
int vmpkram_nl_dump_msg(struct vmpkram_ctx *ctx, uint8_t cmd,
			struct nl_msg **msg)
{
	int ret = vmpkram_nl_msg(ctx, cmd, msg);

	if (!ret)
		nlmsg_hdr(*msg)->nlmsg_flags = NLM_F_DUMP;
	return ret;
}

/* ---------------------------------------------------------- request */

struct nl_request {
	struct vmpkram_ctx *ctx;
	struct nl_msg *req;
	vmpkram_nl_reply_fn reply;
	void *arg;
	int done;
	int error;		/* first failure, -errno */
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nl_request *r = arg;
	int ret;

	if (r->error)
		return NL_SKIP;
	if (!r->reply) {
		dbg(r->ctx, "ignoring a reply to a command without one\n");
		return NL_SKIP;
	}
	ret = r->reply(r->ctx, msg, r->arg);
	if (ret < 0)
		r->error = ret;
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct nl_request *r = arg;

	(void)msg;
	r->done = 1;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	/* libnl hands us the nlmsgerr inside the received message. */
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)
				     ((const char *)e - NLMSG_HDRLEN);
	struct nl_request *r = arg;
	struct vmpkram_extack ext;
	char text[sizeof(r->ctx->last_error)];
	int error;

	(void)nla;
	r->done = 1;
	error = e->error < 0 ? e->error : -EPROTO;
	/* A malformed message leaves @ext empty: the errno stands alone. */
	vmpkram_extack_parse(nlh, &ext);
	vmpkram_extack_format(&ext, nlmsg_hdr(r->req), text, sizeof(text));
	r->error = vmpkram_fail(r->ctx, error, "%s",
				text[0] ? text : strerror(-error));
	return NL_STOP;
}

int vmpkram_nl_request(struct vmpkram_ctx *ctx, struct nl_msg *req,
		       vmpkram_nl_reply_fn reply, void *arg)
{
	struct nl_request r = {
		.ctx = ctx, .req = req, .reply = reply, .arg = arg,
	};
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(req);
		return vmpkram_fail(ctx, -ENOMEM,
				    "cannot allocate netlink callbacks");
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &r);
	/* NLMSG_DONE ends a dump as the ACK ends a request. */
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_ack, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);

	ret = nl_send_auto(ctx->nl, req);
	if (ret < 0) {
		r.error = vmpkram_fail(ctx, vmpkram_nl_errno(ret),
				       "cannot send netlink request: %s",
				       nl_geterror(ret));
		r.done = 1;
	}
	while (!r.done) {
		ret = nl_recvmsgs(ctx->nl, cb);
		if (ret < 0 && !r.done) {
			r.error = vmpkram_fail(ctx, vmpkram_nl_errno(ret),
					       "cannot receive netlink reply: %s",
					       nl_geterror(ret));
			/* Unknown socket state: reconnect next time. */
			vmpkram_nl_close(ctx);
			break;
		}
	}
	nl_cb_put(cb);
	nlmsg_free(req);
	return r.error;
}
