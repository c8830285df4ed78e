/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One multicast message -> struct vmpkram_event, unit tested on the host
 * with crafted messages and the event structs of older callers.
 */
#ifndef _LIBVMPKRAM_EVENTS_H_
#define _LIBVMPKRAM_EVENTS_H_

#include "libvmpkram.h"

struct nlmsghdr;

/*
 * Fills the caller's @ev (ev->size bytes, at least VMPKRAM_EVENT_SIZE_V1,
 * possibly an older and shorter struct) from @nlh, a message of the
 * vmpkram family @family.  Job and pool events reach only callers whose
 * struct has room for the first version of their struct; what follows is
 * cut to fit (the embedded struct's .size says how much arrived).
 * Returns 1 when an event was stored, 0 for a message to skip (another
 * family, an unknown event, a type the caller does not know), or -errno
 * for a malformed message.
 */
int vmpkram_event_from_msg(struct vmpkram_ctx *ctx, int family,
			   struct nlmsghdr *nlh, struct vmpkram_event *ev);

#endif /* _LIBVMPKRAM_EVENTS_H_ */
