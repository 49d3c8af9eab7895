/* gen_patterns.c: the table of `fraglab gen` patterns. */
#include "gen.h"

#include <string.h>

const struct gen_pattern gen_patterns[] = {
	{"classic", "aa=malloc(100) bb=malloc(100) cc=malloc(400) free(bb) dd=malloc(100) ee=malloc(4000) free(aa) free(dd) ff=malloc(200)", 0, gen_classic},
	{"hundred", "for i in 1..100: xs[i] = malloc(10)", 0, gen_hundred},
	{"uniform", "sizes uniform in 1..4096 B, random frees around 1000 live blocks", 100000, gen_uniform},
	{"powerlaw", "power-law sizes 8 B..256 KiB, random frees around 2000 live blocks", 100000, gen_powerlaw},
	{"ramp", "live memory climbs steadily: 1 block in 4 lives to the end (Wilson's ramp)", 100000, gen_ramp},
	{"peak", "8 bursts built up and torn down, 1 in 16 survives (Wilson's peaks)", 100000, gen_peak},
	{"plateau", "quick build-up, then one-for-one replacement (Wilson's plateau)", 100000, gen_plateau},
	{"phased", "4 phases of build-up and LIFO tear-down, each its own size range", 100000, gen_phased},
	{"binary", "alternating 16/256 B blocks, 256s freed, 512s requested: holes that cannot coalesce", 100000, gen_binary},
	{"realloc-growth", "8 vectors doubling by realloc from 16 B up to 4 KiB..1 MiB", 100000, gen_realloc_growth},
	{"big", "1..9 MiB blocks (malloc, calloc, 4 KiB memalign), at most 6 live", 2000, gen_big},
	{"producer-consumer", "--threads N: thread t allocates, thread t+1 frees (queues of up to 256)", 100000, gen_producer_consumer},
	{"larson", "--threads N: random replacement in per-thread arrays, arrays exchanged between threads", 100000, gen_larson},
	{"thread-churn", "--threads N: thread-private random churn, no block changes thread", 100000, gen_thread_churn},
};
const unsigned gen_pattern_count = sizeof gen_patterns / sizeof gen_patterns[0];

const struct gen_pattern *gen_pattern_find(const char *name)
{
	for (unsigned i = 0; i < gen_pattern_count; i++)
		if (!strcmp(gen_patterns[i].name, name))
			return &gen_patterns[i];
	return 0;
}
