#!/usr/bin/env bash
# Vigil: evhttp's client against nginx.  Starts nginx (one process, in the
# foreground, everything in a temporary folder) on a free loopback port
# with keep-alive on, over a document root made here:
#   /FILE           the files (GET, HEAD), with their Content-Length
#   /chunked/FILE   the same files through sub_filter, which drops the
#                   Content-Length: nginx sends them chunked
#   /echo           POST: the body back (echo module, from nginx-light)
#   /dav/           PUT and DELETE (nginx's dav module): a file PUT is then
#                   fetched back
# and an X-Connection header (nginx's connection number) on every answer.
# test/http/http-peer-client (CLIENT) checks each of them, 404, and GETs
# queued on one kept-alive connection, which nginx must see as one.  The
# client gives up after 60 s; nginx is killed on exit whatever happens.
#   client-nginx.sh CLIENT [LIB_DIR]
# With LIB_DIR the client (built against Debian's libevent) runs on the
# libraries in that folder.  nginx-light is required (tools/install-deps):
# without it the test fails.
set -u
name="client-nginx"
# shellcheck source-path=SCRIPTDIR source=client-common.sh
. "$(dirname "$0")/client-common.sh"
client_setup "$@"
nginx=${NGINX:-}
if [ -z "$nginx" ]; then
    nginx=$(command -v nginx 2>/dev/null || true)
    [ -n "$nginx" ] || [ ! -x /usr/sbin/nginx ] || nginx=/usr/sbin/nginx
fi
if [ -z "$nginx" ] || [ ! -x "$nginx" ]; then
    fail "no nginx (apt-get install nginx-light, or tools/install-deps)"
fi
echo_module=/usr/lib/nginx/modules/ngx_http_echo_module.so
[ -f "$echo_module" ] ||
    fail "no $echo_module (nginx-light brings it: tools/install-deps)"

make_files
mkdir "$root/dav" "$tmp/temp"

# Starts nginx on a random unprivileged port; tries another if that one is
# taken.  Sets port.
start_nginx() {
    local tries=0 user=
    # As root nginx would become nobody, who may not enter a private
    # temporary folder: it stays root.
    [ "$(id -u)" -ne 0 ] || user="user root;"
    while [ "$tries" -lt 20 ]; do
        tries=$((tries + 1))
        port=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
        port=$((20000 + port % 40000))
        cat >"$tmp/nginx.conf" <<EOF
load_module $echo_module;
$user
daemon off;
master_process off;
pid $tmp/nginx.pid;
error_log $tmp/error.log info;
events {
    worker_connections 64;
}
http {
    log_format conn '\$connection \$status \$request';
    access_log $tmp/access.log conn;
    keepalive_timeout 60s;
    keepalive_requests 1000;
    default_type application/octet-stream;
    client_body_temp_path $tmp/temp/body;
    proxy_temp_path $tmp/temp/proxy;
    fastcgi_temp_path $tmp/temp/fastcgi;
    uwsgi_temp_path $tmp/temp/uwsgi;
    scgi_temp_path $tmp/temp/scgi;
    client_max_body_size 4m;
    client_body_buffer_size 4m;
    server {
        listen 127.0.0.1:$port;
        root $root;
        add_header X-Connection \$connection always;
        location /chunked/ {
            alias $root/;
            sub_filter_types *;
            sub_filter 'vigil-never-in-these-files' 'x';
        }
        location = /echo {
            echo_read_request_body;
            echo_request_body;
        }
        location /dav/ {
            dav_methods PUT DELETE;
        }
    }
}
EOF
        "$nginx" -e "$tmp/error.log" -p "$tmp" -c "$tmp/nginx.conf" \
            >"$tmp/nginx.out" 2>&1 &
        pids+=($!)
        wait_for_port "$port" "${pids[-1]}" && return 0
        grep -q 'Address already in use' "$tmp/error.log" "$tmp/nginx.out" ||
            fail "nginx did not start"
    done
    fail "no free port for nginx after $tries tries"
}

start_nginx
echo "$("$nginx" -v 2>&1) on 127.0.0.1:$port"
url=http://127.0.0.1:$port

run_client checks "$url" \
    get /data.bin 200 "$root/data.bin" \
    get /text.txt 200 "$root/text.txt" \
    get /empty.txt 200 "$root/empty.txt" \
    get / 200 "$root/index.html" \
    head /data.bin 200 200000 \
    head /text.txt 200 "$(wc -c <"$root/text.txt")" \
    get /index.html 200 "$root/index.html" \
    chunked /chunked/data.bin 200 "$root/data.bin" \
    chunked /chunked/text.txt 200 "$root/text.txt" \
    pieces /data.bin 200 "$root/data.bin" \
    post /echo 200 "$tmp/body.bin" "$tmp/body.bin" \
    post /echo 200 "$tmp/small.txt" "$tmp/small.txt" \
    put /dav/up.bin 201 "$tmp/body.bin" - \
    get /dav/up.bin 200 "$tmp/body.bin" \
    method DELETE /dav/up.bin 204 \
    get /dav/up.bin 404 - \
    get /nope.txt 404 - \
    head /nope.txt 404 - \
    get /data.bin 200 "$root/data.bin"

# Every check above came over one connection, as nginx keeps them all.
n=$(awk '{ print $1 }' "$tmp/access.log" | sort -u | wc -l)
[ "$n" -eq 1 ] || fail "the checks took $n connections, not 1"
grep -c . "$tmp/access.log" | grep -qx 19 ||
    fail "nginx logged $(grep -c . "$tmp/access.log") requests, not 19"

# Eight GETs queued at once, of a file and of a chunked answer: one
# connection for the client, and one for nginx.
run_client keepalive "$url" keepalive 8 /data.bin "$root/data.bin" 1 \
    keepalive 8 /chunked/text.txt "$root/text.txt" 1
[ "$(grep -c '^ok   keepalive .*: 8 responses over 1 connection (server: 1)$' \
    "$tmp/keepalive.out")" -eq 2 ] ||
    fail "keep-alive: nginx did not see one connection each time"

kill -0 "${pids[-1]}" 2>/dev/null || fail "nginx died"
echo "1 passed, 0 failed: $name"
