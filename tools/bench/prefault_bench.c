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
 * One more case, prefault-uneven-1g: 1 GiB of anon 4K memory whose first
 * half is populated (untimed) before each run, as after a partial restore
 * or a prealloc that was interrupted and started again; then the whole
 * range is populated.  QEMU's static split gives the threads of the first
 * half nothing to do and leaves the work to the others (with two threads,
 * to one); the job engine's workers take chunks from a shared cursor and
 * share it.  It runs when anon and 1g are both selected.
 *
 * Reports the median, min and max time and GB/s (10^9 bytes per second)
 * of the median, as a table and as JSON (bench_result.c).  The ioctl is
 * called directly rather than through libvmpkram so that the binary links
 * statically (no libkmod.a) and runs in the test VM as it is.
 *
 * Host-side helpers for tools/bench/run-bench: --report prints the table
 * of a result file, --merge combines new results into an existing file.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vmpkram.h>

#include "bench.h"

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

/* --------------------------------------------------------------- runs */

/*
 * R timed runs of one method; 0 or the first -errno.  With @head, that
 * many bytes at the start are populated before the clock starts.
 */
static int measure(enum method m, enum mem_type type, size_t len,
		   size_t head, double *t)
{
	struct region r;
	unsigned int i;
	double t0;
	int ret;

	for (i = 0; i < opt.runs; i++) {
		ret = region_map(type, len, &r);
		if (ret)
			return ret;
		if (head && madvise(r.addr, head, MADV_POPULATE_WRITE)) {
			ret = -errno;
			region_unmap(&r);
			return ret;
		}
		t0 = now_s();
		ret = populate(m, type, &r);
		t[i] = now_s() - t0;
		region_unmap(&r);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Every method on @type and @sz; with @uneven, the case whose first half
 * is populated already (prefault-uneven-SIZE).
 */
static void run_case(enum mem_type type, const struct size_opt *sz,
		     bool uneven, struct json_object *runs,
		     struct json_object *skipped)
{
	char cname[64], why[160];
	double t[opt.runs];
	unsigned int m;
	int ret;

	if (uneven)
		snprintf(cname, sizeof(cname), "prefault-uneven-%s", sz->name);
	else
		snprintf(cname, sizeof(cname), "prefault-%s-%s",
			 type_names[type], sz->name);
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
		ret = measure(m, type, sz->bytes, uneven ? sz->bytes / 2 : 0, t);
		if (ret) {
			snprintf(why, sizeof(why), "failed: %s", strerror(-ret));
			add_skip(skipped, cname, method_names[m], why);
			failed = true;
			continue;
		}
		json_object_array_add(runs, run_entry(cname, method_names[m],
				      "populate-1t", sz->bytes,
				      m == VMPK_NT || m == POP_NT ? (int)opt.threads : 1,
				      t, opt.runs));
	}
}

/* ------------------------------------------------------------ results */

/* "CASE:vmpkram-Xt/BASE": BASE's median over ours, for every case. */
static struct json_object *speedups(struct json_object *runs)
{
	static const char *const ours[] = { "vmpkram-Nt", "vmpkram-1t" };
	static const char *const bases[] = { "populate-1t", "populate-Nt",
					     "touch" };
	struct json_object *sp = json_object_new_object();
	struct json_object *o, *c, *m;
	size_t i, j, k;

	for (i = 0; i < json_object_array_length(runs); i++) {
		o = json_object_array_get_idx(runs, i);
		json_object_object_get_ex(o, "case", &c);
		json_object_object_get_ex(o, "method", &m);
		for (j = 0; j < 2; j++) {
			if (strcmp(json_object_get_string(m), ours[j]))
				continue;
			for (k = 0; k < 3; k++)
				add_speedup(sp, runs, json_object_get_string(c),
					    ours[j], bases[k]);
		}
	}
	return sp;
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
	struct json_object *res = result_new();
	struct json_object *runs = json_object_new_array();
	struct json_object *skipped = json_object_new_array();
	unsigned int t;
	size_t s;

	open_device();
	for (t = 0; t < NR_TYPES; t++) {
		for (s = 0; s < NR_SIZES; s++)
			if ((opt.types & (1 << t)) && (opt.sizes & (1 << s)))
				run_case(t, &sizes[s], false, runs, skipped);
		/* Reserved hugetlb pages would starve the other types. */
		if (t == HUGETLB2M)
			hugetlb_restore();
	}
	/* sizes[1] is 1g */
	if ((opt.types & (1 << ANON)) && (opt.sizes & (1 << 1)))
		run_case(ANON, &sizes[1], true, runs, skipped);
	json_object_object_add(res, "runs_per_case", json_object_new_int(opt.runs));
	json_object_object_add(res, "speedups", speedups(runs));
	json_object_object_add(res, "runs", runs);
	json_object_object_add(res, "skipped", skipped);
	if (result_emit(res, opt.markers, opt.output))
		failed = true;
	json_object_put(res);
	if (dev_fd >= 0)
		close(dev_fd);
	return failed ? 1 : 0;
}

/* ------------------------------------------------------------ options */

static void usage(FILE *f)
{
	fprintf(f,
"usage: prefault_bench [--runs R] [--threads N] [--types LIST] [--sizes LIST]\n"
"                      [--methods LIST] [--output FILE] [--markers]\n"
"       prefault_bench --report FILE\n"
"       prefault_bench --merge NEW [--merge NEW...] --into FILE\n"
"\n"
"  --runs R        runs per case and method (default 5); the median counts\n"
"  --threads N     N of the -Nt methods (default: online CPUs)\n"
"  --types LIST    anon,thp,hugetlb2m,memfd (default all)\n"
"  --sizes LIST    256m,1g (default both); anon and 1g together also run\n"
"                  prefault-uneven-1g (its first half populated first)\n"
"  --methods LIST  vmpkram-1t,vmpkram-Nt,populate-1t,populate-Nt,touch\n"
"  --output FILE   write the JSON result to FILE\n"
"  --markers       print the JSON on stdout between marker lines\n"
"  --report FILE   print the table of a result file (any benchmark's)\n"
"  --merge NEW --into FILE  put NEW's top-level keys into FILE; several\n"
"                  NEW (results of one VM run, e.g. of prefault_bench and\n"
"                  bringup_bench) are combined first: runs and skipped\n"
"                  appended, speedups united\n"
"\n"
"Needs root for hugetlb (it raises vm.nr_hugepages and restores it).\n"
"Exit status 1 when a measurement failed or vmpkram is not usable.\n");
}

/* The --merge files of one call. */
#define MAX_MERGE	8

static int parse_options(int argc, char **argv, const char **rep,
			 const char **from, unsigned int *nfrom,
			 const char **into)
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
			if (*nfrom == MAX_MERGE)
				return -1;
			from[(*nfrom)++] = optarg;
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
	if (optind < argc || !*nfrom != !*into)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *rep = NULL, *from[MAX_MERGE], *into = NULL;
	unsigned int nfrom = 0;

	if (parse_options(argc, argv, &rep, from, &nfrom, &into)) {
		usage(stderr);
		return 2;
	}
	if (rep)
		return result_report(rep);
	if (nfrom)
		return result_merge(from, nfrom, into);
	if (!opt.threads)
		opt.threads = sysconf(_SC_NPROCESSORS_ONLN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	return bench();
}
