// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkram_pool_stress_test: the dumper: GET_FILES through raw generic
 * netlink (large and 4 KiB receive buffers) and libvmpkram, every
 * consistent dump checked.
 */
#include "pool_stress.h"

/*
 * One GET_FILES dump on @fd, read @rcvlen bytes at a time; *@intr tells
 * whether any message of it carried NLM_F_DUMP_INTR.  0 or -errno.
 * Dumps whose files took more than one datagram count as "split".
 */
int raw_dump(int fd, __u32 *seq, size_t rcvlen, char *buf,
	     struct tnl_files *fs, bool *intr)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	struct nlmsghdr *nlh;
	struct tnl_msg m;
	int recvs = 0, counted = 0, datagrams = 0;
	ssize_t n;

	fs->nr = 0;
	fs->bad = 0;
	*intr = false;
	tnl_msg_init(&m, g.family, NLM_F_DUMP, VMPKRAM_CMD_GET_FILES);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, POOL);
	m.nlh.nlmsg_seq = ++*seq;
	if (sendto(fd, m.buf, m.nlh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, buf, rcvlen, MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if ((size_t)n > rcvlen)
			return -EMSGSIZE;
		recvs++;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			struct genlmsghdr *gh = NLMSG_DATA(nlh);

			if (nlh->nlmsg_seq != *seq)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				*intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);

				return e->error ? e->error : -EPROTO;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int *e = NLMSG_DATA(nlh);

				return nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ?
				       *e : 0;
			}
			if (nlh->nlmsg_type != g.family ||
			    nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
			    gh->cmd != VMPKRAM_CMD_GET_FILES ||
			    !(nlh->nlmsg_flags & NLM_F_MULTI)) {
				fs->bad++;
				continue;
			}
			tnl_parse(tb, VMPKRAM_A_MAX, (char *)gh + GENL_HDRLEN,
				  nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
			tnl_files_cb(tb, fs);
			if (counted != recvs) {
				counted = recvs;
				if (++datagrams == 2)
					count(C_SPLIT, 1);
			}
		}
	}
}

/* The libvmpkram dump, collected into the same form. */
static int lib_file_cb(const struct vmpkram_file *file, void *arg)
{
	struct tnl_files *fs = arg;
	struct tnl_file *f;
	uint32_t i;

	if (fs->nr > VMPKRAM_POOL_MAX_FILES || file->nr_extents > TNL_MAX_EXTENTS) {
		fs->bad++;
		return 0;
	}
	f = &fs->f[fs->nr++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", file->name);
	f->ino = file->ino;
	f->size = file->file_size;
	f->mtime_ns = file->mtime_ns;
	f->mode = file->mode;
	f->uid = file->uid;
	f->gid = file->gid;
	f->flags = file->flags;
	f->nr_extents = file->nr_extents;
	for (i = 0; i < file->nr_extents; i++) {
		f->ext[i].offset = file->extents[i].offset;
		f->ext[i].phys = file->extents[i].phys;
		f->ext[i].len = file->extents[i].len;
	}
	return 0;
}

/*
 * A dump that was not interrupted: every file whole and in the pool's
 * data area, no block, name or inode twice.  @owner (sized for the pool's
 * blocks) is scratch.  Returns false after reporting.
 */
bool check_dump(const char *whom, const char *how,
		struct tnl_files *fs, int *owner)
{
	__u64 lo = g.base + g.size - g.data_size, hi = g.base + g.size;
	__u64 nblocks = g.size / BLK, sum, b, i;
	int k, e, j;

	if (fs->bad) {
		fail(whom, "%s dump: %d malformed messages or extents", how,
		     fs->bad);
		return false;
	}
	if (fs->nr > VMPKRAM_POOL_MAX_FILES) {
		fail(whom, "%s dump: %d files", how, fs->nr);
		return false;
	}
	for (i = 0; i < nblocks; i++)
		owner[i] = -1;
	for (k = 0; k < fs->nr; k++) {
		struct tnl_file *f = &fs->f[k];
		bool orphan = f->flags & VMPKRAM_FILE_F_ORPHAN;

		if (f->size == ~0ULL || f->flags & ~VMPKRAM_FILE_F_ORPHAN ||
		    orphan != !f->name[0] || !S_ISREG(f->mode)) {
			fail(whom, "%s dump: file %d \"%s\" ino %llu: size %llu flags %#x mode %o",
			     how, k, f->name, (unsigned long long)f->ino,
			     (unsigned long long)f->size, f->flags, f->mode);
			return false;
		}
		for (j = 0; j < k; j++) {
			if (fs->f[j].ino == f->ino ||
			    (f->name[0] && !strcmp(fs->f[j].name, f->name))) {
				fail(whom, "%s dump: files %d and %d both are \"%s\" ino %llu / \"%s\" ino %llu",
				     how, j, k, fs->f[j].name,
				     (unsigned long long)fs->f[j].ino, f->name,
				     (unsigned long long)f->ino);
				return false;
			}
		}
		sum = 0;
		for (e = 0; e < f->nr_extents; e++) {
			__u64 off = f->ext[e].offset, phys = f->ext[e].phys;
			__u64 len = f->ext[e].len;

			if (off != sum || !len || len % BLK || phys % BLK ||
			    phys < lo || phys > hi || len > hi - phys) {
				fail(whom, "%s dump: \"%s\" ino %llu size %llu extent %d: offset %#llx phys %#llx len %#llx (expected offset %#llx, data area [%#llx, %#llx))",
				     how, f->name, (unsigned long long)f->ino,
				     (unsigned long long)f->size, e,
				     (unsigned long long)off,
				     (unsigned long long)phys,
				     (unsigned long long)len,
				     (unsigned long long)sum,
				     (unsigned long long)lo,
				     (unsigned long long)hi);
				return false;
			}
			for (b = (phys - g.base) / BLK;
			     b < (phys - g.base + len) / BLK; b++) {
				if (owner[b] >= 0) {
					fail(whom, "%s dump: block at %#llx is in \"%s\" ino %llu and in \"%s\" ino %llu",
					     how,
					     (unsigned long long)(g.base + b * BLK),
					     fs->f[owner[b]].name,
					     (unsigned long long)fs->f[owner[b]].ino,
					     f->name,
					     (unsigned long long)f->ino);
					return false;
				}
				owner[b] = k;
			}
			sum += len;
		}
		if (sum != ROUND_UP(f->size, BLK)) {
			fail(whom, "%s dump: \"%s\" ino %llu size %llu has %llu bytes of extents in %d extents",
			     how, f->name, (unsigned long long)f->ino,
			     (unsigned long long)f->size,
			     (unsigned long long)sum, f->nr_extents);
			return false;
		}
	}
	count(C_FILES_SEEN, fs->nr);
	return true;
}

/* A socket with no reply read yet: its dumps come in small messages. */
int small_socket(struct nlsock *s)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };

	s->seq = 0;
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		return -errno;
	if (bind(s->fd, (struct sockaddr *)&local, sizeof(local)))
		return -errno;
	return 0;
}

struct nlsock big_sock = { .fd = -1 }, small_sock = { .fd = -1 };

void *dump_thread(void *arg)
{
	const char *whom = "dumper";
	struct tnl_files *fs = malloc(sizeof(*fs));
	int *owner = malloc(g.size / BLK * sizeof(int));
	char *buf = malloc(TNL_BUF_SIZE);
	struct vmpkram_ctx *ctx = NULL;
	unsigned long i;
	bool intr;
	int ret;

	if (!fs || !owner || !buf || vmpkram_new(&ctx)) {
		fail(whom, "out of memory or no libvmpkram context");
		goto out;
	}
	for (i = 0; !stopping(); i++) {
		switch (i % 3) {
		case 0:
			ret = raw_dump(big_sock.fd, &big_sock.seq,
				       TNL_BUF_SIZE, buf, fs, &intr);
			break;
		case 1:
			ret = raw_dump(small_sock.fd, &small_sock.seq, 4096,
				       buf, fs, &intr);
			break;
		default:
			fs->nr = 0;
			fs->bad = 0;
			ret = vmpkram_pool_files(ctx, POOL, lib_file_cb, fs);
			intr = ret == -EAGAIN;
			if (ret >= 0 || intr)
				ret = 0;
			else
				fail(whom, "vmpkram_pool_files: %s",
				     vmpkram_last_error(ctx));
			count(C_LIBDUMPS, 1);
			break;
		}
		if (ret) {
			if (i % 3 != 2)
				fail(whom, "GET_FILES dump (%s buffer): %s",
				     i % 3 ? "4 KiB" : "64 KiB", strerror(-ret));
			break;
		}
		count(C_DUMPS, 1);
		if (intr)
			count(C_INTR, 1);
		else if (!check_dump(whom, i % 3 == 0 ? "raw" :
				     i % 3 == 1 ? "raw 4 KiB" : "libvmpkram",
				     fs, owner))
			break;
		if (i % 8 == 7)
			usleep(1000);
	}
out:
	if (ctx)
		vmpkram_unref(ctx);
	free(buf);
	free(owner);
	free(fs);
	return NULL;
}
