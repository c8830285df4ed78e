// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding the pools' mounts in mountinfo: escapes, optional fields, a
 * pool mounted twice, a module that does not show pool=, and the choice
 * of the default pool.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mounts.h"
#include "tap.h"

static const char mountinfo[] =
	"22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
	"60 22 0:52 / /run/vmpkram rw,relatime shared:30 - vmpkramfs none rw,pool=vm\n"
	"61 22 0:53 / /srv/guest\\040ram rw,relatime shared:31 master:2 - vmpkramfs vm2 rw,pool=vm2,uid=1000,mode=770\n"
	"62 22 0:52 / /mnt/again rw,relatime - vmpkramfs none rw,pool=vm\n"
	"63 22 0:31 / /dev/shm rw,nosuid,nodev - tmpfs tmpfs rw\n";

static void test_parse(void)
{
	const struct pool_mount *pick;
	struct pool_mount *m;
	const char *why = "";
	size_t n = 0;
	FILE *f = fmemopen((void *)mountinfo, strlen(mountinfo), "r");
	int ret;

	ret = mounts_parse(f, &m, &n);
	fclose(f);
	tap_ok(ret == 0 && n == 2, "two pools mounted, the second mount of vm skipped (%zu)", n);
	tap_ok(n == 2 && !strcmp(m[0].dir, "/run/vmpkram") &&
	       !strcmp(m[0].pool, "vm"), "pool vm at /run/vmpkram");
	tap_ok(n == 2 && !strcmp(m[1].dir, "/srv/guest ram") &&
	       !strcmp(m[1].pool, "vm2"),
	       "pool vm2 found after two optional fields, its path unescaped");
	tap_ok(!mounts_pick(m, n, "vm2", &pick, &why) && pick == &m[1],
	       "--pool vm2 picks its mount");
	tap_ok(mounts_pick(m, n, "vm3", &pick, &why) == -ENOENT && !pick &&
	       strstr(why, "mount -t vmpkramfs"), "an unmounted pool: -ENOENT, says how");
	tap_ok(mounts_pick(m, n, NULL, &pick, &why) == -EMLINK &&
	       strstr(why, "--pool"), "no pool named with two mounted: -EMLINK, says --pool");
	tap_ok(!mounts_pick(m, 1, NULL, &pick, &why) && pick == &m[0],
	       "no pool named with one mounted: that one");
	tap_ok(mounts_pick(m, 0, NULL, &pick, &why) == -ENOENT,
	       "no pool named, none mounted: -ENOENT");
	free(m);
}

static void test_old_module(void)
{
	static const char old[] =
		"60 22 0:52 / /run/vmpkram rw,relatime shared:30 - vmpkramfs none rw\n";
	const struct pool_mount *pick;
	struct pool_mount *m;
	const char *why;
	size_t n;
	FILE *f = fmemopen((void *)old, strlen(old), "r");

	mounts_parse(f, &m, &n);
	fclose(f);
	tap_ok(n == 1 && !m[0].pool[0] && !mounts_pick(m, n, NULL, &pick, &why),
	       "a module without pool= in mountinfo: its only mount is still the default");
	tap_ok(mounts_pick(m, n, "vm", &pick, &why) == -ENOENT,
	       "... but cannot be found by pool name");
	free(m);
}

static void test_malformed(void)
{
	static const char bad[] = "60 22 0:52 / /x rw no-dash-here\n";
	struct pool_mount *m;
	size_t n;
	FILE *f = fmemopen((void *)bad, strlen(bad), "r");

	tap_ok(mounts_parse(f, &m, &n) == -EINVAL && !m,
	       "a line without the separator: -EINVAL");
	fclose(f);
}

int main(void)
{
	test_parse();
	test_old_module();
	test_malformed();
	return tap_exit();
}
