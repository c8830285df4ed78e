// SPDX-License-Identifier: GPL-2.0
/*
 * Craft damage in the on-pool metadata of a vmpkram pool through /dev/mem,
 * for selftests/vm/pool_corrupt.sh.  Works only while the module is not
 * loaded: a claimed pool range is busy and /dev/mem refuses it.
 *
 * The layout is kmod/pool_layout.h: two slots, each a superblock, a file
 * table and a block map, with crc32c checksums (layout 2: one per chunk of
 * the tables, in the superblock page; layout 1: one per table).  A case starts from good
 * metadata (both slots complete; the script restores the saved bytes
 * before each case), changes one thing in the current slot (the newest
 * generation), the other slot or both, and says what the module must make
 * of it.  Most cases recompute the checksums after the change so that the
 * module's consistency checks, not only its checksums, are exercised.
 *
 * usage: vmpkram_pool_corrupt COMMAND ARGS
 *
 *   info BASE              both slots: sequence, generation, checks, files
 *   files BASE cur|old|0|1 names in that slot's file table, sorted
 *   save BASE FILE [LEN]   the metadata blocks (or LEN bytes) into FILE
 *   restore BASE FILE      write FILE back at BASE
 *   hash BASE LEN...       a 64-bit hash of [BASE, BASE + LEN), one line
 *                          per range
 *   geometry BASE          "META_LEN DATA_LEN": bytes of metadata blocks
 *                          and of data blocks (good metadata only)
 *   copy SRC DST [LEN] [rebase]
 *                          copy LEN bytes (default: the metadata blocks)
 *                          from SRC to DST; with "rebase", the copy becomes
 *                          the metadata of a pool at DST (pool_base and the
 *                          checksums rewritten)
 *   cases                  the case names, one a line
 *   apply BASE CASE SEED [SAVED]
 *                          restore SAVED (as restore does) if given, apply
 *                          CASE, print "case: ...", "expect: ...",
 *                          "repair: ..." (what pool check must plan),
 *                          "keep: NAME..." (a salvage: the files it keeps)
 *                          and "hash: ..." (the hash of the metadata blocks
 *                          as written)
 *   downgrade BASE         rewrite good layout 2 metadata as layout 1 (the
 *                          same tables; what a version 1 module writes)
 *   layout BASE            the layout version of each slot, one line
 *   sparse BASE            every free file table entry of both slots
 *                          becomes a sparse file spanning the data area
 *                          and holding no block (still good metadata);
 *                          prints how many
 *   mount POOL DIR         mount vmpkramfs pool=POOL on DIR; prints
 *                          "mounted" or "errno NAME" (exit 1)
 *   repair POOL            VMPKRAM_CMD_POOL_REPAIR of POOL, without the
 *                          CLI's own check first: prints "action N" or
 *                          "errno NAME: EXTENDED-ACK MESSAGE" (exit 1)
 *   check POOL...          VMPKRAM_CMD_POOL_CHECK of each POOL, one line
 *                          each: "POOL STATE ACTION [SLOT] complete N"
 *                          (N: slots that pass every check), or
 *                          "POOL errno NAME" (exit 1)
 *
 * BASE, LEN: numbers (0x...).  SEED picks bits, entries and blocks; the
 * same seed gives the same damage.  Expectations printed by apply:
 *   damaged      state DAMAGED with a reason
 *   unformatted  state UNFORMATTED
 *   refused      DAMAGED or UNFORMATTED
 *   ready cur    READY with the file set of the current slot
 *   ready old    READY with the file set of the other slot
 *   ready any    READY with the file set of either slot
 * and what "pool check" must say a repair does:
 *   none         nothing (the pool is not damaged)
 *   adopt cur    adopt the current slot (rewrite the other from it)
 *   adopt old    adopt the other slot
 *   salvage      keep the files of the "keep:" line, drop the others
 *   refused      nothing a repair may start from
 *   any          whatever (random damage)
 * Exits 0 on success, 1 on failure, 2 on usage errors.
 *
 * VMPKRAM_POOL_DEVMEM=FILE uses FILE (offset = physical address) instead
 * of /dev/mem, to try the tool on an image.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vmpkram.h>

#include "../kmod/pool_layout.h"
#include "vmpkram_test.h"

#define BS		VMPKRAM_POOL_BLOCK_SIZE
#define MAX_META	(64ULL << 20)	/* refuse to handle more */
#define SB_END		sizeof(struct vmpkram_pool_sb)

/* ------------------------------------------------------------ helpers */

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmpkram_pool_corrupt: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		die("not a number: %s", s);
	return v;
}

static uint32_t crc_table[256];

/* CRC-32C (Castagnoli), reflected, init ~0, final ~: the kernel's
 * ~crc32c(~0, p, n). */
static uint32_t crc32c(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t crc = ~0U;

	if (!crc_table[1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0x82f63b78U : c >> 1;
			crc_table[i] = c;
		}
	}
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* ------------------------------------------------------------ /dev/mem */

static int mem_fd = -1;
static const char *mem_path = "/dev/mem";

static void mem_open(void)
{
	if (mem_fd >= 0)
		return;
	mem_fd = open(mem_path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (mem_fd < 0)
		die("%s: %s (is the module still loaded?)", mem_path,
		    strerror(errno));
}

/*
 * A mapping of [phys, phys + len), or NULL.  Mappings are much faster
 * than read() and write(), which map and unmap every page of a reserved
 * range on x86 (slow under TCG).
 */
static void *mem_map(uint64_t phys, size_t len, int prot)
{
	void *p;

	mem_open();
	if (phys & 4095 || !len)
		return NULL;
	p = mmap(NULL, len, prot, MAP_SHARED, mem_fd, phys);
	return p == MAP_FAILED ? NULL : p;
}

static void mem_read(uint64_t phys, void *buf, size_t len)
{
	void *map = mem_map(phys, len, PROT_READ);
	size_t done = 0;

	if (map) {
		memcpy(buf, map, len);
		munmap(map, len);
		return;
	}
	while (done < len) {
		ssize_t r = pread(mem_fd, (char *)buf + done, len - done,
				  phys + done);

		if (r <= 0)
			die("reading %s at 0x%" PRIx64 ": %s", mem_path,
			    phys + done, r ? strerror(errno) : "end of file");
		done += r;
	}
}

static void mem_write(uint64_t phys, const void *buf, size_t len)
{
	void *map = mem_map(phys, len, PROT_READ | PROT_WRITE);
	size_t done = 0;

	if (map) {
		/* Stores to /dev/mem reach memory directly: no msync. */
		memcpy(map, buf, len);
		munmap(map, len);
		return;
	}
	while (done < len) {
		ssize_t w = pwrite(mem_fd, (const char *)buf + done,
				   len - done, phys + done);

		if (w <= 0)
			die("writing %s at 0x%" PRIx64 ": %s", mem_path,
			    phys + done, w ? strerror(errno) : "no progress");
		done += w;
	}
}

#define HASH_INIT	0xcbf29ce484222325ULL	/* FNV-1a offset basis */

static uint64_t hash_words(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
	}
	for (; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t mem_hash(uint64_t phys, uint64_t len)
{
	const size_t chunk = 1 << 20;
	void *buf = malloc(chunk);
	uint64_t h = HASH_INIT, off;

	if (!buf)
		die("out of memory");
	for (off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		mem_read(phys + off, buf, n);
		h = hash_words(h, buf, n);
	}
	free(buf);
	return h;
}

/* ------------------------------------------------------------ slots */

struct slot {
	int idx;
	unsigned char *base;		/* the slot in the metadata buffer */
	struct vmpkram_pool_sb *sb;
	struct vmpkram_pool_file *ft;	/* NULL unless the geometry is sane */
	struct vmpkram_pool_bmap *bm;
	uint32_t max_files, nr_blocks;
	uint32_t chunk, ft_chunks, nr_chunks;	/* layout 2, else 0 */
	int v2;					/* layout 2 checksums */
	int magic, sb_ok, ft_ok, bm_ok, done, complete;
	uint64_t gen;
};

struct meta {
	uint64_t phys;
	size_t len;
	unsigned char *buf;
	struct slot s[2];
	struct slot *cur, *old;
	char desc[512];
	const char *expect;	/* set by a case to override its table's */
	const char *repair;	/* the same for the repair plan */
	char keep[1024];	/* a salvage case: the files it keeps */
};

static int sb_geometry_sane(const struct vmpkram_pool_sb *sb, size_t slot_off,
			    size_t len)
{
	uint64_t slot_size = le64toh(sb->slot_size);
	uint32_t max_files = le32toh(sb->max_files);
	uint32_t nr_blocks = le32toh(sb->nr_blocks);

	return slot_size >= VMPKRAM_SB_SIZE && slot_size <= len &&
	       slot_off + slot_size <= len &&
	       le32toh(sb->file_entry_size) == sizeof(struct vmpkram_pool_file) &&
	       max_files && max_files <= VMPKRAM_POOL_MAX_FILES &&
	       le32toh(sb->ft_size) == max_files * sizeof(struct vmpkram_pool_file) &&
	       le32toh(sb->ft_offset) >= VMPKRAM_SB_SIZE &&
	       (uint64_t)le32toh(sb->ft_offset) + le32toh(sb->ft_size) <= slot_size &&
	       le32toh(sb->bm_size) == (uint64_t)nr_blocks * sizeof(struct vmpkram_pool_bmap) &&
	       (uint64_t)le32toh(sb->bm_offset) + le32toh(sb->bm_size) <= slot_size;
}

/* The superblock checksum: the struct, in every layout. */
static uint32_t sb_crc(const struct slot *s)
{
	return crc32c(s->base + VMPKRAM_SB_CRC_START,
		      SB_END - VMPKRAM_SB_CRC_START);
}

/* Layout 2: chunk @c of the tables and its length. */
static unsigned char *chunk_at(const struct slot *s, uint32_t c, size_t *len)
{
	const struct vmpkram_pool_sb *sb = s->sb;
	uint32_t size = le32toh(sb->ft_size);
	unsigned char *t = (unsigned char *)s->ft;

	if (c >= s->ft_chunks) {
		c -= s->ft_chunks;
		size = le32toh(sb->bm_size);
		t = (unsigned char *)s->bm;
	}
	*len = size - (size_t)c * s->chunk < s->chunk ?
	       size - (size_t)c * s->chunk : s->chunk;
	return t + (size_t)c * s->chunk;
}

static uint32_t *chunk_table(const struct slot *s)
{
	return (uint32_t *)(s->base + VMPKRAM_CT_OFFSET);
}

/* Layout 2 chunk fields that the tool can work with. */
static int chunks_sane(struct slot *s)
{
	const struct vmpkram_pool_sb *sb = s->sb;
	uint32_t cs = le32toh(sb->chunk_size), n = le32toh(sb->nr_chunks);
	uint32_t ft = le32toh(sb->ft_size), bm = le32toh(sb->bm_size);

	if (cs < VMPKRAM_CHUNK_MIN || (cs & (cs - 1)) ||
	    le32toh(sb->ct_offset) != VMPKRAM_CT_OFFSET ||
	    n != (ft + cs - 1) / cs + (bm + cs - 1) / cs || n > VMPKRAM_CT_MAX)
		return 0;
	s->chunk = cs;
	s->ft_chunks = (ft + cs - 1) / cs;
	s->nr_chunks = n;
	return 1;
}

static int chunks_ok(const struct slot *s, uint32_t from, uint32_t to)
{
	const unsigned char *p;
	size_t len;

	for (; from < to; from++) {
		p = chunk_at(s, from, &len);
		if (le32toh(chunk_table(s)[from]) != crc32c(p, len))
			return 0;
	}
	return 1;
}

static void parse_slot(struct meta *m, int idx, size_t off)
{
	struct slot *s = &m->s[idx];
	struct vmpkram_pool_sb *sb;
	uint64_t seq;

	memset(s, 0, sizeof(*s));
	s->idx = idx;
	if (off + VMPKRAM_SB_SIZE > m->len)
		return;
	s->base = m->buf + off;
	s->sb = sb = (struct vmpkram_pool_sb *)s->base;
	s->magic = !memcmp(sb->magic, VMPKRAM_LAYOUT_MAGIC, 8);
	s->v2 = le32toh(sb->layout_version) == 2;
	s->sb_ok = s->magic && le32toh(sb->crc) == sb_crc(s);
	seq = le64toh(sb->commit_seq);
	s->gen = le64toh(sb->generation);
	s->done = seq & VMPKRAM_SEQ_DONE;
	if (!s->magic || !sb_geometry_sane(sb, off, m->len))
		return;
	s->max_files = le32toh(sb->max_files);
	s->nr_blocks = le32toh(sb->nr_blocks);
	s->ft = (struct vmpkram_pool_file *)(s->base + le32toh(sb->ft_offset));
	s->bm = (struct vmpkram_pool_bmap *)(s->base + le32toh(sb->bm_offset));
	if (s->v2 && chunks_sane(s)) {
		s->ft_ok = chunks_ok(s, 0, s->ft_chunks);
		s->bm_ok = chunks_ok(s, s->ft_chunks, s->nr_chunks);
	} else {
		s->ft_ok = le32toh(sb->ft_crc) == crc32c(s->ft, le32toh(sb->ft_size));
		s->bm_ok = le32toh(sb->bm_crc) == crc32c(s->bm, le32toh(sb->bm_size));
	}
	s->complete = s->sb_ok && s->ft_ok && s->bm_ok &&
		      s->gen == seq >> 1 && s->gen;
}

static void parse_meta(struct meta *m)
{
	struct vmpkram_pool_sb *sb0 = (struct vmpkram_pool_sb *)m->buf;
	size_t slot_size = le64toh(sb0->slot_size);

	parse_slot(m, 0, 0);
	if (slot_size < VMPKRAM_SB_SIZE || slot_size > m->len / 2)
		slot_size = m->len / 2;
	parse_slot(m, 1, slot_size);
	m->cur = m->old = NULL;
	if (m->s[0].complete && m->s[1].complete) {
		m->cur = m->s[0].gen > m->s[1].gen ? &m->s[0] : &m->s[1];
		m->old = &m->s[m->cur->idx ^ 1];
	}
}

/* The metadata length: sb.meta_blocks blocks of a superblock with the
 * right magic, else one block. */
static size_t meta_len(uint64_t phys)
{
	struct vmpkram_pool_sb sb;
	uint64_t len;

	mem_read(phys, &sb, sizeof(sb));
	len = (uint64_t)le32toh(sb.meta_blocks) * BS;
	if (memcmp(sb.magic, VMPKRAM_LAYOUT_MAGIC, 8) || !len || len > MAX_META)
		len = BS;
	return len;
}

static void load_meta(struct meta *m, uint64_t phys)
{
	m->phys = phys;
	m->len = meta_len(phys);
	m->buf = malloc(m->len);
	if (!m->buf)
		die("out of memory");
	mem_read(phys, m->buf, m->len);
	parse_meta(m);
}

/* The superblock checksum alone. */
static void fix_sb_crc(struct slot *s)
{
	s->sb->crc = htole32(sb_crc(s));
}

/* Every checksum of the slot, by the layout it was parsed with. */
static void fix_crcs(struct slot *s)
{
	struct vmpkram_pool_sb *sb = s->sb;
	const unsigned char *p;
	size_t len;
	uint32_t c;

	if (s->v2 && s->chunk) {
		for (c = 0; s->ft && c < s->nr_chunks; c++) {
			p = chunk_at(s, c, &len);
			chunk_table(s)[c] = htole32(crc32c(p, len));
		}
	} else {
		if (s->ft)
			sb->ft_crc = htole32(crc32c(s->ft, le32toh(sb->ft_size)));
		if (s->bm)
			sb->bm_crc = htole32(crc32c(s->bm, le32toh(sb->bm_size)));
	}
	fix_sb_crc(s);
}

static int entry_used(const struct vmpkram_pool_file *f)
{
	return le32toh(f->flags) & VMPKRAM_PF_USED;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the names of the named files of @s, sorted, one a line. */
static void print_files(const struct slot *s)
{
	char **names = calloc(s->max_files + 1, sizeof(*names));
	uint32_t i, n = 0;

	for (i = 0; names && i < s->max_files; i++) {
		const struct vmpkram_pool_file *f = &s->ft[i];
		unsigned int len = le16toh(f->name_len);

		if (!entry_used(f) || !len || len > 255)
			continue;
		names[n] = strndup((const char *)f->name, len);
		n++;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
}

/* ------------------------------------------------------------ picking */

/* The @k-th (0-based, wrapping) used entry, or -1. */
static int used_entry(const struct slot *s, uint32_t k)
{
	uint32_t i, n = 0;

	for (i = 0; i < s->max_files; i++)
		n += entry_used(&s->ft[i]);
	if (!n)
		return -1;
	k %= n;
	for (i = 0; i < s->max_files; i++)
		if (entry_used(&s->ft[i]) && !k--)
			return i;
	return -1;
}

static int random_used_entry(const struct slot *s)
{
	int e = used_entry(s, rnd());

	if (e < 0)
		die("slot %d has no files: the case needs some", s->idx);
	return e;
}

/* A used entry holding at least @blocks blocks. */
static int entry_with_blocks(const struct slot *s, uint32_t blocks)
{
	uint32_t start = rnd_below(s->max_files), i;

	for (i = 0; i < s->max_files; i++) {
		uint32_t e = (start + i) % s->max_files;

		if (entry_used(&s->ft[e]) &&
		    le32toh(s->ft[e].nr_blocks) >= blocks)
			return e;
	}
	die("slot %d has no file with %u blocks: the case needs one",
	    s->idx, blocks);
	return -1;
}

static int free_entry(const struct slot *s)
{
	uint32_t i;

	for (i = 0; i < s->max_files; i++)
		if (!entry_used(&s->ft[i]))
			return i;
	die("slot %d: file table full", s->idx);
	return -1;
}

/* A block whose owner is @owner (random among them), or -1. */
static int64_t block_of(const struct slot *s, uint32_t owner)
{
	uint32_t start = rnd_below(s->nr_blocks), i;

	for (i = 0; i < s->nr_blocks; i++) {
		uint32_t b = (start + i) % s->nr_blocks;

		if (le32toh(s->bm[b].owner) == owner)
			return b;
	}
	return -1;
}

static uint32_t free_block(const struct slot *s)
{
	int64_t b = block_of(s, VMPKRAM_BM_FREE);

	if (b < 0)
		die("slot %d: no free block", s->idx);
	return b;
}

static const char *name_of(const struct vmpkram_pool_file *f, char *buf)
{
	unsigned int len = le16toh(f->name_len);

	if (len > 255)
		len = 255;
	memcpy(buf, f->name, len);
	buf[len] = 0;
	return buf;
}

static void flip_bit(unsigned char *p, size_t len, const char *what,
		     struct meta *m, struct slot *s)
{
	size_t byte = rnd_below(len);
	int bit = rnd_below(8);

	p[byte] ^= 1 << bit;
	snprintf(m->desc, sizeof(m->desc), "slot %d %s: bit %d of byte %zu flipped",
		 s->idx, what, bit, byte);
}

#define DESC(...) snprintf(m->desc, sizeof(m->desc), __VA_ARGS__)
#define FILE_DESC(e, what, ...)						\
	do {								\
		char n_[256];						\
		DESC("slot %d file %d \"%s\": " what, s->idx, (e),	\
		     name_of(&s->ft[e], n_), ##__VA_ARGS__);		\
	} while (0)

/* ------------------------------------------------------------ cases */

/* Superblock: every change but the bit flips is made with the checksum
 * recomputed, so the field itself must be judged. */

static void sb_bitflip(struct meta *m, struct slot *s)
{
	/* The crc and everything it covers; not commit_seq, not __pad0. */
	size_t n = 4 + SB_END - VMPKRAM_SB_CRC_START;
	size_t byte = rnd_below(n);
	int bit = rnd_below(8);
	size_t off = byte < 4 ? 8 + byte : VMPKRAM_SB_CRC_START + byte - 4;

	s->base[off] ^= 1 << bit;
	DESC("slot %d superblock: bit %d of byte %zu flipped", s->idx, bit, off);
}

static void sb_magic(struct meta *m, struct slot *s)
{
	memcpy(s->sb->magic, "PKRAMv01", 8);
	DESC("slot %d superblock: foreign magic \"PKRAMv01\"", s->idx);
}

static void sb_version(struct meta *m, struct slot *s)
{
	s->sb->layout_version = htole32(VMPKRAM_LAYOUT_VERSION + 1);
	DESC("slot %d superblock: layout_version %d", s->idx,
	     VMPKRAM_LAYOUT_VERSION + 1);
}

static void sb_sb_size(struct meta *m, struct slot *s)
{
	s->sb->sb_size = htole32(VMPKRAM_SB_SIZE);
	DESC("slot %d superblock: sb_size %d", s->idx, VMPKRAM_SB_SIZE);
}

static void sb_slot(struct meta *m, struct slot *s)
{
	s->sb->slot = htole32(s->idx ^ 1);
	DESC("slot %d superblock: says it is slot %d", s->idx, s->idx ^ 1);
}

static void sb_flags(struct meta *m, struct slot *s)
{
	s->sb->flags |= htole32(0x100);
	DESC("slot %d superblock: unknown flag 0x100", s->idx);
}

static void sb_gen_zero(struct meta *m, struct slot *s)
{
	s->sb->generation = 0;
	s->sb->commit_seq = htole64(VMPKRAM_SEQ_DONE);
	DESC("slot %d superblock: generation 0 (commit_seq 1)", s->idx);
}

static void sb_seq(struct meta *m, struct slot *s)
{
	uint64_t seq = (s->gen + 5) << 1 | VMPKRAM_SEQ_DONE;

	s->sb->commit_seq = htole64(seq);
	DESC("slot %d: commit_seq 0x%" PRIx64 " (done, generation %" PRIu64
	     ") but the superblock has generation %" PRIu64, s->idx, seq,
	     s->gen + 5, s->gen);
}

static void sb_block_size(struct meta *m, struct slot *s)
{
	s->sb->block_size = htole32(4096);
	DESC("slot %d superblock: block_size 4096", s->idx);
}

static void sb_nr_blocks_more(struct meta *m, struct slot *s)
{
	s->sb->nr_blocks = htole32(s->nr_blocks + 1);
	DESC("slot %d superblock: nr_blocks %u (pool has %u)", s->idx,
	     s->nr_blocks + 1, s->nr_blocks);
}

static void sb_nr_blocks_less(struct meta *m, struct slot *s)
{
	s->sb->nr_blocks = htole32(s->nr_blocks - 1);
	s->sb->bm_size = htole32((s->nr_blocks - 1) * sizeof(*s->bm));
	DESC("slot %d superblock: nr_blocks %u and bm_size to match (pool has %u)",
	     s->idx, s->nr_blocks - 1, s->nr_blocks);
}

static void sb_meta_zero(struct meta *m, struct slot *s)
{
	s->sb->meta_blocks = 0;
	DESC("slot %d superblock: meta_blocks 0", s->idx);
}

static void sb_meta_all(struct meta *m, struct slot *s)
{
	s->sb->meta_blocks = htole32(s->nr_blocks);
	DESC("slot %d superblock: meta_blocks %u (= nr_blocks)", s->idx,
	     s->nr_blocks);
}

static void sb_max_files(struct meta *m, struct slot *s)
{
	s->sb->max_files = htole32(s->max_files + 1);
	DESC("slot %d superblock: max_files %u, ft_size unchanged", s->idx,
	     s->max_files + 1);
}

static void sb_slot_size(struct meta *m, struct slot *s)
{
	s->sb->slot_size = htole64(m->len);
	DESC("slot %d superblock: slot_size %zu (two slots do not fit)",
	     s->idx, m->len);
}

static void sb_ft_offset(struct meta *m, struct slot *s)
{
	s->sb->ft_offset = 0;
	DESC("slot %d superblock: ft_offset 0 (over the superblock)", s->idx);
}

static void sb_ft_size(struct meta *m, struct slot *s)
{
	uint32_t v = le32toh(s->sb->ft_size) - sizeof(*s->ft);

	s->sb->ft_size = htole32(v);
	DESC("slot %d superblock: ft_size %u (one entry short)", s->idx, v);
}

static void sb_entry_size(struct meta *m, struct slot *s)
{
	s->sb->file_entry_size = htole32(256);
	DESC("slot %d superblock: file_entry_size 256", s->idx);
}

static void sb_bm_offset(struct meta *m, struct slot *s)
{
	s->sb->bm_offset = s->sb->ft_offset;
	DESC("slot %d superblock: bm_offset = ft_offset (tables overlap)",
	     s->idx);
}

static void sb_bm_offset_out(struct meta *m, struct slot *s)
{
	uint32_t v = le64toh(s->sb->slot_size) - 8;

	s->sb->bm_offset = htole32(v);
	DESC("slot %d superblock: bm_offset %u (block map past the slot)",
	     s->idx, v);
}

static void sb_nr_files(struct meta *m, struct slot *s)
{
	uint32_t v = le32toh(s->sb->nr_files) + 1;

	s->sb->nr_files = htole32(v);
	DESC("slot %d superblock: nr_files %u (one more than the table holds)",
	     s->idx, v);
}

static void sb_next_ino(struct meta *m, struct slot *s)
{
	s->sb->next_ino = htole64(1);
	DESC("slot %d superblock: next_ino 1 (inode numbers in use above)",
	     s->idx);
}

static void sb_pool_base(struct meta *m, struct slot *s)
{
	uint64_t v = le64toh(s->sb->pool_base) + BS;

	s->sb->pool_base = htole64(v);
	DESC("slot %d superblock: pool_base 0x%" PRIx64, s->idx, v);
}

static void sb_pool_size(struct meta *m, struct slot *s)
{
	uint64_t v = le64toh(s->sb->pool_size) * 2;

	s->sb->pool_size = htole64(v);
	s->sb->nr_blocks = htole32(v / BS);
	DESC("slot %d superblock: pool_size %" PRIu64 " MiB, nr_blocks to match",
	     s->idx, v >> 20);
}

static void sb_uuid(struct meta *m, struct slot *s)
{
	s->sb->uuid[rnd_below(16)] ^= 0x5a;
	DESC("slot %d superblock: another pool's uuid", s->idx);
}

static void sb_zero(struct meta *m, struct slot *s)
{
	memset(s->base, 0, VMPKRAM_SB_SIZE);
	DESC("slot %d superblock page zeroed (the other slot intact)", s->idx);
}

/* File table. */

static void ft_bitflip_used(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);
	char what[64];

	snprintf(what, sizeof(what), "file table entry %d", e);
	flip_bit((unsigned char *)&s->ft[e], sizeof(s->ft[e]), what, m, s);
}

static void ft_bitflip(struct meta *m, struct slot *s)
{
	flip_bit((unsigned char *)s->ft, le32toh(s->sb->ft_size),
		 "file table", m, s);
}

static void ft_name_len(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);

	FILE_DESC(e, "name_len 300");
	s->ft[e].name_len = htole16(300);
}

static void ft_name_len_zero(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);

	FILE_DESC(e, "name_len 0 (not an orphan)");
	s->ft[e].name_len = 0;
	memset(s->ft[e].name, 0, sizeof(s->ft[e].name));
}

static void ft_name_slash(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);

	FILE_DESC(e, "'/' in the name");
	s->ft[e].name[0] = '/';
}

static void ft_name_dot(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);

	FILE_DESC(e, "renamed \"..\"");
	memset(s->ft[e].name, 0, sizeof(s->ft[e].name));
	memcpy(s->ft[e].name, "..", 2);
	s->ft[e].name_len = htole16(2);
}

static void ft_name_nul(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);
	unsigned int len;

	FILE_DESC(e, "NUL inside the name");
	len = le16toh(s->ft[e].name_len);
	s->ft[e].name[len > 1 ? len - 1 : 0] = 0;
}

static void ft_name_padding(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);

	FILE_DESC(e, "non-zero byte after the name");
	s->ft[e].name[255] = 'x';
}

static void ft_name_dup(struct meta *m, struct slot *s)
{
	int a = used_entry(s, 0), b = used_entry(s, 1);
	char n[256];

	if (a < 0 || a == b)
		die("slot %d: the case needs two files", s->idx);
	DESC("slot %d file %d renamed \"%s\" like file %d", s->idx, b,
	     name_of(&s->ft[a], n), a);
	memcpy(s->ft[b].name, s->ft[a].name, sizeof(s->ft[a].name));
	s->ft[b].name_len = s->ft[a].name_len;
}

static void ft_nr_blocks(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);
	uint32_t v = le32toh(s->ft[e].nr_blocks) + 1;

	FILE_DESC(e, "nr_blocks %u (size and block map say %u)", v, v - 1);
	s->ft[e].nr_blocks = htole32(v);
}

static void ft_size(struct meta *m, struct slot *s)
{
	int e = entry_with_blocks(s, 1);
	uint64_t v = le64toh(s->ft[e].size) + BS;

	FILE_DESC(e, "size %" PRIu64 " (one block more than it holds)", v);
	s->ft[e].size = htole64(v);
}

static void ft_size_huge(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);

	FILE_DESC(e, "size 2^62");
	s->ft[e].size = htole64(1ULL << 62);
}

static void ft_flags(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);

	FILE_DESC(e, "unknown flag 0x80");
	s->ft[e].flags |= htole32(0x80);
}

static void ft_mode_dir(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);

	FILE_DESC(e, "mode S_IFDIR|0755");
	s->ft[e].mode = htole32(S_IFDIR | 0755);
}

static void ft_ino_dup(struct meta *m, struct slot *s)
{
	int a = used_entry(s, 0), b = used_entry(s, 1);

	if (a < 0 || a == b)
		die("slot %d: the case needs two files", s->idx);
	DESC("slot %d file %d gets file %d's inode number %" PRIu64, s->idx,
	     b, a, (uint64_t)le64toh(s->ft[a].ino));
	s->ft[b].ino = s->ft[a].ino;
}

static void ft_ino_zero(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);

	FILE_DESC(e, "inode number 0");
	s->ft[e].ino = 0;
}

static void ft_ino_next(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);
	uint64_t v = le64toh(s->sb->next_ino) + 10;

	FILE_DESC(e, "inode number %" PRIu64 " beyond next_ino", v);
	s->ft[e].ino = htole64(v);
}

static void ft_free_dirty(struct meta *m, struct slot *s)
{
	int e = free_entry(s);

	DESC("slot %d file table: free entry %d has a name", s->idx, e);
	memcpy(s->ft[e].name, "ghost", 5);
	s->ft[e].name_len = htole16(5);
}

static void ft_flags_no_used(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);

	FILE_DESC(e, "flags ORPHAN without USED");
	s->ft[e].flags = htole32(VMPKRAM_PF_ORPHAN);
}

static void ft_reserved(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);

	FILE_DESC(e, "reserved field non-zero");
	s->ft[e].__reserved = htole64(1);
}

static void ft_orphan_named(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);

	FILE_DESC(e, "ORPHAN flag on a file that has a name");
	s->ft[e].flags |= htole32(VMPKRAM_PF_ORPHAN);
}

/* Block map. */

static void bm_bitflip(struct meta *m, struct slot *s)
{
	flip_bit((unsigned char *)s->bm, le32toh(s->sb->bm_size),
		 "block map", m, s);
}

static void bm_owner_range(struct meta *m, struct slot *s)
{
	uint32_t b = free_block(s);

	s->bm[b].owner = htole32(s->max_files + 7);
	DESC("slot %d block %u: owner %u (beyond the file table)", s->idx, b,
	     s->max_files + 7);
}

static void bm_owner_free(struct meta *m, struct slot *s)
{
	uint32_t b = free_block(s);
	int e = free_entry(s);

	s->bm[b].owner = htole32(e + 1);
	DESC("slot %d block %u: owned by the free file entry %d", s->idx, b, e);
}

static void bm_dup_index(struct meta *m, struct slot *s)
{
	int e = entry_with_blocks(s, 2);
	uint32_t b, first = UINT32_MAX;

	for (b = 0; b < s->nr_blocks; b++) {
		if (le32toh(s->bm[b].owner) != (uint32_t)e + 1)
			continue;
		if (first == UINT32_MAX) {
			first = b;
			continue;
		}
		s->bm[b].index = s->bm[first].index;
		FILE_DESC(e, "blocks %u and %u both at index %u", first, b,
			  le32toh(s->bm[first].index));
		return;
	}
}

/*
 * Every free entry of @s's file table becomes a sparse file that spans
 * the whole data area and holds no block (its blocks were all punched):
 * valid metadata whose block lists a module must not size by span.
 * Inode numbers from @ino, one per entry index, so that both slots agree.
 * Returns how many.
 */
static uint32_t fill_sparse(struct slot *s, uint64_t ino)
{
	uint32_t data = s->nr_blocks - le32toh(s->sb->meta_blocks);
	uint32_t e, n = 0, used = 0;
	struct vmpkram_pool_file *f;
	char name[32];

	for (e = 0; e < s->max_files; e++) {
		f = &s->ft[e];
		if (entry_used(f)) {
			used++;
			continue;
		}
		memset(f, 0, sizeof(*f));
		f->flags = htole32(VMPKRAM_PF_USED | VMPKRAM_PF_SPARSE);
		f->mode = htole32(S_IFREG | 0600);
		f->ino = htole64(ino + e);
		f->size = htole64((uint64_t)data * BS);
		f->nr_blocks = htole32(data);
		snprintf(name, sizeof(name), "sparse-%04u", e);
		f->name_len = htole16(strlen(name));
		memcpy(f->name, name, strlen(name));
		n++;
	}
	s->sb->nr_files = htole32(used + n);
	s->sb->next_ino = htole64(ino + s->max_files);
	return n;
}

/* The next inode number neither slot has given out. */
static uint64_t next_ino(const struct meta *m)
{
	uint64_t a = le64toh(m->s[0].sb->next_ino);
	uint64_t b = le64toh(m->s[1].sb->next_ino);

	return a > b ? a : b;
}

static void sparse_dup(struct meta *m, struct slot *s)
{
	uint32_t n;

	bm_dup_index(m, s);	/* of a file with blocks: first */
	n = fill_sparse(s, next_ino(m));
	snprintf(m->desc + strlen(m->desc), sizeof(m->desc) - strlen(m->desc),
		 "; %u sparse files spanning the data area added", n);
}

static void bm_lost(struct meta *m, struct slot *s)
{
	int e = entry_with_blocks(s, 1);
	int64_t b = block_of(s, e + 1);

	FILE_DESC(e, "block %" PRId64 " marked free (the file misses it)", b);
	s->bm[b].owner = htole32(VMPKRAM_BM_FREE);
	s->bm[b].index = 0;
}

static void bm_extra(struct meta *m, struct slot *s)
{
	int e = random_used_entry(s);
	uint32_t b = free_block(s), n = le32toh(s->ft[e].nr_blocks);

	FILE_DESC(e, "free block %u given to it at index %u", b, n);
	s->bm[b].owner = htole32(e + 1);
	s->bm[b].index = htole32(n);
}

static void bm_cross(struct meta *m, struct slot *s)
{
	int a = entry_with_blocks(s, 1), b = -1;
	int64_t blk = block_of(s, a + 1);
	uint32_t k;

	for (k = 0; k < s->max_files && (b < 0 || b == a); k++)
		b = used_entry(s, k);
	if (b < 0 || b == a)
		die("slot %d: the case needs two files", s->idx);
	FILE_DESC(a, "its block %" PRId64 " handed to file %d", blk, b);
	s->bm[blk].owner = htole32(b + 1);
}

static void bm_meta_free(struct meta *m, struct slot *s)
{
	s->bm[0].owner = htole32(VMPKRAM_BM_FREE);
	DESC("slot %d block 0 (metadata) marked free", s->idx);
}

static void bm_meta_data(struct meta *m, struct slot *s)
{
	uint32_t b = free_block(s);

	s->bm[b].owner = htole32(VMPKRAM_BM_META);
	DESC("slot %d data block %u marked as metadata", s->idx, b);
}

static void bm_free_index(struct meta *m, struct slot *s)
{
	uint32_t b = free_block(s);

	s->bm[b].index = htole32(5);
	DESC("slot %d free block %u: index 5", s->idx, b);
}

/* Both slots, and the commit protocol. */

static void wipe_both(struct meta *m, struct slot *s)
{
	memset(m->s[0].base, 0, VMPKRAM_SB_SIZE);
	memset(m->s[1].base, 0, VMPKRAM_SB_SIZE);
	DESC("both superblock pages zeroed");
}

static void wipe_magic_both(struct meta *m, struct slot *s)
{
	memset(m->s[0].sb->magic, 0, 8);
	memset(m->s[1].sb->magic, 0, 8);
	DESC("magic zeroed in both slots, the rest intact");
}

static void meta_zero(struct meta *m, struct slot *s)
{
	memset(m->buf, 0, m->len);
	DESC("all %zu metadata bytes zeroed", m->len);
}

static void foreign_both(struct meta *m, struct slot *s)
{
	memcpy(m->s[0].sb->magic, "PKRAMv01", 8);
	memcpy(m->s[1].sb->magic, "PKRAMv01", 8);
	fix_crcs(&m->s[0]);
	fix_crcs(&m->s[1]);
	DESC("foreign magic \"PKRAMv01\" in both slots, checksums fixed");
}

/* Puts a file "half-committed" (no blocks, inode @ino) in a free entry
 * of @s's file table; the superblock is left alone. */
static void add_half_file(struct slot *s, uint64_t ino)
{
	int e = free_entry(s);
	struct vmpkram_pool_file *f = &s->ft[e];

	memset(f, 0, sizeof(*f));
	f->flags = htole32(VMPKRAM_PF_USED);
	f->mode = htole32(S_IFREG | 0644);
	f->ino = htole64(ino);
	f->name_len = htole16(14);
	memcpy(f->name, "half-committed", 14);
}

/*
 * The newest generation g was being written when the machine went away:
 * its slot has commit_seq = g << 1 (done bit clear) and a file table that
 * no longer matches its superblock (a file was being added).  The other
 * slot, at g - 1, must be adopted.
 */
static void interrupt_cur(struct meta *m, struct slot *s)
{
	struct slot *c = m->cur;

	add_half_file(c, le64toh(c->sb->next_ino));
	c->sb->commit_seq = htole64(c->gen << 1);
	DESC("slot %d: commit of generation %" PRIu64 " interrupted in the "
	     "file table (done bit clear); slot %d holds generation %" PRIu64,
	     c->idx, c->gen, m->old->idx, m->old->gen);
}

/*
 * The next commit (g + 1, into the other slot) stopped right after its
 * first step: commit_seq says "writing g + 1", the rest still holds
 * g - 1.  Generation g must be adopted.
 */
static void interrupt_next_early(struct meta *m, struct slot *s)
{
	uint64_t g = m->cur->gen + 1;

	m->old->sb->commit_seq = htole64(g << 1);
	DESC("slot %d: commit_seq \"writing %" PRIu64 "\", contents still "
	     "generation %" PRIu64, m->old->idx, g, m->old->gen);
}

/*
 * The next commit (g + 1) wrote both tables into the other slot but not
 * its superblock, which is still g - 1's and no longer matches the
 * tables.  Generation g must be adopted.
 */
static void interrupt_next_late(struct meta *m, struct slot *s)
{
	struct slot *c = m->cur, *o = m->old;
	uint64_t g = c->gen + 1;

	/* g + 1 is g's tables plus one file. */
	memcpy(o->ft, c->ft, le32toh(c->sb->ft_size));
	memcpy(o->bm, c->bm, le32toh(c->sb->bm_size));
	add_half_file(o, le64toh(c->sb->next_ino));
	o->sb->commit_seq = htole64(g << 1);
	DESC("slot %d: commit of generation %" PRIu64 " interrupted after "
	     "the tables, before its superblock", o->idx, g);
}

/* Done bit clear on a complete slot: harmless, either slot is fine. */
static void done_clear(struct meta *m, struct slot *s)
{
	s->sb->commit_seq &= ~htole64(VMPKRAM_SEQ_DONE);
	DESC("slot %d (generation %" PRIu64 ", complete): done bit cleared",
	     s->idx, s->gen);
}

/* "Interrupted", but naming a generation that does not follow the other
 * slot's: damage, not an interrupted commit. */
static void interrupt_bad_gen(struct meta *m, struct slot *s)
{
	uint64_t g = m->cur->gen + 3;

	m->old->sb->commit_seq = htole64(g << 1);
	DESC("slot %d: commit_seq \"writing %" PRIu64 "\" but slot %d holds "
	     "%" PRIu64 " (not the next generation)", m->old->idx, g,
	     m->cur->idx, m->cur->gen);
}

/* An interrupted commit, and the slot to fall back on is damaged too. */
static void interrupt_both_bad(struct meta *m, struct slot *s)
{
	/* What a salvage of the interrupted slot keeps: the entries in
	 * the damaged first chunk of its file table go. */
	m->keep[0] = '\0';
	interrupt_cur(m, s);
	m->old->sb->crc ^= htole32(1);
	DESC("slot %d: interrupted commit of %" PRIu64 "; slot %d "
	     "(generation %" PRIu64 ") has a bad superblock checksum",
	     m->cur->idx, m->cur->gen, m->old->idx, m->old->gen);
}

/* The entry of the file named @name in @s, or -1. */
static int entry_named(const struct slot *s, const char *name)
{
	size_t len = strlen(name);
	uint32_t i;

	for (i = 0; i < s->max_files; i++)
		if (entry_used(&s->ft[i]) && le16toh(s->ft[i].name_len) == len &&
		    !memcmp(s->ft[i].name, name, len))
			return i;
	return -1;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The "keep:" line of a salvage from the current slot: its named files
 * but @victim, or only those without blocks (@blockless).
 */
static void keep_names(struct meta *m, const char *victim, int blockless)
{
	const struct slot *s = m->cur;
	char *names[VMPKRAM_POOL_MAX_FILES], n[256];
	uint32_t i, k = 0;
	size_t len = 0;

	for (i = 0; i < s->max_files; i++) {
		const struct vmpkram_pool_file *f = &s->ft[i];

		if (!entry_used(f) || !f->name_len ||
		    (blockless && f->nr_blocks) ||
		    (victim && !strcmp(name_of(f, n), victim)))
			continue;
		names[k++] = strdup(name_of(f, n));
	}
	qsort(names, k, sizeof(names[0]), cmp_cstr);
	m->keep[0] = '\0';
	for (i = 0; i < k; i++) {
		len += snprintf(m->keep + len, sizeof(m->keep) - len, "%s%s",
				i ? " " : "", names[i]);
		free(names[i]);
	}
}

/* Layout 2 superblock pages. */

static void ct_entry(struct meta *m, struct slot *s)
{
	if (s->v2) {
		chunk_table(s)[0] ^= htole32(1);
		DESC("slot %d: checksum of file table chunk 0 flipped in the "
		     "superblock page, superblock checksum fixed", s->idx);
	} else {
		s->sb->ft_crc ^= htole32(1);
		DESC("slot %d: ft_crc flipped, superblock checksum fixed",
		     s->idx);
	}
	fix_sb_crc(s);
}

static void sb_chunk_size(struct meta *m, struct slot *s)
{
	uint32_t cs = le32toh(s->sb->chunk_size);

	s->sb->chunk_size = htole32(cs ? cs / 2 : VMPKRAM_CHUNK_MIN);
	fix_sb_crc(s);
	DESC("slot %d superblock: chunk_size %u, superblock checksum fixed",
	     s->idx, le32toh(s->sb->chunk_size));
}

static void sb_page_tail(struct meta *m, struct slot *s)
{
	s->base[VMPKRAM_SB_SIZE - 1] = 0x5a;
	fix_sb_crc(s);
	DESC("slot %d: last byte of the superblock page set%s", s->idx,
	     s->v2 ? "" : " (layout 1 does not use it)");
	if (!s->v2) {
		m->expect = "ready cur";
		m->repair = "none";
	}
}

/* A generation that does not belong in its slot (g + 1 in g's slot). */
static void sb_gen_parity(struct meta *m, struct slot *s)
{
	uint64_t g = s->gen + 1;

	s->sb->generation = htole64(g);
	s->sb->commit_seq = htole64(g << 1 | VMPKRAM_SEQ_DONE);
	fix_crcs(s);
	DESC("slot %d: generation %" PRIu64 " (belongs in slot %d), sequence "
	     "to match, checksums fixed", s->idx, g, (int)(g & 1));
}

/* Neither slot usable: a repair salvages the current one. */

static void both_name_slash(struct meta *m, struct slot *unused)
{
	int i, e;

	keep_names(m, "guest", 0);
	for (i = 0; i < 2; i++) {
		e = entry_named(&m->s[i], "guest");
		if (e < 0)
			die("slot %d has no file \"guest\": the case needs it", i);
		m->s[i].ft[e].name[0] = '/';
		fix_crcs(&m->s[i]);
	}
	DESC("file \"guest\": '/' in its name in both slots, checksums fixed");
}

static void both_bm_lost(struct meta *m, struct slot *unused)
{
	int i, e;
	int64_t b;

	keep_names(m, "odd", 0);
	for (i = 0; i < 2; i++) {
		e = entry_named(&m->s[i], "odd");
		b = e < 0 ? -1 : block_of(&m->s[i], e + 1);
		if (b < 0)
			die("slot %d has no block of file \"odd\": the case needs one", i);
		m->s[i].bm[b].owner = htole32(VMPKRAM_BM_FREE);
		m->s[i].bm[b].index = 0;
		fix_crcs(&m->s[i]);
	}
	DESC("file \"odd\" loses a block in both slots, checksums fixed");
}

static void both_bm_bitflip(struct meta *m, struct slot *unused)
{
	int i;

	if (m->cur->v2 && m->cur->nr_chunks - m->cur->ft_chunks != 1)
		die("the case needs a block map of one chunk (a small pool)");
	keep_names(m, NULL, 1);
	for (i = 0; i < 2; i++)
		m->s[i].bm[rnd_below(m->s[i].nr_blocks)].index ^= htole32(1U << rnd_below(32));
	DESC("a bit of the block map flipped in both slots: every block's owner unknown");
}

/* Seeded bit flips anywhere a checksum covers, in either slot. */
static void random_flip(struct meta *m, struct slot *unused)
{
	struct slot *s = rnd() & 1 ? m->cur : m->old;

	switch (rnd_below(4)) {
	case 0: sb_bitflip(m, s); break;
	case 1: ft_bitflip_used(m, s); break;
	case 2: ft_bitflip(m, s); break;
	default: bm_bitflip(m, s); break;
	}
}

enum target { T_CUR, T_OLD, T_NONE };

struct kase {
	const char *name;
	enum target target;
	void (*fn)(struct meta *m, struct slot *s);
	int fix;		/* recompute the target slot's checksums */
	const char *expect;
	const char *repair;	/* what pool check must plan */
};

static const struct kase cases[] = {
	{ "cur-sb-bitflip", T_CUR, sb_bitflip, 0, "damaged", "adopt old" },
	{ "old-sb-bitflip", T_OLD, sb_bitflip, 0, "damaged", "adopt cur" },
	{ "cur-sb-magic", T_CUR, sb_magic, 1, "damaged", "adopt old" },
	{ "old-sb-magic", T_OLD, sb_magic, 1, "damaged", "adopt cur" },
	{ "cur-sb-layout-version", T_CUR, sb_version, 1, "damaged", "refused" },
	{ "old-sb-layout-version", T_OLD, sb_version, 1, "damaged", "refused" },
	{ "cur-sb-sb-size", T_CUR, sb_sb_size, 1, "damaged", "adopt old" },
	{ "cur-sb-slot", T_CUR, sb_slot, 1, "damaged", "adopt old" },
	{ "cur-sb-flags", T_CUR, sb_flags, 1, "damaged", "adopt old" },
	{ "cur-sb-generation-0", T_CUR, sb_gen_zero, 1, "damaged", "adopt old" },
	{ "cur-sb-commit-seq", T_CUR, sb_seq, 0, "damaged", "adopt old" },
	{ "old-sb-commit-seq", T_OLD, sb_seq, 0, "damaged", "adopt cur" },
	{ "cur-sb-block-size", T_CUR, sb_block_size, 1, "damaged", "adopt old" },
	{ "old-sb-block-size", T_OLD, sb_block_size, 1, "damaged", "adopt cur" },
	{ "cur-sb-nr-blocks-more", T_CUR, sb_nr_blocks_more, 1, "damaged", "adopt old" },
	{ "cur-sb-nr-blocks-less", T_CUR, sb_nr_blocks_less, 1, "damaged", "adopt old" },
	{ "cur-sb-meta-blocks-0", T_CUR, sb_meta_zero, 1, "damaged", "adopt old" },
	{ "cur-sb-meta-blocks-all", T_CUR, sb_meta_all, 1, "damaged", "adopt old" },
	{ "cur-sb-max-files", T_CUR, sb_max_files, 1, "damaged", "adopt old" },
	{ "cur-sb-slot-size", T_CUR, sb_slot_size, 1, "damaged", "adopt old" },
	{ "cur-sb-ft-offset", T_CUR, sb_ft_offset, 1, "damaged", "adopt old" },
	{ "cur-sb-ft-size", T_CUR, sb_ft_size, 1, "damaged", "adopt old" },
	{ "cur-sb-file-entry-size", T_CUR, sb_entry_size, 1, "damaged", "adopt old" },
	{ "cur-sb-bm-offset", T_CUR, sb_bm_offset, 1, "damaged", "adopt old" },
	{ "cur-sb-bm-offset-out", T_CUR, sb_bm_offset_out, 1, "damaged", "adopt old" },
	{ "cur-sb-nr-files", T_CUR, sb_nr_files, 1, "damaged", "adopt old" },
	{ "cur-sb-next-ino", T_CUR, sb_next_ino, 1, "damaged", "adopt old" },
	{ "cur-sb-pool-base", T_CUR, sb_pool_base, 1, "damaged", "adopt old" },
	{ "old-sb-pool-base", T_OLD, sb_pool_base, 1, "damaged", "adopt cur" },
	{ "cur-sb-pool-size", T_CUR, sb_pool_size, 1, "damaged", "adopt old" },
	{ "old-sb-uuid", T_OLD, sb_uuid, 1, "damaged", "refused" },
	{ "cur-sb-zero", T_CUR, sb_zero, 0, "damaged", "adopt old" },
	{ "old-sb-zero", T_OLD, sb_zero, 0, "damaged", "adopt cur" },
	{ "cur-ft-bitflip-used", T_CUR, ft_bitflip_used, 0, "damaged", "adopt old" },
	{ "old-ft-bitflip-used", T_OLD, ft_bitflip_used, 0, "damaged", "adopt cur" },
	{ "cur-ft-bitflip", T_CUR, ft_bitflip, 0, "damaged", "adopt old" },
	{ "cur-ft-name-len-300", T_CUR, ft_name_len, 1, "damaged", "adopt old" },
	{ "old-ft-name-len-300", T_OLD, ft_name_len, 1, "damaged", "adopt cur" },
	{ "cur-ft-name-len-0", T_CUR, ft_name_len_zero, 1, "damaged", "adopt old" },
	{ "cur-ft-name-slash", T_CUR, ft_name_slash, 1, "damaged", "adopt old" },
	{ "cur-ft-name-dotdot", T_CUR, ft_name_dot, 1, "damaged", "adopt old" },
	{ "cur-ft-name-nul", T_CUR, ft_name_nul, 1, "damaged", "adopt old" },
	{ "cur-ft-name-padding", T_CUR, ft_name_padding, 1, "damaged", "adopt old" },
	{ "cur-ft-name-duplicate", T_CUR, ft_name_dup, 1, "damaged", "adopt old" },
	{ "cur-ft-nr-blocks", T_CUR, ft_nr_blocks, 1, "damaged", "adopt old" },
	{ "old-ft-nr-blocks", T_OLD, ft_nr_blocks, 1, "damaged", "adopt cur" },
	{ "cur-ft-size", T_CUR, ft_size, 1, "damaged", "adopt old" },
	{ "cur-ft-size-huge", T_CUR, ft_size_huge, 1, "damaged", "adopt old" },
	{ "cur-ft-flags", T_CUR, ft_flags, 1, "damaged", "adopt old" },
	{ "cur-ft-mode-dir", T_CUR, ft_mode_dir, 1, "damaged", "adopt old" },
	{ "cur-ft-ino-duplicate", T_CUR, ft_ino_dup, 1, "damaged", "adopt old" },
	{ "cur-ft-ino-0", T_CUR, ft_ino_zero, 1, "damaged", "adopt old" },
	{ "cur-ft-ino-beyond-next", T_CUR, ft_ino_next, 1, "damaged", "adopt old" },
	{ "cur-ft-free-entry-dirty", T_CUR, ft_free_dirty, 1, "damaged", "adopt old" },
	{ "cur-ft-flags-no-used", T_CUR, ft_flags_no_used, 1, "damaged", "adopt old" },
	{ "cur-ft-reserved", T_CUR, ft_reserved, 1, "damaged", "adopt old" },
	{ "cur-ft-orphan-named", T_CUR, ft_orphan_named, 1, "damaged", "adopt old" },
	{ "cur-bm-bitflip", T_CUR, bm_bitflip, 0, "damaged", "adopt old" },
	{ "old-bm-bitflip", T_OLD, bm_bitflip, 0, "damaged", "adopt cur" },
	{ "cur-bm-owner-range", T_CUR, bm_owner_range, 1, "damaged", "adopt old" },
	{ "cur-bm-owner-free-entry", T_CUR, bm_owner_free, 1, "damaged", "adopt old" },
	{ "cur-bm-duplicate-index", T_CUR, bm_dup_index, 1, "damaged", "adopt old" },
	{ "cur-bm-duplicate-sparse-span", T_CUR, sparse_dup, 1, "damaged", "adopt old" },
	{ "cur-bm-lost-block", T_CUR, bm_lost, 1, "damaged", "adopt old" },
	{ "old-bm-lost-block", T_OLD, bm_lost, 1, "damaged", "adopt cur" },
	{ "cur-bm-extra-block", T_CUR, bm_extra, 1, "damaged", "adopt old" },
	{ "cur-bm-cross-link", T_CUR, bm_cross, 1, "damaged", "adopt old" },
	{ "cur-bm-meta-free", T_CUR, bm_meta_free, 1, "damaged", "adopt old" },
	{ "cur-bm-data-as-meta", T_CUR, bm_meta_data, 1, "damaged", "adopt old" },
	{ "cur-bm-free-index", T_CUR, bm_free_index, 1, "damaged", "adopt old" },
	{ "wipe-both-superblocks", T_NONE, wipe_both, 0, "unformatted", "refused" },
	{ "wipe-magic-both", T_NONE, wipe_magic_both, 0, "unformatted", "refused" },
	{ "wipe-all-metadata", T_NONE, meta_zero, 0, "unformatted", "refused" },
	{ "foreign-magic-both", T_NONE, foreign_both, 0, "unformatted", "refused" },
	{ "interrupted-commit", T_NONE, interrupt_cur, 0, "ready old", "none" },
	{ "interrupted-next-early", T_NONE, interrupt_next_early, 0, "ready cur", "none" },
	{ "interrupted-next-late", T_NONE, interrupt_next_late, 0, "ready cur", "none" },
	{ "interrupted-wrong-generation", T_NONE, interrupt_bad_gen, 0, "damaged", "adopt cur" },
	{ "interrupted-fallback-damaged", T_NONE, interrupt_both_bad, 0, "damaged", "salvage" },
	{ "cur-done-bit-clear", T_CUR, done_clear, 0, "ready any", "none" },
	{ "old-done-bit-clear", T_OLD, done_clear, 0, "ready any", "none" },
	{ "cur-ct-entry", T_CUR, ct_entry, 0, "damaged", "adopt old" },
	{ "cur-sb-chunk-size", T_CUR, sb_chunk_size, 0, "damaged", "adopt old" },
	{ "cur-sb-page-tail", T_CUR, sb_page_tail, 0, "damaged", "adopt old" },
	{ "cur-sb-generation-parity", T_CUR, sb_gen_parity, 0, "damaged", "adopt old" },
	{ "both-ft-name-slash", T_NONE, both_name_slash, 0, "damaged", "salvage" },
	{ "both-bm-lost-block", T_NONE, both_bm_lost, 0, "damaged", "salvage" },
	{ "both-bm-bitflip", T_NONE, both_bm_bitflip, 0, "damaged", "salvage" },
	{ "random", T_NONE, random_flip, 0, "damaged", "any" },
};

/* ------------------------------------------------------------ commands */

static void need_good(const struct meta *m)
{
	if (!m->cur)
		die("the metadata at 0x%" PRIx64 " is not two complete slots "
		    "(slot 0 %s, slot 1 %s): restore it first", m->phys,
		    m->s[0].complete ? "complete" : "not complete",
		    m->s[1].complete ? "complete" : "not complete");
}

static void cmd_restore(uint64_t phys, const char *file);

static int cmd_apply(uint64_t phys, const char *name, uint64_t seed,
		     const char *saved)
{
	const struct kase *k = NULL;
	struct slot *s = NULL;
	struct meta m;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!strcmp(cases[i].name, name))
			k = &cases[i];
	if (!k)
		die("no case \"%s\" (see: vmpkram_pool_corrupt cases)", name);
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	if (saved)
		cmd_restore(phys, saved);
	load_meta(&m, phys);
	need_good(&m);
	if (k->target == T_CUR)
		s = m.cur;
	else if (k->target == T_OLD)
		s = m.old;
	m.keep[0] = '\0';
	m.expect = m.repair = NULL;
	k->fn(&m, s);
	if (k->fix)
		fix_crcs(s);
	mem_write(phys, m.buf, m.len);
	printf("case: %s: %s%s\n", name, m.desc,
	       k->fix ? ", checksums fixed" : "");
	printf("expect: %s\n", m.expect ?: k->expect);
	printf("repair: %s\n", m.repair ?: k->repair);
	if (!strcmp(m.repair ?: k->repair, "salvage"))
		printf("keep: %s\n", m.keep);
	printf("hash: %016" PRIx64 "\n", hash_words(HASH_INIT, m.buf, m.len));
	return 0;
}

static void cmd_info(uint64_t phys)
{
	struct meta m;
	int i;

	load_meta(&m, phys);
	printf("metadata: %zu bytes at 0x%" PRIx64 "\n", m.len, phys);
	for (i = 0; i < 2; i++) {
		struct slot *s = &m.s[i];

		if (!s->sb) {
			printf("slot %d: outside the metadata\n", i);
			continue;
		}
		printf("slot %d: magic %s, commit_seq 0x%" PRIx64
		       ", generation %" PRIu64 ", superblock %s, file table %s, "
		       "block map %s, %s%s\n", i,
		       s->magic ? "ok" : "bad",
		       (uint64_t)le64toh(s->sb->commit_seq), s->gen,
		       s->sb_ok ? "ok" : "bad", s->ft_ok ? "ok" : "bad",
		       s->bm_ok ? "ok" : "bad",
		       s->complete ? "complete" : "not complete",
		       m.cur == s ? " (current)" : "");
		if (s->ft)
			print_files(s);
	}
}

static struct slot *pick_slot(struct meta *m, const char *which)
{
	if (!strcmp(which, "cur") || !strcmp(which, "old")) {
		need_good(m);
		return which[0] == 'c' ? m->cur : m->old;
	}
	if (!strcmp(which, "0") || !strcmp(which, "1")) {
		struct slot *s = &m->s[which[0] - '0'];

		if (!s->ft)
			die("slot %s has no usable file table", which);
		return s;
	}
	die("no slot \"%s\": cur, old, 0 or 1", which);
	return NULL;
}

static void cmd_save(uint64_t phys, const char *file, uint64_t len)
{
	unsigned char *buf;
	FILE *f;

	if (!len)
		len = meta_len(phys);
	buf = malloc(len);
	if (!buf)
		die("out of memory");
	mem_read(phys, buf, len);
	f = fopen(file, "w");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
		die("%s: %s", file, strerror(errno));
	free(buf);
}

static void cmd_restore(uint64_t phys, const char *file)
{
	unsigned char *buf;
	struct stat st;
	FILE *f;

	f = fopen(file, "r");
	if (!f || fstat(fileno(f), &st))
		die("%s: %s", file, strerror(errno));
	buf = malloc(st.st_size);
	if (!buf || fread(buf, 1, st.st_size, f) != (size_t)st.st_size)
		die("%s: short read", file);
	fclose(f);
	mem_write(phys, buf, st.st_size);
	free(buf);
}

/* Copies @len bytes (the metadata blocks when 0); with @rebase, the copy
 * is made the metadata of a pool at @dst (pool_base, checksums). */
static void cmd_copy(uint64_t src, uint64_t dst, uint64_t len, int rebase)
{
	const size_t chunk = 1 << 20;
	unsigned char *buf = malloc(chunk);
	uint64_t off;
	struct meta m;
	int i;

	if (!buf)
		die("out of memory");
	if (!len)
		len = meta_len(src);
	for (off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		mem_read(src + off, buf, n);
		mem_write(dst + off, buf, n);
	}
	free(buf);
	if (!rebase)
		return;
	load_meta(&m, dst);
	need_good(&m);
	for (i = 0; i < 2; i++) {
		m.s[i].sb->pool_base = htole64(dst);
		fix_crcs(&m.s[i]);
	}
	mem_write(dst, m.buf, m.len);
	free(m.buf);
}

/* Good layout 2 metadata as layout 1 writes it: the tables stay. */
static void cmd_downgrade(uint64_t phys)
{
	struct meta m;
	int i;

	load_meta(&m, phys);
	need_good(&m);
	for (i = 0; i < 2; i++) {
		struct slot *sl = &m.s[i];

		if (!sl->v2)
			die("slot %d is not layout 2", i);
		sl->sb->layout_version = htole32(1);
		sl->sb->chunk_size = 0;
		sl->sb->nr_chunks = 0;
		sl->sb->ct_offset = 0;
		memset(sl->base + SB_END, 0, VMPKRAM_SB_SIZE - SB_END);
		sl->v2 = 0;
		fix_crcs(sl);
	}
	mem_write(phys, m.buf, m.len);
	free(m.buf);
}

static void cmd_layout(uint64_t phys)
{
	struct meta m;
	int i;

	load_meta(&m, phys);
	for (i = 0; i < 2; i++)
		printf("slot %d: %s layout %u\n", i,
		       m.s[i].complete ? "complete" : "not complete",
		       m.s[i].sb ? le32toh(m.s[i].sb->layout_version) : 0);
	free(m.buf);
}

static const char *errno_name(int e)
{
	switch (e) {
	case EUCLEAN: return "EUCLEAN";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case EROFS: return "EROFS";
	case ENOENT: return "ENOENT";
	case EPERM: return "EPERM";
	default: return strerror(e);
	}
}

static int cmd_mount(const char *pool, const char *dir)
{
	char opts[64];

	snprintf(opts, sizeof(opts), "pool=%s", pool);
	if (mount("none", dir, VMPKRAMFS_NAME, 0, opts)) {
		printf("errno %s\n", errno_name(errno));
		return 1;
	}
	printf("mounted\n");
	return 0;
}

static int cmd_repair(const char *pool)
{
	struct tnl_result res = { 0 };
	struct tnl_msg m;
	struct tnl nl;
	int ret;

	if (tnl_open(&nl))
		die("cannot reach the genetlink family %s", VMPKRAM_GENL_NAME);
	tnl_msg_init(&m, nl.family, 0, VMPKRAM_CMD_POOL_REPAIR);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, pool);
	ret = tnl_exec(&nl, &m, NULL, NULL, &res);
	if (ret)
		die("POOL_REPAIR: %s", strerror(-ret));
	if (res.error)
		printf("errno %s: %s\n", errno_name(res.error), res.msg);
	else
		printf("action %u\n", tnl_opt_u32(res.tb[VMPKRAM_A_REPAIR_ACTION]));
	ret = res.error ? 1 : 0;
	tnl_result_clear(&res);
	tnl_close(&nl);
	return ret;
}

static const char *const state_names[] = {
	"?", "UNFORMATTED", "DAMAGED", "READY", "SEALED",
};
static const char *const action_names[] = {
	"?", "none", "adopt", "salvage", "refused",
};

/* One line for pool check of @pool; 0, or 1 when it failed. */
static int check_one(struct tnl *nl, const char *pool)
{
	struct nlattr *a, *tb[VMPKRAM_A_MAX + 1];
	struct tnl_result res = { 0 };
	unsigned int state, action, complete = 0;
	struct tnl_msg m;
	int rem, ret;

	tnl_msg_init(&m, nl->family, 0, VMPKRAM_CMD_POOL_CHECK);
	tnl_put_str(&m, VMPKRAM_A_POOL_NAME, pool);
	ret = tnl_exec(nl, &m, NULL, NULL, &res);
	if (ret)
		die("POOL_CHECK: %s", strerror(-ret));
	if (res.error || !res.reply) {
		printf("%s errno %s\n", pool, errno_name(res.error));
		tnl_result_clear(&res);
		return 1;
	}
	tnl_for_each(a, (char *)NLMSG_DATA(res.reply) + GENL_HDRLEN,
		     res.reply->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), rem) {
		if ((a->nla_type & NLA_TYPE_MASK) != VMPKRAM_A_CHECK_SLOT)
			continue;
		tnl_parse(tb, VMPKRAM_A_MAX, tnl_data(a), tnl_len(a));
		complete += tb[VMPKRAM_A_SLOT_STATUS] &&
			    tnl_u32(tb[VMPKRAM_A_SLOT_STATUS]) ==
			    VMPKRAM_SLOT_COMPLETE;
	}
	state = tnl_opt_u32(res.tb[VMPKRAM_A_POOL_STATE]);
	action = tnl_opt_u32(res.tb[VMPKRAM_A_REPAIR_ACTION]);
	printf("%s %s %s", pool, state_names[state < 5 ? state : 0],
	       action_names[action < 5 ? action : 0]);
	if (res.tb[VMPKRAM_A_REPAIR_SLOT])
		printf(" %u", tnl_u32(res.tb[VMPKRAM_A_REPAIR_SLOT]));
	printf(" complete %u\n", complete);
	tnl_result_clear(&res);
	return 0;
}

static int cmd_check(int n, char **pools)
{
	struct tnl nl;
	int i, ret = 0;

	if (tnl_open(&nl))
		die("cannot reach the genetlink family %s", VMPKRAM_GENL_NAME);
	for (i = 0; i < n; i++)
		ret |= check_one(&nl, pools[i]);
	tnl_close(&nl);
	return ret;
}

/* fill_sparse() in both slots of good metadata: still good. */
static void cmd_sparse(uint64_t phys)
{
	uint64_t ino;
	struct meta m;
	uint32_t n;

	load_meta(&m, phys);
	need_good(&m);
	ino = next_ino(&m);
	n = fill_sparse(m.cur, ino);
	fill_sparse(m.old, ino);
	fix_crcs(m.cur);
	fix_crcs(m.old);
	mem_write(phys, m.buf, m.len);
	printf("%u\n", n);
}

static int usage(void)
{
	fprintf(stderr,
		"usage: vmpkram_pool_corrupt info BASE\n"
		"       vmpkram_pool_corrupt files BASE cur|old|0|1\n"
		"       vmpkram_pool_corrupt save BASE FILE [LEN]\n"
		"       vmpkram_pool_corrupt restore BASE FILE\n"
		"       vmpkram_pool_corrupt hash BASE LEN [BASE LEN...]\n"
		"       vmpkram_pool_corrupt geometry BASE\n"
		"       vmpkram_pool_corrupt copy SRC DST [LEN] [rebase]\n"
		"       vmpkram_pool_corrupt cases\n"
		"       vmpkram_pool_corrupt apply BASE CASE SEED [SAVED]\n"
		"       vmpkram_pool_corrupt downgrade BASE\n"
		"       vmpkram_pool_corrupt layout BASE\n"
		"       vmpkram_pool_corrupt sparse BASE\n"
		"       vmpkram_pool_corrupt mount POOL DIR\n"
		"       vmpkram_pool_corrupt repair POOL\n"
		"       vmpkram_pool_corrupt check POOL...\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	struct meta m;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("VMPKRAM_POOL_DEVMEM"))
		mem_path = getenv("VMPKRAM_POOL_DEVMEM");
	if (!strcmp(cmd, "cases") && argc == 2) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			printf("%s\n", cases[i].name);
	} else if (!strcmp(cmd, "info") && argc == 3) {
		cmd_info(num(argv[2]));
	} else if (!strcmp(cmd, "files") && argc == 4) {
		load_meta(&m, num(argv[2]));
		print_files(pick_slot(&m, argv[3]));
	} else if (!strcmp(cmd, "save") && (argc == 4 || argc == 5)) {
		cmd_save(num(argv[2]), argv[3], argc == 5 ? num(argv[4]) : 0);
	} else if (!strcmp(cmd, "restore") && argc == 4) {
		cmd_restore(num(argv[2]), argv[3]);
	} else if (!strcmp(cmd, "hash") && argc >= 4 && argc % 2 == 0) {
		for (i = 2; i < (size_t)argc; i += 2)
			printf("%016" PRIx64 "\n",
			       mem_hash(num(argv[i]), num(argv[i + 1])));
	} else if (!strcmp(cmd, "geometry") && argc == 3) {
		load_meta(&m, num(argv[2]));
		need_good(&m);
		printf("%zu %" PRIu64 "\n", m.len,
		       (uint64_t)le64toh(m.cur->sb->pool_size) - m.len);
	} else if (!strcmp(cmd, "copy") && argc >= 4 && argc <= 6) {
		int rebase = !strcmp(argv[argc - 1], "rebase");
		int nargs = argc - rebase;

		if (nargs < 4 || nargs > 5)
			return usage();
		cmd_copy(num(argv[2]), num(argv[3]),
			 nargs == 5 ? num(argv[4]) : 0, rebase);
	} else if (!strcmp(cmd, "apply") && (argc == 5 || argc == 6)) {
		return cmd_apply(num(argv[2]), argv[3], num(argv[4]),
				 argc == 6 ? argv[5] : NULL);
	} else if (!strcmp(cmd, "downgrade") && argc == 3) {
		cmd_downgrade(num(argv[2]));
	} else if (!strcmp(cmd, "layout") && argc == 3) {
		cmd_layout(num(argv[2]));
	} else if (!strcmp(cmd, "sparse") && argc == 3) {
		cmd_sparse(num(argv[2]));
	} else if (!strcmp(cmd, "mount") && argc == 4) {
		return cmd_mount(argv[2], argv[3]);
	} else if (!strcmp(cmd, "repair") && argc == 3) {
		return cmd_repair(argv[2]);
	} else if (!strcmp(cmd, "check") && argc >= 3) {
		return cmd_check(argc - 2, argv + 2);
	} else {
		return usage();
	}
	return 0;
}
