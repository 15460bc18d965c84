#!/bin/sh
# Vigil: a resolver client against a real DNS server (dnsmasq).
#
#   dnsmasq-peer.sh CLIENT [VIGIL_LIB_DIR]
#
# Starts dnsmasq in the foreground on 127.0.0.1 at a free port, serving a
# local zone (zone.test) from its command line only, with every other name
# in the zone, and in the reverse zones it serves, answered NXDOMAIN; then
# runs CLIENT (dns-peer-client, built against Vigil or against Debian's
# libevent) with dnsmasq as its nameserver and compares its lines with the
# expected ones: A with several addresses, AAAA, a CNAME followed to its
# A records, a name in mixed case (libevent's randomize-case), NXDOMAIN,
# no data (NODATA), IPv4 and IPv6 reverse lookups, and evdns_getaddrinfo;
# then failover (a nameserver that never answers first, dnsmasq second, a
# short timeout: the answers still arrive) and a timeout (only the silent
# nameserver).  With VIGIL_LIB_DIR, CLIENT (built against Debian's
# libevent) runs on Vigil's libraries in that folder instead, through
# test/abi/run-swapped.sh.
#
# dnsmasq (package dnsmasq-base) is required: tools/install-deps installs
# it, and the test fails without it.  Set DNSMASQ to use another binary.
set -u
client=${1:?usage: dnsmasq-peer.sh CLIENT [VIGIL_LIB_DIR]}
swap_lib=${2:-}
swapper=$(cd "$(dirname "$0")/../abi" && pwd -P)/run-swapped.sh
dnsmasq=${DNSMASQ:-}
if [ -z "$dnsmasq" ]; then
    dnsmasq=$(command -v dnsmasq 2>/dev/null || true)
    [ -n "$dnsmasq" ] || [ ! -x /usr/sbin/dnsmasq ] || dnsmasq=/usr/sbin/dnsmasq
fi
if [ -z "$dnsmasq" ] || [ ! -x "$dnsmasq" ]; then
    echo "FAIL: no dnsmasq (apt-get install dnsmasq-base, or tools/install-deps)"
    exit 1
fi
if [ ! -x "$client" ]; then
    echo "FAIL: no client program $client"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigil-dnsmasq.XXXXXX") || exit 1
dns_pid=
cleanup() {
    if [ -n "$dns_pid" ]; then
        kill "$dns_pid" 2>/dev/null
        wait "$dns_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The zone.  host-record makes A, AAAA and the matching PTR records;
# several host-records of one name give several addresses.
zone="--local=/zone.test/
--local=/2.0.192.in-addr.arpa/
--local=/8.b.d.0.1.0.0.2.ip6.arpa/
--local-ttl=300
--host-record=www.zone.test,192.0.2.1,2001:db8::1
--host-record=www.zone.test,192.0.2.2
--host-record=v4only.zone.test,192.0.2.3
--address=/wild.zone.test/192.0.2.20
--address=/wild.zone.test/192.0.2.21
--cname=alias.zone.test,www.zone.test
--ptr-record=9.2.0.192.in-addr.arpa,printer.zone.test"

# dnsmasq drops root privileges to a user and group of its own unless
# told otherwise; keep the caller's, which exist on every machine.
user=$(id -un)
group=$(id -gn)

# Starts dnsmasq on a random unprivileged port; tries again on another
# port if that one is taken.  Sets port and dns_pid.
start_dnsmasq() {
    tries=0
    while [ "$tries" -lt 20 ]; do
        tries=$((tries + 1))
        port=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
        port=$((20000 + port % 40000))
        # shellcheck disable=SC2086
        "$dnsmasq" --keep-in-foreground --conf-file=/dev/null \
            --port="$port" --listen-address=127.0.0.1 --bind-interfaces \
            --no-resolv --no-hosts --no-negcache \
            --pid-file="$tmp/dnsmasq.pid" --log-facility=- --log-queries \
            --user="$user" --group="$group" \
            $zone >"$tmp/dnsmasq.out" 2>"$tmp/dnsmasq.log" &
        dns_pid=$!
        # Ready once it logs that it started; gone if the port was taken.
        t=0
        while [ "$t" -lt 100 ]; do
            if ! kill -0 "$dns_pid" 2>/dev/null; then
                wait "$dns_pid" 2>/dev/null
                dns_pid=
                break
            fi
            if grep -q 'using only locally-known addresses for zone.test' \
                "$tmp/dnsmasq.log" 2>/dev/null; then
                return 0
            fi
            sleep 0.05
            t=$((t + 1))
        done
        if [ -n "$dns_pid" ]; then
            echo "FAIL: dnsmasq did not start within 5 s:"
            sed 's/^/    /' "$tmp/dnsmasq.log"
            return 1
        fi
        grep -q 'Address already in use' "$tmp/dnsmasq.log" || {
            echo "FAIL: dnsmasq exited:"
            sed 's/^/    /' "$tmp/dnsmasq.log"
            return 1
        }
    done
    echo "FAIL: no free port for dnsmasq after $tries tries"
    return 1
}

start_dnsmasq || exit 1
ns=127.0.0.1:$port
echo "dnsmasq $("$dnsmasq" --version | sed -n '1s/.*version \([^ ]*\).*/\1/p') on $ns"

fail=0
# Runs the client with the given arguments and compares its output with
# the expected lines on stdin.
check() { # name client-args...
    name=$1
    shift
    cat >"$tmp/expected"
    if [ -n "$swap_lib" ]; then
        set -- sh "$swapper" "$swap_lib" "$client" "$@"
    else
        set -- "$client" "$@"
    fi
    if ! "$@" >"$tmp/got" 2>"$tmp/err"; then
        echo "FAIL $name: the client exited with an error:"
        sed 's/^/    /' "$tmp/err"
        fail=$((fail + 1))
    fi
    if cmp -s "$tmp/expected" "$tmp/got"; then
        echo "ok   $name"
    else
        echo "FAIL $name: expected (-) and got (+):"
        diff -u "$tmp/expected" "$tmp/got" | sed -n '3,$s/^/    /p'
        if [ -s "$tmp/err" ]; then
            echo "    client's stderr:"
            sed 's/^/        /' "$tmp/err"
        fi
        fail=$((fail + 1))
    fi
}

# Every lookup at once over one nameserver.
check lookups -s "$ns" \
    a www.zone.test \
    aaaa www.zone.test \
    a alias.zone.test \
    a WWW.Zone.TEST \
    a sub.wild.zone.test \
    a nope.zone.test \
    aaaa nope.zone.test \
    aaaa v4only.zone.test \
    ptr 192.0.2.9 \
    ptr 192.0.2.2 \
    ptr 2001:db8::1 \
    ptr 192.0.2.77 \
    ptr 2001:db8::99 \
    gai www.zone.test \
    gai alias.zone.test \
    gai v4only.zone.test \
    gai nope.zone.test \
    gai 192.0.2.5 <<'EOF'
a www.zone.test ok 192.0.2.1,192.0.2.2 ttl=300
aaaa www.zone.test ok 2001:db8::1 ttl=300
a alias.zone.test ok 192.0.2.1,192.0.2.2 ttl=300
a WWW.Zone.TEST ok 192.0.2.1,192.0.2.2 ttl=300
a sub.wild.zone.test ok 192.0.2.20,192.0.2.21 ttl=300
a nope.zone.test NXDOMAIN
aaaa nope.zone.test NXDOMAIN
aaaa v4only.zone.test NODATA
ptr 192.0.2.9 ok printer.zone.test ttl=300
ptr 192.0.2.2 ok www.zone.test ttl=300
ptr 2001:db8::1 ok www.zone.test ttl=300
ptr 192.0.2.77 NXDOMAIN
ptr 2001:db8::99 NXDOMAIN
gai www.zone.test ok 192.0.2.1,192.0.2.2,2001:db8::1
gai alias.zone.test ok 192.0.2.1,192.0.2.2,2001:db8::1
gai v4only.zone.test ok 192.0.2.3
gai nope.zone.test EAI_NONAME
gai 192.0.2.5 ok 192.0.2.5
EOF

# Failover: a nameserver that never answers comes first; with a short
# timeout each lookup (one at a time, so that none depends on another's
# timing) is answered through dnsmasq, and the silent one was tried.
check failover -B -s "$ns" -S -t 0.4 -a 3 \
    a www.zone.test \
    aaaa www.zone.test \
    a nope.zone.test \
    gai alias.zone.test <<'EOF'
a www.zone.test ok 192.0.2.1,192.0.2.2 ttl=300
aaaa www.zone.test ok 2001:db8::1 ttl=300
a nope.zone.test NXDOMAIN
gai alias.zone.test ok 192.0.2.1,192.0.2.2,2001:db8::1
blackhole tried
EOF

# Only the silent nameserver: the lookup times out after its attempts.
check timeout -B -t 0.3 -a 2 a www.zone.test <<'EOF'
a www.zone.test TIMEOUT
blackhole tried
EOF

# The lookups reached dnsmasq itself, not some other server (in any case
# of letters: libevent randomizes them).
if ! grep -qi 'query\[A\] www.zone.test from 127.0.0.1' "$tmp/dnsmasq.log"; then
    echo "FAIL: dnsmasq's log shows no query for www.zone.test:"
    sed 's/^/    /' "$tmp/dnsmasq.log"
    fail=$((fail + 1))
fi
if ! kill -0 "$dns_pid" 2>/dev/null; then
    echo "FAIL: dnsmasq died during the test:"
    sed 's/^/    /' "$tmp/dnsmasq.log"
    fail=$((fail + 1))
fi

if [ "$fail" -ne 0 ]; then
    echo "$fail check(s) failed"
    exit 1
fi
echo "all checks passed"
