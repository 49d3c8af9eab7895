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
 * find(size) looks first in the class whose every block fits (the request's
 * own class when size is a class's lower bound, else the next one), found by
 * find-first-set on the bitmaps: O(1).  Only when no such class holds a
 * block does it walk the request's own class for a block that happens to fit
 * (so the heap grows only when nothing fits).
 *
 * Within a class the blocks form a splay tree keyed by address (splay.c),
 * and find takes its minimum: lowest address first, which packs live data
 * toward low addresses.  A sorted list would make insert walk the class
 * (measured: 46% of python's run time with thousands of same-size blocks);
 * the tree makes insert, remove and the minimum O(log k) amortized for a
 * class of k blocks, and a block just found is at the root, so taking it
 * costs O(1).
 *
 * Invariants: every listed block is in the class of its size; each class
 * tree is in address order; bit c of seg_bits is set iff class c is
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

static void seg_insert(struct fl_block *b)
{
	unsigned c = seg_class_of(fl_size(b));
	fl_splay_insert(&seg_roots[c], b, FL_SPLAY_BY_ADDRESS);
	seg_mark(c);
}

static void seg_remove(struct fl_block *b)
{
	unsigned c = seg_class_of(fl_size(b));
	struct fl_splay_key k = fl_splay_key_of(b, fl_size(b));
	fl_splay_remove(&seg_roots[c], &k, FL_SPLAY_BY_ADDRESS);
	seg_unmark_if_empty(c);
}

static void seg_replace(struct fl_block *old, size_t old_size, struct fl_block *nb)
{
	unsigned co = seg_class_of(old_size), cn = seg_class_of(fl_size(nb));
	struct fl_splay_key k = fl_splay_key_of(old, old_size);
	if (co == cn) {
		/* No free block lies between old and nb, so nb's place in the
		 * class's address order is old's. */
		fl_splay_replace(&seg_roots[cn], &k, nb, FL_SPLAY_BY_ADDRESS);
		return;
	}
	fl_splay_remove(&seg_roots[co], &k, FL_SPLAY_BY_ADDRESS);
	seg_unmark_if_empty(co);
	fl_splay_insert(&seg_roots[cn], nb, FL_SPLAY_BY_ADDRESS);
	seg_mark(cn);
}

static struct fl_block *seg_find(size_t size)
{
	static const struct fl_splay_key lowest = {0, 0, NULL};
	unsigned own = seg_class_of(size);
	unsigned start = seg_class_floor(own) == size ? own : own + 1;
	unsigned c = seg_first_nonempty(start);
	if (c < SEG_CLASSES)
		return fl_splay_lower_bound(&seg_roots[c], &lowest, FL_SPLAY_BY_ADDRESS);
	if (start != own)
		return fl_splay_first_fit(seg_roots[own], size);
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
		if (fl_splay_check(seg_roots[c], FL_SPLAY_BY_ADDRESS, seg_class_floor(c), hi, "seg"))
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
