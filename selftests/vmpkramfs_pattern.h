/* SPDX-License-Identifier: GPL-2.0 */
/*
 * File contents for the vmpkramfs selftests: a seeded byte pattern that
 * depends on the file offset (so a byte in the wrong place shows), its
 * checks through read() and mappings, and a touch of mapped memory in a
 * child, to see which signal it raises.
 */
#ifndef _VMPKRAMFS_PATTERN_H
#define _VMPKRAMFS_PATTERN_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The seeded byte at file offset @off. */
static inline unsigned char pat(uint64_t off, unsigned int seed)
{
	uint64_t x = (off + 1) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)seed << 32;

	return (x ^ x >> 29) >> 48;
}

/* The pattern of file offsets [@off, @off + @len) into @p. */
static inline void fill(unsigned char *p, size_t len, uint64_t off,
			unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pat(off + i, seed);
}

/* Index of the first byte that is not the pattern, or -1. */
static inline long mismatch(const unsigned char *p, size_t len, uint64_t off,
			    unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pat(off + i, seed))
			return i;
	return -1;
}

/* Index of the first non-zero byte, or -1: eight bytes at a time. */
static inline long nonzero(const unsigned char *p, size_t len)
{
	const uint64_t *q = (const uint64_t *)p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (q[i])
			break;
	for (i *= 8; i < len; i++)
		if (p[i])
			return i;
	return -1;
}

/* pwrite all of it, in one call if the kernel takes it: 0 or an errno. */
static inline int pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t n;

	while (len) {
		n = pwrite(fd, buf, len, off);
		if (n <= 0)
			return n < 0 ? errno : EIO;
		buf = (const char *)buf + n;
		len -= n;
		off += n;
	}
	return 0;
}

/* pread all of it: 0 or an errno (EIO at end of file). */
static inline int pread_all(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;

	while (len) {
		n = pread(fd, buf, len, off);
		if (n <= 0)
			return n < 0 ? errno : EIO;
		buf = (char *)buf + n;
		len -= n;
		off += n;
	}
	return 0;
}

/* Write the pattern over [off, off + len): 0 or an errno. */
static inline int write_pattern(int fd, off_t off, size_t len,
				unsigned int seed)
{
	unsigned char *buf = malloc(len);
	int ret;

	if (!buf)
		return ENOMEM;
	fill(buf, len, off, seed);
	ret = pwrite_all(fd, buf, len, off);
	free(buf);
	return ret;
}

/*
 * Read [off, off + len): -1 if it is the pattern (or zero for seed 0),
 * else the index of the first wrong byte; -2 if it cannot be read.
 */
static inline long check_file(int fd, off_t off, size_t len, unsigned int seed)
{
	unsigned char *buf = malloc(len);
	long bad;

	if (!buf)
		return -2;
	if (pread_all(fd, buf, len, off))
		bad = -2;
	else
		bad = seed ? mismatch(buf, len, off, seed) : nonzero(buf, len);
	free(buf);
	return bad;
}

/* The byte at @off of @fd, read(); -1 on error. */
static inline int byte_at(int fd, off_t off)
{
	unsigned char c;

	return pread(fd, &c, 1, off) == 1 ? c : -1;
}

/*
 * The signal a child died of after reading @p or writing 0x5a there, 0 if
 * none, -1 on error.  The child dumps no core.
 */
static inline int touch_in_child(volatile unsigned char *p, bool write)
{
	struct rlimit no_core = { 0, 0 };
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &no_core);
		if (write)
			*p = 0x5a;
		else
			(void)*p;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

#endif /* _VMPKRAMFS_PATTERN_H */
