# threads.gp: replay throughput against thread count, one panel per
# multi-threaded fraglab gen pattern, one line per allocator.
#
# Each point is the median ops/s (events / wall seconds of the measured
# region, all threads together) of the timing runs in
# plot/threads_sweep.sh's summary.csv, in millions; the error bar spans
# the slowest and the fastest run.  Higher is better.  The x axis is the
# number of recorded (and replayed) threads.
#
# Run by hand (an `out` ending in .svg writes SVG instead of PNG):
#   gnuplot -e "datafile='results/threads/summary.csv'; out='results/threads/threads.png'" plot/threads.gp

if (!exists("datafile")) datafile = 'results/threads/summary.csv'
if (!exists("out")) out = 'results/threads/threads.png'

set datafile separator ','
set datafile columnheaders
set datafile missing ''

# The patterns and allocators in the file, in the order they first appear.
found_patterns = ' '
found_allocs = ' '
set table $discard
plot datafile using (p = strcol('pattern'), a = strcol('allocator'), \
	strstrt(found_patterns, ' '.p.' ') ? 0 : (found_patterns = found_patterns.p.' ', 0), \
	strstrt(found_allocs, ' '.a.' ') ? 0 : (found_allocs = found_allocs.a.' ', 0)):(0) with table
unset table
patterns = found_patterns
allocs = found_allocs

if (out[strlen(out)-3:] eq '.svg') {
	set terminal svg size 1400,500 dynamic noenhanced font 'Sans,11' background rgb 'white'
} else {
	set terminal pngcairo size 1400,500 noenhanced font 'Sans,10'
}
set output out

set multiplot layout 1, words(patterns) title 'Replay throughput against threads (fraglab gen patterns; median of the timing runs, bars: min..max)'
set logscale x 2
set xtics (1, 2, 4, 8, 16, 32, 64)
set xlabel 'threads'
set ylabel 'million ops/s (all threads)'
set yrange [0:*]
set grid ytics
set key top left
set offsets graph 0.05, graph 0.05, 0, 0
do for [i = 1:words(patterns)] {
	pat = word(patterns, i)
	set title pat
	plot for [j = 1:words(allocs)] datafile \
		using (strcol('pattern') eq pat && strcol('allocator') eq word(allocs, j) ? column('threads') : NaN):\
		(column('ops_per_s_median') / 1e6):(column('ops_per_s_min') / 1e6):(column('ops_per_s_max') / 1e6) \
		with yerrorlines title word(allocs, j)
}
unset multiplot
