/*
 * internal.h: libflmalloc's shared internals (prefix fl_).  Everything
 * declared here is hidden from the shared object's symbol table.
 *
 * ---------------------------------------------------------------- blocks
 * The heap is a list of regions (one mmap each).  A region is carved into
 * blocks that tile it exactly, dlmalloc-style:
 *
 *   block at B (B is 16-byte aligned, size S is a multiple of 16, S >= 32)
 *
 *   B+0   prev_size  footer of the block to the LEFT; meaningful only when
 *                    FL_PREV_INUSE is clear in this block's head.  While the
 *                    left block is in use these 8 bytes are part of ITS
 *                    payload (that is why a block's overhead is 8, not 16).
 *   B+8   head       FL_MAGIC << 48 | S | flags (low 4 bits)
 *   B+16  payload    the user pointer; 16-byte aligned.  Usable bytes of an
 *                    in-use block: S - 8 (up to and including the next
 *                    block's prev_size word).
 *         next, prev only while free: the block's free-list cells.
 *   B+S   the next block; while this block is free, its prev_size = S.
 *
 * Invariants (checked by flmalloc_check_heap):
 *   - blocks tile [region first block, region sentinel) with no gap;
 *   - a block's FL_PREV_INUSE bit equals the left block's FL_INUSE bit;
 *   - no two free blocks are adjacent (coalescing is immediate);
 *   - a free block's footer equals its size, and it is on exactly one
 *     policy list; an in-use block is on none;
 *   - a region ends with a 32-byte sentinel: a block of size 0 marked in
 *     use, so coalescing to the right stops there, whose third word points
 *     back to the region (so a free block reaching the sentinel can tell
 *     whether it spans its whole region).
 *
 * Page residency of free blocks (FLMALLOC_KEEP): a free block's "page
 * span" is the whole pages in [B+48, B+S); nothing of ours lives there, so
 * they may be purged (madvise) at will.  A block with a non-empty span keeps
 * two more cells, at B+32 and B+40 (below the span, never purged): the
 * bounds [lo, hi) of the part of its span known not to be resident (purged,
 * or never touched since mmap); lo == hi when none is.  The rest of the span
 * counts as resident free pages: the quantity FLMALLOC_KEEP bounds.
 *
 * A block held by a thread cache (tcache.c) is in use from the heap's point
 * of view (INUSE set, on no policy list, never coalesced): its next cell
 * links it into its cache's bin and its prev cell holds fl_tcache_mark, the
 * hint that lets free() find a second free of a cached block.  The cache
 * never writes a head: heads belong to the heap and its lock.
 *
 * A block with FL_BIG set is not in a region: it is the only block of its
 * own mapping, its prev_size word holds the offset of B from the start of
 * the mapping (non-zero only for large alignments), and its size is the
 * mapping's length.
 *
 * The magic in the top 16 bits lets free() reject pointers it never
 * returned; a block absorbed by coalescing has its head overwritten with
 * FL_HEAD_ABSORBED, so freeing it again is reported as a double free.
 */
#ifndef FL_INTERNAL_H
#define FL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/single_threaded.h>

#include "flmalloc.h"

#pragma GCC visibility push(hidden)

#define FL_ALIGN ((size_t)16)
#define FL_MIN_BLOCK ((size_t)32)     /* head + next + prev + footer */
#define FL_BLOCK_OVERHEAD ((size_t)8) /* the head word */
#define FL_MAGIC ((uint64_t)0xf1a7)
#define FL_MAGIC_SHIFT 48
#define FL_SIZE_MASK ((((uint64_t)1) << 47) - 1 - 15)
#define FL_CHECK_MARK (((uint64_t)1) << 47) /* used only by check.c */

#define FL_INUSE ((uint64_t)1)
#define FL_PREV_INUSE ((uint64_t)2)
#define FL_BIG ((uint64_t)4)
#define FL_FLAGS ((uint64_t)15)

#define FL_HEAD_ABSORBED (FL_MAGIC << FL_MAGIC_SHIFT)

/* Regions: the first block starts FL_REGION_HEAD bytes in, the sentinel
 * takes the last FL_REGION_TAIL. */
#define FL_REGION_HEAD ((size_t)32)
#define FL_REGION_TAIL ((size_t)32)
/* Requests (and alignments) at or above this fail with ENOMEM before any
 * arithmetic: no x86-64 or arm64 user address space (47 or 48 bits) could
 * hold them, and the bound keeps size + alignment + padding sums far from
 * overflow and inside the head word's 47 size bits. */
#define FL_REQUEST_MAX (((size_t)1) << 45)

/* Region sizes: half the heap mapped so far, within [MIN, MAX], and at
 * least what one request needs.
 *
 * seg: a region costs address space, not memory: only the pages a block
 * has touched are resident, and fresh ones count as purged.  seg's regions
 * are large so that the heap is few pieces: free space in different regions
 * cannot coalesce.  With 1 MiB minimum regions traces/gen-big spread 44 MiB
 * live over 8 regions (94 MiB mapped) and traces/gen-realloc-growth peaked
 * at 5.5 MiB RSS, against 3.05-3.35 MiB in one 64 MiB region
 * (docs/allocator.md).  grow() falls back to the smallest region a request
 * needs when the address space refuses 64 MiB (RLIMIT_AS).
 *
 * The classic policies keep the small regions they were measured with:
 * LIFO first fit hands out the newest free block first, and a region's
 * untouched tail becomes the newest whenever a block next to it is freed,
 * so in a 64 MiB region it spread over fresh pages (gen-binary peak RSS
 * 0.99 -> 4.99 MiB, gen-peak 1.99 -> 5.02 MiB). */
#define FL_REGION_MIN_SEG ((size_t)64 << 20)
#define FL_REGION_MAX_SEG ((size_t)1 << 30)
#define FL_REGION_MIN ((size_t)1 << 20)  /* addr, lifo, best */
#define FL_REGION_MAX ((size_t)64 << 20) /* addr, lifo, best */

/* Automatic trimming purges only free blocks holding at least this many
 * resident bytes of whole pages: one madvise per 16 pages or more.  Smaller
 * holes are left to be reused (or to flmalloc_trim). */
#define FL_PURGE_MIN_SPAN ((size_t)64 << 10)

#define FL_BIG_DEFAULT ((size_t)256 << 10)
/* The dynamic cutoff (big.c) rises no higher than this. */
#define FL_BIG_DYNAMIC_MAX ((size_t)32 << 20)
#define FL_KEEP_DEFAULT ((size_t)16 << 20)

_Static_assert(FL_MIN_BLOCK % FL_ALIGN == 0, "block sizes stay multiples of 16");
_Static_assert(FL_REGION_HEAD % FL_ALIGN == 0, "first block is 16-aligned");
_Static_assert(FL_BIG_DEFAULT <= FL_REGION_MIN / 4,
	       "a region holds at least four blocks just under the big cutoff");
_Static_assert(FL_REGION_MIN <= FL_REGION_MAX && FL_REGION_MIN_SEG <= FL_REGION_MAX_SEG,
	       "region growth bounds");
_Static_assert(FL_BIG_DYNAMIC_MAX <= FL_REGION_MIN_SEG / 2,
	       "a seg region holds at least two blocks just under the highest dynamic cutoff");
_Static_assert(2 * FL_REQUEST_MAX + ((size_t)1 << 20) <= FL_SIZE_MASK,
	       "a mapping for any request plus any alignment fits the head word");

struct fl_block {
	uint64_t prev_size;
	uint64_t head;
	struct fl_block *next; /* free blocks only */
	struct fl_block *prev; /* free blocks only */
};
_Static_assert(sizeof(struct fl_block) == FL_MIN_BLOCK, "cells fit the smallest block");
_Static_assert(FL_REGION_TAIL == sizeof(struct fl_block), "sentinel: prev_size, head, region");

/* The purged-range cells of a free block with a non-empty page span. */
struct fl_purged {
	uintptr_t lo, hi;
};
#define FL_PURGED_CELLS_AT 32
#define FL_SPAN_START 48

struct fl_region {
	struct fl_region *next;
	struct fl_region *prev;
	size_t size; /* bytes mapped, header and sentinel included */
	uint64_t magic;
};
_Static_assert(sizeof(struct fl_region) == FL_REGION_HEAD, "region header size");

static inline size_t fl_size(const struct fl_block *b)
{
	return (size_t)(b->head & FL_SIZE_MASK);
}
static inline bool fl_is_inuse(const struct fl_block *b)
{
	return (b->head & FL_INUSE) != 0;
}
static inline bool fl_magic_ok(const struct fl_block *b)
{
	return (b->head >> FL_MAGIC_SHIFT) == FL_MAGIC;
}
static inline uint64_t fl_make_head(size_t size, uint64_t flags)
{
	return (FL_MAGIC << FL_MAGIC_SHIFT) | (uint64_t)size | flags;
}
static inline struct fl_block *fl_right(const struct fl_block *b)
{
	return (struct fl_block *)((char *)b + fl_size(b));
}
static inline struct fl_block *fl_left(const struct fl_block *b)
{
	return (struct fl_block *)((char *)b - b->prev_size);
}
static inline void *fl_payload(struct fl_block *b)
{
	return (char *)b + 16;
}
static inline struct fl_block *fl_block_of(void *p)
{
	return (struct fl_block *)((char *)p - 16);
}
/* The region whose sentinel s is. */
static inline struct fl_region *fl_sentinel_region(struct fl_block *s)
{
	return (struct fl_region *)s->next;
}
static inline struct fl_block *fl_region_first(struct fl_region *r)
{
	return (struct fl_block *)((char *)r + FL_REGION_HEAD);
}
static inline struct fl_block *fl_region_sentinel(struct fl_region *r)
{
	return (struct fl_block *)((char *)r + r->size - FL_REGION_TAIL);
}
static inline size_t fl_align_up(size_t n, size_t a)
{
	return (n + a - 1) & ~(a - 1);
}
/* Block size serving a request of n bytes (n < FL_REQUEST_MAX). */
static inline size_t fl_block_size_for(size_t n)
{
	size_t s = fl_align_up(n + FL_BLOCK_OVERHEAD, FL_ALIGN);
	return s < FL_MIN_BLOCK ? FL_MIN_BLOCK : s;
}

/* ---------------------------------------------------------------- policy
 * A policy owns the free lists.  The heap tells it which blocks are free;
 * it never touches a block's head or footer, only the next/prev cells and
 * its own static state.  Each policy is one file. */
struct fl_policy {
	const char *name;
	/* b is free with its size set; put it on the lists. */
	void (*insert)(struct fl_block *b);
	void (*remove)(struct fl_block *b);
	/* nb (free, size set) takes the place of old, which leaves the lists;
	 * old_size is old's size when it was listed.  nb may equal old (a block
	 * that grew in place, its head already rewritten).  The heap guarantees
	 * no other free block lies between old and nb in address order, so
	 * address-ordered lists may relink in place. */
	void (*replace)(struct fl_block *old, size_t old_size, struct fl_block *nb);
	/* A free block with size >= size, still on the lists, or NULL. */
	struct fl_block *(*find)(size_t size);
	/* Checks the lists' own invariants and marks every listed block with
	 * fl_check_listed(); 0 or -1 after fl_check_fail(). */
	int (*check)(void);
};

extern const struct fl_policy fl_policy_addr;
extern const struct fl_policy fl_policy_lifo;
extern const struct fl_policy fl_policy_best;
extern const struct fl_policy fl_policy_seg;

/* Doubly linked NULL-terminated lists threaded through free blocks. */
struct fl_list {
	struct fl_block *head;
	struct fl_block *tail;
};
void fl_list_push_front(struct fl_list *l, struct fl_block *b);
void fl_list_push_back(struct fl_list *l, struct fl_block *b);
void fl_list_insert_before(struct fl_list *l, struct fl_block *pos, struct fl_block *b);
void fl_list_unlink(struct fl_list *l, struct fl_block *b);
void fl_list_substitute(struct fl_list *l, struct fl_block *old, struct fl_block *nb);
int fl_list_check_links(const struct fl_list *l, const char *who);

/* Top-down splay trees threaded through free blocks, keyed by (size,
 * address): best fit's tree (splay.c). */
struct fl_splay_key {
	size_t size;
	uintptr_t addr;
	const struct fl_block *self; /* matches this block whatever its head says */
};
struct fl_splay_key fl_splay_key_of(const struct fl_block *b, size_t size);
void fl_splay_insert(struct fl_block **root, struct fl_block *b);
void fl_splay_remove(struct fl_block **root, const struct fl_splay_key *k);
/* The smallest block with key >= k, or NULL. */
struct fl_block *fl_splay_lower_bound(struct fl_block **root, const struct fl_splay_key *k);
/* Checks key order and marks every node (fl_check_listed). */
int fl_splay_check(const struct fl_block *root, const char *who);

/* ---------------------------------------------------------------- state */
struct fl_state {
	int initialized; /* read with acquire, written with release */
	const struct fl_policy *policy;
	size_t big_threshold; /* relaxed atomics: raised by fl_big_free */
	size_t keep;          /* relaxed atomics: raised with big_threshold */
	bool big_fixed;       /* FLMALLOC_BIG was set: the cutoff never moves */
	bool keep_fixed;      /* FLMALLOC_KEEP was set */
	size_t tcache_count; /* blocks per bin (FLMALLOC_TCACHE); 0: no cache */
	/* FL_TCACHE_FAST_COUNT, or 0 with no cache: kept rather than derived
	 * from tcache_count on every free into a fast bin (1% more
	 * instructions on python-json). */
	size_t tcache_fast_count;
	size_t page_size;
	struct fl_region *regions; /* doubly linked, newest first */
	/* heap accounting, protected by the heap lock */
	uint64_t heap_mapped;
	uint64_t heap_in_use;
	uint64_t heap_free;
	uint64_t free_page_bytes; /* whole pages inside free blocks not purged */
	uint64_t free_large_bytes; /* the part of free_page_bytes held by blocks
				    * with at least FL_PURGE_MIN_SPAN of it:
				    * what FLMALLOC_KEEP bounds */
	uint64_t purged_bytes;    /* whole pages inside free blocks purged */
	uint64_t region_count;
	/* updated with relaxed atomics: big blocks take no lock */
	uint64_t big_mapped;
	uint64_t big_count;
	uint64_t mmap_calls;
	uint64_t munmap_calls;
	uint64_t mremap_calls;
	uint64_t madvise_calls;
	uint64_t probe_calls; /* mincore probes by free/realloc (tests) */
};
extern struct fl_state fl_state;

/* Requests at or above this get their own mapping (big.c may raise it). */
static inline size_t fl_big_cutoff(void)
{
	return __atomic_load_n(&fl_state.big_threshold, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------- tcache
 * Per-thread caches of small blocks in front of the shared heap (tcache.c).
 * Bin i holds blocks of exactly (i + 2) * 16 bytes, singly linked through
 * their first payload word, newest first. */
#define FL_TCACHE_MAX_BLOCK ((size_t)1024)
#define FL_TCACHE_BINS (FL_TCACHE_MAX_BLOCK / 16 - 1)
#define FL_TCACHE_COUNT_DEFAULT 16
#define FL_TCACHE_COUNT_MAX 4096
/* Bins of blocks up to this size ("fast bins", as glibc's fastbins) are not
 * held to FLMALLOC_TCACHE while the process is single-threaded: they take
 * up to FL_TCACHE_FAST_COUNT blocks, and only the rule that cached memory
 * never makes the heap grow bounds them. */
#define FL_TCACHE_FAST_MAX_BLOCK ((size_t)512)
#define FL_TCACHE_FAST_COUNT 65535
_Static_assert(FL_TCACHE_FAST_COUNT <= UINT16_MAX && FL_TCACHE_COUNT_MAX <= UINT16_MAX,
	       "a bin's count fits its uint16_t");
#define FL_TCACHE_REFILL 8
#define FL_TCACHE_REFILL_BYTES ((size_t)1024)
/* A cache holding at least this many bytes is given back to the heap
 * before the heap grows (heap.c). */
#define FL_TCACHE_CONSOLIDATE_MIN ((size_t)16 << 10)

struct fl_tcache {
	struct fl_block *bins[FL_TCACHE_BINS];
	uint16_t counts[FL_TCACHE_BINS];
	int state;               /* enum fl_tcache_state */
	uint64_t bytes;          /* block bytes held; relaxed atomics (stats reads it) */
	struct fl_tcache *next;  /* registry of live caches, under the heap lock */
	struct fl_tcache *prev;
};
enum fl_tcache_state { FL_TCACHE_NEW, FL_TCACHE_LIVE, FL_TCACHE_OFF };
extern __thread struct fl_tcache fl_tcache __attribute__((tls_model("initial-exec")));

static inline unsigned fl_tcache_bin(size_t block_size)
{
	return (unsigned)(block_size / 16) - 2;
}
/* How many blocks of block_size one bin may hold.  Fast bins are for
 * single-threaded processes only: a thread that frees what others
 * allocate (producer-consumer) would pile their blocks up in its own
 * cache, out of their reach; the consolidation rule flushes only the
 * growing thread's cache. */
static inline size_t fl_tcache_limit(size_t block_size)
{
	if (block_size <= FL_TCACHE_FAST_MAX_BLOCK && __libc_single_threaded)
		return fl_state.tcache_fast_count;
	return fl_state.tcache_count;
}
/* A block of exactly `need` bytes from this thread's cache, or NULL. */
static inline struct fl_block *fl_tcache_get(size_t need)
{
	unsigned i = fl_tcache_bin(need);
	struct fl_block *b = fl_tcache.bins[i];
	if (__builtin_expect(b != NULL, 1)) {
		fl_tcache.bins[i] = b->next;
		fl_tcache.counts[i]--;
		__atomic_store_n(&fl_tcache.bytes, fl_tcache.bytes - need, __ATOMIC_RELAXED);
		b->prev = NULL; /* the mark goes: a later free need not search */
	}
	return b;
}
/* Written in a cached block's prev cell (a value no pointer to a block
 * takes: odd). */
#define FL_TCACHE_MARK ((struct fl_block *)(uintptr_t)0xf1a7cac4ef1a7ca1ull)
/* The slow cases of fl_tcache_put: a marked block (maybe a double free:
 * aborts if so) or a cache not live yet (registers it). */
bool fl_tcache_put_slow(struct fl_block *b);
/* Whether b (in use from the heap's view) is in this thread's cache. */
bool fl_tcache_holds(const struct fl_block *b);
/* Pushes b (in use, not cached) onto bin i, for blocks of `size`. */
static inline void fl_tcache_push(struct fl_block *b, unsigned i, size_t size)
{
	b->prev = FL_TCACHE_MARK;
	b->next = fl_tcache.bins[i];
	fl_tcache.bins[i] = b;
	fl_tcache.counts[i]++;
	__atomic_store_n(&fl_tcache.bytes, fl_tcache.bytes + size, __ATOMIC_RELAXED);
}
/* Takes heap block b (validated, in use, size <= FL_TCACHE_MAX_BLOCK) into
 * this thread's cache; false when the bin is full or caching is off.
 * Aborts on a second free of a block this thread holds cached. */
static inline bool fl_tcache_put(struct fl_block *b, size_t size)
{
	unsigned i = fl_tcache_bin(size);
	/* The first test alone settles most frees (a bin below
	 * FLMALLOC_TCACHE) without looking at fast bins or threads. */
	if (fl_tcache.counts[i] >= fl_state.tcache_count && fl_tcache.counts[i] >= fl_tcache_limit(size))
		return false;
	if (__builtin_expect(b->prev == FL_TCACHE_MARK || fl_tcache.state != FL_TCACHE_LIVE, 0))
		return fl_tcache_put_slow(b);
	fl_tcache_push(b, i, size);
	return true;
}
/* A cache miss for a block of `need` bytes: cuts up to FL_TCACHE_REFILL
 * consecutive blocks (FL_TCACHE_REFILL_BYTES at most) from the block the
 * heap finds, returns the first and caches the rest; NULL when the cache is
 * off or the heap fails (the caller then takes the usual path). */
struct fl_block *fl_tcache_refill(size_t need);
/* Gives every block of this thread's cache back to the heap. */
void fl_tcache_flush(void);
/* The same, for a caller holding the heap lock. */
void fl_tcache_flush_locked(void);
/* Sum of the bytes held by every live thread's cache; caller holds the lock. */
uint64_t fl_tcache_bytes(void);
void fl_tcache_init(void);
void fl_tcache_atfork_child(void);

/* init.c */
void fl_init_slow(void);
static inline void fl_ensure_init(void)
{
	if (__builtin_expect(!__atomic_load_n(&fl_state.initialized, __ATOMIC_ACQUIRE), 0))
		fl_init_slow();
}

/* config.c: reads FLMALLOC_* (no allocation). */
void fl_config_load(void);
/* Parses "123", "64k", "1M", "2g" (binary units); false on bad input. */
bool fl_config_parse_size(const char *s, size_t *out);

/* lock.c: the one heap lock; skipped while the process is single-threaded. */
bool fl_lock(void);
void fl_unlock(bool held);
void fl_lock_install_atfork(void);

/* os.c: counted system calls. */
void *fl_os_map(size_t len);
void fl_os_unmap(void *p, size_t len);
void *fl_os_remap(void *p, size_t old_len, size_t new_len);
void fl_os_purge(void *p, size_t len);
/* Whether the page holding p is mapped (mincore; counted in probe_calls
 * only, it is no memory system call). */
bool fl_os_is_mapped(const void *p);

/* heap.c: region blocks; callers hold the lock. */
struct fl_block *fl_heap_alloc(size_t block_size);
struct fl_block *fl_heap_alloc_aligned(size_t block_size, size_t align);
/* Like fl_heap_alloc, but takes up to `most` consecutive blocks' worth
 * (*count of them) from the block found as one block in use, for the
 * caller to cut up (tcache.c): what best fit would hand the next requests
 * of this size. */
struct fl_block *fl_heap_alloc_run(size_t block_size, size_t most, size_t *count);
void fl_heap_free(struct fl_block *b);
bool fl_heap_resize(struct fl_block *b, size_t block_size);
/* Grows in-use block b to block_size into its free left (and right)
 * neighbours, moving the data down: the block's new address, or NULL when
 * they are too small. */
struct fl_block *fl_heap_slide(struct fl_block *b, size_t block_size);
/* NULL when b (magic checked, not FL_BIG) is a block in use, else what is
 * wrong; the caller unlocks before reporting it. */
const char *fl_heap_validate(const struct fl_block *b);
void fl_heap_list_remove(struct fl_block *b);
/* Whether p lies inside one of the heap's regions. */
bool fl_heap_contains(const void *p);
void fl_heap_unmap_region(struct fl_region *r);
/* The page span of free block b: false when empty. */
bool fl_heap_span(const struct fl_block *b, uintptr_t *lo, uintptr_t *hi);
/* Bytes of free block b's span that may be resident. */
size_t fl_heap_resident_span(struct fl_block *b);
/* Purges the resident part of free block b's span; true if it made a call. */
bool fl_heap_purge_block(struct fl_block *b);

/* malloc.c: the pointer checks shared by free, realloc, usable_size.
 * fl_validate aborts on a pointer we never returned or already freed;
 * for a heap block it returns with the lock held (*held says whether it
 * was taken), and fl_release frees the block and drops the lock. */
struct fl_block *fl_validate(void *p, const char *call, bool *held);
void fl_release(struct fl_block *b, bool held);
size_t fl_usable(const struct fl_block *b);

/* big.c: blocks with their own mapping; no lock needed. */
void *fl_big_alloc(size_t size, size_t align);
void fl_big_free(struct fl_block *b);
void *fl_big_realloc(struct fl_block *b, size_t size);
size_t fl_big_usable(const struct fl_block *b);
/* NULL when b (magic and FL_BIG already checked) is a sane big block. */
const char *fl_big_validate(const struct fl_block *b);

/* trim.c: FLMALLOC_KEEP; callers hold the lock. */
void fl_trim_after_free(void);
/* Unmaps every wholly free region, then purges free pages until at most
 * `target` bytes of them stay resident; true if anything was released. */
bool fl_trim_explicit(size_t target);

/* error.c: misuse reports (abort) and warnings, via write(2). */
_Noreturn void fl_error_misuse(const char *call, const char *what, const void *p);
/* "flmalloc: warning: NAME=VALUE WHY" */
void fl_error_warn(const char *name, const char *value, const char *why);

/* check.c */
int fl_check_fail(const char *what, const void *where);
int fl_check_listed(struct fl_block *b, const char *who);

#pragma GCC visibility pop

#endif
