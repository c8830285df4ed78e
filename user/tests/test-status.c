// SPDX-License-Identifier: GPL-2.0-only
/*
 * Status attribute parsing with crafted generic netlink messages: every
 * attribute missing, of the wrong length, out of range, and the module
 * version unterminated, empty or too long; the optional job count and
 * fault counters.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "status.h"
#include "crafted.h"
#include "tap.h"



static const uint32_t u32_api = 1, u32_max = 8, u32_limit = 1024;
static const uint32_t u32_pools = 0, u32_zero = 0, u32_big = 2048;
static const uint64_t u64_features = VMPKRAM_FEATURE_NETLINK;
static const char version[] = "0.1.0";

/*
 * A well-formed status for @cmd without attribute @drop, @extra appended
 * (replacing base attributes of the same type), parsed expecting @expect.
 */
static int parse_cmd(const struct attr *extra, int n_extra, int drop,
		     unsigned int cmd, unsigned int expect,
		     struct vmpkram_status *st, char *why, size_t why_size)
{
	const struct attr base[] = {
		{ VMPKRAM_A_API_VERSION, &u32_api, 4 },
		{ VMPKRAM_A_MODULE_VERSION, version, sizeof(version) },
		{ VMPKRAM_A_FEATURES, &u64_features, 8 },
		{ VMPKRAM_A_MAX_WORKERS, &u32_max, 4 },
		{ VMPKRAM_A_WORKERS_LIMIT, &u32_limit, 4 },
		{ VMPKRAM_A_NR_POOLS, &u32_pools, 4 },
	};
	struct nl_msg *msg;
	int ret;

	msg = crafted_msg(cmd, base, sizeof(base) / sizeof(base[0]), drop,
			  extra, n_extra);
	if (!msg)
		return -ENOMEM;
	ret = vmpkram_status_from_msg(nlmsg_hdr(msg), expect, st, why,
				      why_size);
	nlmsg_free(msg);
	return ret;
}

static int parse_with(const struct attr *extra, int n_extra, int drop,
		      unsigned int cmd, struct vmpkram_status *st, char *why,
		      size_t why_size)
{
	return parse_cmd(extra, n_extra, drop, cmd, cmd, st, why, why_size);
}

static int parse1(int type, const void *data, int len, char *why,
		  size_t why_size)
{
	const struct attr a = { type, data, len };
	struct vmpkram_status st;

	return parse_with(&a, 1, -1, VMPKRAM_CMD_GET_STATUS, &st, why,
			  why_size);
}

static void test_valid(void)
{
	static const uint64_t pad = 0;
	const struct attr extra[] = {
		{ VMPKRAM_A_PAD, &pad, 0 },
		{ VMPKRAM_A_MAX + 5, &u32_api, 4 },	/* newer attribute */
	};
	struct vmpkram_status st;
	char why[128];
	int ret;

	memset(&st, 0xff, sizeof(st));
	ret = parse_with(NULL, 0, -1, VMPKRAM_CMD_GET_STATUS, &st, why,
			 sizeof(why));
	tap_ok(ret == 0, "a well-formed status parses");
	tap_ok(st.size == sizeof(st) && st.api_version == 1 &&
	       st.features == VMPKRAM_FEATURE_NETLINK && st.max_workers == 8 &&
	       st.workers_limit == 1024 && st.nr_pools == 0 && st.__pad == 0 &&
	       !strcmp(st.module_version, version),
	       "every field is filled");

	ret = parse_with(extra, 2, -1, VMPKRAM_CMD_STATUS_NTF, &st, why,
			 sizeof(why));
	tap_ok(ret == 0, "PAD and unknown newer attributes are ignored");

	ret = parse_cmd(NULL, 0, -1, VMPKRAM_CMD_SET_PARAMS,
			VMPKRAM_CMD_STATUS_NTF, &st, why, sizeof(why));
	tap_ok(ret == -EBADMSG && strstr(why, "command"),
	       "a message for another command is rejected");
}

static void test_missing(void)
{
	struct vmpkram_status st;
	char why[128];
	int type, ret;

	for (type = VMPKRAM_A_API_VERSION; type <= VMPKRAM_A_NR_POOLS; type++) {
		ret = parse_with(NULL, 0, type, VMPKRAM_CMD_GET_STATUS, &st,
				 why, sizeof(why));
		tap_ok(ret == -ENODATA && strstr(why, "missing"),
		       "missing attribute %d is -ENODATA (%s)", type, why);
	}
}

static void test_lengths(void)
{
	static const uint64_t u64 = 1;
	static const uint16_t u16 = 1;
	char why[128];

	tap_ok(parse1(VMPKRAM_A_API_VERSION, &u16, 2, why, sizeof(why)) ==
	       -EBADMSG, "short api-version is -EBADMSG (%s)", why);
	tap_ok(parse1(VMPKRAM_A_MAX_WORKERS, &u64, 8, why, sizeof(why)) ==
	       -EBADMSG, "long max-workers is -EBADMSG (%s)", why);
	tap_ok(parse1(VMPKRAM_A_FEATURES, &u32_api, 4, why, sizeof(why)) ==
	       -EBADMSG, "32-bit features is -EBADMSG (%s)", why);
	tap_ok(parse1(VMPKRAM_A_NR_POOLS, &u32_api, 0, why, sizeof(why)) ==
	       -EBADMSG, "empty nr-pools is -EBADMSG (%s)", why);
}

static void test_strings(void)
{
	char fits[64], too_long[65], why[128];

	tap_ok(parse1(VMPKRAM_A_MODULE_VERSION, "0.1.0", 5, why,
		      sizeof(why)) == -EBADMSG,
	       "unterminated module-version is -EBADMSG (%s)", why);
	tap_ok(parse1(VMPKRAM_A_MODULE_VERSION, "0.1\0x", 6, why,
		      sizeof(why)) == -EBADMSG,
	       "module-version with an embedded NUL is -EBADMSG");
	tap_ok(parse1(VMPKRAM_A_MODULE_VERSION, "", 1, why, sizeof(why)) ==
	       -ERANGE, "empty module-version is -ERANGE (%s)", why);

	memset(fits, 'v', sizeof(fits) - 1);
	fits[sizeof(fits) - 1] = '\0';
	tap_ok(parse1(VMPKRAM_A_MODULE_VERSION, fits, sizeof(fits), why,
		      sizeof(why)) == 0, "63-character module-version fits");

	memset(too_long, 'v', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	tap_ok(parse1(VMPKRAM_A_MODULE_VERSION, too_long, sizeof(too_long),
		      why, sizeof(why)) == -ERANGE,
	       "64-character module-version is -ERANGE (%s)", why);
}

static void test_ranges(void)
{
	static const uint32_t four = 4;
	const struct attr small_limit[] = {
		{ VMPKRAM_A_WORKERS_LIMIT, &four, 4 },
	};
	struct vmpkram_status st;
	char why[128];

	tap_ok(parse1(VMPKRAM_A_API_VERSION, &u32_zero, 4, why, sizeof(why)) ==
	       -ERANGE, "api-version 0 is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_MAX_WORKERS, &u32_zero, 4, why, sizeof(why)) ==
	       -ERANGE, "max-workers 0 is -ERANGE (%s)", why);
	tap_ok(parse1(VMPKRAM_A_MAX_WORKERS, &u32_big, 4, why, sizeof(why)) ==
	       -ERANGE, "max-workers above workers-limit is -ERANGE (%s)",
	       why);
	tap_ok(parse1(VMPKRAM_A_WORKERS_LIMIT, &u32_zero, 4, why,
		      sizeof(why)) == -ERANGE,
	       "workers-limit 0 is -ERANGE (%s)", why);
	tap_ok(parse_with(small_limit, 1, -1, VMPKRAM_CMD_GET_STATUS, &st, why,
			  sizeof(why)) == -ERANGE,
	       "max-workers 8 with workers-limit 4 is -ERANGE (%s)", why);
}

static void test_nr_jobs(void)
{
	static const uint32_t three = 3;
	static const uint64_t u64 = 3;
	const struct attr jobs[] = { { VMPKRAM_A_NR_JOBS, &three, 4 } };
	struct vmpkram_status st;
	char why[128];

	memset(&st, 0xff, sizeof(st));
	tap_ok(parse_with(NULL, 0, -1, VMPKRAM_CMD_GET_STATUS, &st, why,
			  sizeof(why)) == 0 && st.nr_jobs == 0 && st.__pad2 == 0,
	       "a status without nr-jobs (older module) has nr_jobs 0");
	tap_ok(parse_with(jobs, 1, -1, VMPKRAM_CMD_STATUS_NTF, &st, why,
			  sizeof(why)) == 0 && st.nr_jobs == 3,
	       "nr-jobs is parsed");
	tap_ok(parse1(VMPKRAM_A_NR_JOBS, &u64, 8, why, sizeof(why)) ==
	       -EBADMSG, "64-bit nr-jobs is -EBADMSG (%s)", why);
}

static void test_faults(void)
{
	static const uint64_t pte = 123, pmd = 32, pud = 1;
	static const uint32_t u32 = 5;
	const struct attr all[] = {
		{ VMPKRAM_A_FAULTS_PTE, &pte, 8 },
		{ VMPKRAM_A_FAULTS_PMD, &pmd, 8 },
		{ VMPKRAM_A_FAULTS_PUD, &pud, 8 },
	};
	const struct attr short_pmd[] = {
		{ VMPKRAM_A_FAULTS_PTE, &pte, 8 },
		{ VMPKRAM_A_FAULTS_PMD, &u32, 4 },
		{ VMPKRAM_A_FAULTS_PUD, &pud, 8 },
	};
	struct vmpkram_status st;
	char why[128];

	memset(&st, 0xff, sizeof(st));
	tap_ok(parse_with(NULL, 0, -1, VMPKRAM_CMD_GET_STATUS, &st, why,
			  sizeof(why)) == 0 && st.faults_pte == 0 &&
	       st.faults_pmd == 0 && st.faults_pud == 0,
	       "a status without fault counters (older module) has them 0");
	memset(&st, 0, sizeof(st));
	tap_ok(parse_with(all, 3, -1, VMPKRAM_CMD_GET_STATUS, &st, why,
			  sizeof(why)) == 0 && st.faults_pte == 123 &&
	       st.faults_pmd == 32 && st.faults_pud == 1,
	       "the three fault counters are parsed");
	tap_ok(parse_with(all, 3, -1, VMPKRAM_CMD_STATUS_NTF, &st, why,
			  sizeof(why)) == 0 && st.faults_pmd == 32,
	       "... also from a status event");
	tap_ok(parse_with(all, 1, -1, VMPKRAM_CMD_GET_STATUS, &st, why,
			  sizeof(why)) == -ENODATA && strstr(why, "faults-pmd"),
	       "faults-pte without the others is -ENODATA (%s)", why);
	tap_ok(parse_with(all + 2, 1, -1, VMPKRAM_CMD_GET_STATUS, &st, why,
			  sizeof(why)) == -ENODATA && strstr(why, "faults-pte"),
	       "faults-pud without the others is -ENODATA (%s)", why);
	tap_ok(parse_with(short_pmd, 3, -1, VMPKRAM_CMD_GET_STATUS, &st, why,
			  sizeof(why)) == -EBADMSG && strstr(why, "faults-pmd"),
	       "32-bit faults-pmd is -EBADMSG (%s)", why);
}

/* A caller built against LIBVMPKRAM_2 has no room for the counters. */
static void test_copy_v2(void)
{
	struct vmpkram_status src = {
		.size = sizeof(src), .nr_jobs = 5, .faults_pte = 7,
		.faults_pmd = 8, .faults_pud = 9,
	};
	union {
		struct vmpkram_status st;
		char bytes[sizeof(struct vmpkram_status)];
	} dst;
	size_t v2 = offsetof(struct vmpkram_status, faults_pte), i;
	int canary = 1;

	memset(&dst, 0xaa, sizeof(dst));
	dst.st.size = v2;
	tap_ok(vmpkram_status_copy(&src, &dst.st) == 0 &&
	       dst.st.size == v2 && dst.st.nr_jobs == 5,
	       "copy to a LIBVMPKRAM_2 struct fills what it knows");
	for (i = v2; i < sizeof(dst); i++)
		canary &= dst.bytes[i] == (char)0xaa;
	tap_ok(canary, "copy to a LIBVMPKRAM_2 struct writes no fault counter");

	memset(&dst, 0, sizeof(dst));
	dst.st.size = sizeof(dst.st);
	tap_ok(vmpkram_status_copy(&src, &dst.st) == 0 &&
	       dst.st.faults_pte == 7 && dst.st.faults_pmd == 8 &&
	       dst.st.faults_pud == 9,
	       "copy to a current struct has the fault counters");
}

static void test_copy_v1(void)
{
	struct vmpkram_status src = {
		.size = sizeof(src), .max_workers = 2, .nr_jobs = 5,
	};
	/* A caller built before nr_jobs, and a canary after its struct. */
	union {
		struct vmpkram_status st;
		char bytes[sizeof(struct vmpkram_status)];
	} dst;
	size_t v1 = VMPKRAM_STATUS_SIZE_V1, i;
	int canary = 1;

	memset(&dst, 0xaa, sizeof(dst));
	dst.st.size = v1;
	tap_ok(vmpkram_status_copy(&src, &dst.st) == 0 &&
	       dst.st.size == v1 && dst.st.max_workers == 2,
	       "copy to a first-version struct fills what it knows");
	for (i = v1; i < sizeof(dst); i++)
		canary &= dst.bytes[i] == (char)0xaa;
	tap_ok(canary, "copy to a first-version struct writes nothing past it");
}

static void test_raw(void)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1] = { 0 };
	/* Two bytes of a four-byte generic netlink header. */
	struct {
		struct nlmsghdr nlh;
		uint8_t genl[4];
	} shortmsg = {
		.nlh = { .nlmsg_len = NLMSG_HDRLEN + 2, .nlmsg_type = FAMILY },
	};
	struct vmpkram_status st;
	char why[128];

	tap_ok(vmpkram_status_from_attrs(tb, &st, NULL, 0) == -ENODATA,
	       "no attributes at all is -ENODATA, without a reason buffer");
	tap_ok(vmpkram_status_from_msg(&shortmsg.nlh, VMPKRAM_CMD_GET_STATUS,
				       &st, why, sizeof(why)) == -EBADMSG,
	       "a truncated generic netlink header is -EBADMSG (%s)", why);
}

static void test_copy(void)
{
	struct vmpkram_status src = {
		.size = sizeof(src), .api_version = 1, .max_workers = 2,
		.workers_limit = 4, .module_version = "x",
	};
	struct {
		struct vmpkram_status st;
		uint64_t newer;
	} big;
	struct vmpkram_status small = { .size = 8 };

	tap_ok(vmpkram_status_copy(&src, &small) == -EINVAL,
	       "copy to a struct below the first version is -EINVAL");
	memset(&big, 0xff, sizeof(big));
	big.st.size = sizeof(big);
	tap_ok(vmpkram_status_copy(&src, &big.st) == 0 &&
	       big.st.size == sizeof(big) && big.st.max_workers == 2 &&
	       big.newer == 0,
	       "copy to a newer, larger struct keeps its size, zeroes the rest");
}

int main(void)
{
	test_valid();
	test_missing();
	test_lengths();
	test_strings();
	test_ranges();
	test_raw();
	test_copy();
	test_nr_jobs();
	test_copy_v1();
	test_faults();
	test_copy_v2();
	return tap_exit();
}
