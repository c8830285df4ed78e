// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkram_fuzz, family 3, the file model: what xfstests' fsx checks.
 *
 * One input is an episode: two fresh files on the mount, a model of the
 * bytes of each, and 8 to 24 operations on them: write, mapped write and
 * read, truncate, fallocate, punch, copy_file_range (inside one file and
 * between the two), sendfile, splice through a pipe, O_DIRECT reads and
 * writes, writes through a mapping past the end of file (allowed; what
 * they leave must be gone after the next size change) and a probe of the
 * rest of the last block (grow to the block's end, read, shrink back).
 * After every operation the file it changed is checked against its model
 * through read() and through a mapping, including the bytes past EOF in
 * the last page, and both files at the end.  A failed call must leave the file as it was; a short
 * one must have done what it says.  The first difference is a violation
 * and ends the episode.  Nothing else runs during an episode (inputs run
 * one at a time), so the model is exact; its draws come from the
 * iteration's PRNG like every other input.
 */
#include "vmpkram_fuzz.h"

#define MODEL_MAX	(2 * BLK + (256 << 10))	/* largest size of a model file */
#define MODEL_BUF	(3 * BLK)		/* past MODEL_MAX to the block end */
#define OP_MAX		(256 << 10)		/* largest single operation */
#define PIPE_CHUNK	(64 << 10)		/* what a pipe holds by default */

struct model {
	int fd;			/* O_RDWR */
	int dfd;		/* O_RDWR | O_DIRECT */
	char name[32];
	off_t size;
	unsigned char *bytes;	/* the contents; zero from size on */
	bool tail_dirty;	/* a mapping wrote past EOF since the last size change */
};

static struct model mf[2];
static unsigned char *snap;	/* a copy of a model, for copies inside a file */
static unsigned char *back;	/* what the file reads back */
static off_t mmax;		/* this episode's size limit */
static bool broken;		/* a violation: the episode ends */
static const char *cur_op;

static const int E_MODEL[] = { ENOSPC, 0 };

static off_t page_up(off_t x)
{
	return ROUND_UP(x, (off_t)PG);
}

/* The first index where @a and @b differ, or -1. */
static long first_diff(const unsigned char *a, const unsigned char *b, size_t n)
{
	size_t i;

	if (!memcmp(a, b, n))
		return -1;
	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			break;
	return i;
}

/* The first non-zero byte of @p, or -1. */
static long nonzero_at(const unsigned char *p, size_t n)
{
	size_t i, k;
	long d;

	for (i = 0; i < n; i += k) {
		k = n - i < PG ? n - i : PG;
		d = first_diff(p + i, (const unsigned char *)zero_page, k);
		if (d >= 0)
			return i + d;
	}
	return -1;
}

static void model_violation(struct model *m, const char *how, off_t at,
			    int got, int want)
{
	violation("model: after %s, file %s (size %lld) %s at %lld: 0x%02x, want 0x%02x",
		  cur_op, m->name, (long long)m->size, how, (long long)at,
		  got & 0xff, want & 0xff);
	broken = true;
}

/* Reads all of the file back; false after a violation. */
static bool check_read(struct model *m)
{
	off_t done = 0;
	ssize_t r;
	long d;

	while (done < m->size) {
		r = pread(m->fd, back + done, m->size - done, done);
		if (r <= 0) {
			violation("model: after %s, pread of %s at %lld: %s", cur_op,
				  m->name, (long long)done, r ? ename(errno) : "EOF");
			broken = true;
			return false;
		}
		done += r;
	}
	r = pread(m->fd, back, 1, m->size);
	if (r) {
		violation("model: after %s, pread of %s at EOF %lld returned %zd",
			  cur_op, m->name, (long long)m->size, r);
		broken = true;
		return false;
	}
	d = first_diff(back, m->bytes, m->size);
	if (d >= 0)
		model_violation(m, "read()", d, back[d], m->bytes[d]);
	return d < 0;
}

/*
 * Through a mapping: a window of the file (all of a small one) and the
 * last page, whose bytes past EOF read zero unless a mapping wrote them
 * since the last size change.
 */
static bool check_map(struct model *m)
{
	off_t len = page_up(m->size), from = 0, n = m->size;
	unsigned char *p;
	long d;

	if (!m->size)
		return true;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, m->fd, 0);
	if (p == MAP_FAILED) {
		violation("model: after %s, mmap of %s (%lld bytes): %s", cur_op,
			  m->name, (long long)len, ename(errno));
		broken = true;
		return false;
	}
	if (n > (256 << 10)) {
		from = ROUND_UP((off_t)rn(n - (128 << 10)), (off_t)PG) - PG;
		from = from < 0 ? 0 : from;
		n = 128 << 10;
		if (from + n > m->size)
			n = m->size - from;
	}
	d = first_diff(p + from, m->bytes + from, n);
	if (d >= 0) {
		model_violation(m, "a mapping", from + d, p[from + d],
				m->bytes[from + d]);
	} else {
		from = len - PG;
		d = first_diff(p + from, m->bytes + from, m->size - from);
		if (d >= 0)
			model_violation(m, "a mapping of the last page", from + d,
					p[from + d], m->bytes[from + d]);
	}
	if (d < 0 && !m->tail_dirty) {
		d = nonzero_at(p + m->size, len - m->size);
		if (d >= 0)
			model_violation(m, "a mapping past EOF", m->size + d,
					p[m->size + d], 0);
	}
	munmap(p, len);
	return d < 0;
}

static bool check(struct model *m)
{
	struct stat st;

	if (fstat(m->fd, &st) || st.st_size != m->size) {
		violation("model: after %s, %s has size %lld, want %lld", cur_op,
			  m->name, (long long)st.st_size, (long long)m->size);
		broken = true;
		return false;
	}
	return check_read(m) && check_map(m);
}

/* A size change in the model: what it cuts off is zero again. */
static void set_size(struct model *m, off_t size)
{
	if (size < m->size)
		memset(m->bytes + size, 0, m->size - size);
	m->size = size;
	m->tail_dirty = false;
}

/* @n bytes of @src at @off (the gap from EOF reads zero already). */
static void put(struct model *m, off_t off, const void *src, size_t n)
{
	memcpy(m->bytes + off, src, n);
	if (off + (off_t)n > m->size)
		set_size(m, off + n);
}

/* The model no longer knows (a mapped write cut short): take the file's. */
static void resync(struct model *m)
{
	struct stat st;

	if (fstat(m->fd, &st) || st.st_size > MODEL_MAX ||
	    pread(m->fd, m->bytes, st.st_size, 0) != st.st_size) {
		broken = true;
		return;
	}
	memset(m->bytes + st.st_size, 0, MODEL_BUF - st.st_size);
	m->size = st.st_size;
	m->tail_dirty = true;
}

/* An offset for an operation of @len, up to the episode's size limit. */
static off_t gen_moff(struct model *m, size_t len, bool inside)
{
	off_t lim = inside ? m->size : mmax;
	off_t off;

	if ((off_t)len >= lim)
		return 0;
	switch (rn(5)) {
	case 0:		/* around a block boundary */
		off = ROUND_UP((off_t)rn(lim), (off_t)BLK) - rn(2 * len + 1) + len;
		break;
	case 1:		/* around EOF */
		off = m->size - rn(len + 1) + rn(len + 1);
		break;
	default:
		off = rn(lim - len + 1);
	}
	if (off < 0 || off + (off_t)len > lim)
		off = rn(lim - len + 1);
	return off;
}

static size_t gen_mlen(void)
{
	size_t max = mmax / 4 < OP_MAX ? mmax / 4 : OP_MAX;

	if (pct(15))
		return 1 + rn(64);
	if (pct(10))
		return PG * (1 + rn(max / PG));
	return 1 + rn(max);
}

/* A call's result: what it did must be what the model does. */
static bool failed(const char *what, ssize_t r)
{
	if (r >= 0)
		return false;
	expect_in(what, errno, E_MODEL);
	return true;
}

static void m_write(struct model *m)
{
	size_t len = gen_mlen();
	off_t off = gen_moff(m, len, false);
	const char *src = wbuf + rn(IOBUF - len);
	ssize_t r;

	cur_op = "pwrite";
	note("model: pwrite %s %lld+%zu", m->name, (long long)off, len);
	r = pwrite(m->fd, src, len, off);
	if (!failed("model pwrite", r))
		put(m, off, src, r);
}

static void m_odirect(struct model *m)
{
	size_t len = PG * (1 + rn(16));
	off_t off = gen_moff(m, len, pct(50)) & ~(off_t)(PG - 1);
	char *buf = wbuf + PG * rn((IOBUF - len) / PG);
	ssize_t r, want;
	long d;

	if (m->dfd < 0)
		return;
	if (off + (off_t)len > mmax)
		off = 0;
	if (pct(50)) {
		cur_op = "O_DIRECT pwrite";
		note("model: O_DIRECT pwrite %s %lld+%zu", m->name, (long long)off, len);
		r = pwrite(m->dfd, buf, len, off);
		if (!failed("model O_DIRECT pwrite", r))
			put(m, off, buf, r);
		return;
	}
	cur_op = "O_DIRECT pread";
	note("model: O_DIRECT pread %s %lld+%zu", m->name, (long long)off, len);
	r = pread(m->dfd, rbuf, len, off);
	if (failed("model O_DIRECT pread", r))
		return;
	want = off >= m->size ? 0 : (off_t)len < m->size - off ?
	       (ssize_t)len : m->size - off;
	if (r != want) {
		violation("model: O_DIRECT pread of %s %lld+%zu returned %zd, want %zd",
			  m->name, (long long)off, len, r, want);
		broken = true;
		return;
	}
	d = first_diff((unsigned char *)rbuf, m->bytes + off, r);
	if (d >= 0)
		model_violation(m, "an O_DIRECT read", off + d, rbuf[d],
				m->bytes[off + d]);
}

/* Writes through a mapping of the file, inside it. */
static void m_mapwrite(struct model *m)
{
	size_t len = gen_mlen();
	off_t off, pg;
	const char *src = wbuf + rn(IOBUF - len);
	char *p;

	if (!m->size)
		return;
	if ((off_t)len > m->size)
		len = m->size;
	off = gen_moff(m, len, true);
	pg = off & ~(off_t)(PG - 1);
	cur_op = "mapped write";
	note("model: mapped write %s %lld+%zu", m->name, (long long)off, len);
	p = mmap(NULL, off + len - pg, PROT_READ | PROT_WRITE, MAP_SHARED,
		 m->fd, pg);
	if (p == MAP_FAILED) {
		expect_in("model mmap", errno, E_MODEL);
		return;
	}
	/* A hole the full pool cannot fill is SIGBUS: the file tells, then. */
	if (copy_catching(p + off - pg, src, len))
		resync(m);
	else
		memcpy(m->bytes + off, src, len);
	munmap(p, off + len - pg);
}

/* Writes past EOF in the last page, through a mapping (fsx -e 1). */
static void m_pollute(struct model *m)
{
	off_t pg = m->size & ~(off_t)(PG - 1);
	size_t n = page_up(m->size) - m->size;
	char *p;

	if (!n)
		return;
	cur_op = "mapped write past EOF";
	note("model: mapped write past EOF of %s at %lld, %zu bytes", m->name,
	     (long long)m->size, n);
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, pg);
	if (p == MAP_FAILED) {
		expect_in("model mmap", errno, E_MODEL);
		return;
	}
	copy_catching(p + (m->size - pg), wbuf + rn(PG), n);
	munmap(p, PG);
	m->tail_dirty = true;
}

static void m_truncate(struct model *m)
{
	off_t size = pct(30) ? ROUND_UP((off_t)rn(mmax), (off_t)PG) : rn(mmax + 1);

	if (size > mmax)
		size = mmax;
	cur_op = size < m->size ? "truncate down" : "truncate up";
	note("model: ftruncate %s %lld -> %lld", m->name, (long long)m->size,
	     (long long)size);
	if (!failed("model ftruncate", ftruncate(m->fd, size)))
		set_size(m, size);
}

static void m_fallocate(struct model *m)
{
	size_t len = gen_mlen();
	off_t off = gen_moff(m, len, false);
	int mode = 0;

	cur_op = "fallocate";
	if (pct(40)) {
		mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
		cur_op = "punch hole";
	} else if (pct(30) && off + (off_t)len <= m->size) {
		mode = FALLOC_FL_KEEP_SIZE;
	}
	note("model: fallocate %s mode %#x %lld+%zu", m->name, mode,
	     (long long)off, len);
	if (failed("model fallocate", fallocate(m->fd, mode, off, len)))
		return;
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		if (off < m->size)
			memset(m->bytes + off, 0, (off + (off_t)len < m->size ?
						   off + (off_t)len : m->size) - off);
	} else if (off + (off_t)len > m->size) {
		set_size(m, off + len);
	}
}

/*
 * copy_file_range(), sendfile() or splice() of @len bytes from @src at
 * @so to @dst at @d.  Returns the bytes copied, or -1.
 */
static ssize_t do_copy(int how, struct model *src, off_t so, struct model *dst,
		       off_t d, size_t len, int *pfd)
{
	loff_t in = so, out = d;
	ssize_t r, w, done = 0;
	off_t o = so;

	switch (how) {
	case 0:
		return copy_file_range(src->fd, &in, dst->fd, &out, len, 0);
	case 1:
		if (lseek(dst->fd, d, SEEK_SET) != d)
			return -1;
		return sendfile(dst->fd, src->fd, &o, len);
	}
	while ((size_t)done < len) {
		r = splice(src->fd, &in, pfd[1], NULL,
			   len - done < PIPE_CHUNK ? len - done : PIPE_CHUNK, 0);
		if (r <= 0)
			return done ? done : r;
		w = splice(pfd[0], NULL, dst->fd, &out, r, 0);
		if (w < 0)		/* errno for failed() */
			return done ? done : w;
		done += w;
		if (w < r)		/* the rest goes with the pipe */
			break;
	}
	return done;
}

static void m_copy(struct model *src, struct model *dst)
{
	static const char *const names[] = { "copy_file_range", "sendfile",
					      "splice" };
	int how = rn(3), pfd[2] = { -1, -1 };
	size_t len = gen_mlen();
	off_t so, d;
	ssize_t r, want;

	if (!src->size)
		return;
	so = rn(src->size);
	d = gen_moff(dst, len, false);
	/*
	 * The kernel shortens the copy to the source's EOF before it looks
	 * for an overlap (generic_copy_file_checks()): only bytes that are
	 * there count.
	 */
	want = (off_t)len < src->size - so ? (off_t)len : src->size - so;
	if (src == dst && so < d + want && d < so + want) {
		if (how || pct(70))
			return;
		/* Overlapping ranges of one file: EINVAL, nothing done. */
		cur_op = "overlapping copy_file_range";
		note("model: copy_file_range %s %lld -> %lld, %zu bytes (overlap)",
		     src->name, (long long)so, (long long)d, len);
		if (do_copy(0, src, so, dst, d, len, NULL) != -1 || errno != EINVAL) {
			violation("model: overlapping copy_file_range in %s did not fail with EINVAL",
				  src->name);
			broken = true;
		}
		return;
	}
	cur_op = names[how];
	note("model: %s %s %lld -> %s %lld, %zu bytes", cur_op, src->name,
	     (long long)so, dst->name, (long long)d, len);
	if (how == 2 && pipe(pfd))
		return;
	/* Chunks written past EOF of one file would be read again. */
	if (src == dst)
		len = want;
	memcpy(snap, src->bytes, src->size);
	r = do_copy(how, src, so, dst, d, len, pfd);
	if (pfd[0] >= 0) {
		close(pfd[0]);
		close(pfd[1]);
	}
	if (broken || failed(cur_op, r))
		return;
	if (r > want) {
		violation("model: %s copied %zd bytes, at most %zd were there",
			  cur_op, r, want);
		broken = true;
		return;
	}
	put(dst, d, snap + so, r);
}

/* The rest of the last block reads zero: grow to its end, read, shrink. */
static void m_tail(struct model *m)
{
	off_t end = ROUND_UP(m->size, (off_t)BLK), done;
	ssize_t r;
	long d;

	if (end == m->size)
		return;
	cur_op = "grow to the block's end";
	note("model: %s: grow to %lld and back", m->name, (long long)end);
	if (failed("model ftruncate", ftruncate(m->fd, end)))
		return;
	for (done = m->size; done < end; done += r) {
		r = pread(m->fd, back, end - done < IOBUF ? end - done : IOBUF, done);
		if (r <= 0) {
			broken = true;
			violation("model: pread of %s at %lld: %s", m->name,
				  (long long)done, r ? ename(errno) : "EOF");
			return;
		}
		d = nonzero_at(back, r);
		if (d >= 0) {
			model_violation(m, "read() past the old EOF", done + d,
					back[d], 0);
			return;
		}
	}
	if (ftruncate(m->fd, m->size)) {
		violation("model: ftruncate of %s back to %lld: %s", m->name,
			  (long long)m->size, ename(errno));
		broken = true;
	}
	m->tail_dirty = false;
}

static void m_read(struct model *m)
{
	size_t len = gen_mlen();
	off_t off = gen_moff(m, len, false);
	ssize_t r, want;
	long d;

	cur_op = "pread";
	note("model: pread %s %lld+%zu", m->name, (long long)off, len);
	want = off >= m->size ? 0 : (off_t)len < m->size - off ?
	       (ssize_t)len : m->size - off;
	r = pread(m->fd, back, len, off);
	if (r != want) {
		violation("model: pread of %s %lld+%zu returned %zd, want %zd",
			  m->name, (long long)off, len, r, want);
		broken = true;
		return;
	}
	d = first_diff(back, m->bytes + off, r);
	if (d >= 0)
		model_violation(m, "pread", off + d, back[d], m->bytes[off + d]);
}

static bool model_open(struct model *m, int i)
{
	char path[PATH_BUF];
	int fd;

	snprintf(m->name, sizeof(m->name), "fuzz-model-%d", i);
	snprintf(path, sizeof(path), "%s/%s", mnt, m->name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	m->fd = fd;
	m->dfd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (m->dfd < 0)		/* the episode goes on without it */
		violation("model: O_DIRECT open of %s: %s", m->name, ename(errno));
	if (!m->bytes)
		m->bytes = map_anon(MODEL_BUF, PROT_READ | PROT_WRITE);
	memset(m->bytes, 0, MODEL_BUF);
	m->size = 0;
	m->tail_dirty = false;
	return true;
}

static void model_close(struct model *m)
{
	char path[PATH_BUF];

	close(m->fd);
	if (m->dfd >= 0)
		close(m->dfd);
	snprintf(path, sizeof(path), "%s/%s", mnt, m->name);
	unlink(path);
}

void op_model(void)
{
	int i, n = 8 + rn(17), k, j;

	if (!mounted || sealed())
		return;
	if (!snap) {
		snap = map_anon(MODEL_BUF, PROT_READ | PROT_WRITE);
		back = map_anon(MODEL_BUF, PROT_READ | PROT_WRITE);
	}
	mmax = pct(10) ? MODEL_MAX : (64 << 10) + rn(448 << 10);
	note("model: episode of %d operations, files up to %lld bytes", n,
	     (long long)mmax);
	if (!model_open(&mf[0], 0))
		return;
	if (!model_open(&mf[1], 1)) {
		model_close(&mf[0]);
		return;
	}
	broken = false;
	for (i = 0; i < n && !broken; i++) {
		struct model *m = &mf[rn(2)], *t = m;

		k = rn(100);
		if (k < 22)
			m_write(m);
		else if (k < 32)
			m_mapwrite(m);
		else if (k < 40)
			m_read(m);
		else if (k < 50)
			m_truncate(m);
		else if (k < 60)
			m_fallocate(m);
		else if (k < 75)
			m_copy(m, t = pct(50) ? m : &mf[m == mf]);
		else if (k < 83)
			m_odirect(m);
		else if (k < 93)
			m_pollute(m);
		else
			m_tail(m);
		if (!broken)
			check(t);
		stat_add(S_MODEL);
	}
	for (j = 0; j < 2 && !broken; j++)
		check(&mf[j]);
	model_close(&mf[0]);
	model_close(&mf[1]);
}
