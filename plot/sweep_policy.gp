# sweep_policy.gp: flmalloc's four policies side by side (glibc as the
# reference), per trace: fragmentation, throughput and memory syscalls.
#
#   addr  address-ordered first fit    lifo  LIFO first fit
#   best  best fit                     seg   segregated fit (the default)
#
# From results/sweep-policy-summary.csv (medians of the runs); the last
# group, "geomean", is the geometric mean over the traces.
#
# Run by hand (an `out` ending in .svg writes SVG instead of PNG):
#   gnuplot -e "datafile='results/sweep-policy-summary.csv'; out='results/sweep-policy.png'" plot/sweep_policy.gp
# Optional: traces='t1 t2' chooses and orders the groups.

if (!exists("datafile")) datafile = 'results/sweep-policy-summary.csv'
if (!exists("out")) out = 'results/sweep-policy.png'

set datafile separator ','
set datafile columnheaders
set datafile missing ''

found_traces = ' '
allocs = ' '
set table $discard
plot datafile using (t = strcol('trace'), a = strcol('allocator'), \
	(t eq 'geomean' || strstrt(found_traces, ' '.t.' ')) ? 0 : (found_traces = found_traces.t.' ', 0), \
	strstrt(allocs, ' '.a.' ') ? 0 : (allocs = allocs.a.' ', 0)):(0) with table
unset table
if (!exists("traces")) { traces = found_traces }
# The geometric-mean rows make the last group.
traces = traces.' geomean'
n_traces = words(traces)
n_allocs = words(allocs)
index_of(list, w, i) = i > words(list) ? NaN : (word(list, i) eq w ? i : index_of(list, w, i + 1))
bar_width = 0.8 / n_allocs
bar_x(j) = index_of(traces, strcol('trace'), 1) - 1 + (j - (n_allocs + 1) / 2.0) * bar_width
is_bar(j) = strcol('allocator') eq word(allocs, j)

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

set style fill solid 0.85 border rgb 'black'
set boxwidth bar_width
set xrange [-0.6:n_traces - 0.4]
set xtics scale 0 (word(traces, 1) 0)
do for [i=2:n_traces] { set xtics add (word(traces, i) i - 1) }
set grid ytics
set border 3
set tics nomirror
set key outside right top vertical
set lmargin 12

set multiplot layout 3,1 title 'flmalloc policies side by side (medians)'
set title 'Fragmentation: peak heap RSS / peak live bytes (lower is better)'
set ylabel 'frag_peak'
set yrange [0:*]
plot for [j=1:n_allocs] datafile using (bar_x(j)):(is_bar(j) ? column('frag_peak') : NaN) \
	with boxes lc j title word(allocs, j)
set title 'Throughput (higher is better)'
set ylabel 'million ops/s'
plot for [j=1:n_allocs] datafile using (bar_x(j)):(is_bar(j) ? column('ops_per_s') / 1e6 : NaN) \
	with boxes lc j title word(allocs, j)
set title 'Memory syscalls: mmap+munmap+mremap+brk+madvise (log scale; lower is better)'
set ylabel 'system calls'
# A log scale needs one positive count; when nothing made a syscall, say so.
stats datafile using (column('syscalls') > 0 ? column('syscalls') : 0) nooutput
if (STATS_max > 0) {
	set logscale y
	set yrange [0.8:*]
} else {
	set yrange [0:1]
	set label 1 'no memory syscalls during the replay' at graph 0.5, 0.5 center
}
# No geomean group here: traces with no syscall would drop out of it.
plot for [j=1:n_allocs] datafile using (bar_x(j)):(is_bar(j) && strcol('trace') ne 'geomean' && column('syscalls') > 0 ? column('syscalls') : NaN) \
	with boxes lc j title word(allocs, j)
unset multiplot
