/*
 * trace_cache.h: the on-disk cache of compiled traces (docs/trace-format.md,
 * "The compile cache").
 *
 * A cache file is a 4096-byte header followed by the 16-byte events, so the
 * events are page-aligned and used in place from a read-only mapping.
 * Files are written under a temporary name and renamed into place, so a
 * reader sees either no file or a whole one; every open re-verifies the
 * header and an events checksum, so a damaged file is rebuilt, never used.
 */
#ifndef FRAGLAB_TRACE_CACHE_H
#define FRAGLAB_TRACE_CACHE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trace.h"
#include "trace_hash.h"

/* Bump whenever the compiled form or the compiler's results change: it is
 * part of every key, so old cache files are simply never found again.
 * 2: a thread with no free slot of its own takes another thread's.
 * Room for later sections (issue 8's per-thread streams) is the unused
 * part of the header page; a new section means a new version. */
#define TRACE_CACHE_VERSION 2
#define TRACE_CACHE_HEADER_SIZE 4096
#define TRACE_CACHE_MAGIC "FLTRACE"   /* 8 bytes with its NUL */
#define TRACE_CACHE_SUFFIX ".ftc"

struct trace_cache_header {
	char magic[8];
	uint32_t version;             /* TRACE_CACHE_VERSION */
	uint32_t header_size;         /* TRACE_CACHE_HEADER_SIZE */
	uint32_t event_size;          /* sizeof(struct trace_event) */
	uint32_t summary_size;        /* sizeof(struct trace_summary) */
	uint64_t key;                 /* trace_cache_key of the source trace */
	uint64_t source_size;         /* bytes of the source trace file */
	uint64_t n_events;
	uint64_t events_hash;         /* trace_hash_bytes of the events array */
	uint32_t n_slots;
	uint32_t name_from_path;      /* 1: no "name" in the trace; derive from path */
	struct trace_summary summary;
	char name[256];
	uint64_t header_hash;         /* trace_hash_bytes of every byte before it */
};
_Static_assert(sizeof(struct trace_cache_header) <= TRACE_CACHE_HEADER_SIZE,
	       "cache header fits its page");

/* The cache directory (created if missing) into dir[PATH_MAX].  Returns 0,
 * or -1 with a reason in err. */
int trace_cache_dir(char *dir, char *err, size_t err_len);

/* Hashes the trace file's bytes, and the form it is read as (an enum
 * trace_form), into its cache key; also returns its size.  Returns 0, or
 * -1 with a reason in err. */
int trace_cache_key(const char *path, int form, uint64_t *key, uint64_t *size, char *err, size_t err_len);

/* Maps the cache file open on fd read-only and verifies it against key and
 * source_size; on success fills t's events, n_events, n_slots, summary,
 * name, key, map and map_len and returns 0.  Returns -1 with a reason in
 * err if the file is not a whole, matching cache file. */
int trace_cache_map(int fd, uint64_t key, uint64_t source_size, struct trace *t,
		    int *name_from_path, char *err, size_t err_len);

/* Writes a cache file incrementally: header space first, events as they
 * are compiled, the header last. */
struct trace_cache_writer {
	int fd;
	char tmp_path[PATH_MAX];      /* "" when the file is already unlinked */
	struct trace_hash events_hash;
	uint64_t n_events;
	size_t n_buffered;
	struct trace_event buf[4096];
};

/* Creates the temporary file in dir, named after key.  unlinked != 0
 * unlinks it at once (used when the cache directory is unusable and the
 * compiled trace lives only as long as its mapping).  Returns 0, or -1
 * with a reason in err. */
int trace_cache_writer_open(struct trace_cache_writer *w, const char *dir, uint64_t key,
			    int unlinked, char *err, size_t err_len);

/* trace_emit_fn: appends one event.  Prints its own error. */
int trace_cache_writer_add(void *writer, const struct trace_event *event);

/* Writes the header.  final_path != NULL: renames the file there (atomic
 * publish).  The file stays open on w->fd for mapping.  Returns 0, or -1
 * with a reason in err (the temporary file is then removed). */
int trace_cache_writer_finish(struct trace_cache_writer *w, uint64_t key, uint64_t source_size,
			      const struct trace_summary *summary, const char *name,
			      int name_from_path, const char *final_path, char *err, size_t err_len);

/* Closes w->fd and removes the temporary file if it still has a name. */
void trace_cache_writer_discard(struct trace_cache_writer *w);

/* Removes temporary files in dir left by compiles that were killed (their
 * modification time is older than max_age_seconds; a live compile keeps
 * writing, so its file stays fresh). */
void trace_cache_sweep_stale(const char *dir, long max_age_seconds);

#endif
