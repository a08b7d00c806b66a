set terminal svg size 800,450 dynamic
set output 'replication-vs-nodes.svg'
set key outside right
set grid
set xlabel 'nodes'
set ylabel 'replication bytes per request'
plot 'replication-vs-nodes-replicated-async.tsv' using 1:2 with linespoints title 'replicated-async', 'replication-vs-nodes-replicated-sync.tsv' using 1:2 with linespoints title 'replicated-sync'
