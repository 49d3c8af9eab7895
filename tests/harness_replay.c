/*
 * harness_replay.c: unit tests of the replay engine's parts, in process
 * (under ASan with SAN=1, so the engine itself is checked for memory errors;
 * the allocator is whatever serves malloc here).
 *   - replay_ranges against a brute-force overlap check, random blocks;
 *   - replay_verify: overlap, misalignment, lost realloc contents, calloc
 *     garbage and overwritten blocks are each reported, good blocks pass;
 *   - latency_sort / latency_percentile;
 *   - series_frag_mean, series_sample_every;
 *   - csv_field quoting and the exact replay header;
 *   - replay_run on an in-memory trace: every pass, every touch mode;
 *   - replay_streams_build: the per-thread streams are sealed against
 *     writes (regression: sealing with F_SEAL_WRITE failed with EBUSY at
 *     random in make bench; F_SEAL_FUTURE_WRITE must still protect them).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <string.h>

#include "csv.h"
#include "latency.h"
#include "lib/check.h"
#include "replay.h"
#include "replay_ranges.h"
#include "replay_streams.h"
#include "replay_verify.h"
#include "series.h"

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_ranges(void)
{
	enum { SLOTS = 300, ROUNDS = 20000 };
	struct replay_range_node nodes[SLOTS];
	uintptr_t start[SLOTS], len[SLOTS];
	int live[SLOTS] = {0};
	struct replay_ranges r;
	replay_ranges_init(&r, nodes);
	unsigned inserted = 0, refused = 0;
	for (int round = 0; round < ROUNDS; round++) {
		uint32_t s = (uint32_t)(rng() % SLOTS);
		if (live[s]) {
			replay_ranges_remove(&r, s);
			live[s] = 0;
			continue;
		}
		uintptr_t a = 4096 + rng() % 100000, n = 1 + rng() % 300;
		int overlaps = 0;
		for (int t = 0; t < SLOTS; t++)
			if (live[t] && a < start[t] + len[t] && start[t] < a + n)
				overlaps = 1;
		uint32_t other = replay_ranges_insert(&r, s, a, n);
		if (overlaps) {
			refused++;
			CHECK(other != REPLAY_RANGES_NONE, "round %d: overlap of [%lu,+%lu) not found", round,
			      (unsigned long)a, (unsigned long)n);
			if (other != REPLAY_RANGES_NONE)
				CHECK(live[other] && a < start[other] + len[other] && start[other] < a + n,
				      "round %d: reported slot %u does not overlap", round, other);
		} else {
			CHECK(other == REPLAY_RANGES_NONE, "round %d: false overlap with slot %u", round, other);
			if (other == REPLAY_RANGES_NONE) {
				live[s] = 1, start[s] = a, len[s] = n;
				inserted++;
			}
		}
	}
	CHECK(inserted > 1000 && refused > 1000, "random test too one-sided: %u inserted, %u refused",
	      inserted, refused);
}

/* A workspace for n slots with verify on, as the child would build it. */
static void verify_workspace(struct replay_workspace *ws, uint32_t n)
{
	struct replay_config cfg = {.n_slots = n, .pass = REPLAY_PASS_TIMING, .verify = true};
	char err[256];
	REQUIRE(replay_workspace_init(ws, &cfg, err, sizeof err) == 0, "workspace: %s", err);
}

static void test_verify(void)
{
	struct replay_workspace ws;
	verify_workspace(&ws, 4);
	char msg[512];
	_Alignas(64) static unsigned char arena[4096];
	struct trace_event e0 = {.op = TRACE_OP_MALLOC, .slot = 0, .size = 100};
	struct trace_event e1 = {.op = TRACE_OP_MALLOC, .slot = 1, .size = 100};

	CHECK(replay_verify_acquire(&ws, &e0, 0, arena, 0, "t", msg, sizeof msg) == 0, "good block: %s", msg);
	ws.slots[0] = arena, ws.sizes[0] = 100;
	CHECK(replay_verify_acquire(&ws, &e1, 1, arena + 64, 0, "brokenalloc", msg, sizeof msg) != 0,
	      "overlap not caught");
	CHECK(strstr(msg, "overlaps") && strstr(msg, "event 1") && strstr(msg, "brokenalloc"),
	      "overlap message: %s", msg);
	CHECK(replay_verify_acquire(&ws, &e1, 1, arena + 200, 0, "t", msg, sizeof msg) != 0,
	      "misaligned block not caught");
	CHECK(strstr(msg, "aligned") != NULL, "alignment message: %s", msg);
	CHECK(replay_verify_acquire(&ws, &e1, 1, arena + 112, 0, "t", msg, sizeof msg) == 0,
	      "adjacent block refused: %s", msg);
	ws.slots[1] = arena + 112, ws.sizes[1] = 100;

	/* A live block overwritten behind the allocator's back. */
	arena[112 + 50] ^= 0xff;
	struct trace_event f1 = {.op = TRACE_OP_FREE, .slot = 1};
	CHECK(replay_verify_release(&ws, &f1, 2, "t", msg, sizeof msg) != 0, "overwrite not caught");
	CHECK(strstr(msg, "byte 50") != NULL, "overwrite message: %s", msg);
	arena[112 + 50] ^= 0xff;
	CHECK(replay_verify_release(&ws, &f1, 2, "t", msg, sizeof msg) == 0, "intact free: %s", msg);

	/* realloc in place that keeps the contents passes; one that loses them fails */
	struct trace_event r0 = {.op = TRACE_OP_REALLOC, .slot = 0, .size = 200};
	CHECK(replay_verify_release(&ws, &r0, 3, "t", msg, sizeof msg) == 0, "realloc release: %s", msg);
	CHECK(replay_verify_acquire(&ws, &r0, 3, arena, 100, "t", msg, sizeof msg) == 0,
	      "realloc kept contents: %s", msg);
	ws.sizes[0] = 200;
	CHECK(replay_verify_release(&ws, &r0, 4, "t", msg, sizeof msg) == 0, "realloc release 2: %s", msg);
	memset(arena + 1024, 0, 200);
	CHECK(replay_verify_acquire(&ws, &r0, 4, arena + 1024, 200, "t", msg, sizeof msg) != 0,
	      "realloc that lost contents not caught");
	CHECK(strstr(msg, "lost its contents") != NULL, "realloc message: %s", msg);

	/* calloc must be zero */
	struct trace_event c2 = {.op = TRACE_OP_CALLOC, .slot = 2, .size = 64};
	memset(arena + 2048, 1, 64);
	CHECK(replay_verify_acquire(&ws, &c2, 5, arena + 2048, 0, "t", msg, sizeof msg) != 0,
	      "dirty calloc not caught");
	memset(arena + 2048, 0, 64);
	CHECK(replay_verify_acquire(&ws, &c2, 5, arena + 2048, 0, "t", msg, sizeof msg) == 0,
	      "zeroed calloc: %s", msg);

	/* memalign: the requested alignment; small mallocs need less than 16 */
	struct trace_event m3 = {.op = TRACE_OP_MEMALIGN, .slot = 3, .size = 10, .align_log2 = 6};
	CHECK(replay_verify_acquire(&ws, &m3, 6, arena + 3000 + 32, 0, "t", msg, sizeof msg) != 0,
	      "32-aligned block for memalign(64) not caught");
	struct trace_event s3 = {.op = TRACE_OP_MALLOC, .slot = 3, .size = 8};
	CHECK(replay_verify_acquire(&ws, &s3, 7, arena + 3000 + 8, 0, "t", msg, sizeof msg) == 0,
	      "8-byte block at 8-byte alignment refused: %s", msg);
	replay_workspace_fini(&ws);
}

static void test_latency(void)
{
	enum { N = 1000 };
	uint32_t v[N];
	for (int i = 0; i < N; i++)
		v[i] = (uint32_t)(N - i); /* N..1 */
	latency_sort(v, N);
	int sorted = 1;
	for (int i = 1; i < N; i++)
		sorted &= v[i - 1] <= v[i];
	CHECK(sorted, "latency_sort did not sort");
	CHECK(latency_percentile(v, N, 50) == 500, "p50 of 1..1000 = %u", latency_percentile(v, N, 50));
	CHECK(latency_percentile(v, N, 99) == 990, "p99 = %u", latency_percentile(v, N, 99));
	CHECK(latency_percentile(v, N, 99.9) == 999, "p99.9 = %u", latency_percentile(v, N, 99.9));
	CHECK(latency_percentile(v, N, 100) == 1000, "max = %u", latency_percentile(v, N, 100));
	CHECK(latency_percentile(v, 0, 50) == 0, "empty percentile");
	uint32_t one = 7;
	CHECK(latency_percentile(&one, 1, 99.9) == 7, "single sample");
	CHECK(latency_timer_overhead_ns() < 100000, "absurd timer overhead");
}

static void test_series(void)
{
	struct replay_sample s[3] = {
		{.event = 1, .live_bytes = 100, .heap_rss_bytes = 4096, .mapped_bytes = -1},
		{.event = 2, .live_bytes = 300, .heap_rss_bytes = 4096, .mapped_bytes = -1},
		{.event = 3, .live_bytes = 0, .heap_rss_bytes = 8192, .mapped_bytes = -1},
	};
	double m = series_frag_mean(s, 3);
	CHECK(m > 40.95 && m < 40.97, "frag_mean = %f, want 16384/400 = 40.96", m);
	CHECK(series_frag_mean(s + 2, 1) < 0, "frag_mean with nothing live must be unknown");
	CHECK(series_sample_every(0) == 1 && series_sample_every(3999) == 1 &&
		      series_sample_every(4000) == 2 && series_sample_every(10000000) == 5000,
	      "series_sample_every");
}

static void test_csv(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	REQUIRE(f, "open_memstream");
	csv_field(f, "plain");
	fputc('|', f);
	csv_field(f, "a,b");
	fputc('|', f);
	csv_field(f, "say \"hi\"");
	csv_replay_header(f, false);
	fclose(f);
	CHECK(!strcmp(buf, "plain|\"a,b\"|\"say \"\"hi\"\"\""
			   "trace,allocator,run,status,events,seconds,ns_per_op,ops_per_s,"
			   "peak_live_bytes,peak_rss_bytes,final_rss_bytes,frag_peak,frag_at_peak_live,"
			   "frag_mean,mmap,munmap,mremap,brk,madvise,minor_faults,threads,alloc_seconds,"
			   "wait_seconds,blocked_waits,handoffs,remote_frees,thread_events,thread_ops_per_s,"
			   "thread_wait_seconds\n"),
	      "csv output: %s", buf);
	free(buf);
}

/* malloc 100, calloc 4x25, realloc to 300, free, memalign 64/250, ... */
static const struct trace_event tiny[] = {
	{.op = TRACE_OP_MALLOC, .slot = 0, .size = 100},
	{.op = TRACE_OP_MALLOC, .slot = 1, .size = 200},
	{.op = TRACE_OP_CALLOC, .slot = 2, .size = 100},
	{.op = TRACE_OP_REALLOC, .slot = 0, .size = 300},
	{.op = TRACE_OP_FREE, .slot = 1},
	{.op = TRACE_OP_MEMALIGN, .slot = 1, .size = 250, .align_log2 = 6},
	{.op = TRACE_OP_FREE, .slot = 2},
	{.op = TRACE_OP_FREE, .slot = 0},
	{.op = TRACE_OP_FREE, .slot = 1},
};

static void test_run(void)
{
	const uint64_t n = sizeof tiny / sizeof tiny[0];
	for (int pass = REPLAY_PASS_TIMING; pass <= REPLAY_PASS_LATENCY; pass++)
		for (int touch = REPLAY_TOUCH_ALL; touch <= REPLAY_TOUCH_NONE; touch++)
			for (int verify = 0; verify < 2; verify++) {
				struct replay_config cfg = {
					.events = tiny, .n_events = n, .n_slots = 3, .pass = pass,
					.touch = touch, .verify = verify, .peak_live_event = 5,
					.allocator = "in-process",
				};
				struct replay_workspace ws;
				char err[256];
				REQUIRE(replay_workspace_init(&ws, &cfg, err, sizeof err) == 0, "%s", err);
				static struct replay_result res;
				memset(&res, 0, sizeof res);
				replay_run(&cfg, &ws, &res);
				CHECK(res.status == REPLAY_OK, "pass %d touch %d verify %d: %s", pass, touch,
				      verify, res.message);
				CHECK(res.events_done == n, "events_done %llu", (unsigned long long)res.events_done);
				if (pass == REPLAY_PASS_SERIES) {
					/* live after event 5: 300 (slot 0) + 100 (calloc) + 250 = 650 */
					CHECK(res.peak_live_bytes == 650, "live at peak event = %llu",
					      (unsigned long long)res.peak_live_bytes);
					CHECK(res.n_samples == n, "%u samples for %llu events (K=1)", res.n_samples,
					      (unsigned long long)n);
					CHECK(ws.samples[n - 1].live_bytes == 0 && ws.samples[0].live_bytes == 100,
					      "series live bytes");
				}
				if (pass == REPLAY_PASS_LATENCY) {
					CHECK(res.latency_valid, "latency not summarised");
					CHECK(res.latency_count[REPLAY_LAT_MALLOC] == 4 &&
						      res.latency_count[REPLAY_LAT_FREE] == 4,
					      "latency counts %llu/%llu",
					      (unsigned long long)res.latency_count[REPLAY_LAT_MALLOC],
					      (unsigned long long)res.latency_count[REPLAY_LAT_FREE]);
				}
				replay_workspace_fini(&ws);
			}
}

/* Builds streams for a 2-thread trace many times (the EBUSY was random)
 * and checks each memfd refuses writes and writable mappings. */
static void test_streams_sealed(void)
{
	/* slot 0: malloc on thread 0, free on thread 1 (a remote free);
	 * slot 1: malloc and free on thread 1. */
	const struct trace_event ev[] = {
		{.size = 64, .slot = 0, .tid = 0, .op = TRACE_OP_MALLOC},
		{.size = 32, .slot = 1, .tid = 1, .op = TRACE_OP_MALLOC},
		{.size = 0, .slot = 0, .tid = 1, .op = TRACE_OP_FREE},
		{.size = 0, .slot = 1, .tid = 1, .op = TRACE_OP_FREE},
	};
	for (int i = 0; i < 200; i++) {
		int fd = -1;
		struct replay_streams_info info;
		char err[256];
		REQUIRE(replay_streams_build(ev, 4, 2, 2, 0, &fd, &info, err, sizeof err) == 0,
			"streams build %d: %s", i, err);
		int seals = fcntl(fd, F_GET_SEALS);
		CHECK(seals >= 0 && (seals & F_SEAL_FUTURE_WRITE) && (seals & F_SEAL_GROW) &&
			      (seals & F_SEAL_SHRINK),
		      "streams seals 0x%x", seals);
		char byte = 1;
		CHECK(pwrite(fd, &byte, 1, 0) < 0 && errno == EPERM, "a write to sealed streams was allowed");
		void *w = mmap(NULL, (size_t)info.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK(w == MAP_FAILED, "a writable mapping of sealed streams was allowed");
		if (w != MAP_FAILED)
			munmap(w, (size_t)info.bytes);
		CHECK(info.remote_frees == 1, "remote frees %llu, want 1", (unsigned long long)info.remote_frees);
		close(fd);
	}
}

int main(void)
{
	test_ranges();
	test_verify();
	test_latency();
	test_series();
	test_csv();
	test_run();
	test_streams_sealed();
	return check_exit_status("harness_replay");
}
