/*
 * trace_hash.h: a fast 64-bit non-cryptographic hash, used to key the
 * compile cache by a trace file's bytes and to checksum cache files.
 *
 * Four independent lanes each absorb one 64-bit word per 32-byte block
 * through an invertible step (xor, multiply by an odd constant, xorshift),
 * so changing any single word of the input always changes the result, and
 * the lanes run in parallel at several GB/s.  Not collision-resistant
 * against an adversary; it detects changed traces and corrupt files.
 */
#ifndef FRAGLAB_TRACE_HASH_H
#define FRAGLAB_TRACE_HASH_H

#include <stddef.h>
#include <stdint.h>

struct trace_hash {
	uint64_t lane[4];
	uint64_t length;             /* bytes absorbed so far */
	unsigned char pending[32];   /* a partial block, n_pending bytes */
	size_t n_pending;
};

void trace_hash_init(struct trace_hash *h, uint64_t seed);
void trace_hash_update(struct trace_hash *h, const void *data, size_t len);
uint64_t trace_hash_final(const struct trace_hash *h);
uint64_t trace_hash_bytes(const void *data, size_t len, uint64_t seed);

#endif
