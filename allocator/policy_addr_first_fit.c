/*
 * policy_addr_first_fit.c: "addr", the classic design kept faithful: one
 * free list in ascending address order, first fit from the lowest address.
 * insert walks the list to its place (O(n) in free blocks: this is the
 * point of comparison); remove, replace O(1); find O(n).
 * Invariant: the list is strictly ascending by address.
 */
#include "internal.h"

static struct fl_list addr_list;

static void addr_insert(struct fl_block *b)
{
	struct fl_block *pos = addr_list.head;
	while (pos && pos < b)
		pos = pos->next;
	fl_list_insert_before(&addr_list, pos, b);
}

static void addr_remove(struct fl_block *b)
{
	fl_list_unlink(&addr_list, b);
}

static void addr_replace(struct fl_block *old, size_t old_size, struct fl_block *nb)
{
	(void)old_size;
	/* No free block lies between old and nb, so nb's place is old's. */
	fl_list_substitute(&addr_list, old, nb);
}

static struct fl_block *addr_find(size_t size)
{
	for (struct fl_block *b = addr_list.head; b; b = b->next)
		if (fl_size(b) >= size)
			return b;
	return NULL;
}

static int addr_check(void)
{
	if (fl_list_check_links(&addr_list, "addr: broken list links"))
		return -1;
	for (struct fl_block *b = addr_list.head; b; b = b->next) {
		if (fl_check_listed(b, "addr"))
			return -1;
		if (b->next && b->next <= b)
			return fl_check_fail("addr: list not in ascending address order", b);
	}
	return 0;
}

const struct fl_policy fl_policy_addr = {
	.name = "addr",
	.insert = addr_insert,
	.remove = addr_remove,
	.replace = addr_replace,
	.find = addr_find,
	.check = addr_check,
};
