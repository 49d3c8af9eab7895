/*
 * latency.h: per-call latency for the latency pass.
 *
 * Each call is bracketed by clock_gettime(CLOCK_MONOTONIC) (vDSO, about
 * 24 ns a read on these VMs); the timer's own cost, the median of
 * back-to-back reads measured in the child before the replay, is subtracted
 * from every sample (floored at 0).  Samples are uint32 nanoseconds in a
 * pre-mapped buffer, sorted in place after the replay (heapsort: no
 * allocation), and summarised with nearest-rank percentiles.
 */
#ifndef FRAGLAB_LATENCY_H
#define FRAGLAB_LATENCY_H

#include <stdint.h>
#include <time.h>

static inline uint64_t latency_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The median cost of an empty clock bracket, in ns. */
uint64_t latency_timer_overhead_ns(void);

/* Sorts n values ascending, in place. */
void latency_sort(uint32_t *v, uint64_t n);

/* Nearest-rank percentile (0 < pct <= 100) of n sorted values; 0 if n == 0. */
uint32_t latency_percentile(const uint32_t *sorted, uint64_t n, double pct);

#endif
