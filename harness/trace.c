/*
 * trace.c: trace_open and trace_close: find a trace's compiled form in the
 * cache, or compile it (trace_read) into the cache, then map it.
 */
#include "trace.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "trace_cache.h"
#include "trace_read.h"

/* A temporary cache file untouched this long belongs to a killed compile. */
#define TRACE_STALE_TMP_SECONDS 3600

/* A file's identity for noticing that it changed while we compiled it. */
static int trace_file_stamp(const char *path, struct stat *st)
{
	return stat(path, st);
}

static int trace_same_stamp(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size && a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Compiles path into a new cache file (published at final_path unless
 * NULL, in which case the file is anonymous) and maps it into t. */
static int trace_compile_into(const char *path, const char *dir, const char *final_path,
			      uint64_t key, uint64_t source_size, const struct stat *before,
			      struct trace *t)
{
	char err[PATH_MAX + 256];
	struct trace_cache_writer *w = malloc(sizeof *w);
	if (!w) {
		fprintf(stderr, "%s: out of memory\n", path);
		return -1;
	}
	if (trace_cache_writer_open(w, dir, key, final_path == NULL, err, sizeof err) < 0) {
		fprintf(stderr, "%s: compile cache: %s\n", path, err);
		free(w);
		return -1;
	}
	struct trace_summary summary;
	char name[256];
	if (trace_read(path, trace_cache_writer_add, w, &summary, name) < 0) {
		trace_cache_writer_discard(w);
		free(w);
		return -1;
	}
	/* A trace rewritten while we read it must not be cached under the
	 * key of its old bytes; the events we have are still usable. */
	struct stat after;
	if (final_path && (trace_file_stamp(path, &after) < 0 || !trace_same_stamp(before, &after))) {
		fprintf(stderr, "%s: warning: the file changed while it was compiled; not caching it\n", path);
		unlink(w->tmp_path);
		w->tmp_path[0] = '\0';
		final_path = NULL;
	}
	/* The cache is keyed by content, so a trace without a "name" takes
	 * its name from the path it is opened by, on every open. */
	int name_from_path = name[0] == '\0';
	if (name_from_path)
		trace_read_default_name(path, name);
	if (trace_cache_writer_finish(w, key, source_size, &summary, name, name_from_path, final_path,
				      err, sizeof err) < 0) {
		fprintf(stderr, "%s: compile cache: %s\n", path, err);
		free(w);
		return -1;
	}
	int ignored;
	int rc = trace_cache_map(w->fd, key, source_size, t, &ignored, err, sizeof err);
	if (rc < 0)
		fprintf(stderr, "%s: compile cache: the file just written does not verify: %s\n", path, err);
	trace_cache_writer_discard(w); /* closes the fd; the mapping stays */
	free(w);
	memcpy(t->name, name, sizeof t->name);
	return rc;
}

int trace_open(const char *path, struct trace *out)
{
	memset(out, 0, sizeof *out);
	if (strlen(path) >= sizeof out->path) {
		fprintf(stderr, "%.100s...: path too long\n", path);
		return -1;
	}
	snprintf(out->path, sizeof out->path, "%s", path);

	struct stat before;
	uint64_t key, source_size;
	char err[PATH_MAX + 256];
	if (trace_file_stamp(path, &before) < 0) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(before.st_mode)) {
		fprintf(stderr, "%s: not a regular file\n", path);
		return -1;
	}
	if (trace_cache_key(path, trace_read_form_of(path), &key, &source_size, err, sizeof err) < 0) {
		fprintf(stderr, "%s: %s\n", path, err);
		return -1;
	}

	char dir[PATH_MAX];
	if (trace_cache_dir(dir, err, sizeof err) < 0) {
		fprintf(stderr, "%s: warning: compile cache unusable (%s); compiling without it\n", path, err);
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s", tmp && *tmp ? tmp : "/tmp");
		if (trace_compile_into(path, dir, NULL, key, source_size, &before, out) < 0)
			return -1;
		out->compiled = 1;
		return 0;
	}

	/* trace_cache_dir leaves room for the file name. */
	char final_path[PATH_MAX + 32];
	snprintf(final_path, sizeof final_path, "%s/%016llx" TRACE_CACHE_SUFFIX, dir, (unsigned long long)key);
	int fd = open(final_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0) {
		int name_from_path = 0;
		int rc = trace_cache_map(fd, key, source_size, out, &name_from_path, err, sizeof err);
		close(fd);
		if (rc == 0) {
			if (name_from_path)
				trace_read_default_name(path, out->name);
			out->compiled = 0;
			return 0;
		}
		fprintf(stderr, "%s: note: cache file %s is unusable (%s); recompiling\n", path, final_path, err);
	}
	/* Compiling is rare: a good moment to clear what killed compiles left. */
	trace_cache_sweep_stale(dir, TRACE_STALE_TMP_SECONDS);
	if (trace_compile_into(path, dir, final_path, key, source_size, &before, out) < 0)
		return -1;
	out->compiled = 1;
	return 0;
}

void trace_close(struct trace *t)
{
	if (t->map)
		munmap(t->map, t->map_len);
	t->map = NULL;
	t->map_len = 0;
	t->events = NULL;
	t->n_events = 0;
}
