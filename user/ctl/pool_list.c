// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pools as an array, for the commands that show or walk them, and
 * their NAME argument.
 */
#include <errno.h>
#include <string.h>

#include "parse.h"
#include "vmpkramctl.h"

int ctl_pool_name_arg(struct ctl *ctl, const struct ctl_cmd *cmd,
		      const char *name)
{
	if (!parse_pool_name(name))
		return -1;
	return ctl_usage_error(ctl, cmd,
			       "invalid pool name '%s' (1 to %d characters of A-Z a-z 0-9 _ -)",
			       name, VMPKRAM_POOL_NAME_MAX);
}

int ctl_pool_args(struct ctl *ctl, const struct ctl_cmd *cmd,
		  const struct ctl_args *args, bool required,
		  const char **name)
{
	*name = NULL;
	if (!args->argc)
		return required ? ctl_usage_error(ctl, cmd, "no pool name given") :
				  -1;
	/* The table allows one argument: the parser refused more. */
	*name = args->argv[0];
	return ctl_pool_name_arg(ctl, cmd, *name);
}

static int add_pool(const struct vmpkram_pool *pool, void *arg)
{
	struct ctl_pools *pools = arg;
	struct vmpkram_pool *p;

	p = realloc(pools->pool, (pools->n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	pools->pool = p;
	pools->pool[pools->n++] = *pool;
	return 0;
}

/*
 * Pool @name, or every pool when it is NULL; the module must be loaded.
 * The library explains EPERM and EOPNOTSUPP itself.
 */
int ctl_pools_get(struct ctl *ctl, const char *what, const char *hint,
		  const char *name, struct ctl_pools *pools)
{
	struct vmpkram_pool pool = { .size = sizeof(pool) };
	int ret;

	memset(pools, 0, sizeof(*pools));
	if (name) {
		ret = vmpkram_pool_get(ctl->lib, name, &pool);
		if (!ret)
			ret = add_pool(&pool, pools);
	} else {
		ret = vmpkram_pool_list(ctl->lib, add_pool, pools);
	}
	if (ret < 0) {
		ctl_pools_free(pools);
		return ctl_fail(ctl, what, ret, hint);
	}
	return 0;
}

void ctl_pools_free(struct ctl_pools *pools)
{
	free(pools->pool);
	memset(pools, 0, sizeof(*pools));
}
