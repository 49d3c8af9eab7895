/* harness_record_log.c: the conversion of a shim log into a trace, on a
 * log written by hand that holds each case the converter must get right:
 * a realloc whose old address another thread is handed before the realloc
 * returns, a cross-thread free, a failed realloc, a torn record, a free of
 * an unknown address, an allocation at a still-bound address, an odd
 * alignment, a failed malloc; and an empty log, which yields no trace. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record_log.h"
#include "shim/fltrace_log.h"
#include "lib/check.h"

struct rec {
	uint8_t op;
	uint32_t tid;
	uint64_t addr, size, aux;
	int torn;
};

static void write_log_as(const char *path, int pid, const char *parent, uint64_t parent_seq,
			 const struct rec *recs, unsigned n)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, FLTRACE_HEADER_BYTES + (off_t)FLTRACE_CHUNK_BYTES) != 0) {
		perror(path);
		exit(1);
	}
	struct fltrace_header h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, FLTRACE_MAGIC, 8);
	h.version = FLTRACE_VERSION;
	h.record_size = sizeof(struct fltrace_record);
	h.pid = pid;
	h.ppid = 1;
	if (parent)
		strcpy(h.parent_log, parent);
	h.parent_seq = parent_seq;
	static const char cmd[] = "prog\0arg\0";
	memcpy(h.cmdline, cmd, sizeof cmd - 1);
	h.cmdline_len = sizeof cmd - 1;
	strcpy(h.exe, "/usr/bin/prog");
	CHECK_TRUE(pwrite(fd, &h, sizeof h, 0) == (ssize_t)sizeof h);
	for (unsigned i = 0; i < n; i++) {
		struct fltrace_record r = {.commit = recs[i].torn ? 0 : i + 1, .addr = recs[i].addr,
					   .aux = recs[i].aux, .size = recs[i].size,
					   .tid = recs[i].tid, .op = recs[i].op};
		CHECK_TRUE(pwrite(fd, &r, sizeof r, FLTRACE_HEADER_BYTES + (off_t)(i * sizeof r)) == (ssize_t)sizeof r);
	}
	close(fd);
}

static void write_log(const char *path, const struct rec *recs, unsigned n)
{
	write_log_as(path, 4242, NULL, 0, recs, n);
}

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int main(void)
{
	char dir[] = "/tmp/harness_record_log.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char log[256], out[256];
	snprintf(log, sizeof log, "%s/4242.0.log", dir);
	snprintf(out, sizeof out, "%s/t.jsonl", dir);

	const struct rec recs[] = {
		{FLTRACE_MALLOC, 100, 0x1000, 10, 0, 0},         /* id 0, main thread */
		{FLTRACE_CALLOC, 200, 0x2000, 8, 3, 0},          /* id 1, second thread */
		{FLTRACE_REALLOC_OUT, 100, 0x1000, 0, 0, 0},     /* realloc of id 0 begins */
		{FLTRACE_MALLOC, 200, 0x1000, 5, 0, 0},          /* the old address, reused meanwhile: id 2 */
		{FLTRACE_REALLOC_IN, 100, 0x3000, 40, 0x1000, 0},/* id 0 now at 0x3000 */
		{FLTRACE_FREE, 100, 0x2000, 0, 0, 0},            /* cross-thread free of id 1 */
		{FLTRACE_MALLOC, 100, 0x5000, 1, 0, 1},          /* torn: skipped */
		{FLTRACE_FREE, 100, 0x9999, 0, 0, 0},            /* never allocated: dropped */
		{FLTRACE_MEMALIGN, 200, 0x4000, 100, 24, 0},     /* id 1 again; align 24 -> 32 */
		{FLTRACE_MALLOC, 100, 0x4000, 7, 0, 0},          /* still bound: inferred free of id 1, then id 3 */
		{FLTRACE_REALLOC_OUT, 100, 0x3000, 0, 0, 0},
		{FLTRACE_REALLOC_IN, 100, 0, 1ULL << 40, 0x3000, 0}, /* failed: id 0 stays at 0x3000 */
		{FLTRACE_FREE, 100, 0x3000, 0, 0, 0},            /* so this frees id 0 */
		{FLTRACE_MALLOC, 100, 0, 1ULL << 50, 0, 0},      /* failed malloc: nothing */
	};
	write_log(log, recs, sizeof recs / sizeof recs[0]);

	struct record_log_info info;
	CHECK_TRUE(record_log_info(log, &info) == 0);
	CHECK_TRUE(info.pid == 4242 && info.image == 0);
	CHECK_TRUE(!strcmp(info.command, "prog arg"));

	struct record_log_stats st;
	CHECK_TRUE(record_log_convert(log, out, &st) == 0);
	const char *want =
		"{\"format\":\"fraglab-trace\",\"version\":1,\"name\":\"record: prog arg (pid 4242)\"}\n"
		"{\"op\":\"malloc\",\"id\":0,\"size\":10,\"tid\":0}\n"
		"{\"op\":\"calloc\",\"id\":1,\"nmemb\":3,\"size\":8,\"tid\":1}\n"
		"{\"op\":\"malloc\",\"id\":2,\"size\":5,\"tid\":1}\n"
		"{\"op\":\"realloc\",\"id\":0,\"size\":40,\"tid\":0}\n"
		"{\"op\":\"free\",\"id\":1,\"tid\":0}\n"
		"{\"op\":\"memalign\",\"id\":1,\"align\":32,\"size\":100,\"tid\":1}\n"
		"{\"op\":\"free\",\"id\":1,\"tid\":0}\n"
		"{\"op\":\"malloc\",\"id\":3,\"size\":7,\"tid\":0}\n" /* id taken before the stale one is released */
		"{\"op\":\"free\",\"id\":0,\"tid\":0}\n";
	const char *got = slurp(out);
	CHECK_TRUE(got && !strcmp(got, want));
	if (got && strcmp(got, want))
		fprintf(stderr, "got:\n%s\nwant:\n%s", got, want);
	CHECK_TRUE(st.events == 9);
	CHECK_TRUE(st.records == 13);
	CHECK_TRUE(st.torn == 1);
	CHECK_TRUE(st.unknown_frees == 1);
	CHECK_TRUE(st.implicit_frees == 1);
	CHECK_TRUE(st.threads == 2);

	/* A fork child: its parent (4242.0.log, rewritten below) had numbered 5
	 * records at the fork, so the child starts with the blocks live after
	 * them: id 0 at 0x3000 (40 B, reallocated), id 1 at 0x2000 (the 3 x 8 B
	 * calloc, freed by the parent only after the fork) and id 2 at 0x1000
	 * (5 B).  The child frees id 2 and allocates elsewhere, reusing id 2. */
	const struct rec child[] = {
		{FLTRACE_FREE, 300, 0x1000, 0, 0, 0},
		{FLTRACE_MALLOC, 300, 0x7000, 64, 0, 0},
	};
	char child_log[256], child_out[256];
	snprintf(child_log, sizeof child_log, "%s/4243.0.log", dir);
	snprintf(child_out, sizeof child_out, "%s/child.jsonl", dir);
	write_log_as(child_log, 4243, "4242.0.log", 5, child, 2);
	CHECK_TRUE(record_log_convert(child_log, child_out, &st) == 0);
	const char *want_child =
		"{\"format\":\"fraglab-trace\",\"version\":1,\"name\":\"record: prog arg (pid 4243)\"}\n"
		"{\"op\":\"malloc\",\"id\":0,\"size\":40,\"tid\":0,\"inherited\":true}\n"
		"{\"op\":\"malloc\",\"id\":1,\"size\":24,\"tid\":0,\"inherited\":true}\n"
		"{\"op\":\"malloc\",\"id\":2,\"size\":5,\"tid\":0,\"inherited\":true}\n"
		"{\"op\":\"free\",\"id\":2,\"tid\":0}\n"
		"{\"op\":\"malloc\",\"id\":2,\"size\":64,\"tid\":0}\n";
	got = slurp(child_out);
	CHECK_TRUE(got && !strcmp(got, want_child));
	if (got && strcmp(got, want_child))
		fprintf(stderr, "got:\n%s\nwant:\n%s", got, want_child);
	CHECK_TRUE(st.inherited == 3 && st.events == 5 && st.threads == 1 && st.unknown_frees == 0);
	unlink(child_log);
	unlink(child_out);

	/* A log without records: no trace, nothing left behind. */
	char empty_out[256];
	snprintf(empty_out, sizeof empty_out, "%s/empty.jsonl", dir);
	write_log(log, recs, 0);
	CHECK_TRUE(record_log_convert(log, empty_out, &st) == 1);
	CHECK_TRUE(access(empty_out, F_OK) != 0);

	/* Not a log: refused with a message. */
	char bogus[256];
	snprintf(bogus, sizeof bogus, "%s/bogus.log", dir);
	int fd = open(bogus, O_WRONLY | O_CREAT, 0600);
	CHECK_TRUE(fd >= 0 && write(fd, "hello", 5) == 5);
	close(fd);
	CHECK_TRUE(record_log_convert(bogus, empty_out, &st) == -1);

	unlink(log);
	unlink(out);
	unlink(bogus);
	rmdir(dir);
	return check_exit_status("harness_record_log");
}
