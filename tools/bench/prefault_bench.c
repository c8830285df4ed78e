// SPDX-License-Identifier: GPL-2.0-only
/*
 * prefault_bench: how fast memory gets populated by VMPKRAM_IOC_PREFAULT
 * compared with what QEMU 7.2 does for -mem-prealloc.
 *
 * For every memory type (anon 4K, anon THP, hugetlb 2M, memfd) and size,
 * each method runs R times, each time on a fresh mapping: map, time only
 * the populate, unmap.  Methods:
 *
 *   vmpkram-1t   VMPKRAM_IOC_PREFAULT, threads = 1
 *   vmpkram-Nt   VMPKRAM_IOC_PREFAULT, threads = N (online CPUs)
 *   populate-1t  one madvise(MADV_POPULATE_WRITE) over the range
 *   populate-Nt  QEMU 7.2's touch_all_pages(): N pthreads created per
 *                call, each MADV_POPULATE_WRITE on an equal contiguous
 *                share of the pages, all released at once, then joined
 *   touch        one thread writing one byte per 4 KiB page
 *
 * Reports the median, min and max time and GB/s (10^9 bytes per second)
 * of the median, as a table and as JSON (json-c).  The ioctl is called
 * directly rather than through libvmpkram so that the binary links
 * statically (no libkmod.a) and runs in the test VM as it is.
 *
 * Host-side helpers for tools/bench/run-bench: --report prints the table
 * of a result file, --merge combines a new result into an existing file.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <json.h>
#include <linux/vmpkram.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB		(21 << MAP_HUGE_SHIFT)
#endif

#define SZ_4K		4096UL
#define SZ_2M		(2UL << 20)
#define HUGETLB_DIR	"/sys/kernel/mm/hugepages/hugepages-2048kB/"
#define MARK_BEGIN	"# vmpkram-bench: json begin"
#define MARK_END	"# vmpkram-bench: json end"

enum mem_type { ANON, THP, HUGETLB2M, MEMFD, NR_TYPES };
enum method { VMPK_1T, VMPK_NT, POP_1T, POP_NT, TOUCH, NR_METHODS };

static const char *const type_names[NR_TYPES] = {
	"anon", "thp", "hugetlb2m", "memfd",
};
static const char *const method_names[NR_METHODS] = {
	"vmpkram-1t", "vmpkram-Nt", "populate-1t", "populate-Nt", "touch",
};

struct size_opt {
	const char *name;
	size_t bytes;
};

static const struct size_opt sizes[] = {
	{ "256m", 256UL << 20 },
	{ "1g", 1UL << 30 },
};
#define NR_SIZES	(sizeof(sizes) / sizeof(sizes[0]))

static struct {
	unsigned int runs;
	unsigned int threads;	/* N */
	unsigned int types, methods, sizes;	/* bit masks */
	const char *output;
	bool markers;
} opt = {
	.runs = 5,
	.types = (1 << NR_TYPES) - 1,
	.methods = (1 << NR_METHODS) - 1,
	.sizes = (1 << NR_SIZES) - 1,
};

static int dev_fd = -1;
static char dev_error[160];	/* why vmpkram methods cannot run */
static bool failed;

/* ------------------------------------------------------------ mappings */

struct region {
	char *addr;
	size_t len;
	void *raw;		/* what to munmap */
	size_t raw_len;
	int fd;
};

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
	r->fd = memfd_create("prefault-bench", MFD_CLOEXEC);
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

static void region_unmap(struct region *r)
{
	if (r->raw && r->raw != MAP_FAILED)
		munmap(r->raw, r->raw_len);
	if (r->fd >= 0)
		close(r->fd);
}

static int region_map(enum mem_type type, size_t len, struct region *r)
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

/* ------------------------------------------------------------- methods */

static int vmpkram_populate(struct region *r, unsigned int threads)
{
	struct vmpkram_prefault req = {
		.size = sizeof(req), .addr = (uintptr_t)r->addr, .len = r->len,
		.threads = threads,
	};

	if (ioctl(dev_fd, VMPKRAM_IOC_PREFAULT, &req))
		return -errno;
	/* A short populate would make the time meaningless. */
	return req.done == r->len ? 0 : -EIO;
}

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
static int populate_threads(struct region *r, size_t page, unsigned int n)
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

static int touch(struct region *r)
{
	volatile char *p;

	/* QEMU's fallback: a read and a write of each page. */
	for (p = r->addr; p < r->addr + r->len; p += SZ_4K)
		*p = *p;
	return 0;
}

static int populate(enum method m, enum mem_type type, struct region *r)
{
	size_t page = type == HUGETLB2M ? SZ_2M : SZ_4K;

	switch (m) {
	case VMPK_1T:
		return vmpkram_populate(r, 1);
	case VMPK_NT:
		return vmpkram_populate(r, opt.threads);
	case POP_1T:
		return madvise(r->addr, r->len, MADV_POPULATE_WRITE) ? -errno : 0;
	case POP_NT:
		return populate_threads(r, page, opt.threads);
	default:
		return touch(r);
	}
}

/* ------------------------------------------------------------ hugetlb */

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

/* Grows the 2 MiB pool to hold @len; false (with @why) when it cannot. */
static bool hugetlb_reserve(size_t len, char *why, size_t size)
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

static void hugetlb_restore(void)
{
	if (hugetlb_saved >= 0)
		write_long(HUGETLB_DIR "nr_hugepages", hugetlb_saved);
	hugetlb_saved = -1;
}

static bool thp_available(char *why, size_t size)
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

/* --------------------------------------------------------------- runs */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *t, unsigned int n)
{
	double s[n];

	memcpy(s, t, sizeof(s));
	qsort(s, n, sizeof(s[0]), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void add_skip(struct json_object *skipped, const char *cname,
		     const char *method, const char *why)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "case", json_object_new_string(cname));
	if (method)
		json_object_object_add(o, "method",
				       json_object_new_string(method));
	json_object_object_add(o, "reason", json_object_new_string(why));
	json_object_array_add(skipped, o);
	fprintf(stderr, "prefault_bench: %s%s%s skipped: %s\n", cname,
		method ? " " : "", method ? method : "", why);
}

/* R timed runs of one method; 0 or the first -errno. */
static int measure(enum method m, enum mem_type type, size_t len, double *t)
{
	struct region r;
	unsigned int i;
	double t0;
	int ret;

	for (i = 0; i < opt.runs; i++) {
		ret = region_map(type, len, &r);
		if (ret)
			return ret;
		t0 = now_s();
		ret = populate(m, type, &r);
		t[i] = now_s() - t0;
		region_unmap(&r);
		if (ret)
			return ret;
	}
	return 0;
}

static struct json_object *run_entry(const char *cname, enum method m,
				     size_t len, const double *t)
{
	struct json_object *o = json_object_new_object();
	struct json_object *times = json_object_new_array();
	double med = median(t, opt.runs), lo = t[0], hi = t[0];
	unsigned int i;

	for (i = 0; i < opt.runs; i++) {
		json_object_array_add(times, json_object_new_double(t[i]));
		lo = t[i] < lo ? t[i] : lo;
		hi = t[i] > hi ? t[i] : hi;
	}
	json_object_object_add(o, "case", json_object_new_string(cname));
	json_object_object_add(o, "method",
			       json_object_new_string(method_names[m]));
	json_object_object_add(o, "size", json_object_new_uint64(len));
	json_object_object_add(o, "threads", json_object_new_int(
		m == VMPK_NT || m == POP_NT ? (int)opt.threads : 1));
	json_object_object_add(o, "times_s", times);
	json_object_object_add(o, "median_s", json_object_new_double(med));
	json_object_object_add(o, "min_s", json_object_new_double(lo));
	json_object_object_add(o, "max_s", json_object_new_double(hi));
	json_object_object_add(o, "gbps", json_object_new_double(len / med / 1e9));
	return o;
}

static void run_case(enum mem_type type, const struct size_opt *sz,
		     struct json_object *runs, struct json_object *skipped)
{
	char cname[64], why[160];
	double t[opt.runs];
	unsigned int m;
	int ret;

	snprintf(cname, sizeof(cname), "prefault-%s-%s", type_names[type],
		 sz->name);
	if ((type == HUGETLB2M && !hugetlb_reserve(sz->bytes, why, sizeof(why))) ||
	    (type == THP && !thp_available(why, sizeof(why)))) {
		add_skip(skipped, cname, NULL, why);
		return;
	}
	for (m = 0; m < NR_METHODS; m++) {
		if (!(opt.methods & (1 << m)))
			continue;
		if ((m == VMPK_1T || m == VMPK_NT) && dev_fd < 0) {
			add_skip(skipped, cname, method_names[m], dev_error);
			failed = true;
			continue;
		}
		fprintf(stderr, "prefault_bench: %s %s x%u\n", cname,
			method_names[m], opt.runs);
		ret = measure(m, type, sz->bytes, t);
		if (ret) {
			snprintf(why, sizeof(why), "failed: %s", strerror(-ret));
			add_skip(skipped, cname, method_names[m], why);
			failed = true;
			continue;
		}
		json_object_array_add(runs, run_entry(cname, m, sz->bytes, t));
	}
}

/* ------------------------------------------------------------ results */

static struct json_object *find_run(struct json_object *runs,
				    const char *cname, const char *method)
{
	struct json_object *o, *c, *m;
	size_t i;

	for (i = 0; i < json_object_array_length(runs); i++) {
		o = json_object_array_get_idx(runs, i);
		if (json_object_object_get_ex(o, "case", &c) &&
		    json_object_object_get_ex(o, "method", &m) &&
		    !strcmp(json_object_get_string(c), cname) &&
		    !strcmp(json_object_get_string(m), method))
			return o;
	}
	return NULL;
}

static double get_double(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ?
		json_object_get_double(v) : 0;
}

/* "CASE:vmpkram-Xt/BASE": BASE's median over ours, for every case. */
static struct json_object *speedups(struct json_object *runs)
{
	static const char *const ours[] = { "vmpkram-Nt", "vmpkram-1t" };
	static const char *const bases[] = { "populate-1t", "populate-Nt",
					     "touch" };
	struct json_object *sp = json_object_new_object();
	struct json_object *o, *c, *base;
	char key[128];
	size_t i, j, k;

	for (i = 0; i < json_object_array_length(runs); i++) {
		o = json_object_array_get_idx(runs, i);
		json_object_object_get_ex(o, "case", &c);
		for (j = 0; j < 2; j++) {
			if (find_run(runs, json_object_get_string(c), ours[j]) != o)
				continue;
			for (k = 0; k < 3; k++) {
				base = find_run(runs, json_object_get_string(c),
						bases[k]);
				if (!base || get_double(o, "median_s") <= 0)
					continue;
				snprintf(key, sizeof(key), "%s:%s/%s",
					 json_object_get_string(c), ours[j],
					 bases[k]);
				json_object_object_add(sp, key, json_object_new_double(
					get_double(base, "median_s") /
					get_double(o, "median_s")));
			}
		}
	}
	return sp;
}

static void print_table(struct json_object *res)
{
	struct json_object *runs, *o, *c, *m, *v;
	double base;
	size_t i;

	if (!json_object_object_get_ex(res, "runs", &runs))
		return;
	printf("%-24s %-12s %3s %9s %9s %9s %8s %8s\n", "case", "method",
	       "thr", "median s", "min s", "max s", "GB/s", "vs pop1");
	for (i = 0; i < json_object_array_length(runs); i++) {
		o = json_object_array_get_idx(runs, i);
		json_object_object_get_ex(o, "case", &c);
		json_object_object_get_ex(o, "method", &m);
		json_object_object_get_ex(o, "threads", &v);
		base = get_double(find_run(runs, json_object_get_string(c),
					   "populate-1t"), "median_s");
		printf("%-24s %-12s %3d %9.4f %9.4f %9.4f %8.2f ",
		       json_object_get_string(c), json_object_get_string(m),
		       json_object_get_int(v), get_double(o, "median_s"),
		       get_double(o, "min_s"), get_double(o, "max_s"),
		       get_double(o, "gbps"));
		if (base > 0)
			printf("%7.2fx\n", base / get_double(o, "median_s"));
		else
			printf("%8s\n", "-");
	}
	printf("GB/s = 10^9 bytes per second of the median time; vs pop1 = populate-1t median / this median.\n");
}

/* ------------------------------------------------------------ machine */

/* The hypervisor's CPUID signature: "tcg", "kvm", or "none". */
static const char *accel(void)
{
	static char sig[13];
	unsigned int a, b, c, d;

	__cpuid(1, a, b, c, d);
	if (!(c & (1U << 31)))
		return "none";
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	if (!strcmp(sig, "TCGTCGTCGTCG"))
		return "tcg";
	if (!strncmp(sig, "KVMKVMKVM", 9))
		return "kvm";
	return sig[0] ? sig : "unknown";
}

static struct json_object *machine(void)
{
	struct json_object *vm = json_object_new_object();
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

	json_object_object_add(vm, "cpus", json_object_new_int(
		sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_object_add(vm, "mem_mib", json_object_new_int64(
		(int64_t)pages * psize >> 20));
	json_object_object_add(vm, "accel", json_object_new_string(accel()));
	return vm;
}

static void open_device(void)
{
	struct vmpkram_api api = { .size = sizeof(api) };

	dev_fd = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0) {
		snprintf(dev_error, sizeof(dev_error), "/dev/vmpkram: %s",
			 strerror(errno));
		return;
	}
	if (ioctl(dev_fd, VMPKRAM_IOC_GET_API, &api) ||
	    !(api.features & VMPKRAM_FEATURE_PREFAULT)) {
		snprintf(dev_error, sizeof(dev_error),
			 "the vmpkram module lacks VMPKRAM_FEATURE_PREFAULT");
		close(dev_fd);
		dev_fd = -1;
	}
}

static int bench(void)
{
	struct json_object *res = json_object_new_object();
	struct json_object *runs = json_object_new_array();
	struct json_object *skipped = json_object_new_array();
	struct utsname uts;
	unsigned int t;
	size_t s;
	FILE *f;

	uname(&uts);
	open_device();
	for (t = 0; t < NR_TYPES; t++) {
		for (s = 0; s < NR_SIZES; s++)
			if ((opt.types & (1 << t)) && (opt.sizes & (1 << s)))
				run_case(t, &sizes[s], runs, skipped);
		/* Reserved hugetlb pages would starve the other types. */
		if (t == HUGETLB2M)
			hugetlb_restore();
	}
	json_object_object_add(res, "kernel", json_object_new_string(uts.release));
	json_object_object_add(res, "vm", machine());
	json_object_object_add(res, "units", json_object_new_string(
		"times in seconds; gbps = 10^9 bytes per second of the median"));
	json_object_object_add(res, "runs_per_case", json_object_new_int(opt.runs));
	json_object_object_add(res, "speedups", speedups(runs));
	json_object_object_add(res, "runs", runs);
	json_object_object_add(res, "skipped", skipped);

	print_table(res);
	if (opt.markers)
		printf("%s\n%s\n%s\n", MARK_BEGIN, json_object_to_json_string_ext(
		       res, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		       JSON_C_TO_STRING_NOSLASHESCAPE), MARK_END);
	if (opt.output) {
		f = fopen(opt.output, "we");
		if (!f || fprintf(f, "%s\n", json_object_to_json_string_ext(
				res, JSON_C_TO_STRING_PRETTY |
				JSON_C_TO_STRING_NOSLASHESCAPE)) < 0 || fclose(f)) {
			fprintf(stderr, "prefault_bench: %s: %s\n", opt.output,
				strerror(errno));
			failed = true;
		}
	}
	json_object_put(res);
	if (dev_fd >= 0)
		close(dev_fd);
	return failed ? 1 : 0;
}

/* ---------------------------------------------------------- host side */

static int report(const char *path)
{
	struct json_object *res = json_object_from_file(path);

	if (!res) {
		fprintf(stderr, "prefault_bench: %s: %s\n", path,
			json_util_get_last_err());
		return 1;
	}
	print_table(res);
	json_object_put(res);
	return 0;
}

/* @into gets every top-level key of @from; its other keys stay. */
static int merge(const char *from, const char *into)
{
	struct json_object *src = json_object_from_file(from), *dst;
	int ret = 1;

	if (!src) {
		fprintf(stderr, "prefault_bench: %s: %s\n", from,
			json_util_get_last_err());
		return 1;
	}
	dst = access(into, F_OK) ? json_object_new_object() :
				   json_object_from_file(into);
	if (!dst || !json_object_is_type(dst, json_type_object)) {
		fprintf(stderr, "prefault_bench: %s is not a JSON object\n", into);
		goto out;
	}
	json_object_object_foreach(src, key, val)
		json_object_object_add(dst, key, json_object_get(val));
	if (json_object_to_file_ext(into, dst, JSON_C_TO_STRING_PRETTY |
				    JSON_C_TO_STRING_SPACED |
				    JSON_C_TO_STRING_NOSLASHESCAPE)) {
		fprintf(stderr, "prefault_bench: %s: %s\n", into,
			json_util_get_last_err());
		goto out;
	}
	ret = 0;
out:
	json_object_put(dst);
	json_object_put(src);
	return ret;
}

/* ------------------------------------------------------------ options */

static void usage(FILE *f)
{
	fprintf(f,
"usage: prefault_bench [--runs R] [--threads N] [--types LIST] [--sizes LIST]\n"
"                      [--methods LIST] [--output FILE] [--markers]\n"
"       prefault_bench --report FILE\n"
"       prefault_bench --merge NEW --into FILE\n"
"\n"
"  --runs R        runs per case and method (default 5); the median counts\n"
"  --threads N     N of the -Nt methods (default: online CPUs)\n"
"  --types LIST    anon,thp,hugetlb2m,memfd (default all)\n"
"  --sizes LIST    256m,1g (default both)\n"
"  --methods LIST  vmpkram-1t,vmpkram-Nt,populate-1t,populate-Nt,touch\n"
"  --output FILE   write the JSON result to FILE\n"
"  --markers       print the JSON on stdout between marker lines\n"
"  --report FILE   print the table of a result file\n"
"  --merge NEW --into FILE  put NEW's top-level keys into FILE\n"
"\n"
"Needs root for hugetlb (it raises vm.nr_hugepages and restores it).\n"
"Exit status 1 when a measurement failed or vmpkram is not usable.\n");
}

/* "a,b" of @names into a bit mask; 0 on an unknown name. */
static unsigned int parse_list(char *s, const char *const *names,
			       unsigned int n)
{
	unsigned int mask = 0, i;
	char *tok, *save;

	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < n && strcmp(tok, names[i]); i++)
			;
		if (i == n)
			return 0;
		mask |= 1U << i;
	}
	return mask;
}

static int parse_options(int argc, char **argv, const char **rep,
			 const char **from, const char **into)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "threads", required_argument, NULL, 't' },
		{ "types", required_argument, NULL, 'T' },
		{ "sizes", required_argument, NULL, 'S' },
		{ "methods", required_argument, NULL, 'M' },
		{ "output", required_argument, NULL, 'o' },
		{ "markers", no_argument, NULL, 'm' },
		{ "report", required_argument, NULL, 'R' },
		{ "merge", required_argument, NULL, 'g' },
		{ "into", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *size_names[NR_SIZES] = { sizes[0].name, sizes[1].name };
	int c, v;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
		case 't':
			v = atoi(optarg);
			if (v < 1 || v > (c == 'r' ? 1000 : VMPKRAM_WORKERS_LIMIT))
				return -1;
			*(c == 'r' ? &opt.runs : &opt.threads) = v;
			break;
		case 'T':
			opt.types = parse_list(optarg, type_names, NR_TYPES);
			if (!opt.types)
				return -1;
			break;
		case 'S':
			opt.sizes = parse_list(optarg, size_names, NR_SIZES);
			if (!opt.sizes)
				return -1;
			break;
		case 'M':
			opt.methods = parse_list(optarg, method_names, NR_METHODS);
			if (!opt.methods)
				return -1;
			break;
		case 'o':
			opt.output = optarg;
			break;
		case 'm':
			opt.markers = true;
			break;
		case 'R':
			*rep = optarg;
			break;
		case 'g':
			*from = optarg;
			break;
		case 'i':
			*into = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind < argc || !*from != !*into)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *rep = NULL, *from = NULL, *into = NULL;

	if (parse_options(argc, argv, &rep, &from, &into)) {
		usage(stderr);
		return 2;
	}
	if (rep)
		return report(rep);
	if (from)
		return merge(from, into);
	if (!opt.threads)
		opt.threads = sysconf(_SC_NPROCESSORS_ONLN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	return bench();
}
