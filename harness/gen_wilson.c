/*
 * gen_wilson.c: the program behaviour patterns of Wilson, Johnstone, Neely
 * and Boles's allocator survey (1995): ramps (live memory grows steadily),
 * peaks (repeated bursts built up and torn down) and plateaus (a quick
 * build-up then a long steady state), plus phased build-up and tear-down
 * with a different size range in each phase.  Short-lived "background"
 * blocks run through all of them, as in real programs.
 */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>

static uint64_t *gen_ids_alloc(uint64_t n)
{
	uint64_t *ids = malloc((n ? n : 1) * sizeof *ids);
	if (!ids) {
		fprintf(stderr, "fraglab gen: out of memory\n");
		exit(1);
	}
	return ids;
}

/* Ramp: one step in four allocates a block that lives to the end; the rest
 * are short-lived.  Live bytes climb linearly over the whole trace. */
void gen_ramp(struct gen_ctx *g)
{
	struct gen_ring ring;
	gen_ring_init(&ring, 32);
	while (gen_budget_left(g)) {
		if (gen_rng_chance(&g->rng, 1, 4))
			gen_malloc(g, gen_rng_range(&g->rng, 16, 512));
		else
			gen_ring_push(g, &ring, gen_rng_range(&g->rng, 16, 256));
	}
	gen_free_all(g);
}

/* Peaks: eight bursts; each allocates a mass of power-law blocks and then
 * frees them in reverse, except one in sixteen that survives to the end
 * (the survivors are what fragment the heap between peaks). */
void gen_peak(struct gen_ctx *g)
{
	const uint64_t peaks = 8;
	uint64_t per_peak = g->target / peaks > 4 ? g->target / peaks : 4;
	uint64_t *burst = gen_ids_alloc(per_peak / 2 + 1);
	struct gen_ring ring;
	gen_ring_init(&ring, 16);
	while (gen_budget_left(g)) {
		uint64_t n = 0, start = g->emitted;
		while (gen_budget_left(g) && (g->emitted - start) + 2 * n < per_peak && n <= per_peak / 2) {
			if (gen_rng_chance(&g->rng, 1, 4))
				gen_ring_push(g, &ring, gen_rng_range(&g->rng, 16, 128));
			else
				burst[n++] = gen_malloc(g, gen_rng_powerlaw(&g->rng, 16, 8192));
		}
		while (n > 0) {
			uint64_t id = burst[--n];
			if (!gen_rng_chance(&g->rng, 1, 16))
				gen_free(g, id);
		}
	}
	gen_free_all(g);
	free(burst);
}

/* Plateau: build up to a tenth of the trace's length in live blocks, then
 * replace random blocks one for one until the end. */
void gen_plateau(struct gen_ctx *g)
{
	uint64_t level = g->target / 10 + 1;
	while (gen_budget_left(g) && g->n_live < level)
		gen_malloc(g, gen_rng_powerlaw(&g->rng, 16, 4096));
	while (gen_budget_left(g)) {
		gen_free_random(g);
		gen_malloc(g, gen_rng_powerlaw(&g->rng, 16, 4096));
	}
	gen_free_all(g);
}

/* Phased: four phases, phase p allocating sizes in [16*4^p, 32*4^p]; each
 * builds up, then tears down last-in first-out, leaving one block in ten
 * live to the end, so each phase must fit among the previous survivors. */
void gen_phased(struct gen_ctx *g)
{
	const uint64_t phases = 4;
	uint64_t per_phase = g->target / phases > 4 ? g->target / phases : 4;
	uint64_t *built = gen_ids_alloc(per_phase / 2 + 1);
	for (uint64_t p = 0; gen_budget_left(g); p = (p + 1) % phases) {
		uint64_t lo = 16ULL << (2 * p), n = 0;
		while (gen_budget_left(g) && 2 * n < per_phase)
			built[n++] = gen_malloc(g, gen_rng_range(&g->rng, lo, 2 * lo));
		while (n > 0) {
			uint64_t id = built[--n];
			if (!gen_rng_chance(&g->rng, 1, 10))
				gen_free(g, id);
		}
	}
	gen_free_all(g);
	free(built);
}
