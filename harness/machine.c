/* machine.c: collect machine facts for results/machine.txt. */
#include "machine.h"

#include <gnu/libc-version.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench_outfile.h"
#include "bench_proc.h"

const char *machine_allocator_package(const char *allocator)
{
	static const char *const packages[][2] = {
		{"glibc", "libc6"},
		{"jemalloc", "libjemalloc2"},
		{"mimalloc", "libmimalloc2.0"},
		{"tcmalloc", "libtcmalloc-minimal4"},
	};
	for (size_t i = 0; i < sizeof packages / sizeof packages[0]; i++)
		if (!strcmp(allocator, packages[i][0]))
			return packages[i][1];
	return NULL;
}

/* The "model name" line of /proc/cpuinfo. */
static void cpu_model(char *buf, size_t size)
{
	snprintf(buf, size, "unknown");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "model name", 10))
			continue;
		const char *colon = strchr(line, ':');
		if (colon) {
			colon++;
			while (*colon == ' ' || *colon == '\t')
				colon++;
			snprintf(buf, size, "%s", colon);
			buf[strcspn(buf, "\n")] = '\0';
		}
		break;
	}
	fclose(f);
}

static void package_version(const char *package, char *buf, size_t size)
{
	char fmt[] = "${Version}";
	char *argv[] = {"dpkg-query", "-W", "-f", fmt, (char *)package, NULL};
	if (bench_proc_capture_line(argv, buf, size))
		snprintf(buf, size, "not installed");
}

static void command_line(char *const argv[], char *buf, size_t size)
{
	if (bench_proc_capture_line(argv, buf, size))
		snprintf(buf, size, "unavailable");
}

int machine_write_facts(const char *path, const char *const *allocators, size_t n_allocators,
			const char *notes)
{
	struct bench_outfile f;
	FILE *out = bench_outfile_open(&f, path);
	if (!out)
		return -1;

	char buf[512];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(out, "date: %s\n", buf);

	char *git[] = {"git", "describe", "--always", "--dirty", "--abbrev=12", NULL};
	command_line(git, buf, sizeof buf);
	fprintf(out, "fraglab_commit: %s\n", buf);

	cpu_model(buf, sizeof buf);
	fprintf(out, "cpu_model: %s\n", buf);
	fprintf(out, "cores_online: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));

	struct utsname u;
	if (uname(&u) == 0)
		fprintf(out, "kernel: %s %s %s %s\n", u.sysname, u.release, u.version, u.machine);
	fprintf(out, "glibc: %s\n", gnu_get_libc_version());

	for (size_t i = 0; i < n_allocators; i++) {
		const char *pkg = machine_allocator_package(allocators[i]);
		if (!pkg) {
			fprintf(out, "allocator %s: built from this tree (fraglab_commit)\n", allocators[i]);
			continue;
		}
		package_version(pkg, buf, sizeof buf);
		fprintf(out, "allocator %s: %s %s\n", allocators[i], pkg, buf);
	}
	char *gnuplot[] = {"gnuplot", "--version", NULL};
	command_line(gnuplot, buf, sizeof buf);
	fprintf(out, "gnuplot: %s\n", buf);
	char *hyperfine[] = {"hyperfine", "--version", NULL};
	command_line(hyperfine, buf, sizeof buf);
	fprintf(out, "hyperfine: %s\n", buf);
	if (notes && *notes)
		fprintf(out, "%s%s", notes, notes[strlen(notes) - 1] == '\n' ? "" : "\n");
	return bench_outfile_commit(&f);
}
