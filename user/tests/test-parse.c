// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl's strict number and module-parameter parsing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "tap.h"

static void u32_case(const char *s, uint32_t min, uint32_t max, int expected,
		     uint32_t value)
{
	uint32_t out = 0xdeadbeef;
	int ret = parse_u32(s, min, max, &out);

	tap_ok(ret == expected && (ret || out == value),
	       "parse_u32('%s', %u..%u) is %d", s, min, max, expected);
}

static void test_u32(void)
{
	u32_case("0", 0, 10, 0, 0);
	u32_case("1", 1, 1024, 0, 1);
	u32_case("1024", 1, 1024, 0, 1024);
	u32_case("007", 1, 1024, 0, 7);
	u32_case("4294967295", 0, UINT32_MAX, 0, UINT32_MAX);
	u32_case("0", 1, 1024, -ERANGE, 0);
	u32_case("1025", 1, 1024, -ERANGE, 0);
	u32_case("4294967296", 0, UINT32_MAX, -ERANGE, 0);
	u32_case("99999999999", 1, 1024, -ERANGE, 0);
	u32_case("99999999999999999999999", 0, UINT32_MAX, -ERANGE, 0);
	u32_case("", 0, 10, -EINVAL, 0);
	u32_case("abc", 0, 10, -EINVAL, 0);
	u32_case("-1", 0, UINT32_MAX, -EINVAL, 0);
	u32_case("+1", 0, 10, -EINVAL, 0);
	u32_case(" 1", 0, 10, -EINVAL, 0);
	u32_case("1 ", 0, 10, -EINVAL, 0);
	u32_case("0x10", 0, 100, -EINVAL, 0);
	u32_case("1e3", 0, 10000, -EINVAL, 0);
}

static void options_case(int argc, char *const argv[], int expected,
			 const char *joined, int bad)
{
	char *out = (char *)"unset";
	int where = -1;
	int ret = parse_module_options(argc, argv, &out, &where);

	if (ret)
		tap_ok(ret == expected && where == bad && !out,
		       "module options %s... rejected at %d", argv[0], bad);
	else if (!joined)
		tap_ok(ret == expected && !out, "no module options is NULL");
	else
		tap_ok(ret == expected && out && !strcmp(out, joined),
		       "module options join to '%s'", joined);
	if (!ret)
		free(out);
}

static void test_options(void)
{
	char *const one[] = { "max_workers=4" };
	char *const two[] = { "max_workers=4", "dyndbg=+p" };
	char *const spaced[] = { "dyndbg=file x +p" };
	char *const noeq[] = { "max_workers" };
	char *const noname[] = { "=4" };
	char *const badname[] = { "max_workers=1", "a b=1" };
	char *const quote[] = { "x=\"y" };

	options_case(0, one, 0, NULL, -1);
	options_case(1, one, 0, "max_workers=4", -1);
	options_case(2, two, 0, "max_workers=4 dyndbg=+p", -1);
	options_case(1, spaced, 0, "dyndbg=\"file x +p\"", -1);
	options_case(1, noeq, -EINVAL, NULL, 0);
	options_case(1, noname, -EINVAL, NULL, 0);
	options_case(2, badname, -EINVAL, NULL, 1);
	options_case(1, quote, -EINVAL, NULL, 0);
}

int main(void)
{
	test_u32();
	test_options();
	return tap_exit();
}
