// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkram-qemu resume: start each saved guest's QEMU again from its
 * manifest, with -incoming defer, load the device state and continue.
 * Everything that can be checked without QEMU is checked first (the
 * guest is saved, its RAM file has the size, the state file is the one
 * the save wrote, the QEMU binary has the version and the machine type):
 * a refusal leaves RAM, state and manifest as they were, for another try.
 * Guests are resumed in parallel.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vq.h"

static int fail(struct guest *g, int ret, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct guest *g, int ret, const char *format, ...)
{
	va_list args;
	int len;

	len = snprintf(g->err, sizeof(g->err), "guest %s: ", g->m.name);
	va_start(args, format);
	vsnprintf(g->err + len, sizeof(g->err) - len, format, args);
	va_end(args);
	return ret;
}

static int check_saved(struct guest *g)
{
	const struct manifest *m = &g->m;
	int pid = guest_alive(m);

	if (!strcmp(m->state, "saved") && !pid)
		return 0;
	if (pid)
		return fail(g, -EBUSY, "not saved: it is running (QEMU pid %d)", pid);
	return fail(g, -EALREADY, "not saved: %s, so its state file is older than its RAM; launch it afresh (launch --force)",
		    m->resumes ? "it was resumed and ran since" :
				 "its QEMU exited without a save");
}

static int check_ram(struct guest *g)
{
	char path[PATH_MAX + VQ_NAME_MAX];
	struct stat st;

	guest_file(g, g->m.ram_file, path, sizeof(path));
	if (stat(path, &st))
		return fail(g, -errno, "RAM file %s: %s", path, strerror(errno));
	if ((uint64_t)st.st_size != g->m.ram_size)
		return fail(g, -EIO, "RAM file %s has %llu bytes, the guest had %llu",
			    path, (unsigned long long)st.st_size,
			    (unsigned long long)g->m.ram_size);
	return 0;
}

/* The arguments must still name the machine type recorded at launch. */
static int check_machine(struct guest *g)
{
	const struct manifest *m = &g->m;
	size_t len = strlen(m->machine_type);
	int i;

	for (i = 0; len && i + 1 < m->args.n; i++)
		if (!strcmp(m->args.v[i], "-machine") &&
		    !strncmp(m->args.v[i + 1], m->machine_type, len) &&
		    (!m->args.v[i + 1][len] || m->args.v[i + 1][len] == ','))
			return 0;
	return fail(g, -EPROTO, "its arguments do not name its machine type %s any more (was the manifest edited?)",
		    len ? m->machine_type : "(none recorded)");
}

/*
 * The QEMU that answers must be the version that saved: its greeting
 * says, before any state is loaded (QEMU waiting for an incoming
 * migration writes nothing into guest RAM, not even its ROMs).  Asking
 * "--version" before the start would cost another QEMU start inside the
 * downtime.
 */
static int check_version(struct guest *g)
{
	const struct qmp_version *v = qmp_version(g->q), *w = &g->m.version;

	if (v->major == w->major && v->minor == w->minor &&
	    v->micro == w->micro && !strcmp(v->package, w->package))
		return 0;
	return fail(g, -EPROTO, "%s is QEMU %d.%d.%d%s%s%s, the guest was saved by %d.%d.%d%s%s%s: another version may not load its device state",
		    g->m.qemu_bin, v->major, v->minor, v->micro,
		    v->package[0] ? " (" : "", v->package,
		    v->package[0] ? ")" : "", w->major, w->minor, w->micro,
		    w->package[0] ? " (" : "", w->package,
		    w->package[0] ? ")" : "");
}

static int relink(struct vq *vq, struct guest *g)
{
	char link[PATH_MAX + 16];

	if (guest_run_dir(vq, g))
		return -EIO;
	snprintf(link, sizeof(link), "%s/manifest", g->run);
	if (!strcmp(link, g->path))
		return 0;
	unlink(link);
	if (symlink(g->path, link))
		return fail(g, -errno, "%s: %s", link, strerror(errno));
	return 0;
}

static int start_and_load(struct vq *vq, struct guest *g)
{
	const char *const extra[] = { "-S", "-incoming", "defer", NULL };
	char release[65];
	int ret;

	g->m.t.resume_started = realtime_ns();
	ret = qemu_start(vq, g, g->m.qemu_bin, g->m.args.v, extra);
	if (ret)
		return ret;
	ret = check_version(g);
	if (!ret)
		ret = mig_load(vq, g);
	if (!ret)
		ret = mig_resume(vq, g);
	if (!ret && guest_set_process(&g->m, g->pid))
		ret = fail(g, -ESRCH, "QEMU (pid %d) is gone", g->pid);
	if (ret) {
		qemu_stop(vq, g);
		return ret;
	}
	snprintf(g->m.state, sizeof(g->m.state), "running");
	g->m.resumes++;
	kernel_release(release, sizeof(release));
	snprintf(g->m.kernel_resumed, sizeof(g->m.kernel_resumed), "%s", release);
	ret = guest_write(g);
	if (ret)
		/* It runs, but would be resumed again from a stale state. */
		return fail(g, ret, "runs, but its manifest could not be updated (%s): do not resume it again",
			    strerror(-ret));
	return 0;
}

static void *resume_main(void *arg)
{
	struct guest *g = arg;
	struct vq *vq = g->vq;

	g->ret = check_saved(g);
	if (!g->ret)
		g->ret = check_ram(g);
	if (!g->ret)
		g->ret = mig_check_state(vq, g);
	if (!g->ret)
		g->ret = check_machine(g);
	if (!g->ret)
		g->ret = relink(vq, g);
	if (!g->ret)
		g->ret = start_and_load(vq, g);
	if (!g->ret && g->m.agent_path[0])
		qga_set_time(vq, g);
	return NULL;
}

static void report(struct vq *vq, struct guest **gs, int n)
{
	struct json_object *arr = json_object_new_array(), *o;
	char down[32], upper[32], size[32], load[32];
	uint64_t up, d;
	int i;

	for (i = 0; i < n; i++) {
		struct manifest *m = &gs[i]->m;

		o = vq_guest_json(m, gs[i]->ret ? "saved" : guest_state(m));
		if (gs[i]->ret)
			json_object_object_add(o, "error",
					       json_object_new_string(gs[i]->err));
		json_object_array_add(arr, o);
		if (gs[i]->ret)
			continue;
		d = manifest_downtime(m, &up);
		duration_text(d, down, sizeof(down));
		duration_text(up, upper, sizeof(upper));
		size_text(m->state_size, size, sizeof(size));
		duration_text(m->t.loaded - m->t.resume_started, load, sizeof(load));
		if (m->was_running)
			vq_say(vq, "resumed %s: downtime %s (at most %s), device state %s, QEMU start and load %s, pid %d",
			       m->name, down, upper, size, load, m->pid);
		else
			vq_say(vq, "resumed %s: left paused as it was saved, device state %s, pid %d",
			       m->name, size, m->pid);
	}
	if (vq->json) {
		o = json_object_new_object();
		json_object_object_add(o, "guests", arr);
		vq_json_print(vq, o);
	} else {
		json_object_put(arr);
	}
}

static int parse_options(struct vq *vq, const struct vq_cmd *cmd, int argc,
			 char **argv, bool *all, const char **dir)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c, i;

	while ((c = getopt_long(argc, argv, ":ad:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			*all = true;
			break;
		case 'd':
			*dir = optarg;
			break;
		case 'h':
			return vq_help(cmd);
		default:
			return vq_bad_option(vq, cmd, argv, c);
		}
	}
	if (*all == (optind < argc))
		return vq_usage_error(vq, cmd, "give guest names or --all");
	for (i = optind; i < argc; i++)
		if (!guest_name_ok(argv[i]))
			return vq_usage_error(vq, cmd, "'%s' is not a guest name",
					      argv[i]);
	return -1;
}

/* The manifests to resume: named ones, or every saved one. */
static int select_guests(struct vq *vq, bool all, const char *dir, int argc,
			 char **argv, struct strv *paths)
{
	struct strv found = { 0 };
	char path[PATH_MAX];
	struct manifest m;
	char err[256];
	int i, fd, ret = 0;

	if (!all) {
		for (i = 0; !ret && i < argc; i++) {
			if (guest_find(vq, argv[i], dir, path, sizeof(path)))
				ret = vq_fail(vq, "no guest %s (see " PROG " status)",
					      argv[i]);
			else
				ret = strv_push(paths, path);
		}
		return ret;
	}
	ret = guest_list(vq, dir, &found);
	for (i = 0; !ret && i < found.n; i++) {
		fd = manifest_open(found.v[i], true, &m, err, sizeof(err));
		if (fd < 0)
			continue;
		close(fd);
		if (!strcmp(m.state, "saved"))
			ret = strv_push(paths, found.v[i]);
		manifest_free(&m);
	}
	strv_free(&found);
	return ret;
}

int cmd_resume(struct vq *vq, const struct vq_cmd *cmd, int argc, char **argv)
{
	struct strv paths = { 0 };
	struct guest *gs = NULL, **gp = NULL;
	const char *dir = NULL;
	bool all = false;
	int i, n = 0, ret, failed = 0;

	ret = parse_options(vq, cmd, argc, argv, &all, &dir);
	if (ret >= 0)
		return ret;
	ret = select_guests(vq, all, dir, argc - optind, argv + optind, &paths);
	if (ret)
		goto out;
	gs = calloc(paths.n ? paths.n : 1, sizeof(*gs));
	gp = calloc(paths.n ? paths.n : 1, sizeof(*gp));
	if (!gs || !gp) {
		ret = vq_fail(vq, "out of memory");
		goto out;
	}
	for (n = 0; n < paths.n; n++) {
		gp[n] = &gs[n];
		if (guest_open(vq, paths.v[n], false, gp[n])) {
			ret = vq_fail(vq, "%s", gp[n]->err);
			n++;
			goto out;
		}
	}
	if (!n)
		vq_say(vq, "no saved guest to resume");
	else
		vq_progress(vq, "resuming %d guest%s", n, n == 1 ? "" : "s");
	guests_parallel(gp, n, resume_main);
	for (i = 0; i < n; i++)
		if (gp[i]->ret) {
			failed++;
			vq_warn(vq, "%s", gp[i]->err);
		}
	report(vq, gp, n);
	if (failed)
		ret = vq_fail(vq, "%d of %d guest%s not resumed; their RAM, state and manifest are as they were",
			      failed, n, n == 1 ? "" : "s");
out:
	for (i = 0; i < n; i++)
		guest_close(gp[i]);
	free(gs);
	free(gp);
	strv_free(&paths);
	return ret;
}
