// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pools for people (sizes in MiB and GiB, local time) and for scripts
 * (exact numbers, names for enums), shared by pool status, status,
 * attach, format and monitor.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vmpkramctl.h"

const char *ctl_pool_state(uint32_t state)
{
	switch (state) {
	case VMPKRAM_POOL_UNFORMATTED:
		return "unformatted";
	case VMPKRAM_POOL_DAMAGED:
		return "damaged";
	case VMPKRAM_POOL_READY:
		return "ready";
	case VMPKRAM_POOL_SEALED:
		return "sealed";
	default:
		return "unknown";
	}
}

const char *ctl_pool_event(uint32_t event)
{
	switch (event) {
	case VMPKRAM_POOL_EV_ATTACHED:
		return "attached";
	case VMPKRAM_POOL_EV_DETACHED:
		return "detached";
	case VMPKRAM_POOL_EV_FORMATTED:
		return "formatted";
	case VMPKRAM_POOL_EV_SEALED:
		return "sealed";
	case VMPKRAM_POOL_EV_UNSEALED:
		return "unsealed";
	case VMPKRAM_POOL_EV_REPAIRED:
		return "repaired";
	default:
		return "unknown";
	}
}

/* "512 MiB", "1.5 GiB", "0 B": whole numbers when exact. */
void ctl_size_text(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (u < 4 && bytes >= 1ULL << (10 * (u + 1)))
		u++;
	if (!(bytes & ((1ULL << (10 * u)) - 1)))
		snprintf(buf, size, "%" PRIu64 " %s", bytes >> (10 * u),
			 units[u]);
	else
		snprintf(buf, size, "%.1f %s",
			 (double)bytes / (1ULL << (10 * u)), units[u]);
}

/* "2025-05-01 12:00:00 UTC" in local time, "never" for 0. */
void ctl_time_text(uint64_t ns, char *buf, size_t size)
{
	time_t t = ns / 1000000000;
	struct tm tm;

	if (!ns) {
		snprintf(buf, size, "never");
		return;
	}
	if (!localtime_r(&t, &tm) ||
	    !strftime(buf, size, "%Y-%m-%d %H:%M:%S %Z", &tm))
		snprintf(buf, size, "%" PRIu64 " ns", ns);
}

/* The canonical 8-4-4-4-12 form, or "" when not formatted (all zero). */
static void uuid_text(const uint8_t uuid[16], char *buf, size_t size)
{
	static const uint8_t zero[16];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	if (!memcmp(uuid, zero, 16))
		return;
	for (i = 0; i < 16 && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%02x",
				i == 4 || i == 6 || i == 8 || i == 10 ? "-" :
									"",
				uuid[i]);
}

static bool formatted(const struct vmpkram_pool *p)
{
	return p->state == VMPKRAM_POOL_READY ||
	       p->state == VMPKRAM_POOL_SEALED;
}

static void print_space(const struct vmpkram_pool *p)
{
	char data[32], used[32], free[32], largest[32], scrub[32], block[32];
	char bad[32];

	ctl_size_text(p->data_size, data, sizeof(data));
	ctl_size_text(p->used, used, sizeof(used));
	ctl_size_text(p->free, free, sizeof(free));
	ctl_size_text(p->largest_free, largest, sizeof(largest));
	ctl_size_text(p->scrub_pending, scrub, sizeof(scrub));
	ctl_size_text(p->block_size, block, sizeof(block));
	printf("  space: %s for files in %s blocks\n"
	       "  used: %s, free: %s (largest run %s, %s still to be zeroed)\n"
	       "  files: %u of %u%s\n",
	       data, block, used, free, largest, scrub, p->nr_files,
	       p->max_files, p->mounted ? ", mounted" : ", not mounted");
	if (p->bad) {
		ctl_size_text(p->bad, bad, sizeof(bad));
		printf("  withdrawn after memory failures: %s\n", bad);
	}
}

void ctl_pool_print(const struct vmpkram_pool *p)
{
	char size[32], uuid[40], sealed[64];

	ctl_size_text(p->pool_size, size, sizeof(size));
	printf("pool %s: %s\n  base: 0x%" PRIx64 "\n  size: %s\n", p->name,
	       ctl_pool_state(p->state), p->base, size);
	if (p->state_reason[0])
		printf("  reason: %s\n", p->state_reason);
	if (!formatted(p))
		return;
	uuid_text(p->uuid, uuid, sizeof(uuid));
	ctl_time_text(p->seal_time_ns, sealed, sizeof(sealed));
	printf("  uuid: %s\n  generation: %" PRIu64 " (layout %u)\n"
	       "  clean: %s\n  last sealed: %s\n",
	       uuid[0] ? uuid : "none", p->generation, p->layout,
	       p->clean ? "yes (sealed or detached before it was adopted)" :
			  "no",
	       sealed);
	print_space(p);
}

/*
 * "test: ready, 512 MiB at 0x40000000, 10 MiB used, 3 files, mounted";
 * events have no base to show.
 */
void ctl_pool_line(const struct vmpkram_pool *p, bool with_base, char *buf,
		   size_t size)
{
	char total[32], used[32], at[32] = "";
	int len;

	ctl_size_text(p->pool_size, total, sizeof(total));
	ctl_size_text(p->used, used, sizeof(used));
	if (with_base)
		snprintf(at, sizeof(at), " at 0x%" PRIx64, p->base);
	len = snprintf(buf, size, "%s: %s, %s%s", p->name,
		       ctl_pool_state(p->state), total, at);
	if (len < 0 || (size_t)len >= size)
		return;
	if (formatted(p))
		snprintf(buf + len, size - len, ", %s used, %u files%s", used,
			 p->nr_files, p->mounted ? ", mounted" : "");
	else if (p->state_reason[0])
		snprintf(buf + len, size - len, ": %s", p->state_reason);
}

static void add_u64(struct json_object *obj, const char *key, uint64_t v)
{
	json_object_object_add(obj, key, json_object_new_uint64(v));
}

struct json_object *ctl_pool_json(const struct vmpkram_pool *p)
{
	struct json_object *obj = json_object_new_object();
	char uuid[40];

	uuid_text(p->uuid, uuid, sizeof(uuid));
	json_object_object_add(obj, "name", json_object_new_string(p->name));
	json_object_object_add(obj, "state",
			       json_object_new_string(ctl_pool_state(p->state)));
	if (p->state_reason[0])
		json_object_object_add(obj, "state_reason",
				       json_object_new_string(p->state_reason));
	add_u64(obj, "base", p->base);
	add_u64(obj, "size", p->pool_size);
	json_object_object_add(obj, "uuid",
			       uuid[0] ? json_object_new_string(uuid) : NULL);
	add_u64(obj, "generation", p->generation);
	add_u64(obj, "layout", p->layout);
	json_object_object_add(obj, "clean", json_object_new_boolean(p->clean));
	add_u64(obj, "seal_time_ns", p->seal_time_ns);
	add_u64(obj, "block_size", p->block_size);
	add_u64(obj, "data_size", p->data_size);
	add_u64(obj, "used", p->used);
	add_u64(obj, "free", p->free);
	add_u64(obj, "scrub_pending", p->scrub_pending);
	add_u64(obj, "largest_free", p->largest_free);
	add_u64(obj, "bad", p->bad);
	add_u64(obj, "nr_files", p->nr_files);
	add_u64(obj, "max_files", p->max_files);
	json_object_object_add(obj, "mounted",
			       json_object_new_boolean(p->mounted));
	return obj;
}
