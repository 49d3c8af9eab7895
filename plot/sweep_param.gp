# sweep_param.gp: one flmalloc setting swept (FLMALLOC_BIG or FLMALLOC_KEEP),
# one line per trace, three panels: fragmentation (frag_peak), throughput
# (ops/s relative to the trace's best value, so traces of different speeds
# share an axis) and memory syscalls (log scale), each against the setting.
#
# From results/sweep-big-summary.csv or sweep-keep-summary.csv (medians of
# the runs at each point).  The thick black line in the first two panels is
# the geometric mean over the traces (the summary's "geomean" rows; none
# for syscalls, where zeros make a geometric mean say nothing).  The
# settings are equally spaced in the order they were swept (0 cannot sit on
# a log axis), labelled in K/M.
#
# Run by hand (an `out` ending in .svg writes SVG instead of PNG):
#   gnuplot -e "datafile='results/sweep-big-summary.csv'; out='results/sweep-big.png'" plot/sweep_param.gp
# Optional: traces='t1 t2' chooses the lines; param_label='...' the x label.

if (!exists("datafile")) datafile = 'results/sweep-big-summary.csv'
if (!exists("out")) out = 'results/sweep-big.png'

set datafile separator ','
set datafile columnheaders
set datafile missing ''

# The traces, the swept values and the parameter's name, as they appear.
found_traces = ' '
values = ' '
param = ''
set table $discard
plot datafile using (t = strcol('trace'), v = strcol('value'), param = strcol('param'), \
	(t eq 'geomean' || strstrt(found_traces, ' '.t.' ')) ? 0 : (found_traces = found_traces.t.' ', 0), \
	strstrt(values, ' '.v.' ') ? 0 : (values = values.v.' ', 0)):(0) with table
unset table
if (!exists("traces")) { traces = found_traces }
if (!exists("param_label")) { param_label = param }
n_traces = words(traces)
n_values = words(values)
index_of(list, w, i) = i > words(list) ? NaN : (word(list, i) eq w ? i : index_of(list, w, i + 1))
value_x(v) = index_of(values, v, 1) - 1
is_trace(i) = strcol('trace') eq word(traces, i)
bytes(v) = v >= 1048576 ? sprintf('%gM', v / 1048576.0) : v >= 1024 ? sprintf('%gK', v / 1024.0) : sprintf('%g', v)

# Each trace's best throughput over the sweep, to draw relative throughput.
array best[n_traces]
do for [i=1:n_traces] {
	stats datafile using (is_trace(i) && column('ops_per_s') > 0 ? column('ops_per_s') : 0) nooutput
	best[i] = STATS_max
}
# A macro (expanded where @is_geomean appears): is this a geomean row?
is_geomean = "strcol('trace') eq 'geomean'"
stats datafile using (@is_geomean && column('ops_per_s') > 0 ? column('ops_per_s') : 0) nooutput
best_geomean = STATS_max

if (out[strlen(out) - 2:] eq 'svg') {
	set terminal svg size 1100,1000 dynamic noenhanced font 'Sans,11' background rgb 'white'
} else {
	set terminal pngcairo size 1100,1000 noenhanced font 'Sans,10'
}
set output out
# A fixed palette (gnuplot's 8th default colour is black, which the
# reference lines use): allocators keep their colour in every figure.
set linetype 1 lc rgb '#1f77b4'
set linetype 2 lc rgb '#ff7f0e'
set linetype 3 lc rgb '#2ca02c'
set linetype 4 lc rgb '#d62728'
set linetype 5 lc rgb '#9467bd'
set linetype 6 lc rgb '#8c564b'
set linetype 7 lc rgb '#e377c2'
set linetype 8 lc rgb '#17becf'
set linetype 9 lc rgb '#bcbd22'
set linetype 10 lc rgb '#7f7f7f'
set linetype cycle 10

set xrange [-0.3:n_values - 0.7]
set xtics scale 0 (bytes(real(word(values, 1))) 0)
do for [k=2:n_values] { set xtics add (bytes(real(word(values, k))) k - 1) }
set grid
set border 3
set tics nomirror
set key outside right top vertical
set lmargin 12

set multiplot layout 3,1 title sprintf('flmalloc against %s (medians)', param)
set title 'Fragmentation: peak heap RSS / peak live bytes (lower is better)'
set ylabel 'frag_peak'
set yrange [*:*]
plot for [i=1:n_traces] datafile using (value_x(strcol('value'))):(is_trace(i) ? column('frag_peak') : NaN) \
	with linespoints lw 1.5 lc i title word(traces, i), \
     datafile using (value_x(strcol('value'))):(@is_geomean ? column('frag_peak') : NaN) \
	with linespoints lw 4 pt 7 lc rgb 'black' title 'geometric mean'
set title 'Throughput relative to the best setting for that trace (higher is better)'
set ylabel 'ops/s / best ops/s'
set yrange [0:1.05]
plot for [i=1:n_traces] datafile using (value_x(strcol('value'))):(is_trace(i) ? column('ops_per_s') / best[i] : NaN) \
	with linespoints lw 1.5 lc i title word(traces, i), \
     datafile using (value_x(strcol('value'))):(@is_geomean && best_geomean > 0 ? column('ops_per_s') / best_geomean : NaN) \
	with linespoints lw 4 pt 7 lc rgb 'black' title 'geometric mean'
set title 'Memory syscalls: mmap+munmap+mremap+brk+madvise (log scale; lower is better)'
set ylabel 'system calls'
set xlabel param_label
# A log scale needs one positive count; when nothing made a syscall, say so.
stats datafile using (column('syscalls') > 0 ? column('syscalls') : 0) nooutput
if (STATS_max > 0) {
	set logscale y
	set yrange [0.8:*]
} else {
	set yrange [0:1]
	set label 1 'no memory syscalls during the replay' at graph 0.5, 0.5 center
}
plot for [i=1:n_traces] datafile using (value_x(strcol('value'))):(is_trace(i) && column('syscalls') > 0 ? column('syscalls') : NaN) \
	with linespoints lw 1.5 lc i title word(traces, i)
unset multiplot
