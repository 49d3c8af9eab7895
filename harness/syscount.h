/*
 * syscount.h: exact counts of the memory-management syscalls a replay makes,
 * counted by the kernel with perf tracepoints (syscalls:sys_enter_*), opened
 * by the replay child on itself and enabled only around the measured region.
 *
 * Tracepoint ids come from tracefs (/sys/kernel/tracing, or the older
 * /sys/kernel/debug/tracing); the parent looks them up once, mounting
 * tracefs if it is not mounted and it may, and passes them to each child.
 * Where perf is not allowed (perf_event_paranoid, no CAP_PERFMON) counting is
 * unavailable: the columns stay empty and the reason is reported; nothing is
 * guessed.
 */
#ifndef FRAGLAB_SYSCOUNT_H
#define FRAGLAB_SYSCOUNT_H

#include <stddef.h>
#include <stdint.h>

enum syscount_call {
	SYSCOUNT_MMAP,
	SYSCOUNT_MUNMAP,
	SYSCOUNT_MREMAP,
	SYSCOUNT_BRK,
	SYSCOUNT_MADVISE,
	SYSCOUNT_N
};

/* "mmap", "munmap", ... as the CSV columns are named. */
const char *syscount_name(enum syscount_call call);

/* Finds the tracepoint ids of sys_enter_<call> for every call.  Returns 0, or
 * -1 with the reason in err. */
int syscount_lookup_ids(uint64_t ids[SYSCOUNT_N], char *err, size_t errlen);

struct syscount {
	int fds[SYSCOUNT_N]; /* fds[0] leads the group */
};

/* Opens the counters (disabled) on the calling process.  0, or -1 with the
 * reason in err. */
int syscount_open(struct syscount *sc, const uint64_t ids[SYSCOUNT_N], char *err, size_t errlen);
/* Start and stop all counters at once (one ioctl on the group leader). */
void syscount_enable(const struct syscount *sc);
void syscount_disable(const struct syscount *sc);
/* Reads the counts; 0 or -1. */
int syscount_read(const struct syscount *sc, uint64_t counts[SYSCOUNT_N]);
void syscount_close(struct syscount *sc);

#endif
