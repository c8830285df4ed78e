/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the files that implement generic netlink commands: the family
 * lives in netlink.c, pool and file commands in pool_netlink.c and
 * file_netlink.c.
 */
#ifndef _VMPKRAM_NL_H
#define _VMPKRAM_NL_H

#include <net/genetlink.h>

#include "vmpkram.h"

void *vmpkram_genlmsg_put(struct sk_buff *skb, u32 portid, u32 seq, int flags,
			  u8 cmd);
void vmpkram_multicast(struct sk_buff *skb);

extern const struct nla_policy vmpkram_pool_name_policy[VMPKRAM_A_MAX + 1];
extern const struct nla_policy vmpkram_pool_attach_policy[VMPKRAM_A_MAX + 1];

int vmpkram_nl_admin_start(struct netlink_callback *cb);
int vmpkram_nl_pool_get(struct sk_buff *skb, struct genl_info *info);
int vmpkram_nl_pool_dump(struct sk_buff *skb, struct netlink_callback *cb);
int vmpkram_nl_pool_attach(struct sk_buff *skb, struct genl_info *info);
int vmpkram_nl_pool_detach(struct sk_buff *skb, struct genl_info *info);
int vmpkram_nl_pool_format(struct sk_buff *skb, struct genl_info *info);
int vmpkram_nl_pool_seal(struct sk_buff *skb, struct genl_info *info);
int vmpkram_nl_pool_unseal(struct sk_buff *skb, struct genl_info *info);
int vmpkram_nl_pool_check(struct sk_buff *skb, struct genl_info *info);
int vmpkram_nl_pool_repair(struct sk_buff *skb, struct genl_info *info);
int vmpkram_nl_files_dump(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _VMPKRAM_NL_H */
