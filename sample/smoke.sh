#!/usr/bin/env bash
# Vigil: smoke tests of the sample programs, as a client would use them:
# each server is started on a free loopback port, talked to with bash's
# /dev/tcp or the tcp-talk helper, checked, and stopped with a signal.
# Everything is bounded in time and stops by itself.
#   smoke.sh BIN_DIR TEST [HELPER_DIR]
# TEST is one of the names in the case below; HELPER_DIR holds the test
# helpers serve-once and tcp-talk (default: BIN_DIR).
set -u
bin=$1
test=$2
helpers=${3:-$1}
# SMOKE_LIB_DIR (optional): run the server on the libevent libraries of
# that folder instead of those it was linked with (a swap test).
lib=${SMOKE_LIB_DIR:-}
# SMOKE_PEER_DIR (optional, rpc-example): a folder with the same program
# built against another libevent; each calls the other's server.
peer=${SMOKE_PEER_DIR:-}
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL $test: $*"
    for f in "$tmp"/*.out; do
        [ -f "$f" ] && sed "s|^|    ${f##*/}: |" "$f"
    done
    echo "0 passed, 1 failed"
    exit 1
}

# Polls every 50 ms, for up to 20 s, until the command succeeds; fails the
# test with MESSAGE if it never does.  (A fixed 5 s was not enough for a
# sanitizer build on a loaded machine, and some waits went on regardless.)
wait_until() { # message cmd args...
    local message=$1 i
    shift
    for i in $(seq 400); do
        "$@" && return 0
        sleep 0.05
    done
    fail "$message"
}

# Starts a server in the background with its output in $tmp/NAME.out and
# waits for its "listening on 127.0.0.1:PORT" line (or "Listening on");
# sets $port and $pid.
start_server() { # name args...
    local name=$1 i
    shift
    : >"$tmp/$name.out" # there before the server writes, for the sed below
    "$bin/$name" "$@" >"$tmp/$name.out" 2>&1 &
    pid=$!
    pids+=("$pid")
    for i in $(seq 400); do
        port=$(sed -n \
            's/.*[Ll]istening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
            "$tmp/$name.out")
        [ -n "$port" ] && return 0
        kill -0 "$pid" 2>/dev/null || fail "$name exited early"
        sleep 0.05
    done
    fail "$name did not start listening"
}

# Sends a line to 127.0.0.1:$port and checks the ROT13'd answer.
rot13_roundtrip() { # text expected
    local got
    exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to $port"
    printf '%s\n' "$1" >&3
    IFS= read -r -t 5 got <&3 || fail "no answer to '$1'"
    exec 3>&-
    [ "$got" = "$2" ] || fail "sent '$1', got '$got', wanted '$2'"
}

# Stops a server with SIGINT and checks it exits 0 within 20 s.
stop_server() { # pid
    local i
    kill -INT "$1"
    for i in $(seq 400); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.05
    done
    kill -0 "$1" 2>/dev/null && fail "did not stop on SIGINT"
    wait "$1"
    local rc=$?
    [ "$rc" -eq 0 ] || fail "exit status $rc after SIGINT"
}

# A bad argument gives exit status 2 and a message naming the problem.
expect_usage_error() { # pattern cmd args...
    local pattern=$1 rc
    shift
    "$@" >"$tmp/err.out" 2>&1
    rc=$?
    [ "$rc" -eq 2 ] || fail "$* exited $rc, wanted 2"
    grep -q "$pattern" "$tmp/err.out" || fail "$*: no '$pattern' message"
}

# The PORT argument of every server: missing, out of range, negative.
check_port_args() {
    expect_usage_error "usage" "$bin/$test"
    expect_usage_error "bad port" "$bin/$test" 70000
    expect_usage_error "bad port" "$bin/$test" -1
}

# With the server at $port running, a second one on the same port says so
# and exits 1.
check_port_taken() {
    local rc
    "$bin/$test" "$port" >"$tmp/second.out" 2>&1
    rc=$?
    [ "$rc" -eq 1 ] || fail "second server on a used port exited $rc"
    grep -q "cannot listen" "$tmp/second.out" ||
        fail "no 'cannot listen' message for a used port"
}

# Sends TEXT on a new connection, half-closes it and reads everything the
# server sends until it closes; checks that equals WANT.  tcp-talk gives
# up after 10 s.
send_and_read_all() { # text want
    local got
    got=$(printf '%s' "$1" | "$helpers/tcp-talk" "$port") ||
        fail "no complete answer to '$1'"
    [ "$got" = "$2" ] || fail "sent '$1', got '$got', wanted '$2'"
}

# Sends a DNS query for NAME of type TYPE (a number below 256, class IN,
# RD set, ID 0x1234) to 127.0.0.1:$port over UDP, and prints the reply as
# hex bytes separated by single spaces (nothing after 5 s without one).
dns_query() { # name type
    local q='\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00' label
    for label in ${1//./ }; do
        q+=$(printf '\\x%02x' "${#label}")$label
    done
    q+=$(printf '\\x00\\x00\\x%02x\\x00\\x01' "$2")
    # shellcheck disable=SC2059
    printf "$q" >"$tmp/query.bin"
    exec 3<>"/dev/udp/127.0.0.1/$port" || fail "cannot open a UDP socket"
    # dd writes its one block with one write(): one datagram.
    dd if="$tmp/query.bin" bs=512 count=1 status=none >&3
    timeout 5 dd bs=512 count=1 status=none <&3 | od -An -tx1 -v |
        tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
    exec 3>&-
}

if [ -n "$lib" ]; then
    lib=$(cd "$lib" && pwd -P) || fail "no library folder $SMOKE_LIB_DIR"
    export LD_LIBRARY_PATH=$lib
    loaded=$(ldd "$bin/$test" | grep libevent)
    [ -n "$loaded" ] || fail "$test links no libevent"
    printf '%s\n' "$loaded" | grep -v "=> $lib/" | grep -q . &&
        fail "$test would not load the libraries in $lib: $loaded"
fi

case $test in
rot13-fork | rot13-select | rot13-events | rot13-bufferevent)
    check_port_args
    start_server "$test" 0
    server=$pid
    rot13_roundtrip "Hello, World" "Uryyb, Jbeyq"
    rot13_roundtrip "abcNOPxyz 123" "nopABCklm 123"
    # Two clients at once.
    exec 4<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect"
    rot13_roundtrip "second" "frpbaq"
    printf 'first\n' >&4
    IFS= read -r -t 5 got <&4 || fail "no answer on the first connection"
    [ "$got" = "svefg" ] || fail "first connection got '$got'"
    exec 4>&-
    # The port is taken now: a second server says so and exits 1.
    check_port_taken
    if [ "$test" = rot13-bufferevent ]; then
        grep -q "nc 127\.0\.0\.1 $port" "$tmp/$test.out" ||
            fail "does not say how to talk to it"
        # A last line without a newline is answered before the close, and
        # a line far longer than the server's line limit comes back whole.
        send_and_read_all $'one\ntwo' $'bar\ngjb'
        long=$(printf 'a%.0s' $(seq 40000))
        want=$(printf 'n%.0s' $(seq 40000))
        send_and_read_all "$long" "$want"
        # A connection still open when the signal comes is freed too.
        exec 4<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect"
    fi
    stop_server "$server"
    ;;
echo-listener)
    check_port_args
    start_server "$test" 0
    server=$pid
    grep -q "nc 127\.0\.0\.1 $port" "$tmp/$test.out" ||
        fail "does not say how to talk to it"
    exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to $port"
    printf 'Hello, echo\n' >&3
    IFS= read -r -t 5 got <&3 || fail "no echo"
    [ "$got" = "Hello, echo" ] || fail "echoed '$got'"
    # Several writes and an unfinished line, echoed as they were.
    send_and_read_all $'a\nbb\nccc' $'a\nbb\nccc'
    big=$(printf 'x%.0s' $(seq 100000))
    send_and_read_all "$big" "$big"
    check_port_taken
    # The first connection is still open when the signal comes.
    stop_server "$server"
    exec 3>&-
    ;;
hello-world)
    check_port_args
    start_server "$test" 0
    server=$pid
    for i in 1 2 3; do
        # The server closes the connection once the greeting is out: the
        # read gets the line, then end of file.
        exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to $port"
        IFS= read -r -t 5 got <&3 || fail "no greeting on connection $i"
        [ "$got" = "Hello, World!" ] || fail "greeted with '$got'"
        IFS= read -r -t 5 more <&3
        rc=$?
        [ "$rc" -gt 128 ] && fail "connection $i not closed after the greeting"
        [ "$rc" -eq 0 ] || [ -n "$more" ] && fail "more after the greeting: '$more'"
        exec 3>&-
    done
    check_port_taken
    stop_server "$server"
    ;;
dns-example)
    expect_usage_error "usage" "$bin/$test"
    expect_usage_error "bad port" "$bin/$test" -s -p 70000
    expect_usage_error "bad time limit" "$bin/$test" -s -t 0
    start_server "$test" -s -p 0
    server=$pid
    # www.example.vigil A: QR AA RD, one answer, a pointer to the
    # question's name, TTL 300, 192.0.2.1.
    got=$(dns_query www.example.vigil 1)
    case $got in
    "12 34 85 00 00 01 00 01 00 00 00 00 03 77 77 77 "*" c0 0c 00 01 00 01 00 00 01 2c 00 04 c0 00 02 01") ;;
    *) fail "www.example.vigil A: reply '$got'" ;;
    esac
    # The AAAA record, 2001:db8::1.
    got=$(dns_query www.example.vigil 28)
    case $got in
    "12 34 85 00 00 01 00 01 "*" 00 10 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01") ;;
    *) fail "www.example.vigil AAAA: reply '$got'" ;;
    esac
    # A name outside the zone: NXDOMAIN, no answer.
    got=$(dns_query nope.example.vigil 1)
    case $got in
    "12 34 85 03 00 01 00 00 00 00 00 00 "*) ;;
    *) fail "nope.example.vigil: reply '$got'" ;;
    esac
    # The resolver half, asking this server (answers may come in any
    # order).
    timeout 20 "$bin/$test" -n "127.0.0.1:$port" www.example.vigil \
        alias.example.vigil >"$tmp/lookup.out" 2>&1 || fail "lookups failed"
    for want in "www.example.vigil: A 192.0.2.1 (ttl 300)" \
        "alias.example.vigil: A 192.0.2.1 (ttl 300)"; do
        grep -qxF "$want" "$tmp/lookup.out" || fail "no '$want'"
    done
    timeout 20 "$bin/$test" -x -n "127.0.0.1:$port" 192.0.2.1 2001:db8::1 \
        >"$tmp/reverse.out" 2>&1 || fail "reverse lookups failed"
    for want in "192.0.2.1: PTR www.example.vigil (ttl 300)" \
        "2001:db8::1: PTR www.example.vigil (ttl 300)"; do
        grep -qxF "$want" "$tmp/reverse.out" || fail "no '$want'"
    done
    # A name outside the zone: an error line and exit status 1.
    timeout 20 "$bin/$test" -n "127.0.0.1:$port" nope.example.vigil \
        >"$tmp/nxdomain.out" 2>&1
    rc=$?
    [ "$rc" -eq 1 ] || fail "a failed lookup exited $rc, wanted 1"
    grep -q '^nope\.example\.vigil: error: ' "$tmp/nxdomain.out" ||
        fail "no error line for nope.example.vigil"
    expect_usage_error "not an IP address" "$bin/$test" -x -n 127.0.0.1 foo
    # The port is taken now: a second server says so and exits 1.
    "$bin/$test" -s -p "$port" >"$tmp/second.out" 2>&1
    rc=$?
    [ "$rc" -eq 1 ] || fail "second server on a used port exited $rc"
    grep -q "cannot listen" "$tmp/second.out" ||
        fail "no 'cannot listen' message for a used port"
    stop_server "$server"
    # With a time limit it stops by itself, with status 0.
    timeout 20 "$bin/$test" -s -p 0 -t 1 >"$tmp/timed.out" 2>&1 ||
        fail "did not stop cleanly after -t 1"
    ;;
http-server)
    expect_usage_error "usage" "$bin/$test"
    expect_usage_error "usage" "$bin/$test" a b
    expect_usage_error "bad port" "$bin/$test" -p 70000 "$tmp"
    expect_usage_error "not a directory" "$bin/$test" "$tmp/none"
    mkdir "$tmp/root"
    printf 'hello from http-server\n' >"$tmp/root/hello.txt"
    start_server "$test" -v "$tmp/root"
    server=$pid
    # HTTP/1.0 without keep-alive: the server closes after the answer.
    exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to $port"
    printf 'GET /hello.txt HTTP/1.0\r\n\r\n' >&3
    timeout 10 cat <&3 >"$tmp/get.out"
    exec 3>&-
    head -n 1 "$tmp/get.out" | grep -q '^HTTP/1\.[01] 200 OK' ||
        fail "GET /hello.txt: no 200"
    grep -qi '^Content-Type: text/plain' "$tmp/get.out" ||
        fail "GET /hello.txt: no Content-Type text/plain"
    tail -n 1 "$tmp/get.out" | grep -qx 'hello from http-server' ||
        fail "GET /hello.txt: not the file"
    # A missing file, and a way out of the document root.
    exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to $port"
    printf 'GET /nope HTTP/1.0\r\n\r\n' >&3
    timeout 10 cat <&3 >"$tmp/missing.out"
    exec 3>&-
    head -n 1 "$tmp/missing.out" | grep -q '^HTTP/1\.[01] 404 ' ||
        fail "GET /nope: no 404"
    exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to $port"
    printf 'GET /../etc/passwd HTTP/1.0\r\n\r\n' >&3
    timeout 10 cat <&3 >"$tmp/escape.out"
    exec 3>&-
    head -n 1 "$tmp/escape.out" | grep -q '^HTTP/1\.[01] 403 ' ||
        fail "GET /../etc/passwd: no 403"
    grep -q 'GET /hello.txt 200$' "$tmp/$test.out" || fail "no log line"
    # The port is taken now: a second server says so and exits 1.
    "$bin/$test" -p "$port" "$tmp/root" >"$tmp/second.out" 2>&1
    rc=$?
    [ "$rc" -eq 1 ] || fail "second server on a used port exited $rc"
    grep -q "cannot listen" "$tmp/second.out" ||
        fail "no 'cannot listen' message for a used port"
    stop_server "$server"
    ;;
http-connect)
    expect_usage_error "usage" "$bin/$test"
    expect_usage_error "usage" "$bin/$test" 127.0.0.1:1
    expect_usage_error "bad proxy" "$bin/$test" noport http://127.0.0.1/
    expect_usage_error "bad port" "$bin/$test" 127.0.0.1:99999 http://x/
    expect_usage_error "not an http:// URL" "$bin/$test" 127.0.0.1:1 ftp://x/
    command -v python3 >/dev/null || fail "python3 is not installed"
    mkdir "$tmp/root"
    printf 'hello through the tunnel\n' >"$tmp/root/hello.txt"
    head -c 300000 /dev/urandom >"$tmp/root/data.bin"
    # The server: the http-server next to the client (same libevent).
    start_server http-server -v "$tmp/root"
    server=$pid
    sport=$port
    # The proxy: test/http/connect-proxy.py, loopback only, bounded.
    proxy_py=$(dirname "$0")/../test/http/connect-proxy.py
    python3 -u "$proxy_py" --time-limit 50 >"$tmp/proxy.out" \
        2>"$tmp/proxy-log.out" &
    pids+=($!)
    pport=
    for i in $(seq 400); do
        pport=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
            "$tmp/proxy.out")
        [ -n "$pport" ] && break
        kill -0 "${pids[-1]}" 2>/dev/null || fail "the proxy exited early"
        sleep 0.05
    done
    [ -n "$pport" ] || fail "the proxy did not start"
    # A text file and a binary one, through the tunnel, byte for byte.
    timeout 20 "$bin/$test" "127.0.0.1:$pport" \
        "http://127.0.0.1:$sport/hello.txt" >"$tmp/got.txt" \
        2>"$tmp/client.out" || fail "fetching hello.txt failed"
    cmp -s "$tmp/got.txt" "$tmp/root/hello.txt" ||
        fail "hello.txt came through as '$(cat "$tmp/got.txt")'"
    timeout 20 "$bin/$test" "127.0.0.1:$pport" \
        "http://127.0.0.1:$sport/data.bin?x=1" >"$tmp/got.bin" \
        2>"$tmp/client.out" || fail "fetching data.bin failed"
    cmp -s "$tmp/got.bin" "$tmp/root/data.bin" ||
        fail "data.bin came through with other bytes"
    # Both went through the proxy to the server.
    [ "$(grep -c "^CONNECT 127\.0\.0\.1:$sport 200\$" \
        "$tmp/proxy-log.out")" -eq 2 ] || fail "the proxy made no 2 tunnels"
    grep -q 'GET /hello.txt 200$' "$tmp/http-server.out" ||
        fail "the server logged no GET /hello.txt"
    grep -q 'GET /data.bin?x=1 200$' "$tmp/http-server.out" ||
        fail "the server logged no GET /data.bin?x=1"
    # A missing file: the body comes, the status is 1, a line says why.
    timeout 20 "$bin/$test" "127.0.0.1:$pport" \
        "http://127.0.0.1:$sport/nope" >"$tmp/got.txt" 2>"$tmp/client.out"
    rc=$?
    [ "$rc" -eq 1 ] || fail "a 404 through the tunnel exited $rc, wanted 1"
    grep -q 'answered 404' "$tmp/client.out" || fail "no 404 message"
    # A tunnel the proxy refuses (a host off the loopback): status 1.
    timeout 20 "$bin/$test" "127.0.0.1:$pport" http://192.0.2.1/ \
        >"$tmp/got.txt" 2>"$tmp/client.out"
    rc=$?
    [ "$rc" -eq 1 ] || fail "a refused tunnel exited $rc, wanted 1"
    grep -q 'refused the tunnel: 403' "$tmp/client.out" ||
        fail "no message for the refused tunnel"
    stop_server "$server"
    # No proxy there any more (the server's port is free now): status 1.
    timeout 20 "$bin/$test" "127.0.0.1:$sport" "http://127.0.0.1:$sport/" \
        >"$tmp/got.txt" 2>"$tmp/client.out"
    rc=$?
    [ "$rc" -eq 1 ] || fail "no proxy: exited $rc, wanted 1"
    ;;
rpc-example)
    expect_usage_error "usage" "$bin/$test"
    expect_usage_error "usage" "$bin/$test" serve extra
    expect_usage_error "bad port" "$bin/$test" serve -p 70000
    expect_usage_error "usage" "$bin/$test" call 1 get
    expect_usage_error "usage" "$bin/$test" call 1 put k
    expect_usage_error "usage" "$bin/$test" call 1 delete k
    expect_usage_error "bad port" "$bin/$test" call 0 get k
    expect_usage_error "usage" "$bin/$test" demo extra
    # The demo: a server and a client on one loop, every result checked
    # by the program and here.
    timeout 20 "$bin/$test" demo >"$tmp/demo.out" 2>&1 || fail "demo failed"
    head -n 1 "$tmp/demo.out" |
        grep -q '^demo: server on 127\.0\.0\.1:[0-9][0-9]*$' ||
        fail "demo: no server line"
    sed 1d "$tmp/demo.out" >"$tmp/demo-rest.txt"
    cat >"$tmp/demo-want.txt" <<'EOF2'
put alpha = 'one': ok
put beta = 'two': ok
put gamma = 'three, with spaces': ok
get alpha: 'one'
get beta: 'two'
get gamma: 'three, with spaces'
get delta: not found
put alpha = 'uno': ok, replaced 'one'
get alpha: 'uno'
demo: 9 calls, every result as expected
EOF2
    cmp -s "$tmp/demo-rest.txt" "$tmp/demo-want.txt" ||
        fail "demo printed something else"
    # The server and the calls in separate processes.
    start_server "$test" serve
    server=$pid
    rpc_call() { # want-status want-line [dir] -- call args...
        local status=$1 want=$2 dir=$bin rc got
        shift 2
        if [ "$1" != -- ]; then
            dir=$1
            shift
        fi
        shift
        timeout 20 "$dir/$test" call "$@" >"$tmp/call.out" 2>&1
        rc=$?
        got=$(cat "$tmp/call.out")
        [ "$rc" -eq "$status" ] ||
            fail "call $*: exit status $rc, wanted $status ('$got')"
        [ "$got" = "$want" ] || fail "call $*: printed '$got', wanted '$want'"
    }
    rpc_call 3 "get k: not found" -- "$port" get k
    rpc_call 0 "put k = 'v 1': ok" -- "$port" put k "v 1"
    rpc_call 0 "get k: 'v 1'" -- "$port" get k
    rpc_call 0 "put k = 'two': ok, replaced 'v 1'" -- "$port" put k two
    rpc_call 0 "get k: 'two'" -- "$port" get k
    # Bytes shown escaped; an empty value is a value.
    rpc_call 0 "put tab = 'a\x09b\x27c': ok" -- "$port" put tab $'a\tb\'c'
    rpc_call 0 "get tab: 'a\x09b\x27c'" -- "$port" get tab
    rpc_call 0 "put empty = '': ok" -- "$port" put empty ""
    rpc_call 0 "get empty: ''" -- "$port" get empty
    # A value of 64 KiB is stored, one byte more is refused, as is an
    # empty key.
    big=$(printf 'v%.0s' $(seq 65536))
    timeout 20 "$bin/$test" call "$port" put big "$big" >"$tmp/call.out" 2>&1 ||
        fail "a 64 KiB value was not stored: $(cat "$tmp/call.out")"
    timeout 20 "$bin/$test" call "$port" get big >"$tmp/call.out" 2>&1 ||
        fail "the 64 KiB value is not there"
    [ "$(cat "$tmp/call.out")" = "get big: '$big'" ] ||
        fail "the 64 KiB value came back changed"
    timeout 20 "$bin/$test" call "$port" put big "${big}v" \
        >"$tmp/call.out" 2>&1
    [ $? -eq 1 ] || fail "a value over 64 KiB was not refused"
    grep -q ': refused' "$tmp/call.out" || fail "no refusal message"
    rpc_call 1 "put  = 'x': refused (empty or too long, or the store is full)" \
        -- "$port" put "" x
    # Calls made by the same program built against the other libevent.
    if [ -n "$peer" ]; then
        rpc_call 0 "get k: 'two'" "$peer" -- "$port" get k
        rpc_call 0 "put p = 'peer': ok" "$peer" -- "$port" put p peer
        rpc_call 0 "get p: 'peer'" -- "$port" get p
    fi
    # The port is taken now: a second server says so and exits 1.
    "$bin/$test" serve -p "$port" >"$tmp/second.out" 2>&1
    rc=$?
    [ "$rc" -eq 1 ] || fail "second server on a used port exited $rc"
    grep -q "cannot listen" "$tmp/second.out" ||
        fail "no 'cannot listen' message for a used port"
    # A connection still open when the signal comes is freed too.
    exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to $port"
    stop_server "$server"
    exec 3>&-
    # Nothing listens there any more: the call fails, status 1.
    timeout 20 "$bin/$test" call "$port" get k >"$tmp/call.out" 2>&1
    rc=$?
    [ "$rc" -eq 1 ] || fail "a call to no server exited $rc, wanted 1"
    grep -q '^get k: the call failed: ' "$tmp/call.out" ||
        fail "no failure message for a call to no server"
    # The other program's server, called by this one.
    if [ -n "$peer" ]; then
        "$peer/$test" serve >"$tmp/peer.out" 2>&1 &
        pid=$!
        pids+=("$pid")
        wait_until "the peer server did not start" \
            grep -q '^Listening on 127\.0\.0\.1:' "$tmp/peer.out"
        pport=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
            "$tmp/peer.out")
        rpc_call 0 "put q = 'from the other': ok" -- "$pport" put q \
            "from the other"
        rpc_call 0 "get q: 'from the other'" -- "$pport" get q
        rpc_call 3 "get k: not found" -- "$pport" get k
        stop_server "$pid"
    fi
    ;;
http-client-blocking)
    expect_usage_error "usage" "$bin/$test" localhost
    expect_usage_error "bad port" "$bin/$test" localhost 99999
    "$helpers/serve-once" >"$tmp/server.out" 2>&1 &
    pids+=($!)
    for i in $(seq 400); do
        port=$(sed -n 's/^port //p' "$tmp/server.out")
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || fail "serve-once did not start"
    timeout 10 "$bin/$test" 127.0.0.1 "$port" /hello >"$tmp/client.out" 2>&1 ||
        fail "client failed"
    grep -q '^HTTP/1.0 200 OK' "$tmp/client.out" || fail "no status line"
    grep -q 'hello from serve-once' "$tmp/client.out" || fail "no body"
    # Nothing listens there any more: a clear error, status 1.
    wait "${pids[-1]}"
    timeout 10 "$bin/$test" 127.0.0.1 "$port" /hello >"$tmp/refused.out" 2>&1
    [ $? -eq 1 ] || fail "refused connection did not exit 1"
    grep -q 'cannot connect' "$tmp/refused.out" || fail "no refusal message"
    ;;
signal-test)
    expect_usage_error "usage" "$bin/$test" extra
    "$bin/$test" >"$tmp/sig.out" 2>&1 &
    pid=$!
    pids+=("$pid")
    # SIGINT before the handler is there would end it.
    wait_until "not waiting for signals" grep -q 'waiting' "$tmp/sig.out"
    kill -INT "$pid"
    wait_until "first SIGINT not reported" grep -q '1 of 2' "$tmp/sig.out"
    kill -INT "$pid"
    for i in $(seq 400); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    wait "$pid" || fail "exit status $?"
    grep -q '2 of 2' "$tmp/sig.out" || fail "second SIGINT not reported"
    grep -q 'done' "$tmp/sig.out" || fail "did not finish"
    ;;
time-test)
    expect_usage_error "bad interval" "$bin/$test" -i 0
    expect_usage_error "usage" "$bin/$test" extra
    for mode in "" "-p"; do
        # shellcheck disable=SC2086
        timeout 10 "$bin/$test" $mode -i 50 -n 3 >"$tmp/time.out" 2>&1 ||
            fail "time-test $mode failed"
        [ "$(grep -c 'timeout at' "$tmp/time.out")" -eq 3 ] ||
            fail "time-test $mode did not fire 3 times"
        # The third firing comes no sooner than 150 ms after the start.
        last=$(tail -n 1 "$tmp/time.out" | sed 's/.*at \([0-9.]*\) .*/\1/')
        awk -v t="$last" 'BEGIN { exit !(t >= 0.149 && t < 5) }' ||
            fail "time-test $mode: third firing at $last s"
    done
    ;;
event-read-fifo)
    expect_usage_error "usage" "$bin/$test" a b
    fifo=$tmp/test.fifo
    "$bin/$test" "$fifo" >"$tmp/fifo.out" 2>&1 &
    pid=$!
    pids+=("$pid")
    # Writing before the FIFO exists would make a plain file of it.
    wait_until "not reading the FIFO" grep -q 'reading' "$tmp/fifo.out"
    printf 'hello fifo\n' >"$fifo"
    for i in $(seq 400); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -0 "$pid" 2>/dev/null && fail "did not end when the writer closed"
    wait "$pid" || fail "exit status $?"
    grep -q 'read 11 bytes: hello fifo' "$tmp/fifo.out" || fail "data lost"
    [ ! -e "$fifo" ] || fail "FIFO left behind"
    ;;
*)
    echo "smoke.sh: unknown test $test"
    exit 2
    ;;
esac
echo "1 passed, 0 failed: $test"
