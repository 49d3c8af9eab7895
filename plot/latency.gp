# latency.gp: per-call latency percentiles of malloc and free, one group
# of bars per allocator.
#
# From replay's latency pass (a separate pass that times every call, so the
# timing runs are not slowed by the clock reads): p50, p99, p99.9 and max
# in nanoseconds, malloc on the left, free on the right, log scale.  By
# default the "geomean" rows of summary.csv (geometric mean over the
# traces, leaving out those where the clock read 0 ns, which the summary's
# note names); trace='NAME' shows one trace instead.  Lower is better.
#
# Run by hand (an `out` ending in .svg writes SVG instead of PNG):
#   gnuplot -e "datafile='results/summary.csv'; out='results/latency.png'" plot/latency.gp
# Optional: trace='NAME', allocs='glibc jemalloc'.

if (!exists("datafile")) datafile = 'results/summary.csv'
if (!exists("out")) out = 'results/latency.png'
if (!exists("trace")) trace = 'geomean'

set datafile separator ','
set datafile columnheaders
set datafile missing ''

# The allocators in the file, in the order they first appear, unless given.
if (!exists("allocs")) {
	allocs = ' '
	set table $discard
	plot datafile using (a = strcol('allocator'), \
		strstrt(allocs, ' '.a.' ') ? 0 : (allocs = allocs.a.' ', 0)):(0) with table
	unset table
}
n_allocs = words(allocs)
index_of(list, w, i) = i > words(list) ? NaN : (word(list, i) eq w ? i : index_of(list, w, i + 1))
percentiles = 'p50 p99 p999 max'
percentile_label(k) = word('p50 p99 p99.9 max', k)
n_pct = words(percentiles)
bar_width = 0.8 / n_pct
bar_x(k) = index_of(allocs, strcol('allocator'), 1) - 1 + (k - (n_pct + 1) / 2.0) * bar_width
# Only this trace's rows; a zero or missing latency has no bar on a log scale.
latency_of(op, k) = strcol('trace') eq trace ? column(op.'_'.word(percentiles, k).'_ns') : NaN
positive(v) = v > 0 ? v : NaN

if (out[strlen(out) - 2:] eq 'svg') {
	set terminal svg size 1200,560 dynamic noenhanced font 'Sans,11' background rgb 'white'
} else {
	set terminal pngcairo size 1200,560 noenhanced font 'Sans,10'
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
set xrange [-0.6:n_allocs - 0.4]
set xtics scale 0 rotate by -30 (word(allocs, 1) 0)
do for [i=2:n_allocs] { set xtics add (word(allocs, i) i - 1) }
set logscale y
set grid ytics
set border 3
set tics nomirror
set ylabel 'nanoseconds per call (log scale)'
# Timer resolution is coarse (tens of ns), so fast calls read 0 or 10: start at 1.
set yrange [1:*]
set format y '%.0s%c'
set key top left

set multiplot layout 1,2 title sprintf("Call latency percentiles (%s; lower is better)", \
	trace eq 'geomean' ? 'geometric mean over traces' : 'trace '.trace)
set title 'malloc'
plot for [k=1:n_pct] datafile using (bar_x(k)):(positive(latency_of('malloc', k))) \
	with boxes lc k title percentile_label(k)
set title 'free'
plot for [k=1:n_pct] datafile using (bar_x(k)):(positive(latency_of('free', k))) \
	with boxes lc k title percentile_label(k)
unset multiplot
