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
	       strstr(r.out, "monitor"), "--help lists every command");
	expect("-h", 0, "Usage: vmpkramctl", NULL,
	       (const char *[]){ "-h", NULL });
	expect("--version", 0, "vmpkramctl 0.1.0", NULL,
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
	};
	char want[64];
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(want, sizeof(want), "Usage: vmpkramctl [--json] %s",
			 cmds[i]);
		expect(cmds[i], 0, want, NULL,
		       (const char *[]){ cmds[i], "--help", NULL });
	}
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
	expect_usage("set max-workers -1", "'-1' is not a decimal number",
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
	test_bad_args();
	test_json_error();
	test_prefault_file();
	test_not_loaded();
	return tap_exit();
}
