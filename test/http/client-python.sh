#!/usr/bin/env bash
# Vigil: evhttp's client against Python's http.server.  Two servers, each
# on a port the kernel chooses, over a document root made here:
#  - a small handler on http.server's SimpleHTTPRequestHandler speaking
#    HTTP/1.1 (keep-alive): files (GET, HEAD), POST and PUT to /echo (the
#    body back, with its type), /chunked/NAME (the file NAME sent in
#    chunks of many sizes; with "?trailer" also a trailer field, with
#    "?ext" a chunk extension on every chunk), /headers (the request's
#    head as the server got it), DELETE (204, no body), and an
#    X-Connection header (the client's port) on every answer;
#  - "python3 -m http.server" as it comes: HTTP/1.0, one request a
#    connection.
# test/http/http-peer-client (CLIENT) runs its checks against both: bytes
# compared, HEAD without a body, the chunked callback, POST bodies, 204,
# 404, what the client sends (a Host, a Content-Length for a POST, no
# chunks), requests queued on one kept-alive connection (one connection,
# the server says so too) and on HTTP/1.0 (one connection each).  Both
# servers stop by themselves after 120 s and are killed on exit.
#   client-python.sh CLIENT [LIB_DIR]
# With LIB_DIR the client (built against Debian's libevent) runs on the
# libraries in that folder.  python3 is required (tools/install-deps).
set -u
name="client-python"
# shellcheck source-path=SCRIPTDIR source=client-common.sh
. "$(dirname "$0")/client-common.sh"
client_setup "$@"
command -v python3 >/dev/null ||
    fail "python3 is not installed (tools/install-deps)"
make_files

cat >"$tmp/server.py" <<'EOF'
import http.server
import sys
import threading
import os
from urllib.parse import urlsplit

root = sys.argv[1]


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)

    def end_headers(self):
        self.send_header("X-Connection", str(self.client_address[1]))
        super().end_headers()

    def log_message(self, fmt, *args):
        sys.stderr.write("%d %s\n" % (self.client_address[1], fmt % args))

    def send_body(self, code, body, ctype="application/octet-stream"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path.startswith("/chunked/"):
            self.send_chunked(url.path[len("/chunked/"):], url.query)
        elif url.path == "/headers":
            head = self.requestline + "\r\n" + str(self.headers)
            self.send_body(200, head.encode("latin-1"), "text/plain")
        else:
            super().do_GET()

    def send_chunked(self, name, query):
        with open(os.path.join(root, os.path.basename(name)), "rb") as f:
            data = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        if "trailer" in query:
            self.send_header("Trailer", "X-Trailer")
        self.end_headers()
        ext = b""
        if "sext" in query:
            ext = b" ;vigil=1"
        elif "ext" in query:
            ext = b";vigil=1"
        sizes = [1, 2, 10, 100, 1000, 4096, 16384, 65536]
        i = 0
        pos = 0
        while pos < len(data):
            n = sizes[i % len(sizes)]
            i += 1
            piece = data[pos:pos + n]
            pos += len(piece)
            self.wfile.write(b"%x%s\r\n%s\r\n" % (len(piece), ext, piece))
            self.wfile.flush()
        if "trailer" in query:
            self.wfile.write(b"0\r\nX-Trailer: done\r\n\r\n")
        else:
            self.wfile.write(b"0\r\n\r\n")

    def do_POST(self):
        if self.path != "/echo":
            self.send_error(404)
            return
        if "Transfer-Encoding" in self.headers:
            self.send_error(400, "chunked request bodies are not expected")
            return
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        self.send_body(200, body, self.headers.get("Content-Type",
                                                   "application/octet-stream"))

    do_PUT = do_POST

    def do_DELETE(self):
        self.send_response(204)
        self.end_headers()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
print("Listening on 127.0.0.1:%d" % server.server_address[1], flush=True)
# Bounded: it stops by itself.
threading.Timer(120, lambda: os._exit(0)).start()
server.serve_forever()
EOF

python3 -u "$tmp/server.py" "$root" >"$tmp/server.out" 2>"$tmp/server.log" &
pids+=($!)
port=
for _ in $(seq 400); do
    port=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
        "$tmp/server.out")
    [ -n "$port" ] && break
    kill -0 "${pids[0]}" 2>/dev/null || fail "the Python server exited"
    sleep 0.05
done
[ -n "$port" ] || fail "the Python server did not start"
url=http://127.0.0.1:$port

run_client checks "$url" \
    get /data.bin 200 "$root/data.bin" \
    get /text.txt 200 "$root/text.txt" \
    get /empty.txt 200 "$root/empty.txt" \
    head /data.bin 200 200000 \
    get /index.html 200 "$root/index.html" \
    chunked /chunked/data.bin 200 "$root/data.bin" \
    chunked /chunked/text.txt 200 "$root/text.txt" \
    chunked '/chunked/data.bin?trailer' 200 "$root/data.bin" \
    chunked-ext '/chunked/text.txt?ext' 200 "$root/text.txt" \
    chunked-ext '/chunked/text.txt?sext' 200 "$root/text.txt" \
    chunked-ext '/chunked/data.bin?trailer&ext' 200 "$root/data.bin" \
    pieces /data.bin 200 "$root/data.bin" \
    post /echo 200 "$tmp/body.bin" "$tmp/body.bin" \
    post /echo 200 "$tmp/empty.bin" "$tmp/empty.bin" \
    put /echo 200 "$tmp/small.txt" "$tmp/small.txt" \
    method DELETE /thing 204 \
    get /index.html 200 "$root/index.html" \
    get /nope.txt 404 - \
    head /nope.txt 404 - \
    get /headers 200 ">$tmp/headers.out" \
    post /nope 404 "$tmp/small.txt" - \
    get /data.bin 200 "$root/data.bin"

# What the client sent: HTTP/1.1, the Host it was given.
head -n 1 "$tmp/headers.out" | grep -q '^GET /headers HTTP/1\.1.$' ||
    fail "/headers: request line '$(head -n 1 "$tmp/headers.out")'"
grep -qix "Host: 127\.0\.0\.1:$port" "$tmp/headers.out" ||
    fail "/headers: no Host 127.0.0.1:$port"
# The first eight requests above came over one connection (the server
# logged one client port for them); later ones may not, since Python
# closes after an error page, and so does libevent after a failure.
n=$(head -n 8 "$tmp/server.log" | sed -n 's/^\([0-9]*\) .*/\1/p' | sort -u |
    wc -l)
[ "$n" -eq 1 ] || fail "the first eight checks took $n connections"

# Six GETs queued at once: one connection, and the server agrees.
run_client keepalive "$url" keepalive 6 /data.bin "$root/data.bin" 1 \
    keepalive 6 /chunked/text.txt "$root/text.txt" 1
grep -q '^ok   keepalive /data.bin: 6 responses over 1 connection (server: 1)$' \
    "$tmp/keepalive.out" || fail "keep-alive: not one connection for the server"

# Python's own http.server: HTTP/1.0, it closes after each answer, so the
# queued requests go one connection each.
python3 -u -m http.server --bind 127.0.0.1 --directory "$root" 0 \
    >"$tmp/plain.out" 2>"$tmp/plain.log" &
pids+=($!)
plain=
for _ in $(seq 400); do
    plain=$(sed -n 's/^Serving HTTP on 127\.0\.0\.1 port \([0-9]*\) .*/\1/p' \
        "$tmp/plain.out")
    [ -n "$plain" ] && break
    kill -0 "${pids[1]}" 2>/dev/null || fail "python3 -m http.server exited"
    sleep 0.05
done
[ -n "$plain" ] || fail "python3 -m http.server did not start"
run_client http10 -0 "http://127.0.0.1:$plain" \
    get /data.bin 200 "$root/data.bin" \
    head /text.txt 200 "$(wc -c <"$root/text.txt")" \
    get /text.txt 200 "$root/text.txt" \
    get /nope 404 - \
    post /data.bin 501 "$tmp/small.txt" - \
    keepalive 4 /data.bin "$root/data.bin" 4

kill -0 "${pids[0]}" 2>/dev/null || fail "the Python server died"
echo "1 passed, 0 failed: $name"
