/*
 * record_addrmap.h: an open-addressing hash map from 64-bit keys (block
 * addresses, thread ids) to 64-bit values, for converting recorded logs.
 * Linear probing with backward-shift deletion, so lookups never wade
 * through tombstones however many blocks come and go.  Key 0 is reserved
 * (the empty marker); callers never store address 0.
 */
#ifndef FRAGLAB_RECORD_ADDRMAP_H
#define FRAGLAB_RECORD_ADDRMAP_H

#include <stdint.h>

struct record_addrmap {
	uint64_t *keys;
	uint64_t *values;
	uint64_t mask;   /* capacity - 1; capacity is a power of two */
	uint64_t count;
};

int record_addrmap_init(struct record_addrmap *m);
void record_addrmap_destroy(struct record_addrmap *m);
/* Returns 1 and sets *value if KEY is present. */
int record_addrmap_get(const struct record_addrmap *m, uint64_t key, uint64_t *value);
/* Inserts or replaces; returns -1 when out of memory. */
int record_addrmap_put(struct record_addrmap *m, uint64_t key, uint64_t value);
/* Removes KEY; returns 1 and sets *value if it was present. */
int record_addrmap_del(struct record_addrmap *m, uint64_t key, uint64_t *value);

#endif
