// SPDX-License-Identifier: GPL-2.0
/*
 * Pools: attaching a reserved physical range, the vmpkram.pool= parameter,
 * seal/unseal/format, and freezing the metadata when the system goes down
 * for kexec or reboot.
 *
 * A pool is only ever attached to memory the firmware map marks reserved
 * (memmap=SIZE$ADDR): RAM the kernel manages would be handed out to others
 * under our feet, and a range nobody reserved is not guaranteed to exist
 * or to survive kexec.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/error-injection.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/moduleparam.h>
#include <linux/reboot.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "pool.h"

/* Protects vmpkram_pools; taken before any pool->lock. */
DEFINE_MUTEX(vmpkram_pools_lock);
LIST_HEAD(vmpkram_pools);

static char pool_param[1024];
module_param_string(pool, pool_param, sizeof(pool_param), 0444);
MODULE_PARM_DESC(pool,
		 "Pools to attach: [NAME:]SIZE@ADDR[,...]; each range must be reserved with memmap=SIZE$ADDR");

/*
 * Reports on the kernel log with the details and the fix, and to netlink
 * callers with @msg in the extended ACK (which has no room for details).
 */
#define pool_err(extack, msg, fmt, ...) do {		\
	pr_err(fmt "\n", ##__VA_ARGS__);		\
	NL_SET_ERR_MSG_MOD(extack, msg);		\
} while (0)

bool vmpkram_pool_name_valid(const char *name)
{
	size_t len = strlen(name), i;

	if (!len || len > VMPKRAM_POOL_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isascii(name[i]) ||
		    (!isalnum(name[i]) && name[i] != '_' && name[i] != '-'))
			return false;
	return true;
}

/* Caller holds vmpkram_pools_lock. */
struct vmpkram_pool *vmpkram_pool_find(const char *name)
{
	struct vmpkram_pool *pool;

	list_for_each_entry(pool, &vmpkram_pools, node)
		if (!strcmp(pool->name, name))
			return pool;
	return NULL;
}

static int reserved_bytes(struct resource *res, void *arg)
{
	*(u64 *)arg += resource_size(res);
	return 0;
}

static int check_range(const char *name, u64 base, u64 size,
		       struct netlink_ext_ack *extack)
{
	struct vmpkram_pool *other;
	u64 reserved = 0;

	if (!IS_ALIGNED(base, VMPKRAM_POOL_BLOCK_SIZE) ||
	    !IS_ALIGNED(size, VMPKRAM_POOL_BLOCK_SIZE)) {
		pool_err(extack,
			 "size and address must be multiples of 2 MiB",
			 "pool %s: %#llx@%#llx is not 2 MiB aligned; use a size and address that are multiples of 2M in both memmap= and vmpkram.pool=",
			 name, size, base);
		return -EINVAL;
	}
	if (size < VMPKRAM_POOL_MIN_SIZE || size > VMPKRAM_POOL_MAX_SIZE ||
	    base + size < base) {
		pool_err(extack, "pool size out of range",
			 "pool %s: size %llu MiB is outside %llu MiB..%llu GiB",
			 name, size >> 20, VMPKRAM_POOL_MIN_SIZE >> 20,
			 VMPKRAM_POOL_MAX_SIZE >> 30);
		return -EINVAL;
	}
	list_for_each_entry(other, &vmpkram_pools, node) {
		if (base < other->base + other->size && other->base < base + size) {
			pool_err(extack, "range overlaps another pool",
				 "pool %s: %#llx@%#llx overlaps pool %s; give each pool its own memmap= range",
				 name, size, base, other->name);
			return -EBUSY;
		}
	}
	if (region_intersects(base, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pool_err(extack,
			 "range overlaps System RAM: reserve it with memmap=SIZE$ADDR",
			 "pool %s: %#llx@%#llx overlaps System RAM; add memmap=%lluM$%#llx to the kernel command line",
			 name, size, base, size >> 20, base);
		return -EADDRNOTAVAIL;
	}
	walk_iomem_res_desc(IORES_DESC_RESERVED, IORESOURCE_MEM, base,
			    base + size - 1, &reserved, reserved_bytes);
	if (reserved < size) {
		pool_err(extack,
			 "range is not reserved: reserve it with memmap=SIZE$ADDR",
			 "pool %s: %#llx@%#llx is not reserved memory; add memmap=%lluM$%#llx to the kernel command line",
			 name, size, base, size >> 20, base);
		return -EADDRNOTAVAIL;
	}
	return 0;
}

/* Adds [start, end) with compound pages of 2^@shift pages. */
static int map_part(struct vmpkram_pool *pool, phys_addr_t start,
		    phys_addr_t end, unsigned int shift)
{
	struct vmpkram_pgmap *vp = &pool->pgmaps[pool->nr_pgmaps];
	void *virt;

	if (start >= end)
		return 0;
	vp->pool = pool;
	vp->pgmap.type = MEMORY_DEVICE_GENERIC;
	vp->pgmap.ops = &vmpkram_pgmap_ops;
	vp->pgmap.range.start = start;
	vp->pgmap.range.end = end - 1;
	vp->pgmap.nr_range = 1;
	vp->pgmap.vmemmap_shift = shift;
	virt = memremap_pages(&vp->pgmap, NUMA_NO_NODE);
	if (IS_ERR(virt))
		return PTR_ERR(virt);
	/* The direct map: each part at __va() of its start. */
	if (!pool->nr_pgmaps)
		pool->virt = virt;
	pool->nr_pgmaps++;
	return 0;
}

static void unmap_pages(struct vmpkram_pool *pool)
{
	while (pool->nr_pgmaps)
		memunmap_pages(&pool->pgmaps[--pool->nr_pgmaps].pgmap);
	pool->virt = NULL;
}

/*
 * struct pages for the pool, as ZONE_DEVICE memory: what get_user_pages()
 * and the DAX mappings of vmpkramfs need.  Every 1 GiB-aligned GiB of the
 * pool is one 1 GiB compound page, which a 1 GiB entry maps; the parts
 * before and after are 2 MiB compound pages (as device-dax uses: less
 * memmap to touch than 4 KiB pages).  From here on memory_failure() may
 * call vmpkram_pgmap_ops on the pool: its metadata must exist already.
 * On failure, the parts already added stay for unmap_pages(), which the
 * caller calls without pool->lock (memunmap_pages() waits for the
 * memory-failure handlers, which take it).
 */
static noinline int vmpkram_pool_map_pages(struct vmpkram_pool *pool)
{
	phys_addr_t end = pool->base + pool->size;
	phys_addr_t gib_start = ALIGN(pool->base, PUD_SIZE);
	phys_addr_t gib_end = ALIGN_DOWN(end, PUD_SIZE);
	int ret;

	if (gib_start >= gib_end) {
		gib_start = end;	/* no whole aligned GiB */
		gib_end = end;
	}
	ret = map_part(pool, pool->base, gib_start, PMD_SHIFT - PAGE_SHIFT);
	if (!ret)
		ret = map_part(pool, gib_start, gib_end, PUD_SHIFT - PAGE_SHIFT);
	if (!ret)
		ret = map_part(pool, gib_end, end, PMD_SHIFT - PAGE_SHIFT);
	return ret;
}
ALLOW_ERROR_INJECTION(vmpkram_pool_map_pages, ERRNO);

/*
 * The struct pages go first: memunmap_pages() waits for memory_failure()
 * handlers that hold the pgmap, and no new one can start after it.  Only
 * then may the metadata they write go.
 */
static void pool_free(struct vmpkram_pool *pool)
{
	unmap_pages(pool);
	vmpkram_alloc_free(pool);
	vmpkram_meta_free(pool);
	if (pool->res)
		release_mem_region(pool->base, pool->size);
	xa_destroy(&pool->poison);
	kfree(pool);
}

/*
 * A new pool with its metadata adopted (or judged UNFORMATTED or
 * DAMAGED).  The shadow metadata is allocated before the struct pages
 * exist, and pool->lock is held from before they exist until the
 * adoption is done: a memory failure reported meanwhile waits for the
 * pool to know its blocks, then records the page in them.
 */
static struct vmpkram_pool *pool_new(const char *name, u64 base, u64 size,
				     struct netlink_ext_ack *extack)
{
	struct vmpkram_pool *pool;
	int ret;

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	strscpy(pool->name, name, sizeof(pool->name));
	pool->base = base;
	pool->size = size;
	mutex_init(&pool->lock);
	xa_init(&pool->poison);

	/* The resource name must outlive the claim: it points into @pool. */
	snprintf(pool->res_name, sizeof(pool->res_name), "vmpkram pool %s", name);
	pool->res = request_mem_region(base, size, pool->res_name);
	if (!pool->res) {
		pool_err(extack, "range is claimed by another driver",
			 "pool %s: %#llx@%#llx is claimed by another driver (see /proc/iomem)",
			 name, size, base);
		kfree(pool);
		return ERR_PTR(-EBUSY);
	}
	if (vmpkram_meta_alloc(pool) || vmpkram_alloc_init(pool)) {
		pool_free(pool);
		return ERR_PTR(-ENOMEM);
	}

	mutex_lock(&pool->lock);
	ret = vmpkram_pool_map_pages(pool);
	if (ret) {
		mutex_unlock(&pool->lock);
		pool_err(extack, "cannot add struct pages for the range",
			 "pool %s: cannot add struct pages for %#llx@%#llx: %d",
			 name, size, base, ret);
		pool_free(pool);
		return ERR_PTR(-ENOMEM);
	}
	ret = vmpkram_meta_adopt(pool);
	mutex_unlock(&pool->lock);
	if (ret) {
		/* Nothing was written: a later attach may well succeed. */
		pool_err(extack, "out of memory while loading the pool metadata",
			 "pool %s: out of memory while loading its metadata",
			 name);
		pool_free(pool);
		return ERR_PTR(ret);
	}
	return pool;
}

/* Caller holds vmpkram_pools_lock; @named: see struct vmpkram_pool. */
static int pool_attach_locked(const char *name, u64 base, u64 size,
			      bool named, struct netlink_ext_ack *extack)
{
	struct vmpkram_pool *pool;
	int ret;

	if (!vmpkram_pool_name_valid(name)) {
		pool_err(extack, "invalid pool name",
			 "pool name \"%s\" is invalid: use 1..%u characters of [A-Za-z0-9_-]",
			 name, VMPKRAM_POOL_NAME_MAX);
		return -EINVAL;
	}
	if (vmpkram_pool_find(name)) {
		pool_err(extack, "a pool of that name exists",
			 "pool %s already exists; give every pool its own name", name);
		return -EEXIST;
	}
	ret = check_range(name, base, size, extack);
	if (ret)
		return ret;

	pool = pool_new(name, base, size, extack);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	pool->named = named;
	list_add_tail(&pool->node, &vmpkram_pools);

	if (pool->state == VMPKRAM_POOL_READY)
		pr_info("pool %s: %llu MiB at %#llx adopted, generation %llu, %u files%s\n",
			name, size >> 20, base, le64_to_cpu(pool->meta.generation),
			vmpkram_nr_files(pool),
			pool->adopted_clean ? "" :
			" (not shut down cleanly: free space is scrubbed again)");
	else
		pr_warn("pool %s: %llu MiB at %#llx attached but not usable: %s\n",
			name, size >> 20, base, pool->reason);
	vmpkram_notify_pool(pool, VMPKRAM_POOL_EV_ATTACHED);
	return 0;
}

static int named_at_load(u64 base, u64 size);

/*
 * A run-time attach (POOL_ATTACH in @skb).  A range not named in
 * vmpkram.pool= needs vmpkram_pool_raw_access().
 */
int vmpkram_pool_attach(const char *name, u64 base, u64 size,
			struct sk_buff *skb, struct netlink_ext_ack *extack)
{
	int named, ret;

	named = named_at_load(base, size);
	if (named < 0)
		return named;
	if (!named) {
		ret = vmpkram_pool_raw_access(skb, extack);
		if (ret)
			return ret;
	}
	mutex_lock(&vmpkram_pools_lock);
	ret = pool_attach_locked(name, base, size, named, extack);
	mutex_unlock(&vmpkram_pools_lock);
	return ret;
}

/* Pages of the pool that a get_user_pages() caller still holds. */
static bool pool_pinned(struct vmpkram_pool *pool)
{
	u32 b;

	for (b = pool->meta_blocks; b < pool->nr_blocks; b++)
		if (vmpkram_block_busy(pool, b))
			return true;
	return false;
}

/*
 * Finishes scrubbing and records a clean shutdown, so that the next owner
 * can trust the free blocks to be zero.  A fatal signal cuts the wait
 * short: then the pool is left marked not clean and is scrubbed again.
 * Caller holds vmpkram_pools_lock; the pool must not be mounted.  With
 * pages still pinned (a pipe holding vmsplice'd pages), removing the
 * struct pages would wait for them: refused with -EAGAIN unless
 * @wait_for_pins (module unload, which cannot refuse), which drops the
 * pools lock while it waits.
 */
int vmpkram_pool_detach(struct vmpkram_pool *pool, bool wait_for_pins)
{
	int ret = 0;

	mutex_lock(&pool->lock);
	if (pool->sb)
		ret = -EBUSY;
	else if (!wait_for_pins && pool_pinned(pool))
		ret = -EAGAIN;
	mutex_unlock(&pool->lock);
	if (ret)
		return ret;

	if (pool->state == VMPKRAM_POOL_READY)
		vmpkram_scrub_wait_idle(pool);
	vmpkram_scrub_stop(pool);
	mutex_lock(&pool->lock);
	if (pool->state == VMPKRAM_POOL_READY && !pool->frozen) {
		if (!pool->nr_dirty && !pool->nr_scrubbing)
			pool->meta.flags |= cpu_to_le32(VMPKRAM_SB_F_CLEAN);
		vmpkram_meta_commit(pool);
	}
	mutex_unlock(&pool->lock);

	/*
	 * Removing the struct pages under a pin would leave the pinner with
	 * freed memmap (a pipe releasing its buffers oopses): unload waits.
	 * Killed while waiting, it leaves the pool's memory and struct pages
	 * in place, claimed until reboot, rather than free them under a pin;
	 * memory failures there are no longer this module's to handle.
	 * The wait may last until reboot: it must not hold the pools lock,
	 * which the reboot notifier takes (a kexec would hang behind it).
	 * The pool stays listed, so the notifier still freezes it.
	 */
	while (wait_for_pins && pool_pinned(pool)) {
		pr_warn_ratelimited("pool %s: waiting for pinned pages (a pipe or O_DIRECT holds them) to be released\n",
				    pool->name);
		if (fatal_signal_pending(current)) {
			pr_err("pool %s: pages still pinned; its range stays claimed until reboot\n",
			       pool->name);
			vmpkram_failure_disown(pool);
			list_del(&pool->node);
			return 0;
		}
		mutex_unlock(&vmpkram_pools_lock);
		msleep_interruptible(200);
		mutex_lock(&vmpkram_pools_lock);
	}
	list_del(&pool->node);
	pr_info("pool %s detached\n", pool->name);
	pool_free(pool);
	return 0;
}

/* Caller holds pool->lock.  Whether metadata may change now. */
int vmpkram_pool_writable(struct vmpkram_pool *pool)
{
	if (pool->frozen || pool->state == VMPKRAM_POOL_SEALED)
		return -EROFS;
	if (pool->state != VMPKRAM_POOL_READY)
		return -EUCLEAN;
	return 0;
}

/* Caller holds vmpkram_pools_lock. */
int vmpkram_pool_seal(struct vmpkram_pool *pool)
{
	int ret;

	mutex_lock(&pool->lock);
	ret = pool->state == VMPKRAM_POOL_SEALED ? 0 : vmpkram_pool_writable(pool);
	mutex_unlock(&pool->lock);
	if (ret)
		return ret;

	/* The next kernel trusts CLEAN: every free block must be zero. */
	ret = vmpkram_scrub_wait_idle(pool);
	if (ret)
		return ret;

	mutex_lock(&pool->lock);
	/* Sealing again changes nothing: no commit, the seal time stays. */
	ret = pool->state == VMPKRAM_POOL_SEALED ? 1 : vmpkram_pool_writable(pool);
	if (!ret) {
		pool->state = VMPKRAM_POOL_SEALED;
		/* Not clean if blocks freed meanwhile or pinned ones wait. */
		if (!pool->nr_dirty && !pool->nr_scrubbing)
			pool->meta.flags |= cpu_to_le32(VMPKRAM_SB_F_CLEAN);
		pool->meta.seal_time_ns = cpu_to_le64(ktime_get_real_ns());
		vmpkram_meta_commit(pool);
	}
	mutex_unlock(&pool->lock);
	return ret > 0 ? 0 : ret;
}

/* Caller holds vmpkram_pools_lock. */
int vmpkram_pool_unseal(struct vmpkram_pool *pool)
{
	int ret = 0;

	mutex_lock(&pool->lock);
	if (pool->frozen) {
		ret = -EROFS;
	} else if (pool->state == VMPKRAM_POOL_SEALED) {
		pool->state = VMPKRAM_POOL_READY;
		pool->meta.flags &= ~cpu_to_le32(VMPKRAM_SB_F_CLEAN);
		vmpkram_release_deferred(pool);
		vmpkram_meta_commit(pool);
	} else if (pool->state != VMPKRAM_POOL_READY) {
		ret = -EUCLEAN;
	}
	mutex_unlock(&pool->lock);
	vmpkram_scrub_kick(pool);
	return ret;
}

/* Caller holds vmpkram_pools_lock. */
int vmpkram_pool_format(struct vmpkram_pool *pool)
{
	int ret = 0;

	/* The scrubber works on the free sets that format rebuilds. */
	vmpkram_scrub_stop(pool);
	mutex_lock(&pool->lock);
	if (pool->sb)
		ret = -EBUSY;
	else if (pool->frozen)
		ret = -EROFS;
	else
		vmpkram_meta_format(pool);
	mutex_unlock(&pool->lock);
	vmpkram_scrub_resume(pool);
	if (!ret) {
		pr_info("pool %s formatted: %llu MiB of data, generation %llu\n",
			pool->name, vmpkram_data_size(pool) >> 20,
			le64_to_cpu(pool->meta.generation));
	}
	return ret;
}

/*
 * One "[NAME:]SIZE@ADDR" entry of vmpkram.pool=, cut up in place: @name
 * points into @entry or is NULL for the default name.
 */
static int parse_param_entry(char *entry, char **name, u64 *size, u64 *base)
{
	char *at, *colon, *end;

	*name = NULL;
	colon = strchr(entry, ':');
	if (colon) {
		*colon = '\0';
		*name = entry;
		entry = colon + 1;
	}
	at = strchr(entry, '@');
	if (!at)
		return -EINVAL;
	*at = '\0';
	*size = memparse(entry, &end);
	if (*end || end == entry)
		return -EINVAL;
	*base = memparse(at + 1, &end);
	if (*end || end == at + 1)
		return -EINVAL;
	return 0;
}

static void attach_param_entry(char *entry, unsigned int index)
{
	char defname[16], *name;
	u64 size, base;

	if (parse_param_entry(entry, &name, &size, &base)) {
		pr_err("vmpkram.pool entry %u is malformed: use [NAME:]SIZE@ADDR, e.g. vm:16G@0x100000000\n",
		       index);
		return;
	}
	if (!name) {
		snprintf(defname, sizeof(defname), "pool%u", index);
		name = defname;
	}
	pool_attach_locked(name, base, size, true, NULL);
}

static void attach_param_pools(void)
{
	char *buf, *cur, *entry;
	unsigned int index = 0;

	buf = kstrdup(strim(pool_param), GFP_KERNEL);
	if (!buf)
		return;
	cur = buf;
	mutex_lock(&vmpkram_pools_lock);
	while ((entry = strsep(&cur, ",")) != NULL) {
		if (*entry)
			attach_param_entry(entry, index);
		index++;
	}
	mutex_unlock(&vmpkram_pools_lock);
	kfree(buf);
}

/*
 * 1 if the range was named in vmpkram.pool= when the module was loaded
 * (read-only since): the boot configuration, as opposed to a range an
 * admin names at run time.  0 if not, -ENOMEM.
 */
static int named_at_load(u64 base, u64 size)
{
	char *buf, *cur, *entry, *name;
	u64 b, s;
	int named = 0;

	buf = kstrdup(strim(pool_param), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	cur = buf;
	while (!named && (entry = strsep(&cur, ",")) != NULL)
		named = !parse_param_entry(entry, &name, &s, &b) &&
			b == base && s == size;
	kfree(buf);
	return named;
}

/*
 * Attaching or formatting a range that vmpkram.pool= did not name reads
 * and writes physical memory the admin picks, as /dev/mem does: the same
 * rules, CAP_SYS_RAWIO and no kernel lockdown (Secure Boot).
 */
int vmpkram_pool_raw_access(struct sk_buff *skb, struct netlink_ext_ack *extack)
{
	if (!netlink_capable(skb, CAP_SYS_RAWIO)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "a range not named in vmpkram.pool= needs CAP_SYS_RAWIO");
		return -EPERM;
	}
	if (security_locked_down(LOCKDOWN_DEV_MEM)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "kernel lockdown: only ranges named in vmpkram.pool= can be attached or formatted");
		return -EPERM;
	}
	return 0;
}

/*
 * Once reboot or kexec starts, no commit may begin: a commit cut short by
 * the jump into the next kernel would cost the last update.  Taking each
 * pool's lock waits for a commit in flight; what only the shadow holds
 * (sizes and times of recent writes) is committed one last time.
 */
static int pools_reboot(struct notifier_block *nb, unsigned long action,
			void *data)
{
	struct vmpkram_pool *pool;

	mutex_lock(&vmpkram_pools_lock);
	list_for_each_entry(pool, &vmpkram_pools, node) {
		mutex_lock(&pool->lock);
		vmpkram_meta_commit_pending(pool);
		pool->frozen = true;
		mutex_unlock(&pool->lock);
	}
	mutex_unlock(&vmpkram_pools_lock);
	return NOTIFY_DONE;
}

static struct notifier_block pools_reboot_nb = {
	.notifier_call = pools_reboot,
};

int vmpkram_pools_init(void)
{
	int ret;

	ret = register_reboot_notifier(&pools_reboot_nb);
	if (ret)
		return ret;
	attach_param_pools();
	return 0;
}

void vmpkram_pools_exit(void)
{
	struct vmpkram_pool *pool;

	/* One at a time from the head: detach drops the lock to wait. */
	mutex_lock(&vmpkram_pools_lock);
	while ((pool = list_first_entry_or_null(&vmpkram_pools,
						struct vmpkram_pool, node)))
		if (WARN_ON(vmpkram_pool_detach(pool, true)))
			list_del(&pool->node);
	mutex_unlock(&vmpkram_pools_lock);
	unregister_reboot_notifier(&pools_reboot_nb);
}

unsigned int vmpkram_nr_pools(void)
{
	struct vmpkram_pool *pool;
	unsigned int n = 0;

	mutex_lock(&vmpkram_pools_lock);
	list_for_each_entry(pool, &vmpkram_pools, node)
		n++;
	mutex_unlock(&vmpkram_pools_lock);
	return n;
}
