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
int cmd_pool(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	     char **argv);
int cmd_ls(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	   char **argv);
int cmd_kexec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	      char **argv);

/* Subcommands of "pool" (pool_*.c) and "kexec" (kexec_*.c) */
int cmd_pool_status(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		    char **argv);
int cmd_pool_format(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		    char **argv);
int cmd_pool_seal(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		  char **argv);
int cmd_pool_unseal(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		    char **argv);
int cmd_pool_attach(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		    char **argv);
int cmd_pool_detach(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		    char **argv);
int cmd_pool_check(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		   char **argv);
int cmd_pool_repair(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		    char **argv);
int cmd_kexec_load(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		   char **argv);
int cmd_kexec_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		   char **argv);
int cmd_kexec_unload(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		     char **argv);

/*
 * group.c: runs the subcommand argv[1] of @group from @table (whose
 * names are "GROUP SUB"), or prints the group's help.
 */
int ctl_group(struct ctl *ctl, const struct ctl_cmd *group,
	      const struct ctl_cmd *table, size_t n, int argc, char **argv);

/* pool_output.c: pools for people and for scripts */
const char *ctl_pool_state(uint32_t state);
const char *ctl_pool_event(uint32_t event);
void ctl_size_text(uint64_t bytes, char *buf, size_t size);
void ctl_time_text(uint64_t ns, char *buf, size_t size);
void ctl_pool_print(const struct vmpkram_pool *pool);
void ctl_pool_line(const struct vmpkram_pool *pool, bool with_base,
		   char *buf, size_t size);
struct json_object *ctl_pool_json(const struct vmpkram_pool *pool);

/* pool_list.c: the pools in an array, and the module check before it */
struct ctl_pools {
	struct vmpkram_pool *pool;
	size_t n;
};
int ctl_require_module(struct ctl *ctl, const char *what);
/*
 * The NAME argument at argv[optind] of a pool subcommand that takes
 * nothing else, required or not: -1 with *@name set (NULL when absent),
 * else the usage error's exit status.
 */
int ctl_pool_args(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		  char **argv, bool required, const char **name);
/* -1 when @name is a valid pool name, else the usage error's status. */
int ctl_pool_name_arg(struct ctl *ctl, const struct ctl_cmd *cmd,
		      const char *name);
int ctl_pools_get(struct ctl *ctl, const char *what, const char *name,
		  struct ctl_pools *pools);
void ctl_pools_free(struct ctl_pools *pools);

/*
 * pool_scrub.c: when stderr is a terminal, waits for pool @name (NULL:
 * every pool) to finish scrubbing with a progress bar, so that a seal
 * that would wait for it does not look hung.  Quiet otherwise.
 */
void ctl_pool_wait_scrub(struct ctl *ctl, const char *name);

/* output.c */
int ctl_lib(struct ctl *ctl);
int ctl_fail(struct ctl *ctl, const char *what, int error, const char *hint);
int ctl_fail_plain(struct ctl *ctl, const char *what, int error,
		   const char *hint);
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
