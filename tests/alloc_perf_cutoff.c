/*
 * alloc_perf_cutoff.c: the dynamic big-allocation cutoff (allocator/big.c).
 *
 *   dynamic  without FLMALLOC_BIG, freeing a 300 KiB big block raises the
 *            cutoff past it: the next 300 KiB request comes from the heap,
 *            and allocating and freeing it 100 times makes no mmap/munmap
 *            pair each (traces/gen-realloc-growth made 1216 of each);
 *   fixed    with FLMALLOC_BIG=256k set, every 300 KiB request keeps its own
 *            mapping;
 *   ceiling  a block above FL_BIG_DYNAMIC_MAX never moves the cutoff.
 * Each case runs in a forked child before the allocator's first call, so
 * each reads its own environment.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flmalloc.h"
#include "internal.h"
#include "lib/alloc_check.h"

#define BLOCK ((size_t)300 << 10)

static void dynamic(void)
{
	void *p = flmalloc_malloc(BLOCK);
	REQUIRE(p, "malloc(300 KiB) failed");
	CHECK(alloc_stats().big_blocks == 1, "300 KiB is not big at the default cutoff");
	flmalloc_free(p);
	CHECK(fl_big_cutoff() > BLOCK, "freeing a 300 KiB big block left the cutoff at %zu", fl_big_cutoff());
	struct flmalloc_stats s0 = alloc_stats();
	for (int i = 0; i < 100; i++) {
		p = flmalloc_malloc(BLOCK);
		REQUIRE(p, "malloc(300 KiB) failed");
		memset(p, 1, BLOCK);
		flmalloc_free(p);
	}
	struct flmalloc_stats s1 = alloc_stats();
	CHECK(s1.big_blocks == 0, "a 300 KiB block still got its own mapping after the cutoff rose");
	CHECK(s1.mmap_calls - s0.mmap_calls <= 1 && s1.munmap_calls == s0.munmap_calls,
	      "100 malloc/free of 300 KiB: %llu mmap, %llu munmap",
	      (unsigned long long)(s1.mmap_calls - s0.mmap_calls),
	      (unsigned long long)(s1.munmap_calls - s0.munmap_calls));
	CHECK(flmalloc_check_heap() == 0, "heap inconsistent");
}

static void fixed(void)
{
	for (int i = 0; i < 3; i++) {
		void *p = flmalloc_malloc(BLOCK);
		REQUIRE(p, "malloc(300 KiB) failed");
		CHECK(alloc_stats().big_blocks == 1, "FLMALLOC_BIG=256k: 300 KiB request %d not big", i);
		flmalloc_free(p);
	}
	CHECK(fl_big_cutoff() == ((size_t)256 << 10), "FLMALLOC_BIG=256k moved to %zu", fl_big_cutoff());
}

static void ceiling(void)
{
	void *p = flmalloc_malloc(FL_BIG_DYNAMIC_MAX + 1);
	REQUIRE(p, "malloc(32 MiB + 1) failed");
	flmalloc_free(p);
	CHECK(fl_big_cutoff() == FL_BIG_DEFAULT, "a block above the ceiling moved the cutoff to %zu",
	      fl_big_cutoff());
}

static void run(void (*body)(void), const char *big)
{
	pid_t pid = fork();
	REQUIRE(pid >= 0, "fork failed");
	if (pid == 0) {
		if (big)
			setenv("FLMALLOC_BIG", big, 1);
		else
			unsetenv("FLMALLOC_BIG");
		unsetenv("FLMALLOC_KEEP");
		body();
		_exit(check_failures ? 1 : 0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a cutoff case failed (status 0x%x)", st);
}

int main(void)
{
	run(dynamic, NULL);
	run(fixed, "256k");
	run(ceiling, NULL);
	return check_exit_status("alloc_perf_cutoff");
}
