// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl load [PARAM=VALUE ...]: arguments are checked before libkmod
 * is asked for anything.
 */
#include <errno.h>
#include <stdlib.h>

#include "parse.h"
#include "vmpkramctl.h"

CMD(load)
{
	char *options;
	int ret, bad;

	ret = parse_module_options(args->argc, args->argv, &options, &bad);
	if (ret == -EINVAL)
		return ctl_usage_error(ctl, cmd,
				       "invalid module parameter '%s' (expected PARAM=VALUE)",
				       args->argv[bad]);
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
