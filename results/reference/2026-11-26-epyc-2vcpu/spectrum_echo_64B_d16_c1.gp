# Latency by percentile — echo 64B, pipeline 16, 1 conns
# Run from this directory: gnuplot spectrum_echo_64B_d16_c1.gp
set encoding utf8
set terminal svg size 960,560 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output "spectrum_echo_64B_d16_c1.svg"
set title "Latency by percentile — echo 64B, pipeline 16, 1 conns"
set xlabel "percentile" offset 0,0.4
set ylabel "latency (µs)"
set grid xtics ytics mxtics mytics lc rgb '#dddddd'
set key below
set offsets graph 0.03, graph 0.03, graph 0.05, 0
set datafile missing 'nan'
set logscale x 10
set logscale y 10
set xtics ("50%%" 2, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000)
set xrange [1:10000]
plot "spectrum_echo_64B_d16_c1.dat" index 0 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 1 title "nio:reactors", \
     "spectrum_echo_64B_d16_c1.dat" index 1 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 2 title "aio:rings", \
     "spectrum_echo_64B_d16_c1.dat" index 2 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 3 title "aio:rings-fixed-files", \
     "spectrum_echo_64B_d16_c1.dat" index 3 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 4 title "aio:rings-sqpoll", \
     "spectrum_echo_64B_d16_c1.dat" index 4 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 5 title "aio:rings-zerocopy", \
     "spectrum_echo_64B_d16_c1.dat" index 5 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 6 title "asio:context-per-thread", \
     "spectrum_echo_64B_d16_c1.dat" index 6 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 7 title "asio:shared", \
     "spectrum_echo_64B_d16_c1.dat" index 7 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 8 title "bio:pool-64", \
     "spectrum_echo_64B_d16_c1.dat" index 8 using 1:2 with linespoints lw 2 dt 2 pt 5 ps 0.8 lc 1 title "bio:thread-per-conn", \
     "spectrum_echo_64B_d16_c1.dat" index 9 using 1:2 with linespoints lw 2 dt 2 pt 5 ps 0.8 lc 2 title "nio:acceptor", \
     "spectrum_echo_64B_d16_c1.dat" index 10 using 1:2 with linespoints lw 2 dt 2 pt 5 ps 0.8 lc 3 title "nio:reactors-et", \
     "spectrum_echo_64B_d16_c1.dat" index 11 using 1:2 with linespoints lw 2 dt 2 pt 5 ps 0.8 lc 4 title "nio:workers"
set terminal pngcairo size 960,560 noenhanced font 'Sans,11' background '#ffffff'
set output "spectrum_echo_64B_d16_c1.png"
replot
set output
