// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl kexec SUBCOMMAND: boot another kernel with the pools intact.
 * Loading uses kexec_file_load(2) only: kexec-tools' kexec_load path takes
 * free memory from /sys/firmware/memmap, where a memmap= reserved range
 * still shows as RAM, and can place the new kernel inside a pool.  What
 * kexec_file_load's errors mean, shared by load and unload.
 */
#include <errno.h>

#include "kexec.h"

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
