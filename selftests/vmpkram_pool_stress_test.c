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
#include "pool_stress.h"

static const char *const counter_names[C_NR] = {
	"create", "write", "verify", "truncate", "rename", "unlink",
	"fallocate", "fsync", "mmap", "copy", "chmod", "reopen", "otrunc",
	"list", "orphan", "pmap", "splice", "erofs", "dumps", "intr",
	"split", "libdumps", "files_seen", "seals", "gets", "statfs",
	"prefaults", "killed", "unload_refused",
};

struct pstress g = {
	.seconds = 10,
	.threads = 4,
	.dirfd = -1,
	.pf_fd = -1,
	.out_lock = PTHREAD_MUTEX_INITIALIZER,
};

void count(int what, long n)
{
	__atomic_add_fetch(&g.counts[what], n, __ATOMIC_RELAXED);
}

bool stopping(void)
{
	return __atomic_load_n(&g.stop, __ATOMIC_RELAXED);
}

void say(const char *fmt, ...)
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
void fail(const char *who, const char *fmt, ...)
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
void nap(long ms)
{
	while (ms > 0 && !stopping()) {
		long n = MIN(ms, 20);

		usleep(n * 1000);
		ms -= n;
	}
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
