/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Crafted generic netlink messages for the host tests: a well-formed set
 * of attributes with one left out and others replaced or added, so each
 * validation rule of the library can be hit on its own.
 */
#ifndef VMPKRAM_TESTS_CRAFTED_H
#define VMPKRAM_TESTS_CRAFTED_H

#include <errno.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#define FAMILY	0x20	/* any id: the parsers do not look at it */

struct attr {
	int type;
	const void *data;
	int len;
};

/*
 * A message for @cmd with @base minus the attribute of type @drop and
 * minus those @extra replaces, then @extra.  NULL when out of memory.
 */
static inline struct nl_msg *crafted_msg(unsigned int cmd,
					 const struct attr *base, int nbase,
					 int drop, const struct attr *extra,
					 int n_extra)
{
	struct nl_msg *msg = nlmsg_alloc();
	int i, j, replaced;

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, FAMILY, 0, 0,
			 cmd, 1))
		goto fail;
	for (i = 0; i < nbase; i++) {
		replaced = 0;
		for (j = 0; j < n_extra; j++)
			replaced |= extra[j].type == base[i].type;
		if (base[i].type == drop || replaced)
			continue;
		if (nla_put(msg, base[i].type, base[i].len, base[i].data))
			goto fail;
	}
	for (j = 0; j < n_extra; j++)
		if (nla_put(msg, extra[j].type, extra[j].len, extra[j].data))
			goto fail;
	return msg;
fail:
	nlmsg_free(msg);
	return NULL;
}

#endif /* VMPKRAM_TESTS_CRAFTED_H */
