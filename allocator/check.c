/*
 * check.c: flmalloc_check_heap, a full walk for tests.  The policy walks its
 * lists first and marks each listed block (FL_CHECK_MARK, a head bit no
 * size reaches); the heap walk then requires every free block, and only
 * free blocks, to be marked once, and clears the marks again.
 */
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const char *check_failure;
static const void *check_where;

int fl_check_fail(const char *what, const void *where)
{
	if (!check_failure) {
		check_failure = what;
		check_where = where;
	}
	return -1;
}

static bool in_some_region(const struct fl_block *b)
{
	for (struct fl_region *r = fl_state.regions; r; r = r->next)
		if ((const char *)b >= (const char *)fl_region_first(r) &&
		    (const char *)b < (const char *)fl_region_sentinel(r))
			return true;
	return false;
}

int fl_check_listed(struct fl_block *b, const char *who)
{
	(void)who;
	if ((uintptr_t)b % FL_ALIGN || !in_some_region(b))
		return fl_check_fail("a listed block lies outside every region", b);
	if (!fl_magic_ok(b) || fl_is_inuse(b))
		return fl_check_fail("a listed block is not a free block", b);
	if (b->head & FL_CHECK_MARK)
		return fl_check_fail("a block is listed twice", b);
	b->head |= FL_CHECK_MARK;
	return 0;
}

struct check_totals {
	uint64_t mapped, in_use, free, page_bytes, large_bytes, purged, regions;
};

static int check_block(struct fl_block *b, struct fl_block *sentinel, bool left_inuse,
		       struct check_totals *t)
{
	size_t size = fl_size(b);
	if (!fl_magic_ok(b))
		return fl_check_fail("a block head has a bad magic", b);
	if (size < FL_MIN_BLOCK || size % FL_ALIGN ||
	    size > (size_t)((char *)sentinel - (char *)b))
		return fl_check_fail("a block size is not a multiple of 16 inside its region", b);
	if (((b->head & FL_PREV_INUSE) != 0) != left_inuse)
		return fl_check_fail("a PREV_INUSE bit disagrees with the left block", b);
	if (fl_is_inuse(b)) {
		if (b->head & FL_CHECK_MARK)
			return fl_check_fail("an in-use block is on a free list", b);
		t->in_use += size;
		return 0;
	}
	if (!(b->head & FL_CHECK_MARK))
		return fl_check_fail("a free block is on no free list", b);
	b->head &= ~FL_CHECK_MARK;
	if (!left_inuse)
		return fl_check_fail("two adjacent free blocks (missed coalescing)", b);
	if (fl_right(b)->prev_size != size)
		return fl_check_fail("a free block's footer disagrees with its size", b);
	t->free += size;
	uintptr_t lo, hi;
	if (fl_heap_span(b, &lo, &hi)) {
		const struct fl_purged *p = (const struct fl_purged *)((char *)b + FL_PURGED_CELLS_AT);
		if (p->lo > p->hi || p->lo < lo || p->hi > hi)
			return fl_check_fail("a free block's purged range lies outside its span", b);
		uint64_t resident = (hi - lo) - (p->hi - p->lo);
		t->purged += p->hi - p->lo;
		t->page_bytes += resident;
		t->large_bytes += resident >= FL_PURGE_MIN_SPAN ? resident : 0;
	}
	return 0;
}

static int check_region(struct fl_region *r, struct check_totals *t)
{
	struct fl_block *sentinel = fl_region_sentinel(r);
	if (r->magic != FL_MAGIC || r->size % fl_state.page_size)
		return fl_check_fail("a region header is corrupt", r);
	if (!fl_magic_ok(sentinel) || fl_size(sentinel) || !fl_is_inuse(sentinel) ||
	    fl_sentinel_region(sentinel) != r)
		return fl_check_fail("a region sentinel is corrupt", sentinel);
	if (r->next && r->next->prev != r)
		return fl_check_fail("the region list links are broken", r);
	bool left_inuse = true;
	struct fl_block *b;
	for (b = fl_region_first(r); b < sentinel; b = fl_right(b)) {
		if (check_block(b, sentinel, left_inuse, t))
			return -1;
		left_inuse = fl_is_inuse(b);
	}
	if (b != sentinel)
		return fl_check_fail("blocks overrun their region", b);
	if (((sentinel->head & FL_PREV_INUSE) != 0) != left_inuse)
		return fl_check_fail("the sentinel's PREV_INUSE bit disagrees with the last block", sentinel);
	t->mapped += r->size;
	t->regions++;
	return 0;
}

/* After a failure some marks may remain: clear them wherever the walk can
 * still go safely. */
static void clear_marks(void)
{
	for (struct fl_region *r = fl_state.regions; r; r = r->next) {
		struct fl_block *sentinel = fl_region_sentinel(r);
		for (struct fl_block *b = fl_region_first(r); b < sentinel; b = fl_right(b)) {
			if (!fl_magic_ok(b) || fl_size(b) < FL_MIN_BLOCK)
				break;
			b->head &= ~FL_CHECK_MARK;
		}
	}
}

static int check_totals(const struct check_totals *t)
{
	if (t->mapped != fl_state.heap_mapped || t->regions != fl_state.region_count)
		return fl_check_fail("mapped bytes or region count disagree with the regions", NULL);
	if (t->in_use != fl_state.heap_in_use)
		return fl_check_fail("bytes in use disagree with the in-use blocks", NULL);
	if (t->free != fl_state.heap_free)
		return fl_check_fail("free bytes disagree with the free blocks", NULL);
	if (t->purged != fl_state.purged_bytes || t->page_bytes != fl_state.free_page_bytes ||
	    t->large_bytes != fl_state.free_large_bytes)
		return fl_check_fail("purged or resident free page counts disagree with the blocks", NULL);
	return 0;
}

static void report(void)
{
	static const char hex[] = "0123456789abcdef";
	char addr[19] = "0x";
	uintptr_t v = (uintptr_t)check_where;
	for (int i = 0; i < 16; i++)
		addr[2 + i] = hex[(v >> (60 - 4 * i)) & 15];
	addr[18] = '\0';
	const char *parts[] = {"flmalloc_check_heap: ", fl_state.policy->name, ": ", check_failure,
			       " at ", addr, "\n"};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (write(STDERR_FILENO, parts[i], strlen(parts[i])) < 0)
			return;
}

int flmalloc_check_heap(void)
{
	fl_ensure_init();
	bool held = fl_lock();
	check_failure = NULL;
	struct check_totals t = {0};
	int rc = fl_state.policy->check();
	for (struct fl_region *r = fl_state.regions; !rc && r; r = r->next)
		rc = check_region(r, &t);
	if (!rc)
		rc = check_totals(&t);
	if (rc) {
		clear_marks();
		report();
	}
	fl_unlock(held);
	return rc;
}
