// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kexec system interface of vmpkramctl (ctl/kexec_sys.h) on fake
 * data: nothing is loaded or booted.
 */
#include <errno.h>
#include <linux/kexec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "kexec_sys.h"

int kexec_file_load_fd(int kfd, int ifd, const char *cmdline,
		       unsigned long flags)
{
	int ret = fake_call(F_FILE_LOAD);

	(void)kfd;
	(void)ifd;
	if (ret)
		return ret;
	fake.file_load_flags = flags;
	snprintf(fake.file_load_cmdline, sizeof(fake.file_load_cmdline), "%s",
		 cmdline ? cmdline : "");
	fake.kexec_loaded = !(flags & KEXEC_FILE_UNLOAD);
	return 0;
}

int kexec_read_flag(const char *path)
{
	if (strcmp(path, "/sys/kernel/kexec_loaded"))
		return 0;
	return fake_call(F_READ_LOADED) ?: fake.kexec_loaded;
}

bool kexec_has_cap(int cap)
{
	(void)cap;
	return fake.cap;
}

int kexec_running_cmdline(char **out)
{
	*out = strdup(fake.cmdline);
	return *out ? 0 : -ENOMEM;
}

int kexec_boot_id(char *buf, size_t size)
{
	int ret = fake_call(F_BOOT_ID);

	if (!ret)
		snprintf(buf, size, "%s", fake.boot_id);
	return ret;
}

const char *kexec_state_dir(void)
{
	return fake.state_dir;
}

int kexec_reboot(void)
{
	/* A reboot that fails: the command must report it. */
	return fake_call(F_REBOOT) ?: -EINVAL;
}
