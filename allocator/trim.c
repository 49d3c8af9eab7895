/*
 * trim.c: giving free memory back (FLMALLOC_KEEP).
 *
 * fl_state.free_large_bytes counts the resident whole pages held by free
 * blocks with at least FL_PURGE_MIN_SPAN (64 KiB) of them.  When a free
 * pushes it above FLMALLOC_KEEP, we walk the regions and release until it
 * is at most KEEP / 2: a wholly free region is unmapped, any other such
 * block has its span purged with madvise.  Going down to half rather than
 * to KEEP is the hysteresis: a program freeing and reallocating around the
 * threshold does not make a system call per free, and each walk releases
 * at least KEEP / 2 bytes, which pays for it.
 *
 * Smaller holes neither count nor get purged automatically: purging them
 * costs a system call per few pages (measured on traces/gen-phased: 1485
 * madvise calls, mostly for 1-4 page holes, where glibc made 158 brk
 * calls), and small holes are the ones soon reused.  flmalloc_trim purges
 * everything.
 */
#include "internal.h"

/* b is free: the region it spans wholly, or NULL. */
static struct fl_region *whole_region_of(struct fl_block *b)
{
	struct fl_block *right = fl_right(b);
	if (fl_size(right) != 0)
		return NULL;
	struct fl_region *r = fl_sentinel_region(right);
	return fl_region_first(r) == b ? r : NULL;
}

/* Releases free memory region by region until *counter is at most
 * `target`: a wholly free region is unmapped, any other free block whose
 * resident span reaches `min_span` is purged. */
static bool release_until(const uint64_t *counter, size_t target, size_t min_span,
			  bool unmap_every_free_region)
{
	bool released = false;
	struct fl_region *next;
	for (struct fl_region *r = fl_state.regions; r; r = next) {
		next = r->next;
		bool over = *counter > target;
		if (!over && !unmap_every_free_region)
			break;
		struct fl_block *first = fl_region_first(r);
		if (!fl_is_inuse(first) && whole_region_of(first)) {
			fl_heap_unmap_region(r);
			released = true;
			continue;
		}
		if (!over)
			continue;
		struct fl_block *sentinel = fl_region_sentinel(r);
		for (struct fl_block *b = first; b != sentinel && *counter > target; b = fl_right(b))
			if (!fl_is_inuse(b) && fl_heap_resident_span(b) >= min_span)
				released |= fl_heap_purge_block(b);
	}
	return released;
}

void fl_trim_after_free(void)
{
	size_t keep = __atomic_load_n(&fl_state.keep, __ATOMIC_RELAXED); /* big.c may raise it */
	if (fl_state.free_large_bytes > keep)
		release_until(&fl_state.free_large_bytes, keep / 2, FL_PURGE_MIN_SPAN, false);
}

bool fl_trim_explicit(size_t target)
{
	return release_until(&fl_state.free_page_bytes, target, 1, true);
}

int flmalloc_trim(size_t pad)
{
	fl_ensure_init();
	fl_tcache_flush(); /* the calling thread's cached blocks are free memory too */
	bool held = fl_lock();
	bool released = fl_trim_explicit(pad);
	fl_unlock(held);
	return released;
}
