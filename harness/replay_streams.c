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

/* Fills the mapped stream set at out (header already sized). */
static void streams_fill(const struct trace_event *events, uint64_t n_events, uint32_t n_slots,
			 struct replay_streams_header *h, uint32_t *slot_thread, uint64_t *slot_pos,
			 uint64_t *fill)
{
	struct trace_event *out = (struct trace_event *)((char *)h + h->events_offset);
	uint64_t at = 0;
	for (uint32_t t = 0; t < h->n_threads; t++) {
		fill[t] = at;
		at += h->count[t];
	}
	for (uint32_t s = 0; s < n_slots; s++)
		slot_thread[s] = STREAMS_NO_THREAD;
	for (uint64_t i = 0; i < n_events; i++) {
		const struct trace_event *e = &events[i];
		const uint32_t t = e->tid, s = e->slot;
		const uint64_t pos = fill[t]++;
		out[pos] = *e;
		out[pos].tid = 0;
		if (slot_thread[s] != STREAMS_NO_THREAD && slot_thread[s] != t) {
			/* The previous event on this slot is another thread's:
			 * it hands the slot to t, and this one waits for it. */
			out[pos].op |= REPLAY_STREAM_WAIT;
			out[slot_pos[s]].op |= REPLAY_STREAM_HANDOFF;
			out[slot_pos[s]].tid = (uint16_t)t;
			h->handoffs++;
			if (e->op == TRACE_OP_FREE)
				h->remote_frees++;
		}
		slot_thread[s] = t;
		slot_pos[s] = pos;
	}
}

int replay_streams_build(const struct trace_event *events, uint64_t n_events, uint32_t n_slots,
			 uint32_t n_threads, int *fd, struct replay_streams_info *info, char *err,
			 size_t errlen)
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
	uint32_t *slot_thread = malloc((n_slots ? n_slots : 1) * sizeof *slot_thread);
	uint64_t *slot_pos = malloc((n_slots ? n_slots : 1) * sizeof *slot_pos);
	uint64_t *fill = calloc(n_threads, sizeof *fill);
	void *map = MAP_FAILED;
	int mfd = -1;
	if (!slot_thread || !slot_pos || !fill) {
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
	streams_fill(events, n_events, n_slots, h, slot_thread, slot_pos, fill);
	info->n_threads = n_threads;
	info->handoffs = h->handoffs;
	info->remote_frees = h->remote_frees;
	info->bytes = bytes;
	munmap(map, bytes);
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK) != 0) {
		snprintf(err, errlen, "cannot seal the per-thread streams: %s", strerror(errno));
		goto fail;
	}
	free(slot_thread);
	free(slot_pos);
	free(fill);
	*fd = mfd;
	return 0;
fail:
	if (map != MAP_FAILED)
		munmap(map, bytes);
	if (mfd >= 0)
		close(mfd);
	free(slot_thread);
	free(slot_pos);
	free(fill);
	return -1;
}
