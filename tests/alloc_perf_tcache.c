/*
 * alloc_perf_tcache.c: seg's per-thread cache (allocator/tcache.c), run once
 * per policy like every alloc_ test; under addr, lifo and best it checks
 * that there is no cache at all.
 *
 *   reuse       a freed small block comes back for the next request of
 *               its size (seg), is counted in bytes_cached and in neither
 *               bytes_in_use nor bytes_free, and the heap stays consistent;
 *   bound       at most FLMALLOC_TCACHE_DEFAULT blocks per size are cached,
 *               the rest go back to the heap;
 *   fast bins   blocks of at most 512 bytes are not held to that bound
 *               while the process is single-threaded, and are after a
 *               thread was created; blocks given back lose their mark;
 *   consolidate a cache of at least FL_TCACHE_CONSOLIDATE_MIN bytes is given
 *               back (and coalesces) before the heap would grow for a
 *               request; a smaller one is kept;
 *   thread exit a thread's cached blocks return to the heap when it ends;
 *   double free of a cached block aborts with the message (forked child);
 *   realloc     of a cached block aborts too.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flmalloc.h"
#include "internal.h"
#include "lib/alloc_check.h"

static const char *policy;
static bool seg;

static void test_reuse(void)
{
	void *p = flmalloc_malloc(100);
	REQUIRE(p, "malloc(100) failed");
	struct flmalloc_stats s0 = alloc_stats();
	flmalloc_free(p);
	struct flmalloc_stats s1 = alloc_stats();
	CHECK(flmalloc_check_heap() == 0, "%s: heap inconsistent with a cached block", policy);
	size_t bs = fl_block_size_for(100);
	if (seg) {
		CHECK(s1.bytes_cached == s0.bytes_cached + bs, "%s: bytes_cached %llu -> %llu, want +%zu", policy,
		      (unsigned long long)s0.bytes_cached, (unsigned long long)s1.bytes_cached, bs);
		CHECK(s1.bytes_in_use == s0.bytes_in_use - bs, "%s: a cached block still counts as in use", policy);
		CHECK(s1.bytes_free == s0.bytes_free, "%s: a cached block counts as free heap", policy);
		void *q = flmalloc_malloc(96); /* same block size */
		CHECK(q == p, "%s: malloc did not take the cached block back (%p vs %p)", policy, q, p);
		CHECK(alloc_stats().bytes_cached == s0.bytes_cached, "%s: bytes_cached not back after reuse", policy);
		flmalloc_free(q);
	} else {
		CHECK(s1.bytes_cached == 0, "%s: a classic policy cached a block", policy);
	}
	fl_tcache_flush();
	CHECK(alloc_stats().bytes_cached == 0, "%s: bytes_cached after flush", policy);
	CHECK(flmalloc_check_heap() == 0, "%s: heap inconsistent after flush", policy);
}

static void test_bound(void)
{
	enum { N = FL_TCACHE_COUNT_DEFAULT + 8 };
	void *v[N];
	for (int i = 0; i < N; i++)
		REQUIRE((v[i] = flmalloc_malloc(600)), "malloc(600) failed");
	for (int i = 0; i < N; i++)
		flmalloc_free(v[i]);
	size_t want = seg ? FL_TCACHE_COUNT_DEFAULT * fl_block_size_for(600) : 0;
	CHECK(alloc_stats().bytes_cached == want, "%s: %llu bytes cached for one size, want %zu", policy,
	      (unsigned long long)alloc_stats().bytes_cached, want);
	CHECK(flmalloc_check_heap() == 0, "%s: heap inconsistent with a full bin", policy);
	fl_tcache_flush();
}

/* Fast bins are unbounded only while the process is single-threaded:
 * `threaded` says a second thread has existed (glibc never sets
 * __libc_single_threaded again after that). */
static void test_fast_bins(bool threaded)
{
	enum { N = 4 * FL_TCACHE_COUNT_DEFAULT };
	void *fast[N], *slow[N];
	for (int i = 0; i < N; i++) {
		REQUIRE((fast[i] = flmalloc_malloc(48)), "malloc(48) failed");
		REQUIRE((slow[i] = flmalloc_malloc(600)), "malloc(600) failed");
	}
	uint64_t before = alloc_stats().bytes_cached;
	for (int i = 0; i < N; i++) {
		flmalloc_free(fast[i]);
		flmalloc_free(slow[i]);
	}
	int n_fast = threaded ? FL_TCACHE_COUNT_DEFAULT : N;
	size_t want = seg ? n_fast * fl_block_size_for(48) + FL_TCACHE_COUNT_DEFAULT * fl_block_size_for(600) : 0;
	CHECK(alloc_stats().bytes_cached - before == want, "%s%s: %llu bytes cached, want %zu (%d of the 64-byte blocks, %d of "
	      "the 608-byte ones)", policy, threaded ? " (threaded)" : "",
	      (unsigned long long)(alloc_stats().bytes_cached - before), want, n_fast, FL_TCACHE_COUNT_DEFAULT);
	fl_tcache_flush();
	for (int i = 0; i < N; i++)
		CHECK(fl_block_of(fast[i])->prev != FL_TCACHE_MARK, "%s: block %d kept its cache mark after a flush",
		      policy, i);
	CHECK(flmalloc_check_heap() == 0, "%s: heap inconsistent after flushing fast bins", policy);
}

/* A miss served from a region's free tail cuts FL_TCACHE_REFILL blocks (of at
 * most FL_TCACHE_REFILL_BYTES in all: 8 x 80 here) at
 * once: the next mallocs of that size get the consecutive blocks that
 * follow, in address order, from the cache. */
static void test_refill(void)
{
	enum { K = FL_TCACHE_REFILL };
	void *v[K];
	size_t bs = fl_block_size_for(72);
	uint64_t before = alloc_stats().bytes_cached;
	REQUIRE((v[0] = flmalloc_malloc(72)), "malloc(72) failed");
	uint64_t want = seg ? before + (K - 1) * bs : 0;
	CHECK(alloc_stats().bytes_cached == want, "%s: a miss at the heap's tail cached %llu bytes, want %llu", policy,
	      (unsigned long long)alloc_stats().bytes_cached, (unsigned long long)want);
	for (int i = 1; i < K; i++)
		REQUIRE((v[i] = flmalloc_malloc(72)), "malloc(72) failed");
	for (int i = 1; i < K; i++)
		CHECK((char *)v[i] == (char *)v[i - 1] + bs, "%s: refill block %d is not next to the one before",
		      policy, i);
	CHECK(flmalloc_check_heap() == 0, "%s: heap inconsistent after a refill", policy);
	for (int i = 0; i < K; i++)
		flmalloc_free(v[i]);
	fl_tcache_flush();
}

/* Fills many bins, so that the cache holds more than
 * FL_TCACHE_CONSOLIDATE_MIN bytes in blocks too small for a 6000-byte
 * request, then asks for one while the only other free memory is the
 * region's never-touched tail: it must come from the cached blocks, given
 * back and coalesced, not from fresh pages. */
static void test_consolidate(void)
{
	enum { SIZES = 30, PER = FL_TCACHE_COUNT_DEFAULT };
	static void *v[SIZES * PER];
	fl_tcache_flush();
	/* A small block first: the kept-cache case below needs it. */
	void *small = flmalloc_malloc(24);
	REQUIRE(small, "malloc(24) failed");
	for (int i = 0; i < SIZES * PER; i++)
		REQUIRE((v[i] = flmalloc_malloc(520 + 16 * (size_t)(i % SIZES))), "malloc failed");
	void *fence = flmalloc_malloc(24); /* keeps the run off the region's free tail */
	REQUIRE(fence, "malloc(24) failed");
	char *lo = v[0], *hi = v[SIZES * PER - 1];
	for (int i = 0; i < SIZES * PER; i++)
		flmalloc_free(v[i]);
	uint64_t mapped = alloc_stats().bytes_mapped;
	if (seg)
		CHECK(alloc_stats().bytes_cached >= FL_TCACHE_CONSOLIDATE_MIN, "%s: only %llu bytes cached", policy,
		      (unsigned long long)alloc_stats().bytes_cached);
	char *p = flmalloc_malloc(6000);
	REQUIRE(p, "malloc(6000) failed");
	/* It may start a little below the run: a free block left there by an
	 * earlier test coalesces with it. */
	CHECK(p + 6000 > lo && p <= hi, "%s: malloc(6000) = %p, not from the freed run [%p, %p]", policy, (void *)p,
	      (void *)lo, (void *)hi);
	CHECK(alloc_stats().bytes_cached == 0, "%s: %llu bytes still cached after the heap needed them", policy,
	      (unsigned long long)alloc_stats().bytes_cached);
	CHECK(alloc_stats().bytes_mapped == mapped, "%s: the heap grew (%llu -> %llu bytes mapped)", policy,
	      (unsigned long long)mapped, (unsigned long long)alloc_stats().bytes_mapped);
	CHECK(flmalloc_check_heap() == 0, "%s: heap inconsistent after consolidation", policy);
	/* One cached block is below the threshold: it stays cached. */
	flmalloc_free(small);
	uint64_t cached = alloc_stats().bytes_cached;
	char *q = flmalloc_malloc(100000);
	REQUIRE(q, "malloc(100000) failed");
	CHECK(alloc_stats().bytes_cached == cached, "%s: a small cache was given back (%llu -> %llu bytes)", policy,
	      (unsigned long long)cached, (unsigned long long)alloc_stats().bytes_cached);
	flmalloc_free(q);
	flmalloc_free(p);
	flmalloc_free(fence);
	fl_tcache_flush();
	CHECK(flmalloc_check_heap() == 0, "%s: heap inconsistent at the end", policy);
}

static void *thread_body(void *arg)
{
	(void)arg;
	void *v[8];
	for (int i = 0; i < 8; i++)
		v[i] = flmalloc_malloc(48 + 16 * (size_t)i);
	for (int i = 0; i < 8; i++)
		flmalloc_free(v[i]);
	return NULL;
}

static void test_thread_exit(void)
{
	uint64_t before = alloc_stats().bytes_cached;
	pthread_t t;
	REQUIRE(pthread_create(&t, NULL, thread_body, NULL) == 0, "pthread_create failed");
	pthread_join(t, NULL);
	CHECK(alloc_stats().bytes_cached == before, "%s: an ended thread's cache still holds %llu bytes", policy,
	      (unsigned long long)(alloc_stats().bytes_cached - before));
	CHECK(flmalloc_check_heap() == 0, "%s: heap inconsistent after a thread ended", policy);
}

/* Runs misuse(p) in a child with stderr on a pipe; requires SIGABRT and the
 * message naming `call` and p. */
static void expect_abort(const char *what, const char *call, void (*misuse)(void))
{
	int fds[2];
	REQUIRE(pipe(fds) == 0, "pipe failed");
	pid_t pid = fork();
	REQUIRE(pid >= 0, "fork failed");
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		misuse();
		_exit(0);
	}
	close(fds[1]);
	char buf[512] = {0};
	size_t len = 0;
	ssize_t n;
	while (len < sizeof buf - 1 && (n = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	close(fds[0]);
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "%s: %s did not abort", policy, what);
	char want[64];
	snprintf(want, sizeof want, "flmalloc: %s(): double free", call);
	CHECK(strstr(buf, want), "%s: %s: message '%s' lacks '%s'", policy, what, buf, want);
}

static void double_free(void)
{
	void *p = flmalloc_malloc(64);
	flmalloc_free(p);
	flmalloc_free(p);
}

static void realloc_after_free(void)
{
	void *p = flmalloc_malloc(64);
	flmalloc_free(p);
	void *q = flmalloc_realloc(p, 128);
	(void)q;
}

int main(void)
{
	policy = alloc_stats().policy;
	seg = !strcmp(policy, "seg");
	test_consolidate(); /* first: it needs the heap's free tail untouched */
	test_reuse();
	test_bound();
	test_fast_bins(false);
	test_refill();
	test_thread_exit();
	test_fast_bins(true);
	expect_abort("double free of a cached block", "free", double_free);
	expect_abort("realloc of a cached block", "realloc", realloc_after_free);
	return check_exit_status("alloc_perf_tcache");
}
