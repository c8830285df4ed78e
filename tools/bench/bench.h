/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the benchmarks of tools/bench share: the memory they populate
 * (bench_mem.c) and how results are timed, kept as JSON, printed, and
 * combined on the host (bench_result.c).
 */
#ifndef VMPKRAM_BENCH_H
#define VMPKRAM_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/mman.h>

#include <json.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB		(21 << MAP_HUGE_SHIFT)
#endif

#define SZ_4K		4096UL
#define SZ_2M		(2UL << 20)
#define SZ_1G		(1UL << 30)

/* The lines around a result on stdout; tools/bench/run-bench finds them. */
#define MARK_BEGIN	"# vmpkram-bench: json begin"
#define MARK_END	"# vmpkram-bench: json end"

/* ------------------------------------------------------ bench_mem.c */

enum mem_type { ANON, THP, HUGETLB2M, MEMFD, NR_TYPES };

/* A mapping to populate: [addr, addr + len) inside what was mapped. */
struct region {
	char *addr;
	size_t len;
	void *raw;		/* what to munmap */
	size_t raw_len;
	int fd;
};

/*
 * Maps @len bytes of @type: anon with MADV_NOHUGEPAGE, THP 2 MiB aligned
 * with MADV_HUGEPAGE, MAP_HUGETLB 2 MiB, or a memfd MAP_SHARED.  0 or
 * -errno (nothing left mapped).
 */
int region_map(enum mem_type type, size_t len, struct region *r);
void region_unmap(struct region *r);

/*
 * QEMU 7.2's touch_all_pages() with MADV_POPULATE_WRITE: @n threads
 * created for the call, each on an equal share of whole @page pages.
 */
int populate_threads(struct region *r, size_t page, unsigned int n);

/* Grows the 2 MiB hugetlb pool to hold @len; false (with @why) if not. */
bool hugetlb_reserve(size_t len, char *why, size_t size);
/* Puts vm.nr_hugepages back to what the first reserve found. */
void hugetlb_restore(void);
bool thp_available(char *why, size_t size);

/* --------------------------------------------------- bench_result.c */

double now_s(void);
double median(const double *t, unsigned int n);

/*
 * One measured method of a case: its @n times, their median, min, max and
 * GB/s of the median; @baseline names the method of the same case that
 * the table compares it with ("vs base").
 */
struct json_object *run_entry(const char *cname, const char *method,
			      const char *baseline, size_t len, int threads,
			      const double *t, unsigned int n);
/* Records (and reports on stderr) a case or method that did not run. */
void add_skip(struct json_object *skipped, const char *cname,
	      const char *method, const char *why);
struct json_object *find_run(struct json_object *runs, const char *cname,
			     const char *method);
double get_double(struct json_object *o, const char *key);
/* Adds "CASE:OURS/BASE", BASE's median over OURS', if both ran. */
void add_speedup(struct json_object *sp, struct json_object *runs,
		 const char *cname, const char *ours, const char *base);

/* A result: kernel, machine and units; the caller adds the rest. */
struct json_object *result_new(void);
/*
 * Prints the table of @res, and its JSON between the marker lines when
 * @markers; writes it to @output if set.  0, or -1 when that failed.
 */
int result_emit(struct json_object *res, bool markers, const char *output);

/* Host side: the table of a result file. */
int result_report(const char *path);
/*
 * Host side: combines the @n results @from (runs and skipped appended,
 * speedups united, other keys from the last one) and stores every
 * top-level key of that in @into; @into's other keys stay.
 */
int result_merge(const char *const *from, unsigned int n, const char *into);

/* "a,b" of @names into a bit mask; 0 on an unknown name. */
unsigned int parse_list(char *s, const char *const *names, unsigned int n);

#endif /* VMPKRAM_BENCH_H */
