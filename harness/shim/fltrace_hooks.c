/*
 * fltrace_hooks.c: libfltrace.so's malloc family.  Each hook calls the
 * next definition (glibc's, or another preloaded allocator's) found with
 * dlsym(RTLD_NEXT) and logs the call (fltrace_log.c).
 *
 * Ordering rule (as allocbench's chattymalloc): allocations are logged
 * after the real call returns, frees before the real call runs, so in the
 * log an address is never allocated twice at once, whatever the threads do.
 * realloc is logged as a pair around the real call for the same reason:
 * _OUT releases the old address, _IN binds the new one.
 *
 * Bootstrap: until the real functions are resolved, the resolving thread's
 * allocations (dlsym may call calloc) come from a static pool; other
 * threads wait.  Pool blocks are never logged and never reach the real free.
 */
#include "fltrace.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

enum { HOOKS_UNINIT, HOOKS_RESOLVING, HOOKS_READY };
static _Atomic int hooks_state = HOOKS_UNINIT;
static _Atomic long hooks_resolver_tid;
static size_t hooks_page_size = 4096;

static void *(*real_malloc)(size_t);
static void (*real_free)(void *);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void *(*real_memalign)(size_t, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);

static void hooks_atfork_child(void)
{
	fltrace_log_after_fork();
}

/* Resolves the real functions once.  Returns 1 when they are usable by the
 * caller, 0 when the caller is the resolving thread re-entering through
 * dlsym (it must use the pool). */
static int hooks_init(void)
{
	int state = atomic_load_explicit(&hooks_state, memory_order_acquire);
	if (state == HOOKS_READY)
		return 1;
	long me = syscall(SYS_gettid);
	int expected = HOOKS_UNINIT;
	if (atomic_compare_exchange_strong(&hooks_state, &expected, HOOKS_RESOLVING)) {
		atomic_store(&hooks_resolver_tid, me);
		real_malloc = dlsym(RTLD_NEXT, "malloc");
		real_free = dlsym(RTLD_NEXT, "free");
		real_calloc = dlsym(RTLD_NEXT, "calloc");
		real_realloc = dlsym(RTLD_NEXT, "realloc");
		real_memalign = dlsym(RTLD_NEXT, "memalign");
		real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
		real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
		real_valloc = dlsym(RTLD_NEXT, "valloc");
		real_pvalloc = dlsym(RTLD_NEXT, "pvalloc");
		long ps = sysconf(_SC_PAGESIZE);
		if (ps > 0)
			hooks_page_size = (size_t)ps;
		atomic_store_explicit(&hooks_state, HOOKS_READY, memory_order_release);
		fltrace_log_start();
		pthread_atfork(NULL, NULL, hooks_atfork_child);
		return 1;
	}
	if (atomic_load(&hooks_resolver_tid) == me)
		return 0;
	while (atomic_load_explicit(&hooks_state, memory_order_acquire) != HOOKS_READY)
		sched_yield();
	return 1;
}

__attribute__((constructor)) static void hooks_constructor(void)
{
	/* Creates the log even for a program that never allocates, so fraglab
	 * record can tell "shim not loaded" from "nothing to record". */
	hooks_init();
}

#define HOOKS_READY_OR(fallback)                                                   \
	do {                                                                       \
		if (UNLIKELY(atomic_load_explicit(&hooks_state, memory_order_acquire) \
			     != HOOKS_READY) && !hooks_init())                     \
			return fallback;                                           \
	} while (0)

EXPORT void *malloc(size_t n)
{
	HOOKS_READY_OR(fltrace_pool_alloc(n, 16));
	void *p = real_malloc(n);
	if (p)
		fltrace_log(FLTRACE_MALLOC, (uintptr_t)p, n, 0);
	return p;
}

EXPORT void free(void *p)
{
	if (!p || fltrace_pool_owns(p))
		return; /* free(NULL) is not an event; pool blocks are never freed */
	/* Every block allocated before the real functions were resolved came
	 * from the pool, so a non-pool block means they are resolved. */
	fltrace_log(FLTRACE_FREE, (uintptr_t)p, 0, 0);
	real_free(p);
}

EXPORT void *calloc(size_t nmemb, size_t size)
{
	size_t total;
	if (UNLIKELY(atomic_load_explicit(&hooks_state, memory_order_acquire) != HOOKS_READY) &&
	    !hooks_init()) {
		if (__builtin_mul_overflow(nmemb, size, &total))
			return NULL;
		return fltrace_pool_alloc(total, 16); /* the pool is zeroed, never reused */
	}
	void *p = real_calloc(nmemb, size);
	if (p)
		fltrace_log(FLTRACE_CALLOC, (uintptr_t)p, size, nmemb);
	return p;
}

/* realloc of a pool block: move it into the real heap; logged as a malloc
 * because the pool block was never an event. */
static void *hooks_realloc_from_pool(void *old, size_t n)
{
	void *p = real_malloc(n ? n : 1);
	if (!p)
		return NULL;
	size_t keep = fltrace_pool_size(old);
	memcpy(p, old, keep < n ? keep : n);
	fltrace_log(FLTRACE_MALLOC, (uintptr_t)p, n, 0);
	return p;
}

EXPORT void *realloc(void *old, size_t n)
{
	if (UNLIKELY(atomic_load_explicit(&hooks_state, memory_order_acquire) != HOOKS_READY) &&
	    !hooks_init()) {
		void *p = fltrace_pool_alloc(n, 16);
		if (p && old)
			memcpy(p, old, fltrace_pool_size(old) < n ? fltrace_pool_size(old) : n);
		return p;
	}
	if (old && fltrace_pool_owns(old))
		return hooks_realloc_from_pool(old, n);
	if (!old) { /* realloc(NULL, n) is malloc(n) */
		void *p = real_realloc(NULL, n);
		if (p)
			fltrace_log(FLTRACE_MALLOC, (uintptr_t)p, n, 0);
		return p;
	}
	if (n == 0) { /* realloc(p, 0) frees p (glibc returns NULL) */
		fltrace_log(FLTRACE_FREE, (uintptr_t)old, 0, 0);
		void *p = real_realloc(old, 0);
		if (p) /* an allocator that returns a minimum block instead */
			fltrace_log(FLTRACE_MALLOC, (uintptr_t)p, 0, 0);
		return p;
	}
	fltrace_log(FLTRACE_REALLOC_OUT, (uintptr_t)old, 0, 0);
	void *p = real_realloc(old, n);
	fltrace_log(FLTRACE_REALLOC_IN, (uintptr_t)p, n, (uintptr_t)old);
	return p;
}

EXPORT void *reallocarray(void *old, size_t nmemb, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(nmemb, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(old, total);
}

static void *hooks_aligned(void *(*real)(size_t, size_t), size_t align, size_t n)
{
	HOOKS_READY_OR(fltrace_pool_alloc(n, align));
	void *p = real(align, n);
	if (p)
		fltrace_log(FLTRACE_MEMALIGN, (uintptr_t)p, n, align);
	return p;
}

EXPORT void *memalign(size_t align, size_t n)
{
	return hooks_aligned(real_memalign, align, n);
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
	return hooks_aligned(real_aligned_alloc, align, n);
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	if (UNLIKELY(atomic_load_explicit(&hooks_state, memory_order_acquire) != HOOKS_READY) &&
	    !hooks_init()) {
		void *p = fltrace_pool_alloc(n, align);
		if (!p)
			return ENOMEM;
		*out = p;
		return 0;
	}
	int rc = real_posix_memalign(out, align, n);
	if (rc == 0)
		fltrace_log(FLTRACE_MEMALIGN, (uintptr_t)*out, n, align);
	return rc;
}

EXPORT void *valloc(size_t n)
{
	HOOKS_READY_OR(fltrace_pool_alloc(n, hooks_page_size));
	void *p = real_valloc(n);
	if (p)
		fltrace_log(FLTRACE_MEMALIGN, (uintptr_t)p, n, hooks_page_size);
	return p;
}

EXPORT void *pvalloc(size_t n)
{
	/* pvalloc rounds the size up to whole pages (at least one). */
	size_t rounded = n ? (n + hooks_page_size - 1) & ~(hooks_page_size - 1) : hooks_page_size;
	HOOKS_READY_OR(fltrace_pool_alloc(rounded, hooks_page_size));
	void *p = real_pvalloc(n);
	if (p)
		fltrace_log(FLTRACE_MEMALIGN, (uintptr_t)p, rounded, hooks_page_size);
	return p;
}
