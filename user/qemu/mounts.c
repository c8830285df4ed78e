// SPDX-License-Identifier: GPL-2.0-only
/*
 * mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE
 * SOURCE SUPEROPTS", with spaces, tabs, newlines and backslashes in paths
 * written as octal escapes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mounts.h"

/* Undoes the kernel's \ooo escapes in place. */
static void unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/* Field @i (0-based) of a line split at spaces, or NULL. */
static char *nth(char **fields, int nf, int i)
{
	return i < nf ? fields[i] : NULL;
}

static int parse_line(char *line, struct pool_mount *pm)
{
	char *fields[64], *p, *save = NULL, *opt;
	int nf = 0, dash = -1, i;

	for (p = strtok_r(line, " \n", &save); p && nf < 64;
	     p = strtok_r(NULL, " \n", &save))
		fields[nf++] = p;
	for (i = 6; i < nf; i++)
		if (!strcmp(fields[i], "-")) {
			dash = i;
			break;
		}
	if (nf < 5 || dash < 0 || !nth(fields, nf, dash + 1))
		return -EINVAL;
	if (strcmp(fields[dash + 1], "vmpkramfs"))
		return 0;
	memset(pm, 0, sizeof(*pm));
	unescape(fields[4]);
	snprintf(pm->dir, sizeof(pm->dir), "%s", fields[4]);
	p = nth(fields, nf, dash + 3);
	for (opt = p ? strtok_r(p, ",", &save) : NULL; opt;
	     opt = strtok_r(NULL, ",", &save))
		if (!strncmp(opt, "pool=", 5))
			snprintf(pm->pool, sizeof(pm->pool), "%s", opt + 5);
	return 1;
}

int mounts_parse(FILE *f, struct pool_mount **out, size_t *n)
{
	struct pool_mount pm, *m = NULL, *tmp;
	char line[8192];
	size_t i, cap = 0;
	int ret;

	*out = NULL;
	*n = 0;
	while (fgets(line, sizeof(line), f)) {
		ret = parse_line(line, &pm);
		if (ret < 0) {
			free(m);
			return ret;
		}
		if (!ret)
			continue;
		/* A pool mounted twice is the same filesystem: the first. */
		for (i = 0; pm.pool[0] && i < *n; i++)
			if (!strcmp(m[i].pool, pm.pool))
				break;
		if (pm.pool[0] && i < *n)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			tmp = realloc(m, cap * sizeof(*m));
			if (!tmp) {
				free(m);
				return -ENOMEM;
			}
			m = tmp;
		}
		m[(*n)++] = pm;
	}
	*out = m;
	return 0;
}

int mounts_pick(const struct pool_mount *m, size_t n, const char *pool,
		const struct pool_mount **pick, const char **why)
{
	size_t i;

	*pick = NULL;
	if (pool) {
		for (i = 0; i < n; i++)
			if (!strcmp(m[i].pool, pool)) {
				*pick = &m[i];
				return 0;
			}
		*why = "no vmpkramfs of that pool is mounted (mount -t vmpkramfs -o pool=NAME none DIR)";
		return -ENOENT;
	}
	if (n == 1) {
		*pick = &m[0];
		return 0;
	}
	*why = n ? "several pools are mounted: choose one with --pool or --dir" :
		   "no vmpkramfs is mounted (mount -t vmpkramfs -o pool=NAME none DIR), or give --dir";
	return n ? -EMLINK : -ENOENT;
}
