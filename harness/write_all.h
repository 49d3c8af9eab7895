/*
 * write_all.h: write() a whole buffer, retrying after EINTR and short
 * writes.  A header, not a .c file, because fraglab (cmd_replay.c: events
 * into the memfd) and fraglab-child (replay_child_main.c: the result down
 * the pipe) are separate executables linked from different object lists.
 */
#ifndef FRAGLAB_WRITE_ALL_H
#define FRAGLAB_WRITE_ALL_H

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

/* 0 when all len bytes were written; -1 on an error or a write of 0 bytes
 * (which would otherwise retry for ever). */
static inline int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

#endif
