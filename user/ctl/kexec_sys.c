// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's kexec interfaces for vmpkramctl kexec: kexec_file_load(2)
 * called directly (kexec-tools is never run: its kexec_load path may put
 * the new kernel inside a pool) and the facts checked before it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/kexec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kexec_sys.h"

int kexec_file_load_fd(int kfd, int ifd, const char *cmdline,
		       unsigned long flags)
{
	unsigned long len = cmdline ? strlen(cmdline) + 1 : 0;

	if (syscall(SYS_kexec_file_load, kfd, ifd, len, cmdline, flags))
		return -errno;
	return 0;
}

const char *kexec_load_hint(int error)
{
	switch (error) {
	case -EPERM:
		return "needs CAP_SYS_BOOT; kexec may also be disabled (/proc/sys/kernel/kexec_load_disabled) or refused by lockdown";
	case -EKEYREJECTED:
	case -ENOKEY:
	case -EBADMSG:
	case -EKEYEXPIRED:
		return "the running kernel only loads signed images (lockdown or KEXEC_SIG_FORCE) and rejected this one: use a kernel signed with a trusted key";
	case -ENOEXEC:
		return "the running kernel cannot load this image (not a 64-bit bzImage it accepts)";
	case -EBUSY:
		return "another kexec load is in progress: try again";
	case -ENOMEM:
	case -EADDRNOTAVAIL:
		return "no room for the kernel and initrd in memory outside the reserved ranges";
	case -EINVAL:
		return "the kernel refused the image or the command line (see dmesg)";
	case -ENOSYS:
		return "this kernel has no kexec_file_load (CONFIG_KEXEC_FILE)";
	default:
		return NULL;
	}
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

int kexec_running_cmdline(char **out)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t n;
	FILE *f;

	f = fopen("/proc/cmdline", "re");
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
