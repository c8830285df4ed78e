/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What kexec load needs to know of a kernel image before it changes
 * anything: its release and whether the running kernel's kexec_file_load
 * will take it (pure functions, unit tested on the host).
 */
#ifndef _VMPKRAMCTL_BZIMAGE_H_
#define _VMPKRAMCTL_BZIMAGE_H_

#include <stddef.h>
#include <stdint.h>

/* The setup code is at most this long: what bzimage_read() looks at. */
#define BZIMAGE_HEAD_SIZE	(64 * 1024)

/*
 * The longest command line (without its NUL) kexec_file_load passes to a
 * kernel whose setup header says @cmdline_size: the x86 loader reserves
 * room for "elfcorehdr=0x<64 bits>" (30 bytes) and counts the NUL.
 */
#define BZIMAGE_CMDLINE_MAX(cmdline_size) \
	((cmdline_size) > 31 ? (cmdline_size) - 31 : 0)

struct bzimage_info {
	char release[65];	/* first word of the kernel_version string */
	uint16_t protocol;	/* boot protocol, 0x020f for 2.15 */
	uint32_t cmdline_size;	/* from the setup header */
};

/*
 * Parses the x86 setup header in the first @len bytes of an image: boot
 * sector flag, "HdrS", boot protocol 2.12 or later, a bzImage (LOADED_HIGH)
 * of a 64-bit kernel that can be loaded above 4 GiB (what the running
 * kernel's bzImage64 loader requires), and the release: the first word of
 * the string kernel_version (at offset 0x20e) points to, plus 0x200.
 * Returns 0, or -ENOEXEC with *@why saying what is wrong.
 */
int bzimage_parse(const unsigned char *buf, size_t len,
		  struct bzimage_info *info, const char **why);

/* The same on the start of the open file @fd (read with pread). */
int bzimage_read(int fd, struct bzimage_info *info, const char **why);

#endif /* _VMPKRAMCTL_BZIMAGE_H_ */
