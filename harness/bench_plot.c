/* bench_plot.c: run gnuplot on the scripts in plot/. */
#include "bench_plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_outfile.h"
#include "bench_proc.h"

static int has_scripts(const char *dir)
{
	char probe[4096];
	bench_outfile_path(probe, sizeof probe, "%s/throughput.gp", dir);
	return access(probe, R_OK) == 0;
}

int bench_plot_find_dir(const char *fraglab, char *buf, size_t size)
{
	const char *env = getenv("FRAGLAB_PLOT_DIR");
	if (env && *env) {
		snprintf(buf, size, "%s", env);
		return has_scripts(buf) ? 0 : -1;
	}
	snprintf(buf, size, "plot");
	if (has_scripts(buf))
		return 0;
	char dir[4096];
	bench_outfile_path(dir, sizeof dir, "%s", fraglab);
	for (int up = 0; up < 4; up++) {
		char *slash = strrchr(dir, '/');
		if (!slash)
			break;
		*slash = '\0';
		snprintf(buf, size, "%s/plot", dir);
		if (has_scripts(buf))
			return 0;
	}
	return -1;
}

void bench_plot_add_var(char *buf, size_t size, const char *name, const char *value)
{
	size_t len = strlen(buf);
	int n = snprintf(buf + len, size - len, "%s='", name);
	if (n < 0 || (size_t)n >= size - len)
		return;
	len += (size_t)n;
	for (const char *p = value; *p && len + 4 < size; p++) {
		if (*p == '\'')
			buf[len++] = '\'';
		buf[len++] = *p;
	}
	if (len + 3 < size) {
		buf[len++] = '\'';
		buf[len++] = ';';
		buf[len++] = ' ';
	}
	buf[len] = '\0';
}

int bench_plot_draw(const char *plot_dir, const char *script, const char *datafile,
		    const char *out_base, const char *vars)
{
	static const char *const formats[] = {"png", "svg"};
	char script_path[4096];
	bench_outfile_path(script_path, sizeof script_path, "%s/%s.gp", plot_dir, script);
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		char out[4096], tmp[4096], assign[16384] = "";
		bench_outfile_path(out, sizeof out, "%s.%s", out_base, formats[i]);
		if (bench_outfile_tmpname(out, tmp, sizeof tmp))
			return -1;
		bench_plot_add_var(assign, sizeof assign, "datafile", datafile);
		bench_plot_add_var(assign, sizeof assign, "out", tmp);
		if (vars)
			snprintf(assign + strlen(assign), sizeof assign - strlen(assign), "%s", vars);
		char *argv[] = {"gnuplot", "-e", assign, script_path, NULL};
		char err_path[4200];
		bench_outfile_path(err_path, sizeof err_path, "%s.gnuplot-err", tmp);
		struct bench_proc_result res;
		int rc = bench_proc_run(argv, NULL, NULL, err_path, &res);
		if (rc || !res.exited || res.code != 0 || access(tmp, F_OK) != 0) {
			/* gnuplot's message is its last non-empty line */
			char line[512];
			bench_proc_last_line(err_path, line, sizeof line);
			fprintf(stderr, "fraglab: gnuplot %s failed for %s: %s\n", script_path, out,
				line[0] ? line : "no output");
			unlink(tmp);
			unlink(err_path);
			return -1;
		}
		unlink(err_path);
		if (bench_outfile_publish(tmp, out))
			return -1;
	}
	return 0;
}
