// SPDX-License-Identifier: GPL-2.0
/*
 * The vmpkramfs filesystem type: mount options, superblock, and the
 * lifetime rules that tie a mount to its pool.
 *
 * A pool has at most one superblock (get_tree_keyed on the pool), which
 * marks it busy: format and detach refuse while it exists, and the module
 * cannot be unloaded because the superblock holds a reference on it.  A
 * file that is still mapped keeps the mount busy, so its pool memory can
 * never be freed under a mapping.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/error-injection.h>

#include "compat.h"
#include "fs.h"

struct vmpkram_fs_opts {
	char *pool;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
};

enum { OPT_POOL, OPT_UID, OPT_GID, OPT_MODE };

static const struct fs_parameter_spec vmpkram_fs_params[] = {
	fsparam_string("pool", OPT_POOL),
	fsparam_u32("uid", OPT_UID),
	fsparam_u32("gid", OPT_GID),
	fsparam_u32oct("mode", OPT_MODE),
	{}
};

static struct kmem_cache *vmpkram_inode_cache;

static struct inode *vmpkram_alloc_inode(struct super_block *sb)
{
	struct vmpkram_inode *vi;

	vi = alloc_inode_sb(sb, vmpkram_inode_cache, GFP_KERNEL);
	if (!vi)
		return NULL;
	vi->slot = VMPKRAM_NO_SLOT;
	return &vi->vfs_inode;
}

static void vmpkram_free_inode(struct inode *inode)
{
	kmem_cache_free(vmpkram_inode_cache, VMPKRAM_I(inode));
}

/*
 * The last reference to a file is gone.  An unlinked file's blocks return
 * to the pool now, unless metadata is frozen: then the orphan stays in the
 * pool and unseal (or the next kernel) frees it.
 */
static void vmpkram_evict_inode(struct inode *inode)
{
	struct vmpkram_pool *pool = VMPKRAM_POOL(inode);
	u32 slot = VMPKRAM_I(inode)->slot;

	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (slot == VMPKRAM_NO_SLOT)
		return;

	mutex_lock(&pool->lock);
	if (inode->i_nlink) {
		vmpkram_sync_times(inode);
	} else if (vmpkram_pool_writable(pool)) {
		set_bit(slot, pool->deferred);
	} else {
		vmpkram_file_release(pool, slot);
		vmpkram_meta_commit(pool);
	}
	mutex_unlock(&pool->lock);
}

static int vmpkram_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct vmpkram_pool *pool = dentry->d_sb->s_fs_info;

	mutex_lock(&pool->lock);
	buf->f_type = VMPKRAMFS_MAGIC;
	buf->f_bsize = VMPKRAM_BLOCK_SIZE;
	buf->f_frsize = VMPKRAM_BLOCK_SIZE;
	buf->f_blocks = pool->nr_blocks - pool->meta_blocks;
	buf->f_bfree = pool->nr_clean + pool->nr_dirty + pool->nr_scrubbing;
	buf->f_bavail = buf->f_bfree;
	buf->f_files = VMPKRAM_POOL_MAX_FILES;
	buf->f_ffree = VMPKRAM_POOL_MAX_FILES - vmpkram_nr_files(pool);
	buf->f_namelen = VMPKRAMFS_NAME_MAX;
	mutex_unlock(&pool->lock);
	return 0;
}

static int vmpkram_sync_fs(struct super_block *sb, int wait)
{
	struct vmpkram_pool *pool = sb->s_fs_info;

	mutex_lock(&pool->lock);
	vmpkram_meta_commit_pending(pool);
	mutex_unlock(&pool->lock);
	return 0;
}

/*
 * pool= first, so that /proc/self/mountinfo tells which pool a mount
 * serves (vmpkram-qemu finds a pool's directory that way); uid, gid and
 * mode when they differ from the defaults.
 */
static int vmpkram_show_options(struct seq_file *m, struct dentry *root)
{
	struct vmpkram_pool *pool = root->d_sb->s_fs_info;
	struct inode *inode = d_inode(root);

	seq_show_option(m, "pool", pool->name);
	if (!uid_eq(inode->i_uid, GLOBAL_ROOT_UID))
		seq_printf(m, ",uid=%u",
			   from_kuid_munged(&init_user_ns, inode->i_uid));
	if (!gid_eq(inode->i_gid, GLOBAL_ROOT_GID))
		seq_printf(m, ",gid=%u",
			   from_kgid_munged(&init_user_ns, inode->i_gid));
	if ((inode->i_mode & 07777) != 0755)
		seq_printf(m, ",mode=%o", inode->i_mode & 07777);
	return 0;
}

static const struct super_operations vmpkram_sops = {
	.alloc_inode = vmpkram_alloc_inode,
	.free_inode = vmpkram_free_inode,
	.evict_inode = vmpkram_evict_inode,
	.drop_inode = generic_delete_inode,
	.statfs = vmpkram_statfs,
	.sync_fs = vmpkram_sync_fs,
	.show_options = vmpkram_show_options,
};

static struct inode *make_root(struct super_block *sb,
			       const struct vmpkram_fs_opts *opts)
{
	struct inode *root = new_inode(sb);

	if (!root)
		return NULL;
	root->i_ino = VMPKRAM_ROOT_INO;
	root->i_mode = S_IFDIR | opts->mode;
	root->i_uid = opts->uid;
	root->i_gid = opts->gid;
	root->i_op = &vmpkram_dir_iops;
	root->i_fop = &simple_dir_operations;
	vmpkram_inode_set_mtime(root, inode_set_ctime_current(root));
	vmpkram_inode_set_atime(root, vmpkram_inode_mtime(root));
	set_nlink(root, 2);
	return root;
}

/* One pinned dentry per file in the pool.  pool->lock held. */
static noinline int vmpkram_add_files(struct super_block *sb)
{
	struct vmpkram_pool *pool = sb->s_fs_info;
	char name[VMPKRAMFS_NAME_MAX + 1];
	struct vmpkram_pool_file *f;
	struct dentry *dentry;
	struct inode *inode;
	u32 slot;

	for (slot = 0; slot < VMPKRAM_POOL_MAX_FILES; slot++) {
		f = &pool->files[slot];
		if ((le32_to_cpu(f->flags) & (VMPKRAM_PF_USED | VMPKRAM_PF_ORPHAN)) !=
		    VMPKRAM_PF_USED)
			continue;
		memcpy(name, f->name, le16_to_cpu(f->name_len));
		name[le16_to_cpu(f->name_len)] = '\0';
		inode = vmpkram_iget(sb, slot);
		if (!inode)
			return -ENOMEM;
		dentry = d_alloc_name(sb->s_root, name);
		if (!dentry) {
			VMPKRAM_I(inode)->slot = VMPKRAM_NO_SLOT;
			iput(inode);
			return -ENOMEM;
		}
		d_add(dentry, inode);
	}
	return 0;
}
ALLOW_ERROR_INJECTION(vmpkram_add_files, ERRNO);

static const char *const state_names[] = {
	[VMPKRAM_POOL_UNFORMATTED] = "unformatted",
	[VMPKRAM_POOL_DAMAGED] = "damaged",
	[VMPKRAM_POOL_READY] = "ready",
	[VMPKRAM_POOL_SEALED] = "sealed",
};

static int vmpkram_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct vmpkram_fs_opts *opts = fc->fs_private;
	struct vmpkram_pool *pool = sb->s_fs_info;
	struct inode *root;
	int ret;

	sb->s_maxbytes = vmpkram_data_size(pool);
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_magic = VMPKRAMFS_MAGIC;
	sb->s_op = &vmpkram_sops;
	sb->s_time_gran = 1;

	root = make_root(sb, opts);
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;

	mutex_lock(&pool->lock);
	if (pool->state != VMPKRAM_POOL_READY &&
	    pool->state != VMPKRAM_POOL_SEALED) {
		ret = -EUCLEAN;
		errorfc(fc, "pool %s is %s: %s", pool->name,
			state_names[pool->state], pool->reason);
	} else {
		pool->sb = sb;
		ret = vmpkram_add_files(sb);
	}
	mutex_unlock(&pool->lock);
	return ret;
}

static int vmpkram_get_tree(struct fs_context *fc)
{
	struct vmpkram_fs_opts *opts = fc->fs_private;
	struct vmpkram_pool *pool;
	int ret;

	if (!opts->pool)
		return invalfc(fc, "missing option pool=NAME");

	/* Held across the mount: no detach between lookup and pool->sb. */
	mutex_lock(&vmpkram_pools_lock);
	pool = vmpkram_pool_find(opts->pool);
	if (pool) {
		ret = get_tree_keyed(fc, vmpkram_fill_super, pool);
	} else {
		errorfc(fc, "no pool named %s (see vmpkramctl pool status)", opts->pool);
		ret = -ENODEV;
	}
	mutex_unlock(&vmpkram_pools_lock);
	return ret;
}

static int vmpkram_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct vmpkram_fs_opts *opts = fc->fs_private;
	struct fs_parse_result result;
	int opt;

	opt = fs_parse(fc, vmpkram_fs_params, param, &result);
	if (opt < 0)
		return opt;
	switch (opt) {
	case OPT_POOL:
		kfree(opts->pool);
		opts->pool = param->string;
		param->string = NULL;
		break;
	case OPT_UID:
		opts->uid = make_kuid(current_user_ns(), result.uint_32);
		if (!uid_valid(opts->uid))
			return invalfc(fc, "uid %u is not mapped", result.uint_32);
		break;
	case OPT_GID:
		opts->gid = make_kgid(current_user_ns(), result.uint_32);
		if (!gid_valid(opts->gid))
			return invalfc(fc, "gid %u is not mapped", result.uint_32);
		break;
	case OPT_MODE:
		opts->mode = result.uint_32 & 07777;
		break;
	}
	return 0;
}

static void vmpkram_free_fc(struct fs_context *fc)
{
	struct vmpkram_fs_opts *opts = fc->fs_private;

	if (opts)
		kfree(opts->pool);
	kfree(opts);
}

static const struct fs_context_operations vmpkram_fc_ops = {
	.parse_param = vmpkram_parse_param,
	.get_tree = vmpkram_get_tree,
	.free = vmpkram_free_fc,
};

static int vmpkram_init_fs_context(struct fs_context *fc)
{
	struct vmpkram_fs_opts *opts;

	opts = kzalloc(sizeof(*opts), GFP_KERNEL);
	if (!opts)
		return -ENOMEM;
	opts->uid = GLOBAL_ROOT_UID;
	opts->gid = GLOBAL_ROOT_GID;
	opts->mode = 0755;
	fc->fs_private = opts;
	fc->ops = &vmpkram_fc_ops;
	return 0;
}

static void vmpkram_kill_sb(struct super_block *sb)
{
	struct vmpkram_pool *pool = sb->s_fs_info;

	kill_litter_super(sb);
	mutex_lock(&pool->lock);
	if (pool->sb == sb)
		pool->sb = NULL;
	vmpkram_meta_commit_pending(pool);
	mutex_unlock(&pool->lock);
}

static struct file_system_type vmpkram_fs_type = {
	.owner = THIS_MODULE,
	.name = VMPKRAMFS_NAME,
	.init_fs_context = vmpkram_init_fs_context,
	.parameters = vmpkram_fs_params,
	.kill_sb = vmpkram_kill_sb,
};
MODULE_ALIAS_FS(VMPKRAMFS_NAME);

static void init_once(void *obj)
{
	struct vmpkram_inode *vi = obj;

	inode_init_once(&vi->vfs_inode);
}

int vmpkram_fs_init(void)
{
	int ret;

	vmpkram_inode_cache = kmem_cache_create("vmpkram_inode",
						sizeof(struct vmpkram_inode), 0,
						SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT,
						init_once);
	if (!vmpkram_inode_cache)
		return -ENOMEM;
	ret = register_filesystem(&vmpkram_fs_type);
	if (ret)
		kmem_cache_destroy(vmpkram_inode_cache);
	return ret;
}

void vmpkram_fs_exit(void)
{
	unregister_filesystem(&vmpkram_fs_type);
	/* Inodes are freed after an RCU grace period. */
	rcu_barrier();
	kmem_cache_destroy(vmpkram_inode_cache);
}
