// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl's commands run in-process against a fake libvmpkram and a
 * fake kexec system interface (fake.h), so that every failure of the
 * library or the system can be injected and what the command did about
 * it checked: its exit status, what it printed, and which calls it made
 * (was anything sealed, loaded, booted?).
 *
 * Errors: one line, what failed and why (the kernel's extended-ACK
 * message when it sent one) and what to do; the same as a JSON object.
 *
 * kexec: every failure to see the pools stops load and exec before
 * anything changes and is reported by unload; exec refuses when the
 * pools attached now are not the ones kexec load recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json.h>

#include "fake.h"
#include "image.h"
#include "tap.h"
#include "vmpkramctl.h"

#define MAX_ARGS	24

static char dir[] = "/tmp/vmpkram-ctl-XXXXXX";
static char state_dir[64], state_file[80], image[64];

struct out {
	int status;
	char out[16384];
	char err[16384];
};

static struct out o;

static void slurp(int fd, char *buf, size_t size)
{
	ssize_t n;
	size_t len = 0;

	lseek(fd, 0, SEEK_SET);
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
}

/*
 * vmpkramctl ARGS... in this process: stdin from /dev/null (no
 * questions), stdout and stderr into o.out and o.err.
 */
static void ctl(const char *const args[])
{
	char *argv[MAX_ARGS];
	int argc = 0, fds[3], saved[3], i;

	argv[argc++] = strdup("vmpkramctl");
	for (i = 0; args[i] && argc < MAX_ARGS - 1; i++)
		argv[argc++] = strdup(args[i]);
	argv[argc] = NULL;

	fflush(stdout);
	fflush(stderr);
	fds[0] = open("/dev/null", O_RDONLY);
	fds[1] = open(dir, O_TMPFILE | O_RDWR, 0600);
	fds[2] = open(dir, O_TMPFILE | O_RDWR, 0600);
	for (i = 0; i < 3; i++) {
		saved[i] = dup(i);
		dup2(fds[i], i);
	}
	optind = 0;
	o.status = ctl_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < 3; i++) {
		dup2(saved[i], i);
		close(saved[i]);
	}
	slurp(fds[1], o.out, sizeof(o.out));
	slurp(fds[2], o.err, sizeof(o.err));
	for (i = 0; i < 3; i++)
		close(fds[i]);
	for (i = 0; i < argc; i++)
		free(argv[i]);
}

#define CTL(...)	ctl((const char *[]){ __VA_ARGS__, NULL })

static int err_has(const char *text)
{
	return strstr(o.err, text) != NULL;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void show_err(void)
{
	char *line, *save = NULL;

	for (line = strtok_r(o.err, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("# stderr: %s\n", line);
}

/* Checks the exit status and a text on stderr; shows stderr if not. */
static int expect(const char *name, int status, const char *err_text)
{
	int pass = o.status == status && (!err_text || err_has(err_text));

	tap_ok(pass, "%s: exit %d (got %d)%s%s%s", name, status, o.status,
	       err_text ? ", says \"" : "", err_text ? err_text : "",
	       err_text ? "\"" : "");
	if (!pass)
		show_err();
	return pass;
}

static int state(const char *name)
{
	const struct vmpkram_pool *p = fake_pool(name);

	return p ? (int)p->state : -1;
}

static int recorded(void)
{
	return access(state_file, F_OK) == 0;
}

static void reset(void)
{
	fake_reset(state_dir);
	unlink(state_file);
}

/* --------------------------------------------------------------- errors */

static void loaded(void);

/* stderr is exactly @line (and a newline). */
static void one_line(const char *name, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "%s\n", line);
	if (!tap_ok(!strcmp(o.err, want), "%s: one line: %s", name, line))
		show_err();
}

static void test_errors(void)
{
	struct json_object *obj, *e, *v;

	reset();
	fake_fail(F_SET_WORKERS, -EPERM,
		  "vmpkram: this command needs CAP_SYS_ADMIN");
	CTL("set", "max-workers", "4");
	expect("set refused by the kernel", 1, NULL);
	one_line("set refused by the kernel",
		 "vmpkramctl: set max-workers: vmpkram: this command needs CAP_SYS_ADMIN");

	CTL("--json", "set", "max-workers", "4");
	expect("--json set refused by the kernel", 1, NULL);
	obj = json_tokener_parse(o.out);
	tap_ok(obj && json_object_object_get_ex(obj, "error", &e) &&
	       json_object_object_length(obj) == 1 &&
	       json_object_object_length(e) == 2 &&
	       json_object_object_get_ex(e, "errno", &v) &&
	       json_object_get_int(v) == EPERM &&
	       json_object_object_get_ex(e, "message", &v) &&
	       !strcmp(json_object_get_string(v),
		       "set max-workers: vmpkram: this command needs CAP_SYS_ADMIN") &&
	       !o.err[0],
	       "... as JSON: {\"error\": {\"errno\": 1, \"message\": the same}}, nothing on stderr");
	json_object_put(obj);

	reset();
	fake_fail(F_POOL_FORMAT, -EBUSY,
		  "vmpkram: pool is mounted: unmount its vmpkramfs first");
	CTL("pool", "format", "test", "--yes");
	expect("format of a mounted pool", 1, NULL);
	one_line("format of a mounted pool",
		 "vmpkramctl: pool format: vmpkram: pool is mounted: unmount its vmpkramfs first");

	reset();
	fake_fail(F_POOL_GET, -ENODEV,
		  "pool get: no pool named x is attached (vmpkramctl pool status lists them)");
	CTL("pool", "format", "x", "--yes");
	expect("format of a pool that is not there", 1, NULL);
	one_line("format of a pool that is not there",
		 "vmpkramctl: pool format: pool get: no pool named x is attached (vmpkramctl pool status lists them)");

	reset();
	fake_fail(F_POOL_SEAL, -EPERM,
		  "pool seal: needs CAP_SYS_ADMIN (pools name physical addresses)");
	CTL("pool", "seal");
	expect("seal without privileges", 1, NULL);
	one_line("seal without privileges (the library names the command)",
		 "vmpkramctl: pool seal: needs CAP_SYS_ADMIN (pools name physical addresses)");

	loaded();
	fake_fail(F_FILE_LOAD, -EBUSY, NULL);
	CTL("kexec", "unload");
	expect("kexec unload, a system call fails", 1, NULL);
	one_line("kexec unload, a system call fails",
		 "vmpkramctl: kexec unload: Device or resource busy; another kexec load is in progress: try again");
}

/* -------------------------------------------------- destructive commands */

static void test_yes(void)
{
	reset();
	CTL("pool", "format", "test");
	expect("format without --yes, nobody to ask", 2, "pass --yes");
	tap_ok(!fake.calls[F_POOL_FORMAT] && !fake.calls[F_POOL_GET] &&
	       !fake.calls[F_IS_LOADED],
	       "... refused before the module is contacted");
	CTL("--json", "pool", "format", "test");
	expect("--json format without --yes", 2, NULL);
	tap_ok(!fake.calls[F_POOL_FORMAT] && strstr(o.out, "pass --yes"),
	       "... refused too (JSON does not mean yes)");
	CTL("pool", "format", "test", "--yes");
	expect("format --yes", 0, NULL);
	tap_ok(fake.calls[F_POOL_FORMAT] == 1, "... formats");
}

/*
 * pool repair: the plan first, then --yes or a person; what needs no
 * repair, or cannot be repaired, is said without --yes.
 */
static void test_repair(void)
{
	struct json_object *obj, *v;

	reset();
	CTL("pool", "check", "test");
	expect("check of a ready pool", 0, NULL);
	tap_ok(strstr(o.out, "repair: nothing to repair") &&
	       !fake.calls[F_POOL_REPAIR], "... plans nothing, repairs nothing");
	CTL("--json", "pool", "check", "test");
	obj = json_tokener_parse(o.out);
	tap_ok(obj && json_object_object_get_ex(obj, "repair", &v) &&
	       json_object_object_get_ex(v, "action", &v) &&
	       !strcmp(json_object_get_string(v), "none") &&
	       count_lines(o.out) == 1,
	       "... --json: repair.action none, one compact line");
	json_object_put(obj);
	CTL("pool", "check");
	expect("check without a pool name", 2, NULL);

	CTL("pool", "repair", "test");
	expect("repair of a ready pool without --yes", 0, NULL);
	tap_ok(strstr(o.out, "nothing to repair") && !fake.calls[F_POOL_REPAIR],
	       "... says there is nothing to repair, calls no repair");

	CTL("pool", "repair", "small");
	expect("repair of an unformatted pool", 1, "no vmpkram metadata");
	tap_ok(!fake.calls[F_POOL_REPAIR], "... refused from the plan");

	fake_pool("test")->state = VMPKRAM_POOL_DAMAGED;
	CTL("pool", "repair", "test");
	expect("repair of a damaged pool without --yes, nobody to ask", 1,
	       "pass --yes");
	tap_ok(!fake.calls[F_POOL_REPAIR] &&
	       state("test") == VMPKRAM_POOL_DAMAGED, "... changes nothing");
	CTL("pool", "repair", "test", "--yes");
	expect("repair --yes of a damaged pool", 0, NULL);
	tap_ok(fake.calls[F_POOL_REPAIR] == 1 &&
	       state("test") == VMPKRAM_POOL_READY &&
	       strstr(o.out, "repaired (now ready)"), "... repairs it");
}

/* ---------------------------------------- nothing but load loads the module */

static void test_no_autoload(void)
{
	char self[16];

	snprintf(self, sizeof(self), "%d", (int)getpid());
	reset();
	fake.loaded = 0;
	CTL("set", "max-workers", "2");
	expect("set without the module", 1, "the vmpkram module is not loaded");
	tap_ok(!fake.calls[F_SET_WORKERS], "... never contacts the module");
	CTL("monitor", "--count", "1");
	expect("monitor without the module", 1,
	       "the vmpkram module is not loaded");
	tap_ok(!fake.calls[F_EV_SUB], "... never subscribes (which would load it)");
	CTL("prefault", "--pid", self, "--range", "0x10000+4K");
	expect("prefault without the module", 1,
	       "the vmpkram module is not loaded");
	tap_ok(!fake.calls[F_PREFAULT] && !fake.calls[F_EV_SUB],
	       "... never contacts the module");
}

/* ------------------------------------------------------------- progress */

static void test_progress(void)
{
	char buf[128];

	ctl_progress_text(buf, sizeof(buf), NULL, 0, NULL);
	tap_ok(!strcmp(buf, "[------------------------------]   0%"),
	       "progress: empty bar (%s)", buf);
	ctl_progress_text(buf, sizeof(buf), "scrubbing freed blocks", 0.5,
			  "1 MiB left");
	tap_ok(!strcmp(buf, "scrubbing freed blocks: [###############---------------]  50%  1 MiB left"),
	       "progress: label, half, text (%s)", buf);
	ctl_progress_text(buf, sizeof(buf), NULL, 1.5, "x");
	tap_ok(!strcmp(buf, "[##############################] 100%  x"),
	       "progress: more than all is all (%s)", buf);
}

/* ----------------------------------------------------------------- JSON */

static void test_json(void)
{
	struct json_object *obj, *v;
	char self[16];

	reset();
	fake_fail(F_POOL_LIST, -EPERM, "vmpkram: this command needs CAP_SYS_ADMIN");
	fake_fail(F_JOBS, -EPERM, "vmpkram: this command needs CAP_SYS_ADMIN");
	CTL("--json", "status");
	expect("--json status without privileges", 0, NULL);
	obj = json_tokener_parse(o.out);
	tap_ok(obj && json_object_object_get_ex(obj, "pools", &v) && !v &&
	       json_object_object_get_ex(obj, "jobs", &v) && !v,
	       "... pools and jobs are null, not left out");
	json_object_put(obj);
	tap_ok(count_lines(o.out) == 1,
	       "... one compact line when stdout is no terminal");

	reset();
	fake.features &= ~VMPKRAM_FEATURE_POOL;
	CTL("--json", "status");
	obj = json_tokener_parse(o.out);
	tap_ok(obj && json_object_object_get_ex(obj, "pools", &v) &&
	       json_object_is_type(v, json_type_array) &&
	       !json_object_array_length(v),
	       "--json status of a module without pools: pools is []");
	json_object_put(obj);

	reset();
	snprintf(self, sizeof(self), "%d", (int)getpid());
	CTL("--json", "prefault", "--pid", self, "--range", "0x10000+8K");
	expect("--json prefault", 0, NULL);
	obj = json_tokener_parse(o.out);
	tap_ok(obj && json_object_object_get_ex(obj, "len", &v) &&
	       json_object_get_int64(v) == 8192 &&
	       json_object_object_get_ex(obj, "done", &v) &&
	       json_object_get_int64(v) == 8192 &&
	       !json_object_object_get_ex(obj, "bytes", NULL),
	       "... byte counts are len and done, as in jobs and ranges");
	json_object_put(obj);
}

/* -------------------------------------------------------------- monitor */

static void add_event(int ret, const char *msg, uint32_t type)
{
	struct fake_event *e = &fake.event[fake.nr_events++];

	e->ret = ret;
	snprintf(e->msg, sizeof(e->msg), "%s", msg ? msg : "");
	e->ev.size = sizeof(e->ev);
	e->ev.type = type;
	if (type == VMPKRAM_EVENT_STATUS) {
		e->ev.status.size = sizeof(e->ev.status);
		e->ev.status.max_workers = 3;
		e->ev.status.workers_limit = 1024;
		strcpy(e->ev.status.module_version, "fake");
	} else if (type == VMPKRAM_EVENT_JOB) {
		e->ev.job.size = sizeof(e->ev.job);
		e->ev.job.id = 7;
		e->ev.job.len = 4096;
	}
}

static void test_monitor(void)
{
	reset();
	add_event(-ENOBUFS,
		  "events were lost (receive queue overflow): read the status again to resynchronise",
		  0);
	add_event(1, NULL, VMPKRAM_EVENT_STATUS);
	add_event(-EBADMSG,
		  "bad job event from the kernel: attribute job-len missing", 0);
	add_event(1, NULL, VMPKRAM_EVENT_JOB);
	CTL("monitor", "--count", "2");
	expect("monitor across a lost and a malformed event", 0,
	       "monitor: warning: events were lost");
	tap_ok(err_has("monitor: warning: bad job event") &&
	       count_lines(o.err) == 2,
	       "... warns once about each");
	tap_ok(strstr(o.out, "status: max-workers=3") &&
	       strstr(o.out, "job 7 ") && count_lines(o.out) == 2,
	       "... and prints both events");

	reset();
	add_event(-ENOBUFS, "events were lost", 0);
	add_event(1, NULL, VMPKRAM_EVENT_JOB);
	CTL("--json", "monitor", "--count", "1");
	expect("--json monitor across a lost event", 0, NULL);
	tap_ok(strstr(o.out, "{\"event\":\"warning\",\"errno\":105,") &&
	       strstr(o.out, "\"event\":\"job\"") && count_lines(o.out) == 2,
	       "... a warning object, then the event");
	tap_ok(strstr(o.out, "\"addr\":null") != NULL,
	       "... whose address is null (events do not carry it)");

	reset();
	add_event(-EIO, "receiving events: Input/output error", 0);
	CTL("monitor", "--count", "1");
	expect("monitor when receiving fails", 1,
	       "receiving events: Input/output error");
}

/* ------------------------------------------------------------ kexec load */

#define LOAD	"kexec", "load", "--kernel", image

/* A load that must change nothing: no seal kept, no kernel, no record. */
static void load_refused(const char *name, const char *err_text)
{
	CTL(LOAD);
	expect(name, 1, err_text);
	tap_ok(!fake.kexec_loaded, "%s: no kernel loaded", name);
	tap_ok(state("test") == VMPKRAM_POOL_READY,
	       "%s: pool test is not left sealed", name);
	tap_ok(!recorded(), "%s: no record left", name);
}

static void test_load_failures(void)
{
	reset();
	fake_fail(F_IS_LOADED, -EACCES, NULL);
	load_refused("kexec load, module state unreadable",
		     "kexec load: is the vmpkram module loaded");
	tap_ok(fake.calls[F_POOL_SEAL] == 0, "... nothing sealed");

	reset();
	fake_fail(F_STATUS, -EBADMSG, "bad status reply from the kernel");
	load_refused("kexec load, module status fails",
		     "bad status reply from the kernel");

	reset();
	fake_fail(F_POOL_LIST, -EPERM, "vmpkram: this command needs CAP_SYS_ADMIN");
	load_refused("kexec load, pool list refused", "CAP_SYS_ADMIN");
	tap_ok(fake.calls[F_POOL_SEAL] == 0, "... nothing sealed");

	reset();
	fake_add_pool("third", 0x70000000, 64ULL << 20, VMPKRAM_POOL_READY);
	fake.seal_before_error = 1;
	fake_fail(F_POOL_SEAL, -EINTR,
		  "vmpkram: interrupted while waiting for scrubbing");
	load_refused("kexec load, seal fails after one pool",
		     "interrupted while waiting for scrubbing");
	tap_ok(state("third") == VMPKRAM_POOL_READY,
	       "... pool third is not left sealed either");

	reset();
	snprintf(fake.state_dir, sizeof(fake.state_dir), "%s/none/deeper",
		 dir);
	load_refused("kexec load, record cannot be written",
		     "kexec load: writing");

	reset();
	fake_fail(F_FILE_LOAD, -ENOEXEC, NULL);
	load_refused("kexec load, kexec_file_load fails",
		     "kexec_file_load");
}

/* The record as JSON, or NULL. */
static struct json_object *record(void)
{
	return json_object_from_file(state_file);
}

static void test_load(void)
{
	struct json_object *obj, *v;

	reset();
	CTL("--json", LOAD);
	expect("kexec load with pools", 0, NULL);
	tap_ok(fake.kexec_loaded && state("test") == VMPKRAM_POOL_SEALED,
	       "... kernel loaded, pool test sealed");
	tap_ok(strstr(fake.file_load_cmdline,
		      "vmpkram.pool=test:0x20000000@0x40000000,small:0x4000000@0x60000000") &&
	       !strstr(fake.file_load_cmdline, "BOOT_IMAGE"),
	       "... the command line names both pools once: %s",
	       fake.file_load_cmdline);
	obj = json_tokener_parse(o.out);
	tap_ok(obj && json_object_object_get_ex(obj, "pools", &v) &&
	       json_object_array_length(v) == 2 &&
	       json_object_object_get_ex(obj, "sealed", &v) &&
	       json_object_get_boolean(v),
	       "... --json: sealed, pools test and small");
	json_object_put(obj);
	obj = record();
	tap_ok(obj && json_object_object_get_ex(obj, "pools", &v) &&
	       json_object_array_length(v) == 2,
	       "... the record names both pools");
	json_object_put(obj);

	reset();
	fake.loaded = 0;
	CTL(LOAD);
	expect("kexec load without the module", 0, NULL);
	tap_ok(fake.calls[F_POOL_SEAL] == 0 && fake.kexec_loaded &&
	       strstr(o.out, "pools: none attached") &&
	       strstr(fake.file_load_cmdline, "vmpkram.pool=test:512M"),
	       "... nothing to seal; the boot command line's pools carried over");
	obj = record();
	tap_ok(obj && json_object_object_get_ex(obj, "pools", &v) &&
	       json_object_array_length(v) == 0, "... recorded without pools");
	json_object_put(obj);
}

/* ------------------------------------------------------------ kexec exec */

/* An exec that must not boot. */
static void exec_refused(const char *name, const char *err_text)
{
	int reboots = fake.calls[F_REBOOT];

	CTL("kexec", "exec");
	expect(name, 1, err_text);
	tap_ok(fake.calls[F_REBOOT] == reboots, "%s: nothing booted", name);
}

/* A loaded kernel with a record naming test and small. */
static void loaded(void)
{
	reset();
	CTL(LOAD);
	if (o.status)
		show_err();
}

static void test_exec(void)
{
	loaded();
	fake_fail(F_READ_LOADED, -EACCES, NULL);
	exec_refused("kexec exec, kexec_loaded unreadable",
		     "/sys/kernel/kexec_loaded");

	reset();
	exec_refused("kexec exec without a loaded kernel",
		     "no kernel is loaded");

	reset();
	fake.kexec_loaded = 1;
	exec_refused("kexec exec of a kernel loaded otherwise, pools attached",
		     "not loaded by vmpkramctl kexec load");
	tap_ok(fake.calls[F_POOL_SEAL] == 0, "... nothing sealed");

	reset();
	fake.kexec_loaded = 1;
	fake.loaded = 0;
	CTL("kexec", "exec");
	expect("kexec exec of a kernel loaded otherwise, no pools", 1,
	       "kexec exec: reboot");
	tap_ok(fake.calls[F_REBOOT] == 1, "... it boots (the fake reboot fails)");

	loaded();
	fake_add_pool("late", 0x70000000, 64ULL << 20, VMPKRAM_POOL_READY);
	exec_refused("kexec exec, a pool attached after load",
		     "pool late was attached after kexec load");

	loaded();
	fake_del_pool("small");
	exec_refused("kexec exec, a pool detached after load",
		     "pool small was detached after kexec load");

	loaded();
	fake_pool("small")->base = 0x80000000;
	exec_refused("kexec exec, a pool attached elsewhere since",
		     "pool small is now");

	loaded();
	fake_fail(F_IS_LOADED, -EACCES, NULL);
	exec_refused("kexec exec, module state unreadable",
		     "kexec exec: is the vmpkram module loaded");

	loaded();
	fake_fail(F_STATUS, -ENOMEM, NULL);
	exec_refused("kexec exec, module status fails", "module status");

	loaded();
	fake_fail(F_POOL_LIST, -EPERM, NULL);
	exec_refused("kexec exec, pool list refused", "kexec exec");

	loaded();
	fake_pool("test")->state = VMPKRAM_POOL_READY;	/* unsealed since */
	fake_fail(F_POOL_SEAL, -EROFS, "vmpkram: the system is going down");
	exec_refused("kexec exec, seal fails", "the system is going down");

	loaded();
	snprintf(fake.boot_id, sizeof(fake.boot_id), "boot-2");
	exec_refused("kexec exec with a record of another boot",
		     "not loaded by vmpkramctl kexec load");

	loaded();
	if (!tap_ok(truncate(state_file, 10) == 0, "truncate the record"))
		return;
	exec_refused("kexec exec with a damaged record", "kexec exec: reading");

	loaded();
	fake_pool("test")->state = VMPKRAM_POOL_READY;	/* unsealed since */
	CTL("kexec", "exec");
	expect("kexec exec", 1, "kexec exec: reboot");
	tap_ok(fake.calls[F_REBOOT] == 1 &&
	       state("test") == VMPKRAM_POOL_SEALED,
	       "... seals pool test again, then boots (the fake reboot fails)");
}

/* ---------------------------------------------------------- kexec unload */

static void test_unload(void)
{
	loaded();
	fake_fail(F_FILE_LOAD, -EBUSY, NULL);
	CTL("kexec", "unload");
	expect("kexec unload, the unload fails", 1, "kexec unload");
	tap_ok(state("test") == VMPKRAM_POOL_SEALED && recorded(),
	       "... nothing changed");

	loaded();
	fake_fail(F_IS_LOADED, -EACCES, NULL);
	CTL("kexec", "unload");
	expect("kexec unload, module state unreadable", 1,
	       "pool unseal");
	tap_ok(!fake.kexec_loaded && !recorded(),
	       "... the kernel is unloaded and the record gone");

	loaded();
	fake_fail(F_POOL_UNSEAL, -EPERM, NULL);
	CTL("kexec", "unload");
	expect("kexec unload, unseal fails", 1, "pool unseal");

	loaded();
	fake_fail(F_POOL_LIST, -EPERM, NULL);
	CTL("kexec", "unload");
	expect("kexec unload, pool list refused", 1, "pool unseal");
	tap_ok(state("test") == VMPKRAM_POOL_SEALED,
	       "... (the fake's pool stays sealed)");

	loaded();
	if (!tap_ok(!unlink(state_file) && !mkdir(state_file, 0700),
		    "replace the record by a directory"))
		return;
	CTL("kexec", "unload");
	expect("kexec unload, the record cannot be removed", 1, "removing");
	tap_ok(state("test") == VMPKRAM_POOL_READY,
	       "... the pools are unsealed all the same");
	rmdir(state_file);

	loaded();
	CTL("kexec", "unload");
	expect("kexec unload", 0, NULL);
	tap_ok(!fake.kexec_loaded && !recorded() &&
	       state("test") == VMPKRAM_POOL_READY,
	       "... kernel unloaded, record gone, pools unsealed");
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(state_dir, sizeof(state_dir), "%s/run", dir);
	snprintf(state_file, sizeof(state_file), "%s/kexec.json", state_dir);
	snprintf(image, sizeof(image), "%s/vmlinuz", dir);
	if (!write_image(image, "0.0.0-vmpkram-test", 2047)) {
		perror(image);
		return 1;
	}

	test_errors();
	test_yes();
	test_repair();
	test_no_autoload();
	test_monitor();
	test_json();
	test_progress();
	test_load_failures();
	test_load();
	test_exec();
	test_unload();

	unlink(state_file);
	rmdir(state_dir);
	unlink(image);
	rmdir(dir);
	return tap_exit();
}
