# shellcheck shell=bash
# Vigil: shared part of the evhttp peer tests (sourced, not run).  The
# sourcing script sets $name and calls http_setup SERVER [LIB_DIR] first:
# that makes a temporary folder $tmp with a document root $root in it, and
# makes sure the server is killed and $tmp removed on exit, whatever
# happens.  Then it fills $root and calls start_server, which sets $port.
# With LIB_DIR the server runs on the libevent libraries of that folder
# (Vigil's, when the server was built against Debian's libevent).

name=${name:-http}
tmp=
pid=

http_cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    [ -n "$tmp" ] && rm -rf "$tmp"
}

fail() {
    echo "FAIL $name: $*"
    for f in "$tmp"/*.out; do
        [ -f "$f" ] && sed "s|^|    ${f##*/}: |" "$f" | head -n 60
    done
    exit 1
}

http_setup() { # server [lib_dir]
    server=$1
    lib=${2:-}
    tmp=$(mktemp -d)
    root=$tmp/root
    mkdir "$root"
    trap http_cleanup EXIT
    [ -x "$server" ] || fail "no server program $server"
    if [ -n "$lib" ]; then
        lib=$(cd "$lib" && pwd -P) || fail "no library folder $2"
        export LD_LIBRARY_PATH=$lib
        loaded=$(ldd "$server" | grep libevent)
        [ -n "$loaded" ] || fail "$server links no libevent"
        printf '%s\n' "$loaded" | grep -v "=> $lib/" | grep -q . &&
            fail "$server would not load the libraries in $lib: $loaded"
    fi
}

# Starts the server with -v on a port the kernel chooses and waits (up to
# 20 s) for its "Listening on 127.0.0.1:PORT" line.  Its standard output
# goes to $tmp/server.out, its log (one line a request) to $tmp/log.out.
start_server() {
    : >"$tmp/server.out"
    "$server" -v -p 0 "$root" >"$tmp/server.out" 2>"$tmp/log.out" &
    pid=$!
    port=
    for _ in $(seq 400); do
        port=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
            "$tmp/server.out")
        [ -n "$port" ] && return 0
        kill -0 "$pid" 2>/dev/null || fail "the server exited early"
        sleep 0.05
    done
    fail "the server did not start"
}

# Stops the server with SIGTERM and checks that it exits 0 within 20 s.
stop_server() {
    local rc
    kill -TERM "$pid"
    for _ in $(seq 400); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -0 "$pid" 2>/dev/null && fail "the server did not stop on SIGTERM"
    wait "$pid"
    rc=$?
    pid=
    [ "$rc" -eq 0 ] || fail "the server's exit status was $rc"
}
