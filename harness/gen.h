/*
 * gen.h: synthetic workload generation for `fraglab gen`.
 *
 * A pattern is a function that drives a gen_ctx: it asks for allocations
 * and frees, and the context assigns ids (a freed id is reused, last freed
 * first), tracks the live blocks and writes the events.  Everything random
 * comes from the context's own PRNG (xoshiro256** seeded by splitmix64), so
 * a seed names exactly one byte sequence on every platform: no rand(), no
 * floating point.
 *
 * Length: patterns loop while gen_budget_left() and then gen_free_all(), so
 * a trace has about --events events (a pattern may overshoot by the few
 * events of its last step) and never leaves a block live at the end, except
 * the fixed classic examples, which are reproduced as published.
 */
#ifndef FRAGLAB_GEN_H
#define FRAGLAB_GEN_H

#include <stdint.h>

#include "record_writer.h"

struct gen_rng {
	uint64_t s[4];
};

void gen_rng_seed(struct gen_rng *r, uint64_t seed);
uint64_t gen_rng_next(struct gen_rng *r);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint64_t gen_rng_below(struct gen_rng *r, uint64_t n);
/* Uniform in [lo, hi]. */
uint64_t gen_rng_range(struct gen_rng *r, uint64_t lo, uint64_t hi);
/* 1 with probability num/den. */
int gen_rng_chance(struct gen_rng *r, uint64_t num, uint64_t den);
/* Power-law size in [lo, hi]: a power-of-two class chosen with probability
 * halving per class (density ~ size^-2), then uniform inside the class. */
uint64_t gen_rng_powerlaw(struct gen_rng *r, uint64_t lo, uint64_t hi);

struct gen_ctx {
	struct record_writer *out;
	struct gen_rng rng;
	uint64_t target;      /* wanted number of events */
	uint64_t emitted;
	/* Live blocks, unordered (swap-remove); live_pos[id] is the index of
	 * id in live_ids, or UINT32_MAX when id is not live. */
	uint64_t *live_ids;
	uint64_t *live_sizes;
	uint32_t *live_pos;
	uint64_t n_live, live_cap;
	uint64_t id_cap;      /* capacity of live_pos */
	uint64_t *free_ids;   /* stack of ids free for reuse */
	uint64_t n_free_ids;
	uint64_t next_id;     /* lowest never-used id */
	int reuse_ids;        /* 0: every allocation gets a new id */
	int64_t tid;          /* RECORD_NO_TID, or the acting thread (gen_threads.c) */
	unsigned threads;     /* --threads N for the multi-threaded patterns (>= 1) */
};

int gen_ctx_init(struct gen_ctx *g, struct record_writer *out, uint64_t seed, uint64_t target);
void gen_ctx_destroy(struct gen_ctx *g);

/* 1 while the trace still has room for another step: the events written
 * plus the frees the final tear-down will need stay under the target. */
int gen_budget_left(const struct gen_ctx *g);

uint64_t gen_malloc(struct gen_ctx *g, uint64_t size);
uint64_t gen_calloc(struct gen_ctx *g, uint64_t nmemb, uint64_t size);
uint64_t gen_memalign(struct gen_ctx *g, uint64_t align, uint64_t size);
void gen_realloc(struct gen_ctx *g, uint64_t id, uint64_t size);
void gen_free(struct gen_ctx *g, uint64_t id);
/* Frees a uniformly chosen live block; no-op when none is live. */
void gen_free_random(struct gen_ctx *g);
/* Frees every live block in random order. */
void gen_free_all(struct gen_ctx *g);
int gen_is_live(const struct gen_ctx *g, uint64_t id);
uint64_t gen_size_of(const struct gen_ctx *g, uint64_t id);

/* A FIFO of short-lived blocks: gen_ring_push frees the oldest once CAP
 * are live, so each block lives for about CAP pushes. */
#define GEN_RING_MAX 64
struct gen_ring {
	uint64_t ids[GEN_RING_MAX];
	unsigned cap, n, head;
};
void gen_ring_init(struct gen_ring *ring, unsigned cap);
void gen_ring_push(struct gen_ctx *g, struct gen_ring *ring, uint64_t size);
/* Forgets the ring's blocks that are no longer live (after gen_free_all). */
void gen_ring_clear(struct gen_ring *ring);

struct gen_pattern {
	const char *name;
	const char *summary;
	uint64_t default_events; /* 0: fixed length, --events refused */
	void (*run)(struct gen_ctx *g);
};

extern const struct gen_pattern gen_patterns[];
extern const unsigned gen_pattern_count;
const struct gen_pattern *gen_pattern_find(const char *name);

/* The patterns, one family per file. */
void gen_classic(struct gen_ctx *g);        /* gen_classic.c */
void gen_hundred(struct gen_ctx *g);
void gen_uniform(struct gen_ctx *g);        /* gen_random.c */
void gen_powerlaw(struct gen_ctx *g);
void gen_ramp(struct gen_ctx *g);           /* gen_wilson.c */
void gen_peak(struct gen_ctx *g);
void gen_plateau(struct gen_ctx *g);
void gen_phased(struct gen_ctx *g);
void gen_binary(struct gen_ctx *g);         /* gen_shapes.c */
void gen_realloc_growth(struct gen_ctx *g);
void gen_big(struct gen_ctx *g);
void gen_producer_consumer(struct gen_ctx *g); /* gen_threads.c */
void gen_larson(struct gen_ctx *g);
void gen_thread_churn(struct gen_ctx *g);
/* 1 for the patterns that take --threads. */
int gen_pattern_is_threaded(const struct gen_pattern *p);

#endif
