/*
 * replay_dispatch.h: the allocator call of one compiled event, written
 * once for the four replay loops (replay.c's timing and careful loops,
 * replay_threads.c's per-thread timing and careful loops).
 *
 * What it does: dispatches on the op and makes exactly one call, as
 * docs/metrics.md ("Replaying an event") defines it: malloc(size),
 * calloc(1, size), realloc(slots[slot], size), memalign(1 << align_log2,
 * size), or free(slots[slot]).  It reads the slot table (realloc, free)
 * and never writes it.
 *
 * What it does not do, because the loops differ there and each does it
 * itself around this call: check for NULL (oom), store the block in the
 * slot table or clear a freed slot, touch (--touch) or check (--verify) the
 * block, read the clock (the latency pass brackets exactly this call, and
 * the touch stays outside the bracket), or wait for and hand over a slot
 * between threads.
 *
 * always_inline, and "was it an allocation" as the return value rather
 * than a test of the op after the call: inlined into the timing loops,
 * each case then jumps straight to its own continuation, which compiles
 * to the same code as the switch written in place (checked with objdump,
 * docs/metrics.md "Harness cost"); testing the op again after the call
 * cost the threaded loop an extra compare per event.
 */
#ifndef FRAGLAB_REPLAY_DISPATCH_H
#define FRAGLAB_REPLAY_DISPATCH_H

#include <malloc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "trace.h"

/* op: the event's enum trace_op with any stream flags already masked off
 * (replay_streams.h); every op other than the four allocations is a free.
 * Returns true for an allocation, with what the allocator returned (NULL
 * included) in *block; false for a free, with *block set to NULL. */
static inline __attribute__((always_inline)) bool
replay_dispatch(unsigned op, const struct trace_event *e, void *const *slots, void **block)
{
	const size_t size = e->size;
	switch (op) {
	case TRACE_OP_MALLOC:
		*block = malloc(size);
		return true;
	case TRACE_OP_CALLOC:
		*block = calloc(1, size);
		return true;
	case TRACE_OP_REALLOC:
		*block = realloc(slots[e->slot], size);
		return true;
	case TRACE_OP_MEMALIGN:
		*block = memalign((size_t)1 << e->align_log2, size);
		return true;
	default:
		free(slots[e->slot]);
		*block = NULL;
		return false;
	}
}

#endif
