// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel release and loadability from a bzImage setup header: a
 * crafted header in memory and in a temporary file, every refusal, and
 * the installed kernels when they are readable.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bzimage.h"
#include "tap.h"

#define IMAGE_SIZE	8192
#define VERSION_OFF	0x1000	/* where the crafted version string goes */

static unsigned char image[IMAGE_SIZE];

static void put16(size_t off, unsigned int v)
{
	image[off] = v & 0xff;
	image[off + 1] = v >> 8;
}

/* A minimal header as a 6.x bzImage has it, version string included. */
static void craft(const char *version)
{
	memset(image, 0, sizeof(image));
	image[0x1f1] = 15;			/* setup_sects: 8 KiB of setup */
	put16(0x1fe, 0xaa55);
	memcpy(image + 0x202, "HdrS", 4);
	put16(0x206, 0x020f);
	put16(0x20e, VERSION_OFF - 0x200);
	image[0x211] = 0x01;			/* LOADED_HIGH */
	put16(0x236, 0x7f);			/* XLF_KERNEL_64 | ABOVE_4G... */
	put16(0x238, 2047);			/* cmdline_size */
	put16(0x23a, 0);
	strcpy((char *)image + VERSION_OFF, version);
}

static int parse(struct bzimage_info *info, const char **why)
{
	return bzimage_parse(image, sizeof(image), info, why);
}

static void test_good(void)
{
	struct bzimage_info info;
	const char *why = NULL;

	craft("6.12.117+deb12-amd64 (debian-kernel@lists.debian.org) #1 SMP");
	tap_ok(!parse(&info, &why) &&
	       !strcmp(info.release, "6.12.117+deb12-amd64") &&
	       info.protocol == 0x020f && info.cmdline_size == 2047,
	       "a 6.12 header: release, protocol, cmdline_size");
	craft("6.1.0-56-amd64");
	tap_ok(!parse(&info, &why) && !strcmp(info.release, "6.1.0-56-amd64"),
	       "a version string of one word");
	tap_ok(BZIMAGE_CMDLINE_MAX(2047) == 2016 && BZIMAGE_CMDLINE_MAX(10) == 0,
	       "room for elfcorehdr= and the NUL is kept off the limit");
}

static void expect_bad(const char *name, const char *has)
{
	struct bzimage_info info;
	const char *why = "";
	int ret = parse(&info, &why);

	tap_ok(ret == -ENOEXEC && why && strstr(why, has), "%s: %s", name,
	       why ? why : "(null)");
}

static void test_bad(void)
{
	struct bzimage_info info;
	const char *why = "";
	char longname[80];

	tap_ok(bzimage_parse(image, 0x200, &info, &why) == -ENOEXEC &&
	       strstr(why, "too short"), "a truncated header: %s", why);
	craft("6.12");
	put16(0x1fe, 0);
	expect_bad("no boot flag", "no setup header");
	craft("6.12");
	image[0x202] = 'X';
	expect_bad("no HdrS", "no setup header");
	craft("6.12");
	put16(0x206, 0x020b);
	expect_bad("boot protocol 2.11", "2.12");
	craft("6.12");
	image[0x211] = 0;
	expect_bad("a zImage", "zImage");
	craft("6.12");
	put16(0x236, 0x02);
	expect_bad("a 32-bit kernel", "64-bit");
	craft("6.12");
	put16(0x236, 0x01);
	expect_bad("not loadable above 4G", "above 4 GiB");
	craft("6.12");
	put16(0x20e, 0);
	expect_bad("no version pointer", "no kernel version");
	craft("6.12");
	put16(0x20e, 0x3000);
	expect_bad("version pointer past the setup code", "no kernel version");
	craft("");
	expect_bad("an empty version string", "not a release name");
	craft("6.12/../../etc x");
	expect_bad("a release with '/'", "not a release name");
	craft("6.12\x01x");
	expect_bad("a control character", "not a release name");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	craft(longname);
	expect_bad("a release longer than 64", "not a release name");
	/* No NUL or blank before the end of the setup code. */
	craft("6.12");
	put16(0x20e, IMAGE_SIZE - 10 - 0x200);
	memset(image + IMAGE_SIZE - 10, 'a', 10);
	expect_bad("an unterminated version string", "not a release name");
	/* setup_sects 0 means 4: the string is beyond the setup code. */
	craft("6.12");
	image[0x1f1] = 0;
	expect_bad("setup_sects 0 is 4 sectors", "no kernel version");
}

static void test_file(void)
{
	char path[] = "/tmp/vmpkram-bzimage-XXXXXX";
	struct bzimage_info info;
	const char *why = NULL;
	int fd = mkstemp(path);

	if (!tap_ok(fd >= 0, "temporary file"))
		return;
	craft("6.99.0-test (someone) #1");
	tap_ok(write(fd, image, sizeof(image)) == sizeof(image) &&
	       !bzimage_read(fd, &info, &why) &&
	       !strcmp(info.release, "6.99.0-test"),
	       "bzimage_read on a crafted file: %s", info.release);
	tap_ok(!ftruncate(fd, 0x100) && bzimage_read(fd, &info, &why) ==
	       -ENOEXEC, "bzimage_read on a truncated file: %s", why);
	close(fd);
	unlink(path);
	tap_ok(bzimage_read(-1, &info, &why) == -EBADF,
	       "bzimage_read on a bad descriptor is -EBADF");
}

/* The images of this machine, as kexec load would read them. */
static void test_installed(void)
{
	struct bzimage_info info;
	const char *why = NULL;
	char path[512];
	struct dirent *d;
	DIR *dir = opendir("/boot");
	int fd, n = 0;

	while (dir && (d = readdir(dir))) {
		if (strncmp(d->d_name, "vmlinuz-", 8))
			continue;
		snprintf(path, sizeof(path), "/boot/%s", d->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		tap_ok(!bzimage_read(fd, &info, &why) &&
		       !strcmp(info.release, d->d_name + 8),
		       "%s: release %s", path, info.release);
		close(fd);
		n++;
	}
	if (dir)
		closedir(dir);
	if (!n)
		tap_skip("no readable /boot/vmlinuz-*", "installed kernels");
}

int main(void)
{
	test_good();
	test_bad();
	test_file();
	test_installed();
	return tap_exit();
}
