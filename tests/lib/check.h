/*
 * check.h: the few assertion helpers fraglab's C tests share.
 *
 * CHECK records a failure and keeps going, so one run reports every broken
 * property instead of stopping at the first; check_exit_status() turns the
 * tally into the runner's exit code (0 pass, 1 fail).  Messages go to
 * stderr with the file and line, which is what the runner shows on failure.
 *
 * Header-only and static so each test stays a single translation unit
 * (the Makefile builds tests/alloc_*.c and tests/prog_*.c one file each).
 */
#ifndef FRAGLAB_TESTS_CHECK_H
#define FRAGLAB_TESTS_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long check_failures;

__attribute__((format(printf, 3, 4), unused))
static void check_report(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: FAIL: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	check_failures++;
}

/* CHECK(condition, "printf format", args...): count and report a failure. */
#define CHECK(cond, ...) \
	do { \
		if (!(cond)) \
			check_report(__FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

/* CHECK_TRUE(condition): CHECK with the condition's own text as the
 * message, for tests whose conditions say enough by themselves. */
#define CHECK_TRUE(cond) CHECK(cond, "check failed: %s", #cond)

/* REQUIRE: like CHECK, but a failure makes the rest of the test meaningless
 * (e.g. a NULL we would dereference next), so stop right away. */
#define REQUIRE(cond, ...) \
	do { \
		if (!(cond)) { \
			check_report(__FILE__, __LINE__, __VA_ARGS__); \
			exit(1); \
		} \
	} while (0)

__attribute__((unused))
static int check_exit_status(const char *test_name)
{
	if (check_failures) {
		fprintf(stderr, "%s: %lu check(s) failed\n", test_name, check_failures);
		return 1;
	}
	printf("%s: all checks passed\n", test_name);
	return 0;
}

#endif
