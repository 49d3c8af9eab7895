/*
 * replay_verify.h: --verify's checks on what the allocator hands out.
 *
 * Every block is filled with a byte pattern derived from its slot and
 * generation (never 0, so calloc's zeroes are told apart) and checked at its
 * free and realloc; realloc must preserve min(old, new) bytes.  New blocks
 * must be aligned (memalign: the requested alignment; otherwise 16, or for
 * requests under 16 bytes the largest power of two not above the size, which
 * is all C's fundamental alignment demands of them), calloc's must be zero,
 * and no two live blocks may overlap (replay_ranges).
 *
 * Each check returns 0, or -1 after writing one line naming the event, the
 * slot, the allocator and what broke into msg.
 */
#ifndef FRAGLAB_REPLAY_VERIFY_H
#define FRAGLAB_REPLAY_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "replay.h"

/* Before free or realloc of e->slot: its contents are intact; it leaves the
 * live set. */
int replay_verify_release(struct replay_workspace *ws, const struct trace_event *e, uint64_t index,
			  const char *allocator, char *msg, size_t msglen);

/* After malloc/calloc/memalign/realloc returned p (non-NULL) for e->slot.
 * old_size is the block's size before a realloc (0 otherwise).  Checks, then
 * fills p with the slot's next pattern and adds it to the live set. */
int replay_verify_acquire(struct replay_workspace *ws, const struct trace_event *e,
			  uint64_t index, void *p, uint64_t old_size, const char *allocator,
			  char *msg, size_t msglen);

#endif
