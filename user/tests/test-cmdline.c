// SPDX-License-Identifier: GPL-2.0-only
/*
 * The next kernel's command line for vmpkramctl kexec load: the base
 * (running or --command-line), memmap= and vmpkram.* carried over, the
 * seal reply's parameters, --append, quoting and "--".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "tap.h"

#define RUNNING	"BOOT_IMAGE=/boot/vmlinuz-6.12 root=/dev/vda ro quiet " \
		"memmap=512M$0x40000000 vmpkram.pool=test:512M@0x40000000"

static void expect(const char *name, const char *explicit,
		   const char *running, const char *pools, const char *append,
		   const char *want)
{
	char *out = NULL;
	int ret = cmdline_compose(explicit, running, pools, append, &out);

	tap_ok(!ret && out && !strcmp(out, want), "%s: '%s'", name,
	       out ? out : "(none)");
	free(out);
}

static void expect_error(const char *name, const char *explicit,
			 const char *running, const char *pools,
			 const char *append, int error)
{
	char *out = NULL;
	int ret = cmdline_compose(explicit, running, pools, append, &out);

	tap_ok(ret == error && !out, "%s: %d", name, ret);
	free(out);
}

static void test_base(void)
{
	expect("running line without BOOT_IMAGE", NULL, RUNNING, NULL, NULL,
	       "root=/dev/vda ro quiet memmap=512M$0x40000000 vmpkram.pool=test:512M@0x40000000");
	expect("initrd= of the boot loader dropped", NULL,
	       "initrd=\\initrd.img root=/dev/sda1", NULL, NULL,
	       "root=/dev/sda1");
	expect("everything NULL", NULL, NULL, NULL, NULL, "");
	expect("empty strings", "", "", "", "", "");
	expect("blanks collapse", NULL, "  a\tb \n c  ", NULL, NULL, "a b c");
	expect("explicit replaces running, keeps BOOT_IMAGE", "BOOT_IMAGE=x root=/dev/vdb",
	       "root=/dev/vda", NULL, NULL, "BOOT_IMAGE=x root=/dev/vdb");
}

static void test_carry(void)
{
	expect("memmap and vmpkram.* carried into --command-line",
	       "root=/dev/vdb", RUNNING, NULL, NULL,
	       "root=/dev/vdb memmap=512M$0x40000000 vmpkram.pool=test:512M@0x40000000");
	expect("other running parameters are not carried", "console=ttyS0",
	       "quiet splash memmap=64M$0x60000000", NULL, NULL,
	       "console=ttyS0 memmap=64M$0x60000000");
	expect("a memmap= already there is not repeated",
	       "memmap=512M$0x40000000", RUNNING, NULL, NULL,
	       "memmap=512M$0x40000000 vmpkram.pool=test:512M@0x40000000");
	expect("the same range in other units is the same memmap",
	       "memmap=0x20000000$1G", "memmap=512M$0x40000000", NULL, NULL,
	       "memmap=0x20000000$1G");
	expect("another type at the same range is another memmap",
	       "memmap=512M!0x40000000", "memmap=512M$0x40000000", NULL, NULL,
	       "memmap=512M!0x40000000 memmap=512M$0x40000000");
	expect("several memmap= are all carried", "a",
	       "memmap=1G$4G memmap=64M$0x60000000 memmap=1G$4G", NULL, NULL,
	       "a memmap=1G$4G memmap=64M$0x60000000");
	expect("memmap forms that are no range compare as text", "memmap=exactmap",
	       "memmap=exactmap memmap=2G", NULL, NULL,
	       "memmap=exactmap memmap=2G");
	expect("the caller's vmpkram.X wins over the running one",
	       "vmpkram.pool=mine:64M@0x60000000", RUNNING, NULL, NULL,
	       "vmpkram.pool=mine:64M@0x60000000 memmap=512M$0x40000000");
	expect("dashes and underscores are the same in names",
	       "vmpkram.max-workers=2", "vmpkram.max_workers=4", NULL, NULL,
	       "vmpkram.max-workers=2");
	expect("vmpkram flags without a value are carried", "a",
	       "vmpkram.debug", NULL, NULL, "a vmpkram.debug");
	expect("vmpkramfoo.x is not vmpkram's", "a", "vmpkramfoo.x=1", NULL,
	       NULL, "a");
	expect("a memmap= after -- is init's, not carried", "a",
	       "b -- memmap=1G$4G", NULL, NULL, "a");
}

static void test_pools(void)
{
	expect("seal parameters added", "root=/dev/vda", NULL,
	       "memmap=64M$0x60000000 vmpkram.pool=small:64M@0x60000000", NULL,
	       "root=/dev/vda memmap=64M$0x60000000 vmpkram.pool=small:64M@0x60000000");
	expect("the seal's vmpkram.pool replaces the running one", NULL,
	       RUNNING,
	       "memmap=512M$0x40000000 vmpkram.pool=test:512M@0x40000000,new:64M@0x60000000 memmap=64M$0x60000000",
	       NULL,
	       "root=/dev/vda ro quiet memmap=512M$0x40000000 vmpkram.pool=test:512M@0x40000000,new:64M@0x60000000 memmap=64M$0x60000000");
	expect("the seal's vmpkram.pool replaces the caller's too",
	       "vmpkram.pool=old:4M@0x1000000 x", NULL,
	       "vmpkram.pool=test:512M@0x40000000", NULL,
	       "x vmpkram.pool=test:512M@0x40000000");
	expect("one vmpkram.pool= per pool becomes one list", "a", NULL,
	       "memmap=512M$0x40000000 vmpkram.pool=test:512M@0x40000000 memmap=64M$0x60000000 vmpkram.pool=small:64M@0x60000000",
	       NULL,
	       "a memmap=512M$0x40000000 vmpkram.pool=test:512M@0x40000000,small:64M@0x60000000 memmap=64M$0x60000000");
	expect("a detached pool's memmap stays reserved", NULL,
	       "memmap=512M$0x40000000 memmap=64M$0x60000000 vmpkram.pool=test:512M@0x40000000,small:64M@0x60000000",
	       "memmap=512M$0x40000000 vmpkram.pool=test:512M@0x40000000",
	       NULL,
	       "memmap=512M$0x40000000 memmap=64M$0x60000000 vmpkram.pool=test:512M@0x40000000");
	expect("pool seal normalisation (empty base)", "", NULL,
	       "memmap=4M$0x1000000 vmpkram.pool=a:4M@0x1000000", NULL,
	       "memmap=4M$0x1000000 vmpkram.pool=a:4M@0x1000000");
}

static void test_append_and_init(void)
{
	expect("--append goes last, verbatim", NULL, RUNNING, NULL,
	       "console=ttyS0 memmap=512M$0x40000000",
	       "root=/dev/vda ro quiet memmap=512M$0x40000000 vmpkram.pool=test:512M@0x40000000 console=ttyS0 memmap=512M$0x40000000");
	expect("added parameters go before --", "root=/dev/vda -- single",
	       "memmap=64M$0x60000000", "vmpkram.pool=s:64M@0x60000000", "x=1",
	       "root=/dev/vda memmap=64M$0x60000000 vmpkram.pool=s:64M@0x60000000 -- single x=1");
	expect("init's arguments of the running line are kept", NULL,
	       "BOOT_IMAGE=k ro -- initrd=keep BOOT_IMAGE=keep", NULL, NULL,
	       "ro -- initrd=keep BOOT_IMAGE=keep");
}

static void test_quotes(void)
{
	expect("a quoted value stays one token", NULL,
	       "a dyndbg=\"file x.c +p\" b", NULL, NULL,
	       "a dyndbg=\"file x.c +p\" b");
	expect("a quoted vmpkram parameter is recognised", "x",
	       "\"vmpkram.pool=a:4M@0x1000000\"", NULL, NULL,
	       "x \"vmpkram.pool=a:4M@0x1000000\"");
	expect("a quoted parameter counts as present", "\"vmpkram.pool=b\"",
	       "vmpkram.pool=a", NULL, NULL, "\"vmpkram.pool=b\"");
	expect_error("unclosed quote in --command-line", "a=\"b", NULL, NULL,
		     NULL, -EINVAL);
	expect_error("unclosed quote in --append", NULL, "a", NULL, "x=\"y z",
		     -EINVAL);
}

static void test_long(void)
{
	char *running = malloc(64 * 1024), *out = NULL;
	size_t i, len = 0;
	int ret;

	if (!running)
		return (void)tap_ok(0, "long command line: out of memory");
	for (i = 0; i < 2000; i++)
		len += sprintf(running + len, "%sp%zu=%zu", i ? " " : "", i, i);
	ret = cmdline_compose(NULL, running, NULL, "end", &out);
	tap_ok(!ret && out && strlen(out) == len + 4 &&
	       !strncmp(out, running, len),
	       "2000 parameters survive in order");
	free(out);
	free(running);
}

int main(void)
{
	test_base();
	test_carry();
	test_pools();
	test_append_and_init();
	test_quotes();
	test_long();
	return tap_exit();
}
