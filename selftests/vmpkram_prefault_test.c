// SPDX-License-Identifier: GPL-2.0
/*
 * VMPKRAM_IOC_PREFAULT: every page present afterwards (pagemap), contents
 * unchanged, the zeroing mode, each errno next to what
 * madvise(MADV_POPULATE_*) says for the same mapping, cross-process rules,
 * cancellation by SIGKILL and concurrent munmap/mprotect.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/param.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/userfaultfd.h>
#include <linux/vmpkram.h>

#include "kselftest_harness.h"
#include "vmpkram_test.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif

#define SZ_1M		(1UL << 20)
#define SZ_2M		(2UL << 20)
#define PAGEMAP_PRESENT	(1ULL << 63)

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

static int dev_open(void)
{
	return open("/dev/" VMPKRAM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
}

/*
 * The ioctl's errno (0 on success); @done gets the bytes reported done.
 * A @mem_fd of 0 or more is passed with VMPKRAM_PREFAULT_F_MEM_FD.
 */
static int prefault_fd(int fd, void *addr, size_t len, __u32 flags,
		       __u32 pid, int mem_fd, __u32 threads, __u64 *done)
{
	struct vmpkram_prefault req = {
		.size = sizeof(req),
		.flags = flags | (mem_fd >= 0 ? VMPKRAM_PREFAULT_F_MEM_FD : 0),
		.addr = (uintptr_t)addr,
		.len = len,
		.pid = pid,
		.threads = threads,
		.mem_fd = mem_fd >= 0 ? mem_fd : 0,
	};
	int ret = ioctl(fd, VMPKRAM_IOC_PREFAULT, &req) ? errno : 0;

	if (done)
		*done = req.done;
	return ret;
}

static int prefault(int fd, void *addr, size_t len, __u32 flags, __u32 pid,
		    __u32 threads, __u64 *done)
{
	return prefault_fd(fd, addr, len, flags, pid, -1, threads, done);
}

/* /proc/@pid/mem, or -1. */
static int mem_open(pid_t pid, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	return open(path, flags | O_CLOEXEC);
}

static int populate(void *addr, size_t len, bool write)
{
	return madvise(addr, len, write ? MADV_POPULATE_WRITE :
					  MADV_POPULATE_READ) ? errno : 0;
}

/* Pages of [addr, addr + len) whose page table entry is not present. */
static long pages_missing(void *addr, size_t len)
{
	long i, n = len / page_size(), missing = 0;
	off_t off = (uintptr_t)addr / page_size() * sizeof(uint64_t);
	uint64_t *ents = calloc(n, sizeof(*ents));
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (!ents || fd < 0 ||
	    pread(fd, ents, n * sizeof(*ents), off) != n * (ssize_t)sizeof(*ents))
		missing = -1;
	for (i = 0; missing >= 0 && i < n; i++)
		missing += !(ents[i] & PAGEMAP_PRESENT);
	if (fd >= 0)
		close(fd);
	free(ents);
	return missing;
}

/* A mapping of @len whose start is aligned to @align. */
static void *map_aligned(size_t len, size_t align, int prot, int flags, int fd)
{
	char *p = mmap(NULL, len + align, prot, flags, fd, 0);
	uintptr_t start;

	if (p == MAP_FAILED)
		return MAP_FAILED;
	start = ((uintptr_t)p + align - 1) & ~(align - 1);
	if (start > (uintptr_t)p)
		munmap(p, start - (uintptr_t)p);
	munmap((char *)start + len, (uintptr_t)p + align - start);
	return (void *)start;
}

/* One seeded byte pattern on every seventh page; zero elsewhere. */
static void write_pattern(char *p, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += 7 * page_size())
		memset(p + off, (int)(off / page_size()) | 1, page_size());
}

static bool pattern_intact(const char *p, size_t len)
{
	size_t off, i;

	for (off = 0; off < len; off += page_size()) {
		char want = (off / page_size()) % 7 ? 0 :
			    (char)((off / page_size()) | 1);

		for (i = 0; i < (size_t)page_size(); i += 512)
			if (p[off + i] != want)
				return false;
	}
	return true;
}

static bool all_zero(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += sizeof(long))
		if (*(const long *)(p + i))
			return false;
	return true;
}

enum mem_type {
	MEM_ANON, MEM_THP, MEM_MEMFD, MEM_HUGETLB, MEM_HUGETLB_1G,
	MEM_HUGETLBFS,		/* a file on hugetlbfs, as QEMU's backends use */
};

#define HUGETLBFS_DIR	"/tmp/vmpkram-hugetlbfs"
#define HUGETLBFS_FILE	HUGETLBFS_DIR "/guest-ram"

#define SZ_1G		(1UL << 30)
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB	(30U << 26)	/* log2(1 GiB) << MAP_HUGE_SHIFT */
#endif
#define HUGE_1G_NR	"/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"

FIXTURE(mem) {
	int dev;
	int memfd;		/* the shared file: memfd or on hugetlbfs */
	char *p;
	size_t len;
	bool reserved_1g;	/* this test grew the 1 GiB pool */
};

FIXTURE_VARIANT(mem) {
	enum mem_type type;
	size_t len;
};

FIXTURE_VARIANT_ADD(mem, anon_4k) { .type = MEM_ANON, .len = 64 * SZ_1M };
FIXTURE_VARIANT_ADD(mem, anon_thp) { .type = MEM_THP, .len = 64 * SZ_1M };
FIXTURE_VARIANT_ADD(mem, memfd) { .type = MEM_MEMFD, .len = 64 * SZ_1M };
FIXTURE_VARIANT_ADD(mem, hugetlb_2m) { .type = MEM_HUGETLB, .len = 32 * SZ_1M };
FIXTURE_VARIANT_ADD(mem, hugetlb_1g) { .type = MEM_HUGETLB_1G, .len = SZ_1G };
FIXTURE_VARIANT_ADD(mem, hugetlbfs_file) { .type = MEM_HUGETLBFS, .len = 32 * SZ_1M };

static int write_long(const char *path, long nr)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "%ld\n", nr);
	return fclose(f) ? -errno : 0;
}

static int reserve_hugepages(long nr)
{
	return write_long("/proc/sys/vm/nr_hugepages", nr);
}


FIXTURE_SETUP(mem)
{
	int prot = PROT_READ | PROT_WRITE;

	self->len = variant->len;
	self->memfd = -1;
	self->dev = dev_open();
	ASSERT_LE(0, self->dev);

	switch (variant->type) {
	case MEM_ANON:
	case MEM_THP:
		self->p = map_aligned(self->len, SZ_2M, prot,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1);
		ASSERT_NE(MAP_FAILED, self->p);
		ASSERT_EQ(0, madvise(self->p, self->len,
				     variant->type == MEM_THP ?
				     MADV_HUGEPAGE : MADV_NOHUGEPAGE));
		break;
	case MEM_MEMFD:
		self->memfd = memfd_create("vmpkram-test", MFD_CLOEXEC);
		ASSERT_LE(0, self->memfd);
		ASSERT_EQ(0, ftruncate(self->memfd, self->len));
		self->p = mmap(NULL, self->len, prot, MAP_SHARED,
			       self->memfd, 0);
		ASSERT_NE(MAP_FAILED, self->p);
		break;
	case MEM_HUGETLB:
		ASSERT_EQ(0, reserve_hugepages(self->len / SZ_2M));
		self->p = mmap(NULL, self->len, prot,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		ASSERT_NE(MAP_FAILED, self->p)
			TH_LOG("no 2 MiB huge pages: %s", strerror(errno));
		break;
	case MEM_HUGETLBFS:
		ASSERT_EQ(0, reserve_hugepages(self->len / SZ_2M));
		mkdir(HUGETLBFS_DIR, 0700);
		ASSERT_EQ(0, mount("none", HUGETLBFS_DIR, "hugetlbfs", 0,
				   "pagesize=2M")) TH_LOG("%s", strerror(errno));
		self->memfd = open(HUGETLBFS_FILE, O_RDWR | O_CREAT | O_CLOEXEC,
				   0600);
		ASSERT_LE(0, self->memfd);
		ASSERT_EQ(0, ftruncate(self->memfd, self->len));
		self->p = mmap(NULL, self->len, prot, MAP_SHARED,
			       self->memfd, 0);
		ASSERT_NE(MAP_FAILED, self->p);
		break;
	case MEM_HUGETLB_1G:
		/*
		 * The core suite reserves one at boot (hugepagesz=1G
		 * hugepages=1): 1 GiB of contiguous memory is rarely free
		 * later.  Elsewhere, try to grow the pool.
		 */
		if (read_long(HUGE_1G_NR) < 1) {
			if (write_long(HUGE_1G_NR, 1)) {
				ASSERT_EQ(ENOENT, errno);
				SKIP(return, "kernel has no 1 GiB huge pages");
			}
			self->reserved_1g = true;
		}
		self->p = mmap(NULL, self->len, prot, MAP_PRIVATE |
			       MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB,
			       -1, 0);
		if (self->p == MAP_FAILED) {
			ASSERT_EQ(ENOMEM, errno);
			SKIP(return, "no free 1 GiB huge page in this VM");
		}
		break;
	}
}

FIXTURE_TEARDOWN(mem)
{
	munmap(self->p, self->len);
	if (self->memfd >= 0)
		close(self->memfd);
	close(self->dev);
	if (variant->type == MEM_HUGETLBFS) {
		unlink(HUGETLBFS_FILE);
		umount(HUGETLBFS_DIR);
	}
	if (variant->type == MEM_HUGETLB || variant->type == MEM_HUGETLBFS)
		reserve_hugepages(0);
	if (self->reserved_1g)
		write_long(HUGE_1G_NR, 0);
}

TEST_F(mem, populates_every_page_and_keeps_contents)
{
	__u64 done = 0;

	write_pattern(self->p, self->len);
	/* Drop the page table entries; the file keeps the pages. */
	if (self->memfd >= 0)
		ASSERT_EQ(0, madvise(self->p, self->len, MADV_DONTNEED));
	ASSERT_EQ(0, prefault(self->dev, self->p, self->len, 0, 0, 0, &done));
	EXPECT_EQ(self->len, done);
	EXPECT_EQ(0, pages_missing(self->p, self->len));
	EXPECT_TRUE(pattern_intact(self->p, self->len));
}

TEST_F(mem, single_thread_populates_too)
{
	__u64 done = 0;

	ASSERT_EQ(0, prefault(self->dev, self->p, self->len, 0, 0, 1, &done));
	EXPECT_EQ(self->len, done);
	EXPECT_EQ(0, pages_missing(self->p, self->len));
}

TEST_F(mem, read_populate_keeps_contents)
{
	write_pattern(self->p, self->len);
	ASSERT_EQ(0, prefault(self->dev, self->p, self->len,
			      VMPKRAM_PREFAULT_F_READ, 0, 0, NULL));
	EXPECT_TRUE(pattern_intact(self->p, self->len));
}

TEST_F(mem, zero_mode_leaves_every_byte_zero)
{
	__u64 done = 0;
	char buf[4096];

	memset(self->p, 0xa5, self->len);
	ASSERT_EQ(0, prefault(self->dev, self->p, self->len,
			      VMPKRAM_PREFAULT_F_ZERO, 0, 0, &done));
	EXPECT_EQ(self->len, done);
	EXPECT_EQ(0, pages_missing(self->p, self->len));
	EXPECT_TRUE(all_zero(self->p, self->len));
	/* Shared memory is zeroed in the file, not in a private copy. */
	if (self->memfd >= 0) {
		ASSERT_EQ(sizeof(buf), pread(self->memfd, buf, sizeof(buf),
					     self->len - sizeof(buf)));
		EXPECT_TRUE(all_zero(buf, sizeof(buf)));
	}
}

/* A partial range zeroes exactly that range. */
TEST_F(mem, zero_mode_stays_in_range)
{
	size_t quarter = self->len / 4;

	memset(self->p, 0x5a, self->len);
	ASSERT_EQ(0, prefault(self->dev, self->p + quarter, 2 * quarter,
			      VMPKRAM_PREFAULT_F_ZERO, 0, 0, NULL));
	EXPECT_EQ(0x5a, self->p[quarter - 1]);
	EXPECT_TRUE(all_zero(self->p + quarter, 2 * quarter));
	EXPECT_EQ(0x5a, self->p[3 * quarter]);
}

/* ---- zeroing a shared mapping of a file on a disk filesystem ---- */

#define EXT_DEV		"/dev/ram0"
#define EXT_DIR		"/tmp/vmpkram-ext"
#define EXT_FILE	EXT_DIR "/guest-ram"

struct syncer {
	int fd;
	volatile bool stop;
	long rounds;
};

/* Writes the file back over and over: writeback races every clear. */
static void *syncer_fn(void *arg)
{
	struct syncer *s = arg;

	while (!s->stop) {
		fdatasync(s->fd);
		s->rounds++;
	}
	return NULL;
}

/* Pages of @fd's first @len bytes that do not read back as zero. */
static long nonzero_pages(int fd, size_t len)
{
	char *buf = malloc(page_size());
	long bad = 0;
	size_t off;

	if (!buf)
		return -1;
	for (off = 0; off < len; off += page_size()) {
		if (pread(fd, buf, page_size(), off) != page_size()) {
			bad = -1;
			break;
		}
		bad += !all_zero(buf, page_size());
	}
	free(buf);
	return bad;
}

static int drop_caches(void)
{
	sync();
	return write_long("/proc/sys/vm/drop_caches", 3);
}

FIXTURE(extfs) {
	int dev;
};

/* ext4 on a RAM disk (brd), mounted at EXT_DIR. */
FIXTURE_SETUP(extfs)
{
	self->dev = dev_open();
	ASSERT_LE(0, self->dev);
	if (access(EXT_DEV, F_OK))
		ASSERT_EQ(0, system("modprobe brd rd_size=65536 rd_nr=1"));
	ASSERT_EQ(0, system("mke2fs -F " EXT_DEV " >/dev/null 2>&1"));
	ASSERT_EQ(0, system("modprobe ext4"));
	mkdir(EXT_DIR, 0700);
	ASSERT_EQ(0, mount(EXT_DEV, EXT_DIR, "ext4", 0, NULL))
		TH_LOG("mount ext4: %s", strerror(errno));
}

FIXTURE_TEARDOWN(extfs)
{
	umount(EXT_DIR);
	rmdir(EXT_DIR);
	close(self->dev);
}

/*
 * Writeback runs continuously while a shared mapping of a file is
 * zeroed.  Every page must be zero in the file afterwards, read from the
 * disk once the page cache is dropped.  With a FOLL_GET reference and no
 * dirtying, a page cleaned by writeback between its fault and its clear
 * kept its old contents on disk.
 */
TEST_F_TIMEOUT(extfs, zero_reaches_the_file, 240)
{
	size_t len = 32 * SZ_1M;
	struct syncer sy = { 0 };
	long bad, total = 0;
	int fd, round;
	pthread_t th;
	char *p;

	for (round = 0; round < 4; round++) {
		fd = open(EXT_FILE, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		ASSERT_LE(0, fd);
		p = malloc(len);
		ASSERT_NE(NULL, p);
		memset(p, 0xa5, len);
		ASSERT_EQ(len, write(fd, p, len));
		free(p);
		ASSERT_EQ(0, fsync(fd));
		/* Faults that read the disk widen the window. */
		ASSERT_EQ(0, drop_caches());
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, p);

		sy.fd = fd;
		sy.stop = false;
		ASSERT_EQ(0, pthread_create(&th, NULL, syncer_fn, &sy));
		EXPECT_EQ(0, prefault(self->dev, p, len,
				      VMPKRAM_PREFAULT_F_ZERO, 0, 0, NULL));
		sy.stop = true;
		pthread_join(th, NULL);
		EXPECT_TRUE(all_zero(p, len));
		ASSERT_EQ(0, munmap(p, len));
		ASSERT_EQ(0, fsync(fd));
		close(fd);

		ASSERT_EQ(0, drop_caches());
		fd = open(EXT_FILE, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, fd);
		bad = nonzero_pages(fd, len);
		close(fd);
		ASSERT_LE(0, bad);
		total += bad;
	}
	TH_LOG("%ld of %zu pages read back non-zero (%ld writebacks raced)",
	       total, 4 * len / page_size(), sy.rounds);
	EXPECT_EQ(0, total);
}

FIXTURE(contract) {
	int dev;
	char *p;
	size_t len;
};

FIXTURE_SETUP(contract)
{
	self->len = 16 * page_size();
	self->dev = dev_open();
	ASSERT_LE(0, self->dev);
	self->p = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->p);
}

FIXTURE_TEARDOWN(contract)
{
	munmap(self->p, self->len);
	close(self->dev);
}

TEST_F(contract, input_validation)
{
	struct vmpkram_prefault req = {
		.size = sizeof(req), .addr = (uintptr_t)self->p,
		.len = self->len,
	};

	EXPECT_EQ(EINVAL, prefault(self->dev, self->p, 0, 0, 0, 0, NULL));
	EXPECT_EQ(EINVAL, prefault(self->dev, self->p + 1, page_size(), 0, 0,
				   0, NULL));
	EXPECT_EQ(EINVAL, prefault(self->dev, self->p, page_size() - 1, 0, 0,
				   0, NULL));
	EXPECT_EQ(EINVAL, prefault(self->dev, self->p, self->len,
				   VMPKRAM_PREFAULT_F_READ |
				   VMPKRAM_PREFAULT_F_ZERO, 0, 0, NULL));
	EXPECT_EQ(EINVAL, prefault(self->dev, self->p, self->len, 1U << 7, 0,
				   0, NULL));
	EXPECT_EQ(EINVAL, prefault_fd(self->dev, self->p, self->len,
				      VMPKRAM_PREFAULT_F_READ |
				      VMPKRAM_PREFAULT_F_ZERO, 0,
				      open("/proc/self/mem", O_RDWR | O_CLOEXEC),
				      0, NULL));
	EXPECT_EQ(EINVAL, prefault(self->dev, self->p, self->len, 0, 0,
				   VMPKRAM_WORKERS_LIMIT + 1, NULL));
	EXPECT_EQ(EOVERFLOW, prefault(self->dev, (void *)-(2 * page_size()),
				      4 * page_size(), 0, 0, 0, NULL));
	EXPECT_EQ(EOVERFLOW, prefault(self->dev, self->p,
				      -(size_t)page_size(), 0, 0, 0, NULL));

	/* mem_fd, once __reserved, must be 0 without F_MEM_FD. */
	req.mem_fd = 1;
	EXPECT_EQ(EINVAL, ioctl(self->dev, VMPKRAM_IOC_PREFAULT, &req) ?
			  errno : 0);
	req.mem_fd = 0;
	req.size = offsetof(struct vmpkram_prefault, mem_fd);
	EXPECT_EQ(EINVAL, ioctl(self->dev, VMPKRAM_IOC_PREFAULT, &req) ?
			  errno : 0);
	/* Nothing was populated by any rejected call. */
	EXPECT_EQ(self->len / page_size(), pages_missing(self->p, self->len));
}

/* The workers used come back in threads, capped, not refused. */
TEST_F(contract, threads_are_capped_and_reported)
{
	struct vmpkram_api api = { .size = sizeof(api) };
	struct vmpkram_prefault req = {
		.size = sizeof(req), .addr = (uintptr_t)self->p,
		.len = self->len, .threads = VMPKRAM_WORKERS_LIMIT,
	};

	ASSERT_EQ(0, ioctl(self->dev, VMPKRAM_IOC_GET_API, &api));
	ASSERT_EQ(0, ioctl(self->dev, VMPKRAM_IOC_PREFAULT, &req));
	/* 16 pages span one or two 2 MiB chunks. */
	EXPECT_LE(1, req.threads);
	EXPECT_GE(2, req.threads);
	EXPECT_GE(api.max_workers, req.threads);

	req.threads = 1;
	ASSERT_EQ(0, ioctl(self->dev, VMPKRAM_IOC_PREFAULT, &req));
	EXPECT_EQ(1, req.threads);
}

TEST_F(contract, hole_is_enomem_like_madvise)
{
	__u64 done = 1;

	ASSERT_EQ(0, munmap(self->p + 8 * page_size(), page_size()));
	EXPECT_EQ(ENOMEM, populate(self->p, self->len, true));
	EXPECT_EQ(ENOMEM, prefault(self->dev, self->p, self->len, 0, 0, 0,
				   &done));
	EXPECT_GE(8 * page_size(), done) TH_LOG("done is reported on failure");
}

TEST_F(contract, prot_none_is_einval_like_madvise)
{
	ASSERT_EQ(0, mprotect(self->p, self->len, PROT_NONE));
	EXPECT_EQ(EINVAL, populate(self->p, self->len, true));
	EXPECT_EQ(EINVAL, prefault(self->dev, self->p, self->len, 0, 0, 0,
				   NULL));
	EXPECT_EQ(EINVAL, populate(self->p, self->len, false));
	EXPECT_EQ(EINVAL, prefault(self->dev, self->p, self->len,
				   VMPKRAM_PREFAULT_F_READ, 0, 0, NULL));
}

TEST_F(contract, readonly_mapping)
{
	ASSERT_EQ(0, mprotect(self->p, self->len, PROT_READ));
	EXPECT_EQ(EINVAL, populate(self->p, self->len, true));
	EXPECT_EQ(EINVAL, prefault(self->dev, self->p, self->len, 0, 0, 0,
				   NULL));
	EXPECT_EQ(EINVAL, prefault(self->dev, self->p, self->len,
				   VMPKRAM_PREFAULT_F_ZERO, 0, 0, NULL));
	EXPECT_EQ(0, populate(self->p, self->len, false));
	EXPECT_EQ(0, prefault(self->dev, self->p, self->len,
			      VMPKRAM_PREFAULT_F_READ, 0, 0, NULL));
}

TEST_F(contract, pfnmap_is_einval_like_madvise)
{
	int fd = open("/dev/mem", O_RDWR | O_CLOEXEC);
	char *io;

	ASSERT_LE(0, fd) TH_LOG("/dev/mem: %s", strerror(errno));
	/* The first page is one STRICT_DEVMEM lets through. */
	io = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, io);
	EXPECT_EQ(EINVAL, populate(io, page_size(), true));
	EXPECT_EQ(EINVAL, prefault(self->dev, io, page_size(), 0, 0, 0, NULL));
	munmap(io, page_size());
}

TEST_F(contract, sigbus_is_efault_like_madvise)
{
	int fd = memfd_create("short", MFD_CLOEXEC);
	char *p;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, page_size()));
	p = mmap(NULL, 4 * page_size(), PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(EFAULT, populate(p, 4 * page_size(), true));
	EXPECT_EQ(EFAULT, prefault(self->dev, p, 4 * page_size(), 0, 0, 0,
				   NULL));
	munmap(p, 4 * page_size());
	close(fd);
}

TEST_F(contract, exhausted_hugetlb_pool_is_efault_like_madvise)
{
	size_t len = 8 * SZ_2M;
	char *p;

	ASSERT_EQ(0, reserve_hugepages(2));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_HUGETLB | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(EFAULT, populate(p, len, true));
	ASSERT_EQ(0, madvise(p, len, MADV_DONTNEED));
	EXPECT_EQ(EFAULT, prefault(self->dev, p, len, 0, 0, 0, NULL));
	munmap(p, len);
	reserve_hugepages(0);
}

/*
 * Poisons page 4 of a shared memfd.  Done in a child: 6.12 forces a SIGBUS
 * on the task that poisons a page it has mapped dirty.
 */
static int poison_memfd_page(int fd, size_t len)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd, 0);

		if (p == MAP_FAILED)
			_exit(1);
		memset(p, 1, len);
		_exit(madvise(p + 4 * page_size(), page_size(), MADV_HWPOISON) ?
		      2 : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	/* Killed by the SIGBUS is fine: the poison is in place. */
	return WIFEXITED(status) ? WEXITSTATUS(status) : 0;
}

TEST_F(contract, poisoned_page_like_madvise)
{
	int fd = memfd_create("poison", MFD_CLOEXEC);
	int want, got;
	char *p;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, self->len));
	ASSERT_EQ(0, poison_memfd_page(fd, self->len));
	ASSERT_NE(SIG_ERR, signal(SIGBUS, SIG_IGN));
	p = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);

	want = populate(p, self->len, true);
	got = prefault(self->dev, p, self->len, 0, 0, 0, NULL);
	EXPECT_TRUE(want == EHWPOISON || want == EFAULT)
		TH_LOG("madvise said %s", strerror(want));
	EXPECT_EQ(want, got);
	munmap(p, self->len);
	close(fd);
}

/*
 * A bare pid names the caller only: another one is EPERM whatever the
 * caller's capabilities (root here), and without a lookup, so it tells
 * nothing about which pids exist.
 */
TEST_F(contract, another_pid_without_descriptor_is_eperm)
{
	EXPECT_EQ(EPERM, prefault(self->dev, self->p, self->len, 0, 0x3fffffff,
				  0, NULL));
	EXPECT_EQ(EPERM, prefault(self->dev, self->p, self->len, 0, 1, 0,
				  NULL));
	EXPECT_EQ(0, prefault(self->dev, self->p, self->len, 0, getpid(), 0,
			      NULL));
}

/* Every way a descriptor can be wrong is EBADF. */
TEST_F(contract, bad_descriptor_is_ebadf)
{
	int ro = mem_open(getpid(), O_RDONLY);
	int wo = mem_open(getpid(), O_WRONLY);
	int maps = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, ro);
	ASSERT_LE(0, wo);
	ASSERT_LE(0, maps);
	EXPECT_EQ(EBADF, prefault_fd(self->dev, self->p, self->len, 0, 0,
				     self->dev, 0, NULL));
	EXPECT_EQ(EBADF, prefault_fd(self->dev, self->p, self->len, 0, 0,
				     maps, 0, NULL));
	EXPECT_EQ(EBADF, prefault_fd(self->dev, self->p, self->len, 0, 0,
				     1000, 0, NULL));
	EXPECT_EQ(EBADF, ioctl(self->dev, VMPKRAM_IOC_PREFAULT,
			       &(struct vmpkram_prefault){
				       .size = sizeof(struct vmpkram_prefault),
				       .flags = VMPKRAM_PREFAULT_F_MEM_FD,
				       .addr = (uintptr_t)self->p,
				       .len = self->len, .mem_fd = -1 }) ?
			 errno : 0);
	/* Open for what the call does: writing, or reading with F_READ. */
	EXPECT_EQ(EBADF, prefault_fd(self->dev, self->p, self->len, 0, 0,
				     ro, 0, NULL));
	EXPECT_EQ(EBADF, prefault_fd(self->dev, self->p, self->len,
				     VMPKRAM_PREFAULT_F_ZERO, 0, ro, 0, NULL));
	EXPECT_EQ(EBADF, prefault_fd(self->dev, self->p, self->len,
				     VMPKRAM_PREFAULT_F_READ, 0, wo, 0, NULL));
	/* Nothing was populated by any rejected call. */
	EXPECT_EQ(self->len / page_size(), pages_missing(self->p, self->len));
	EXPECT_EQ(0, prefault_fd(self->dev, self->p, self->len,
				 VMPKRAM_PREFAULT_F_READ, 0, ro, 0, NULL));
	EXPECT_EQ(0, prefault_fd(self->dev, self->p, self->len, 0, 0, wo, 0,
				 NULL));
	EXPECT_EQ(0, pages_missing(self->p, self->len));
	close(maps);
	close(wo);
	close(ro);
}

/* A pid given with a descriptor must be the descriptor's process. */
TEST_F(contract, pid_must_match_the_descriptor)
{
	int fd = mem_open(getpid(), O_RDWR);
	char path[64];
	int task;

	ASSERT_LE(0, fd);
	EXPECT_EQ(ESRCH, prefault_fd(self->dev, self->p, self->len, 0,
				     getppid(), fd, 0, NULL));
	EXPECT_EQ(ESRCH, prefault_fd(self->dev, self->p, self->len, 0,
				     0x3fffffff, fd, 0, NULL));
	EXPECT_EQ(0, prefault_fd(self->dev, self->p, self->len, 0, getpid(),
				 fd, 0, NULL));
	/* A thread's mem is its process's. */
	snprintf(path, sizeof(path), "/proc/self/task/%d/mem", getpid());
	task = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, task);
	EXPECT_EQ(0, prefault_fd(self->dev, self->p, self->len, 0, 0, task, 0,
				 NULL));
	close(task);
	close(fd);
}

/* The mm of a descriptor is the one at its open: after an exec, ESRCH. */
TEST_F(contract, target_that_execd_is_esrch)
{
	int up[2], down[2], fd, status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(up[0]);
		close(down[1]);
		/* up closes at the exec: that is how the parent knows. */
		fcntl(up[1], F_SETFD, FD_CLOEXEC);
		if (read(down[0], &c, 1) == 1)
			execlp("sleep", "sleep", "30", NULL);
		_exit(1);
	}
	close(up[1]);
	close(down[0]);
	fd = mem_open(pid, O_RDWR);		/* before the exec */
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(down[1], "x", 1));
	ASSERT_EQ(0, read(up[0], &c, 1));	/* exec'd */
	close(up[0]);
	close(down[1]);
	EXPECT_EQ(ESRCH, prefault_fd(self->dev, self->p, self->len, 0, pid,
				     fd, 0, NULL));
	EXPECT_EQ(ESRCH, prefault_fd(self->dev, self->p, self->len, 0, 0, fd,
				     0, NULL));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(fd);
}

/* A child that maps memory, reports its address and waits. */
struct target {
	pid_t pid;
	char *addr;
	int to_child;
};

static int target_start(struct target *t, size_t len)
{
	int up[2], down[2];
	char c;

	if (pipe(up) || pipe(down))
		return -1;
	t->pid = fork();
	if (t->pid < 0)
		return -1;
	if (!t->pid) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int ok;

		/* Or the parent's close would not reach the read below. */
		close(up[0]);
		close(down[1]);
		if (write(up[1], &p, sizeof(p)) != sizeof(p) ||
		    read(down[0], &c, 1) != 1)
			_exit(2);
		ok = p != MAP_FAILED && pages_missing(p, len) == 0;
		_exit(ok ? 0 : 1);
	}
	close(up[1]);
	close(down[0]);
	t->to_child = down[1];
	if (read(up[0], &t->addr, sizeof(t->addr)) != sizeof(t->addr))
		return -1;
	close(up[0]);
	return t->addr == MAP_FAILED ? -1 : 0;
}

/* 0 when the child found every page present. */
static int target_finish(struct target *t)
{
	int status;

	if (write(t->to_child, "x", 1) != 1)
		return -1;
	close(t->to_child);
	if (waitpid(t->pid, &status, 0) != t->pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST(root_populates_another_process)
{
	size_t len = 32 * SZ_1M;
	struct target t;
	__u64 done = 0;
	int dev = dev_open(), fd;

	ASSERT_LE(0, dev);
	ASSERT_EQ(0, target_start(&t, len));
	fd = mem_open(t.pid, O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, prefault_fd(dev, t.addr, len, 0, t.pid, fd, 0, &done));
	EXPECT_EQ(len, done);
	EXPECT_EQ(0, target_finish(&t));
	close(fd);
	close(dev);
}

static pid_t target_pid;
static char *target_addr;

static int unprivileged_prefault_target(void)
{
	int dev = dev_open();
	int ret;

	if (dev < 0)
		return errno;
	ret = prefault(dev, target_addr, page_size(), 0, target_pid, 0, NULL);
	close(dev);
	return ret;
}

static int unprivileged_prefault_self(void)
{
	size_t len = 4 * SZ_1M;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int dev = dev_open();
	int ret;

	if (dev < 0 || p == MAP_FAILED)
		return EIO;
	/* Naming its own pid is the same as 0. */
	ret = prefault(dev, p, len, 0, getpid(), 0, NULL);
	if (!ret && pages_missing(p, len))
		ret = EIO;
	close(dev);
	return ret;
}

/* A bare pid of another process, here root's: EPERM. */
TEST(unprivileged_caller_is_eperm_on_other_process)
{
	struct target t;

	ASSERT_EQ(0, target_start(&t, SZ_1M));
	target_pid = t.pid;
	target_addr = t.addr;
	EXPECT_EQ(EPERM, run_unprivileged(unprivileged_prefault_target));
	/* The child reports pages missing: nothing was populated. */
	EXPECT_EQ(1, target_finish(&t));
	EXPECT_EQ(0, run_unprivileged(unprivileged_prefault_self));
}

static pid_t same_user_target(int *to_child, char **addr)
{
	struct target t;

	if (target_start(&t, SZ_1M))
		return -1;
	*to_child = t.to_child;
	*addr = t.addr;
	return t.pid;
}

static int unprivileged_on_own_child(void)
{
	int to_child, status, ret, dev = dev_open();
	char *addr;
	pid_t pid = same_user_target(&to_child, &addr);

	if (pid < 0 || dev < 0)
		return EIO;
	ret = prefault(dev, addr, page_size(), 0, pid, 0, NULL);
	close(to_child);
	waitpid(pid, &status, 0);
	close(dev);
	return ret;
}

/* Even its own child, by bare pid: the descriptor is the permission. */
TEST(unprivileged_caller_is_eperm_on_its_own_child)
{
	EXPECT_EQ(EPERM, run_unprivileged(unprivileged_on_own_child));
}

/* A target that exits mid-call ends the call cleanly. */
TEST(target_exit_mid_call)
{
	size_t len = 512 * SZ_1M;
	struct target t;
	__u64 done = 0;
	int dev = dev_open(), ret, fd;
	pid_t killer;

	ASSERT_LE(0, dev);
	ASSERT_EQ(0, target_start(&t, len));
	fd = mem_open(t.pid, O_RDWR);
	ASSERT_LE(0, fd);
	killer = fork();
	ASSERT_LE(0, killer);
	if (!killer) {
		usleep(50 * 1000);
		kill(t.pid, SIGKILL);
		_exit(0);
	}
	ret = prefault_fd(dev, t.addr, len, 0, t.pid, fd, 0, &done);
	EXPECT_TRUE(ret == 0 || ret == ESRCH) TH_LOG("got %s", strerror(ret));
	EXPECT_GE(len, done);
	waitpid(killer, NULL, 0);
	waitpid(t.pid, NULL, 0);
	close(fd);
	close(dev);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Zeroes 1 GiB in a child, which exits 0 when the whole call succeeded. */
static pid_t start_big_zero(size_t len)
{
	pid_t pid = fork();

	if (!pid) {
		int dev = dev_open();
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (dev < 0 || p == MAP_FAILED)
			_exit(2);
		_exit(prefault(dev, p, len, VMPKRAM_PREFAULT_F_ZERO, 0, 0,
			       NULL) ? 1 : 0);
	}
	return pid;
}

static long module_refcnt(void)
{
	return read_long("/sys/module/vmpkram/refcnt");
}

/*
 * SIGKILL during a large job: the call returns long before the job
 * could have finished, and leaves no job and no module reference.
 */
TEST(sigkill_returns_promptly)
{
	size_t len = 1024 * SZ_1M;
	double t0, full, killed;
	long refs = module_refcnt();
	int status, i;
	pid_t pid;

	ASSERT_LE(0, refs);
	t0 = now();
	pid = start_big_zero(len);
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	full = now() - t0;
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("the uninterrupted job failed");

	t0 = now();
	pid = start_big_zero(len);
	ASSERT_LT(0, pid);
	usleep(full * 1e6 / 5);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	killed = now() - t0;
	EXPECT_TRUE(WIFSIGNALED(status));
	TH_LOG("full job %.2f s, killed at %.2f s, returned at %.2f s",
	       full, full / 5, killed);
	EXPECT_LT(killed, full * 0.6);
	/* Workers finish the chunk they are on, then drop the module. */
	for (i = 0; i < 100 && module_refcnt() != refs; i++)
		usleep(100 * 1000);
	EXPECT_EQ(refs, module_refcnt());
}

/*
 * A job whose workers wait in userfaultfd faults that nobody answers: the
 * caller, killed, must exit at once (its exit closes the userfaultfd,
 * which lets the workers go), and the module reference the job holds must
 * be dropped when they are done, so that rmmod works.  Before, the killed
 * caller waited uninterruptibly for workers that waited for its exit.
 */
TEST(sigkill_with_workers_in_userfaultfd)
{
	size_t len = 8 * SZ_2M;		/* a chunk for every thread */
	long refs = module_refcnt();
	int ready[2], status, i;
	double t0, took;
	pid_t pid;
	char c;

	ASSERT_LE(0, refs);
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct uffdio_api api = { .api = UFFD_API };
		struct uffdio_register reg = { 0 };
		int dev = dev_open();
		long uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
		char *p = map_aligned(len, SZ_2M, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1);

		if (dev < 0 || uffd < 0 || p == MAP_FAILED ||
		    ioctl(uffd, UFFDIO_API, &api))
			_exit(2);
		madvise(p, len, MADV_NOHUGEPAGE);
		reg.range.start = (uintptr_t)p;
		reg.range.len = len;
		reg.mode = UFFDIO_REGISTER_MODE_MISSING;
		if (ioctl(uffd, UFFDIO_REGISTER, &reg) ||
		    write(ready[1], "", 1) != 1)
			_exit(3);
		/* Every chunk faults on the userfaultfd: never returns. */
		prefault(dev, p, len, 0, 0, 0, NULL);
		_exit(4);
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);
	usleep(500 * 1000);		/* every thread is in its fault */
	ASSERT_EQ(0, waitpid(pid, &status, WNOHANG));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	t0 = now();
	for (i = 0; i < 100 && !waitpid(pid, &status, WNOHANG); i++)
		usleep(100 * 1000);
	took = now() - t0;
	ASSERT_TRUE(i < 100) TH_LOG("the killed caller is still there after 10 s");
	EXPECT_TRUE(WIFSIGNALED(status));
	TH_LOG("the killed caller exited after %.2f s", took);
	EXPECT_LT(took, 3);
	/* The workers let go of the job, and of the module. */
	for (i = 0; i < 100 && module_refcnt() != refs; i++)
		usleep(100 * 1000);
	EXPECT_EQ(refs, module_refcnt());
}

static int unprivileged_threads(void)
{
	size_t len = 8 * SZ_2M;
	char *p = map_aligned(len, SZ_2M, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1);
	struct vmpkram_prefault req = {
		.size = sizeof(req), .addr = (uintptr_t)p, .len = len,
	};
	int dev = dev_open();

	if (dev < 0 || p == MAP_FAILED ||
	    ioctl(dev, VMPKRAM_IOC_PREFAULT, &req))
		return 254;
	return req.threads;
}

/*
 * Kernel workers are CPU time outside the caller's cgroup: a caller
 * without CAP_SYS_RESOURCE does all the work in its own thread.
 */
TEST(unprivileged_caller_gets_no_kernel_workers)
{
	struct vmpkram_api api = { .size = sizeof(api) };
	int dev = dev_open();

	ASSERT_LE(0, dev);
	ASSERT_EQ(0, ioctl(dev, VMPKRAM_IOC_GET_API, &api));
	close(dev);
	if (api.max_workers < 2)
		SKIP(return, "max_workers is 1: there is nothing to limit");
	EXPECT_EQ(1, run_unprivileged(unprivileged_threads));
	EXPECT_EQ(MIN(api.max_workers, 8), unprivileged_threads());
}

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define CGROUP_TEST	CGROUP_ROOT "/vmpkram-prefault"

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Whether cgroup2 at CGROUP_ROOT offers the memory controller. */
static bool has_memory_controller(void)
{
	char word[64];
	bool found = false;
	FILE *f = fopen(CGROUP_ROOT "/cgroup.controllers", "r");

	while (f && fscanf(f, "%63s", word) == 1)
		found |= !strcmp(word, "memory");
	if (f)
		fclose(f);
	return found;
}

/*
 * The memory controller is missing for want of kernel support: no
 * cgroup2 at all, or one mounted without it (the debug kernel).
 */
static bool memcg_not_in_kernel(void)
{
	FILE *f = fopen("/proc/filesystems", "r");
	char line[128];
	bool cgroup2 = false;

	while (f && fgets(line, sizeof(line), f))
		cgroup2 |= !!strstr(line, "\tcgroup2\n");
	if (f)
		fclose(f);
	return !cgroup2 || !access(CGROUP_ROOT "/cgroup.controllers", F_OK);
}

/* A line "KEY N" of memory.stat, or -1. */
static long memcg_stat(const char *key)
{
	char name[64];
	long v, found = -1;
	FILE *f = fopen(CGROUP_TEST "/memory.stat", "r");

	while (f && fscanf(f, "%63s %ld", name, &v) == 2)
		if (!strcmp(name, key))
			found = v;
	if (f)
		fclose(f);
	return found;
}

/* In the test cgroup: populate 1 GiB for read, page tables charged. */
static long pagetables_charged(int threads)
{
	size_t len = SZ_1G;
	char *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_NORESERVE, -1, 0);
	long before, after;
	__u64 done = 0;
	int dev = dev_open();

	if (dev < 0 || p == MAP_FAILED ||
	    madvise(p, len, MADV_NOHUGEPAGE))
		return -1;
	before = memcg_stat("pagetables");
	if (prefault(dev, p, len, VMPKRAM_PREFAULT_F_READ, 0, threads,
		     &done) || done != len)
		return -1;
	after = memcg_stat("pagetables");
	munmap(p, len);
	close(dev);
	return before < 0 || after < 0 ? -1 : after - before;
}

/*
 * Page tables are charged to the caller's memory cgroup whichever thread
 * faults them in: read-populating 1 GiB with 4 KiB entries takes 512
 * page table pages (2 MiB).  Workers used to charge the root cgroup.
 */
TEST(worker_page_tables_are_charged_to_the_caller)
{
	long charged = -1;
	int status, out[2];
	char pid[32];
	pid_t child;

	mount("none", CGROUP_ROOT, "cgroup2", 0, NULL);
	if (!has_memory_controller()) {
		ASSERT_TRUE(memcg_not_in_kernel());
		SKIP(return, "the kernel has no memory cgroup controller");
	}
	ASSERT_EQ(0, write_str(CGROUP_ROOT "/cgroup.subtree_control",
			       "+memory"));
	rmdir(CGROUP_TEST);
	ASSERT_EQ(0, mkdir(CGROUP_TEST, 0755));
	ASSERT_EQ(0, pipe(out));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		snprintf(pid, sizeof(pid), "%d", getpid());
		if (!write_str(CGROUP_TEST "/cgroup.procs", pid))
			charged = pagetables_charged(0);
		_exit(write(out[1], &charged, sizeof(charged)) !=
		      sizeof(charged));
	}
	close(out[1]);
	ASSERT_EQ(sizeof(charged), read(out[0], &charged, sizeof(charged)));
	close(out[0]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	rmdir(CGROUP_TEST);
	ASSERT_LE(0, charged) TH_LOG("the child could not measure");
	TH_LOG("page tables charged to the caller's cgroup: %ld KiB",
	       charged >> 10);
	EXPECT_LE(2 * SZ_1M * 95 / 100, charged);
}

struct churn {
	char *p;
	size_t len;
	volatile bool stop;
};

/* Unmaps, remaps and mprotects pieces of the range until told to stop. */
static void *churn_fn(void *arg)
{
	struct churn *c = arg;
	size_t piece = 4 * SZ_1M, off = 0;

	while (!c->stop) {
		char *at = c->p + off;

		munmap(at, piece);
		mmap(at, piece, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		mprotect(at, piece, PROT_READ);
		mprotect(at, piece, PROT_READ | PROT_WRITE);
		off = (off + 7 * piece) % c->len;
	}
	return NULL;
}

TEST(concurrent_munmap_and_mprotect)
{
	struct churn c = { .len = 256 * SZ_1M };
	int dev = dev_open(), i, ret;
	pthread_t th;

	ASSERT_LE(0, dev);
	c.p = mmap(NULL, c.len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c.p);
	ASSERT_EQ(0, pthread_create(&th, NULL, churn_fn, &c));
	for (i = 0; i < 8; i++) {
		ret = prefault(dev, c.p, c.len, i & 1 ? VMPKRAM_PREFAULT_F_ZERO :
			       0, 0, 0, NULL);
		EXPECT_TRUE(ret == 0 || ret == ENOMEM || ret == EINVAL)
			TH_LOG("got %s", strerror(ret));
		madvise(c.p, c.len, MADV_DONTNEED);
	}
	c.stop = true;
	pthread_join(th, NULL);
	munmap(c.p, c.len);
	close(dev);
}

TEST_HARNESS_MAIN
