// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Logging and the last-error record.
 *
 * Failures reach the caller through the return value and
 * vmpkram_last_error(), so they are logged at LOG_DEBUG only: a program
 * that reports errors itself does not see them twice on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"

static void log_stderr(struct vmpkram_ctx *ctx, int priority, const char *fn,
		       const char *format, va_list args)
{
	(void)ctx;
	(void)priority;
	fprintf(stderr, "libvmpkram: %s: ", fn);
	vfprintf(stderr, format, args);
}

void vmpkram_log(struct vmpkram_ctx *ctx, int priority, const char *fn,
		 const char *format, ...)
{
	va_list args;

	va_start(args, format);
	ctx->log_fn(ctx, priority, fn, format, args);
	va_end(args);
}

static int log_priority(const char *s)
{
	char *end;
	long prio;

	if (!strcasecmp(s, "err"))
		return LOG_ERR;
	if (!strcasecmp(s, "info"))
		return LOG_INFO;
	if (!strcasecmp(s, "debug"))
		return LOG_DEBUG;
	prio = strtol(s, &end, 10);
	if (*s && !*end && prio >= LOG_EMERG && prio <= LOG_DEBUG)
		return prio;
	return -1;
}

void vmpkram_log_init(struct vmpkram_ctx *ctx)
{
	const char *env = secure_getenv("VMPKRAM_LOG");
	int prio = env ? log_priority(env) : -1;

	ctx->log_fn = log_stderr;
	ctx->log_priority = prio >= 0 ? prio : LOG_ERR;
}

VMPKRAM_EXPORT void vmpkram_set_log_fn(struct vmpkram_ctx *ctx,
				       vmpkram_log_fn log_fn)
{
	ctx->log_fn = log_fn ? log_fn : log_stderr;
	dbg(ctx, "custom logging function %p registered\n", (void *)log_fn);
}

VMPKRAM_EXPORT int vmpkram_get_log_priority(const struct vmpkram_ctx *ctx)
{
	return ctx->log_priority;
}

VMPKRAM_EXPORT void vmpkram_set_log_priority(struct vmpkram_ctx *ctx,
					     int priority)
{
	ctx->log_priority = priority;
}

int vmpkram_fail(struct vmpkram_ctx *ctx, int error, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vsnprintf(ctx->last_error, sizeof(ctx->last_error), format, args);
	va_end(args);
	dbg(ctx, "%s (%d)\n", ctx->last_error, error);
	return error;
}

VMPKRAM_EXPORT const char *vmpkram_last_error(const struct vmpkram_ctx *ctx)
{
	return ctx->last_error;
}
