/*
 * alloc_policy_trim.c: giving memory back honours FLMALLOC_KEEP, under each
 * FLMALLOC_POLICY (the runner starts it once per policy).
 *
 * FLMALLOC_KEEP bounds the whole free pages that may stay resident in free
 * blocks holding at least 64 KiB of them (fl_state.free_large_bytes, read
 * through allocator/internal.h); the blocks here are 128 KiB.
 * Settings are read once, so each case runs in a forked child that sets
 * its environment before its first allocation:
 *   keep_small  KEEP = 256 KiB: after every free the resident free pages
 *               are at most KEEP, something was released, and a released
 *               block's pages are really gone (mincore);
 *   keep_large  KEEP = 1 GiB: freeing 8 MiB releases nothing (no madvise,
 *               no munmap), the free pages all stay; flmalloc_trim(0) then
 *               unmaps every wholly free region.
 * FLMALLOC_BIG = 16 MiB keeps the 128 KiB blocks in the heap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flmalloc.h"
#include "internal.h"
#include "lib/alloc_check.h"

#define BLOCK ((size_t)128 << 10) /* its whole pages make a span that counts */
#define COUNT 64 /* 8 MiB in all */

static const char *policy;

static void fill(void *v[COUNT])
{
	for (int i = 0; i < COUNT; i++) {
		v[i] = flmalloc_malloc(BLOCK);
		REQUIRE(v[i], "%s: malloc(128 KiB) failed", policy);
		memset(v[i], 0x5a, BLOCK); /* make every page resident */
	}
	HEAP_OK("filling");
	REQUIRE(alloc_stats().big_blocks == 0, "%s: 128 KiB blocks went to own mappings despite FLMALLOC_BIG", policy);
}

/* Pages of [p, p+len) resident, by mincore. */
static size_t resident_pages(void *p, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
	uintptr_t hi = ((uintptr_t)p + len) & ~(uintptr_t)(page - 1);
	unsigned char vec[BLOCK / 4096 + 2];
	if (hi <= lo || (hi - lo) / page > sizeof vec)
		return 0;
	REQUIRE(mincore((void *)lo, hi - lo, vec) == 0, "mincore failed");
	size_t n = 0;
	for (size_t i = 0; i < (hi - lo) / page; i++)
		n += vec[i] & 1;
	return n;
}

static void keep_small(void)
{
	const size_t keep = 256 << 10;
	void *v[COUNT];
	fill(v);
	struct flmalloc_stats s0 = alloc_stats();
	/* Free every other block first (no coalescing), then the rest. */
	for (int pass = 0; pass < 2; pass++)
		for (int i = pass; i < COUNT; i += 2) {
			flmalloc_free(v[i]);
			HEAP_OK("free");
			CHECK(fl_state.free_large_bytes <= keep,
			      "%s: %llu bytes of free pages resident after a free, FLMALLOC_KEEP=%zu", policy,
			      (unsigned long long)fl_state.free_large_bytes, keep);
		}
	struct flmalloc_stats s1 = alloc_stats();
	CHECK(s1.madvise_calls + s1.munmap_calls > s0.madvise_calls + s0.munmap_calls,
	      "%s: freeing 8 MiB with FLMALLOC_KEEP=256K released nothing", policy);

	/* A freed block in the middle of live ones is purged for real. */
	void *w[COUNT];
	fill(w);
	void *mid = w[COUNT / 2];
	CHECK(resident_pages(mid, BLOCK) > 0, "%s: a written block has no resident pages", policy);
	for (int i = 0; i < COUNT; i += 2)
		flmalloc_free(w[i]);
	HEAP_OK("freeing every other block");
	CHECK(fl_state.free_large_bytes <= keep, "%s: resident free pages above FLMALLOC_KEEP", policy);
	CHECK(resident_pages(mid, BLOCK) <= 2,
	      "%s: %zu pages of a freed and purged 128 KiB block still resident", policy,
	      resident_pages(mid, BLOCK));
	for (int i = 1; i < COUNT; i += 2)
		flmalloc_free(w[i]);
	HEAP_OK("freeing the rest");
}

static void keep_large(void)
{
	void *v[COUNT];
	fill(v);
	struct flmalloc_stats s0 = alloc_stats();
	for (int i = 0; i < COUNT; i++)
		flmalloc_free(v[i]);
	HEAP_OK("freeing all");
	struct flmalloc_stats s1 = alloc_stats();
	CHECK(s1.madvise_calls == s0.madvise_calls && s1.munmap_calls == s0.munmap_calls,
	      "%s: FLMALLOC_KEEP=1G still released memory (madvise %llu->%llu, munmap %llu->%llu)", policy,
	      (unsigned long long)s0.madvise_calls, (unsigned long long)s1.madvise_calls,
	      (unsigned long long)s0.munmap_calls, (unsigned long long)s1.munmap_calls);
	CHECK(fl_state.free_page_bytes >= (uint64_t)COUNT * BLOCK - 2 * s1.regions * 4096,
	      "%s: only %llu bytes of free pages kept after freeing 8 MiB", policy,
	      (unsigned long long)fl_state.free_page_bytes);
	CHECK(flmalloc_trim(0) == 1, "%s: flmalloc_trim(0) released nothing", policy);
	HEAP_OK("flmalloc_trim(0)");
	struct flmalloc_stats s2 = alloc_stats();
	CHECK(s2.regions == 0 && s2.bytes_mapped == 0 && fl_state.free_page_bytes == 0,
	      "%s: after flmalloc_trim(0) on an empty heap: %llu regions, %llu bytes mapped", policy,
	      (unsigned long long)s2.regions, (unsigned long long)s2.bytes_mapped);
}

static int run_child(const char *keep, void (*scenario)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	REQUIRE(pid >= 0, "fork failed");
	if (pid == 0) {
		setenv("FLMALLOC_KEEP", keep, 1);
		setenv("FLMALLOC_BIG", "16M", 1);
		policy = alloc_stats().policy;
		scenario();
		fflush(NULL);
		_exit(check_failures ? 1 : 0);
	}
	int status;
	REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid failed");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	policy = getenv("FLMALLOC_POLICY") ? getenv("FLMALLOC_POLICY") : "seg";
	CHECK(run_child("256K", keep_small) == 0, "%s: FLMALLOC_KEEP=256K case failed", policy);
	CHECK(run_child("1G", keep_large) == 0, "%s: FLMALLOC_KEEP=1G case failed", policy);
	return check_exit_status("alloc_policy_trim");
}
