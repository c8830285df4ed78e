// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl pool SUBCOMMAND: the persistent pools.  Every subcommand
 * needs the module loaded (none loads it: a module loaded as a side
 * effect would attach the command line's pools behind the operator's
 * back) and CAP_SYS_ADMIN, because pools name physical addresses.
 */
#include "vmpkramctl.h"

static const struct ctl_cmd pool_cmds[] = {
	{
		.name = "pool status",
		.args = "[NAME]",
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
		.summary = "Erase pool NAME: fresh, empty metadata with a new UUID.",
		.help =
"Options:\n"
"  -y, --yes    do not ask for confirmation (asked only when standard\n"
"               input and standard error are a terminal)\n"
"  -h, --help   show this help\n"
"\n"
"Every file of the pool is destroyed; the command says how many and how\n"
"much data.  The only way to make an unformatted or damaged pool usable:\n"
"pools are never formatted implicitly.  Refused (EBUSY) while a vmpkramfs\n"
"is mounted on the pool.  Data blocks are zeroed in the background before\n"
"any file gets them.  Needs CAP_SYS_ADMIN.\n",
		.run = cmd_pool_format,
	},
	{
		.name = "pool seal",
		.args = "[NAME]",
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
		.summary = "Allow metadata changes on pool NAME (default: every pool) again.",
		.help = "A pool that is not sealed is not an error.  Needs CAP_SYS_ADMIN.\n",
		.run = cmd_pool_unseal,
	},
	{
		.name = "pool attach",
		.args = "NAME SIZE@ADDR",
		.summary = "Attach the reserved range SIZE@ADDR as pool NAME.",
		.help =
"SIZE@ADDR as in vmpkram.pool=, e.g. 512M@0x40000000: numbers in decimal\n"
"or 0x hex with an optional K, M, G or T suffix, both multiples of 2M,\n"
"SIZE from 4M to 4T.  The range must be reserved at boot with\n"
"memmap=SIZE$ADDR and hold no System RAM.  Valid metadata found there is\n"
"adopted; otherwise the pool is attached unformatted or damaged (with the\n"
"reason) and is never formatted implicitly.  Prints the pool.\n"
"Needs CAP_SYS_ADMIN.\n",
		.run = cmd_pool_attach,
	},
	{
		.name = "pool detach",
		.args = "NAME",
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
		.summary = "Repair the metadata of damaged pool NAME, as 'pool check' plans it.",
		.help =
"Options:\n"
"  -y, --yes    do not ask for confirmation; required when standard\n"
"               input or standard error is not a terminal\n"
"  -h, --help   show this help\n"
"\n"
"Shows the plan of 'pool check' and asks before it writes anything.\n"
"Adopts the newest slot that passes every check and rewrites the other\n"
"from it; when neither passes, keeps the files whose entries and blocks\n"
"are consistent and drops the rest (their blocks are freed and zeroed).\n"
"Refused when there is nothing to start from: no metadata, metadata of\n"
"another address or size (fix memmap= and vmpkram.pool= instead), a\n"
"newer layout, the slots of two pools.  A pool that is not damaged is\n"
"left alone.  Pools are never repaired implicitly.  Needs CAP_SYS_ADMIN.\n",
		.run = cmd_pool_repair,
	},
};

int cmd_pool(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	     char **argv)
{
	return ctl_group(ctl, cmd, pool_cmds,
			 sizeof(pool_cmds) / sizeof(pool_cmds[0]), argc, argv);
}
