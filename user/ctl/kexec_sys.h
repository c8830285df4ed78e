/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What vmpkramctl kexec asks of the running system (kexec_sys.c): the
 * kernel's kexec interfaces, capabilities, the command line, the boot id
 * and where kexec load keeps its record.  The host tests link a fake of
 * this file instead, so that nothing is ever loaded or booted there.
 */
#ifndef _VMPKRAMCTL_KEXEC_SYS_H_
#define _VMPKRAMCTL_KEXEC_SYS_H_

#include <stdbool.h>
#include <stddef.h>

/*
 * kexec_file_load(2): @kfd the kernel, @ifd the initrd or -1, @cmdline
 * (may be NULL for an unload).  0 or -errno.
 */
int kexec_file_load_fd(int kfd, int ifd, const char *cmdline,
		       unsigned long flags);

/* 1 or 0 from a sysctl-like file holding a number, or -errno. */
int kexec_read_flag(const char *path);

/* Whether the calling process has capability @cap in its effective set. */
bool kexec_has_cap(int cap);

/* /proc/cmdline without its newline, malloc'd in *@out; 0 or -errno. */
int kexec_running_cmdline(char **out);

/* This boot's id (/proc/sys/kernel/random/boot_id) in @buf; 0 or -errno. */
int kexec_boot_id(char *buf, size_t size);

/*
 * The directory for kexec load's record, /run/vmpkramctl (a tmpfs, so
 * the record goes with the boot it describes).
 */
const char *kexec_state_dir(void);

/* Syncs the filesystems and boots the loaded kernel; returns -errno. */
int kexec_reboot(void);

#endif /* _VMPKRAMCTL_KEXEC_SYS_H_ */
