/* harness_bench_traces.c: how bench picks its traces from a directory:
 * by the header's "format" key (a JSON Schema that mentions the tag is
 * not a trace), .json/.jsonl/.gz only, sorted by name, plain and gzip
 * alike, names made file-safe and unique; missing paths are errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "bench_traces.h"
#include "lib/check.h"

static const char header[] = "{\"format\": \"fraglab-trace\", \"version\": 1, \"name\": \"t\"}\n"
			     "{\"op\":\"malloc\",\"id\":0,\"size\":8}\n";

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

int main(void)
{
	char dir[] = "/tmp/fraglab-bench-traces-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	write_file(dir, "b.jsonl", header);
	write_file(dir, "a.json", header);
	write_file(dir, "a.jsonl", header);              /* same stem as a.json */
	write_file(dir, "we ird.jsonl", header);         /* space: not file/gnuplot safe */
	write_file(dir, "schema.json", "{\"properties\": {\"format\": {\"const\": \"fraglab-trace\"}}}\n");
	write_file(dir, "notes.txt", header);            /* wrong extension */
	write_file(dir, "other.json", "{\"hello\": 1}\n");
	char gz_path[512];
	snprintf(gz_path, sizeof gz_path, "%s/c.jsonl.gz", dir);
	gzFile gz = gzopen(gz_path, "wb");
	gzputs(gz, header);
	gzclose(gz);

	const char *args[] = {dir};
	struct bench_traces t;
	CHECK_TRUE(bench_traces_collect(args, 1, &t) == 0);
	CHECK_TRUE(t.n == 5);
	const char *want[] = {"a", "a-2", "b", "c", "we_ird"};
	for (size_t i = 0; i < t.n && i < 5; i++) {
		if (strcmp(t.stems[i], want[i]))
			fprintf(stderr, "trace %zu: stem %s, want %s (%s)\n", i, t.stems[i], want[i], t.paths[i]);
		CHECK_TRUE(!strcmp(t.stems[i], want[i]));
	}
	bench_traces_free(&t);

	/* A file named explicitly is taken as it is. */
	char explicit_path[512];
	snprintf(explicit_path, sizeof explicit_path, "%s/other.json", dir);
	const char *one[] = {explicit_path};
	CHECK_TRUE(bench_traces_collect(one, 1, &t) == 0 && t.n == 1 && !strcmp(t.stems[0], "other"));
	bench_traces_free(&t);

	/* Missing paths and empty directories are errors, not crashes. */
	const char *missing[] = {"/nonexistent/fraglab/traces"};
	CHECK_TRUE(bench_traces_collect(missing, 1, &t) == -1);
	char empty[600];
	snprintf(empty, sizeof empty, "%s/empty", dir);
	CHECK_TRUE(mkdir(empty, 0755) == 0);
	const char *none[] = {empty};
	CHECK_TRUE(bench_traces_collect(none, 1, &t) == -1);

	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK_TRUE(system(cmd) == 0);
	return check_exit_status("bench_traces");
}
