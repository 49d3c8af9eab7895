/* trace_hash.c: see trace_hash.h. */
#include "trace_hash.h"

#include <string.h>

#define TRACE_HASH_MUL 0x9E3779B97F4A7C15ull

static inline uint64_t trace_hash_load64(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, sizeof w); /* native order: the cache is machine-local */
	return w;
}

/* Invertible in both h and w: xor, odd multiply and xorshift are bijections. */
static inline uint64_t trace_hash_step(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= TRACE_HASH_MUL;
	return h ^ (h >> 29);
}

/* murmur3's fmix64: spreads every input bit over the whole output. */
static inline uint64_t trace_hash_fmix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static void trace_hash_block(struct trace_hash *h, const unsigned char *p)
{
	h->lane[0] = trace_hash_step(h->lane[0], trace_hash_load64(p));
	h->lane[1] = trace_hash_step(h->lane[1], trace_hash_load64(p + 8));
	h->lane[2] = trace_hash_step(h->lane[2], trace_hash_load64(p + 16));
	h->lane[3] = trace_hash_step(h->lane[3], trace_hash_load64(p + 24));
}

void trace_hash_init(struct trace_hash *h, uint64_t seed)
{
	memset(h, 0, sizeof *h);
	for (int i = 0; i < 4; i++)
		h->lane[i] = trace_hash_fmix(seed + (uint64_t)(i + 1) * TRACE_HASH_MUL);
}

void trace_hash_update(struct trace_hash *h, const void *data, size_t len)
{
	const unsigned char *p = data;
	h->length += len;
	if (h->n_pending) {
		size_t take = sizeof h->pending - h->n_pending;
		if (take > len)
			take = len;
		memcpy(h->pending + h->n_pending, p, take);
		h->n_pending += take;
		p += take;
		len -= take;
		if (h->n_pending < sizeof h->pending)
			return;
		trace_hash_block(h, h->pending);
		h->n_pending = 0;
	}
	for (; len >= 32; p += 32, len -= 32)
		trace_hash_block(h, p);
	memcpy(h->pending, p, len);
	h->n_pending = len;
}

uint64_t trace_hash_final(const struct trace_hash *h)
{
	struct trace_hash t = *h;
	if (t.n_pending) {
		/* Zero padding is unambiguous because the length is mixed in below. */
		memset(t.pending + t.n_pending, 0, sizeof t.pending - t.n_pending);
		trace_hash_block(&t, t.pending);
	}
	uint64_t r = t.length * TRACE_HASH_MUL;
	for (int i = 0; i < 4; i++)
		r = trace_hash_fmix(r ^ t.lane[i]) + (uint64_t)i;
	return trace_hash_fmix(r);
}

uint64_t trace_hash_bytes(const void *data, size_t len, uint64_t seed)
{
	struct trace_hash h;
	trace_hash_init(&h, seed);
	trace_hash_update(&h, data, len);
	return trace_hash_final(&h);
}
