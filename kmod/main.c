// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkram: fast prefault of VM memory and guest RAM that survives kexec.
 *
 * Init is linear and each step is undone, in reverse, by exit and by the
 * error path.  The netlink family is registered last: resolving it is how
 * userspace finds (and autoloads) the module, so everything it reaches must
 * already be up.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include "job.h"
#include "pool.h"
#include "vmpkram.h"

static int __init vmpkram_init(void)
{
	int ret;

	ret = vmpkram_job_init();
	if (ret)
		goto err_job;

	/* Nothing to undo: it only looks /proc/PID/mem up. */
	ret = vmpkram_prefault_init();
	if (ret)
		goto err_chardev;

	ret = vmpkram_chardev_init();
	if (ret)
		goto err_chardev;

	ret = vmpkram_pools_init();
	if (ret)
		goto err_pools;

	ret = vmpkram_fs_init();
	if (ret)
		goto err_fs;

	vmpkram_bench_init();

	ret = vmpkram_netlink_init();
	if (ret)
		goto err_netlink;

	pr_info("version %s loaded, API %u, up to %u workers per job\n",
		VMPKRAM_MODULE_VERSION, VMPKRAM_API_VERSION,
		vmpkram_max_workers());
	return 0;

err_netlink:
	vmpkram_bench_exit();
	vmpkram_fs_exit();
err_fs:
	vmpkram_pools_exit();
err_pools:
	vmpkram_chardev_exit();
err_chardev:
	vmpkram_job_exit();
err_job:
	return ret;
}

static void __exit vmpkram_exit(void)
{
	vmpkram_netlink_exit();
	vmpkram_bench_exit();
	vmpkram_fs_exit();
	vmpkram_pools_exit();
	vmpkram_chardev_exit();
	vmpkram_job_exit();
}

module_init(vmpkram_init);
module_exit(vmpkram_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("vmpkram developers");
MODULE_DESCRIPTION("Parallel prefault and kexec-persistent RAM for virtual machines");
MODULE_VERSION(VMPKRAM_MODULE_VERSION);
MODULE_ALIAS_GENL_FAMILY(VMPKRAM_GENL_NAME);
