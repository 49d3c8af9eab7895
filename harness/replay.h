/*
 * replay.h: the replay engine, run inside a fresh replay child, and the
 * fixed-size result it sends back to the parent.
 *
 * One replay child runs one pass of one trace against the one allocator
 * preloaded into it:
 *   timing   the measured replay: elapsed time, heap RSS (peak and final),
 *            syscall counts, minor faults.  Nothing but the allocator calls
 *            and the --touch writes happens between the clock reads.
 *   series   live bytes, heap RSS and the allocator's mapped bytes every K
 *            events, plus heap RSS right after the event where live bytes
 *            peak: gives frag_at_peak_live and frag_mean.
 *   latency  each allocator call bracketed by clock reads.
 * Passes are separate children so that sampling or timing one call never
 * distorts another pass's figures (docs/metrics.md).
 *
 * All memory the engine needs during a replay is mapped and pre-faulted by
 * replay_workspace_init, before the measured region; replay_run calls no
 * malloc and no stdio between its clock reads.
 */
#ifndef FRAGLAB_REPLAY_H
#define FRAGLAB_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replay_ranges.h"
#include "replay_streams.h"
#include "syscount.h"
#include "trace.h"

enum replay_status {
	REPLAY_OK,
	REPLAY_FAILED,         /* --verify found a broken block, or the child failed */
	REPLAY_PRELOAD_FAILED, /* the allocator under test does not serve malloc */
	REPLAY_OOM,            /* an allocation returned NULL */
	REPLAY_CRASHED,        /* the child died of a signal */
	REPLAY_TIMEOUT,        /* the child ran past --timeout and was killed */
	REPLAY_STATUS_N
};
const char *replay_status_name(enum replay_status status);

enum replay_touch {
	REPLAY_TOUCH_ALL,   /* memset every byte of every new block */
	REPLAY_TOUCH_FIRST, /* one byte in each page a new block spans */
	REPLAY_TOUCH_NONE,  /* never write the blocks */
};
int replay_touch_parse(const char *name); /* -1 if unknown */
const char *replay_touch_name(enum replay_touch touch);

enum replay_pass { REPLAY_PASS_TIMING, REPLAY_PASS_SERIES, REPLAY_PASS_LATENCY };
int replay_pass_parse(const char *name);
const char *replay_pass_name(enum replay_pass pass);

struct replay_config {
	const struct trace_event *events;
	uint64_t n_events;
	uint32_t n_slots;
	enum replay_pass pass;
	enum replay_touch touch;
	bool verify;
	/* series: heap RSS is also read right after this event (the first
	 * at which live bytes reach their peak); UINT64_MAX for none. */
	uint64_t peak_live_event;
	/* series: the allocator's own mapped-bytes probe (series.h), or NULL */
	int64_t (*mapped_bytes)(void);
	struct syscount *syscount; /* timing: counters to enable, or NULL */
	/* Issue syscount_marker calls around the measured region, for a
	 * parent counting syscalls with ptrace (syscount_ptrace.h). */
	bool syscall_markers;
	const char *allocator;     /* for messages */
	/* Threaded replay (replay_threads.h): one real thread per recorded
	 * thread, each replaying its own stream; NULL replays events in
	 * global order on one thread.  Timing and latency passes only. */
	const struct replay_streams_header *streams;
	/* timing, threaded: tracepoint ids for each thread's own counters */
	const uint64_t *syscall_ids;
};

/* One --series point, after `event` events. */
struct replay_sample {
	uint64_t event;
	uint64_t live_bytes;
	int64_t heap_rss_bytes;
	int64_t mapped_bytes; /* -1: the allocator reports none */
};

enum { REPLAY_LAT_MALLOC, REPLAY_LAT_FREE, REPLAY_LAT_N };
enum { REPLAY_PCT_P50, REPLAY_PCT_P99, REPLAY_PCT_P999, REPLAY_PCT_MAX, REPLAY_PCT_N };

#define REPLAY_RESULT_MAGIC 0x66726c72u /* "frlr" */

/* What a child sends back over its pipe: this struct, then n_samples
 * struct replay_sample.  Plain data only, so a write(2) carries it. */
struct replay_result {
	uint32_t magic;
	int32_t status; /* enum replay_status */
	char message[512];
	uint64_t events_done;
	/* timing */
	uint64_t elapsed_ns;
	int64_t rss_baseline_bytes;
	int64_t peak_rss_bytes;  /* VmHWM at the end less the baseline; -1 unknown */
	int64_t final_rss_bytes; /* RSS at the end less the baseline */
	int32_t syscalls_valid;
	char syscalls_note[256]; /* why the counts are missing */
	uint64_t syscalls[SYSCOUNT_N];
	uint64_t minor_faults;
	/* series */
	uint64_t peak_live_bytes;
	int64_t rss_at_peak_live; /* -1 if never sampled */
	double frag_mean;         /* < 0 if no sample had live bytes */
	uint32_t n_samples;
	/* latency */
	int32_t latency_valid;
	uint64_t latency_count[REPLAY_LAT_N];
	uint64_t latency_ns[REPLAY_LAT_N][REPLAY_PCT_N];
	uint64_t timer_overhead_ns;
	/* threaded replay (1 for a replay in global order) */
	uint32_t n_threads;
	uint64_t wait_ns;       /* summed over threads: blocked on cross-thread dependencies */
	uint64_t alloc_ns;      /* summed over threads: replaying, waits excluded */
	uint64_t blocked_waits; /* dependencies that were not yet met when reached */
	uint32_t n_thread_results; /* struct replay_thread_result sent after the samples */
	/* threaded replay that failed (oom, verify): the replay thread and the
	 * index of the event within its stream; fail_thread -1 otherwise */
	int32_t fail_thread;
	uint64_t fail_thread_event;
};

/* One replay thread's figures, sent after the samples (n_threads of them
 * for a threaded replay, none otherwise). */
struct replay_thread_result {
	uint64_t events;        /* events this thread replayed */
	uint64_t busy_ns;       /* its own start to its own end */
	uint64_t wait_ns;       /* of which blocked on other threads */
	uint64_t blocked_waits;
};

/* The engine's memory: every array is an anonymous mapping, pre-faulted. */
struct replay_workspace {
	void **slots;          /* live pointer per slot */
	uint64_t *sizes;       /* requested size per slot (series, latency, verify) */
	uint32_t *generation;  /* verify: allocations seen per slot */
	struct replay_ranges ranges;     /* verify: live blocks by address */
	struct replay_sample *samples;   /* series */
	uint64_t max_samples, n_samples, sample_every;
	uint32_t *latency[REPLAY_LAT_N]; /* latency: ns per call, by class */
	uint64_t latency_cap[REPLAY_LAT_N], latency_n[REPLAY_LAT_N];
	int statm_fd;
	/* threaded replay: per-thread figures, sent after the samples */
	struct replay_thread_result *thread_results;
	uint32_t n_thread_results;
	/* every mapping above, for replay_workspace_fini */
	struct { void *p; size_t len; } maps[8];
	int n_maps;
	size_t mapped_total; /* bytes of all of them */
};

int replay_workspace_init(struct replay_workspace *ws, const struct replay_config *cfg,
			  char *err, size_t errlen);
void replay_workspace_fini(struct replay_workspace *ws);

/* Runs the pass described by cfg and fills *res (status, message and the
 * pass's figures).  The caller has already checked the preload. */
void replay_run(const struct replay_config *cfg, struct replay_workspace *ws,
		struct replay_result *res);

/* The measurement around a replay's measured region, shared by the
 * single-threaded and threaded engines.  begin: warm-up done by the
 * caller; pre-faults code, resets the RSS peak, reads the baseline and the
 * fault count, enables the counters, reads the clock.  end: given the
 * clock at the region's end, fills res's elapsed time, RSS, faults and
 * syscall counts. */
struct replay_measure {
	int statm;
	int peak_ok;
	uint64_t faults0, t0;
};
void replay_measure_begin(const struct replay_config *cfg, const struct replay_workspace *ws,
			  struct replay_result *res, struct replay_measure *m);
void replay_measure_end(const struct replay_config *cfg, const struct replay_workspace *ws,
			struct replay_result *res, struct replay_measure *m, uint64_t t1);

/* Sorts the latency samples in ws and fills res's percentiles. */
void replay_latency_summarise(struct replay_workspace *ws, struct replay_result *res);

/* Maps len bytes of anonymous memory, pre-faulted; NULL on failure. */
void *replay_map(size_t len);
void replay_unmap(void *p, size_t len);

#endif
