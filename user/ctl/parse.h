/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Strict command-line value parsing (pure functions, unit tested).
 */
#ifndef _VMPKRAMCTL_PARSE_H_
#define _VMPKRAMCTL_PARSE_H_

#include <stdint.h>

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

#endif /* _VMPKRAMCTL_PARSE_H_ */
