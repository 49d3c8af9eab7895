/* syscount.c: kernel-counted syscalls via perf tracepoints on
 * syscalls:sys_enter_*. */
#include "syscount.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const call_names[SYSCOUNT_N] = {"mmap", "munmap", "mremap", "brk", "madvise"};

const char *syscount_name(enum syscount_call call)
{
	return call_names[call];
}

static const char *const tracefs_dirs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};

static int read_id(const char *dir, const char *call, uint64_t *id)
{
	char path[256];
	snprintf(path, sizeof path, "%s/events/syscalls/sys_enter_%s/id", dir, call);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	unsigned long long v;
	int ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	if (!ok)
		return -1;
	*id = v;
	return 0;
}

static int lookup_in(const char *dir, uint64_t ids[SYSCOUNT_N])
{
	for (int c = 0; c < SYSCOUNT_N; c++)
		if (read_id(dir, call_names[c], &ids[c]) != 0)
			return -1;
	return 0;
}

int syscount_lookup_ids(uint64_t ids[SYSCOUNT_N], char *err, size_t errlen)
{
	for (size_t i = 0; i < 2; i++)
		if (lookup_in(tracefs_dirs[i], ids) == 0)
			return 0;
	/* tracefs may simply not be mounted (fresh VMs, containers); mounting it
	 * needs CAP_SYS_ADMIN and is harmless when allowed. */
	struct stat st;
	if (stat(tracefs_dirs[0], &st) == 0 && S_ISDIR(st.st_mode) &&
	    mount("nodev", tracefs_dirs[0], "tracefs", 0, NULL) == 0 &&
	    lookup_in(tracefs_dirs[0], ids) == 0)
		return 0;
	snprintf(err, errlen,
		 "syscall tracepoint ids not readable under %s or %s (tracefs not mounted, or no "
		 "syscall tracepoints in this kernel)",
		 tracefs_dirs[0], tracefs_dirs[1]);
	return -1;
}

static int perf_open(uint64_t id, int group_fd)
{
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof attr);
	attr.size = sizeof attr;
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = id;
	attr.disabled = group_fd < 0; /* the leader starts the whole group */
	attr.read_format = PERF_FORMAT_GROUP;
	/* Tracepoints fire in the kernel: kernel events must be counted. */
	attr.exclude_kernel = 0;
	attr.exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, &attr, 0 /* this process */, -1 /* any cpu */,
			    group_fd, PERF_FLAG_FD_CLOEXEC);
}

int syscount_open(struct syscount *sc, const uint64_t ids[SYSCOUNT_N], char *err, size_t errlen)
{
	for (int c = 0; c < SYSCOUNT_N; c++)
		sc->fds[c] = -1;
	for (int c = 0; c < SYSCOUNT_N; c++) {
		sc->fds[c] = perf_open(ids[c], c == 0 ? -1 : sc->fds[0]);
		if (sc->fds[c] < 0) {
			int e = errno;
			syscount_close(sc);
			snprintf(err, errlen, "perf_event_open(syscalls:sys_enter_%s): %s%s", call_names[c],
				 strerror(e),
				 e == EACCES || e == EPERM ? " (see /proc/sys/kernel/perf_event_paranoid)" : "");
			return -1;
		}
	}
	return 0;
}

void syscount_enable(const struct syscount *sc)
{
	ioctl(sc->fds[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}

void syscount_disable(const struct syscount *sc)
{
	ioctl(sc->fds[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
}

int syscount_read(const struct syscount *sc, uint64_t counts[SYSCOUNT_N])
{
	/* PERF_FORMAT_GROUP: { u64 nr; u64 values[nr]; } */
	uint64_t buf[1 + SYSCOUNT_N];
	if (read(sc->fds[0], buf, sizeof buf) != (ssize_t)sizeof buf || buf[0] != SYSCOUNT_N)
		return -1;
	for (int c = 0; c < SYSCOUNT_N; c++)
		counts[c] = buf[1 + c];
	return 0;
}

void syscount_close(struct syscount *sc)
{
	for (int c = 0; c < SYSCOUNT_N; c++)
		if (sc->fds[c] >= 0) {
			close(sc->fds[c]);
			sc->fds[c] = -1;
		}
}
