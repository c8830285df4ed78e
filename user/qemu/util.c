// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkram-qemu helpers without side effects on the system.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

static int strv_take(struct strv *sv, char *s)
{
	char **v;

	if (!s)
		return -ENOMEM;
	if (sv->n + 2 > sv->cap) {
		v = realloc(sv->v, sizeof(*v) * (sv->cap ? sv->cap * 2 : 16));
		if (!v) {
			free(s);
			return -ENOMEM;
		}
		sv->v = v;
		sv->cap = sv->cap ? sv->cap * 2 : 16;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

int strv_push(struct strv *sv, const char *s)
{
	return strv_take(sv, strdup(s));
}

int strv_pushf(struct strv *sv, const char *format, ...)
{
	va_list args;
	char *s;
	int ret;

	va_start(args, format);
	ret = vasprintf(&s, format, args);
	va_end(args);
	return strv_take(sv, ret < 0 ? NULL : s);
}

int strv_append(struct strv *sv, char *const *v, int n)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		ret = strv_push(sv, v[i]);
		if (ret)
			return ret;
	}
	return 0;
}

void strv_free(struct strv *sv)
{
	int i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

int pathf(char *buf, size_t size, const char *format, ...)
{
	va_list args;
	int n;

	va_start(args, format);
	n = vsnprintf(buf, size, format, args);
	va_end(args);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

uint64_t monotonic_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t fnv1a64(uint64_t hash, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len--) {
		hash ^= *p++;
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

void size_text(uint64_t bytes, char *buf, size_t size)
{
	if (bytes >= 1ULL << 30 && bytes % (1ULL << 30))
		snprintf(buf, size, "%.2f GiB", bytes / (double)(1ULL << 30));
	else if (bytes >= 1ULL << 30)
		snprintf(buf, size, "%llu GiB", (unsigned long long)(bytes >> 30));
	else if (bytes >= 1ULL << 20 && bytes % (1ULL << 20))
		snprintf(buf, size, "%.1f MiB", bytes / (double)(1ULL << 20));
	else if (bytes >= 1ULL << 20)
		snprintf(buf, size, "%llu MiB", (unsigned long long)(bytes >> 20));
	else if (bytes >= 1ULL << 10)
		snprintf(buf, size, "%llu KiB", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, size, "%llu B", (unsigned long long)bytes);
}

void duration_text(uint64_t ns, char *buf, size_t size)
{
	if (ns >= 1000000000ULL)
		snprintf(buf, size, "%.3f s", ns / 1e9);
	else
		snprintf(buf, size, "%.1f ms", ns / 1e6);
}

bool guest_name_ok(const char *name)
{
	size_t i, len = strlen(name);

	if (!len || len > VQ_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '-')
			return false;
	return true;
}
