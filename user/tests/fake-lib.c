// SPDX-License-Identifier: GPL-2.0-only
/*
 * libvmpkram on fake data, for running vmpkramctl's commands on the
 * host: the calls vmpkramctl makes, each counted and each able to fail
 * with a chosen errno and last-error text (fake_fail()).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

struct fake fake;

struct vmpkram_ctx {
	int refcount;
};

void fake_reset(const char *state_dir)
{
	memset(&fake, 0, sizeof(fake));
	fake.loaded = 1;
	fake.features = VMPKRAM_FEATURE_NETLINK | VMPKRAM_FEATURE_PREFAULT |
			VMPKRAM_FEATURE_POOL | VMPKRAM_FEATURE_VMPKRAMFS;
	fake.max_workers = 2;
	fake_add_pool("test", 0x40000000, 512ULL << 20, VMPKRAM_POOL_READY);
	fake_add_pool("small", 0x60000000, 64ULL << 20,
		      VMPKRAM_POOL_UNFORMATTED);
	fake.cap = true;
	snprintf(fake.cmdline, sizeof(fake.cmdline), "%s",
		 "BOOT_IMAGE=/vmlinuz root=/dev/vda memmap=512M$0x40000000 memmap=64M$0x60000000 vmpkram.pool=test:512M@0x40000000,small:64M@0x60000000");
	snprintf(fake.boot_id, sizeof(fake.boot_id), "boot-1");
	snprintf(fake.state_dir, sizeof(fake.state_dir), "%s", state_dir);
}

struct vmpkram_pool *fake_add_pool(const char *name, uint64_t base,
				   uint64_t size, uint32_t state)
{
	struct vmpkram_pool *p = &fake.pool[fake.nr_pools++];

	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->base = base;
	p->pool_size = size;
	p->state = state;
	if (state == VMPKRAM_POOL_READY || state == VMPKRAM_POOL_SEALED) {
		p->block_size = 2 << 20;
		p->data_size = size - p->block_size;
		p->free = p->data_size;
		p->max_files = 1024;
		p->uuid[0] = 1;
	}
	return p;
}

struct vmpkram_pool *fake_pool(const char *name)
{
	size_t i;

	for (i = 0; i < fake.nr_pools; i++)
		if (!strcmp(fake.pool[i].name, name))
			return &fake.pool[i];
	return NULL;
}

void fake_del_pool(const char *name)
{
	struct vmpkram_pool *p = fake_pool(name);
	size_t i = p - fake.pool;

	if (!p)
		return;
	memmove(p, p + 1, (fake.nr_pools - i - 1) * sizeof(*p));
	fake.nr_pools--;
}

void fake_fail(enum fake_fn fn, int error, const char *msg)
{
	fake.err[fn] = error;
	snprintf(fake.msg[fn], sizeof(fake.msg[fn]), "%s", msg ? msg : "");
}

int fake_call(enum fake_fn fn)
{
	fake.calls[fn]++;
	if (!fake.err[fn] || (fake.err_at[fn] && fake.err_at[fn] != fake.calls[fn]))
		return 0;
	snprintf(fake.last_error, sizeof(fake.last_error), "%s",
		 fake.msg[fn][0] ? fake.msg[fn] : strerror(-fake.err[fn]));
	return fake.err[fn];
}

/* ------------------------------------------------------------ context */

int vmpkram_new(struct vmpkram_ctx **ctx)
{
	int ret = fake_call(F_NEW);

	if (ret)
		return ret;
	*ctx = calloc(1, sizeof(**ctx));
	if (!*ctx)
		return -ENOMEM;
	(*ctx)->refcount = 1;
	return 0;
}

struct vmpkram_ctx *vmpkram_unref(struct vmpkram_ctx *ctx)
{
	if (!ctx || --ctx->refcount > 0)
		return ctx;
	free(ctx);
	return NULL;
}

const char *vmpkram_last_error(const struct vmpkram_ctx *ctx)
{
	(void)ctx;
	return fake.last_error;
}

/* ------------------------------------------------------------- module */

int vmpkram_module_is_loaded(struct vmpkram_ctx *ctx)
{
	(void)ctx;
	return fake_call(F_IS_LOADED) ?: fake.loaded;
}

int vmpkram_module_load(struct vmpkram_ctx *ctx, const char *options)
{
	int ret = fake_call(F_LOAD);

	(void)ctx;
	(void)options;
	if (!ret)
		fake.loaded = 1;
	return ret;
}

int vmpkram_module_unload(struct vmpkram_ctx *ctx)
{
	int ret = fake_call(F_UNLOAD);

	(void)ctx;
	if (!ret)
		fake.loaded = 0;
	return ret;
}

int vmpkram_module_find(struct vmpkram_ctx *ctx, const char *release,
			char **path)
{
	char buf[256];
	int ret = fake_call(F_FIND);

	(void)ctx;
	if (ret)
		return ret;
	snprintf(buf, sizeof(buf), "/lib/modules/%s/extra/vmpkram.ko",
		 release);
	if (path && !(*path = strdup(buf)))
		return -ENOMEM;
	return 1;
}

int vmpkram_get_status(struct vmpkram_ctx *ctx, struct vmpkram_status *st)
{
	struct vmpkram_status s = { .size = sizeof(s) };
	uint32_t size = st->size;
	int ret = fake_call(F_STATUS);

	(void)ctx;
	if (ret)
		return ret;
	s.api_version = VMPKRAM_API_VERSION;
	s.features = fake.features;
	s.max_workers = fake.max_workers;
	s.workers_limit = VMPKRAM_WORKERS_LIMIT;
	s.nr_pools = fake.nr_pools;
	snprintf(s.module_version, sizeof(s.module_version), "fake");
	memcpy(st, &s, size < sizeof(s) ? size : sizeof(s));
	st->size = size;
	return 0;
}

int vmpkram_set_max_workers(struct vmpkram_ctx *ctx, uint32_t n)
{
	int ret = fake_call(F_SET_WORKERS);

	(void)ctx;
	if (!ret)
		fake.max_workers = n ? n : 2;
	return ret;
}

int vmpkram_get_jobs(struct vmpkram_ctx *ctx,
		     int (*cb)(const struct vmpkram_job *job, void *arg),
		     void *arg)
{
	(void)ctx;
	(void)cb;
	(void)arg;
	return fake_call(F_JOBS);
}

int vmpkram_prefault(struct vmpkram_ctx *ctx, struct vmpkram_prefault *req)
{
	int ret = fake_call(F_PREFAULT);

	(void)ctx;
	if (!ret)
		req->done = req->len;
	return ret;
}

/* -------------------------------------------------------------- pools */

int vmpkram_pool_list(struct vmpkram_ctx *ctx,
		      int (*cb)(const struct vmpkram_pool *pool, void *arg),
		      void *arg)
{
	size_t i;
	int ret = fake_call(F_POOL_LIST);

	(void)ctx;
	for (i = 0; !ret && i < fake.nr_pools; i++)
		ret = cb ? cb(&fake.pool[i], arg) : 0;
	return ret < 0 ? ret : (int)fake.nr_pools;
}

static int copy_pool(const struct vmpkram_pool *src, struct vmpkram_pool *dst)
{
	uint32_t size;

	if (!dst)
		return 0;
	size = dst->size;
	memcpy(dst, src, size < sizeof(*src) ? size : sizeof(*src));
	dst->size = size;
	return 0;
}

static int find_pool(const char *name, struct vmpkram_pool **p)
{
	*p = name ? fake_pool(name) : NULL;
	if (*p)
		return 0;
	snprintf(fake.last_error, sizeof(fake.last_error),
		 "no pool named %s is attached", name ? name : "(null)");
	return -ENODEV;
}

int vmpkram_pool_get(struct vmpkram_ctx *ctx, const char *name,
		     struct vmpkram_pool *pool)
{
	struct vmpkram_pool *p;
	int ret = fake_call(F_POOL_GET);

	(void)ctx;
	if (!ret)
		ret = find_pool(name, &p);
	return ret ? ret : copy_pool(p, pool);
}

int vmpkram_pool_attach(struct vmpkram_ctx *ctx, const char *name,
			uint64_t base, uint64_t size,
			struct vmpkram_pool *pool)
{
	int ret = fake_call(F_POOL_ATTACH);

	(void)ctx;
	if (ret)
		return ret;
	return copy_pool(fake_add_pool(name, base, size,
				       VMPKRAM_POOL_UNFORMATTED), pool);
}

int vmpkram_pool_detach(struct vmpkram_ctx *ctx, const char *name)
{
	struct vmpkram_pool *p;
	int ret = fake_call(F_POOL_DETACH);

	(void)ctx;
	if (!ret)
		ret = find_pool(name, &p);
	if (!ret)
		fake_del_pool(name);
	return ret;
}

int vmpkram_pool_format(struct vmpkram_ctx *ctx, const char *name,
			struct vmpkram_pool *pool)
{
	struct vmpkram_pool *p;
	int ret = fake_call(F_POOL_FORMAT);

	(void)ctx;
	if (!ret)
		ret = find_pool(name, &p);
	if (ret)
		return ret;
	*p = *fake_add_pool(p->name, p->base, p->pool_size,
			    VMPKRAM_POOL_READY);
	fake.nr_pools--;
	return copy_pool(p, pool);
}

/*
 * The plan for a fake pool: nothing for a usable one, refused for an
 * unformatted one, adopting slot 0 for a damaged one; both slots
 * complete but for a damaged one's slot 1.
 */
static void fake_report(const struct vmpkram_pool *p,
			struct vmpkram_pool_report *r)
{
	uint32_t size = r->size, s;

	memset(r, 0, sizeof(*r));
	r->size = size;
	r->state = p->state;
	snprintf(r->name, sizeof(r->name), "%s", p->name);
	for (s = 0; s < 2; s++) {
		r->slots[s].index = s;
		r->slots[s].status = VMPKRAM_SLOT_COMPLETE;
		r->slots[s].generation = 2 + s;
		r->slots[s].layout = 2;
		r->slots[s].nr_checks = 1;
		snprintf(r->slots[s].checks[0].name,
			 sizeof(r->slots[s].checks[0].name), "magic");
		r->slots[s].checks[0].result = VMPKRAM_CHECK_OK;
	}
	r->slot = -1;
	switch (p->state) {
	case VMPKRAM_POOL_UNFORMATTED:
		r->action = VMPKRAM_REPAIR_REFUSED;
		snprintf(r->text, sizeof(r->text), "nothing to repair: no vmpkram metadata");
		break;
	case VMPKRAM_POOL_DAMAGED:
		r->slots[1].status = VMPKRAM_SLOT_DAMAGED;
		r->slots[1].checks[0].result = VMPKRAM_CHECK_FAILED;
		r->action = VMPKRAM_REPAIR_ADOPT;
		r->slot = 0;
		snprintf(r->text, sizeof(r->text), "adopt slot 0 and rewrite slot 1 from it");
		break;
	default:
		r->action = VMPKRAM_REPAIR_NONE;
		snprintf(r->text, sizeof(r->text), "nothing to repair: the pool is usable");
	}
}

int vmpkram_pool_check(struct vmpkram_ctx *ctx, const char *name,
		       struct vmpkram_pool_report *report)
{
	struct vmpkram_pool *p;
	int ret = fake_call(F_POOL_CHECK);

	(void)ctx;
	if (!ret)
		ret = find_pool(name, &p);
	if (!ret)
		fake_report(p, report);
	return ret;
}

int vmpkram_pool_repair(struct vmpkram_ctx *ctx, const char *name,
			struct vmpkram_pool_report *report)
{
	struct vmpkram_pool_report r = { .size = sizeof(r) };
	struct vmpkram_pool *p;
	int ret = fake_call(F_POOL_REPAIR);

	(void)ctx;
	if (!ret)
		ret = find_pool(name, &p);
	if (ret)
		return ret;
	fake_report(p, &r);
	if (r.action == VMPKRAM_REPAIR_REFUSED)
		return -EUCLEAN;
	if (r.action == VMPKRAM_REPAIR_ADOPT)
		p->state = VMPKRAM_POOL_READY;
	r.state = p->state;
	if (report)
		*report = r;
	return 0;
}

/* "memmap=SIZE$ADDR ... vmpkram.pool=NAME:SIZE@ADDR,..." for every pool */
static int seal_cmdline(char **cmdline)
{
	char buf[2048] = "", pools[1024] = "vmpkram.pool=";
	size_t i;

	for (i = 0; i < fake.nr_pools; i++) {
		const struct vmpkram_pool *p = &fake.pool[i];

		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 "memmap=0x%" PRIx64 "$0x%" PRIx64 " ", p->pool_size,
			 p->base);
		snprintf(pools + strlen(pools), sizeof(pools) - strlen(pools),
			 "%s%s:0x%" PRIx64 "@0x%" PRIx64, i ? "," : "",
			 p->name, p->pool_size, p->base);
	}
	strcat(buf, pools);
	*cmdline = strdup(buf);
	return *cmdline ? 0 : -ENOMEM;
}

/* An injected failure comes after seal_before_error pools were sealed. */
int vmpkram_pool_seal(struct vmpkram_ctx *ctx, const char *name,
		      char **cmdline)
{
	int ret = fake_call(F_POOL_SEAL), sealed = 0;
	size_t i;

	(void)ctx;
	for (i = 0; i < fake.nr_pools; i++) {
		struct vmpkram_pool *p = &fake.pool[i];

		if ((name && strcmp(name, p->name)) ||
		    p->state != VMPKRAM_POOL_READY)
			continue;
		if (ret && sealed == fake.seal_before_error)
			break;
		p->state = VMPKRAM_POOL_SEALED;
		sealed++;
	}
	if (!ret && cmdline)
		ret = seal_cmdline(cmdline);
	return ret;
}

int vmpkram_pool_unseal(struct vmpkram_ctx *ctx, const char *name)
{
	size_t i;
	int ret = fake_call(F_POOL_UNSEAL);

	(void)ctx;
	for (i = 0; !ret && i < fake.nr_pools; i++)
		if ((!name || !strcmp(name, fake.pool[i].name)) &&
		    fake.pool[i].state == VMPKRAM_POOL_SEALED)
			fake.pool[i].state = VMPKRAM_POOL_READY;
	return ret;
}

int vmpkram_pool_files(struct vmpkram_ctx *ctx, const char *pool,
		       int (*cb)(const struct vmpkram_file *file, void *arg),
		       void *arg)
{
	(void)ctx;
	(void)pool;
	(void)cb;
	(void)arg;
	return fake_call(F_POOL_FILES);
}

/* ------------------------------------------------------------- events */

int vmpkram_events_subscribe(struct vmpkram_ctx *ctx)
{
	(void)ctx;
	return fake_call(F_EV_SUB);
}

int vmpkram_events_fd(struct vmpkram_ctx *ctx)
{
	(void)ctx;
	return fake_call(F_EV_FD) ?: -1;
}

/* The scripted events in turn; when they run out, an error. */
int vmpkram_events_next(struct vmpkram_ctx *ctx, struct vmpkram_event *ev,
			int timeout_ms)
{
	const struct fake_event *e;
	int ret = fake_call(F_EV_NEXT);

	(void)ctx;
	(void)timeout_ms;
	if (ret)
		return ret;
	if (fake.next_event >= fake.nr_events) {
		snprintf(fake.last_error, sizeof(fake.last_error),
			 "fake: no more events");
		return -ENOTCONN;
	}
	e = &fake.event[fake.next_event++];
	if (e->ret < 0)
		snprintf(fake.last_error, sizeof(fake.last_error), "%s",
			 e->msg[0] ? e->msg : strerror(-e->ret));
	if (e->ret > 0)
		memcpy(ev, &e->ev, ev->size < sizeof(e->ev) ? ev->size :
							     sizeof(e->ev));
	return e->ret;
}
