// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkram-qemu qmp NAME COMMAND [ARGUMENTS]: one QMP command to a guest's
 * QEMU through the shim's socket, its answer printed as JSON.  For
 * operators and tests (is the guest running? query-status).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "vq.h"

int cmd_qmp(struct vq *vq, const struct vq_cmd *cmd, int argc, char **argv)
{
	struct json_object *args = NULL, *ret = NULL;
	char path[PATH_MAX];
	struct guest g;
	int err;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return vq_help(cmd);
	if (argc < 3 || argc > 4)
		return vq_usage_error(vq, cmd, "give NAME, COMMAND and optionally its arguments");
	if (!guest_name_ok(argv[1]))
		return vq_usage_error(vq, cmd, "'%s' is not a guest name", argv[1]);
	if (argc == 4) {
		args = json_tokener_parse(argv[3]);
		if (!args || !json_object_is_type(args, json_type_object)) {
			json_object_put(args);
			return vq_usage_error(vq, cmd, "ARGUMENTS must be a JSON object");
		}
	}
	if (guest_find(vq, argv[1], NULL, path, sizeof(path))) {
		json_object_put(args);
		return vq_fail(vq, "no guest %s", argv[1]);
	}
	/* Read-only: the command needs no lock, and a busy guest answers. */
	err = guest_open(vq, path, true, &g);
	if (!err && !guest_alive(&g.m))
		err = vq_fail(vq, "guest %s: its QEMU is not running", argv[1]);
	else if (err)
		err = vq_fail(vq, "%s", g.err);
	if (!err && guest_connect(vq, &g))
		err = vq_fail(vq, "%s", g.err);
	if (err) {
		json_object_put(args);
		guest_close(&g);
		return EXIT_FAIL;
	}
	err = qmp_execute(g.q, argv[2], args, -1, vq->timeout_ms, &ret);
	if (err)
		err = vq_fail(vq, "guest %s: %s: %s", argv[1], argv[2],
			      qmp_error(g.q));
	else
		vq_json_print(vq, ret ? ret : json_object_new_object());
	guest_close(&g);
	return err ? EXIT_FAIL : 0;
}
