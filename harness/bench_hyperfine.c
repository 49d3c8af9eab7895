/* bench_hyperfine.c: run hyperfine on replay and line its numbers up with
 * replay's own. */
#include "bench_hyperfine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_outfile.h"
#include "bench_proc.h"

/* Appends `s` to buf single-quoted for sh (hyperfine runs commands through a shell). */
static void add_quoted(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf);
	if (len + 2 >= size)
		return;
	buf[len++] = '\'';
	for (; *s && len + 6 < size; s++) {
		if (*s == '\'') {
			memcpy(buf + len, "'\\''", 4);
			len += 4;
		} else {
			buf[len++] = *s;
		}
	}
	buf[len++] = '\'';
	buf[len] = '\0';
}

int bench_hyperfine_run(const char *fraglab, const char *trace, const char *stem,
			const char *const *allocators, size_t n_allocators, unsigned runs,
			const char *out_dir, const char *work_dir)
{
	char out[4096], tmp[4096], console[4096], runs_arg[16];
	bench_outfile_path(out, sizeof out, "%s/hyperfine-%s.csv", out_dir, stem);
	bench_outfile_path(console, sizeof console, "%s/hyperfine-%s.out", work_dir, stem);
	snprintf(runs_arg, sizeof runs_arg, "%u", runs < 2 ? 2 : runs);
	if (bench_outfile_tmpname(out, tmp, sizeof tmp))
		return -1;

	size_t max_args = 12 + 3 * n_allocators;
	char **argv = calloc(max_args, sizeof *argv);
	char **commands = calloc(n_allocators + 1, sizeof *commands);
	if (!argv || !commands) {
		free(argv);
		free(commands);
		fprintf(stderr, "fraglab: out of memory\n");
		return -1;
	}
	size_t n = 0;
	argv[n++] = "hyperfine";
	argv[n++] = "--style";
	argv[n++] = "basic";
	argv[n++] = "--warmup";
	argv[n++] = "1";
	argv[n++] = "--runs";
	argv[n++] = runs_arg;
	argv[n++] = "--export-csv";
	argv[n++] = tmp;
	for (size_t i = 0; i < n_allocators; i++) {
		commands[i] = malloc(16384);
		if (!commands[i])
			break;
		commands[i][0] = '\0';
		add_quoted(commands[i], 16384, fraglab);
		strcat(commands[i], " replay --alloc ");
		add_quoted(commands[i], 16384, allocators[i]);
		strcat(commands[i], " --runs 1 ");
		add_quoted(commands[i], 16384, trace);
		argv[n++] = "-n";
		argv[n++] = (char *)allocators[i];
		argv[n++] = commands[i];
	}
	argv[n] = NULL;

	struct bench_proc_result res;
	int rc = bench_proc_run(argv, NULL, console, console, &res);
	for (size_t i = 0; i < n_allocators; i++)
		free(commands[i]);
	free(commands);
	free(argv);
	if (bench_proc_interrupted()) {
		unlink(tmp);
		return -1;
	}
	if (rc || !res.exited || res.code != 0 || access(tmp, F_OK) != 0) {
		char last[512];
		bench_proc_last_line(console, last, sizeof last);
		fprintf(stderr, "fraglab: hyperfine failed on %s: %s\n", trace, last[0] ? last : "no output");
		unlink(tmp);
		return -1;
	}
	return bench_outfile_publish(tmp, out);
}

int bench_hyperfine_crosscheck(const char *out_dir, const char *stem, const char *trace_name,
			       const struct bench_csv *summary, struct bench_csv *cross)
{
	char path[4096];
	bench_outfile_path(path, sizeof path, "%s/hyperfine-%s.csv", out_dir, stem);
	struct bench_csv hf;
	if (bench_csv_read(path, &hf))
		return -1;
	int cmd = bench_csv_col(&hf, "command"), mean = bench_csv_col(&hf, "mean"),
	    sd = bench_csv_col(&hf, "stddev");
	for (size_t r = 0; r < hf.n_rows; r++) {
		const char *alloc = bench_csv_get(&hf, r, cmd);
		size_t o = bench_csv_add_row(cross);
		bench_csv_set_field(cross, o, "trace", trace_name);
		bench_csv_set_field(cross, o, "allocator", alloc);
		bench_csv_set_field(cross, o, "hyperfine_mean_s", bench_csv_get(&hf, r, mean));
		bench_csv_set_field(cross, o, "hyperfine_stddev_s", bench_csv_get(&hf, r, sd));
		const char *replay_s = "";
		for (size_t s = 0; s < summary->n_rows; s++)
			if (!strcmp(bench_csv_field(summary, s, "trace"), trace_name) &&
			    !strcmp(bench_csv_field(summary, s, "allocator"), alloc))
				replay_s = bench_csv_field(summary, s, "seconds");
		bench_csv_set_field(cross, o, "replay_seconds", replay_s);
		double m, rs;
		char diff[64] = "";
		if (bench_csv_number(&hf, r, mean, &m) && *replay_s && (rs = atof(replay_s)) > 0)
			snprintf(diff, sizeof diff, "%.6f", m - rs);
		bench_csv_set_field(cross, o, "outside_measured_s", diff);
	}
	bench_csv_free(&hf);
	return 0;
}
