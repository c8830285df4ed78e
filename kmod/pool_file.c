// SPDX-License-Identifier: GPL-2.0
/*
 * File table operations on the shadow metadata.  Callers hold pool->lock,
 * have checked vmpkram_pool_writable() and commit afterwards, so each VFS
 * operation is one commit, all or nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/string.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/error-injection.h>

#include "pool.h"

u32 vmpkram_nr_files(struct vmpkram_pool *pool)
{
	u32 i, n = 0;

	for (i = 0; i < VMPKRAM_POOL_MAX_FILES; i++)
		if (pool->files[i].flags)
			n++;
	return n;
}

static void set_name(struct vmpkram_pool_file *f, const char *name,
		     unsigned int len)
{
	memset(f->name, 0, sizeof(f->name));
	memcpy(f->name, name, len);
	f->name_len = cpu_to_le16(len);
}

int vmpkram_file_create(struct vmpkram_pool *pool, const char *name,
			unsigned int len, umode_t mode, u32 uid, u32 gid,
			u32 *slot)
{
	struct vmpkram_pool_file *f;
	s64 now = ktime_get_real_ns();
	u32 i;

	if (len > VMPKRAMFS_NAME_MAX)
		return -ENAMETOOLONG;
	for (i = 0; i < VMPKRAM_POOL_MAX_FILES; i++)
		if (!pool->files[i].flags)
			break;
	if (i == VMPKRAM_POOL_MAX_FILES)
		return -ENOSPC;

	f = &pool->files[i];
	memset(f, 0, sizeof(*f));
	f->flags = cpu_to_le32(VMPKRAM_PF_USED);
	f->mode = cpu_to_le32(mode);
	f->uid = cpu_to_le32(uid);
	f->gid = cpu_to_le32(gid);
	f->ino = pool->meta.next_ino;
	le64_add_cpu(&pool->meta.next_ino, 1);
	f->mtime_ns = cpu_to_le64(now);
	f->ctime_ns = cpu_to_le64(now);
	set_name(f, name, len);
	vmpkram_file_changed(pool, i);
	*slot = i;
	return 0;
}
ALLOW_ERROR_INJECTION(vmpkram_file_create, ERRNO);

/*
 * The name goes, the blocks stay until vmpkram_file_release(): the file
 * may still be open or mapped.  If the system goes down first, the next
 * kernel frees the orphan.
 */
void vmpkram_file_unlink(struct vmpkram_pool *pool, u32 slot)
{
	struct vmpkram_pool_file *f = &pool->files[slot];

	f->flags |= cpu_to_le32(VMPKRAM_PF_ORPHAN);
	memset(f->name, 0, sizeof(f->name));
	f->name_len = 0;
	vmpkram_file_changed(pool, slot);
}

void vmpkram_file_release(struct vmpkram_pool *pool, u32 slot)
{
	vmpkram_file_free_blocks(pool, slot);
	memset(&pool->files[slot], 0, sizeof(pool->files[slot]));
	clear_bit(slot, pool->deferred);
	vmpkram_file_changed(pool, slot);
}

void vmpkram_release_deferred(struct vmpkram_pool *pool)
{
	u32 slot;

	for_each_set_bit(slot, pool->deferred, VMPKRAM_POOL_MAX_FILES)
		vmpkram_file_release(pool, slot);
}

void vmpkram_file_rename(struct vmpkram_pool *pool, u32 slot,
			 const char *name, unsigned int len)
{
	set_name(&pool->files[slot], name, len);
	vmpkram_file_changed(pool, slot);
}

void vmpkram_file_set_attr(struct vmpkram_pool *pool, u32 slot,
			   umode_t mode, u32 uid, u32 gid)
{
	struct vmpkram_pool_file *f = &pool->files[slot];

	f->mode = cpu_to_le32(mode);
	f->uid = cpu_to_le32(uid);
	f->gid = cpu_to_le32(gid);
	vmpkram_file_changed(pool, slot);
}

/* Times change on every write: persisted with the next commit. */
void vmpkram_file_set_times(struct vmpkram_pool *pool, u32 slot,
			    s64 mtime_ns, s64 ctime_ns)
{
	struct vmpkram_pool_file *f = &pool->files[slot];

	f->mtime_ns = cpu_to_le64(mtime_ns);
	f->ctime_ns = cpu_to_le64(ctime_ns);
	vmpkram_file_changed(pool, slot);
}
