/* gen_ctx.c: id assignment, the live set and event emission for patterns. */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_NOT_LIVE UINT32_MAX

static void *gen_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "fraglab gen: out of memory\n");
		exit(1);
	}
	return q;
}

int gen_ctx_init(struct gen_ctx *g, struct record_writer *out, uint64_t seed, uint64_t target)
{
	memset(g, 0, sizeof *g);
	g->out = out;
	g->target = target;
	g->tid = RECORD_NO_TID;
	g->reuse_ids = 1;
	g->threads = 1;
	gen_rng_seed(&g->rng, seed);
	return 0;
}

void gen_ctx_destroy(struct gen_ctx *g)
{
	free(g->live_ids);
	free(g->live_sizes);
	free(g->live_pos);
	free(g->free_ids);
	memset(g, 0, sizeof *g);
}

int gen_budget_left(const struct gen_ctx *g)
{
	return g->emitted + g->n_live < g->target;
}

static void gen_emit(struct gen_ctx *g, enum trace_op op, uint64_t id, uint64_t size,
		     uint64_t nmemb, uint64_t align)
{
	struct record_event ev = {.op = op, .id = id, .size = size, .nmemb = nmemb,
				  .align = align, .tid = g->tid};
	record_writer_event(g->out, &ev);
	g->emitted++;
}

/* Takes an id (reusing the most recently freed) and marks it live. */
static uint64_t gen_take_id(struct gen_ctx *g, uint64_t size)
{
	uint64_t id = g->n_free_ids ? g->free_ids[--g->n_free_ids] : g->next_id++;
	if (id >= g->id_cap) {
		uint64_t cap = g->id_cap ? g->id_cap * 2 : 1024;
		g->live_pos = gen_xrealloc(g->live_pos, cap * sizeof *g->live_pos);
		g->free_ids = gen_xrealloc(g->free_ids, cap * sizeof *g->free_ids);
		for (uint64_t i = g->id_cap; i < cap; i++)
			g->live_pos[i] = GEN_NOT_LIVE;
		g->id_cap = cap;
	}
	if (g->n_live == g->live_cap) {
		g->live_cap = g->live_cap ? g->live_cap * 2 : 1024;
		g->live_ids = gen_xrealloc(g->live_ids, g->live_cap * sizeof *g->live_ids);
		g->live_sizes = gen_xrealloc(g->live_sizes, g->live_cap * sizeof *g->live_sizes);
	}
	g->live_pos[id] = (uint32_t)g->n_live;
	g->live_ids[g->n_live] = id;
	g->live_sizes[g->n_live] = size;
	g->n_live++;
	return id;
}

uint64_t gen_malloc(struct gen_ctx *g, uint64_t size)
{
	uint64_t id = gen_take_id(g, size);
	gen_emit(g, TRACE_OP_MALLOC, id, size, 0, 0);
	return id;
}

uint64_t gen_calloc(struct gen_ctx *g, uint64_t nmemb, uint64_t size)
{
	uint64_t id = gen_take_id(g, nmemb * size);
	gen_emit(g, TRACE_OP_CALLOC, id, size, nmemb, 0);
	return id;
}

uint64_t gen_memalign(struct gen_ctx *g, uint64_t align, uint64_t size)
{
	uint64_t id = gen_take_id(g, size);
	gen_emit(g, TRACE_OP_MEMALIGN, id, size, 0, align);
	return id;
}

int gen_is_live(const struct gen_ctx *g, uint64_t id)
{
	return id < g->id_cap && g->live_pos[id] != GEN_NOT_LIVE;
}

uint64_t gen_size_of(const struct gen_ctx *g, uint64_t id)
{
	return gen_is_live(g, id) ? g->live_sizes[g->live_pos[id]] : 0;
}

void gen_realloc(struct gen_ctx *g, uint64_t id, uint64_t size)
{
	if (!gen_is_live(g, id))
		abort(); /* a pattern bug, never input-dependent */
	g->live_sizes[g->live_pos[id]] = size;
	gen_emit(g, TRACE_OP_REALLOC, id, size, 0, 0);
}

void gen_free(struct gen_ctx *g, uint64_t id)
{
	if (!gen_is_live(g, id))
		abort();
	uint32_t pos = g->live_pos[id];
	uint64_t last = g->n_live - 1;
	g->live_ids[pos] = g->live_ids[last];
	g->live_sizes[pos] = g->live_sizes[last];
	g->live_pos[g->live_ids[pos]] = pos;
	g->live_pos[id] = GEN_NOT_LIVE;
	g->n_live--;
	if (g->reuse_ids)
		g->free_ids[g->n_free_ids++] = id; /* room: free ids < id_cap */
	gen_emit(g, TRACE_OP_FREE, id, 0, 0, 0);
}

void gen_free_random(struct gen_ctx *g)
{
	if (g->n_live)
		gen_free(g, g->live_ids[gen_rng_below(&g->rng, g->n_live)]);
}

void gen_free_all(struct gen_ctx *g)
{
	while (g->n_live)
		gen_free_random(g);
}

void gen_ring_init(struct gen_ring *ring, unsigned cap)
{
	memset(ring, 0, sizeof *ring);
	ring->cap = cap > GEN_RING_MAX ? GEN_RING_MAX : cap;
}

void gen_ring_push(struct gen_ctx *g, struct gen_ring *ring, uint64_t size)
{
	if (ring->n == ring->cap) {
		gen_free(g, ring->ids[ring->head]);
		ring->head = (ring->head + 1) % ring->cap;
		ring->n--;
	}
	ring->ids[(ring->head + ring->n) % ring->cap] = gen_malloc(g, size);
	ring->n++;
}

void gen_ring_clear(struct gen_ring *ring)
{
	ring->n = 0;
	ring->head = 0;
}
