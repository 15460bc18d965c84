/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http-internal.h: what the files of evhttp share.  For now that is the
 * foundation the server and the client will stand on: the layout of
 * struct evhttp_uri (uri.c), the percent-decoder and the character
 * classes of RFC 3986 (escape.c), the header list helpers (headers.c),
 * and the allocation functions every evhttp file uses.
 *
 * Who may include it: the files of src/extra/http/ (and white-box tests).
 *
 * Locking and ownership: nothing here holds state; a URI or a header list
 * belongs to whoever made it, and is not locked.  Every allocation goes
 * through vg_http_malloc() and back through vg_http_free(): memory from
 * this module is never handed to free() inside the library.
 */
#ifndef VIGIL_HTTP_INTERNAL_H
#define VIGIL_HTTP_INTERNAL_H

#include <stddef.h>

/* The real tail queue macros, before keyvalq_struct.h supplies its own. */
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/listener.h>

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include "http-parser-internal.h"

/* libevent_extra's allocation (the core's memory functions, so
 * event_set_mem_functions() applies), shared by every part of it. */
#include "extra/extra-internal.h"

#define vg_http_malloc(n) vg_extra_malloc(n)
#define vg_http_calloc(n, size) vg_extra_calloc((n), (size))
#define vg_http_realloc(p, n) vg_extra_realloc((p), (n))
#define vg_http_free(p) vg_extra_free(p)

/* A copy of the first len bytes of s, NUL-terminated (NULL when memory
 * runs out). */
char *vg_http_strndup(const char *s, size_t len);

/* ------------------------------------------------------------------ */
/* URIs (uri.c)                                                        */
/* ------------------------------------------------------------------ */

/* A parsed or assembled URI reference.  Components are NUL-terminated
 * strings or NULL (absent); port is -1 when absent.  A parsed URI keeps
 * its components in one block allocated with the struct itself (text
 * points into it); a component replaced by a setter is allocated on its
 * own, and uri.c tells the two apart by address when freeing. */
struct evhttp_uri {
    unsigned flags; /* EVHTTP_URI_* */
    char *scheme;
    char *userinfo;
    char *host;
    int port;
    char *path;
    char *query;
    char *fragment;
    /* The parsed text block (NULL for evhttp_uri_new()) and its size. */
    char *text;
    size_t text_len;
};

/* ------------------------------------------------------------------ */
/* RFC 3986 character classes and escapes (escape.c)                   */
/* ------------------------------------------------------------------ */

/* Bits of vg_http_uri_class[]. */
#define VG_URI_ALPHA 0x01
#define VG_URI_DIGIT 0x02
#define VG_URI_UNRESERVED_PUNCT 0x04 /* - . _ ~ */
#define VG_URI_SUBDELIM 0x08         /* ! $ & ' ( ) * + , ; = */
#define VG_URI_HEX 0x10              /* 0-9 A-F a-f */
#define VG_URI_SCHEME_PUNCT 0x20     /* + - . */
#define VG_URI_PCHAR_PUNCT 0x40      /* : @ */
#define VG_URI_CTL 0x80              /* 0x00-0x1f, 0x7f */

#define VG_URI_UNRESERVED \
    (VG_URI_ALPHA | VG_URI_DIGIT | VG_URI_UNRESERVED_PUNCT)

/* The class bits of every byte. */
extern const unsigned char vg_http_uri_class[256];

/* Nonzero when byte c has one of the class bits in mask. */
static inline int
vg_http_uri_is(unsigned char c, unsigned mask)
{
    return (vg_http_uri_class[c] & mask) != 0;
}

/* The value of hex digit c (which must be one). */
static inline int
vg_http_hexval(unsigned char c)
{
    if (c <= '9')
        return c - '0';
    return (c | 0x20) - 'a' + 10;
}

/* How the decoder treats '+'. */
#define VG_HTTP_PLUS_KEEP 0        /* leave it */
#define VG_HTTP_PLUS_SPACE 1       /* a space everywhere */
#define VG_HTTP_PLUS_AFTER_QMARK 2 /* a space after the first '?' */

/* Decodes the len bytes at in into out, which has room for len + 1 bytes
 * (a decoded string is never longer), and NUL-terminates it.  "%XX" with
 * two hex digits becomes one byte (possibly NUL); a '%' without two hex
 * digits after it is copied as it is.  Returns the decoded length. */
size_t vg_http_decode(const char *in, size_t len, char *out, int plus);

/* ------------------------------------------------------------------ */
/* Header lists (headers.c)                                            */
/* ------------------------------------------------------------------ */

/* Appends copies of the key_len bytes at key and the value_len bytes at
 * value (each NUL-terminated) to headers without checking them, for
 * callers that checked them already or store query parameters.  Returns
 * the new entry, or NULL when memory runs out.  The key, the value and the
 * entry are three allocations, as in libevent, so that a program that
 * frees an entry's parts itself keeps working. */
struct evkeyval *vg_http_header_append(struct evkeyvalq *headers,
                                       const char *key, size_t key_len,
                                       const char *value, size_t value_len);

/* ------------------------------------------------------------------ */
/* Servers, connections and requests (server.c, conn.c, reply.c,      */
/* request.c)                                                          */
/* ------------------------------------------------------------------ */

/* Request flags of Vigil's own, above http_struct.h's EVHTTP_* bits. */
#define VG_REQ_DISPATCHED 0x0100    /* the program has it (callback ran) */
#define VG_REQ_REPLIED 0x0200       /* its reply is queued whole */
#define VG_REQ_STREAMING 0x0400     /* send_reply_start ran, end not yet */
#define VG_REQ_CLOSE 0x0800         /* the connection closes after it */
#define VG_REQ_HEAD_ONLY 0x1000     /* the reply carries no body (HEAD) */
#define VG_REQ_IN_CB 0x2000         /* a callback of it is running */
#define VG_REQ_STATIC_REASON 0x4000 /* response_code_line is a constant */
#define VG_REQ_SHARED_PEER 0x8000   /* remote_host is the connection's */
#define VG_REQ_NO_BODY 0x10000      /* a stream whose reply has no body */

/* The method of a request whose token is none of evhttp_cmd_type's:
 * libevent gives it this bit, which evhttp_set_allowed_methods() may
 * allow. */
#define VG_HTTP_REQ_UNKNOWN 0x8000

/* One listening socket of a server. */
struct evhttp_bound_socket {
    TAILQ_ENTRY(evhttp_bound_socket) next;
    struct evhttp *http;
    struct evconnlistener *listener;
};

/* A path and its callback. */
struct vg_http_route {
    TAILQ_ENTRY(vg_http_route) next;
    char *path;
    void (*cb)(struct evhttp_request *, void *);
    void *arg;
};

/* A server alias (evhttp_add_server_alias). */
struct vg_http_alias {
    TAILQ_ENTRY(vg_http_alias) next;
    char *name;
};

TAILQ_HEAD(vg_http_conn_list, evhttp_connection);
TAILQ_HEAD(vg_http_request_list, evhttp_request);

/* A server, or a virtual host of one. */
struct evhttp {
    struct event_base *base;
    /* Virtual hosts: the parent's list, and this one's pattern. */
    TAILQ_ENTRY(evhttp) next_vhost;
    struct evhttp *parent;
    char *vhost_pattern;
    TAILQ_HEAD(, evhttp) vhosts;
    TAILQ_HEAD(, vg_http_alias) aliases;

    TAILQ_HEAD(, evhttp_bound_socket) sockets;
    TAILQ_HEAD(, vg_http_route) routes;
    struct vg_http_conn_list conns;

    struct timeval timeout; /* zero: VG_HTTP_DEFAULT_TIMEOUT */
    /* The timeout as a common timeout of base (O(1) timer queues), and
     * what it was made from. */
    const struct timeval *common_timeout;
    struct timeval common_from;
    size_t max_headers_size;
    uint64_t max_body_size;
    char *default_content_type; /* NULL: none */
    uint16_t allowed_methods;
    int flags; /* EVHTTP_SERVER_* */

    void (*gencb)(struct evhttp_request *, void *);
    void *gencb_arg;
    struct bufferevent *(*bevcb)(struct event_base *, void *);
    void *bevcb_arg;
};

/* Seconds a connection may stay idle, or take over a request head, when
 * no timeout was set (libevent's default too). */
#define VG_HTTP_DEFAULT_TIMEOUT 50

/* Connection states. */
enum vg_conn_state {
    VG_CONN_READING = 0, /* parsing input */
    VG_CONN_WAITING,     /* a request is with the program: input waits */
    VG_CONN_CLOSING,     /* the last reply is being written */
    VG_CONN_LINGERING,   /* written, shut for writing: input discarded */
    VG_CONN_DEAD         /* closed; freed when no callback runs */
};

/* Client connection states (client.c). */
enum vg_client_state {
    VG_CLIENT_DISCONNECTED = 0,
    VG_CLIENT_CONNECTING,
    VG_CLIENT_RETRY_WAIT,
    VG_CLIENT_IDLE,
    VG_CLIENT_ACTIVE,
    VG_CLIENT_DEAD
};

/* A connection.  The server makes one per accepted socket; requests are
 * queued on it in arrival order until their replies are written. */
struct evhttp_connection {
    TAILQ_ENTRY(evhttp_connection) next; /* in the server's list */
    struct evhttp *http_server;          /* NULL for a client */
    struct event_base *base;
    struct bufferevent *bev;
    enum vg_conn_state state;
    int flags;     /* EVHTTP_CON_* as set by the program */
    int busy;      /* callbacks running on the stack */
    int free_asap; /* evhttp_connection_free() ran during one */
    int free_on_completion;
    int close_fd;      /* the bufferevent is the program's (evhttp_set_bevcb) */
    int output_paused; /* reading stopped until the output drains */

    struct vg_http_parser parser;
    /* The request whose head arrived and whose body is being read. */
    struct evhttp_request *reading;
    /* Every request of the connection, oldest first. */
    struct vg_http_request_list requests;
    /* Bytes of the current request head (for headers_size). */

    char *address; /* the peer's numeric address */
    uint16_t port;
    struct sockaddr_storage addr;
    socklen_t addrlen;

    struct timeval timeout;      /* a common timeout of the base */
    struct timeval timeout_real; /* the same interval, as it is */
    /* The deadline for a request head (counted from idle_since), and the
     * lingering close. */
    struct event timer;
    struct timeval idle_since;
    int timer_armed;
    /* Parsing resumes from the loop after an asynchronous reply. */
    struct event resume;
    size_t lingered; /* bytes discarded while lingering */

    /* evhttp_send_reply_chunk_with_cb(): runs once output drains. */
    void (*chunk_done_cb)(struct evhttp_connection *, void *);
    void *chunk_done_arg;

    void (*closecb)(struct evhttp_connection *, void *);
    void *closecb_arg;

    uint64_t max_body_size;
    size_t max_headers_size;

    /* Client side (client.c). */
    int client; /* made by evhttp_connection_base_*new() */
    enum vg_client_state cstate;
    struct evdns_base *dns_base;
    int family;
    char *bind_address;
    uint16_t bind_port;
    int retry_max, retry_cnt;
    int timeout_custom; /* the program set the timeout */
    int read_eof;       /* the server closed; the request still goes out */
    struct timeval initial_retry_tv;
    /* The server's address once connected (EVHTTP_CON_REUSE_CONNECTED_ADDR
     * connects there again without resolving). */
    struct sockaddr_storage known_addr;
    socklen_t known_addrlen;
};

/* request.c */

/* A new request of kind for evcon (NULL allowed), or NULL. */
struct evhttp_request *vg_http_request_new(enum evhttp_request_kind kind);
/* Takes req off its connection's queue; a peer address it shared with
 * the connection becomes its own copy. */
void vg_http_request_detach(struct evhttp_request *req);
/* The response phrase of a status code ("Unknown Status Code" if none). */
const char *vg_http_reason_phrase(int code);
/* The method's token, or NULL for none. */
const char *vg_http_method_name(enum evhttp_cmd_type type);
/* The method whose token is the len bytes at s, or 0 for an unknown one. */
enum evhttp_cmd_type vg_http_method_parse(const char *s, size_t len);
/* The tokens of the methods in mask, ", "-separated, into buf (cap bytes,
 * NUL-terminated; cut short rather than overrun). */
void vg_http_method_list(unsigned mask, char *buf, size_t cap);
/* 1 when the comma-separated header list value holds token, ASCII case
 * ignored. */
int vg_http_list_has(const char *value, const char *token);

/* conn.c */

/* Sets up a parser of kind with lim (NULL: the defaults) on libevent_extra's
 * allocator. */
void vg_http_parser_setup(struct vg_http_parser *p, enum vg_http_kind kind,
                          const struct vg_http_limits *lim);
/* Frees the connection's bufferevent, closing a socket that a bufferevent
 * of the program's (evcon->close_fd) holds. */
void vg_http_conn_release_bev(struct evhttp_connection *evcon);

/* Takes an accepted socket into the server http (which may be a parent
 * of the virtual host that will answer).  Returns 0 or -1 (the socket is
 * then closed). */
int vg_http_conn_accept(struct evhttp *http, evutil_socket_t fd,
                        const struct sockaddr *sa, int salen);
/* The reply of req (the connection's oldest unanswered request) is queued
 * whole or in part; continues the connection. */
void vg_http_conn_replied(struct evhttp_connection *evcon,
                          struct evhttp_request *req);
/* Closes the connection now (a server's evhttp_free()). */
void vg_http_conn_close(struct evhttp_connection *evcon);
/* The server connection answers with an error status and closes. */
void vg_http_conn_fail(struct evhttp_connection *evcon, int status);

/* client.c */

/* Frees a client connection (evhttp_connection_free()). */
void vg_http_client_free(struct evhttp_connection *evcon);

/* server.c */

/* Runs the program's callback for a complete request (server side). */
void vg_http_server_dispatch(struct evhttp *http, struct evhttp_request *req);
/* The timeout a server's connections use. */
void vg_http_server_timeout(struct evhttp *http, struct timeval *tv);

/* reply.c */

/* The server's 404 page for a request no route took. */
void vg_http_reply_not_found(struct evhttp_request *req);

/* Queues an error reply of a request that is not the program's (a
 * malformed or refused one): status, the standard body, and Connection:
 * close. */
void vg_http_reply_error(struct evhttp_request *req, int status,
                         const char *extra_header, const char *extra_value);

#endif
