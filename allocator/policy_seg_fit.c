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
 * find(size) is best fit by size: the smallest free block >= size.  An
 * exact class holds one size, so find takes its head when the request's
 * class is not empty; a range class's tree is keyed by (size, address), so
 * find first asks the request's own range class for its lower bound of
 * size (O(log k) amortized), then takes the least key of the first
 * non-empty higher class, found by find-first-set on the bitmaps: O(1).
 *
 * Which address: a range class gives the lowest address among equal sizes.
 * An exact class is a doubly linked list, newest first: every block in it
 * has the same size, so the order decides only which address is reused,
 * never whether a request fits or how much is split off.  Issue 2 asked
 * for lowest address first within a class; it is kept where size ties are
 * broken (range classes) and relaxed for exact classes, measured with
 * fraglab replay on the corpus (3 runs, medians; docs/profiling.md): peak
 * RSS geomean vs glibc 1.0003 with address-ordered exact classes, 1.0023
 * with lists (per trace -5% to +7%), for 10% fewer instructions on
 * python-json and 28% fewer on gen-binary (callgrind).
 *
 * History: range classes were first kept in address order, find taking the
 * lowest address of the first class whose every block fits: gcc-cc1 then
 * peaked at 5.27 MiB RSS (frag_peak 1.43) where best fit peaks at 4.16 MiB
 * (glibc: 4.19 MiB).  Exact classes were splay trees by address (a sorted
 * list made insert walk the class: 46% of python's run time).
 *
 * Invariants: every listed block is in the class of its size; each exact
 * class list is well linked (head->prev == NULL, x->next->prev == x); each
 * range class tree is in (size, address) order; bit c of seg_bits is set iff class c is
 * non-empty; bit w of seg_summary is set iff seg_bits[w] != 0.
 */
#include "internal.h"

#define SEG_EXACT_LIMIT 1024
#define SEG_EXACT_CLASSES (SEG_EXACT_LIMIT / 16)
#define SEG_SUB_BITS 3
#define SEG_SUBS (1 << SEG_SUB_BITS)
#define SEG_LOG2_EXACT_LIMIT 10
#define SEG_CLASSES (SEG_EXACT_CLASSES + (64 - SEG_LOG2_EXACT_LIMIT) * SEG_SUBS)
#define SEG_WORDS ((SEG_CLASSES + 63) / 64)

_Static_assert(SEG_EXACT_LIMIT == (1 << SEG_LOG2_EXACT_LIMIT), "exact limit is 2^10");
_Static_assert(SEG_WORDS <= 64, "one summary word covers every bitmap word");

/* Exact classes: list heads; range classes: splay tree roots. */
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

/* Exact class lists: next/prev cells, NULL-terminated, newest at the head. */
static void exact_push(unsigned c, struct fl_block *b)
{
	struct fl_block *h = seg_roots[c];
	b->prev = NULL;
	b->next = h;
	if (h)
		h->prev = b;
	seg_roots[c] = b;
}

static void exact_unlink(unsigned c, struct fl_block *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		seg_roots[c] = b->next;
	if (b->next)
		b->next->prev = b->prev;
}

static void seg_insert_in(unsigned c, struct fl_block *b)
{
	if (seg_is_exact(c))
		exact_push(c, b);
	else
		fl_splay_insert(&seg_roots[c], b, FL_SPLAY_BY_SIZE);
	seg_mark(c);
}

static void seg_insert(struct fl_block *b)
{
	seg_insert_in(seg_class_of(fl_size(b)), b);
}

static void seg_remove_keyed(unsigned c, struct fl_block *b, size_t size)
{
	if (seg_is_exact(c)) {
		exact_unlink(c, b);
	} else {
		struct fl_splay_key k = fl_splay_key_of(b, size);
		fl_splay_remove(&seg_roots[c], &k, FL_SPLAY_BY_SIZE);
	}
	seg_unmark_if_empty(c);
}

static void seg_remove(struct fl_block *b)
{
	seg_remove_keyed(seg_class_of(fl_size(b)), b, fl_size(b));
}

static void seg_replace(struct fl_block *old, size_t old_size, struct fl_block *nb)
{
	unsigned co = seg_class_of(old_size), cn = seg_class_of(fl_size(nb));
	if (co == cn && seg_is_exact(cn)) {
		if (nb == old)
			return; /* same block, same size: its links stay */
		/* The heap has written neither old's cells nor nb's yet (a split
		 * remainder starts at least 32 bytes past old): old unlinks with
		 * its own links, nb goes to the head like any insert. */
		exact_unlink(cn, old);
		exact_push(cn, nb);
		return;
	}
	if (co == cn && fl_size(nb) == old_size) {
		/* Same key order position: no free block lies between old and
		 * nb, and the size did not change. */
		struct fl_splay_key k = fl_splay_key_of(old, old_size);
		fl_splay_replace(&seg_roots[cn], &k, nb, FL_SPLAY_BY_SIZE);
		return;
	}
	if (co == cn && seg_roots[cn] == old && !old->next && !old->prev) {
		/* Alone in its class (the usual case for a region's large free
		 * tail being split): nb simply takes the root. */
		nb->next = nb->prev = NULL;
		seg_roots[cn] = nb;
		return;
	}
	seg_remove_keyed(co, old, old_size);
	seg_insert_in(cn, nb);
}

static struct fl_block *seg_find(size_t size)
{
	static const struct fl_splay_key lowest = {0, 0, NULL};
	unsigned own = seg_class_of(size);
	if (own >= SEG_EXACT_CLASSES && seg_roots[own]) {
		/* The smallest block of the request's own range class that
		 * fits, if any: better than anything in a higher class. */
		struct fl_splay_key k = {.size = size, .addr = 0, .self = NULL};
		struct fl_block *b = fl_splay_lower_bound(&seg_roots[own], &k, FL_SPLAY_BY_SIZE);
		if (b)
			return b;
	}
	/* Every block of a higher class fits: take the first non-empty one's
	 * least key (exact class: lowest address; range class: smallest size,
	 * lowest address among equals). */
	unsigned c = seg_first_nonempty(own < SEG_EXACT_CLASSES ? own : own + 1);
	if (c >= SEG_CLASSES)
		return NULL;
	if (seg_is_exact(c))
		return seg_roots[c];
	return fl_splay_lower_bound(&seg_roots[c], &lowest, FL_SPLAY_BY_SIZE);
}

static int exact_check(unsigned c, size_t hi)
{
	size_t budget = (size_t)(fl_state.heap_free / FL_MIN_BLOCK) + 1;
	const struct fl_block *prev = NULL;
	for (struct fl_block *b = seg_roots[c]; b; prev = b, b = b->next) {
		if (!budget--)
			return fl_check_fail("seg: an exact class list is longer than its block count", b);
		if (b->prev != prev)
			return fl_check_fail("seg: broken exact class list links", b);
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
			return fl_check_fail("seg: class bitmap disagrees with its tree", seg_roots[c]);
		if (bit)
			summary |= (uint64_t)1 << (c / 64);
		size_t hi = c + 1 < SEG_CLASSES ? seg_class_floor(c + 1) : SIZE_MAX;
		if (seg_is_exact(c) ? exact_check(c, hi)
				    : fl_splay_check(seg_roots[c], FL_SPLAY_BY_SIZE, seg_class_floor(c), hi, "seg"))
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
