/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/http_struct.h: the layout of struct evhttp_request, for programs
 * that read its fields directly.  New code should use the accessors of
 * <event2/http.h>; the layout is kept identical to libevent 2.1's so that
 * such programs keep working, binaries included.
 */
#ifndef EVENT2_HTTP_STRUCT_H_INCLUDED_
#define EVENT2_HTTP_STRUCT_H_INCLUDED_

#include <event2/event-config.h>
#ifdef EVENT__HAVE_SYS_TYPES_H
#include <sys/types.h>
#endif
#ifdef EVENT__HAVE_SYS_TIME_H
#include <sys/time.h>
#endif

#include <event2/util.h>
#include <event2/http.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @name Request flags
 * Bits of the flags field of struct evhttp_request.
 * @{ */
/** The request owns its connection and frees it along with itself. */
#define EVHTTP_REQ_OWN_CONNECTION 0x0001
/** The request was sent to a proxy. */
#define EVHTTP_PROXY_REQUEST 0x0002
/** The program owns the request (see evhttp_request_own()) and must free
 * it. */
#define EVHTTP_USER_OWNED 0x0004
/** The request is still in use further up the call stack, so freeing it
 * must wait. */
#define EVHTTP_REQ_DEFER_FREE 0x0008
/** The request is to be freed further up the call stack, once it is no
 * longer in use. */
#define EVHTTP_REQ_NEEDS_FREE 0x0010
/** @} */

/** One HTTP request and the response that answers it.  Prefer the
 * evhttp_request_get_*() accessors to reading these fields. */
struct evhttp_request {
    /** Links in the connection's queue of requests. */
    struct {
        /** The next request in the queue, or NULL. */
        struct evhttp_request *tqe_next;
        /** The link that points at this request. */
        struct evhttp_request **tqe_prev;
    } next;

    /** The connection the request travels on, or NULL. */
    struct evhttp_connection *evcon;
    /** A bitwise OR of the request flags above. */
    int flags;

    /** The headers received. */
    struct evkeyvalq *input_headers;
    /** The headers to send. */
    struct evkeyvalq *output_headers;

    /** The peer's address, as text. */
    char *remote_host;
    /** The peer's port. */
    ev_uint16_t remote_port;

    /** The result of evhttp_request_get_host(), once computed. */
    char *host_cache;

    /** Whether the object parses a request or a response. */
    enum evhttp_request_kind kind;
    /** The request method. */
    enum evhttp_cmd_type type;

    /** The number of header bytes read so far. */
    size_t headers_size;
    /** The number of body bytes read so far. */
    size_t body_size;

    /** The request target, as text. */
    char *uri;
    /** The request target, parsed. */
    struct evhttp_uri *uri_elems;

    /** The major HTTP version number. */
    char major;
    /** The minor HTTP version number. */
    char minor;

    /** The response status code. */
    int response_code;
    /** The response reason phrase. */
    char *response_code_line;

    /** The body received. */
    struct evbuffer *input_buffer;
    /** The number of body bytes still expected, or -1 if unknown. */
    ev_int64_t ntoread;
    /** Set when the body uses chunked transfer encoding. */
    unsigned chunked : 1;
    /** Set when the program has sent the whole reply. */
    unsigned userdone : 1;

    /** The body to send. */
    struct evbuffer *output_buffer;

    /** The completion callback. */
    void (*cb)(struct evhttp_request *, void *);
    /** The argument of the completion, chunk and error callbacks. */
    void *cb_arg;

    /** The callback for each piece of body received, or NULL. */
    void (*chunk_cb)(struct evhttp_request *, void *);

    /** The callback run once the headers have been received, or NULL. */
    int (*header_cb)(struct evhttp_request *, void *);

    /** The callback run when the request fails, or NULL. */
    void (*error_cb)(enum evhttp_request_error, void *);

    /** The callback run once a reply has been sent, or NULL. */
    void (*on_complete_cb)(struct evhttp_request *, void *);
    /** The argument of on_complete_cb. */
    void *on_complete_cb_arg;
};

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_HTTP_STRUCT_H_INCLUDED_ */
