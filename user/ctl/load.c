// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl load [PARAM=VALUE ...]: arguments are checked before libkmod
 * is asked for anything.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "parse.h"
#include "vmpkramctl.h"

int cmd_load(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	     char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	char *options;
	int c, ret, bad;

	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (c != 'h')
			return ctl_bad_option(ctl, cmd, argv, c);
		return ctl_help(cmd);
	}

	ret = parse_module_options(argc - optind, argv + optind, &options,
				   &bad);
	if (ret == -EINVAL)
		return ctl_usage_error(ctl, cmd,
				       "invalid module parameter '%s' (expected PARAM=VALUE)",
				       argv[optind + bad]);
	if (ret)
		return ctl_fail_plain(ctl, "load", ret, NULL);

	ret = ctl_lib(ctl);
	if (!ret) {
		ret = vmpkram_module_load(ctl->lib, options);
		ret = ret ? ctl_fail(ctl, "load", ret, NULL) :
			    ctl_print_loaded(ctl, true);
	}
	free(options);
	return ret;
}
