// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Loading and unloading vmpkram.ko through libkmod, telling whether it is
 * loaded without loading it, and whether another kernel (a kexec target)
 * has it installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "private.h"

#define MODULE_NAME	"vmpkram"
#define INITSTATE	"/sys/module/" MODULE_NAME "/initstate"

/*
 * A module in "coming" or "going" state is not usable yet (or any more),
 * so only "live" counts as loaded.  No initstate file means not loaded.
 */
int vmpkram_initstate_live(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	return !strcmp(buf, "live\n") || !strcmp(buf, "live");
}

VMPKRAM_EXPORT int vmpkram_module_is_loaded(struct vmpkram_ctx *ctx)
{
	int ret = vmpkram_initstate_live(INITSTATE);

	if (ret < 0)
		return vmpkram_fail(ctx, ret, "cannot read %s: %s", INITSTATE,
				    strerror(-ret));
	return ret;
}

/* libkmod's own messages are details of failures we report ourselves. */
static void kmod_log_fwd(void *data, int priority, const char *file,
			 int line, const char *fn, const char *format,
			 va_list args)
{
	struct vmpkram_ctx *ctx = data;
	char msg[256];

	(void)priority;
	(void)file;
	(void)line;
	if (ctx->log_priority < LOG_DEBUG)
		return;
	vsnprintf(msg, sizeof(msg), format, args);
	vmpkram_log(ctx, LOG_DEBUG, fn, "libkmod: %s", msg);
}

static int module_open(struct vmpkram_ctx *ctx, struct kmod_ctx **kctx,
		       struct kmod_module **mod)
{
	int ret;

	*kctx = kmod_new(NULL, NULL);
	if (!*kctx)
		return vmpkram_fail(ctx, -ENOMEM,
				    "cannot create a libkmod context");
	kmod_set_log_fn(*kctx, kmod_log_fwd, ctx);

	ret = kmod_module_new_from_name(*kctx, MODULE_NAME, mod);
	if (ret < 0) {
		*kctx = kmod_unref(*kctx);
		return vmpkram_fail(ctx, ret, "libkmod cannot look up %s: %s",
				    MODULE_NAME, strerror(-ret));
	}
	return 0;
}

static void module_close(struct kmod_ctx *kctx, struct kmod_module *mod)
{
	kmod_module_unref(mod);
	kmod_unref(kctx);
}

static int load_error(struct vmpkram_ctx *ctx, int ret)
{
	struct utsname uts;

	switch (ret) {
	case -EEXIST:
		return vmpkram_fail(ctx, ret,
			"module %s is already loaded (unload it to change load-time parameters)",
			MODULE_NAME);
	case -EPERM:
		return vmpkram_fail(ctx, ret,
			"loading modules needs CAP_SYS_MODULE (or module signature/lockdown policy refused %s)",
			MODULE_NAME);
	case -ENOENT:
		if (uname(&uts))
			strcpy(uts.release, "(unknown)");
		return vmpkram_fail(ctx, ret,
			"module %s not found for kernel %s: run make install or make dkms-install",
			MODULE_NAME, uts.release);
	case -ENOEXEC:
		return vmpkram_fail(ctx, ret,
			"module %s does not match the running kernel: rebuild it for this kernel",
			MODULE_NAME);
	case -EINVAL:
		return vmpkram_fail(ctx, ret,
			"module %s rejected its parameters (see dmesg)",
			MODULE_NAME);
	default:
		return vmpkram_fail(ctx, ret, "cannot load module %s: %s",
				    MODULE_NAME, strerror(-ret));
	}
}

/* Parameter names equal as the kernel compares them: '-' is '_'. */
static int param_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++)
		if ((a[i] == '-' ? '_' : a[i]) != (b[i] == '-' ? '_' : b[i]))
			return 0;
	return 1;
}

static int known_param(const char *name, size_t len,
		       const char *const *known, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (param_eq(name, len, known[i], strlen(known[i])))
			return 1;
	return 0;
}

int vmpkram_params_check(const char *options, const char *const *known,
			 size_t n, char *bad, size_t bad_size)
{
	const char *p = options ? options : "", *name;
	size_t len;
	int quoted;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			return 0;
		name = p;
		len = strcspn(p, "= \t\n");
		if (!known_param(name, len, known, n)) {
			snprintf(bad, bad_size, "%.*s", (int)len, name);
			return -EINVAL;
		}
		/* Skip the value: up to a space outside double quotes. */
		for (quoted = 0; *p && (quoted || !strchr(" \t\n", *p)); p++)
			quoted ^= *p == '"';
	}
}

static void free_names(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

/* The names of @mod's parameters ("parm" entries of its modinfo). */
static int module_params(struct vmpkram_ctx *ctx, struct kmod_module *mod,
			 char ***names, size_t *n)
{
	struct kmod_list *list = NULL, *l;
	const char *value;
	char **v;
	int ret;

	*names = NULL;
	*n = 0;
	ret = kmod_module_get_info(mod, &list);
	if (ret < 0)
		return vmpkram_fail(ctx, ret,
				    "cannot read the parameters of module %s: %s",
				    MODULE_NAME, strerror(-ret));
	ret = 0;
	kmod_list_foreach(l, list) {
		if (strcmp(kmod_module_info_get_key(l), "parm"))
			continue;
		value = kmod_module_info_get_value(l);
		v = realloc(*names, (*n + 1) * sizeof(**names));
		if (v) {
			*names = v;
			v[*n] = strndup(value, strcspn(value, ":"));
		}
		if (!v || !v[*n]) {
			ret = vmpkram_fail(ctx, -ENOMEM, "out of memory");
			break;
		}
		(*n)++;
	}
	kmod_module_info_free_list(list);
	if (ret) {
		free_names(*names, *n);
		*names = NULL;
		*n = 0;
	}
	return ret;
}

/* Every name in @options must be a parameter of the module file. */
static int check_params(struct vmpkram_ctx *ctx, struct kmod_module *mod,
			const char *options)
{
	char **names, bad[64], list[256] = "";
	size_t n, i;
	int ret;

	if (!options || !options[0])
		return 0;
	ret = module_params(ctx, mod, &names, &n);
	if (ret)
		return ret;
	ret = vmpkram_params_check(options, (const char *const *)names, n,
				   bad, sizeof(bad));
	for (i = 0; ret && i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i ? ", " : "", names[i]);
	free_names(names, n);
	if (ret)
		return vmpkram_fail(ctx, ret,
				    "module %s has no parameter %s (it has: %s)",
				    MODULE_NAME, bad, n ? list : "none");
	return 0;
}

/*
 * Loads the module with @options ("param=value ..." or NULL) on top of any
 * modprobe.d options.  An already loaded module is -EEXIST rather than
 * success: the options would silently not apply; and so is a parameter
 * the module does not have, which the kernel would ignore with a warning.
 */
VMPKRAM_EXPORT int vmpkram_module_load(struct vmpkram_ctx *ctx,
				       const char *options)
{
	struct kmod_module *mod;
	struct kmod_ctx *kctx;
	int ret;

	ret = module_open(ctx, &kctx, &mod);
	if (ret)
		return ret;

	if (!kmod_module_get_path(mod)) {
		ret = -ENOENT;
	} else {
		ret = check_params(ctx, mod, options);
		if (ret) {
			module_close(kctx, mod);
			return ret;
		}
		ret = kmod_module_probe_insert_module(mod,
						      KMOD_PROBE_FAIL_ON_LOADED,
						      options, NULL, NULL, NULL);
	}
	module_close(kctx, mod);
	if (ret < 0)
		return load_error(ctx, ret);
	info(ctx, "module %s loaded\n", MODULE_NAME);
	return 0;
}

int vmpkram_fs_mounts(FILE *mounts, char *buf, size_t size)
{
	char *line = NULL, dir[256], type[64];
	size_t len = 0;
	int n = 0;

	buf[0] = '\0';
	while (getline(&line, &len, mounts) > 0) {
		/* "none /run/vmpkram vmpkramfs rw,... 0 0" */
		if (sscanf(line, "%*s %255s %63s", dir, type) != 2 ||
		    strcmp(type, "vmpkramfs"))
			continue;
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
			 n ? ", " : "", dir);
		n++;
	}
	free(line);
	return n;
}

/* What holds the module: the vmpkramfs mounts, else /dev/vmpkram. */
static int busy_error(struct vmpkram_ctx *ctx)
{
	char where[256] = "";
	FILE *f = fopen("/proc/mounts", "re");
	int n = f ? vmpkram_fs_mounts(f, where, sizeof(where)) : 0;

	if (f)
		fclose(f);
	if (n)
		return vmpkram_fail(ctx, -EBUSY,
			"module %s is in use: vmpkramfs is mounted on %s (unmount %s, and close programs that hold /dev/%s open)",
			MODULE_NAME, where, n == 1 ? "it" : "them",
			VMPKRAM_DEVICE_NAME);
	return vmpkram_fail(ctx, -EBUSY,
		"module %s is in use: close programs that hold /dev/%s open (a mounted vmpkramfs holds it too)",
		MODULE_NAME, VMPKRAM_DEVICE_NAME);
}

VMPKRAM_EXPORT int vmpkram_module_unload(struct vmpkram_ctx *ctx)
{
	struct kmod_module *mod;
	struct kmod_ctx *kctx;
	int ret, refcnt;

	ret = vmpkram_module_is_loaded(ctx);
	if (ret < 0)
		return ret;
	if (!ret)
		return vmpkram_fail(ctx, -ENOENT, "module %s is not loaded",
				    MODULE_NAME);

	/* Our own open /dev/vmpkram would keep the module busy. */
	vmpkram_dev_close(ctx);

	ret = module_open(ctx, &kctx, &mod);
	if (ret)
		return ret;

	refcnt = kmod_module_get_refcnt(mod);
	if (refcnt > 0)
		ret = -EBUSY;
	else
		ret = kmod_module_remove_module(mod, 0);
	module_close(kctx, mod);

	/* libkmod removes with O_NONBLOCK: a busy module is EWOULDBLOCK. */
	if (ret == -EWOULDBLOCK || ret == -EBUSY)
		return busy_error(ctx);
	if (ret == -EPERM)
		return vmpkram_fail(ctx, ret,
				    "unloading modules needs CAP_SYS_MODULE");
	if (ret < 0)
		return vmpkram_fail(ctx, ret, "cannot unload module %s: %s",
				    MODULE_NAME, strerror(-ret));
	info(ctx, "module %s unloaded\n", MODULE_NAME);
	return 0;
}

/* The first module of @list that has a file, or NULL (built in, or none). */
static const char *lookup_path(struct kmod_list *list)
{
	struct kmod_module *mod;
	struct kmod_list *l;
	const char *path;

	kmod_list_foreach(l, list) {
		/* The list keeps its own reference: @path outlives ours. */
		mod = kmod_module_get_module(l);
		path = kmod_module_get_path(mod);
		kmod_module_unref(mod);
		if (path)
			return path;
	}
	return NULL;
}

/*
 * The lookup goes through modules.dep of that release, as modprobe in the
 * next kernel will: a vmpkram.ko that depmod never indexed (copied by
 * hand) would not load there either.
 */
static int find_in(struct vmpkram_ctx *ctx, const char *dir,
		   const char *release, char **path)
{
	struct kmod_list *list = NULL;
	struct kmod_ctx *kctx;
	const char *p;
	int ret;

	kctx = kmod_new(dir, NULL);
	if (!kctx)
		return vmpkram_fail(ctx, -ENOMEM,
				    "cannot create a libkmod context");
	kmod_set_log_fn(kctx, kmod_log_fwd, ctx);
	ret = kmod_module_new_from_lookup(kctx, MODULE_NAME, &list);
	p = ret < 0 ? NULL : lookup_path(list);
	if (ret < 0)
		ret = vmpkram_fail(ctx, ret, "libkmod cannot look up %s in %s: %s",
				   MODULE_NAME, dir, strerror(-ret));
	else if (!p)
		ret = vmpkram_fail(ctx, 0,
			"no %s module for kernel %s in %s/modules.dep: install it with make dkms-install (DKMS builds it for every kernel) or make install KVER=%s",
			MODULE_NAME, release, dir, release);
	else if (path && !(*path = strdup(p)))
		ret = vmpkram_fail(ctx, -ENOMEM, "out of memory");
	else
		ret = 1;
	kmod_module_unref_list(list);
	kmod_unref(kctx);
	return ret;
}

VMPKRAM_EXPORT int vmpkram_module_find(struct vmpkram_ctx *ctx,
				       const char *release, char **path)
{
	char dir[PATH_MAX];
	int err;

	if (path)
		*path = NULL;
	if (!release || !release[0] || strchr(release, '/') ||
	    !strcmp(release, ".") || !strcmp(release, ".."))
		return vmpkram_fail(ctx, -EINVAL, "invalid kernel release \"%s\"",
				    release ? release : "(null)");
	snprintf(dir, sizeof(dir), "/lib/modules/%s", release);
	if (access(dir, F_OK)) {
		err = errno;
		return vmpkram_fail(ctx, err == ENOENT ? 0 : -err,
			"no %s for kernel %s (%s): install the kernel's modules, then vmpkram with make dkms-install or make install KVER=%s",
			dir, release, strerror(err), release);
	}
	return find_in(ctx, dir, release, path);
}
