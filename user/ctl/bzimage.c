// SPDX-License-Identifier: GPL-2.0-only
/*
 * The x86 boot protocol's setup header (Documentation/arch/x86/boot.rst).
 * Only the fields kexec load needs are read, each bounds checked: the
 * image is any file the operator names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bzimage.h"

#define OFF_SETUP_SECTS		0x1f1
#define OFF_BOOT_FLAG		0x1fe
#define OFF_HEADER		0x202
#define OFF_VERSION		0x206
#define OFF_KERNEL_VERSION	0x20e
#define OFF_LOADFLAGS		0x211
#define OFF_XLOADFLAGS		0x236
#define OFF_CMDLINE_SIZE	0x238
#define HEADER_END		0x23c

#define LOADED_HIGH			0x01
#define XLF_KERNEL_64			0x01
#define XLF_CAN_BE_LOADED_ABOVE_4G	0x02

static uint16_t le16(const unsigned char *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

static int bad(const char **why, const char *reason)
{
	*why = reason;
	return -ENOEXEC;
}

static int check_header(const unsigned char *buf, size_t len,
			const char **why)
{
	uint16_t xload;

	if (len < HEADER_END)
		return bad(why, "too short to be a kernel image");
	if (le16(buf + OFF_BOOT_FLAG) != 0xaa55 ||
	    memcmp(buf + OFF_HEADER, "HdrS", 4))
		return bad(why, "not an x86 kernel image (bzImage): no setup header");
	if (le16(buf + OFF_VERSION) < 0x020c)
		return bad(why, "boot protocol older than 2.12: kexec_file_load cannot load it");
	xload = le16(buf + OFF_XLOADFLAGS);
	if (!(buf[OFF_LOADFLAGS] & LOADED_HIGH))
		return bad(why, "a zImage, not a bzImage");
	if (!(xload & XLF_KERNEL_64) || !(xload & XLF_CAN_BE_LOADED_ABOVE_4G))
		return bad(why, "not a 64-bit kernel that can be loaded above 4 GiB");
	return 0;
}

/* The first word of the kernel_version string: "6.12.117+deb12-amd64". */
static int get_release(const unsigned char *buf, size_t len,
		       struct bzimage_info *info, const char **why)
{
	unsigned int sects = buf[OFF_SETUP_SECTS] ? buf[OFF_SETUP_SECTS] : 4;
	size_t end = (sects + 1) * 512, off, n;
	uint16_t ptr = le16(buf + OFF_KERNEL_VERSION);

	if (end > len)
		end = len;
	off = (size_t)ptr + 0x200;
	if (!ptr || off >= end)
		return bad(why, "no kernel version string in the setup header");
	for (n = 0; off + n < end && n < sizeof(info->release); n++) {
		unsigned char c = buf[off + n];

		if (!c || c == ' ')
			break;
		if (c < 0x21 || c > 0x7e || c == '/')
			return bad(why, "the kernel version string is not a release name");
	}
	if (!n || n == sizeof(info->release) || off + n == end)
		return bad(why, "the kernel version string is not a release name");
	memcpy(info->release, buf + off, n);
	info->release[n] = '\0';
	return 0;
}

int bzimage_parse(const unsigned char *buf, size_t len,
		  struct bzimage_info *info, const char **why)
{
	int ret;

	memset(info, 0, sizeof(*info));
	ret = check_header(buf, len, why);
	if (!ret)
		ret = get_release(buf, len, info, why);
	if (ret)
		return ret;
	info->protocol = le16(buf + OFF_VERSION);
	info->cmdline_size = le32(buf + OFF_CMDLINE_SIZE);
	return 0;
}

int bzimage_read(int fd, struct bzimage_info *info, const char **why)
{
	unsigned char *buf = malloc(BZIMAGE_HEAD_SIZE);
	size_t len = 0;
	ssize_t n = 1;
	int ret;

	if (!buf)
		return -ENOMEM;
	while (len < BZIMAGE_HEAD_SIZE && n > 0) {
		n = pread(fd, buf + len, BZIMAGE_HEAD_SIZE - len, len);
		if (n > 0)
			len += n;
	}
	if (n < 0) {
		ret = -errno;
		*why = NULL;
	} else {
		ret = bzimage_parse(buf, len, info, why);
	}
	free(buf);
	return ret;
}
