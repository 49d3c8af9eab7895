/* fraglab corpus workload: input for recording gcc's cc1 (gcc -O2 -g -c).
 * A frozen, self-contained concatenation of fraglab's trace writer and
 * generator sources (harness/record_writer.*, gen*.c at the time of
 * writing, local #includes removed); it is compiled, never linked. */
enum trace_op {
	TRACE_OP_MALLOC = 0,
	TRACE_OP_CALLOC = 1,   /* replayed as calloc(1, size) */
	TRACE_OP_REALLOC = 2,  /* slot keeps its number */
	TRACE_OP_MEMALIGN = 3, /* align = 1 << align_log2 */
	TRACE_OP_FREE = 4,
	TRACE_OP_COUNT
};
/* ---- harness/record_writer.h ---- */
/*
 * record_writer.h: writes a v1 JSON Lines trace (docs/trace-format.md),
 * shared by `fraglab record`, `fraglab import` and `fraglab gen`.
 *
 * The trace is written to a temporary file beside the final one and renamed
 * over it only by record_writer_commit(), so a failed or interrupted run
 * never leaves a partial trace under the final name.  A final name ending
 * in ".gz" is gzip-compressed.  A NULL path writes plain JSONL to stdout.
 */
#ifndef FRAGLAB_RECORD_WRITER_H
#define FRAGLAB_RECORD_WRITER_H

#include <stdint.h>
#include <stdio.h>


#define RECORD_NO_TID (-1)

/* One trace event as written; fields an op does not use are ignored. */
struct record_event {
	enum trace_op op;
	uint64_t id;
	uint64_t size;  /* calloc: the element size (nmemb is separate) */
	uint64_t nmemb; /* calloc only */
	uint64_t align; /* memalign only */
	int64_t tid;    /* RECORD_NO_TID: no "tid" key */
};

struct record_writer {
	const char *final_path; /* NULL: stdout */
	char tmp_path[4200];
	FILE *file;
	void *gz;               /* gzFile when compressing */
	uint64_t events;
	int failed;             /* a write failed; commit will refuse */
	size_t used;
	char buf[1 << 16];
};

/* Creates the temporary file and writes the header line with NAME.
 * On failure prints "fraglab: cannot create ...: REASON" and returns -1. */
int record_writer_open(struct record_writer *w, const char *path, const char *name);

/* Appends one event.  Errors are sticky and reported by commit. */
void record_writer_event(struct record_writer *w, const struct record_event *ev);

/* Flushes, closes and renames the temporary file to the final path.
 * Returns 0, or -1 after printing why (the temporary file is removed). */
int record_writer_commit(struct record_writer *w);

/* Closes and removes the temporary file; the final path is untouched. */
void record_writer_abort(struct record_writer *w);

/* Writes S as a JSON string literal (with quotes) into OUT of size CAP;
 * returns the length written or -1 if it does not fit. */
int record_json_string(char *out, size_t cap, const char *s);

/* 1 if PATH ends in ".gz". */
int record_path_is_gz(const char *path);

/* 1 if PATH ends in ".jsonl" or ".jsonl.gz": what the writer produces is
 * the JSON Lines form, and readers choose the form by the name. */
int record_path_is_jsonl(const char *path);

#endif
/* ---- harness/gen.h ---- */
/*
 * gen.h: synthetic workload generation for `fraglab gen`.
 *
 * A pattern is a function that drives a gen_ctx: it asks for allocations
 * and frees, and the context assigns ids (a freed id is reused, last freed
 * first), tracks the live blocks and writes the events.  Everything random
 * comes from the context's own PRNG (xoshiro256** seeded by splitmix64), so
 * a seed names exactly one byte sequence on every platform: no rand(), no
 * floating point.
 *
 * Length: patterns loop while gen_budget_left() and then gen_free_all(), so
 * a trace has about --events events (a pattern may overshoot by the few
 * events of its last step) and never leaves a block live at the end, except
 * the fixed classic examples, which are reproduced as published.
 */
#ifndef FRAGLAB_GEN_H
#define FRAGLAB_GEN_H

#include <stdint.h>


struct gen_rng {
	uint64_t s[4];
};

void gen_rng_seed(struct gen_rng *r, uint64_t seed);
uint64_t gen_rng_next(struct gen_rng *r);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint64_t gen_rng_below(struct gen_rng *r, uint64_t n);
/* Uniform in [lo, hi]. */
uint64_t gen_rng_range(struct gen_rng *r, uint64_t lo, uint64_t hi);
/* 1 with probability num/den. */
int gen_rng_chance(struct gen_rng *r, uint64_t num, uint64_t den);
/* Power-law size in [lo, hi]: a power-of-two class chosen with probability
 * halving per class (density ~ size^-2), then uniform inside the class. */
uint64_t gen_rng_powerlaw(struct gen_rng *r, uint64_t lo, uint64_t hi);

struct gen_ctx {
	struct record_writer *out;
	struct gen_rng rng;
	uint64_t target;      /* wanted number of events */
	uint64_t emitted;
	/* Live blocks, unordered (swap-remove); live_pos[id] is the index of
	 * id in live_ids, or UINT32_MAX when id is not live. */
	uint64_t *live_ids;
	uint64_t *live_sizes;
	uint32_t *live_pos;
	uint64_t n_live, live_cap;
	uint64_t id_cap;      /* capacity of live_pos */
	uint64_t *free_ids;   /* stack of ids free for reuse */
	uint64_t n_free_ids;
	uint64_t next_id;     /* lowest never-used id */
	int reuse_ids;        /* 0: every allocation gets a new id */
	int64_t tid;          /* RECORD_NO_TID until multi-threaded patterns (issue 8) */
};

int gen_ctx_init(struct gen_ctx *g, struct record_writer *out, uint64_t seed, uint64_t target);
void gen_ctx_destroy(struct gen_ctx *g);

/* 1 while the trace still has room for another step: the events written
 * plus the frees the final tear-down will need stay under the target. */
int gen_budget_left(const struct gen_ctx *g);

uint64_t gen_malloc(struct gen_ctx *g, uint64_t size);
uint64_t gen_calloc(struct gen_ctx *g, uint64_t nmemb, uint64_t size);
uint64_t gen_memalign(struct gen_ctx *g, uint64_t align, uint64_t size);
void gen_realloc(struct gen_ctx *g, uint64_t id, uint64_t size);
void gen_free(struct gen_ctx *g, uint64_t id);
/* Frees a uniformly chosen live block; no-op when none is live. */
void gen_free_random(struct gen_ctx *g);
/* Frees every live block in random order. */
void gen_free_all(struct gen_ctx *g);
int gen_is_live(const struct gen_ctx *g, uint64_t id);
uint64_t gen_size_of(const struct gen_ctx *g, uint64_t id);

/* A FIFO of short-lived blocks: gen_ring_push frees the oldest once CAP
 * are live, so each block lives for about CAP pushes. */
#define GEN_RING_MAX 64
struct gen_ring {
	uint64_t ids[GEN_RING_MAX];
	unsigned cap, n, head;
};
void gen_ring_init(struct gen_ring *ring, unsigned cap);
void gen_ring_push(struct gen_ctx *g, struct gen_ring *ring, uint64_t size);
/* Forgets the ring's blocks that are no longer live (after gen_free_all). */
void gen_ring_clear(struct gen_ring *ring);

struct gen_pattern {
	const char *name;
	const char *summary;
	uint64_t default_events; /* 0: fixed length, --events refused */
	void (*run)(struct gen_ctx *g);
};

extern const struct gen_pattern gen_patterns[];
extern const unsigned gen_pattern_count;
const struct gen_pattern *gen_pattern_find(const char *name);

/* The patterns, one family per file. */
void gen_classic(struct gen_ctx *g);        /* gen_classic.c */
void gen_hundred(struct gen_ctx *g);
void gen_uniform(struct gen_ctx *g);        /* gen_random.c */
void gen_powerlaw(struct gen_ctx *g);
void gen_ramp(struct gen_ctx *g);           /* gen_wilson.c */
void gen_peak(struct gen_ctx *g);
void gen_plateau(struct gen_ctx *g);
void gen_phased(struct gen_ctx *g);
void gen_binary(struct gen_ctx *g);         /* gen_shapes.c */
void gen_realloc_growth(struct gen_ctx *g);
void gen_big(struct gen_ctx *g);

#endif
/* ---- harness/record_writer.c ---- */
/* record_writer.c: writes v1 JSONL traces via a temporary file and rename. */

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
	char quoted[1100];
	if (record_json_string(quoted, sizeof quoted, name) < 0)
		record_json_string(quoted, sizeof quoted, "(name too long)");
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
/* ---- harness/gen_rng.c ---- */
/* gen_rng.c: the generator's PRNG: xoshiro256** seeded by splitmix64
 * (Blackman and Vigna).  Integer-only, so output is identical everywhere. */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t gen_rng_next(struct gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t gen_rng_below(struct gen_rng *r, uint64_t n)
{
	/* Reject the top partial copy of [0, n) so every value is equally likely. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;
	do
		x = gen_rng_next(r);
	while (x >= limit);
	return x % n;
}

uint64_t gen_rng_range(struct gen_rng *r, uint64_t lo, uint64_t hi)
{
	return lo + gen_rng_below(r, hi - lo + 1);
}

int gen_rng_chance(struct gen_rng *r, uint64_t num, uint64_t den)
{
	return gen_rng_below(r, den) < num;
}

uint64_t gen_rng_powerlaw(struct gen_rng *r, uint64_t lo, uint64_t hi)
{
	uint64_t class_lo = lo;
	/* Climb one power-of-two class per coin flip that lands heads. */
	while (class_lo * 2 <= hi && (gen_rng_next(r) >> 63))
		class_lo *= 2;
	uint64_t class_hi = class_lo * 2 - 1;
	if (class_hi > hi)
		class_hi = hi;
	return gen_rng_range(r, class_lo, class_hi);
}
/* ---- harness/gen_ctx.c ---- */
/* gen_ctx.c: id assignment, the live set and event emission for patterns. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_NOT_LIVE UINT32_MAX

static void *gen_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "fraglab gen: out of memory\n");
		exit(1);
	}
	return q;
}

int gen_ctx_init(struct gen_ctx *g, struct record_writer *out, uint64_t seed, uint64_t target)
{
	memset(g, 0, sizeof *g);
	g->out = out;
	g->target = target;
	g->tid = RECORD_NO_TID;
	g->reuse_ids = 1;
	gen_rng_seed(&g->rng, seed);
	return 0;
}

void gen_ctx_destroy(struct gen_ctx *g)
{
	free(g->live_ids);
	free(g->live_sizes);
	free(g->live_pos);
	free(g->free_ids);
	memset(g, 0, sizeof *g);
}

int gen_budget_left(const struct gen_ctx *g)
{
	return g->emitted + g->n_live < g->target;
}

static void gen_emit(struct gen_ctx *g, enum trace_op op, uint64_t id, uint64_t size,
		     uint64_t nmemb, uint64_t align)
{
	struct record_event ev = {.op = op, .id = id, .size = size, .nmemb = nmemb,
				  .align = align, .tid = g->tid};
	record_writer_event(g->out, &ev);
	g->emitted++;
}

/* Takes an id (reusing the most recently freed) and marks it live. */
static uint64_t gen_take_id(struct gen_ctx *g, uint64_t size)
{
	uint64_t id = g->n_free_ids ? g->free_ids[--g->n_free_ids] : g->next_id++;
	if (id >= g->id_cap) {
		uint64_t cap = g->id_cap ? g->id_cap * 2 : 1024;
		g->live_pos = gen_xrealloc(g->live_pos, cap * sizeof *g->live_pos);
		g->free_ids = gen_xrealloc(g->free_ids, cap * sizeof *g->free_ids);
		for (uint64_t i = g->id_cap; i < cap; i++)
			g->live_pos[i] = GEN_NOT_LIVE;
		g->id_cap = cap;
	}
	if (g->n_live == g->live_cap) {
		g->live_cap = g->live_cap ? g->live_cap * 2 : 1024;
		g->live_ids = gen_xrealloc(g->live_ids, g->live_cap * sizeof *g->live_ids);
		g->live_sizes = gen_xrealloc(g->live_sizes, g->live_cap * sizeof *g->live_sizes);
	}
	g->live_pos[id] = (uint32_t)g->n_live;
	g->live_ids[g->n_live] = id;
	g->live_sizes[g->n_live] = size;
	g->n_live++;
	return id;
}

uint64_t gen_malloc(struct gen_ctx *g, uint64_t size)
{
	uint64_t id = gen_take_id(g, size);
	gen_emit(g, TRACE_OP_MALLOC, id, size, 0, 0);
	return id;
}

uint64_t gen_calloc(struct gen_ctx *g, uint64_t nmemb, uint64_t size)
{
	uint64_t id = gen_take_id(g, nmemb * size);
	gen_emit(g, TRACE_OP_CALLOC, id, size, nmemb, 0);
	return id;
}

uint64_t gen_memalign(struct gen_ctx *g, uint64_t align, uint64_t size)
{
	uint64_t id = gen_take_id(g, size);
	gen_emit(g, TRACE_OP_MEMALIGN, id, size, 0, align);
	return id;
}

int gen_is_live(const struct gen_ctx *g, uint64_t id)
{
	return id < g->id_cap && g->live_pos[id] != GEN_NOT_LIVE;
}

uint64_t gen_size_of(const struct gen_ctx *g, uint64_t id)
{
	return gen_is_live(g, id) ? g->live_sizes[g->live_pos[id]] : 0;
}

void gen_realloc(struct gen_ctx *g, uint64_t id, uint64_t size)
{
	if (!gen_is_live(g, id))
		abort(); /* a pattern bug, never input-dependent */
	g->live_sizes[g->live_pos[id]] = size;
	gen_emit(g, TRACE_OP_REALLOC, id, size, 0, 0);
}

void gen_free(struct gen_ctx *g, uint64_t id)
{
	if (!gen_is_live(g, id))
		abort();
	uint32_t pos = g->live_pos[id];
	uint64_t last = g->n_live - 1;
	g->live_ids[pos] = g->live_ids[last];
	g->live_sizes[pos] = g->live_sizes[last];
	g->live_pos[g->live_ids[pos]] = pos;
	g->live_pos[id] = GEN_NOT_LIVE;
	g->n_live--;
	if (g->reuse_ids)
		g->free_ids[g->n_free_ids++] = id; /* room: free ids < id_cap */
	gen_emit(g, TRACE_OP_FREE, id, 0, 0, 0);
}

void gen_free_random(struct gen_ctx *g)
{
	if (g->n_live)
		gen_free(g, g->live_ids[gen_rng_below(&g->rng, g->n_live)]);
}

void gen_free_all(struct gen_ctx *g)
{
	while (g->n_live)
		gen_free_random(g);
}

void gen_ring_init(struct gen_ring *ring, unsigned cap)
{
	memset(ring, 0, sizeof *ring);
	ring->cap = cap > GEN_RING_MAX ? GEN_RING_MAX : cap;
}

void gen_ring_push(struct gen_ctx *g, struct gen_ring *ring, uint64_t size)
{
	if (ring->n == ring->cap) {
		gen_free(g, ring->ids[ring->head]);
		ring->head = (ring->head + 1) % ring->cap;
		ring->n--;
	}
	ring->ids[(ring->head + ring->n) % ring->cap] = gen_malloc(g, size);
	ring->n++;
}

void gen_ring_clear(struct gen_ring *ring)
{
	ring->n = 0;
	ring->head = 0;
}
/* ---- harness/gen_classic.c ---- */
/* gen_classic.c: the two classic textbook examples, reproduced exactly. */

/* aa = malloc(100); bb = malloc(100); cc = malloc(400); free(bb);
 * dd = malloc(100); ee = malloc(4000); free(aa); free(dd); ff = malloc(200)
 * with ids aa=0 .. ff=5; cc, ee and ff stay live, as in the example. */
void gen_classic(struct gen_ctx *g)
{
	g->reuse_ids = 0;
	uint64_t aa = gen_malloc(g, 100);
	uint64_t bb = gen_malloc(g, 100);
	gen_malloc(g, 400); /* cc */
	gen_free(g, bb);
	uint64_t dd = gen_malloc(g, 100);
	gen_malloc(g, 4000); /* ee */
	gen_free(g, aa);
	gen_free(g, dd);
	gen_malloc(g, 200); /* ff */
}

/* for i in 1..100: xs[i] = malloc(10); all stay live. */
void gen_hundred(struct gen_ctx *g)
{
	for (int i = 0; i < 100; i++)
		gen_malloc(g, 10);
}
/* ---- harness/gen_random.c ---- */
/* gen_random.c: random sizes with random frees around a steady live count. */

/* Allocates with probability falling linearly from 1 (nothing live) to 0
 * (2 * target_live live), so the live count hovers around target_live;
 * otherwise frees a random block.  One step in sixteen reallocs a random
 * live block instead, one allocation in sixteen is a calloc. */
static void gen_random_churn(struct gen_ctx *g, uint64_t target_live,
			     uint64_t (*size_of)(struct gen_rng *))
{
	while (gen_budget_left(g)) {
		if (g->n_live && gen_rng_chance(&g->rng, 1, 16)) {
			uint64_t id = g->live_ids[gen_rng_below(&g->rng, g->n_live)];
			gen_realloc(g, id, size_of(&g->rng));
		} else if (gen_rng_below(&g->rng, 2 * target_live) >= g->n_live) {
			uint64_t size = size_of(&g->rng);
			if (gen_rng_chance(&g->rng, 1, 16))
				gen_calloc(g, size / 8 + 1, 8);
			else
				gen_malloc(g, size);
		} else {
			gen_free_random(g);
		}
	}
	gen_free_all(g);
}

static uint64_t gen_size_uniform(struct gen_rng *r)
{
	return gen_rng_range(r, 1, 4096);
}

static uint64_t gen_size_powerlaw(struct gen_rng *r)
{
	return gen_rng_powerlaw(r, 8, 256 * 1024);
}

static uint64_t gen_target_live(const struct gen_ctx *g, uint64_t most)
{
	uint64_t l = g->target / 8 + 1;
	return l < most ? l : most;
}

void gen_uniform(struct gen_ctx *g)
{
	gen_random_churn(g, gen_target_live(g, 1000), gen_size_uniform);
}

void gen_powerlaw(struct gen_ctx *g)
{
	gen_random_churn(g, gen_target_live(g, 2000), gen_size_powerlaw);
}
/* ---- harness/gen_wilson.c ---- */
/*
 * gen_wilson.c: the program behaviour patterns of Wilson, Johnstone, Neely
 * and Boles's allocator survey (1995): ramps (live memory grows steadily),
 * peaks (repeated bursts built up and torn down) and plateaus (a quick
 * build-up then a long steady state), plus phased build-up and tear-down
 * with a different size range in each phase.  Short-lived "background"
 * blocks run through all of them, as in real programs.
 */

#include <stdio.h>
#include <stdlib.h>

static uint64_t *gen_ids_alloc(uint64_t n)
{
	uint64_t *ids = malloc((n ? n : 1) * sizeof *ids);
	if (!ids) {
		fprintf(stderr, "fraglab gen: out of memory\n");
		exit(1);
	}
	return ids;
}

/* Ramp: one step in four allocates a block that lives to the end; the rest
 * are short-lived.  Live bytes climb linearly over the whole trace. */
void gen_ramp(struct gen_ctx *g)
{
	struct gen_ring ring;
	gen_ring_init(&ring, 32);
	while (gen_budget_left(g)) {
		if (gen_rng_chance(&g->rng, 1, 4))
			gen_malloc(g, gen_rng_range(&g->rng, 16, 512));
		else
			gen_ring_push(g, &ring, gen_rng_range(&g->rng, 16, 256));
	}
	gen_free_all(g);
}

/* Peaks: eight bursts; each allocates a mass of power-law blocks and then
 * frees them in reverse, except one in sixteen that survives to the end
 * (the survivors are what fragment the heap between peaks). */
void gen_peak(struct gen_ctx *g)
{
	const uint64_t peaks = 8;
	uint64_t per_peak = g->target / peaks > 4 ? g->target / peaks : 4;
	uint64_t *burst = gen_ids_alloc(per_peak / 2 + 1);
	struct gen_ring ring;
	gen_ring_init(&ring, 16);
	while (gen_budget_left(g)) {
		uint64_t n = 0, start = g->emitted;
		while (gen_budget_left(g) && (g->emitted - start) + 2 * n < per_peak && n <= per_peak / 2) {
			if (gen_rng_chance(&g->rng, 1, 4))
				gen_ring_push(g, &ring, gen_rng_range(&g->rng, 16, 128));
			else
				burst[n++] = gen_malloc(g, gen_rng_powerlaw(&g->rng, 16, 8192));
		}
		while (n > 0) {
			uint64_t id = burst[--n];
			if (!gen_rng_chance(&g->rng, 1, 16))
				gen_free(g, id);
		}
	}
	gen_free_all(g);
	free(burst);
}

/* Plateau: build up to a tenth of the trace's length in live blocks, then
 * replace random blocks one for one until the end. */
void gen_plateau(struct gen_ctx *g)
{
	uint64_t level = g->target / 10 + 1;
	while (gen_budget_left(g) && g->n_live < level)
		gen_malloc(g, gen_rng_powerlaw(&g->rng, 16, 4096));
	while (gen_budget_left(g)) {
		gen_free_random(g);
		gen_malloc(g, gen_rng_powerlaw(&g->rng, 16, 4096));
	}
	gen_free_all(g);
}

/* Phased: four phases, phase p allocating sizes in [16*4^p, 32*4^p]; each
 * builds up, then tears down last-in first-out, leaving one block in ten
 * live to the end, so each phase must fit among the previous survivors. */
void gen_phased(struct gen_ctx *g)
{
	const uint64_t phases = 4;
	uint64_t per_phase = g->target / phases > 4 ? g->target / phases : 4;
	uint64_t *built = gen_ids_alloc(per_phase / 2 + 1);
	for (uint64_t p = 0; gen_budget_left(g); p = (p + 1) % phases) {
		uint64_t lo = 16ULL << (2 * p), n = 0;
		while (gen_budget_left(g) && 2 * n < per_phase)
			built[n++] = gen_malloc(g, gen_rng_range(&g->rng, lo, 2 * lo));
		while (n > 0) {
			uint64_t id = built[--n];
			if (!gen_rng_chance(&g->rng, 1, 10))
				gen_free(g, id);
		}
	}
	gen_free_all(g);
	free(built);
}
/* ---- harness/gen_shapes.c ---- */
/*
 * gen_shapes.c: patterns built to stress one allocator weakness each:
 * binary (holes that cannot coalesce), realloc-growth (vector doubling)
 * and big (allocations of a mebibyte and more).
 */

#include <stdio.h>
#include <stdlib.h>

/* Binary: rounds of alternating small (16) and large (256) blocks; the
 * large ones are freed, leaving 256-byte holes pinned apart by live small
 * blocks, and then 512-byte blocks are requested, which fit none of the
 * holes.  One small block in eight survives each round. */
void gen_binary(struct gen_ctx *g)
{
	uint64_t pairs = g->target / 40 > 256 ? 256 : g->target / 40 + 1;
	uint64_t *small = malloc(pairs * sizeof *small);
	uint64_t *large = malloc(pairs * sizeof *large);
	if (!small || !large) {
		fprintf(stderr, "fraglab gen: out of memory\n");
		exit(1);
	}
	while (gen_budget_left(g)) {
		for (uint64_t i = 0; i < pairs; i++) {
			small[i] = gen_malloc(g, 16);
			large[i] = gen_malloc(g, 256);
		}
		for (uint64_t i = 0; i < pairs; i++)
			gen_free(g, large[i]);
		/* The 512-byte blocks reuse the large[] slots. */
		for (uint64_t i = 0; i < pairs / 2; i++)
			large[i] = gen_malloc(g, 512);
		for (uint64_t i = 0; i < pairs / 2; i++)
			gen_free(g, large[i]);
		for (uint64_t i = 0; i < pairs; i++)
			if (!gen_rng_chance(&g->rng, 1, 8))
				gen_free(g, small[i]);
	}
	gen_free_all(g);
	free(small);
	free(large);
}

/* Realloc growth: eight vectors, each starting at 16 bytes and doubling
 * by realloc up to its own capacity (4 KiB to 1 MiB), then freed and
 * restarted; one step in three allocates a short-lived side block. */
void gen_realloc_growth(struct gen_ctx *g)
{
	enum { VECTORS = 8 };
	uint64_t id[VECTORS], size[VECTORS], cap[VECTORS];
	int live[VECTORS] = {0};
	struct gen_ring side;
	gen_ring_init(&side, 64);
	while (gen_budget_left(g)) {
		if (gen_rng_chance(&g->rng, 1, 3)) {
			gen_ring_push(g, &side, gen_rng_range(&g->rng, 16, 128));
			continue;
		}
		unsigned v = (unsigned)gen_rng_below(&g->rng, VECTORS);
		if (!live[v]) {
			size[v] = 16;
			cap[v] = 1ULL << gen_rng_range(&g->rng, 12, 20);
			id[v] = gen_malloc(g, size[v]);
			live[v] = 1;
		} else if (size[v] < cap[v]) {
			size[v] *= 2;
			gen_realloc(g, id[v], size[v]);
		} else {
			gen_free(g, id[v]);
			live[v] = 0;
		}
	}
	gen_free_all(g);
}

/* Big: blocks of 1 to 9 MiB (at most six live at once; a quarter of them
 * page-aligned memaligns, a quarter callocs) among short-lived small
 * blocks.  The scaled-down form of the "zz = malloc(10G)" example. */
void gen_big(struct gen_ctx *g)
{
	enum { MAX_BIG = 6 };
	uint64_t big[MAX_BIG];
	unsigned n_big = 0;
	struct gen_ring small;
	gen_ring_init(&small, 32);
	while (gen_budget_left(g)) {
		if (gen_rng_chance(&g->rng, 1, 2)) {
			gen_ring_push(g, &small, gen_rng_range(&g->rng, 16, 1024));
		} else if (n_big < MAX_BIG && (n_big == 0 || gen_rng_chance(&g->rng, 1, 2))) {
			uint64_t size = (1ULL << 20 << gen_rng_below(&g->rng, 4)) +
					gen_rng_below(&g->rng, 1ULL << 20);
			switch (gen_rng_below(&g->rng, 4)) {
			case 0:
				big[n_big++] = gen_memalign(g, 4096, size);
				break;
			case 1:
				big[n_big++] = gen_calloc(g, size / 64, 64);
				break;
			default:
				big[n_big++] = gen_malloc(g, size);
				break;
			}
		} else {
			unsigned i = (unsigned)gen_rng_below(&g->rng, n_big);
			gen_free(g, big[i]);
			big[i] = big[--n_big];
		}
	}
	gen_free_all(g);
}
/* ---- harness/gen_patterns.c ---- */
/* gen_patterns.c: the table of `fraglab gen` patterns. */

#include <string.h>

const struct gen_pattern gen_patterns[] = {
	{"classic", "aa=malloc(100) bb=malloc(100) cc=malloc(400) free(bb) dd=malloc(100) ee=malloc(4000) free(aa) free(dd) ff=malloc(200)", 0, gen_classic},
	{"hundred", "for i in 1..100: xs[i] = malloc(10)", 0, gen_hundred},
	{"uniform", "sizes uniform in 1..4096 B, random frees around 1000 live blocks", 100000, gen_uniform},
	{"powerlaw", "power-law sizes 8 B..256 KiB, random frees around 2000 live blocks", 100000, gen_powerlaw},
	{"ramp", "live memory climbs steadily: 1 block in 4 lives to the end (Wilson's ramp)", 100000, gen_ramp},
	{"peak", "8 bursts built up and torn down, 1 in 16 survives (Wilson's peaks)", 100000, gen_peak},
	{"plateau", "quick build-up, then one-for-one replacement (Wilson's plateau)", 100000, gen_plateau},
	{"phased", "4 phases of build-up and LIFO tear-down, each its own size range", 100000, gen_phased},
	{"binary", "alternating 16/256 B blocks, 256s freed, 512s requested: holes that cannot coalesce", 100000, gen_binary},
	{"realloc-growth", "8 vectors doubling by realloc from 16 B up to 4 KiB..1 MiB", 100000, gen_realloc_growth},
	{"big", "1..9 MiB blocks (malloc, calloc, 4 KiB memalign), at most 6 live", 2000, gen_big},
};
const unsigned gen_pattern_count = sizeof gen_patterns / sizeof gen_patterns[0];

const struct gen_pattern *gen_pattern_find(const char *name)
{
	for (unsigned i = 0; i < gen_pattern_count; i++)
		if (!strcmp(gen_patterns[i].name, name))
			return &gen_patterns[i];
	return 0;
}
/* ---- harness/cmd_gen.c ---- */
/* cmd_gen.c: `fraglab gen PATTERN [--seed S] [--events N] [-o OUT]`. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void gen_usage(FILE *out)
{
	fprintf(out,
		"usage: fraglab gen PATTERN [--seed S] [--events N] [-o OUT]\n\n"
		"Writes a synthetic trace (JSONL; gzip if OUT ends in .gz; stdout without -o).\n"
		"The same pattern, seed and length always give the same bytes.\n"
		"  --seed S     PRNG seed, an unsigned integer (default 1)\n"
		"  --events N   about N events (default per pattern; classic and hundred\n"
		"               have a fixed length)\n\npatterns:\n");
	for (unsigned i = 0; i < gen_pattern_count; i++)
		fprintf(out, "  %-15s %s\n", gen_patterns[i].name, gen_patterns[i].summary);
}

/* Parses a whole unsigned decimal number; 0 on success. */
static int gen_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int gen_main(int argc, char **argv)
{
	const char *pattern_name = NULL, *out_path = NULL;
	uint64_t seed = 1, events = 0;
	int have_events = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			gen_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--seed") || !strcmp(a, "--events") || !strcmp(a, "-o")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "fraglab gen: %s needs a value\n", a);
				return 2;
			}
			const char *v = argv[++i];
			if (!strcmp(a, "-o")) {
				out_path = v;
			} else if (!strcmp(a, "--seed")) {
				if (gen_parse_u64(v, &seed)) {
					fprintf(stderr, "fraglab gen: --seed wants an unsigned integer, not '%s'\n", v);
					return 2;
				}
			} else if (gen_parse_u64(v, &events) || events == 0 || events > (1ULL << 32)) {
				fprintf(stderr, "fraglab gen: --events wants an integer in 1..2^32, not '%s'\n", v);
				return 2;
			} else {
				have_events = 1;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "fraglab gen: unknown option '%s' (try 'fraglab gen --help')\n", a);
			return 2;
		} else if (pattern_name) {
			fprintf(stderr, "fraglab gen: one pattern only ('%s' and '%s')\n", pattern_name, a);
			return 2;
		} else {
			pattern_name = a;
		}
	}
	if (!pattern_name) {
		gen_usage(stderr);
		return 2;
	}
	const struct gen_pattern *pattern = gen_pattern_find(pattern_name);
	if (!pattern) {
		fprintf(stderr, "fraglab gen: unknown pattern '%s' (try 'fraglab gen --help')\n", pattern_name);
		return 2;
	}
	if (have_events && !pattern->default_events) {
		fprintf(stderr, "fraglab gen: pattern %s has a fixed length; --events does not apply\n",
			pattern->name);
		return 2;
	}
	if (out_path && !record_path_is_jsonl(out_path)) {
		fprintf(stderr, "fraglab gen: %s: the output must end in .jsonl or .jsonl.gz\n", out_path);
		return 2;
	}
	if (!have_events)
		events = pattern->default_events;

	char name[256];
	if (pattern->default_events)
		snprintf(name, sizeof name, "gen %s --seed %" PRIu64 " --events %" PRIu64,
			 pattern->name, seed, events);
	else
		snprintf(name, sizeof name, "gen %s", pattern->name);

	static struct record_writer writer; /* 64 KiB buffer: keep it off the stack */
	if (record_writer_open(&writer, out_path, name) < 0)
		return 2;
	struct gen_ctx g;
	gen_ctx_init(&g, &writer, seed, events);
	pattern->run(&g);
	gen_ctx_destroy(&g);
	return record_writer_commit(&writer) < 0 ? 2 : 0;
}
