/* record_run.c: runs the recorded command with libfltrace.so preloaded. */
#include "record_run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim/fltrace_log.h"

static int run_is_executable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int record_run_resolve(const char *cmd, char *out, size_t cap)
{
	if (!*cmd) {
		fprintf(stderr, "fraglab record: empty command\n");
		return -1;
	}
	int found = 0;
	if (strchr(cmd, '/')) {
		if (snprintf(out, cap, "%s", cmd) >= (int)cap) {
			fprintf(stderr, "fraglab record: command path too long\n");
			return -1;
		}
		if (!run_is_executable_file(out)) {
			fprintf(stderr, "fraglab record: cannot run %s: %s\n", cmd,
				access(out, F_OK) ? strerror(errno) : "not an executable file");
			return -1;
		}
		found = 1;
	} else {
		const char *path = getenv("PATH");
		if (!path || !*path)
			path = "/usr/local/bin:/usr/bin:/bin";
		for (const char *p = path; !found; p++) {
			const char *end = strchrnul(p, ':');
			int len = (int)(end - p);
			int n = len ? snprintf(out, cap, "%.*s/%s", len, p, cmd) : snprintf(out, cap, "%s", cmd);
			if (n > 0 && (size_t)n < cap && run_is_executable_file(out))
				found = 1;
			if (!*end)
				break;
			p = end;
		}
		if (!found) {
			fprintf(stderr, "fraglab record: command not found: %s\n", cmd);
			return -1;
		}
	}
	struct stat st;
	if (stat(out, &st) == 0 && (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) ||
				    ((st.st_mode & S_ISGID) && st.st_gid != getegid()))) {
		fprintf(stderr, "fraglab record: %s is set-user/group-id: the loader ignores LD_PRELOAD "
			"for it, so it cannot be recorded\n", out);
		return -1;
	}
	return 0;
}

/* In the child: the environment the shim reads, then exec.  Reports an exec
 * failure's errno through ERR_FD (close-on-exec, so success closes it). */
static void run_child(struct record_run *r, const char *path, int err_fd)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	const char *old = getenv("LD_PRELOAD");
	size_t len = strlen(r->shim) + (old ? strlen(old) : 0) + 2;
	char *preload = malloc(len);
	char pid[32];
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	if (!preload || setenv(FLTRACE_ENV_DIR, r->log_dir, 1) ||
	    (r->first_only ? setenv(FLTRACE_ENV_ONLY_PID, pid, 1) : unsetenv(FLTRACE_ENV_ONLY_PID)))
		goto fail;
	snprintf(preload, len, "%s%s%s", r->shim, old && *old ? ":" : "", old && *old ? old : "");
	if (setenv("LD_PRELOAD", preload, 1))
		goto fail;
	execv(path, r->argv);
fail:;
	int e = errno;
	if (write(err_fd, &e, sizeof e) < 0)
		_exit(127);
	_exit(127);
}

/* The recorded command, for run_forward_signal. */
static volatile sig_atomic_t run_child_pid;

/* SIGTERM or SIGHUP to fraglab goes on to the command, so that fraglab
 * outlives it, writes what it recorded and removes the logs (which live
 * in memory, on tmpfs, until then). */
static void run_forward_signal(int sig)
{
	if (run_child_pid > 0)
		kill((pid_t)run_child_pid, sig);
}

int record_run_command(struct record_run *r, const char *path)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		fprintf(stderr, "fraglab record: pipe: %s\n", strerror(errno));
		return -1;
	}
	fflush(NULL);
	/* Like system(): ^C goes to the command, and we still write its trace. */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_quit;
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "fraglab record: fork: %s\n", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		return -1;
	}
	if (pid == 0) {
		close(pipefd[0]);
		run_child(r, path, pipefd[1]);
	}
	close(pipefd[1]);
	run_child_pid = pid;
	struct sigaction fwd = {.sa_handler = run_forward_signal}, old_term, old_hup;
	sigaction(SIGTERM, &fwd, &old_term);
	sigaction(SIGHUP, &fwd, &old_hup);
	int child_errno = 0;
	ssize_t got;
	do
		got = read(pipefd[0], &child_errno, sizeof child_errno);
	while (got < 0 && errno == EINTR);
	close(pipefd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	run_child_pid = 0;
	r->pid = pid;
	r->status = status;
	if (got == (ssize_t)sizeof child_errno) {
		fprintf(stderr, "fraglab record: cannot run %s: %s\n", r->argv[0], strerror(child_errno));
		return -1;
	}
	return 0;
}
