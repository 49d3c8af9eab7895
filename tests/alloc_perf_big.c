/*
 * alloc_perf_big.c: the big-block, region and realloc rules issue 6 changed
 * (docs/allocator.md), under each FLMALLOC_POLICY, asserted through
 * flmalloc_stats() counters and the heap's own state, never through time.
 *
 *   slide        realloc growing a block whose right neighbour is in use
 *                but whose left one is free takes the left one in: the
 *                block moves down to the left neighbour's address, its
 *                bytes intact, no memory mapped, no hole left; with a free
 *                right neighbour too, it takes all three;
 *   slide_last   in-place growth into a free right neighbour still comes
 *                first (the address does not change);
 *   one_region   seg: a 30 MiB working set of 200 KiB blocks lives in one
 *                region, mapped with one mmap (1 MiB minimum regions made
 *                it five); the classic policies keep regions of 1 to 64 MiB;
 *   fallback     seg: when the address space refuses a 64 MiB region
 *                (RLIMIT_AS), a small request still gets a region of its
 *                own size (skipped under ASan, whose shadow needs the
 *                address space);
 *   keep_rule    freeing a 4 MiB big block (a mapping of 4 MiB + 1 page)
 *                raises the cutoff to 8 MiB under seg, the power of two
 *                above its length, and FLMALLOC_KEEP to 6 x 8 MiB; a 5 MiB
 *                request then comes from the heap (glibc's rule, the freed
 *                length, would have mapped it); the classic policies keep
 *                glibc's rule (cutoff = length, KEEP = 6 x length);
 *   largest      with KEEP = 9 MiB, freeing 1, 1 and 10 MiB blocks (12 MiB
 *                resident) releases the 10 MiB one alone: one call, the
 *                two small ones stay resident (region and address order
 *                purged the first 1 MiB block too: two calls).
 * Each case runs in a forked child that sets its environment before its
 * first allocation (settings are read once).  Blocks are 4 KiB and up, so
 * seg's thread cache (blocks up to 1 KiB) never holds them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flmalloc.h"
#include "internal.h"
#include "lib/alloc_check.h"

static const char *policy;

static void *alloc_filled(size_t n, unsigned char byte)
{
	void *p = flmalloc_malloc(n);
	REQUIRE(p, "%s: malloc(%zu) failed", policy, n);
	memset(p, byte, n);
	return p;
}

static bool all_bytes(const void *p, size_t n, unsigned char byte)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		if (c[i] != byte)
			return false;
	return true;
}

/* Usable bytes of a block of exactly `block` bytes. */
#define FOR_BLOCK(block) ((block) - FL_BLOCK_OVERHEAD)

static void slide(void)
{
	const size_t block = 4096; /* a, b, c, guard: consecutive blocks */
	char *a = alloc_filled(FOR_BLOCK(block), 0xa1);
	char *b = alloc_filled(FOR_BLOCK(block), 0xb2);
	char *guard = alloc_filled(FOR_BLOCK(block), 0xc3);
	REQUIRE(b == a + block && guard == b + block,
		"%s: a fresh region did not hand out consecutive blocks (%p %p %p)", policy, (void *)a,
		(void *)b, (void *)guard);
	flmalloc_free(a);
	struct flmalloc_stats s0 = alloc_stats();
	/* b grows from 1 to 2 blocks: its right neighbour is in use, its left
	 * one (a) is free and exactly big enough. */
	char *q = flmalloc_realloc(b, FOR_BLOCK(2 * block));
	struct flmalloc_stats s1 = alloc_stats();
	CHECK(q == a, "%s: realloc did not slide into the free left neighbour (%p, expected %p)", policy,
	      (void *)q, (void *)a);
	CHECK(all_bytes(q, FOR_BLOCK(block), 0xb2), "%s: the slid block lost its bytes", policy);
	CHECK(all_bytes(guard, FOR_BLOCK(block), 0xc3), "%s: the slide wrote past its block", policy);
	CHECK(s1.bytes_mapped == s0.bytes_mapped && s1.mmap_calls == s0.mmap_calls,
	      "%s: the slide mapped memory", policy);
	CHECK(s1.bytes_free == s0.bytes_free - block, "%s: bytes_free %llu -> %llu: a hole was left",
	      policy, (unsigned long long)s0.bytes_free, (unsigned long long)s1.bytes_free);
	HEAP_OK("a slide into the left neighbour");

	/* Both neighbours free: x (1 block) | y (1 block) | z (2 blocks) | guard.
	 * y grows to 3.5 blocks: x + y + z = 4 blocks, and the half block
	 * left over stays free on the right. */
	char *x = alloc_filled(FOR_BLOCK(block), 0x11);
	char *y = alloc_filled(FOR_BLOCK(block), 0x22);
	char *z = alloc_filled(FOR_BLOCK(2 * block), 0x33);
	char *guard2 = alloc_filled(FOR_BLOCK(block), 0x44);
	REQUIRE(y == x + block && z == y + block && guard2 == z + 2 * block,
		"%s: blocks not consecutive", policy);
	flmalloc_free(x);
	flmalloc_free(z);
	s0 = alloc_stats();
	q = flmalloc_realloc(y, FOR_BLOCK(3 * block + block / 2));
	s1 = alloc_stats();
	CHECK(q == x, "%s: realloc did not slide over both free neighbours (%p, expected %p)", policy,
	      (void *)q, (void *)x);
	CHECK(all_bytes(q, FOR_BLOCK(block), 0x22), "%s: the slid block lost its bytes", policy);
	CHECK(all_bytes(guard2, FOR_BLOCK(block), 0x44), "%s: the slide wrote past its blocks", policy);
	CHECK(s1.bytes_free == s0.bytes_free - (3 * block - block / 2) && s1.mmap_calls == s0.mmap_calls,
	      "%s: bytes_free %llu -> %llu after sliding over both neighbours", policy,
	      (unsigned long long)s0.bytes_free, (unsigned long long)s1.bytes_free);
	HEAP_OK("a slide over both neighbours");
	flmalloc_free(q);
	flmalloc_free(guard);
	flmalloc_free(guard2);
	HEAP_OK("freeing everything");
}

static void slide_last(void)
{
	const size_t block = 4096;
	char *a = alloc_filled(FOR_BLOCK(block), 0xa1);
	char *b = alloc_filled(FOR_BLOCK(block), 0xb2);
	char *c = alloc_filled(FOR_BLOCK(block), 0xc3);
	char *guard = alloc_filled(FOR_BLOCK(block), 0xd4);
	REQUIRE(b == a + block && c == b + block && guard == c + block, "%s: blocks not consecutive",
		policy);
	flmalloc_free(a);
	flmalloc_free(c);
	char *q = flmalloc_realloc(b, FOR_BLOCK(2 * block));
	CHECK(q == b, "%s: realloc moved (%p -> %p) although its right neighbour was free", policy,
	      (void *)b, (void *)q);
	CHECK(all_bytes(q, FOR_BLOCK(block), 0xb2), "%s: in-place growth lost bytes", policy);
	HEAP_OK("growth into the right neighbour");
	flmalloc_free(q);
	flmalloc_free(guard);
}

#define MiB ((size_t)1 << 20)

static void one_region(void)
{
	enum { COUNT = 150 };
	const size_t size = 200 << 10; /* under the 256 KiB cutoff: heap blocks */
	void *v[COUNT];
	for (int i = 0; i < COUNT; i++)
		v[i] = alloc_filled(size, (unsigned char)i);
	struct flmalloc_stats s = alloc_stats();
	CHECK(s.big_blocks == 0, "%s: 200 KiB blocks got their own mappings", policy);
	if (!strcmp(policy, "seg")) {
		CHECK(s.regions == 1 && s.mmap_calls == 1,
		      "%s: a 30 MiB working set took %llu regions, %llu mmap calls", policy,
		      (unsigned long long)s.regions, (unsigned long long)s.mmap_calls);
		CHECK(s.bytes_mapped >= FL_REGION_MIN_SEG,
		      "%s: the region maps %llu bytes, under FL_REGION_MIN_SEG", policy,
		      (unsigned long long)s.bytes_mapped);
	} else {
		/* 1 MiB, then half the heap: 1, 1, 1, 1.5, 2.25, ... MiB */
		CHECK(s.regions > 1 && s.bytes_mapped < FL_REGION_MIN_SEG,
		      "%s: %llu regions, %llu bytes mapped: not the classic layout", policy,
		      (unsigned long long)s.regions, (unsigned long long)s.bytes_mapped);
	}
	for (int i = 0; i < COUNT; i++)
		flmalloc_free(v[i]);
	HEAP_OK("freeing the working set");
}

static void fallback(void)
{
#if defined(__SANITIZE_ADDRESS__)
	printf("fallback: skipped under ASan\n");
#else
	/* Room for 32 MiB more than the process maps now: no 64 MiB region. */
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	REQUIRE(f && fscanf(f, "%lu", &pages) == 1, "cannot read /proc/self/statm");
	fclose(f);
	rlim_t limit = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + (rlim_t)(32 * MiB);
	struct rlimit rl = {limit, limit};
	REQUIRE(setrlimit(RLIMIT_AS, &rl) == 0, "setrlimit(RLIMIT_AS) failed");
	void *p = flmalloc_malloc(1000);
	CHECK(p != NULL, "%s: malloc(1000) failed when 64 MiB of address space was not there", policy);
	struct flmalloc_stats s = alloc_stats();
	CHECK(s.regions == 1 && s.bytes_mapped < FL_REGION_MIN_SEG,
	      "%s: %llu regions, %llu bytes mapped under RLIMIT_AS", policy,
	      (unsigned long long)s.regions, (unsigned long long)s.bytes_mapped);
	flmalloc_free(p);
	HEAP_OK("a fallback region");
#endif
}

static void keep_rule(void)
{
	void *p = flmalloc_malloc(4 * MiB);
	REQUIRE(p, "%s: malloc(4 MiB) failed", policy);
	CHECK(alloc_stats().big_blocks == 1, "%s: 4 MiB is not big at the default cutoff", policy);
	size_t len = fl_size(fl_block_of(p));
	flmalloc_free(p);
	if (strcmp(policy, "seg")) {
		CHECK(fl_big_cutoff() == len && fl_state.keep == 6 * len,
		      "%s: cutoff %zu, KEEP %zu after freeing a %zu-byte mapping", policy,
		      fl_big_cutoff(), fl_state.keep, len);
		return;
	}
	CHECK(len > 4 * MiB && fl_big_cutoff() == 8 * MiB,
	      "%s: the cutoff is %zu after freeing a %zu-byte mapping, not 8 MiB", policy,
	      fl_big_cutoff(), len);
	CHECK(fl_state.keep == 6 * 8 * MiB, "%s: FLMALLOC_KEEP is %zu, not 6 x 8 MiB", policy,
	      fl_state.keep);
	struct flmalloc_stats s0 = alloc_stats();
	p = flmalloc_malloc(5 * MiB);
	REQUIRE(p, "%s: malloc(5 MiB) failed", policy);
	CHECK(alloc_stats().big_blocks == s0.big_blocks, "%s: 5 MiB got its own mapping under an 8 MiB cutoff",
	      policy);
	flmalloc_free(p);
	HEAP_OK("a 5 MiB heap block");
}

static void largest(void)
{
	char *a = alloc_filled(1 * MiB, 0x0a);
	char *g1 = alloc_filled(4096, 0x01); /* above the thread cache's sizes: heap order */
	char *b = alloc_filled(10 * MiB, 0x0b);
	char *g2 = alloc_filled(4096, 0x02);
	char *c = alloc_filled(1 * MiB, 0x0c);
	char *g3 = alloc_filled(4096, 0x03);
	REQUIRE(alloc_stats().big_blocks == 0, "%s: blocks got their own mappings despite FLMALLOC_BIG", policy);
	flmalloc_free(a);
	flmalloc_free(c);
	struct flmalloc_stats s0 = alloc_stats();
	CHECK(s0.madvise_calls == 0 && fl_state.free_large_bytes > 2 * MiB - 64 * 1024,
	      "%s: 2 MiB free under KEEP = 9 MiB: %llu madvise calls, %llu resident", policy,
	      (unsigned long long)s0.madvise_calls, (unsigned long long)fl_state.free_large_bytes);
	flmalloc_free(b); /* 12 MiB resident > KEEP: down to 4.5 MiB */
	struct flmalloc_stats s1 = alloc_stats();
	/* One call: a madvise of b's pages, or (classic policies, whose small
	 * regions may give b one of its own) a munmap of b's region. */
	CHECK((s1.madvise_calls - s0.madvise_calls) + (s1.munmap_calls - s0.munmap_calls) == 1,
	      "%s: trimming 12 MiB down to 4.5 made %llu madvise and %llu munmap calls, not one",
	      policy, (unsigned long long)(s1.madvise_calls - s0.madvise_calls),
	      (unsigned long long)(s1.munmap_calls - s0.munmap_calls));
	CHECK(fl_state.free_large_bytes > 2 * MiB - 64 * 1024 && fl_state.free_large_bytes <= 9 * MiB / 2,
	      "%s: %llu resident bytes after the trim: the small blocks should stay, the large one go",
	      policy, (unsigned long long)fl_state.free_large_bytes);
	HEAP_OK("a trim");
	flmalloc_free(g1);
	flmalloc_free(g2);
	flmalloc_free(g3);
}

static void run_with(const char *name, void (*body)(void), const char *big, const char *keep)
{
	pid_t pid = fork();
	REQUIRE(pid >= 0, "fork failed");
	if (pid == 0) {
		check_failures = 0; /* the parent's tally is not this case's */
		if (big)
			setenv("FLMALLOC_BIG", big, 1);
		else
			unsetenv("FLMALLOC_BIG");
		if (keep)
			setenv("FLMALLOC_KEEP", keep, 1);
		else
			unsetenv("FLMALLOC_KEEP");
		body();
		_exit(check_failures ? 1 : 0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: case %s failed (status 0x%x)", policy, name, st);
}

static void run(const char *name, void (*body)(void))
{
	run_with(name, body, NULL, NULL);
}

int main(void)
{
	policy = getenv("FLMALLOC_POLICY") ? getenv("FLMALLOC_POLICY") : "seg";
	run("slide", slide);
	run("slide_last", slide_last);
	run("one_region", one_region);
	run("fallback", fallback);
	run("keep_rule", keep_rule);
	run_with("largest", largest, "64M", "9M");
	return check_exit_status("alloc_perf_big");
}
