#!/usr/bin/env bash
# Vigil: evhttp's client against evhttp's server.  Starts sample/http-server
# (SERVER: bin/http-server on Vigil, or bin/oracle/http-server on Debian's
# libevent 2.1.12) on a port the kernel chooses, with a document root made
# here, and runs test/http/http-peer-client (CLIENT) against it with every
# method and body form the sample answers: GETs of a binary, a text, an
# empty file and the index page (bytes compared), the same through the
# chunked callback, HEAD (no body, the file's Content-Length), POSTs to
# /echo with a body, a small one and an empty one, a body over the
# sample's 1 MiB limit (413), the other methods (405; for OPTIONS and
# PATCH, which evhttp does not take by default, libevent 2.1.12 answers
# 501 and Vigil, deliberately, 405 with Allow), a directory
# listing, the redirect to a directory's slash, 404 and 403; then eight
# GETs queued at once on one connection, which the server's log must show
# coming from one client port.  The client gives up after 60 s; the
# server is killed on exit whatever happens.
#   client-sample-server.sh CLIENT SERVER [LIB_DIR]
# With LIB_DIR the client (built against Debian's libevent) runs on the
# libraries in that folder; the server never does.
set -u
name="client-sample-server"
# shellcheck source-path=SCRIPTDIR source=client-common.sh
. "$(dirname "$0")/client-common.sh"
server=${2:-}
client_setup "$1" "${3:-}"
[ -x "$server" ] || fail "no server program $server"

make_files
mkdir "$root/list"
printf 'listed\n' >"$root/list/a file.txt"
head -c 1200000 /dev/urandom >"$tmp/big.bin"

"$server" -v -p 0 "$root" >"$tmp/server.out" 2>"$tmp/log.out" &
pids+=($!)
port=
for _ in $(seq 400); do
    port=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
        "$tmp/server.out")
    [ -n "$port" ] && break
    kill -0 "${pids[0]}" 2>/dev/null || fail "the server exited early"
    sleep 0.05
done
[ -n "$port" ] || fail "the server did not start"
url=http://127.0.0.1:$port

run_client checks "$url" \
    get /data.bin 200 "$root/data.bin" \
    get /text.txt 200 "$root/text.txt" \
    get /empty.txt 200 "$root/empty.txt" \
    get / 200 "$root/index.html" \
    head /data.bin 200 200000 \
    head /index.html 200 "$(wc -c <"$root/index.html")" \
    get /index.html 200 "$root/index.html" \
    pieces /data.bin 200 "$root/data.bin" \
    pieces /text.txt 200 "$root/text.txt" \
    post /echo 200 "$tmp/body.bin" "$tmp/body.bin" \
    post /echo 200 "$tmp/small.txt" "$tmp/small.txt" \
    post /echo 200 "$tmp/empty.bin" "$tmp/empty.bin" \
    method GET /echo 405 \
    method PUT /data.bin 405 \
    method DELETE /data.bin 405 \
    method OPTIONS /data.bin 501/405 \
    method PATCH /data.bin 501/405 \
    put /echo 405 "$tmp/small.txt" - \
    get /list/ 200 ">$tmp/listing.html" \
    get /list 301 - \
    get /nope.txt 404 - \
    head /nope.txt 404 - \
    get /../etc/passwd 403 - \
    get /data.bin 200 "$root/data.bin"
grep -q '^ok   get /list: 301, .*Location /list/$' "$tmp/checks.out" ||
    fail "GET /list: no Location /list/"
grep -qF '<a href="a%20file.txt">a file.txt</a>' "$tmp/listing.html" ||
    fail "GET /list/: no entry for 'a file.txt'"

# A body over the sample's limit: 413 (the server may close as soon as it
# has answered; the client still reads the answer).
run_client too-big -r "$url" post /echo 413 "$tmp/big.bin" -

# Eight GETs queued at once on one connection: answered in turn over it.
run_client keepalive "$url" keepalive 8 '/data.bin?ka' "$root/data.bin" 1
n=$(grep -c 'GET /data.bin?ka 200$' "$tmp/log.out")
[ "$n" -eq 8 ] || fail "the server logged $n of the 8 queued GETs"
ports=$(sed -n 's/.*:\([0-9]*\) GET \/data\.bin?ka 200$/\1/p' \
    "$tmp/log.out" | sort -u | wc -l)
[ "$ports" -eq 1 ] ||
    fail "the 8 queued GETs came over $ports connections, not 1"

kill -0 "${pids[0]}" 2>/dev/null || fail "the server died"
echo "1 passed, 0 failed: $name"
