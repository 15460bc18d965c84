/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/bufferevent_ssl.h: bufferevents that speak TLS through OpenSSL.
 * The functions live in libevent_openssl.  OpenSSL's SSL type appears here
 * only as the incomplete struct ssl_st, so this header can be included
 * without OpenSSL's headers; an SSL * converts to it directly.
 */
#ifndef EVENT2_BUFFEREVENT_SSL_H_INCLUDED_
#define EVENT2_BUFFEREVENT_SSL_H_INCLUDED_

#include <event2/visibility.h>
#include <event2/event-config.h>
#include <event2/util.h>
#include <event2/bufferevent.h>

#ifdef __cplusplus
extern "C" {
#endif

/** OpenSSL's connection object (the type behind SSL); opaque here. */
struct ssl_st;

/** The state of the TLS connection handed to a new OpenSSL bufferevent. */
enum bufferevent_ssl_state {
    /** The handshake has already been completed. */
    BUFFEREVENT_SSL_OPEN = 0,
    /** Run the handshake as the client. */
    BUFFEREVENT_SSL_CONNECTING = 1,
    /** Run the handshake as the server. */
    BUFFEREVENT_SSL_ACCEPTING = 2
};

#if defined(EVENT__HAVE_OPENSSL)

/** Creates a bufferevent that runs TLS over another bufferevent.
 *
 * @param base the event base that will run the new bufferevent
 * @param underlying the bufferevent that carries the encrypted bytes
 * @param ssl the OpenSSL connection to use.  With BEV_OPT_CLOSE_ON_FREE
 *     the bufferevent frees it, and @a underlying, when it is freed;
 *     otherwise the caller frees both after freeing the bufferevent.
 * @param state whether to handshake as client or server, or not at all
 * @param options a bitwise OR of enum bufferevent_options values
 * @return the new bufferevent, or NULL on error
 */
EVENT2_EXPORT_SYMBOL
struct bufferevent *bufferevent_openssl_filter_new(
    struct event_base *base, struct bufferevent *underlying, struct ssl_st *ssl,
    enum bufferevent_ssl_state state, int options);

/** Creates a bufferevent that runs TLS directly over a socket.
 *
 * @param base the event base that will run the new bufferevent
 * @param fd the socket to use, or -1 to use the socket already attached
 *     to @a ssl (or none yet); if both are given they must agree
 * @param ssl the OpenSSL connection to use.  With BEV_OPT_CLOSE_ON_FREE
 *     the bufferevent frees it, and closes the socket, when it is freed;
 *     otherwise the caller does both after freeing the bufferevent.
 * @param state whether to handshake as client or server, or not at all
 * @param options a bitwise OR of enum bufferevent_options values
 * @return the new bufferevent, or NULL on error
 */
EVENT2_EXPORT_SYMBOL
struct bufferevent *
bufferevent_openssl_socket_new(struct event_base *base, evutil_socket_t fd,
                               struct ssl_st *ssl,
                               enum bufferevent_ssl_state state, int options);

/** Tells whether an OpenSSL bufferevent accepts an unclean shutdown.
 *
 * @param bev an OpenSSL bufferevent
 * @return 1 if a connection closed without a TLS close_notify is reported
 *     as BEV_EVENT_EOF, 0 if it is reported as BEV_EVENT_ERROR, or -1 if
 *     @a bev is not an OpenSSL bufferevent
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_openssl_get_allow_dirty_shutdown(struct bufferevent *bev);

/** Chooses whether an OpenSSL bufferevent accepts an unclean shutdown.
 *
 * @param bev an OpenSSL bufferevent
 * @param allow_dirty_shutdown nonzero to report a connection closed without
 *     a TLS close_notify as BEV_EVENT_EOF, 0 to report it as
 *     BEV_EVENT_ERROR (the default)
 */
EVENT2_EXPORT_SYMBOL
void bufferevent_openssl_set_allow_dirty_shutdown(struct bufferevent *bev,
                                                  int allow_dirty_shutdown);

/** Returns the OpenSSL connection of a bufferevent, or NULL if @a bufev is
 * not an OpenSSL bufferevent.  The bufferevent keeps ownership. */
EVENT2_EXPORT_SYMBOL
struct ssl_st *bufferevent_openssl_get_ssl(struct bufferevent *bufev);

/** Starts a TLS renegotiation on an OpenSSL bufferevent.
 *
 * @param bev an OpenSSL bufferevent
 * @return 0 on success, -1 on error or if @a bev is not an OpenSSL
 *     bufferevent
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_ssl_renegotiate(struct bufferevent *bev);

/** Removes and returns the oldest OpenSSL error code recorded for a
 * bufferevent, for use with OpenSSL's ERR_* functions.
 *
 * @param bev an OpenSSL bufferevent
 * @return the error code, or 0 when none is left or @a bev is not an
 *     OpenSSL bufferevent
 */
EVENT2_EXPORT_SYMBOL
unsigned long bufferevent_get_openssl_error(struct bufferevent *bev);

#endif /* EVENT__HAVE_OPENSSL */

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_BUFFEREVENT_SSL_H_INCLUDED_ */
