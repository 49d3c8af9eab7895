/*
 * replay_child.h: how the parent starts a replay child and what it gets back.
 *
 * The child is its own executable, fraglab-child, next to the fraglab
 * binary.  It is never built with sanitizers: ASan owns malloc in its
 * process and would refuse (or hide) the preloaded allocator under test.
 * The parent passes the compiled events as an inherited, sealed memfd, so the
 * child parses nothing and allocates nothing before the replay, and reads
 * back one struct replay_result (then the series samples) from a pipe.
 */
#ifndef FRAGLAB_REPLAY_CHILD_H
#define FRAGLAB_REPLAY_CHILD_H

#include <stdbool.h>
#include <stdint.h>

#include "allocators.h"
#include "replay.h"
#include "syscount.h"

#define REPLAY_CHILD_NAME "fraglab-child"

struct replay_job {
	const char *child_path;          /* .../fraglab-child */
	const struct allocator *allocator;
	int events_fd;                   /* memfd holding n_events trace_events */
	int streams_fd;                  /* memfd of per-thread streams (replay_streams.h), or -1 */
	uint64_t n_events;
	uint32_t n_slots;
	enum replay_pass pass;
	enum replay_touch touch;
	bool verify;
	uint64_t peak_live_event;
	const uint64_t *syscall_ids;     /* SYSCOUNT_N ids, or NULL: do not count */
	bool ptrace_syscalls;            /* count with ptrace instead (syscount_ptrace.h) */
	unsigned timeout_s;              /* 0: none */
};

/* What became of one child. */
struct replay_outcome {
	struct replay_result result;    /* status and message always set */
	int signal;                     /* status crashed: the signal */
	struct replay_sample *samples;  /* result.n_samples of them (malloc'd), or NULL */
	struct replay_thread_result *threads; /* result.n_thread_results (malloc'd), or NULL */
};

/* Runs one pass in a fresh child and waits for it.  Returns 0 when the
 * outcome is filled in (whatever its status), -1 if no child could be
 * started (message in outcome->result.message). */
int replay_child_run(const struct replay_job *job, struct replay_outcome *outcome);
void replay_outcome_free(struct replay_outcome *outcome);

/* Kills the child replay_child_run is waiting for, if any, with SIGKILL.
 * Async-signal-safe: for the parent's SIGINT/SIGTERM handler. */
void replay_child_kill_current(void);

/* "ok", "oom", ..., "crashed:SIGSEGV" into buf. */
const char *replay_outcome_status(const struct replay_outcome *o, char *buf, size_t len);

#endif
