// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl run as a process, each run under the valgrind command given
 * on our command line: usage, help, version, strict argument checking
 * before any library or kernel contact, and status on a host without the
 * module.  Nothing here loads, unloads or configures the module.
 *
 * Usage: test-cli VMPKRAMCTL VALGRIND [VALGRIND-OPTION ...]
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json.h>

#include "image.h"
#include "tap.h"

#define MAX_ARGS	32

static const char *ctl;
static char **valgrind;		/* NULL-terminated command and options */

struct run {
	int status;		/* exit status, 128 + signal when killed */
	char out[16384];
	char err[16384];
};

static void child(int out, int err, const char *const args[])
{
	const char *argv[MAX_ARGS];
	int n = 0, i;

	for (i = 0; valgrind[i] && n < MAX_ARGS - 2; i++)
		argv[n++] = valgrind[i];
	argv[n++] = ctl;
	for (i = 0; args[i] && n < MAX_ARGS - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	/* Nobody at a terminal: commands must not wait for an answer. */
	freopen("/dev/null", "r", stdin);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	/* Debug logging shows any library use in stderr. */
	setenv("VMPKRAM_LOG", "debug", 1);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

/* Reads both pipes to EOF; output beyond the buffers is dropped. */
static void collect(int out, int err, struct run *r)
{
	struct pollfd pfd[2] = {
		{ .fd = out, .events = POLLIN }, { .fd = err, .events = POLLIN },
	};
	char *buf[2] = { r->out, r->err };
	size_t len[2] = { 0, 0 };
	ssize_t n;
	int i, open = 2;

	while (open && poll(pfd, 2, -1) > 0) {
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			n = read(pfd[i].fd, buf[i] + len[i],
				 sizeof(r->out) - 1 - len[i]);
			if (n <= 0) {
				pfd[i].fd = -1;
				open--;
			} else {
				len[i] += n;
			}
		}
	}
	r->out[len[0]] = '\0';
	r->err[len[1]] = '\0';
}

static int run(struct run *r, const char *const args[])
{
	int out[2], err[2], status;
	pid_t pid;

	if (pipe(out) || pipe(err))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		close(out[0]);
		close(err[0]);
		child(out[1], err[1], args);
	}
	close(out[1]);
	close(err[1]);
	collect(out[0], err[0], r);
	close(out[0]);
	close(err[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
					128 + WTERMSIG(status);
	if (r->status == 99)
		fprintf(stderr, "valgrind errors for %s:\n%s", args[0],
			r->err);
	return 0;
}

static struct run r;

/* Runs args and checks the exit status and what stdout/stderr contain. */
static void expect(const char *name, int status, const char *out_has,
		   const char *err_has, const char *const args[])
{
	int ret = run(&r, args);

	tap_ok(!ret && r.status == status &&
	       (!out_has || strstr(r.out, out_has)) &&
	       (!err_has || strstr(r.err, err_has)),
	       "%s: exit %d (got %d)", name, status, ret ? ret : r.status);
}

/* A usage error must come before the library is even created. */
static void expect_usage(const char *name, const char *err_has,
			 const char *const args[])
{
	expect(name, 2, NULL, err_has, args);
	tap_ok(!strstr(r.err, "libvmpkram"),
	       "%s: rejected before any library or kernel contact", name);
}

static void test_global(void)
{
	expect("--help", 0, "Usage: vmpkramctl", NULL,
	       (const char *[]){ "--help", NULL });
	tap_ok(strstr(r.out, "status") && strstr(r.out, "load") &&
	       strstr(r.out, "unload") && strstr(r.out, "set") &&
	       strstr(r.out, "monitor") && strstr(r.out, "pool") &&
	       strstr(r.out, "ls") && strstr(r.out, "kexec"),
	       "--help lists every command");
	expect("-h", 0, "Usage: vmpkramctl", NULL,
	       (const char *[]){ "-h", NULL });
	expect("--version", 0, "vmpkramctl " VMPKRAM_VERSION " (API", NULL,
	       (const char *[]){ "--version", NULL });
	expect("-V", 0, "vmpkramctl ", NULL, (const char *[]){ "-V", NULL });
	expect_usage("no arguments", "Usage:", (const char *[]){ NULL });
	expect_usage("unknown command", "unknown command 'frobnicate'",
		     (const char *[]){ "frobnicate", NULL });
	expect_usage("unknown global option", "unknown option '--bogus'",
		     (const char *[]){ "--bogus", "status", NULL });
}

static void test_command_help(void)
{
	static const char *const cmds[] = {
		"status", "load", "unload", "set", "monitor", "prefault",
		"pool", "ls", "kexec",
	};
	static const char *const subs[][2] = {
		{ "pool", "status" }, { "pool", "format" }, { "pool", "seal" },
		{ "pool", "unseal" }, { "pool", "attach" }, { "pool", "detach" },
		{ "kexec", "load" }, { "kexec", "exec" }, { "kexec", "unload" },
	};
	char want[64], name[32];
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(want, sizeof(want), "Usage: vmpkramctl [--json] %s",
			 cmds[i]);
		expect(cmds[i], 0, want, NULL,
		       (const char *[]){ cmds[i], "--help", NULL });
	}
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(want, sizeof(want), "Usage: vmpkramctl [--json] %s %s",
			 subs[i][0], subs[i][1]);
		snprintf(name, sizeof(name), "%s %s --help", subs[i][0],
			 subs[i][1]);
		expect(name, 0, want, NULL,
		       (const char *[]){ subs[i][0], subs[i][1], "--help",
					 NULL });
	}
	expect("pool --help lists the subcommands", 0, "detach NAME", NULL,
	       (const char *[]){ "pool", "--help", NULL });
	tap_ok(strstr(r.out, "status [NAME]") && strstr(r.out, "attach NAME SIZE@ADDR"),
	       "pool --help shows each subcommand's arguments");
}

/*
 * One parser for every command: --help and the global options anywhere
 * on its command line, options and arguments in any order, "--" ends the
 * options.
 */
static void test_option_order(void)
{
	static const char *const helps[][6] = {
		{ "pool", "status", "vm", "--help" },
		{ "pool", "format", "vm", "-h" },
		{ "pool", "attach", "vm", "4M@0", "--help" },
		{ "ls", "vm", "--extents", "--help" },
		{ "set", "max-workers", "4", "--help" },
		{ "load", "max_workers=4", "--help" },
		{ "kexec", "load", "--kernel", "/x", "--help" },
		{ "monitor", "--count", "1", "--json", "--help" },
		{ "prefault", "--file", "/x", "--help" },
		{ "status", "--help" },
	};
	char name[96], want[64];
	size_t i, j;

	for (i = 0; i < sizeof(helps) / sizeof(helps[0]); i++) {
		snprintf(name, sizeof(name), "%s", helps[i][0]);
		for (j = 1; helps[i][j]; j++)
			snprintf(name + strlen(name), sizeof(name) - strlen(name),
				 " %s", helps[i][j]);
		snprintf(want, sizeof(want), "Usage: vmpkramctl [--json] %s",
			 helps[i][0]);
		expect(name, 0, want, NULL, (const char *const *)helps[i]);
	}
	expect("status --version", 0, "vmpkramctl " VMPKRAM_VERSION, NULL,
	       (const char *[]){ "status", "--version", NULL });
	expect_usage("an unknown option before a subcommand",
		     "unknown option '--bogus' (options go after the subcommand)",
		     (const char *[]){ "pool", "--bogus", "status", NULL });
	expect_usage("-- ends the options", "invalid pool name '--ext.ents'",
		     (const char *[]){ "ls", "--", "--ext.ents", NULL });
	expect_usage("an option after the arguments is still checked",
		     "unknown option '--all'",
		     (const char *[]){ "ls", "vm", "--all", NULL });
}

static void test_pool_args(void)
{
	expect_usage("pool without a subcommand", "no subcommand",
		     (const char *[]){ "pool", NULL });
	expect_usage("pool unknown subcommand", "unknown subcommand 'list'",
		     (const char *[]){ "pool", "list", NULL });
	expect_usage("pool status bad name", "invalid pool name 'a.b'",
		     (const char *[]){ "pool", "status", "a.b", NULL });
	expect_usage("pool status two names", "unexpected argument 'b'",
		     (const char *[]){ "pool", "status", "a", "b", NULL });
	expect_usage("pool format without a name", "no pool name",
		     (const char *[]){ "pool", "format", "--yes", NULL });
	expect_usage("pool format without --yes and nobody to ask",
		     "pass --yes",
		     (const char *[]){ "pool", "format", "small", NULL });
	expect("--json pool format without --yes", 2, "pass --yes", NULL,
	       (const char *[]){ "--json", "pool", "format", "small", NULL });
	expect_usage("pool format unknown option", "unknown option '--force'",
		     (const char *[]){ "pool", "format", "a", "--force", NULL });
	expect_usage("pool detach without a name", "no pool name",
		     (const char *[]){ "pool", "detach", NULL });
	expect_usage("pool seal long name", "invalid pool name",
		     (const char *[]){ "pool", "seal",
				       "0123456789012345678901234567890123",
				       NULL });
	expect_usage("pool unseal two names", "unexpected argument",
		     (const char *[]){ "pool", "unseal", "a", "b", NULL });
	expect_usage("pool attach without a range", "expected NAME and SIZE@ADDR",
		     (const char *[]){ "pool", "attach", "x", NULL });
	expect_usage("pool attach bad name", "invalid pool name 'a b'",
		     (const char *[]){ "pool", "attach", "a b", "4M@0", NULL });
	expect_usage("pool attach malformed range", "expected SIZE@ADDR",
		     (const char *[]){ "pool", "attach", "x", "4M", NULL });
	expect_usage("pool attach misaligned range", "multiples of 2M",
		     (const char *[]){ "pool", "attach", "x", "4M@0x1000",
				       NULL });
	expect_usage("pool attach too small", "from 4M to 4T",
		     (const char *[]){ "pool", "attach", "x", "2M@0x40000000",
				       NULL });
	expect_usage("ls unknown option", "unknown option '--all'",
		     (const char *[]){ "ls", "--all", NULL });
	expect_usage("ls two pools", "unexpected argument 'b'",
		     (const char *[]){ "ls", "a", "b", NULL });
	expect_usage("ls bad pool name", "invalid pool name",
		     (const char *[]){ "ls", "a/b", NULL });
}

static void test_kexec_args(void)
{
	expect_usage("kexec without a subcommand", "no subcommand",
		     (const char *[]){ "kexec", NULL });
	expect_usage("kexec unknown subcommand", "unknown subcommand 'reboot'",
		     (const char *[]){ "kexec", "reboot", NULL });
	expect_usage("kexec load without --kernel", "--kernel is required",
		     (const char *[]){ "kexec", "load", NULL });
	expect_usage("kexec load extra argument", "unexpected argument",
		     (const char *[]){ "kexec", "load", "--kernel", "k", "now",
				       NULL });
	expect_usage("kexec load --initrd without value", "needs a value",
		     (const char *[]){ "kexec", "load", "--kernel", "k",
				       "--initrd", NULL });
	/* Never run for real: exec would reboot, unload would change the host. */
	expect_usage("kexec exec extra argument", "unexpected argument",
		     (const char *[]){ "kexec", "exec", "now", NULL });
	expect_usage("kexec unload extra argument", "unexpected argument",
		     (const char *[]){ "kexec", "unload", "now", NULL });
}

static void test_prefault_args(void)
{
	expect_usage("prefault without a target", "either --range or --file",
		     (const char *[]){ "prefault", NULL });
	expect_usage("prefault --range and --file", "either --range or --file",
		     (const char *[]){ "prefault", "--range", "0x1000+4K",
				       "--file", "/x", "--pid", "1", NULL });
	expect_usage("prefault --range without --pid", "--range needs --pid",
		     (const char *[]){ "prefault", "--range", "0x1000+4K",
				       NULL });
	expect_usage("prefault --read --zero", "exclude each other",
		     (const char *[]){ "prefault", "--file", "/x", "--read",
				       "--zero", NULL });
	expect_usage("prefault bad range", "expected START-END or START+LEN",
		     (const char *[]){ "prefault", "--pid", "1", "--range",
				       "0x1000", NULL });
	expect_usage("prefault unaligned range", "page aligned",
		     (const char *[]){ "prefault", "--pid", "1", "--range",
				       "0x1001+4K", NULL });
	expect_usage("prefault backwards range", "END is not above START",
		     (const char *[]){ "prefault", "--pid", "1", "--range",
				       "0x2000-0x1000", NULL });
	expect_usage("prefault wrapping range", "wraps",
		     (const char *[]){ "prefault", "--pid", "1", "--range",
				       "0xfffffffffffff000+8K", NULL });
	expect_usage("prefault overflowing size", "above 2^64",
		     (const char *[]){ "prefault", "--pid", "1", "--range",
				       "0x1000+16777216T", NULL });
	expect_usage("prefault --pid 0", "--pid: '0'",
		     (const char *[]){ "prefault", "--pid", "0", "--file", "/x",
				       NULL });
	expect_usage("prefault --threads 1025", "--threads: '1025'",
		     (const char *[]){ "prefault", "--threads", "1025",
				       "--file", "/x", NULL });
	expect_usage("prefault extra argument", "unexpected argument",
		     (const char *[]){ "prefault", "--file", "/x", "now", NULL });
}

static void test_prefault_file(void)
{
	char self[16];

	/* Our own maps are readable wherever the tests run; pid 1's may not be. */
	snprintf(self, sizeof(self), "%d", (int)getpid());
	/* Fails on the file, before the module is needed. */
	expect("prefault --file missing", 1, NULL,
	       "prefault /nonexistent/vmpkram-test: No such file",
	       (const char *[]){ "prefault", "--file",
				 "/nonexistent/vmpkram-test", NULL });
	expect("prefault --file /dev/null", 1, NULL, "not a regular file",
	       (const char *[]){ "prefault", "--file", "/dev/null", NULL });
	expect("prefault --file in a process without it", 1, NULL,
	       "no writable mapping",
	       (const char *[]){ "prefault", "--pid", self, "--file",
				 "/dev/null", NULL });
}

static void test_bad_args(void)
{
	expect_usage("set max-workers abc", "'abc' is not a decimal number",
		     (const char *[]){ "set", "max-workers", "abc", NULL });
	expect_usage("set max-workers -1", "'-1' (no value may be negative)",
		     (const char *[]){ "set", "max-workers", "-1", NULL });
	expect_usage("set max-workers 99999999999",
		     "'99999999999' is out of range",
		     (const char *[]){ "set", "max-workers", "99999999999",
				       NULL });
	expect_usage("set max-workers 1025", "out of range",
		     (const char *[]){ "set", "max-workers", "1025", NULL });
	expect_usage("set without a parameter", "no parameter",
		     (const char *[]){ "set", NULL });
	expect_usage("set unknown parameter", "unknown parameter 'speed'",
		     (const char *[]){ "set", "speed", "1", NULL });
	expect_usage("set max-workers without a value", "one value",
		     (const char *[]){ "set", "max-workers", NULL });
	expect_usage("set max-workers with two values", "one value",
		     (const char *[]){ "set", "max-workers", "1", "2", NULL });
	expect_usage("monitor --count 0", "--count",
		     (const char *[]){ "monitor", "--count", "0", NULL });
	expect_usage("monitor --count abc", "--count",
		     (const char *[]){ "monitor", "--count", "abc", NULL });
	expect_usage("monitor --timeout -5", "--timeout",
		     (const char *[]){ "monitor", "--timeout", "-5", NULL });
	expect_usage("monitor --count without value", "needs a value",
		     (const char *[]){ "monitor", "--count", NULL });
	expect_usage("monitor extra argument", "unexpected argument",
		     (const char *[]){ "monitor", "now", NULL });
	expect_usage("status extra argument", "unexpected argument",
		     (const char *[]){ "status", "now", NULL });
	test_prefault_args();
	expect_usage("status unknown option", "unknown option '--all'",
		     (const char *[]){ "status", "--all", NULL });
	expect_usage("load malformed parameter", "invalid module parameter",
		     (const char *[]){ "load", "max_workers", NULL });
	expect_usage("load parameter without name", "invalid module parameter",
		     (const char *[]){ "load", "=4", NULL });
}

/* stdout must be one JSON object; returns it (caller puts) or NULL. */
static struct json_object *json_out(const char *name)
{
	struct json_object *obj = json_tokener_parse(r.out);

	if (!tap_ok(obj && json_object_is_type(obj, json_type_object),
		    "%s: stdout is a JSON object", name)) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static void test_json_error(void)
{
	struct json_object *obj, *e, *v;

	expect("--json set max-workers abc", 2, NULL, NULL,
	       (const char *[]){ "--json", "set", "max-workers", "abc", NULL });
	obj = json_out("--json usage error");
	if (!obj)
		return;
	tap_ok(json_object_object_get_ex(obj, "error", &e) &&
	       json_object_object_get_ex(e, "errno", &v) &&
	       json_object_get_int(v) == EINVAL &&
	       json_object_object_get_ex(e, "message", &v) &&
	       strstr(json_object_get_string(v), "abc"),
	       "--json usage error: error.errno is EINVAL with a message");
	json_object_put(obj);
}

/*
 * kexec load refusals that come before anything changes: a refusal here
 * must never reach the seal or kexec_file_load, whoever runs the tests.
 */
static void test_kexec_refusals(void)
{
	char dir[] = "/tmp/vmpkram-cli-XXXXXX", img[64], tiny[64], text[64];

	if (!tap_ok(mkdtemp(dir) != NULL, "kexec load: temporary directory"))
		return;
	snprintf(img, sizeof(img), "%s/vmlinuz", dir);
	snprintf(tiny, sizeof(tiny), "%s/vmlinuz-tiny", dir);
	snprintf(text, sizeof(text), "%s/text", dir);
	if (!tap_ok(write_image(img, "0.0.0-vmpkram-test", 2047) &&
		    write_image(tiny, "0.0.0-vmpkram-test", 40) &&
		    write_image(text, "", 0) && !truncate(text, 100),
		    "kexec load: crafted images"))
		goto out;

	expect("kexec load of a missing kernel", 1, NULL,
	       "--kernel /nonexistent/vmlinuz: No such file",
	       (const char *[]){ "kexec", "load", "--kernel",
				 "/nonexistent/vmlinuz", NULL });
	expect("kexec load of a missing initrd", 1, NULL,
	       "--initrd /nonexistent/initrd: No such file",
	       (const char *[]){ "kexec", "load", "--kernel", img, "--initrd",
				 "/nonexistent/initrd", NULL });
	expect("kexec load of a directory", 1, NULL, "not a regular file",
	       (const char *[]){ "kexec", "load", "--kernel", dir, NULL });
	expect("kexec load of a file that is no kernel", 1, NULL,
	       "/text: too short to be a kernel image\n",
	       (const char *[]){ "kexec", "load", "--kernel", text, NULL });
	expect("kexec load of a kernel without module", 1, NULL,
	       "kexec load: kernel 0.0.0-vmpkram-test: no /lib/modules/0.0.0-vmpkram-test for kernel 0.0.0-vmpkram-test",
	       (const char *[]){ "kexec", "load", "--kernel", img, NULL });
	tap_ok(strstr(r.err, "make dkms-install") &&
	       strstr(r.err, "make install KVER=0.0.0-vmpkram-test") &&
	       strstr(r.err, "; --force loads it anyway\n"),
	       "... says how to install the module, and about --force");
	expect("kexec load --force, command line too long", 1, NULL,
	       "kernel 0.0.0-vmpkram-test takes at most 9",
	       (const char *[]){ "kexec", "load", "--kernel", tiny, "--force",
				 "--command-line", "root=/dev/vda console=ttyS0",
				 NULL });
	tap_ok(strstr(r.err, "; loading anyway (--force)") != NULL,
	       "... after warning that --force skips the module");
	expect("kexec load --append with an open quote", 1, NULL,
	       "a double quote is not closed",
	       (const char *[]){ "kexec", "load", "--kernel", img, "--force",
				 "--append", "a=\"b", NULL });
out:
	unlink(img);
	unlink(tiny);
	unlink(text);
	rmdir(dir);
}

static void test_not_loaded(void)
{
	struct json_object *obj, *v;

	if (access("/sys/module/vmpkram", F_OK) == 0) {
		tap_skip("vmpkram is loaded on this host",
			 "status without the module");
		return;
	}
	expect("status without the module", 0, "not loaded", NULL,
	       (const char *[]){ "status", NULL });
	expect("--json status without the module", 0, NULL, NULL,
	       (const char *[]){ "--json", "status", NULL });
	obj = json_out("--json status");
	if (!obj)
		return;
	tap_ok(json_object_object_get_ex(obj, "loaded", &v) &&
	       json_object_is_type(v, json_type_boolean) &&
	       !json_object_get_boolean(v) &&
	       json_object_object_length(obj) == 1,
	       "--json status: {\"loaded\": false} only");
	json_object_put(obj);

	/* The global --json after the command, and between group and sub. */
	expect("status --json", 0, NULL, NULL,
	       (const char *[]){ "status", "--json", NULL });
	obj = json_out("status --json");
	tap_ok(obj && json_object_object_get_ex(obj, "loaded", &v),
	       "status --json: the same object");
	json_object_put(obj);
	expect("pool --json status", 1, NULL, NULL,
	       (const char *[]){ "pool", "--json", "status", NULL });
	obj = json_out("pool --json status");
	tap_ok(obj && json_object_object_get_ex(obj, "error", &v),
	       "pool --json status: a JSON error");
	json_object_put(obj);

	expect("pool status without the module", 1, NULL,
	       "the vmpkram module is not loaded",
	       (const char *[]){ "pool", "status", NULL });
	expect("ls without the module", 1, NULL, "not loaded",
	       (const char *[]){ "ls", "--extents", NULL });
	expect("--json pool seal without the module", 1, NULL, NULL,
	       (const char *[]){ "--json", "pool", "seal", NULL });
	obj = json_out("--json pool seal");
	if (obj)
		tap_ok(json_object_object_get_ex(obj, "error", &v) &&
		       json_object_object_get_ex(v, "errno", &v) &&
		       json_object_get_int(v) == ENODEV,
		       "--json pool seal: error.errno is ENODEV");
	json_object_put(obj);

	/* Only load loads the module: set and monitor check sysfs first. */
	expect("set without the module", 1, NULL,
	       "set max-workers: the vmpkram module is not loaded",
	       (const char *[]){ "set", "max-workers", "2", NULL });
	expect("monitor without the module", 1, NULL,
	       "monitor: the vmpkram module is not loaded",
	       (const char *[]){ "monitor", "--timeout", "1", NULL });

	/* unload checks sysfs first: no libkmod call, nothing removed. */
	expect("unload without the module", 1, NULL, "not loaded",
	       (const char *[]){ "unload", NULL });
	expect("--json unload without the module", 1, NULL, NULL,
	       (const char *[]){ "--json", "unload", NULL });
	obj = json_out("--json unload");
	if (!obj)
		return;
	tap_ok(json_object_object_get_ex(obj, "error", &v) &&
	       json_object_object_get_ex(v, "errno", &v) &&
	       json_object_get_int(v) == ENOENT,
	       "--json unload: error.errno is ENOENT");
	json_object_put(obj);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s VMPKRAMCTL VALGRIND [OPTION ...]\n",
			argv[0]);
		return 2;
	}
	ctl = argv[1];
	valgrind = argv + 2;

	test_global();
	test_command_help();
	test_option_order();
	test_bad_args();
	test_json_error();
	test_prefault_file();
	test_pool_args();
	test_kexec_args();
	test_kexec_refusals();
	test_not_loaded();
	return tap_exit();
}
