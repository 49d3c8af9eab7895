/* gen_classic.c: the two classic textbook examples, reproduced exactly. */
#include "gen.h"

/* aa = malloc(100); bb = malloc(100); cc = malloc(400); free(bb);
 * dd = malloc(100); ee = malloc(4000); free(aa); free(dd); ff = malloc(200)
 * with ids aa=0 .. ff=5; cc, ee and ff stay live, as in the example. */
void gen_classic(struct gen_ctx *g)
{
	g->reuse_ids = 0;
	uint64_t aa = gen_malloc(g, 100);
	uint64_t bb = gen_malloc(g, 100);
	gen_malloc(g, 400); /* cc */
	gen_free(g, bb);
	uint64_t dd = gen_malloc(g, 100);
	gen_malloc(g, 4000); /* ee */
	gen_free(g, aa);
	gen_free(g, dd);
	gen_malloc(g, 200); /* ff */
}

/* for i in 1..100: xs[i] = malloc(10); all stay live. */
void gen_hundred(struct gen_ctx *g)
{
	for (int i = 0; i < 100; i++)
		gen_malloc(g, 10);
}
