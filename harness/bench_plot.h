/*
 * bench_plot.h: draw a figure by running one of the plot/ scripts with
 * gnuplot, as PNG and SVG, each written under a temporary name and
 * renamed into place.
 */
#ifndef FRAGLAB_BENCH_PLOT_H
#define FRAGLAB_BENCH_PLOT_H

#include <stddef.h>

/* Finds the directory holding the gnuplot scripts: $FRAGLAB_PLOT_DIR, else
 * ./plot, else plot/ in a parent of the fraglab binary's directory (the
 * binary lives in build/ or build/NAME/ of the source tree).  0 or -1. */
int bench_plot_find_dir(const char *fraglab, char *buf, size_t size);

/* Runs DIR/SCRIPT.gp on `datafile`, writing OUT_BASE.png and OUT_BASE.svg.
 * `vars` are extra gnuplot assignments ("allocs='a b'; " ...) or NULL.
 * Returns 0, or -1 after a one-line message. */
int bench_plot_draw(const char *plot_dir, const char *script, const char *datafile,
		    const char *out_base, const char *vars);

/* Appends NAME='VALUE'; to a gnuplot -e string, doubling single quotes as
 * gnuplot's single-quoted strings want. */
void bench_plot_add_var(char *buf, size_t size, const char *name, const char *value);

#endif
