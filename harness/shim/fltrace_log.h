/*
 * fltrace_log.h: the binary log the recording shim (libfltrace.so) writes
 * and `fraglab record` converts to JSONL.  Shared by both sides; plain C,
 * no dependencies.
 *
 * One file per process image: FLTRACE_DIR/PID.N.log, N counting the images
 * a pid has had (exec keeps the pid).  Layout:
 *   [0, FLTRACE_HEADER_BYTES)        struct fltrace_header
 *   then chunk k (k = 0, 1, ...) at FLTRACE_HEADER_BYTES + k * FLTRACE_CHUNK_BYTES,
 *   each FLTRACE_CHUNK_RECORDS records of struct fltrace_record.
 * Record i (i counts from 0 across chunks) is the i-th sequence number the
 * process handed out: the sequence is a global atomic counter, so file
 * order is sequence order and no sort is needed.  A record is complete
 * when its commit field equals i + 1 (stored last, with release order);
 * anything else is a record whose writer died before finishing it.
 */
#ifndef FLTRACE_LOG_H
#define FLTRACE_LOG_H

#include <stdint.h>

#define FLTRACE_MAGIC "FLTRACE1"
#define FLTRACE_VERSION 1
#define FLTRACE_HEADER_BYTES 8192
#define FLTRACE_CHUNK_RECORDS (1u << 20)
#define FLTRACE_MAX_CHUNKS 4096 /* 4 Gi records per process */

/* Environment the shim reads. */
#define FLTRACE_ENV_DIR "FLTRACE_DIR"           /* where to put the logs; unset: record nothing */
#define FLTRACE_ENV_ONLY_PID "FLTRACE_ONLY_PID" /* record only this pid (--first-only) */

enum fltrace_op {
	FLTRACE_MALLOC = 1,      /* addr = result, size */
	FLTRACE_CALLOC = 2,      /* addr = result, aux = nmemb, size = element size */
	FLTRACE_MEMALIGN = 3,    /* addr = result, aux = alignment, size */
	FLTRACE_FREE = 4,        /* addr = block; logged before the real free */
	FLTRACE_REALLOC_OUT = 5, /* addr = old block; logged before the real realloc */
	FLTRACE_REALLOC_IN = 6,  /* addr = result (0: failed), aux = old block, size;
				    logged after; pairs with the same thread's _OUT */
	FLTRACE_THREAD_EXIT = 7, /* the thread is exiting (a thread-specific data
				    destructor): its trace tid may be given to a
				    later thread */
};

struct fltrace_record {
	uint64_t commit; /* sequence number + 1 once the record is complete */
	uint64_t addr;
	uint64_t aux;
	uint64_t size;
	uint32_t tid;    /* kernel thread id */
	uint8_t op;      /* enum fltrace_op */
	uint8_t pad[3];
};
_Static_assert(sizeof(struct fltrace_record) == 40, "log records are 40 bytes");

#define FLTRACE_CHUNK_BYTES ((uint64_t)FLTRACE_CHUNK_RECORDS * sizeof(struct fltrace_record))
_Static_assert(FLTRACE_CHUNK_BYTES % 4096 == 0, "chunks stay page-aligned in the file");

struct fltrace_header {
	char magic[8];          /* FLTRACE_MAGIC */
	uint32_t version;
	uint32_t record_size;
	int32_t pid;
	int32_t ppid;
	uint32_t image;         /* N of PID.N.log */
	uint32_t cmdline_len;   /* bytes of cmdline used, NUL-separated arguments */
	uint64_t lost;          /* records dropped because the log could not grow */
	char exe[1024];         /* /proc/self/exe, NUL-terminated */
	char cmdline[4096];     /* /proc/self/cmdline, truncated */
	/* A fork child's heap starts as a copy of its parent's: the parent's
	 * log (a file name in the same directory) and how many of its records
	 * were numbered before the fork, so the converter can rebuild the
	 * blocks the child inherited.  Empty for a process that began with an
	 * exec (its heap starts empty). */
	char parent_log[256];
	uint64_t parent_seq;
};
_Static_assert(sizeof(struct fltrace_header) <= FLTRACE_HEADER_BYTES, "header fits its page");

#endif
