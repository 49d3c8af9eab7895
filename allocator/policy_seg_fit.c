/*
 * policy_seg_fit.c: "seg", the default: segregated free lists by size
 * class, TLSF-style, with a two-level bitmap of non-empty classes.
 *
 * Classes (block sizes are multiples of 16, at least 32):
 *   size < 1024:  exact classes, class = size / 16            (0 .. 63)
 *   size >= 1024: class = 64 + (log2(size) - 10) * 8 + the next 3 bits,
 *                 i.e. 8 linear sub-ranges per power of two (each spans
 *                 at most 12.5% of its sizes).
 *
 * Every class is a doubly linked list, newest first, so insert, remove and
 * a block growing or shrinking within its class (coalescing, splitting)
 * cost O(1) and touch no other free block.
 *
 * find(size) is best fit by size, with a bounded search: an exact class
 * holds one size, so find takes its head when the request's class is not
 * empty.  A range class holds blocks up to 12.5% apart, some of them maybe
 * too small: find looks at the first SEG_SCAN_MAX blocks of the request's
 * own range class for the smallest that fits, then at the first non-empty
 * higher class (find-first-set on the bitmaps: O(1)), whose every block
 * fits, for its smallest among the first SEG_SCAN_MAX.  Among equal sizes
 * the lowest address wins, so ties go the way issue 2 asked.
 *
 * History, measured with fraglab replay and callgrind (docs/profiling.md):
 * range classes were first kept in address order, find taking the lowest
 * address of the first class whose every block fits: gcc-cc1 then peaked
 * at 5.27 MiB RSS (frag_peak 1.43) where best fit peaks at 4.16 MiB
 * (glibc: 4.19 MiB).  Then they were splay trees keyed by (size, address),
 * exact best fit: a block growing by coalescing changes its key, so most
 * heap frees relinked a tree node (splay was 9.7% of jq-group's
 * instructions, more of its time: tree nodes are scattered cache misses).
 * The bounded list search gives the same peak RSS on the corpus (geomean
 * vs glibc 0.983 against 0.982 for the trees, one run) for 9-18% fewer
 * instructions on python-json and jq-group.  Without the address
 * tie-break gcc-cc1 peaked 3% higher.  Exact classes were once splay trees
 * by address too (a sorted list made insert walk the class: 46% of
 * python's run time).
 *
 * Invariants: every listed block is in the class of its size; each class
 * list is well linked (head->prev == NULL, x->next->prev == x); bit c of
 * seg_bits is set iff class c is non-empty; bit w of seg_summary is set iff
 * seg_bits[w] != 0.
 */
#include "internal.h"

#define SEG_EXACT_LIMIT 1024
#define SEG_EXACT_CLASSES (SEG_EXACT_LIMIT / 16)
#define SEG_SUB_BITS 3
#define SEG_SUBS (1 << SEG_SUB_BITS)
#define SEG_LOG2_EXACT_LIMIT 10
#define SEG_CLASSES (SEG_EXACT_CLASSES + (64 - SEG_LOG2_EXACT_LIMIT) * SEG_SUBS)
#define SEG_WORDS ((SEG_CLASSES + 63) / 64)
/* Blocks a range class search looks at, at most. */
#define SEG_SCAN_MAX 32

_Static_assert(SEG_EXACT_LIMIT == (1 << SEG_LOG2_EXACT_LIMIT), "exact limit is 2^10");
_Static_assert(SEG_WORDS <= 64, "one summary word covers every bitmap word");

/* Class list heads. */
static struct fl_block *seg_roots[SEG_CLASSES];
static uint64_t seg_bits[SEG_WORDS];
static uint64_t seg_summary;

static unsigned seg_class_of(size_t size)
{
	if (size < SEG_EXACT_LIMIT)
		return (unsigned)(size / 16);
	unsigned log2 = 63u - (unsigned)__builtin_clzll((unsigned long long)size);
	unsigned sub = (unsigned)(size >> (log2 - SEG_SUB_BITS)) & (SEG_SUBS - 1);
	return SEG_EXACT_CLASSES + (log2 - SEG_LOG2_EXACT_LIMIT) * SEG_SUBS + sub;
}

/* Smallest size in class c. */
static size_t seg_class_floor(unsigned c)
{
	if (c < SEG_EXACT_CLASSES)
		return (size_t)c * 16;
	unsigned k = c - SEG_EXACT_CLASSES;
	unsigned log2 = SEG_LOG2_EXACT_LIMIT + k / SEG_SUBS;
	return ((size_t)1 << log2) + ((size_t)(k % SEG_SUBS) << (log2 - SEG_SUB_BITS));
}

static void seg_mark(unsigned c)
{
	seg_bits[c / 64] |= (uint64_t)1 << (c % 64);
	seg_summary |= (uint64_t)1 << (c / 64);
}

static void seg_unmark_if_empty(unsigned c)
{
	if (seg_roots[c])
		return;
	seg_bits[c / 64] &= ~((uint64_t)1 << (c % 64));
	if (!seg_bits[c / 64])
		seg_summary &= ~((uint64_t)1 << (c / 64));
}

/* First non-empty class >= c, or SEG_CLASSES. */
static unsigned seg_first_nonempty(unsigned c)
{
	if (c >= SEG_CLASSES)
		return SEG_CLASSES;
	unsigned w = c / 64;
	uint64_t bits = seg_bits[w] & (~(uint64_t)0 << (c % 64));
	if (bits)
		return w * 64 + (unsigned)__builtin_ctzll(bits);
	uint64_t words = w + 1 < 64 ? seg_summary & (~(uint64_t)0 << (w + 1)) : 0;
	if (!words)
		return SEG_CLASSES;
	w = (unsigned)__builtin_ctzll(words);
	return w * 64 + (unsigned)__builtin_ctzll(seg_bits[w]);
}

static bool seg_is_exact(unsigned c)
{
	return c < SEG_EXACT_CLASSES;
}

/* Class lists: next/prev cells, NULL-terminated, newest at the head. */
static void seg_push(unsigned c, struct fl_block *b)
{
	struct fl_block *h = seg_roots[c];
	b->prev = NULL;
	b->next = h;
	if (h)
		h->prev = b;
	seg_roots[c] = b;
	seg_mark(c);
}

static void seg_unlink(unsigned c, struct fl_block *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		seg_roots[c] = b->next;
	if (b->next)
		b->next->prev = b->prev;
	seg_unmark_if_empty(c);
}

static void seg_insert(struct fl_block *b)
{
	seg_push(seg_class_of(fl_size(b)), b);
}

static void seg_remove(struct fl_block *b)
{
	seg_unlink(seg_class_of(fl_size(b)), b);
}

static void seg_replace(struct fl_block *old, size_t old_size, struct fl_block *nb)
{
	unsigned co = seg_class_of(old_size), cn = seg_class_of(fl_size(nb));
	if (co != cn) {
		seg_unlink(co, old);
		seg_push(cn, nb);
		return;
	}
	if (nb == old)
		return; /* grew or shrank within its class: lists are unordered */
	/* nb takes old's place.  The heap has not written old's cells (a
	 * split remainder starts at least 32 bytes past old; a block
	 * absorbing its right neighbour writes nothing that reaches the
	 * neighbour's cells), so old's links are still good. */
	nb->next = old->next;
	nb->prev = old->prev;
	if (nb->prev)
		nb->prev->next = nb;
	else
		seg_roots[cn] = nb;
	if (nb->next)
		nb->next->prev = nb;
}

/* The smallest block of class c's list with size >= size, looking at no
 * more than SEG_SCAN_MAX blocks; an exact fit ends the search.  NULL when
 * none of those fits. */
static struct fl_block *seg_scan(unsigned c, size_t size)
{
	struct fl_block *best = NULL;
	size_t best_size = SIZE_MAX;
	unsigned seen = 0;
	for (struct fl_block *b = seg_roots[c]; b && seen < SEG_SCAN_MAX; b = b->next, seen++) {
		size_t s = fl_size(b);
		if (s < size || s > best_size || (s == best_size && b > best))
			continue;
		best = b;
		best_size = s;
	}
	return best;
}

static struct fl_block *seg_find(size_t size)
{
	unsigned own = seg_class_of(size);
	if (!seg_is_exact(own) && seg_roots[own]) {
		/* The request's own range class may hold blocks too small for
		 * it; the best of those that fit beats anything higher up. */
		struct fl_block *b = seg_scan(own, size);
		if (b)
			return b;
	}
	/* Every block of a higher class fits: the first non-empty one's
	 * head (exact class) or its smallest block seen (range class). */
	unsigned c = seg_first_nonempty(seg_is_exact(own) ? own : own + 1);
	if (c >= SEG_CLASSES)
		return NULL;
	if (seg_is_exact(c))
		return seg_roots[c];
	return seg_scan(c, 0);
}

static int seg_check_class(unsigned c, size_t hi)
{
	size_t budget = (size_t)(fl_state.heap_free / FL_MIN_BLOCK) + 1;
	const struct fl_block *prev = NULL;
	for (struct fl_block *b = seg_roots[c]; b; prev = b, b = b->next) {
		if (!budget--)
			return fl_check_fail("seg: a class list is longer than its block count", b);
		if (b->prev != prev)
			return fl_check_fail("seg: broken class list links", b);
		if (fl_check_listed(b, "seg"))
			return -1;
		if (fl_size(b) < seg_class_floor(c) || fl_size(b) >= hi)
			return fl_check_fail("a block sits in the wrong size class", b);
	}
	return 0;
}

static int seg_check(void)
{
	uint64_t summary = 0;
	for (unsigned c = 0; c < SEG_CLASSES; c++) {
		bool bit = (seg_bits[c / 64] >> (c % 64)) & 1;
		if (bit != (seg_roots[c] != NULL))
			return fl_check_fail("seg: class bitmap disagrees with its list", seg_roots[c]);
		if (bit)
			summary |= (uint64_t)1 << (c / 64);
		size_t hi = c + 1 < SEG_CLASSES ? seg_class_floor(c + 1) : SIZE_MAX;
		if (seg_check_class(c, hi))
			return -1;
	}
	if (summary != seg_summary)
		return fl_check_fail("seg: summary bitmap disagrees with class bitmaps", NULL);
	return 0;
}

const struct fl_policy fl_policy_seg = {
	.name = "seg",
	.insert = seg_insert,
	.remove = seg_remove,
	.replace = seg_replace,
	.find = seg_find,
	.check = seg_check,
};
