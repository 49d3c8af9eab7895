/*
 * alloc_check.h: what the allocator tests (tests/alloc_*.c) share on top
 * of check.h.  Header-only, like check.h.
 */
#ifndef FRAGLAB_TESTS_ALLOC_CHECK_H
#define FRAGLAB_TESTS_ALLOC_CHECK_H

#include "check.h"
#include "flmalloc.h"

/* flmalloc_stats() as a value, to compare before and after a step. */
__attribute__((unused))
static struct flmalloc_stats alloc_stats(void)
{
	struct flmalloc_stats s;
	flmalloc_stats(&s);
	return s;
}

/* HEAP_OK("step"): the heap's invariants hold after that step; the test
 * names its policy in a `policy` string. */
#define HEAP_OK(step) CHECK(flmalloc_check_heap() == 0, "%s: heap invariants broken after %s", policy, step)

#endif
