/*
 * block_pattern.h: self-checking contents for blocks that tests pass
 * between threads and processes.
 *
 * A block of at least BLOCK_HEADER_MIN bytes describes itself: a header
 * {tag, size, check} at the start and the tag again in the last 8 bytes,
 * with a fill byte derived from the tag in between.  Whoever receives the
 * block (another thread, via an exchange slot) can therefore verify it
 * without being told its size, and any overlap with another live block,
 * any write by the allocator into a live block, or a realloc that loses
 * bytes shows up as a mismatch.  Smaller blocks are just the fill byte.
 *
 * Tags are unique per (thread, counter), so two blocks never share one.
 */
#ifndef FRAGLAB_TESTS_BLOCK_PATTERN_H
#define FRAGLAB_TESTS_BLOCK_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct block_header {
	uint64_t tag;
	uint64_t size;
	uint64_t check;   /* mix64(tag ^ size): catches a header overwritten with another's */
};

#define BLOCK_HEADER_MIN ((size_t)(sizeof(struct block_header) + sizeof(uint64_t)))

static inline uint64_t mix64(uint64_t x)
{
	/* splitmix64's finaliser: every input bit affects every output bit. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static inline unsigned char block_fill_byte(uint64_t tag)
{
	return (unsigned char)(mix64(tag) >> 56);
}

static inline uint64_t block_check_word(uint64_t tag, uint64_t size)
{
	return mix64(tag ^ (size * 0x9e3779b97f4a7c15ULL));
}

static inline void block_fill(void *p, size_t size, uint64_t tag)
{
	unsigned char *b = p;
	if (size < BLOCK_HEADER_MIN) {
		memset(b, block_fill_byte(tag), size);
		return;
	}
	struct block_header h = { tag, size, block_check_word(tag, size) };
	memcpy(b, &h, sizeof h);
	memset(b + sizeof h, block_fill_byte(tag), size - sizeof h - sizeof tag);
	memcpy(b + size - sizeof tag, &tag, sizeof tag);
}

/* The byte block_fill(.., size, tag) put at offset i. */
static inline unsigned char block_expected_byte(size_t size, uint64_t tag, size_t i)
{
	if (size < BLOCK_HEADER_MIN)
		return block_fill_byte(tag);
	if (i < sizeof(struct block_header)) {
		struct block_header h = { tag, size, block_check_word(tag, size) };
		return ((const unsigned char *)&h)[i];
	}
	if (i >= size - sizeof tag)
		return ((const unsigned char *)&tag)[i - (size - sizeof tag)];
	return block_fill_byte(tag);
}

/* Checks the first `limit` bytes (limit <= size) of a block filled with
 * (size, tag).  Returns the offset of the first wrong byte, or limit.
 * The fast pass ORs differences without an early exit so the compiler can
 * vectorise it; the slow pass only runs to locate a mismatch. */
static inline size_t block_first_mismatch(const void *p, size_t size, uint64_t tag, size_t limit)
{
	const unsigned char *b = p;
	size_t body_start = size < BLOCK_HEADER_MIN ? 0 : sizeof(struct block_header);
	size_t body_end = size < BLOCK_HEADER_MIN ? size : size - sizeof tag;
	if (body_end > limit)
		body_end = limit;
	unsigned char fill = block_fill_byte(tag), diff = 0;
	for (size_t i = body_start; i < body_end; i++)
		diff |= (unsigned char)(b[i] ^ fill);
	bool ends_ok = true;
	for (size_t i = 0; i < body_start && i < limit; i++)
		ends_ok &= b[i] == block_expected_byte(size, tag, i);
	for (size_t i = body_end > body_start ? body_end : body_start; i < limit; i++)
		ends_ok &= b[i] == block_expected_byte(size, tag, i);
	if (diff == 0 && ends_ok)
		return limit;
	for (size_t i = 0; i < limit; i++)
		if (b[i] != block_expected_byte(size, tag, i))
			return i;
	return limit;
}

/* Reads the header of a self-describing block received from elsewhere.
 * Returns false if the header itself is damaged. */
static inline bool block_read_header(const void *p, uint64_t *tag, size_t *size)
{
	struct block_header h;
	memcpy(&h, p, sizeof h);
	if (h.size < BLOCK_HEADER_MIN || h.check != block_check_word(h.tag, h.size))
		return false;
	*tag = h.tag;
	*size = (size_t)h.size;
	return true;
}

#endif
