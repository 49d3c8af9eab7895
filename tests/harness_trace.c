/*
 * harness_trace.c: unit tests for the trace loader (harness/trace*.c):
 * hand-computed summaries and compiled events for small traces, id and
 * slot reuse, both forms and gzip giving identical results, and the
 * compile cache (hit, miss on change, corrupt and truncated files rebuilt,
 * unusable directory), plus the id map and hash it is built on.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "trace.h"
#include "trace_compile.h"
#include "trace_fastline.h"
#include "trace_hash.h"
#include "trace_idmap.h"
#include "lib/check.h"

static char tmpdir[256];
static char cachedir[300];

#define CHECK_EQ(a, b)                                                                \
	do {                                                                          \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                      \
		if (a_ != b_) {                                                       \
			check_report(__FILE__, __LINE__, "check failed: %s == %s (%" PRIu64 " != %" PRIu64 ")", #a, \
				     #b, a_, b_);                                         \
		}                                                                     \
	} while (0)

static const char *write_file(const char *name, const char *text)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, 512, "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(p);
		exit(1);
	}
	return p;
}

static const char *write_gz(const char *name, const char *text)
{
	static char p[512];
	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	gzFile gz = gzopen(p, "wb");
	if (!gz || gzputs(gz, text) < 0 || gzclose(gz) != Z_OK) {
		fprintf(stderr, "cannot write %s\n", p);
		exit(1);
	}
	return p;
}

/* Files in the cache directory: (complete cache files, temporary files). */
static void count_cache(int *complete, int *temporary)
{
	*complete = *temporary = 0;
	DIR *d = opendir(cachedir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strstr(e->d_name, ".tmp."))
			(*temporary)++;
		else if (strstr(e->d_name, ".ftc"))
			(*complete)++;
	}
	closedir(d);
}

static const char tiny_doc[] =
	"{\"format\": \"fraglab-trace\", \"version\": 1, \"name\": \"tiny\",\n"
	" \"events\": [\n"
	"   {\"op\": \"malloc\",   \"id\": 0, \"size\": 24},\n"
	"   {\"op\": \"calloc\",   \"id\": 1, \"nmemb\": 4, \"size\": 8},\n"
	"   {\"op\": \"realloc\",  \"id\": 0, \"size\": 100},\n"
	"   {\"op\": \"memalign\", \"id\": 2, \"align\": 64, \"size\": 10},\n"
	"   {\"op\": \"free\",     \"id\": 1},\n"
	"   {\"op\": \"free\",     \"id\": 0},\n"
	"   {\"op\": \"free\",     \"id\": 2}\n"
	" ]}\n";

static const char tiny_lines[] =
	"{\"format\":\"fraglab-trace\",\"version\":1,\"name\":\"tiny\"}\n"
	"{\"op\":\"malloc\",\"id\":0,\"size\":24}\n"
	"{\"op\":\"calloc\",\"id\":1,\"nmemb\":4,\"size\":8}\n"
	"\n"
	"{\"op\":\"realloc\",\"id\":0,\"size\":100,\"ns\":5}\r\n"
	"{\"op\":\"memalign\",\"id\":2,\"align\":64,\"size\":10,\"extra\":[1,2]}\n"
	"{\"op\":\"free\",\"id\":1}\n"
	"{\"op\":\"free\",\"id\":0}\n"
	"{\"op\":\"free\",\"id\":2}"; /* no final newline */

/* The tiny trace, by hand: live bytes 24, 56, 132, 142 (peak, event 3),
 * then 110, 10, 0; requests 24 + 32 + 100 + 10 = 166. */
static void check_tiny(const struct trace *t)
{
	const struct trace_summary *s = &t->summary;
	CHECK_TRUE(!strcmp(t->name, "tiny"));
	CHECK_EQ(t->n_events, 7);
	CHECK_EQ(s->events, 7);
	CHECK_EQ(s->op_count[TRACE_OP_MALLOC], 1);
	CHECK_EQ(s->op_count[TRACE_OP_CALLOC], 1);
	CHECK_EQ(s->op_count[TRACE_OP_REALLOC], 1);
	CHECK_EQ(s->op_count[TRACE_OP_MEMALIGN], 1);
	CHECK_EQ(s->op_count[TRACE_OP_FREE], 3);
	CHECK_EQ(s->peak_live_bytes, 142);
	CHECK_EQ(s->peak_live_event, 3);
	CHECK_EQ(s->peak_live_blocks, 3);
	CHECK_EQ(s->live_bytes_end, 0);
	CHECK_EQ(s->live_blocks_end, 0);
	CHECK_EQ(s->requested_bytes, 166);
	CHECK_EQ(s->max_size, 100);
	CHECK_EQ(s->slots, 3);
	CHECK_EQ(t->n_slots, 3);
	CHECK_EQ(s->threads, 1);
	CHECK_EQ(s->size_hist[4], 1); /* 10 in [8, 16) */
	CHECK_EQ(s->size_hist[5], 1); /* 24 in [16, 32) */
	CHECK_EQ(s->size_hist[6], 1); /* 32 in [32, 64) */
	CHECK_EQ(s->size_hist[7], 1); /* 100 in [64, 128) */
	if (t->n_events != 7)
		return;
	const struct trace_event *e = t->events;
	CHECK_EQ(e[0].op, TRACE_OP_MALLOC);
	CHECK_EQ(e[0].size, 24);
	CHECK_EQ(e[1].op, TRACE_OP_CALLOC);
	CHECK_EQ(e[1].size, 32);
	CHECK_TRUE(e[1].slot != e[0].slot);
	CHECK_EQ(e[2].op, TRACE_OP_REALLOC);
	CHECK_EQ(e[2].slot, e[0].slot); /* realloc keeps the slot */
	CHECK_EQ(e[2].size, 100);
	CHECK_EQ(e[3].op, TRACE_OP_MEMALIGN);
	CHECK_EQ(e[3].align_log2, 6);
	CHECK_EQ(e[3].size, 10);
	CHECK_EQ(e[4].op, TRACE_OP_FREE);
	CHECK_EQ(e[4].slot, e[1].slot);
	CHECK_EQ(e[4].size, 0);
	CHECK_EQ(e[5].slot, e[0].slot);
	CHECK_EQ(e[6].slot, e[3].slot);
	for (int i = 0; i < 7; i++) {
		CHECK_TRUE(e[i].slot < t->n_slots);
		CHECK_EQ(e[i].tid, 0);
		if (e[i].op != TRACE_OP_MEMALIGN)
			CHECK_EQ(e[i].align_log2, 0);
	}
}

static void test_tiny_all_forms(void)
{
	struct trace doc, lines, gz;
	CHECK_TRUE(trace_open(write_file("tiny.json", tiny_doc), &doc) == 0);
	check_tiny(&doc);
	CHECK_TRUE(trace_open(write_file("tiny.jsonl", tiny_lines), &lines) == 0);
	check_tiny(&lines);
	CHECK_TRUE(trace_open(write_gz("tiny.jsonl.gz", tiny_lines), &gz) == 0);
	check_tiny(&gz);
	/* The three forms compile to the very same bytes. */
	CHECK_TRUE(doc.n_events == lines.n_events &&
	      !memcmp(doc.events, lines.events, doc.n_events * sizeof *doc.events));
	CHECK_TRUE(gz.n_events == lines.n_events &&
	      !memcmp(gz.events, lines.events, gz.n_events * sizeof *gz.events));
	CHECK_TRUE(!memcmp(&doc.summary, &lines.summary, sizeof doc.summary));
	/* A file with neither extension is sniffed. */
	struct trace sniffed;
	CHECK_TRUE(trace_open(write_file("tiny.trace", tiny_lines), &sniffed) == 0);
	CHECK_EQ(sniffed.n_events, 7);
	trace_close(&sniffed);
	CHECK_TRUE(trace_open(write_file("tiny.data", tiny_doc), &sniffed) == 0);
	CHECK_EQ(sniffed.n_events, 7);
	trace_close(&sniffed);
	trace_close(&doc);
	trace_close(&lines);
	trace_close(&gz);
	CHECK_TRUE(doc.map == NULL && doc.events == NULL);
}

/* Ids are reusable after free; freed slots are reused LIFO; any id in
 * 0..2^63-1 works. */
static void test_id_and_slot_reuse(void)
{
	struct trace t;
	const char *p = write_file("reuse.jsonl",
		"{\"format\":\"fraglab-trace\",\"version\":1}\n"
		"{\"op\":\"malloc\",\"id\":9223372036854775807,\"size\":1}\n"  /* 0: slot 0, live 1 */
		"{\"op\":\"malloc\",\"id\":5,\"size\":2}\n"                    /* 1: slot 1, live 3 */
		"{\"op\":\"free\",\"id\":9223372036854775807}\n"               /* 2: live 2 */
		"{\"op\":\"malloc\",\"id\":9223372036854775807,\"size\":4}\n"  /* 3: reuses slot 0, live 6 */
		"{\"op\":\"free\",\"id\":5}\n"                                 /* 4: live 4 */
		"{\"op\":\"free\",\"id\":9223372036854775807}\n"               /* 5: live 0 */
		"{\"op\":\"malloc\",\"id\":5,\"size\":3}\n"                    /* 6: slot 0 (freed last), live 3 */
		"{\"op\":\"malloc\",\"id\":6,\"size\":0}\n");                  /* 7: slot 1, live 3 */
	CHECK_TRUE(trace_open(p, &t) == 0);
	CHECK_TRUE(!strcmp(t.name, "reuse")); /* no "name": the file's */
	CHECK_EQ(t.n_events, 8);
	CHECK_EQ(t.n_slots, 2);
	CHECK_EQ(t.summary.peak_live_bytes, 6);
	CHECK_EQ(t.summary.peak_live_event, 3);
	CHECK_EQ(t.summary.peak_live_blocks, 2);
	CHECK_EQ(t.summary.live_bytes_end, 3);
	CHECK_EQ(t.summary.live_blocks_end, 2);
	CHECK_EQ(t.summary.size_hist[0], 1);
	if (t.n_events == 8) {
		CHECK_EQ(t.events[0].slot, 0);
		CHECK_EQ(t.events[1].slot, 1);
		CHECK_EQ(t.events[3].slot, 0);
		CHECK_EQ(t.events[6].slot, 0);
		CHECK_EQ(t.events[7].slot, 1);
	}
	trace_close(&t);
}

/* tids are renumbered by first appearance.  A freed slot goes to the
 * freeing thread's stack; a thread reuses its own freed slots first, takes
 * another thread's only when it has none, and opens a new slot only when
 * no slot is free anywhere, so slots == peak live blocks. */
static void test_threads(void)
{
	struct trace t;
	const char *p = write_file("threads.jsonl",
		"{\"format\":\"fraglab-trace\",\"version\":1,\"name\":\"mt\"}\n"
		"{\"op\":\"malloc\",\"id\":1,\"size\":8,\"tid\":4000}\n"   /* 0: thread 0, slot 0 */
		"{\"op\":\"malloc\",\"id\":2,\"size\":8,\"tid\":77}\n"     /* 1: thread 1, slot 1 */
		"{\"op\":\"free\",\"id\":1,\"tid\":77}\n"                  /* 2: thread 1 stacks slot 0 */
		"{\"op\":\"free\",\"id\":2,\"tid\":4000}\n"                /* 3: thread 0 stacks slot 1 */
		"{\"op\":\"malloc\",\"id\":3,\"size\":8,\"tid\":4000}\n"   /* 4: own stack: slot 1 */
		"{\"op\":\"malloc\",\"id\":4,\"size\":8,\"tid\":77}\n"     /* 5: own stack: slot 0 */
		"{\"op\":\"free\",\"id\":3,\"tid\":77}\n"                  /* 6: thread 1 stacks slot 1 */
		"{\"op\":\"malloc\",\"id\":5,\"size\":8,\"tid\":4000}\n"   /* 7: steals slot 1 */
		"{\"op\":\"malloc\",\"id\":6,\"size\":8}\n");              /* 8: no tid = tid 0: thread 2, new slot 2 */
	CHECK_TRUE(trace_open(p, &t) == 0);
	CHECK_EQ(t.summary.threads, 3);
	CHECK_EQ(t.n_slots, 3);
	CHECK_EQ(t.summary.peak_live_blocks, 3);
	static const uint16_t tid[9] = {0, 1, 1, 0, 0, 1, 1, 0, 2};
	static const uint32_t slot[9] = {0, 1, 0, 1, 1, 0, 1, 1, 2};
	CHECK_EQ(t.n_events, 9);
	for (uint64_t i = 0; i < t.n_events && i < 9; i++) {
		CHECK_EQ(t.events[i].tid, tid[i]);
		CHECK_EQ(t.events[i].slot, slot[i]);
	}
	trace_close(&t);

	/* Producer-consumer: every block allocated on one thread and freed on
	 * another still needs only peak-live-blocks slots. */
	char text[64 * 1024];
	size_t n = (size_t)snprintf(text, sizeof text, "{\"format\":\"fraglab-trace\",\"version\":1}\n");
	for (int i = 0; i < 500; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
				      "{\"op\":\"malloc\",\"id\":%d,\"size\":16,\"tid\":1}\n"
				      "{\"op\":\"free\",\"id\":%d,\"tid\":2}\n", i, i);
	CHECK_TRUE(trace_open(write_file("producer-consumer.jsonl", text), &t) == 0);
	CHECK_EQ(t.n_events, 1000);
	CHECK_EQ(t.n_slots, 1);
	trace_close(&t);
}

static void test_cache(void)
{
	int complete, temporary;
	struct trace t;
	const char *text =
		"{\"format\":\"fraglab-trace\",\"version\":1,\"name\":\"c\"}\n"
		"{\"op\":\"malloc\",\"id\":1,\"size\":8}\n";
	const char *p = write_file("cache.jsonl", text);
	CHECK_TRUE(trace_open(p, &t) == 0);
	CHECK_EQ(t.compiled, 1);
	uint64_t key1 = t.key;
	trace_close(&t);
	CHECK_TRUE(trace_open(p, &t) == 0);
	CHECK_EQ(t.compiled, 0); /* hit */
	CHECK_EQ(t.key, key1);
	CHECK_EQ(t.n_events, 1);
	trace_close(&t);

	/* The same bytes under another path: a hit. */
	const char *q = write_file("cache-copy.jsonl", text);
	CHECK_TRUE(trace_open(q, &t) == 0);
	CHECK_EQ(t.compiled, 0);
	trace_close(&t);

	/* A header "name" stays the trace's name under any path, even when it
	 * equals the file name it was first compiled from. */
	const char *named = "{\"format\":\"fraglab-trace\",\"version\":1,\"name\":\"first\"}\n"
			    "{\"op\":\"malloc\",\"id\":1,\"size\":8}\n";
	CHECK_TRUE(trace_open(write_file("first.jsonl", named), &t) == 0);
	CHECK_TRUE(!strcmp(t.name, "first"));
	trace_close(&t);
	CHECK_TRUE(trace_open(write_file("second.jsonl", named), &t) == 0);
	CHECK_EQ(t.compiled, 0);
	CHECK_TRUE(!strcmp(t.name, "first"));
	trace_close(&t);
	/* Without a "name", each path gives its own, hit or not. */
	const char *unnamed = "{\"format\":\"fraglab-trace\",\"version\":1}\n"
			      "{\"op\":\"malloc\",\"id\":1,\"size\":8}\n";
	CHECK_TRUE(trace_open(write_file("alpha.jsonl", unnamed), &t) == 0);
	CHECK_TRUE(!strcmp(t.name, "alpha"));
	trace_close(&t);
	CHECK_TRUE(trace_open(write_file("beta.jsonl.gz", unnamed), &t) == 0);
	CHECK_EQ(t.compiled, 0);
	CHECK_TRUE(!strcmp(t.name, "beta"));
	trace_close(&t);
	/* The same bytes read as another form are another trace: a JSON Lines
	 * file named .json is a (bad) document, cached or not. */
	CHECK_TRUE(trace_open(write_file("alpha.json", unnamed), &t) == -1);

	/* A changed trace is recompiled under a new key. */
	p = write_file("cache.jsonl",
		"{\"format\":\"fraglab-trace\",\"version\":1,\"name\":\"c\"}\n"
		"{\"op\":\"malloc\",\"id\":1,\"size\":9}\n"
		"{\"op\":\"free\",\"id\":1}\n");
	CHECK_TRUE(trace_open(p, &t) == 0);
	CHECK_EQ(t.compiled, 1);
	CHECK_TRUE(t.key != key1);
	CHECK_EQ(t.n_events, 2);
	CHECK_EQ(t.summary.peak_live_bytes, 9);
	uint64_t key2 = t.key;
	trace_close(&t);

	/* Corrupt one event byte: detected by the checksum and rebuilt. */
	char cpath[512];
	snprintf(cpath, sizeof cpath, "%s/%016llx.ftc", cachedir, (unsigned long long)key2);
	int fd = open(cpath, O_WRONLY);
	CHECK_TRUE(fd >= 0);
	CHECK_TRUE(pwrite(fd, "\x7f", 1, 4096 + 4) == 1);
	close(fd);
	CHECK_TRUE(trace_open(p, &t) == 0);
	CHECK_EQ(t.compiled, 1);
	CHECK_EQ(t.events[0].slot, 0);
	trace_close(&t);
	CHECK_TRUE(trace_open(p, &t) == 0);
	CHECK_EQ(t.compiled, 0);
	trace_close(&t);

	/* Truncated mid-events, then to nothing: rebuilt both times. */
	CHECK_TRUE(truncate(cpath, 4096 + 8) == 0);
	CHECK_TRUE(trace_open(p, &t) == 0);
	CHECK_EQ(t.compiled, 1);
	CHECK_EQ(t.n_events, 2);
	trace_close(&t);
	CHECK_TRUE(truncate(cpath, 0) == 0);
	CHECK_TRUE(trace_open(p, &t) == 0);
	CHECK_EQ(t.compiled, 1);
	trace_close(&t);

	/* A bad trace leaves nothing in the cache. */
	count_cache(&complete, &temporary);
	int before = complete;
	const char *bad = write_file("bad.jsonl",
		"{\"format\":\"fraglab-trace\",\"version\":1}\n"
		"{\"op\":\"malloc\",\"id\":1,\"size\":8}\n"
		"{\"op\":\"free\",\"id\":2}\n");
	CHECK_TRUE(trace_open(bad, &t) == -1);
	count_cache(&complete, &temporary);
	CHECK_EQ(complete, before);
	CHECK_EQ(temporary, 0);
	char missing[512];
	snprintf(missing, sizeof missing, "%s/no-such-trace.jsonl", tmpdir);
	CHECK_TRUE(trace_open(missing, &t) == -1);
}

/* Writes a JSON Lines trace whose second line is one malloc event padded
 * with spaces to exactly pad_to bytes, followed by `ending`. */
static const char *write_padded(const char *name, size_t pad_to, const char *ending)
{
	static const char head[] = "{\"format\":\"fraglab-trace\",\"version\":1}\n";
	static const char event[] = "{\"op\":\"malloc\",\"id\":1,\"size\":8}";
	size_t n = sizeof head - 1 + pad_to + strlen(ending) + 64;
	char *text = malloc(n);
	if (!text)
		exit(1);
	char *p = text + sprintf(text, "%s%s", head, event);
	memset(p, ' ', pad_to - (sizeof event - 1));
	p += pad_to - (sizeof event - 1);
	sprintf(p, "%s{\"op\":\"free\",\"id\":1}\n", ending);
	const char *path = write_file(name, text);
	free(text);
	return path;
}

/* Lines of exactly the limit are read, one byte more is refused, a CR
 * before the newline does not count; lines of every length across the
 * reader's buffer boundaries come out whole. */
static void test_line_limits(void)
{
	struct trace t;
	CHECK_TRUE(trace_open(write_padded("limit.jsonl", 1u << 20, "\n"), &t) == 0);
	CHECK_EQ(t.n_events, 2);
	trace_close(&t);
	CHECK_TRUE(trace_open(write_padded("limit-crlf.jsonl", 1u << 20, "\r\n"), &t) == 0);
	CHECK_EQ(t.n_events, 2);
	trace_close(&t);
	CHECK_TRUE(trace_open(write_padded("over.jsonl", (1u << 20) + 1, "\n"), &t) == -1);
	CHECK_TRUE(trace_open(write_padded("over-crlf.jsonl", (1u << 20) + 1, "\r\n"), &t) == -1);

	/* 3000 events of growing length (35 .. ~3000 bytes): about 4.5 MB, so
	 * lines straddle the 256 KiB read buffer many times. */
	size_t cap = 5u << 20, n = 0;
	char *text = malloc(cap);
	if (!text)
		exit(1);
	n += (size_t)sprintf(text, "{\"format\":\"fraglab-trace\",\"version\":1}\n");
	for (int i = 0; i < 3000; i++) {
		n += (size_t)sprintf(text + n, "{\"op\":\"malloc\",\"id\":%d,\"size\":%d%s", i, i, i % 2 ? ",\"pad\":\"" : "");
		if (i % 2) {
			memset(text + n, 'x', (size_t)i);
			n += (size_t)i;
			text[n++] = '"';
		}
		n += (size_t)sprintf(text + n, "}%s", i % 3 ? "\n" : "\r\n");
	}
	const char *path = write_file("straddle.jsonl", text);
	free(text);
	CHECK_TRUE(trace_open(path, &t) == 0);
	CHECK_EQ(t.n_events, 3000);
	CHECK_EQ(t.summary.peak_live_bytes, 2999 * 3000 / 2);
	CHECK_EQ(t.summary.max_size, 2999);
	trace_close(&t);
}

/* A compile removes temporary files that killed compiles left (untouched
 * for an hour), and only those. */
static void test_stale_temporaries_swept(void)
{
	char stale[600], fresh[600];
	snprintf(stale, sizeof stale, "%s/00000000000000aa.ftc.tmp.dead01", cachedir);
	snprintf(fresh, sizeof fresh, "%s/00000000000000bb.ftc.tmp.busy01", cachedir);
	FILE *f = fopen(stale, "w");
	CHECK_TRUE(f && fclose(f) == 0);
	f = fopen(fresh, "w");
	CHECK_TRUE(f && fclose(f) == 0);
	struct timespec old[2] = {{.tv_sec = time(NULL) - 7200}, {.tv_sec = time(NULL) - 7200}};
	CHECK_TRUE(utimensat(AT_FDCWD, stale, old, 0) == 0);
	struct trace t;
	CHECK_TRUE(trace_open(write_file("sweep.jsonl",
		"{\"format\":\"fraglab-trace\",\"version\":1}\n{\"op\":\"malloc\",\"id\":1,\"size\":77}\n"), &t) == 0);
	CHECK_EQ(t.compiled, 1);
	trace_close(&t);
	CHECK_TRUE(access(stale, F_OK) != 0);
	CHECK_TRUE(access(fresh, F_OK) == 0);
	unlink(fresh);
}

/* When the cache directory cannot be used, traces still open. */
static void test_unusable_cache_dir(void)
{
	char notdir[512];
	snprintf(notdir, sizeof notdir, "%s/plainfile", tmpdir);
	write_file("plainfile", "x");
	setenv("FRAGLAB_CACHE_DIR", notdir, 1);
	struct trace t;
	CHECK_TRUE(trace_open(write_file("nocache.json", tiny_doc), &t) == 0);
	CHECK_EQ(t.compiled, 1);
	check_tiny(&t);
	trace_close(&t);
	setenv("FRAGLAB_CACHE_DIR", cachedir, 1);
}

/* The id map against a plain array, through growth and backward-shift
 * deletions (ids chosen to collide: multiples of a large power of two). */
static void test_idmap(void)
{
	enum { N = 4096 };
	static uint32_t expect[N];
	static unsigned char present[N];
	struct trace_idmap m;
	CHECK_TRUE(trace_idmap_init(&m) == 0);
	uint64_t rng = 12345;
	for (int step = 0; step < 200000; step++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		unsigned i = (unsigned)(rng >> 33) % N;
		uint64_t key = (uint64_t)i << 40;
		if (present[i]) {
			uint32_t v = 0;
			CHECK_TRUE(trace_idmap_remove(&m, key, &v) == 1);
			CHECK_EQ(v, expect[i]);
			present[i] = 0;
		} else {
			CHECK_TRUE(trace_idmap_find(&m, key) == NULL);
			expect[i] = (uint32_t)step;
			CHECK_TRUE(trace_idmap_insert(&m, key, expect[i]) == 0);
			present[i] = 1;
		}
		if (step % 9973 == 0) {
			size_t n = 0;
			for (unsigned k = 0; k < N; k++) {
				uint32_t *v = trace_idmap_find(&m, (uint64_t)k << 40);
				CHECK_TRUE((v != NULL) == present[k]);
				CHECK_TRUE(!v || *v == expect[k]);
				n += present[k];
			}
			CHECK_EQ(m.count, n);
		}
	}
	CHECK_TRUE(m.capacity <= 4 * N); /* sized by peak keys, not by insertions */
	trace_idmap_free(&m);
}

static void test_hash(void)
{
	char data[1000];
	for (int i = 0; i < 1000; i++)
		data[i] = (char)(i * 7);
	uint64_t whole = trace_hash_bytes(data, sizeof data, 1);
	struct trace_hash h;
	trace_hash_init(&h, 1);
	for (size_t at = 0, n = 1; at < sizeof data; at += n, n = n * 2 + 1)
		trace_hash_update(&h, data + at, at + n > sizeof data ? sizeof data - at : n);
	CHECK_EQ(trace_hash_final(&h), whole);
	data[500] ^= 1;
	CHECK_TRUE(trace_hash_bytes(data, sizeof data, 1) != whole);
	data[500] ^= 1;
	CHECK_TRUE(trace_hash_bytes(data, sizeof data - 1, 1) != whole);
	CHECK_TRUE(trace_hash_bytes(data, sizeof data, 2) != whole);
	/* Trailing zero bytes change the result: the length is hashed. */
	char z[33] = {0};
	CHECK_TRUE(trace_hash_bytes(z, 32, 0) != trace_hash_bytes(z, 33, 0));
}

static int raw_equal(const struct trace_raw_event *a, const struct trace_raw_event *b)
{
	return a->op == b->op && a->id == b->id && a->size == b->size && a->nmemb == b->nmemb &&
	       a->align == b->align && a->tid == b->tid && a->ns == b->ns;
}

/* The fast path must read exactly what jansson's path reads, on every line
 * it accepts: differential test over random mutations of event lines. */
static void test_fastline_agrees_with_jansson(void)
{
	static const char *const seeds[] = {
		"{\"op\":\"malloc\",\"id\":12,\"size\":64}",
		"{\"op\":\"calloc\",\"id\":0,\"nmemb\":4,\"size\":8,\"tid\":3}",
		"{\"op\":\"realloc\",\"id\":999999999999999999,\"size\":100,\"ns\":123456789}",
		"{\"op\":\"memalign\",\"id\":7,\"align\":64,\"size\":10}",
		"{\"op\":\"free\",\"id\":12}",
		"{\"op\":\"free\",\"id\":5,\"size\":3,\"tid\":4294967295}",
		" { \"id\" : 1 , \"size\" :\t0, \"op\": \"malloc\" }  ",
		"{\"size\":1,\"nmemb\":2,\"align\":16,\"op\":\"memalign\",\"id\":3}",
	};
	static const char alphabet[] = "{}[]\":,0123456789-+.eE \t\\aopzismlcrefdntu\x01\xc3";
	struct trace_compiler c;
	CHECK_TRUE(trace_compiler_init(&c) == 0);
	int accepted = 0, declined = 0;
	uint64_t rng = 99;
	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
		struct trace_raw_event fast, slow;
		json_t *j = json_loads(seeds[i], JSON_REJECT_DUPLICATES, NULL);
		CHECK_TRUE(trace_fastline_parse(seeds[i], strlen(seeds[i]), &fast) == 1);
		CHECK_TRUE(j && trace_compiler_read_json(&c, j, &slow) == 0 && raw_equal(&fast, &slow));
		json_decref(j);
	}
	/* Boundaries: 18 digits are read, 19 are left to jansson; tid above
	 * 2^32-1 and keys the fast path does not know are left to jansson. */
	static const char *const declined_lines[] = {
		"{\"op\":\"free\",\"id\":1000000000000000000}",
		"{\"op\":\"free\",\"id\":1,\"tid\":4294967296}",
		"{\"op\":\"free\",\"id\":1,\"extra\":1}",
		"{\"op\":\"free\",\"id\":1,\"id\":2}",
		"{\"op\":\"free\",\"id\":1.0}",
		"{\"op\":\"free\",\"id\":01}",
		"{\"op\":\"malloc\",\"id\":1}",
		"{\"op\":\"fr\\u0065e\",\"id\":1}",
		"{\"op\":\"free\",\"id\":1} x",
	};
	for (size_t i = 0; i < sizeof declined_lines / sizeof declined_lines[0]; i++) {
		struct trace_raw_event raw;
		CHECK_TRUE(trace_fastline_parse(declined_lines[i], strlen(declined_lines[i]), &raw) == 0);
	}
	struct trace_raw_event big;
	json_t *j19 = json_loads(declined_lines[0], 0, NULL);
	CHECK_TRUE(j19 && trace_compiler_read_json(&c, j19, &big) == 0 && big.id == 1000000000000000000);
	json_decref(j19);

	for (int iter = 0; iter < 200000; iter++) {
		char buf[256];
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		const char *seed = seeds[(rng >> 33) % (sizeof seeds / sizeof seeds[0])];
		size_t len = strlen(seed);
		memcpy(buf, seed, len);
		int edits = 1 + (int)((rng >> 20) % 3);
		for (int e = 0; e < edits; e++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			size_t at = (size_t)((rng >> 33) % (len + 1));
			char ch = alphabet[(rng >> 13) % (sizeof alphabet - 1)];
			switch ((rng >> 7) % 3) {
			case 0: /* replace */
				if (at < len)
					buf[at] = ch;
				break;
			case 1: /* insert */
				if (len < sizeof buf - 1) {
					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = ch;
					len++;
				}
				break;
			default: /* delete */
				if (at < len) {
					memmove(buf + at, buf + at + 1, len - at - 1);
					len--;
				}
			}
		}
		struct trace_raw_event fast, slow;
		if (!trace_fastline_parse(buf, len, &fast)) {
			declined++;
			continue;
		}
		accepted++;
		json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
		int same = j && trace_compiler_read_json(&c, j, &slow) == 0 && raw_equal(&fast, &slow);
		json_decref(j);
		CHECK(same, "fast path and jansson disagree on: %.*s", (int)len, buf);
	}
	fprintf(stderr, "fastline: %d accepted, %d declined\n", accepted, declined);
	CHECK_TRUE(accepted > 4000); /* both outcomes really exercised */
	CHECK_TRUE(declined > 4000);
	trace_compiler_free(&c);
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char p[1024];
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/harness_trace.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cachedir, sizeof cachedir, "%s/cache", tmpdir);
	setenv("FRAGLAB_CACHE_DIR", cachedir, 1);

	test_hash();
	test_idmap();
	test_fastline_agrees_with_jansson();
	test_tiny_all_forms();
	test_id_and_slot_reuse();
	test_threads();
	test_cache();
	test_stale_temporaries_swept();
	test_line_limits();
	test_unusable_cache_dir();

	remove_tree(tmpdir);
	return check_exit_status("harness_trace");
}
