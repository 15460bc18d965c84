#!/bin/sh
# Draws the report's plots from bench/run's results with gnuplot (Debian's
# gnuplot-nox); bench/run calls it.
#
#   bench/plots.sh RESULTS_DIR OUT_DIR
#
# Writes OUT_DIR/scaling.png (time per event against descriptors, 1 and
# 100 active), timers.png, evbuffer.png and echo.png; a plot whose results
# are missing is left out.  The data files behind them stay in RESULTS_DIR.
set -u
results=$1
out=$2
mkdir -p "$out" || exit 1

# Medians: reads result lines, prints "ROW COLUMN MEDIAN" where ROW and
# COLUMN are built by the awk expressions given (from the fields kv[...],
# the first word "impl" and "unit").
medians() { # row-expr col-expr files...
    rowx=$1
    colx=$2
    shift 2
    awk '
    function median(key,    n, i, j, t, w) {
        n = cnt[key]
        for (i = 1; i <= n; i++) w[i] = val[key, i]
        for (i = 2; i <= n; i++) {
            t = w[i]
            for (j = i - 1; j >= 1 && w[j] > t; j--) w[j + 1] = w[j]
            w[j + 1] = t
        }
        if (n % 2) return w[(n + 1) / 2]
        return (w[n / 2] + w[n / 2 + 1]) / 2
    }
    {
        delete kv
        kv["impl"] = $1
        for (f = 3; f <= NF; f++) {
            split($f, p, "=")
            kv[p[1]] = p[2]
            if (f == NF) { kv["unit"] = p[1]; kv["value"] = p[2] }
        }
        row = '"$rowx"'
        col = '"$colx"'
        if (row == "" || col == "") next
        key = row SUBSEP col
        if (!(key in seen)) { seen[key] = 1; keys[++nk] = key }
        val[key, ++cnt[key]] = kv["value"]
    }
    END {
        for (k = 1; k <= nk; k++) {
            split(keys[k], rc, SUBSEP)
            printf "%s\t%s\t%s\n", rc[1], rc[2], median(keys[k])
        }
    }' "$@"
}

# Turns "ROW COLUMN VALUE" lines into a table with the columns named, in
# that order ('?' where missing), rows in their first order.
pivot() { # columns...
    awk -F'\t' -v cols="$*" '
    BEGIN { nc = split(cols, c, " ") }
    {
        if (!($1 in seen)) { seen[$1] = 1; rows[++nr] = $1 }
        v[$1, $2] = $3
    }
    END {
        line = "label"
        for (i = 1; i <= nc; i++) line = line "\t" c[i]
        print line
        for (r = 1; r <= nr; r++) {
            line = rows[r]
            for (i = 1; i <= nc; i++)
                line = line "\t" ((rows[r], c[i]) in v ? v[rows[r], c[i]] : "?")
            print line
        }
    }'
}

# gnuplot, less its warning about a column with no data (an
# implementation not built).
gnuplot() {
    command gnuplot 2>&1 |
        grep -v -e 'no valid points' -e '^ *$' >&2
    return 0
}

common='set terminal pngcairo noenhanced size 900,440 font "DejaVu Sans,9"
set datafile missing "?"
set datafile separator "\t"
set key top left
set grid ytics
set linetype 1 lc rgb "#7b2cbf" lw 2 pt 7
set linetype 2 lc rgb "#2a9d8f" lw 2 pt 5
set linetype 3 lc rgb "#3a86ff" lw 2 pt 9
set linetype 4 lc rgb "#f4a261" lw 2 pt 11
set linetype 5 lc rgb "#555555" lw 2 pt 13 dt 2
set linetype 6 lc rgb "#e63946" lw 2 pt 3
set linetype 7 lc rgb "#8d99ae" lw 2 pt 1'

# Time per event against descriptor pairs.
if [ -s "$results/scaling.txt" ]; then
    scols="vigil-epoll vigil-poll vigil-select libevent-epoll libevent-poll libev-epoll libuv-epoll"
    for a in 1 100; do
        medians 'kv["a"] == "'$a'" ? kv["n"] : ""' 'kv["impl"]' \
            "$results/scaling.txt" | sort -n -k1,1 -s | pivot $scols \
            >"$results/scaling-a$a.dat"
    done
    gnuplot <<EOF
$common
set output "$out/scaling.png"
set multiplot layout 1,2 title "pipe_chain: time per event against descriptor pairs (log-log)"
set logscale xy
set xlabel "descriptor pairs (sockets watched)"
set ylabel "microseconds per event"
set key top left
set title "1 active"
plot for [i=2:8] "$results/scaling-a1.dat" using 1:i with linespoints title columnhead(i)
set title "100 active"
plot for [i=2:8] "$results/scaling-a100.dat" using 1:i with linespoints title columnhead(i)
unset multiplot
EOF
fi

# Timers: nanoseconds per operation, 1,000 timers.
if grep -q ' timers n=1000 ' "$results/core.txt" 2>/dev/null; then
    medians '$2 == "timers" && kv["n"] == "1000" ? kv["timeout"] "/" kv["op"] : ""' \
        'kv["impl"]' "$results/core.txt" |
        pivot vigil libevent libev libuv floor >"$results/timers.dat"
    gnuplot <<EOF
$common
set output "$out/timers.png"
set title "timers: nanoseconds per operation, 1,000 timers (log scale; lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.5:*]
set xtics rotate by -35
set key top right
set ylabel "ns per operation"
plot for [i=2:6] "$results/timers.dat" using i:xtic(1) title columnhead(i)
EOF
fi

# evbuffer: nanoseconds per operation.
if [ -s "$results/evbuffer.txt" ]; then
    medians 'kv["op"] " " kv["size"]' 'kv["impl"]' "$results/evbuffer.txt" |
        pivot vigil libevent floor >"$results/evbuffer.dat"
    gnuplot <<EOF
$common
set terminal pngcairo noenhanced size 1000,480 font "DejaVu Sans,9"
set bmargin 8
set rmargin 6
set output "$out/evbuffer.png"
set title "evbuffer: nanoseconds per operation (log scale; lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set xtics rotate by -45
set key top left
set ylabel "ns per operation"
plot for [i=2:4] "$results/evbuffer.dat" using i:xtic(1) title columnhead(i)
EOF
fi

# Echo: round trips per second against connections, 64-byte messages.
if [ -s "$results/echo-scaling.txt" ]; then
    medians 'kv["conns"]' 'kv["impl"]' "$results/echo-scaling.txt" |
        sort -n -k1,1 -s | pivot vigil libevent libev libuv floor \
        >"$results/echo.dat"
    gnuplot <<EOF
$common
set output "$out/echo.png"
set title "echo: round trips per second against connections, 64-byte messages (higher is better)"
set logscale x
set xlabel "connections (one message in flight on each)"
set ylabel "round trips per second"
set yrange [0:*]
set key bottom right
plot for [i=2:6] "$results/echo.dat" using 1:i with linespoints title columnhead(i)
EOF
fi
exit 0
