/*
 * machine.h: the facts a result depends on, written beside the results
 * (results/machine.txt) so a reader knows what produced them: CPU model,
 * cores, kernel, glibc's version, each allocator's package version,
 * the date and fraglab's git commit.
 */
#ifndef FRAGLAB_MACHINE_H
#define FRAGLAB_MACHINE_H

#include <stddef.h>

/* The Debian package an allocator comes from, or NULL (flmalloc, a path). */
const char *machine_allocator_package(const char *allocator);

/* Writes "key: value" lines to `path` (whole or not at all).  `notes`
 * (may be NULL) are extra lines, e.g. the settings of the run and the
 * allocators skipped.  Returns 0 or -1 after a message. */
int machine_write_facts(const char *path, const char *const *allocators, size_t n_allocators,
			const char *notes);

#endif
