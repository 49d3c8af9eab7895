/*
 * memalign.c: the aligned allocation family, with glibc's argument rules:
 *   posix_memalign  EINVAL unless alignment is a power of two multiple of
 *                   sizeof(void *); returns the error, never touches
 *                   *memptr on failure, leaves errno alone;
 *   aligned_alloc   EINVAL unless alignment is a power of two;
 *   memalign        rounds a non-power-of-two alignment up to one, EINVAL
 *                   only above SIZE_MAX / 2 + 1;
 *   valloc          page alignment; pvalloc also rounds the size up to pages.
 */
#include <errno.h>

#include "internal.h"

static bool is_pow2(size_t a)
{
	return a && !(a & (a - 1));
}

/* align is a power of two. */
static void *aligned_alloc_pow2(size_t align, size_t size)
{
	if (align <= FL_ALIGN)
		return flmalloc_malloc(size);
	fl_ensure_init();
	if (size >= FL_REQUEST_MAX || align >= FL_REQUEST_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	if (size + align >= fl_big_cutoff())
		return fl_big_alloc(size, align);
	bool held = fl_lock();
	struct fl_block *b = fl_heap_alloc_aligned(fl_block_size_for(size), align);
	fl_unlock(held);
	if (!b) {
		errno = ENOMEM;
		return NULL;
	}
	return fl_payload(b);
}

int flmalloc_posix_memalign(void **memptr, size_t alignment, size_t size)
{
	if (!is_pow2(alignment) || alignment % sizeof(void *))
		return EINVAL;
	int saved = errno;
	void *p = aligned_alloc_pow2(alignment, size);
	errno = saved;
	if (!p)
		return ENOMEM;
	*memptr = p;
	return 0;
}

void *flmalloc_aligned_alloc(size_t alignment, size_t size)
{
	if (!is_pow2(alignment)) {
		errno = EINVAL;
		return NULL;
	}
	return aligned_alloc_pow2(alignment, size);
}

void *flmalloc_memalign(size_t alignment, size_t size)
{
	if (alignment > SIZE_MAX / 2 + 1) {
		errno = EINVAL;
		return NULL;
	}
	size_t a = FL_ALIGN;
	while (a < alignment)
		a <<= 1;
	return aligned_alloc_pow2(a, size);
}

void *flmalloc_valloc(size_t size)
{
	fl_ensure_init();
	return aligned_alloc_pow2(fl_state.page_size, size);
}

void *flmalloc_pvalloc(size_t size)
{
	fl_ensure_init();
	size_t page = fl_state.page_size;
	if (size >= FL_REQUEST_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	return aligned_alloc_pow2(page, fl_align_up(size, page));
}
