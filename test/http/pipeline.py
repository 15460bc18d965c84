#!/usr/bin/env python3
# Vigil: HTTP/1.1 pipelining against a real client library.  Opens one
# connection to 127.0.0.1:PORT, writes COUNT GET requests for the files
# /p0.txt ... in a single sendall(), then reads COUNT responses in order
# with http.client.HTTPResponse on that same socket and checks each
# status and body (file i holds "pipelined body i\n" repeated i + 1
# times).  With "mixed", every other request is a POST of that same body
# to /echo instead.  Every socket operation times out after 10 s.
#   pipeline.py PORT [COUNT [mixed]]
#
# HTTPResponse makes its own buffered reader of the socket, which reads
# ahead: bytes of the next responses would be lost with it.  So every
# response is given one shared reader, which it may not close.
import http.client
import socket
import sys


class SharedReader:
    """The connection's one buffered reader; close() leaves it open."""

    def __init__(self, fp):
        self.fp = fp

    def __getattr__(self, attr):
        return getattr(self.fp, attr)

    def close(self):
        pass


class SharedSocket:
    """What HTTPResponse takes for a socket: makefile() gives the shared
    reader."""

    def __init__(self, sock):
        self.reader = SharedReader(sock.makefile("rb"))

    def makefile(self, mode, *args, **kwargs):
        return self.reader


def main():
    port = int(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    mixed = len(sys.argv) > 3 and sys.argv[3] == "mixed"
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    shared = SharedSocket(sock)
    try:
        requests = []
        methods = []
        for i in range(count):
            body = b"pipelined body %d\n" % i * (i + 1)
            if mixed and i % 2 == 1:
                methods.append("POST")
                requests.append(
                    b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                    b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
                    % (port, len(body)) + body)
            else:
                methods.append("GET")
                requests.append(
                    b"GET /p%d.txt HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n"
                    % (i, port))
        sock.sendall(b"".join(requests))
        for i in range(count):
            resp = http.client.HTTPResponse(shared, method=methods[i])
            resp.begin()
            body = resp.read()
            want = b"pipelined body %d\n" % i * (i + 1)
            if resp.status != 200:
                print("response %d: status %d" % (i, resp.status))
                return 1
            if body != want:
                print("response %d: body %r, wanted %r" % (i, body, want))
                return 1
            if resp.will_close:
                print("response %d closes the connection" % i)
                return 1
            print("response %d (%s): %d %s, %d bytes" %
                  (i, methods[i], resp.status, resp.reason, len(body)))
        # Nothing more: the server waits for another request.
        sock.settimeout(0.2)
        try:
            extra = shared.reader.fp.peek(1)
        except socket.timeout:
            extra = b""
        if extra:
            print("more bytes after the last response: %r" % extra[:80])
            return 1
    except (OSError, http.client.HTTPException) as e:
        print("failed: %s: %s" % (type(e).__name__, e))
        return 1
    finally:
        shared.reader.fp.close()
        sock.close()
    print("%d pipelined responses, in order" % count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
