/*
 * realloc.c: flmalloc_realloc and flmalloc_reallocarray.  A heap block
 * shrinks in place or grows into a free right neighbour, else slides down
 * into a free left neighbour (fl_heap_slide: no hole left behind, no new
 * memory touched); a big block grows or shrinks with mremap; anything else
 * moves (allocate, copy, free).
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

static void *realloc_move(void *p, struct fl_block *b, size_t size, bool held)
{
	size_t old = fl_usable(b);
	fl_unlock(held);
	void *q = flmalloc_malloc(size);
	if (!q)
		return NULL;
	memcpy(q, p, old < size ? old : size);
	fl_release(b, (b->head & FL_BIG) ? false : fl_lock());
	return q;
}

void *flmalloc_realloc(void *p, size_t size)
{
	if (!p)
		return flmalloc_malloc(size);
	bool held;
	struct fl_block *b = fl_validate(p, "realloc", &held);
	if (size == 0) {
		fl_release(b, held);
		return NULL;
	}
	if (size >= FL_REQUEST_MAX) {
		fl_unlock(held);
		errno = ENOMEM;
		return NULL;
	}
	bool big_wanted = size >= fl_big_cutoff();
	if (b->head & FL_BIG) {
		if (big_wanted)
			return fl_big_realloc(b, size);
		return realloc_move(p, b, size, held);
	}
	if (!big_wanted) {
		size_t need = fl_block_size_for(size);
		if (fl_heap_resize(b, need)) {
			fl_unlock(held);
			return p;
		}
		struct fl_block *slid = fl_heap_slide(b, need);
		if (slid) {
			fl_unlock(held);
			return fl_payload(slid);
		}
	}
	return realloc_move(p, b, size, held);
}

void *flmalloc_reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(nmemb, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return flmalloc_realloc(p, total);
}
