// SPDX-License-Identifier: GPL-2.0
/*
 * pool check and pool repair: an admin looks at a pool's two metadata
 * slots, check by check, and at what a repair would do; then, only when
 * asked, repairs it.  Adoption (pool_meta.c) never repairs: it refuses a
 * pool unless both slots are what the commit protocol can leave.
 *
 * A check writes nothing: both slots are read into a scratch copy of the
 * pool's metadata, under pool->lock so that no commit is half seen.  A
 * repair builds the same scratch metadata and installs it:
 *
 *  - a slot that passes every check (complete and consistent) is there:
 *    the newest such slot is adopted and the other rewritten from it;
 *  - none is: the newest slot whose superblock checks out is salvaged,
 *    keeping the files whose entry and blocks are consistent and lie in
 *    parts of the tables whose checksums match; the others are dropped
 *    and their blocks freed (scrubbed before reuse);
 *  - and a repair refuses what it cannot tell apart from a configuration
 *    error or another module's data: no metadata, metadata of another
 *    address or size, a newer layout, two pools' slots, no superblock.
 *
 * Either way both slots are rewritten, the one not started from first, so
 * that a kexec during the repair still finds the slot it started from.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "pool_meta.h"

static void scratch_free(struct vmpkram_pool *sp)
{
	if (!sp)
		return;
	vmpkram_meta_free(sp);
	kfree(sp);
}

/* A copy of @pool's geometry with its own, empty, shadow. */
static struct vmpkram_pool *scratch_new(struct vmpkram_pool *pool)
{
	struct vmpkram_pool *sp;

	sp = kzalloc(sizeof(*sp), GFP_KERNEL);
	if (!sp)
		return NULL;
	strscpy(sp->name, pool->name, sizeof(sp->name));
	sp->base = pool->base;
	sp->size = pool->size;
	sp->virt = pool->virt;
	if (vmpkram_meta_alloc(sp)) {
		scratch_free(sp);
		return NULL;
	}
	return sp;
}

static void set_text(struct vmpkram_report *rep, const char *fmt, ...)
	__printf(2, 3);

static void set_text(struct vmpkram_report *rep, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(rep->text, sizeof(rep->text), fmt, args);
	va_end(args);
}

/* The contents checks of every slot whose superblock checked out. */
static int check_contents(struct vmpkram_pool *sp, struct vmpkram_report *rep)
{
	enum vmpkram_meta_check failed;
	struct slot_check *c;
	unsigned int s;
	int ret;

	for (s = 0; s < 2; s++) {
		c = &rep->slot[s];
		if (c->status != SLOT_COMPLETE)
			continue;
		ret = vmpkram_meta_load(sp, s, &c->sb, &failed);
		if (ret == -EUCLEAN) {
			c->status = SLOT_BAD;
			c->reached = failed;
			snprintf(c->why, sizeof(c->why), "slot %u: %.170s", s,
				 sp->reason);
			continue;
		}
		if (ret)
			return ret;
		c->reached = NR_MC;
		vmpkram_meta_unload(sp);
	}
	for (s = 0; s < 2; s++)
		rep->interrupted[s] = rep->slot[!s].status == SLOT_COMPLETE &&
				      vmpkram_meta_interrupted(&rep->slot[s],
							       &rep->slot[!s]);
	return 0;
}

static bool usable(const struct slot_check *c)
{
	return c->status == SLOT_COMPLETE && c->reached == NR_MC;
}

/* Its superblock passed the superblock checks, up to its generation. */
static bool sb_usable(const struct slot_check *c)
{
	return c->status == SLOT_COMPLETE || c->reached > MC_RESERVED;
}

static u64 gen_of(const struct slot_check *c)
{
	return le64_to_cpu(c->sb.generation);
}

/* ----------------------------------------------------------- salvage */

/* Records file table entry @i as dropped and clears it. */
static void drop(struct vmpkram_pool *sp, struct vmpkram_report *rep, u32 i,
		 const char *why)
{
	struct vmpkram_pool_file *f = &sp->files[i];
	struct vmpkram_report_file *d;
	u16 len = le16_to_cpu(f->name_len);

	if (rep->nr_files < VMPKRAM_REPORT_FILES) {
		d = &rep->files[rep->nr_files++];
		d->entry = i;
		d->ino = le64_to_cpu(f->ino);
		/* A name that cannot be a string is left out. */
		d->name_len = len <= VMPKRAMFS_NAME_MAX &&
			      !memchr(f->name, '\0', len) ? len : 0;
		memcpy(d->name, f->name, d->name_len);
		d->why = why;
	}
	if (rep->repairing)
		pr_info("pool %s: repair drops file table entry %u (inode %llu): %s\n",
			sp->name, i, le64_to_cpu(f->ino), why);
	rep->dropped++;
	xa_destroy(&sp->fblocks[i]);
	memset(f, 0, sizeof(*f));
}

static bool chunk_bad(struct vmpkram_pool *sp, const unsigned long *bad,
		      size_t off, size_t len, bool bmap)
{
	u32 chunk = bmap ? sp->bm_chunk : sp->ft_chunk;
	u32 first = (bmap ? sp->ft_chunks : 0) + off / chunk;
	u32 last = (bmap ? sp->ft_chunks : 0) + (off + len - 1) / chunk;

	return test_bit(first, bad) || test_bit(last, bad);
}

/* File table entries on their own, and against each other. */
static void salvage_entries(struct vmpkram_pool *sp, struct vmpkram_report *rep,
			    const unsigned long *bad)
{
	const size_t fsize = sizeof(struct vmpkram_pool_file);
	struct vmpkram_pool_file *f;
	const char *why;
	u32 i, j;

	for (i = 0; i < VMPKRAM_POOL_MAX_FILES; i++) {
		f = &sp->files[i];
		if (!f->flags) {
			memset(f, 0, fsize);	/* not a file: nothing to keep */
			continue;
		}
		why = NULL;
		if (chunk_bad(sp, bad, i * fsize, fsize, false))
			why = "its file table entry is in a part of the table whose checksum fails";
		else
			why = vmpkram_meta_check_entry(sp, i);
		for (j = 0; !why && j < i; j++) {
			if (!sp->files[j].flags)
				continue;
			if (sp->files[j].ino == f->ino)
				why = "inode number of another file";
			else if (vmpkram_meta_same_name(sp, i, j))
				why = "name of another file";
		}
		if (why) {
			drop(sp, rep, i, why);
		} else if (le32_to_cpu(f->flags) & VMPKRAM_PF_ORPHAN) {
			/* Deleted while open: freed as at every adoption. */
			memset(f, 0, fsize);
		}
	}
}

/*
 * Every file block the trusted parts of the block map give, into the
 * files' block lists: memory by the blocks held, charged to the caller.
 */
static int salvage_blocks(struct vmpkram_pool *sp, struct vmpkram_report *rep,
			  const unsigned long *bad)
{
	const size_t esize = sizeof(struct vmpkram_pool_bmap);
	u32 b, owner, index;
	int ret;

	for (b = sp->meta_blocks; b < sp->nr_blocks; b++) {
		if (!(b % 512))
			cond_resched();
		if (chunk_bad(sp, bad, (size_t)b * esize, esize, true))
			continue;
		owner = le32_to_cpu(sp->bmap[b].owner);
		index = le32_to_cpu(sp->bmap[b].index);
		if (!owner || owner > VMPKRAM_POOL_MAX_FILES ||
		    !sp->files[owner - 1].flags)
			continue;
		if (index >= le32_to_cpu(sp->files[owner - 1].nr_blocks)) {
			drop(sp, rep, owner - 1, "a block of it lies beyond its end");
			continue;
		}
		ret = xa_insert(&sp->fblocks[owner - 1], index, xa_mk_value(b),
				GFP_KERNEL_ACCOUNT);
		if (ret == -EBUSY)
			drop(sp, rep, owner - 1, "two blocks at the same place in it");
		else if (ret)
			return ret;
	}
	return 0;
}

/* Files with blocks missing; a hole must be told from a lost block. */
static void salvage_complete(struct vmpkram_pool *sp, struct vmpkram_report *rep,
			     bool bmap_damaged)
{
	struct vmpkram_pool_file *f;
	u32 i;

	for (i = 0; i < VMPKRAM_POOL_MAX_FILES; i++) {
		f = &sp->files[i];
		if (!f->flags)
			continue;
		/* Every entry is below nr_blocks (salvage_blocks()). */
		if (vmpkram_blocks_held(sp, i) == le32_to_cpu(f->nr_blocks)) {
			rep->kept++;
		} else if (!(le32_to_cpu(f->flags) & VMPKRAM_PF_SPARSE)) {
			drop(sp, rep, i, "blocks of it are missing from the block map");
		} else if (bmap_damaged) {
			drop(sp, rep, i,
			     "its holes cannot be told from blocks in a part of the block map whose checksum fails");
		} else {
			rep->kept++;
		}
	}
}

/* The block map again, from the kept files' blocks alone. */
static void salvage_rebuild(struct vmpkram_pool *sp, const unsigned long *bad)
{
	const size_t esize = sizeof(struct vmpkram_pool_bmap);
	unsigned long j;
	bool bad_block;
	void *entry;
	u32 b, i, blk;

	for (b = 0; b < sp->nr_blocks; b++) {
		bad_block = b >= sp->meta_blocks &&
			    !chunk_bad(sp, bad, (size_t)b * esize, esize, true) &&
			    sp->bmap[b].owner == cpu_to_le32(VMPKRAM_BM_BAD);
		sp->bmap[b].owner = cpu_to_le32(b < sp->meta_blocks ? VMPKRAM_BM_META :
						bad_block ? VMPKRAM_BM_BAD :
						VMPKRAM_BM_FREE);
		sp->bmap[b].index = 0;
	}
	for (i = 0; i < VMPKRAM_POOL_MAX_FILES; i++) {
		if (!sp->files[i].flags)
			continue;
		xa_for_each(&sp->fblocks[i], j, entry) {
			blk = xa_to_value(entry);
			sp->bmap[blk].owner = cpu_to_le32(i + 1);
			sp->bmap[blk].index = cpu_to_le32(j);
		}
		cond_resched();
	}
}

/*
 * The metadata of slot @s, whose superblock checked out but whose
 * contents did not, with what cannot be trusted taken out.
 */
static int salvage(struct vmpkram_pool *sp, struct vmpkram_report *rep,
		   unsigned int s)
{
	const struct vmpkram_pool_sb *sb = &rep->slot[s].sb;
	void *base = vmpkram_meta_slot(sp, s), *shadow;
	unsigned long *bad;
	bool bmap_damaged;
	size_t off, len;
	u32 c;
	int ret;

	sp->meta = *sb;
	vmpkram_meta_set_layout(sp, le32_to_cpu(sb->layout_version));
	bad = bitmap_zalloc(sp->nr_chunks, GFP_KERNEL);
	if (!bad)
		return -ENOMEM;
	vmpkram_meta_bad_chunks(sp, s, sb, bad);
	/* A chunk that cannot be read (poisoned) is one that fails. */
	for (c = 0; c < sp->nr_chunks; c++) {
		shadow = vmpkram_meta_chunk(sp, c, &off, &len);
		if (copy_mc_to_kernel(shadow, base + off, len)) {
			memset(shadow, 0, len);
			__set_bit(c, bad);
		}
	}
	bmap_damaged = find_next_bit(bad, sp->nr_chunks, sp->ft_chunks) <
		       sp->nr_chunks;

	salvage_entries(sp, rep, bad);
	ret = salvage_blocks(sp, rep, bad);
	if (!ret) {
		salvage_complete(sp, rep, bmap_damaged);
		salvage_rebuild(sp, bad);
	}
	bitmap_free(bad);
	return ret;
}

/* ------------------------------------------------------------- plans */

static u32 files_of(struct vmpkram_pool *sp)
{
	u32 i, n = 0;

	for (i = 0; i < VMPKRAM_POOL_MAX_FILES; i++)
		n += (le32_to_cpu(sp->files[i].flags) &
		      (VMPKRAM_PF_USED | VMPKRAM_PF_ORPHAN)) == VMPKRAM_PF_USED;
	return n;
}

/* Why no repair may start here, or false. */
static bool refused(struct vmpkram_pool *pool, struct vmpkram_report *rep)
{
	struct slot_check *c = rep->slot;
	unsigned int s;

	if (pool->state == VMPKRAM_POOL_UNFORMATTED) {
		set_text(rep,
			 "nothing to repair: no vmpkram metadata; only 'vmpkramctl pool format %s' makes the pool usable (destroys what is there)",
			 pool->name);
		return true;
	}
	for (s = 0; s < 2; s++) {
		if (c[s].status == SLOT_BAD && c[s].reached == MC_VERSION) {
			set_text(rep,
				 "slot %u holds a layout this module does not write (%.120s): use the module that wrote it",
				 s, c[s].why);
			return true;
		}
	}
	if (usable(&c[0]) && usable(&c[1]) &&
	    memcmp(c[0].sb.uuid, c[1].sb.uuid, sizeof(c[0].sb.uuid))) {
		set_text(rep,
			 "the two slots belong to different pools: a repair cannot tell which is this one; copy the files out or format");
		return true;
	}
	if (!sb_usable(&c[0]) && !sb_usable(&c[1])) {
		if (c[0].reached == MC_ADDRESS || c[1].reached == MC_ADDRESS)
			set_text(rep, "not repaired: %.200s",
				 c[c[0].reached == MC_ADDRESS ? 0 : 1].why);
		else
			set_text(rep,
				 "no slot has a superblock to start from; 'vmpkramctl pool format %s' makes the pool usable (destroys what is there)",
				 pool->name);
		return true;
	}
	return false;
}

/* The newer of the slots @ok accepts, or -1. */
static int newest(struct vmpkram_report *rep, bool (*ok)(const struct slot_check *))
{
	struct slot_check *c = rep->slot;

	if (ok(&c[0]) && ok(&c[1]))
		return gen_of(&c[1]) > gen_of(&c[0]);
	return ok(&c[0]) ? 0 : ok(&c[1]) ? 1 : -1;
}

static int plan_adopt(struct vmpkram_pool *sp, struct vmpkram_report *rep)
{
	struct slot_check *c = rep->slot;
	int s = rep->src, ret;

	ret = vmpkram_meta_load(sp, s, &c[s].sb, NULL);
	if (ret)
		return ret == -EUCLEAN ? -EIO : ret;	/* it checked out above */
	rep->action = VMPKRAM_REPAIR_ADOPT;
	rep->kept = files_of(sp);
	if (sb_usable(&c[!s]) && gen_of(&c[!s]) > gen_of(&c[s]))
		set_text(rep,
			 "adopt slot %d (generation %llu, %u files) and rewrite slot %d from it; slot %d's generation %llu is lost: %.150s",
			 s, gen_of(&c[s]), rep->kept, !s, !s, gen_of(&c[!s]),
			 c[!s].why);
	else
		set_text(rep,
			 "adopt slot %d (generation %llu, %u files) and rewrite slot %d from it",
			 s, gen_of(&c[s]), rep->kept, !s);
	return 0;
}

static int plan_salvage(struct vmpkram_pool *sp, struct vmpkram_report *rep)
{
	int s = rep->src, ret;

	ret = salvage(sp, rep, s);
	if (ret)
		return ret;
	rep->action = VMPKRAM_REPAIR_SALVAGE;
	set_text(rep,
		 "no slot is usable: rebuild from slot %d (generation %llu), keeping %u files and dropping %u, and rewrite both slots",
		 s, gen_of(&rep->slot[s]), rep->kept, rep->dropped);
	return 0;
}

/* Checks both slots and plans the repair; pool->lock held. */
static int check_locked(struct vmpkram_pool *pool, struct vmpkram_report *rep)
{
	struct vmpkram_pool *sp;
	bool repairing;
	int ret;

	repairing = rep->repairing;
	memset(rep, 0, sizeof(*rep));
	rep->repairing = repairing;
	rep->src = -1;
	rep->state = pool->state;
	sp = scratch_new(pool);
	if (!sp)
		return -ENOMEM;
	vmpkram_meta_check_slot(sp, 0, &rep->slot[0]);
	vmpkram_meta_check_slot(sp, 1, &rep->slot[1]);
	ret = check_contents(sp, rep);
	if (ret)
		goto out;
	if (pool->state == VMPKRAM_POOL_READY || pool->state == VMPKRAM_POOL_SEALED) {
		rep->action = VMPKRAM_REPAIR_NONE;
		set_text(rep, "nothing to repair: the pool is %s",
			 pool->state == VMPKRAM_POOL_READY ? "ready" : "sealed");
		goto out;
	}
	rep->action = VMPKRAM_REPAIR_REFUSED;
	if (refused(pool, rep))
		goto out;
	rep->src = newest(rep, usable);
	if (rep->src >= 0) {
		ret = plan_adopt(sp, rep);
	} else {
		rep->src = newest(rep, sb_usable);
		ret = plan_salvage(sp, rep);
	}
	if (!ret) {
		rep->scratch = sp;
		return 0;
	}
out:
	scratch_free(sp);
	return ret;
}

/* Caller holds vmpkram_pools_lock.  Writes nothing. */
int vmpkram_pool_check(struct vmpkram_pool *pool, struct vmpkram_report *rep)
{
	int ret;

	mutex_lock(&pool->lock);
	ret = check_locked(pool, rep);
	mutex_unlock(&pool->lock);
	scratch_free(rep->scratch);
	rep->scratch = NULL;
	return ret;
}

/* ------------------------------------------------------------ repair */

/*
 * Installs the scratch metadata of @rep and writes it to both slots, the
 * one not started from first.  The generations continue above those of
 * the slots whose superblock checksum matches (the sequence: a generation
 * that failed its check may be anything), and the first lands in that
 * slot.  pool->lock held.
 */
static void install(struct vmpkram_pool *pool, struct vmpkram_report *rep)
{
	struct vmpkram_pool *sp = rep->scratch;
	struct slot_check *c = rep->slot;
	unsigned int s;
	u64 top = 0;

	for (s = 0; s < 2; s++)
		if (c[s].reached > MC_SB_CRC && c[s].seq >> 1 < BIT_ULL(62))
			top = max(top, c[s].seq >> 1);
	top++;
	if ((top & 1) == (unsigned int)rep->src)
		top++;

	swap(pool->files, sp->files);
	swap(pool->bmap, sp->bmap);
	swap(pool->fblocks, sp->fblocks);
	pool->meta = sp->meta;
	pool->meta.generation = cpu_to_le64(top - 1);
	pool->meta.flags &= ~cpu_to_le32(VMPKRAM_SB_F_CLEAN);
	vmpkram_meta_set_layout(pool, sp->layout);
	vmpkram_meta_changed_all(pool);
	bitmap_fill(pool->unwritten[0], pool->nr_chunks);
	bitmap_fill(pool->unwritten[1], pool->nr_chunks);
	/* A rolled back or salvaged pool's free blocks may hold data. */
	vmpkram_alloc_reset(pool, false);
	pool->adopted_clean = false;
	pool->state = VMPKRAM_POOL_READY;
	pool->reason[0] = '\0';
	vmpkram_meta_free_orphans(pool);
	vmpkram_meta_commit(pool);
	vmpkram_meta_commit(pool);
}

/*
 * Repairs a DAMAGED pool as vmpkram_pool_check() plans it: 0 when it did
 * or there was nothing to do (@rep->action says which), -EUCLEAN when it
 * refused, -EBUSY mounted, -EROFS frozen.  Caller holds
 * vmpkram_pools_lock.
 */
int vmpkram_pool_repair(struct vmpkram_pool *pool, struct vmpkram_report *rep)
{
	int ret;

	rep->repairing = true;
	/* The scrubber works on the free sets that a repair rebuilds. */
	vmpkram_scrub_stop(pool);
	mutex_lock(&pool->lock);
	if (pool->sb)
		ret = -EBUSY;
	else if (pool->frozen)
		ret = -EROFS;
	else
		ret = check_locked(pool, rep);
	if (!ret && rep->action == VMPKRAM_REPAIR_REFUSED)
		ret = -EUCLEAN;
	if (!ret && rep->scratch) {
		install(pool, rep);
		pr_info("pool %s repaired: %s; generation %llu\n", pool->name,
			rep->text, le64_to_cpu(pool->meta.generation));
	}
	rep->state = pool->state;
	mutex_unlock(&pool->lock);
	vmpkram_scrub_resume(pool);
	scratch_free(rep->scratch);
	rep->scratch = NULL;
	return ret;
}
