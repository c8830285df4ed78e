// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl kexec exec: the point of no return.  Everything that can be
 * checked is checked first; the pools are sealed again because a pool
 * unsealed (or attached) since kexec load must not reach the next kernel
 * with metadata in flux.
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "kexec_sys.h"

#define KEXEC_LOADED	"/sys/kernel/kexec_loaded"

static int check_loaded(struct ctl *ctl)
{
	int ret = kexec_read_flag(KEXEC_LOADED);

	if (ret < 0)
		return ctl_fail_plain(ctl, "kexec exec: " KEXEC_LOADED, ret,
				      NULL);
	if (!ret)
		return ctl_fail_plain(ctl, "kexec exec", -ENOENT,
				      "no kernel is loaded: run " PROG " kexec load first");
	return 0;
}

static int seal(struct ctl *ctl)
{
	int ret;

	if (!kexec_have_pools(ctl))
		return 0;
	ret = vmpkram_pool_seal(ctl->lib, NULL, NULL);
	if (ret)
		return ctl_fail(ctl, "kexec exec: pool seal", ret,
				"nothing was booted");
	return 0;
}

int cmd_kexec_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		   char **argv)
{
	int ret;

	ret = ctl_no_args(ctl, cmd, argc, argv);
	if (ret >= 0)
		return ret;
	ret = check_loaded(ctl);
	if (!ret && !kexec_has_cap(CAP_SYS_BOOT))
		ret = ctl_fail_plain(ctl, "kexec exec", -EPERM,
				     "needs CAP_SYS_BOOT: run it as root");
	if (!ret)
		ret = seal(ctl);
	if (ret)
		return ret;
	fprintf(stderr, PROG ": booting the loaded kernel\n");
	fflush(NULL);
	sync();
	reboot(LINUX_REBOOT_CMD_KEXEC);
	return ctl_fail_plain(ctl, "kexec exec: reboot", -errno,
			      "the pools stay sealed: " PROG " kexec unload undoes the load");
}
