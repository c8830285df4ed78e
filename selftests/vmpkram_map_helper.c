// SPDX-License-Identifier: GPL-2.0
/*
 * A target process for the vmpkramctl tests in the test VM: maps a file
 * (MAP_SHARED) or anonymous memory, prints "PID START END" of the
 * mapping, and waits for SIGTERM.  It then exits 0 if every page of the
 * mapping is present in its page tables (pagemap), 1 otherwise, so a
 * shell test can check what another process populated in it.
 *
 * With pin:FILE it instead pins FILE's first page: maps it, vmsplice()s
 * the page into a pipe it keeps, unmaps and closes the file (so that its
 * filesystem can be unmounted), prints "PID 0 0" and holds the pin until
 * SIGTERM.
 *
 * usage: vmpkram_map_helper FILE|anon:SIZE_MIB|pin:FILE
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

static int all_present(void *addr, size_t len)
{
	long psz = sysconf(_SC_PAGESIZE);
	size_t i, n = len / psz;
	uint64_t ent;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	for (i = 0; i < n; i++) {
		off_t off = ((uintptr_t)addr / psz + i) * sizeof(ent);

		if (pread(fd, &ent, sizeof(ent), off) != sizeof(ent) ||
		    !(ent & (1ULL << 63))) {
			close(fd);
			return 0;
		}
	}
	close(fd);
	return 1;
}

static void *map_target(const char *what, size_t *len)
{
	struct stat st;
	void *p;
	int fd;

	if (!strncmp(what, "anon:", 5)) {
		*len = strtoul(what + 5, NULL, 0) << 20;
		return mmap(NULL, *len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	fd = open(what, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		return MAP_FAILED;
	*len = st.st_size;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p;
}

/* A pipe holding a reference to @file's first page; 0 or -1. */
static int pin_first_page(const char *file, int pipefd[2])
{
	long psz = sysconf(_SC_PAGESIZE);
	struct iovec iov;
	int fd = open(file, O_RDWR | O_CLOEXEC);
	char *p;

	if (fd < 0 || pipe(pipefd))
		return -1;
	p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	iov.iov_base = p;
	iov.iov_len = psz;
	if (vmsplice(pipefd[1], &iov, 1, 0) != psz)
		return -1;
	return munmap(p, psz);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	size_t len = 0;
	char *p;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE|anon:SIZE_MIB|pin:FILE\n",
			argv[0]);
		return 2;
	}
	if (sigaction(SIGTERM, &sa, NULL))
		return 2;
	if (!strncmp(argv[1], "pin:", 4)) {
		int pipefd[2];

		if (pin_first_page(argv[1] + 4, pipefd)) {
			perror(argv[1]);
			return 2;
		}
		printf("%d 0 0\n", getpid());
		fflush(stdout);
		while (!stop)
			pause();
		return 0;
	}
	p = map_target(argv[1], &len);
	if (p == MAP_FAILED || !len) {
		perror(argv[1]);
		return 2;
	}
	printf("%d 0x%lx 0x%lx\n", getpid(), (unsigned long)p,
	       (unsigned long)p + len);
	fflush(stdout);
	while (!stop)
		pause();
	return all_present(p, len) ? 0 : 1;
}
