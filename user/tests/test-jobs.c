// SPDX-License-Identifier: GPL-2.0-only
/*
 * Job attribute parsing with crafted generic netlink messages, for the
 * GET_JOBS dump (address required) and the JOB_NTF event (address
 * forbidden): every attribute missing, of the wrong length, out of range,
 * and the error attribute against the state.
 */
#include <errno.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "jobs.h"
#include "crafted.h"
#include "tap.h"



static const uint32_t id = 7, type_write = VMPKRAM_JOB_PREFAULT_WRITE;
static const uint32_t running = VMPKRAM_JOB_RUNNING, caller = 100;
static const uint32_t target = 200, threads = 2;
static const uint64_t addr = 0x7f0000000000ULL, len = 1ULL << 30;
static const uint64_t done = 1ULL << 29, elapsed = 500000000ULL;

/*
 * A RUNNING job for @cmd without @drop, with @extra replacing/added,
 * parsed expecting @expect.
 */
static int parse_cmd(unsigned int cmd, unsigned int expect,
		     const struct attr *extra, int n_extra, int drop,
		     struct vmpkram_job *job, char *why, size_t why_size)
{
	const struct attr base[] = {
		{ VMPKRAM_A_JOB_ID, &id, 4 },
		{ VMPKRAM_A_JOB_TYPE, &type_write, 4 },
		{ VMPKRAM_A_JOB_STATE, &running, 4 },
		{ VMPKRAM_A_JOB_CALLER_PID, &caller, 4 },
		{ VMPKRAM_A_JOB_TARGET_PID, &target, 4 },
		{ VMPKRAM_A_JOB_THREADS, &threads, 4 },
		{ VMPKRAM_A_JOB_LEN, &len, 8 },
		{ VMPKRAM_A_JOB_DONE, &done, 8 },
		{ VMPKRAM_A_JOB_ELAPSED_NS, &elapsed, 8 },
		{ VMPKRAM_A_JOB_ADDR, &addr, 8 },
	};
	int nbase = sizeof(base) / sizeof(base[0]);
	struct nl_msg *msg;
	int ret;

	/* Notifications carry no address (the last base attribute). */
	if (cmd == VMPKRAM_CMD_JOB_NTF)
		nbase--;
	msg = crafted_msg(cmd, base, nbase, drop, extra, n_extra);
	if (!msg)
		return -ENOMEM;
	ret = vmpkram_job_from_msg(nlmsg_hdr(msg), expect, job, why,
				   why_size);
	nlmsg_free(msg);
	return ret;
}

static int parse_job(unsigned int cmd, const struct attr *extra, int n_extra,
		     int drop, struct vmpkram_job *job, char *why,
		     size_t why_size)
{
	return parse_cmd(cmd, cmd, extra, n_extra, drop, job, why, why_size);
}

static int parse1(unsigned int cmd, int type, const void *data, int n,
		  char *why, size_t why_size)
{
	const struct attr a = { type, data, n };
	struct vmpkram_job job;

	return parse_job(cmd, &a, 1, -1, &job, why, why_size);
}

static void test_valid(void)
{
	static const uint32_t failed = VMPKRAM_JOB_FAILED, enomem = ENOMEM;
	const struct attr fail[] = {
		{ VMPKRAM_A_JOB_STATE, &failed, 4 },
		{ VMPKRAM_A_JOB_ERROR, &enomem, 4 },
	};
	struct vmpkram_job job;
	char why[128];
	int ret;

	memset(&job, 0xff, sizeof(job));
	ret = parse_job(VMPKRAM_CMD_GET_JOBS, NULL, 0, -1, &job, why,
			sizeof(why));
	tap_ok(ret == 0, "a well-formed dumped job parses");
	tap_ok(job.size == sizeof(job) && job.id == 7 &&
	       job.type == VMPKRAM_JOB_PREFAULT_WRITE &&
	       job.state == VMPKRAM_JOB_RUNNING && job.caller_pid == 100 &&
	       job.target_pid == 200 && job.threads == 2 && job.addr == addr &&
	       job.len == len && job.done == done &&
	       job.elapsed_ns == elapsed && job.error == 0,
	       "every field of the dumped job is filled");

	memset(&job, 0xff, sizeof(job));
	ret = parse_job(VMPKRAM_CMD_JOB_NTF, NULL, 0, -1, &job, why,
			sizeof(why));
	tap_ok(ret == 0 && job.addr == 0 && job.len == len,
	       "a notification without an address parses, addr 0");

	ret = parse_job(VMPKRAM_CMD_JOB_NTF, fail, 2, -1, &job, why,
			sizeof(why));
	tap_ok(ret == 0 && job.state == VMPKRAM_JOB_FAILED &&
	       job.error == ENOMEM, "a failed job carries its errno");

	ret = parse_cmd(VMPKRAM_CMD_JOB_NTF, VMPKRAM_CMD_GET_JOBS, NULL, 0, -1,
			&job, why, sizeof(why));
	tap_ok(ret == -EBADMSG && strstr(why, "command"),
	       "a message for another command is rejected (%s)", why);
}

static void test_missing(void)
{
	struct vmpkram_job job;
	char why[128];
	int type, ret;

	for (type = VMPKRAM_A_JOB_ID; type <= VMPKRAM_A_JOB_ELAPSED_NS;
	     type++) {
		if (type == VMPKRAM_A_JOB_ERROR)
			continue;
		ret = parse_job(VMPKRAM_CMD_GET_JOBS, NULL, 0, type, &job, why,
				sizeof(why));
		tap_ok(ret == -ENODATA && strstr(why, "missing"),
		       "dump without attribute %d is -ENODATA (%s)", type, why);
	}
}

static void test_bad(void)
{
	static const uint32_t zero = 0, big_threads = VMPKRAM_WORKERS_LIMIT + 1;
	static const uint32_t bad_type = VMPKRAM_JOB_SCRUB + 1;
	static const uint32_t bad_state = VMPKRAM_JOB_CANCELLED + 1;
	static const uint32_t failed = VMPKRAM_JOB_FAILED, eio = EIO;
	static const uint64_t more = (1ULL << 30) + 1, zero64 = 0;
	static const uint64_t high = UINT64_MAX - (1ULL << 29);
	static const uint32_t errno_big = VMPKRAM_JOB_ERRNO_MAX + 1;
	const struct attr big_errno[] = {
		{ VMPKRAM_A_JOB_STATE, &failed, 4 },
		{ VMPKRAM_A_JOB_ERROR, &errno_big, 4 },
	};
	const unsigned int d = VMPKRAM_CMD_GET_JOBS, n = VMPKRAM_CMD_JOB_NTF;
	struct vmpkram_job job;
	char why[128];

	tap_ok(parse1(d, VMPKRAM_A_JOB_ID, &len, 8, why, sizeof(why)) ==
	       -EBADMSG, "64-bit job-id is -EBADMSG (%s)", why);
	tap_ok(parse1(d, VMPKRAM_A_JOB_LEN, &id, 4, why, sizeof(why)) ==
	       -EBADMSG, "32-bit job-len is -EBADMSG (%s)", why);
	tap_ok(parse1(d, VMPKRAM_A_JOB_TYPE, &bad_type, 4, why, sizeof(why)) ==
	       -ERANGE, "unknown job-type is -ERANGE (%s)", why);
	tap_ok(parse1(d, VMPKRAM_A_JOB_STATE, &bad_state, 4, why,
		      sizeof(why)) == -ERANGE,
	       "unknown job-state is -ERANGE (%s)", why);
	tap_ok(parse1(d, VMPKRAM_A_JOB_CALLER_PID, &zero, 4, why,
		      sizeof(why)) == -ERANGE,
	       "caller pid 0 is -ERANGE (%s)", why);
	tap_ok(parse1(d, VMPKRAM_A_JOB_THREADS, &zero, 4, why, sizeof(why)) ==
	       -ERANGE, "0 threads is -ERANGE (%s)", why);
	tap_ok(parse1(d, VMPKRAM_A_JOB_THREADS, &big_threads, 4, why,
		      sizeof(why)) == -ERANGE,
	       "threads above the limit is -ERANGE (%s)", why);
	tap_ok(parse1(d, VMPKRAM_A_JOB_LEN, &zero64, 8, why, sizeof(why)) ==
	       -ERANGE, "job-len 0 is -ERANGE (%s)", why);
	tap_ok(parse1(d, VMPKRAM_A_JOB_DONE, &more, 8, why, sizeof(why)) ==
	       -ERANGE, "done above len is -ERANGE (%s)", why);
	tap_ok(parse1(d, VMPKRAM_A_JOB_ADDR, &high, 8, why, sizeof(why)) ==
	       -ERANGE, "a range wrapping past 2^64 is -ERANGE (%s)", why);
	tap_ok(parse1(n, VMPKRAM_A_JOB_ADDR, &addr, 8, why, sizeof(why)) ==
	       -EBADMSG && strstr(why, "notification"),
	       "an address in a notification is -EBADMSG (%s)", why);
	tap_ok(parse1(n, VMPKRAM_A_JOB_STATE, &failed, 4, why, sizeof(why)) ==
	       -EBADMSG, "a failed job without errno is -EBADMSG (%s)", why);
	tap_ok(parse1(n, VMPKRAM_A_JOB_ERROR, &eio, 4, why, sizeof(why)) ==
	       -EBADMSG, "a running job with an errno is -EBADMSG (%s)", why);
	tap_ok(parse_job(n, big_errno, 2, -1, &job, why, sizeof(why)) ==
	       -ERANGE, "an errno above 4095 is -ERANGE (%s)", why);
}

int main(void)
{
	test_valid();
	test_missing();
	test_bad();
	return tap_exit();
}
