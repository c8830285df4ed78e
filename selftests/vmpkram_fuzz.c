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
 *    process_vm_readv/writev, mounts with odd options, lazy unmounts;
 *    and episodes on two fresh files whose bytes are modelled, checked
 *    through read() and mappings (past EOF too) after every write,
 *    mapped write, truncate, fallocate, punch, copy_file_range,
 *    sendfile, splice and O_DIRECT read or write (vmpkram_fuzz_model.c).
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
#include "vmpkram_fuzz.h"

/* ------------------------------------------------------------------ */
/* the unprivileged share                                               */
/* ------------------------------------------------------------------ */

/* /proc/PID/mem for PREFAULT's descriptor, read-write. */
static int proc_mem_open(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fatal("open %s: %s", path, strerror(errno));
	return fd;
}

static void unpriv_child(void)
{
	int i, n, k;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (setgroups(0, NULL) || setresgid(NOBODY_GID, NOBODY_GID, NOBODY_GID) ||
	    setresuid(NOBODY_UID, NOBODY_UID, NOBODY_UID))
		_exit(100);
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	unpriv = true;
	/* The parent's: not ours to write, nor is the sleeper. */
	close(self_mem);
	close(sleeper_mem);
	sleeper_mem = -1;
	self_mem = proc_mem_open(getpid());
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
	sleeper_mem = proc_mem_open(sleeper);
	self_mem = proc_mem_open(getpid());

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
