/*
 * heap.c: regions and their blocks: growing the heap, splitting, immediate
 * coalescing through boundary tags, resizing in place, and the free-space
 * accounting that FLMALLOC_KEEP works from.  The policy only keeps lists;
 * every block state change happens here.  Callers hold the heap lock.
 *
 * Every block entering the lists goes through list_insert or
 * replace_finish, every block leaving through fl_heap_list_remove or
 * replace_begin, so heap_free, free_page_bytes, free_large_bytes and
 * purged_bytes always equal the sums over listed blocks (flmalloc_check_heap verifies this).
 */
#include <string.h>

#include "internal.h"

struct fl_state fl_state;

static uintptr_t page_down(uintptr_t a)
{
	return a & ~(uintptr_t)(fl_state.page_size - 1);
}

bool fl_heap_span(const struct fl_block *b, uintptr_t *lo, uintptr_t *hi)
{
	/* Most free blocks are too small to hold a whole page past their
	 * cells: say so before any address arithmetic (this runs for every
	 * block entering or leaving the lists). */
	if (fl_size(b) < fl_state.page_size + FL_SPAN_START) {
		*lo = *hi = 0;
		return false;
	}
	uintptr_t start = page_down((uintptr_t)b + FL_SPAN_START + fl_state.page_size - 1);
	uintptr_t end = page_down((uintptr_t)b + fl_size(b));
	*lo = start;
	*hi = end;
	return end > start;
}

static struct fl_purged *purged_cells(struct fl_block *b)
{
	return (struct fl_purged *)((char *)b + FL_PURGED_CELLS_AT);
}

/* The purged part of b's span (empty when b has no span). */
static struct fl_purged purged_get(struct fl_block *b)
{
	uintptr_t lo, hi;
	if (!fl_heap_span(b, &lo, &hi))
		return (struct fl_purged){0, 0};
	return *purged_cells(b);
}

static void account_pages(struct fl_block *b, int sign);

/* Adds (sign > 0) or removes free block b's bytes to the free counters.
 * Blocks without a whole page past their cells (most of them) only move
 * heap_free; that case is inline, the page arithmetic is not. */
static inline void account(struct fl_block *b, int sign)
{
	size_t size = fl_size(b);
	if (__builtin_expect(size < fl_state.page_size + FL_SPAN_START, 1)) {
		fl_state.heap_free += sign > 0 ? size : -size;
		return;
	}
	account_pages(b, sign);
}

__attribute__((noinline)) static void account_pages(struct fl_block *b, int sign)
{
	uintptr_t lo, hi;
	uint64_t span = 0, purged = 0;
	if (fl_heap_span(b, &lo, &hi)) {
		const struct fl_purged *p = purged_cells(b);
		span = hi - lo;
		purged = p->hi - p->lo;
	}
	uint64_t resident = span - purged;
	uint64_t large = resident >= FL_PURGE_MIN_SPAN ? resident : 0;
	if (sign > 0) {
		fl_state.heap_free += fl_size(b);
		fl_state.free_page_bytes += resident;
		fl_state.free_large_bytes += large;
		fl_state.purged_bytes += purged;
	} else {
		fl_state.heap_free -= fl_size(b);
		fl_state.free_page_bytes -= resident;
		fl_state.free_large_bytes -= large;
		fl_state.purged_bytes -= purged;
	}
}

/* Makes b a free block of `size` (not listed yet): head, footer, the right
 * neighbour's PREV_INUSE bit, and the purged cells, keeping of `purged`
 * only what lies inside b's new span. */
static void set_free(struct fl_block *b, size_t size, uint64_t prev_inuse, struct fl_purged purged)
{
	b->head = fl_make_head(size, prev_inuse);
	struct fl_block *r = fl_right(b);
	r->prev_size = size;
	r->head &= ~FL_PREV_INUSE;
	uintptr_t lo, hi;
	if (fl_heap_span(b, &lo, &hi)) {
		if (purged.lo < lo)
			purged.lo = lo;
		if (purged.hi > hi)
			purged.hi = hi;
		if (purged.hi <= purged.lo)
			purged.lo = purged.hi = lo;
		*purged_cells(b) = purged;
	}
}

static void set_inuse(struct fl_block *b, size_t size, uint64_t prev_inuse)
{
	b->head = fl_make_head(size, FL_INUSE | prev_inuse);
	fl_right(b)->head |= FL_PREV_INUSE;
}

static void list_insert(struct fl_block *b)
{
	account(b, +1);
	fl_state.policy->insert(b);
}

void fl_heap_list_remove(struct fl_block *b)
{
	account(b, -1);
	fl_state.policy->remove(b);
}

/* A block about to be replaced on the lists: unaccounts it (while its head
 * is intact) and returns its size for the policy. */
static size_t replace_begin(struct fl_block *old)
{
	account(old, -1);
	return fl_size(old);
}

static void replace_finish(struct fl_block *old, size_t old_size, struct fl_block *nb)
{
	account(nb, +1);
	fl_state.policy->replace(old, old_size, nb);
}

/* The larger of two purged ranges (the other one is forgotten: its pages
 * count as resident until a trim purges them again). */
static struct fl_purged purged_larger(struct fl_purged a, struct fl_purged b)
{
	return b.hi - b.lo > a.hi - a.lo ? b : a;
}

/* The smallest region that holds a block of `need`. */
static size_t region_least(size_t need)
{
	return fl_align_up(need + FL_REGION_HEAD + FL_REGION_TAIL, fl_state.page_size);
}

/* Region size for a block of `need`: half the heap mapped so far (so the
 * number of regions grows logarithmically), within the policy's bounds
 * (internal.h: seg's regions are large, the classic policies' small), and
 * at least what `need` takes. */
static size_t region_size_for(size_t need)
{
	bool seg = fl_state.policy == &fl_policy_seg;
	size_t least_region = seg ? FL_REGION_MIN_SEG : FL_REGION_MIN;
	size_t most_region = seg ? FL_REGION_MAX_SEG : FL_REGION_MAX;
	size_t target = (size_t)(fl_state.heap_mapped / 2);
	if (target < least_region)
		target = least_region;
	if (target > most_region)
		target = most_region;
	size_t least = region_least(need);
	return least > target ? least : fl_align_up(target, fl_state.page_size);
}

/* Maps a region; returns its single free block, not yet listed. */
static struct fl_block *grow(size_t need)
{
	size_t size = region_size_for(need);
	struct fl_region *r = fl_os_map(size);
	if (!r && region_least(need) < size) {
		/* The address space refused a whole region (RLIMIT_AS, say):
		 * what this request needs may still fit. */
		size = region_least(need);
		r = fl_os_map(size);
	}
	if (!r)
		return NULL;
	r->size = size;
	r->magic = FL_MAGIC;
	r->prev = NULL;
	r->next = fl_state.regions;
	if (r->next)
		r->next->prev = r;
	fl_state.regions = r;
	fl_state.heap_mapped += size;
	fl_state.region_count++;

	struct fl_block *sentinel = fl_region_sentinel(r);
	sentinel->head = fl_make_head(0, FL_INUSE);
	sentinel->next = (struct fl_block *)r;
	struct fl_block *b = fl_region_first(r);
	/* Fresh pages are untouched: the whole span counts as not resident. */
	set_free(b, size - FL_REGION_HEAD - FL_REGION_TAIL, FL_PREV_INUSE,
		 (struct fl_purged){0, UINTPTR_MAX});
	return b;
}

/* Hands out the first `need` bytes of free block b (listed or not); the
 * rest, if it can be a block, stays free in b's place. */
static void take(struct fl_block *b, size_t need, bool listed)
{
	size_t size = fl_size(b);
	uint64_t prev = b->head & FL_PREV_INUSE;
	if (size - need >= FL_MIN_BLOCK) {
		struct fl_purged purged = purged_get(b);
		size_t old_size = listed ? replace_begin(b) : 0;
		struct fl_block *rest = (struct fl_block *)((char *)b + need);
		b->head = fl_make_head(need, FL_INUSE | prev);
		set_free(rest, size - need, FL_PREV_INUSE, purged);
		if (listed)
			replace_finish(b, old_size, rest);
		else
			list_insert(rest);
	} else {
		if (listed)
			fl_heap_list_remove(b);
		set_inuse(b, size, prev);
	}
	fl_state.heap_in_use += fl_size(b);
}

/* Whether the heap would grow for a request that the policy answered
 * with b: a new region (b == NULL), or a cut from a region's free tail,
 * memory no request has used since the region was mapped or since the tail
 * last coalesced.  (Asking instead whether the cut reaches pages not
 * resident yet flushed less often but peaked 1% higher on the corpus and
 * ran 2% more instructions on python-json: docs/profiling.md.) */
static bool heap_would_grow(const struct fl_block *b)
{
	return !b || fl_size(fl_right(b)) == 0;
}

/* The policy's block for `need`; before the heap grows for it, the calling
 * thread's cache gives its blocks back (they coalesce), and the policy is
 * asked again: cached memory never makes the heap grow. */
static struct fl_block *heap_find(size_t need)
{
	struct fl_block *b = fl_state.policy->find(need);
	if (fl_tcache.bytes >= FL_TCACHE_CONSOLIDATE_MIN && heap_would_grow(b)) {
		fl_tcache_flush_locked();
		b = fl_state.policy->find(need);
	}
	return b;
}

struct fl_block *fl_heap_alloc(size_t need)
{
	struct fl_block *b = heap_find(need);
	bool listed = b != NULL;
	if (!b && !(b = grow(need)))
		return NULL;
	take(b, need, listed);
	return b;
}

struct fl_block *fl_heap_alloc_run(size_t need, size_t most, size_t *count)
{
	struct fl_block *b = heap_find(need);
	bool listed = b != NULL;
	if (!b && !(b = grow(need)))
		return NULL;
	/* b is the best fit: no free block has a size in [need, size of b).
	 * Once `need` is cut from its front, what is left is the best fit for
	 * the next request of this size again, and so on: the next requests
	 * would be cut from here one after the other, so cut them now. */
	size_t n = fl_size(b) / need;
	if (n > most)
		n = most;
	take(b, n * need, listed);
	*count = n;
	return b;
}

struct fl_block *fl_heap_alloc_aligned(size_t need, size_t align)
{
	/* Room for the block, the worst misalignment, and a leading free
	 * block of at least FL_MIN_BLOCK when the misalignment is smaller. */
	struct fl_block *b = fl_heap_alloc(need + align + FL_MIN_BLOCK);
	if (!b)
		return NULL;
	uintptr_t user = (uintptr_t)fl_payload(b);
	uintptr_t aligned = fl_align_up(user, align);
	if (aligned != user) {
		if (aligned - user < FL_MIN_BLOCK)
			aligned += align;
		size_t lead = aligned - user;
		size_t size = fl_size(b);
		uint64_t prev = b->head & FL_PREV_INUSE;
		struct fl_block *nb = (struct fl_block *)((char *)b + lead);
		fl_state.heap_in_use -= lead;
		nb->head = fl_make_head(size - lead, FL_INUSE);
		/* b's left neighbour is in use (b began where a free block or a
		 * region began), and nb is in use: the lead needs no coalescing. */
		set_free(b, lead, prev, (struct fl_purged){0, 0});
		list_insert(b);
		b = nb;
	}
	fl_heap_resize(b, need);
	return b;
}

void fl_heap_free(struct fl_block *b)
{
	size_t size = fl_size(b);
	fl_state.heap_in_use -= size;
	struct fl_block *r = fl_right(b);
	bool right_free = !fl_is_inuse(r);
	if (!(b->head & FL_PREV_INUSE)) {
		struct fl_block *l = fl_left(b);
		struct fl_purged purged = purged_get(l);
		size_t l_size = replace_begin(l);
		size_t total = l_size + size;
		if (right_free) {
			purged = purged_larger(purged, purged_get(r));
			total += fl_size(r);
			fl_heap_list_remove(r);
			r->head = FL_HEAD_ABSORBED;
		}
		b->head = FL_HEAD_ABSORBED;
		set_free(l, total, l->head & FL_PREV_INUSE, purged);
		replace_finish(l, l_size, l);
	} else if (right_free) {
		struct fl_purged purged = purged_get(r);
		size_t r_size = replace_begin(r);
		/* Scrub r's head before b's purged cells (b+32, b+40) may land
		 * on it; the policy reads only r's list cells, which b's
		 * writes cannot reach. */
		r->head = FL_HEAD_ABSORBED;
		set_free(b, size + r_size, b->head & FL_PREV_INUSE, purged);
		replace_finish(r, r_size, b);
	} else {
		set_free(b, size, b->head & FL_PREV_INUSE, (struct fl_purged){0, 0});
		list_insert(b);
	}
	fl_trim_after_free();
}

bool fl_heap_resize(struct fl_block *b, size_t need)
{
	size_t size = fl_size(b);
	uint64_t prev = b->head & FL_PREV_INUSE;
	if (need <= size) {
		if (size - need < FL_MIN_BLOCK)
			return true;
		/* Cut the tail off as an in-use block, then free it: that
		 * coalesces it with a free right neighbour. */
		struct fl_block *tail = (struct fl_block *)((char *)b + need);
		b->head = fl_make_head(need, FL_INUSE | prev);
		tail->head = fl_make_head(size - need, FL_INUSE | FL_PREV_INUSE);
		/* heap_in_use still counts the tail; freeing it uncounts it. */
		fl_heap_free(tail);
		return true;
	}
	struct fl_block *r = fl_right(b);
	if (fl_is_inuse(r) || size + fl_size(r) < need)
		return false;
	size_t total = size + fl_size(r);
	if (total - need >= FL_MIN_BLOCK) {
		/* rest may start as little as 16 bytes into r, so writing its
		 * head can clobber r's list or tree links: take r off the lists
		 * first, then list rest as a new block. */
		struct fl_purged purged = purged_get(r);
		fl_heap_list_remove(r);
		r->head = FL_HEAD_ABSORBED;
		struct fl_block *rest = (struct fl_block *)((char *)b + need);
		b->head = fl_make_head(need, FL_INUSE | prev);
		set_free(rest, total - need, FL_PREV_INUSE, purged);
		list_insert(rest);
	} else {
		fl_heap_list_remove(r);
		r->head = FL_HEAD_ABSORBED;
		set_inuse(b, total, prev);
	}
	fl_state.heap_in_use += fl_size(b) - size;
	return true;
}

/* Growth that takes in the free left neighbour: b (in use, its left
 * neighbour free) becomes a block of `need` at the left neighbour's
 * address, its data moved down, with the free right neighbour taken in too
 * when needed; what is left over stays free on the right.  A realloc that
 * cannot grow in place would otherwise move, leaving b's bytes as a hole
 * and touching memory elsewhere; sliding reuses the hole on its left
 * (already resident) and leaves none.  NULL when the neighbours do not add
 * up to `need`. */
struct fl_block *fl_heap_slide(struct fl_block *b, size_t need)
{
	if (b->head & FL_PREV_INUSE)
		return NULL;
	size_t size = fl_size(b);
	struct fl_block *l = fl_left(b), *r = fl_right(b);
	bool right_free = !fl_is_inuse(r);
	size_t total = fl_size(l) + size + (right_free ? fl_size(r) : 0);
	if (total < need)
		return NULL;
	/* Read the purged ranges while both heads are intact; set_free keeps
	 * of them only what lies inside the leftover's span, which starts
	 * past everything the memmove writes (need > size). */
	struct fl_purged purged = purged_get(l);
	if (right_free)
		purged = purged_larger(purged, purged_get(r));
	uint64_t prev = l->head & FL_PREV_INUSE;
	fl_heap_list_remove(l); /* before the move overwrites its list cells */
	if (right_free) {
		fl_heap_list_remove(r);
		r->head = FL_HEAD_ABSORBED;
	}
	memmove(fl_payload(l), fl_payload(b), size - FL_BLOCK_OVERHEAD);
	fl_state.heap_in_use -= size;
	if (total - need >= FL_MIN_BLOCK) {
		struct fl_block *rest = (struct fl_block *)((char *)l + need);
		l->head = fl_make_head(need, FL_INUSE | prev);
		set_free(rest, total - need, FL_PREV_INUSE, purged);
		list_insert(rest);
	} else {
		set_inuse(l, total, prev);
	}
	fl_state.heap_in_use += fl_size(l);
	return l;
}

bool fl_heap_contains(const void *p)
{
	for (struct fl_region *r = fl_state.regions; r; r = r->next)
		if ((const char *)p >= (const char *)r && (const char *)p < (const char *)r + r->size)
			return true;
	return false;
}

const char *fl_heap_validate(const struct fl_block *b)
{
	if (!fl_is_inuse(b) || fl_tcache_holds(b))
		return "double free or invalid pointer";
	if (fl_size(b) < FL_MIN_BLOCK || fl_size(b) >= fl_state.heap_mapped)
		return "invalid pointer";
	const struct fl_block *r = fl_right(b);
	if (!fl_magic_ok(r) || !(r->head & FL_PREV_INUSE))
		return "invalid pointer or corrupted heap";
	return NULL;
}

size_t fl_heap_resident_span(struct fl_block *b)
{
	uintptr_t lo, hi;
	if (!fl_heap_span(b, &lo, &hi))
		return 0;
	struct fl_purged p = *purged_cells(b);
	return (size_t)((hi - lo) - (p.hi - p.lo));
}

bool fl_heap_purge_block(struct fl_block *b)
{
	uintptr_t lo, hi;
	if (!fl_heap_span(b, &lo, &hi))
		return false;
	struct fl_purged p = *purged_cells(b);
	if (p.lo == lo && p.hi == hi)
		return false;
	account(b, -1);
	/* One call over the whole span: madvise on pages already gone is
	 * cheap, a second system call is not. */
	fl_os_purge((void *)lo, hi - lo);
	*purged_cells(b) = (struct fl_purged){lo, hi};
	account(b, +1);
	return true;
}

void fl_heap_unmap_region(struct fl_region *r)
{
	fl_heap_list_remove(fl_region_first(r));
	if (r->prev)
		r->prev->next = r->next;
	else
		fl_state.regions = r->next;
	if (r->next)
		r->next->prev = r->prev;
	fl_state.heap_mapped -= r->size;
	fl_state.region_count--;
	fl_os_unmap(r, r->size);
}
