/* bench_replay.c: drive `fraglab replay` and collect what it measured. */
#include "bench_replay.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench_proc.h"

/* What we keep of replay's stderr while showing it. */
struct stderr_watch {
	const char *indent;
	const char *allocator;
	char last[512];
	char refused[512]; /* replay's line refusing our allocator, if any */
};

static void on_replay_line(const char *line, void *ctx)
{
	struct stderr_watch *w = ctx;
	if (!*line)
		return;
	fprintf(stderr, "%s%s\n", w->indent ? w->indent : "", line);
	snprintf(w->last, sizeof w->last, "%s", line);
	/* replay's wording for an allocator it cannot load: "allocator 'A': ..." */
	char needle[300];
	snprintf(needle, sizeof needle, "allocator '%s'", w->allocator);
	if (strstr(line, needle))
		snprintf(w->refused, sizeof w->refused, "%s", line);
}

static void synthesise_rows(const struct bench_replay_job *job, struct bench_csv *runs,
			    const char *status)
{
	for (unsigned i = 1; i <= job->runs; i++) {
		size_t r = bench_csv_add_row(runs);
		char run[16];
		snprintf(run, sizeof run, "%u", i);
		bench_csv_set_field(runs, r, "trace", job->trace_stem);
		bench_csv_set_field(runs, r, "allocator", job->allocator);
		bench_csv_set_field(runs, r, "run", run);
		bench_csv_set_field(runs, r, "status", status);
	}
}

enum bench_replay_outcome bench_replay_run(const struct bench_replay_job *job, struct bench_csv *runs,
					   size_t *first_row, char *why, size_t why_size)
{
	char runs_arg[16], timeout_arg[16];
	snprintf(runs_arg, sizeof runs_arg, "%u", job->runs);
	snprintf(timeout_arg, sizeof timeout_arg, "%u", job->timeout_s);
	char *argv[20];
	size_t n = 0;
	argv[n++] = (char *)job->fraglab;
	argv[n++] = "replay";
	argv[n++] = "--alloc";
	argv[n++] = (char *)job->allocator;
	argv[n++] = "--runs";
	argv[n++] = runs_arg;
	argv[n++] = "--csv";
	argv[n++] = (char *)job->csv_path;
	if (job->series_path) {
		argv[n++] = "--series";
		argv[n++] = (char *)job->series_path;
	}
	if (job->latency)
		argv[n++] = "--latency";
	if (job->timeout_s) {
		argv[n++] = "--timeout";
		argv[n++] = timeout_arg;
	}
	argv[n++] = (char *)job->trace;
	argv[n] = NULL;

	*first_row = runs->n_rows;
	why[0] = '\0';
	unlink(job->csv_path);
	if (job->series_path)
		unlink(job->series_path);

	struct stderr_watch watch = {.indent = job->indent, .allocator = job->allocator};
	struct bench_proc_result res;
	if (bench_proc_run_watch(argv, job->env, NULL, on_replay_line, &watch, &res)) {
		snprintf(why, why_size, "could not start %s", job->fraglab);
		synthesise_rows(job, runs, "failed");
		return BENCH_REPLAY_NO_ROWS;
	}
	if (bench_proc_interrupted() || (!res.exited && (res.signal == SIGINT || res.signal == SIGTERM)))
		return BENCH_REPLAY_INTERRUPTED;

	snprintf(why, why_size, "%s", watch.refused[0] ? watch.refused : watch.last);
	if (res.exited && res.code == 2 && watch.refused[0])
		return BENCH_REPLAY_ALLOC_MISSING;

	struct bench_csv got;
	if (access(job->csv_path, F_OK) != 0 || bench_csv_read(job->csv_path, &got) != 0) {
		/* replay itself failed (bad trace, crash): record it, go on. */
		char status[48] = "failed";
		if (!res.exited)
			snprintf(status, sizeof status, "crashed:SIG%s", sigabbrev_np(res.signal) ? sigabbrev_np(res.signal) : "?");
		if (!why[0])
			snprintf(why, why_size, "replay %s with no CSV", res.exited ? "exited" : "was killed");
		synthesise_rows(job, runs, status);
		return BENCH_REPLAY_NO_ROWS;
	}
	int all_ok = got.n_rows > 0;
	for (size_t r = 0; r < got.n_rows; r++) {
		bench_csv_append_row(runs, &got, r);
		all_ok &= !strcmp(bench_csv_field(&got, r, "status"), "ok");
	}
	bench_csv_free(&got);
	if (runs->n_rows == *first_row) {
		synthesise_rows(job, runs, "failed");
		return BENCH_REPLAY_NO_ROWS;
	}
	return all_ok ? BENCH_REPLAY_OK : BENCH_REPLAY_RUNS_FAILED;
}

int bench_replay_append_series(const char *series_path, struct bench_csv *series)
{
	if (access(series_path, F_OK) != 0)
		return -1;
	struct bench_csv got;
	if (bench_csv_read(series_path, &got))
		return -1;
	for (size_t r = 0; r < got.n_rows; r++)
		bench_csv_append_row(series, &got, r);
	bench_csv_free(&got);
	return 0;
}
