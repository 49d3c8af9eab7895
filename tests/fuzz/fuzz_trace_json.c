/*
 * fuzz_trace_json: libFuzzer target for the document-form trace reader
 * (trace_docstream.c: the top-level object tokenised key by key, each
 * event cut out and parsed alone), validator and compiler
 * (docs/fuzzing.md).
 *
 * Each input is opened with trace_open as a .json file, or .json.gz when
 * it starts with gzip's magic.  One input length in four is instead named
 * without an extension, so the form is sniffed from the first line
 * (trace_read.c) and the same bytes may be read as either form.
 */
#include <stdint.h>

#include "fuzz_trace_open.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_trace_open_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *suffix = fuzz_is_gzip(data, size) ? ".json.gz" : size % 4 == 3 ? ".trace" : ".json";
	fuzz_trace_open_bytes(data, size, suffix);
	return 0;
}
