/* fuzz_trace_check.c: re-checks a compiled trace (fuzz_trace_check.h). */
#include "fuzz_trace_check.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_compile.h"

static void __attribute__((noreturn, format(printf, 2, 3)))
check_fail(const struct trace *t, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "fuzz_trace_check: %s: ", t->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK(t, cond, ...)                         \
	do {                                        \
		if (!(cond))                        \
			check_fail((t), __VA_ARGS__); \
	} while (0)

static unsigned size_class(uint64_t size)
{
	return size ? 64u - (unsigned)__builtin_clzll(size) : 0u;
}

/* The block size rule of trace_block_bytes, written out again: 8 bytes of
 * header, rounded up to 16, 32 at least. */
static uint64_t oracle_block(uint64_t size)
{
	uint64_t b = size + 8;
	if (b % 16)
		b += 16 - b % 16;
	return b < 32 ? 32 : b;
}

void fuzz_trace_check(const struct trace *t)
{
	const struct trace_summary *s = &t->summary;
	CHECK(t, t->n_events >= 1, "no events");
	CHECK(t, s->events == t->n_events, "summary.events %" PRIu64 " != n_events %" PRIu64, s->events,
	      t->n_events);
	CHECK(t, t->n_slots == s->slots, "n_slots %u != summary.slots %u", t->n_slots, s->slots);
	CHECK(t, s->threads >= 1 && s->threads <= TRACE_MAX_THREADS, "summary.threads %u", s->threads);

	/* Per slot: live?, and the live block's size. */
	uint8_t *live = calloc(t->n_slots ? t->n_slots : 1, 1);
	uint64_t *size_of = calloc(t->n_slots ? t->n_slots : 1, sizeof *size_of);
	if (!live || !size_of)
		check_fail(t, "out of memory for %u slots", t->n_slots);
	struct trace_summary want;
	memset(&want, 0, sizeof want);
	uint64_t live_bytes = 0, live_blocks = 0, block_bytes = 0;
	uint16_t max_tid = 0;
	for (uint64_t i = 0; i < t->n_events; i++) {
		const struct trace_event *e = &t->events[i];
		CHECK(t, e->op < TRACE_OP_COUNT, "event %" PRIu64 ": op %u", i, e->op);
		CHECK(t, e->slot < t->n_slots, "event %" PRIu64 ": slot %u >= n_slots %u", i, e->slot,
		      t->n_slots);
		CHECK(t, e->tid < s->threads, "event %" PRIu64 ": tid %u >= threads %u", i, e->tid, s->threads);
		CHECK(t, e->size <= PTRDIFF_MAX, "event %" PRIu64 ": size %" PRIu64, i, e->size);
		if (e->op == TRACE_OP_MEMALIGN)
			CHECK(t, e->align_log2 >= 3 && e->align_log2 <= TRACE_MAX_ALIGN_LOG2,
			      "event %" PRIu64 ": align_log2 %u", i, e->align_log2);
		else
			CHECK(t, e->align_log2 == 0, "event %" PRIu64 ": align_log2 %u on op %u", i,
			      e->align_log2, e->op);
		if (e->tid > max_tid)
			max_tid = e->tid;
		want.op_count[e->op]++;
		switch (e->op) {
		case TRACE_OP_MALLOC:
		case TRACE_OP_CALLOC:
		case TRACE_OP_MEMALIGN:
			CHECK(t, !live[e->slot], "event %" PRIu64 ": allocation into live slot %u", i, e->slot);
			live[e->slot] = 1;
			live_blocks++;
			CHECK(t, e->size <= PTRDIFF_MAX - live_bytes, "event %" PRIu64 ": live bytes overflow", i);
			live_bytes += e->size;
			block_bytes += oracle_block(e->size);
			break;
		case TRACE_OP_REALLOC:
			CHECK(t, live[e->slot], "event %" PRIu64 ": realloc of free slot %u", i, e->slot);
			CHECK(t, e->size >= 1, "event %" PRIu64 ": realloc to 0", i);
			live_bytes -= size_of[e->slot];
			CHECK(t, e->size <= PTRDIFF_MAX - live_bytes, "event %" PRIu64 ": live bytes overflow", i);
			live_bytes += e->size;
			block_bytes += oracle_block(e->size) - oracle_block(size_of[e->slot]);
			break;
		default:
			CHECK(t, live[e->slot], "event %" PRIu64 ": free of free slot %u", i, e->slot);
			CHECK(t, e->size == 0, "event %" PRIu64 ": free with size %" PRIu64, i, e->size);
			live[e->slot] = 0;
			live_blocks--;
			live_bytes -= size_of[e->slot];
			block_bytes -= oracle_block(size_of[e->slot]);
			break;
		}
		if (e->op != TRACE_OP_FREE) {
			size_of[e->slot] = e->size;
			want.requested_bytes = e->size > UINT64_MAX - want.requested_bytes
						       ? UINT64_MAX
						       : want.requested_bytes + e->size;
			if (e->size > want.max_size)
				want.max_size = e->size;
			want.size_hist[size_class(e->size)]++;
		}
		if (live_bytes > want.peak_live_bytes) {
			want.peak_live_bytes = live_bytes;
			want.peak_live_event = i;
		}
		if (live_blocks > want.peak_live_blocks)
			want.peak_live_blocks = live_blocks;
		if (block_bytes > want.peak_block_bytes)
			want.peak_block_bytes = block_bytes;
	}
	free(live);
	free(size_of);

	CHECK(t, memcmp(want.op_count, s->op_count, sizeof want.op_count) == 0, "op counts differ");
	CHECK(t, want.peak_live_bytes == s->peak_live_bytes, "peak_live_bytes %" PRIu64 ", recomputed %" PRIu64,
	      s->peak_live_bytes, want.peak_live_bytes);
	CHECK(t, want.peak_live_event == s->peak_live_event, "peak_live_event %" PRIu64 ", recomputed %" PRIu64,
	      s->peak_live_event, want.peak_live_event);
	CHECK(t, want.peak_live_blocks == s->peak_live_blocks, "peak_live_blocks %" PRIu64 ", recomputed %" PRIu64,
	      s->peak_live_blocks, want.peak_live_blocks);
	CHECK(t, want.peak_block_bytes == s->peak_block_bytes, "peak_block_bytes %" PRIu64 ", recomputed %" PRIu64,
	      s->peak_block_bytes, want.peak_block_bytes);
	/* Freed slots are reused, so exactly the peak number of slots exist. */
	CHECK(t, s->slots == want.peak_live_blocks, "slots %u != peak live blocks %" PRIu64, s->slots,
	      want.peak_live_blocks);
	CHECK(t, live_bytes == s->live_bytes_end, "live_bytes_end %" PRIu64 ", recomputed %" PRIu64,
	      s->live_bytes_end, live_bytes);
	CHECK(t, live_blocks == s->live_blocks_end, "live_blocks_end %" PRIu64 ", recomputed %" PRIu64,
	      s->live_blocks_end, live_blocks);
	CHECK(t, want.requested_bytes == s->requested_bytes, "requested_bytes differ");
	CHECK(t, want.max_size == s->max_size, "max_size differ");
	CHECK(t, memcmp(want.size_hist, s->size_hist, sizeof want.size_hist) == 0, "size_hist differ");
	/* Dense tids: every thread number below threads is used. */
	CHECK(t, (uint32_t)max_tid + 1 == s->threads, "threads %u but highest tid %u", s->threads, max_tid);
}
