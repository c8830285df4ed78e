// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl kexec SUBCOMMAND: boot another kernel with the pools intact.
 * Loading uses kexec_file_load(2) only: kexec-tools' kexec_load path takes
 * free memory from /sys/firmware/memmap, where a memmap= reserved range
 * still shows as RAM, and can place the new kernel inside a pool.
 */
#include "vmpkramctl.h"

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
"disabled, and a vmpkram module installed for the image's release under\n"
"/lib/modules/RELEASE (make dkms-install, or make install KVER=RELEASE;\n"
"--force skips this check only).  Then every pool is sealed and the\n"
"kernel loaded with kexec_file_load(2); if loading fails, the pools\n"
"sealed here are unsealed again and nothing has changed.\n",
		.run = cmd_kexec_load,
	},
	{
		.name = "kexec exec",
		.args = "",
		.summary = "Boot the loaded kernel now.",
		.help =
"Refused unless a kernel is loaded (/sys/kernel/kexec_loaded).  Seals every\n"
"pool again (a no-op when 'kexec load' did), syncs the filesystems and\n"
"reboots into the loaded kernel at once: services are not stopped, so on a\n"
"systemd host prefer 'systemctl kexec' after 'kexec load'.\n"
"Needs CAP_SYS_BOOT.\n",
		.run = cmd_kexec_exec,
	},
	{
		.name = "kexec unload",
		.args = "",
		.summary = "Unload the loaded kernel and unseal every pool.",
		.help =
"Undoes 'kexec load': the loaded kernel is dropped (not an error when none\n"
"is loaded) and every pool accepts metadata changes again.\n"
"Needs CAP_SYS_BOOT (and CAP_SYS_ADMIN for the pools).\n",
		.run = cmd_kexec_unload,
	},
};

int cmd_kexec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	      char **argv)
{
	return ctl_group(ctl, cmd, kexec_cmds,
			 sizeof(kexec_cmds) / sizeof(kexec_cmds[0]), argc,
			 argv);
}
