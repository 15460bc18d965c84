#!/usr/bin/env bash
# Vigil: evhttp's server against curl.  Starts sample/http-server on a
# port the kernel chooses, with a document root made here, and checks
# with curl: a GET of a binary file (bytes compared), HEAD (curl -I),
# POSTs to /echo with Content-Length, with a chunked body and with
# "Expect: 100-continue", an HTTP/1.0 GET, two URLs on one kept-alive
# connection, a directory listing with a name that needs escaping (and
# its link followed), 404, a redirect to a directory's slash, and paths
# with "..".  Every curl gives up after 10 s; the server is killed on
# exit whatever happens.
#   curl.sh SERVER [LIB_DIR]
set -u
name=curl
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
http_setup "$@"
command -v curl >/dev/null || fail "curl is not installed (tools/install-deps)"

# The document root: a binary file, an index page, a folder to list.
head -c 200000 /dev/urandom >"$root/data.bin"
printf '<!DOCTYPE html>\n<title>t</title><p>index page</p>\n' \
    >"$root/index.html"
mkdir "$root/list" "$root/list/sub"
printf 'escaped name\n' >"$root/list/a&b <c>.txt"
head -c 100000 /dev/urandom >"$tmp/body.bin"

start_server
url=http://127.0.0.1:$port

# Runs curl on $tmp/got.out (the body) and $tmp/curl.out (headers with
# -D, or the trace of -v); prints what --write-out asks.
c() {
    curl -sS --max-time 10 "$@" 2>>"$tmp/curl.out" ||
        fail "curl $* failed"
}

# GET: every byte of the file, its type and length.
code=$(c -o "$tmp/got.bin" -D "$tmp/headers.out" -w '%{http_code}' \
    "$url/data.bin")
[ "$code" = 200 ] || fail "GET /data.bin: status $code"
cmp -s "$tmp/got.bin" "$root/data.bin" || fail "GET /data.bin: other bytes"
grep -qix 'Content-Type: application/octet-stream.' "$tmp/headers.out" ||
    fail "GET /data.bin: no Content-Type application/octet-stream"
grep -qix 'Content-Length: 200000.' "$tmp/headers.out" ||
    fail "GET /data.bin: no Content-Length 200000"

# The root is its index.html.
code=$(c -o "$tmp/got.out" -w '%{http_code} %{content_type}' "$url/")
[ "$code" = "200 text/html; charset=utf-8" ] || fail "GET /: '$code'"
cmp -s "$tmp/got.out" "$root/index.html" || fail "GET /: not index.html"

# HEAD: the headers of the GET, no body.  libevent 2.1.12 sends no
# Content-Length in answer to HEAD (RFC 9110 allows that); one that is
# sent must be the file's length.
c -I -o "$tmp/head.out" "$url/data.bin" >/dev/null
head -n 1 "$tmp/head.out" | grep -q '^HTTP/1\.1 200 ' ||
    fail "HEAD: status line '$(head -n 1 "$tmp/head.out")'"
grep -qix 'Content-Type: application/octet-stream.' "$tmp/head.out" ||
    fail "HEAD: no Content-Type"
if grep -qi '^Content-Length:' "$tmp/head.out"; then
    grep -qix 'Content-Length: 200000.' "$tmp/head.out" ||
        fail "HEAD: a Content-Length other than the file's"
fi
# curl -I would say if a body came; check on a raw connection too, with
# a GET after the HEAD on the same connection: the GET's answer must come
# next, whole.
exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to $port"
printf '%s\r\n' 'HEAD /index.html HTTP/1.1' 'Host: x' '' \
    'GET /index.html HTTP/1.1' 'Host: x' 'Connection: close' '' >&3
timeout 10 cat <&3 >"$tmp/raw.out"
exec 3>&-
[ "$(grep -c '^HTTP/1\.1 200 OK' "$tmp/raw.out")" -eq 2 ] ||
    fail "HEAD then GET on one connection: not two 200 responses"
[ "$(grep -c 'index page' "$tmp/raw.out")" -eq 1 ] ||
    fail "HEAD then GET on one connection: not one body"
tail -n 1 "$tmp/raw.out" | grep -q 'index page' ||
    fail "HEAD then GET on one connection: the body is not last"

# POST with Content-Length: the body and its type come back.
: >"$tmp/curl.out"
code=$(c -v -o "$tmp/got.bin" -w '%{http_code} %{content_type}' \
    -H 'Content-Type: application/x-vigil' --data-binary "@$tmp/body.bin" \
    "$url/echo")
[ "$code" = "200 application/x-vigil" ] || fail "POST /echo: '$code'"
grep -qi '^> Content-Length: 100000' "$tmp/curl.out" ||
    fail "POST /echo: curl sent no Content-Length"
cmp -s "$tmp/got.bin" "$tmp/body.bin" || fail "POST /echo: other bytes back"

# POST with a chunked body.
: >"$tmp/curl.out"
code=$(c -v -o "$tmp/got.bin" -w '%{http_code}' \
    -H 'Transfer-Encoding: chunked' --data-binary "@$tmp/body.bin" \
    "$url/echo")
[ "$code" = 200 ] || fail "chunked POST /echo: status $code"
grep -qi '^> Transfer-Encoding: chunked' "$tmp/curl.out" ||
    fail "chunked POST /echo: curl did not send chunks"
cmp -s "$tmp/got.bin" "$tmp/body.bin" ||
    fail "chunked POST /echo: other bytes back"

# Expect: 100-continue: the server says 100 Continue, then answers.
: >"$tmp/curl.out"
code=$(c -v --expect100-timeout 8 -o "$tmp/got.bin" -w '%{http_code}' \
    -H 'Expect: 100-continue' --data-binary "@$tmp/body.bin" "$url/echo")
[ "$code" = 200 ] || fail "POST with Expect: status $code"
grep -q '^< HTTP/1\.1 100 Continue' "$tmp/curl.out" ||
    fail "POST with Expect: no 100 Continue"
cmp -s "$tmp/got.bin" "$tmp/body.bin" ||
    fail "POST with Expect: other bytes back"

# The wrong method on /echo and on a file.
code=$(c -o /dev/null -w '%{http_code}' "$url/echo")
[ "$code" = 405 ] || fail "GET /echo: status $code, wanted 405"
code=$(c -o /dev/null -w '%{http_code}' -X DELETE "$url/data.bin")
[ "$code" = 405 ] || fail "DELETE /data.bin: status $code, wanted 405"

# HTTP/1.0: the whole file, then the server closes the connection.
: >"$tmp/curl.out"
code=$(c -v --http1.0 -o "$tmp/got.bin" -w '%{http_code}' "$url/data.bin")
[ "$code" = 200 ] || fail "HTTP/1.0 GET: status $code"
grep -q '^< HTTP/1\.[01] 200 ' "$tmp/curl.out" ||
    fail "HTTP/1.0 GET: no HTTP/1.x status line"
cmp -s "$tmp/got.bin" "$root/data.bin" || fail "HTTP/1.0 GET: other bytes"
grep -q 'Closing connection' "$tmp/curl.out" ||
    fail "HTTP/1.0 GET: the connection was not closed"

# Keep-alive: two URLs in one curl, one connection (the second transfer
# makes no new connection, from the same local port).
got=$(c -o /dev/null -o "$tmp/got.bin" \
    -w '%{num_connects} %{local_port} %{http_code}\n' \
    "$url/index.html" "$url/data.bin")
first=$(printf '%s\n' "$got" | sed -n 1p)
second=$(printf '%s\n' "$got" | sed -n 2p)
[ "${first%% *}" = 1 ] || fail "keep-alive: first transfer: '$first'"
[ "${second%% *}" = 0 ] ||
    fail "keep-alive: the second transfer connected again: '$second'"
[ "$(echo "$first" | cut -d' ' -f2)" = "$(echo "$second" | cut -d' ' -f2)" ] ||
    fail "keep-alive: two local ports: '$first' / '$second'"
[ "${second##* }" = 200 ] || fail "keep-alive: second status '$second'"
cmp -s "$tmp/got.bin" "$root/data.bin" || fail "keep-alive: other bytes"

# A directory listing: the name escaped for HTML, the link percent-encoded,
# a slash after a folder; the link leads to the file.
code=$(c -o "$tmp/list.out" -w '%{http_code} %{content_type}' "$url/list/")
[ "$code" = "200 text/html; charset=utf-8" ] || fail "listing: '$code'"
grep -qF '<a href="a%26b%20%3Cc%3E.txt">a&amp;b &lt;c&gt;.txt</a>' \
    "$tmp/list.out" || fail "listing: no escaped entry for 'a&b <c>.txt'"
grep -qF '<a href="sub/">sub/</a>' "$tmp/list.out" ||
    fail "listing: no entry for sub/"
grep -qF '<c>' "$tmp/list.out" && fail "listing: an unescaped name"
code=$(c -o "$tmp/got.out" -w '%{http_code}' "$url/list/a%26b%20%3Cc%3E.txt")
[ "$code" = 200 ] || fail "the listed link: status $code"
cmp -s "$tmp/got.out" "$root/list/a&b <c>.txt" ||
    fail "the listed link: other bytes"

# A folder without its slash is sent to the URL with one.
code=$(c -o /dev/null -w '%{http_code} %{redirect_url}' "$url/list")
[ "$code" = "301 $url/list/" ] || fail "GET /list: '$code'"

# Missing files, and ".." however it is written.
code=$(c -o /dev/null -w '%{http_code}' "$url/missing.txt")
[ "$code" = 404 ] || fail "GET /missing.txt: status $code"
for p in /../etc/passwd /list/../../etc/passwd /%2e%2e/etc/passwd \
    /list/%2E%2E/%2e%2e/etc/passwd /list/..; do
    code=$(c --path-as-is -o /dev/null -w '%{http_code}' "$url$p")
    [ "$code" = 403 ] || fail "GET $p: status $code, wanted 403"
done

# One log line for each request answered.
grep -q "GET /data.bin 200\$" "$tmp/log.out" || fail "no log line for GET"
grep -q "POST /echo 200\$" "$tmp/log.out" || fail "no log line for POST"

stop_server
echo "1 passed, 0 failed: $name"
