// SPDX-License-Identifier: GPL-2.0-only
/*
 * Output shared by the subcommands: errors (text or JSON), usage, help,
 * and the status in both forms.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmpkramctl.h"

int ctl_lib(struct ctl *ctl)
{
	int ret;

	if (ctl->lib)
		return 0;
	ret = vmpkram_new(&ctl->lib);
	if (ret)
		return ctl_fail(ctl, "cannot initialise libvmpkram", ret, NULL);
	return 0;
}

static void json_error(int error, const char *message)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "errno", json_object_new_int(error));
	json_object_object_add(e, "message", json_object_new_string(message));
	json_object_object_add(obj, "error", e);
	ctl_json_print(obj);
}

/*
 * "WHAT: REASON[; HINT]" on one line, as text or as a JSON error; a
 * REASON that starts with WHAT (library messages name their context) is
 * not given WHAT twice.
 */
static int fail(struct ctl *ctl, const char *what, int error,
		const char *reason, const char *hint)
{
	size_t len = strlen(what);
	char msg[1024];

	if (!strncmp(reason, what, len) &&
	    (reason[len] == ':' || reason[len] == ' '))
		what = "";
	snprintf(msg, sizeof(msg), "%s%s%s%s%s", what, what[0] ? ": " : "",
		 reason, hint ? "; " : "", hint ? hint : "");
	if (ctl->json)
		json_error(-error, msg);
	else
		fprintf(stderr, PROG ": %s\n", msg);
	return EXIT_FAILURE;
}

int ctl_fail(struct ctl *ctl, const char *what, int error, const char *hint)
{
	const char *reason = ctl->lib ? vmpkram_last_error(ctl->lib) : "";

	return fail(ctl, what, error, reason[0] ? reason : strerror(-error),
		    hint);
}

int ctl_fail_plain(struct ctl *ctl, const char *what, int error,
		   const char *hint)
{
	return fail(ctl, what, error, strerror(-error), hint);
}

int ctl_fail_why(struct ctl *ctl, const char *what, int error,
		 const char *why)
{
	return fail(ctl, what, error, why, NULL);
}

int ctl_usage_error(struct ctl *ctl, const struct ctl_cmd *cmd,
		    const char *format, ...)
{
	char msg[512];
	va_list args;
	int len;

	len = snprintf(msg, sizeof(msg), "%s: ", cmd->name);
	va_start(args, format);
	vsnprintf(msg + len, sizeof(msg) - len, format, args);
	va_end(args);

	if (ctl->json)
		json_error(EINVAL, msg);
	else
		fprintf(stderr, PROG ": %s\n", msg);
	fprintf(stderr, "Usage: " PROG " %s%s%s\nTry '" PROG " %s --help'.\n",
		cmd->name, cmd->args[0] ? " " : "", cmd->args, cmd->name);
	return EXIT_USAGE;
}

/*
 * Only vmpkramctl load loads the module: resolving the netlink family (or
 * opening /dev/vmpkram) would load it as a side effect, and with it the
 * command line's pools.
 */
int ctl_require_module(struct ctl *ctl, const char *what)
{
	int ret = ctl_lib(ctl);

	if (ret)
		return ret;
	ret = vmpkram_module_is_loaded(ctl->lib);
	if (ret < 0)
		return ctl_fail(ctl, what, ret, NULL);
	if (!ret)
		return ctl_fail_why(ctl, what, -ENODEV,
				    "the vmpkram module is not loaded: load it with " PROG " load");
	return 0;
}

static bool interactive(void)
{
	return isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
}

int ctl_need_yes(struct ctl *ctl, const struct ctl_cmd *cmd, bool yes)
{
	if (yes || interactive())
		return -1;
	return ctl_usage_error(ctl, cmd,
			       "it destroys data: pass --yes (standard input or standard error is not a terminal, so there is nobody to ask)");
}

int ctl_confirm(struct ctl *ctl, const char *what, bool yes,
		const char *question)
{
	char answer[16] = "";

	if (yes)
		return -1;
	/* ctl_need_yes() made sure there is a person to ask. */
	fprintf(stderr, "%s [y/N] ", question);
	if (fgets(answer, sizeof(answer), stdin) &&
	    (answer[0] == 'y' || answer[0] == 'Y'))
		return -1;
	return ctl_fail_why(ctl, what, -ECANCELED, "not confirmed; nothing changed");
}

/* Nothing to say in text mode; JSON callers get the new state. */
int ctl_print_loaded(struct ctl *ctl, bool loaded)
{
	struct json_object *obj;

	if (!ctl->json)
		return EXIT_SUCCESS;
	obj = json_object_new_object();
	json_object_object_add(obj, "loaded", json_object_new_boolean(loaded));
	ctl_json_print(obj);
	return EXIT_SUCCESS;
}

/*
 * One JSON style for every command: indented for a person at a terminal,
 * one compact line otherwise (a pipe, a file: what scripts read).
 */
void ctl_json_print(struct json_object *obj)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	flags |= isatty(STDOUT_FILENO) ?
		 JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
		 JSON_C_TO_STRING_PLAIN;
	puts(json_object_to_json_string_ext(obj, flags));
	fflush(stdout);
	json_object_put(obj);
}

static const char *const feature_names[64] = {
	[0] = "netlink",	/* VMPKRAM_FEATURE_NETLINK */
	[1] = "prefault",	/* VMPKRAM_FEATURE_PREFAULT */
	[2] = "pool",		/* VMPKRAM_FEATURE_POOL */
	[3] = "vmpkramfs",	/* VMPKRAM_FEATURE_VMPKRAMFS */
	[4] = "map-1g",		/* VMPKRAM_FEATURE_MAP_1G */
	[5] = "pmd-walk",	/* VMPKRAM_FEATURE_PMD_WALK */
};

static void feature_name(unsigned int bit, char *buf, size_t size)
{
	if (feature_names[bit])
		snprintf(buf, size, "%s", feature_names[bit]);
	else
		snprintf(buf, size, "bit%u", bit);
}

/* "netlink bit5", or "none" */
void ctl_features_text(uint64_t features, char *buf, size_t size)
{
	char name[16];
	size_t len = 0;
	unsigned int bit;

	snprintf(buf, size, "none");
	for (bit = 0; bit < 64; bit++) {
		if (!(features & (1ULL << bit)))
			continue;
		feature_name(bit, name, sizeof(name));
		len += snprintf(buf + len, len < size ? size - len : 0,
				"%s%s", len ? " " : "", name);
	}
}

struct json_object *ctl_status_json(const struct vmpkram_status *st)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *features = json_object_new_array();
	struct json_object *faults;
	char name[16];
	unsigned int bit;

	for (bit = 0; bit < 64; bit++) {
		if (!(st->features & (1ULL << bit)))
			continue;
		feature_name(bit, name, sizeof(name));
		json_object_array_add(features, json_object_new_string(name));
	}
	json_object_object_add(obj, "api_version",
			       json_object_new_int64(st->api_version));
	json_object_object_add(obj, "module_version",
			       json_object_new_string(st->module_version));
	json_object_object_add(obj, "features", features);
	json_object_object_add(obj, "features_mask",
			       json_object_new_uint64(st->features));
	json_object_object_add(obj, "max_workers",
			       json_object_new_int64(st->max_workers));
	json_object_object_add(obj, "workers_limit",
			       json_object_new_int64(st->workers_limit));
	json_object_object_add(obj, "nr_pools",
			       json_object_new_int64(st->nr_pools));
	json_object_object_add(obj, "nr_jobs",
			       json_object_new_int64(st->nr_jobs));
	faults = json_object_new_object();
	json_object_object_add(faults, "pte",
			       json_object_new_uint64(st->faults_pte));
	json_object_object_add(faults, "pmd",
			       json_object_new_uint64(st->faults_pmd));
	json_object_object_add(faults, "pud",
			       json_object_new_uint64(st->faults_pud));
	json_object_object_add(obj, "faults", faults);
	return obj;
}

const char *ctl_job_type(uint32_t type)
{
	switch (type) {
	case VMPKRAM_JOB_PREFAULT_WRITE:
		return "prefault-write";
	case VMPKRAM_JOB_PREFAULT_READ:
		return "prefault-read";
	case VMPKRAM_JOB_ZERO:
		return "zero";
	case VMPKRAM_JOB_SCRUB:
		return "scrub";
	default:
		return "unknown";
	}
}

const char *ctl_job_state(uint32_t state)
{
	switch (state) {
	case VMPKRAM_JOB_RUNNING:
		return "running";
	case VMPKRAM_JOB_DONE:
		return "done";
	case VMPKRAM_JOB_FAILED:
		return "failed";
	case VMPKRAM_JOB_CANCELLED:
		return "cancelled";
	default:
		return "unknown";
	}
}

/* "job 3 prefault-write running 12% of 1024 MiB, 2 threads, pid 10 (by 11), 0.5 s" */
void ctl_job_text(const struct vmpkram_job *job, char *buf, size_t size)
{
	int len;

	len = snprintf(buf, size,
		       "job %u %s %s %.0f%% of %llu MiB, %u threads, pid %u (by %u), %.1f s",
		       job->id, ctl_job_type(job->type),
		       ctl_job_state(job->state),
		       100.0 * job->done / job->len,
		       (unsigned long long)(job->len >> 20), job->threads,
		       job->target_pid, job->caller_pid,
		       job->elapsed_ns / 1e9);
	if (job->addr && len > 0 && (size_t)len < size)
		len += snprintf(buf + len, size - len, ", at 0x%llx",
				(unsigned long long)job->addr);
	if (job->error && len > 0 && (size_t)len < size)
		snprintf(buf + len, size - len, ": %s", strerror(job->error));
}

struct json_object *ctl_job_json(const struct vmpkram_job *job)
{
	struct json_object *obj = json_object_new_object();

	json_object_object_add(obj, "id", json_object_new_int64(job->id));
	json_object_object_add(obj, "type",
			       json_object_new_string(ctl_job_type(job->type)));
	json_object_object_add(obj, "state",
			       json_object_new_string(ctl_job_state(job->state)));
	json_object_object_add(obj, "caller_pid",
			       json_object_new_int64(job->caller_pid));
	json_object_object_add(obj, "target_pid",
			       json_object_new_int64(job->target_pid));
	json_object_object_add(obj, "threads",
			       json_object_new_int64(job->threads));
	/* Events never carry the address (any user may read them): null. */
	json_object_object_add(obj, "addr", job->addr ?
			       json_object_new_uint64(job->addr) : NULL);
	json_object_object_add(obj, "len", json_object_new_uint64(job->len));
	json_object_object_add(obj, "done", json_object_new_uint64(job->done));
	json_object_object_add(obj, "elapsed_ns",
			       json_object_new_uint64(job->elapsed_ns));
	json_object_object_add(obj, "error", json_object_new_int64(job->error));
	return obj;
}
