/*
 * config.c: FLMALLOC_POLICY, FLMALLOC_BIG, FLMALLOC_KEEP and FLMALLOC_TCACHE, read once at
 * start-up with getenv and parsed by hand (no allocation, no stdio).  A bad
 * value gets a one-line warning on stderr and the default.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const struct fl_policy *const config_policies[] = {
	&fl_policy_addr, &fl_policy_lifo, &fl_policy_best, &fl_policy_seg,
};

bool fl_config_parse_size(const char *s, size_t *out)
{
	if (*s < '0' || *s > '9') /* at least one digit */
		return false;
	size_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		size_t d = (size_t)(*s - '0');
		if (v > (FL_REQUEST_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	unsigned shift = 0;
	switch (*s) {
	case '\0':
		break;
	case 'k': case 'K': shift = 10; s++; break;
	case 'm': case 'M': shift = 20; s++; break;
	case 'g': case 'G': shift = 30; s++; break;
	default:
		return false;
	}
	if (*s || v > ((FL_REQUEST_MAX - 1) >> shift))
		return false;
	*out = v << shift;
	return true;
}

static void config_size(const char *name, size_t *out, size_t dflt)
{
	const char *s = getenv(name);
	*out = dflt;
	if (!s)
		return;
	if (!fl_config_parse_size(s, out)) {
		*out = dflt;
		fl_error_warn(name, s,
			      ": not a byte count below 2^45 (digits, optional k/M/G suffix); "
			      "using the default");
	}
}

void fl_config_load(void)
{
	fl_state.policy = &fl_policy_seg;
	const char *p = getenv("FLMALLOC_POLICY");
	if (p) {
		size_t i, n = sizeof config_policies / sizeof config_policies[0];
		for (i = 0; i < n && strcmp(p, config_policies[i]->name); i++)
			;
		if (i < n)
			fl_state.policy = config_policies[i];
		else
			fl_error_warn("FLMALLOC_POLICY", p, ": not addr, lifo, best or seg; using seg");
	}
	config_size("FLMALLOC_BIG", &fl_state.big_threshold, FL_BIG_DEFAULT);
	config_size("FLMALLOC_KEEP", &fl_state.keep, FL_KEEP_DEFAULT);
	fl_state.big_fixed = getenv("FLMALLOC_BIG") != NULL;
	fl_state.keep_fixed = getenv("FLMALLOC_KEEP") != NULL;
	/* The thread cache serves seg only: the classic policies' choices of
	 * block are what they are measured for. */
	size_t count;
	config_size("FLMALLOC_TCACHE", &count, FL_TCACHE_COUNT_DEFAULT);
	if (count > FL_TCACHE_COUNT_MAX) {
		fl_error_warn("FLMALLOC_TCACHE", getenv("FLMALLOC_TCACHE"),
			      ": more blocks per bin than a cache counts; using the default");
		count = FL_TCACHE_COUNT_DEFAULT;
	}
	fl_state.tcache_count = fl_state.policy == &fl_policy_seg ? count : 0;
	fl_state.tcache_fast_count = fl_state.tcache_count ? FL_TCACHE_FAST_COUNT : 0;
}
