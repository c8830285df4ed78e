// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one progress bar of vmpkramctl (prefault, and the wait for
 * scrubbing before a seal): redrawn in place on standard error, which the
 * callers check is a terminal.
 */
#include <stdio.h>
#include <string.h>

#include "vmpkramctl.h"

#define BAR_WIDTH	30

void ctl_progress_text(char *buf, size_t size, const char *label,
		       double fraction, const char *text)
{
	char bar[BAR_WIDTH + 1];
	int fill, i;

	if (fraction < 0)
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	fill = fraction * BAR_WIDTH;
	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '-';
	bar[BAR_WIDTH] = '\0';
	snprintf(buf, size, "%s%s[%s] %3.0f%%%s%s", label ? label : "",
		 label ? ": " : "", bar, 100 * fraction, text ? "  " : "",
		 text ? text : "");
}

void ctl_progress(const char *label, double fraction, const char *text)
{
	char line[256];

	ctl_progress_text(line, sizeof(line), label, fraction, text);
	fprintf(stderr, "\r\033[K%s", line);
}

void ctl_progress_clear(void)
{
	fprintf(stderr, "\r\033[K");
}
