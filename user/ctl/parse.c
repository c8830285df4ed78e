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
