// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkram_fuzz, family 1: ioctls on /dev/vmpkram.
 */
#include "vmpkram_fuzz.h"

/* ------------------------------------------------------------------ */
/* family 1: ioctls on /dev/vmpkram                                     */
/* ------------------------------------------------------------------ */

int dev = -1;
pid_t sleeper;		/* a child whose memory PREFAULT may target */
/* Descriptors of /proc/PID/mem: the sleeper's, and the fuzzer's own. */
int sleeper_mem = -1, self_mem = -1;

static const int IOC_COMMON[] = { ENOTTY, EFAULT, EINVAL, E2BIG, EOPNOTSUPP,
				  EOVERFLOW, 0 };
static const int IOC_PREFAULT[] = { ENOTTY, EFAULT, EINVAL, E2BIG, EOPNOTSUPP,
				    EOVERFLOW, ENOMEM, EHWPOISON, EINTR, ESRCH,
				    EPERM, EBADF, 0 };

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
		VMPKRAM_PREFAULT_F_ZERO,
		VMPKRAM_PREFAULT_F_READ | VMPKRAM_PREFAULT_F_ZERO,
		VMPKRAM_PREFAULT_F_MEM_FD, VMPKRAM_PREFAULT_F_MEM_FD,
		VMPKRAM_PREFAULT_F_MEM_FD | VMPKRAM_PREFAULT_F_READ,
		VMPKRAM_PREFAULT_F_MEM_FD | VMPKRAM_PREFAULT_F_ZERO,
		VMPKRAM_PREFAULT_F_ALL, 8, 0x80000000 };
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
	if (pf->flags & VMPKRAM_PREFAULT_F_MEM_FD)
		pf->mem_fd = PICK(((int[]){ sleeper_mem, sleeper_mem, self_mem,
					    self_mem, dev, 0, -1, 1000,
					    (int)rnd() }));
	else
		pf->mem_fd = pct(90) ? 0 : (int)(rnd() | 1);
	pf->done = rnd();
	pf->job_id = rnd();
}

/* Flags and mem_fd that make PREFAULT EINVAL before anything else. */
static bool prefault_einval(const struct vmpkram_prefault *pf)
{
	uint32_t rz = VMPKRAM_PREFAULT_F_READ | VMPKRAM_PREFAULT_F_ZERO;

	return (pf->flags & ~VMPKRAM_PREFAULT_F_ALL) ||
	       (pf->flags & rz) == rz ||
	       (!(pf->flags & VMPKRAM_PREFAULT_F_MEM_FD) && pf->mem_fd);
}

/*
 * The errno the choice of target gives (0: it is acted on), and whether
 * it is the fuzzer itself.  A bare pid names the caller only; a
 * descriptor names its process, which pid, if given, must be.
 */
static int prefault_target(const struct vmpkram_prefault *pf, bool *own)
{
	pid_t tgid;

	*own = false;
	if (!(pf->flags & VMPKRAM_PREFAULT_F_MEM_FD)) {
		*own = !pf->pid || pf->pid == (uint32_t)getpid();
		return *own ? 0 : EPERM;
	}
	if (pf->mem_fd < 0 || (pf->mem_fd != sleeper_mem &&
			       pf->mem_fd != self_mem))
		return EBADF;
	tgid = pf->mem_fd == self_mem ? getpid() : sleeper;
	if (pf->pid && pf->pid != (uint32_t)tgid)
		return ESRCH;
	*own = pf->mem_fd == self_mem;
	return 0;
}

/*
 * A request the kernel would act on must name memory of the fuzzer (or
 * of the sleeper, at the same addresses): the reservation, a vmpkramfs
 * mapping, or the unmapped bottom of the address space.
 */
static bool prefault_safe(const struct vmpkram_prefault *pf)
{
	uint64_t end;
	int i;

	if (prefault_einval(pf) || !pf->len || pf->addr % PG || pf->len % PG ||
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
	bool write = !(pf->flags & VMPKRAM_PREFAULT_F_READ);
	int n = 0, target;
	uint64_t end;
	bool own;

	*may_succeed = false;
	if (prefault_einval(pf) || !pf->len || pf->addr % PG || pf->len % PG ||
	    pf->threads > VMPKRAM_WORKERS_LIMIT) {
		errs[n++] = EINVAL;
		return n;
	}
	if (__builtin_add_overflow(pf->addr, pf->len, &end) ||
	    end > (1ULL << 56) - PG) {
		errs[n++] = EOVERFLOW;
		return n;
	}
	target = prefault_target(pf, &own);
	/* Beyond 47 bits: EOVERFLOW, or unmapped with 5-level paging. */
	if (end > (1ULL << 47) - PG) {
		errs[n++] = EOVERFLOW;
		errs[n++] = target ? target : ENOMEM;
		return n;
	}
	if (target) {
		errs[n++] = target;
		return n;
	}
	if (!own) {
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

void fuzz_ioctl(void)
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

	note("ioctl %#lx size %u arg %p%s flags %#x rsv/fd %#x"
	     " addr %#" PRIx64 " len %#" PRIx64 " pid %u threads %u",
	     cmd, usize, arg,
	     ap == AP_BUF ? "" : ap == AP_RO ? " (read-only)" : " (bad)",
	     pf->flags, kind == 1 ? (uint32_t)pf->mem_fd : api->__reserved,
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
		bool zero = pf->flags & VMPKRAM_PREFAULT_F_ZERO;
		bool own;

		prefault_target(pf, &own);

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
