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
 *                first (the address does not change).
 * Each case runs in a forked child that sets its environment before its
 * first allocation (settings are read once).  Blocks are 4 KiB and up, so
 * seg's thread cache (blocks up to 1 KiB) never holds them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flmalloc.h"
#include "internal.h"
#include "lib/check.h"

static const char *policy;

#define HEAP_OK(step) CHECK(flmalloc_check_heap() == 0, "%s: heap invariants broken after %s", policy, step)

static struct flmalloc_stats stats(void)
{
	struct flmalloc_stats s;
	flmalloc_stats(&s);
	return s;
}

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
	struct flmalloc_stats s0 = stats();
	/* b grows from 1 to 2 blocks: its right neighbour is in use, its left
	 * one (a) is free and exactly big enough. */
	char *q = flmalloc_realloc(b, FOR_BLOCK(2 * block));
	struct flmalloc_stats s1 = stats();
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
	s0 = stats();
	q = flmalloc_realloc(y, FOR_BLOCK(3 * block + block / 2));
	s1 = stats();
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

static void run(const char *name, void (*body)(void))
{
	pid_t pid = fork();
	REQUIRE(pid >= 0, "fork failed");
	if (pid == 0) {
		check_failures = 0; /* the parent's tally is not this case's */
		unsetenv("FLMALLOC_BIG");
		unsetenv("FLMALLOC_KEEP");
		body();
		_exit(check_failures ? 1 : 0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: case %s failed (status 0x%x)", policy, name, st);
}

int main(void)
{
	policy = getenv("FLMALLOC_POLICY") ? getenv("FLMALLOC_POLICY") : "seg";
	run("slide", slide);
	run("slide_last", slide_last);
	return check_exit_status("alloc_perf_big");
}
