/*
 * alloc_policy_config.c: the start-up settings.  FLMALLOC_BIG and
 * FLMALLOC_KEEP accept bytes with an optional k/M/G suffix below 2^45;
 * a bad value gives one warning line on stderr and the default; the policy
 * chosen by FLMALLOC_POLICY (set by the runner) is the one that runs.
 *
 * Parsing is checked directly (fl_config_parse_size, allocator/internal.h);
 * the warning path runs in forked children whose stderr is a pipe, since
 * settings are read once, at the first call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flmalloc.h"
#include "internal.h"
#include "lib/check.h"

static void check_parse(const char *text, bool ok, size_t want)
{
	size_t got = 12345;
	bool parsed = fl_config_parse_size(text, &got);
	CHECK(parsed == ok, "parse \"%s\": %s, want %s", text, parsed ? "accepted" : "refused",
	      ok ? "accepted" : "refused");
	if (ok && parsed)
		CHECK(got == want, "parse \"%s\" = %zu, want %zu", text, got, want);
}

/* Runs a child with NAME=VALUE that allocates once; returns its stderr
 * and, through *setting, the value it ended up with. */
static void run_with(const char *name, const char *value, char *err, size_t errlen, size_t *setting)
{
	int pipe_err[2], pipe_val[2];
	REQUIRE(pipe(pipe_err) == 0 && pipe(pipe_val) == 0, "pipe failed");
	fflush(NULL);
	pid_t pid = fork();
	REQUIRE(pid >= 0, "fork failed");
	if (pid == 0) {
		dup2(pipe_err[1], STDERR_FILENO);
		setenv(name, value, 1);
		void *p = flmalloc_malloc(1);
		flmalloc_free(p);
		size_t v = !strcmp(name, "FLMALLOC_BIG") ? fl_state.big_threshold : fl_state.keep;
		_exit(write(pipe_val[1], &v, sizeof v) == (ssize_t)sizeof v ? 0 : 1);
	}
	close(pipe_err[1]);
	close(pipe_val[1]);
	ssize_t n = read(pipe_err[0], err, errlen - 1);
	err[n > 0 ? n : 0] = '\0';
	REQUIRE(read(pipe_val[0], setting, sizeof *setting) == (ssize_t)sizeof *setting,
		"the %s=%s child did not report its setting", name, value);
	int status;
	REQUIRE(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"the %s=%s child failed", name, value);
	close(pipe_err[0]);
	close(pipe_val[0]);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

int main(void)
{
	check_parse("0", true, 0);
	check_parse("4096", true, 4096);
	check_parse("64k", true, 64 << 10);
	check_parse("64K", true, 64 << 10);
	check_parse("3M", true, (size_t)3 << 20);
	check_parse("2g", true, (size_t)2 << 30);
	check_parse("", false, 0);
	check_parse("k", false, 0);
	check_parse("12x", false, 0);
	check_parse("1 M", false, 0);
	check_parse("-5", false, 0);
	check_parse("1MB", false, 0);
	check_parse("35184372088831", true, ((size_t)1 << 45) - 1);
	check_parse("35184372088832", false, 0);
	check_parse("99999999999999999999999", false, 0);
	check_parse("32768G", false, 0);

	char err[512];
	size_t v;
	run_with("FLMALLOC_BIG", "1M", err, sizeof err, &v);
	CHECK(v == (size_t)1 << 20 && !*err, "FLMALLOC_BIG=1M gave %zu, stderr \"%s\"", v, err);
	run_with("FLMALLOC_KEEP", "0", err, sizeof err, &v);
	CHECK(v == 0 && !*err, "FLMALLOC_KEEP=0 gave %zu, stderr \"%s\"", v, err);
	run_with("FLMALLOC_BIG", "lots", err, sizeof err, &v);
	CHECK(v == FL_BIG_DEFAULT, "FLMALLOC_BIG=lots gave %zu, want the default %zu", v, FL_BIG_DEFAULT);
	CHECK(count_lines(err) == 1 && strstr(err, "FLMALLOC_BIG=lots"),
	      "FLMALLOC_BIG=lots: want one warning line naming it, got \"%s\"", err);
	run_with("FLMALLOC_KEEP", "99999999999999999999", err, sizeof err, &v);
	CHECK(v == FL_KEEP_DEFAULT, "FLMALLOC_KEEP overflow gave %zu, want the default", v);
	CHECK(count_lines(err) == 1 && strstr(err, "FLMALLOC_KEEP="),
	      "FLMALLOC_KEEP overflow: want one warning line naming it, got \"%s\"", err);

	struct flmalloc_stats s;
	flmalloc_stats(&s);
	const char *want = getenv("FLMALLOC_POLICY");
	CHECK(!strcmp(s.policy, want ? want : "seg"), "FLMALLOC_POLICY=%s but the allocator runs %s",
	      want ? want : "(unset)", s.policy);
	return check_exit_status("alloc_policy_config");
}
