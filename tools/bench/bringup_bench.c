// SPDX-License-Identifier: GPL-2.0-only
/*
 * bringup_bench: how long it takes to bring up a guest's RAM the way QEMU
 * does with -mem-prealloc: create, map and populate for write SIZE
 * (default 1 GiB) of memory, on vmpkramfs and on what hosts use today.
 *
 * Cases, each run W times untimed to warm up and then R times (the
 * median counts), all in one process:
 *
 *   vmpkramfs-prezeroed  open(O_CREAT) + ftruncate + mmap(MAP_SHARED) +
 *                        MADV_POPULATE_WRITE of a vmpkramfs file, with
 *                        every free block of the pool scrubbed beforehand
 *   vmpkramfs-freed      the same right after a fully written file of SIZE
 *                        was deleted, its blocks not scrubbed yet; the
 *                        pool must have less than 2 x SIZE free, so that
 *                        the new file cannot do without them
 *   populate-anon4k-1t   mmap(MAP_PRIVATE | MAP_ANONYMOUS) +
 *                        MADV_NOHUGEPAGE + one MADV_POPULATE_WRITE
 *   populate-anon4k-Nt   the same, populated by N threads the QEMU 7.2
 *                        way (threads created for the call)
 *   populate-thp-1t/-Nt  anonymous, 2 MiB aligned, MADV_HUGEPAGE
 *   hugetlbfs-2m         mmap(MAP_HUGETLB | MAP_HUGE_2MB) + one
 *                        MADV_POPULATE_WRITE, from 2 MiB pages reserved
 *                        beforehand (vm.nr_hugepages, restored afterwards)
 *   ext4dax              open(O_CREAT) + fallocate + mmap(MAP_SHARED) +
 *                        MADV_POPULATE_WRITE on ext4 mounted -o dax
 *
 * The clock runs from before the open (or mmap) until the populate has
 * returned; munmap, close, unlink and waiting for the pool's scrubber are
 * not timed.  The filesystems are set up by the caller (tools/bench/
 * bringup-vm in the test VM) and checked here: a vmpkramfs, and an ext4
 * whose files are DAX.  The pool's scrub state comes from
 * "vmpkramctl --json pool status" (this binary is static, without
 * libvmpkram).  A case that cannot run is reported as skipped and makes
 * the exit status 1: no number is made up.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/vmpkram.h>

#include "bench.h"

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX		0x00200000
#endif
#define EXT4_SUPER_MAGIC	0xef53

/* What every case is compared with in the table. */
#define BASELINE		"populate-anon4k-1t"
/* Longest wait for the pool's background scrubber. */
#define SCRUB_TIMEOUT_S		300
#define SCRUB_POLL_US		200000

enum bcase {
	PREZEROED, FREED, ANON_1T, ANON_NT, THP_1T, THP_NT, HUGETLB, EXT4DAX,
	NR_CASES
};

static const char *const case_names[NR_CASES] = {
	"vmpkramfs-prezeroed", "vmpkramfs-freed", "populate-anon4k-1t",
	"populate-anon4k-Nt", "populate-thp-1t", "populate-thp-Nt",
	"hugetlbfs-2m", "ext4dax",
};

static struct {
	unsigned int runs, warmup;
	unsigned int threads;	/* N */
	unsigned int cases;	/* bit mask */
	size_t size;
	const char *vdir, *pool, *edir;
	const char *output;
	bool markers;
} opt = {
	.runs = 5,
	.warmup = 1,
	.cases = (1 << NR_CASES) - 1,
	.size = SZ_1G,
};

static char cname[32];		/* "bringup-1g" */
static char vfile[4096], vfill[4096], efile[4096];
static int edir_fd = -1;
static bool failed;

/* ------------------------------------------------------- vmpkram pool */

/* Field @key of the pool's "vmpkramctl --json pool status"; -1 if unknown. */
static long long pool_field(const char *key)
{
	struct json_object *res, *pools, *v;
	char cmd[96], buf[8192];
	long long val = -1;
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "vmpkramctl --json pool status %s", opt.pool);
	f = popen(cmd, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	if (pclose(f))
		return -1;
	res = json_tokener_parse(buf);
	if (res && json_object_object_get_ex(res, "pools", &pools) &&
	    json_object_array_length(pools) == 1 &&
	    json_object_object_get_ex(json_object_array_get_idx(pools, 0),
				      key, &v))
		val = json_object_get_int64(v);
	json_object_put(res);
	return val;
}

/* Waits until the background worker scrubbed every free block. */
static int wait_scrubbed(void)
{
	double t0 = now_s();
	long long left;

	/* Free bytes not scrubbed yet. */
	while ((left = pool_field("scrub_pending"))) {
		if (left < 0) {
			fprintf(stderr, "bringup_bench: no scrub state of pool %s from vmpkramctl --json pool status\n",
				opt.pool);
			return -EIO;
		}
		if (now_s() - t0 > SCRUB_TIMEOUT_S) {
			fprintf(stderr, "bringup_bench: pool %s: %lld bytes still to scrub after %d s\n",
				opt.pool, left, SCRUB_TIMEOUT_S);
			return -ETIMEDOUT;
		}
		usleep(SCRUB_POLL_US);
	}
	return 0;
}

/* ----------------------------------------------------------- the cases */

/*
 * The timed part of the file cases: create @path, give it opt.size bytes
 * (fallocate when @falloc, else ftruncate as QEMU does), map it shared,
 * populate it for write.  @r is set up even on failure (region_unmap()).
 */
static int file_bringup(const char *path, bool falloc, struct region *r)
{
	*r = (struct region){ .len = opt.size, .raw_len = opt.size, .fd = -1 };
	r->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (r->fd < 0)
		return -errno;
	if (falloc ? fallocate(r->fd, 0, 0, opt.size) : ftruncate(r->fd, opt.size))
		return -errno;
	r->raw = mmap(NULL, opt.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      r->fd, 0);
	if (r->raw == MAP_FAILED)
		return -errno;
	r->addr = r->raw;
	return madvise(r->addr, r->len, MADV_POPULATE_WRITE) ? -errno : 0;
}

/* Unmaps and deletes what file_bringup() made; @ret or the first error. */
static int file_drop(const char *path, struct region *r, int ret)
{
	region_unmap(r);
	if (unlink(path) && !ret && r->fd >= 0)
		ret = -errno;
	return ret;
}

/* Writes a file of opt.size full and deletes it: its blocks are dirty. */
static int fill_and_delete(void)
{
	struct region r;
	int ret = file_bringup(vfill, false, &r);

	if (!ret)
		memset(r.addr, 0xa5, r.len);
	return file_drop(vfill, &r, ret);
}

static int run_vmpkramfs(bool freed, double *t)
{
	struct region r;
	double t0;
	int ret;

	ret = wait_scrubbed();
	if (!ret && freed)
		ret = fill_and_delete();
	if (ret)
		return ret;
	t0 = now_s();
	ret = file_bringup(vfile, false, &r);
	*t = now_s() - t0;
	return file_drop(vfile, &r, ret);
}

static int run_ext4dax(double *t)
{
	struct region r;
	double t0;
	int ret;

	t0 = now_s();
	ret = file_bringup(efile, true, &r);
	*t = now_s() - t0;
	ret = file_drop(efile, &r, ret);
	/* ext4 reuses the freed blocks only once the journal committed. */
	if (!ret && syncfs(edir_fd))
		ret = -errno;
	return ret;
}

static int run_anon(enum mem_type type, unsigned int threads, double *t)
{
	struct region r;
	double t0;
	int ret;

	t0 = now_s();
	ret = region_map(type, opt.size, &r);
	if (ret)
		return ret;
	if (threads > 1)
		ret = populate_threads(&r, SZ_4K, threads);
	else if (madvise(r.addr, r.len, MADV_POPULATE_WRITE))
		ret = -errno;
	*t = now_s() - t0;
	region_unmap(&r);
	return ret;
}

static unsigned int threads_of(enum bcase c)
{
	return c == ANON_NT || c == THP_NT ? opt.threads : 1;
}

static int run_once(enum bcase c, double *t)
{
	switch (c) {
	case PREZEROED:
	case FREED:
		return run_vmpkramfs(c == FREED, t);
	case ANON_1T:
	case ANON_NT:
		return run_anon(ANON, threads_of(c), t);
	case THP_1T:
	case THP_NT:
		return run_anon(THP, threads_of(c), t);
	case HUGETLB:
		return run_anon(HUGETLB2M, 1, t);
	default:
		return run_ext4dax(t);
	}
}

/* -------------------------------------------------------------- checks */

/* Whether @dir is a filesystem of @magic whose new files are DAX. */
static bool dax_dir(const char *dir, unsigned long magic, const char *fs,
		    char *why, size_t size)
{
	char probe[4096];
	struct statx stx;
	struct statfs sfs;
	int fd, ret;

	if (statfs(dir, &sfs) || (unsigned long)sfs.f_type != magic) {
		snprintf(why, size, "%s is not a %s mount", dir, fs);
		return false;
	}
	snprintf(probe, sizeof(probe), "%s/dax-probe", dir);
	fd = open(probe, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, size, "%s/dax-probe: %s", dir, strerror(errno));
		return false;
	}
	ret = statx(fd, "", AT_EMPTY_PATH, 0, &stx) ? -errno : 0;
	close(fd);
	unlink(probe);
	if (ret) {
		snprintf(why, size, "statx %s/dax-probe: %s", dir, strerror(-ret));
		return false;
	}
	if (!(stx.stx_attributes & STATX_ATTR_DAX)) {
		snprintf(why, size, "files in %s are not DAX (mount -o dax?)", dir);
		return false;
	}
	return true;
}

/* Whether case @c can run here; @why says why not. */
static bool case_ready(enum bcase c, char *why, size_t size)
{
	long long avail;

	switch (c) {
	case PREZEROED:
	case FREED:
		if (!opt.vdir || !opt.pool) {
			snprintf(why, size, "no vmpkramfs (--vmpkramfs DIR --pool NAME)");
			return false;
		}
		if (!dax_dir(opt.vdir, VMPKRAMFS_MAGIC, "vmpkramfs", why, size))
			return false;
		avail = pool_field("free");
		if (avail < 0) {
			snprintf(why, size, "no status of pool %s from vmpkramctl",
				 opt.pool);
			return false;
		}
		/* Else the new file need not wait for a single dirty block. */
		if (c == FREED && (size_t)avail >= 2 * opt.size) {
			snprintf(why, size,
				 "pool %s has %lld MiB free: with 2 x %zu MiB or more, the freed case never meets a dirty block",
				 opt.pool, avail >> 20, opt.size >> 20);
			return false;
		}
		return true;
	case THP_1T:
	case THP_NT:
		return thp_available(why, size);
	case HUGETLB:
		return hugetlb_reserve(opt.size, why, size);
	case EXT4DAX:
		if (!opt.edir) {
			snprintf(why, size, "no ext4 -o dax (--ext4dax DIR)");
			return false;
		}
		return dax_dir(opt.edir, EXT4_SUPER_MAGIC, "ext4", why, size);
	default:
		return true;
	}
}

/* ------------------------------------------------------------- results */

static void run_case(enum bcase c, struct json_object *runs,
		     struct json_object *skipped)
{
	const char *name = case_names[c];
	double t[opt.runs], dt;
	char why[200];
	unsigned int i, n = opt.warmup + opt.runs;
	int ret = 0;

	if (!case_ready(c, why, sizeof(why))) {
		add_skip(skipped, cname, name, why);
		failed = true;
		goto out;
	}
	for (i = 0; i < n; i++) {
		ret = run_once(c, &dt);
		if (ret)
			break;
		if (i >= opt.warmup)
			t[i - opt.warmup] = dt;
		fprintf(stderr, "bringup_bench: %s %s %s %u/%u: %.4f s\n",
			cname, name, i < opt.warmup ? "warm-up" : "run",
			i < opt.warmup ? i + 1 : i + 1 - opt.warmup,
			i < opt.warmup ? opt.warmup : opt.runs, dt);
	}
	/* The scrubber must not compete with the next case. */
	if (c == PREZEROED || c == FREED)
		ret = ret ?: wait_scrubbed();
	if (ret) {
		snprintf(why, sizeof(why), "failed after %u of %u runs (warm-up included): %s",
			 i, n, strerror(-ret));
		add_skip(skipped, cname, name, why);
		failed = true;
	} else {
		json_object_array_add(runs, run_entry(cname, name, BASELINE,
						      opt.size, threads_of(c),
						      t, opt.runs));
	}
out:
	/* Reserved hugetlb pages would starve the other cases. */
	if (c == HUGETLB)
		hugetlb_restore();
}

/* "bringup-SIZE:vmpkramfs-X/BASE": BASE's median over ours. */
static struct json_object *speedups(struct json_object *runs)
{
	struct json_object *sp = json_object_new_object();
	unsigned int o, b;

	for (o = PREZEROED; o <= FREED; o++)
		for (b = ANON_1T; b < NR_CASES; b++)
			add_speedup(sp, runs, cname, case_names[o],
				    case_names[b]);
	return sp;
}

/* How the cases ran, for the result file. */
static struct json_object *setup_json(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "size", json_object_new_uint64(opt.size));
	json_object_object_add(o, "runs", json_object_new_int(opt.runs));
	json_object_object_add(o, "warmup_runs", json_object_new_int(opt.warmup));
	json_object_object_add(o, "threads", json_object_new_int(opt.threads));
	json_object_object_add(o, "vmpkramfs", opt.vdir ?
			       json_object_new_string(opt.vdir) : NULL);
	json_object_object_add(o, "pool", opt.pool ?
			       json_object_new_string(opt.pool) : NULL);
	json_object_object_add(o, "ext4dax", opt.edir ?
			       json_object_new_string(opt.edir) : NULL);
	return o;
}

static int bench(void)
{
	struct json_object *res = result_new();
	struct json_object *runs = json_object_new_array();
	struct json_object *skipped = json_object_new_array();
	unsigned int c;

	fprintf(stderr, "bringup_bench: %s, %u warm-up and %u timed runs per case, N = %u; vmpkramfs %s (pool %s), ext4 -o dax %s\n",
		cname, opt.warmup, opt.runs, opt.threads, opt.vdir ?: "-",
		opt.pool ?: "-", opt.edir ?: "-");
	for (c = 0; c < NR_CASES; c++)
		if (opt.cases & (1 << c))
			run_case(c, runs, skipped);
	json_object_object_add(res, "bringup", setup_json());
	json_object_object_add(res, "speedups", speedups(runs));
	json_object_object_add(res, "runs", runs);
	json_object_object_add(res, "skipped", skipped);
	if (result_emit(res, opt.markers, opt.output))
		failed = true;
	json_object_put(res);
	return failed ? 1 : 0;
}

/* ------------------------------------------------------------- options */

static void usage(FILE *f)
{
	fprintf(f,
"usage: bringup_bench [--runs R] [--warmup W] [--threads N] [--size SIZE]\n"
"                     [--cases LIST] [--vmpkramfs DIR --pool NAME]\n"
"                     [--ext4dax DIR] [--output FILE] [--markers]\n"
"\n"
"  --runs R          timed runs per case (default 5); the median counts\n"
"  --warmup W        untimed runs before them (default 1): QEMU backs guest\n"
"                    RAM at its first touch, which is not the guest's cost\n"
"  --threads N       N of the -Nt cases (default: online CPUs)\n"
"  --size SIZE       memory per run, a multiple of 2 MiB: 256m, 1g, ...\n"
"                    (default 1g)\n"
"  --cases LIST      vmpkramfs-prezeroed,vmpkramfs-freed,populate-anon4k-1t,\n"
"                    populate-anon4k-Nt,populate-thp-1t,populate-thp-Nt,\n"
"                    hugetlbfs-2m,ext4dax (default all)\n"
"  --vmpkramfs DIR   a mounted vmpkramfs of pool NAME (--pool), empty, with\n"
"                    room for SIZE, and less than 2 x SIZE for the freed case\n"
"  --ext4dax DIR     a mounted ext4 -o dax with room for a file of SIZE\n"
"  --output FILE     write the JSON result to FILE\n"
"  --markers         print the JSON on stdout between marker lines\n"
"\n"
"Needs root (hugetlb pool, vmpkramctl pool status).  Exit status 1 when a\n"
"case could not run or failed.  prefault_bench --report prints the table\n"
"of a result file.\n");
}

/* "256m", "1g": bytes, a non-zero multiple of 2 MiB; 0 if not. */
static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s || !end[0] || end[1])
		return 0;
	if (*end == 'm' || *end == 'M')
		v <<= 20;
	else if (*end == 'g' || *end == 'G')
		v <<= 30;
	else
		return 0;
	return v % SZ_2M ? 0 : v;
}

static bool pool_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 31 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static int parse_options(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "threads", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 's' },
		{ "cases", required_argument, NULL, 'c' },
		{ "vmpkramfs", required_argument, NULL, 'v' },
		{ "pool", required_argument, NULL, 'p' },
		{ "ext4dax", required_argument, NULL, 'e' },
		{ "output", required_argument, NULL, 'o' },
		{ "markers", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
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
		case 'w':
			v = atoi(optarg);
			if (v < 0 || v > 100 || !isdigit((unsigned char)*optarg))
				return -1;
			opt.warmup = v;
			break;
		case 's':
			opt.size = parse_size(optarg);
			if (!opt.size)
				return -1;
			break;
		case 'c':
			opt.cases = parse_list(optarg, case_names, NR_CASES);
			if (!opt.cases)
				return -1;
			break;
		case 'v':
			opt.vdir = optarg;
			break;
		case 'p':
			if (!pool_name_ok(optarg))
				return -1;
			opt.pool = optarg;
			break;
		case 'e':
			opt.edir = optarg;
			break;
		case 'o':
			opt.output = optarg;
			break;
		case 'm':
			opt.markers = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	return optind < argc || !opt.vdir != !opt.pool ? -1 : 0;
}

static void setup_names(void)
{
	if (opt.size % SZ_1G)
		snprintf(cname, sizeof(cname), "bringup-%zum", opt.size >> 20);
	else
		snprintf(cname, sizeof(cname), "bringup-%zug", opt.size >> 30);
	if (opt.vdir) {
		snprintf(vfile, sizeof(vfile), "%s/bringup", opt.vdir);
		snprintf(vfill, sizeof(vfill), "%s/freed", opt.vdir);
	}
	if (opt.edir) {
		snprintf(efile, sizeof(efile), "%s/bringup", opt.edir);
		edir_fd = open(opt.edir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
}

int main(int argc, char **argv)
{
	int ret;

	if (parse_options(argc, argv)) {
		usage(stderr);
		return 2;
	}
	if (!opt.threads)
		opt.threads = sysconf(_SC_NPROCESSORS_ONLN);
	setup_names();
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = bench();
	if (edir_fd >= 0)
		close(edir_fd);
	return ret;
}
