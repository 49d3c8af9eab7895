/* bench_outfile.c: write to a temporary file, then rename into place. */
#include "bench_outfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int bench_outfile_tmpname(const char *path, char *tmp, size_t size)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	if (!dot || dot == base)
		dot = base + strlen(base);
	int n = snprintf(tmp, size, "%.*s.tmp%ld%s", (int)(dot - path), path, (long)getpid(), dot);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

FILE *bench_outfile_open(struct bench_outfile *f, const char *path)
{
	f->fp = NULL;
	if (strlen(path) >= sizeof f->path || bench_outfile_tmpname(path, f->tmp, sizeof f->tmp)) {
		fprintf(stderr, "fraglab: %s: path too long\n", path);
		return NULL;
	}
	strcpy(f->path, path);
	f->fp = fopen(f->tmp, "w");
	if (!f->fp)
		fprintf(stderr, "fraglab: %s: %s\n", f->tmp, strerror(errno));
	return f->fp;
}

int bench_outfile_commit(struct bench_outfile *f)
{
	int bad = ferror(f->fp);
	if (fclose(f->fp))
		bad = 1;
	f->fp = NULL;
	if (bad) {
		fprintf(stderr, "fraglab: %s: write error\n", f->path);
		unlink(f->tmp);
		return -1;
	}
	return bench_outfile_publish(f->tmp, f->path);
}

void bench_outfile_abort(struct bench_outfile *f)
{
	if (f->fp)
		fclose(f->fp);
	f->fp = NULL;
	unlink(f->tmp);
}

int bench_outfile_publish(const char *tmp, const char *path)
{
	if (rename(tmp, path)) {
		fprintf(stderr, "fraglab: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

void bench_outfile_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "fraglab: path too long: %.60s...\n", buf);
		exit(2);
	}
}
