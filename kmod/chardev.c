// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vmpkram: ioctls that act on the caller's own address space.
 *
 * Every ioctl argument is a size-first struct (see the uAPI header).  The
 * dispatcher below does the size handling once for all of them, the way
 * iommufd does: it reads the caller's size, copies the struct with
 * copy_struct_from_user() (which zero-fills a short struct and rejects a
 * non-zero tail of a long one), calls the handler on a kernel copy and
 * writes back as many bytes as the caller knows about.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "vmpkram.h"

union vmpkram_ioctl_arg {
	struct vmpkram_api api;
	struct vmpkram_prefault prefault;
};

struct vmpkram_ioctl_op {
	unsigned int cmd;
	size_t size;		/* the kernel's struct size */
	size_t min_size;	/* the first released version of the struct */
	bool out_on_error;	/* write back output fields on failure too */
	int (*handler)(void *arg);
};

#define VMPKRAM_IOCTL_OP(_cmd, _fn, _struct, _last, _out_on_error)	\
	{								\
		.cmd = _cmd,						\
		.size = sizeof(_struct),				\
		.min_size = offsetofend(_struct, _last),		\
		.out_on_error = _out_on_error,				\
		.handler = _fn,						\
	}

static int vmpkram_ioctl_get_api(void *arg)
{
	struct vmpkram_api *api = arg;

	if (api->flags || api->__reserved)
		return -EINVAL;

	api->api_version = VMPKRAM_API_VERSION;
	api->features = VMPKRAM_FEATURES;
	api->max_workers = vmpkram_max_workers();
	api->workers_limit = VMPKRAM_WORKERS_LIMIT;
	return 0;
}

static const struct vmpkram_ioctl_op vmpkram_ioctl_ops[] = {
	VMPKRAM_IOCTL_OP(VMPKRAM_IOC_GET_API, vmpkram_ioctl_get_api,
			 struct vmpkram_api, workers_limit, false),
	/* Reports how much was done even when it fails. */
	VMPKRAM_IOCTL_OP(VMPKRAM_IOC_PREFAULT, vmpkram_ioctl_prefault,
			 struct vmpkram_prefault, mem_fd, true),
};

static const struct vmpkram_ioctl_op *vmpkram_ioctl_find(unsigned int cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vmpkram_ioctl_ops); i++)
		if (vmpkram_ioctl_ops[i].cmd == cmd)
			return &vmpkram_ioctl_ops[i];
	return NULL;
}

static long vmpkram_ioctl(struct file *file, unsigned int cmd,
			  unsigned long uarg)
{
	const struct vmpkram_ioctl_op *op;
	void __user *uptr = (void __user *)uarg;
	union vmpkram_ioctl_arg karg;
	u32 usize;
	int ret;

	op = vmpkram_ioctl_find(cmd);
	if (!op)
		return -ENOTTY;

	if (get_user(usize, (u32 __user *)uptr))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	/* Bounds the work copy_struct_from_user() does checking the tail. */
	if (usize > PAGE_SIZE)
		return -E2BIG;

	ret = copy_struct_from_user(&karg, op->size, uptr, usize);
	if (ret)
		return ret;

	ret = op->handler(&karg);
	if (ret && !op->out_on_error)
		return ret;

	if (copy_to_user(uptr, &karg, min_t(size_t, usize, op->size)))
		return ret ?: -EFAULT;
	return ret;
}

static const struct file_operations vmpkram_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vmpkram_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * World-accessible: every call acts on the caller's own memory, or on a
 * process whose /proc/PID/mem the caller could open (the kernel's ptrace
 * check); kernel workers only for CAP_SYS_RESOURCE (job.c).
 */
static struct miscdevice vmpkram_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = VMPKRAM_DEVICE_NAME,
	.fops = &vmpkram_fops,
	.mode = 0666,
};

int vmpkram_chardev_init(void)
{
	int ret;

	ret = misc_register(&vmpkram_miscdev);
	if (ret)
		pr_err("cannot register /dev/%s: %d\n", VMPKRAM_DEVICE_NAME, ret);
	return ret;
}

void vmpkram_chardev_exit(void)
{
	misc_deregister(&vmpkram_miscdev);
}
