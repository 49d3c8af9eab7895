/* bench_proc.c: fork/exec/wait for bench's subprocesses, and Ctrl-C. */
#include "bench_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

void bench_proc_install_interrupt(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int bench_proc_interrupted(void)
{
	return interrupted;
}

int bench_proc_self_exe(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	if (n < 0 || (size_t)n >= size - 1)
		return -1;
	buf[n] = '\0';
	return 0;
}

int bench_proc_in_path(const char *program)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	char dir[4096];
	while (*path) {
		size_t n = strcspn(path, ":");
		if (n > 0 && n < sizeof dir - 1) {
			memcpy(dir, path, n);
			dir[n] = '\0';
			char full[8192];
			snprintf(full, sizeof full, "%s/%s", dir, program);
			if (access(full, X_OK) == 0)
				return 1;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return 0;
}

/* In the child: point fd at `path` (or /dev/null). */
static void redirect(int fd, const char *path)
{
	int f = open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (f >= 0) {
		dup2(f, fd);
		close(f);
	}
}

static void wait_child(pid_t pid, struct bench_proc_result *res)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = 127 << 8;
			break;
		}
	res->exited = WIFEXITED(status);
	res->code = res->exited ? WEXITSTATUS(status) : -1;
	res->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	res->exec_failed = res->exited && res->code == 127;
}

int bench_proc_run(char *const argv[], char *const env_set[], const char *stdout_path,
		   const char *stderr_path, struct bench_proc_result *res)
{
	memset(res, 0, sizeof *res);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "fraglab: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* The child restores default signal handling so Ctrl-C stops it. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		for (size_t i = 0; env_set && env_set[i]; i++)
			putenv(env_set[i]);
		redirect(STDOUT_FILENO, stdout_path);
		redirect(STDERR_FILENO, stderr_path);
		execvp(argv[0], argv);
		_exit(127);
	}
	wait_child(pid, res);
	return 0;
}

int bench_proc_run_watch(char *const argv[], char *const env_set[], const char *stdout_path,
			 void (*on_line)(const char *line, void *ctx), void *ctx,
			 struct bench_proc_result *res)
{
	memset(res, 0, sizeof *res);
	int fds[2];
	if (pipe2(fds, O_CLOEXEC)) {
		fprintf(stderr, "fraglab: pipe: %s\n", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "fraglab: fork: %s\n", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		for (size_t i = 0; env_set && env_set[i]; i++)
			putenv(env_set[i]);
		redirect(STDOUT_FILENO, stdout_path);
		dup2(fds[1], STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	/* Lines longer than the buffer are handed over in pieces. */
	char line[4096];
	size_t len = 0;
	for (;;) {
		char chunk[1024];
		ssize_t n = read(fds[0], chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (chunk[i] == '\n' || len == sizeof line - 1) {
				line[len] = '\0';
				on_line(line, ctx);
				len = 0;
				if (chunk[i] == '\n')
					continue;
			}
			line[len++] = chunk[i];
		}
	}
	if (len) {
		line[len] = '\0';
		on_line(line, ctx);
	}
	close(fds[0]);
	wait_child(pid, res);
	return 0;
}

int bench_proc_capture_line(char *const argv[], char *buf, size_t size)
{
	buf[0] = '\0';
	int fds[2];
	if (pipe(fds))
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[1]);
		redirect(STDERR_FILENO, NULL);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0;
	ssize_t n;
	char sink[256];
	/* Read everything so the child never blocks on a full pipe. */
	while ((n = read(fds[0], len + 1 < size ? buf + len : sink,
			 len + 1 < size ? size - 1 - len : sizeof sink)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (len + 1 < size)
			len += (size_t)n;
	}
	close(fds[0]);
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	struct bench_proc_result res;
	wait_child(pid, &res);
	if (!res.exited || res.code != 0 || !buf[0]) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

void bench_proc_last_line(const char *path, char *buf, size_t size)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0])
			snprintf(buf, size, "%s", line);
	}
	fclose(f);
}
