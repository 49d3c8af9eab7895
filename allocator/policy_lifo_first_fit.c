/*
 * policy_lifo_first_fit.c: "lifo": one unordered free list, a freed block
 * goes to the head, first fit from the head.
 *
 * Coalescing: immediate, with both neighbours found through the boundary
 * tags (the heap does it for every policy), and the coalesced block goes to
 * the head like any freed block (as in CS:APP's explicit-list allocator).
 * An unordered list cannot find a block's neighbours by walking, and not
 * coalescing at all would let a long-running program's heap shatter into
 * blocks too small to reuse; with boundary tags coalescing costs O(1), so
 * lifo keeps its cheap free and differs from addr in which fitting block
 * it picks.  A split remainder keeps its block's place.
 *
 * find starts at skip[floor(log2 size)], where skip[k] is a listed block
 * such that every block before it in list order is smaller than 2^k (NULL:
 * none of 2^k or more): the same choice as a walk from the head without
 * re-reading stretches of small blocks (measured: python's test workload
 * ran 10-20 s without it).  A block pushed at the head becomes skip[k] for
 * every 2^k it reaches; a removed one hands its skips to its successor.
 * insert, remove, replace are O(1) plus O(48) for the skips; find is O(n).
 * Invariant: the skip property holds for every k.
 */
#include "internal.h"

#define LIFO_SKIPS 48

static struct fl_list lifo_list;
static struct fl_block *lifo_skip[LIFO_SKIPS];

static unsigned log2_floor(size_t size)
{
	return 63u - (unsigned)__builtin_clzll((unsigned long long)size);
}

static void lifo_insert(struct fl_block *b)
{
	fl_list_push_front(&lifo_list, b);
	unsigned top = log2_floor(fl_size(b));
	for (unsigned k = 0; k <= top && k < LIFO_SKIPS; k++)
		lifo_skip[k] = b;
}

static void lifo_remove(struct fl_block *b)
{
	for (unsigned k = 0; k < LIFO_SKIPS; k++)
		if (lifo_skip[k] == b)
			lifo_skip[k] = b->next;
	fl_list_unlink(&lifo_list, b);
}

static void lifo_replace(struct fl_block *old, size_t old_size, struct fl_block *nb)
{
	if (fl_size(nb) > old_size) {
		/* Coalesced: a freed block, so it goes to the head. */
		lifo_remove(old);
		lifo_insert(nb);
		return;
	}
	/* A split remainder: smaller, so the skips may point at it. */
	for (unsigned k = 0; k < LIFO_SKIPS; k++)
		if (lifo_skip[k] == old)
			lifo_skip[k] = nb;
	fl_list_substitute(&lifo_list, old, nb);
}

static struct fl_block *lifo_find(size_t size)
{
	unsigned k = log2_floor(size);
	size_t floor_k = (size_t)1 << k;
	bool advancing = true;
	struct fl_block *b = k < LIFO_SKIPS ? lifo_skip[k] : NULL;
	for (; b; b = b->next) {
		size_t s = fl_size(b);
		if (s >= size)
			return b;
		if (advancing && s < floor_k)
			lifo_skip[k] = b->next;
		else
			advancing = false;
	}
	return NULL;
}

static int lifo_check(void)
{
	if (fl_list_check_links(&lifo_list, "lifo: broken list links"))
		return -1;
	bool skip_seen[LIFO_SKIPS] = {false};
	for (struct fl_block *b = lifo_list.head; b; b = b->next) {
		if (fl_check_listed(b, "lifo"))
			return -1;
		for (unsigned k = 0; k < LIFO_SKIPS; k++) {
			skip_seen[k] |= b == lifo_skip[k];
			if (!skip_seen[k] && fl_size(b) >= ((size_t)1 << k))
				return fl_check_fail("lifo: a block before skip[k] is 2^k or larger", b);
		}
	}
	return 0;
}

const struct fl_policy fl_policy_lifo = {
	.name = "lifo",
	.insert = lifo_insert,
	.remove = lifo_remove,
	.replace = lifo_replace,
	.find = lifo_find,
	.check = lifo_check,
};
