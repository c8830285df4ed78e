// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl's command table and dispatcher.  The table is the one
 * description of every command: the parser (args.c) takes its options
 * from it, --help is printed from it, and the host tests check the man
 * page against it.  Exit status: 0 success, 1 runtime error, 2 bad usage.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmpkramctl.h"

#define NR(a)	(sizeof(a) / sizeof((a)[0]))

static const struct ctl_cmd pool_cmds[] = {
	{
		.name = "pool status",
		.args = "[NAME]",
		.max_args = 1,
		.summary = "Show the attached pools, or pool NAME.",
		.help =
"For each pool: state (unformatted, damaged, ready, sealed) and, when it\n"
"is not usable, the reason and what to do; base address and size; UUID,\n"
"metadata generation, whether the previous kernel left it clean, the last\n"
"seal time; space for files (used, free, largest free run, still to be\n"
"scrubbed), files and whether a vmpkramfs is mounted on it.\n"
"\n"
"Needs CAP_SYS_ADMIN.  With --json: {\"pools\": [...]}.\n",
		.run = cmd_pool_status,
	},
	{
		.name = "pool format",
		.args = "NAME [--yes]",
		.max_args = 1,
		.summary = "Erase pool NAME: fresh, empty metadata with a new UUID.",
		.opts = (const struct ctl_opt[]){
			{ "yes", 'y', NULL,
			  "erase without asking; required when standard input\n"
			  "or standard error is not a terminal" },
			{ },
		},
		.help =
"Every file of the pool is destroyed; the command says how many and how\n"
"much data, and asks first at a terminal.  The only way to make an\n"
"unformatted or damaged pool usable: pools are never formatted\n"
"implicitly.  Refused (EBUSY) while a vmpkramfs is mounted on the pool.\n"
"Data blocks are zeroed in the background before any file gets them.\n"
"Needs CAP_SYS_ADMIN.\n",
		.run = cmd_pool_format,
	},
	{
		.name = "pool seal",
		.args = "[NAME]",
		.max_args = 1,
		.summary = "Prepare pool NAME (default: every pool) for kexec.",
		.help =
"Waits for background scrubbing (with a progress bar when standard error\n"
"is a terminal), records the metadata as clean with the seal time, and\n"
"refuses metadata changes (create, delete, rename, chmod, chown, size\n"
"changes fail with EROFS) until 'pool unseal'.  File contents stay\n"
"writable.\n"
"\n"
"Prints the kernel command-line parameters the next kernel needs for the\n"
"pools (memmap= and vmpkram.pool=, for every attached pool when no NAME\n"
"is given).  'kexec load' seals by itself.  Needs CAP_SYS_ADMIN.\n",
		.run = cmd_pool_seal,
	},
	{
		.name = "pool unseal",
		.args = "[NAME]",
		.max_args = 1,
		.summary = "Allow metadata changes on pool NAME (default: every pool) again.",
		.help = "A pool that is not sealed is not an error.  Needs CAP_SYS_ADMIN.\n",
		.run = cmd_pool_unseal,
	},
	{
		.name = "pool attach",
		.args = "NAME SIZE@ADDR",
		.max_args = 2,
		.summary = "Attach the reserved range SIZE@ADDR as pool NAME.",
		.help =
"SIZE@ADDR as in vmpkram.pool=, e.g. 512M@0x40000000: numbers in decimal\n"
"or 0x hex with an optional K, M, G or T suffix, both multiples of 2M,\n"
"SIZE from 4M to 4T.  The range must be reserved at boot with\n"
"memmap=SIZE$ADDR and hold no System RAM.  Valid metadata found there is\n"
"adopted; otherwise the pool is attached unformatted or damaged (with the\n"
"reason) and is never formatted implicitly.  Prints the pool.\n"
"Needs CAP_SYS_ADMIN; a range vmpkram.pool= did not name is raw physical\n"
"memory, as /dev/mem is: it also needs CAP_SYS_RAWIO, and is refused under\n"
"kernel lockdown.\n",
		.run = cmd_pool_attach,
	},
	{
		.name = "pool detach",
		.args = "NAME",
		.max_args = 1,
		.summary = "Detach pool NAME; its memory keeps its contents.",
		.help =
"Waits for background scrubbing, records a clean shutdown (when the pool\n"
"is ready) and releases the range, which can be attached again.  Refused\n"
"(EBUSY) while a vmpkramfs is mounted on it.  Needs CAP_SYS_ADMIN.\n",
		.run = cmd_pool_detach,
	},
	{
		.name = "pool check",
		.args = "NAME",
		.max_args = 1,
		.summary = "Check the metadata of pool NAME; say what a repair would do.",
		.help =
"Reads both metadata slots of the pool and shows each check of each slot\n"
"(magic, checksums, layout version, address and size, geometry, reserved\n"
"fields, generation, file table, block map) with its result, and what\n"
"'pool repair' would do: nothing (the pool is not damaged), adopt the\n"
"newest complete and consistent slot and rewrite the other from it,\n"
"salvage (keep the files whose entries and blocks are consistent, drop\n"
"the others, listed with the reason), or refuse (and why).  Writes\n"
"nothing to the pool, whatever its state.  Needs CAP_SYS_ADMIN.\n"
"With --json: {\"name\", \"state\", \"slots\": [...], \"repair\": {...}}.\n",
		.run = cmd_pool_check,
	},
	{
		.name = "pool repair",
		.args = "NAME [--yes]",
		.max_args = 1,
		.summary = "Repair the metadata of damaged pool NAME, as 'pool check' plans it.",
		.opts = (const struct ctl_opt[]){
			{ "yes", 'y', NULL,
			  "repair without asking; required when standard input\n"
			  "or standard error is not a terminal" },
			{ },
		},
		.help =
"Shows the plan of 'pool check' and asks before it writes anything.\n"
"Adopts the newest slot that passes every check and rewrites the other\n"
"from it; when neither passes, keeps the files whose entries and blocks\n"
"are consistent and drops the rest (their blocks are freed and zeroed).\n"
"Refused when there is nothing to start from: no metadata, metadata of\n"
"another address or size (fix memmap= and vmpkram.pool= instead), a\n"
"newer layout, the slots of two pools.  A pool that is not damaged is\n"
"left alone (no --yes needed to be told so).  Pools are never repaired\n"
"implicitly.  Needs CAP_SYS_ADMIN.\n",
		.run = cmd_pool_repair,
	},
};

static const struct ctl_cmd kexec_cmds[] = {
	{
		.name = "kexec load",
		.args = "--kernel FILE [--initrd FILE] [--append ARGS] [--command-line ARGS] [--force]",
		.max_args = 0,
		.summary = "Load a kernel to boot with kexec, and seal the pools for it.",
		.opts = (const struct ctl_opt[]){
			{ "kernel", 'k', "FILE",
			  "the kernel image (bzImage), e.g. /boot/vmlinuz-R" },
			{ "initrd", 'i', "FILE",
			  "its initramfs (none when not given)" },
			{ "append", 'a', "ARGS",
			  "added at the end of the command line" },
			{ "command-line", 'c', "ARGS",
			  "the command line to start from, instead of the\n"
			  "running kernel's (/proc/cmdline)" },
			{ "force", 'f', NULL,
			  "load even if the kernel has no vmpkram module" },
			{ },
		},
		.help =
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
		.max_args = 0,
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
		.max_args = 0,
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

static const struct ctl_cmd commands[] = {
	{
		.name = "status",
		.args = "",
		.max_args = 0,
		.summary = "Show whether the module is loaded and, if it is, its state.",
		.help =
"A module that is not loaded is reported as such (exit status 0); status\n"
"never loads it.\n",
		.run = cmd_status,
	},
	{
		.name = "load",
		.args = "[PARAM=VALUE ...]",
		.max_args = -1,
		.summary = "Load the vmpkram module, with optional module parameters.",
		.help =
"Parameters (each checked against the module's own list):\n"
"  max_workers=N   workers per job, 0 = one per online CPU (default),\n"
"                  at most 1024\n"
"  pool=[NAME:]SIZE@ADDR[,...]\n"
"                  persistent pools to attach, in ranges reserved with\n"
"                  memmap=SIZE$ADDR (usually given on the kernel\n"
"                  command line as vmpkram.pool=)\n"
"\n"
"Fails if the module is already loaded.  Needs CAP_SYS_MODULE.\n",
		.run = cmd_load,
	},
	{
		.name = "unload",
		.args = "",
		.max_args = 0,
		.summary = "Unload the vmpkram module.",
		.help =
"Fails while a program holds /dev/vmpkram open or a vmpkramfs is\n"
"mounted.  Needs CAP_SYS_MODULE.\n",
		.run = cmd_unload,
	},
	{
		.name = "set",
		.args = "max-workers N",
		.max_args = -1,
		.summary = "Change a run-time parameter of the loaded module.",
		.help =
"Parameters:\n"
"  max-workers N   workers per job for jobs started afterwards, 0..1024;\n"
"                  0 restores the default, one per online CPU\n"
"\n"
"Never loads the module.  Needs CAP_SYS_ADMIN.  Subscribers of 'monitor'\n"
"see the new status.\n",
		.run = cmd_set,
	},
	{
		.name = "prefault",
		.args = "--range RANGE --pid PID | --file PATH [--pid PID] [--threads N] [--read|--zero]",
		.max_args = 0,
		.summary = "Populate memory of a process or a file with kernel workers.",
		.opts = (const struct ctl_opt[]){
			{ "range", 'r', "RANGE",
			  "START-END or START+LEN in the address space of --pid;\n"
			  "numbers in decimal or 0x hex, LEN with an optional\n"
			  "K, M, G or T suffix (binary); page aligned" },
			{ "file", 'f', "PATH",
			  "with --pid: every writable mapping of PATH in that\n"
			  "process (matched by device and inode), e.g. a QEMU\n"
			  "memory-backend file; without --pid: the whole file,\n"
			  "mapped shared here, so that its pages (tmpfs,\n"
			  "hugetlbfs) are allocated before QEMU starts" },
			{ "pid", 'p', "PID",
			  "the process (needs CAP_SYS_PTRACE unless it is ours)" },
			{ "threads", 't', "N",
			  "kernel workers, the calling thread included;\n"
			  "0 = the module's max-workers (default), at most 1024" },
			{ "read", 'R', NULL,
			  "populate for read only (no copy-on-write breaking)" },
			{ "zero", 'Z', NULL,
			  "populate for write and zero every byte" },
			{ },
		},
		.help =
"Prints the bytes, seconds and GB/s (10^9 bytes per second); with --json\n"
"also per-range results and job ids.  A progress bar goes to stderr when\n"
"it is a terminal.\n",
		.run = cmd_prefault,
	},
	{
		.name = "pool",
		.args = "<subcommand> [<args>]",
		.summary = "Show, check, repair, format, seal, attach or detach persistent pools.",
		.subs = pool_cmds,
		.nr_subs = NR(pool_cmds),
	},
	{
		.name = "ls",
		.args = "[POOL] [--extents]",
		.max_args = 1,
		.summary = "List the files of the pools, with their physical extents.",
		.opts = (const struct ctl_opt[]){
			{ "extents", 'e', NULL,
			  "also each extent: file offset, length, physical address" },
			{ },
		},
		.help =
"Lists the files of POOL, or of every pool (unformatted and damaged ones\n"
"have none), sorted by name: inode number, mode, owner, group, size in\n"
"bytes, modification time and name.  Files deleted while still open or\n"
"mapped are listed as (deleted).  Needs CAP_SYS_ADMIN: extents name\n"
"physical addresses.\n",
		.run = cmd_ls,
	},
	{
		.name = "kexec",
		.args = "<subcommand> [<args>]",
		.summary = "Load and boot another kernel with the pools intact.",
		.subs = kexec_cmds,
		.nr_subs = NR(kexec_cmds),
	},
	{
		.name = "monitor",
		.args = "[--count N] [--timeout SEC]",
		.max_args = 0,
		.summary = "Print module events as they arrive.",
		.opts = (const struct ctl_opt[]){
			{ "count", 'c', "N", "exit after N events" },
			{ "timeout", 't', "SEC", "exit after SEC seconds" },
			{ },
		},
		.help =
"Status changes, jobs and pool changes (attached, detached, formatted,\n"
"sealed, unsealed).  Runs until interrupted otherwise.  Events the kernel\n"
"could not deliver (a full receive queue) or that do not parse are\n"
"warned about on standard error, and monitoring goes on.  Never loads the\n"
"module.  With --json, one object per line.\n",
		.run = cmd_monitor,
	},
};

const struct ctl_cmd *ctl_commands(size_t *n)
{
	*n = NR(commands);
	return commands;
}

static void usage(void)
{
	size_t i;

	printf("Usage: " PROG " [--json] <command> [<args>]\n"
	       "       " PROG " --help | --version\n\n"
	       "Commands:\n");
	for (i = 0; i < NR(commands); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].summary);
	printf("\nOptions (before or after the command):\n"
	       "  -j, --json     machine-readable JSON output\n"
	       "  -h, --help     show this help, or the command's\n"
	       "  -V, --version  show the version\n\n"
	       "Run '" PROG " <command> --help' for a command's arguments.\n");
}

static const struct ctl_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int bad_usage(const char *format, ...)
	__attribute__((format(printf, 1, 2)));

static int bad_usage(const char *format, ...)
{
	va_list args;

	fprintf(stderr, PROG ": ");
	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
	fprintf(stderr, "\nUsage: " PROG " [--json] <command> [<args>]\n"
		"Try '" PROG " --help'.\n");
	return EXIT_USAGE;
}

/* @cmd (or its subcommand) with its command line at argv[0]. */
static int run(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	       char **argv)
{
	struct ctl_args args;
	char *name;
	int i, ret;

	if (cmd->subs) {
		i = ctl_group_find(ctl, cmd, argc, argv, &cmd, &ret);
		if (i < 0)
			return ret;
		/* The subcommand's line: its name, then everything else. */
		name = argv[i];
		memmove(argv + 2, argv + 1, (i - 1) * sizeof(*argv));
		argv[1] = name;
		argc--;
		argv++;
	}
	ret = ctl_parse(ctl, cmd, argc, argv, &args);
	if (ret < 0)
		ret = cmd->run(ctl, cmd, &args);
	ctl_args_free(&args);
	return ret;
}

int ctl_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
		{ }
	};
	const struct ctl_cmd *cmd;
	struct ctl ctl = { 0 };
	int c, ret;

	opterr = 0;
	/* "+": stop at the command, whose own options follow it. */
	while ((c = getopt_long(argc, argv, "+hVj", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage();
			return EXIT_SUCCESS;
		case 'V':
			ctl_print_version();
			return EXIT_SUCCESS;
		case 'j':
			ctl.json = true;
			break;
		default:
			return bad_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bad_usage("no command given");

	cmd = find_command(argv[optind]);
	if (!cmd)
		return bad_usage("unknown command '%s'", argv[optind]);
	ret = run(&ctl, cmd, argc - optind, argv + optind);
	vmpkram_unref(ctl.lib);
	return ret;
}
