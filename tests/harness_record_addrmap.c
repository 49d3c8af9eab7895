/* harness_record_addrmap.c: the recorder's address map against a plain
 * reference table, under random inserts, replacements and deletions with
 * keys shaped like heap addresses (clustered, 16-byte aligned) so that
 * probe runs form, wrap around the table's end and are cut by backward-
 * shift deletion. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "record_addrmap.h"

static int failures;

#define CHECK(cond)                                                                      \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			if (++failures > 20)                                             \
				exit(1);                                                 \
		}                                                                        \
	} while (0)

#define KEYS 5000
#define BASE 0x7f3a12340000ULL

static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rng(void)
{
	/* xorshift64: the test needs variety, not quality. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

int main(void)
{
	struct record_addrmap m;
	static uint64_t ref_value[KEYS];
	static int ref_present[KEYS];
	uint64_t ref_count = 0;
	CHECK(record_addrmap_init(&m) == 0);
	for (long step = 0; step < 400000; step++) {
		unsigned k = (unsigned)(rng() % KEYS);
		uint64_t key = BASE + (uint64_t)k * 16, v;
		switch (rng() % 3) {
		case 0: /* insert or replace */
			v = rng();
			CHECK(record_addrmap_put(&m, key, v) == 0);
			ref_count += !ref_present[k];
			ref_present[k] = 1;
			ref_value[k] = v;
			break;
		case 1: /* delete */
			if (ref_present[k]) {
				CHECK(record_addrmap_del(&m, key, &v) == 1);
				CHECK(v == ref_value[k]);
				ref_present[k] = 0;
				ref_count--;
			} else {
				CHECK(record_addrmap_del(&m, key, &v) == 0);
			}
			break;
		default: /* look up */
			if (ref_present[k]) {
				CHECK(record_addrmap_get(&m, key, &v) == 1);
				CHECK(v == ref_value[k]);
			} else {
				CHECK(record_addrmap_get(&m, key, &v) == 0);
			}
			break;
		}
		CHECK(m.count == ref_count);
	}
	/* Everything the reference holds is still found after all the shifting. */
	for (unsigned k = 0; k < KEYS; k++) {
		uint64_t v;
		CHECK(record_addrmap_get(&m, BASE + (uint64_t)k * 16, &v) == ref_present[k]);
		if (ref_present[k])
			CHECK(v == ref_value[k]);
	}
	/* Empty it completely, then it must hold nothing. */
	for (unsigned k = 0; k < KEYS; k++) {
		uint64_t v;
		if (ref_present[k])
			CHECK(record_addrmap_del(&m, BASE + (uint64_t)k * 16, &v) == 1);
	}
	CHECK(m.count == 0);
	for (uint64_t i = 0; i <= m.mask; i++)
		CHECK(m.keys[i] == 0);
	record_addrmap_destroy(&m);
	if (failures)
		return 1;
	printf("harness_record_addrmap: ok\n");
	return 0;
}
