/*
 * big.c: blocks at or above FLMALLOC_BIG get a mapping of their own and
 * give it back on free; realloc moves them with mremap, so growing one
 * never copies.  No lock: the mapping is the block's alone, and the shared
 * counters are atomic.
 *
 * Layout: the mapping starts at M (page-aligned); the block header sits at
 * B = M + off, where off is 0 unless the caller asked for an alignment
 * above 16 (then the payload is page-aligned, or aligned higher); B->prev_size = off, B->head = magic | mapping length | BIG |
 * INUSE, and the payload starts at B + 16.
 */
#include <errno.h>

#include "internal.h"

static void account(int64_t bytes, int64_t blocks)
{
	__atomic_fetch_add(&fl_state.big_mapped, (uint64_t)bytes, __ATOMIC_RELAXED);
	__atomic_fetch_add(&fl_state.big_count, (uint64_t)blocks, __ATOMIC_RELAXED);
}

static char *mapping_of(const struct fl_block *b)
{
	return (char *)b - b->prev_size;
}

void *fl_big_alloc(size_t size, size_t align)
{
	size_t page = fl_state.page_size;
	/* Unaligned requests: payload at M + 16.  Aligned ones (any alignment
	 * up to a page): payload at M + page, so every big payload sits at
	 * offset 16 or 0 in its page; free() probes the header's page only
	 * for such pointers (see fl_validate). */
	size_t off = align > FL_ALIGN ? page - FL_ALIGN : 0;
	size_t len;
	char *map;
	if (align <= page) {
		len = fl_align_up(off + FL_ALIGN + size, page);
		map = fl_os_map(len);
		if (!map) {
			errno = ENOMEM;
			return NULL;
		}
	} else {
		/* Over-map by the alignment, then hand the unused whole pages at
		 * both ends back, so the block keeps only what it needs. */
		size_t over = fl_align_up(FL_ALIGN + size, page) + align;
		map = fl_os_map(over);
		if (!map) {
			errno = ENOMEM;
			return NULL;
		}
		uintptr_t user = fl_align_up((uintptr_t)map + FL_ALIGN, align);
		char *start = (char *)((user - FL_ALIGN) & ~(uintptr_t)(page - 1));
		char *end = (char *)fl_align_up(user + size, page);
		if (start > map)
			fl_os_unmap(map, (size_t)(start - map));
		if (end < map + over)
			fl_os_unmap(end, (size_t)(map + over - end));
		map = start;
		len = (size_t)(end - start);
		off = (size_t)(user - FL_ALIGN - (uintptr_t)start);
	}
	struct fl_block *b = (struct fl_block *)(map + off);
	b->prev_size = off;
	b->head = fl_make_head(len, FL_BIG | FL_INUSE);
	account((int64_t)len, 1);
	return fl_payload(b);
}

/* With the cutoff at C, FLMALLOC_KEEP (unless set) is at least this many
 * times C: the heap may keep that many such blocks' worth of free pages
 * resident.  glibc's trim threshold is twice its mmap threshold, but it
 * never trims below the top of its heap.  On traces/gen-big (seg's 64 MiB
 * regions, blocks of 1-9 MiB, the cutoff then still the freed length) 4
 * kept purging freed big blocks and faulting them back in; 5 made 27
 * syscalls (5 madvise) and 1.6 times glibc's page faults at 0.74 x its peak
 * RSS; 6 made 22 syscalls, no madvise, 1.14 times its faults at 0.99 x its
 * peak RSS (docs/profiling.md). */
#define KEEP_PER_CUTOFF 6

/* Mapping lengths from which the cutoff gets headroom (raise_cutoff). */
#define HEADROOM_FROM ((size_t)1 << 20)

/* The smallest power of two at or above n (n > 1). */
static size_t round_up_pow2(size_t n)
{
	return (size_t)1 << (64 - __builtin_clzll((unsigned long long)(n - 1)));
}

/* The dynamic cutoff, after glibc's rule: a big block freed shows the
 * program allocates and frees blocks of that size, so from now on such
 * requests are served from the heap (and reused there) instead of costing
 * an mmap and a munmap each.  glibc moves its threshold to the freed
 * length L; we move it to the power of two at or above L, because sizes
 * that vary creep upwards: on traces/gen-big (1-9 MiB) each new largest
 * block paid a mapping of its own, its page faults and a munmap, 11 times
 * (34,151 page faults against glibc's 31,751; with the headroom 18,822,
 * and 6 syscalls instead of 22, at 0.78 x glibc's peak RSS instead of
 * 0.84).  Under seg only: the headroom pays where blocks share its 64 MiB
 * regions; in the classic policies' small regions the blocks between L
 * and 2 L fragmented the heap (gen-big under addr 66.7 -> 96.1 MiB, lifo
 * 68.3 -> 94.8 MiB, glibc 72.4), so they keep glibc's rule.  And only
 * from HEADROOM_FROM up: below it a mapping's page faults are few, and
 * traces/jq-group, whose 288 KiB free moved the cutoff to 512 KiB, then kept
 * two 427 KiB blocks in the heap: 29 more pages at its peak for 2 fewer
 * syscalls.
 * It only rises, up to FL_BIG_DYNAMIC_MAX, and FLMALLOC_KEEP rises
 * with it to KEEP_PER_CUTOFF times the cutoff, so such blocks freed into
 * the heap are not purged straight away.  An FLMALLOC_BIG or FLMALLOC_KEEP
 * set in the environment stays as set. */
static void raise_cutoff(size_t len)
{
	if (fl_state.big_fixed || len > FL_BIG_DYNAMIC_MAX ||
	    len <= __atomic_load_n(&fl_state.big_threshold, __ATOMIC_RELAXED))
		return;
	size_t cutoff = len;
	if (fl_state.policy == &fl_policy_seg && len >= HEADROOM_FROM) {
		cutoff = round_up_pow2(len);
		if (cutoff > FL_BIG_DYNAMIC_MAX)
			cutoff = FL_BIG_DYNAMIC_MAX; /* len <= FL_BIG_DYNAMIC_MAX: still >= len */
	}
	__atomic_store_n(&fl_state.big_threshold, cutoff, __ATOMIC_RELAXED);
	size_t keep = KEEP_PER_CUTOFF * cutoff;
	if (!fl_state.keep_fixed && __atomic_load_n(&fl_state.keep, __ATOMIC_RELAXED) < keep)
		__atomic_store_n(&fl_state.keep, keep, __ATOMIC_RELAXED);
}

void fl_big_free(struct fl_block *b)
{
	size_t len = fl_size(b);
	fl_os_unmap(mapping_of(b), len);
	account(-(int64_t)len, -1);
	raise_cutoff(len);
}

size_t fl_big_usable(const struct fl_block *b)
{
	return fl_size(b) - b->prev_size - FL_ALIGN;
}

void *fl_big_realloc(struct fl_block *b, size_t size)
{
	size_t off = b->prev_size, len = fl_size(b);
	size_t new_len = fl_align_up(off + FL_ALIGN + size, fl_state.page_size);
	if (new_len == len)
		return fl_payload(b);
	char *map = fl_os_remap(mapping_of(b), len, new_len);
	if (!map) {
		errno = ENOMEM;
		return NULL;
	}
	b = (struct fl_block *)(map + off);
	b->head = fl_make_head(new_len, FL_BIG | FL_INUSE);
	account((int64_t)new_len - (int64_t)len, 0);
	return fl_payload(b);
}

const char *fl_big_validate(const struct fl_block *b)
{
	size_t off = b->prev_size, len = fl_size(b);
	if (off % FL_ALIGN || off + FL_ALIGN > len || len % fl_state.page_size ||
	    (uintptr_t)mapping_of(b) % fl_state.page_size)
		return "invalid pointer";
	return NULL;
}
