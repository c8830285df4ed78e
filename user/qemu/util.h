/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small helpers of vmpkram-qemu without side effects on the system:
 * growing string vectors, clocks, checksums, sizes.
 */
#ifndef _VMPKRAM_QEMU_UTIL_H_
#define _VMPKRAM_QEMU_UTIL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A NULL-terminated vector of malloc'd strings. */
struct strv {
	char **v;
	int n, cap;
};

int strv_push(struct strv *sv, const char *s);
int strv_pushf(struct strv *sv, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
int strv_append(struct strv *sv, char *const *v, int n);
void strv_free(struct strv *sv);

/*
 * snprintf() for file names: -ENAMETOOLONG instead of a truncated name.
 * Also keeps -Wformat-truncation quiet where the sizes are only bounded
 * by PATH_MAX.
 */
int pathf(char *buf, size_t size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* Wall-clock time (survives kexec) and monotonic time, in ns. */
uint64_t realtime_ns(void);
uint64_t monotonic_ns(void);

/* FNV-1a, 64 bits: continue from @hash (start with FNV64_INIT). */
#define FNV64_INIT	0xcbf29ce484222325ULL
uint64_t fnv1a64(uint64_t hash, const void *data, size_t len);

/* "256 MiB", "1.50 GiB", "437 KiB", "512 B" */
void size_text(uint64_t bytes, char *buf, size_t size);

/* "1.234 s", "87 ms" */
void duration_text(uint64_t ns, char *buf, size_t size);

/*
 * A guest name: 1..VQ_NAME_MAX characters of [A-Za-z0-9_-], so that
 * NAME, NAME.state and NAME.manifest never collide between guests.
 */
#define VQ_NAME_MAX	64
bool guest_name_ok(const char *name);

#endif /* _VMPKRAM_QEMU_UTIL_H_ */
