/* cmd_import.c: `fraglab import --from FORMAT IN -o OUT`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "import.h"

static void import_usage(FILE *out)
{
	fprintf(out,
		"usage: fraglab import --from malloclab IN.rep -o OUT.jsonl[.gz]\n\n"
		"Converts a CS:APP malloclab .rep trace to a fraglab v1 trace.  Accepts the\n"
		"variants of recorded .rep files: 'f -1' (free of NULL, dropped), 'r' on an\n"
		"id not allocated (realloc of NULL: a malloc) and 'r ID 0' (a free).\n");
}

int cmd_import(int argc, char **argv)
{
	const char *from = NULL, *in_path = NULL, *out_path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			import_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--from") || !strcmp(a, "-o")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "fraglab import: %s needs a value\n", a);
				return 2;
			}
			*(!strcmp(a, "-o") ? &out_path : &from) = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "fraglab import: unknown option '%s' (try 'fraglab import --help')\n", a);
			return 2;
		} else if (in_path) {
			fprintf(stderr, "fraglab import: one input only ('%s' and '%s')\n", in_path, a);
			return 2;
		} else {
			in_path = a;
		}
	}
	if (!from || !in_path || !out_path) {
		import_usage(stderr);
		return 2;
	}
	if (strcmp(from, "malloclab")) {
		fprintf(stderr, "fraglab import: unknown format '%s' (known: malloclab)\n", from);
		return 2;
	}
	if (!record_path_is_jsonl(out_path)) {
		fprintf(stderr, "fraglab import: %s: the output must end in .jsonl or .jsonl.gz\n", out_path);
		return 2;
	}
	const char *base = strrchr(in_path, '/');
	char name[512];
	snprintf(name, sizeof name, "malloclab %s", base ? base + 1 : in_path);
	static struct record_writer writer; /* 64 KiB buffer: keep it off the stack */
	if (record_writer_open(&writer, out_path, name) < 0)
		return 2;
	if (import_malloclab(in_path, &writer) < 0) {
		record_writer_abort(&writer);
		return 2;
	}
	return record_writer_commit(&writer) < 0 ? 2 : 0;
}
