// SPDX-License-Identifier: GPL-2.0-only
/*
 * libvmpkram context: refcounting, userdata, log priority and callback,
 * last error, and the calls that must fail before touching the kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "private.h"
#include "status.h"
#include "tap.h"

struct log_capture {
	int calls;
	int priority;
	char last[256];
};

static void capture_log(struct vmpkram_ctx *ctx, int priority, const char *fn,
			const char *format, va_list args)
{
	struct log_capture *cap = vmpkram_get_userdata(ctx);

	(void)fn;
	cap->calls++;
	cap->priority = priority;
	vsnprintf(cap->last, sizeof(cap->last), format, args);
}

static void test_refcount(void)
{
	struct vmpkram_ctx *ctx;
	int ret;

	tap_ok(vmpkram_new(NULL) == -EINVAL, "vmpkram_new(NULL) is -EINVAL");
	ret = vmpkram_new(&ctx);
	if (!tap_ok(ret == 0 && ctx, "vmpkram_new succeeds"))
		return;
	tap_ok(vmpkram_ref(ctx) == ctx, "vmpkram_ref returns the context");
	tap_ok(vmpkram_unref(ctx) == ctx,
	       "vmpkram_unref keeps a context still referenced");
	tap_ok(vmpkram_unref(ctx) == NULL,
	       "vmpkram_unref returns NULL when it frees");
	tap_ok(vmpkram_unref(NULL) == NULL && vmpkram_ref(NULL) == NULL,
	       "ref/unref accept NULL");
}

static void test_log_env(const char *value, int expected)
{
	struct vmpkram_ctx *ctx;

	setenv("VMPKRAM_LOG", value, 1);
	if (vmpkram_new(&ctx))
		return (void)tap_ok(0, "VMPKRAM_LOG=%s: vmpkram_new", value);
	tap_ok(vmpkram_get_log_priority(ctx) == expected,
	       "VMPKRAM_LOG=%s gives priority %d", value, expected);
	vmpkram_unref(ctx);
}

static void test_log_fn(void)
{
	struct log_capture cap = { 0 };
	struct vmpkram_ctx *ctx;

	unsetenv("VMPKRAM_LOG");
	if (vmpkram_new(&ctx))
		return (void)tap_ok(0, "log callback: vmpkram_new");
	tap_ok(vmpkram_get_log_priority(ctx) == LOG_ERR,
	       "default log priority is LOG_ERR");
	vmpkram_set_userdata(ctx, &cap);
	tap_ok(vmpkram_get_userdata(ctx) == &cap, "userdata round-trips");

	vmpkram_set_log_fn(ctx, capture_log);
	tap_ok(cap.calls == 0, "nothing logged below the priority");

	vmpkram_set_log_priority(ctx, LOG_DEBUG);
	tap_ok(vmpkram_get_log_priority(ctx) == LOG_DEBUG,
	       "log priority set to LOG_DEBUG");
	vmpkram_events_fd(ctx);
	tap_ok(cap.calls == 1 && cap.priority == LOG_DEBUG &&
	       strstr(cap.last, "subscribe"),
	       "failures are logged to the callback at LOG_DEBUG");

	vmpkram_set_log_priority(ctx, LOG_INFO);
	cap.calls = 0;
	vmpkram_unref(ctx);
	tap_ok(cap.calls == 1 && cap.priority == LOG_INFO &&
	       strstr(cap.last, "released"),
	       "context release is logged at LOG_INFO");
}

static void test_errors(void)
{
	struct vmpkram_status st = { .size = VMPKRAM_STATUS_SIZE_V1 - 1 };
	struct vmpkram_event ev = { .size = sizeof(ev) };
	struct vmpkram_ctx *ctx;

	if (vmpkram_new(&ctx))
		return (void)tap_ok(0, "errors: vmpkram_new");
	tap_ok(!strcmp(vmpkram_last_error(ctx), ""),
	       "last error is empty before any failure");
	tap_ok(vmpkram_events_fd(ctx) == -ENOTCONN,
	       "events_fd before subscribing is -ENOTCONN");
	tap_ok(strstr(vmpkram_last_error(ctx), "vmpkram_events_subscribe") != NULL,
	       "last error names the missing call");
	tap_ok(vmpkram_events_next(ctx, &ev, 0) == -ENOTCONN,
	       "events_next before subscribing is -ENOTCONN");
	tap_ok(vmpkram_get_status(ctx, &st) == -EINVAL,
	       "get_status rejects a short struct before any I/O");
	tap_ok(strstr(vmpkram_last_error(ctx), "size") != NULL,
	       "last error explains the size");
	tap_ok(ctx->nl == NULL, "no netlink socket was opened");
	vmpkram_unref(ctx);
}

static void initstate_case(const char *content, int expected)
{
	char path[] = "/tmp/vmpkram-initstate-XXXXXX";
	int fd = mkstemp(path);
	ssize_t len = strlen(content);

	if (fd < 0 || write(fd, content, len) != len) {
		tap_ok(0, "initstate '%s': temporary file", content);
	} else {
		tap_ok(vmpkram_initstate_live(path) == expected,
		       "initstate '%.*s' reads as %d",
		       (int)strcspn(content, "\n"), content, expected);
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

static void test_initstate(void)
{
	struct vmpkram_ctx *ctx;

	initstate_case("live\n", 1);
	initstate_case("coming\n", 0);
	initstate_case("going\n", 0);
	initstate_case("lively\n", 0);
	tap_ok(vmpkram_initstate_live("/nonexistent/initstate") == 0,
	       "missing initstate reads as not loaded");
	tap_ok(vmpkram_initstate_live("/") == -EISDIR,
	       "unreadable initstate is -errno");

	if (access("/sys/module/vmpkram", F_OK) == 0) {
		tap_skip("vmpkram is loaded on this host",
			 "module_is_loaded is 0 on the host");
		return;
	}
	if (vmpkram_new(&ctx))
		return (void)tap_ok(0, "module_is_loaded: vmpkram_new");
	tap_ok(vmpkram_module_is_loaded(ctx) == 0,
	       "module_is_loaded is 0 on the host");
	vmpkram_unref(ctx);
}

/* What the unload hint names: every vmpkramfs mount, nothing else. */
static void test_mounts(void)
{
	static char mounts[] =
		"proc /proc proc rw 0 0\n"
		"none /run/vmpkram vmpkramfs rw,pool=vm 0 0\n"
		"tmpfs /tmp tmpfs rw 0 0\n"
		"none /mnt/b vmpkramfs rw,pool=b 0 0\n";
	char buf[256];
	FILE *f = fmemopen(mounts, strlen(mounts), "r");

	if (!tap_ok(f != NULL, "mounts: fmemopen"))
		return;
	tap_ok(vmpkram_fs_mounts(f, buf, sizeof(buf)) == 2 &&
	       !strcmp(buf, "/run/vmpkram, /mnt/b"),
	       "mounts: the two vmpkramfs mount points (%s)", buf);
	fclose(f);
	f = fmemopen(mounts, 24, "r");
	tap_ok(f && vmpkram_fs_mounts(f, buf, sizeof(buf)) == 0 && !buf[0],
	       "mounts: none");
	if (f)
		fclose(f);
}

/* Load options against the module's parameter names. */
static void test_params(void)
{
	static const char *const known[] = { "max_workers", "pool" };
	char bad[64];

	tap_ok(!vmpkram_params_check(NULL, known, 2, bad, sizeof(bad)) &&
	       !vmpkram_params_check("", known, 2, bad, sizeof(bad)),
	       "params: no options");
	tap_ok(!vmpkram_params_check("max_workers=4", known, 2, bad,
				     sizeof(bad)),
	       "params: max_workers=4");
	tap_ok(!vmpkram_params_check("max-workers=4 pool=vm:4M@0x40000000",
				     known, 2, bad, sizeof(bad)),
	       "params: dashes are underscores, two of them");
	tap_ok(vmpkram_params_check("max_worker=4", known, 2, bad,
				    sizeof(bad)) == -EINVAL &&
	       !strcmp(bad, "max_worker"),
	       "params: max_worker=4 is -EINVAL, naming it");
	tap_ok(vmpkram_params_check("pool=\"a b=c\" bogus=1", known, 2, bad,
				    sizeof(bad)) == -EINVAL &&
	       !strcmp(bad, "bogus"),
	       "params: a quoted value with a space and '=' is one value");
	tap_ok(vmpkram_params_check("max_workers=4", known, 0, bad,
				    sizeof(bad)) == -EINVAL,
	       "params: a module without parameters takes none");
}

int main(void)
{
	test_refcount();
	test_log_env("err", LOG_ERR);
	test_log_env("info", LOG_INFO);
	test_log_env("debug", LOG_DEBUG);
	test_log_env("7", LOG_DEBUG);
	test_log_env("bogus", LOG_ERR);
	test_log_fn();
	test_errors();
	test_initstate();
	test_params();
	test_mounts();
	return tap_exit();
}
