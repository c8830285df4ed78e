// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkram-qemu's QEMU command-line checks: sizes, versions, key=value
 * lists, machine aliases, and what launch accepts, refuses and resolves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "qargs.h"
#include "tap.h"

static const char help_72[] =
	"Supported machines are:\n"
	"microvm              microvm (i386)\n"
	"pc                   Standard PC (i440FX + PIIX, 1996) (alias of pc-i440fx-7.2)\n"
	"pc-i440fx-7.2        Standard PC (i440FX + PIIX, 1996) (default)\n"
	"pc-i440fx-7.1        Standard PC (i440FX + PIIX, 1996)\n"
	"q35                  Standard PC (Q35 + ICH9, 2009) (alias of pc-q35-7.2)\n"
	"pc-q35-7.2           Standard PC (Q35 + ICH9, 2009)\n"
	"pc-q35-7.1           Standard PC (Q35 + ICH9, 2009)\n"
	"none                 empty machine\n";

#define RAM	"/run/vmpkram/vm1"
#define MEM	(256ULL << 20)

static void test_sizes(void)
{
	static const struct {
		const char *s;
		bool mib;
		int ret;
		uint64_t v;
	} cases[] = {
		{ "512", true, 0, 512ULL << 20 },
		{ "512", false, 0, 512 },
		{ "256M", true, 0, 256ULL << 20 },
		{ "256MB", true, 0, 256ULL << 20 },
		{ "1g", true, 0, 1ULL << 30 },
		{ "1.5G", true, 0, 3ULL << 29 },
		{ "4096B", true, 0, 4096 },
		{ "2T", false, 0, 2ULL << 40 },
		{ "", true, -EINVAL, 0 },
		{ "-1", true, -EINVAL, 0 },
		{ "12X", true, -EINVAL, 0 },
		{ "1.", true, -EINVAL, 0 },
		{ "0.3B", true, -EINVAL, 0 },
		{ "99999999999999999999", true, -ERANGE, 0 },
		{ "16E", true, -ERANGE, 0 },
	};
	uint64_t v;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 0;
		ret = qemu_parse_size(cases[i].s, cases[i].mib, &v);
		tap_ok(ret == cases[i].ret && (ret || v == cases[i].v),
		       "size '%s'%s: %d, %llu", cases[i].s,
		       cases[i].mib ? " (MiB default)" : "", ret,
		       (unsigned long long)v);
	}
}

static void test_version(void)
{
	struct qmp_version v;

	tap_ok(!qemu_parse_version("QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022 Fabrice Bellard\n", &v) &&
	       v.major == 7 && v.minor == 2 && v.micro == 22 &&
	       !strcmp(v.package, "Debian 1:7.2+dfsg-7+deb12u18+b3"),
	       "--version of Debian's 7.2: 7.2.22 and the package");
	tap_ok(!qemu_parse_version("QEMU emulator version 10.0.2\nCopyright (c) (x)\n", &v) &&
	       v.major == 10 && v.micro == 2 && !v.package[0],
	       "--version without a package: none taken from the next line");
	tap_ok(qemu_parse_version("qemu-img version?", &v) == -EINVAL,
	       "text without a version: -EINVAL");
}

static void test_qopts(void)
{
	struct qopts o;

	tap_ok(!qopts_parse("socket,id=qga0,path=/tmp/a,,b,server,nowait", "backend", &o) &&
	       o.n == 5 && !strcmp(qopts_get(&o, "backend"), "socket") &&
	       !strcmp(qopts_get(&o, "path"), "/tmp/a,b") &&
	       !strcmp(qopts_get(&o, "server"), "on") &&
	       !strcmp(qopts_get(&o, "wait"), "off"),
	       "key=value list: implied key, ',,' as a comma, flags and no-flags");
	qopts_free(&o);
	tap_ok(!qopts_parse("q35,accel=kvm,accel=tcg,", "type", &o) &&
	       !strcmp(qopts_get(&o, "accel"), "tcg") && !qopts_get(&o, "x"),
	       "the last of repeated keys wins; a trailing comma is nothing");
	qopts_free(&o);
	tap_ok(qemu_bool("on") == 1 && qemu_bool("yes") == 1 &&
	       qemu_bool("off") == 0 && qemu_bool("n") == 0 &&
	       qemu_bool("maybe") == -EINVAL, "booleans as QEMU takes them");
}

static void test_machine_resolve(void)
{
	char type[64];

	tap_ok(!qemu_machine_resolve(help_72, "q35", type, sizeof(type)) &&
	       !strcmp(type, "pc-q35-7.2"), "q35 resolves to pc-q35-7.2");
	tap_ok(!qemu_machine_resolve(help_72, "pc", type, sizeof(type)) &&
	       !strcmp(type, "pc-i440fx-7.2"), "pc resolves to pc-i440fx-7.2");
	tap_ok(!qemu_machine_resolve(help_72, NULL, type, sizeof(type)) &&
	       !strcmp(type, "pc-i440fx-7.2"),
	       "no machine: the default, pc-i440fx-7.2");
	tap_ok(!qemu_machine_resolve(help_72, "pc-q35-7.1", type, sizeof(type)) &&
	       !strcmp(type, "pc-q35-7.1"), "a versioned type stays");
	tap_ok(!qemu_machine_resolve(help_72, "microvm", type, sizeof(type)) &&
	       !strcmp(type, "microvm"), "a type without versions stays");
	tap_ok(qemu_machine_resolve(help_72, "pc-q35", type, sizeof(type)) == -ENOENT,
	       "a prefix of a name is not a machine");
}

/* Runs qargs_resolve on a NULL-terminated list. */
static int resolve(uint64_t mem, bool allow_host, const char *const *argv,
		   struct qargs_out *out)
{
	struct qargs_in in = {
		.argv = (char *const *)argv, .mem = mem, .ram_path = RAM,
		.backend_id = "vmpkram-ram", .allow_cpu_host = allow_host,
		.machine_help = help_72,
	};

	while (argv[in.argc])
		in.argc++;
	return qargs_resolve(&in, out);
}

static bool has_args(const struct qargs_out *out, const char *a,
		     const char *b)
{
	int i;

	for (i = 0; i + 1 < out->args.n; i++)
		if (!strcmp(out->args.v[i], a) && !strcmp(out->args.v[i + 1], b))
			return true;
	return false;
}

static int count(const struct qargs_out *out, const char *a)
{
	int i, n = 0;

	for (i = 0; i < out->args.n; i++)
		n += !strcmp(out->args.v[i], a);
	return n;
}

static void test_resolve_ok(void)
{
	static const char *const basic[] = {
		"-machine", "q35,accel=tcg", "-smp", "2", "-nodefaults",
		"-kernel", "/boot/vmlinuz", "-append", "console=ttyS0,115200",
		"-S", "-display", "none", NULL,
	};
	static const char *const own[] = {
		"-M", "pc", "-m", "256", "-object",
		"memory-backend-file,id=mem,mem-path=" RAM ",share=on,size=256M",
		"-machine", "memory-backend=mem,accel=kvm", "disk.img", NULL,
	};
	static const char *const agent[] = {
		"-chardev", "socket,path=/run/qga.sock,server=on,wait=off,id=qga0",
		"-device", "virtio-serial", "-device",
		"virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
		"-cpu", "host,+x2apic", NULL,
	};
	struct qargs_out out;
	int ret;

	ret = resolve(MEM, false, basic, &out);
	tap_ok(ret == 0, "q35 with --mem: accepted (%s)", out.error);
	tap_ok(has_args(&out, "-machine", "pc-q35-7.2,accel=tcg,memory-backend=vmpkram-ram") &&
	       count(&out, "-machine") == 1,
	       "one -machine: the alias resolved, other keys kept, the backend named");
	tap_ok(has_args(&out, "-object", "memory-backend-file,id=vmpkram-ram,mem-path=" RAM ",share=on,size=268435456,align=2M"),
	       "the RAM backend is added: the file, share=on, the size, align=2M");
	tap_ok(has_args(&out, "-m", "256M"), "-m is added with the size");
	tap_ok(has_args(&out, "-append", "console=ttyS0,115200") &&
	       has_args(&out, "-smp", "2") && count(&out, "-nodefaults") == 1,
	       "the other arguments pass unchanged");
	tap_ok(!strcmp(out.machine_requested, "q35") &&
	       !strcmp(out.machine_type, "pc-q35-7.2") && out.paused &&
	       !strcmp(out.backend_id, "vmpkram-ram") && !out.nr_warnings,
	       "requested and resolved machine recorded, -S seen, no warning");
	qargs_free(&out);

	ret = resolve(MEM, false, own, &out);
	tap_ok(ret == 0, "the caller's own backend on the RAM file: accepted (%s)",
	       out.error);
	tap_ok(has_args(&out, "-machine", "pc-i440fx-7.2,accel=kvm,memory-backend=mem") &&
	       count(&out, "-machine") == 1 && count(&out, "-object") == 1 &&
	       count(&out, "-m") == 1 && count(&out, "disk.img") == 1,
	       "two -machine options merged into one, no backend added, -m and the image kept");
	qargs_free(&out);

	ret = resolve(MEM, false, agent + 0, &out);
	tap_ok(ret == -EINVAL && strstr(out.error, "-cpu host") &&
	       strstr(out.error, "--allow-cpu-host"),
	       "-cpu host refused without --allow-cpu-host (%s)", out.error);
	qargs_free(&out);
	ret = resolve(MEM, true, agent, &out);
	tap_ok(ret == 0 && out.cpu_host && !strcmp(out.cpu, "host") &&
	       out.nr_warnings == 1 && strstr(out.warnings[0], "-cpu host"),
	       "-cpu host allowed: recorded, with a warning");
	tap_ok(!strcmp(out.agent_path, "/run/qga.sock"),
	       "the guest agent's socket is found (%s)", out.agent_path);
	tap_ok(has_args(&out, "-machine", "pc-i440fx-7.2,memory-backend=vmpkram-ram"),
	       "no -machine: the default machine, resolved, is added");
	qargs_free(&out);
}

static void test_refusals(void)
{
	static const struct {
		const char *what, *needle;
		const char *argv[12];
	} cases[] = {
		{ "another RAM backend", "another RAM backend, 'other'",
		  { "-object", "memory-backend-ram,id=other,size=1G",
		    "-numa", "node,memdev=other", NULL } },
		{ "a JSON -object backend", "another RAM backend, 'j'",
		  { "-object", "{\"qom-type\": \"memory-backend-memfd\", \"id\": \"j\", \"size\": 1024}", NULL } },
		{ "share=off", "without share=on",
		  { "-object", "memory-backend-file,id=m,mem-path=" RAM ",share=off,size=256M",
		    "-machine", "q35,memory-backend=m", NULL } },
		{ "share not given", "without share=on",
		  { "-object", "memory-backend-file,id=m,mem-path=" RAM ",size=256M",
		    "-machine", "q35,memory-backend=m", NULL } },
		{ "another file", "not the guest's RAM file",
		  { "-object", "memory-backend-file,id=m,mem-path=/dev/shm/x,share=on,size=256M",
		    "-machine", "memory-backend=m", NULL } },
		{ "a RAM backend that is not a file", "memory-backend-ram",
		  { "-object", "memory-backend-ram,id=m,size=256M",
		    "-machine", "memory-backend=m", NULL } },
		{ "backend size mismatch", "the sizes must match",
		  { "-object", "memory-backend-file,id=m,mem-path=" RAM ",share=on,size=512M",
		    "-machine", "memory-backend=m", NULL } },
		{ "-m size mismatch", "-m says 536870912 bytes, --mem 268435456",
		  { "-m", "512M", NULL } },
		{ "-m size= mismatch", "the sizes must match",
		  { "-m", "size=1G,slots=2,maxmem=4G", NULL } },
		{ "memory-backend= naming nothing", "no memory backend object",
		  { "-machine", "q35,memory-backend=ghost", NULL } },
		{ "our own backend id taken", "vmpkram-qemu's own",
		  { "-object", "memory-backend-file,id=vmpkram-ram,mem-path=/x,share=on,size=1M", NULL } },
		{ "an unknown machine", "no machine type 'q99'",
		  { "-machine", "q99", NULL } },
		{ "-mem-path", "-mem-path is refused", { "-mem-path", "/dev/hugepages", NULL } },
		{ "-mem-prealloc", "-mem-prealloc is refused", { "-mem-prealloc", NULL } },
		{ "VFIO", "VFIO devices are not supported",
		  { "-device", "vfio-pci,host=0000:01:00.0", NULL } },
		{ "-incoming", "-incoming is refused", { "-incoming", "defer", NULL } },
		{ "-daemonize", "-daemonize is refused", { "-daemonize", NULL } },
		{ "--pidfile (two dashes)", "-pidfile is refused", { "--pidfile", "/x", NULL } },
		{ "-loadvm", "-loadvm is refused", { "-loadvm", "snap", NULL } },
		{ "-readconfig", "-readconfig is refused", { "-readconfig", "vm.cfg", NULL } },
		{ "an option without its value", "-kernel needs a value", { "-kernel", NULL } },
		{ "-cpu max", "-cpu max changes", { "-cpu", "max", NULL } },
	};
	struct qargs_out out;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ret = resolve(MEM, false, cases[i].argv, &out);
		tap_ok(ret == -EINVAL && strstr(out.error, cases[i].needle),
		       "refused: %s (%s)", cases[i].what, out.error);
		qargs_free(&out);
	}
	ret = resolve(MEM + 4096, false, (const char *const[]){ NULL }, &out);
	tap_ok(ret == -EINVAL && strstr(out.error, "multiple of 2 MiB"),
	       "--mem not a multiple of 2 MiB: refused");
	qargs_free(&out);
}

static void test_without_mem(void)
{
	static const char *const hugepages[] = {
		"-m", "1G", "-mem-path", "/dev/hugepages", "-mem-prealloc",
		"-cpu", "host", "-machine", "q35", NULL,
	};
	static const char *const memfd[] = {
		"-object", "memory-backend-memfd,id=m,size=1G,share=on",
		"-machine", "q35,memory-backend=m", "-m", "1G", NULL,
	};
	struct qargs_out out;
	int ret, i;

	ret = resolve(0, false, hugepages, &out);
	tap_ok(ret == 0 && out.args.n == 9 && out.m_size == 1ULL << 30,
	       "without --mem: hugetlbfs RAM, -mem-prealloc, -cpu host pass unchanged (%s)",
	       out.error);
	for (i = 0; ret == 0 && i < 9; i++)
		if (strcmp(out.args.v[i], hugepages[i]))
			break;
	tap_ok(i == 9 && !out.machine_type[0],
	       "... in order, and the machine is not resolved");
	qargs_free(&out);
	ret = resolve(0, false, memfd, &out);
	tap_ok(ret == 0, "without --mem: a memfd backend is fine");
	qargs_free(&out);
	ret = resolve(0, false, (const char *const[]){ "-incoming", "defer", NULL }, &out);
	tap_ok(ret == -EINVAL && strstr(out.error, "-incoming"),
	       "without --mem: the shim's own options are still refused");
	qargs_free(&out);
}

int main(void)
{
	test_sizes();
	test_version();
	test_qopts();
	test_machine_resolve();
	test_resolve_ok();
	test_refusals();
	test_without_mem();
	return tap_exit();
}
