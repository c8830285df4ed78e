/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmpkram_pool_stress_test: what its parts share.  The test is described
 * in vmpkram_pool_stress_test.c (the run: setup, threads, final checks);
 * pool_stress_model.c holds the seeded contents and the model of a file,
 * pool_stress_files.c the file threads, pool_stress_dump.c the GET_FILES
 * dumper, pool_stress_pool.c the statter and the sealer,
 * pool_stress_prefault.c the prefaulter and the unloader.
 */
#ifndef _POOL_STRESS_H
#define _POOL_STRESS_H
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

struct pstress {
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
};

extern struct pstress g;

/* vmpkram_pool_stress_test.c: counters, the stop flag, output */
void count(int what, long n);
bool stopping(void);
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A failure: reported with the seed, and every thread stops. */
void fail(const char *who, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sleeps @ms, in slices, returning early when the run stops. */
void nap(long ms);

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

struct nlsock {
	int fd;
	__u32 seq;
};

/* pool_stress_model.c: seeded file contents, the model of a file */
uint64_t rng_for(unsigned int stream);
void gen_fill(uint8_t *dst, uint64_t seed, uint64_t pos, size_t len);
void model_overwrite(struct mfile *f, uint64_t a, uint64_t b,
		     uint64_t seed, uint64_t delta);
void model_resize(struct mfile *f, uint64_t size);
void model_expect(const struct mfile *f, uint64_t off, uint64_t len,
		  uint8_t *dst);
void model_copy(struct mfile *dst, uint64_t a, const struct mfile *src,
		uint64_t b, uint64_t len);
void unmap(struct mfile *f);
void model_free(struct mfile *f);

/* pool_stress_files.c: the file threads */
bool verify_file(struct fthread *t, const char *op, struct mfile *f,
		 bool orphan);
void *file_thread(void *arg);

/* pool_stress_dump.c: GET_FILES dumps */
int raw_dump(int fd, __u32 *seq, size_t rcvlen, char *buf,
	     struct tnl_files *fs, bool *intr);
bool check_dump(const char *whom, const char *how,
		struct tnl_files *fs, int *owner);
int small_socket(struct nlsock *s);
void *dump_thread(void *arg);
/* the dumper's sockets: a large and a small receive buffer */
extern struct nlsock big_sock, small_sock;

/* pool_stress_pool.c: the statter and the sealer */
bool get_pool(struct vmpkram_ctx *ctx, const char *whom,
	      struct vmpkram_pool *p);
void *stat_thread(void *arg);
void *seal_thread(void *arg);

/* pool_stress_prefault.c: the prefaulter and the unloader */
void *prefault_thread(void *arg);
void *unload_thread(void *arg);

#endif /* _POOL_STRESS_H */
