/*
 * libpreload_probe.so: evidence that a real program ran on libflmalloc.
 *
 * Preloaded after libflmalloc.so (LD_PRELOAD="libflmalloc.so
 * libpreload_probe.so"), it appends one line per process to the file named
 * by $FRAGLAB_PROBE_OUT when the process exits:
 *
 *   <command name> <pid> <policy|none> <mmap calls> <bytes mapped> <bytes in use>
 *
 * so tests/preload_*.sh can check that python3, cc1, git and the rest
 * really allocated from flmalloc with the policy asked for, rather than
 * trusting that LD_PRELOAD took.  It uses only open/read/write (no stdio,
 * no allocation) because it runs inside a process's exit path.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flmalloc.h"

typedef void (*stats_fn)(struct flmalloc_stats *);

struct line {
	char text[512];
	size_t len;
};

static void append(struct line *l, const char *s)
{
	while (*s && l->len < sizeof l->text - 2)
		l->text[l->len++] = *s++;
}

static void append_u64(struct line *l, uint64_t v)
{
	char digits[24];
	int n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n > 0 && l->len < sizeof l->text - 2)
		l->text[l->len++] = digits[--n];
}

static void append_command_name(struct line *l)
{
	char comm[64];
	int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, comm, sizeof comm - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		append(l, "?");
		return;
	}
	comm[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (comm[i] == '\n' || comm[i] == ' ')
			comm[i] = i == n - 1 ? '\0' : '_';
	append(l, comm);
}

__attribute__((destructor)) static void report_allocator(void)
{
	const char *path = getenv("FRAGLAB_PROBE_OUT");
	if (path == NULL || *path == '\0')
		return;
	struct line l = { .len = 0 };
	append_command_name(&l);
	append(&l, " ");
	append_u64(&l, (uint64_t)getpid());
	stats_fn stats = (stats_fn)dlsym(RTLD_DEFAULT, "flmalloc_stats");
	if (stats) {
		struct flmalloc_stats s;
		stats(&s);
		append(&l, " ");
		append(&l, s.policy ? s.policy : "(null)");
		append(&l, " ");
		append_u64(&l, s.mmap_calls);
		append(&l, " ");
		append_u64(&l, s.bytes_mapped);
		append(&l, " ");
		append_u64(&l, s.bytes_in_use);
	} else {
		append(&l, " none 0 0 0");
	}
	l.text[l.len++] = '\n';
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	/* One write per line: O_APPEND keeps concurrent processes' lines whole. */
	ssize_t written = write(fd, l.text, l.len);
	(void)written;
	close(fd);
}
