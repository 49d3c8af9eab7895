/* record_writer.c: writes v1 JSONL traces via a temporary file and rename. */
#include "record_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

int record_path_is_gz(const char *path)
{
	size_t n = strlen(path);
	return n > 3 && !strcmp(path + n - 3, ".gz");
}

int record_path_is_jsonl(const char *path)
{
	size_t n = strlen(path);
	if (record_path_is_gz(path))
		n -= 3;
	return n > 6 && !strncmp(path + n - 6, ".jsonl", 6);
}

int record_json_string(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	if (cap < 3)
		return -1;
	out[n++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		size_t len;
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			len = 2;
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			len = 6;
		} else {
			esc[0] = (char)*p;
			len = 1;
		}
		if (n + len + 2 > cap)
			return -1;
		memcpy(out + n, esc, len);
		n += len;
	}
	out[n++] = '"';
	out[n] = '\0';
	return (int)n;
}

static void writer_flush(struct record_writer *w)
{
	if (w->used == 0 || w->failed)
		return;
	if (w->gz) {
		if (gzwrite(w->gz, w->buf, (unsigned)w->used) != (int)w->used)
			w->failed = EIO;
	} else if (fwrite(w->buf, 1, w->used, w->file) != w->used) {
		w->failed = errno ? errno : EIO;
	}
	w->used = 0;
}

/* Appends LEN bytes; the buffer always has room for one whole line. */
static void writer_append(struct record_writer *w, const char *s, size_t len)
{
	if (w->used + len > sizeof w->buf)
		writer_flush(w);
	if (len > sizeof w->buf) {
		w->failed = EOVERFLOW;
		return;
	}
	memcpy(w->buf + w->used, s, len);
	w->used += len;
}

/* The format's rule for names: at most 255 bytes, no control characters.
 * Control characters (a command line may hold newlines) become spaces; a
 * longer name is cut at a UTF-8 character boundary and ends in "...". */
static void writer_clean_name(char out[RECORD_NAME_MAX + 1], const char *name)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p && n < RECORD_NAME_MAX; p++)
		out[n++] = (*p < 0x20 || *p == 0x7f) ? ' ' : (char)*p;
	out[n] = '\0';
	if (name[n] == '\0')
		return;
	n = RECORD_NAME_MAX - 3;
	while (n > 0 && ((unsigned char)out[n] & 0xc0) == 0x80)
		n--; /* out[n] is now the first byte of a character: cut before it */
	memcpy(out + n, "...", 4);
}

int record_writer_open(struct record_writer *w, const char *path, const char *name)
{
	memset(w, 0, offsetof(struct record_writer, buf));
	w->final_path = path;
	if (!path) {
		w->file = stdout;
	} else {
		int n = snprintf(w->tmp_path, sizeof w->tmp_path, "%s.tmp.%ld", path, (long)getpid());
		if (n < 0 || (size_t)n >= sizeof w->tmp_path) {
			fprintf(stderr, "fraglab: output path too long: %s\n", path);
			return -1;
		}
		int fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "fraglab: cannot create %s: %s\n", path, strerror(errno));
			return -1;
		}
		if (record_path_is_gz(path)) {
			w->gz = gzdopen(fd, "wb6");
			if (!w->gz) {
				close(fd);
				unlink(w->tmp_path);
				fprintf(stderr, "fraglab: cannot compress %s\n", path);
				return -1;
			}
		} else {
			w->file = fdopen(fd, "w");
			if (!w->file) {
				fprintf(stderr, "fraglab: cannot create %s: %s\n", path, strerror(errno));
				close(fd);
				unlink(w->tmp_path);
				return -1;
			}
		}
	}
	char clean[RECORD_NAME_MAX + 1];
	writer_clean_name(clean, name);
	char quoted[6 * RECORD_NAME_MAX + 3]; /* worst case: every byte escaped */
	record_json_string(quoted, sizeof quoted, clean);
	char line[1200];
	int n = snprintf(line, sizeof line,
			 "{\"format\":\"fraglab-trace\",\"version\":1,\"name\":%s}\n", quoted);
	writer_append(w, line, (size_t)n);
	return 0;
}

void record_writer_event(struct record_writer *w, const struct record_event *ev)
{
	static const char *const op_names[TRACE_OP_COUNT] = {
		[TRACE_OP_MALLOC] = "malloc", [TRACE_OP_CALLOC] = "calloc",
		[TRACE_OP_REALLOC] = "realloc", [TRACE_OP_MEMALIGN] = "memalign",
		[TRACE_OP_FREE] = "free",
	};
	char line[256];
	int n = snprintf(line, sizeof line, "{\"op\":\"%s\",\"id\":%" PRIu64, op_names[ev->op], ev->id);
	switch (ev->op) {
	case TRACE_OP_CALLOC:
		n += snprintf(line + n, sizeof line - (size_t)n, ",\"nmemb\":%" PRIu64 ",\"size\":%" PRIu64,
			      ev->nmemb, ev->size);
		break;
	case TRACE_OP_MEMALIGN:
		n += snprintf(line + n, sizeof line - (size_t)n, ",\"align\":%" PRIu64 ",\"size\":%" PRIu64,
			      ev->align, ev->size);
		break;
	case TRACE_OP_MALLOC:
	case TRACE_OP_REALLOC:
		n += snprintf(line + n, sizeof line - (size_t)n, ",\"size\":%" PRIu64, ev->size);
		break;
	default:
		break;
	}
	if (ev->tid != RECORD_NO_TID)
		n += snprintf(line + n, sizeof line - (size_t)n, ",\"tid\":%" PRId64, ev->tid);
	if (ev->inherited)
		n += snprintf(line + n, sizeof line - (size_t)n, ",\"inherited\":true");
	n += snprintf(line + n, sizeof line - (size_t)n, "}\n");
	writer_append(w, line, (size_t)n);
	w->events++;
}

int record_writer_commit(struct record_writer *w)
{
	writer_flush(w);
	int err = w->failed;
	if (w->gz) {
		if (gzclose(w->gz) != Z_OK && !err)
			err = EIO;
		w->gz = NULL;
	} else if (w->file == stdout) {
		if (fflush(stdout) != 0 && !err)
			err = errno;
		w->file = NULL;
	} else if (w->file) {
		if (fclose(w->file) != 0 && !err)
			err = errno ? errno : EIO;
		w->file = NULL;
	}
	if (!w->final_path) {
		if (err)
			fprintf(stderr, "fraglab: writing the trace to stdout failed: %s\n", strerror(err));
		return err ? -1 : 0;
	}
	if (!err && rename(w->tmp_path, w->final_path) != 0)
		err = errno;
	if (err) {
		unlink(w->tmp_path);
		fprintf(stderr, "fraglab: cannot write %s: %s\n", w->final_path, strerror(err));
		return -1;
	}
	return 0;
}

void record_writer_abort(struct record_writer *w)
{
	if (w->gz)
		gzclose(w->gz);
	else if (w->file && w->file != stdout)
		fclose(w->file);
	w->gz = NULL;
	w->file = NULL;
	if (w->final_path)
		unlink(w->tmp_path);
}
