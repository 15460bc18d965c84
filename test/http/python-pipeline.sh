#!/usr/bin/env bash
# Vigil: HTTP/1.1 pipelining against Python's http.client.  Starts
# sample/http-server on a port the kernel chooses, with five small files
# in a document root made here, and runs pipeline.py: five GET requests
# written at once on one connection, five responses read back in order.
# Then nine at once, every other one a POST to /echo with a body.  The
# server is killed on exit whatever happens.
#   python-pipeline.sh SERVER [LIB_DIR]
set -u
name=python-pipeline
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
http_setup "$@"
command -v python3 >/dev/null ||
    fail "python3 is not installed (tools/install-deps)"

# File i holds "pipelined body i\n" i + 1 times.
for i in $(seq 0 8); do
    for _ in $(seq 0 "$i"); do
        printf 'pipelined body %d\n' "$i"
    done >"$root/p$i.txt"
done

start_server
timeout 60 python3 "$(dirname "$0")/pipeline.py" "$port" 5 \
    >"$tmp/pipeline.out" 2>&1 || fail "five pipelined requests"
grep -qx '5 pipelined responses, in order' "$tmp/pipeline.out" ||
    fail "five pipelined requests: no summary"
timeout 60 python3 "$(dirname "$0")/pipeline.py" "$port" 9 mixed \
    >"$tmp/mixed.out" 2>&1 || fail "nine pipelined GETs and POSTs"
# All on one connection: one peer port in the log for each run.
conns=$(sed -n 's/^[^ ]* 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$tmp/log.out" |
    sort -u | wc -l)
[ "$conns" -eq 2 ] || fail "the log shows $conns connections, wanted 2"
[ "$(grep -c ' 200$' "$tmp/log.out")" -eq 14 ] ||
    fail "the log shows other than 14 requests answered 200"
stop_server
echo "1 passed, 0 failed: $name"
