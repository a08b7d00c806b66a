# Throughput vs connections — echo 1KiB, pipeline 1 (median, bars min–max)
# Run from this directory: gnuplot throughput_echo_1KiB_d1.gp
set encoding utf8
set terminal svg size 960,560 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output "throughput_echo_1KiB_d1.svg"
set title "Throughput vs connections — echo 1KiB, pipeline 1 (median, bars min–max)"
set xlabel "connections" offset 0,0.4
set ylabel "requests/s"
set grid xtics ytics mxtics mytics lc rgb '#dddddd'
set key below
set offsets graph 0.03, graph 0.03, graph 0.05, 0
set format y "%.0s%c"
set datafile missing 'nan'
set logscale x 10
set yrange [0:*]
plot "throughput_echo_1KiB_d1.dat" index 0 using 1:2:3:4 with yerrorlines lw 2 dt 1 pt 7 ps 0.8 lc 1 title "nio:reactors", \
     "throughput_echo_1KiB_d1.dat" index 1 using 1:2:3:4 with yerrorlines lw 2 dt 1 pt 7 ps 0.8 lc 2 title "aio:rings", \
     "throughput_echo_1KiB_d1.dat" index 2 using 1:2:3:4 with yerrorlines lw 2 dt 1 pt 7 ps 0.8 lc 3 title "aio:rings-fixed-files", \
     "throughput_echo_1KiB_d1.dat" index 3 using 1:2:3:4 with yerrorlines lw 2 dt 1 pt 7 ps 0.8 lc 4 title "aio:rings-sqpoll", \
     "throughput_echo_1KiB_d1.dat" index 4 using 1:2:3:4 with yerrorlines lw 2 dt 1 pt 7 ps 0.8 lc 5 title "aio:rings-zerocopy", \
     "throughput_echo_1KiB_d1.dat" index 5 using 1:2:3:4 with yerrorlines lw 2 dt 1 pt 7 ps 0.8 lc 6 title "asio:context-per-thread", \
     "throughput_echo_1KiB_d1.dat" index 6 using 1:2:3:4 with yerrorlines lw 2 dt 1 pt 7 ps 0.8 lc 7 title "asio:shared", \
     "throughput_echo_1KiB_d1.dat" index 7 using 1:2:3:4 with yerrorlines lw 2 dt 1 pt 7 ps 0.8 lc 8 title "bio:pool-64", \
     "throughput_echo_1KiB_d1.dat" index 8 using 1:2:3:4 with yerrorlines lw 2 dt 2 pt 5 ps 0.8 lc 1 title "bio:thread-per-conn", \
     "throughput_echo_1KiB_d1.dat" index 9 using 1:2:3:4 with yerrorlines lw 2 dt 2 pt 5 ps 0.8 lc 2 title "nio:acceptor", \
     "throughput_echo_1KiB_d1.dat" index 10 using 1:2:3:4 with yerrorlines lw 2 dt 2 pt 5 ps 0.8 lc 3 title "nio:reactors-et", \
     "throughput_echo_1KiB_d1.dat" index 11 using 1:2:3:4 with yerrorlines lw 2 dt 2 pt 5 ps 0.8 lc 4 title "nio:workers", \
     "throughput_echo_1KiB_d1.dat" index 0 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' title "saturated, client-bound or starved", \
     "throughput_echo_1KiB_d1.dat" index 1 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "throughput_echo_1KiB_d1.dat" index 2 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "throughput_echo_1KiB_d1.dat" index 3 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "throughput_echo_1KiB_d1.dat" index 4 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "throughput_echo_1KiB_d1.dat" index 5 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "throughput_echo_1KiB_d1.dat" index 6 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "throughput_echo_1KiB_d1.dat" index 7 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "throughput_echo_1KiB_d1.dat" index 8 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "throughput_echo_1KiB_d1.dat" index 9 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "throughput_echo_1KiB_d1.dat" index 10 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "throughput_echo_1KiB_d1.dat" index 11 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle
set terminal pngcairo size 960,560 noenhanced font 'Sans,11' background '#ffffff'
set output "throughput_echo_1KiB_d1.png"
replot
set output
