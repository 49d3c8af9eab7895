/*
 * trim.c: giving free memory back (FLMALLOC_KEEP).
 *
 * fl_state.free_large_bytes counts the resident whole pages held by free
 * blocks with at least FL_PURGE_MIN_SPAN (64 KiB) of them.  When a free
 * pushes it above FLMALLOC_KEEP, we release until it is at most KEEP / 2,
 * the blocks with the most resident pages first: a wholly free region is
 * unmapped, any other such block has its span purged with madvise.  Going
 * down to half rather than to KEEP is the hysteresis: a program freeing and
 * reallocating around the threshold does not make a system call per free,
 * and each trim releases at least KEEP / 2 bytes, which pays for it.
 *
 * Largest first, because the largest free blocks are the ones best fit
 * hands out last (a region's untouched tail above all, like glibc trimming
 * only its top), so their pages are the least likely to be faulted straight
 * back in, and because it reaches the target in the fewest calls: on
 * `fraglab gen big` seeds 3, 4, 5, 7 and 8, region and address order made
 * 5, 9, 7, 11 and 20 madvise calls, largest first 1, 1, 2, 3 and 3 (seed 8:
 * 28 syscalls in all against glibc's 17, and 62,902 page faults against
 * 35,653).
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

/* Candidates for one pass of release_largest_until: the free blocks with
 * the most resident span, largest first. */
#define TRIM_PICKS 16

struct trim_pick {
	struct fl_block *block;
	size_t span;
};

/* Fills picks[] with up to TRIM_PICKS free blocks holding at least
 * min_span resident bytes of whole pages, largest first; returns how many.
 * One walk over every block of every region. */
static size_t pick_largest(struct trim_pick picks[TRIM_PICKS], size_t min_span)
{
	size_t n = 0;
	for (struct fl_region *r = fl_state.regions; r; r = r->next) {
		struct fl_block *sentinel = fl_region_sentinel(r);
		for (struct fl_block *b = fl_region_first(r); b != sentinel; b = fl_right(b)) {
			if (fl_is_inuse(b))
				continue;
			size_t span = fl_heap_resident_span(b);
			if (span < min_span || (n == TRIM_PICKS && span <= picks[n - 1].span))
				continue;
			size_t i = n < TRIM_PICKS ? n++ : n - 1; /* the smallest pick drops out */
			for (; i > 0 && picks[i - 1].span < span; i--)
				picks[i] = picks[i - 1];
			picks[i] = (struct trim_pick){b, span};
		}
	}
	return n;
}

/* Releases the free blocks with the most resident span first until
 * *counter is at most `target`: a block spanning its whole region unmaps
 * the region, any other is purged.  Purging changes no block boundary and
 * unmapping a region removes only its one block, so the picks of a walk
 * stay valid while they are used up. */
static void release_largest_until(const uint64_t *counter, size_t target, size_t min_span)
{
	struct trim_pick picks[TRIM_PICKS];
	while (*counter > target) {
		size_t n = pick_largest(picks, min_span);
		if (n == 0)
			return;
		for (size_t i = 0; i < n && *counter > target; i++) {
			struct fl_region *whole = whole_region_of(picks[i].block);
			if (whole)
				fl_heap_unmap_region(whole);
			else
				fl_heap_purge_block(picks[i].block);
		}
	}
}

void fl_trim_after_free(void)
{
	size_t keep = __atomic_load_n(&fl_state.keep, __ATOMIC_RELAXED); /* big.c may raise it */
	if (fl_state.free_large_bytes > keep)
		release_largest_until(&fl_state.free_large_bytes, keep / 2, FL_PURGE_MIN_SPAN);
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
