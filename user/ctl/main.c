// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl: control the vmpkram kernel module.  Everything is in
 * ctl_main() (commands.c), which the host tests call with a fake library.
 */
#include "vmpkramctl.h"

int main(int argc, char **argv)
{
	return ctl_main(argc, argv);
}
