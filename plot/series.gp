# series.gp: the fragmentation picture of one trace: the bytes the trace
# holds live and each allocator's heap RSS as the replay goes on.
#
# From results/series/TRACE.csv (replay's series pass, about 2000 samples
# per allocator): x is the event index, the thick black line the live
# requested bytes (the same for every allocator: it is the trace's), one
# line per allocator its heap RSS (resident memory less the baseline taken
# before the replay).  The gap between an allocator's line and the black
# one is its overhead at that moment; a line that stays up after live bytes
# fall is memory not returned to the OS.
#
# Run by hand (an `out` ending in .svg writes SVG instead of PNG):
#   gnuplot -e "datafile='results/series/TRACE.csv'; out='results/series-TRACE.png'" plot/series.gp
# Optional: allocs='glibc flmalloc:seg' chooses the lines.

if (!exists("datafile")) { print "series.gp: set datafile='results/series/TRACE.csv'"; exit }
if (!exists("out")) out = 'results/series.png'

set datafile separator ','
set datafile columnheaders
set datafile missing ''

# The trace's name and the allocators in the file, in order of appearance.
trace_name = ''
found_allocs = ' '
set table $discard
plot datafile using (a = strcol('allocator'), trace_name = strcol('trace'), \
	strstrt(found_allocs, ' '.a.' ') ? 0 : (found_allocs = found_allocs.a.' ', 0)):(0) with table
unset table
if (!exists("allocs")) { allocs = found_allocs }
n_allocs = words(allocs)
is_line(j) = strcol('allocator') eq word(allocs, j)

if (out[strlen(out) - 2:] eq 'svg') {
	set terminal svg size 1100,600 dynamic noenhanced font 'Sans,11' background rgb 'white'
} else {
	set terminal pngcairo size 1100,600 noenhanced font 'Sans,10'
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

set title sprintf("Live bytes and heap RSS over the replay%s", trace_name eq '' ? '' : ': '.trace_name)
set xlabel 'event'
set ylabel 'MiB'
set yrange [0:*]
set format x '%.0s%c'
set grid
set border 3
set tics nomirror
set key outside right top vertical

plot for [j=1:n_allocs] datafile using 'event':(is_line(j) ? column('heap_rss_bytes') / 1048576.0 : NaN) \
	with lines lw 1.5 lc j title word(allocs, j).' heap RSS', \
     datafile using 'event':(is_line(1) ? column('live_bytes') / 1048576.0 : NaN) \
	with lines lw 3 lc rgb 'black' title 'live bytes (the trace)'
