// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink contract of the pool commands (see the uAPI header), path by
 * path: CAP_SYS_ADMIN for every command and dump, missing and malformed
 * attributes, unknown pools, every attach check (alignment, size, System
 * RAM, reservation, overlap, duplicate name), detach and re-attach, format
 * and detach of a mounted pool, seal/unseal and the command line the next
 * kernel needs, pool events, the pool and file dumps, and the check and
 * repair of a pool that is not damaged (pool_corrupt.sh damages pools).
 *
 * Runs as root in the test VM with the pools "test" and "small" (suite
 * "pool").  "test" belongs to the tests: it may be formatted.  "small" is
 * only detached and attached again; its contents are never written.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/vmpkram.h>

#include "kselftest_harness.h"
#include "vmpkram_test.h"
#include "../kmod/pool_layout.h"

#define BLK		VMPKRAM_POOL_BLOCK_SIZE
#define SZ_1M		(1ULL << 20)
#define SZ_1G		(1ULL << 30)
#define MNT_PREFIX	"/tmp/vmpkram-pool-nl."
#define SCRATCH		"nltest"	/* a pool a test attaches */
#define NO_POOL_HINT	"no pools \"test\" and \"small\": run in the VM suite " \
			"\"pool\" (vmpkram.pool=test:512M@0x40000000," \
			"small:64M@0x60000000 with memmap= for both)"

FIXTURE(pool) {
	struct tnl nl;
	struct tnl_pool test, small;	/* as found at setup */
	char dir[64];			/* a mount point, when used */
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

static int attach(struct tnl *nl, const char *name, __u64 base, __u64 size,
		  struct tnl_result *res)
{
	struct tnl_msg m;
	int ret;

	tnl_msg_init(&m, nl->family, 0, VMPKRAM_CMD_POOL_ATTACH);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, name);
	tnl_put_u64(&m, VMPKRAM_A_POOL_BASE, base);
	tnl_put_u64(&m, VMPKRAM_A_POOL_SIZE, size);
	ret = tnl_exec(nl, &m, NULL, NULL, res);
	return ret ? ret : res->error;
}

/* Bring @want back if a failed test left it detached. */
static void reattach(struct tnl *nl, const struct tnl_pool *want)
{
	struct tnl_result res = { 0 };

	if (want->size && tnl_pool_get(nl, want->name, NULL) == ENODEV)
		attach(nl, want->name, want->base, want->size, &res);
	tnl_result_clear(&res);
}

FIXTURE_SETUP(pool)
{
	int ret;

	self->nl.fd = -1;
	umount_stale();
	ret = tnl_open(&self->nl);
	ASSERT_EQ(0, ret) TH_LOG("genetlink family %s: %s", VMPKRAM_GENL_NAME,
				 strerror(-ret));
	ret = tnl_pool_get(&self->nl, "test", &self->test);
	if (!ret)
		ret = tnl_pool_get(&self->nl, "small", &self->small);
	if (ret) {
		ASSERT_EQ(ENODEV, ret);
		SKIP(return, NO_POOL_HINT);
	}
	tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_DETACH, SCRATCH, NULL);
	if (self->test.state == VMPKRAM_POOL_SEALED)
		ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_UNSEAL,
					  "test", NULL));
	if (self->small.state == VMPKRAM_POOL_SEALED)
		ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_UNSEAL,
					  "small", NULL));
	/* Every test starts with "test" READY and empty. */
	if ((self->test.state != VMPKRAM_POOL_READY &&
	     self->test.state != VMPKRAM_POOL_SEALED) || self->test.nr_files)
		ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_FORMAT,
					  "test", NULL));
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "test", &self->test));
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "small", &self->small));
	ASSERT_EQ(VMPKRAM_POOL_READY, self->test.state);
	ASSERT_EQ(0, self->test.mounted) TH_LOG("pool test is mounted elsewhere");
	ASSERT_EQ(0, self->test.nr_files);
}

FIXTURE_TEARDOWN(pool)
{
	if (self->dir[0]) {
		if (umount(self->dir))
			umount2(self->dir, MNT_DETACH);
		rmdir(self->dir);
	}
	tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_DETACH, SCRATCH, NULL);
	reattach(&self->nl, &self->test);
	reattach(&self->nl, &self->small);
	tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_UNSEAL, "test", NULL);
	if (self->small.state != VMPKRAM_POOL_SEALED)
		tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_UNSEAL, "small", NULL);
	tnl_close(&self->nl);
}

/* Mount pool "test" on a fresh directory. */
static int mount_test(FIXTURE_DATA(pool) *self)
{
	strcpy(self->dir, MNT_PREFIX "XXXXXX");
	if (!mkdtemp(self->dir))
		return errno;
	return mount("none", self->dir, VMPKRAMFS_NAME, 0, "pool=test") ?
	       errno : 0;
}

static int umount_test(FIXTURE_DATA(pool) *self)
{
	int ret = umount(self->dir) ? errno : 0;

	if (!ret) {
		rmdir(self->dir);
		self->dir[0] = '\0';
	}
	return ret;
}

/* A pool request with what the caller put in; the errno it ended with. */
static int send_req(struct tnl *nl, struct tnl_msg *m, struct tnl_result *res)
{
	int ret = tnl_exec(nl, m, NULL, NULL, res);

	return ret ? ret : res->error;
}

static int cmd_named(struct tnl *nl, __u8 cmd, __u16 flags, const char *name,
		     struct tnl_result *res)
{
	struct tnl_msg m;

	tnl_msg_init(&m, nl->family, flags, cmd);
	if (name)
		tnl_put_str(&m, VMPKRAM_A_POOL_NAME, name);
	return send_req(nl, &m, res);
}

/* ---- the pool dump ---- */

struct pool_list {
	int nr;
	struct tnl_pool p[16];
};

static void pool_list_cb(struct nlattr **tb, void *arg)
{
	struct pool_list *l = arg;

	if (l->nr < 16)
		tnl_pool_parse(tb, &l->p[l->nr]);
	l->nr++;
}

static int dump_pools(struct tnl *nl, struct pool_list *l)
{
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	int ret;

	memset(l, 0, sizeof(*l));
	tnl_msg_init(&m, nl->family, NLM_F_DUMP, VMPKRAM_CMD_POOL_GET);
	ret = tnl_exec(nl, &m, pool_list_cb, l, &res);
	if (!ret)
		ret = res.error;
	tnl_result_clear(&res);
	return ret;
}

static struct tnl_pool *find_pool(struct pool_list *l, const char *name)
{
	int i;

	for (i = 0; i < l->nr && i < 16; i++)
		if (!strcmp(l->p[i].name, name))
			return &l->p[i];
	return NULL;
}

/* Fields every pool reply must have right, whatever the state. */
static void check_pool(struct __test_metadata *_metadata,
		       const struct tnl_pool *p)
{
	bool usable = p->state == VMPKRAM_POOL_READY ||
		      p->state == VMPKRAM_POOL_SEALED;

	EXPECT_EQ(0, p->base % BLK) TH_LOG("%s", p->name);
	EXPECT_EQ(0, p->size % BLK);
	EXPECT_LE(VMPKRAM_POOL_MIN_SIZE, p->size);
	EXPECT_EQ(BLK, p->block_size);
	EXPECT_EQ(VMPKRAM_POOL_MAX_FILES, p->max_files);
	EXPECT_LE(VMPKRAM_POOL_UNFORMATTED, p->state);
	EXPECT_GE(VMPKRAM_POOL_SEALED, p->state);
	EXPECT_EQ(0, p->data_size % BLK);
	EXPECT_LT(0, p->data_size);
	EXPECT_GT(p->size, p->data_size) TH_LOG("metadata takes blocks");
	EXPECT_GE(1, p->mounted);
	if (!usable) {
		EXPECT_LT(0, strlen(p->reason)) TH_LOG("%s: no reason", p->name);
		return;
	}
	EXPECT_EQ(0, p->reason[0]) TH_LOG("%s: %s", p->name, p->reason);
	EXPECT_TRUE(p->has_uuid);
	EXPECT_LT(0, p->generation);
	EXPECT_EQ(p->data_size, p->used + p->free);
	EXPECT_EQ(0, p->used % BLK);
	EXPECT_GE(p->free, p->largest_free);
	EXPECT_GE(p->free, p->scrub_pending);
	EXPECT_GE(VMPKRAM_POOL_MAX_FILES, p->nr_files);
}

TEST_F(pool, dump_lists_every_pool)
{
	struct tnl_result res = { 0 };
	struct pool_list l;
	struct tnl_pool *t, *s;
	struct tnl_msg m;
	int i;

	ASSERT_EQ(0, dump_pools(&self->nl, &l));
	ASSERT_LE(2, l.nr);
	ASSERT_GE(16, l.nr);
	t = find_pool(&l, "test");
	s = find_pool(&l, "small");
	ASSERT_NE(NULL, t);
	ASSERT_NE(NULL, s);
	for (i = 0; i < l.nr; i++)
		check_pool(_metadata, &l.p[i]);

	/* As the suite's command line gives them. */
	EXPECT_EQ(0x40000000, t->base);
	EXPECT_EQ(512 * SZ_1M, t->size);
	EXPECT_EQ(0x60000000, s->base);
	EXPECT_EQ(64 * SZ_1M, s->size);

	/* The status counts them, and says what the module can do. */
	tnl_msg_init(&m, self->nl.family, 0, VMPKRAM_CMD_GET_STATUS);
	ASSERT_EQ(0, send_req(&self->nl, &m, &res));
	ASSERT_NE(NULL, res.tb[VMPKRAM_A_NR_POOLS]);
	EXPECT_EQ(l.nr, tnl_u32(res.tb[VMPKRAM_A_NR_POOLS]));
	ASSERT_NE(NULL, res.tb[VMPKRAM_A_FEATURES]);
	EXPECT_TRUE(tnl_u64(res.tb[VMPKRAM_A_FEATURES]) & VMPKRAM_FEATURE_POOL);
	EXPECT_TRUE(tnl_u64(res.tb[VMPKRAM_A_FEATURES]) &
		    VMPKRAM_FEATURE_VMPKRAMFS);
	EXPECT_EQ(VMPKRAM_API_VERSION, tnl_u32(res.tb[VMPKRAM_A_API_VERSION]));
	tnl_result_clear(&res);
}

TEST_F(pool, get_matches_dump)
{
	struct tnl_pool got, *d;
	struct pool_list l;

	ASSERT_EQ(0, tnl_pool_get(&self->nl, "test", &got));
	ASSERT_EQ(0, dump_pools(&self->nl, &l));
	d = find_pool(&l, "test");
	ASSERT_NE(NULL, d);
	EXPECT_STREQ("test", got.name);
	EXPECT_EQ(d->base, got.base);
	EXPECT_EQ(d->size, got.size);
	EXPECT_EQ(d->state, got.state);
	EXPECT_EQ(d->generation, got.generation);
	EXPECT_EQ(0, memcmp(d->uuid, got.uuid, 16));
	EXPECT_EQ(d->data_size, got.data_size);
	EXPECT_EQ(d->nr_files, got.nr_files);
	EXPECT_EQ(d->used, got.used);
	check_pool(_metadata, &got);
}

/* ---- request validation ---- */

TEST_F(pool, missing_pool_name_is_einval)
{
	static const __u8 cmds[] = {
		VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_DETACH,
		VMPKRAM_CMD_POOL_FORMAT, VMPKRAM_CMD_POOL_CHECK,
		VMPKRAM_CMD_POOL_REPAIR,
	};
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(EINVAL, cmd_named(&self->nl, cmds[i], 0, NULL, &res))
			TH_LOG("command %u", cmds[i]);
		EXPECT_EQ(VMPKRAM_A_POOL_NAME, res.miss_type)
			TH_LOG("command %u", cmds[i]);
	}

	/* GET_FILES is a dump: the error comes with its DONE message. */
	EXPECT_EQ(EINVAL, cmd_named(&self->nl, VMPKRAM_CMD_GET_FILES,
				    NLM_F_DUMP, NULL, &res));
	EXPECT_EQ(0, res.replies);

	/* Attach needs all three. */
	tnl_msg_init(&m, self->nl.family, 0, VMPKRAM_CMD_POOL_ATTACH);
	tnl_put_u64(&m, VMPKRAM_A_POOL_BASE, self->small.base);
	tnl_put_u64(&m, VMPKRAM_A_POOL_SIZE, self->small.size);
	EXPECT_EQ(EINVAL, send_req(&self->nl, &m, &res));
	EXPECT_EQ(VMPKRAM_A_POOL_NAME, res.miss_type);
	tnl_msg_init(&m, self->nl.family, 0, VMPKRAM_CMD_POOL_ATTACH);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, SCRATCH);
	tnl_put_u64(&m, VMPKRAM_A_POOL_SIZE, self->small.size);
	EXPECT_EQ(EINVAL, send_req(&self->nl, &m, &res));
	EXPECT_EQ(VMPKRAM_A_POOL_BASE, res.miss_type);
	tnl_msg_init(&m, self->nl.family, 0, VMPKRAM_CMD_POOL_ATTACH);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, SCRATCH);
	tnl_put_u64(&m, VMPKRAM_A_POOL_BASE, self->small.base);
	EXPECT_EQ(EINVAL, send_req(&self->nl, &m, &res));
	EXPECT_EQ(VMPKRAM_A_POOL_SIZE, res.miss_type);
	tnl_result_clear(&res);
}

TEST_F(pool, unknown_pool_is_enodev)
{
	static const __u8 cmds[] = {
		VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_DETACH,
		VMPKRAM_CMD_POOL_FORMAT, VMPKRAM_CMD_POOL_SEAL,
		VMPKRAM_CMD_POOL_UNSEAL, VMPKRAM_CMD_POOL_CHECK,
		VMPKRAM_CMD_POOL_REPAIR,
	};
	struct tnl_result res = { 0 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(ENODEV, cmd_named(&self->nl, cmds[i], 0, "no-such-pool",
					    &res)) TH_LOG("command %u", cmds[i]);
		EXPECT_LT(0, strlen(res.msg)) TH_LOG("command %u", cmds[i]);
	}
	EXPECT_EQ(ENODEV, cmd_named(&self->nl, VMPKRAM_CMD_GET_FILES,
				    NLM_F_DUMP, "no-such-pool", &res));
	EXPECT_EQ(0, res.replies);
	/* A name that could not exist is not found either. */
	EXPECT_EQ(ENODEV, cmd_named(&self->nl, VMPKRAM_CMD_POOL_GET, 0,
				    "bad name/", &res));
	tnl_result_clear(&res);
}

/* A name attribute with @len raw bytes (no NUL added). */
static int attach_raw_name(struct tnl *nl, const char *name, int len,
			   __u64 base, __u64 size, struct tnl_result *res)
{
	struct tnl_msg m;

	tnl_msg_init(&m, nl->family, 0, VMPKRAM_CMD_POOL_ATTACH);
	tnl_put(&m, VMPKRAM_A_POOL_NAME, name, len);
	tnl_put_u64(&m, VMPKRAM_A_POOL_BASE, base);
	tnl_put_u64(&m, VMPKRAM_A_POOL_SIZE, size);
	return send_req(nl, &m, res);
}

TEST_F(pool, bad_names_are_rejected)
{
	static const char *const bad[] = {
		"", "a b", "a/b", "a.b", "a:b", "a,b", "tab\t", "\xc3\xa4",
		"\xe9t\xe9",	/* Latin-1, which the kernel's isalnum() takes */
	};
	char name[VMPKRAM_POOL_NAME_MAX + 2];
	struct tnl_result res = { 0 };
	struct pool_list l;
	unsigned int i;
	struct tnl_msg m;

	/* Checked before the range: any range gives the name's error. */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EINVAL, attach(&self->nl, bad[i], self->small.base,
					 self->small.size, &res))
			TH_LOG("name \"%s\"", bad[i]);
		EXPECT_LT(0, strlen(res.msg)) TH_LOG("name \"%s\"", bad[i]);
	}

	/* Too long, or not a NUL-terminated string: the policy's EINVAL. */
	memset(name, 'n', sizeof(name));
	name[VMPKRAM_POOL_NAME_MAX + 1] = '\0';
	EXPECT_EQ(EINVAL, attach(&self->nl, name, self->small.base,
				 self->small.size, &res));
	EXPECT_LT(0, res.offs) TH_LOG("extack points at the name");
	EXPECT_LT(0, strlen(res.msg));
	EXPECT_EQ(EINVAL, cmd_named(&self->nl, VMPKRAM_CMD_POOL_GET, 0, name,
				    &res));
	EXPECT_LT(0, res.offs);
	EXPECT_EQ(EINVAL, attach_raw_name(&self->nl, "abc", 3, self->small.base,
					  self->small.size, &res));
	EXPECT_LT(0, res.offs);
	EXPECT_EQ(EINVAL, attach_raw_name(&self->nl, "", 0, self->small.base,
					  self->small.size, &res));

	/* The longest name is fine as far as names go (ENODEV: not there). */
	name[VMPKRAM_POOL_NAME_MAX] = '\0';
	EXPECT_EQ(ENODEV, cmd_named(&self->nl, VMPKRAM_CMD_POOL_GET, 0, name,
				    &res));

	/* Wrong types and attributes a command does not take. */
	tnl_msg_init(&m, self->nl.family, 0, VMPKRAM_CMD_POOL_ATTACH);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, SCRATCH);
	tnl_put_u32(&m, VMPKRAM_A_POOL_BASE, (__u32)self->small.base);
	tnl_put_u64(&m, VMPKRAM_A_POOL_SIZE, self->small.size);
	EXPECT_EQ(EINVAL, send_req(&self->nl, &m, &res));
	EXPECT_LT(0, res.offs);
	tnl_msg_init(&m, self->nl.family, 0, VMPKRAM_CMD_POOL_GET);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, "test");
	tnl_put_u64(&m, VMPKRAM_A_POOL_BASE, self->test.base);
	EXPECT_EQ(EINVAL, send_req(&self->nl, &m, &res));
	tnl_msg_init(&m, self->nl.family, 0, VMPKRAM_CMD_POOL_SEAL);
	tnl_put_u32(&m, VMPKRAM_A_MAX_WORKERS, 1);
	EXPECT_EQ(EINVAL, send_req(&self->nl, &m, &res));
	tnl_msg_init(&m, self->nl.family, 0, VMPKRAM_CMD_POOL_GET);
	tnl_put_str(&m, VMPKRAM_A_MAX + 1, "x");
	EXPECT_EQ(EINVAL, send_req(&self->nl, &m, &res));
	tnl_msg_init(&m, self->nl.family, 0, VMPKRAM_CMD_POOL_CHECK);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, "test");
	tnl_put_u32(&m, VMPKRAM_A_REPAIR_SLOT, 0);
	EXPECT_EQ(EINVAL, send_req(&self->nl, &m, &res));
	EXPECT_LT(0, res.offs);
	EXPECT_LT(0, strlen(res.msg));
	tnl_msg_init(&m, self->nl.family, 0, VMPKRAM_CMD_POOL_REPAIR);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, "test");
	tnl_put_u32(&m, VMPKRAM_A_REPAIR_ACTION, VMPKRAM_REPAIR_SALVAGE);
	EXPECT_EQ(EINVAL, send_req(&self->nl, &m, &res));
	EXPECT_LT(0, res.offs);

	/* Nothing was attached by any of these. */
	ASSERT_EQ(0, dump_pools(&self->nl, &l));
	for (i = 0; i < (unsigned int)l.nr && i < 16; i++)
		EXPECT_TRUE(!strcmp(l.p[i].name, "test") ||
			    !strcmp(l.p[i].name, "small"))
			TH_LOG("stray pool \"%s\"", l.p[i].name);
	tnl_result_clear(&res);
}

TEST_F(pool, notification_and_unknown_requests_are_rejected)
{
	struct tnl_result res = { 0 };

	EXPECT_EQ(EOPNOTSUPP, cmd_named(&self->nl, VMPKRAM_CMD_POOL_NTF, 0,
					"test", &res));
	/* GET_FILES has no doit, ATTACH no dump. */
	EXPECT_EQ(EOPNOTSUPP, cmd_named(&self->nl, VMPKRAM_CMD_GET_FILES, 0,
					"test", &res));
	EXPECT_EQ(EOPNOTSUPP, cmd_named(&self->nl, VMPKRAM_CMD_POOL_ATTACH,
					NLM_F_DUMP, "x", &res));
	tnl_result_clear(&res);
}

/* ---- permissions ---- */

static __u8 g_cmd;
static __u16 g_flags;
static const char *g_name;
static __u64 g_base, g_size;

/* One request as nobody: its errno; EBADMSG if refused without a reason. */
static int user_request(void)
{
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	struct tnl nl;
	int ret;

	if (tnl_open(&nl))
		return ENOTCONN;
	tnl_msg_init(&m, nl.family, g_flags, g_cmd);
	if (g_name)
		tnl_put_str(&m, VMPKRAM_A_POOL_NAME, g_name);
	if (g_size) {
		tnl_put_u64(&m, VMPKRAM_A_POOL_BASE, g_base);
		tnl_put_u64(&m, VMPKRAM_A_POOL_SIZE, g_size);
	}
	ret = tnl_exec(&nl, &m, NULL, NULL, &res);
	if (ret)
		ret = EIO;
	else if (res.error == EPERM && !strstr(res.msg, "CAP_SYS_ADMIN") &&
		 (!(g_flags & NLM_F_DUMP) || res.msg[0]))
		ret = EBADMSG;	/* 6.1 drops a dump start's extack */
	else
		ret = res.error ? res.error : (res.replies ? 0 : ENODATA);
	tnl_result_clear(&res);
	tnl_close(&nl);
	return ret;
}

static int as_user(__u8 cmd, __u16 flags, const char *name, __u64 base,
		   __u64 size)
{
	g_cmd = cmd;
	g_flags = flags;
	g_name = name;
	g_base = base;
	g_size = size;
	return run_unprivileged(user_request);
}

TEST_F(pool, unprivileged_is_eperm)
{
	struct tnl_pool t, s;

	EXPECT_EQ(EPERM, as_user(VMPKRAM_CMD_POOL_GET, 0, "test", 0, 0));
	EXPECT_EQ(EPERM, as_user(VMPKRAM_CMD_POOL_GET, NLM_F_DUMP, NULL, 0, 0));
	EXPECT_EQ(EPERM, as_user(VMPKRAM_CMD_GET_FILES, NLM_F_DUMP, "test", 0,
				 0));
	EXPECT_EQ(EPERM, as_user(VMPKRAM_CMD_POOL_ATTACH, 0, SCRATCH,
				 self->small.base, self->small.size));
	EXPECT_EQ(EPERM, as_user(VMPKRAM_CMD_POOL_DETACH, 0, "small", 0, 0));
	EXPECT_EQ(EPERM, as_user(VMPKRAM_CMD_POOL_FORMAT, 0, "test", 0, 0));
	EXPECT_EQ(EPERM, as_user(VMPKRAM_CMD_POOL_SEAL, 0, "test", 0, 0));
	EXPECT_EQ(EPERM, as_user(VMPKRAM_CMD_POOL_SEAL, 0, NULL, 0, 0));
	EXPECT_EQ(EPERM, as_user(VMPKRAM_CMD_POOL_UNSEAL, 0, NULL, 0, 0));
	EXPECT_EQ(EPERM, as_user(VMPKRAM_CMD_POOL_CHECK, 0, "test", 0, 0));
	EXPECT_EQ(EPERM, as_user(VMPKRAM_CMD_POOL_REPAIR, 0, "test", 0, 0));
	EXPECT_EQ(EPERM, as_user(VMPKRAM_CMD_POOL_REPAIR, 0, "no-such-pool", 0,
				 0));
	/* Refused before the pool is even looked up. */
	EXPECT_EQ(EPERM, as_user(VMPKRAM_CMD_POOL_GET, 0, "no-such-pool", 0, 0));

	/* Nothing changed. */
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "test", &t));
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "small", &s));
	EXPECT_EQ(self->test.generation, t.generation);
	EXPECT_EQ(0, memcmp(self->test.uuid, t.uuid, 16));
	EXPECT_EQ(VMPKRAM_POOL_READY, t.state);
	EXPECT_EQ(self->small.state, s.state);
	EXPECT_EQ(ENODEV, tnl_pool_get(&self->nl, SCRATCH, NULL));
}

/* ---- attach ---- */

/* A top-level /proc/iomem entry. */
struct iomem_range {
	unsigned long long start, end;	/* inclusive */
	char name[64];
};

static int read_iomem(struct iomem_range *r, int max)
{
	FILE *f = fopen("/proc/iomem", "r");
	char line[256];
	int n = 0, off;

	while (f && n < max && fgets(line, sizeof(line), f)) {
		if (line[0] == ' ')
			continue;	/* nested */
		if (sscanf(line, "%llx-%llx : %n", &r[n].start,
			   &r[n].end, &off) != 2)
			continue;
		snprintf(r[n].name, sizeof(r[n].name), "%s", line + off);
		r[n].name[strcspn(r[n].name, "\n")] = '\0';
		n++;
	}
	if (f)
		fclose(f);
	return n;
}

/* Whether some line of /proc/iomem names @name (the claim of a pool). */
static bool iomem_names(const char *name)
{
	FILE *f = fopen("/proc/iomem", "r");
	char line[256], want[64];
	bool found = false;

	snprintf(want, sizeof(want), ": %s\n", name);
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, want) ||
			(strstr(line, "vmpkram pool ") &&
			 !strcmp(strstr(line, "vmpkram pool ") + 13, want + 2));
	if (f)
		fclose(f);
	return found;
}

/* 64 MiB of System RAM, 2 MiB aligned, above 1 GiB; 0 if none. */
static __u64 ram_range(struct iomem_range *r, int n)
{
	__u64 start;
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(r[i].name, "System RAM"))
			continue;
		start = (r[i].start + BLK - 1) & ~(BLK - 1);
		if (start < SZ_1G)
			start = SZ_1G;
		if (start + 64 * SZ_1M - 1 <= r[i].end)
			return start;
	}
	return 0;
}

/* Whether [start, start + len) touches any top-level entry. */
static bool iomem_touches(struct iomem_range *r, int n, __u64 start, __u64 len)
{
	int i;

	for (i = 0; i < n; i++)
		if (start <= r[i].end && r[i].start < start + len &&
		    (!strcmp(r[i].name, "System RAM") ||
		     !strcmp(r[i].name, "Reserved")))
			return true;
	return false;
}

TEST_F(pool, attach_checks_the_range)
{
	struct tnl_result res = { 0 };
	struct iomem_range io[128];
	__u64 ram, none = 0x200000000ULL;
	struct pool_list before, after;
	int n = read_iomem(io, 128);

	ASSERT_LT(0, n);
	ram = ram_range(io, n);
	ASSERT_NE(0, ram) TH_LOG("no System RAM above 1 GiB in /proc/iomem");
	while (iomem_touches(io, n, none, 64 * SZ_1M))
		none += SZ_1G;
	ASSERT_EQ(0, dump_pools(&self->nl, &before));

#define EXPECT_ATTACH(err, base, size) do {				\
	EXPECT_EQ(err, attach(&self->nl, SCRATCH, base, size, &res))	\
		TH_LOG("%#llx@%#llx: %s", (unsigned long long)(size),	\
		       (unsigned long long)(base), res.msg);		\
	EXPECT_LT(0, strlen(res.msg));					\
} while (0)

	/* Alignment and size. */
	EXPECT_ATTACH(EINVAL, self->small.base + SZ_1M, 4 * SZ_1M);
	EXPECT_ATTACH(EINVAL, self->small.base, 5 * SZ_1M);
	EXPECT_ATTACH(EINVAL, self->small.base + 4096, 64 * SZ_1M + 4096);
	EXPECT_ATTACH(EINVAL, self->small.base, BLK);
	EXPECT_ATTACH(EINVAL, self->small.base, 0);
	EXPECT_ATTACH(EINVAL, 0, VMPKRAM_POOL_MAX_SIZE + BLK);
	EXPECT_ATTACH(EINVAL, ~0ULL - BLK + 1, 4 * SZ_1M);
	/* Another pool's range, or part of it. */
	EXPECT_ATTACH(EBUSY, self->test.base, self->test.size);
	EXPECT_ATTACH(EBUSY, self->test.base + 64 * SZ_1M, 64 * SZ_1M);
	EXPECT_ATTACH(EBUSY, self->small.base + self->small.size - BLK,
		      4 * SZ_1M);
	/* RAM the kernel manages, and memory nobody reserved. */
	EXPECT_ATTACH(EADDRNOTAVAIL, ram, 64 * SZ_1M);
	EXPECT_ATTACH(EADDRNOTAVAIL, none, 64 * SZ_1M);
	EXPECT_NE(NULL, strstr(res.msg, "memmap=")) TH_LOG("%s", res.msg);
#undef EXPECT_ATTACH

	/* A duplicate name, whatever the range. */
	EXPECT_EQ(EEXIST, attach(&self->nl, "test", none, 64 * SZ_1M, &res));
	EXPECT_LT(0, strlen(res.msg));

	ASSERT_EQ(0, dump_pools(&self->nl, &after));
	EXPECT_EQ(before.nr, after.nr) TH_LOG("a failed attach left a pool");
	EXPECT_FALSE(iomem_names(SCRATCH));
	tnl_result_clear(&res);
}

/* What attach and detach events said. */
struct seen_ev {
	const char *name;
	__u32 event;
	struct tnl_pool p;
};

static bool match_event(struct nlattr **tb, void *arg)
{
	struct seen_ev *want = arg;
	struct tnl_pool p;

	tnl_pool_parse(tb, &p);
	if (strcmp(p.name, want->name) || p.event != want->event)
		return false;
	want->p = p;
	return true;
}

static bool wait_event(struct tnl *ev, const char *name, __u32 event,
		       struct tnl_pool *p)
{
	struct seen_ev want = { .name = name, .event = event };

	if (!tnl_wait_event(ev, VMPKRAM_CMD_POOL_NTF, 2000, match_event, &want))
		return false;
	if (p)
		*p = want.p;
	return true;
}

/*
 * "small" goes and comes back as it was: adopted with its identity if it
 * was formatted, in the same state otherwise.  Meanwhile its range is
 * free for a pool of another name, but not for a second "test".
 */
TEST_F(pool, detach_and_attach_small)
{
	struct tnl_pool after, scratch, evp;
	struct tnl_result res = { 0 };
	struct tnl ev;

	ASSERT_EQ(0, tnl_open(&ev));
	ASSERT_EQ(0, tnl_subscribe(&ev));
	EXPECT_TRUE(iomem_names("small"));

	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_DETACH, "small",
				  NULL));
	EXPECT_TRUE(wait_event(&ev, "small", VMPKRAM_POOL_EV_DETACHED, &evp));
	EXPECT_EQ(self->small.size, evp.size);
	EXPECT_FALSE(evp.has_base) TH_LOG("events carry no address");
	EXPECT_EQ(ENODEV, tnl_pool_get(&self->nl, "small", NULL));
	EXPECT_FALSE(iomem_names("small")) TH_LOG("the range is released");
	EXPECT_EQ(ENODEV, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_DETACH,
				       "small", NULL));

	EXPECT_EQ(EEXIST, attach(&self->nl, "test", self->small.base,
				 self->small.size, &res));

	/* Half of it under another name: a mismatch at best, never usable. */
	ASSERT_EQ(0, attach(&self->nl, SCRATCH, self->small.base,
			    self->small.size / 2, &res));
	ASSERT_NE(NULL, res.reply);
	tnl_pool_parse(res.tb, &scratch);
	EXPECT_STREQ(SCRATCH, scratch.name);
	EXPECT_EQ(self->small.base, scratch.base);
	EXPECT_EQ(self->small.size / 2, scratch.size);
	EXPECT_EQ(self->small.state == VMPKRAM_POOL_UNFORMATTED ?
		  VMPKRAM_POOL_UNFORMATTED : VMPKRAM_POOL_DAMAGED, scratch.state)
		TH_LOG("%s", scratch.reason);
	EXPECT_LT(0, strlen(scratch.reason));
	EXPECT_TRUE(wait_event(&ev, SCRATCH, VMPKRAM_POOL_EV_ATTACHED, NULL));
	EXPECT_EQ(EUCLEAN, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_SEAL,
					SCRATCH, NULL));
	EXPECT_EQ(EUCLEAN, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_UNSEAL,
					SCRATCH, NULL));
	strcpy(self->dir, MNT_PREFIX "XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	EXPECT_EQ(-1, mount("none", self->dir, VMPKRAMFS_NAME, 0,
			    "pool=" SCRATCH));
	EXPECT_EQ(EUCLEAN, errno);
	rmdir(self->dir);
	self->dir[0] = '\0';
	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_DETACH, SCRATCH,
				  NULL));

	ASSERT_EQ(0, attach(&self->nl, "small", self->small.base,
			    self->small.size, &res));
	ASSERT_NE(NULL, res.reply);
	tnl_pool_parse(res.tb, &after);
	EXPECT_TRUE(wait_event(&ev, "small", VMPKRAM_POOL_EV_ATTACHED, &evp));
	EXPECT_EQ(after.state, evp.state);
	EXPECT_FALSE(evp.has_base);
	EXPECT_TRUE(after.has_base) TH_LOG("the attach reply has it");
	EXPECT_TRUE(iomem_names("small"));
	check_pool(_metadata, &after);
	if (self->small.state == VMPKRAM_POOL_READY) {
		EXPECT_EQ(VMPKRAM_POOL_READY, after.state) TH_LOG("%s",
								  after.reason);
		EXPECT_EQ(0, memcmp(self->small.uuid, after.uuid, 16));
		EXPECT_LT(self->small.generation, after.generation);
		EXPECT_EQ(self->small.nr_files, after.nr_files);
		EXPECT_EQ(self->small.used, after.used);
	} else {
		EXPECT_EQ(self->small.state, after.state);
		EXPECT_STREQ(self->small.reason, after.reason);
	}
	tnl_result_clear(&res);
	tnl_close(&ev);
}

/* "test" with a file: detach waits for scrubbing and records CLEAN. */
TEST_F_TIMEOUT(pool, detach_and_attach_keeps_files, 120)
{
	struct tnl_result res = { 0 };
	struct tnl_files *files = malloc(sizeof(*files));
	struct tnl_pool before, after;
	struct tnl_file *f;
	char path[128];
	int fd;

	ASSERT_NE(NULL, files);
	ASSERT_EQ(0, mount_test(self));
	snprintf(path, sizeof(path), "%s/kept", self->dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, write(fd, "kept\n", 5));
	close(fd);
	/* Freed blocks to scrub while the pool goes. */
	snprintf(path, sizeof(path), "%s/freed", self->dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, self->test.data_size - 2 * BLK));
	close(fd);
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, umount_test(self));
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "test", &before));

	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_DETACH, "test",
				  NULL));
	ASSERT_EQ(0, attach(&self->nl, "test", self->test.base,
			    self->test.size, &res));
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "test", &after));
	EXPECT_EQ(VMPKRAM_POOL_READY, after.state) TH_LOG("%s", after.reason);
	EXPECT_EQ(0, memcmp(before.uuid, after.uuid, 16));
	EXPECT_LT(before.generation, after.generation);
	EXPECT_EQ(1, after.clean) TH_LOG("detach waits for scrubbing");
	EXPECT_EQ(0, after.scrub_pending);
	EXPECT_EQ(1, after.nr_files);
	EXPECT_EQ(BLK, after.used);

	ASSERT_EQ(0, tnl_get_files(&self->nl, "test", files));
	f = tnl_find_file(files, "kept");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(5, f->size);
	EXPECT_EQ(S_IFREG | 0640, f->mode);
	tnl_result_clear(&res);
	free(files);
}

/* ---- format, mounted pools ---- */

TEST_F_TIMEOUT(pool, format_and_detach_of_a_mounted_pool_are_ebusy, 120)
{
	struct tnl_result res = { 0 };
	struct tnl_pool p, ntf;
	struct tnl ev;
	int fd;
	char path[128];

	ASSERT_EQ(0, tnl_open(&ev));
	ASSERT_EQ(0, tnl_subscribe(&ev));
	ASSERT_EQ(0, mount_test(self));
	snprintf(path, sizeof(path), "%s/f", self->dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 3 * BLK));
	close(fd);
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "test", &p));
	EXPECT_EQ(1, p.mounted);

	EXPECT_EQ(EBUSY, cmd_named(&self->nl, VMPKRAM_CMD_POOL_FORMAT, 0,
				   "test", &res));
	EXPECT_NE(NULL, strstr(res.msg, "mount")) TH_LOG("%s", res.msg);
	EXPECT_EQ(EBUSY, cmd_named(&self->nl, VMPKRAM_CMD_POOL_DETACH, 0,
				   "test", &res));
	EXPECT_NE(NULL, strstr(res.msg, "mount")) TH_LOG("%s", res.msg);
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "test", &p));
	EXPECT_EQ(VMPKRAM_POOL_READY, p.state);
	EXPECT_EQ(1, p.nr_files);
	EXPECT_EQ(0, memcmp(self->test.uuid, p.uuid, 16));
	EXPECT_EQ(0, access(path, F_OK));

	/* Unmounted: format empties it, with a new identity, and says so. */
	ASSERT_EQ(0, umount_test(self));
	ASSERT_EQ(0, cmd_named(&self->nl, VMPKRAM_CMD_POOL_FORMAT, 0, "test",
			       &res));
	ASSERT_NE(NULL, res.reply);
	tnl_pool_parse(res.tb, &p);
	EXPECT_EQ(VMPKRAM_POOL_READY, p.state);
	EXPECT_EQ(0, p.nr_files);
	EXPECT_EQ(0, p.used);
	EXPECT_EQ(p.data_size, p.free);
	EXPECT_NE(0, memcmp(self->test.uuid, p.uuid, 16));
	check_pool(_metadata, &p);
	EXPECT_TRUE(wait_event(&ev, "test", VMPKRAM_POOL_EV_FORMATTED, &ntf));
	EXPECT_EQ(0, memcmp(p.uuid, ntf.uuid, 16));
	tnl_result_clear(&res);
	tnl_close(&ev);
}

/* ---- seal ---- */

/* How many words of @cmdline are exactly @word. */
static int count_word(const char *cmdline, const char *word)
{
	size_t len = strlen(word);
	const char *p = cmdline;
	int n = 0;

	while ((p = strstr(p, word))) {
		if ((p == cmdline || p[-1] == ' ') &&
		    (p[len] == ' ' || !p[len]))
			n++;
		p += len;
	}
	return n;
}

static int count_substr(const char *s, const char *sub)
{
	int n = 0;

	while ((s = strstr(s, sub))) {
		n++;
		s += strlen(sub);
	}
	return n;
}

/* The value of the first vmpkram.pool= word, or NULL. */
static const char *pool_param(const char *cmdline, char *buf, size_t len)
{
	const char *p = strstr(cmdline, "vmpkram.pool=");

	if (!p)
		return NULL;
	snprintf(buf, len, "%s", p + strlen("vmpkram.pool="));
	buf[strcspn(buf, " ")] = '\0';
	return buf;
}

/* Whether the comma-separated @list has @entry. */
static bool has_entry(const char *list, const char *entry)
{
	size_t len = strlen(entry);
	const char *p = list;

	while ((p = strstr(p, entry))) {
		if ((p == list || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

static void expect_pool_args(struct __test_metadata *_metadata,
			     const char *cmdline, const struct tnl_pool *p)
{
	char memmap[64], entry[96], buf[512];
	const char *list;

	snprintf(memmap, sizeof(memmap), "memmap=%lluM$%#llx",
		 (unsigned long long)(p->size >> 20),
		 (unsigned long long)p->base);
	snprintf(entry, sizeof(entry), "%s:%lluM@%#llx", p->name,
		 (unsigned long long)(p->size >> 20),
		 (unsigned long long)p->base);
	EXPECT_EQ(1, count_word(cmdline, memmap)) TH_LOG("%s in \"%s\"",
							 memmap, cmdline);
	list = pool_param(cmdline, buf, sizeof(buf));
	ASSERT_NE(NULL, list) TH_LOG("%s", cmdline);
	EXPECT_TRUE(has_entry(list, entry)) TH_LOG("%s in \"%s\"", entry,
						   cmdline);
}

TEST_F_TIMEOUT(pool, seal_returns_the_command_line, 120)
{
	struct tnl_result res = { 0 };
	struct timespec now;
	struct tnl_pool p;
	const char *cmdline;

	/* One pool. */
	ASSERT_EQ(0, cmd_named(&self->nl, VMPKRAM_CMD_POOL_SEAL, 0, "test",
			       &res));
	ASSERT_NE(NULL, res.tb[VMPKRAM_A_POOL_CMDLINE]);
	cmdline = tnl_str(res.tb[VMPKRAM_A_POOL_CMDLINE]);
	TH_LOG("seal test: %s", cmdline);
	expect_pool_args(_metadata, cmdline, &self->test);
	EXPECT_EQ(NULL, strstr(cmdline, "small"));
	EXPECT_EQ(1, count_substr(cmdline, "memmap="));
	EXPECT_EQ(1, count_substr(cmdline, "vmpkram.pool="));
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "test", &p));
	EXPECT_EQ(VMPKRAM_POOL_SEALED, p.state);
	EXPECT_EQ(0, p.scrub_pending) TH_LOG("seal waits for scrubbing");
	clock_gettime(CLOCK_REALTIME, &now);
	EXPECT_GE((__u64)now.tv_sec * 1000000000ULL + now.tv_nsec, p.seal_time);
	EXPECT_LE((__u64)(now.tv_sec - 120) * 1000000000ULL, p.seal_time);
	EXPECT_LT(self->test.generation, p.generation);
	/* Sealing again is no error; the seal stands. */
	EXPECT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_SEAL, "test",
				  NULL));

	/* Every pool, whatever its state: one vmpkram.pool= with all. */
	ASSERT_EQ(0, cmd_named(&self->nl, VMPKRAM_CMD_POOL_SEAL, 0, NULL,
			       &res));
	ASSERT_NE(NULL, res.tb[VMPKRAM_A_POOL_CMDLINE]);
	cmdline = tnl_str(res.tb[VMPKRAM_A_POOL_CMDLINE]);
	TH_LOG("seal all: %s", cmdline);
	expect_pool_args(_metadata, cmdline, &self->test);
	expect_pool_args(_metadata, cmdline, &self->small);
	EXPECT_EQ(2, count_substr(cmdline, "memmap="));
	EXPECT_EQ(1, count_substr(cmdline, "vmpkram.pool="))
		TH_LOG("a later vmpkram.pool= replaces an earlier one");

	/* Unseal all; again is no error. */
	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_UNSEAL, NULL,
				  NULL));
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "test", &p));
	EXPECT_EQ(VMPKRAM_POOL_READY, p.state);
	EXPECT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_UNSEAL, "test",
				  NULL));
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "small", &p));
	EXPECT_EQ(self->small.state, p.state);
	tnl_result_clear(&res);
}

TEST_F_TIMEOUT(pool, events_on_seal_unseal_format, 120)
{
	struct tnl_pool p;
	struct tnl ev;

	ASSERT_EQ(0, tnl_open(&ev));
	ASSERT_EQ(0, tnl_subscribe(&ev));

	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_SEAL, "test",
				  NULL));
	ASSERT_TRUE(wait_event(&ev, "test", VMPKRAM_POOL_EV_SEALED, &p));
	EXPECT_EQ(VMPKRAM_POOL_SEALED, p.state);
	EXPECT_FALSE(p.has_base) TH_LOG("events carry no address");
	EXPECT_EQ(self->test.size, p.size);
	EXPECT_LT(0, p.seal_time);

	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_UNSEAL, "test",
				  NULL));
	ASSERT_TRUE(wait_event(&ev, "test", VMPKRAM_POOL_EV_UNSEALED, &p));
	EXPECT_EQ(VMPKRAM_POOL_READY, p.state);

	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_FORMAT, "test",
				  NULL));
	ASSERT_TRUE(wait_event(&ev, "test", VMPKRAM_POOL_EV_FORMATTED, &p));
	EXPECT_EQ(VMPKRAM_POOL_READY, p.state);
	EXPECT_EQ(0, p.nr_files);
	tnl_close(&ev);
}

/* Events are for every user (they carry no address). */
static int g_ready[2];

static int user_listens(void)
{
	struct tnl_pool p;
	struct tnl ev;
	bool got;

	if (tnl_open(&ev) || tnl_subscribe(&ev))
		return ENOTCONN;
	if (write(g_ready[1], "", 1) != 1)
		return EIO;
	got = wait_event(&ev, "test", VMPKRAM_POOL_EV_SEALED, &p);
	tnl_close(&ev);
	if (!got)
		return ETIMEDOUT;
	return p.has_base ? EBADMSG : 0;
}

static void *seal_when_ready(void *arg)
{
	struct tnl nl;
	char c;

	if (read(g_ready[0], &c, 1) == 1 && !tnl_open(&nl)) {
		*(int *)arg = tnl_pool_cmd(&nl, VMPKRAM_CMD_POOL_SEAL, "test",
					   NULL);
		tnl_close(&nl);
	}
	return NULL;
}

TEST_F(pool, unprivileged_listener_gets_events)
{
	int sealed = -1;
	pthread_t th;

	ASSERT_EQ(0, pipe(g_ready));
	ASSERT_EQ(0, pthread_create(&th, NULL, seal_when_ready, &sealed));
	EXPECT_EQ(0, run_unprivileged(user_listens));
	close(g_ready[1]);	/* the child failed early: let the thread go */
	pthread_join(th, NULL);
	close(g_ready[0]);
	EXPECT_EQ(0, sealed);
}

/* ---- other families go on while a command takes long ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Resolves the genetlink controller's own family: it takes genl_mutex. */
static int resolve_nlctrl(struct tnl *nl)
{
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	int ret;

	tnl_msg_init(&m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY);
	tnl_put_str(&m, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	ret = tnl_exec(nl, &m, NULL, NULL, &res);
	if (!ret)
		ret = res.error ? res.error : res.replies == 1 ? 0 : ENODATA;
	tnl_result_clear(&res);
	return ret;
}

struct slow_seal {
	int ready[2];		/* written just before the request goes out */
	int error;
	double took;
};

static void *slow_seal_fn(void *arg)
{
	struct slow_seal *s = arg;
	struct tnl nl;
	double t0;

	s->error = -1;
	if (tnl_open(&nl))
		return NULL;
	t0 = now_s();
	if (write(s->ready[1], "", 1) == 1)
		s->error = tnl_pool_cmd(&nl, VMPKRAM_CMD_POOL_SEAL, "test", NULL);
	s->took = now_s() - t0;
	tnl_close(&nl);
	return NULL;
}

/*
 * A freed block whose page a pipe still holds cannot be scrubbed, so a
 * seal waits a second for it in vain: a long command, on demand.  The
 * family is parallel_ops, so meanwhile the controller (which every family
 * lookup of every program goes through) answers at once; under the global
 * genl_mutex it answered only when the seal was done.
 */
TEST_F_TIMEOUT(pool, long_seal_does_not_block_other_families, 120)
{
	struct slow_seal s = { 0 };
	struct iovec iov;
	double t0, waited;
	char path[128], c, *p;
	int fd, pipefd[2];
	pthread_t th;

	ASSERT_EQ(0, mount_test(self));
	snprintf(path, sizeof(path), "%s/pinned", self->dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, BLK));
	p = mmap(NULL, BLK, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 'p', 4096);
	ASSERT_EQ(0, pipe(pipefd));
	iov.iov_base = p;
	iov.iov_len = 4096;
	ASSERT_EQ(4096, vmsplice(pipefd[1], &iov, 1, 0));
	munmap(p, BLK);
	close(fd);
	ASSERT_EQ(0, unlink(path));	/* its block is dirty and pinned */

	ASSERT_EQ(0, pipe(s.ready));
	ASSERT_EQ(0, pthread_create(&th, NULL, slow_seal_fn, &s));
	ASSERT_EQ(1, read(s.ready[0], &c, 1));
	usleep(300 * 1000);		/* the seal is waiting by now */
	t0 = now_s();
	EXPECT_EQ(0, resolve_nlctrl(&self->nl));
	waited = now_s() - t0;
	pthread_join(th, NULL);
	close(pipefd[0]);
	close(pipefd[1]);
	close(s.ready[0]);
	close(s.ready[1]);

	EXPECT_EQ(0, s.error);
	TH_LOG("seal took %.2f s; resolving nlctrl meanwhile took %.3f s",
	       s.took, waited);
	/* Or the test proves nothing: the seal waited its second. */
	ASSERT_LT(0.9, s.took);
	EXPECT_LT(waited, 0.2);
}

/*
 * The state reason of a pool whose metadata was written for another
 * geometry names the address it was written for: admins see it, the
 * event an unprivileged listener gets has it masked.  "test" is detached
 * and half of its range attached as SCRATCH, DAMAGED so.
 */
static struct tnl_pool g_test;		/* pool "test" at setup */
static char g_admin_reason[256];

static int user_sees_reason(void)
{
	struct tnl_pool p;
	struct tnl ev;
	bool got;
	int i;

	if (tnl_open(&ev) || tnl_subscribe(&ev))
		return ENOTCONN;
	if (write(g_ready[1], "", 1) != 1)
		return EIO;
	/* The detach before it waits for "test" to be scrubbed. */
	for (got = false, i = 0; !got && i < 30; i++)
		got = wait_event(&ev, SCRATCH, VMPKRAM_POOL_EV_ATTACHED, &p);
	tnl_close(&ev);
	if (!got)
		return ETIMEDOUT;
	if (p.state != VMPKRAM_POOL_DAMAGED || p.has_base)
		return EPROTO;
	if (!p.reason[0])
		return ENODATA;
	printf("# event reason: %s\n", p.reason);
	return strstr(p.reason, "0x") || strstr(p.reason, "0X") ? EBADMSG : 0;
}

static void *attach_half_test(void *arg)
{
	struct tnl_result res = { 0 };
	struct tnl_pool p;
	struct tnl nl;
	char c;

	if (read(g_ready[0], &c, 1) != 1 || tnl_open(&nl))
		return NULL;
	*(int *)arg = tnl_pool_cmd(&nl, VMPKRAM_CMD_POOL_DETACH, "test", NULL);
	if (!*(int *)arg)
		*(int *)arg = attach(&nl, SCRATCH, g_test.base, g_test.size / 2,
				     &res);
	if (!*(int *)arg && res.reply) {
		tnl_pool_parse(res.tb, &p);
		strcpy(g_admin_reason, p.reason);
	}
	tnl_result_clear(&res);
	tnl_close(&nl);
	return NULL;
}

TEST_F(pool, unprivileged_listener_gets_no_address_in_reasons)
{
	int attached = -1;
	pthread_t th;

	g_test = self->test;
	g_admin_reason[0] = '\0';
	ASSERT_EQ(0, pipe(g_ready));
	ASSERT_EQ(0, pthread_create(&th, NULL, attach_half_test, &attached));
	EXPECT_EQ(0, run_unprivileged(user_sees_reason))
		TH_LOG("the event's reason names an address (or no event)");
	close(g_ready[1]);
	pthread_join(th, NULL);
	close(g_ready[0]);
	ASSERT_EQ(0, attached);
	TH_LOG("admin reason: %s", g_admin_reason);
	EXPECT_NE(NULL, strstr(g_admin_reason, "0x"))
		TH_LOG("admins see where the metadata belongs");
	EXPECT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_DETACH, SCRATCH,
				  NULL));
	reattach(&self->nl, &self->test);
	EXPECT_EQ(0, tnl_pool_get(&self->nl, "test", NULL));
}

/*
 * A range vmpkram.pool= did not name is raw physical memory, as /dev/mem
 * is: attaching or formatting it needs CAP_SYS_RAWIO on top of
 * CAP_SYS_ADMIN (and no kernel lockdown, pool_lockdown.sh); the ranges
 * named at load do not.  The requests run in a child of root that has
 * dropped CAP_SYS_RAWIO and kept the rest.
 */
static struct tnl_pool g_half;		/* the half of "test" to attach */
static char g_msg[256];

static int drop_rawio(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(CAP_SYS_RAWIO)].effective &=
		~CAP_TO_MASK(CAP_SYS_RAWIO);
	data[CAP_TO_INDEX(CAP_SYS_RAWIO)].permitted &=
		~CAP_TO_MASK(CAP_SYS_RAWIO);
	return syscall(SYS_capset, &hdr, data);
}

/* In a child without CAP_SYS_RAWIO: @fn's errno (-1 if that failed). */
static int without_rawio(int (*fn)(struct tnl *nl))
{
	int status, ret;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		struct tnl nl;

		if (drop_rawio() || tnl_open(&nl))
			_exit(255);
		ret = fn(&nl);
		tnl_close(&nl);
		_exit(ret & 0xff);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

static int attach_half(struct tnl *nl)
{
	struct tnl_result res = { 0 };
	int ret;

	ret = attach(nl, SCRATCH, g_half.base, g_half.size, &res);
	snprintf(g_msg, sizeof(g_msg), "%s", res.msg);
	if (ret == EPERM && !strstr(res.msg, "CAP_SYS_RAWIO"))
		ret = EBADMSG;
	tnl_result_clear(&res);
	return ret;
}

static int format_half(struct tnl *nl)
{
	struct tnl_result res = { 0 };
	int ret;

	ret = cmd_named(nl, VMPKRAM_CMD_POOL_FORMAT, 0, SCRATCH, &res);
	if (ret == EPERM && !strstr(res.msg, "CAP_SYS_RAWIO"))
		ret = EBADMSG;
	tnl_result_clear(&res);
	return ret;
}

static int format_test(struct tnl *nl)
{
	return tnl_pool_cmd(nl, VMPKRAM_CMD_POOL_FORMAT, "test", NULL);
}

static int attach_test(struct tnl *nl)
{
	struct tnl_result res = { 0 };
	int ret;

	ret = attach(nl, "test", g_half.base, 2 * g_half.size, &res);
	tnl_result_clear(&res);
	return ret;
}

TEST_F_TIMEOUT(pool, unnamed_range_needs_cap_sys_rawio, 120)
{
	struct tnl_result res = { 0 };
	struct tnl_pool p;

	g_half = self->test;
	g_half.size /= 2;
	/* Refused before the range is looked at (it is "test"'s, busy). */
	EXPECT_EQ(EPERM, without_rawio(attach_half)) TH_LOG("%s", g_msg);
	EXPECT_EQ(ENODEV, tnl_pool_get(&self->nl, SCRATCH, NULL));
	/* A pool vmpkram.pool= named is an admin's alone. */
	EXPECT_EQ(0, without_rawio(format_test));

	/* Root attaches half of "test"'s range; without RAWIO no format. */
	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_DETACH, "test",
				  NULL));
	ASSERT_EQ(0, attach(&self->nl, SCRATCH, g_half.base, g_half.size,
			    &res));
	tnl_result_clear(&res);
	EXPECT_EQ(EPERM, without_rawio(format_half));
	ASSERT_EQ(0, tnl_pool_get(&self->nl, SCRATCH, &p));
	EXPECT_EQ(VMPKRAM_POOL_DAMAGED, p.state) TH_LOG("%s", p.reason);
	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_DETACH, SCRATCH,
				  NULL));
	/* "test" again, at the range vmpkram.pool= named: no RAWIO needed. */
	EXPECT_EQ(0, without_rawio(attach_test));
	reattach(&self->nl, &self->test);
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "test", &p));
	EXPECT_EQ(VMPKRAM_POOL_READY, p.state) TH_LOG("%s", p.reason);
}

/* ---- the file dump ---- */

struct made {
	const char *name;
	off_t size;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct stat st;
};

TEST_F_TIMEOUT(pool, files_dump_lists_files_and_extents, 120)
{
	struct made made[] = {
#define MADE(n, sz, m, u, g) \
	{ .name = n, .size = sz, .mode = m, .uid = u, .gid = g }
		MADE("empty", 0, 0600, 0, 0),
		MADE("one-byte", 1, 0640, 1000, 1000),
		MADE("one-block", BLK, 0644, 0, 1000),
		MADE("block-and-a-byte", BLK + 1, 0604, 7, 8),
		MADE("odd", 5 * SZ_1M + 3, 0400, 65534, 65534),
#undef MADE
	};
	struct tnl_files *files = malloc(sizeof(*files));
	__u64 meta_end = self->test.base + self->test.size -
			 self->test.data_size;
	__u64 total = 0, sum, next;
	struct tnl_file *f, *orphan = NULL;
	unsigned int i;
	struct tnl_pool p;
	char path[128];
	int fd, orphan_fd, j, k, e, e2;

	ASSERT_NE(NULL, files);
	ASSERT_EQ(0, mount_test(self));
	for (i = 0; i < ARRAY_SIZE(made); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->dir, made[i].name);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ftruncate(fd, made[i].size));
		ASSERT_EQ(0, fchmod(fd, made[i].mode));
		ASSERT_EQ(0, fchown(fd, made[i].uid, made[i].gid));
		ASSERT_EQ(0, fstat(fd, &made[i].st));
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/orphan", self->dir);
	orphan_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ASSERT_LE(0, orphan_fd);
	ASSERT_EQ(0, ftruncate(orphan_fd, 3 * BLK));
	ASSERT_EQ(0, unlink(path));

	ASSERT_EQ(0, tnl_get_files(&self->nl, "test", files));
	EXPECT_EQ(0, files->bad);
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "test", &p));
	EXPECT_EQ(ARRAY_SIZE(made) + 1, files->nr);
	EXPECT_EQ(p.nr_files, files->nr);

	for (i = 0; i < ARRAY_SIZE(made); i++) {
		f = tnl_find_file(files, made[i].name);
		ASSERT_NE(NULL, f) TH_LOG("%s", made[i].name);
		EXPECT_EQ(made[i].st.st_ino, f->ino);
		EXPECT_EQ(made[i].size, f->size);
		EXPECT_EQ(S_IFREG | made[i].mode, f->mode);
		EXPECT_EQ(made[i].uid, f->uid);
		EXPECT_EQ(made[i].gid, f->gid);
		EXPECT_EQ((__u64)made[i].st.st_mtim.tv_sec * 1000000000ULL +
			  made[i].st.st_mtim.tv_nsec, f->mtime_ns);
		EXPECT_EQ(0, f->flags);
	}
	for (j = 0; j < files->nr; j++)
		if (files->f[j].flags & VMPKRAM_FILE_F_ORPHAN)
			orphan = &files->f[j];
	ASSERT_NE(NULL, orphan);
	EXPECT_EQ(0, orphan->name[0]);
	EXPECT_EQ(3 * BLK, orphan->size);

	/* Extents: in order, back to back, in the data area, disjoint. */
	for (j = 0; j < files->nr; j++) {
		f = &files->f[j];
		sum = 0;
		next = 0;
		for (e = 0; e < f->nr_extents; e++) {
			EXPECT_EQ(next, f->ext[e].offset) TH_LOG("%s", f->name);
			EXPECT_LT(0, f->ext[e].len);
			EXPECT_EQ(0, f->ext[e].len % BLK);
			EXPECT_EQ(0, f->ext[e].phys % BLK);
			EXPECT_LE(meta_end, f->ext[e].phys);
			EXPECT_GE(self->test.base + self->test.size,
				  f->ext[e].phys + f->ext[e].len);
			next = f->ext[e].offset + f->ext[e].len;
			sum += f->ext[e].len;
			for (k = 0; k < j; k++)
				for (e2 = 0; e2 < files->f[k].nr_extents; e2++)
					EXPECT_FALSE(f->ext[e].phys <
						     files->f[k].ext[e2].phys +
						     files->f[k].ext[e2].len &&
						     files->f[k].ext[e2].phys <
						     f->ext[e].phys + f->ext[e].len)
						TH_LOG("%s and %s share a block",
						       f->name, files->f[k].name);
		}
		EXPECT_EQ((f->size + BLK - 1) / BLK * BLK, sum)
			TH_LOG("%s: %llu bytes", f->name,
			       (unsigned long long)f->size);
		total += sum;
	}
	EXPECT_EQ(p.used, total);

	close(orphan_fd);
	ASSERT_EQ(0, tnl_get_files(&self->nl, "test", files));
	EXPECT_EQ(ARRAY_SIZE(made), files->nr) TH_LOG("the orphan is gone");
	free(files);
}

/*
 * A file in many pieces, dumped by a socket that has not received yet:
 * the kernel sizes the first dump message to a page then, too small for
 * all extents, so the file continues in the next message.
 */
TEST_F_TIMEOUT(pool, files_dump_continues_long_files, 120)
{
	struct tnl_files *files = malloc(sizeof(*files));
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	struct tnl_result res = { 0 };
	struct tnl fresh = { 0 };
	struct tnl_file *f;
	struct tnl_msg m;
	char path[128];
	int fd, big, e, one = 1;
	long n, i, msgs;
	__u64 next = 0;

	ASSERT_NE(NULL, files);
	ASSERT_EQ(0, mount_test(self));
	/* Pieces of one block; every other one is freed again. */
	n = self->test.data_size / BLK / 2;
	for (i = 0; i < 2 * n; i++) {
		snprintf(path, sizeof(path), "%s/p%ld", self->dir, i);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ftruncate(fd, BLK)) TH_LOG("piece %ld", i);
		close(fd);
	}
	for (i = 0; i < 2 * n; i += 2) {
		snprintf(path, sizeof(path), "%s/p%ld", self->dir, i);
		ASSERT_EQ(0, unlink(path));
	}
	snprintf(path, sizeof(path), "%s/big", self->dir);
	big = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ASSERT_LE(0, big);
	ASSERT_EQ(0, ftruncate(big, n * BLK)) TH_LOG("%ld blocks", n);
	close(big);

	fresh.family = self->nl.family;
	fresh.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	ASSERT_LE(0, fresh.fd);
	ASSERT_EQ(0, bind(fresh.fd, (struct sockaddr *)&local, sizeof(local)));
	ASSERT_EQ(0, setsockopt(fresh.fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
				sizeof(one)));
	memset(files, 0, sizeof(*files));
	tnl_msg_init(&m, fresh.family, NLM_F_DUMP, VMPKRAM_CMD_GET_FILES);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, "test");
	ASSERT_EQ(0, tnl_exec(&fresh, &m, tnl_files_cb, files, &res));
	ASSERT_EQ(0, res.error) TH_LOG("%s", res.msg);
	msgs = res.replies;
	tnl_result_clear(&res);
	tnl_close(&fresh);

	EXPECT_EQ(0, files->bad);
	EXPECT_EQ(n + 1, files->nr) TH_LOG("each file once");
	f = tnl_find_file(files, "big");
	ASSERT_NE(NULL, f);
	TH_LOG("%ld blocks in %d extents, %ld files in %ld messages", n,
	       f->nr_extents, (long)files->nr, msgs);
	EXPECT_LT(files->nr, msgs) TH_LOG("the file was not continued");
	for (e = 0; e < f->nr_extents; e++) {
		EXPECT_EQ(next, f->ext[e].offset);
		next += f->ext[e].len;
	}
	EXPECT_EQ(n * BLK, next);
	free(files);
}

/* ---- check and repair of a pool that is not damaged ---- */

struct report {
	__u32 action, kept, dropped, state;
	int slots;
	__u32 status[2], checks[2], ok[2];
	__u64 gen[2];
	char text[512];
};

static void report_slot(struct nlattr *nest, struct report *r)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1], *a, *c[VMPKRAM_A_MAX + 1];
	__u32 i;
	int rem;

	tnl_parse(tb, VMPKRAM_A_MAX, tnl_data(nest), tnl_len(nest));
	if (!tb[VMPKRAM_A_SLOT_INDEX] || !tb[VMPKRAM_A_SLOT_STATUS] ||
	    !tb[VMPKRAM_A_SLOT_GENERATION])
		return;
	i = tnl_u32(tb[VMPKRAM_A_SLOT_INDEX]) & 1;
	r->slots++;
	r->status[i] = tnl_u32(tb[VMPKRAM_A_SLOT_STATUS]);
	r->gen[i] = tnl_u64(tb[VMPKRAM_A_SLOT_GENERATION]);
	tnl_for_each(a, tnl_data(nest), tnl_len(nest), rem) {
		if ((a->nla_type & NLA_TYPE_MASK) != VMPKRAM_A_SLOT_CHECK)
			continue;
		tnl_parse(c, VMPKRAM_A_MAX, tnl_data(a), tnl_len(a));
		r->checks[i]++;
		if (c[VMPKRAM_A_CHECK_NAME] && c[VMPKRAM_A_CHECK_RESULT] &&
		    tnl_u32(c[VMPKRAM_A_CHECK_RESULT]) == VMPKRAM_CHECK_OK &&
		    !c[VMPKRAM_A_CHECK_DETAIL])
			r->ok[i]++;
	}
}

/* CHECK or REPAIR of @name; the errno; @r gets the report. */
static int report_req(struct tnl *nl, __u8 cmd, const char *name,
		      struct report *r, struct tnl_result *res)
{
	struct nlattr *a;
	int ret, rem;

	memset(r, 0, sizeof(*r));
	ret = cmd_named(nl, cmd, 0, name, res);
	if (ret || !res->reply)
		return ret ? ret : ENODATA;
	r->action = tnl_opt_u32(res->tb[VMPKRAM_A_REPAIR_ACTION]);
	r->kept = tnl_opt_u32(res->tb[VMPKRAM_A_REPAIR_KEPT]);
	r->dropped = tnl_opt_u32(res->tb[VMPKRAM_A_REPAIR_DROPPED]);
	r->state = tnl_opt_u32(res->tb[VMPKRAM_A_POOL_STATE]);
	tnl_opt_str(r->text, sizeof(r->text), res->tb[VMPKRAM_A_REPAIR_TEXT]);
	tnl_for_each(a, (char *)NLMSG_DATA(res->reply) + GENL_HDRLEN,
		     res->reply->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), rem)
		if ((a->nla_type & NLA_TYPE_MASK) == VMPKRAM_A_CHECK_SLOT)
			report_slot(a, r);
	return 0;
}

/* Both slots complete, every check passed, generations g and g - 1. */
static void expect_healthy(struct __test_metadata *_metadata,
			   const struct report *r, __u64 gen)
{
	int i;

	EXPECT_EQ(2, r->slots);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(VMPKRAM_SLOT_COMPLETE, r->status[i]) TH_LOG("slot %d", i);
		EXPECT_EQ(11, r->checks[i]) TH_LOG("slot %d", i);
		EXPECT_EQ(r->checks[i], r->ok[i]) TH_LOG("slot %d", i);
		EXPECT_EQ(i, (int)(r->gen[i] & 1)) TH_LOG("slot %d", i);
	}
	EXPECT_EQ(gen, r->gen[0] > r->gen[1] ? r->gen[0] : r->gen[1]);
	EXPECT_EQ(1, r->gen[0] > r->gen[1] ? r->gen[0] - r->gen[1] :
					     r->gen[1] - r->gen[0]);
	EXPECT_EQ(VMPKRAM_REPAIR_NONE, r->action);
	EXPECT_LT(0, strlen(r->text));
}

TEST_F_TIMEOUT(pool, check_and_repair_leave_a_ready_pool_alone, 120)
{
	struct tnl_result res = { 0 };
	struct tnl_pool t;
	struct report r;
	int fd;

	EXPECT_EQ(VMPKRAM_LAYOUT_VERSION, self->test.layout);
	ASSERT_EQ(0, report_req(&self->nl, VMPKRAM_CMD_POOL_CHECK, "test", &r,
				&res));
	expect_healthy(_metadata, &r, self->test.generation);
	EXPECT_EQ(VMPKRAM_POOL_READY, r.state);

	/* Mounted, with a file: checked all the same, repair is EBUSY. */
	ASSERT_EQ(0, mount_test(self));
	fd = openat(AT_FDCWD, self->dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(openat(fd, "f", O_CREAT | O_WRONLY, 0600)));
	close(fd);
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "test", &t));
	ASSERT_EQ(0, report_req(&self->nl, VMPKRAM_CMD_POOL_CHECK, "test", &r,
				&res));
	expect_healthy(_metadata, &r, t.generation);
	EXPECT_EQ(EBUSY, cmd_named(&self->nl, VMPKRAM_CMD_POOL_REPAIR, 0, "test",
				   &res));
	EXPECT_LT(0, strlen(res.msg));
	ASSERT_EQ(0, umount_test(self));

	/* Not damaged: nothing to do, nothing written. */
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "test", &t));
	ASSERT_EQ(0, report_req(&self->nl, VMPKRAM_CMD_POOL_REPAIR, "test", &r,
				&res));
	EXPECT_EQ(VMPKRAM_REPAIR_NONE, r.action);
	EXPECT_EQ(0, tnl_pool_get(&self->nl, "test", &self->test));
	EXPECT_EQ(t.generation, self->test.generation);

	/* Sealed: the same. */
	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_SEAL, "test", NULL));
	ASSERT_EQ(0, tnl_pool_get(&self->nl, "test", &t));
	ASSERT_EQ(0, report_req(&self->nl, VMPKRAM_CMD_POOL_CHECK, "test", &r,
				&res));
	expect_healthy(_metadata, &r, t.generation);
	EXPECT_EQ(VMPKRAM_POOL_SEALED, r.state);
	ASSERT_EQ(0, report_req(&self->nl, VMPKRAM_CMD_POOL_REPAIR, "test", &r,
				&res));
	EXPECT_EQ(VMPKRAM_REPAIR_NONE, r.action);
	ASSERT_EQ(0, tnl_pool_cmd(&self->nl, VMPKRAM_CMD_POOL_UNSEAL, "test",
				  NULL));
	tnl_result_clear(&res);
}

/*
 * A GET_FILES dump whose first message is already built when the files
 * change: a socket that has not received yet gets a first message of a
 * page, which stops inside "big"; the rest is built when it is read.
 * Returns 0 or an errno; @files gets what the dump said, @msgs its
 * messages, @intr whether one carried NLM_F_DUMP_INTR.  A dump that does
 * not end within 2000 messages (or 10 s) is ELOOP.
 */
static int dump_around(struct tnl *nl, void (*between)(void *), void *arg,
		       struct tnl_files *files, int *msgs, bool *intr)
{
	static char buf[TNL_BUF_SIZE] __attribute__((aligned(8)));
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct timeval tmo = { .tv_sec = 10 };
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	struct tnl_msg m;
	struct nlmsghdr *nlh;
	int fd, one = 1, ret = ELOOP;
	ssize_t n;

	memset(files, 0, sizeof(*files));
	*msgs = 0;
	*intr = false;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return errno;
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo))) {
		ret = errno;
		goto out;
	}
	tnl_msg_init(&m, nl->family, NLM_F_DUMP, VMPKRAM_CMD_GET_FILES);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, "test");
	m.nlh.nlmsg_seq = 1;
	if (sendto(fd, m.buf, m.nlh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		ret = errno;
		goto out;
	}
	between(arg);
	while (*msgs < 2000) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			ret = errno == EAGAIN ? ELOOP : errno;
			goto out;
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				ret = -((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
				goto out;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				ret = -*(int *)NLMSG_DATA(nlh);
				goto out;
			}
			(*msgs)++;
			*intr |= nlh->nlmsg_flags & NLM_F_DUMP_INTR;
			tnl_parse(tb, VMPKRAM_A_MAX,
				  (char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
				  nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
			tnl_files_cb(tb, files);
		}
	}
out:
	close(fd);
	return ret;
}

/* What happens to "big" (fd @big) while its dump is half sent. */
struct dump_change {
	FIXTURE_DATA(pool) *self;
	int big;
	enum { SHRINK, DELETE, REPLACE } how;
	int err;
};

static void change_big(void *arg)
{
	struct dump_change *c = arg;
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/big", c->self->dir);
	if (c->how == SHRINK) {
		c->err = ftruncate(c->big, BLK) ? errno : 0;
		return;
	}
	c->err = unlink(path) || close(c->big) ? errno : 0;
	c->big = -1;
	if (c->err || c->how != REPLACE)
		return;
	/* The new file takes the slot "big" had, the first free one. */
	snprintf(path, sizeof(path), "%s/new", c->self->dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, 3 * BLK))
		c->err = errno;
	if (fd >= 0)
		close(fd);
}

/*
 * Files that shrink, go away or are replaced between the messages of a
 * dump: the dump ends, says it was interrupted, lists every other file
 * once with all its extents, and a file that took the slot of the one
 * being sent is sent from its start.  (Before: a shrink or a delete under
 * the cursor repeated one message for ever.)
 */
TEST_F_TIMEOUT(pool, files_dump_survives_changes, 240)
{
	struct tnl_files *files = malloc(sizeof(*files));
	struct dump_change c = { .self = self };
	const char *how[] = { "shrink", "delete", "replace" };
	struct tnl_file *f, *big;
	char path[128];
	int fd, i, k, msgs, ret;
	bool intr;
	long n;

	ASSERT_NE(NULL, files);
	ASSERT_EQ(0, mount_test(self));
	/* As in files_dump_continues_long_files: "big" in many pieces. */
	n = self->test.data_size / BLK / 2;
	for (i = 0; i < 2 * n; i++) {
		snprintf(path, sizeof(path), "%s/p%d", self->dir, i);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ftruncate(fd, BLK)) TH_LOG("piece %d", i);
		close(fd);
	}
	for (i = 0; i < 2 * n; i += 2) {
		snprintf(path, sizeof(path), "%s/p%d", self->dir, i);
		ASSERT_EQ(0, unlink(path));
	}
	for (k = SHRINK; k <= REPLACE; k++) {
		snprintf(path, sizeof(path), "%s/big", self->dir);
		c.big = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		ASSERT_LE(0, c.big);
		ASSERT_EQ(0, ftruncate(c.big, n * BLK)) TH_LOG("%ld blocks", n);
		c.how = k;
		ret = dump_around(&self->nl, change_big, &c, files, &msgs,
				  &intr);
		ASSERT_EQ(0, c.err) TH_LOG("%s: %s", how[k], strerror(c.err));
		EXPECT_EQ(0, ret) TH_LOG("%s: %s after %d messages", how[k],
					 strerror(ret), msgs);
		EXPECT_TRUE(intr) TH_LOG("%s: not flagged interrupted", how[k]);
		EXPECT_EQ(0, files->bad);
		big = tnl_find_file(files, "big");
		ASSERT_NE(NULL, big) TH_LOG("%s: its first message", how[k]);
		EXPECT_LT(0, big->nr_extents);
		EXPECT_GT(n, big->nr_extents)
			TH_LOG("%s: the first message did not stop inside big",
			       how[k]);
		/* The pieces and "new": once each, with their blocks. */
		EXPECT_EQ(n + 1 + (k == REPLACE), files->nr)
			TH_LOG("%s: %d files in %d messages", how[k], files->nr,
			       msgs);
		for (i = 0; i < files->nr; i++) {
			f = &files->f[i];
			if (f == big)
				continue;
			EXPECT_EQ(f->size, f->nr_extents ?
				  f->ext[f->nr_extents - 1].offset +
				  f->ext[f->nr_extents - 1].len : 0)
				TH_LOG("%s: %s: %d extents", how[k], f->name,
				       f->nr_extents);
			EXPECT_EQ(0, f->nr_extents ? f->ext[0].offset : 0)
				TH_LOG("%s: %s", how[k], f->name);
		}
		if (k == REPLACE) {
			f = tnl_find_file(files, "new");
			ASSERT_NE(NULL, f);
			EXPECT_EQ(3 * BLK, f->size);
			snprintf(path, sizeof(path), "%s/new", self->dir);
			ASSERT_EQ(0, unlink(path));
		}
		if (c.big >= 0) {
			close(c.big);
			snprintf(path, sizeof(path), "%s/big", self->dir);
			ASSERT_EQ(0, unlink(path));
		}
	}
	free(files);
}

TEST_HARNESS_MAIN
