/* replay_child.c: the parent's side of a replay child: environment,
 * fork+exec, collecting the result, and naming what became of it. */
#include "replay_child.h"

#include "syscount_ptrace.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The child being waited for, for replay_child_kill_current. */
static volatile sig_atomic_t current_child;

void replay_child_kill_current(void)
{
	pid_t pid = (pid_t)current_child;
	if (pid > 0)
		kill(pid, SIGKILL);
}

/* The child's environment: ours, with LD_PRELOAD replaced by exactly the
 * allocator under test (removed for glibc, so a stray preload never ends
 * up measured under glibc's name), and FLMALLOC_POLICY set for
 * flmalloc:POLICY.  Other FLMALLOC_* pass through. */
static char **child_environ(const struct allocator *al)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 4, sizeof *env);
	if (!env)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(environ[i], "LD_PRELOAD=", 11) || !strncmp(environ[i], "LD_BIND_NOW=", 12))
			continue;
		if (al->policy[0] && !strncmp(environ[i], "FLMALLOC_POLICY=", 16))
			continue;
		env[k++] = environ[i];
	}
	/* Every symbol bound at load time: no lazy PLT resolution (a dynamic
	 * linker call of a microsecond or more) on the first malloc of the
	 * replay, in our code or the allocator's. */
	static char bind_now[] = "LD_BIND_NOW=1";
	env[k++] = bind_now;
	static char preload[PATH_MAX + 16], policy[64];
	if (al->so_path[0]) {
		snprintf(preload, sizeof preload, "LD_PRELOAD=%s", al->so_path);
		env[k++] = preload;
	}
	if (al->policy[0]) {
		snprintf(policy, sizeof policy, "FLMALLOC_POLICY=%s", al->policy);
		env[k++] = policy;
	}
	env[k] = NULL;
	return env;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Reads everything the child writes until EOF or the deadline.  Returns the
 * bytes in *buf (malloc'd), or -1 on timeout. */
static ssize_t read_until_eof(int fd, char **buf, uint64_t deadline_ms)
{
	size_t cap = sizeof(struct replay_result) + 4096, len = 0;
	char *b = malloc(cap);
	if (!b)
		return 0;
	for (;;) {
		int wait_ms = -1;
		if (deadline_ms) {
			uint64_t now = now_ms();
			if (now >= deadline_ms) {
				free(b);
				return -1;
			}
			wait_ms = (int)(deadline_ms - now > 60000 ? 60000 : deadline_ms - now);
		}
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int r = poll(&pfd, 1, wait_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			continue; /* re-check the deadline */
		if (len == cap) {
			char *nb = realloc(b, cap * 2);
			if (!nb)
				break;
			b = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, b + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	*buf = b;
	return (ssize_t)len;
}

static void set_message(struct replay_outcome *o, enum replay_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_message(struct replay_outcome *o, enum replay_status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->result.message, sizeof o->result.message, fmt, ap);
	va_end(ap);
	o->result.status = st;
}

int replay_child_run(const struct replay_job *job, struct replay_outcome *o)
{
	memset(o, 0, sizeof *o);
	o->result.peak_rss_bytes = o->result.final_rss_bytes = o->result.rss_at_peak_live = -1;
	o->result.fail_thread = -1;
	o->result.frag_mean = -1;

	char a_result[16], a_events_fd[16], a_streams_fd[16], a_events[24], a_slots[16], a_peak[24], a_ids[128];
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		set_message(o, REPLAY_FAILED, "pipe: %s", strerror(errno));
		return -1;
	}
	snprintf(a_result, sizeof a_result, "%d", pipefd[1]);
	snprintf(a_events_fd, sizeof a_events_fd, "%d", job->events_fd);
	snprintf(a_events, sizeof a_events, "%llu", (unsigned long long)job->n_events);
	snprintf(a_slots, sizeof a_slots, "%u", job->n_slots);
	snprintf(a_peak, sizeof a_peak, "%llu", (unsigned long long)job->peak_live_event);
	const char *argv[32];
	int k = 0;
	argv[k++] = job->child_path;
	argv[k++] = "--result-fd", argv[k++] = a_result;
	argv[k++] = "--events-fd", argv[k++] = a_events_fd;
	argv[k++] = "--events", argv[k++] = a_events;
	argv[k++] = "--slots", argv[k++] = a_slots;
	argv[k++] = "--pass", argv[k++] = replay_pass_name(job->pass);
	argv[k++] = "--touch", argv[k++] = replay_touch_name(job->touch);
	argv[k++] = "--peak-event", argv[k++] = a_peak;
	argv[k++] = "--allocator", argv[k++] = job->allocator->label;
	argv[k++] = "--kind", argv[k++] = allocators_kind_name(job->allocator->kind);
	if (job->allocator->so_path[0])
		argv[k++] = "--so", argv[k++] = job->allocator->so_path;
	if (job->streams_fd >= 0) {
		snprintf(a_streams_fd, sizeof a_streams_fd, "%d", job->streams_fd);
		argv[k++] = "--streams-fd", argv[k++] = a_streams_fd;
	}
	if (job->verify)
		argv[k++] = "--verify";
	if (job->ptrace_syscalls)
		argv[k++] = "--syscall-markers";
	if (job->syscall_ids) {
		const uint64_t *id = job->syscall_ids;
		snprintf(a_ids, sizeof a_ids, "%llu,%llu,%llu,%llu,%llu", (unsigned long long)id[0],
			 (unsigned long long)id[1], (unsigned long long)id[2], (unsigned long long)id[3],
			 (unsigned long long)id[4]);
		argv[k++] = "--syscall-ids", argv[k++] = a_ids;
	}
	argv[k] = NULL;

	char **env = child_environ(job->allocator);
	if (!env) {
		close(pipefd[0]);
		close(pipefd[1]);
		set_message(o, REPLAY_FAILED, "out of memory");
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		free(env);
		close(pipefd[0]);
		close(pipefd[1]);
		set_message(o, REPLAY_FAILED, "fork: %s", strerror(e));
		return -1;
	}
	if (pid == 0) {
		/* Only async-signal-safe calls from here to exec. The child's stdout
		 * goes to our stderr: CSV may be on our stdout. */
		fcntl(pipefd[1], F_SETFD, 0);
		fcntl(job->events_fd, F_SETFD, 0);
		if (job->streams_fd >= 0)
			fcntl(job->streams_fd, F_SETFD, 0);
		dup2(STDERR_FILENO, STDOUT_FILENO);
		if (job->ptrace_syscalls)
			syscount_ptrace_traceme();
		execve(job->child_path, (char *const *)argv, env);
		_exit(127);
	}
	current_child = pid;
	free(env);
	close(pipefd[1]);

	char *buf = NULL;
	ssize_t got;
	int timed_out, wstatus = 0;
	uint64_t counts[SYSCOUNT_N];
	int counted = -1;
	if (job->ptrace_syscalls) {
		/* The child only writes its result (no samples in this pass): it
		 * fits the pipe's buffer, so following it to its exit first cannot
		 * deadlock. */
		counted = syscount_ptrace_follow(pid, job->timeout_s, counts, &wstatus, &timed_out);
		got = read_until_eof(pipefd[0], &buf, 0);
	} else {
		uint64_t deadline = job->timeout_s ? now_ms() + (uint64_t)job->timeout_s * 1000 : 0;
		got = read_until_eof(pipefd[0], &buf, deadline);
		timed_out = got < 0;
		if (timed_out)
			kill(pid, SIGKILL);
		while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
			;
	}
	close(pipefd[0]);
	current_child = 0;

	const size_t rsize = sizeof(struct replay_result);
	if (timed_out) {
		set_message(o, REPLAY_TIMEOUT, "killed after %u s (allocator %s)", job->timeout_s,
			    job->allocator->label);
	} else if (WIFSIGNALED(wstatus)) {
		o->signal = WTERMSIG(wstatus);
		set_message(o, REPLAY_CRASHED, "replay child killed by SIG%s (allocator %s)",
			    sigabbrev_np(o->signal) ? sigabbrev_np(o->signal) : "?", job->allocator->label);
	} else if ((size_t)got >= rsize && ((struct replay_result *)buf)->magic == REPLAY_RESULT_MAGIC) {
		memcpy(&o->result, buf, rsize);
		o->result.message[sizeof o->result.message - 1] = '\0';
		o->result.syscalls_note[sizeof o->result.syscalls_note - 1] = '\0';
		size_t want = o->result.n_samples * sizeof(struct replay_sample);
		size_t want_threads = o->result.n_thread_results * sizeof(struct replay_thread_result);
		if ((size_t)got - rsize != want + want_threads) {
			set_message(o, REPLAY_FAILED, "replay child sent %zd bytes, expected %zu", got,
				    rsize + want + want_threads);
			o->result.n_samples = 0;
			o->result.n_thread_results = 0;
		} else {
			if (want) {
				o->samples = malloc(want);
				if (o->samples)
					memcpy(o->samples, buf + rsize, want);
				else
					o->result.n_samples = 0;
			}
			if (want_threads) {
				o->threads = malloc(want_threads);
				if (o->threads)
					memcpy(o->threads, buf + rsize + want, want_threads);
				else
					o->result.n_thread_results = 0;
			}
		}
		if (job->ptrace_syscalls) {
			o->result.syscalls_valid = counted == 0;
			if (counted == 0)
				memcpy(o->result.syscalls, counts, sizeof counts);
			else
				snprintf(o->result.syscalls_note, sizeof o->result.syscalls_note,
					 "ptrace could not follow the replay child (is fraglab itself traced?)");
		}
	} else {
		int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
		set_message(o, REPLAY_FAILED, "replay child %s exited with status %d without a result%s",
			    job->child_path, code, code == 127 ? " (could not be executed)" : "");
	}
	free(buf);
	return 0;
}

void replay_outcome_free(struct replay_outcome *o)
{
	free(o->samples);
	o->samples = NULL;
	free(o->threads);
	o->threads = NULL;
}

const char *replay_outcome_status(const struct replay_outcome *o, char *buf, size_t len)
{
	if (o->result.status == REPLAY_CRASHED) {
		const char *abbrev = sigabbrev_np(o->signal);
		if (abbrev)
			snprintf(buf, len, "crashed:SIG%s", abbrev);
		else
			snprintf(buf, len, "crashed:%d", o->signal);
	} else {
		snprintf(buf, len, "%s", replay_status_name(o->result.status));
	}
	return buf;
}
