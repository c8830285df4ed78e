/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmpkram selftests (vmpkram_test.c, linked into
 * every test): running as nobody, reading a number from sysfs, and
 * generic netlink without libnl.
 */
#ifndef _VMPKRAM_TEST_H
#define _VMPKRAM_TEST_H

#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY_UID	65534
#define NOBODY_GID	65534

/*
 * Run @fn in a child that has dropped to uid/gid nobody with no
 * capabilities (setuid from root to non-root clears them all), and return
 * what it returned: an errno value, 0 for success.  -1 if the child could
 * not be set up or died.
 */
int run_unprivileged(int (*fn)(void));

/* The number in a sysfs/procfs file, or -1. */
long read_long(const char *path);

/*
 * Seeded randomness: splitmix64.  vt_mix64() hashes a word (a good way to
 * derive a stream's seed from a run's seed and a stream number);
 * vt_rand64() is the next number of the stream whose state is *@s, and
 * vt_rand() one below @n (0 when @n is 0).  A seed replays its streams.
 */
uint64_t vt_mix64(uint64_t z);
uint64_t vt_rand64(uint64_t *s);
uint64_t vt_rand(uint64_t *s, uint64_t n);

/* CLOCK_MONOTONIC in milliseconds. */
long vt_now_ms(void);

/* The feature bits of the running module (GET_API), 0 if unknown. */
unsigned long long vt_module_features(void);

/*
 * The markers around an operation that makes a kernel without
 * VMPKRAM_FEATURE_PMD_WALK log "bad pmd" on purpose (MADV_COLD and
 * MADV_PAGEOUT over 2 MiB entries on 6.1): tools/vm/run-vm lets "bad pmd"
 * lines between them pass, and only those.  vt_kmsg_mark() logs one
 * through @fd (/dev/kmsg) at KERN_ERR, so that the console shows it too,
 * in one write(), one record (dprintf() gets EINVAL from /dev/kmsg);
 * whether it was written.
 */
#define VT_EXPECT_PMD_BEGIN	"vmpkram-expect: bad pmd begin"
#define VT_EXPECT_PMD_END	"vmpkram-expect: bad pmd end"
int vt_kmsg_mark(int fd, const char *marker);

/*
 * Generic netlink without libnl, for every test that talks to the family:
 * requests are built by hand (so malformed ones can be sent too), every
 * reply and error, with its extended ACK, is collected into a struct
 * tnl_result.
 *
 * It is one of two implementations of the requests, on purpose: libvmpkram
 * (libnl) is the other, and the tests check the kernel without trusting
 * the library.  The fuzzer builds its messages byte by byte and batches
 * them, and the pool stress test's dumper reads with a 4 KiB buffer to
 * split dumps: both send with their own code, and parse with this one.
 * A YNL spec (Documentation/netlink/specs, tools/net/ynl of linux-source
 * 6.12) would generate policies, the uAPI enums and a typed client, but
 * its kernel code assumes the kernel it comes with (split ops, 6.2+; we
 * build for 6.1 too), its typed client cannot send the malformed requests
 * the tests need, and the generator (python3-yaml, jsonschema) and its C
 * library would be new build dependencies: more added than removed.
 */
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/vmpkram.h>

#define TNL_BUF_SIZE	(64 * 1024)	/* above any datagram a dump sends */

struct tnl {
	int fd;
	__u16 family;
	__u32 version;		/* the family's, as the controller says */
	__u32 events_group;	/* multicast group id of "events" */
	__u32 seq;
};

/* One request being built. */
struct tnl_msg {
	union {
		struct nlmsghdr nlh;
		char buf[4096];
	};
};

/* What came back for one request. */
struct tnl_result {
	int error;		/* 0 or a positive errno */
	char msg[256];		/* extended-ACK message */
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
	int offs;		/* NLMSGERR_ATTR_OFFS, or -1 */
	int replies;		/* data messages received */
	struct nlmsghdr *reply;	/* the first one, NULL if none */
	struct nlattr *tb[VMPKRAM_A_MAX + 1];	/* its attributes */
};

/* Called for every data message of a reply or dump. */
typedef void (*tnl_cb)(struct nlattr **tb, void *arg);

#define tnl_for_each(pos, head, len, rem)				\
	for (pos = (struct nlattr *)(head), rem = (int)(len);		\
	     rem >= (int)NLA_HDRLEN && pos->nla_len >= NLA_HDRLEN &&	\
	     pos->nla_len <= rem;					\
	     rem -= NLA_ALIGN(pos->nla_len),				\
	     pos = (struct nlattr *)((char *)pos + NLA_ALIGN(pos->nla_len)))

static inline void *tnl_data(const struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static inline int tnl_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static inline __u32 tnl_u32(const struct nlattr *a)
{
	__u32 v = 0;

	memcpy(&v, tnl_data(a), tnl_len(a) < 4 ? tnl_len(a) : 4);
	return v;
}

static inline __u64 tnl_u64(const struct nlattr *a)
{
	__u64 v = 0;

	memcpy(&v, tnl_data(a), tnl_len(a) < 8 ? tnl_len(a) : 8);
	return v;
}

/* A string attribute; "" if it is not NUL terminated. */
static inline const char *tnl_str(const struct nlattr *a)
{
	const char *s = tnl_data(a);

	return tnl_len(a) > 0 && !s[tnl_len(a) - 1] ? s : "";
}

void tnl_parse(struct nlattr **tb, int max, void *head, int len);

/* Start a request: @type is the family id, @flags NLM_F_DUMP or 0. */
void tnl_msg_init(struct tnl_msg *m, __u16 type, __u16 flags,
		  __u8 cmd);

struct genlmsghdr *tnl_genlhdr(struct tnl_msg *m);

/* Append an attribute; aborts on overflow (requests are small). */
void tnl_put(struct tnl_msg *m, __u16 type, const void *data,
	     int len);

void tnl_put_u32(struct tnl_msg *m, __u16 type, __u32 v);

void tnl_put_u64(struct tnl_msg *m, __u16 type, __u64 v);

void tnl_put_str(struct tnl_msg *m, __u16 type, const char *s);

void tnl_result_clear(struct tnl_result *res);

/* The extended ACK after an error or a dump's DONE (payload at @tlv). */
void tnl_parse_ack(struct nlmsghdr *nlh, void *tlv,
		   struct tnl_result *res);

/* A data message: keep the first one, hand each to @cb. */
int tnl_take(struct nlmsghdr *nlh, tnl_cb cb, void *arg,
	     struct tnl_result *res);

/*
 * Send @m and collect the answer into @res: the error (0 on success) with
 * its extended ACK, and the data messages (@cb sees each, @res keeps the
 * first).  Returns 0, or a negative errno if the socket failed.
 */
int tnl_exec(struct tnl *nl, struct tnl_msg *m, tnl_cb cb,
	     void *arg, struct tnl_result *res);

/* Resolve the "vmpkram" family and its events group (loads the module). */
int tnl_resolve(struct tnl *nl);

void tnl_close(struct tnl *nl);

/* Open a socket with extended ACKs and resolve the family: 0 or -errno. */
int tnl_open(struct tnl *nl);

/* Join the "events" multicast group. */
int tnl_subscribe(struct tnl *nl);

/*
 * Wait up to @ms for the next event of command @cmd and hand it to @cb;
 * @cb returns true when it was the one wanted.  Returns true then.
 */
bool tnl_wait_event(struct tnl *nl, __u8 cmd, int ms,
		    bool (*cb)(struct nlattr **tb, void *arg),
		    void *arg);

/* Everything a pool reply or event says. */
struct tnl_pool {
	char name[VMPKRAM_POOL_NAME_MAX + 1];
	char reason[256];
	char cmdline[512];
	bool has_base;		/* replies have it, events must not */
	bool has_uuid;
	__u8 uuid[16];
	__u32 state, clean, block_size, nr_files, max_files, mounted, event;
	__u64 base, size, generation, seal_time, data_size, used, free;
	__u64 scrub_pending, largest_free, bad;
	__u32 layout;
};

/* An optional attribute's value, 0 when absent. */
static inline __u32 tnl_opt_u32(const struct nlattr *a)
{
	return a ? tnl_u32(a) : 0;
}

static inline __u64 tnl_opt_u64(const struct nlattr *a)
{
	return a ? tnl_u64(a) : 0;
}

void tnl_opt_str(char *buf, size_t len, const struct nlattr *a);

void tnl_pool_parse(struct nlattr **tb, struct tnl_pool *p);

/*
 * A pool command (@name may be NULL): the errno it ended with, 0 on
 * success with the reply in @p (may be NULL); -errno if the socket failed.
 */
int tnl_pool_cmd(struct tnl *nl, __u8 cmd, const char *name,
		 struct tnl_pool *p);

int tnl_pool_get(struct tnl *nl, const char *name,
		 struct tnl_pool *p);

/* One file of a GET_FILES dump, its extents merged over messages. */
/* A pool of 512 MiB has 256 blocks: enough for any file of the tests. */
#define TNL_MAX_EXTENTS	256

struct tnl_file {
	char name[VMPKRAMFS_NAME_MAX + 1];
	__u64 ino, size, mtime_ns;
	__u32 mode, uid, gid, flags;
	int nr_extents;
	struct { __u64 offset, phys, len; } ext[TNL_MAX_EXTENTS];
};

struct tnl_files {
	int nr;
	int bad;		/* messages that could not be parsed */
	struct tnl_file f[VMPKRAM_POOL_MAX_FILES + 1];
};

void tnl_files_cb(struct nlattr **tb, void *arg);

/* GET_FILES dump of pool @name into @fs: 0, a positive or -errno. */
int tnl_get_files(struct tnl *nl, const char *name,
		  struct tnl_files *fs);

struct tnl_file *tnl_find_file(struct tnl_files *fs,
			       const char *name);

/* Faults taken on vmpkramfs mappings since the module was loaded, by size. */
struct tnl_faults {
	__u64 pte, pmd, pud;
};

/*
 * GET_STATUS (any user): the fault counters in @f.  Returns 0, the errno
 * the command ended with, ENODATA when the module does not report them,
 * or -errno if the socket failed.
 */
int tnl_get_faults(struct tnl *nl, struct tnl_faults *f);

#endif /* _VMPKRAM_TEST_H */
