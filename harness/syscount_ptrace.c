/* syscount_ptrace.c: counting a child's memory syscalls with ptrace. */
#include "syscount_ptrace.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void syscount_marker(unsigned marker)
{
	ioctl(-1, marker, 0);
}

void syscount_ptrace_traceme(void)
{
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
}

static volatile sig_atomic_t traced_pid;
static volatile sig_atomic_t alarm_fired;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
	if (traced_pid > 0)
		kill((pid_t)traced_pid, SIGKILL);
}

static int call_of(uint64_t nr)
{
	switch (nr) {
	case SYS_mmap:
		return SYSCOUNT_MMAP;
	case SYS_munmap:
		return SYSCOUNT_MUNMAP;
	case SYS_mremap:
		return SYSCOUNT_MREMAP;
	case SYS_brk:
		return SYSCOUNT_BRK;
	case SYS_madvise:
		return SYSCOUNT_MADVISE;
	default:
		return -1;
	}
}

int syscount_ptrace_follow(pid_t pid, unsigned timeout_s, uint64_t counts[SYSCOUNT_N],
			   int *wstatus, int *timed_out)
{
	memset(counts, 0, SYSCOUNT_N * sizeof *counts);
	*timed_out = 0;
	traced_pid = pid;
	alarm_fired = 0;
	struct sigaction sa, old_sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, &old_sa);
	if (timeout_s)
		alarm(timeout_s);

	int state = 0; /* 0 before the start marker, 1 counting, 2 after the stop marker */
	int traced = 0, st;
	for (;;) {
		pid_t w = waitpid(pid, &st, 0);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
		if (!WIFSTOPPED(st))
			continue;
		int sig = WSTOPSIG(st), deliver = 0;
		if (!traced) {
			/* The first stop is exec's SIGTRAP: from here on the child is ours. */
			traced = 1;
			ptrace(PTRACE_SETOPTIONS, pid, NULL,
			       (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL));
		} else if (sig == (SIGTRAP | 0x80)) {
			struct __ptrace_syscall_info info;
			if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof info, &info) > 0 &&
			    info.op == PTRACE_SYSCALL_INFO_ENTRY) {
				if (info.entry.nr == SYS_ioctl && (int)info.entry.args[0] == -1) {
					if (info.entry.args[1] == SYSCOUNT_MARKER_START && state == 0)
						state = 1;
					else if (info.entry.args[1] == SYSCOUNT_MARKER_STOP && state == 1)
						state = 2;
				} else if (state == 1) {
					int c = call_of(info.entry.nr);
					if (c >= 0)
						counts[c]++;
				}
			}
		} else {
			deliver = sig; /* a real signal: pass it on */
		}
		ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)deliver);
	}
	alarm(0);
	sigaction(SIGALRM, &old_sa, NULL);
	traced_pid = 0;
	*wstatus = st;
	*timed_out = alarm_fired;
	return traced && state == 2 ? 0 : -1;
}
