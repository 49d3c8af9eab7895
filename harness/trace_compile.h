/*
 * trace_compile.h: validates trace events one at a time and compiles each
 * into a 16-byte struct trace_event, accumulating the trace's summary.
 *
 * Memory is proportional to the peak number of live blocks (the live-id
 * map and per-slot state) and the number of threads, never to the number
 * of events, so a streamed trace compiles in bounded memory.
 *
 * Slots: a free pushes the slot on the freeing thread's free-slot stack.
 * An allocation pops the most recently freed slot from its own thread's
 * stack; if that is empty, from another thread's non-empty stack; only if
 * every stack is empty does it open a new slot.  So n_slots is exactly the
 * peak number of live blocks, for any trace, and a slot passes between
 * threads only when the allocating thread has no free slot of its own
 * (see docs/trace-format.md, "Slots").
 */
#ifndef FRAGLAB_TRACE_COMPILE_H
#define FRAGLAB_TRACE_COMPILE_H

#include <jansson.h>
#include <stdint.h>

#include "trace.h"
#include "trace_idmap.h"

#define TRACE_MAX_THREADS 65536u           /* dense tids fit uint16_t */
#define TRACE_MAX_ALIGN_LOG2 30            /* align <= 1 GiB */
#define TRACE_NO_SLOT UINT32_MAX

struct trace_compiler {
	struct trace_idmap ids;        /* live trace id -> slot */
	struct trace_idmap tids;       /* recorded tid -> dense thread */
	uint64_t *slot_size;           /* requested size of the block in a live slot */
	uint64_t *slot_born;           /* event index that allocated it (for messages) */
	uint32_t *slot_next_free;      /* links of the per-thread free-slot stacks */
	uint32_t slot_capacity;
	uint32_t *thread_free_top;     /* per dense thread: top free slot or TRACE_NO_SLOT */
	uint32_t *thread_stocked_at;   /* per dense thread: index in stocked[], if its stack is non-empty */
	uint16_t *stocked;             /* the threads whose free-slot stack is non-empty */
	uint32_t n_stocked;
	uint32_t thread_capacity;
	uint64_t live_bytes;           /* invariant: <= PTRDIFF_MAX */
	uint64_t live_block_bytes;     /* sum of trace_block_bytes() of live sizes */
	uint64_t live_blocks;
	struct trace_summary summary;  /* summary.events = index of the next event */
	char error[256];               /* why the last trace_compiler_add failed */
};

/* An event's fields as read from its JSON, before the checks that span
 * fields or events.  Absent optional fields are 0. */
struct trace_raw_event {
	enum trace_op op;
	int64_t id, size, nmemb, align, tid, ns;
};

int trace_compiler_init(struct trace_compiler *c);
void trace_compiler_free(struct trace_compiler *c);

/* Validates event (any JSON value) as event number c->summary.events and
 * compiles it into *out.  Returns 0, or -1 with c->error set to a one-line
 * description (without file, line or event index).
 * = trace_compiler_read_json + trace_compiler_add_raw. */
int trace_compiler_add(struct trace_compiler *c, const json_t *event, struct trace_event *out);

/* Reads an event's fields: an object with a known "op", every field the op
 * needs present, every field an integer within its range (id, size, nmemb:
 * 0..2^63-1; tid 0..2^32-1; ns >= 0; align >= 0).  Returns 0, or -1 with
 * c->error set. */
int trace_compiler_read_json(struct trace_compiler *c, const json_t *event, struct trace_raw_event *raw);

/* Validates and compiles an event whose fields passed read_json's checks
 * (or trace_fastline_parse's, which are stricter). */
int trace_compiler_add_raw(struct trace_compiler *c, const struct trace_raw_event *raw,
			   struct trace_event *out);

/* The summary so far, completed with live-at-end, slots and threads. */
void trace_compiler_summary(const struct trace_compiler *c, struct trace_summary *out);

#endif
