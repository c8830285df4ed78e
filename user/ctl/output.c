// SPDX-License-Identifier: GPL-2.0-only
/*
 * Output shared by the subcommands: errors (text or JSON), usage, help,
 * and the status in both forms.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmpkramctl.h"

int ctl_lib(struct ctl *ctl)
{
	int ret;

	if (ctl->lib)
		return 0;
	ret = vmpkram_new(&ctl->lib);
	if (ret)
		return ctl_fail(ctl, "cannot initialise libvmpkram", ret, NULL);
	return 0;
}

static void json_error(int error, const char *message, const char *detail)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "errno", json_object_new_int(error));
	json_object_object_add(e, "message", json_object_new_string(message));
	if (detail)
		json_object_object_add(e, "detail",
				       json_object_new_string(detail));
	json_object_object_add(obj, "error", e);
	ctl_json_print(obj, JSON_C_TO_STRING_PLAIN);
}

/*
 * "vmpkramctl: WHAT: strerror (HINT)", then the library's explanation
 * (the kernel's extended ACK, or what the library was doing) when it adds
 * anything.  Returns the exit status for runtime errors.
 */
int ctl_fail(struct ctl *ctl, const char *what, int error, const char *hint)
{
	const char *detail = ctl->lib ? vmpkram_last_error(ctl->lib) : "";
	const char *reason = strerror(-error);
	char msg[512];

	if (!detail[0] || !strcmp(detail, reason))
		detail = NULL;
	snprintf(msg, sizeof(msg), "%s: %s%s%s%s", what, reason,
		 hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	if (ctl->json) {
		json_error(-error, msg, detail);
	} else {
		fprintf(stderr, PROG ": %s\n", msg);
		if (detail)
			fprintf(stderr, PROG ": %s: %s\n", what, detail);
	}
	return EXIT_FAILURE;
}

int ctl_usage_error(struct ctl *ctl, const struct ctl_cmd *cmd,
		    const char *format, ...)
{
	char msg[512];
	va_list args;
	int len;

	len = snprintf(msg, sizeof(msg), "%s: ", cmd->name);
	va_start(args, format);
	vsnprintf(msg + len, sizeof(msg) - len, format, args);
	va_end(args);

	if (ctl->json)
		json_error(EINVAL, msg, NULL);
	else
		fprintf(stderr, PROG ": %s\n", msg);
	fprintf(stderr, "Usage: " PROG " %s%s%s\nTry '" PROG " %s --help'.\n",
		cmd->name, cmd->args[0] ? " " : "", cmd->args, cmd->name);
	return EXIT_USAGE;
}

/* Reports getopt_long()'s '?' or ':' for the option at argv[optind - 1]. */
int ctl_bad_option(struct ctl *ctl, const struct ctl_cmd *cmd, char **argv,
		   int c)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		return ctl_usage_error(ctl, cmd, "option '%s' needs a value",
				       opt);
	if (optopt)
		return ctl_usage_error(ctl, cmd, "unknown option '-%c'",
				       optopt);
	return ctl_usage_error(ctl, cmd, "unknown option '%s'", opt);
}

int ctl_help(const struct ctl_cmd *cmd)
{
	printf("Usage: " PROG " [--json] %s%s%s\n\n%s\n", cmd->name,
	       cmd->args[0] ? " " : "", cmd->args, cmd->summary);
	if (cmd->help[0])
		printf("\n%s", cmd->help);
	return EXIT_SUCCESS;
}

/*
 * Option parsing for commands that take nothing but --help.  Returns -1
 * when the command should go on, else the exit status.
 */
int ctl_no_args(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
		char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (c != 'h')
			return ctl_bad_option(ctl, cmd, argv, c);
		return ctl_help(cmd);
	}
	if (optind < argc)
		return ctl_usage_error(ctl, cmd, "unexpected argument '%s'",
				       argv[optind]);
	return -1;
}

/* Nothing to say in text mode; JSON callers get the new state. */
int ctl_print_loaded(struct ctl *ctl, bool loaded)
{
	struct json_object *obj;

	if (!ctl->json)
		return EXIT_SUCCESS;
	obj = json_object_new_object();
	json_object_object_add(obj, "loaded", json_object_new_boolean(loaded));
	ctl_json_print(obj, JSON_C_TO_STRING_PLAIN);
	return EXIT_SUCCESS;
}

void ctl_json_print(struct json_object *obj, int flags)
{
	puts(json_object_to_json_string_ext(obj, flags |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(obj);
}

static const char *const feature_names[64] = {
	[0] = "netlink",	/* VMPKRAM_FEATURE_NETLINK */
};

static void feature_name(unsigned int bit, char *buf, size_t size)
{
	if (feature_names[bit])
		snprintf(buf, size, "%s", feature_names[bit]);
	else
		snprintf(buf, size, "bit%u", bit);
}

/* "netlink bit5", or "none" */
void ctl_features_text(uint64_t features, char *buf, size_t size)
{
	char name[16];
	size_t len = 0;
	unsigned int bit;

	snprintf(buf, size, "none");
	for (bit = 0; bit < 64; bit++) {
		if (!(features & (1ULL << bit)))
			continue;
		feature_name(bit, name, sizeof(name));
		len += snprintf(buf + len, len < size ? size - len : 0,
				"%s%s", len ? " " : "", name);
	}
}

struct json_object *ctl_status_json(const struct vmpkram_status *st)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *features = json_object_new_array();
	char name[16];
	unsigned int bit;

	for (bit = 0; bit < 64; bit++) {
		if (!(st->features & (1ULL << bit)))
			continue;
		feature_name(bit, name, sizeof(name));
		json_object_array_add(features, json_object_new_string(name));
	}
	json_object_object_add(obj, "api_version",
			       json_object_new_int64(st->api_version));
	json_object_object_add(obj, "module_version",
			       json_object_new_string(st->module_version));
	json_object_object_add(obj, "features", features);
	json_object_object_add(obj, "features_mask",
			       json_object_new_uint64(st->features));
	json_object_object_add(obj, "max_workers",
			       json_object_new_int64(st->max_workers));
	json_object_object_add(obj, "workers_limit",
			       json_object_new_int64(st->workers_limit));
	json_object_object_add(obj, "nr_pools",
			       json_object_new_int64(st->nr_pools));
	return obj;
}
