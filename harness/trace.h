/*
 * trace.h: fraglab traces, compiled.
 *
 * A trace on disk is JSON (docs/trace-format.md).  Parsing JSON costs about
 * a microsecond an event, far more than the malloc being measured, so every
 * trace is compiled once into a flat array of 16-byte events, with the
 * trace's ids renumbered into dense slots (0 .. n_slots-1) so the replayer
 * keeps a plain array of live pointers.  The compiled form is cached on
 * disk and mmapped for replay.
 *
 * Invariants of a compiled trace (established by validation, relied on by
 * the replayer without checks):
 *   - an event's slot is < n_slots;
 *   - malloc/calloc/memalign name a slot that is not live; realloc and free
 *     name a live slot; a slot is live from its allocation to its free;
 *   - memalign's align is a power of two >= sizeof(void *) and <= 2^30,
 *     stored as log2;
 *   - size fits in PTRDIFF_MAX, and so does the sum of live sizes;
 *   - n_slots == summary.peak_live_blocks (freed slots are reused);
 *   - an event's tid is < summary.threads (tids renumbered by first use);
 *   - n_events >= 1.
 */
#ifndef FRAGLAB_TRACE_H
#define FRAGLAB_TRACE_H

#include <stddef.h>
#include <stdint.h>

enum trace_op {
	TRACE_OP_MALLOC = 0,
	TRACE_OP_CALLOC = 1,   /* replayed as calloc(1, size) */
	TRACE_OP_REALLOC = 2,  /* slot keeps its number */
	TRACE_OP_MEMALIGN = 3, /* align = 1 << align_log2 */
	TRACE_OP_FREE = 4,
	TRACE_OP_COUNT
};

/* One compiled event: exactly 16 bytes. */
struct trace_event {
	uint64_t size;       /* bytes requested; calloc: nmemb * size; free: 0 */
	uint32_t slot;       /* dense slot the trace's id maps to */
	uint16_t tid;        /* recorded thread, renumbered densely from 0 */
	uint8_t op;          /* enum trace_op */
	uint8_t align_log2;  /* memalign only, else 0 */
};
_Static_assert(sizeof(struct trace_event) == 16, "compiled events are 16 bytes");

#define TRACE_SIZE_CLASSES 64 /* histogram bucket k: sizes in [2^(k-1), 2^k) ; bucket 0: size 0 */

/* The block a heap with glibc's and flmalloc's layout gives a request of
 * `size` bytes: an 8-byte header, blocks in multiples of 16 bytes, 32 at
 * least.  Summed over live blocks, no such heap can hold less: a floor
 * under their peak heap, before page rounding and alignment padding. */
static inline uint64_t trace_block_bytes(uint64_t size)
{
	uint64_t b = (size + 8 + 15) & ~(uint64_t)15;
	return b < 32 ? 32 : b;
}

/* What validation learns about a trace while compiling it. */
struct trace_summary {
	uint64_t events;
	uint64_t op_count[TRACE_OP_COUNT];
	uint64_t peak_live_bytes;     /* max over time of the sum of live requested sizes */
	uint64_t peak_live_blocks;
	uint64_t peak_live_event;     /* index of the event after which live bytes first peak */
	uint64_t peak_block_bytes;    /* max over time of the sum of trace_block_bytes() of live blocks */
	uint64_t live_bytes_end;
	uint64_t live_blocks_end;
	uint64_t requested_bytes;     /* sum of sizes of all allocations and reallocs (saturates at UINT64_MAX) */
	uint64_t max_size;            /* largest size requested by any event */
	uint64_t size_hist[TRACE_SIZE_CLASSES + 1];
	uint32_t slots;
	uint32_t threads;
};

struct trace {
	char name[256];                    /* the header's "name" */
	char path[4096];                   /* the file it came from */
	const struct trace_event *events;  /* n_events of them, read-only */
	uint64_t n_events;
	uint32_t n_slots;
	struct trace_summary summary;
	uint64_t key;                      /* cache key: hash of the file's bytes */
	int compiled;                      /* 1: this open compiled it; 0: cache hit */
	void *map;                         /* private to trace.c */
	size_t map_len;
};

/* Opens a trace (.json or .jsonl, either optionally .gz), compiling it into
 * the cache when the cache has no up-to-date copy.  On bad input prints one
 * line "FILE:LINE[:COL]: event N: WHAT" to stderr and returns -1; returns 0
 * on success. */
int trace_open(const char *path, struct trace *out);
void trace_close(struct trace *t);

#endif
