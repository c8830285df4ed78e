/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmpkram_fuzz: what the fuzzer's files share.  vmpkram_fuzz.c is the
 * runner (setup, the unprivileged share, the supervisor and the checks
 * after the run); vmpkram_fuzz_common.c the run state, the PRNG, the
 * memory the fuzzer owns, the faults it provokes and the pool control
 * socket; one file per fuzzed interface: vmpkram_fuzz_ioctl.c,
 * vmpkram_fuzz_netlink.c and vmpkram_fuzz_fs.c (vmpkramfs), whose file
 * model (what xfstests' fsx checks) is vmpkram_fuzz_model.c.
 */
#ifndef VMPKRAM_FUZZ_H
#define VMPKRAM_FUZZ_H

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
	S_SIGBUS, S_MOUNT, S_UMOUNT, S_SEALED, S_FILES, S_MODEL, NR_S
};

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

/* Errors seen per call, for --errors. */
#define NR_HIST	256
struct hist {
	const char *what;
	int err;
	uint64_t n;
};

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

#define IOBUF		((4UL << 20) + 2 * PG)

#define MAX_POOLS	16

struct pools {
	int nr;
	struct tnl_pool p[MAX_POOLS];
};

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

#define MAX_PIPES	3

extern const char *const stat_names[NR_S];
extern struct shared *sh;
extern uint64_t seed;
extern bool verbose;		/* print every input */
extern bool show_errors;	/* print how often each call failed how */
extern bool unpriv;		/* this process dropped its privileges */
extern const char *cur_fam;
extern struct hist *hist;	/* in the shared mapping's tail */

uint64_t now_s(void);
double now_f(void);
void tap(bool ok, const char *fmt, ...);
void stat_add(int i);
const char *last_note(void);
void note(const char *fmt, ...);
void violation(const char *fmt, ...);
void fatal(const char *fmt, ...);
const char *ename(int e);
void expect_in(const char *what, int err, const int *set);

/* PRNG: xorshift64*, reseeded per iteration from (seed, iteration) */
extern uint64_t rs;
void reseed(uint64_t iter);
uint64_t rnd(void);
uint64_t rn(uint64_t n);
bool pct(unsigned int p);
#define PICK(a)	((a)[rn(ARRAY_SIZE(a))])
uint64_t interesting(void);

/* memory the fuzzer owns */
extern char *resv, *arena;
extern int slot_kind[NSLOTS];
extern uint8_t pstate[NSLOTS * SLOT_PAGES];
extern char *abuf;		/* argument pages for ioctls: RW RW NONE RO */
extern char *wbuf, *rbuf;	/* file data: wbuf never holds a zero byte */
extern char zero_page[PG];
void slot_make(int i, int kind);
void memfd_unknown(void);
void holes_open(void);
void holes_close(void);
void memory_setup(void);
void *map_anon(size_t len, int prot);

/* faults the fuzzer provokes on purpose */
int touch(volatile char *p, bool write, char val);
int copy_catching(void *dst, const void *src, size_t n);
void signals_setup(void);

/* pools, through a control socket (state keeping, not fuzz input) */
extern struct tnl ctl;
extern int test_state;		/* VMPKRAM_POOL_* of "test", 0 if absent */
extern uint64_t data_size;	/* of "test" */
void iomem_read(void);
bool range_reserved(uint64_t base, uint64_t size);
int pools_dump(struct pools *ps);
int pool_attach(const char *name, uint64_t base, uint64_t size);
bool overlaps(uint64_t b1, uint64_t s1, uint64_t b2, uint64_t s2);
void detach_overlapping(const char *keep, uint64_t base, uint64_t size);
int pool_ensure(const char *name, uint64_t base, uint64_t size,
		struct tnl_pool *p);

/* family 1: ioctls on /dev/vmpkram (vmpkram_fuzz_ioctl.c) */
extern int dev;
extern pid_t sleeper;		/* a child whose memory PREFAULT may target */
extern int sleeper_mem, self_mem;	/* their /proc/PID/mem */
void fuzz_ioctl(void);

/* family 2: generic netlink (vmpkram_fuzz_netlink.c) */
extern int nl_fd;
extern __u16 nl_family;
void fuzz_netlink(void);

/* family 3: vmpkramfs (vmpkram_fuzz_fs.c) */
extern int pipes[MAX_PIPES][2];
extern int npipes;
extern struct fent fds[MAX_FDS];
extern int nfds;
extern struct ment maps[MAX_MAPS];
extern int nmaps;
extern char mnt[64], mnt2[64];
extern bool mounted;		/* "test" is mounted on mnt */
extern bool lazy;		/* lazily unmounted: fds and maps may keep it alive */
int file_size_of(int fd, off_t *size);
void pipe_drop(int i);
void refresh_test(void);
bool sealed(void);
void fs_release_all(void);
void fuzz_fs(void);

/* family 3's file model (vmpkram_fuzz_model.c) */
void op_model(void);

#endif
