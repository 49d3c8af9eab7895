/*
 * fuzz_import_rep: libFuzzer target for the CS:APP malloclab .rep importer
 * (harness/import_malloclab.c, `fraglab import --from malloclab`)
 * (docs/fuzzing.md).
 *
 * Each input is a .rep file converted exactly as `fraglab import` does it
 * (record_writer into a .jsonl file).  A refused input must not crash; an
 * accepted one must have produced a trace fraglab accepts in turn, with
 * as many events as the importer wrote, and which passes the oracle of
 * fuzz_trace_check.h: the importer promises a valid v1 trace, so one that
 * check would refuse is a bug in it even though nothing crashed.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_tmp.h"
#include "fuzz_trace_check.h"
#include "import.h"
#include "record_writer.h"
#include "trace.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("FRAGLAB_CACHE_DIR", fuzz_tmp_dir(), 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct record_writer writer; /* 64 KiB buffer: off the stack */
	const char *in_path = fuzz_tmp_write(data, size, ".rep");
	char out_path[4200];
	snprintf(out_path, sizeof out_path, "%s", fuzz_tmp_path("imported.jsonl"));
	if (record_writer_open(&writer, out_path, "malloclab input.rep") < 0)
		abort();
	if (import_malloclab(in_path, &writer) < 0) {
		record_writer_abort(&writer);
		fuzz_tmp_clear();
		return 0;
	}
	uint64_t written = writer.events;
	if (record_writer_commit(&writer) < 0)
		abort();
	/* A .rep without operations imports to a header alone, which the
	 * format refuses (docs/trace-format.md): nothing to check. */
	if (written > 0) {
		struct trace t;
		if (trace_open(out_path, &t) < 0) {
			fprintf(stderr, "fuzz_import_rep: the importer accepted the input but its trace is refused\n");
			abort();
		}
		if (t.n_events != written) {
			fprintf(stderr, "fuzz_import_rep: wrote %" PRIu64 " events, the trace has %" PRIu64 "\n",
				written, t.n_events);
			abort();
		}
		fuzz_trace_check(&t);
		trace_close(&t);
	}
	fuzz_tmp_clear();
	return 0;
}
