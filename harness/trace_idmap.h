/*
 * trace_idmap.h: an open-addressing hash map from 64-bit keys to 32-bit
 * values, used for live id -> slot and raw tid -> dense thread number.
 *
 * Linear probing with backward-shift deletion (no tombstones), so the
 * table's size follows the peak number of keys present, never the number
 * of insertions: a streamed trace's live-id map grows only with live ids.
 * Keys must be < TRACE_IDMAP_EMPTY (ids are <= 2^63-1, tids < 2^32).
 */
#ifndef FRAGLAB_TRACE_IDMAP_H
#define FRAGLAB_TRACE_IDMAP_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_IDMAP_EMPTY UINT64_MAX

struct trace_idmap {
	uint64_t *keys;    /* capacity entries, TRACE_IDMAP_EMPTY where free */
	uint32_t *values;
	size_t capacity;   /* a power of two; count <= capacity / 2 */
	size_t count;
};

int trace_idmap_init(struct trace_idmap *m);
void trace_idmap_free(struct trace_idmap *m);
/* The value stored for key, or NULL if absent. */
uint32_t *trace_idmap_find(const struct trace_idmap *m, uint64_t key);
/* Adds key (which must be absent).  Returns 0, or -1 when out of memory. */
int trace_idmap_insert(struct trace_idmap *m, uint64_t key, uint32_t value);
/* Removes key; returns 1 and its value in *value if it was present, else 0. */
int trace_idmap_remove(struct trace_idmap *m, uint64_t key, uint32_t *value);

#endif
