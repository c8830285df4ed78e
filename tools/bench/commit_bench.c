// SPDX-License-Identifier: GPL-2.0-only
/*
 * commit_bench: what one metadata commit costs, against the pool's size.
 *
 * Every change to a vmpkramfs file's metadata (create, chmod, a size
 * change that takes or returns blocks, filling a punched hole from a
 * page fault) ends in a commit that writes the pool's metadata, under the
 * pool's lock.  Two sets of cases:
 *
 *   commit-SIZE   (SIZE: 64m, 16g, 256g, 1t, 4t by default) the module's
 *                 emulated pool of that size (debugfs
 *                 vmpkram/commit_bench, kmod/pool_bench.c): the metadata
 *                 of a pool of SIZE in kernel memory, changed through the
 *                 module's own functions and committed.  Methods:
 *                   attr       one file table entry changed (a chmod)
 *                   fill-hole  a punched hole filled, as a write fault
 *                              does: one block map entry
 *                   full       the whole metadata written (format,
 *                              adoption, repair): the baseline
 *                 A test VM cannot hold a pool of terabytes, but a
 *                 commit's cost depends only on the metadata, which is
 *                 what is emulated; the data blocks never take part.
 *   commit-pool   the real pool mounted at --vmpkramfs, end to end:
 *                   fchmod           fchmod() of a file (one commit)
 *                   fault-fill-hole  a write through a mapping into a
 *                                    punched 2 MiB hole (a fault that
 *                                    takes a block and commits)
 *
 * The JSON result has "speedups" ("commit-SIZE:attr/full" and
 * "commit-SIZE:fill-hole/full": full's median over the method's) and
 * "growth" (per method, each size's median over the smallest size's:
 * how the cost grows with the pool).  A case that cannot run is reported
 * as skipped and makes the exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/falloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/vmpkram.h>

#include "bench.h"

#define DEBUGFS_FILE		"/sys/kernel/debug/vmpkram/commit_bench"
#define SCRUB_TIMEOUT_S		300

enum emul_method { M_ATTR, M_FILL, M_FULL, NR_EMUL };
static const char *const emul_names[NR_EMUL] = { "attr", "fill-hole", "full" };
#define EMUL_BASELINE		"full"

#define MAX_SIZES		16
#define POOL_CASE		"commit-pool"
#define POOL_BASELINE		"fchmod"

static struct {
	unsigned int runs;
	unsigned int methods;	/* bit mask of emul_names */
	char sizes[256];
	const char *debugfs, *vdir, *pool;
	const char *output;
	bool markers;
} opt = {
	.runs = 20,
	.methods = (1 << NR_EMUL) - 1,
	.sizes = "64m,16g,256g,1t,4t",
	.debugfs = DEBUGFS_FILE,
};

static bool failed;

/* ------------------------------------------------------ emulated pools */

/*
 * Runs @method @opt.runs times on an emulated pool of @size; @t gets the
 * times in seconds.  0, or -errno with @why set.
 */
static int emul_run(const char *size, const char *method, double *t,
		    char *why, size_t why_len)
{
	char cmd[64], *buf, *p, *end;
	size_t len = 64 + opt.runs * 24, n = 0;
	unsigned int i;
	ssize_t r;
	int fd, ret = 0;

	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	fd = open(opt.debugfs, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(why, why_len, "%s: %s (debugfs mounted, module loaded?)",
			 opt.debugfs, strerror(errno));
		goto out;
	}
	snprintf(cmd, sizeof(cmd), "%s %s %u", size, method, opt.runs);
	if (write(fd, cmd, strlen(cmd)) < 0) {
		ret = -errno;
		snprintf(why, why_len, "\"%s\": %s", cmd, strerror(errno));
		goto out;
	}
	while (n < len - 1 && (r = pread(fd, buf + n, len - 1 - n, n)) > 0)
		n += r;
	buf[n] = '\0';
	/* "BYTES METHOD RUNS\nT1 T2 ...\n", in ns */
	p = strchr(buf, '\n');
	for (i = 0; p && i < opt.runs; i++) {
		long long ns = strtoll(p, &end, 10);

		if (end == p || ns <= 0)
			break;
		t[i] = ns / 1e9;
		p = end;
	}
	if (i < opt.runs) {
		ret = -EBADMSG;
		snprintf(why, why_len, "%u of %u times in the result", i,
			 opt.runs);
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

/* "4t" -> "4T" for the module, bytes for the table; 0 if malformed. */
static uint64_t size_bytes(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 10);

	if (end == s || !end[0] || end[1])
		return 0;
	switch (*end) {
	case 'm': case 'M': return v << 20;
	case 'g': case 'G': return v << 30;
	case 't': case 'T': return v << 40;
	default: return 0;
	}
}

static void emul_case(const char *size, struct json_object *runs,
		      struct json_object *skipped)
{
	double t[opt.runs];
	char cname[32], why[256];
	unsigned int m;

	snprintf(cname, sizeof(cname), "commit-%s", size);
	for (m = 0; m < NR_EMUL; m++) {
		if (!(opt.methods & (1 << m)))
			continue;
		if (emul_run(size, emul_names[m], t, why, sizeof(why))) {
			add_skip(skipped, cname, emul_names[m], why);
			failed = true;
			continue;
		}
		json_object_array_add(runs, run_entry(cname, emul_names[m],
						      EMUL_BASELINE, 0, 1, t,
						      opt.runs));
	}
}

/* ---------------------------------------------------------- real pool */

/* Field @key of "vmpkramctl --json pool status POOL"; -1 if unknown. */
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

/* The background scrubber is idle: nothing of it in the timed part. */
static int wait_scrubbed(char *why, size_t why_len)
{
	double t0 = now_s();
	long long left;

	while ((left = pool_field("scrub_pending"))) {
		if (left < 0 || now_s() - t0 > SCRUB_TIMEOUT_S) {
			snprintf(why, why_len, "pool %s: %s", opt.pool,
				 left < 0 ? "no scrub state from vmpkramctl" :
					    "scrubbing does not finish");
			return -EIO;
		}
		usleep(50000);
	}
	return 0;
}

static int time_fchmod(int fd, double *t, char *why, size_t why_len)
{
	unsigned int i;
	double t0;

	for (i = 0; i < opt.runs; i++) {
		t0 = now_s();
		if (fchmod(fd, i & 1 ? 0644 : 0600)) {
			snprintf(why, why_len, "fchmod: %s", strerror(errno));
			return -errno;
		}
		t[i] = now_s() - t0;
	}
	return 0;
}

static int time_fill_hole(int fd, double *t, char *why, size_t why_len)
{
	volatile char *p;
	unsigned int i;
	double t0;
	int ret = 0;

	p = mmap(NULL, 2 * SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(why, why_len, "mmap: %s", strerror(errno));
		return -errno;
	}
	for (i = 0; i < opt.runs && !ret; i++) {
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      0, SZ_2M)) {
			snprintf(why, why_len, "punch: %s", strerror(errno));
			ret = -errno;
			break;
		}
		ret = wait_scrubbed(why, why_len);
		if (ret)
			break;
		t0 = now_s();
		p[0] = (char)i;
		t[i] = now_s() - t0;
	}
	munmap((void *)p, 2 * SZ_2M);
	return ret;
}

static void pool_case(struct json_object *runs, struct json_object *skipped)
{
	static const char *const names[] = { POOL_BASELINE, "fault-fill-hole" };
	double t[opt.runs];
	char path[256], why[512] = "";
	struct statfs sf;
	unsigned int m;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/commit", opt.vdir);
	if (statfs(opt.vdir, &sf) || sf.f_type != VMPKRAMFS_MAGIC) {
		snprintf(why, sizeof(why), "%s is not a vmpkramfs", opt.vdir);
		fd = -1;
	} else {
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || ftruncate(fd, 2 * SZ_2M))
			snprintf(why, sizeof(why), "%s: %s", path,
				 strerror(errno));
	}
	if (!why[0])
		wait_scrubbed(why, sizeof(why));
	for (m = 0; m < 2; m++) {
		ret = why[0] ? -EIO :
		      m ? time_fill_hole(fd, t, why, sizeof(why)) :
			  time_fchmod(fd, t, why, sizeof(why));
		if (ret) {
			add_skip(skipped, POOL_CASE, names[m], why);
			failed = true;
			continue;
		}
		json_object_array_add(runs, run_entry(POOL_CASE, names[m],
						      POOL_BASELINE, 0, 1, t,
						      opt.runs));
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
}

/* ---------------------------------------------------------- the result */

/* "commit-SIZE:METHOD/full". */
static struct json_object *speedups(struct json_object *runs, char **sizes,
				    unsigned int n)
{
	struct json_object *sp = json_object_new_object();
	char cname[32];
	unsigned int s, m;

	for (s = 0; s < n; s++) {
		snprintf(cname, sizeof(cname), "commit-%s", sizes[s]);
		for (m = 0; m < M_FULL; m++)
			add_speedup(sp, runs, cname, emul_names[m], EMUL_BASELINE);
	}
	add_speedup(sp, runs, POOL_CASE, "fault-fill-hole", POOL_BASELINE);
	return sp;
}

/* {"attr": {"64m": 1.0, "4t": 1.3, ...}, ...}: median over the first size's. */
static struct json_object *growth(struct json_object *runs, char **sizes,
				  unsigned int n)
{
	struct json_object *g = json_object_new_object(), *per;
	char cname[32];
	double first, med;
	unsigned int s, m;

	for (m = 0; m < NR_EMUL; m++) {
		per = json_object_new_object();
		first = 0;
		for (s = 0; s < n; s++) {
			snprintf(cname, sizeof(cname), "commit-%s", sizes[s]);
			med = get_double(find_run(runs, cname, emul_names[m]),
					 "median_s");
			if (med <= 0)
				continue;
			if (first <= 0)
				first = med;
			json_object_object_add(per, sizes[s],
					       json_object_new_double(med / first));
		}
		json_object_object_add(g, emul_names[m], per);
	}
	return g;
}

static int bench(char **sizes, unsigned int n)
{
	struct json_object *res = result_new();
	struct json_object *runs = json_object_new_array();
	struct json_object *skipped = json_object_new_array();
	unsigned int s;

	fprintf(stderr, "commit_bench: %u runs per method; emulated pools %s; real pool %s at %s\n",
		opt.runs, opt.sizes, opt.pool ?: "-", opt.vdir ?: "-");
	for (s = 0; s < n; s++)
		emul_case(sizes[s], runs, skipped);
	if (opt.vdir)
		pool_case(runs, skipped);
	json_object_object_add(res, "speedups", speedups(runs, sizes, n));
	json_object_object_add(res, "commit_growth", growth(runs, sizes, n));
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
"usage: commit_bench [--runs R] [--sizes LIST] [--methods LIST]\n"
"                    [--debugfs FILE] [--vmpkramfs DIR --pool NAME]\n"
"                    [--output FILE] [--markers]\n"
"\n"
"  --runs R          runs per method (default 20); the median counts\n"
"  --sizes LIST      emulated pool sizes, 4m to 4t, multiples of 2m\n"
"                    (default 64m,16g,256g,1t,4t)\n"
"  --methods LIST    attr,fill-hole,full (default all)\n"
"  --debugfs FILE    the module's benchmark file (default\n"
"                    " DEBUGFS_FILE ")\n"
"  --vmpkramfs DIR   also the real pool NAME (--pool) mounted at DIR\n"
"  --output FILE     write the JSON result to FILE\n"
"  --markers         print the JSON on stdout between marker lines\n"
"\n"
"Needs root.  Exit status 1 when a case could not run.\n");
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
		{ "sizes", required_argument, NULL, 's' },
		{ "methods", required_argument, NULL, 'M' },
		{ "debugfs", required_argument, NULL, 'd' },
		{ "vmpkramfs", required_argument, NULL, 'v' },
		{ "pool", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "markers", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c, v;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			v = atoi(optarg);
			if (v < 1 || v > 1000)
				return -1;
			opt.runs = v;
			break;
		case 's':
			if (strlen(optarg) >= sizeof(opt.sizes))
				return -1;
			strcpy(opt.sizes, optarg);
			break;
		case 'M':
			opt.methods = parse_list(optarg, emul_names, NR_EMUL);
			if (!opt.methods)
				return -1;
			break;
		case 'd':
			opt.debugfs = optarg;
			break;
		case 'v':
			opt.vdir = optarg;
			break;
		case 'p':
			if (!pool_name_ok(optarg))
				return -1;
			opt.pool = optarg;
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

int main(int argc, char **argv)
{
	char list[sizeof(opt.sizes)], *sizes[MAX_SIZES], *tok, *save;
	unsigned int n = 0;
	uint64_t b;

	if (parse_options(argc, argv)) {
		usage(stderr);
		return 2;
	}
	strcpy(list, opt.sizes);
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		b = size_bytes(tok);
		if (n == MAX_SIZES || b < VMPKRAM_POOL_MIN_SIZE ||
		    b > VMPKRAM_POOL_MAX_SIZE || b % SZ_2M) {
			usage(stderr);
			return 2;
		}
		sizes[n++] = tok;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	return bench(sizes, n);
}
