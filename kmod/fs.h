/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmpkramfs internals shared by fs_super.c, fs_inode.c and fs_file.c.
 */
#ifndef _VMPKRAM_FS_H
#define _VMPKRAM_FS_H

#include <linux/fs.h>

#include "pool.h"

#define VMPKRAM_ROOT_INO	1
#define VMPKRAM_NO_SLOT		U32_MAX	/* inode without a file table entry */

struct vmpkram_inode {
	struct inode vfs_inode;
	u32 slot;	/* file table entry, VMPKRAM_NO_SLOT for the root */
};

static inline struct vmpkram_inode *VMPKRAM_I(struct inode *inode)
{
	return container_of(inode, struct vmpkram_inode, vfs_inode);
}

static inline struct vmpkram_pool *VMPKRAM_POOL(struct inode *inode)
{
	return inode->i_sb->s_fs_info;
}

extern const struct inode_operations vmpkram_dir_iops;
extern const struct inode_operations vmpkram_file_iops;
extern const struct file_operations vmpkram_file_fops;
extern const struct address_space_operations vmpkram_file_aops;

/* fs_inode.c */
struct inode *vmpkram_iget(struct super_block *sb, u32 slot);
void vmpkram_sync_times(struct inode *inode);

/* fs_file.c */
int vmpkram_setsize(struct inode *inode, loff_t size);

#endif /* _VMPKRAM_FS_H */
