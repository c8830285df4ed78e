// SPDX-License-Identifier: GPL-2.0-only
/*
 * One command-line parser for every command, from the options in the
 * command table: options and arguments in any order, "--" ends the
 * options, and the common options -h/--help, -j/--json and -V/--version
 * work everywhere.  --help is generated from the same table, so it
 * cannot drift from what the parser accepts.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "vmpkramctl.h"

const struct ctl_opt ctl_common_opts[] = {
	{ "json", 'j', NULL, "machine-readable JSON output" },
	{ "help", 'h', NULL, "show this help" },
	{ "version", 'V', NULL, "show the version" },
	{ }
};

static size_t nr_opts(const struct ctl_opt *opts)
{
	size_t n = 0;

	while (opts && opts[n].name)
		n++;
	return n;
}

void ctl_print_version(void)
{
	printf(PROG " " VMPKRAM_VERSION " (API %d)\n", VMPKRAM_API_VERSION);
}

const char *ctl_opt(const struct ctl_cmd *cmd, const struct ctl_args *args,
		    int key)
{
	size_t i;

	for (i = 0; i < nr_opts(cmd->opts); i++)
		if (cmd->opts[i].key == key)
			return args->val[i];
	return NULL;
}

void ctl_args_free(struct ctl_args *args)
{
	free(args->argv);
	memset(args, 0, sizeof(*args));
}

/* The getopt_long() tables for @cmd's options and the common ones. */
static void build(const struct ctl_cmd *cmd, struct option *longopts,
		  char *shortopts)
{
	const struct ctl_opt *sets[] = { cmd->opts, ctl_common_opts };
	size_t s, i, n = 0;
	char *p = shortopts;

	/* "-": arguments come back in order as 1; ":": missing values. */
	*p++ = '-';
	*p++ = ':';
	for (s = 0; s < 2; s++) {
		for (i = 0; i < nr_opts(sets[s]); i++) {
			const struct ctl_opt *o = &sets[s][i];

			longopts[n++] = (struct option){
				.name = o->name,
				.has_arg = o->arg ? required_argument :
						    no_argument,
				.val = o->key,
			};
			*p++ = o->key;
			if (o->arg)
				*p++ = ':';
		}
	}
	longopts[n] = (struct option){ 0 };
	*p = '\0';
}

static int bad_option(struct ctl *ctl, const struct ctl_cmd *cmd,
		      char **argv, int c)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		return ctl_usage_error(ctl, cmd, "option '%s' needs a value",
				       opt);
	if (optopt >= '0' && optopt <= '9')
		return ctl_usage_error(ctl, cmd,
				       "unknown option '-%c' (no value may be negative)",
				       optopt);
	if (optopt)
		return ctl_usage_error(ctl, cmd, "unknown option '-%c'",
				       optopt);
	return ctl_usage_error(ctl, cmd, "unknown option '%s'", opt);
}

/* A command option: its value (or "" for a flag) in args->val. */
static void set_value(const struct ctl_cmd *cmd, struct ctl_args *args,
		      int c)
{
	size_t i;

	for (i = 0; i < nr_opts(cmd->opts); i++)
		if (cmd->opts[i].key == c)
			args->val[i] = cmd->opts[i].arg ? optarg : "";
}

/*
 * 1 for a common option that was handled (-j), 0 for another option, or
 * the exit status + 2 when the command is done (-h, -V).
 */
static int common(struct ctl *ctl, const struct ctl_cmd *cmd, int c)
{
	switch (c) {
	case 'j':
		ctl->json = true;
		return 1;
	case 'h':
		return 2 + (cmd->subs ? ctl_group_help(cmd) : ctl_help(cmd));
	case 'V':
		ctl_print_version();
		return 2 + EXIT_SUCCESS;
	default:
		return 0;
	}
}

int ctl_parse(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	      char **argv, struct ctl_args *args)
{
	struct option longopts[CTL_MAX_OPTS + 4];
	char shortopts[3 * (CTL_MAX_OPTS + 4)];
	int c, ret;

	memset(args, 0, sizeof(*args));
	args->argv = calloc(argc + 1, sizeof(*args->argv));
	if (!args->argv)
		return ctl_fail_plain(ctl, cmd->name, -ENOMEM, NULL);
	build(cmd, longopts, shortopts);
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 1) {
			args->argv[args->argc++] = optarg;
			continue;
		}
		ret = common(ctl, cmd, c);
		if (ret == 1)
			continue;
		if (ret >= 2)
			return ret - 2;
		if (c == '?' || c == ':')
			return bad_option(ctl, cmd, argv, c);
		set_value(cmd, args, c);
	}
	/* What follows "--" is arguments, whatever it looks like. */
	while (optind < argc)
		args->argv[args->argc++] = argv[optind++];
	if (cmd->max_args >= 0 && args->argc > cmd->max_args)
		return ctl_usage_error(ctl, cmd, "unexpected argument '%s'",
				       args->argv[cmd->max_args]);
	return -1;
}

/* ------------------------------------------------------------- help */

static void print_opts(const struct ctl_opt *opts)
{
	const char *line, *nl;
	char left[48];
	size_t i;

	for (i = 0; i < nr_opts(opts); i++) {
		snprintf(left, sizeof(left), "-%c, --%s%s%s", opts[i].key,
			 opts[i].name, opts[i].arg ? " " : "",
			 opts[i].arg ? opts[i].arg : "");
		line = opts[i].help;
		nl = strchr(line, '\n');
		printf("  %-24s %.*s\n", left,
		       (int)(nl ? nl - line : (long)strlen(line)), line);
		while (nl) {
			line = nl + 1;
			nl = strchr(line, '\n');
			printf("  %-24s %.*s\n", "",
			       (int)(nl ? nl - line : (long)strlen(line)), line);
		}
	}
}

int ctl_help(const struct ctl_cmd *cmd)
{
	printf("Usage: " PROG " [--json] %s%s%s\n\n%s\n\nOptions:\n",
	       cmd->name, cmd->args[0] ? " " : "", cmd->args, cmd->summary);
	print_opts(cmd->opts);
	print_opts(ctl_common_opts);
	if (cmd->help && cmd->help[0])
		printf("\n%s", cmd->help);
	return EXIT_SUCCESS;
}

/* "pool status" -> "status" */
static const char *sub_name(const struct ctl_cmd *sub)
{
	const char *space = strchr(sub->name, ' ');

	return space ? space + 1 : sub->name;
}

int ctl_group_help(const struct ctl_cmd *group)
{
	char synopsis[160];
	size_t i;

	printf("Usage: " PROG " [--json] %s %s\n\n%s\n\nSubcommands:\n",
	       group->name, group->args, group->summary);
	for (i = 0; i < group->nr_subs; i++) {
		const struct ctl_cmd *sub = &group->subs[i];

		snprintf(synopsis, sizeof(synopsis), "%s%s%s", sub_name(sub),
			 sub->args[0] ? " " : "", sub->args);
		printf("  %s\n      %s\n", synopsis, sub->summary);
	}
	printf("\nRun '" PROG " %s <subcommand> --help' for its arguments.\n",
	       group->name);
	return EXIT_SUCCESS;
}

/* ------------------------------------------------------------ groups */

/*
 * The subcommand of @group is the first argument that is not a common
 * option; common options before it count for the subcommand.
 */
int ctl_group_find(struct ctl *ctl, const struct ctl_cmd *group, int argc,
		   char **argv, const struct ctl_cmd **sub, int *status)
{
	size_t j;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			ctl->json = true;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			*status = ctl_group_help(group);
			return -1;
		}
		if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			ctl_print_version();
			*status = EXIT_SUCCESS;
			return -1;
		}
		if (a[0] == '-') {
			*status = ctl_usage_error(ctl, group,
						  "unknown option '%s' (options go after the subcommand)",
						  a);
			return -1;
		}
		for (j = 0; j < group->nr_subs; j++) {
			if (!strcmp(sub_name(&group->subs[j]), a)) {
				*sub = &group->subs[j];
				return i;
			}
		}
		*status = ctl_usage_error(ctl, group,
					  "unknown subcommand '%s'", a);
		return -1;
	}
	*status = ctl_usage_error(ctl, group, "no subcommand given");
	return -1;
}
