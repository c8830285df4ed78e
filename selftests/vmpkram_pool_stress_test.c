// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkram_pool_stress_test: many threads at once on pool "test" and a
 * vmpkramfs mount of it, bounded in time (--seconds, default 10) and
 * seeded (--seed; the seed is printed and replays every random choice,
 * the interleaving of threads aside).
 *
 *  - file threads, each on its own files (name prefix pstress-tN-):
 *    create, write/pwrite/pwritev at odd offsets across the 2 MiB blocks,
 *    read-back against an in-memory model of every file (its size and a
 *    list of segments, each produced by a seeded generator), truncate up
 *    and down, rename (sometimes replacing, RENAME_NOREPLACE onto a name
 *    that exists), unlink (sometimes keeping the open file as an orphan
 *    and reading it afterwards), fallocate, fsync, chmod, open O_TRUNC,
 *    reopen by name, directory listing of their prefix, shared mappings
 *    written and read through (plain loads and stores, and
 *    process_vm_readv/writev: get_user_pages), mappings kept across all
 *    of that, I/O whose user buffer is a mapping of another of their
 *    files, and vmsplice() of file pages into a pipe whose blocks are then
 *    truncated away: the pipe must keep reading the old data;
 *  - a sealer: seal and unseal every few hundred ms; while sealed, a
 *    metadata change must fail EROFS.  The file threads accept EROFS for
 *    their metadata changes only when the pool may have been sealed during
 *    the call, and check that the failed call changed nothing;
 *  - a dumper: GET_FILES in a loop (raw genetlink with a large and with a
 *    4 KiB receive buffer, and through libvmpkram).  Every dump not
 *    flagged NLM_F_DUMP_INTR must be consistent: extents in order, whole
 *    blocks, summing to round_up(size, 2 MiB), inside the pool's data
 *    area, no block in two files, no name or inode twice;
 *  - a statter: POOL_GET and statfs, used + free == data size;
 *  - a prefaulter: VMPKRAM_IOC_PREFAULT of private anonymous memory (with
 *    holes: ENOMEM), of a vmpkramfs mapping (populated, zeroed with
 *    F_ZERO), and children killed in the middle of a 64 MiB zeroing job;
 *  - an unloader: delete_module("vmpkram") must fail while mounted.
 *
 * The pool is the suite's scratch space: it is formatted first when it is
 * not READY or holds files of earlier tests.  Afterwards every file is
 * checked against its model and listed by a final dump, then unlinked;
 * the pool's used bytes return to 0, a new file as large as the free
 * space reads zero (scrubbing), and the module reference count returns to
 * its value before the mount.
 *
 * Any unexpected errno, data mismatch, inconsistency, crash or hang is a
 * failure that prints the seed.  Output is TAP; "# ops:" counts what ran.
 *
 * usage: vmpkram_pool_stress_test [--seconds S] [--seed N] [--threads T]
 * Runs as root in the test VM with the pools of the "pool" suite.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/falloc.h>

#include "libvmpkram.h"
#include "vmpkram_test.h"

#define POOL		"test"
#define PREFIX		"pstress-"
#define MiB		(1ULL << 20)
#define BLK		VMPKRAM_POOL_BLOCK_SIZE
#define PG		4096ULL
#define MAX_THREADS	16
#define MAX_FILES	10		/* live files per file thread */
#define MAX_ORPHANS	2		/* unlinked, still open, per thread */
#define MAX_SIZE	(6 * MiB)	/* of one file */
#define MAX_WRITE	(3 * MiB)	/* of one write */
#define PF_SIZE		(4 * MiB)	/* the prefaulter's vmpkramfs file */
#define KILL_LEN	(64 * MiB)	/* a killed child's zeroing job */
#define JOIN_GRACE	90		/* s for threads to stop: else a hang */

#define ROUND_UP(x, a)	(((x) + (a) - 1) / (a) * (a))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

/*
 * What ran, for the "# ops:" line: file operations that succeeded (or
 * failed as they must), erofs = metadata changes refused while sealed;
 * dumps (intr: flagged NLM_F_DUMP_INTR, split: files in more than one
 * datagram, libdumps: through libvmpkram, files_seen: in the consistent
 * ones); seals; pool gets and statfs; prefaults and killed jobs; refused
 * unloads.
 */
enum {
	C_CREATE, C_WRITE, C_VERIFY, C_TRUNCATE, C_RENAME, C_UNLINK,
	C_FALLOCATE, C_FSYNC, C_MMAP, C_COPY, C_CHMOD, C_REOPEN, C_OTRUNC,
	C_LIST, C_ORPHAN, C_PMAP, C_SPLICE, C_EROFS, C_DUMPS, C_INTR,
	C_SPLIT, C_LIBDUMPS, C_FILES_SEEN, C_SEALS, C_GETS, C_STATFS,
	C_PREFAULTS, C_KILLED, C_UNLOADS, C_NR
};

static const char *const counter_names[C_NR] = {
	"create", "write", "verify", "truncate", "rename", "unlink",
	"fallocate", "fsync", "mmap", "copy", "chmod", "reopen", "otrunc",
	"list", "orphan", "pmap", "splice", "erofs", "dumps", "intr",
	"split", "libdumps", "files_seen", "seals", "gets", "statfs",
	"prefaults", "killed", "unload_refused",
};

static struct {
	unsigned int seed;
	long seconds;
	int threads;
	volatile int stop;
	volatile int failed;
	char mnt[64];
	int dirfd;
	int pf_fd;		/* the prefaulter's file, also probed sealed */
	__u16 family;
	__u64 base, size, data_size;
	unsigned int seal_gen;	/* odd while a seal may be in force */
	long counts[C_NR];
	long seal_max_ms;
	pthread_mutex_t out_lock;
} g = {
	.seconds = 10,
	.threads = 4,
	.dirfd = -1,
	.pf_fd = -1,
	.out_lock = PTHREAD_MUTEX_INITIALIZER,
};

static void count(int what, long n)
{
	__atomic_add_fetch(&g.counts[what], n, __ATOMIC_RELAXED);
}

static bool stopping(void)
{
	return __atomic_load_n(&g.stop, __ATOMIC_RELAXED);
}

static void say(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&g.out_lock);
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	pthread_mutex_unlock(&g.out_lock);
}

/* A failure: reported with the seed, and every thread stops. */
static void fail(const char *who, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&g.out_lock);
	va_start(ap, fmt);
	printf("# FAIL %s: ", who);
	vprintf(fmt, ap);
	printf(" (seed %u: --seed %u replays it)\n", g.seed, g.seed);
	va_end(ap);
	fflush(stdout);
	g.failed = 1;
	__atomic_store_n(&g.stop, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&g.out_lock);
}

/* Sleeps @ms, in slices, returning early when the run stops. */
static void nap(long ms)
{
	while (ms > 0 && !stopping()) {
		long n = MIN(ms, 20);

		usleep(n * 1000);
		ms -= n;
	}
}

/* ------------------------------------------------------------------ */
/* seeded randomness and file contents                                 */
/* ------------------------------------------------------------------ */

static uint64_t rng_for(unsigned int stream)
{
	return vt_mix64(((uint64_t)g.seed << 16) ^ (stream * 0x5851f42d4c957f2dULL));
}

/*
 * Byte @pos of the stream @seed: byte (pos & 7) of a hash of (seed,
 * pos / 8).  Seed 0 is the zero stream.
 */
static uint64_t gen_word(uint64_t seed, uint64_t w)
{
	return vt_mix64(seed ^ (w * 0x9e3779b97f4a7c15ULL));
}

static void gen_fill(uint8_t *dst, uint64_t seed, uint64_t pos, size_t len)
{
	uint64_t v;

	if (!seed) {
		memset(dst, 0, len);
		return;
	}
	for (; len && (pos & 7); len--, pos++)
		*dst++ = gen_word(seed, pos >> 3) >> (8 * (pos & 7));
	for (; len >= 8; len -= 8, pos += 8, dst += 8) {
		v = gen_word(seed, pos >> 3);
		memcpy(dst, &v, 8);
	}
	for (; len; len--, pos++)
		*dst++ = gen_word(seed, pos >> 3) >> (8 * (pos & 7));
}

/*
 * The model of a file: its size and segments covering [0, size) in
 * order; byte o of a segment is byte (o + delta) of stream seed.  Data
 * copied from another file keeps that file's stream with a shifted delta.
 */
struct seg {
	uint64_t start, end, seed, delta;
};

struct mfile {
	char name[64];
	int fd;
	uint64_t ino, size;
	int nseg, cap;
	struct seg *seg;
	uint8_t *map;		/* a mapping kept across operations */
	uint64_t maplen;	/* of it; only [0, min(maplen, size)) is used */
};

static void seg_push(struct mfile *f, struct seg s)
{
	struct seg *last = f->nseg ? &f->seg[f->nseg - 1] : NULL;

	if (s.start >= s.end)
		return;
	if (!s.seed)
		s.delta = 0;
	if (last && last->end == s.start && last->seed == s.seed &&
	    last->delta == s.delta) {
		last->end = s.end;
		return;
	}
	if (f->nseg == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->seg = realloc(f->seg, f->cap * sizeof(*f->seg));
		if (!f->seg)
			abort();
	}
	f->seg[f->nseg++] = s;
}

/* [a, b) now holds stream @seed shifted by @delta; b <= size. */
static void model_overwrite(struct mfile *f, uint64_t a, uint64_t b,
			    uint64_t seed, uint64_t delta)
{
	struct seg *old = f->seg, s;
	int n = f->nseg, i;

	f->seg = NULL;
	f->nseg = f->cap = 0;
	for (i = 0; i < n; i++) {
		s = old[i];
		if (s.start < a) {
			s.end = MIN(s.end, a);
			seg_push(f, s);
		}
	}
	seg_push(f, (struct seg){ a, b, seed, delta });
	for (i = 0; i < n; i++) {
		s = old[i];
		if (s.end > b) {
			s.start = MAX(s.start, b);
			seg_push(f, s);
		}
	}
	free(old);
}

static void model_resize(struct mfile *f, uint64_t size)
{
	int i;

	if (size > f->size) {
		seg_push(f, (struct seg){ f->size, size, 0, 0 });
	} else {
		for (i = 0; i < f->nseg && f->seg[i].start < size; i++)
			f->seg[i].end = MIN(f->seg[i].end, size);
		f->nseg = i;
	}
	f->size = size;
}

/* What [off, off + len) of the file must read as. */
static void model_expect(const struct mfile *f, uint64_t off, uint64_t len,
			 uint8_t *dst)
{
	uint64_t lo, hi;
	int i;

	for (i = 0; i < f->nseg; i++) {
		const struct seg *s = &f->seg[i];

		lo = MAX(s->start, off);
		hi = MIN(s->end, off + len);
		if (lo < hi)
			gen_fill(dst + (lo - off), s->seed, lo + s->delta,
				 hi - lo);
	}
}

/* Copy the model of @src [b, b + len) into @dst at @a; a + len <= size. */
static void model_copy(struct mfile *dst, uint64_t a, const struct mfile *src,
		       uint64_t b, uint64_t len)
{
	struct seg *pieces = malloc((src->nseg + 1) * sizeof(*pieces));
	uint64_t lo, hi;
	int i, n = 0;

	if (!pieces)
		abort();
	for (i = 0; i < src->nseg; i++) {
		const struct seg *s = &src->seg[i];

		lo = MAX(s->start, b);
		hi = MIN(s->end, b + len);
		if (lo < hi)
			pieces[n++] = (struct seg){ lo - b + a, hi - b + a,
						    s->seed, s->delta + b - a };
	}
	for (i = 0; i < n; i++)
		model_overwrite(dst, pieces[i].start, pieces[i].end,
				pieces[i].seed, pieces[i].delta);
	free(pieces);
}

static void unmap(struct mfile *f)
{
	if (f->map)
		munmap(f->map, f->maplen);
	f->map = NULL;
	f->maplen = 0;
}

static void model_free(struct mfile *f)
{
	unmap(f);
	free(f->seg);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

/* ------------------------------------------------------------------ */
/* file threads                                                        */
/* ------------------------------------------------------------------ */

struct fthread {
	int id;
	pthread_t th;
	uint64_t rng;
	unsigned long op;
	char who[64];
	struct mfile files[MAX_FILES];
	int nfiles;
	struct mfile orphans[MAX_ORPHANS];
	int norphans;
	unsigned int next_name;
	uint8_t *wbuf, *rbuf, *ebuf;
	/* a pipe holding vmsplice'd pages of blocks since truncated away */
	struct {
		int pfd[2];
		int ops_left;
		uint8_t *want;
		uint64_t len;
		char what[128];
	} splice;
};

static const char *who(struct fthread *t, const char *op)
{
	snprintf(t->who, sizeof(t->who), "file thread %d op %lu (%s)", t->id,
		 t->op, op);
	return t->who;
}

static unsigned int seal_gen(void)
{
	return __atomic_load_n(&g.seal_gen, __ATOMIC_SEQ_CST);
}

/* Could the pool have been sealed at some time since @g0 was read? */
static bool seal_window(unsigned int g0)
{
	return (g0 & 1) || seal_gen() != g0;
}

/* errno @err of a metadata change begun at seal generation @g0. */
static bool erofs_ok(int err, unsigned int g0)
{
	if (err != EROFS || !seal_window(g0))
		return false;
	count(C_EROFS, 1);
	return true;
}

static bool check_stat(struct fthread *t, const char *op, struct mfile *f,
		       bool orphan)
{
	struct stat st;

	if (fstat(f->fd, &st)) {
		fail(who(t, op), "fstat %s: %s", f->name, strerror(errno));
		return false;
	}
	if ((uint64_t)st.st_size != f->size || st.st_ino != f->ino ||
	    (uint64_t)st.st_blocks != ROUND_UP(f->size, BLK) / 512 ||
	    !S_ISREG(st.st_mode) || st.st_nlink != (orphan ? 0 : 1)) {
		fail(who(t, op),
		     "%s%s: st_size %lld st_ino %llu st_blocks %lld st_nlink %u st_mode %o, model size %llu ino %llu",
		     orphan ? "orphan of " : "", f->name,
		     (long long)st.st_size, (unsigned long long)st.st_ino,
		     (long long)st.st_blocks, (unsigned int)st.st_nlink,
		     st.st_mode, (unsigned long long)f->size,
		     (unsigned long long)f->ino);
		return false;
	}
	return true;
}

/* Does the file still have the size the model says (after a failure)? */
static bool check_unchanged(struct fthread *t, const char *op,
			    struct mfile *f, const char *call)
{
	struct stat st;

	if (fstat(f->fd, &st) || (uint64_t)st.st_size != f->size) {
		fail(who(t, op),
		     "%s on %s failed with EROFS but the size went from %llu to %lld (the call changed the file anyway)",
		     call, f->name, (unsigned long long)f->size,
		     (long long)st.st_size);
		return false;
	}
	return true;
}

static void report_mismatch(struct fthread *t, const char *op,
			    const struct mfile *f, uint64_t off, uint64_t len,
			    const uint8_t *got, const uint8_t *want,
			    const char *how)
{
	uint64_t i, first = len, last = 0, bad = 0;
	int s;

	for (i = 0; i < len; i++) {
		if (got[i] == want[i])
			continue;
		if (first == len)
			first = i;
		last = i;
		bad++;
	}
	for (s = 0; s < f->nseg; s++)
		if (f->seg[s].start <= off + first && off + first < f->seg[s].end)
			break;
	fail(who(t, op),
	     "data mismatch in %s (ino %llu, size %llu) read via %s [%llu, +%llu): %llu bytes differ in [%llu, %llu], first at %llu: got 0x%02x want 0x%02x (segment %d of %d: [%llu, %llu) seed %#llx delta %lld)",
	     f->name, (unsigned long long)f->ino, (unsigned long long)f->size,
	     how, (unsigned long long)off, (unsigned long long)len,
	     (unsigned long long)bad, (unsigned long long)(off + first),
	     (unsigned long long)(off + last),
	     (unsigned long long)(off + first), got[first], want[first], s,
	     f->nseg, s < f->nseg ? (unsigned long long)f->seg[s].start : 0,
	     s < f->nseg ? (unsigned long long)f->seg[s].end : 0,
	     s < f->nseg ? (unsigned long long)f->seg[s].seed : 0,
	     s < f->nseg ? (long long)f->seg[s].delta : 0);
}

/* pread [off, off + len) and compare with the model. */
static bool verify_range(struct fthread *t, const char *op, struct mfile *f,
			 uint64_t off, uint64_t len)
{
	uint64_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(f->fd, t->rbuf + done, len - done, off + done);
		if (n < 0) {
			fail(who(t, op), "pread %s [%llu, +%llu): %s", f->name,
			     (unsigned long long)(off + done),
			     (unsigned long long)(len - done), strerror(errno));
			return false;
		}
		if (!n) {
			fail(who(t, op),
			     "pread %s at %llu: end of file, model size %llu",
			     f->name, (unsigned long long)(off + done),
			     (unsigned long long)f->size);
			return false;
		}
		done += n;
	}
	model_expect(f, off, len, t->ebuf);
	if (memcmp(t->rbuf, t->ebuf, len)) {
		report_mismatch(t, op, f, off, len, t->rbuf, t->ebuf, "read()");
		return false;
	}
	n = pread(f->fd, t->rbuf, 1, f->size);
	if (n) {
		fail(who(t, op), "pread %s at its end %llu returned %zd",
		     f->name, (unsigned long long)f->size, n);
		return false;
	}
	return true;
}

static bool verify_file(struct fthread *t, const char *op, struct mfile *f,
			bool orphan)
{
	return check_stat(t, op, f, orphan) && verify_range(t, op, f, 0, f->size);
}

static void new_name(struct fthread *t, char *buf, size_t len)
{
	snprintf(buf, len, PREFIX "t%d-%u", t->id, t->next_name++);
}

static struct mfile *pick(struct fthread *t)
{
	return &t->files[vt_rand(&t->rng, t->nfiles)];
}

/* Remove live file @f from the list; its fd is the caller's. */
static struct mfile take(struct fthread *t, struct mfile *f)
{
	struct mfile m = *f;

	unmap(&m);
	*f = t->files[--t->nfiles];
	memset(&t->files[t->nfiles], 0, sizeof(t->files[0]));
	return m;
}

/* An unlinked file: kept open as an orphan for a while, or closed. */
static void orphan_or_close(struct fthread *t, struct mfile m)
{
	if (t->norphans < MAX_ORPHANS && vt_rand(&t->rng, 2)) {
		t->orphans[t->norphans++] = m;
		return;
	}
	close(m.fd);
	model_free(&m);
}

static void op_create(struct fthread *t)
{
	unsigned int g0 = seal_gen();
	struct mfile *f;
	struct stat st;
	char name[64];
	int fd;

	new_name(t, name, sizeof(name));
	fd = openat(g.dirfd, name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (!erofs_ok(errno, g0))
			fail(who(t, "create"), "create %s: %s", name,
			     strerror(errno));
		else if (!faccessat(g.dirfd, name, F_OK, 0))
			fail(who(t, "create"),
			     "create %s failed with EROFS but the name exists",
			     name);
		return;
	}
	if (fstat(fd, &st) || st.st_size || st.st_blocks ||
	    (st.st_mode & 07777) != 0600) {
		fail(who(t, "create"), "new %s: size %lld blocks %lld mode %o",
		     name, (long long)st.st_size, (long long)st.st_blocks,
		     st.st_mode);
		close(fd);
		return;
	}
	f = &t->files[t->nfiles++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->fd = fd;
	f->ino = st.st_ino;
	count(C_CREATE, 1);
}

/* An offset that often sits just before a block boundary, often odd. */
static uint64_t pick_offset(struct fthread *t, struct mfile *f)
{
	uint64_t off;

	switch (vt_rand(&t->rng, 4)) {
	case 0:
		off = vt_rand(&t->rng, f->size + 1);
		break;
	case 1:
		off = (1 + vt_rand(&t->rng, MAX_SIZE / BLK - 1)) * BLK -
		      vt_rand(&t->rng, 8192);
		break;
	case 2:
		off = f->size;
		break;
	default:
		off = vt_rand(&t->rng, MAX_SIZE);
		break;
	}
	if (vt_rand(&t->rng, 2))
		off |= 1;
	return MIN(off, MAX_SIZE - 1);
}

static uint64_t pick_len(struct fthread *t, uint64_t max)
{
	static const uint64_t max_len[] = { MAX_WRITE, 256 << 10, 8192 };
	uint64_t len = 1 + vt_rand(&t->rng, max_len[vt_rand(&t->rng, 3)]);

	return MIN(len, max);
}

static void op_write(struct fthread *t)
{
	struct mfile *f = pick(t);
	unsigned int g0 = seal_gen();
	uint64_t off = pick_offset(t, f);
	uint64_t len = pick_len(t, MAX_SIZE - off);
	uint64_t seed = vt_rand64(&t->rng) | 1;
	int how = vt_rand(&t->rng, 3);
	struct iovec iov[2];
	ssize_t n;

	gen_fill(t->wbuf, seed, off, len);
	if (how == 0) {
		n = pwrite(f->fd, t->wbuf, len, off);
	} else if (how == 1) {
		if (lseek(f->fd, off, SEEK_SET) != (off_t)off) {
			fail(who(t, "write"), "lseek %s to %llu: %s", f->name,
			     (unsigned long long)off, strerror(errno));
			return;
		}
		n = write(f->fd, t->wbuf, len);
	} else {
		iov[0].iov_base = t->wbuf;
		iov[0].iov_len = vt_rand(&t->rng, len + 1);
		iov[1].iov_base = t->wbuf + iov[0].iov_len;
		iov[1].iov_len = len - iov[0].iov_len;
		n = pwritev(f->fd, iov, 2, off);
	}
	if (n < 0) {
		if (off + len > f->size && erofs_ok(errno, g0))
			check_unchanged(t, "write", f, "an extending write");
		else
			fail(who(t, "write"), "write %s [%llu, +%llu) (size %llu): %s",
			     f->name, (unsigned long long)off,
			     (unsigned long long)len,
			     (unsigned long long)f->size, strerror(errno));
		return;
	}
	if ((uint64_t)n != len) {
		fail(who(t, "write"), "write %s [%llu, +%llu): wrote %zd",
		     f->name, (unsigned long long)off, (unsigned long long)len,
		     n);
		return;
	}
	if (off + len > f->size)
		model_resize(f, off + len);
	model_overwrite(f, off, off + len, seed, 0);
	count(C_WRITE, 1);
	if (!vt_rand(&t->rng, 4))
		verify_range(t, "write", f, off, len);
}

static void op_verify(struct fthread *t)
{
	struct mfile *f = pick(t);
	uint64_t off, len;

	if (!check_stat(t, "verify", f, false))
		return;
	if (vt_rand(&t->rng, 2) || !f->size) {
		off = 0;
		len = f->size;
	} else {
		off = vt_rand(&t->rng, f->size);
		len = 1 + vt_rand(&t->rng, f->size - off);
	}
	if (verify_range(t, "verify", f, off, len))
		count(C_VERIFY, 1);
}

static void op_truncate(struct fthread *t)
{
	struct mfile *f = pick(t);
	unsigned int g0 = seal_gen();
	int64_t size;

	switch (vt_rand(&t->rng, 5)) {
	case 0:
		size = vt_rand(&t->rng, f->size + 1);
		break;
	case 1:
		size = f->size + 1 + vt_rand(&t->rng, 4 * MiB);
		break;
	case 2:
		size = vt_rand(&t->rng, MAX_SIZE + 1);
		break;
	case 3:
		size = vt_rand(&t->rng, MAX_SIZE / BLK + 1) * BLK +
		       vt_rand(&t->rng, 3) - 1;
		break;
	default:
		size = f->size;
		break;
	}
	size = MAX(0, MIN(size, (int64_t)MAX_SIZE));
	if (ftruncate(f->fd, size)) {
		if (erofs_ok(errno, g0))
			check_unchanged(t, "truncate", f, "ftruncate");
		else
			fail(who(t, "truncate"), "ftruncate %s %llu -> %lld: %s",
			     f->name, (unsigned long long)f->size,
			     (long long)size, strerror(errno));
		return;
	}
	model_resize(f, size);
	count(C_TRUNCATE, 1);
	check_stat(t, "truncate", f, false);
}

static void op_rename(struct fthread *t)
{
	struct mfile *f = pick(t), *victim = NULL, m;
	unsigned int g0 = seal_gen(), flags = 0;
	int r = vt_rand(&t->rng, 6), i;
	char name[64];
	struct stat st;

	if (r <= 2 && t->nfiles > 1) {
		do
			victim = pick(t);
		while (victim == f);
		snprintf(name, sizeof(name), "%s", victim->name);
		flags = r == 2 ? RENAME_NOREPLACE : 0;
	} else {
		new_name(t, name, sizeof(name));
		flags = vt_rand(&t->rng, 2) ? RENAME_NOREPLACE : 0;
	}
	if (renameat2(g.dirfd, f->name, g.dirfd, name, flags)) {
		if (victim && flags == RENAME_NOREPLACE && errno == EEXIST)
			count(C_RENAME, 1);
		else if (!erofs_ok(errno, g0))
			fail(who(t, "rename"), "rename %s -> %s (flags %u): %s",
			     f->name, name, flags, strerror(errno));
		else if (fstatat(g.dirfd, f->name, &st, 0) || st.st_ino != f->ino)
			fail(who(t, "rename"),
			     "rename %s -> %s failed with EROFS but %s is gone",
			     f->name, name, f->name);
		return;
	}
	if (victim && flags == RENAME_NOREPLACE) {
		fail(who(t, "rename"),
		     "rename %s -> %s with RENAME_NOREPLACE replaced the file",
		     f->name, name);
		return;
	}
	snprintf(f->name, sizeof(f->name), "%s", name);
	if (victim) {
		/* take() moves the last file into the victim's place. */
		i = f - t->files;
		m = take(t, victim);
		if (i == t->nfiles)
			f = victim;
		if (!check_stat(t, "rename", &m, true)) {
			close(m.fd);
			model_free(&m);
			return;
		}
		orphan_or_close(t, m);
	}
	if (fstatat(g.dirfd, f->name, &st, 0) || st.st_ino != f->ino)
		fail(who(t, "rename"), "after rename, %s is not inode %llu",
		     f->name, (unsigned long long)f->ino);
	count(C_RENAME, 1);
}

static void op_unlink(struct fthread *t)
{
	struct mfile *f = pick(t), m;
	unsigned int g0 = seal_gen();

	if (unlinkat(g.dirfd, f->name, 0)) {
		if (!erofs_ok(errno, g0))
			fail(who(t, "unlink"), "unlink %s: %s", f->name,
			     strerror(errno));
		else if (faccessat(g.dirfd, f->name, F_OK, 0))
			fail(who(t, "unlink"),
			     "unlink %s failed with EROFS but the name is gone",
			     f->name);
		return;
	}
	m = take(t, f);
	count(C_UNLINK, 1);
	if (check_stat(t, "unlink", &m, true))
		orphan_or_close(t, m);
	else {
		close(m.fd);
		model_free(&m);
	}
}

static void op_fallocate(struct fthread *t)
{
	struct mfile *f = pick(t);
	unsigned int g0 = seal_gen();
	uint64_t off, len;
	int r = vt_rand(&t->rng, 6), mode = 0, want = 0;

	if (r <= 2 || !f->size) {
		off = vt_rand(&t->rng, MAX_SIZE);
		len = 1 + vt_rand(&t->rng, MIN(MAX_SIZE - off, 4 * MiB));
	} else if (r == 3) {
		mode = FALLOC_FL_KEEP_SIZE;
		off = vt_rand(&t->rng, f->size);
		len = 1 + vt_rand(&t->rng, f->size - off);
	} else if (r == 4) {
		/* Space past the end cannot be reserved. */
		mode = FALLOC_FL_KEEP_SIZE;
		off = f->size;
		len = 1 + vt_rand(&t->rng, BLK);
		want = EOPNOTSUPP;
	} else {
		/*
		 * Punch inside one block, freeing none (the model does not
		 * track holes; vmpkramfs_test covers freed blocks): zeroes.
		 */
		mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
		off = vt_rand(&t->rng, f->size);
		len = 1 + vt_rand(&t->rng, MIN(BLK - off % BLK, f->size - off));
		if (off % BLK == 0 && (len == BLK || off + len == f->size))
			len--;
		if (!len)
			return;
	}
	if (fallocate(f->fd, mode, off, len)) {
		if (errno == want)
			count(C_FALLOCATE, 1);
		else if (!want && off + len > f->size && erofs_ok(errno, g0))
			check_unchanged(t, "fallocate", f, "fallocate");
		else
			fail(who(t, "fallocate"),
			     "fallocate %s mode %#x [%llu, +%llu) (size %llu): %s, want %s",
			     f->name, mode, (unsigned long long)off,
			     (unsigned long long)len,
			     (unsigned long long)f->size, strerror(errno),
			     want ? strerror(want) : "success");
		return;
	}
	if (want) {
		fail(who(t, "fallocate"),
		     "fallocate %s mode %#x [%llu, +%llu) (size %llu) succeeded, want %s",
		     f->name, mode, (unsigned long long)off,
		     (unsigned long long)len, (unsigned long long)f->size,
		     strerror(want));
		return;
	}
	if (!mode && off + len > f->size)
		model_resize(f, off + len);
	if (mode & FALLOC_FL_PUNCH_HOLE)
		model_overwrite(f, off, off + len, 0, 0);
	count(C_FALLOCATE, 1);
	check_stat(t, "fallocate", f, false);
}

static void op_fsync(struct fthread *t)
{
	struct mfile *f = pick(t);
	int r = vt_rand(&t->rng, 3), ret;

	ret = r == 0 ? fsync(f->fd) : r == 1 ? fdatasync(f->fd) :
		       syncfs(g.dirfd);
	if (ret)
		fail(who(t, "fsync"), "%s %s: %s",
		     r == 0 ? "fsync" : r == 1 ? "fdatasync" : "syncfs",
		     f->name, strerror(errno));
	else
		count(C_FSYNC, 1);
}

/*
 * Read [off, off + len) of a mapping of @f at file offset @moff with
 * process_vm_readv() (get_user_pages on the mapping) or plain loads, and
 * compare with the model.
 */
static bool verify_map(struct fthread *t, const char *op, struct mfile *f,
		       const uint8_t *map, uint64_t moff, uint64_t off,
		       uint64_t len)
{
	const uint8_t *got = map + (off - moff);
	struct iovec local = { t->rbuf, len };
	struct iovec remote = { (void *)got, len };
	bool gup = vt_rand(&t->rng, 2);
	ssize_t n;

	if (gup) {
		n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		if (n != (ssize_t)len) {
			fail(who(t, op), "process_vm_readv of a mapping of %s [%llu, +%llu): %s%zd",
			     f->name, (unsigned long long)off,
			     (unsigned long long)len,
			     n < 0 ? strerror(errno) : "", n);
			return false;
		}
		got = t->rbuf;
	}
	model_expect(f, off, len, t->ebuf);
	if (memcmp(got, t->ebuf, len)) {
		report_mismatch(t, op, f, off, len, got, t->ebuf,
				gup ? "process_vm_readv of a shared mapping" :
				      "a shared mapping");
		return false;
	}
	return true;
}

/* A shared mapping of [*moff, *moff + *mlen) of @f, page aligned. */
static uint8_t *map_window(struct fthread *t, const char *op, struct mfile *f,
			   int prot, bool whole, uint64_t *moff, uint64_t *mlen)
{
	uint64_t pages = ROUND_UP(f->size, PG) / PG, first, n;
	void *p;

	first = whole ? 0 : vt_rand(&t->rng, pages);
	n = whole ? pages : 1 + vt_rand(&t->rng, pages - first);
	p = mmap(NULL, n * PG, prot, MAP_SHARED, f->fd, first * PG);
	if (p == MAP_FAILED) {
		fail(who(t, op), "mmap %s pages [%llu, +%llu): %s", f->name,
		     (unsigned long long)first, (unsigned long long)n,
		     strerror(errno));
		return NULL;
	}
	*moff = first * PG;
	*mlen = n * PG;
	return p;
}

static void op_mmap(struct fthread *t)
{
	struct mfile *f = pick(t);
	uint64_t moff, mlen, avail, a, len, seed;
	int mode = vt_rand(&t->rng, 3);
	uint8_t *p;

	if (!f->size)
		return;
	if (!vt_rand(&t->rng, 16)) {
		p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, f->fd, 0);
		if (p != MAP_FAILED || errno != EINVAL) {
			fail(who(t, "mmap"), "MAP_PRIVATE of %s: %s, want EINVAL",
			     f->name, p == MAP_FAILED ? strerror(errno) : "mapped");
			if (p != MAP_FAILED)
				munmap(p, PG);
			return;
		}
	}
	p = map_window(t, "mmap", f, mode == 1 ? PROT_READ :
		       PROT_READ | PROT_WRITE, vt_rand(&t->rng, 2), &moff, &mlen);
	if (!p)
		return;
	avail = MIN(mlen, f->size - moff);
	if (mode == 1) {
		/* Read the whole window through the mapping. */
		if (verify_map(t, "mmap", f, p, moff, moff, avail))
			count(C_MMAP, 1);
		munmap(p, mlen);
		return;
	}
	a = moff + vt_rand(&t->rng, avail);
	len = pick_len(t, moff + avail - a);
	seed = vt_rand64(&t->rng) | 1;
	gen_fill(p + (a - moff), seed, a, len);
	model_overwrite(f, a, a + len, seed, 0);
	if (mode == 2) {
		model_expect(f, moff, avail, t->ebuf);
		if (memcmp(p, t->ebuf, avail)) {
			report_mismatch(t, "mmap", f, moff, avail, p, t->ebuf,
					"a shared mapping after writing it");
			munmap(p, mlen);
			return;
		}
	}
	if (vt_rand(&t->rng, 4) == 0 && msync(p, mlen, MS_SYNC))
		fail(who(t, "mmap"), "msync %s: %s", f->name, strerror(errno));
	munmap(p, mlen);
	count(C_MMAP, 1);
	verify_range(t, "mmap", f, a, len);
}

/*
 * I/O whose user buffer is a shared mapping of another file: pwrite()
 * from it, or pread() into it.
 */
static void op_copy(struct fthread *t)
{
	struct mfile *a = pick(t), *b;
	unsigned int g0 = seal_gen();
	uint64_t moff, mlen, boff, aoff, len;
	bool into_map = vt_rand(&t->rng, 2);
	uint8_t *p;
	ssize_t n;
	int err;

	if (t->nfiles < 2)
		return;
	do
		b = pick(t);
	while (b == a);
	if (!b->size || (into_map && !a->size))
		return;
	p = map_window(t, "copy", b, PROT_READ | PROT_WRITE, true, &moff,
		       &mlen);
	if (!p)
		return;
	boff = vt_rand(&t->rng, b->size);
	if (into_map) {
		aoff = vt_rand(&t->rng, a->size);
		len = pick_len(t, MIN(b->size - boff, a->size - aoff));
		n = pread(a->fd, p + boff, len, aoff);
	} else {
		aoff = vt_rand(&t->rng, 2) ? vt_rand(&t->rng, a->size + 1) :
					 pick_offset(t, a);
		len = pick_len(t, MIN(b->size - boff, MAX_SIZE - aoff));
		n = pwrite(a->fd, p + boff, len, aoff);
	}
	err = errno;
	munmap(p, mlen);
	errno = err;
	if (n < 0 && !into_map && aoff + len > a->size && erofs_ok(errno, g0)) {
		check_unchanged(t, "copy", a, "an extending write");
		return;
	}
	if (n < 0 || (uint64_t)n != len) {
		fail(who(t, "copy"),
		     "%s %s [%llu, +%llu) %s a mapping of %s at %llu: %s%zd",
		     into_map ? "pread" : "pwrite", a->name,
		     (unsigned long long)aoff, (unsigned long long)len,
		     into_map ? "into" : "from", b->name,
		     (unsigned long long)boff, n < 0 ? strerror(errno) : "",
		     n);
		return;
	}
	if (into_map) {
		model_copy(b, boff, a, aoff, len);
		verify_range(t, "copy", b, boff, len);
	} else {
		if (aoff + len > a->size)
			model_resize(a, aoff + len);
		model_copy(a, aoff, b, boff, len);
		verify_range(t, "copy", a, aoff, len);
	}
	count(C_COPY, 1);
}

static void op_chmod(struct fthread *t)
{
	static const mode_t modes[] = { 0600, 0640, 0644, 0400, 0660 };
	struct mfile *f = pick(t);
	unsigned int g0 = seal_gen();
	mode_t mode = modes[vt_rand(&t->rng, 5)];
	struct stat st;

	if (fchmod(f->fd, mode)) {
		if (!erofs_ok(errno, g0))
			fail(who(t, "chmod"), "fchmod %s %o: %s", f->name, mode,
			     strerror(errno));
		return;
	}
	if (fstat(f->fd, &st) || (st.st_mode & 07777) != mode)
		fail(who(t, "chmod"), "%s: mode %o after chmod %o", f->name,
		     st.st_mode & 07777, mode);
	count(C_CHMOD, 1);
}

static void op_reopen(struct fthread *t)
{
	struct mfile *f = pick(t);

	close(f->fd);
	f->fd = openat(g.dirfd, f->name, O_RDWR | O_CLOEXEC);
	if (f->fd < 0) {
		fail(who(t, "reopen"), "open %s: %s", f->name, strerror(errno));
		return;
	}
	if (check_stat(t, "reopen", f, false))
		count(C_REOPEN, 1);
}

static void op_otrunc(struct fthread *t)
{
	struct mfile *f = pick(t);
	unsigned int g0 = seal_gen();
	int fd;

	fd = openat(g.dirfd, f->name, O_RDWR | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		if (erofs_ok(errno, g0))
			check_unchanged(t, "otrunc", f, "open O_TRUNC");
		else
			fail(who(t, "otrunc"), "open %s O_TRUNC: %s", f->name,
			     strerror(errno));
		return;
	}
	close(f->fd);
	f->fd = fd;
	model_resize(f, 0);
	if (check_stat(t, "otrunc", f, false))
		count(C_OTRUNC, 1);
}

/* The directory lists exactly this thread's files under its prefix. */
static void op_list(struct fthread *t)
{
	bool seen[MAX_FILES] = { false };
	char prefix[32];
	struct dirent *de;
	int fd, i, found = 0;
	DIR *dir;

	snprintf(prefix, sizeof(prefix), PREFIX "t%d-", t->id);
	fd = openat(g.dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		fail(who(t, "list"), "opendir: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		for (i = 0; i < t->nfiles; i++)
			if (!strcmp(de->d_name, t->files[i].name))
				break;
		if (i == t->nfiles || seen[i] || de->d_ino != t->files[i].ino) {
			fail(who(t, "list"), "readdir: %s (ino %llu) %s",
			     de->d_name, (unsigned long long)de->d_ino,
			     i == t->nfiles ? "is not a file of this thread" :
			     seen[i] ? "listed twice" : "has the wrong inode");
			closedir(dir);
			return;
		}
		seen[i] = true;
		found++;
	}
	closedir(dir);
	if (found != t->nfiles)
		fail(who(t, "list"), "readdir: %d of the %d files listed",
		     found, t->nfiles);
	else
		count(C_LIST, 1);
}

static void op_orphan(struct fthread *t)
{
	int i = vt_rand(&t->rng, t->norphans);
	struct mfile *o = &t->orphans[i];

	if (!verify_file(t, "orphan", o, true))
		return;
	count(C_ORPHAN, 1);
	if (vt_rand(&t->rng, 2)) {
		close(o->fd);
		model_free(o);
		t->orphans[i] = t->orphans[--t->norphans];
		memset(&t->orphans[t->norphans], 0, sizeof(*o));
	}
}

/*
 * A mapping of the whole file kept across operations (truncates, writes,
 * renames, forks of the prefaulter): map it, write or read through it,
 * or unmap it.  Only the part inside the current size is touched.
 */
static void op_pmap(struct fthread *t)
{
	struct mfile *f = pick(t);
	uint64_t valid, a, len, seed;
	struct iovec local, remote;
	int r = vt_rand(&t->rng, 5);
	void *p;

	if (!f->map) {
		if (!f->size)
			return;
		f->maplen = ROUND_UP(f->size, PG);
		p = mmap(NULL, f->maplen, PROT_READ | PROT_WRITE, MAP_SHARED,
			 f->fd, 0);
		if (p == MAP_FAILED) {
			fail(who(t, "pmap"), "mmap %s (%llu bytes): %s",
			     f->name, (unsigned long long)f->maplen,
			     strerror(errno));
			f->maplen = 0;
			return;
		}
		f->map = p;
		count(C_PMAP, 1);
		return;
	}
	valid = MIN(f->maplen, f->size);
	if (r == 0 || !valid) {
		unmap(f);
		count(C_PMAP, 1);
		return;
	}
	if (r == 1) {
		a = vt_rand(&t->rng, valid);
		len = 1 + vt_rand(&t->rng, valid - a);
		if (verify_map(t, "pmap", f, f->map, 0, a, len))
			count(C_PMAP, 1);
		return;
	}
	a = vt_rand(&t->rng, valid);
	len = pick_len(t, valid - a);
	seed = vt_rand64(&t->rng) | 1;
	if (r == 2) {
		/* get_user_pages() writing the pool's pages */
		gen_fill(t->wbuf, seed, a, len);
		local = (struct iovec){ t->wbuf, len };
		remote = (struct iovec){ f->map + a, len };
		if (process_vm_writev(getpid(), &local, 1, &remote, 1, 0) !=
		    (ssize_t)len) {
			fail(who(t, "pmap"), "process_vm_writev to a mapping of %s [%llu, +%llu): %s",
			     f->name, (unsigned long long)a,
			     (unsigned long long)len, strerror(errno));
			return;
		}
	} else {
		gen_fill(f->map + a, seed, a, len);
	}
	model_overwrite(f, a, a + len, seed, 0);
	if (verify_range(t, "pmap", f, a, len))
		count(C_PMAP, 1);
}

/* The pipe of a vmsplice still holds what the file had then. */
static void splice_check(struct fthread *t)
{
	uint64_t done = 0;
	ssize_t n;

	while (!g.failed && done < t->splice.len) {
		n = read(t->splice.pfd[0], t->rbuf + done, t->splice.len - done);
		if (n <= 0) {
			fail(who(t, "splice"), "read the pipe of %s: %s",
			     t->splice.what, n ? strerror(errno) : "empty");
			break;
		}
		done += n;
	}
	if (!g.failed && memcmp(t->rbuf, t->splice.want, t->splice.len)) {
		uint64_t i;

		for (i = 0; t->rbuf[i] == t->splice.want[i]; i++)
			;
		fail(who(t, "splice"),
		     "the pipe of %s reads 0x%02x at byte %llu, want 0x%02x: a block whose pages a pipe holds was scrubbed or reused",
		     t->splice.what, t->rbuf[i], (unsigned long long)i,
		     t->splice.want[i]);
	}
	close(t->splice.pfd[0]);
	close(t->splice.pfd[1]);
	free(t->splice.want);
	t->splice.want = NULL;
	t->splice.len = 0;
	t->splice.ops_left = 0;
}

/*
 * vmsplice() pages of a file into a pipe (get_user_pages references on
 * pool pages), then truncate their blocks away.  A few operations later
 * the pipe must still read what the file held: a referenced block is
 * neither scrubbed nor handed to another file while the pipe has it.
 */
static void op_splice(struct fthread *t)
{
	struct mfile *f = pick(t);
	unsigned int g0 = seal_gen();
	uint64_t moff, mlen, a, len, cut;
	struct iovec iov;
	uint8_t *p;
	ssize_t n;

	if (t->splice.want || !f->size)
		return;
	p = map_window(t, "splice", f, PROT_READ, true, &moff, &mlen);
	if (!p)
		return;
	a = vt_rand(&t->rng, ROUND_UP(f->size, PG) / PG) * PG;
	len = MIN(f->size - a, 16 * PG);	/* a default pipe's 16 slots */
	if (pipe2(t->splice.pfd, O_CLOEXEC)) {
		fail(who(t, "splice"), "pipe2: %s", strerror(errno));
		munmap(p, mlen);
		return;
	}
	iov = (struct iovec){ p + a, len };
	n = vmsplice(t->splice.pfd[1], &iov, 1, SPLICE_F_NONBLOCK);
	munmap(p, mlen);
	if (n <= 0) {
		fail(who(t, "splice"), "vmsplice %s [%llu, +%llu): %s%zd",
		     f->name, (unsigned long long)a, (unsigned long long)len,
		     n < 0 ? strerror(errno) : "", n);
		close(t->splice.pfd[0]);
		close(t->splice.pfd[1]);
		return;
	}
	t->splice.len = n;
	t->splice.want = malloc(n);
	if (!t->splice.want)
		abort();
	model_expect(f, a, n, t->splice.want);
	cut = a / BLK * BLK;
	snprintf(t->splice.what, sizeof(t->splice.what),
		 "%s (ino %llu) [%llu, +%zd), truncated to %llu", f->name,
		 (unsigned long long)f->ino, (unsigned long long)a, n,
		 (unsigned long long)cut);
	if (ftruncate(f->fd, cut)) {
		if (erofs_ok(errno, g0))
			check_unchanged(t, "splice", f, "ftruncate");
		else
			fail(who(t, "splice"), "ftruncate %s to %llu: %s",
			     f->name, (unsigned long long)cut, strerror(errno));
		splice_check(t);	/* the blocks are still the file's */
		return;
	}
	model_resize(f, cut);
	t->splice.ops_left = 1 + vt_rand(&t->rng, 30);
	count(C_SPLICE, 1);
}

static void *file_thread(void *arg)
{
	static const struct {
		void (*fn)(struct fthread *t);
		int weight;
	} ops[] = {
		{ op_create, 6 }, { op_write, 18 }, { op_verify, 10 },
		{ op_truncate, 8 }, { op_rename, 5 }, { op_unlink, 4 },
		{ op_fallocate, 5 }, { op_fsync, 3 }, { op_mmap, 10 },
		{ op_copy, 6 }, { op_chmod, 2 }, { op_reopen, 3 },
		{ op_otrunc, 1 }, { op_list, 2 }, { op_orphan, 3 },
		{ op_pmap, 8 }, { op_splice, 2 },
	};
	struct fthread *t = arg;
	unsigned int i, total = 0, r;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		total += ops[i].weight;
	while (!stopping()) {
		t->op++;
		if (t->splice.want && --t->splice.ops_left <= 0)
			splice_check(t);
		r = vt_rand(&t->rng, total);
		for (i = 0; r >= (unsigned int)ops[i].weight; i++)
			r -= ops[i].weight;
		if (ops[i].fn == op_orphan && !t->norphans)
			i = 1;
		if (!t->nfiles || (ops[i].fn == op_create &&
				   t->nfiles == MAX_FILES)) {
			if (t->nfiles < MAX_FILES)
				op_create(t);
			continue;
		}
		ops[i].fn(t);
	}
	if (t->splice.want)
		splice_check(t);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* GET_FILES dumps                                                     */
/* ------------------------------------------------------------------ */

/*
 * One GET_FILES dump on @fd, read @rcvlen bytes at a time; *@intr tells
 * whether any message of it carried NLM_F_DUMP_INTR.  0 or -errno.
 * Dumps whose files took more than one datagram count as "split".
 */
static int raw_dump(int fd, __u32 *seq, size_t rcvlen, char *buf,
		    struct tnl_files *fs, bool *intr)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	struct nlmsghdr *nlh;
	struct tnl_msg m;
	int recvs = 0, counted = 0, datagrams = 0;
	ssize_t n;

	fs->nr = 0;
	fs->bad = 0;
	*intr = false;
	tnl_msg_init(&m, g.family, NLM_F_DUMP, VMPKRAM_CMD_GET_FILES);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, POOL);
	m.nlh.nlmsg_seq = ++*seq;
	if (sendto(fd, m.buf, m.nlh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, buf, rcvlen, MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if ((size_t)n > rcvlen)
			return -EMSGSIZE;
		recvs++;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			struct genlmsghdr *gh = NLMSG_DATA(nlh);

			if (nlh->nlmsg_seq != *seq)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				*intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);

				return e->error ? e->error : -EPROTO;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int *e = NLMSG_DATA(nlh);

				return nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ?
				       *e : 0;
			}
			if (nlh->nlmsg_type != g.family ||
			    nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
			    gh->cmd != VMPKRAM_CMD_GET_FILES ||
			    !(nlh->nlmsg_flags & NLM_F_MULTI)) {
				fs->bad++;
				continue;
			}
			tnl_parse(tb, VMPKRAM_A_MAX, (char *)gh + GENL_HDRLEN,
				  nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
			tnl_files_cb(tb, fs);
			if (counted != recvs) {
				counted = recvs;
				if (++datagrams == 2)
					count(C_SPLIT, 1);
			}
		}
	}
}

/* The libvmpkram dump, collected into the same form. */
static int lib_file_cb(const struct vmpkram_file *file, void *arg)
{
	struct tnl_files *fs = arg;
	struct tnl_file *f;
	uint32_t i;

	if (fs->nr > VMPKRAM_POOL_MAX_FILES || file->nr_extents > TNL_MAX_EXTENTS) {
		fs->bad++;
		return 0;
	}
	f = &fs->f[fs->nr++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", file->name);
	f->ino = file->ino;
	f->size = file->file_size;
	f->mtime_ns = file->mtime_ns;
	f->mode = file->mode;
	f->uid = file->uid;
	f->gid = file->gid;
	f->flags = file->flags;
	f->nr_extents = file->nr_extents;
	for (i = 0; i < file->nr_extents; i++) {
		f->ext[i].offset = file->extents[i].offset;
		f->ext[i].phys = file->extents[i].phys;
		f->ext[i].len = file->extents[i].len;
	}
	return 0;
}

/*
 * A dump that was not interrupted: every file whole and in the pool's
 * data area, no block, name or inode twice.  @owner (sized for the pool's
 * blocks) is scratch.  Returns false after reporting.
 */
static bool check_dump(const char *whom, const char *how,
		       struct tnl_files *fs, int *owner)
{
	__u64 lo = g.base + g.size - g.data_size, hi = g.base + g.size;
	__u64 nblocks = g.size / BLK, sum, b, i;
	int k, e, j;

	if (fs->bad) {
		fail(whom, "%s dump: %d malformed messages or extents", how,
		     fs->bad);
		return false;
	}
	if (fs->nr > VMPKRAM_POOL_MAX_FILES) {
		fail(whom, "%s dump: %d files", how, fs->nr);
		return false;
	}
	for (i = 0; i < nblocks; i++)
		owner[i] = -1;
	for (k = 0; k < fs->nr; k++) {
		struct tnl_file *f = &fs->f[k];
		bool orphan = f->flags & VMPKRAM_FILE_F_ORPHAN;

		if (f->size == ~0ULL || f->flags & ~VMPKRAM_FILE_F_ORPHAN ||
		    orphan != !f->name[0] || !S_ISREG(f->mode)) {
			fail(whom, "%s dump: file %d \"%s\" ino %llu: size %llu flags %#x mode %o",
			     how, k, f->name, (unsigned long long)f->ino,
			     (unsigned long long)f->size, f->flags, f->mode);
			return false;
		}
		for (j = 0; j < k; j++) {
			if (fs->f[j].ino == f->ino ||
			    (f->name[0] && !strcmp(fs->f[j].name, f->name))) {
				fail(whom, "%s dump: files %d and %d both are \"%s\" ino %llu / \"%s\" ino %llu",
				     how, j, k, fs->f[j].name,
				     (unsigned long long)fs->f[j].ino, f->name,
				     (unsigned long long)f->ino);
				return false;
			}
		}
		sum = 0;
		for (e = 0; e < f->nr_extents; e++) {
			__u64 off = f->ext[e].offset, phys = f->ext[e].phys;
			__u64 len = f->ext[e].len;

			if (off != sum || !len || len % BLK || phys % BLK ||
			    phys < lo || phys > hi || len > hi - phys) {
				fail(whom, "%s dump: \"%s\" ino %llu size %llu extent %d: offset %#llx phys %#llx len %#llx (expected offset %#llx, data area [%#llx, %#llx))",
				     how, f->name, (unsigned long long)f->ino,
				     (unsigned long long)f->size, e,
				     (unsigned long long)off,
				     (unsigned long long)phys,
				     (unsigned long long)len,
				     (unsigned long long)sum,
				     (unsigned long long)lo,
				     (unsigned long long)hi);
				return false;
			}
			for (b = (phys - g.base) / BLK;
			     b < (phys - g.base + len) / BLK; b++) {
				if (owner[b] >= 0) {
					fail(whom, "%s dump: block at %#llx is in \"%s\" ino %llu and in \"%s\" ino %llu",
					     how,
					     (unsigned long long)(g.base + b * BLK),
					     fs->f[owner[b]].name,
					     (unsigned long long)fs->f[owner[b]].ino,
					     f->name,
					     (unsigned long long)f->ino);
					return false;
				}
				owner[b] = k;
			}
			sum += len;
		}
		if (sum != ROUND_UP(f->size, BLK)) {
			fail(whom, "%s dump: \"%s\" ino %llu size %llu has %llu bytes of extents in %d extents",
			     how, f->name, (unsigned long long)f->ino,
			     (unsigned long long)f->size,
			     (unsigned long long)sum, f->nr_extents);
			return false;
		}
	}
	count(C_FILES_SEEN, fs->nr);
	return true;
}

struct nlsock {
	int fd;
	__u32 seq;
};

/* A socket with no reply read yet: its dumps come in small messages. */
static int small_socket(struct nlsock *s)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };

	s->seq = 0;
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		return -errno;
	if (bind(s->fd, (struct sockaddr *)&local, sizeof(local)))
		return -errno;
	return 0;
}

static struct nlsock big_sock = { .fd = -1 }, small_sock = { .fd = -1 };

static void *dump_thread(void *arg)
{
	const char *whom = "dumper";
	struct tnl_files *fs = malloc(sizeof(*fs));
	int *owner = malloc(g.size / BLK * sizeof(int));
	char *buf = malloc(TNL_BUF_SIZE);
	struct vmpkram_ctx *ctx = NULL;
	unsigned long i;
	bool intr;
	int ret;

	if (!fs || !owner || !buf || vmpkram_new(&ctx)) {
		fail(whom, "out of memory or no libvmpkram context");
		goto out;
	}
	for (i = 0; !stopping(); i++) {
		switch (i % 3) {
		case 0:
			ret = raw_dump(big_sock.fd, &big_sock.seq,
				       TNL_BUF_SIZE, buf, fs, &intr);
			break;
		case 1:
			ret = raw_dump(small_sock.fd, &small_sock.seq, 4096,
				       buf, fs, &intr);
			break;
		default:
			fs->nr = 0;
			fs->bad = 0;
			ret = vmpkram_pool_files(ctx, POOL, lib_file_cb, fs);
			intr = ret == -EAGAIN;
			if (ret >= 0 || intr)
				ret = 0;
			else
				fail(whom, "vmpkram_pool_files: %s",
				     vmpkram_last_error(ctx));
			count(C_LIBDUMPS, 1);
			break;
		}
		if (ret) {
			if (i % 3 != 2)
				fail(whom, "GET_FILES dump (%s buffer): %s",
				     i % 3 ? "4 KiB" : "64 KiB", strerror(-ret));
			break;
		}
		count(C_DUMPS, 1);
		if (intr)
			count(C_INTR, 1);
		else if (!check_dump(whom, i % 3 == 0 ? "raw" :
				     i % 3 == 1 ? "raw 4 KiB" : "libvmpkram",
				     fs, owner))
			break;
		if (i % 8 == 7)
			usleep(1000);
	}
out:
	if (ctx)
		vmpkram_unref(ctx);
	free(buf);
	free(owner);
	free(fs);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* pool state: statter and sealer                                      */
/* ------------------------------------------------------------------ */

static bool get_pool(struct vmpkram_ctx *ctx, const char *whom,
		     struct vmpkram_pool *p)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	ret = vmpkram_pool_get(ctx, POOL, p);
	if (ret) {
		fail(whom, "pool get %s: %s", POOL, vmpkram_last_error(ctx));
		return false;
	}
	return true;
}

static void *stat_thread(void *arg)
{
	const char *whom = "statter";
	struct vmpkram_ctx *ctx;
	struct vmpkram_pool p;
	struct statfs sf;

	if (vmpkram_new(&ctx)) {
		fail(whom, "no libvmpkram context");
		return NULL;
	}
	while (!stopping()) {
		if (!get_pool(ctx, whom, &p))
			break;
		count(C_GETS, 1);
		if (p.used + p.free != p.data_size || p.data_size != g.data_size ||
		    p.used % BLK || p.free % BLK || p.scrub_pending > p.free ||
		    p.largest_free > p.free || p.nr_files > p.max_files ||
		    p.max_files != VMPKRAM_POOL_MAX_FILES || !p.mounted ||
		    p.block_size != BLK || (p.state != VMPKRAM_POOL_READY &&
					    p.state != VMPKRAM_POOL_SEALED)) {
			fail(whom, "pool %s: state %u used %llu free %llu data %llu (at start %llu) scrub pending %llu largest free %llu files %u of %u mounted %u block %u",
			     POOL, p.state, (unsigned long long)p.used,
			     (unsigned long long)p.free,
			     (unsigned long long)p.data_size,
			     (unsigned long long)g.data_size,
			     (unsigned long long)p.scrub_pending,
			     (unsigned long long)p.largest_free, p.nr_files,
			     p.max_files, p.mounted, p.block_size);
			break;
		}
		if (statfs(g.mnt, &sf)) {
			fail(whom, "statfs %s: %s", g.mnt, strerror(errno));
			break;
		}
		count(C_STATFS, 1);
		if (sf.f_type != VMPKRAMFS_MAGIC || sf.f_bsize != BLK ||
		    sf.f_blocks * BLK != g.data_size ||
		    sf.f_bfree > sf.f_blocks || sf.f_bavail != sf.f_bfree ||
		    sf.f_files != VMPKRAM_POOL_MAX_FILES ||
		    sf.f_ffree > sf.f_files) {
			fail(whom, "statfs: type %#lx bsize %ld blocks %llu bfree %llu bavail %llu files %llu ffree %llu",
			     (unsigned long)sf.f_type, (long)sf.f_bsize,
			     (unsigned long long)sf.f_blocks,
			     (unsigned long long)sf.f_bfree,
			     (unsigned long long)sf.f_bavail,
			     (unsigned long long)sf.f_files,
			     (unsigned long long)sf.f_ffree);
			break;
		}
		usleep(2000);
	}
	vmpkram_unref(ctx);
	return NULL;
}

/* While sealed, metadata changes must fail EROFS and change nothing. */
static void sealed_probes(const char *whom)
{
	struct stat st = { 0 };
	int fd;

	fd = openat(g.dirfd, PREFIX "sealprobe", O_CREAT | O_EXCL | O_RDWR |
		    O_CLOEXEC, 0600);
	if (fd >= 0 || errno != EROFS) {
		fail(whom, "create while sealed: %s, want EROFS",
		     fd >= 0 ? "created" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	if (!ftruncate(g.pf_fd, PF_SIZE / 2) || errno != EROFS ||
	    fstat(g.pf_fd, &st) || st.st_size != PF_SIZE)
		fail(whom, "ftruncate while sealed: %s, size now %lld, want EROFS",
		     strerror(errno), (long long)st.st_size);
	if (!renameat(g.dirfd, PREFIX "pf", g.dirfd, PREFIX "pf2") ||
	    errno != EROFS)
		fail(whom, "rename while sealed: %s, want EROFS",
		     strerror(errno));
}

static void *seal_thread(void *arg)
{
	const char *whom = "sealer";
	uint64_t rng = rng_for(100);
	struct vmpkram_ctx *ctx;
	struct vmpkram_pool p;
	char *cmdline = NULL;
	long t0, ms;
	int ret;

	if (vmpkram_new(&ctx)) {
		fail(whom, "no libvmpkram context");
		return NULL;
	}
	while (!stopping()) {
		nap(100 + vt_rand(&rng, 300));
		if (stopping())
			break;
		__atomic_add_fetch(&g.seal_gen, 1, __ATOMIC_SEQ_CST);
		t0 = vt_now_ms();
		ret = vmpkram_pool_seal(ctx, POOL, &cmdline);
		ms = vt_now_ms() - t0;
		if (ms > g.seal_max_ms)
			g.seal_max_ms = ms;
		if (ret) {
			fail(whom, "seal: %s", vmpkram_last_error(ctx));
		} else {
			if (!strstr(cmdline, "vmpkram.pool=") ||
			    !strstr(cmdline, POOL ":"))
				fail(whom, "seal reply command line \"%s\"",
				     cmdline);
			free(cmdline);
			cmdline = NULL;
			count(C_SEALS, 1);
			/*
			 * Seal does not wait for blocks pinned by vmsplice (the
			 * pool is then recorded not clean), so scrub_pending
			 * may be non-zero here; the final check proves every
			 * free block is zero once the pins are gone.
			 */
			if (get_pool(ctx, whom, &p) &&
			    p.state != VMPKRAM_POOL_SEALED)
				fail(whom, "after seal: state %u (%llu bytes pending scrub)",
				     p.state,
				     (unsigned long long)p.scrub_pending);
			sealed_probes(whom);
			if (!vt_rand(&rng, 4) && vmpkram_pool_seal(ctx, POOL, NULL))
				fail(whom, "sealing again: %s",
				     vmpkram_last_error(ctx));
			nap(20 + vt_rand(&rng, 130));
		}
		ret = vmpkram_pool_unseal(ctx, POOL);
		if (!ret && !vt_rand(&rng, 4))
			ret = vmpkram_pool_unseal(ctx, POOL);
		if (ret)
			fail(whom, "unseal: %s", vmpkram_last_error(ctx));
		__atomic_add_fetch(&g.seal_gen, 1, __ATOMIC_SEQ_CST);
		if (ret)
			break;
	}
	vmpkram_unref(ctx);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* prefaulter and unloader                                             */
/* ------------------------------------------------------------------ */

static void *prefault_thread(void *arg)
{
	static const __u32 modes[] = { 0, VMPKRAM_PREFAULT_F_READ,
				       VMPKRAM_PREFAULT_F_ZERO };
	const char *whom = "prefaulter";
	uint64_t rng = rng_for(200);
	int dev, status;
	uint8_t *pf;
	pid_t pid;

	dev = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		fail(whom, "open /dev/vmpkram: %s", strerror(errno));
		return NULL;
	}
	pf = mmap(NULL, PF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g.pf_fd, 0);
	if (pf == MAP_FAILED) {
		fail(whom, "mmap the vmpkramfs file: %s", strerror(errno));
		close(dev);
		return NULL;
	}
	while (!stopping()) {
		int r = vt_rand(&rng, 5);

		if (r == 0) {
			/* A child zeroing 64 MiB, killed in the middle. */
			long delay = vt_rand(&rng, 60);

			pid = fork();
			if (!pid) {
				struct vmpkram_prefault req = {
					.size = sizeof(req),
					.len = KILL_LEN,
					.flags = VMPKRAM_PREFAULT_F_ZERO,
				};
				void *p = mmap(NULL, KILL_LEN,
					       PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

				if (p == MAP_FAILED)
					_exit(200);
				req.addr = (uintptr_t)p;
				_exit(ioctl(dev, VMPKRAM_IOC_PREFAULT, &req) ?
				      errno : 0);
			}
			if (pid < 0) {
				fail(whom, "fork: %s", strerror(errno));
				break;
			}
			usleep(delay * 1000);
			kill(pid, SIGKILL);
			if (waitpid(pid, &status, 0) != pid ||
			    (WIFEXITED(status) && WEXITSTATUS(status)) ||
			    (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)) {
				fail(whom, "child zeroing %llu MiB: status %#x (exit code = errno)",
				     KILL_LEN >> 20, status);
				break;
			}
			count(C_KILLED, WIFSIGNALED(status));
		} else if (r == 1) {
			/*
			 * A vmpkramfs mapping (DAX, struct pages) populates
			 * like any shared mapping; ZERO zeroes the file.
			 */
			struct vmpkram_prefault req = {
				.size = sizeof(req), .addr = (uintptr_t)pf,
				.len = (1 + vt_rand(&rng, PF_SIZE / PG)) * PG,
				.flags = modes[vt_rand(&rng, 3)],
				.threads = vt_rand(&rng, 4),
			};
			bool zero = req.flags == VMPKRAM_PREFAULT_F_ZERO;
			uint8_t mark[2] = { 0xaa, 0x55 }, got[2] = { 1, 1 };
			int err;

			if (pwrite(g.pf_fd, &mark[0], 1, 0) != 1 ||
			    pwrite(g.pf_fd, &mark[1], 1, req.len - 1) != 1) {
				fail(whom, "pwrite the vmpkramfs file: %s",
				     strerror(errno));
				break;
			}
			err = ioctl(dev, VMPKRAM_IOC_PREFAULT, &req) ? errno : 0;
			if (pread(g.pf_fd, &got[0], 1, 0) != 1 ||
			    pread(g.pf_fd, &got[1], 1, req.len - 1) != 1)
				got[0] = got[1] = 1;
			if (err || req.done != req.len ||
			    got[0] != (zero ? 0 : mark[0]) ||
			    got[1] != (zero ? 0 : mark[1])) {
				fail(whom, "prefault of %llu bytes of a vmpkramfs mapping, flags %u: %s, done %llu, first and last byte now 0x%02x 0x%02x (were 0x%02x 0x%02x)",
				     (unsigned long long)req.len, req.flags,
				     err ? strerror(err) : "success",
				     (unsigned long long)req.done, got[0],
				     got[1], mark[0], mark[1]);
				break;
			}
			count(C_PREFAULTS, 1);
		} else {
			size_t len = (1 + vt_rand(&rng, 16)) * MiB;
			size_t hole = vt_rand(&rng, 4) ? 0 : MIN(MiB, len / 4);
			uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			struct vmpkram_prefault req = {
				.size = sizeof(req), .addr = (uintptr_t)p,
				.len = len, .flags = modes[vt_rand(&rng, 3)],
				.threads = vt_rand(&rng, 4),
			};
			int err;

			if (p == MAP_FAILED) {
				fail(whom, "mmap %zu: %s", len, strerror(errno));
				break;
			}
			p[0] = 0xaa;
			p[len - 1] = 0x55;
			if (hole)	/* inside the mapping: not someone else's */
				munmap(p + len / 2, hole);
			err = ioctl(dev, VMPKRAM_IOC_PREFAULT, &req) ? errno : 0;
			if (err != (hole ? ENOMEM : 0) || req.done > len ||
			    (!err && req.done != len) ||
			    (!err && req.flags == VMPKRAM_PREFAULT_F_ZERO &&
			     (p[0] || p[len - 1])) ||
			    (!err && req.flags != VMPKRAM_PREFAULT_F_ZERO &&
			     (p[0] != 0xaa || p[len - 1] != 0x55))) {
				fail(whom, "prefault %zu bytes flags %u%s: %s, done %llu",
				     len, req.flags, hole ? " with a hole" : "",
				     err ? strerror(err) : "success",
				     (unsigned long long)req.done);
				munmap(p, len);
				break;
			}
			munmap(p, len);
			count(C_PREFAULTS, 1);
		}
	}
	munmap(pf, PF_SIZE);
	close(dev);
	return NULL;
}

static void *unload_thread(void *arg)
{
	const char *whom = "unloader";
	uint64_t rng = rng_for(300);

	while (!stopping()) {
		if (!syscall(SYS_delete_module, "vmpkram", O_NONBLOCK)) {
			fail(whom, "vmpkram was unloaded while mounted");
			break;
		}
		if (errno != EWOULDBLOCK && errno != EBUSY) {
			fail(whom, "delete_module: %s, want EAGAIN or EBUSY",
			     strerror(errno));
			break;
		}
		count(C_UNLOADS, 1);
		nap(50 + vt_rand(&rng, 100));
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* setup, the end, main                                                */
/* ------------------------------------------------------------------ */

static void crash(int sig, siginfo_t *si, void *uc)
{
	char msg[160];
	int n;

	n = snprintf(msg, sizeof(msg),
		     "# FAIL: signal %d at address %p (seed %u: --seed %u replays it)\nnot ok 1 pool stress\n",
		     sig, si->si_addr, g.seed, g.seed);
	if (write(1, msg, n) < 0)
		_exit(1);
	_exit(1);
}

/* Kernel stacks of every thread, for a hang; then the blocked tasks. */
static void dump_stacks(void)
{
	char path[300], buf[4096];
	struct dirent *de;
	DIR *dir = opendir("/proc/self/task");
	ssize_t n;
	int fd;

	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stack",
			 de->d_name);
		fd = open(path, O_RDONLY);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = '\0';
		say("task %s kernel stack:\n%s", de->d_name, buf);
	}
	if (dir)
		closedir(dir);
	fd = open("/proc/sysrq-trigger", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "w", 1) < 0)
			say("sysrq-w: %s", strerror(errno));
		close(fd);
	}
}

static void join_all(pthread_t *th, const char *const *names, int n)
{
	struct timespec dl;
	int i, ret;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += JOIN_GRACE;
	for (i = 0; i < n; i++) {
		ret = pthread_timedjoin_np(th[i], NULL, &dl);
		if (ret == ETIMEDOUT) {
			fail(names[i], "still running %d s after the stop: a hang (kernel stacks follow, blocked tasks in dmesg)",
			     JOIN_GRACE);
			dump_stacks();
			printf("not ok 1 pool stress\n");
			fflush(stdout);
			_exit(1);
		}
	}
}

/* Unlinks every PREFIX file: leftovers of an earlier run, or ours. */
static int unlink_ours(void)
{
	struct dirent *de;
	int fd, n = 0;
	DIR *dir;

	fd = openat(g.dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, PREFIX, strlen(PREFIX)))
			continue;
		if (unlinkat(g.dirfd, de->d_name, 0))
			fail("cleanup", "unlink %s: %s", de->d_name,
			     strerror(errno));
		else
			n++;
	}
	closedir(dir);
	return n;
}

/* Final: every file matches its model and the final dump lists it. */
static void final_check(struct fthread *ft, int nft, struct tnl_files *fs,
			int *owner)
{
	char *buf = malloc(TNL_BUF_SIZE);
	int i, j, k, tries, orphans = 0, ours = 0, ret;
	struct tnl_file *d;
	bool intr = true;

	for (i = 0; i < nft && !g.failed; i++) {
		struct fthread *t = &ft[i];

		for (j = 0; j < t->nfiles && !g.failed; j++)
			verify_file(t, "final", &t->files[j], false);
		for (j = 0; j < t->norphans && !g.failed; j++)
			verify_file(t, "final", &t->orphans[j], true);
		for (j = 0; j < t->norphans; j++) {
			close(t->orphans[j].fd);
			model_free(&t->orphans[j]);
		}
		t->norphans = 0;
	}
	/* Closed orphans go at once; children that held mappings are gone. */
	for (tries = 0; tries < 50 && !g.failed; tries++) {
		ret = raw_dump(big_sock.fd, &big_sock.seq, TNL_BUF_SIZE, buf,
			       fs, &intr);
		if (ret) {
			fail("final", "GET_FILES dump: %s", strerror(-ret));
			break;
		}
		for (k = orphans = ours = 0; k < fs->nr; k++) {
			orphans += !!(fs->f[k].flags & VMPKRAM_FILE_F_ORPHAN);
			ours += !strncmp(fs->f[k].name, PREFIX, strlen(PREFIX));
		}
		if (!intr && !orphans)
			break;
		usleep(100 * 1000);
	}
	if (g.failed) {
		free(buf);
		return;
	}
	if (intr || orphans) {
		fail("final", "the dump after the run is %s",
		     intr ? "still interrupted with nothing changing" :
		     "still listing orphans with every file closed");
		free(buf);
		return;
	}
	free(buf);
	if (!check_dump("final", "final", fs, owner))
		return;
	for (i = 0, j = 1; i < nft; i++)
		j += ft[i].nfiles;
	if (ours != j) {
		fail("final", "the dump lists %d files named " PREFIX "*, the model %d",
		     ours, j);
		return;
	}
	for (i = 0; i < nft; i++) {
		for (j = 0; j < ft[i].nfiles; j++) {
			struct mfile *f = &ft[i].files[j];

			d = tnl_find_file(fs, f->name);
			if (!d || d->ino != f->ino || d->size != f->size) {
				fail("final", "dump: %s ino %llu size %llu, model ino %llu size %llu",
				     f->name, d ? (unsigned long long)d->ino : 0,
				     d ? (unsigned long long)d->size : 0,
				     (unsigned long long)f->ino,
				     (unsigned long long)f->size);
				return;
			}
		}
	}
}

/* The pool's used bytes, waiting up to 5 s for them to reach @want. */
static bool wait_used(struct vmpkram_ctx *ctx, __u64 want, const char *when)
{
	struct vmpkram_pool p;
	int i;

	for (i = 0; i < 50; i++) {
		if (!get_pool(ctx, "pool", &p))
			return false;
		if (p.used == want)
			return true;
		usleep(100 * 1000);
	}
	fail("pool", "%s: the pool holds %llu bytes, want %llu",
	     when, (unsigned long long)p.used, (unsigned long long)want);
	return false;
}

/* Scrubbing: a file taking all free space reads zero. */
static void scrub_check(struct vmpkram_ctx *ctx)
{
	size_t chunk = 4 * MiB;
	uint64_t *buf = malloc(chunk), off, i;
	struct vmpkram_pool p;
	long t0 = vt_now_ms();
	ssize_t n;
	int fd;

	if (!buf || !get_pool(ctx, "final", &p)) {
		free(buf);
		return;
	}
	fd = openat(g.dirfd, PREFIX "zero", O_CREAT | O_EXCL | O_RDWR |
		    O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, p.free)) {
		fail("final", "a file of all %llu free bytes: %s",
		     (unsigned long long)p.free, strerror(errno));
		goto out;
	}
	for (off = 0; off < p.free; off += n) {
		n = pread(fd, buf, chunk, off);
		if (n <= 0) {
			fail("final", "pread the free-space file at %llu: %s",
			     (unsigned long long)off,
			     n ? strerror(errno) : "end of file");
			goto out;
		}
		for (i = 0; i < (uint64_t)n / 8; i++) {
			if (buf[i]) {
				fail("final", "the free-space file (%llu bytes) is not zero at %llu: %#018llx (a block was not scrubbed)",
				     (unsigned long long)p.free,
				     (unsigned long long)(off + i * 8),
				     (unsigned long long)buf[i]);
				goto out;
			}
		}
	}
	say("scrub check: %llu MiB of free space read zero in %ld ms",
	    (unsigned long long)(p.free >> 20), vt_now_ms() - t0);
out:
	if (fd >= 0) {
		close(fd);
		unlinkat(g.dirfd, PREFIX "zero", 0);
	}
	free(buf);
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--seconds S] [--seed N] [--threads T]\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *names[MAX_THREADS + 5];
	pthread_t th[MAX_THREADS + 5];
	struct fthread *ft = NULL;
	struct tnl_files *fs = NULL;
	struct sigaction sa = { .sa_sigaction = crash, .sa_flags = SA_SIGINFO };
	struct vmpkram_ctx *ctx = NULL;
	struct vmpkram_pool p;
	struct tnl nl = { .fd = -1 };
	long refs0 = -1, refs1, t0;
	bool mounted = false;
	char names_buf[MAX_THREADS][32];
	int *owner = NULL;
	int i, c, n = 0, ret;

	g.seed = time(NULL) ^ getpid();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			g.seconds = strtol(optarg, NULL, 0);
			break;
		case 'S':
			g.seed = strtoul(optarg, NULL, 0);
			break;
		case 't':
			g.threads = strtol(optarg, NULL, 0);
			if (g.threads < 1 || g.threads > MAX_THREADS)
				usage(argv[0]);
			break;
		default:
			usage(argv[0]);
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..1\n");
	say("seed %u (--seed %u replays its random choices), %ld s, %d file threads",
	    g.seed, g.seed, g.seconds, g.threads);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	if (vmpkram_new(&ctx)) {
		printf("not ok 1 pool stress # no libvmpkram context\n");
		return 1;
	}
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	ret = vmpkram_pool_get(ctx, POOL, &p);
	if (ret == -ENODEV) {
		printf("ok 1 pool stress # SKIP no pool named " POOL "\n");
		return 4;
	}
	if (ret) {
		fail("setup", "pool get: %s", vmpkram_last_error(ctx));
		goto out;
	}
	if (p.state == VMPKRAM_POOL_SEALED && vmpkram_pool_unseal(ctx, POOL))
		fail("setup", "unseal: %s", vmpkram_last_error(ctx));
	/* The pool is the suite's scratch space: start from an empty one. */
	if (p.state == VMPKRAM_POOL_READY && p.nr_files)
		say("formatting pool %s: %u files (%llu MiB) of earlier tests",
		    POOL, p.nr_files, (unsigned long long)(p.used >> 20));
	if ((p.state == VMPKRAM_POOL_UNFORMATTED ||
	     p.state == VMPKRAM_POOL_DAMAGED || p.nr_files) &&
	    vmpkram_pool_format(ctx, POOL, NULL))
		fail("setup", "format: %s", vmpkram_last_error(ctx));
	if (g.failed)
		goto out;

	refs0 = read_long("/sys/module/vmpkram/refcnt");
	snprintf(g.mnt, sizeof(g.mnt), "/tmp/vmpkram-pstress.XXXXXX");
	if (!mkdtemp(g.mnt) ||
	    mount("none", g.mnt, VMPKRAMFS_NAME, 0, "pool=" POOL)) {
		fail("setup", "mount pool %s on %s: %s", POOL, g.mnt,
		     strerror(errno));
		goto out;
	}
	mounted = true;
	g.dirfd = open(g.mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g.dirfd < 0) {
		fail("setup", "open %s: %s", g.mnt, strerror(errno));
		goto out;
	}
	ret = unlink_ours();
	if (ret)
		say("removed %d files of an earlier run", ret);
	if (!get_pool(ctx, "setup", &p))
		goto out;
	g.base = p.base;
	g.size = p.pool_size;
	g.data_size = p.data_size;
	if (!wait_used(ctx, 0, "an empty pool"))
		goto out;
	say("pool %s: %llu MiB at %#llx, %llu MiB of data",
	    POOL, (unsigned long long)(g.size >> 20),
	    (unsigned long long)g.base, (unsigned long long)(g.data_size >> 20));

	ret = tnl_open(&nl);
	if (!ret)
		ret = small_socket(&small_sock);
	if (ret) {
		fail("setup", "genetlink socket: %s", strerror(-ret));
		goto out;
	}
	g.family = nl.family;
	big_sock.fd = nl.fd;

	g.pf_fd = openat(g.dirfd, PREFIX "pf", O_CREAT | O_EXCL | O_RDWR |
			 O_CLOEXEC, 0600);
	if (g.pf_fd < 0 || ftruncate(g.pf_fd, PF_SIZE)) {
		fail("setup", "create " PREFIX "pf: %s", strerror(errno));
		goto out;
	}

	ft = calloc(g.threads, sizeof(*ft));
	fs = malloc(sizeof(*fs));
	owner = malloc(g.size / BLK * sizeof(int));
	if (!ft || !fs || !owner) {
		fail("setup", "out of memory");
		goto out;
	}
	for (i = 0; i < g.threads; i++) {
		ft[i].id = i;
		ft[i].rng = rng_for(i + 1);
		ft[i].wbuf = malloc(MAX_SIZE);
		ft[i].rbuf = malloc(MAX_SIZE);
		ft[i].ebuf = malloc(MAX_SIZE);
		if (!ft[i].wbuf || !ft[i].rbuf || !ft[i].ebuf) {
			fail("setup", "out of memory");
			goto out;
		}
		snprintf(names_buf[i], sizeof(names_buf[i]), "file thread %d", i);
		names[n] = names_buf[i];
		if (pthread_create(&th[n++], NULL, file_thread, &ft[i])) {
			n--;
			fail("setup", "pthread_create");
			break;
		}
	}
#define START(fn, name)							\
	do {								\
		names[n] = name;					\
		if (!g.failed && pthread_create(&th[n], NULL, fn, NULL))\
			fail("setup", "pthread_create " name);		\
		else if (!g.failed)					\
			n++;						\
	} while (0)
	START(seal_thread, "sealer");
	START(dump_thread, "dumper");
	START(stat_thread, "statter");
	START(prefault_thread, "prefaulter");
	START(unload_thread, "unloader");
#undef START

	t0 = vt_now_ms();
	while (!stopping() && vt_now_ms() - t0 < g.seconds * 1000)
		usleep(50 * 1000);
	__atomic_store_n(&g.stop, 1, __ATOMIC_RELAXED);
	join_all(th, names, n);
	n = 0;
	say("stopped after %ld ms; longest seal %ld ms", vt_now_ms() - t0,
	    g.seal_max_ms);

	/* Whatever happened, the pool is unsealed for what follows. */
	if (vmpkram_pool_unseal(ctx, POOL))
		fail("final", "unseal: %s", vmpkram_last_error(ctx));
	if (!g.failed)
		final_check(ft, g.threads, fs, owner);

out:
	for (i = 0; ft && i < g.threads; i++) {
		int j;

		for (j = 0; j < ft[i].nfiles; j++) {
			close(ft[i].files[j].fd);
			model_free(&ft[i].files[j]);
		}
		for (j = 0; j < ft[i].norphans; j++) {
			close(ft[i].orphans[j].fd);
			model_free(&ft[i].orphans[j]);
		}
		free(ft[i].wbuf);
		free(ft[i].rbuf);
		free(ft[i].ebuf);
	}
	if (g.pf_fd >= 0)
		close(g.pf_fd);
	if (g.dirfd >= 0) {
		bool ok = !g.failed;

		unlink_ours();
		if (ok && wait_used(ctx, 0, "after unlinking every file"))
			scrub_check(ctx);
		if (ok)
			wait_used(ctx, 0, "after the free-space file");
		close(g.dirfd);
	}
	if (mounted) {
		if (umount(g.mnt))
			fail("final", "umount %s: %s", g.mnt, strerror(errno));
		rmdir(g.mnt);
		refs1 = read_long("/sys/module/vmpkram/refcnt");
		if (!g.failed && refs1 != refs0)
			fail("final", "module reference count %ld after umount, %ld before the mount",
			     refs1, refs0);
	}
	tnl_close(&nl);
	if (small_sock.fd >= 0)
		close(small_sock.fd);
	free(fs);
	free(owner);
	free(ft);
	if (ctx)
		vmpkram_unref(ctx);

	pthread_mutex_lock(&g.out_lock);
	printf("# ops:");
	for (i = 0; i < C_NR; i++)
		printf(" %s=%ld", counter_names[i], g.counts[i]);
	printf("\n");
	pthread_mutex_unlock(&g.out_lock);
	if (!g.failed && (!g.counts[C_WRITE] || !g.counts[C_DUMPS] ||
			  !g.counts[C_SEALS] || !g.counts[C_UNLOADS] ||
			  !g.counts[C_PREFAULTS] || !g.counts[C_GETS]))
		fail("final", "a thread did nothing (see the counts)");
	printf("%sok 1 pool stress%s\n", g.failed ? "not " : "",
	       g.failed ? " # see FAIL above" : "");
	if (g.failed)
		printf("# seed %u: --seed %u replays it\n", g.seed, g.seed);
	return g.failed ? 1 : 0;
}
