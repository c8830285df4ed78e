/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmpkramctl: shared definitions of the command dispatcher, the
 * subcommands and the output helpers.
 */
#ifndef _VMPKRAMCTL_H_
#define _VMPKRAMCTL_H_

#include <stdbool.h>
#include <stdlib.h>

#include <json.h>

#include "libvmpkram.h"

#define PROG		"vmpkramctl"
#define EXIT_USAGE	2

struct ctl {
	bool json;		/* --json */
	struct vmpkram_ctx *lib; /* NULL until a command needs the library */
};

struct ctl_cmd {
	const char *name;
	const char *args;	/* synopsis after the name */
	const char *summary;
	const char *help;	/* the rest of "<command> --help" */
	int (*run)(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		   char **argv);
};

/* Subcommands: argv[0] is the command name; return the exit status. */
int cmd_status(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	       char **argv);
int cmd_load(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	     char **argv);
int cmd_unload(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	       char **argv);
int cmd_set(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	    char **argv);
int cmd_monitor(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		char **argv);
int cmd_prefault(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		 char **argv);

/* output.c */
int ctl_lib(struct ctl *ctl);
int ctl_fail(struct ctl *ctl, const char *what, int error, const char *hint);
int ctl_usage_error(struct ctl *ctl, const struct ctl_cmd *cmd,
		    const char *format, ...)
	__attribute__((format(printf, 3, 4)));
int ctl_bad_option(struct ctl *ctl, const struct ctl_cmd *cmd, char **argv,
		   int c);
int ctl_help(const struct ctl_cmd *cmd);
int ctl_help_option(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		    char **argv);
int ctl_no_args(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		char **argv);
int ctl_print_loaded(struct ctl *ctl, bool loaded);
void ctl_json_print(struct json_object *obj, int flags);
void ctl_features_text(uint64_t features, char *buf, size_t size);
struct json_object *ctl_status_json(const struct vmpkram_status *st);
const char *ctl_job_type(uint32_t type);
const char *ctl_job_state(uint32_t state);
void ctl_job_text(const struct vmpkram_job *job, char *buf, size_t size);
struct json_object *ctl_job_json(const struct vmpkram_job *job);

#endif /* _VMPKRAMCTL_H_ */
