set terminal svg size 900,700 dynamic
set output 'timeline.svg'
set multiplot layout 2,1 title 'Around the fault (SIGKILL node n1 at 5 s, restart at 10 s), 3 nodes, 64 B sessions'
set key outside right
set grid
set arrow from 5.00, graph 0 to 5.00, graph 1 nohead dashtype 2
set arrow from 10.00, graph 0 to 10.00, graph 1 nohead dashtype 2
set ylabel 'visits/s answered'
plot 'timeline-sticky-cookie.tsv' using 1:2 with linespoints title 'sticky-cookie', 'timeline-sticky-table.tsv' using 1:2 with linespoints title 'sticky-table', 'timeline-replicated-async.tsv' using 1:2 with linespoints title 'replicated-async', 'timeline-replicated-sync.tsv' using 1:2 with linespoints title 'replicated-sync', 'timeline-central.tsv' using 1:2 with linespoints title 'central', 'timeline-cookie.tsv' using 1:2 with linespoints title 'cookie', 'timeline-none.tsv' using 1:2 with linespoints title 'none', 'timeline-none-l4.tsv' using 1:2 with linespoints title 'none-l4'
set xlabel 'seconds into the measured window'
set ylabel 'errors per second'
plot 'timeline-sticky-cookie.tsv' using 1:3 with linespoints title 'sticky-cookie', 'timeline-sticky-table.tsv' using 1:3 with linespoints title 'sticky-table', 'timeline-replicated-async.tsv' using 1:3 with linespoints title 'replicated-async', 'timeline-replicated-sync.tsv' using 1:3 with linespoints title 'replicated-sync', 'timeline-central.tsv' using 1:3 with linespoints title 'central', 'timeline-cookie.tsv' using 1:3 with linespoints title 'cookie', 'timeline-none.tsv' using 1:3 with linespoints title 'none', 'timeline-none-l4.tsv' using 1:3 with linespoints title 'none-l4'
unset multiplot
