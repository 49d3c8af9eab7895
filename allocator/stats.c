/* stats.c: flmalloc_stats, a consistent snapshot taken under the lock. */
#include "internal.h"

static uint64_t load(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void flmalloc_stats(struct flmalloc_stats *out)
{
	fl_ensure_init();
	bool held = fl_lock();
	uint64_t big = load(&fl_state.big_mapped);
	out->bytes_mapped = fl_state.heap_mapped + big;
	out->bytes_cached = fl_tcache_bytes();
	out->bytes_in_use = fl_state.heap_in_use - out->bytes_cached + big;
	out->bytes_free = fl_state.heap_free;
	out->bytes_purged = fl_state.purged_bytes;
	out->regions = fl_state.region_count;
	out->big_blocks = load(&fl_state.big_count);
	out->mmap_calls = load(&fl_state.mmap_calls);
	out->munmap_calls = load(&fl_state.munmap_calls);
	out->mremap_calls = load(&fl_state.mremap_calls);
	out->madvise_calls = load(&fl_state.madvise_calls);
	out->policy = fl_state.policy->name;
	fl_unlock(held);
}
