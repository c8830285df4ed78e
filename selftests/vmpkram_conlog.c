// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkram_conlog: keep a guest's console output in a file that survives
 * a kexec of the test VM, for the end-to-end QEMU tests.
 *
 *   vmpkram_conlog FIFO FILE [SIZE]
 *
 * Reads what QEMU writes into FIFO (its -chardev pipe, path.out) until
 * QEMU closes it, and writes it into FILE in place: FILE is sized to SIZE
 * (default 2 MiB) when it is empty, and never grows or shrinks after
 * that, so it can live on a vmpkramfs pool that gets sealed while the
 * guest runs (a sealed pool refuses size changes, not writes).  Output
 * goes after what FILE already holds (up to its first NUL byte), so a
 * relaunched QEMU continues the same log; NUL and CR bytes are dropped.
 * When FILE is full the rest is dropped and a note goes to stderr.
 *
 * Exit status: 0 at end of input, 1 on errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_SIZE	(2UL << 20)

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "vmpkram_conlog: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

/* The offset of the first NUL byte of @fd (of size @size), or @size. */
static off_t content_end(int fd, off_t size)
{
	char buf[65536];
	off_t off = 0;
	ssize_t n;
	char *nul;

	while (off < size && (n = pread(fd, buf, sizeof(buf), off)) > 0) {
		nul = memchr(buf, 0, n);
		if (nul)
			return off + (nul - buf);
		off += n;
	}
	return off < size ? off : size;
}

int main(int argc, char **argv)
{
	unsigned long want = DEFAULT_SIZE;
	char buf[4096], out[4096];
	int in, fd, full = 0;
	struct stat st;
	off_t off;
	ssize_t n, i, k;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: vmpkram_conlog FIFO FILE [SIZE]\n");
		return 2;
	}
	if (argc == 4)
		want = strtoul(argv[3], NULL, 0);
	fd = open(argv[2], O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		return fail("cannot open", argv[2]);
	if (fstat(fd, &st))
		return fail("cannot stat", argv[2]);
	if (st.st_size == 0) {
		if (ftruncate(fd, want))
			return fail("cannot size", argv[2]);
		st.st_size = want;
	}
	off = content_end(fd, st.st_size);
	in = open(argv[1], O_RDONLY);
	if (in < 0)
		return fail("cannot open", argv[1]);
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail("cannot read", argv[1]);
		}
		for (i = 0, k = 0; i < n; i++)
			if (buf[i] && buf[i] != '\r')
				out[k++] = buf[i];
		if (k > st.st_size - off) {
			if (!full++)
				fprintf(stderr, "vmpkram_conlog: %s is full, dropping output\n",
					argv[2]);
			k = st.st_size - off;
		}
		if (k && pwrite(fd, out, k, off) != k)
			return fail("cannot write", argv[2]);
		off += k;
	}
	return 0;
}
