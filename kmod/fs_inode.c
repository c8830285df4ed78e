// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkramfs inodes: the flat root directory and its regular files.
 *
 * Every namespace or attribute change is written to the pool's shadow
 * metadata and committed before the VFS sees it succeed, so what a caller
 * was told happened survives kexec.  The dcache is the directory (as in
 * ramfs): each file's dentry is pinned until unlink or unmount.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/time64.h>

#include "compat.h"
#include "fs.h"

static struct timespec64 ns_to_ts(__le64 ns)
{
	return ns_to_timespec64((s64)le64_to_cpu(ns));
}

/* A new in-memory inode for file table entry @slot.  pool->lock held. */
struct inode *vmpkram_iget(struct super_block *sb, u32 slot)
{
	struct vmpkram_pool *pool = sb->s_fs_info;
	struct vmpkram_pool_file *f = &pool->files[slot];
	struct inode *inode;

	inode = new_inode(sb);
	if (!inode)
		return NULL;
	VMPKRAM_I(inode)->slot = slot;
	inode->i_ino = le64_to_cpu(f->ino);
	inode->i_mode = le32_to_cpu(f->mode);
	inode->i_uid = make_kuid(&init_user_ns, le32_to_cpu(f->uid));
	inode->i_gid = make_kgid(&init_user_ns, le32_to_cpu(f->gid));
	inode->i_size = le64_to_cpu(f->size);
	inode->i_blocks = (blkcnt_t)vmpkram_file_allocated(pool, slot) <<
			  (VMPKRAM_BLOCK_SHIFT - 9);	/* as blocks_of() */
	vmpkram_inode_set_mtime(inode, ns_to_ts(f->mtime_ns));
	vmpkram_inode_set_atime(inode, ns_to_ts(f->mtime_ns));
	inode_set_ctime_to_ts(inode, ns_to_ts(f->ctime_ns));
	inode->i_op = &vmpkram_file_iops;
	inode->i_fop = &vmpkram_file_fops;
	inode->i_mapping->a_ops = &vmpkram_file_aops;
	inode->i_flags |= S_DAX;	/* see vmpkram_mmap() */
	return inode;
}

/* Copies the inode's times into the shadow; the next commit keeps them. */
void vmpkram_sync_times(struct inode *inode)
{
	struct vmpkram_pool *pool = VMPKRAM_POOL(inode);
	struct timespec64 mtime = vmpkram_inode_mtime(inode);
	struct timespec64 ctime = inode_get_ctime(inode);

	lockdep_assert_held(&pool->lock);
	vmpkram_file_set_times(pool, VMPKRAM_I(inode)->slot,
			       timespec64_to_ns(&mtime), timespec64_to_ns(&ctime));
}

static int vmpkram_create(struct vmpkram_idmap *idmap, struct inode *dir,
			  struct dentry *dentry, umode_t mode, bool excl)
{
	struct vmpkram_pool *pool = VMPKRAM_POOL(dir);
	struct inode *inode;
	u32 slot;
	int ret;

	inode = new_inode(dir->i_sb);
	if (!inode)
		return -ENOMEM;
	VMPKRAM_I(inode)->slot = VMPKRAM_NO_SLOT;
	inode_init_owner(idmap, inode, dir, S_IFREG | (mode & 07777));

	mutex_lock(&pool->lock);
	ret = vmpkram_pool_writable(pool);
	if (!ret)
		ret = vmpkram_file_create(pool, dentry->d_name.name,
					  dentry->d_name.len, inode->i_mode,
					  from_kuid(&init_user_ns, inode->i_uid),
					  from_kgid(&init_user_ns, inode->i_gid),
					  &slot);
	if (!ret) {
		vmpkram_meta_commit(pool);
		VMPKRAM_I(inode)->slot = slot;
		inode->i_ino = le64_to_cpu(pool->files[slot].ino);
	}
	mutex_unlock(&pool->lock);
	if (ret) {
		iput(inode);
		return ret;
	}

	inode->i_op = &vmpkram_file_iops;
	inode->i_fop = &vmpkram_file_fops;
	inode->i_mapping->a_ops = &vmpkram_file_aops;
	inode->i_flags |= S_DAX;
	vmpkram_inode_set_mtime(inode, inode_set_ctime_current(inode));
	vmpkram_inode_set_atime(inode, vmpkram_inode_mtime(inode));
	vmpkram_inode_set_mtime(dir, inode_set_ctime_current(dir));
	d_instantiate(dentry, inode);
	dget(dentry);	/* pinned: the dcache is the directory */
	return 0;
}

static int vmpkram_unlink(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	struct vmpkram_pool *pool = VMPKRAM_POOL(dir);
	int ret;

	mutex_lock(&pool->lock);
	ret = vmpkram_pool_writable(pool);
	if (!ret) {
		vmpkram_file_unlink(pool, VMPKRAM_I(inode)->slot);
		vmpkram_meta_commit(pool);
	}
	mutex_unlock(&pool->lock);
	return ret ?: simple_unlink(dir, dentry);
}

static int vmpkram_rename(struct vmpkram_idmap *idmap, struct inode *old_dir,
			  struct dentry *old_dentry, struct inode *new_dir,
			  struct dentry *new_dentry, unsigned int flags)
{
	struct vmpkram_pool *pool = VMPKRAM_POOL(old_dir);
	struct inode *victim = d_inode(new_dentry);
	int ret;

	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;

	mutex_lock(&pool->lock);
	ret = vmpkram_pool_writable(pool);
	if (!ret) {
		if (victim)
			vmpkram_file_unlink(pool, VMPKRAM_I(victim)->slot);
		vmpkram_file_rename(pool, VMPKRAM_I(d_inode(old_dentry))->slot,
				    new_dentry->d_name.name,
				    new_dentry->d_name.len);
		vmpkram_meta_commit(pool);
	}
	mutex_unlock(&pool->lock);
	return ret ?: simple_rename(idmap, old_dir, old_dentry, new_dir,
				    new_dentry, flags);
}

static int vmpkram_setattr(struct vmpkram_idmap *idmap, struct dentry *dentry,
			   struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	struct vmpkram_pool *pool = VMPKRAM_POOL(inode);
	bool resized = false;
	int ret;

	ret = setattr_prepare(idmap, dentry, attr);
	if (ret)
		return ret;
	if ((attr->ia_valid & ATTR_SIZE) && attr->ia_size != i_size_read(inode)) {
		ret = vmpkram_setsize(inode, attr->ia_size);
		if (ret)
			return ret;
		resized = true;
	}

	mutex_lock(&pool->lock);
	ret = vmpkram_pool_writable(pool);
	/*
	 * Sealed right after the size change was committed: the truncate
	 * happened; only its times stay in the shadow until unseal.
	 */
	if (ret && resized && !(attr->ia_valid & (ATTR_MODE | ATTR_UID | ATTR_GID))) {
		setattr_copy(idmap, inode, attr);
		vmpkram_sync_times(inode);
		ret = 0;
	} else if (!ret) {
		setattr_copy(idmap, inode, attr);
		vmpkram_file_set_attr(pool, VMPKRAM_I(inode)->slot, inode->i_mode,
				      from_kuid(&init_user_ns, inode->i_uid),
				      from_kgid(&init_user_ns, inode->i_gid));
		vmpkram_sync_times(inode);
		vmpkram_meta_commit(pool);
	}
	mutex_unlock(&pool->lock);
	return ret;
}

/*
 * No mkdir, mknod, symlink or link: a flat directory of regular files is
 * what guest RAM and device state need, and what the file table stores.
 */
const struct inode_operations vmpkram_dir_iops = {
	.create = vmpkram_create,
	.lookup = simple_lookup,
	.unlink = vmpkram_unlink,
	.rename = vmpkram_rename,
	.setattr = simple_setattr,
};

const struct inode_operations vmpkram_file_iops = {
	.setattr = vmpkram_setattr,
};
