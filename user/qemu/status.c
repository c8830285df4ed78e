// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkram-qemu status: every guest found (runtime directory, mounted
 * pools, --dir) with its state, QEMU, RAM, device state and last
 * downtime.  Reads the manifests without locking them: a manifest being
 * rewritten at that moment may be reported as unreadable.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vq.h"

#define ROW	"%-16s %-8s %7s %-8s %-10s %-10s %s"

static void print_row(struct vq *vq, const struct manifest *m)
{
	char ram[32], state[32], down[32] = "-", ver[32], pid[16] = "-";
	uint64_t upper, d = manifest_downtime(m, &upper);

	if (m->ram_size)
		size_text(m->ram_size, ram, sizeof(ram));
	else
		snprintf(ram, sizeof(ram), "(QEMU's)");
	if (m->state_size)
		size_text(m->state_size, state, sizeof(state));
	else
		snprintf(state, sizeof(state), "-");
	if (d)
		duration_text(d, down, sizeof(down));
	if (guest_alive(m))
		snprintf(pid, sizeof(pid), "%d", m->pid);
	snprintf(ver, sizeof(ver), "%d.%d.%d", m->version.major,
		 m->version.minor, m->version.micro);
	vq_say(vq, ROW, m->name, guest_state(m), pid, ver, ram, state, down);
}

int cmd_status(struct vq *vq, const struct vq_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct json_object *arr = json_object_new_array(), *o;
	struct strv paths = { 0 };
	const char *dir = NULL;
	struct manifest m;
	char err[512];
	int c, i, fd, ret;

	while ((c = getopt_long(argc, argv, ":d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			json_object_put(arr);
			return vq_help(cmd);
		default:
			json_object_put(arr);
			return vq_bad_option(vq, cmd, argv, c);
		}
	}
	if (optind < argc) {
		json_object_put(arr);
		return vq_usage_error(vq, cmd, "unexpected argument '%s'",
				      argv[optind]);
	}
	ret = guest_list(vq, dir, &paths);
	if (ret) {
		json_object_put(arr);
		return vq_fail(vq, "listing the guests: out of memory");
	}
	vq_say(vq, ROW, "NAME", "STATE", "PID", "QEMU", "RAM", "DEVSTATE",
	       "DOWNTIME");
	for (i = 0; i < paths.n; i++) {
		fd = manifest_open(paths.v[i], true, &m, err, sizeof(err));
		if (fd < 0) {
			vq_warn(vq, "%s: %s", paths.v[i],
				fd == -EBADMSG ? err : strerror(-fd));
			continue;
		}
		close(fd);
		o = vq_guest_json(&m, guest_state(&m));
		json_object_object_add(o, "manifest",
				       json_object_new_string(paths.v[i]));
		json_object_array_add(arr, o);
		print_row(vq, &m);
		manifest_free(&m);
	}
	strv_free(&paths);
	if (vq->json) {
		o = json_object_new_object();
		json_object_object_add(o, "guests", arr);
		vq_json_print(vq, o);
	} else {
		json_object_put(arr);
	}
	return 0;
}
