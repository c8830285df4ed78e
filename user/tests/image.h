/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A crafted bzImage for the kexec tests: a setup header that
 * bzimage_read() accepts, naming a kernel release, and nothing else.
 */
#ifndef _VMPKRAM_TESTS_IMAGE_H_
#define _VMPKRAM_TESTS_IMAGE_H_

#include <stdio.h>
#include <string.h>

/* A bzImage setup header whose kernel is release @release. */
static inline int write_image(const char *path, const char *release,
			      unsigned int cmdline_size)
{
	unsigned char img[8192] = { 0 };
	FILE *f;
	int ok;

	img[0x1f1] = 15;
	img[0x1fe] = 0x55;
	img[0x1ff] = 0xaa;
	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0f;
	img[0x207] = 0x02;
	img[0x20e] = 0x00;		/* version string at 0x1000 */
	img[0x20f] = 0x0e;
	img[0x211] = 0x01;
	img[0x236] = 0x7f;
	img[0x238] = cmdline_size & 0xff;
	img[0x239] = cmdline_size >> 8;
	snprintf((char *)img + 0x1000, 128, "%s (test) #1", release);
	f = fopen(path, "w");
	if (!f)
		return 0;
	ok = fwrite(img, sizeof(img), 1, f) == 1;
	return !fclose(f) && ok;
}

#endif /* _VMPKRAM_TESTS_IMAGE_H_ */
