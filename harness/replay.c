/* replay.c: the replay engine: workspace, the measured loops, and the
 * measurement around them.  Runs in the replay child. */
#include "replay.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "latency.h"
#include "replay_dispatch.h"
#include "replay_threads.h"
#include "replay_touch.h"
#include "replay_verify.h"
#include "rss.h"
#include "series.h"
#include "syscount_ptrace.h"

static const char *const status_names[REPLAY_STATUS_N] = {
	"ok", "failed", "preload-failed", "oom", "crashed", "timeout",
};
static const char *const touch_names[] = {"all", "first", "none"};
static const char *const pass_names[] = {"timing", "series", "latency"};

const char *replay_status_name(enum replay_status status)
{
	return status_names[status];
}

static int parse_name(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

int replay_touch_parse(const char *name)
{
	return parse_name(touch_names, 3, name);
}

const char *replay_touch_name(enum replay_touch touch)
{
	return touch_names[touch];
}

int replay_pass_parse(const char *name)
{
	return parse_name(pass_names, 3, name);
}

const char *replay_pass_name(enum replay_pass pass)
{
	return pass_names[pass];
}

void *replay_map(size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	len = len ? (len + (size_t)page - 1) & ~((size_t)page - 1) : (size_t)page;
	/* MAP_POPULATE faults every page in now, so the replay's own tables
	 * never fault inside the measured region (and their pages are part of
	 * the RSS baseline). */
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		       -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* Locked where allowed (RLIMIT_MEMLOCK, root), so memory pressure
	 * cannot page the tables out mid-replay; resident either way. */
	mlock(p, len);
	return p;
}

void replay_unmap(void *p, size_t len)
{
	if (p)
		munmap(p, len ? len : 1);
}

/* Maps and records one of the workspace's arrays. */
static void *ws_map(struct replay_workspace *ws, size_t len)
{
	void *p = replay_map(len);
	if (p) {
		ws->maps[ws->n_maps].p = p;
		ws->maps[ws->n_maps].len = len;
		ws->n_maps++;
		ws->mapped_total += len;
	}
	return p;
}

int replay_workspace_init(struct replay_workspace *ws, const struct replay_config *cfg,
			  char *err, size_t errlen)
{
	memset(ws, 0, sizeof *ws);
	ws->statm_fd = -1;
	const uint64_t slots = cfg->n_slots ? cfg->n_slots : 1;
	const bool need_sizes = cfg->pass != REPLAY_PASS_TIMING || cfg->verify;
	size_t wanted = slots * sizeof(void *);
	if (!(ws->slots = ws_map(ws, wanted)))
		goto fail;
	if (need_sizes && !(ws->sizes = ws_map(ws, wanted = slots * sizeof(uint64_t))))
		goto fail;
	if (cfg->verify) {
		struct replay_range_node *nodes;
		if (!(ws->generation = ws_map(ws, wanted = slots * sizeof(uint32_t))) ||
		    !(nodes = ws_map(ws, wanted = slots * sizeof *nodes)))
			goto fail;
		replay_ranges_init(&ws->ranges, nodes);
	}
	if (cfg->pass == REPLAY_PASS_SERIES) {
		ws->sample_every = series_sample_every(cfg->n_events);
		ws->max_samples = cfg->n_events / ws->sample_every + 1;
		if (!(ws->samples = ws_map(ws, wanted = ws->max_samples * sizeof *ws->samples)))
			goto fail;
	}
	if (cfg->pass == REPLAY_PASS_LATENCY && !cfg->streams) {
		/* (a threaded replay maps its latency buffers per thread) */
		for (uint64_t i = 0; i < cfg->n_events; i++) {
			uint8_t op = cfg->events[i].op;
			if (op == TRACE_OP_FREE)
				ws->latency_cap[REPLAY_LAT_FREE]++;
			else if (op != TRACE_OP_REALLOC)
				ws->latency_cap[REPLAY_LAT_MALLOC]++;
		}
		for (int c = 0; c < REPLAY_LAT_N; c++)
			if (!(ws->latency[c] = ws_map(ws, wanted = ws->latency_cap[c] * sizeof(uint32_t))))
				goto fail;
	}
	if (cfg->pass != REPLAY_PASS_TIMING && (ws->statm_fd = rss_open()) < 0) {
		snprintf(err, errlen, "cannot open /proc/self/statm");
		replay_workspace_fini(ws);
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "cannot map %zu bytes for the replay's tables", wanted);
	replay_workspace_fini(ws);
	return -1;
}

void replay_workspace_fini(struct replay_workspace *ws)
{
	for (int i = 0; i < ws->n_maps; i++)
		replay_unmap(ws->maps[i].p, ws->maps[i].len);
	ws->n_maps = 0;
	if (ws->statm_fd >= 0)
		close(ws->statm_fd);
	ws->statm_fd = -1;
}

/* ------------------------------------------------------------ the loops */

/* The timing pass's loop: allocator calls and touches, nothing else.
 * Returns the index of the event whose allocation returned NULL, or n. */
static inline __attribute__((always_inline)) uint64_t
loop_fast(const struct trace_event *ev, uint64_t n, void **slots, enum replay_touch touch)
{
	for (uint64_t i = 0; i < n; i++) {
		const struct trace_event *e = &ev[i];
		const size_t size = e->size;
		void *p;
		/* After a free the slot is dead until its next allocation,
		 * which overwrites it: no need to clear it. */
		if (!replay_dispatch(e->op, e, slots, &p))
			continue;
		/* NULL for size 0 is legal (glibc's realloc(p, 0) frees p). */
		if (__builtin_expect(!p, 0) && size)
			return i;
		slots[e->slot] = p;
		replay_touch_block(p, size, touch);
	}
	return n;
}

/* One instance per touch mode, so the mode is a constant in each loop.
 * noinline: each loop is a function of its own, so its code and placement
 * no longer depend on the rest of replay_run.  Inlined, they changed with
 * edits to the careful loop, and the measured harness cost with them by
 * 0.1-0.2 ns per event (docs/metrics.md, "Harness cost").  One call a run. */
static __attribute__((noinline)) uint64_t loop_fast_all(const struct trace_event *ev, uint64_t n, void **slots)
{
	return loop_fast(ev, n, slots, REPLAY_TOUCH_ALL);
}
static __attribute__((noinline)) uint64_t loop_fast_first(const struct trace_event *ev, uint64_t n, void **slots)
{
	return loop_fast(ev, n, slots, REPLAY_TOUCH_FIRST);
}
static __attribute__((noinline)) uint64_t loop_fast_none(const struct trace_event *ev, uint64_t n, void **slots)
{
	return loop_fast(ev, n, slots, REPLAY_TOUCH_NONE);
}

static void fail(struct replay_result *res, enum replay_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct replay_result *res, enum replay_status status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof res->message, fmt, ap);
	va_end(ap);
	res->status = status;
}

static const char *const op_names[TRACE_OP_COUNT] = {"malloc", "calloc", "realloc", "memalign", "free"};

static void fail_oom(struct replay_result *res, const struct replay_config *cfg, uint64_t i)
{
	const struct trace_event *e = &cfg->events[i];
	fail(res, REPLAY_OOM, "event %llu (%s of slot %u, %llu bytes) returned NULL (allocator %s)",
	     (unsigned long long)i, op_names[e->op], e->slot, (unsigned long long)e->size,
	     cfg->allocator);
}

static inline int64_t heap_rss(const struct replay_workspace *ws, const struct replay_result *res)
{
	int64_t now = rss_current_bytes(ws->statm_fd);
	return now < 0 ? -1 : now - res->rss_baseline_bytes;
}

/* The series, latency and --verify loop: the same calls in the same order
 * as loop_fast, plus bookkeeping around each call.  Returns 0, or -1 with
 * res's status set. */
static int loop_careful(const struct replay_config *cfg, struct replay_workspace *ws,
			struct replay_result *res)
{
	const struct trace_event *ev = cfg->events;
	const bool series = cfg->pass == REPLAY_PASS_SERIES;
	const bool latency = cfg->pass == REPLAY_PASS_LATENCY;
	const uint64_t overhead = res->timer_overhead_ns;
	void **slots = ws->slots;
	uint64_t *sizes = ws->sizes;
	uint64_t live = 0;
	uint64_t countdown = ws->sample_every;
	for (uint64_t i = 0; i < cfg->n_events; i++) {
		const struct trace_event *e = &ev[i];
		const size_t size = e->size;
		const uint64_t old_size = sizes[e->slot];
		if (cfg->verify && (e->op == TRACE_OP_FREE || e->op == TRACE_OP_REALLOC) &&
		    replay_verify_release(ws, e, i, cfg->allocator, res->message, sizeof res->message)) {
			res->status = REPLAY_FAILED;
			return -1;
		}
		uint64_t t0 = latency ? latency_now_ns() : 0;
		void *p;
		const bool allocated = replay_dispatch(e->op, e, slots, &p);
		if (latency && e->op != TRACE_OP_REALLOC) {
			uint64_t d = latency_now_ns() - t0;
			d = d > overhead ? d - overhead : 0;
			int c = allocated ? REPLAY_LAT_MALLOC : REPLAY_LAT_FREE;
			ws->latency[c][ws->latency_n[c]++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
		}
		live -= old_size;
		if (!allocated) {
			slots[e->slot] = NULL;
			sizes[e->slot] = 0;
		} else {
			if (!p && size) {
				fail_oom(res, cfg, i);
				return -1;
			}
			slots[e->slot] = p;
			sizes[e->slot] = p ? size : 0;
			live += sizes[e->slot];
			if (p && cfg->verify) {
				if (replay_verify_acquire(ws, e, i, p, e->op == TRACE_OP_REALLOC ? old_size : 0,
							  cfg->allocator, res->message,
							  sizeof res->message)) {
					res->status = REPLAY_FAILED;
					return -1;
				}
			} else if (p) {
				replay_touch_block(p, size, cfg->touch);
			}
		}
		if (series) {
			if (i == cfg->peak_live_event) {
				res->peak_live_bytes = live;
				res->rss_at_peak_live = heap_rss(ws, res);
			}
			if (--countdown == 0) {
				countdown = ws->sample_every;
				struct replay_sample *s = &ws->samples[ws->n_samples++];
				s->event = i + 1;
				s->live_bytes = live;
				s->heap_rss_bytes = heap_rss(ws, res);
				s->mapped_bytes = cfg->mapped_bytes ? cfg->mapped_bytes() : -1;
			}
		}
		res->events_done = i + 1;
	}
	return 0;
}

void replay_latency_summarise(struct replay_workspace *ws, struct replay_result *res)
{
	static const double pcts[REPLAY_PCT_N] = {50, 99, 99.9, 100};
	for (int c = 0; c < REPLAY_LAT_N; c++) {
		latency_sort(ws->latency[c], ws->latency_n[c]);
		res->latency_count[c] = ws->latency_n[c];
		for (int k = 0; k < REPLAY_PCT_N; k++)
			res->latency_ns[c][k] = latency_percentile(ws->latency[c], ws->latency_n[c], pcts[k]);
	}
	res->latency_valid = 1;
}

static uint64_t minor_faults_now(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)ru.ru_minflt;
}

void replay_measure_begin(const struct replay_config *cfg, const struct replay_workspace *ws,
			  struct replay_result *res, struct replay_measure *m)
{
	/* Everything the replay touches is mapped and faulted; from here on the
	 * RSS that grows is the allocator's. */
	rss_prefault_code(256 * 1024);
	m->peak_ok = rss_reset_peak() == 0;
	m->statm = ws->statm_fd >= 0 ? ws->statm_fd : rss_open();
	res->rss_baseline_bytes = rss_current_bytes(m->statm);
	m->faults0 = minor_faults_now();
	if (cfg->syscount)
		syscount_enable(cfg->syscount);
	if (cfg->syscall_markers)
		syscount_marker(SYSCOUNT_MARKER_START);
	m->t0 = latency_now_ns();
}

void replay_measure_end(const struct replay_config *cfg, const struct replay_workspace *ws,
			struct replay_result *res, struct replay_measure *m, uint64_t t1)
{
	if (cfg->syscall_markers)
		syscount_marker(SYSCOUNT_MARKER_STOP);
	if (cfg->syscount)
		syscount_disable(cfg->syscount);
	res->minor_faults = minor_faults_now() - m->faults0;
	res->elapsed_ns = t1 - m->t0;
	int64_t final = rss_current_bytes(m->statm);
	res->final_rss_bytes = final < 0 ? -1 : final - res->rss_baseline_bytes;
	/* The kernel updates VmHWM only when RSS is about to shrink (munmap,
	 * exit), from RSS counters that each thread (kernel 6.1) or CPU (later
	 * kernels) updates in batches, so it can lag the true peak by a few
	 * dozen pages; the final RSS is summed exactly and is a floor for
	 * the peak. */
	int64_t hwm = m->peak_ok ? rss_peak_bytes() : -1;
	if (hwm >= 0 && final > hwm)
		hwm = final;
	res->peak_rss_bytes = hwm < 0 ? -1 : hwm - res->rss_baseline_bytes;
	if (m->statm != ws->statm_fd)
		close(m->statm);
	if (cfg->syscount) {
		res->syscalls_valid = syscount_read(cfg->syscount, res->syscalls) == 0;
		if (!res->syscalls_valid)
			snprintf(res->syscalls_note, sizeof res->syscalls_note, "reading the perf counters failed");
	}
}

void replay_run(const struct replay_config *cfg, struct replay_workspace *ws,
		struct replay_result *res)
{
	res->magic = REPLAY_RESULT_MAGIC;
	res->status = REPLAY_OK;
	res->rss_at_peak_live = -1;
	res->frag_mean = -1;
	res->n_threads = 1;
	res->fail_thread = -1;
	if (cfg->pass == REPLAY_PASS_LATENCY)
		res->timer_overhead_ns = latency_timer_overhead_ns();
	if (cfg->streams) {
		replay_threads_run(cfg, ws, res);
		return;
	}

	/* The allocator's one-time setup is not the trace's doing: run it now.
	 * (volatile: the compiler may delete a malloc/free pair otherwise.) */
	void *volatile warm = malloc(1);
	free(warm);
	struct replay_measure m;
	replay_measure_begin(cfg, ws, res, &m);

	/* ---- measured region: no malloc, no stdio of our own ---- */
	if (cfg->pass == REPLAY_PASS_TIMING && !cfg->verify) {
		uint64_t done;
		switch (cfg->touch) {
		case REPLAY_TOUCH_ALL:
			done = loop_fast_all(cfg->events, cfg->n_events, ws->slots);
			break;
		case REPLAY_TOUCH_FIRST:
			done = loop_fast_first(cfg->events, cfg->n_events, ws->slots);
			break;
		default:
			done = loop_fast_none(cfg->events, cfg->n_events, ws->slots);
			break;
		}
		res->events_done = done;
		if (done < cfg->n_events)
			fail_oom(res, cfg, done);
	} else {
		loop_careful(cfg, ws, res);
	}
	/* ---- end of the measured region ---- */

	replay_measure_end(cfg, ws, res, &m, latency_now_ns());
	res->alloc_ns = res->elapsed_ns;
	if (cfg->pass == REPLAY_PASS_SERIES) {
		res->n_samples = (uint32_t)ws->n_samples;
		res->frag_mean = series_frag_mean(ws->samples, ws->n_samples);
	}
	if (cfg->pass == REPLAY_PASS_LATENCY && res->status == REPLAY_OK)
		replay_latency_summarise(ws, res);
}
