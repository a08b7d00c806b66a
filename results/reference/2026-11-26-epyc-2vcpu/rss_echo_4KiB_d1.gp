# Server RSS vs connections — echo 4KiB, pipeline 1
# Run from this directory: gnuplot rss_echo_4KiB_d1.gp
set encoding utf8
set terminal svg size 960,560 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output "rss_echo_4KiB_d1.svg"
set title "Server RSS vs connections — echo 4KiB, pipeline 1"
set xlabel "connections" offset 0,0.4
set ylabel "peak RSS (MiB)"
set grid xtics ytics mxtics mytics lc rgb '#dddddd'
set key below
set offsets graph 0.03, graph 0.03, graph 0.05, 0
set datafile missing 'nan'
set logscale x 10
set yrange [0:*]
plot "rss_echo_4KiB_d1.dat" index 0 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 1 title "nio:reactors", \
     "rss_echo_4KiB_d1.dat" index 1 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 2 title "aio:rings", \
     "rss_echo_4KiB_d1.dat" index 2 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 3 title "aio:rings-fixed-files", \
     "rss_echo_4KiB_d1.dat" index 3 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 4 title "aio:rings-sqpoll", \
     "rss_echo_4KiB_d1.dat" index 4 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 5 title "aio:rings-zerocopy", \
     "rss_echo_4KiB_d1.dat" index 5 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 6 title "asio:context-per-thread", \
     "rss_echo_4KiB_d1.dat" index 6 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 7 title "asio:shared", \
     "rss_echo_4KiB_d1.dat" index 7 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 8 title "bio:pool-64", \
     "rss_echo_4KiB_d1.dat" index 8 using 1:2 with linespoints lw 2 dt 2 pt 5 ps 0.8 lc 1 title "bio:thread-per-conn", \
     "rss_echo_4KiB_d1.dat" index 9 using 1:2 with linespoints lw 2 dt 2 pt 5 ps 0.8 lc 2 title "nio:acceptor", \
     "rss_echo_4KiB_d1.dat" index 10 using 1:2 with linespoints lw 2 dt 2 pt 5 ps 0.8 lc 3 title "nio:reactors-et", \
     "rss_echo_4KiB_d1.dat" index 11 using 1:2 with linespoints lw 2 dt 2 pt 5 ps 0.8 lc 4 title "nio:workers", \
     "rss_echo_4KiB_d1.dat" index 0 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' title "saturated, client-bound or starved", \
     "rss_echo_4KiB_d1.dat" index 1 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "rss_echo_4KiB_d1.dat" index 2 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "rss_echo_4KiB_d1.dat" index 3 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "rss_echo_4KiB_d1.dat" index 4 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "rss_echo_4KiB_d1.dat" index 5 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "rss_echo_4KiB_d1.dat" index 6 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "rss_echo_4KiB_d1.dat" index 7 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "rss_echo_4KiB_d1.dat" index 8 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "rss_echo_4KiB_d1.dat" index 9 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "rss_echo_4KiB_d1.dat" index 10 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle, \
     "rss_echo_4KiB_d1.dat" index 11 using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' notitle
set terminal pngcairo size 960,560 noenhanced font 'Sans,11' background '#ffffff'
set output "rss_echo_4KiB_d1.png"
replot
set output
