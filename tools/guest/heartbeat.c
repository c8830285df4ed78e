// SPDX-License-Identifier: GPL-2.0-only
/*
 * heartbeat: the workload of the end-to-end test guest (L2).  Started by
 * the guest initramfs' /init, it fills a few hundred MiB of RAM with a
 * seeded pattern, then, several times a second, prints a heartbeat line
 * on the console with a counter kept in RAM and the uptime, and verifies
 * a slice of the pattern on every tick, so that a whole pass over it ends
 * every few seconds with a check line.  A guest that is saved and resumed
 * without losing RAM or state continues the counter; one that rebooted
 * starts at 1 again and prints its start line anew.
 *
 * Lines (the host-side checks parse them; keep them stable):
 *   heartbeat: start seed=S mib=N hz=H
 *   heartbeat: filled N MiB in T s
 *   hb COUNT up SECONDS
 *   check PASS ok N MiB
 *   check PASS FAIL word W (offset O): got X, expected Y
 *
 * Parameters come from the environment (the kernel hands unknown
 * "NAME=value" arguments of its command line to init): HB_SEED (pattern
 * seed, default 1), HB_MIB (MiB of pattern, default 256), HB_HZ
 * (heartbeats a second, default 5), HB_CHECK_MIB (MiB verified per tick,
 * default 16).
 *
 * Built static (gcc -static), it runs as the only process of the guest
 * besides busybox.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MIB		(1024UL * 1024)
#define WORDS_PER_MIB	(MIB / sizeof(uint64_t))

static unsigned long env_ulong(const char *name, unsigned long def,
			       unsigned long min, unsigned long max)
{
	const char *s = getenv(name);
	unsigned long v;
	char *end;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v < min || v > max) {
		fprintf(stderr, "heartbeat: %s=%s is not in [%lu, %lu], using %lu\n",
			name, s, min, max, def);
		return def;
	}
	return v;
}

/* The pattern word at index i: splitmix64 of (seed, i), never all zero. */
static uint64_t pattern(uint64_t seed, uint64_t i)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL + i + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z ? z : 1;
}

static double boottime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleep until the absolute CLOCK_MONOTONIC time *next, then advance it. */
static void tick_wait(struct timespec *next, long period_ns)
{
	struct timespec now;

	next->tv_nsec += period_ns;
	while (next->tv_nsec >= 1000000000L) {
		next->tv_nsec -= 1000000000L;
		next->tv_sec++;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	/*
	 * After a long pause (the guest was stopped, or the host was slow)
	 * start the schedule afresh instead of printing a burst.
	 */
	if (now.tv_sec > next->tv_sec + 1) {
		*next = now;
		return;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR)
		;
}

int main(void)
{
	unsigned long seed = env_ulong("HB_SEED", 1, 0, ULONG_MAX);
	unsigned long mib = env_ulong("HB_MIB", 256, 1, 1UL << 20);
	unsigned long hz = env_ulong("HB_HZ", 5, 1, 1000);
	unsigned long slice = env_ulong("HB_CHECK_MIB", 16, 1, 1UL << 20);
	uint64_t nwords = mib * WORDS_PER_MIB, pos = 0, i;
	uint64_t count = 0, pass = 0, bad = 0;
	struct timespec next;
	uint64_t *mem;
	double t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("heartbeat: start seed=%lu mib=%lu hz=%lu\n", seed, mib, hz);
	mem = mmap(NULL, mib * MIB, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED) {
		printf("heartbeat: cannot map %lu MiB: %s\n", mib, strerror(errno));
		return 1;
	}
	t0 = boottime();
	for (i = 0; i < nwords; i++)
		mem[i] = pattern(seed, i);
	printf("heartbeat: filled %lu MiB in %.2f s\n", mib, boottime() - t0);

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		uint64_t end = pos + slice * WORDS_PER_MIB;

		count++;
		printf("hb %" PRIu64 " up %.3f\n", count, boottime());
		if (end > nwords)
			end = nwords;
		for (i = pos; i < end; i++) {
			if (mem[i] != pattern(seed, i) && !bad++)
				printf("check %" PRIu64 " FAIL word %" PRIu64
				       " (offset %" PRIu64 "): got %#" PRIx64
				       ", expected %#" PRIx64 "\n", pass + 1, i,
				       i * 8, mem[i], pattern(seed, i));
		}
		pos = end;
		if (pos == nwords) {
			pass++;
			if (!bad)
				printf("check %" PRIu64 " ok %lu MiB\n", pass, mib);
			else
				printf("check %" PRIu64 " FAIL %" PRIu64 " words\n",
				       pass, bad);
			pos = 0;
			bad = 0;
		}
		tick_wait(&next, 1000000000L / hz);
	}
}
