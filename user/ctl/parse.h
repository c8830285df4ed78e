/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Strict command-line value parsing (pure functions, unit tested).
 */
#ifndef _VMPKRAMCTL_PARSE_H_
#define _VMPKRAMCTL_PARSE_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A decimal number in min..max, the whole string, no sign, no spaces.
 * 0, -EINVAL (not a decimal number) or -ERANGE (out of min..max).
 */
int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/*
 * Joins PARAM=VALUE arguments into one module option string (malloc'd, in
 * *out; NULL when @argc is 0).  Values with spaces are quoted the way the
 * kernel's parameter parser expects.  0, -ENOMEM, or -EINVAL with *bad set
 * to the index of the malformed argument.
 */
int parse_module_options(int argc, char *const argv[], char **out, int *bad);

/*
 * An address: "0x" and hex digits, or decimal digits; the whole string.
 * 0, -EINVAL (malformed) or -ERANGE (above 2^64 - 1).
 */
int parse_u64(const char *s, uint64_t *out);

/*
 * A size: an address-style number with an optional binary suffix K, M, G
 * or T (either case): "512M", "0x1000", "1g".  0, -EINVAL or -ERANGE.
 */
int parse_size(const char *s, uint64_t *out);

/*
 * --range START-END or START+LEN (LEN may have a size suffix) into
 * *@start and *@len, both multiples of @align (a power of two).
 * Returns 0 or the error with *@why set to the reason:
 *   -EINVAL  malformed;
 *   -ERANGE  a number above 2^64 - 1, or the range wraps past it;
 *   -EDOM    empty, END before START, or not aligned.
 */
int parse_range(const char *s, uint64_t align, uint64_t *start,
		uint64_t *len, const char **why);

/*
 * A pool name: 1..VMPKRAM_POOL_NAME_MAX characters of [A-Za-z0-9_-].
 * 0, -EINVAL (other characters) or -ERANGE (empty or too long).
 */
int parse_pool_name(const char *s);

/*
 * A pool range SIZE@ADDR as vmpkram.pool= takes it ("512M@0x40000000";
 * either number may have a K, M, G or T suffix) into *@size and *@base.
 * Returns 0 or the error with *@why set to the reason:
 *   -EINVAL  malformed;
 *   -ERANGE  a number above 2^64 - 1, the range wraps past it, or the
 *            size is outside VMPKRAM_POOL_MIN_SIZE..VMPKRAM_POOL_MAX_SIZE;
 *   -EDOM    SIZE or ADDR not a multiple of VMPKRAM_POOL_BLOCK_SIZE.
 */
int parse_pool_range(const char *s, uint64_t *size, uint64_t *base,
		     const char **why);

/* A mapping: one line of /proc/PID/maps. */
struct maps_entry {
	uint64_t start, end;
	char perms[5];		/* "rw-s" */
	uint64_t offset;
	unsigned int major, minor;
	uint64_t inode;
};

/* 0, or -EINVAL when @line is not a maps line. */
int parse_maps_line(const char *line, struct maps_entry *e);

struct maps_range {
	uint64_t start, end;
};

/*
 * The writable mappings in @f (a /proc/PID/maps) of the file with device
 * @major:@minor and inode @inode, adjacent ones merged, in *@out (malloc'd,
 * NULL when none) and *@n.  0, -ENOMEM, or -EINVAL when a line is
 * malformed.
 */
int maps_find_file(FILE *f, unsigned int major, unsigned int minor,
		   uint64_t inode, struct maps_range **out, size_t *n);

#endif /* _VMPKRAMCTL_PARSE_H_ */
