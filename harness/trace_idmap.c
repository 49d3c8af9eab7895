/* trace_idmap.c: see trace_idmap.h. */
#include "trace_idmap.h"

#include <stdlib.h>
#include <string.h>

#define TRACE_IDMAP_INITIAL 64

/* Fibonacci hashing: ids are often sequential or addresses (low bits
 * zero); the multiply moves their entropy into the high bits we keep. */
static inline size_t trace_idmap_home(const struct trace_idmap *m, uint64_t key)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (m->capacity - 1);
}

static int trace_idmap_alloc(struct trace_idmap *m, size_t capacity)
{
	m->keys = malloc(capacity * sizeof *m->keys);
	m->values = malloc(capacity * sizeof *m->values);
	if (!m->keys || !m->values) {
		free(m->keys);
		free(m->values);
		m->keys = NULL;
		m->values = NULL;
		return -1;
	}
	memset(m->keys, 0xff, capacity * sizeof *m->keys); /* all TRACE_IDMAP_EMPTY */
	m->capacity = capacity;
	m->count = 0;
	return 0;
}

int trace_idmap_init(struct trace_idmap *m)
{
	return trace_idmap_alloc(m, TRACE_IDMAP_INITIAL);
}

void trace_idmap_free(struct trace_idmap *m)
{
	free(m->keys);
	free(m->values);
	memset(m, 0, sizeof *m);
}

uint32_t *trace_idmap_find(const struct trace_idmap *m, uint64_t key)
{
	size_t mask = m->capacity - 1;
	for (size_t i = trace_idmap_home(m, key);; i = (i + 1) & mask) {
		if (m->keys[i] == key)
			return &m->values[i];
		if (m->keys[i] == TRACE_IDMAP_EMPTY)
			return NULL;
	}
}

static void trace_idmap_place(struct trace_idmap *m, uint64_t key, uint32_t value)
{
	size_t mask = m->capacity - 1;
	size_t i = trace_idmap_home(m, key);
	while (m->keys[i] != TRACE_IDMAP_EMPTY)
		i = (i + 1) & mask;
	m->keys[i] = key;
	m->values[i] = value;
	m->count++;
}

static int trace_idmap_grow(struct trace_idmap *m)
{
	struct trace_idmap old = *m;
	if (trace_idmap_alloc(m, old.capacity * 2) < 0) {
		*m = old;
		return -1;
	}
	for (size_t i = 0; i < old.capacity; i++)
		if (old.keys[i] != TRACE_IDMAP_EMPTY)
			trace_idmap_place(m, old.keys[i], old.values[i]);
	free(old.keys);
	free(old.values);
	return 0;
}

int trace_idmap_insert(struct trace_idmap *m, uint64_t key, uint32_t value)
{
	/* Load factor <= 1/2 keeps linear-probe chains short. */
	if ((m->count + 1) * 2 > m->capacity && trace_idmap_grow(m) < 0)
		return -1;
	trace_idmap_place(m, key, value);
	return 0;
}

int trace_idmap_remove(struct trace_idmap *m, uint64_t key, uint32_t *value)
{
	size_t mask = m->capacity - 1;
	size_t i = trace_idmap_home(m, key);
	while (m->keys[i] != key) {
		if (m->keys[i] == TRACE_IDMAP_EMPTY)
			return 0;
		i = (i + 1) & mask;
	}
	*value = m->values[i];
	/* Backward shift: pull later entries of the probe chain into the hole
	 * when the hole lies between their home and their position, so every
	 * key stays reachable from its home without tombstones. */
	size_t hole = i;
	for (size_t j = (i + 1) & mask; m->keys[j] != TRACE_IDMAP_EMPTY; j = (j + 1) & mask) {
		size_t home = trace_idmap_home(m, m->keys[j]);
		/* distance from home to j vs. from home to hole, cyclically */
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			m->keys[hole] = m->keys[j];
			m->values[hole] = m->values[j];
			hole = j;
		}
	}
	m->keys[hole] = TRACE_IDMAP_EMPTY;
	m->count--;
	return 1;
}
