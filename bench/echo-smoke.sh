#!/bin/sh
# Checks that every echo server of the build echoes: each one built
# (Vigil's, Debian libevent's, the floor, libev's, libuv's) serves the
# load client for a moment, with messages of several sizes, and exits by
# itself once its connections closed.  A function check, not a timing.
#   echo-smoke.sh BUILD_DIR
set -u
build=$1
client=$build/bin/floor/bench_echo_client_epoll
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigil-echo-smoke.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
for server in "$build/bin/bench_echo_server" \
    "$build/bin/libevent/bench_echo_server_libevent" \
    "$build/bin/floor/bench_echo_server_epoll" \
    "$build/bin/other/bench_echo_server_libev" \
    "$build/bin/other/bench_echo_server_libuv"; do
    [ -x "$server" ] || continue
    name=$(basename "$server")
    for size in 1 100 70000; do
        "$server" -x 4 >"$tmp/port" 2>"$tmp/err" &
        pid=$!
        port=
        t=0
        while [ -z "$port" ] && [ "$t" -lt 50 ]; do
            sleep 0.1
            port=$(sed -n 's/^port //p' "$tmp/port")
            t=$((t + 1))
        done
        ok=0
        if [ -n "$port" ] && "$client" -p "$port" -c 4 -s "$size" -t 0.2 \
            >"$tmp/out" 2>>"$tmp/err" && grep -q 'rt_per_s=' "$tmp/out"; then
            ok=1
        fi
        t=0
        while kill -0 "$pid" 2>/dev/null && [ "$t" -lt 50 ]; do
            sleep 0.1
            t=$((t + 1))
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            ok=0
            echo "$name did not exit after its connections closed" >>"$tmp/err"
        fi
        wait "$pid" || ok=0
        if [ "$ok" -eq 1 ]; then
            pass=$((pass + 1))
        else
            echo "FAIL $name, $size-byte messages:"
            sed 's/^/    /' "$tmp/err"
            fail=$((fail + 1))
        fi
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
