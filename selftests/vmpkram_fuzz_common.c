// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkram_fuzz: the run state, the PRNG, the memory the fuzzer owns, the
 * faults it provokes on purpose and the pools it keeps usable: what the
 * three fuzzed interfaces and the runner share.
 */
#include "vmpkram_fuzz.h"

/* ------------------------------------------------------------------ */
/* run state shared by the supervisor, the worker and its children     */
/* ------------------------------------------------------------------ */

const char *const stat_names[NR_S] = { "ioctl", "prefault", "netlink",
	"netlink-pool-change", "open", "create", "write", "read", "resize",
	"rename", "unlink", "chmod/chown", "mmap", "touch", "sigbus", "mount",
	"umount", "fs-while-sealed", "file-table-checks", "model-ops" };

struct shared *sh;
uint64_t seed;
bool verbose;		/* print every input */
bool show_errors;	/* print how often each call failed how */
bool unpriv;		/* this process dropped its privileges */
const char *cur_fam = "setup";

uint64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

double now_f(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void tap(bool ok, const char *fmt, ...)
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

void stat_add(int i)
{
	__atomic_add_fetch(&sh->stat[i], 1, __ATOMIC_RELAXED);
}

const char *last_note(void)
{
	return sh->ring[(sh->ring_pos + RING - 1) % RING];
}

/* Record the input about to run (the supervisor prints the ring on a crash). */
void note(const char *fmt, ...)
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

void violation(const char *fmt, ...)
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

void fatal(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tap(false, "fuzz setup: %s", msg);
	exit(1);
}

const char *ename(int e)
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

struct hist *hist;	/* in the shared mapping's tail */

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

void expect_in(const char *what, int err, const int *set)
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

uint64_t rs = 1;

static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void reseed(uint64_t iter)
{
	rs = mix(seed ^ mix(iter)) | 1;
}

uint64_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 0x2545f4914f6cdd1dULL;
}

uint64_t rn(uint64_t n)
{
	return n ? rnd() % n : 0;
}

bool pct(unsigned int p)
{
	return rn(100) < p;
}

uint64_t interesting(void)
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

char *resv, *arena;
int slot_kind[NSLOTS];
uint8_t pstate[NSLOTS * SLOT_PAGES];
static int memfd = -1;

/* Argument pages for ioctls: RW RW NONE RO. */
char *abuf;
/* Buffers for file data: wbuf never holds a zero byte. */
char *wbuf, *rbuf;
char zero_page[PG];

void slot_make(int i, int kind)
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
void memfd_unknown(void)
{
	int i;

	for (i = 0; i < NSLOTS; i++)
		if (slot_kind[i] == SL_MEMFD)
			memset(&pstate[i * SLOT_PAGES], PS_UNKNOWN, SLOT_PAGES);
}

void holes_open(void)
{
	int i;

	for (i = 0; i < NSLOTS; i++)
		if (slot_kind[i] == SL_HOLE)
			munmap(arena + i * SLOT, SLOT);
}

void holes_close(void)
{
	int i;

	for (i = 0; i < NSLOTS; i++)
		if (slot_kind[i] == SL_HOLE &&
		    mmap(arena + i * SLOT, SLOT, PROT_NONE, MAP_PRIVATE |
			 MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) ==
		    MAP_FAILED)
			fatal("arena hole %d: %s", i, strerror(errno));
}

void *map_anon(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fatal("mmap %zu: %s", len, strerror(errno));
	return p;
}

void memory_setup(void)
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
int touch(volatile char *p, bool write, char val)
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

/* memcpy() that catches SIGBUS and SIGSEGV: the signal, 0 if none. */
int copy_catching(void *dst, const void *src, size_t n)
{
	fault_sig = 0;
	if (!sigsetjmp(fault_jmp, 1)) {
		fault_armed = 1;
		memcpy(dst, src, n);
		fault_armed = 0;
	}
	return fault_sig;
}

void signals_setup(void)
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

struct tnl ctl = { .fd = -1 };
int test_state;		/* VMPKRAM_POOL_* of "test", 0 if absent */
uint64_t data_size;	/* of "test" */

/* Reserved ranges from /proc/iomem: where an attach may succeed. */
static struct { uint64_t start, end; } resvd[32];
static int nresvd;

void iomem_read(void)
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

bool range_reserved(uint64_t base, uint64_t size)
{
	int i;

	for (i = 0; i < nresvd; i++)
		if (base >= resvd[i].start && base + size - 1 <= resvd[i].end)
			return true;
	return false;
}

static void pools_cb(struct nlattr **tb, void *arg)
{
	struct pools *ps = arg;

	if (ps->nr < MAX_POOLS)
		tnl_pool_parse(tb, &ps->p[ps->nr++]);
}

int pools_dump(struct pools *ps)
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

int pool_attach(const char *name, uint64_t base, uint64_t size)
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

bool overlaps(uint64_t b1, uint64_t s1, uint64_t b2, uint64_t s2)
{
	return b1 < b2 + s2 && b2 < b1 + s1;
}

/* Detach every pool but @keep that overlaps [base, base + size). */
void detach_overlapping(const char *keep, uint64_t base, uint64_t size)
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
int pool_ensure(const char *name, uint64_t base, uint64_t size,
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
