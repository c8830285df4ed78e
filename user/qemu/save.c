// SPDX-License-Identifier: GPL-2.0-only
/*
 * Saving guests: the steps update and save share, each run for every
 * guest at once (one thread and one QMP connection per guest), and the
 * save command itself: stop, save, quit, without a kexec.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vq.h"

static int all_ok(struct guest **gs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (gs[i]->ret)
			return gs[i]->ret;
	return 0;
}

static void *prepare_main(void *arg)
{
	struct guest *g = arg;

	g->ret = g->q ? 0 : guest_connect(g->vq, g);
	if (!g->ret)
		g->ret = mig_prepare(g->vq, g);
	return NULL;
}

int batch_prepare(struct guest **gs, int n)
{
	guests_parallel(gs, n, prepare_main);
	return all_ok(gs, n);
}

static void *save_main(void *arg)
{
	struct guest *g = arg;

	g->ret = mig_save(g->vq, g);
	return NULL;
}

int batch_save(struct guest **gs, int n)
{
	guests_parallel(gs, n, save_main);
	return all_ok(gs, n);
}

static void *rollback_main(void *arg)
{
	struct guest *g = arg;

	g->ret = 0;
	if (!g->q)
		return NULL;
	if (!g->stop_sent) {
		mig_unprepare(g->vq, g);
		return NULL;
	}
	g->ret = mig_cont(g->vq, g);
	return NULL;
}

int batch_rollback(struct guest **gs, int n)
{
	guests_parallel(gs, n, rollback_main);
	return all_ok(gs, n);
}

int batch_record(struct guest **gs, int n)
{
	char release[65];
	int i, ret = 0;

	kernel_release(release, sizeof(release));
	for (i = 0; i < n; i++) {
		snprintf(gs[i]->m.state, sizeof(gs[i]->m.state), "saved");
		snprintf(gs[i]->m.kernel_saved, sizeof(gs[i]->m.kernel_saved),
			 "%s", release);
		gs[i]->ret = guest_write(gs[i]);
		if (gs[i]->ret) {
			ret = gs[i]->ret;
			/* Not saved after all: it must run on. */
			snprintf(gs[i]->m.state, sizeof(gs[i]->m.state), "running");
		}
	}
	/* All or none: a guest left "saved" would be resumed twice. */
	for (i = 0; ret && i < n; i++) {
		if (gs[i]->ret)
			continue;
		snprintf(gs[i]->m.state, sizeof(gs[i]->m.state), "running");
		guest_write(gs[i]);
	}
	return ret;
}

static void *quit_main(void *arg)
{
	struct guest *g = arg;

	g->ret = mig_quit(g->vq, g);
	/* The quit time, for status; the save stands without it. */
	if (!g->ret)
		guest_write(g);
	return NULL;
}

int batch_quit(struct guest **gs, int n)
{
	guests_parallel(gs, n, quit_main);
	return all_ok(gs, n);
}

void batch_errors(struct vq *vq, struct guest **gs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (gs[i]->ret)
			vq_fail(vq, "%s", gs[i]->err);
}

/* ----------------------------------------------------------------- save */

static void report(struct vq *vq, struct guest *g)
{
	const struct manifest_times *t = &g->m.t;
	char size[32], took[32];

	if (vq->json) {
		vq_json_print(vq, vq_guest_json(&g->m, "saved"));
		return;
	}
	size_text(g->m.state_size, size, sizeof(size));
	duration_text(t->saved - t->stop_sent, took, sizeof(took));
	vq_say(vq, "saved %s: device state %s in %s/%s (stop to saved: %s); RAM stays in %s/%s",
	       g->m.name, size, g->m.dir, g->m.state_file, took, g->m.dir,
	       g->m.ram_file);
	vq_say(vq, "resume it with: " PROG " resume %s", g->m.name);
}

/* A guest that can be saved: running, with RAM of its own. */
int check_saveable(struct vq *vq, struct guest *g)
{
	if (strcmp(g->m.state, "running"))
		return vq_fail(vq, "guest %s is %s already", g->m.name, g->m.state);
	if (!guest_alive(&g->m))
		return vq_fail(vq, "guest %s: its QEMU (pid %d) is not running",
			       g->m.name, g->m.pid);
	if (!g->m.ram_size || !g->m.state_file[0])
		return vq_fail(vq, "guest %s: its RAM is not a file of its own (launched without --mem): it cannot be saved",
			       g->m.name);
	return 0;
}

static int save_one(struct vq *vq, struct guest *g)
{
	struct guest *gs[1] = { g };

	if (check_saveable(vq, g))
		return EXIT_FAIL;
	if (batch_prepare(gs, 1) || batch_save(gs, 1) || batch_record(gs, 1)) {
		vq_fail(vq, "%s", g->err);
		if (batch_rollback(gs, 1)) {
			vq_fail(vq, "%s", g->err);
			mig_cont_later(vq, g);
			return EXIT_FAIL;
		}
		return vq_fail(vq, "guest %s runs on, not saved", g->m.name);
	}
	if (batch_quit(gs, 1))
		vq_warn(vq, "%s", g->err);
	report(vq, g);
	return 0;
}

int cmd_save(struct vq *vq, const struct vq_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *dir = NULL;
	char path[PATH_MAX];
	struct guest g;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			return vq_help(cmd);
		default:
			return vq_bad_option(vq, cmd, argv, c);
		}
	}
	if (optind + 1 != argc)
		return vq_usage_error(vq, cmd, "give one guest NAME");
	if (!guest_name_ok(argv[optind]))
		return vq_usage_error(vq, cmd, "'%s' is not a guest name",
				      argv[optind]);
	if (guest_find(vq, argv[optind], dir, path, sizeof(path)))
		return vq_fail(vq, "no guest %s (see " PROG " status)", argv[optind]);
	ret = guest_open(vq, path, false, &g);
	if (ret)
		ret = vq_fail(vq, "%s", g.err);
	else
		ret = save_one(vq, &g);
	guest_close(&g);
	return ret;
}
