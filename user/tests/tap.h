/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal TAP producer for the host tests.  Lines carry no numbers:
 * run-tests.sh numbers them across all test programs.
 */
#ifndef _VMPKRAM_TAP_H_
#define _VMPKRAM_TAP_H_

#include <stdarg.h>
#include <stdio.h>

static int tap_failures;

static inline __attribute__((format(printf, 2, 3)))
int tap_ok(int pass, const char *format, ...)
{
	va_list args;

	printf("%s - ", pass ? "ok" : "not ok");
	va_start(args, format);
	vprintf(format, args);
	va_end(args);
	putchar('\n');
	fflush(stdout);
	if (!pass)
		tap_failures++;
	return pass;
}

static inline __attribute__((format(printf, 2, 3)))
void tap_skip(const char *reason, const char *format, ...)
{
	va_list args;

	printf("ok - ");
	va_start(args, format);
	vprintf(format, args);
	va_end(args);
	printf(" # SKIP %s\n", reason);
	fflush(stdout);
}

static inline int tap_exit(void)
{
	return tap_failures ? 1 : 0;
}

#endif /* _VMPKRAM_TAP_H_ */
