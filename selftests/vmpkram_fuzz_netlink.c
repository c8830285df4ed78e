// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkram_fuzz, family 2: the generic netlink family "vmpkram".
 */
#include "vmpkram_fuzz.h"

/* ------------------------------------------------------------------ */
/* family 2: generic netlink                                            */
/* ------------------------------------------------------------------ */

int nl_fd = -1;
__u16 nl_family;
static __u32 nl_seq = 1000;

struct nlbuf {
	uint8_t b[4096] __attribute__((aligned(8)));
	size_t len;
};

/* One request of a datagram and what came back for it. */
struct req {
	size_t off;
	__u32 seq;
	__u8 cmd;
	bool processed;	/* the kernel parses it as a request to the family */
	bool family;
	bool shaped;	/* well formed: header, flags and every attribute */
	bool dump;
	bool behind_dump;	/* a dump runs on the socket: EBUSY for a dump */
	bool has_name, has_base, has_size, has_mw;
	char name[VMPKRAM_POOL_NAME_MAX + 1];
	uint64_t base, size;
	uint32_t mw;
	int err;	/* -1: no error and no ack seen */
	int data;	/* data messages */
	int api_version;
};

static const __u8 REQ_CMDS[] = {
	VMPKRAM_CMD_GET_STATUS, VMPKRAM_CMD_SET_PARAMS, VMPKRAM_CMD_GET_JOBS,
	VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_ATTACH, VMPKRAM_CMD_POOL_DETACH,
	VMPKRAM_CMD_POOL_FORMAT, VMPKRAM_CMD_POOL_SEAL,
	VMPKRAM_CMD_POOL_UNSEAL, VMPKRAM_CMD_GET_FILES,
	VMPKRAM_CMD_POOL_CHECK, VMPKRAM_CMD_POOL_REPAIR,
};

static bool cmd_req(int c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(REQ_CMDS); i++)
		if (REQ_CMDS[i] == c)
			return true;
	return false;
}

static bool cmd_admin(int c)
{
	return cmd_req(c) && c != VMPKRAM_CMD_GET_STATUS;
}

static bool cmd_doit(int c)
{
	return cmd_req(c) && c != VMPKRAM_CMD_GET_JOBS &&
	       c != VMPKRAM_CMD_GET_FILES;
}

static bool cmd_dump(int c)
{
	return c == VMPKRAM_CMD_GET_JOBS || c == VMPKRAM_CMD_POOL_GET ||
	       c == VMPKRAM_CMD_GET_FILES;
}

static bool cmd_changes_pools(int c)
{
	return c == VMPKRAM_CMD_POOL_ATTACH || c == VMPKRAM_CMD_POOL_DETACH ||
	       c == VMPKRAM_CMD_POOL_FORMAT || c == VMPKRAM_CMD_POOL_SEAL ||
	       c == VMPKRAM_CMD_POOL_UNSEAL || c == VMPKRAM_CMD_POOL_REPAIR;
}

static const char *cmd_name(int c)
{
	static const char *const n[] = {
		"UNSPEC", "GET_STATUS", "SET_PARAMS", "STATUS_NTF", "GET_JOBS",
		"JOB_NTF", "POOL_GET", "POOL_ATTACH", "POOL_DETACH",
		"POOL_FORMAT", "POOL_SEAL", "POOL_UNSEAL", "POOL_NTF",
		"GET_FILES", "POOL_CHECK", "POOL_REPAIR",
	};

	return c >= 0 && c < (int)ARRAY_SIZE(n) ? n[c] : "cmd?";
}

static void *nb_put(struct nlbuf *m, const void *d, size_t n)
{
	void *p;

	if (m->len + NLA_ALIGN(n) > sizeof(m->b))
		return NULL;
	p = m->b + m->len;
	memset(p, 0, NLA_ALIGN(n));
	if (d)
		memcpy(p, d, n);
	m->len += NLA_ALIGN(n);
	return p;
}

static struct nlattr *nb_attr(struct nlbuf *m, __u16 type, const void *d,
			      size_t n)
{
	struct nlattr *a;

	if (m->len + NLA_HDRLEN + NLA_ALIGN(n) > sizeof(m->b))
		return NULL;
	a = nb_put(m, NULL, NLA_HDRLEN);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + n;
	nb_put(m, d, n);
	return a;
}

static const char *gen_pool_name(char *buf)
{
	static const char *const fixed[] = { "test", "test", "test", "small",
		"small", "small", "small", "fuzz0", "fuzz1", "nosuch", "",
		"bad name!", "a.b", "0123456789012345678901234567890", "TEST" };
	int len, i;

	if (pct(85))
		return PICK(fixed);
	len = 1 + rn(31);
	for (i = 0; i < len; i++)
		buf[i] = PICK(((const char[]){ 'a', 'z', 'Q', '0', '9', '_',
					       '-' }));
	buf[len] = '\0';
	return buf;
}

static uint64_t gen_base(void)
{
	static const uint64_t b[] = { TEST_BASE, TEST_BASE, SMALL_BASE,
		SMALL_BASE, 0x62000000, 0x64000000, 0, 0x100000, 0xc0000000,
		0x100000000ULL, 0xfee00000, TEST_BASE + 4096, ~0ULL,
		~0ULL - BLK + 1, 1ULL << 52 };

	if (pct(30))
		return TEST_BASE + rn(0x24000000 / BLK) * BLK;
	return pct(80) ? PICK(b) : rnd() & ~(BLK - 1) & ((1ULL << 34) - 1);
}

static uint64_t gen_pool_size(void)
{
	static const uint64_t s[] = { TEST_SIZE, SMALL_SIZE, 4 << 20, 6 << 20,
		2 << 20, 0, 4ULL << 40, (4ULL << 40) + BLK, 8ULL << 40, 4096,
		~0ULL, (64ULL << 20) + 4096 };

	if (pct(25))
		return (2 + rn(256)) * BLK;
	return pct(85) ? PICK(s) : rnd();
}

static void put_name(struct nlbuf *m, bool attach)
{
	char buf[40];
	const char *n = gen_pool_name(buf);

	/* "nosuch" must stay absent: the checks expect ENODEV for it. */
	if (attach && !strcmp(n, "nosuch"))
		n = "fuzz2";
	nb_attr(m, VMPKRAM_A_POOL_NAME, n, strlen(n) + 1);
}

static void put_u64(struct nlbuf *m, __u16 type, uint64_t v)
{
	nb_attr(m, type, &v, sizeof(v));
}

static void put_u32(struct nlbuf *m, __u16 type, uint32_t v)
{
	nb_attr(m, type, &v, sizeof(v));
}

/* The attributes @cmd takes, each well formed. */
static void gen_valid_attrs(struct nlbuf *m, int cmd)
{
	switch (cmd) {
	case VMPKRAM_CMD_SET_PARAMS:
		if (pct(85))
			put_u32(m, VMPKRAM_A_MAX_WORKERS, pct(50) ? rn(9) :
				PICK(((uint32_t[]){ 0, 1, 2, 1024, rn(1025) })));
		break;
	case VMPKRAM_CMD_POOL_ATTACH:
		if (pct(92))
			put_name(m, true);
		if (pct(92))
			put_u64(m, VMPKRAM_A_POOL_BASE, gen_base());
		if (pct(92))
			put_u64(m, VMPKRAM_A_POOL_SIZE, gen_pool_size());
		break;
	case VMPKRAM_CMD_POOL_GET:
	case VMPKRAM_CMD_POOL_DETACH:
	case VMPKRAM_CMD_POOL_FORMAT:
	case VMPKRAM_CMD_POOL_SEAL:
	case VMPKRAM_CMD_POOL_UNSEAL:
	case VMPKRAM_CMD_GET_FILES:
	case VMPKRAM_CMD_POOL_CHECK:
	case VMPKRAM_CMD_POOL_REPAIR:
		if (pct(80))
			put_name(m, false);
		break;
	}
}

static void gen_random_attr(struct nlbuf *m, int depth)
{
	__u16 type = pct(75) ? rn(VMPKRAM_A_MAX + 4) : (__u16)rnd();
	uint8_t raw[320];
	size_t off, n, i;
	uint64_t v;

	if (pct(10))
		type |= NLA_F_NESTED;
	if (pct(4))
		type |= NLA_F_NET_BYTEORDER;
	switch (rn(11)) {
	case 0:
		v = interesting();
		nb_attr(m, type, &v, 1 + rn(8));
		break;
	case 1:
		put_u32(m, type, interesting());
		break;
	case 2:
		put_u64(m, type, interesting());
		break;
	case 3:	/* a string with its NUL */
		put_name(m, true);
		break;
	case 4:	/* not NUL terminated, up to 300 bytes */
		n = PICK(((size_t[]){ 1, 4, 31, 32, 33, 255, 300 }));
		for (i = 0; i < n; i++)
			raw[i] = 'a' + rn(26);
		nb_attr(m, PICK(((__u16[]){ VMPKRAM_A_POOL_NAME, type })), raw, n);
		break;
	case 5:	/* zero length, often a "string" */
		nb_attr(m, pct(50) ? VMPKRAM_A_POOL_NAME : type, NULL, 0);
		break;
	case 6:	/* random bytes */
		n = rn(80);
		for (i = 0; i < n; i++)
			raw[i] = rnd();
		nb_attr(m, type, raw, n);
		break;
	case 7:	/* a long string with its NUL, or embedded NULs */
		n = 32 + rn(260);
		for (i = 0; i < n; i++)
			raw[i] = pct(5) ? 0 : 'b';
		raw[n - 1] = 0;
		nb_attr(m, VMPKRAM_A_POOL_NAME, raw, n);
		break;
	case 8:	/* a nest of random attributes */
	case 9:	/* extents, as GET_FILES replies carry them */
		if (depth >= 3 || m->len + 64 > sizeof(m->b)) {
			nb_attr(m, type, NULL, 0);
			break;
		}
		off = m->len;
		if (!nb_attr(m, rn(2) ? (type | NLA_F_NESTED) :
			     VMPKRAM_A_FILE_EXTENTS, NULL, 0))
			break;
		for (i = rn(4); i; i--) {
			if (m->len + 96 > sizeof(m->b))
				break;
			if (rn(11) == 9 || depth) {
				gen_random_attr(m, depth + 1);
				continue;
			}
			size_t e = m->len;

			nb_attr(m, VMPKRAM_A_EXTENT | NLA_F_NESTED, NULL, 0);
			put_u64(m, VMPKRAM_A_EXTENT_OFFSET, interesting());
			put_u64(m, VMPKRAM_A_EXTENT_PHYS, gen_base());
			put_u64(m, VMPKRAM_A_EXTENT_LEN, interesting());
			((struct nlattr *)(m->b + e))->nla_len = m->len - e;
		}
		((struct nlattr *)(m->b + off))->nla_len = m->len - off;
		break;
	default:	/* out of range values of the real attributes */
		if (pct(50))
			put_u32(m, VMPKRAM_A_MAX_WORKERS, 1025 + rn(100000));
		else
			put_u64(m, PICK(((__u16[]){ VMPKRAM_A_POOL_BASE,
				VMPKRAM_A_POOL_SIZE })), interesting());
	}
}

/* The attribute at byte @n of the attribute area, if any. */
static struct nlattr *nth_attr(struct nlbuf *m, size_t start, size_t n)
{
	size_t pos = start;
	struct nlattr *a, *pick = NULL;

	while (pos + NLA_HDRLEN <= m->len) {
		a = (void *)(m->b + pos);
		if (a->nla_len < NLA_HDRLEN)
			break;
		if (pos - start >= n && !pick)
			pick = a;
		pos += NLA_ALIGN(a->nla_len);
	}
	if (!pick && start + NLA_HDRLEN <= m->len)
		pick = (void *)(m->b + start);
	return pick;
}

static void mutate_attrs(struct nlbuf *m, size_t start)
{
	struct nlattr *a;
	size_t n, k;

	for (k = 1 + rn(3); k; k--) {
		n = m->len > start ? rn(m->len - start + 1) : 0;
		switch (rn(8)) {
		case 0:
		case 1:
			gen_random_attr(m, 0);
			break;
		case 2:	/* a bad length on an attribute */
			a = nth_attr(m, start, n);
			if (a)
				a->nla_len = PICK(((__u16[]){ 0, 1, 3, 4, 5,
					a->nla_len + 1 + rn(8), 0xffff,
					a->nla_len - 1 }));
			break;
		case 3:	/* truncated: the last attribute goes past the end */
			if (m->len > start)
				m->len -= 1 + rn(m->len - start < 8 ?
						  m->len - start : 8);
			break;
		case 4:	/* bit flips */
			if (m->len > start)
				for (n = 1 + rn(3); n; n--)
					m->b[start + rn(m->len - start)] ^=
						1 << rn(8);
			break;
		case 5:	/* NLA_F_NESTED on an attribute that is not */
			a = nth_attr(m, start, n);
			if (a)
				a->nla_type ^= NLA_F_NESTED;
			break;
		case 6:	/* a duplicate */
			a = nth_attr(m, start, n);
			if (a && a->nla_len >= NLA_HDRLEN &&
			    (uint8_t *)a + a->nla_len <= m->b + m->len) {
				uint8_t copy[512];
				size_t l = a->nla_len < sizeof(copy) ?
					   a->nla_len : sizeof(copy);

				memcpy(copy, a, l);
				nb_put(m, copy, l);
			}
			break;
		default:	/* huge length on the last one */
			a = nth_attr(m, start, m->len);
			if (a)
				a->nla_len = 0xffff - rn(16);
		}
	}
}

/* Strict policy validation as the kernel does it, for @cmd. */
static bool attrs_valid(struct req *r, const uint8_t *p, int len)
{
	const struct nlattr *a;
	const char *s;
	int rem = len, t, l;

	r->has_name = r->has_base = r->has_size = r->has_mw = false;
	while (rem >= NLA_HDRLEN) {
		a = (const void *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			return false;
		t = a->nla_type;
		l = a->nla_len - NLA_HDRLEN;
		s = (const char *)a + NLA_HDRLEN;
		if (t & (NLA_F_NESTED | NLA_F_NET_BYTEORDER))
			return false;
		switch (t) {
		case VMPKRAM_A_MAX_WORKERS:
			if (r->cmd != VMPKRAM_CMD_SET_PARAMS || l != 4)
				return false;
			memcpy(&r->mw, s, 4);
			if (r->mw > VMPKRAM_WORKERS_LIMIT)
				return false;
			r->has_mw = true;
			break;
		case VMPKRAM_A_POOL_NAME: {
			int minlen = l < VMPKRAM_POOL_NAME_MAX + 1 ? l :
				     VMPKRAM_POOL_NAME_MAX + 1;

			if (!cmd_admin(r->cmd) || r->cmd == VMPKRAM_CMD_GET_JOBS ||
			    r->cmd == VMPKRAM_CMD_SET_PARAMS)
				return false;
			if (!minlen || !memchr(s, 0, minlen))
				return false;
			if (l - (s[l - 1] == 0) > VMPKRAM_POOL_NAME_MAX)
				return false;
			snprintf(r->name, sizeof(r->name), "%s", s);
			r->has_name = true;
			break;
		}
		case VMPKRAM_A_POOL_BASE:
		case VMPKRAM_A_POOL_SIZE:
			if (r->cmd != VMPKRAM_CMD_POOL_ATTACH || l != 8)
				return false;
			if (t == VMPKRAM_A_POOL_BASE) {
				memcpy(&r->base, s, 8);
				r->has_base = true;
			} else {
				memcpy(&r->size, s, 8);
				r->has_size = true;
			}
			break;
		default:
			return false;
		}
		rem -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
	return rem == 0;
}

/* How the kernel will see the request at r->off of the datagram. */
static void analyze(struct nlbuf *m, struct req *r)
{
	const struct nlmsghdr *nlh = (const void *)(m->b + r->off);
	const struct genlmsghdr *g = (const void *)(nlh + 1);
	size_t rem = m->len - r->off;
	__u16 f = nlh->nlmsg_flags, base;
	bool dump;

	r->processed = rem >= NLMSG_HDRLEN && nlh->nlmsg_len >= NLMSG_HDRLEN &&
		       nlh->nlmsg_len <= rem && (f & NLM_F_REQUEST) &&
		       nlh->nlmsg_type >= NLMSG_MIN_TYPE;
	r->family = nlh->nlmsg_type == nl_family;
	r->cmd = g->cmd;
	r->shaped = false;
	if (!r->processed || !r->family ||
	    nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return;
	dump = (f & NLM_F_DUMP) == NLM_F_DUMP;
	r->dump = dump;
	base = f & ~(dump ? NLM_F_DUMP : 0);
	if (g->reserved || (base & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO)) ||
	    !(base & NLM_F_ACK) || !cmd_req(g->cmd) ||
	    (dump ? !cmd_dump(g->cmd) : !cmd_doit(g->cmd)))
		return;
	r->shaped = attrs_valid(r, (const uint8_t *)g + GENL_HDRLEN,
				nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
}

static __u8 gen_cmd(void)
{
	static const __u8 w[] = {	/* weights: seal rarely, unseal often */
		VMPKRAM_CMD_GET_STATUS, VMPKRAM_CMD_GET_STATUS,
		VMPKRAM_CMD_SET_PARAMS, VMPKRAM_CMD_GET_JOBS,
		VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_GET,
		VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_ATTACH,
		VMPKRAM_CMD_POOL_ATTACH, VMPKRAM_CMD_POOL_ATTACH,
		VMPKRAM_CMD_POOL_DETACH, VMPKRAM_CMD_POOL_DETACH,
		VMPKRAM_CMD_POOL_FORMAT, VMPKRAM_CMD_POOL_FORMAT,
		VMPKRAM_CMD_POOL_UNSEAL, VMPKRAM_CMD_POOL_UNSEAL,
		VMPKRAM_CMD_GET_FILES, VMPKRAM_CMD_GET_FILES,
		VMPKRAM_CMD_POOL_CHECK, VMPKRAM_CMD_POOL_REPAIR,
	};
	int k = rn(100);

	if (k < 2)
		return VMPKRAM_CMD_POOL_SEAL;
	if (k < 82)
		return PICK(w);
	if (k < 90)
		return PICK(((__u8[]){ VMPKRAM_CMD_UNSPEC,
			VMPKRAM_CMD_STATUS_NTF, VMPKRAM_CMD_JOB_NTF,
			VMPKRAM_CMD_POOL_NTF }));
	if (k < 97)
		return VMPKRAM_CMD_MAX + 1 + rn(3);
	return rnd();
}

/* Appends one request; a mutated one unless @shape. */
static void gen_msg(struct nlbuf *m, struct req *r, bool second)
{
	bool shape = pct(45);
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	size_t attrs, total, cut;
	__u8 cmd = gen_cmd();
	__u16 flags = NLM_F_REQUEST | NLM_F_ACK;

	if (cmd_dump(cmd) && (!cmd_doit(cmd) || pct(40)))
		flags |= NLM_F_DUMP;
	memset(r, 0, sizeof(*r));
	r->off = m->len;
	nlh = nb_put(m, NULL, NLMSG_HDRLEN);
	g = nb_put(m, NULL, GENL_HDRLEN);
	if (!nlh || !g)
		return;
	nlh->nlmsg_type = nl_family;
	nlh->nlmsg_seq = r->seq = ++nl_seq;
	g->cmd = cmd;
	g->version = pct(80) ? VMPKRAM_GENL_VERSION : rnd();
	attrs = m->len;
	gen_valid_attrs(m, cmd);
	if (!shape)
		mutate_attrs(m, attrs);
	total = m->len - r->off;
	nlh = (void *)(m->b + r->off);
	g = (void *)(nlh + 1);
	nlh->nlmsg_len = total;
	if (!shape) {
		if (pct(12))
			g->reserved = 1 + rn(255);
		if (pct(8))
			flags = rnd();
		else if (pct(4))
			flags &= ~NLM_F_REQUEST;
		else if (pct(12))
			flags ^= NLM_F_DUMP;
		else if (pct(4))
			flags ^= NLM_F_ROOT;
		else if (pct(4))
			flags |= NLM_F_ECHO;
		else if (pct(5))
			flags &= ~NLM_F_ACK;
		if (pct(4))
			nlh->nlmsg_type = PICK(((__u16[]){ NLMSG_NOOP,
				NLMSG_ERROR, NLMSG_DONE, 0x0f, 0xffff }));
		if (!second && pct(4)) {
			nlh->nlmsg_len = total + 1 + rn(64);	/* dropped */
		} else if (!second && pct(6)) {
			/* shorter than sent; a header of the rest is cut */
			nlh->nlmsg_len = pct(30) ? NLMSG_HDRLEN + rn(GENL_HDRLEN) :
					 NLMSG_HDRLEN + rn(total - NLMSG_HDRLEN);
			cut = r->off + NLMSG_ALIGN(nlh->nlmsg_len);
			if (cut + NLMSG_HDRLEN <= m->len)
				memset(m->b + cut, 0xff, 4);
		}
	}
	nlh->nlmsg_flags = flags;
}

static char nl_rbuf[64 * 1024] __attribute__((aligned(8)));

static void nl_take(struct nlmsghdr *h, struct req *reqs, int nreq)
{
	struct nlattr *a;
	int i, rem;

	for (i = 0; i < nreq; i++) {
		if (h->nlmsg_seq != reqs[i].seq)
			continue;
		if (h->nlmsg_type == NLMSG_ERROR &&
		    h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
			reqs[i].err = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
		} else if (h->nlmsg_type == NLMSG_DONE) {
			if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
				reqs[i].err = -*(int *)NLMSG_DATA(h);
			else
				reqs[i].err = 0;
		} else if (h->nlmsg_type == nl_family) {
			reqs[i].data++;
			if (h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				continue;
			tnl_for_each(a, (char *)NLMSG_DATA(h) + GENL_HDRLEN,
				     h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), rem)
				if (a->nla_type == VMPKRAM_A_API_VERSION)
					reqs[i].api_version = tnl_u32(a);
		}
	}
}

/*
 * Sends the datagram and a NOOP request with an ACK behind it, and reads
 * until that ACK (a request the kernel drops has no answer of its own),
 * then whatever a dump still sends.  False if the ACK did not come.
 */
static bool nl_xfer(struct nlbuf *m, struct req *reqs, int nreq, bool *lost)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	struct nlmsghdr noop = { .nlmsg_len = NLMSG_HDRLEN,
				 .nlmsg_type = NLMSG_NOOP,
				 .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK };
	bool acked = false;
	struct nlmsghdr *h;
	ssize_t n;

	*lost = false;
	noop.nlmsg_seq = ++nl_seq;
	if (sendto(nl_fd, m->b, m->len, 0, (void *)&k, sizeof(k)) < 0)
		*lost = true;
	if (sendto(nl_fd, &noop, sizeof(noop), 0, (void *)&k, sizeof(k)) < 0)
		return false;
	for (;;) {
		n = recv(nl_fd, nl_rbuf, sizeof(nl_rbuf), acked ? MSG_DONTWAIT : 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			*lost = true;
			continue;
		}
		if (n < 0)
			return acked;
		for (h = (void *)nl_rbuf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq == noop.nlmsg_seq &&
			    h->nlmsg_type == NLMSG_ERROR)
				acked = true;
			else
				nl_take(h, reqs, nreq);
		}
	}
}

static void check_attach(struct req *r)
{
	struct pools ps;
	int i, j;

	if (!r->has_base || !r->has_size || !r->has_name) {
		violation("ATTACH succeeded without name, base or size");
		return;
	}
	if (r->base % BLK || r->size % BLK || r->size < VMPKRAM_POOL_MIN_SIZE ||
	    r->size > VMPKRAM_POOL_MAX_SIZE || r->base + r->size < r->base)
		violation("ATTACH %s %#" PRIx64 "@%#" PRIx64 " succeeded: bad geometry",
			  r->name, r->size, r->base);
	else if (!range_reserved(r->base, r->size))
		violation("ATTACH %s %#" PRIx64 "@%#" PRIx64 " succeeded on memory that is not reserved",
			  r->name, r->size, r->base);
	if (pools_dump(&ps))
		return;
	for (i = 0; i < ps.nr; i++)
		for (j = i + 1; j < ps.nr; j++)
			if (overlaps(ps.p[i].base, ps.p[i].size, ps.p[j].base,
				     ps.p[j].size))
				violation("pools %s and %s overlap after ATTACH",
					  ps.p[i].name, ps.p[j].name);
}

static const int NL_ROOT[] = { EINVAL, ERANGE, EOPNOTSUPP, ENODEV, EEXIST,
			       EBUSY, EADDRNOTAVAIL, EUCLEAN, ENOMEM, ENOENT,
			       EAGAIN, 0 };
static const int NL_UNPRIV_ADMIN[] = { EPERM, EINVAL, ERANGE, EOPNOTSUPP, 0 };
static const int NL_UNPRIV_OTHER[] = { EINVAL, ERANGE, EOPNOTSUPP, ENOENT, 0 };

static void nl_check(struct req *r)
{
	bool ok = r->err <= 0;	/* -1: no error (and no ACK asked) */
	const char *c = cmd_name(r->cmd);

	if (!r->processed || !r->family)
		return;
	/* One dump at a time per socket (netlink_dump_start). */
	if (r->behind_dump && r->err == EBUSY)
		return;
	if (unpriv) {
		if (cmd_admin(r->cmd)) {
			if (r->data)
				violation("unprivileged %s got %d reply messages",
					  c, r->data);
			if (ok)
				violation("unprivileged admin command %s succeeded", c);
			else if (r->shaped && r->err != EPERM)
				violation("unprivileged %s failed with %s, not EPERM",
					  c, ename(r->err));
			else
				expect_in(c, r->err, NL_UNPRIV_ADMIN);
		} else if (r->cmd == VMPKRAM_CMD_GET_STATUS && r->shaped) {
			if (r->err > 0)
				violation("unprivileged GET_STATUS failed with %s",
					  ename(r->err));
		} else {
			expect_in(c, r->err, NL_UNPRIV_OTHER);
		}
		return;
	}
	if (r->err == EPERM)
		violation("%s as root failed with EPERM", c);
	else
		expect_in(c, r->err, NL_ROOT);
	if (r->shaped) {
		if (r->cmd == VMPKRAM_CMD_GET_STATUS &&
		    (!ok || r->api_version != VMPKRAM_API_VERSION))
			violation("GET_STATUS: %s, api version %d", ename(r->err),
				  r->api_version);
		if (r->cmd == VMPKRAM_CMD_SET_PARAMS && r->has_mw != ok)
			violation("SET_PARAMS %s max_workers: %s",
				  r->has_mw ? "with" : "without", ename(r->err));
		if (cmd_doit(r->cmd) && r->cmd != VMPKRAM_CMD_GET_STATUS &&
		    r->cmd != VMPKRAM_CMD_SET_PARAMS &&
		    r->cmd != VMPKRAM_CMD_POOL_SEAL &&
		    r->cmd != VMPKRAM_CMD_POOL_UNSEAL && !r->has_name &&
		    !r->dump && r->err != EINVAL)
			violation("%s without a pool name: %s, not EINVAL", c,
				  ename(r->err));
		if (r->has_name && !strcmp(r->name, "nosuch") &&
		    r->cmd != VMPKRAM_CMD_POOL_ATTACH && r->err != ENODEV &&
		    !(r->cmd == VMPKRAM_CMD_POOL_GET && r->dump))
			violation("%s of pool \"nosuch\": %s, not ENODEV", c,
				  ename(r->err));
	}
	if (r->cmd == VMPKRAM_CMD_POOL_ATTACH && ok)
		check_attach(r);
	if ((r->cmd == VMPKRAM_CMD_POOL_FORMAT ||
	     r->cmd == VMPKRAM_CMD_POOL_DETACH) && r->has_name &&
	    !strcmp(r->name, POOL) && mounted && (ok || (r->shaped &&
						       r->err != EBUSY)))
		violation("%s of the mounted pool %s: %s, not EBUSY", c, POOL,
			  ename(r->err));
}

void fuzz_netlink(void)
{
	struct nlbuf m = { .len = 0 };
	struct req reqs[2];
	int nreq = 1, one, i;
	bool lost, changes = false;

	if (!unpriv && pct(2)) {	/* ACK options of the socket */
		one = rn(2);
		setsockopt(nl_fd, SOL_NETLINK, PICK(((int[]){ NETLINK_EXT_ACK,
			   NETLINK_CAP_ACK })), &one, sizeof(one));
	}
	if (!unpriv && pct(3)) {	/* "small" back where it belongs */
		struct tnl_pool p;

		if (tnl_pool_get(&ctl, "small", &p) == ENODEV) {
			detach_overlapping("small", SMALL_BASE, SMALL_SIZE);
			pool_attach("small", SMALL_BASE, SMALL_SIZE);
		}
	}
	gen_msg(&m, &reqs[0], false);
	analyze(&m, &reqs[0]);
	if (pct(8) && reqs[0].processed &&
	    ((struct nlmsghdr *)m.b)->nlmsg_len == m.len) {
		m.len = NLMSG_ALIGN(m.len);
		gen_msg(&m, &reqs[1], true);
		analyze(&m, &reqs[0]);
		analyze(&m, &reqs[1]);
		reqs[1].behind_dump = reqs[0].dump;
		nreq = 2;
	}
	for (i = 0; i < nreq; i++) {
		reqs[i].err = -1;
		changes |= cmd_changes_pools(reqs[i].cmd);
	}
	note("netlink %s%s%s%s len %zu%s%s%s", cmd_name(reqs[0].cmd),
	     reqs[0].shaped ? " (well formed)" : "",
	     reqs[0].has_name ? " name " : "",
	     reqs[0].has_name ? reqs[0].name : "", m.len,
	     nreq > 1 ? ", then " : "", nreq > 1 ? cmd_name(reqs[1].cmd) : "",
	     reqs[0].processed ? "" : " (not a request the kernel parses)");
	if (!nl_xfer(&m, reqs, nreq, &lost)) {
		violation("netlink: no answer to the NOOP behind %s within 20 s",
			  cmd_name(reqs[0].cmd));
		return;
	}
	if (!lost)
		for (i = 0; i < nreq; i++) {
			nl_check(&reqs[i]);
			if (reqs[i].processed && reqs[i].family &&
			    reqs[i].err <= 0)
				stat_add(cmd_changes_pools(reqs[i].cmd) ?
					 S_NL_POOL : S_NL);
		}
	if (!unpriv && changes)
		refresh_test();
}
