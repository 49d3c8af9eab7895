/*
 * policy_addr_first_fit.c: "addr", the classic design kept faithful: one
 * free list in ascending address order, first fit from the lowest address,
 * immediate coalescing (done by the heap through boundary tags).
 *
 * insert walks the list from its head to the block's place and find walks
 * from the head to the first fit: both O(n) in free blocks, with no rover
 * or hint, because that cost is what the other policies are compared with.
 * remove and replace are O(1): a split remainder or a coalesced block takes
 * its predecessor's place, which keeps the order (the heap guarantees no
 * free block lies between them).
 *
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
