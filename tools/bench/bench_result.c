// SPDX-License-Identifier: GPL-2.0-only
/*
 * Results of the benchmarks: timing and statistics, the JSON result
 * (json-c) and its table, and the host-side helpers of run-bench that
 * print a result file and combine new results into it.
 *
 * A result is an object: "kernel", "vm" (cpus, mem_mib, accel), "units",
 * "runs" (one entry per case and method, see run_entry()), "speedups"
 * ("CASE:OURS/BASE": BASE's median time over OURS') and "skipped" (what
 * did not run, and why); a benchmark may add keys of its own.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define JSON_OUT	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | \
			 JSON_C_TO_STRING_NOSLASHESCAPE)

/* ---------------------------------------------------------- statistics */

double now_s(void)
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

double median(const double *t, unsigned int n)
{
	double s[n];

	memcpy(s, t, sizeof(s));
	qsort(s, n, sizeof(s[0]), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* ------------------------------------------------------------- entries */

struct json_object *run_entry(const char *cname, const char *method,
			      const char *baseline, size_t len, int threads,
			      const double *t, unsigned int n)
{
	struct json_object *o = json_object_new_object();
	struct json_object *times = json_object_new_array();
	double med = median(t, n), lo = t[0], hi = t[0];
	unsigned int i;

	for (i = 0; i < n; i++) {
		json_object_array_add(times, json_object_new_double(t[i]));
		lo = t[i] < lo ? t[i] : lo;
		hi = t[i] > hi ? t[i] : hi;
	}
	json_object_object_add(o, "case", json_object_new_string(cname));
	json_object_object_add(o, "method", json_object_new_string(method));
	json_object_object_add(o, "baseline", json_object_new_string(baseline));
	json_object_object_add(o, "size", json_object_new_uint64(len));
	json_object_object_add(o, "threads", json_object_new_int(threads));
	json_object_object_add(o, "times_s", times);
	json_object_object_add(o, "median_s", json_object_new_double(med));
	json_object_object_add(o, "min_s", json_object_new_double(lo));
	json_object_object_add(o, "max_s", json_object_new_double(hi));
	json_object_object_add(o, "gbps", json_object_new_double(len / med / 1e9));
	return o;
}

void add_skip(struct json_object *skipped, const char *cname,
	      const char *method, const char *why)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "case", json_object_new_string(cname));
	if (method)
		json_object_object_add(o, "method",
				       json_object_new_string(method));
	json_object_object_add(o, "reason", json_object_new_string(why));
	json_object_array_add(skipped, o);
	fprintf(stderr, "%s: %s%s%s skipped: %s\n",
		program_invocation_short_name, cname, method ? " " : "",
		method ? method : "", why);
}

struct json_object *find_run(struct json_object *runs, const char *cname,
			     const char *method)
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

double get_double(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ?
		json_object_get_double(v) : 0;
}

void add_speedup(struct json_object *sp, struct json_object *runs,
		 const char *cname, const char *ours, const char *base)
{
	double o = get_double(find_run(runs, cname, ours), "median_s");
	double b = get_double(find_run(runs, cname, base), "median_s");
	char key[160];

	if (o <= 0 || b <= 0)
		return;
	snprintf(key, sizeof(key), "%s:%s/%s", cname, ours, base);
	json_object_object_add(sp, key, json_object_new_double(b / o));
}

/* --------------------------------------------------------------- table */

/* The method an entry is compared with; files before "baseline": populate-1t. */
static const char *baseline_of(struct json_object *o)
{
	struct json_object *v;

	return json_object_object_get_ex(o, "baseline", &v) ?
		json_object_get_string(v) : "populate-1t";
}

static void print_table(struct json_object *res)
{
	struct json_object *runs, *o, *c, *m, *v;
	double base;
	size_t i;

	if (!json_object_object_get_ex(res, "runs", &runs))
		return;
	printf("%-24s %-20s %3s %10s %10s %10s %8s %8s\n", "case", "method",
	       "thr", "median s", "min s", "max s", "GB/s", "vs base");
	for (i = 0; i < json_object_array_length(runs); i++) {
		o = json_object_array_get_idx(runs, i);
		json_object_object_get_ex(o, "case", &c);
		json_object_object_get_ex(o, "method", &m);
		json_object_object_get_ex(o, "threads", &v);
		base = get_double(find_run(runs, json_object_get_string(c),
					   baseline_of(o)), "median_s");
		printf("%-24s %-20s %3d %10.6f %10.6f %10.6f ",
		       json_object_get_string(c), json_object_get_string(m),
		       json_object_get_int(v), get_double(o, "median_s"),
		       get_double(o, "min_s"), get_double(o, "max_s"));
		/* A commit moves no amount of memory the rate would describe. */
		if (get_double(o, "size") > 0)
			printf("%8.2f ", get_double(o, "gbps"));
		else
			printf("%8s ", "-");
		if (base > 0)
			printf("%7.2fx\n", base / get_double(o, "median_s"));
		else
			printf("%8s\n", "-");
	}
	printf("GB/s = 10^9 bytes per second of the median time; vs base = median of the case's baseline method\n"
	       "(prefault: populate-1t, bringup: populate-anon4k-1t, commit: full or fchmod) / this median.\n");
}

/* ------------------------------------------------------------- machine */

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

/* -------------------------------------------------------------- output */

struct json_object *result_new(void)
{
	struct json_object *res = json_object_new_object();
	struct utsname uts;

	uname(&uts);
	json_object_object_add(res, "kernel", json_object_new_string(uts.release));
	json_object_object_add(res, "vm", machine());
	json_object_object_add(res, "units", json_object_new_string(
		"times in seconds; gbps = 10^9 bytes per second of the median"));
	return res;
}

int result_emit(struct json_object *res, bool markers, const char *output)
{
	FILE *f;

	print_table(res);
	if (markers)
		printf("%s\n%s\n%s\n", MARK_BEGIN,
		       json_object_to_json_string_ext(res, JSON_OUT), MARK_END);
	if (!output)
		return 0;
	f = fopen(output, "we");
	if (!f || fprintf(f, "%s\n", json_object_to_json_string_ext(
			res, JSON_C_TO_STRING_PRETTY |
			JSON_C_TO_STRING_NOSLASHESCAPE)) < 0 || fclose(f)) {
		fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name,
			output, strerror(errno));
		return -1;
	}
	return 0;
}

/* ----------------------------------------------------------- host side */

int result_report(const char *path)
{
	struct json_object *res = json_object_from_file(path);

	if (!res) {
		fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name,
			path, json_util_get_last_err());
		return 1;
	}
	print_table(res);
	json_object_put(res);
	return 0;
}

/* @acc gets @doc: arrays appended, objects united key by key, the rest replaced. */
static void combine(struct json_object *acc, struct json_object *doc)
{
	struct json_object *have;
	size_t i;

	json_object_object_foreach(doc, key, val) {
		if (!json_object_object_get_ex(acc, key, &have) ||
		    json_object_get_type(have) != json_object_get_type(val) ||
		    !(json_object_is_type(val, json_type_array) ||
		      json_object_is_type(val, json_type_object))) {
			json_object_object_add(acc, key, json_object_get(val));
		} else if (json_object_is_type(val, json_type_array)) {
			for (i = 0; i < json_object_array_length(val); i++)
				json_object_array_add(have, json_object_get(
					json_object_array_get_idx(val, i)));
		} else {
			json_object_object_foreach(val, k, v)
				json_object_object_add(have, k, json_object_get(v));
		}
	}
}

int result_merge(const char *const *from, unsigned int n, const char *into)
{
	struct json_object *acc = NULL, *src, *dst = NULL;
	const char *prog = program_invocation_short_name;
	unsigned int i;
	int ret = 1;

	for (i = 0; i < n; i++) {
		src = json_object_from_file(from[i]);
		if (!src || !json_object_is_type(src, json_type_object)) {
			fprintf(stderr, "%s: %s: %s\n", prog, from[i], src ?
				"not a JSON object" : json_util_get_last_err());
			json_object_put(src);
			goto out;
		}
		if (!acc) {
			acc = src;
			continue;
		}
		combine(acc, src);
		json_object_put(src);
	}
	if (!acc)
		goto out;
	dst = access(into, F_OK) ? json_object_new_object() :
				   json_object_from_file(into);
	if (!dst || !json_object_is_type(dst, json_type_object)) {
		fprintf(stderr, "%s: %s is not a JSON object\n", prog, into);
		goto out;
	}
	json_object_object_foreach(acc, key, val)
		json_object_object_add(dst, key, json_object_get(val));
	if (json_object_to_file_ext(into, dst, JSON_OUT)) {
		fprintf(stderr, "%s: %s: %s\n", prog, into,
			json_util_get_last_err());
		goto out;
	}
	ret = 0;
out:
	json_object_put(dst);
	json_object_put(acc);
	return ret;
}

/* ------------------------------------------------------------- options */

unsigned int parse_list(char *s, const char *const *names, unsigned int n)
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
