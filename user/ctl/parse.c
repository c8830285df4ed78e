// SPDX-License-Identifier: GPL-2.0-only
/*
 * Command-line value parsing.  Everything is checked before the kernel is
 * contacted, so a typo never turns into a half-done change.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vmpkram.h>

#include "parse.h"

int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long v;
	char *end;

	/* strtoul() would accept leading spaces, a sign and wrap "-1". */
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* PARAM=VALUE: a non-empty name of [A-Za-z0-9_-], a value without '"'. */
static int module_option_ok(const char *arg)
{
	const char *eq = strchr(arg, '=');
	const char *p;

	if (!eq || eq == arg || strchr(eq, '"'))
		return 0;
	for (p = arg; p < eq; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return 0;
	return 1;
}

int parse_module_options(int argc, char *const argv[], char **out, int *bad)
{
	size_t len = 0, pos = 0;
	char *opts;
	int i;

	*out = NULL;
	for (i = 0; i < argc; i++) {
		if (!module_option_ok(argv[i])) {
			*bad = i;
			return -EINVAL;
		}
		len += strlen(argv[i]) + 3;	/* quotes and separator */
	}
	if (!argc)
		return 0;

	opts = malloc(len);
	if (!opts)
		return -ENOMEM;
	for (i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		int namelen = eq - argv[i];
		const char *fmt = strpbrk(eq, " \t\n") ? "%s%.*s=\"%s\"" :
							  "%s%.*s=%s";

		pos += sprintf(opts + pos, fmt, i ? " " : "", namelen, argv[i],
			       eq + 1);
	}
	*out = opts;
	return 0;
}

/*
 * Digits of @base from @s, stopping at the first non-digit (*@end).  By
 * hand: strtoull() would take a sign, spaces and a second "0x".
 */
static int parse_digits(const char *s, const char **end, unsigned int base,
			uint64_t *out)
{
	uint64_t v = 0;
	unsigned int d;
	const char *p;

	for (p = s;; p++) {
		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (p == s)
		return -EINVAL;
	*end = p;
	*out = v;
	return 0;
}

/* A number at the start of @s, "0x" for hex; *@end after it. */
static int parse_number(const char *s, const char **end, uint64_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_digits(s + 2, end, 16, out);
	return parse_digits(s, end, 10, out);
}

int parse_u64(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v;
	int ret;

	ret = parse_number(s, &end, &v);
	if (ret)
		return ret;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	static const char suffixes[] = "KMGT";
	const char *end, *p;
	unsigned int shift;
	uint64_t v;
	int ret;

	ret = parse_number(s, &end, &v);
	if (ret)
		return ret;
	if (!*end) {
		*out = v;
		return 0;
	}
	p = end[1] ? NULL : strchr(suffixes, toupper((unsigned char)*end));
	if (!p)
		return -EINVAL;
	shift = 10 * (p - suffixes + 1);
	if (v > UINT64_MAX >> shift)
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int parse_range(const char *s, uint64_t align, uint64_t *start,
		uint64_t *len, const char **why)
{
	uint64_t a, b;
	const char *end;
	int ret;

	ret = parse_number(s, &end, &a);
	if (!ret && *end != '-' && *end != '+')
		ret = -EINVAL;
	if (!ret)
		ret = *end == '-' ? parse_u64(end + 1, &b) :
				    parse_size(end + 1, &b);
	if (ret) {
		*why = ret == -ERANGE ? "a number is above 2^64 - 1" :
			"expected START-END or START+LEN (0x for hex; K, M, G, T suffixes on LEN)";
		return ret;
	}
	if (*end == '-') {
		if (b <= a) {
			*why = "END is not above START";
			return -EDOM;
		}
		b -= a;
	}
	if (!b) {
		*why = "the length is 0";
		return -EDOM;
	}
	if (b - 1 > UINT64_MAX - a) {
		*why = "the range wraps past the end of the address space";
		return -ERANGE;
	}
	if ((a | b) & (align - 1)) {
		*why = "START and the length must be page aligned";
		return -EDOM;
	}
	*start = a;
	*len = b;
	return 0;
}

int parse_pool_name(const char *s)
{
	size_t len = strlen(s), i;

	if (!len || len > VMPKRAM_POOL_NAME_MAX)
		return -ERANGE;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return -EINVAL;
	return 0;
}

/* A size with an optional suffix, up to the first '@' of @s. */
static int parse_size_until(const char *s, const char *end, uint64_t *out)
{
	char buf[64];

	if ((size_t)(end - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, end - s);
	buf[end - s] = '\0';
	return parse_size(buf, out);
}

int parse_pool_range(const char *s, uint64_t *size, uint64_t *base,
		     const char **why)
{
	const uint64_t block = VMPKRAM_POOL_BLOCK_SIZE;
	const char *at = strchr(s, '@');
	uint64_t sz, addr;
	int ret;

	ret = at ? parse_size_until(s, at, &sz) : -EINVAL;
	if (!ret)
		ret = parse_size(at + 1, &addr);
	if (ret) {
		*why = ret == -ERANGE ? "a number is above 2^64 - 1" :
			"expected SIZE@ADDR, e.g. 512M@0x40000000 (0x for hex; K, M, G, T suffixes)";
		return ret;
	}
	if (sz < VMPKRAM_POOL_MIN_SIZE || sz > VMPKRAM_POOL_MAX_SIZE) {
		*why = "SIZE must be from 4M to 4T";
		return -ERANGE;
	}
	if (sz - 1 > UINT64_MAX - addr) {
		*why = "the range wraps past the end of the address space";
		return -ERANGE;
	}
	if ((sz | addr) & (block - 1)) {
		*why = "SIZE and ADDR must be multiples of 2M";
		return -EDOM;
	}
	*size = sz;
	*base = addr;
	return 0;
}

int parse_maps_line(const char *line, struct maps_entry *e)
{
	unsigned long long start, end, offset, inode;
	int n = 0;

	/* "start-end perms offset major:minor inode [path]" */
	if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu%n", &start, &end,
		   e->perms, &offset, &e->major, &e->minor, &inode, &n) != 7 ||
	    !n || (line[n] && !isspace((unsigned char)line[n])) ||
	    strlen(e->perms) != 4 || end <= start)
		return -EINVAL;
	e->start = start;
	e->end = end;
	e->offset = offset;
	e->inode = inode;
	return 0;
}

static int ranges_add(struct maps_range **out, size_t *n, size_t *cap,
		      uint64_t start, uint64_t end)
{
	struct maps_range *r;

	if (*n && (*out)[*n - 1].end == start) {
		(*out)[*n - 1].end = end;
		return 0;
	}
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 4;
		r = realloc(*out, *cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		*out = r;
	}
	(*out)[(*n)++] = (struct maps_range){ start, end };
	return 0;
}

int maps_find_file(FILE *f, unsigned int major, unsigned int minor,
		   uint64_t inode, struct maps_range **out, size_t *n)
{
	struct maps_entry e;
	size_t cap = 0, size = 0;
	char *line = NULL;
	int ret = 0;

	*out = NULL;
	*n = 0;
	while (getline(&line, &size, f) > 0) {
		ret = parse_maps_line(line, &e);
		if (ret)
			break;
		/* The name may be reused or "(deleted)": trust dev+inode. */
		if (e.major != major || e.minor != minor || e.inode != inode ||
		    e.perms[1] != 'w')
			continue;
		ret = ranges_add(out, n, &cap, e.start, e.end);
		if (ret)
			break;
	}
	free(line);
	if (ret) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return ret;
}
