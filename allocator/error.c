/*
 * error.c: messages from inside the allocator, written with write(2):
 * stdio could allocate, and we may be the allocator it calls.
 */
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

/* A message is assembled here and written with one write(2), so it stays
 * one line even when other threads write to stderr too. */
struct line {
	char buf[512];
	size_t len;
};

static void put(struct line *l, const char *s)
{
	while (*s && l->len < sizeof l->buf - 1)
		l->buf[l->len++] = *s++;
}

static void put_pointer(struct line *l, const void *p)
{
	char hex[2 + 16 + 1];
	uintptr_t v = (uintptr_t)p;
	int i = (int)sizeof hex - 1;
	hex[i] = '\0';
	do {
		hex[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	hex[--i] = 'x';
	hex[--i] = '0';
	put(l, hex + i);
}

static void emit(struct line *l)
{
	l->buf[l->len++] = '\n';
	const char *s = l->buf;
	size_t n = l->len;
	while (n) {
		ssize_t w = write(STDERR_FILENO, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

_Noreturn void fl_error_misuse(const char *call, const char *what, const void *p)
{
	struct line l = {.len = 0};
	put(&l, "flmalloc: ");
	put(&l, call);
	put(&l, "(): ");
	put(&l, what);
	put(&l, " ");
	put_pointer(&l, p);
	emit(&l);
	abort();
}

void fl_error_warn(const char *name, const char *value, const char *why)
{
	struct line l = {.len = 0};
	put(&l, "flmalloc: warning: ");
	put(&l, name);
	put(&l, "=");
	put(&l, value);
	put(&l, why);
	emit(&l);
}
