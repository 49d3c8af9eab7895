/*
 * gen_shapes.c: patterns built to stress one allocator weakness each:
 * binary (holes that cannot coalesce), realloc-growth (vector doubling)
 * and big (allocations of a mebibyte and more).
 */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>

/* Binary: rounds of alternating small (16) and large (256) blocks; the
 * large ones are freed, leaving 256-byte holes pinned apart by live small
 * blocks, and then 512-byte blocks are requested, which fit none of the
 * holes.  One small block in eight survives each round. */
void gen_binary(struct gen_ctx *g)
{
	uint64_t pairs = g->target / 40 > 256 ? 256 : g->target / 40 + 1;
	uint64_t *small = malloc(pairs * sizeof *small);
	uint64_t *large = malloc(pairs * sizeof *large);
	if (!small || !large) {
		fprintf(stderr, "fraglab gen: out of memory\n");
		exit(1);
	}
	while (gen_budget_left(g)) {
		for (uint64_t i = 0; i < pairs; i++) {
			small[i] = gen_malloc(g, 16);
			large[i] = gen_malloc(g, 256);
		}
		for (uint64_t i = 0; i < pairs; i++)
			gen_free(g, large[i]);
		/* The 512-byte blocks reuse the large[] slots. */
		for (uint64_t i = 0; i < pairs / 2; i++)
			large[i] = gen_malloc(g, 512);
		for (uint64_t i = 0; i < pairs / 2; i++)
			gen_free(g, large[i]);
		for (uint64_t i = 0; i < pairs; i++)
			if (!gen_rng_chance(&g->rng, 1, 8))
				gen_free(g, small[i]);
	}
	gen_free_all(g);
	free(small);
	free(large);
}

/* Realloc growth: eight vectors, each starting at 16 bytes and doubling
 * by realloc up to its own capacity (4 KiB to 1 MiB), then freed and
 * restarted; one step in three allocates a short-lived side block. */
void gen_realloc_growth(struct gen_ctx *g)
{
	enum { VECTORS = 8 };
	uint64_t id[VECTORS], size[VECTORS], cap[VECTORS];
	int live[VECTORS] = {0};
	struct gen_ring side;
	gen_ring_init(&side, 64);
	while (gen_budget_left(g)) {
		if (gen_rng_chance(&g->rng, 1, 3)) {
			gen_ring_push(g, &side, gen_rng_range(&g->rng, 16, 128));
			continue;
		}
		unsigned v = (unsigned)gen_rng_below(&g->rng, VECTORS);
		if (!live[v]) {
			size[v] = 16;
			cap[v] = 1ULL << gen_rng_range(&g->rng, 12, 20);
			id[v] = gen_malloc(g, size[v]);
			live[v] = 1;
		} else if (size[v] < cap[v]) {
			size[v] *= 2;
			gen_realloc(g, id[v], size[v]);
		} else {
			gen_free(g, id[v]);
			live[v] = 0;
		}
	}
	gen_free_all(g);
}

/* Big: blocks of 1 to 9 MiB (at most six live at once; a quarter of them
 * page-aligned memaligns, a quarter callocs) among short-lived small
 * blocks.  The scaled-down form of the "zz = malloc(10G)" example. */
void gen_big(struct gen_ctx *g)
{
	enum { MAX_BIG = 6 };
	uint64_t big[MAX_BIG];
	unsigned n_big = 0;
	struct gen_ring small;
	gen_ring_init(&small, 32);
	while (gen_budget_left(g)) {
		if (gen_rng_chance(&g->rng, 1, 2)) {
			gen_ring_push(g, &small, gen_rng_range(&g->rng, 16, 1024));
		} else if (n_big < MAX_BIG && (n_big == 0 || gen_rng_chance(&g->rng, 1, 2))) {
			uint64_t size = (1ULL << 20 << gen_rng_below(&g->rng, 4)) +
					gen_rng_below(&g->rng, 1ULL << 20);
			switch (gen_rng_below(&g->rng, 4)) {
			case 0:
				big[n_big++] = gen_memalign(g, 4096, size);
				break;
			case 1:
				big[n_big++] = gen_calloc(g, size / 64, 64);
				break;
			default:
				big[n_big++] = gen_malloc(g, size);
				break;
			}
		} else {
			unsigned i = (unsigned)gen_rng_below(&g->rng, n_big);
			gen_free(g, big[i]);
			big[i] = big[--n_big];
		}
	}
	gen_free_all(g);
}
