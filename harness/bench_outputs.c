/* bench_outputs.c: the output directory: making it, the scratch
 * directory, and removing what an earlier run left behind. */
#include "bench_outputs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_outfile.h"

int bench_outputs_mkdirs(const char *dir)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
		fprintf(stderr, "fraglab: %s: path too long\n", dir);
		return -1;
	}
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			fprintf(stderr, "fraglab: %s: %s\n", path, strerror(errno));
			return -1;
		}
		*p = saved;
		if (!saved)
			break;
	}
	struct stat st;
	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "fraglab: %s: not a directory\n", path);
		return -1;
	}
	return 0;
}

void bench_outputs_remove_scratch(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char path[PATH_MAX];
		bench_outfile_path(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* 1 if `name` is one of the files bench writes into the output directory
 * (or, with in_series, into its series/ directory). */
static int is_bench_output(const char *name, int in_series)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return 0;
	if (in_series)
		return !strcmp(dot, ".csv") || !strcmp(dot, ".png") || !strcmp(dot, ".svg");
	static const char *const figures[] = {"throughput", "speedup", "peak_rss", "rss_ratio", "frag", "syscalls", "latency",
					       "crosscheck"};
	for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
		if (!strncmp(name, figures[i], strlen(figures[i])) && (size_t)(dot - name) == strlen(figures[i]) &&
		    (!strcmp(dot, ".png") || !strcmp(dot, ".svg") || !strcmp(dot, ".csv")))
			return 1;
	return !strncmp(name, "hyperfine-", 10) && !strcmp(dot, ".csv");
}

/* After a complete run: removes bench's own outputs that this run did not
 * write (a trace no longer replayed, a latency figure from an earlier run
 * with the latency pass, hyperfine files of other traces), so the directory never
 * mixes two runs.  Anything not named like a bench output is left alone. */
void bench_outputs_prune(const char *dir, int in_series, const struct timespec *started)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !is_bench_output(e->d_name, in_series))
			continue;
		char path[PATH_MAX];
		struct stat st;
		bench_outfile_path(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mtim.tv_sec < started->tv_sec ||
		     (st.st_mtim.tv_sec == started->tv_sec && st.st_mtim.tv_nsec < started->tv_nsec)))
			unlink(path);
	}
	closedir(d);
}
