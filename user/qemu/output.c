// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkram-qemu output: errors, warnings and text for people; JSON for
 * scripts.  Errors and warnings go to stderr; with --json an error is
 * also one object on stdout, as vmpkramctl does.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vq.h"

void vq_json_print(struct vq *vq, struct json_object *obj)
{
	vq->printed = true;
	printf("%s\n", json_object_to_json_string_ext(obj,
	       JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	       JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(obj);
}

int vq_fail(struct vq *vq, const char *format, ...)
{
	char msg[2048];
	va_list args;

	va_start(args, format);
	vsnprintf(msg, sizeof(msg), format, args);
	va_end(args);
	fprintf(stderr, PROG ": %s\n", msg);
	if (!vq->error[0])
		snprintf(vq->error, sizeof(vq->error), "%s", msg);
	return EXIT_FAIL;
}

void vq_json_error(struct vq *vq, int status)
{
	struct json_object *obj, *e;

	if (!vq->json || vq->printed || !status)
		return;
	obj = json_object_new_object();
	e = json_object_new_object();
	json_object_object_add(e, "message", json_object_new_string(
				       vq->error[0] ? vq->error : "failed"));
	json_object_object_add(e, "exit_status", json_object_new_int(status));
	json_object_object_add(obj, "error", e);
	vq_json_print(vq, obj);
}

void vq_warn(struct vq *vq, const char *format, ...)
{
	char msg[2048];
	va_list args;

	(void)vq;
	va_start(args, format);
	vsnprintf(msg, sizeof(msg), format, args);
	va_end(args);
	fprintf(stderr, PROG ": warning: %s\n", msg);
}

void vq_progress(struct vq *vq, const char *format, ...)
{
	va_list args;

	if (!vq->progress)
		return;
	fprintf(stderr, PROG ": ");
	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
	fputc('\n', stderr);
}

void vq_say(struct vq *vq, const char *format, ...)
{
	va_list args;

	if (vq->json)
		return;
	va_start(args, format);
	vprintf(format, args);
	va_end(args);
	putchar('\n');
	fflush(stdout);
}

int vq_usage_error(struct vq *vq, const struct vq_cmd *cmd,
		   const char *format, ...)
{
	char msg[1024];
	va_list args;
	int len;

	len = snprintf(msg, sizeof(msg), "%s: ", cmd->name);
	va_start(args, format);
	vsnprintf(msg + len, sizeof(msg) - len, format, args);
	va_end(args);
	vq_fail(vq, "%s", msg);
	fprintf(stderr, "Usage: " PROG " %s %s\nTry '" PROG " %s --help'.\n",
		cmd->name, cmd->args, cmd->name);
	return EXIT_USAGE;
}

int vq_bad_option(struct vq *vq, const struct vq_cmd *cmd, char **argv, int c)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		return vq_usage_error(vq, cmd, "option '%s' needs a value", opt);
	if (optopt)
		return vq_usage_error(vq, cmd, "unknown option '-%c'", optopt);
	return vq_usage_error(vq, cmd, "unknown option '%s'", opt);
}

int vq_help(const struct vq_cmd *cmd)
{
	printf("Usage: " PROG " [OPTIONS] %s %s\n\n%s\n", cmd->name, cmd->args,
	       cmd->summary);
	if (cmd->help[0])
		printf("\n%s", cmd->help);
	return 0;
}

static void add_ns(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, v ? json_object_new_uint64(v) : NULL);
}

struct json_object *vq_guest_json(const struct manifest *m, const char *state)
{
	struct json_object *o = json_object_new_object();
	uint64_t upper, down = manifest_downtime(m, &upper);
	char v[64];
	int pid = guest_alive(m);

	snprintf(v, sizeof(v), "%d.%d.%d", m->version.major, m->version.minor,
		 m->version.micro);
	json_object_object_add(o, "name", json_object_new_string(m->name));
	json_object_object_add(o, "state", json_object_new_string(state));
	json_object_object_add(o, "pid", pid ? json_object_new_int(pid) : NULL);
	json_object_object_add(o, "qemu", json_object_new_string(m->qemu_bin));
	json_object_object_add(o, "qemu_version", json_object_new_string(v));
	json_object_object_add(o, "method", json_object_new_string(m->method));
	json_object_object_add(o, "machine",
			       json_object_new_string(m->machine_type));
	json_object_object_add(o, "persistent",
			       json_object_new_boolean(m->persistent));
	json_object_object_add(o, "dir", json_object_new_string(m->dir));
	json_object_object_add(o, "pool", m->pool[0] ?
			       json_object_new_string(m->pool) : NULL);
	json_object_object_add(o, "ram_size", json_object_new_uint64(m->ram_size));
	json_object_object_add(o, "state_size",
			       json_object_new_uint64(m->state_size));
	json_object_object_add(o, "state_capacity",
			       json_object_new_uint64(m->state_capacity));
	json_object_object_add(o, "resumes", json_object_new_int64(m->resumes));
	add_ns(o, "downtime_ns", down);
	add_ns(o, "downtime_upper_ns", upper);
	add_ns(o, "save_ns", m->t.saved && m->t.stop_sent ?
	       m->t.saved - m->t.stop_sent : 0);
	add_ns(o, "load_ns", m->t.loaded && m->t.resume_started &&
	       m->t.loaded > m->t.resume_started ?
	       m->t.loaded - m->t.resume_started : 0);
	json_object_object_add(o, "kernel_saved", m->kernel_saved[0] ?
			       json_object_new_string(m->kernel_saved) : NULL);
	json_object_object_add(o, "kernel_resumed", m->kernel_resumed[0] ?
			       json_object_new_string(m->kernel_resumed) : NULL);
	return o;
}
