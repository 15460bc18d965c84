/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * vt-http.h: a raw HTTP client for the evhttp server tests.  A client owns
 * one blocking TCP socket on loopback; each job (send some bytes, then read
 * one or more responses, or read until the server closes) runs in a thread
 * of its own, so the test's thread stays free to run the event loop that
 * drives the server.  A job signals its end on a pipe the test can watch
 * with an event.  A small parser splits what came back into responses with
 * their exact status line, headers and body.  Like vtest.c it uses only
 * libc, never a libevent header, so other http test groups may share it.
 */
#ifndef VIGIL_TEST_VT_HTTP_H
#define VIGIL_TEST_VT_HTTP_H

#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>

/* What a job reads after it sent its bytes. */
enum vt_http_read {
    VT_HTTP_READ_NOTHING = 0, /* only send */
    VT_HTTP_READ_RESPONSES,   /* until n complete responses, EOF or timeout */
    VT_HTTP_READ_TO_CLOSE     /* until EOF or timeout */
};

struct vt_http_client {
    int fd;           /* the connected socket (-1 once closed) */
    int done[2];      /* a byte on done[0] says a job ended */
    pthread_t thread; /* the job's thread */
    int running;      /* a job was started and not joined yet */

    /* The job. */
    const char *out; /* bytes to send (the caller keeps them alive) */
    size_t out_len;
    int shut_wr;          /* shut the write side after sending */
    int close_after_send; /* close the socket after sending */
    enum vt_http_read mode;
    int want;        /* responses, for VT_HTTP_READ_RESPONSES */
    int head;        /* the responses answer HEAD: no bodies */
    double timeout;  /* seconds for the whole job */
    int start_delay; /* milliseconds to wait before sending */

    /* What came back: everything received on the socket so far. */
    char *in;
    size_t in_len, in_cap;
    int eof;        /* the server closed (recv returned 0) */
    int reset;      /* recv failed with ECONNRESET */
    int timed_out;  /* the job ran out of time */
    double elapsed; /* seconds the job's reading took */
};

/* Connects a client to *addr (blocking: the kernel completes the handshake
 * on the listener's backlog even before the server accepts).  Returns 0,
 * or -1 with errno set. */
int vt_http_client_open(struct vt_http_client *c,
                        const struct sockaddr_in *addr);

/* Starts a job: send out_len bytes of out, then read per mode.  The
 * fields of the job that are not arguments (shut_wr, start_delay,
 * close_after_send) may be set before the call; joining the job clears
 * them.  head stays until the test clears it.  Returns 0, or -1. */
int vt_http_client_start(struct vt_http_client *c, const char *out,
                         size_t out_len, enum vt_http_read mode, int want,
                         double timeout);

/* Waits for the job's thread (call it once done[0] is readable). */
void vt_http_client_join(struct vt_http_client *c);

/* Closes the socket and the pipe and frees what came back. */
void vt_http_client_close(struct vt_http_client *c);

/* One response, parsed.  Names and values point into a copy the response
 * owns; vt_http_response_free releases it. */
#define VT_HTTP_MAX_HEADERS 64
struct vt_http_response {
    int major, minor;
    int status;
    const char *reason; /* the rest of the status line after the code */
    int nheaders;
    const char *names[VT_HTTP_MAX_HEADERS];
    const char *values[VT_HTTP_MAX_HEADERS];
    const char *body; /* the body (de-chunked), NUL terminated */
    size_t body_len;
    int chunked;     /* the body came chunked */
    size_t wire_len; /* bytes of the input this response took */
    char *store;     /* the copy */
};

/* Parses the response at the start of buf.  at_eof says the connection is
 * closed after len bytes (a body without length ends there); head says the
 * response answers HEAD.  Returns 1 with *r filled in, 0 if the response is
 * not complete yet, -1 if it is malformed (status line or headers not in
 * the HTTP/1.x syntax with CRLF line ends, or a bad chunk). */
int vt_http_parse_response(const char *buf, size_t len, int at_eof, int head,
                           struct vt_http_response *r);

/* The index-th response the client received (0 is the first): 1 and *r
 * filled in, or 0 if there are not that many complete ones. */
int vt_http_client_response(const struct vt_http_client *c, int index,
                            struct vt_http_response *r);

/* The value of the first header called name (any case), or NULL. */
const char *vt_http_header(const struct vt_http_response *r, const char *name);

/* How many headers are called name (any case). */
int vt_http_header_count(const struct vt_http_response *r, const char *name);

void vt_http_response_free(struct vt_http_response *r);

#endif
