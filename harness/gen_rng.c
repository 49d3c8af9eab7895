/* gen_rng.c: the generator's PRNG: xoshiro256** seeded by splitmix64
 * (Blackman and Vigna).  Integer-only, so output is identical everywhere. */
#include "gen.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t gen_rng_next(struct gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t gen_rng_below(struct gen_rng *r, uint64_t n)
{
	/* Reject the top partial copy of [0, n) so every value is equally likely. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;
	do
		x = gen_rng_next(r);
	while (x >= limit);
	return x % n;
}

uint64_t gen_rng_range(struct gen_rng *r, uint64_t lo, uint64_t hi)
{
	return lo + gen_rng_below(r, hi - lo + 1);
}

int gen_rng_chance(struct gen_rng *r, uint64_t num, uint64_t den)
{
	return gen_rng_below(r, den) < num;
}

uint64_t gen_rng_powerlaw(struct gen_rng *r, uint64_t lo, uint64_t hi)
{
	uint64_t class_lo = lo;
	/* Climb one power-of-two class per coin flip that lands heads. */
	while (class_lo * 2 <= hi && (gen_rng_next(r) >> 63))
		class_lo *= 2;
	uint64_t class_hi = class_lo * 2 - 1;
	if (class_hi > hi)
		class_hi = hi;
	return gen_rng_range(r, class_lo, class_hi);
}
