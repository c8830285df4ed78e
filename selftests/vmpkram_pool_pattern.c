// SPDX-License-Identifier: GPL-2.0
/*
 * Fill or verify a file with a seeded pattern, through a MAP_SHARED
 * mapping (as QEMU writes guest RAM) or through write()/read() (as a
 * device-state file is written).  The kexec tests of the test VM fill
 * vmpkramfs files before a kexec and verify every byte after it.
 *
 * The pattern is a xorshift64 stream started from the seed: byte i of the
 * file is byte (i % 8) of the (i / 8 + 1)-th value, little endian, so the
 * same seed gives the same bytes whatever the access method, and an
 * odd-sized file ends with part of a value.
 *
 * usage: vmpkram_pool_pattern fill   [--mmap|--write] FILE SIZE SEED [OFF LEN]
 *        vmpkram_pool_pattern verify [--mmap|--read]  FILE SIZE SEED [OFF LEN]
 *
 *   fill    creates FILE if needed, sets its size to SIZE (ftruncate) and
 *           writes the pattern over all of it; msync/fsync before exit
 *   verify  checks that FILE has exactly SIZE bytes and that every byte
 *           is the pattern's; reports the first mismatch
 *   OFF LEN only the bytes [OFF, OFF + LEN) of FILE, which must already
 *           have SIZE bytes (fill does not change the size): they get, or
 *           must hold, what a whole-file run with SEED has there (the
 *           pattern is positional), so a file rewritten in regions with
 *           different seeds is verified region by region.  With --mmap
 *           only the pages of the range are mapped.
 *
 * SIZE takes a K, M or G suffix (binary units); SEED is a number, and
 * seed 0 is the all-zero pattern (what a new file must read as).  Exits 0 on success, 1 on a mismatch or an I/O error, 2 on
 * usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK	(1 << 20)	/* bytes per write()/read() */

struct stream {
	uint64_t state;
	uint64_t word;		/* current value */
	unsigned int used;	/* bytes of @word already consumed */
};

static void stream_init(struct stream *s, uint64_t seed)
{
	s->state = seed;
	s->used = 8;
}

/* Seed 0 stays 0: the all-zero pattern. */
static uint64_t xorshift64(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Position the stream at byte @off of the pattern. */
static void stream_seek(struct stream *s, uint64_t off)
{
	uint64_t i;

	for (i = 0; i < off / 8; i++)
		xorshift64(&s->state);
	if (off % 8) {
		s->word = xorshift64(&s->state);
		s->used = off % 8;
	}
}

/* The next @len bytes of the pattern. */
static void stream_bytes(struct stream *s, unsigned char *buf, size_t len)
{
	size_t i = 0;

	/* Whole little-endian words while aligned to the stream. */
	while (i < len) {
		if (s->used == 8 && len - i >= 8) {
			uint64_t w = xorshift64(&s->state);
			int b;

			for (b = 0; b < 8; b++)
				buf[i + b] = w >> (8 * b);
			i += 8;
			continue;
		}
		if (s->used == 8) {
			s->word = xorshift64(&s->state);
			s->used = 0;
		}
		buf[i++] = s->word >> (8 * s->used++);
	}
}

static int parse_size(const char *arg, uint64_t *out)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || end == arg)
		return -1;
	switch (*end) {
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static int fail(const char *what, const char *file)
{
	fprintf(stderr, "vmpkram_pool_pattern: %s: %s: %s\n", file, what,
		strerror(errno));
	return 1;
}

static int mismatch(const char *file, uint64_t off, unsigned int want,
		    unsigned int got)
{
	fprintf(stderr,
		"vmpkram_pool_pattern: %s: byte %" PRIu64
		" is 0x%02x, the pattern has 0x%02x\n", file, off, got, want);
	return 1;
}

/*
 * map_range: map the pages holding bytes [@start, @start + @len) of @fd;
 * returns a pointer to byte @start (the mapping starts @*lead bytes
 * before it).
 */
static unsigned char *map_range(int fd, uint64_t start, uint64_t len,
				int prot, uint64_t *lead)
{
	uint64_t page = sysconf(_SC_PAGESIZE);
	unsigned char *p;

	*lead = start % page;
	p = mmap(NULL, len + *lead, prot, MAP_SHARED, fd, start - *lead);
	return p == MAP_FAILED ? NULL : p + *lead;
}

static int fill_mmap(int fd, const char *file, uint64_t start, uint64_t len,
		     uint64_t seed)
{
	struct stream s;
	unsigned char *p;
	uint64_t lead;

	if (!len)
		return 0;
	p = map_range(fd, start, len, PROT_READ | PROT_WRITE, &lead);
	if (!p)
		return fail("mmap", file);
	stream_init(&s, seed);
	stream_seek(&s, start);
	stream_bytes(&s, p, len);
	if (msync(p - lead, len + lead, MS_SYNC))
		return fail("msync", file);
	munmap(p - lead, len + lead);
	return 0;
}

static int verify_mmap(int fd, const char *file, uint64_t start, uint64_t len,
		       uint64_t seed)
{
	unsigned char *p, *want;
	struct stream s;
	uint64_t off, lead;

	if (!len)
		return 0;
	p = map_range(fd, start, len, PROT_READ, &lead);
	want = malloc(CHUNK);
	if (!p || !want)
		return fail("mmap", file);
	stream_init(&s, seed);
	stream_seek(&s, start);
	for (off = 0; off < len; off += CHUNK) {
		size_t n = len - off < CHUNK ? len - off : CHUNK;
		size_t i;

		stream_bytes(&s, want, n);
		if (!memcmp(p + off, want, n))
			continue;
		for (i = 0; p[off + i] == want[i]; i++)
			;
		return mismatch(file, start + off + i, want[i], p[off + i]);
	}
	munmap(p - lead, len + lead);
	free(want);
	return 0;
}

static int fill_write(int fd, const char *file, uint64_t start, uint64_t len,
		      uint64_t seed)
{
	unsigned char *buf = malloc(CHUNK);
	uint64_t off, size = start + len;
	struct stream s;

	if (!buf)
		return fail("malloc", file);
	stream_init(&s, seed);
	stream_seek(&s, start);
	for (off = start; off < size;) {
		size_t n = size - off < CHUNK ? size - off : CHUNK;
		ssize_t w;

		stream_bytes(&s, buf, n);
		w = pwrite(fd, buf, n, off);
		if (w != (ssize_t)n)
			return fail(w < 0 ? "write" : "short write", file);
		off += n;
	}
	free(buf);
	return fsync(fd) ? fail("fsync", file) : 0;
}

static int verify_read(int fd, const char *file, uint64_t start, uint64_t len,
		       uint64_t size, uint64_t seed)
{
	unsigned char *buf = malloc(CHUNK), *want = malloc(CHUNK);
	uint64_t off, end = start + len;
	struct stream s;
	ssize_t r;

	if (!buf || !want)
		return fail("malloc", file);
	stream_init(&s, seed);
	stream_seek(&s, start);
	for (off = start; off < end;) {
		size_t n = end - off < CHUNK ? end - off : CHUNK;
		size_t i;

		r = pread(fd, buf, n, off);
		if (r != (ssize_t)n)
			return fail(r < 0 ? "read" : "short read", file);
		stream_bytes(&s, want, n);
		if (memcmp(buf, want, n)) {
			for (i = 0; buf[i] == want[i]; i++)
				;
			return mismatch(file, off + i, want[i], buf[i]);
		}
		off += n;
	}
	/* Nothing past the end. */
	r = pread(fd, buf, 1, size);
	if (r != 0) {
		errno = r < 0 ? errno : EFBIG;
		return fail("read at the end", file);
	}
	free(buf);
	free(want);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: vmpkram_pool_pattern fill [--mmap|--write] FILE SIZE SEED [OFF LEN]\n"
		"       vmpkram_pool_pattern verify [--mmap|--read] FILE SIZE SEED [OFF LEN]\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t size, seed, start = 0, len;
	int fill, mapped, fd, ret, range = argc == 8;
	struct stat st;
	const char *file;

	if (argc != 6 && argc != 8)
		return usage();
	fill = !strcmp(argv[1], "fill");
	if (!fill && strcmp(argv[1], "verify"))
		return usage();
	if (!strcmp(argv[2], "--mmap"))
		mapped = 1;
	else if (!strcmp(argv[2], fill ? "--write" : "--read"))
		mapped = 0;
	else
		return usage();
	file = argv[3];
	if (parse_size(argv[4], &size) || parse_size(argv[5], &seed))
		return usage();
	len = size;
	if (range && (parse_size(argv[6], &start) || parse_size(argv[7], &len) ||
		      start > size || len > size - start))
		return usage();

	fd = open(file, fill ? O_RDWR | O_CREAT : O_RDONLY, 0644);
	if (fd < 0)
		return fail("open", file);
	if (!fill || range) {
		if (fstat(fd, &st))
			return fail("stat", file);
		if ((uint64_t)st.st_size != size) {
			fprintf(stderr,
				"vmpkram_pool_pattern: %s: size %lld, expected %" PRIu64 "\n",
				file, (long long)st.st_size, size);
			return 1;
		}
	}
	if (fill) {
		if (!range && ftruncate(fd, size))
			return fail("ftruncate", file);
		ret = mapped ? fill_mmap(fd, file, start, len, seed) :
			       fill_write(fd, file, start, len, seed);
	} else {
		ret = mapped ? verify_mmap(fd, file, start, len, seed) :
			       verify_read(fd, file, start, len, size, seed);
	}
	if (close(fd) && !ret)
		return fail("close", file);
	return ret;
}
