/* replay_threads.c: the threaded replay engine (see replay_threads.h). */
#include "replay_threads.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "latency.h"
#include "replay_dispatch.h"
#include "replay_touch.h"
#include "replay_verify.h"

#define THREADS_STACK_BYTES (256u * 1024u)
/* Spins before sleeping: a dependency is usually met within a few
 * allocator calls of the other thread, far sooner than a futex round trip. */
#define THREADS_SPINS 256
/* A sleeping waiter re-checks the stop flag this often, so a thread that
 * failed (oom, verify) never leaves the others waiting for ever. */
#define THREADS_NAP_NS 10000000L

/* Slot owner word: low 16 bits the thread allowed to act on the slot next
 * (THREADS_NOBODY before the first hand-over), THREADS_SLEEPER when a
 * waiter may be asleep on it.  Invariant: a thread waits on a slot only
 * while the word names another thread (replay_streams.h: it never
 * receives the slot twice in a row, and after handing a slot on it cannot
 * see its own number there again until the slot comes back). */
#define THREADS_OWNER_MASK 0xffffu
#define THREADS_NOBODY 0xffffu
#define THREADS_SLEEPER 0x10000u

static const char *const op_names[TRACE_OP_COUNT] = {"malloc", "calloc", "realloc", "memalign", "free"};

struct threads_shared {
	_Atomic uint32_t *owner; /* per slot */
	_Atomic uint32_t ready, go, finished, leave;
	_Atomic uint32_t stop;   /* set by a failing thread: waiters give up */
	_Atomic uint32_t failed; /* the first failure writes res->message */
	pthread_mutex_t verify_lock; /* --verify's live-block tree is shared */
	const struct replay_config *cfg;
	struct replay_workspace *ws;
	struct replay_result *res;
};

/* One replay thread; each on its own cache lines. */
struct replay_thread {
	struct threads_shared *sh;
	const struct trace_event *events;
	uint64_t n;
	uint32_t me;
	uint64_t start_ns, end_ns, wait_ns, blocked, done;
	uint32_t *lat[REPLAY_LAT_N];
	uint64_t lat_n[REPLAY_LAT_N];
	struct syscount sc;
	int sc_ok, sc_read_ok;
	uint64_t syscalls[SYSCOUNT_N];
	char note[256];
	pthread_t handle;
} __attribute__((aligned(64)));

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

static void futex_wait(_Atomic uint32_t *word, uint32_t expected, const struct timespec *timeout)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, timeout, NULL, 0);
}

static void futex_wake_all(_Atomic uint32_t *word)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* Sleeps until *word != value (spurious returns are fine: callers loop). */
static void wait_while(_Atomic uint32_t *word, uint32_t value)
{
	while (atomic_load_explicit(word, memory_order_acquire) == value)
		futex_wait(word, value, NULL);
}

/* Records the first failure: status, message and where (the parent turns
 * the thread's event index into the trace's). */
static void thread_fail(struct replay_thread *th, uint64_t i, enum replay_status status,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void thread_fail(struct replay_thread *th, uint64_t i, enum replay_status status,
			const char *fmt, ...)
{
	struct threads_shared *sh = th->sh;
	if (atomic_exchange(&sh->failed, 1) == 0) {
		sh->res->fail_thread = (int32_t)th->me;
		sh->res->fail_thread_event = i;
		char msg[sizeof sh->res->message - 32];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		snprintf(sh->res->message, sizeof sh->res->message, "replay thread %u: %s", th->me, msg);
		sh->res->status = status;
	}
	atomic_store(&sh->stop, 1);
}

static void thread_fail_oom(struct replay_thread *th, uint64_t i)
{
	const struct trace_event *e = &th->events[i];
	thread_fail(th, i, REPLAY_OOM, "its event %llu (%s of slot %u, %llu bytes) returned NULL (allocator %s)",
		    (unsigned long long)i, op_names[e->op & REPLAY_STREAM_OP_MASK], e->slot,
		    (unsigned long long)e->size, th->sh->cfg->allocator);
}

/* Waits until the slot is handed to this thread.  0, or -1 if another
 * thread failed meanwhile. */
static __attribute__((noinline)) int slot_wait_slow(struct replay_thread *th, _Atomic uint32_t *w)
{
	const uint64_t t0 = latency_now_ns();
	int rc = 0;
	for (int spins = 0;; spins++) {
		uint32_t v = atomic_load_explicit(w, memory_order_acquire);
		if ((v & THREADS_OWNER_MASK) == th->me)
			break;
		if (atomic_load_explicit(&th->sh->stop, memory_order_relaxed)) {
			rc = -1;
			break;
		}
		if (spins < THREADS_SPINS) {
			cpu_relax();
			continue;
		}
		if (!(v & THREADS_SLEEPER) &&
		    !atomic_compare_exchange_weak_explicit(w, &v, v | THREADS_SLEEPER, memory_order_relaxed,
							   memory_order_relaxed))
			continue;
		const struct timespec nap = {0, THREADS_NAP_NS};
		futex_wait(w, v | THREADS_SLEEPER, &nap);
	}
	th->wait_ns += latency_now_ns() - t0;
	th->blocked++;
	return rc;
}

static inline __attribute__((always_inline)) int slot_wait(struct replay_thread *th, uint32_t slot)
{
	_Atomic uint32_t *w = &th->sh->owner[slot];
	if ((atomic_load_explicit(w, memory_order_acquire) & THREADS_OWNER_MASK) == th->me)
		return 0;
	return slot_wait_slow(th, w);
}

static inline __attribute__((always_inline)) void slot_handoff(struct threads_shared *sh, uint32_t slot,
								uint32_t to)
{
	uint32_t old = atomic_exchange_explicit(&sh->owner[slot], to, memory_order_release);
	if (__builtin_expect(old & THREADS_SLEEPER, 0))
		futex_wake_all(&sh->owner[slot]);
}

/* The timing pass's loop for one thread: loop_fast of replay.c plus the
 * marked waits and hand-overs.  Returns the number of events done. */
static inline __attribute__((always_inline)) uint64_t thread_loop_fast(struct replay_thread *th,
								      enum replay_touch touch)
{
	const struct trace_event *ev = th->events;
	void **slots = th->sh->ws->slots;
	for (uint64_t i = 0; i < th->n; i++) {
		const struct trace_event *e = &ev[i];
		const unsigned flags = e->op;
		const unsigned op = flags & REPLAY_STREAM_OP_MASK;
		const uint32_t slot = e->slot;
		const size_t size = e->size;
		if (__builtin_expect(flags & REPLAY_STREAM_WAIT, 0) && slot_wait(th, slot))
			return i;
		void *p;
		if (replay_dispatch(op, e, slots, &p)) {
			if (__builtin_expect(!p, 0) && size) {
				thread_fail_oom(th, i);
				return i;
			}
			slots[slot] = p;
			replay_touch_block(p, size, touch);
		}
		if (__builtin_expect(flags & REPLAY_STREAM_HANDOFF, 0))
			slot_handoff(th->sh, slot, e->tid);
	}
	return th->n;
}

static uint64_t thread_loop_fast_all(struct replay_thread *th)
{
	return thread_loop_fast(th, REPLAY_TOUCH_ALL);
}
static uint64_t thread_loop_fast_first(struct replay_thread *th)
{
	return thread_loop_fast(th, REPLAY_TOUCH_FIRST);
}
static uint64_t thread_loop_fast_none(struct replay_thread *th)
{
	return thread_loop_fast(th, REPLAY_TOUCH_NONE);
}

/* The latency and --verify loop for one thread: loop_careful of replay.c
 * per thread.  Slot-indexed tables are touched only by the thread that
 * holds the slot; the live-block tree is shared, under verify_lock (the
 * lock is taken outside the latency brackets).  Returns events done. */
static uint64_t thread_loop_careful(struct replay_thread *th)
{
	struct threads_shared *sh = th->sh;
	const struct replay_config *cfg = sh->cfg;
	struct replay_workspace *ws = sh->ws;
	const bool latency = cfg->pass == REPLAY_PASS_LATENCY;
	const uint64_t overhead = sh->res->timer_overhead_ns;
	void **slots = ws->slots;
	uint64_t *sizes = ws->sizes;
	char msg[400];
	for (uint64_t i = 0; i < th->n; i++) {
		const unsigned flags = th->events[i].op;
		struct trace_event e = th->events[i];
		e.op = (uint8_t)(flags & REPLAY_STREAM_OP_MASK);
		e.tid = 0;
		if ((flags & REPLAY_STREAM_WAIT) && slot_wait(th, e.slot))
			return i;
		const size_t size = e.size;
		const uint64_t old_size = sizes[e.slot];
		if (cfg->verify && (e.op == TRACE_OP_FREE || e.op == TRACE_OP_REALLOC)) {
			pthread_mutex_lock(&sh->verify_lock);
			int bad = replay_verify_release(ws, &e, i, cfg->allocator, msg, sizeof msg);
			pthread_mutex_unlock(&sh->verify_lock);
			if (bad) {
				thread_fail(th, i, REPLAY_FAILED, "%s", msg);
				return i;
			}
		}
		uint64_t t0 = latency ? latency_now_ns() : 0;
		void *p;
		const bool allocated = replay_dispatch(e.op, &e, slots, &p);
		if (latency && e.op != TRACE_OP_REALLOC) {
			uint64_t d = latency_now_ns() - t0;
			d = d > overhead ? d - overhead : 0;
			int c = allocated ? REPLAY_LAT_MALLOC : REPLAY_LAT_FREE;
			th->lat[c][th->lat_n[c]++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
		}
		if (!allocated) {
			slots[e.slot] = NULL;
			sizes[e.slot] = 0;
		} else {
			if (!p && size) {
				thread_fail_oom(th, i);
				return i;
			}
			slots[e.slot] = p;
			sizes[e.slot] = p ? size : 0;
			if (p && cfg->verify) {
				pthread_mutex_lock(&sh->verify_lock);
				int bad = replay_verify_acquire(ws, &e, i, p,
								e.op == TRACE_OP_REALLOC ? old_size : 0,
								cfg->allocator, msg, sizeof msg);
				pthread_mutex_unlock(&sh->verify_lock);
				if (bad) {
					thread_fail(th, i, REPLAY_FAILED, "%s", msg);
					return i;
				}
			} else if (p) {
				replay_touch_block(p, size, cfg->touch);
			}
		}
		if (flags & REPLAY_STREAM_HANDOFF)
			slot_handoff(sh, e.slot, th->events[i].tid);
	}
	return th->n;
}

static void *thread_main(void *arg)
{
	struct replay_thread *th = arg;
	struct threads_shared *sh = th->sh;
	const struct replay_config *cfg = sh->cfg;
	/* This thread's share of the allocator's set-up (thread cache, arena
	 * choice) is not the trace's doing. */
	void *volatile warm = malloc(1);
	free(warm);
	if (cfg->pass == REPLAY_PASS_TIMING && cfg->syscall_ids)
		th->sc_ok = syscount_open(&th->sc, cfg->syscall_ids, th->note, sizeof th->note) == 0;
	atomic_fetch_add_explicit(&sh->ready, 1, memory_order_release);
	futex_wake_all(&sh->ready);
	wait_while(&sh->go, 0);

	th->start_ns = latency_now_ns();
	if (!atomic_load(&sh->stop)) {
		if (th->sc_ok)
			syscount_enable(&th->sc);
		if (cfg->pass == REPLAY_PASS_TIMING && !cfg->verify) {
			switch (cfg->touch) {
			case REPLAY_TOUCH_ALL:
				th->done = thread_loop_fast_all(th);
				break;
			case REPLAY_TOUCH_FIRST:
				th->done = thread_loop_fast_first(th);
				break;
			default:
				th->done = thread_loop_fast_none(th);
				break;
			}
		} else {
			th->done = thread_loop_careful(th);
		}
		if (th->sc_ok)
			syscount_disable(&th->sc);
	}
	th->end_ns = latency_now_ns();

	atomic_fetch_add_explicit(&sh->finished, 1, memory_order_release);
	futex_wake_all(&sh->finished);
	wait_while(&sh->leave, 0);
	if (th->sc_ok) {
		th->sc_read_ok = syscount_read(&th->sc, th->syscalls) == 0;
		syscount_close(&th->sc);
	}
	return NULL;
}

/* Sleeps until *counter reaches n. */
static void wait_for_count(_Atomic uint32_t *counter, uint32_t n)
{
	uint32_t v;
	while ((v = atomic_load_explicit(counter, memory_order_acquire)) < n)
		futex_wait(counter, v, NULL);
}

static void run_failed(struct replay_result *res, const char *what, size_t bytes)
{
	res->status = REPLAY_FAILED;
	snprintf(res->message, sizeof res->message, "cannot map %zu bytes for %s", bytes, what);
}

/* Latency: each thread gets its own stretch of one buffer per class, as
 * long as its own count of calls of that class. */
static int map_latency(struct replay_thread *threads, uint32_t n, struct replay_workspace *ws,
		       struct replay_result *res)
{
	uint64_t total[REPLAY_LAT_N] = {0};
	uint64_t cap[REPLAY_STREAMS_MAX_THREADS][REPLAY_LAT_N];
	for (uint32_t t = 0; t < n; t++) {
		cap[t][REPLAY_LAT_MALLOC] = cap[t][REPLAY_LAT_FREE] = 0;
		for (uint64_t i = 0; i < threads[t].n; i++) {
			unsigned op = threads[t].events[i].op & REPLAY_STREAM_OP_MASK;
			if (op == TRACE_OP_FREE)
				cap[t][REPLAY_LAT_FREE]++;
			else if (op != TRACE_OP_REALLOC)
				cap[t][REPLAY_LAT_MALLOC]++;
		}
		for (int c = 0; c < REPLAY_LAT_N; c++)
			total[c] += cap[t][c];
	}
	for (int c = 0; c < REPLAY_LAT_N; c++) {
		size_t bytes = total[c] * sizeof(uint32_t);
		uint32_t *buf = replay_map(bytes);
		if (!buf) {
			run_failed(res, "the latency samples", bytes);
			return -1;
		}
		ws->latency[c] = buf;
		ws->latency_cap[c] = total[c];
		for (uint32_t t = 0; t < n; t++) {
			threads[t].lat[c] = buf;
			buf += cap[t][c];
		}
	}
	return 0;
}

/* After the run: each class's samples packed at the buffer's start. */
static void pack_latency(struct replay_thread *threads, uint32_t n, struct replay_workspace *ws)
{
	for (int c = 0; c < REPLAY_LAT_N; c++) {
		uint64_t at = 0;
		for (uint32_t t = 0; t < n; t++) {
			memmove(ws->latency[c] + at, threads[t].lat[c], threads[t].lat_n[c] * sizeof(uint32_t));
			at += threads[t].lat_n[c];
		}
		ws->latency_n[c] = at;
	}
}

/* Per-thread figures into res and ws->thread_results. */
static void gather(struct replay_thread *threads, uint32_t n, struct replay_workspace *ws,
		   struct replay_result *res, bool counted)
{
	bool sc_valid = counted;
	memset(res->syscalls, 0, sizeof res->syscalls);
	for (uint32_t t = 0; t < n; t++) {
		struct replay_thread *th = &threads[t];
		struct replay_thread_result *r = &ws->thread_results[t];
		r->events = th->done;
		r->busy_ns = th->end_ns - th->start_ns;
		r->wait_ns = th->wait_ns;
		r->blocked_waits = th->blocked;
		res->events_done += th->done;
		res->wait_ns += th->wait_ns;
		res->alloc_ns += r->busy_ns > th->wait_ns ? r->busy_ns - th->wait_ns : 0;
		res->blocked_waits += th->blocked;
		if (counted && (!th->sc_ok || !th->sc_read_ok)) {
			if (sc_valid)
				snprintf(res->syscalls_note, sizeof res->syscalls_note, "thread %u: %s", t,
					 th->sc_ok ? "reading the perf counters failed" : th->note);
			sc_valid = false;
		}
		for (int c = 0; c < SYSCOUNT_N; c++)
			res->syscalls[c] += th->syscalls[c];
	}
	res->syscalls_valid = sc_valid;
	ws->n_thread_results = n;
}

void replay_threads_run(const struct replay_config *cfg, struct replay_workspace *ws,
			struct replay_result *res)
{
	const struct replay_streams_header *h = cfg->streams;
	const uint32_t n = h->n_threads;
	res->n_threads = n;

	/* Counting: each thread opens its own counters (perf counts per
	 * thread); the ptrace markers would count the main thread only. */
	struct replay_config main_cfg = *cfg;
	main_cfg.syscount = NULL;
	main_cfg.syscall_markers = false;
	const bool counted = cfg->pass == REPLAY_PASS_TIMING && cfg->syscall_ids;
	if (cfg->pass == REPLAY_PASS_TIMING && !counted && cfg->syscall_markers)
		snprintf(res->syscalls_note, sizeof res->syscalls_note,
			 "ptrace follows one thread; a threaded replay needs perf to count syscalls");

	static struct threads_shared sh;
	memset(&sh, 0, sizeof sh);
	sh.cfg = cfg;
	sh.ws = ws;
	sh.res = res;
	pthread_mutex_init(&sh.verify_lock, NULL);

	const size_t owner_bytes = (size_t)(cfg->n_slots ? cfg->n_slots : 1) * sizeof(uint32_t);
	struct replay_thread *threads = replay_map(n * sizeof *threads);
	char *stacks = replay_map((size_t)n * THREADS_STACK_BYTES);
	ws->thread_results = replay_map(n * sizeof *ws->thread_results);
	sh.owner = replay_map(owner_bytes);
	if (!threads || !stacks || !ws->thread_results || !sh.owner) {
		run_failed(res, "the replay threads", (size_t)n * THREADS_STACK_BYTES + owner_bytes);
		return;
	}
	for (uint32_t s = 0; s < (cfg->n_slots ? cfg->n_slots : 1); s++)
		atomic_init(&sh.owner[s], THREADS_NOBODY);
	const struct trace_event *ev = (const struct trace_event *)((const char *)h + h->events_offset);
	for (uint32_t t = 0; t < n; t++) {
		threads[t].sh = &sh;
		threads[t].me = t;
		threads[t].events = ev;
		threads[t].n = h->count[t];
		ev += h->count[t];
	}
	if (cfg->pass == REPLAY_PASS_LATENCY && map_latency(threads, n, ws, res) != 0)
		return;

	uint32_t started = 0;
	for (; started < n; started++) {
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setstack(&attr, stacks + (size_t)started * THREADS_STACK_BYTES, THREADS_STACK_BYTES);
		int rc = pthread_create(&threads[started].handle, &attr, thread_main, &threads[started]);
		pthread_attr_destroy(&attr);
		if (rc != 0) {
			res->status = REPLAY_FAILED;
			snprintf(res->message, sizeof res->message, "cannot start replay thread %u of %u: %s",
				 started, n, strerror(rc));
			atomic_store(&sh.stop, 1);
			break;
		}
	}
	wait_for_count(&sh.ready, started);

	struct replay_measure m;
	replay_measure_begin(&main_cfg, ws, res, &m);
	/* ---- measured region: the threads replay; this one sleeps ---- */
	atomic_store_explicit(&sh.go, 1, memory_order_release);
	futex_wake_all(&sh.go);
	wait_for_count(&sh.finished, started);
	uint64_t t1 = m.t0;
	for (uint32_t t = 0; t < started; t++)
		if (threads[t].end_ns > t1)
			t1 = threads[t].end_ns;
	/* ---- end of the measured region ---- */
	replay_measure_end(&main_cfg, ws, res, &m, t1);

	atomic_store_explicit(&sh.leave, 1, memory_order_release);
	futex_wake_all(&sh.leave);
	for (uint32_t t = 0; t < started; t++)
		pthread_join(threads[t].handle, NULL);
	if (started < n)
		return;
	gather(threads, n, ws, res, counted);
	if (cfg->pass == REPLAY_PASS_LATENCY && res->status == REPLAY_OK) {
		pack_latency(threads, n, ws);
		replay_latency_summarise(ws, res);
	}
}
