// SPDX-License-Identifier: GPL-2.0
/*
 * Prefault of another process is allowed exactly when process_vm_writev()
 * is: the test asks both, for every pair of caller and target below,
 * under each Yama ptrace_scope (0, 1, 2 and 3), and they must agree, and
 * agree with the table of what Yama and the ptrace rules say.  The
 * prefault goes the way libvmpkram goes: the caller opens the target's
 * /proc/PID/mem (the kernel's ptrace check) and passes the descriptor; a
 * refused open is a refused prefault.  A bare pid of another process is
 * EPERM for everyone, root included.
 *
 * ptrace_scope 3 cannot be lowered again until reboot: the core suite
 * runs the scope_3 variant last, on its own line (-v scope_3).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/vmpkram.h>

#include "kselftest_harness.h"

#define YAMA		"/proc/sys/kernel/yama/ptrace_scope"
#define USERNS_CLONE	"/proc/sys/kernel/unprivileged_userns_clone"
#define USER_UID	1000		/* vmpkuser in the test VM */
#define NOBODY_UID	65534

enum actor { ACT_ROOT, ACT_USER, ACT_CONTAINER_ROOT };

struct pair {
	enum actor actor;
	uid_t target_uid;	/* ignored for a child: the actor's */
	bool dumpable;
	bool child;		/* the target is the actor's child */
	bool allowed[4];	/* by ptrace_scope */
};

/* What the caller got: 0 or an errno for each way of writing. */
struct outcome {
	int pvw;		/* process_vm_writev() */
	int open;		/* open(/proc/PID/mem) */
	int prefault;		/* the ioctl with the descriptor */
	int bare;		/* the ioctl with the bare pid */
};

static int read_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int write_int(const char *path, int v)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "%d\n", v);
	return fclose(f) ? -errno : 0;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -1;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -1;
	close(fd);
	return ret;
}

static int become(uid_t uid, bool dumpable)
{
	if (uid && (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
		    setresuid(uid, uid, uid)))
		return -1;
	/* A credential change makes a process non-dumpable: set it. */
	return prctl(PR_SET_DUMPABLE, dumpable ? 1 : 0, 0, 0, 0);
}

/* Root of a user namespace of its own, as an unprivileged user. */
static int become_container_root(void)
{
	char map[64];

	if (become(USER_UID, true) || unshare(CLONE_NEWUSER))
		return -1;
	snprintf(map, sizeof(map), "0 %d 1", USER_UID);
	if (write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/uid_map", map) ||
	    write_file("/proc/self/gid_map", map))
		return -1;
	return setresgid(0, 0, 0) || setresuid(0, 0, 0) ? -1 : 0;
}

/*
 * A target: becomes @uid (unless -1), maps a page, sends its address
 * down @out and sleeps until killed.
 */
static pid_t target_start(int uid, bool dumpable, void **addr)
{
	int up[2];
	pid_t pid;

	if (pipe(up))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		void *p;

		close(up[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (uid >= 0 ? become(uid, dumpable) :
		    prctl(PR_SET_DUMPABLE, dumpable ? 1 : 0, 0, 0, 0))
			_exit(1);
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED ||
		    write(up[1], &p, sizeof(p)) != sizeof(p))
			_exit(1);
		for (;;)
			pause();
	}
	close(up[1]);
	if (read(up[0], addr, sizeof(*addr)) != sizeof(*addr)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(up[0]);
	return pid;
}

static void target_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The ioctl's errno for one page of @pid at @addr, with @mem_fd or bare. */
static int prefault(int dev, pid_t pid, void *addr, int mem_fd)
{
	struct vmpkram_prefault req = {
		.size = sizeof(req),
		.flags = mem_fd >= 0 ? VMPKRAM_PREFAULT_F_MEM_FD : 0,
		.addr = (uintptr_t)addr,
		.len = 4096,
		.pid = pid,
		.mem_fd = mem_fd >= 0 ? mem_fd : 0,
	};

	return ioctl(dev, VMPKRAM_IOC_PREFAULT, &req) ? errno : 0;
}

/* Every way of writing the target's page, as the current credentials. */
static void try_all(pid_t pid, void *addr, struct outcome *o)
{
	char byte = 'w', path[64];
	struct iovec local = { .iov_base = &byte, .iov_len = 1 };
	struct iovec remote = { .iov_base = addr, .iov_len = 1 };
	int dev = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	int fd;

	o->pvw = process_vm_writev(pid, &local, 1, &remote, 1, 0) == 1 ?
		 0 : errno;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	o->open = fd < 0 ? errno : 0;
	o->prefault = dev < 0 ? ENODEV : fd < 0 ? o->open :
		      prefault(dev, pid, addr, fd);
	o->bare = dev < 0 ? ENODEV : prefault(dev, pid, addr, -1);
	if (fd >= 0)
		close(fd);
	if (dev >= 0)
		close(dev);
}

/* The actor's process: sets itself up, makes the target if it is its
 * child, tries, and writes the outcome down @out. */
static void actor_main(const struct pair *p, pid_t target, void *addr,
		       int out)
{
	struct outcome o = { .pvw = -1 };
	bool child = p->child;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (p->actor == ACT_USER ? become(USER_UID, true) :
	    p->actor == ACT_CONTAINER_ROOT ? become_container_root() : 0)
		_exit(2);
	if (child) {
		target = target_start(-1, p->dumpable, &addr);
		if (target < 0)
			_exit(3);
	}
	try_all(target, addr, &o);
	if (child)
		target_stop(target);
	_exit(write(out, &o, sizeof(o)) == sizeof(o) ? 0 : 4);
}

static int run_pair(const struct pair *p, struct outcome *o)
{
	void *addr = NULL;
	pid_t target = 0, actor;
	int out[2], status, ret = 0;

	if (!p->child) {
		target = target_start(p->target_uid, p->dumpable, &addr);
		if (target < 0)
			return -1;
	}
	if (pipe(out))
		return -1;
	actor = fork();
	if (!actor) {
		close(out[0]);
		actor_main(p, target, addr, out[1]);
	}
	close(out[1]);
	if (actor < 0 || read(out[0], o, sizeof(*o)) != sizeof(*o))
		ret = -1;
	close(out[0]);
	if (actor > 0)
		waitpid(actor, &status, 0);
	if (target > 0)
		target_stop(target);
	return ret;
}

FIXTURE(yama) {
	int saved;
};

FIXTURE_VARIANT(yama) {
	int scope;
};

FIXTURE_VARIANT_ADD(yama, scope_0) { .scope = 0 };
FIXTURE_VARIANT_ADD(yama, scope_1) { .scope = 1 };
FIXTURE_VARIANT_ADD(yama, scope_2) { .scope = 2 };
FIXTURE_VARIANT_ADD(yama, scope_3) { .scope = 3 };

FIXTURE_SETUP(yama)
{
	self->saved = read_int(YAMA);
	if (self->saved < 0) {
		/* Without Yama (the debug kernel) the rules are scope 0's. */
		ASSERT_EQ(ENOENT, errno);
		if (variant->scope)
			SKIP(return, "the kernel has no Yama (no %s)", YAMA);
		return;
	}
	if (self->saved == 3 && variant->scope != 3)
		SKIP(return, "ptrace_scope is 3 already (run scope_3 last)");
	ASSERT_EQ(0, write_int(YAMA, variant->scope));
	/* Container root needs unprivileged user namespaces (Debian). */
	if (read_int(USERNS_CLONE) == 0)
		ASSERT_EQ(0, write_int(USERNS_CLONE, 1));
}

FIXTURE_TEARDOWN(yama)
{
	if (variant->scope != 3 && self->saved >= 0)
		write_int(YAMA, self->saved);
}

static void check_pair(struct __test_metadata *_metadata, int scope,
		       const struct pair *p)
{
	struct outcome o;

	ASSERT_EQ(0, run_pair(p, &o)) TH_LOG("the caller or target failed");
	TH_LOG("ptrace_scope %d: process_vm_writev %s, open %s, prefault %s, bare pid %s",
	       scope, strerror(o.pvw), strerror(o.open), strerror(o.prefault),
	       strerror(o.bare));
	/* The oracle, and that it is the rule we think it is. */
	EXPECT_EQ(p->allowed[scope], o.pvw == 0);
	EXPECT_EQ(o.pvw == 0, o.prefault == 0);
	/* Refused either way: never by something else than the check. */
	if (o.prefault)
		EXPECT_TRUE(o.prefault == EACCES || o.prefault == EPERM);
	EXPECT_EQ(EPERM, o.bare);
}

TEST_F(yama, root_on_a_user_process)
{
	struct pair p = { ACT_ROOT, USER_UID, true, false,
			  { true, true, true, false } };

	check_pair(_metadata, variant->scope, &p);
}

TEST_F(yama, root_on_a_non_dumpable_root_process)
{
	struct pair p = { ACT_ROOT, 0, false, false,
			  { true, true, true, false } };

	check_pair(_metadata, variant->scope, &p);
}

TEST_F(yama, user_on_a_process_of_the_same_user)
{
	struct pair p = { ACT_USER, USER_UID, true, false,
			  { true, false, false, false } };

	check_pair(_metadata, variant->scope, &p);
}

TEST_F(yama, user_on_its_child)
{
	struct pair p = { ACT_USER, USER_UID, true, true,
			  { true, true, false, false } };

	check_pair(_metadata, variant->scope, &p);
}

TEST_F(yama, user_on_a_process_of_another_user)
{
	struct pair p = { ACT_USER, NOBODY_UID, true, false,
			  { false, false, false, false } };

	check_pair(_metadata, variant->scope, &p);
}

TEST_F(yama, user_on_a_non_dumpable_process_of_the_same_user)
{
	struct pair p = { ACT_USER, USER_UID, false, false,
			  { false, false, false, false } };

	check_pair(_metadata, variant->scope, &p);
}

/* Root of a user namespace, on its own child: no CAP_SYS_PTRACE needed. */
TEST_F(yama, container_root_on_its_child)
{
	struct pair p = { ACT_CONTAINER_ROOT, 0, true, true,
			  { true, true, true, false } };

	if (access("/proc/self/ns/user", F_OK)) {
		ASSERT_EQ(ENOENT, errno);
		SKIP(return, "the kernel has no user namespaces");
	}
	check_pair(_metadata, variant->scope, &p);
}

TEST_HARNESS_MAIN
