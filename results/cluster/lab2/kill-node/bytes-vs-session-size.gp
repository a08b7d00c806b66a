set terminal svg size 800,450 dynamic
set output 'bytes-vs-session-size.svg'
set key outside right
set grid
set logscale x 2
set xlabel 'session payload (bytes)'
set ylabel 'client bytes per request'
plot 'bytes-vs-session-size-central.tsv' using 1:2 with linespoints title 'central', 'bytes-vs-session-size-cookie.tsv' using 1:2 with linespoints title 'cookie', 'bytes-vs-session-size-none.tsv' using 1:2 with linespoints title 'none', 'bytes-vs-session-size-none-l4.tsv' using 1:2 with linespoints title 'none-l4', 'bytes-vs-session-size-replicated-async.tsv' using 1:2 with linespoints title 'replicated-async', 'bytes-vs-session-size-replicated-sync.tsv' using 1:2 with linespoints title 'replicated-sync', 'bytes-vs-session-size-sticky-cookie.tsv' using 1:2 with linespoints title 'sticky-cookie', 'bytes-vs-session-size-sticky-table.tsv' using 1:2 with linespoints title 'sticky-table'
