/* fltrace_pool.c: the bootstrap pool for allocations made during dlsym. */
#include "fltrace.h"

#include <stdatomic.h>

#define POOL_BYTES (256 * 1024)
#define POOL_HEADER 16 /* keeps the block's size just below it */

static _Alignas(4096) unsigned char pool[POOL_BYTES];
static _Atomic size_t pool_used;

void *fltrace_pool_alloc(size_t size, size_t align)
{
	if (align < POOL_HEADER)
		align = POOL_HEADER;
	if ((align & (align - 1)) || size > POOL_BYTES)
		return NULL;
	size_t used = atomic_load_explicit(&pool_used, memory_order_relaxed);
	for (;;) {
		size_t start = (used + POOL_HEADER + align - 1) & ~(align - 1);
		size_t end = start + ((size + 15) & ~(size_t)15);
		if (end > POOL_BYTES)
			return NULL;
		if (atomic_compare_exchange_weak(&pool_used, &used, end)) {
			*(size_t *)(pool + start - POOL_HEADER) = size;
			return pool + start;
		}
	}
}

int fltrace_pool_owns(const void *p)
{
	const unsigned char *c = p;
	return c >= pool && c < pool + POOL_BYTES;
}

size_t fltrace_pool_size(const void *p)
{
	return *(const size_t *)((const unsigned char *)p - POOL_HEADER);
}
