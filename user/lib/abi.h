/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sizes of the public structs as each library version first released
 * them, frozen: a program built against that version passes (or gets)
 * exactly that many bytes, whatever the library appends later.  Each is
 * offsetofend() of the last member that version had, never sizeof() of
 * today's struct.  Appending a member needs no change here; a new version
 * that callers must be able to rely on gets its own constant.  test-abi
 * checks these against copies of the released layouts.
 */
#ifndef _LIBVMPKRAM_ABI_H_
#define _LIBVMPKRAM_ABI_H_

#include <stddef.h>

#include "libvmpkram.h"

#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* struct vmpkram_status: LIBVMPKRAM_1; nr_jobs in LIBVMPKRAM_2 */
#define VMPKRAM_STATUS_SIZE_V1	offsetofend(struct vmpkram_status, module_version)
#define VMPKRAM_STATUS_SIZE_V2	offsetofend(struct vmpkram_status, __pad2)

/* struct vmpkram_job: LIBVMPKRAM_2 */
#define VMPKRAM_JOB_SIZE_V1	offsetofend(struct vmpkram_job, elapsed_ns)

/* struct vmpkram_pool: LIBVMPKRAM_3 (bad came after its release) */
#define VMPKRAM_POOL_SIZE_V1	offsetofend(struct vmpkram_pool, state_reason)

/* struct vmpkram_pool_report: LIBVMPKRAM_4 */
#define VMPKRAM_POOL_REPORT_SIZE_V1 \
	offsetofend(struct vmpkram_pool_report, files)

/* struct vmpkram_pool_ntf: LIBVMPKRAM_3 */
#define VMPKRAM_POOL_NTF_SIZE_V1 \
	(offsetof(struct vmpkram_pool_ntf, pool) + VMPKRAM_POOL_SIZE_V1)

/*
 * struct vmpkram_event as each release had it: the size of its struct
 * tells which event types a caller knows.  LIBVMPKRAM_1 held the first
 * status; LIBVMPKRAM_2 added jobs, but its largest member was the status
 * (a job is shorter than even the first status, so room for a job does
 * not tell a LIBVMPKRAM_2 caller from a LIBVMPKRAM_1 one); LIBVMPKRAM_3
 * added pool events.
 */
#define VMPKRAM_EVENT_SIZE_V1	(offsetof(struct vmpkram_event, status) + \
				 VMPKRAM_STATUS_SIZE_V1)
#define VMPKRAM_EVENT_SIZE_V2	(offsetof(struct vmpkram_event, status) + \
				 VMPKRAM_STATUS_SIZE_V2)
#define VMPKRAM_EVENT_SIZE_V3	(offsetof(struct vmpkram_event, pool) + \
				 VMPKRAM_POOL_NTF_SIZE_V1)
/* The smallest caller's struct that gets each type. */
#define VMPKRAM_EVENT_SIZE_JOB	VMPKRAM_EVENT_SIZE_V2
#define VMPKRAM_EVENT_SIZE_POOL	VMPKRAM_EVENT_SIZE_V3

/*
 * Copies the library's struct @src of @src_size bytes, which starts with
 * its uint32_t size, to the caller's size-first struct @dst of dst->size
 * bytes (at least @min): what both know, never past dst->size, zeroes
 * where the caller's struct is longer than the library's; dst->size is
 * kept.  0, or -EINVAL when dst->size is below @min.
 */
int vmpkram_sized_copy(void *dst, const void *src, size_t src_size,
		       size_t min);

/*
 * The same for a struct embedded at @offset in a caller's struct of
 * @outer_size bytes (an event): its size becomes what fits, at most
 * @src_size.  -EINVAL when less than @min fits.
 */
int vmpkram_sized_copy_in(void *outer, size_t outer_size, size_t offset,
			  const void *src, size_t src_size, size_t min);

#endif /* _LIBVMPKRAM_ABI_H_ */
