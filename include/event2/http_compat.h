/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/http_compat.h: deprecated HTTP functions kept for programs
 * written for libevent 1.4.  They use the global event base set up by
 * event_init() and so are not safe in programs with several bases or
 * threads; use the functions of <event2/http.h> instead.
 */
#ifndef EVENT2_HTTP_COMPAT_H_INCLUDED_
#define EVENT2_HTTP_COMPAT_H_INCLUDED_

#include <event2/event-config.h>
#ifdef EVENT__HAVE_SYS_TYPES_H
#include <sys/types.h>
#endif
#ifdef EVENT__HAVE_SYS_TIME_H
#include <sys/time.h>
#endif

#include <event2/util.h>
#include <event2/visibility.h>
#include <event2/http.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Create an HTTP server on the global event base and make it listen.
 *
 * @deprecated Use evhttp_new() and evhttp_bind_socket(), which take an
 *   explicit event base.
 *
 * @param address the local address to listen on.
 * @param port the TCP port to listen on.
 * @return a new server, or NULL on error.  Release it with evhttp_free().
 */
EVENT2_EXPORT_SYMBOL
struct evhttp *evhttp_start(const char *address, ev_uint16_t port);

/**
 * Create a connection to an HTTP server without an event base.
 *
 * Give it a base with evhttp_connection_set_base() before making requests.
 *
 * @deprecated Use evhttp_connection_base_new(), which takes an explicit
 *   event base.
 *
 * @param address the server's host name or numeric address.
 * @param port the server's TCP port.
 * @return a new connection, or NULL on error.  Release it with
 *   evhttp_connection_free().
 */
EVENT2_EXPORT_SYMBOL
struct evhttp_connection *evhttp_connection_new(const char *address,
                                                ev_uint16_t port);

/**
 * Set the event base of a connection.
 *
 * Only valid on a connection that has not been used yet.
 *
 * @deprecated Create the connection with evhttp_connection_base_new()
 *   instead.
 *
 * @param evcon the connection.
 * @param base the event base that will run it.
 */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_base(struct evhttp_connection *evcon,
                                struct event_base *base);

/** Old name of evhttp_request_get_uri(). */
#define evhttp_request_uri evhttp_request_get_uri

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_HTTP_COMPAT_H_INCLUDED_ */
