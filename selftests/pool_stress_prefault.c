// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkram_pool_stress_test: the prefaulter (VMPKRAM_IOC_PREFAULT of
 * anonymous and vmpkramfs memory, killed children) and the unloader.
 */
#include "pool_stress.h"

void *prefault_thread(void *arg)
{
	static const __u32 modes[] = { 0, VMPKRAM_PREFAULT_F_READ,
				       VMPKRAM_PREFAULT_F_ZERO };
	const char *whom = "prefaulter";
	uint64_t rng = rng_for(200);
	int dev, status;
	uint8_t *pf;
	pid_t pid;

	dev = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		fail(whom, "open /dev/vmpkram: %s", strerror(errno));
		return NULL;
	}
	pf = mmap(NULL, PF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g.pf_fd, 0);
	if (pf == MAP_FAILED) {
		fail(whom, "mmap the vmpkramfs file: %s", strerror(errno));
		close(dev);
		return NULL;
	}
	while (!stopping()) {
		int r = vt_rand(&rng, 5);

		if (r == 0) {
			/* A child zeroing 64 MiB, killed in the middle. */
			long delay = vt_rand(&rng, 60);

			pid = fork();
			if (!pid) {
				struct vmpkram_prefault req = {
					.size = sizeof(req),
					.len = KILL_LEN,
					.flags = VMPKRAM_PREFAULT_F_ZERO,
				};
				void *p = mmap(NULL, KILL_LEN,
					       PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

				if (p == MAP_FAILED)
					_exit(200);
				req.addr = (uintptr_t)p;
				_exit(ioctl(dev, VMPKRAM_IOC_PREFAULT, &req) ?
				      errno : 0);
			}
			if (pid < 0) {
				fail(whom, "fork: %s", strerror(errno));
				break;
			}
			usleep(delay * 1000);
			kill(pid, SIGKILL);
			if (waitpid(pid, &status, 0) != pid ||
			    (WIFEXITED(status) && WEXITSTATUS(status)) ||
			    (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)) {
				fail(whom, "child zeroing %llu MiB: status %#x (exit code = errno)",
				     KILL_LEN >> 20, status);
				break;
			}
			count(C_KILLED, WIFSIGNALED(status));
		} else if (r == 1) {
			/*
			 * A vmpkramfs mapping (DAX, struct pages) populates
			 * like any shared mapping; ZERO zeroes the file.
			 */
			struct vmpkram_prefault req = {
				.size = sizeof(req), .addr = (uintptr_t)pf,
				.len = (1 + vt_rand(&rng, PF_SIZE / PG)) * PG,
				.flags = modes[vt_rand(&rng, 3)],
				.threads = vt_rand(&rng, 4),
			};
			bool zero = req.flags == VMPKRAM_PREFAULT_F_ZERO;
			uint8_t mark[2] = { 0xaa, 0x55 }, got[2] = { 1, 1 };
			int err;

			if (pwrite(g.pf_fd, &mark[0], 1, 0) != 1 ||
			    pwrite(g.pf_fd, &mark[1], 1, req.len - 1) != 1) {
				fail(whom, "pwrite the vmpkramfs file: %s",
				     strerror(errno));
				break;
			}
			err = ioctl(dev, VMPKRAM_IOC_PREFAULT, &req) ? errno : 0;
			if (pread(g.pf_fd, &got[0], 1, 0) != 1 ||
			    pread(g.pf_fd, &got[1], 1, req.len - 1) != 1)
				got[0] = got[1] = 1;
			if (err || req.done != req.len ||
			    got[0] != (zero ? 0 : mark[0]) ||
			    got[1] != (zero ? 0 : mark[1])) {
				fail(whom, "prefault of %llu bytes of a vmpkramfs mapping, flags %u: %s, done %llu, first and last byte now 0x%02x 0x%02x (were 0x%02x 0x%02x)",
				     (unsigned long long)req.len, req.flags,
				     err ? strerror(err) : "success",
				     (unsigned long long)req.done, got[0],
				     got[1], mark[0], mark[1]);
				break;
			}
			count(C_PREFAULTS, 1);
		} else {
			size_t len = (1 + vt_rand(&rng, 16)) * MiB;
			size_t hole = vt_rand(&rng, 4) ? 0 : MIN(MiB, len / 4);
			uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			struct vmpkram_prefault req = {
				.size = sizeof(req), .addr = (uintptr_t)p,
				.len = len, .flags = modes[vt_rand(&rng, 3)],
				.threads = vt_rand(&rng, 4),
			};
			int err;

			if (p == MAP_FAILED) {
				fail(whom, "mmap %zu: %s", len, strerror(errno));
				break;
			}
			p[0] = 0xaa;
			p[len - 1] = 0x55;
			if (hole)	/* inside the mapping: not someone else's */
				munmap(p + len / 2, hole);
			err = ioctl(dev, VMPKRAM_IOC_PREFAULT, &req) ? errno : 0;
			if (err != (hole ? ENOMEM : 0) || req.done > len ||
			    (!err && req.done != len) ||
			    (!err && req.flags == VMPKRAM_PREFAULT_F_ZERO &&
			     (p[0] || p[len - 1])) ||
			    (!err && req.flags != VMPKRAM_PREFAULT_F_ZERO &&
			     (p[0] != 0xaa || p[len - 1] != 0x55))) {
				fail(whom, "prefault %zu bytes flags %u%s: %s, done %llu",
				     len, req.flags, hole ? " with a hole" : "",
				     err ? strerror(err) : "success",
				     (unsigned long long)req.done);
				munmap(p, len);
				break;
			}
			munmap(p, len);
			count(C_PREFAULTS, 1);
		}
	}
	munmap(pf, PF_SIZE);
	close(dev);
	return NULL;
}

void *unload_thread(void *arg)
{
	const char *whom = "unloader";
	uint64_t rng = rng_for(300);

	while (!stopping()) {
		if (!syscall(SYS_delete_module, "vmpkram", O_NONBLOCK)) {
			fail(whom, "vmpkram was unloaded while mounted");
			break;
		}
		if (errno != EWOULDBLOCK && errno != EBUSY) {
			fail(whom, "delete_module: %s, want EAGAIN or EBUSY",
			     strerror(errno));
			break;
		}
		count(C_UNLOADS, 1);
		nap(50 + vt_rand(&rng, 100));
	}
	return NULL;
}
