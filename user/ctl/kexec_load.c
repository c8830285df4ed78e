// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl kexec load: every precondition is checked before anything
 * changes (files, image, command line, module for the target, privileges,
 * the pools attached now); then the pools are sealed, the record for
 * kexec exec written and the kernel loaded, and a failure on the way
 * undoes the steps before it, so a refusal always leaves the system as
 * it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/kexec.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bzimage.h"
#include "cmdline.h"
#include "kexec.h"

struct kload {
	struct ctl *ctl;
	const struct ctl_cmd *cmd;
	const char *kernel, *initrd;	/* --kernel, --initrd */
	const char *append, *explicit;	/* --append, --command-line */
	bool force;
	int kfd, ifd;
	struct bzimage_info bz;
	char *module;			/* the target's vmpkram.ko, or NULL */
	char *running;			/* /proc/cmdline */
	char *cmdline;			/* what the new kernel gets */
	struct kexec_pools pools;	/* attached now */
	char *seal_params;		/* the pool seal's parameters */
};

/* A regular file we can read, open in *@fd. */
static int open_file(struct kload *kl, const char *opt, const char *path,
		     int *fd)
{
	char what[600];
	struct stat st;

	snprintf(what, sizeof(what), "kexec load: %s %s", opt, path);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return ctl_fail_plain(kl->ctl, what, -errno, NULL);
	if (fstat(*fd, &st))
		return ctl_fail_plain(kl->ctl, what, -errno, NULL);
	if (!S_ISREG(st.st_mode))
		return ctl_fail_why(kl->ctl, what, -EINVAL,
				    "not a regular file");
	return 0;
}

static int check_image(struct kload *kl)
{
	char what[600];
	const char *why = NULL;
	int ret;

	ret = open_file(kl, "--kernel", kl->kernel, &kl->kfd);
	if (!ret && kl->initrd)
		ret = open_file(kl, "--initrd", kl->initrd, &kl->ifd);
	if (ret)
		return ret;
	ret = bzimage_read(kl->kfd, &kl->bz, &why);
	if (!ret)
		return 0;
	snprintf(what, sizeof(what), "kexec load: --kernel %s", kl->kernel);
	return ctl_fail_why(kl->ctl, what, ret, why);
}

/* The target kernel must be able to load vmpkram, or its pools wait. */
static int check_module(struct kload *kl)
{
	char what[128];
	int ret;

	ret = ctl_lib(kl->ctl);
	if (!ret)
		ret = vmpkram_module_find(kl->ctl->lib, kl->bz.release,
					  &kl->module);
	if (ret == 1)
		return 0;
	snprintf(what, sizeof(what), "kexec load: kernel %s", kl->bz.release);
	if (ret < 0)
		return ctl_fail(kl->ctl, what, ret, NULL);
	if (!kl->force)
		return ctl_fail(kl->ctl, what, -ENOENT,
				"--force loads it anyway");
	fprintf(stderr, PROG ": warning: %s; loading anyway (--force): the pools wait until a vmpkram module is loaded there\n",
		vmpkram_last_error(kl->ctl->lib));
	return 0;
}

static int compose(struct kload *kl, const char *pools)
{
	size_t max = BZIMAGE_CMDLINE_MAX(kl->bz.cmdline_size);
	char hint[160];
	int ret;

	free(kl->cmdline);
	kl->cmdline = NULL;
	ret = cmdline_compose(kl->explicit, kl->running, pools, kl->append,
			      &kl->cmdline);
	if (ret == -EINVAL)
		return ctl_fail_why(kl->ctl, "kexec load: command line", ret,
				    "a double quote is not closed");
	if (ret)
		return ctl_fail_plain(kl->ctl, "kexec load: command line", ret,
				      NULL);
	if (strlen(kl->cmdline) <= max)
		return 0;
	snprintf(hint, sizeof(hint),
		 "%zu bytes, kernel %s takes at most %zu: shorten --append or --command-line",
		 strlen(kl->cmdline), kl->bz.release, max);
	return ctl_fail_why(kl->ctl, "kexec load: command line", -E2BIG, hint);
}

/* What kexec_file_load would refuse anyway, said before the seal. */
static int check_privileges(struct kload *kl)
{
	if (!kexec_has_cap(CAP_SYS_BOOT))
		return ctl_fail_why(kl->ctl, "kexec load", -EPERM,
				    "needs CAP_SYS_BOOT: run it as root");
	if (kexec_read_flag("/proc/sys/kernel/kexec_load_disabled") == 1)
		return ctl_fail_why(kl->ctl, "kexec load", -EPERM,
				    "kexec is disabled until reboot (/proc/sys/kernel/kexec_load_disabled is 1)");
	return 0;
}

static int prepare(struct kload *kl)
{
	int ret;

	ret = check_image(kl);
	if (!ret)
		ret = check_module(kl);
	if (!ret) {
		ret = kexec_running_cmdline(&kl->running);
		if (ret)
			return ctl_fail_plain(kl->ctl, "kexec load: /proc/cmdline",
					      ret, NULL);
	}
	/* Without the pools' parameters first: they only add to it. */
	if (!ret)
		ret = compose(kl, NULL);
	if (!ret)
		ret = check_privileges(kl);
	if (!ret)
		ret = kexec_pools_get(kl->ctl, "kexec load", "nothing was loaded",
				      &kl->pools);
	return ret;
}

static int save_state(struct kload *kl)
{
	struct kexec_state st = {
		.kernel = (char *)kl->kernel, .release = kl->bz.release,
		.initrd = (char *)kl->initrd, .cmdline = kl->cmdline,
		.pools = kl->pools,
	};
	char what[600];
	int ret;

	ret = kexec_state_save(&st);
	if (!ret)
		return 0;
	snprintf(what, sizeof(what), "kexec load: writing %s",
		 kexec_state_path());
	return ctl_fail_plain(kl->ctl, what, ret, "nothing was loaded");
}

static int load_kernel(struct kload *kl)
{
	unsigned long flags = kl->initrd ? 0 : KEXEC_FILE_NO_INITRAMFS;
	char what[600];
	int ret;

	ret = kexec_file_load_fd(kl->kfd, kl->initrd ? kl->ifd : -1,
				 kl->cmdline, flags);
	if (!ret)
		return 0;
	snprintf(what, sizeof(what), "kexec load: kexec_file_load %s",
		 kl->kernel);
	return ctl_fail_plain(kl->ctl, what, ret, kexec_load_hint(ret));
}

/* Seal, record, load; each failure undoes the steps before it. */
static int load(struct kload *kl)
{
	int ret;

	ret = kexec_seal(kl->ctl, "kexec load", "nothing was loaded",
			 &kl->pools, &kl->seal_params);
	if (ret)
		return ret;
	ret = compose(kl, kl->seal_params);
	if (!ret)
		ret = save_state(kl);
	if (!ret) {
		ret = load_kernel(kl);
		if (ret)
			kexec_state_remove();
	}
	if (ret)
		kexec_unseal_sealed_here(kl->ctl, &kl->pools);
	return ret;
}

static void print_json(const struct kload *kl)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *pools = json_object_new_array();
	size_t i;

	json_object_object_add(obj, "kernel",
			       json_object_new_string(kl->kernel));
	json_object_object_add(obj, "release",
			       json_object_new_string(kl->bz.release));
	json_object_object_add(obj, "initrd", kl->initrd ?
			       json_object_new_string(kl->initrd) : NULL);
	json_object_object_add(obj, "module", kl->module ?
			       json_object_new_string(kl->module) : NULL);
	json_object_object_add(obj, "cmdline",
			       json_object_new_string(kl->cmdline));
	json_object_object_add(obj, "sealed",
			       json_object_new_boolean(kl->pools.n > 0));
	for (i = 0; i < kl->pools.n; i++)
		json_object_array_add(pools, json_object_new_string(
						kl->pools.pool[i].name));
	json_object_object_add(obj, "pools", pools);
	ctl_json_print(obj);
}

static void print_text(const struct kload *kl)
{
	size_t i;

	printf("loaded %s (release %s)\n  initrd: %s\n  vmpkram module: %s\n",
	       kl->kernel, kl->bz.release, kl->initrd ? kl->initrd : "none",
	       kl->module ? kl->module : "none (--force)");
	if (!kl->pools.n)
		printf("  pools: none attached\n");
	for (i = 0; i < kl->pools.n; i++)
		printf("%s%s", i ? " " : "  pools: ", kl->pools.pool[i].name);
	if (kl->pools.n)
		printf(", sealed (metadata changes fail with EROFS until kexec exec or kexec unload)\n");
	printf("  command line: %s\nBoot it with: " PROG " kexec exec (or systemctl kexec)\n",
	       kl->cmdline);
}

static int get_options(struct kload *kl, const struct ctl_args *args)
{
	const struct ctl_cmd *cmd = kl->cmd;

	kl->kernel = ctl_opt(cmd, args, 'k');
	kl->initrd = ctl_opt(cmd, args, 'i');
	kl->append = ctl_opt(cmd, args, 'a');
	kl->explicit = ctl_opt(cmd, args, 'c');
	kl->force = ctl_opt(cmd, args, 'f');
	if (!kl->kernel)
		return ctl_usage_error(kl->ctl, cmd, "--kernel is required");
	return -1;
}

CMD(kexec_load)
{
	struct kload kl = { .ctl = ctl, .cmd = cmd, .kfd = -1, .ifd = -1 };
	int ret;

	ret = get_options(&kl, args);
	if (ret >= 0)
		return ret;
	ret = prepare(&kl);
	if (!ret)
		ret = load(&kl);
	if (!ret && ctl->json)
		print_json(&kl);
	else if (!ret)
		print_text(&kl);
	if (kl.kfd >= 0)
		close(kl.kfd);
	if (kl.ifd >= 0)
		close(kl.ifd);
	kexec_pools_free(&kl.pools);
	free(kl.seal_params);
	free(kl.module);
	free(kl.running);
	free(kl.cmdline);
	return ret;
}
