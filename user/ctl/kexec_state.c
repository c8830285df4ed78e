// SPDX-License-Identifier: GPL-2.0-only
/*
 * kexec load's record for kexec exec: the kernel, its command line and
 * the pools that were attached when it was loaded, with this boot's id.
 * A pool attached (or detached) after the load is not (or no longer) on
 * the loaded command line: exec compares and refuses.  The record is
 * written before the kernel is loaded and replaced atomically.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kexec.h"

#define STATE_FILE	"kexec.json"
#define STATE_VERSION	1

const char *kexec_state_path(void)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/" STATE_FILE, kexec_state_dir());
	return path;
}

static void add_str(struct json_object *obj, const char *key, const char *s)
{
	json_object_object_add(obj, key, s ? json_object_new_string(s) : NULL);
}

static struct json_object *state_json(const struct kexec_state *st,
				      const char *boot_id)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *arr = json_object_new_array(), *p;
	size_t i;

	json_object_object_add(obj, "version",
			       json_object_new_int(STATE_VERSION));
	add_str(obj, "boot_id", boot_id);
	add_str(obj, "kernel", st->kernel);
	add_str(obj, "release", st->release);
	add_str(obj, "initrd", st->initrd);
	add_str(obj, "cmdline", st->cmdline);
	for (i = 0; i < st->pools.n; i++) {
		p = json_object_new_object();
		add_str(p, "name", st->pools.pool[i].name);
		json_object_object_add(p, "base", json_object_new_uint64(
						st->pools.pool[i].base));
		json_object_object_add(p, "size", json_object_new_uint64(
						st->pools.pool[i].size));
		json_object_object_add(p, "sealed_here", json_object_new_boolean(
						st->pools.pool[i].sealed_here));
		json_object_array_add(arr, p);
	}
	json_object_object_add(obj, "pools", arr);
	return obj;
}

/* @text to @path through a temporary file and rename(); 0 or -errno. */
static int write_atomic(const char *path, const char *text)
{
	char tmp[560];
	size_t len = strlen(text);
	int fd, ret = 0;
	ssize_t n;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

int kexec_state_save(const struct kexec_state *st)
{
	struct json_object *obj;
	char boot_id[64];
	int ret;

	ret = kexec_boot_id(boot_id, sizeof(boot_id));
	if (ret)
		return ret;
	if (mkdir(kexec_state_dir(), 0700) && errno != EEXIST)
		return -errno;
	obj = state_json(st, boot_id);
	ret = write_atomic(kexec_state_path(),
			   json_object_to_json_string_ext(obj,
					JSON_C_TO_STRING_PLAIN |
					JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	return ret;
}

int kexec_state_remove(void)
{
	if (unlink(kexec_state_path()) && errno != ENOENT)
		return -errno;
	return 0;
}

void kexec_state_free(struct kexec_state *st)
{
	free(st->kernel);
	free(st->release);
	free(st->initrd);
	free(st->cmdline);
	kexec_pools_free(&st->pools);
	memset(st, 0, sizeof(*st));
}

/* A string member (@null_ok: or null), strdup'd to *@out. */
static int get_str(struct json_object *obj, const char *key, bool null_ok,
		   char **out)
{
	struct json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return -EBADMSG;
	if (!v)
		return null_ok ? 0 : -EBADMSG;
	if (!json_object_is_type(v, json_type_string))
		return -EBADMSG;
	*out = strdup(json_object_get_string(v));
	return *out ? 0 : -ENOMEM;
}

static int get_u64(struct json_object *obj, const char *key, uint64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -EBADMSG;
	*out = json_object_get_uint64(v);
	return 0;
}

static int pool_from_json(struct json_object *obj, struct kexec_pool *p)
{
	struct json_object *v;
	char *name;
	int ret;

	ret = get_str(obj, "name", false, &name);
	if (ret)
		return ret;
	ret = snprintf(p->name, sizeof(p->name), "%s", name) <
		      (int)sizeof(p->name) ? 0 : -EBADMSG;
	free(name);
	if (!ret)
		ret = get_u64(obj, "base", &p->base);
	if (!ret)
		ret = get_u64(obj, "size", &p->size);
	if (!ret && (!json_object_object_get_ex(obj, "sealed_here", &v) ||
		     !json_object_is_type(v, json_type_boolean)))
		ret = -EBADMSG;
	if (!ret)
		p->sealed_here = json_object_get_boolean(v);
	return ret;
}

static int pools_from_json(struct json_object *obj, struct kexec_pools *pools)
{
	struct json_object *arr;
	size_t i, n;
	int ret = 0;

	if (!json_object_object_get_ex(obj, "pools", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return -EBADMSG;
	n = json_object_array_length(arr);
	pools->pool = calloc(n ? n : 1, sizeof(*pools->pool));
	if (!pools->pool)
		return -ENOMEM;
	for (i = 0; !ret && i < n; i++)
		ret = pool_from_json(json_object_array_get_idx(arr, i),
				     &pools->pool[i]);
	pools->n = n;
	return ret;
}

/* 1 when @obj is a record of version 1 from this boot, 0 otherwise. */
static int this_boot(struct json_object *obj)
{
	struct json_object *v;
	char boot_id[64];

	if (kexec_boot_id(boot_id, sizeof(boot_id)) ||
	    !json_object_object_get_ex(obj, "version", &v) ||
	    json_object_get_int(v) != STATE_VERSION ||
	    !json_object_object_get_ex(obj, "boot_id", &v) ||
	    !json_object_is_type(v, json_type_string))
		return 0;
	return !strcmp(json_object_get_string(v), boot_id);
}

int kexec_state_load(struct kexec_state *st)
{
	struct json_object *obj;
	int ret;

	memset(st, 0, sizeof(*st));
	if (access(kexec_state_path(), F_OK))
		return errno == ENOENT ? 0 : -errno;
	obj = json_object_from_file(kexec_state_path());
	if (!obj)
		return access(kexec_state_path(), R_OK) ? -errno : -EBADMSG;
	ret = this_boot(obj);
	if (ret == 1) {
		ret = get_str(obj, "kernel", false, &st->kernel);
		if (!ret)
			ret = get_str(obj, "release", false, &st->release);
		if (!ret)
			ret = get_str(obj, "initrd", true, &st->initrd);
		if (!ret)
			ret = get_str(obj, "cmdline", false, &st->cmdline);
		if (!ret)
			ret = pools_from_json(obj, &st->pools);
		ret = ret ? ret : 1;
	}
	json_object_put(obj);
	if (ret < 0)
		kexec_state_free(st);
	return ret;
}
