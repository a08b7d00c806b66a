set terminal svg size 900,700 dynamic
set output 'timeline.svg'
set multiplot layout 2,1 title 'Around the fault (none), 2 nodes, 64 B sessions'
set key outside right
set grid
set ylabel 'visits/s answered'
plot 'timeline-replicated-async.tsv' using 1:2 with linespoints title 'replicated-async', 'timeline-replicated-sync.tsv' using 1:2 with linespoints title 'replicated-sync', 'timeline-central.tsv' using 1:2 with linespoints title 'central', 'timeline-none.tsv' using 1:2 with linespoints title 'none', 'timeline-none-l4.tsv' using 1:2 with linespoints title 'none-l4'
set xlabel 'seconds into the measured window'
set ylabel 'errors per second'
plot 'timeline-replicated-async.tsv' using 1:3 with linespoints title 'replicated-async', 'timeline-replicated-sync.tsv' using 1:3 with linespoints title 'replicated-sync', 'timeline-central.tsv' using 1:3 with linespoints title 'central', 'timeline-none.tsv' using 1:3 with linespoints title 'none', 'timeline-none-l4.tsv' using 1:3 with linespoints title 'none-l4'
unset multiplot
