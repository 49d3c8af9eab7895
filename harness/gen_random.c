/* gen_random.c: random sizes with random frees around a steady live count. */
#include "gen.h"

/* Allocates with probability falling linearly from 1 (nothing live) to 0
 * (2 * target_live live), so the live count hovers around target_live;
 * otherwise frees a random block.  One step in sixteen reallocs a random
 * live block instead, one allocation in sixteen is a calloc. */
static void gen_random_churn(struct gen_ctx *g, uint64_t target_live,
			     uint64_t (*size_of)(struct gen_rng *))
{
	while (gen_budget_left(g)) {
		if (g->n_live && gen_rng_chance(&g->rng, 1, 16)) {
			uint64_t id = g->live_ids[gen_rng_below(&g->rng, g->n_live)];
			gen_realloc(g, id, size_of(&g->rng));
		} else if (gen_rng_below(&g->rng, 2 * target_live) >= g->n_live) {
			uint64_t size = size_of(&g->rng);
			if (gen_rng_chance(&g->rng, 1, 16))
				gen_calloc(g, size / 8 + 1, 8);
			else
				gen_malloc(g, size);
		} else {
			gen_free_random(g);
		}
	}
	gen_free_all(g);
}

static uint64_t gen_size_uniform(struct gen_rng *r)
{
	return gen_rng_range(r, 1, 4096);
}

static uint64_t gen_size_powerlaw(struct gen_rng *r)
{
	return gen_rng_powerlaw(r, 8, 256 * 1024);
}

static uint64_t gen_target_live(const struct gen_ctx *g, uint64_t most)
{
	uint64_t l = g->target / 8 + 1;
	return l < most ? l : most;
}

void gen_uniform(struct gen_ctx *g)
{
	gen_random_churn(g, gen_target_live(g, 1000), gen_size_uniform);
}

void gen_powerlaw(struct gen_ctx *g)
{
	gen_random_churn(g, gen_target_live(g, 2000), gen_size_powerlaw);
}
