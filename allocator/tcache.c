/*
 * tcache.c: bounded per-thread caches of small blocks in front of the
 * shared heap (glibc's tcache idea), used by the seg policy only.
 *
 * A freed block of at most FL_TCACHE_MAX_BLOCK bytes goes to the calling
 * thread's bin for its exact size, if that bin holds fewer than
 * FLMALLOC_TCACHE blocks (default 16), or, for blocks of at most
 * FL_TCACHE_FAST_MAX_BLOCK (512) bytes while the process is
 * single-threaded, fewer than FL_TCACHE_FAST_COUNT;
 * malloc of a request whose block is that size takes the newest one back.
 * Neither touches the lock, the policy's lists or any block head: a cached
 * block stays *in use* from the heap's point of view, so every heap
 * invariant and flmalloc_check_heap keep holding, and flmalloc_stats
 * reports the cached bytes apart (bytes_cached; bytes_in_use counts only
 * what the program holds).  Heads stay the heap's alone because another
 * thread, freeing a neighbour under the lock, may be rewriting a cached
 * block's PREV_INUSE bit at that very moment.
 *
 * Double free: a cached block's prev cell holds FL_TCACHE_MARK; a free
 * finding the mark searches its bin (the program's own data may hold the
 * value by chance) and aborts if the block is there, as glibc does.  The
 * mark is wiped when a block leaves the cache, so the search runs only for
 * a real double free or that chance.  A block cached by another thread and
 * freed again here is not caught.
 *
 * The price is fragmentation: a cached block is neither coalesced nor
 * reused for another size, and LIFO reuse ignores seg's lowest-address
 * rule.  Two rules bound it.  At most FLMALLOC_TCACHE blocks per size above
 * 512 bytes.  And cached memory never makes the heap grow: before the heap
 * maps a region or cuts into a region's free tail for a request, a thread
 * holding at least FL_TCACHE_CONSOLIDATE_MIN bytes in its cache gives them
 * all back (they coalesce) and the policy is asked again (heap.c,
 * heap_find), as glibc consolidates its fastbins before it grows.  That
 * rule took the corpus's peak RSS geomean from 1.002 to 0.982 x glibc
 * (gen-uniform 1.01 -> 0.92, gcc-cc1 0.99 -> 0.94; docs/profiling.md).
 *
 * It is also what lets the small sizes go unbounded, like glibc's
 * fastbins: programs free long runs of small objects at once and allocate
 * as many again soon (python-json sent 141k of its 392k frees to the heap
 * with 16 blocks per bin, still 78k with 4096).  Bins up to 128 bytes
 * holding up to 65535 blocks took python-json from 133.9M to 110.1M
 * instructions and jq-group from 103.1M to 78.4M (callgrind), for a corpus
 * peak RSS geomean of 0.989-0.996 x glibc against 0.988.  Once the heap
 * was one 64 MiB region, raising the bound to 512 bytes took gen-ramp from
 * 13.5M to 11.1M instructions and jq-group from 79.6M to 74.3M, and the
 * peak RSS geomean from 0.959 to 0.954-0.956 (gen-binary 0.95 -> 0.82);
 * 256 and 1024 bytes peaked at 0.962.  Only while single-threaded: the
 * rule flushes the growing thread's cache alone, and a thread freeing what
 * others allocate would pile their blocks up out of their reach.  (Asking
 * every thread's cache back through a shared epoch, checked on slow paths,
 * was tried: python-threads and git-repack peaked no lower, and a 4-thread
 * producer-consumer ran at half the speed.)  The classic policies get no
 * cache: their choices are the point.
 *
 * Thread exit: the first block a thread caches registers its cache (in a
 * list under the heap lock, which is how stats sees every cache) and sets a
 * pthread key whose destructor gives every block back to the heap and turns
 * the cache off, so frees by later destructors go straight to the heap.
 * fork: the child keeps only the forking thread's cache; blocks cached by
 * the other threads stay in use for ever (as with glibc's tcache).
 *
 * Invariants: bins[i] holds counts[i] blocks, each of (i + 2) * 16 bytes,
 * in use, linked through next, marked in prev; bytes is the sum of their
 * sizes.
 */
#include <pthread.h>

#include "internal.h"

__thread struct fl_tcache fl_tcache __attribute__((tls_model("initial-exec")));

static struct fl_tcache *tcache_registry; /* under the heap lock */
static pthread_key_t tcache_key;
static bool tcache_key_ok;

static void registry_unlink(struct fl_tcache *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		tcache_registry = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
}

/* Gives back every cached block; caller holds the lock. */
static void flush_locked(struct fl_tcache *c)
{
	for (unsigned i = 0; i < FL_TCACHE_BINS; i++) {
		struct fl_block *b = c->bins[i];
		while (b) {
			struct fl_block *next = b->next;
			/* Drop the mark: coalesced into a neighbour, these cells
			 * would keep it, and a block later cut to start here
			 * would send its every free to a walk of its bin. */
			b->prev = NULL;
			fl_heap_free(b);
			b = next;
		}
		c->bins[i] = NULL;
		c->counts[i] = 0;
	}
	__atomic_store_n(&c->bytes, 0, __ATOMIC_RELAXED);
}

static void thread_exit(void *arg)
{
	struct fl_tcache *c = arg;
	bool held = fl_lock();
	flush_locked(c);
	if (c->state == FL_TCACHE_LIVE)
		registry_unlink(c);
	c->state = FL_TCACHE_OFF;
	fl_unlock(held);
}

/* The first put of a thread: register its cache.  pthread_setspecific may
 * allocate (keys past the first 32), so the cache is off while it runs.
 * Without a key nothing would flush the cache at thread exit, so the
 * thread goes without one. */
static bool register_cache(void)
{
	fl_tcache.state = FL_TCACHE_OFF;
	if (!tcache_key_ok)
		return false;
	bool held = fl_lock();
	fl_tcache.prev = NULL;
	fl_tcache.next = tcache_registry;
	if (tcache_registry)
		tcache_registry->prev = &fl_tcache;
	tcache_registry = &fl_tcache;
	fl_unlock(held);
	pthread_setspecific(tcache_key, &fl_tcache);
	fl_tcache.state = FL_TCACHE_LIVE;
	return true;
}

bool fl_tcache_holds(const struct fl_block *b)
{
	if (b->prev != FL_TCACHE_MARK || fl_size(b) > FL_TCACHE_MAX_BLOCK)
		return false;
	for (const struct fl_block *c = fl_tcache.bins[fl_tcache_bin(fl_size(b))]; c; c = c->next)
		if (c == b)
			return true;
	return false;
}

bool fl_tcache_put_slow(struct fl_block *b)
{
	if (b->prev == FL_TCACHE_MARK && fl_tcache_holds(b))
		fl_error_misuse("free", "double free or invalid pointer", fl_payload(b));
	if (fl_tcache.state != FL_TCACHE_LIVE && (fl_tcache.state == FL_TCACHE_OFF || !register_cache()))
		return false;
	size_t size = fl_size(b);
	fl_tcache_push(b, fl_tcache_bin(size), size);
	return true;
}

struct fl_block *fl_tcache_refill(size_t need)
{
	if (fl_tcache.state != FL_TCACHE_LIVE &&
	    (fl_tcache.state == FL_TCACHE_OFF || !fl_state.tcache_count || !register_cache()))
		return NULL;
	unsigned i = fl_tcache_bin(need);
	/* At most FL_TCACHE_REFILL blocks, FL_TCACHE_REFILL_BYTES in all (so
	 * spare blocks of larger sizes touch no page the program would not
	 * have touched soon), and no more than the bin has room for. */
	size_t most = FL_TCACHE_REFILL_BYTES / need;
	if (most > FL_TCACHE_REFILL)
		most = FL_TCACHE_REFILL;
	if (most > fl_tcache_limit(need) - fl_tcache.counts[i] + 1)
		most = fl_tcache_limit(need) - fl_tcache.counts[i] + 1;
	if (most < 2)
		return NULL;
	size_t n;
	bool held = fl_lock();
	struct fl_block *b = fl_heap_alloc_run(need, most, &n);
	if (!b || n == 1) {
		fl_unlock(held);
		return b;
	}
	/* Cut b into n blocks in use, the last taking any slack (take() may
	 * hand out up to 16 bytes more).  Heads are written under the lock:
	 * another thread coalescing b's left neighbour may be writing b's
	 * PREV_INUSE bit. */
	size_t total = fl_size(b);
	b->head = fl_make_head(need, FL_INUSE | (b->head & FL_PREV_INUSE));
	for (size_t j = 1; j < n; j++) {
		size_t size = j + 1 < n ? need : total - (n - 1) * need;
		struct fl_block *c = (struct fl_block *)((char *)b + j * need);
		c->head = fl_make_head(size, FL_INUSE | FL_PREV_INUSE);
	}
	fl_unlock(held);
	/* Cached newest first from the highest address, so the next malloc
	 * gets the block right after b, as it would have without the cache.
	 * A longer last block that finds its bin full goes back to the heap. */
	for (size_t j = n - 1; j >= 1; j--) {
		struct fl_block *c = (struct fl_block *)((char *)b + j * need);
		c->prev = NULL;
		if (!fl_tcache_put(c, fl_size(c))) {
			held = fl_lock();
			fl_heap_free(c);
			fl_unlock(held);
		}
	}
	return b;
}

void fl_tcache_flush_locked(void)
{
	if (fl_tcache.state == FL_TCACHE_LIVE)
		flush_locked(&fl_tcache);
}

void fl_tcache_flush(void)
{
	bool held = fl_lock();
	flush_locked(&fl_tcache);
	fl_unlock(held);
}

uint64_t fl_tcache_bytes(void)
{
	uint64_t sum = 0;
	for (struct fl_tcache *c = tcache_registry; c; c = c->next)
		sum += __atomic_load_n(&c->bytes, __ATOMIC_RELAXED);
	return sum;
}

void fl_tcache_init(void)
{
	if (fl_state.tcache_count)
		tcache_key_ok = pthread_key_create(&tcache_key, thread_exit) == 0;
}

void fl_tcache_atfork_child(void)
{
	tcache_registry = NULL;
	if (fl_tcache.state == FL_TCACHE_LIVE) {
		fl_tcache.next = fl_tcache.prev = NULL;
		tcache_registry = &fl_tcache;
	}
}
