/* replay_streams.c: splitting a compiled trace into per-thread streams
 * with their cross-thread dependencies (see replay_streams.h). */
#include "replay_streams.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define STREAMS_PAGE 4096u
#define STREAMS_NO_THREAD UINT32_MAX
#define STREAMS_NO_SLOT UINT32_MAX
#define STREAMS_LINE_SLOTS 8u /* 64-byte line / 8-byte slot pointer */

static size_t streams_header_bytes(uint32_t n_threads)
{
	size_t b = sizeof(struct replay_streams_header) + (size_t)n_threads * sizeof(uint64_t);
	return (b + STREAMS_PAGE - 1) / STREAMS_PAGE * STREAMS_PAGE;
}

int replay_streams_check(const struct replay_streams_header *h, size_t len)
{
	if (len < sizeof *h || h->magic != REPLAY_STREAMS_MAGIC || h->n_threads == 0 ||
	    h->n_threads > REPLAY_STREAMS_MAX_THREADS ||
	    h->events_offset != streams_header_bytes(h->n_threads))
		return -1;
	uint64_t total = 0;
	for (uint32_t t = 0; t < h->n_threads; t++)
		total += h->count[t];
	return total == h->n_events && h->events_offset + total * sizeof(struct trace_event) == len ? 0 : -1;
}

/* The builder's per-slot state, indexed by replay slot.  A replay slot is
 * reassigned here, not taken from the compiled trace: the compiler lets a
 * thread with no free slot of its own take another thread's (which would
 * make that allocation wait for the other thread's free, an ordering the
 * program never had), while here a freed slot goes back to the freeing
 * thread and a thread with none opens a new one, up to a cap (slots cost
 * 12 bytes each in the child); only past the cap is another thread's free
 * slot taken. */
struct streams_builder {
	uint32_t *replay_slot;  /* compiled slot -> replay slot of its live block */
	uint32_t *next_free;    /* per replay slot: link in its thread's free stack */
	uint32_t *last_thread;  /* per replay slot: thread of its last event */
	uint64_t *last_pos;     /* per replay slot: stream position of that event */
	uint32_t *free_top;     /* per thread: top of its free-slot stack */
	uint32_t *fresh_next;   /* per thread: next unused slot of its current line */
	uint32_t *fresh_end;    /* per thread: end of that line */
	uint64_t *fill;         /* per thread: next stream position */
	uint32_t n_slots, cap, max_slots;
};

static int builder_grow(struct streams_builder *b)
{
	if (b->cap > UINT32_MAX / 2)
		return -1;
	uint32_t cap = b->cap ? b->cap * 2 : 1024;
	uint32_t *nf = realloc(b->next_free, cap * sizeof *nf);
	if (nf)
		b->next_free = nf;
	uint32_t *lt = realloc(b->last_thread, cap * sizeof *lt);
	if (lt)
		b->last_thread = lt;
	uint64_t *lp = realloc(b->last_pos, cap * sizeof *lp);
	if (lp)
		b->last_pos = lp;
	if (!nf || !lt || !lp)
		return -1;
	b->cap = cap;
	return 0;
}

/* A replay slot for a new block of thread t. */
static int builder_take_slot(struct streams_builder *b, uint32_t t, uint32_t n_threads,
			     struct replay_streams_header *h, uint32_t *slot)
{
	uint32_t from = t;
	if (b->free_top[t] == STREAMS_NO_SLOT && b->fresh_next[t] == b->fresh_end[t] &&
	    b->n_slots + STREAMS_LINE_SLOTS > b->max_slots) {
		for (uint32_t i = 1; i < n_threads && from == t; i++)
			if (b->free_top[(t + i) % n_threads] != STREAMS_NO_SLOT)
				from = (t + i) % n_threads;
		if (from != t)
			h->slot_steals++;
	}
	if (b->free_top[from] != STREAMS_NO_SLOT) {
		*slot = b->free_top[from];
		b->free_top[from] = b->next_free[*slot];
		return 0;
	}
	/* New slots come in runs of STREAMS_LINE_SLOTS per thread, so that two
	 * threads never write pointers into the same cache line of the slot
	 * table (false sharing would slow both and be charged to the
	 * allocator). */
	if (b->fresh_next[t] == b->fresh_end[t]) {
		while (b->n_slots + STREAMS_LINE_SLOTS > b->cap)
			if (builder_grow(b) != 0)
				return -1;
		b->fresh_next[t] = b->n_slots;
		b->fresh_end[t] = b->n_slots + STREAMS_LINE_SLOTS;
		b->n_slots += STREAMS_LINE_SLOTS;
	}
	*slot = b->fresh_next[t]++;
	b->last_thread[*slot] = STREAMS_NO_THREAD;
	return 0;
}

/* Fills the mapped stream set (header sized, counts filled). */
static int streams_fill(const struct trace_event *events, uint64_t n_events,
			struct replay_streams_header *h, struct streams_builder *b)
{
	struct trace_event *out = (struct trace_event *)((char *)h + h->events_offset);
	uint64_t at = 0;
	for (uint32_t t = 0; t < h->n_threads; t++) {
		b->fill[t] = at;
		at += h->count[t];
		b->free_top[t] = STREAMS_NO_SLOT;
		b->fresh_next[t] = b->fresh_end[t] = 0;
	}
	for (uint64_t i = 0; i < n_events; i++) {
		const struct trace_event *e = &events[i];
		const uint32_t t = e->tid;
		const uint64_t pos = b->fill[t]++;
		uint32_t s;
		if (e->op == TRACE_OP_REALLOC || e->op == TRACE_OP_FREE) {
			s = b->replay_slot[e->slot];
		} else {
			if (builder_take_slot(b, t, h->n_threads, h, &s) != 0)
				return -1;
			b->replay_slot[e->slot] = s;
		}
		out[pos] = *e;
		out[pos].slot = s;
		out[pos].tid = 0;
		if (b->last_thread[s] != STREAMS_NO_THREAD && b->last_thread[s] != t) {
			/* The previous event on this slot is another thread's:
			 * it hands the slot to t, and this one waits for it. */
			out[pos].op |= REPLAY_STREAM_WAIT;
			out[b->last_pos[s]].op |= REPLAY_STREAM_HANDOFF;
			out[b->last_pos[s]].tid = (uint16_t)t;
			h->handoffs++;
			if (e->op == TRACE_OP_FREE)
				h->remote_frees++;
		}
		b->last_thread[s] = t;
		b->last_pos[s] = pos;
		if (e->op == TRACE_OP_FREE) {
			b->next_free[s] = b->free_top[t];
			b->free_top[t] = s;
		}
	}
	h->n_slots = b->n_slots;
	return 0;
}

static void builder_free(struct streams_builder *b)
{
	free(b->replay_slot);
	free(b->next_free);
	free(b->last_thread);
	free(b->last_pos);
	free(b->free_top);
	free(b->fresh_next);
	free(b->fresh_end);
	free(b->fill);
}

int replay_streams_build(const struct trace_event *events, uint64_t n_events, uint32_t n_slots,
			 uint32_t n_threads, uint32_t extra_slots, int *fd,
			 struct replay_streams_info *info, char *err, size_t errlen)
{
	*fd = -1;
	if (n_threads == 0 || n_threads > REPLAY_STREAMS_MAX_THREADS) {
		snprintf(err, errlen,
			 "%u recorded threads; a threaded replay runs at most %u (use --threads 1)",
			 n_threads, REPLAY_STREAMS_MAX_THREADS);
		return -1;
	}
	const size_t head = streams_header_bytes(n_threads);
	const size_t bytes = head + n_events * sizeof(struct trace_event);
	struct streams_builder b = {
		.max_slots = (uint64_t)n_slots * 4 + extra_slots >= UINT32_MAX
				     ? UINT32_MAX - 1
				     : n_slots * 4 + extra_slots,
	};
	b.replay_slot = malloc((n_slots ? n_slots : 1) * sizeof *b.replay_slot);
	b.free_top = malloc(n_threads * sizeof *b.free_top);
	b.fill = malloc(n_threads * sizeof *b.fill);
	b.fresh_next = malloc(n_threads * sizeof *b.fresh_next);
	b.fresh_end = malloc(n_threads * sizeof *b.fresh_end);
	void *map = MAP_FAILED;
	int mfd = -1;
	if (!b.replay_slot || !b.free_top || !b.fill || !b.fresh_next || !b.fresh_end) {
		snprintf(err, errlen, "out of memory for the per-thread streams");
		goto fail;
	}
	mfd = memfd_create("fraglab-streams", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0 || ftruncate(mfd, (off_t)bytes) != 0 ||
	    (map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0)) == MAP_FAILED) {
		snprintf(err, errlen, "cannot stage the per-thread streams (%zu bytes): %s", bytes,
			 strerror(errno));
		goto fail;
	}
	struct replay_streams_header *h = map;
	h->magic = REPLAY_STREAMS_MAGIC;
	h->n_threads = n_threads;
	h->n_events = n_events;
	h->events_offset = head;
	for (uint64_t i = 0; i < n_events; i++)
		h->count[events[i].tid]++; /* tid < n_threads: trace.h's invariant */
	if (streams_fill(events, n_events, h, &b) != 0) {
		snprintf(err, errlen, "out of memory for %u replay slots", b.cap);
		goto fail;
	}
	info->n_threads = n_threads;
	info->n_slots = h->n_slots;
	info->handoffs = h->handoffs;
	info->remote_frees = h->remote_frees;
	info->slot_steals = h->slot_steals;
	info->bytes = bytes;
	munmap(map, bytes);
	map = MAP_FAILED;
	/* F_SEAL_FUTURE_WRITE, not F_SEAL_WRITE: our writable mapping is gone,
	 * and F_SEAL_WRITE fails with EBUSY while the kernel still holds the
	 * written pages in another CPU's LRU batch ("cannot seal the per-thread
	 * streams: Device or resource busy" in make bench).  The children can
	 * neither write nor map writable either way. */
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE | F_SEAL_GROW | F_SEAL_SHRINK) != 0) {
		snprintf(err, errlen, "cannot seal the per-thread streams: %s", strerror(errno));
		goto fail;
	}
	builder_free(&b);
	*fd = mfd;
	return 0;
fail:
	if (map != MAP_FAILED)
		munmap(map, bytes);
	if (mfd >= 0)
		close(mfd);
	builder_free(&b);
	return -1;
}
