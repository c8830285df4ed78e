// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's kexec interfaces for vmpkramctl kexec: kexec_file_load(2)
 * called directly (kexec-tools is never run: its kexec_load path may put
 * the new kernel inside a pool) and the facts checked around it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kexec_sys.h"

#define BOOT_ID		"/proc/sys/kernel/random/boot_id"

int kexec_file_load_fd(int kfd, int ifd, const char *cmdline,
		       unsigned long flags)
{
	unsigned long len = cmdline ? strlen(cmdline) + 1 : 0;

	if (syscall(SYS_kexec_file_load, kfd, ifd, len, cmdline, flags))
		return -errno;
	return 0;
}

int kexec_read_flag(const char *path)
{
	char buf[16] = "";
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	return atoi(buf) ? 1 : 0;
}

bool kexec_has_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };

	/* glibc has no capget() wrapper; libcap is not worth a dependency. */
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

/* The first line of @path without its newline, malloc'd; 0 or -errno. */
static int read_line(const char *path, char **out)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t n;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = getline(&line, &size, f);
	fclose(f);
	if (n < 0) {
		free(line);
		return -EIO;
	}
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
	*out = line;
	return 0;
}

int kexec_running_cmdline(char **out)
{
	return read_line("/proc/cmdline", out);
}

int kexec_boot_id(char *buf, size_t size)
{
	char *line;
	int ret;

	ret = read_line(BOOT_ID, &line);
	if (ret)
		return ret;
	ret = snprintf(buf, size, "%s", line) < (int)size ? 0 : -EOVERFLOW;
	free(line);
	return ret;
}

const char *kexec_state_dir(void)
{
	return "/run/vmpkramctl";
}

int kexec_reboot(void)
{
	sync();
	reboot(LINUX_REBOOT_CMD_KEXEC);
	return -errno;
}
