#!/bin/sh
# nginx as the HTTP server a user would pick instead of evhttp, for the
# http section of bench/run: the same two answers as bench/http_server.c,
# from a minimal configuration in a directory of its own.
#
#   bench/nginx.sh run DIR PORT FILE [WRAPPER...]
#       writes DIR/nginx.conf and DIR/www/file (a copy of FILE), then
#       becomes nginx (master and one worker, in the foreground, so the
#       caller's $! is the master), under WRAPPER if given (taskset,
#       valgrind), listening on 127.0.0.1:PORT:
#         GET /      200 "hello\n" (text/plain)
#         GET /file  200 the copy of FILE (application/octet-stream)
#   bench/nginx.sh stop DIR
#       stops it (SIGTERM to the master, as for the other servers) and
#       waits up to 10 s for it to go
#
# The configuration keeps Debian's defaults that matter here (sendfile
# and tcp_nopush on, as in Debian's /etc/nginx/nginx.conf) and changes
# what would spoil the measurement: one worker process, no access log,
# the pid file, error log and temporary directories in DIR, and
# keepalive_requests raised from 1000 to 1000000 so that nginx does not
# close a keep-alive connection mid-run while evhttp keeps it.
set -eu

case ${1:-} in
run)
    [ $# -ge 4 ] || { echo "usage: $0 run DIR PORT FILE [WRAPPER...]" >&2; exit 2; }
    dir=$2
    port=$3
    file=$4
    shift 4
    mkdir -p "$dir/www" "$dir/tmp"
    dir=$(cd "$dir" && pwd -P)
    cp "$file" "$dir/www/file"
    # As root the worker would become nobody, who may not enter a
    # private temporary directory: keep it root.
    user=
    [ "$(id -u)" -ne 0 ] || user="user root;"
    cat >"$dir/nginx.conf" <<EOF
$user
worker_processes 1;
daemon off;
master_process on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events {
    worker_connections 1024;
}
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $dir/www;
        location = / {
            default_type text/plain;
            return 200 "hello\n";
        }
        location = /file {
        }
    }
}
EOF
    exec "$@" nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf"
    ;;
stop)
    [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
    pidf=$2/nginx.pid
    [ -s "$pidf" ] || exit 0
    pid=$(cat "$pidf")
    kill -TERM "$pid" 2>/dev/null || exit 0
    t=0
    while kill -0 "$pid" 2>/dev/null && [ "$t" -lt 100 ]; do
        sleep 0.1
        t=$((t + 1))
    done
    ! kill -0 "$pid" 2>/dev/null
    ;;
*)
    echo "usage: $0 run DIR PORT FILE [WRAPPER...] | stop DIR" >&2
    exit 2
    ;;
esac
