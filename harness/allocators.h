/*
 * allocators.h: the allocators fraglab replays against, by name.
 *
 *   glibc               the C library's own malloc (nothing preloaded)
 *   flmalloc            libflmalloc.so next to the fraglab binary
 *   flmalloc:POLICY     the same with FLMALLOC_POLICY=POLICY
 *   jemalloc, mimalloc, tcmalloc
 *                       the Debian packages' shared libraries
 *   any path to a .so   that library, preloaded
 *
 * Every allocator but glibc is loaded the same way, with LD_PRELOAD in a
 * fresh replay child.  Resolution happens in the parent before any run, so
 * a missing library is an error up front, never a silent run on glibc; the
 * child then proves that the library really serves malloc
 * (allocators_check_served).
 */
#ifndef FRAGLAB_ALLOCATORS_H
#define FRAGLAB_ALLOCATORS_H

#include <limits.h>
#include <stddef.h>

enum allocator_kind {
	ALLOCATOR_GLIBC,
	ALLOCATOR_FLMALLOC,
	ALLOCATOR_JEMALLOC,
	ALLOCATOR_MIMALLOC,
	ALLOCATOR_TCMALLOC,
	ALLOCATOR_PATH, /* a .so given by path */
};

struct allocator {
	char label[256];        /* as the user named it; the CSV's allocator column */
	enum allocator_kind kind;
	char so_path[PATH_MAX]; /* absolute path to preload; "" for glibc */
	char policy[32];        /* FLMALLOC_POLICY for flmalloc:POLICY, else "" */
};

/* Resolves NAME (see above).  self_dir is the directory holding the fraglab
 * binary (where libflmalloc.so lives).  Returns 0, or -1 with a one-line
 * reason in err. */
int allocators_resolve(const char *name, const char *self_dir, struct allocator *out,
		       char *err, size_t errlen);

/* Parses a kind's name as allocators_kind_name prints it; -1 if unknown. */
int allocators_kind_parse(const char *name);
const char *allocators_kind_name(enum allocator_kind kind);

/* In the replay child: checks that malloc, calloc, realloc, memalign and
 * free all resolve into so_path (or, for glibc, into the C library), that
 * the allocator's own signature symbol is there and, for flmalloc with
 * FLMALLOC_POLICY set, that flmalloc_stats reports that policy.  Returns 0, or -1 with the
 * reason in msg.  Calls no malloc. */
int allocators_check_served(enum allocator_kind kind, const char *so_path, char *msg,
			    size_t msglen);

#endif
