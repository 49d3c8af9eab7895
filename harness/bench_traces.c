/* bench_traces.c: find the traces to replay. */
#include "bench_traces.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* Whether `text` holds the key-value pair "format": "fraglab-trace" (any
 * spacing), which every trace header has; a JSON Schema that merely
 * mentions the string (as a "const") does not. */
static int has_format_tag(const char *text)
{
	for (const char *p = strstr(text, "\"format\""); p; p = strstr(p + 1, "\"format\"")) {
		const char *q = p + strlen("\"format\"");
		while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
			q++;
		if (*q++ != ':')
			continue;
		while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
			q++;
		if (!strncmp(q, "\"fraglab-trace\"", strlen("\"fraglab-trace\"")))
			return 1;
	}
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

void bench_traces_stem(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	snprintf(buf, size, "%s", slash ? slash + 1 : path);
	static const char *const suffixes[] = {".gz", ".jsonl", ".json"};
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
		if (ends_with(buf, suffixes[i]) && strlen(buf) > strlen(suffixes[i]))
			buf[strlen(buf) - strlen(suffixes[i])] = '\0';
	for (char *p = buf; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '_' || *p == '-'))
			*p = '_';
}

/* 1 if the file starts like a fraglab trace (gzip or plain: zlib reads both). */
static int looks_like_trace(const char *path)
{
	gzFile gz = gzopen(path, "rb");
	if (!gz)
		return 0;
	char head[4097];
	int n = gzread(gz, head, sizeof head - 1);
	gzclose(gz);
	if (n <= 0)
		return 0;
	head[n] = '\0';
	return has_format_tag(head);
}

static void add(struct bench_traces *t, const char *path)
{
	char stem[256];
	bench_traces_stem(path, stem, sizeof stem);
	/* a.json beside a.jsonl.gz: both stay, under distinct names. */
	size_t base_len = strlen(stem);
	for (unsigned k = 2;; k++) {
		size_t i = 0;
		while (i < t->n && strcmp(t->stems[i], stem))
			i++;
		if (i == t->n)
			break;
		if (base_len > sizeof stem - 16)
			base_len = sizeof stem - 16;
		snprintf(stem + base_len, sizeof stem - base_len, "-%u", k);
	}
	char **paths = realloc(t->paths, (t->n + 1) * sizeof *paths);
	if (paths)
		t->paths = paths;
	char **stems = paths ? realloc(t->stems, (t->n + 1) * sizeof *stems) : NULL;
	if (stems)
		t->stems = stems;
	if (!paths || !stems || !(t->paths[t->n] = strdup(path)) || !(t->stems[t->n] = strdup(stem))) {
		fprintf(stderr, "fraglab: out of memory\n");
		exit(1);
	}
	t->n++;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_directory(struct bench_traces *t, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "fraglab: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' ||
		    !(ends_with(e->d_name, ".json") || ends_with(e->d_name, ".jsonl") || ends_with(e->d_name, ".gz")))
			continue;
		char **grown = realloc(names, (n + 1) * sizeof *names);
		if (!grown || !(grown[n] = strdup(e->d_name))) {
			fprintf(stderr, "fraglab: out of memory\n");
			exit(1);
		}
		names = grown;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		int len = snprintf(path, sizeof path, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", names[i]);
		struct stat st;
		if (len > 0 && (size_t)len < sizeof path && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    looks_like_trace(path))
			add(t, path);
		free(names[i]);
	}
	free(names);
	return 0;
}

int bench_traces_collect(const char *const *args, size_t n_args, struct bench_traces *out)
{
	memset(out, 0, sizeof *out);
	static const char *const default_dir[] = {"traces"};
	if (n_args == 0) {
		args = default_dir;
		n_args = 1;
	}
	for (size_t i = 0; i < n_args; i++) {
		struct stat st;
		if (stat(args[i], &st)) {
			fprintf(stderr, "fraglab: %s: %s\n", args[i], strerror(errno));
			bench_traces_free(out);
			return -1;
		}
		if (S_ISDIR(st.st_mode) ? add_directory(out, args[i]) : (add(out, args[i]), 0)) {
			bench_traces_free(out);
			return -1;
		}
	}
	if (out->n == 0) {
		fprintf(stderr, "fraglab: no traces found in");
		for (size_t i = 0; i < n_args; i++)
			fprintf(stderr, " %s", args[i]);
		fprintf(stderr, "\n");
		return -1;
	}
	return 0;
}

void bench_traces_free(struct bench_traces *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->paths[i]);
		free(t->stems[i]);
	}
	free(t->paths);
	free(t->stems);
	memset(t, 0, sizeof *t);
}
