/*
 * cmd_record.c: `fraglab record -o OUT.jsonl [--first-only] -- COMMAND...`.
 *
 * Runs COMMAND with build/libfltrace.so preloaded; the shim writes one
 * binary log per process image into a private temporary directory, and
 * afterwards each log becomes one trace: the started process's first image
 * goes to OUT, every other image to OUT's stem + ".PID[.N]" + OUT's
 * extension (N counts the execs a pid has done).  docs/recording.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "record_log.h"
#include "record_run.h"
#include "record_writer.h"

static void record_usage(FILE *out)
{
	fprintf(out,
		"usage: fraglab record -o OUT.jsonl[.gz] [--first-only] -- COMMAND [ARGS...]\n\n"
		"Runs COMMAND with the recording shim (libfltrace.so) preloaded and writes\n"
		"its allocations as a trace.  Every process of the tree is recorded: the\n"
		"started process to OUT, each other process image to OUT.PID.jsonl[.gz]\n"
		"(OUT.PID.N.jsonl after its Nth exec).\n"
		"  --first-only  record only the started process (and images it execs)\n"
		"  --shim PATH   the shim to preload (default: libfltrace.so beside fraglab,\n"
		"                or $FRAGLAB_SHIM)\n"
		"Exit status: 0, 1 if COMMAND failed (its trace is still written), 2 if\n"
		"nothing could be recorded.\n");
}

/* OUT without its trace extension, and that extension. */
static void record_split_name(const char *out, char *stem, size_t cap, const char **ext)
{
	static const char *const exts[] = {".jsonl.gz", ".jsonl"};
	size_t n = strlen(out);
	*ext = "";
	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		size_t e = strlen(exts[i]);
		if (n > e && !strcmp(out + n - e, exts[i])) {
			*ext = exts[i];
			n -= e;
			break;
		}
	}
	snprintf(stem, cap, "%.*s", (int)n, out);
}

struct record_log_entry {
	char path[PATH_MAX + 256];
	struct record_log_info info;
};

static int record_entry_order(const void *a, const void *b)
{
	const struct record_log_entry *x = a, *y = b;
	if (x->info.pid != y->info.pid)
		return x->info.pid < y->info.pid ? -1 : 1;
	return x->info.image < y->info.image ? -1 : x->info.image > y->info.image;
}

/* Lists DIR's logs; returns how many (in *out, malloc'd) or -1. */
static int record_list_logs(const char *dir, struct record_log_entry **out)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "fraglab record: cannot read %s: %s\n", dir, strerror(errno));
		return -1;
	}
	struct record_log_entry *v = NULL;
	int n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".log"))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct record_log_entry *nv = realloc(v, (size_t)cap * sizeof *v);
			if (!nv) {
				fprintf(stderr, "fraglab record: out of memory\n");
				free(v);
				closedir(d);
				return -1;
			}
			v = nv;
		}
		int len_path = snprintf(v[n].path, sizeof v[n].path, "%s/%.*s", dir, 255, e->d_name);
		if (len_path > 0 && (size_t)len_path < sizeof v[n].path &&
		    record_log_info(v[n].path, &v[n].info) == 0)
			n++;
	}
	closedir(d);
	if (n > 0)
		qsort(v, (size_t)n, sizeof *v, record_entry_order);
	*out = v;
	return n;
}

static void record_remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		char path[PATH_MAX + 256];
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%.*s", dir, 255, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* Fails early, before running anything, if OUT cannot be created. */
static int record_probe_output(const char *out)
{
	char probe[PATH_MAX];
	snprintf(probe, sizeof probe, "%s.tmp.%ld", out, (long)getpid());
	int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "fraglab record: cannot write %s: %s\n", out, strerror(errno));
		return -1;
	}
	close(fd);
	unlink(probe);
	return 0;
}

/* Where the binary logs go: $FRAGLAB_RECORD_DIR, else /dev/shm, else
 * $TMPDIR or /tmp.  tmpfs first because a log on a disk file system costs
 * every recorded process milliseconds of kernel time just to create and
 * map (measured: ~8 ms per process on ext4, nothing on tmpfs), which adds
 * up over the hundreds of processes of a shell loop or a build; the logs
 * (40 bytes per event) live only until they are converted. */
static const char *record_log_base(void)
{
	const char *env = getenv("FRAGLAB_RECORD_DIR");
	if (env && *env)
		return env;
	struct stat st;
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK | X_OK) == 0)
		return "/dev/shm";
	const char *tmp = getenv("TMPDIR");
	return tmp && *tmp ? tmp : "/tmp";
}

static int record_default_shim(char *out, size_t cap)
{
	const char *env = getenv("FRAGLAB_SHIM");
	if (env && *env)
		return snprintf(out, cap, "%s", env) < (int)cap ? 0 : -1;
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	return snprintf(out, cap, "%s/libfltrace.so", self) < (int)cap ? 0 : -1;
}

/* Converts every log; returns 0 if the started process's trace and every
 * other one that has events were written. */
static int record_convert_all(struct record_log_entry *logs, int n, pid_t root, const char *out)
{
	char stem[PATH_MAX];
	const char *ext;
	record_split_name(out, stem, sizeof stem, &ext);
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const struct record_log_info *info = &logs[i].info;
		char dest[PATH_MAX + 64];
		if (info->pid == root && info->image == 0)
			snprintf(dest, sizeof dest, "%s", out);
		else if (info->image == 0)
			snprintf(dest, sizeof dest, "%s.%d%s", stem, info->pid, ext);
		else
			snprintf(dest, sizeof dest, "%s.%d.%u%s", stem, info->pid, info->image, ext);
		struct record_log_stats st;
		int converted = record_log_convert(logs[i].path, dest, &st);
		if (converted < 0) {
			rc = -1;
			continue;
		}
		if (converted > 0) {
			fprintf(stderr, "fraglab record: pid %d made no heap allocations; no trace for it: %s\n",
				info->pid, info->command);
			if (info->pid == root && info->image == 0)
				rc = -1;
			continue;
		}
		fprintf(stderr, "fraglab record: %s: %" PRIu64 " events, %" PRIu64 " thread%s, pid %d: %s\n",
			dest, st.events, st.threads, st.threads == 1 ? "" : "s", info->pid, info->command);
		if (st.torn || st.lost)
			fprintf(stderr, "fraglab record: %s: warning: %" PRIu64 " records incomplete "
				"(a thread died mid-record), %" PRIu64 " lost (log could not grow)\n",
				dest, st.torn, st.lost);
		if (st.unknown_frees || st.implicit_frees)
			fprintf(stderr, "fraglab record: %s: note: %" PRIu64 " frees of blocks allocated "
				"before recording began were dropped; %" PRIu64 " unseen frees inferred\n",
				dest, st.unknown_frees, st.implicit_frees);
	}
	return rc;
}

int cmd_record(int argc, char **argv)
{
	const char *out = NULL;
	int first_only = 0, i;
	char shim[PATH_MAX] = "";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			record_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--first-only")) {
			first_only = 1;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--shim")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "fraglab record: %s needs a value\n", a);
				return 2;
			}
			if (!strcmp(a, "-o"))
				out = argv[++i];
			else if (snprintf(shim, sizeof shim, "%s", argv[++i]) >= (int)sizeof shim) {
				fprintf(stderr, "fraglab record: --shim path too long\n");
				return 2;
			}
		} else if (a[0] == '-') {
			fprintf(stderr, "fraglab record: unknown option '%s' (try 'fraglab record --help')\n", a);
			return 2;
		} else {
			break; /* the command starts here */
		}
	}
	if (!out || i >= argc) {
		record_usage(stderr);
		return 2;
	}
	if (!record_path_is_jsonl(out)) {
		fprintf(stderr, "fraglab record: %s: the output must end in .jsonl or .jsonl.gz\n", out);
		return 2;
	}
	if (!*shim && record_default_shim(shim, sizeof shim) < 0) {
		fprintf(stderr, "fraglab record: cannot locate libfltrace.so\n");
		return 2;
	}
	char shim_abs[PATH_MAX];
	if (!realpath(shim, shim_abs) || access(shim_abs, R_OK) != 0) {
		fprintf(stderr, "fraglab record: cannot load the recording shim %s: %s (build it with make)\n",
			shim, strerror(errno));
		return 2;
	}
	if (strpbrk(shim_abs, " :")) {
		/* The loader splits LD_PRELOAD at spaces and colons. */
		fprintf(stderr, "fraglab record: the shim's path %s contains a space or colon, which "
			"LD_PRELOAD cannot express; set FRAGLAB_SHIM to a copy elsewhere\n", shim_abs);
		return 2;
	}
	char path[PATH_MAX];
	if (record_run_resolve(argv[i], path, sizeof path) < 0 || record_probe_output(out) < 0)
		return 2;

	const char *base = record_log_base();
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/fraglab-record.XXXXXX", base);
	if (!mkdtemp(dir)) {
		fprintf(stderr, "fraglab record: cannot create a directory for the logs in %s: %s\n",
			base, strerror(errno));
		return 2;
	}
	struct record_run run = {.shim = shim_abs, .log_dir = dir, .first_only = first_only,
				 .argv = argv + i};
	if (record_run_command(&run, path) < 0) {
		record_remove_dir(dir);
		return 2;
	}
	struct record_log_entry *logs = NULL;
	int n = record_list_logs(dir, &logs);
	int have_root = 0;
	for (int k = 0; k < n; k++)
		have_root |= logs[k].info.pid == run.pid && logs[k].info.image == 0;
	int rc = 0;
	if (n < 0) {
		rc = 2;
	} else if (!have_root) {
		fprintf(stderr, "fraglab record: %s: nothing recorded: the shim was not loaded into it "
			"(a statically linked program?)\n", path);
		rc = 2;
	} else if (record_convert_all(logs, n, run.pid, out) < 0) {
		rc = 2;
	}
	free(logs);
	record_remove_dir(dir);
	if (rc == 0 && WIFEXITED(run.status) && WEXITSTATUS(run.status) != 0) {
		fprintf(stderr, "fraglab record: %s exited with status %d (the trace is written)\n",
			argv[i], WEXITSTATUS(run.status));
		rc = 1;
	} else if (rc == 0 && WIFSIGNALED(run.status)) {
		fprintf(stderr, "fraglab record: %s was killed by signal %d (the trace is written)\n",
			argv[i], WTERMSIG(run.status));
		rc = 1;
	}
	return rc;
}
