/*
 * init.c: lazy initialisation on the first call, which may come before any
 * constructor has run (the dynamic loader, libc's own start-up).  Reading
 * the environment and the page size allocates nothing.  pthread_atfork may
 * itself call malloc, so it runs after fl_state.initialized is published
 * and outside the lock: that nested call finds the allocator ready.
 */
#include <unistd.h>

#include "internal.h"

void fl_init_slow(void)
{
	bool held = fl_lock();
	bool first = !fl_state.initialized;
	if (first) {
		long page = sysconf(_SC_PAGESIZE);
		fl_state.page_size = page > 0 ? (size_t)page : 4096;
		fl_config_load();
		__atomic_store_n(&fl_state.initialized, 1, __ATOMIC_RELEASE);
	}
	fl_unlock(held);
	if (first) {
		fl_lock_install_atfork();
		fl_tcache_init();
	}
}
