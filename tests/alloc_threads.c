/*
 * alloc_threads.c: libflmalloc under concurrent use (issue 2 "Threads",
 * issue 5 "flmalloc under stress").
 *
 * THREADS threads each run a random mix of malloc, calloc, memalign,
 * realloc and free on their own table of blocks, and hand blocks to one
 * another through a shared exchange array, so a block is often reallocated
 * or freed by a thread other than the one that allocated it.  Every block
 * carries self-checking contents (lib/block_pattern.h) verified before each
 * realloc, free and hand-over: a lost update in the allocator's lists shows
 * up as two live blocks overlapping, or as a block that changed under us.
 * At the end the heap must pass flmalloc_check_heap() and hold no block.
 *
 *   alloc_threads [--ops N] [--threads T] [--seed S]
 *
 * `make test` runs the default (200k ops per thread; fewer under the
 * sanitizers, which slow the checking code several times over);
 * `make test-stress` runs issue 5's 8 threads x 1 million ops per policy.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flmalloc.h"
#include "lib/block_pattern.h"
#include "lib/check.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif
#ifndef UNDER_SANITIZER
#define UNDER_SANITIZER 0
#endif

#define DEFAULT_OPS (UNDER_SANITIZER ? 100000 : 200000)
#define DEFAULT_THREADS 8
#define MAX_THREADS 64
#define SLOTS_PER_THREAD 256
#define EXCHANGE_SLOTS 64

struct slot {
	unsigned char *p;
	size_t size;
	uint64_t tag;
};

struct worker {
	pthread_t thread;
	unsigned index;
	uint64_t rng;
	uint64_t next_tag;
	long ops;
	struct slot slots[SLOTS_PER_THREAD];
	/* What the thread did, printed at the end to show the mix was real. */
	unsigned long mallocs, callocs, memaligns, reallocs, frees, handed, adopted;
};

static struct worker workers[MAX_THREADS];
static _Atomic(unsigned char *) exchange[EXCHANGE_SLOTS];
static pthread_barrier_t start_line;
static atomic_uint corruptions;
static atomic_bool stop;

static uint64_t rng_next(uint64_t *state)
{
	/* xorshift64*: deterministic per thread, so a failure can be rerun. */
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Mostly small blocks, some medium, a few past any sensible big-block
 * cutoff: the mix real programs have, weighted so checking stays cheap. */
static size_t random_size(uint64_t *rng)
{
	uint64_t r = rng_next(rng);
	unsigned bucket = (unsigned)(r % 4096);
	r >>= 12;
	if (bucket < 3840)
		return (size_t)(r % 257);               /* 0..256 */
	if (bucket < 4090)
		return 257 + (size_t)(r % (16384 - 257)); /* up to 16 KiB */
	return 16384 + (size_t)(r % (512 * 1024));   /* up to 528 KiB */
}

static void report_corruption(struct worker *w, const char *when, const void *p, size_t size,
			      uint64_t tag, size_t offset)
{
	atomic_fetch_add(&corruptions, 1);
	atomic_store(&stop, true);
	const unsigned char *b = p;
	fprintf(stderr,
		"thread %u: block %p (size %zu, tag %#llx) corrupt %s: byte %zu is %#x, expected %#x\n",
		w->index, p, size, (unsigned long long)tag, when, offset,
		offset < size ? b[offset] : 0,
		offset < size ? block_expected_byte(size, tag, offset) : 0);
}

static bool verify_slot(struct worker *w, const struct slot *s, const char *when)
{
	size_t bad = block_first_mismatch(s->p, s->size, s->tag, s->size);
	if (bad != s->size) {
		report_corruption(w, when, s->p, s->size, s->tag, bad);
		return false;
	}
	return true;
}

static uint64_t new_tag(struct worker *w)
{
	return ((uint64_t)(w->index + 1) << 48) | ++w->next_tag;
}

static void allocate_into(struct worker *w, struct slot *s)
{
	size_t size = random_size(&w->rng);
	unsigned how = (unsigned)(rng_next(&w->rng) % 10);
	unsigned char *p;
	if (how == 0) {
		w->callocs++;
		p = flmalloc_calloc(1, size);
		if (p) {
			for (size_t i = 0; i < size; i++)
				if (p[i] != 0) {
					fprintf(stderr, "thread %u: calloc(1, %zu) = %p byte %zu is %#x\n",
						w->index, size, (void *)p, i, p[i]);
					atomic_fetch_add(&corruptions, 1);
					atomic_store(&stop, true);
					break;
				}
		}
	} else if (how == 1) {
		w->memaligns++;
		size_t align = (size_t)32 << (rng_next(&w->rng) % 8);  /* 32 .. 4096 */
		p = flmalloc_memalign(align, size);
		if (p && ((uintptr_t)p & (align - 1)) != 0) {
			fprintf(stderr, "thread %u: memalign(%zu, %zu) = %p misaligned\n", w->index, align,
				size, (void *)p);
			atomic_fetch_add(&corruptions, 1);
		}
	} else {
		w->mallocs++;
		p = flmalloc_malloc(size);
	}
	if (p == NULL) {
		fprintf(stderr, "thread %u: allocating %zu bytes failed: %s\n", w->index, size,
			strerror(errno));
		atomic_fetch_add(&corruptions, 1);
		atomic_store(&stop, true);
		return;
	}
	if (((uintptr_t)p & 15) != 0) {
		fprintf(stderr, "thread %u: %p (size %zu) is not 16-byte aligned\n", w->index, (void *)p,
			size);
		atomic_fetch_add(&corruptions, 1);
	}
	s->p = p;
	s->size = size;
	s->tag = new_tag(w);
	block_fill(p, size, s->tag);
}

static void realloc_slot(struct worker *w, struct slot *s)
{
	if (!verify_slot(w, s, "before realloc"))
		return;
	size_t new_size = random_size(&w->rng);
	if (new_size == 0)
		new_size = 1;  /* realloc(p, 0) frees: that is the free path's job */
	unsigned char *q = flmalloc_realloc(s->p, new_size);
	w->reallocs++;
	if (q == NULL) {
		fprintf(stderr, "thread %u: realloc(%p, %zu) failed: %s\n", w->index, (void *)s->p,
			new_size, strerror(errno));
		atomic_fetch_add(&corruptions, 1);
		atomic_store(&stop, true);
		return;
	}
	size_t kept = s->size < new_size ? s->size : new_size;
	size_t bad = block_first_mismatch(q, s->size, s->tag, kept);
	if (bad != kept) {
		report_corruption(w, "after realloc", q, s->size, s->tag, bad);
		s->p = NULL;  /* leave the damaged block alone rather than free it */
		return;
	}
	s->p = q;
	s->size = new_size;
	s->tag = new_tag(w);
	block_fill(q, new_size, s->tag);
}

static void free_slot(struct worker *w, struct slot *s)
{
	if (!verify_slot(w, s, "before free"))
		return;
	flmalloc_free(s->p);
	w->frees++;
	s->p = NULL;
}

/* Give the block to whichever thread next visits this exchange slot, and
 * take over whatever block was waiting there. */
static void hand_over(struct worker *w, struct slot *s)
{
	if (s->size < BLOCK_HEADER_MIN) {
		free_slot(w, s);  /* too small to describe itself */
		return;
	}
	if (!verify_slot(w, s, "before hand-over"))
		return;
	unsigned i = (unsigned)(rng_next(&w->rng) % EXCHANGE_SLOTS);
	unsigned char *theirs = atomic_exchange(&exchange[i], s->p);
	w->handed++;
	s->p = NULL;
	if (theirs == NULL)
		return;
	uint64_t tag;
	size_t size;
	if (!block_read_header(theirs, &tag, &size)) {
		fprintf(stderr, "thread %u: block %p from the exchange has a damaged header\n",
			w->index, (void *)theirs);
		atomic_fetch_add(&corruptions, 1);
		atomic_store(&stop, true);
		return;
	}
	w->adopted++;
	*s = (struct slot){ theirs, size, tag };
	if (!verify_slot(w, s, "on adoption")) {
		s->p = NULL;
		return;
	}
	/* Half the adopted blocks die here at once; the others live on in
	 * this thread and are reallocated or freed later. */
	if (rng_next(&w->rng) & 1)
		free_slot(w, s);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	pthread_barrier_wait(&start_line);
	for (long op = 0; op < w->ops && !atomic_load_explicit(&stop, memory_order_relaxed); op++) {
		uint64_t r = rng_next(&w->rng);
		struct slot *s = &w->slots[r % SLOTS_PER_THREAD];
		unsigned choice = (unsigned)((r >> 32) % 100);
		if (s->p == NULL)
			allocate_into(w, s);
		else if (choice < 40)
			free_slot(w, s);
		else if (choice < 70)
			realloc_slot(w, s);
		else
			hand_over(w, s);
	}
	for (unsigned i = 0; i < SLOTS_PER_THREAD; i++)
		if (w->slots[i].p)
			free_slot(w, &w->slots[i]);
	return NULL;
}

static long parse_long_arg(const char *name, const char *value)
{
	char *end;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (errno || *end || v <= 0) {
		fprintf(stderr, "alloc_threads: bad %s '%s'\n", name, value);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	long ops = DEFAULT_OPS, threads = DEFAULT_THREADS;
	uint64_t seed = 20261126;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--ops") == 0)
			ops = parse_long_arg("--ops", argv[i + 1]);
		else if (strcmp(argv[i], "--threads") == 0)
			threads = parse_long_arg("--threads", argv[i + 1]);
		else if (strcmp(argv[i], "--seed") == 0)
			seed = (uint64_t)parse_long_arg("--seed", argv[i + 1]);
		else {
			fprintf(stderr, "usage: alloc_threads [--ops N] [--threads T] [--seed S]\n");
			return 2;
		}
	}
	if (argc % 2 == 0) {
		fprintf(stderr, "usage: alloc_threads [--ops N] [--threads T] [--seed S]\n");
		return 2;
	}
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;

	struct flmalloc_stats before;
	flmalloc_stats(&before);
	printf("policy %s: %ld threads x %ld ops, seed %llu\n", before.policy, threads, ops,
	       (unsigned long long)seed);

	pthread_barrier_init(&start_line, NULL, (unsigned)threads);
	for (long t = 0; t < threads; t++) {
		struct worker *w = &workers[t];
		w->index = (unsigned)t;
		w->rng = mix64(seed + (uint64_t)t) | 1;
		w->ops = ops;
		REQUIRE(pthread_create(&w->thread, NULL, worker_main, w) == 0, "pthread_create failed");
	}
	for (long t = 0; t < threads; t++)
		pthread_join(workers[t].thread, NULL);
	pthread_barrier_destroy(&start_line);

	/* Blocks still waiting in the exchange belong to nobody: verify and
	 * free them here, from the main thread. */
	struct worker drain = { .index = (unsigned)threads };
	for (unsigned i = 0; i < EXCHANGE_SLOTS; i++) {
		unsigned char *p = atomic_exchange(&exchange[i], NULL);
		if (p == NULL)
			continue;
		struct slot s;
		if (!block_read_header(p, &s.tag, &s.size)) {
			CHECK(0, "block %p left in the exchange has a damaged header", (void *)p);
			continue;
		}
		s.p = p;
		free_slot(&drain, &s);
	}

	unsigned long totals[7] = { 0 };
	for (long t = 0; t < threads; t++) {
		const struct worker *w = &workers[t];
		const unsigned long counts[7] = { w->mallocs, w->callocs, w->memaligns, w->reallocs,
						  w->frees, w->handed, w->adopted };
		for (int k = 0; k < 7; k++)
			totals[k] += counts[k];
	}
	totals[4] += drain.frees;
	printf("malloc %lu, calloc %lu, memalign %lu, realloc %lu, free %lu, "
	       "handed over %lu, adopted %lu\n",
	       totals[0], totals[1], totals[2], totals[3], totals[4], totals[5], totals[6]);

	CHECK(atomic_load(&corruptions) == 0, "%u corrupted or failed operations",
	      atomic_load(&corruptions));
	CHECK(totals[6] > 0, "no block ever changed threads: the cross-thread path went untested");
	CHECK(totals[0] + totals[1] + totals[2] == totals[4],
	      "allocated %lu blocks but freed %lu", totals[0] + totals[1] + totals[2], totals[4]);
	CHECK(flmalloc_check_heap() == 0, "flmalloc_check_heap() found the heap inconsistent");
	struct flmalloc_stats after;
	flmalloc_stats(&after);
	CHECK(after.bytes_in_use == before.bytes_in_use,
	      "every block was freed, yet bytes_in_use went from %llu to %llu",
	      (unsigned long long)before.bytes_in_use, (unsigned long long)after.bytes_in_use);
	CHECK(after.big_blocks == before.big_blocks, "%llu big blocks still mapped",
	      (unsigned long long)(after.big_blocks - before.big_blocks));
	return check_exit_status("alloc_threads");
}
