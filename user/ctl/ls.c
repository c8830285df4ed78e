// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl ls [POOL] [--extents]: the files of the pools, sorted by name
 * (deleted-but-open files last), from the module's file dump rather than
 * a mount, so that it works on a pool nobody mounted and shows where in
 * physical memory every byte lives.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "vmpkramctl.h"

struct ls_file {
	struct vmpkram_file f;		/* f.extents points into @ext */
	struct vmpkram_extent *ext;
};

struct ls {
	struct ctl *ctl;
	bool extents;			/* --extents */
	struct ls_file *files;
	size_t n;
};

static void ls_clear(struct ls *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		free(ls->files[i].ext);
	free(ls->files);
	ls->files = NULL;
	ls->n = 0;
}

/* The library's extents live for the callback only: keep a copy. */
static int add_file(const struct vmpkram_file *file, void *arg)
{
	size_t bytes = file->nr_extents * sizeof(*file->extents);
	struct ls *ls = arg;
	struct ls_file *files, *l;

	files = realloc(ls->files, (ls->n + 1) * sizeof(*files));
	if (!files)
		return -ENOMEM;
	ls->files = files;
	l = &files[ls->n];
	l->f = *file;
	l->ext = bytes ? malloc(bytes) : NULL;
	if (bytes && !l->ext)
		return -ENOMEM;
	if (bytes)
		memcpy(l->ext, file->extents, bytes);
	l->f.extents = l->ext;
	ls->n++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct vmpkram_file *x = &((const struct ls_file *)a)->f;
	const struct vmpkram_file *y = &((const struct ls_file *)b)->f;

	if (!x->name[0] != !y->name[0])
		return x->name[0] ? -1 : 1;
	if (x->name[0])
		return strcmp(x->name, y->name);
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* "-rw-r--r--" */
static void mode_text(uint32_t mode, char buf[11])
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	buf[0] = S_ISREG(mode) ? '-' : '?';
	for (i = 0; i < 9; i++)
		buf[i + 1] = mode & (0400 >> i) ? rwx[i] : '-';
	if (mode & S_ISUID)
		buf[3] = mode & S_IXUSR ? 's' : 'S';
	if (mode & S_ISGID)
		buf[6] = mode & S_IXGRP ? 's' : 'S';
	if (mode & S_ISVTX)
		buf[9] = mode & S_IXOTH ? 't' : 'T';
	buf[10] = '\0';
}

static void owner_text(uint32_t uid, uint32_t gid, char *u, char *g,
		       size_t size)
{
	struct passwd *pw = getpwuid(uid);
	struct group *gr = getgrgid(gid);

	if (pw)
		snprintf(u, size, "%s", pw->pw_name);
	else
		snprintf(u, size, "%u", uid);
	if (gr)
		snprintf(g, size, "%s", gr->gr_name);
	else
		snprintf(g, size, "%u", gid);
}

static void print_extents(const struct vmpkram_file *f)
{
	char len[32];
	uint32_t i;

	for (i = 0; i < f->nr_extents; i++) {
		ctl_size_text(f->extents[i].len, len, sizeof(len));
		printf("        offset 0x%" PRIx64 ": %s at 0x%" PRIx64 "\n",
		       f->extents[i].offset, len, f->extents[i].phys);
	}
}

static void print_file(const struct ls *ls, const struct vmpkram_file *f)
{
	char mode[11], user[32], group[32], mtime[64];
	time_t t = f->mtime_ns / 1000000000;
	struct tm tm;

	mode_text(f->mode, mode);
	owner_text(f->uid, f->gid, user, group, sizeof(user));
	if (!localtime_r(&t, &tm) ||
	    !strftime(mtime, sizeof(mtime), "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(mtime, sizeof(mtime), "%" PRIu64, f->mtime_ns);
	printf("  %6" PRIu64 " %s %-8s %-8s %12" PRIu64 " %s %s%s\n", f->ino,
	       mode, user, group, f->file_size, mtime,
	       f->name[0] ? f->name : "(deleted)",
	       f->flags & VMPKRAM_FILE_F_POISONED ? " (poisoned)" : "");
	if (ls->extents)
		print_extents(f);
}

static void print_text(const struct ls *ls, const struct vmpkram_pool *p)
{
	char used[32];
	size_t i;

	ctl_size_text(p->used, used, sizeof(used));
	printf("pool %s: %zu file%s, %s used\n", p->name, ls->n,
	       ls->n == 1 ? "" : "s", used);
	for (i = 0; i < ls->n; i++)
		print_file(ls, &ls->files[i].f);
}

static struct json_object *extents_json(const struct vmpkram_file *f)
{
	struct json_object *arr = json_object_new_array(), *e;
	uint32_t i;

	for (i = 0; i < f->nr_extents; i++) {
		e = json_object_new_object();
		json_object_object_add(e, "offset", json_object_new_uint64(
						f->extents[i].offset));
		json_object_object_add(e, "phys", json_object_new_uint64(
						f->extents[i].phys));
		json_object_object_add(e, "len", json_object_new_uint64(
						f->extents[i].len));
		json_object_array_add(arr, e);
	}
	return arr;
}

static struct json_object *file_json(const struct ls *ls,
				     const struct vmpkram_file *f)
{
	struct json_object *obj = json_object_new_object();
	char mode[11];

	mode_text(f->mode, mode);
	json_object_object_add(obj, "name", f->name[0] ?
			       json_object_new_string(f->name) : NULL);
	json_object_object_add(obj, "ino", json_object_new_uint64(f->ino));
	json_object_object_add(obj, "size",
			       json_object_new_uint64(f->file_size));
	json_object_object_add(obj, "mode", json_object_new_int64(f->mode));
	json_object_object_add(obj, "mode_text", json_object_new_string(mode));
	json_object_object_add(obj, "uid", json_object_new_int64(f->uid));
	json_object_object_add(obj, "gid", json_object_new_int64(f->gid));
	json_object_object_add(obj, "mtime_ns",
			       json_object_new_uint64(f->mtime_ns));
	json_object_object_add(obj, "orphan", json_object_new_boolean(
				f->flags & VMPKRAM_FILE_F_ORPHAN));
	json_object_object_add(obj, "poisoned", json_object_new_boolean(
				f->flags & VMPKRAM_FILE_F_POISONED));
	if (ls->extents)
		json_object_object_add(obj, "extents", extents_json(f));
	return obj;
}

static struct json_object *pool_json(const struct ls *ls,
				     const struct vmpkram_pool *p)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	size_t i;

	json_object_object_add(obj, "name", json_object_new_string(p->name));
	json_object_object_add(obj, "state",
			       json_object_new_string(ctl_pool_state(p->state)));
	for (i = 0; i < ls->n; i++)
		json_object_array_add(arr, file_json(ls, &ls->files[i].f));
	json_object_object_add(obj, "files", arr);
	return obj;
}

/* One pool's files into @arr (JSON) or stdout; 0 or the exit status. */
static int list_pool(struct ls *ls, const struct vmpkram_pool *p,
		     struct json_object *arr)
{
	bool formatted = p->state == VMPKRAM_POOL_READY ||
			 p->state == VMPKRAM_POOL_SEALED;
	char what[64];
	int ret = 0;

	/* An unformatted or damaged pool has no file table to ask about. */
	if (formatted)
		ret = vmpkram_pool_files(ls->ctl->lib, p->name, add_file, ls);
	if (ret < 0) {
		snprintf(what, sizeof(what), "ls %s", p->name);
		ls_clear(ls);
		return ctl_fail(ls->ctl, what, ret, NULL);
	}
	qsort(ls->files, ls->n, sizeof(*ls->files), by_name);
	if (arr)
		json_object_array_add(arr, pool_json(ls, p));
	else if (formatted)
		print_text(ls, p);
	else
		printf("pool %s: %s, no files\n", p->name,
		       ctl_pool_state(p->state));
	ls_clear(ls);
	return 0;
}

static int run(struct ls *ls, const char *name)
{
	struct json_object *obj = NULL, *arr = NULL;
	struct ctl_pools pools;
	size_t i;
	int ret;

	ret = ctl_require_module(ls->ctl, "ls");
	if (!ret)
		ret = ctl_pools_get(ls->ctl, "ls", NULL, name, &pools);
	if (ret)
		return ret;
	if (ls->ctl->json) {
		obj = json_object_new_object();
		arr = json_object_new_array();
		json_object_object_add(obj, "pools", arr);
	}
	for (i = 0; !ret && i < pools.n; i++) {
		if (i && !arr)
			printf("\n");
		ret = list_pool(ls, &pools.pool[i], arr);
	}
	if (!pools.n && !arr)
		printf("no pools attached\n");
	if (obj && !ret)
		ctl_json_print(obj);
	else
		json_object_put(obj);
	ctl_pools_free(&pools);
	return ret;
}

CMD(ls)
{
	struct ls ls = { .ctl = ctl, .extents = ctl_opt(cmd, args, 'e') };
	const char *name;
	int ret;

	ret = ctl_pool_args(ctl, cmd, args, false, &name);
	if (ret >= 0)
		return ret;
	return run(&ls, name);
}
