// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkram_pool_stress_test: the statter (POOL_GET, statfs) and the sealer
 * (seal and unseal, EROFS probes while sealed).
 */
#include "pool_stress.h"

bool get_pool(struct vmpkram_ctx *ctx, const char *whom,
	      struct vmpkram_pool *p)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	ret = vmpkram_pool_get(ctx, POOL, p);
	if (ret) {
		fail(whom, "pool get %s: %s", POOL, vmpkram_last_error(ctx));
		return false;
	}
	return true;
}

void *stat_thread(void *arg)
{
	const char *whom = "statter";
	struct vmpkram_ctx *ctx;
	struct vmpkram_pool p;
	struct statfs sf;

	if (vmpkram_new(&ctx)) {
		fail(whom, "no libvmpkram context");
		return NULL;
	}
	while (!stopping()) {
		if (!get_pool(ctx, whom, &p))
			break;
		count(C_GETS, 1);
		if (p.used + p.free != p.data_size || p.data_size != g.data_size ||
		    p.used % BLK || p.free % BLK || p.scrub_pending > p.free ||
		    p.largest_free > p.free || p.nr_files > p.max_files ||
		    p.max_files != VMPKRAM_POOL_MAX_FILES || !p.mounted ||
		    p.block_size != BLK || (p.state != VMPKRAM_POOL_READY &&
					    p.state != VMPKRAM_POOL_SEALED)) {
			fail(whom, "pool %s: state %u used %llu free %llu data %llu (at start %llu) scrub pending %llu largest free %llu files %u of %u mounted %u block %u",
			     POOL, p.state, (unsigned long long)p.used,
			     (unsigned long long)p.free,
			     (unsigned long long)p.data_size,
			     (unsigned long long)g.data_size,
			     (unsigned long long)p.scrub_pending,
			     (unsigned long long)p.largest_free, p.nr_files,
			     p.max_files, p.mounted, p.block_size);
			break;
		}
		if (statfs(g.mnt, &sf)) {
			fail(whom, "statfs %s: %s", g.mnt, strerror(errno));
			break;
		}
		count(C_STATFS, 1);
		if (sf.f_type != VMPKRAMFS_MAGIC || sf.f_bsize != BLK ||
		    sf.f_blocks * BLK != g.data_size ||
		    sf.f_bfree > sf.f_blocks || sf.f_bavail != sf.f_bfree ||
		    sf.f_files != VMPKRAM_POOL_MAX_FILES ||
		    sf.f_ffree > sf.f_files) {
			fail(whom, "statfs: type %#lx bsize %ld blocks %llu bfree %llu bavail %llu files %llu ffree %llu",
			     (unsigned long)sf.f_type, (long)sf.f_bsize,
			     (unsigned long long)sf.f_blocks,
			     (unsigned long long)sf.f_bfree,
			     (unsigned long long)sf.f_bavail,
			     (unsigned long long)sf.f_files,
			     (unsigned long long)sf.f_ffree);
			break;
		}
		usleep(2000);
	}
	vmpkram_unref(ctx);
	return NULL;
}

/* While sealed, metadata changes must fail EROFS and change nothing. */
static void sealed_probes(const char *whom)
{
	struct stat st = { 0 };
	int fd;

	fd = openat(g.dirfd, PREFIX "sealprobe", O_CREAT | O_EXCL | O_RDWR |
		    O_CLOEXEC, 0600);
	if (fd >= 0 || errno != EROFS) {
		fail(whom, "create while sealed: %s, want EROFS",
		     fd >= 0 ? "created" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	if (!ftruncate(g.pf_fd, PF_SIZE / 2) || errno != EROFS ||
	    fstat(g.pf_fd, &st) || st.st_size != PF_SIZE)
		fail(whom, "ftruncate while sealed: %s, size now %lld, want EROFS",
		     strerror(errno), (long long)st.st_size);
	if (!renameat(g.dirfd, PREFIX "pf", g.dirfd, PREFIX "pf2") ||
	    errno != EROFS)
		fail(whom, "rename while sealed: %s, want EROFS",
		     strerror(errno));
}

void *seal_thread(void *arg)
{
	const char *whom = "sealer";
	uint64_t rng = rng_for(100);
	struct vmpkram_ctx *ctx;
	struct vmpkram_pool p;
	char *cmdline = NULL;
	long t0, ms;
	int ret;

	if (vmpkram_new(&ctx)) {
		fail(whom, "no libvmpkram context");
		return NULL;
	}
	while (!stopping()) {
		nap(100 + vt_rand(&rng, 300));
		if (stopping())
			break;
		__atomic_add_fetch(&g.seal_gen, 1, __ATOMIC_SEQ_CST);
		t0 = vt_now_ms();
		ret = vmpkram_pool_seal(ctx, POOL, &cmdline);
		ms = vt_now_ms() - t0;
		if (ms > g.seal_max_ms)
			g.seal_max_ms = ms;
		if (ret) {
			fail(whom, "seal: %s", vmpkram_last_error(ctx));
		} else {
			if (!strstr(cmdline, "vmpkram.pool=") ||
			    !strstr(cmdline, POOL ":"))
				fail(whom, "seal reply command line \"%s\"",
				     cmdline);
			free(cmdline);
			cmdline = NULL;
			count(C_SEALS, 1);
			/*
			 * Seal does not wait for blocks pinned by vmsplice (the
			 * pool is then recorded not clean), so scrub_pending
			 * may be non-zero here; the final check proves every
			 * free block is zero once the pins are gone.
			 */
			if (get_pool(ctx, whom, &p) &&
			    p.state != VMPKRAM_POOL_SEALED)
				fail(whom, "after seal: state %u (%llu bytes pending scrub)",
				     p.state,
				     (unsigned long long)p.scrub_pending);
			sealed_probes(whom);
			if (!vt_rand(&rng, 4) && vmpkram_pool_seal(ctx, POOL, NULL))
				fail(whom, "sealing again: %s",
				     vmpkram_last_error(ctx));
			nap(20 + vt_rand(&rng, 130));
		}
		ret = vmpkram_pool_unseal(ctx, POOL);
		if (!ret && !vt_rand(&rng, 4))
			ret = vmpkram_pool_unseal(ctx, POOL);
		if (ret)
			fail(whom, "unseal: %s", vmpkram_last_error(ctx));
		__atomic_add_fetch(&g.seal_gen, 1, __ATOMIC_SEQ_CST);
		if (ret)
			break;
	}
	vmpkram_unref(ctx);
	return NULL;
}
