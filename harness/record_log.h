/*
 * record_log.h: converts one binary log written by the recording shim
 * (harness/shim/fltrace_log.h) into a v1 JSONL trace.
 *
 * Addresses become ids: an id is taken at allocation (the most recently
 * freed id first) and released at free; realloc keeps its id and rebinds
 * it to the new address; kernel thread ids become dense tids in order of
 * first appearance (the main thread is 0), and the tid of a thread that
 * exited goes to the next new thread.  Records come in sequence
 * order already (a record's index is its sequence number).
 *
 * A fork child's log names its parent's log and the parent's sequence
 * number at the fork: the parent's records before it are replayed silently
 * (recursively, for a child of a child) to learn which blocks the child
 * inherited, and the child's trace begins with one malloc per inherited
 * block (tid 0, marked "inherited":true), so its frees of them are events
 * like any other and replaying the trace rebuilds the child's real heap.
 */
#ifndef FRAGLAB_RECORD_LOG_H
#define FRAGLAB_RECORD_LOG_H

#include <stdint.h>

struct record_log_info {
	int pid;
	int ppid;
	unsigned image;       /* 0 for the first image of pid, 1 after one exec, ... */
	char exe[1024];
	char command[512];    /* the command line, arguments joined by spaces, truncated */
};

struct record_log_stats {
	uint64_t records;         /* complete records read */
	uint64_t events;          /* trace events written */
	uint64_t torn;            /* records whose writer died mid-record */
	uint64_t lost;            /* records the shim could not store */
	uint64_t unknown_frees;   /* frees of addresses never seen allocated */
	uint64_t implicit_frees;  /* allocations at a still-bound address */
	uint64_t threads;
	uint64_t inherited;       /* blocks a fork child started with, written first */
};

/* Reads the log's header.  Returns 0, or -1 after printing why. */
int record_log_info(const char *log_path, struct record_log_info *info);

/* Writes the trace for LOG_PATH to OUT_PATH (temporary file, then
 * rename).  Returns 0; 1 when the log holds no event (nothing is written:
 * the format refuses empty traces); -1 after printing why it failed. */
int record_log_convert(const char *log_path, const char *out_path, struct record_log_stats *st);

#endif
