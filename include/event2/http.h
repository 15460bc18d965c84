/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/http.h: the embedded HTTP/1.x server and client (evhttp), plus
 * helpers for headers, URI encoding, query strings and URI parsing.
 */
#ifndef EVENT2_HTTP_H_INCLUDED_
#define EVENT2_HTTP_H_INCLUDED_

#include <event2/util.h>
#include <event2/visibility.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @file event2/http.h
 *
 * A small HTTP/1.0 and HTTP/1.1 server and client driven by an event_base.
 *
 * Serving: create a server with evhttp_new(), give it listening sockets with
 * evhttp_bind_socket() and friends, and register callbacks with
 * evhttp_set_cb() or evhttp_set_gencb().  A callback runs once a whole
 * request, body included, has been read.  It must answer the request exactly
 * once, either before returning or later from another callback, with
 * evhttp_send_reply(), evhttp_send_error(), or evhttp_send_reply_start()
 * followed by chunks and evhttp_send_reply_end().  The library owns the
 * request: it frees it after the answer has been written, unless the
 * program called evhttp_request_own().  The request stays valid until it
 * is answered, even if the client has gone away meanwhile: its connection
 * may then be NULL (see evhttp_request_get_connection()), and the reply
 * call just frees it.
 *
 * Requesting: create a connection with evhttp_connection_base_new(), a
 * request with evhttp_request_new(), fill in its output headers and buffer,
 * and hand it to evhttp_make_request(), which takes ownership.  When the
 * response has arrived, or the request has failed, the completion callback
 * runs from the event loop; the library frees the request when that
 * callback returns, unless the callback called evhttp_request_own().
 */

struct evbuffer;
struct event_base;
struct bufferevent;
struct evconnlistener;
struct evdns_base;
struct evkeyvalq;
struct sockaddr;
struct timeval;

/** An HTTP server: a set of listening sockets, callbacks and settings. */
struct evhttp;
/** One HTTP request, together with the response that answers it. */
struct evhttp_request;
/** One TCP connection carrying HTTP requests, incoming or outgoing. */
struct evhttp_connection;
/** A listening socket attached to an evhttp server. */
struct evhttp_bound_socket;
/** A URI (or relative reference) split into its RFC 3986 components. */
struct evhttp_uri;

/** @name Status codes
 * Common HTTP status codes, for use with evhttp_send_reply() and
 * evhttp_send_error().  Any other three-digit code may be used as well.
 * @{ */
/** 200: the request succeeded. */
#define HTTP_OK 200
/** 204: the request succeeded and the response has no body. */
#define HTTP_NOCONTENT 204
/** 301: the resource has moved for good. */
#define HTTP_MOVEPERM 301
/** 302: the resource is temporarily somewhere else. */
#define HTTP_MOVETEMP 302
/** 304: the resource has not changed since the client's copy. */
#define HTTP_NOTMODIFIED 304
/** 400: the request was malformed. */
#define HTTP_BADREQUEST 400
/** 404: no resource exists at this URI. */
#define HTTP_NOTFOUND 404
/** 405: the method is not allowed for this resource. */
#define HTTP_BADMETHOD 405
/** 413: the request body is larger than the server accepts. */
#define HTTP_ENTITYTOOLARGE 413
/** 417: the server cannot meet the request's Expect header. */
#define HTTP_EXPECTATIONFAILED 417
/** 500: the server failed while handling the request. */
#define HTTP_INTERNAL 500
/** 501: the server does not support the requested method. */
#define HTTP_NOTIMPLEMENTED 501
/** 503: the server cannot handle the request right now. */
#define HTTP_SERVUNAVAIL 503
/** @} */

/** HTTP request methods.  Each method is a distinct bit, so that a set of
 * methods can be passed to evhttp_set_allowed_methods() as a mask.  PATCH is
 * the method of RFC 5789; the others are those of RFC 2616. */
enum evhttp_cmd_type {
    /** GET. */
    EVHTTP_REQ_GET = 1 << 0,
    /** POST. */
    EVHTTP_REQ_POST = 1 << 1,
    /** HEAD. */
    EVHTTP_REQ_HEAD = 1 << 2,
    /** PUT. */
    EVHTTP_REQ_PUT = 1 << 3,
    /** DELETE. */
    EVHTTP_REQ_DELETE = 1 << 4,
    /** OPTIONS. */
    EVHTTP_REQ_OPTIONS = 1 << 5,
    /** TRACE. */
    EVHTTP_REQ_TRACE = 1 << 6,
    /** CONNECT. */
    EVHTTP_REQ_CONNECT = 1 << 7,
    /** PATCH. */
    EVHTTP_REQ_PATCH = 1 << 8
};

/** Whether an evhttp_request object is being parsed as a request (on a
 * server) or as a response (on a client). */
enum evhttp_request_kind {
    /** The object holds an incoming request. */
    EVHTTP_REQUEST,
    /** The object holds an incoming response. */
    EVHTTP_RESPONSE
};

/** Why an outgoing request failed; passed to the callback set with
 * evhttp_request_set_error_cb(). */
enum evhttp_request_error {
    /** The connection's timeout expired (see
     * evhttp_connection_set_timeout()). */
    EVREQ_HTTP_TIMEOUT,
    /** The connection was closed before the response was complete. */
    EVREQ_HTTP_EOF,
    /** The response line or a header could not be read or was invalid,
     * or the header callback asked to abort. */
    EVREQ_HTTP_INVALID_HEADER,
    /** Reading from or writing to the connection failed. */
    EVREQ_HTTP_BUFFER_ERROR,
    /** The request was cancelled with evhttp_cancel_request(). */
    EVREQ_HTTP_REQUEST_CANCEL,
    /** The response body exceeded the limit set with
     * evhttp_connection_set_max_body_size(). */
    EVREQ_HTTP_DATA_TOO_LONG
};

/* ------------------------------------------------------------------ */
/* Servers: creation and listening sockets                             */
/* ------------------------------------------------------------------ */

/**
 * Create an HTTP server that runs on an event base.
 *
 * The server has no listening sockets and no callbacks until they are
 * added; with no callback at all it answers every request with 404.
 *
 * @param base the event base that will run the server's events.
 * @return a new server, or NULL on error.  Release it with evhttp_free().
 */
EVENT2_EXPORT_SYMBOL
struct evhttp *evhttp_new(struct event_base *base);

/**
 * Make a server listen on an address and port.
 *
 * May be called several times to listen on several addresses or ports.
 *
 * @param http the server.
 * @param address the local address to listen on, as a numeric IPv4 or IPv6
 *   address (for example "0.0.0.0" or "::") or a host name.
 * @param port the TCP port to listen on; 0 lets the system choose one.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_bind_socket(struct evhttp *http, const char *address,
                       ev_uint16_t port);

/**
 * Like evhttp_bind_socket(), but return a handle to the new listening
 * socket.
 *
 * @param http the server.
 * @param address the local address to listen on.
 * @param port the TCP port to listen on; 0 lets the system choose one.
 * @return a handle for the socket, or NULL on failure.  The handle belongs
 *   to the server and becomes invalid when the server is freed or when it
 *   is passed to evhttp_del_accept_socket().
 */
EVENT2_EXPORT_SYMBOL
struct evhttp_bound_socket *evhttp_bind_socket_with_handle(struct evhttp *http,
                                                           const char *address,
                                                           ev_uint16_t port);

/**
 * Make a server accept connections on a socket that is already listening.
 *
 * This suits sockets inherited from a parent process or received over a
 * Unix socket.  The server takes ownership of the socket and closes it
 * when the server or the socket's handle is freed.  May be called several
 * times.
 *
 * @param http the server.
 * @param fd a socket on which listen() has already been called.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_accept_socket(struct evhttp *http, evutil_socket_t fd);

/**
 * Like evhttp_accept_socket(), but return a handle to the socket.
 *
 * @param http the server.
 * @param fd a socket on which listen() has already been called.
 * @return a handle for the socket, or NULL on failure.  The handle belongs
 *   to the server and becomes invalid when the server is freed.
 */
EVENT2_EXPORT_SYMBOL
struct evhttp_bound_socket *
evhttp_accept_socket_with_handle(struct evhttp *http, evutil_socket_t fd);

/**
 * Make a server accept connections from an existing connection listener.
 *
 * The server replaces the listener's callback with its own and takes
 * ownership of the listener: it is freed together with the returned
 * handle.
 *
 * @param http the server.
 * @param listener an enabled or disabled evconnlistener.
 * @return a handle for the socket, or NULL on failure.
 */
EVENT2_EXPORT_SYMBOL
struct evhttp_bound_socket *
evhttp_bind_listener(struct evhttp *http, struct evconnlistener *listener);

/**
 * Return the connection listener behind a bound socket.
 *
 * @param bound a handle from one of the evhttp_*_with_handle() functions or
 *   from evhttp_bind_listener().
 * @return the listener, which still belongs to the bound socket.
 */
EVENT2_EXPORT_SYMBOL
struct evconnlistener *
evhttp_bound_socket_get_listener(struct evhttp_bound_socket *bound);

/** A function called once for each bound socket of a server by
 * evhttp_foreach_bound_socket(); it receives the socket's handle and the
 * caller's argument. */
typedef void evhttp_bound_socket_foreach_fn(struct evhttp_bound_socket *,
                                            void *);

/**
 * Call a function once for every listening socket of a server.
 *
 * The function must not free or remove sockets, listeners or connections
 * of the server while the walk is in progress.
 *
 * @param http the server.
 * @param function the function to call.
 * @param argument passed unchanged as the function's second argument.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_foreach_bound_socket(struct evhttp *http,
                                 evhttp_bound_socket_foreach_fn *function,
                                 void *argument);

/**
 * Stop listening on one socket of a server and free it.
 *
 * The socket is closed; if it came from evhttp_bind_listener(), the
 * listener is freed.  Connections already accepted from it are unaffected.
 *
 * @param http the server.
 * @param bound_socket the handle to remove; it is invalid afterwards.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_del_accept_socket(struct evhttp *http,
                              struct evhttp_bound_socket *bound_socket);

/**
 * Return the file descriptor of a bound socket.
 *
 * @param bound_socket a handle to a listening socket of a server.
 * @return the socket; it still belongs to the server.
 */
EVENT2_EXPORT_SYMBOL
evutil_socket_t
evhttp_bound_socket_get_fd(struct evhttp_bound_socket *bound_socket);

/**
 * Free a server.
 *
 * Closes every listening socket, frees every connection the server
 * accepted together with any requests still pending on them, and frees
 * every virtual host still attached to it.  Do not call it from a callback
 * that is running for one of this server's requests.
 *
 * @param http the server to free.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_free(struct evhttp *http);

/* ------------------------------------------------------------------ */
/* Servers: limits, callbacks, virtual hosts and settings              */
/* ------------------------------------------------------------------ */

/**
 * Limit the size of the request line and headers that the server accepts.
 *
 * A request whose headers are larger is answered with 400 (Bad Request)
 * and its connection closed.  The limit applies to connections accepted
 * afterwards.
 *
 * @param http the server.
 * @param max_headers_size the limit in bytes; a negative value means no
 *   limit, which is the default.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_set_max_headers_size(struct evhttp *http,
                                 ev_ssize_t max_headers_size);

/**
 * Limit the size of the request body that the server accepts.
 *
 * A request whose body is larger is answered with 413 (Request Entity Too
 * Large) instead of reaching a callback.  The limit applies to
 * connections accepted afterwards.
 *
 * @param http the server.
 * @param max_body_size the limit in bytes; a negative value means no limit,
 *   which is the default.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_set_max_body_size(struct evhttp *http, ev_ssize_t max_body_size);

/**
 * Set the Content-Type header that replies get when they have none.
 *
 * The server keeps the pointer, not a copy: the string must stay valid and
 * unchanged for as long as the server uses it.
 *
 * @param http the server.
 * @param content_type the header value, or NULL to add no Content-Type
 *   header to replies that lack one.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_set_default_content_type(struct evhttp *http,
                                     const char *content_type);

/**
 * Choose which request methods the server passes to its callbacks.
 *
 * A request with any other method is answered with 501 (Not
 * Implemented) without reaching a callback.  The default set is GET, POST,
 * HEAD, PUT and DELETE.
 *
 * @param http the server.
 * @param methods a bitwise OR of evhttp_cmd_type values.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_set_allowed_methods(struct evhttp *http, ev_uint16_t methods);

/**
 * Register a callback for one request path.
 *
 * The callback runs for requests whose path (the URI without its query
 * string) equals @a path exactly.  It receives the request and @a cb_arg,
 * and must answer the request as described at the top of this file.
 *
 * @param http the server.
 * @param path the path to match, for example "/index.html"; it is copied.
 * @param cb the function to call.
 * @param cb_arg passed unchanged to @a cb.
 * @return 0 on success, -1 if a callback is already registered for this
 *   path, -2 on any other failure.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_set_cb(struct evhttp *http, const char *path,
                  void (*cb)(struct evhttp_request *, void *), void *cb_arg);

/**
 * Remove the callback registered for a request path.
 *
 * @param http the server.
 * @param path the path given to evhttp_set_cb().
 * @return 0 on success, -1 if no callback was registered for the path.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_del_cb(struct evhttp *http, const char *path);

/**
 * Register the callback for requests that no path callback matches.
 *
 * Without it, such requests are answered with 404 (Not Found).
 *
 * @param http the server.
 * @param cb the function to call, or NULL to remove the callback.
 * @param arg passed unchanged to @a cb.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_set_gencb(struct evhttp *http,
                      void (*cb)(struct evhttp_request *, void *), void *arg);

/**
 * Register a function that creates the bufferevent for each accepted
 * connection.
 *
 * This lets a server use another kind of bufferevent, for example one that
 * speaks TLS.  The function receives the server's event base and @a arg,
 * and must return a new bufferevent with no file descriptor set: the
 * server sets the accepted socket on it and frees it with the connection.
 * If it returns NULL, an ordinary socket bufferevent is used.
 *
 * @param http the server.
 * @param cb the function, or NULL to return to ordinary socket
 *   bufferevents.
 * @param arg passed unchanged to @a cb.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_set_bevcb(struct evhttp *http,
                      struct bufferevent *(*cb)(struct event_base *, void *),
                      void *arg);

/**
 * Attach a virtual host to a server.
 *
 * A virtual host is a server made with evhttp_new() that has callbacks but
 * no listening sockets.  Requests whose Host matches @a pattern are handed
 * to the virtual host's callbacks instead of the server's.  Virtual hosts
 * may have virtual hosts of their own.  A virtual host still attached when
 * its parent is freed is freed with it.
 *
 * @param http the server that receives the requests.
 * @param pattern a shell-style glob, such as "*.example.com", matched
 *   against the host name without regard to case; it is copied.
 * @param vhost the virtual host.
 * @return 0 on success, -1 on failure (for example if @a vhost is already
 *   attached somewhere).
 */
EVENT2_EXPORT_SYMBOL
int evhttp_add_virtual_host(struct evhttp *http, const char *pattern,
                            struct evhttp *vhost);

/**
 * Detach a virtual host from a server without freeing it.
 *
 * @param http the server it was attached to.
 * @param vhost the virtual host; the caller must free it later.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_remove_virtual_host(struct evhttp *http, struct evhttp *vhost);

/**
 * Add another host name under which a server or virtual host answers.
 *
 * @param http the server or virtual host.
 * @param alias the host name; it is copied.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_add_server_alias(struct evhttp *http, const char *alias);

/**
 * Remove a host name added with evhttp_add_server_alias().
 *
 * @param http the server or virtual host.
 * @param alias the host name to remove.
 * @return 0 on success, -1 if the alias was not found.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_remove_server_alias(struct evhttp *http, const char *alias);

/**
 * Set the read and write timeout of connections the server accepts.
 *
 * @param http the server.
 * @param timeout_in_secs the timeout in seconds.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_set_timeout(struct evhttp *http, int timeout_in_secs);

/**
 * Set the read and write timeout of connections the server accepts, with
 * sub-second precision.
 *
 * @param http the server.
 * @param tv the timeout, or NULL to go back to the default.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_set_timeout_tv(struct evhttp *http, const struct timeval *tv);

/** Server flag for evhttp_set_flags(): when a request body is over the size
 * limit, read and discard the whole body before sending the error reply,
 * rather than closing the connection at once, so that the client sees the
 * reply. */
#define EVHTTP_SERVER_LINGERING_CLOSE 0x0001

/**
 * Set behaviour flags on a server.
 *
 * @param http the server.
 * @param flags a bitwise OR of EVHTTP_SERVER_* flags; it replaces the
 *   previous set.
 * @return 0 on success, nonzero if @a flags holds an unsupported flag.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_set_flags(struct evhttp *http, int flags);

/* ------------------------------------------------------------------ */
/* Servers: answering requests                                         */
/* ------------------------------------------------------------------ */

/**
 * Answer a request with an error status and a short HTML page.
 *
 * The reply asks the client to close the connection.  Afterwards the
 * request belongs to the library as described at the top of this file.
 *
 * @param req the request to answer.
 * @param error the HTTP status code, such as HTTP_NOTFOUND.
 * @param reason the reason phrase, or NULL for the usual phrase of the
 *   status code.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_send_error(struct evhttp_request *req, int error,
                       const char *reason);

/**
 * Answer a request with a complete reply.
 *
 * The body is the request's output buffer followed by the contents of
 * @a databuf.  The library adds Content-Length where the reply needs it
 * and, if missing, the default Content-Type.  Afterwards the request belongs to
 * the library as described at the top of this file; it is freed once the reply
 * has been written unless evhttp_request_own() was called.
 *
 * @param req the request to answer.
 * @param code the HTTP status code, such as HTTP_OK.
 * @param reason the reason phrase, such as "OK".
 * @param databuf the body, or NULL.  Its contents are moved out, leaving it
 *   empty; the buffer itself still belongs to the caller.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_send_reply(struct evhttp_request *req, int code, const char *reason,
                       struct evbuffer *databuf);

/**
 * Start a reply whose body will be sent in pieces.
 *
 * Sends the status line and headers.  Follow with any number of
 * evhttp_send_reply_chunk() calls and one evhttp_send_reply_end().  An
 * HTTP/1.1 client gets a chunked transfer encoding; for an HTTP/1.0 client
 * the body is sent as is and the connection is closed at the end.
 *
 * @param req the request to answer.
 * @param code the HTTP status code.
 * @param reason the reason phrase.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_send_reply_start(struct evhttp_request *req, int code,
                             const char *reason);

/**
 * Send one piece of a reply started with evhttp_send_reply_start().
 *
 * @param req the request being answered.
 * @param databuf the data to send.  Its contents are moved out, leaving it
 *   empty; the buffer itself still belongs to the caller.  An empty buffer
 *   sends nothing.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_send_reply_chunk(struct evhttp_request *req,
                             struct evbuffer *databuf);

/**
 * Like evhttp_send_reply_chunk(), and call a function once the data has
 * been written to the connection.
 *
 * This lets a program produce a large body at the pace of the client.
 *
 * @param req the request being answered.
 * @param databuf the data to send; it is left empty and still belongs to
 *   the caller.
 * @param cb called with the request's connection and @a arg once the
 *   connection's pending output has been written; may be NULL.  A later
 *   chunk or evhttp_send_reply_end() replaces this notification, so it
 *   may never run.
 * @param arg passed unchanged to @a cb.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_send_reply_chunk_with_cb(
    struct evhttp_request *req, struct evbuffer *databuf,
    void (*cb)(struct evhttp_connection *, void *), void *arg);

/**
 * Finish a reply started with evhttp_send_reply_start().
 *
 * Afterwards the request belongs to the library and is freed once the
 * reply has been written, unless evhttp_request_own() was called.
 *
 * @param req the request being answered.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_send_reply_end(struct evhttp_request *req);

/* ------------------------------------------------------------------ */
/* Requests                                                            */
/* ------------------------------------------------------------------ */

/**
 * Create a request object for use with evhttp_make_request().
 *
 * Fill in its output headers (the library adds no Host header) and, for a
 * body, its output buffer; the library adds Content-Length to POST and PUT
 * requests that lack it.
 *
 * @param cb the completion callback.  It runs from the event loop with the
 *   request and @a arg when the response is complete.  If the request
 *   fails, it runs with either NULL or a request whose response code is 0.
 *   It does not run if the request is cancelled or its connection freed.
 * @param arg passed unchanged to @a cb and to the error callback.
 * @return a new request, or NULL on error.  Until it is passed to
 *   evhttp_make_request(), the caller frees it with evhttp_request_free().
 */
EVENT2_EXPORT_SYMBOL
struct evhttp_request *
evhttp_request_new(void (*cb)(struct evhttp_request *, void *), void *arg);

/**
 * Receive the response body piece by piece as it arrives.
 *
 * @param req an outgoing request.
 * @param cb called with the request and the completion callback's argument
 *   each time more body data has been read into the input buffer.  It may
 *   read and drain that buffer; whatever it leaves is discarded when it
 *   returns.  It is not called for an empty body.  It may cancel the
 *   request with evhttp_cancel_request().
 */
EVENT2_EXPORT_SYMBOL
void evhttp_request_set_chunked_cb(struct evhttp_request *req,
                                   void (*cb)(struct evhttp_request *, void *));

/**
 * Inspect the response headers before the body is read.
 *
 * @param req an outgoing request.
 * @param cb called with the request and the completion callback's argument
 *   once the status line and headers have been read.  It returns 0 to go
 *   on, or a negative value to abort: the connection is then closed and
 *   the request fails.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_request_set_header_cb(struct evhttp_request *req,
                                  int (*cb)(struct evhttp_request *, void *));

/**
 * Learn why an outgoing request failed.
 *
 * @param req an outgoing request.
 * @param cb called with the reason and the completion callback's argument
 *   when the request fails, just before the completion callback runs.
 *   Some failures, such as a refused connection, reach only the
 *   completion callback (with a response code of 0).
 *   After evhttp_cancel_request() it may run with EVREQ_HTTP_REQUEST_CANCEL
 *   even though the completion callback does not.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_request_set_error_cb(struct evhttp_request *req,
                                 void (*cb)(enum evhttp_request_error, void *));

/**
 * Be told when the reply to a server-side request has been sent.
 *
 * @param req a request received by a server.
 * @param cb called with the request and @a cb_arg after the whole reply
 *   has been written, just before the library frees the request.
 * @param cb_arg passed unchanged to @a cb.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_request_set_on_complete_cb(struct evhttp_request *req,
                                       void (*cb)(struct evhttp_request *,
                                                  void *),
                                       void *cb_arg);

/**
 * Free a request object.
 *
 * Only for requests that the caller owns: those never given to
 * evhttp_make_request(), and those kept with evhttp_request_own() once the
 * library is done with them.  Never free a request the library owns.
 *
 * @param req the request to free.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_request_free(struct evhttp_request *req);

/**
 * Take ownership of a request so that the library does not free it.
 *
 * Call it from the completion callback of an outgoing request, or while
 * answering a server-side request.  The caller must then free the request
 * with evhttp_request_free() once the library is done with it: after the
 * completion callback has returned, or after the reply has been sent.
 *
 * @param req the request to keep.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_request_own(struct evhttp_request *req);

/**
 * Tell whether evhttp_request_own() was called on a request.
 *
 * @param req the request.
 * @return 1 if the program owns the request, 0 otherwise.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_request_is_owned(struct evhttp_request *req);

/**
 * Return the connection a request travels on.
 *
 * @param req the request.
 * @return the connection, or NULL if the request has none (it has not been
 *   sent yet, or its client went away before the reply).
 */
EVENT2_EXPORT_SYMBOL
struct evhttp_connection *
evhttp_request_get_connection(struct evhttp_request *req);

/* ------------------------------------------------------------------ */
/* Client connections                                                  */
/* ------------------------------------------------------------------ */

/**
 * Create a connection to an HTTP server, using a given bufferevent.
 *
 * Nothing happens on the network until a request is made: the connection
 * then resolves the address, connects and sends its requests one at a
 * time, reconnecting when needed.
 *
 * @param base the event base that will run the connection.
 * @param dnsbase the resolver for host names, or NULL to resolve them with
 *   a blocking lookup.
 * @param bev the bufferevent to use, with no file descriptor set, or NULL
 *   for an ordinary socket bufferevent.  The connection takes ownership
 *   and frees it when the connection is freed.
 * @param address the server's host name or numeric address.
 * @param port the server's TCP port.
 * @return a new connection, or NULL on error.  Release it with
 *   evhttp_connection_free().
 */
EVENT2_EXPORT_SYMBOL
struct evhttp_connection *evhttp_connection_base_bufferevent_new(
    struct event_base *base, struct evdns_base *dnsbase,
    struct bufferevent *bev, const char *address, ev_uint16_t port);

/**
 * Create a connection to an HTTP server over an ordinary socket.
 *
 * The same as evhttp_connection_base_bufferevent_new() with a NULL
 * bufferevent.
 *
 * @param base the event base that will run the connection.
 * @param dnsbase the resolver for host names, or NULL to resolve them with
 *   a blocking lookup.
 * @param address the server's host name or numeric address.
 * @param port the server's TCP port.
 * @return a new connection, or NULL on error.
 */
EVENT2_EXPORT_SYMBOL
struct evhttp_connection *evhttp_connection_base_new(struct event_base *base,
                                                     struct evdns_base *dnsbase,
                                                     const char *address,
                                                     ev_uint16_t port);

/**
 * Return the bufferevent a connection reads and writes through.
 *
 * @param evcon the connection.
 * @return the bufferevent; it still belongs to the connection.
 */
EVENT2_EXPORT_SYMBOL
struct bufferevent *
evhttp_connection_get_bufferevent(struct evhttp_connection *evcon);

/**
 * Return the server that accepted a connection.
 *
 * @param evcon the connection.
 * @return the server, or NULL for an outgoing connection.
 */
EVENT2_EXPORT_SYMBOL
struct evhttp *evhttp_connection_get_server(struct evhttp_connection *evcon);

/**
 * Return the event base a connection runs on.
 *
 * @param req the connection.
 * @return the event base.
 */
EVENT2_EXPORT_SYMBOL
struct event_base *evhttp_connection_get_base(struct evhttp_connection *req);

/**
 * Choose the address family used when resolving the server's name.
 *
 * @param evcon the connection.
 * @param family AF_INET, AF_INET6, or AF_UNSPEC (the default) for either.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_family(struct evhttp_connection *evcon, int family);

/** Connection flag: when retrying, connect again to the address found the
 * first time instead of resolving the name again. */
#define EVHTTP_CON_REUSE_CONNECTED_ADDR 0x0008
/** Connection flag: when writing the request fails, still try to read a
 * response, since the server may have answered and closed already. */
#define EVHTTP_CON_READ_ON_WRITE_ERROR 0x0010
/** Connection flag: the connection-level form of
 * EVHTTP_SERVER_LINGERING_CLOSE, which a server sets on the connections it
 * accepts.  evhttp_connection_set_flags() does not accept it. */
#define EVHTTP_CON_LINGERING_CLOSE 0x0020
/** The first value above the public EVHTTP_CON_* flags; higher bits are
 * reserved for the library's own use. */
#define EVHTTP_CON_PUBLIC_FLAGS_END 0x100000

/**
 * Set behaviour flags on a connection.
 *
 * @param evcon the connection.
 * @param flags a bitwise OR of EVHTTP_CON_REUSE_CONNECTED_ADDR and
 *   EVHTTP_CON_READ_ON_WRITE_ERROR; it replaces the previous set of these.
 * @return 0 on success, nonzero if @a flags holds an unsupported flag.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_connection_set_flags(struct evhttp_connection *evcon, int flags);

/**
 * Limit the size of the headers a connection accepts.
 *
 * @param evcon the connection.
 * @param new_max_headers_size the limit in bytes; a negative value means
 *   no limit, which is the default.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_max_headers_size(struct evhttp_connection *evcon,
                                            ev_ssize_t new_max_headers_size);

/**
 * Limit the size of the body a connection accepts.
 *
 * An outgoing request whose response body is larger fails with
 * EVREQ_HTTP_DATA_TOO_LONG.
 *
 * @param evcon the connection.
 * @param new_max_body_size the limit in bytes; a negative value means no
 *   limit, which is the default.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_max_body_size(struct evhttp_connection *evcon,
                                         ev_ssize_t new_max_body_size);

/**
 * Free a connection.
 *
 * Closes the connection, running the close callback if it was connected,
 * and frees every request still queued on it without running their
 * completion callbacks.  A connection accepted by a server is removed from
 * that server.
 *
 * @param evcon the connection to free.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_free(struct evhttp_connection *evcon);

/**
 * Let the library free an outgoing connection by itself.
 *
 * The connection is freed once it has no requests left, after the last
 * one has completed or failed.  The caller must not use it afterwards.
 *
 * @param evcon the connection.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_free_on_completion(struct evhttp_connection *evcon);

/**
 * Choose the local address that outgoing connections are made from.
 *
 * @param evcon the connection.
 * @param address the local address; it is copied.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_local_address(struct evhttp_connection *evcon,
                                         const char *address);

/**
 * Choose the local port that outgoing connections are made from.
 *
 * @param evcon the connection.
 * @param port the local TCP port.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_local_port(struct evhttp_connection *evcon,
                                      ev_uint16_t port);

/**
 * Set the read and write timeout of a connection.
 *
 * @param evcon the connection.
 * @param timeout_in_secs the timeout in seconds, or -1 for the default of
 *   50 seconds.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_timeout(struct evhttp_connection *evcon,
                                   int timeout_in_secs);

/**
 * Set the read and write timeout of a connection with sub-second
 * precision.
 *
 * @param evcon the connection.
 * @param tv the timeout, or NULL for the default of 50 seconds.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_timeout_tv(struct evhttp_connection *evcon,
                                      const struct timeval *tv);

/**
 * Set the delay before the first retry of a failed connection attempt.
 *
 * Each later retry waits twice as long as the one before.  This matters
 * only when evhttp_connection_set_retries() allows retries.
 *
 * @param evcon the connection.
 * @param tv the first delay.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_initial_retry_tv(struct evhttp_connection *evcon,
                                            const struct timeval *tv);

/**
 * Set how many times a failed connection attempt is retried.
 *
 * @param evcon the connection.
 * @param retry_max the number of retries; 0 (the default) for none, -1 for
 *   no limit.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_retries(struct evhttp_connection *evcon,
                                   int retry_max);

/**
 * Register a function to call when a connection closes.
 *
 * @param evcon the connection.
 * @param cb called with the connection and @a arg each time the
 *   connection is closed, including by evhttp_connection_free(); NULL
 *   removes it.
 * @param arg passed unchanged to @a cb.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_closecb(struct evhttp_connection *evcon,
                                   void (*cb)(struct evhttp_connection *,
                                              void *),
                                   void *arg);

/**
 * Return the peer's address and port as given or as accepted.
 *
 * @param evcon the connection.
 * @param address set to the peer's host name or numeric address; the
 *   string belongs to the connection and must not be freed.
 * @param port set to the peer's port.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_get_peer(struct evhttp_connection *evcon, char **address,
                                ev_uint16_t *port);

/**
 * Return the socket address of a connection's peer.
 *
 * @param evcon the connection.
 * @return the address (of a size up to that of struct sockaddr_storage),
 *   which belongs to the connection, or NULL if the connection is not
 *   connected.
 */
EVENT2_EXPORT_SYMBOL
const struct sockaddr *
evhttp_connection_get_addr(struct evhttp_connection *evcon);

/* ------------------------------------------------------------------ */
/* Client requests                                                     */
/* ------------------------------------------------------------------ */

/**
 * Send a request over a connection.
 *
 * The connection takes ownership of the request, whether or not the call
 * succeeds: on failure the request has already been freed.  Requests are
 * queued and sent one after another; the connection is opened if needed.
 *
 * @param evcon the connection.
 * @param req a request from evhttp_request_new().
 * @param type the method, such as EVHTTP_REQ_GET.
 * @param uri the request target to put on the request line, such as
 *   "/index.html?x=1"; it is copied.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_make_request(struct evhttp_connection *evcon,
                        struct evhttp_request *req, enum evhttp_cmd_type type,
                        const char *uri);

/**
 * Cancel an outgoing request that has not completed.
 *
 * The request is freed and its completion callback does not run.  If it
 * was in progress, the connection is reset and the next queued request, if
 * any, goes on normally.  Do not call it once the completion callback has
 * run; it may be called from the request's chunk callback.
 *
 * @param req the request; it is invalid afterwards.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_cancel_request(struct evhttp_request *req);

/* ------------------------------------------------------------------ */
/* Request accessors                                                   */
/* ------------------------------------------------------------------ */

/**
 * Return the request target: as received on a server, or as given to
 * evhttp_make_request() on a client.
 *
 * @param req the request.
 * @return the string, which belongs to the request.
 */
EVENT2_EXPORT_SYMBOL
const char *evhttp_request_get_uri(const struct evhttp_request *req);

/**
 * Return the request target split into its components.
 *
 * @param req a request received by a server.
 * @return the parsed URI, which belongs to the request, or NULL if there
 *   is none.
 */
EVENT2_EXPORT_SYMBOL
const struct evhttp_uri *
evhttp_request_get_evhttp_uri(const struct evhttp_request *req);

/**
 * Return the method of a request.
 *
 * @param req the request.
 * @return one evhttp_cmd_type value.
 */
EVENT2_EXPORT_SYMBOL
enum evhttp_cmd_type
evhttp_request_get_command(const struct evhttp_request *req);

/**
 * Return the status code of a response.
 *
 * @param req an outgoing request whose response has arrived, or a
 *   server-side request that has been answered.
 * @return the HTTP status code, or 0 if there is none.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_request_get_response_code(const struct evhttp_request *req);

/**
 * Return the reason phrase of a response, such as "Not Found".
 *
 * @param req the request.
 * @return the string, which belongs to the request, or NULL if there is
 *   none.
 */
EVENT2_EXPORT_SYMBOL
const char *
evhttp_request_get_response_code_line(const struct evhttp_request *req);

/**
 * Return the headers that were received: the request's on a server, the
 * response's on a client.
 *
 * @param req the request.
 * @return the header list, which belongs to the request.
 */
EVENT2_EXPORT_SYMBOL
struct evkeyvalq *evhttp_request_get_input_headers(struct evhttp_request *req);

/**
 * Return the headers to be sent: the reply's on a server, the request's on
 * a client.
 *
 * @param req the request.
 * @return the header list, which belongs to the request.
 */
EVENT2_EXPORT_SYMBOL
struct evkeyvalq *evhttp_request_get_output_headers(struct evhttp_request *req);

/**
 * Return the body that was received: the request's on a server, the
 * response's on a client.
 *
 * @param req the request.
 * @return the buffer, which belongs to the request.
 */
EVENT2_EXPORT_SYMBOL
struct evbuffer *evhttp_request_get_input_buffer(struct evhttp_request *req);

/**
 * Return the body to be sent: the reply's on a server, the request's on a
 * client.
 *
 * @param req the request.
 * @return the buffer, which belongs to the request.
 */
EVENT2_EXPORT_SYMBOL
struct evbuffer *evhttp_request_get_output_buffer(struct evhttp_request *req);

/**
 * Return the host a request is addressed to.
 *
 * The host part of an absolute request target wins; otherwise the Host
 * header is used.
 *
 * @param req the request.
 * @return the host name, which belongs to the request, or NULL if the
 *   request names no host.
 */
EVENT2_EXPORT_SYMBOL
const char *evhttp_request_get_host(struct evhttp_request *req);

/* ------------------------------------------------------------------ */
/* Header lists                                                        */
/* ------------------------------------------------------------------ */

/**
 * Find the value of a header.
 *
 * @param headers the header list.
 * @param key the header name, matched without regard to case.
 * @return the value of the first matching header, which belongs to the
 *   list, or NULL if there is none.
 */
EVENT2_EXPORT_SYMBOL
const char *evhttp_find_header(const struct evkeyvalq *headers,
                               const char *key);

/**
 * Remove a header from a list.
 *
 * @param headers the header list.
 * @param key the header name, matched without regard to case; the first
 *   matching header is removed and freed.
 * @return 0 if a header was removed, -1 if none matched.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_remove_header(struct evkeyvalq *headers, const char *key);

/**
 * Append a header to a list.
 *
 * Both strings are copied.  Existing headers with the same name are kept.
 *
 * @param headers the header list.
 * @param key the header name; it may not contain CR or LF.
 * @param value the header value; it may not contain CR or LF (folded
 *   lines are obsolete, RFC 9112 section 5.2).
 * @return 0 on success, -1 on failure or if a string is invalid.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_add_header(struct evkeyvalq *headers, const char *key,
                      const char *value);

/**
 * Remove and free every header of a list, leaving it empty.
 *
 * @param headers the header list; the list head itself is not freed.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_clear_headers(struct evkeyvalq *headers);

/* ------------------------------------------------------------------ */
/* Encoding helpers                                                    */
/*                                                                     */
/* The strings these functions return are allocated with the library's */
/* allocator (malloc() unless event_set_mem_functions() changed it);   */
/* the caller frees them with the matching free function.              */
/* ------------------------------------------------------------------ */

/**
 * Percent-encode a string for use in a URI.
 *
 * Every byte except the RFC 3986 unreserved characters (ASCII letters,
 * digits, '-', '.', '_' and '~') becomes "%XX".
 *
 * @param str a NUL-terminated string.
 * @return a newly allocated string, or NULL on failure.
 */
EVENT2_EXPORT_SYMBOL
char *evhttp_encode_uri(const char *str);

/**
 * Percent-encode a string that may contain NUL bytes.
 *
 * @param str the bytes to encode.
 * @param size the number of bytes, or a negative value if @a str is
 *   NUL-terminated.
 * @param space_to_plus nonzero to encode spaces as '+' rather than "%20".
 * @return a newly allocated string, or NULL on failure.
 */
EVENT2_EXPORT_SYMBOL
char *evhttp_uriencode(const char *str, ev_ssize_t size, int space_to_plus);

/**
 * Decode a percent-encoded URI (deprecated; use evhttp_uridecode()).
 *
 * "%XX" sequences are decoded everywhere; '+' becomes a space only after
 * the first '?'.
 *
 * @param uri the encoded string.
 * @return a newly allocated string, or NULL on failure.
 */
EVENT2_EXPORT_SYMBOL
char *evhttp_decode_uri(const char *uri);

/**
 * Decode a percent-encoded string.
 *
 * @param uri the encoded string.
 * @param decode_plus 1 to turn every '+' into a space, as in query
 *   parameters; 0 to leave '+' alone.
 * @param size_out if not NULL, set to the length of the result, which may
 *   contain NUL bytes.
 * @return a newly allocated, NUL-terminated string, or NULL on failure.
 */
EVENT2_EXPORT_SYMBOL
char *evhttp_uridecode(const char *uri, int decode_plus, size_t *size_out);

/**
 * Parse the query string of a URI into key/value pairs (deprecated; use
 * evhttp_uri_parse() and evhttp_parse_query_str()).
 *
 * For "/path?q=test&s=some+thing" the list receives q = "test" and
 * s = "some thing".
 *
 * @param uri a URI or request target; only the part after '?' is parsed.
 * @param headers the list to fill.  It is initialised by this call, so it
 *   must not hold entries.  On success the caller frees the entries with
 *   evhttp_clear_headers(); on failure the list is left empty.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_parse_query(const char *uri, struct evkeyvalq *headers);

/**
 * Parse a query string into key/value pairs.
 *
 * For "q=test&s=some+thing" the list receives q = "test" and
 * s = "some thing": values are percent-decoded and '+' in them becomes a
 * space; keys are kept as they are.
 *
 * @param uri the query string, without the leading '?'.
 * @param headers the list to fill.  It is initialised by this call, so it
 *   must not hold entries.  On success the caller frees the entries with
 *   evhttp_clear_headers(); on failure the list is left empty.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_parse_query_str(const char *uri, struct evkeyvalq *headers);

/**
 * Escape the characters that are special in HTML.
 *
 * '<', '>', '"', '\'' and '&' become "&lt;", "&gt;", "&quot;", "&#039;"
 * and "&amp;".
 *
 * @param html the text to escape.
 * @return a newly allocated string, or NULL on failure.
 */
EVENT2_EXPORT_SYMBOL
char *evhttp_htmlescape(const char *html);

/* ------------------------------------------------------------------ */
/* URIs                                                                */
/* ------------------------------------------------------------------ */

/**
 * Create an empty URI with no components set and no port.
 *
 * @return a new URI, or NULL on failure.  Release it with
 *   evhttp_uri_free().
 */
EVENT2_EXPORT_SYMBOL
struct evhttp_uri *evhttp_uri_new(void);

/**
 * Replace the parsing flags stored in a URI.
 *
 * @param uri the URI.
 * @param flags a bitwise OR of EVHTTP_URI_* flags.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_uri_set_flags(struct evhttp_uri *uri, unsigned flags);

/**
 * Return the scheme of a URI, such as "http".
 *
 * @param uri the URI.
 * @return the scheme, which belongs to the URI, or NULL if it has none
 *   (a relative reference).
 */
EVENT2_EXPORT_SYMBOL
const char *evhttp_uri_get_scheme(const struct evhttp_uri *uri);

/**
 * Return the userinfo of a URI (the part before '@' in the authority).
 *
 * @param uri the URI.
 * @return the userinfo, which belongs to the URI, or NULL if it has none.
 */
EVENT2_EXPORT_SYMBOL
const char *evhttp_uri_get_userinfo(const struct evhttp_uri *uri);

/**
 * Return the host of a URI.
 *
 * The host is a registered name, an IPv4 address, a bracketed IPv6 or
 * IPvFuture address, or the empty string.  NULL means the URI has no
 * authority at all ("mailto:a@example.com"), while "" means an authority
 * with an empty host ("file:///etc/motd").
 *
 * @param uri the URI.
 * @return the host, which belongs to the URI, or NULL.
 */
EVENT2_EXPORT_SYMBOL
const char *evhttp_uri_get_host(const struct evhttp_uri *uri);

/**
 * Return the port of a URI.
 *
 * @param uri the URI.
 * @return the port, or -1 if the URI has none.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_uri_get_port(const struct evhttp_uri *uri);

/**
 * Return the path of a URI.
 *
 * @param uri the URI.
 * @return the path, which belongs to the URI, or NULL if it has none.
 */
EVENT2_EXPORT_SYMBOL
const char *evhttp_uri_get_path(const struct evhttp_uri *uri);

/**
 * Return the query of a URI, without the leading '?'.
 *
 * @param uri the URI.
 * @return the query, which belongs to the URI, or NULL if it has none.
 */
EVENT2_EXPORT_SYMBOL
const char *evhttp_uri_get_query(const struct evhttp_uri *uri);

/**
 * Return the fragment of a URI, without the leading '#'.
 *
 * @param uri the URI.
 * @return the fragment, which belongs to the URI, or NULL if it has none.
 */
EVENT2_EXPORT_SYMBOL
const char *evhttp_uri_get_fragment(const struct evhttp_uri *uri);

/**
 * Set or clear the scheme of a URI.
 *
 * @param uri the URI.
 * @param scheme the new scheme, which is copied, or NULL to clear it.
 * @return 0 on success, -1 if the scheme is malformed or on failure.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_uri_set_scheme(struct evhttp_uri *uri, const char *scheme);

/**
 * Set or clear the userinfo of a URI.
 *
 * @param uri the URI.
 * @param userinfo the new userinfo, which is copied, or NULL to clear it.
 * @return 0 on success, -1 if the userinfo is malformed or on failure.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_uri_set_userinfo(struct evhttp_uri *uri, const char *userinfo);

/**
 * Set or clear the host of a URI.
 *
 * @param uri the URI.
 * @param host the new host, which is copied (an IPv6 address in
 *   brackets), or NULL to clear it.
 * @return 0 on success, -1 if the host is malformed or on failure.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_uri_set_host(struct evhttp_uri *uri, const char *host);

/**
 * Set or clear the port of a URI.
 *
 * @param uri the URI.
 * @param port the new port, or -1 to clear it.
 * @return 0 on success, -1 if @a port is below -1.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_uri_set_port(struct evhttp_uri *uri, int port);

/**
 * Set or clear the path of a URI.
 *
 * @param uri the URI.
 * @param path the new path, which is copied, or NULL to clear it.
 * @return 0 on success, -1 if the path is malformed or on failure.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_uri_set_path(struct evhttp_uri *uri, const char *path);

/**
 * Set or clear the query of a URI.
 *
 * @param uri the URI.
 * @param query the new query without a leading '?', which is copied, or
 *   NULL to clear it.
 * @return 0 on success, -1 if the query is malformed or on failure.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_uri_set_query(struct evhttp_uri *uri, const char *query);

/**
 * Set or clear the fragment of a URI.
 *
 * @param uri the URI.
 * @param fragment the new fragment without a leading '#', which is
 *   copied, or NULL to clear it.
 * @return 0 on success, -1 if the fragment is malformed or on failure.
 */
EVENT2_EXPORT_SYMBOL
int evhttp_uri_set_fragment(struct evhttp_uri *uri, const char *fragment);

/** URI parsing flag: accept characters that RFC 3986 forbids in the path,
 * query and fragment, as some clients send them. */
#define EVHTTP_URI_NONCONFORMANT 0x01

/**
 * Parse a URI reference as defined by RFC 3986.
 *
 * Both absolute URIs ("scheme://userinfo@host:port/path?query#fragment")
 * and relative references ("path?query#fragment") are accepted.
 * Components that are absent are NULL and an absent port is -1.  Percent
 * escapes are not decoded (see evhttp_uridecode() and
 * evhttp_parse_query_str()), and no scheme-specific rules are checked,
 * but a port must be a number from 0 to 65535.
 *
 * @param source_uri the text to parse.
 * @param flags a bitwise OR of EVHTTP_URI_* flags, or 0.
 * @return a new URI, or NULL if the text is malformed or on failure.
 *   Release it with evhttp_uri_free().
 */
EVENT2_EXPORT_SYMBOL
struct evhttp_uri *evhttp_uri_parse_with_flags(const char *source_uri,
                                               unsigned flags);

/**
 * Parse a URI reference with no flags; the same as
 * evhttp_uri_parse_with_flags(source_uri, 0).
 *
 * @param source_uri the text to parse.
 * @return a new URI, or NULL if the text is malformed or on failure.
 */
EVENT2_EXPORT_SYMBOL
struct evhttp_uri *evhttp_uri_parse(const char *source_uri);

/**
 * Free a URI made by evhttp_uri_new() or evhttp_uri_parse*(), with all of
 * its components.
 *
 * @param uri the URI to free.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_uri_free(struct evhttp_uri *uri);

/**
 * Write a URI reference back out as text.
 *
 * The components are joined as they are, without escaping, so the result
 * is a valid URI only if they are valid.
 *
 * @param uri the URI.
 * @param buf the buffer to write into.
 * @param limit the size of @a buf in bytes, including room for the
 *   terminating NUL.
 * @return @a buf on success, or NULL if the text does not fit or on
 *   failure.
 */
EVENT2_EXPORT_SYMBOL
char *evhttp_uri_join(struct evhttp_uri *uri, char *buf, size_t limit);

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_HTTP_H_INCLUDED_ */
