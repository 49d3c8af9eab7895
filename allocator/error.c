/*
 * error.c: messages from inside the allocator, written with write(2):
 * stdio could allocate, and we may be the allocator it calls.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static void put(const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(STDERR_FILENO, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void put_pointer(const void *p)
{
	char buf[2 + 16 + 1];
	uintptr_t v = (uintptr_t)p;
	int i = (int)sizeof buf - 1;
	buf[i] = '\0';
	do {
		buf[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	put(buf + i);
}

_Noreturn void fl_error_misuse(const char *call, const char *what, const void *p)
{
	put("flmalloc: ");
	put(call);
	put("(): ");
	put(what);
	put(" ");
	put_pointer(p);
	put("\n");
	abort();
}

void fl_error_warn(const char *name, const char *value, const char *why)
{
	put("flmalloc: warning: ");
	put(name);
	put("=");
	put(value);
	put(why);
	put("\n");
}
