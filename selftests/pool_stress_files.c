// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkram_pool_stress_test: the file threads, each on its own files,
 * checking every result against the model.
 */
#include "pool_stress.h"

static const char *who(struct fthread *t, const char *op)
{
	snprintf(t->who, sizeof(t->who), "file thread %d op %lu (%s)", t->id,
		 t->op, op);
	return t->who;
}

static unsigned int seal_gen(void)
{
	return __atomic_load_n(&g.seal_gen, __ATOMIC_SEQ_CST);
}

/* Could the pool have been sealed at some time since @g0 was read? */
static bool seal_window(unsigned int g0)
{
	return (g0 & 1) || seal_gen() != g0;
}

/* errno @err of a metadata change begun at seal generation @g0. */
static bool erofs_ok(int err, unsigned int g0)
{
	if (err != EROFS || !seal_window(g0))
		return false;
	count(C_EROFS, 1);
	return true;
}

static bool check_stat(struct fthread *t, const char *op, struct mfile *f,
		       bool orphan)
{
	struct stat st;

	if (fstat(f->fd, &st)) {
		fail(who(t, op), "fstat %s: %s", f->name, strerror(errno));
		return false;
	}
	if ((uint64_t)st.st_size != f->size || st.st_ino != f->ino ||
	    (uint64_t)st.st_blocks != ROUND_UP(f->size, BLK) / 512 ||
	    !S_ISREG(st.st_mode) || st.st_nlink != (orphan ? 0 : 1)) {
		fail(who(t, op),
		     "%s%s: st_size %lld st_ino %llu st_blocks %lld st_nlink %u st_mode %o, model size %llu ino %llu",
		     orphan ? "orphan of " : "", f->name,
		     (long long)st.st_size, (unsigned long long)st.st_ino,
		     (long long)st.st_blocks, (unsigned int)st.st_nlink,
		     st.st_mode, (unsigned long long)f->size,
		     (unsigned long long)f->ino);
		return false;
	}
	return true;
}

/* Does the file still have the size the model says (after a failure)? */
static bool check_unchanged(struct fthread *t, const char *op,
			    struct mfile *f, const char *call)
{
	struct stat st;

	if (fstat(f->fd, &st) || (uint64_t)st.st_size != f->size) {
		fail(who(t, op),
		     "%s on %s failed with EROFS but the size went from %llu to %lld (the call changed the file anyway)",
		     call, f->name, (unsigned long long)f->size,
		     (long long)st.st_size);
		return false;
	}
	return true;
}

static void report_mismatch(struct fthread *t, const char *op,
			    const struct mfile *f, uint64_t off, uint64_t len,
			    const uint8_t *got, const uint8_t *want,
			    const char *how)
{
	uint64_t i, first = len, last = 0, bad = 0;
	int s;

	for (i = 0; i < len; i++) {
		if (got[i] == want[i])
			continue;
		if (first == len)
			first = i;
		last = i;
		bad++;
	}
	for (s = 0; s < f->nseg; s++)
		if (f->seg[s].start <= off + first && off + first < f->seg[s].end)
			break;
	fail(who(t, op),
	     "data mismatch in %s (ino %llu, size %llu) read via %s [%llu, +%llu): %llu bytes differ in [%llu, %llu], first at %llu: got 0x%02x want 0x%02x (segment %d of %d: [%llu, %llu) seed %#llx delta %lld)",
	     f->name, (unsigned long long)f->ino, (unsigned long long)f->size,
	     how, (unsigned long long)off, (unsigned long long)len,
	     (unsigned long long)bad, (unsigned long long)(off + first),
	     (unsigned long long)(off + last),
	     (unsigned long long)(off + first), got[first], want[first], s,
	     f->nseg, s < f->nseg ? (unsigned long long)f->seg[s].start : 0,
	     s < f->nseg ? (unsigned long long)f->seg[s].end : 0,
	     s < f->nseg ? (unsigned long long)f->seg[s].seed : 0,
	     s < f->nseg ? (long long)f->seg[s].delta : 0);
}

/* pread [off, off + len) and compare with the model. */
static bool verify_range(struct fthread *t, const char *op, struct mfile *f,
			 uint64_t off, uint64_t len)
{
	uint64_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(f->fd, t->rbuf + done, len - done, off + done);
		if (n < 0) {
			fail(who(t, op), "pread %s [%llu, +%llu): %s", f->name,
			     (unsigned long long)(off + done),
			     (unsigned long long)(len - done), strerror(errno));
			return false;
		}
		if (!n) {
			fail(who(t, op),
			     "pread %s at %llu: end of file, model size %llu",
			     f->name, (unsigned long long)(off + done),
			     (unsigned long long)f->size);
			return false;
		}
		done += n;
	}
	model_expect(f, off, len, t->ebuf);
	if (memcmp(t->rbuf, t->ebuf, len)) {
		report_mismatch(t, op, f, off, len, t->rbuf, t->ebuf, "read()");
		return false;
	}
	n = pread(f->fd, t->rbuf, 1, f->size);
	if (n) {
		fail(who(t, op), "pread %s at its end %llu returned %zd",
		     f->name, (unsigned long long)f->size, n);
		return false;
	}
	return true;
}

bool verify_file(struct fthread *t, const char *op, struct mfile *f,
		 bool orphan)
{
	return check_stat(t, op, f, orphan) && verify_range(t, op, f, 0, f->size);
}

static void new_name(struct fthread *t, char *buf, size_t len)
{
	snprintf(buf, len, PREFIX "t%d-%u", t->id, t->next_name++);
}

static struct mfile *pick(struct fthread *t)
{
	return &t->files[vt_rand(&t->rng, t->nfiles)];
}

/* Remove live file @f from the list; its fd is the caller's. */
static struct mfile take(struct fthread *t, struct mfile *f)
{
	struct mfile m = *f;

	unmap(&m);
	*f = t->files[--t->nfiles];
	memset(&t->files[t->nfiles], 0, sizeof(t->files[0]));
	return m;
}

/* An unlinked file: kept open as an orphan for a while, or closed. */
static void orphan_or_close(struct fthread *t, struct mfile m)
{
	if (t->norphans < MAX_ORPHANS && vt_rand(&t->rng, 2)) {
		t->orphans[t->norphans++] = m;
		return;
	}
	close(m.fd);
	model_free(&m);
}

static void op_create(struct fthread *t)
{
	unsigned int g0 = seal_gen();
	struct mfile *f;
	struct stat st;
	char name[64];
	int fd;

	new_name(t, name, sizeof(name));
	fd = openat(g.dirfd, name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (!erofs_ok(errno, g0))
			fail(who(t, "create"), "create %s: %s", name,
			     strerror(errno));
		else if (!faccessat(g.dirfd, name, F_OK, 0))
			fail(who(t, "create"),
			     "create %s failed with EROFS but the name exists",
			     name);
		return;
	}
	if (fstat(fd, &st) || st.st_size || st.st_blocks ||
	    (st.st_mode & 07777) != 0600) {
		fail(who(t, "create"), "new %s: size %lld blocks %lld mode %o",
		     name, (long long)st.st_size, (long long)st.st_blocks,
		     st.st_mode);
		close(fd);
		return;
	}
	f = &t->files[t->nfiles++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->fd = fd;
	f->ino = st.st_ino;
	count(C_CREATE, 1);
}

/* An offset that often sits just before a block boundary, often odd. */
static uint64_t pick_offset(struct fthread *t, struct mfile *f)
{
	uint64_t off;

	switch (vt_rand(&t->rng, 4)) {
	case 0:
		off = vt_rand(&t->rng, f->size + 1);
		break;
	case 1:
		off = (1 + vt_rand(&t->rng, MAX_SIZE / BLK - 1)) * BLK -
		      vt_rand(&t->rng, 8192);
		break;
	case 2:
		off = f->size;
		break;
	default:
		off = vt_rand(&t->rng, MAX_SIZE);
		break;
	}
	if (vt_rand(&t->rng, 2))
		off |= 1;
	return MIN(off, MAX_SIZE - 1);
}

static uint64_t pick_len(struct fthread *t, uint64_t max)
{
	static const uint64_t max_len[] = { MAX_WRITE, 256 << 10, 8192 };
	uint64_t len = 1 + vt_rand(&t->rng, max_len[vt_rand(&t->rng, 3)]);

	return MIN(len, max);
}

static void op_write(struct fthread *t)
{
	struct mfile *f = pick(t);
	unsigned int g0 = seal_gen();
	uint64_t off = pick_offset(t, f);
	uint64_t len = pick_len(t, MAX_SIZE - off);
	uint64_t seed = vt_rand64(&t->rng) | 1;
	int how = vt_rand(&t->rng, 3);
	struct iovec iov[2];
	ssize_t n;

	gen_fill(t->wbuf, seed, off, len);
	if (how == 0) {
		n = pwrite(f->fd, t->wbuf, len, off);
	} else if (how == 1) {
		if (lseek(f->fd, off, SEEK_SET) != (off_t)off) {
			fail(who(t, "write"), "lseek %s to %llu: %s", f->name,
			     (unsigned long long)off, strerror(errno));
			return;
		}
		n = write(f->fd, t->wbuf, len);
	} else {
		iov[0].iov_base = t->wbuf;
		iov[0].iov_len = vt_rand(&t->rng, len + 1);
		iov[1].iov_base = t->wbuf + iov[0].iov_len;
		iov[1].iov_len = len - iov[0].iov_len;
		n = pwritev(f->fd, iov, 2, off);
	}
	if (n < 0) {
		if (off + len > f->size && erofs_ok(errno, g0))
			check_unchanged(t, "write", f, "an extending write");
		else
			fail(who(t, "write"), "write %s [%llu, +%llu) (size %llu): %s",
			     f->name, (unsigned long long)off,
			     (unsigned long long)len,
			     (unsigned long long)f->size, strerror(errno));
		return;
	}
	if ((uint64_t)n != len) {
		fail(who(t, "write"), "write %s [%llu, +%llu): wrote %zd",
		     f->name, (unsigned long long)off, (unsigned long long)len,
		     n);
		return;
	}
	if (off + len > f->size)
		model_resize(f, off + len);
	model_overwrite(f, off, off + len, seed, 0);
	count(C_WRITE, 1);
	if (!vt_rand(&t->rng, 4))
		verify_range(t, "write", f, off, len);
}

static void op_verify(struct fthread *t)
{
	struct mfile *f = pick(t);
	uint64_t off, len;

	if (!check_stat(t, "verify", f, false))
		return;
	if (vt_rand(&t->rng, 2) || !f->size) {
		off = 0;
		len = f->size;
	} else {
		off = vt_rand(&t->rng, f->size);
		len = 1 + vt_rand(&t->rng, f->size - off);
	}
	if (verify_range(t, "verify", f, off, len))
		count(C_VERIFY, 1);
}

static void op_truncate(struct fthread *t)
{
	struct mfile *f = pick(t);
	unsigned int g0 = seal_gen();
	int64_t size;

	switch (vt_rand(&t->rng, 5)) {
	case 0:
		size = vt_rand(&t->rng, f->size + 1);
		break;
	case 1:
		size = f->size + 1 + vt_rand(&t->rng, 4 * MiB);
		break;
	case 2:
		size = vt_rand(&t->rng, MAX_SIZE + 1);
		break;
	case 3:
		size = vt_rand(&t->rng, MAX_SIZE / BLK + 1) * BLK +
		       vt_rand(&t->rng, 3) - 1;
		break;
	default:
		size = f->size;
		break;
	}
	size = MAX(0, MIN(size, (int64_t)MAX_SIZE));
	if (ftruncate(f->fd, size)) {
		if (erofs_ok(errno, g0))
			check_unchanged(t, "truncate", f, "ftruncate");
		else
			fail(who(t, "truncate"), "ftruncate %s %llu -> %lld: %s",
			     f->name, (unsigned long long)f->size,
			     (long long)size, strerror(errno));
		return;
	}
	model_resize(f, size);
	count(C_TRUNCATE, 1);
	check_stat(t, "truncate", f, false);
}

static void op_rename(struct fthread *t)
{
	struct mfile *f = pick(t), *victim = NULL, m;
	unsigned int g0 = seal_gen(), flags = 0;
	int r = vt_rand(&t->rng, 6), i;
	char name[64];
	struct stat st;

	if (r <= 2 && t->nfiles > 1) {
		do
			victim = pick(t);
		while (victim == f);
		snprintf(name, sizeof(name), "%s", victim->name);
		flags = r == 2 ? RENAME_NOREPLACE : 0;
	} else {
		new_name(t, name, sizeof(name));
		flags = vt_rand(&t->rng, 2) ? RENAME_NOREPLACE : 0;
	}
	if (renameat2(g.dirfd, f->name, g.dirfd, name, flags)) {
		if (victim && flags == RENAME_NOREPLACE && errno == EEXIST)
			count(C_RENAME, 1);
		else if (!erofs_ok(errno, g0))
			fail(who(t, "rename"), "rename %s -> %s (flags %u): %s",
			     f->name, name, flags, strerror(errno));
		else if (fstatat(g.dirfd, f->name, &st, 0) || st.st_ino != f->ino)
			fail(who(t, "rename"),
			     "rename %s -> %s failed with EROFS but %s is gone",
			     f->name, name, f->name);
		return;
	}
	if (victim && flags == RENAME_NOREPLACE) {
		fail(who(t, "rename"),
		     "rename %s -> %s with RENAME_NOREPLACE replaced the file",
		     f->name, name);
		return;
	}
	snprintf(f->name, sizeof(f->name), "%s", name);
	if (victim) {
		/* take() moves the last file into the victim's place. */
		i = f - t->files;
		m = take(t, victim);
		if (i == t->nfiles)
			f = victim;
		if (!check_stat(t, "rename", &m, true)) {
			close(m.fd);
			model_free(&m);
			return;
		}
		orphan_or_close(t, m);
	}
	if (fstatat(g.dirfd, f->name, &st, 0) || st.st_ino != f->ino)
		fail(who(t, "rename"), "after rename, %s is not inode %llu",
		     f->name, (unsigned long long)f->ino);
	count(C_RENAME, 1);
}

static void op_unlink(struct fthread *t)
{
	struct mfile *f = pick(t), m;
	unsigned int g0 = seal_gen();

	if (unlinkat(g.dirfd, f->name, 0)) {
		if (!erofs_ok(errno, g0))
			fail(who(t, "unlink"), "unlink %s: %s", f->name,
			     strerror(errno));
		else if (faccessat(g.dirfd, f->name, F_OK, 0))
			fail(who(t, "unlink"),
			     "unlink %s failed with EROFS but the name is gone",
			     f->name);
		return;
	}
	m = take(t, f);
	count(C_UNLINK, 1);
	if (check_stat(t, "unlink", &m, true))
		orphan_or_close(t, m);
	else {
		close(m.fd);
		model_free(&m);
	}
}

static void op_fallocate(struct fthread *t)
{
	struct mfile *f = pick(t);
	unsigned int g0 = seal_gen();
	uint64_t off, len;
	int r = vt_rand(&t->rng, 6), mode = 0, want = 0;

	if (r <= 2 || !f->size) {
		off = vt_rand(&t->rng, MAX_SIZE);
		len = 1 + vt_rand(&t->rng, MIN(MAX_SIZE - off, 4 * MiB));
	} else if (r == 3) {
		mode = FALLOC_FL_KEEP_SIZE;
		off = vt_rand(&t->rng, f->size);
		len = 1 + vt_rand(&t->rng, f->size - off);
	} else if (r == 4) {
		/* Space past the end cannot be reserved. */
		mode = FALLOC_FL_KEEP_SIZE;
		off = f->size;
		len = 1 + vt_rand(&t->rng, BLK);
		want = EOPNOTSUPP;
	} else {
		/*
		 * Punch inside one block, freeing none (the model does not
		 * track holes; vmpkramfs_test covers freed blocks): zeroes.
		 */
		mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
		off = vt_rand(&t->rng, f->size);
		len = 1 + vt_rand(&t->rng, MIN(BLK - off % BLK, f->size - off));
		if (off % BLK == 0 && (len == BLK || off + len == f->size))
			len--;
		if (!len)
			return;
	}
	if (fallocate(f->fd, mode, off, len)) {
		if (errno == want)
			count(C_FALLOCATE, 1);
		else if (!want && off + len > f->size && erofs_ok(errno, g0))
			check_unchanged(t, "fallocate", f, "fallocate");
		else
			fail(who(t, "fallocate"),
			     "fallocate %s mode %#x [%llu, +%llu) (size %llu): %s, want %s",
			     f->name, mode, (unsigned long long)off,
			     (unsigned long long)len,
			     (unsigned long long)f->size, strerror(errno),
			     want ? strerror(want) : "success");
		return;
	}
	if (want) {
		fail(who(t, "fallocate"),
		     "fallocate %s mode %#x [%llu, +%llu) (size %llu) succeeded, want %s",
		     f->name, mode, (unsigned long long)off,
		     (unsigned long long)len, (unsigned long long)f->size,
		     strerror(want));
		return;
	}
	if (!mode && off + len > f->size)
		model_resize(f, off + len);
	if (mode & FALLOC_FL_PUNCH_HOLE)
		model_overwrite(f, off, off + len, 0, 0);
	count(C_FALLOCATE, 1);
	check_stat(t, "fallocate", f, false);
}

static void op_fsync(struct fthread *t)
{
	struct mfile *f = pick(t);
	int r = vt_rand(&t->rng, 3), ret;

	ret = r == 0 ? fsync(f->fd) : r == 1 ? fdatasync(f->fd) :
		       syncfs(g.dirfd);
	if (ret)
		fail(who(t, "fsync"), "%s %s: %s",
		     r == 0 ? "fsync" : r == 1 ? "fdatasync" : "syncfs",
		     f->name, strerror(errno));
	else
		count(C_FSYNC, 1);
}

/*
 * Read [off, off + len) of a mapping of @f at file offset @moff with
 * process_vm_readv() (get_user_pages on the mapping) or plain loads, and
 * compare with the model.
 */
static bool verify_map(struct fthread *t, const char *op, struct mfile *f,
		       const uint8_t *map, uint64_t moff, uint64_t off,
		       uint64_t len)
{
	const uint8_t *got = map + (off - moff);
	struct iovec local = { t->rbuf, len };
	struct iovec remote = { (void *)got, len };
	bool gup = vt_rand(&t->rng, 2);
	ssize_t n;

	if (gup) {
		n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		if (n != (ssize_t)len) {
			fail(who(t, op), "process_vm_readv of a mapping of %s [%llu, +%llu): %s%zd",
			     f->name, (unsigned long long)off,
			     (unsigned long long)len,
			     n < 0 ? strerror(errno) : "", n);
			return false;
		}
		got = t->rbuf;
	}
	model_expect(f, off, len, t->ebuf);
	if (memcmp(got, t->ebuf, len)) {
		report_mismatch(t, op, f, off, len, got, t->ebuf,
				gup ? "process_vm_readv of a shared mapping" :
				      "a shared mapping");
		return false;
	}
	return true;
}

/* A shared mapping of [*moff, *moff + *mlen) of @f, page aligned. */
static uint8_t *map_window(struct fthread *t, const char *op, struct mfile *f,
			   int prot, bool whole, uint64_t *moff, uint64_t *mlen)
{
	uint64_t pages = ROUND_UP(f->size, PG) / PG, first, n;
	void *p;

	first = whole ? 0 : vt_rand(&t->rng, pages);
	n = whole ? pages : 1 + vt_rand(&t->rng, pages - first);
	p = mmap(NULL, n * PG, prot, MAP_SHARED, f->fd, first * PG);
	if (p == MAP_FAILED) {
		fail(who(t, op), "mmap %s pages [%llu, +%llu): %s", f->name,
		     (unsigned long long)first, (unsigned long long)n,
		     strerror(errno));
		return NULL;
	}
	*moff = first * PG;
	*mlen = n * PG;
	return p;
}

static void op_mmap(struct fthread *t)
{
	struct mfile *f = pick(t);
	uint64_t moff, mlen, avail, a, len, seed;
	int mode = vt_rand(&t->rng, 3);
	uint8_t *p;

	if (!f->size)
		return;
	if (!vt_rand(&t->rng, 16)) {
		p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, f->fd, 0);
		if (p != MAP_FAILED || errno != EINVAL) {
			fail(who(t, "mmap"), "MAP_PRIVATE of %s: %s, want EINVAL",
			     f->name, p == MAP_FAILED ? strerror(errno) : "mapped");
			if (p != MAP_FAILED)
				munmap(p, PG);
			return;
		}
	}
	p = map_window(t, "mmap", f, mode == 1 ? PROT_READ :
		       PROT_READ | PROT_WRITE, vt_rand(&t->rng, 2), &moff, &mlen);
	if (!p)
		return;
	avail = MIN(mlen, f->size - moff);
	if (mode == 1) {
		/* Read the whole window through the mapping. */
		if (verify_map(t, "mmap", f, p, moff, moff, avail))
			count(C_MMAP, 1);
		munmap(p, mlen);
		return;
	}
	a = moff + vt_rand(&t->rng, avail);
	len = pick_len(t, moff + avail - a);
	seed = vt_rand64(&t->rng) | 1;
	gen_fill(p + (a - moff), seed, a, len);
	model_overwrite(f, a, a + len, seed, 0);
	if (mode == 2) {
		model_expect(f, moff, avail, t->ebuf);
		if (memcmp(p, t->ebuf, avail)) {
			report_mismatch(t, "mmap", f, moff, avail, p, t->ebuf,
					"a shared mapping after writing it");
			munmap(p, mlen);
			return;
		}
	}
	if (vt_rand(&t->rng, 4) == 0 && msync(p, mlen, MS_SYNC))
		fail(who(t, "mmap"), "msync %s: %s", f->name, strerror(errno));
	munmap(p, mlen);
	count(C_MMAP, 1);
	verify_range(t, "mmap", f, a, len);
}

/*
 * I/O whose user buffer is a shared mapping of another file: pwrite()
 * from it, or pread() into it.
 */
static void op_copy(struct fthread *t)
{
	struct mfile *a = pick(t), *b;
	unsigned int g0 = seal_gen();
	uint64_t moff, mlen, boff, aoff, len;
	bool into_map = vt_rand(&t->rng, 2);
	uint8_t *p;
	ssize_t n;
	int err;

	if (t->nfiles < 2)
		return;
	do
		b = pick(t);
	while (b == a);
	if (!b->size || (into_map && !a->size))
		return;
	p = map_window(t, "copy", b, PROT_READ | PROT_WRITE, true, &moff,
		       &mlen);
	if (!p)
		return;
	boff = vt_rand(&t->rng, b->size);
	if (into_map) {
		aoff = vt_rand(&t->rng, a->size);
		len = pick_len(t, MIN(b->size - boff, a->size - aoff));
		n = pread(a->fd, p + boff, len, aoff);
	} else {
		aoff = vt_rand(&t->rng, 2) ? vt_rand(&t->rng, a->size + 1) :
					 pick_offset(t, a);
		len = pick_len(t, MIN(b->size - boff, MAX_SIZE - aoff));
		n = pwrite(a->fd, p + boff, len, aoff);
	}
	err = errno;
	munmap(p, mlen);
	errno = err;
	if (n < 0 && !into_map && aoff + len > a->size && erofs_ok(errno, g0)) {
		check_unchanged(t, "copy", a, "an extending write");
		return;
	}
	if (n < 0 || (uint64_t)n != len) {
		fail(who(t, "copy"),
		     "%s %s [%llu, +%llu) %s a mapping of %s at %llu: %s%zd",
		     into_map ? "pread" : "pwrite", a->name,
		     (unsigned long long)aoff, (unsigned long long)len,
		     into_map ? "into" : "from", b->name,
		     (unsigned long long)boff, n < 0 ? strerror(errno) : "",
		     n);
		return;
	}
	if (into_map) {
		model_copy(b, boff, a, aoff, len);
		verify_range(t, "copy", b, boff, len);
	} else {
		if (aoff + len > a->size)
			model_resize(a, aoff + len);
		model_copy(a, aoff, b, boff, len);
		verify_range(t, "copy", a, aoff, len);
	}
	count(C_COPY, 1);
}

static void op_chmod(struct fthread *t)
{
	static const mode_t modes[] = { 0600, 0640, 0644, 0400, 0660 };
	struct mfile *f = pick(t);
	unsigned int g0 = seal_gen();
	mode_t mode = modes[vt_rand(&t->rng, 5)];
	struct stat st;

	if (fchmod(f->fd, mode)) {
		if (!erofs_ok(errno, g0))
			fail(who(t, "chmod"), "fchmod %s %o: %s", f->name, mode,
			     strerror(errno));
		return;
	}
	if (fstat(f->fd, &st) || (st.st_mode & 07777) != mode)
		fail(who(t, "chmod"), "%s: mode %o after chmod %o", f->name,
		     st.st_mode & 07777, mode);
	count(C_CHMOD, 1);
}

static void op_reopen(struct fthread *t)
{
	struct mfile *f = pick(t);

	close(f->fd);
	f->fd = openat(g.dirfd, f->name, O_RDWR | O_CLOEXEC);
	if (f->fd < 0) {
		fail(who(t, "reopen"), "open %s: %s", f->name, strerror(errno));
		return;
	}
	if (check_stat(t, "reopen", f, false))
		count(C_REOPEN, 1);
}

static void op_otrunc(struct fthread *t)
{
	struct mfile *f = pick(t);
	unsigned int g0 = seal_gen();
	int fd;

	fd = openat(g.dirfd, f->name, O_RDWR | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		if (erofs_ok(errno, g0))
			check_unchanged(t, "otrunc", f, "open O_TRUNC");
		else
			fail(who(t, "otrunc"), "open %s O_TRUNC: %s", f->name,
			     strerror(errno));
		return;
	}
	close(f->fd);
	f->fd = fd;
	model_resize(f, 0);
	if (check_stat(t, "otrunc", f, false))
		count(C_OTRUNC, 1);
}

/* The directory lists exactly this thread's files under its prefix. */
static void op_list(struct fthread *t)
{
	bool seen[MAX_FILES] = { false };
	char prefix[32];
	struct dirent *de;
	int fd, i, found = 0;
	DIR *dir;

	snprintf(prefix, sizeof(prefix), PREFIX "t%d-", t->id);
	fd = openat(g.dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		fail(who(t, "list"), "opendir: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		for (i = 0; i < t->nfiles; i++)
			if (!strcmp(de->d_name, t->files[i].name))
				break;
		if (i == t->nfiles || seen[i] || de->d_ino != t->files[i].ino) {
			fail(who(t, "list"), "readdir: %s (ino %llu) %s",
			     de->d_name, (unsigned long long)de->d_ino,
			     i == t->nfiles ? "is not a file of this thread" :
			     seen[i] ? "listed twice" : "has the wrong inode");
			closedir(dir);
			return;
		}
		seen[i] = true;
		found++;
	}
	closedir(dir);
	if (found != t->nfiles)
		fail(who(t, "list"), "readdir: %d of the %d files listed",
		     found, t->nfiles);
	else
		count(C_LIST, 1);
}

static void op_orphan(struct fthread *t)
{
	int i = vt_rand(&t->rng, t->norphans);
	struct mfile *o = &t->orphans[i];

	if (!verify_file(t, "orphan", o, true))
		return;
	count(C_ORPHAN, 1);
	if (vt_rand(&t->rng, 2)) {
		close(o->fd);
		model_free(o);
		t->orphans[i] = t->orphans[--t->norphans];
		memset(&t->orphans[t->norphans], 0, sizeof(*o));
	}
}

/*
 * A mapping of the whole file kept across operations (truncates, writes,
 * renames, forks of the prefaulter): map it, write or read through it,
 * or unmap it.  Only the part inside the current size is touched.
 */
static void op_pmap(struct fthread *t)
{
	struct mfile *f = pick(t);
	uint64_t valid, a, len, seed;
	struct iovec local, remote;
	int r = vt_rand(&t->rng, 5);
	void *p;

	if (!f->map) {
		if (!f->size)
			return;
		f->maplen = ROUND_UP(f->size, PG);
		p = mmap(NULL, f->maplen, PROT_READ | PROT_WRITE, MAP_SHARED,
			 f->fd, 0);
		if (p == MAP_FAILED) {
			fail(who(t, "pmap"), "mmap %s (%llu bytes): %s",
			     f->name, (unsigned long long)f->maplen,
			     strerror(errno));
			f->maplen = 0;
			return;
		}
		f->map = p;
		count(C_PMAP, 1);
		return;
	}
	valid = MIN(f->maplen, f->size);
	if (r == 0 || !valid) {
		unmap(f);
		count(C_PMAP, 1);
		return;
	}
	if (r == 1) {
		a = vt_rand(&t->rng, valid);
		len = 1 + vt_rand(&t->rng, valid - a);
		if (verify_map(t, "pmap", f, f->map, 0, a, len))
			count(C_PMAP, 1);
		return;
	}
	a = vt_rand(&t->rng, valid);
	len = pick_len(t, valid - a);
	seed = vt_rand64(&t->rng) | 1;
	if (r == 2) {
		/* get_user_pages() writing the pool's pages */
		gen_fill(t->wbuf, seed, a, len);
		local = (struct iovec){ t->wbuf, len };
		remote = (struct iovec){ f->map + a, len };
		if (process_vm_writev(getpid(), &local, 1, &remote, 1, 0) !=
		    (ssize_t)len) {
			fail(who(t, "pmap"), "process_vm_writev to a mapping of %s [%llu, +%llu): %s",
			     f->name, (unsigned long long)a,
			     (unsigned long long)len, strerror(errno));
			return;
		}
	} else {
		gen_fill(f->map + a, seed, a, len);
	}
	model_overwrite(f, a, a + len, seed, 0);
	if (verify_range(t, "pmap", f, a, len))
		count(C_PMAP, 1);
}

/* The pipe of a vmsplice still holds what the file had then. */
static void splice_check(struct fthread *t)
{
	uint64_t done = 0;
	ssize_t n;

	while (!g.failed && done < t->splice.len) {
		n = read(t->splice.pfd[0], t->rbuf + done, t->splice.len - done);
		if (n <= 0) {
			fail(who(t, "splice"), "read the pipe of %s: %s",
			     t->splice.what, n ? strerror(errno) : "empty");
			break;
		}
		done += n;
	}
	if (!g.failed && memcmp(t->rbuf, t->splice.want, t->splice.len)) {
		uint64_t i;

		for (i = 0; t->rbuf[i] == t->splice.want[i]; i++)
			;
		fail(who(t, "splice"),
		     "the pipe of %s reads 0x%02x at byte %llu, want 0x%02x: a block whose pages a pipe holds was scrubbed or reused",
		     t->splice.what, t->rbuf[i], (unsigned long long)i,
		     t->splice.want[i]);
	}
	close(t->splice.pfd[0]);
	close(t->splice.pfd[1]);
	free(t->splice.want);
	t->splice.want = NULL;
	t->splice.len = 0;
	t->splice.ops_left = 0;
}

/*
 * vmsplice() pages of a file into a pipe (get_user_pages references on
 * pool pages), then truncate their blocks away.  A few operations later
 * the pipe must still read what the file held: a referenced block is
 * neither scrubbed nor handed to another file while the pipe has it.
 */
static void op_splice(struct fthread *t)
{
	struct mfile *f = pick(t);
	unsigned int g0 = seal_gen();
	uint64_t moff, mlen, a, len, cut;
	struct iovec iov;
	uint8_t *p;
	ssize_t n;

	if (t->splice.want || !f->size)
		return;
	p = map_window(t, "splice", f, PROT_READ, true, &moff, &mlen);
	if (!p)
		return;
	a = vt_rand(&t->rng, ROUND_UP(f->size, PG) / PG) * PG;
	len = MIN(f->size - a, 16 * PG);	/* a default pipe's 16 slots */
	if (pipe2(t->splice.pfd, O_CLOEXEC)) {
		fail(who(t, "splice"), "pipe2: %s", strerror(errno));
		munmap(p, mlen);
		return;
	}
	iov = (struct iovec){ p + a, len };
	n = vmsplice(t->splice.pfd[1], &iov, 1, SPLICE_F_NONBLOCK);
	munmap(p, mlen);
	if (n <= 0) {
		fail(who(t, "splice"), "vmsplice %s [%llu, +%llu): %s%zd",
		     f->name, (unsigned long long)a, (unsigned long long)len,
		     n < 0 ? strerror(errno) : "", n);
		close(t->splice.pfd[0]);
		close(t->splice.pfd[1]);
		return;
	}
	t->splice.len = n;
	t->splice.want = malloc(n);
	if (!t->splice.want)
		abort();
	model_expect(f, a, n, t->splice.want);
	cut = a / BLK * BLK;
	snprintf(t->splice.what, sizeof(t->splice.what),
		 "%s (ino %llu) [%llu, +%zd), truncated to %llu", f->name,
		 (unsigned long long)f->ino, (unsigned long long)a, n,
		 (unsigned long long)cut);
	if (ftruncate(f->fd, cut)) {
		if (erofs_ok(errno, g0))
			check_unchanged(t, "splice", f, "ftruncate");
		else
			fail(who(t, "splice"), "ftruncate %s to %llu: %s",
			     f->name, (unsigned long long)cut, strerror(errno));
		splice_check(t);	/* the blocks are still the file's */
		return;
	}
	model_resize(f, cut);
	t->splice.ops_left = 1 + vt_rand(&t->rng, 30);
	count(C_SPLICE, 1);
}

void *file_thread(void *arg)
{
	static const struct {
		void (*fn)(struct fthread *t);
		int weight;
	} ops[] = {
		{ op_create, 6 }, { op_write, 18 }, { op_verify, 10 },
		{ op_truncate, 8 }, { op_rename, 5 }, { op_unlink, 4 },
		{ op_fallocate, 5 }, { op_fsync, 3 }, { op_mmap, 10 },
		{ op_copy, 6 }, { op_chmod, 2 }, { op_reopen, 3 },
		{ op_otrunc, 1 }, { op_list, 2 }, { op_orphan, 3 },
		{ op_pmap, 8 }, { op_splice, 2 },
	};
	struct fthread *t = arg;
	unsigned int i, total = 0, r;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		total += ops[i].weight;
	while (!stopping()) {
		t->op++;
		if (t->splice.want && --t->splice.ops_left <= 0)
			splice_check(t);
		r = vt_rand(&t->rng, total);
		for (i = 0; r >= (unsigned int)ops[i].weight; i++)
			r -= ops[i].weight;
		if (ops[i].fn == op_orphan && !t->norphans)
			i = 1;
		if (!t->nfiles || (ops[i].fn == op_create &&
				   t->nfiles == MAX_FILES)) {
			if (t->nfiles < MAX_FILES)
				op_create(t);
			continue;
		}
		ops[i].fn(t);
	}
	if (t->splice.want)
		splice_check(t);
	return NULL;
}
