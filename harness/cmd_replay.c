/*
 * cmd_replay.c: fraglab replay: replays traces against allocators, each
 * (trace, allocator, pass, run) in a fresh fraglab-child, and writes one CSV
 * row per timing run (docs/metrics.md defines the columns).
 *
 * Everything that can be wrong with the command line, the allocators or the
 * traces is found before the first child starts: such errors print one line
 * and exit 2 with no output file written.  Runs that fail (verify, oom,
 * crash, timeout, preload) get their row and make the exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "allocators.h"
#include "cli.h"
#include "csv.h"
#include "replay.h"
#include "replay_child.h"
#include "replay_streams.h"
#include "syscount.h"
#include "trace.h"
#include "write_all.h"

#define PROG "fraglab replay"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fraglab replay [--alloc A]... [--runs N] [--csv FILE] [--series FILE]\n"
		"                      [--touch all|first|none] [--verify] [--latency]\n"
		"                      [--timeout SECONDS] [--threads recorded|1] TRACE...\n"
		"\n"
		"Replays each TRACE against each allocator A (default glibc), every run in a\n"
		"fresh child process, and writes one CSV row per run (to FILE or stdout).\n"
		"  --alloc A        glibc, flmalloc, flmalloc:POLICY, jemalloc, mimalloc,\n"
		"                   tcmalloc, or a path to a malloc .so; repeatable\n"
		"  --runs N         timing runs per trace and allocator (default 1)\n"
		"  --csv FILE       write the rows to FILE (atomically) instead of stdout\n"
		"  --series FILE    write live bytes / heap RSS / mapped bytes over time\n"
		"  --touch MODE     write all bytes of each block (default), the first byte\n"
		"                   of each page it spans, or none\n"
		"  --verify         check contents, alignment, zeroing and overlaps\n"
		"  --latency        add a latency pass: per-call percentiles\n"
		"  --timeout S      kill a child after S seconds: status timeout (default 600)\n"
		"  --threads MODE   recorded (default): a trace whose events carry several\n"
		"                   tids replays each on its own thread, cross-thread\n"
		"                   order kept; 1: every trace on one thread, global order\n"
		"See docs/metrics.md for what each column means and how it is measured.\n");
}

/* A trace ready to replay: its events in a sealed memfd the children map. */
struct loaded_trace {
	char name[256];
	int events_fd;
	uint64_t n_events;
	uint32_t n_slots;
	uint64_t peak_live_bytes, peak_live_event;
	/* --threads recorded and more than one tid: the per-thread streams */
	int streams_fd; /* -1: replayed in global order on one thread */
	struct replay_streams_info streams;
};

/* Output files are written under a temporary name and renamed when whole;
 * an interrupt removes the temporaries. */
static char tmp_csv[PATH_MAX + 32], tmp_series[PATH_MAX + 32];

static void on_interrupt(int sig)
{
	replay_child_kill_current();
	if (tmp_csv[0])
		unlink(tmp_csv);
	if (tmp_series[0])
		unlink(tmp_series);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int load_trace(const char *path, bool threaded, uint32_t extra_slots,
		      struct loaded_trace *lt)
{
	struct trace t;
	if (trace_open(path, &t) != 0)
		return -1; /* trace_open named the file, line and problem */
	memset(lt, 0, sizeof *lt);
	lt->streams_fd = -1;
	if (t.name[0]) {
		snprintf(lt->name, sizeof lt->name, "%s", t.name);
	} else {
		char copy[PATH_MAX];
		snprintf(copy, sizeof copy, "%s", path);
		snprintf(lt->name, sizeof lt->name, "%s", basename(copy));
	}
	lt->n_events = t.n_events;
	lt->n_slots = t.n_slots;
	lt->peak_live_bytes = t.summary.peak_live_bytes;
	lt->peak_live_event = t.summary.peak_live_bytes ? t.summary.peak_live_event : UINT64_MAX;
	lt->events_fd = memfd_create("fraglab-events", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int ok = lt->events_fd >= 0 &&
		 write_all(lt->events_fd, t.events, t.n_events * sizeof *t.events) == 0 &&
		 /* F_SEAL_FUTURE_WRITE, not F_SEAL_WRITE: nothing maps the memfd
		  * writable, and F_SEAL_WRITE fails with EBUSY while the kernel
		  * still holds the freshly written pages in another CPU's LRU
		  * batch (seen in make bench).  Children still cannot write. */
		 fcntl(lt->events_fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE | F_SEAL_GROW | F_SEAL_SHRINK) == 0;
	if (!ok) {
		fprintf(stderr, PROG ": %s: cannot stage the compiled events: %s\n", path, strerror(errno));
		trace_close(&t);
		return -1;
	}
	if (threaded && t.summary.threads > 1) {
		char err[256];
		if (replay_streams_build(t.events, t.n_events, t.n_slots, t.summary.threads,
					 extra_slots, &lt->streams_fd, &lt->streams, err, sizeof err) != 0) {
			fprintf(stderr, PROG ": %s: %s\n", path, err);
			trace_close(&t);
			close(lt->events_fd);
			return -1;
		}
		fprintf(stderr,
			"replay: %s: %u threads, %llu cross-thread dependencies (%llu remote frees, "
			"%llu slots taken from other threads), %u replay slots\n",
			lt->name, lt->streams.n_threads, (unsigned long long)lt->streams.handoffs,
			(unsigned long long)lt->streams.remote_frees,
			(unsigned long long)lt->streams.slot_steals, lt->streams.n_slots);
	}
	trace_close(&t);
	return 0;
}

/* How syscalls are counted: perf tracepoints in the timing runs when the
 * kernel allows them, else ptrace in a pass of its own.  FRAGLAB_SYSCOUNT
 * = perf | ptrace | none forces a choice (tests use it). */
enum syscount_mode { SYSCOUNT_MODE_PERF, SYSCOUNT_MODE_PTRACE, SYSCOUNT_MODE_NONE };

static int choose_syscount(uint64_t ids[SYSCOUNT_N], enum syscount_mode *mode)
{
	const char *want = getenv("FRAGLAB_SYSCOUNT");
	if (want && *want && strcmp(want, "perf") && strcmp(want, "ptrace") && strcmp(want, "none")) {
		fprintf(stderr, PROG ": FRAGLAB_SYSCOUNT must be perf, ptrace or none, not '%s'\n", want);
		return -1;
	}
	if (want && !strcmp(want, "none")) {
		*mode = SYSCOUNT_MODE_NONE;
		return 0;
	}
	if (want && !strcmp(want, "ptrace")) {
		*mode = SYSCOUNT_MODE_PTRACE;
		return 0;
	}
	char why[512];
	struct syscount probe;
	if (syscount_lookup_ids(ids, why, sizeof why) == 0 &&
	    syscount_open(&probe, ids, why, sizeof why) == 0) {
		syscount_close(&probe);
		*mode = SYSCOUNT_MODE_PERF;
		return 0;
	}
	if (want) { /* perf asked for by name */
		fprintf(stderr, PROG ": syscall counts unavailable: %s\n", why);
		*mode = SYSCOUNT_MODE_NONE;
	} else {
		fprintf(stderr, PROG ": perf cannot count syscalls (%s); counting them with ptrace in a pass of their own\n", why);
		*mode = SYSCOUNT_MODE_PTRACE;
	}
	return 0;
}

/* The directory fraglab runs from: fraglab-child and libflmalloc.so live there. */
static int self_dir(char *out, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", out, len - 1);
	if (n <= 0)
		return -1;
	out[n] = '\0';
	char *slash = strrchr(out, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	return 0;
}

/* The trace's index of event k of replay thread t, read from the staged
 * global order; UINT64_MAX if it cannot be found. */
static uint64_t global_event_index(const struct loaded_trace *lt, uint32_t t, uint64_t k)
{
	size_t len = lt->n_events * sizeof(struct trace_event);
	const struct trace_event *ev = mmap(NULL, len, PROT_READ, MAP_PRIVATE, lt->events_fd, 0);
	if (ev == MAP_FAILED)
		return UINT64_MAX;
	uint64_t found = UINT64_MAX;
	for (uint64_t i = 0; i < lt->n_events; i++)
		if (ev[i].tid == t && k-- == 0) {
			found = i;
			break;
		}
	munmap((void *)ev, len);
	return found;
}

static void print_progress(const struct loaded_trace *lt, const struct allocator *al,
			   const char *what, const struct replay_outcome *o)
{
	char st[64];
	replay_outcome_status(o, st, sizeof st);
	const struct replay_result *r = &o->result;
	fprintf(stderr, "replay: %s / %s %s: %s", lt->name, al->label, what, st);
	if (r->status != REPLAY_OK) {
		uint64_t at = r->fail_thread >= 0 && r->status != REPLAY_CRASHED && r->status != REPLAY_TIMEOUT
				      ? global_event_index(lt, (uint32_t)r->fail_thread, r->fail_thread_event)
				      : UINT64_MAX;
		if (at != UINT64_MAX)
			fprintf(stderr, ": %s (the trace's event %llu)\n", r->message, (unsigned long long)at);
		else
			fprintf(stderr, ": %s\n", r->message);
		return;
	}
	if (r->events_done)
		fprintf(stderr, ", %.1f ns/op", (double)r->elapsed_ns / (double)r->events_done);
	if (r->n_threads > 1)
		fprintf(stderr, ", %u threads (%.3f s waiting)", r->n_threads, (double)r->wait_ns / 1e9);
	if (r->peak_rss_bytes >= 0)
		fprintf(stderr, ", peak heap RSS %.2f MiB", (double)r->peak_rss_bytes / 1048576.0);
	fprintf(stderr, " (%.2f s replayed)\n", (double)r->elapsed_ns / 1e9);
}

struct options {
	const char **allocs;
	int n_allocs;
	unsigned runs, timeout_s;
	const char *csv_path, *series_path;
	enum replay_touch touch;
	bool verify, latency;
	bool threads_recorded; /* --threads recorded (default) */
};

static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static FILE *open_output(const char *path, char *tmp, size_t tmplen)
{
	snprintf(tmp, tmplen, "%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "we"); /* e: replay children must not inherit it */
	if (!f) {
		fprintf(stderr, PROG ": %s: %s\n", tmp, strerror(errno));
		tmp[0] = '\0';
	}
	return f;
}

static int finish_output(FILE *f, const char *path, char *tmp)
{
	int bad = ferror(f) | (fclose(f) != 0);
	if (bad || rename(tmp, path) != 0) {
		fprintf(stderr, PROG ": cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		tmp[0] = '\0';
		return -1;
	}
	tmp[0] = '\0';
	return 0;
}

/* What every (trace, allocator) pair of one invocation shares. */
struct replay_session {
	const struct options *opt;
	const char *child_path;
	enum syscount_mode sc_mode;
	const uint64_t *syscall_ids; /* perf mode: tracepoint ids */
	FILE *csv, *series;
	bool warned_syscalls, warned_ptrace_threads;
};

/* Runs one pass in a fresh child and prints its progress line; 0 if ok. */
static int run_pass(const struct replay_job *job, const struct loaded_trace *lt,
		    const struct allocator *al, const char *what, struct replay_outcome *o)
{
	replay_child_run(job, o);
	print_progress(lt, al, what, o);
	return o->result.status == REPLAY_OK ? 0 : -1;
}

/* The CSV row of one timing run, from it and the pair's other passes. */
static void write_row(struct replay_session *s, const struct loaded_trace *lt,
		      const struct allocator *al, unsigned run, const struct replay_outcome *to,
		      const struct replay_outcome *so, const struct replay_outcome *co,
		      const struct replay_outcome *lo)
{
	const struct replay_result *r = &to->result;
	const bool ok = r->status == REPLAY_OK;
	const bool s_ok = so->result.status == REPLAY_OK;
	/* crashed or killed children never said how far they got */
	const bool events_known = r->status != REPLAY_CRASHED && r->status != REPLAY_TIMEOUT;
	const struct replay_result *sc = s->sc_mode == SYSCOUNT_MODE_PTRACE ? &co->result : r;
	const double live = (double)lt->peak_live_bytes;
	char st[64];
	struct csv_replay_row row = {
		.trace = lt->name, .allocator = al->label,
		.status = replay_outcome_status(to, st, sizeof st), .run = run,
		.events = events_known ? (int64_t)r->events_done : -1,
		.seconds = ok ? (double)r->elapsed_ns / 1e9 : -1,
		.peak_live_bytes = lt->peak_live_bytes,
		.peak_rss_bytes = ok ? r->peak_rss_bytes : -1,
		.final_rss_bytes = ok ? r->final_rss_bytes : -1,
		.frag_peak = ok && r->peak_rss_bytes >= 0 && live > 0 ? (double)r->peak_rss_bytes / live : -1,
		.frag_at_peak_live = s_ok && so->result.rss_at_peak_live >= 0 && live > 0
					     ? (double)so->result.rss_at_peak_live / live : -1,
		.frag_mean = s_ok ? so->result.frag_mean : -1,
		.syscalls_valid = ok && sc->status == REPLAY_OK && sc->syscalls_valid,
		.minor_faults = ok ? (int64_t)r->minor_faults : -1,
		.latency_valid = lo->result.status == REPLAY_OK && lo->result.latency_valid,
	};
	memcpy(row.syscalls, sc->syscalls, sizeof row.syscalls);
	/* Threads: a replay in global order is one thread that never waits. */
	struct replay_thread_result one = {.events = r->events_done, .busy_ns = r->elapsed_ns};
	row.threads = r->n_threads;
	row.alloc_seconds = (double)r->alloc_ns / 1e9;
	row.wait_seconds = (double)r->wait_ns / 1e9;
	row.blocked_waits = (int64_t)r->blocked_waits;
	row.handoffs = lt->streams_fd >= 0 ? (int64_t)lt->streams.handoffs : 0;
	row.remote_frees = lt->streams_fd >= 0 ? (int64_t)lt->streams.remote_frees : 0;
	row.thread_results = r->n_thread_results ? to->threads : events_known ? &one : NULL;
	row.n_thread_results = r->n_thread_results ? r->n_thread_results : 1;
	memcpy(row.latency_ns, lo->result.latency_ns, sizeof row.latency_ns);
	if (ok && !row.syscalls_valid && s->sc_mode != SYSCOUNT_MODE_NONE && !s->warned_syscalls) {
		s->warned_syscalls = true;
		fprintf(stderr, PROG ": syscall counts unavailable: %s\n",
			sc->syscalls_note[0] ? sc->syscalls_note : sc->message);
	}
	csv_replay_row(s->csv, &row, s->opt->latency);
	fflush(s->csv);
}

/* Every pass of one (trace, allocator): series, syscalls (ptrace mode),
 * latency (--latency), then the timing runs, one row each.  Returns 0 when
 * every pass was ok. */
static int replay_pair(struct replay_session *s, const struct loaded_trace *lt,
		       const struct allocator *al)
{
	const struct options *opt = s->opt;
	struct replay_job job = {
		.child_path = s->child_path, .allocator = al, .events_fd = lt->events_fd,
		.n_events = lt->n_events, .n_slots = lt->n_slots, .touch = opt->touch,
		.verify = opt->verify, .peak_live_event = lt->peak_live_event,
		.timeout_s = opt->timeout_s, .streams_fd = -1,
	};
	int bad = 0;
	struct replay_outcome so, co, lo;
	memset(&co, 0, sizeof co);
	memset(&lo, 0, sizeof lo);

	job.pass = REPLAY_PASS_SERIES;
	if (run_pass(&job, lt, al, "series pass", &so) != 0)
		bad = 1;
	else if (s->series)
		csv_series_rows(s->series, lt->name, al->label, so.samples, so.result.n_samples);

	/* The series pass samples live bytes and RSS every K events of the
	 * global order, so it always replays on one thread; the other passes
	 * run the recorded threads. */
	job.streams_fd = lt->streams_fd;
	if (s->sc_mode == SYSCOUNT_MODE_PTRACE && lt->streams_fd >= 0) {
		if (!s->warned_ptrace_threads)
			fprintf(stderr, PROG ": %s: syscalls not counted: ptrace follows one thread, a threaded replay needs perf (or --threads 1)\n",
				lt->name);
		s->warned_ptrace_threads = true;
	} else if (s->sc_mode == SYSCOUNT_MODE_PTRACE) {
		job.pass = REPLAY_PASS_TIMING;
		job.ptrace_syscalls = true;
		bad |= run_pass(&job, lt, al, "syscall pass (ptrace)", &co) != 0;
		job.ptrace_syscalls = false;
	}
	if (opt->latency) {
		job.pass = REPLAY_PASS_LATENCY;
		bad |= run_pass(&job, lt, al, "latency pass", &lo) != 0;
	}

	job.pass = REPLAY_PASS_TIMING;
	job.syscall_ids = s->syscall_ids;
	for (unsigned run = 1; run <= opt->runs; run++) {
		struct replay_outcome to;
		char what[64];
		snprintf(what, sizeof what, "run %u/%u", run, opt->runs);
		bad |= run_pass(&job, lt, al, what, &to) != 0;
		write_row(s, lt, al, run, &to, &so, &co, &lo);
		replay_outcome_free(&to);
	}
	replay_outcome_free(&so);
	replay_outcome_free(&co);
	replay_outcome_free(&lo);
	return bad ? -1 : 0;
}

int cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"alloc", required_argument, NULL, 'a'},  {"runs", required_argument, NULL, 'n'},
		{"csv", required_argument, NULL, 'c'},    {"series", required_argument, NULL, 's'},
		{"touch", required_argument, NULL, 't'},  {"verify", no_argument, NULL, 'v'},
		{"latency", no_argument, NULL, 'l'},      {"timeout", required_argument, NULL, 'T'},
		{"threads", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	struct options opt = {.runs = 1, .timeout_s = 600, .touch = REPLAY_TOUCH_ALL,
			      .threads_recorded = true};
	const char **allocs = calloc((size_t)argc + 1, sizeof *allocs);
	if (!allocs)
		return 2;
	opt.allocs = allocs;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			allocs[opt.n_allocs++] = optarg;
			break;
		case 'n':
			if (parse_uint(optarg, 1, 1000000, &opt.runs)) {
				fprintf(stderr, PROG ": --runs wants a whole number >= 1, not '%s'\n", optarg);
				goto usage_error;
			}
			break;
		case 'T':
			if (parse_uint(optarg, 0, 86400 * 7, &opt.timeout_s)) {
				fprintf(stderr, PROG ": --timeout wants seconds (0 = none), not '%s'\n", optarg);
				goto usage_error;
			}
			break;
		case 'c':
			opt.csv_path = optarg;
			break;
		case 's':
			opt.series_path = optarg;
			break;
		case 't': {
			int t = replay_touch_parse(optarg);
			if (t < 0) {
				fprintf(stderr, PROG ": --touch wants all, first or none, not '%s'\n", optarg);
				goto usage_error;
			}
			opt.touch = t;
			break;
		}
		case 'v':
			opt.verify = true;
			break;
		case 'P':
			if (!strcmp(optarg, "recorded") || !strcmp(optarg, "1")) {
				opt.threads_recorded = !strcmp(optarg, "recorded");
			} else {
				fprintf(stderr, PROG ": --threads wants recorded or 1, not '%s'\n", optarg);
				goto usage_error;
			}
			break;
		case 'l':
			opt.latency = true;
			break;
		case 'h':
			usage(stdout);
			free(allocs);
			return 0;
		default:
			fprintf(stderr, PROG ": unknown or incomplete option '%s' (try --help)\n",
				argv[optind - 1]);
			goto usage_error;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, PROG ": no trace given (try --help)\n");
		goto usage_error;
	}
	if (opt.n_allocs == 0)
		allocs[opt.n_allocs++] = "glibc";

	char dir[PATH_MAX], child_path[PATH_MAX + 32];
	if (self_dir(dir, sizeof dir) != 0) {
		fprintf(stderr, PROG ": cannot find my own executable in /proc/self/exe\n");
		goto usage_error;
	}
	snprintf(child_path, sizeof child_path, "%s/" REPLAY_CHILD_NAME, dir);
	if (access(child_path, X_OK) != 0) {
		fprintf(stderr, PROG ": %s not found (build it with make)\n", child_path);
		goto usage_error;
	}
	struct allocator *al = calloc((size_t)opt.n_allocs, sizeof *al);
	int n_traces = argc - optind;
	struct loaded_trace *traces = calloc((size_t)n_traces, sizeof *traces);
	if (!al || !traces) {
		free(al);
		free(traces);
		goto usage_error;
	}
	int rc = 2;
	int loaded = 0;
	FILE *csv = NULL, *series = NULL;
	for (int i = 0; i < opt.n_allocs; i++) {
		char err[512];
		if (allocators_resolve(allocs[i], dir, &al[i], err, sizeof err) != 0) {
			fprintf(stderr, PROG ": %s\n", err);
			goto out;
		}
	}
	uint32_t extra_slots = REPLAY_STREAMS_EXTRA_SLOTS;
	const char *extra_env = getenv("FRAGLAB_REPLAY_EXTRA_SLOTS");
	if (extra_env && *extra_env) {
		unsigned v;
		if (parse_uint(extra_env, 0, UINT32_MAX / 2, &v)) {
			fprintf(stderr, PROG ": FRAGLAB_REPLAY_EXTRA_SLOTS wants a whole number, not '%s'\n",
				extra_env);
			goto out;
		}
		extra_slots = v;
	}
	for (; loaded < n_traces; loaded++)
		if (load_trace(argv[optind + loaded], opt.threads_recorded, extra_slots, &traces[loaded]) != 0)
			goto out;

	uint64_t ids[SYSCOUNT_N];
	enum syscount_mode sc_mode;
	if (choose_syscount(ids, &sc_mode) != 0)
		goto out;

	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	csv = opt.csv_path ? open_output(opt.csv_path, tmp_csv, sizeof tmp_csv) : stdout;
	if (!csv)
		goto out;
	if (opt.series_path && !(series = open_output(opt.series_path, tmp_series, sizeof tmp_series)))
		goto out;
	csv_replay_header(csv, opt.latency);
	if (series)
		csv_series_header(series);
	fflush(csv);

	rc = 0;
	struct replay_session session = {
		.opt = &opt, .child_path = child_path, .sc_mode = sc_mode,
		.syscall_ids = sc_mode == SYSCOUNT_MODE_PERF ? ids : NULL, .csv = csv, .series = series,
	};
	for (int ti = 0; ti < n_traces; ti++)
		for (int ai = 0; ai < opt.n_allocs; ai++)
			if (replay_pair(&session, &traces[ti], &al[ai]) != 0)
				rc = 1;
	if (opt.csv_path && finish_output(csv, opt.csv_path, tmp_csv) != 0)
		rc = 2;
	csv = NULL;
	if (series && finish_output(series, opt.series_path, tmp_series) != 0)
		rc = 2;
	series = NULL;
out:
	if (csv && csv != stdout) {
		fclose(csv);
		unlink(tmp_csv);
		tmp_csv[0] = '\0';
	}
	if (series) {
		fclose(series);
		unlink(tmp_series);
		tmp_series[0] = '\0';
	}
	for (int i = 0; i < loaded; i++) {
		close(traces[i].events_fd);
		if (traces[i].streams_fd >= 0)
			close(traces[i].streams_fd);
	}
	free(traces);
	free(al);
	free(allocs);
	return rc;
usage_error:
	free(allocs);
	return 2;
}
