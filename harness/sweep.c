/* sweep.c: replay the corpus under a range of flmalloc settings. */
#include "sweep.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_csv.h"
#include "bench_outfile.h"
#include "bench_outputs.h"
#include "bench_plot.h"
#include "bench_proc.h"
#include "bench_replay.h"
#include "bench_traces.h"
#include "machine.h"
#include "summary.h"

#define KIB 1024ULL
#define MIB (1024ULL * 1024ULL)

const unsigned long long sweep_default_big[] = {
	4 * KIB, 8 * KIB, 16 * KIB, 32 * KIB, 64 * KIB, 128 * KIB, 256 * KIB, 512 * KIB,
	1 * MIB, 2 * MIB, 4 * MIB,
};
const size_t sweep_n_default_big = sizeof sweep_default_big / sizeof sweep_default_big[0];
const unsigned long long sweep_default_keep[] = {
	0, 64 * KIB, 256 * KIB, 1 * MIB, 4 * MIB, 16 * MIB, 64 * MIB,
};
const size_t sweep_n_default_keep = sizeof sweep_default_keep / sizeof sweep_default_keep[0];

static const char *const policy_allocators[] = {
	"glibc", "flmalloc:addr", "flmalloc:lifo", "flmalloc:best", "flmalloc:seg",
};

int sweep_parse_sizes(const char *list, unsigned long long *values, size_t max, size_t *n)
{
	*n = 0;
	const char *p = list;
	while (*p) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p || *p == '-' || errno) {
			fprintf(stderr, "fraglab sweep: bad size list '%s' (want e.g. 4096,64K,1M)\n", list);
			return -1;
		}
		unsigned long long unit = 1;
		if (*end == 'K' || *end == 'k')
			unit = KIB;
		else if (*end == 'M' || *end == 'm')
			unit = MIB;
		else if (*end == 'G' || *end == 'g')
			unit = 1024 * MIB;
		if (unit > 1)
			end++;
		if ((*end && *end != ',') || v > ULLONG_MAX / unit || *n == max) {
			fprintf(stderr, "fraglab sweep: bad size list '%s' (want at most %zu sizes like 4096,64K,1M)\n",
				list, max);
			return -1;
		}
		values[(*n)++] = v * unit;
		p = *end ? end + 1 : end;
	}
	if (*n == 0) {
		fprintf(stderr, "fraglab sweep: empty size list\n");
		return -1;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One point of a sweep: an allocator, and the setting given to it. */
struct sweep_point {
	const char *allocator;
	const char *param;       /* FLMALLOC_BIG, FLMALLOC_KEEP or "policy" */
	char value[32];          /* the setting, as the CSV shows it */
	char env[64];            /* "FLMALLOC_BIG=4096", or "" */
};

struct sweep_state {
	const struct sweep_config *cfg;
	const char *fraglab;
	const struct bench_traces *traces;
	const char *work_dir;
	double start;
	int any_failed;
	int interrupted;
};

/* Replays every trace at every point; writes sweep-NAME.csv and its summary. */
static int sweep_one(struct sweep_state *st, const char *name, const struct sweep_point *points, size_t n_points)
{
	const struct sweep_config *cfg = st->cfg;
	static const char *const first_columns[] = {"param", "value", "trace", "allocator", "run", "status"};
	struct bench_csv runs;
	bench_csv_init(&runs, first_columns, 6);
	char csv_tmp[PATH_MAX], path[PATH_MAX];
	bench_outfile_path(csv_tmp, sizeof csv_tmp, "%s/replay.csv", st->work_dir);
	char missing[SWEEP_MAX_VALUES + 8] = {0};

	for (size_t t = 0; t < st->traces->n && !st->interrupted; t++) {
		for (size_t p = 0; p < n_points && !st->interrupted; p++) {
			if (missing[p])
				continue;
			fprintf(stderr, "[%7.1fs] sweep %s: trace %zu/%zu %s, %s %s=%s (%zu/%zu): %u run%s\n",
				now_s() - st->start, name, t + 1, st->traces->n, st->traces->stems[t],
				points[p].allocator, points[p].param, points[p].value, p + 1, n_points, cfg->runs,
				cfg->runs == 1 ? "" : "s");
			char env_buf[64];
			snprintf(env_buf, sizeof env_buf, "%s", points[p].env);
			char *env[] = {env_buf, NULL};
			struct bench_replay_job job = {
				.fraglab = st->fraglab, .trace = st->traces->paths[t], .trace_stem = st->traces->stems[t],
				.allocator = points[p].allocator, .runs = cfg->runs, .timeout_s = cfg->timeout_s,
				.csv_path = csv_tmp, .env = env_buf[0] ? env : NULL, .indent = "           | ",
			};
			size_t first;
			char why[512];
			switch (bench_replay_run(&job, &runs, &first, why, sizeof why)) {
			case BENCH_REPLAY_INTERRUPTED:
				st->interrupted = 1;
				continue;
			case BENCH_REPLAY_ALLOC_MISSING:
				missing[p] = 1;
				fprintf(stderr, "sweep: allocator %s is not available; skipped\n", points[p].allocator);
				continue;
			case BENCH_REPLAY_NO_ROWS:
			case BENCH_REPLAY_RUNS_FAILED:
				st->any_failed = 1;
				fprintf(stderr, "sweep: %s %s=%s on %s: not every run was ok (%s); recorded, going on\n",
					points[p].allocator, points[p].param, points[p].value, st->traces->stems[t], why);
				break;
			case BENCH_REPLAY_OK:
				break;
			}
			for (size_t r = first; r < runs.n_rows; r++) {
				bench_csv_set_field(&runs, r, "param", points[p].param);
				bench_csv_set_field(&runs, r, "value", points[p].value);
				bench_csv_set_field(&runs, r, "trace", st->traces->stems[t]);
			}
		}
		/* Saved after each trace: an interrupted sweep leaves whole files. */
		bench_outfile_path(path, sizeof path, "%s/sweep-%s.csv", cfg->out_dir, name);
		if (runs.n_rows && bench_csv_save(&runs, path))
			st->any_failed = 1;
	}
	static const char *const keys[] = {"trace", "allocator", "param", "value"};
	struct summary_options opt = {keys, 4, 1};
	struct bench_csv summary;
	summary_compute(&runs, &opt, &summary);
	bench_outfile_path(path, sizeof path, "%s/sweep-%s-summary.csv", cfg->out_dir, name);
	int rc = runs.n_rows ? bench_csv_save(&summary, path) : -1;
	bench_csv_free(&summary);
	bench_csv_free(&runs);
	return rc;
}

static void sweep_plot(const struct sweep_state *st, const char *name, const char *script, const char *xlabel)
{
	const struct sweep_config *cfg = st->cfg;
	char plot_dir[PATH_MAX], data[PATH_MAX], out[PATH_MAX], vars[16384] = "";
	if (!bench_proc_in_path("gnuplot")) {
		fprintf(stderr, "sweep: gnuplot not found; figure skipped\n");
		return;
	}
	if (bench_plot_find_dir(st->fraglab, plot_dir, sizeof plot_dir)) {
		fprintf(stderr, "sweep: plot/ scripts not found (set FRAGLAB_PLOT_DIR); figure skipped\n");
		return;
	}
	char trace_words[8192] = "";
	for (size_t t = 0; t < st->traces->n; t++) {
		size_t len = strlen(trace_words);
		snprintf(trace_words + len, sizeof trace_words - len, "%s%s", len ? " " : "", st->traces->stems[t]);
	}
	bench_plot_add_var(vars, sizeof vars, "traces", trace_words);
	if (xlabel)
		bench_plot_add_var(vars, sizeof vars, "param_label", xlabel);
	bench_outfile_path(data, sizeof data, "%s/sweep-%s-summary.csv", cfg->out_dir, name);
	bench_outfile_path(out, sizeof out, "%s/sweep-%s", cfg->out_dir, name);
	if (bench_plot_draw(plot_dir, script, data, out, vars) == 0)
		fprintf(stderr, "sweep: figure %s.png (and .svg)\n", out);
}

int sweep_run(const struct sweep_config *cfg)
{
	char fraglab[PATH_MAX];
	if (bench_proc_self_exe(fraglab, sizeof fraglab)) {
		fprintf(stderr, "fraglab sweep: cannot find its own binary in /proc/self/exe\n");
		return 2;
	}
	struct bench_traces traces;
	if (bench_traces_collect(cfg->trace_args, cfg->n_trace_args, &traces))
		return 2;
	char work_dir[PATH_MAX];
	bench_outfile_path(work_dir, sizeof work_dir, "%s/.sweep-work-XXXXXX", cfg->out_dir);
	if (bench_outputs_mkdirs(cfg->out_dir) || !mkdtemp(work_dir)) {
		fprintf(stderr, "fraglab sweep: %s: %s\n", work_dir, strerror(errno));
		bench_traces_free(&traces);
		return 2;
	}
	bench_proc_install_interrupt();
	struct sweep_state st = {cfg, fraglab, &traces, work_dir, now_s(), 0, 0};

	struct sweep_point points[SWEEP_MAX_VALUES];
	if (cfg->enabled[SWEEP_BIG] && !st.interrupted) {
		for (size_t i = 0; i < cfg->n_big; i++) {
			points[i] = (struct sweep_point){.allocator = cfg->allocator, .param = "FLMALLOC_BIG"};
			snprintf(points[i].value, sizeof points[i].value, "%llu", cfg->big[i]);
			snprintf(points[i].env, sizeof points[i].env, "FLMALLOC_BIG=%llu", cfg->big[i]);
		}
		if (sweep_one(&st, "big", points, cfg->n_big) == 0 && cfg->plots && !st.interrupted)
			sweep_plot(&st, "big", "sweep_param", "FLMALLOC_BIG (bytes; requests this big or more get their own mapping)");
	}
	if (cfg->enabled[SWEEP_KEEP] && !st.interrupted) {
		for (size_t i = 0; i < cfg->n_keep; i++) {
			points[i] = (struct sweep_point){.allocator = cfg->allocator, .param = "FLMALLOC_KEEP"};
			snprintf(points[i].value, sizeof points[i].value, "%llu", cfg->keep[i]);
			snprintf(points[i].env, sizeof points[i].env, "FLMALLOC_KEEP=%llu", cfg->keep[i]);
		}
		if (sweep_one(&st, "keep", points, cfg->n_keep) == 0 && cfg->plots && !st.interrupted)
			sweep_plot(&st, "keep", "sweep_param", "FLMALLOC_KEEP (bytes of free pages kept before returning memory to the OS)");
	}
	if (cfg->enabled[SWEEP_POLICY] && !st.interrupted) {
		size_t n = sizeof policy_allocators / sizeof policy_allocators[0];
		for (size_t i = 0; i < n; i++) {
			points[i] = (struct sweep_point){.allocator = policy_allocators[i], .param = "policy"};
			const char *colon = strchr(policy_allocators[i], ':');
			snprintf(points[i].value, sizeof points[i].value, "%s", colon ? colon + 1 : "glibc");
		}
		if (sweep_one(&st, "policy", points, n) == 0 && cfg->plots && !st.interrupted)
			sweep_plot(&st, "policy", "sweep_policy", NULL);
	}
	st.interrupted |= bench_proc_interrupted();
	if (!st.interrupted) {
		/* What the sweep ran on, beside its results (machine.txt is bench's). */
		static const char *const swept[] = {"glibc", "flmalloc"};
		char path[PATH_MAX], notes[256];
		bench_outfile_path(path, sizeof path, "%s/sweep-machine.txt", cfg->out_dir);
		snprintf(notes, sizeof notes, "settings: fraglab sweep, %u runs per point, %u s timeout\n", cfg->runs,
			 cfg->timeout_s);
		machine_write_facts(path, swept, 2, notes);
	}
	bench_outputs_remove_scratch(work_dir);
	fprintf(stderr, "sweep: %s after %.1f s; results in %s/sweep-*.csv\n",
		st.interrupted ? "interrupted" : "done", now_s() - st.start, cfg->out_dir);
	bench_traces_free(&traces);
	if (st.interrupted)
		return 130;
	return st.any_failed ? 1 : 0;
}
