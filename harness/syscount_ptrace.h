/*
 * syscount_ptrace.h: the fallback syscall counter, for machines where perf
 * tracepoints are not allowed.  The parent traces a replay child with
 * ptrace (PTRACE_SYSCALL) and counts the entries of mmap, munmap, mremap,
 * brk and madvise made between the child's two marker calls
 * (syscount_marker), which bracket the measured region exactly where the
 * perf counters would be enabled and disabled.
 *
 * Stopping the child at every syscall slows those syscalls down, so this
 * runs as a pass of its own ("syscalls" pass, once per trace and
 * allocator), never in a timing pass.
 */
#ifndef FRAGLAB_SYSCOUNT_PTRACE_H
#define FRAGLAB_SYSCOUNT_PTRACE_H

#include <stdint.h>
#include <sys/types.h>

#include "syscount.h"

/* In the child: ioctl(-1, marker) fails at once with EBADF and means
 * nothing to the kernel; the tracer recognises it by its arguments. */
#define SYSCOUNT_MARKER_START 0x66726c01u
#define SYSCOUNT_MARKER_STOP 0x66726c02u
void syscount_marker(unsigned marker);

/* In the forked child, before exec: asks to be traced.  Async-signal-safe. */
void syscount_ptrace_traceme(void);

/* In the parent: follows child pid (which called syscount_ptrace_traceme
 * and then exec) until it exits, counting.  *wstatus gets its final wait
 * status.  Kills it after timeout_s seconds (0: never) and sets
 * *timed_out.  Returns 0 with counts filled if both markers were seen,
 * -1 otherwise (child not traced, or it never reached the end). */
int syscount_ptrace_follow(pid_t pid, unsigned timeout_s, uint64_t counts[SYSCOUNT_N],
			   int *wstatus, int *timed_out);

#endif
