/*
 * flmalloc.h: the public API of libflmalloc, fraglab's free-list allocator.
 *
 * The core exports only these prefixed names, so a program (or a test) can
 * link it beside the C library's malloc.  build/libflmalloc.so adds the
 * standard names (malloc, free, ...) on top of them for LD_PRELOAD.
 *
 * Semantics follow glibc's: 16-byte alignment, malloc(0) returns a unique
 * pointer, failures return NULL with errno ENOMEM (EINVAL for bad
 * alignments), free(NULL) does nothing and free never changes errno.
 *
 * Start-up settings, read once from the environment without allocating:
 *   FLMALLOC_POLICY  addr | lifo | best | seg (default seg)
 *   FLMALLOC_BIG     bytes; requests at or above get their own mapping
 *   FLMALLOC_KEEP    bytes of free whole pages kept before returning to the OS
 *   FLMALLOC_TCACHE  blocks per size kept in each thread's cache (seg; sizes
 *                    up to 512 bytes: 65535 while single-threaded; 0: none)
 */
#ifndef FLMALLOC_H
#define FLMALLOC_H

#include <stddef.h>
#include <stdint.h>

#define FLMALLOC_API __attribute__((visibility("default")))

FLMALLOC_API void *flmalloc_malloc(size_t size);
FLMALLOC_API void flmalloc_free(void *ptr);
FLMALLOC_API void *flmalloc_calloc(size_t nmemb, size_t size);
FLMALLOC_API void *flmalloc_realloc(void *ptr, size_t size);
FLMALLOC_API void *flmalloc_reallocarray(void *ptr, size_t nmemb, size_t size);
FLMALLOC_API int flmalloc_posix_memalign(void **memptr, size_t alignment, size_t size);
FLMALLOC_API void *flmalloc_aligned_alloc(size_t alignment, size_t size);
FLMALLOC_API void *flmalloc_memalign(size_t alignment, size_t size);
FLMALLOC_API void *flmalloc_valloc(size_t size);
FLMALLOC_API void *flmalloc_pvalloc(size_t size);
FLMALLOC_API size_t flmalloc_usable_size(void *ptr);
/* Return free memory to the OS beyond `pad` bytes; 1 if any was released. */
FLMALLOC_API int flmalloc_trim(size_t pad);

/* A snapshot of the allocator's state; all byte counts exclude nothing:
 * bytes_mapped = every byte the allocator holds from mmap (regions and big
 * blocks), bytes_in_use = sum of block sizes handed out (headers included),
 * bytes_free = sum of free-list block sizes (purged pages included). */
struct flmalloc_stats {
	uint64_t bytes_mapped;
	uint64_t bytes_in_use;
	uint64_t bytes_free;
	uint64_t bytes_purged;   /* free bytes known not resident: given back with
	                          * madvise, or never touched since mmap */
	uint64_t regions;        /* heap regions currently mapped */
	uint64_t big_blocks;     /* live blocks with a mapping of their own */
	uint64_t mmap_calls;
	uint64_t munmap_calls;
	uint64_t mremap_calls;
	uint64_t madvise_calls;
	const char *policy;      /* "addr", "lifo", "best" or "seg" */
	uint64_t bytes_cached;   /* block bytes held by per-thread caches: freed
	                          * by the program, not yet given back to the heap
	                          * (in neither bytes_in_use nor bytes_free; seg
	                          * only, FLMALLOC_TCACHE) */
};

/* Fills *out; safe to call at any time, from any thread. */
FLMALLOC_API void flmalloc_stats(struct flmalloc_stats *out);

/* Walks the whole heap and checks every invariant (headers, boundary tags,
 * list order and membership, coalescing, accounting).  Returns 0 when the
 * heap is consistent, otherwise writes one line naming the first broken
 * invariant to stderr (with write(2)) and returns -1.  For tests. */
FLMALLOC_API int flmalloc_check_heap(void);

#endif
