/*
 * policy_lifo_first_fit.c: "lifo": one unordered free list, a freed block
 * goes to the head, first fit from the head.  insert, remove, replace O(1);
 * find O(n).
 *
 * Coalescing: immediate, with both neighbours found through the boundary
 * tags (the heap does it for every policy).  An unordered list cannot find
 * a block's neighbours by walking, and not coalescing at all would let a
 * long-running program's heap shatter into blocks too small to reuse; with
 * boundary tags coalescing costs O(1), so lifo keeps its cheap free and
 * differs from addr only in which fitting block it picks.
 */
#include "internal.h"

static struct fl_list lifo_list;

static void lifo_insert(struct fl_block *b)
{
	fl_list_push_front(&lifo_list, b);
}

static void lifo_remove(struct fl_block *b)
{
	fl_list_unlink(&lifo_list, b);
}

static void lifo_replace(struct fl_block *old, size_t old_size, struct fl_block *nb)
{
	(void)old_size;
	/* A split remainder or a coalesced block keeps its predecessor's
	 * place: the list is unordered, so any place is valid, and this one
	 * costs nothing. */
	fl_list_substitute(&lifo_list, old, nb);
}

static struct fl_block *lifo_find(size_t size)
{
	for (struct fl_block *b = lifo_list.head; b; b = b->next)
		if (fl_size(b) >= size)
			return b;
	return NULL;
}

static int lifo_check(void)
{
	if (fl_list_check_links(&lifo_list, "lifo: broken list links"))
		return -1;
	for (struct fl_block *b = lifo_list.head; b; b = b->next)
		if (fl_check_listed(b, "lifo"))
			return -1;
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
