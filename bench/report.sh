#!/bin/sh
# Fills the report template with tables made from bench/run's results;
# bench/run calls it.  Prints the report.
#
#   bench/report.sh TEMPLATE RESULTS_DIR
#
# In the template, a line that is only a marker is replaced:
#   @META@                  the date, machine, command, versions and runs
#   @TABLE FILE [PREFIX]@   the results in RESULTS_DIR/FILE (those whose
#                           first word is PREFIX): one row per measurement,
#                           the median of each implementation with its
#                           spread, and the ratios
#   @SYSCALLS [FILE]@       system calls per round trip, or per
#                           request (from RESULTS_DIR/FILE, default
#                           syscalls.txt)
#   @SUMMARY@               where Vigil is ahead of libevent and behind
# Any other line is copied as it is.
set -u
template=$1
results=$2

meta() { # key
    sed -n "s/^$1=//p" "$results/meta.txt" 2>/dev/null
}

# The table of one results file, in Markdown.
table() { # file prefix
    f=$results/$1
    if [ ! -s "$f" ]; then
        echo "*(not measured in this run)*"
        return
    fi
    awk -v prefix="${2:-}" '
    function median(key, impl,    n, i, j, t, v) {
        n = cnt[key, impl]
        for (i = 1; i <= n; i++)
            v[i] = val[key, impl, i]
        for (i = 2; i <= n; i++) {
            t = v[i]
            for (j = i - 1; j >= 1 && v[j] > t; j--)
                v[j + 1] = v[j]
            v[j + 1] = t
        }
        lo[key, impl] = v[1]
        hi[key, impl] = v[n]
        if (n % 2) return v[(n + 1) / 2]
        return (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function num(x) {
        if (x >= 1000) return sprintf("%.0f", x)
        return sprintf("%.4g", x)
    }
    function cell(key, impl,    m) {
        if (!cnt[key, impl]) return "-"
        m = med[key, impl]
        if (cnt[key, impl] < 2 || m == 0) return num(m)
        return sprintf("%s <sub>%.0f%%</sub>", num(m),
            100 * (hi[key, impl] - lo[key, impl]) / m)
    }
    function ratio(key, a, b) {
        if (!cnt[key, a] || !cnt[key, b] || med[key, b] == 0) return "-"
        return sprintf("%.2f", med[key, a] / med[key, b])
    }
    prefix == "" || $2 == prefix {
        impl = $1
        split($NF, kv, "=")
        key = ""
        for (f = 2; f < NF; f++) key = key (f > 2 ? " " : "") $f
        key = key " [" kv[1] "]"
        if (!(key in seen)) { seen[key] = 1; order[++nkeys] = key }
        val[key, impl, ++cnt[key, impl]] = kv[2]
        present[impl] = 1
    }
    END {
        if (nkeys == 0) { print "*(not measured in this run)*"; exit }
        nall = split("vigil vigil-epoll vigil-poll vigil-select libevent libevent-epoll libevent-poll libev libev-epoll libuv libuv-epoll cares nginx wrk floor", all, " ")
        label["vigil"] = "Vigil"; label["libevent"] = "libevent"
        label["libev"] = "libev"; label["libuv"] = "libuv"; label["floor"] = "floor"
        label["cares"] = "c-ares"; label["nginx"] = "nginx"; label["wrk"] = "wrk"
        ncol = 0
        for (i = 1; i <= nall; i++)
            if (all[i] in present) {
                col[++ncol] = all[i]
                if (!(all[i] in label)) label[all[i]] = all[i]
            }
        for (k = 1; k <= nkeys; k++)
            for (i = 1; i <= ncol; i++)
                if (cnt[order[k], col[i]])
                    med[order[k], col[i]] = median(order[k], col[i])
        hdr = "| measurement [unit] |"; sep = "|---|"
        for (i = 1; i <= ncol; i++) { hdr = hdr " " label[col[i]] " |"; sep = sep "---:|" }
        rv = ("vigil" in present) && ("libevent" in present)
        rf = ("vigil" in present) && ("floor" in present)
        rl = ("libevent" in present) && ("floor" in present)
        rvc = ("vigil" in present) && ("cares" in present)
        rlc = ("libevent" in present) && ("cares" in present)
        rvn = ("vigil" in present) && ("nginx" in present)
        rln = ("libevent" in present) && ("nginx" in present)
        rvw = ("vigil" in present) && ("wrk" in present)
        rlw = ("libevent" in present) && ("wrk" in present)
        if (rv) { hdr = hdr " V/L |"; sep = sep "---:|" }
        if (rf) { hdr = hdr " V/floor |"; sep = sep "---:|" }
        if (rl) { hdr = hdr " L/floor |"; sep = sep "---:|" }
        if (rvc) { hdr = hdr " V/c-ares |"; sep = sep "---:|" }
        if (rlc) { hdr = hdr " L/c-ares |"; sep = sep "---:|" }
        if (rvn) { hdr = hdr " V/nginx |"; sep = sep "---:|" }
        if (rln) { hdr = hdr " L/nginx |"; sep = sep "---:|" }
        if (rvw) { hdr = hdr " V/wrk |"; sep = sep "---:|" }
        if (rlw) { hdr = hdr " L/wrk |"; sep = sep "---:|" }
        print hdr
        print sep
        for (k = 1; k <= nkeys; k++) {
            key = order[k]
            line = "| " key " |"
            for (i = 1; i <= ncol; i++) line = line " " cell(key, col[i]) " |"
            if (rv) line = line " " ratio(key, "vigil", "libevent") " |"
            if (rf) line = line " " ratio(key, "vigil", "floor") " |"
            if (rl) line = line " " ratio(key, "libevent", "floor") " |"
            if (rvc) line = line " " ratio(key, "vigil", "cares") " |"
            if (rlc) line = line " " ratio(key, "libevent", "cares") " |"
            if (rvn) line = line " " ratio(key, "vigil", "nginx") " |"
            if (rln) line = line " " ratio(key, "libevent", "nginx") " |"
            if (rvw) line = line " " ratio(key, "vigil", "wrk") " |"
            if (rlw) line = line " " ratio(key, "libevent", "wrk") " |"
            print line
        }
    }' "$f"
}

syscalls() { # file
    f=$results/$1
    if [ ! -s "$f" ]; then
        echo "*(not measured in this run)*"
        return
    fi
    awk '
    {
        impl = $1; sc = $3; split($4, kv, "=")
        unit = kv[1] == "per_req" ? "request" : "round trip"
        v[impl, sc] = kv[2]
        if (!(impl in seen)) { seen[impl] = 1; impls[++ni] = impl }
        if (!(sc in sseen) && sc != "total") { sseen[sc] = 1; scs[++ns] = sc }
    }
    END {
        hdr = "| system calls per " unit " |"; sep = "|---|"
        for (i = 1; i <= ni; i++) { hdr = hdr " " impls[i] " |"; sep = sep "---:|" }
        print hdr; print sep
        scs[++ns] = "total"
        for (s = 1; s <= ns; s++) {
            line = "| " (scs[s] == "total" ? "**total**" : scs[s]) " |"
            for (i = 1; i <= ni; i++)
                line = line " " ((impls[i], scs[s]) in v ? v[impls[i], scs[s]] : "-") " |"
            print line
        }
    }' "$f"
}

# Vigil against libevent over every wall-time and instruction measurement:
# the cost ratio (time or instructions over libevent's; for rates, the
# inverse), counted ahead (< 0.95), level, behind (> 1.05); the rows
# behind listed.
summary() {
    cat "$results/core.txt" "$results/evbuffer.txt" "$results/echo.txt" \
        "$results/bev-echo.txt" "$results/threads.txt" \
        "$results/dns-resolve.txt" "$results/http.txt" \
        "$results/http-client.txt" "$results/rpc.txt" 2>/dev/null |
        sed 's/^/wall /' >"$results/.all"
    cat "$results/callgrind.txt" "$results/callgrind-evbuffer.txt" \
        "$results/dns-resolve-callgrind.txt" "$results/http-callgrind.txt" \
        2>/dev/null | sed 's/^/instr /' >>"$results/.all"
    awk '
    function median(key, impl,    n, i, j, t, w) {
        n = cnt[key, impl]
        for (i = 1; i <= n; i++) w[i] = val[key, impl, i]
        for (i = 2; i <= n; i++) {
            t = w[i]
            for (j = i - 1; j >= 1 && w[j] > t; j--) w[j + 1] = w[j]
            w[j + 1] = t
        }
        spread[key, impl] = w[n] - w[1]
        if (n % 2) return w[(n + 1) / 2]
        return (w[n / 2] + w[n / 2 + 1]) / 2
    }
    $2 == "vigil" || $2 == "libevent" {
        split($NF, kv, "=")
        key = $1 ":"
        for (f = 3; f < NF; f++) key = key " " $f
        key = key " [" kv[1] "]"
        if (!(key in seen)) { seen[key] = 1; order[++nkeys] = key; rate[key] = kv[1] ~ /per_s|per_sec/ }
        val[key, $2, ++cnt[key, $2]] = kv[2]
    }
    END {
        for (k = 1; k <= nkeys; k++) {
            key = order[k]
            if (!cnt[key, "vigil"] || !cnt[key, "libevent"]) continue
            v = median(key, "vigil"); l = median(key, "libevent")
            if (v == 0 || l == 0) continue
            r = rate[key] ? l / v : v / l
            kind = substr(key, 1, index(key, ":") - 1)
            n[kind]++
            if (r < 0.95) ahead[kind]++
            else if (r > 1.05) {
                behind[kind]++
                sp = spread[key, "vigil"] / v
                if (spread[key, "libevent"] / l > sp) sp = spread[key, "libevent"] / l
                noisy = sp > 0.3 ? sprintf(" (spread %.0f%%: within the noise)", 100 * sp) : ""
                list[kind] = list[kind] sprintf("  - %s: %.2fx libevent'"'"'s cost%s\n", substr(key, index(key, ":") + 2), r, noisy)
            }
            else level[kind]++
        }
        split("wall instr", kinds, " ")
        name["wall"] = "Wall time"; name["instr"] = "Instructions (callgrind)"
        for (i = 1; i <= 2; i++) {
            kd = kinds[i]
            if (!n[kd]) continue
            printf "- **%s**: of %d measurements on both, Vigil is ahead of libevent (cost ratio below 0.95) in %d, level (0.95 to 1.05) in %d, behind (above 1.05) in %d.\n", name[kd], n[kd], ahead[kd] + 0, level[kd] + 0, behind[kd] + 0
            if (behind[kd]) printf "%s", list[kd]
        }
        if (!nkeys) print "*(nothing measured on both Vigil and libevent in this run)*"
    }' "$results/.all"
    rm -f "$results/.all"
}

while IFS= read -r line; do
    case $line in
    @META@)
        echo "- **Date**: $(meta date); **$(meta kind)**, measured in $(meta elapsed) s"
        echo "- **Command**: \`$(meta command)\` (commit $(meta commit), CMake build type $(meta buildtype); benchmark programs -O2)"
        echo "- **Machine**: $(meta machine)"
        echo "- **Runs**: $(meta runs) of each program per implementation, alternating; $(meta pinning)"
        echo "- **Compared**: Debian's libevent $(meta libevent), libev $(meta libev), libuv $(meta libuv), c-ares $(meta cares), nginx $(meta nginx) (load by wrk $(meta wrk)), and the floors"
        ;;
    @TABLE*@)
        set -- $(echo "$line" | sed -e 's/^@TABLE //' -e 's/@$//')
        table "$1" "${2:-}"
        ;;
    @SYSCALLS*@)
        set -- $(echo "$line" | sed -e 's/^@SYSCALLS *//' -e 's/@$//')
        syscalls "${1:-syscalls.txt}"
        ;;
    @SUMMARY@) summary ;;
    *) printf '%s\n' "$line" ;;
    esac
done <"$template"
