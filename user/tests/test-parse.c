// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl's strict number and module-parameter parsing.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
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

static void size_case(const char *s, int expected, uint64_t value)
{
	uint64_t out = 0;
	int ret = parse_size(s, &out);

	tap_ok(ret == expected && (ret || out == value),
	       "parse_size('%s') is %d", s, expected);
}

static void test_size(void)
{
	size_case("0", 0, 0);
	size_case("4096", 0, 4096);
	size_case("0x1000", 0, 4096);
	size_case("0XfF", 0, 255);
	size_case("4K", 0, 4096);
	size_case("4k", 0, 4096);
	size_case("512M", 0, 512ULL << 20);
	size_case("1G", 0, 1ULL << 30);
	size_case("0x10g", 0, 16ULL << 30);
	size_case("2T", 0, 2ULL << 40);
	size_case("16777215T", 0, 16777215ULL << 40);
	size_case("18446744073709551615", 0, UINT64_MAX);
	size_case("0xffffffffffffffff", 0, UINT64_MAX);
	size_case("16777216T", -ERANGE, 0);
	size_case("18446744073709551616", -ERANGE, 0);
	size_case("0x10000000000000000", -ERANGE, 0);
	size_case("", -EINVAL, 0);
	size_case("G", -EINVAL, 0);
	size_case("0x", -EINVAL, 0);
	size_case("0x0x5", -EINVAL, 0);
	size_case("-1", -EINVAL, 0);
	size_case("+1", -EINVAL, 0);
	size_case(" 1", -EINVAL, 0);
	size_case("1 ", -EINVAL, 0);
	size_case("1P", -EINVAL, 0);
	size_case("1KB", -EINVAL, 0);
	size_case("1.5G", -EINVAL, 0);
}

static void range_case(const char *s, int expected, uint64_t start,
		       uint64_t len)
{
	uint64_t a = 1, l = 1;
	const char *why = NULL;
	int ret = parse_range(s, 4096, &a, &l, &why);

	tap_ok(ret == expected &&
	       (ret ? why != NULL : (a == start && l == len)),
	       "parse_range('%s') is %d%s%s", s, expected, why ? ": " : "",
	       why ? why : "");
}

static void test_range(void)
{
	range_case("0x7f0000000000-0x7f0040000000", 0, 0x7f0000000000ULL,
		   1ULL << 30);
	range_case("0x7f0000000000+1G", 0, 0x7f0000000000ULL, 1ULL << 30);
	range_case("4096+4K", 0, 4096, 4096);
	range_case("0+0x2000", 0, 0, 8192);
	range_case("0xfffffffffffff000+4K", 0, 0xfffffffffffff000ULL, 4096);
	range_case("0xffffffffffffe000-0xfffffffffffff000", 0,
		   0xffffffffffffe000ULL, 4096);
	range_case("0xfffffffffffff000+8K", -ERANGE, 0, 0);
	range_case("0x1000+18446744073709551616", -ERANGE, 0, 0);
	range_case("0x1000+16777216T", -ERANGE, 0, 0);
	range_case("0x2000-0x1000", -EDOM, 0, 0);
	range_case("0x1000-0x1000", -EDOM, 0, 0);
	range_case("0x1000+0", -EDOM, 0, 0);
	range_case("0x1001+4K", -EDOM, 0, 0);
	range_case("0x1000+100", -EDOM, 0, 0);
	range_case("0x1000-0x1800", -EDOM, 0, 0);
	range_case("0x1000", -EINVAL, 0, 0);
	range_case("0x1000-", -EINVAL, 0, 0);
	range_case("-0x1000", -EINVAL, 0, 0);
	range_case("0x1000-4K", -EINVAL, 0, 0);
	range_case("0x1000+4K+4K", -EINVAL, 0, 0);
	range_case("0x1000 - 0x2000", -EINVAL, 0, 0);
	range_case("1K+4K", -EINVAL, 0, 0);
	range_case("", -EINVAL, 0, 0);
}

static void test_maps_line(void)
{
	struct maps_entry e;

	tap_ok(parse_maps_line("7f0000000000-7f0040000000 rw-s 00000000 00:2f 12345    /dev/hugepages/vm (deleted)\n",
			       &e) == 0 && e.start == 0x7f0000000000ULL &&
	       e.end == 0x7f0040000000ULL && !strcmp(e.perms, "rw-s") &&
	       e.major == 0 && e.minor == 0x2f && e.inode == 12345,
	       "a maps line with a deleted path parses");
	tap_ok(parse_maps_line("00400000-00452000 r-xp 00000000 fd:01 2097194\n",
			       &e) == 0 && e.major == 0xfd && e.minor == 1,
	       "a maps line with a hex major parses");
	tap_ok(parse_maps_line("7ffd1000-7ffd3000 rw-p 00000000 00:00 0 [stack]",
			       &e) == 0 && e.inode == 0,
	       "an anonymous mapping parses");
	tap_ok(parse_maps_line("garbage\n", &e) == -EINVAL,
	       "garbage is not a maps line");
	tap_ok(parse_maps_line("2000-1000 rw-p 0 00:00 0\n", &e) == -EINVAL,
	       "end before start is rejected");
	tap_ok(parse_maps_line("1000-2000 rw-p 0 00:00 12x\n", &e) == -EINVAL,
	       "a malformed inode is rejected");
}

/* Writes @text to a temporary file, rewound; NULL on failure. */
static FILE *temp_maps(const char *text)
{
	FILE *f = tmpfile();

	if (f && fputs(text, f) < 0) {
		fclose(f);
		return NULL;
	}
	if (f)
		rewind(f);
	return f;
}

static void test_maps_find(void)
{
	static const char maps[] =
		"55d000000000-55d000001000 r--p 00000000 fd:01 777 /usr/bin/qemu\n"
		/* the RAM file, mapped in two adjacent pieces: merged */
		"7f0000000000-7f0020000000 rw-s 00000000 00:2f 4242 /dev/hugepages/ram\n"
		"7f0020000000-7f0040000000 rw-s 20000000 00:2f 4242 /dev/hugepages/ram\n"
		/* read-only mapping of the same file: not ours to write */
		"7f1000000000-7f1000200000 r--s 00000000 00:2f 4242 /dev/hugepages/ram\n"
		/* same inode on another device: a different file */
		"7f2000000000-7f2000200000 rw-s 00000000 00:30 4242 /dev/shm/ram\n"
		/* the same file again, renamed and deleted */
		"7f3000000000-7f3000400000 rw-s 00000000 00:2f 4242 /old/name (deleted)\n"
		"7ffd1000-7ffd3000 rw-p 00000000 00:00 0 [stack]\n";
	struct maps_range *r = NULL;
	size_t n = 0;
	FILE *f;

	f = temp_maps(maps);
	if (!tap_ok(f != NULL, "temporary maps file"))
		return;
	tap_ok(maps_find_file(f, 0, 0x2f, 4242, &r, &n) == 0 && n == 2 &&
	       r[0].start == 0x7f0000000000ULL &&
	       r[0].end == 0x7f0040000000ULL &&
	       r[1].start == 0x7f3000000000ULL &&
	       r[1].end == 0x7f3000400000ULL,
	       "writable mappings of dev 00:2f inode 4242: two ranges, adjacent merged");
	free(r);
	fclose(f);

	f = temp_maps(maps);
	tap_ok(f && maps_find_file(f, 0, 0x2f, 9999, &r, &n) == 0 && n == 0 &&
	       !r, "an unmapped inode finds nothing");
	if (f)
		fclose(f);

	f = temp_maps("7f0000000000-7f0020000000 rw-s 00000000 00:2f 4242 /x\nnonsense\n");
	tap_ok(f && maps_find_file(f, 0, 0x2f, 4242, &r, &n) == -EINVAL &&
	       !r && n == 0, "a malformed line fails the whole parse, nothing leaked");
	if (f)
		fclose(f);
}

static void pool_name_case(const char *s, int expected)
{
	tap_ok(parse_pool_name(s) == expected, "parse_pool_name('%s') is %d",
	       s, expected);
}

static void test_pool_name(void)
{
	pool_name_case("test", 0);
	pool_name_case("pool_0-A", 0);
	pool_name_case("a", 0);
	pool_name_case("0123456789012345678901234567890", 0);	/* 31 */
	pool_name_case("01234567890123456789012345678901", -ERANGE); /* 32 */
	pool_name_case("", -ERANGE);
	pool_name_case("a b", -EINVAL);
	pool_name_case("a/b", -EINVAL);
	pool_name_case("a:b", -EINVAL);
	pool_name_case("a.b", -EINVAL);
	pool_name_case("pool\xc3\xa9", -EINVAL);
}

static void pool_range_case(const char *s, int expected, uint64_t size,
			    uint64_t base)
{
	uint64_t sz = 1, b = 1;
	const char *why = NULL;
	int ret = parse_pool_range(s, &sz, &b, &why);

	tap_ok(ret == expected && (ret ? why != NULL : sz == size && b == base),
	       "parse_pool_range('%s') is %d%s%s", s, expected,
	       ret ? ": " : "", ret && why ? why : "");
}

static void test_pool_range(void)
{
	pool_range_case("512M@0x40000000", 0, 512ULL << 20, 0x40000000);
	pool_range_case("64m@1536m", 0, 64ULL << 20, 1536ULL << 20);
	pool_range_case("4M@0", 0, 4ULL << 20, 0);
	pool_range_case("4T@4T", 0, 4ULL << 40, 4ULL << 40);
	pool_range_case("0x20000000@0x40000000", 0, 512ULL << 20, 0x40000000);
	pool_range_case("1G@4G", 0, 1ULL << 30, 4ULL << 30);
	pool_range_case("512M", -EINVAL, 0, 0);
	pool_range_case("@0x40000000", -EINVAL, 0, 0);
	pool_range_case("512M@", -EINVAL, 0, 0);
	pool_range_case("512M$0x40000000", -EINVAL, 0, 0);
	pool_range_case("512M@0x4000000@0", -EINVAL, 0, 0);
	pool_range_case("-512M@0x40000000", -EINVAL, 0, 0);
	pool_range_case("512X@0x40000000", -EINVAL, 0, 0);
	pool_range_case(" 512M@0x40000000", -EINVAL, 0, 0);
	pool_range_case("2M@0x40000000", -ERANGE, 0, 0);
	pool_range_case("0@0x40000000", -ERANGE, 0, 0);
	pool_range_case("6T@0", -ERANGE, 0, 0);
	pool_range_case("512M@0xffffffffffe00000", -ERANGE, 0, 0);
	pool_range_case("512M@99999999999999999999", -ERANGE, 0, 0);
	pool_range_case("5M@0x40000000", -EDOM, 0, 0);
	pool_range_case("512M@0x40001000", -EDOM, 0, 0);
	pool_range_case("512M@1M", -EDOM, 0, 0);
}

int main(void)
{
	test_u32();
	test_options();
	test_size();
	test_range();
	test_maps_line();
	test_maps_find();
	test_pool_name();
	test_pool_range();
	return tap_exit();
}
