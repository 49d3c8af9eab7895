/* replay_verify.c: pattern, alignment, zeroing and overlap checks. */
#include "replay_verify.h"

#include <stdio.h>
#include <string.h>

static const char *const op_names[TRACE_OP_COUNT] = {"malloc", "calloc", "realloc", "memalign", "free"};

static uint8_t pattern(uint32_t slot, uint32_t generation)
{
	uint32_t x = slot * 2654435761u ^ generation * 40503u;
	x ^= x >> 15;
	return (uint8_t)(x % 255 + 1); /* 1..255: never calloc's 0 */
}

/* Index of the first byte of p[0..len) that differs from b, or len. */
static size_t first_mismatch(const uint8_t *p, size_t len, uint8_t b)
{
	const uint64_t word = 0x0101010101010101ull * b;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if (w != word)
			break;
	}
	for (; i < len; i++)
		if (p[i] != b)
			return i;
	return len;
}

static size_t required_alignment(const struct trace_event *e)
{
	if (e->op == TRACE_OP_MEMALIGN)
		return (size_t)1 << e->align_log2;
	size_t a = 16;
	while (a > 1 && a > e->size)
		a >>= 1;
	return a;
}

int replay_verify_release(struct replay_workspace *ws, const struct trace_event *e, uint64_t index,
			  const char *allocator, char *msg, size_t msglen)
{
	const uint8_t *p = ws->slots[e->slot];
	if (!p) /* realloc(p, 0) may have freed and returned NULL */
		return 0;
	uint64_t size = ws->sizes[e->slot];
	uint8_t b = pattern(e->slot, ws->generation[e->slot]);
	size_t at = first_mismatch(p, size, b);
	if (at < size) {
		snprintf(msg, msglen,
			 "event %llu (%s of slot %u): block %p of %llu bytes was overwritten at byte %zu "
			 "while live (allocator %s)",
			 (unsigned long long)index, op_names[e->op], e->slot, (const void *)p,
			 (unsigned long long)size, at, allocator);
		return -1;
	}
	replay_ranges_remove(&ws->ranges, e->slot);
	return 0;
}

int replay_verify_acquire(struct replay_workspace *ws, const struct trace_event *e,
			  uint64_t index, void *p, uint64_t old_size, const char *allocator,
			  char *msg, size_t msglen)
{
	const uint32_t slot = e->slot;
	const size_t size = e->size;
	const char *op = op_names[e->op];
	size_t align = required_alignment(e);
	if ((uintptr_t)p % align) {
		snprintf(msg, msglen,
			 "event %llu (%s of slot %u, %zu bytes): %p is not %zu-byte aligned (allocator %s)",
			 (unsigned long long)index, op, slot, size, p, align, allocator);
		return -1;
	}
	if (e->op == TRACE_OP_CALLOC) {
		size_t at = first_mismatch(p, size, 0);
		if (at < size) {
			snprintf(msg, msglen,
				 "event %llu (calloc of slot %u, %zu bytes): byte %zu of %p is not zero "
				 "(allocator %s)",
				 (unsigned long long)index, slot, size, at, p, allocator);
			return -1;
		}
	}
	if (e->op == TRACE_OP_REALLOC) {
		size_t kept = old_size < size ? old_size : size;
		uint8_t old = pattern(slot, ws->generation[slot]);
		size_t at = first_mismatch(p, kept, old);
		if (at < kept) {
			snprintf(msg, msglen,
				 "event %llu (realloc of slot %u, %llu -> %zu bytes): byte %zu of %p lost "
				 "its contents (allocator %s)",
				 (unsigned long long)index, slot, (unsigned long long)old_size, size, at, p,
				 allocator);
			return -1;
		}
	}
	uint32_t other = replay_ranges_insert(&ws->ranges, slot, (uintptr_t)p, size ? size : 1);
	if (other != REPLAY_RANGES_NONE) {
		const struct replay_range_node *o = &ws->ranges.nodes[other];
		snprintf(msg, msglen,
			 "event %llu (%s of slot %u, %zu bytes): block %p overlaps live block "
			 "[%p, %p) of slot %u (allocator %s)",
			 (unsigned long long)index, op, slot, size, p, (void *)o->start, (void *)o->end,
			 other, allocator);
		return -1;
	}
	ws->generation[slot]++;
	memset(p, pattern(slot, ws->generation[slot]), size);
	return 0;
}
