/*
 * alloc_perf_probe.c: freeing heap blocks whose payload sits at page offset
 * 0 or 16 (where big blocks' payloads sit, so free must make sure the
 * header's page is mapped before reading it) costs no mincore probe: the
 * header lies inside a heap region, which free checks first.  Before,
 * python-json's replay made 2008 probes.  Big blocks are still probed (a
 * freed one's header is unmapped; alloc_misuse checks that a second free
 * of one is reported).  Runs under every policy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flmalloc.h"
#include "internal.h"
#include "lib/check.h"

enum { N = 20000 };
static void *v[N];

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	int at_page_start = 0;
	for (int i = 0; i < N; i++) {
		v[i] = flmalloc_malloc(24 + (size_t)(i % 37) * 16);
		REQUIRE(v[i], "malloc failed");
		at_page_start += (uintptr_t)v[i] % (uintptr_t)page <= 16;
	}
	REQUIRE(at_page_start >= 10, "only %d payloads at page offset 0 or 16; the test proves nothing",
		at_page_start);
	uint64_t before = fl_state.probe_calls;
	for (int i = 0; i < N; i++)
		flmalloc_free(v[i]);
	CHECK(fl_state.probe_calls == before,
	      "freeing %d heap blocks (%d at a page start) made %llu mincore probes", N, at_page_start,
	      (unsigned long long)(fl_state.probe_calls - before));
	CHECK(flmalloc_check_heap() == 0, "heap inconsistent");

	void *big = flmalloc_malloc((size_t)1 << 20);
	REQUIRE(big, "malloc(1 MiB) failed");
	before = fl_state.probe_calls;
	flmalloc_free(big);
	CHECK(fl_state.probe_calls == before + 1, "a big block's free made %llu probes, want 1",
	      (unsigned long long)(fl_state.probe_calls - before));
	return check_exit_status("alloc_perf_probe");
}
