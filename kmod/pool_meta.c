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

#include "pool_meta.h"

static_assert(sizeof(struct vmpkram_pool_sb) <= VMPKRAM_CT_OFFSET);
static_assert(sizeof(struct vmpkram_pool_sb) == 264);
static_assert(sizeof(struct vmpkram_pool_file) == 320);
static_assert(sizeof(struct vmpkram_pool_bmap) == 8);
static_assert(offsetof(struct vmpkram_pool_sb, magic) == VMPKRAM_SB_CRC_START);

const char *const vmpkram_meta_check_names[NR_MC] = {
	[MC_MAGIC] = "magic",
	[MC_SB_CRC] = "superblock checksum",
	[MC_VERSION] = "layout version",
	[MC_ADDRESS] = "pool address and size",
	[MC_GEOMETRY] = "geometry",
	[MC_RESERVED] = "flags and reserved fields",
	[MC_GENERATION] = "generation",
	[MC_FT_CRC] = "file table checksums",
	[MC_BM_CRC] = "block map checksums",
	[MC_FILES] = "file table",
	[MC_BLOCKS] = "block map",
};

static __printf(3, 4) void slot_bad(struct slot_check *c,
				    enum vmpkram_meta_check check,
				    const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, args);
	va_end(args);
	c->status = SLOT_BAD;
	c->reached = check;
}

u32 vmpkram_meta_crc(const void *buf, size_t len)
{
	return ~crc32c(~0U, buf, len);
}

/*
 * vmpkram_meta_crc() of @len bytes of pool memory at @src, read through a small
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

/*
 * Version 2: the smallest chunk, a power of two, for which the checksums
 * of tables of @ft and @bm bytes fit in the superblock page.
 */
static u32 chunk_size_for(u32 ft, u32 bm, u32 *nr)
{
	u32 cs;

	for (cs = VMPKRAM_CHUNK_MIN; ; cs <<= 1) {
		*nr = DIV_ROUND_UP(ft, cs) + DIV_ROUND_UP(bm, cs);
		if (*nr <= VMPKRAM_CT_MAX)
			return cs;
	}
}

/* The geometry a pool of pool->size has in layout @version. */
static void expected_sb(struct vmpkram_pool *pool, struct vmpkram_pool_sb *sb,
			u32 version)
{
	u32 nr_blocks = pool->size >> VMPKRAM_BLOCK_SHIFT;
	u32 ft_size = VMPKRAM_POOL_MAX_FILES * sizeof(struct vmpkram_pool_file);
	u32 bm_offset = VMPKRAM_SB_SIZE + PAGE_ALIGN(ft_size);
	u32 bm_size = nr_blocks * sizeof(struct vmpkram_pool_bmap);
	u64 slot_size = PAGE_ALIGN((u64)bm_offset + bm_size);
	u32 chunk_size, nr_chunks;

	memset(sb, 0, sizeof(*sb));
	memcpy(sb->magic, VMPKRAM_LAYOUT_MAGIC, sizeof(sb->magic));
	sb->layout_version = cpu_to_le32(version);
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
	if (version == VMPKRAM_LAYOUT_V1)
		return;
	chunk_size = chunk_size_for(ft_size, bm_size, &nr_chunks);
	sb->chunk_size = cpu_to_le32(chunk_size);
	sb->nr_chunks = cpu_to_le32(nr_chunks);
	sb->ct_offset = cpu_to_le32(VMPKRAM_CT_OFFSET);
}

/* Commits write layout @version from now on; how its tables are cut. */
void vmpkram_meta_set_layout(struct vmpkram_pool *pool, u32 version)
{
	struct vmpkram_pool_sb g;
	u32 ft_size, bm_size;

	expected_sb(pool, &g, version);
	ft_size = le32_to_cpu(g.ft_size);
	bm_size = le32_to_cpu(g.bm_size);
	pool->layout = version;
	if (version == VMPKRAM_LAYOUT_V1) {
		pool->ft_chunk = ft_size;
		pool->bm_chunk = bm_size;
		pool->ft_chunks = 1;
		pool->nr_chunks = 2;
		return;
	}
	pool->ft_chunk = le32_to_cpu(g.chunk_size);
	pool->bm_chunk = pool->ft_chunk;
	pool->ft_chunks = DIV_ROUND_UP(ft_size, pool->ft_chunk);
	pool->nr_chunks = le32_to_cpu(g.nr_chunks);
}

static void *slot_addr(struct vmpkram_pool *pool, unsigned int slot)
{
	return pool->virt + slot * le64_to_cpu(pool->meta.slot_size);
}

/*
 * Chunk @c of the tables: its offset in a slot and its length; returns
 * where it is in the shadow.
 */
void *vmpkram_meta_chunk(struct vmpkram_pool *pool, u32 c, size_t *off,
			 size_t *len)
{
	u32 size = le32_to_cpu(pool->meta.ft_size), chunk = pool->ft_chunk;
	size_t base = VMPKRAM_SB_SIZE, start;
	void *shadow = pool->files;

	if (c >= pool->ft_chunks) {
		c -= pool->ft_chunks;
		size = le32_to_cpu(pool->meta.bm_size);
		chunk = pool->bm_chunk;
		base = le32_to_cpu(pool->meta.bm_offset);
		shadow = pool->bmap;
	}
	start = (size_t)c * chunk;
	*off = base + start;
	*len = min_t(size_t, chunk, size - start);
	return shadow + start;
}

int vmpkram_meta_alloc(struct vmpkram_pool *pool)
{
	unsigned int i, s;

	expected_sb(pool, &pool->meta, VMPKRAM_LAYOUT_VERSION);
	pool->nr_blocks = le32_to_cpu(pool->meta.nr_blocks);
	pool->meta_blocks = le32_to_cpu(pool->meta.meta_blocks);
	/* Version 2 has the most chunks: version 1 has two. */
	vmpkram_meta_set_layout(pool, VMPKRAM_LAYOUT_VERSION);
	pool->files = kvzalloc(le32_to_cpu(pool->meta.ft_size), GFP_KERNEL);
	pool->bmap = kvzalloc(le32_to_cpu(pool->meta.bm_size), GFP_KERNEL);
	pool->fblocks = kvcalloc(VMPKRAM_POOL_MAX_FILES, sizeof(*pool->fblocks),
				 GFP_KERNEL);
	pool->chunk_crc = kcalloc(pool->nr_chunks, sizeof(__le32), GFP_KERNEL);
	pool->stale = bitmap_zalloc(pool->nr_chunks, GFP_KERNEL);
	for (s = 0; s < 2; s++)
		pool->unwritten[s] = bitmap_zalloc(pool->nr_chunks, GFP_KERNEL);
	pool->sb_page = kzalloc(VMPKRAM_SB_SIZE, GFP_KERNEL);
	/* vmpkram_meta_free() destroys them: initialized before any return. */
	for (i = 0; pool->fblocks && i < VMPKRAM_POOL_MAX_FILES; i++)
		xa_init_flags(&pool->fblocks[i], XA_FLAGS_ACCOUNT);
	if (!pool->files || !pool->bmap || !pool->fblocks || !pool->chunk_crc ||
	    !pool->stale || !pool->unwritten[0] || !pool->unwritten[1] ||
	    !pool->sb_page)
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
	kfree(pool->sb_page);
	bitmap_free(pool->unwritten[1]);
	bitmap_free(pool->unwritten[0]);
	bitmap_free(pool->stale);
	kfree(pool->chunk_crc);
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
	       sb->bm_offset == want->bm_offset && sb->bm_size == want->bm_size &&
	       sb->chunk_size == want->chunk_size &&
	       sb->nr_chunks == want->nr_chunks &&
	       sb->ct_offset == want->ct_offset;
}

/*
 * Whether the superblock's checksum matches: the same rule in every
 * version, so that a module meeting a newer layout can say so.
 */
static bool sb_crc_ok(const struct vmpkram_pool_sb *sb)
{
	return le32_to_cpu(sb->crc) ==
	       vmpkram_meta_crc((u8 *)sb + VMPKRAM_SB_CRC_START,
				sizeof(*sb) - VMPKRAM_SB_CRC_START);
}

/*
 * The stored checksum of chunk @c of the slot whose superblock is @sb,
 * its page copied to pool->sb_page; the pool's layout is the slot's.
 */
static u32 stored_crc(struct vmpkram_pool *pool,
		      const struct vmpkram_pool_sb *sb, u32 c)
{
	const __le32 *table = pool->sb_page + VMPKRAM_CT_OFFSET;

	if (pool->layout == VMPKRAM_LAYOUT_V1)
		return le32_to_cpu(c ? sb->bm_crc : sb->ft_crc);
	return le32_to_cpu(table[c]);
}

/*
 * Sets in @bad (pool->nr_chunks bits, may be NULL) the chunks of slot @s
 * whose checksum does not match; returns the first of them, or
 * pool->nr_chunks.  The pool's layout must be the slot's.
 */
u32 vmpkram_meta_bad_chunks(struct vmpkram_pool *pool, unsigned int s,
			    const struct vmpkram_pool_sb *sb, unsigned long *bad)
{
	void *base = slot_addr(pool, s);
	u32 c, crc, first = pool->nr_chunks;
	bool page_ok;
	size_t off, len;

	page_ok = !copy_mc_to_kernel(pool->sb_page, base, VMPKRAM_SB_SIZE);
	for (c = 0; c < pool->nr_chunks; c++) {
		vmpkram_meta_chunk(pool, c, &off, &len);
		/* Unreadable (poisoned) counts as damaged. */
		if (page_ok && pool_crc(base + off, len, &crc) &&
		    stored_crc(pool, sb, c) == crc)
			continue;
		if (first == pool->nr_chunks)
			first = c;
		if (!bad)
			break;
		__set_bit(c, bad);
		cond_resched();
	}
	return first;
}

/* The rest of a version 2 superblock page is the table, then zero. */
static bool page_rest_zero(const struct vmpkram_pool_sb *sb, const void *page)
{
	size_t end = VMPKRAM_CT_OFFSET + le32_to_cpu(sb->nr_chunks) * 4;

	return !memchr_inv(page + sizeof(*sb), 0,
			   VMPKRAM_CT_OFFSET - sizeof(*sb)) &&
	       !memchr_inv(page + end, 0, VMPKRAM_SB_SIZE - end);
}

static bool sb_reserved_clear(const struct vmpkram_pool_sb *sb,
			      const void *page, u32 version)
{
	if (le32_to_cpu(sb->flags) & ~VMPKRAM_SB_F_KNOWN || sb->__pad0 ||
	    sb->__reserved0 ||
	    memchr_inv(sb->__reserved, 0, sizeof(sb->__reserved)))
		return false;
	if (version == VMPKRAM_LAYOUT_V1)
		return true;
	return !sb->ft_crc && !sb->bm_crc && page_rest_zero(sb, page);
}

/*
 * The chunk checksums of one table, chunks [@from, @to), the slot's
 * superblock page in pool->sb_page; false if bad.
 */
static bool check_chunks(struct vmpkram_pool *pool, unsigned int slot,
			 struct slot_check *c, u32 from, u32 to,
			 enum vmpkram_meta_check check, const char *what)
{
	void *base = slot_addr(pool, slot);
	size_t off, len;
	u32 i, crc;

	for (i = from; i < to; i++) {
		vmpkram_meta_chunk(pool, i, &off, &len);
		if (!pool_crc(base + off, len, &crc)) {
			slot_bad(c, check, "slot %u: metadata unreadable (poisoned memory)",
				 slot);
			return false;
		}
		if (stored_crc(pool, &c->sb, i) == crc)
			continue;
		if (pool->layout == VMPKRAM_LAYOUT_V1)
			slot_bad(c, check, "slot %u: %s checksum mismatch",
				 slot, what);
		else
			slot_bad(c, check, "slot %u: %s checksum mismatch (chunk %u of %u)",
				 slot, what, i - from, to - from);
		return false;
	}
	return true;
}

/*
 * The superblock checks, in order (enum vmpkram_meta_check), and the
 * checksums of the tables.  Sets the pool's layout to the slot's when
 * the version is one this module reads.
 */
static void check_sb(struct vmpkram_pool *pool, unsigned int slot,
		     struct slot_check *c)
{
	struct vmpkram_pool_sb *sb = &c->sb, want;
	u32 version = le32_to_cpu(sb->layout_version);
	void *page = pool->sb_page;
	bool known = version == VMPKRAM_LAYOUT_V1 ||
		     version == VMPKRAM_LAYOUT_VERSION;

	if (!sb_crc_ok(sb)) {
		slot_bad(c, MC_SB_CRC, "slot %u: superblock checksum mismatch", slot);
		return;
	}
	if (!known) {
		slot_bad(c, MC_VERSION, "slot %u: layout version %u, this module reads %u and %u",
			 slot, version, VMPKRAM_LAYOUT_V1, VMPKRAM_LAYOUT_VERSION);
		return;
	}
	expected_sb(pool, &want, version);
	if (sb->pool_base != want.pool_base || sb->pool_size != want.pool_size) {
		slot_bad(c, MC_ADDRESS,
			 "metadata describes a pool of %llu MiB at %#llx, but this pool is %llu MiB at %#llx: fix vmpkram.pool= and memmap=, or format",
			 le64_to_cpu(sb->pool_size) >> 20,
			 le64_to_cpu(sb->pool_base), pool->size >> 20,
			 (u64)pool->base);
		return;
	}
	if (sb->sb_size != want.sb_size || le32_to_cpu(sb->slot) != slot ||
	    !geometry_matches(sb, &want)) {
		slot_bad(c, MC_GEOMETRY,
			 "slot %u: superblock geometry does not match the pool",
			 slot);
		return;
	}
	if (!sb_reserved_clear(sb, page, version)) {
		slot_bad(c, MC_RESERVED,
			 "slot %u: unknown superblock flags or reserved fields set",
			 slot);
		return;
	}
	if (!sb->generation || le64_to_cpu(sb->generation) != c->seq >> 1) {
		slot_bad(c, MC_GENERATION,
			 "slot %u: generation %llu does not match commit sequence %llu",
			 slot, le64_to_cpu(sb->generation), c->seq >> 1);
		return;
	}
	/* Else the next commit would overwrite the generation it follows. */
	if ((le64_to_cpu(sb->generation) & 1) != slot) {
		slot_bad(c, MC_GENERATION, "slot %u: generation %llu belongs in slot %llu",
			 slot, le64_to_cpu(sb->generation),
			 le64_to_cpu(sb->generation) & 1);
		return;
	}
	vmpkram_meta_set_layout(pool, version);
	if (!check_chunks(pool, slot, c, 0, pool->ft_chunks, MC_FT_CRC,
			  "file table") ||
	    !check_chunks(pool, slot, c, pool->ft_chunks, pool->nr_chunks,
			  MC_BM_CRC, "block map"))
		return;
	c->status = SLOT_COMPLETE;
	c->reached = MC_FILES;
}

void vmpkram_meta_check_slot(struct vmpkram_pool *pool, unsigned int slot,
			     struct slot_check *c)
{
	struct vmpkram_pool_sb *psb = slot_addr(pool, slot);

	c->why[0] = '\0';
	c->why[0] = '\0';
	c->status = SLOT_BAD;
	c->reached = MC_MAGIC;
	/* The whole superblock page: version 2 keeps the chunk checksums there. */
	if (copy_mc_to_kernel(pool->sb_page, psb, VMPKRAM_SB_SIZE)) {
		memset(&c->sb, 0, sizeof(c->sb));
		c->seq = 0;
		slot_bad(c, MC_MAGIC, "slot %u: superblock unreadable (poisoned memory)", slot);
		return;
	}
	memcpy(&c->sb, pool->sb_page, sizeof(c->sb));
	c->seq = le64_to_cpu(c->sb.commit_seq);
	if (!memcmp(c->sb.magic, VMPKRAM_LAYOUT_MAGIC, sizeof(c->sb.magic))) {
		c->reached = MC_SB_CRC;
		return check_sb(pool, slot, c);
	}
	if (!memchr_inv(&c->sb, 0, sizeof(c->sb))) {
		c->status = SLOT_BLANK;
		return;
	}
	c->status = SLOT_FOREIGN;
	snprintf(c->why, sizeof(c->why), "slot %u: no vmpkram magic", slot);
}

/* A slot caught between "writing g" and "g complete". */
bool vmpkram_meta_interrupted(const struct slot_check *c,
			      const struct slot_check *other)
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
		if (c[s].status == SLOT_COMPLETE &&
		    vmpkram_meta_interrupted(&c[!s], &c[s])) {
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

/*
 * Copies slot @s, whose superblock @sb checked out, into the shadow and
 * checks its contents; on -EUCLEAN, @failed (may be NULL) says which
 * check failed and pool->reason why, and the shadow is empty again.
 */
int vmpkram_meta_load(struct vmpkram_pool *pool, unsigned int s,
		      const struct vmpkram_pool_sb *sb,
		      enum vmpkram_meta_check *failed)
{
	void *base = slot_addr(pool, s);
	enum vmpkram_meta_check check = MC_FILES;
	int ret;

	pool->meta = *sb;
	vmpkram_meta_set_layout(pool, le32_to_cpu(sb->layout_version));
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
	if (!ret) {
		check = MC_BLOCKS;
		ret = check_bmap(pool);
	}
	if (ret) {
		free_fblocks(pool);
		expected_sb(pool, &pool->meta, VMPKRAM_LAYOUT_VERSION);
		vmpkram_meta_set_layout(pool, VMPKRAM_LAYOUT_VERSION);
		if (failed)
			*failed = check;
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
	ret = vmpkram_meta_load(pool, !s, &c[!s].sb, NULL);
	free_fblocks(pool);
	if (ret == -EUCLEAN) {
		strscpy(why, pool->reason, sizeof(why));
		snprintf(pool->reason, sizeof(pool->reason),
			 "slot %d (previous generation): %.150s", !s, why);
	}
	return ret;
}

/*
 * Checksums of every chunk of the shadow; with @mark, every slot lacks
 * the chunks that changed.
 */
static void refresh_crcs(struct vmpkram_pool *pool, bool mark)
{
	size_t off, len;
	void *shadow;
	u32 c;

	for_each_set_bit(c, pool->stale, pool->nr_chunks) {
		shadow = vmpkram_meta_chunk(pool, c, &off, &len);
		pool->chunk_crc[c] = cpu_to_le32(vmpkram_meta_crc(shadow, len));
		if (mark) {
			__set_bit(c, pool->unwritten[0]);
			__set_bit(c, pool->unwritten[1]);
		}
	}
	bitmap_zero(pool->stale, pool->nr_chunks);
}

/*
 * The shadow was just loaded from slot @s (or rewritten whole): @s holds
 * all of it, the other slot none of it.
 */
void vmpkram_meta_took_over(struct vmpkram_pool *pool, unsigned int s)
{
	bitmap_fill(pool->stale, pool->nr_chunks);
	refresh_crcs(pool, false);
	bitmap_zero(pool->unwritten[s], pool->nr_chunks);
	bitmap_fill(pool->unwritten[!s], pool->nr_chunks);
}

/* Every chunk of the shadow must reach both slots again. */
void vmpkram_meta_changed_all(struct vmpkram_pool *pool)
{
	bitmap_fill(pool->stale, pool->nr_chunks);
	pool->dirty_shadow = true;
}

/* Orphans were open when the last kernel stopped: nobody holds them now. */
void vmpkram_meta_free_orphans(struct vmpkram_pool *pool)
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
	vmpkram_meta_check_slot(pool, 0, &c[0]);
	vmpkram_meta_check_slot(pool, 1, &c[1]);
	s = choose_slot(pool, c);
	if (s >= 0) {
		ret = check_previous(pool, c, s);
		if (!ret)
			ret = vmpkram_meta_load(pool, s, &c[s].sb, NULL);
		if (!ret) {
			vmpkram_meta_took_over(pool, s);
			pool->adopted_clean = le32_to_cpu(pool->meta.flags) &
					      VMPKRAM_SB_F_CLEAN;
			vmpkram_alloc_reset(pool, pool->adopted_clean);
			vmpkram_meta_free_orphans(pool);
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
	expected_sb(pool, &pool->meta, VMPKRAM_LAYOUT_VERSION);
	vmpkram_meta_set_layout(pool, VMPKRAM_LAYOUT_VERSION);
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
	vmpkram_meta_changed_all(pool);
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
 * The superblock of @meta for slot @psb, after its tables: version 1 the
 * struct with the two table checksums, version 2 the whole page with the
 * chunk checksums.  commit_seq is left alone.
 */
static void write_sb(struct vmpkram_pool *pool, struct vmpkram_pool_sb *psb)
{
	struct vmpkram_pool_sb *meta = &pool->meta;
	void *page = pool->sb_page;
	const size_t skip = sizeof(psb->commit_seq);

	if (pool->layout == VMPKRAM_LAYOUT_V1) {
		meta->ft_crc = pool->chunk_crc[0];
		meta->bm_crc = pool->chunk_crc[1];
		meta->crc = cpu_to_le32(vmpkram_meta_crc((u8 *)meta + VMPKRAM_SB_CRC_START,
							 sizeof(*meta) - VMPKRAM_SB_CRC_START));
		memcpy((u8 *)psb + skip, (u8 *)meta + skip, sizeof(*meta) - skip);
		return;
	}
	meta->crc = cpu_to_le32(vmpkram_meta_crc((u8 *)meta + VMPKRAM_SB_CRC_START,
						 sizeof(*meta) - VMPKRAM_SB_CRC_START));
	memset(page, 0, VMPKRAM_SB_SIZE);
	memcpy(page, meta, sizeof(*meta));
	memcpy(page + VMPKRAM_CT_OFFSET, pool->chunk_crc,
	       pool->nr_chunks * sizeof(__le32));
	memcpy((u8 *)psb + skip, page + skip, VMPKRAM_SB_SIZE - skip);
}

/*
 * Debug kernels (CONFIG_DEBUG_VM) check after every commit that the slot
 * written holds the whole shadow: a change to the shadow that missed
 * vmpkram_file_changed() or vmpkram_block_changed() would otherwise be
 * lost silently, at the next kexec.
 */
static void verify_slot(struct vmpkram_pool *pool, unsigned int s)
{
	void *base = slot_addr(pool, s), *shadow;
	size_t off, len;
	u32 c;

	for (c = 0; c < pool->nr_chunks; c++) {
		shadow = vmpkram_meta_chunk(pool, c, &off, &len);
		if (WARN_ONCE(memcmp(base + off, shadow, len) ||
			      le32_to_cpu(pool->chunk_crc[c]) !=
			      vmpkram_meta_crc(shadow, len),
			      "pool %s: slot %u chunk %u differs from the shadow",
			      pool->name, s, c))
			return;
	}
}

/*
 * Writes the shadow as the next generation into the slot that holds the
 * one before the current (see pool_layout.h): the chunks of the tables
 * that changed since that slot was written, two commits ago, and the
 * superblock.  Caller holds pool->lock.
 */
void vmpkram_meta_commit(struct vmpkram_pool *pool)
{
	struct vmpkram_pool_sb *meta = &pool->meta;
	u64 gen = le64_to_cpu(meta->generation) + 1;
	unsigned int s = gen & 1;
	void *base = slot_addr(pool, s), *shadow;
	struct vmpkram_pool_sb *psb = base;
	size_t off, len;
	u32 c;

	refresh_crcs(pool, true);
	WRITE_ONCE(psb->commit_seq, cpu_to_le64(gen << 1));
	wmb();	/* "writing g" before any of g's bytes */
	for_each_set_bit(c, pool->unwritten[s], pool->nr_chunks) {
		shadow = vmpkram_meta_chunk(pool, c, &off, &len);
		memcpy(base + off, shadow, len);
	}
	bitmap_zero(pool->unwritten[s], pool->nr_chunks);

	meta->generation = cpu_to_le64(gen);
	meta->slot = cpu_to_le32(s);
	meta->nr_files = cpu_to_le32(vmpkram_nr_files(pool));
	meta->commit_time_ns = cpu_to_le64(ktime_get_real_ns());
	write_sb(pool, psb);
	wmb();	/* all of g before "g complete" */
	WRITE_ONCE(psb->commit_seq, cpu_to_le64(gen << 1 | VMPKRAM_SEQ_DONE));
	meta->commit_seq = cpu_to_le64(gen << 1 | VMPKRAM_SEQ_DONE);
	pool->dirty_shadow = false;
	if (IS_ENABLED(CONFIG_DEBUG_VM))
		verify_slot(pool, s);
}

/* For the salvage of pool_check.c: the checks of one file table entry. */
const char *vmpkram_meta_check_entry(struct vmpkram_pool *pool, u32 i)
{
	return check_file(pool, &pool->files[i]);
}

bool vmpkram_meta_same_name(struct vmpkram_pool *pool, u32 i, u32 j)
{
	return same_name(&pool->files[i], &pool->files[j]);
}

void *vmpkram_meta_slot(struct vmpkram_pool *pool, unsigned int s)
{
	return slot_addr(pool, s);
}

/* Forgets what vmpkram_meta_load() loaded: the shadow is empty again. */
void vmpkram_meta_unload(struct vmpkram_pool *pool)
{
	free_fblocks(pool);
	expected_sb(pool, &pool->meta, VMPKRAM_LAYOUT_VERSION);
	vmpkram_meta_set_layout(pool, VMPKRAM_LAYOUT_VERSION);
}
