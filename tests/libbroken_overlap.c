/*
 * libbroken_overlap.c: a deliberately broken allocator that hands out
 * overlapping blocks, for tests/replay_verify.sh.
 *
 * Requests of 1000 bytes or more are carved from a static pool by a bump
 * pointer that advances by only half the request, so each such block
 * overlaps the next one.  Everything else goes to glibc (__libc_*), so the
 * dynamic loader and stdio keep working and the process runs normally until
 * the trace's big blocks come: only fraglab replay --verify notices.
 */
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

#define BROKEN_MIN 1000
static _Alignas(64) char pool[64 << 20];
static size_t used;

static int in_pool(const void *p)
{
	return (const char *)p >= pool && (const char *)p < pool + sizeof pool;
}

void *malloc(size_t size)
{
	if (size < BROKEN_MIN || used + size > sizeof pool)
		return __libc_malloc(size);
	void *p = pool + used;
	used += (size / 2 + 15) & ~(size_t)15; /* the bug: half a block */
	return p;
}

void free(void *p)
{
	if (!in_pool(p))
		__libc_free(p);
}

void *calloc(size_t n, size_t size)
{
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	if (!in_pool(p))
		return __libc_realloc(p, size);
	void *q = malloc(size);
	if (q) {
		/* the pool's blocks are never moved out of; copying forward is safe */
		char *d = q;
		const char *s = p;
		for (size_t i = 0; i < size && s + i < pool + used; i++)
			d[i] = s[i];
	}
	return q;
}

void *memalign(size_t align, size_t size)
{
	return __libc_memalign(align, size);
}
