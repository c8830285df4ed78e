// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory the benchmarks populate, and QEMU 7.2's threaded populate:
 * anonymous 4 KiB, THP, hugetlb 2 MiB and memfd mappings, and the
 * hugetlb pool and THP setting they need.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define HUGETLB_DIR	"/sys/kernel/mm/hugepages/hugepages-2048kB/"

/* ------------------------------------------------------------ mappings */

static int map_thp(struct region *r)
{
	uintptr_t a;

	/* Over-allocate so that the range can start on a 2 MiB boundary. */
	r->raw_len = r->len + SZ_2M;
	r->raw = mmap(NULL, r->raw_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->raw == MAP_FAILED)
		return -errno;
	a = ((uintptr_t)r->raw + SZ_2M - 1) & ~(SZ_2M - 1);
	r->addr = (char *)a;
	return madvise(r->addr, r->len, MADV_HUGEPAGE) ? -errno : 0;
}

static int map_memfd(struct region *r)
{
	r->fd = memfd_create("vmpkram-bench", MFD_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	if (ftruncate(r->fd, r->len))
		return -errno;
	r->raw_len = r->len;
	r->raw = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd,
		      0);
	if (r->raw == MAP_FAILED)
		return -errno;
	r->addr = r->raw;
	return 0;
}

void region_unmap(struct region *r)
{
	if (r->raw && r->raw != MAP_FAILED)
		munmap(r->raw, r->raw_len);
	if (r->fd >= 0)
		close(r->fd);
}

int region_map(enum mem_type type, size_t len, struct region *r)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	int ret;

	*r = (struct region){ .len = len, .raw_len = len, .fd = -1 };
	switch (type) {
	case THP:
		ret = map_thp(r);
		break;
	case MEMFD:
		ret = map_memfd(r);
		break;
	case HUGETLB2M:
		flags |= MAP_HUGETLB | MAP_HUGE_2MB;
		/* fall through */
	default:
		r->raw = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
		if (r->raw == MAP_FAILED)
			return -errno;
		r->addr = r->raw;
		ret = 0;
		if (type == ANON && madvise(r->addr, len, MADV_NOHUGEPAGE))
			ret = -errno;
	}
	if (ret)
		region_unmap(r);
	return ret;
}

/* ------------------------------------------------- threaded populate */

struct share {
	char *addr;
	size_t len;
	int ret;
	pthread_mutex_t *lock;
	pthread_cond_t *go;
	bool *started;
};

static void *share_thread(void *arg)
{
	struct share *s = arg;

	/* QEMU 7.2 releases all threads at once, after creating them all. */
	pthread_mutex_lock(s->lock);
	while (!*s->started)
		pthread_cond_wait(s->go, s->lock);
	pthread_mutex_unlock(s->lock);
	s->ret = madvise(s->addr, s->len, MADV_POPULATE_WRITE) ? -errno : 0;
	return NULL;
}

/* touch_all_pages() of QEMU 7.2 util/oslib-posix.c, with madvise. */
int populate_threads(struct region *r, size_t page, unsigned int n)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t go = PTHREAD_COND_INITIALIZER;
	size_t pages = r->len / page, per = pages / n, left = pages % n;
	struct share s[n];
	pthread_t t[n];
	bool started = false;
	char *addr = r->addr;
	unsigned int i, created;
	int ret = 0;

	for (created = 0; created < n; created++) {
		i = created;
		s[i] = (struct share){
			.addr = addr, .len = (per + (i < left)) * page,
			.lock = &lock, .go = &go, .started = &started,
		};
		addr += s[i].len;
		if (pthread_create(&t[i], NULL, share_thread, &s[i])) {
			ret = -EAGAIN;
			break;
		}
	}
	pthread_mutex_lock(&lock);
	started = true;
	pthread_cond_broadcast(&go);
	pthread_mutex_unlock(&lock);
	for (i = 0; i < created; i++) {
		pthread_join(t[i], NULL);
		ret = ret ?: s[i].ret;
	}
	return ret;
}

/* ---------------------------------------------------- hugetlb and THP */

static long read_long(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "re");

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int write_long(const char *path, long v)
{
	FILE *f = fopen(path, "we");
	int ret = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%ld\n", v) < 0)
		ret = -EIO;
	if (fclose(f))
		ret = -errno;
	return ret;
}

static long hugetlb_saved = -1;

bool hugetlb_reserve(size_t len, char *why, size_t size)
{
	long need = len / SZ_2M, nr, nfree;

	nr = read_long(HUGETLB_DIR "nr_hugepages");
	nfree = read_long(HUGETLB_DIR "free_hugepages");
	if (nr < 0 || nfree < 0) {
		snprintf(why, size, "no 2 MiB hugetlb pool (%s)", HUGETLB_DIR);
		return false;
	}
	if (hugetlb_saved < 0)
		hugetlb_saved = nr;
	if (nfree < need)
		write_long(HUGETLB_DIR "nr_hugepages", nr + need - nfree);
	nfree = read_long(HUGETLB_DIR "free_hugepages");
	if (nfree >= need)
		return true;
	snprintf(why, size,
		 "only %ld of %ld free 2 MiB hugetlb pages after raising vm.nr_hugepages",
		 nfree, need);
	return false;
}

void hugetlb_restore(void)
{
	if (hugetlb_saved >= 0)
		write_long(HUGETLB_DIR "nr_hugepages", hugetlb_saved);
	hugetlb_saved = -1;
}

bool thp_available(char *why, size_t size)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	if (strstr(buf, "[always]") || strstr(buf, "[madvise]"))
		return true;
	snprintf(why, size, "transparent huge pages disabled (%s)",
		 buf[0] ? "[never]" : "no sysfs file");
	return false;
}
