/* latency.c: timer calibration, in-place sorting and percentiles. */
#include "latency.h"

#include <math.h>

void latency_sort(uint32_t *v, uint64_t n)
{
	/* Heapsort: O(n log n) worst case and no scratch memory, because this
	 * runs in the replay child after the measured region, where malloc would
	 * go to the allocator under test. */
	if (n < 2)
		return;
	for (uint64_t start = n / 2; start-- > 0;) {
		for (uint64_t root = start;;) {
			uint64_t child = 2 * root + 1;
			if (child >= n)
				break;
			if (child + 1 < n && v[child + 1] > v[child])
				child++;
			if (v[root] >= v[child])
				break;
			uint32_t t = v[root];
			v[root] = v[child];
			v[child] = t;
			root = child;
		}
	}
	for (uint64_t end = n - 1; end > 0; end--) {
		uint32_t t = v[0];
		v[0] = v[end];
		v[end] = t;
		for (uint64_t root = 0;;) {
			uint64_t child = 2 * root + 1;
			if (child >= end)
				break;
			if (child + 1 < end && v[child + 1] > v[child])
				child++;
			if (v[root] >= v[child])
				break;
			t = v[root];
			v[root] = v[child];
			v[child] = t;
			root = child;
		}
	}
}

uint32_t latency_percentile(const uint32_t *sorted, uint64_t n, double pct)
{
	if (n == 0)
		return 0;
	/* nearest rank: the smallest value with at least pct% of the samples at
	 * or below it; the epsilon absorbs 99.9 not being exact in binary. */
	double rank = ceil(pct / 100.0 * (double)n - 1e-9);
	uint64_t i = rank < 1 ? 0 : (uint64_t)rank - 1;
	return sorted[i < n ? i : n - 1];
}

uint64_t latency_timer_overhead_ns(void)
{
	enum { N = 1001 };
	uint32_t d[N];
	for (int i = 0; i < N; i++) {
		uint64_t a = latency_now_ns();
		uint64_t b = latency_now_ns();
		d[i] = (uint32_t)(b - a);
	}
	latency_sort(d, N);
	return d[N / 2];
}
