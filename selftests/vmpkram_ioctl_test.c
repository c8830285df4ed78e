// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/vmpkram ioctl contract (see the uAPI header): size handling,
 * flags and reserved fields, bad pointers, unknown commands, and that an
 * unprivileged process may use the device.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/vmpkram.h>

#include "kselftest_harness.h"
#include "vmpkram_test.h"

FIXTURE(dev) {
	int fd;
	long page;
};

FIXTURE_SETUP(dev)
{
	self->page = sysconf(_SC_PAGESIZE);
	self->fd = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/vmpkram: %s (module loaded?)",
				      strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

static int get_api(int fd, void *arg)
{
	return ioctl(fd, VMPKRAM_IOC_GET_API, arg) ? errno : 0;
}

TEST_F(dev, get_api_reports_module)
{
	struct vmpkram_api api = { .size = sizeof(api) };

	ASSERT_EQ(0, get_api(self->fd, &api));
	EXPECT_EQ(sizeof(api), api.size);
	EXPECT_EQ(VMPKRAM_API_VERSION, api.api_version);
	EXPECT_TRUE(api.features & VMPKRAM_FEATURE_NETLINK);
	EXPECT_EQ(VMPKRAM_WORKERS_LIMIT, api.workers_limit);
	EXPECT_LE(1, api.max_workers);
	EXPECT_GE(VMPKRAM_WORKERS_LIMIT, api.max_workers);
	EXPECT_EQ(0, api.flags);
	EXPECT_EQ(0, api.__reserved);
}

/* Output fields carry no meaning on input. */
TEST_F(dev, get_api_ignores_output_fields_on_input)
{
	struct vmpkram_api api;

	memset(&api, 0xa5, sizeof(api));
	api.size = sizeof(api);
	api.flags = 0;
	api.__reserved = 0;
	ASSERT_EQ(0, get_api(self->fd, &api));
	EXPECT_EQ(VMPKRAM_API_VERSION, api.api_version);
	EXPECT_EQ(VMPKRAM_WORKERS_LIMIT, api.workers_limit);
}

TEST_F(dev, unknown_ioctl_is_enotty)
{
	struct vmpkram_api api = { .size = sizeof(api) };

	EXPECT_EQ(ENOTTY, ioctl(self->fd, _IO(VMPKRAM_IOC_MAGIC, 0x7f), &api) ?
			  errno : 0);
	/* Right number, wrong magic: still unknown. */
	EXPECT_EQ(ENOTTY, ioctl(self->fd, _IO(VMPKRAM_IOC_MAGIC + 1, 0), &api) ?
			  errno : 0);
	/* The size belongs in the struct, not in the command number. */
	EXPECT_EQ(ENOTTY, ioctl(self->fd, _IOWR(VMPKRAM_IOC_MAGIC, 0,
						struct vmpkram_api), &api) ?
			  errno : 0);
}

TEST_F(dev, size_zero_is_einval)
{
	struct vmpkram_api api = { .size = 0 };

	EXPECT_EQ(EINVAL, get_api(self->fd, &api));
}

/* Anything shorter than the first version of the struct. */
TEST_F(dev, short_size_is_einval)
{
	struct vmpkram_api api = {
		.size = offsetof(struct vmpkram_api, workers_limit),
	};

	EXPECT_EQ(EINVAL, get_api(self->fd, &api));
	api.size = sizeof(__u32);
	EXPECT_EQ(EINVAL, get_api(self->fd, &api));
}

/* A newer caller's longer struct works when its extra bytes are zero. */
TEST_F(dev, long_size_zero_tail_is_accepted)
{
	struct {
		struct vmpkram_api api;
		__u64 future[4];
		__u64 canary;
	} big;

	memset(&big, 0, sizeof(big));
	big.api.size = offsetof(typeof(big), canary);
	big.canary = 0x5a5a5a5a5a5a5a5aULL;
	ASSERT_EQ(0, get_api(self->fd, &big));
	EXPECT_EQ(VMPKRAM_API_VERSION, big.api.api_version);
	/* Only the kernel's struct is written back; the tail stays. */
	EXPECT_EQ(0, big.future[0]);
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, big.canary);
}

/* A newer caller asking for something this kernel does not know. */
TEST_F(dev, long_size_nonzero_tail_is_e2big)
{
	struct {
		struct vmpkram_api api;
		__u64 future[4];
	} big;
	int i;

	for (i = 0; i < 4; i++) {
		memset(&big, 0, sizeof(big));
		big.api.size = sizeof(big);
		big.future[i] = 1ULL << (i * 13);
		EXPECT_EQ(E2BIG, get_api(self->fd, &big)) TH_LOG("word %d", i);
	}
}

TEST_F(dev, size_above_page_is_e2big)
{
	void *buf = calloc(2, self->page);

	ASSERT_NE(NULL, buf);
	*(__u32 *)buf = self->page + 1;
	EXPECT_EQ(E2BIG, get_api(self->fd, buf));
	*(__u32 *)buf = UINT32_MAX;
	EXPECT_EQ(E2BIG, get_api(self->fd, buf));
	/* Exactly a page of zeros past the struct is fine. */
	*(__u32 *)buf = self->page;
	EXPECT_EQ(0, get_api(self->fd, buf));
	free(buf);
}

TEST_F(dev, unknown_flags_are_einval)
{
	struct vmpkram_api api;
	int bit;

	for (bit = 0; bit < 32; bit++) {
		memset(&api, 0, sizeof(api));
		api.size = sizeof(api);
		api.flags = 1U << bit;
		EXPECT_EQ(EINVAL, get_api(self->fd, &api)) TH_LOG("bit %d", bit);
	}
}

TEST_F(dev, nonzero_reserved_is_einval)
{
	struct vmpkram_api api = { .size = sizeof(api), .__reserved = 1 };

	EXPECT_EQ(EINVAL, get_api(self->fd, &api));
	api.__reserved = 0x80000000;
	EXPECT_EQ(EINVAL, get_api(self->fd, &api));
}

TEST_F(dev, bad_pointers_are_efault)
{
	struct vmpkram_api *api;
	char *map;

	EXPECT_EQ(EFAULT, get_api(self->fd, NULL));
	EXPECT_EQ(EFAULT, get_api(self->fd, (void *)-4096L));

	/* Size readable, rest of the struct beyond the end of a mapping. */
	map = mmap(NULL, 2 * self->page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + self->page, self->page));
	api = (struct vmpkram_api *)(map + self->page - sizeof(__u32));
	api->size = sizeof(*api);
	EXPECT_EQ(EFAULT, get_api(self->fd, api));

	/* Readable but not writable: the copy back fails. */
	api = (struct vmpkram_api *)map;
	memset(api, 0, sizeof(*api));
	api->size = sizeof(*api);
	ASSERT_EQ(0, mprotect(map, self->page, PROT_READ));
	EXPECT_EQ(EFAULT, get_api(self->fd, api));
	munmap(map, self->page);
}

/* Every check above happens for an ioctl on a read-only open too. */
TEST_F(dev, readonly_open_works)
{
	struct vmpkram_api api = { .size = sizeof(api) };
	int fd = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, get_api(fd, &api));
	close(fd);
}

TEST(device_node_is_world_usable)
{
	struct stat st;

	ASSERT_EQ(0, stat("/dev/" VMPKRAM_DEVICE_NAME, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 0777);
}

static int unprivileged_get_api(void)
{
	struct vmpkram_api api = { .size = sizeof(api) };
	int fd = open("/dev/" VMPKRAM_DEVICE_NAME, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno;
	if (ioctl(fd, VMPKRAM_IOC_GET_API, &api))
		return errno;
	close(fd);
	return api.api_version == VMPKRAM_API_VERSION ? 0 : EPROTO;
}

TEST(unprivileged_user_can_query)
{
	ASSERT_EQ(0, getuid()) TH_LOG("runs as root and drops to nobody");
	EXPECT_EQ(0, run_unprivileged(unprivileged_get_api));
}

TEST_HARNESS_MAIN
