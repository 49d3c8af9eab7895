/* trace_cache.c: see trace_cache.h. */
#include "trace_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Seeds the key with everything that changes the compiled form, so a
 * cache file from another fraglab version or layout is never looked up. */
#define TRACE_CACHE_KEY_SEED                                                     \
	(((uint64_t)TRACE_CACHE_VERSION << 48) ^ ((uint64_t)TRACE_CACHE_HEADER_SIZE << 32) ^ \
	 ((uint64_t)sizeof(struct trace_summary) << 16) ^ sizeof(struct trace_event))

/* mkdir -p with mode 0700: traces may say things about their programs. */
static int trace_cache_mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0700);
		*p = '/';
		if (rc < 0 && errno != EEXIST)
			return -1;
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int trace_cache_dir(char *dir, char *err, size_t err_len)
{
	const char *env;
	int n;
	if ((env = getenv("FRAGLAB_CACHE_DIR")) && *env)
		n = snprintf(dir, PATH_MAX, "%s", env);
	else if ((env = getenv("XDG_CACHE_HOME")) && *env)
		n = snprintf(dir, PATH_MAX, "%s/fraglab", env);
	else if ((env = getenv("HOME")) && *env)
		n = snprintf(dir, PATH_MAX, "%s/.cache/fraglab", env);
	else {
		snprintf(err, err_len, "none of FRAGLAB_CACHE_DIR, XDG_CACHE_HOME, HOME is set");
		return -1;
	}
	if (n < 0 || n >= PATH_MAX - 64) {
		snprintf(err, err_len, "cache directory path too long");
		return -1;
	}
	if (trace_cache_mkdirs(dir) < 0) {
		snprintf(err, err_len, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, err_len, "%s is not a directory", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		snprintf(err, err_len, "cannot write to %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int trace_cache_key(const char *path, int form, uint64_t *key, uint64_t *size, char *err, size_t err_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* never wait on a FIFO */
	if (fd < 0) {
		snprintf(err, err_len, "cannot open: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, err_len, "not a regular file");
		close(fd);
		return -1;
	}
	/* Sequential reads in big chunks: the hash runs at several GB/s,
	 * so the disk or page cache sets the pace. */
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	size_t chunk = 1u << 20;
	char *buf = malloc(chunk);
	if (!buf) {
		snprintf(err, err_len, "out of memory");
		close(fd);
		return -1;
	}
	struct trace_hash h;
	trace_hash_init(&h, TRACE_CACHE_KEY_SEED + (uint64_t)form);
	for (;;) {
		ssize_t got = read(fd, buf, chunk);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(err, err_len, "read error: %s", strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (got == 0)
			break;
		trace_hash_update(&h, buf, (size_t)got);
	}
	free(buf);
	close(fd);
	*key = trace_hash_final(&h); /* the length is mixed in by final */
	*size = h.length;
	return 0;
}

/* The checksum of a cache file's events, read with pread (see below). */
static int trace_cache_hash_events(int fd, size_t len, uint64_t *hash)
{
	enum { CHUNK = 1 << 20 };
	char *buf = malloc(CHUNK);
	if (!buf)
		return -1;
	struct trace_hash h;
	trace_hash_init(&h, 0);
	off_t at = TRACE_CACHE_HEADER_SIZE;
	while ((size_t)at < len) {
		size_t want = len - (size_t)at < CHUNK ? len - (size_t)at : CHUNK;
		ssize_t got = pread(fd, buf, want, at);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			free(buf);
			return -1;
		}
		trace_hash_update(&h, buf, (size_t)got);
		at += got;
	}
	free(buf);
	*hash = trace_hash_final(&h);
	return 0;
}

int trace_cache_map(int fd, uint64_t key, uint64_t source_size, struct trace *t,
		    int *name_from_path, char *err, size_t err_len)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(err, err_len, "cannot stat: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, err_len, "not a regular file");
		return -1;
	}
	if ((uint64_t)st.st_size < TRACE_CACHE_HEADER_SIZE + sizeof(struct trace_event)) {
		snprintf(err, err_len, "truncated (%lld bytes)", (long long)st.st_size);
		return -1;
	}
	size_t len = (size_t)st.st_size;
	/* Not MAP_POPULATE: the checksum below reads the events with pread,
	 * so they reach the page cache without being counted in this
	 * process's RSS; `fraglab check` then never touches them, and a
	 * replayer faults them in (or copies them) before it measures. */
	void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(err, err_len, "cannot map: %s", strerror(errno));
		return -1;
	}
	const struct trace_cache_header *h = map;
	const char *why = NULL;
	uint64_t events_hash = 0;
	if (memcmp(h->magic, TRACE_CACHE_MAGIC, sizeof h->magic))
		why = "bad magic";
	else if (h->version != TRACE_CACHE_VERSION || h->header_size != TRACE_CACHE_HEADER_SIZE ||
		 h->event_size != sizeof(struct trace_event) ||
		 h->summary_size != sizeof(struct trace_summary))
		why = "written by another fraglab version";
	else if (h->header_hash != trace_hash_bytes(h, offsetof(struct trace_cache_header, header_hash), 0))
		why = "header checksum mismatch";
	else if (h->key != key || h->source_size != source_size)
		why = "made from another trace";
	else if (h->n_events == 0 || h->n_events > (len - TRACE_CACHE_HEADER_SIZE) / sizeof(struct trace_event) ||
		 TRACE_CACHE_HEADER_SIZE + h->n_events * sizeof(struct trace_event) != len)
		why = "truncated or overlong";
	else if (h->name[sizeof h->name - 1] != '\0')
		why = "unterminated name";
	else if (trace_cache_hash_events(fd, len, &events_hash) < 0)
		why = "read error";
	else if (h->events_hash != events_hash)
		why = "events checksum mismatch";
	if (why) {
		snprintf(err, err_len, "%s", why);
		munmap(map, len);
		return -1;
	}
	t->events = (const struct trace_event *)((const char *)map + TRACE_CACHE_HEADER_SIZE);
	t->n_events = h->n_events;
	t->n_slots = h->n_slots;
	t->summary = h->summary;
	memcpy(t->name, h->name, sizeof t->name);
	t->key = key;
	t->map = map;
	t->map_len = len;
	*name_from_path = h->name_from_path != 0;
	return 0;
}

/* write() all of it, or -1. */
static int trace_cache_write_all(int fd, const void *data, size_t len, off_t *at)
{
	const char *p = data;
	while (len) {
		ssize_t n = at ? pwrite(fd, p, len, *at) : write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
		if (at)
			*at += n;
	}
	return 0;
}

int trace_cache_writer_open(struct trace_cache_writer *w, const char *dir, uint64_t key,
			    int unlinked, char *err, size_t err_len)
{
	w->fd = -1;
	w->n_events = 0;
	w->n_buffered = 0;
	trace_hash_init(&w->events_hash, 0);
	int n = snprintf(w->tmp_path, sizeof w->tmp_path, "%s/%016llx" TRACE_CACHE_SUFFIX ".tmp.XXXXXX",
			 dir, (unsigned long long)key);
	if (n < 0 || (size_t)n >= sizeof w->tmp_path) {
		snprintf(err, err_len, "cache path too long");
		return -1;
	}
	w->fd = mkostemp(w->tmp_path, O_CLOEXEC);
	if (w->fd < 0) {
		snprintf(err, err_len, "cannot create %s: %s", w->tmp_path, strerror(errno));
		w->tmp_path[0] = '\0';
		return -1;
	}
	if (unlinked) {
		unlink(w->tmp_path);
		w->tmp_path[0] = '\0';
	}
	/* The header is written last; reserve its page now. */
	static const char zeros[TRACE_CACHE_HEADER_SIZE];
	if (trace_cache_write_all(w->fd, zeros, sizeof zeros, NULL) < 0) {
		snprintf(err, err_len, "cannot write %s: %s", w->tmp_path, strerror(errno));
		trace_cache_writer_discard(w);
		return -1;
	}
	return 0;
}

static int trace_cache_writer_flush(struct trace_cache_writer *w)
{
	size_t bytes = w->n_buffered * sizeof w->buf[0];
	trace_hash_update(&w->events_hash, w->buf, bytes);
	w->n_buffered = 0;
	return trace_cache_write_all(w->fd, w->buf, bytes, NULL);
}

int trace_cache_writer_add(void *writer, const struct trace_event *event)
{
	struct trace_cache_writer *w = writer;
	w->buf[w->n_buffered++] = *event;
	w->n_events++;
	if (w->n_buffered == sizeof w->buf / sizeof w->buf[0] && trace_cache_writer_flush(w) < 0) {
		fprintf(stderr, "fraglab: cannot write the compiled trace %s: %s\n",
			w->tmp_path[0] ? w->tmp_path : "(temporary file)", strerror(errno));
		return -1;
	}
	return 0;
}

int trace_cache_writer_finish(struct trace_cache_writer *w, uint64_t key, uint64_t source_size,
			      const struct trace_summary *summary, const char *name,
			      int name_from_path, const char *final_path, char *err, size_t err_len)
{
	if (trace_cache_writer_flush(w) < 0)
		goto io_error;
	union {
		struct trace_cache_header h;
		char page[TRACE_CACHE_HEADER_SIZE];
	} u;
	memset(&u, 0, sizeof u);
	memcpy(u.h.magic, TRACE_CACHE_MAGIC, sizeof u.h.magic);
	u.h.version = TRACE_CACHE_VERSION;
	u.h.header_size = TRACE_CACHE_HEADER_SIZE;
	u.h.event_size = sizeof(struct trace_event);
	u.h.summary_size = sizeof(struct trace_summary);
	u.h.key = key;
	u.h.source_size = source_size;
	u.h.n_events = w->n_events;
	u.h.events_hash = trace_hash_final(&w->events_hash);
	u.h.n_slots = summary->slots;
	u.h.name_from_path = name_from_path != 0;
	u.h.summary = *summary;
	snprintf(u.h.name, sizeof u.h.name, "%s", name);
	u.h.header_hash = trace_hash_bytes(&u.h, offsetof(struct trace_cache_header, header_hash), 0);
	off_t at = 0;
	if (trace_cache_write_all(w->fd, u.page, sizeof u.page, &at) < 0)
		goto io_error;
	if (final_path) {
		if (rename(w->tmp_path, final_path) < 0) {
			snprintf(err, err_len, "cannot rename %s to %s: %s", w->tmp_path, final_path,
				 strerror(errno));
			trace_cache_writer_discard(w);
			return -1;
		}
		w->tmp_path[0] = '\0';
	}
	return 0;
io_error:
	snprintf(err, err_len, "cannot write the compiled trace %s: %s",
		 w->tmp_path[0] ? w->tmp_path : "(temporary file)", strerror(errno));
	trace_cache_writer_discard(w);
	return -1;
}

void trace_cache_writer_discard(struct trace_cache_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (w->tmp_path[0])
		unlink(w->tmp_path);
	w->tmp_path[0] = '\0';
}

void trace_cache_sweep_stale(const char *dir, long max_age_seconds)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strstr(e->d_name, TRACE_CACHE_SUFFIX ".tmp."))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    now - st.st_mtime > max_age_seconds)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}
