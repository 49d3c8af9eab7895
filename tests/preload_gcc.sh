#!/bin/bash
# preload_gcc: gcc (driver, cc1, as, ld) compiling a small C program on each
# flmalloc policy; the assembly, the program's output and the diagnostics
# must be identical to the run on the C library's malloc.
source "$(dirname "$0")/lib/common.sh"
GCC=/usr/bin/gcc
require_program "$GCC"
require_build
make_workdir

cat >"$WORK/sample.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node { struct node *next; int value; char name[24]; };

static int by_value(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

int main(void)
{
	enum { N = 5000 };
	int *values = malloc(N * sizeof *values);
	struct node *list = NULL;
	for (int i = 0; i < N; i++) {
		values[i] = (i * 7919) % 10007;
		struct node *n = malloc(sizeof *n);
		n->next = list;
		n->value = values[i];
		snprintf(n->name, sizeof n->name, "node%d", i);
		list = n;
	}
	qsort(values, N, sizeof *values, by_value);
	long sum = 0;
	while (list) {
		struct node *next = list->next;
		sum += list->value * (long)strlen(list->name);
		free(list);
		list = next;
	}
	printf("min %d max %d median %d weighted %ld\n", values[0], values[N - 1], values[N / 2], sum);
	free(values);
	return 0;
}
C

gcc_workload() {
	# -Wall -Wextra on a file with an unused variable: diagnostics too must match.
	printf 'int unused_warning(void) { int x; return 0; }\n' >warn.c
	"$GCC" -std=c17 -O2 -Wall -Wextra -c warn.c -o warn.o
	"$GCC" -std=c17 -O2 -S -o - "$WORK/sample.c" | sha256sum
	"$GCC" -std=c17 -O2 -o sample "$WORK/sample.c" || return
	./sample
}

compare_with_every_policy gcc "gcc cc1 as ld" gcc_workload
finish
