// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl: control the vmpkram kernel module.
 *
 * Global options come before the command; each command parses its own
 * arguments and has its own --help.  Exit status: 0 success, 1 runtime
 * error, 2 bad usage.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmpkramctl.h"

static const struct ctl_cmd commands[] = {
	{
		.name = "status",
		.args = "",
		.summary = "Show whether the module is loaded and, if it is, its state.",
		.help =
"A module that is not loaded is reported as such (exit status 0); status\n"
"never loads it.\n",
		.run = cmd_status,
	},
	{
		.name = "load",
		.args = "[PARAM=VALUE ...]",
		.summary = "Load the vmpkram module, with optional module parameters.",
		.help =
"Parameters:\n"
"  max_workers=N   workers per job, 0 = one per online CPU (default),\n"
"                  at most 1024\n"
"\n"
"Fails if the module is already loaded.  Needs CAP_SYS_MODULE.\n",
		.run = cmd_load,
	},
	{
		.name = "unload",
		.args = "",
		.summary = "Unload the vmpkram module.",
		.help = "Fails while /dev/vmpkram is open.  Needs CAP_SYS_MODULE.\n",
		.run = cmd_unload,
	},
	{
		.name = "set",
		.args = "max-workers N",
		.summary = "Change a run-time parameter of the loaded module.",
		.help =
"Parameters:\n"
"  max-workers N   workers per job for jobs started afterwards, 0..1024;\n"
"                  0 restores the default, one per online CPU\n"
"\n"
"Needs CAP_SYS_ADMIN.  Subscribers of 'monitor' see the new status.\n",
		.run = cmd_set,
	},
	{
		.name = "prefault",
		.args = "--range START-END|START+LEN --pid PID | --file PATH [--pid PID] [--threads N] [--read|--zero]",
		.summary = "Populate memory of a process or a file with kernel workers.",
		.help =
"What to populate:\n"
"  -r, --range RANGE  START-END or START+LEN in the address space of --pid;\n"
"                     numbers in decimal or 0x hex, LEN with an optional\n"
"                     K, M, G or T suffix (binary); page aligned\n"
"  -f, --file PATH    with --pid: every writable mapping of PATH in that\n"
"                     process (matched by device and inode), e.g. a QEMU\n"
"                     memory-backend file; without --pid: the whole file,\n"
"                     mapped shared here, so that its pages (tmpfs,\n"
"                     hugetlbfs) are allocated before QEMU starts\n"
"  -p, --pid PID      the process (needs CAP_SYS_PTRACE unless it is ours)\n"
"\n"
"How:\n"
"  -t, --threads N    kernel workers, the calling thread included;\n"
"                     0 = the module's max-workers (default), at most 1024\n"
"  -R, --read         populate for read only (no copy-on-write breaking)\n"
"  -Z, --zero         populate for write and zero every byte\n"
"  -h, --help         show this help\n"
"\n"
"Prints bytes, seconds and GB/s (10^9 bytes per second); with --json also\n"
"per-range results and job ids.  A progress bar goes to stderr when it is\n"
"a terminal.\n",
		.run = cmd_prefault,
	},
	{
		.name = "pool",
		.args = "<subcommand> [<args>]",
		.summary = "Show, check, repair, format, seal, attach or detach persistent pools.",
		.help = "",
		.run = cmd_pool,
	},
	{
		.name = "ls",
		.args = "[POOL] [--extents]",
		.summary = "List the files of the pools, with their physical extents.",
		.help =
"Options:\n"
"  -e, --extents  also each extent: file offset, physical address, length\n"
"  -h, --help     show this help\n"
"\n"
"Lists the files of POOL, or of every ready or sealed pool: mode, owner,\n"
"group, size in bytes, modification time, inode number and name.  Files\n"
"deleted while still open or mapped are listed as (deleted).\n"
"Needs CAP_SYS_ADMIN: extents name physical addresses.\n",
		.run = cmd_ls,
	},
	{
		.name = "kexec",
		.args = "<subcommand> [<args>]",
		.summary = "Load and boot another kernel with the pools intact.",
		.help = "",
		.run = cmd_kexec,
	},
	{
		.name = "monitor",
		.args = "[--count N] [--timeout SEC]",
		.summary = "Print module events as they arrive.",
		.help =
"Options:\n"
"  -c, --count N      exit after N events\n"
"  -t, --timeout SEC  exit after SEC seconds\n"
"  -h, --help         show this help\n"
"\n"
"Status changes, jobs and pool changes (attached, detached, formatted,\n"
"sealed, unsealed).  Runs until interrupted otherwise.  With --json, one\n"
"object per line.\n",
		.run = cmd_monitor,
	},
};

#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void usage(void)
{
	size_t i;

	printf("Usage: " PROG " [--json] <command> [<args>]\n"
	       "       " PROG " --help | --version\n\n"
	       "Commands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].summary);
	printf("\nOptions:\n"
	       "  -j, --json     machine-readable JSON output\n"
	       "  -h, --help     show this help\n"
	       "  -V, --version  show the version\n\n"
	       "Run '" PROG " <command> --help' for a command's arguments.\n");
}

static const struct ctl_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
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

int main(int argc, char **argv)
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
	while ((c = getopt_long(argc, argv, "+hVj", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage();
			return EXIT_SUCCESS;
		case 'V':
			printf(PROG " " VMPKRAM_VERSION " (API %d)\n",
			       VMPKRAM_API_VERSION);
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

	/* The command sees itself as argv[0]; optind = 0 resets getopt. */
	argc -= optind;
	argv += optind;
	optind = 0;
	ret = cmd->run(&ctl, cmd, argc, argv);
	vmpkram_unref(ctl.lib);
	return ret;
}
