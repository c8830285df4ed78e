// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkram-qemu: QEMU guests whose RAM lives in a vmpkramfs file, kept
 * across a host kernel update by kexec: launch, save, update, resume,
 * status.  Global options come before the command; each command parses
 * its own.  Exit status: see vq.h and the man page.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "vq.h"

static const struct vq_cmd commands[] = {
	{
		.name = "launch",
		.args = "NAME [--mem SIZE [--pool P | --dir DIR]] [--qemu BIN] [--prefault N] [--allow-cpu-host] [--state-size SIZE] [--force] -- QEMU-ARGS...",
		.summary = "Start a guest under QEMU, its RAM in the file NAME of a pool.",
		.help =
"Options:\n"
"  -m, --mem SIZE         guest RAM in the file NAME in the pool's directory\n"
"                         (memory-backend-file, share=on, align=2M), a multiple\n"
"                         of 2 MiB; without it the guest's RAM is whatever\n"
"                         QEMU-ARGS say, and it cannot be saved or updated\n"
"  -p, --pool P           the pool whose vmpkramfs mount holds the files\n"
"                         (default: the only pool mounted)\n"
"  -d, --dir DIR          put the files in DIR instead (a vmpkramfs mount, or\n"
"                         for tests any directory: then RAM survives a QEMU\n"
"                         restart but not a kexec, and update refuses the guest)\n"
"  -q, --qemu BIN         the QEMU binary or a wrapper (default\n"
"                         qemu-system-x86_64 on PATH)\n"
"  -P, --prefault N       start QEMU paused, populate the guest's RAM with N\n"
"                         kernel workers (VMPKRAM_IOC_PREFAULT), then run it:\n"
"                         instead of -mem-prealloc\n"
"  -c, --allow-cpu-host   accept -cpu host or max (recorded, with a warning)\n"
"  -s, --state-size SIZE  room for the device state, reserved now (default 64M)\n"
"  -f, --force            replace the files of a guest that exited\n"
"  -h, --help             show this help\n"
"\n"
"Files: DIR/NAME (RAM), DIR/NAME.state (device state), DIR/NAME.manifest;\n"
"RUN_DIR/NAME/{qmp,pid,log}.  QEMU runs in the background; its output goes\n"
"to RUN_DIR/NAME/log.  Refused: another RAM backend, share=off, sizes that\n"
"differ from --mem, -mem-path, VFIO, -cpu host without --allow-cpu-host, and\n"
"the options the shim owns (-incoming, -daemonize, -pidfile, -loadvm,\n"
"-preconfig, -readconfig).  A machine alias (q35) is replaced by the\n"
"versioned type it stands for (pc-q35-7.2) and recorded.\n",
		.run = cmd_launch,
	},
	{
		.name = "save",
		.args = "NAME [--dir DIR]",
		.summary = "Stop a guest, save its device state, quit its QEMU.",
		.help =
"Options:\n"
"  -d, --dir DIR  also look for the guest in DIR\n"
"  -h, --help     show this help\n"
"\n"
"RAM stays in its file; the device state goes to DIR/NAME.state.  'resume\n"
"NAME' brings the guest back.  No kexec is involved: use update for that.\n",
		.run = cmd_save,
	},
	{
		.name = "update",
		.args = "--kernel K [--initrd I] [--command-line ARGS] [--append ARGS] [--no-exec] [--dir DIR]",
		.summary = "Save every running guest and kexec into another kernel.",
		.help =
"Options:\n"
"  -k, --kernel K            the kernel image to boot\n"
"  -i, --initrd I            its initramfs\n"
"  -a, --append ARGS         added to the next command line\n"
"  -c, --command-line ARGS   the whole next command line (vmpkramctl still\n"
"                            adds the pools' parameters)\n"
"  -n, --no-exec             stop after the save: leave the jump to\n"
"                            'vmpkramctl kexec exec' or 'systemctl kexec'\n"
"  -d, --dir DIR             also look for guests in DIR\n"
"  -h, --help                show this help\n"
"\n"
"1. 'vmpkramctl kexec load' (checks, seals the pools) before any guest stops;\n"
"2. every running guest, in parallel: stop, device state to its state file;\n"
"3. any failure before the jump: every stopped guest continues, the kernel is\n"
"   unloaded ('vmpkramctl kexec unload', which unseals the pools); exit 3;\n"
"4. quit every QEMU, then 'vmpkramctl kexec exec' unless --no-exec.\n"
"Every running guest must have its RAM in a pool.\n",
		.run = cmd_update,
	},
	{
		.name = "resume",
		.args = "NAME... | --all [--dir DIR]",
		.summary = "Start saved guests again and load their device state.",
		.help =
"Options:\n"
"  -a, --all      every saved guest found (mounted pools, RUN_DIR, --dir)\n"
"  -d, --dir DIR  also look for guests in DIR\n"
"  -h, --help     show this help\n"
"\n"
"Each guest's QEMU starts from its manifest with -incoming defer, loads the\n"
"device state, and continues; then its clock is set through the guest agent\n"
"if it has one.  Refused, with RAM and state left as they are: a guest that\n"
"is not saved (running, or resumed already), a missing, truncated or foreign\n"
"state file, another QEMU version, a changed machine type.  Reports the\n"
"downtime and the state size.\n",
		.run = cmd_resume,
	},
	{
		.name = "status",
		.args = "[--dir DIR]",
		.summary = "List the guests: state, QEMU, RAM, device state, downtime.",
		.help =
"Options:\n"
"  -d, --dir DIR  also look for guests in DIR\n"
"  -h, --help     show this help\n"
"\n"
"States: running (since launch), resumed (running since a resume), saved\n"
"(waiting for resume), exited (QEMU is gone without a save: the RAM file\n"
"holds what the guest had, the state file nothing usable).\n",
		.run = cmd_status,
	},
	{
		.name = "qmp",
		.args = "NAME COMMAND [ARGUMENTS]",
		.summary = "Send one QMP command to a guest's QEMU and print the answer.",
		.help =
"ARGUMENTS is a JSON object, e.g. '{\"fdname\": \"x\"}'.  The answer's\n"
"\"return\" value is printed as JSON; an error reply is exit status 1.\n"
"Example: " PROG " qmp vm1 query-status\n",
		.run = cmd_qmp,
	},
};

#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void usage(void)
{
	size_t i;

	printf("Usage: " PROG " [OPTIONS] <command> [<args>]\n\n"
	       "Commands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		printf("  %-7s %s\n", commands[i].name, commands[i].summary);
	printf("\nOptions:\n"
	       "  -j, --json           machine-readable JSON output\n"
	       "  -r, --run-dir DIR    QMP sockets, pid files and logs (default\n"
	       "                       $VMPKRAM_QEMU_RUN_DIR or " VQ_RUN_DIR ")\n"
	       "  -t, --timeout SEC    wait at most SEC for each QMP answer (default %d)\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n\n"
	       "Run '" PROG " <command> --help' for a command's arguments.\n",
	       VQ_TIMEOUT_DEFAULT);
}

static int bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, PROG ": %s '%s'\nUsage: " PROG " [OPTIONS] <command> [<args>]\nTry '" PROG " --help'.\n",
		what, arg);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ }
	};
	struct vq vq = { .timeout_ms = VQ_TIMEOUT_DEFAULT * 1000 };
	uint32_t sec;
	size_t i;
	int c, ret;

	vq.run_dir = getenv("VMPKRAM_QEMU_RUN_DIR");
	if (!vq.run_dir || !vq.run_dir[0])
		vq.run_dir = VQ_RUN_DIR;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hVjr:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage();
			return 0;
		case 'V':
			printf(PROG " " VMPKRAM_VERSION "\n");
			return 0;
		case 'j':
			vq.json = true;
			break;
		case 'r':
			if (optarg[0] != '/')
				return bad_usage("--run-dir needs an absolute path, not", optarg);
			vq.run_dir = optarg;
			break;
		case 't':
			if (parse_u32(optarg, 1, 86400, &sec))
				return bad_usage("--timeout takes 1 to 86400 seconds, not", optarg);
			vq.timeout_ms = sec * 1000;
			break;
		default:
			return bad_usage("unknown option", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bad_usage("no command given:", "");
	vq.progress = !vq.json && isatty(STDERR_FILENO);
	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, argv[optind]))
			break;
	if (i == NR_COMMANDS)
		return bad_usage("unknown command", argv[optind]);
	argc -= optind;
	argv += optind;
	optind = 0;
	/* A QEMU or vmpkramctl that goes away must not kill us mid-update. */
	signal(SIGPIPE, SIG_IGN);
	ret = commands[i].run(&vq, &commands[i], argc, argv);
	vq_json_error(&vq, ret);
	return ret;
}
