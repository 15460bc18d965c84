#!/usr/bin/env python3
# Vigil: a small HTTP CONNECT proxy for the tests (sample/http-connect's
# smoke test).  It listens on 127.0.0.1 at a port the kernel chooses and
# prints "Listening on 127.0.0.1:PORT"; for each connection it reads one
# request head and, for "CONNECT HOST:PORT HTTP/1.x" with HOST a loopback
# address, connects there, answers "200 Connection established" and then
# copies bytes both ways until each side has closed.  Anything else is
# refused: 405 for another method, 403 for a host off the loopback, 502
# when the target does not answer, 400 for a head it cannot read.  One
# line for each request on stderr: "CONNECT 127.0.0.1:8080 200".
#
#   connect-proxy.py [--time-limit SECONDS] [--max-connections N]
#                    [--reply-headers TEXT]
#
# Bounded: it exits after --time-limit seconds (default 60) whatever
# happens, and takes at most --max-connections connections (default 16).
# --reply-headers adds header lines to the 200 (e.g. "Content-Length: 0";
# "\n" between several).
import argparse
import os
import socket
import sys
import threading

LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
MAX_HEAD = 16384


def log(text):
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def pipe(src, dst):
    """Copies from src to dst until src ends, then half-closes dst."""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def answer(conn, status, reason):
    body = ("%d %s\n" % (status, reason)).encode()
    conn.sendall(b"HTTP/1.1 %d %s\r\nContent-Length: %d\r\n"
                 b"Connection: close\r\n\r\n%s"
                 % (status, reason.encode(), len(body), body))


def serve(conn, extra):
    conn.settimeout(30)
    head = b""
    try:
        while b"\r\n\r\n" not in head and len(head) < MAX_HEAD:
            data = conn.recv(4096)
            if not data:
                break
            head += data
    except OSError:
        conn.close()
        return
    if b"\r\n\r\n" not in head:
        log("- - 400")
        answer(conn, 400, "Bad Request")
        conn.close()
        return
    head, rest = head.split(b"\r\n\r\n", 1)
    parts = head.split(b"\r\n")[0].decode("latin-1").split(" ")
    if len(parts) != 3 or parts[0] != "CONNECT":
        log("%s %s 405" % (parts[0], parts[1] if len(parts) > 1 else "-"))
        answer(conn, 405, "Method Not Allowed")
        conn.close()
        return
    target = parts[1]
    host, _, port = target.rpartition(":")
    if host not in LOOPBACK or not port.isdigit():
        log("CONNECT %s 403" % target)
        answer(conn, 403, "Forbidden")
        conn.close()
        return
    try:
        upstream = socket.create_connection((host.strip("[]"), int(port)),
                                            timeout=10)
    except OSError:
        log("CONNECT %s 502" % target)
        answer(conn, 502, "Bad Gateway")
        conn.close()
        return
    log("CONNECT %s 200" % target)
    conn.sendall(b"HTTP/1.1 200 Connection established\r\n" + extra +
                 b"\r\n")
    conn.settimeout(None)
    upstream.settimeout(None)
    if rest:
        upstream.sendall(rest)
    back = threading.Thread(target=pipe, args=(upstream, conn), daemon=True)
    back.start()
    pipe(conn, upstream)
    back.join()
    upstream.close()
    conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=float, default=60)
    ap.add_argument("--max-connections", type=int, default=16)
    ap.add_argument("--reply-headers", default="")
    args = ap.parse_args()
    extra = b"".join(line.encode() + b"\r\n"
                     for line in args.reply_headers.split("\n") if line)
    threading.Timer(args.time_limit, lambda: os._exit(0)).start()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    print("Listening on 127.0.0.1:%d" % listener.getsockname()[1],
          flush=True)
    threads = []
    for _ in range(args.max_connections):
        conn, _ = listener.accept()
        t = threading.Thread(target=serve, args=(conn, extra), daemon=True)
        t.start()
        threads.append(t)
    listener.close()
    # The last connections finish, within the time limit.
    for t in threads:
        t.join()
    os._exit(0)

if __name__ == "__main__":
    main()
