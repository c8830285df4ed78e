// SPDX-License-Identifier: GPL-2.0
/*
 * On-pool metadata: checking and adopting what a previous kernel left,
 * formatting, and committing the shadow copy (layout and protocol in
 * pool_layout.h and Documentation/pool-layout.rst).
 *
 * Everything read from the pool is untrusted: it may be damaged, foreign,
 * or written for another geometry.  Checks run on copies in kernel memory
 * and every count is bounded before it sizes an allocation.  A pool that
 * fails a check is left exactly as it was found.  The pool is read with
 * machine-check safe copies: poison the previous kernel saw (or never
 * noticed) makes a slot unreadable, not the host crash.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32c.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uuid.h>
#include <linux/error-injection.h>

#include "pool.h"

static_assert(sizeof(struct vmpkram_pool_sb) <= VMPKRAM_SB_SIZE);
static_assert(sizeof(struct vmpkram_pool_file) == 320);
static_assert(sizeof(struct vmpkram_pool_bmap) == 8);
static_assert(offsetof(struct vmpkram_pool_sb, magic) == VMPKRAM_SB_CRC_START);

enum slot_status {
	SLOT_COMPLETE,
	SLOT_BLANK,	/* no magic, nothing ever written */
	SLOT_FOREIGN,	/* no vmpkram magic, but not blank */
	SLOT_BAD,	/* ours, but does not check out */
};

struct slot_check {
	enum slot_status status;
	u64 seq;
	struct vmpkram_pool_sb sb;
	char why[VMPKRAM_REASON_MAX];
};

static __printf(2, 3) void slot_bad(struct slot_check *c, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, args);
	va_end(args);
	c->status = SLOT_BAD;
}

static u32 meta_crc(const void *buf, size_t len)
{
	return ~crc32c(~0U, buf, len);
}

/*
 * meta_crc() of @len bytes of pool memory at @src, read through a small
 * bounce buffer with machine-check safe copies: false when a machine
 * check stopped the copy.
 */
static bool pool_crc(const void *src, size_t len, u32 *crc)
{
	u8 buf[256];
	u32 c = ~0U;
	size_t n;

	while (len) {
		n = min(len, sizeof(buf));
		if (copy_mc_to_kernel(buf, src, n))
			return false;
		c = crc32c(c, buf, n);
		src += n;
		len -= n;
	}
	*crc = ~c;
	return true;
}

/* The geometry a pool of pool->size has in layout version 1. */
static void expected_sb(struct vmpkram_pool *pool, struct vmpkram_pool_sb *sb)
{
	u32 nr_blocks = pool->size >> VMPKRAM_BLOCK_SHIFT;
	u32 ft_size = VMPKRAM_POOL_MAX_FILES * sizeof(struct vmpkram_pool_file);
	u32 bm_offset = VMPKRAM_SB_SIZE + PAGE_ALIGN(ft_size);
	u32 bm_size = nr_blocks * sizeof(struct vmpkram_pool_bmap);
	u64 slot_size = PAGE_ALIGN((u64)bm_offset + bm_size);

	memset(sb, 0, sizeof(*sb));
	memcpy(sb->magic, VMPKRAM_LAYOUT_MAGIC, sizeof(sb->magic));
	sb->layout_version = cpu_to_le32(VMPKRAM_LAYOUT_VERSION);
	sb->sb_size = cpu_to_le32(sizeof(*sb));
	sb->pool_base = cpu_to_le64(pool->base);
	sb->pool_size = cpu_to_le64(pool->size);
	sb->block_size = cpu_to_le32(VMPKRAM_BLOCK_SIZE);
	sb->nr_blocks = cpu_to_le32(nr_blocks);
	sb->meta_blocks = cpu_to_le32(DIV_ROUND_UP(2 * slot_size,
						   VMPKRAM_BLOCK_SIZE));
	sb->max_files = cpu_to_le32(VMPKRAM_POOL_MAX_FILES);
	sb->slot_size = cpu_to_le64(slot_size);
	sb->ft_offset = cpu_to_le32(VMPKRAM_SB_SIZE);
	sb->ft_size = cpu_to_le32(ft_size);
	sb->file_entry_size = cpu_to_le32(sizeof(struct vmpkram_pool_file));
	sb->bm_offset = cpu_to_le32(bm_offset);
	sb->bm_size = cpu_to_le32(bm_size);
}

static void *slot_addr(struct vmpkram_pool *pool, unsigned int slot)
{
	return pool->virt + slot * le64_to_cpu(pool->meta.slot_size);
}

int vmpkram_meta_alloc(struct vmpkram_pool *pool)
{
	unsigned int i;

	expected_sb(pool, &pool->meta);
	pool->nr_blocks = le32_to_cpu(pool->meta.nr_blocks);
	pool->meta_blocks = le32_to_cpu(pool->meta.meta_blocks);
	pool->files = kvzalloc(le32_to_cpu(pool->meta.ft_size), GFP_KERNEL);
	pool->bmap = kvzalloc(le32_to_cpu(pool->meta.bm_size), GFP_KERNEL);
	pool->fblocks = kvcalloc(VMPKRAM_POOL_MAX_FILES, sizeof(*pool->fblocks),
				 GFP_KERNEL);
	/* vmpkram_meta_free() destroys them: initialized before any return. */
	for (i = 0; pool->fblocks && i < VMPKRAM_POOL_MAX_FILES; i++)
		xa_init_flags(&pool->fblocks[i], XA_FLAGS_ACCOUNT);
	if (!pool->files || !pool->bmap || !pool->fblocks)
		return -ENOMEM;
	return 0;
}
ALLOW_ERROR_INJECTION(vmpkram_meta_alloc, ERRNO);

static void free_fblocks(struct vmpkram_pool *pool)
{
	unsigned int i;

	for (i = 0; i < VMPKRAM_POOL_MAX_FILES; i++)
		xa_destroy(&pool->fblocks[i]);
}

void vmpkram_meta_free(struct vmpkram_pool *pool)
{
	if (pool->fblocks)
		free_fblocks(pool);
	kvfree(pool->fblocks);
	kvfree(pool->bmap);
	kvfree(pool->files);
}

/* Fields of @sb that must equal what this pool's geometry gives. */
static bool geometry_matches(const struct vmpkram_pool_sb *sb,
			     const struct vmpkram_pool_sb *want)
{
	size_t from = offsetof(struct vmpkram_pool_sb, block_size);
	size_t to = offsetof(struct vmpkram_pool_sb, ft_crc);

	return !memcmp((const u8 *)sb + from, (const u8 *)want + from, to - from) &&
	       sb->file_entry_size == want->file_entry_size &&
	       sb->bm_offset == want->bm_offset && sb->bm_size == want->bm_size;
}

static void check_sb(struct vmpkram_pool *pool, unsigned int slot,
		     struct slot_check *c)
{
	struct vmpkram_pool_sb *sb = &c->sb, want;
	void *base = pool->virt + slot * le64_to_cpu(pool->meta.slot_size);
	u32 crc, bm_crc;

	expected_sb(pool, &want);
	if (le32_to_cpu(sb->crc) != meta_crc((u8 *)sb + VMPKRAM_SB_CRC_START,
					     sizeof(*sb) - VMPKRAM_SB_CRC_START)) {
		slot_bad(c, "slot %u: superblock checksum mismatch", slot);
		return;
	}
	if (le32_to_cpu(sb->layout_version) != VMPKRAM_LAYOUT_VERSION) {
		slot_bad(c, "slot %u: layout version %u, this module reads %u",
			 slot, le32_to_cpu(sb->layout_version),
			 VMPKRAM_LAYOUT_VERSION);
		return;
	}
	if (sb->pool_base != want.pool_base || sb->pool_size != want.pool_size) {
		slot_bad(c,
			 "metadata describes a pool of %llu MiB at %#llx, but this pool is %llu MiB at %#llx: fix vmpkram.pool= and memmap=, or format",
			 le64_to_cpu(sb->pool_size) >> 20,
			 le64_to_cpu(sb->pool_base), pool->size >> 20,
			 (u64)pool->base);
		return;
	}
	if (sb->sb_size != want.sb_size || le32_to_cpu(sb->slot) != slot ||
	    !geometry_matches(sb, &want)) {
		slot_bad(c, "slot %u: superblock geometry does not match the pool", slot);
		return;
	}
	if (le32_to_cpu(sb->flags) & ~VMPKRAM_SB_F_KNOWN || sb->__pad0 ||
	    memchr_inv(sb->__reserved, 0, sizeof(sb->__reserved))) {
		slot_bad(c, "slot %u: unknown superblock flags or reserved fields set", slot);
		return;
	}
	if (!sb->generation || le64_to_cpu(sb->generation) != c->seq >> 1) {
		slot_bad(c, "slot %u: generation %llu does not match commit sequence %llu",
			 slot, le64_to_cpu(sb->generation), c->seq >> 1);
		return;
	}
	if (!pool_crc(base + VMPKRAM_SB_SIZE, le32_to_cpu(want.ft_size), &crc) ||
	    !pool_crc(base + le32_to_cpu(want.bm_offset),
		      le32_to_cpu(want.bm_size), &bm_crc)) {
		slot_bad(c, "slot %u: metadata unreadable (poisoned memory)", slot);
		return;
	}
	if (le32_to_cpu(sb->ft_crc) != crc) {
		slot_bad(c, "slot %u: file table checksum mismatch", slot);
		return;
	}
	if (le32_to_cpu(sb->bm_crc) != bm_crc) {
		slot_bad(c, "slot %u: block map checksum mismatch", slot);
		return;
	}
	c->status = SLOT_COMPLETE;
}

static void check_slot(struct vmpkram_pool *pool, unsigned int slot,
		       struct slot_check *c)
{
	struct vmpkram_pool_sb *psb = slot_addr(pool, slot);

	c->why[0] = '\0';
	if (copy_mc_to_kernel(&c->sb, psb, sizeof(c->sb))) {
		memset(&c->sb, 0, sizeof(c->sb));
		slot_bad(c, "slot %u: superblock unreadable (poisoned memory)", slot);
		return;
	}
	c->seq = le64_to_cpu(c->sb.commit_seq);
	if (!memcmp(c->sb.magic, VMPKRAM_LAYOUT_MAGIC, sizeof(c->sb.magic)))
		return check_sb(pool, slot, c);
	if (!memchr_inv(&c->sb, 0, sizeof(c->sb))) {
		c->status = SLOT_BLANK;
		return;
	}
	c->status = SLOT_FOREIGN;
	snprintf(c->why, sizeof(c->why), "slot %u: no vmpkram magic", slot);
}

/* A slot caught between "writing g" and "g complete". */
static bool interrupted(const struct slot_check *c, const struct slot_check *other)
{
	return c->status != SLOT_COMPLETE && !(c->seq & VMPKRAM_SEQ_DONE) &&
	       (c->seq >> 1) == le64_to_cpu(other->sb.generation) + 1;
}

/*
 * Picks the slot to adopt, or explains in pool->reason why none.
 * Returns the slot number, or -1.
 */
static int choose_slot(struct vmpkram_pool *pool, struct slot_check *c)
{
	u64 g0 = le64_to_cpu(c[0].sb.generation);
	u64 g1 = le64_to_cpu(c[1].sb.generation);
	int s;

	if (c[0].status == SLOT_COMPLETE && c[1].status == SLOT_COMPLETE) {
		if (memcmp(c[0].sb.uuid, c[1].sb.uuid, sizeof(c[0].sb.uuid))) {
			strscpy(pool->reason, "the two metadata slots belong to different pools",
				sizeof(pool->reason));
			return -1;
		}
		if (g0 + 1 != g1 && g1 + 1 != g0) {
			snprintf(pool->reason, sizeof(pool->reason),
				 "slot generations %llu and %llu are not consecutive", g0, g1);
			return -1;
		}
		return g1 > g0;
	}
	for (s = 0; s < 2; s++) {
		if (c[s].status == SLOT_COMPLETE && interrupted(&c[!s], &c[s])) {
			pr_warn("pool %s: update to generation %llu was interrupted; rolled back to generation %llu\n",
				pool->name, c[!s].seq >> 1,
				le64_to_cpu(c[s].sb.generation));
			return s;
		}
	}
	if (c[0].status != SLOT_BAD && c[1].status != SLOT_BAD &&
	    c[0].status != SLOT_COMPLETE && c[1].status != SLOT_COMPLETE) {
		pool->state = VMPKRAM_POOL_UNFORMATTED;
		snprintf(pool->reason, sizeof(pool->reason),
			 "no vmpkram metadata%s; run 'vmpkramctl pool format %s' to use it (destroys what is there)",
			 c[0].status == SLOT_FOREIGN || c[1].status == SLOT_FOREIGN ?
			 " (foreign data)" : "", pool->name);
		return -1;
	}
	s = c[0].status == SLOT_COMPLETE ? 1 : 0;
	snprintf(pool->reason, sizeof(pool->reason), "%s",
		 c[s].why[0] ? c[s].why : "metadata slot incomplete");
	return -1;
}

static bool name_valid(const struct vmpkram_pool_file *f, unsigned int len)
{
	if (!len || len > VMPKRAMFS_NAME_MAX)
		return false;
	if (memchr(f->name, '/', len) || memchr(f->name, '\0', len))
		return false;
	if ((len == 1 && f->name[0] == '.') ||
	    (len == 2 && f->name[0] == '.' && f->name[1] == '.'))
		return false;
	return !memchr_inv(f->name + len, 0, sizeof(f->name) - len);
}

static const char *check_file(struct vmpkram_pool *pool,
			      const struct vmpkram_pool_file *f)
{
	u32 flags = le32_to_cpu(f->flags), mode = le32_to_cpu(f->mode);
	u64 size = le64_to_cpu(f->size), ino = le64_to_cpu(f->ino);
	unsigned int len = le16_to_cpu(f->name_len);

	if (!flags)
		return memchr_inv(f, 0, sizeof(*f)) ? "free entry not zero" : NULL;
	if (!(flags & VMPKRAM_PF_USED) || (flags & ~VMPKRAM_PF_KNOWN))
		return "unknown flags";
	if (!S_ISREG(mode) || (mode & ~(S_IFMT | 07777)))
		return "not a regular file mode";
	if (ino < 2 || ino >= le64_to_cpu(pool->meta.next_ino))
		return "inode number out of range";
	if (size > vmpkram_data_size(pool) ||
	    le32_to_cpu(f->nr_blocks) != DIV_ROUND_UP(size, VMPKRAM_BLOCK_SIZE))
		return "size and block count disagree";
	if (f->__reserved0 || f->__reserved)
		return "reserved fields set";
	if (flags & VMPKRAM_PF_ORPHAN)
		return len || memchr_inv(f->name, 0, sizeof(f->name)) ?
		       "orphan with a name" : NULL;
	return name_valid(f, len) ? NULL : "invalid name";
}

static bool same_name(const struct vmpkram_pool_file *a,
		      const struct vmpkram_pool_file *b)
{
	return !(le32_to_cpu(a->flags) & VMPKRAM_PF_ORPHAN) &&
	       !(le32_to_cpu(b->flags) & VMPKRAM_PF_ORPHAN) &&
	       a->name_len == b->name_len &&
	       !memcmp(a->name, b->name, le16_to_cpu(a->name_len));
}

static int check_files(struct vmpkram_pool *pool)
{
	const struct vmpkram_pool_file *f = pool->files;
	u64 blocks = 0;
	u32 i, j, used = 0;
	const char *why;

	for (i = 0; i < VMPKRAM_POOL_MAX_FILES; i++) {
		why = check_file(pool, &f[i]);
		if (why)
			goto bad;
		if (!f[i].flags)
			continue;
		used++;
		/* A sparse file's span may exceed the pool; its blocks cannot. */
		if (!(le32_to_cpu(f[i].flags) & VMPKRAM_PF_SPARSE))
			blocks += le32_to_cpu(f[i].nr_blocks);
		for (j = 0; j < i; j++) {
			why = "duplicate name or inode number";
			if (f[j].flags && (f[j].ino == f[i].ino || same_name(&f[i], &f[j])))
				goto bad;
		}
	}
	if (used != le32_to_cpu(pool->meta.nr_files) ||
	    blocks > pool->nr_blocks - pool->meta_blocks) {
		snprintf(pool->reason, sizeof(pool->reason),
			 "file table: counts do not match the superblock");
		return -EUCLEAN;
	}
	return 0;
bad:
	snprintf(pool->reason, sizeof(pool->reason), "file table entry %u: %s", i, why);
	return -EUCLEAN;
}

/* Block map entry @b on its own; counts a file's blocks in @held. */
static const char *check_block(struct vmpkram_pool *pool, u32 b, u32 *held)
{
	u32 owner = le32_to_cpu(pool->bmap[b].owner);
	u32 index = le32_to_cpu(pool->bmap[b].index);
	const struct vmpkram_pool_file *f;

	if (b < pool->meta_blocks)
		return owner == VMPKRAM_BM_META && !index ? NULL : "metadata block not marked";
	if (owner == VMPKRAM_BM_FREE)
		return index ? "free block with an index" : NULL;
	if (owner == VMPKRAM_BM_BAD)
		return index ? "withdrawn block with an index" : NULL;
	if (owner > VMPKRAM_POOL_MAX_FILES)
		return "owner out of range";
	f = &pool->files[owner - 1];
	if (!f->flags || index >= le32_to_cpu(f->nr_blocks))
		return "block index beyond its file";
	if (++held[owner - 1] > le32_to_cpu(f->nr_blocks))
		return "file block mapped twice";
	return NULL;
}

/*
 * The in-memory block list of every file, from a block map that passed
 * check_block(): memory by the blocks files hold (at most the pool's),
 * charged to the caller.  A block mapped twice shows here.  On error,
 * load_slot() frees what was built.
 */
static noinline int vmpkram_alloc_fblocks(struct vmpkram_pool *pool, u32 *dup)
{
	u32 b, owner;
	int ret;

	for (b = pool->meta_blocks; b < pool->nr_blocks; b++) {
		owner = le32_to_cpu(pool->bmap[b].owner);
		if (owner == VMPKRAM_BM_FREE || owner > VMPKRAM_POOL_MAX_FILES)
			continue;
		ret = xa_insert(&pool->fblocks[owner - 1],
				le32_to_cpu(pool->bmap[b].index),
				xa_mk_value(b), GFP_KERNEL_ACCOUNT);
		if (ret == -EBUSY)
			*dup = b;
		if (ret)
			return ret;
		if (!(b % 512))
			cond_resched();
	}
	return 0;
}
ALLOW_ERROR_INJECTION(vmpkram_alloc_fblocks, ERRNO);

/*
 * The block map: every entry checked first, and what each file holds
 * counted against its size, before anything is allocated for it.
 */
static int check_bmap(struct vmpkram_pool *pool)
{
	const char *why = NULL;
	u32 b, i, *held;
	int ret;

	held = kvcalloc(VMPKRAM_POOL_MAX_FILES, sizeof(*held), GFP_KERNEL);
	if (!held)
		return -ENOMEM;
	for (b = 0; b < pool->nr_blocks && !why; b++)
		why = check_block(pool, b, held);
	if (why) {
		snprintf(pool->reason, sizeof(pool->reason),
			 "block map entry %u: %s", b - 1, why);
		ret = -EUCLEAN;
		goto out;
	}
	ret = vmpkram_alloc_fblocks(pool, &b);
	if (ret == -EBUSY) {
		snprintf(pool->reason, sizeof(pool->reason),
			 "block map entry %u: file block mapped twice", b);
		ret = -EUCLEAN;
	}
	if (ret)
		goto out;
	for (i = 0; i < VMPKRAM_POOL_MAX_FILES; i++) {
		if (le32_to_cpu(pool->files[i].flags) & VMPKRAM_PF_SPARSE ||
		    held[i] == le32_to_cpu(pool->files[i].nr_blocks))
			continue;	/* holes allowed, or none */
		for (b = 0; vmpkram_file_block(pool, i, b) != VMPKRAM_HOLE; b++)
			;
		snprintf(pool->reason, sizeof(pool->reason),
			 "block map: block %u of file entry %u missing", b, i);
		ret = -EUCLEAN;
		goto out;
	}
out:
	kvfree(held);
	return ret;
}

/* Copies slot @s into the shadow and checks its contents. */
static int load_slot(struct vmpkram_pool *pool, unsigned int s,
		     const struct vmpkram_pool_sb *sb)
{
	void *base = slot_addr(pool, s);
	int ret;

	pool->meta = *sb;
	if (copy_mc_to_kernel(pool->files, base + VMPKRAM_SB_SIZE,
			      le32_to_cpu(sb->ft_size)) ||
	    copy_mc_to_kernel(pool->bmap, base + le32_to_cpu(sb->bm_offset),
			      le32_to_cpu(sb->bm_size))) {
		snprintf(pool->reason, sizeof(pool->reason),
			 "slot %u: metadata unreadable (poisoned memory)", s);
		ret = -EUCLEAN;
	} else {
		ret = check_files(pool);
	}
	if (!ret)
		ret = check_bmap(pool);
	if (ret) {
		free_fblocks(pool);
		expected_sb(pool, &pool->meta);
	}
	return ret;
}

/*
 * The previous generation is what an interrupted commit would fall back
 * to: when it is complete, its contents must check out too.
 */
static int check_previous(struct vmpkram_pool *pool, struct slot_check *c,
			  int s)
{
	char why[VMPKRAM_REASON_MAX];
	int ret;

	if (c[!s].status != SLOT_COMPLETE)
		return 0;
	ret = load_slot(pool, !s, &c[!s].sb);
	free_fblocks(pool);
	if (ret == -EUCLEAN) {
		strscpy(why, pool->reason, sizeof(why));
		snprintf(pool->reason, sizeof(pool->reason),
			 "slot %d (previous generation): %.150s", !s, why);
	}
	return ret;
}

/* Orphans were open when the last kernel stopped: nobody holds them now. */
static void free_orphans(struct vmpkram_pool *pool)
{
	u32 i;

	for (i = 0; i < VMPKRAM_POOL_MAX_FILES; i++)
		if (le32_to_cpu(pool->files[i].flags) & VMPKRAM_PF_ORPHAN)
			vmpkram_file_release(pool, i);
}

/*
 * Adopts the metadata found in the pool, or leaves the pool untouched in
 * state UNFORMATTED or DAMAGED with the reason.  -ENOMEM when memory ran
 * out before the metadata could be judged (nothing was written then).
 * Caller holds pool->lock.
 */
int vmpkram_meta_adopt(struct vmpkram_pool *pool)
{
	struct slot_check *c;
	int s, ret = 0;

	pool->state = VMPKRAM_POOL_DAMAGED;
	c = kcalloc(2, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	check_slot(pool, 0, &c[0]);
	check_slot(pool, 1, &c[1]);
	s = choose_slot(pool, c);
	if (s >= 0) {
		ret = check_previous(pool, c, s);
		if (!ret)
			ret = load_slot(pool, s, &c[s].sb);
		if (!ret) {
			pool->adopted_clean = le32_to_cpu(pool->meta.flags) &
					      VMPKRAM_SB_F_CLEAN;
			vmpkram_alloc_reset(pool, pool->adopted_clean);
			free_orphans(pool);
			pool->meta.flags &= ~cpu_to_le32(VMPKRAM_SB_F_CLEAN);
			pool->state = VMPKRAM_POOL_READY;
			pool->reason[0] = '\0';
			vmpkram_meta_commit(pool);
			vmpkram_scrub_kick(pool);
		}
	}
	kfree(c);
	/* A damaged pool is still attached, to be inspected or formatted. */
	return ret == -ENOMEM ? ret : 0;
}

/* Fresh, empty metadata in both slots.  Caller holds pool->lock. */
void vmpkram_meta_format(struct vmpkram_pool *pool)
{
	u32 b;

	free_fblocks(pool);
	expected_sb(pool, &pool->meta);
	generate_random_uuid(pool->meta.uuid);
	pool->meta.next_ino = cpu_to_le64(2);
	pool->meta.format_time_ns = cpu_to_le64(ktime_get_real_ns());
	strscpy((char *)pool->meta.name, pool->name, sizeof(pool->meta.name));
	memset(pool->files, 0, le32_to_cpu(pool->meta.ft_size));
	memset(pool->bmap, 0, le32_to_cpu(pool->meta.bm_size));
	for (b = 0; b < pool->meta_blocks; b++)
		pool->bmap[b].owner = cpu_to_le32(VMPKRAM_BM_META);
	/* Known bad blocks stay withdrawn. */
	for_each_set_bit(b, pool->bad, pool->nr_blocks)
		pool->bmap[b].owner = cpu_to_le32(VMPKRAM_BM_BAD);

	memset(pool->virt, 0, (size_t)pool->meta_blocks << VMPKRAM_BLOCK_SHIFT);
	vmpkram_meta_commit(pool);
	vmpkram_meta_commit(pool);
	vmpkram_alloc_reset(pool, false);
	pool->state = VMPKRAM_POOL_READY;
	pool->reason[0] = '\0';
	pool->adopted_clean = false;
}

/*
 * Commits what waits in the shadow (a size change inside the last block,
 * a flag), if anything does and the pool may still change.  Caller holds
 * pool->lock.
 */
void vmpkram_meta_commit_pending(struct vmpkram_pool *pool)
{
	if (pool->dirty_shadow && !vmpkram_pool_writable(pool))
		vmpkram_meta_commit(pool);
}

/*
 * Writes the shadow as the next generation into the slot that holds the
 * one before the current (see pool_layout.h).  Caller holds pool->lock.
 */
void vmpkram_meta_commit(struct vmpkram_pool *pool)
{
	struct vmpkram_pool_sb *meta = &pool->meta;
	u64 gen = le64_to_cpu(meta->generation) + 1;
	unsigned int s = gen & 1;
	void *base = slot_addr(pool, s);
	struct vmpkram_pool_sb *psb = base;
	u32 ft_size = le32_to_cpu(meta->ft_size);
	u32 bm_size = le32_to_cpu(meta->bm_size);

	WRITE_ONCE(psb->commit_seq, cpu_to_le64(gen << 1));
	wmb();	/* "writing g" before any of g's bytes */
	memcpy(base + VMPKRAM_SB_SIZE, pool->files, ft_size);
	memcpy(base + le32_to_cpu(meta->bm_offset), pool->bmap, bm_size);

	meta->generation = cpu_to_le64(gen);
	meta->slot = cpu_to_le32(s);
	meta->nr_files = cpu_to_le32(vmpkram_nr_files(pool));
	meta->commit_time_ns = cpu_to_le64(ktime_get_real_ns());
	meta->ft_crc = cpu_to_le32(meta_crc(pool->files, ft_size));
	meta->bm_crc = cpu_to_le32(meta_crc(pool->bmap, bm_size));
	meta->crc = cpu_to_le32(meta_crc((u8 *)meta + VMPKRAM_SB_CRC_START,
					 sizeof(*meta) - VMPKRAM_SB_CRC_START));
	memcpy((u8 *)psb + sizeof(psb->commit_seq),
	       (u8 *)meta + sizeof(meta->commit_seq),
	       sizeof(*meta) - sizeof(meta->commit_seq));
	wmb();	/* all of g before "g complete" */
	WRITE_ONCE(psb->commit_seq, cpu_to_le64(gen << 1 | VMPKRAM_SEQ_DONE));
	meta->commit_seq = cpu_to_le64(gen << 1 | VMPKRAM_SEQ_DONE);
	pool->dirty_shadow = false;
}
