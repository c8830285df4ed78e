// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl kexec SUBCOMMAND: boot another kernel with the pools intact.
 * Loading uses kexec_file_load(2) only: kexec-tools' kexec_load path takes
 * free memory from /sys/firmware/memmap, where a memmap= reserved range
 * still shows as RAM, and can place the new kernel inside a pool.
 */
#include <errno.h>

#include "kexec.h"

static const struct ctl_cmd kexec_cmds[] = {
	{
		.name = "kexec load",
		.args = "--kernel FILE [--initrd FILE] [--append ARGS] [--command-line ARGS] [--force]",
		.summary = "Load a kernel to boot with kexec, and seal the pools for it.",
		.help =
"Options:\n"
"  -k, --kernel FILE        the kernel image (bzImage), e.g. /boot/vmlinuz-R\n"
"  -i, --initrd FILE        its initramfs (none when not given)\n"
"  -a, --append ARGS        added at the end of the command line\n"
"  -c, --command-line ARGS  the command line to start from, instead of the\n"
"                           running kernel's (/proc/cmdline)\n"
"  -f, --force              load even if the kernel has no vmpkram module\n"
"  -h, --help               show this help\n"
"\n"
"The next command line is the running one (without BOOT_IMAGE= and\n"
"initrd=) or --command-line, plus every memmap= and vmpkram.* parameter of\n"
"the running command line it lacks, plus the parameters the pool seal\n"
"returns for the pools attached now, then --append.\n"
"\n"
"Checked before anything changes: both files readable, the image a 64-bit\n"
"bzImage, the command line short enough for it, CAP_SYS_BOOT, kexec not\n"
"disabled, a vmpkram module installed for the image's release under\n"
"/lib/modules/RELEASE (make dkms-install, or make install KVER=RELEASE;\n"
"--force skips this check only), and which pools are attached (a failure\n"
"to tell refuses the load).  Then every pool is sealed, the load recorded\n"
"in /run/vmpkramctl/kexec.json for kexec exec, and the kernel loaded with\n"
"kexec_file_load(2); if a step fails, the steps before it are undone and\n"
"nothing has changed.\n",
		.run = cmd_kexec_load,
	},
	{
		.name = "kexec exec",
		.args = "",
		.summary = "Boot the loaded kernel now.",
		.help =
"Refused unless a kernel is loaded (/sys/kernel/kexec_loaded), when the\n"
"pools attached now are not the ones 'kexec load' recorded in this boot\n"
"(a pool attached since is not on the loaded command line), when pools\n"
"are attached and no 'kexec load' of this boot recorded the kernel, or\n"
"when the pools cannot be listed.  Seals every pool again (a no-op when\n"
"'kexec load' did), syncs the filesystems and reboots into the loaded\n"
"kernel at once: services are not stopped, so on a systemd host prefer\n"
"'systemctl kexec' after 'kexec load'.  Needs CAP_SYS_BOOT.\n",
		.run = cmd_kexec_exec,
	},
	{
		.name = "kexec unload",
		.args = "",
		.summary = "Unload the loaded kernel and unseal every pool.",
		.help =
"Undoes 'kexec load': the loaded kernel is dropped (not an error when none\n"
"is loaded), its record removed and every pool accepts metadata changes\n"
"again.  Once the kernel is unloaded the other steps are done even if one\n"
"fails; each failure is reported (exit status 1) with what to do.\n"
"Needs CAP_SYS_BOOT (and CAP_SYS_ADMIN for the pools).\n",
		.run = cmd_kexec_unload,
	},
};

const char *kexec_load_hint(int error)
{
	switch (error) {
	case -EPERM:
		return "needs CAP_SYS_BOOT; kexec may also be disabled (/proc/sys/kernel/kexec_load_disabled) or refused by lockdown";
	case -EKEYREJECTED:
	case -ENOKEY:
	case -EBADMSG:
	case -EKEYEXPIRED:
		return "the running kernel only loads signed images (lockdown or KEXEC_SIG_FORCE) and rejected this one: use a kernel signed with a trusted key";
	case -ENOEXEC:
		return "the running kernel cannot load this image (not a 64-bit bzImage it accepts)";
	case -EBUSY:
		return "another kexec load is in progress: try again";
	case -ENOMEM:
	case -EADDRNOTAVAIL:
		return "no room for the kernel and initrd in memory outside the reserved ranges";
	case -EINVAL:
		return "the kernel refused the image or the command line (see dmesg)";
	case -ENOSYS:
		return "this kernel has no kexec_file_load (CONFIG_KEXEC_FILE)";
	default:
		return NULL;
	}
}

int cmd_kexec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	      char **argv)
{
	return ctl_group(ctl, cmd, kexec_cmds,
			 sizeof(kexec_cmds) / sizeof(kexec_cmds[0]), argc,
			 argv);
}
