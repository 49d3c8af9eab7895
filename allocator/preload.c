/*
 * preload.c: the standard names, for LD_PRELOAD=libflmalloc.so.  Each is a
 * thin call into the core's flmalloc_* API; mallopt is accepted and
 * ignored, mallinfo/mallinfo2 are filled from flmalloc_stats.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

#include "flmalloc.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT void *malloc(size_t size)
{
	return flmalloc_malloc(size);
}

EXPORT void free(void *ptr)
{
	flmalloc_free(ptr);
}

EXPORT void cfree(void *ptr)
{
	flmalloc_free(ptr);
}

EXPORT void *calloc(size_t nmemb, size_t size)
{
	return flmalloc_calloc(nmemb, size);
}

EXPORT void *realloc(void *ptr, size_t size)
{
	return flmalloc_realloc(ptr, size);
}

EXPORT void *reallocarray(void *ptr, size_t nmemb, size_t size)
{
	return flmalloc_reallocarray(ptr, nmemb, size);
}

EXPORT int posix_memalign(void **memptr, size_t alignment, size_t size)
{
	return flmalloc_posix_memalign(memptr, alignment, size);
}

EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
	return flmalloc_aligned_alloc(alignment, size);
}

EXPORT void *memalign(size_t alignment, size_t size)
{
	return flmalloc_memalign(alignment, size);
}

EXPORT void *valloc(size_t size)
{
	return flmalloc_valloc(size);
}

EXPORT void *pvalloc(size_t size)
{
	return flmalloc_pvalloc(size);
}

EXPORT size_t malloc_usable_size(void *ptr)
{
	return flmalloc_usable_size(ptr);
}

EXPORT int malloc_trim(size_t pad)
{
	return flmalloc_trim(pad);
}

/* Our tunables come from FLMALLOC_*; glibc's knobs do not apply.  Report
 * success so programs that set them (to tune glibc) carry on. */
EXPORT int mallopt(int param, int value)
{
	(void)param;
	(void)value;
	return 1;
}

EXPORT struct mallinfo2 mallinfo2(void)
{
	struct flmalloc_stats s;
	flmalloc_stats(&s);
	struct mallinfo2 mi = {0};
	mi.arena = s.bytes_mapped;
	mi.ordblks = 0;
	mi.hblks = s.big_blocks;
	mi.uordblks = s.bytes_in_use;
	mi.fordblks = s.bytes_free + s.bytes_cached;
	mi.keepcost = 0;
	return mi;
}

static int clamp_int(size_t v)
{
	return v > (size_t)__INT_MAX__ ? __INT_MAX__ : (int)v;
}

EXPORT struct mallinfo mallinfo(void)
{
	struct mallinfo2 m2 = mallinfo2();
	struct mallinfo mi = {0};
	mi.arena = clamp_int(m2.arena);
	mi.hblks = clamp_int(m2.hblks);
	mi.uordblks = clamp_int(m2.uordblks);
	mi.fordblks = clamp_int(m2.fordblks);
	return mi;
}
