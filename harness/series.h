/*
 * series.h: the series pass's helpers: the allocator's own "bytes mapped"
 * figure, and the time-averaged fragmentation of a series.
 *
 * Mapped bytes, by allocator (found with dlsym, so nothing links them):
 *   flmalloc  flmalloc_stats().bytes_mapped
 *   glibc     mallinfo2(): arena + hblkhd (sbrk'd plus mmapped bytes)
 *   jemalloc  mallctl("stats.mapped") after refreshing "epoch"
 *   mimalloc  mi_process_info(): current_commit
 *   tcmalloc  MallocExtension "generic.heap_size" less
 *             "tcmalloc.pageheap_unmapped_bytes"
 * Anything else reports none (-1, an empty CSV cell).
 */
#ifndef FRAGLAB_SERIES_H
#define FRAGLAB_SERIES_H

#include <stdint.h>

#include "allocators.h"
#include "replay.h"

/* The probe for this allocator in this (replay child) process, or NULL. */
int64_t (*series_mapped_probe(enum allocator_kind kind))(void);

/* The series' K: a sample every K events, about 2000 samples a trace. */
uint64_t series_sample_every(uint64_t n_events);

/* Johnstone and Wilson's measure 1, fragmentation averaged over time: the
 * mean heap RSS over the samples divided by their mean live bytes (samples
 * whose RSS could not be read are left out); -1 if nothing was ever live. */
double series_frag_mean(const struct replay_sample *samples, uint64_t n);

#endif
