# frag.gp: fragmentation per trace, one bar per allocator.
#
# frag_peak = peak heap RSS / peak live bytes, Johnstone and Wilson's
# measure 4 (the two peaks may fall at different times), median over the
# timing runs.  1.0 means the allocator held exactly the bytes the program
# had live; below 1.0 happens on small traces, where the kernel's VmHWM
# can read low by a few dozen pages (lazily summed counters) and memory the allocator had
# resident before the replay is part of the baseline (docs/metrics.md).  The line marks 1.0.  Lower is better.
#
# Run by hand (an `out` ending in .svg writes SVG instead of PNG):
#   gnuplot -e "datafile='results/summary.csv'; out='results/frag.png'" plot/frag.gp
# Optional: traces='t1 t2' and allocs='glibc jemalloc' choose and order
# the groups and the bars.

if (!exists("datafile")) datafile = 'results/summary.csv'
if (!exists("out")) out = 'results/frag.png'

set datafile separator ','
set datafile columnheaders
set datafile missing ''

# The traces and allocators in the file, in the order they first appear
# (the per-allocator "geomean" rows are not a trace), unless given with -e.
if (!exists("traces") || !exists("allocs")) {
	found_traces = ' '
	found_allocs = ' '
	set table $discard
	plot datafile using (t = strcol('trace'), a = strcol('allocator'), \
		(t eq 'geomean' || strstrt(found_traces, ' '.t.' ')) ? 0 : (found_traces = found_traces.t.' ', 0), \
		strstrt(found_allocs, ' '.a.' ') ? 0 : (found_allocs = found_allocs.a.' ', 0)):(0) with table
	unset table
	if (!exists("traces")) { traces = found_traces }
	if (!exists("allocs")) { allocs = found_allocs }
}
n_traces = words(traces)
n_allocs = words(allocs)
index_of(list, w, i) = i > words(list) ? NaN : (word(list, i) eq w ? i : index_of(list, w, i + 1))
# Bar j of trace i sits at i-1 + an offset; the group is 0.8 wide.
bar_width = 0.8 / n_allocs
bar_x(j) = index_of(traces, strcol('trace'), 1) - 1 + (j - (n_allocs + 1) / 2.0) * bar_width
is_bar(j) = strcol('allocator') eq word(allocs, j)

if (out[strlen(out) - 2:] eq 'svg') {
	set terminal svg size 1400,650 dynamic noenhanced font 'Sans,11' background rgb 'white'
} else {
	set terminal pngcairo size 1400,650 noenhanced font 'Sans,10'
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
# One tic per trace, labelled with its name, and no numeric tics.
set xtics scale 0 rotate by -20 (word(traces, 1) 0)
do for [i=2:n_traces] { set xtics add (word(traces, i) i - 1) }
set key outside right top vertical
set grid ytics
set border 3
set tics nomirror

set title 'Fragmentation: peak heap RSS / peak live bytes (1.0 is perfect)'
set ylabel 'peak heap RSS / peak live bytes'
set yrange [0:*]
plot for [j=1:n_allocs] datafile \
	using (bar_x(j)):(is_bar(j) ? column('frag_peak') : NaN) with boxes lc j title word(allocs, j), \
     1 with lines dt 2 lw 2 lc rgb 'black' title '1.0 = no overhead' 
