/* record_addrmap.c: linear-probing hash map with backward-shift deletion. */
#include "record_addrmap.h"

#include <stdlib.h>

static uint64_t addrmap_hash(uint64_t k)
{
	/* The murmur3 finaliser: addresses share low zero bits and high bits. */
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

static int addrmap_alloc(struct record_addrmap *m, uint64_t capacity)
{
	m->keys = calloc(capacity, sizeof *m->keys);
	m->values = malloc(capacity * sizeof *m->values);
	if (!m->keys || !m->values) {
		free(m->keys);
		free(m->values);
		return -1;
	}
	m->mask = capacity - 1;
	m->count = 0;
	return 0;
}

int record_addrmap_init(struct record_addrmap *m)
{
	return addrmap_alloc(m, 1024);
}

void record_addrmap_destroy(struct record_addrmap *m)
{
	free(m->keys);
	free(m->values);
	m->keys = m->values = NULL;
}

int record_addrmap_get(const struct record_addrmap *m, uint64_t key, uint64_t *value)
{
	for (uint64_t i = addrmap_hash(key) & m->mask;; i = (i + 1) & m->mask) {
		if (m->keys[i] == key) {
			*value = m->values[i];
			return 1;
		}
		if (m->keys[i] == 0)
			return 0;
	}
}

static int addrmap_grow(struct record_addrmap *m)
{
	struct record_addrmap old = *m;
	if (addrmap_alloc(m, (old.mask + 1) * 2) < 0) {
		*m = old;
		return -1;
	}
	for (uint64_t i = 0; i <= old.mask; i++)
		if (old.keys[i])
			record_addrmap_put(m, old.keys[i], old.values[i]);
	record_addrmap_destroy(&old);
	return 0;
}

int record_addrmap_put(struct record_addrmap *m, uint64_t key, uint64_t value)
{
	/* Keep the load at most one half: probes stay short. */
	if ((m->count + 1) * 2 > m->mask + 1 && addrmap_grow(m) < 0)
		return -1;
	uint64_t i = addrmap_hash(key) & m->mask;
	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & m->mask;
	if (!m->keys[i])
		m->count++;
	m->keys[i] = key;
	m->values[i] = value;
	return 0;
}

int record_addrmap_del(struct record_addrmap *m, uint64_t key, uint64_t *value)
{
	uint64_t i = addrmap_hash(key) & m->mask;
	while (m->keys[i] != key) {
		if (!m->keys[i])
			return 0;
		i = (i + 1) & m->mask;
	}
	*value = m->values[i];
	/* Backward shift: pull later entries of the run into the hole unless
	 * that would move them before their home slot. */
	uint64_t hole = i;
	for (uint64_t j = (i + 1) & m->mask; m->keys[j]; j = (j + 1) & m->mask) {
		uint64_t home = addrmap_hash(m->keys[j]) & m->mask;
		/* Movable iff home is not cyclically in (hole, j]. */
		if (((j - home) & m->mask) >= ((j - hole) & m->mask)) {
			m->keys[hole] = m->keys[j];
			m->values[hole] = m->values[j];
			hole = j;
		}
	}
	m->keys[hole] = 0;
	m->count--;
	return 1;
}
