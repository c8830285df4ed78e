// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl unload: the library closes its own /dev/vmpkram first, so
 * only other users of the module make it busy.
 */
#include <errno.h>

#include "vmpkramctl.h"

CMD(unload)
{
	int ret;

	(void)cmd;
	(void)args;
	ret = ctl_lib(ctl);
	if (ret)
		return ret;

	ret = vmpkram_module_unload(ctl->lib);
	if (ret)
		return ctl_fail(ctl, "unload", ret, NULL);
	return ctl_print_loaded(ctl, false);
}
