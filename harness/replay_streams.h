/*
 * replay_streams.h: a multi-threaded trace split into one event stream per
 * recorded thread, with its cross-thread dependencies marked, for
 * `fraglab replay --threads recorded` (docs/metrics.md, "Multi-threaded
 * replay").
 *
 * Built by the parent from a compiled trace (global order) and handed to
 * the replay child as a sealed memfd laid out as
 *
 *   struct replay_streams_header, then count[n_threads] (uint64_t),
 *   padded to a page; then thread 0's events, thread 1's, ...
 *
 * Slots are reassigned for the threaded replay (n_slots in the header):
 * a freed slot goes back to the thread that freed it and a thread with no
 * free slot of its own opens a new one, so an allocation never waits for a
 * free on another thread merely because the compiler recycled that slot
 * (replay_streams.c: past a cap on slots it does take another thread's
 * free slot, and then waits for that free).  So a slot's events are those
 * of the blocks that lived in it, one after another, and the dependencies
 * are exactly: a realloc or free waits for the block's allocation or last
 * realloc when that happened on another thread.
 *
 * Each stream event is the trace's 16-byte struct trace_event, with two
 * fields reused, since inside a stream the thread is implicit:
 *   slot the replay slot;
 *   op   low 3 bits: the enum trace_op;
 *        REPLAY_STREAM_WAIT: the previous event on this slot (in global
 *        order) belongs to another thread: wait until that thread hands the
 *        slot over (acquire) before doing this one;
 *        REPLAY_STREAM_HANDOFF: the next event on this slot belongs to
 *        another thread: after doing this one, hand the slot to it (release);
 *   tid  with REPLAY_STREAM_HANDOFF, the thread the slot goes to; else 0.
 * So an event that no other thread depends on is replayed exactly as in a
 * single-threaded replay: no extra memory and no atomic operation.
 *
 * Why the replay cannot deadlock: a dependency always joins an event to the
 * previous event on its slot in the trace's global (file) order, and each
 * thread replays its events in global order, so every edge of the
 * wait-for graph points backwards in global order and the graph has no
 * cycle: the earliest unfinished event can always run.  A cycle would need
 * an event that depends on a later one: a free or realloc of a block before
 * its allocation, or an allocation of an id before its previous free; the
 * compiler refuses exactly those (free/realloc of an id that is not live,
 * malloc of an id that is live), naming the event (docs/trace-format.md).
 * A recording from a real run never has them: fraglab record numbers
 * events with one atomic counter, logging a malloc after it returns and a
 * free before it starts, so the global order agrees with what happened.
 */
#ifndef FRAGLAB_REPLAY_STREAMS_H
#define FRAGLAB_REPLAY_STREAMS_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

#define REPLAY_STREAM_OP_MASK 0x07u
#define REPLAY_STREAM_WAIT 0x08u
#define REPLAY_STREAM_HANDOFF 0x10u

/* More recorded threads than this are refused for a threaded replay
 * (--threads 1 still replays them): each is a real thread with its own
 * pre-faulted stack. */
#define REPLAY_STREAMS_MAX_THREADS 512u

#define REPLAY_STREAMS_MAGIC 0x666c7374u /* "flst" */

struct replay_streams_header {
	uint32_t magic;
	uint32_t n_threads;
	uint64_t n_events;
	uint32_t n_slots;       /* replay slots (reassigned per thread, see replay_streams.c) */
	uint32_t pad;
	uint64_t slot_steals;   /* allocations that took another thread's free slot (past the cap) */
	uint64_t handoffs;      /* events with REPLAY_STREAM_WAIT */
	uint64_t remote_frees;  /* frees of a block last (re)allocated by another thread */
	uint64_t events_offset; /* bytes from the start to thread 0's first event */
	uint64_t count[];       /* n_threads: events per thread */
};

/* What the parent keeps of a built stream set. */
struct replay_streams_info {
	uint32_t n_threads, n_slots;
	uint64_t handoffs, remote_frees, slot_steals;
	size_t bytes; /* size of the memfd */
};

/* Thread-private slots a replay may open beyond 4 x the trace's own count
 * before it takes other threads' free slots (12 bytes each in the child).
 * FRAGLAB_REPLAY_EXTRA_SLOTS overrides it (tests use 0 to exercise the
 * taking). */
#define REPLAY_STREAMS_EXTRA_SLOTS (1u << 20)

/* Builds the streams of a compiled trace into a new sealed memfd, returned
 * in *fd.  Returns 0, or -1 with one line in err. */
int replay_streams_build(const struct trace_event *events, uint64_t n_events, uint32_t n_slots,
			 uint32_t n_threads, uint32_t extra_slots, int *fd,
			 struct replay_streams_info *info, char *err, size_t errlen);

/* The events of thread t, inside a mapped stream set. */
static inline const struct trace_event *replay_streams_events(const struct replay_streams_header *h,
							     uint32_t t)
{
	const struct trace_event *ev =
		(const struct trace_event *)((const char *)h + h->events_offset);
	for (uint32_t i = 0; i < t; i++)
		ev += h->count[i];
	return ev;
}

/* Checks a mapped stream set's header against its length; 0 or -1. */
int replay_streams_check(const struct replay_streams_header *h, size_t len);

#endif
