// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl status: never loads the module.  The generic netlink family
 * would autoload it when resolved, so the sysfs state is checked first.
 * Pools are shown one line each; pool status has the details.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmpkramctl.h"

struct jobs {
	struct vmpkram_job *job;
	size_t n;
	bool denied;		/* listing them needs CAP_SYS_ADMIN */
};

static int add_job(const struct vmpkram_job *job, void *arg)
{
	struct jobs *jobs = arg;
	struct vmpkram_job *j;

	j = realloc(jobs->job, (jobs->n + 1) * sizeof(*j));
	if (!j)
		return -ENOMEM;
	jobs->job = j;
	jobs->job[jobs->n++] = *job;
	return 0;
}

/*
 * The job list needs CAP_SYS_ADMIN; without it status shows the count
 * only, which is not an error.  Modules without the engine have no list.
 */
static int get_jobs(struct ctl *ctl, const struct vmpkram_status *st,
		    struct jobs *jobs)
{
	int ret;

	if (!(st->features & VMPKRAM_FEATURE_PREFAULT))
		return 0;
	ret = vmpkram_get_jobs(ctl->lib, add_job, jobs);
	jobs->denied = ret == -EPERM;
	if (ret < 0 && !jobs->denied)
		return ctl_fail(ctl, "status: jobs", ret, NULL);
	return 0;
}

struct pools {
	struct vmpkram_pool *pool;
	size_t n;
	bool denied;		/* listing them needs CAP_SYS_ADMIN */
};

static int add_pool(const struct vmpkram_pool *pool, void *arg)
{
	struct pools *pools = arg;
	struct vmpkram_pool *p;

	p = realloc(pools->pool, (pools->n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	pools->pool = p;
	pools->pool[pools->n++] = *pool;
	return 0;
}

/* As for jobs: the list needs CAP_SYS_ADMIN, the count does not. */
static int get_pools(struct ctl *ctl, const struct vmpkram_status *st,
		     struct pools *pools)
{
	int ret;

	if (!(st->features & VMPKRAM_FEATURE_POOL))
		return 0;
	ret = vmpkram_pool_list(ctl->lib, add_pool, pools);
	pools->denied = ret == -EPERM;
	if (ret < 0 && !pools->denied)
		return ctl_fail(ctl, "status: pools", ret, NULL);
	return 0;
}

static void print_pools(const struct vmpkram_status *st,
			const struct pools *pools)
{
	char text[512];
	size_t i;

	if (!st->nr_pools) {
		printf("  pools: none\n");
		return;
	}
	printf("  pools: %u%s\n", st->nr_pools, !pools->denied ? "" :
	       " (list them as root: needs CAP_SYS_ADMIN)");
	for (i = 0; i < pools->n; i++) {
		ctl_pool_line(&pools->pool[i], true, text, sizeof(text));
		printf("    %s\n", text);
	}
}

/* Pools an unprivileged caller may not list are null, not absent. */
static void add_pools_json(struct json_object *obj, const struct pools *pools)
{
	struct json_object *arr;
	size_t i;

	if (pools->denied) {
		json_object_object_add(obj, "pools", NULL);
		return;
	}
	arr = json_object_new_array();
	for (i = 0; i < pools->n; i++)
		json_object_array_add(arr, ctl_pool_json(&pools->pool[i]));
	json_object_object_add(obj, "pools", arr);
}

static void print_jobs(const struct vmpkram_status *st,
		       const struct jobs *jobs)
{
	char text[256];
	size_t i;

	printf("  jobs: %u running%s\n", st->nr_jobs,
	       !jobs->denied || !st->nr_jobs ? "" :
	       " (list them as root: needs CAP_SYS_ADMIN)");
	for (i = 0; i < jobs->n; i++) {
		ctl_job_text(&jobs->job[i], text, sizeof(text));
		printf("    %s\n", text);
	}
}

static void add_jobs_json(struct json_object *obj, const struct jobs *jobs)
{
	struct json_object *arr;
	size_t i;

	if (jobs->denied) {
		json_object_object_add(obj, "jobs", NULL);
		return;
	}
	arr = json_object_new_array();
	for (i = 0; i < jobs->n; i++)
		json_object_array_add(arr, ctl_job_json(&jobs->job[i]));
	json_object_object_add(obj, "jobs", arr);
}

static void print_text(const struct vmpkram_status *st)
{
	char features[256];

	ctl_features_text(st->features, features, sizeof(features));
	printf("module: vmpkram\n"
	       "  state: loaded\n"
	       "  version: %s\n"
	       "  api version: %u\n"
	       "  features: %s\n"
	       "  max workers: %u\n"
	       "  workers limit: %u\n"
	       "  faults: %llu of 4 KiB, %llu of 2 MiB, %llu of 1 GiB%s\n",
	       st->module_version, st->api_version, features,
	       st->max_workers, st->workers_limit,
	       (unsigned long long)st->faults_pte,
	       (unsigned long long)st->faults_pmd,
	       (unsigned long long)st->faults_pud,
	       st->features & VMPKRAM_FEATURE_MAP_1G ? "" :
	       " (no 1 GiB entries with this kernel)");
}

static void print_not_loaded(struct ctl *ctl)
{
	struct json_object *obj;

	if (!ctl->json) {
		printf("module: vmpkram\n  state: not loaded\n");
		return;
	}
	obj = json_object_new_object();
	json_object_object_add(obj, "loaded", json_object_new_boolean(0));
	ctl_json_print(obj);
}

CMD(status)
{
	struct vmpkram_status st = { .size = sizeof(st) };
	struct jobs jobs = { 0 };
	struct pools pools = { 0 };
	struct json_object *obj;
	int ret;

	(void)cmd;
	(void)args;
	ret = ctl_lib(ctl);
	if (ret)
		return ret;

	ret = vmpkram_module_is_loaded(ctl->lib);
	if (ret < 0)
		return ctl_fail(ctl, "status", ret, NULL);
	if (!ret) {
		print_not_loaded(ctl);
		return EXIT_SUCCESS;
	}

	ret = vmpkram_get_status(ctl->lib, &st);
	if (ret)
		return ctl_fail(ctl, "status", ret, NULL);
	ret = get_pools(ctl, &st, &pools);
	if (!ret)
		ret = get_jobs(ctl, &st, &jobs);
	if (ret)
		goto out;

	if (!ctl->json) {
		print_text(&st);
		print_pools(&st, &pools);
		print_jobs(&st, &jobs);
		goto out;
	}
	obj = ctl_status_json(&st);
	json_object_object_add(obj, "loaded", json_object_new_boolean(1));
	add_pools_json(obj, &pools);
	add_jobs_json(obj, &jobs);
	ctl_json_print(obj);
out:
	free(pools.pool);
	free(jobs.job);
	return ret;
}
