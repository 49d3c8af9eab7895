/* fuzz_trace_open.c: see fuzz_trace_open.h. */
#include "fuzz_trace_open.h"

#include <stdlib.h>

#include "fuzz_tmp.h"
#include "fuzz_trace_check.h"
#include "trace.h"

void fuzz_trace_open_init(void)
{
	setenv("FRAGLAB_CACHE_DIR", fuzz_tmp_dir(), 1);
}

void fuzz_trace_open_bytes(const uint8_t *data, size_t size, const char *suffix)
{
	const char *path = fuzz_tmp_write(data, size, suffix);
	struct trace t;
	if (trace_open(path, &t) == 0) {
		fuzz_trace_check(&t);
		trace_close(&t);
	}
	fuzz_tmp_clear();
}

int fuzz_is_gzip(const uint8_t *data, size_t size)
{
	return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}
