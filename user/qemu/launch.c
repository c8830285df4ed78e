// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkram-qemu launch: check the QEMU arguments, create the guest's RAM
 * and state files in the pool (both sized now: a pool sealed for a kexec
 * refuses any growth), write the manifest, start QEMU in the background
 * and wait until it answers QMP; with --prefault, populate its RAM
 * before the guest runs.  Anything that fails removes what this launch
 * created.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/vmpkram.h>

#include "mounts.h"
#include "parse.h"
#include "qargs.h"
#include "vq.h"

struct launch {
	struct vq *vq;
	const struct vq_cmd *cmd;
	const char *name, *pool, *dir, *qemu;
	uint64_t mem, state_size;
	uint32_t prefault;
	bool allow_cpu_host, force;
	char **qargv;
	int qargc;
	struct guest g;
	char bin[PATH_MAX];
	char *machine_help;
	struct qargs_out qa;
	/* what to remove if the launch fails */
	char ram[PATH_MAX + VQ_NAME_MAX], state[PATH_MAX + VQ_NAME_MAX + 8];
	char link[PATH_MAX + 16];
	bool made_ram, made_state, made_manifest, made_link;
	struct json_object *prefault_json;
};

/* ------------------------------------------------------------ options */

static int parse_options(struct launch *l, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "pool", required_argument, NULL, 'p' },
		{ "dir", required_argument, NULL, 'd' },
		{ "qemu", required_argument, NULL, 'q' },
		{ "prefault", required_argument, NULL, 'P' },
		{ "allow-cpu-host", no_argument, NULL, 'c' },
		{ "state-size", required_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const struct vq_cmd *cmd = l->cmd;
	int c, end;

	/* Ours before "--", QEMU's after. */
	for (end = 1; end < argc && strcmp(argv[end], "--"); end++)
		;
	l->qargv = argv + (end < argc ? end + 1 : argc);
	l->qargc = end < argc ? argc - end - 1 : 0;
	while ((c = getopt_long(end, argv, ":m:p:d:q:P:cs:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_size(optarg, &l->mem) || !l->mem)
				return vq_usage_error(l->vq, cmd, "--mem: '%s' is not a size", optarg);
			break;
		case 'p':
			if (parse_pool_name(optarg))
				return vq_usage_error(l->vq, cmd, "--pool: '%s' is not a pool name", optarg);
			l->pool = optarg;
			break;
		case 'd':
			l->dir = optarg;
			break;
		case 'q':
			l->qemu = optarg;
			break;
		case 'P':
			if (parse_u32(optarg, 1, VMPKRAM_WORKERS_LIMIT, &l->prefault))
				return vq_usage_error(l->vq, cmd, "--prefault: '%s' is not a number from 1 to %u",
						      optarg, VMPKRAM_WORKERS_LIMIT);
			break;
		case 'c':
			l->allow_cpu_host = true;
			break;
		case 's':
			if (parse_size(optarg, &l->state_size) || l->state_size < (1 << 20))
				return vq_usage_error(l->vq, cmd, "--state-size: '%s' is not a size of 1M or more",
						      optarg);
			break;
		case 'f':
			l->force = true;
			break;
		case 'h':
			return vq_help(cmd);
		default:
			return vq_bad_option(l->vq, cmd, argv, c);
		}
	}
	if (optind >= end)
		return vq_usage_error(l->vq, cmd, "NAME is missing");
	l->name = argv[optind];
	if (optind + 1 < end)
		return vq_usage_error(l->vq, cmd, "unexpected '%s' (QEMU's arguments go after --)",
				      argv[optind + 1]);
	if (!guest_name_ok(l->name))
		return vq_usage_error(l->vq, cmd, "'%s' is not a guest name: 1 to %d of A-Z a-z 0-9 _ -",
				      l->name, VQ_NAME_MAX);
	if (!l->mem && (l->pool || l->dir || l->state_size))
		return vq_usage_error(l->vq, cmd, "--pool, --dir and --state-size need --mem");
	if (l->pool && l->dir)
		return vq_usage_error(l->vq, cmd, "--pool and --dir exclude each other");
	if (!l->state_size)
		l->state_size = VQ_STATE_DEFAULT;
	l->state_size = (l->state_size + (2 << 20) - 1) & ~((2ULL << 20) - 1);
	return -1;
}

/* ------------------------------------------------------------- checks */

/* A guest of that name must not be running or saved. */
static int check_existing(struct launch *l)
{
	char path[PATH_MAX];
	struct guest old;
	int ret, pid;

	if (guest_find(l->vq, l->name, l->g.m.dir[0] ? l->g.m.dir : NULL,
		       path, sizeof(path)))
		return 0;
	ret = guest_open(l->vq, path, true, &old);
	if (ret == -EBADMSG && !l->force) {
		vq_fail(l->vq, "%s (--force replaces it)", old.err);
		guest_close(&old);
		return EXIT_FAIL;
	}
	pid = ret ? 0 : guest_alive(&old.m);
	if (!ret && !strcmp(old.m.state, "saved"))
		ret = vq_fail(l->vq, "guest %s is saved (%s): resume it, or remove its files to start afresh",
			      l->name, path);
	else if (pid)
		ret = vq_fail(l->vq, "guest %s is running (QEMU pid %d)", l->name, pid);
	else if (!l->force)
		ret = vq_fail(l->vq, "guest %s exists and its QEMU exited (%s): --force starts it afresh, reusing its RAM file",
			      l->name, path);
	else
		ret = 0;
	guest_close(&old);
	return ret;
}

static int find_dir(struct launch *l)
{
	struct manifest *m = &l->g.m;
	const struct pool_mount *pick;
	struct pool_mount *mounts = NULL;
	const char *why = "";
	char *real;
	size_t n = 0, i;
	struct statfs sf;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (f) {
		mounts_parse(f, &mounts, &n);
		fclose(f);
	}
	if (l->dir) {
		real = realpath(l->dir, NULL);
		if (!real) {
			free(mounts);
			return vq_fail(l->vq, "--dir %s: %s", l->dir, strerror(errno));
		}
		snprintf(m->dir, sizeof(m->dir), "%s", real);
		free(real);
		for (i = 0; i < n; i++)
			if (!strcmp(mounts[i].dir, m->dir))
				snprintf(m->pool, sizeof(m->pool), "%s", mounts[i].pool);
	} else if (mounts_pick(mounts, n, l->pool, &pick, &why)) {
		free(mounts);
		return vq_fail(l->vq, "pool %s: %s", l->pool ? l->pool : "(default)", why);
	} else {
		snprintf(m->dir, sizeof(m->dir), "%s", pick->dir);
		snprintf(m->pool, sizeof(m->pool), "%s", pick->pool);
	}
	free(mounts);
	if (statfs(m->dir, &sf))
		return vq_fail(l->vq, "%s: %s", m->dir, strerror(errno));
	m->persistent = sf.f_type == VMPKRAMFS_MAGIC;
	if (!m->persistent)
		vq_warn(l->vq, "%s is not a vmpkramfs: guest %s's RAM survives a QEMU restart (save, resume) but not a kexec; update will refuse it",
			m->dir, l->name);
	return 0;
}

static int resolve_args(struct launch *l)
{
	static const char *const help_args[] = { "-machine", "help", NULL };
	struct qargs_in in = {
		.argv = l->qargv, .argc = l->qargc, .mem = l->mem,
		.ram_path = l->ram, .backend_id = VQ_BACKEND_ID,
		.allow_cpu_host = l->allow_cpu_host,
	};
	int i, ret;

	ret = qemu_binary(l->qemu ? l->qemu : "qemu-system-x86_64", l->bin,
			  sizeof(l->bin));
	if (ret)
		return vq_fail(l->vq, "QEMU %s: %s", l->qemu ? l->qemu :
			       "qemu-system-x86_64 (on PATH)", strerror(-ret));
	if (l->mem) {
		ret = qemu_capture(l->bin, help_args, l->vq->timeout_ms,
				   &l->machine_help);
		if (ret)
			return vq_fail(l->vq, "%s -machine help: %s%s%s", l->bin,
				       strerror(-ret), l->machine_help ? "\n" : "",
				       l->machine_help ? l->machine_help : "");
		in.machine_help = l->machine_help;
	}
	ret = qargs_resolve(&in, &l->qa);
	if (ret) {
		vq_fail(l->vq, "launch %s: %s", l->name, l->qa.error);
		return EXIT_USAGE;
	}
	for (i = 0; i < l->qa.nr_warnings; i++)
		vq_warn(l->vq, "%s", l->qa.warnings[i]);
	return 0;
}

static void fill_manifest(struct launch *l)
{
	struct manifest *m = &l->g.m;
	const struct qargs_out *qa = &l->qa;

	snprintf(m->name, sizeof(m->name), "%s", l->name);
	snprintf(m->state, sizeof(m->state), "running");
	snprintf(m->qemu_bin, sizeof(m->qemu_bin), "%s", l->bin);
	snprintf(m->machine_requested, sizeof(m->machine_requested), "%s",
		 qa->machine_requested);
	snprintf(m->machine_type, sizeof(m->machine_type), "%s",
		 qa->machine_type);
	snprintf(m->cpu, sizeof(m->cpu), "%s", qa->cpu);
	m->cpu_host = qa->cpu_host;
	snprintf(m->agent_path, sizeof(m->agent_path), "%s", qa->agent_path);
	m->prefault = l->prefault;
	if (l->mem) {
		m->ram_size = l->mem;
		snprintf(m->ram_file, sizeof(m->ram_file), "%s", l->name);
		snprintf(m->backend_id, sizeof(m->backend_id), "%s",
			 qa->backend_id);
		snprintf(m->state_file, sizeof(m->state_file), "%s" STATE_SUFFIX,
			 l->name);
		m->state_capacity = l->state_size;
	}
	/* The manifest owns the arguments from now on. */
	m->args = l->qa.args;
	memset(&l->qa.args, 0, sizeof(l->qa.args));
}

/* -------------------------------------------------------------- files */

/* Creates or resizes @path to @size; *@made when it did not exist. */
static int size_file(struct launch *l, const char *path, uint64_t size,
		     const char *what, bool *made)
{
	struct statfs sf;
	struct stat st;
	char free_text[32], want[32];
	int fd, ret = 0;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		*made = fd >= 0;
	}
	if (fd < 0)
		return vq_fail(l->vq, "%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st))
		ret = -errno;
	else if ((uint64_t)st.st_size != size && ftruncate(fd, size))
		ret = -errno;
	close(fd);
	if (!ret)
		return 0;
	size_text(size, want, sizeof(want));
	if (ret == -ENOSPC && !statfs(l->g.m.dir, &sf)) {
		size_text((uint64_t)sf.f_bavail * sf.f_bsize, free_text,
			  sizeof(free_text));
		return vq_fail(l->vq, "%s %s: no room for %s in %s (%s free)", what,
			       path, want, l->g.m.dir, free_text);
	}
	return vq_fail(l->vq, "%s %s: sizing it to %s: %s%s", what, path, want,
		       strerror(-ret), ret == -EROFS ?
		       " (the pool is sealed for a kexec: vmpkramctl kexec unload)" : "");
}

static int make_files(struct launch *l)
{
	struct guest *g = &l->g;
	char path[PATH_MAX + 16];
	int ret;

	if (l->mem) {
		ret = size_file(l, l->ram, l->mem, "RAM file", &l->made_ram);
		if (!ret)
			ret = size_file(l, l->state, l->state_size, "state file",
					&l->made_state);
		if (ret)
			return ret;
		snprintf(path, sizeof(path), "%s/%s" MANIFEST_SUFFIX, g->m.dir,
			 l->name);
	} else {
		snprintf(path, sizeof(path), "%s/manifest", g->run);
		unlink(path);
	}
	snprintf(g->path, sizeof(g->path), "%s", path);
	g->fd = manifest_create(path, &g->m, l->force);
	if (g->fd < 0)
		return vq_fail(l->vq, "manifest %s: %s%s", path, strerror(-g->fd),
			       g->fd == -EEXIST ? " (--force replaces it)" : "");
	l->made_manifest = true;
	if (flock(g->fd, LOCK_EX | LOCK_NB))
		return vq_fail(l->vq, "guest %s: another vmpkram-qemu is working on it",
			       l->name);
	if (!l->mem)
		return 0;
	/* RUN/NAME/manifest leads to it: status and resume look there. */
	snprintf(l->link, sizeof(l->link), "%s/manifest", g->run);
	unlink(l->link);
	if (symlink(path, l->link))
		return vq_fail(l->vq, "%s: %s", l->link, strerror(errno));
	l->made_link = true;
	return 0;
}

static void undo(struct launch *l)
{
	if (l->made_link)
		unlink(l->link);
	if (l->made_manifest)
		unlink(l->g.path);
	if (l->made_state)
		unlink(l->state);
	if (l->made_ram)
		unlink(l->ram);
}

/* --------------------------------------------------------------- run */

static int start(struct launch *l)
{
	const char *const paused[] = { "-S", NULL };
	struct guest *g = &l->g;
	int ret;

	ret = qemu_start(l->vq, g, l->bin, g->m.args.v,
			 l->prefault && !l->qa.paused ? paused : NULL);
	if (!ret)
		ret = mig_detect(l->vq, g);
	if (!ret && guest_set_process(&g->m, g->pid))
		ret = -ESRCH;
	if (ret) {
		if (ret == -ESRCH)
			snprintf(g->err, sizeof(g->err), "guest %s: QEMU (pid %d) is gone",
				 l->name, g->pid);
		vq_fail(l->vq, "%s", g->err);
		qemu_stop(l->vq, g);
		return EXIT_FAIL;
	}
	g->m.version = *qmp_version(g->q);
	g->m.t.launched = realtime_ns();
	if (guest_write(g)) {
		vq_fail(l->vq, "%s", g->err);
		qemu_stop(l->vq, g);
		return EXIT_FAIL;
	}
	return 0;
}

static int prefault(struct launch *l)
{
	struct guest *g = &l->g;
	uint64_t size = l->mem ? l->mem : l->qa.m_size;
	int ret;

	l->prefault_json = json_object_new_object();
	ret = vq_prefault(l->vq, g, size, l->prefault, l->prefault_json);
	if (ret) {
		vq_fail(l->vq, "%s", g->err);
		qemu_stop(l->vq, g);
		return EXIT_FAIL;
	}
	if (l->qa.paused)
		return 0;
	ret = qmp_execute(g->q, "cont", NULL, -1, l->vq->timeout_ms, NULL);
	if (ret) {
		vq_fail(l->vq, "guest %s: cont after the prefault: %s", l->name,
			qmp_error(g->q));
		qemu_stop(l->vq, g);
		return EXIT_FAIL;
	}
	return 0;
}

static void report(struct launch *l)
{
	struct manifest *m = &l->g.m;
	struct json_object *o;
	char ram[32], state[32];

	if (l->vq->json) {
		o = vq_guest_json(m, guest_state(m));
		if (l->prefault_json)
			json_object_object_add(o, "prefault",
					       json_object_get(l->prefault_json));
		vq_json_print(l->vq, o);
		return;
	}
	size_text(m->ram_size, ram, sizeof(ram));
	size_text(m->state_capacity, state, sizeof(state));
	vq_say(l->vq, "launched %s: QEMU %d.%d.%d, pid %d, log %s/log", m->name,
	       m->version.major, m->version.minor, m->version.micro, m->pid,
	       l->g.run);
	if (m->ram_size)
		vq_say(l->vq, "  RAM: %s in %s/%s%s%s%s\n  machine: %s%s%s%s\n  state file: %s reserved; save method: %s",
		       ram, m->dir, m->ram_file, m->pool[0] ? " (pool " : "",
		       m->pool, m->pool[0] ? ")" : m->persistent ? "" :
		       " (not a pool: does not survive a kexec)",
		       m->machine_type, m->machine_requested[0] ? " (from " : "",
		       m->machine_requested, m->machine_requested[0] ? ")" : "",
		       state, m->method);
	else
		vq_say(l->vq, "  RAM: as QEMU's arguments say (cannot be saved)");
}

static int run(struct launch *l)
{
	int ret;

	if (l->mem) {
		ret = find_dir(l);
		if (ret)
			return ret;
		snprintf(l->ram, sizeof(l->ram), "%s/%s", l->g.m.dir, l->name);
		snprintf(l->state, sizeof(l->state), "%s/%s" STATE_SUFFIX,
			 l->g.m.dir, l->name);
	}
	ret = check_existing(l);
	if (!ret)
		ret = resolve_args(l);
	if (ret)
		return ret;
	fill_manifest(l);
	if (guest_run_dir(l->vq, &l->g))
		return vq_fail(l->vq, "%s", l->g.err);
	if (!l->mem)
		snprintf(l->g.m.dir, sizeof(l->g.m.dir), "%s", l->g.run);
	ret = make_files(l);
	if (!ret)
		ret = start(l);
	if (!ret && l->prefault)
		ret = prefault(l);
	if (ret) {
		undo(l);
		return ret;
	}
	report(l);
	return 0;
}

int cmd_launch(struct vq *vq, const struct vq_cmd *cmd, int argc, char **argv)
{
	struct launch l = { .vq = vq, .cmd = cmd };
	int ret;

	guest_init(&l.g, vq);
	ret = parse_options(&l, argc, argv);
	if (ret < 0)
		ret = run(&l);
	free(l.machine_help);
	qargs_free(&l.qa);
	json_object_put(l.prefault_json);
	guest_close(&l.g);
	return ret;
}
