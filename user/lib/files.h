/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GET_FILES dump messages -> struct vmpkram_file.  A file with many
 * extents spans several consecutive messages that repeat its name and
 * inode number; the collector merges them and hands out whole files.
 * Pure functions, unit tested on the host with crafted messages.
 */
#ifndef _LIBVMPKRAM_FILES_H_
#define _LIBVMPKRAM_FILES_H_

#include <stdbool.h>
#include <stddef.h>

#include "libvmpkram.h"

struct nlmsghdr;

typedef int (*vmpkram_file_fn)(const struct vmpkram_file *file, void *arg);

struct vmpkram_files {
	vmpkram_file_fn cb;
	void *arg;
	int count;			/* files handed to @cb */
	bool pending;			/* @file is being collected */
	struct vmpkram_file file;
	struct vmpkram_extent *ext;	/* @file's extents so far */
	size_t cap;
};

/* Ready to collect, handing files to @cb (may be NULL: count only). */
void vmpkram_files_init(struct vmpkram_files *f, vmpkram_file_fn cb,
			void *arg);

/*
 * Takes one dump message.  A message with the inode number of the file
 * being collected continues it: it must repeat the name (none for an
 * orphan), its extents must follow the previous ones, and its other
 * attributes are not looked at.  Any other message hands the pending file
 * to the callback and starts a new one, for which every attribute is
 * required with its exact length: the name (1..VMPKRAMFS_NAME_MAX
 * characters without '/', absent exactly for VMPKRAM_FILE_F_ORPHAN),
 * a regular-file mode, size, owner, mtime and flags; the extents nest is
 * optional (an empty file).  Each extent needs offset, phys and len,
 * len > 0, no wrap, in file offset order without overlap.
 *
 * Returns 0, -ENODATA, -EBADMSG or -ERANGE with the reason in @why (when
 * not NULL), -ENOMEM, or the callback's negative return.
 */
int vmpkram_files_add(struct vmpkram_files *f, struct nlmsghdr *nlh,
		      char *why, size_t why_size);

/*
 * Hands the last pending file out: 0 or as vmpkram_files_add().  A file
 * whose extents cover less than its size is -EBADMSG (files are always
 * fully backed).
 */
int vmpkram_files_finish(struct vmpkram_files *f, char *why,
			 size_t why_size);

/* Frees what the collector holds; safe after any return. */
void vmpkram_files_release(struct vmpkram_files *f);

#endif /* _LIBVMPKRAM_FILES_H_ */
