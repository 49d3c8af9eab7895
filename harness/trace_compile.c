/* trace_compile.c: see trace_compile.h. */
#include "trace_compile.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const trace_op_names[TRACE_OP_COUNT] = {
	[TRACE_OP_MALLOC] = "malloc",
	[TRACE_OP_CALLOC] = "calloc",
	[TRACE_OP_REALLOC] = "realloc",
	[TRACE_OP_MEMALIGN] = "memalign",
	[TRACE_OP_FREE] = "free",
};

static int trace_compiler_fail(struct trace_compiler *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int trace_compiler_fail(struct trace_compiler *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof c->error, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *trace_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number with a fraction or exponent";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "an unknown JSON value";
}

int trace_compiler_init(struct trace_compiler *c)
{
	memset(c, 0, sizeof *c);
	if (trace_idmap_init(&c->ids) < 0)
		return -1;
	if (trace_idmap_init(&c->tids) < 0) {
		trace_idmap_free(&c->ids);
		return -1;
	}
	return 0;
}

void trace_compiler_free(struct trace_compiler *c)
{
	trace_idmap_free(&c->ids);
	trace_idmap_free(&c->tids);
	free(c->slot_size);
	free(c->slot_born);
	free(c->slot_next_free);
	free(c->thread_free_top);
	free(c->thread_stocked_at);
	free(c->stocked);
	memset(c, 0, sizeof *c);
}

/* Reads the integer key `key` of obj into *value, requiring
 * min <= value <= max.  A missing key is an error if required, else
 * leaves *value alone and returns 0.  Returns -1 with c->error set. */
static int trace_compiler_get_int(struct trace_compiler *c, const json_t *obj, const char *key,
				  int required, int64_t min, int64_t max, int64_t *value)
{
	const json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required)
			return trace_compiler_fail(c, "missing \"%s\"", key);
		return 0;
	}
	if (!json_is_integer(v))
		return trace_compiler_fail(c, "\"%s\" must be an integer, got %s", key,
					   trace_json_type_name(v));
	json_int_t n = json_integer_value(v);
	if (n < min || n > max)
		return trace_compiler_fail(c, "\"%s\" must be in %" PRId64 "..%" PRId64 ", got %lld",
					   key, min, max, (long long)n);
	*value = n;
	return 0;
}

/* Ensures slot `slot` exists in the per-slot arrays. */
static int trace_compiler_reserve_slot(struct trace_compiler *c, uint32_t slot)
{
	if (slot < c->slot_capacity)
		return 0;
	uint64_t cap = c->slot_capacity ? (uint64_t)c->slot_capacity * 2 : 1024;
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	uint64_t *size = realloc(c->slot_size, cap * sizeof *size);
	if (size)
		c->slot_size = size;
	uint64_t *born = realloc(c->slot_born, cap * sizeof *born);
	if (born)
		c->slot_born = born;
	uint32_t *next = realloc(c->slot_next_free, cap * sizeof *next);
	if (next)
		c->slot_next_free = next;
	if (!size || !born || !next)
		return trace_compiler_fail(c, "out of memory for %" PRIu64 " slots", cap);
	c->slot_capacity = (uint32_t)cap;
	return 0;
}

/* Maps a recorded tid to its dense thread number, adding it if new. */
static int trace_compiler_thread(struct trace_compiler *c, uint64_t tid, uint16_t *dense)
{
	uint32_t *known = trace_idmap_find(&c->tids, tid);
	if (known) {
		*dense = (uint16_t)*known;
		return 0;
	}
	uint32_t n = c->summary.threads;
	if (n >= TRACE_MAX_THREADS)
		return trace_compiler_fail(c, "tid %" PRIu64 " would be distinct tid number %u; at most %u are allowed",
					   tid, n + 1, TRACE_MAX_THREADS);
	if (n >= c->thread_capacity) {
		uint32_t cap = c->thread_capacity ? c->thread_capacity * 2 : 16;
		uint32_t *top = realloc(c->thread_free_top, cap * sizeof *top);
		if (top)
			c->thread_free_top = top;
		uint32_t *at = realloc(c->thread_stocked_at, cap * sizeof *at);
		if (at)
			c->thread_stocked_at = at;
		uint16_t *stocked = realloc(c->stocked, cap * sizeof *stocked);
		if (stocked)
			c->stocked = stocked;
		if (!top || !at || !stocked)
			return trace_compiler_fail(c, "out of memory for %u threads", cap);
		c->thread_capacity = cap;
	}
	if (trace_idmap_insert(&c->tids, tid, n) < 0)
		return trace_compiler_fail(c, "out of memory for %u threads", n + 1);
	c->thread_free_top[n] = TRACE_NO_SLOT;
	c->summary.threads = n + 1;
	*dense = (uint16_t)n;
	return 0;
}

/* Returns slot to the free-slot stack of thread `thread`. */
static void trace_compiler_push_slot(struct trace_compiler *c, uint16_t thread, uint32_t slot)
{
	if (c->thread_free_top[thread] == TRACE_NO_SLOT) {
		c->thread_stocked_at[thread] = c->n_stocked;
		c->stocked[c->n_stocked++] = thread;
	}
	c->slot_next_free[slot] = c->thread_free_top[thread];
	c->thread_free_top[thread] = slot;
}

/* Pops the top of thread's (non-empty) free-slot stack. */
static uint32_t trace_compiler_pop_slot(struct trace_compiler *c, uint16_t thread)
{
	uint32_t slot = c->thread_free_top[thread];
	c->thread_free_top[thread] = c->slot_next_free[slot];
	if (c->thread_free_top[thread] == TRACE_NO_SLOT) {
		/* Swap-remove thread from the stocked set. */
		uint32_t at = c->thread_stocked_at[thread];
		uint16_t last = c->stocked[--c->n_stocked];
		c->stocked[at] = last;
		c->thread_stocked_at[last] = at;
	}
	return slot;
}

/* Takes a slot for a new block on thread `thread`: its own most recently
 * freed slot, else another thread's, else a new one. */
static int trace_compiler_take_slot(struct trace_compiler *c, uint16_t thread, uint32_t *slot)
{
	if (c->thread_free_top[thread] != TRACE_NO_SLOT) {
		*slot = trace_compiler_pop_slot(c, thread);
		return 0;
	}
	if (c->n_stocked) {
		*slot = trace_compiler_pop_slot(c, c->stocked[c->n_stocked - 1]);
		return 0;
	}
	if (c->summary.slots == TRACE_NO_SLOT)
		return trace_compiler_fail(c, "more than %u blocks live at once", TRACE_NO_SLOT - 1);
	if (trace_compiler_reserve_slot(c, c->summary.slots) < 0)
		return -1;
	*slot = c->summary.slots++;
	return 0;
}

static unsigned trace_size_class(uint64_t size)
{
	return size ? 64u - (unsigned)__builtin_clzll(size) : 0u;
}

static void trace_compiler_count_request(struct trace_compiler *c, uint64_t size)
{
	struct trace_summary *s = &c->summary;
	s->requested_bytes = size > UINT64_MAX - s->requested_bytes ? UINT64_MAX
								    : s->requested_bytes + size;
	if (size > s->max_size)
		s->max_size = size;
	s->size_hist[trace_size_class(size)]++;
}

static int trace_op_parse(struct trace_compiler *c, const json_t *event, enum trace_op *op)
{
	const json_t *v = json_object_get(event, "op");
	if (!v)
		return trace_compiler_fail(c, "missing \"op\"");
	if (!json_is_string(v))
		return trace_compiler_fail(c, "\"op\" must be a string, got %s", trace_json_type_name(v));
	const char *name = json_string_value(v);
	for (int i = 0; i < TRACE_OP_COUNT; i++) {
		if (!strcmp(name, trace_op_names[i])) {
			*op = (enum trace_op)i;
			return 0;
		}
	}
	/* Quote at most 40 bytes, control characters replaced, so the message
	 * stays one readable line whatever the trace holds. */
	char shown[41];
	size_t n = 0;
	for (; name[n] && n < sizeof shown - 1; n++)
		shown[n] = (unsigned char)name[n] < 0x20 || name[n] == 0x7f ? '?' : name[n];
	shown[n] = '\0';
	return trace_compiler_fail(c, "unknown op \"%s%s\" (expected malloc, calloc, realloc, memalign or free)",
				   shown, name[n] ? "..." : "");
}

int trace_compiler_read_json(struct trace_compiler *c, const json_t *event, struct trace_raw_event *raw)
{
	memset(raw, 0, sizeof *raw);
	if (!json_is_object(event))
		return trace_compiler_fail(c, "an event must be a JSON object, got %s",
					   trace_json_type_name(event));
	if (trace_op_parse(c, event, &raw->op) < 0 ||
	    trace_compiler_get_int(c, event, "id", 1, 0, INT64_MAX, &raw->id) < 0)
		return -1;
	switch (raw->op) {
	case TRACE_OP_MALLOC:
	case TRACE_OP_REALLOC:
		if (trace_compiler_get_int(c, event, "size", 1, 0, PTRDIFF_MAX, &raw->size) < 0)
			return -1;
		break;
	case TRACE_OP_CALLOC:
		if (trace_compiler_get_int(c, event, "nmemb", 1, 0, PTRDIFF_MAX, &raw->nmemb) < 0 ||
		    trace_compiler_get_int(c, event, "size", 1, 0, PTRDIFF_MAX, &raw->size) < 0)
			return -1;
		break;
	case TRACE_OP_MEMALIGN:
		if (trace_compiler_get_int(c, event, "align", 1, 0, INT64_MAX, &raw->align) < 0 ||
		    trace_compiler_get_int(c, event, "size", 1, 0, PTRDIFF_MAX, &raw->size) < 0)
			return -1;
		break;
	case TRACE_OP_FREE:
	case TRACE_OP_COUNT:
		break;
	}
	if (trace_compiler_get_int(c, event, "tid", 0, 0, UINT32_MAX, &raw->tid) < 0 ||
	    trace_compiler_get_int(c, event, "ns", 0, 0, INT64_MAX, &raw->ns) < 0)
		return -1;
	return 0;
}

int trace_compiler_add(struct trace_compiler *c, const json_t *event, struct trace_event *out)
{
	struct trace_raw_event raw;
	if (trace_compiler_read_json(c, event, &raw) < 0)
		return -1;
	return trace_compiler_add_raw(c, &raw, out);
}

/* Issue 8: in a multi-threaded trace, an event out of order is what would
 * make a threaded replay wait for ever (a thread waiting for an event that
 * comes later in another thread, which may itself be waiting); say so.
 * Every cross-thread dependency of an accepted trace points backwards in
 * the file's order, so an accepted trace cannot deadlock. */
static const char *trace_compiler_order_hint(const struct trace_compiler *c)
{
	return c->summary.threads > 1 ? " (events out of the order they happened: replaying the "
					"threads would wait for ever)"
				      : "";
}

int trace_compiler_add_raw(struct trace_compiler *c, const struct trace_raw_event *raw,
			   struct trace_event *out)
{
	struct trace_summary *s = &c->summary;
	uint64_t index = s->events;
	enum trace_op op = raw->op;
	int64_t id = raw->id, size = raw->size, nmemb = raw->nmemb, align = raw->align;
	switch (op) {
	case TRACE_OP_CALLOC:
		if (nmemb && size > PTRDIFF_MAX / nmemb)
			return trace_compiler_fail(c, "calloc nmemb * size = %" PRId64 " * %" PRId64
						   " exceeds PTRDIFF_MAX", nmemb, size);
		size *= nmemb;
		break;
	case TRACE_OP_REALLOC:
		if (size == 0)
			return trace_compiler_fail(c, "realloc to size 0 is not portable; write a free instead");
		break;
	case TRACE_OP_MEMALIGN:
		if (align < (int64_t)sizeof(void *) || align > (INT64_C(1) << TRACE_MAX_ALIGN_LOG2) ||
		    (align & (align - 1)))
			return trace_compiler_fail(c, "\"align\" must be a power of two in %zu..%lld, got %" PRId64,
						   sizeof(void *), 1LL << TRACE_MAX_ALIGN_LOG2, align);
		break;
	default:
		break;
	}

	uint16_t thread = 0;
	if (trace_compiler_thread(c, (uint64_t)raw->tid, &thread) < 0)
		return -1;
	uint32_t slot;
	uint64_t usize = (uint64_t)size;
	const char *name = trace_op_names[op];
	if (op == TRACE_OP_MALLOC || op == TRACE_OP_CALLOC || op == TRACE_OP_MEMALIGN) {
		uint32_t *live = trace_idmap_find(&c->ids, (uint64_t)id);
		if (live)
			return trace_compiler_fail(c, "%s of id %" PRId64 ", which is already live (allocated at event %" PRIu64 ")%s",
						   name, id, c->slot_born[*live], trace_compiler_order_hint(c));
		if (usize > (uint64_t)PTRDIFF_MAX - c->live_bytes)
			return trace_compiler_fail(c, "%s of %" PRIu64 " bytes would make more than PTRDIFF_MAX bytes live",
						   name, usize);
		if (trace_compiler_take_slot(c, thread, &slot) < 0)
			return -1;
		if (trace_idmap_insert(&c->ids, (uint64_t)id, slot) < 0) {
			/* Give the slot back so the compiler stays consistent. */
			trace_compiler_push_slot(c, thread, slot);
			return trace_compiler_fail(c, "out of memory for %zu live ids", c->ids.count + 1);
		}
		c->slot_size[slot] = usize;
		c->slot_born[slot] = index;
		c->live_bytes += usize;
		c->live_block_bytes += trace_block_bytes(usize);
		c->live_blocks++;
		trace_compiler_count_request(c, usize);
	} else if (op == TRACE_OP_REALLOC) {
		uint32_t *live = trace_idmap_find(&c->ids, (uint64_t)id);
		if (!live)
			return trace_compiler_fail(c, "realloc of id %" PRId64 ", which is not live%s", id,
						   trace_compiler_order_hint(c));
		slot = *live;
		uint64_t others = c->live_bytes - c->slot_size[slot];
		if (usize > (uint64_t)PTRDIFF_MAX - others)
			return trace_compiler_fail(c, "realloc to %" PRIu64 " bytes would make more than PTRDIFF_MAX bytes live",
						   usize);
		c->live_bytes = others + usize;
		c->live_block_bytes += trace_block_bytes(usize) - trace_block_bytes(c->slot_size[slot]);
		c->slot_size[slot] = usize;
		trace_compiler_count_request(c, usize);
	} else {
		if (!trace_idmap_remove(&c->ids, (uint64_t)id, &slot))
			return trace_compiler_fail(c, "free of id %" PRId64 ", which is not live%s", id,
						   trace_compiler_order_hint(c));
		c->live_bytes -= c->slot_size[slot];
		c->live_block_bytes -= trace_block_bytes(c->slot_size[slot]);
		c->live_blocks--;
		trace_compiler_push_slot(c, thread, slot);
		usize = 0;
	}

	s->events = index + 1;
	s->op_count[op]++;
	if (c->live_bytes > s->peak_live_bytes) {
		s->peak_live_bytes = c->live_bytes;
		s->peak_live_event = index;
	}
	if (c->live_blocks > s->peak_live_blocks)
		s->peak_live_blocks = c->live_blocks;
	if (c->live_block_bytes > s->peak_block_bytes)
		s->peak_block_bytes = c->live_block_bytes;

	out->size = usize;
	out->slot = slot;
	out->tid = thread;
	out->op = (uint8_t)op;
	out->align_log2 = op == TRACE_OP_MEMALIGN ? (uint8_t)__builtin_ctzll((uint64_t)align) : 0;
	return 0;
}

void trace_compiler_summary(const struct trace_compiler *c, struct trace_summary *out)
{
	*out = c->summary;
	out->live_bytes_end = c->live_bytes;
	out->live_blocks_end = c->live_blocks;
}
