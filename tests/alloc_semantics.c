/*
 * alloc_semantics.c: libflmalloc keeps glibc's malloc contract (issue 2,
 * "glibc's semantics"), checked through the prefixed core API so that the
 * sanitized build runs it under ASan + UBSan.  The runner starts it once per
 * FLMALLOC_POLICY; every property must hold under every policy.
 *
 * The cases follow the spirit of glibc's own tests (tst-malloc-too-large,
 * tst-calloc, tst-realloc, tst-reallocarray, tst-posix_memalign,
 * tst-aligned-alloc, tst-valloc, tst-pvalloc, tst-free-errno,
 * tst-malloc-usable) without copying them.
 *
 * The trim check needs FLMALLOC_KEEP large (so free keeps everything and
 * only flmalloc_trim gives memory back); settings are read once at start-up,
 * so the test re-executes itself with "--trim-child" and that setting.
 */
#include <errno.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flmalloc.h"
#include "lib/alloc_check.h"

extern char **environ;

#define KiB ((size_t)1024)
#define MiB (1024 * KiB)

/* Every pointer malloc returns must suit any fundamental type. */
#define MALLOC_ALIGNMENT 16

static size_t page_size;

static bool is_aligned(const void *p, size_t alignment)
{
	return ((uintptr_t)p & (alignment - 1)) == 0;
}

static size_t round_up(size_t n, size_t multiple)
{
	return (n + multiple - 1) / multiple * multiple;
}

/* A position-dependent pattern: a block moved by a few bytes, or two
 * blocks that overlap, cannot keep matching. */
static unsigned char pattern_byte(unsigned seed, size_t i)
{
	return (unsigned char)(seed * 131u + i * 7u + (i >> 8));
}

static void fill_pattern(void *p, size_t n, unsigned seed)
{
	unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		b[i] = pattern_byte(seed, i);
}

/* Returns the index of the first byte that differs, or n. */
static size_t first_pattern_mismatch(const void *p, size_t n, unsigned seed)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != pattern_byte(seed, i))
			return i;
	return n;
}

static size_t first_nonzero(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return i;
	return n;
}

/* The size at which blocks start getting a mapping of their own
 * (FLMALLOC_BIG), found from the stats so the test follows whatever
 * default the allocator chose.  0 if no size up to 256 MiB is "big".
 *
 * Exact only when FLMALLOC_BIG is set: by default the cutoff is dynamic
 * (glibc's rule: freeing a big block raises it to that block's size), so
 * the probing itself moves it, and so do later frees of big blocks.  The
 * default run therefore checks the contract around the initial cutoff,
 * and the runs with FLMALLOC_BIG set (see main) the big-block paths. */
static size_t find_big_threshold(void)
{
	for (size_t size = 64; size <= 256 * MiB; size *= 2) {
		uint64_t before = alloc_stats().big_blocks;
		void *p = flmalloc_malloc(size);
		if (p == NULL)
			return 0;
		uint64_t during = alloc_stats().big_blocks;
		flmalloc_free(p);
		if (during > before) {
			/* Narrow down between size/2 and size. */
			size_t lo = size / 2, hi = size;
			while (hi - lo > 16) {
				size_t mid = lo + (hi - lo) / 2;
				before = alloc_stats().big_blocks;
				p = flmalloc_malloc(mid);
				if (p == NULL)
					return 0;
				during = alloc_stats().big_blocks;
				flmalloc_free(p);
				if (during > before)
					hi = mid;
				else
					lo = mid;
			}
			return hi;
		}
	}
	return 0;
}

static size_t big_threshold;
static bool cutoff_is_fixed;  /* FLMALLOC_BIG set: big_threshold is exact */

/* ------------------------------------------------------------ policy */

static void test_policy_is_the_requested_one(void)
{
	const char *wanted = getenv("FLMALLOC_POLICY");
	const char *policy = alloc_stats().policy;
	REQUIRE(policy != NULL, "flmalloc_stats().policy is NULL");
	printf("policy: %s (FLMALLOC_POLICY=%s)\n", policy, wanted ? wanted : "(unset)");
	if (wanted && *wanted)
		CHECK(strcmp(policy, wanted) == 0,
		      "FLMALLOC_POLICY=%s but the allocator runs policy %s", wanted, policy);
}

/* ------------------------------------------------------------ alignment */

static void test_alignment_and_no_overlap(void)
{
	enum { COUNT = 1200 };
	static void *blocks[COUNT];
	static size_t sizes[COUNT];
	size_t n = 0;

	/* Every size up to 1 KiB, then powers of two and their neighbours. */
	for (size_t s = 0; s <= 1024 && n < COUNT; s++)
		sizes[n++] = s;
	for (size_t p2 = 2 * KiB; p2 <= 4 * MiB && n + 3 <= COUNT; p2 *= 2) {
		sizes[n++] = p2 - 1;
		sizes[n++] = p2;
		sizes[n++] = p2 + 1;
	}

	for (size_t i = 0; i < n; i++) {
		blocks[i] = flmalloc_malloc(sizes[i]);
		REQUIRE(blocks[i] != NULL, "malloc(%zu) returned NULL", sizes[i]);
		CHECK(is_aligned(blocks[i], MALLOC_ALIGNMENT), "malloc(%zu) = %p is not %d-byte aligned",
		      sizes[i], blocks[i], MALLOC_ALIGNMENT);
		CHECK(flmalloc_usable_size(blocks[i]) >= sizes[i], "usable_size(malloc(%zu)) = %zu",
		      sizes[i], flmalloc_usable_size(blocks[i]));
		fill_pattern(blocks[i], sizes[i], (unsigned)i);
	}
	/* All blocks live at once: any overlap shows up as a broken pattern. */
	for (size_t i = 0; i < n; i++) {
		size_t bad = first_pattern_mismatch(blocks[i], sizes[i], (unsigned)i);
		CHECK(bad == sizes[i], "malloc(%zu) block %p overwritten at byte %zu (overlap?)",
		      sizes[i], blocks[i], bad);
	}
	for (size_t i = 0; i < n; i++)
		flmalloc_free(blocks[i]);
}

static void test_malloc_zero_gives_unique_pointers(void)
{
	enum { COUNT = 64 };
	void *blocks[COUNT];
	for (int i = 0; i < COUNT; i++) {
		blocks[i] = flmalloc_malloc(0);
		REQUIRE(blocks[i] != NULL, "malloc(0) returned NULL");
		CHECK(is_aligned(blocks[i], MALLOC_ALIGNMENT), "malloc(0) = %p misaligned", blocks[i]);
		for (int j = 0; j < i; j++)
			CHECK(blocks[i] != blocks[j], "malloc(0) returned %p twice", blocks[i]);
	}
	for (int i = 0; i < COUNT; i++)
		flmalloc_free(blocks[i]);
}

/* ------------------------------------------------------------ too large */

/* Sizes no allocator can serve: anything above PTRDIFF_MAX (pointer
 * differences inside the block would overflow), and sizes whose header
 * and alignment padding wraps around SIZE_MAX. */
static size_t too_large_sizes[512];
static size_t too_large_count;

static void collect_too_large_sizes(void)
{
	size_t n = 0;
	for (size_t k = 0; k <= 256; k++)
		too_large_sizes[n++] = SIZE_MAX - k;
	for (unsigned shift = 9; shift < 63; shift++)
		too_large_sizes[n++] = SIZE_MAX - ((size_t)1 << shift) + 1;
	for (size_t k = 0; k <= 64; k++)
		too_large_sizes[n++] = (size_t)PTRDIFF_MAX + 1 + k;
	too_large_sizes[n++] = (size_t)PTRDIFF_MAX;
	too_large_sizes[n++] = (size_t)PTRDIFF_MAX - 4095;
	too_large_sizes[n++] = (size_t)1 << 62;
	too_large_count = n;
}

static void expect_enomem(void *p, int err, const char *call, size_t size)
{
	CHECK(p == NULL, "%s(%zu = %#zx) returned %p, expected NULL", call, size, size, p);
	CHECK(err == ENOMEM, "%s(%#zx) set errno %d (%s), expected ENOMEM", call, size, err,
	      strerror(err));
	if (p != NULL)
		flmalloc_free(p);
}

static void test_too_large_requests_fail_with_enomem(void)
{
	char *keep = flmalloc_malloc(100);
	REQUIRE(keep != NULL, "malloc(100) failed");
	fill_pattern(keep, 100, 77);

	for (size_t i = 0; i < too_large_count; i++) {
		size_t size = too_large_sizes[i];
		void *p;

		errno = 0;
		p = flmalloc_malloc(size);
		expect_enomem(p, errno, "malloc", size);

		errno = 0;
		p = flmalloc_calloc(1, size);
		expect_enomem(p, errno, "calloc(1, n)", size);

		errno = 0;
		p = flmalloc_calloc(size, 1);
		expect_enomem(p, errno, "calloc(n, 1)", size);

		errno = 0;
		p = flmalloc_realloc(NULL, size);
		expect_enomem(p, errno, "realloc(NULL, n)", size);

		/* A failed realloc leaves the old block alone. */
		errno = 0;
		p = flmalloc_realloc(keep, size);
		CHECK(p == NULL && errno == ENOMEM, "realloc(p, %#zx) = %p errno %d, expected NULL/ENOMEM",
		      size, p, errno);
		if (p != NULL) {
			/* It claimed success and may have moved: carry on with it. */
			keep = p;
			fill_pattern(keep, 100, 77);
		}

		errno = 0;
		p = flmalloc_valloc(size);
		expect_enomem(p, errno, "valloc", size);

		errno = 0;
		p = flmalloc_pvalloc(size);
		expect_enomem(p, errno, "pvalloc", size);

		for (size_t align = 16; align <= 1 * MiB; align *= 4) {
			errno = 0;
			p = flmalloc_memalign(align, size);
			expect_enomem(p, errno, "memalign", size);

			errno = 0;
			p = flmalloc_aligned_alloc(align, size);
			expect_enomem(p, errno, "aligned_alloc", size);

			void *untouched = &keep;
			int rc = flmalloc_posix_memalign(&untouched, align, size);
			CHECK(rc == ENOMEM, "posix_memalign(%zu, %#zx) returned %d, expected ENOMEM",
			      align, size, rc);
			CHECK(untouched == &keep, "failed posix_memalign(%zu, %#zx) changed *memptr to %p",
			      align, size, untouched);
		}
	}

	/* Padding for a huge alignment on top of a big size also overflows. */
	const size_t huge_alignments[] = { (size_t)1 << 62, (size_t)1 << 63 };
	for (size_t i = 0; i < sizeof huge_alignments / sizeof huge_alignments[0]; i++) {
		size_t align = huge_alignments[i];
		const size_t sizes[] = { 1, (size_t)1 << 62, SIZE_MAX - align + 1 };
		for (size_t j = 0; j < sizeof sizes / sizeof sizes[0]; j++) {
			void *untouched = &keep;
			int rc = flmalloc_posix_memalign(&untouched, align, sizes[j]);
			CHECK(rc == ENOMEM, "posix_memalign(%#zx, %#zx) returned %d, expected ENOMEM",
			      align, sizes[j], rc);
			CHECK(untouched == &keep, "failed posix_memalign(%#zx, %#zx) changed *memptr",
			      align, sizes[j]);
			errno = 0;
			void *p = flmalloc_memalign(align, sizes[j]);
			expect_enomem(p, errno, "memalign(2^62 or 2^63, n)", sizes[j]);
		}
	}

	size_t bad = first_pattern_mismatch(keep, 100, 77);
	CHECK(bad == 100, "block survived failed reallocs, but byte %zu changed", bad);
	flmalloc_free(keep);
}

static void test_calloc_and_reallocarray_overflow(void)
{
	const size_t half = (size_t)1 << 32;
	const struct { size_t nmemb, size; } overflowing[] = {
		{ SIZE_MAX, 2 }, { 2, SIZE_MAX }, { half, half }, { half + 1, half - 1 },
		{ SIZE_MAX / 2 + 1, 2 }, { 3, SIZE_MAX / 3 + 1 }, { SIZE_MAX, SIZE_MAX },
		{ (size_t)1 << 31, (size_t)1 << 33 },  /* exactly 2^64: wraps to 0 */
		{ (size_t)1 << 31, (size_t)1 << 32 },  /* 2^63: no wrap, but > PTRDIFF_MAX */
		{ 16, (size_t)PTRDIFF_MAX / 8 },
	};
	char *keep = flmalloc_malloc(64);
	REQUIRE(keep != NULL, "malloc(64) failed");
	fill_pattern(keep, 64, 9);

	for (size_t i = 0; i < sizeof overflowing / sizeof overflowing[0]; i++) {
		size_t a = overflowing[i].nmemb, b = overflowing[i].size;
		errno = 0;
		void *p = flmalloc_calloc(a, b);
		CHECK(p == NULL && errno == ENOMEM, "calloc(%#zx, %#zx) = %p errno %d, expected NULL/ENOMEM",
		      a, b, p, errno);
		if (p)
			flmalloc_free(p);

		errno = 0;
		p = flmalloc_reallocarray(NULL, a, b);
		CHECK(p == NULL && errno == ENOMEM,
		      "reallocarray(NULL, %#zx, %#zx) = %p errno %d, expected NULL/ENOMEM", a, b, p, errno);
		if (p)
			flmalloc_free(p);

		errno = 0;
		p = flmalloc_reallocarray(keep, a, b);
		CHECK(p == NULL && errno == ENOMEM,
		      "reallocarray(p, %#zx, %#zx) = %p errno %d, expected NULL/ENOMEM", a, b, p, errno);
		if (p) {
			keep = p;
			fill_pattern(keep, 64, 9);
		}
	}
	size_t bad = first_pattern_mismatch(keep, 64, 9);
	CHECK(bad == 64, "failed reallocarray changed the old block at byte %zu", bad);

	/* And the non-overflowing cases work like realloc(p, nmemb * size). */
	char *grown = flmalloc_reallocarray(keep, 40, 10);
	REQUIRE(grown != NULL, "reallocarray(p, 40, 10) failed");
	bad = first_pattern_mismatch(grown, 64, 9);
	CHECK(bad == 64, "reallocarray(p, 40, 10) lost the contents at byte %zu", bad);
	CHECK(flmalloc_usable_size(grown) >= 400, "reallocarray(p, 40, 10) usable %zu < 400",
	      flmalloc_usable_size(grown));
	memset(grown, 1, 400);
	flmalloc_free(grown);

	void *fresh = flmalloc_reallocarray(NULL, 7, 9);
	REQUIRE(fresh != NULL, "reallocarray(NULL, 7, 9) failed");
	CHECK(flmalloc_usable_size(fresh) >= 63, "reallocarray(NULL, 7, 9) too small");
	flmalloc_free(fresh);
}

/* ------------------------------------------------------------ calloc */

static void check_calloc_zero(size_t nmemb, size_t size, const char *what)
{
	unsigned char *p = flmalloc_calloc(nmemb, size);
	REQUIRE(p != NULL, "calloc(%zu, %zu) failed (%s)", nmemb, size, what);
	CHECK(is_aligned(p, MALLOC_ALIGNMENT), "calloc(%zu, %zu) = %p misaligned", nmemb, size, p);
	size_t total = nmemb * size;
	size_t bad = first_nonzero(p, total);
	CHECK(bad == total, "calloc(%zu, %zu) (%s): byte %zu is %#x, not zero", nmemb, size, what,
	      bad, bad < total ? p[bad] : 0);
	flmalloc_free(p);
}

static void test_calloc_zeroes(void)
{
	/* Fresh memory. */
	for (size_t s = 0; s <= 600; s += 8)
		check_calloc_zero(1, s, "fresh");
	check_calloc_zero(0, 100, "zero members");
	check_calloc_zero(100, 0, "zero size");
	void *zero = flmalloc_calloc(0, 0);
	CHECK(zero != NULL, "calloc(0, 0) returned NULL; glibc returns a unique pointer");
	flmalloc_free(zero);

	/* Reused dirty memory: blocks filled with 0xA5 and freed are likely to
	 * come straight back from the free list. */
	enum { COUNT = 64 };
	void *dirty[COUNT];
	const size_t sizes[] = { 16, 24, 100, 256, 1000, 4000, 20000, 100000 };
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		for (int i = 0; i < COUNT; i++) {
			dirty[i] = flmalloc_malloc(sizes[k]);
			REQUIRE(dirty[i] != NULL, "malloc(%zu) failed", sizes[k]);
			memset(dirty[i], 0xA5, sizes[k]);
		}
		for (int i = 0; i < COUNT; i++)
			flmalloc_free(dirty[i]);
		for (int i = 0; i < COUNT / 4; i++)
			check_calloc_zero(1, sizes[k], "reused after free of dirty blocks");
	}

	/* Three dirty neighbours freed together coalesce; a calloc spanning
	 * them must also clear what used to be their headers and tags. */
	for (int round = 0; round < 8; round++) {
		void *a = flmalloc_malloc(1000), *b = flmalloc_malloc(1000), *c = flmalloc_malloc(1000);
		REQUIRE(a && b && c, "malloc(1000) failed");
		memset(a, 0x5A, 1000);
		memset(b, 0x5A, 1000);
		memset(c, 0x5A, 1000);
		flmalloc_free(b);
		flmalloc_free(a);
		flmalloc_free(c);
		check_calloc_zero(1, 2900, "spanning three coalesced dirty blocks");
		check_calloc_zero(29, 100, "spanning three coalesced dirty blocks");
	}

	/* Memory the allocator gave back with madvise or munmap and then reused:
	 * freeing far more than FLMALLOC_KEEP's default makes it release pages,
	 * and calloc must not assume which of the reused bytes are still zero. */
	enum { MANY = 6000 };
	static void *many[MANY];
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < MANY; i++) {
			many[i] = flmalloc_malloc(4000);
			REQUIRE(many[i] != NULL, "malloc(4000) failed");
			memset(many[i], 0xA5, 4000);
		}
		/* Every other block first: the rest then frees into neighbours
		 * that may already have been purged. */
		for (int i = 0; i < MANY; i += 2)
			flmalloc_free(many[i]);
		for (int i = 1; i < MANY; i += 2)
			flmalloc_free(many[i]);
		for (int i = 0; i < MANY; i++) {
			many[i] = flmalloc_calloc(round == 0 ? 1 : 8, round == 0 ? 4000 : 500);
			REQUIRE(many[i] != NULL, "calloc failed");
			size_t bad = first_nonzero(many[i], 4000);
			if (bad != 4000) {
				CHECK(0, "calloc of 4000 bytes after a mass free: byte %zu not zero", bad);
				break;
			}
		}
		for (int i = 0; i < MANY; i++)
			flmalloc_free(many[i]);
	}
	CHECK(alloc_stats().madvise_calls + alloc_stats().munmap_calls > 0,
	      "freeing 24 MB made no madvise or munmap call: nothing was given back");

	/* Purged pages next to dirty ones: purge a dirty free block, cut a
	 * small block off its front and dirty that (its head and the rest's
	 * land in purged pages), then calloc what remains, and more than
	 * remains (an allocator that skipped clearing pages it believes
	 * purged or never used must get these edges right). */
	for (int round = 0; round < 4; round++) {
		size_t len = 200000 + 4096 * (size_t)round;
		unsigned char *a = flmalloc_malloc(len), *fence = flmalloc_malloc(64);
		REQUIRE(a && fence, "malloc(%zu) failed", len);
		memset(a, 0xE7, len);
		flmalloc_free(a);
		flmalloc_trim(0);
		unsigned char *x = flmalloc_malloc(3000 + 1000 * (size_t)round);
		REQUIRE(x != NULL, "malloc failed");
		memset(x, 0xE7, 3000 + 1000 * (size_t)round);
		check_calloc_zero(1, len - 8192, "the purged rest of a dirty block");
		check_calloc_zero(1, len + 70000, "purged pages and fresh ones");
		flmalloc_free(x);
		flmalloc_free(fence);
	}

	/* Big blocks, dirty ones freed just before, and sizes beside the cutoff. */
	if (big_threshold) {
		const size_t big_sizes[] = { big_threshold - 64, big_threshold, big_threshold * 3 + 5 };
		for (size_t k = 0; k < sizeof big_sizes / sizeof big_sizes[0]; k++) {
			void *p = flmalloc_malloc(big_sizes[k]);
			REQUIRE(p != NULL, "malloc(%zu) failed", big_sizes[k]);
			memset(p, 0xC3, big_sizes[k]);
			flmalloc_free(p);
			check_calloc_zero(1, big_sizes[k], "big, after a dirty block of that size");
			check_calloc_zero(big_sizes[k] / 16, 16, "big, as an array");
		}
	}
	check_calloc_zero(1, 8 * MiB, "8 MiB");
}

/* ------------------------------------------------------------ alignment APIs */

static void test_posix_memalign_errors_leave_memptr_alone(void)
{
	const size_t invalid[] = {
		0, 1, 2, 4,                      /* powers of two below sizeof(void *) */
		3, 12, 24, 48, 96, 4095, 4097,   /* not powers of two */
		(size_t)3 << 20, SIZE_MAX, ((size_t)1 << 63) + 8,
	};
	int sentinel;
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		void *untouched = &sentinel;
		int rc = flmalloc_posix_memalign(&untouched, invalid[i], 64);
		CHECK(rc == EINVAL, "posix_memalign(alignment %#zx) returned %d, expected EINVAL",
		      invalid[i], rc);
		CHECK(untouched == &sentinel, "posix_memalign(alignment %#zx) failed but wrote *memptr",
		      invalid[i]);
	}
}

static void test_aligned_alloc_rejects_non_powers_of_two(void)
{
	const size_t invalid[] = { 0, 3, 5, 12, 24, 48, 100, 1000, 4097, SIZE_MAX };
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		errno = 0;
		void *p = flmalloc_aligned_alloc(invalid[i], 64);
		CHECK(p == NULL && errno == EINVAL,
		      "aligned_alloc(%#zx, 64) = %p errno %d, expected NULL/EINVAL", invalid[i], p, errno);
		if (p)
			flmalloc_free(p);
	}
}

/* Aligned blocks for one alignment, all live at once, written in full. */
static void check_aligned_batch(const char *api, size_t align)
{
	const size_t sizes[] = { 0, 1, 15, align - 1, align, align + 1, 3 * align + 7, 5000 };
	enum { N = sizeof sizes / sizeof sizes[0] };
	void *blocks[N];
	for (size_t i = 0; i < N; i++) {
		size_t size = sizes[i];
		void *p = NULL;
		if (strcmp(api, "memalign") == 0) {
			p = flmalloc_memalign(align, size);
		} else if (strcmp(api, "aligned_alloc") == 0) {
			p = flmalloc_aligned_alloc(align, size);
		} else {
			int rc = flmalloc_posix_memalign(&p, align, size);
			CHECK(rc == 0, "posix_memalign(%zu, %zu) returned %d", align, size, rc);
		}
		REQUIRE(p != NULL, "%s(%zu, %zu) returned NULL", api, align, size);
		size_t expected = align < MALLOC_ALIGNMENT ? MALLOC_ALIGNMENT : align;
		CHECK(is_aligned(p, expected), "%s(%zu, %zu) = %p is not %zu-aligned", api, align, size,
		      p, expected);
		CHECK(flmalloc_usable_size(p) >= size, "%s(%zu, %zu): usable size %zu", api, align, size,
		      flmalloc_usable_size(p));
		fill_pattern(p, size, (unsigned)(i + align));
		blocks[i] = p;
	}
	for (size_t i = 0; i < N; i++) {
		size_t bad = first_pattern_mismatch(blocks[i], sizes[i], (unsigned)(i + align));
		CHECK(bad == sizes[i], "%s(%zu, %zu) block overwritten at byte %zu", api, align,
		      sizes[i], bad);
	}
	/* Free in a scrambled order to exercise coalescing around the padding. */
	for (size_t i = 0; i < N; i += 2)
		flmalloc_free(blocks[i]);
	for (size_t i = 1; i < N; i += 2)
		flmalloc_free(blocks[i]);
}

static void test_aligned_allocations(void)
{
	for (size_t align = 1; align <= 1 * MiB; align *= 2) {
		check_aligned_batch("memalign", align);
		check_aligned_batch("aligned_alloc", align);
		if (align >= sizeof(void *))
			check_aligned_batch("posix_memalign", align);
	}
	/* glibc's memalign rounds a non-power-of-two alignment up; the one
	 * thing it must never do is return a less aligned block. */
	const size_t odd[] = { 24, 48, 100, 3000 };
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		errno = 0;
		void *p = flmalloc_memalign(odd[i], 100);
		if (p == NULL) {
			CHECK(errno == EINVAL, "memalign(%zu, 100) = NULL with errno %d", odd[i], errno);
			continue;
		}
		size_t next_pow2 = 1;
		while (next_pow2 < odd[i])
			next_pow2 *= 2;
		CHECK(is_aligned(p, next_pow2), "memalign(%zu, 100) = %p is not %zu-aligned", odd[i], p,
		      next_pow2);
		flmalloc_free(p);
	}
	/* A big aligned block whose alignment exceeds the big cutoff's pages. */
	void *p = flmalloc_memalign(1 * MiB, 4 * MiB + 1);
	REQUIRE(p != NULL, "memalign(1 MiB, 4 MiB + 1) failed");
	CHECK(is_aligned(p, 1 * MiB), "memalign(1 MiB, 4 MiB + 1) = %p misaligned", p);
	memset(p, 0x11, 4 * MiB + 1);
	flmalloc_free(p);
}

static void test_valloc_and_pvalloc(void)
{
	const size_t sizes[] = { 1, 100, 4095, 4096, 4097, 10000, 65536, 200000 };
	enum { N = sizeof sizes / sizeof sizes[0] };
	void *v[N], *pv[N];
	for (size_t i = 0; i < N; i++) {
		v[i] = flmalloc_valloc(sizes[i]);
		REQUIRE(v[i] != NULL, "valloc(%zu) failed", sizes[i]);
		CHECK(is_aligned(v[i], page_size), "valloc(%zu) = %p not page aligned", sizes[i], v[i]);
		CHECK(flmalloc_usable_size(v[i]) >= sizes[i], "valloc(%zu) usable %zu", sizes[i],
		      flmalloc_usable_size(v[i]));
		memset(v[i], 0x22, sizes[i]);

		size_t rounded = round_up(sizes[i], page_size);
		pv[i] = flmalloc_pvalloc(sizes[i]);
		REQUIRE(pv[i] != NULL, "pvalloc(%zu) failed", sizes[i]);
		CHECK(is_aligned(pv[i], page_size), "pvalloc(%zu) = %p not page aligned", sizes[i], pv[i]);
		CHECK(flmalloc_usable_size(pv[i]) >= rounded,
		      "pvalloc(%zu): usable size %zu < the page-rounded %zu", sizes[i],
		      flmalloc_usable_size(pv[i]), rounded);
		/* pvalloc promises the whole rounded size. */
		fill_pattern(pv[i], rounded, (unsigned)i);
	}
	for (size_t i = 0; i < N; i++) {
		size_t rounded = round_up(sizes[i], page_size);
		size_t bad = first_pattern_mismatch(pv[i], rounded, (unsigned)i);
		CHECK(bad == rounded, "pvalloc(%zu) block overwritten at byte %zu", sizes[i], bad);
		flmalloc_free(v[i]);
		flmalloc_free(pv[i]);
	}
	void *p = flmalloc_valloc(0);
	CHECK(p != NULL && is_aligned(p, page_size), "valloc(0) = %p", p);
	flmalloc_free(p);
	p = flmalloc_pvalloc(0);
	CHECK(p != NULL && is_aligned(p, page_size), "pvalloc(0) = %p", p);
	flmalloc_free(p);
}

/* ------------------------------------------------------------ realloc */

static void test_realloc_null_is_malloc_and_zero_frees(void)
{
	uint64_t in_use_before = alloc_stats().bytes_in_use;
	void *p = flmalloc_realloc(NULL, 200);
	REQUIRE(p != NULL, "realloc(NULL, 200) returned NULL");
	CHECK(is_aligned(p, MALLOC_ALIGNMENT), "realloc(NULL, 200) = %p misaligned", p);
	CHECK(flmalloc_usable_size(p) >= 200, "realloc(NULL, 200) usable %zu", flmalloc_usable_size(p));
	CHECK(alloc_stats().bytes_in_use >= in_use_before + 200,
	      "realloc(NULL, 200) did not show up in bytes_in_use");
	memset(p, 0x33, 200);

	void *r = flmalloc_realloc(p, 0);
	CHECK(r == NULL, "realloc(p, 0) returned %p, expected NULL (glibc frees and returns NULL)", r);
	if (r != NULL)
		flmalloc_free(r);
	CHECK(alloc_stats().bytes_in_use == in_use_before,
	      "realloc(p, 0) did not free: bytes_in_use %llu, was %llu before the block",
	      (unsigned long long)alloc_stats().bytes_in_use, (unsigned long long)in_use_before);

	/* realloc(NULL, 0) is malloc(0): a unique pointer. */
	void *a = flmalloc_realloc(NULL, 0), *b = flmalloc_realloc(NULL, 0);
	CHECK(a != NULL && b != NULL && a != b, "realloc(NULL, 0) gave %p and %p", a, b);
	flmalloc_free(a);
	flmalloc_free(b);

	/* A big block freed through realloc(p, 0) is unmapped like free's. */
	if (big_threshold) {
		uint64_t big_before = alloc_stats().big_blocks;
		p = flmalloc_malloc(big_threshold * 2);
		REQUIRE(p != NULL, "malloc(big) failed");
		r = flmalloc_realloc(p, 0);
		CHECK(r == NULL, "realloc(big, 0) returned %p", r);
		CHECK(alloc_stats().big_blocks == big_before, "realloc(big, 0) left the big block mapped");
	}
}

/* Walk one block through a sequence of sizes; after every step the
 * common prefix must still hold what was written before. */
static void realloc_walk(const char *label, const size_t *sizes, size_t count)
{
	unsigned seed = 1;
	uint64_t big_at_start = alloc_stats().big_blocks;
	unsigned char *p = flmalloc_malloc(sizes[0]);
	REQUIRE(p != NULL, "%s: malloc(%zu) failed", label, sizes[0]);
	fill_pattern(p, sizes[0], seed);
	/* A neighbour allocated after the block keeps it from always growing
	 * in place; it must survive every step untouched. */
	unsigned char *neighbour = flmalloc_malloc(48);
	REQUIRE(neighbour != NULL, "malloc(48) failed");
	fill_pattern(neighbour, 48, 999);

	for (size_t i = 1; i < count; i++) {
		size_t old = sizes[i - 1], new = sizes[i];
		unsigned char *q = flmalloc_realloc(p, new);
		REQUIRE(q != NULL, "%s: realloc(%zu -> %zu) failed", label, old, new);
		CHECK(is_aligned(q, MALLOC_ALIGNMENT), "%s: realloc -> %p misaligned", label, q);
		CHECK(flmalloc_usable_size(q) >= new, "%s: realloc(%zu -> %zu) usable %zu", label, old,
		      new, flmalloc_usable_size(q));
		size_t kept = old < new ? old : new;
		size_t bad = first_pattern_mismatch(q, kept, seed);
		CHECK(bad == kept, "%s: realloc(%zu -> %zu) lost the contents at byte %zu of %zu", label,
		      old, new, bad, kept);
		p = q;
		fill_pattern(p, new, ++seed);
		/* With a fixed cutoff, each step must land on the right side of it:
		 * otherwise the walk would not test the crossing it claims to. */
		if (cutoff_is_fixed && big_threshold) {
			uint64_t expected = big_at_start + (new >= big_threshold ? 1 : 0);
			CHECK(alloc_stats().big_blocks == expected,
			      "%s: after realloc(%zu -> %zu) %llu big blocks live, expected %llu (cutoff %zu)",
			      label, old, new, (unsigned long long)alloc_stats().big_blocks,
			      (unsigned long long)expected, big_threshold);
		}
	}
	size_t bad = first_pattern_mismatch(neighbour, 48, 999);
	CHECK(bad == 48, "%s: a neighbouring block was overwritten at byte %zu", label, bad);
	flmalloc_free(p);
	flmalloc_free(neighbour);
}

static void test_realloc_keeps_contents(void)
{
	const size_t small_to_small[] = { 1, 24, 100, 17, 500, 2000, 33, 4000, 16, 1, 300 };
	realloc_walk("small to small", small_to_small, sizeof small_to_small / sizeof(size_t));

	/* Growth by a few bytes at a time, the pattern programs use when
	 * appending to a buffer. */
	enum { STEPS = 400 };
	static size_t creeping[STEPS];
	for (size_t i = 0; i < STEPS; i++)
		creeping[i] = 8 + i * 37;
	realloc_walk("creeping growth", creeping, STEPS);

	if (big_threshold == 0) {
		CHECK(0, "no request up to 256 MiB got its own mapping: FLMALLOC_BIG has no effect");
		return;
	}
	size_t big = big_threshold;
	const size_t small_to_big[] = { 100, big + 1, 3 * big, 300 };
	realloc_walk("small to big to small", small_to_big, 4);
	const size_t big_to_big[] = { big, 4 * big, 2 * big + 4097, 8 * big, big };
	realloc_walk("big to big", big_to_big, 5);
	const size_t big_to_small[] = { 2 * big, 64, big - 16, big / 2 };
	realloc_walk("big to small", big_to_small, 4);

	/* Growing into a free right-hand neighbour (the in-place path). */
	for (int round = 0; round < 4; round++) {
		unsigned char *a = flmalloc_malloc(100), *b = flmalloc_malloc(200);
		unsigned char *c = flmalloc_malloc(100);
		REQUIRE(a && b && c, "malloc failed");
		fill_pattern(a, 100, 5);
		fill_pattern(c, 100, 6);
		flmalloc_free(b);
		unsigned char *grown = flmalloc_realloc(a, 250);
		REQUIRE(grown != NULL, "realloc(100 -> 250) failed");
		size_t bad = first_pattern_mismatch(grown, 100, 5);
		CHECK(bad == 100, "realloc into a free neighbour lost byte %zu", bad);
		fill_pattern(grown, 250, 7);
		bad = first_pattern_mismatch(c, 100, 6);
		CHECK(bad == 100, "realloc into a free neighbour overwrote the next block at %zu", bad);
		/* Then shrink in place and grow back. */
		unsigned char *shrunk = flmalloc_realloc(grown, 40);
		REQUIRE(shrunk != NULL, "realloc(250 -> 40) failed");
		bad = first_pattern_mismatch(shrunk, 40, 7);
		CHECK(bad == 40, "realloc shrink lost byte %zu", bad);
		flmalloc_free(shrunk);
		flmalloc_free(c);
	}

	/* An over-aligned block keeps its contents too when it moves. */
	unsigned char *aligned = flmalloc_memalign(4096, 3000);
	REQUIRE(aligned != NULL, "memalign(4096, 3000) failed");
	fill_pattern(aligned, 3000, 8);
	unsigned char *moved = flmalloc_realloc(aligned, 50000);
	REQUIRE(moved != NULL, "realloc(memalign block, 50000) failed");
	size_t bad = first_pattern_mismatch(moved, 3000, 8);
	CHECK(bad == 3000, "realloc of a memalign block lost byte %zu", bad);
	flmalloc_free(moved);
}

/* ------------------------------------------------------------ free */

static void test_free_null_is_a_noop(void)
{
	struct flmalloc_stats before = alloc_stats();
	errno = EDOM;
	flmalloc_free(NULL);
	struct flmalloc_stats after = alloc_stats();
	CHECK(errno == EDOM, "free(NULL) changed errno to %d", errno);
	CHECK(before.bytes_in_use == after.bytes_in_use && before.bytes_free == after.bytes_free &&
	      before.bytes_mapped == after.bytes_mapped,
	      "free(NULL) changed the heap's accounting");
}

static void test_free_preserves_errno(void)
{
	/* Frees that only relink lists, frees that munmap big blocks, and a
	 * mass free large enough to make the allocator give pages back. */
	enum { COUNT = 512 };
	static void *blocks[COUNT];
	const int sentinels[] = { 0, ENOMEM, EINVAL, 12345 };
	for (size_t k = 0; k < sizeof sentinels / sizeof sentinels[0]; k++) {
		for (int i = 0; i < COUNT; i++) {
			size_t size = (i % 64 == 63 && big_threshold) ? big_threshold + (size_t)i
				      : (size_t)(i * 97 % 30000) + 1;
			blocks[i] = i % 17 == 5 ? flmalloc_memalign(256, size) : flmalloc_malloc(size);
			REQUIRE(blocks[i] != NULL, "allocating %zu failed", size);
		}
		/* (i * 7) % COUNT visits every block once: 7 and COUNT are coprime.
		 * The scrambled order mixes frees that coalesce and frees that don't. */
		int changed = 0, first_value = 0;
		for (int i = 0; i < COUNT; i++) {
			errno = sentinels[k];
			flmalloc_free(blocks[(i * 7) % COUNT]);
			if (errno != sentinels[k] && changed++ == 0)
				first_value = errno;
		}
		CHECK(changed == 0, "%d of %d frees changed errno from %d (first to %d)", changed, COUNT,
		      sentinels[k], first_value);
	}
	errno = 4242;
	flmalloc_trim(0);
	errno = 4242;
	void *p = flmalloc_malloc(10);
	flmalloc_free(p);
	CHECK(errno == 4242, "malloc+free after trim changed errno to %d", errno);
}

/* ------------------------------------------------------------ usable size */

static void test_usable_size(void)
{
	CHECK(flmalloc_usable_size(NULL) == 0, "malloc_usable_size(NULL) = %zu, expected 0",
	      flmalloc_usable_size(NULL));
	for (size_t s = 0; s < 5000; s += (s < 300 ? 1 : 97)) {
		unsigned char *p = flmalloc_malloc(s);
		REQUIRE(p != NULL, "malloc(%zu) failed", s);
		size_t usable = flmalloc_usable_size(p);
		CHECK(usable >= s, "malloc_usable_size(malloc(%zu)) = %zu", s, usable);
		/* The slack is the caller's to use; writing it must not hurt the
		 * heap (checked by flmalloc_check_heap after this test). */
		memset(p, 0x44, usable);
		flmalloc_free(p);
	}
	if (big_threshold) {
		void *p = flmalloc_malloc(big_threshold + 1);
		REQUIRE(p != NULL, "malloc(big) failed");
		size_t usable = flmalloc_usable_size(p);
		CHECK(usable >= big_threshold + 1, "malloc_usable_size(big) = %zu", usable);
		memset(p, 0x45, usable);
		flmalloc_free(p);
	}
}

/* ------------------------------------------------------------ trim */

/* Memory the allocator holds from the OS that is neither in use nor given
 * back with madvise. */
static uint64_t resident_free(const struct flmalloc_stats *s)
{
	return s->bytes_free - s->bytes_purged;
}

/* Runs in a child started with FLMALLOC_KEEP=1 GiB: free keeps every page,
 * so whatever comes back to the OS comes back through flmalloc_trim. */
static int run_trim_child(void)
{
	enum { COUNT = 4096 };
	static void *blocks[COUNT];
	const size_t size = 4000;  /* well below any sensible FLMALLOC_BIG */
	const uint64_t slack = 256 * KiB;  /* partial pages around live blocks */

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < COUNT; i++) {
			blocks[i] = flmalloc_malloc(size);
			REQUIRE(blocks[i] != NULL, "malloc(%zu) failed", size);
			memset(blocks[i], 0x66, size);
		}
		CHECK(alloc_stats().big_blocks == 0, "4000-byte blocks were mapped as big blocks");
		for (int i = 0; i < COUNT; i++)
			flmalloc_free(blocks[i]);

		struct flmalloc_stats before = alloc_stats();
		CHECK(resident_free(&before) >= 8 * MiB,
		      "with FLMALLOC_KEEP=1GiB free gave memory back by itself: only %llu bytes kept",
		      (unsigned long long)resident_free(&before));
		size_t pad = round == 0 ? 0 : 4 * MiB;
		int released = flmalloc_trim(pad);
		struct flmalloc_stats after = alloc_stats();
		printf("trim(%zu): returned %d; resident free %llu -> %llu bytes, mapped %llu -> %llu\n",
		       pad, released, (unsigned long long)resident_free(&before),
		       (unsigned long long)resident_free(&after), (unsigned long long)before.bytes_mapped,
		       (unsigned long long)after.bytes_mapped);
		CHECK(released == 1 || resident_free(&before) <= pad + slack,
		      "flmalloc_trim(%zu) returned %d with %llu free bytes held", pad, released,
		      (unsigned long long)resident_free(&before));
		CHECK(resident_free(&after) <= pad + slack,
		      "flmalloc_trim(%zu) still holds %llu free resident bytes", pad,
		      (unsigned long long)resident_free(&after));
		CHECK(after.madvise_calls + after.munmap_calls > before.madvise_calls + before.munmap_calls ||
		      resident_free(&before) <= pad + slack,
		      "flmalloc_trim(%zu) made no munmap or madvise call", pad);
		CHECK(flmalloc_check_heap() == 0, "heap inconsistent after trim(%zu)", pad);
		if (round == 0) {
			int again = flmalloc_trim(0);
			CHECK(again == 0, "a second flmalloc_trim(0) with nothing left returned %d", again);
		}
	}

	/* Trimmed memory is usable again, and zeroed where calloc says so. */
	for (int i = 0; i < COUNT; i++) {
		blocks[i] = flmalloc_calloc(1, size);
		REQUIRE(blocks[i] != NULL, "calloc after trim failed");
		size_t bad = first_nonzero(blocks[i], size);
		CHECK(bad == size, "calloc after trim: byte %zu not zero", bad);
		memset(blocks[i], 0x77, size);
	}
	for (int i = 0; i < COUNT; i++)
		flmalloc_free(blocks[i]);
	CHECK(flmalloc_check_heap() == 0, "heap inconsistent after reuse of trimmed memory");
	return check_exit_status("alloc_semantics --trim-child");
}

/* Runs this program again with extra settings in the environment (they are
 * read once at start-up) and the given mode argument; 0 if it passed. */
static void run_self_with(const char *self, const char *mode, const char *const settings[][2],
			  size_t count)
{
	for (size_t i = 0; i < count; i++)
		REQUIRE(setenv(settings[i][0], settings[i][1], 1) == 0, "setenv failed");
	char *child_argv[] = { (char *)self, (char *)mode, NULL };
	pid_t pid;
	fflush(NULL);
	int rc = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, child_argv, environ);
	for (size_t i = 0; i < count; i++)
		unsetenv(settings[i][0]);
	if (rc != 0) {
		CHECK(0, "posix_spawn of %s %s failed: %s", self, mode, strerror(rc));
		return;
	}
	int status;
	REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid failed");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s %s (with %s=%s...) failed: status %#x",
	      self, mode, settings[0][0], settings[0][1], status);
}

static void test_trim_returns_memory(const char *self)
{
	const char *const settings[][2] = { { "FLMALLOC_KEEP", "1073741824" } };
	run_self_with(self, "--trim-child", settings, 1);
}

/* ------------------------------------------------------------ main */

static void check_heap_after(const char *test, uint64_t in_use_baseline)
{
	CHECK(flmalloc_check_heap() == 0, "heap inconsistent after %s", test);
	uint64_t in_use = alloc_stats().bytes_in_use;
	CHECK(in_use == in_use_baseline,
	      "after %s freed everything, bytes_in_use is %llu, not the %llu it started at", test,
	      (unsigned long long)in_use, (unsigned long long)in_use_baseline);
}

#define RUN(test) \
	do { \
		test(); \
		check_heap_after(#test, baseline); \
	} while (0)

/* Every semantic check of issue 2, under the settings in force. */
static void run_semantic_checks(void)
{
	test_policy_is_the_requested_one();
	uint64_t baseline = alloc_stats().bytes_in_use;
	const char *big_setting = getenv("FLMALLOC_BIG");
	cutoff_is_fixed = big_setting && *big_setting;
	big_threshold = find_big_threshold();
	printf("big-block cutoff found at %zu bytes (%s)\n", big_threshold,
	       cutoff_is_fixed ? "FLMALLOC_BIG set" : "initial value of the dynamic default");
	if (cutoff_is_fixed) {
		size_t wanted = (size_t)strtoull(big_setting, NULL, 10);
		CHECK(big_threshold > wanted / 2 && big_threshold <= wanted,
		      "FLMALLOC_BIG=%s but blocks become big from %zu bytes", big_setting, big_threshold);
	}
	collect_too_large_sizes();

	RUN(test_alignment_and_no_overlap);
	RUN(test_malloc_zero_gives_unique_pointers);
	RUN(test_too_large_requests_fail_with_enomem);
	RUN(test_calloc_and_reallocarray_overflow);
	RUN(test_calloc_zeroes);
	RUN(test_posix_memalign_errors_leave_memptr_alone);
	RUN(test_aligned_alloc_rejects_non_powers_of_two);
	RUN(test_aligned_allocations);
	RUN(test_valloc_and_pvalloc);
	RUN(test_realloc_null_is_malloc_and_zero_frees);
	RUN(test_realloc_keeps_contents);
	RUN(test_free_null_is_a_noop);
	RUN(test_free_preserves_errno);
	RUN(test_usable_size);
}

int main(int argc, char **argv)
{
	page_size = (size_t)sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "--trim-child") == 0)
		return run_trim_child();
	if (argc > 1 && strcmp(argv[1], "--settings-child") == 0) {
		run_semantic_checks();
		return check_exit_status("alloc_semantics --settings-child");
	}

	run_semantic_checks();
	test_trim_returns_memory(argv[0]);
	/* The same contract with a fixed cutoff, so that sizes above it really
	 * take the big-block paths (realloc across it, calloc, memalign). */
	const char *const fixed[][2] = { { "FLMALLOC_BIG", "65536" } };
	run_self_with(argv[0], "--settings-child", fixed, 1);
	/* And with the settings at their edges: almost every block big (its
	 * own mapping, memalign's padding inside it), and every free page
	 * given back at once (purged memory reused all the time). */
	const char *const extreme[][2] = { { "FLMALLOC_BIG", "4096" }, { "FLMALLOC_KEEP", "0" } };
	run_self_with(argv[0], "--settings-child", extreme, 2);

	return check_exit_status("alloc_semantics");
}
