/*
 * os.c: the allocator's only system calls for memory, each counted for
 * flmalloc_stats (relaxed atomics: big blocks call these without the lock).
 */
#include <errno.h>
#include <sys/mman.h>

#include "internal.h"

static void count(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

void *fl_os_map(size_t len)
{
	count(&fl_state.mmap_calls);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void fl_os_unmap(void *p, size_t len)
{
	count(&fl_state.munmap_calls);
	munmap(p, len);
}

void *fl_os_remap(void *p, size_t old_len, size_t new_len)
{
	count(&fl_state.mremap_calls);
	void *q = mremap(p, old_len, new_len, MREMAP_MAYMOVE);
	return q == MAP_FAILED ? NULL : q;
}

void fl_os_purge(void *p, size_t len)
{
	count(&fl_state.madvise_calls);
	/* MADV_DONTNEED frees the pages now and reads back zeroes; nothing
	 * of ours lives in a purged span, so zeroes are fine. */
	madvise(p, len, MADV_DONTNEED);
}

bool fl_os_is_mapped(const void *p)
{
	count(&fl_state.probe_calls);
	uintptr_t page = (uintptr_t)p & ~(uintptr_t)(fl_state.page_size - 1);
	unsigned char vec;
	int saved = errno;
	bool mapped = mincore((void *)page, 1, &vec) == 0 || errno != ENOMEM;
	errno = saved;
	return mapped;
}
