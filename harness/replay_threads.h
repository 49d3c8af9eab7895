/*
 * replay_threads.h: the threaded replay engine (`--threads recorded`), run
 * inside a replay child for the timing and latency passes of a trace whose
 * events carry more than one thread.
 *
 * One real thread per recorded thread replays that thread's stream
 * (replay_streams.h) in its own order.  A stream event marked
 * REPLAY_STREAM_WAIT first waits until the slot's owner word names this
 * thread (acquire); one marked REPLAY_STREAM_HANDOFF stores the next
 * thread's number there afterwards (release).  Nothing else orders the
 * threads.  A waiter spins briefly, then sleeps on the word with a futex;
 * the time from its first failed check to the slot being handed over is
 * its wait time, reported apart and excluded from its replay time.
 *
 * Before the clock starts every thread exists, has its pre-faulted stack
 * (mapped here, MAP_POPULATE, handed to pthread_create), has called
 * malloc(1)/free once (the allocator's per-thread set-up), has opened its
 * own syscall counters, and sleeps at the start gate; the clock starts
 * when the gate opens and stops when the last thread ends.  Threads stay
 * alive at an exit gate until RSS and faults are read, so thread exit
 * (and the allocator's thread-exit work) is outside the measurement.
 */
#ifndef FRAGLAB_REPLAY_THREADS_H
#define FRAGLAB_REPLAY_THREADS_H

#include "replay.h"

/* Runs cfg (cfg->streams set; timing or latency pass) and fills res,
 * including res->n_threads and ws->thread_results.  The mappings it makes
 * live until the child exits. */
void replay_threads_run(const struct replay_config *cfg, struct replay_workspace *ws,
			struct replay_result *res);

#endif
