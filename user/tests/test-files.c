// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GET_FILES dump with crafted messages: files with and without
 * extents, a file continued over several messages (merged into one),
 * orphans, and every rule of the extents and the file attributes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "files.h"
#include "crafted.h"
#include "tap.h"

#define MiB	(1ULL << 20)

struct spec {
	const char *name;	/* NULL: no name attribute */
	uint64_t ino, size;
	uint32_t mode, flags;
	int nr_ext;		/* -1: no extents nest */
	const struct vmpkram_extent *ext;
	int drop;		/* attribute left out, or -1 */
};

static int put_extents(struct nl_msg *msg, const struct spec *s)
{
	struct nlattr *nest, *e;
	int i;

	if (s->nr_ext < 0)
		return 0;
	nest = nla_nest_start(msg, VMPKRAM_A_FILE_EXTENTS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < s->nr_ext; i++) {
		e = nla_nest_start(msg, VMPKRAM_A_EXTENT);
		if (!e || nla_put_u64(msg, VMPKRAM_A_EXTENT_OFFSET,
				      s->ext[i].offset) ||
		    nla_put_u64(msg, VMPKRAM_A_EXTENT_PHYS, s->ext[i].phys) ||
		    nla_put_u64(msg, VMPKRAM_A_EXTENT_LEN, s->ext[i].len))
			return -EMSGSIZE;
		nla_nest_end(msg, e);
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* A dump message as the module sends it (the pool name included). */
static struct nl_msg *file_msg(const struct spec *s)
{
	const uint32_t uid = 1000, gid = 100;
	const uint64_t mtime = 1700000000123456789ULL;
	struct nl_msg *msg = nlmsg_alloc();
	int d = s->drop, bad = 0;

	if (!msg)
		return NULL;
	bad |= !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, FAMILY, 0, 0,
			    VMPKRAM_CMD_GET_FILES, 1);
	bad |= !bad && nla_put_string(msg, VMPKRAM_A_POOL_NAME, "test");
	if (s->name && d != VMPKRAM_A_FILE_NAME)
		bad |= nla_put_string(msg, VMPKRAM_A_FILE_NAME, s->name);
	if (d != VMPKRAM_A_FILE_INO)
		bad |= nla_put_u64(msg, VMPKRAM_A_FILE_INO, s->ino);
	if (d != VMPKRAM_A_FILE_SIZE)
		bad |= nla_put_u64(msg, VMPKRAM_A_FILE_SIZE, s->size);
	if (d != VMPKRAM_A_FILE_MODE)
		bad |= nla_put_u32(msg, VMPKRAM_A_FILE_MODE, s->mode);
	if (d != VMPKRAM_A_FILE_UID)
		bad |= nla_put_u32(msg, VMPKRAM_A_FILE_UID, uid);
	if (d != VMPKRAM_A_FILE_GID)
		bad |= nla_put_u32(msg, VMPKRAM_A_FILE_GID, gid);
	if (d != VMPKRAM_A_FILE_MTIME_NS)
		bad |= nla_put_u64(msg, VMPKRAM_A_FILE_MTIME_NS, mtime);
	if (d != VMPKRAM_A_FILE_FLAGS)
		bad |= nla_put_u32(msg, VMPKRAM_A_FILE_FLAGS, s->flags);
	bad |= put_extents(msg, s);
	if (bad) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* What the callback saw, extents copied. */
struct seen {
	int n;
	struct vmpkram_file file[4];
	struct vmpkram_extent ext[4][8];
	int stop;		/* return this from the callback */
};

static int collect(const struct vmpkram_file *f, void *arg)
{
	struct seen *s = arg;
	uint32_t n = f->nr_extents < 8 ? f->nr_extents : 8;

	if (s->n < 4) {
		s->file[s->n] = *f;
		memcpy(s->ext[s->n], f->extents, n * sizeof(*f->extents));
	}
	s->n++;
	return s->stop;
}

/* Feeds @n messages and finishes; returns the first error. */
static int feed(const struct spec *specs, int n, struct seen *seen,
		char *why, size_t why_size)
{
	struct vmpkram_files f;
	struct nl_msg *msg;
	int i, ret = 0;

	vmpkram_files_init(&f, collect, seen);
	for (i = 0; !ret && i < n; i++) {
		msg = file_msg(&specs[i]);
		if (!msg) {
			ret = -ENOMEM;
			break;
		}
		ret = vmpkram_files_add(&f, nlmsg_hdr(msg), why, why_size);
		nlmsg_free(msg);
	}
	if (!ret)
		ret = vmpkram_files_finish(&f, why, why_size);
	if (!ret && f.count != seen->n)
		ret = -EPROTO;
	vmpkram_files_release(&f);
	return ret;
}

static const struct vmpkram_extent ext_a[] = {
	{ 0, 0x40400000, 4 * MiB },
	{ 4 * MiB, 0x41000000, 2 * MiB },
};
static const struct vmpkram_extent ext_b[] = {
	{ 6 * MiB, 0x42000000, 2 * MiB },
	{ 8 * MiB, 0x43000000, 2 * MiB },
};

#define REG	(S_IFREG | 0644)

static void test_simple(void)
{
	const struct spec specs[] = {
		{ "vm1-ram", 12, 5 * MiB + 1, REG, 0, 2, ext_a, -1 },
		{ "empty", 13, 0, REG, 0, 0, NULL, -1 },
		{ "no-nest", 14, 0, S_IFREG | 0600, 0, -1, NULL, -1 },
	};
	struct seen s = { 0 };
	char why[160] = "";
	int ret = feed(specs, 3, &s, why, sizeof(why));

	tap_ok(!ret && s.n == 3, "three files from three messages (%s)", why);
	tap_ok(s.file[0].size == sizeof(s.file[0]) &&
	       !strcmp(s.file[0].name, "vm1-ram") && s.file[0].ino == 12 &&
	       s.file[0].file_size == 5 * MiB + 1 && s.file[0].mode == REG &&
	       s.file[0].uid == 1000 && s.file[0].gid == 100 &&
	       s.file[0].mtime_ns == 1700000000123456789ULL &&
	       s.file[0].flags == 0 && s.file[0].nr_extents == 2 &&
	       s.ext[0][1].phys == 0x41000000 && s.ext[0][1].len == 2 * MiB,
	       "every field of the first file, and its extents");
	tap_ok(s.file[1].nr_extents == 0 && s.file[2].nr_extents == 0 &&
	       !strcmp(s.file[2].name, "no-nest"),
	       "an empty file: with an empty nest or none");
}

static void test_continued(void)
{
	const struct spec specs[] = {
		{ "big", 20, 10 * MiB, REG, 0, 2, ext_a, -1 },
		{ "big", 20, 10 * MiB, REG, 0, 2, ext_b, -1 },
		{ NULL, 21, 2 * MiB, REG, VMPKRAM_FILE_F_ORPHAN, 1, ext_b, -1 },
		{ NULL, 21, 4 * MiB, REG, VMPKRAM_FILE_F_ORPHAN, 1, ext_b + 1,
		  -1 },
	};
	struct seen s = { 0 };
	char why[160] = "";
	int ret = feed(specs, 4, &s, why, sizeof(why));

	tap_ok(!ret && s.n == 2, "a file over two messages is one file (%s)",
	       why);
	tap_ok(s.file[0].nr_extents == 4 && s.ext[0][3].offset == 8 * MiB &&
	       s.ext[0][2].phys == 0x42000000,
	       "its extents are merged in order");
	tap_ok(s.file[1].name[0] == '\0' &&
	       s.file[1].flags == VMPKRAM_FILE_F_ORPHAN &&
	       s.file[1].nr_extents == 2 && s.file[1].file_size == 2 * MiB,
	       "a continued orphan keeps the first message's attributes");
}

static void expect_bad(const char *name, const struct spec *specs, int n,
		       int error, const char *has)
{
	struct seen s = { 0 };
	char why[160] = "";
	int ret = feed(specs, n, &s, why, sizeof(why));

	tap_ok(ret == error && (!has || strstr(why, has)), "%s: %d (%s)",
	       name, ret, why);
}

static void test_bad_files(void)
{
	static const int required[] = {
		VMPKRAM_A_FILE_NAME, VMPKRAM_A_FILE_INO, VMPKRAM_A_FILE_SIZE,
		VMPKRAM_A_FILE_MODE, VMPKRAM_A_FILE_UID, VMPKRAM_A_FILE_GID,
		VMPKRAM_A_FILE_MTIME_NS, VMPKRAM_A_FILE_FLAGS,
	};
	struct spec one = { "f", 1, 0, REG, 0, 0, NULL, -1 };
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		one.drop = required[i];
		snprintf(name, sizeof(name), "file without attribute %d",
			 required[i]);
		expect_bad(name, &one, 1, -ENODATA, "missing");
	}
	one = (struct spec){ "f", 1, 0, S_IFDIR | 0755, 0, 0, NULL, -1 };
	expect_bad("a directory", &one, 1, -ERANGE, "regular");
	one = (struct spec){ "a/b", 1, 0, REG, 0, 0, NULL, -1 };
	expect_bad("a name with '/'", &one, 1, -EBADMSG, "'/'");
	one = (struct spec){ "", 1, 0, REG, 0, 0, NULL, -1 };
	expect_bad("an empty name", &one, 1, -ERANGE, NULL);
	one = (struct spec){ "x", 1, 0, REG, VMPKRAM_FILE_F_ORPHAN, 0, NULL,
			     -1 };
	expect_bad("an orphan with a name", &one, 1, -EBADMSG, "deleted");
	one = (struct spec){ "x", 1, 8 * MiB, REG, 0, 2, ext_a, -1 };
	expect_bad("extents shorter than the file", &one, 1, -EBADMSG,
		   "cover");
}

static void test_bad_extents(void)
{
	static const struct vmpkram_extent overlap[] = {
		{ 0, 0x40000000, 4 * MiB }, { 2 * MiB, 0x50000000, 2 * MiB },
	};
	static const struct vmpkram_extent back[] = {
		{ 4 * MiB, 0x40000000, 2 * MiB }, { 0, 0x50000000, 2 * MiB },
	};
	static const struct vmpkram_extent empty[] = { { 0, 0x40000000, 0 } };
	static const struct vmpkram_extent wrap[] = {
		{ 0, 0xffffffffffe00000ULL, 4 * MiB },
	};
	const struct spec cont[] = {
		{ "a", 5, 0, REG, 0, 1, ext_b, -1 },
		{ "a", 5, 0, REG, 0, 1, ext_a, -1 },
	};
	const struct spec renamed[] = {
		{ "a", 5, 0, REG, 0, 0, NULL, -1 },
		{ "b", 5, 0, REG, 0, 0, NULL, -1 },
	};
	struct spec one = { "f", 1, 0, REG, 0, 2, overlap, -1 };

	expect_bad("overlapping extents", &one, 1, -EBADMSG, "overlaps");
	one.ext = back;
	expect_bad("extents out of order", &one, 1, -EBADMSG, "precedes");
	one.ext = empty;
	one.nr_ext = 1;
	expect_bad("an empty extent", &one, 1, -ERANGE, "extent-len");
	one.ext = wrap;
	expect_bad("an extent wrapping past 2^64", &one, 1, -ERANGE,
		   "extent-phys");
	expect_bad("a continuation going backwards", cont, 2, -EBADMSG,
		   "precedes");
	expect_bad("a continuation under another name", renamed, 2, -EBADMSG,
		   "another name");
}

static void test_callback(void)
{
	const struct spec specs[] = {
		{ "a", 1, 0, REG, 0, 0, NULL, -1 },
		{ "b", 2, 0, REG, 0, 0, NULL, -1 },
	};
	struct seen s = { .stop = -ECANCELED };
	char why[160] = "";

	tap_ok(feed(specs, 2, &s, why, sizeof(why)) == -ECANCELED && s.n == 1,
	       "a callback's error stops the walk and is returned");
}

static void test_other_message(void)
{
	static const uint32_t u = 1;
	const struct attr a = { VMPKRAM_A_FILE_INO, &u, 4 };
	struct nl_msg *msg = crafted_msg(VMPKRAM_CMD_GET_JOBS, &a, 1, -1,
					 NULL, 0);
	struct vmpkram_files f;
	char why[160] = "";

	if (!tap_ok(msg != NULL, "other message: build"))
		return;
	vmpkram_files_init(&f, NULL, NULL);
	tap_ok(vmpkram_files_add(&f, nlmsg_hdr(msg), why, sizeof(why)) ==
	       -EBADMSG, "a message of another command is -EBADMSG (%s)", why);
	vmpkram_files_release(&f);
	nlmsg_free(msg);
}

int main(void)
{
	test_simple();
	test_continued();
	test_bad_files();
	test_bad_extents();
	test_callback();
	test_other_message();
	return tap_exit();
}
