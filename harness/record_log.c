/* record_log.c: the shim's binary log to a v1 JSONL trace. */
#include "record_log.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record_addrmap.h"
#include "record_writer.h"
#include "shim/fltrace_log.h"

#define NO_PENDING UINT64_MAX
#define PENDING_UNKNOWN (UINT64_MAX - 1) /* realloc of an address we never saw */

struct log_map {
	const unsigned char *base;
	size_t len;
	size_t data_len; /* where the file's written data ends (page-rounded) */
};

static int log_map_open(const char *path, struct log_map *m)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "fraglab record: cannot open log %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || (size_t)st.st_size < FLTRACE_HEADER_BYTES) {
		fprintf(stderr, "fraglab record: %s: not a recording log (too short)\n", path);
		close(fd);
		return -1;
	}
	m->len = (size_t)st.st_size;
	/* The file grows by 40 MiB chunks but is written from the front: find
	 * the first hole rather than read megabytes of zeros (reading a hole
	 * costs a page each, and a process tree leaves hundreds of logs). */
	off_t hole = lseek(fd, FLTRACE_HEADER_BYTES, SEEK_HOLE);
	m->data_len = hole >= FLTRACE_HEADER_BYTES && (size_t)hole < m->len ? (size_t)hole : m->len;
	m->base = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m->base == MAP_FAILED) {
		fprintf(stderr, "fraglab record: cannot map log %s: %s\n", path, strerror(errno));
		return -1;
	}
	const struct fltrace_header *h = (const void *)m->base;
	if (memcmp(h->magic, FLTRACE_MAGIC, 8) || h->version != FLTRACE_VERSION ||
	    h->record_size != sizeof(struct fltrace_record)) {
		fprintf(stderr, "fraglab record: %s: not a version %d recording log\n", path, FLTRACE_VERSION);
		munmap((void *)m->base, m->len);
		return -1;
	}
	return 0;
}

int record_log_info(const char *log_path, struct record_log_info *info)
{
	struct log_map m;
	if (log_map_open(log_path, &m) < 0)
		return -1;
	const struct fltrace_header *h = (const void *)m.base;
	memset(info, 0, sizeof *info);
	info->pid = h->pid;
	info->ppid = h->ppid;
	info->image = h->image;
	memcpy(info->exe, h->exe, sizeof info->exe - 1);
	size_t n = h->cmdline_len < sizeof h->cmdline ? h->cmdline_len : sizeof h->cmdline;
	size_t out = 0;
	for (size_t i = 0; i < n && out + 4 < sizeof info->command; i++)
		/* NULs separate arguments; control characters would break the
		 * one-line messages and the trace name. */
		info->command[out++] = (unsigned char)h->cmdline[i] < 0x20 || h->cmdline[i] == 0x7f ? ' ' : h->cmdline[i];
	while (out > 0 && info->command[out - 1] == ' ')
		out--;
	if (n > 0 && out + 4 >= sizeof info->command) {
		memcpy(info->command + out, "...", 3);
		out += 3;
	}
	info->command[out] = '\0';
	if (!out) { /* no cmdline (a kernel oddity): name the executable */
		size_t len = strnlen(info->exe, sizeof info->command - 1);
		memcpy(info->command, info->exe, len);
		info->command[len] = '\0';
	}
	munmap((void *)m.base, m.len);
	return 0;
}

/* The conversion state: ids, threads and pending reallocs. */
struct log_conv {
	struct record_addrmap addr_to_id;
	struct record_addrmap tid_to_dense;
	uint64_t *free_ids;
	uint64_t n_free_ids, free_cap;
	uint64_t next_id;
	uint64_t *free_tids;   /* dense tids of exited threads, for reuse */
	uint64_t n_free_tids, free_tids_cap;
	uint64_t *pending;     /* per dense tid: the id inside a realloc, or NO_PENDING */
	uint64_t pending_cap;
	uint64_t *id_size;     /* requested bytes of each live id */
	uint64_t id_size_cap;
	struct record_writer *w;
	struct record_log_stats *st;
	int silent;            /* replaying a parent's prefix: update state, write nothing */
	int oom;
};

static uint64_t conv_tid(struct log_conv *c, uint32_t tid)
{
	uint64_t dense;
	if (record_addrmap_get(&c->tid_to_dense, (uint64_t)tid + 1, &dense))
		return dense;
	dense = c->n_free_tids ? c->free_tids[--c->n_free_tids] : c->st->threads++;
	if (record_addrmap_put(&c->tid_to_dense, (uint64_t)tid + 1, dense) < 0)
		c->oom = 1;
	if (dense >= c->pending_cap) {
		uint64_t cap = c->pending_cap ? c->pending_cap * 2 : 64;
		uint64_t *p = realloc(c->pending, cap * sizeof *p);
		if (!p) {
			c->oom = 1;
			return 0;
		}
		for (uint64_t i = c->pending_cap; i < cap; i++)
			p[i] = NO_PENDING;
		c->pending = p;
		c->pending_cap = cap;
	}
	c->pending[dense] = NO_PENDING;
	return dense;
}

/* The thread with kernel id TID exited: its dense tid is free for the next
 * new thread (after everything it did, in sequence order). */
static void conv_thread_exit(struct log_conv *c, uint32_t tid)
{
	uint64_t dense;
	if (!record_addrmap_del(&c->tid_to_dense, (uint64_t)tid + 1, &dense))
		return;
	if (c->n_free_tids == c->free_tids_cap) {
		uint64_t cap = c->free_tids_cap ? c->free_tids_cap * 2 : 64;
		uint64_t *p = realloc(c->free_tids, cap * sizeof *p);
		if (!p) {
			c->oom = 1;
			return;
		}
		c->free_tids = p;
		c->free_tids_cap = cap;
	}
	c->free_tids[c->n_free_tids++] = dense;
}

static void conv_emit(struct log_conv *c, enum trace_op op, uint64_t id, uint64_t tid,
		      uint64_t size, uint64_t nmemb, uint64_t align)
{
	if (op != TRACE_OP_FREE) {
		if (id >= c->id_size_cap) {
			uint64_t cap = c->id_size_cap ? c->id_size_cap * 2 : 1024;
			while (cap <= id)
				cap *= 2;
			uint64_t *p = realloc(c->id_size, cap * sizeof *p);
			if (!p) {
				c->oom = 1;
				return;
			}
			c->id_size = p;
			c->id_size_cap = cap;
		}
		c->id_size[id] = op == TRACE_OP_CALLOC ? size * nmemb : size;
	}
	if (c->silent)
		return;
	struct record_event ev = {.op = op, .id = id, .size = size, .nmemb = nmemb,
				  .align = align, .tid = (int64_t)tid};
	record_writer_event(c->w, &ev);
	c->st->events++;
}

static void conv_release_id(struct log_conv *c, uint64_t id)
{
	if (c->n_free_ids == c->free_cap) {
		uint64_t cap = c->free_cap ? c->free_cap * 2 : 1024;
		uint64_t *p = realloc(c->free_ids, cap * sizeof *p);
		if (!p) {
			c->oom = 1;
			return;
		}
		c->free_ids = p;
		c->free_cap = cap;
	}
	c->free_ids[c->n_free_ids++] = id;
}

/* Binds ADDR to ID.  An address still bound means its free was never seen
 * (freed by a path the shim cannot hook): free the stale id first so the
 * trace stays valid. */
static void conv_bind(struct log_conv *c, uint64_t addr, uint64_t id, uint64_t tid)
{
	uint64_t stale;
	if (record_addrmap_del(&c->addr_to_id, addr, &stale)) {
		c->st->implicit_frees++;
		conv_emit(c, TRACE_OP_FREE, stale, tid, 0, 0, 0);
		conv_release_id(c, stale);
	}
	if (record_addrmap_put(&c->addr_to_id, addr, id) < 0)
		c->oom = 1;
}

static uint64_t conv_new_id(struct log_conv *c)
{
	return c->n_free_ids ? c->free_ids[--c->n_free_ids] : c->next_id++;
}

/* The trace format wants a power of two >= sizeof(void *); glibc rounds
 * other alignments up the same way. */
static uint64_t conv_align(uint64_t a)
{
	uint64_t p = sizeof(void *);
	while (p < a && p < (1ULL << 30)) /* the format's largest alignment */
		p <<= 1;
	return p;
}

static void conv_record(struct log_conv *c, const struct fltrace_record *r)
{
	if (r->op == FLTRACE_THREAD_EXIT) {
		conv_thread_exit(c, r->tid);
		return;
	}
	uint64_t tid = conv_tid(c, r->tid);
	uint64_t id;
	switch (r->op) {
	case FLTRACE_MALLOC:
	case FLTRACE_CALLOC:
	case FLTRACE_MEMALIGN:
		if (!r->addr)
			return;
		id = conv_new_id(c);
		conv_bind(c, r->addr, id, tid);
		if (r->op == FLTRACE_MALLOC)
			conv_emit(c, TRACE_OP_MALLOC, id, tid, r->size, 0, 0);
		else if (r->op == FLTRACE_CALLOC)
			conv_emit(c, TRACE_OP_CALLOC, id, tid, r->size, r->aux, 0);
		else
			conv_emit(c, TRACE_OP_MEMALIGN, id, tid, r->size, 0, conv_align(r->aux));
		return;
	case FLTRACE_FREE:
		if (!record_addrmap_del(&c->addr_to_id, r->addr, &id)) {
			c->st->unknown_frees++; /* allocated before the shim could log */
			return;
		}
		conv_emit(c, TRACE_OP_FREE, id, tid, 0, 0, 0);
		conv_release_id(c, id);
		return;
	case FLTRACE_REALLOC_OUT:
		/* Unbind now: from here on another thread may be handed the old
		 * address (the real realloc may free it before returning). */
		c->pending[tid] = record_addrmap_del(&c->addr_to_id, r->addr, &id) ? id : PENDING_UNKNOWN;
		return;
	case FLTRACE_REALLOC_IN:
		id = c->pending[tid];
		c->pending[tid] = NO_PENDING;
		if (id == NO_PENDING || id == PENDING_UNKNOWN) {
			/* The old block was never seen: the new one starts here. */
			if (id == NO_PENDING)
				c->st->torn++;
			if (r->addr) {
				id = conv_new_id(c);
				conv_bind(c, r->addr, id, tid);
				conv_emit(c, TRACE_OP_MALLOC, id, tid, r->size, 0, 0);
			}
		} else if (!r->addr) {
			conv_bind(c, r->aux, id, tid); /* failed: the old block stays */
		} else {
			conv_bind(c, r->addr, id, tid);
			conv_emit(c, TRACE_OP_REALLOC, id, tid, r->size, 0, 0);
		}
		return;
	default:
		c->st->torn++;
		return;
	}
}

/* Feeds the complete records of the log mapped at M, up to index UPTO, to
 * the converter. */
static void conv_records(struct log_conv *c, const struct log_map *m, uint64_t upto)
{
	const struct fltrace_record *recs = (const void *)(m->base + FLTRACE_HEADER_BYTES);
	uint64_t n = (m->data_len - FLTRACE_HEADER_BYTES) / sizeof *recs;
	/* Past the last sequence number handed out the data is zero (the
	 * rest of the last page, or of the last pre-faulted range). */
	while (n > 0 && recs[n - 1].commit == 0)
		n--;
	if (n > upto)
		n = upto;
	for (uint64_t i = 0; i < n && !c->oom; i++) {
		if (recs[i].commit != i + 1) {
			c->st->torn++; /* its thread died (exit, kill) between numbering and writing */
			continue;
		}
		c->st->records++;
		conv_record(c, &recs[i]);
	}
}

/* Replays, silently, the history that LOG_PATH's process inherited at its
 * fork: its parent's records before the fork, after the parent's own
 * inheritance.  A missing parent log costs only the inheritance. */
static void conv_inherit(struct log_conv *c, const char *log_path, const struct fltrace_header *h,
			 int depth)
{
	if (!h->parent_log[0] || depth > 64)
		return;
	char parent[PATH_MAX];
	const char *slash = strrchr(log_path, '/');
	int dir_len = slash ? (int)(slash - log_path) : 1;
	const char *dir = slash ? log_path : ".";
	if (snprintf(parent, sizeof parent, "%.*s/%.*s", dir_len, dir, (int)sizeof h->parent_log,
		     h->parent_log) >= (int)sizeof parent)
		return;
	struct log_map m;
	if (access(parent, R_OK) != 0 || log_map_open(parent, &m) < 0) {
		fprintf(stderr, "fraglab record: %s: parent log %s is missing; the blocks this fork "
			"child inherited are not in its trace\n", log_path, h->parent_log);
		return;
	}
	const struct fltrace_header *ph = (const void *)m.base;
	conv_inherit(c, parent, ph, depth + 1);
	conv_records(c, &m, h->parent_seq);
	munmap((void *)m.base, m.len);
}

static int conv_id_order(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Writes one malloc per block live in the converter (the inherited heap),
 * in id order, as thread 0. */
static void conv_emit_inherited(struct log_conv *c)
{
	uint64_t n = c->addr_to_id.count, k = 0;
	uint64_t *ids = malloc((n ? n : 1) * sizeof *ids);
	if (!ids) {
		c->oom = 1;
		return;
	}
	for (uint64_t i = 0; i <= c->addr_to_id.mask; i++)
		if (c->addr_to_id.keys[i])
			ids[k++] = c->addr_to_id.values[i];
	qsort(ids, k, sizeof *ids, conv_id_order);
	for (uint64_t i = 0; i < k; i++) {
		struct record_event ev = {.op = TRACE_OP_MALLOC, .id = ids[i], .size = c->id_size[ids[i]],
					  .tid = 0, .inherited = 1};
		record_writer_event(c->w, &ev);
		c->st->events++;
	}
	c->st->inherited = k;
	free(ids);
}

int record_log_convert(const char *log_path, const char *out_path, struct record_log_stats *st)
{
	struct record_log_info info;
	if (record_log_info(log_path, &info) < 0)
		return -1;
	struct log_map m;
	if (log_map_open(log_path, &m) < 0)
		return -1;
	memset(st, 0, sizeof *st);
	const struct fltrace_header *h = (const void *)m.base;
	st->lost = h->lost;

	char name[700];
	snprintf(name, sizeof name, "record: %s (pid %d)", info.command, info.pid);
	static struct record_writer w; /* 64 KiB buffer: off the stack */
	struct log_conv c = {.w = &w, .st = st};
	int rc = -1;
	if (record_addrmap_init(&c.addr_to_id) < 0 || record_addrmap_init(&c.tid_to_dense) < 0) {
		fprintf(stderr, "fraglab record: out of memory\n");
		goto out;
	}
	if (record_writer_open(&w, out_path, name) < 0)
		goto out;

	if (h->parent_log[0]) {
		c.silent = 1;
		conv_inherit(&c, log_path, h, 0);
		c.silent = 0;
		/* The child's own threads and counts start afresh. */
		record_addrmap_destroy(&c.tid_to_dense);
		if (record_addrmap_init(&c.tid_to_dense) < 0)
			c.oom = 1;
		c.n_free_tids = 0;
		memset(st, 0, sizeof *st);
		st->lost = h->lost;
		/* The inherited blocks are written as tid 0: the forking thread,
		 * the only one the child has, whose own records come first. */
		if (!c.oom)
			conv_emit_inherited(&c);
	}
	conv_records(&c, &m, UINT64_MAX);
	if (c.oom) {
		fprintf(stderr, "fraglab record: out of memory converting %s\n", log_path);
		record_writer_abort(&w);
		goto out;
	}
	if (st->events == 0) { /* the format refuses a trace without events */
		record_writer_abort(&w);
		rc = 1;
		goto out;
	}
	rc = record_writer_commit(&w);
out:
	record_addrmap_destroy(&c.addr_to_id);
	record_addrmap_destroy(&c.tid_to_dense);
	free(c.free_ids);
	free(c.free_tids);
	free(c.pending);
	free(c.id_size);
	munmap((void *)m.base, m.len);
	return rc;
}
