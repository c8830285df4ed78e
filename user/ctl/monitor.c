// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl monitor: prints events until --count, --timeout or a
 * SIGINT/SIGTERM, all of which end it with exit status 0; lost and
 * malformed events are warned about, and monitoring goes on.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "parse.h"
#include "vmpkramctl.h"

/* The longest --timeout whose milliseconds still fit in an int. */
#define TIMEOUT_MAX	(INT32_MAX / 1000)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* No SA_RESTART: the signal must interrupt the wait for events. */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void print_job_event(struct ctl *ctl, const struct vmpkram_job *job)
{
	struct json_object *obj;
	char text[256];

	if (ctl->json) {
		obj = ctl_job_json(job);
		json_object_object_add(obj, "event",
				       json_object_new_string("job"));
		ctl_json_print(obj);
		return;
	}
	ctl_job_text(job, text, sizeof(text));
	printf("%s\n", text);
	fflush(stdout);
}

static void print_pool_event(struct ctl *ctl,
			     const struct vmpkram_pool_ntf *ntf)
{
	struct json_object *obj;
	char text[512];

	if (ctl->json) {
		obj = json_object_new_object();
		json_object_object_add(obj, "event",
				       json_object_new_string("pool"));
		json_object_object_add(obj, "pool_event", json_object_new_string(
					ctl_pool_event(ntf->event)));
		json_object_object_add(obj, "pool", ctl_pool_json(&ntf->pool));
		/* Events do not carry it (any user may read them): null. */
		json_object_object_add(json_object_object_get(obj, "pool"),
				       "base", NULL);
		ctl_json_print(obj);
		return;
	}
	ctl_pool_line(&ntf->pool, false, text, sizeof(text));
	printf("pool %s: %s\n", ctl_pool_event(ntf->event), text);
	fflush(stdout);
}

static void print_event(struct ctl *ctl, const struct vmpkram_event *ev)
{
	const struct vmpkram_status *st = &ev->status;
	struct json_object *obj;
	char features[256];

	if (ev->type == VMPKRAM_EVENT_JOB) {
		print_job_event(ctl, &ev->job);
		return;
	}
	if (ev->type == VMPKRAM_EVENT_POOL) {
		print_pool_event(ctl, &ev->pool);
		return;
	}
	if (ctl->json) {
		obj = ctl_status_json(st);
		json_object_object_add(obj, "event",
				       json_object_new_string("status"));
		ctl_json_print(obj);
		return;
	}
	ctl_features_text(st->features, features, sizeof(features));
	printf("status: max-workers=%u workers-limit=%u pools=%u jobs=%u api-version=%u module-version=%s features=%s\n",
	       st->max_workers, st->workers_limit, st->nr_pools, st->nr_jobs,
	       st->api_version, st->module_version, features);
	fflush(stdout);
}

/*
 * Events the kernel dropped (a full receive queue) or that do not parse:
 * as ip monitor does, say so and go on.  A script reading --json gets a
 * "warning" object in the stream, so that it knows to read the state
 * again.
 */
static bool skippable(int error)
{
	return error == -ENOBUFS || error == -EBADMSG || error == -ENODATA ||
	       error == -ERANGE;
}

static void warn(struct ctl *ctl, int error)
{
	const char *msg = vmpkram_last_error(ctl->lib);
	struct json_object *obj;

	fprintf(stderr, PROG ": monitor: warning: %s\n", msg);
	if (!ctl->json)
		return;
	obj = json_object_new_object();
	json_object_object_add(obj, "event", json_object_new_string("warning"));
	json_object_object_add(obj, "errno", json_object_new_int(-error));
	json_object_object_add(obj, "message", json_object_new_string(msg));
	ctl_json_print(obj);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int monitor(struct ctl *ctl, uint32_t count, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	struct vmpkram_event ev = { .size = sizeof(ev) };
	uint32_t seen = 0;
	int ret, left;

	ret = ctl_require_module(ctl, "monitor");
	if (ret)
		return ret;
	ret = vmpkram_events_subscribe(ctl->lib);
	if (ret)
		return ctl_fail(ctl, "monitor", ret, NULL);

	catch_signals();
	while (!stop && (!count || seen < count)) {
		left = -1;
		if (deadline >= 0) {
			left = deadline - now_ms();
			if (left <= 0)
				break;
		}
		ret = vmpkram_events_next(ctl->lib, &ev, left);
		if (ret == -EINTR && stop)
			break;
		if (skippable(ret)) {
			warn(ctl, ret);
			continue;
		}
		if (ret < 0)
			return ctl_fail(ctl, "monitor", ret, NULL);
		if (ret > 0) {
			print_event(ctl, &ev);
			seen++;
		}
	}
	return EXIT_SUCCESS;
}

CMD(monitor)
{
	const char *c = ctl_opt(cmd, args, 'c'), *t = ctl_opt(cmd, args, 't');
	uint32_t count = 0, timeout;
	int timeout_ms = -1;

	if (c && parse_u32(c, 1, UINT32_MAX, &count))
		return ctl_usage_error(ctl, cmd,
				       "--count: '%s' is not a number from 1 to %u",
				       c, UINT32_MAX);
	if (t && parse_u32(t, 0, TIMEOUT_MAX, &timeout))
		return ctl_usage_error(ctl, cmd,
				       "--timeout: '%s' is not a number of seconds from 0 to %d",
				       t, TIMEOUT_MAX);
	if (t)
		timeout_ms = timeout * 1000;
	return monitor(ctl, count, timeout_ms);
}
