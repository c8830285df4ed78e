/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The next kernel's command line for kexec load (a pure function, unit
 * tested on the host).
 */
#ifndef _VMPKRAMCTL_CMDLINE_H_
#define _VMPKRAMCTL_CMDLINE_H_

/*
 * Composes the command line of the kernel that kexec load boots:
 *
 *  1. the base: @explicit (--command-line) verbatim when not NULL, else
 *     @running (/proc/cmdline) without the boot loader's BOOT_IMAGE= and
 *     initrd= (they name files of the boot loader, not of this boot);
 *  2. every memmap= and vmpkram.* parameter of @running (before its
 *     "--") that the base lacks: a memmap= unless the base reserves the
 *     same range (512M$0x40000000 and 0x20000000$1G are the same), a
 *     vmpkram.NAME unless the base sets NAME (dashes and underscores
 *     alike, as the kernel compares them);
 *  3. @pools, the parameters of the pool seal reply: its memmap= unless
 *     already there, its vmpkram.NAME replacing every vmpkram.NAME so far,
 *     because it names the pools attached now (some may have been
 *     attached or detached at run time); several vmpkram.pool= of the
 *     reply become one comma-separated list (a module parameter given
 *     twice keeps only its last value);
 *  4. @append (--append) verbatim at the end.
 *
 * Parameters added in steps 2 and 3 go before a "--" of the base, which
 * starts the arguments of init.  Double quotes group a value with spaces
 * as the kernel does; tokens are kept verbatim and joined with one space.
 * Any of @explicit, @running, @pools and @append may be NULL or empty.
 *
 * Returns 0 with *@out malloc'd, -ENOMEM, or -EINVAL when a quote is not
 * closed in one of the inputs.
 */
int cmdline_compose(const char *explicit, const char *running,
		    const char *pools, const char *append, char **out);

#endif /* _VMPKRAMCTL_CMDLINE_H_ */
