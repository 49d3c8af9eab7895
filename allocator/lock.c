/*
 * lock.c: one mutex around the shared heap.
 *
 * While the process is single-threaded (glibc's __libc_single_threaded) we
 * skip it: only the one thread can create a second one, and it cannot do
 * so while inside malloc, so the flag cannot change between our check and
 * the end of the call.  fl_lock returns whether it locked, so the matching
 * unlock is right even if a thread was created since.
 *
 * fork: the prepare handler takes the lock, so no other thread is inside
 * the heap when the address space is copied; the parent then unlocks and
 * the child re-initialises the mutex (it is the only thread there).
 */
#include <pthread.h>
#include <sys/single_threaded.h>

#include "internal.h"

static pthread_mutex_t fl_heap_mutex = PTHREAD_MUTEX_INITIALIZER;

bool fl_lock(void)
{
	if (__libc_single_threaded)
		return false;
	pthread_mutex_lock(&fl_heap_mutex);
	return true;
}

void fl_unlock(bool held)
{
	if (held)
		pthread_mutex_unlock(&fl_heap_mutex);
}

static void atfork_prepare(void)
{
	pthread_mutex_lock(&fl_heap_mutex);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&fl_heap_mutex);
}

static void atfork_child(void)
{
	pthread_mutex_init(&fl_heap_mutex, NULL);
	fl_tcache_atfork_child();
}

void fl_lock_install_atfork(void)
{
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}
