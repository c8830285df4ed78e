/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmpkram-qemu: shared definitions of the commands (one file each), the
 * guests they act on, QEMU processes, migration and vmpkramctl.
 */
#ifndef _VMPKRAM_QEMU_VQ_H_
#define _VMPKRAM_QEMU_VQ_H_

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <json.h>

#include "manifest.h"
#include "qmp.h"
#include "util.h"

#define PROG			"vmpkram-qemu"
#define VQ_RUN_DIR		"/run/vmpkram-qemu"
#define VQ_BACKEND_ID		"vmpkram-ram"
#define VQ_STATE_DEFAULT	(64ULL << 20)
#define VQ_TIMEOUT_DEFAULT	30	/* seconds, per QMP wait */

/* Exit status (see the man page) */
#define EXIT_FAIL		1	/* error; what changed is said */
#define EXIT_USAGE		2	/* bad usage, nothing changed */
#define EXIT_ROLLED_BACK	3	/* update failed before the jump: every
					 * guest runs again, kernel unloaded */
#define EXIT_ATTENTION		4	/* a guest needs the operator: see the
					 * messages (rollback incomplete, or
					 * saved but the jump failed) */

struct vq {
	bool json;			/* --json */
	const char *run_dir;		/* --run-dir or $VMPKRAM_QEMU_RUN_DIR */
	int timeout_ms;			/* --timeout: each QMP wait */
	bool progress;			/* stderr is a terminal, no --json */
	bool printed;			/* the command's JSON is out */
	char error[2048];		/* the first error, for --json */
};

struct vq_cmd {
	const char *name;
	const char *args;
	const char *summary;
	const char *help;
	int (*run)(struct vq *vq, const struct vq_cmd *cmd, int argc,
		   char **argv);
};

int cmd_launch(struct vq *vq, const struct vq_cmd *cmd, int argc, char **argv);
int cmd_save(struct vq *vq, const struct vq_cmd *cmd, int argc, char **argv);
int cmd_update(struct vq *vq, const struct vq_cmd *cmd, int argc, char **argv);
int cmd_resume(struct vq *vq, const struct vq_cmd *cmd, int argc, char **argv);
int cmd_status(struct vq *vq, const struct vq_cmd *cmd, int argc, char **argv);
int cmd_qmp(struct vq *vq, const struct vq_cmd *cmd, int argc, char **argv);

/* ------------------------------------------------------------ output.c */

/*
 * "vmpkram-qemu: MESSAGE" on stderr.  With --json, a command that prints
 * no JSON of its own and fails gets {"error": {"message": FIRST}} on
 * stdout at the end (main.c).  Returns EXIT_FAIL.
 */
int vq_fail(struct vq *vq, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
void vq_warn(struct vq *vq, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
/* What a long command is doing, on a terminal's stderr only. */
void vq_progress(struct vq *vq, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
/* A line for people on stdout; nothing with --json. */
void vq_say(struct vq *vq, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
int vq_usage_error(struct vq *vq, const struct vq_cmd *cmd,
		   const char *format, ...)
	__attribute__((format(printf, 3, 4)));
int vq_bad_option(struct vq *vq, const struct vq_cmd *cmd, char **argv,
		  int c);
int vq_help(const struct vq_cmd *cmd);
void vq_json_print(struct vq *vq, struct json_object *obj);
/* The error object of a failed command that printed no JSON. */
void vq_json_error(struct vq *vq, int status);
/* A guest for status and the other commands' --json. */
struct json_object *vq_guest_json(const struct manifest *m, const char *state);

/* ------------------------------------------------------------- guest.c */

struct guest {
	struct vq *vq;
	struct manifest m;
	int fd;				/* the manifest (locked), or -1 */
	char path[PATH_MAX + 64];	/* of the manifest */
	char run[108];			/* RUN_DIR/NAME: its qmp must fit
					 * a UNIX socket address */
	struct qmp *q;
	char err[3 * PATH_MAX];		/* why the last step failed */
	/* set by the steps of migrate.c */
	bool stop_sent, stopped, saved;
	int pid;			/* a QEMU started here */
	int ret;			/* of a step run in a thread */
	bool selected;			/* a guest the command acts on */
};

void guest_init(struct guest *g, struct vq *vq);
void guest_close(struct guest *g);

/* Opens and parses the manifest at @path, locked unless @readonly. */
int guest_open(struct vq *vq, const char *path, bool readonly,
	       struct guest *g);
/* Rewrites the manifest (in place); the error goes to g->err. */
int guest_write(struct guest *g);

/* Where guest @name's manifest is: RUN_DIR/NAME/manifest, else DIR (when
 * given), else every mounted pool.  -ENOENT when nowhere. */
int guest_find(struct vq *vq, const char *name, const char *dir,
	       char *path, size_t size);
/* Every manifest there is (same places), without duplicates. */
int guest_list(struct vq *vq, const char *dir, struct strv *paths);

/* DIR/FILE of the guest. */
void guest_file(const struct guest *g, const char *file, char *buf,
		size_t size);
/* Creates RUN_DIR/NAME (g->run). */
int guest_run_dir(struct vq *vq, struct guest *g);

/* Is the QEMU of @m running (same boot, same process)?  Its pid or 0. */
int guest_alive(const struct manifest *m);
/* What status says: saved, running, resumed, exited. */
const char *guest_state(const struct manifest *m);

/* Fills m->pid, pid_start, boot_id for process @pid. */
int guest_set_process(struct manifest *m, int pid);
int boot_id(char *buf, size_t size);
/* uname -r */
void kernel_release(char *buf, size_t size);

/* QMP to its QEMU (RUN_DIR/NAME/qmp). */
int guest_connect(struct vq *vq, struct guest *g);

/* Runs @fn on each guest in its own thread and waits for all. */
void guests_parallel(struct guest **gs, int n, void *(*fn)(void *));

/* ------------------------------------------------------------- qemu.c */

/* @bin with a '/' as is, else found on PATH; into @path. */
int qemu_binary(const char *bin, char *path, size_t size);
/* Runs BIN ARGS, its output (stdout and stderr) in *@out. */
int qemu_capture(const char *bin, const char *const args[], int timeout_ms,
		 char **out);
/*
 * Starts QEMU for @g with @args plus the shim's own (QMP socket, pid
 * file, @extra), in the background with its output in RUN/log, and waits
 * until QMP answers (g->q, g->pid).  On failure QEMU is gone and g->err
 * says why, with the end of its log.
 */
int qemu_start(struct vq *vq, struct guest *g, const char *bin,
	       char *const args[], const char *const extra[]);
/* After quit: waits for @pid to end, then kills it. */
int qemu_wait_gone(int pid, int timeout_ms);
/* Ends a QEMU that failed: quit, then SIGKILL. */
void qemu_stop(struct vq *vq, struct guest *g);

/* ----------------------------------------------------------- migrate.c */

/* Method and capabilities of the connected QEMU; sets m.method. */
int mig_detect(struct vq *vq, struct guest *g);
/* query-status; capabilities and mode set before the stop. */
int mig_prepare(struct vq *vq, struct guest *g);
/* stop, device state into the state file, wait: m.state_size, hash,
 * times. */
int mig_save(struct vq *vq, struct guest *g);
/* Undoes a stop (rollback). */
int mig_cont(struct vq *vq, struct guest *g);
/* After a 'cont' without an answer: a detached child asks again until
 * QEMU answers (RUN/cont.log); says so, or what to do by hand. */
void mig_cont_later(struct vq *vq, struct guest *g);
/* Undoes mig_prepare() of a guest that was not stopped. */
void mig_unprepare(struct vq *vq, struct guest *g);
/* quit, and wait for the process. */
int mig_quit(struct vq *vq, struct guest *g);
/* Checks the state file against the manifest (before any QEMU starts). */
int mig_check_state(struct vq *vq, struct guest *g);
/* In a QEMU started with -incoming defer: load the state, wait. */
int mig_load(struct vq *vq, struct guest *g);
/* cont after a load, with the times. */
int mig_resume(struct vq *vq, struct guest *g);

/* -------------------------------------------------------------- save.c */

/*
 * Saving guests together (save, update), each step in parallel, one
 * thread per guest.  Each returns 0 when every guest made it; g->ret and
 * g->err tell each guest's outcome.
 */
int batch_prepare(struct guest **gs, int n);	/* connect, prepare */
int batch_save(struct guest **gs, int n);	/* stop, save */
/* Every stopped guest continues; 0 when all of them did. */
int batch_rollback(struct guest **gs, int n);
/* Manifests say "saved" (before any QEMU quits). */
int batch_record(struct guest **gs, int n);
int batch_quit(struct guest **gs, int n);
/* The errors of the guests whose g->ret is set, one line each. */
void batch_errors(struct vq *vq, struct guest **gs, int n);
/* Running, alive, RAM of its own; else says why (EXIT_FAIL). */
int check_saveable(struct vq *vq, struct guest *g);

/* --------------------------------------------------------------- ctl.c */

/* vmpkramctl: $VMPKRAMCTL, next to this program, or on PATH. */
int ctl_path(char *buf, size_t size);
/*
 * Runs "vmpkramctl --json ARGS"; 0 with its JSON in *@out (may be NULL),
 * else its message in @err.
 */
int ctl_run(struct vq *vq, const char *const args[], struct json_object **out,
	    char *err, size_t errlen);

/* ---------------------------------------------------------- prefault.c */

/* Populates the guest's RAM in QEMU @g->pid with @threads workers. */
int vq_prefault(struct vq *vq, struct guest *g, uint64_t ram_size,
		uint32_t threads, struct json_object *result);

/* -------------------------------------------------------------- qga.c */

/* guest-set-time through the guest agent at m.agent_path; warns only. */
void qga_set_time(struct vq *vq, struct guest *g);

#endif /* _VMPKRAM_QEMU_VQ_H_ */
