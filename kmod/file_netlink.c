// SPDX-License-Identifier: GPL-2.0
/*
 * VMPKRAM_CMD_GET_FILES: the files of a pool with their physical extents.
 *
 * A dump may need many messages; it resumes from the file table slot and
 * file block where the last message stopped, so a file with more extents
 * than fit in one message continues in the next (name and inode repeated).
 * Files change between messages (the reader sees NLM_F_DUMP_INTR then):
 * the block cursor belongs to one file, by inode number, and a file that
 * shrank below it, was deleted or whose slot another file took ends or
 * starts over instead of being resumed where it no longer goes on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <net/genetlink.h>

#include "compat.h"
#include "nl.h"
#include "pool.h"

/* cb->args[] while dumping */
enum { ARG_SLOT, ARG_BLOCK, ARG_INO };

static u32 file_flags(const struct vmpkram_pool_file *f)
{
	u32 flags = le32_to_cpu(f->flags);

	return (flags & VMPKRAM_PF_ORPHAN ? VMPKRAM_FILE_F_ORPHAN : 0) |
	       (flags & VMPKRAM_PF_POISONED ? VMPKRAM_FILE_F_POISONED : 0);
}

static int fill_file_head(struct sk_buff *skb, const struct vmpkram_pool_file *f)
{
	char name[VMPKRAMFS_NAME_MAX + 1];
	u32 len = le16_to_cpu(f->name_len);

	memcpy(name, f->name, len);
	name[len] = '\0';
	if ((len && nla_put_string(skb, VMPKRAM_A_FILE_NAME, name)) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_FILE_INO, le64_to_cpu(f->ino), VMPKRAM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_FILE_SIZE, le64_to_cpu(f->size), VMPKRAM_A_PAD) ||
	    nla_put_u32(skb, VMPKRAM_A_FILE_MODE, le32_to_cpu(f->mode)) ||
	    nla_put_u32(skb, VMPKRAM_A_FILE_UID, le32_to_cpu(f->uid)) ||
	    nla_put_u32(skb, VMPKRAM_A_FILE_GID, le32_to_cpu(f->gid)) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_FILE_MTIME_NS, le64_to_cpu(f->mtime_ns),
			      VMPKRAM_A_PAD) ||
	    nla_put_u32(skb, VMPKRAM_A_FILE_FLAGS, file_flags(f)))
		return -EMSGSIZE;
	return 0;
}

static int put_extent(struct sk_buff *skb, u64 offset, u64 phys, u64 len)
{
	struct nlattr *ext = nla_nest_start(skb, VMPKRAM_A_EXTENT);

	if (!ext)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, VMPKRAM_A_EXTENT_OFFSET, offset, VMPKRAM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_EXTENT_PHYS, phys, VMPKRAM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMPKRAM_A_EXTENT_LEN, len, VMPKRAM_A_PAD)) {
		nla_nest_cancel(skb, ext);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, ext);
	return 0;
}

/*
 * Extents of file @slot from block *@next on, merged where physically
 * contiguous.  Stops when the message is full, leaving *@next at the
 * first block not sent.
 */
static int fill_extents(struct sk_buff *skb, struct vmpkram_pool *pool,
			u32 slot, u32 *next)
{
	u32 n = le32_to_cpu(pool->files[slot].nr_blocks), i = *next, j, b;
	struct nlattr *nest;
	unsigned long idx;
	void *entry;

	nest = nla_nest_start(skb, VMPKRAM_A_FILE_EXTENTS);
	if (!nest)
		return -EMSGSIZE;
	while (i < n) {
		/* The next block held: punched holes have no extent. */
		idx = i;
		entry = xa_find(&pool->fblocks[slot], &idx, n - 1, XA_PRESENT);
		if (!entry) {
			i = n;
			break;
		}
		i = idx;
		b = xa_to_value(entry);
		for (j = i + 1; j < n && vmpkram_file_block(pool, slot, j) == b + j - i; j++)
			;
		if (put_extent(skb, (u64)i << VMPKRAM_BLOCK_SHIFT,
			       vmpkram_block_phys(pool, b),
			       (u64)(j - i) << VMPKRAM_BLOCK_SHIFT))
			break;
		i = j;
	}
	nla_nest_end(skb, nest);
	*next = i;
	return 0;
}

/* Returns 1 when the file is complete, 0 when the message is full. */
static int dump_file(struct sk_buff *skb, struct netlink_callback *cb,
		     struct vmpkram_pool *pool, u32 slot)
{
	const struct vmpkram_pool_file *f = &pool->files[slot];
	u32 n = le32_to_cpu(f->nr_blocks), next = cb->args[ARG_BLOCK];
	void *hdr;

	/* Shrunk past what was sent: nothing left of it to send. */
	if (next && next >= n)
		return 1;
	hdr = vmpkram_genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, NLM_F_MULTI,
				  VMPKRAM_CMD_GET_FILES);
	if (!hdr)
		return 0;
	if (nla_put_string(skb, VMPKRAM_A_POOL_NAME, pool->name) ||
	    fill_file_head(skb, f) || fill_extents(skb, pool, slot, &next) ||
	    (next == cb->args[ARG_BLOCK] && next < n)) {
		genlmsg_cancel(skb, hdr);
		return 0;
	}
	genl_dump_check_consistent(cb, hdr);
	genlmsg_end(skb, hdr);
	cb->args[ARG_BLOCK] = next;
	return next >= n;
}

int vmpkram_nl_files_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr *attr = vmpkram_dump_attrs(cb)[VMPKRAM_A_POOL_NAME];
	const struct vmpkram_pool_file *f;
	struct vmpkram_pool *pool;
	int ret = 0;

	if (!attr) {
		NL_SET_ERR_MSG_MOD(cb->extack, "missing attribute: pool name");
		return -EINVAL;
	}
	mutex_lock(&vmpkram_pools_lock);
	pool = vmpkram_pool_find(nla_data(attr));
	if (!pool) {
		NL_SET_ERR_MSG_MOD(cb->extack, "no pool of that name");
		ret = -ENODEV;
		goto out;
	}
	mutex_lock(&pool->lock);
	/* Files changed since the dump began: the reader sees NLM_F_DUMP_INTR. */
	cb->seq = le64_to_cpu(pool->meta.generation);
	if (pool->state == VMPKRAM_POOL_READY || pool->state == VMPKRAM_POOL_SEALED) {
		for (; cb->args[ARG_SLOT] < VMPKRAM_POOL_MAX_FILES; cb->args[ARG_SLOT]++) {
			f = &pool->files[cb->args[ARG_SLOT]];
			/* The cursor is of the file that was here, if any. */
			if (!f->flags || le64_to_cpu(f->ino) != cb->args[ARG_INO])
				cb->args[ARG_BLOCK] = 0;
			if (!f->flags)
				continue;
			cb->args[ARG_INO] = le64_to_cpu(f->ino);
			if (!dump_file(skb, cb, pool, cb->args[ARG_SLOT]))
				break;
			cb->args[ARG_BLOCK] = 0;
		}
	}
	mutex_unlock(&pool->lock);
out:
	mutex_unlock(&vmpkram_pools_lock);
	return ret ?: skb->len;
}
