/* replay_ranges.c: a treap of live address ranges, nodes indexed by slot. */
#include "replay_ranges.h"

#define NONE REPLAY_RANGES_NONE

/* A fixed mixing hash: a deterministic random-looking priority per slot. */
static uint32_t priority(uint32_t slot)
{
	uint64_t x = slot + 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)(x ^ (x >> 31));
}

void replay_ranges_init(struct replay_ranges *r, struct replay_range_node *nodes)
{
	r->nodes = nodes;
	r->root = NONE;
}

/* Splits tree t into nodes with start < key (*lo) and start >= key (*hi). */
static void split(struct replay_range_node *n, uint32_t t, uintptr_t key, uint32_t *lo, uint32_t *hi)
{
	if (t == NONE) {
		*lo = *hi = NONE;
		return;
	}
	if (n[t].start < key) {
		split(n, n[t].right, key, &n[t].right, hi);
		*lo = t;
	} else {
		split(n, n[t].left, key, lo, &n[t].left);
		*hi = t;
	}
}

/* Joins two treaps, every start in a below every start in b. */
static uint32_t merge(struct replay_range_node *n, uint32_t a, uint32_t b)
{
	if (a == NONE)
		return b;
	if (b == NONE)
		return a;
	if (priority(a) > priority(b)) {
		n[a].right = merge(n, n[a].right, b);
		return a;
	}
	n[b].left = merge(n, a, n[b].left);
	return b;
}

uint32_t replay_ranges_insert(struct replay_ranges *r, uint32_t slot, uintptr_t start, size_t len)
{
	struct replay_range_node *n = r->nodes;
	uintptr_t end = start + len;
	/* Only two neighbours can overlap: the last block starting at or before
	 * start, and the first starting after it. */
	uint32_t pred = NONE, succ = NONE;
	for (uint32_t t = r->root; t != NONE;) {
		if (n[t].start <= start) {
			pred = t;
			t = n[t].right;
		} else {
			succ = t;
			t = n[t].left;
		}
	}
	if (pred != NONE && n[pred].end > start)
		return pred;
	if (succ != NONE && n[succ].start < end)
		return succ;
	n[slot].start = start;
	n[slot].end = end;
	n[slot].left = n[slot].right = NONE;
	uint32_t lo, hi;
	split(n, r->root, start, &lo, &hi);
	r->root = merge(n, merge(n, lo, slot), hi);
	return NONE;
}

void replay_ranges_remove(struct replay_ranges *r, uint32_t slot)
{
	struct replay_range_node *n = r->nodes;
	uint32_t lo, mid, hi;
	/* Starts are unique among live blocks, so [start, start+1) is slot. */
	split(n, r->root, n[slot].start, &lo, &mid);
	split(n, mid, n[slot].start + 1, &mid, &hi);
	r->root = merge(n, lo, hi);
}
