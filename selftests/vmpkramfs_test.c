// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkramfs, every file operation and errno of its contract (see the uAPI
 * header): create, lookup, unlink, rename, chmod/chown/utimes (persisted
 * across umount and module reload), truncate, fallocate, read/write/llseek,
 * fsync, statfs, MAP_SHARED mmap, the limits (names, ENOSPC, EFBIG, the
 * file table), permission checks by a non-root user, files deleted while
 * open or mapped, scrubbing before reuse (also in seeded random
 * create/fill/truncate/delete cycles), sealing, mount and unmount
 * errors.
 *
 * Runs as root in the test VM with the pool "test" (suite "pool").  Each
 * test mounts it on a fresh directory and removes its files afterwards;
 * the fixture formats the pool (through netlink) only when it is not
 * READY or holds files, so every test starts from an empty pool.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/vmpkram.h>

#include "kselftest_harness.h"
#include "vmpkram_test.h"
#include "vmpkramfs_pattern.h"

#define POOL		"test"
#define BLK		VMPKRAM_POOL_BLOCK_SIZE
#define SZ_1M		(1UL << 20)
#define MNT_PREFIX	"/tmp/vmpkramfs-test."
#define NO_POOL_HINT	"no pool \"test\": run in the VM suite \"pool\" " \
			"(memmap=512M$0x40000000 vmpkram.pool=test:512M@0x40000000)"

/* 0 if @ret is not negative, else errno. */
#define ERR(ret)	((ret) < 0 ? errno : 0)

FIXTURE(fs) {
	struct tnl nl;
	struct tnl_pool pool;	/* as setup left it: READY and empty */
	char dir[64];
	int dfd;		/* the mounted root, -1 when unmounted */
};

/* Unmount what a killed test left behind (teardown did not run then). */
static void umount_stale(void)
{
	char dev[256], mnt[256], type[64];
	FILE *f = fopen("/proc/self/mounts", "r");

	while (f && fscanf(f, "%255s %255s %63s %*[^\n]", dev, mnt, type) == 3)
		if (!strcmp(type, VMPKRAMFS_NAME) &&
		    !strncmp(mnt, MNT_PREFIX, strlen(MNT_PREFIX)) &&
		    !umount2(mnt, MNT_DETACH))
			rmdir(mnt);
	if (f)
		fclose(f);
}

static int do_mount(const char *dir, const char *opts)
{
	return ERR(mount("none", dir, VMPKRAMFS_NAME, 0, opts));
}

/* Mount the pool with @opts ("pool=test" is prepended) and open it. */
static int fs_mount(FIXTURE_DATA(fs) *self, const char *opts)
{
	char o[256];
	int ret;

	snprintf(o, sizeof(o), "pool=" POOL "%s%s", opts ? "," : "",
		 opts ? opts : "");
	ret = do_mount(self->dir, o);
	if (ret)
		return ret;
	self->dfd = open(self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return self->dfd < 0 ? errno : 0;
}

static int fs_umount(FIXTURE_DATA(fs) *self)
{
	if (self->dfd >= 0)
		close(self->dfd);
	self->dfd = -1;
	return ERR(umount(self->dir));
}

static int fs_remount(FIXTURE_DATA(fs) *self, const char *opts)
{
	int ret = fs_umount(self);

	return ret ? ret : fs_mount(self, opts);
}

/* Remove every file of the mounted root. */
static void remove_all(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dfd, de->d_name, 0);
	if (d)
		closedir(d);
}

FIXTURE_SETUP(fs)
{
	int ret;

	self->dfd = -1;
	self->nl.fd = -1;
	umount_stale();
	ret = tnl_open(&self->nl);
	ASSERT_EQ(0, ret) TH_LOG("genetlink family %s: %s", VMPKRAM_GENL_NAME,
				 strerror(-ret));
	ret = tnl_pool_get(&self->nl, POOL, &self->pool);
	if (ret) {
		ASSERT_EQ(ENODEV, ret);
		SKIP(return, NO_POOL_HINT);
	}
	if (self->pool.state == VMPKRAM_POOL_SEALED)
		ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_UNSEAL,
					  POOL, NULL));
	if (self->pool.state != VMPKRAM_POOL_READY &&
	    self->pool.state != VMPKRAM_POOL_SEALED) {
		ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_FORMAT,
					  POOL, NULL));
	} else if (self->pool.nr_files) {
		TH_LOG("pool " POOL " holds %u files: formatting it",
		       self->pool.nr_files);
		ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_FORMAT,
					  POOL, NULL));
	}
	ASSERT_EQ(0, tnl_pool_get(&self->nl, POOL, &self->pool));
	ASSERT_EQ(VMPKRAM_POOL_READY, self->pool.state);
	ASSERT_EQ(0, self->pool.nr_files);

	strcpy(self->dir, MNT_PREFIX "XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, fs_mount(self, NULL));
}

FIXTURE_TEARDOWN(fs)
{
	/* A test that unloaded the module and failed before loading it. */
	if (access("/sys/module/vmpkram", F_OK) && system("modprobe vmpkram"))
		TH_LOG("modprobe vmpkram failed");
	if (self->nl.fd >= 0)
		tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_UNSEAL, POOL, NULL);
	if (self->dfd < 0)
		fs_mount(self, NULL);
	if (self->dfd >= 0) {
		remove_all(self->dfd);
		/* Open files of a failed test: gone when it exits. */
		if (fs_umount(self))
			umount2(self->dir, MNT_DETACH);
	}
	if (self->dir[0])
		rmdir(self->dir);
	tnl_close(&self->nl);
}

/* ---- helpers ---- */

static int create(FIXTURE_DATA(fs) *self, const char *name, mode_t mode)
{
	return openat(self->dfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		      mode);
}

static int open_rw(FIXTURE_DATA(fs) *self, const char *name)
{
	return openat(self->dfd, name, O_RDWR | O_CLOEXEC);
}

/* A file of @size (grown with ftruncate); its fd, or -1. */
static int create_sized(FIXTURE_DATA(fs) *self, const char *name, off_t size)
{
	int fd = create(self, name, 0644);

	if (fd >= 0 && ftruncate(fd, size)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int stat_name(FIXTURE_DATA(fs) *self, const char *name,
		     struct stat *st)
{
	return ERR(fstatat(self->dfd, name, st, 0));
}

static bool exists(FIXTURE_DATA(fs) *self, const char *name)
{
	struct stat st;

	return !stat_name(self, name, &st);
}

static struct statfs fs_stat(FIXTURE_DATA(fs) *self)
{
	struct statfs s;

	memset(&s, 0, sizeof(s));
	fstatfs(self->dfd, &s);
	return s;
}

static long free_blocks(FIXTURE_DATA(fs) *self)
{
	return fs_stat(self).f_bfree;
}

static char *map_shared(int fd, size_t len, int prot)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, 0);
}

static int module_unload(void)
{
	return syscall(SYS_delete_module, "vmpkram", O_NONBLOCK) ? errno : 0;
}

/* ---- create, lookup, unlink ---- */

/*
 * Unmounts and reloads the module, which detaches the pools and adopts
 * them again, and reopens the netlink socket.
 */
static void reload_module(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fs) *self)
{
	int ret;

	ASSERT_EQ(0, fs_umount(self));
	tnl_close(&self->nl);
	ASSERT_EQ(0, module_unload());
	ASSERT_EQ(0, system("modprobe vmpkram"));
	ret = tnl_open(&self->nl);
	ASSERT_EQ(0, ret) TH_LOG("%s", strerror(-ret));
}

TEST_F(fs, create_excl_and_lookup)
{
	struct stat st, st2;
	int fd, fd2;

	fd = create(self, "a", 0640);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	EXPECT_EQ(1, st.st_nlink);

	EXPECT_EQ(EEXIST, ERR(create(self, "a", 0640)));
	fd2 = openat(self->dfd, "a", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, fstat(fd2, &st2));
	EXPECT_EQ(st.st_ino, st2.st_ino);
	EXPECT_EQ(S_IFREG | 0640, st2.st_mode) TH_LOG("O_CREAT keeps the mode");
	close(fd2);

	ASSERT_EQ(0, stat_name(self, "a", &st2));
	EXPECT_EQ(st.st_ino, st2.st_ino);
	EXPECT_EQ(ENOENT, stat_name(self, "b", &st2));
	EXPECT_EQ(ENOENT, ERR(openat(self->dfd, "b", O_RDONLY)));
	EXPECT_EQ(ENOTDIR, ERR(openat(self->dfd, "a", O_RDONLY | O_DIRECTORY)));
	EXPECT_EQ(ENOTDIR, stat_name(self, "a/", &st2));
	close(fd);

	/* The root: a directory, what the mount options say. */
	ASSERT_EQ(0, fstat(self->dfd, &st));
	EXPECT_EQ(S_IFDIR | 0755, st.st_mode);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
}

TEST_F(fs, readdir_lists_every_file)
{
	static const char *const names[] = { "one", "two", "three" };
	int seen[3] = { 0 }, dots = 0, others = 0, i, fd;
	struct dirent *de;
	DIR *d;

	for (i = 0; i < 3; i++) {
		fd = create(self, names[i], 0644);
		ASSERT_LE(0, fd);
		close(fd);
	}
	d = opendir(self->dir);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
			dots++;
			continue;
		}
		for (i = 0; i < 3; i++)
			if (!strcmp(de->d_name, names[i]))
				break;
		if (i < 3) {
			seen[i]++;
			EXPECT_EQ(DT_REG, de->d_type);
		} else {
			others++;
		}
	}
	closedir(d);
	EXPECT_EQ(2, dots);
	EXPECT_EQ(0, others);
	EXPECT_EQ(1, seen[0]);
	EXPECT_EQ(1, seen[1]);
	EXPECT_EQ(1, seen[2]);
}

TEST_F(fs, unlink)
{
	long files = fs_stat(self).f_ffree, blocks = free_blocks(self);
	int fd;

	fd = create_sized(self, "a", 3 * SZ_1M);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(files - 1, fs_stat(self).f_ffree);
	EXPECT_EQ(blocks - 2, free_blocks(self));

	ASSERT_EQ(0, ERR(unlinkat(self->dfd, "a", 0)));
	EXPECT_FALSE(exists(self, "a"));
	EXPECT_EQ(files, fs_stat(self).f_ffree);
	EXPECT_EQ(blocks, free_blocks(self));
	EXPECT_EQ(ENOENT, ERR(unlinkat(self->dfd, "a", 0)));

	/* The name can be used again at once. */
	fd = create(self, "a", 0644);
	ASSERT_LE(0, fd);
	close(fd);
}

/* ---- rename ---- */

TEST_F(fs, rename_plain)
{
	struct stat before, after;
	int fd;

	fd = create(self, "a", 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_pattern(fd, 0, 12345, 1));
	ASSERT_EQ(0, fstat(fd, &before));

	ASSERT_EQ(0, ERR(renameat(self->dfd, "a", self->dfd, "b")));
	EXPECT_FALSE(exists(self, "a"));
	ASSERT_EQ(0, stat_name(self, "b", &after));
	EXPECT_EQ(before.st_ino, after.st_ino);
	EXPECT_EQ(12345, after.st_size);
	EXPECT_EQ(S_IFREG | 0600, after.st_mode);
	/* The open file follows its new name. */
	EXPECT_EQ(-1, check_file(fd, 0, 12345, 1));
	close(fd);

	EXPECT_EQ(ENOENT, ERR(renameat(self->dfd, "a", self->dfd, "c")));
	/* To itself: nothing happens. */
	EXPECT_EQ(0, ERR(renameat(self->dfd, "b", self->dfd, "b")));
	EXPECT_TRUE(exists(self, "b"));
}

TEST_F(fs, rename_replaces_target)
{
	long files, blocks;
	struct stat st_a, st;
	int fd;

	fd = create_sized(self, "a", BLK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_pattern(fd, 0, BLK, 2));
	ASSERT_EQ(0, fstat(fd, &st_a));
	close(fd);
	fd = create_sized(self, "b", 2 * BLK);
	ASSERT_LE(0, fd);
	close(fd);
	files = fs_stat(self).f_ffree;
	blocks = free_blocks(self);

	ASSERT_EQ(0, ERR(renameat(self->dfd, "a", self->dfd, "b")));
	EXPECT_FALSE(exists(self, "a"));
	ASSERT_EQ(0, stat_name(self, "b", &st));
	EXPECT_EQ(st_a.st_ino, st.st_ino);
	EXPECT_EQ(BLK, st.st_size);
	EXPECT_EQ(files + 1, fs_stat(self).f_ffree);
	EXPECT_EQ(blocks + 2, free_blocks(self)) TH_LOG("old target freed");
	fd = open_rw(self, "b");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, check_file(fd, 0, BLK, 2));
	close(fd);
}

TEST_F(fs, rename_noreplace)
{
	struct stat a, b, st;
	int fd;

	fd = create(self, "a", 0644);
	ASSERT_LE(0, fd);
	close(fd);
	fd = create(self, "b", 0600);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, stat_name(self, "a", &a));
	ASSERT_EQ(0, stat_name(self, "b", &b));

	EXPECT_EQ(EEXIST, ERR(renameat2(self->dfd, "a", self->dfd, "b",
					RENAME_NOREPLACE)));
	ASSERT_EQ(0, stat_name(self, "a", &st));
	EXPECT_EQ(a.st_ino, st.st_ino);
	ASSERT_EQ(0, stat_name(self, "b", &st));
	EXPECT_EQ(b.st_ino, st.st_ino);

	EXPECT_EQ(0, ERR(renameat2(self->dfd, "a", self->dfd, "c",
				   RENAME_NOREPLACE)));
	ASSERT_EQ(0, stat_name(self, "c", &st));
	EXPECT_EQ(a.st_ino, st.st_ino);
	EXPECT_FALSE(exists(self, "a"));
}

TEST_F(fs, rename_exchange_and_whiteout_are_einval)
{
	struct stat a, b, st;
	int fd;

	fd = create(self, "a", 0644);
	ASSERT_LE(0, fd);
	close(fd);
	fd = create(self, "b", 0644);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, stat_name(self, "a", &a));
	ASSERT_EQ(0, stat_name(self, "b", &b));

	EXPECT_EQ(EINVAL, ERR(renameat2(self->dfd, "a", self->dfd, "b",
					RENAME_EXCHANGE)));
	EXPECT_EQ(EINVAL, ERR(renameat2(self->dfd, "a", self->dfd, "c",
					RENAME_WHITEOUT)));
	ASSERT_EQ(0, stat_name(self, "a", &st));
	EXPECT_EQ(a.st_ino, st.st_ino);
	ASSERT_EQ(0, stat_name(self, "b", &st));
	EXPECT_EQ(b.st_ino, st.st_ino);
	EXPECT_FALSE(exists(self, "c"));
}

/* ---- names ---- */

TEST_F(fs, name_length_limit)
{
	char name[VMPKRAMFS_NAME_MAX + 2];
	struct dirent *de;
	int fd, found = 0;
	struct stat st;
	DIR *d;

	memset(name, 'n', VMPKRAMFS_NAME_MAX);
	name[VMPKRAMFS_NAME_MAX] = '\0';
	fd = create(self, name, 0644);
	ASSERT_LE(0, fd) TH_LOG("a %d-byte name: %s", VMPKRAMFS_NAME_MAX,
				strerror(errno));
	close(fd);
	EXPECT_EQ(0, stat_name(self, name, &st));

	/* Stored in full: after a remount it is still there, listed whole. */
	ASSERT_EQ(0, fs_remount(self, NULL));
	EXPECT_EQ(0, stat_name(self, name, &st));
	d = opendir(self->dir);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d)))
		found += !strcmp(de->d_name, name);
	closedir(d);
	EXPECT_EQ(1, found);

	name[VMPKRAMFS_NAME_MAX] = 'n';
	name[VMPKRAMFS_NAME_MAX + 1] = '\0';
	EXPECT_EQ(ENAMETOOLONG, ERR(create(self, name, 0644)));
	EXPECT_EQ(ENAMETOOLONG, stat_name(self, name, &st));
	name[VMPKRAMFS_NAME_MAX] = '\0';
	fd = create(self, "short", 0644);
	ASSERT_LE(0, fd);
	close(fd);
	name[VMPKRAMFS_NAME_MAX] = 'm';
	EXPECT_EQ(ENAMETOOLONG, ERR(renameat(self->dfd, "short", self->dfd,
					     name)));
	EXPECT_TRUE(exists(self, "short"));
}

TEST_F(fs, unusual_names_persist)
{
	static const char *const names[] = {
		"with space", "new\nline", "\xc3\xbc\xc3\xb1\xc3\xad", "-dash",
		".hidden", "...", "x",
	};
	struct stat st;
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		fd = create(self, names[i], 0644);
		ASSERT_LE(0, fd) TH_LOG("\"%s\": %s", names[i], strerror(errno));
		close(fd);
	}
	ASSERT_EQ(0, fs_remount(self, NULL));
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (stat_name(self, names[i], &st))
			break;
	EXPECT_EQ(ARRAY_SIZE(names), i) TH_LOG("name %u lost", i);
}

TEST_F(fs, only_regular_files)
{
	int fd;

	EXPECT_EQ(EPERM, ERR(mkdirat(self->dfd, "d", 0755)));
	EXPECT_EQ(EPERM, ERR(mknodat(self->dfd, "fifo", S_IFIFO | 0644, 0)));
	EXPECT_EQ(EPERM, ERR(mknodat(self->dfd, "chr", S_IFCHR | 0644,
				     makedev(1, 3))));
	EXPECT_EQ(EPERM, ERR(mknodat(self->dfd, "sock", S_IFSOCK | 0644, 0)));
	EXPECT_EQ(EPERM, ERR(symlinkat("target", self->dfd, "sym")));
	fd = create(self, "file", 0644);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(EPERM, ERR(linkat(self->dfd, "file", self->dfd, "hard", 0)));
	EXPECT_FALSE(exists(self, "d"));
	EXPECT_FALSE(exists(self, "fifo"));
	EXPECT_FALSE(exists(self, "sym"));
	EXPECT_FALSE(exists(self, "hard"));
}

/* ---- attributes, persisted ---- */

#define MTIME_SEC	1234567890
#define MTIME_NSEC	123456789

/* chmod, chown, utimes and contents of "attrs". */
static void set_attrs(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fs) *self, struct stat *st)
{
	struct timespec ts[2] = {
		{ .tv_sec = MTIME_SEC - 1, .tv_nsec = 0 },
		{ .tv_sec = MTIME_SEC, .tv_nsec = MTIME_NSEC },
	};
	int fd;

	fd = create(self, "attrs", 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_pattern(fd, 0, BLK + 4097, 9));
	close(fd);
	ASSERT_EQ(0, ERR(fchmodat(self->dfd, "attrs", 0604, 0)));
	ASSERT_EQ(0, ERR(fchownat(self->dfd, "attrs", 1000, 1001, 0)));
	ASSERT_EQ(0, ERR(utimensat(self->dfd, "attrs", ts, 0)));
	ASSERT_EQ(0, stat_name(self, "attrs", st));
	EXPECT_EQ(S_IFREG | 0604, st->st_mode);
	EXPECT_EQ(1000, st->st_uid);
	EXPECT_EQ(1001, st->st_gid);
	EXPECT_EQ(MTIME_SEC, st->st_mtim.tv_sec);
	EXPECT_EQ(MTIME_NSEC, st->st_mtim.tv_nsec);
}

static void check_attrs(struct __test_metadata *_metadata,
			FIXTURE_DATA(fs) *self, const struct stat *want)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, stat_name(self, "attrs", &st));
	EXPECT_EQ(want->st_ino, st.st_ino);
	EXPECT_EQ(S_IFREG | 0604, st.st_mode);
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(1001, st.st_gid);
	EXPECT_EQ(BLK + 4097, st.st_size);
	EXPECT_EQ(MTIME_SEC, st.st_mtim.tv_sec);
	EXPECT_EQ(MTIME_NSEC, st.st_mtim.tv_nsec);
	fd = open_rw(self, "attrs");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, check_file(fd, 0, BLK + 4097, 9));
	close(fd);
}

TEST_F(fs, attributes_persist_across_remount)
{
	struct stat st;

	set_attrs(_metadata, self, &st);
	ASSERT_EQ(0, fs_remount(self, NULL));
	check_attrs(_metadata, self, &st);
}

TEST_F_TIMEOUT(fs, attributes_persist_across_module_reload, 120)
{
	struct tnl_pool before, after;
	struct stat st;
	int ret;

	set_attrs(_metadata, self, &st);
	ASSERT_EQ(0, tnl_pool_get(&self->nl, POOL, &before));

	/* Refused while mounted, allowed once unmounted. */
	ret = module_unload();
	EXPECT_TRUE(ret == EAGAIN || ret == EBUSY) TH_LOG("unload: %s",
							  strerror(ret));
	reload_module(_metadata, self);
	ASSERT_EQ(0, tnl_pool_get(&self->nl, POOL, &after));
	EXPECT_EQ(VMPKRAM_POOL_READY, after.state) TH_LOG("%s", after.reason);
	EXPECT_EQ(1, after.clean) TH_LOG("the unload detached it cleanly");
	EXPECT_LT(before.generation, after.generation);
	EXPECT_EQ(0, memcmp(before.uuid, after.uuid, sizeof(after.uuid)));
	EXPECT_EQ(1, after.nr_files);
	EXPECT_EQ(before.used, after.used);
	ASSERT_EQ(0, fs_mount(self, NULL));
	check_attrs(_metadata, self, &st);
}

TEST_F(fs, chmod_chown_keep_mtime)
{
	struct stat st0, st;
	int fd;

	fd = create(self, "a", 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st0));
	ASSERT_EQ(0, fchmod(fd, 04755));
	ASSERT_EQ(0, fchown(fd, 7, 8));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(7, st.st_uid);
	EXPECT_EQ(8, st.st_gid);
	EXPECT_EQ(S_IFREG | 0755, st.st_mode) TH_LOG("chown drops set-uid");
	EXPECT_EQ(st0.st_mtim.tv_sec, st.st_mtim.tv_sec);
	EXPECT_EQ(st0.st_mtim.tv_nsec, st.st_mtim.tv_nsec);
	ASSERT_EQ(0, fchmod(fd, 0640));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
	/* -1 leaves that id alone. */
	ASSERT_EQ(0, fchown(fd, -1, 9));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(7, st.st_uid);
	EXPECT_EQ(9, st.st_gid);
	close(fd);
}

TEST_F(fs, utimes)
{
	struct timespec ts[2] = {
		{ .tv_sec = 1000000000, .tv_nsec = 5 },
		{ .tv_sec = 1000000001, .tv_nsec = 7 },
	};
	struct stat st;
	int fd;

	fd = create(self, "a", 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, futimens(fd, ts));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(1000000001, st.st_mtim.tv_sec);
	EXPECT_EQ(7, st.st_mtim.tv_nsec);

	/* A write moves mtime to now. */
	ASSERT_EQ(1, write(fd, "x", 1));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_LT(1000000001, st.st_mtim.tv_sec);

	ts[1].tv_nsec = UTIME_OMIT;
	ts[0].tv_nsec = UTIME_NOW;
	ASSERT_EQ(0, utimensat(self->dfd, "a", ts, 0));
	ASSERT_EQ(0, utimensat(self->dfd, "a", NULL, 0));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_LT(1000000001, st.st_mtim.tv_sec);
	close(fd);
}

/* ---- sizes ---- */

TEST_F(fs, truncate_grow_and_shrink)
{
	long blocks = free_blocks(self);
	struct stat st;
	int fd;

	fd = create(self, "a", 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 3 * SZ_1M + 5));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(3 * SZ_1M + 5, st.st_size);
	EXPECT_EQ(blocks - 2, free_blocks(self));
	EXPECT_EQ(-1, check_file(fd, 0, 3 * SZ_1M + 5, 0)) TH_LOG("grown: 0");

	ASSERT_EQ(0, write_pattern(fd, 0, 3 * SZ_1M + 5, 3));
	ASSERT_EQ(0, ftruncate(fd, SZ_1M + 3));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(SZ_1M + 3, st.st_size);
	EXPECT_EQ(blocks - 1, free_blocks(self));
	ASSERT_EQ(0, ftruncate(fd, 4 * SZ_1M));
	EXPECT_EQ(blocks - 2, free_blocks(self));
	EXPECT_EQ(-1, check_file(fd, 0, SZ_1M + 3, 3));
	EXPECT_EQ(-1, check_file(fd, SZ_1M + 3, 3 * SZ_1M - 3, 0))
		TH_LOG("the tail cut off and grown again reads 0");

	/* Down to an exact block boundary, and to 0. */
	ASSERT_EQ(0, ftruncate(fd, BLK));
	EXPECT_EQ(blocks - 1, free_blocks(self));
	ASSERT_EQ(0, ftruncate(fd, 0));
	EXPECT_EQ(blocks, free_blocks(self));
	EXPECT_EQ(EINVAL, ERR(ftruncate(fd, -1)));
	close(fd);

	/* O_TRUNC on open. */
	fd = create_sized(self, "b", 5 * SZ_1M);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(blocks - 3, free_blocks(self));
	fd = openat(self->dfd, "b", O_RDWR | O_TRUNC | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(blocks, free_blocks(self));
	close(fd);
}

TEST_F(fs, truncate_by_path)
{
	char path[128];
	struct stat st;
	int fd;

	fd = create(self, "a", 0644);
	ASSERT_LE(0, fd);
	close(fd);
	snprintf(path, sizeof(path), "%s/a", self->dir);
	ASSERT_EQ(0, truncate(path, 7777));
	ASSERT_EQ(0, stat_name(self, "a", &st));
	EXPECT_EQ(7777, st.st_size);
	ASSERT_EQ(0, truncate(path, 3));
	ASSERT_EQ(0, stat_name(self, "a", &st));
	EXPECT_EQ(3, st.st_size);
}

/* Shrinking unmaps the cut pages: no access to freed blocks remains. */
TEST_F(fs, truncate_unmaps_the_tail)
{
	unsigned char *p;
	int fd;

	fd = create_sized(self, "a", 4 * SZ_1M);
	ASSERT_LE(0, fd);
	p = (unsigned char *)map_shared(fd, 4 * SZ_1M, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0xa5, 4 * SZ_1M);

	ASSERT_EQ(0, ftruncate(fd, SZ_1M));
	EXPECT_EQ(0xa5, p[SZ_1M - 1]);
	EXPECT_EQ(SIGBUS, touch_in_child(p + 3 * SZ_1M, false));
	EXPECT_EQ(SIGBUS, touch_in_child(p + SZ_1M + 4096, true));

	/* Grown again: the mapping sees fresh zeros, not the old bytes. */
	ASSERT_EQ(0, ftruncate(fd, 4 * SZ_1M));
	EXPECT_EQ(-1, nonzero(p + SZ_1M, 3 * SZ_1M));
	EXPECT_EQ(0xa5, p[0]);
	munmap(p, 4 * SZ_1M);
	close(fd);
}

/*
 * A shrink zeroes from the new end of file to the end of its block:
 * mappings of the last page read zero past EOF, whether they were made
 * after the shrink or existed during it (issue 12, item 3).
 */
TEST_F(fs, shrink_zeroes_past_eof)
{
	unsigned char *p, *q;
	int fd;

	fd = create(self, "a", 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_pattern(fd, 0, 8192, 1));
	ASSERT_EQ(0, ftruncate(fd, 100));
	p = (unsigned char *)map_shared(fd, 4096, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mismatch(p, 100, 0, 1));
	EXPECT_EQ(-1, nonzero(p + 100, 4096 - 100))
		TH_LOG("mapped after the shrink: byte %ld past EOF is not 0",
		       100 + nonzero(p + 100, 4096 - 100));
	munmap(p, 4096);

	/* Mapped during the shrink, with writes past EOF in the last page. */
	ASSERT_EQ(0, write_pattern(fd, 0, 3 * SZ_1M, 2));
	q = (unsigned char *)map_shared(fd, 3 * SZ_1M, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(0, ftruncate(fd, 2 * SZ_1M + 4097));
	EXPECT_EQ(-1, mismatch(q, 2 * SZ_1M + 4097, 0, 2));
	EXPECT_EQ(-1, nonzero(q + 2 * SZ_1M + 4097, 4095))
		TH_LOG("mapped during the shrink: bytes past EOF are not 0");
	memset(q + 2 * SZ_1M + 4097, 'E', 4095);	/* allowed, past EOF */
	ASSERT_EQ(0, ftruncate(fd, 2 * SZ_1M + 5000));
	EXPECT_EQ(-1, nonzero(q + 2 * SZ_1M + 4097, 5000 - 4097))
		TH_LOG("what a mapping wrote past EOF is zero once the file grows");
	EXPECT_EQ(-1, nonzero(q + 2 * SZ_1M + 5000, 8192 - 5000))
		TH_LOG("... and past the new EOF too");
	/* Down to a page boundary: the old tail of the block is gone. */
	ASSERT_EQ(0, ftruncate(fd, SZ_1M + 4096));
	ASSERT_EQ(0, ftruncate(fd, 2 * SZ_1M));
	EXPECT_EQ(-1, check_file(fd, SZ_1M + 4096, SZ_1M - 4096, 0));
	EXPECT_EQ(-1, nonzero(q + SZ_1M + 4096, SZ_1M - 4096));
	munmap(q, 3 * SZ_1M);
	close(fd);
}

/* The VFS copies between files of one file system through a pipe. */
TEST_F(fs, copy_file_range_sendfile_splice)
{
	const size_t len = 3 * SZ_1M + 123;
	unsigned char *x, *y;
	loff_t in, out;
	int a, b, pfd[2];
	off_t off;

	a = create(self, "a", 0644);
	ASSERT_LE(0, a);
	b = create(self, "b", 0644);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, write_pattern(a, 0, len, 3));

	in = 5;
	out = 7;
	ASSERT_EQ((ssize_t)len - 5, copy_file_range(a, &in, b, &out, len, 0))
		TH_LOG("copy_file_range: %s", strerror(errno));
	EXPECT_EQ((loff_t)len, in);
	EXPECT_EQ((loff_t)len + 2, out);
	EXPECT_EQ(-1, check_file(b, 0, 7, 0));
	/* b holds a's bytes from 5 on, at 7. */
	x = malloc(len);
	y = malloc(len);
	ASSERT_NE(NULL, x);
	ASSERT_NE(NULL, y);
	ASSERT_EQ(0, pread_all(a, x, len, 0));
	ASSERT_EQ(0, pread_all(b, y, len - 5, 7));
	EXPECT_EQ(0, memcmp(x + 5, y, len - 5));

	/* Inside one file, past its end: the gap reads zero. */
	in = 0;
	out = len + BLK;
	EXPECT_EQ(4096, copy_file_range(a, &in, a, &out, 4096, 0));
	EXPECT_EQ(-1, check_file(a, len, BLK, 0));
	ASSERT_EQ(0, pread_all(a, y, 4096, len + BLK));
	EXPECT_EQ(-1, mismatch(y, 4096, 0, 3));
	free(x);
	free(y);

	/* sendfile into another file, splice through a pipe. */
	ASSERT_EQ(0, ftruncate(b, 0));
	off = 0;
	EXPECT_EQ(65536, sendfile(b, a, &off, 65536))
		TH_LOG("sendfile: %s", strerror(errno));
	EXPECT_EQ(-1, check_file(b, 0, 65536, 3));
	ASSERT_EQ(0, pipe(pfd));
	in = 65536;
	EXPECT_EQ(4096, splice(a, &in, pfd[1], NULL, 4096, 0))
		TH_LOG("splice from the file: %s", strerror(errno));
	out = 65536;
	EXPECT_EQ(4096, splice(pfd[0], NULL, b, &out, 4096, 0))
		TH_LOG("splice to the file: %s", strerror(errno));
	EXPECT_EQ(-1, check_file(b, 0, 65536 + 4096, 3));
	close(pfd[0]);
	close(pfd[1]);
	close(a);
	close(b);
}

/* No page cache to bypass: O_DIRECT is accepted, as on DAX file systems. */
TEST_F(fs, o_direct)
{
	unsigned char *buf;
	int fd, flags;

	fd = openat(self->dfd, "a", O_RDWR | O_CREAT | O_DIRECT | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd) TH_LOG("O_DIRECT open: %s", strerror(errno));
	ASSERT_EQ(0, posix_memalign((void **)&buf, 4096, 2 * 4096));
	fill(buf, 2 * 4096, 4096, 4);
	ASSERT_EQ(2 * 4096, pwrite(fd, buf, 2 * 4096, 4096));
	EXPECT_EQ(-1, check_file(fd, 0, 4096, 0));
	EXPECT_EQ(-1, check_file(fd, 4096, 2 * 4096, 4));
	memset(buf, 0, 2 * 4096);
	ASSERT_EQ(4096, pread(fd, buf, 4096, 8192));
	EXPECT_EQ(-1, mismatch(buf, 4096, 8192, 4));
	free(buf);
	close(fd);

	fd = open_rw(self, "a");
	ASSERT_LE(0, fd);
	flags = fcntl(fd, F_GETFL);
	EXPECT_EQ(0, fcntl(fd, F_SETFL, flags | O_DIRECT))
		TH_LOG("F_SETFL O_DIRECT: %s", strerror(errno));
	EXPECT_EQ(-1, check_file(fd, 4096, 2 * 4096, 4));
	close(fd);
}

/*
 * read() copies machine-check safe (issue 12, item 11): a copy that stops
 * on the caller's side is still EFAULT, or short, never EIO.
 */
TEST_F(fs, read_into_a_bad_buffer)
{
	unsigned char *buf;
	int fd;

	fd = create_sized(self, "a", 3 * 4096);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_pattern(fd, 0, 3 * 4096, 5));
	buf = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mprotect(buf + 4096, 4096, PROT_NONE));
	EXPECT_EQ(4096, pread(fd, buf, 2 * 4096, 100));
	EXPECT_EQ(-1, mismatch(buf, 4096, 100, 5));
	EXPECT_EQ(-1, pread(fd, buf + 4096, 4096, 0));
	EXPECT_EQ(EFAULT, errno);
	munmap(buf, 2 * 4096);
	EXPECT_EQ(-1, pread(fd, buf, 4096, 0)) TH_LOG("into an unmapped buffer");
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

TEST_F(fs, fallocate)
{
	long blocks = free_blocks(self);
	struct stat st;
	int fd;

	fd = create(self, "a", 0644);
	ASSERT_LE(0, fd);
	/* Mode 0 grows the file. */
	ASSERT_EQ(0, ERR(fallocate(fd, 0, 0, 3 * SZ_1M)));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(3 * SZ_1M, st.st_size);
	EXPECT_EQ(blocks - 2, free_blocks(self));
	EXPECT_EQ(-1, check_file(fd, 0, 3 * SZ_1M, 0));
	ASSERT_EQ(0, ERR(fallocate(fd, 0, 5 * SZ_1M, 1)));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(5 * SZ_1M + 1, st.st_size);
	EXPECT_EQ(blocks - 3, free_blocks(self));

	/* Inside the file: nothing to do, with or without KEEP_SIZE. */
	EXPECT_EQ(0, ERR(fallocate(fd, 0, 100, 4096)));
	EXPECT_EQ(0, ERR(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 5 * SZ_1M + 1)));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(5 * SZ_1M + 1, st.st_size);
	EXPECT_EQ(blocks - 3, free_blocks(self));

	/* Anything else is not supported. */
	EXPECT_EQ(EOPNOTSUPP, ERR(fallocate(fd, FALLOC_FL_KEEP_SIZE,
					    5 * SZ_1M, 4 * SZ_1M)));
	/* The VFS lets PUNCH_HOLE in only with KEEP_SIZE. */
	EXPECT_EQ(EOPNOTSUPP, ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096)));
	EXPECT_EQ(EOPNOTSUPP, ERR(fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 4096)));
	EXPECT_EQ(EOPNOTSUPP, ERR(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0,
					    BLK)));
	EXPECT_EQ(EOPNOTSUPP, ERR(fallocate(fd, FALLOC_FL_INSERT_RANGE, 0,
					    BLK)));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(5 * SZ_1M + 1, st.st_size);
	EXPECT_EQ(blocks - 3, free_blocks(self));
	close(fd);
}

TEST_F(fs, read_write_llseek)
{
	char buf[64];
	int fd;

	fd = create(self, "a", 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, write(fd, "hello", 5));
	EXPECT_EQ(5, lseek(fd, 0, SEEK_CUR));
	ASSERT_EQ(6, write(fd, " world", 6));
	EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(11, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("hello world", buf);
	EXPECT_EQ(0, read(fd, buf, sizeof(buf))) TH_LOG("EOF");

	EXPECT_EQ(8, lseek(fd, -3, SEEK_END));
	ASSERT_EQ(3, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "rld", 3));
	EXPECT_EQ(3, lseek(fd, 3, SEEK_SET));
	EXPECT_EQ(4, lseek(fd, 1, SEEK_CUR));
	ASSERT_EQ(2, read(fd, buf, 2));
	EXPECT_EQ(0, memcmp(buf, "o ", 2));
	EXPECT_EQ(EINVAL, ERR(lseek(fd, -1, SEEK_SET)));
	EXPECT_EQ(EINVAL, ERR(lseek(fd, -12, SEEK_END)));
	EXPECT_EQ(100, lseek(fd, 100, SEEK_SET)) TH_LOG("past EOF is allowed");
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));

	/* Odd offsets, overwrite in the middle. */
	ASSERT_EQ(3, pwrite(fd, "XYZ", 3, 7));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(11, pread(fd, buf, sizeof(buf), 0));
	EXPECT_STREQ("hello wXYZd", buf);
	ASSERT_EQ(2, pread(fd, buf, 4, 9)) TH_LOG("short read at EOF");
	EXPECT_EQ(0, memcmp(buf, "Zd", 2));
	close(fd);

	/* O_APPEND writes at the end whatever the offset. */
	fd = openat(self->dfd, "a", O_WRONLY | O_APPEND | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	ASSERT_EQ(1, write(fd, "!", 1));
	close(fd);
	fd = openat(self->dfd, "a", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(12, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("hello wXYZd!", buf);
	/* Read-only descriptor: EBADF on write. */
	EXPECT_EQ(EBADF, ERR(write(fd, "x", 1)));
	close(fd);
}

TEST_F(fs, writes_across_block_boundaries)
{
	size_t len = 5 * SZ_1M + 13, chunk;
	off_t start = BLK - 7, off;
	unsigned char *buf;
	struct stat st;
	int fd;

	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	fd = create(self, "a", 0644);
	ASSERT_LE(0, fd);
	/* One write over three block boundaries. */
	fill(buf, len, start, 4);
	ASSERT_EQ(len, pwrite(fd, buf, len, start));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(start + len, st.st_size);
	EXPECT_EQ(-1, check_file(fd, 0, start, 0));
	/* Read back in odd chunks. */
	memset(buf, 0, len);
	for (off = 0; off < (off_t)len; off += chunk) {
		chunk = len - off < SZ_1M + 333 ? len - off : SZ_1M + 333;
		ASSERT_EQ(chunk, pread(fd, buf + off, chunk, start + off));
	}
	EXPECT_EQ(-1, mismatch(buf, len, start, 4));

	/* Small writes, each of 4093 bytes, straddling 2 MiB boundaries. */
	for (off = BLK - 4093 * 3 + 1; off < BLK + 4093 * 3; off += 4093) {
		fill(buf, 4093, off, 5);
		ASSERT_EQ(4093, pwrite(fd, buf, 4093, off));
	}
	EXPECT_EQ(-1, check_file(fd, BLK - 4093 * 3 + 1, 4093 * 6, 5));
	EXPECT_EQ(-1, check_file(fd, 2 * BLK, 2 * SZ_1M, 4));
	free(buf);
	close(fd);
}

TEST_F(fs, write_past_eof_leaves_zero_gap)
{
	long blocks = free_blocks(self);
	char buf[16];
	struct stat st;
	int fd;

	fd = create(self, "a", 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(10, write(fd, "0123456789", 10));
	ASSERT_EQ(3, pwrite(fd, "end", 3, 5 * SZ_1M + 1));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(5 * SZ_1M + 4, st.st_size);
	EXPECT_EQ(blocks - 3, free_blocks(self));
	EXPECT_EQ(-1, check_file(fd, 10, 5 * SZ_1M + 1 - 10, 0));
	ASSERT_EQ(3, pread(fd, buf, sizeof(buf), 5 * SZ_1M + 1));
	EXPECT_EQ(0, memcmp(buf, "end", 3));
	ASSERT_EQ(10, pread(fd, buf, 10, 0));
	EXPECT_EQ(0, memcmp(buf, "0123456789", 10));

	/* The same with lseek past EOF and write(). */
	ASSERT_EQ(8 * SZ_1M, lseek(fd, 8 * SZ_1M, SEEK_SET));
	ASSERT_EQ(1, write(fd, "!", 1));
	EXPECT_EQ(-1, check_file(fd, 5 * SZ_1M + 4, 3 * SZ_1M - 4, 0));
	EXPECT_EQ(blocks - 5, free_blocks(self));
	close(fd);
}

TEST_F(fs, fsync)
{
	int fd;

	fd = create(self, "a", 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_pattern(fd, 0, 3 * SZ_1M, 6));
	EXPECT_EQ(0, fsync(fd));
	EXPECT_EQ(0, fdatasync(fd));
	EXPECT_EQ(0, syncfs(fd));
	EXPECT_EQ(0, fsync(self->dfd));
	close(fd);
	fd = openat(self->dfd, "a", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fsync(fd));
	close(fd);
}

TEST_F(fs, statfs)
{
	struct statfs s0 = fs_stat(self), s;
	int fd;

	EXPECT_EQ(VMPKRAMFS_MAGIC, s0.f_type);
	EXPECT_EQ(BLK, s0.f_bsize);
	EXPECT_EQ(BLK, s0.f_frsize);
	EXPECT_EQ(VMPKRAMFS_NAME_MAX, s0.f_namelen);
	EXPECT_EQ(VMPKRAM_POOL_MAX_FILES, s0.f_files);
	EXPECT_EQ(VMPKRAM_POOL_MAX_FILES, s0.f_ffree);
	EXPECT_EQ(self->pool.data_size / BLK, s0.f_blocks);
	EXPECT_EQ(s0.f_blocks, s0.f_bfree) TH_LOG("an empty pool");
	EXPECT_EQ(s0.f_bfree, s0.f_bavail);

	fd = create_sized(self, "a", 3 * SZ_1M);
	ASSERT_LE(0, fd);
	s = fs_stat(self);
	EXPECT_EQ(s0.f_bfree - 2, s.f_bfree);
	EXPECT_EQ(s0.f_bavail - 2, s.f_bavail);
	EXPECT_EQ(s0.f_ffree - 1, s.f_ffree);
	EXPECT_EQ(s0.f_blocks, s.f_blocks);

	/* Block granularity: 1 byte more takes a block, 1 byte less not. */
	ASSERT_EQ(0, ftruncate(fd, 2 * BLK));
	EXPECT_EQ(s0.f_bfree - 2, free_blocks(self));
	ASSERT_EQ(0, ftruncate(fd, 2 * BLK + 1));
	EXPECT_EQ(s0.f_bfree - 3, free_blocks(self));
	ASSERT_EQ(0, ftruncate(fd, 1));
	EXPECT_EQ(s0.f_bfree - 1, free_blocks(self));
	ASSERT_EQ(0, ftruncate(fd, 0));
	EXPECT_EQ(s0.f_bfree, free_blocks(self));
	close(fd);

	/* The netlink view agrees. */
	fd = create_sized(self, "b", 5 * BLK);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, tnl_pool_get(&self->nl, POOL, &self->pool));
	s = fs_stat(self);
	EXPECT_EQ(5 * BLK, self->pool.used);
	EXPECT_EQ(s.f_bfree * BLK, self->pool.free);
	EXPECT_EQ(2, self->pool.nr_files);
	EXPECT_EQ(s.f_files - s.f_ffree, self->pool.nr_files);

	ASSERT_EQ(0, ERR(unlinkat(self->dfd, "a", 0)));
	ASSERT_EQ(0, ERR(unlinkat(self->dfd, "b", 0)));
	s = fs_stat(self);
	EXPECT_EQ(s0.f_bfree, s.f_bfree);
	EXPECT_EQ(s0.f_ffree, s.f_ffree);
}

/* ---- mmap ---- */

TEST_F(fs, mmap_shared_is_coherent_with_read_write)
{
	size_t len = 6 * SZ_1M + 100, maplen = 6 * SZ_1M + 4096;
	unsigned char *p, *q, buf[300], flipped;
	int fd;

	fd = create_sized(self, "a", len);
	ASSERT_LE(0, fd);
	p = (unsigned char *)map_shared(fd, maplen, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, nonzero(p, len));

	/* Through the mapping, seen by read(). */
	fill(p, len, 0, 7);
	EXPECT_EQ(-1, check_file(fd, 0, len, 7));

	/* By write(), seen through the mapping, across a block boundary. */
	fill(buf, sizeof(buf), BLK - 150, 8);
	ASSERT_EQ(sizeof(buf), pwrite(fd, buf, sizeof(buf), BLK - 150));
	EXPECT_EQ(-1, mismatch(p + BLK - 150, sizeof(buf), BLK - 150, 8));
	EXPECT_EQ(-1, mismatch(p + BLK + 150, 100, BLK + 150, 7));
	EXPECT_EQ(0, msync(p, maplen, MS_SYNC));

	/* A second mapping at a file offset sees the same bytes. */
	q = mmap(NULL, BLK, PROT_READ, MAP_SHARED, fd, 2 * BLK);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, memcmp(q, p + 2 * BLK, BLK));
	p[2 * BLK + 12345] ^= 0xff;
	EXPECT_EQ(p[2 * BLK + 12345], q[12345]);
	munmap(q, BLK);

	/* What went through the mapping is in the pool after a remount. */
	flipped = p[2 * BLK + 12345];
	munmap(p, maplen);
	close(fd);
	ASSERT_EQ(0, fs_remount(self, NULL));
	fd = openat(self->dfd, "a", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	p = (unsigned char *)map_shared(fd, maplen, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(flipped, p[2 * BLK + 12345]);
	EXPECT_EQ(-1, mismatch(p, BLK - 150, 0, 7));
	EXPECT_EQ(-1, mismatch(p + BLK - 150, sizeof(buf), BLK - 150, 8));
	EXPECT_EQ(-1, mismatch(p + 3 * BLK, len - 3 * BLK, 3 * BLK, 7));
	EXPECT_EQ(SIGSEGV, touch_in_child(p, true)) TH_LOG("PROT_READ");
	munmap(p, maplen);
	close(fd);
}

TEST_F(fs, mmap_needs_map_shared)
{
	void *p;
	int fd;

	fd = create_sized(self, "a", BLK);
	ASSERT_LE(0, fd);
	p = mmap(NULL, BLK, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, BLK, PROT_READ, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	close(fd);

	/* Writable shared mapping of a read-only descriptor: the VFS's EACCES. */
	fd = openat(self->dfd, "a", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	p = mmap(NULL, BLK, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, BLK, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, BLK);
	close(fd);
}

TEST_F(fs, mmap_beyond_eof_is_sigbus)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *p;
	int fd;

	fd = create_sized(self, "a", page + 1);
	ASSERT_LE(0, fd);
	p = (unsigned char *)map_shared(fd, 4 * page, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	/* The page holding EOF is accessible whole, and reads 0 past EOF. */
	EXPECT_EQ(0, touch_in_child(p, true));
	EXPECT_EQ(0, touch_in_child(p + 2 * page - 1, false));
	EXPECT_EQ(0, p[2 * page - 1]);
	/* Beyond it: SIGBUS, though the file's block extends further. */
	EXPECT_EQ(SIGBUS, touch_in_child(p + 2 * page, false));
	EXPECT_EQ(SIGBUS, touch_in_child(p + 3 * page + 5, true));
	munmap(p, 4 * page);
	close(fd);
}

/* ---- limits ---- */

TEST_F_TIMEOUT(fs, enospc_when_the_pool_is_full, 120)
{
	long avail = fs_stat(self).f_bavail;
	struct stat st;
	int big, fd;

	/*
	 * A one-block file first: "big" then takes the rest, so that even
	 * full it stays below the data size (growing past that is EFBIG).
	 */
	ASSERT_LT(3, avail);
	fd = create_sized(self, "one", BLK);
	ASSERT_LE(0, fd);
	close(fd);
	avail--;
	big = create_sized(self, "big", (off_t)avail * BLK);
	ASSERT_LE(0, big) TH_LOG("%ld blocks: %s", avail, strerror(errno));
	EXPECT_EQ(0, fs_stat(self).f_bfree);
	EXPECT_EQ(0, fs_stat(self).f_bavail);

	/* A new file can be created (no blocks), but not grow. */
	fd = create(self, "more", 0644);
	ASSERT_LE(0, fd);
	EXPECT_EQ(ENOSPC, ERR(ftruncate(fd, 1)));
	EXPECT_EQ(ENOSPC, ERR(write(fd, "x", 1)));
	EXPECT_EQ(ENOSPC, ERR(pwrite(fd, "x", 1, BLK)));
	EXPECT_EQ(ENOSPC, ERR(fallocate(fd, 0, 0, 1)));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_size) TH_LOG("a failed grow changes nothing");

	/* Nor the full one; writing inside it still works. */
	EXPECT_EQ(ENOSPC, ERR(ftruncate(big, (off_t)avail * BLK + 1)));
	EXPECT_EQ(ENOSPC, ERR(pwrite(big, "x", 1, (off_t)avail * BLK)));
	ASSERT_EQ(0, fstat(big, &st));
	EXPECT_EQ((off_t)avail * BLK, st.st_size);
	EXPECT_EQ(1, pwrite(big, "x", 1, (off_t)avail * BLK - 1));

	/* One block freed: exactly one block can be had. */
	ASSERT_EQ(0, ftruncate(big, (off_t)(avail - 1) * BLK));
	EXPECT_EQ(1, fs_stat(self).f_bfree);
	EXPECT_EQ(ENOSPC, ERR(ftruncate(fd, BLK + 1)));
	EXPECT_EQ(0, ERR(ftruncate(fd, BLK)));
	EXPECT_EQ(0, fs_stat(self).f_bfree);
	EXPECT_EQ(-1, check_file(fd, 0, BLK, 0));
	close(fd);
	close(big);
}

TEST_F(fs, efbig_beyond_the_pool)
{
	off_t data = self->pool.data_size;
	struct stat st;
	int fd;

	ASSERT_LT(0, data);
	fd = create(self, "a", 0644);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EFBIG, ERR(ftruncate(fd, data + 1)));
	EXPECT_EQ(EFBIG, ERR(ftruncate(fd, data + BLK)));
	EXPECT_EQ(EFBIG, ERR(ftruncate(fd, 1LL << 50)));
	EXPECT_EQ(EFBIG, ERR(fallocate(fd, 0, data, 1)));
	EXPECT_EQ(EFBIG, ERR(pwrite(fd, "x", 1, data)));
	EXPECT_EQ(EFBIG, ERR(pwrite(fd, "x", 1, 1LL << 50)));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_size);

	/* Up to the data size is a matter of free space, not EFBIG. */
	EXPECT_EQ(0, ERR(ftruncate(fd, BLK)));
	close(fd);
	fd = create(self, "b", 0644);
	ASSERT_LE(0, fd);
	EXPECT_EQ(ENOSPC, ERR(ftruncate(fd, data)));
	close(fd);
}

TEST_F_TIMEOUT(fs, file_table_full, 300)
{
	long ffree = fs_stat(self).f_ffree, i;
	struct timespec t0, t1;
	char name[32];
	int fd;

	ASSERT_EQ(VMPKRAM_POOL_MAX_FILES, ffree);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < ffree; i++) {
		snprintf(name, sizeof(name), "f%04ld", i);
		fd = create(self, name, 0644);
		ASSERT_LE(0, fd) TH_LOG("file %ld: %s", i, strerror(errno));
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	TH_LOG("%ld creates in %ld ms", ffree,
	       (t1.tv_sec - t0.tv_sec) * 1000 +
	       (t1.tv_nsec - t0.tv_nsec) / 1000000);
	EXPECT_EQ(0, fs_stat(self).f_ffree);
	EXPECT_EQ(ENOSPC, ERR(create(self, "one-more", 0644)));
	EXPECT_FALSE(exists(self, "one-more"));

	/* Renames need no new entry; a freed entry can be taken again. */
	EXPECT_EQ(0, ERR(renameat(self->dfd, "f0000", self->dfd, "g")));
	ASSERT_EQ(0, ERR(unlinkat(self->dfd, "g", 0)));
	fd = create(self, "one-more", 0644);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(ENOSPC, ERR(create(self, "two-more", 0644)));
}

/* ---- permissions, as nobody ---- */

static char g_dir[64];
static char g_path[128];

static int user_create(void)
{
	int fd = open(g_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);

	if (fd < 0)
		return errno;
	if (write(fd, "mine", 4) != 4)
		return EIO;
	close(fd);
	return 0;
}

static int user_open_read(void)
{
	int fd = open(g_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int user_open_write(void)
{
	int fd = open(g_path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int user_truncate(void)
{
	return ERR(truncate(g_path, 1));
}

static int user_unlink(void)
{
	return ERR(unlink(g_path));
}

static int user_chown_to_root(void)
{
	return ERR(chown(g_path, 0, 0));
}

static int user_chown_group(void)
{
	return ERR(chown(g_path, -1, 0));
}

static int user_chmod(void)
{
	return ERR(chmod(g_path, 0666));
}

static int user_utimes(void)
{
	struct timespec ts[2] = { { .tv_sec = 1 }, { .tv_sec = 1 } };

	return ERR(utimensat(AT_FDCWD, g_path, ts, 0));
}

static int user_list(void)
{
	DIR *d = opendir(g_dir);
	int n = 0;

	if (!d)
		return errno;
	while (readdir(d))
		n++;
	closedir(d);
	return n >= 2 ? 0 : ENOENT;
}

static void set_user_path(FIXTURE_DATA(fs) *self, const char *name)
{
	snprintf(g_dir, sizeof(g_dir), "%s", self->dir);
	snprintf(g_path, sizeof(g_path), "%s/%s", self->dir, name);
}

TEST_F(fs, user_cannot_create_in_root_owned_dir)
{
	set_user_path(self, "u");
	EXPECT_EQ(EACCES, run_unprivileged(user_create));
	EXPECT_FALSE(exists(self, "u"));
	EXPECT_EQ(0, run_unprivileged(user_list));
}

TEST_F(fs, user_creates_own_files_with_mode_1777)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, fs_remount(self, "mode=1777"));
	ASSERT_EQ(0, fstat(self->dfd, &st));
	EXPECT_EQ(S_IFDIR | 01777, st.st_mode);

	set_user_path(self, "u");
	ASSERT_EQ(0, run_unprivileged(user_create));
	ASSERT_EQ(0, stat_name(self, "u", &st));
	EXPECT_EQ(NOBODY_UID, st.st_uid);
	EXPECT_EQ(NOBODY_GID, st.st_gid);
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
	EXPECT_EQ(4, st.st_size);
	EXPECT_EQ(0, run_unprivileged(user_chmod));
	EXPECT_EQ(0, run_unprivileged(user_utimes));
	/* Giving it away is root's business. */
	EXPECT_EQ(EPERM, run_unprivileged(user_chown_to_root));
	EXPECT_EQ(EPERM, run_unprivileged(user_chown_group));
	ASSERT_EQ(0, stat_name(self, "u", &st));
	EXPECT_EQ(NOBODY_UID, st.st_uid);
	EXPECT_EQ(S_IFREG | 0666, st.st_mode);

	/* Ownership is persisted. */
	ASSERT_EQ(0, fs_remount(self, "mode=1777"));
	ASSERT_EQ(0, stat_name(self, "u", &st));
	EXPECT_EQ(NOBODY_UID, st.st_uid);
	EXPECT_EQ(NOBODY_GID, st.st_gid);

	/* Root's file in the sticky directory: not the user's to touch. */
	fd = create(self, "r", 0666);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, ERR(fchmodat(self->dfd, "r", 0666, 0)));
	set_user_path(self, "r");
	EXPECT_EQ(EPERM, run_unprivileged(user_unlink));
	EXPECT_EQ(EPERM, run_unprivileged(user_chmod));
	EXPECT_EQ(EPERM, run_unprivileged(user_chown_to_root));
	EXPECT_TRUE(exists(self, "r"));
	set_user_path(self, "u");
	EXPECT_EQ(0, run_unprivileged(user_unlink));
	EXPECT_FALSE(exists(self, "u"));
}

TEST_F(fs, user_and_file_modes)
{
	int fd;

	fd = create(self, "secret", 0600);
	ASSERT_LE(0, fd);
	close(fd);
	fd = create(self, "public", 0644);
	ASSERT_LE(0, fd);
	close(fd);

	set_user_path(self, "secret");
	EXPECT_EQ(EACCES, run_unprivileged(user_open_read));
	EXPECT_EQ(EACCES, run_unprivileged(user_open_write));
	EXPECT_EQ(EPERM, run_unprivileged(user_chmod));
	EXPECT_EQ(EPERM, run_unprivileged(user_chown_to_root));
	EXPECT_EQ(EACCES, run_unprivileged(user_unlink)) TH_LOG("0755 dir");

	set_user_path(self, "public");
	EXPECT_EQ(0, run_unprivileged(user_open_read));
	EXPECT_EQ(EACCES, run_unprivileged(user_open_write));
	EXPECT_EQ(EACCES, run_unprivileged(user_truncate));
	EXPECT_EQ(EPERM, run_unprivileged(user_utimes));
}

TEST_F(fs, mount_options_set_the_root)
{
	struct stat st;

	ASSERT_EQ(0, fs_remount(self, "uid=1000,gid=1001,mode=0710"));
	ASSERT_EQ(0, fstat(self->dfd, &st));
	EXPECT_EQ(S_IFDIR | 0710, st.st_mode);
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(1001, st.st_gid);

	/* Not persisted: the defaults come back. */
	ASSERT_EQ(0, fs_remount(self, NULL));
	ASSERT_EQ(0, fstat(self->dfd, &st));
	EXPECT_EQ(S_IFDIR | 0755, st.st_mode);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
}

/* ---- mount, umount, unload ---- */

TEST_F(fs, mount_errors)
{
	char dir[64];

	/* The pool is mounted by the fixture: use another directory. */
	strcpy(dir, MNT_PREFIX "XXXXXX");
	ASSERT_NE(NULL, mkdtemp(dir));
	EXPECT_EQ(EINVAL, do_mount(dir, NULL));
	EXPECT_EQ(EINVAL, do_mount(dir, ""));
	EXPECT_EQ(EINVAL, do_mount(dir, "mode=0700"));
	EXPECT_EQ(EINVAL, do_mount(dir, "pool="));
	EXPECT_EQ(ENODEV, do_mount(dir, "pool=no-such-pool"));
	EXPECT_EQ(EINVAL, do_mount(dir, "pool=" POOL ",bogus=1"));
	EXPECT_EQ(EINVAL, do_mount(dir, "pool=" POOL ",mode=abc"));
	EXPECT_EQ(EINVAL, do_mount(dir, "pool=" POOL ",uid=x"));
	rmdir(dir);

	/* The failed mounts left the pool as it was. */
	ASSERT_EQ(0, tnl_pool_get(&self->nl, POOL, &self->pool));
	EXPECT_EQ(VMPKRAM_POOL_READY, self->pool.state);
	EXPECT_EQ(1, self->pool.mounted);
}

TEST_F(fs, umount_is_busy_while_a_file_is_mapped)
{
	char *p;
	int fd;

	fd = create_sized(self, "a", BLK);
	ASSERT_LE(0, fd);
	p = map_shared(fd, BLK, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	close(self->dfd);
	self->dfd = -1;

	EXPECT_EQ(EBUSY, ERR(umount(self->dir)));
	p[0] = 1;	/* still mapped, still there */
	munmap(p, BLK);
	EXPECT_EQ(0, ERR(umount(self->dir)));
	ASSERT_EQ(0, fs_mount(self, NULL));
	ASSERT_EQ(0, tnl_pool_get(&self->nl, POOL, &self->pool));
	EXPECT_EQ(1, self->pool.nr_files);
}

TEST_F(fs, module_unload_refused_while_mounted)
{
	int ret = module_unload();

	EXPECT_TRUE(ret == EAGAIN || ret == EBUSY) TH_LOG("unload: %s",
							  strerror(ret));
	EXPECT_EQ(0, access("/sys/module/vmpkram", F_OK));
	EXPECT_EQ(VMPKRAMFS_MAGIC, fs_stat(self).f_type);
}

/* ---- deleted while open or mapped ---- */

TEST_F(fs, deleted_while_open)
{
	long blocks = free_blocks(self), files = fs_stat(self).f_ffree;
	struct stat st;
	int fd, fd2;

	fd = create_sized(self, "a", 2 * BLK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_pattern(fd, 0, 2 * BLK, 10));
	ASSERT_EQ(0, ERR(unlinkat(self->dfd, "a", 0)));
	EXPECT_FALSE(exists(self, "a"));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_nlink);
	EXPECT_EQ(blocks - 2, free_blocks(self)) TH_LOG("kept while open");
	EXPECT_EQ(files - 1, fs_stat(self).f_ffree);

	/* Still a working file. */
	EXPECT_EQ(-1, check_file(fd, 0, 2 * BLK, 10));
	ASSERT_EQ(0, write_pattern(fd, BLK - 10, 20, 11));
	EXPECT_EQ(-1, check_file(fd, BLK - 10, 20, 11));

	/* Its name is free for a new file. */
	fd2 = create(self, "a", 0644);
	ASSERT_LE(0, fd2);
	close(fd2);

	close(fd);
	EXPECT_EQ(blocks, free_blocks(self)) TH_LOG("freed at last close");
	EXPECT_EQ(files - 1, fs_stat(self).f_ffree);
}

TEST_F(fs, deleted_while_mapped)
{
	long blocks = free_blocks(self);
	unsigned char *p;
	int fd;

	fd = create_sized(self, "a", 3 * BLK);
	ASSERT_LE(0, fd);
	p = (unsigned char *)map_shared(fd, 3 * BLK, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, 3 * BLK, 0, 12);
	close(fd);
	ASSERT_EQ(0, ERR(unlinkat(self->dfd, "a", 0)));
	EXPECT_FALSE(exists(self, "a"));
	EXPECT_EQ(blocks - 3, free_blocks(self)) TH_LOG("kept while mapped");

	/* Contents still there through the mapping, and writable. */
	EXPECT_EQ(-1, mismatch(p, 3 * BLK, 0, 12));
	p[BLK] ^= 1;
	EXPECT_EQ(pat(BLK, 12) ^ 1, p[BLK]);

	/* umount must wait for it. */
	close(self->dfd);
	self->dfd = -1;
	EXPECT_EQ(EBUSY, ERR(umount(self->dir)));
	self->dfd = open(self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, self->dfd);

	munmap(p, 3 * BLK);
	EXPECT_EQ(blocks, free_blocks(self)) TH_LOG("freed at munmap");
	ASSERT_EQ(0, tnl_pool_get(&self->nl, POOL, &self->pool));
	EXPECT_EQ(0, self->pool.nr_files);
	EXPECT_EQ(0, self->pool.used);
}

/*
 * Fill all free blocks but two with a filler, write a pattern into a file
 * of the two, delete it (closed, or while still mapped, then unmapped):
 * a new file of the same size must get the very same blocks, all zero.
 * Allocation waits for the scrub itself; the test never sleeps.
 */
static void scrub_before_reuse(struct __test_metadata *_metadata,
			       FIXTURE_DATA(fs) *self, bool mapped)
{
	long avail = fs_stat(self).f_bavail;
	struct tnl_files *files = malloc(sizeof(*files));
	struct tnl_file *f, old;
	unsigned char *p = NULL;
	int fd, filler, i;

	ASSERT_NE(NULL, files);
	ASSERT_LT(2, avail);
	filler = create_sized(self, "filler", (off_t)(avail - 2) * BLK);
	ASSERT_LE(0, filler);
	close(filler);

	fd = create_sized(self, "patterned", 2 * BLK);
	ASSERT_LE(0, fd);
	if (mapped) {
		p = (unsigned char *)map_shared(fd, 2 * BLK,
						PROT_READ | PROT_WRITE);
		ASSERT_NE(MAP_FAILED, p);
		fill(p, 2 * BLK, 0, 13);
	} else {
		ASSERT_EQ(0, write_pattern(fd, 0, 2 * BLK, 13));
	}
	ASSERT_EQ(0, tnl_get_files(&self->nl, POOL, files));
	f = tnl_find_file(files, "patterned");
	ASSERT_NE(NULL, f);
	old = *f;
	close(fd);
	ASSERT_EQ(0, ERR(unlinkat(self->dfd, "patterned", 0)));
	if (mapped) {
		EXPECT_EQ(-1, mismatch(p, 2 * BLK, 0, 13));
		munmap(p, 2 * BLK);
	}
	EXPECT_EQ(2, fs_stat(self).f_bfree);

	fd = create_sized(self, "fresh", 2 * BLK);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(-1, check_file(fd, 0, 2 * BLK, 0)) TH_LOG("old bytes leaked");
	p = (unsigned char *)map_shared(fd, 2 * BLK, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, nonzero(p, 2 * BLK));
	munmap(p, 2 * BLK);
	close(fd);

	/* The same physical blocks (the only free ones) were reused. */
	ASSERT_EQ(0, tnl_get_files(&self->nl, POOL, files));
	f = tnl_find_file(files, "fresh");
	ASSERT_NE(NULL, f);
	ASSERT_LT(0, old.nr_extents);
	for (i = 0; i < f->nr_extents; i++)
		if (f->ext[i].phys >= old.ext[0].phys &&
		    f->ext[i].phys < old.ext[0].phys + old.ext[0].len)
			break;
	EXPECT_GT(f->nr_extents, i) TH_LOG("not the deleted file's blocks");
	free(files);
}

TEST_F_TIMEOUT(fs, scrub_before_reuse_after_close, 120)
{
	scrub_before_reuse(_metadata, self, false);
}

TEST_F_TIMEOUT(fs, scrub_before_reuse_after_munmap, 120)
{
	scrub_before_reuse(_metadata, self, true);
}

/*
 * Seeded random cycles over a nearly full pool, so that every allocation
 * reuses blocks just freed (and the allocating call, not the scrubber,
 * often zeroes them): files are created, filled with a non-zero byte of
 * their own (write() or stores through a mapping), shrunk, grown, and
 * deleted (closed, or while still mapped), up to four at a time.  Every
 * byte a file gains (at create and at growth) must read zero, through
 * read() and through a mapping.  The seed is VMPKRAM_SEED when set,
 * otherwise the time; a failure prints it.
 */
#define CYCLE_FILES	4
#define CYCLE_BLOCKS	8

struct cycle_file {
	int fd;
	off_t size;
	off_t filled;		/* [0, filled) holds the file's byte */
	unsigned char byte;
};

/* [from, to) of @f reads zero through read() and a mapping. */
static bool gained_bytes_zero(struct cycle_file *f, off_t from, off_t to)
{
	unsigned char *p;
	bool ok;

	if (to <= from)
		return true;
	if (check_file(f->fd, from, to - from, 0) != -1)
		return false;
	p = (unsigned char *)map_shared(f->fd, to, PROT_READ);
	if (p == MAP_FAILED)
		return false;
	ok = nonzero(p + from, to - from) == -1;
	munmap(p, to);
	return ok;
}

static bool cycle_fill(struct cycle_file *f, bool mapped)
{
	unsigned char *buf;
	bool ok;

	if (!f->size)
		return true;
	if (mapped) {
		buf = (unsigned char *)map_shared(f->fd, f->size,
						  PROT_READ | PROT_WRITE);
		if (buf == MAP_FAILED)
			return false;
		memset(buf, f->byte, f->size);
		munmap(buf, f->size);
		f->filled = f->size;
		return true;
	}
	buf = malloc(f->size);
	if (!buf)
		return false;
	memset(buf, f->byte, f->size);
	ok = pwrite(f->fd, buf, f->size, 0) == f->size;
	free(buf);
	f->filled = f->size;
	return ok;
}

TEST_F_TIMEOUT(fs, no_unscrubbed_byte_in_random_cycles, 120)
{
	struct cycle_file files[CYCLE_FILES] = { 0 };
	unsigned long long gained = 0;
	unsigned int seed, ops = 0;
	long avail = fs_stat(self).f_bavail;
	const char *env = getenv("VMPKRAM_SEED");
	off_t max = CYCLE_BLOCKS * BLK / CYCLE_FILES, size;
	time_t end = time(NULL) + 8;
	char name[32];
	unsigned char *p;
	int filler, i, r;

	seed = env ? (unsigned int)strtoul(env, NULL, 0) : (unsigned int)time(NULL);
	srandom(seed);
	ASSERT_LT(CYCLE_BLOCKS, avail);
	filler = create_sized(self, "filler", (off_t)(avail - CYCLE_BLOCKS) * BLK);
	ASSERT_LE(0, filler);
	close(filler);
	for (i = 0; i < CYCLE_FILES; i++)
		files[i].fd = -1;

	while (time(NULL) < end || ops < 200) {
		struct cycle_file *f = &files[random() % CYCLE_FILES];

		snprintf(name, sizeof(name), "cycle-%ld", (long)(f - files));
		r = random() % 4;
		ops++;
		if (f->fd < 0) {
			size = 1 + random() % max;
			f->fd = create_sized(self, name, size);
			ASSERT_LE(0, f->fd) TH_LOG("seed %u: create %lld: %s", seed,
						   (long long)size, strerror(errno));
			f->size = size;
			f->filled = 0;
			f->byte = 1 + random() % 255;
			gained += size;
			ASSERT_TRUE(gained_bytes_zero(f, 0, size))
				TH_LOG("seed %u: new file of %lld bytes not zero",
				       seed, (long long)size);
		} else if (r == 0) {
			ASSERT_TRUE(cycle_fill(f, random() & 1))
				TH_LOG("seed %u: fill: %s", seed, strerror(errno));
		} else if (r == 1) {
			size = random() % (max + 1);
			ASSERT_EQ(0, ftruncate(f->fd, size))
				TH_LOG("seed %u: truncate to %lld: %s", seed,
				       (long long)size, strerror(errno));
			if (size < f->filled)
				f->filled = size;
			if (size > f->size)
				gained += size - f->size;
			ASSERT_TRUE(gained_bytes_zero(f, f->filled, size))
				TH_LOG("seed %u: bytes %lld..%lld after truncate not zero",
				       seed, (long long)f->filled, (long long)size);
			f->size = size;
		} else {
			p = NULL;
			if (r == 3 && f->size)
				p = (unsigned char *)map_shared(f->fd, f->size, PROT_READ);
			close(f->fd);
			ASSERT_EQ(0, unlinkat(self->dfd, name, 0));
			if (p && p != (unsigned char *)MAP_FAILED) {
				/* Still the file's bytes for the mapper. */
				EXPECT_EQ(f->filled ? f->byte : 0, p[0]);
				munmap(p, f->size);
			}
			f->fd = -1;
		}
	}
	for (i = 0; i < CYCLE_FILES; i++)
		if (files[i].fd >= 0)
			close(files[i].fd);
	TH_LOG("seed %u: %u operations, %llu bytes gained, all zero", seed,
	       ops, gained);
}

/* Blocks of file @name of pool POOL with memory: its extents' length. */
static __u64 file_backed(FIXTURE_DATA(fs) *self, const char *name,
			 struct tnl_file *out)
{
	struct tnl_files *files = malloc(sizeof(*files));
	struct tnl_file *f;
	__u64 sum = ~0ULL;
	int i;

	if (files && !tnl_get_files(&self->nl, POOL, files) &&
	    (f = tnl_find_file(files, name))) {
		for (sum = 0, i = 0; i < f->nr_extents; i++)
			sum += f->ext[i].len;
		if (out)
			*out = *f;
	}
	free(files);
	return sum;
}

/*
 * FALLOC_FL_PUNCH_HOLE (QEMU's RAM discard): whole blocks in the range
 * go back to the pool (free space, st_blocks, extents) and read zero; the
 * partial blocks at the ends are zeroed in place; the rest of the file is
 * untouched.  A hole gets a zeroed block again when written, by write()
 * or through a mapping (a write fault; a read fault maps the zero page
 * and takes none); the punched block went through scrubbing first.  Past EOF a punch does nothing; a punch
 * to EOF frees the last, partial block too.  The holes persist across
 * umount and module reload.
 */
TEST_F_TIMEOUT(fs, punch_hole, 120)
{
	long blocks = free_blocks(self);
	unsigned char *p, buf[4096];
	struct tnl_file f;
	struct stat st;
	int fd;

	fd = create_sized(self, "vm-ram", 3 * BLK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_pattern(fd, 0, 3 * BLK, 5));
	p = (unsigned char *)map_shared(fd, 3 * BLK, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(pat(BLK + 7, 5), p[BLK + 7]);	/* mapped before */
	EXPECT_EQ(blocks - 3, free_blocks(self));

	/* Half of block 0, all of block 1, 4 KiB of block 2. */
	ASSERT_EQ(0, ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				   BLK / 2, BLK / 2 + BLK + 4096)));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(3 * BLK, st.st_size);
	EXPECT_EQ(2 * BLK / 512, st.st_blocks);
	EXPECT_EQ(blocks - 2, free_blocks(self));
	EXPECT_EQ(2 * BLK, file_backed(self, "vm-ram", &f));
	ASSERT_EQ(2, f.nr_extents);
	EXPECT_EQ(0, f.ext[0].offset);
	EXPECT_EQ(2 * BLK, f.ext[1].offset);
	EXPECT_EQ(-1, check_file(fd, 0, BLK / 2, 5));
	EXPECT_EQ(-1, check_file(fd, BLK / 2, BLK / 2 + BLK + 4096, 0));
	EXPECT_EQ(-1, check_file(fd, 2 * BLK + 4096, BLK - 4096, 5));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(2 * BLK / 512, st.st_blocks) TH_LOG("read() allocated a hole");

	/* Read through the mapping it is zero and takes no block... */
	EXPECT_EQ(0, p[BLK + 7]);
	EXPECT_EQ(-1, nonzero(p + BLK / 2, BLK / 2 + BLK + 4096));
	EXPECT_EQ(pat(2 * BLK + 4096, 5), p[2 * BLK + 4096]);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(2 * BLK / 512, st.st_blocks) TH_LOG("a read fault filled a hole");
	EXPECT_EQ(blocks - 2, free_blocks(self));
	/* ...a write fault gives it a zeroed block again. */
	p[BLK + 7] = 0x42;
	EXPECT_EQ(0x42, byte_at(fd, BLK + 7));
	EXPECT_EQ(0, p[BLK + 8]);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(3 * BLK / 512, st.st_blocks);
	EXPECT_EQ(blocks - 3, free_blocks(self));

	/* Punch it again; write() refills it. */
	ASSERT_EQ(0, ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				   BLK, BLK)));
	EXPECT_EQ(blocks - 2, free_blocks(self));
	memset(buf, 0x77, sizeof(buf));
	ASSERT_EQ(sizeof(buf), pwrite(fd, buf, sizeof(buf), BLK + 8192));
	EXPECT_EQ(blocks - 3, free_blocks(self));
	EXPECT_EQ(-1, check_file(fd, BLK, 8192, 0));
	EXPECT_EQ(0x77, byte_at(fd, BLK + 8192));
	EXPECT_EQ(-1, check_file(fd, BLK + 3 * 4096, BLK - 3 * 4096, 0));

	/* Past EOF: nothing.  To EOF: the last, partial block goes too. */
	EXPECT_EQ(0, ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				   3 * BLK, BLK)));
	EXPECT_EQ(blocks - 3, free_blocks(self));
	ASSERT_EQ(0, ftruncate(fd, 2 * BLK + 100));
	EXPECT_EQ(blocks - 3, free_blocks(self));
	ASSERT_EQ(0, ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				   2 * BLK, 4 * BLK)));
	EXPECT_EQ(blocks - 2, free_blocks(self));
	/* Growing inside the hole's block: zeros, still a hole. */
	ASSERT_EQ(0, ftruncate(fd, 3 * BLK));
	EXPECT_EQ(-1, check_file(fd, 2 * BLK, BLK, 0));
	EXPECT_EQ(blocks - 2, free_blocks(self));
	munmap(p, 3 * BLK);

	/* fallocate(0) fills holes; the holes persist across reload. */
	ASSERT_EQ(0, ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				   0, BLK)));
	EXPECT_EQ(blocks - 1, free_blocks(self));
	close(fd);
	reload_module(_metadata, self);
	ASSERT_EQ(0, fs_mount(self, NULL));
	EXPECT_EQ(blocks - 1, free_blocks(self)) TH_LOG("pool adopted with holes");
	EXPECT_EQ(BLK, file_backed(self, "vm-ram", NULL));
	fd = open_rw(self, "vm-ram");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, check_file(fd, 0, BLK, 0));
	EXPECT_EQ(0x77, byte_at(fd, BLK + 8192));
	ASSERT_EQ(0, ERR(fallocate(fd, 0, 0, 3 * BLK)));
	EXPECT_EQ(blocks - 3, free_blocks(self));
	EXPECT_EQ(3 * BLK, file_backed(self, "vm-ram", NULL));
	close(fd);
}

/* Sealed: freeing blocks is a metadata change (EROFS), zeroing is not. */
TEST_F(fs, punch_hole_when_sealed)
{
	long blocks = free_blocks(self);
	struct tnl_pool sealed;
	int fd;

	fd = create_sized(self, "a", 2 * BLK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_pattern(fd, 0, 2 * BLK, 9));
	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_SEAL, POOL,
				  &sealed));
	EXPECT_EQ(EROFS, ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				       0, BLK)));
	EXPECT_EQ(-1, check_file(fd, 0, 2 * BLK, 9)) TH_LOG("changed by a refused punch");
	EXPECT_EQ(0, ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				   100, 4096)));
	EXPECT_EQ(-1, check_file(fd, 100, 4096, 0));
	EXPECT_EQ(-1, check_file(fd, 4196, 2 * BLK - 4196, 9));
	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_UNSEAL, POOL, NULL));
	EXPECT_EQ(blocks - 2, free_blocks(self));
	close(fd);
}

/*
 * A hole that cannot get a block (the pool is sealed) reads zero through
 * mappings, the zero page; a write to it is SIGBUS.  Once unsealed, a
 * write gives it a block, and every mapping that showed the zero page
 * sees the new contents: no zero page is left behind.
 */
TEST_F(fs, hole_reads_zero_while_sealed)
{
	unsigned char *p, *q;
	struct tnl_pool sealed;
	struct stat st;
	int fd;

	fd = create_sized(self, "a", 2 * BLK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_pattern(fd, 0, 2 * BLK, 4));
	p = (unsigned char *)map_shared(fd, 2 * BLK, PROT_READ | PROT_WRITE);
	q = (unsigned char *)map_shared(fd, 2 * BLK, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(0, ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				   BLK, BLK)));
	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_SEAL, POOL,
				  &sealed));

	EXPECT_EQ(0, touch_in_child(p + BLK + 5, false));
	EXPECT_EQ(-1, nonzero(p + BLK, BLK));
	EXPECT_EQ(0, q[BLK + 5]);
	EXPECT_EQ(SIGBUS, touch_in_child(q + BLK + 5, true));
	EXPECT_EQ(0, byte_at(fd, BLK + 5));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(BLK / 512, st.st_blocks) TH_LOG("sealed, yet a hole was filled");
	/* The block that is there stays writable. */
	EXPECT_EQ(0, touch_in_child(p + 5, true));
	EXPECT_EQ(0x5a, byte_at(fd, 5));

	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_UNSEAL, POOL, NULL));
	p[BLK + 5] = 0x42;
	EXPECT_EQ(0x42, q[BLK + 5]) TH_LOG("a zero page outlived its hole");
	EXPECT_EQ(0x42, byte_at(fd, BLK + 5));
	q[BLK + 3 * 4096] = 0x43;
	EXPECT_EQ(0x43, p[BLK + 3 * 4096]);
	EXPECT_EQ(-1, nonzero(p + BLK + 6, 3 * 4096 - 6));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(2 * BLK / 512, st.st_blocks);
	munmap(p, 2 * BLK);
	munmap(q, 2 * BLK);
	close(fd);
}

/*
 * The same when the pool is full: reads of the hole are zero, writes
 * SIGBUS (write() ENOSPC), until a block is free.
 */
TEST_F_TIMEOUT(fs, hole_reads_zero_when_the_pool_is_full, 120)
{
	int one, fd, big;
	unsigned char *p;
	long avail;

	/* As in enospc_when_the_pool_is_full: "big" stays below the data size. */
	one = create_sized(self, "one", BLK);
	ASSERT_LE(0, one);
	close(one);
	fd = create_sized(self, "a", BLK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_pattern(fd, 0, BLK, 6));
	p = (unsigned char *)map_shared(fd, BLK, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				   0, BLK)));
	avail = fs_stat(self).f_bavail;
	big = create_sized(self, "big", (off_t)avail * BLK);
	ASSERT_LE(0, big) TH_LOG("%ld blocks: %s", avail, strerror(errno));
	ASSERT_EQ(0, fs_stat(self).f_bfree);

	EXPECT_EQ(0, touch_in_child(p + 100, false));
	EXPECT_EQ(-1, nonzero(p, BLK));
	EXPECT_EQ(SIGBUS, touch_in_child(p + 100, true));
	EXPECT_EQ(ENOSPC, ERR(pwrite(fd, "x", 1, 100)));

	ASSERT_EQ(0, ftruncate(big, (off_t)(avail - 1) * BLK));
	p[100] = 0x17;
	EXPECT_EQ(0x17, byte_at(fd, 100));
	EXPECT_EQ(0, fs_stat(self).f_bfree);
	munmap(p, BLK);
	close(big);
	close(fd);
}

/* ---- seal ---- */

TEST_F(fs, seal_refuses_metadata_changes)
{
	struct tnl_pool sealed;
	unsigned char *p;
	struct stat st;
	int fd, fd_b;

	fd = create_sized(self, "a", BLK + 100);
	ASSERT_LE(0, fd);
	p = (unsigned char *)map_shared(fd, 2 * BLK, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	fd_b = create(self, "b", 0644);
	ASSERT_LE(0, fd_b);
	close(fd_b);

	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_SEAL, POOL,
				  &sealed));
	ASSERT_EQ(0, tnl_pool_get(&self->nl, POOL, &sealed));
	EXPECT_EQ(VMPKRAM_POOL_SEALED, sealed.state);

	EXPECT_EQ(EROFS, ERR(create(self, "c", 0644)));
	EXPECT_EQ(EROFS, ERR(unlinkat(self->dfd, "b", 0)));
	EXPECT_EQ(EROFS, ERR(renameat(self->dfd, "a", self->dfd, "c")));
	EXPECT_EQ(EROFS, ERR(renameat(self->dfd, "a", self->dfd, "b")));
	EXPECT_EQ(EROFS, ERR(fchmodat(self->dfd, "a", 0600, 0)));
	EXPECT_EQ(EROFS, ERR(fchownat(self->dfd, "a", 1, 1, 0)));
	EXPECT_EQ(EROFS, ERR(ftruncate(fd, BLK)));
	EXPECT_EQ(EROFS, ERR(ftruncate(fd, 3 * BLK)));
	EXPECT_EQ(EROFS, ERR(fallocate(fd, 0, 0, 3 * BLK)));
	EXPECT_EQ(EROFS, ERR(pwrite(fd, "x", 1, BLK + 100)))
		TH_LOG("a write past EOF changes the size");
	EXPECT_EQ(EROFS, ERR(openat(self->dfd, "a", O_RDWR | O_TRUNC)));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(BLK + 100, st.st_size);
	EXPECT_TRUE(exists(self, "b"));
	EXPECT_FALSE(exists(self, "c"));

	/* Contents stay writable: write() inside the size, the mapping. */
	EXPECT_EQ(0, write_pattern(fd, BLK - 50, 150, 14));
	EXPECT_EQ(-1, mismatch(p + BLK - 50, 150, BLK - 50, 14));
	fill(p, 4096, 0, 15);
	EXPECT_EQ(-1, check_file(fd, 0, 4096, 15));
	EXPECT_EQ(0, fsync(fd));

	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_UNSEAL, POOL,
				  NULL));
	ASSERT_EQ(0, tnl_pool_get(&self->nl, POOL, &sealed));
	EXPECT_EQ(VMPKRAM_POOL_READY, sealed.state);
	EXPECT_EQ(0, ERR(ftruncate(fd, 3 * BLK)));
	EXPECT_EQ(0, ERR(fchmodat(self->dfd, "a", 0600, 0)));
	EXPECT_EQ(0, ERR(renameat(self->dfd, "a", self->dfd, "c")));
	EXPECT_EQ(0, ERR(unlinkat(self->dfd, "b", 0)));
	fd_b = create(self, "d", 0644);
	EXPECT_LE(0, fd_b);
	close(fd_b);
	munmap(p, 2 * BLK);
	close(fd);
}

TEST_HARNESS_MAIN
