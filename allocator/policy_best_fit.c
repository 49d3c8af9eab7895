/*
 * policy_best_fit.c: "best": exact best fit.  The free blocks form one
 * splay tree keyed by (size, address) (splay.c); find is the tree's lower
 * bound of (size, 0): the smallest block that fits, and among equals the
 * lowest address.  insert, remove, replace and find are O(log n)
 * amortized.  (A size-sorted list gives the same choices with O(n) insert
 * and find; measured, it made python's dict/json workload run over two
 * minutes instead of seconds, so the tree keeps the policy and drops the
 * cost.)  Invariant: the tree is in (size, address) order.
 */
#include "internal.h"

static struct fl_block *best_root;

static void best_insert(struct fl_block *b)
{
	fl_splay_insert(&best_root, b);
}

static void best_remove(struct fl_block *b)
{
	struct fl_splay_key k = fl_splay_key_of(b, fl_size(b));
	fl_splay_remove(&best_root, &k);
}

static void best_replace(struct fl_block *old, size_t old_size, struct fl_block *nb)
{
	/* A new size means a new place in the order: take old out (by its
	 * old key), put nb in. */
	struct fl_splay_key k = fl_splay_key_of(old, old_size);
	fl_splay_remove(&best_root, &k);
	fl_splay_insert(&best_root, nb);
}

static struct fl_block *best_find(size_t size)
{
	struct fl_splay_key k = {.size = size, .addr = 0, .self = NULL};
	return fl_splay_lower_bound(&best_root, &k);
}

static int best_check(void)
{
	return fl_splay_check(best_root, "best");
}

const struct fl_policy fl_policy_best = {
	.name = "best",
	.insert = best_insert,
	.remove = best_remove,
	.replace = best_replace,
	.find = best_find,
	.check = best_check,
};
