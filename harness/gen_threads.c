/*
 * gen_threads.c: multi-threaded patterns (producer-consumer, larson,
 * thread-churn), `fraglab gen PATTERN --threads N`.
 *
 * Every event carries a tid in 0..N-1.  Which thread acts next is drawn
 * from the context's PRNG, so the trace's global order is one random
 * interleaving of the threads, as a recording of a real run would be, and
 * a seed still names exactly one byte sequence.  Each pattern tracks which
 * thread holds which block itself; gen_ctx assigns ids and writes events.
 */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *gen_threads_alloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		fprintf(stderr, "fraglab gen: out of memory\n");
		exit(1);
	}
	return p;
}

static unsigned gen_threads_pick(struct gen_ctx *g)
{
	unsigned t = (unsigned)gen_rng_below(&g->rng, g->threads);
	g->tid = t;
	return t;
}

/* ---------------------------------------------------------------- producer-consumer */

/* Blocks in flight from a thread to its consumer, oldest first. */
#define GEN_QUEUE_CAP 256u
struct gen_queue {
	uint64_t ids[GEN_QUEUE_CAP];
	unsigned head, n;
};

static uint64_t gen_queue_pop(struct gen_queue *q)
{
	uint64_t id = q->ids[q->head];
	q->head = (q->head + 1) % GEN_QUEUE_CAP;
	q->n--;
	return id;
}

/* Thread t allocates blocks (power-law sizes 16 B..4 KiB) and queues them
 * for thread t+1 (mod N), which frees them oldest first; each step the
 * chosen thread consumes with probability 1/2 (always when its own queue is
 * full), else produces.  Every free is remote when N > 1. */
void gen_producer_consumer(struct gen_ctx *g)
{
	const unsigned n = g->threads;
	struct gen_queue *queues = gen_threads_alloc(n, sizeof *queues);
	while (gen_budget_left(g)) {
		unsigned t = gen_threads_pick(g);
		struct gen_queue *in = &queues[(t + n - 1) % n], *out = &queues[t];
		if (in->n && (out->n == GEN_QUEUE_CAP || gen_rng_chance(&g->rng, 1, 2))) {
			gen_free(g, gen_queue_pop(in));
		} else if (out->n < GEN_QUEUE_CAP) {
			uint64_t id = gen_malloc(g, gen_rng_powerlaw(&g->rng, 16, 4096));
			out->ids[(out->head + out->n) % GEN_QUEUE_CAP] = id;
			out->n++;
		}
	}
	for (unsigned q = 0; q < n; q++) {
		g->tid = (q + 1) % n; /* the consumer drains what is left */
		while (queues[q].n)
			gen_free(g, gen_queue_pop(&queues[q]));
	}
	free(queues);
}

/* ---------------------------------------------------------------- larson */

/* Larson and Krishnan's server benchmark, as in mimalloc-bench's larson:
 * each thread owns an array of K blocks (8..512 B) and repeatedly replaces
 * a random one (free, then malloc); now and then (probability 1/K a step)
 * two random threads exchange their arrays, so a thread goes on to free
 * blocks another thread allocated. */
void gen_larson(struct gen_ctx *g)
{
	const unsigned n = g->threads;
	uint64_t k = g->target / (8 * (uint64_t)n) + 1;
	if (k > 256)
		k = 256;
	uint64_t **arrays = gen_threads_alloc(n, sizeof *arrays);
	for (unsigned t = 0; t < n; t++) {
		arrays[t] = gen_threads_alloc(k, sizeof **arrays);
		g->tid = t;
		for (uint64_t j = 0; j < k; j++)
			arrays[t][j] = gen_malloc(g, gen_rng_range(&g->rng, 8, 512));
	}
	while (gen_budget_left(g)) {
		unsigned t = gen_threads_pick(g);
		uint64_t j = gen_rng_below(&g->rng, k);
		gen_free(g, arrays[t][j]);
		arrays[t][j] = gen_malloc(g, gen_rng_range(&g->rng, 8, 512));
		if (gen_rng_chance(&g->rng, 1, k)) {
			unsigned a = (unsigned)gen_rng_below(&g->rng, n), b = (unsigned)gen_rng_below(&g->rng, n);
			uint64_t *swap = arrays[a];
			arrays[a] = arrays[b];
			arrays[b] = swap;
		}
	}
	for (unsigned t = 0; t < n; t++) {
		g->tid = t;
		for (uint64_t j = 0; j < k; j++)
			gen_free(g, arrays[t][j]);
		free(arrays[t]);
	}
	free(arrays);
}

/* ---------------------------------------------------------------- thread-churn */

/* Thread-private churn: each thread allocates (power-law sizes 16 B..8 KiB,
 * one in sixteen a calloc), reallocs and frees only its own blocks, its
 * live count hovering around L; no block ever changes thread. */
void gen_thread_churn(struct gen_ctx *g)
{
	const unsigned n = g->threads;
	uint64_t target_live = g->target / (16 * (uint64_t)n) + 1;
	if (target_live > 500)
		target_live = 500;
	const uint64_t cap = 2 * target_live + 1;
	uint64_t *live = gen_threads_alloc((size_t)n * cap, sizeof *live);
	uint64_t *n_live = gen_threads_alloc(n, sizeof *n_live);
	while (gen_budget_left(g)) {
		unsigned t = gen_threads_pick(g);
		uint64_t *mine = live + (size_t)t * cap;
		if (n_live[t] && gen_rng_chance(&g->rng, 1, 16)) {
			gen_realloc(g, mine[gen_rng_below(&g->rng, n_live[t])],
				    gen_rng_powerlaw(&g->rng, 16, 8192));
		} else if (n_live[t] < cap && gen_rng_below(&g->rng, 2 * target_live) >= n_live[t]) {
			uint64_t size = gen_rng_powerlaw(&g->rng, 16, 8192);
			mine[n_live[t]++] = gen_rng_chance(&g->rng, 1, 16) ? gen_calloc(g, size / 8 + 1, 8)
									   : gen_malloc(g, size);
		} else if (n_live[t]) {
			uint64_t j = gen_rng_below(&g->rng, n_live[t]);
			gen_free(g, mine[j]);
			mine[j] = mine[--n_live[t]];
		}
	}
	for (unsigned t = 0; t < n; t++) {
		g->tid = t;
		while (n_live[t])
			gen_free(g, live[(size_t)t * cap + --n_live[t]]);
	}
	free(live);
	free(n_live);
}

int gen_pattern_is_threaded(const struct gen_pattern *p)
{
	return p->run == gen_producer_consumer || p->run == gen_larson || p->run == gen_thread_churn;
}
