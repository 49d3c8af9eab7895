/*
 * fltrace_log.c: the shim's per-process binary log (format: fltrace_log.h).
 *
 * Appending costs one atomic fetch-add (the sequence number, which is also
 * the record's index in the file) and a 40-byte store into a shared file
 * mapping; the kernel writes the pages back, so records survive even if the
 * program is killed.  The file grows by 40 MiB chunks, each mapped on
 * first use under a spinlock (a mutex could be held across fork).
 * Nothing here calls malloc: only syscalls and atomics.
 */
#include "fltrace.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int log_fd = -1;
static char log_path[4096];                    /* to reopen it, see log_checked_fd */
static char fork_parent_log[256];              /* set in a fork child until its log opens */
static uint64_t fork_parent_seq;
static dev_t log_dev;                          /* identity of the log file */
static ino_t log_ino;
static struct fltrace_header *log_header;      /* mapped first page(s) */
static _Atomic int log_on;                     /* records are being written */
static _Atomic uint64_t log_next;              /* next sequence number */
static struct fltrace_record *_Atomic log_chunks[FLTRACE_MAX_CHUNKS];
static uint64_t log_file_chunks;               /* chunks the file has room for; under log_lock */
static atomic_flag log_lock = ATOMIC_FLAG_INIT;

/* The kernel thread id, cached per thread (initial-exec TLS: no allocation
 * on first use).  Reset in a fork child, whose thread has a new id. */
static __thread uint32_t log_tid __attribute__((tls_model("initial-exec")));

/* A thread-specific data key whose destructor logs FLTRACE_THREAD_EXIT, so
 * the converter can give an exited thread's trace tid to a later thread:
 * a program that churns through threads keeps as many tids as it ever had
 * threads at once (the format allows 65536). */
static pthread_key_t log_exit_key;
static int log_exit_key_ready;
static void log_thread_exit(void *unused);

static uint32_t log_thread_id(void)
{
	if (!log_tid) {
		log_tid = (uint32_t)syscall(SYS_gettid);
		/* Arm the exit hook only now that the id is cached: setspecific
		 * may allocate (for keys past glibc's first 32), and that
		 * allocation is logged through here without re-arming. */
		if (log_exit_key_ready)
			pthread_setspecific(log_exit_key, (void *)1);
	}
	return log_tid;
}

/* Decimal digits of V into BUF (no terminator); returns the length. */
static size_t log_utoa(char *buf, unsigned long v)
{
	char tmp[24];
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* Reads up to CAP bytes of a /proc file into BUF; returns bytes read. */
static size_t log_read_proc(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	size_t got = 0;
	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return got;
}

/* Creates DIR/PID.N.log with the first free N (exec keeps the pid, so an
 * image's log never overwrites its predecessor's). */
static int log_create(const char *dir, pid_t pid, uint32_t *image)
{
	size_t dl = strlen(dir);
	if (dl > sizeof log_path - 64)
		return -1;
	for (uint32_t n = 0; n < 100000; n++) {
		size_t len = dl;
		memcpy(log_path, dir, dl);
		log_path[len++] = '/';
		len += log_utoa(log_path + len, (unsigned long)pid);
		log_path[len++] = '.';
		len += log_utoa(log_path + len, n);
		memcpy(log_path + len, ".log", 5);
		int fd = open(log_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			*image = n;
			/* Move it out of the way of programs that count on low fds. */
			int high = fcntl(fd, F_DUPFD_CLOEXEC, 900);
			if (high >= 0) {
				close(fd);
				fd = high;
			}
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/* The log's fd, checked: programs may close every descriptor they did not
 * open (daemons, subprocess children before exec) and then reuse the
 * number, and an ftruncate on someone else's file would destroy it.  If
 * the fd no longer names our file, reopen the file by path. */
static int log_checked_fd(void)
{
	struct stat st;
	if (log_fd >= 0 && fstat(log_fd, &st) == 0 && st.st_dev == log_dev && st.st_ino == log_ino)
		return log_fd;
	int fd = open(log_path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_dev != log_dev || st.st_ino != log_ino) {
		close(fd);
		return -1;
	}
	int high = fcntl(fd, F_DUPFD_CLOEXEC, 900);
	if (high >= 0) {
		close(fd);
		fd = high;
	}
	log_fd = fd; /* the old number belongs to the program now: never close it */
	return fd;
}

void fltrace_log_start(void)
{
	const char *dir = getenv(FLTRACE_ENV_DIR);
	if (!dir || !*dir)
		return;
	pid_t pid = getpid();
	const char *only = getenv(FLTRACE_ENV_ONLY_PID);
	if (only && *only) {
		long want = 0;
		for (const char *p = only; *p >= '0' && *p <= '9'; p++)
			want = want * 10 + (*p - '0');
		if (want != pid)
			return;
	}
	uint32_t image;
	int fd = log_create(dir, pid, &image);
	if (fd < 0)
		return; /* fraglab record reports a process without a log */
	if (ftruncate(fd, FLTRACE_HEADER_BYTES) != 0) {
		close(fd);
		return;
	}
	void *h = mmap(NULL, FLTRACE_HEADER_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED) {
		close(fd);
		return;
	}
	struct fltrace_header *hdr = h;
	memcpy(hdr->magic, FLTRACE_MAGIC, 8);
	hdr->version = FLTRACE_VERSION;
	hdr->record_size = sizeof(struct fltrace_record);
	hdr->pid = pid;
	hdr->ppid = getppid();
	hdr->image = image;
	ssize_t n = readlink("/proc/self/exe", hdr->exe, sizeof hdr->exe - 1);
	hdr->exe[n > 0 ? n : 0] = '\0';
	hdr->cmdline_len = (uint32_t)log_read_proc("/proc/self/cmdline", hdr->cmdline, sizeof hdr->cmdline);
	memcpy(hdr->parent_log, fork_parent_log, sizeof hdr->parent_log);
	hdr->parent_seq = fork_parent_seq;
	fork_parent_log[0] = '\0';
	fork_parent_seq = 0;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		munmap(h, FLTRACE_HEADER_BYTES);
		close(fd);
		return;
	}
	log_dev = st.st_dev;
	log_ino = st.st_ino;
	if (!log_exit_key_ready && pthread_key_create(&log_exit_key, log_thread_exit) == 0)
		log_exit_key_ready = 1; /* a fork child keeps its parent's key */
	log_fd = fd;
	log_header = hdr;
	log_file_chunks = 0;
	atomic_store(&log_next, 0);
	atomic_store_explicit(&log_on, 1, memory_order_release);
}

/* Maps chunk K, growing the file first if needed; NULL if that fails. */
static struct fltrace_record *log_map_chunk(uint64_t k)
{
	while (atomic_flag_test_and_set_explicit(&log_lock, memory_order_acquire))
		sched_yield(); /* held only for an ftruncate and an mmap */
	struct fltrace_record *c = atomic_load_explicit(&log_chunks[k], memory_order_acquire);
	int fd = c ? -1 : log_checked_fd();
	if (!c && fd >= 0) {
		int ok = 1;
		if (k + 1 > log_file_chunks) {
			ok = ftruncate(fd, (off_t)(FLTRACE_HEADER_BYTES + (k + 1) * FLTRACE_CHUNK_BYTES)) == 0;
			if (ok)
				log_file_chunks = k + 1;
		}
		if (ok) {
			void *m = mmap(NULL, FLTRACE_CHUNK_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
				       (off_t)(FLTRACE_HEADER_BYTES + k * FLTRACE_CHUNK_BYTES));
			if (m != MAP_FAILED) {
				c = m;
				atomic_store_explicit(&log_chunks[k], c, memory_order_release);
			}
		}
	}
	atomic_flag_clear_explicit(&log_lock, memory_order_release);
	return c;
}

/* Pre-faults the next LOG_POPULATE_RECORDS records (640 KiB, page-aligned
 * because chunks are) in one call: a page fault per 102 records costs far
 * more than one madvise per 16384.  The first 16384 records are left to
 * fault page by page, so the many short processes of a process tree (a
 * shell loop, a build) do not each pay for 640 KiB they never use.  Best
 * effort: kernels before 5.14 lack MADV_POPULATE_WRITE and simply fault. */
#define LOG_POPULATE_RECORDS 16384u
_Static_assert(FLTRACE_CHUNK_RECORDS % LOG_POPULATE_RECORDS == 0, "populate ranges tile a chunk");
_Static_assert(LOG_POPULATE_RECORDS * sizeof(struct fltrace_record) % 4096 == 0, "populate ranges are page-aligned");
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static void log_populate(struct fltrace_record *first)
{
	madvise(first, LOG_POPULATE_RECORDS * sizeof *first, MADV_POPULATE_WRITE);
}

void fltrace_log(enum fltrace_op op, uint64_t addr, uint64_t size, uint64_t aux)
{
	if (!atomic_load_explicit(&log_on, memory_order_acquire))
		return;
	/* The sequence number orders records across threads: a malloc is
	 * numbered after the real malloc returned and a free before the real
	 * free runs, so a free always follows the malloc that produced its
	 * block and precedes any reuse of the address. */
	uint64_t seq = atomic_fetch_add_explicit(&log_next, 1, memory_order_relaxed);
	uint64_t k = seq / FLTRACE_CHUNK_RECORDS;
	if (k >= FLTRACE_MAX_CHUNKS) {
		__atomic_fetch_add(&log_header->lost, 1, __ATOMIC_RELAXED);
		return;
	}
	struct fltrace_record *chunk = atomic_load_explicit(&log_chunks[k], memory_order_acquire);
	if (!chunk && !(chunk = log_map_chunk(k))) {
		__atomic_fetch_add(&log_header->lost, 1, __ATOMIC_RELAXED);
		return;
	}
	struct fltrace_record *r = &chunk[seq % FLTRACE_CHUNK_RECORDS];
	if (seq % LOG_POPULATE_RECORDS == 0 && seq > 0)
		log_populate(r);
	r->addr = addr;
	r->aux = aux;
	r->size = size;
	r->tid = log_thread_id();
	r->op = (uint8_t)op;
	__atomic_store_n(&r->commit, seq + 1, __ATOMIC_RELEASE);
}

static void log_thread_exit(void *unused)
{
	(void)unused;
	fltrace_log(FLTRACE_THREAD_EXIT, 0, 0, 0);
}

void fltrace_log_after_fork(void)
{
	/* Only this thread exists in the child.  The parent's mappings are
	 * shared with the parent: unmap them so the child never writes there. */
	int was_on = atomic_exchange(&log_on, 0);
	if (was_on) {
		/* Everything numbered before the fork describes the heap this
		 * child starts with (the fork copied this counter's value). */
		const char *base = strrchr(log_path, '/');
		base = base ? base + 1 : log_path;
		size_t len = strlen(base);
		if (len < sizeof fork_parent_log) {
			memcpy(fork_parent_log, base, len + 1);
			fork_parent_seq = atomic_load(&log_next);
		}
	}
	log_tid = 0;
	atomic_flag_clear(&log_lock);
	if (was_on) {
		for (uint64_t k = 0; k < FLTRACE_MAX_CHUNKS; k++) {
			struct fltrace_record *c = atomic_load(&log_chunks[k]);
			if (c)
				munmap(c, FLTRACE_CHUNK_BYTES);
			atomic_store(&log_chunks[k], NULL);
		}
		munmap(log_header, FLTRACE_HEADER_BYTES);
		if (log_checked_fd() == log_fd) /* never close a number the program reused */
			close(log_fd);
		log_header = NULL;
		log_fd = -1;
	}
	fltrace_log_start();
}
