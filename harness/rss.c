/* rss.c: resident-memory readings from /proc, with no malloc and no stdio. */
#include "rss.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rss_open(void)
{
	return open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
}

/* Parses the decimal number at *p, advancing past it; -1 if none. */
static int64_t parse_u64(const char **p)
{
	const char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	int64_t v = 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	*p = s;
	return v;
}

int64_t rss_current_bytes(int statm_fd)
{
	char buf[128];
	ssize_t n = pread(statm_fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *p = buf;
	if (parse_u64(&p) < 0) /* size */
		return -1;
	int64_t resident = parse_u64(&p);
	if (resident < 0)
		return -1;
	return resident * (int64_t)sysconf(_SC_PAGESIZE);
}

int rss_reset_peak(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, "5", 1);
	close(fd);
	return n == 1 ? 0 : -1;
}

int64_t rss_peak_bytes(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t total = 0, n;
	while (total < (ssize_t)sizeof buf - 1 &&
	       (n = read(fd, buf + total, sizeof buf - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	const char *line = strstr(buf, "\nVmHWM:");
	if (!line)
		return -1;
	const char *p = line + 7;
	int64_t kib = parse_u64(&p);
	return kib < 0 ? -1 : kib * 1024;
}

/* One line of /proc/self/maps: "start-end perms offset dev inode   path".
 * Reading whole mappings byte by page is the point here, so AddressSanitizer
 * (which poisons redzones between globals) must not instrument it. */
__attribute__((no_sanitize_address)) static void prefault_line(const char *line, long page)
{
	char *end;
	uintptr_t lo = (uintptr_t)strtoull(line, &end, 16);
	if (*end != '-')
		return;
	uintptr_t hi = (uintptr_t)strtoull(end + 1, &end, 16);
	const char *perms = end + 1;
	if (perms[0] != 'r' || perms[1] == 'w')
		return; /* unreadable, or writable: never touch possibly-anonymous data */
	const char *path = strchr(perms, '/');
	if (!path)
		return; /* anonymous, [vdso], [vvar], ... */
	for (uintptr_t p = lo; p < hi; p += (uintptr_t)page)
		(void)*(volatile const char *)p;
}

static __attribute__((noinline)) void prefault_stack(size_t bytes)
{
	char probe[4096];
	volatile char *v = probe;
	v[0] = 0;
	if (bytes > sizeof probe)
		prefault_stack(bytes - sizeof probe);
}

void rss_prefault_code(size_t stack_bytes)
{
	const long page = sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char buf[8192];
		size_t have = 0;
		ssize_t n;
		while ((n = read(fd, buf + have, sizeof buf - 1 - have)) > 0) {
			have += (size_t)n;
			buf[have] = '\0';
			char *line = buf, *nl;
			while ((nl = strchr(line, '\n'))) {
				*nl = '\0';
				prefault_line(line, page);
				line = nl + 1;
			}
			have = (size_t)(buf + have - line);
			memmove(buf, line, have);
			if (have == sizeof buf - 1)
				have = 0; /* an absurd line: drop it */
		}
		close(fd);
	}
	prefault_stack(stack_bytes);
}
