#!/usr/bin/env bash
# Vigil: evdns's server against a real client.  Starts sample/dns-example
# in its server mode (-s) on a free loopback port, asks it with dig
# (bind9-dnsutils, over UDP) for A, AAAA, PTR (-x, IPv4 and IPv6), CNAME, ANY, a
# type the name lacks and a name outside the zone, with and without EDNS,
# and checks what dig parsed: status, flags, answers.  dig must report
# no problem with any reply.  Everything is bounded in time, and the
# server is killed on exit whatever happens.
#   dig-server.sh SERVER [LIB_DIR]
# SERVER is the dns-example binary; with LIB_DIR it runs on the libevent
# libraries of that folder (Vigil's, when SERVER was built against
# Debian's libevent).  Exit status 77 (skipped) without dig or SERVER.
set -u
server=$1
lib=${2:-}
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL dig-server: $*"
    for f in "$tmp"/*.out; do
        [ -f "$f" ] && sed "s|^|    ${f##*/}: |" "$f"
    done
    exit 1
}

command -v dig >/dev/null || {
    echo "SKIP: dig is not installed (bind9-dnsutils)"
    exit 77
}
[ -x "$server" ] || {
    echo "SKIP: no $server"
    exit 77
}
if [ -n "$lib" ]; then
    lib=$(cd "$lib" && pwd -P) || fail "no library folder $2"
    export LD_LIBRARY_PATH=$lib
    loaded=$(ldd "$server" | grep libevent)
    [ -n "$loaded" ] || fail "$server links no libevent"
    printf '%s\n' "$loaded" | grep -v "=> $lib/" | grep -q . &&
        fail "$server would not load the libraries in $lib: $loaded"
fi

# The server stops by itself after 50 s, in case this script cannot stop it.
: >"$tmp/server.out"
"$server" -v -s -p 0 -t 50 >"$tmp/server.out" 2>&1 &
pid=$!
port=
for _ in $(seq 400); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
        "$tmp/server.out")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || fail "the server exited early"
    sleep 0.05
done
[ -n "$port" ] || fail "the server did not start"

# Asks dig; its output goes to $tmp/dig.out, the records of the answer
# section to $answer (one a line: name TTL class type data), the status
# to $status and the header flags to $flags.
ask() { # dig arguments...
    dig @127.0.0.1 -p "$port" +time=3 +tries=2 +norecurse +notcp "$@" \
        >"$tmp/dig.out" 2>&1 || fail "dig $* failed"
    if grep -Eiq 'malformed|bad packet|parse|format error|FORMERR|truncat|;; warning|;; error|unexpected|mismatch' \
        "$tmp/dig.out"; then
        fail "dig $*: dig reports a problem"
    fi
    status=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' "$tmp/dig.out")
    flags=$(sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' "$tmp/dig.out")
    answer=$(awk '/^;; ANSWER SECTION:/ { on = 1; next }
                  /^$/ { on = 0 }
                  on { $1 = $1; print }' "$tmp/dig.out")
}

expect() { # what want-status want-answer
    [ "$status" = "$2" ] || fail "$1: status '$status', wanted $2"
    [ "$flags" = "qr aa" ] || fail "$1: flags '$flags', wanted 'qr aa'"
    [ "$answer" = "$3" ] ||
        fail "$1: answer '$answer', wanted '$3'"
}

ask www.example.vigil A
expect "A" NOERROR "www.example.vigil. 300 IN A 192.0.2.1"
ask www.example.vigil AAAA
expect "AAAA" NOERROR "www.example.vigil. 300 IN AAAA 2001:db8::1"
ask -x 192.0.2.25
expect "PTR" NOERROR "25.2.0.192.in-addr.arpa. 300 IN PTR mail.example.vigil."
ask -x 2001:db8::1
expect "PTR for IPv6" NOERROR \
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 300 IN PTR www.example.vigil."
ask alias.example.vigil CNAME
expect "CNAME" NOERROR "alias.example.vigil. 300 IN CNAME www.example.vigil."
ask alias.example.vigil A
expect "A through a CNAME" NOERROR "alias.example.vigil. 300 IN CNAME www.example.vigil.
www.example.vigil. 300 IN A 192.0.2.1"
ask www.example.vigil ANY
expect "ANY" NOERROR "www.example.vigil. 300 IN A 192.0.2.1
www.example.vigil. 300 IN AAAA 2001:db8::1"
# The owner name comes back in the case it was asked in.
ask WwW.ExAmPlE.vIgIl A
expect "mixed case" NOERROR "WwW.ExAmPlE.vIgIl. 300 IN A 192.0.2.1"
# A name that exists, without records of the type: no answer, NOERROR.
ask mail.example.vigil MX
expect "no MX" NOERROR ""
ask nope.example.vigil A
expect "a name outside the zone" NXDOMAIN ""
ask +noedns www.example.vigil A
expect "A without EDNS" NOERROR "www.example.vigil. 300 IN A 192.0.2.1"

# One request served a line, with -v.
served=$(grep -c 'request from 127\.0\.0\.1' "$tmp/server.out")
[ "$served" -eq 11 ] || fail "the server logged $served requests, wanted 11"

kill -INT "$pid"
for _ in $(seq 400); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
done
kill -0 "$pid" 2>/dev/null && fail "the server did not stop on SIGINT"
wait "$pid"
rc=$?
pid=
[ "$rc" -eq 0 ] || fail "the server's exit status was $rc"
echo "1 passed, 0 failed: dig-server"
