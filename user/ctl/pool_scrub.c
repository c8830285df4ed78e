// SPDX-License-Identifier: GPL-2.0-only
/*
 * Progress while pools finish zeroing freed blocks.  Seal (and so kexec
 * load) waits in the kernel for the scrubbing, which takes seconds per
 * GiB on a slow machine; polling the pools' scrub-pending bytes first
 * shows the operator why.  Failures here only end the wait: the seal that
 * follows reports whatever is wrong.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "vmpkramctl.h"

static int sum_pending(const struct vmpkram_pool *pool, void *arg)
{
	*(uint64_t *)arg += pool->scrub_pending;
	return 0;
}

/* Bytes still to be zeroed in pool @name (NULL: all), or 0 on failure. */
static uint64_t pending(struct ctl *ctl, const char *name)
{
	struct vmpkram_pool pool = { .size = sizeof(pool) };
	uint64_t sum = 0;

	if (name)
		return vmpkram_pool_get(ctl->lib, name, &pool) ? 0 :
							     pool.scrub_pending;
	return vmpkram_pool_list(ctl->lib, sum_pending, &sum) < 0 ? 0 : sum;
}

static void draw(uint64_t left, uint64_t total)
{
	char l[32], text[48];

	ctl_size_text(left, l, sizeof(l));
	snprintf(text, sizeof(text), "%s left", l);
	ctl_progress("scrubbing freed blocks", (double)(total - left) / total,
		     text);
}

void ctl_pool_wait_scrub(struct ctl *ctl, const char *name)
{
	const struct timespec tick = { .tv_nsec = 200 * 1000 * 1000 };
	uint64_t total, left;

	if (ctl->json || !isatty(STDERR_FILENO) || ctl_lib(ctl))
		return;
	total = left = pending(ctl, name);
	while (left) {
		if (left > total)
			total = left;
		draw(left, total);
		nanosleep(&tick, NULL);
		left = pending(ctl, name);
	}
	if (total)
		ctl_progress_clear();
}
