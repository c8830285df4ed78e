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

/* An option of a command, for the parser, --help and the man page check. */
struct ctl_opt {
	const char *name;	/* long name, without "--" */
	int key;		/* short option character */
	const char *arg;	/* its value in the synopsis, NULL: a flag */
	const char *help;	/* for --help; lines after the first indented */
};

#define CTL_MAX_OPTS	8

/* A command line as parsed for a command. */
struct ctl_args {
	int argc;		/* positional arguments, in order */
	char **argv;
	/* per entry of cmd->opts: the value given last ("" for a flag),
	 * NULL when not given */
	const char *val[CTL_MAX_OPTS];
};

struct ctl_cmd {
	const char *name;	/* "status", "pool format" */
	const char *args;	/* synopsis after the name */
	const char *summary;
	const struct ctl_opt *opts;	/* NULL-named entry ends it */
	int max_args;		/* positional arguments, -1: any number */
	const char *help;	/* the rest of "<command> --help" */
	/* a group ("pool", "kexec"): its subcommands instead of @run */
	const struct ctl_cmd *subs;
	size_t nr_subs;
	int (*run)(struct ctl *ctl, const struct ctl_cmd *cmd,
		   const struct ctl_args *args);
};

/*
 * commands.c: the whole program, returning the exit status; and the
 * command table, for the man page check.  Every command takes the
 * common options -h/--help, -j/--json and -V/--version anywhere on its
 * command line, before or after its own.
 */
int ctl_main(int argc, char **argv);
const struct ctl_cmd *ctl_commands(size_t *n);
extern const struct ctl_opt ctl_common_opts[];

#define CMD(name)	int cmd_##name(struct ctl *ctl,			\
				       const struct ctl_cmd *cmd,	\
				       const struct ctl_args *args)
CMD(status);
CMD(load);
CMD(unload);
CMD(set);
CMD(monitor);
CMD(prefault);
CMD(ls);
CMD(pool_status);
CMD(pool_format);
CMD(pool_seal);
CMD(pool_unseal);
CMD(pool_attach);
CMD(pool_detach);
CMD(pool_check);
CMD(pool_repair);
CMD(kexec_load);
CMD(kexec_exec);
CMD(kexec_unload);

/*
 * args.c: parses @argv (argv[0] is the command's name) for @cmd into
 * @args, handling the common options; -1 when the command should run,
 * else the exit status (help shown, or a usage error reported).
 */
int ctl_parse(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
	      char **argv, struct ctl_args *args);
void ctl_args_free(struct ctl_args *args);
/* The value of option @key, as in struct ctl_args (NULL: not given). */
const char *ctl_opt(const struct ctl_cmd *cmd, const struct ctl_args *args,
		    int key);
int ctl_help(const struct ctl_cmd *cmd);
int ctl_group_help(const struct ctl_cmd *group);
/*
 * The subcommand of @group in *@sub: the index of its name in @argv, or
 * -1 with the exit status in *@status (help shown, or a usage error).
 */
int ctl_group_find(struct ctl *ctl, const struct ctl_cmd *group, int argc,
		   char **argv, const struct ctl_cmd **sub, int *status);
void ctl_print_version(void);

/*
 * progress.c: "LABEL: [#####-----]  42%  TEXT" (LABEL and TEXT may be
 * NULL), @fraction clamped to 0..1; ctl_progress() draws it over the
 * current line of stderr, ctl_progress_clear() wipes that line.
 */
void ctl_progress_text(char *buf, size_t size, const char *label,
		       double fraction, const char *text);
void ctl_progress(const char *label, double fraction, const char *text);
void ctl_progress_clear(void);

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
/*
 * The NAME argument of a pool command that takes nothing else, required
 * or not: -1 with *@name set (NULL when absent), else the usage error's
 * exit status.
 */
int ctl_pool_args(struct ctl *ctl, const struct ctl_cmd *cmd,
		  const struct ctl_args *args, bool required,
		  const char **name);
/* -1 when @name is a valid pool name, else the usage error's status. */
int ctl_pool_name_arg(struct ctl *ctl, const struct ctl_cmd *cmd,
		      const char *name);
int ctl_pools_get(struct ctl *ctl, const char *what, const char *hint,
		  const char *name, struct ctl_pools *pools);
void ctl_pools_free(struct ctl_pools *pools);

/*
 * pool_scrub.c: when stderr is a terminal, waits for pool @name (NULL:
 * every pool) to finish scrubbing with a progress bar, so that a seal
 * that would wait for it does not look hung.  Quiet otherwise.
 */
void ctl_pool_wait_scrub(struct ctl *ctl, const char *name);

/*
 * output.c.  A failure is one line on stderr (with --json, an
 * {"error": {"errno", "message"}} object on stdout):
 * "vmpkramctl: WHAT: REASON; HINT", where REASON is what went wrong and
 * HINT, when given, what to do.  Each returns the exit status for a
 * runtime error.
 *
 * ctl_fail(): a library call failed; REASON is its explanation
 * (vmpkram_last_error(): the kernel's extended-ACK message when it sent
 * one), which usually says what to do already.
 */
int ctl_lib(struct ctl *ctl);
/*
 * 0 when the module is loaded, else the exit status after saying so:
 * every command but load checks first, so that none loads the module
 * as a side effect (that would attach the command line's pools).
 */
int ctl_require_module(struct ctl *ctl, const char *what);
int ctl_fail(struct ctl *ctl, const char *what, int error, const char *hint);
/* A system call failed: REASON is strerror(-@error). */
int ctl_fail_plain(struct ctl *ctl, const char *what, int error,
		   const char *hint);
/* vmpkramctl refuses by itself: REASON is @why (@error for JSON only). */
int ctl_fail_why(struct ctl *ctl, const char *what, int error,
		 const char *why);
int ctl_usage_error(struct ctl *ctl, const struct ctl_cmd *cmd,
		    const char *format, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Destructive commands (they take --yes): ctl_need_yes() before anything
 * is contacted refuses, as a usage error, to go on without --yes when
 * there is nobody to ask (standard input or standard error is not a
 * terminal), whatever the output format; ctl_confirm() then asks
 * @question at the terminal unless @yes.  Each returns -1 to go on, else
 * the exit status.
 */
int ctl_need_yes(struct ctl *ctl, const struct ctl_cmd *cmd, bool yes);
int ctl_confirm(struct ctl *ctl, const char *what, bool yes,
		const char *question);
int ctl_print_loaded(struct ctl *ctl, bool loaded);
void ctl_json_print(struct json_object *obj);
void ctl_features_text(uint64_t features, char *buf, size_t size);
struct json_object *ctl_status_json(const struct vmpkram_status *st);
const char *ctl_job_type(uint32_t type);
const char *ctl_job_state(uint32_t state);
void ctl_job_text(const struct vmpkram_job *job, char *buf, size_t size);
struct json_object *ctl_job_json(const struct vmpkram_job *job);

#endif /* _VMPKRAMCTL_H_ */
