// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkram_fuzz, family 3: vmpkramfs syscalls on a mount of pool "test".
 */
#include "vmpkram_fuzz.h"

/* ------------------------------------------------------------------ */
/* vmpkramfs state                                                      */
/* ------------------------------------------------------------------ */

/* Pipes holding vmsplice'd pool pages: pins that outlive files and mounts. */
int pipes[MAX_PIPES][2];
int npipes;

void pipe_drop(int i)
{
	close(pipes[i][0]);
	close(pipes[i][1]);
	pipes[i][0] = pipes[npipes - 1][0];
	pipes[i][1] = pipes[npipes - 1][1];
	npipes--;
}

/*
 * Whether the kernel's page-table walkers leave 2 MiB entries alone
 * (VMPKRAM_FEATURE_PMD_WALK of GET_API); false when it cannot be told.
 */
static bool pmd_walk_safe(void)
{
	static unsigned long long features;	/* 0: not known (yet) */

	if (!features)
		features = vt_module_features();
	return features & VMPKRAM_FEATURE_PMD_WALK;
}

/*
 * madvise().  Where the kernel lacks VMPKRAM_FEATURE_PMD_WALK (6.1),
 * MADV_COLD and MADV_PAGEOUT over 2 MiB entries make it log "bad pmd"
 * and drop them (its defect; Documentation/vmpkramfs.rst, "Mapping
 * sizes"): there they run between the markers that tools/vm/run-vm
 * excuses "bad pmd" in, and become MADV_NORMAL for a process that
 * cannot write /dev/kmsg (nobody).
 */
static int fuzz_madvise(void *p, size_t len, int advice)
{
	int fd, ret, e;

	if ((advice != MADV_COLD && advice != MADV_PAGEOUT) || pmd_walk_safe())
		return madvise(p, len, advice);
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || !vt_kmsg_mark(fd, VT_EXPECT_PMD_BEGIN)) {
		if (fd >= 0)
			close(fd);
		return madvise(p, len, MADV_NORMAL);
	}
	ret = madvise(p, len, advice);
	e = errno;
	vt_kmsg_mark(fd, VT_EXPECT_PMD_END);
	close(fd);
	errno = e;
	return ret;
}

struct fent fds[MAX_FDS];
int nfds;
struct ment maps[MAX_MAPS];
int nmaps;
static char names[MAX_NAMES][NAME_BUF];
static int nnames;
char mnt[64], mnt2[64];
bool mounted;	/* "test" is mounted on mnt */
bool lazy;	/* lazily unmounted: fds and maps may keep it alive */
static unsigned long mnt_flags;

void refresh_test(void)
{
	struct tnl_pool p;
	int ret = tnl_pool_get(&ctl, POOL, &p);

	test_state = ret ? 0 : p.state;
	if (!ret && p.data_size)
		data_size = p.data_size;
	if (!ret && mounted && !p.mounted)
		violation("pool %s says it is not mounted while it is", POOL);
	if (!ret && !mounted && !lazy && !nfds && !nmaps && p.mounted)
		violation("pool %s says it is mounted after its unmount", POOL);
}

bool sealed(void)
{
	return test_state == VMPKRAM_POOL_SEALED;
}

static void fd_drop(int i)
{
	close(fds[i].fd);
	fds[i] = fds[--nfds];
	if (!nfds && !nmaps)
		lazy = false;
}

static void map_drop(int i)
{
	munmap(maps[i].addr, maps[i].len);
	close(maps[i].fd);
	maps[i] = maps[--nmaps];
	if (!nfds && !nmaps)
		lazy = false;
}

void fs_release_all(void)
{
	while (nfds)
		fd_drop(0);
	while (nmaps)
		map_drop(0);
}

static void name_add(const char *name)
{
	int i;

	for (i = 0; i < nnames; i++)
		if (!strcmp(names[i], name))
			return;
	i = nnames < MAX_NAMES ? nnames++ : (int)rn(MAX_NAMES);
	snprintf(names[i], NAME_BUF, "%s", name);
}

static void path_of(char *path, const char *name)
{
	snprintf(path, PATH_BUF, "%s/%s", mnt, name);
}

/* A plain file name: no slash, not "." or "..", not empty. */
static bool plain(const char *name)
{
	return name[0] && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..");
}

/*
 * A name: mostly one seen before, else odd lengths (0..300) and bytes,
 * ".", "..", and slashes that stay inside the mount ("x/y", "./x", "x/").
 */
static void gen_name(char *out)
{
	int len, i, k;

	if (nnames && pct(60)) {
		strcpy(out, names[rn(nnames)]);
		return;
	}
	k = rn(100);
	if (k < 4) {
		out[0] = '\0';
	} else if (k < 8) {
		strcpy(out, ".");
	} else if (k < 11) {
		strcpy(out, "..");
	} else if (k < 17) {
		len = PICK(((int[]){ 254, 255, 256, 257, 300 }));
		for (i = 0; i < len; i++)
			out[i] = 'a' + rn(26);
		out[len] = '\0';
	} else if (k < 22) {
		snprintf(out, NAME_BUF, "%s%c%c", PICK(((const char *[]){
			 "x/", "./", "f/", "" })), 'a' + (int)rn(26),
			 pct(50) ? '/' : 'z');
	} else {
		len = 1 + rn(pct(80) ? 12 : 60);
		for (i = 0; i < len; i++) {
			do
				out[i] = pct(70) ? 'a' + rn(26) : (char)rn(256);
			while (out[i] == '/' || out[i] == '\0');
		}
		out[len] = '\0';
		if (!strcmp(out, ".") || !strcmp(out, ".."))
			out[0] = 'd';
	}
	if (out[0] && pct(70))
		name_add(out);
}

static struct fent *pick_fd(void)
{
	return nfds ? &fds[rn(nfds)] : NULL;
}

/* Mostly an fd open for @acc (O_RDONLY or O_WRONLY meaning "can"). */
static struct fent *pick_fd_for(int acc)
{
	int i, n = 0, ok[MAX_FDS];

	for (i = 0; i < nfds; i++) {
		int m = fds[i].oflags & O_ACCMODE;

		if (!(fds[i].oflags & (O_PATH | O_DIRECTORY)) &&
		    (m == O_RDWR || m == acc))
			ok[n++] = i;
	}
	if (!n || pct(15))
		return pick_fd();
	return &fds[ok[rn(n)]];
}

static int fd_or_bad(struct fent *f)
{
	if (!f || pct(3))
		return PICK(((int[]){ -1, 9999, 1023 }));
	return f->fd;
}

static bool readable(int oflags)
{
	return !(oflags & O_PATH) && ((oflags & O_ACCMODE) == O_RDONLY ||
				      (oflags & O_ACCMODE) == O_RDWR);
}

static bool fd_stat(int fd, struct stat *st)
{
	return fd >= 0 && !fstat(fd, st) && S_ISREG(st->st_mode);
}

/*
 * st_blocks and size against the contract: whole 2 MiB blocks, at most
 * ceil(size / 2 MiB) of them (fewer where holes were punched).
 */
static void check_stat(const struct stat *st, const char *what)
{
	long long want = ROUND_UP((unsigned long long)st->st_size, BLK) / 512;

	if (st->st_blocks > want || st->st_blocks % (BLK / 512))
		violation("%s: st_blocks %lld for size %lld, expected whole blocks up to %lld",
			  what, (long long)st->st_blocks,
			  (long long)st->st_size, want);
	if (data_size && (uint64_t)st->st_size > data_size)
		violation("%s: size %lld beyond the pool's data size %" PRIu64,
			  what, (long long)st->st_size, data_size);
}

/* Bytes [from, to) of the file must read as zero (first and last 64 KiB). */
static void check_zero(int fd, off_t from, off_t to, const char *what)
{
	off_t spans[2][2] = { { from, from + 65536 }, { to - 65536, to } };
	ssize_t n, i;
	int s;

	for (s = 0; s < 2; s++) {
		off_t a = spans[s][0] < from ? from : spans[s][0];
		off_t b = spans[s][1] > to ? to : spans[s][1];

		if (a >= b)
			continue;
		n = pread(fd, rbuf, b - a, a);
		for (i = 0; i < n; i++)
			if (rbuf[i]) {
				violation("%s: byte %lld reads %#x, not zero",
					  what, (long long)(a + i),
					  (unsigned char)rbuf[i]);
				return;
			}
	}
}

/* ------------------------------------------------------------------ */
/* family 3: vmpkramfs                                                  */
/* ------------------------------------------------------------------ */

static const int E_OPEN[] = { ENOENT, EEXIST, EISDIR, ENOTDIR, ENAMETOOLONG,
	EINVAL, EACCES, EPERM, EROFS, ENOSPC, ELOOP, EMFILE, ENFILE, EOPNOTSUPP,
	EFBIG, EOVERFLOW, ETXTBSY, ENXIO, EAGAIN, EFAULT, 0 };
static const int E_RW[] = { EBADF, EINVAL, EFAULT, EFBIG, ENOSPC, EROFS,
	EISDIR, EOPNOTSUPP, EAGAIN, ETXTBSY, EPERM, 0 };
static const int E_SIZE[] = { EBADF, EINVAL, EFBIG, ENOSPC, EROFS, EPERM,
	EACCES, ETXTBSY, EISDIR, EOPNOTSUPP, ENODEV, ESPIPE, ENOENT, ENOTDIR,
	ENAMETOOLONG, ELOOP, 0 };
static const int E_NAME[] = { ENOENT, EEXIST, EINVAL, EISDIR, ENOTDIR,
	ENAMETOOLONG, EBUSY, EACCES, EPERM, EROFS, EXDEV, ENOTEMPTY, EMLINK,
	ENOSPC, ELOOP, 0 };
static const int E_ATTR[] = { ENOENT, ENOTDIR, ENAMETOOLONG, EACCES, EPERM,
	EROFS, EINVAL, EBADF, ELOOP, EOVERFLOW, 0 };
static const int E_MAP[] = { EACCES, EBADF, EINVAL, ENODEV, ENOMEM, EFBIG,
	EOVERFLOW, EPERM, EOPNOTSUPP, EAGAIN, ENFILE, ETXTBSY, EFAULT, 0 };
static const int E_MISC[] = { EBADF, EINVAL, ENOTTY, EOPNOTSUPP, ENODATA, ENXIO,
	EPERM, EACCES, EFAULT, EXDEV, ESPIPE, EISDIR, ENOTDIR, ENOENT, ERANGE,
	EOVERFLOW, EFBIG, ENOSPC, EROFS, EAGAIN, EWOULDBLOCK, ENAMETOOLONG,
	E2BIG, ENOMEM, ELOOP, ETXTBSY, 0 };
static const int E_MOUNT[] = { EINVAL, ENODEV, EUCLEAN, EBUSY, ENOENT, EPERM,
	ENOTDIR, 0 };

int file_size_of(int fd, off_t *size)
{
	struct stat st;

	if (!fd_stat(fd, &st))
		return -1;
	*size = st.st_size;
	return 0;
}

/* After ENOSPC, often: empty the largest file (state keeping, not input). */
static void make_room(int err)
{
	char path[PATH_BUF], big[PATH_BUF] = "";
	struct dirent *de;
	struct stat st;
	off_t most = 0;
	DIR *d;

	if (err != ENOSPC || unpriv || !mounted || sealed() || pct(30))
		return;
	d = opendir(mnt);
	while (d && (de = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", mnt, de->d_name);
		if (!lstat(path, &st) && S_ISREG(st.st_mode) &&
		    st.st_size > most) {
			most = st.st_size;
			strcpy(big, path);
		}
	}
	if (d)
		closedir(d);
	if (*big && truncate(big, 0) == 0 && pct(50))
		unlink(big);
}

/* An offset near the places where files change: blocks, EOF, pool size. */
static off_t gen_off(off_t fsize)
{
	off_t ds = data_size ? data_size : TEST_SIZE;
	off_t d = PICK(((off_t[]){ 0, 0, 1, -1, 4096, -4096, 7, -7 }));

	switch (rn(12)) {
	case 0:
	case 1:
		return rn(8192);
	case 2:
	case 3:
		return rn(8) * BLK + d;
	case 4:
	case 5:
		return fsize + d < 0 ? 0 : fsize + d;
	case 6:
		return ds - rn(3) * BLK + d;
	case 7:
		return pct(30) ? (off_t)rn(ds + (4 << 20)) : (off_t)rn(16 * BLK);
	case 8:
		return PICK(((off_t[]){ INT64_MAX, INT64_MAX - 4095, -1,
			    1LL << 40, INT64_MIN, ds, ds + 1 }));
	default:
		return rn(4 * BLK);
	}
}

static size_t gen_len(void)
{
	switch (rn(10)) {
	case 0:
		return PICK(((size_t[]){ 0, 1, 4095, 4096, 4097, BLK - 1, BLK,
			    BLK + 1 }));
	case 1:
		return rn(4 << 20) + 1;
	case 2:
		return 4 << 20;
	default:
		return 1 + rn(pct(70) ? 4096 : 65536);
	}
}

/* A size for ftruncate and friends; whole-pool sizes now and then. */
static off_t gen_fsize(off_t fsize)
{
	off_t ds = data_size ? data_size : TEST_SIZE;

	if (pct(4))
		return PICK(((off_t[]){ ds, ds + 1, ds - BLK + 1, ds + BLK, -1,
			    INT64_MAX, 1LL << 40 }));
	if (pct(30))
		return fsize + PICK(((off_t[]){ 1, -1, 4096, -4096, BLK, -BLK,
				     BLK + 1 }));
	if (pct(30))
		return rn(6) * BLK + PICK(((off_t[]){ 0, 1, -1, 4095 }));
	return rn(pct(95) ? 8 * BLK : ds);
}

/* A user buffer for I/O: mostly valid, else NULL or PROT_NONE or crossing it. */
static char *gen_buf(char *valid, size_t len, bool *good)
{
	*good = true;
	switch (rn(40)) {
	case 0:
		*good = false;
		return NULL;
	case 1:
		*good = false;
		return abuf + 2 * PG;
	case 2:
		*good = len <= PG;
		return abuf + 2 * PG - rn(PG) - 1;
	case 3:		/* read-only: fine to write from, not to read into */
		*good = valid == wbuf && len <= PG;
		return abuf + 3 * PG;
	case 4:
	case 5:		/* a vmpkramfs mapping: faults, maybe of the same file */
		if (nmaps) {
			struct ment *m = &maps[rn(nmaps)];

			*good = false;
			return m->addr + rn(m->len);
		}
		return valid;
	default:
		return valid + rn(PG);
	}
}

/* Permission for uid/gid nobody on a file with @st (no capabilities). */
static bool nobody_may(const struct stat *st, int bits)
{
	int m = st->st_mode;

	if (st->st_uid == NOBODY_UID)
		m >>= 6;
	else if (st->st_gid == NOBODY_GID)
		m >>= 3;
	return (m & bits) == bits;
}

/* The root dir lets nobody create and remove names. */
static bool nobody_may_dir(void)
{
	struct stat st;

	return !stat(mnt, &st) && nobody_may(&st, 3);
}

static void add_fd(int fd, int oflags)
{
	if (nfds == MAX_FDS)
		fd_drop(rn(MAX_FDS));
	fds[nfds].fd = fd;
	fds[nfds].oflags = oflags;
	nfds++;
}

static void op_open(void)
{
	static const int extra[] = { O_EXCL, O_TRUNC, O_APPEND, O_NONBLOCK,
		O_DIRECT, O_SYNC, O_DSYNC, O_NOATIME, O_DIRECTORY, O_NOFOLLOW,
		O_PATH, O_NOCTTY, O_TMPFILE };
	char name[NAME_BUF], path[PATH_BUF];
	struct stat st, dst;
	bool existed, tmpfile;
	int flags, fd, err;
	mode_t mode;
	size_t i;

	gen_name(name);
	path_of(path, name);
	flags = (pct(50) ? O_RDWR : rn(4)) | O_CLOEXEC;
	if (pct(55))
		flags |= O_CREAT;
	for (i = 0; i < ARRAY_SIZE(extra); i++)
		if (pct(extra[i] == O_TMPFILE || extra[i] == O_PATH ? 2 : 8))
			flags |= extra[i];
	if (pct(2))
		flags |= rnd() & 0x7fffffff & ~O_TMPFILE & ~O_PATH;
	mode = pct(70) ? PICK(((mode_t[]){ 0600, 0644, 0666, 0755, 0604 })) :
	       rn(010000);
	existed = !lstat(path, &st);
	tmpfile = (flags & O_TMPFILE) == O_TMPFILE;
	note("open \"%.60s\"%s flags %#x mode %#o", name,
	     strlen(name) > 60 ? "..." : "", flags, mode);
	fd = open(path, flags, mode);
	err = fd < 0 ? errno : 0;
	expect_in("open", err, E_OPEN);
	if (fd >= 0) {
		struct statfs sf;

		/* "..": the directory under the mount is not ours to fuzz. */
		if (fstatfs(fd, &sf) || sf.f_type != VMPKRAMFS_MAGIC) {
			close(fd);
			return;
		}
	}
	if (fd >= 0 && tmpfile)
		violation("open O_TMPFILE succeeded (vmpkramfs has no tmpfile)");
	if (fd >= 0 && !existed && sealed() && plain(name))
		violation("created \"%s\" while the pool is sealed", name);
	if (fd >= 0 && existed && S_ISREG(st.st_mode) && st.st_size &&
	    (flags & O_TRUNC) && (flags & O_ACCMODE) && !(flags & O_PATH) &&
	    sealed())
		violation("O_TRUNC of a %lld byte file while the pool is sealed",
			  (long long)st.st_size);
	if (unpriv && fd >= 0 && !(flags & O_PATH)) {
		int want = ((flags & O_ACCMODE) == O_RDONLY ? 4 :
			    (flags & O_ACCMODE) == O_WRONLY ? 2 : 6) |
			   (flags & O_TRUNC ? 2 : 0);

		if (existed && S_ISREG(st.st_mode) && !nobody_may(&st, want))
			violation("nobody opened a %o file of uid %u with flags %#x",
				  st.st_mode & 07777, st.st_uid, flags);
		if (!existed && !stat(mnt, &dst) && !nobody_may(&dst, 3))
			violation("nobody created a file in a %o root of uid %u",
				  dst.st_mode & 07777, dst.st_uid);
	}
	if (fd < 0)
		return;
	stat_add(existed ? S_OPEN : S_CREATE);
	if (!existed && fd_stat(fd, &st)) {
		if (st.st_size || st.st_blocks)
			violation("new file \"%s\": size %lld, %lld blocks", name,
				  (long long)st.st_size, (long long)st.st_blocks);
		if (plain(name))
			name_add(name);
	}
	if (fd_stat(fd, &st))
		check_stat(&st, "open");
	add_fd(fd, flags);
}

static void op_close(void)
{
	if (!nfds)
		return;
	note("close");
	fd_drop(rn(nfds));
}

static void op_write(void)
{
	struct fent *f = pick_fd_for(O_WRONLY);
	int fd = fd_or_bad(f), how = rn(4), err;
	off_t old = -1, pos, off = gen_off(0);
	size_t len = gen_len();
	struct iovec iov[2];
	struct stat st;
	bool good;
	char *buf;
	ssize_t r;

	if (file_size_of(fd, &old) == 0)
		off = gen_off(old);
	/* Status flags are shared with children that changed them. */
	if (f && fd == f->fd && fcntl(fd, F_GETFL) >= 0)
		f->oflags = fcntl(fd, F_GETFL) | (f->oflags & O_PATH);
	buf = gen_buf(wbuf, len, &good);
	if (how == 0 && f && (f->oflags & O_APPEND))
		pos = old;
	else if (how == 0)
		pos = lseek(fd, 0, SEEK_CUR);
	else
		pos = f && (f->oflags & O_APPEND) ? old : off;
	note("write how %d fd %d off %lld len %zu buf %p (size %lld)", how, fd,
	     (long long)off, len, buf, (long long)old);
	switch (how) {
	case 0:
		r = write(fd, buf, len);
		break;
	case 1:
		r = pwrite(fd, buf, len, off);
		break;
	case 2:
		iov[0] = (struct iovec){ buf, len / 2 };
		iov[1] = (struct iovec){ pct(90) ? buf + len / 2 : NULL,
					 len - len / 2 };
		r = pwritev(fd, iov, 2, off);
		break;
	default:
		iov[0] = (struct iovec){ buf, len };
		r = pwritev2(fd, iov, 1, off, pct(60) ? 0 : PICK(((int[]){
			     RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_NOWAIT,
			     RWF_APPEND, 0x100 })));
		break;
	}
	err = r < 0 ? errno : 0;
	expect_in("write", err, E_RW);
	make_room(err);
	if (r > (ssize_t)len)
		violation("write of %zu returned %zd", len, r);
	if (r > 0)
		stat_add(S_WRITE);
	if (r <= 0 || old < 0 || pos < 0)
		return;
	if (pos + r > old && sealed())
		violation("write grew a file from %lld to %lld while sealed",
			  (long long)old, (long long)(pos + r));
	if (!fd_stat(fd, &st))
		return;
	check_stat(&st, "write");
	if (st.st_size < pos + r) {
		/* O_APPEND via RWF_APPEND moves pos: only flag the plain case. */
		if (how == 1 && !(f->oflags & O_APPEND))
			violation("pwrite of %zd at %lld left size %lld", r,
				  (long long)pos, (long long)st.st_size);
		return;
	}
	if (how == 1 && good && readable(f->oflags) && r <= 262144 &&
	    pread(fd, rbuf, r, pos) == r && memcmp(rbuf, buf, r))
		violation("pwrite of %zd at %lld does not read back", r,
			  (long long)pos);
	if (how == 1 && readable(f->oflags) && pos > old)
		check_zero(fd, old, pos, "gap a write left");
}

static void op_read(void)
{
	struct fent *f = pick_fd_for(O_RDONLY);
	int fd = fd_or_bad(f), how = rn(3), err;
	off_t size = -1, off = gen_off(0);
	size_t len = gen_len();
	struct iovec iov[2];
	bool good;
	char *buf;
	ssize_t r;

	if (file_size_of(fd, &size) == 0)
		off = pct(60) && size ? (off_t)rn(size) : gen_off(size);
	if (how == 0 && size > 0 && pct(50))
		lseek(fd, rn(size), SEEK_SET);
	buf = gen_buf(rbuf, len, &good);
	note("read how %d fd %d off %lld len %zu buf %p (size %lld)", how, fd,
	     (long long)off, len, buf, (long long)size);
	switch (how) {
	case 0:
		r = read(fd, buf, len);
		break;
	case 1:
		r = pread(fd, buf, len, off);
		break;
	default:
		iov[0] = (struct iovec){ buf, len / 2 };
		iov[1] = (struct iovec){ buf + len / 2, len - len / 2 };
		r = preadv2(fd, iov, 2, off, pct(70) ? 0 : PICK(((int[]){
			    RWF_HIPRI, RWF_NOWAIT, RWF_SYNC, 0x400 })));
	}
	err = r < 0 ? errno : 0;
	expect_in("read", err, E_RW);
	if (r > 0)
		stat_add(S_READ);
	if (r > (ssize_t)len || (how && size >= 0 && off >= 0 &&
				 r > (off < size ? size - off : 0)))
		violation("read of %zu at %lld of a %lld byte file returned %zd",
			  len, (long long)off, (long long)size, r);
}

/* After a size change that succeeded: blocks, and zeros where it grew. */
static void after_resize(int fd, int oflags, off_t old, const char *what)
{
	struct stat st;

	if (!fd_stat(fd, &st))
		return;
	stat_add(S_RESIZE);
	check_stat(&st, what);
	if (old >= 0 && st.st_size != old && sealed())
		violation("%s changed the size from %lld to %lld while sealed",
			  what, (long long)old, (long long)st.st_size);
	if (old >= 0 && st.st_size > old && readable(oflags))
		check_zero(fd, old, st.st_size, what);
}

static void op_truncate(void)
{
	struct fent *f = pick_fd_for(O_WRONLY);
	int fd = fd_or_bad(f), err, ret;
	off_t old = -1, size;

	file_size_of(fd, &old);
	size = gen_fsize(old < 0 ? 0 : old);
	note("ftruncate fd %d to %lld (size %lld)", fd, (long long)size,
	     (long long)old);
	ret = ftruncate(fd, size);
	err = ret ? errno : 0;
	expect_in("ftruncate", err, E_SIZE);
	make_room(err);
	if (old < 0)
		return;
	if (!ret && data_size && (uint64_t)size > data_size)
		violation("ftruncate to %lld beyond the data size %" PRIu64 " succeeded",
			  (long long)size, data_size);
	if (err == EFBIG && size >= 0 && (uint64_t)size <= data_size)
		violation("ftruncate to %lld within the data size: EFBIG",
			  (long long)size);
	if (!ret)
		after_resize(fd, f->oflags, old, "ftruncate");
}

/* After a punch that succeeded: same size, the range reads zero. */
static void after_punch(int fd, int oflags, off_t old, off_t off, off_t len)
{
	struct stat st;
	off_t end;

	if (!fd_stat(fd, &st))
		return;
	check_stat(&st, "punch");
	if (st.st_size != old)
		violation("punch changed the size from %lld to %lld",
			  (long long)old, (long long)st.st_size);
	if (off < 0 || len <= 0 || __builtin_add_overflow(off, len, &end))
		violation("punch of [%lld, +%lld) succeeded", (long long)off,
			  (long long)len);
	else if (off < st.st_size && readable(oflags))
		check_zero(fd, off, end < st.st_size ? end : st.st_size, "punch");
}

static void op_fallocate(void)
{
	static const int modes[] = { 0, 0, 0, FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, FALLOC_FL_ZERO_RANGE,
		FALLOC_FL_COLLAPSE_RANGE, FALLOC_FL_INSERT_RANGE,
		FALLOC_FL_UNSHARE_RANGE, 0x80 };
	struct fent *f = pick_fd_for(O_WRONLY);
	int fd = fd_or_bad(f), mode, err, ret;
	off_t old = -1, off, len;

	file_size_of(fd, &old);
	mode = pct(95) ? PICK(modes) : (int)rnd();
	off = pct(50) ? 0 : gen_off(old < 0 ? 0 : old);
	len = pct(10) ? PICK(((off_t[]){ 0, -1, INT64_MAX })) :
	      gen_fsize(old < 0 ? 0 : old) - (pct(50) ? 0 : off);
	note("fallocate fd %d mode %#x off %lld len %lld (size %lld)", fd, mode,
	     (long long)off, (long long)len, (long long)old);
	ret = fallocate(fd, mode, off, len);
	err = ret ? errno : 0;
	expect_in("fallocate", err, E_SIZE);
	make_room(err);
	if (ret || old < 0)
		return;
	if (mode == (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) {
		after_punch(fd, f->oflags, old, off, len);
		return;
	}
	if (mode & ~FALLOC_FL_KEEP_SIZE)
		violation("fallocate mode %#x succeeded", mode);
	else if (mode && off + len > old)
		violation("fallocate KEEP_SIZE past EOF (%lld > %lld) succeeded",
			  (long long)(off + len), (long long)old);
	after_resize(fd, f->oflags, old, "fallocate");
}

static void op_rename(void)
{
	static const unsigned int fl[] = { 0, 0, 0, RENAME_NOREPLACE,
		RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT,
		RENAME_NOREPLACE | RENAME_EXCHANGE, 8 };
	char a[NAME_BUF], b[NAME_BUF], pa[PATH_BUF], pb[PATH_BUF];
	unsigned int flags = pct(95) ? PICK(fl) : (unsigned int)rnd();
	struct stat sa, sb;
	bool ea, eb, same;
	int ret, err;

	gen_name(a);
	gen_name(b);
	path_of(pa, a);
	path_of(pb, b);
	ea = !lstat(pa, &sa);
	eb = !lstat(pb, &sb);
	note("rename \"%.40s\" -> \"%.40s\" flags %#x", a, b, flags);
	ret = syscall(SYS_renameat2, AT_FDCWD, pa, AT_FDCWD, pb, flags);
	err = ret ? errno : 0;
	expect_in("rename", err, E_NAME);
	if (ret)
		return;
	/* Onto itself: the VFS says 0 before the filesystem sees anything. */
	same = ea && eb && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
	if (same)
		return;
	stat_add(S_RENAME);
	if (flags & ~RENAME_NOREPLACE)
		violation("rename with flags %#x succeeded", flags);
	if ((flags & RENAME_NOREPLACE) && eb)
		violation("RENAME_NOREPLACE replaced \"%s\"", b);
	if (sealed() && ea && S_ISREG(sa.st_mode))
		violation("rename \"%s\" while the pool is sealed", a);
	if (unpriv && !nobody_may_dir())
		violation("nobody renamed in a root it may not write");
	if (plain(b))
		name_add(b);
}

static void op_unlink(void)
{
	char name[NAME_BUF], path[PATH_BUF];
	struct stat st;
	bool existed;
	int ret, err;

	gen_name(name);
	path_of(path, name);
	existed = !lstat(path, &st);
	note("unlink \"%.60s\"", name);
	ret = unlink(path);
	err = ret ? errno : 0;
	expect_in("unlink", err, E_NAME);
	if (ret)
		return;
	stat_add(S_UNLINK);
	if (sealed() && existed && plain(name))
		violation("unlink \"%s\" while the pool is sealed", name);
	if (unpriv && !nobody_may_dir())
		violation("nobody unlinked in a root it may not write");
}

static void op_attr(void)
{
	static const uid_t ids[] = { 0, NOBODY_UID, 1000, (uid_t)-1, 7 };
	char name[NAME_BUF], path[PATH_BUF];
	struct fent *f = pick_fd();
	struct timespec ts[2];
	int how = rn(5), ret, err, fd = -1;
	struct stat st;
	bool have, meta = true;
	uid_t uid = pct(90) ? PICK(ids) : (uid_t)rnd();
	gid_t gid = pct(90) ? PICK(ids) : (gid_t)rnd();
	mode_t mode = pct(70) ? PICK(((mode_t[]){ 0644, 0600, 0666, 04755,
						  0 })) : rn(010000);

	gen_name(name);
	if (!strcmp(name, ".."))	/* the directory the mount sits on */
		strcpy(name, ".");
	path_of(path, name);
	if (how >= 3) {
		fd = fd_or_bad(f);
		have = fd_stat(fd, &st);
	} else {
		have = !lstat(path, &st) && S_ISREG(st.st_mode);
	}
	note("attr how %d \"%.40s\" fd %d mode %#o uid %d gid %d", how, name,
	     fd, mode, (int)uid, (int)gid);
	switch (how) {
	case 0:
		ret = chmod(path, mode);
		break;
	case 1:
		ret = lchown(path, uid, gid);
		meta = uid != (uid_t)-1 || gid != (gid_t)-1;
		break;
	case 2:
		ts[0].tv_sec = rnd() >> 34;
		ts[0].tv_nsec = pct(90) ? (long)rn(1000000000) :
				PICK(((long[]){ UTIME_NOW, UTIME_OMIT, -1,
						1000000000 }));
		ts[1] = ts[0];
		ret = utimensat(AT_FDCWD, path, ts, 0);
		meta = false;
		break;
	case 3:
		ret = fchmod(fd, mode);
		break;
	default:
		ret = fchown(fd, uid, gid);
		meta = uid != (uid_t)-1 || gid != (gid_t)-1;
		break;
	}
	err = ret ? errno : 0;
	expect_in("chmod/chown/utimes", err, E_ATTR);
	if (ret || !have)
		return;
	stat_add(S_ATTR);
	if (meta && sealed())
		violation("chmod/chown of a file while the pool is sealed");
	if (unpriv && meta && how != 2 && st.st_uid != NOBODY_UID)
		violation("nobody changed mode or owner of a file of uid %u",
			  st.st_uid);
	if (unpriv && (how == 1 || how == 4) && uid != (uid_t)-1 &&
	    uid != NOBODY_UID)
		violation("nobody gave a file to uid %u", uid);
	if (unpriv && how == 2 && ts[0].tv_nsec != UTIME_NOW &&
	    ts[0].tv_nsec != UTIME_OMIT && st.st_uid != NOBODY_UID)
		violation("nobody set explicit times on a file of uid %u",
			  st.st_uid);
}

static void op_path_size(void)
{
	char name[NAME_BUF], path[PATH_BUF];
	struct stat st;
	off_t size;
	bool have;
	int ret, err;

	gen_name(name);
	path_of(path, name);
	have = !lstat(path, &st) && S_ISREG(st.st_mode);
	size = gen_fsize(have ? st.st_size : 0);
	note("truncate \"%.60s\" to %lld", name, (long long)size);
	ret = truncate(path, size);
	err = ret ? errno : 0;
	expect_in("truncate", err, E_SIZE);
	if (ret || !have)
		return;
	if (unpriv && !nobody_may(&st, 2))
		violation("nobody truncated a %o file of uid %u",
			  st.st_mode & 07777, st.st_uid);
	if (size != st.st_size && sealed())
		violation("truncate of a file while the pool is sealed");
}

/* Only regular files exist: these must all fail. */
static void op_forbidden(void)
{
	char a[NAME_BUF], b[NAME_BUF], pa[PATH_BUF], pb[PATH_BUF];
	int how = rn(6), ret, err;

	gen_name(a);
	gen_name(b);
	path_of(pa, a);
	path_of(pb, b);
	note("forbidden %d \"%.40s\" \"%.40s\"", how, a, b);
	switch (how) {
	case 0:
		ret = link(pa, pb);
		break;
	case 1:
		ret = mkdir(pb, 0755);
		break;
	case 2:
		ret = symlink(pa, pb);
		break;
	case 3:
		ret = mknod(pb, PICK(((mode_t[]){ S_IFIFO, S_IFCHR, S_IFSOCK,
					S_IFBLK })) | 0644, makedev(1, 3));
		break;
	case 4:
		ret = mkfifo(pb, 0644);
		break;
	default:
		ret = rmdir(pa);
		break;
	}
	err = ret ? errno : 0;
	expect_in("link/mkdir/symlink/mknod/rmdir", err, E_NAME);
	if (!ret)
		violation("%s succeeded on vmpkramfs", ((const char *[]){
			  "link", "mkdir", "symlink", "mknod", "mkfifo",
			  "rmdir" })[how]);
}

static void op_mmap(void)
{
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_READ |
		PROT_WRITE, PROT_READ, PROT_NONE, PROT_WRITE, PROT_READ |
		PROT_EXEC };
	struct fent *f = pick_fd_for(O_RDONLY);
	int fd = fd_or_bad(f), prot, flags, err;
	off_t size = 0, off;
	size_t len;
	void *p;

	file_size_of(fd, &size);
	prot = pct(95) ? PICK(prots) : (int)rnd();
	flags = PICK(((int[]){ MAP_SHARED, MAP_SHARED, MAP_SHARED,
		     MAP_PRIVATE, MAP_SHARED_VALIDATE }));
	if (pct(10))
		flags |= PICK(((int[]){ MAP_POPULATE, MAP_NORESERVE,
			      MAP_LOCKED, MAP_SYNC, MAP_HUGETLB,
			      MAP_NONBLOCK, 0x1000000 }));
	if (pct(50))
		len = ROUND_UP(size, PG) + (pct(50) ? PG : 0);
	else
		len = pct(70) ? (1 + rn(1024)) * PG : PICK(((size_t[]){ 0, 1,
			PG + 1, BLK, 8 * BLK, 1UL << 40 }));
	if (!len)
		len = pct(90) ? PG : 0;
	if ((flags & MAP_TYPE) == MAP_PRIVATE && len > BLK)
		len = BLK;	/* no "not enough memory" lines in dmesg */
	off = pct(50) ? 0 : pct(80) ? (off_t)(rn(ROUND_UP(size + 1, PG) / PG +
						  4) * PG) :
	      PICK(((off_t[]){ 1, BLK, -PG, INT64_MAX & ~(PG - 1), 1LL << 50 }));
	note("mmap fd %d len %zu prot %#x flags %#x off %lld (size %lld)", fd,
	     len, prot, flags, (long long)off, (long long)size);
	p = mmap(NULL, len, prot, flags, fd, off);
	err = p == MAP_FAILED ? errno : 0;
	expect_in("mmap", err, E_MAP);
	if (p == MAP_FAILED)
		return;
	if ((flags & MAP_TYPE) == MAP_PRIVATE && f && fd_stat(fd, &(struct stat){ 0 }))
		violation("MAP_PRIVATE mapping of a vmpkramfs file succeeded");
	if (!f || f->fd != fd || len > (1UL << 32)) {
		munmap(p, len);
		return;
	}
	stat_add(S_MMAP);
	if (nmaps == MAX_MAPS)
		map_drop(rn(MAX_MAPS));
	maps[nmaps++] = (struct ment){ p, ROUND_UP(len, PG), off, prot,
				       fcntl(fd, F_DUPFD_CLOEXEC, 100) };
}

/*
 * Whether a write fault at file offset @fo that raised SIGBUS had to: a
 * hole there needs a block, and write() of the same byte fails the same
 * way when the pool has none to give (full, or sealed).  Reads of holes
 * never fail.  It writes @val there when it can, as the fault meant to.
 */
static bool write_fault_may_fail(int fd, off_t fo, char val)
{
	char path[64];
	int wfd, err;
	ssize_t r;

	/* The mapping's fd may be O_APPEND: write through a fresh one. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	wfd = open(path, O_WRONLY | O_CLOEXEC);
	if (wfd < 0)
		return false;
	r = pwrite(wfd, &val, 1, fo);
	err = errno;
	close(wfd);
	return r < 0 && (err == ENOSPC || err == EROFS || err == EUCLEAN);
}

/* Touch mapped bytes: a fault exactly where the file ends. */
static void op_touch(void)
{
	struct ment *m;
	size_t off;
	off_t size, fo;
	int sig, want, k;
	bool write;
	char val = (char)(rnd() | 1), c;

	if (!nmaps)
		return;
	m = &maps[rn(nmaps)];
	if (file_size_of(m->fd, &size))
		return;
	k = rn(10);
	if (k < 4)
		off = rn(m->len);
	else if (k < 7)
		off = size - m->off + (off_t)rn(16384) - 8192;
	else if (k < 9)
		off = rn(m->len / BLK + 1) * BLK - (pct(50) ? 1 : 0);
	else
		off = m->len - 1;
	if ((ssize_t)off < 0 || off >= m->len)
		off = rn(m->len);
	fo = m->off + off;
	write = pct(50);
	if (m->prot == PROT_NONE || (write && !(m->prot & PROT_WRITE)))
		want = SIGSEGV;
	else if (fo < (off_t)ROUND_UP(size, PG))
		want = 0;
	else
		want = SIGBUS;
	if (!(m->prot & (PROT_READ | PROT_WRITE)) && m->prot != PROT_NONE)
		want = -1;	/* exec only: readable or not, by arch */
	note("touch %s map %p+%zu (file offset %lld, size %lld, prot %#x)",
	     write ? "write" : "read", m->addr, off, (long long)fo,
	     (long long)size, m->prot);
	sig = touch(m->addr + off, write, val);
	stat_add(sig == SIGBUS ? S_SIGBUS : S_TOUCH);
	if (write && sig == SIGBUS && !want &&
	    write_fault_may_fail(m->fd, fo, val))
		return;
	if (want >= 0 && sig != want)
		violation("%s of mapped file offset %lld (size %lld, prot %#x): %s, expected %s",
			  write ? "write" : "read", (long long)fo,
			  (long long)size, m->prot,
			  sig ? strsignal(sig) : "no signal",
			  want ? strsignal(want) : "no signal");
	if (sig || fo >= size)
		return;
	/* The mapping and read() see the same bytes: there is no page cache. */
	if (pread(m->fd, &c, 1, fo) == 1 &&
	    c != (write ? val : m->addr[off]))
		violation("mapped byte at %lld and read() disagree", (long long)fo);
}

static void op_mapctl(void)
{
	struct ment *m;
	size_t s, l;
	int how = rn(5), ret, err, prot;
	void *p;

	if (!nmaps)
		return;
	m = &maps[rn(nmaps)];
	s = rn(m->len / PG) * PG;
	l = (1 + rn((m->len - s) / PG)) * PG;
	note("mapctl %d map %p len %zu at +%zu len %zu", how, m->addr, m->len, s,
	     l);
	switch (how) {
	case 0:	/* munmap a head or a tail, or all of it */
		if (pct(30) || (!s && l == m->len)) {
			map_drop(m - maps);
			return;
		}
		if (s) {
			munmap(m->addr + s, m->len - s);
			m->len = s;
		} else {
			munmap(m->addr, l);
			m->addr += l;
			m->off += l;
			m->len -= l;
		}
		return;
	case 1:
		prot = PICK(((int[]){ PROT_READ, PROT_READ | PROT_WRITE,
				      PROT_NONE, PROT_WRITE }));
		ret = mprotect(m->addr, m->len, prot);
		err = ret ? errno : 0;
		expect_in("mprotect", err, E_MAP);
		if (!ret)
			m->prot = prot;
		return;
	case 2:
		ret = fuzz_madvise(m->addr + s, l, PICK(((int[]){
			MADV_DONTNEED, MADV_WILLNEED, MADV_REMOVE, MADV_FREE,
			MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_COLD,
			MADV_PAGEOUT, MADV_RANDOM, MADV_HUGEPAGE,
			MADV_MERGEABLE, MADV_NORMAL, 99 })));
		err = ret ? errno : 0;
		expect_in("madvise", err, E_MAP);
		return;
	case 3:
		ret = msync(m->addr + s, l, PICK(((int[]){ MS_SYNC, MS_ASYNC,
			MS_INVALIDATE, MS_SYNC | MS_ASYNC, 0x10 })));
		err = ret ? errno : 0;
		expect_in("msync", err, E_MAP);
		return;
	default:	/* grow (VM_DONTEXPAND) or shrink */
		l = pct(50) ? m->len + (1 + rn(16)) * PG :
		    (1 + rn(m->len / PG)) * PG;
		p = mremap(m->addr, m->len, l, pct(50) ? MREMAP_MAYMOVE : 0);
		err = p == MAP_FAILED ? errno : 0;
		expect_in("mremap", err, E_MAP);
		if (p != MAP_FAILED) {
			m->addr = p;
			m->len = l;
		}
	}
}

/* Pin pool pages in a pipe; it may outlive the file, the mount, the pool. */
static void op_vmsplice(void)
{
	struct iovec iov;
	struct ment *m;
	ssize_t r;
	size_t off;
	int p[2];

	if (!nmaps || pct(20)) {
		if (npipes) {	/* drain one and let its pages go */
			note("pipe drain");
			while (read(pipes[0][0], rbuf, 65536) > 0)
				;
			pipe_drop(0);
		}
		return;
	}
	m = &maps[rn(nmaps)];
	off = rn(m->len / PG) * PG;
	iov.iov_base = m->addr + off;
	iov.iov_len = 1 + rn(pct(50) ? PG : 65536);
	if (off + iov.iov_len > m->len)
		iov.iov_len = m->len - off;
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC))
		return;
	note("vmsplice map %p+%zu len %zu (prot %#x)", m->addr, off,
	     iov.iov_len, m->prot);
	r = vmsplice(p[1], &iov, 1, SPLICE_F_NONBLOCK |
		     (pct(20) ? SPLICE_F_GIFT : 0));
	expect_in("vmsplice", r < 0 ? errno : 0, E_MAP);
	if (r <= 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	if (npipes == MAX_PIPES)
		pipe_drop(rn(MAX_PIPES));
	pipes[npipes][0] = p[0];
	pipes[npipes][1] = p[1];
	npipes++;
}

/* get_user_pages() of the mappings from this very process. */
static void op_process_vm(void)
{
	struct iovec local, remote;
	struct ment *m;
	bool write = pct(40);
	size_t off;
	ssize_t r;

	if (!nmaps)
		return;
	m = &maps[rn(nmaps)];
	off = rn(m->len);
	local.iov_base = write ? wbuf : rbuf;
	local.iov_len = 1 + rn(pct(70) ? PG : BLK);
	remote.iov_base = m->addr + off;
	remote.iov_len = local.iov_len;
	note("process_vm_%s map %p+%zu len %zu (prot %#x)", write ? "writev" :
	     "readv", m->addr, off, local.iov_len, m->prot);
	r = write ? process_vm_writev(getpid(), &local, 1, &remote, 1, 0) :
		    process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	expect_in("process_vm_readv/writev", r < 0 ? errno : 0,
		  (const int[]){ EFAULT, ENOMEM, EPERM, ESRCH, EINVAL, 0 });
}

/* Small things a file or the mount answers. */
static void op_misc(void)
{
	static const unsigned long iocs[] = { FIONREAD_, FIGETBSZ_, FIOQSIZE_,
		FS_IOC_GETFLAGS_, FS_IOC_SETFLAGS_, FS_IOC_GETVERSION_,
		FS_IOC_FIEMAP_, FS_IOC_FSGETXATTR_, FICLONE_,
		_IO(VMPKRAM_IOC_MAGIC, 0), _IO(VMPKRAM_IOC_MAGIC, 1) };
	struct fent *f = pick_fd(), *g = pick_fd();
	int fd = fd_or_bad(f), how = rn(14), ret, err = 0;
	char name[NAME_BUF], path[PATH_BUF], xv[64];
	struct statfs sf;
	struct stat st;
	off_t off, o2;
	long r = 0;

	gen_name(name);
	if (!strcmp(name, ".."))
		strcpy(name, ".");
	path_of(path, name);
	note("misc %d fd %d \"%.40s\"", how, fd, name);
	switch (how) {
	case 0:
		ret = PICK(((int[]){ 0, 1, 2 })) == 0 ? fsync(fd) :
		      rn(2) ? fdatasync(fd) : syncfs(fd);
		err = ret ? errno : 0;
		break;
	case 1:
		ret = rn(2) ? statfs(mnt, &sf) : fstatfs(fd, &sf);
		err = ret ? errno : 0;
		if (!ret && sf.f_type == VMPKRAMFS_MAGIC &&
		    (sf.f_bsize != (long)BLK || sf.f_files != VMPKRAM_POOL_MAX_FILES ||
		     sf.f_bfree > sf.f_blocks || sf.f_bavail != sf.f_bfree ||
		     sf.f_namelen != VMPKRAMFS_NAME_MAX ||
		     (data_size && sf.f_blocks * BLK != data_size)))
			violation("statfs: bsize %ld blocks %llu free %llu files %llu namelen %ld",
				  (long)sf.f_bsize,
				  (unsigned long long)sf.f_blocks,
				  (unsigned long long)sf.f_bfree,
				  (unsigned long long)sf.f_files,
				  (long)sf.f_namelen);
		break;
	case 2:
		if (fd_stat(fd, &st))
			check_stat(&st, "fstat");
		if (!lstat(path, &st) && S_ISREG(st.st_mode))
			check_stat(&st, "stat");
		break;
	case 3:
		off = gen_off(0);
		r = lseek(fd, off, PICK(((int[]){ SEEK_SET, SEEK_CUR, SEEK_END,
			  SEEK_DATA, SEEK_HOLE, 7 })));
		err = r < 0 ? errno : 0;
		break;
	case 4:
		r = ioctl(fd, PICK(iocs), pct(80) ? (unsigned long)rbuf : 0);
		err = r < 0 ? errno : 0;
		break;
	case 5:
		r = fcntl(fd, F_SETFL, PICK(((int[]){ O_APPEND, O_NONBLOCK,
			  O_DIRECT, O_NOATIME, 0, O_ASYNC })));
		err = r < 0 ? errno : 0;
		if (!r && f)
			f->oflags = (f->oflags & ~(O_APPEND | O_NONBLOCK |
				     O_DIRECT | O_NOATIME)) |
				    (fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK |
							   O_DIRECT | O_NOATIME));
		break;
	case 6:
		r = flock(fd, PICK(((int[]){ LOCK_EX | LOCK_NB, LOCK_SH |
			  LOCK_NB, LOCK_UN })));
		err = r < 0 ? errno : 0;
		break;
	case 7:
		err = posix_fadvise(fd, gen_off(0), gen_len(),
				    PICK(((int[]){ POSIX_FADV_WILLNEED,
				    POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE,
				    POSIX_FADV_SEQUENTIAL, 9 })));
		break;
	case 8:
		off = gen_off(0);
		o2 = gen_off(0);
		r = copy_file_range(fd, pct(50) ? &off : NULL,
				    fd_or_bad(g), pct(50) ? &o2 : NULL,
				    gen_len(), pct(95) ? 0 : 1);
		err = r < 0 ? errno : 0;
		break;
	case 9:
		off = gen_off(0);
		r = sendfile(fd_or_bad(g), fd, pct(50) ? &off : NULL, gen_len());
		err = r < 0 ? errno : 0;
		break;
	case 10:
		r = rn(2) ? getxattr(path, "user.x", xv, sizeof(xv)) :
		    listxattr(path, xv, sizeof(xv));
		err = r < 0 ? errno : 0;
		break;
	case 11:
		r = setxattr(path, PICK(((const char *[]){ "user.x",
			     "trusted.x", "security.x", "system.posix_acl_access" })),
			     "v", 1, 0);
		err = r < 0 ? errno : 0;
		break;
	case 12:
		r = readahead(fd, gen_off(0), gen_len());
		err = r < 0 ? errno : 0;
		break;
	default:
		r = access(path, rn(8));
		err = r < 0 ? errno : 0;
	}
	expect_in("fd/misc call", err, E_MISC);
}

/* getdents of the root: names are plain and at most the file table. */
static void op_readdir(void)
{
	DIR *d = opendir(mnt);
	struct dirent *de;
	int n = 0;

	note("readdir");
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		if (strchr(de->d_name, '/') || de->d_type != DT_REG)
			violation("readdir: entry \"%s\" type %d", de->d_name,
				  de->d_type);
	}
	if (d)
		closedir(d);
	if (n > VMPKRAM_POOL_MAX_FILES)
		violation("readdir: %d entries", n);
}

/* Mount options: odd values and garbage besides pool=test. */
static bool gen_mount_opts(char *o, size_t len, const char **why)
{
	static const char *const bad[] = { "foo=bar", "uid=-1", "uid=abc",
		"mode=9", "mode=", "pool=", "pool=nosuch", "gid=x", "size=1G",
		"pool=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"uid=4294967295", "mode=-1" };
	bool garbage = pct(20);
	size_t n;

	*why = NULL;
	n = snprintf(o, len, "pool=%s", POOL);
	if (pct(40))
		n += snprintf(o + n, len - n, ",uid=%u", PICK(((unsigned int[]){
			      0, NOBODY_UID, 1000, 7 })));
	if (pct(40))
		n += snprintf(o + n, len - n, ",gid=%u", PICK(((unsigned int[]){
			      0, NOBODY_GID, 1000, 7 })));
	if (pct(50))
		n += snprintf(o + n, len - n, ",mode=%o", pct(80) ?
			      PICK(((unsigned int[]){ 0755, 0777, 01777, 0700,
						      0 })) : (unsigned int)rn(010000));
	if (garbage) {
		*why = PICK(bad);
		snprintf(o + n, len - n, ",%s", *why);
	}
	return garbage;
}

static void fs_mount_input(void)
{
	struct tnl_pool p;
	const char *why;
	char o[256];
	unsigned long flags = pct(90) ? 0 : PICK(((unsigned long[]){
		MS_RDONLY, MS_NOSUID | MS_NODEV, MS_NOEXEC, MS_SYNCHRONOUS }));
	bool garbage = gen_mount_opts(o, sizeof(o), &why);
	int ret, err;

	if (!unpriv) {
		ret = pool_ensure(POOL, TEST_BASE, TEST_SIZE, &p);
		if (ret) {
			violation("pool %s cannot be restored: %s", POOL, ename(ret));
			return;
		}
		refresh_test();
	}
	note("mount -o %s flags %#lx", o, flags);
	ret = mount("none", mnt, VMPKRAMFS_NAME, flags, o);
	err = ret ? errno : 0;
	expect_in("mount", err, E_MOUNT);
	if (unpriv) {
		if (!ret) {
			violation("nobody mounted vmpkramfs");
			umount2(mnt, MNT_DETACH);
		}
		return;
	}
	if (ret) {
		if (!garbage)
			violation("mount -o %s: %s", o, ename(err));
		return;
	}
	if (garbage)
		violation("mount with \"%s\" succeeded", why);
	mounted = true;
	lazy = false;
	mnt_flags = flags;
	stat_add(S_MOUNT);
}

/* Mounts that must fail, or succeed and go away, on the second dir. */
static void fs_mount_other(void)
{
	const char *why;
	char o[256];
	bool garbage = gen_mount_opts(o, sizeof(o), &why);
	int ret;

	if (pct(30)) {	/* other pools, which may or may not be mountable */
		snprintf(o, sizeof(o), "pool=%s", PICK(((const char *[]){
			 "small", "nosuch", "", "fuzz0" })));
		garbage = false;
	}
	note("mount (second dir) -o %s", o);
	ret = mount("none", mnt2, VMPKRAMFS_NAME, 0, o);
	expect_in("mount", ret ? errno : 0, E_MOUNT);
	if (!ret) {
		if (garbage)
			violation("mount with \"%s\" succeeded", why);
		if (umount(mnt2))
			violation("umount of a second mount: %s", ename(errno));
	}
}

static void fs_umount_input(bool detach)
{
	int ret;

	if (unpriv) {
		note("umount%s as nobody", detach ? " -l" : "");
		if (!umount2(mnt, detach ? MNT_DETACH : 0))
			violation("nobody unmounted vmpkramfs");
		return;
	}
	if (detach) {
		note("umount -l (%d fds, %d maps open)", nfds, nmaps);
		ret = umount2(mnt, MNT_DETACH);
		if (ret) {
			violation("umount -l: %s", ename(errno));
			return;
		}
		mounted = false;
		lazy = nfds || nmaps;
		if (!lazy)
			refresh_test();
		return;
	}
	fs_release_all();
	note("umount");
	stat_add(S_UMOUNT);
	if (umount(mnt)) {
		violation("umount with no file open: %s", ename(errno));
		umount2(mnt, MNT_DETACH);
	}
	mounted = false;
	lazy = false;
	refresh_test();
}

static struct tnl_files files_buf;	/* 6.6 MB: not on the stack */

struct span {
	uint64_t start, len;
	const char *name;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The extents of one dumped file: in order, whole blocks, in the pool,
 * within its size (fewer than its size where holes were punched).
 */
static uint64_t check_extents(const struct tnl_file *f, const struct tnl_pool *p,
			      struct span *spans, int *nspans)
{
	uint64_t blocks = 0, next = 0;
	int k;

	for (k = 0; k < f->nr_extents; k++) {
		uint64_t off = f->ext[k].offset, phys = f->ext[k].phys;
		uint64_t len = f->ext[k].len;

		if (off < next || off % BLK || !len || len % BLK || phys % BLK ||
		    off + len > ROUND_UP(f->size, BLK) ||
		    phys < p->base || phys + len > p->base + p->size)
			violation("GET_FILES: file \"%s\" extent %d: offset %#" PRIx64
				  " phys %#" PRIx64 " len %#" PRIx64, f->name, k,
				  off, phys, len);
		next = off + len;
		blocks += len / BLK;
		if (*nspans < 2 * VMPKRAM_POOL_MAX_FILES)
			spans[(*nspans)++] = (struct span){ phys, len, f->name };
	}
	if (blocks > ROUND_UP(f->size, BLK) / BLK)
		violation("GET_FILES: file \"%s\" of %" PRIu64 " bytes has %" PRIu64
			  " blocks in its extents", f->name, f->size, blocks);
	return blocks;
}

/*
 * The pool's file table (GET_FILES) against the mount: the same names,
 * sizes, modes and owners; extents that cover each file exactly, inside
 * the pool, no block in two files; the blocks add up to "used".
 */
static void op_files_check(void)
{
	static struct span spans[2 * VMPKRAM_POOL_MAX_FILES];
	char path[PATH_BUF];
	uint64_t blocks = 0;
	int ret, i, named = 0, seen = 0, nspans = 0;
	struct tnl_file *f;
	struct dirent *de;
	struct tnl_pool p;
	struct stat st;
	DIR *d;

	if (unpriv) {
		op_misc();
		return;
	}
	note("GET_FILES of %s against the mount", POOL);
	ret = tnl_get_files(&ctl, POOL, &files_buf);
	if (ret || tnl_pool_get(&ctl, POOL, &p)) {
		violation("GET_FILES or POOL_GET %s: %s", POOL, ename(ret < 0 ?
			  -ret : ret));
		return;
	}
	if (files_buf.bad)
		violation("GET_FILES: %d messages make no sense", files_buf.bad);
	for (i = 0; i < files_buf.nr; i++) {
		f = &files_buf.f[i];
		blocks += check_extents(f, &p, spans, &nspans);
		if (!(f->flags & VMPKRAM_FILE_F_ORPHAN))
			named++;
		else if (f->name[0])
			violation("GET_FILES: orphan with the name \"%s\"", f->name);
	}
	qsort(spans, nspans, sizeof(spans[0]), span_cmp);
	for (i = 1; i < nspans; i++)
		if (spans[i - 1].start + spans[i - 1].len > spans[i].start)
			violation("GET_FILES: files \"%s\" and \"%s\" share block %#" PRIx64,
				  spans[i - 1].name, spans[i].name, spans[i].start);
	if (p.nr_files != (uint32_t)files_buf.nr || blocks * BLK != p.used)
		violation("pool %s: %u files using %" PRIu64 " bytes, GET_FILES lists %d files with %" PRIu64 " blocks",
			  POOL, p.nr_files, p.used, files_buf.nr, blocks);
	d = opendir(mnt);
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		seen++;
		snprintf(path, sizeof(path), "%s/%s", mnt, de->d_name);
		f = tnl_find_file(&files_buf, de->d_name);
		if (lstat(path, &st))
			continue;
		if (!f)
			violation("file \"%s\" is not in the pool's file table",
				  de->d_name);
		else if ((uint64_t)st.st_size != f->size || st.st_mode != f->mode ||
			 st.st_uid != f->uid || st.st_gid != f->gid ||
			 st.st_ino != f->ino)
			violation("file \"%s\": size %lld mode %o uid %u gid %u ino %llu, the pool says %" PRIu64 " %o %u %u %" PRIu64,
				  de->d_name, (long long)st.st_size, st.st_mode,
				  st.st_uid, st.st_gid, (unsigned long long)st.st_ino,
				  f->size, f->mode, f->uid, f->gid, f->ino);
	}
	if (d)
		closedir(d);
	if (d && seen != named)
		violation("%d names in the mount, %d in the pool's file table",
			  seen, named);
	stat_add(S_FILES);
}

static void fs_umount_plain(void)
{
	fs_umount_input(false);
}

static void fs_umount_lazy(void)
{
	fs_umount_input(true);
}

/* Per mille. */
static const struct {
	void (*fn)(void);
	unsigned int weight;
} fs_ops[] = {
	{ op_open, 130 }, { op_close, 35 }, { op_write, 130 }, { op_read, 70 },
	{ op_truncate, 80 }, { op_fallocate, 40 }, { op_rename, 40 },
	{ op_unlink, 40 }, { op_attr, 40 }, { op_path_size, 20 },
	{ op_forbidden, 20 }, { op_mmap, 70 }, { op_touch, 110 },
	{ op_mapctl, 40 }, { op_misc, 85 }, { op_readdir, 20 },
	{ fs_mount_other, 10 }, { fs_umount_plain, 3 }, { fs_umount_lazy, 2 },
	{ op_files_check, 10 }, { op_vmsplice, 25 }, { op_process_vm, 20 },
	{ op_model, 8 },
};

void fuzz_fs(void)
{
	size_t i;
	int k;

	if (!unpriv && test_state == VMPKRAM_POOL_SEALED && pct(8)) {
		tnl_pool_cmd(&ctl, VMPKRAM_CMD_POOL_UNSEAL, POOL, NULL);
		refresh_test();
	}
	if (sealed())
		stat_add(S_SEALED);
	if (!mounted) {
		if (unpriv || ((nfds || nmaps) && pct(40))) {
			k = rn(5);	/* what is still open of a lazy unmount */
			if (unpriv && pct(20))
				fs_mount_input();
			else if (k == 0)
				op_write();
			else if (k == 1)
				op_touch();
			else if (k == 2)
				op_truncate();
			else if (k == 3)
				op_mapctl();
			else
				op_close();
			return;
		}
		fs_mount_input();
		return;
	}
	for (i = 0, k = 0; i < ARRAY_SIZE(fs_ops); i++)
		k += fs_ops[i].weight;
	k = rn(k);
	for (i = 0; i < ARRAY_SIZE(fs_ops); i++) {
		if (k < fs_ops[i].weight) {
			if (unpriv && fs_ops[i].fn == fs_mount_other)
				fs_mount_input();	/* must fail */
			else
				fs_ops[i].fn();
			return;
		}
		k -= fs_ops[i].weight;
	}
	op_misc();
}
