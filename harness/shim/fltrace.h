/*
 * fltrace.h: internals of the recording shim libfltrace.so, shared by its
 * three parts: the hooks (fltrace_hooks.c), the log (fltrace_log.c) and the
 * bootstrap pool (fltrace_pool.c).
 *
 * Rule for everything here: never call malloc or anything that may (stdio,
 * snprintf, getenv is fine); only raw syscalls and atomics.
 */
#ifndef FLTRACE_H
#define FLTRACE_H

#include <stddef.h>
#include <stdint.h>

#include "fltrace_log.h"

#define FLTRACE_HIDDEN __attribute__((visibility("hidden")))

/* Opens this process image's log if FLTRACE_DIR asks for one; no-op
 * otherwise.  Called once the real allocator functions are resolved. */
FLTRACE_HIDDEN void fltrace_log_start(void);
/* Appends one record; no-op while no log is open. */
FLTRACE_HIDDEN void fltrace_log(enum fltrace_op op, uint64_t addr, uint64_t size, uint64_t aux);
/* In a fork child: forget the parent's log and open the child's own. */
FLTRACE_HIDDEN void fltrace_log_after_fork(void);

/* The static pool that serves allocations made while dlsym is resolving
 * the real allocator (dlsym itself may call calloc).  Pool blocks are
 * zeroed, never reused, never handed to the real free. */
FLTRACE_HIDDEN void *fltrace_pool_alloc(size_t size, size_t align);
FLTRACE_HIDDEN int fltrace_pool_owns(const void *p);
FLTRACE_HIDDEN size_t fltrace_pool_size(const void *p);

#endif
