// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the vmpkram selftests, documented in vmpkram_test.h.
 */
#include <fcntl.h>
#include <time.h>
#include <sys/ioctl.h>
#include <linux/vmpkram.h>

#include "vmpkram_test.h"

int run_unprivileged(int (*fn)(void))
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(NOBODY_GID, NOBODY_GID,
						    NOBODY_GID) ||
		    setresuid(NOBODY_UID, NOBODY_UID, NOBODY_UID))
			_exit(255);
		/* A credential change makes /proc/self root's; undo that. */
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
			_exit(255);
		_exit(fn() & 0xff);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

uint64_t vt_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t vt_rand64(uint64_t *s)
{
	return vt_mix64(*s += 0x9e3779b97f4a7c15ULL);
}

uint64_t vt_rand(uint64_t *s, uint64_t n)
{
	return n ? vt_rand64(s) % n : 0;
}

long vt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

void tnl_parse(struct nlattr **tb, int max, void *head, int len)
{
	struct nlattr *a;
	int rem;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	tnl_for_each(a, head, len, rem)
		if ((a->nla_type & NLA_TYPE_MASK) <= max)
			tb[a->nla_type & NLA_TYPE_MASK] = a;
}

void tnl_msg_init(struct tnl_msg *m, __u16 type, __u16 flags,
		  __u8 cmd)
{
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_LENGTH(GENL_HDRLEN));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	g = NLMSG_DATA(&m->nlh);
	g->cmd = cmd;
	g->version = VMPKRAM_GENL_VERSION;
}

struct genlmsghdr *tnl_genlhdr(struct tnl_msg *m)
{
	return NLMSG_DATA(&m->nlh);
}

void tnl_put(struct tnl_msg *m, __u16 type, const void *data,
	     int len)
{
	size_t off = NLMSG_ALIGN(m->nlh.nlmsg_len);
	struct nlattr *a = (struct nlattr *)(m->buf + off);

	if (off + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf))
		abort();
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memset(tnl_data(a), 0, NLA_ALIGN(len));
	if (len)
		memcpy(tnl_data(a), data, len);
	m->nlh.nlmsg_len = off + NLA_HDRLEN + NLA_ALIGN(len);
}

void tnl_put_u32(struct tnl_msg *m, __u16 type, __u32 v)
{
	tnl_put(m, type, &v, sizeof(v));
}

void tnl_put_u64(struct tnl_msg *m, __u16 type, __u64 v)
{
	tnl_put(m, type, &v, sizeof(v));
}

void tnl_put_str(struct tnl_msg *m, __u16 type, const char *s)
{
	tnl_put(m, type, s, strlen(s) + 1);
}

void tnl_result_clear(struct tnl_result *res)
{
	free(res->reply);
	memset(res, 0, sizeof(*res));
	res->miss_type = -1;
	res->offs = -1;
}

void tnl_parse_ack(struct nlmsghdr *nlh, void *tlv,
		   struct tnl_result *res)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int len = (char *)nlh + nlh->nlmsg_len - (char *)tlv;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || len <= 0)
		return;
	tnl_parse(tb, NLMSGERR_ATTR_MAX, tlv, len);
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(res->msg, sizeof(res->msg), "%s",
			 tnl_str(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		res->miss_type = tnl_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	if (tb[NLMSGERR_ATTR_OFFS])
		res->offs = tnl_u32(tb[NLMSGERR_ATTR_OFFS]);
}

int tnl_take(struct nlmsghdr *nlh, tnl_cb cb, void *arg,
	     struct tnl_result *res)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	void *attrs = (char *)NLMSG_DATA(nlh) + GENL_HDRLEN;
	int len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	if (len < 0)
		return -EBADMSG;
	if (!res->replies++) {
		res->reply = malloc(nlh->nlmsg_len);
		if (!res->reply)
			return -ENOMEM;
		memcpy(res->reply, nlh, nlh->nlmsg_len);
		tnl_parse(res->tb, VMPKRAM_A_MAX,
			  (char *)NLMSG_DATA(res->reply) + GENL_HDRLEN, len);
	}
	if (cb) {
		tnl_parse(tb, VMPKRAM_A_MAX, attrs, len);
		cb(tb, arg);
	}
	return 0;
}

int tnl_exec(struct tnl *nl, struct tnl_msg *m, tnl_cb cb,
	     void *arg, struct tnl_result *res)
{
	static char buf[TNL_BUF_SIZE] __attribute__((aligned(8)));
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	bool dump = m->nlh.nlmsg_flags & NLM_F_DUMP;
	struct nlmsghdr *nlh;
	ssize_t n;
	int ret;

	tnl_result_clear(res);
	if (!dump)
		m->nlh.nlmsg_flags |= NLM_F_ACK;
	m->nlh.nlmsg_seq = ++nl->seq;
	if (sendto(nl->fd, m->buf, m->nlh.nlmsg_len, 0,
		   (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != nl->seq)
				continue;	/* an event, or stale */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *err = NLMSG_DATA(nlh);
				char *tlv = (char *)(err + 1);

				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					tlv += err->msg.nlmsg_len - NLMSG_HDRLEN;
				res->error = -err->error;
				tnl_parse_ack(nlh, tlv, res);
				return 0;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int *err = NLMSG_DATA(nlh);

				if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(*err))) {
					res->error = -*err;
					tnl_parse_ack(nlh, err + 1, res);
				}
				return 0;
			}
			ret = tnl_take(nlh, cb, arg, res);
			if (ret)
				return ret;
		}
	}
}

int tnl_resolve(struct tnl *nl)
{
	struct tnl_result res = { 0 };
	struct nlattr *grp, *tb[CTRL_ATTR_MAX + 1], *gtb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct tnl_msg m;
	int ret, rem;

	tnl_msg_init(&m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY);
	tnl_put_str(&m, CTRL_ATTR_FAMILY_NAME, VMPKRAM_GENL_NAME);
	ret = tnl_exec(nl, &m, NULL, NULL, &res);
	if (!ret && res.error)
		ret = -res.error;
	if (!ret && !res.reply)
		ret = -ENODATA;
	if (!ret) {
		tnl_parse(tb, CTRL_ATTR_MAX,
			  (char *)NLMSG_DATA(res.reply) + GENL_HDRLEN,
			  res.reply->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
		if (!tb[CTRL_ATTR_FAMILY_ID] || !tb[CTRL_ATTR_MCAST_GROUPS])
			ret = -ENODATA;
	}
	if (!ret) {
		nl->family = tnl_u32(tb[CTRL_ATTR_FAMILY_ID]) & 0xffff;
		if (tb[CTRL_ATTR_VERSION])
			nl->version = tnl_u32(tb[CTRL_ATTR_VERSION]);
		tnl_for_each(grp, tnl_data(tb[CTRL_ATTR_MCAST_GROUPS]),
			     tnl_len(tb[CTRL_ATTR_MCAST_GROUPS]), rem) {
			tnl_parse(gtb, CTRL_ATTR_MCAST_GRP_MAX, tnl_data(grp),
				  tnl_len(grp));
			if (gtb[CTRL_ATTR_MCAST_GRP_NAME] &&
			    gtb[CTRL_ATTR_MCAST_GRP_ID] &&
			    !strcmp(tnl_str(gtb[CTRL_ATTR_MCAST_GRP_NAME]),
				    VMPKRAM_GENL_MCGRP_EVENTS))
				nl->events_group =
					tnl_u32(gtb[CTRL_ATTR_MCAST_GRP_ID]);
		}
	}
	tnl_result_clear(&res);
	return ret;
}

void tnl_close(struct tnl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

int tnl_open(struct tnl *nl)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	if (bind(nl->fd, (struct sockaddr *)&local, sizeof(local)) ||
	    setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)) ||
	    setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one,
		       sizeof(one))) {
		ret = -errno;
		tnl_close(nl);
		return ret;
	}
	ret = tnl_resolve(nl);
	if (ret)
		tnl_close(nl);
	return ret;
}

int tnl_subscribe(struct tnl *nl)
{
	return setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			  &nl->events_group, sizeof(nl->events_group)) ?
	       -errno : 0;
}

bool tnl_wait_event(struct tnl *nl, __u8 cmd, int ms,
		    bool (*cb)(struct nlattr **tb, void *arg),
		    void *arg)
{
	static char buf[TNL_BUF_SIZE] __attribute__((aligned(8)));
	struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	struct nlmsghdr *nlh;
	ssize_t n;

	while (poll(&pfd, 1, ms) == 1) {
		n = recv(nl->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return false;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			struct genlmsghdr *g = NLMSG_DATA(nlh);

			if (nlh->nlmsg_type != nl->family || g->cmd != cmd ||
			    nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				continue;
			tnl_parse(tb, VMPKRAM_A_MAX, (char *)g + GENL_HDRLEN,
				  nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
			if (cb(tb, arg))
				return true;
		}
	}
	return false;
}

void tnl_opt_str(char *buf, size_t len, const struct nlattr *a)
{
	snprintf(buf, len, "%s", a ? tnl_str(a) : "");
}

void tnl_pool_parse(struct nlattr **tb, struct tnl_pool *p)
{
	memset(p, 0, sizeof(*p));
	tnl_opt_str(p->name, sizeof(p->name), tb[VMPKRAM_A_POOL_NAME]);
	tnl_opt_str(p->reason, sizeof(p->reason),
		    tb[VMPKRAM_A_POOL_STATE_REASON]);
	tnl_opt_str(p->cmdline, sizeof(p->cmdline), tb[VMPKRAM_A_POOL_CMDLINE]);
	p->state = tnl_opt_u32(tb[VMPKRAM_A_POOL_STATE]);
	p->clean = tnl_opt_u32(tb[VMPKRAM_A_POOL_CLEAN]);
	p->block_size = tnl_opt_u32(tb[VMPKRAM_A_POOL_BLOCK_SIZE]);
	p->nr_files = tnl_opt_u32(tb[VMPKRAM_A_POOL_NR_FILES]);
	p->max_files = tnl_opt_u32(tb[VMPKRAM_A_POOL_MAX_FILES]);
	p->mounted = tnl_opt_u32(tb[VMPKRAM_A_POOL_MOUNTED]);
	p->event = tnl_opt_u32(tb[VMPKRAM_A_POOL_EVENT]);
	p->has_base = tb[VMPKRAM_A_POOL_BASE];
	p->base = tnl_opt_u64(tb[VMPKRAM_A_POOL_BASE]);
	p->size = tnl_opt_u64(tb[VMPKRAM_A_POOL_SIZE]);
	p->generation = tnl_opt_u64(tb[VMPKRAM_A_POOL_GENERATION]);
	p->seal_time = tnl_opt_u64(tb[VMPKRAM_A_POOL_SEAL_TIME]);
	p->data_size = tnl_opt_u64(tb[VMPKRAM_A_POOL_DATA_SIZE]);
	p->used = tnl_opt_u64(tb[VMPKRAM_A_POOL_USED]);
	p->free = tnl_opt_u64(tb[VMPKRAM_A_POOL_FREE]);
	p->scrub_pending = tnl_opt_u64(tb[VMPKRAM_A_POOL_SCRUB_PENDING]);
	p->largest_free = tnl_opt_u64(tb[VMPKRAM_A_POOL_LARGEST_FREE]);
	p->bad = tnl_opt_u64(tb[VMPKRAM_A_POOL_BAD]);
	p->layout = tnl_opt_u32(tb[VMPKRAM_A_POOL_LAYOUT]);
	if (tb[VMPKRAM_A_POOL_UUID] && tnl_len(tb[VMPKRAM_A_POOL_UUID]) == 16) {
		p->has_uuid = true;
		memcpy(p->uuid, tnl_data(tb[VMPKRAM_A_POOL_UUID]), 16);
	}
}

int tnl_pool_cmd(struct tnl *nl, __u8 cmd, const char *name,
		 struct tnl_pool *p)
{
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	int ret;

	tnl_msg_init(&m, nl->family, 0, cmd);
	if (name)
		tnl_put_str(&m, VMPKRAM_A_POOL_NAME, name);
	ret = tnl_exec(nl, &m, NULL, NULL, &res);
	if (!ret)
		ret = res.error;
	if (!ret && p)
		tnl_pool_parse(res.tb, p);
	tnl_result_clear(&res);
	return ret;
}

int tnl_pool_get(struct tnl *nl, const char *name,
		 struct tnl_pool *p)
{
	return tnl_pool_cmd(nl, VMPKRAM_CMD_POOL_GET, name, p);
}

void tnl_files_cb(struct nlattr **tb, void *arg)
{
	struct tnl_files *fs = arg;
	struct nlattr *ext, *etb[VMPKRAM_A_MAX + 1];
	struct tnl_file *f;
	int rem;

	if (!tb[VMPKRAM_A_FILE_INO]) {
		fs->bad++;
		return;
	}
	/* A file continued from the previous message repeats its inode. */
	if (!fs->nr || fs->f[fs->nr - 1].ino != tnl_u64(tb[VMPKRAM_A_FILE_INO])) {
		if (fs->nr > VMPKRAM_POOL_MAX_FILES) {
			fs->bad++;
			return;
		}
		f = &fs->f[fs->nr++];
		memset(f, 0, sizeof(*f));
		f->ino = tnl_u64(tb[VMPKRAM_A_FILE_INO]);
		if (tb[VMPKRAM_A_FILE_NAME])
			snprintf(f->name, sizeof(f->name), "%s",
				 tnl_str(tb[VMPKRAM_A_FILE_NAME]));
		/* Absent attributes give values no check accepts. */
		f->size = tb[VMPKRAM_A_FILE_SIZE] ?
			  tnl_u64(tb[VMPKRAM_A_FILE_SIZE]) : ~0ULL;
		f->mtime_ns = tnl_opt_u64(tb[VMPKRAM_A_FILE_MTIME_NS]);
		f->mode = tnl_opt_u32(tb[VMPKRAM_A_FILE_MODE]);
		f->uid = tb[VMPKRAM_A_FILE_UID] ?
			 tnl_u32(tb[VMPKRAM_A_FILE_UID]) : ~0U;
		f->gid = tb[VMPKRAM_A_FILE_GID] ?
			 tnl_u32(tb[VMPKRAM_A_FILE_GID]) : ~0U;
		f->flags = tb[VMPKRAM_A_FILE_FLAGS] ?
			   tnl_u32(tb[VMPKRAM_A_FILE_FLAGS]) : ~0U;
	}
	f = &fs->f[fs->nr - 1];
	if (!tb[VMPKRAM_A_FILE_EXTENTS])
		return;
	tnl_for_each(ext, tnl_data(tb[VMPKRAM_A_FILE_EXTENTS]),
		     tnl_len(tb[VMPKRAM_A_FILE_EXTENTS]), rem) {
		tnl_parse(etb, VMPKRAM_A_MAX, tnl_data(ext), tnl_len(ext));
		if ((ext->nla_type & NLA_TYPE_MASK) != VMPKRAM_A_EXTENT ||
		    !etb[VMPKRAM_A_EXTENT_OFFSET] ||
		    !etb[VMPKRAM_A_EXTENT_PHYS] || !etb[VMPKRAM_A_EXTENT_LEN] ||
		    f->nr_extents == TNL_MAX_EXTENTS) {
			fs->bad++;
			continue;
		}
		f->ext[f->nr_extents].offset =
			tnl_u64(etb[VMPKRAM_A_EXTENT_OFFSET]);
		f->ext[f->nr_extents].phys = tnl_u64(etb[VMPKRAM_A_EXTENT_PHYS]);
		f->ext[f->nr_extents].len = tnl_u64(etb[VMPKRAM_A_EXTENT_LEN]);
		f->nr_extents++;
	}
}

int tnl_get_files(struct tnl *nl, const char *name,
		  struct tnl_files *fs)
{
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	int ret;

	memset(fs, 0, sizeof(*fs));
	tnl_msg_init(&m, nl->family, NLM_F_DUMP, VMPKRAM_CMD_GET_FILES);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, name);
	ret = tnl_exec(nl, &m, tnl_files_cb, fs, &res);
	if (!ret)
		ret = res.error;
	tnl_result_clear(&res);
	return ret;
}

struct tnl_file *tnl_find_file(struct tnl_files *fs,
			       const char *name)
{
	int i;

	for (i = 0; i < fs->nr; i++)
		if (!strcmp(fs->f[i].name, name))
			return &fs->f[i];
	return NULL;
}

int tnl_get_faults(struct tnl *nl, struct tnl_faults *f)
{
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	int ret;

	memset(f, 0, sizeof(*f));
	tnl_msg_init(&m, nl->family, 0, VMPKRAM_CMD_GET_STATUS);
	ret = tnl_exec(nl, &m, NULL, NULL, &res);
	if (!ret)
		ret = res.error;
	if (!ret && (!res.tb[VMPKRAM_A_FAULTS_PTE] ||
		     !res.tb[VMPKRAM_A_FAULTS_PMD] ||
		     !res.tb[VMPKRAM_A_FAULTS_PUD]))
		ret = ENODATA;
	if (!ret) {
		f->pte = tnl_u64(res.tb[VMPKRAM_A_FAULTS_PTE]);
		f->pmd = tnl_u64(res.tb[VMPKRAM_A_FAULTS_PMD]);
		f->pud = tnl_u64(res.tb[VMPKRAM_A_FAULTS_PUD]);
	}
	tnl_result_clear(&res);
	return ret;
}

unsigned long long vt_module_features(void)
{
	struct vmpkram_api api = { .size = sizeof(api) };
	int dev = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	int ret = dev < 0 ? -1 : ioctl(dev, VMPKRAM_IOC_GET_API, &api);

	if (dev >= 0)
		close(dev);
	return ret ? 0 : api.features;
}

int vt_kmsg_mark(int fd, const char *marker)
{
	char rec[128];
	int n = snprintf(rec, sizeof(rec), "<3>%s\n", marker);

	return write(fd, rec, n) == n;
}
