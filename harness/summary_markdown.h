/*
 * summary_markdown.h: summary.csv as Markdown tables (results/summary.md),
 * ready to paste into the README: the geometric-mean headline per
 * allocator, then one table per measure with a row per trace and a
 * column per allocator.
 */
#ifndef FRAGLAB_SUMMARY_MARKDOWN_H
#define FRAGLAB_SUMMARY_MARKDOWN_H

#include <stdio.h>

#include "bench_csv.h"

/* Writes the tables for `summary` (as summary_compute makes it). */
void summary_markdown_print(const struct bench_csv *summary, FILE *out);
/* The same into `path`, whole or not at all; 0 or -1. */
int summary_markdown_save(const struct bench_csv *summary, const char *path);

#endif
