/*
 * trim.c: giving free memory back (FLMALLOC_KEEP).
 *
 * fl_state.free_page_bytes counts the whole pages inside free blocks that
 * may be resident.  When a free pushes it above FLMALLOC_KEEP, we release
 * until it is at most KEEP / 2: first the block just freed (a wholly free
 * region is unmapped, any other block has its span purged with madvise),
 * then, if that was not enough, every region in turn.  Going down to half
 * rather than to KEEP is the hysteresis: a program that frees and
 * reallocates around the threshold does not make a system call per free.
 * Each release pass frees at least KEEP / 2 bytes, which pays for its walk.
 */
#include "internal.h"

#define TRIM_LARGE_SPAN ((size_t)64 << 10)

/* b is free: the region it spans wholly, or NULL. */
static struct fl_region *whole_region_of(struct fl_block *b)
{
	struct fl_block *right = fl_right(b);
	if (fl_size(right) != 0)
		return NULL;
	struct fl_region *r = fl_sentinel_region(right);
	return fl_region_first(r) == b ? r : NULL;
}

/* Releases free memory region by region until at most `target` bytes of
 * free pages stay resident: a wholly free region is unmapped, any other
 * free block whose resident span reaches `min_span` is purged. */
static bool release_until(size_t target, size_t min_span, bool unmap_every_free_region)
{
	bool released = false;
	struct fl_region *next;
	for (struct fl_region *r = fl_state.regions; r; r = next) {
		next = r->next;
		bool over = fl_state.free_page_bytes > target;
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
		for (struct fl_block *b = first; b != sentinel && fl_state.free_page_bytes > target;
		     b = fl_right(b))
			if (!fl_is_inuse(b) && fl_heap_resident_span(b) >= min_span)
				released |= fl_heap_purge_block(b);
	}
	return released;
}

void fl_trim_after_free(struct fl_block *merged)
{
	(void)merged;
	if (fl_state.free_page_bytes <= fl_state.keep)
		return;
	/* Large spans first: fewer system calls for the same bytes. */
	size_t target = fl_state.keep / 2;
	release_until(target, TRIM_LARGE_SPAN, false);
	if (fl_state.free_page_bytes > target)
		release_until(target, 1, false);
}

bool fl_trim_explicit(size_t target)
{
	return release_until(target, 1, true);
}

int flmalloc_trim(size_t pad)
{
	fl_ensure_init();
	bool held = fl_lock();
	bool released = fl_trim_explicit(pad);
	fl_unlock(held);
	return released;
}
