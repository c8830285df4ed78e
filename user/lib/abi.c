// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Size-first copies between the library's structs and the callers'.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "abi.h"

int vmpkram_sized_copy(void *dst, const void *src, size_t src_size,
		       size_t min)
{
	uint32_t size = *(uint32_t *)dst;

	if (size < min)
		return -EINVAL;
	/* An older caller's struct ends before the newer members. */
	memcpy(dst, src, size < src_size ? size : src_size);
	if (size > src_size)
		memset((char *)dst + src_size, 0, size - src_size);
	*(uint32_t *)dst = size;
	return 0;
}

int vmpkram_sized_copy_in(void *outer, size_t outer_size, size_t offset,
			  const void *src, size_t src_size, size_t min)
{
	size_t room = outer_size > offset ? outer_size - offset : 0;
	uint32_t *dst = (uint32_t *)((char *)outer + offset);

	if (room < min)
		return -EINVAL;
	*dst = room < src_size ? room : src_size;
	return vmpkram_sized_copy(dst, src, src_size, min);
}
