/*
 * replay_ranges.h: the set of live blocks ordered by address, for --verify's
 * "no two live blocks overlap" check.
 *
 * A treap whose nodes are the trace's slots: a slot holds at most one live
 * block, so node i belongs to slot i and the whole structure is n_slots
 * fixed-size nodes in one pre-mapped array; inserting and removing never
 * allocate.  Priorities are a hash of the slot, so the shape is random-like
 * and operations take O(log live) expected.
 */
#ifndef FRAGLAB_REPLAY_RANGES_H
#define FRAGLAB_REPLAY_RANGES_H

#include <stddef.h>
#include <stdint.h>

#define REPLAY_RANGES_NONE UINT32_MAX

struct replay_range_node {
	uintptr_t start, end; /* [start, end) */
	uint32_t left, right;
};

struct replay_ranges {
	struct replay_range_node *nodes; /* n_slots of them, caller-provided */
	uint32_t root;
};

/* nodes must have room for every slot. */
void replay_ranges_init(struct replay_ranges *r, struct replay_range_node *nodes);

/* Adds slot's block [start, start+len) (len >= 1).  If it overlaps a live
 * block, adds nothing and returns the slot of one such block; otherwise
 * returns REPLAY_RANGES_NONE. */
uint32_t replay_ranges_insert(struct replay_ranges *r, uint32_t slot, uintptr_t start, size_t len);

/* Removes slot's block, which must be in the set. */
void replay_ranges_remove(struct replay_ranges *r, uint32_t slot);

#endif
