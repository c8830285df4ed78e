// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkramfs memory semantics: pool memory has struct pages, so
 * get_user_pages() works on mappings of its files (O_DIRECT into and out
 * of a mapping, process_vm_readv/writev, vmsplice, MADV_POPULATE_WRITE,
 * VMPKRAM_IOC_PREFAULT), while FOLL_LONGTERM pins (io_uring fixed buffers)
 * are refused as for any file-system DAX mapping.  Mappings take 2 MiB
 * entries where address, file offset and blocks line up and 4 KiB ones
 * otherwise, as the fault counters of GET_STATUS show.  Pinned pages of a
 * deleted file are neither scrubbed nor handed to another file until
 * released, and a pool whose pages are pinned cannot be detached (EAGAIN).
 *
 * Fixture "mem" (suite "pool"): pool "test", 512 MiB.  Fixture "huge"
 * (suite "pool-huge", run with -f huge): pool "big", 2 GiB at 1 GiB,
 * whose second GiB is a 1 GiB-aligned run: a 1 GiB file there is one
 * extent, mapped by huge entries only.  Fixture "poison" (suite "pool",
 * run last with -f poison, since the block it poisons stays withdrawn):
 * pool "small", a memory failure injected with MADV_HWPOISON.  Fixture
 * "map": the mapping matrix, every entry size (variants 4k and 2m on pool
 * "test", 1g on pool "big") against every operation that changes a
 * mapping or the file under it.  Each fixture skips when its pool is
 * missing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/vmpkram.h>

#include "kselftest_harness.h"
#include "vmpkram_test.h"
#include "vmpkramfs_pattern.h"

#define BLK		VMPKRAM_POOL_BLOCK_SIZE
#define SZ_4K		4096UL
#define SZ_1M		(1UL << 20)
#define SZ_2M		(2UL << 20)
#define SZ_1G		(1UL << 30)
#define MNT_PREFIX	"/tmp/vmpkramfs-mem."
#define RAMDISK		"/dev/ram0"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_COLD
#define MADV_COLD		20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif

/* 0 if @ret is not negative, else errno. */
#define ERR(ret)	((ret) < 0 ? errno : 0)

/* ---- helpers without a fixture ---- */

/* Unmount what a killed test left behind (teardown did not run then). */
static void umount_stale(void)
{
	char dev[256], mnt[256], type[64];
	FILE *f = fopen("/proc/self/mounts", "r");

	while (f && fscanf(f, "%255s %255s %63s %*[^\n]", dev, mnt, type) == 3)
		if (!strcmp(type, VMPKRAMFS_NAME) &&
		    !strncmp(mnt, MNT_PREFIX, strlen(MNT_PREFIX)) &&
		    !umount2(mnt, MNT_DETACH))
			rmdir(mnt);
	if (f)
		fclose(f);
}

static int pool_attach(struct tnl *nl, const char *name, __u64 base,
		       __u64 size)
{
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	int ret;

	tnl_msg_init(&m, nl->family, 0, VMPKRAM_CMD_POOL_ATTACH);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, name);
	tnl_put_u64(&m, VMPKRAM_A_POOL_BASE, base);
	tnl_put_u64(&m, VMPKRAM_A_POOL_SIZE, size);
	ret = tnl_exec(nl, &m, NULL, NULL, &res);
	if (!ret)
		ret = res.error;
	tnl_result_clear(&res);
	return ret;
}

/* A pool command: its errno, and the extended-ACK message in @msg. */
static int pool_cmd_msg(struct tnl *nl, __u8 cmd, const char *name,
			char *msg, size_t len)
{
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	int ret;

	tnl_msg_init(&m, nl->family, 0, cmd);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, name);
	ret = tnl_exec(nl, &m, NULL, NULL, &res);
	if (!ret)
		ret = res.error;
	snprintf(msg, len, "%s", res.msg);
	tnl_result_clear(&res);
	return ret;
}

/* Write the pattern's byte at every @step of [p, p + len) (file offset @off). */
static void touch_every(unsigned char *p, size_t len, size_t step,
			uint64_t off, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i += step)
		((volatile unsigned char *)p)[i] = pat(off + i, seed);
}

/*
 * A MAP_SHARED mapping of @len bytes of @fd at file offset @off, placed
 * at @skew bytes past an address aligned to @align; MAP_FAILED on error.
 */
static unsigned char *map_at(int fd, size_t len, off_t off, size_t align,
			     size_t skew)
{
	size_t span = len + align + skew;
	unsigned char *r, *p, *want;

	r = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		return MAP_FAILED;
	want = (unsigned char *)(((uintptr_t)r + align - 1) & ~(align - 1)) +
	       skew;
	p = mmap(want, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, off);
	if (p == MAP_FAILED) {
		munmap(r, span);
		return MAP_FAILED;
	}
	if (want > r)
		munmap(r, want - r);
	if (r + span > want + len)
		munmap(want + len, r + span - (want + len));
	return p;
}

/* Faults since @before: the difference of each counter. */
static struct tnl_faults faults_since(struct tnl *nl,
				      const struct tnl_faults *before)
{
	struct tnl_faults now;

	if (tnl_get_faults(nl, &now))
		memset(&now, 0xff, sizeof(now));
	now.pte -= before->pte;
	now.pmd -= before->pmd;
	now.pud -= before->pud;
	return now;
}

/* The extents of file @name of pool @pool in @f; 0 or an errno. */
static int file_extents(struct tnl *nl, const char *pool, const char *name,
			struct tnl_file *f)
{
	struct tnl_files *files = malloc(sizeof(*files));
	struct tnl_file *found;
	int ret;

	if (!files)
		return ENOMEM;
	ret = tnl_get_files(nl, pool, files);
	found = ret ? NULL : tnl_find_file(files, name);
	if (!ret && !found)
		ret = ENOENT;
	if (found)
		*f = *found;
	free(files);
	return ret;
}

static bool overlaps(__u64 a, __u64 alen, __u64 b, __u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* Poll pool @name until scrub_pending <= @bytes: its value, or ~0. */
static __u64 wait_scrub(struct tnl *nl, const char *name, __u64 bytes,
			int seconds)
{
	struct tnl_pool p;
	int i;

	for (i = 0; i < seconds * 10; i++) {
		if (tnl_pool_get(nl, name, &p))
			return ~0ULL;
		if (p.scrub_pending <= bytes)
			return p.scrub_pending;
		usleep(100 * 1000);
	}
	return p.scrub_pending;
}

/* Whether the running module maps 1 GiB entries (GET_API features). */
static bool module_maps_1g(void)
{
	return vt_module_features() & VMPKRAM_FEATURE_MAP_1G;
}

/* ---- fixture "mem": pool "test" ---- */

#define POOL		"test"
#define NO_POOL_HINT	"no pool \"test\": run in the VM suite \"pool\" " \
			"(memmap=512M$0x40000000 vmpkram.pool=test:512M@0x40000000)"

/* What both fixtures hold: a pool, mounted. */
struct memfs {
	struct tnl nl;
	const char *name;	/* of the pool */
	struct tnl_pool pool;	/* as setup left it: READY and empty */
	char dir[64];
	int dfd;		/* the mounted root, -1 when unmounted */
};

FIXTURE(mem) {
	struct memfs fs;
};

static int fs_mount(struct memfs *fs)
{
	char o[64];

	snprintf(o, sizeof(o), "pool=%s", fs->name);
	if (mount("none", fs->dir, VMPKRAMFS_NAME, 0, o))
		return errno;
	fs->dfd = open(fs->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fs->dfd < 0 ? errno : 0;
}

static int fs_umount(struct memfs *fs)
{
	if (fs->dfd >= 0)
		close(fs->dfd);
	fs->dfd = -1;
	return ERR(umount(fs->dir));
}

/*
 * Pool @name READY and empty (formatted when it is not), mounted on a
 * fresh directory.  Skips when the pool does not exist.
 */
static void pool_setup(struct __test_metadata *_metadata,
		       struct memfs *fs, const char *name, const char *hint)
{
	struct tnl_faults f;
	int ret;

	fs->dfd = -1;
	fs->nl.fd = -1;
	fs->name = name;
	umount_stale();
	ret = tnl_open(&fs->nl);
	ASSERT_EQ(0, ret) TH_LOG("genetlink family %s: %s", VMPKRAM_GENL_NAME,
				 strerror(-ret));
	ret = tnl_pool_get(&fs->nl, name, &fs->pool);
	if (ret) {
		ASSERT_EQ(ENODEV, ret);
		SKIP(return, "%s", hint);
	}
	if (fs->pool.state == VMPKRAM_POOL_SEALED)
		ASSERT_EQ(0, tnl_pool_cmd(&fs->nl, VMPKRAM_CMD_POOL_UNSEAL,
					  name, NULL));
	if ((fs->pool.state != VMPKRAM_POOL_READY &&
	     fs->pool.state != VMPKRAM_POOL_SEALED) || fs->pool.nr_files)
		ASSERT_EQ(0, tnl_pool_cmd(&fs->nl, VMPKRAM_CMD_POOL_FORMAT,
					  name, NULL));
	ASSERT_EQ(0, tnl_pool_get(&fs->nl, name, &fs->pool));
	ASSERT_EQ(VMPKRAM_POOL_READY, fs->pool.state);
	ASSERT_EQ(0, fs->pool.nr_files);

	strcpy(fs->dir, MNT_PREFIX "XXXXXX");
	ASSERT_NE(NULL, mkdtemp(fs->dir));
	ASSERT_EQ(0, fs_mount(fs));
	ret = tnl_get_faults(&fs->nl, &f);
	ASSERT_EQ(0, ret) TH_LOG("GET_STATUS without fault counters: %s",
				 strerror(ret));
}

static void pool_teardown(struct memfs *fs)
{
	const char *name = fs->name;
	int fd;
	DIR *d;
	struct dirent *de;

	/* A test that detached the pool and failed before attaching it. */
	if (fs->nl.fd >= 0 && fs->pool.size &&
	    tnl_pool_get(&fs->nl, name, NULL) == ENODEV)
		pool_attach(&fs->nl, name, fs->pool.base, fs->pool.size);
	if (fs->dfd < 0 && fs->dir[0])
		fs_mount(fs);
	if (fs->dfd >= 0) {
		fd = openat(fs->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		d = fd < 0 ? NULL : fdopendir(fd);
		while (d && (de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(fs->dfd, de->d_name, 0);
		if (d)
			closedir(d);
		if (fs_umount(fs))
			umount2(fs->dir, MNT_DETACH);
	}
	if (fs->dir[0])
		rmdir(fs->dir);
	tnl_close(&fs->nl);
}

FIXTURE_SETUP(mem)
{
	pool_setup(_metadata, &self->fs, POOL, NO_POOL_HINT);
}

FIXTURE_TEARDOWN(mem)
{
	pool_teardown(&self->fs);
}

/* A new file of @size (ftruncate); its fd, or -1. */
static int create_sized(struct memfs *fs, const char *name, off_t size)
{
	int fd = openat(fs->dfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
			0644);

	if (fd >= 0 && ftruncate(fd, size)) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct tnl_faults faults(struct memfs *fs)
{
	struct tnl_faults f;

	if (tnl_get_faults(&fs->nl, &f))
		memset(&f, 0xff, sizeof(f));
	return f;
}

/* /dev/ram0 open with O_DIRECT (brd loaded if needed); -1 and a reason. */
static int open_ramdisk(char *why, size_t len)
{
	uint64_t size = 0;
	int fd;

	if (access(RAMDISK, F_OK) &&
	    system("modprobe brd rd_size=65536 rd_nr=1 2>/dev/null")) {
		snprintf(why, len, "no " RAMDISK " and brd cannot be loaded "
			 "(modprobe brd rd_size=65536 rd_nr=1 failed)");
		return -1;
	}
	fd = open(RAMDISK, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "open " RAMDISK " with O_DIRECT: %s",
			 strerror(errno));
		return -1;
	}
	if (ioctl(fd, BLKGETSIZE64, &size) || size < 16 * SZ_1M) {
		snprintf(why, len, RAMDISK " is %llu bytes, below 16 MiB",
			 (unsigned long long)size);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * O_DIRECT between a block device and a mapping, on a mapping of 2 MiB
 * entries and on one of 4 KiB entries: reads land in the file, writes
 * take what the mapping holds, across block boundaries.
 */
TEST_F(mem, o_direct_into_and_out_of_a_mapping)
{
	struct memfs *fs = &self->fs;
	static const size_t skews[] = { 0, SZ_4K };
	unsigned char *buf, *p;
	char why[128];
	size_t i, len = 8 * SZ_1M;
	int rd, fd;

	rd = open_ramdisk(why, sizeof(why));
	if (rd < 0)
		SKIP(return, "%s", why);
	buf = aligned_alloc(SZ_4K, 3 * SZ_1M);
	ASSERT_NE(NULL, buf);
	fd = create_sized(fs, "a", len + SZ_4K);
	ASSERT_LE(0, fd);

	for (i = 0; i < 2; i++) {
		struct tnl_faults f0 = faults(fs), d;

		p = map_at(fd, len, 0, SZ_2M, skews[i]);
		ASSERT_NE(MAP_FAILED, p);
		/* Device -> mapping: 3 MiB across the first block boundary. */
		fill(buf, 3 * SZ_1M, BLK - SZ_1M, 1 + i);
		ASSERT_EQ(3 * SZ_1M, pwrite(rd, buf, 3 * SZ_1M, 0));
		ASSERT_EQ(3 * SZ_1M, pread(rd, p + BLK - SZ_1M, 3 * SZ_1M, 0))
			TH_LOG("O_DIRECT read into the mapping: %s",
			       strerror(errno));
		EXPECT_EQ(-1, mismatch(p + BLK - SZ_1M, 3 * SZ_1M, BLK - SZ_1M,
				       1 + i));
		EXPECT_EQ(-1, check_file(fd, BLK - SZ_1M, 3 * SZ_1M, 1 + i));
		/* That did not fault in 4 KiB entries where 2 MiB fit. */
		d = faults_since(&fs->nl, &f0);
		if (!skews[i]) {
			EXPECT_EQ(0, d.pte);
		} else {
			EXPECT_EQ(0, d.pmd);
		}

		/* Mapping -> device: 2 MiB + 8 KiB across two boundaries. */
		fill(p + 2 * BLK - SZ_4K, BLK + 2 * SZ_4K, 2 * BLK - SZ_4K, 3 + i);
		ASSERT_EQ(BLK + 2 * SZ_4K,
			  pwrite(rd, p + 2 * BLK - SZ_4K, BLK + 2 * SZ_4K,
				 4 * SZ_1M))
			TH_LOG("O_DIRECT write from the mapping: %s",
			       strerror(errno));
		memset(buf, 0, 3 * SZ_1M);
		ASSERT_EQ(BLK + 2 * SZ_4K,
			  pread(rd, buf, BLK + 2 * SZ_4K, 4 * SZ_1M));
		EXPECT_EQ(-1, mismatch(buf, BLK + 2 * SZ_4K, 2 * BLK - SZ_4K,
				       3 + i));
		munmap(p, len);
	}
	free(buf);
	close(fd);
	close(rd);
}

/* process_vm_readv/writev on a mapping: by this process and by a child. */
TEST_F(mem, process_vm_readv_writev)
{
	struct memfs *fs = &self->fs;
	size_t len = 8 * SZ_1M, n = SZ_1M + 3 * SZ_4K;
	unsigned char *p, *buf;
	struct iovec local, remote;
	int fd, status;
	pid_t parent = getpid(), pid;

	fd = create_sized(fs, "a", len);
	ASSERT_LE(0, fd);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	buf = malloc(n);
	ASSERT_NE(NULL, buf);
	fill(p, len, 0, 3);

	/* Out of the mapping, across a block boundary. */
	local = (struct iovec){ buf, n };
	remote = (struct iovec){ p + BLK - SZ_4K, n };
	ASSERT_EQ(n, process_vm_readv(parent, &local, 1, &remote, 1, 0));
	EXPECT_EQ(-1, mismatch(buf, n, BLK - SZ_4K, 3));
	/* Into it. */
	fill(buf, n, 2 * BLK + 5, 4);
	remote.iov_base = p + 2 * BLK + 5;
	ASSERT_EQ(n, process_vm_writev(parent, &local, 1, &remote, 1, 0));
	EXPECT_EQ(-1, check_file(fd, 2 * BLK + 5, n, 4));

	/*
	 * A child reads the parent's mapping and writes into it; it also
	 * reads into its own (inherited, shared) mapping from the parent's
	 * buffer.
	 */
	fill(buf, n, 7, 6);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char *mine = malloc(n);
		struct iovec l = { mine, n }, r = { p + SZ_4K, n };

		if (!mine || process_vm_readv(parent, &l, 1, &r, 1, 0) != (ssize_t)n ||
		    mismatch(mine, n, SZ_4K, 3) != -1)
			_exit(1);
		fill(mine, n, BLK + SZ_1M, 5);
		r.iov_base = p + BLK + SZ_1M;
		if (process_vm_writev(parent, &l, 1, &r, 1, 0) != (ssize_t)n)
			_exit(2);
		l = (struct iovec){ p + 5 * SZ_1M, n };
		r = (struct iovec){ buf, n };
		if (process_vm_readv(parent, &l, 1, &r, 1, 0) != (ssize_t)n)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child step %d failed",
						 WEXITSTATUS(status));
	EXPECT_EQ(-1, mismatch(p + BLK + SZ_1M, n, BLK + SZ_1M, 5));
	EXPECT_EQ(-1, check_file(fd, BLK + SZ_1M, n, 5));
	EXPECT_EQ(-1, mismatch(p + 5 * SZ_1M, n, 7, 6));
	free(buf);
	munmap(p, len);
	close(fd);
}

/* vmsplice: mapped pages into a pipe, and from a pipe into a mapping. */
TEST_F(mem, vmsplice_to_and_from_a_pipe)
{
	struct memfs *fs = &self->fs;
	size_t len = 4 * SZ_1M, n = 64 * 1024;
	unsigned char *p, buf[64 * 1024];
	struct iovec iov;
	int fd, pfd[2];

	fd = create_sized(fs, "a", len);
	ASSERT_LE(0, fd);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, len, 0, 7);
	ASSERT_EQ(0, pipe(pfd));

	/* Pages of the mapping go into the pipe by reference. */
	iov = (struct iovec){ p + BLK - n / 2, n };
	ASSERT_EQ(n, vmsplice(pfd[1], &iov, 1, 0)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(n, read(pfd[0], buf, n));
	EXPECT_EQ(-1, mismatch(buf, n, BLK - n / 2, 7));

	/* A reference: what the file gets before the read is what it reads. */
	iov = (struct iovec){ p + 3 * SZ_1M, n };
	ASSERT_EQ(n, vmsplice(pfd[1], &iov, 1, 0));
	ASSERT_EQ(0, write_pattern(fd, 3 * SZ_1M, n, 8));
	ASSERT_EQ(n, read(pfd[0], buf, n));
	EXPECT_EQ(-1, mismatch(buf, n, 3 * SZ_1M, 8));

	/* From the pipe into the mapping. */
	fill(buf, n, SZ_1M + 3, 9);
	ASSERT_EQ(n, write(pfd[1], buf, n));
	iov = (struct iovec){ p + SZ_1M + 3, n };
	ASSERT_EQ(n, vmsplice(pfd[0], &iov, 1, 0));
	EXPECT_EQ(-1, check_file(fd, SZ_1M + 3, n, 9));

	close(pfd[0]);
	close(pfd[1]);
	munmap(p, len);
	close(fd);
}

/*
 * get_unmapped_area: without a hint, a mapping is placed so that address
 * and file offset agree modulo 2 MiB.
 */
TEST_F(mem, mappings_are_placed_for_2m_entries)
{
	struct memfs *fs = &self->fs;
	unsigned char *p;
	int fd, i;

	fd = create_sized(fs, "a", 16 * SZ_1M);
	ASSERT_LE(0, fd);
	for (i = 0; i < 4; i++) {
		p = mmap(NULL, 8 * SZ_1M, PROT_READ, MAP_SHARED, fd, i * SZ_4K);
		ASSERT_NE(MAP_FAILED, p);
		EXPECT_EQ(i * SZ_4K, (uintptr_t)p & (SZ_2M - 1))
			TH_LOG("offset %lu mapped at %p", i * SZ_4K, p);
		munmap(p, 8 * SZ_1M);
	}
	/* Below 2 MiB there is nothing to align. */
	p = mmap(NULL, SZ_1M, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, SZ_1M);
	close(fd);
}

/*
 * A 64 MiB file mapped at a 2 MiB-aligned address: one 2 MiB fault per
 * block, no 4 KiB fault, and none at all when every page is touched
 * afterwards.
 */
TEST_F(mem, aligned_mapping_takes_2m_entries)
{
	struct memfs *fs = &self->fs;
	size_t len = 64 * SZ_1M, off;
	struct tnl_faults f0, d;
	unsigned char *p;
	int fd;

	fd = create_sized(fs, "a", len);
	ASSERT_LE(0, fd);
	p = map_at(fd, len, 0, SZ_2M, 0);
	ASSERT_NE(MAP_FAILED, p);

	f0 = faults(fs);
	touch_every(p, len, SZ_2M, 0, 10);
	d = faults_since(&fs->nl, &f0);
	EXPECT_EQ(32, d.pmd);
	EXPECT_EQ(0, d.pte);
	EXPECT_EQ(0, d.pud);

	f0 = faults(fs);
	touch_every(p, len, SZ_4K, 0, 10);
	d = faults_since(&fs->nl, &f0);
	EXPECT_EQ(0, d.pmd + d.pte + d.pud) TH_LOG("all mapped already");
	for (off = 0; off < len; off += SZ_1M + SZ_4K)
		EXPECT_EQ(pat(off, 10), byte_at(fd, off));
	munmap(p, len);
	close(fd);
}

/*
 * Where address and file offset disagree modulo 2 MiB, every entry is
 * 4 KiB: at an address 4 KiB past a 2 MiB boundary, and for a file offset
 * of 4 KiB at a 2 MiB-aligned address.
 */
TEST_F(mem, misaligned_mapping_takes_4k_entries)
{
	struct memfs *fs = &self->fs;
	size_t len = 8 * SZ_1M;
	struct tnl_faults f0, d;
	unsigned char *p;
	int fd;

	fd = create_sized(fs, "a", 2 * len);
	ASSERT_LE(0, fd);

	p = map_at(fd, len, 0, SZ_2M, SZ_4K);
	ASSERT_NE(MAP_FAILED, p);
	f0 = faults(fs);
	touch_every(p, len, SZ_4K, 0, 11);
	d = faults_since(&fs->nl, &f0);
	EXPECT_EQ(len / SZ_4K, d.pte);
	EXPECT_EQ(0, d.pmd);
	EXPECT_EQ(0, d.pud);
	munmap(p, len);

	p = map_at(fd, len, SZ_4K, SZ_2M, 0);
	ASSERT_NE(MAP_FAILED, p);
	f0 = faults(fs);
	touch_every(p, len, SZ_4K, SZ_4K, 12);
	d = faults_since(&fs->nl, &f0);
	EXPECT_EQ(len / SZ_4K, d.pte);
	EXPECT_EQ(0, d.pmd);
	munmap(p, len);

	/* What went through both is in the file. */
	EXPECT_EQ(pat(0, 11), byte_at(fd, 0));
	EXPECT_EQ(pat(SZ_4K, 12), byte_at(fd, SZ_4K));
	EXPECT_EQ(pat(len, 12), byte_at(fd, len));
	EXPECT_EQ(0, byte_at(fd, len + SZ_4K));
	close(fd);
}

/*
 * MADV_POPULATE_WRITE and VMPKRAM_IOC_PREFAULT populate a mapping through
 * get_user_pages(): 2 MiB entries, and the file contents untouched.
 */
TEST_F(mem, populate_with_madvise_and_prefault)
{
	struct memfs *fs = &self->fs;
	size_t len = 32 * SZ_1M;
	struct vmpkram_prefault req = { .size = sizeof(req) };
	struct tnl_faults f0, d;
	unsigned char *p;
	int fd, dev;

	fd = create_sized(fs, "a", len);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_pattern(fd, 0, len, 13));

	p = map_at(fd, len, 0, SZ_2M, 0);
	ASSERT_NE(MAP_FAILED, p);
	f0 = faults(fs);
	ASSERT_EQ(0, ERR(madvise(p, len, MADV_POPULATE_WRITE)));
	d = faults_since(&fs->nl, &f0);
	EXPECT_EQ(len / SZ_2M, d.pmd);
	EXPECT_EQ(0, d.pte);
	EXPECT_EQ(-1, mismatch(p, len, 0, 13));
	munmap(p, len);

	dev = open("/dev/vmpkram", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	p = map_at(fd, len, 0, SZ_2M, 0);
	ASSERT_NE(MAP_FAILED, p);
	req.addr = (uintptr_t)p;
	req.len = len;
	req.threads = 1;
	f0 = faults(fs);
	ASSERT_EQ(0, ERR(ioctl(dev, VMPKRAM_IOC_PREFAULT, &req)));
	d = faults_since(&fs->nl, &f0);
	EXPECT_EQ(len, req.done);
	EXPECT_EQ(len / SZ_2M, d.pmd);
	EXPECT_EQ(0, d.pte);
	f0 = faults(fs);
	EXPECT_EQ(-1, mismatch(p, len, 0, 13));
	d = faults_since(&fs->nl, &f0);
	EXPECT_EQ(0, d.pmd + d.pte) TH_LOG("populated already");
	munmap(p, len);

	/* Several workers: still no 4 KiB entry. */
	p = map_at(fd, len, 0, SZ_2M, 0);
	ASSERT_NE(MAP_FAILED, p);
	req.addr = (uintptr_t)p;
	req.threads = 0;
	f0 = faults(fs);
	ASSERT_EQ(0, ERR(ioctl(dev, VMPKRAM_IOC_PREFAULT, &req)));
	d = faults_since(&fs->nl, &f0);
	EXPECT_LE(len / SZ_2M, d.pmd);
	EXPECT_EQ(0, d.pte);
	munmap(p, len);
	close(dev);
	close(fd);
}

/*
 * FOLL_LONGTERM pins (here io_uring fixed buffers) are refused by the
 * kernel on file-system DAX mappings: EOPNOTSUPP.
 */
TEST_F(mem, longterm_pin_is_refused)
{
	struct memfs *fs = &self->fs;
	struct io_uring_params params;
	size_t len = 4 * SZ_1M;
	struct iovec iov;
	unsigned char *p;
	void *anon;
	int ring, fd, ret;

	memset(&params, 0, sizeof(params));
	ring = syscall(__NR_io_uring_setup, 4, &params);
	if (ring < 0)
		SKIP(return, "io_uring_setup: %s", strerror(errno));
	anon = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	iov = (struct iovec){ anon, SZ_1M };
	ret = syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS,
		      &iov, 1);
	if (ret) {
		close(ring);
		SKIP(return, "io_uring fixed buffers of anonymous memory: %s",
		     strerror(errno));
	}
	ASSERT_EQ(0, syscall(__NR_io_uring_register, ring,
			     IORING_UNREGISTER_BUFFERS, NULL, 0));

	fd = create_sized(fs, "a", len);
	ASSERT_LE(0, fd);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	iov = (struct iovec){ p, SZ_1M };
	ret = syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS,
		      &iov, 1);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EOPNOTSUPP, errno);
	if (!ret)
		syscall(__NR_io_uring_register, ring, IORING_UNREGISTER_BUFFERS,
			NULL, 0);
	close(ring);
	munmap(anon, len);
	munmap(p, len);
	close(fd);
}

/* Contents survive munmap and mmap, and umount and mount. */
TEST_F(mem, contents_survive_remapping)
{
	struct memfs *fs = &self->fs;
	size_t len = 16 * SZ_1M;
	unsigned char *p;
	int fd;

	fd = create_sized(fs, "a", len);
	ASSERT_LE(0, fd);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, len, 0, 14);
	munmap(p, len);

	p = map_at(fd, len, 0, SZ_2M, SZ_4K);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mismatch(p, len, 0, 14)) TH_LOG("in 4 KiB entries");
	munmap(p, len);
	close(fd);

	ASSERT_EQ(0, fs_umount(fs));
	ASSERT_EQ(0, fs_mount(fs));
	fd = openat(fs->dfd, "a", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mismatch(p, len, 0, 14)) TH_LOG("after remount");
	munmap(p, len);
	close(fd);
}

/*
 * The documented errors: MAP_PRIVATE is EINVAL (also for sizes that would
 * take 2 MiB entries), and a mapping cannot grow with mremap (EFAULT).
 */
TEST_F(mem, unsupported_mappings)
{
	struct memfs *fs = &self->fs;
	size_t len = 8 * SZ_1M;
	void *p, *q;
	int fd;

	fd = create_sized(fs, "a", 2 * len);
	ASSERT_LE(0, fd);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, len, 2 * len, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EFAULT, errno);
	/* Shrinking is fine. */
	q = mremap(p, len, len / 2, 0);
	EXPECT_EQ(p, q);
	munmap(p, len / 2);
	close(fd);
}

/*
 * Shrinking a mapped file unmaps the cut part of 2 MiB entries: SIGBUS
 * beyond the new end, the rest intact (in 4 KiB entries where a 2 MiB one
 * would cross the end); growing again reads zeros.
 */
TEST_F(mem, truncate_of_a_huge_mapping)
{
	struct memfs *fs = &self->fs;
	size_t len = 8 * SZ_1M, cut = 3 * SZ_1M;
	struct tnl_faults f0, d;
	unsigned char *p;
	int fd;

	fd = create_sized(fs, "a", len);
	ASSERT_LE(0, fd);
	p = map_at(fd, len, 0, SZ_2M, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, len, 0, 15);
	ASSERT_EQ(0, ftruncate(fd, cut));

	f0 = faults(fs);
	EXPECT_EQ(-1, mismatch(p, cut, 0, 15));
	d = faults_since(&fs->nl, &f0);
	EXPECT_EQ(0, d.pud);
	EXPECT_EQ(0, d.pmd) TH_LOG("the first block stays mapped");
	EXPECT_EQ((cut - BLK) / SZ_4K, d.pte) TH_LOG("the block holding EOF");

	EXPECT_EQ(SIGBUS, touch_in_child(p + cut, false));
	EXPECT_EQ(SIGBUS, touch_in_child(p + 5 * SZ_1M, true));
	EXPECT_EQ(SIGBUS, touch_in_child(p + len - 1, false));

	ASSERT_EQ(0, ftruncate(fd, len));
	EXPECT_EQ(-1, nonzero(p + cut, len - cut)) TH_LOG("old bytes back");
	EXPECT_EQ(-1, mismatch(p, cut, 0, 15));
	munmap(p, len);
	close(fd);
}

/* Read a pipe until @n bytes came: 0 or an errno. */
static int read_pipe(int fd, unsigned char *buf, size_t n)
{
	ssize_t r;

	while (n) {
		r = read(fd, buf, n);
		if (r <= 0)
			return r < 0 ? errno : EIO;
		buf += r;
		n -= r;
	}
	return 0;
}

/*
 * Pages pinned in a pipe (vmsplice) outlive their file: the pinned block
 * of a deleted file is not scrubbed and not handed to a new file until
 * the pipe lets go, while everything else is; an allocation that needs it
 * fails with ENOSPC after a short wait, and gets it, zeroed, once it is
 * released.  A pool with pinned pages
 * cannot be detached (EAGAIN), also when the file still exists; it can
 * once the pipes are closed, and attaches again with its files.
 */
TEST_F_TIMEOUT(mem, pinned_pages_delay_reuse_and_detach, 240)
{
	struct memfs *fs = &self->fs;
	size_t n = 64 * 1024;
	unsigned char *p, *q, buf[64 * 1024];
	struct tnl_file victim, fill_ext;
	struct tnl_pool pool;
	struct iovec iov;
	char msg[256];
	int fd, keep, filler, pa[2], pb[2], res[2], i, status, got;
	long avail;
	pid_t pid;

	/* A live file with a page in pipe B. */
	keep = create_sized(fs, "keeper", BLK);
	ASSERT_LE(0, keep);
	ASSERT_EQ(0, write_pattern(keep, 0, BLK, 16));
	q = mmap(NULL, BLK, PROT_READ, MAP_SHARED, keep, 0);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(0, pipe(pb));
	iov = (struct iovec){ q + SZ_1M, 4 * SZ_4K };
	ASSERT_EQ(4 * SZ_4K, vmsplice(pb[1], &iov, 1, 0));
	munmap(q, BLK);
	close(keep);

	/* A file of two blocks whose first block is in pipe A, deleted. */
	fd = create_sized(fs, "victim", 2 * BLK);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 2 * BLK, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, 2 * BLK, 0, 17);
	ASSERT_EQ(0, file_extents(&fs->nl, POOL, "victim", &victim));
	ASSERT_LT(0, victim.nr_extents);
	ASSERT_EQ(0, pipe(pa));
	iov = (struct iovec){ p + SZ_4K, n };
	ASSERT_EQ(n, vmsplice(pa[1], &iov, 1, 0));
	munmap(p, 2 * BLK);
	close(fd);
	ASSERT_EQ(0, ERR(unlinkat(fs->dfd, "victim", 0)));

	/* The unpinned block is scrubbed; the pinned one stays pending. */
	EXPECT_EQ(BLK, wait_scrub(&fs->nl, POOL, BLK, 60));
	sleep(2);	/* the scrubber looks again every second */
	ASSERT_EQ(0, tnl_pool_get(&fs->nl, POOL, &pool));
	EXPECT_EQ(BLK, pool.scrub_pending) TH_LOG("pinned block scrubbed");

	/* Every other free block goes to a new file: zeros, not the victim's. */
	{
		struct statfs s;

		ASSERT_EQ(0, fstatfs(fs->dfd, &s));
		avail = s.f_bfree;
	}
	ASSERT_LT(2, avail);
	filler = create_sized(fs, "filler", (off_t)(avail - 1) * BLK);
	ASSERT_LE(0, filler) TH_LOG("%s", strerror(errno));
	q = mmap(NULL, (avail - 1) * BLK, PROT_READ, MAP_SHARED, filler, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(-1, nonzero(q, (avail - 1) * BLK)) TH_LOG("old bytes leaked");
	munmap(q, (avail - 1) * BLK);
	ASSERT_EQ(0, file_extents(&fs->nl, POOL, "filler", &fill_ext));
	for (i = 0; i < fill_ext.nr_extents; i++)
		EXPECT_FALSE(overlaps(fill_ext.ext[i].phys, fill_ext.ext[i].len,
				      victim.ext[0].phys, BLK))
			TH_LOG("the pinned block went to a new file");

	/*
	 * Growing by the last block needs the pinned one: ENOSPC after a
	 * short wait.  In a child that reports its errno through a pipe, so
	 * that an allocation that hangs shows as a timeout here.
	 */
	ASSERT_EQ(0, pipe(res));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int err = ERR(ftruncate(filler, (off_t)avail * BLK));

		if (write(res[1], &err, sizeof(err)) != sizeof(err))
			_exit(1);
		_exit(0);
	}
	close(res[1]);
	{
		struct pollfd pfd = { .fd = res[0], .events = POLLIN };

		got = poll(&pfd, 1, 20000);
	}
	EXPECT_EQ(1, got) TH_LOG("growing into the pinned block hangs");
	if (got == 1) {
		ASSERT_EQ(sizeof(status), read(res[0], &status, sizeof(status)));
		EXPECT_EQ(ENOSPC, status) TH_LOG("%s", strerror(status));
	} else {
		kill(pid, SIGKILL);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(res[0]);

	/* The pinned data is still in the pipe, whole. */
	ASSERT_EQ(0, read_pipe(pa[0], buf, n));
	EXPECT_EQ(-1, mismatch(buf, n, SZ_4K, 17));
	close(pa[0]);
	close(pa[1]);

	/* Released: the block can be had now, zeroed. */
	ASSERT_EQ(0, ERR(ftruncate(filler, (off_t)avail * BLK)));
	q = mmap(NULL, BLK, PROT_READ, MAP_SHARED, filler,
		 (off_t)(avail - 1) * BLK);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(-1, nonzero(q, BLK)) TH_LOG("the pinned bytes leaked");
	munmap(q, BLK);
	close(filler);
	ASSERT_EQ(0, ERR(unlinkat(fs->dfd, "filler", 0)));

	/* Unmounted, with a page of "keeper" in pipe B: EAGAIN. */
	ASSERT_EQ(0, fs_umount(fs));
	EXPECT_EQ(EAGAIN, pool_cmd_msg(&fs->nl, VMPKRAM_CMD_POOL_DETACH, POOL,
				       msg, sizeof(msg)));
	EXPECT_NE(NULL, strstr(msg, "pinned")) TH_LOG("message: %s", msg);
	ASSERT_EQ(0, tnl_pool_get(&fs->nl, POOL, &pool));
	EXPECT_EQ(VMPKRAM_POOL_READY, pool.state);

	ASSERT_EQ(0, read_pipe(pb[0], buf, 4 * SZ_4K));
	EXPECT_EQ(-1, mismatch(buf, 4 * SZ_4K, SZ_1M, 16));
	close(pb[0]);
	close(pb[1]);
	EXPECT_EQ(0, pool_cmd_msg(&fs->nl, VMPKRAM_CMD_POOL_DETACH, POOL,
				  msg, sizeof(msg))) TH_LOG("message: %s", msg);
	EXPECT_EQ(ENODEV, tnl_pool_get(&fs->nl, POOL, NULL));

	/* Attached again: clean, with "keeper" intact. */
	ASSERT_EQ(0, pool_attach(&fs->nl, POOL, fs->pool.base,
				 fs->pool.size));
	ASSERT_EQ(0, tnl_pool_get(&fs->nl, POOL, &pool));
	EXPECT_EQ(VMPKRAM_POOL_READY, pool.state);
	EXPECT_EQ(1, pool.clean);
	EXPECT_EQ(1, pool.nr_files);
	ASSERT_EQ(0, fs_mount(fs));
	keep = openat(fs->dfd, "keeper", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, keep);
	EXPECT_EQ(-1, check_file(keep, 0, BLK, 16));
	close(keep);
}

/* ---- fixture "huge": pool "big", 1 GiB entries ---- */

#define BIG		"big"
#define NO_BIG_HINT	"no pool \"big\": run in the VM suite \"pool-huge\" " \
			"(memmap=2G$0x40000000 vmpkram.pool=big:2G@0x40000000)"

FIXTURE(huge) {
	struct memfs fs;
};

FIXTURE_SETUP(huge)
{
	pool_setup(_metadata, &self->fs, BIG, NO_BIG_HINT);
	/* Format leaves the whole pool to scrub: let it finish. */
	ASSERT_EQ(0, wait_scrub(&self->fs.nl, BIG, 0, 240))
		TH_LOG("pool " BIG " still scrubbing");
}

FIXTURE_TEARDOWN(huge)
{
	pool_teardown(&self->fs);
}

/*
 * A 1 GiB file of a scrubbed pool is one extent at a 1 GiB-aligned
 * address; mapped (at the 1 GiB-aligned address get_unmapped_area picks)
 * it takes one 1 GiB fault and no other.  At an address that is only
 * 2 MiB aligned it takes 512 2 MiB entries of the same 1 GiB compound
 * page.  mmap(MAP_POPULATE) and VMPKRAM_IOC_PREFAULT (its workers in
 * parallel) install it as one 1 GiB entry.  get_user_pages() through the
 * 1 GiB entry (process_vm_readv and
 * writev: the slow path, which takes the references for all the pages of
 * an entry at once, across two 2 MiB pages and across 256 MiB) gives back
 * every reference: the deleted file is scrubbed whole and the unmounted
 * pool detaches.  Where the kernel takes no 1 GiB entries (no
 * VMPKRAM_FEATURE_MAP_1G: 6.1), each 1 GiB fault is 512 of 2 MiB.
 */
TEST_F_TIMEOUT(huge, one_gib_file_in_one_run_takes_huge_entries, 300)
{
	struct memfs *fs = &self->fs;
	struct tnl_faults f0, d;
	struct tnl_file f;
	struct vmpkram_prefault req = { .size = sizeof(req) };
	unsigned char *p, *big, buf[8192];
	struct iovec local, remote;
	const bool pud = module_maps_1g();
	char msg[256];
	int fd, dev, ret;

	fd = openat(fs->dfd, "g", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, SZ_1G));
	ASSERT_EQ(0, file_extents(&fs->nl, BIG, "g", &f));
	ASSERT_EQ(1, f.nr_extents) TH_LOG("first extents: %llu bytes at %#llx",
					  f.ext[0].len, f.ext[0].phys);
	EXPECT_EQ(SZ_1G, f.ext[0].len);
	EXPECT_EQ(0, f.ext[0].phys & (SZ_1G - 1)) TH_LOG("at %#llx",
							 f.ext[0].phys);

	p = mmap(NULL, SZ_1G, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, (uintptr_t)p & (SZ_1G - 1)) TH_LOG("mapped at %p", p);
	f0 = faults(fs);
	touch_every(p, SZ_1G, SZ_2M, 0, 18);
	d = faults_since(&fs->nl, &f0);
	TH_LOG("1 GiB file: %llu faults of 1 GiB, %llu of 2 MiB, %llu of 4 KiB",
	       d.pud, d.pmd, d.pte);
	EXPECT_EQ(pud, d.pud);
	EXPECT_EQ(pud ? 0 : 512, d.pmd);
	EXPECT_EQ(0, d.pte);

	/* get_user_pages() across two 2 MiB pages, both ways. */
	local = (struct iovec){ buf, sizeof(buf) };
	remote = (struct iovec){ p + 512 * SZ_1M - SZ_4K, sizeof(buf) };
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(sizeof(buf), process_vm_readv(getpid(), &local, 1, &remote,
						 1, 0));
	EXPECT_EQ(pat(512 * SZ_1M, 18), buf[SZ_4K]);
	fill(buf, sizeof(buf), 700 * SZ_1M, 19);
	remote.iov_base = p + 700 * SZ_1M;
	ASSERT_EQ(sizeof(buf), process_vm_writev(getpid(), &local, 1, &remote,
						  1, 0));
	EXPECT_EQ(-1, check_file(fd, 700 * SZ_1M, sizeof(buf), 19));
	/* One call across the whole GiB: many pages of one entry. */
	big = malloc(SZ_1G / 4);
	ASSERT_NE(NULL, big);
	local = (struct iovec){ big, SZ_1G / 4 };
	remote = (struct iovec){ p + SZ_1G / 2, SZ_1G / 4 };
	ASSERT_EQ(SZ_1G / 4, process_vm_readv(getpid(), &local, 1, &remote,
					       1, 0));
	EXPECT_EQ(pat(SZ_1G / 2 + SZ_2M, 18), big[SZ_2M]);
	free(big);
	munmap(p, SZ_1G);

	/* Populated at mmap, and by PREFAULT's workers: a GiB at a time. */
	f0 = faults(fs);
	p = mmap(NULL, SZ_1G, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	d = faults_since(&fs->nl, &f0);
	EXPECT_EQ(pud, d.pud);
	EXPECT_EQ(pud ? 0 : 512, d.pmd + d.pte);
	munmap(p, SZ_1G);
	dev = open("/dev/vmpkram", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	p = mmap(NULL, SZ_1G, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	req.addr = (uintptr_t)p;
	req.len = SZ_1G;
	req.threads = 0;
	f0 = faults(fs);
	ASSERT_EQ(0, ERR(ioctl(dev, VMPKRAM_IOC_PREFAULT, &req)));
	d = faults_since(&fs->nl, &f0);
	EXPECT_EQ(SZ_1G, req.done);
	EXPECT_LE(pud, d.pud) TH_LOG("%u threads", req.threads);
	EXPECT_EQ(pud ? 0 : 512, d.pmd + d.pte);
	munmap(p, SZ_1G);
	close(dev);

	/* Only 2 MiB aligned: 512 entries of 2 MiB, none of 1 GiB. */
	p = map_at(fd, SZ_1G, 0, SZ_1G, SZ_2M);
	ASSERT_NE(MAP_FAILED, p);
	f0 = faults(fs);
	touch_every(p, SZ_1G, SZ_2M, 0, 20);
	d = faults_since(&fs->nl, &f0);
	EXPECT_EQ(0, d.pud);
	EXPECT_EQ(512, d.pmd);
	EXPECT_EQ(0, d.pte);
	munmap(p, SZ_1G);
	EXPECT_EQ(pat(SZ_1G - SZ_2M, 20), byte_at(fd, SZ_1G - SZ_2M));
	close(fd);

	/*
	 * get_user_pages() gave back every reference it took: deleted, the
	 * file's blocks are all scrubbed (a block still referenced would
	 * be skipped), and the unmounted pool detaches.
	 */
	ASSERT_EQ(0, ERR(unlinkat(fs->dfd, "g", 0)));
	EXPECT_EQ(0, wait_scrub(&fs->nl, BIG, 0, 60))
		TH_LOG("a block stays referenced after get_user_pages()");
	ASSERT_EQ(0, fs_umount(fs));
	ret = pool_cmd_msg(&fs->nl, VMPKRAM_CMD_POOL_DETACH, BIG, msg,
			   sizeof(msg));
	EXPECT_EQ(0, ret) TH_LOG("detach: %s", msg);
	if (!ret)
		ASSERT_EQ(0, pool_attach(&fs->nl, BIG, fs->pool.base,
					 fs->pool.size));
}

/* ---- fixture "poison": pool "small" ---- */

#define SMALL		"small"
#define NO_SMALL_HINT	"no pool \"small\": run in the VM suite \"pool\" " \
			"(memmap=64M$0x60000000 vmpkram.pool=small:64M@0x60000000)"

FIXTURE(poison) {
	struct memfs fs;
};

FIXTURE_SETUP(poison)
{
	pool_setup(_metadata, &self->fs, SMALL, NO_SMALL_HINT);
}

FIXTURE_TEARDOWN(poison)
{
	pool_teardown(&self->fs);
}

static sigjmp_buf sigbus_jmp;
static volatile siginfo_t sigbus_info;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sigbus_info.si_code = si->si_code;
	sigbus_info.si_addr = si->si_addr;
	sigbus_info.si_addr_lsb = si->si_addr_lsb;
	siglongjmp(sigbus_jmp, 1);
}

/*
 * Reads *@p, catching SIGBUS: 0 when the read went through, else 1 with
 * the signal's code, address and address granularity (log2) in @info.
 */
static int read_catching_sigbus(volatile unsigned char *p, siginfo_t *info)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO }, old;
	int hit = 0;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1))
		hit = 1;
	else
		(void)*p;
	sigaction(SIGBUS, &old, NULL);
	if (hit) {
		info->si_code = sigbus_info.si_code;
		info->si_addr = sigbus_info.si_addr;
		info->si_addr_lsb = sigbus_info.si_addr_lsb;
	}
	return hit;
}

/*
 * A memory failure in a file's page (MADV_HWPOISON goes through the same
 * memory_failure() as a machine check): the page gives SIGBUS
 * (BUS_MCEERR_AR, its address, 4 KiB granularity) and EIO to read() and
 * write(); the rest of its 2 MiB block and of the file still reads right;
 * the file is marked poisoned; once freed, the block is withdrawn for good
 * (POOL_BAD, never free, never in a new file), also across detach and
 * attach, which read it back from the block map.
 */
TEST_F_TIMEOUT(poison, poisoned_page_is_withdrawn, 120)
{
	const size_t len = 2 * BLK, off = BLK + 5 * 4096;
	struct memfs *fs = &self->fs;
	struct tnl_file f, all;
	struct tnl_pool pool;
	unsigned char *p, buf[8192];
	siginfo_t si;
	loff_t in_off, out_off;
	__u64 bad_phys;
	int fd, e, out;

	fd = create_sized(fs, "victim", len);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_pattern(fd, 0, len, 7));
	p = map_at(fd, len, 0, BLK, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(pat(off, 7), p[off]);		/* mapped before the failure */
	ASSERT_EQ(0, file_extents(&fs->nl, SMALL, "victim", &f));
	ASSERT_EQ(1, f.nr_extents) TH_LOG("a 4 MiB file of an empty pool");
	bad_phys = f.ext[0].phys + BLK;

	if (madvise(p + off, 4096, MADV_HWPOISON)) {
		e = errno;
		munmap(p, len);
		close(fd);
		if (e == EINVAL || e == ENOSYS)
			SKIP(return, "MADV_HWPOISON: %s (no CONFIG_MEMORY_FAILURE)",
			     strerror(e));
		ASSERT_EQ(0, e);
	}

	/* The page itself: SIGBUS as a machine check would give it. */
	ASSERT_EQ(1, read_catching_sigbus(p + off, &si));
	EXPECT_EQ(BUS_MCEERR_AR, si.si_code);
	EXPECT_EQ((void *)(p + off), si.si_addr);
	EXPECT_EQ(12, si.si_addr_lsb);
	/* Its neighbours, in the same block and in the other one. */
	EXPECT_EQ(0, read_catching_sigbus(p + off + 4096, &si));
	EXPECT_EQ(pat(off + 4096, 7), p[off + 4096]);
	EXPECT_EQ(pat(off - 1, 7), p[off - 1]);
	EXPECT_EQ(pat(BLK, 7), p[BLK]);
	EXPECT_EQ(pat(0, 7), p[0]);
	EXPECT_EQ(-1, check_file(fd, 0, BLK, 7)) TH_LOG("first block");

	/* read() and write() stop before the page, and fail on it. */
	EXPECT_EQ(4096, pread(fd, buf, sizeof(buf), off - 4096));
	EXPECT_EQ(-1, pread(fd, buf, 4096, off));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, pwrite(fd, buf, 4096, off));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(4096, pread(fd, buf, 4096, off + 4096));

	/* So do the copies through a pipe, which read the same way. */
	out = openat(fs->dfd, "copy", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	ASSERT_LE(0, out);
	in_off = off - 4096;
	out_off = 0;
	EXPECT_EQ(4096, copy_file_range(fd, &in_off, out, &out_off, 8192, 0));
	EXPECT_EQ(-1, copy_file_range(fd, &in_off, out, &out_off, 4096, 0));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, sendfile(out, fd, &in_off, 4096));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(4096, pread(out, buf, sizeof(buf), 0));
	EXPECT_EQ(-1, mismatch(buf, 4096, off - 4096, 7)) TH_LOG("what was copied");
	close(out);
	ASSERT_EQ(0, unlinkat(fs->dfd, "copy", 0));

	/*
	 * A shrink into the poisoned page and a regrow zero around it and
	 * leave it alone: it still fails, its neighbours read zero.
	 */
	ASSERT_EQ(0, ftruncate(fd, off - 100));
	ASSERT_EQ(0, ftruncate(fd, len));
	EXPECT_EQ(-1, check_file(fd, off - 100, 100, 0));
	EXPECT_EQ(-1, pread(fd, buf, 4096, off));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, check_file(fd, off + 4096, 4096, 0));
	EXPECT_EQ(-1, check_file(fd, 0, off - 100, 7));

	ASSERT_EQ(0, file_extents(&fs->nl, SMALL, "victim", &f));
	EXPECT_TRUE(f.flags & VMPKRAM_FILE_F_POISONED);
	ASSERT_EQ(0, tnl_pool_get(&fs->nl, SMALL, &pool));
	EXPECT_EQ(0, pool.bad) TH_LOG("the block is still the file's");

	/* Freed: the bad block is withdrawn, the good one comes back. */
	ASSERT_EQ(0, munmap(p, len));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, unlinkat(fs->dfd, "victim", 0));
	ASSERT_EQ(0, wait_scrub(&fs->nl, SMALL, 0, 60));
	ASSERT_EQ(0, tnl_pool_get(&fs->nl, SMALL, &pool));
	EXPECT_EQ(BLK, pool.bad);
	EXPECT_EQ(BLK, pool.used);
	EXPECT_EQ(pool.data_size - BLK, pool.free);

	/* A file of all the free space gets every block but that one. */
	fd = create_sized(fs, "all", pool.free);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, file_extents(&fs->nl, SMALL, "all", &all));
	for (e = 0; e < all.nr_extents; e++)
		EXPECT_FALSE(overlaps(all.ext[e].phys, all.ext[e].len,
				      bad_phys, BLK));
	EXPECT_EQ(-1, check_file(fd, 0, pool.free, 0)) TH_LOG("not zero");
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, unlinkat(fs->dfd, "all", 0));

	/* The block map keeps it withdrawn for the next owner. */
	ASSERT_EQ(0, fs_umount(fs));
	ASSERT_EQ(0, tnl_pool_cmd(&fs->nl, VMPKRAM_CMD_POOL_DETACH, SMALL, NULL));
	ASSERT_EQ(0, pool_attach(&fs->nl, SMALL, pool.base, pool.size));
	ASSERT_EQ(0, tnl_pool_get(&fs->nl, SMALL, &pool));
	EXPECT_EQ(VMPKRAM_POOL_READY, pool.state);
	EXPECT_EQ(BLK, pool.bad);
	ASSERT_EQ(0, fs_mount(fs));
}

/* ---- fixture "map": every entry size x every change of a mapping ---- */

/*
 * A file mapped with entries of one size (variant 4k: 4 KiB entries, the
 * mapping 4 KiB off 2 MiB alignment; 2m: 2 MiB entries; 1g: 1 GiB
 * entries where the kernel can take them, see VMPKRAM_FEATURE_MAP_1G,
 * else 2 MiB), then one operation that changes the mapping or the file
 * under it.  Each test checks a stamp every @step bytes through the
 * mapping and through pread(), that no signal comes where none is due
 * (and the due ones do), and that the kernel logged nothing the VM
 * harness fails on (WARNING, bad pud, ...) while it ran.
 *
 * Variants 4k and 2m use pool "test" (suite "pool": -v 4k -v 2m), 1g pool
 * "big" (suite "pool-huge": -v 1g).  The memory-failure test is the last
 * of each variant: the block it poisons stays withdrawn.
 */
FIXTURE(map) {
	struct memfs fs;
	int fd, kmsg;
	unsigned char *p;	/* the mapping of len bytes, or MAP_FAILED */
	size_t len, step;
	uint64_t *want;		/* the stamp at each step, 0 for zeroes */
	struct tnl_faults populate;	/* the faults that stamped it first */
	bool pud;		/* the module maps 1 GiB entries */
	bool pmd_walk;		/* madvise leaves 2 MiB entries alone */
};

FIXTURE_VARIANT(map) {
	const char *pool, *hint;
	size_t entry;	/* the entry size the mapping can take */
	size_t len;	/* of the file and the mapping */
	size_t step;	/* between stamps */
};

FIXTURE_VARIANT_ADD(map, 4k) {
	.pool = POOL, .hint = NO_POOL_HINT,
	.entry = SZ_4K, .len = 8 * SZ_1M, .step = SZ_4K,
};

FIXTURE_VARIANT_ADD(map, 2m) {
	.pool = POOL, .hint = NO_POOL_HINT,
	.entry = SZ_2M, .len = 8 * SZ_1M, .step = SZ_4K,
};

FIXTURE_VARIANT_ADD(map, 1g) {
	.pool = BIG, .hint = NO_BIG_HINT,
	.entry = SZ_1G, .len = SZ_1G, .step = 256 * 1024,
};

#define GONE	(~0ULL)		/* want[]: not to be checked (poisoned) */

static uint64_t stamp(uint64_t off, unsigned int gen)
{
	return (off + 1) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)gen << 48;
}

static sigjmp_buf access_jmp;
static volatile int access_sig;

static void on_access_signal(int sig)
{
	access_sig = sig;
	siglongjmp(access_jmp, 1);
}

/*
 * Loads (or, with @store, stores *@v to) the u64 at @p, catching SIGSEGV
 * and SIGBUS: the signal, or 0.
 */
static int access_u64(volatile uint64_t *p, uint64_t *v, bool store)
{
	struct sigaction sa = { .sa_handler = on_access_signal }, segv, bus;

	access_sig = 0;
	sigaction(SIGSEGV, &sa, &segv);
	sigaction(SIGBUS, &sa, &bus);
	if (!sigsetjmp(access_jmp, 1)) {
		if (store)
			*p = *v;
		else
			*v = *p;
	}
	sigaction(SIGSEGV, &segv, NULL);
	sigaction(SIGBUS, &bus, NULL);
	return access_sig;
}

/* /dev/kmsg from its end on, or -1 (then nothing is checked). */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Logs @marker (vt_kmsg_mark()), or says why it could not. */
static void kmsg_mark(const char *marker)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (!vt_kmsg_mark(fd, marker))
			perror("/dev/kmsg");
		close(fd);
	}
}

/*
 * madvise(@advice) of [@p, @p + @len), between the markers when the
 * kernel may log "bad pmd" for it (MADV_COLD, MADV_PAGEOUT without
 * @pmd_walk): where it has VMPKRAM_FEATURE_PMD_WALK, a bad pmd fails.
 */
static int advise(void *p, size_t len, int advice, bool pmd_walk)
{
	bool mark = !pmd_walk &&
		    (advice == MADV_COLD || advice == MADV_PAGEOUT);
	int ret, e;

	if (mark)
		kmsg_mark(VT_EXPECT_PMD_BEGIN);
	ret = madvise(p, len, advice);
	e = errno;
	if (mark)
		kmsg_mark(VT_EXPECT_PMD_END);
	errno = e;
	return ret;
}

/*
 * The first kernel log line since kmsg_open() that the VM harness fails
 * on, or that says a page table entry was taken for a bad one and cleared
 * (bad pmd too, but between the markers of advise()), copied to @line:
 * true when there is one.
 */
static bool kmsg_bad(int fd, char *line, size_t len)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "Call Trace", "bad pud", "bad pmd",
		"Bad rss-counter", "general protection fault",
	};
	char rec[2048], *msg;
	unsigned int i, expected = 0;	/* begin markers not ended */
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten meanwhile */
		if (n <= 0)
			return false;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		if (strstr(msg, VT_EXPECT_PMD_BEGIN)) {
			expected++;
			continue;
		}
		if (strstr(msg, VT_EXPECT_PMD_END)) {
			expected -= !!expected;
			continue;
		}
		if (expected && strstr(msg, "bad pmd"))
			continue;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (strstr(msg, bad[i])) {
				snprintf(line, len, "%.200s", msg);
				return true;
			}
		}
	}
}

static bool is_1g(const FIXTURE_VARIANT(map) *variant)
{
	return variant->entry == SZ_1G;
}

/*
 * Address space of @len bytes, reserved (PROT_NONE) at @skew past an
 * @align-aligned address, for a mapping to be placed or moved to.
 */
static unsigned char *reserve_at(size_t len, size_t align, size_t skew)
{
	size_t span = len + align + skew;
	unsigned char *r, *want;

	r = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		return r;
	want = (unsigned char *)(((uintptr_t)r + align - 1) & ~(align - 1)) +
	       skew;
	if (want > r)
		munmap(r, want - r);
	if (r + span > want + len)
		munmap(want + len, r + span - (want + len));
	return want;
}

static size_t map_align(const FIXTURE_VARIANT(map) *variant)
{
	return variant->entry == SZ_4K ? SZ_2M : variant->entry;
}

static size_t map_skew(const FIXTURE_VARIANT(map) *variant)
{
	return variant->entry == SZ_4K ? SZ_4K : 0;
}

/* want[] of the steps of [@from, @to): @v (zero after a punch, a shrink). */
static void set_want(FIXTURE_DATA(map) *self, size_t from, size_t to,
		     uint64_t v)
{
	size_t off;

	from = (from + self->step - 1) / self->step * self->step;
	for (off = from; off < to; off += self->step)
		self->want[off / self->step] = v;
}

/* Stamps generation @gen at the steps of [@from, @to) through the mapping. */
static int stamp_map(FIXTURE_DATA(map) *self, unsigned int gen, size_t from,
		     size_t to)
{
	uint64_t v;
	size_t off;
	int sig;

	from = (from + self->step - 1) / self->step * self->step;
	for (off = from; off < to; off += self->step) {
		v = stamp(off, gen);
		sig = access_u64((uint64_t *)(self->p + off), &v, true);
		if (sig)
			return sig;
		self->want[off / self->step] = v;
	}
	return 0;
}

/*
 * Checks the steps of [@from, @to) against want[]: through the mapping
 * when @map, and through pread().  Logs and counts the mismatches.
 */
static int check_range(struct __test_metadata *_metadata,
		       FIXTURE_DATA(map) *self, size_t from, size_t to,
		       bool map, const char *what)
{
	uint64_t v, w;
	int bad = 0, sig;
	size_t off;

	from = (from + self->step - 1) / self->step * self->step;
	for (off = from; off < to && bad < 5; off += self->step) {
		w = self->want[off / self->step];
		if (w == GONE)
			continue;
		if (map) {
			sig = access_u64((uint64_t *)(self->p + off), &v, false);
			if (sig || v != w) {
				TH_LOG("%s: mapping at %#zx: %s%#llx, want %#llx",
				       what, off, sig ? "signal, " : "",
				       sig ? (unsigned long long)sig :
					     (unsigned long long)v,
				       (unsigned long long)w);
				bad++;
			}
		}
		if (pread(self->fd, &v, sizeof(v), off) != sizeof(v) || v != w) {
			TH_LOG("%s: read() at %#zx: %#llx, want %#llx", what,
			       off, (unsigned long long)v,
			       (unsigned long long)w);
			bad++;
		}
	}
	return bad;
}

#define CHECK(from, to, map, what) \
	EXPECT_EQ(0, check_range(_metadata, self, from, to, map, what))

/* The signal a child gets touching @p (@write: storing), 0 if none. */
static int sig_at(unsigned char *p, bool write)
{
	return touch_in_child(p, write);
}

FIXTURE_SETUP(map)
{
	struct tnl_faults f0;
	struct tnl_file f;
	struct stat st;

	self->fd = -1;
	self->p = MAP_FAILED;
	self->want = NULL;
	self->kmsg = kmsg_open();
	pool_setup(_metadata, &self->fs, variant->pool, variant->hint);
	if (is_1g(variant)) {
		ASSERT_EQ(0, wait_scrub(&self->fs.nl, variant->pool, 0, 240))
			TH_LOG("pool %s still scrubbing", variant->pool);
	}
	self->pud = module_maps_1g();
	self->pmd_walk = vt_module_features() & VMPKRAM_FEATURE_PMD_WALK;
	self->len = variant->len;
	self->step = variant->step;
	self->want = calloc(self->len / self->step, sizeof(*self->want));
	ASSERT_NE(NULL, self->want);
	self->fd = create_sized(&self->fs, "m", self->len);
	ASSERT_LE(0, self->fd);
	if (is_1g(variant)) {
		ASSERT_EQ(0, file_extents(&self->fs.nl, variant->pool, "m", &f));
		ASSERT_EQ(1, f.nr_extents);
		ASSERT_EQ(0, f.ext[0].phys & (SZ_1G - 1))
			TH_LOG("at %#llx", f.ext[0].phys);
	}
	ASSERT_EQ(0, fstat(self->fd, &st));
	ASSERT_EQ(self->len / 512, st.st_blocks);
	self->p = map_at(self->fd, self->len, 0, map_align(variant),
			 map_skew(variant));
	ASSERT_NE(MAP_FAILED, self->p);
	f0 = faults(&self->fs);
	ASSERT_EQ(0, stamp_map(self, 1, 0, self->len));
	self->populate = faults_since(&self->fs.nl, &f0);
}

FIXTURE_TEARDOWN(map)
{
	char line[512];

	if (self->p != MAP_FAILED)
		munmap(self->p, self->len);
	if (self->fd >= 0)
		close(self->fd);
	free(self->want);
	pool_teardown(&self->fs);
	if (self->kmsg >= 0) {
		EXPECT_FALSE(kmsg_bad(self->kmsg, line, sizeof(line)))
			TH_LOG("kernel log: %s", line);
		close(self->kmsg);
	}
}

/* The stamping faulted entries of the variant's size, and only those. */
TEST_F_TIMEOUT(map, populate_takes_entries_of_the_size, 300)
{
	struct tnl_faults *d = &self->populate;
	size_t want_pmd = variant->entry == SZ_2M ||
			  (is_1g(variant) && !self->pud) ?
			  self->len / SZ_2M : 0;

	TH_LOG("%llu faults of 1 GiB, %llu of 2 MiB, %llu of 4 KiB%s",
	       d->pud, d->pmd, d->pte,
	       is_1g(variant) && !self->pud ? " (no 1 GiB entries here)" : "");
	EXPECT_EQ(is_1g(variant) && self->pud, d->pud);
	EXPECT_EQ(want_pmd, d->pmd);
	if (variant->entry == SZ_4K) {
		EXPECT_LT(0, d->pte);
	} else {
		EXPECT_EQ(0, d->pte);
	}
	CHECK(0, self->len, true, "stamped");
}

/*
 * mprotect() read-only, a write then gets SIGSEGV; back to read-write;
 * then part of it (not entry-aligned) read-only and back.
 */
TEST_F_TIMEOUT(map, mprotect_ro_and_back, 300)
{
	size_t a = self->len / 4 + SZ_4K, b = 3 * self->len / 4;
	uint64_t v = 1;

	ASSERT_EQ(0, mprotect(self->p, self->len, PROT_READ));
	CHECK(0, self->len, true, "read-only");
	EXPECT_EQ(SIGSEGV, sig_at(self->p + a, true));
	ASSERT_EQ(0, mprotect(self->p, self->len, PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, stamp_map(self, 2, 0, self->len));
	CHECK(0, self->len, true, "read-write again");

	ASSERT_EQ(0, mprotect(self->p + a, b - a, PROT_READ));
	EXPECT_EQ(SIGSEGV, sig_at(self->p + a, true));
	EXPECT_EQ(0, sig_at(self->p + a - SZ_4K, true));
	EXPECT_EQ(0, sig_at(self->p + b, true));
	self->want[(a - SZ_4K) / self->step] = 0x5a5a5a5a5a5a5a5aULL;
	v = 0x5a5a5a5a5a5a5a5aULL;
	EXPECT_EQ(0, access_u64((uint64_t *)(self->p + a - SZ_4K), &v, true));
	EXPECT_EQ(0, access_u64((uint64_t *)(self->p + b), &v, true));
	self->want[b / self->step] = v;
	CHECK(0, self->len, true, "part read-only");
	ASSERT_EQ(0, mprotect(self->p + a, b - a, PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, stamp_map(self, 3, 0, self->len));
	CHECK(0, self->len, true, "all read-write");
}

/* munmap() of a part that does not line up with the entries. */
TEST_F_TIMEOUT(map, partial_munmap, 300)
{
	size_t a = self->len / 4 + SZ_4K, b = self->len / 2;

	ASSERT_EQ(0, munmap(self->p + a, b - a));
	EXPECT_EQ(SIGSEGV, sig_at(self->p + a, false));
	CHECK(0, a, true, "before the hole");
	CHECK(b, self->len, true, "after the hole");
	CHECK(a, b, false, "unmapped part");
	ASSERT_EQ(0, stamp_map(self, 2, 0, a));
	ASSERT_EQ(0, stamp_map(self, 2, b, self->len));
	CHECK(0, a, true, "rewritten");
	CHECK(b, self->len, true, "rewritten");
	ASSERT_EQ(0, munmap(self->p, a));
	ASSERT_EQ(0, munmap(self->p + b, self->len - b));
	self->p = MAP_FAILED;
}

/*
 * mremap(): moved whole to a place of the same alignment, shrunk to half;
 * growing it is refused.
 */
TEST_F_TIMEOUT(map, mremap_move_shrink_grow, 300)
{
	unsigned char *to, *q;

	to = reserve_at(self->len, map_align(variant), map_skew(variant));
	ASSERT_NE(MAP_FAILED, to);
	q = mremap(self->p, self->len, self->len,
		   MREMAP_MAYMOVE | MREMAP_FIXED, to);
	ASSERT_EQ(to, q) TH_LOG("mremap move: %s", strerror(errno));
	self->p = q;
	CHECK(0, self->len, true, "moved");
	ASSERT_EQ(0, stamp_map(self, 2, 0, self->len));

	q = mremap(self->p, self->len, self->len / 2, 0);
	ASSERT_EQ(self->p, q) TH_LOG("mremap shrink: %s", strerror(errno));
	EXPECT_EQ(SIGSEGV, sig_at(self->p + self->len / 2, false));
	CHECK(0, self->len / 2, true, "shrunk");
	CHECK(self->len / 2, self->len, false, "past the shrunk mapping");

	/* VM_DONTEXPAND, as documented: growing is refused, nothing lost. */
	q = mremap(self->p, self->len / 2, self->len, 0);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EFAULT, errno);
	CHECK(0, self->len / 2, true, "after the refused grow");
	ASSERT_EQ(0, munmap(self->p, self->len / 2));
	self->p = MAP_FAILED;
}

/* MADV_DONTNEED of a part, then of everything: the file's data refaults. */
TEST_F_TIMEOUT(map, madvise_dontneed, 300)
{
	size_t a = self->len / 4 + SZ_4K, b = self->len / 2;

	ASSERT_EQ(0, madvise(self->p + a, b - a, MADV_DONTNEED));
	CHECK(0, self->len, true, "part dropped");
	ASSERT_EQ(0, madvise(self->p, self->len, MADV_DONTNEED));
	CHECK(0, self->len, true, "all dropped");
	ASSERT_EQ(0, stamp_map(self, 2, 0, self->len));
	CHECK(0, self->len, true, "rewritten");
}

/*
 * MADV_COLD or MADV_PAGEOUT of a part (not entry-aligned), then of
 * everything: the file's data stays, through the mapping and read(), and
 * takes writes again.  A kernel without VMPKRAM_FEATURE_PMD_WALK (6.1)
 * logs "bad pmd" and drops 2 MiB entries here (between the markers of
 * advise()); with it nothing is logged.
 */
static void madvise_keeps_data(struct __test_metadata *_metadata,
			       FIXTURE_DATA(map) *self, int advice)
{
	size_t a = self->len / 4 + SZ_4K, b = self->len / 2;
	struct tnl_faults f0, d;

	ASSERT_EQ(0, advise(self->p + a, b - a, advice, self->pmd_walk))
		TH_LOG("madvise: %s", strerror(errno));
	CHECK(0, self->len, true, "part advised");
	ASSERT_EQ(0, advise(self->p, self->len, advice, self->pmd_walk))
		TH_LOG("madvise: %s", strerror(errno));
	f0 = faults(&self->fs);
	CHECK(0, self->len, true, "all advised");
	d = faults_since(&self->fs.nl, &f0);
	TH_LOG("reading it again: %llu faults of 1 GiB, %llu of 2 MiB, %llu of 4 KiB%s",
	       d.pud, d.pmd, d.pte,
	       self->pmd_walk ? "" : " (entries dropped: no PMD_WALK)");
	ASSERT_EQ(0, stamp_map(self, 2, 0, self->len));
	CHECK(0, self->len, true, "rewritten");
}

TEST_F_TIMEOUT(map, madvise_cold, 300)
{
	madvise_keeps_data(_metadata, self, MADV_COLD);
}

TEST_F_TIMEOUT(map, madvise_pageout, 300)
{
	madvise_keeps_data(_metadata, self, MADV_PAGEOUT);
}

/* The thread of stale_tlb() that reads the block on another CPU. */
struct tlb_reader {
	pthread_t thread;
	int cpu;
	volatile uint64_t *p;	/* the block in the mapping */
	volatile int state;	/* 0: start, 1: loaded, 2: go, 3: done */
	uint64_t seen;		/* the first nonzero word read, or 0 */
	size_t at;		/* its offset in the block */
};

static void *tlb_reader_fn(void *arg)
{
	struct tlb_reader *r = arg;
	cpu_set_t set;
	size_t i;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (i = 0; i < SZ_2M / 8; i += SZ_4K / 8)
		(void)r->p[i];
	__atomic_store_n(&r->state, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&r->state, __ATOMIC_ACQUIRE) != 2)
		;		/* in user space: no kernel entry, no flush */
	for (i = 0; i < SZ_2M / 8; i += SZ_4K / 8) {
		if (r->p[i]) {
			r->seen = r->p[i];
			r->at = i * 8;
			break;
		}
	}
	__atomic_store_n(&r->state, 3, __ATOMIC_RELEASE);
	return NULL;
}

/* The physical address of file offset @off of "@name", 0 if none. */
static __u64 phys_of(struct __test_metadata *_metadata,
		     FIXTURE_DATA(map) *self, const char *pool,
		     const char *name, size_t off)
{
	struct tnl_file f;
	int i;

	if (file_extents(&self->fs.nl, pool, name, &f))
		return 0;
	for (i = 0; i < f.nr_extents; i++)
		if (off >= f.ext[i].offset &&
		    off - f.ext[i].offset < f.ext[i].len)
			return f.ext[i].phys + off - f.ext[i].offset;
	return 0;
}

/*
 * The 6.1 hole (issue 12): a TLB of CPU 1 holds the block at the middle
 * of the mapping (a thread there read it and spins in user space, so
 * nothing flushes its TLB by the way); from CPU 0, @advice drops the
 * block's 2 MiB entry without a TLB flush on a kernel without
 * VMPKRAM_FEATURE_PMD_WALK; the block is punched (the unmap finds no
 * entry, flushes nothing) and freed; every free block of the pool goes
 * to another file, which writes 0xab over the freed one.  Read through
 * the first mapping on CPU 1, the punched range must be the hole (zero),
 * not the other file's bytes through a stale translation.  Under QEMU TCG
 * the soft TLB keeps such an entry as a CPU would; when this thread reads
 * it itself (@other_cpu false) a context switch meanwhile flushes it, so
 * that variant is kept only for trying by hand.
 */
static void stale_tlb(struct __test_metadata *_metadata,
		      FIXTURE_DATA(map) *self,
		      const FIXTURE_VARIANT(map) *variant, int advice,
		      bool other_cpu)
{
	size_t off = self->len / 2, i, o_off = 0;
	struct tlb_reader r = { .cpu = 1, .p = (uint64_t *)(self->p + off) };
	unsigned char *buf = NULL;
	__u64 phys, blocks;
	struct tnl_file of;
	struct statfs s;
	cpu_set_t set;
	uint64_t v;
	int o = -1, j;

	if (other_cpu) {
		if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
			SKIP(return, "one CPU");
		CPU_ZERO(&set);
		CPU_SET(0, &set);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	}
	phys = phys_of(_metadata, self, variant->pool, "m", off);
	ASSERT_NE(0, phys);
	if (other_cpu) {
		ASSERT_EQ(0, pthread_create(&r.thread, NULL, tlb_reader_fn, &r));
		while (__atomic_load_n(&r.state, __ATOMIC_ACQUIRE) != 1)
			usleep(1000);
	} else {
		for (i = 0; i < BLK; i += SZ_4K)
			(void)((volatile unsigned char *)self->p)[off + i];
	}
	/* From here on this thread does not touch the mapping. */
	ASSERT_EQ(0, advise(self->p + off, BLK, advice, self->pmd_walk))
		TH_LOG("madvise: %s", strerror(errno));
	ASSERT_EQ(0, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE |
			       FALLOC_FL_KEEP_SIZE, off, BLK));
	set_want(self, off, off + BLK, 0);

	/* Every free block to "o": the punched one among them, 0xab. */
	ASSERT_EQ(0, fstatfs(self->fs.dfd, &s));
	blocks = s.f_bfree;
	ASSERT_LT(0, blocks);
	o = create_sized(&self->fs, "o", (off_t)blocks * BLK);
	ASSERT_LE(0, o) TH_LOG("%llu blocks: %s", (unsigned long long)blocks,
			       strerror(errno));
	ASSERT_EQ(0, file_extents(&self->fs.nl, variant->pool, "o", &of));
	for (j = 0; j < of.nr_extents; j++)
		if (phys >= of.ext[j].phys &&
		    phys - of.ext[j].phys < of.ext[j].len)
			break;
	ASSERT_LT(j, of.nr_extents) TH_LOG("the punched block was not reused");
	o_off = of.ext[j].offset + (phys - of.ext[j].phys);
	buf = malloc(BLK);
	ASSERT_NE(NULL, buf);
	memset(buf, 0xab, BLK);
	ASSERT_EQ(BLK, pwrite(o, buf, BLK, o_off));

	/* Through the first mapping: the hole, or the other file's bytes? */
	if (other_cpu) {
		__atomic_store_n(&r.state, 2, __ATOMIC_RELEASE);
		ASSERT_EQ(0, pthread_join(r.thread, NULL));
		EXPECT_EQ(0, r.seen)
			TH_LOG("CPU 1 read %#llx at +%#zx of the punched block: a stale TLB entry reaches another file's block",
			       (unsigned long long)r.seen, r.at);
	} else {
		for (i = 0; i < BLK; i += SZ_4K) {
			v = ((volatile uint64_t *)(self->p + off))[i / 8];
			if (v) {
				EXPECT_EQ(0, v)
					TH_LOG("read %#llx at +%#zx of the punched block: a stale TLB entry reaches another file's block",
					       (unsigned long long)v, i);
				break;
			}
		}
	}
	CHECK(0, self->len, true, "punched after madvise");
	free(buf);
	close(o);
	EXPECT_EQ(0, unlinkat(self->fs.dfd, "o", 0));
}

TEST_F_TIMEOUT(map, stale_tlb_after_cold_and_punch, 300)
{
	stale_tlb(_metadata, self, variant, MADV_COLD, true);
}

TEST_F_TIMEOUT(map, stale_tlb_after_pageout_and_punch, 300)
{
	stale_tlb(_metadata, self, variant, MADV_PAGEOUT, true);
}

/* A child writes through the shared mapping it inherited; the parent sees it. */
TEST_F_TIMEOUT(map, fork_child_writes_parent_sees, 300)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(stamp_map(self, 2, 0, self->len / 2) ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("child: signal %d",
					      WTERMSIG(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	for (size_t off = 0; off < self->len / 2; off += self->step)
		self->want[off / self->step] = stamp(off, 2);	/* the child's */
	CHECK(0, self->len, true, "after the child");
}

/*
 * PUNCH_HOLE of whole blocks and a partial one inside the mapping: zero
 * through the mapping and read(), st_blocks down by the whole blocks;
 * writing through the mapping fills them again.
 */
TEST_F_TIMEOUT(map, punch_hole, 300)
{
	size_t a = self->len / 2 - BLK - SZ_4K, b = self->len / 2 + BLK;
	struct stat st;

	ASSERT_EQ(0, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE |
			       FALLOC_FL_KEEP_SIZE, a, b - a));
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ((self->len - 2 * BLK) / 512, st.st_blocks);
	set_want(self, a, b, 0);
	CHECK(0, self->len, false, "punched, read()");
	CHECK(0, self->len, true, "punched");
	ASSERT_EQ(0, stamp_map(self, 2, a, b));
	CHECK(0, self->len, true, "filled again");
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(self->len / 512, st.st_blocks);
}

/*
 * ftruncate() to half (block-aligned: the tail of a partial block is not
 * this test's business): past it the mapping gives SIGBUS; grown back,
 * the new half reads zero and takes writes.
 */
TEST_F_TIMEOUT(map, truncate_shrink_and_regrow, 300)
{
	size_t half = self->len / 2;

	ASSERT_EQ(0, ftruncate(self->fd, half));
	EXPECT_EQ(SIGBUS, sig_at(self->p + half, false));
	EXPECT_EQ(SIGBUS, sig_at(self->p + self->len - SZ_4K, false));
	CHECK(0, half, true, "shrunk");
	ASSERT_EQ(0, ftruncate(self->fd, self->len));
	set_want(self, half, self->len, 0);
	CHECK(0, self->len, true, "grown back");
	ASSERT_EQ(0, stamp_map(self, 2, half, self->len));
	CHECK(0, self->len, true, "grown back, written");
}

/* fsync() and msync() after writes through the mapping. */
TEST_F_TIMEOUT(map, fsync_after_mapped_writes, 300)
{
	ASSERT_EQ(0, stamp_map(self, 2, 0, self->len));
	EXPECT_EQ(0, msync(self->p, self->len, MS_SYNC));
	EXPECT_EQ(0, fsync(self->fd));
	EXPECT_EQ(0, fdatasync(self->fd));
	CHECK(0, self->len, true, "synced");
}

/*
 * A hole read through mappings (a read-only one of an O_RDONLY
 * descriptor, MADV_POPULATE_READ, and the read-write one) reads zero and
 * allocates nothing; written through the read-write mapping it gets
 * blocks, which the read-only mapping sees (no stale zero page), and a
 * new mapping of them takes entries of the variant's size again.
 */
TEST_F_TIMEOUT(map, read_fault_of_a_hole_allocates_nothing, 300)
{
	unsigned char *ro;
	struct tnl_faults f0, d;
	struct stat st;
	size_t off, w = self->len / 4;
	uint64_t v;
	int rfd;

	ASSERT_EQ(0, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE |
			       FALLOC_FL_KEEP_SIZE, 0, self->len));
	set_want(self, 0, self->len, 0);
	rfd = openat(self->fs.dfd, "m", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, rfd);
	ro = reserve_at(self->len, map_align(variant), map_skew(variant));
	ASSERT_NE(MAP_FAILED, ro);
	ro = mmap(ro, self->len, PROT_READ, MAP_SHARED | MAP_FIXED, rfd, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(0, madvise(ro, self->len / 8, MADV_POPULATE_READ));
	f0 = faults(&self->fs);
	for (off = 0; off < self->len; off += self->step) {
		EXPECT_EQ(0, access_u64((uint64_t *)(ro + off), &v, false));
		if (v) {
			EXPECT_EQ(0, v) TH_LOG("read-only mapping at %#zx", off);
			break;
		}
	}
	CHECK(0, self->len, true, "punched, read-write mapping");
	d = faults_since(&self->fs.nl, &f0);
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(0, st.st_blocks) TH_LOG("read faults allocated blocks");
	TH_LOG("reading the hole: %llu faults of 1 GiB, %llu of 2 MiB, %llu of 4 KiB",
	       d.pud, d.pmd, d.pte);
	EXPECT_EQ(0, d.pud + d.pmd);

	/* Written: blocks for what was written only, seen everywhere. */
	ASSERT_EQ(0, stamp_map(self, 2, 0, w));
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(w / 512, st.st_blocks);
	for (off = 0; off < self->len; off += self->step) {
		EXPECT_EQ(0, access_u64((uint64_t *)(ro + off), &v, false));
		if (v != self->want[off / self->step]) {
			EXPECT_EQ(self->want[off / self->step], v)
				TH_LOG("read-only mapping at %#zx", off);
			break;
		}
	}
	CHECK(0, self->len, true, "written");
	ASSERT_EQ(0, munmap(ro, self->len));
	close(rfd);

	/* Written blocks map huge again (they are fresh, 2 MiB at least). */
	ASSERT_EQ(0, munmap(self->p, self->len));
	self->p = map_at(self->fd, self->len, 0, map_align(variant),
			 map_skew(variant));
	ASSERT_NE(MAP_FAILED, self->p);
	f0 = faults(&self->fs);
	CHECK(0, w, true, "remapped");
	d = faults_since(&self->fs.nl, &f0);
	if (variant->entry == SZ_4K) {
		EXPECT_EQ(0, d.pmd + d.pud);
	} else {
		EXPECT_EQ(w / SZ_2M, d.pmd) TH_LOG("%llu 4 KiB faults", d.pte);
	}
}

/*
 * Memory failure of one page under the mapping (MADV_HWPOISON): the page
 * gives SIGBUS (BUS_MCEERR_AR) and EIO, everything else reads and writes
 * as before, through the mapping and read().  Last: the block stays
 * withdrawn.
 */
TEST_F_TIMEOUT(map, memory_failure_withdraws_a_block, 300)
{
	size_t off = self->len / 2 + 5 * SZ_4K, page = off & ~(SZ_4K - 1);
	siginfo_t si;
	uint64_t v;
	int e;

	if (madvise(self->p + off, SZ_4K, MADV_HWPOISON)) {
		e = errno;
		if (e == EINVAL || e == ENOSYS)
			SKIP(return, "MADV_HWPOISON: %s (no CONFIG_MEMORY_FAILURE)",
			     strerror(e));
		ASSERT_EQ(0, e);
	}
	set_want(self, page, page + SZ_4K, GONE);
	ASSERT_EQ(1, read_catching_sigbus(self->p + off, &si));
	EXPECT_EQ(BUS_MCEERR_AR, si.si_code);
	EXPECT_EQ(-1, pread(self->fd, &v, sizeof(v), off));
	EXPECT_EQ(EIO, errno);
	CHECK(0, self->len, true, "around the poisoned page");
	ASSERT_EQ(0, stamp_map(self, 2, 0, page));
	ASSERT_EQ(0, stamp_map(self, 2, page + SZ_4K, self->len));
	CHECK(0, self->len, true, "rewritten around it");
}

TEST_HARNESS_MAIN
