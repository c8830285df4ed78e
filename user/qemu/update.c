// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkram-qemu update: host kernel update with every guest kept.
 *
 *   1. every running guest is checked and prepared (capabilities), and
 *      "vmpkramctl kexec load" checks and loads the kernel and seals the
 *      pools: all before any guest stops, so none of it is downtime;
 *   2. all guests at once: stop, device state into the state file;
 *   3. a failure until then rolls back: every stopped guest continues,
 *      "vmpkramctl kexec unload" drops the kernel and unseals the pools;
 *   4. the manifests say "saved", every QEMU quits, then
 *      "vmpkramctl kexec exec" (unless --no-exec).
 * SIGINT, SIGTERM and SIGHUP wait from the first stop until the guests
 * either run again or are saved: an interrupted update must not leave a
 * guest stopped.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vq.h"

struct update {
	struct vq *vq;
	const struct vq_cmd *cmd;
	const char *kernel, *initrd, *append, *cmdline, *dir;
	bool no_exec;
	struct guest *all;		/* every guest found */
	int nr_all;
	struct guest **gs;		/* the running ones */
	int n;
	struct json_object *load;	/* vmpkramctl kexec load's output */
	sigset_t saved_mask;
};

static int parse_options(struct update *u, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "command-line", required_argument, NULL, 'c' },
		{ "no-exec", no_argument, NULL, 'n' },
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	while ((c = getopt_long(argc, argv, ":k:i:a:c:nd:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			u->kernel = optarg;
			break;
		case 'i':
			u->initrd = optarg;
			break;
		case 'a':
			u->append = optarg;
			break;
		case 'c':
			u->cmdline = optarg;
			break;
		case 'n':
			u->no_exec = true;
			break;
		case 'd':
			u->dir = optarg;
			break;
		case 'h':
			return vq_help(u->cmd);
		default:
			return vq_bad_option(u->vq, u->cmd, argv, c);
		}
	}
	if (optind < argc)
		return vq_usage_error(u->vq, u->cmd, "unexpected argument '%s'",
				      argv[optind]);
	if (!u->kernel)
		return vq_usage_error(u->vq, u->cmd, "--kernel is required");
	return -1;
}

/* Opens every guest; the running ones are the ones to save. */
static int collect(struct update *u)
{
	bool volatile_ok = getenv("VMPKRAM_QEMU_ALLOW_VOLATILE") != NULL;
	struct strv paths = { 0 };
	struct guest *g;
	int i, ret;

	ret = guest_list(u->vq, u->dir, &paths);
	u->all = calloc(paths.n ? paths.n : 1, sizeof(*u->all));
	u->gs = calloc(paths.n ? paths.n : 1, sizeof(*u->gs));
	if (ret || !u->all || !u->gs) {
		strv_free(&paths);
		return vq_fail(u->vq, "listing the guests: %s", strerror(ENOMEM));
	}
	for (i = 0; i < paths.n; i++) {
		g = &u->all[u->nr_all++];
		ret = guest_open(u->vq, paths.v[i], false, g);
		if (ret) {
			ret = vq_fail(u->vq, "%s", g->err);
			break;
		}
		if (strcmp(g->m.state, "running"))
			continue;
		if (!guest_alive(&g->m)) {
			vq_warn(u->vq, "guest %s: its QEMU exited without a save; nothing to keep",
				g->m.name);
			continue;
		}
		if (!g->m.ram_size || (!g->m.persistent && !volatile_ok)) {
			ret = vq_fail(u->vq, "guest %s runs with its RAM %s%s: it would not survive the kexec; save or stop it first",
				      g->m.name, g->m.ram_size ? "in " : "outside any pool",
				      g->m.ram_size ? g->m.dir : "");
			break;
		}
		u->gs[u->n++] = g;
	}
	strv_free(&paths);
	return ret;
}

static void block_signals(struct update *u, bool block)
{
	sigset_t set;

	if (!block) {
		sigprocmask(SIG_SETMASK, &u->saved_mask, NULL);
		return;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &u->saved_mask);
}

static int kexec_load(struct update *u)
{
	const char *args[12];
	char err[1024];
	int n = 0, ret;

	args[n++] = "kexec";
	args[n++] = "load";
	args[n++] = "--kernel";
	args[n++] = u->kernel;
	if (u->initrd) {
		args[n++] = "--initrd";
		args[n++] = u->initrd;
	}
	if (u->cmdline) {
		args[n++] = "--command-line";
		args[n++] = u->cmdline;
	}
	if (u->append) {
		args[n++] = "--append";
		args[n++] = u->append;
	}
	args[n] = NULL;
	ret = ctl_run(u->vq, args, &u->load, err, sizeof(err));
	if (ret)
		vq_fail(u->vq, "vmpkramctl kexec load: %s", err);
	return ret;
}

static int kexec_unload(struct update *u)
{
	static const char *const args[] = { "kexec", "unload", NULL };
	char err[1024];
	int ret = ctl_run(u->vq, args, NULL, err, sizeof(err));

	if (ret)
		vq_fail(u->vq, "vmpkramctl kexec unload: %s (the kernel may still be loaded and the pools sealed: run it by hand)",
			err);
	return ret;
}

/* Step 3: everything back as it was.  Returns the exit status. */
static int roll_back(struct update *u)
{
	int i, lost = 0;

	batch_errors(u->vq, u->gs, u->n);
	if (batch_rollback(u->gs, u->n)) {
		for (i = 0; i < u->n; i++) {
			if (!u->gs[i]->ret)
				continue;
			lost++;
			vq_fail(u->vq, "%s", u->gs[i]->err);
			mig_cont_later(u->vq, u->gs[i]);
		}
	}
	if (kexec_unload(u))
		lost++;
	block_signals(u, false);
	if (lost)
		return EXIT_ATTENTION;
	vq_fail(u->vq, "update failed before the kexec: every guest runs again, the kernel is unloaded and the pools unsealed; nothing was lost");
	return EXIT_ROLLED_BACK;
}

static void report(struct update *u)
{
	struct json_object *o, *arr;
	char size[32], took[32];
	int i;

	if (u->vq->json) {
		o = json_object_new_object();
		arr = json_object_new_array();
		for (i = 0; i < u->n; i++)
			json_object_array_add(arr, vq_guest_json(&u->gs[i]->m, "saved"));
		json_object_object_add(o, "kernel", json_object_get(u->load));
		json_object_object_add(o, "guests", arr);
		json_object_object_add(o, "exec", json_object_new_boolean(!u->no_exec));
		vq_json_print(u->vq, o);
		return;
	}
	for (i = 0; i < u->n; i++) {
		size_text(u->gs[i]->m.state_size, size, sizeof(size));
		duration_text(u->gs[i]->m.t.saved - u->gs[i]->m.t.stop_sent,
			      took, sizeof(took));
		vq_say(u->vq, "saved %s: device state %s (stop to saved: %s)",
		       u->gs[i]->m.name, size, took);
	}
	if (u->no_exec)
		vq_say(u->vq, "%d guest%s saved, kernel %s loaded: boot it with 'vmpkramctl kexec exec' (or 'systemctl kexec'), then '" PROG " resume --all'",
		       u->n, u->n == 1 ? "" : "s", u->kernel);
	else
		vq_say(u->vq, "%d guest%s saved; kexec into %s now", u->n,
		       u->n == 1 ? "" : "s", u->kernel);
}

static int jump(struct update *u)
{
	static const char *const args[] = { "kexec", "exec", NULL };
	char err[1024];

	ctl_run(u->vq, args, NULL, err, sizeof(err));
	/* Only a failure comes back. */
	vq_fail(u->vq, "vmpkramctl kexec exec: %s", err);
	vq_fail(u->vq, "the guests are saved and their QEMUs quit; to bring them back here: 'vmpkramctl kexec unload', then '" PROG " resume --all'");
	return EXIT_ATTENTION;
}

static int run(struct update *u)
{
	int ret;

	ret = collect(u);
	if (ret)
		return ret;
	/* 1. Nothing stops before the kernel is loaded. */
	vq_progress(u->vq, "preparing %d guest%s", u->n, u->n == 1 ? "" : "s");
	if (batch_prepare(u->gs, u->n)) {
		batch_errors(u->vq, u->gs, u->n);
		batch_rollback(u->gs, u->n);
		return vq_fail(u->vq, "nothing changed: no guest was stopped, no kernel loaded");
	}
	vq_progress(u->vq, "loading %s (vmpkramctl kexec load: checks, seals the pools)",
		    u->kernel);
	if (kexec_load(u)) {
		batch_rollback(u->gs, u->n);
		return vq_fail(u->vq, "nothing changed: no guest was stopped");
	}
	/* 2. All guests at once. */
	block_signals(u, true);
	vq_progress(u->vq, "stopping and saving the guests");
	if (batch_save(u->gs, u->n) || batch_record(u->gs, u->n)) {
		vq_progress(u->vq, "rolling back");
		return roll_back(u);
	}
	/* 4. Past this point the guests are saved: no way back. */
	vq_progress(u->vq, "quitting QEMU");
	if (batch_quit(u->gs, u->n))
		batch_errors(u->vq, u->gs, u->n);
	block_signals(u, false);
	report(u);
	if (u->no_exec)
		return 0;
	return jump(u);
}

int cmd_update(struct vq *vq, const struct vq_cmd *cmd, int argc, char **argv)
{
	struct update u = { .vq = vq, .cmd = cmd };
	int ret, i;

	ret = parse_options(&u, argc, argv);
	if (ret < 0)
		ret = run(&u);
	for (i = 0; i < u.nr_all; i++)
		guest_close(&u.all[i]);
	free(u.all);
	free(u.gs);
	json_object_put(u.load);
	return ret;
}
