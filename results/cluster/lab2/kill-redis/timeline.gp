set terminal svg size 900,700 dynamic
set output 'timeline.svg'
set multiplot layout 2,1 title 'Around the fault (SIGKILL redis at 4 s, restart (empty) at 7 s), 3 nodes, 64 B sessions'
set key outside right
set grid
set arrow from 4.00, graph 0 to 4.00, graph 1 nohead dashtype 2
set arrow from 7.00, graph 0 to 7.00, graph 1 nohead dashtype 2
set ylabel 'visits/s answered'
plot 'timeline-central.tsv' using 1:2 with linespoints title 'central'
set xlabel 'seconds into the measured window'
set ylabel 'errors per second'
plot 'timeline-central.tsv' using 1:3 with linespoints title 'central'
unset multiplot
