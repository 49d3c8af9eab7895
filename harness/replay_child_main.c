/*
 * replay_child_main.c: fraglab-child, one replay pass in a fresh process.
 *
 *   fraglab-child --result-fd FD --events-fd FD --events N --slots N
 *                 --pass timing|series|latency --touch all|first|none
 *                 [--verify] [--peak-event N] --allocator LABEL
 *                 --kind KIND [--so PATH] [--syscall-ids A,B,C,D,E]
 *                 [--syscall-markers] [--streams-fd FD]
 *
 * Started only by fraglab replay (replay_child.c), with the allocator under
 * test already in LD_PRELOAD.  It proves the preload took, maps the events
 * the parent compiled, replays, and writes one struct replay_result
 * (then the series samples, then per-thread figures) to the result fd.
 * --streams-fd: replay the per-thread streams in that memfd on real
 * threads (replay_threads.h) instead of the events in global order.
 * Built without sanitizers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allocators.h"
#include "replay.h"
#include "replay_child.h"
#include "series.h"
#include "syscount.h"
#include "write_all.h"

struct child_args {
	int result_fd, events_fd, streams_fd;
	uint64_t n_events, n_slots, peak_event;
	int pass, touch, kind;
	int verify, syscall_markers;
	const char *allocator, *so;
	int count_syscalls;
	uint64_t syscall_ids[SYSCOUNT_N];
};

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct child_args *a)
{
	memset(a, 0, sizeof *a);
	a->result_fd = a->events_fd = a->streams_fd = a->pass = a->touch = a->kind = -1;
	a->peak_event = UINT64_MAX;
	a->so = "";
	for (int i = 1; i < argc; i++) {
		const char *k = argv[i];
		if (!strcmp(k, "--verify")) {
			a->verify = 1;
			continue;
		}
		if (!strcmp(k, "--syscall-markers")) {
			a->syscall_markers = 1;
			continue;
		}
		if (i + 1 >= argc)
			return -1;
		const char *v = argv[++i];
		uint64_t n = 0;
		if (!strcmp(k, "--result-fd") && !parse_u64(v, &n))
			a->result_fd = (int)n;
		else if (!strcmp(k, "--events-fd") && !parse_u64(v, &n))
			a->events_fd = (int)n;
		else if (!strcmp(k, "--streams-fd") && !parse_u64(v, &n))
			a->streams_fd = (int)n;
		else if (!strcmp(k, "--events") && !parse_u64(v, &n))
			a->n_events = n;
		else if (!strcmp(k, "--slots") && !parse_u64(v, &n) && n <= UINT32_MAX)
			a->n_slots = n;
		else if (!strcmp(k, "--peak-event") && !parse_u64(v, &n))
			a->peak_event = n;
		else if (!strcmp(k, "--pass"))
			a->pass = replay_pass_parse(v);
		else if (!strcmp(k, "--touch"))
			a->touch = replay_touch_parse(v);
		else if (!strcmp(k, "--kind"))
			a->kind = allocators_kind_parse(v);
		else if (!strcmp(k, "--allocator"))
			a->allocator = v;
		else if (!strcmp(k, "--so"))
			a->so = v;
		else if (!strcmp(k, "--syscall-ids")) {
			unsigned long long id[SYSCOUNT_N];
			if (sscanf(v, "%llu,%llu,%llu,%llu,%llu", &id[0], &id[1], &id[2], &id[3], &id[4]) != 5)
				return -1;
			for (int c = 0; c < SYSCOUNT_N; c++)
				a->syscall_ids[c] = id[c];
			a->count_syscalls = 1;
		} else
			return -1;
	}
	if (a->result_fd < 0 || a->events_fd < 0 || a->pass < 0 || a->touch < 0 || a->kind < 0 ||
	    !a->allocator)
		return -1;
	return 0;
}

static void send_and_exit(const struct child_args *a, struct replay_result *res,
			  const struct replay_workspace *ws)
{
	res->magic = REPLAY_RESULT_MAGIC;
	if (ws == NULL)
		res->n_samples = 0;
	res->n_thread_results = ws ? ws->n_thread_results : 0;
	int bad = write_all(a->result_fd, res, sizeof *res) ||
		  (res->n_samples &&
		   write_all(a->result_fd, ws->samples, res->n_samples * sizeof *ws->samples)) ||
		  (res->n_thread_results &&
		   write_all(a->result_fd, ws->thread_results,
			     res->n_thread_results * sizeof *ws->thread_results));
	/* _exit: the allocator's exit-time work is not part of any figure, and
	 * the parent already has everything. */
	_exit(bad ? 3 : 0);
}

int main(int argc, char **argv)
{
	struct child_args a;
	if (parse_args(argc, argv, &a) != 0) {
		fprintf(stderr, REPLAY_CHILD_NAME ": bad arguments (this program is started by 'fraglab replay')\n");
		return 2;
	}
	static struct replay_result res; /* static: no large stack frame, zeroed */
	res.rss_at_peak_live = -1;
	res.frag_mean = -1;
	res.peak_rss_bytes = res.final_rss_bytes = -1;
	res.fail_thread = -1;

	char msg[400]; /* fits res.message with its prefix */
	if (allocators_check_served(a.kind, a.so, msg, sizeof msg) != 0) {
		res.status = REPLAY_PRELOAD_FAILED;
		snprintf(res.message, sizeof res.message, "allocator %s: %s", a.allocator, msg);
		send_and_exit(&a, &res, NULL);
	}

	const struct trace_event *events = NULL;
	/* A threaded replay reads only its per-thread streams (the same
	 * events, reordered): the global order is not mapped at all. */
	size_t events_len = a.streams_fd >= 0 ? 0 : a.n_events * sizeof *events;
	if (events_len) {
		/* MAP_POPULATE: the whole op stream is resident before the clock. */
		void *m = mmap(NULL, events_len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, a.events_fd, 0);
		if (m == MAP_FAILED) {
			res.status = REPLAY_FAILED;
			snprintf(res.message, sizeof res.message, "cannot map the trace's events: %s",
				 strerror(errno));
			send_and_exit(&a, &res, NULL);
		}
		mlock(m, events_len); /* where allowed; see replay_map */
		events = m;
	}
	close(a.events_fd);

	const struct replay_streams_header *streams = NULL;
	if (a.streams_fd >= 0) {
		struct stat st;
		void *m = MAP_FAILED;
		if (fstat(a.streams_fd, &st) == 0 && st.st_size > 0)
			m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE,
				 a.streams_fd, 0);
		if (m == MAP_FAILED || replay_streams_check(m, (size_t)st.st_size) != 0 ||
		    ((const struct replay_streams_header *)m)->n_events != a.n_events) {
			res.status = REPLAY_FAILED;
			snprintf(res.message, sizeof res.message, "cannot map the per-thread streams%s",
				 m == MAP_FAILED ? "" : ": they do not match the trace");
			send_and_exit(&a, &res, NULL);
		}
		mlock(m, (size_t)st.st_size);
		streams = m;
		close(a.streams_fd);
	}

	struct syscount sc;
	struct replay_config cfg = {
		.events = events,
		.n_events = a.n_events,
		.n_slots = streams && a.pass != REPLAY_PASS_SERIES ? streams->n_slots : (uint32_t)a.n_slots,
		.pass = a.pass,
		.touch = a.touch,
		.verify = a.verify,
		.syscall_markers = a.syscall_markers,
		.peak_live_event = a.peak_event,
		.allocator = a.allocator,
		.streams = a.pass == REPLAY_PASS_SERIES ? NULL : streams,
		.syscall_ids = a.count_syscalls ? a.syscall_ids : NULL,
	};
	if (a.pass == REPLAY_PASS_SERIES)
		cfg.mapped_bytes = series_mapped_probe(a.kind);
	if (a.pass == REPLAY_PASS_TIMING) {
		if (a.syscall_markers)
			snprintf(res.syscalls_note, sizeof res.syscalls_note, "counted by the parent with ptrace");
		else if (!a.count_syscalls)
			snprintf(res.syscalls_note, sizeof res.syscalls_note, "syscall counting not requested");
		else if (syscount_open(&sc, a.syscall_ids, res.syscalls_note, sizeof res.syscalls_note) == 0)
			cfg.syscount = &sc;
	}

	static struct replay_workspace ws;
	if (replay_workspace_init(&ws, &cfg, msg, sizeof msg) != 0) {
		res.status = REPLAY_FAILED;
		snprintf(res.message, sizeof res.message, "%s", msg);
		send_and_exit(&a, &res, NULL);
	}
	replay_run(&cfg, &ws, &res);
	send_and_exit(&a, &res, &ws);
}
