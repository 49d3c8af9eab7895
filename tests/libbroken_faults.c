/*
 * libbroken_faults.c: an allocator that fails on purpose, for the status
 * tests in tests/replay_basic.sh.  Every call goes to glibc (__libc_*)
 * except malloc of exactly FAULT_SIZE bytes, which, by BROKEN_FAULT:
 *   oom    returns NULL              -> status oom
 *   crash  raises SIGSEGV             -> status crashed:SIGSEGV
 *   abort  calls abort()             -> status crashed:SIGABRT
 *   hang   sleeps forever            -> status timeout (with --timeout)
 * and anything else behaves.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

#define FAULT_SIZE 4242

void *malloc(size_t size)
{
	if (size == FAULT_SIZE) {
		const char *mode = getenv("BROKEN_FAULT");
		if (mode && !strcmp(mode, "oom")) {
			errno = ENOMEM;
			return NULL;
		}
		if (mode && !strcmp(mode, "crash"))
			raise(SIGSEGV); /* what a wild write would bring */
		if (mode && !strcmp(mode, "abort"))
			abort();
		if (mode && !strcmp(mode, "hang"))
			for (;;)
				pause();
	}
	return __libc_malloc(size);
}

void free(void *p)
{
	__libc_free(p);
}

void *calloc(size_t n, size_t size)
{
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	return __libc_realloc(p, size);
}

void *memalign(size_t align, size_t size)
{
	return __libc_memalign(align, size);
}
