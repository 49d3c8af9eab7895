/*
 * alloc_policy_blocks.c: how each FLMALLOC_POLICY handles blocks (issue 2's
 * policy tests): splitting, coalescing with the left, the right and both
 * neighbours, the order free blocks are reused in, big blocks unmapped on
 * free, realloc growing into a free neighbour and shrinking in place, and
 * the classic aa..ff sequence.  The runner starts it once per
 * policy.  White-box: it reads block heads through allocator/internal.h,
 * and runs flmalloc_check_heap() after every operation.
 *
 * Each case frees everything it allocated, so the next one starts from a
 * heap whose free space has coalesced back into one block per region: that
 * is what makes consecutive allocations adjacent, which the cases REQUIRE
 * before relying on it.  FLMALLOC_BIG is set to 64 KiB before the first
 * call so the big-block case knows the cutoff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flmalloc.h"
#include "internal.h"
#include "lib/alloc_check.h"

#define BIG_CUTOFF ((size_t)64 << 10)
#define SMALL 100 /* a request whose block is 112 bytes */

static const char *policy;

static struct fl_block *blk(void *p)
{
	return fl_block_of(p);
}

static void *alloc(size_t n, const char *step)
{
	void *p = flmalloc_malloc(n);
	REQUIRE(p, "%s: malloc(%zu) failed at %s", policy, n, step);
	memset(p, 0xab, n);
	HEAP_OK(step);
	return p;
}

/* These cases are about the heap's own blocks, so seg's thread cache is
 * off (FLMALLOC_TCACHE=0, set in main: with it, a miss may cut several
 * blocks at once) and flushing is a no-op kept for safety
 * (tests/alloc_perf_tcache.c covers the cache itself). */
static void release(void *p, const char *step)
{
	flmalloc_free(p);
	fl_tcache_flush();
	HEAP_OK(step);
}

static void require_empty_heap(const char *test)
{
	REQUIRE(alloc_stats().bytes_in_use == 0, "%s: %s starts with blocks still in use", policy, test);
}

/* a, b, c, d: four SMALL blocks, REQUIRED to be adjacent in that order. */
static void four_adjacent(void *v[4], const char *test)
{
	size_t step = fl_block_size_for(SMALL);
	for (int i = 0; i < 4; i++)
		v[i] = alloc(SMALL, test);
	for (int i = 1; i < 4; i++)
		REQUIRE((char *)v[i] == (char *)v[i - 1] + step,
			"%s: %s: consecutive mallocs from a coalesced heap are not adjacent", policy, test);
}

static void test_split(void)
{
	require_empty_heap("split");
	void *p = alloc(1000, "split: malloc(1000)");
	CHECK(fl_size(blk(p)) == fl_block_size_for(1000), "%s: malloc(1000) block is %zu bytes, want %zu",
	      policy, fl_size(blk(p)), fl_block_size_for(1000));
	struct fl_block *rest = fl_right(blk(p));
	CHECK(!fl_is_inuse(rest), "%s: the remainder after malloc(1000) is not free", policy);
	size_t free_before = alloc_stats().bytes_free;
	release(p, "split: free(1000)");
	CHECK(alloc_stats().bytes_free == free_before + fl_block_size_for(1000),
	      "%s: freeing 1008 bytes did not add them to the free bytes", policy);

	void *q = alloc(SMALL, "split: malloc(100) from the coalesced block");
	CHECK(q == p, "%s: malloc(100) did not reuse the freed block's start (%p vs %p)", policy, q, p);
	CHECK(fl_size(blk(q)) == fl_block_size_for(SMALL), "%s: the split block is %zu bytes, want %zu", policy,
	      fl_size(blk(q)), fl_block_size_for(SMALL));
	CHECK(!fl_is_inuse(fl_right(blk(q))), "%s: the split remainder is not free", policy);
	CHECK(alloc_stats().bytes_free == free_before + fl_block_size_for(1000) - fl_block_size_for(SMALL),
	      "%s: the split did not leave exactly the rest free", policy);
	release(q, "split: cleanup");
}

static void test_coalesce(void)
{
	size_t one = fl_block_size_for(SMALL);
	void *v[4];

	require_empty_heap("coalesce left");
	four_adjacent(v, "coalesce left");
	release(v[0], "coalesce left: free(a)");
	release(v[1], "coalesce left: free(b)");
	CHECK(!fl_is_inuse(blk(v[0])) && fl_size(blk(v[0])) == 2 * one,
	      "%s: freeing b next to free a did not make one %zu-byte block (a is %zu)", policy, 2 * one,
	      fl_size(blk(v[0])));
	release(v[2], "coalesce left: cleanup c");
	release(v[3], "coalesce left: cleanup d");

	require_empty_heap("coalesce right");
	four_adjacent(v, "coalesce right");
	release(v[1], "coalesce right: free(b)");
	release(v[0], "coalesce right: free(a)");
	CHECK(!fl_is_inuse(blk(v[0])) && fl_size(blk(v[0])) == 2 * one,
	      "%s: freeing a next to free b did not make one %zu-byte block (a is %zu)", policy, 2 * one,
	      fl_size(blk(v[0])));
	release(v[2], "coalesce right: cleanup c");
	release(v[3], "coalesce right: cleanup d");

	require_empty_heap("coalesce both");
	four_adjacent(v, "coalesce both");
	release(v[0], "coalesce both: free(a)");
	release(v[2], "coalesce both: free(c)");
	CHECK(fl_size(blk(v[0])) == one && fl_size(blk(v[2])) == one,
	      "%s: a and c coalesced across the in-use b", policy);
	release(v[1], "coalesce both: free(b)");
	CHECK(!fl_is_inuse(blk(v[0])) && fl_size(blk(v[0])) == 3 * one,
	      "%s: freeing b between free a and c did not make one %zu-byte block (a is %zu)", policy,
	      3 * one, fl_size(blk(v[0])));
	/* d borders the region's free tail: freeing it merges both ways. */
	size_t tail = fl_size(fl_right(blk(v[3])));
	release(v[3], "coalesce both: free(d)");
	CHECK(fl_size(blk(v[0])) == 4 * one + tail,
	      "%s: freeing d did not merge a..c, d and the free tail", policy);
}

/* Frees N separated blocks in a scrambled order, then reallocates them:
 * addr and best hand them back lowest address first (best: all sizes
 * equal, ties go to the lower address), lifo and seg most recently freed
 * first (seg: 112 bytes is an exact class, a list newest first). */
static void test_reuse_order(void)
{
	enum { N = 24 };
	void *x[N], *sep[N];
	int order[N];
	require_empty_heap("reuse order");
	for (int i = 0; i < N; i++) {
		x[i] = alloc(SMALL, "reuse order: malloc x");
		sep[i] = alloc(SMALL, "reuse order: malloc separator");
		order[i] = (i * 7 + 3) % N; /* 7 is prime to 24: a permutation */
	}
	for (int i = 0; i < N; i++)
		release(x[order[i]], "reuse order: free x in scrambled order");
	bool lifo = !strcmp(policy, "lifo") || !strcmp(policy, "seg");
	for (int i = 0; i < N; i++) {
		void *want = lifo ? x[order[N - 1 - i]] : x[i];
		void *got = alloc(SMALL, "reuse order: malloc again");
		CHECK(got == want, "%s: reuse #%d returned %p, want %p (%s)", policy, i, got, want,
		      lifo ? "most recently freed first" : "lowest address first");
	}
	for (int i = 0; i < N; i++) {
		release(x[i], "reuse order: cleanup x");
		release(sep[i], "reuse order: cleanup separator");
	}
}

static void test_big_blocks(void)
{
	require_empty_heap("big blocks");
	struct flmalloc_stats s0 = alloc_stats();
	void *small = alloc(BIG_CUTOFF - 1, "big: malloc(cutoff - 1)");
	struct flmalloc_stats s1 = alloc_stats();
	CHECK(s1.big_blocks == s0.big_blocks, "%s: a request below FLMALLOC_BIG got its own mapping", policy);
	release(small, "big: free(cutoff - 1)");

	s0 = alloc_stats();
	void *p = alloc(BIG_CUTOFF, "big: malloc(cutoff)");
	s1 = alloc_stats();
	CHECK(s1.big_blocks == s0.big_blocks + 1 && s1.mmap_calls == s0.mmap_calls + 1,
	      "%s: malloc(FLMALLOC_BIG) did not map a block of its own", policy);
	CHECK(s1.bytes_mapped >= s0.bytes_mapped + BIG_CUTOFF, "%s: the big mapping is too small", policy);
	CHECK(flmalloc_usable_size(p) >= BIG_CUTOFF, "%s: big block usable size too small", policy);
	release(p, "big: free(cutoff)");
	struct flmalloc_stats s2 = alloc_stats();
	CHECK(s2.big_blocks == s0.big_blocks && s2.munmap_calls == s1.munmap_calls + 1 &&
		      s2.bytes_mapped == s0.bytes_mapped,
	      "%s: freeing a big block did not unmap it (blocks %llu->%llu, munmap %llu->%llu)", policy,
	      (unsigned long long)s1.big_blocks, (unsigned long long)s2.big_blocks,
	      (unsigned long long)s1.munmap_calls, (unsigned long long)s2.munmap_calls);

	/* A big block grows with mremap and keeps its contents. */
	unsigned char *g = alloc(BIG_CUTOFF, "big: malloc for realloc");
	for (size_t i = 0; i < BIG_CUTOFF; i++)
		g[i] = (unsigned char)(i * 31);
	s1 = alloc_stats();
	g = flmalloc_realloc(g, 8 * BIG_CUTOFF);
	REQUIRE(g, "%s: realloc of a big block failed", policy);
	HEAP_OK("big: realloc");
	CHECK(alloc_stats().mremap_calls == s1.mremap_calls + 1, "%s: growing a big block did not use mremap", policy);
	size_t bad = 0;
	for (size_t i = 0; i < BIG_CUTOFF; i++)
		bad += g[i] != (unsigned char)(i * 31);
	CHECK(!bad, "%s: realloc of a big block lost %zu bytes of contents", policy, bad);
	release(g, "big: free after realloc");

	/* A big aligned block: aligned, and unmapped whole on free. */
	s0 = alloc_stats();
	void *a = flmalloc_memalign((size_t)1 << 20, BIG_CUTOFF);
	REQUIRE(a, "%s: memalign(1 MiB, cutoff) failed", policy);
	HEAP_OK("big: memalign");
	CHECK((uintptr_t)a % ((size_t)1 << 20) == 0, "%s: memalign(1 MiB) returned %p", policy, a);
	release(a, "big: free memalign");
	CHECK(alloc_stats().bytes_mapped == s0.bytes_mapped && alloc_stats().big_blocks == s0.big_blocks,
	      "%s: freeing a big aligned block left mapped bytes behind", policy);
}

/* realloc grows in place into a free right neighbour and shrinks in place,
 * freeing the tail (which coalesces with a free block after it). */
static void test_realloc_in_place(void)
{
	size_t one = fl_block_size_for(SMALL);
	void *v[4];
	require_empty_heap("realloc in place");
	four_adjacent(v, "realloc in place");
	unsigned char *a = v[0];
	for (int i = 0; i < SMALL; i++)
		a[i] = (unsigned char)(i * 13 + 1);
	release(v[1], "realloc: free(b)");
	void *g = flmalloc_realloc(a, 2 * SMALL);
	HEAP_OK("realloc: grow a into free b");
	CHECK(g == a, "%s: realloc(a, 200) moved (%p -> %p) though b after it was free", policy, (void *)a, g);
	CHECK(fl_size(blk(a)) == 2 * one, "%s: a grown into b is %zu bytes, want %zu", policy, fl_size(blk(a)),
	      2 * one);
	int bad = 0;
	for (int i = 0; i < SMALL; i++)
		bad += a[i] != (unsigned char)(i * 13 + 1);
	CHECK(!bad, "%s: growing in place changed %d bytes", policy, bad);

	void *s = flmalloc_realloc(a, 40);
	HEAP_OK("realloc: shrink a");
	CHECK(s == a && fl_size(blk(a)) == fl_block_size_for(40),
	      "%s: realloc(a, 40) did not shrink in place to %zu bytes (%p, %zu)", policy, fl_block_size_for(40),
	      s, fl_size(blk(s)));
	release(v[2], "realloc: free(c)");
	struct fl_block *tail = fl_right(blk(a));
	CHECK(!fl_is_inuse(tail) && fl_size(tail) == 2 * one - fl_block_size_for(40) + one,
	      "%s: the shrunk tail and c did not coalesce", policy);
	bad = 0;
	for (int i = 0; i < 40; i++)
		bad += a[i] != (unsigned char)(i * 13 + 1);
	CHECK(!bad, "%s: shrinking in place changed %d bytes", policy, bad);
	release(a, "realloc: cleanup a");
	release(v[3], "realloc: cleanup d");
}

/* seg's range classes (1 KiB and up) are best fit: with free blocks of
 * 1184, 1120 and 1152 bytes (three classes' worth of sizes, the middle one
 * in the request's own class [1024, 1152)), malloc(1090) (a 1104-byte
 * block) takes the 1120-byte one, although it lies above the 1184. */
static void test_seg_range_best_fit(void)
{
	if (strcmp(policy, "seg"))
		return;
	require_empty_heap("seg best fit");
	static const size_t sizes[3] = {1180, 1100, 1140};
	void *x[3], *sep[3];
	for (int i = 0; i < 3; i++) {
		x[i] = alloc(sizes[i], "seg best fit: malloc x");
		sep[i] = alloc(SMALL, "seg best fit: malloc separator");
	}
	for (int i = 0; i < 3; i++)
		release(x[i], "seg best fit: free x");
	void *got = alloc(1090, "seg best fit: malloc(1090)");
	CHECK(got == x[1], "%s: malloc(1090) got %p, want the 1120-byte block %p (best fit)", policy, got, x[1]);
	release(got, "seg best fit: cleanup");
	for (int i = 0; i < 3; i++)
		release(sep[i], "seg best fit: cleanup separator");
}

/* The classic sequence (issue 2).  After free(bb) the free blocks are bb's
 * (112 bytes) and the region's tail; every policy gives dd bb's block (addr
 * and seg: lowest address / its exact class; best: smallest; lifo: bb was
 * freed last).  free(aa) and free(dd) coalesce aa+bb into 224 bytes at aa,
 * which is the lowest, the smallest fitting, the most recently freed and
 * the lowest in a class above 208: ff lands at aa under every policy. */
static void test_classic_sequence(void)
{
	require_empty_heap("classic sequence");
	void *aa = alloc(100, "aa=malloc(100)");
	void *bb = alloc(100, "bb=malloc(100)");
	void *cc = alloc(400, "cc=malloc(400)");
	release(bb, "free(bb)");
	void *dd = alloc(100, "dd=malloc(100)");
	CHECK(dd == bb, "%s: dd=malloc(100) did not reuse bb's block (dd=%p bb=%p)", policy, dd, bb);
	void *ee = alloc(4000, "ee=malloc(4000)");
	release(aa, "free(aa)");
	release(dd, "free(dd)");
	CHECK(!fl_is_inuse(blk(aa)) && fl_size(blk(aa)) == 2 * fl_block_size_for(100),
	      "%s: aa and dd did not coalesce", policy);
	void *ff = alloc(200, "ff=malloc(200)");
	CHECK(ff == aa, "%s: ff=malloc(200) did not reuse the coalesced aa+bb space (ff=%p aa=%p)", policy,
	      ff, aa);
	printf("%s: classic: aa=+0 bb=+%td cc=+%td dd=+%td ee=+%td ff=+%td\n", policy, (char *)bb - (char *)aa,
	       (char *)cc - (char *)aa, (char *)dd - (char *)aa, (char *)ee - (char *)aa,
	       (char *)ff - (char *)aa);
	release(cc, "cleanup cc");
	release(ee, "cleanup ee");
	release(ff, "cleanup ff");
}

int main(void)
{
	setenv("FLMALLOC_BIG", "65536", 1);
	setenv("FLMALLOC_TCACHE", "0", 1);
	struct flmalloc_stats s = alloc_stats();
	policy = s.policy;
	const char *want = getenv("FLMALLOC_POLICY");
	REQUIRE(!want || !strcmp(want, policy), "FLMALLOC_POLICY=%s but the allocator runs %s", want, policy);
	test_split();
	test_coalesce();
	test_reuse_order();
	test_seg_range_best_fit();
	test_realloc_in_place();
	test_big_blocks();
	test_classic_sequence();
	HEAP_OK("the end");
	return check_exit_status("alloc_policy_blocks");
}
