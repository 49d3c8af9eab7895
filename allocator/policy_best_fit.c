/*
 * policy_best_fit.c: "best": one free list sorted by (size, address), so
 * the first block that fits is the smallest that fits, and among equals the
 * lowest address.  insert O(n), find O(n) (stops at the first fit), remove
 * O(1), replace O(1) when the new key stays between its neighbours, else
 * O(n).  Invariant: the list is strictly ascending by (size, address).
 */
#include "internal.h"

static struct fl_list best_list;

static bool best_less(const struct fl_block *a, const struct fl_block *b)
{
	size_t sa = fl_size(a), sb = fl_size(b);
	return sa < sb || (sa == sb && a < b);
}

static void best_insert(struct fl_block *b)
{
	struct fl_block *pos = best_list.head;
	while (pos && best_less(pos, b))
		pos = pos->next;
	fl_list_insert_before(&best_list, pos, b);
}

static void best_remove(struct fl_block *b)
{
	fl_list_unlink(&best_list, b);
}

static void best_replace(struct fl_block *old, size_t old_size, struct fl_block *nb)
{
	(void)old_size; /* the neighbours decide */
	struct fl_block *prev = old->prev, *next = old->next;
	if ((!prev || best_less(prev, nb)) && (!next || best_less(nb, next))) {
		fl_list_substitute(&best_list, old, nb);
		return;
	}
	fl_list_unlink(&best_list, old);
	best_insert(nb);
}

static struct fl_block *best_find(size_t size)
{
	for (struct fl_block *b = best_list.head; b; b = b->next)
		if (fl_size(b) >= size)
			return b;
	return NULL;
}

static int best_check(void)
{
	if (fl_list_check_links(&best_list, "best: broken list links"))
		return -1;
	for (struct fl_block *b = best_list.head; b; b = b->next) {
		if (fl_check_listed(b, "best"))
			return -1;
		if (b->next && !best_less(b, b->next))
			return fl_check_fail("best: list not ascending by (size, address)", b);
	}
	return 0;
}

const struct fl_policy fl_policy_best = {
	.name = "best",
	.insert = best_insert,
	.remove = best_remove,
	.replace = best_replace,
	.find = best_find,
	.check = best_check,
};
