// SPDX-License-Identifier: GPL-2.0-only
/*
 * Extended-ACK parsing and formatting with crafted NLMSG_ERROR messages,
 * capped and uncapped, with good and malformed TLVs.
 */
#include <errno.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "libvmpkram.h"
#include "netlink.h"
#include "tap.h"

/* What the crafted error message carries besides the errno. */
struct tlvs {
	const char *msg;	/* NULL: no NLMSGERR_ATTR_MSG */
	int msg_len;		/* bytes of @msg to put, NUL included */
	int offs;		/* -1: no NLMSGERR_ATTR_OFFS */
	int offs_len;
	int miss_type;		/* -1: no NLMSGERR_ATTR_MISS_TYPE */
};

/* A SET_PARAMS request with max-workers, as the library sends it. */
static struct nl_msg *request(void)
{
	struct nl_msg *req = nlmsg_alloc();

	if (!req)
		return NULL;
	if (!genlmsg_put(req, 1234, 7, 0x20, 0, NLM_F_ACK,
			 VMPKRAM_CMD_SET_PARAMS, VMPKRAM_GENL_VERSION) ||
	    nla_put_u32(req, VMPKRAM_A_MAX_WORKERS, 0)) {
		nlmsg_free(req);
		return NULL;
	}
	return req;
}

/* The offset of the request's first attribute, as the kernel reports it. */
static int first_attr_offs(struct nl_msg *req)
{
	struct nlmsghdr *nlh = nlmsg_hdr(req);

	return (char *)genlmsg_attrdata(nlmsg_data(nlh), 0) - (char *)nlh;
}

static struct nl_msg *error_msg(const struct nlmsghdr *req, int error,
				int capped, const struct tlvs *t)
{
	struct nlmsgerr e = { .error = error, .msg = *req };
	int flags = (capped ? NLM_F_CAPPED : 0) | (t ? NLM_F_ACK_TLVS : 0);
	uint32_t offs;
	struct nl_msg *msg;

	msg = nlmsg_alloc_simple(NLMSG_ERROR, flags);
	if (!msg)
		return NULL;
	if (nlmsg_append(msg, &e, sizeof(e), NLMSG_ALIGNTO))
		goto err;
	if (!capped && nlmsg_append(msg, (char *)req + NLMSG_HDRLEN,
				    req->nlmsg_len - NLMSG_HDRLEN,
				    NLMSG_ALIGNTO))
		goto err;
	if (!t)
		return msg;
	if (t->msg && nla_put(msg, NLMSGERR_ATTR_MSG, t->msg_len, t->msg))
		goto err;
	offs = t->offs;
	if (t->offs >= 0 &&
	    nla_put(msg, NLMSGERR_ATTR_OFFS, t->offs_len, &offs))
		goto err;
	if (t->miss_type >= 0 &&
	    nla_put_u32(msg, NLMSGERR_ATTR_MISS_TYPE, t->miss_type))
		goto err;
	return msg;
err:
	nlmsg_free(msg);
	return NULL;
}

/* Parses and formats; returns the parse result, text in @buf. */
static int check(struct nl_msg *req, int error, int capped,
		 const struct tlvs *t, struct vmpkram_extack *ext, char *buf,
		 size_t size)
{
	struct nl_msg *msg = error_msg(nlmsg_hdr(req), error, capped, t);
	int ret;

	buf[0] = '\0';
	if (!msg)
		return -ENOMEM;
	ret = vmpkram_extack_parse(nlmsg_hdr(msg), ext);
	if (!ret)
		vmpkram_extack_format(ext, nlmsg_hdr(req), buf, size);
	nlmsg_free(msg);
	return ret;
}

static void test_good(struct nl_msg *req)
{
	const char range[] = "integer out of range";
	int offs = first_attr_offs(req);
	struct tlvs t = { range, sizeof(range), offs, 4, -1 };
	struct vmpkram_extack ext;
	char buf[512];
	int ret;

	ret = check(req, 0, 1, NULL, &ext, buf, sizeof(buf));
	tap_ok(ret == 0 && ext.error == 0 && !buf[0],
	       "a plain ACK parses with no text");

	ret = check(req, -EINVAL, 1, &t, &ext, buf, sizeof(buf));
	tap_ok(ret == 0 && ext.error == -EINVAL && ext.has_offs &&
	       ext.offs == (uint32_t)offs, "capped error: errno and offset");
	tap_ok(!strcmp(buf, "integer out of range: attribute max-workers (4)"),
	       "capped error text names the bad attribute: '%s'", buf);

	ret = check(req, -EINVAL, 0, &t, &ext, buf, sizeof(buf));
	tap_ok(ret == 0 && !strcmp(ext.msg, range) && ext.has_offs,
	       "uncapped error: TLVs found after the echoed request");

	t = (struct tlvs){ NULL, 0, -1, 0, VMPKRAM_A_MAX_WORKERS };
	ret = check(req, -EINVAL, 1, &t, &ext, buf, sizeof(buf));
	tap_ok(ret == 0 && ext.has_miss_type &&
	       !strcmp(buf, "missing attribute max-workers (4)"),
	       "missing attribute is named: '%s'", buf);

	t.miss_type = 200;
	ret = check(req, -EINVAL, 1, &t, &ext, buf, sizeof(buf));
	tap_ok(ret == 0 && !strcmp(buf, "missing attribute 200"),
	       "unknown missing attribute is numbered: '%s'", buf);

	t = (struct tlvs){ "needs CAP_SYS_ADMIN", 20, 3, 4, -1 };
	ret = check(req, -EPERM, 1, &t, &ext, buf, sizeof(buf));
	tap_ok(ret == 0 && ext.error == -EPERM &&
	       !strcmp(buf, "needs CAP_SYS_ADMIN"),
	       "an offset that is no attribute start adds nothing: '%s'", buf);
}

static void test_malformed(struct nl_msg *req)
{
	char huge[300], buf[512];
	struct tlvs t = { "unterminated", 12, 0, 2, -1 };
	struct vmpkram_extack ext;
	struct nl_msg *msg;
	int ret;

	ret = check(req, -EINVAL, 1, &t, &ext, buf, sizeof(buf));
	tap_ok(ret == 0 && !strcmp(ext.msg, "unterminated") && !ext.has_offs,
	       "unterminated message is bounded, short offset ignored");

	memset(huge, 'x', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	t = (struct tlvs){ huge, sizeof(huge), -1, 0, -1 };
	ret = check(req, -EINVAL, 1, &t, &ext, buf, sizeof(buf));
	tap_ok(ret == 0 && strlen(ext.msg) == sizeof(ext.msg) - 1,
	       "oversized message is truncated");

	msg = error_msg(nlmsg_hdr(req), -EINVAL, 1, NULL);
	if (!msg)
		return (void)tap_ok(0, "malformed: building messages");

	nlmsg_hdr(msg)->nlmsg_type = NLMSG_DONE;
	tap_ok(vmpkram_extack_parse(nlmsg_hdr(msg), &ext) == -EBADMSG,
	       "a message that is not NLMSG_ERROR is -EBADMSG");
	nlmsg_hdr(msg)->nlmsg_type = NLMSG_ERROR;

	nlmsg_hdr(msg)->nlmsg_len = NLMSG_HDRLEN + 4;
	tap_ok(vmpkram_extack_parse(nlmsg_hdr(msg), &ext) == -EBADMSG,
	       "a truncated nlmsgerr is -EBADMSG");
	nlmsg_free(msg);

	/* Uncapped, with an echoed length that runs past the message. */
	msg = error_msg(nlmsg_hdr(req), -EINVAL, 0, &t);
	if (!msg)
		return (void)tap_ok(0, "malformed: building messages");
	((struct nlmsgerr *)nlmsg_data(nlmsg_hdr(msg)))->msg.nlmsg_len = 60000;
	tap_ok(vmpkram_extack_parse(nlmsg_hdr(msg), &ext) == -EBADMSG,
	       "an echoed request longer than the message is -EBADMSG");
	((struct nlmsgerr *)nlmsg_data(nlmsg_hdr(msg)))->msg.nlmsg_len = 4;
	tap_ok(vmpkram_extack_parse(nlmsg_hdr(msg), &ext) == -EBADMSG,
	       "an echoed request shorter than its header is -EBADMSG");
	nlmsg_free(msg);
}

static void test_helpers(void)
{
	tap_ok(vmpkram_nl_errno(-NLE_OBJ_NOTFOUND) == -ENOENT &&
	       vmpkram_nl_errno(-NLE_PERM) == -EPERM &&
	       vmpkram_nl_errno(-NLE_NOMEM) == -ENOMEM,
	       "libnl errors map to errnos");
	tap_ok(vmpkram_nl_errno(-NLE_FAILURE) == -EIO &&
	       vmpkram_nl_errno(-10000) == -EIO,
	       "unmapped libnl errors are -EIO");
	tap_ok(!strcmp(vmpkram_attr_name(VMPKRAM_A_NR_POOLS), "nr-pools") &&
	       !vmpkram_attr_name(VMPKRAM_A_UNSPEC) &&
	       !vmpkram_attr_name(VMPKRAM_A_MAX + 1),
	       "attribute names, NULL for unknown types");
}

int main(void)
{
	struct nl_msg *req = request();

	if (!tap_ok(req != NULL, "build a request"))
		return tap_exit();
	test_good(req);
	test_malformed(req);
	test_helpers();
	nlmsg_free(req);
	return tap_exit();
}
