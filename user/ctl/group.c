// SPDX-License-Identifier: GPL-2.0-only
/*
 * Command groups ("pool", "kexec"): a second table dispatch, so that each
 * subcommand keeps its own file, synopsis and --help like the top-level
 * commands.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "vmpkramctl.h"

/* "pool status" -> "status" */
static const char *sub_name(const struct ctl_cmd *sub)
{
	const char *space = strchr(sub->name, ' ');

	return space ? space + 1 : sub->name;
}

static int group_help(const struct ctl_cmd *group,
		      const struct ctl_cmd *table, size_t n)
{
	char synopsis[128];
	size_t i;

	printf("Usage: " PROG " [--json] %s %s\n\n%s\n\nSubcommands:\n",
	       group->name, group->args, group->summary);
	for (i = 0; i < n; i++) {
		snprintf(synopsis, sizeof(synopsis), "%s%s%s", sub_name(&table[i]),
			 table[i].args[0] ? " " : "", table[i].args);
		printf("  %s\n      %s\n", synopsis, table[i].summary);
	}
	printf("\nRun '" PROG " %s <subcommand> --help' for its arguments.\n",
	       group->name);
	return EXIT_SUCCESS;
}

int ctl_group(struct ctl *ctl, const struct ctl_cmd *group,
	      const struct ctl_cmd *table, size_t n, int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return ctl_usage_error(ctl, group, "no subcommand given");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return group_help(group, table, n);
	for (i = 0; i < n; i++)
		if (!strcmp(sub_name(&table[i]), argv[1]))
			break;
	if (i == n)
		return ctl_usage_error(ctl, group, "unknown subcommand '%s'",
				       argv[1]);
	/* The subcommand sees itself as argv[0]; optind = 0 resets getopt. */
	optind = 0;
	return table[i].run(ctl, &table[i], argc - 1, argv + 1);
}
