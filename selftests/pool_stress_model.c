// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkram_pool_stress_test: seeded contents of the files and the model
 * of a file: what every byte of it must read as.
 */
#include "pool_stress.h"

uint64_t rng_for(unsigned int stream)
{
	return vt_mix64(((uint64_t)g.seed << 16) ^ (stream * 0x5851f42d4c957f2dULL));
}

/*
 * Byte @pos of the stream @seed: byte (pos & 7) of a hash of (seed,
 * pos / 8).  Seed 0 is the zero stream.
 */
static uint64_t gen_word(uint64_t seed, uint64_t w)
{
	return vt_mix64(seed ^ (w * 0x9e3779b97f4a7c15ULL));
}

void gen_fill(uint8_t *dst, uint64_t seed, uint64_t pos, size_t len)
{
	uint64_t v;

	if (!seed) {
		memset(dst, 0, len);
		return;
	}
	for (; len && (pos & 7); len--, pos++)
		*dst++ = gen_word(seed, pos >> 3) >> (8 * (pos & 7));
	for (; len >= 8; len -= 8, pos += 8, dst += 8) {
		v = gen_word(seed, pos >> 3);
		memcpy(dst, &v, 8);
	}
	for (; len; len--, pos++)
		*dst++ = gen_word(seed, pos >> 3) >> (8 * (pos & 7));
}

static void seg_push(struct mfile *f, struct seg s)
{
	struct seg *last = f->nseg ? &f->seg[f->nseg - 1] : NULL;

	if (s.start >= s.end)
		return;
	if (!s.seed)
		s.delta = 0;
	if (last && last->end == s.start && last->seed == s.seed &&
	    last->delta == s.delta) {
		last->end = s.end;
		return;
	}
	if (f->nseg == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->seg = realloc(f->seg, f->cap * sizeof(*f->seg));
		if (!f->seg)
			abort();
	}
	f->seg[f->nseg++] = s;
}

/* [a, b) now holds stream @seed shifted by @delta; b <= size. */
void model_overwrite(struct mfile *f, uint64_t a, uint64_t b,
		     uint64_t seed, uint64_t delta)
{
	struct seg *old = f->seg, s;
	int n = f->nseg, i;

	f->seg = NULL;
	f->nseg = f->cap = 0;
	for (i = 0; i < n; i++) {
		s = old[i];
		if (s.start < a) {
			s.end = MIN(s.end, a);
			seg_push(f, s);
		}
	}
	seg_push(f, (struct seg){ a, b, seed, delta });
	for (i = 0; i < n; i++) {
		s = old[i];
		if (s.end > b) {
			s.start = MAX(s.start, b);
			seg_push(f, s);
		}
	}
	free(old);
}

void model_resize(struct mfile *f, uint64_t size)
{
	int i;

	if (size > f->size) {
		seg_push(f, (struct seg){ f->size, size, 0, 0 });
	} else {
		for (i = 0; i < f->nseg && f->seg[i].start < size; i++)
			f->seg[i].end = MIN(f->seg[i].end, size);
		f->nseg = i;
	}
	f->size = size;
}

/* What [off, off + len) of the file must read as. */
void model_expect(const struct mfile *f, uint64_t off, uint64_t len,
		  uint8_t *dst)
{
	uint64_t lo, hi;
	int i;

	for (i = 0; i < f->nseg; i++) {
		const struct seg *s = &f->seg[i];

		lo = MAX(s->start, off);
		hi = MIN(s->end, off + len);
		if (lo < hi)
			gen_fill(dst + (lo - off), s->seed, lo + s->delta,
				 hi - lo);
	}
}

/* Copy the model of @src [b, b + len) into @dst at @a; a + len <= size. */
void model_copy(struct mfile *dst, uint64_t a, const struct mfile *src,
		uint64_t b, uint64_t len)
{
	struct seg *pieces = malloc((src->nseg + 1) * sizeof(*pieces));
	uint64_t lo, hi;
	int i, n = 0;

	if (!pieces)
		abort();
	for (i = 0; i < src->nseg; i++) {
		const struct seg *s = &src->seg[i];

		lo = MAX(s->start, b);
		hi = MIN(s->end, b + len);
		if (lo < hi)
			pieces[n++] = (struct seg){ lo - b + a, hi - b + a,
						    s->seed, s->delta + b - a };
	}
	for (i = 0; i < n; i++)
		model_overwrite(dst, pieces[i].start, pieces[i].end,
				pieces[i].seed, pieces[i].delta);
	free(pieces);
}

void unmap(struct mfile *f)
{
	if (f->map)
		munmap(f->map, f->maplen);
	f->map = NULL;
	f->maplen = 0;
}

void model_free(struct mfile *f)
{
	unmap(f);
	free(f->seg);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}
