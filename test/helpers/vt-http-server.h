/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * vt-http-server.h: a scripted raw-socket HTTP server for the evhttp
 * client tests.  It listens on 127.0.0.1 with a port the kernel chooses
 * and serves every connection it accepts in a thread of its own, so the
 * test's thread stays free to run the event loop that drives the client.
 * Each connection follows a script: a list of steps (read one complete
 * request, send canned bytes whole or in pieces with delays, sleep, close,
 * reset, wait for the client to close) ending with VT_HS_END, after which
 * the server closes the connection.  Every request it reads is recorded
 * verbatim (head and body exactly as they came, with the number of the
 * connection it came on), and so are the connections: how many were
 * accepted, the client's port, whether the client closed first.  A pipe
 * gets a byte on every change, so the test can wait for one with an event
 * instead of sleeping.  Like vtest.c it uses only libc, never a libevent
 * header, so any test group may share it.
 *
 * Typical use:
 *
 *     static const struct vt_hs_step script[] = {
 *         VT_STEP_EXPECT,
 *         VT_STEP_SEND("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"),
 *         VT_STEP_END};
 *     struct vt_http_server *srv = vt_http_server_start(script);
 *     ... connect the client to vt_http_server_port(srv), run the loop ...
 *     struct vt_hs_request r;
 *     vt_http_server_request(srv, 0, &r);   r.data is the request's bytes
 *     vt_http_server_stop(srv);
 */
#ifndef VIGIL_TEST_VT_HTTP_SERVER_H
#define VIGIL_TEST_VT_HTTP_SERVER_H

#include <netinet/in.h>
#include <stddef.h>

/* What a step does.  Where a step has a time limit (ms) 0 means the
 * default of 10 seconds; every wait also ends when the server stops. */
enum vt_hs_op {
    VT_HS_END = 0, /* the script is over: close the connection */
    /* Read until one complete request is buffered: the head up to its
     * blank line, then the body its Content-Length or chunked
     * Transfer-Encoding says (trailers included); record it.  Bytes past
     * it stay for the next VT_HS_EXPECT.  If the client closes (or resets,
     * or ms pass) first, what came is recorded as an incomplete request
     * when there is any, and the script ends. */
    VT_HS_EXPECT,
    /* Send len bytes of data (len 0: strlen(data)).  With piece > 0, in
     * pieces of that many bytes with ms milliseconds between them.  A
     * failed send (the client went away) ends the script. */
    VT_HS_SEND,
    VT_HS_SLEEP,   /* wait ms milliseconds (reading nothing) */
    VT_HS_SHUT_WR, /* shutdown(SHUT_WR): the client reads EOF */
    VT_HS_CLOSE,   /* close() now and end the script (unread input makes
                      the kernel send RST instead of FIN) */
    VT_HS_RESET,   /* SO_LINGER 0 then close(): the client gets RST */
    /* Keep reading until the client closes (or ms pass): complete
     * requests that come meanwhile are recorded as by VT_HS_EXPECT, a
     * partial one at EOF as incomplete.  Use it to stay silent. */
    VT_HS_WAIT_CLOSE,
    VT_HS_REPEAT /* start the script over (keep-alive loops) */
};

struct vt_hs_step {
    enum vt_hs_op op;
    const char *data; /* VT_HS_SEND: the bytes (kept alive by the test) */
    size_t len;       /* VT_HS_SEND: their length, 0 for strlen */
    int ms;           /* a delay or a time limit, per op */
    size_t piece;     /* VT_HS_SEND: the size of each piece, 0 for one */
};

/* Steps, spelled with designated initializers (which the warnings allow
 * to leave fields out). */
#define VT_STEP_END     \
    {                   \
        .op = VT_HS_END \
    }
#define VT_STEP_EXPECT     \
    {                      \
        .op = VT_HS_EXPECT \
    }
#define VT_STEP_EXPECT_MS(t)          \
    {                                 \
        .op = VT_HS_EXPECT, .ms = (t) \
    }
#define VT_STEP_SEND(s)               \
    {                                 \
        .op = VT_HS_SEND, .data = (s) \
    }
#define VT_STEP_SEND_N(s, n)                      \
    {                                             \
        .op = VT_HS_SEND, .data = (s), .len = (n) \
    }
#define VT_STEP_SEND_PIECES(s, p, t)                           \
    {                                                          \
        .op = VT_HS_SEND, .data = (s), .piece = (p), .ms = (t) \
    }
#define VT_STEP_SLEEP(t)             \
    {                                \
        .op = VT_HS_SLEEP, .ms = (t) \
    }
#define VT_STEP_SHUT_WR     \
    {                       \
        .op = VT_HS_SHUT_WR \
    }
#define VT_STEP_CLOSE     \
    {                     \
        .op = VT_HS_CLOSE \
    }
#define VT_STEP_RESET     \
    {                     \
        .op = VT_HS_RESET \
    }
#define VT_STEP_WAIT_CLOSE     \
    {                          \
        .op = VT_HS_WAIT_CLOSE \
    }
#define VT_STEP_WAIT_CLOSE_MS(t)          \
    {                                     \
        .op = VT_HS_WAIT_CLOSE, .ms = (t) \
    }
#define VT_STEP_REPEAT     \
    {                      \
        .op = VT_HS_REPEAT \
    }

/* One request as the server read it.  data is NUL terminated and stays
 * valid until vt_http_server_stop. */
struct vt_hs_request {
    const char *data;
    size_t len;
    size_t head_len; /* bytes up to and including the blank line */
    int conn;        /* the connection it came on, from 0 in accept order */
    int index;       /* its place on that connection, from 0 */
    int complete;    /* 0: the client closed in the middle of it */
};

/* One accepted connection. */
struct vt_hs_conn {
    int client_port;  /* the client's source port */
    int requests;     /* requests recorded on it */
    int client_eof;   /* the client closed its side (recv returned 0) */
    int client_reset; /* recv failed with ECONNRESET */
    int done;         /* its script is over and the socket closed */
};

struct vt_http_server;

/* Starts a server where every connection follows script (an array ending
 * with VT_HS_END, kept alive by the test).  Returns NULL on failure. */
struct vt_http_server *vt_http_server_start(const struct vt_hs_step *script);

/* Starts a server where the i-th connection accepted (from 0) follows
 * scripts[i]; connections past the last follow scripts[n - 1]. */
struct vt_http_server *
vt_http_server_start_scripts(const struct vt_hs_step *const *scripts, int n);

/* Stops accepting, ends every connection's script (closing its socket),
 * joins the threads and frees everything.  NULL is allowed. */
void vt_http_server_stop(struct vt_http_server *srv);

/* The listening port and address (127.0.0.1). */
int vt_http_server_port(const struct vt_http_server *srv);
void vt_http_server_addr(const struct vt_http_server *srv,
                         struct sockaddr_in *out);

/* A descriptor that becomes readable whenever a connection is accepted, a
 * request recorded or a connection done.  vt_http_server_drain empties
 * it. */
int vt_http_server_notify_fd(const struct vt_http_server *srv);
void vt_http_server_drain(struct vt_http_server *srv);

/* Counts: connections accepted, requests recorded (on all connections,
 * incomplete ones included), connections whose script is over. */
int vt_http_server_connections(struct vt_http_server *srv);
int vt_http_server_requests(struct vt_http_server *srv);
int vt_http_server_done(struct vt_http_server *srv);

/* Copies the i-th request recorded (from 0, in the order recorded) or
 * the i-th connection accepted.  Return 0, or -1 if there is none. */
int vt_http_server_request(struct vt_http_server *srv, int i,
                           struct vt_hs_request *out);
int vt_http_server_conn(struct vt_http_server *srv, int i,
                        struct vt_hs_conn *out);

#endif
