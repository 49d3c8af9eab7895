/*
 * malloc.c: flmalloc_malloc, flmalloc_calloc, flmalloc_free,
 * flmalloc_usable_size, and the pointer validation every call taking a
 * pointer goes through.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

void *flmalloc_malloc(size_t size)
{
	/* Before anything else: a request whose block the thread cache may
	 * hold (an empty cache, e.g. before initialisation, just says no). */
	if (size <= FL_TCACHE_MAX_BLOCK - FL_BLOCK_OVERHEAD) {
		struct fl_block *c = fl_tcache_get(fl_block_size_for(size));
		if (c)
			return fl_payload(c);
	}
	fl_ensure_init();
	if (size >= FL_REQUEST_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	if (size >= fl_big_cutoff())
		return fl_big_alloc(size, FL_ALIGN);
	size_t need = fl_block_size_for(size);
	if (need <= FL_TCACHE_MAX_BLOCK && fl_state.tcache_count) {
		struct fl_block *r = fl_tcache_refill(need);
		if (r)
			return fl_payload(r);
	}
	bool held = fl_lock();
	struct fl_block *b = fl_heap_alloc(need);
	fl_unlock(held);
	if (!b) {
		errno = ENOMEM;
		return NULL;
	}
	return fl_payload(b);
}

void *flmalloc_calloc(size_t nmemb, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(nmemb, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	void *p = flmalloc_malloc(total);
	if (p && !(fl_block_of(p)->head & FL_BIG)) /* fresh mappings are zero */
		memset(p, 0, total);
	return p;
}

/* Whether b's header can be read.  A header inside one of the heap's
 * regions can (a handful of regions, walked under the lock); only other
 * pointers pay for a mincore probe (python-json made 2008 of them, one per
 * 400 events, before the walk). */
static bool header_mapped(const struct fl_block *b)
{
	bool held = fl_lock();
	bool in_region = fl_heap_contains(b);
	fl_unlock(held);
	return in_region || fl_os_is_mapped(b);
}

struct fl_block *fl_validate(void *p, const char *call, bool *held)
{
	fl_ensure_init();
	struct fl_block *b = fl_block_of(p);
	const char *err = NULL;
	*held = false;
	if ((uintptr_t)p % FL_ALIGN)
		err = "invalid pointer";
	else if ((uintptr_t)p % fl_state.page_size <= FL_ALIGN && !header_mapped(b))
		/* Big blocks' payloads sit at page offset 0 or 16 and free
		 * unmaps their header; a second free must not fault on it. */
		err = "double free or invalid pointer";
	else if (!fl_magic_ok(b))
		err = "invalid pointer";
	else if (b->head & FL_BIG)
		err = fl_big_validate(b);
	else {
		*held = fl_lock();
		err = fl_heap_validate(b);
	}
	if (err) {
		fl_unlock(*held);
		fl_error_misuse(call, err, p);
	}
	return b;
}

void fl_release(struct fl_block *b, bool held)
{
	if (b->head & FL_BIG) {
		fl_big_free(b);
		return;
	}
	fl_heap_free(b);
	fl_unlock(held);
}

/* The cheap part of fl_validate's checks of a heap block, for a block the
 * thread cache may take: its size when p is a small heap block in use,
 * else 0.
 * Pointers near a page start (where big payloads sit, whose header may be
 * unmapped) go the slow way, which probes the page first. */
static inline size_t cacheable(const void *p, const struct fl_block *b)
{
	uintptr_t in_page = (uintptr_t)p & (fl_state.page_size - 1);
	if ((uintptr_t)p % FL_ALIGN || in_page <= FL_ALIGN)
		return 0;
	/* Another thread may be flipping this head's PREV_INUSE bit (under
	 * the lock, coalescing our left neighbour): read it once, whole. */
	uint64_t head = __atomic_load_n(&b->head, __ATOMIC_RELAXED);
	if ((head >> FL_MAGIC_SHIFT) != FL_MAGIC || (head & (FL_INUSE | FL_BIG)) != FL_INUSE)
		return 0;
	size_t size = (size_t)(head & FL_SIZE_MASK);
	if (size > FL_TCACHE_MAX_BLOCK || size < FL_MIN_BLOCK)
		return 0;
	/* The right neighbour's head is not read here: it is another cache
	 * line, and reading it was a quarter of free's time on python-json
	 * (perf).  Its PREV_INUSE bit repeats what our own INUSE bit says,
	 * and glibc's tcache does not read the next chunk either; a free that
	 * misses the cache still gets the full check (fl_heap_validate). */
	return size;
}

/* Everything but the thread cache: kept out of line so the fast path
 * stays a handful of instructions without spills. */
__attribute__((noinline)) static void free_slow(void *p)
{
	int saved = errno;
	bool held;
	struct fl_block *b = fl_validate(p, "free", &held);
	fl_release(b, held);
	errno = saved;
}

void flmalloc_free(void *p)
{
	if (!p)
		return;
	struct fl_block *b = fl_block_of(p);
	size_t size = cacheable(p, b);
	if (size && fl_tcache_put(b, size))
		return;
	free_slow(p);
}

size_t fl_usable(const struct fl_block *b)
{
	return (b->head & FL_BIG) ? fl_big_usable(b) : fl_size(b) - FL_BLOCK_OVERHEAD;
}

size_t flmalloc_usable_size(void *p)
{
	if (!p)
		return 0;
	bool held;
	struct fl_block *b = fl_validate(p, "malloc_usable_size", &held);
	size_t n = fl_usable(b);
	fl_unlock(held);
	return n;
}
