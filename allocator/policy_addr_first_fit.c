/*
 * policy_addr_first_fit.c: "addr", the classic design kept faithful: one
 * free list in ascending address order, first fit from the lowest address,
 * immediate coalescing (done by the heap through boundary tags).
 *
 * The list and every choice are exactly those of the textbook version;
 * what differs is only where the O(n) walks start, so they skip list
 * stretches that cannot matter (measured: without this, python's
 * dict/json test workload took over two minutes, spending 65% of it in
 * insert and 23% in find):
 *   - skip[k] (k = 0..47) is a listed block such that every listed block
 *     below it is smaller than 2^k (NULL: no block of 2^k or more at all).
 *     find(size) starts at skip[floor(log2 size)]; insert and replace pull
 *     skip[k] down to a new block of at least 2^k below it; remove moves it
 *     to the next block; find pushes it past small blocks it walks over.
 *   - insert starts its walk at the highest of {head, finger, skip[k]}
 *     lying below the new block (any listed block below it is a valid
 *     start), where the finger is the block last inserted; and it walks
 *     rightward through the heap from the block itself at the same time:
 *     the first free block met there is its successor in address order.
 * insert and find remain O(n) in free blocks in the worst case; remove and
 * replace are O(1) plus O(48) for the skip entries.
 *
 * Invariant: the list is strictly ascending by address; the skip property
 * above holds for every k; finger is NULL or a listed block.
 */
#include "internal.h"

#define ADDR_SKIPS 48

static struct fl_list addr_list;
static struct fl_block *addr_skip[ADDR_SKIPS];
static struct fl_block *addr_finger;

static unsigned log2_floor(size_t size)
{
	return 63u - (unsigned)__builtin_clzll((unsigned long long)size);
}

/* A block of `size` now sits at b: pull down the skips it is below. */
static void skips_note(struct fl_block *b, size_t size)
{
	unsigned top = log2_floor(size);
	for (unsigned k = 0; k <= top && k < ADDR_SKIPS; k++)
		if (!addr_skip[k] || b < addr_skip[k])
			addr_skip[k] = b;
}

static void skips_forget(struct fl_block *b, struct fl_block *successor)
{
	for (unsigned k = 0; k < ADDR_SKIPS; k++)
		if (addr_skip[k] == b)
			addr_skip[k] = successor;
}

static struct fl_block *walk_start(struct fl_block *b)
{
	struct fl_block *start = NULL;
	if (addr_finger && addr_finger < b)
		start = addr_finger;
	for (unsigned k = 0; k < ADDR_SKIPS; k++) {
		struct fl_block *s = addr_skip[k];
		if (s && s < b && (!start || s > start))
			start = s;
	}
	return start;
}

static void addr_insert(struct fl_block *b)
{
	struct fl_block *start = walk_start(b);
	struct fl_block *pos = start ? start->next : addr_list.head;
	struct fl_block *phys = fl_right(b); /* NULL once its region ends */
	while (pos && pos < b) {
		pos = pos->next;
		if (phys) {
			if (fl_size(phys) == 0) { /* the sentinel: no successor here */
				phys = NULL;
			} else if (!fl_is_inuse(phys)) {
				pos = phys;
				break;
			} else {
				phys = fl_right(phys);
			}
		}
	}
	fl_list_insert_before(&addr_list, pos, b);
	skips_note(b, fl_size(b));
	addr_finger = b;
}

static void addr_remove(struct fl_block *b)
{
	skips_forget(b, b->next);
	if (addr_finger == b)
		addr_finger = b->prev;
	fl_list_unlink(&addr_list, b);
}

static void addr_replace(struct fl_block *old, size_t old_size, struct fl_block *nb)
{
	(void)old_size;
	/* No free block lies between old and nb, so nb's place is old's, and
	 * every block below old is below nb. */
	skips_forget(old, nb);
	if (addr_finger == old)
		addr_finger = nb;
	fl_list_substitute(&addr_list, old, nb);
	skips_note(nb, fl_size(nb));
}

static struct fl_block *addr_find(size_t size)
{
	unsigned k = log2_floor(size);
	size_t floor_k = (size_t)1 << k;
	bool advancing = true;
	struct fl_block *b = k < ADDR_SKIPS ? addr_skip[k] : NULL;
	for (; b; b = b->next) {
		size_t s = fl_size(b);
		if (s >= size)
			return b;
		if (advancing && s < floor_k)
			addr_skip[k] = b->next;
		else
			advancing = false;
	}
	return NULL;
}

static int addr_check(void)
{
	if (fl_list_check_links(&addr_list, "addr: broken list links"))
		return -1;
	bool finger_listed = addr_finger == NULL;
	bool skip_seen[ADDR_SKIPS] = {false};
	for (struct fl_block *b = addr_list.head; b; b = b->next) {
		if (fl_check_listed(b, "addr"))
			return -1;
		if (b->next && b->next <= b)
			return fl_check_fail("addr: list not in ascending address order", b);
		finger_listed |= b == addr_finger;
		for (unsigned k = 0; k < ADDR_SKIPS; k++) {
			skip_seen[k] |= b == addr_skip[k];
			if (!skip_seen[k] && fl_size(b) >= ((size_t)1 << k))
				return fl_check_fail("addr: a block below skip[k] is 2^k or larger", b);
		}
	}
	if (!finger_listed)
		return fl_check_fail("addr: the finger is not a listed block", addr_finger);
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
