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
 * find(size) is best fit: the smallest free block >= size, the lowest
 * address among equals.  An exact class holds one size, so its tree is
 * keyed by address and find takes its minimum when the request's class is
 * not empty; a range class's tree is keyed by (size, address), so find
 * first asks the request's own range class for its lower bound of size
 * (O(log k) amortized), then takes the least key of the first non-empty
 * higher class, found by find-first-set on the bitmaps: O(1).
 *
 * Lowest address first holds within every exact class (where it is the
 * only freedom left) and among equal sizes in a range class.  Range classes
 * were first kept in address order too, find taking the lowest address of
 * the first class whose every block fits: on traces/gcc-cc1 that peaked at
 * 5.52 MB RSS (frag_peak 1.43) where best fit peaked at 4.08 MB (glibc:
 * 4.39 MB); see docs/profiling.md for the corpus-wide figures.
 *
 * The trees (splay.c) make insert, remove and find O(log k) amortized for
 * a class of k blocks; a sorted list made insert walk the class (measured:
 * 46% of python's run time with thousands of same-size blocks).
 *
 * Invariants: every listed block is in the class of its size; each exact
 * class tree is in address order, each range class tree in (size,
 * address) order; bit c of seg_bits is set iff class c is
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

/* Exact classes hold one size, so (size, address) order is address order
 * there; range classes are ordered by size first (best fit). */
static enum fl_splay_order seg_order(unsigned c)
{
	return c < SEG_EXACT_CLASSES ? FL_SPLAY_BY_ADDRESS : FL_SPLAY_BY_SIZE;
}

static void seg_insert(struct fl_block *b)
{
	unsigned c = seg_class_of(fl_size(b));
	fl_splay_insert(&seg_roots[c], b, seg_order(c));
	seg_mark(c);
}

static void seg_remove_keyed(unsigned c, const struct fl_block *b, size_t size)
{
	struct fl_splay_key k = fl_splay_key_of(b, size);
	fl_splay_remove(&seg_roots[c], &k, seg_order(c));
	seg_unmark_if_empty(c);
}

static void seg_remove(struct fl_block *b)
{
	seg_remove_keyed(seg_class_of(fl_size(b)), b, fl_size(b));
}

static void seg_replace(struct fl_block *old, size_t old_size, struct fl_block *nb)
{
	unsigned co = seg_class_of(old_size), cn = seg_class_of(fl_size(nb));
	if (co == cn && (co < SEG_EXACT_CLASSES || fl_size(nb) == old_size)) {
		/* Same key order position: no free block lies between old and
		 * nb, and the size did not change. */
		struct fl_splay_key k = fl_splay_key_of(old, old_size);
		fl_splay_replace(&seg_roots[cn], &k, nb, seg_order(cn));
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
	fl_splay_insert(&seg_roots[cn], nb, seg_order(cn));
	seg_mark(cn);
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
	if (c < SEG_CLASSES)
		return fl_splay_lower_bound(&seg_roots[c], &lowest, seg_order(c));
	return NULL;
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
		if (fl_splay_check(seg_roots[c], seg_order(c), seg_class_floor(c), hi, "seg"))
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
