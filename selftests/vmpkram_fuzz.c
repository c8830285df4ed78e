// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkram_fuzz: seeded, time-bounded fuzzing of the module's three
 * interfaces, as root and as an unprivileged user (uid/gid nobody):
 *
 *  - ioctls on /dev/vmpkram: the real commands with mutated structs (size
 *    field extremes, flags, reserved fields, bit flips, NULL, unmapped,
 *    PROT_NONE and read-only argument pointers) and random command numbers
 *    around the magic.  PREFAULT ranges stay inside a 24 MiB reservation
 *    of this process (or fail validation), so no input populates or zeroes
 *    memory the fuzzer does not own;
 *  - generic netlink messages to the family "vmpkram": random commands,
 *    attributes of valid and wrong types and lengths, NLA_F_NESTED garbage,
 *    extent nests, truncated and oversized attributes, odd header flags,
 *    reserved bytes, versions and lengths, two requests in one datagram.
 *    The destructive pool commands are in: format, seal, unseal, detach and
 *    attach (with random ranges) of the pools "test" and "small";
 *  - vmpkramfs syscalls on a mount of pool "test": odd names, open flags,
 *    offsets and sizes around the 2 MiB blocks and the pool size, size
 *    changes, fallocate modes, renames with flags, mappings and touches of
 *    mapped bytes, mappings as I/O buffers, pages pinned by vmsplice (kept
 *    in pipes across truncates, unmounts and detach attempts) and by
 *    process_vm_readv/writev, mounts with odd options, lazy unmounts.
 *
 * Each input is checked against the contract where that is cheap (errnos
 * outside the documented set, an unprivileged admin command that does not
 * fail with EPERM, a metadata change that succeeds while the pool is
 * sealed, a mapping that faults or does not against the file size, bytes
 * a file gets that do not read as zero, st_blocks, statfs, the pool's file
 * table (GET_FILES) against the mount, ...).  Every
 * violation is a "not ok" line with the seed and the iteration; a signal
 * nobody expected kills the worker and the supervisor reports the inputs
 * that led to it.  After the run the module must still answer, the pools
 * must format and mount, a fresh file must read zero (scrubbing) and the
 * module must unload and load again.  The pools are left attached and
 * READY.
 *
 * Iteration N draws its input from a PRNG seeded with (seed, N), so a seed
 * replays the same inputs (the state they meet may differ only by timing):
 * --iterations N stops after N iterations.
 *
 * usage: vmpkram_fuzz [--seed N] [--seconds S] [--unprivileged-share P]
 *                     [--iterations N] [--verbose] [--errors]
 * --verbose prints every input before it runs, --errors how often each
 * call ended with which errno.
 * --unprivileged-share: the share of inputs (0..1, default 0.1) run as
 * uid/gid nobody, by children that each run a few of them.
 * Environment: VMPKRAM_FUZZ_SEED, VMPKRAM_FUZZ_SECONDS (options win).
 * Runs as root in the test VM with the pools of the "fuzz" suite.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <time.h>

#include <linux/falloc.h>

#include "vmpkram_test.h"

#define POOL		"test"
#define BLK		VMPKRAM_POOL_BLOCK_SIZE
#define PG		4096UL
#define TEST_BASE	0x40000000ULL
#define TEST_SIZE	(512ULL << 20)
#define SMALL_BASE	0x60000000ULL
#define SMALL_SIZE	(64ULL << 20)
#define MNT_PREFIX	"/tmp/vmpkram-fuzz."

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define offsetofend(t, m) (offsetof(t, m) + sizeof(((t *)0)->m))
#define ROUND_UP(x, a)	(((x) + (a) - 1) / (a) * (a))

/* Not in the libc headers this builds with, or only in <linux/fs.h>. */
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	(1 << 0)
#define RENAME_EXCHANGE		(1 << 1)
#define RENAME_WHITEOUT		(1 << 2)
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif
#ifndef RWF_HIPRI
#define RWF_HIPRI	0x01
#define RWF_DSYNC	0x02
#define RWF_SYNC	0x04
#define RWF_NOWAIT	0x08
#define RWF_APPEND	0x10
#endif
#define FS_IOC_GETFLAGS_	_IOR('f', 1, long)
#define FS_IOC_SETFLAGS_	_IOW('f', 2, long)
#define FS_IOC_GETVERSION_	_IOR('v', 1, long)
#define FS_IOC_FIEMAP_		_IOWR('f', 11, char[32])
#define FS_IOC_FSGETXATTR_	_IOR('X', 31, char[28])
#define FICLONE_		_IOW(0x94, 9, int)
#define FIGETBSZ_		_IO(0x00, 2)
#define FIONREAD_		0x541B
#define FIOQSIZE_		0x5460

/* ------------------------------------------------------------------ */
/* run state shared by the supervisor, the worker and its children     */
/* ------------------------------------------------------------------ */

enum { F_IOCTL, F_NETLINK, F_FS, F_UNPRIV, NR_FAM };

/* Inputs one unprivileged child runs: 4..15, 9.5 on average. */
#define UNPRIV_BATCH_MIN	4
#define UNPRIV_BATCH_SPAN	12

/* Inputs that got past the checks to do something, for the summary. */
enum {
	S_IOCTL, S_PREFAULT, S_NL, S_NL_POOL, S_OPEN, S_CREATE, S_WRITE,
	S_READ, S_RESIZE, S_RENAME, S_UNLINK, S_ATTR, S_MMAP, S_TOUCH,
	S_SIGBUS, S_MOUNT, S_UMOUNT, S_SEALED, S_FILES, NR_S
};
static const char *const stat_names[NR_S] = { "ioctl", "prefault", "netlink",
	"netlink-pool-change", "open", "create", "write", "read", "resize",
	"rename", "unlink", "chmod/chown", "mmap", "touch", "sigbus", "mount",
	"umount", "fs-while-sealed", "file-table-checks" };

#define RING		32
#define NOTE_LEN	384
#define MAX_REPORTS	40	/* violations printed one by one */

struct shared {
	uint64_t iter;
	uint64_t inputs[NR_FAM];
	uint64_t violations;
	uint64_t beat;		/* CLOCK_MONOTONIC seconds of the last input */
	unsigned int tap;	/* TAP result lines printed */
	unsigned int failed;	/* of them "not ok" */
	unsigned int ring_pos;
	uint64_t stat[NR_S];
	char mnt[2][64];	/* for the supervisor's cleanup */
	int fatal_sig;		/* a signal nobody expected, and where */
	uint64_t fatal_addr;
	char ring[RING][NOTE_LEN];	/* the last inputs */
};

static struct shared *sh;
static uint64_t seed;
static bool verbose;		/* print every input */
static bool show_errors;	/* print how often each call failed how */
static bool unpriv;		/* this process dropped its privileges */
static const char *cur_fam = "setup";

static uint64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static double now_f(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (!ok)
		__atomic_add_fetch(&sh->failed, 1, __ATOMIC_SEQ_CST);
	printf("%s %u - ", ok ? "ok" : "not ok",
	       __atomic_add_fetch(&sh->tap, 1, __ATOMIC_SEQ_CST));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void stat_add(int i)
{
	__atomic_add_fetch(&sh->stat[i], 1, __ATOMIC_RELAXED);
}

static const char *last_note(void)
{
	return sh->ring[(sh->ring_pos + RING - 1) % RING];
}

/* Record the input about to run (the supervisor prints the ring on a crash). */
static void note(const char *fmt, ...)
{
	char *slot = sh->ring[sh->ring_pos % RING];
	int n;
	va_list ap;

	n = snprintf(slot, NOTE_LEN, "iter %" PRIu64 " %s%s: ", sh->iter,
		     unpriv ? "unpriv " : "", cur_fam);
	va_start(ap, fmt);
	vsnprintf(slot + n, NOTE_LEN - n, fmt, ap);
	va_end(ap);
	sh->ring_pos++;
	sh->beat = now_s();
	if (verbose) {
		printf("# %s\n", slot);
		fflush(stdout);
	}
}

static void violation(const char *fmt, ...)
{
	uint64_t n = __atomic_add_fetch(&sh->violations, 1, __ATOMIC_SEQ_CST);
	char msg[512];
	va_list ap;

	if (n > MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tap(false, "seed %" PRIu64 " iter %" PRIu64 " %s%s: %s", seed, sh->iter,
	    unpriv ? "unpriv " : "", cur_fam, msg);
	printf("#   input: %s\n", last_note());
	printf("#   replay: vmpkram_fuzz --seed %" PRIu64 " --iterations %" PRIu64
	       "\n", seed, sh->iter + 1);
	if (n == MAX_REPORTS)
		printf("# further violations are only counted\n");
	fflush(stdout);
}

static void fatal(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tap(false, "fuzz setup: %s", msg);
	exit(1);
}

static const char *ename(int e)
{
	const char *n;

	if (e == 0)
		return "success";
	if (e < 0)
		return "no answer";
	n = strerrorname_np(e);
	return n ? n : "E?";
}

/* Sets of errnos, 0-terminated. */
static bool in_set(int e, const int *set)
{
	for (; *set; set++)
		if (*set == e)
			return true;
	return false;
}

/* Errors seen per call, for --errors. */
#define NR_HIST	256
struct hist {
	const char *what;
	int err;
	uint64_t n;
};

static struct hist *hist;	/* in the shared mapping's tail */

static void hist_add(const char *what, int err)
{
	int i;

	for (i = 0; i < NR_HIST && hist[i].what; i++)
		if (hist[i].what == what && hist[i].err == err)
			break;
	if (i == NR_HIST)
		return;
	hist[i].what = what;
	hist[i].err = err;
	__atomic_add_fetch(&hist[i].n, 1, __ATOMIC_RELAXED);
}

static void expect_in(const char *what, int err, const int *set)
{
	if (show_errors)
		hist_add(what, err);
	if (err > 0 && !in_set(err, set))
		violation("%s failed with %s, outside the errors it may return",
			  what, ename(err));
}

/* ------------------------------------------------------------------ */
/* PRNG: xorshift64*, reseeded per iteration from (seed, iteration)    */
/* ------------------------------------------------------------------ */

static uint64_t rs = 1;

static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void reseed(uint64_t iter)
{
	rs = mix(seed ^ mix(iter)) | 1;
}

static uint64_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 0x2545f4914f6cdd1dULL;
}

static uint64_t rn(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool pct(unsigned int p)
{
	return rn(100) < p;
}

#define PICK(a)	((a)[rn(ARRAY_SIZE(a))])

static uint64_t interesting(void)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256, 1023,
		1024, 1025, 4095, 4096, 4097, BLK - 1, BLK, BLK + 1, 2 * BLK,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		1ULL << 40, 4ULL << 40, (4ULL << 40) + BLK, INT64_MAX,
		(uint64_t)INT64_MIN, ~0ULL, ~0ULL - 4095,
	};

	return pct(75) ? PICK(v) : rnd() >> rn(64);
}

/* ------------------------------------------------------------------ */
/* memory the fuzzer owns                                               */
/* ------------------------------------------------------------------ */

/*
 * The arena: 8 slots of 2 MiB between two 4 MiB PROT_NONE guards, all one
 * reservation.  Every PREFAULT range that could pass validation lies in
 * it, so no input populates or zeroes memory outside it, whatever the
 * workers do in parallel.  Slots are remade with random kinds; a "hole"
 * is unmapped only around the ioctl (nothing else runs then).
 */
#define SLOT		(2UL << 20)
#define NSLOTS		8
#define GUARD		(4UL << 20)
#define ARENA		(NSLOTS * SLOT)
#define RESV		(GUARD + ARENA + GUARD)
#define SLOT_PAGES	(SLOT / PG)
#define PATTERN		0xa5

enum { SL_RW, SL_RO, SL_NONE, SL_MEMFD, SL_HOLE, SL_THP, NR_SL };
enum { PS_PATTERN, PS_ZERO, PS_UNKNOWN };

static char *resv, *arena;
static int slot_kind[NSLOTS];
static uint8_t pstate[NSLOTS * SLOT_PAGES];
static int memfd = -1;

/* Argument pages for ioctls: RW RW NONE RO. */
static char *abuf;
/* Buffers for file data: wbuf never holds a zero byte. */
#define IOBUF		((4UL << 20) + 2 * PG)
static char *wbuf, *rbuf;
static char zero_page[PG];

static void slot_make(int i, int kind)
{
	char *a = arena + i * SLOT;
	int prot = kind == SL_NONE || kind == SL_HOLE ? PROT_NONE :
		   PROT_READ | PROT_WRITE;
	void *p;

	if (kind == SL_MEMFD)
		p = mmap(a, SLOT, prot, MAP_SHARED | MAP_FIXED, memfd, i * SLOT);
	else
		p = mmap(a, SLOT, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
			 MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		fatal("arena slot %d: %s", i, strerror(errno));
	if (kind == SL_THP)
		madvise(a, SLOT, MADV_HUGEPAGE);
	if (prot != PROT_NONE)
		memset(a, PATTERN, SLOT);
	if (kind == SL_RO)
		mprotect(a, SLOT, PROT_READ);
	slot_kind[i] = kind;
	memset(&pstate[i * SLOT_PAGES], prot == PROT_NONE ? PS_UNKNOWN :
	       PS_PATTERN, SLOT_PAGES);
}

/* A child or another process may have written the shared slots. */
static void memfd_unknown(void)
{
	int i;

	for (i = 0; i < NSLOTS; i++)
		if (slot_kind[i] == SL_MEMFD)
			memset(&pstate[i * SLOT_PAGES], PS_UNKNOWN, SLOT_PAGES);
}

static void holes_open(void)
{
	int i;

	for (i = 0; i < NSLOTS; i++)
		if (slot_kind[i] == SL_HOLE)
			munmap(arena + i * SLOT, SLOT);
}

static void holes_close(void)
{
	int i;

	for (i = 0; i < NSLOTS; i++)
		if (slot_kind[i] == SL_HOLE &&
		    mmap(arena + i * SLOT, SLOT, PROT_NONE, MAP_PRIVATE |
			 MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) ==
		    MAP_FAILED)
			fatal("arena hole %d: %s", i, strerror(errno));
}

static void *map_anon(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fatal("mmap %zu: %s", len, strerror(errno));
	return p;
}

static void memory_setup(void)
{
	uintptr_t a;
	size_t i;

	resv = mmap(NULL, RESV + SLOT, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_NORESERVE, -1, 0);
	if (resv == MAP_FAILED)
		fatal("reservation: %s", strerror(errno));
	a = ROUND_UP((uintptr_t)resv, SLOT);
	resv = (char *)a;
	arena = resv + GUARD;
	memfd = memfd_create("vmpkram-fuzz", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, ARENA))
		fatal("memfd: %s", strerror(errno));
	for (i = 0; i < NSLOTS; i++)
		slot_make(i, i < NR_SL ? (int)i : SL_RW);

	abuf = map_anon(4 * PG, PROT_READ | PROT_WRITE);
	mprotect(abuf + 2 * PG, PG, PROT_NONE);
	mprotect(abuf + 3 * PG, PG, PROT_READ);
	wbuf = map_anon(IOBUF, PROT_READ | PROT_WRITE);
	rbuf = map_anon(IOBUF, PROT_READ | PROT_WRITE);
	rs = seed | 1;
	for (i = 0; i < IOBUF; i++)
		wbuf[i] = (char)(rnd() | 1);
}

/* ------------------------------------------------------------------ */
/* faults the fuzzer provokes on purpose                                */
/* ------------------------------------------------------------------ */

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_armed, fault_sig;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	if (fault_armed) {
		fault_sig = sig;
		fault_armed = 0;
		siglongjmp(fault_jmp, 1);
	}
	/* Nobody expected it: report and die of it (default action). */
	sh->fatal_sig = sig;
	sh->fatal_addr = (uintptr_t)si->si_addr;
	signal(sig, SIG_DFL);
}

/* Read or write one byte; the signal it raised, 0 if none. */
static int touch(volatile char *p, bool write, char val)
{
	fault_sig = 0;
	if (!sigsetjmp(fault_jmp, 1)) {
		fault_armed = 1;
		if (write)
			*p = val;
		else
			(void)*p;
		fault_armed = 0;
	}
	return fault_sig;
}

static void signals_setup(void)
{
	struct sigaction sa = { .sa_sigaction = on_fault,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	struct rlimit rl = { 0, 0 };

	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setrlimit(RLIMIT_CORE, &rl);
}

/* ------------------------------------------------------------------ */
/* pools, through a control socket (state keeping, not fuzz input)      */
/* ------------------------------------------------------------------ */

static struct tnl ctl = { .fd = -1 };
static int test_state;		/* VMPKRAM_POOL_* of "test", 0 if absent */
static uint64_t data_size;	/* of "test" */

/* Reserved ranges from /proc/iomem: where an attach may succeed. */
static struct { uint64_t start, end; } resvd[32];
static int nresvd;

static void iomem_read(void)
{
	unsigned long long s, e;
	char line[256];
	FILE *f = fopen("/proc/iomem", "r");

	while (f && fgets(line, sizeof(line), f) && nresvd < (int)ARRAY_SIZE(resvd)) {
		if (line[0] == ' ' || !strstr(line, ": Reserved\n") ||
		    sscanf(line, "%llx-%llx", &s, &e) != 2)
			continue;
		if (nresvd && resvd[nresvd - 1].end + 1 == s)
			resvd[nresvd - 1].end = e;
		else
			resvd[nresvd++] = (typeof(resvd[0])){ s, e };
	}
	if (f)
		fclose(f);
}

static bool range_reserved(uint64_t base, uint64_t size)
{
	int i;

	for (i = 0; i < nresvd; i++)
		if (base >= resvd[i].start && base + size - 1 <= resvd[i].end)
			return true;
	return false;
}

#define MAX_POOLS	16

struct pools {
	int nr;
	struct tnl_pool p[MAX_POOLS];
};

static void pools_cb(struct nlattr **tb, void *arg)
{
	struct pools *ps = arg;

	if (ps->nr < MAX_POOLS)
		tnl_pool_parse(tb, &ps->p[ps->nr++]);
}

static int pools_dump(struct pools *ps)
{
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	int ret;

	ps->nr = 0;
	tnl_msg_init(&m, ctl.family, NLM_F_DUMP, VMPKRAM_CMD_POOL_GET);
	ret = tnl_exec(&ctl, &m, pools_cb, ps, &res);
	if (!ret)
		ret = res.error;
	tnl_result_clear(&res);
	return ret;
}

static int pool_attach(const char *name, uint64_t base, uint64_t size)
{
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	int ret;

	tnl_msg_init(&m, ctl.family, 0, VMPKRAM_CMD_POOL_ATTACH);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, name);
	tnl_put_u64(&m, VMPKRAM_A_POOL_BASE, base);
	tnl_put_u64(&m, VMPKRAM_A_POOL_SIZE, size);
	ret = tnl_exec(&ctl, &m, NULL, NULL, &res);
	if (!ret)
		ret = res.error;
	tnl_result_clear(&res);
	return ret;
}

static bool overlaps(uint64_t b1, uint64_t s1, uint64_t b2, uint64_t s2)
{
	return b1 < b2 + s2 && b2 < b1 + s1;
}

/* Detach every pool but @keep that overlaps [base, base + size). */
static void detach_overlapping(const char *keep, uint64_t base, uint64_t size)
{
	struct pools ps;
	int i;

	if (pools_dump(&ps))
		return;
	for (i = 0; i < ps.nr; i++)
		if (strcmp(ps.p[i].name, keep) &&
		    overlaps(ps.p[i].base, ps.p[i].size, base, size))
			tnl_pool_cmd(&ctl, VMPKRAM_CMD_POOL_DETACH, ps.p[i].name,
				     NULL);
}

/* Pool @name attached (at the canonical range if it was not) and usable. */
static int pool_ensure(const char *name, uint64_t base, uint64_t size,
		       struct tnl_pool *p)
{
	int ret = tnl_pool_get(&ctl, name, p);

	if (ret == ENODEV) {
		detach_overlapping(name, base, size);
		ret = pool_attach(name, base, size);
		if (!ret)
			ret = tnl_pool_get(&ctl, name, p);
	}
	if (ret)
		return ret;
	if (p->state == VMPKRAM_POOL_UNFORMATTED ||
	    p->state == VMPKRAM_POOL_DAMAGED) {
		ret = tnl_pool_cmd(&ctl, VMPKRAM_CMD_POOL_FORMAT, name, p);
		if (ret)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* vmpkramfs state                                                      */
/* ------------------------------------------------------------------ */

#define MAX_FDS		12
#define MAX_MAPS	8
#define MAX_NAMES	40
#define NAME_BUF	320
#define PATH_BUF	(NAME_BUF + 64)

struct fent {
	int fd;
	int oflags;
};

struct ment {
	char *addr;
	size_t len;
	off_t off;
	int prot;
	int fd;		/* a dup of the mapped file, for its size */
};

static int file_size_of(int fd, off_t *size);

/* Pipes holding vmsplice'd pool pages: pins that outlive files and mounts. */
#define MAX_PIPES	3
static int pipes[MAX_PIPES][2];
static int npipes;

static void pipe_drop(int i)
{
	close(pipes[i][0]);
	close(pipes[i][1]);
	pipes[i][0] = pipes[npipes - 1][0];
	pipes[i][1] = pipes[npipes - 1][1];
	npipes--;
}

static struct fent fds[MAX_FDS];
static int nfds;
static struct ment maps[MAX_MAPS];
static int nmaps;
static char names[MAX_NAMES][NAME_BUF];
static int nnames;
static char mnt[64], mnt2[64];
static bool mounted;	/* "test" is mounted on mnt */
static bool lazy;	/* lazily unmounted: fds and maps may keep it alive */
static unsigned long mnt_flags;

static void refresh_test(void)
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

static bool sealed(void)
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

static void fs_release_all(void)
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
/* family 1: ioctls on /dev/vmpkram                                     */
/* ------------------------------------------------------------------ */

static int dev = -1;
static pid_t sleeper;		/* a child whose memory PREFAULT may target */

static const int IOC_COMMON[] = { ENOTTY, EFAULT, EINVAL, E2BIG, EOPNOTSUPP,
				  EOVERFLOW, 0 };
static const int IOC_PREFAULT[] = { ENOTTY, EFAULT, EINVAL, E2BIG, EOPNOTSUPP,
				    EOVERFLOW, ENOMEM, EHWPOISON, EINTR, ESRCH,
				    EPERM, 0 };

enum { AP_BUF, AP_NULL, AP_UNMAPPED, AP_NONE, AP_KERNEL, AP_RO };

/* The size field: the struct's size mostly, else the extremes. */
static uint32_t gen_size(uint32_t ksz)
{
	static const uint32_t odd[] = { 0, 1, 4, 8, 16, 4095, 4096, 4097,
					8192, 0xffffffff, 0x80000000 };

	if (pct(70))
		return ksz;
	if (pct(30))
		return ksz + 1 + rn(32);
	if (pct(20))
		return ksz - 1 - rn(ksz - 1);
	return pct(70) ? PICK(odd) : (uint32_t)rnd();
}

/* Where the range may land: in the arena and its guards, or fast fails. */
static void gen_range(struct vmpkram_prefault *pf)
{
	uint64_t pages;

	switch (rn(10)) {
	case 0:	/* fails validation: unaligned, zero, wrapping, kernel */
		pf->addr = PICK(((uint64_t[]){ 0, 1, (uintptr_t)arena + 1,
				 ~0ULL & ~(PG - 1), 0xffff888000000000ULL,
				 1ULL << 47, (1ULL << 47) - PG }));
		pf->len = PICK(((uint64_t[]){ 0, 1, PG - 1, PG + 1, ~0ULL,
				~0ULL & ~(PG - 1), 1ULL << 47, PG }));
		if (pf->addr == 0 && pf->len == PG)
			pf->len = 0;
		break;
	case 1:	/* nothing mapped this low */
		pf->addr = rn(16) * PG;
		pf->len = (1 + rn(16)) * PG;
		break;
	case 2:
	case 3:
	case 4:	/* inside one slot */
		pf->addr = (uintptr_t)arena + rn(ARENA / PG) * PG;
		pages = (ROUND_UP(pf->addr + 1, SLOT) - pf->addr) / PG;
		pf->len = (1 + rn(pages)) * PG;
		break;
	default:
		pf->addr = (uintptr_t)resv + rn(RESV / PG) * PG;
		pages = ((uintptr_t)resv + RESV - pf->addr) / PG;
		pf->len = (1 + rn(pct(70) ? (pages < 1024 ? pages : 1024) :
				   (pages < 2048 ? pages : 2048))) * PG;
		if (pct(5))
			pf->addr += 1 + rn(PG - 1);
		if (pct(5))
			pf->len += 1 + rn(PG - 1);
		break;
	}
}

/*
 * A PREFAULT inside a vmpkramfs mapping (DAX, so get_user_pages works):
 * EINVAL without the permission, EFAULT past the end of the file.
 */
static int map_outcome(uint64_t addr, uint64_t len, bool write, int *errs)
{
	struct ment *m = NULL;
	off_t size, end;
	int i, n = 0;

	for (i = 0; i < nmaps; i++)
		if (addr >= (uintptr_t)maps[i].addr &&
		    addr + len <= (uintptr_t)maps[i].addr + maps[i].len)
			m = &maps[i];
	if (!m || file_size_of(m->fd, &size)) {
		errs[n++] = EINVAL;	/* not ours: unknown, say all */
		errs[n++] = EFAULT;
		errs[n++] = ENOMEM;
		return n;
	}
	if (!(m->prot & (write ? PROT_WRITE : PROT_READ))) {
		errs[n++] = EINVAL;
		return n;
	}
	end = m->off + (addr + len - (uintptr_t)m->addr);
	if (end > (off_t)ROUND_UP(size, PG))
		errs[n++] = EFAULT;
	return n;
}

/* Errors a PREFAULT of [addr, addr + len) of this process may end with. */
static int range_outcome(uint64_t addr, uint64_t len, bool write, int *errs)
{
	uint64_t a;
	int n = 0, e, i;

	if (addr + len <= 1UL << 20) {
		errs[n++] = ENOMEM;
		return n;
	}
	if (addr < (uintptr_t)resv || addr + len > (uintptr_t)resv + RESV)
		return map_outcome(addr, len, write, errs);
	for (a = addr; a < addr + len; a += PG) {
		if (a < (uintptr_t)arena || a >= (uintptr_t)arena + ARENA) {
			e = EINVAL;	/* a guard: PROT_NONE */
		} else {
			switch (slot_kind[(a - (uintptr_t)arena) / SLOT]) {
			case SL_NONE:
				e = EINVAL;
				break;
			case SL_HOLE:
				e = ENOMEM;
				break;
			case SL_RO:
				e = write ? EINVAL : 0;
				break;
			default:
				e = 0;
			}
		}
		if (!e)
			continue;
		for (i = 0; i < n && errs[i] != e; i++)
			;
		if (i == n)
			errs[n++] = e;
	}
	return n;
}

/* [*a, *end) clipped to the arena; false if they do not meet. */
static bool clip_arena(uint64_t addr, uint64_t len, uint64_t *a, uint64_t *end)
{
	uint64_t lo = (uintptr_t)arena, hi = lo + ARENA;

	*a = addr > lo ? addr : lo;
	*end = addr + len < addr || addr + len > hi ? hi : addr + len;
	*a &= ~(PG - 1);
	return *a < *end;
}

/* Contents of the arena pages of a successful own PREFAULT. */
static void check_arena(uint64_t addr, uint64_t len, bool zero)
{
	uint64_t a, end;
	size_t p, i;
	char *c;

	if (!clip_arena(addr, len, &a, &end))
		return;
	for (; a < end; a += PG) {
		p = (a - (uintptr_t)arena) / PG;
		c = (char *)a;
		if (zero) {
			if (memcmp(c, zero_page, PG))
				violation("PREFAULT F_ZERO succeeded but page %#lx is not zero",
					  (unsigned long)a);
			pstate[p] = PS_ZERO;
			continue;
		}
		if (pstate[p] == PS_UNKNOWN)
			continue;
		for (i = 0; i < PG; i += 512)
			if (c[i] != (pstate[p] == PS_ZERO ? 0 : (char)PATTERN)) {
				violation("PREFAULT without F_ZERO changed page %#lx",
					  (unsigned long)a);
				pstate[p] = PS_UNKNOWN;
				break;
			}
	}
}

static void range_unknown(uint64_t addr, uint64_t len)
{
	uint64_t a, end;

	if (!clip_arena(addr, len, &a, &end))
		return;
	for (; a < end; a += PG)
		pstate[(a - (uintptr_t)arena) / PG] = PS_UNKNOWN;
}

static uint32_t gen_pid(void)
{
	/* Above PID_MAX_LIMIT (0x400000) even after subtracting 99. */
	static const uint32_t none[] = { 0x400100, 0x7fffffff, 0xffffffff,
					 0x3fffffff };

	if (pct(65))
		return 0;
	if (pct(30))
		return getpid();
	if (unpriv)
		return pct(40) ? 1 : pct(50) ? (uint32_t)getppid() : PICK(none);
	/* Never another process than the sleeper: F_ZERO would zero it. */
	return pct(60) && sleeper > 0 ? (uint32_t)sleeper : PICK(none) - rn(100);
}

static void fill_prefault(struct vmpkram_prefault *pf)
{
	static const uint32_t flags[] = { 0, 0, VMPKRAM_PREFAULT_F_READ,
		VMPKRAM_PREFAULT_F_ZERO, VMPKRAM_PREFAULT_F_ALL, 4, 0x80000000 };
	static const uint32_t threads[] = { 0, 0, 1, 2, 3, 8, 1024, 1025,
					    0xffffffff };

	pf->flags = pct(90) ? PICK(flags) : (uint32_t)rnd();
	gen_range(pf);
	/* Now and then a mapping of a vmpkramfs file: VM_PFNMAP. */
	if (nmaps && pct(5)) {
		struct ment *m = &maps[rn(nmaps)];

		pf->addr = (uintptr_t)m->addr;
		pf->len = (1 + rn(m->len / PG)) * PG;
	}
	pf->pid = gen_pid();
	pf->threads = pct(90) ? PICK(threads) : (uint32_t)rnd();
	pf->__reserved = pct(90) ? 0 : (uint32_t)rnd() | 1;
	pf->done = rnd();
	pf->job_id = rnd();
}

/*
 * A request the kernel would act on must name memory of the fuzzer (or
 * of the sleeper, at the same addresses): the reservation, a vmpkramfs
 * mapping, or the unmapped bottom of the address space.
 */
static bool prefault_safe(const struct vmpkram_prefault *pf)
{
	uint32_t all = VMPKRAM_PREFAULT_F_ALL;
	uint64_t end;
	int i;

	if ((pf->flags & ~all) || pf->__reserved || (pf->flags & all) == all ||
	    !pf->len || pf->addr % PG || pf->len % PG ||
	    pf->threads > VMPKRAM_WORKERS_LIMIT ||
	    __builtin_add_overflow(pf->addr, pf->len, &end) ||
	    end > (1ULL << 47) - PG)
		return true;
	if (end <= 1UL << 20)
		return true;
	if (pf->addr >= (uintptr_t)resv && end <= (uintptr_t)resv + RESV)
		return true;
	for (i = 0; i < nmaps; i++)
		if (pf->addr >= (uintptr_t)maps[i].addr &&
		    end <= (uintptr_t)maps[i].addr + maps[i].len)
			return true;
	return false;
}

/* What PREFAULT must answer for @pf; the set (0 = success allowed) */
static int prefault_expect(const struct vmpkram_prefault *pf, bool ro,
			   int *errs, bool *may_succeed)
{
	uint32_t all = VMPKRAM_PREFAULT_F_ALL;
	bool own = !pf->pid || pf->pid == (uint32_t)getpid();
	bool write = !(pf->flags & VMPKRAM_PREFAULT_F_READ);
	uint64_t end;
	int n = 0;

	*may_succeed = false;
	if ((pf->flags & ~all) || pf->__reserved || (pf->flags & all) == all ||
	    !pf->len || pf->addr % PG || pf->len % PG ||
	    pf->threads > VMPKRAM_WORKERS_LIMIT) {
		errs[n++] = EINVAL;
		return n;
	}
	if (__builtin_add_overflow(pf->addr, pf->len, &end) ||
	    end > (1ULL << 56) - PG) {
		errs[n++] = EOVERFLOW;
		return n;
	}
	/* Beyond 47 bits: EOVERFLOW, or unmapped with 5-level paging. */
	if (end > (1ULL << 47) - PG) {
		errs[n++] = EOVERFLOW;
		errs[n++] = ENOMEM;
		errs[n++] = unpriv ? EPERM : ESRCH;
		return n;
	}
	if (!own) {
		if (unpriv) {
			errs[n++] = EPERM;
			return n;
		}
		if (pf->pid != (uint32_t)sleeper) {
			errs[n++] = ESRCH;
			return n;
		}
		/* The sleeper: its own layout, as at its fork. */
		errs[n++] = EINVAL;
		errs[n++] = ENOMEM;
		errs[n++] = EFAULT;
		*may_succeed = !ro;
		return n;
	}
	n = range_outcome(pf->addr, pf->len, write, errs);
	if (!n)
		*may_succeed = true;
	if (ro) {	/* the write-back fails: EFAULT unless the job failed */
		*may_succeed = false;
		errs[n++] = EFAULT;
	}
	return n;
}

static bool set_has(const int *errs, int n, int e)
{
	int i;

	for (i = 0; i < n; i++)
		if (errs[i] == e)
			return true;
	return false;
}

/* The /proc/self/maps line of @addr, for reports. */
static const char *maps_line(uint64_t addr)
{
	static char line[256];
	unsigned long s, e;
	FILE *f = fopen("/proc/self/maps", "r");

	strcpy(line, "unmapped\n");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && addr >= s && addr < e)
			break;
		else
			strcpy(line, "unmapped\n");
	if (f)
		fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static void fuzz_ioctl(void)
{
	static uint8_t img[2 * PG] __attribute__((aligned(8)));
	struct vmpkram_prefault *pf = (void *)img;
	struct vmpkram_api *api = (void *)img;
	int kind, ap, ret, err, i, nerr = 0, errs[8];
	bool may_succeed = false, tail_nz = false, known, ro = false;
	bool handler = false;
	size_t ksz, avail = 0, off = 0;
	unsigned long cmd;
	uint32_t usize;
	char *arg;

	memset(img, 0, sizeof(img));
	kind = rn(100) < 35 ? 0 : rn(100) < 85 ? 1 : 2;
	if (kind == 2) {
		cmd = _IOC(rn(4), pct(80) ? VMPKRAM_IOC_MAGIC :
			   PICK(((int[]){ 0xb9, 0xbb })),
			   pct(60) ? rn(4) : rn(256), pct(50) ? 0 : rn(1 << 14));
	} else {
		cmd = kind ? VMPKRAM_IOC_PREFAULT : VMPKRAM_IOC_GET_API;
	}
	known = cmd == VMPKRAM_IOC_GET_API || cmd == VMPKRAM_IOC_PREFAULT;
	if (known)
		kind = cmd == VMPKRAM_IOC_PREFAULT;
	ksz = kind == 1 ? sizeof(*pf) : sizeof(*api);

	usize = gen_size(ksz);
	if (kind == 1) {
		fill_prefault(pf);
	} else {
		api->flags = pct(88) ? 0 : (uint32_t)rnd();
		api->__reserved = pct(88) ? 0 : (uint32_t)rnd();
		api->api_version = rnd();
		api->features = rnd();
	}
	api->size = usize;
	if (pct(20) && usize > ksz) {	/* a newer caller's non-zero field */
		i = ksz + rn((usize < sizeof(img) ? usize : sizeof(img)) - ksz);
		img[i] = 1 + rn(255);
	}
	if (pct(8)) {	/* bit flips anywhere in the struct, size included */
		uint64_t addr = pf->addr, len = pf->len;

		for (i = 1 + rn(4); i; i--)
			img[rn(ksz)] ^= 1 << rn(8);
		/* Never a range of memory the fuzzer does not own. */
		if (kind == 1 && !prefault_safe(pf)) {
			pf->addr = addr;
			pf->len = len;
		}
	}
	/* Nor another process than the sleeper (root may target any). */
	if (kind == 1 && !unpriv && pf->pid && pf->pid != (uint32_t)getpid() &&
	    pf->pid != (uint32_t)sleeper && pf->pid < 0x400000)
		pf->pid = 0x7fffffff;
	usize = api->size;
	for (i = ksz; i < (int)sizeof(img) && (uint64_t)i < usize; i++)
		if (img[i]) {
			tail_nz = true;
			break;
		}

	ap = rn(100);
	ap = ap < 80 ? AP_BUF : ap < 84 ? AP_NULL : ap < 87 ? AP_UNMAPPED :
	     ap < 90 ? AP_NONE : ap < 93 ? AP_KERNEL : AP_RO;
	switch (ap) {
	case AP_BUF:
		off = PICK(((size_t[]){ 0, 0, 0, 2 * PG - ksz, 2 * PG - usize,
					2 * PG - 1 - rn(ksz), rn(2 * PG) }));
		if (off > 2 * PG - 4)
			off = 0;
		avail = 2 * PG - off;
		arg = abuf + off;
		memcpy(arg, img, avail < sizeof(img) ? avail : sizeof(img));
		break;
	case AP_RO:
		mprotect(abuf + 3 * PG, PG, PROT_READ | PROT_WRITE);
		memcpy(abuf + 3 * PG, img, PG);
		mprotect(abuf + 3 * PG, PG, PROT_READ);
		arg = abuf + 3 * PG;
		avail = PG;
		ro = true;
		break;
	case AP_NULL:
		arg = NULL;
		break;
	case AP_UNMAPPED:
		arg = (char *)0x10000;
		break;
	case AP_NONE:
		arg = abuf + 2 * PG;
		break;
	default:
		arg = (char *)0xffff888000000000ULL;
	}

	/* What the dispatcher must answer before the handler runs. */
	if (!known) {
		errs[nerr++] = ENOTTY;
	} else if (ap != AP_BUF && ap != AP_RO) {
		errs[nerr++] = EFAULT;
	} else if (usize < ksz) {
		errs[nerr++] = EINVAL;
	} else if (usize > PG) {
		errs[nerr++] = E2BIG;
	} else if (usize > avail) {
		errs[nerr++] = EFAULT;
		if (tail_nz)
			errs[nerr++] = E2BIG;
	} else if (tail_nz) {
		errs[nerr++] = E2BIG;
	} else if (kind == 0) {
		handler = true;
		if (api->flags || api->__reserved)
			errs[nerr++] = EINVAL;
		else if (ro)
			errs[nerr++] = EFAULT;
		else
			may_succeed = true;
	} else {
		handler = true;
		nerr = prefault_expect(pf, ro, errs, &may_succeed);
	}

	note("ioctl %#lx size %u arg %p%s flags %#x rsv %#x"
	     " addr %#" PRIx64 " len %#" PRIx64 " pid %u threads %u",
	     cmd, usize, arg,
	     ap == AP_BUF ? "" : ap == AP_RO ? " (read-only)" : " (bad)",
	     pf->flags, kind == 1 ? pf->__reserved : api->__reserved,
	     (uint64_t)pf->addr, (uint64_t)pf->len, pf->pid, pf->threads);

	holes_open();
	ret = ioctl(dev, cmd, arg);
	err = ret < 0 ? errno : 0;
	holes_close();

	if (ret > 0) {
		violation("ioctl %#lx returned %d", cmd, ret);
	} else if (!err && !may_succeed) {
		violation("ioctl %#lx succeeded, expected %s%s (%s)", cmd,
			  nerr ? ename(errs[0]) : "?", nerr > 1 ? " or ..." : "",
			  maps_line(pf->addr));
	} else if (err && !set_has(errs, nerr, err)) {
		violation("ioctl %#lx failed with %s, expected %s%s%s", cmd,
			  ename(err), may_succeed ? "success" : "",
			  nerr ? (may_succeed ? " or " : "") : "",
			  nerr ? ename(errs[0]) : "");
	}
	expect_in("ioctl", err, kind == 1 ? IOC_PREFAULT : IOC_COMMON);
	if (!err)
		stat_add(kind == 1 ? S_PREFAULT : S_IOCTL);

	if (kind == 0 && !err && ap == AP_BUF) {
		struct vmpkram_api *out = (void *)arg;

		if (out->api_version != VMPKRAM_API_VERSION ||
		    out->workers_limit != VMPKRAM_WORKERS_LIMIT ||
		    !out->max_workers || out->max_workers > VMPKRAM_WORKERS_LIMIT ||
		    !(out->features & VMPKRAM_FEATURE_POOL))
			violation("GET_API answered version %u limit %u workers %u features %#llx",
				  out->api_version, out->workers_limit,
				  out->max_workers,
				  (unsigned long long)out->features);
	}
	if (kind == 1 && handler) {
		struct vmpkram_prefault *out = (void *)arg;
		bool own = !pf->pid || pf->pid == (uint32_t)getpid();
		bool zero = pf->flags & VMPKRAM_PREFAULT_F_ZERO;

		if (!err && ap == AP_BUF &&
		    (out->done != pf->len || !out->threads ||
		     out->threads > VMPKRAM_WORKERS_LIMIT))
			violation("PREFAULT succeeded with done %llu of %llu, threads %u",
				  (unsigned long long)out->done,
				  (unsigned long long)pf->len, out->threads);
		if (!err && own)
			check_arena(pf->addr, pf->len, zero);
		else if (err && own && zero)
			range_unknown(pf->addr, pf->len);
		if (!own && zero)
			memfd_unknown();
	}
	/* Slots get new kinds now and then. */
	if (pct(4)) {	/* usable kinds more often than the others */
		i = rn(NSLOTS);
		slot_make(i, PICK(((int[]){ SL_RW, SL_RW, SL_RW, SL_THP,
			  SL_THP, SL_MEMFD, SL_MEMFD, SL_RO, SL_NONE, SL_HOLE })));
	}
}

/* ------------------------------------------------------------------ */
/* family 2: generic netlink                                            */
/* ------------------------------------------------------------------ */

static int nl_fd = -1;
static __u16 nl_family;
static __u32 nl_seq = 1000;

struct nlbuf {
	uint8_t b[4096] __attribute__((aligned(8)));
	size_t len;
};

/* One request of a datagram and what came back for it. */
struct req {
	size_t off;
	__u32 seq;
	__u8 cmd;
	bool processed;	/* the kernel parses it as a request to the family */
	bool family;
	bool shaped;	/* well formed: header, flags and every attribute */
	bool dump;
	bool behind_dump;	/* a dump runs on the socket: EBUSY for a dump */
	bool has_name, has_base, has_size, has_mw;
	char name[VMPKRAM_POOL_NAME_MAX + 1];
	uint64_t base, size;
	uint32_t mw;
	int err;	/* -1: no error and no ack seen */
	int data;	/* data messages */
	int api_version;
};

static const __u8 REQ_CMDS[] = {
	VMPKRAM_CMD_GET_STATUS, VMPKRAM_CMD_SET_PARAMS, VMPKRAM_CMD_GET_JOBS,
	VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_ATTACH, VMPKRAM_CMD_POOL_DETACH,
	VMPKRAM_CMD_POOL_FORMAT, VMPKRAM_CMD_POOL_SEAL,
	VMPKRAM_CMD_POOL_UNSEAL, VMPKRAM_CMD_GET_FILES,
	VMPKRAM_CMD_POOL_CHECK, VMPKRAM_CMD_POOL_REPAIR,
};

static bool cmd_req(int c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(REQ_CMDS); i++)
		if (REQ_CMDS[i] == c)
			return true;
	return false;
}

static bool cmd_admin(int c)
{
	return cmd_req(c) && c != VMPKRAM_CMD_GET_STATUS;
}

static bool cmd_doit(int c)
{
	return cmd_req(c) && c != VMPKRAM_CMD_GET_JOBS &&
	       c != VMPKRAM_CMD_GET_FILES;
}

static bool cmd_dump(int c)
{
	return c == VMPKRAM_CMD_GET_JOBS || c == VMPKRAM_CMD_POOL_GET ||
	       c == VMPKRAM_CMD_GET_FILES;
}

static bool cmd_changes_pools(int c)
{
	return c == VMPKRAM_CMD_POOL_ATTACH || c == VMPKRAM_CMD_POOL_DETACH ||
	       c == VMPKRAM_CMD_POOL_FORMAT || c == VMPKRAM_CMD_POOL_SEAL ||
	       c == VMPKRAM_CMD_POOL_UNSEAL || c == VMPKRAM_CMD_POOL_REPAIR;
}

static const char *cmd_name(int c)
{
	static const char *const n[] = {
		"UNSPEC", "GET_STATUS", "SET_PARAMS", "STATUS_NTF", "GET_JOBS",
		"JOB_NTF", "POOL_GET", "POOL_ATTACH", "POOL_DETACH",
		"POOL_FORMAT", "POOL_SEAL", "POOL_UNSEAL", "POOL_NTF",
		"GET_FILES", "POOL_CHECK", "POOL_REPAIR",
	};

	return c >= 0 && c < (int)ARRAY_SIZE(n) ? n[c] : "cmd?";
}

static void *nb_put(struct nlbuf *m, const void *d, size_t n)
{
	void *p;

	if (m->len + NLA_ALIGN(n) > sizeof(m->b))
		return NULL;
	p = m->b + m->len;
	memset(p, 0, NLA_ALIGN(n));
	if (d)
		memcpy(p, d, n);
	m->len += NLA_ALIGN(n);
	return p;
}

static struct nlattr *nb_attr(struct nlbuf *m, __u16 type, const void *d,
			      size_t n)
{
	struct nlattr *a;

	if (m->len + NLA_HDRLEN + NLA_ALIGN(n) > sizeof(m->b))
		return NULL;
	a = nb_put(m, NULL, NLA_HDRLEN);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + n;
	nb_put(m, d, n);
	return a;
}

static const char *gen_pool_name(char *buf)
{
	static const char *const fixed[] = { "test", "test", "test", "small",
		"small", "small", "small", "fuzz0", "fuzz1", "nosuch", "",
		"bad name!", "a.b", "0123456789012345678901234567890", "TEST" };
	int len, i;

	if (pct(85))
		return PICK(fixed);
	len = 1 + rn(31);
	for (i = 0; i < len; i++)
		buf[i] = PICK(((const char[]){ 'a', 'z', 'Q', '0', '9', '_',
					       '-' }));
	buf[len] = '\0';
	return buf;
}

static uint64_t gen_base(void)
{
	static const uint64_t b[] = { TEST_BASE, TEST_BASE, SMALL_BASE,
		SMALL_BASE, 0x62000000, 0x64000000, 0, 0x100000, 0xc0000000,
		0x100000000ULL, 0xfee00000, TEST_BASE + 4096, ~0ULL,
		~0ULL - BLK + 1, 1ULL << 52 };

	if (pct(30))
		return TEST_BASE + rn(0x24000000 / BLK) * BLK;
	return pct(80) ? PICK(b) : rnd() & ~(BLK - 1) & ((1ULL << 34) - 1);
}

static uint64_t gen_pool_size(void)
{
	static const uint64_t s[] = { TEST_SIZE, SMALL_SIZE, 4 << 20, 6 << 20,
		2 << 20, 0, 4ULL << 40, (4ULL << 40) + BLK, 8ULL << 40, 4096,
		~0ULL, (64ULL << 20) + 4096 };

	if (pct(25))
		return (2 + rn(256)) * BLK;
	return pct(85) ? PICK(s) : rnd();
}

static void put_name(struct nlbuf *m, bool attach)
{
	char buf[40];
	const char *n = gen_pool_name(buf);

	/* "nosuch" must stay absent: the checks expect ENODEV for it. */
	if (attach && !strcmp(n, "nosuch"))
		n = "fuzz2";
	nb_attr(m, VMPKRAM_A_POOL_NAME, n, strlen(n) + 1);
}

static void put_u64(struct nlbuf *m, __u16 type, uint64_t v)
{
	nb_attr(m, type, &v, sizeof(v));
}

static void put_u32(struct nlbuf *m, __u16 type, uint32_t v)
{
	nb_attr(m, type, &v, sizeof(v));
}

/* The attributes @cmd takes, each well formed. */
static void gen_valid_attrs(struct nlbuf *m, int cmd)
{
	switch (cmd) {
	case VMPKRAM_CMD_SET_PARAMS:
		if (pct(85))
			put_u32(m, VMPKRAM_A_MAX_WORKERS, pct(50) ? rn(9) :
				PICK(((uint32_t[]){ 0, 1, 2, 1024, rn(1025) })));
		break;
	case VMPKRAM_CMD_POOL_ATTACH:
		if (pct(92))
			put_name(m, true);
		if (pct(92))
			put_u64(m, VMPKRAM_A_POOL_BASE, gen_base());
		if (pct(92))
			put_u64(m, VMPKRAM_A_POOL_SIZE, gen_pool_size());
		break;
	case VMPKRAM_CMD_POOL_GET:
	case VMPKRAM_CMD_POOL_DETACH:
	case VMPKRAM_CMD_POOL_FORMAT:
	case VMPKRAM_CMD_POOL_SEAL:
	case VMPKRAM_CMD_POOL_UNSEAL:
	case VMPKRAM_CMD_GET_FILES:
	case VMPKRAM_CMD_POOL_CHECK:
	case VMPKRAM_CMD_POOL_REPAIR:
		if (pct(80))
			put_name(m, false);
		break;
	}
}

static void gen_random_attr(struct nlbuf *m, int depth)
{
	__u16 type = pct(75) ? rn(VMPKRAM_A_MAX + 4) : (__u16)rnd();
	uint8_t raw[320];
	size_t off, n, i;
	uint64_t v;

	if (pct(10))
		type |= NLA_F_NESTED;
	if (pct(4))
		type |= NLA_F_NET_BYTEORDER;
	switch (rn(11)) {
	case 0:
		v = interesting();
		nb_attr(m, type, &v, 1 + rn(8));
		break;
	case 1:
		put_u32(m, type, interesting());
		break;
	case 2:
		put_u64(m, type, interesting());
		break;
	case 3:	/* a string with its NUL */
		put_name(m, true);
		break;
	case 4:	/* not NUL terminated, up to 300 bytes */
		n = PICK(((size_t[]){ 1, 4, 31, 32, 33, 255, 300 }));
		for (i = 0; i < n; i++)
			raw[i] = 'a' + rn(26);
		nb_attr(m, PICK(((__u16[]){ VMPKRAM_A_POOL_NAME, type })), raw, n);
		break;
	case 5:	/* zero length, often a "string" */
		nb_attr(m, pct(50) ? VMPKRAM_A_POOL_NAME : type, NULL, 0);
		break;
	case 6:	/* random bytes */
		n = rn(80);
		for (i = 0; i < n; i++)
			raw[i] = rnd();
		nb_attr(m, type, raw, n);
		break;
	case 7:	/* a long string with its NUL, or embedded NULs */
		n = 32 + rn(260);
		for (i = 0; i < n; i++)
			raw[i] = pct(5) ? 0 : 'b';
		raw[n - 1] = 0;
		nb_attr(m, VMPKRAM_A_POOL_NAME, raw, n);
		break;
	case 8:	/* a nest of random attributes */
	case 9:	/* extents, as GET_FILES replies carry them */
		if (depth >= 3 || m->len + 64 > sizeof(m->b)) {
			nb_attr(m, type, NULL, 0);
			break;
		}
		off = m->len;
		if (!nb_attr(m, rn(2) ? (type | NLA_F_NESTED) :
			     VMPKRAM_A_FILE_EXTENTS, NULL, 0))
			break;
		for (i = rn(4); i; i--) {
			if (m->len + 96 > sizeof(m->b))
				break;
			if (rn(11) == 9 || depth) {
				gen_random_attr(m, depth + 1);
				continue;
			}
			size_t e = m->len;

			nb_attr(m, VMPKRAM_A_EXTENT | NLA_F_NESTED, NULL, 0);
			put_u64(m, VMPKRAM_A_EXTENT_OFFSET, interesting());
			put_u64(m, VMPKRAM_A_EXTENT_PHYS, gen_base());
			put_u64(m, VMPKRAM_A_EXTENT_LEN, interesting());
			((struct nlattr *)(m->b + e))->nla_len = m->len - e;
		}
		((struct nlattr *)(m->b + off))->nla_len = m->len - off;
		break;
	default:	/* out of range values of the real attributes */
		if (pct(50))
			put_u32(m, VMPKRAM_A_MAX_WORKERS, 1025 + rn(100000));
		else
			put_u64(m, PICK(((__u16[]){ VMPKRAM_A_POOL_BASE,
				VMPKRAM_A_POOL_SIZE })), interesting());
	}
}

/* The attribute at byte @n of the attribute area, if any. */
static struct nlattr *nth_attr(struct nlbuf *m, size_t start, size_t n)
{
	size_t pos = start;
	struct nlattr *a, *pick = NULL;

	while (pos + NLA_HDRLEN <= m->len) {
		a = (void *)(m->b + pos);
		if (a->nla_len < NLA_HDRLEN)
			break;
		if (pos - start >= n && !pick)
			pick = a;
		pos += NLA_ALIGN(a->nla_len);
	}
	if (!pick && start + NLA_HDRLEN <= m->len)
		pick = (void *)(m->b + start);
	return pick;
}

static void mutate_attrs(struct nlbuf *m, size_t start)
{
	struct nlattr *a;
	size_t n, k;

	for (k = 1 + rn(3); k; k--) {
		n = m->len > start ? rn(m->len - start + 1) : 0;
		switch (rn(8)) {
		case 0:
		case 1:
			gen_random_attr(m, 0);
			break;
		case 2:	/* a bad length on an attribute */
			a = nth_attr(m, start, n);
			if (a)
				a->nla_len = PICK(((__u16[]){ 0, 1, 3, 4, 5,
					a->nla_len + 1 + rn(8), 0xffff,
					a->nla_len - 1 }));
			break;
		case 3:	/* truncated: the last attribute goes past the end */
			if (m->len > start)
				m->len -= 1 + rn(m->len - start < 8 ?
						  m->len - start : 8);
			break;
		case 4:	/* bit flips */
			if (m->len > start)
				for (n = 1 + rn(3); n; n--)
					m->b[start + rn(m->len - start)] ^=
						1 << rn(8);
			break;
		case 5:	/* NLA_F_NESTED on an attribute that is not */
			a = nth_attr(m, start, n);
			if (a)
				a->nla_type ^= NLA_F_NESTED;
			break;
		case 6:	/* a duplicate */
			a = nth_attr(m, start, n);
			if (a && a->nla_len >= NLA_HDRLEN &&
			    (uint8_t *)a + a->nla_len <= m->b + m->len) {
				uint8_t copy[512];
				size_t l = a->nla_len < sizeof(copy) ?
					   a->nla_len : sizeof(copy);

				memcpy(copy, a, l);
				nb_put(m, copy, l);
			}
			break;
		default:	/* huge length on the last one */
			a = nth_attr(m, start, m->len);
			if (a)
				a->nla_len = 0xffff - rn(16);
		}
	}
}

/* Strict policy validation as the kernel does it, for @cmd. */
static bool attrs_valid(struct req *r, const uint8_t *p, int len)
{
	const struct nlattr *a;
	const char *s;
	int rem = len, t, l;

	r->has_name = r->has_base = r->has_size = r->has_mw = false;
	while (rem >= NLA_HDRLEN) {
		a = (const void *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			return false;
		t = a->nla_type;
		l = a->nla_len - NLA_HDRLEN;
		s = (const char *)a + NLA_HDRLEN;
		if (t & (NLA_F_NESTED | NLA_F_NET_BYTEORDER))
			return false;
		switch (t) {
		case VMPKRAM_A_MAX_WORKERS:
			if (r->cmd != VMPKRAM_CMD_SET_PARAMS || l != 4)
				return false;
			memcpy(&r->mw, s, 4);
			if (r->mw > VMPKRAM_WORKERS_LIMIT)
				return false;
			r->has_mw = true;
			break;
		case VMPKRAM_A_POOL_NAME: {
			int minlen = l < VMPKRAM_POOL_NAME_MAX + 1 ? l :
				     VMPKRAM_POOL_NAME_MAX + 1;

			if (!cmd_admin(r->cmd) || r->cmd == VMPKRAM_CMD_GET_JOBS ||
			    r->cmd == VMPKRAM_CMD_SET_PARAMS)
				return false;
			if (!minlen || !memchr(s, 0, minlen))
				return false;
			if (l - (s[l - 1] == 0) > VMPKRAM_POOL_NAME_MAX)
				return false;
			snprintf(r->name, sizeof(r->name), "%s", s);
			r->has_name = true;
			break;
		}
		case VMPKRAM_A_POOL_BASE:
		case VMPKRAM_A_POOL_SIZE:
			if (r->cmd != VMPKRAM_CMD_POOL_ATTACH || l != 8)
				return false;
			if (t == VMPKRAM_A_POOL_BASE) {
				memcpy(&r->base, s, 8);
				r->has_base = true;
			} else {
				memcpy(&r->size, s, 8);
				r->has_size = true;
			}
			break;
		default:
			return false;
		}
		rem -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
	return rem == 0;
}

/* How the kernel will see the request at r->off of the datagram. */
static void analyze(struct nlbuf *m, struct req *r)
{
	const struct nlmsghdr *nlh = (const void *)(m->b + r->off);
	const struct genlmsghdr *g = (const void *)(nlh + 1);
	size_t rem = m->len - r->off;
	__u16 f = nlh->nlmsg_flags, base;
	bool dump;

	r->processed = rem >= NLMSG_HDRLEN && nlh->nlmsg_len >= NLMSG_HDRLEN &&
		       nlh->nlmsg_len <= rem && (f & NLM_F_REQUEST) &&
		       nlh->nlmsg_type >= NLMSG_MIN_TYPE;
	r->family = nlh->nlmsg_type == nl_family;
	r->cmd = g->cmd;
	r->shaped = false;
	if (!r->processed || !r->family ||
	    nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return;
	dump = (f & NLM_F_DUMP) == NLM_F_DUMP;
	r->dump = dump;
	base = f & ~(dump ? NLM_F_DUMP : 0);
	if (g->reserved || (base & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO)) ||
	    !(base & NLM_F_ACK) || !cmd_req(g->cmd) ||
	    (dump ? !cmd_dump(g->cmd) : !cmd_doit(g->cmd)))
		return;
	r->shaped = attrs_valid(r, (const uint8_t *)g + GENL_HDRLEN,
				nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
}

static __u8 gen_cmd(void)
{
	static const __u8 w[] = {	/* weights: seal rarely, unseal often */
		VMPKRAM_CMD_GET_STATUS, VMPKRAM_CMD_GET_STATUS,
		VMPKRAM_CMD_SET_PARAMS, VMPKRAM_CMD_GET_JOBS,
		VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_GET,
		VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_ATTACH,
		VMPKRAM_CMD_POOL_ATTACH, VMPKRAM_CMD_POOL_ATTACH,
		VMPKRAM_CMD_POOL_DETACH, VMPKRAM_CMD_POOL_DETACH,
		VMPKRAM_CMD_POOL_FORMAT, VMPKRAM_CMD_POOL_FORMAT,
		VMPKRAM_CMD_POOL_UNSEAL, VMPKRAM_CMD_POOL_UNSEAL,
		VMPKRAM_CMD_GET_FILES, VMPKRAM_CMD_GET_FILES,
		VMPKRAM_CMD_POOL_CHECK, VMPKRAM_CMD_POOL_REPAIR,
	};
	int k = rn(100);

	if (k < 2)
		return VMPKRAM_CMD_POOL_SEAL;
	if (k < 82)
		return PICK(w);
	if (k < 90)
		return PICK(((__u8[]){ VMPKRAM_CMD_UNSPEC,
			VMPKRAM_CMD_STATUS_NTF, VMPKRAM_CMD_JOB_NTF,
			VMPKRAM_CMD_POOL_NTF }));
	if (k < 97)
		return VMPKRAM_CMD_MAX + 1 + rn(3);
	return rnd();
}

/* Appends one request; a mutated one unless @shape. */
static void gen_msg(struct nlbuf *m, struct req *r, bool second)
{
	bool shape = pct(45);
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	size_t attrs, total, cut;
	__u8 cmd = gen_cmd();
	__u16 flags = NLM_F_REQUEST | NLM_F_ACK;

	if (cmd_dump(cmd) && (!cmd_doit(cmd) || pct(40)))
		flags |= NLM_F_DUMP;
	memset(r, 0, sizeof(*r));
	r->off = m->len;
	nlh = nb_put(m, NULL, NLMSG_HDRLEN);
	g = nb_put(m, NULL, GENL_HDRLEN);
	if (!nlh || !g)
		return;
	nlh->nlmsg_type = nl_family;
	nlh->nlmsg_seq = r->seq = ++nl_seq;
	g->cmd = cmd;
	g->version = pct(80) ? VMPKRAM_GENL_VERSION : rnd();
	attrs = m->len;
	gen_valid_attrs(m, cmd);
	if (!shape)
		mutate_attrs(m, attrs);
	total = m->len - r->off;
	nlh = (void *)(m->b + r->off);
	g = (void *)(nlh + 1);
	nlh->nlmsg_len = total;
	if (!shape) {
		if (pct(12))
			g->reserved = 1 + rn(255);
		if (pct(8))
			flags = rnd();
		else if (pct(4))
			flags &= ~NLM_F_REQUEST;
		else if (pct(12))
			flags ^= NLM_F_DUMP;
		else if (pct(4))
			flags ^= NLM_F_ROOT;
		else if (pct(4))
			flags |= NLM_F_ECHO;
		else if (pct(5))
			flags &= ~NLM_F_ACK;
		if (pct(4))
			nlh->nlmsg_type = PICK(((__u16[]){ NLMSG_NOOP,
				NLMSG_ERROR, NLMSG_DONE, 0x0f, 0xffff }));
		if (!second && pct(4)) {
			nlh->nlmsg_len = total + 1 + rn(64);	/* dropped */
		} else if (!second && pct(6)) {
			/* shorter than sent; a header of the rest is cut */
			nlh->nlmsg_len = pct(30) ? NLMSG_HDRLEN + rn(GENL_HDRLEN) :
					 NLMSG_HDRLEN + rn(total - NLMSG_HDRLEN);
			cut = r->off + NLMSG_ALIGN(nlh->nlmsg_len);
			if (cut + NLMSG_HDRLEN <= m->len)
				memset(m->b + cut, 0xff, 4);
		}
	}
	nlh->nlmsg_flags = flags;
}

static char nl_rbuf[64 * 1024] __attribute__((aligned(8)));

static void nl_take(struct nlmsghdr *h, struct req *reqs, int nreq)
{
	struct nlattr *a;
	int i, rem;

	for (i = 0; i < nreq; i++) {
		if (h->nlmsg_seq != reqs[i].seq)
			continue;
		if (h->nlmsg_type == NLMSG_ERROR &&
		    h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
			reqs[i].err = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
		} else if (h->nlmsg_type == NLMSG_DONE) {
			if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
				reqs[i].err = -*(int *)NLMSG_DATA(h);
			else
				reqs[i].err = 0;
		} else if (h->nlmsg_type == nl_family) {
			reqs[i].data++;
			if (h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				continue;
			tnl_for_each(a, (char *)NLMSG_DATA(h) + GENL_HDRLEN,
				     h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), rem)
				if (a->nla_type == VMPKRAM_A_API_VERSION)
					reqs[i].api_version = tnl_u32(a);
		}
	}
}

/*
 * Sends the datagram and a NOOP request with an ACK behind it, and reads
 * until that ACK (a request the kernel drops has no answer of its own),
 * then whatever a dump still sends.  False if the ACK did not come.
 */
static bool nl_xfer(struct nlbuf *m, struct req *reqs, int nreq, bool *lost)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	struct nlmsghdr noop = { .nlmsg_len = NLMSG_HDRLEN,
				 .nlmsg_type = NLMSG_NOOP,
				 .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK };
	bool acked = false;
	struct nlmsghdr *h;
	ssize_t n;

	*lost = false;
	noop.nlmsg_seq = ++nl_seq;
	if (sendto(nl_fd, m->b, m->len, 0, (void *)&k, sizeof(k)) < 0)
		*lost = true;
	if (sendto(nl_fd, &noop, sizeof(noop), 0, (void *)&k, sizeof(k)) < 0)
		return false;
	for (;;) {
		n = recv(nl_fd, nl_rbuf, sizeof(nl_rbuf), acked ? MSG_DONTWAIT : 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			*lost = true;
			continue;
		}
		if (n < 0)
			return acked;
		for (h = (void *)nl_rbuf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq == noop.nlmsg_seq &&
			    h->nlmsg_type == NLMSG_ERROR)
				acked = true;
			else
				nl_take(h, reqs, nreq);
		}
	}
}

static void check_attach(struct req *r)
{
	struct pools ps;
	int i, j;

	if (!r->has_base || !r->has_size || !r->has_name) {
		violation("ATTACH succeeded without name, base or size");
		return;
	}
	if (r->base % BLK || r->size % BLK || r->size < VMPKRAM_POOL_MIN_SIZE ||
	    r->size > VMPKRAM_POOL_MAX_SIZE || r->base + r->size < r->base)
		violation("ATTACH %s %#" PRIx64 "@%#" PRIx64 " succeeded: bad geometry",
			  r->name, r->size, r->base);
	else if (!range_reserved(r->base, r->size))
		violation("ATTACH %s %#" PRIx64 "@%#" PRIx64 " succeeded on memory that is not reserved",
			  r->name, r->size, r->base);
	if (pools_dump(&ps))
		return;
	for (i = 0; i < ps.nr; i++)
		for (j = i + 1; j < ps.nr; j++)
			if (overlaps(ps.p[i].base, ps.p[i].size, ps.p[j].base,
				     ps.p[j].size))
				violation("pools %s and %s overlap after ATTACH",
					  ps.p[i].name, ps.p[j].name);
}

static const int NL_ROOT[] = { EINVAL, ERANGE, EOPNOTSUPP, ENODEV, EEXIST,
			       EBUSY, EADDRNOTAVAIL, EUCLEAN, ENOMEM, ENOENT,
			       EAGAIN, 0 };
static const int NL_UNPRIV_ADMIN[] = { EPERM, EINVAL, ERANGE, EOPNOTSUPP, 0 };
static const int NL_UNPRIV_OTHER[] = { EINVAL, ERANGE, EOPNOTSUPP, ENOENT, 0 };

static void nl_check(struct req *r)
{
	bool ok = r->err <= 0;	/* -1: no error (and no ACK asked) */
	const char *c = cmd_name(r->cmd);

	if (!r->processed || !r->family)
		return;
	/* One dump at a time per socket (netlink_dump_start). */
	if (r->behind_dump && r->err == EBUSY)
		return;
	if (unpriv) {
		if (cmd_admin(r->cmd)) {
			if (r->data)
				violation("unprivileged %s got %d reply messages",
					  c, r->data);
			if (ok)
				violation("unprivileged admin command %s succeeded", c);
			else if (r->shaped && r->err != EPERM)
				violation("unprivileged %s failed with %s, not EPERM",
					  c, ename(r->err));
			else
				expect_in(c, r->err, NL_UNPRIV_ADMIN);
		} else if (r->cmd == VMPKRAM_CMD_GET_STATUS && r->shaped) {
			if (r->err > 0)
				violation("unprivileged GET_STATUS failed with %s",
					  ename(r->err));
		} else {
			expect_in(c, r->err, NL_UNPRIV_OTHER);
		}
		return;
	}
	if (r->err == EPERM)
		violation("%s as root failed with EPERM", c);
	else
		expect_in(c, r->err, NL_ROOT);
	if (r->shaped) {
		if (r->cmd == VMPKRAM_CMD_GET_STATUS &&
		    (!ok || r->api_version != VMPKRAM_API_VERSION))
			violation("GET_STATUS: %s, api version %d", ename(r->err),
				  r->api_version);
		if (r->cmd == VMPKRAM_CMD_SET_PARAMS && r->has_mw != ok)
			violation("SET_PARAMS %s max_workers: %s",
				  r->has_mw ? "with" : "without", ename(r->err));
		if (cmd_doit(r->cmd) && r->cmd != VMPKRAM_CMD_GET_STATUS &&
		    r->cmd != VMPKRAM_CMD_SET_PARAMS &&
		    r->cmd != VMPKRAM_CMD_POOL_SEAL &&
		    r->cmd != VMPKRAM_CMD_POOL_UNSEAL && !r->has_name &&
		    !r->dump && r->err != EINVAL)
			violation("%s without a pool name: %s, not EINVAL", c,
				  ename(r->err));
		if (r->has_name && !strcmp(r->name, "nosuch") &&
		    r->cmd != VMPKRAM_CMD_POOL_ATTACH && r->err != ENODEV &&
		    !(r->cmd == VMPKRAM_CMD_POOL_GET && r->dump))
			violation("%s of pool \"nosuch\": %s, not ENODEV", c,
				  ename(r->err));
	}
	if (r->cmd == VMPKRAM_CMD_POOL_ATTACH && ok)
		check_attach(r);
	if ((r->cmd == VMPKRAM_CMD_POOL_FORMAT ||
	     r->cmd == VMPKRAM_CMD_POOL_DETACH) && r->has_name &&
	    !strcmp(r->name, POOL) && mounted && (ok || (r->shaped &&
						       r->err != EBUSY)))
		violation("%s of the mounted pool %s: %s, not EBUSY", c, POOL,
			  ename(r->err));
}

static void fuzz_netlink(void)
{
	struct nlbuf m = { .len = 0 };
	struct req reqs[2];
	int nreq = 1, one, i;
	bool lost, changes = false;

	if (!unpriv && pct(2)) {	/* ACK options of the socket */
		one = rn(2);
		setsockopt(nl_fd, SOL_NETLINK, PICK(((int[]){ NETLINK_EXT_ACK,
			   NETLINK_CAP_ACK })), &one, sizeof(one));
	}
	if (!unpriv && pct(3)) {	/* "small" back where it belongs */
		struct tnl_pool p;

		if (tnl_pool_get(&ctl, "small", &p) == ENODEV) {
			detach_overlapping("small", SMALL_BASE, SMALL_SIZE);
			pool_attach("small", SMALL_BASE, SMALL_SIZE);
		}
	}
	gen_msg(&m, &reqs[0], false);
	analyze(&m, &reqs[0]);
	if (pct(8) && reqs[0].processed &&
	    ((struct nlmsghdr *)m.b)->nlmsg_len == m.len) {
		m.len = NLMSG_ALIGN(m.len);
		gen_msg(&m, &reqs[1], true);
		analyze(&m, &reqs[0]);
		analyze(&m, &reqs[1]);
		reqs[1].behind_dump = reqs[0].dump;
		nreq = 2;
	}
	for (i = 0; i < nreq; i++) {
		reqs[i].err = -1;
		changes |= cmd_changes_pools(reqs[i].cmd);
	}
	note("netlink %s%s%s%s len %zu%s%s%s", cmd_name(reqs[0].cmd),
	     reqs[0].shaped ? " (well formed)" : "",
	     reqs[0].has_name ? " name " : "",
	     reqs[0].has_name ? reqs[0].name : "", m.len,
	     nreq > 1 ? ", then " : "", nreq > 1 ? cmd_name(reqs[1].cmd) : "",
	     reqs[0].processed ? "" : " (not a request the kernel parses)");
	if (!nl_xfer(&m, reqs, nreq, &lost)) {
		violation("netlink: no answer to the NOOP behind %s within 20 s",
			  cmd_name(reqs[0].cmd));
		return;
	}
	if (!lost)
		for (i = 0; i < nreq; i++) {
			nl_check(&reqs[i]);
			if (reqs[i].processed && reqs[i].family &&
			    reqs[i].err <= 0)
				stat_add(cmd_changes_pools(reqs[i].cmd) ?
					 S_NL_POOL : S_NL);
		}
	if (!unpriv && changes)
		refresh_test();
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

static int file_size_of(int fd, off_t *size)
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
		ret = madvise(m->addr + s, l, PICK(((int[]){ MADV_DONTNEED,
			MADV_WILLNEED, MADV_REMOVE, MADV_FREE,
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
};

static void fuzz_fs(void)
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
	k = rn(1000);
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

/* ------------------------------------------------------------------ */
/* the unprivileged share                                               */
/* ------------------------------------------------------------------ */

static void unpriv_child(void)
{
	int i, n, k;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (setgroups(0, NULL) || setresgid(NOBODY_GID, NOBODY_GID, NOBODY_GID) ||
	    setresuid(NOBODY_UID, NOBODY_UID, NOBODY_UID))
		_exit(100);
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	unpriv = true;
	dev = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		violation("nobody cannot open /dev/vmpkram: %s", ename(errno));
		_exit(101);
	}
	if (tnl_open(&ctl)) {
		violation("nobody cannot resolve the genetlink family");
		_exit(102);
	}
	nl_fd = ctl.fd;
	{
		struct timeval tv = { .tv_sec = 20 };

		setsockopt(nl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	n = UNPRIV_BATCH_MIN + rn(UNPRIV_BATCH_SPAN);
	for (i = 0; i < n; i++) {
		k = rn(100);
		__atomic_add_fetch(&sh->inputs[F_UNPRIV], 1, __ATOMIC_SEQ_CST);
		if (k < 30) {
			cur_fam = "ioctl";
			fuzz_ioctl();
		} else if (k < 65) {
			cur_fam = "netlink";
			fuzz_netlink();
		} else {
			cur_fam = "fs";
			fuzz_fs();
		}
	}
	_exit(0);
}

static void fuzz_unpriv(void)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		violation("fork: %s", ename(errno));
		return;
	}
	if (!pid)
		unpriv_child();
	if (waitpid(pid, &status, 0) != pid)
		return;
	if (WIFSIGNALED(status))
		violation("unprivileged child killed by signal %d (%s) at %#" PRIx64
			  "; its last input: %s", WTERMSIG(status),
			  strsignal(WTERMSIG(status)), sh->fatal_addr, last_note());
	else if (WEXITSTATUS(status))
		violation("unprivileged child exited with %d",
			  WEXITSTATUS(status));
	sh->fatal_sig = 0;
	memfd_unknown();
}

/* ------------------------------------------------------------------ */
/* setup, the run, and the checks after it                              */
/* ------------------------------------------------------------------ */

static void sleeper_start(void)
{
	fflush(stdout);
	sleeper = fork();
	if (sleeper < 0)
		fatal("fork: %s", strerror(errno));
	if (!sleeper) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
}

static int worker_setup(void)
{
	struct tnl_pool p;
	int ret;

	iomem_read();
	memory_setup();
	signals_setup();
	/* Before anything vmpkram is open: it must hold no reference. */
	sleeper_start();

	dev = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		tap(true, "fuzz # SKIP /dev/%s: %s (module not loaded?)",
		    VMPKRAM_DEVICE_NAME, strerror(errno));
		return 4;
	}
	ret = tnl_open(&ctl);
	if (ret)
		fatal("genetlink family %s: %s", VMPKRAM_GENL_NAME, strerror(-ret));
	{
		struct timeval tv = { .tv_sec = 20 };

		setsockopt(ctl.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	nl_family = ctl.family;
	ret = pool_ensure(POOL, TEST_BASE, TEST_SIZE, &p);
	if (ret) {
		tap(true, "fuzz # SKIP no usable pool \"%s\" (%s): run in the VM suite \"fuzz\" (memmap=512M$0x40000000 vmpkram.pool=test:512M@0x40000000,small:64M@0x60000000)",
		    POOL, ename(ret));
		return 4;
	}
	if (p.state == VMPKRAM_POOL_SEALED)
		tnl_pool_cmd(&ctl, VMPKRAM_CMD_POOL_UNSEAL, POOL, NULL);
	refresh_test();

	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl_fd < 0)
		fatal("netlink socket: %s", strerror(errno));
	{
		struct sockaddr_nl local = { .nl_family = AF_NETLINK };
		struct timeval tv = { .tv_sec = 20 };
		int one = 1;

		if (bind(nl_fd, (void *)&local, sizeof(local)))
			fatal("netlink bind: %s", strerror(errno));
		setsockopt(nl_fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
		setsockopt(nl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}

	strcpy(mnt, MNT_PREFIX "XXXXXX");
	strcpy(mnt2, MNT_PREFIX "XXXXXX");
	if (!mkdtemp(mnt) || !mkdtemp(mnt2))
		fatal("mkdtemp: %s", strerror(errno));
	chmod(mnt, 0755);
	strcpy(sh->mnt[0], mnt);
	strcpy(sh->mnt[1], mnt2);
	if (mount("none", mnt, VMPKRAMFS_NAME, 0, "pool=" POOL))
		fatal("mount pool %s on %s: %s", POOL, mnt, strerror(errno));
	mounted = true;
	return 0;
}

static void fuzz_loop(double seconds, uint64_t max_iter, double share)
{
	double end = now_f() + seconds;
	double avg = UNPRIV_BATCH_MIN + (UNPRIV_BATCH_SPAN - 1) / 2.0;
	/* Iterations that fork a child, so that @share of inputs are its. */
	double p = share >= 1 ? 1 : share / (avg - (avg - 1) * share);
	uint64_t iter;
	unsigned int k;

	for (iter = 0; now_f() < end && (!max_iter || iter < max_iter); iter++) {
		sh->iter = iter;
		reseed(iter);
		k = rn(1000000);
		if (k < p * 1000000) {
			cur_fam = "unpriv";
			fuzz_unpriv();
			continue;
		}
		k = rn(100);
		if (k < 30) {
			cur_fam = "ioctl";
			sh->inputs[F_IOCTL]++;
			fuzz_ioctl();
		} else if (k < 55) {
			cur_fam = "netlink";
			sh->inputs[F_NETLINK]++;
			fuzz_netlink();
		} else {
			cur_fam = "fs";
			sh->inputs[F_FS]++;
			fuzz_fs();
		}
	}
	sh->iter = iter;
}

/* Remove every file of the mount at @dir. */
static void remove_all(const char *dir)
{
	char path[PATH_BUF];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
}

/*
 * A new file as large as @size (all free space when 0) must read zero
 * everywhere: freed blocks are scrubbed before reuse.  0 or an errno;
 * *bad is the first offset that did not read zero, -1 if none.
 */
static int fresh_file_zero(off_t size, off_t *bad, off_t *checked)
{
	char path[PATH_BUF];
	struct statfs sf;
	off_t pos;
	ssize_t n, i;
	int fd, err = 0;

	*bad = -1;
	*checked = 0;
	remove_all(mnt);
	if (statfs(mnt, &sf))
		return errno;
	if (!size)
		size = (off_t)sf.f_bfree * BLK;
	snprintf(path, sizeof(path), "%s/fresh", mnt);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	if (ftruncate(fd, size)) {
		err = errno;
		goto out;
	}
	for (pos = 0; pos < size && *bad < 0; pos += n) {
		sh->beat = now_s();
		n = pread(fd, rbuf, BLK, pos);
		if (n <= 0) {
			err = n < 0 ? errno : EIO;
			break;
		}
		if (!memcmp(rbuf, zero_page, PG) &&
		    !memcmp(rbuf, rbuf + PG, n - PG))
			continue;
		for (i = 0; i < n; i++)
			if (rbuf[i]) {
				*bad = pos + i;
				break;
			}
	}
	*checked = pos;
out:
	close(fd);
	unlink(path);
	return err;
}

static bool pools_canonical(void)
{
	struct tnl_pool p;
	struct pools ps;
	int i, ret;
	bool ok = true;

	sh->beat = now_s();
	if (pools_dump(&ps))
		return false;
	for (i = 0; i < ps.nr; i++) {
		bool keep = (!strcmp(ps.p[i].name, POOL) &&
			     ps.p[i].base == TEST_BASE && ps.p[i].size == TEST_SIZE) ||
			    (!strcmp(ps.p[i].name, "small") &&
			     ps.p[i].base == SMALL_BASE && ps.p[i].size == SMALL_SIZE);

		if (!keep && tnl_pool_cmd(&ctl, VMPKRAM_CMD_POOL_DETACH,
					  ps.p[i].name, NULL))
			ok = false;
	}
	ret = pool_ensure(POOL, TEST_BASE, TEST_SIZE, &p);
	if (!ret && p.state == VMPKRAM_POOL_SEALED)
		ret = tnl_pool_cmd(&ctl, VMPKRAM_CMD_POOL_UNSEAL, POOL, NULL);
	ok &= !ret;
	ret = pool_ensure("small", SMALL_BASE, SMALL_SIZE, &p);
	if (!ret && p.state == VMPKRAM_POOL_SEALED)
		ret = tnl_pool_cmd(&ctl, VMPKRAM_CMD_POOL_UNSEAL, "small", NULL);
	ok &= !ret;
	/* Back to the default worker count. */
	{
		struct tnl_result res = { 0 };
		struct tnl_msg m;

		tnl_msg_init(&m, ctl.family, 0, VMPKRAM_CMD_SET_PARAMS);
		tnl_put_u32(&m, VMPKRAM_A_MAX_WORKERS, 0);
		tnl_exec(&ctl, &m, NULL, NULL, &res);
		tnl_result_clear(&res);
	}
	return ok;
}

static bool status_ok(void)
{
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	bool ok;

	tnl_msg_init(&m, ctl.family, 0, VMPKRAM_CMD_GET_STATUS);
	ok = !tnl_exec(&ctl, &m, NULL, NULL, &res) && !res.error &&
	     res.tb[VMPKRAM_A_API_VERSION] &&
	     tnl_u32(res.tb[VMPKRAM_A_API_VERSION]) == VMPKRAM_API_VERSION;
	tnl_result_clear(&res);
	return ok;
}

static bool pools_ready(void)
{
	struct tnl_pool p;

	return !tnl_pool_get(&ctl, POOL, &p) && p.state == VMPKRAM_POOL_READY &&
	       p.base == TEST_BASE && p.size == TEST_SIZE &&
	       !tnl_pool_get(&ctl, "small", &p) && p.state == VMPKRAM_POOL_READY &&
	       p.base == SMALL_BASE && p.size == SMALL_SIZE;
}

static bool reload_module(char *why, size_t len)
{
	int i, ret = -1, status;

	tnl_close(&ctl);
	if (nl_fd >= 0)
		close(nl_fd);
	nl_fd = -1;
	if (dev >= 0)
		close(dev);
	dev = -1;
	for (i = 0; i < 100; i++) {
		sh->beat = now_s();
		ret = syscall(SYS_delete_module, "vmpkram", O_NONBLOCK);
		if (!ret || (errno != EAGAIN && errno != EBUSY &&
			     errno != EWOULDBLOCK))
			break;
		usleep(100000);
	}
	if (ret) {
		snprintf(why, len, "rmmod vmpkram: %s", strerror(errno));
		return false;
	}
	status = system("modprobe vmpkram");
	if (status) {
		snprintf(why, len, "modprobe vmpkram: status %d", status);
		return false;
	}
	ret = tnl_open(&ctl);
	if (ret) {
		snprintf(why, len, "genetlink after modprobe: %s", strerror(-ret));
		return false;
	}
	return true;
}

static int post_run(void)
{
	off_t bad, checked;
	char why[256];
	int ret, ok;

	cur_fam = "after the run";
	sh->beat = now_s();
	while (npipes)
		pipe_drop(0);
	fs_release_all();
	if (mounted && umount(mnt)) {
		tap(false, "unmount after the run: %s", strerror(errno));
		umount2(mnt, MNT_DETACH);
	}
	mounted = lazy = false;
	if (sleeper > 0) {
		kill(sleeper, SIGKILL);
		waitpid(sleeper, NULL, 0);
	}

	tap(status_ok(), "module answers GET_STATUS after the run");
	tap(pools_canonical(), "pools test and small attached, unsealed, formatted where needed");

	/* Scrubbing: what the fuzzing wrote and freed must read zero now. */
	ret = mount("none", mnt, VMPKRAMFS_NAME, 0, "pool=" POOL);
	if (ret) {
		tap(false, "mount pool %s after the run: %s", POOL, strerror(errno));
	} else {
		ret = fresh_file_zero(0, &bad, &checked);
		tap(!ret && bad < 0, "a new file of all free space reads zero (%lld MiB checked)%s%s",
		    (long long)checked >> 20, ret ? ": " : "",
		    ret ? strerror(ret) : "");
		if (bad >= 0)
			printf("# byte %lld of the new file is not zero\n",
			       (long long)bad);
		if (umount(mnt))
			tap(false, "umount: %s", strerror(errno));
	}

	/* Formatting and mounting still work, and a new file is zero. */
	ok = !tnl_pool_cmd(&ctl, VMPKRAM_CMD_POOL_FORMAT, POOL, NULL) &&
	     !tnl_pool_cmd(&ctl, VMPKRAM_CMD_POOL_FORMAT, "small", NULL);
	ret = mount("none", mnt, VMPKRAMFS_NAME, 0, "pool=" POOL);
	if (!ret) {
		ret = fresh_file_zero(64 << 20, &bad, &checked);
		ok &= !ret && bad < 0;
		ret = umount(mnt) ? errno : 0;
	} else {
		ret = errno;
	}
	tap(ok && !ret, "pools format, pool %s mounts, a new 64 MiB file reads zero%s%s",
	    POOL, ret ? ": " : "", ret ? strerror(ret) : "");

	sh->beat = now_s();
	ok = reload_module(why, sizeof(why));
	tap(ok, "rmmod vmpkram && modprobe vmpkram%s%s", ok ? "" : ": ", ok ? "" : why);
	if (!ok)
		return 1;
	tap(status_ok(), "module answers GET_STATUS after the reload");
	pools_canonical();
	tap(pools_ready(), "pools test:512M@0x40000000 and small:64M@0x60000000 attached and READY");
	tnl_close(&ctl);
	rmdir(mnt);
	rmdir(mnt2);
	return 0;
}

static void print_inputs(void)
{
	printf("# inputs: ioctl=%" PRIu64 " netlink=%" PRIu64 " fs=%" PRIu64
	       " unpriv=%" PRIu64 " (iterations %" PRIu64 ")\n",
	       sh->inputs[F_IOCTL], sh->inputs[F_NETLINK], sh->inputs[F_FS],
	       sh->inputs[F_UNPRIV], sh->iter);
	fflush(stdout);
}

static int worker(double seconds, uint64_t max_iter, double share)
{
	int ret = worker_setup();

	if (ret)
		return ret;
	printf("# fuzzing for %.0f s%s, mount %s\n", seconds,
	       max_iter ? " (or the iterations asked)" : "", mnt);
	fflush(stdout);
	fuzz_loop(seconds, max_iter, share);
	print_inputs();
	for (ret = 0; show_errors && ret < NR_HIST && hist[ret].what; ret++)
		printf("# %s: %s x %" PRIu64 "\n", hist[ret].what,
		       ename(hist[ret].err), hist[ret].n);
	printf("# done:");
	for (ret = 0; ret < NR_S; ret++)
		printf(" %s=%" PRIu64, stat_names[ret], sh->stat[ret]);
	printf("\n");
	tap(!sh->violations, "fuzz run: %" PRIu64 " iterations, %" PRIu64
	    " violations (seed %" PRIu64 ")", sh->iter, sh->violations, seed);
	fflush(stdout);
	return post_run();
}

/* ------------------------------------------------------------------ */
/* the supervisor                                                       */
/* ------------------------------------------------------------------ */

static void print_ring(void)
{
	unsigned int i;

	printf("# the last inputs, oldest first:\n");
	for (i = 0; i < RING; i++) {
		const char *s = sh->ring[(sh->ring_pos + i) % RING];

		if (*s)
			printf("#   %s\n", s);
	}
}

#define HANG_SECONDS	60

/* Kernel stacks of the worker and its children, and sysrq-w in dmesg. */
static void dump_stuck(pid_t worker)
{
	char path[64], line[256], comm[64], st;
	struct dirent *de;
	DIR *d = opendir("/proc");
	unsigned long ut = 0, kt = 0;
	int pid, ppid;
	FILE *f;

	while (d && (de = readdir(d))) {
		pid = atoi(de->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%*d (%63[^)]) %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			   comm, &st, &ppid, &ut, &kt) != 5)
			ppid = -1;
		fclose(f);
		if (pid != worker && ppid != worker)
			continue;
		printf("# pid %d (%s) state %c, utime %lu stime %lu ticks, syscall ",
		       pid, comm, st, ut, kt);
		snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
		f = fopen(path, "r");
		if (f && fgets(line, sizeof(line), f))
			printf("%s", line);
		else
			printf("?\n");
		if (f)
			fclose(f);
		printf("# kernel stack:\n");
		snprintf(path, sizeof(path), "/proc/%d/stack", pid);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			printf("#     %s", line);
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	f = fopen("/proc/sysrq-trigger", "w");
	if (f) {
		fputs("w", f);
		fflush(f);
		fputs("l", f);
		fclose(f);
	}
	fflush(stdout);
}

/* After the worker died in the middle: unmount and unseal what it left. */
static void cleanup_after(void)
{
	struct tnl nl;
	int i;

	for (i = 0; i < 2; i++)
		if (sh->mnt[i][0] && !umount2(sh->mnt[i], MNT_DETACH))
			rmdir(sh->mnt[i]);
	if (tnl_open(&nl))
		return;
	tnl_pool_cmd(&nl, VMPKRAM_CMD_POOL_UNSEAL, NULL, NULL);
	tnl_close(&nl);
}

static int supervise(pid_t pid)
{
	int status = 0;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (now_s() > sh->beat + HANG_SECONDS) {
			tap(false, "seed %" PRIu64 " iter %" PRIu64
			    ": no progress for %d s (the last input hangs?)",
			    seed, sh->iter, HANG_SECONDS);
			print_ring();
			print_inputs();
			dump_stuck(pid);
			kill(pid, SIGKILL);
			sleep(5);
			if (waitpid(pid, &status, WNOHANG) != pid)
				printf("# the worker does not die (stuck in the kernel)\n");
			else
				cleanup_after();
			return 1;
		}
		usleep(100000);
	}
	if (WIFSIGNALED(status)) {
		tap(false, "seed %" PRIu64 " iter %" PRIu64
		    ": worker killed by signal %d (%s)%s", seed, sh->iter,
		    WTERMSIG(status), strsignal(WTERMSIG(status)),
		    sh->fatal_sig ? " nobody expected" : "");
		if (sh->fatal_sig)
			printf("# fault address %#" PRIx64 "\n", sh->fatal_addr);
		print_ring();
		print_inputs();
		cleanup_after();
		return 1;
	}
	return WEXITSTATUS(status);
}

static void usage(void)
{
	fprintf(stderr, "usage: vmpkram_fuzz [--seed N] [--seconds S] "
		"[--unprivileged-share P] [--iterations N] [--verbose] [--errors]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' },
		{ "unprivileged-share", required_argument, NULL, 'u' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "errors", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *env;
	double seconds = 30, share = 0.1;
	uint64_t max_iter = 0;
	bool have_seed = false;
	int c, ret;
	pid_t pid;

	env = getenv("VMPKRAM_FUZZ_SEED");
	if (env && *env) {
		seed = strtoull(env, NULL, 0);
		have_seed = true;
	}
	env = getenv("VMPKRAM_FUZZ_SECONDS");
	if (env && *env)
		seconds = strtod(env, NULL);
	while ((c = getopt_long(argc, argv, "s:t:u:n:veh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			have_seed = true;
			break;
		case 't':
			seconds = strtod(optarg, NULL);
			break;
		case 'u':
			share = strtod(optarg, NULL);
			break;
		case 'n':
			max_iter = strtoull(optarg, NULL, 0);
			break;
		case 'v':
			verbose = true;
			break;
		case 'e':
			show_errors = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || seconds < 0 || share < 0 || share > 1)
		usage();
	if (!have_seed)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	printf("# vmpkram_fuzz: seed %" PRIu64 " seconds %g unprivileged-share %g%s\n",
	       seed, seconds, share, verbose ? " verbose" : "");
	printf("TAP version 13\n");
	fflush(stdout);

	sh = mmap(NULL, sizeof(*sh) + NR_HIST * sizeof(*hist),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	hist = (void *)(sh + 1);
	sh->beat = now_s();
	if (geteuid()) {
		tap(true, "fuzz # SKIP needs root");
		printf("1..1\n");
		return 4;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid)
		_exit(worker(seconds, max_iter, share));
	ret = supervise(pid);
	printf("1..%u\n", sh->tap);
	if (ret != 4 && sh->failed)
		ret = 1;
	return ret;
}
