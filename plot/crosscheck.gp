# crosscheck.gp: fraglab's own timing against hyperfine's, per allocator,
# on the traces bench cross-checked (the largest ones).
#
# Two bars for each trace and allocator, in seconds:
#   - hyperfine: the mean wall time of the whole process
#     `fraglab replay --alloc A --runs 1 TRACE` (start-up, loading the
#     compiled trace, forking the replay child, loading the preloaded
#     allocator, the replay itself, the series pass replay always makes,
#     exit), error bar one standard deviation;
#   - replay: the median seconds of bench's timing runs, the measured
#     region only (the replayed calls, between two clock reads).
# The hyperfine bar is always taller; the difference is fixed costs that a
# program pays once, not per allocation.  If the allocators rank the same
# by both bars, the measured region tells the truth about the whole.
#
# Run by hand (an `out` ending in .svg writes SVG instead of PNG):
#   gnuplot -e "datafile='results/crosscheck.csv'; out='results/crosscheck.png'" plot/crosscheck.gp

if (!exists("datafile")) datafile = 'results/crosscheck.csv'
if (!exists("out")) out = 'results/crosscheck.png'

set datafile separator ','
set datafile columnheaders
set datafile missing ''

if (out[strlen(out) - 2:] eq 'svg') {
	set terminal svg size 1100,600 dynamic noenhanced font 'Sans,11' background rgb 'white'
} else {
	set terminal pngcairo size 1100,600 noenhanced font 'Sans,10'
}
set output out

set title 'Whole process (hyperfine) vs measured region (fraglab replay), seconds'
set style fill solid 0.85 border rgb 'black'
set boxwidth 0.38
set xtics scale 0 rotate by -30
set rmargin 8
set yrange [0:*]
set grid ytics
set border 3
set tics nomirror
set ylabel 'seconds'
set key top left

# The first element only labels the x axis, one tic per row, between the bars.
plot datafile using ($0):(NaN):xtic(strcol('trace').' '.strcol('allocator')) notitle, \
     datafile using ($0 - 0.2):'hyperfine_mean_s' with boxes lc rgb '#4477aa' title 'hyperfine: whole process (mean)', \
     datafile using ($0 - 0.2):(column('hyperfine_mean_s') - column('hyperfine_stddev_s')):(0): \
	(2 * column('hyperfine_stddev_s')) with vectors nohead lc rgb 'black' notitle, \
     datafile using ($0 + 0.2):'replay_seconds' with boxes lc rgb '#ee7733' title 'replay: measured region (median)'
