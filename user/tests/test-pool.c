// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pool attribute parsing with crafted generic netlink messages: a pool as
 * the module sends it when ready and when unformatted, every required
 * attribute missing, lengths, ranges and the relations between the space
 * attributes; pool events; the size-first copy; and the pool calls that
 * must fail before touching the kernel.
 */
#include <errno.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "pool.h"
#include "netlink.h"
#include "private.h"
#include "crafted.h"
#include "tap.h"

#define MiB	(1ULL << 20)

static const char name[] = "test";
static const uint64_t base = 0x40000000, size = 512 * MiB;
static const uint32_t ready = VMPKRAM_POOL_READY, block = 2 * MiB;
static const uint64_t data = 508 * MiB, used = 10 * MiB, free_ = 498 * MiB;
static const uint64_t scrub = 4 * MiB, largest = 400 * MiB;
static const uint64_t gen = 7, seal_time = 1700000000000000000ULL;
static const uint32_t one = 1, zero = 0, nfiles = 3, maxf = 1024;
static const uint8_t uuid[16] = { 0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4,
				  5, 6, 7, 8, 9, 10, 11, 12 };

#define A(type, ptr, len)	{ VMPKRAM_A_POOL_##type, ptr, len }

static const struct attr ready_pool[] = {
	A(NAME, name, sizeof(name)),
	A(BASE, &base, 8),
	A(SIZE, &size, 8),
	A(STATE, &ready, 4),
	A(BLOCK_SIZE, &block, 4),
	A(DATA_SIZE, &data, 8),
	A(MAX_FILES, &maxf, 4),
	A(MOUNTED, &one, 4),
	A(UUID, uuid, 16),
	A(GENERATION, &gen, 8),
	A(CLEAN, &one, 4),
	A(SEAL_TIME, &seal_time, 8),
	A(USED, &used, 8),
	A(FREE, &free_, 8),
	A(SCRUB_PENDING, &scrub, 8),
	A(LARGEST_FREE, &largest, 8),
	A(NR_FILES, &nfiles, 4),
};

#define NR_READY	((int)(sizeof(ready_pool) / sizeof(ready_pool[0])))

static int parse_cmd(unsigned int cmd, unsigned int expect,
		     const struct attr *extra, int n_extra, int drop,
		     struct vmpkram_pool *p, char *why, size_t why_size)
{
	struct nl_msg *msg;
	int ret;

	msg = crafted_msg(cmd, ready_pool, NR_READY, drop, extra, n_extra);
	if (!msg)
		return -ENOMEM;
	ret = vmpkram_pool_from_msg(nlmsg_hdr(msg), expect, p, why, why_size);
	nlmsg_free(msg);
	return ret;
}

static int parse1(int type, const void *v, int len, char *why,
		  size_t why_size)
{
	const struct attr a = { type, v, len };
	struct vmpkram_pool p;

	return parse_cmd(VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_GET, &a, 1,
			 -1, &p, why, why_size);
}

static void test_valid(void)
{
	struct vmpkram_pool p;
	char why[160];
	int ret;

	memset(&p, 0xff, sizeof(p));
	ret = parse_cmd(VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_GET, NULL, 0,
			-1, &p, why, sizeof(why));
	tap_ok(ret == 0, "a ready pool parses (%s)", ret ? why : "ok");
	tap_ok(p.size == sizeof(p) && !strcmp(p.name, "test") &&
	       p.base == base && p.pool_size == size &&
	       p.state == VMPKRAM_POOL_READY && !memcmp(p.uuid, uuid, 16) &&
	       p.generation == 7 && p.seal_time_ns == seal_time &&
	       p.data_size == data && p.used == used && p.free == free_ &&
	       p.scrub_pending == scrub && p.largest_free == largest &&
	       p.block_size == block && p.nr_files == 3 &&
	       p.max_files == 1024 && p.clean == 1 && p.mounted == 1 &&
	       p.__pad == 0 && p.state_reason[0] == '\0',
	       "every field of the ready pool is filled");

	ret = parse_cmd(VMPKRAM_CMD_POOL_FORMAT, VMPKRAM_CMD_POOL_FORMAT, NULL,
			0, -1, &p, why, sizeof(why));
	tap_ok(ret == 0, "a FORMAT reply parses as FORMAT");
	ret = parse_cmd(VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_ATTACH, NULL,
			0, -1, &p, why, sizeof(why));
	tap_ok(ret == 0, "an ATTACH may be answered with a POOL_GET message");
	ret = parse_cmd(VMPKRAM_CMD_POOL_ATTACH, VMPKRAM_CMD_POOL_FORMAT, NULL,
			0, -1, &p, why, sizeof(why));
	tap_ok(ret == -EBADMSG && strstr(why, "command"),
	       "a message for another command is rejected (%s)", why);
}

/* What the module sends for a pool it cannot use. */
static void test_unformatted(void)
{
	static const uint32_t unformatted = VMPKRAM_POOL_UNFORMATTED;
	static const char reason[] = "no vmpkram metadata: format it";
	const struct attr attrs[] = {
		A(NAME, name, sizeof(name)), A(BASE, &base, 8),
		A(SIZE, &size, 8), A(STATE, &unformatted, 4),
		A(STATE_REASON, reason, sizeof(reason)),
	};
	struct nl_msg *msg = crafted_msg(VMPKRAM_CMD_POOL_GET, attrs, 5, -1,
					 NULL, 0);
	struct vmpkram_pool p;
	char why[160];

	if (!tap_ok(msg != NULL, "unformatted: build the message"))
		return;
	memset(&p, 0xff, sizeof(p));
	tap_ok(!vmpkram_pool_from_msg(nlmsg_hdr(msg), VMPKRAM_CMD_POOL_GET,
				      &p, why, sizeof(why)) &&
	       p.state == VMPKRAM_POOL_UNFORMATTED &&
	       !strcmp(p.state_reason, reason) && p.generation == 0 &&
	       p.used == 0 && p.nr_files == 0 && p.uuid[0] == 0,
	       "an unformatted pool: reason, and 0 for what was not sent");
	nlmsg_free(msg);
}

static void test_missing(void)
{
	static const int required[] = {
		VMPKRAM_A_POOL_NAME, VMPKRAM_A_POOL_BASE, VMPKRAM_A_POOL_SIZE,
		VMPKRAM_A_POOL_STATE,
	};
	struct vmpkram_pool p;
	char why[160];
	size_t i;
	int ret;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		ret = parse_cmd(VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_GET,
				NULL, 0, required[i], &p, why, sizeof(why));
		tap_ok(ret == -ENODATA && strstr(why, "missing"),
		       "missing attribute %d is -ENODATA (%s)", required[i],
		       why);
	}
	ret = parse_cmd(VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_GET, NULL, 0,
			VMPKRAM_A_POOL_UUID, &p, why, sizeof(why));
	tap_ok(ret == 0 && p.uuid[0] == 0, "an optional attribute may be absent");
}

static void test_name(void)
{
	char why[160], long_name[33];

	memset(long_name, 'n', 32);
	long_name[32] = '\0';
	tap_ok(parse1(VMPKRAM_A_POOL_NAME, "a b", 4, why, sizeof(why)) ==
	       -EBADMSG, "a name with a blank is -EBADMSG (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_NAME, "", 1, why, sizeof(why)) == -ERANGE,
	       "an empty name is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_NAME, long_name, 33, why, sizeof(why)) ==
	       -ERANGE, "a 32-character name is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_NAME, "test", 4, why, sizeof(why)) ==
	       -EBADMSG, "an unterminated name is -EBADMSG (%s)", why);
	tap_ok(vmpkram_pool_name_ok("a-B_9") && !vmpkram_pool_name_ok("") &&
	       !vmpkram_pool_name_ok("a.b") && !vmpkram_pool_name_ok(long_name),
	       "vmpkram_pool_name_ok");
}

static void test_range(void)
{
	static const uint64_t small = 2 * MiB, big = 8ULL << 40;
	static const uint64_t odd = 0x40100000, high = ~0ULL - 255 * MiB;
	static const uint32_t bad_state = VMPKRAM_POOL_SEALED + 1;
	char why[160];

	tap_ok(parse1(VMPKRAM_A_POOL_SIZE, &small, 8, why, sizeof(why)) ==
	       -ERANGE, "a 2 MiB pool is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_SIZE, &big, 8, why, sizeof(why)) ==
	       -ERANGE, "an 8 TiB pool is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_BASE, &odd, 8, why, sizeof(why)) ==
	       -ERANGE, "a base not 2 MiB aligned is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_BASE, &high, 8, why, sizeof(why)) ==
	       -ERANGE, "a pool wrapping past 2^64 is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_STATE, &zero, 4, why, sizeof(why)) ==
	       -ERANGE, "state 0 is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_STATE, &bad_state, 4, why, sizeof(why)) ==
	       -ERANGE, "an unknown state is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_BASE, &one, 4, why, sizeof(why)) ==
	       -EBADMSG, "a 32-bit base is -EBADMSG (%s)", why);
}

static void test_space(void)
{
	static const uint64_t over = 600 * MiB, too_free = 499 * MiB;
	static const uint64_t scrub_more = 500 * MiB;
	static const uint32_t two = 2, three = 3, files = 2000;
	char why[160];

	tap_ok(parse1(VMPKRAM_A_POOL_DATA_SIZE, &over, 8, why, sizeof(why)) ==
	       -ERANGE, "data size above the pool is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_USED, &over, 8, why, sizeof(why)) ==
	       -ERANGE, "used above the data size is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_FREE, &too_free, 8, why, sizeof(why)) ==
	       -ERANGE, "used + free above the data size is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_SCRUB_PENDING, &scrub_more, 8, why,
		      sizeof(why)) == -ERANGE,
	       "scrub-pending above free is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_LARGEST_FREE, &scrub_more, 8, why,
		      sizeof(why)) == -ERANGE,
	       "largest-free above free is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_NR_FILES, &files, 4, why, sizeof(why)) ==
	       -ERANGE, "files above max-files is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_BLOCK_SIZE, &three, 4, why, sizeof(why)) ==
	       -ERANGE, "a block size of 3 is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_CLEAN, &two, 4, why, sizeof(why)) ==
	       -ERANGE, "clean 2 is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_MOUNTED, &two, 4, why, sizeof(why)) ==
	       -ERANGE, "mounted 2 is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_POOL_UUID, uuid, 15, why, sizeof(why)) ==
	       -EBADMSG, "a 15-byte UUID is -EBADMSG (%s)", why);
}

static void test_reason(void)
{
	const struct attr a[] = { { VMPKRAM_A_POOL_STATE_REASON, NULL, 0 } };
	char reason[400], why[160];
	struct vmpkram_pool p;
	struct attr r = a[0];

	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	r.data = reason;
	r.len = sizeof(reason);
	tap_ok(!parse_cmd(VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_GET, &r, 1,
			  -1, &p, why, sizeof(why)) &&
	       strlen(p.state_reason) == sizeof(p.state_reason) - 1,
	       "a long reason is cut to fit");
	r.len = 10;
	tap_ok(parse_cmd(VMPKRAM_CMD_POOL_GET, VMPKRAM_CMD_POOL_GET, &r, 1,
			 -1, &p, why, sizeof(why)) == -EBADMSG,
	       "an unterminated reason is -EBADMSG (%s)", why);
}

static int parse_ntf(const struct attr *extra, int n, int drop,
		     struct vmpkram_pool_ntf *ntf, char *why, size_t why_size)
{
	struct nl_msg *msg = crafted_msg(VMPKRAM_CMD_POOL_NTF, ready_pool,
					 NR_READY, drop, extra, n);
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = vmpkram_pool_ntf_from_msg(nlmsg_hdr(msg), ntf, why, why_size);
	nlmsg_free(msg);
	return ret;
}

static void test_ntf(void)
{
	static const uint32_t sealed = VMPKRAM_POOL_EV_SEALED, bad = 99;
	const struct attr ev = { VMPKRAM_A_POOL_EVENT, &sealed, 4 };
	const struct attr bad_ev = { VMPKRAM_A_POOL_EVENT, &bad, 4 };
	const struct attr no_name[] = {
		{ VMPKRAM_A_POOL_EVENT, &sealed, 4 },
		{ VMPKRAM_A_POOL_NAME, "", 1 },
	};
	struct vmpkram_pool_ntf ntf;
	char why[160];

	const int b = VMPKRAM_A_POOL_BASE;

	memset(&ntf, 0xff, sizeof(ntf));
	tap_ok(!parse_ntf(&ev, 1, b, &ntf, why, sizeof(why)) &&
	       ntf.event == VMPKRAM_POOL_EV_SEALED && ntf.__pad == 0 &&
	       !strcmp(ntf.pool.name, "test") && ntf.pool.used == used &&
	       ntf.pool.base == 0 && ntf.pool.pool_size == size,
	       "a pool event: what happened and the pool, base 0");
	tap_ok(parse_ntf(&ev, 1, -1, &ntf, why, sizeof(why)) == -EBADMSG &&
	       strstr(why, "notification"),
	       "a pool event with the physical base is -EBADMSG (%s)", why);
	tap_ok(parse_ntf(NULL, 0, b, &ntf, why, sizeof(why)) == -ENODATA,
	       "a pool event without the event is -ENODATA (%s)", why);
	tap_ok(parse_ntf(&bad_ev, 1, b, &ntf, why, sizeof(why)) == -ERANGE,
	       "an unknown pool event is -ERANGE (%s)", why);
	tap_ok(parse_ntf(no_name, 2, b, &ntf, why, sizeof(why)) == -ERANGE,
	       "a pool event with a bad pool is refused (%s)", why);
}

static void test_copy(void)
{
	struct vmpkram_pool src = { .size = sizeof(src), .generation = 9 };
	struct {
		struct vmpkram_pool p;
		uint64_t newer;
	} big;
	struct vmpkram_pool small = { .size = 16 };

	tap_ok(vmpkram_pool_copy(&src, &small) == -EINVAL,
	       "copy to a struct below the first version is -EINVAL");
	memset(&big, 0xff, sizeof(big));
	big.p.size = sizeof(big);
	tap_ok(!vmpkram_pool_copy(&src, &big.p) && big.p.size == sizeof(big) &&
	       big.p.generation == 9 && big.newer == 0,
	       "copy to a newer, larger struct keeps its size, zeroes the rest");
}

/* Every one of these fails on its arguments, never reaching the kernel. */
static void test_no_kernel(void)
{
	struct vmpkram_pool p = { .size = sizeof(p) };
	struct vmpkram_pool tiny = { .size = 8 };
	struct vmpkram_ctx *ctx;
	char *path = (char *)"x";

	if (vmpkram_new(&ctx))
		return (void)tap_ok(0, "no kernel: vmpkram_new");
	tap_ok(vmpkram_pool_get(ctx, "bad name", &p) == -EINVAL &&
	       strstr(vmpkram_last_error(ctx), "invalid pool name"),
	       "pool_get with a bad name: %s", vmpkram_last_error(ctx));
	tap_ok(vmpkram_pool_get(ctx, NULL, &p) == -EINVAL,
	       "pool_get without a name is -EINVAL");
	tap_ok(vmpkram_pool_get(ctx, "test", &tiny) == -EINVAL &&
	       strstr(vmpkram_last_error(ctx), "size 8"),
	       "pool_get into a too small struct: %s",
	       vmpkram_last_error(ctx));
	tap_ok(vmpkram_pool_attach(ctx, "a:b", 0, 4 * MiB, NULL) == -EINVAL,
	       "pool_attach with a bad name is -EINVAL");
	tap_ok(vmpkram_pool_format(ctx, NULL, NULL) == -EINVAL &&
	       vmpkram_pool_detach(ctx, NULL) == -EINVAL,
	       "format and detach need a name");
	tap_ok(vmpkram_pool_seal(ctx, "", NULL) == -EINVAL &&
	       vmpkram_pool_unseal(ctx, "x y") == -EINVAL,
	       "seal and unseal check a given name");
	tap_ok(vmpkram_pool_files(ctx, "../x", NULL, NULL) == -EINVAL &&
	       vmpkram_pool_files(ctx, NULL, NULL, NULL) == -EINVAL,
	       "pool_files checks the pool name");
	tap_ok(vmpkram_module_find(ctx, "../../etc", &path) == -EINVAL &&
	       path == NULL && vmpkram_module_find(ctx, "", NULL) == -EINVAL,
	       "module_find refuses a release that is no name");
	tap_ok(vmpkram_module_find(ctx, "0.0.0-no-such-kernel", &path) == 0 &&
	       path == NULL &&
	       strstr(vmpkram_last_error(ctx), "make dkms-install"),
	       "module_find for a kernel that is not installed: %s",
	       vmpkram_last_error(ctx));
	vmpkram_unref(ctx);
}

static void test_names(void)
{
	tap_ok(!strcmp(vmpkram_attr_name(VMPKRAM_A_POOL_NAME), "pool-name") &&
	       !strcmp(vmpkram_attr_name(VMPKRAM_A_POOL_EVENT), "pool-event") &&
	       !strcmp(vmpkram_attr_name(VMPKRAM_A_EXTENT_LEN), "extent-len"),
	       "pool and file attributes have names");
}

int main(void)
{
	test_valid();
	test_unformatted();
	test_missing();
	test_name();
	test_range();
	test_space();
	test_reason();
	test_ntf();
	test_copy();
	test_no_kernel();
	test_names();
	return tap_exit();
}
