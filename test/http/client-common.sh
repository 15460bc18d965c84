# shellcheck shell=bash
# Vigil: shared part of the evhttp client peer tests (sourced, not run).
# The sourcing script sets $name and calls client_setup CLIENT [LIB_DIR]
# first: that makes a temporary folder $tmp with a document root $root in
# it, and makes sure every server the script starts (add its pid to
# $pids) is killed and $tmp removed on exit, whatever happens.  CLIENT is
# http-peer-client; with LIB_DIR, that client (built against Debian's
# libevent) runs on the libevent libraries of that folder (Vigil's),
# through test/abi/run-swapped.sh.  Servers never run on LIB_DIR.

name=${name:-http-client}
tmp=
pids=()
swapper=$(cd "$(dirname "${BASH_SOURCE[0]}")/../abi" && pwd -P)/run-swapped.sh

client_cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill -9 "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    [ -n "$tmp" ] && rm -rf "$tmp"
}

fail() {
    local f
    echo "FAIL $name: $*"
    for f in "$tmp"/*.out "$tmp"/*.log; do
        [ -f "$f" ] && sed "s|^|    ${f##*/}: |" "$f" | tail -n 60
    done
    exit 1
}

client_setup() { # client [lib_dir]
    client=$1
    lib=${2:-}
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigil-$name.XXXXXX") || exit 1
    root=$tmp/root
    mkdir "$root"
    trap client_cleanup EXIT
    trap 'exit 1' INT TERM HUP
    [ -x "$client" ] || fail "no client program $client"
    if [ -n "$lib" ]; then
        lib=$(cd "$lib" && pwd -P) || fail "no library folder $2"
    fi
}

# Runs the client with these arguments (it gives up by itself after 60 s);
# its lines go to $tmp/LABEL.out and to our output.  Fails the test when
# it exits non-zero.
run_client() { # label args...
    local label=$1 rc
    shift
    if [ -n "$lib" ]; then
        sh "$swapper" "$lib" "$client" "$@" >"$tmp/$label.out" 2>&1
    else
        "$client" "$@" >"$tmp/$label.out" 2>&1
    fi
    rc=$?
    sed "s|^|$label: |" "$tmp/$label.out"
    [ "$rc" -eq 0 ] || fail "$label: the client exited $rc"
}

# Waits up to 20 s for something to accept connections on 127.0.0.1:PORT
# while process PID lives.
wait_for_port() { # port pid
    local i
    for i in $(seq 400); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# The document root most checks use: a binary file, a text file with
# lines, an empty file, an index page, and request bodies.
make_files() {
    head -c 200000 /dev/urandom >"$root/data.bin"
    for i in $(seq 3000); do
        printf 'line %d of the text file\n' "$i"
    done >"$root/text.txt"
    : >"$root/empty.txt"
    printf '<!DOCTYPE html>\n<title>t</title><p>index page</p>\n' \
        >"$root/index.html"
    head -c 100000 /dev/urandom >"$tmp/body.bin"
    printf 'a small body\n' >"$tmp/small.txt"
    : >"$tmp/empty.bin"
}
