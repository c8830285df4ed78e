// SPDX-License-Identifier: GPL-2.0
/*
 * Run-time parameters: the module parameters given at load time and what
 * an admin changes later through netlink (VMPKRAM_CMD_SET_PARAMS).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>

#include "vmpkram.h"

/* 0 means "one worker per online CPU", resolved when it is read. */
static unsigned int max_workers;

static int max_workers_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int ret;

	ret = kstrtouint(val, 0, &n);
	if (ret || n > VMPKRAM_WORKERS_LIMIT) {
		pr_err("max_workers=%s is invalid: use 0 (one per online CPU) or 1..%u\n",
		       val, VMPKRAM_WORKERS_LIMIT);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops max_workers_ops = {
	.set = max_workers_set,
	.get = param_get_uint,
};

/*
 * Read-only in sysfs: changes after load go through netlink so that every
 * change is announced on the events group.
 */
module_param_cb(max_workers, &max_workers_ops, &max_workers, 0444);
MODULE_PARM_DESC(max_workers,
		 "Kernel workers per job: 0 = one per online CPU (default), at most "
		 __stringify(VMPKRAM_WORKERS_LIMIT));

unsigned int vmpkram_max_workers(void)
{
	unsigned int n = READ_ONCE(max_workers);

	if (!n)
		n = num_online_cpus();
	return min_t(unsigned int, n, VMPKRAM_WORKERS_LIMIT);
}

/* 0 restores the default.  The netlink policy validated the range. */
void vmpkram_set_max_workers(unsigned int workers)
{
	WRITE_ONCE(max_workers, workers);
}
