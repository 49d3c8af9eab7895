/* series.c: mapped-bytes probes per allocator and series arithmetic. */
#include "series.h"

#include <dlfcn.h>
#include <malloc.h>
#include <stddef.h>

#include "../allocator/flmalloc.h"

static void (*flmalloc_stats_fn)(struct flmalloc_stats *);
static int (*mallctl_fn)(const char *, void *, size_t *, void *, size_t);
static void (*mi_process_info_fn)(size_t *, size_t *, size_t *, size_t *, size_t *, size_t *,
				  size_t *, size_t *);
static int (*tc_property_fn)(const char *, size_t *);

static int64_t probe_flmalloc(void)
{
	struct flmalloc_stats st;
	flmalloc_stats_fn(&st);
	return (int64_t)st.bytes_mapped;
}

static int64_t probe_glibc(void)
{
	struct mallinfo2 mi = mallinfo2();
	return (int64_t)(mi.arena + mi.hblkhd);
}

static int64_t probe_jemalloc(void)
{
	/* jemalloc's statistics are snapshots refreshed by writing "epoch". */
	uint64_t epoch = 1;
	size_t mapped, len = sizeof mapped;
	if (mallctl_fn("epoch", NULL, NULL, &epoch, sizeof epoch) != 0 ||
	    mallctl_fn("stats.mapped", &mapped, &len, NULL, 0) != 0)
		return -1;
	return (int64_t)mapped;
}

static int64_t probe_mimalloc(void)
{
	size_t elapsed, user, sys, rss, peak_rss, commit, peak_commit, faults;
	mi_process_info_fn(&elapsed, &user, &sys, &rss, &peak_rss, &commit, &peak_commit, &faults);
	return (int64_t)commit;
}

static int64_t probe_tcmalloc(void)
{
	size_t heap, unmapped;
	if (!tc_property_fn("generic.heap_size", &heap) ||
	    !tc_property_fn("tcmalloc.pageheap_unmapped_bytes", &unmapped))
		return -1;
	return (int64_t)(heap - unmapped);
}

int64_t (*series_mapped_probe(enum allocator_kind kind))(void)
{
	if (kind == ALLOCATOR_GLIBC)
		return probe_glibc;
	/* A library given by path may still be one we know: go by its symbols. */
	if ((*(void **)&flmalloc_stats_fn = dlsym(RTLD_DEFAULT, "flmalloc_stats")))
		return probe_flmalloc;
	if ((*(void **)&mallctl_fn = dlsym(RTLD_DEFAULT, "mallctl")))
		return probe_jemalloc;
	if ((*(void **)&mi_process_info_fn = dlsym(RTLD_DEFAULT, "mi_process_info")))
		return probe_mimalloc;
	if ((*(void **)&tc_property_fn = dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty")))
		return probe_tcmalloc;
	return NULL;
}

uint64_t series_sample_every(uint64_t n_events)
{
	uint64_t k = n_events / 2000;
	return k ? k : 1;
}

double series_frag_mean(const struct replay_sample *samples, uint64_t n)
{
	/* The ratio of the time averages, not the average of the ratios: the
	 * latter is dominated by the moments when almost nothing is live (a
	 * trace's start and end), where any heap at all is an "infinite"
	 * ratio. */
	double rss = 0, live = 0;
	for (uint64_t i = 0; i < n; i++)
		if (samples[i].heap_rss_bytes != -1) {
			rss += (double)samples[i].heap_rss_bytes;
			live += (double)samples[i].live_bytes;
		}
	return live > 0 ? rss / live : -1;
}
