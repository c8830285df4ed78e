// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * GET_FILES: the file dump of a pool, with every file's physical extents.
 *
 * The extents are what an operator checks before a kexec (is guest RAM
 * where the pool says?), so they are validated as strictly as the rest:
 * in order, no overlap, no wrap, covering the file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "files.h"
#include "netlink.h"
#include "pool.h"
#include "private.h"
#include "status.h"

void vmpkram_files_init(struct vmpkram_files *f, vmpkram_file_fn cb,
			void *arg)
{
	memset(f, 0, sizeof(*f));
	f->cb = cb;
	f->arg = arg;
}

void vmpkram_files_release(struct vmpkram_files *f)
{
	free(f->ext);
	f->ext = NULL;
	f->cap = 0;
	f->pending = false;
}

/* The name, or none for an orphan: exactly one of the two. */
static int file_name(struct nlattr **tb, struct vmpkram_file *file,
		     char *why, size_t why_size)
{
	const char *attr = vmpkram_attr_name(VMPKRAM_A_FILE_NAME);
	int ret;

	if (file->flags & VMPKRAM_FILE_F_ORPHAN) {
		if (tb[VMPKRAM_A_FILE_NAME])
			return vmpkram_why(-EBADMSG, why, why_size,
					   "attribute %s in a deleted file",
					   attr);
		file->name[0] = '\0';
		return 0;
	}
	ret = vmpkram_attr_string(tb, VMPKRAM_A_FILE_NAME, file->name,
				  sizeof(file->name), why, why_size);
	if (!ret && strchr(file->name, '/'))
		return vmpkram_why(-EBADMSG, why, why_size,
				   "attribute %s \"%s\" contains '/'", attr,
				   file->name);
	return ret;
}

static int file_attrs(struct nlattr **tb, struct vmpkram_file *file,
		      char *why, size_t why_size)
{
	int ret;

	ret = vmpkram_attr_u64(tb, VMPKRAM_A_FILE_INO, 0, UINT64_MAX,
			       &file->ino, why, why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_FILE_FLAGS, 0, UINT32_MAX,
				       &file->flags, why, why_size);
	if (!ret)
		ret = file_name(tb, file, why, why_size);
	if (!ret)
		ret = vmpkram_attr_u64(tb, VMPKRAM_A_FILE_SIZE, 0,
				       VMPKRAM_POOL_MAX_SIZE, &file->file_size,
				       why, why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_FILE_MODE, 0, UINT32_MAX,
				       &file->mode, why, why_size);
	if (!ret && !S_ISREG(file->mode))
		return vmpkram_why(-ERANGE, why, why_size,
				   "attribute %s 0%o is not a regular file",
				   vmpkram_attr_name(VMPKRAM_A_FILE_MODE),
				   file->mode);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_FILE_UID, 0, UINT32_MAX,
				       &file->uid, why, why_size);
	if (!ret)
		ret = vmpkram_attr_u32(tb, VMPKRAM_A_FILE_GID, 0, UINT32_MAX,
				       &file->gid, why, why_size);
	if (!ret)
		ret = vmpkram_attr_u64(tb, VMPKRAM_A_FILE_MTIME_NS, 0,
				       UINT64_MAX, &file->mtime_ns, why,
				       why_size);
	return ret;
}

static int extent_parse(struct nlattr *nest, struct vmpkram_extent *e,
			char *why, size_t why_size)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	int ret;

	if (nla_type(nest) != VMPKRAM_A_EXTENT ||
	    nla_parse_nested(tb, VMPKRAM_A_MAX, nest, NULL) < 0)
		return vmpkram_why(-EBADMSG, why, why_size,
				   "malformed attribute %s",
				   vmpkram_attr_name(VMPKRAM_A_FILE_EXTENTS));
	ret = vmpkram_attr_u64(tb, VMPKRAM_A_EXTENT_LEN, 1, UINT64_MAX,
			       &e->len, why, why_size);
	/* The length is read first: it bounds where the extent may start. */
	if (!ret)
		ret = vmpkram_attr_u64(tb, VMPKRAM_A_EXTENT_OFFSET, 0,
				       UINT64_MAX - (e->len - 1), &e->offset,
				       why, why_size);
	if (!ret)
		ret = vmpkram_attr_u64(tb, VMPKRAM_A_EXTENT_PHYS, 0,
				       UINT64_MAX - (e->len - 1), &e->phys,
				       why, why_size);
	return ret;
}

static int extent_add(struct vmpkram_files *f, const struct vmpkram_extent *e,
		      char *why, size_t why_size)
{
	const struct vmpkram_extent *prev;
	struct vmpkram_extent *ext;
	size_t n = f->file.nr_extents;

	/* The parser made sure that offset + len does not wrap. */
	prev = n ? &f->ext[n - 1] : NULL;
	if (prev && e->offset < prev->offset + prev->len)
		return vmpkram_why(-EBADMSG, why, why_size,
				   "file ino %llu: extent at offset 0x%llx overlaps or precedes the one at 0x%llx",
				   (unsigned long long)f->file.ino,
				   (unsigned long long)e->offset,
				   (unsigned long long)prev->offset);
	if (n == f->cap) {
		ext = realloc(f->ext, (f->cap ? 2 * f->cap : 8) * sizeof(*ext));
		if (!ext)
			return vmpkram_why(-ENOMEM, why, why_size,
					   "out of memory");
		f->ext = ext;
		f->cap = f->cap ? 2 * f->cap : 8;
	}
	f->ext[n] = *e;
	f->file.nr_extents++;
	return 0;
}

static int extents_add(struct vmpkram_files *f, struct nlattr *nest,
		       char *why, size_t why_size)
{
	struct vmpkram_extent e;
	struct nlattr *a;
	int rem, ret;

	if (!nest)
		return 0;
	nla_for_each_nested(a, nest, rem) {
		/* 64-bit attributes may be preceded by alignment padding. */
		if (nla_type(a) == VMPKRAM_A_PAD)
			continue;
		ret = extent_parse(a, &e, why, why_size);
		if (!ret)
			ret = extent_add(f, &e, why, why_size);
		if (ret)
			return ret;
	}
	return 0;
}

/* Hands the pending file to the callback, after the last check. */
static int flush(struct vmpkram_files *f, char *why, size_t why_size)
{
	uint64_t covered = 0;
	size_t i;
	int ret;

	if (!f->pending)
		return 0;
	f->pending = false;
	for (i = 0; i < f->file.nr_extents; i++)
		covered += f->ext[i].len;
	if (covered < f->file.file_size)
		return vmpkram_why(-EBADMSG, why, why_size,
				   "file ino %llu: extents cover %llu of its %llu bytes",
				   (unsigned long long)f->file.ino,
				   (unsigned long long)covered,
				   (unsigned long long)f->file.file_size);
	f->file.extents = f->ext;
	f->count++;
	ret = f->cb ? f->cb(&f->file, f->arg) : 0;
	return ret < 0 ? ret : 0;
}

/* A message that continues the pending file: same inode, same name. */
static int is_continuation(struct vmpkram_files *f, struct nlattr **tb,
			   char *why, size_t why_size, int *cont)
{
	const struct nlattr *name = tb[VMPKRAM_A_FILE_NAME];
	int ret;
	uint64_t ino;

	*cont = 0;
	ret = vmpkram_attr_u64(tb, VMPKRAM_A_FILE_INO, 0, UINT64_MAX, &ino,
			       why, why_size);
	if (ret || !f->pending || ino != f->file.ino)
		return ret;
	if (name ? nla_len(name) != (int)strlen(f->file.name) + 1 ||
		   memcmp(nla_data(name), f->file.name, nla_len(name)) :
		   f->file.name[0])
		return vmpkram_why(-EBADMSG, why, why_size,
				   "file ino %llu continues under another name",
				   (unsigned long long)ino);
	*cont = 1;
	return 0;
}

int vmpkram_files_add(struct vmpkram_files *f, struct nlmsghdr *nlh,
		      char *why, size_t why_size)
{
	struct nlattr *tb[VMPKRAM_A_MAX + 1];
	int ret, cont;

	ret = vmpkram_genl_parse(nlh, VMPKRAM_CMD_GET_FILES, tb, why,
				 why_size);
	if (!ret)
		ret = is_continuation(f, tb, why, why_size, &cont);
	if (ret)
		return ret;
	if (!cont) {
		ret = flush(f, why, why_size);
		if (ret)
			return ret;
		memset(&f->file, 0, sizeof(f->file));
		f->file.size = sizeof(f->file);
		ret = file_attrs(tb, &f->file, why, why_size);
		if (ret)
			return ret;
		f->pending = true;
	}
	return extents_add(f, tb[VMPKRAM_A_FILE_EXTENTS], why, why_size);
}

int vmpkram_files_finish(struct vmpkram_files *f, char *why,
			 size_t why_size)
{
	return flush(f, why, why_size);
}

/* The collector's failures: bad data, no memory, or the callback's. */
static int files_fail(struct vmpkram_ctx *ctx, int ret, const char *why)
{
	if (ret == -ENOMEM)
		return vmpkram_fail(ctx, ret, "out of memory");
	if (why[0])
		return vmpkram_fail(ctx, ret, "bad file from the kernel: %s",
				    why);
	return vmpkram_fail(ctx, ret, "file callback failed: %s",
			    strerror(-ret));
}

static int files_reply(struct vmpkram_ctx *ctx, struct nl_msg *msg,
		       void *arg)
{
	char why[160] = "";
	int ret;

	ret = vmpkram_files_add(arg, nlmsg_hdr(msg), why, sizeof(why));
	return ret ? files_fail(ctx, ret, why) : 0;
}

static int files_error(struct vmpkram_ctx *ctx, int ret, const char *pool)
{
	/* The kernel's own explanation wins over a bare errno's. */
	if (strcmp(ctx->last_error, strerror(-ret)))
		return ret;
	if (ret == -ENODEV)
		return vmpkram_fail(ctx, ret,
			"no pool named %s is attached (vmpkramctl pool status lists them)",
			pool);
	if (ret == -EPERM)
		return vmpkram_fail(ctx, ret,
			"listing files needs CAP_SYS_ADMIN (extents name physical addresses)");
	if (ret == -EOPNOTSUPP)
		return vmpkram_fail(ctx, ret,
			"the loaded vmpkram module has no persistent pools (load a newer one)");
	return ret;
}

VMPKRAM_EXPORT int vmpkram_pool_files(struct vmpkram_ctx *ctx,
				      const char *pool,
				      int (*cb)(const struct vmpkram_file *file,
						void *arg),
				      void *arg)
{
	struct vmpkram_files f;
	struct nl_msg *msg;
	char why[160] = "";
	int ret;

	if (!pool || !vmpkram_pool_name_ok(pool))
		return vmpkram_fail(ctx, -EINVAL,
				    "invalid pool name \"%s\"",
				    pool ? pool : "(null)");
	ret = vmpkram_nl_dump_msg(ctx, VMPKRAM_CMD_GET_FILES, &msg);
	if (ret)
		return ret;
	if (nla_put_string(msg, VMPKRAM_A_POOL_NAME, pool)) {
		nlmsg_free(msg);
		return vmpkram_fail(ctx, -EMSGSIZE,
				    "cannot build a GET_FILES request");
	}
	vmpkram_files_init(&f, cb, arg);
	ret = vmpkram_nl_request(ctx, msg, files_reply, &f);
	if (ret) {
		ret = files_error(ctx, ret, pool);
	} else {
		ret = vmpkram_files_finish(&f, why, sizeof(why));
		if (ret)
			ret = files_fail(ctx, ret, why);
	}
	vmpkram_files_release(&f);
	return ret ? ret : f.count;
}
