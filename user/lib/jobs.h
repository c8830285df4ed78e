/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Job attributes -> struct vmpkram_job, shared by the GET_JOBS dump and
 * the JOB_NTF event, and unit tested on the host.
 */
#ifndef _LIBVMPKRAM_JOBS_H_
#define _LIBVMPKRAM_JOBS_H_

#include <stddef.h>

#include "abi.h"
#include "libvmpkram.h"

struct nlattr;
struct nlmsghdr;

/* Largest errno a job may report (the kernel's MAX_ERRNO). */
#define VMPKRAM_JOB_ERRNO_MAX	4095

/*
 * Fills @job (all of it, size included) from @tb for a message of @cmd:
 * VMPKRAM_CMD_GET_JOBS requires VMPKRAM_A_JOB_ADDR, VMPKRAM_CMD_JOB_NTF
 * must not carry it (it would leak another process's layout).  Every
 * other job attribute is required with its exact length, except
 * VMPKRAM_A_JOB_ERROR (absent: 0), which a FAILED job must carry non-zero
 * and a RUNNING or DONE one must not.  Values must be in range, done at
 * most len, and addr + len must not wrap.  Returns 0, -ENODATA (missing),
 * -EBADMSG (malformed) or -ERANGE (out of range); @why, when not NULL,
 * gets the reason naming the attribute.
 */
int vmpkram_job_from_attrs(struct nlattr **tb, unsigned int cmd,
			   struct vmpkram_job *job, char *why,
			   size_t why_size);

/* The same from a whole generic netlink message carrying @cmd. */
int vmpkram_job_from_msg(struct nlmsghdr *nlh, unsigned int cmd,
			 struct vmpkram_job *job, char *why, size_t why_size);

#endif /* _LIBVMPKRAM_JOBS_H_ */
